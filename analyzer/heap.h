/* heap.h: the main heap in transparent huge pages, where the kernel gives them. */
#ifndef WL_HEAP_H
#define WL_HEAP_H

#include <stddef.h>

/* The range of the main heap asked for in huge pages. */
#define HEAP_HUGE_BYTES ((size_t)64 << 20)

/*
 * Has glibc grow its main heap (brk) by HEAP_HUGE_BYTES at a time and
 * asks the kernel to back the range it grew into with transparent huge
 * pages (madvise MADV_HUGEPAGE), so that a connection's scattered state
 * costs fewer page walks (docs/performance.md, "The heap in huge
 * pages").  Returns the bytes advised, from *start on: 0 when none (the
 * allocator does not grow by brk, as a sanitizer's does not, or the
 * kernel refused).  Call it once, early: only what the heap grows into
 * afterwards is covered.  The heap then grows, and keeps at its top when
 * trimmed, HEAP_HUGE_BYTES at a time (M_TOP_PAD, for every arena).
 */
size_t heap_prefer_huge_pages(void **start);

#endif
