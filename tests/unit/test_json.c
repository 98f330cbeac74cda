/* test_json.c: wire bytes in JSON strings and text lines. */
#include "wl_test.h"

#include <stdio.h>
#include <stdlib.h>

#include "json.h"

static char *run(void (*fn)(FILE *, const char *, size_t), const char *p, size_t n)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	fn(f, p, n);
	fclose(f);
	return buf;
}

#define JSON_IS(in, n, want)                                     \
	do {                                                     \
		char *got = run(json_str, in, n);                \
		assert_string_equal(got, want);                  \
		free(got);                                       \
	} while (0)

static void test_plain_and_escapes(void **state)
{
	JSON_IS("GET", 3, "\"GET\"");
	JSON_IS("", 0, "\"\"");
	JSON_IS("a\"b\\c", 5, "\"a\\\"b\\\\c\"");
	JSON_IS("\r\n\t", 3, "\"\\r\\n\\t\"");
	JSON_IS("\x01\x1b\x7f", 3, "\"\\u0001\\u001b\\u007f\"");
	JSON_IS("a\0b", 3, "\"a\\u0000b\"");
}

static void test_utf8(void **state)
{
	/* Valid sequences pass through. */
	JSON_IS("caf\xc3\xa9", 5, "\"caf\xc3\xa9\"");
	JSON_IS("\xe6\x96\x87", 3, "\"\xe6\x96\x87\"");
	JSON_IS("\xf0\x9f\x98\x80", 4, "\"\xf0\x9f\x98\x80\"");
	/* Invalid bytes become the text \xNN (a backslash escaped in JSON). */
	JSON_IS("\xff", 1, "\"\\\\xff\"");
	JSON_IS("\xc3", 1, "\"\\\\xc3\"");                  /* cut sequence */
	JSON_IS("\xc0\xaf", 2, "\"\\\\xc0\\\\xaf\"");        /* overlong */
	JSON_IS("\xed\xa0\x80", 3, "\"\\\\xed\\\\xa0\\\\x80\""); /* surrogate */
	JSON_IS("\xf4\x90\x80\x80", 4, "\"\\\\xf4\\\\x90\\\\x80\\\\x80\""); /* past U+10FFFF */
	JSON_IS("a\xe6\x96", 3, "\"a\\\\xe6\\\\x96\"");      /* cut at the end */
}

static void test_text(void **state)
{
	char *got = run(text_str, "GET /a b\x1b[2J\xc3\xa9\\", 15);
	assert_string_equal(got, "GET /a b\\x1b[2J\\xc3\\xa9\\x5c");
	free(got);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_and_escapes),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
