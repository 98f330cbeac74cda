/* test_history.c: the history's cap forgets by CLOCK, checked against a plain model of it; URL keys. */
#include "wl_test.h"

#include <stdio.h>
#include <stdlib.h>

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
				t->url_key = hist_url_key(t);
				t->flags |= TXN_URL_KEY;
				hist_prefetch(&h, t->url_key);
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
		t->url_key = hist_url_key(t);
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
		keys[i] = hist_url_key(t);
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
	assert_int_equal(hist_url_key(t), 0);
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
	};
	return cmocka_run_group_tests(tests, load_rules, NULL);
}
