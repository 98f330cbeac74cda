/* compressed.c: captures saved compressed: gzip read through zlib, the others named. */
#define _GNU_SOURCE /* fopencookie */
#include "compressed.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <zlib.h>

static const struct {
	uint8_t magic[6];
	size_t n;
	const char *name, *command;
} kinds[] = {
	[CMP_GZIP] = { { 0x1f, 0x8b }, 2, "gzip", "gzip -dc" },
	[CMP_ZSTD] = { { 0x28, 0xb5, 0x2f, 0xfd }, 4, "zstd", "zstd -dc" },
	[CMP_XZ] = { { 0xfd, '7', 'z', 'X', 'Z', 0 }, 6, "xz", "xz -dc" },
	[CMP_BZIP2] = { { 'B', 'Z', 'h' }, 3, "bzip2", "bzip2 -dc" },
	[CMP_LZ4] = { { 0x04, 0x22, 0x4d, 0x18 }, 4, "lz4", "lz4 -dc" },
	[CMP_ZIP] = { { 'P', 'K', 3, 4 }, 4, "zip", "funzip" },
};

enum compression cmp_of(const uint8_t *head, size_t n)
{
	for (size_t k = CMP_GZIP; k < sizeof kinds / sizeof kinds[0]; k++)
		if (n >= kinds[k].n && memcmp(head, kinds[k].magic, kinds[k].n) == 0)
			return (enum compression)k;
	return CMP_NONE;
}

const char *cmp_name(enum compression c)
{
	return c == CMP_NONE ? "none" : kinds[c].name;
}

const char *cmp_command(enum compression c)
{
	return c == CMP_NONE ? "cat" : kinds[c].command;
}

struct gz {
	z_stream z;
	FILE *raw;
	bool member;  /* inside a member, its end not yet seen */
	bool ended;   /* raw has no more bytes */
	uint64_t raw_read; /* bytes read from raw */
	char err[128];
	unsigned char in[64 << 10];
};

/*
 * Up to size bytes inflated.  0 at the end, and when the data is cut short,
 * damaged or followed by what is not gzip (err says which): the capture's
 * reader then stops as at the end of a file, and reports what it read.
 */
static ssize_t gz_read(void *cookie, char *buf, size_t size)
{
	struct gz *g = cookie;
	uInt want = size > UINT32_MAX ? UINT32_MAX : (uInt)size; /* uInt: zlib's 32-bit count */
	g->z.next_out = (Bytef *)buf;
	g->z.avail_out = want;
	while (g->z.avail_out == want && !g->err[0]) {
		if (!g->z.avail_in) {
			if (g->ended)
				break;
			size_t n = fread(g->in, 1, sizeof g->in, g->raw);
			if (!n) {
				g->ended = true;
				if (ferror(g->raw))
					snprintf(g->err, sizeof g->err, "reading the gzip data: %s", strerror(errno));
				else if (g->member)
					snprintf(g->err, sizeof g->err, "the gzip data is cut short (its end is missing)");
				break;
			}
			g->raw_read += n;
			g->z.next_in = g->in;
			g->z.avail_in = (uInt)n;
		}
		/* Members follow each other (gzip a b > c); anything else after one is not gzip. */
		if (!g->member && g->z.next_in[0] != 0x1f) {
			snprintf(g->err, sizeof g->err, "what follows the gzip data is not gzip");
			break;
		}
		g->member = true;
		int rc = inflate(&g->z, Z_NO_FLUSH);
		if (rc == Z_STREAM_END) {
			g->member = false;
			inflateReset(&g->z);
		} else if (rc != Z_OK && rc != Z_BUF_ERROR) {
			snprintf(g->err, sizeof g->err, "the gzip data is damaged (%s)", g->z.msg ? g->z.msg : zError(rc));
		}
	}
	return (ssize_t)(want - g->z.avail_out);
}

static int gz_close(void *cookie)
{
	struct gz *g = cookie;
	inflateEnd(&g->z);
	free(g);
	return 0;
}

FILE *gz_open(FILE *raw, struct gz **out)
{
	struct gz *g = calloc(1, sizeof *g);
	if (!g)
		return NULL;
	g->raw = raw;
	/* 16 + the largest window: a gzip wrapper, not zlib's. */
	if (inflateInit2(&g->z, 16 + MAX_WBITS) != Z_OK) {
		free(g);
		return NULL;
	}
	cookie_io_functions_t io = { .read = gz_read, .close = gz_close };
	FILE *f = fopencookie(g, "rb", io);
	if (!f) {
		gz_close(g);
		return NULL;
	}
	*out = g;
	return f;
}

uint64_t gz_raw_read(const struct gz *g)
{
	return g->raw_read;
}

const char *gz_error(const struct gz *g)
{
	return g->err[0] ? g->err : NULL;
}
