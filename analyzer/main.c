/* main.c: wirelint: lint the HTTP responses in captured traffic. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "capture.h"
#include "cli.h"
#include "engine.h"
#include "output.h"
#include "rule.h"

static void list_rules(FILE *f)
{
	for (int i = 0; i < RULE_COUNT; i++)
		fprintf(f, "%-26s %-8s %s (%s)\n", rule_table[i].id, severity_name(rule_table[i].sev),
			rule_table[i].summary, rule_table[i].ref);
}

int main(int argc, char **argv)
{
	struct cli_opts o;
	switch (cli_parse(argc, argv, &o)) {
	case CLI_DONE:
		cli_free(&o);
		return WL_EXIT_OK;
	case CLI_USAGE:
		cli_free(&o);
		return WL_EXIT_ERROR;
	case CLI_RUN:
		break;
	}
	if (o.list_rules) {
		list_rules(stdout);
		cli_free(&o);
		return WL_EXIT_OK;
	}

	struct out out = { stdout, o.fmt, o.quiet };
	if (o.outfile && strcmp(o.outfile, "-") != 0) {
		out.f = fopen(o.outfile, "w");
		if (!out.f) {
			fprintf(stderr, "wirelint: %s: cannot write: %s\n", o.outfile, strerror(errno));
			cli_free(&o);
			return WL_EXIT_ERROR;
		}
	}

	static struct engine e;
	engine_init(&e, &o.lim, &out);
	e.verify_checksums = o.verify_checksums;
	int status = WL_EXIT_OK;
	for (int i = 0; i < o.nfiles; i++) {
		char err[512];
		engine_begin_file(&e, o.files[i]);
		enum cap_result r = cap_read_file(&e, o.files[i], err, sizeof err);
		/* What was read before a damaged record is still analysed. */
		engine_end_file(&e);
		if (r != CAP_OK) {
			fflush(out.f);
			fprintf(stderr, "wirelint: %s: %s\n", o.files[i], err);
			status = WL_EXIT_ERROR;
		}
	}
	out_summary(&out, &e.st, o.files, o.nfiles);
	engine_free(&e);

	if (fflush(out.f) != 0 || ferror(out.f)) {
		fprintf(stderr, "wirelint: %s: write error: %s\n", o.outfile ? o.outfile : "standard output",
			strerror(errno));
		status = WL_EXIT_ERROR;
	}
	if (out.f != stdout)
		fclose(out.f);
	if (status == WL_EXIT_OK && o.fail_on >= 0 && e.max_sev >= o.fail_on)
		status = WL_EXIT_FINDINGS;
	cli_free(&o);
	return status;
}
