/* test_history.c: the history's cap forgets by CLOCK, checked against a plain model of it; URL keys; judging from facts. */
#include "wl_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "endpoint.h"
#include "history.h"
#include "llhttp.h"
#include "rule.h"
#include "rules_file.h"
#include "txn.h"

/*
 * The model: CLOCK over a plain array, as history.c describes it: a use
 * sets the entry's bit; at the cap, a hand goes round clearing set bits
 * and takes the first entry whose bit is clear.  Each entry also records
 * whether a 200 was seen for it since it was (last) made.  Every
 * transaction uses its URL's entry, then its server's ("S host"), as
 * hist_observe does.
 */
#define MODEL_MAX 256
struct model {
	char key[MODEL_MAX][64];
	bool ok[MODEL_MAX], used[MODEL_MAX];
	int n, max, hand;
	uint64_t evicted;
};

/* Uses key, making it (and forgetting the hand's pick at the cap) when absent; returns its slot. */
static int model_use(struct model *m, const char *key)
{
	for (int i = 0; i < m->n; i++) {
		if (strcmp(m->key[i], key) == 0) {
			m->used[i] = true;
			return i;
		}
	}
	int at;
	if (m->n < m->max) {
		at = m->n++;
	} else {
		for (;;) {
			if (m->hand >= m->n)
				m->hand = 0;
			if (!m->used[m->hand])
				break;
			m->used[m->hand++] = false;
		}
		at = m->hand++;
		m->evicted++;
	}
	snprintf(m->key[at], sizeof m->key[at], "%s", key);
	m->ok[at] = m->used[at] = false;
	return at;
}

/* The slot model_use would take next for a new key without changing the model, and how many entries the hand passes to get there; -1 below the cap. */
static int model_next(const struct model *m, int *passed)
{
	if (m->n < m->max)
		return -1;
	int hand = m->hand >= m->n ? 0 : m->hand;
	for (*passed = 0; *passed < m->n; (*passed)++) {
		int at = (hand + *passed) % m->n;
		if (!m->used[at])
			return at;
	}
	return hand; /* every one used: each cleared, and the hand back where it started */
}

static int findings_of(const struct txn *t, enum rule_id r)
{
	int n = 0;
	for (unsigned i = 0; i < t->nfindings; i++)
		n += t->findings[i].rule == r;
	return n;
}

/*
 * The CLOCK model, with each request's url_key worked out as it is read
 * (keyed) or left to hist_observe.  URLs at random; or, with sweep, one
 * server's URLs filling the table, each used again (every bit set), then
 * new ones, so that the hand goes round clearing whole words of bits,
 * then the first ones again, the last made first.
 */
static void clock_against_model(bool keyed, bool sweep)
{
	/* 64 and more: the hand passes whole words of used bits at once. */
	static const uint32_t caps[] = { 1, 2, 3, 5, 17, 64, 130, 200 };
	static const char *const ok_fields[] = { "ETag", "\"e\"", "Vary", "Accept", "Content-Length", "0", NULL };
	static const char *const nm_fields[] = { "ETag", "\"e\"", NULL };
	uint32_t seed = 12345;
	for (size_t c = 0; c < sizeof caps / sizeof caps[0]; c++) {
		if (sweep && caps[c] < 2)
			continue;
		struct history h;
		struct model m = { .max = (int)caps[c] };
		hist_init(&h, caps[c]);
		/* More URLs than room, so entries come and go. */
		int urls = (int)caps[c] * 2 + 3;
		int fill = (int)caps[c] - 1; /* the server's entry, and these */
		int fresh = fill / 2 + 1; /* new URLs: fewer than the table holds, so which go is seen */
		for (int op = 0; op < (sweep ? 3 * fill + fresh : 20000); op++) {
			seed = seed * 1103515245u + 12345u;
			int u = (int)((seed >> 8) % (uint32_t)urls), host = (int)((seed >> 4) % 3u);
			bool ok = (seed >> 20) & 1;
			if (sweep) {
				/* Fill, use again, some new URLs, then the first ones
				 * again from the last made (ahead of the hand): which were
				 * forgotten shows in the 304s' findings. */
				u = op < 2 * fill ? op % fill : op < 2 * fill + fresh ? op - fill : 3 * fill + fresh - 1 - op;
				host = 0;
			}
			char uri[32], hostname[32], rkey[64], skey[64];
			snprintf(uri, sizeof uri, "/u%d", u);
			snprintf(hostname, sizeof hostname, "H%d.Test", host);
			const char *req_fields[] = { "Host", hostname, NULL };
			struct txn *t = txn_new();
			t->req = mk_head(0, HTTP_GET, "GET", uri, 0, NULL, req_fields);
			t->resp = mk_head(1, 0, NULL, NULL, ok ? 200 : 304, "R", ok ? ok_fields : nm_fields);
			t->flags = TXN_RESP_DONE;
			if (keyed) {
				t->url_key = hist_url_key(t, NULL, NULL);
				t->flags |= TXN_URL_KEY;
				hist_prefetch(&h, t->url_key, 0);
				hist_prefetch_entry(&h, t->url_key); /* hints: nothing they change */
			}
			hist_observe(&h, "10.0.0.1", t);

			/* The URL's host is lower-cased; the server's key too. */
			snprintf(rkey, sizeof rkey, "R http://h%d.test/u%d", host, u);
			snprintf(skey, sizeof skey, "S h%d.test", host);
			int at = model_use(&m, rkey);
			/* A 304 without the Vary its 200 sent is told, when that 200 is remembered. */
			int want = !ok && m.ok[at];
			if (findings_of(t, RULE_NOT_MODIFIED_METADATA_MISMATCH) != want)
				fail_msg("cap %u, step %d (%s %s): %d findings, want %d", caps[c], op, ok ? "200" : "304", rkey,
					 findings_of(t, RULE_NOT_MODIFIED_METADATA_MISMATCH), want);
			if (ok)
				m.ok[at] = true;
			model_use(&m, skey);
			txn_free(t);
			/* The pick the history asks for ahead of time is the model's,
			 * or none when the model's lies more than 256 entries on. */
			int passed = 0, want_next = model_next(&m, &passed);
			int64_t next = hist_next_victim(&h);
			if (next != want_next && !(next == -1 && passed >= 256))
				fail_msg("cap %u, step %d: next to forget %lld, want %d (%d passed)", caps[c], op, (long long)next,
					 want_next, passed);
		}
		assert_int_equal(h.evicted, m.evicted);
		assert_int_equal(h.count, (uint32_t)m.n);
		hist_free(&h);
	}
}

static void test_clock_against_model(void **state)
{
	clock_against_model(false, false);
}

static void test_clock_keyed_against_model(void **state)
{
	clock_against_model(true, false);
}

static void test_clock_sweeps_used_words(void **state)
{
	clock_against_model(false, true);
}

/* A GET of uri on h.test answered with status and fields, its url_key worked out first when keyed. */
static struct txn *observed(struct history *h, bool keyed, const char *uri, int status, const char *const *fields)
{
	static const char *const host[] = { "Host", "h.test", NULL };
	struct txn *t = txn_new();
	t->req = mk_head(0, HTTP_GET, "GET", uri, 0, NULL, host);
	t->resp = mk_head(1, 0, NULL, NULL, status, "R", fields);
	t->flags = TXN_RESP_DONE;
	if (keyed) {
		t->url_key = hist_url_key(t, NULL, NULL);
		t->flags |= TXN_URL_KEY;
	}
	hist_observe(h, "10.0.0.1", t);
	return t;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static void test_url_keys_apart(void **state)
{
	/* An entry is known by its 64-bit key alone: URLs that differ in a
	 * digit or two, or only in length, must not share one. */
	enum { N = 100000 };
	uint64_t *keys = malloc(N * sizeof *keys);
	assert_non_null(keys);
	static const char *const host[] = { "Host", "bench.test", NULL };
	for (int i = 0; i < N; i++) {
		char uri[64];
		snprintf(uri, sizeof uri, i % 2 ? "/api/items/%d" : "/api/items/%d/", i / 2);
		struct txn *t = txn_new();
		t->req = mk_head(0, HTTP_GET, "GET", uri, 0, NULL, host);
		keys[i] = hist_url_key(t, NULL, NULL);
		assert_true(keys[i] != 0);
		txn_free(t);
	}
	qsort(keys, N, sizeof *keys, cmp_u64);
	for (int i = 1; i < N; i++)
		assert_true(keys[i] != keys[i - 1]);
	free(keys);
}

static void test_url_key(void **state)
{
	/* A request without a URL (no Host) has no key, and nothing is remembered of it. */
	static const char *const none[] = { NULL };
	struct txn *t = txn_new();
	t->req = mk_head(0, HTTP_GET, "GET", "/x", 0, NULL, none);
	assert_int_equal(hist_url_key(t, NULL, NULL), 0);
	txn_free(t);
	/* With the key worked out before, what needs the URL itself (a
	 * Location resolved against it, a client's retries) still has it. */
	static const char *const created[] = { "Location", "/new", NULL };
	static const char *const busy[] = { "Retry-After", "60", NULL };
	for (int keyed = 0; keyed < 2; keyed++) {
		struct history h;
		hist_init(&h, 64);
		txn_free(observed(&h, keyed, "/make", 201, created));
		t = observed(&h, keyed, "/new", 404, none);
		assert_int_equal(findings_of(t, RULE_LOCATION_DANGLING), 1);
		txn_free(t);
		txn_free(observed(&h, keyed, "/busy", 503, busy));
		t = observed(&h, keyed, "/busy", 503, busy);
		assert_int_equal(findings_of(t, RULE_RETRY_AFTER_IGNORED), 1);
		txn_free(t);
		hist_free(&h);
	}
}

/* A step of a script of transactions from one client: the request, the response. */
struct step {
	int method;
	const char *meth, *uri;
	const char *const *req; /* fields after Host */
	int status;
	const char *const *resp;
	bool done;              /* the content was read whole */
	uint64_t body;
	int64_t at_us;          /* request and response time */
};

/*
 * How a transaction's history facts are worked out: in one thread
 * (hist_observe); by a worker that has the client's key worked out with
 * the URL's when the request is read (the merge's history holds clients);
 * by a worker that has not (it does not know yet).
 */
enum facts_by { BY_ONE_THREAD, BY_WORKER_KEYED, BY_WORKER_UNKEYED };

/* step's transaction, from client 10.0.0.1, its keys worked out as by says. */
static struct txn *txn_of(const struct step *s, enum facts_by by)
{
	const char *req[16] = { "Host", "h.test" };
	int n = 2;
	for (int i = 0; s->req && s->req[i]; i++)
		req[n++] = s->req[i];
	req[n] = NULL;
	struct txn *t = txn_new();
	t->req = mk_head(0, s->method, s->meth, s->uri, 0, NULL, req);
	t->resp = mk_head(1, 0, NULL, NULL, s->status, "R", s->resp);
	t->flags = s->done ? TXN_RESP_DONE : 0;
	t->resp_body = s->body;
	t->req_ts.tv_sec = t->resp_ts.tv_sec = s->at_us / 1000000;
	t->req_ts.tv_usec = t->resp_ts.tv_usec = s->at_us % 1000000;
	t->ep = calloc(1, sizeof *t->ep);
	assert_non_null(t->ep);
	t->ep->refs = 1;
	strcpy(t->ep->client_ip, "10.0.0.1");
	if (by == BY_WORKER_KEYED) {
		t->url_key = hist_url_key(t, "10.0.0.1", &t->client_key);
		t->flags |= TXN_URL_KEY | TXN_CLIENT_KEY;
	} else if (by == BY_WORKER_UNKEYED) {
		t->url_key = hist_url_key(t, NULL, NULL);
		t->flags |= TXN_URL_KEY;
	}
	return t;
}

/*
 * hist_apply judges from the facts alone: every history rule raised by a
 * script, once by hist_observe and once as -j does it (facts worked out as
 * by a worker, then applied), with the same findings in the same order.
 * Where hist_observe raised nothing, the response has no Allow, and the
 * facts carry the client's key or the history holds no client, hist_apply
 * is given a transaction it cannot read or write (a page without access):
 * the merge must not touch what it has no finding for.  Without the key,
 * it works the key out from the transaction, to the same findings.
 */
static void apply_from_facts(enum facts_by by)
{
	static const char *const none[] = { NULL };
	static const char *const full[] = { "ETag", "\"v1\"", "Cache-Control", "max-age=60", "Vary", "Accept",
					    "Last-Modified", "Tue, 03 Nov 2026 10:00:00 GMT", NULL };
	static const char *const bare304[] = { "ETag", "\"v1\"", NULL };
	static const char *const older[] = { "ETag", "\"v1\"", "Last-Modified", "Mon, 02 Nov 2026 10:00:00 GMT", NULL };
	static const char *const head_cl[] = { "ETag", "\"v1\"", "Content-Length", "99", NULL };
	static const char *const allow1[] = { "Allow", "GET, HEAD", NULL };
	static const char *const allow2[] = { "Allow", "GET, POST", NULL };
	static const char *const created[] = { "Location", "/made", NULL };
	static const char *const busy[] = { "Retry-After", "60", NULL };
	static const char *const auth[] = { "Authorization", "Basic eA==", NULL };
	static const char *const challenge[] = { "WWW-Authenticate", "Basic", NULL };
	const struct step script[] = {
		{ HTTP_GET, "GET", "/r", NULL, 200, full, true, 10, 1000000 },
		{ HTTP_GET, "GET", "/r", NULL, 304, bare304, true, 0, 2000000 },         /* not-modified-metadata-mismatch */
		{ HTTP_GET, "GET", "/r", NULL, 200, older, true, 12, 3000000 },          /* strong-etag-reused, validator-regression */
		{ HTTP_HEAD, "HEAD", "/r", NULL, 200, head_cl, true, 0, 4000000 },      /* head-get-length-mismatch, head-get-header-mismatch */
		{ HTTP_OPTIONS, "OPTIONS", "/a", NULL, 200, allow1, true, 0, 5000000 },
		{ HTTP_OPTIONS, "OPTIONS", "/a", NULL, 200, allow2, true, 0, 6000000 },  /* allow-inconsistent */
		{ HTTP_PUT, "PUT", "/p", NULL, 204, none, true, 0, 7000000 },
		{ HTTP_PUT, "PUT", "/p", NULL, 405, allow1, true, 0, 8000000 },          /* allow-vs-observed */
		{ HTTP_POST, "POST", "/make", NULL, 201, created, true, 0, 9000000 },
		{ HTTP_GET, "GET", "/made", NULL, 404, none, true, 0, 10000000 },        /* location-dangling */
		{ HTTP_PATCH, "PATCH", "/x", NULL, 200, none, true, 0, 11000000 },
		{ HTTP_PATCH, "PATCH", "/y", NULL, 501, none, true, 0, 12000000 },       /* not-implemented-vs-not-allowed */
		{ HTTP_GET, "GET", "/busy", NULL, 503, busy, true, 0, 13000000 },
		{ HTTP_GET, "GET", "/busy", NULL, 200, none, true, 0, 14000000 },        /* retry-after-ignored */
		{ HTTP_GET, "GET", "/s", auth, 401, challenge, true, 0, 15000000 },
		{ HTTP_GET, "GET", "/s", auth, 401, challenge, true, 0, 16000000 },
		{ HTTP_GET, "GET", "/s", auth, 401, challenge, true, 0, 17000000 },      /* auth-retry-loop */
		{ HTTP_GET, "GET", "/quiet", NULL, 200, none, false, 0, 18000000 },
	};
	const enum rule_id expect[] = { RULE_NOT_MODIFIED_METADATA_MISMATCH, RULE_STRONG_ETAG_REUSED,
					RULE_VALIDATOR_REGRESSION, RULE_HEAD_GET_LENGTH_MISMATCH,
					RULE_HEAD_GET_HEADER_MISMATCH, RULE_ALLOW_INCONSISTENT,
					RULE_ALLOW_VS_OBSERVED, RULE_LOCATION_DANGLING,
					RULE_NOT_IMPLEMENTED_VS_NOT_ALLOWED, RULE_RETRY_AFTER_IGNORED,
					RULE_AUTH_RETRY_LOOP };
	bool seen[sizeof expect / sizeof *expect] = { false };
	long page = sysconf(_SC_PAGESIZE);
	void *guard = mmap(NULL, (size_t)page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(guard != MAP_FAILED);
	struct history one, two;
	hist_init(&one, 64);
	hist_init(&two, 64);
	for (size_t i = 0; i < sizeof script / sizeof *script; i++) {
		struct txn *a = txn_of(&script[i], BY_ONE_THREAD), *b = txn_of(&script[i], by);
		hist_observe(&one, "10.0.0.1", a);
		struct hist_facts f;
		hist_facts_of(&two, b, "10.0.0.1", false, &f);
		bool quiet = a->nfindings == 0 && !head_field(b->resp, "Allow") && (f.client || !two.clients_made);
		unsigned raised = hist_apply(&two, &f, quiet ? (struct txn *)guard : b);
		assert_int_equal(raised, a->nfindings);
		assert_int_equal(b->nfindings, quiet ? 0 : a->nfindings);
		for (unsigned k = 0; k < b->nfindings; k++) {
			assert_int_equal(b->findings[k].rule, a->findings[k].rule);
			assert_string_equal(b->findings[k].msg, a->findings[k].msg);
			for (size_t x = 0; x < sizeof expect / sizeof *expect; x++)
				seen[x] = seen[x] || a->findings[k].rule == expect[x];
		}
		txn_free(a);
		txn_free(b);
	}
	/* The script reaches every rule the history raises. */
	for (size_t x = 0; x < sizeof expect / sizeof *expect; x++) {
		if (!seen[x])
			fail_msg("the script raised no %s", rule_table[expect[x]].id);
	}
	hist_free(&one);
	hist_free(&two);
	munmap(guard, (size_t)page);
}

static void test_apply_from_facts(void **state)
{
	apply_from_facts(BY_WORKER_KEYED);
}

static void test_apply_from_facts_without_client_key(void **state)
{
	apply_from_facts(BY_WORKER_UNKEYED);
}

/*
 * What a head alone gives the history is kept with it once it is handed
 * out again (http_head.hist): the facts of transactions whose heads are
 * shared, worked out when they are kept and read back after, are those of
 * transactions with heads of their own, for every kind of request
 * (methods, with a Host and without) and response (validators, length,
 * Allow, Location, Retry-After, a Last-Modified that is no date; a 200,
 * 304, 206, 201, 301, 503, 404).
 */
static void test_facts_alike(void **state)
{
	static const char *const none[] = { NULL };
	static const char *const host[] = { "Host", "H.test", NULL };
	static const char *const full[] = { "ETag", "\"v1\"", "Last-Modified", "Tue, 03 Nov 2026 10:00:00 GMT",
					    "Content-Encoding", "gzip", "Content-Length", "12", "Allow", "GET", "Vary", "A",
					    NULL };
	static const char *const weak[] = { "ETag", "W/\"v\"", "Last-Modified", "yesterday", NULL };
	static const char *const moved[] = { "Location", "/there", NULL };
	static const char *const busy[] = { "Retry-After", "60", "Date", "Tue, 03 Nov 2026 10:00:00 GMT", NULL };
	static const char *const busy_date[] = { "Retry-After", "Tue, 03 Nov 2026 10:01:00 GMT", "Date",
						 "Tue, 03 Nov 2026 10:00:00 GMT", NULL };
	const struct { int method; const char *meth; const char *const *fields; } reqs[] = {
		{ HTTP_GET, "GET", host }, { HTTP_HEAD, "HEAD", host }, { HTTP_DELETE, "DELETE", host },
		{ HTTP_POST, "POST", host }, { HTTP_GET, "GET", none },
	};
	const struct { int status; const char *const *fields; } resps[] = {
		{ 200, full }, { 304, full }, { 206, weak }, { 200, weak }, { 201, moved }, { 301, moved },
		{ 503, busy }, { 429, busy_date }, { 404, none },
	};
	struct history h;
	hist_init(&h, 64);
	const size_t nq = sizeof reqs / sizeof *reqs;
	for (size_t k = 0; k < sizeof resps / sizeof *resps; k++) {
		for (size_t i = 0; i < nq * nq; i++) {
			/* Two transactions sharing a response head handed out
			 * again, with requests q[0] and q[1] (heads handed out
			 * again too): the first keeps the facts, the second
			 * reads them, whatever its own request. */
			size_t q[2] = { i / nq, i % nq };
			struct txn *t[2], *own[2];
			struct hist_facts f[2], fo[2];
			struct http_head *resp = mk_head_alike(2, 1, 0, NULL, NULL, resps[k].status, "R", resps[k].fields);
			for (int n = 0; n < 2; n++) {
				t[n] = txn_new();
				own[n] = txn_new();
				struct txn *both[2] = { t[n], own[n] };
				for (int b = 0; b < 2; b++) {
					both[b]->flags = TXN_RESP_DONE;
					both[b]->resp_body = 12;
					both[b]->req_ts.tv_sec = both[b]->resp_ts.tv_sec = 1762164000;
				}
				t[n]->req = mk_head_alike(2, 0, reqs[q[n]].method, reqs[q[n]].meth, "/r", 0, NULL,
							  reqs[q[n]].fields);
				head_unref(t[n]->req); /* one reference is enough */
				t[n]->resp = resp;
				own[n]->req = mk_head(0, reqs[q[n]].method, reqs[q[n]].meth, "/r", 0, NULL, reqs[q[n]].fields);
				own[n]->resp = mk_head(1, 0, NULL, NULL, resps[k].status, "R", resps[k].fields);
			}
			assert_null(resp->hist);
			for (int n = 0; n < 2; n++) {
				hist_facts_of(&h, t[n], "10.0.0.1", false, &f[n]);
				hist_facts_of(&h, own[n], "10.0.0.1", false, &fo[n]);
				/* Without a Host there is no URL, and nothing is kept. */
				assert_int_equal(t[n]->req->hist != NULL, reqs[q[n]].fields == host);
				assert_memory_equal(&f[n], &fo[n], sizeof f[n]);
			}
			assert_int_equal(resp->hist != NULL, reqs[q[0]].fields == host || reqs[q[1]].fields == host);
			for (int n = 0; n < 2; n++) {
				txn_free(t[n]);
				txn_free(own[n]);
			}
			hb_pool_drain(); /* the heads held for the next alike: the next pair starts anew */
		}
	}
	hist_free(&h);
	hb_pool_drain();
}

static int load_rules(void **state)
{
	char err[256];
	rules_init();
	return rules_load_builtin(err, sizeof err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clock_against_model),
		cmocka_unit_test(test_clock_keyed_against_model),
		cmocka_unit_test(test_clock_sweeps_used_words),
		cmocka_unit_test(test_url_key),
		cmocka_unit_test(test_url_keys_apart),
		cmocka_unit_test(test_apply_from_facts),
		cmocka_unit_test(test_apply_from_facts_without_client_key),
		cmocka_unit_test(test_facts_alike),
	};
	return cmocka_run_group_tests(tests, load_rules, NULL);
}
