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

/*
 * For each status code, the rules that may judge a response with it, in
 * table order (the order findings are reported in): most declarative rules
 * are about one or a few codes, and a 200 need not visit those about 405.
 * Written by rules_init and rule_register, before any transaction is
 * judged, and only read while transactions are judged.  When memory ran
 * out building it, every rule is visited (index_whole false).
 */
static struct {
	uint16_t *rule;
	int n, cap;
} by_status[STATUS_CODES];
static bool index_whole;

/* Adds rule i to the lists of the codes in set. */
static void index_add(int i, const uint64_t set[STATUS_WORDS])
{
	for (int s = 0; s < STATUS_CODES; s++) {
		if (!(set[s / 64] >> (s % 64) & 1))
			continue;
		if (by_status[s].n == by_status[s].cap) {
			int nc = by_status[s].cap ? by_status[s].cap * 2 : 32;
			uint16_t *nr = realloc(by_status[s].rule, (size_t)nc * sizeof *nr);
			if (!nr) {
				index_whole = false;
				return;
			}
			by_status[s].rule = nr;
			by_status[s].cap = nc;
		}
		by_status[s].rule[by_status[s].n++] = (uint16_t)i;
	}
}

/* The codes rule d may judge: those of its cases for a declarative rule, all for one coded in C. */
static void statuses_of(const struct rule_def *d, uint64_t set[STATUS_WORDS])
{
	if (d->decl) {
		decl_statuses(d->decl, set);
		return;
	}
	for (int w = 0; w < STATUS_WORDS; w++)
		set[w] = ~(uint64_t)0;
}

static const struct rule_def c_rules[RULE_COUNT] = {
#define RULE_ROW(name, id, sev, req, check, summary, ref) \
	{ id, sev, req, check, summary, ref, NULL, "built-in", true, false, -1, 0, 0 },
	RULE_LIST(RULE_ROW)
#undef RULE_ROW
};

void rules_init(void)
{
	/* The opt-in rules coded in C: advice that would be noise by default. */
	static const enum rule_id opt_in[] = { RULE_DATE_SKEW };
	rule_count = 0;
	index_whole = true;
	for (int s = 0; s < STATUS_CODES; s++)
		by_status[s].n = 0;
	for (int i = 0; i < RULE_COUNT; i++) {
		uint64_t set[STATUS_WORDS];
		rule_table[rule_count] = c_rules[i];
		statuses_of(&rule_table[rule_count], set);
		index_add(rule_count++, set);
	}
	for (size_t i = 0; i < sizeof opt_in / sizeof opt_in[0]; i++) {
		rule_table[opt_in[i]].enabled = false;
		rule_table[opt_in[i]].default_off = true;
	}
}

int rule_register(const struct rule_def *d)
{
	if (rule_count == RULE_MAX || rule_by_id(d->id) >= 0)
		return -1;
	uint64_t set[STATUS_WORDS];
	rule_table[rule_count] = *d;
	if (d->decl)
		decl_needs(d->decl, &rule_table[rule_count].need_req, &rule_table[rule_count].need_resp);
	statuses_of(d, set);
	index_add(rule_count, set);
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

/* Judges t by rule i. */
static void evaluate_one(struct txn *t, const struct decl_names *names, int i)
{
	const struct rule_def *r = &rule_table[i];
	if (!r->enabled)
		return;
	if (r->decl) {
		/* Every case needs a field the head lacks: none applies. */
		if ((r->need_resp & names->resp) != r->need_resp || (r->need_req & names->req) != r->need_req)
			return;
		if (!r->needs_request || t->req) {
			struct rule_out out = { t, (enum rule_id)i };
			decl_check(r->decl, t, names, &out);
		}
		return;
	}
	if (!r->check)
		return;
	if (r->needs_request && !t->req)
		return;
	struct rule_out out = { t, (enum rule_id)i };
	r->check(t, &out);
}

void rules_evaluate(struct txn *t)
{
	/* A transaction with no response has nothing to judge. */
	if (!t->resp)
		return;
	unsigned st = t->resp->status;
	struct decl_names names;
	decl_names_of(t, &names);
	/* The rules for st, or (without an index) every rule; one call site, so evaluate_one is inlined. */
	bool indexed = index_whole && st < STATUS_CODES;
	const uint16_t *list = indexed ? by_status[st].rule : NULL;
	int n = indexed ? by_status[st].n : rule_count;
	for (int k = 0; k < n; k++)
		evaluate_one(t, &names, list ? list[k] : k);
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
