/* test_rules.c: each rule check, on transactions built by hand. */
#include "wl_test.h"

#include <regex.h>
#include <stdio.h>
#include <strings.h>

#include "decl.h"
#include "fieldval.h"
#include "head.h"
#include "llhttp.h"
#include "rule.h"
#include "rules_file.h"
#include "txn.h"
#include "verdict.h"

static struct txn *mk_txn(int method, const char *method_s, int status, const char *const *fields, uint32_t flags)
{
	struct txn *t = txn_new();
	if (method_s)
		t->req = mk_head(0, method, method_s, "/x", 0, NULL, NULL);
	t->resp = mk_head(1, 0, NULL, NULL, status, "Reason", fields);
	t->flags = flags | TXN_RESP_DONE;
	return t;
}

/* How many findings of rule id t has. */
static int count_of(const struct txn *t, const char *id)
{
	int n = 0;
	for (unsigned i = 0; i < t->nfindings; i++)
		n += strcmp(rule_table[t->findings[i].rule].id, id) == 0;
	return n;
}

/* Runs the rules; returns how many findings of rule id, and the severity of the last one. */
static int fired(struct txn *t, const char *id, int *sev)
{
	rules_evaluate(t);
	int n = 0;
	for (unsigned i = 0; i < t->nfindings; i++) {
		if (strcmp(rule_table[t->findings[i].rule].id, id) == 0) {
			n++;
			if (sev)
				*sev = t->findings[i].sev;
		}
	}
	return n;
}

static int check(int method, const char *ms, int status, const char *const *fields, uint32_t flags,
		 const char *id, int *sev)
{
	struct txn *t = mk_txn(method, ms, status, fields, flags);
	int n = fired(t, id, sev);
	txn_free(t);
	return n;
}

static const char *const no_fields[] = { NULL };

static void test_missing_location(void **state)
{
	static const char *const loc[] = { "Location", "/new", NULL };
	static const char *const loc_lower[] = { "location", "/new", NULL };
	int sev = -1;
	for (int s = 301; s <= 308; s++) {
		int want = s == 301 || s == 302 || s == 303 || s == 307 || s == 308;
		assert_int_equal(check(HTTP_GET, "GET", s, no_fields, 0, "missing-location", &sev), want);
		if (want)
			assert_int_equal(sev, SEV_ERROR);
		assert_int_equal(check(HTTP_GET, "GET", s, loc, 0, "missing-location", NULL), 0);
	}
	assert_int_equal(check(HTTP_GET, "GET", 302, loc_lower, 0, "missing-location", NULL), 0);
	assert_int_equal(check(HTTP_POST, "POST", 201, no_fields, 0, "missing-location", &sev), 1);
	assert_int_equal(sev, SEV_WARNING);
	assert_int_equal(check(HTTP_POST, "POST", 201, loc, 0, "missing-location", NULL), 0);
	assert_int_equal(check(HTTP_GET, "GET", 200, no_fields, 0, "missing-location", NULL), 0);
	/* 300: Location is advice (info); 304 needs none. */
	assert_int_equal(check(HTTP_GET, "GET", 300, no_fields, 0, "missing-location", &sev), 1);
	assert_int_equal(sev, SEV_INFO);
	assert_int_equal(check(HTTP_GET, "GET", 300, loc, 0, "missing-location", NULL), 0);
	assert_int_equal(check(HTTP_GET, "GET", 304, no_fields, 0, "missing-location", NULL), 0);
	/* A head not read whole is not judged. */
	assert_int_equal(check(HTTP_GET, "GET", 301, no_fields, TXN_RESP_PARTIAL, "missing-location", NULL), 0);
	/* The response alone suffices: a redirect with no request seen is judged. */
	assert_int_equal(check(0, NULL, 301, no_fields, 0, "missing-location", NULL), 1);
}

static void test_missing_allow(void **state)
{
	static const char *const allow[] = { "Allow", "GET, HEAD", NULL };
	static const char *const empty_allow[] = { "Allow", "", NULL };
	int sev = -1;
	assert_int_equal(check(HTTP_PUT, "PUT", 405, no_fields, 0, "missing-allow", &sev), 1);
	assert_int_equal(sev, SEV_ERROR);
	assert_int_equal(check(HTTP_PUT, "PUT", 405, allow, 0, "missing-allow", NULL), 0);
	/* An empty Allow is valid: the resource allows no method. */
	assert_int_equal(check(HTTP_PUT, "PUT", 405, empty_allow, 0, "missing-allow", NULL), 0);
	assert_int_equal(check(HTTP_PUT, "PUT", 404, no_fields, 0, "missing-allow", NULL), 0);
}

static void test_missing_www_authenticate(void **state)
{
	static const char *const chal[] = { "WWW-Authenticate", "Basic realm=\"x\"", NULL };
	int sev = -1;
	assert_int_equal(check(HTTP_GET, "GET", 401, no_fields, 0, "missing-www-authenticate", &sev), 1);
	assert_int_equal(sev, SEV_ERROR);
	assert_int_equal(check(HTTP_GET, "GET", 401, chal, 0, "missing-www-authenticate", NULL), 0);
	assert_int_equal(check(HTTP_GET, "GET", 403, no_fields, 0, "missing-www-authenticate", NULL), 0);
}

static void test_missing_retry_after(void **state)
{
	static const char *const ra[] = { "Retry-After", "120", NULL };
	int sev = -1;
	assert_int_equal(check(HTTP_GET, "GET", 503, no_fields, 0, "missing-retry-after", &sev), 1);
	assert_int_equal(sev, SEV_WARNING);
	assert_int_equal(check(HTTP_GET, "GET", 503, ra, 0, "missing-retry-after", NULL), 0);
	assert_int_equal(check(HTTP_GET, "GET", 500, no_fields, 0, "missing-retry-after", NULL), 0);
}

static void test_body_forbidden(void **state)
{
	int sev = -1;
	assert_int_equal(check(HTTP_DELETE, "DELETE", 204, no_fields, TXN_STRAY_CONTENT, "body-forbidden", &sev), 1);
	assert_int_equal(sev, SEV_ERROR);
	assert_int_equal(check(HTTP_GET, "GET", 304, no_fields, TXN_STRAY_CONTENT, "body-forbidden", NULL), 1);
	assert_int_equal(check(HTTP_GET, "GET", 103, no_fields, TXN_STRAY_CONTENT | TXN_INTERIM, "body-forbidden", NULL), 1);
	/* No stray bytes: clean, whatever Content-Length says. */
	static const char *const cl[] = { "Content-Length", "100", NULL };
	assert_int_equal(check(HTTP_GET, "GET", 304, cl, 0, "body-forbidden", NULL), 0);
	/* After a 101 the bytes are the new protocol. */
	assert_int_equal(check(HTTP_GET, "GET", 101, no_fields, TXN_STRAY_CONTENT, "body-forbidden", NULL), 0);
	/* 200 may carry content. */
	assert_int_equal(check(HTTP_GET, "GET", 200, no_fields, TXN_STRAY_CONTENT, "body-forbidden", NULL), 0);
	/* 205: framed normally, but its content is forbidden. */
	struct txn *t = mk_txn(HTTP_POST, "POST", 205, no_fields, 0);
	t->resp_body = 3;
	assert_int_equal(fired(t, "body-forbidden", NULL), 1);
	txn_free(t);
	assert_int_equal(check(HTTP_POST, "POST", 205, no_fields, 0, "body-forbidden", NULL), 0);
}

static void test_head_body(void **state)
{
	int sev = -1;
	assert_int_equal(check(HTTP_HEAD, "HEAD", 200, no_fields, TXN_STRAY_CONTENT, "head-body", &sev), 1);
	assert_int_equal(sev, SEV_ERROR);
	assert_int_equal(check(HTTP_HEAD, "HEAD", 200, no_fields, 0, "head-body", NULL), 0);
	assert_int_equal(check(HTTP_GET, "GET", 200, no_fields, TXN_STRAY_CONTENT, "head-body", NULL), 0);
	/* HEAD answered by 204 with content: body-forbidden says it, once. */
	assert_int_equal(check(HTTP_HEAD, "HEAD", 204, no_fields, TXN_STRAY_CONTENT, "head-body", NULL), 0);
	assert_int_equal(check(HTTP_HEAD, "HEAD", 204, no_fields, TXN_STRAY_CONTENT, "body-forbidden", NULL), 1);
	/* Without the request, HEAD cannot be known. */
	assert_int_equal(check(0, NULL, 200, no_fields, TXN_STRAY_CONTENT, "head-body", NULL), 0);
}

static void test_cl_and_te(void **state)
{
	static const char *const both[] = { "Content-Length", "5", "Transfer-Encoding", "chunked", NULL };
	static const char *const te[] = { "Transfer-Encoding", "chunked", NULL };
	static const char *const cl[] = { "Content-Length", "5", NULL };
	int sev = -1;
	assert_int_equal(check(HTTP_GET, "GET", 200, both, 0, "cl-and-te", &sev), 1);
	assert_int_equal(sev, SEV_ERROR);
	assert_int_equal(check(HTTP_GET, "GET", 200, te, 0, "cl-and-te", NULL), 0);
	assert_int_equal(check(HTTP_GET, "GET", 200, cl, 0, "cl-and-te", NULL), 0);
	/* On the request side too. */
	struct txn *t = mk_txn(HTTP_POST, "POST", 200, cl, 0);
	head_unref(t->req);
	t->req = mk_head(0, HTTP_POST, "POST", "/", 0, NULL, both);
	assert_int_equal(fired(t, "cl-and-te", NULL), 1);
	assert_non_null(strstr(t->findings[0].msg, "request"));
	txn_free(t);
}

static void test_field_size_and_count(void **state)
{
	/* field-too-large: one line over 8 KiB; field-count-excessive: over 100 lines. */
	static char big[8200];
	memset(big, 'a', sizeof big - 1);
	const char *one_big[] = { "X-Big", big, NULL };
	const char *just_under[] = { "X-Big", big + (sizeof big - 1) - (8192 - 4 - 5), NULL }; /* a line of 8192 bytes */
	int sev = -1;
	assert_int_equal(check(HTTP_GET, "GET", 200, one_big, 0, "field-too-large", &sev), 1);
	assert_int_equal(sev, SEV_INFO);
	assert_int_equal(strlen(just_under[1]) + 5 + 4, 8192);
	assert_int_equal(check(HTTP_GET, "GET", 200, just_under, 0, "field-too-large", NULL), 0);
	static const char *many[2 * 102 + 1];
	for (int i = 0; i < 101; i++) {
		many[2 * i] = "X-N";
		many[2 * i + 1] = "1";
	}
	many[202] = NULL;
	assert_int_equal(check(HTTP_GET, "GET", 200, many, 0, "field-count-excessive", &sev), 1);
	assert_int_equal(sev, SEV_INFO);
	many[200] = NULL; /* 100 lines */
	assert_int_equal(check(HTTP_GET, "GET", 200, many, 0, "field-count-excessive", NULL), 0);
}

/* head_name_eq compares as strncasecmp does in the C locale, for every pair of bytes. */
static void test_name_eq(void **state)
{
	(void)state;
	for (int x = 1; x < 256; x++)
		for (int y = 1; y < 256; y++) {
			char a[3] = { 'k', (char)x, 0 }, b[3] = { 'K', (char)y, 0 };
			bool want = strncasecmp(a, b, 2) == 0;
			if (head_name_eq(a, b, 2) != want)
				fail_msg("head_name_eq(0x%02x, 0x%02x) is %d", x, y, !want);
		}
	char z[2] = { 0, 0 };
	assert_false(head_name_eq(z, "a", 1)); /* a NUL in a wire name matches no name */
	assert_true(head_name_eq("Content-Type", "content-TYPE", 12));
}

static void test_table(void **state)
{
	/* Ids are unique, kebab-case, and found by rule_by_id. */
	for (int i = 0; i < rule_count; i++) {
		const char *id = rule_table[i].id;
		assert_int_equal(rule_by_id(id), i);
		for (const char *p = id; *p; p++)
			assert_true((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-');
		assert_non_null(rule_table[i].summary);
		assert_true(strncmp(rule_table[i].ref, "RFC ", 4) == 0);
	}
	assert_int_equal(rule_by_id("no-such-rule"), -1);
	assert_int_equal(severity_parse("warning"), SEV_WARNING);
	assert_int_equal(severity_parse("fatal"), -1);
}

static void test_tchar(void **state)
{
	/* is_tchar's table against RFC 9110 §5.6.2's definition. */
	for (int c = 0; c < 256; c++) {
		bool want = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			    (c && strchr("!#$%&'*+-.^_`|~", c));
		assert_int_equal(is_tchar((unsigned char)c), want);
	}
	assert_true(is_token("Content-Type", 12));
	assert_false(is_token("Content Type", 12));
	assert_false(is_token("", 0));
}

/*
 * The transactions test_status_lists judges with every status code: between
 * them, each check that the engine calls for some codes only finds
 * something for one of its codes.
 */
struct variant {
	int method;
	const char *ms, *uri, *reason;
	const char *const *req;
	const char *const *resp;
	uint32_t flags;
	uint64_t resp_body;
	bool close_delimited;
	const char *first; /* the content's first bytes (first, nfirst), or NULL */
	const char *kept;  /* multipart content kept, or NULL */
};

static const char *const v_rich_req[] = { "Host", "example.com", "If-None-Match", "\"a\"", "Upgrade", "h2c",
					   "Expect", "100-continue", "If-Range", "\"x\"", NULL };
static const char *const v_rich_resp[] = { "ETag", "\"a\"", "Allow", "POST", "Content-Location",
					    "http://example.com/x", "Location", "http://example.com/x",
					    "Content-Range", "bytes 0-9/100", "Content-Length", "5", "Upgrade", "h2c",
					    "Content-Encoding", "gzip", NULL };
static const char *const v_host_req[] = { "Host", "example.com", NULL };
static const char *const v_inm_req[] = { "Host", "example.com", "If-None-Match", "\"a\"",
					  "If-Modified-Since", "Sun, 06 Nov 1994 08:49:37 GMT", NULL };
static const char *const v_etag_b_resp[] = { "ETag", "\"b\"", NULL };
static const char *const v_ims_req[] = { "Host", "example.com", "If-Modified-Since", "Sun, 06 Nov 1994 08:49:37 GMT",
					  NULL };
static const char *const v_ims_resp[] = { "Allow", "GET", "Last-Modified", "Sun, 06 Nov 1994 08:49:37 GMT",
					   "Content-Type", "text/html", NULL };
static const char *const v_cl_resp[] = { "Content-Location", "http://example.com/x", NULL };
static const char *const v_loc_resp[] = { "Location", "http://example.com/x", NULL };
static const char *const v_mp_resp[] = { "Content-Type", "multipart/byteranges", NULL };
static const char *const v_mpb_resp[] = { "Content-Type", "multipart/byteranges; boundary=b", NULL };

static const char *const v_codings_req[] = { "Host", "example.com", "Accept-Encoding", "br", NULL };
static const char *const v_codings_resp[] = { "Transfer-Encoding", "chunked, foo, chunked", "Content-Encoding", "gzip",
					       "Content-Type", "text/html; =x", "Date", "Mon, 07 Nov 1994 08:49:37 GMT",
					       "Retry-After", "Sun, 06 Nov 1994 08:49:37 GMT", "Last-Modified",
					       "Tue, 08 Nov 1994 08:49:37 GMT", NULL };

static const struct variant variants[] = {
	{ HTTP_GET, "GET", "/x", "Not Found", v_rich_req, v_rich_resp, TXN_STRAY_CONTENT | TXN_TUNNEL_SEEN, 10, true,
	  "HTTP/1.1 200 OK", NULL },
	{ HTTP_HEAD, "HEAD", "/x", "OK", v_host_req, no_fields, TXN_STRAY_CONTENT, 0, false, NULL, NULL },
	{ HTTP_DELETE, "DELETE", "/x", "OK", v_host_req, v_cl_resp, 0, 0, false, NULL, NULL },
	{ HTTP_GET, "GET", "/x", "OK", v_inm_req, v_etag_b_resp, 0, 0, false, NULL, NULL },
	{ HTTP_GET, "GET", "/x", "OK", v_ims_req, v_ims_resp, 0, 0, false, "\x89PNG\r\n\x1a\n", NULL },
	{ HTTP_OPTIONS, "OPTIONS", "*", "OK", v_host_req, v_loc_resp, 0, 0, false, NULL, NULL },
	{ HTTP_GET, "GET", "/x", "OK", v_host_req, v_mp_resp, 0, 0, false, NULL, NULL },
	{ HTTP_GET, "GET", "/x", "OK", v_host_req, v_mpb_resp, 0, 0, false, NULL, "--b\r\nX-Y: z\r\n\r\ndata\r\n--b--\r\n" },
	{ HTTP_GET, "GET", "/x", "OK", v_codings_req, v_codings_resp, 0, 0, false, "abcd", NULL },
};

static struct txn *mk_variant(const struct variant *v, int status)
{
	struct txn *t = txn_new();
	t->req = mk_head(0, v->method, v->ms, v->uri, 0, NULL, v->req);
	t->resp = mk_head(1, 0, NULL, NULL, status, v->reason, v->resp);
	t->resp->close_delimited = v->close_delimited;
	t->flags = v->flags | TXN_RESP_DONE;
	t->resp_body = v->resp_body;
	if (v->first) {
		size_t n = strlen(v->first) < sizeof t->first ? strlen(v->first) : sizeof t->first;
		memcpy(t->first, v->first, n);
		t->nfirst = (uint8_t)n;
	}
	if (v->kept) {
		t->kept = strdup(v->kept);
		t->kept_len = (uint32_t)strlen(v->kept);
		t->resp_body = t->kept_len;
	}
	return t;
}

static void test_status_lists(void **state)
{
	/* The engine calls a C check only for the codes rule.c lists it
	 * for: a check left out of a code's list must find nothing there,
	 * whatever the transaction.  And the variants must be rich enough to
	 * make each check that is left out somewhere find something. */
	bool enabled[RULE_COUNT];
	int fired_listed[RULE_COUNT] = { 0 };
	bool partial[RULE_COUNT] = { false };
	for (int i = 0; i < RULE_COUNT; i++) {
		enabled[i] = rule_table[i].enabled;
		rule_set_enabled(i, true);
	}
	for (int s = 0; s < STATUS_CODES; s++) {
		for (size_t v = 0; v < sizeof variants / sizeof variants[0]; v++) {
			struct txn *t = mk_variant(&variants[v], s);
			for (int i = 0; i < RULE_COUNT; i++) {
				if (!rule_table[i].check)
					continue;
				bool listed = rule_listed(i, (unsigned)s);
				partial[i] |= !listed;
				uint16_t before = t->nfindings;
				struct rule_out out = { t, (enum rule_id)i };
				rule_table[i].check(t, &out);
				if (!listed && t->nfindings != before)
					fail_msg("%s raised \"%s\" on status %d, which its list leaves out", rule_table[i].id,
						 t->findings[before].msg, s);
				fired_listed[i] += t->nfindings - before;
			}
			txn_free(t);
		}
	}
	for (int i = 0; i < RULE_COUNT; i++) {
		if (partial[i] && !fired_listed[i])
			fail_msg("no variant makes %s find anything: the test does not exercise its list", rule_table[i].id);
		rule_set_enabled(i, enabled[i]);
	}
}

/* fields (name, value pairs, NULL-ended) without those named name (any case), into out (room for 64 pointers). */
static const char *const *fields_without(const char *const *fields, const char *name, const char **out)
{
	int n = 0;
	for (int i = 0; fields[i]; i += 2) {
		if (strcasecmp(fields[i], name) == 0 || n + 3 > 64)
			continue;
		out[n++] = fields[i];
		out[n++] = fields[i + 1];
	}
	out[n] = NULL;
	return out;
}

/* The findings rule i's check raises on variant v with status s, when its request and response fields are these. */
static int check_raises(int i, const struct variant *v, int s, const char *const *req, const char *const *resp)
{
	struct variant w = *v;
	w.req = req;
	w.resp = resp;
	struct txn *t = mk_variant(&w, s);
	struct rule_out out = { t, (enum rule_id)i };
	rule_table[i].check(t, &out);
	int n = t->nfindings;
	txn_free(t);
	return n;
}

static void test_c_needs(void **state)
{
	/* The engine does not call a C check on heads that lack a field
	 * rule_c_need names: without any one of them, the check must find
	 * nothing, whatever else the transaction has.  And some variant with
	 * them makes it find something, so that the test exercises it. */
	int gated = 0;
	for (int i = 0; i < RULE_COUNT; i++) {
		if (!rule_c_need(i, true, 0) && !rule_c_need(i, false, 0))
			continue;
		gated++;
		assert_non_null(rule_table[i].check);
		bool enabled = rule_table[i].enabled;
		rule_set_enabled(i, true);
		int fired = 0;
		for (int s = 0; s < STATUS_CODES; s++) {
			for (size_t v = 0; v < sizeof variants / sizeof variants[0]; v++) {
				const struct variant *va = &variants[v];
				fired += check_raises(i, va, s, va->req, va->resp);
				const char *buf[65];
				const char *name;
				for (int k = 0; (name = rule_c_need(i, true, k)); k++)
					if (check_raises(i, va, s, va->req, fields_without(va->resp, name, buf)))
						fail_msg("%s raised something on status %d without %s in the response",
							 rule_table[i].id, s, name);
				if ((name = rule_c_need(i, false, 0)) &&
				    check_raises(i, va, s, fields_without(va->req, name, buf), va->resp))
					fail_msg("%s raised something on status %d without %s in the request", rule_table[i].id,
						 s, name);
			}
		}
		if (!fired)
			fail_msg("no variant makes %s find anything: the test does not exercise it", rule_table[i].id);
		rule_set_enabled(i, enabled);
	}
	assert_true(gated >= 10);
}

/* Registers the rules in text (a rules file named name) beside the built-in ones. */
static struct rules_file *add_rules(const char *name, const char *text, size_t len)
{
	char err[256];
	struct rules_file *rf = rules_file_parse(name, text, len, err, sizeof err);
	assert_non_null(rf);
	assert_int_equal(rules_file_register(rf, err, sizeof err), 0);
	rules_ready();
	return rf;
}

/* Back to the built-in rules alone, for the tests after this one. */
static void builtin_only(struct rules_file *rf)
{
	char err[256];
	rules_init();
	assert_int_equal(rules_load_builtin(err, sizeof err), 0);
	rules_ready();
	rules_file_free(rf);
}

static void test_memo_follows_rules(void **state)
{
	/* The engine remembers which steps a signature (status, names,
	 * what is lacking) ran; what it remembers must follow the rules:
	 * a rule disabled or added after a transaction like this one was
	 * judged counts for the next one. */
	static const char *const some[] = { "X-Seen", "1", NULL };
	int i = rule_by_id("missing-allow");
	assert_true(i >= 0);
	assert_int_equal(check(HTTP_GET, "GET", 405, some, 0, "missing-allow", NULL), 1);
	assert_int_equal(check(HTTP_GET, "GET", 405, some, 0, "missing-allow", NULL), 1);
	rule_set_enabled(i, false);
	assert_int_equal(check(HTTP_GET, "GET", 405, some, 0, "missing-allow", NULL), 0);
	/* A signature first seen while the rule was off leaves its steps
	 * out; turned on again, the rule runs for it. */
	static const char *const other[] = { "X-Other-Seen", "1", NULL };
	assert_int_equal(check(HTTP_GET, "GET", 405, other, 0, "missing-allow", NULL), 0);
	rule_set_enabled(i, true);
	assert_int_equal(check(HTTP_GET, "GET", 405, other, 0, "missing-allow", NULL), 1);
	static const char extra[] = "rules:\n"
				    "  - id: test-seen-on-405\n"
				    "    severity: info\n"
				    "    summary: a test rule\n"
				    "    when: { status: 405, response: { X-Seen: present } }\n"
				    "    require: { response: { X-Other: present } }\n"
				    "    message: X-Seen without X-Other\n";
	struct rules_file *rf = add_rules("extra.yaml", extra, sizeof extra - 1);
	assert_int_equal(check(HTTP_GET, "GET", 405, some, 0, "test-seen-on-405", NULL), 1);
	assert_int_equal(check(HTTP_GET, "GET", 405, some, 0, "missing-allow", NULL), 1);
	builtin_only(rf);
	assert_int_equal(check(HTTP_GET, "GET", 405, some, 0, "test-seen-on-405", NULL), 0);
}

/*
 * decl.c keeps regexec's answers for the values it saw last; every answer
 * must still be regexec's: for the same bytes asked again, for another
 * condition asking about the same bytes, after more values than the memo
 * holds, and for a value too long to be kept.
 */
static void test_regex_memo(void **state)
{
	/*
	 * Conditions are numbered in the order they are compiled, and which
	 * slots a value may take depends on its condition's number modulo
	 * the memo's 128 sets: with 127 conditions between them, the two
	 * asked about here take the same slots for the same value, which
	 * only the condition kept in the slot tells apart.
	 */
	static char extra[64 * 1024];
	size_t len = (size_t)snprintf(extra, sizeof extra, "rules:\n"
				      "  - id: test-memo-try\n"
				      "    severity: info\n"
				      "    summary: a test rule\n"
				      "    when: { response: { X-Mode: \"/(^|[ ,])tr?y([ ,]|$)/i\" } }\n"
				      "    message: X-Mode says try\n");
	for (int i = 0; i < 127; i++)
		len += (size_t)snprintf(extra + len, sizeof extra - len,
					"  - id: test-memo-filler-%d\n"
					"    severity: info\n"
					"    summary: a test rule\n"
					"    when: { response: { X-Filler: \"/^f%d$/\" } }\n"
					"    message: filler\n",
					i, i);
	len += (size_t)snprintf(extra + len, sizeof extra - len,
				"  - id: test-memo-lower\n"
				"    severity: info\n"
				"    summary: a test rule\n"
				"    when: { response: { X-Mode: \"/^[a-z]+$/\" } }\n"
				"    message: X-Mode is lower case\n");
	assert_true(len < sizeof extra);
	struct rules_file *rf = add_rules("memo.yaml", extra, len);
	regex_t re_try, re_lower;
	assert_int_equal(regcomp(&re_try, "(^|[ ,])tr?y([ ,]|$)", REG_EXTENDED | REG_NOSUB | REG_ICASE), 0);
	assert_int_equal(regcomp(&re_lower, "^[a-z]+$", REG_EXTENDED | REG_NOSUB), 0);
	struct decl_memo_stats before, after;
	char v[300];
	/* The same transaction judged again would be given its verdict
	 * (verdict.h) without a condition asked: this counts regexec's memo. */
	verdict_mode(VERDICT_OFF);
	const char *fields[] = { "X-Mode", v, NULL };
	/* Values seen once, and the first ones again after 3000 others. */
	for (int round = 0; round < 2; round++)
		for (int k = 0; k < 3000; k++) {
			if (round == 1 && k == 40)
				break;
			static const char *const words[] = { "try", "Ty", "retry", "tray", "x", "TRY" };
			snprintf(v, sizeof v, k % 7 ? "%s, n%d" : "%s%d", words[k % 6], k);
			struct txn *t = mk_txn(HTTP_GET, "GET", 200, fields, 0);
			assert_int_equal(fired(t, "test-memo-try", NULL), regexec(&re_try, v, 0, NULL, 0) == 0);
			assert_int_equal(fired(t, "test-memo-lower", NULL), regexec(&re_lower, v, 0, NULL, 0) == 0);
			txn_free(t);
		}
	/* The same bytes again: answered by the memo, for both conditions, with regexec's answer. */
	static const char *const again[] = { "Try", "try", "ty", "tryy" };
	for (int r = 0; r < 3; r++)
		for (size_t i = 0; i < sizeof again / sizeof again[0]; i++) {
			snprintf(v, sizeof v, "%s", again[i]);
			struct txn *t = mk_txn(HTTP_GET, "GET", 200, fields, 0);
			decl_memo_stats(&before);
			rules_evaluate(t);
			decl_memo_stats(&after);
			assert_int_equal(count_of(t, "test-memo-try"), regexec(&re_try, v, 0, NULL, 0) == 0);
			assert_int_equal(count_of(t, "test-memo-lower"), regexec(&re_lower, v, 0, NULL, 0) == 0);
			txn_free(t);
			assert_int_equal(after.misses - before.misses, r == 0 ? 2 : 0);
			assert_int_equal(after.hits - before.hits, r == 0 ? 0 : 2);
		}
	/* Too long to keep: matched every time, and counted. */
	memset(v, 'q', 250);
	memcpy(v + 120, " try ", 5);
	v[250] = 0;
	for (int r = 0; r < 2; r++) {
		struct txn *t = mk_txn(HTTP_GET, "GET", 200, fields, 0);
		decl_memo_stats(&before);
		rules_evaluate(t);
		decl_memo_stats(&after);
		assert_int_equal(count_of(t, "test-memo-try"), 1);
		assert_int_equal(count_of(t, "test-memo-lower"), 0);
		txn_free(t);
		assert_int_equal(after.long_values - before.long_values, 2);
		assert_int_equal(after.hits - before.hits, 0);
	}
	regfree(&re_try);
	regfree(&re_lower);
	verdict_mode(VERDICT_ON);
	builtin_only(rf);
}

/* Judges a response with status to a request of method ms, HTTP/1.minor, without fields; findings of id. */
static int check_request(const char *ms, uint8_t minor, int status, const char *id)
{
	struct txn *t = mk_txn(HTTP_GET, ms, status, no_fields, 0);
	t->req->minor = minor;
	int n = fired(t, id, NULL);
	txn_free(t);
	return n;
}

static void test_memo_follows_request(void **state)
{
	/* The engine passes over a case whose method or version the request
	 * does not have, and remembers that with the signature: transactions
	 * alike but for their requests' method or version, one after the
	 * other, are each judged by their own. */
	(void)state;
	for (int round = 0; round < 2; round++) {
		/* status-for-safe-method: 201, 202, 409 to GET, HEAD, OPTIONS, TRACE. */
		assert_int_equal(check_request("GET", 1, 201, "status-for-safe-method"), 1);
		assert_int_equal(check_request("POST", 1, 201, "status-for-safe-method"), 0);
		assert_int_equal(check_request("TRACE", 1, 201, "status-for-safe-method"), 1);
		assert_int_equal(check_request("PATCH", 1, 201, "status-for-safe-method"), 0);
		/* A method outside the classes the engine knows: the case decides. */
		assert_int_equal(check_request("PROPFIND", 1, 201, "status-for-safe-method"), 0);
		assert_int_equal(check_request("GET", 1, 201, "status-for-safe-method"), 1);
		/* not-modified-non-get: 304 to a method other than GET and HEAD. */
		assert_int_equal(check_request("GET", 1, 304, "not-modified-non-get"), 0);
		assert_int_equal(check_request("POST", 1, 304, "not-modified-non-get"), 1);
		assert_int_equal(check_request("PROPFIND", 1, 304, "not-modified-non-get"), 1);
		assert_int_equal(check_request("HEAD", 1, 304, "not-modified-non-get"), 0);
		assert_int_equal(check_request("DELETE", 1, 304, "not-modified-non-get"), 1);
		/* host-not-rejected: a 2xx or 3xx to an HTTP/1.1 request without Host. */
		assert_int_equal(check_request("GET", 1, 200, "host-not-rejected"), 1);
		assert_int_equal(check_request("GET", 0, 200, "host-not-rejected"), 0);
		assert_int_equal(check_request("GET", 1, 200, "host-not-rejected"), 1);
		assert_int_equal(check_request("GET", 9, 200, "host-not-rejected"), 0);
		assert_int_equal(check_request("PROPFIND", 1, 200, "host-not-rejected"), 1);
		assert_int_equal(check_request("PROPFIND", 0, 200, "host-not-rejected"), 0);
	}
}

/*
 * A declarative rule's conditions find their fields wherever they are:
 * behind other fields whose names share the name's bit (head_name_hash
 * % 64, which decl_names keeps a set of), in another case, among several
 * of the name (any one may match), and past field 255 of a head with more.
 */
static int probe_fired(const char *const *fields, uint32_t nfields_max)
{
	struct txn *t = txn_new();
	t->req = mk_head(0, HTTP_GET, "GET", "/x", 0, NULL, NULL);
	t->resp = mk_head_max(1, 0, NULL, NULL, 299, "Reason", fields, nfields_max);
	t->flags = TXN_RESP_DONE;
	assert_false(t->resp->truncated);
	int n = fired(t, "test-probe-needs-ok", NULL);
	txn_free(t);
	return n;
}

static void test_decl_finds_fields(void **state)
{
	static const char rule[] = "rules:\n"
				   "  - id: test-probe-needs-ok\n"
				   "    severity: info\n"
				   "    summary: a test rule\n"
				   "    when: { status: 299, response: { X-Probe: present, X-Absent: absent } }\n"
				   "    require: { response: { X-Need: '/^ok$/' } }\n"
				   "    message: X-Probe without X-Need ok\n";
	struct rules_file *rf = add_rules("probe.yaml", rule, sizeof rule - 1);
	/* Names whose bit is X-Need's, X-Probe's and X-Absent's, to stand in front. */
	static char same[3][32][16];
	const char *of[3] = { "X-Need", "X-Probe", "X-Absent" };
	for (int k = 0; k < 3; k++) {
		uint32_t want = head_name_hash(of[k], strlen(of[k])) % 64;
		int n = 0;
		for (int i = 0; n < 32; i++) {
			char name[16];
			snprintf(name, sizeof name, "C%d", i);
			if (head_name_hash(name, strlen(name)) % 64 == want)
				snprintf(same[k][n++], sizeof same[k][0], "%s", name);
		}
	}
	enum { MAXF = 600 };
	static const char *f[2 * MAXF + 1];
	static char filler[MAXF][16];
	for (int i = 0; i < MAXF; i++)
		snprintf(filler[i], sizeof filler[i], "F%d", i);
	/* Layouts 0 to 3: 0, 100, 200 or 300 fields, then the names that share
	 * bits, in front of the ones the rule reads; 4: those first, the rest after. */
	for (int layout = 0; layout < 5; layout++) {
		for (int ok = 0; ok < 2; ok++) {
			int n = 0;
			int before = layout == 3 ? 300 : layout == 4 ? 0 : layout * 100;
			for (int i = 0; i < before; i++) {
				f[n++] = filler[i];
				f[n++] = "v";
			}
			if (layout < 4)
				for (int k = 0; k < 3; k++)
					for (int i = 0; i < 32; i++) {
						f[n++] = same[k][i];
						f[n++] = "ok";
					}
			f[n++] = "x-probe"; /* the name in another case */
			f[n++] = "1";
			f[n++] = "X-Need";
			f[n++] = "no";
			f[n++] = "X-NEED";
			f[n++] = ok ? "ok" : "still no";
			if (layout == 4) {
				for (int k = 0; k < 3; k++)
					for (int i = 0; i < 32; i++) {
						f[n++] = same[k][i];
						f[n++] = "ok";
					}
				for (int i = 0; i < 100; i++) {
					f[n++] = filler[i];
					f[n++] = "v";
				}
			}
			f[n] = NULL;
			int want = ok ? 0 : 1;
			if (probe_fired(f, MAXF) != want)
				fail_msg("layout %d (%d fields in front), X-Need %s: the rule %s", layout, before,
					 ok ? "ok" : "not ok", ok ? "fired" : "did not fire");
		}
		/* With X-Absent present (behind the others) the rule does not apply. */
		int n = 0;
		f[n++] = "X-Probe";
		f[n++] = "1";
		for (int i = 0; i < (layout == 3 ? 300 : 0); i++) {
			f[n++] = filler[i];
			f[n++] = "v";
		}
		f[n++] = "X-Absent";
		f[n++] = "";
		f[n] = NULL;
		assert_int_equal(probe_fired(f, MAXF), 0);
	}
	builtin_only(rf);
}

static int load_rules(void **state)
{
	char err[256];
	rules_init();
	int r = rules_load_builtin(err, sizeof err);
	rules_ready(); /* the plans, as a run judges with them */
	return r;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_missing_location), cmocka_unit_test(test_missing_allow),
		cmocka_unit_test(test_decl_finds_fields),
		cmocka_unit_test(test_missing_www_authenticate), cmocka_unit_test(test_missing_retry_after),
		cmocka_unit_test(test_body_forbidden), cmocka_unit_test(test_head_body),
		cmocka_unit_test(test_cl_and_te), cmocka_unit_test(test_field_size_and_count),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_name_eq), cmocka_unit_test(test_tchar),
		cmocka_unit_test(test_status_lists), cmocka_unit_test(test_c_needs),
		cmocka_unit_test(test_memo_follows_rules), cmocka_unit_test(test_memo_follows_request),
		cmocka_unit_test(test_regex_memo),
	};
	return cmocka_run_group_tests(tests, load_rules, NULL);
}
