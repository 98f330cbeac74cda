/* reasm.c: TCP reassembly of one direction of a connection. */
#include "reasm.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct reasm_seg {
	struct reasm_seg *next;
	uint32_t seq;
	uint32_t len;      /* bytes it covers */
	uint32_t kept;     /* of them, held in data: len, or 0 when the direction is blind */
	uint32_t hole;     /* bytes after them that were cut by the snap length */
	struct pkt_meta meta;
	uint8_t data[];
};

/*
 * Keeps the counts in step with a change of held segments: n bytes
 * covered (the direction's cap counts them), kept of them in memory (the
 * shared budget counts those).
 */
static void held_add(struct reasm_dir *r, int64_t n, int64_t kept)
{
	r->ooo_bytes = (uint32_t)((int64_t)r->ooo_bytes + n);
	if (r->budget)
		r->budget->held = (uint64_t)((int64_t)r->budget->held + kept);
}

/* p advanced n bytes; a blind direction's bytes may be NULL, and stay so. */
static const uint8_t *ahead(const uint8_t *p, uint32_t n)
{
	return p ? p + n : NULL;
}

/* The bytes of a held segment, or NULL when they were not kept. */
static const uint8_t *seg_bytes(const struct reasm_seg *g)
{
	return g->kept ? g->data : NULL;
}

void reasm_init(struct reasm_dir *r, uint32_t max_ooo, uint32_t ring_cap, struct reasm_budget *budget)
{
	memset(r, 0, sizeof *r);
	r->max_ooo = max_ooo;
	r->budget = budget;
	while (ring_cap & (ring_cap - 1))
		ring_cap &= ring_cap - 1;
	r->ring_cap = ring_cap;
}

#define REFS_BYTES (RING_REFS * sizeof(struct ring_ref))

/* Frees the window and its refs, and gives their room back. */
static void ring_release(struct reasm_dir *r)
{
	if (r->budget)
		r->budget->ring_held -= (r->ring ? r->ring_size : 0) + (r->refs ? REFS_BYTES : 0);
	free(r->ring);
	free(r->refs);
	r->ring = NULL;
	r->refs = NULL;
	r->ring_size = 0;
	r->nref = 0;
}

void reasm_free(struct reasm_dir *r)
{
	struct reasm_seg *s = r->ooo;
	while (s) {
		struct reasm_seg *n = s->next;
		held_add(r, -(int64_t)s->len, -(int64_t)s->kept);
		free(s);
		s = n;
	}
	r->ooo = NULL;
	ring_release(r);
}

void reasm_blind(struct reasm_dir *r)
{
	if (r->blind)
		return;
	r->blind = true;
	/* Nothing is compared from here on: the window goes. */
	ring_release(r);
	r->ring_cap = r->ring_valid = r->ring_span = 0;
}

void reasm_syn(struct reasm_dir *r, uint32_t isn)
{
	if (r->started)
		return;
	r->started = true;
	r->next_seq = isn + 1;
}

/* next_seq moved on n bytes: an acknowledgment it reached is forgotten (before sequence numbers wrap back to it). */
static void advance(struct reasm_dir *r, uint32_t n)
{
	r->next_seq += n;
	if (r->acked_set && seq_diff(r->next_seq, r->acked) >= 0)
		r->acked_set = false;
}

static void declare_gap(struct reasm_dir *r, uint32_t n, const struct reasm_sink *s)
{
	if (n == 0)
		return;
	r->ring_valid = r->ring_span = r->nref = 0;
	r->gaps++;
	r->gap_bytes += n;
	advance(r, n);
	s->gap(s->ctx, n);
}

static void check_fin(struct reasm_dir *r, const struct reasm_sink *s)
{
	if (r->fin_seen && !r->fin_done && seq_diff(r->next_seq, r->fin_seq) >= 0) {
		r->fin_done = true;
		s->fin(s->ctx);
	}
}

/* The file the payloads with a pay_off lie in, or -1. */
static int ref_fd(const struct reasm_dir *r)
{
	return r->budget && r->budget->file_fd ? *r->budget->file_fd : -1;
}

/* The i-th oldest of r's refs. */
static struct ring_ref *ref_at(const struct reasm_dir *r, uint32_t i)
{
	return &r->refs[(r->ref0 + i) & (RING_REFS - 1)];
}

/* The ref holding the byte at seq, age bytes before next_seq, or NULL. */
static const struct ring_ref *ref_of(const struct reasm_dir *r, uint32_t seq, uint32_t age)
{
	if (age > r->ring_span)
		return NULL;
	for (uint32_t i = 0; i < r->nref; i++) {
		const struct ring_ref *f = ref_at(r, i);
		if (seq - f->seq < f->n)
			return f;
	}
	return NULL;
}

/*
 * Compares the n bytes p[0..n) with the copy at off in the file; bytes
 * that cannot be read again (the file changed since) are unchecked.
 */
static void compare_file(struct reasm_dir *r, uint64_t off, const uint8_t *p, uint32_t n)
{
	uint8_t b[4096];
	int fd = ref_fd(r);
	for (uint32_t done = 0; done < n;) {
		uint32_t want = n - done < sizeof b ? n - done : (uint32_t)sizeof b;
		ssize_t got = fd >= 0 ? pread(fd, b, want, (off_t)(off + done)) : -1;
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0) {
			r->overlap_unchecked += n - done;
			return;
		}
		r->budget->ring_reread += (uint64_t)got;
		for (ssize_t i = 0; i < got; i++)
			r->overlap_mismatch += b[i] != p[done + (uint32_t)i];
		done += (uint32_t)got;
	}
}

/* Compares n retransmitted bytes at seq with the copy handed on before. */
static void compare_old(struct reasm_dir *r, uint32_t seq, const uint8_t *p, uint32_t n)
{
	if (r->blind)
		return;
	uint32_t mask = r->ring_size - 1;
	for (uint32_t i = 0; i < n;) {
		uint32_t at = seq + i, age = r->next_seq - at; /* 1 for the last byte handed on */
		const struct ring_ref *f = r->nref ? ref_of(r, at, age) : NULL;
		if (f) {
			/* The bytes of this ref from at on, and no older than the window. */
			uint32_t k = f->n - (at - f->seq);
			if (k > n - i)
				k = n - i;
			compare_file(r, f->off + (at - f->seq), p + i, k);
			i += k;
			continue;
		}
		if (!r->ring || age > r->ring_valid)
			r->overlap_unchecked++;
		else if (r->ring[at & mask] != p[i])
			r->overlap_mismatch++;
		i++;
	}
}

#define RING_MIN 64

/*
 * A window of size bytes (a power of two) for r, holding what the old one
 * held; false when the budget or memory refuses it (r's is unchanged).
 */
static bool ring_resize(struct reasm_dir *r, uint32_t size)
{
	struct reasm_budget *b = r->budget;
	uint32_t more = size - r->ring_size;
	if (b && b->ring_held + more > b->max / 2)
		return false;
	uint8_t *ring = malloc(size);
	if (!ring)
		return false;
	/* The bytes held go where their sequence numbers put them in the
	 * larger window (those in refs, which reach further back than the
	 * old window did, only as far as the new one does). */
	uint32_t end = r->next_seq, omask = r->ring_size - 1, nmask = size - 1;
	if (r->ring_valid > size)
		r->ring_valid = size;
	uint32_t left = r->ring ? r->ring_valid : 0, seq = end - left;
	while (left) {
		/* A run that wraps in neither window. */
		uint32_t from = seq & omask, to = seq & nmask, k = left;
		if (k > r->ring_size - from)
			k = r->ring_size - from;
		if (k > size - to)
			k = size - to;
		memcpy(ring + to, r->ring + from, k);
		seq += k;
		left -= k;
	}
	free(r->ring);
	r->ring = ring;
	r->ring_size = size;
	if (b)
		b->ring_held += more;
	return true;
}

/* The window's span grew by n bytes handed on. */
static void span_grow(struct reasm_dir *r, uint32_t n)
{
	r->ring_span = (uint64_t)r->ring_span + n > r->ring_cap ? r->ring_cap : r->ring_span + n;
}

/*
 * Keeps n bytes handed on at seq as where they lie in the file (off): n is
 * more than ring_cap / (RING_REFS - 1) (remember).  False when the budget
 * or memory refuses the refs.
 */
static bool ref_push(struct reasm_dir *r, uint32_t seq, uint32_t n, uint64_t off)
{
	if (!r->refs) {
		struct reasm_budget *b = r->budget;
		if (b->ring_held + REFS_BYTES > b->max / 2)
			return false;
		r->refs = malloc(REFS_BYTES);
		if (!r->refs)
			return false;
		b->ring_held += REFS_BYTES;
	}
	/* Full, the oldest goes, unread (its line is out of the caches as
	 * often as not): the 15 after it and this one are each more than a
	 * fifteenth of the window, so its bytes are older than the window. */
	if (r->nref == RING_REFS) {
		r->ref0 = (uint8_t)((r->ref0 + 1) & (RING_REFS - 1));
		r->nref--;
	}
	*ref_at(r, r->nref++) = (struct ring_ref){ seq, n, off };
	return true;
}

/*
 * Keeps the bytes handed on for compare_old: off, where they lie in the
 * file (0: they do not), spares copying them when they are many.
 */
static void remember(struct reasm_dir *r, uint32_t seq, const uint8_t *p, uint32_t n, uint64_t off)
{
	if (!r->ring_cap)
		return;
	span_grow(r, n);
	/* Into the file, or else (no room for the refs) into the window. */
	if (off && n > r->ring_cap / (RING_REFS - 1) && ref_fd(r) >= 0 && ref_push(r, seq, n, off)) {
		/* The ring's bytes are n older, and held still: these are not written over them. */
		r->ring_valid = (uint64_t)r->ring_valid + n > r->ring_cap ? r->ring_cap : r->ring_valid + n;
		return;
	}
	/* What the window is to hold: the bytes held and these, up to ring_cap. */
	uint64_t want = (uint64_t)r->ring_valid + n;
	if (want > r->ring_size && r->ring_size < r->ring_cap) {
		uint32_t size = r->ring_size ? r->ring_size : RING_MIN;
		while (size < want && size < r->ring_cap)
			size *= 2;
		if (size > r->ring_cap)
			size = r->ring_cap; /* a ring_cap under RING_MIN */
		if (!ring_resize(r, size)) {
			if (r->budget)
				r->budget->ring_denied++;
			/* No more tries: the window stays as it is, none if there was none. */
			r->ring_cap = r->ring_size;
			if (r->ring_span > r->ring_cap)
				r->ring_span = r->ring_cap;
			if (!r->ring) {
				r->ring_valid = 0;
				return;
			}
		}
	}
	uint32_t mask = r->ring_size - 1;
	if (n > r->ring_size) {
		seq += n - r->ring_size;
		p += n - r->ring_size;
		n = r->ring_size;
	}
	uint32_t at = seq & mask;
	uint32_t first = r->ring_size - at < n ? r->ring_size - at : n;
	memcpy(r->ring + at, p, first);
	memcpy(r->ring, p + first, n - first);
	r->ring_valid = r->ring_valid + n > r->ring_size ? r->ring_size : r->ring_valid + n;
}

/*
 * A segment that starts before next_seq: retransmitted bytes, the first
 * copy won.  They are compared and trimmed off; false when nothing is
 * left.  Out of line: rare, and deliver's common case stays small enough
 * to be inlined where segments come in order.
 */
__attribute__((cold)) static bool trim_old(struct reasm_dir *r, uint32_t seq, const uint8_t **p, uint32_t *n,
					   uint32_t *hole)
{
	uint32_t old = r->next_seq - seq; /* seq_diff's negation, without overflow at INT32_MIN */
	compare_old(r, seq, *p, old < *n ? old : *n);
	if (old >= *n + *hole)
		return false;
	if (old >= *n) {
		*hole -= old - *n;
		*n = 0;
	} else {
		*p = ahead(*p, old);
		*n -= old;
	}
	return true;
}

/*
 * Hands on p[0..n) at seq, trimming what was already handed on; then the
 * hole after it.  off: where p lies in the file (0: it does not).
 * Inlined where it is called: as a call, with its eight arguments, it
 * cost 30 instructions a segment more (callgrind, the small mix), which
 * GCC chose once blind directions made it longer.
 */
static inline __attribute__((always_inline)) void deliver(struct reasm_dir *r, uint32_t seq, const uint8_t *p,
							  uint32_t n, uint32_t hole, const struct pkt_meta *m,
							  const struct reasm_sink *s, uint64_t off)
{
	if (seq_diff(seq, r->next_seq) < 0) {
		uint32_t had = n;
		if (!trim_old(r, seq, &p, &n, &hole))
			return;
		if (off)
			off += had - n;
	}
	if (n) {
		remember(r, r->next_seq, p, n, off);
		advance(r, n);
		r->delivered += n;
		s->data(s->ctx, p, n, m);
	}
	declare_gap(r, hole, s);
}

static void flush_held(struct reasm_dir *r, const struct reasm_sink *s);

/* Hands on the held segments that are now in order. */
static void drain(struct reasm_dir *r, const struct reasm_sink *s)
{
	while (r->ooo && seq_diff(r->ooo->seq, r->next_seq) <= 0) {
		struct reasm_seg *g = r->ooo;
		r->ooo = g->next;
		held_add(r, -(int64_t)g->len, -(int64_t)g->kept);
		deliver(r, g->seq, seg_bytes(g), g->len, g->hole, &g->meta, s, 0);
		free(g);
	}
}

/* Compares bytes p[0..n) at seq with the held segment g where they overlap. */
static void compare_held(struct reasm_dir *r, const struct reasm_seg *g, uint32_t seq, const uint8_t *p, uint32_t n)
{
	if (r->blind || !g->kept)
		return;
	for (uint32_t i = 0; i < n; i++) {
		int32_t at = seq_diff(seq + i, g->seq);
		if (at < 0)
			continue;
		if ((uint32_t)at < g->len) {
			if (g->data[at] != p[i])
				r->overlap_mismatch++;
		} else {
			break;
		}
	}
}

/* Holds a segment that arrived ahead of a hole; the first copy of each byte wins. */
static void hold(struct reasm_dir *r, uint32_t seq, const uint8_t *p, uint32_t n, uint32_t hole,
		 const struct pkt_meta *m, const struct reasm_sink *s)
{
	/* A blind direction holds where its segments lie, not their bytes. */
	uint32_t keep = r->blind ? 0 : n;
	bool over_total = r->budget && r->budget->held + keep > r->budget->max;
	if (r->ooo_bytes + (uint64_t)n > r->max_ooo || over_total) {
		/* A cap: stop waiting for the hole.  Everything held is
		 * handed on with its holes declared, and this segment after
		 * (a FIN it carries is the caller's to hand on, after it). */
		r->cap_hits++;
		if (over_total)
			r->budget->hits++;
		flush_held(r, s);
		if (seq_diff(seq, r->next_seq) > 0)
			declare_gap(r, (uint32_t)seq_diff(seq, r->next_seq), s);
		deliver(r, seq, p, n, hole, m, s, 0);
		return;
	}
	struct reasm_seg *prev = NULL, *next = r->ooo;
	while (next && seq_diff(next->seq, seq) < 0) {
		prev = next;
		next = next->next;
	}
	/* Trim the front against the segment before (it came first). */
	if (prev) {
		int32_t over = seq_diff(prev->seq + prev->len + prev->hole, seq);
		if (over > 0) {
			uint32_t o = (uint32_t)over;
			compare_held(r, prev, seq, p, n < o ? n : o);
			if (o >= n + hole)
				return;
			if (o >= n) {
				hole -= o - n;
				p = ahead(p, n);
				n = 0;
			} else {
				p = ahead(p, o);
				n -= o;
			}
			seq += o;
		}
	}
	/* The part past the segment after is held on its own (it may meet
	 * further segments); this part stops where that segment starts. */
	uint32_t tail_off = 0, tail_n = 0, tail_hole = 0;
	if (next) {
		uint32_t room = (uint32_t)seq_diff(next->seq, seq);
		uint32_t next_end = room + next->len + next->hole;
		if (room < n)
			compare_held(r, next, next->seq, ahead(p, room), n - room);
		if (n + hole > next_end) {
			tail_off = next_end;
			tail_n = n > next_end ? n - next_end : 0;
			tail_hole = n > next_end ? hole : hole - (next_end - n);
		}
		if (room < n) {
			n = room;
			hole = 0;
		} else if (room < n + hole) {
			hole = room - n;
		}
	}
	if (n + hole > 0) {
		keep = r->blind ? 0 : n;
		struct reasm_seg *g = malloc(sizeof *g + keep);
		if (!g) {
			r->cap_hits++;
			return;
		}
		g->seq = seq;
		g->len = n;
		g->kept = keep;
		g->hole = hole;
		g->meta = *m;
		if (keep)
			memcpy(g->data, p, keep);
		g->next = next;
		if (prev)
			prev->next = g;
		else
			r->ooo = g;
		held_add(r, n, keep);
	}
	if (tail_n + tail_hole > 0)
		hold(r, seq + tail_off, tail_n ? ahead(p, tail_off) : p, tail_n, tail_hole, m, s);
}

/*
 * Declares the hole from next_seq up to the lesser of to and the first
 * held segment, as bytes the receiver acknowledged, and hands on what is
 * then in order.
 */
static void skip_acked(struct reasm_dir *r, uint32_t to, const struct reasm_sink *s)
{
	while (seq_diff(to, r->next_seq) > 0) {
		int32_t n = seq_diff(to, r->next_seq);
		if (r->ooo && seq_diff(r->ooo->seq, r->next_seq) < n)
			n = seq_diff(r->ooo->seq, r->next_seq);
		if (n > 0) {
			r->gaps_acked++;
			declare_gap(r, (uint32_t)n, s);
		}
		drain(r, s);
		if (!r->ooo)
			break;
	}
}

void reasm_ack(struct reasm_dir *r, uint32_t ack, const struct reasm_sink *s)
{
	if (!reasm_ack_ahead(r, ack))
		return;
	if (!r->acked_set || seq_diff(ack, r->acked) > 0) {
		r->acked = ack;
		r->acked_set = true;
	}
	if (r->ooo) {
		skip_acked(r, ack, s);
		check_fin(r, s);
	}
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
	/* Beyond bytes the receiver acknowledged and the capture missed:
	 * they will not come, so nothing (a FIN neither) waits for them. */
	if ((n + hole > 0 || fin) && seq_diff(seq, r->next_seq) > 0 && reasm_acked_unseen(r))
		skip_acked(r, seq_diff(seq, r->acked) < 0 ? seq : r->acked, s);
	if (n + hole > 0) {
		if (seq_diff(seq, r->next_seq) <= 0) {
			deliver(r, seq, p, n, hole, m, s, m->pay_off);
			drain(r, s);
		} else {
			hold(r, seq, p, n, hole, m, s);
		}
	}
	check_fin(r, s);
}

/* Hands on every held segment, declaring the holes before them. */
static void flush_held(struct reasm_dir *r, const struct reasm_sink *s)
{
	while (r->ooo) {
		struct reasm_seg *g = r->ooo;
		int32_t d = seq_diff(g->seq, r->next_seq);
		if (d > 0)
			declare_gap(r, (uint32_t)d, s);
		r->ooo = g->next;
		held_add(r, -(int64_t)g->len, -(int64_t)g->kept);
		deliver(r, g->seq, seg_bytes(g), g->len, g->hole, &g->meta, s, 0);
		free(g);
	}
}

void reasm_flush(struct reasm_dir *r, const struct reasm_sink *s)
{
	flush_held(r, s);
	if (r->fin_seen && !r->fin_done) {
		int32_t d = seq_diff(r->fin_seq, r->next_seq);
		if (d > 0)
			declare_gap(r, (uint32_t)d, s);
		check_fin(r, s);
	}
}
