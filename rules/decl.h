/* decl.h: declarative rules: "when the status is S (and the request is R), the response must (not) carry H (matching P)". */
#ifndef WL_DECL_H
#define WL_DECL_H

#include <regex.h>
#include <stdbool.h>
#include <stdint.h>

#include "fastre.h"
#include "rule.h"

struct txn;

/* A condition on the fields named name. */
enum hcond_kind {
	HC_PRESENT,   /* present */
	HC_ABSENT,    /* absent */
	HC_MATCH,     /* present, and a field's value matches the pattern */
	HC_NOT_MATCH, /* absent, or no field's value matches */
};

struct hcond {
	char *name;
	uint32_t nlen, hash;  /* of name (head_name_hash), set when it is parsed */
	enum hcond_kind kind;
	bool has_re;
	regex_t re;
	fastre_fn fast;       /* code that matches as re does (fastre.h), or NULL */
	uint32_t seq;         /* patterns are numbered in the order they are compiled (decl.c's memo) */
};

struct status_range {
	int lo, hi;
};

/* One case of a rule: when everything in "when" holds, every "require" must. */
struct decl_case {
	enum severity sev;
	char *message;                /* {status} and {method} are filled in */
	struct status_range *status;  /* none: any status */
	int nstatus;
	char **methods;               /* none: any method */
	int nmethods;
	bool not_methods;             /* methods lists those that must NOT be the request's */
	bool unless_methods;          /* ...and only a request known to use one rules the case out:
	                               * without the request (or its method), the case still applies */
	struct status_range *not_status; /* statuses the response must not have */
	int nnot_status;
	char *version;                /* the request's HTTP version ("1.0"), or NULL */
	struct hcond *req_when;
	int nreq_when;
	struct hcond *resp_when;
	int nresp_when;
	int body;                     /* -1 any, 0 no content, 1 content */
	int64_t body_min, body_max;   /* -1: no bound */
	struct hcond *require;
	int nrequire;
	int line;                     /* where it was written */
	uint64_t need_req, need_resp; /* names the case needs present, as in struct decl_names (decl_case_finish) */
};

struct decl_rule {
	struct decl_case *cases;
	int ncases;
};

/*
 * The field names of a transaction's heads as sets of bits (bit
 * head_name_hash % 64), made once per transaction: a case whose "when"
 * needs a field whose bit is not set cannot apply, and is passed over
 * without looking at the fields.
 */
struct decl_names {
	uint64_t req, resp;
};

void decl_names_of(const struct txn *t, struct decl_names *n);

/*
 * How the calling thread's memo of regexec's answers (decl.c) has served
 * the patterns no hand-written matcher covers: answers it gave, values it
 * sent to regexec, and values too long for it.  For the tests.
 */
struct decl_memo_stats {
	uint64_t hits, misses, long_values;
};
void decl_memo_stats(struct decl_memo_stats *s);

/* The bit of field name name (NUL-terminated) in a struct decl_names set. */
uint64_t decl_name_bit(const char *name);

/* The names every case of r needs present (so r cannot apply to a head without one of them). */
void decl_needs(const struct decl_rule *r, uint64_t *req, uint64_t *resp);

/* Judges t by every case of r; the first requirement broken in a case is reported. */
void decl_check(const struct decl_rule *r, const struct txn *t, const struct decl_names *names,
		struct rule_out *out);

/*
 * Judges t by case c alone, for the engine's lists of cases by status: the
 * caller has made sure that t's status is one of c's (decl_case_statuses),
 * that the heads have the names c needs (need_req, need_resp in names) and
 * that t's response head was read whole (as decl_check does).
 */
void decl_case_check(const struct decl_case *c, const struct txn *t, const struct decl_names *names,
		     struct rule_out *out);

/* Sets what c's "when" needs present (need_req, need_resp); called once its conditions are parsed. */
void decl_case_finish(struct decl_case *c);

/* The status codes (0-999) some case of r may judge, as a set of bits (bit s of word s / 64). */
void decl_statuses(const struct decl_rule *r, uint64_t set[STATUS_WORDS]);

/* The status codes (0-999) case c may judge, as decl_statuses. */
void decl_case_statuses(const struct decl_case *c, uint64_t set[STATUS_WORDS]);

/*
 * What the engine's memos know of t's request, as a small number: 0 when
 * there is none or its head was cut; else its method's place among the
 * common methods (0 for another) times 4, plus 1 for HTTP/1.0, 2 for
 * HTTP/1.1, 3 for another version.
 */
unsigned decl_request_class(const struct txn *t);

/*
 * Whether c may apply to a request of class rc (decl_request_class):
 * false only when the request's method or version is sure to fail c's.
 */
bool decl_case_request_may_apply(const struct decl_case *c, unsigned rc);

/* Whether a case needs the request (it looks at the method, version or request fields). */
bool decl_case_needs_request(const struct decl_case *c);

/* Frees what a case owns. */
void decl_case_free(struct decl_case *c);

#endif
