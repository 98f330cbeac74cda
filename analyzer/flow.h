/* flow.h: the table of tracked TCP connections, keyed by address and port pairs. */
#ifndef WL_FLOW_H
#define WL_FLOW_H

#include <stdbool.h>
#include <stdint.h>

#include "decode.h"
#include "uthash.h"
#include "utlist.h"

/*
 * The key is normalised: side 0 is the endpoint that sorts first, so both
 * directions of a connection find the same entry with one hash probe.
 */
struct flow_key {
	uint8_t family;
	uint8_t pad[3];
	uint16_t port[2];
	uint8_t addr[2][16];
};

/* Embedded first in whatever the table holds (struct conn). */
struct flow_entry {
	struct flow_key key;
	UT_hash_handle hh;
	struct flow_entry *lru_prev, *lru_next; /* least recently active first */
	int64_t last_sec;                       /* capture time of the last packet */
};

/*
 * In front of uthash's buckets, a direct-mapped array of the entries last
 * found or added, by hash: a lookup is one probe of one slot, and reads
 * no other connection.  uthash keeps about two entries a bucket (32
 * buckets for 64 connections), chained through the entries themselves,
 * so a lookup read the lines of about two connections, out of the caches
 * by the time a connection's next packet came (docs/performance.md).
 * The table works the same without it (when its allocation failed).
 */
#define FLOW_FRONT_SLOTS 4096
struct flow_front {
	uint32_t hash;
	struct flow_entry *e;                   /* NULL: empty */
};

struct flow_table {
	struct flow_entry *hash;
	struct flow_entry *lru_head;            /* utlist DL list: lru_head->lru_prev is the newest */
	uint32_t count;
	struct flow_front *front;               /* FLOW_FRONT_SLOTS, made with the first entry; or NULL */
};

/* Fills k from a segment and returns the sender's side (0 or 1). */
int flow_key_make(struct flow_key *k, const struct dec_pkt *p);

/*
 * The table's hash of a key: the same for both directions (the key is
 * normalised), so it also picks the worker that owns a connection (-j).
 */
uint32_t flow_key_hash(const struct flow_key *k);

struct flow_entry *flow_find(struct flow_table *t, const struct flow_key *k);

/* Asks for the slot of the front (below) that a key hashed to hash has, to be brought into the cache: a hint. */
void flow_prefetch(const struct flow_table *t, uint32_t hash);

/*
 * The entry in that slot if it was found or added with that hash, or
 * NULL: most likely the key's, but not surely (keys are not compared), so
 * only good for asking for its memory ahead.
 */
const struct flow_entry *flow_peek(const struct flow_table *t, uint32_t hash);

/* Adds e (its key set) as the most recently active entry. */
void flow_insert(struct flow_table *t, struct flow_entry *e, int64_t now);

void flow_remove(struct flow_table *t, struct flow_entry *e);

/* Frees what the table itself holds (its entries are the caller's, removed first). */
void flow_table_free(struct flow_table *t);

/* Marks e active at now (moves it to the end of the LRU list). */
void flow_touch(struct flow_table *t, struct flow_entry *e, int64_t now);

/* The least recently active entry, or NULL. */
static inline struct flow_entry *flow_oldest(const struct flow_table *t)
{
	return t->lru_head;
}

/* The first entry in insertion order (connection start), or NULL. */
static inline struct flow_entry *flow_first(const struct flow_table *t)
{
	return t->hash;
}

#endif
