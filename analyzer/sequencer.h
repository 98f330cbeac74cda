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
 * for which at_once, when set, is true goes out at once whatever its
 * turn: one that writes nothing but counts (engine.c), which gains
 * nothing by waiting and would hold its memory while it did.
 */
struct seq_conn;

struct sequencer {
	struct seq_conn *first, *last;
	uint64_t pending;
	uint64_t max_pending;
	uint64_t *reordered;
	void (*emit)(void *ctx, struct txn *t); /* takes ownership of t */
	bool (*at_once)(void *ctx, const struct txn *t); /* NULL, or as above */
	void *ctx;
};

void seq_init(struct sequencer *s, uint64_t max_pending, uint64_t *reordered,
	      void (*emit)(void *ctx, struct txn *t), void *ctx);

/* A new connection, last in order.  NULL only when memory is exhausted. */
struct seq_conn *seq_open(struct sequencer *s);

/* A finished transaction of c (ownership passes to the sequencer). */
void seq_push(struct sequencer *s, struct seq_conn *c, struct txn *t);

/* c will have no more transactions. */
void seq_close(struct sequencer *s, struct seq_conn *c);

#endif
