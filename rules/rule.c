/* rule.c: the rule table and the engine that runs it over a transaction. */
#include "rule.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "status_rules.h"
#include "txn.h"

const struct rule_def rule_table[RULE_COUNT] = {
#define RULE_ROW(name, id, sev, req, check, summary, ref) { id, sev, req, check, summary, ref },
	RULE_LIST(RULE_ROW)
#undef RULE_ROW
};

__attribute__((format(printf, 4, 0))) static void add_finding(struct txn *t, enum rule_id rule, enum severity sev,
								const char *fmt, va_list ap)
{
	struct finding *f = txn_add_finding(t);
	if (!f)
		return;
	f->rule = (uint16_t)rule;
	f->sev = (uint8_t)sev;
	vsnprintf(f->msg, sizeof f->msg, fmt, ap);
}

void rule_report(struct rule_out *out, enum severity sev, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	add_finding(out->txn, out->rule, sev, fmt, ap);
	va_end(ap);
}

void rule_raise(struct txn *t, enum rule_id rule, enum severity sev, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	add_finding(t, rule, sev, fmt, ap);
	va_end(ap);
}

void rules_evaluate(struct txn *t)
{
	/* A transaction with no response has nothing to judge. */
	if (!t->resp)
		return;
	for (int i = 0; i < RULE_COUNT; i++) {
		const struct rule_def *r = &rule_table[i];
		if (!r->check)
			continue;
		if (r->needs_request && !t->req)
			continue;
		struct rule_out out = { t, (enum rule_id)i };
		r->check(t, &out);
	}
}

enum rule_id rule_by_id(const char *id)
{
	for (int i = 0; i < RULE_COUNT; i++)
		if (strcmp(rule_table[i].id, id) == 0)
			return (enum rule_id)i;
	return RULE_COUNT;
}

const char *severity_name(enum severity s)
{
	static const char *const names[SEV_COUNT] = { "info", "warning", "error" };
	return (unsigned)s < SEV_COUNT ? names[s] : "?";
}

int severity_parse(const char *s)
{
	for (int i = 0; i < SEV_COUNT; i++)
		if (strcmp(s, severity_name((enum severity)i)) == 0)
			return i;
	return -1;
}
