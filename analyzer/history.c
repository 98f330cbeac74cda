/* history.c: what earlier transactions showed, for the rules that compare transactions. */
#include "history.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fieldval.h"
#include "redirects.h"
#include "rule.h"
#include "txn.h"
#include "uthash.h"
#include "utlist.h"

/* The fields whose presence is compared between responses. */
static const char *const tracked[] = { "Content-Location", "Date",          "ETag",         "Vary",
				       "Cache-Control",    "Expires",       "Content-Type", "Last-Modified",
				       "Content-Encoding", "Content-Language" };
enum {
	F_CONTENT_LOCATION = 1 << 0,
	F_DATE = 1 << 1,
	F_ETAG = 1 << 2,
	F_VARY = 1 << 3,
	F_CACHE_CONTROL = 1 << 4,
	F_EXPIRES = 1 << 5,
	F_CONTENT_TYPE = 1 << 6,
	F_LAST_MODIFIED = 1 << 7,
	F_CONTENT_ENCODING = 1 << 8,
	F_CONTENT_LANGUAGE = 1 << 9,
};
#define NTRACKED (sizeof tracked / sizeof tracked[0])

/*
 * What one 200 showed: which fields, its validators, its coding and length.
 * Values are kept as 64-bit hashes (0: the field is absent), so an entry
 * stays small: equal hashes stand for equal values.
 */
struct shown {
	bool set;
	bool strong;    /* the ETag is a strong one */
	uint16_t fields;
	uint64_t etag, lm, ce;
	int64_t length; /* content bytes, or Content-Length for HEAD; -1 unknown */
};

struct hist_entry {
	uint64_t key;               /* a 64-bit hash of "R url", "S host" or "C client url" */
	UT_hash_handle hh;
	struct hist_entry *older, *newer;
	/* A resource ("R url"). */
	struct shown get, head;
	time_t lm_t;                /* the latest Last-Modified seen */
	char allow[128];            /* the last Allow, normalised; "" none */
	uint64_t ok_methods;        /* methods answered 2xx, by llhttp method number */
	bool named;                 /* a 201 or redirect named this URL */
	/* A server ("S host"): methods it answered other than 405 or 501. */
	uint64_t handled;
	/* A client and a URL ("C client url"). */
	int auth_401s;
	int64_t retry_from_us;      /* when the response that set it was seen */
	int64_t retry_at_us;        /* capture time before which a retry is early; 0 none */
	int retry_status;
};

void hist_init(struct history *h, uint32_t max)
{
	memset(h, 0, sizeof *h);
	h->max = max ? max : 1;
}

static void entry_free(struct history *h, struct hist_entry *e)
{
	HASH_DELETE(hh, h->hash, e);
	DL_DELETE2(h->oldest, e, older, newer);
	free(e);
	h->count--;
}

void hist_free(struct history *h)
{
	while (h->oldest)
		entry_free(h, h->oldest);
}

/*
 * The entry for key, made when create is set; most recently used last.
 * Entries are found by a 64-bit hash of the key (FNV-1a): with at most
 * --max-history entries, two keys sharing one is vanishingly rare.
 */
static struct hist_entry *entry(struct history *h, const char *key, bool create)
{
	uint64_t k = 14695981039346656037ull;
	for (const unsigned char *p = (const unsigned char *)key; *p; p++)
		k = (k ^ *p) * 1099511628211ull;
	struct hist_entry *e;
	HASH_FIND(hh, h->hash, &k, sizeof k, e);
	if (e) {
		DL_DELETE2(h->oldest, e, older, newer);
		DL_APPEND2(h->oldest, e, older, newer);
		return e;
	}
	if (!create)
		return NULL;
	if (h->count >= h->max) {
		entry_free(h, h->oldest);
		h->evicted++;
	}
	e = calloc(1, sizeof *e);
	if (!e)
		return NULL;
	e->key = k;
	HASH_ADD(hh, h->hash, key, sizeof e->key, e);
	DL_APPEND2(h->oldest, e, older, newer);
	h->count++;
	return e;
}

/* A 64-bit hash of the first name field's value; 0 when there is none. */
static uint64_t value_hash(const struct http_head *hd, const char *name)
{
	const struct hfield *f = head_field(hd, name);
	if (!f)
		return 0;
	uint64_t k = 14695981039346656037ull;
	const unsigned char *p = (const unsigned char *)head_str(hd, f->value);
	for (uint32_t i = 0; i < f->value.len; i++)
		k = (k ^ p[i]) * 1099511628211ull;
	return k | 1; /* never 0 */
}

static int64_t content_length(const struct http_head *hd)
{
	const struct hfield *f = head_field(hd, "Content-Length");
	if (!f || !f->value.len || f->value.len > 18)
		return -1;
	int64_t v = 0;
	const char *p = head_str(hd, f->value);
	for (uint32_t i = 0; i < f->value.len; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	return v;
}

/* What t's response shows; length is its content when read whole (GET), or its Content-Length (HEAD). */
static void shown_of(const struct txn *t, bool head, struct shown *s)
{
	const struct http_head *r = t->resp;
	memset(s, 0, sizeof *s);
	s->set = true;
	for (size_t i = 0; i < NTRACKED; i++)
		if (head_field(r, tracked[i]))
			s->fields |= (uint16_t)(1u << i);
	s->etag = value_hash(r, "ETag");
	const struct hfield *et = s->etag ? head_field(r, "ETag") : NULL;
	s->strong = et && et->value.len && head_str(r, et->value)[0] == '"';
	s->lm = value_hash(r, "Last-Modified");
	s->ce = value_hash(r, "Content-Encoding");
	if (head)
		s->length = content_length(r);
	else
		s->length = (t->flags & (TXN_RESP_DONE | TXN_RESP_CUT | TXN_STRAY_CONTENT)) == TXN_RESP_DONE
				    ? (int64_t)t->resp_body
				    : -1;
}

/* Whether two responses are of the same representation: equal ETags, or equal Last-Modified without ETags. */
static bool same_representation(const struct shown *a, const struct shown *b)
{
	if (a->etag || b->etag)
		return a->etag == b->etag;
	return a->lm && a->lm == b->lm;
}

/* The first field in mask that was in had and is not in has; NULL if none. */
static const char *lacking(uint16_t had, uint16_t has, uint16_t mask)
{
	for (size_t i = 0; i < NTRACKED; i++)
		if ((mask & (1u << i)) && (had & (1u << i)) && !(has & (1u << i)))
			return tracked[i];
	return NULL;
}

#define RAISE(t, r, ...) rule_raise(t, r, rule_table[r].sev, __VA_ARGS__)

/* RFC 9110 §15.4.5: a 304 repeats these (Date has its own rule, missing-date). */
#define NOT_MODIFIED_FIELDS (F_CONTENT_LOCATION | F_ETAG | F_VARY | F_CACHE_CONTROL | F_EXPIRES)
/* RFC 9110 §15.3.7: and so does a 206. */
#define PARTIAL_FIELDS (F_CONTENT_LOCATION | F_ETAG | F_VARY | F_CACHE_CONTROL | F_EXPIRES)
/* RFC 9110 §9.3.2: HEAD sends the fields GET would (Content-Length aside). */
#define HEAD_FIELDS \
	(F_CONTENT_TYPE | F_ETAG | F_LAST_MODIFIED | F_CACHE_CONTROL | F_VARY | F_CONTENT_ENCODING | F_CONTENT_LANGUAGE)

static void judge_resource(struct hist_entry *e, struct txn *t, bool get, bool head, int st)
{
	struct shown now;
	if ((get || head) && (st == 304 || st == 206) && e->get.set) {
		shown_of(t, true, &now);
		/* Another representation (its ETag differs): nothing to compare. */
		if (now.etag && e->get.etag && now.etag != e->get.etag)
			return;
		const char *miss = lacking(e->get.fields, now.fields, st == 304 ? NOT_MODIFIED_FIELDS : PARTIAL_FIELDS);
		if (miss && st == 304)
			RAISE(t, RULE_NOT_MODIFIED_METADATA_MISMATCH, "304 lacks %s, which the 200 for the same URL sent", miss);
		else if (miss)
			RAISE(t, RULE_PARTIAL_METADATA_MISMATCH, "206 lacks %s, which the 200 for the same URL sent", miss);
		if (st == 304 && now.length >= 0 && e->get.length >= 0 && now.ce == e->get.ce &&
		    now.length != e->get.length)
			RAISE(t, RULE_NOT_MODIFIED_LENGTH_MISMATCH,
			      "304 says Content-Length %" PRId64 "; the 200 for the same URL had %" PRId64 " bytes", now.length,
			      e->get.length);
		return;
	}
	if (st != 200 || !(get || head))
		return;
	shown_of(t, head, &now);
	struct shown *other = head ? &e->get : &e->head;
	if (other->set && same_representation(&now, other)) {
		const struct shown *g = head ? other : &now, *h = head ? &now : other;
		if (g->length >= 0 && h->length >= 0 && g->length != h->length && g->ce == h->ce)
			RAISE(t, RULE_HEAD_GET_LENGTH_MISMATCH,
			      "HEAD says Content-Length %" PRId64 "; GET for the same URL sent %" PRId64 " bytes", h->length,
			      g->length);
		const char *miss = lacking(g->fields, h->fields, HEAD_FIELDS);
		if (miss)
			RAISE(t, RULE_HEAD_GET_HEADER_MISMATCH, "the response to HEAD lacks %s, which GET for the same URL sent",
			      miss);
	}
	if (get) {
		if (e->get.set && now.strong && now.etag == e->get.etag && now.ce == e->get.ce &&
		    now.length >= 0 && e->get.length >= 0 && now.length != e->get.length)
			RAISE(t, RULE_STRONG_ETAG_REUSED,
			      "strong ETag %.*s came with %" PRId64 " bytes before and %" PRId64 " now",
			      (int)(head_field(t->resp, "ETag")->value.len > 40 ? 40 : head_field(t->resp, "ETag")->value.len),
			      head_str(t->resp, head_field(t->resp, "ETag")->value), e->get.length, now.length);
		time_t lm;
		if (field_date(t->resp, "Last-Modified", &lm)) {
			if (e->lm_t && lm < e->lm_t)
				RAISE(t, RULE_VALIDATOR_REGRESSION,
				      "Last-Modified went back %lld s from the one sent before for the same URL",
				      (long long)(e->lm_t - lm));
			if (lm > e->lm_t)
				e->lm_t = lm;
		}
		e->get = now;
	} else {
		e->head = now;
	}
}

/* The Allow value as sorted, comma-joined tokens, so that order and spacing do not count. */
static void allow_norm(const struct http_head *r, char *out, size_t n)
{
	char tok[32][24];
	int k = 0;
	for (uint32_t i = 0; i < r->nfields; i++) {
		if (!field_is(r, &r->fields[i], "Allow"))
			continue;
		const char *v = head_str(r, r->fields[i].value);
		uint32_t x = 0, st, l;
		while (k < 32 && list_next(v, r->fields[i].value.len, &x, &st, &l))
			snprintf(tok[k++], sizeof tok[0], "%.*s", (int)l, v + st);
	}
	qsort(tok, (size_t)k, sizeof tok[0], (int (*)(const void *, const void *))strcmp);
	size_t o = 0;
	out[0] = 0;
	for (int i = 0; i < k; i++) {
		if (i && strcmp(tok[i], tok[i - 1]) == 0)
			continue;
		int w = snprintf(out + o, n - o, "%s%s", o ? "," : "", tok[i]);
		if (w < 0 || (size_t)w >= n - o)
			break;
		o += (size_t)w;
	}
}

void hist_observe(struct history *h, const char *client_ip, struct txn *t)
{
	char url[1024], key[1200];
	if (!t->req || !t->resp || !heads_whole(t) || (t->flags & (TXN_INTERIM | TXN_RESP_MALFORMED)) ||
	    !redir_request_url(t, url, sizeof url))
		return;
	int st = t->resp->status;
	uint8_t meth = t->req->method;
	bool get = method_is(t, "GET"), head = method_is(t, "HEAD");
	char m[24];
	method_of(t, m, sizeof m);

	snprintf(key, sizeof key, "R %s", url);
	struct hist_entry *e = entry(h, key, true);
	if (e) {
		judge_resource(e, t, get, head, st);
		/* allow-inconsistent: the same resource, another Allow. */
		if (head_field(t->resp, "Allow")) {
			char now[sizeof e->allow];
			allow_norm(t->resp, now, sizeof now);
			if (e->allow[0] && strcmp(now, e->allow) != 0)
				RAISE(t, RULE_ALLOW_INCONSISTENT, "Allow is now \"%s\"; earlier this URL allowed \"%s\"", now,
				      e->allow);
			memcpy(e->allow, now, sizeof now);
		}
		/* allow-vs-observed: refused a method it served before. */
		if (meth < 64) {
			if (st == 405 && (e->ok_methods & (1ull << meth)))
				RAISE(t, RULE_ALLOW_VS_OBSERVED, "405 refuses %s, which this URL answered with a 2xx before", m);
			if (st >= 200 && st <= 299)
				e->ok_methods |= 1ull << meth;
		}
		/* location-dangling: a URL a 201 or redirect named now is gone;
		 * unless a DELETE removed it since, which is no dangling. */
		if (method_is(t, "DELETE") && st >= 200 && st <= 299)
			e->named = false;
		if ((st == 404 || st == 410) && e->named) {
			e->named = false;
			RAISE(t, RULE_LOCATION_DANGLING, "an earlier 201 or redirect named this URL, which now answers %d", st);
		}
	}

	/* location-dangling: remember where a 201 or redirect points. */
	const struct hfield *loc = head_field(t->resp, "Location");
	if (loc && (st == 201 || (st >= 300 && st <= 399 && st != 304))) {
		char target[1024];
		if (redir_resolve(url, head_str(t->resp, loc->value), loc->value.len, target, sizeof target)) {
			snprintf(key, sizeof key, "R %s", target);
			struct hist_entry *te = entry(h, key, true);
			if (te)
				te->named = true;
		}
	}

	/* not-implemented-vs-not-allowed: the server handles the method elsewhere. */
	uint32_t hl;
	const char *host = txn_host(t, &hl);
	if (host && hl && meth < 64) {
		/* Host names compare without case (RFC 9110 §4.2.3). */
		int kl = snprintf(key, sizeof key, "S %.*s", (int)(hl > 256 ? 256 : hl), host);
		for (int i = 2; i < kl && i < (int)sizeof key; i++)
			key[i] = (char)tolower((unsigned char)key[i]);
		struct hist_entry *se = entry(h, key, true);
		if (se) {
			if (st == 501 && (se->handled & (1ull << meth)))
				RAISE(t, RULE_NOT_IMPLEMENTED_VS_NOT_ALLOWED,
				      "501 says %s is not implemented, but this server answered %s elsewhere", m, m);
			else if (st >= 200 && st <= 399)
				se->handled |= 1ull << meth;
		}
	}

	/* A client's retries of the same URL: entries are made at a 401, 429,
	 * 503 or 413 only, so until one came there is nothing to look up. */
	bool make = st == 401 || st == 429 || st == 503 || st == 413;
	if (!make && !h->clients_made)
		return;
	snprintf(key, sizeof key, "C %s %s", client_ip, url);
	struct hist_entry *ce = entry(h, key, make);
	if (!ce)
		return;
	if (make && !ce->retry_from_us && !ce->auth_401s && !ce->retry_at_us)
		h->clients_made++;
	int64_t req_us = (int64_t)t->req_ts.tv_sec * 1000000 + t->req_ts.tv_usec;
	/* A request sent before the response that asked for the wait
	 * (pipelined behind it) could not have known. */
	if (ce->retry_at_us && req_us >= ce->retry_from_us && req_us < ce->retry_at_us) {
		RAISE(t, RULE_RETRY_AFTER_IGNORED, "the client asked again %.1f s before the Retry-After of the earlier %d allowed",
		      (double)(ce->retry_at_us - req_us) / 1e6, ce->retry_status);
	}
	ce->retry_at_us = 0;
	const struct hfield *ra = head_field(t->resp, "Retry-After");
	if (ra && (st == 429 || st == 503 || st == 413)) {
		const char *v = head_str(t->resp, ra->value);
		int64_t delay = -1;
		time_t when, date;
		if (imf_fixdate(v, ra->value.len, &when)) {
			if (field_date(t->resp, "Date", &date))
				delay = (int64_t)(when - date);
		} else if (ra->value.len && ra->value.len < 10) {
			delay = 0;
			for (uint32_t i = 0; i < ra->value.len && delay >= 0; i++)
				delay = v[i] >= '0' && v[i] <= '9' ? delay * 10 + (v[i] - '0') : -1;
		}
		if (delay > 0) {
			ce->retry_from_us = (int64_t)t->resp_ts.tv_sec * 1000000 + t->resp_ts.tv_usec;
			ce->retry_at_us = ce->retry_from_us + delay * 1000000;
			ce->retry_status = st;
		}
	}
	if (st == 401 && head_field(t->req, "Authorization")) {
		if (++ce->auth_401s == 3)
			RAISE(t, RULE_AUTH_RETRY_LOOP, "third 401 in a row for this URL to a request with credentials");
	} else {
		ce->auth_401s = 0;
	}
}
