/* parallel.h: -j N: connections sharded over worker threads, their results merged in one thread's order. */
#ifndef WL_PARALLEL_H
#define WL_PARALLEL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/time.h>

struct engine;
struct conn;
struct dec_pkt;
struct flow_key;
struct wl_stats;
struct txn;

/*
 * The reading thread decodes each frame and hands it, in batches, to the
 * shard that owns its connection (a symmetric hash of the addresses and
 * ports: both directions land on the same shard), and so to the worker
 * thread that owns the shard.  Workers reassemble,
 * parse, pair and judge each transaction by the rules that need only it.
 * What needs every connection (the connection order of the output, the
 * history the rules that compare transactions keep, redirect chains, the
 * statistics, the writers) stays in the reading thread, which takes the
 * workers' results in the order one thread would have produced them.
 *
 * That order is a key: g numbers the frames, clock ticks and file ends in
 * reading order; within one g, connections an idle sweep closes come first
 * (in the order of their last packets), then the responses a tick settles,
 * then the frame's own work; connections flushed at a file's end go in the
 * order they started.  Only one worker works on a given frame, and each
 * worker's results come in key order, so merging the workers' streams by
 * key gives back the single-threaded order, and the output is the same
 * byte for byte.
 */
enum par_phase {
	PAR_PHASE_SWEEP = 0,  /* idle connections closed before frame g (sub: their last frame's g) */
	PAR_PHASE_SETTLE = 1, /* responses a clock tick judged (sub: the connection's last frame's g) */
	PAR_PHASE_FRAME = 2,  /* frame g itself */
};

struct par_key {
	uint64_t g;
	uint8_t phase;
	uint64_t sub;
};

struct par;

/*
 * Starts `threads` worker threads for the reading engine e, over
 * threads + 1 shards, each an engine of its own with e's limits; the caps
 * over all connections (--max-connections, --max-buffered-bytes, kept
 * multipart content) are divided among the shards, to the unit.  NULL
 * when threads or memory cannot be had.
 */
struct par *par_start(struct engine *e, unsigned threads);

/* Joins the workers (their work is done: par_end_file was called). */
void par_stop(struct par *p);

/* The reading thread: a new file (or interface) named name. */
void par_begin_file(struct par *p, const char *name, bool live);

/*
 * A decoded TCP segment for the worker of its flow key's (k's) hash
 * (flow_key_hash): the segment and its payload bytes are handed over, so
 * the worker neither copies the rest of the frame nor decodes it again.
 * frame is the frame pkt was decoded from, as the file holds it at the
 * reading engine's data_off, or NULL: the payload of a connection its
 * worker passes over (not HTTP, par_conn_blind) is then not copied, only
 * where it lies in the file (src_fd).  side is the sender's side of k
 * (flow_key_make's): with hash, what the worker asks for the connection's
 * memory ahead by (conn_prefetch).
 */
void par_frame(struct par *p, uint32_t hash, int side, const struct flow_key *k, const struct timeval *ts,
	       const struct dec_pkt *pkt, const uint8_t *frame);

/*
 * Capture time moved on (g numbers the event): every worker closes its
 * idle connections if sweep, and settles its quiet ones if settle.
 */
void par_clock(struct par *p, bool sweep, bool settle);

/*
 * The end of a file: every worker flushes its connections; returns once
 * all their results are merged and their counters added to the reading
 * engine's.
 */
void par_end_file(struct par *p);

/*
 * Every frame handed over so far is done by its worker and merged: the
 * input has nothing more for now (a pipe that would make reading wait).
 */
void par_sync(struct par *p);

/* The merge is done with t: its worker frees it (with its next batch). */
void par_recycle(struct par *p, struct txn *t);

/*
 * A live capture's status line: the reading thread's counters plus each
 * worker's as of its last batch, and the connections open then.
 */
void par_counters(struct par *p, struct wl_stats *sum, uint32_t *open);

/* Merges what the workers have finished so far (a live capture's tick). */
void par_drain(struct par *p);

/* Worker side, called by the connection code on a worker's engine. */
void par_conn_open(struct engine *w, struct conn *c);
void par_conn_close(struct engine *w, struct conn *c);
/* c's bytes are passed over from now on (reasm_blind): the reader may stop copying them. */
void par_conn_blind(struct engine *w, struct conn *c);
/*
 * The segment being run (pkt) came without its payload, left in the file,
 * and its connection needs it after all (a new connection on the same
 * addresses and ports, before the reader heard of it): read it again.  A
 * payload that cannot be read is missing (pkt->plen 0), and said so.
 */
void par_payload(struct engine *w, struct dec_pkt *pkt);
/* t's response head is complete: the client's redirects are followed from it. */
void par_redirect(struct engine *w, struct conn *c, struct txn *t);
/* t is judged by the rules that need only it: the rest, then the output. */
void par_txn(struct engine *w, struct conn *c, struct txn *t);
/*
 * Whether the merge's history holds a client's entry yet (a 401, 429, 503
 * or 413 made one): from then on a worker works out each request's client
 * key with its URL's (hist_url_key).  A hint, read without a lock: a
 * transaction without the key has the merge work it out.
 */
bool par_clients(const struct engine *w);

#endif
