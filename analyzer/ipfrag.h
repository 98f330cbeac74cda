/* ipfrag.h: IPv4 fragment reassembly, bounded in memory and time. */
#ifndef WL_IPFRAG_H
#define WL_IPFRAG_H

#include <stdbool.h>
#include <stdint.h>

struct frag_train;

/*
 * Datagrams are keyed by source, destination, protocol and identification
 * (RFC 791).  The first copy of each fragment byte wins.  At most
 * max_bytes are held over all datagrams; a datagram not complete within
 * timeout_s seconds of capture time is dropped.  Drops are counted.
 */
struct frag_table {
	struct frag_train *hash;
	struct frag_train *oldest;          /* utlist DL list by first fragment, oldest first */
	uint64_t bytes;
	uint64_t max_bytes;
	uint32_t timeout_s;
	uint8_t *out;       /* the last datagram put together */
	uint32_t out_cap;
	uint64_t reassembled, dropped_cap, dropped_timeout, overlaps;
};

void frag_init(struct frag_table *t, uint64_t max_bytes, uint32_t timeout_s);
void frag_free(struct frag_table *t);

/*
 * Adds the IPv4 fragment ip[0..len) (len = the header's total length, all
 * captured) seen at capture second now.  When it completes its datagram,
 * returns the whole datagram (header with MF and offset cleared) and sets
 * *out_len; the bytes stay valid until the next call.  Otherwise NULL.
 */
const uint8_t *frag_add(struct frag_table *t, const uint8_t *ip, uint32_t len, int64_t now, uint32_t *out_len);

/* Drops every datagram still incomplete (end of a file), counted as timed out. */
void frag_drop_all(struct frag_table *t);

/* Drops datagrams older than the timeout. */
void frag_expire(struct frag_table *t, int64_t now);

#endif
