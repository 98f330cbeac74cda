/* reasm.c: TCP reassembly of one direction of a connection. */
#include "reasm.h"

#include <stdlib.h>
#include <string.h>

struct reasm_seg {
	struct reasm_seg *next;
	uint32_t seq;
	uint32_t len;      /* bytes held */
	uint32_t hole;     /* bytes after them that were cut by the snap length */
	struct pkt_meta meta;
	uint8_t data[];
};

/* a - b as a signed distance in sequence space. */
static inline int32_t seq_diff(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b);
}

void reasm_init(struct reasm_dir *r, uint32_t max_ooo)
{
	memset(r, 0, sizeof *r);
	r->max_ooo = max_ooo;
}

void reasm_free(struct reasm_dir *r)
{
	struct reasm_seg *s = r->ooo;
	while (s) {
		struct reasm_seg *n = s->next;
		free(s);
		s = n;
	}
	r->ooo = NULL;
	r->ooo_bytes = 0;
}

void reasm_syn(struct reasm_dir *r, uint32_t isn)
{
	if (r->started)
		return;
	r->started = true;
	r->next_seq = isn + 1;
}

static void declare_gap(struct reasm_dir *r, uint32_t n, const struct reasm_sink *s)
{
	if (n == 0)
		return;
	r->gaps++;
	r->gap_bytes += n;
	r->next_seq += n;
	s->gap(s->ctx, n);
}

static void check_fin(struct reasm_dir *r, const struct reasm_sink *s)
{
	if (r->fin_seen && !r->fin_done && seq_diff(r->next_seq, r->fin_seq) >= 0) {
		r->fin_done = true;
		s->fin(s->ctx);
	}
}

/* Hands on p[0..n) at seq, trimming what was already handed on; then the hole after it. */
static void deliver(struct reasm_dir *r, uint32_t seq, const uint8_t *p, uint32_t n, uint32_t hole,
		    const struct pkt_meta *m, const struct reasm_sink *s)
{
	int32_t d = seq_diff(seq, r->next_seq);
	if (d < 0) {
		/* Retransmitted bytes: the first copy won. */
		uint32_t old = (uint32_t)-d;
		if (old >= n + hole)
			return;
		if (old >= n) {
			hole -= old - n;
			n = 0;
		} else {
			p += old;
			n -= old;
		}
	}
	if (n) {
		r->next_seq += n;
		r->delivered += n;
		s->data(s->ctx, p, n, m);
	}
	declare_gap(r, hole, s);
}

/* Hands on the held segments that are now in order. */
static void drain(struct reasm_dir *r, const struct reasm_sink *s)
{
	while (r->ooo && seq_diff(r->ooo->seq, r->next_seq) <= 0) {
		struct reasm_seg *g = r->ooo;
		r->ooo = g->next;
		r->ooo_bytes -= g->len;
		deliver(r, g->seq, g->data, g->len, g->hole, &g->meta, s);
		free(g);
	}
}

/* Holds a segment that arrived ahead of a hole; the first copy of each byte wins. */
static void hold(struct reasm_dir *r, uint32_t seq, const uint8_t *p, uint32_t n, uint32_t hole,
		 const struct pkt_meta *m, const struct reasm_sink *s)
{
	if (r->ooo_bytes + (uint64_t)n > r->max_ooo) {
		/* The cap: stop waiting for the hole.  Everything held is
		 * handed on with its holes declared, and this segment after. */
		r->cap_hits++;
		reasm_flush(r, s);
		if (seq_diff(seq, r->next_seq) > 0)
			declare_gap(r, (uint32_t)seq_diff(seq, r->next_seq), s);
		deliver(r, seq, p, n, hole, m, s);
		return;
	}
	struct reasm_seg **pp = &r->ooo;
	while (*pp && seq_diff((*pp)->seq, seq) < 0)
		pp = &(*pp)->next;
	/* Trim against the segment before (it came first). */
	if (pp != &r->ooo) {
		/* find predecessor */
		struct reasm_seg *prev = r->ooo;
		while (&prev->next != pp)
			prev = prev->next;
		uint32_t prev_end = prev->seq + prev->len + prev->hole;
		int32_t over = seq_diff(prev_end, seq);
		if (over > 0) {
			if ((uint32_t)over >= n + hole)
				return;
			if ((uint32_t)over >= n) {
				hole -= (uint32_t)over - n;
				seq += (uint32_t)over;
				p += n;
				n = 0;
			} else {
				p += over;
				n -= (uint32_t)over;
				seq += (uint32_t)over;
			}
		}
	}
	/* Trim against the segment after. */
	if (*pp) {
		int32_t room = seq_diff((*pp)->seq, seq);
		if (room <= 0)
			return; /* same start: the held copy wins */
		if ((uint32_t)room < n + hole) {
			if ((uint32_t)room <= n) {
				n = (uint32_t)room;
				hole = 0;
			} else {
				hole = (uint32_t)room - n;
			}
		}
	}
	if (n == 0 && hole == 0)
		return;
	struct reasm_seg *g = malloc(sizeof *g + n);
	if (!g) {
		r->cap_hits++;
		return;
	}
	g->seq = seq;
	g->len = n;
	g->hole = hole;
	g->meta = *m;
	memcpy(g->data, p, n);
	g->next = *pp;
	*pp = g;
	r->ooo_bytes += n;
	/* A segment may now cover later ones entirely: they stay, and the
	 * trimming in deliver() drops what was handed on twice. */
}

void reasm_segment(struct reasm_dir *r, uint32_t seq, const uint8_t *p, uint32_t n, uint32_t wire_n, bool fin,
		   const struct pkt_meta *m, const struct reasm_sink *s)
{
	if (!r->started) {
		/* No SYN seen: the stream is picked up here. */
		r->started = true;
		r->next_seq = seq;
	}
	if (fin && !r->fin_seen) {
		r->fin_seen = true;
		r->fin_seq = seq + wire_n;
	}
	uint32_t hole = wire_n - n;
	if (n + hole > 0) {
		if (seq_diff(seq, r->next_seq) <= 0) {
			deliver(r, seq, p, n, hole, m, s);
			drain(r, s);
		} else {
			hold(r, seq, p, n, hole, m, s);
		}
	}
	check_fin(r, s);
}

void reasm_flush(struct reasm_dir *r, const struct reasm_sink *s)
{
	while (r->ooo) {
		struct reasm_seg *g = r->ooo;
		int32_t d = seq_diff(g->seq, r->next_seq);
		if (d > 0)
			declare_gap(r, (uint32_t)d, s);
		r->ooo = g->next;
		r->ooo_bytes -= g->len;
		deliver(r, g->seq, g->data, g->len, g->hole, &g->meta, s);
		free(g);
	}
	r->ooo_bytes = 0;
	if (r->fin_seen && !r->fin_done) {
		int32_t d = seq_diff(r->fin_seq, r->next_seq);
		if (d > 0)
			declare_gap(r, (uint32_t)d, s);
		check_fin(r, s);
	}
}
