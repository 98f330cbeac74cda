/* conn.h: one TCP connection: its two reassembled directions, their parsers, and the pairing. */
#ifndef WL_CONN_H
#define WL_CONN_H

#include <stdbool.h>
#include <stdint.h>

#include "decode.h"
#include "flow.h"
#include "evidence.h"
#include "http.h"
#include "hunt.h"
#include "reasm.h"
#include "txn.h"

struct engine;
struct seq_conn;

enum { SIDE_UNKNOWN = 2 };

struct conn_side {
	struct conn *c;
	int side;
};

struct conn {
	/*
	 * What a segment reads and writes first, on the lines after the flow
	 * entry's: with many connections a connection is out of the caches
	 * by its next segment, and each line is a miss (docs/performance.md,
	 * "A connection's hot fields together").  The rest follows.
	 */
	struct flow_entry fe;       /* first: the flow table holds conns */
	uint64_t touch_g;           /* -j: the order (engine.g) of its latest frame */
	struct pkt_meta cur;        /* the segment being fed */
	struct engine *eng;
	uint8_t client;             /* side of the client: 0, 1 or SIDE_UNKNOWN */
	bool syn_seen;
	bool http, not_http, tunnel;
	bool hx_ready;
	bool said_close;            /* a final response said the connection ends after it */
	bool pairing_lost;          /* a request was dropped at the pipelining cap */
	bool resp_gap;              /* a hole in the server's stream between responses, since the last response began */
	bool rst_seen;
	uint8_t resp_version;       /* major * 10 + minor of the first final response; 0 none yet */
	bool version_told, pipelining_told;
	uint32_t npend;
	uint32_t ntxn;
	uint32_t resp_gap_at;       /* where the first such hole began, in the server's sequence numbers */
	struct txn *pend_head, *pend_tail; /* requests awaiting their final response */
	struct txn *req_txn;        /* the request being read */
	struct txn *resp_txn;       /* the response being read */
	struct txn *check_txn;      /* a bodiless response whose next bytes are not seen yet */
	struct endpoints *ep;
	struct conn_side cs[2];
	struct reasm_dir rd[2];     /* by side: bytes sent by that side */
	struct hx_dir hx[2];        /* by side; ready once the client is known */
	struct pkt_meta msg_meta[2];/* where the current message of each side began */
	uint64_t id;
	struct seq_conn *sc;
	uint64_t overlap_told[2];   /* differing overlap bytes already reported, by side */
	uint64_t open_g;            /* -j: the order (engine.g) of its first frame */
	struct par_conn *pc;        /* -j: the merge's record of it */
	struct hunt orient[2];      /* before the client is known (no SYN seen) */
	struct ev_buf ev;           /* -w: this connection's packets, until its verdict */
};

/* A new connection for the segment p, numbered id; NULL when memory is exhausted. */
struct conn *conn_new(struct engine *e, const struct flow_key *k, uint64_t id);

/*
 * Asks for the lines of the connection whose flow key hashes to hash that
 * a segment sent by side reads, if t's front (flow_peek) holds it: a hint,
 * for a segment a few ahead of the one handled (-j's workers).
 */
void conn_prefetch(const struct flow_table *t, uint32_t hash, int side);

/* Handles one segment sent by side. */
void conn_segment(struct conn *c, int side, const struct dec_pkt *p, const struct pkt_meta *m);

/* Judges the response waiting for the bytes after it, without them (live capture, a quiet connection). */
void conn_settle(struct conn *c);

/* Whether both directions are finished (FIN delivered on both, or RST). */
bool conn_finished(const struct conn *c);

/* Whether c's bytes are passed over (not HTTP, a tunnel): both its directions are blind (reasm_blind). */
static inline bool conn_passed_over(const struct conn *c)
{
	return c->rd[0].blind;
}

/*
 * Flushes c: holes are declared, messages under way are cut, unanswered
 * requests are written; then c is freed.  The caller removes it from the
 * flow table first.
 */
void conn_close(struct conn *c);

#endif
