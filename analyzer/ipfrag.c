/* ipfrag.c: IPv4 fragment reassembly, bounded in memory and time. */
#include "ipfrag.h"

#include <stdlib.h>
#include <string.h>

#include "uthash.h"
#include "utlist.h"

struct frag_key {
	uint8_t src[4], dst[4];
	uint16_t id;
	uint8_t proto;
	uint8_t pad;
};

struct frag_piece {
	struct frag_piece *next;
	uint32_t off, len;
	uint8_t data[];
};

struct frag_train {
	struct frag_key key;
	UT_hash_handle hh;
	struct frag_train *older, *newer;
	int64_t first_sec;
	uint8_t hdr[60];        /* the first fragment's header */
	uint32_t hlen;          /* 0 until the first fragment came */
	uint32_t total;         /* payload length, known from the last fragment; 0 before */
	uint64_t held;
	struct frag_piece *pieces; /* sorted by offset, not overlapping */
};

void frag_init(struct frag_table *t, uint64_t max_bytes, uint32_t timeout_s)
{
	memset(t, 0, sizeof *t);
	t->max_bytes = max_bytes;
	t->timeout_s = timeout_s;
}

static void train_free(struct frag_table *t, struct frag_train *f)
{
	HASH_DELETE(hh, t->hash, f);
	DL_DELETE2(t->oldest, f, older, newer);
	t->bytes -= f->held;
	struct frag_piece *p = f->pieces;
	while (p) {
		struct frag_piece *n = p->next;
		free(p);
		p = n;
	}
	free(f);
}

void frag_free(struct frag_table *t)
{
	while (t->oldest)
		train_free(t, t->oldest);
	free(t->out);
	t->out = NULL;
}

void frag_drop_all(struct frag_table *t)
{
	while (t->oldest) {
		t->dropped_timeout++;
		train_free(t, t->oldest);
	}
}

void frag_expire(struct frag_table *t, int64_t now)
{
	while (t->oldest && t->oldest->first_sec + (int64_t)t->timeout_s < now) {
		t->dropped_timeout++;
		train_free(t, t->oldest);
	}
}

/* Inserts payload bytes [off, off+len), keeping the first copy of each byte. */
static bool insert(struct frag_table *t, struct frag_train *f, uint32_t off, const uint8_t *p, uint32_t len)
{
	struct frag_piece **pp = &f->pieces;
	while (len > 0) {
		while (*pp && (*pp)->off + (*pp)->len <= off)
			pp = &(*pp)->next;
		uint32_t end = off + len;
		if (*pp && (*pp)->off <= off) {
			/* The start is covered already. */
			uint32_t skip = (*pp)->off + (*pp)->len - off;
			if (skip > len)
				skip = len;
			t->overlaps++;
			off += skip;
			p += skip;
			len -= skip;
			continue;
		}
		uint32_t take = *pp && (*pp)->off < end ? (*pp)->off - off : len;
		struct frag_piece *n = malloc(sizeof *n + take);
		if (!n)
			return false;
		n->off = off;
		n->len = take;
		memcpy(n->data, p, take);
		n->next = *pp;
		*pp = n;
		f->held += take;
		t->bytes += take;
		pp = &n->next;
		off += take;
		p += take;
		len -= take;
	}
	return true;
}

const uint8_t *frag_add(struct frag_table *t, const uint8_t *ip, uint32_t len, int64_t now, uint32_t *out_len)
{
	uint32_t hlen = (uint32_t)(ip[0] & 0x0f) * 4;
	uint16_t fo = (uint16_t)(ip[6] << 8 | ip[7]);
	bool more = (fo & 0x2000) != 0;
	uint32_t off = (uint32_t)(fo & 0x1fff) * 8;
	uint32_t plen = len - hlen;
	if (off + plen > 65535 - hlen)
		return NULL; /* a datagram longer than IPv4 allows */
	frag_expire(t, now);
	while (t->oldest && t->bytes + plen > t->max_bytes) {
		t->dropped_cap++;
		train_free(t, t->oldest);
	}
	if (plen > t->max_bytes) {
		t->dropped_cap++;
		return NULL;
	}

	struct frag_key k;
	memset(&k, 0, sizeof k);
	memcpy(k.src, ip + 12, 4);
	memcpy(k.dst, ip + 16, 4);
	k.id = (uint16_t)(ip[4] << 8 | ip[5]);
	k.proto = ip[9];
	struct frag_train *f;
	HASH_FIND(hh, t->hash, &k, sizeof k, f);
	if (!f) {
		f = calloc(1, sizeof *f);
		if (!f)
			return NULL;
		f->key = k;
		f->first_sec = now;
		HASH_ADD(hh, t->hash, key, sizeof k, f);
		DL_APPEND2(t->oldest, f, older, newer);
	}
	if (off == 0 && !f->hlen) {
		memcpy(f->hdr, ip, hlen);
		f->hlen = hlen;
	}
	if (!more && !f->total)
		f->total = off + plen;
	if (!insert(t, f, off, ip + hlen, plen)) {
		t->dropped_cap++;
		train_free(t, f);
		return NULL;
	}
	/* Complete: the header is known, and the pieces cover [0, total). */
	if (!f->hlen || !f->total)
		return NULL;
	uint32_t at = 0;
	for (struct frag_piece *p = f->pieces; p && p->off == at; p = p->next)
		at += p->len;
	if (at < f->total)
		return NULL;
	uint32_t n = f->hlen + f->total;
	if (n > t->out_cap) {
		uint8_t *o = realloc(t->out, n);
		if (!o) {
			train_free(t, f);
			return NULL;
		}
		t->out = o;
		t->out_cap = n;
	}
	memcpy(t->out, f->hdr, f->hlen);
	for (struct frag_piece *p = f->pieces; p && p->off < f->total; p = p->next) {
		uint32_t l = p->off + p->len > f->total ? f->total - p->off : p->len;
		memcpy(t->out + f->hlen + p->off, p->data, l);
	}
	t->out[2] = (uint8_t)(n >> 8);
	t->out[3] = (uint8_t)n;
	t->out[6] = t->out[7] = 0;
	t->reassembled++;
	train_free(t, f);
	*out_len = n;
	return t->out;
}
