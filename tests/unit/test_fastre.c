/* test_fastre.c: the hand-written matchers of rules/fastre.c give regexec's answer on valid and broken values. */
#include "wl_test.h"

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>

#include "fastre.h"

/* Values near what the patterns accept; the mutations below break them every way. */
static const char *const seeds[] = {
	"Sun, 06 Nov 1994 08:49:37 GMT", "Mon, 31 Dec 2029 23:59:59 GMT", "Tue, 01 Jan 0000 00:00:00 GMT",
	"Wed, 15 Feb 2023 12:00:00 GMT", "Thu, 09 Mar 2023 12:00:00 GMT", "Fri, 28 Apr 2023 12:00:00 GMT",
	"Sat, 13 May 2023 12:00:00 GMT", "Sun, 18 Jun 2023 12:00:00 GMT", "Mon, 10 Jul 2023 12:00:00 GMT",
	"Tue, 22 Aug 2023 12:00:00 GMT", "Wed, 04 Sep 2023 12:00:00 GMT", "Thu, 26 Oct 2023 12:00:00 GMT",
	"Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994", "sun, 06 nov 1994 08:49:37 gmt",
	"\"abc\"", "W/\"abc\"", "\"\"", "W/\"\"", "\"W/\"", "W/\"a\"b\"", "w/\"x\"", "W/x", "\"a", "a\"",
	"\"5f2b-3a\"", "W/\"\"\"", "0", "00", "000", "0123", "120", "1234567890123", " \t1234567890123 \t",
	"99999999999999999999", "123456789012", " 1", "", "x",
	"nginx/1.25.3 (Ubuntu) OpenSSL/3.0.2 mod_perl/2.0.12 Perl/v5.34.0 some/other-token and a comment here..",
	"https://example.com/a/b?c=d&e=f#frag", "/api/v2/items/42", "//cdn.example/x.js", "../up", "?q=[1]~_-@!$'()*+,;=%20",
	"mailto:a@b.c", "/a b", "/a\"b", "/<x>", "/a\\b", "/^`{|}", "#", "http://[::1]:8080/",
};

static const char subst[] = "09aAW/\"\\ \t,:GMTSun\n\r\x01\x7f\x80\xc3\xa9\xff#[]<>^`{|}~@";

static regex_t re[16];
static fastre_fn fn[16];
static int npat;
static long checks;

/* Every known pattern gives regexec's answer on s (no NUL inside). */
static void agree(const char *s, size_t n)
{
	for (int i = 0; i < npat; i++) {
		bool want = regexec(&re[i], s, 0, NULL, 0) == 0;
		bool got = fn[i](s, n);
		checks++;
		if (want != got)
			fail_msg("pattern /%s/ on \"%.*s\" (%zu bytes): regexec %d, code %d", fastre_pattern((size_t)i),
				 (int)n, s, n, want, got);
	}
}

/* s and every value one edit away from it: a byte changed, removed or added, a prefix. */
static void agree_around(const char *s)
{
	char b[512];
	size_t n = strlen(s);
	agree(s, n);
	for (size_t k = 0; k <= n; k++) {
		memcpy(b, s, k);
		b[k] = 0;
		agree(b, k);
		for (const char *c = subst; *c; c++) {
			if (k < n) {
				memcpy(b, s, n + 1);
				b[k] = *c;
				agree(b, n);
			}
			memcpy(b, s, k);
			b[k] = *c;
			memcpy(b + k + 1, s + k, n - k + 1);
			agree(b, n + 1);
		}
		if (k < n) {
			memcpy(b, s, k);
			memcpy(b + k, s + k + 1, n - k);
			agree(b, n - 1);
		}
	}
}

static void test_patterns_compile(void **state)
{
	(void)state;
	npat = 0;
	for (const char *p; (p = fastre_pattern((size_t)npat)) != NULL; npat++) {
		assert_true(npat < 16);
		assert_int_equal(regcomp(&re[npat], p, REG_EXTENDED | REG_NOSUB), 0);
		fn[npat] = fastre_find(p, false);
		assert_non_null(fn[npat]);
		assert_null(fastre_find(p, true)); /* REG_ICASE is another pattern */
	}
	assert_true(npat >= 8);
	assert_null(fastre_find("^[0-9]+", false));
}

static void test_edits_of_seeds(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof seeds / sizeof seeds[0]; i++)
		agree_around(seeds[i]);
	/* Every byte but NUL, alone and inside a value. */
	for (int c = 1; c < 256; c++) {
		char one[2] = { (char)c, 0 }, in[6] = { '/', 'a', (char)c, 'b', 0, 0 };
		agree(one, 1);
		agree(in, 4);
	}
	/* Around the 100-byte limit of server-too-long, with any bytes. */
	char b[160];
	for (size_t n = 95; n < 106; n++)
		for (const char *c = subst; *c; c++) {
			memset(b, *c, n);
			b[n] = 0;
			agree(b, n);
		}
}

static void test_random_values(void **state)
{
	(void)state;
	/* Random values from an alphabet weighted to the patterns' bytes, and from all bytes but NUL. */
	static const char alpha[] = "0123456789 \t,:/\"WGMTSunMonDecNov\xff\x80#?&=%[]";
	char b[160];
	srand(12345);
	for (int r = 0; r < 60000; r++) {
		size_t n = (size_t)(rand() % 40);
		if (r % 10 == 0)
			n = 95 + (size_t)(rand() % 12);
		for (size_t k = 0; k < n; k++)
			b[k] = r % 3 ? alpha[rand() % (int)(sizeof alpha - 1)] : (char)(1 + rand() % 255);
		b[n] = 0;
		agree(b, n);
	}
	for (int i = 0; i < npat; i++)
		regfree(&re[i]);
	printf("fastre: %ld comparisons with regexec\n", checks);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_patterns_compile),
		cmocka_unit_test(test_edits_of_seeds),
		cmocka_unit_test(test_random_values),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
