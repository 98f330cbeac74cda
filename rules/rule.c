/* rule.c: the rule table and the engine that runs it over a transaction. */
#include "rule.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decl.h"
#include "exchange_rules.h"
#include "field_rules.h"
#include "status_rules.h"
#include "txn.h"

struct rule_def rule_table[RULE_MAX];
int rule_count;

static const struct rule_def c_rules[RULE_COUNT] = {
#define RULE_ROW(name, id, sev, req, check, summary, ref) \
	{ id, sev, req, check, summary, ref, NULL, "built-in", true, false, -1 },
	RULE_LIST(RULE_ROW)
#undef RULE_ROW
};

void rules_init(void)
{
	/* The opt-in rules coded in C: advice that would be noise by default. */
	static const enum rule_id opt_in[] = { RULE_DATE_SKEW };
	rule_count = 0;
	for (int i = 0; i < RULE_COUNT; i++)
		rule_table[rule_count++] = c_rules[i];
	for (size_t i = 0; i < sizeof opt_in / sizeof opt_in[0]; i++) {
		rule_table[opt_in[i]].enabled = false;
		rule_table[opt_in[i]].default_off = true;
	}
}

int rule_register(const struct rule_def *d)
{
	if (rule_count == RULE_MAX || rule_by_id(d->id) >= 0)
		return -1;
	rule_table[rule_count] = *d;
	return rule_count++;
}

__attribute__((format(printf, 4, 0))) static void add_finding(struct txn *t, enum rule_id rule, enum severity sev,
								const char *fmt, va_list ap)
{
	const struct rule_def *r = &rule_table[rule];
	if (!r->enabled)
		return;
	if (r->sev_override >= 0)
		sev = (enum severity)r->sev_override;
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
	for (int i = 0; i < rule_count; i++) {
		const struct rule_def *r = &rule_table[i];
		if (!r->enabled)
			continue;
		if (r->decl) {
			if (!r->needs_request || t->req) {
				struct rule_out out = { t, (enum rule_id)i };
				decl_check(r->decl, t, &out);
			}
			continue;
		}
		if (!r->check)
			continue;
		if (r->needs_request && !t->req)
			continue;
		struct rule_out out = { t, (enum rule_id)i };
		r->check(t, &out);
	}
}

int rule_by_id(const char *id)
{
	for (int i = 0; i < rule_count; i++)
		if (strcmp(rule_table[i].id, id) == 0)
			return i;
	return -1;
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
