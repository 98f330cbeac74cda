/* bytes.h: a bounds-checked cursor over packet bytes. */
#ifndef WL_BYTES_H
#define WL_BYTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Decoders read packet memory only through these helpers.  Each one checks
 * that n bytes remain (written as len - off >= n, which cannot overflow);
 * on failure it sets bad and returns 0, so a decoder checks bad once at the
 * end of a header instead of after every field (tcpdump's GET_ macros,
 * without the longjmp).
 */
struct rd {
	const uint8_t *p;
	size_t len;
	size_t off;
	bool bad;
};

static inline struct rd rd_make(const uint8_t *p, size_t len)
{
	struct rd r = { p, len, 0, false };
	return r;
}

static inline bool rd_has(const struct rd *r, size_t n)
{
	return !r->bad && r->len - r->off >= n;
}

static inline size_t rd_left(const struct rd *r)
{
	return r->bad ? 0 : r->len - r->off;
}

static inline uint8_t rd_u8(struct rd *r)
{
	if (!rd_has(r, 1)) {
		r->bad = true;
		return 0;
	}
	return r->p[r->off++];
}

/* The big-endian 16- and 32-bit numbers at q, inside a span already checked (rd_span). */
static inline uint16_t be16_at(const uint8_t *q)
{
	return (uint16_t)(q[0] << 8 | q[1]);
}

static inline uint32_t be32_at(const uint8_t *q)
{
	return (uint32_t)q[0] << 24 | (uint32_t)q[1] << 16 | (uint32_t)q[2] << 8 | q[3];
}

static inline uint16_t rd_be16(struct rd *r)
{
	if (!rd_has(r, 2)) {
		r->bad = true;
		return 0;
	}
	uint16_t v = be16_at(r->p + r->off);
	r->off += 2;
	return v;
}

static inline uint32_t rd_be32(struct rd *r)
{
	if (!rd_has(r, 4)) {
		r->bad = true;
		return 0;
	}
	const uint8_t *q = r->p + r->off;
	r->off += 4;
	return be32_at(q);
}

static inline uint32_t rd_le32(struct rd *r)
{
	if (!rd_has(r, 4)) {
		r->bad = true;
		return 0;
	}
	const uint8_t *q = r->p + r->off;
	r->off += 4;
	return (uint32_t)q[3] << 24 | (uint32_t)q[2] << 16 | (uint32_t)q[1] << 8 | q[0];
}

static inline void rd_skip(struct rd *r, size_t n)
{
	if (!rd_has(r, n)) {
		r->bad = true;
		return;
	}
	r->off += n;
}

/* Returns a pointer to the next n bytes and advances, or NULL (bad set). */
static inline const uint8_t *rd_span(struct rd *r, size_t n)
{
	if (!rd_has(r, n)) {
		r->bad = true;
		return NULL;
	}
	const uint8_t *q = r->p + r->off;
	r->off += n;
	return q;
}

#endif
