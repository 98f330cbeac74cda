/* test_bigtable.c: large tables: zeroed, kept across growth, aligned for huge pages. */
#include "wl_test.h"

#include <stdlib.h>

#include "bigtable.h"

/* Whether n bytes at p are all zero. */
static bool zero(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

static void test_alloc_zeroed(void **state)
{
	size_t sizes[] = { 0, 100, BIGTABLE_HUGE - 1, BIGTABLE_HUGE, BIGTABLE_HUGE + 4097, 3 * BIGTABLE_HUGE };
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		unsigned char *p = bt_alloc(sizes[i]);
		assert_non_null(p);
		assert_true(zero(p, sizes[i]));
		if (sizes[i] >= BIGTABLE_HUGE)
			assert_int_equal((uintptr_t)p % BIGTABLE_HUGE, 0); /* a huge page can back it from its start */
		bt_free(p, sizes[i]);
	}
}

/* Grows a table through every size class, each time filling it; what was written stays and the rest is zero. */
static void test_grow_keeps_and_zeroes(void **state)
{
	size_t steps[] = { 64, 4096, BIGTABLE_HUGE / 2, BIGTABLE_HUGE + 1, BIGTABLE_HUGE + 8192, 2 * BIGTABLE_HUGE,
			   5 * BIGTABLE_HUGE };
	unsigned char *p = NULL;
	size_t n = 0;
	for (size_t s = 0; s < sizeof steps / sizeof steps[0]; s++) {
		unsigned char *q = bt_grow(p, n, steps[s]);
		assert_non_null(q);
		for (size_t i = 0; i < n; i++)
			if (q[i] != (unsigned char)(i * 7 + 1))
				fail_msg("byte %zu lost growing from %zu to %zu bytes", i, n, steps[s]);
		assert_true(zero(q + n, steps[s] - n));
		for (size_t i = n; i < steps[s]; i++)
			q[i] = (unsigned char)(i * 7 + 1);
		p = q;
		n = steps[s];
	}
	bt_free(p, n);
}

/* Within the huge pages already mapped, a table grows in place. */
static void test_grow_in_place(void **state)
{
	unsigned char *p = bt_alloc(BIGTABLE_HUGE + 1);
	assert_non_null(p);
	p[BIGTABLE_HUGE] = 9;
	unsigned char *q = bt_grow(p, BIGTABLE_HUGE + 1, 2 * BIGTABLE_HUGE);
	assert_ptr_equal(p, q);
	assert_int_equal(q[BIGTABLE_HUGE], 9);
	assert_true(zero(q + BIGTABLE_HUGE + 1, BIGTABLE_HUGE - 1));
	bt_free(q, 2 * BIGTABLE_HUGE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alloc_zeroed),
		cmocka_unit_test(test_grow_keeps_and_zeroes),
		cmocka_unit_test(test_grow_in_place),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
