/* test_fingerprint.c: endpoints, fingerprints, Community IDs and baselines: the values CI pipelines keep. */
#include "wl_test.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "baseline.h"
#include "communityid.h"
#include "fingerprint.h"
#include "txn.h"

static void endpoint_is(const char *uri, const char *want)
{
	char out[256];
	size_t l = fp_endpoint(uri, strlen(uri), out, sizeof out);
	if (strcmp(out, want) != 0 || l != strlen(want))
		fail_msg("endpoint of %s: %s, want %s", uri, out, want);
}

static void test_endpoints(void **state)
{
	endpoint_is("/users/42/orders?x=1", "/users/{id}/orders");
	endpoint_is("/items/0f8fad5b-d9cb-469f-a165-70867728950e", "/items/{id}");
	endpoint_is("/blob/0f8fad5bd9cb469fa16570867728950e#frag", "/blob/{id}");
	endpoint_is("http://a.test:8080/v2/users/7", "/v2/users/{id}");
	endpoint_is("/v2/item7", "/v2/item7");           /* a word with a digit is no id */
	endpoint_is("/0f8fad5b-d9cb-469f-a165", "/0f8fad5b-d9cb-469f-a165"); /* not a whole UUID */
	endpoint_is("/", "/");
	endpoint_is("*", "*");
	endpoint_is("/a//b/", "/a//b/");
	endpoint_is("?q=1", "/");
}

static void endpoint_cut_is(const char *uri, size_t n, const char *want)
{
	char out[256];
	memset(out, 'x', sizeof out);
	size_t l = fp_endpoint(uri, strlen(uri), out, n);
	if (strcmp(out, want) != 0 || l != strlen(want))
		fail_msg("endpoint of %s in %zu bytes: %s, want %s", uri, n, out, want);
}

static void test_endpoint_cut(void **state)
{
	/* Cut to fit, NUL included; an id cut like any other segment. */
	endpoint_cut_is("/users/42/orders", 10, "/users/{i");
	endpoint_cut_is("/users/42/orders", 7, "/users");
	endpoint_cut_is("/users/42/orders", 8, "/users/");
	endpoint_cut_is("/users/42/orders", 12, "/users/{id}");
	endpoint_cut_is("/users/42/orders", 13, "/users/{id}/");
	endpoint_cut_is("/users/42/orders", 1, "");
	endpoint_cut_is("/1/2/3", 256, "/{id}/{id}/{id}");
	/* Bytes outside printable ASCII are written '?', the id test made on the bytes as sent. */
	endpoint_cut_is("/a\x01" "b/\xff/7", 256, "/a?b/?/{id}");
}

static void test_parts(void **state)
{
	/* The parts of a fingerprint: the Host lower-cased without :80,
	 * every part printable ASCII. */
	static const char *const req[] = { "Host", "API.Test:80", NULL };
	struct txn *t = txn_new();
	t->req = mk_head(0, 1, "GET", "/Users/42?x=1", 0, NULL, req);
	t->resp = mk_head(1, 0, NULL, NULL, 404, "Not Found", NULL);
	struct fp_parts p;
	memset(&p, 'x', sizeof p);
	fp_parts_of(t, "some-rule", &p);
	assert_string_equal(p.rule, "some-rule");
	assert_string_equal(p.server, "api.test");
	assert_string_equal(p.method, "GET");
	assert_string_equal(p.endpoint, "/Users/{id}");
	assert_int_equal(p.status, 404);
	assert_int_equal(p.server_len, 8);
	assert_int_equal(p.method_len, 3);
	assert_int_equal(p.endpoint_len, 11);
	txn_free(t);

	static const char *const odd[] = { "Host", "A\x01.\xc3\xa9", NULL };
	t = txn_new();
	t->req = mk_head(0, 1, "G\x7fT", "/\x1b", 0, NULL, odd);
	memset(&p, 'x', sizeof p);
	fp_parts_of(t, "r", &p);
	assert_string_equal(p.server, "a?.??");
	assert_string_equal(p.method, "G?T");
	assert_string_equal(p.endpoint, "/?");
	assert_int_equal(p.status, 0);
	txn_free(t);

	/* No request: no method, no endpoint. */
	t = txn_new();
	t->resp = mk_head(1, 0, NULL, NULL, 200, "OK", NULL);
	memset(&p, 'x', sizeof p);
	fp_parts_of(t, "r", &p);
	assert_string_equal(p.method, "");
	assert_string_equal(p.endpoint, "");
	assert_int_equal(p.status, 200);
	assert_int_equal(p.method_len, 0);
	assert_int_equal(p.endpoint_len, 0);
	assert_int_equal(p.server_len, strlen(p.server));
	txn_free(t);
}

static void test_hash_is_stable(void **state)
{
	/* Baselines written by one version are read by the next: the hash of
	 * fixed parts must never change. */
	struct fp_parts p = { .rule = "missing-location", .server = "api.test", .method = "GET",
			      .endpoint = "/users/{id}", .status = 302 };
	char fp[17];
	fp_hash(&p, fp);
	assert_string_equal(fp, "6c853857b75910b1"); /* FNV-1a 64 of "missing-location\0api.test\0GET\0/users/{id}\0302" */
	p.status = 301;
	char other[17];
	fp_hash(&p, other);
	assert_string_not_equal(fp, other);
}

static void test_community_id(void **state)
{
	/* The specification's example: TCP 128.232.110.120:34855 -> 66.35.250.204:80,
	 * either way round. */
	struct flow_key k = { .family = 4 };
	inet_pton(AF_INET, "128.232.110.120", k.addr[0]);
	inet_pton(AF_INET, "66.35.250.204", k.addr[1]);
	k.port[0] = 34855;
	k.port[1] = 80;
	char id[COMMUNITY_ID_LEN];
	assert_true(community_id(&k, id));
	assert_string_equal(id, "1:LQU9qZlK+B5F3KDmev6m5PMibrg=");
	struct flow_key r = { .family = 4 };
	memcpy(r.addr[0], k.addr[1], 4);
	memcpy(r.addr[1], k.addr[0], 4);
	r.port[0] = 80;
	r.port[1] = 34855;
	char id2[COMMUNITY_ID_LEN];
	assert_true(community_id(&r, id2));
	assert_string_equal(id, id2);
}

/* A file under TMPDIR (ctest's scratch directory) holding text; the caller
 * unlinks it. */
static char *write_tmp(const char *text)
{
	static char path[4096];
	const char *dir = getenv("TMPDIR");
	snprintf(path, sizeof path, "%s/wl-baseline-XXXXXX", dir && *dir ? dir : "/tmp");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

static void test_baseline_counts(void **state)
{
	struct baseline b;
	bl_init(&b, 10);
	const char *path = write_tmp("{\"version\":1,\"findings\":[{\"fingerprint\":\"00000000000000aa\",\"rule\":\"r\","
				     "\"server\":\"s\",\"method\":\"GET\",\"endpoint\":\"/\",\"status\":200,\"count\":2}]}");
	char err[256];
	assert_true(bl_load(&b, path, err, sizeof err));
	unlink(path);
	/* Two occurrences accepted: two findings suppressed, a third not. */
	assert_true(bl_take(&b, "00000000000000aa"));
	assert_true(bl_take(&b, "00000000000000aa"));
	assert_false(bl_take(&b, "00000000000000aa"));
	assert_false(bl_take(&b, "00000000000000bb"));
	assert_int_equal(bl_unmatched(&b), 0);
	bl_free(&b);
}

static void test_baseline_errors(void **state)
{
	static const struct {
		const char *text, *want;
	} bad[] = {
		{ "{\"version\":1,\"findings\":[\n{\"rule\":\n", ":3:0: " },
		{ "[]", ": not a wirelint baseline (version 1)" },
		{ "{\"version\":2,\"findings\":[]}", ": not a wirelint baseline (version 1)" },
		{ "{\"version\":1,\"findings\":{}}", ": 'findings' is not a list" },
		{ "{\"version\":1,\"findings\":[{\"fingerprint\":\"xyz\",\"rule\":\"r\",\"server\":\"s\",\"method\":\"m\","
		  "\"endpoint\":\"/\",\"status\":1,\"count\":1}]}",
		  ": finding 1 lacks fingerprint (16 hex digits)" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct baseline b;
		bl_init(&b, 10);
		const char *path = write_tmp(bad[i].text);
		char err[256] = "";
		assert_false(bl_load(&b, path, err, sizeof err));
		char want[320];
		snprintf(want, sizeof want, "%s%s", path, bad[i].want);
		if (strncmp(err, want, strlen(want)) != 0)
			fail_msg("case %zu: got \"%s\", want \"%s...\"", i, err, want);
		unlink(path);
		bl_free(&b);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_endpoints),     cmocka_unit_test(test_endpoint_cut),
		cmocka_unit_test(test_parts),         cmocka_unit_test(test_hash_is_stable),
		cmocka_unit_test(test_community_id),  cmocka_unit_test(test_baseline_counts),
		cmocka_unit_test(test_baseline_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
