/* engine.h: the pipeline from a captured frame to written findings. */
#ifndef WL_ENGINE_H
#define WL_ENGINE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/time.h>

#include "decode.h"
#include "flow.h"
#include "baseline.h"
#include "evidence.h"
#include "ipfrag.h"
#include "history.h"
#include "http.h"
#include "redirects.h"
#include "limits.h"
#include "output.h"
#include "reasm.h"
#include "report.h"
#include "traffic.h"
#include "parallel.h"
#include "sequencer.h"
#include "stats.h"

/*
 * One engine serves a whole run: frames come in (engine_frame), findings
 * go out through the sequencer to the writer.  Each file starts with
 * engine_begin_file and ends with engine_end_file, which flushes every
 * connection still open.
 */
struct window;

struct engine {
	struct wl_limits lim;
	struct wl_stats st;
	struct flow_table flows;
	struct frag_table frags;
	struct reasm_budget budget;  /* out-of-order bytes over all connections */
	struct redir_table redirects; /* each client's redirect chains */
	struct history history;      /* what earlier transactions showed, for the rules that compare */
	struct traffic traffic;      /* statuses, hosts, endpoints, latency, over time */
	struct report *html;         /* --report: findings kept for the HTML report, or NULL */
	struct hx_keep_budget keep;  /* multipart/byteranges content kept for the multipart rules */
	struct sequencer seq;
	struct out *out;
	const char *file;
	uint64_t frame;            /* packet number within the file */
	uint64_t rec_off;          /* the record of the packet engine_frame is given: offset and length */
	uint32_t rec_len;          /* in the file (set by the reader; 0 live, and inside gzip) */
	uint64_t data_off;         /* and where its frame's bytes start in the file (0 live) */
	/*
	 * The file being read, open to read bytes again (pread): under -j, a
	 * payload the reading thread did not hand over; and retransmitted
	 * bytes' first copy, to compare them (struct ring_ref).  -1 when it
	 * is not a regular file.  Set by the reader (engine_set_source),
	 * closed by engine_end_file once the connections (and under -j the
	 * workers) are done with the file.
	 */
	int src_fd;
	uint64_t pay_off;          /* where the TCP payload engine_conn_frame is given lies in the file (0: it does not) */
	struct window *win;        /* the window the frames engine_frame is given are read in (window.h), or NULL */
	uint64_t next_conn;
	int64_t now;               /* latest capture second seen */
	struct timeval last_ts;    /* the packet before's timestamp */
	int64_t next_sweep;        /* when to look for idle connections */
	int max_sev;               /* most severe finding so far, -1 for none */
	bool verify_checksums;     /* count bad IPv4 and TCP checksums (--verify-checksums) */
	volatile int *stop;        /* set by a signal: stop reading, flush, summarise */
	struct baseline *accepted; /* --baseline: findings suppressed, or NULL */
	struct baseline *record;   /* --write-baseline: every finding added, or NULL */
	uint64_t max_findings;     /* --max-findings: stop after this many (0: no limit) */
	bool halted;               /* max_findings reached: stop reading, write nothing more */
	bool live;                 /* reading an interface: transactions written as they finish */
	bool progress;             /* a progress line on stderr while reading a file (a terminal, not -q) */
	struct evidence *evidence; /* -w FILE: packets of connections with findings, or NULL */
	struct timeval file_first, file_last; /* capture time the current file covers */
	/* -j: g numbers frames, clock ticks and file ends in reading order
	 * (parallel.h); key is the order of what a worker is doing. */
	uint64_t g;
	struct par_key key;
	struct par *par;             /* the reading engine's workers (-j 2 or more), or NULL */
	struct par_shard *shard;     /* -j: the shard this engine is, where its results go; NULL otherwise */
};

void engine_init(struct engine *e, const struct wl_limits *lim, struct out *out);

/*
 * Where p's payload lies in the file, p having been decoded from frame,
 * the record engine_frame is given (data_off); 0 when it does not lie
 * there: no frame (a datagram put together from fragments), no payload,
 * or a record not placed (live, or after libpcap cut one short).
 */
static inline uint64_t engine_pay_off(const struct engine *e, const uint8_t *frame, const struct dec_pkt *p)
{
	return frame && e->data_off && p->plen ? e->data_off + (uint64_t)(p->payload - frame) : 0;
}

/*
 * fd is the file being read, a regular file; e keeps a descriptor of its
 * own (src_fd) until engine_end_file.
 */
void engine_set_source(struct engine *e, int fd);

/*
 * Live capture: time goes on without packets.  now_sec is the wall clock
 * (the capture's timestamps are too): idle connections are flushed, and a
 * response whose connection has been quiet for a second is judged without
 * waiting for the bytes after it (which show content beyond its framing),
 * so its findings come out while the capture runs.
 */
void engine_tick(struct engine *e, int64_t now_sec);
void engine_free(struct engine *e);

/*
 * Reads with jobs worker threads (parallel.h); 0 or 1: in this thread.
 * False when the threads cannot be started.
 */
bool engine_jobs(struct engine *e, unsigned jobs);

void engine_begin_file(struct engine *e, const char *name);

/* One captured frame of link type dlt. */
void engine_frame(struct engine *e, int dlt, const struct timeval *ts, const uint8_t *data, uint32_t caplen,
		  uint32_t wirelen);

/* Flushes every open connection, oldest first. */
void engine_end_file(struct engine *e);

/* The counters so far and the connections open, the workers' (-j) included: for live status lines. */
void engine_counters(struct engine *e, struct wl_stats *st, uint32_t *open);

/*
 * The connection half of engine_frame, run by a worker (or by
 * engine_frame itself without -j): p is the decoded segment; the frame
 * (dlt, data...) is for -w only, and NULL in a worker.
 */
void engine_conn_frame(struct engine *e, int dlt, const struct timeval *ts, const uint8_t *data, uint32_t caplen,
		       uint32_t wirelen, bool reassembled, const struct dec_pkt *p);
/*
 * The input has nothing to read for now (a pipe: reading would wait):
 * every frame read so far is judged, and what was written goes out.
 */
void engine_input_idle(struct engine *e);
/* Closes the connections idle past the timeout at e->now, in LRU order. */
void engine_sweep_flows(struct engine *e);
/* Judges the responses of connections quiet for a second (conn_settle). */
void engine_settle(struct engine *e);
/* Closes every connection, in the order they started. */
void engine_close_all(struct engine *e);
/* Adds what the fragment table, the budgets, the redirects and the history counted to e's stats. */
void engine_fold_counts(struct engine *e);

/*
 * -j's merge: writes a finished transaction without findings from its
 * statistics' sample s alone, as its turn in the output would (counted in
 * the summary and the statistics), when the output format writes nothing
 * for such a one; the transaction itself stays with its worker.  False
 * when the format writes every transaction (JSON Lines): it is then
 * written whole, in its turn.
 */
struct tr_sample;
bool engine_emit_quiet(struct engine *e, const struct tr_sample *s);

#endif
