/* test_window.c: the readers' window of a file, and its buffers held by others (-j's batches) while it reads on. */
#include "wl_test.h"

#include <stdio.h>
#include <stdlib.h>

#include "window.h"

#define FILE_BYTES (3 * WINDOW_READ)

/* A file of FILE_BYTES bytes, byte i being i * 13 % 251. */
static FILE *numbered(void)
{
	FILE *f = tmpfile();
	assert_non_null(f);
	for (uint32_t i = 0; i < FILE_BYTES; i++)
		fputc((int)(i * 13 % 251), f);
	rewind(f);
	return f;
}

/* w, reading f ahead, with its first bytes read. */
static void open_filled(struct window *w, FILE *f)
{
	window_init(w, f, true);
	assert_int_equal(window_fill(w, 100), 1);
}

static bool bytes_are(const uint8_t *p, uint32_t from, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		if (p[i] != (uint8_t)((from + i) * 13 % 251))
			return false;
	return true;
}

/* Nobody holds the buffer: the window reads on in it, its bytes not yet parsed moved to its start. */
static void test_unheld_reused(void **state)
{
	FILE *f = numbered();
	struct window w;
	open_filled(&w, f);
	uint8_t *buf = w.buf;
	size_t first = w.end;
	w.pos = first - 10;
	assert_int_equal(window_fill(&w, 100), 1);
	assert_ptr_equal(w.buf, buf);
	assert_true(bytes_are(w.buf, (uint32_t)first - 10, (uint32_t)w.end));
	window_free(&w);
	fclose(f);
}

/*
 * Held: the window reads on into a new buffer, with the bytes not yet
 * parsed, and the held one keeps its bytes until the last holder lets
 * it go (AddressSanitizer would see a buffer freed early, or never).
 */
static void test_held_kept(void **state)
{
	FILE *f = numbered();
	atomic_uint live = 0;
	struct window w;
	open_filled(&w, f);
	size_t first = w.end;
	const uint8_t *old = w.buf;
	struct window_hold *a = window_hold(&w, &live), *b = window_hold(&w, &live);
	assert_non_null(a);
	assert_ptr_equal(a, b); /* one hold a buffer, counted once */
	assert_ptr_equal(a->buf, old);
	assert_int_equal(atomic_load(&live), 1);
	w.pos = first - 10;
	assert_int_equal(window_fill(&w, 100), 1);
	assert_ptr_not_equal(w.buf, old);
	assert_true(bytes_are(w.buf, (uint32_t)first - 10, (uint32_t)w.end));
	assert_true(bytes_are(old, 0, (uint32_t)first)); /* the held one as it was */
	assert_null(w.held);
	/* The new buffer is held on its own. */
	struct window_hold *c = window_hold(&w, &live);
	assert_ptr_not_equal(c, a);
	assert_int_equal(atomic_load(&live), 2);
	window_let_go(a);
	assert_true(bytes_are(old, 0, (uint32_t)first));
	window_let_go(b);
	assert_int_equal(atomic_load(&live), 1);
	/* The window done with the file while a holder is not: the holder frees it. */
	const uint8_t *cur = w.buf;
	size_t n = w.end;
	window_free(&w);
	assert_true(bytes_are(cur, (uint32_t)first - 10, (uint32_t)n));
	assert_int_equal(atomic_load(&live), 1);
	window_let_go(c);
	assert_int_equal(atomic_load(&live), 0);
	fclose(f);
}

/* Held, then let go before the window reads on: the buffer is the window's again, read on in place. */
static void test_let_go_before_fill(void **state)
{
	FILE *f = numbered();
	atomic_uint live = 0;
	struct window w;
	open_filled(&w, f);
	uint8_t *buf = w.buf;
	window_let_go(window_hold(&w, &live));
	assert_int_equal(atomic_load(&live), 1); /* the window's own hold still */
	w.pos = w.end;
	assert_int_equal(window_fill(&w, 100), 1);
	assert_ptr_equal(w.buf, buf);
	assert_null(w.held);
	assert_int_equal(atomic_load(&live), 0);
	window_free(&w);
	fclose(f);
}

/* The whole file read through windows held and let go in turn: every byte as written. */
static void test_read_through(void **state)
{
	FILE *f = numbered();
	atomic_uint live = 0;
	struct window w;
	window_init(&w, f, true);
	struct window_hold *prev = NULL;
	uint32_t at = 0;
	while (window_fill(&w, 1000) == 1) {
		assert_true(bytes_are(w.buf + w.pos, at, 1000));
		/* Held anew before the hold before is let go, as batches do. */
		struct window_hold *h = window_hold(&w, &live);
		if (prev)
			window_let_go(prev);
		prev = h;
		w.pos += 1000;
		at += 1000;
	}
	assert_int_equal(at, FILE_BYTES / 1000 * 1000);
	window_let_go(prev);
	window_free(&w);
	assert_int_equal(atomic_load(&live), 0);
	fclose(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unheld_reused),
		cmocka_unit_test(test_held_kept),
		cmocka_unit_test(test_let_go_before_fill),
		cmocka_unit_test(test_read_through),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
