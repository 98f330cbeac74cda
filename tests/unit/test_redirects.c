/* test_redirects.c: resolving Location references (RFC 3986 §5.4.1's examples). */
#include "wl_test.h"

#include "redirects.h"

static void test_rfc3986_examples(void **state)
{
	static const char *const cases[][2] = {
		{ "g", "http://a/b/c/g" },        { "./g", "http://a/b/c/g" },     { "g/", "http://a/b/c/g/" },
		{ "/g", "http://a/g" },           { "//g", "http://g" },           { "?y", "http://a/b/c/d;p?y" },
		{ "g?y", "http://a/b/c/g?y" },    { "#s", "http://a/b/c/d;p?q" }, { "g#s", "http://a/b/c/g" },
		{ "g;x?y#s", "http://a/b/c/g;x?y" }, { "", "http://a/b/c/d;p?q" }, { ".", "http://a/b/c/" },
		{ "./", "http://a/b/c/" },        { "..", "http://a/b/" },         { "../", "http://a/b/" },
		{ "../g", "http://a/b/g" },       { "../..", "http://a/" },        { "../../g", "http://a/g" },
		{ "../../../g", "http://a/g" },   { "/./g", "http://a/g" },        { "/../g", "http://a/g" },
		{ "g/../h", "http://a/b/c/h" },   { "HTTPS://Other.Test/x", "https://other.test/x" },
		{ "  /spaced  ", "http://a/spaced" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char out[256];
		assert_true(redir_resolve("http://a/b/c/d;p?q", cases[i][0], strlen(cases[i][0]), out, sizeof out));
		if (strcmp(out, cases[i][1]) != 0)
			fail_msg("\"%s\" resolved to \"%s\", want \"%s\"", cases[i][0], out, cases[i][1]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc3986_examples),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
