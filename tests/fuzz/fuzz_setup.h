/* fuzz_setup.h: what the fuzz targets that run the pipeline set up once: the rules, all of them on. */
#ifndef WL_FUZZ_SETUP_H
#define WL_FUZZ_SETUP_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "rule.h"
#include "rules_file.h"
#include "verdict.h"

/*
 * The built-in rules, every one on (the opt-in ones too), as wirelint
 * sets them up: so that each check and each declarative case is run on
 * the heads the fuzzer makes, and each finding is written.  The findings
 * kept for the same inputs (verdict.h) are checked against the rules'
 * own wherever they would be given: a verdict that differs stops the
 * target, which the fuzzer reports.
 */
static inline void fuzz_setup_rules(void)
{
	static bool ready;
	if (ready)
		return;
	char err[256];
	rules_init();
	if (rules_load_builtin(err, sizeof err) < 0) {
		fprintf(stderr, "fuzz: built-in rules: %s\n", err);
		abort();
	}
	for (int i = 0; i < rule_count; i++)
		rule_set_enabled(i, true);
	rules_ready();
	verdict_mode(VERDICT_CHECK);
	ready = true;
}

#endif
