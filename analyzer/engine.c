/* engine.c: the pipeline from a captured frame to written findings. */
#include "engine.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conn.h"
#include "decode.h"
#include "fingerprint.h"
#include "head.h"
#include "parallel.h"
#include "traffic.h"
#include "txn.h"
#include "verdict.h"

/* Link type of a bare IPv4 datagram (pcap/dlt.h's DLT_IPV4). */
#define DLT_IPV4_RAW 228

/* A transaction written: freed, by the worker that made it under -j (its memory is that thread's). */
static void done(struct engine *e, struct txn *t)
{
	if (t->home)
		par_recycle(e->par, t);
	else
		txn_free(t);
}

static void emit(void *ctx, struct txn *t)
{
	struct engine *e = ctx;
	if (e->halted) {
		/* --max-findings was reached: nothing more is written. */
		e->st.after_max_findings++;
		done(e, t);
		return;
	}
	e->st.transactions++;
	/* Each finding's fingerprint; those the baseline accepted are dropped. */
	unsigned kept = 0;
	for (unsigned i = 0; i < t->nfindings; i++) {
		struct finding *f = &t->findings[i];
		struct fp_parts p;
		if (t->parts) {
			p = *t->parts;
			p.rule = rule_table[f->rule].id;
		} else {
			fp_parts_of(t, rule_table[f->rule].id, &p);
		}
		fp_hash(&p, f->fp);
		if (e->record)
			bl_add(e->record, &p, f->fp);
		if (e->accepted && bl_take(e->accepted, f->fp)) {
			e->st.baseline_suppressed++;
			continue;
		}
		t->findings[kept++] = *f;
	}
	t->nfindings = (uint16_t)kept;
	/* --max-findings: the transaction that reaches it is written up to it. */
	if (e->max_findings && e->st.findings + t->nfindings >= e->max_findings) {
		t->nfindings = (uint16_t)(e->max_findings - e->st.findings);
		e->halted = true;
	}
	for (unsigned i = 0; i < t->nfindings; i++) {
		const struct finding *f = &t->findings[i];
		e->st.findings++;
		e->st.by_rule[f->rule]++;
		e->st.by_severity[f->sev]++;
		if (f->sev > e->max_sev)
			e->max_sev = f->sev;
	}
	tr_add(&e->traffic, t);
	if (e->html)
		for (unsigned i = 0; i < t->nfindings; i++)
			rep_add(e->html, t, &t->findings[i]);
	/* Flushed within OUT_PACE (output.c), and before reading waits for input (capture.c). */
	out_txn(e->out, t);
	done(e, t);
}

/*
 * A transaction without findings, in a format that writes nothing for
 * such a one (text, SARIF, JUnit), is written (counted in the summary and
 * the statistics) as soon as it is finished, rather than when its
 * connection's turn comes (sequencer.c): it adds nothing to the output's
 * order, and a capture's connections overlap, so that most transactions
 * would wait, tens of thousands of them with 64 connections at once and
 * more with more, each holding memory that is cold by its turn.
 */
static bool at_once(void *ctx, const struct txn *t)
{
	(void)ctx;
	return !t->nfindings;
}

bool engine_emit_quiet(struct engine *e, const struct tr_sample *s)
{
	/* What emit does for a transaction without findings that at_once
	 * lets through: it writes nothing, and counts it. */
	if (!e->seq.at_once)
		return false;
	if (e->halted) {
		e->st.after_max_findings++;
		return true;
	}
	e->st.transactions++;
	tr_add_sample(&e->traffic, s, 0);
	return true;
}

void engine_init(struct engine *e, const struct wl_limits *lim, struct out *out)
{
	memset(e, 0, sizeof *e);
	e->lim = *lim;
	e->out = out;
	e->max_sev = -1;
	e->src_fd = -1;
	seq_init(&e->seq, lim->max_pending_output, &e->st.output_reordered, emit, e);
	/* JSON Lines writes a line for every transaction, from its heads. */
	if (out && out->fmt != OUT_JSONL)
		e->seq.at_once = at_once;
	frag_init(&e->frags, lim->max_frag_bytes, lim->frag_timeout_s);
	e->budget.max = lim->max_buffered_bytes;
	e->budget.file_fd = &e->src_fd;
	redir_init(&e->redirects, WL_MAX_REDIRECT_CLIENTS);
	hist_init(&e->history, lim->max_history);
	tr_init(&e->traffic, WL_MAX_ENDPOINTS);
	e->keep.max = WL_MAX_KEPT_CONTENT;
}

static void close_entry(struct engine *e, struct flow_entry *fe)
{
	flow_remove(&e->flows, fe);
	conn_close((struct conn *)fe);
}

void engine_fold_counts(struct engine *e)
{
	struct frag_table *t = &e->frags;
	e->st.frag_reassembled += t->reassembled;
	e->st.frag_dropped += t->dropped_cap + t->dropped_timeout;
	e->st.frag_overlaps += t->overlaps;
	t->reassembled = t->dropped_cap = t->dropped_timeout = t->overlaps = 0;
	e->st.buffered_cap_reached += e->budget.hits;
	e->st.overlap_window_denied += e->budget.ring_denied;
	e->budget.hits = e->budget.ring_denied = 0;
	e->st.redirect_clients_forgotten += e->redirects.evicted;
	e->redirects.evicted = 0;
	e->st.history_forgotten += e->history.evicted;
	e->history.evicted = 0;
	e->st.content_not_kept += e->keep.denied;
	e->keep.denied = 0;
}

void engine_close_all(struct engine *e)
{
	struct flow_entry *fe;
	while ((fe = flow_first(&e->flows))) {
		/* In the order they started. */
		e->key = (struct par_key){ e->g, PAR_PHASE_SWEEP, ((struct conn *)fe)->open_g };
		close_entry(e, fe);
	}
}

void engine_set_source(struct engine *e, int fd)
{
	if (e->src_fd >= 0)
		return;
	/* Without a descriptor of its own, the engine copies every payload it
	 * compares retransmissions with, and the workers every payload. */
	e->src_fd = dup(fd);
}

void engine_end_file(struct engine *e)
{
	e->g++;
	if (e->par)
		par_end_file(e->par);
	else
		engine_close_all(e);
	/* The workers are done with the file (par_end_file waited for them). */
	if (e->src_fd >= 0) {
		close(e->src_fd);
		e->src_fd = -1;
	}
	/* Datagrams still waiting for fragments will not complete. */
	frag_drop_all(&e->frags);
	engine_fold_counts(e);
}

void engine_input_idle(struct engine *e)
{
	if (e->par)
		par_sync(e->par);
	if (e->out)
		out_flush(e->out);
}

void engine_free(struct engine *e)
{
	engine_end_file(e);
	if (e->par)
		par_stop(e->par);
	e->par = NULL;
	flow_table_free(&e->flows);
	frag_free(&e->frags);
	redir_free(&e->redirects);
	hist_free(&e->history);
	tr_free(&e->traffic);
	verdict_free();  /* the verdicts the calling thread kept (verdict.h), and the heads it held for them */
	hx_memo_drain(); /* and the messages alike it kept (http.h) */
	hb_pool_drain(); /* then its spare head-builder buffers and kept blocks (head.h) */
}

void engine_counters(struct engine *e, struct wl_stats *st, uint32_t *open)
{
	if (e->par) {
		par_counters(e->par, st, open);
		return;
	}
	*st = e->st;
	*open = e->flows.count;
}

bool engine_jobs(struct engine *e, unsigned jobs)
{
	if (jobs <= 1)
		return true;
	e->par = par_start(e, jobs);
	return e->par != NULL;
}

void engine_begin_file(struct engine *e, const char *name)
{
	e->file = name;
	e->frame = 0;
	e->file_first = e->file_last = (struct timeval){ 0, 0 };
	e->now = 0;
	e->next_sweep = 0;
	if (e->par)
		par_begin_file(e->par, name, e->live);
}

void engine_sweep_flows(struct engine *e)
{
	struct flow_entry *fe;
	while ((fe = flow_oldest(&e->flows)) && fe->last_sec + (int64_t)e->lim.idle_timeout_s < e->now) {
		e->st.conn_timed_out++;
		/* Closed in the order of their last packets (the LRU order). */
		e->key = (struct par_key){ e->g, PAR_PHASE_SWEEP, ((struct conn *)fe)->touch_g };
		close_entry(e, fe);
	}
}

void engine_settle(struct engine *e)
{
	/* The LRU list is ordered by last activity: stop at the first that
	 * was active in the last second. */
	struct flow_entry *fe = flow_oldest(&e->flows);
	while (fe && fe->last_sec < e->now) {
		struct flow_entry *next = fe->lru_next;
		e->key = (struct par_key){ e->g, PAR_PHASE_SETTLE, ((struct conn *)fe)->touch_g };
		conn_settle((struct conn *)fe);
		fe = next;
	}
}

/* Flushes connections idle for longer than the timeout, in capture time; settles quiet ones on a tick. */
static void clock_moved(struct engine *e, bool settle)
{
	bool sweep = e->now >= e->next_sweep;
	if (sweep) {
		frag_expire(&e->frags, e->now);
		engine_fold_counts(e);
		e->next_sweep = e->now + 1;
	}
	if (e->par) {
		if (sweep || settle)
			par_clock(e->par, sweep, settle);
		return;
	}
	if (sweep)
		engine_sweep_flows(e);
	if (settle)
		engine_settle(e);
}

void engine_tick(struct engine *e, int64_t now_sec)
{
	e->g++;
	if (now_sec > e->now)
		e->now = now_sec;
	clock_moved(e, true);
	if (e->par)
		par_drain(e->par);
	if (e->out)
		out_tick(e->out);
}

static void count_decode_error(struct engine *e, enum dec_result r)
{
	switch (r) {
	case DEC_NOT_IP:
		e->st.pkt_not_ip++;
		break;
	case DEC_NOT_TCP:
		e->st.pkt_not_tcp++;
		break;
	case DEC_FRAGMENT:
		e->st.pkt_fragment++;
		e->st.frag_ipv6++;
		break;
	case DEC_TRUNCATED:
		e->st.pkt_truncated++;
		break;
	case DEC_LINK_UNSUPPORTED:
		e->st.pkt_link_unsupported++;
		break;
	default:
		e->st.pkt_malformed++;
		break;
	}
}

void engine_frame(struct engine *e, int dlt, const struct timeval *ts, const uint8_t *data, uint32_t caplen,
		  uint32_t wirelen)
{
	bool reassembled = false;
	e->g++;
	e->frame++;
	/* Output that has waited long enough goes out, even while nothing new is written. */
	if (e->out && !(e->frame & 1023))
		out_tick(e->out);
	e->st.packets++;
	e->st.bytes += wirelen;
	if (e->frame > 1 && timercmp(ts, &e->last_ts, <))
		e->st.ts_backwards++;
	e->last_ts = *ts;
	if (e->frame == 1 || timercmp(ts, &e->file_first, <))
		e->file_first = *ts;
	if (e->frame == 1 || timercmp(ts, &e->file_last, >))
		e->file_last = *ts;
	struct dec_pkt p;
	enum dec_result r = dec_frame(dlt, data, caplen, wirelen, &p);
	if (ts->tv_sec > e->now)
		e->now = ts->tv_sec;
	if (r == DEC_FRAGMENT && p.family == 4) {
		/* A fragment cut by the snap length cannot be put together. */
		e->st.pkt_fragment++;
		if (p.ip_avail < p.ip_len) {
			e->st.pkt_truncated++;
			return;
		}
		uint32_t n;
		const uint8_t *dg = frag_add(&e->frags, p.ip, p.ip_len, e->now, &n);
		if (!dg)
			return;
		dlt = DLT_IPV4_RAW;
		data = dg;
		caplen = wirelen = n;
		r = dec_frame(dlt, data, caplen, wirelen, &p);
		reassembled = true;
	}
	if (r != DEC_OK) {
		count_decode_error(e, r);
		return;
	}
	if (p.encap)
		e->st.pkt_tunneled++;
	if (p.plen < p.wire_plen)
		e->st.pkt_truncated++;
	if (e->verify_checksums) {
		/* Counted only: captures taken on the sending host carry
		 * offloaded checksums that are wrong on the wire copy. */
		bool ip_ok, tcp_ok;
		dec_verify_checksums(&p, &ip_ok, &tcp_ok);
		e->st.bad_ip_checksums += !ip_ok;
		e->st.bad_tcp_checksums += !tcp_ok;
	}
	/* Capture time only moves forward (above): a timestamp that goes
	 * back neither flushes nor revives anything. */
	clock_moved(e, false);
	if (e->par) {
		struct flow_key k;
		int side = flow_key_make(&k, &p);
		/* A datagram put together from fragments is not in the file. */
		par_frame(e->par, flow_key_hash(&k), side, &k, ts, &p, reassembled ? NULL : data);
		return;
	}
	e->pay_off = engine_pay_off(e, reassembled ? NULL : data, &p);
	engine_conn_frame(e, dlt, ts, data, caplen, wirelen, reassembled, &p);
}

void engine_conn_frame(struct engine *e, int dlt, const struct timeval *ts, const uint8_t *data, uint32_t caplen,
		       uint32_t wirelen, bool reassembled, const struct dec_pkt *pp)
{
	/* Read where the decoder left it, not copied: a copy reads it back
	 * in wider loads than the decoder's stores, which wait for them
	 * (docs/performance.md).  Copied only for a payload read again. */
	const struct dec_pkt *p = pp;
	struct dec_pkt again;
	e->key = (struct par_key){ e->g, PAR_PHASE_FRAME, 0 };
	struct flow_key k;
	int side = flow_key_make(&k, p);
	struct conn *c = (struct conn *)flow_find(&e->flows, &k);
	bool syn_only = (p->flags & (TCP_SYN | TCP_ACK | TCP_RST)) == TCP_SYN;
	if (c && syn_only && c->rd[side].started && c->rd[side].next_seq != p->seq + 1) {
		/* A new connection on the same addresses and ports. */
		close_entry(e, &c->fe);
		c = NULL;
	}
	if (!c) {
		/* Only a SYN or data starts tracking; a stray ACK or the
		 * last FIN of a closed connection does not. */
		if (!(p->flags & TCP_SYN) && p->wire_plen == 0)
			return;
		if (p->flags & TCP_RST)
			return;
		if (e->flows.count >= e->lim.max_flows) {
			e->st.conn_evicted++;
			close_entry(e, flow_oldest(&e->flows));
		}
		c = conn_new(e, &k, ++e->next_conn);
		if (!c) {
			e->st.conn_evicted++;
			return;
		}
		c->open_g = e->g;
		flow_insert(&e->flows, &c->fe, e->now);
	} else {
		/* Capture time, not the packet's: the LRU list stays ordered
		 * by it even where timestamps go back. */
		flow_touch(&e->flows, &c->fe, e->now);
	}
	c->touch_g = e->g;
	/* -j: a payload the reader left in the file, for a connection that needs it. */
	if (e->shard && !p->payload && p->plen && !conn_passed_over(c)) {
		again = *p;
		par_payload(e, &again);
		p = &again;
	}
	if (e->evidence) {
		/* Held with the connection until it is known whether it
		 * produced a finding.  A reassembled IPv4 datagram is not a
		 * frame of the capture: not kept. */
		if (!reassembled)
			ev_packet(e->evidence, &c->ev, dlt, ts, data, caplen, wirelen);
		else
			e->evidence->not_kept++;
	}
	struct pkt_meta m = { e->frame, *ts, e->rec_off, e->rec_len, p->seq, p->ack, (p->flags & TCP_ACK) != 0, e->pay_off };
	conn_segment(c, side, p, &m);
	if (conn_finished(c))
		close_entry(e, &c->fe);
}
