/* compressed.h: captures saved compressed: gzip read through zlib, the others named. */
#ifndef WL_COMPRESSED_H
#define WL_COMPRESSED_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum compression {
	CMP_NONE,
	CMP_GZIP,
	CMP_ZSTD,
	CMP_XZ,
	CMP_BZIP2,
	CMP_LZ4,
	CMP_ZIP,
};

/* The compression whose magic number the first n bytes of a file start with. */
enum compression cmp_of(const uint8_t *head, size_t n);

/* Its name ("gzip"), and the command that writes it out whole ("gzip -dc"). */
const char *cmp_name(enum compression c);
const char *cmp_command(enum compression c);

/*
 * A stream of the bytes gzip-compressed in raw (read from where it
 * stands, and not closed with it): one member after another, as gzip
 * writes files appended to each other.  Closing it frees what zlib held.
 * NULL when memory is short.  A damaged or cut stream ends the bytes
 * early; gz_error then says why.
 */
struct gz;
FILE *gz_open(FILE *raw, struct gz **g);

/* The compressed bytes read so far: how far into the file the stream
 * is, for the progress line's percent. */
uint64_t gz_raw_read(const struct gz *g);

/* Why the stream ended before its end ("the gzip data is cut short"), or
 * NULL; asked before the stream is closed, which frees g. */
const char *gz_error(const struct gz *g);

#endif
