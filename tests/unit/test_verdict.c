/* test_verdict.c: the findings kept for the same inputs (verdict.h): given again only for the very same inputs. */
#include "wl_test.h"

#include <stdio.h>
#include <stdlib.h>

#include "llhttp.h"
#include "rule.h"
#include "rules_file.h"
#include "txn.h"
#include "verdict.h"

/* A transaction's inputs, as the rules see them. */
struct spec {
	int method;
	const char *method_s, *uri;
	const char *const *req_fields;
	int status;
	const char *reason;
	const char *const *resp_fields;
	bool resp_truncated;
	uint32_t flags;
	uint64_t req_body, resp_body;
	time_t resp_sec;
	const char *first;              /* the content's first bytes (NUL-terminated here) */
	const char *const *trailers;
	const char *kept;               /* kept content, or NULL; kept_set with kept "" keeps none */
	bool kept_set;
};

static struct txn *build(const struct spec *s)
{
	struct txn *t = txn_new();
	assert_non_null(t);
	if (s->method_s)
		t->req = mk_head(0, s->method, s->method_s, s->uri ? s->uri : "/x", 0, NULL, s->req_fields);
	t->resp = mk_head(1, 0, NULL, NULL, s->status, s->reason ? s->reason : "Reason", s->resp_fields);
	t->resp->truncated = s->resp_truncated;
	t->flags = s->flags | TXN_RESP_DONE;
	t->req_body = s->req_body;
	t->resp_body = s->resp_body;
	t->resp_ts.tv_sec = s->resp_sec;
	if (s->first) {
		t->nfirst = (uint8_t)strlen(s->first);
		memcpy(t->first, s->first, t->nfirst);
	}
	if (s->trailers)
		t->trailers = mk_head(1, 0, NULL, NULL, s->status, NULL, s->trailers);
	if (s->kept || s->kept_set) {
		size_t n = s->kept ? strlen(s->kept) : 0;
		t->kept = malloc(n + 1);
		assert_non_null(t->kept);
		memcpy(t->kept, s->kept ? s->kept : "", n + 1);
		t->kept_len = (uint32_t)n;
	}
	return t;
}

/* Whether a and b have the same findings, in the same order. */
static bool same_findings(const struct txn *a, const struct txn *b)
{
	if (a->nfindings != b->nfindings)
		return false;
	for (unsigned i = 0; i < a->nfindings; i++)
		if (a->findings[i].rule != b->findings[i].rule || a->findings[i].sev != b->findings[i].sev ||
		    strcmp(a->findings[i].msg, b->findings[i].msg) != 0)
			return false;
	return true;
}

/* s judged by the rules themselves, the memo off. */
static struct txn *judged_without_memo(const struct spec *s)
{
	struct txn *t = build(s);
	verdict_mode(VERDICT_OFF);
	rules_evaluate(t);
	verdict_mode(VERDICT_ON);
	return t;
}

static struct verdict_stats now(void)
{
	struct verdict_stats st;
	verdict_stats(&st);
	return st;
}

static int setup(void **state)
{
	(void)state;
	char err[256];
	rules_init();
	if (rules_load_builtin(err, sizeof err) < 0)
		return -1;
	rules_ready();
	verdict_mode(VERDICT_ON);
	return 0;
}

static const char *const no_location[] = { "Server", "x", NULL };

static void test_same_inputs_given_again(void **state)
{
	(void)state;
	verdict_free();
	struct spec s = { .method = HTTP_GET, .method_s = "GET", .status = 301, .resp_fields = no_location };
	struct txn *a = build(&s);
	rules_evaluate(a);
	struct verdict_stats st = now();
	assert_int_equal(st.lookups, 1);
	assert_int_equal(st.hits, 0);
	assert_int_equal(st.kept, 1);
	assert_true(a->nfindings >= 1); /* missing-location at least */
	struct txn *b = build(&s);
	rules_evaluate(b);
	st = now();
	assert_int_equal(st.lookups, 2);
	assert_int_equal(st.hits, 1);
	assert_true(same_findings(a, b));
	struct txn *c = judged_without_memo(&s);
	assert_true(same_findings(b, c));
	/* Findings raised before the rules stay first; the verdict comes after them. */
	struct txn *d = build(&s);
	struct finding *f = txn_add_finding(d);
	f->rule = RULE_OBS_FOLD;
	snprintf(f->msg, sizeof f->msg, "raised before");
	rules_evaluate(d);
	assert_int_equal(now().hits, 2);
	assert_int_equal(d->nfindings, a->nfindings + 1);
	assert_string_equal(d->findings[0].msg, "raised before");
	for (unsigned i = 0; i < a->nfindings; i++)
		assert_string_equal(d->findings[i + 1].msg, a->findings[i].msg);
	txn_free(a);
	txn_free(b);
	txn_free(c);
	txn_free(d);
}

/*
 * Each input the rules read, changed alone, changes the findings; and the
 * memo, holding the verdict of the inputs before the change, gives the
 * rules' own verdict for the inputs after it.  An input left out of the
 * key would have it give the first verdict again.
 */
static const char *const etag_good[] = { "ETag", "\"v1\"", NULL };
static const char *const etag_bad[] = { "ETag", "v1\"", NULL };
static const char *const loc_self[] = { "Location", "http://h/x", NULL };
static const char *const host_h[] = { "Host", "h", NULL };
static const char *const dated[] = { "Date", "Sun, 06 Nov 1994 08:49:37 GMT", NULL };
static const char *const html[] = { "Content-Type", "text/html", NULL };
static const char *const cl_trailer[] = { "Content-Length", "5", NULL };
static const char *const sum_trailer[] = { "X-Checksum", "5", NULL };
static const char *const multipart[] = { "Content-Type", "multipart/byteranges; boundary=AB", NULL };

/* A part of multipart/byteranges content, its delimiter's boundary b (two letters). */
#define PART(b) "--" b "\r\nContent-Type: text/plain\r\nContent-Range: bytes 0-0/10\r\n\r\nx\r\n--" b "--"
#define PART_LEN (sizeof PART("AB") - 1)

struct change {
	const char *what;
	const char *rule_on;        /* an opt-in rule the change is seen by, or NULL */
	struct spec before, after;
	bool heads_alike;           /* the change is not in the heads */
};

static const struct change changes[] = {
	{ "the request's target", NULL,
	  { .method = HTTP_GET, .method_s = "GET", .uri = "/x", .req_fields = host_h, .status = 301, .resp_fields = loc_self },
	  { .method = HTTP_GET, .method_s = "GET", .uri = "/y", .req_fields = host_h, .status = 301, .resp_fields = loc_self },
	  false },
	{ "the request's method", NULL,
	  { .method = HTTP_GET, .method_s = "GET", .uri = "/x", .req_fields = host_h, .status = 301, .resp_fields = loc_self },
	  { .method = HTTP_POST, .method_s = "POST", .uri = "/x", .req_fields = host_h, .status = 301, .resp_fields = loc_self },
	  false },
	{ "a byte of a response field's value", NULL,
	  { .method = HTTP_GET, .method_s = "GET", .status = 200, .resp_fields = etag_good },
	  { .method = HTTP_GET, .method_s = "GET", .status = 200, .resp_fields = etag_bad },
	  false },
	{ "the status", NULL,
	  { .method = HTTP_GET, .method_s = "GET", .status = 301, .resp_fields = no_location },
	  { .method = HTTP_GET, .method_s = "GET", .status = 302, .resp_fields = no_location },
	  false },
	{ "the reason phrase", NULL,
	  { .method = HTTP_GET, .method_s = "GET", .status = 200, .reason = "OK", .resp_fields = etag_good },
	  { .method = HTTP_GET, .method_s = "GET", .status = 200, .reason = "Not Found", .resp_fields = etag_good },
	  false },
	{ "the response head cut at a cap", NULL,
	  { .method = HTTP_GET, .method_s = "GET", .status = 301, .resp_fields = no_location },
	  { .method = HTTP_GET, .method_s = "GET", .status = 301, .resp_fields = no_location, .resp_truncated = true },
	  false },
	{ "the response's content length", NULL,
	  { .method = HTTP_GET, .method_s = "GET", .status = 200, .resp_fields = etag_good, .resp_body = 0 },
	  { .method = HTTP_GET, .method_s = "GET", .status = 200, .resp_fields = etag_good, .resp_body = 10 },
	  true },
	{ "the request's content length", NULL,
	  { .method = HTTP_POST, .method_s = "POST", .status = 413, .resp_fields = no_location, .req_body = 0 },
	  { .method = HTTP_POST, .method_s = "POST", .status = 413, .resp_fields = no_location, .req_body = 10 },
	  true },
	{ "a flag", NULL,
	  { .method = HTTP_GET, .method_s = "GET", .status = 200, .resp_fields = etag_good, .resp_body = 10 },
	  { .method = HTTP_GET, .method_s = "GET", .status = 200, .resp_fields = etag_good, .resp_body = 10,
	    .flags = TXN_RESP_CUT },
	  true },
	{ "the second the response was seen in", "date-skew",
	  { .method = HTTP_GET, .method_s = "GET", .status = 200, .resp_fields = dated, .resp_sec = 784111777 },
	  { .method = HTTP_GET, .method_s = "GET", .status = 200, .resp_fields = dated, .resp_sec = 784111777 + 3600 },
	  true },
	{ "the content's first bytes", NULL,
	  { .method = HTTP_GET, .method_s = "GET", .status = 200, .resp_fields = html, .resp_body = 100, .first = "<html><body>" },
	  { .method = HTTP_GET, .method_s = "GET", .status = 200, .resp_fields = html, .resp_body = 100, .first = "%PDF-1.7 abc" },
	  true },
	{ "the trailers", NULL,
	  { .method = HTTP_GET, .method_s = "GET", .status = 200, .resp_fields = etag_good },
	  { .method = HTTP_GET, .method_s = "GET", .status = 200, .resp_fields = etag_good, .trailers = cl_trailer },
	  false },
	{ "a trailer field", NULL,
	  { .method = HTTP_GET, .method_s = "GET", .status = 200, .resp_fields = etag_good, .trailers = cl_trailer },
	  { .method = HTTP_GET, .method_s = "GET", .status = 200, .resp_fields = etag_good, .trailers = sum_trailer },
	  false },
	{ "kept content of no bytes", NULL,
	  { .method = HTTP_GET, .method_s = "GET", .status = 206, .resp_fields = multipart },
	  { .method = HTTP_GET, .method_s = "GET", .status = 206, .resp_fields = multipart, .kept_set = true },
	  true },
	{ "a byte of the kept content", NULL,
	  { .method = HTTP_GET, .method_s = "GET", .status = 206, .resp_fields = multipart, .resp_body = PART_LEN,
	    .kept = PART("AB") },
	  { .method = HTTP_GET, .method_s = "GET", .status = 206, .resp_fields = multipart, .resp_body = PART_LEN,
	    .kept = PART("AC") },
	  true },
};

static void test_each_input_apart(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof changes / sizeof changes[0]; i++) {
		const struct change *c = &changes[i];
		int on = c->rule_on ? rule_by_id(c->rule_on) : -1;
		if (c->rule_on) {
			assert_true(on >= 0);
			rule_set_enabled(on, true);
		}
		verdict_free();
		struct txn *before = build(&c->before);
		rules_evaluate(before);
		struct txn *rules_after = judged_without_memo(&c->after);
		if (same_findings(before, rules_after))
			fail_msg("%s: the change changes no finding, so the test does not exercise it", c->what);
		struct txn *after = build(&c->after);
		uint64_t hits = now().hits;
		rules_evaluate(after);
		if (now().hits != hits || !same_findings(after, rules_after))
			fail_msg("%s: the memo gave the verdict of the inputs before the change", c->what);
		/* The verdict before still holds for the inputs before. */
		struct txn *again = build(&c->before);
		rules_evaluate(again);
		if (now().hits != hits + 1 || !same_findings(again, before))
			fail_msg("%s: the verdict before the change was not given again (%u findings)", c->what,
				 before->nfindings);
		txn_free(before);
		txn_free(rules_after);
		txn_free(after);
		txn_free(again);
		if (c->rule_on)
			rule_set_enabled(on, false);
	}
}

/*
 * s's transaction with the request and response heads of t, which its own
 * would be alike to (heads alike are one: hb_freeze_alike), and with its
 * trailers too unless own_trailers.
 */
static struct txn *build_on_heads(const struct spec *s, const struct txn *t, bool own_trailers)
{
	struct txn *u = build(s);
	head_unref(u->req);
	head_unref(u->resp);
	u->req = head_ref(t->req);
	u->resp = head_ref(t->resp);
	if (!own_trailers) {
		head_unref(u->trailers);
		u->trailers = head_ref(t->trailers);
	}
	return u;
}

/*
 * The last verdict is found by its heads alone when a transaction has the
 * very same heads (head objects are never changed once frozen), and the
 * rest of its inputs alike; each input that is not in the heads, changed
 * alone on the same heads, is judged anew, to the rules' own verdict.
 */
static void test_same_heads(void **state)
{
	(void)state;
	int n = 0;
	for (size_t i = 0; i < sizeof changes / sizeof changes[0]; i++) {
		const struct change *c = &changes[i];
		if (!c->heads_alike)
			continue;
		n++;
		int on = c->rule_on ? rule_by_id(c->rule_on) : -1;
		if (c->rule_on)
			rule_set_enabled(on, true);
		verdict_free();
		struct txn *before = build(&c->before);
		rules_evaluate(before);
		struct txn *rules_after = judged_without_memo(&c->after);
		struct txn *after = build_on_heads(&c->after, before, false);
		uint64_t hits = now().hits;
		rules_evaluate(after);
		if (now().hits != hits || !same_findings(after, rules_after))
			fail_msg("%s, on the same heads: the memo gave the verdict of the inputs before the change", c->what);
		txn_free(before);
		txn_free(rules_after);
		txn_free(after);
		if (c->rule_on)
			rule_set_enabled(on, false);
	}
	assert_int_equal(n, 7);
	/* The trailers are a head too: the same request and response heads
	 * with other trailers are judged anew. */
	verdict_free();
	struct spec t1 = { .method = HTTP_GET, .method_s = "GET", .status = 200, .resp_fields = etag_good,
			   .trailers = cl_trailer };
	struct spec t2 = t1;
	t2.trailers = sum_trailer;
	struct txn *before = build(&t1);
	rules_evaluate(before);
	struct txn *rules_after = judged_without_memo(&t2);
	assert_false(same_findings(before, rules_after));
	struct txn *after = build_on_heads(&t2, before, true);
	uint64_t hits = now().hits;
	rules_evaluate(after);
	assert_int_equal(now().hits, hits);
	assert_true(same_findings(after, rules_after));
	txn_free(before);
	txn_free(rules_after);
	txn_free(after);
	/* Found by the heads: their bytes are not read again (written over
	 * here, as nothing in wirelint does, the verdict is still found). */
	verdict_free();
	struct spec s = { .method = HTTP_GET, .method_s = "GET", .status = 301, .resp_fields = no_location };
	struct txn *a = build(&s);
	rules_evaluate(a);
	struct txn *b = build_on_heads(&s, a, false);
	b->resp->buf[b->resp->len - 1] ^= 1;
	rules_evaluate(b);
	assert_int_equal(now().hits, 1);
	assert_true(same_findings(a, b));
	b->resp->buf[b->resp->len - 1] ^= 1;
	txn_free(a);
	txn_free(b);
	verdict_free();
}

static void test_settings_change(void **state)
{
	(void)state;
	verdict_free();
	struct spec s = { .method = HTTP_GET, .method_s = "GET", .status = 301, .resp_fields = no_location };
	int r = rule_by_id("missing-location");
	assert_true(r >= 0);
	struct txn *a = build(&s);
	rules_evaluate(a);
	/* Another severity for the rule: judged anew, with it. */
	rule_set_severity(r, SEV_INFO);
	struct txn *b = build(&s);
	rules_evaluate(b);
	assert_int_equal(now().hits, 0);
	bool seen = false;
	for (unsigned i = 0; i < b->nfindings; i++)
		if (b->findings[i].rule == r) {
			assert_int_equal(b->findings[i].sev, SEV_INFO);
			seen = true;
		}
	assert_true(seen);
	rule_set_severity(r, -1);
	/* The rule off: not found, though the same inputs found it before. */
	rule_set_enabled(r, false);
	struct txn *c = build(&s);
	rules_evaluate(c);
	assert_int_equal(now().hits, 0);
	for (unsigned i = 0; i < c->nfindings; i++)
		assert_int_not_equal(c->findings[i].rule, r);
	rule_set_enabled(r, true);
	struct txn *d = build(&s);
	rules_evaluate(d);
	assert_true(same_findings(a, d));
	txn_free(a);
	txn_free(b);
	txn_free(c);
	txn_free(d);
}

static void test_not_kept(void **state)
{
	(void)state;
	verdict_free();
	/* Inputs longer than the key's room: judged every time, and counted. */
	static char big[VERDICT_KEY_MAX + 16];
	memset(big, 'a', sizeof big - 1);
	const char *const long_field[] = { "X-Long", big, NULL };
	struct spec s = { .method = HTTP_GET, .method_s = "GET", .status = 301, .resp_fields = long_field };
	for (int k = 0; k < 2; k++) {
		struct txn *t = build(&s);
		rules_evaluate(t);
		struct txn *u = judged_without_memo(&s);
		assert_true(same_findings(t, u));
		txn_free(t);
		txn_free(u);
	}
	struct verdict_stats st = now();
	assert_int_equal(st.too_long, 2);
	assert_int_equal(st.lookups, 0);
	/* More findings than a verdict keeps: not kept, and the next is judged. */
	const char *const many[] = { "ETag", "v1\"", "Content-Length", "007", "Retry-After", "soon", "Last-Modified", "never",
				     "Content-Range", "pages 1-2/3", NULL };
	struct spec m = { .method = HTTP_GET, .method_s = "GET", .status = 301, .resp_fields = many };
	struct txn *a = build(&m);
	rules_evaluate(a);
	assert_true(a->nfindings > VERDICT_FINDINGS);
	struct txn *b = build(&m);
	rules_evaluate(b);
	assert_true(same_findings(a, b));
	st = now();
	assert_int_equal(st.too_long, 4);
	assert_int_equal(st.lookups, 2);
	assert_int_equal(st.hits, 0);
	assert_int_equal(st.kept, 0);
	txn_free(a);
	txn_free(b);
}

static void test_findings_cap(void **state)
{
	(void)state;
	verdict_free();
	/* A verdict given to a transaction near its cap of findings stops
	 * where the rules would have: the same findings either way. */
	struct spec s = { .method = HTTP_GET, .method_s = "GET", .status = 301, .resp_fields = etag_bad };
	struct txn *first = build(&s);
	rules_evaluate(first);
	assert_true(first->nfindings >= 2);
	struct txn *t[2];
	for (int k = 0; k < 2; k++) {
		t[k] = build(&s);
		while (t[k]->nfindings < 511) {
			struct finding *f = txn_add_finding(t[k]);
			assert_non_null(f);
			f->rule = RULE_OBS_FOLD;
		}
	}
	uint64_t hits = now().hits;
	rules_evaluate(t[0]);
	assert_int_equal(now().hits, hits + 1);
	verdict_mode(VERDICT_OFF);
	rules_evaluate(t[1]);
	verdict_mode(VERDICT_ON);
	assert_int_equal(t[0]->nfindings, 512);
	assert_true(same_findings(t[0], t[1]));
	/* A verdict the cap cut short is not kept. */
	verdict_free();
	struct txn *cut = build(&s);
	while (cut->nfindings < 511)
		txn_add_finding(cut)->rule = RULE_OBS_FOLD;
	rules_evaluate(cut);
	assert_int_equal(now().kept, 0);
	struct txn *whole = build(&s);
	rules_evaluate(whole);
	assert_int_equal(now().hits, 0);
	assert_true(same_findings(first, whole));
	txn_free(first);
	txn_free(t[0]);
	txn_free(t[1]);
	txn_free(cut);
	txn_free(whole);
}

/*
 * Ends a window of lookups: n of them (VERDICT_WINDOW, or one fewer after
 * rest_length's lookup began it), the last found + 1 of the same inputs
 * (found from their second on), the others distinct.
 */
static void window_of(int n, int found, int round)
{
	char uri[48];
	struct spec s = { .method = HTTP_GET, .method_s = "GET", .uri = uri, .status = 200, .resp_fields = etag_good };
	uint64_t lookups = now().lookups;
	for (int i = 0; i < n; i++) {
		bool same = i >= n - found - 1;
		snprintf(uri, sizeof uri, same ? "/same%d" : "/%d-%d", round, i);
		struct txn *t = build(&s);
		rules_evaluate(t);
		txn_free(t);
	}
	assert_int_equal(now().lookups, lookups + (uint64_t)n);
}

/* How many transactions are judged without a lookup before one is looked up again. */
static uint64_t rest_length(void)
{
	struct spec s = { .method = HTTP_GET, .method_s = "GET", .uri = "/rest", .status = 200, .resp_fields = etag_good };
	uint64_t lookups = now().lookups, passed = now().passed;
	while (now().lookups == lookups) {
		struct txn *t = build(&s);
		rules_evaluate(t);
		txn_free(t);
	}
	return now().passed - passed;
}

static void test_rest_when_seldom_found(void **state)
{
	(void)state;
	verdict_free();
	/* One lookup in eight found over a window: no rest. */
	window_of(VERDICT_WINDOW, VERDICT_WINDOW / 8, 0);
	assert_int_equal(now().hits, VERDICT_WINDOW / 8);
	assert_int_equal(rest_length(), 0);
	/* One fewer: a rest of VERDICT_REST windows. */
	verdict_free();
	window_of(VERDICT_WINDOW, VERDICT_WINDOW / 8 - 1, 1);
	assert_int_equal(now().hits, VERDICT_WINDOW / 8 - 1);
	assert_int_equal(rest_length(), VERDICT_REST * VERDICT_WINDOW);
	/* Another window of few hits: twice as long and one more; and again. */
	window_of(VERDICT_WINDOW - 1, 0, 2);
	assert_int_equal(rest_length(), (2 * VERDICT_REST + 1) * VERDICT_WINDOW);
	window_of(VERDICT_WINDOW - 1, 0, 3);
	assert_int_equal(rest_length(), (4 * VERDICT_REST + 3) * VERDICT_WINDOW);
	/* A window with hits enough sets it back. */
	window_of(VERDICT_WINDOW - 1, VERDICT_WINDOW / 2, 4);
	assert_int_equal(rest_length(), 0);
	window_of(VERDICT_WINDOW - 1, 0, 5);
	assert_int_equal(rest_length(), VERDICT_REST * VERDICT_WINDOW);
	/* Never longer than VERDICT_REST_MAX windows. */
	uint64_t n = 0;
	for (int k = 6; k < 12; k++) {
		window_of(VERDICT_WINDOW - 1, 0, k);
		n = rest_length();
		assert_true(n <= (uint64_t)VERDICT_REST_MAX * VERDICT_WINDOW);
	}
	assert_int_equal(n, (uint64_t)VERDICT_REST_MAX * VERDICT_WINDOW);
}

static void test_check_mode(void **state)
{
	(void)state;
	verdict_free();
	verdict_mode(VERDICT_CHECK);
	struct spec s = { .method = HTTP_GET, .method_s = "GET", .status = 301, .resp_fields = no_location };
	struct txn *a = build(&s), *b = build(&s);
	rules_evaluate(a);
	rules_evaluate(b);
	/* Found, compared with the rules' verdict (the same), and judged by them. */
	struct verdict_stats st = now();
	assert_int_equal(st.hits, 1);
	assert_true(same_findings(a, b));
	verdict_mode(VERDICT_ON);
	txn_free(a);
	txn_free(b);
}

/* A 301 without Location for /r<i>: findings, its key its own by the URI. */
static struct spec redirect_to(int i, char *uri, size_t n)
{
	snprintf(uri, n, "/r%d", i);
	return (struct spec){ .method = HTTP_GET, .method_s = "GET", .uri = uri, .status = 301, .resp_fields = no_location };
}

/*
 * The last VERDICT_RECENT verdicts are found by their heads alone (the
 * heads' bytes written over, as nothing in wirelint does, are not read
 * again): transactions that come in turn, as a client's few URLs do.
 * One more, and the verdict used least long ago is no longer found so.
 */
static void test_recent_by_heads(void **state)
{
	(void)state;
	enum { N = VERDICT_RECENT + 1 };
	char uri[N][16];
	struct spec s[N];
	struct txn *a[N];
	for (int k = VERDICT_RECENT; k <= N; k++) {
		verdict_free();
		for (int i = 0; i < k; i++) {
			s[i] = redirect_to(i, uri[i], sizeof uri[i]);
			a[i] = build(&s[i]);
			rules_evaluate(a[i]);
			assert_true(a[i]->nfindings >= 1);
		}
		/* The last first: a transaction judged anew is kept, and takes the place of another. */
		for (int i = k - 1; i >= 0; i--) {
			struct txn *b = build_on_heads(&s[i], a[i], false);
			b->resp->buf[b->resp->len - 1] ^= 1;
			uint64_t hits = now().hits;
			rules_evaluate(b);
			/* With one more than it holds, the first made room for the last. */
			bool by_heads = k == VERDICT_RECENT || i > 0;
			assert_int_equal(now().hits, hits + by_heads);
			b->resp->buf[b->resp->len - 1] ^= 1;
			if (by_heads)
				assert_true(same_findings(a[i], b));
			txn_free(b);
		}
		for (int i = 0; i < k; i++)
			txn_free(a[i]);
	}
	verdict_free();
}

/*
 * A recent verdict whose slot has since been given to other inputs is
 * not found by its heads: a transaction on the first one's heads is
 * given its own findings, whatever was kept in its slot after.  Others
 * kept one after another (200s, with other findings) until the first one's
 * slot has been taken; the first one's heads come back after each.
 */
static void test_recent_slot_taken(void **state)
{
	(void)state;
	verdict_free();
	char uri[16];
	struct spec first = redirect_to(0, uri, sizeof uri);
	struct txn *a = build(&first);
	rules_evaluate(a);
	assert_true(a->nfindings >= 1);
	int missed = 0;
	for (int k = 0; k < 2000; k++) {
		char other_uri[16];
		snprintf(other_uri, sizeof other_uri, "/ok%d", k);
		struct spec other = { .method = HTTP_GET, .method_s = "GET", .uri = other_uri, .status = 200,
				      .resp_fields = etag_good };
		struct txn *o = build(&other);
		rules_evaluate(o);
		assert_false(same_findings(o, a));
		txn_free(o);
		struct txn *b = build_on_heads(&first, a, false);
		uint64_t hits = now().hits;
		rules_evaluate(b);
		missed += now().hits == hits;
		assert_true(same_findings(a, b));
		txn_free(b);
	}
	/* Its slot was taken, and it was judged again. */
	assert_true(missed >= 1);
	txn_free(a);
	verdict_free();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_inputs_given_again), cmocka_unit_test(test_each_input_apart),
		cmocka_unit_test(test_settings_change),         cmocka_unit_test(test_not_kept),
		cmocka_unit_test(test_findings_cap),            cmocka_unit_test(test_rest_when_seldom_found),
		cmocka_unit_test(test_check_mode),              cmocka_unit_test(test_same_heads),
		cmocka_unit_test(test_recent_by_heads),         cmocka_unit_test(test_recent_slot_taken),
	};
	int r = cmocka_run_group_tests(tests, setup, NULL);
	verdict_free();
	return r;
}
