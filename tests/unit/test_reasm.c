/* test_reasm.c: TCP reassembly: order, retransmission, overlap, wrap, holes, the cap. */
#include "wl_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "reasm.h"

struct rec {
	char out[256];
	size_t len;
	uint64_t gaps, gap_bytes;
	int fins;
	bool unmarked; /* holes counted, not shown (for holes larger than out) */
};

static void on_data(void *ctx, const uint8_t *p, size_t n, const struct pkt_meta *m)
{
	struct rec *r = ctx;
	/* Bytes a blind direction did not keep show as '.'. */
	if (p)
		memcpy(r->out + r->len, p, n);
	else
		memset(r->out + r->len, '.', n);
	r->len += n;
}

static void on_gap(void *ctx, uint64_t n)
{
	struct rec *r = ctx;
	r->gaps++;
	r->gap_bytes += n;
	/* Holes show as '#', so tests see where they fell. */
	for (uint64_t i = 0; i < n && !r->unmarked; i++)
		r->out[r->len++] = '#';
}

static void on_fin(void *ctx)
{
	((struct rec *)ctx)->fins++;
}

static struct reasm_sink sink(struct rec *r)
{
	struct reasm_sink s = { on_data, on_gap, on_fin, r };
	return s;
}

static const struct pkt_meta meta = { 1, { 0, 0 }, 0, 0, 0, 0, false, 0 };

static void seg(struct reasm_dir *d, struct rec *r, uint32_t seq, const char *s, bool fin)
{
	struct reasm_sink k = sink(r);
	reasm_segment(d, seq, (const uint8_t *)s, (uint32_t)strlen(s), (uint32_t)strlen(s), fin, &meta, &k);
}

static void test_in_order_and_ooo(void **state)
{
	struct reasm_dir d;
	struct rec r = { 0 };
	reasm_init(&d, 1 << 20, 64, NULL);
	reasm_syn(&d, 999);
	seg(&d, &r, 1000, "abc", false);
	seg(&d, &r, 1006, "ghi", false); /* ahead of a hole */
	seg(&d, &r, 1003, "def", false); /* fills it */
	r.out[r.len] = 0;
	assert_string_equal(r.out, "abcdefghi");
	assert_int_equal(d.ooo_bytes, 0);
	reasm_free(&d);
}

static void test_retransmission_and_overlap(void **state)
{
	struct reasm_dir d;
	struct rec r = { 0 };
	reasm_init(&d, 1 << 20, 64, NULL);
	reasm_syn(&d, 0);
	seg(&d, &r, 1, "abcd", false);
	seg(&d, &r, 1, "abcd", false); /* retransmission */
	seg(&d, &r, 3, "XXef", false); /* overlap: the first copy of c, d wins */
	seg(&d, &r, 9, "ij", false);   /* held */
	seg(&d, &r, 8, "YZ", false);   /* overlaps the held one: it stays */
	seg(&d, &r, 7, "g", false);
	r.out[r.len] = 0;
	assert_string_equal(r.out, "abcdefgYij");
	reasm_free(&d);
}

static void test_wrap(void **state)
{
	struct reasm_dir d;
	struct rec r = { 0 };
	reasm_init(&d, 1 << 20, 64, NULL);
	reasm_syn(&d, 0xfffffffdu);
	seg(&d, &r, 0xfffffffeu, "ab", false);
	seg(&d, &r, 2, "ef", false); /* past the wrap, ahead of a hole */
	seg(&d, &r, 0, "cd", false);
	r.out[r.len] = 0;
	assert_string_equal(r.out, "abcdef");
	reasm_free(&d);
}

static void test_hole_flush_and_fin(void **state)
{
	struct reasm_dir d;
	struct rec r = { 0 };
	reasm_init(&d, 1 << 20, 64, NULL);
	seg(&d, &r, 500, "ab", false); /* no SYN: picked up here */
	seg(&d, &r, 505, "fg", true);
	assert_int_equal(r.fins, 0);
	struct reasm_sink k = sink(&r);
	reasm_flush(&d, &k);
	r.out[r.len] = 0;
	assert_string_equal(r.out, "ab###fg");
	assert_int_equal(r.gaps, 1);
	assert_int_equal(r.gap_bytes, 3);
	assert_int_equal(r.fins, 1);
	reasm_free(&d);
}

static void test_cap(void **state)
{
	struct reasm_dir d;
	struct rec r = { 0 };
	reasm_init(&d, 4, 64, NULL);
	reasm_syn(&d, 0);
	seg(&d, &r, 1, "a", false);
	seg(&d, &r, 4, "dd", false);  /* held: 2 bytes */
	seg(&d, &r, 8, "hhh", false); /* 5 > cap: give up on the holes */
	r.out[r.len] = 0;
	assert_string_equal(r.out, "a##dd##hhh");
	assert_int_equal(d.cap_hits, 1);
	assert_int_equal(d.ooo_bytes, 0);
	reasm_free(&d);
}

static void test_snaplen_hole(void **state)
{
	struct reasm_dir d;
	struct rec r = { 0 };
	reasm_init(&d, 1 << 20, 64, NULL);
	reasm_syn(&d, 0);
	struct reasm_sink k = sink(&r);
	/* 6 bytes on the wire, 2 captured. */
	reasm_segment(&d, 1, (const uint8_t *)"ab", 2, 6, false, &meta, &k);
	seg(&d, &r, 7, "gh", false);
	r.out[r.len] = 0;
	assert_string_equal(r.out, "ab####gh");
	reasm_free(&d);
}

/* The first copy wins; a later copy that differs is counted, whether the
 * first copy was handed on already or is held ahead of a hole. */
static void test_overlap_mismatch(void **state)
{
	struct reasm_dir d;
	struct rec r = { 0 };
	reasm_init(&d, 1 << 20, 64, NULL);
	reasm_syn(&d, 0);
	seg(&d, &r, 1, "abcdef", false);
	seg(&d, &r, 1, "abcdef", false); /* same bytes: no mismatch */
	assert_int_equal(d.overlap_mismatch, 0);
	seg(&d, &r, 3, "XYefgh", false); /* c, d differ */
	assert_int_equal(d.overlap_mismatch, 2);
	seg(&d, &r, 20, "tuvw", false);  /* held */
	seg(&d, &r, 18, "rsTUvwxy", false); /* T, U differ from the held t, u */
	assert_int_equal(d.overlap_mismatch, 4);
	r.out[r.len] = 0;
	assert_string_equal(r.out, "abcdefgh");
	struct reasm_sink k = sink(&r);
	reasm_flush(&d, &k);
	r.out[r.len] = 0;
	assert_string_equal(r.out, "abcdefgh#########rstuvwxy");
	reasm_free(&d);
}

/* Bytes older than the window cannot be compared: counted as such. */
static void test_overlap_window(void **state)
{
	struct reasm_dir d;
	struct rec r = { 0 };
	reasm_init(&d, 1 << 20, 4, NULL);
	reasm_syn(&d, 0);
	seg(&d, &r, 1, "abcdefgh", false);
	seg(&d, &r, 1, "ABCDEFGH", false);
	assert_int_equal(d.overlap_unchecked, 4);
	assert_int_equal(d.overlap_mismatch, 4);
	reasm_free(&d);
}

/* The cap over all directions stops the waiting like the per-direction one. */
static void test_total_budget(void **state)
{
	struct reasm_budget b = { .max = 5 };
	struct reasm_dir d1, d2;
	struct rec r1 = { 0 }, r2 = { 0 };
	reasm_init(&d1, 1 << 20, 0, &b);
	reasm_init(&d2, 1 << 20, 0, &b);
	reasm_syn(&d1, 0);
	reasm_syn(&d2, 0);
	seg(&d1, &r1, 5, "abc", false); /* held: 3 of 5 */
	assert_int_equal(b.held, 3);
	seg(&d2, &r2, 5, "xyz", false); /* 6 > 5: d2 gives up its hole */
	assert_int_equal(b.hits, 1);
	assert_int_equal(d2.cap_hits, 1);
	r2.out[r2.len] = 0;
	assert_string_equal(r2.out, "####xyz");
	assert_int_equal(b.held, 3);
	reasm_free(&d1);
	assert_int_equal(b.held, 0);
	reasm_free(&d2);
}

/*
 * A segment with FIN that meets the cap: the held segments are handed on
 * with their holes, then the segment itself; its bytes are not taken for
 * part of a hole up to the FIN.
 */
static void test_cap_with_fin(void **state)
{
	struct reasm_dir d;
	struct rec r = { 0 };
	reasm_init(&d, 4, 64, NULL);
	reasm_syn(&d, 0);
	seg(&d, &r, 1, "ab", false);
	seg(&d, &r, 5, "cd", false);  /* held: 2 of 4 */
	seg(&d, &r, 9, "efg", true);  /* 2 + 3 > 4 */
	r.out[r.len] = 0;
	assert_string_equal(r.out, "ab##cd##efg");
	assert_int_equal(d.cap_hits, 1);
	assert_int_equal(r.gaps, 2);
	assert_int_equal(r.gap_bytes, 4);
	assert_int_equal(r.fins, 1);
	reasm_free(&d);
}

/* n bytes at seq with no bytes to them, as a blind direction may be given. */
static void bare(struct reasm_dir *d, struct rec *r, uint32_t seq, uint32_t n, bool fin)
{
	struct reasm_sink k = sink(r);
	reasm_segment(d, seq, NULL, n, n, fin, &meta, &k);
}

/*
 * A blind direction: its window goes back to the budget; segments held
 * before keep their bytes; later ones, given without bytes, are held as
 * where they lie (the direction's cap counts them, the shared budget
 * does not), and retransmissions are not compared.  Holes and FIN are
 * followed as before.
 */
static void test_blind(void **state)
{
	struct reasm_budget b = { .max = 1 << 20 };
	struct reasm_dir d;
	struct rec r = { 0 };
	reasm_init(&d, 8, 64, &b);
	reasm_syn(&d, 0);
	seg(&d, &r, 1, "abcd", false);
	seg(&d, &r, 7, "gh", false); /* held with its bytes */
	assert_int_equal(b.ring_held, 64);
	assert_int_equal(b.held, 2);
	reasm_blind(&d);
	assert_true(d.blind);
	assert_null(d.ring);
	assert_int_equal(b.ring_held, 0);
	bare(&d, &r, 11, 2, false); /* held without bytes */
	assert_int_equal(d.ooo_bytes, 4);
	assert_int_equal(b.held, 2);
	bare(&d, &r, 1, 4, false);     /* a retransmission: not compared */
	seg(&d, &r, 2, "ZZ", false);   /* with bytes that differ: not compared either */
	bare(&d, &r, 8, 2, false);     /* overlaps a held copy: neither; its last byte is held */
	assert_int_equal(d.overlap_mismatch, 0);
	assert_int_equal(d.overlap_unchecked, 0);
	bare(&d, &r, 5, 2, false);     /* fills the first hole */
	r.out[r.len] = 0;
	assert_string_equal(r.out, "abcd..gh.");
	assert_int_equal(d.ooo_bytes, 2);
	assert_int_equal(b.held, 0);
	/* The direction's cap still counts what a blind one holds: 2 + 7 > 8. */
	bare(&d, &r, 20, 7, true);
	assert_int_equal(d.cap_hits, 1);
	r.out[r.len] = 0;
	assert_string_equal(r.out, "abcd..gh.#..#######.......");
	assert_int_equal(r.gaps, 2);
	assert_int_equal(r.fins, 1);
	assert_int_equal(d.ooo_bytes, 0);
	reasm_free(&d);
	assert_int_equal(b.held, 0);
}

/* Comparison windows take at most half the budget; past that, none. */
static void test_ring_budget(void **state)
{
	struct reasm_budget b = { .max = 256 };
	struct reasm_dir d[3];
	struct rec r = { 0 };
	for (int i = 0; i < 3; i++) {
		reasm_init(&d[i], 1 << 20, 64, &b);
		reasm_syn(&d[i], 0);
		r.len = 0;
		seg(&d[i], &r, 1, "ab", false);
	}
	assert_non_null(d[0].ring);
	assert_non_null(d[1].ring);
	assert_null(d[2].ring);
	assert_int_equal(b.ring_held, 128);
	assert_int_equal(b.ring_denied, 1);
	/* Without a window, a retransmission is counted as unchecked. */
	seg(&d[2], &r, 1, "XY", false);
	assert_int_equal(d[2].overlap_unchecked, 2);
	for (int i = 0; i < 3; i++)
		reasm_free(&d[i]);
	assert_int_equal(b.ring_held, 0);
}

/* A sink that keeps nothing: for streams longer than struct rec holds. */
static void drop_data(void *ctx, const uint8_t *p, size_t n, const struct pkt_meta *m)
{
	(void)ctx, (void)p, (void)n, (void)m;
}

static const struct reasm_sink dropping = { drop_data, on_gap, on_fin, NULL };

/* Byte i of the test stream, and of a copy of it that differs everywhere. */
static uint8_t stream_byte(uint32_t i, bool changed)
{
	return (uint8_t)(i * 7 % 251 + (changed ? 1 : 0));
}

/* Sends bytes [from, to) of the stream (sequence 1 is byte 0), changed or not, in one segment. */
static void send_stream(struct reasm_dir *d, uint32_t from, uint32_t to, bool changed)
{
	static uint8_t b[8192];
	for (uint32_t i = from; i < to; i++)
		b[i - from] = stream_byte(i, changed);
	struct rec r = { 0 };
	struct reasm_sink k = dropping;
	k.ctx = &r;
	reasm_segment(d, 1 + from, b, to - from, to - from, false, &meta, &k);
}

/* Retransmits what the window should hold, the same and then changed: none differ, then all do. */
static void window_holds(struct reasm_dir *d, uint32_t sent, uint32_t window)
{
	uint32_t from = sent > window ? sent - window : 0;
	uint64_t mism = d->overlap_mismatch, unch = d->overlap_unchecked;
	send_stream(d, from, sent, false);
	assert_int_equal(d->overlap_mismatch, mism);
	send_stream(d, from, sent, true);
	assert_int_equal(d->overlap_mismatch, mism + (sent - from));
	assert_int_equal(d->overlap_unchecked, unch);
}

/*
 * The window starts small and grows with what was handed on, up to its
 * size: most connections hand on a few hundred bytes, and a window of
 * 2 KiB each was half the memory of 65536 connections that sent one
 * request.  What it held before growing is compared all the same.
 */
static void test_ring_grows(void **state)
{
	struct reasm_budget b = { .max = 1 << 20 };
	struct reasm_dir d;
	reasm_init(&d, 1 << 20, 2048, &b);
	reasm_syn(&d, 0);
	send_stream(&d, 0, 30, false);
	assert_int_equal(d.ring_size, 64);
	assert_int_equal(b.ring_held, 64);
	window_holds(&d, 30, 2048);
	static const uint32_t upto[] = { 64, 65, 130, 700, 1500, 2048, 2100, 5000 };
	static const uint32_t size[] = { 64, 128, 256, 1024, 2048, 2048, 2048, 2048 };
	uint32_t sent = 30;
	for (size_t i = 0; i < sizeof upto / sizeof upto[0]; i++) {
		send_stream(&d, sent, upto[i], false);
		sent = upto[i];
		assert_int_equal(d.ring_size, size[i]);
		assert_int_equal(b.ring_held, size[i]);
		window_holds(&d, sent, 2048);
	}
	/* Past the window, bytes are unchecked. */
	uint64_t mism = d.overlap_mismatch;
	send_stream(&d, 0, sent, true);
	assert_int_equal(d.overlap_mismatch, mism + 2048);
	assert_int_equal(d.overlap_unchecked, sent - 2048);
	assert_int_equal(b.ring_denied, 0);
	reasm_free(&d);
	assert_int_equal(b.ring_held, 0);
}

/* A window the budget will not let grow stays as it is, counted once as denied. */
static void test_ring_growth_denied(void **state)
{
	struct reasm_budget b = { .max = 256 }; /* windows: 128 bytes at most */
	struct reasm_dir d;
	reasm_init(&d, 1 << 20, 2048, &b);
	reasm_syn(&d, 0);
	send_stream(&d, 0, 100, false);
	assert_int_equal(d.ring_size, 128);
	send_stream(&d, 100, 300, false);
	send_stream(&d, 300, 600, false);
	assert_int_equal(d.ring_size, 128);
	assert_int_equal(b.ring_held, 128);
	assert_int_equal(b.ring_denied, 1);
	window_holds(&d, 600, 128);
	send_stream(&d, 0, 600, true);
	assert_int_equal(d.overlap_unchecked, 600 - 128);
	reasm_free(&d);
	assert_int_equal(b.ring_held, 0);
}

/*
 * The stream of send_stream written to a file: byte i of it at FILE_AT +
 * i, and the changed copy at FILE_AT + FILE_CHANGED + i, where the
 * retransmissions lie in a capture too.
 */
#define FILE_AT 100u
#define FILE_CHANGED 16384u

static int stream_file(uint32_t len)
{
	FILE *f = tmpfile();
	assert_non_null(f);
	int fd = dup(fileno(f));
	fclose(f);
	uint8_t b[FILE_AT + FILE_CHANGED + 8192] = { 0 };
	assert_true(len <= 8192);
	for (uint32_t i = 0; i < len; i++) {
		b[FILE_AT + i] = stream_byte(i, false);
		b[FILE_AT + FILE_CHANGED + i] = stream_byte(i, true);
	}
	assert_int_equal(pwrite(fd, b, sizeof b, 0), (ssize_t)sizeof b);
	return fd;
}

/* send_stream, the segment's bytes placed where stream_file put them. */
static void send_placed(struct reasm_dir *d, uint32_t from, uint32_t to, bool changed)
{
	uint8_t b[8192];
	for (uint32_t i = from; i < to; i++)
		b[i - from] = stream_byte(i, changed);
	struct pkt_meta m = meta;
	m.pay_off = FILE_AT + (changed ? FILE_CHANGED : 0) + from;
	struct rec r = { 0 };
	struct reasm_sink k = dropping;
	k.ctx = &r;
	reasm_segment(d, 1 + from, b, to - from, to - from, false, &m, &k);
}

/* d, with a window of 2048 bytes, started at sequence 1; b its budget of max bytes, fd the file. */
static void start_placed(struct reasm_dir *d, struct reasm_budget *b, uint64_t max, const int *fd)
{
	*b = (struct reasm_budget){ .max = max, .file_fd = fd };
	reasm_init(d, 1 << 20, 2048, b);
	reasm_syn(d, 0);
}

/*
 * Payload handed on from a file is not copied into the window: a
 * retransmission is compared with the first copy where it lies in the
 * file.  Only segments too small for RING_REFS of them to span the window
 * are copied, and the window holds the same bytes either way.
 */
static void test_ring_in_file(void **state)
{
	int fd = stream_file(8000);
	struct reasm_budget b;
	struct reasm_dir d;
	start_placed(&d, &b, 1 << 20, &fd);
	send_placed(&d, 0, 1448, false);
	send_placed(&d, 1448, 2896, false);
	send_placed(&d, 2896, 4344, false);
	assert_null(d.ring);
	assert_int_equal(b.ring_held, RING_REFS * sizeof(struct ring_ref)); /* the refs, not 2 KiB of window */
	assert_int_equal(d.nref, 3); /* the first, older than the window, goes when RING_REFS + 1 need a place */
	/* The same bytes: read again, none differ; changed, all do; older
	 * than the window, unchecked. */
	window_holds(&d, 4344, 2048);
	assert_int_equal(b.ring_reread, 2 * 2048);
	send_placed(&d, 0, 4344, true);
	assert_int_equal(d.overlap_mismatch, 2048 + 2048);
	assert_int_equal(d.overlap_unchecked, 4344 - 2048);
	/* Small segments (of 2048 / (RING_REFS - 1) bytes or fewer) are
	 * copied, and the window spans both kinds. */
	send_placed(&d, 4344, 4344 + 2048 / (RING_REFS - 1), false);
	assert_int_equal(d.nref, 3);
	send_placed(&d, 4344 + 2048 / (RING_REFS - 1), 4600, false);
	assert_non_null(d.ring);
	window_holds(&d, 4600, 2048);
	send_placed(&d, 4600, 6000, false);
	send_placed(&d, 6000, 6010, false);
	window_holds(&d, 6010, 2048);
	/* A retransmission that carries new bytes after old ones: the new
	 * ones are kept as where they lie, past the old ones. */
	send_placed(&d, 5000, 7000, false);
	assert_int_equal(d.next_seq, 7001);
	window_holds(&d, 7000, 2048);
	reasm_free(&d);
	assert_int_equal(b.ring_held, 0);
	close(fd);
}

/*
 * The refs are a ring of their own: segments just too large to be copied,
 * three times as many as it holds, each kept as a ref, and after each the
 * window holds its last 2048 bytes, then one copied after them; the
 * oldest ref goes as each new one comes, so that the ring wraps, and
 * bytes older than the window are unchecked.
 */
static void test_ring_refs_wrap(void **state)
{
	const uint32_t seg = 2048 / (RING_REFS - 1) + 1;
	int fd = stream_file(8000);
	struct reasm_budget b;
	struct reasm_dir d;
	start_placed(&d, &b, 1 << 20, &fd);
	uint32_t sent = 0;
	for (uint32_t i = 0; i < 3 * RING_REFS; i++) {
		send_placed(&d, sent, sent + seg, false);
		sent += seg;
		assert_null(d.ring);
		/* Full, the oldest goes as each new one comes. */
		assert_int_equal(d.nref, i < RING_REFS ? i + 1 : RING_REFS);
		assert_int_equal(d.ref0, i < RING_REFS ? 0 : (i + 1) % RING_REFS);
		window_holds(&d, sent, 2048);
	}
	send_placed(&d, sent, sent + 10, false);
	sent += 10;
	assert_non_null(d.ring);
	window_holds(&d, sent, 2048);
	uint64_t unch = d.overlap_unchecked;
	send_placed(&d, 0, sent, true);
	assert_int_equal(d.overlap_unchecked, unch + sent - 2048);
	reasm_free(&d);
	assert_int_equal(b.ring_held, 0);
	close(fd);
}

/* Bytes the file no longer has (it changed under the reader) are unchecked, not taken to differ. */
static void test_ring_file_changed(void **state)
{
	int fd = stream_file(4000);
	struct reasm_budget b;
	struct reasm_dir d;
	start_placed(&d, &b, 1 << 20, &fd);
	send_placed(&d, 0, 1448, false);
	send_placed(&d, 1448, 2896, false);
	assert_int_equal(ftruncate(fd, FILE_AT + 2000), 0);
	send_placed(&d, 1448, 2896, true);
	assert_int_equal(d.overlap_mismatch, 2000 - 1448);
	assert_int_equal(d.overlap_unchecked, 2896 - 2000);
	reasm_free(&d);
	close(fd);
}

/* Refs the budget has no room for: the bytes are copied into the window instead, as far as it may grow. */
static void test_ring_refs_denied(void **state)
{
	int fd = stream_file(4000);
	struct reasm_budget b;
	struct reasm_dir d;
	start_placed(&d, &b, 2 * 48, &fd); /* windows: 48 bytes at most */
	send_placed(&d, 0, 1448, false);
	assert_null(d.refs);
	assert_int_equal(d.ring_size, 0); /* the window's first 64 bytes are refused too */
	assert_int_equal(b.ring_denied, 1);
	send_placed(&d, 0, 1448, true);
	assert_int_equal(d.overlap_unchecked, 1448);
	assert_int_equal(b.ring_reread, 0);
	reasm_free(&d);
	close(fd);
}

/* Without the file (a pipe, a live capture), every byte is copied into the window, as before. */
static void test_ring_without_file(void **state)
{
	int fd = -1;
	struct reasm_budget b;
	struct reasm_dir d;
	start_placed(&d, &b, 1 << 20, &fd);
	send_placed(&d, 0, 1448, false);
	send_placed(&d, 1448, 2896, false);
	assert_int_equal(d.nref, 0);
	assert_int_equal(d.ring_size, 2048);
	window_holds(&d, 2896, 2048);
	assert_int_equal(b.ring_reread, 0);
	reasm_free(&d);
}

/* A segment exactly 2^31 away is taken for an old one and dropped; the
 * distance must not overflow when negated (UBSan in the sanitizer build). */
static void test_half_space_distance(void **state)
{
	struct reasm_dir d;
	struct rec r = { 0 };
	reasm_init(&d, 1 << 20, 64, NULL);
	reasm_syn(&d, 0);
	seg(&d, &r, 1, "ab", false);
	seg(&d, &r, 3u + 0x80000000u, "zz", false);
	seg(&d, &r, 3, "cd", false);
	r.out[r.len] = 0;
	assert_string_equal(r.out, "abcd");
	assert_int_equal(d.ooo_bytes, 0);
	reasm_free(&d);
}

static void ack(struct reasm_dir *d, struct rec *r, uint32_t a)
{
	struct reasm_sink k = sink(r);
	reasm_ack(d, a, &k);
}

static void test_ack_declares_hole(void **state)
{
	/* Held bytes wait for a hole until the receiver acknowledges bytes
	 * in it: then the hole is declared up to the acknowledgment, and
	 * what is held after it handed on; an acknowledgment inside the
	 * hole leaves the rest of it waiting. */
	struct reasm_dir d;
	struct rec r = { 0 };
	reasm_init(&d, 1 << 20, 64, NULL);
	reasm_syn(&d, 999);
	seg(&d, &r, 1000, "abc", false);
	seg(&d, &r, 1010, "klm", false); /* ahead of a hole of 7 */
	seg(&d, &r, 1016, "qr", false);  /* and of another of 3 */
	ack(&d, &r, 1003);                /* nothing unseen before it */
	assert_int_equal(r.len, 3);
	ack(&d, &r, 1005);                /* inside the first hole */
	r.out[r.len] = 0;
	assert_string_equal(r.out, "abc##");
	assert_int_equal(d.ooo_bytes, 5);
	ack(&d, &r, 1017);                /* past both */
	r.out[r.len] = 0;
	assert_string_equal(r.out, "abc#######klm###qr");
	assert_int_equal(d.ooo_bytes, 0);
	assert_int_equal(d.gaps, 3);
	assert_int_equal(d.gaps_acked, 3);
	assert_int_equal(d.gap_bytes, 10);
	/* An old acknowledgment changes nothing. */
	ack(&d, &r, 1004);
	assert_int_equal(r.len, 18);
	reasm_free(&d);
}

static void test_ack_then_segment(void **state)
{
	/* With nothing held, an acknowledgment past the bytes seen declares
	 * nothing (they may yet come, late in the capture); a segment that
	 * then comes beyond them is not held waiting for them. */
	struct reasm_dir d;
	struct rec r = { 0 };
	reasm_init(&d, 1 << 20, 64, NULL);
	reasm_syn(&d, 999);
	seg(&d, &r, 1000, "ab", false);
	ack(&d, &r, 1006);
	assert_int_equal(r.len, 2);
	assert_int_equal(d.gaps, 0);
	assert_true(reasm_acked_unseen(&d));
	seg(&d, &r, 1002, "cd", false);   /* late, in order: handed on */
	assert_true(reasm_acked_unseen(&d));
	seg(&d, &r, 1006, "gh", false);   /* beyond the acknowledged 1004..1006 */
	r.out[r.len] = 0;
	assert_string_equal(r.out, "abcd##gh");
	assert_int_equal(d.gaps_acked, 1);
	assert_false(reasm_acked_unseen(&d));
	/* Beyond the acknowledgment, a segment waits for its hole as before. */
	ack(&d, &r, 1010);
	seg(&d, &r, 1012, "kl", true);
	assert_int_equal(d.ooo_bytes, 2);
	r.out[r.len] = 0;
	assert_string_equal(r.out, "abcd##gh##");
	seg(&d, &r, 1010, "ij", false);
	r.out[r.len] = 0;
	assert_string_equal(r.out, "abcd##gh##ijkl");
	assert_int_equal(r.fins, 1);
	reasm_free(&d);
}

static void test_ack_then_fin(void **state)
{
	/* A FIN beyond acknowledged bytes the capture missed is not held
	 * waiting for them either. */
	struct reasm_dir d;
	struct rec r = { 0 };
	reasm_init(&d, 1 << 20, 64, NULL);
	reasm_syn(&d, 999);
	seg(&d, &r, 1000, "ab", false);
	ack(&d, &r, 1006);
	seg(&d, &r, 1006, "", true);
	r.out[r.len] = 0;
	assert_string_equal(r.out, "ab####");
	assert_int_equal(r.fins, 1);
	assert_int_equal(d.gaps_acked, 1);
	reasm_free(&d);
}

static void test_ack_forgotten(void **state)
{
	/* Once the bytes acknowledged have all come, the acknowledgment is
	 * forgotten: 3.75 GiB later (snap-length holes here), sequence
	 * numbers compared modulo 2^32 would put it ahead again. */
	struct reasm_dir d;
	struct rec r = { 0 };
	reasm_init(&d, 1 << 20, 64, NULL);
	reasm_syn(&d, 999);
	ack(&d, &r, 1010);
	assert_true(reasm_acked_unseen(&d));
	seg(&d, &r, 1000, "abcdefghijkl", false);
	assert_false(reasm_acked_unseen(&d));
	r.unmarked = true;
	struct reasm_sink k = sink(&r);
	uint32_t at = 1012;
	for (int i = 0; i < 3; i++) {
		reasm_segment(&d, at, (const uint8_t *)"", 0, 0x50000000u, false, &meta, &k);
		at += 0x50000000u;
	}
	assert_int_equal(d.next_seq, at);
	assert_false(reasm_acked_unseen(&d));
	/* And a segment ahead of a hole waits for it, as without an acknowledgment. */
	r.len = 0;
	seg(&d, &r, at + 4, "xy", false);
	assert_int_equal(d.ooo_bytes, 2);
	assert_int_equal(d.gaps_acked, 0);
	reasm_free(&d);
}

static void test_ack_before_syn(void **state)
{
	/* A direction not started has nothing to declare. */
	struct reasm_dir d;
	struct rec r = { 0 };
	reasm_init(&d, 1 << 20, 64, NULL);
	ack(&d, &r, 1234);
	assert_false(d.acked_set);
	assert_false(reasm_acked_unseen(&d));
	reasm_free(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_in_order_and_ooo), cmocka_unit_test(test_retransmission_and_overlap),
		cmocka_unit_test(test_wrap), cmocka_unit_test(test_hole_flush_and_fin),
		cmocka_unit_test(test_cap), cmocka_unit_test(test_snaplen_hole),
		cmocka_unit_test(test_overlap_mismatch), cmocka_unit_test(test_overlap_window),
		cmocka_unit_test(test_total_budget), cmocka_unit_test(test_ring_budget),
		cmocka_unit_test(test_half_space_distance), cmocka_unit_test(test_ring_grows),
		cmocka_unit_test(test_ring_growth_denied), cmocka_unit_test(test_ring_in_file),
		cmocka_unit_test(test_ring_file_changed), cmocka_unit_test(test_ring_refs_denied),
		cmocka_unit_test(test_ring_without_file), cmocka_unit_test(test_ring_refs_wrap),
		cmocka_unit_test(test_ack_declares_hole),
		cmocka_unit_test(test_ack_then_segment), cmocka_unit_test(test_ack_then_fin),
		cmocka_unit_test(test_ack_forgotten),
		cmocka_unit_test(test_ack_before_syn), cmocka_unit_test(test_blind),
		cmocka_unit_test(test_cap_with_fin),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
