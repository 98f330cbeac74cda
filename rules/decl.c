/* decl.c: judging a transaction by declarative rules. */
#include "decl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "head.h"
#include "txn.h"

/*
 * regexec's answers for the values it was last asked about, on this
 * thread.  A server sends the same Cache-Control, Vary or Connection on
 * response after response, and glibc's regexec takes thousands of
 * instructions a call (more with REG_ICASE), where the memo takes one
 * hash and one comparison of the bytes.  A slot holds the whole value (up
 * to MEMO_VALUE bytes; longer ones always go to regexec), so an answer is
 * only ever regexec's for those very bytes.  MEMO_WAYS slots a set, the
 * set chosen by the value's hash and the condition's number (given in the
 * order the rules were read, so that which values share a set is the
 * same from run to run), the oldest slot of a set taken for a new value:
 * a few conditions asking about the same few values keep their answers.
 * Per thread, so that workers share nothing; slots start empty (c NULL).
 * 64 KiB a thread, whatever the capture.
 */
#define MEMO_SETS 128
#define MEMO_WAYS 4
#define MEMO_VALUE 116
struct re_memo {
	const struct hcond *c;
	uint32_t hash;
	uint16_t len;
	bool match;
	char v[MEMO_VALUE];
};
static _Thread_local struct re_memo re_memo[MEMO_SETS][MEMO_WAYS];
static _Thread_local uint8_t re_memo_next[MEMO_SETS]; /* each set's oldest slot */
static _Thread_local struct decl_memo_stats memo_stats;

void decl_memo_stats(struct decl_memo_stats *s)
{
	*s = memo_stats;
}

static bool regexec_value(const struct hcond *c, const char *p, uint32_t n);

/*
 * A value's hash for the memo: its length and its first and last eight
 * bytes (all of it when shorter).  Only a filter, the bytes are compared
 * after, so it need only tell apart the values a server sends in turn,
 * which differ at their ends ("max-age=60" and "max-age=3600") if not in
 * their length.
 */
static uint32_t memo_hash(const char *p, uint32_t n)
{
	uint64_t a = 0, b = 0;
	if (n >= 8) {
		memcpy(&a, p, 8);
		memcpy(&b, p + n - 8, 8);
	} else {
		for (uint32_t i = 0; i < n; i++)
			a = a << 8 | (unsigned char)p[i];
	}
	uint64_t h = (a * 0x9e3779b97f4a7c15ull ^ b) * 0xbf58476d1ce4e5b9ull ^ n;
	return (uint32_t)(h ^ h >> 29 ^ h >> 47);
}

/* Whether the value p[0..n) matches c's pattern. */
static bool value_matches(const struct hcond *c, const char *p, uint32_t n)
{
	/* regcomp's patterns read C strings: a value ends at its first NUL
	 * byte, as it did when values were copied out to be matched. */
	const char *nul = memchr(p, 0, n);
	if (nul)
		n = (uint32_t)(nul - p);
	if (c->fast)
		return c->fast(p, n);
	if (n > MEMO_VALUE) {
		memo_stats.long_values++;
		return regexec_value(c, p, n);
	}
	uint32_t h = memo_hash(p, n);
	uint32_t set = (h ^ c->seq * 0x9e3779b1u) % MEMO_SETS;
	struct re_memo *m = re_memo[set];
	for (int w = 0; w < MEMO_WAYS; w++)
		if (m[w].c == c && m[w].hash == h && m[w].len == n && memcmp(m[w].v, p, n) == 0) {
			memo_stats.hits++;
			return m[w].match;
		}
	memo_stats.misses++;
	bool ok = regexec_value(c, p, n);
	m += re_memo_next[set];
	re_memo_next[set] = (uint8_t)((re_memo_next[set] + 1) % MEMO_WAYS);
	m->c = c;
	m->hash = h;
	m->len = (uint16_t)n;
	m->match = ok;
	memcpy(m->v, p, n);
	return ok;
}

/* regexec on the value p[0..n), which holds no NUL byte. */
static bool regexec_value(const struct hcond *c, const char *p, uint32_t n)
{
	/*
	 * regexec wants a C string.  The copy is on the stack, or for a long
	 * value on the heap, never in a buffer shared between calls (the rules
	 * are to run on several threads).  glibc's REG_STARTEND would match in
	 * place, but the sanitizers' regexec runs strlen on the string all the
	 * same and reads past the value.
	 */
	char small[512];
	char *v = n < sizeof small ? small : malloc((size_t)n + 1);
	if (!v)
		return false;
	memcpy(v, p, n);
	v[n] = 0;
	bool ok = regexec(&c->re, v, 0, NULL, 0) == 0;
	if (v != small)
		free(v);
	return ok;
}

/*
 * Whether the fields of h satisfy c; names is h's set of name bits
 * (struct decl_names).  The answer depends on whether a field has the
 * name and whether one's value matches, so the scan stops once it is
 * settled, and a name whose bit is not in the set is not looked for.
 */
static bool hcond_holds(const struct hcond *c, const struct http_head *h, uint64_t names)
{
	size_t nl = c->nlen;
	bool present = false, matched = false;
	if (names & head_name_bit(c->hash)) {
		for (uint32_t i = 0; i < h->nfields; i++) {
			const struct hfield *f = &h->fields[i];
			if (f->hash != c->hash || !head_field_named(h, f, c->name, nl))
				continue;
			present = true;
			if (!c->has_re)
				break;
			if (value_matches(c, head_str(h, f->value), f->value.len)) {
				matched = true;
				break;
			}
		}
	}
	switch (c->kind) {
	case HC_PRESENT:
		return present;
	case HC_ABSENT:
		return !present;
	case HC_MATCH:
		return matched;
	case HC_NOT_MATCH:
		return !matched;
	}
	return false;
}

bool decl_case_needs_request(const struct decl_case *c)
{
	return (c->nmethods && !c->unless_methods) || c->version || c->nreq_when;
}

static bool status_in(const struct status_range *r, int n, int st)
{
	for (int i = 0; i < n; i++)
		if (st >= r[i].lo && st <= r[i].hi)
			return true;
	return false;
}

void decl_case_statuses(const struct decl_case *c, uint64_t set[STATUS_WORDS])
{
	for (int w = 0; w < STATUS_WORDS; w++)
		set[w] = 0;
	/* The same test as status_applies. */
	for (int s = 0; s < STATUS_CODES; s++)
		if ((!c->nstatus || status_in(c->status, c->nstatus, s)) &&
		    !(c->nnot_status && status_in(c->not_status, c->nnot_status, s)))
			set[s / 64] |= (uint64_t)1 << (s % 64);
}

void decl_statuses(const struct decl_rule *r, uint64_t set[STATUS_WORDS])
{
	for (int w = 0; w < STATUS_WORDS; w++)
		set[w] = 0;
	for (int i = 0; i < r->ncases; i++) {
		uint64_t one[STATUS_WORDS];
		decl_case_statuses(&r->cases[i], one);
		for (int w = 0; w < STATUS_WORDS; w++)
			set[w] |= one[w];
	}
}

static bool status_applies(const struct decl_case *c, int st)
{
	if (c->nstatus && !status_in(c->status, c->nstatus, st))
		return false;
	if (c->nnot_status && status_in(c->not_status, c->nnot_status, st))
		return false;
	return true;
}

/* Whether the C string m is the n bytes at p (which may hold a NUL), without measuring m first. */
static bool method_eq(const char *m, const char *p, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		if (!m[i] || m[i] != p[i])
			return false;
	return m[n] == 0;
}

/* The methods decl_request_class knows, most common first; a class is 1 + the index. */
static const char *const class_methods[] = { "GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "TRACE", "CONNECT", "PATCH" };
#define CLASS_METHODS (sizeof class_methods / sizeof class_methods[0])

unsigned decl_request_class(const struct txn *t)
{
	const struct http_head *q = t->req;
	if (!q || q->truncated)
		return 0;
	unsigned m = 0;
	for (unsigned i = 0; i < CLASS_METHODS && !m; i++)
		if (method_eq(class_methods[i], head_str(q, q->method_s), q->method_s.len))
			m = i + 1;
	unsigned v = q->major != 1 ? 3 : q->minor == 0 ? 1 : q->minor == 1 ? 2 : 3;
	return m << 2 | v;
}

bool decl_case_request_may_apply(const struct decl_case *c, unsigned rc)
{
	if (!rc)
		return true;
	unsigned m = rc >> 2, v = rc & 3;
	if (c->nmethods && m) {
		bool in = false;
		for (int i = 0; i < c->nmethods && !in; i++)
			in = strcmp(c->methods[i], class_methods[m - 1]) == 0;
		if (in == c->not_methods)
			return false;
	}
	/* version is "1.0" or "1.1", as in case_applies. */
	if (c->version && (v == 3 || (unsigned)(c->version[2] - '0') != v - 1))
		return false;
	return true;
}

/* Whether c applies to t, its status aside (status_applies). */
static bool case_applies(const struct decl_case *c, const struct txn *t, const struct decl_names *names)
{
	/* Without the request, or with its head cut at a cap (the field
	 * looked for may be in the lost part), request conditions are unknown. */
	if (decl_case_needs_request(c) && (!t->req || t->req->truncated))
		return false;
	if (c->nmethods && t->req) {
		/* unless-method: a request not captured, or whose method was
		 * not read, is not known to use one of them. */
		bool in = false;
		const struct http_head *q = t->req;
		for (int i = 0; i < c->nmethods && !in; i++)
			in = method_eq(c->methods[i], head_str(q, q->method_s), q->method_s.len);
		if (in == c->not_methods)
			return false;
	}
	/* version is "1.0" or "1.1" (rules_file.c checks it). */
	if (c->version && (t->req->major != c->version[0] - '0' || t->req->minor != c->version[2] - '0'))
		return false;
	for (int i = 0; i < c->nreq_when; i++)
		if (!hcond_holds(&c->req_when[i], t->req, names->req))
			return false;
	for (int i = 0; i < c->nresp_when; i++)
		if (!hcond_holds(&c->resp_when[i], t->resp, names->resp))
			return false;
	if (c->body >= 0 || c->body_min >= 0 || c->body_max >= 0) {
		/* A body not seen whole is not judged by its size. */
		if (t->flags & TXN_RESP_CUT)
			return false;
		uint64_t n = t->resp_body;
		if (c->body >= 0 && (n > 0) != (c->body == 1))
			return false;
		if (c->body_min >= 0 && n < (uint64_t)c->body_min)
			return false;
		if (c->body_max >= 0 && n > (uint64_t)c->body_max)
			return false;
	}
	return true;
}

/* The message with {status} and {method} filled in. */
static void fill(char *out, size_t n, const char *msg, const struct txn *t)
{
	size_t o = 0;
	for (const char *p = msg; *p && o + 1 < n; p++) {
		if (strncmp(p, "{status}", 8) == 0) {
			o += (size_t)snprintf(out + o, n - o, "%u", t->resp->status);
			p += 7;
		} else if (strncmp(p, "{method}", 8) == 0 && t->req) {
			uint32_t l = t->req->method_s.len;
			if (l > n - o - 1)
				l = (uint32_t)(n - o - 1);
			memcpy(out + o, head_str(t->req, t->req->method_s), l);
			o += l;
			p += 7;
		} else {
			out[o++] = *p;
		}
		if (o >= n)
			o = n - 1;
	}
	out[o] = 0;
}

void decl_names_of(const struct txn *t, struct decl_names *n)
{
	n->req = t->req ? t->req->names : 0;
	n->resp = t->resp ? t->resp->names : 0;
}

uint64_t decl_name_bit(const char *name)
{
	return head_name_bit(head_name_hash(name, strlen(name)));
}

/* The names conditions need present: "present" and /pattern/ hold only when a field has the name. */
static uint64_t needed(const struct hcond *h, int n)
{
	uint64_t set = 0;
	for (int i = 0; i < n; i++)
		if (h[i].kind == HC_PRESENT || h[i].kind == HC_MATCH)
			set |= head_name_bit(h[i].hash);
	return set;
}

void decl_case_finish(struct decl_case *c)
{
	c->need_req = needed(c->req_when, c->nreq_when);
	c->need_resp = needed(c->resp_when, c->nresp_when);
}

void decl_needs(const struct decl_rule *r, uint64_t *req, uint64_t *resp)
{
	*req = *resp = r->ncases ? ~(uint64_t)0 : 0;
	for (int i = 0; i < r->ncases; i++) {
		*req &= r->cases[i].need_req;
		*resp &= r->cases[i].need_resp;
	}
}

/* Judges t by c, whose status and needed names were found in t (status_applies, need_*). */
static void judge_case(const struct decl_case *c, const struct txn *t, const struct decl_names *names,
		       struct rule_out *out)
{
	if (!case_applies(c, t, names))
		return;
	/* A case with no requirement: the situation itself is wrong. */
	bool broken = c->nrequire == 0;
	for (int k = 0; k < c->nrequire && !broken; k++)
		broken = !hcond_holds(&c->require[k], t->resp, names->resp);
	if (broken) {
		char msg[FINDING_MSG_MAX];
		fill(msg, sizeof msg, c->message, t);
		rule_report(out, c->sev, "%s", msg);
	}
}

void decl_check(const struct decl_rule *r, const struct txn *t, const struct decl_names *names,
		struct rule_out *out)
{
	/* A head not read whole may have lost the field a rule looks for. */
	if (!t->resp || t->resp->truncated || (t->flags & TXN_RESP_PARTIAL))
		return;
	for (int i = 0; i < r->ncases; i++) {
		const struct decl_case *c = &r->cases[i];
		if ((c->need_resp & names->resp) != c->need_resp || (c->need_req & names->req) != c->need_req)
			continue;
		if (status_applies(c, t->resp->status))
			judge_case(c, t, names, out);
	}
}

void decl_case_check(const struct decl_case *c, const struct txn *t, const struct decl_names *names,
		     struct rule_out *out)
{
	judge_case(c, t, names, out);
}

static void hconds_free(struct hcond *h, int n)
{
	for (int i = 0; i < n; i++) {
		free(h[i].name);
		if (h[i].has_re)
			regfree(&h[i].re);
	}
	free(h);
}

void decl_case_free(struct decl_case *c)
{
	free(c->message);
	free(c->status);
	free(c->not_status);
	for (int i = 0; i < c->nmethods; i++)
		free(c->methods[i]);
	free(c->methods);
	free(c->version);
	hconds_free(c->req_when, c->nreq_when);
	hconds_free(c->resp_when, c->nresp_when);
	hconds_free(c->require, c->nrequire);
	memset(c, 0, sizeof *c);
}
