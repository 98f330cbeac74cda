/* test_hunt.c: finding message starts, whole and split across segments. */
#include "wl_test.h"

#include <stdlib.h>

#include "hunt.h"

/* Scans s in pieces of size step; returns the match result, fills m and the absolute end offset. */
/* The match's prefix may point into the hunt, so it outlives the call. */
static struct hunt h;

static int scan_split(uint8_t kinds, bool strict, const char *s, size_t step, struct hunt_match *m, size_t *abs_end)
{
	hunt_init(&h, kinds, strict);
	size_t n = strlen(s), off = 0;
	while (off < n) {
		size_t k = n - off < step ? n - off : step;
		int r = hunt_scan(&h, (const uint8_t *)s + off, k, m);
		if (r != 0) {
			*abs_end = off + m->end;
			return r;
		}
		off += k;
	}
	return 0;
}

static void test_strict_starts(void **state)
{
	struct hunt_match m;
	size_t end;
	for (size_t step = 1; step <= 20; step++) {
		assert_int_equal(scan_split(HUNT_REQUEST, true, "GET / HTTP/1.1\r\n", step, &m, &end), 1);
		assert_int_equal(m.kind, HUNT_REQUEST);
		assert_int_equal(end, 4);
		assert_int_equal(m.prefix_len, 4);
		assert_memory_equal(m.prefix, "GET ", 4);
		assert_int_equal(scan_split(HUNT_RESPONSE, true, "\r\nHTTP/1.1 200 OK\r\n", step, &m, &end), 1);
		assert_int_equal(m.kind, HUNT_RESPONSE);
		assert_int_equal(end, 9);
		assert_int_equal(m.skipped, 2);
		assert_int_equal(scan_split(HUNT_EITHER, true, "M-SEARCH * HTTP/1.1", step, &m, &end), 1);
		assert_int_equal(m.kind, HUNT_REQUEST);
	}
}

static void test_strict_failures(void **state)
{
	struct hunt_match m;
	size_t end;
	/* TLS, an unknown method, a response where a request must be, body bytes. */
	assert_int_equal(scan_split(HUNT_EITHER, true, "\x16\x03\x01\x02\x00", 1, &m, &end), -1);
	assert_int_equal(end, 0);
	assert_int_equal(scan_split(HUNT_REQUEST, true, "FETCH / HTTP/1.1", 3, &m, &end), -1);
	assert_int_equal(scan_split(HUNT_REQUEST, true, "HTTP/1.1 200 OK", 3, &m, &end), -1);
	assert_int_equal(scan_split(HUNT_RESPONSE, true, "helloHTTP/1.1 200 OK", 2, &m, &end), -1);
	assert_int_equal(end, 0);
	assert_int_equal(scan_split(HUNT_RESPONSE, true, "HTTX/1.1", 2, &m, &end), -1);
	assert_int_equal(end, 3);
	/* HTTP/2's preface is not HTTP/1.x. */
	assert_int_equal(scan_split(HUNT_EITHER, true, "PRI * HTTP/2.0\r\n", 4, &m, &end), -1);
}

static void test_loose(void **state)
{
	struct hunt_match m;
	size_t end;
	for (size_t step = 1; step <= 9; step++) {
		/* A status line anywhere, even straight after body bytes. */
		assert_int_equal(scan_split(HUNT_RESPONSE, false, "helloHHTTP/1.1 200 OK", step, &m, &end), 1);
		assert_int_equal(end, 13);
		assert_int_equal(m.skipped, 6);
		/* A request line only at the start of a line. */
		assert_int_equal(scan_split(HUNT_REQUEST, false, "xGET /a\r\nPOST /b HTTP/1.1", step, &m, &end), 1);
		assert_memory_equal(m.prefix, "POST ", 5);
		assert_int_equal(end, 14);
		assert_int_equal(m.skipped, 9);
	}
	assert_int_equal(scan_split(HUNT_EITHER, false, "no message start here at all", 5, &m, &end), 0);
}

static void test_methods(void **state)
{
	assert_true(hunt_is_method("GET", 3));
	assert_true(hunt_is_method("M-SEARCH", 8));
	assert_true(hunt_is_method("PROPPATCH", 9));
	assert_false(hunt_is_method("get", 3));
	assert_false(hunt_is_method("GE", 2));
	assert_false(hunt_is_method("PRI", 3));
}

/*
 * hunt_start_len names the prefix a fresh hunt, strict or loose, matches
 * at the first byte, with nothing skipped, and nothing else: on starts, near
 * starts, every cut of them, and random bytes drawn from a start's.
 */
static void test_start_len(void **state)
{
	static const char *const inputs[] = {
		"GET / HTTP/1.1\r\n", "HTTP/1.1 200 OK\r\n", "M-SEARCH * HTTP/1.1", "PROPPATCH /x HTTP/1.1",
		"\r\nGET / HTTP/1.1", "GET/ HTTP/1.1", "get / HTTP/1.1", "FOO / HTTP/1.1", "HTTP/2 200",
		"XGET / HTTP/1.1", " GET / HTTP/1.1", "HTTP/1.0 404 x", "ABCDEFGHIJKLMNOPQRSTU / HTTP/1.1",
		"SOURCE / HTTP/1.1", "DESCRIBE rtsp://x RTSP/1.0",
	};
	static const char swap[] = "GETHTP/1. \r\nA-Sx";
	char buf[32];
	srand(7);
	for (int i = 0; i < 3000; i++) {
		const char *s = inputs[i % (int)(sizeof inputs / sizeof *inputs)];
		size_t n = strlen(s);
		memcpy(buf, s, n);
		if (i >= 200) /* a byte changed to another of a start's */
			buf[rand() % n] = swap[rand() % (sizeof swap - 1)];
		for (size_t cut = 1; cut <= n; cut++) {
			for (int k = 0; k < 6; k++) {
				uint8_t kinds = (uint8_t)(1 + k % 3);
				size_t len = hunt_start_len(kinds, (const uint8_t *)buf, cut);
				struct hunt_match m;
				hunt_init(&h, kinds, k < 3);
				int r = hunt_scan(&h, (const uint8_t *)buf, cut, &m);
				if (r == 1 && m.skipped == 0)
					assert_int_equal(len, m.end);
				else
					assert_int_equal(len, 0);
			}
		}
	}
	size_t n = hunt_start_len(HUNT_REQUEST, (const uint8_t *)"GET / HTTP/1.1", 14);
	assert_int_equal(n, 4);
	n = hunt_start_len(HUNT_RESPONSE, (const uint8_t *)"GET / HTTP/1.1", 14);
	assert_int_equal(n, 0);
	n = hunt_start_len(HUNT_RESPONSE, (const uint8_t *)"HTTP/1.1 200", 12);
	assert_int_equal(n, 7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strict_starts),
		cmocka_unit_test(test_strict_failures),
		cmocka_unit_test(test_loose),
		cmocka_unit_test(test_methods),
		cmocka_unit_test(test_start_len),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
