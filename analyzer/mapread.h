/* mapread.h: a stream that reads a regular file through a sliding read-only mapping. */
#ifndef WL_MAPREAD_H
#define WL_MAPREAD_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

/*
 * Reading a capture with read(2) costs the kernel a page-cache lookup and a
 * copy per page, more than the copy itself (docs/performance.md).  This
 * stream copies from a window of the file mapped read-only instead: the
 * window (4 MiB) moves forward as the file is read and the one behind is
 * unmapped, so the mapped part of the file, resident or not, stays within
 * one window however large the file is.
 *
 * The file is read as far as it is long when a window is mapped, so a file
 * that grows while it is read is read on, as with read(2).  A file that
 * shrinks under a mapped window would raise SIGBUS on the first page past
 * its new end: that fault is caught, the bytes up to the new end are read,
 * then the read fails with EIO and mapread_shrank() says so; the process is
 * not killed.  When the file
 * cannot be mapped (a file system without mmap), it is read with pread(2).
 */
struct mapread;

/* A stream reading fd from byte start; fd is closed with the stream.  NULL with errno on failure. */
FILE *mapread_open(int fd, off_t start, struct mapread **mr);

/* Whether a read failed because the file became shorter than its mapped window; *size is its length then. */
bool mapread_shrank(const struct mapread *mr, uint64_t *size);

#endif
