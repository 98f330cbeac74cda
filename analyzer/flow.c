/* flow.c: the connection table (uthash) with its least-recently-active list. */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/*
 * The table's key is always one struct flow_key (40 bytes, its padding
 * zeroed by flow_key_make): hashed and compared as five 64-bit words
 * instead of by uthash's byte-wise Jenkins hash and memcmp (a third of
 * the instructions spent per packet outside the parser).  uthash keeps
 * its insertion order (flow_first) whatever the hash.  These macros must
 * come before uthash.h, and apply to this file only, where every
 * operation on the flow table is.
 */
#define FLOW_KEY_WORDS 5
static inline uint64_t flow__word(const void *p, unsigned i)
{
	uint64_t w;
	memcpy(&w, (const unsigned char *)p + 8 * i, 8);
	return w;
}

static inline unsigned flow__hash(const void *key)
{
	uint64_t h = 0;
	for (unsigned i = 0; i < FLOW_KEY_WORDS; i++)
		h = (h ^ flow__word(key, i)) * 0x9e3779b97f4a7c15ull;
	/*
	 * A product's low bits depend only on its factors' low bits, so
	 * after the loop a key's high bytes (a port in the first word's top
	 * half, an IPv6 address's last bytes) have reached only the high
	 * bits.  The slots and buckets are taken from the low bits and the
	 * worker from the high ones: fold the high bits down and multiply
	 * again, twice, so that every bit of the key reaches every bit of the
	 * hash (SplitMix64's finalizer).
	 */
	h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ull;
	h = (h ^ (h >> 27)) * 0x94d049bb133111ebull;
	h ^= h >> 31;
	return (unsigned)h;
}

static inline int flow__keycmp(const void *a, const void *b)
{
	uint64_t d = 0;
	for (unsigned i = 0; i < FLOW_KEY_WORDS; i++)
		d |= flow__word(a, i) ^ flow__word(b, i);
	return d != 0;
}

#define HASH_FUNCTION(keyptr, keylen, hashv) ((hashv) = flow__hash(keyptr))

#define HASH_KEYCMP(a, b, n) flow__keycmp(a, b)

#include "flow.h"

_Static_assert(sizeof(struct flow_key) == 8 * FLOW_KEY_WORDS, "struct flow_key is five 64-bit words");

uint32_t flow_key_hash(const struct flow_key *k)
{
	return flow__hash(k);
}

int flow_key_make(struct flow_key *k, const struct dec_pkt *p)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	if (p->family == 4) {
		/*
		 * The key's five words made in registers and stored whole: the
		 * hash reads them back as words, and a word load that several
		 * smaller stores wrote waits for them to reach the cache (no
		 * store forwarding), some 15 cycles a packet in the reader
		 * under -j (docs/performance.md).  Laid out as the struct is,
		 * little-endian: the family, three bytes of padding, the ports;
		 * then each address's four bytes, and twelve of zeros.
		 */
		uint32_t a, b;
		memcpy(&a, p->src, 4);
		memcpy(&b, p->dst, 4);
		uint32_t ha = ntohl(a), hb = ntohl(b);
		int side = ha < hb || (ha == hb && p->sport <= p->dport) ? 0 : 1;
		uint16_t p0 = side ? p->dport : p->sport, p1 = side ? p->sport : p->dport;
		uint64_t w[FLOW_KEY_WORDS] = { (uint64_t)4 | (uint64_t)p0 << 32 | (uint64_t)p1 << 48, side ? b : a, 0,
					       side ? a : b, 0 };
		memcpy(k, w, sizeof w);
		return side;
	}
#endif
	size_t alen = p->family == 4 ? 4 : 16;
	memset(k, 0, sizeof *k);
	k->family = p->family;
	int c;
	if (alen == 4) {
		/* memcmp's order on four bytes: their big-endian value's. */
		uint32_t a, b;
		memcpy(&a, p->src, 4);
		memcpy(&b, p->dst, 4);
		a = ntohl(a);
		b = ntohl(b);
		c = a < b ? -1 : a > b;
	} else {
		c = memcmp(p->src, p->dst, alen);
	}
	int side = c < 0 || (c == 0 && p->sport <= p->dport) ? 0 : 1;
	memcpy(k->addr[side], p->src, alen);
	memcpy(k->addr[!side], p->dst, alen);
	k->port[side] = p->sport;
	k->port[!side] = p->dport;
	return side;
}

/* hash's slot in front of the buckets, or NULL when there are none. */
static struct flow_front *front_of(const struct flow_table *t, unsigned hash)
{
	return t->front ? &t->front[hash % FLOW_FRONT_SLOTS] : NULL;
}

struct flow_entry *flow_find(struct flow_table *t, const struct flow_key *k)
{
	unsigned h = flow__hash(k);
	struct flow_front *f = front_of(t, h);
	if (f && f->e && f->hash == h && !flow__keycmp(&f->e->key, k))
		return f->e;
	struct flow_entry *e = NULL;
	HASH_FIND_BYHASHVALUE(hh, t->hash, k, sizeof *k, h, e);
	if (e && f)
		*f = (struct flow_front){ h, e };
	return e;
}

/* Kept out of link-time optimisation's analysis, as conn_prefetch is. */
#if defined(__GNUC__) && !defined(__clang__)
__attribute__((noipa))
#endif
void flow_prefetch(const struct flow_table *t, uint32_t hash)
{
	const struct flow_front *f = front_of(t, hash);
	if (f)
		__builtin_prefetch(f);
}

const struct flow_entry *flow_peek(const struct flow_table *t, uint32_t hash)
{
	const struct flow_front *f = front_of(t, hash);
	return f && f->hash == hash ? f->e : NULL;
}

void flow_insert(struct flow_table *t, struct flow_entry *e, int64_t now)
{
	if (!t->front)
		t->front = calloc(FLOW_FRONT_SLOTS, sizeof *t->front);
	HASH_ADD(hh, t->hash, key, sizeof e->key, e);
	struct flow_front *f = front_of(t, e->hh.hashv);
	if (f)
		*f = (struct flow_front){ e->hh.hashv, e };
	e->last_sec = now;
	DL_APPEND2(t->lru_head, e, lru_prev, lru_next);
	t->count++;
}

void flow_remove(struct flow_table *t, struct flow_entry *e)
{
	/* An entry is only ever in its own hash's slot. */
	struct flow_front *f = front_of(t, e->hh.hashv);
	if (f && f->e == e)
		f->e = NULL;
	HASH_DELETE(hh, t->hash, e);
	DL_DELETE2(t->lru_head, e, lru_prev, lru_next);
	t->count--;
}

void flow_touch(struct flow_table *t, struct flow_entry *e, int64_t now)
{
	if (now > e->last_sec)
		e->last_sec = now;
	if (t->lru_head->lru_prev != e) {
		DL_DELETE2(t->lru_head, e, lru_prev, lru_next);
		DL_APPEND2(t->lru_head, e, lru_prev, lru_next);
	}
}

void flow_table_free(struct flow_table *t)
{
	free(t->front);
	t->front = NULL;
}
