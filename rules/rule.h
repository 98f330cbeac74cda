/* rule.h: the rule engine: the table of rules and how a transaction is judged. */
#ifndef WL_RULE_H
#define WL_RULE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rule_list.h"

/* Severity follows RFC 2119 language: error = a MUST is broken, warning = a SHOULD, info = advice. */
enum severity { SEV_INFO, SEV_WARNING, SEV_ERROR, SEV_COUNT };

/* The rules coded in C; they come first in the table, in this order. */
enum rule_id {
#define RULE_ENUM(name, id, sev, req, check, summary, ref) RULE_##name,
	RULE_LIST(RULE_ENUM)
#undef RULE_ENUM
	RULE_COUNT
};

/* Rules in one run: those coded in C, the built-in rules file, the user's. */
#define RULE_MAX 1024

/* Status codes are three digits (llhttp reads no more): a set of them is STATUS_WORDS words of bits. */
#define STATUS_CODES 1000
#define STATUS_WORDS ((STATUS_CODES + 63) / 64)

struct txn;
struct decl_rule;

/* A finding: one rule broken by one transaction.  msg is NUL-terminated. */
#define FINDING_MSG_MAX 160
struct finding {
	uint16_t rule;
	uint8_t sev;
	char fp[17];   /* its fingerprint (analyzer/fingerprint.h), set when it is written */
	char msg[FINDING_MSG_MAX];
};

/* Where a check writes what it found. */
struct rule_out {
	struct txn *txn;
	enum rule_id rule;
};

struct rule_def {
	const char *id;
	enum severity sev;      /* default severity; a check may report another for a case */
	bool needs_request;     /* judged only when the request was seen */
	void (*check)(const struct txn *t, struct rule_out *out);
	const char *summary;
	const char *ref;
	const struct decl_rule *decl; /* a declarative rule's cases, or NULL */
	const char *origin;     /* "built-in", or the rules file it came from */
	bool enabled;           /* set with rule_set_enabled, which the engine's memo of steps follows */
	bool default_off;       /* an opt-in rule: off unless --enable names it */
	int sev_override;       /* -1, or the severity every finding of the rule takes (--severity) */
	uint64_t need_req, need_resp; /* names the rule needs present (struct decl_names): decl_needs, or rule_c_need */
};

/* The table: rule_table[0..rule_count), the C rules first (enum rule_id). */
extern struct rule_def rule_table[RULE_MAX];
extern int rule_count;

/* Fills the table with the rules coded in C; the rules files come after. */
void rules_init(void);

/* Adds a rule; returns its index, or -1 when the id exists or the table is full. */
int rule_register(const struct rule_def *d);

/* Turns rule i on or off (opt-in rules, --enable, --disable); what the engine remembered (the steps to run, the verdicts kept) is forgotten. */
void rule_set_enabled(int i, bool on);

/* Sets the severity every finding of rule i takes (--severity), or -1 for its own. */
void rule_set_severity(int i, int sev);

/* Records a finding of out->rule on out->txn, message formatted printf-style. */
void rule_report(struct rule_out *out, enum severity sev, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Same, for the pipeline's own rules (parse errors). */
void rule_raise(struct txn *t, enum rule_id rule, enum severity sev, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/*
 * Makes the plans that judge a transaction quickly, once every rule is
 * registered and before transactions are judged (registering a rule drops
 * them; without them rules_evaluate walks each status's list, to the same
 * findings).
 */
void rules_ready(void);

/* Runs every rule with a check over t and appends the findings to t. */
void rules_evaluate(struct txn *t);

/*
 * Whether rule is judged for a response with status (it has a step in the
 * status's list): false for a rule with no check, and for a C check that
 * can raise nothing for that code (tests/unit/test_rules.c holds them to it).
 */
bool rule_listed(int rule, unsigned status);

/*
 * The k-th field name (lower case) the C check of rule needs present in the
 * response (response true) or the request, NULL past the last: the engine
 * does not call the check on heads that lack one (tests/unit/test_rules.c
 * holds each check to finding nothing without them).
 */
const char *rule_c_need(int rule, bool response, int k);

/* Looks a rule up by id; returns -1 when there is none. */
int rule_by_id(const char *id);

const char *severity_name(enum severity s);

/* Parses "error", "warning", "info"; returns -1 otherwise. */
int severity_parse(const char *s);

#endif
