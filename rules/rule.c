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
#include "verdict.h"

struct rule_def rule_table[RULE_MAX];
int rule_count;

/*
 * What judging a transaction takes, made when the rules are registered and
 * only read while transactions are judged: each C check, and each case of a
 * declarative rule, is one step, with what it needs of the transaction
 * beside it so that most steps are passed over without a call.  A rule
 * coded in C without a check (the pipeline raises it) has no step.
 */
enum {
	STEP_REQ = 1,        /* judged only when the request was seen */
	STEP_REQ_WHOLE = 2,  /* ... and its head read whole (a case that looks at the request) */
	STEP_RESP_WHOLE = 4, /* judged only when the response's head was read whole (a declarative case) */
};

struct rule_step {
	void (*check)(const struct txn *t, struct rule_out *out); /* a C check, or NULL for a case */
	const struct decl_case *dcase;
	uint64_t need_req, need_resp; /* names the step needs present (struct decl_names) */
	uint16_t rule;
	uint8_t lacks;       /* STEP_*: what the transaction must have */
};

static struct rule_step *steps;
static int nsteps, steps_cap;

/*
 * For each status code, the steps that may judge a response with it, in
 * table order and then case order (the order findings are reported in):
 * most declarative rules are about one or a few codes, and a 200 need not
 * visit those about 405.  When memory ran out building it, every rule is
 * visited as a whole (index_whole false).
 */
static struct {
	uint16_t *step;
	int n, cap;
} by_status[STATUS_CODES];
static bool index_whole;

/*
 * A status's list as a plan (rules_ready): the positions of its steps as
 * bits, those visited whatever the names in the heads (direct), and for the
 * others, which all need some name, the positions keyed by one such name's
 * bit.  A transaction visits direct, and the keyed positions of the bits
 * its heads have, in the list's order; each step is still tested whole.
 * Statuses with the same list share one plan.  A list longer than
 * PLAN_STEPS has none, and is walked step by step.
 */
#define PLAN_STEPS 256
#define PLAN_WORDS (PLAN_STEPS / 64)
struct plan {
	uint64_t direct[PLAN_WORDS];
	uint64_t keys_resp, keys_req;     /* the bits that key some position */
	uint8_t at_resp[64], at_req[64]; /* for such a bit, its positions' index in keyed */
	uint64_t (*keyed)[PLAN_WORDS];
	int nkeyed;
};
static struct plan *plan_of[STATUS_CODES];
static bool plans_ready, plans_made;
static unsigned plans_gen = 1; /* changes whenever the plans do: memos of another generation are stale */

/*
 * Which steps of a plan pass the test of what they need depends only on
 * the status, the heads' sets of names, what the transaction lacks and
 * its request's class (decl_request_class: a case about OPTIONS or
 * HTTP/1.0 requests is left out for a GET over HTTP/1.1), and most
 * transactions share these with many before them (a server
 * answers with the same fields again and again).  So each thread keeps
 * the positions that passed for the last signatures it saw, direct-mapped
 * (MEMO_SLOTS), and a transaction with a known signature runs those at
 * once, without building the plan's bits or testing each step.  Steps of
 * rules turned off are left out of it (rule_set_enabled makes every memo
 * stale): asking at each step read a line of the rule table per step,
 * about 5% of the time on a capture of small transactions.
 */
#define MEMO_SLOTS 64
struct memo {
	uint64_t req, resp;
	unsigned gen;       /* plans_gen when made; 0: empty */
	uint16_t status;
	uint8_t lack;
	uint8_t rq;         /* decl_request_class */
	uint16_t n;
	uint8_t pos[PLAN_STEPS]; /* positions in the status's list, in order */
};
static _Thread_local struct memo memos[MEMO_SLOTS];

/* Frees the plans (the lists changed, or the rules are set up anew). */
static void plans_free(void)
{
	plans_ready = false;
	plans_gen++;
	if (!plans_made)
		return;
	plans_made = false;
	for (int s = 0; s < STATUS_CODES; s++) {
		struct plan *p = plan_of[s];
		if (!p)
			continue;
		for (int k = s; k < STATUS_CODES && plan_of[k] == p; k++)
			plan_of[k] = NULL;
		free(p->keyed);
		free(p);
	}
}

/* Adds a step for rule i (check, or case c) to the lists of the codes in set. */
static void index_add(int i, void (*check)(const struct txn *, struct rule_out *), const struct decl_case *c,
		      const uint64_t set[STATUS_WORDS])
{
	plans_free();
	if (!index_whole)
		return;
	if (nsteps == steps_cap) {
		int nc = steps_cap ? steps_cap * 2 : 256;
		struct rule_step *ns = nsteps < UINT16_MAX ? realloc(steps, (size_t)nc * sizeof *ns) : NULL;
		if (!ns) {
			index_whole = false;
			return;
		}
		steps = ns;
		steps_cap = nc;
	}
	const struct rule_def *r = &rule_table[i];
	struct rule_step *st = &steps[nsteps];
	*st = (struct rule_step){ check, c, 0, 0, (uint16_t)i, 0 };
	if (c) {
		st->need_req = c->need_req;
		st->need_resp = c->need_resp;
		st->lacks = STEP_RESP_WHOLE | (decl_case_needs_request(c) ? STEP_REQ | STEP_REQ_WHOLE : 0);
	} else {
		st->need_req = r->need_req;
		st->need_resp = r->need_resp;
		st->lacks = r->needs_request ? STEP_REQ : 0;
	}
	for (int s = 0; s < STATUS_CODES; s++) {
		if (!(set[s / 64] >> (s % 64) & 1))
			continue;
		if (by_status[s].n == by_status[s].cap) {
			int nc = by_status[s].cap ? by_status[s].cap * 2 : 32;
			uint16_t *nr = realloc(by_status[s].step, (size_t)nc * sizeof *nr);
			if (!nr) {
				index_whole = false;
				return;
			}
			by_status[s].step = nr;
			by_status[s].cap = nc;
		}
		by_status[s].step[by_status[s].n++] = (uint16_t)nsteps;
	}
	nsteps++;
}

/*
 * Whether the C check of rule r may raise something on a response with
 * status s: most checks are about a few codes, and return at once for the
 * others.  This repeats the test each check starts with; a check left out
 * of a code's list is never called for it, so tests/unit/test_rules.c runs
 * every check on rich transactions of every code and fails if one left out
 * raises anything.  A rule not named here is judged for every code.
 */
static bool c_check_judges(enum rule_id r, int s)
{
	switch (r) {
	case RULE_BODY_FORBIDDEN:
		return (s >= 100 && s < 200 && s != 101) || s == 204 || s == 205 || s == 304;
	case RULE_HEAD_BODY:
		return !((s >= 100 && s < 200) || s == 204 || s == 304);
	case RULE_INVALID_STATUS:
		return s < 100 || s > 599;
	case RULE_UNREGISTERED_STATUS:
	case RULE_REASON_PHRASE_MISMATCH:
		return s >= 100 && s <= 599;
	case RULE_CLOSE_DELIMITED:
	case RULE_CLOSE_DELIMITED_WITHOUT_CLOSE:
		return s >= 200;
	case RULE_ALLOW_EXCLUDES_METHOD:
	case RULE_CONTENT_LOCATION_REDUNDANT:
	case RULE_DELETE_CONTENT_LOCATION:
		return s >= 200 && s <= 299;
	case RULE_REDIRECT_TO_SELF:
	case RULE_REDIRECT_OPTIONS_ASTERISK:
		return s >= 300 && s <= 399 && s != 304;
	case RULE_UNSOLICITED_101:
	case RULE_UPGRADE_WITHOUT_CONTINUE:
	case RULE_UPGRADE_FAILED:
		return s == 101;
	case RULE_CONDITIONAL_NOT_HONORED:
	case RULE_CONDITIONAL_IMS_NOT_HONORED:
	case RULE_CONTENT_ENCODING_INVALID:
	case RULE_CONTENT_TYPE_MISMATCH:
		return s == 200;
	case RULE_CONTENT_LENGTH_RANGE_MISMATCH:
	case RULE_PARTIAL_IF_RANGE_MISMATCH:
	case RULE_MULTIPART_BOUNDARY_INVALID:
	case RULE_MULTIPART_PART_MISSING_CONTENT_RANGE:
	case RULE_MULTIPART_PART_MISSING_CONTENT_TYPE:
		return s == 206;
	case RULE_NOT_MODIFIED_ETAG_MISMATCH:
		return s == 304;
	case RULE_ALLOW_LISTS_REJECTED_METHOD:
		return s == 405;
	case RULE_PAYLOAD_TOO_LARGE_WITHOUT_BODY:
		return s == 413;
	case RULE_UNSUPPORTED_MEDIA_TYPE_WITHOUT_BODY:
		return s == 415;
	case RULE_UPGRADE_REQUIRED_ALREADY_OFFERED:
		return s == 426;
	case RULE_VERSION_NOT_SUPPORTED_SAME_VERSION:
		return s == 505;
	default:
		return true;
	}
}

/*
 * The fields some C checks need present, lower case: each of these checks
 * looks its fields up first and finds nothing when one is missing, so the
 * engine passes it over, as it does a declarative case, when the heads'
 * set of names (struct decl_names) lacks one.  tests/unit/test_rules.c
 * runs each check with each of its fields taken out and fails if it
 * raises anything.
 */
static const struct c_need {
	enum rule_id rule;
	const char *resp[2]; /* in the response */
	const char *req;     /* in the request */
} c_needs[] = {
	{ RULE_TE_INVALID, { "transfer-encoding" }, NULL },
	{ RULE_TE_CHUNKED_TWICE, { "transfer-encoding" }, NULL },
	{ RULE_TE_UNREQUESTED, { "transfer-encoding" }, NULL },
	{ RULE_CONTENT_ENCODING_INVALID, { "content-encoding" }, NULL },
	{ RULE_CONTENT_ENCODING_UNREQUESTED, { "content-encoding" }, "accept-encoding" },
	{ RULE_CONTENT_TYPE_INVALID, { "content-type" }, NULL },
	{ RULE_CONTENT_TYPE_MISMATCH, { "content-type" }, NULL },
	{ RULE_CONTENT_LOCATION_REDUNDANT, { "content-location" }, NULL },
	{ RULE_DELETE_CONTENT_LOCATION, { "content-location" }, NULL },
	{ RULE_CONDITIONAL_NOT_HONORED, { NULL }, "if-none-match" },
	{ RULE_NOT_MODIFIED_ETAG_MISMATCH, { "etag" }, "if-none-match" },
	{ RULE_CONDITIONAL_IMS_NOT_HONORED, { "last-modified" }, "if-modified-since" },
	{ RULE_LAST_MODIFIED_AFTER_DATE, { "last-modified", "date" }, NULL },
	{ RULE_RETRY_AFTER_IMPLAUSIBLE, { "retry-after" }, NULL },
	{ RULE_ALLOW_EXCLUDES_METHOD, { "allow" }, NULL },
};

const char *rule_c_need(int rule, bool response, int k)
{
	for (size_t i = 0; i < sizeof c_needs / sizeof c_needs[0]; i++) {
		if ((int)c_needs[i].rule != rule)
			continue;
		if (!response)
			return k == 0 ? c_needs[i].req : NULL;
		return k >= 0 && k < 2 ? c_needs[i].resp[k] : NULL;
	}
	return NULL;
}

/* Sets the names C rule i needs present (need_req, need_resp) from c_needs. */
static void c_rule_needs(int i)
{
	struct rule_def *r = &rule_table[i];
	r->need_req = r->need_resp = 0;
	for (int k = 0; rule_c_need(i, true, k); k++)
		r->need_resp |= decl_name_bit(rule_c_need(i, true, k));
	if (rule_c_need(i, false, 0))
		r->need_req |= decl_name_bit(rule_c_need(i, false, 0));
}

/* Adds the steps of rule i: its check, for every code; or each of its cases, for the case's codes. */
static void index_rule(int i)
{
	const struct rule_def *d = &rule_table[i];
	uint64_t set[STATUS_WORDS];
	if (d->decl) {
		for (int k = 0; k < d->decl->ncases; k++) {
			decl_case_statuses(&d->decl->cases[k], set);
			index_add(i, NULL, &d->decl->cases[k], set);
		}
		return;
	}
	if (!d->check)
		return;
	for (int w = 0; w < STATUS_WORDS; w++)
		set[w] = 0;
	for (int s = 0; s < STATUS_CODES; s++)
		if (i >= RULE_COUNT || c_check_judges((enum rule_id)i, s))
			set[s / 64] |= (uint64_t)1 << (s % 64);
	index_add(i, d->check, NULL, set);
}

bool rule_listed(int rule, unsigned status)
{
	if (!index_whole || status >= STATUS_CODES)
		return rule >= 0 && rule < rule_count && (rule_table[rule].check || rule_table[rule].decl);
	for (int k = 0; k < by_status[status].n; k++)
		if (steps[by_status[status].step[k]].rule == rule)
			return true;
	return false;
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
	field_rules_init();
	plans_free();
	index_whole = true;
	nsteps = 0;
	for (int s = 0; s < STATUS_CODES; s++)
		by_status[s].n = 0;
	for (int i = 0; i < RULE_COUNT; i++) {
		rule_table[rule_count] = c_rules[i];
		c_rule_needs(rule_count);
		index_rule(rule_count++);
	}
	for (size_t i = 0; i < sizeof opt_in / sizeof opt_in[0]; i++) {
		rule_set_enabled(opt_in[i], false);
		rule_table[opt_in[i]].default_off = true;
	}
}

int rule_register(const struct rule_def *d)
{
	if (rule_count == RULE_MAX || rule_by_id(d->id) >= 0)
		return -1;
	rule_table[rule_count] = *d;
	plans_gen++; /* a rule more: the verdicts kept are stale (verdict.h) */
	if (d->decl)
		decl_needs(d->decl, &rule_table[rule_count].need_req, &rule_table[rule_count].need_resp);
	index_rule(rule_count);
	return rule_count++;
}

/* Findings this thread could not add to a transaction (txn_add_finding: memory, or a transaction's cap). */
static _Thread_local uint64_t findings_lost;

__attribute__((format(printf, 4, 0))) static void add_finding(struct txn *t, enum rule_id rule, enum severity sev,
								const char *fmt, va_list ap)
{
	const struct rule_def *r = &rule_table[rule];
	if (!r->enabled)
		return;
	if (r->sev_override >= 0)
		sev = (enum severity)r->sev_override;
	struct finding *f = txn_add_finding(t);
	if (!f) {
		findings_lost++;
		return;
	}
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

/* Judges t by rule i: the whole table's way, when there is no index. */
static void evaluate_one(struct txn *t, const struct decl_names *names, int i)
{
	const struct rule_def *r = &rule_table[i];
	if (!r->enabled)
		return;
	/* The rule (every case of it) needs a field the heads lack: it finds nothing. */
	if ((r->need_resp & names->resp) != r->need_resp || (r->need_req & names->req) != r->need_req)
		return;
	if (r->decl) {
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

/* The plan of list l (n steps); NULL when memory ran out. */
static struct plan *plan_make(const uint16_t *l, int n)
{
	struct plan *p = calloc(1, sizeof *p);
	if (!p || !(p->keyed = calloc(128, sizeof *p->keyed))) {
		free(p);
		return NULL;
	}
	for (int k = 0; k < n; k++) {
		const struct rule_step *st = &steps[l[k]];
		uint64_t *to = p->direct;
		if (st->need_resp || st->need_req) {
			/* Keyed by the lowest bit it needs, of the response if any. */
			bool resp = st->need_resp != 0;
			unsigned b = (unsigned)__builtin_ctzll(resp ? st->need_resp : st->need_req);
			uint64_t *keys = resp ? &p->keys_resp : &p->keys_req;
			uint8_t *at = resp ? p->at_resp : p->at_req;
			if (!(*keys >> b & 1)) {
				*keys |= (uint64_t)1 << b;
				at[b] = (uint8_t)p->nkeyed++;
			}
			to = p->keyed[at[b]];
		}
		to[k / 64] |= (uint64_t)1 << (k % 64);
	}
	if (p->nkeyed) {
		void *shrunk = realloc(p->keyed, (size_t)p->nkeyed * sizeof *p->keyed);
		if (shrunk)
			p->keyed = shrunk;
	}
	return p;
}

void rules_ready(void)
{
	plans_free();
	if (!index_whole)
		return;
	plans_made = true;
	for (int s = 0; s < STATUS_CODES; s++) {
		int n = by_status[s].n;
		if (n > PLAN_STEPS)
			continue;
		/* The same list as the code before: the same plan. */
		if (s && plan_of[s - 1] && by_status[s - 1].n == n &&
		    memcmp(by_status[s - 1].step, by_status[s].step, (size_t)n * sizeof *by_status[s].step) == 0) {
			plan_of[s] = plan_of[s - 1];
			continue;
		}
		if (!(plan_of[s] = plan_make(by_status[s].step, n))) {
			plans_free();
			return;
		}
	}
	plans_ready = true;
	plans_gen++;
}

/*
 * Whether step s is to run on t: its rule is on, and t has all it needs
 * (miss_*: the name bits t's heads lack; one test for names, the request,
 * whole heads).
 */
static inline bool step_due(const struct rule_step *s, uint64_t miss_req, uint64_t miss_resp, unsigned lack)
{
	return !((s->need_resp & miss_resp) | (s->need_req & miss_req) | (s->lacks & lack)) &&
	       rule_table[s->rule].enabled;
}

/* Judges t by step s (whose rule is enabled). */
static inline void step_run(const struct rule_step *s, struct txn *t, const struct decl_names *names,
			    struct rule_out *out)
{
	out->rule = (enum rule_id)s->rule;
	if (s->check)
		s->check(t, out);
	else
		decl_case_check(s->dcase, t, names, out);
}

/* Judges t (which has a response) by every rule that may apply to it. */
static void judge(struct txn *t)
{
	unsigned st = t->resp->status;
	struct decl_names names;
	decl_names_of(t, &names);
	if (!index_whole || st >= STATUS_CODES) {
		for (int i = 0; i < rule_count; i++)
			evaluate_one(t, &names, i);
		return;
	}
	/* What this transaction lacks, against what each step needs. */
	unsigned lack = 0;
	if (!t->req)
		lack |= STEP_REQ | STEP_REQ_WHOLE;
	else if (t->req->truncated)
		lack |= STEP_REQ_WHOLE;
	if (t->resp->truncated || (t->flags & TXN_RESP_PARTIAL))
		lack |= STEP_RESP_WHOLE;
	const uint16_t *list = by_status[st].step;
	int n = by_status[st].n;
	uint64_t miss_req = ~names.req, miss_resp = ~names.resp;
	struct rule_out out = { t, (enum rule_id)0 };
	const struct plan *p = plans_ready ? plan_of[st] : NULL;
	if (!p) {
		for (int k = 0; k < n; k++)
			if (step_due(&steps[list[k]], miss_req, miss_resp, lack))
				step_run(&steps[list[k]], t, &names, &out);
		return;
	}
	/* The positions this signature ran before, if this thread remembers them. */
	unsigned rq = decl_request_class(t);
	uint64_t sig = (uint64_t)st * 0x9e3779b97f4a7c15ull ^ names.req * 0xbf58476d1ce4e5b9ull ^
		       names.resp * 0x94d049bb133111ebull ^ (lack | rq << 3);
	struct memo *m = &memos[(sig ^ sig >> 29) % MEMO_SLOTS];
	if (m->gen != plans_gen || m->status != st || m->lack != lack || m->rq != rq || m->req != names.req ||
	    m->resp != names.resp) {
		/* The positions to visit: direct, and those keyed by a bit the heads have;
		 * of them, those whose needs the heads meet. */
		uint64_t run[PLAN_WORDS];
		memcpy(run, p->direct, sizeof run);
		for (uint64_t b = names.resp & p->keys_resp; b; b &= b - 1)
			for (int w = 0; w < PLAN_WORDS; w++)
				run[w] |= p->keyed[p->at_resp[__builtin_ctzll(b)]][w];
		for (uint64_t b = names.req & p->keys_req; b; b &= b - 1)
			for (int w = 0; w < PLAN_WORDS; w++)
				run[w] |= p->keyed[p->at_req[__builtin_ctzll(b)]][w];
		m->gen = 0;
		m->n = 0;
		for (int w = 0; w < PLAN_WORDS; w++) {
			for (uint64_t b = run[w]; b; b &= b - 1) {
				int k = w * 64 + __builtin_ctzll(b);
				const struct rule_step *s = &steps[list[k]];
				if (step_due(s, miss_req, miss_resp, lack) &&
				    !(s->dcase && !decl_case_request_may_apply(s->dcase, rq)))
					m->pos[m->n++] = (uint8_t)k;
			}
		}
		m->req = names.req;
		m->resp = names.resp;
		m->status = (uint16_t)st;
		m->lack = (uint8_t)lack;
		m->rq = (uint8_t)rq;
		m->gen = plans_gen;
	}
	for (int i = 0; i < m->n; i++)
		step_run(&steps[list[m->pos[i]]], t, &names, &out);
}

void rules_evaluate(struct txn *t)
{
	/* A transaction with no response has nothing to judge. */
	if (!t->resp)
		return;
	/* The same inputs as a transaction judged before: its findings (verdict.h). */
	struct verdict_pending vp;
	if (verdict_replay(t, plans_gen, &vp))
		return;
	uint64_t lost = findings_lost;
	judge(t);
	verdict_keep(&vp, t, findings_lost == lost);
}

void rule_set_enabled(int i, bool on)
{
	rule_table[i].enabled = on;
	plans_gen++;
}

void rule_set_severity(int i, int sev)
{
	rule_table[i].sev_override = sev;
	plans_gen++; /* the verdicts kept carry the severity (verdict.h) */
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
