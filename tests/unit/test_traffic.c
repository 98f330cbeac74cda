/* test_traffic.c: the statistics' exact percentiles. */
#include "wl_test.h"

#include "traffic.h"

#include <stdlib.h>
#include <string.h>

static int by_value(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

/* The nearest-rank q% of n sorted values. */
static uint32_t ranked(const uint32_t *sorted, uint32_t n, unsigned q)
{
	uint64_t r = ((uint64_t)q * n + 99) / 100;
	return sorted[r ? r - 1 : 0];
}

/* A set of samples as lat_add keeps them, below its limit: exact. */
static void set_samples(struct tr_lat *l, const uint32_t *v, uint32_t n)
{
	l->v = malloc((n ? n : 1) * sizeof *v);
	assert_non_null(l->v);
	memcpy(l->v, v, n * sizeof *v);
	l->n = l->cap = n;
	l->count = n;
	l->max = 0;
	for (uint32_t i = 0; i < n; i++)
		if (v[i] > l->max)
			l->max = v[i];
}

/* tr_overall's p50, p90 and p99 of v are those of v sorted by qsort, and v itself is left as it was. */
static void check(const uint32_t *v, uint32_t n)
{
	struct traffic *tr = malloc(sizeof *tr);
	assert_non_null(tr);
	tr_init(tr, 16);
	set_samples(&tr->first, v, n);
	set_samples(&tr->last, v, n);
	uint32_t *sorted = malloc((n ? n : 1) * sizeof *sorted);
	assert_non_null(sorted);
	memcpy(sorted, v, n * sizeof *v);
	qsort(sorted, n, sizeof *sorted, by_value);
	struct tr_pct f, l;
	tr_overall(tr, &f, &l);
	assert_true(f.exact);
	assert_int_equal(f.count, n);
	assert_int_equal(f.p50, ranked(sorted, n, 50));
	assert_int_equal(f.p90, ranked(sorted, n, 90));
	assert_int_equal(f.p99, ranked(sorted, n, 99));
	assert_memory_equal(&f, &l, sizeof f);
	assert_memory_equal(tr->first.v, v, n * sizeof *v);
	free(sorted);
	tr_free(tr);
	free(tr);
}

static uint32_t next(uint64_t *s)
{
	*s = *s * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(*s >> 32);
}

/*
 * Sets of every size around the change from insertion to the radix sort
 * (32), and larger ones up to the overall limit (65536): values in every
 * byte, in a few bytes only, many alike, sorted, reversed.
 */
static void test_percentiles_exact(void **state)
{
	uint64_t seed = 7;
	static uint32_t v[65536];
	const uint32_t sizes[] = { 1, 2, 3, 9, 31, 32, 33, 34, 64, 100, 255, 256, 257, 1000, 4099, 34800, 65536 };
	for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
		uint32_t n = sizes[s];
		for (int shape = 0; shape < 6; shape++) {
			for (uint32_t i = 0; i < n; i++) {
				uint32_t x = next(&seed);
				switch (shape) {
				case 0: v[i] = x; break;                          /* every byte */
				case 1: v[i] = x % 5000000; break;                /* microseconds up to 5 s */
				case 2: v[i] = x % 7; break;                      /* many alike */
				case 3: v[i] = (x & 0xff00ff00u); break;          /* bytes 0 and 2 the same in all */
				case 4: v[i] = i * 3; break;                      /* sorted */
				default: v[i] = 0xffffffffu - i; break;           /* reversed, the top byte shared */
				}
			}
			check(v, n);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_percentiles_exact),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
