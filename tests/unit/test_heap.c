/* test_heap.c: the main heap asked for in transparent huge pages. */
#include "wl_test.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "heap.h"

/* Built with a sanitizer, whose allocator does not grow the heap by brk (GCC's macros, clang's features). */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define WL_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define WL_SANITIZED 1
#endif
#endif
#ifndef WL_SANITIZED
#define WL_SANITIZED 0
#endif

/* Whether the kernel has transparent huge pages at all (enabled: always or madvise). */
static bool thp_offered(void)
{
	FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
	if (!f)
		return false;
	char line[128] = "";
	bool on = fgets(line, sizeof line, f) && !strstr(line, "[never]");
	fclose(f);
	return on;
}

/*
 * Whether every mapping that overlaps [lo, hi) in /proc/self/smaps has
 * the flag "hg" (MADV_HUGEPAGE), and together they cover it.
 */
static bool advised(uintptr_t lo, uintptr_t hi)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	assert_non_null(f);
	char line[512];
	uintptr_t a = 0, b = 0, covered = 0;
	bool in = false, all = true;
	while (fgets(line, sizeof line, f)) {
		unsigned long x, y;
		if (sscanf(line, "%lx-%lx ", &x, &y) == 2 && strchr(line, '-') < strchr(line, ' ')) {
			a = x;
			b = y;
			in = a < hi && b > lo;
		} else if (in && strncmp(line, "VmFlags:", 8) == 0) {
			if (!strstr(line, " hg"))
				all = false;
			covered += (b < hi ? b : hi) - (a > lo ? a : lo);
		}
	}
	fclose(f);
	return all && covered == hi - lo;
}

/*
 * The heap grows by HEAP_HUGE_BYTES and that range, from a huge page's
 * boundary on, is advised; small blocks allocated afterwards land in it.
 * Under a sanitizer's allocator (not brk) nothing is advised and nothing
 * can be checked; likewise without transparent huge pages.
 */
static void test_heap_advised(void **state)
{
	(void)state;
	void *at = NULL;
	size_t n = heap_prefer_huge_pages(&at);
#if WL_SANITIZED
	if (n == 0)
		skip();
#endif
	/* Set to "never", the kernel may still take the advice (and give no huge page). */
	if (!thp_offered())
		skip();
	uintptr_t lo = (uintptr_t)at, huge = (uintptr_t)2 << 20;
	assert_true(n >= HEAP_HUGE_BYTES - 2 * huge && n <= HEAP_HUGE_BYTES + huge);
	assert_int_equal(lo % huge, 0);
	assert_int_equal(n % huge, 0);
	assert_true(advised(lo, lo + n));
	/* 4 MiB in blocks under the mmap threshold: some of them in the range. */
	void *blk[64];
	int inside = 0;
	for (int i = 0; i < 64; i++) {
		blk[i] = malloc(64 << 10);
		assert_non_null(blk[i]);
		inside += (uintptr_t)blk[i] >= lo && (uintptr_t)blk[i] < lo + n;
	}
	for (int i = 0; i < 64; i++)
		free(blk[i]);
	assert_true(inside > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_heap_advised),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
