/* sequencer.h: keeps output in connection order: by connection start, then within each connection. */
#ifndef WL_SEQUENCER_H
#define WL_SEQUENCER_H

#include <stdbool.h>
#include <stdint.h>

#include "txn.h"

/*
 * Transactions finish in whatever order the traffic dictates; the output
 * is ordered by connection start, then by order within the connection.
 * The oldest open connection's transactions go out at once; later
 * connections' wait until every connection before them has closed.  At
 * most max_pending wait: past that all waiting ones are written, and the
 * count of those written out of order goes to *reordered.  A transaction
 * about to wait is given to hold, when set, which returns what is to wait
 * in its stead (a smaller copy, say) and takes ownership of it; the copy
 * may live in its connection's room (seq_room).
 */
struct seq_conn;
struct room_chunk;

/* Chunks of room given back that are kept for the next connections: 512 KiB. */
#define SEQ_SPARE_MAX 32

struct sequencer {
	struct seq_conn *first, *last;
	uint64_t pending;
	uint64_t max_pending;
	uint64_t *reordered;
	void (*emit)(void *ctx, struct txn *t); /* takes ownership of t */
	struct txn *(*hold)(void *ctx, struct seq_conn *c, struct txn *t); /* NULL, or as above */
	void *ctx;
	struct room_chunk *spare; /* chunks given back, for the next connections' room */
	int nspare;
};

void seq_init(struct sequencer *s, uint64_t max_pending, uint64_t *reordered,
	      void (*emit)(void *ctx, struct txn *t), void *ctx);

/* Gives back what s keeps: call once every connection is closed. */
void seq_free(struct sequencer *s);

/* A new connection, last in order.  NULL only when memory is exhausted. */
struct seq_conn *seq_open(struct sequencer *s);

/* A finished transaction of c (ownership passes to the sequencer). */
void seq_push(struct sequencer *s, struct seq_conn *c, struct txn *t);

/* c will have no more transactions. */
void seq_close(struct sequencer *s, struct seq_conn *c);

/*
 * n bytes (aligned as malloc's) in c's room: memory for what waits in
 * c's stead (hold), taken in chunks and given back all at once when c's
 * waiting transactions have been written, so that each costs neither a
 * malloc nor a free and they lie one after the other; the sequencer keeps
 * up to SEQ_SPARE_MAX chunks given back for the next connections.  A transaction put
 * there carries TXN_SEQ_ROOM (txn_free leaves it).  NULL when memory ran
 * out.
 */
void *seq_room(struct seq_conn *c, size_t n);

#endif
