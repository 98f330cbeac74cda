/* bigtable.h: memory for large tables read at random (the history), on huge pages where the kernel allows. */
#ifndef WL_BIGTABLE_H
#define WL_BIGTABLE_H

#include <stddef.h>

/*
 * A table of n zeroed bytes.  From BIGTABLE_HUGE bytes on, it is mapped
 * on its own, aligned to 2 MiB and advised to the kernel as huge pages
 * (madvise MADV_HUGEPAGE; with transparent huge pages set to "madvise",
 * Debian's default, only such memory gets them): a table probed at random
 * then costs one TLB entry per 2 MiB instead of one per 4 KiB.  Pages are
 * only counted in the resident size once touched, as with malloc.
 * Smaller tables come from calloc.  NULL when memory is exhausted.
 */
void *bt_alloc(size_t n);

/* The table p of old bytes made n bytes (n >= old), its bytes kept and the new ones zeroed; NULL, p untouched, on failure. */
void *bt_grow(void *p, size_t old, size_t n);

/* Frees a table of n bytes from bt_alloc or bt_grow (n as it was asked for). */
void bt_free(void *p, size_t n);

#define BIGTABLE_HUGE ((size_t)2 << 20)

#endif
