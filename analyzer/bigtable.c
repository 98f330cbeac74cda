/* bigtable.c: large tables on huge pages (bigtable.h). */
#include "bigtable.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* A mapped table's length: whole huge pages, so that the last one is not cut. */
static size_t mapped_len(size_t n)
{
	return (n + BIGTABLE_HUGE - 1) & ~(BIGTABLE_HUGE - 1);
}

void *bt_alloc(size_t n)
{
	if (n < BIGTABLE_HUGE)
		return calloc(1, n ? n : 1);
	size_t len = mapped_len(n);
	/* One huge page more than needed, so that an aligned start lies within; the rest is given back. */
	char *base = mmap(NULL, len + BIGTABLE_HUGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (base == MAP_FAILED)
		return NULL;
	char *p = (char *)(((uintptr_t)base + BIGTABLE_HUGE - 1) & ~(uintptr_t)(BIGTABLE_HUGE - 1));
	if (p > base)
		munmap(base, (size_t)(p - base));
	size_t tail = (size_t)(base + len + BIGTABLE_HUGE - (p + len));
	if (tail)
		munmap(p + len, tail);
	/* Advice, not a requirement: without huge pages the table works the same. */
	(void)madvise(p, len, MADV_HUGEPAGE);
	return p;
}

void *bt_grow(void *p, size_t old, size_t n)
{
	if (n < BIGTABLE_HUGE) {
		char *q = realloc(p, n ? n : 1);
		if (q && n > old)
			memset(q + old, 0, n - old);
		return q;
	}
	if (p && old >= BIGTABLE_HUGE && mapped_len(old) >= n)
		return p; /* already mapped that far, and zero beyond old */
	char *q = bt_alloc(n);
	if (!q)
		return NULL;
	if (p) {
		memcpy(q, p, old);
		bt_free(p, old);
	}
	return q;
}

void bt_free(void *p, size_t n)
{
	if (!p)
		return;
	if (n < BIGTABLE_HUGE)
		free(p);
	else
		munmap(p, mapped_len(n));
}
