/* reasm.h: TCP reassembly of one direction of a connection. */
#ifndef WL_REASM_H
#define WL_REASM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/time.h>

/* Where a delivered byte run came from: the packet that carried its first byte. */
struct pkt_meta {
	uint64_t frame;      /* 1-based packet number in the file */
	struct timeval ts;   /* capture time */
	uint64_t rec_off;    /* where the packet's record starts in the file (0: not from a file) */
	uint32_t rec_len;    /* and its length, record header included */
	uint32_t seq;        /* the packet's sequence number */
	uint32_t ack;        /* its acknowledgment number, when has_ack */
	bool has_ack;        /* it had the ACK flag */
	uint64_t pay_off;    /* where the payload handed to reasm_segment lies in the file (0: it does not) */
};

/* a - b as a signed distance in sequence space (RFC 9293 §3.4: compared modulo 2^32). */
static inline int32_t seq_diff(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b);
}

/* What reassembly hands on, in sequence order. */
struct reasm_sink {
	void (*data)(void *ctx, const uint8_t *p, size_t n, const struct pkt_meta *m);
	void (*gap)(void *ctx, uint64_t n);   /* n bytes will never arrive */
	void (*fin)(void *ctx);               /* the sender closed, all its bytes delivered */
	void *ctx;
};

struct reasm_seg;

/*
 * Bytes held over all directions, and their cap: out-of-order segments, and
 * the windows kept to compare retransmissions, which may take at most half
 * of the cap (a direction that finds no room compares nothing, counted).
 */
struct reasm_budget {
	uint64_t held;      /* out-of-order bytes */
	uint64_t ring_held; /* comparison windows */
	uint64_t max;
	uint64_t hits;      /* times the cap forced a direction to stop waiting */
	uint64_t ring_denied; /* directions that found no room for a window, or to grow it */
	/* The capture file the payloads with a pay_off lie in, to compare
	 * retransmissions with where they are (struct ring_ref); NULL or -1:
	 * none, every byte is copied into the window. */
	const int *file_fd;
	uint64_t ring_reread;  /* bytes read again from the file to be compared */
};

/*
 * n bytes handed on from seq that are kept as where they lie in the file
 * (off), not copied into the window: in-order payload from a file is not
 * copied.  Only segments of more than ring_cap / (RING_REFS - 1) bytes are
 * (136 of the default 2048: a small response is a ref, a small request is
 * copied), so that RING_REFS of them always reach back as far as the
 * window does.  They are a ring of their own, oldest at ref0: a ref
 * written is one line of the connection's, where a copy of a response
 * writes ten (docs/performance.md).
 */
struct ring_ref {
	uint32_t seq, n;
	uint64_t off;
};
#define RING_REFS 16
_Static_assert((RING_REFS & (RING_REFS - 1)) == 0, "the refs' ring wraps by a mask");

/*
 * One direction.  In-order payload is handed on straight from the packet
 * buffer; only segments that arrive ahead of a hole are copied, up to
 * max_ooo bytes.  Sequence numbers are compared modulo 2^32 (RFC 9293
 * §3.4), so a stream may wrap.
 */
struct reasm_dir {
	bool started;          /* next_seq is known */
	bool blind;            /* its bytes are not needed (reasm_blind) */
	bool fin_seen;
	bool fin_done;         /* fin delivered */
	uint32_t next_seq;     /* the next byte to hand on */
	uint32_t fin_seq;      /* sequence number of the FIN */
	struct reasm_seg *ooo; /* held segments, sorted by sequence number */
	uint32_t ooo_bytes;
	uint32_t max_ooo;
	struct reasm_budget *budget; /* shared by every direction; may be NULL */
	uint64_t delivered;    /* bytes handed on */
	uint64_t cap_hits;     /* times max_ooo forced a hole */
	uint64_t gap_bytes;    /* bytes declared missing */
	uint64_t gaps;
	uint64_t gaps_acked;   /* of those, holes declared because the receiver had acknowledged their bytes */
	/* The highest acknowledgment the receiver sent (when acked_set):
	 * bytes before it that were not seen will not be sent again. */
	uint32_t acked;
	bool acked_set;
	uint8_t nref;          /* refs in use, */
	uint8_t ref0;          /* the oldest of them at refs[ref0], the next at ref0 + 1 (mod RING_REFS) */
	/* The last bytes handed on, to compare retransmissions with (the
	 * first copy wins, but a copy that differs is a possible evasion). */
	uint8_t *ring;
	uint32_t ring_cap;     /* a power of two, or 0: no comparison */
	uint32_t ring_size;    /* bytes of ring: a power of two, from 64 up to ring_cap as bytes are handed on */
	uint32_t ring_valid;   /* bytes before next_seq that the ring holds, those in refs aside (their places in it are not written) */
	uint32_t ring_span;    /* bytes before next_seq that are compared: in the ring or in refs, up to ring_cap */
	struct ring_ref *refs; /* RING_REFS, from ref0 on: allocated at the first, counted with the windows */
	uint64_t overlap_mismatch;  /* overlapping bytes that differed */
	uint64_t overlap_unchecked; /* overlapping bytes too old to compare */
};

/* max_ooo caps held bytes; ring_cap (rounded down to a power of two, 0
 * for none) is how far back retransmitted bytes are compared.  The window
 * is allocated at the first byte handed on and grows with them, so that a
 * direction that hands on a few hundred bytes holds a few hundred. */
void reasm_init(struct reasm_dir *r, uint32_t max_ooo, uint32_t ring_cap, struct reasm_budget *budget);
void reasm_free(struct reasm_dir *r);

/*
 * From now on no one needs this direction's bytes (its connection is not
 * HTTP): it still follows sequence numbers, holes, the cap and FIN, but
 * keeps no bytes, holds segments ahead of a hole as where they lie only,
 * and compares no retransmission.  Its segments may then come with p NULL,
 * and its sink is handed NULL for bytes it did not keep.
 */
void reasm_blind(struct reasm_dir *r);

/* A SYN from this direction: the stream starts at isn + 1. */
void reasm_syn(struct reasm_dir *r, uint32_t isn);

/*
 * A segment: seq, the bytes captured (p, n) and the bytes it carried on
 * the wire (wire_n >= n: the rest was cut by the snap length and is a
 * hole), and whether it carried FIN.
 */
void reasm_segment(struct reasm_dir *r, uint32_t seq, const uint8_t *p, uint32_t n, uint32_t wire_n, bool fin,
		   const struct pkt_meta *m, const struct reasm_sink *s);

/*
 * The receiver acknowledged every byte before ack (a segment the other
 * way had the ACK flag).  Bytes before it that the capture has not shown
 * were received, not lost on the way: they will not be sent again, so a
 * hole before ack is declared at once rather than waited for, up to the
 * segments held after it, which are handed on; and a segment that comes
 * later beyond such bytes is not held waiting for them.
 */
void reasm_ack(struct reasm_dir *r, uint32_t ack, const struct reasm_sink *s);

/* Whether ack acknowledges bytes r has not handed on: reasm_ack has work only then. */
static inline bool reasm_ack_ahead(const struct reasm_dir *r, uint32_t ack)
{
	return r->started && seq_diff(ack, r->next_seq) > 0;
}

/* Whether the receiver acknowledged bytes this direction has not handed on. */
static inline bool reasm_acked_unseen(const struct reasm_dir *r)
{
	return r->acked_set && seq_diff(r->acked, r->next_seq) > 0;
}

/* Hands on everything held, declaring the holes between; used at close and end of capture. */
void reasm_flush(struct reasm_dir *r, const struct reasm_sink *s);

#endif
