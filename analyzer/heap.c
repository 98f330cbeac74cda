/* heap.c: the main heap in transparent huge pages. */
#include "heap.h"

#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

/* The huge page size of x86-64 and arm64 with 4 KiB pages. */
#define HUGE_PAGE ((uintptr_t)2 << 20)

/* Allocations that make glibc grow its heap: below its mmap threshold, so from the heap. */
#define GROW_BLOCK (64u << 10)
#define GROW_TRIES 8

size_t heap_prefer_huge_pages(void **start)
{
	*start = NULL;
	/* Every time the heap grows, by this much more than asked: the next
	 * growth is one range, advised here, rather than many small ones. */
	if (!mallopt(M_TOP_PAD, (int)HEAP_HUGE_BYTES))
		return 0;
	char *before = sbrk(0);
	void *blk[GROW_TRIES] = { 0 };
	for (int i = 0; i < GROW_TRIES && (char *)sbrk(0) == before; i++)
		blk[i] = malloc(GROW_BLOCK);
	/* Given back first: glibc may trim the top of the heap as they
	 * go, and what it keeps is what is advised. */
	for (int i = 0; i < GROW_TRIES; i++)
		free(blk[i]);
	char *after = sbrk(0);
	size_t n = 0;
	/* Grown by brk, and by no more than asked (another allocator's
	 * heap, or a break moved by something else, is left alone). */
	if (before != (char *)-1 && after > before &&
	    (size_t)(after - before) <= HEAP_HUGE_BYTES + GROW_TRIES * GROW_BLOCK) {
		uintptr_t lo = ((uintptr_t)before + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
		uintptr_t hi = (uintptr_t)after & ~(HUGE_PAGE - 1);
		if (hi > lo && madvise((void *)lo, hi - lo, MADV_HUGEPAGE) == 0) {
			*start = (void *)lo;
			n = hi - lo;
		}
	}
	return n;
}
