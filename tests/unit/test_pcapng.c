/* test_pcapng.c: the pcapng reader: every packet as written, across its read-ahead window, and damage named. */
#include "wl_test.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "pcapng.h"

/* A file being written in memory, little-endian. */
struct out {
	uint8_t *b;
	size_t n, cap;
};

static void put(struct out *o, const void *p, size_t n)
{
	if (o->n + n > o->cap) {
		o->cap = (o->n + n) * 2;
		o->b = realloc(o->b, o->cap);
		assert_non_null(o->b);
	}
	memcpy(o->b + o->n, p, n);
	o->n += n;
}

static void put32(struct out *o, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };
	put(o, b, 4);
}

static void put16(struct out *o, uint16_t v)
{
	uint8_t b[2] = { (uint8_t)v, (uint8_t)(v >> 8) };
	put(o, b, 2);
}

static void shb(struct out *o)
{
	put32(o, 0x0A0D0D0A);
	put32(o, 28);
	put32(o, 0x1A2B3C4D);
	put16(o, 1);
	put16(o, 0);
	put32(o, 0xFFFFFFFF);
	put32(o, 0xFFFFFFFF);
	put32(o, 28);
}

/* An Interface Description Block for Ethernet; tsresol < 0: none given. */
static void idb(struct out *o, int tsresol)
{
	uint32_t len = 20 + (tsresol >= 0 ? 12 : 0);
	put32(o, 1);
	put32(o, len);
	put16(o, 1); /* LINKTYPE_ETHERNET */
	put16(o, 0);
	put32(o, 262144);
	if (tsresol >= 0) {
		put16(o, 9);
		put16(o, 1);
		uint8_t v[4] = { (uint8_t)tsresol, 0, 0, 0 };
		put(o, v, 4);
		put32(o, 0); /* opt_endofopt */
	}
	put32(o, len);
}

/* The bytes of packet i: its length and content follow from i alone. */
static uint32_t pkt_len(uint32_t i)
{
	return i == 7 ? 700000 : 1 + (i * 7919u) % 1800u;
}

static uint8_t pkt_byte(uint32_t i, uint32_t k)
{
	return (uint8_t)(i * 31u + k * 7u);
}

/* An Enhanced Packet Block of packet i at time t (in the interface's units); returns its offset. */
static size_t epb(struct out *o, uint32_t i, uint64_t t)
{
	size_t at = o->n;
	uint32_t n = pkt_len(i), pad = (4 - n % 4) % 4, len = 32 + n + pad;
	put32(o, 6);
	put32(o, len);
	put32(o, 0);
	put32(o, (uint32_t)(t >> 32));
	put32(o, (uint32_t)t);
	put32(o, n);
	put32(o, n + 4); /* on the wire: 4 bytes more than captured */
	for (uint32_t k = 0; k < n; k++) {
		uint8_t b = pkt_byte(i, k);
		put(o, &b, 1);
	}
	static const uint8_t zeros[3];
	put(o, zeros, pad);
	put32(o, len);
	return at;
}

/* A block of a type the reader skips. */
static void unknown_block(struct out *o)
{
	put32(o, 0x00000BAD);
	put32(o, 16);
	put32(o, 0x12345678);
	put32(o, 16);
}

static FILE *as_file(const struct out *o, size_t n)
{
	FILE *f = tmpfile();
	assert_non_null(f);
	assert_int_equal(fwrite(o->b, 1, n, f), n);
	rewind(f);
	return f;
}

/* Many packets of every size up to 1800 bytes and one of 700000 (larger than the window), an unknown block among
 * them: each comes back with its bytes, lengths, time and place in the file (its block's and its bytes', which
 * -j's workers read again from there), in order, then the end. */
static void test_packets_across_windows(void **state)
{
	struct out o = { 0 };
	shb(&o);
	idb(&o, -1);
	enum { N = 3000 };
	size_t at[N];
	for (uint32_t i = 0; i < N; i++) {
		if (i == 100)
			unknown_block(&o);
		at[i] = epb(&o, i, 1700000000000000ull + i * 1000003ull);
	}
	FILE *f = as_file(&o, o.n);
	struct png_reader r;
	png_init(&r, f, true);
	struct png_packet p;
	char err[256] = "";
	for (uint32_t i = 0; i < N; i++) {
		assert_int_equal(png_next(&r, &p, err, sizeof err), 1);
		assert_int_equal(p.dlt, 1);
		assert_int_equal(p.caplen, pkt_len(i));
		assert_int_equal(p.len, pkt_len(i) + 4);
		for (uint32_t k = 0; k < p.caplen; k++)
			if (p.data[k] != pkt_byte(i, k))
				fail_msg("packet %u byte %u: %u, want %u", i, k, p.data[k], pkt_byte(i, k));
		uint64_t t = 1700000000000000ull + i * 1000003ull;
		assert_int_equal(p.ts.tv_sec, t / 1000000);
		assert_int_equal(p.ts.tv_usec, t % 1000000);
		assert_int_equal(p.rec_off, at[i]);
		assert_int_equal(p.rec_len, (i + 1 < N ? (i == 99 ? at[i + 1] - 16 : at[i + 1]) : o.n) - at[i]);
		assert_true(p.data_off > p.rec_off && p.data_off + p.caplen <= p.rec_off + p.rec_len);
		assert_memory_equal(o.b + p.data_off, p.data, p.caplen);
	}
	assert_int_equal(png_next(&r, &p, err, sizeof err), 0);
	assert_int_equal(r.skipped_blocks, 1);
	png_free(&r);
	fclose(f);
	free(o.b);
}

/* A Simple Packet Block: its bytes, lengths and where its bytes lie in the file. */
static void test_simple_packet_block(void **state)
{
	struct out o = { 0 };
	shb(&o);
	idb(&o, -1);
	size_t at = o.n;
	put32(&o, 3);
	put32(&o, 24);
	put32(&o, 9); /* on the wire */
	put(&o, "simple\0\0", 8);
	put32(&o, 24);
	FILE *f = as_file(&o, o.n);
	struct png_reader r;
	png_init(&r, f, true);
	struct png_packet p;
	char err[256] = "";
	assert_int_equal(png_next(&r, &p, err, sizeof err), 1);
	assert_int_equal(p.rec_off, at);
	assert_int_equal(p.rec_len, 24);
	assert_int_equal(p.caplen, 8);
	assert_int_equal(p.len, 9);
	assert_int_equal(p.data_off, at + 12);
	assert_memory_equal(o.b + p.data_off, "simple", 6);
	assert_int_equal(png_next(&r, &p, err, sizeof err), 0);
	png_free(&r);
	fclose(f);
	free(o.b);
}

/* Nanoseconds, microseconds, a binary resolution: each time in seconds and microseconds, the fraction cut. */
static void test_timestamps(void **state)
{
	struct {
		int tsresol;
		uint64_t t;
		long sec, usec;
	} cases[] = {
		{ 9, 1700000000123456789ull, 1700000000, 123456 },
		{ 9, 999ull, 0, 0 },
		{ 6, 1700000000999999ull, 1700000000, 999999 },
		{ 3, 1700000000123ull, 1700000000, 123000 },
		{ 0x80 | 20, (1700000000ull << 20) | (1u << 19), 1700000000, 500000 },
		{ 10, 17000000001234567891ull, 1700000000, 123456 },
	};
	for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
		struct out o = { 0 };
		shb(&o);
		idb(&o, cases[c].tsresol);
		epb(&o, 1, cases[c].t);
		FILE *f = as_file(&o, o.n);
		struct png_reader r;
		png_init(&r, f, true);
		struct png_packet p;
		char err[256] = "";
		assert_int_equal(png_next(&r, &p, err, sizeof err), 1);
		if (p.ts.tv_sec != cases[c].sec || p.ts.tv_usec != cases[c].usec)
			fail_msg("tsresol %#x, %llu units: %ld.%06ld, want %ld.%06ld", cases[c].tsresol,
				 (unsigned long long)cases[c].t, (long)p.ts.tv_sec, (long)p.ts.tv_usec, cases[c].sec,
				 cases[c].usec);
		png_free(&r);
		fclose(f);
		free(o.b);
	}
}

/* The file cut at every byte: every packet whole before the cut comes back, then the end (a cut between blocks)
 * or the damage, named with the block's offset. */
static void test_cut_everywhere(void **state)
{
	struct out o = { 0 };
	shb(&o);
	idb(&o, -1);
	size_t ends[4], at[4];
	for (uint32_t i = 0; i < 4; i++) {
		at[i] = epb(&o, i + 10, i);
		ends[i] = o.n;
	}
	for (size_t cut = 1; cut < o.n; cut++) {
		FILE *f = as_file(&o, cut);
		struct png_reader r;
		png_init(&r, f, true);
		struct png_packet p;
		char err[256] = "", want[256] = "";
		uint32_t whole = 0;
		while (whole < 4 && ends[whole] <= cut)
			whole++;
		for (uint32_t i = 0; i < whole; i++)
			assert_int_equal(png_next(&r, &p, err, sizeof err), 1);
		int rc = png_next(&r, &p, err, sizeof err);
		size_t next = whole ? ends[whole - 1] : at[0]; /* where the block cut begins */
		if (cut < 28)
			snprintf(want, sizeof want, cut < 8 ? "truncated pcapng block header at byte 0"
							    : "truncated pcapng section header at byte 0");
		else if (cut == 28)
			want[0] = 0; /* between blocks: the end, with no packet */
		else if (cut < 48)
			snprintf(want, sizeof want, cut < 36 ? "truncated pcapng block header at byte 28"
							     : "truncated pcapng block at byte 28 (20 bytes announced)");
		else if (cut == next)
			want[0] = 0;
		else if (cut < next + 8)
			snprintf(want, sizeof want, "truncated pcapng block header at byte %zu", next);
		else
			snprintf(want, sizeof want, "truncated pcapng block at byte %zu (%zu bytes announced)", next,
				 ends[whole] - at[whole]);
		if (!want[0]) {
			if (rc != 0)
				fail_msg("cut at %zu: %d (%s), want the end", cut, rc, err);
		} else if (rc != -1 || strcmp(err, want) != 0) {
			fail_msg("cut at %zu: %d \"%s\", want -1 \"%s\"", cut, rc, err, want);
		}
		png_free(&r);
		fclose(f);
	}
	free(o.b);
}

static void on_alarm(int sig)
{
	(void)sig;
	static const char m[] = "the reader waited for bytes the pipe had not been given\n";
	(void)!write(2, m, sizeof m - 1);
	_exit(1);
}

/* From a pipe, each packet is handed on as soon as its block is written: the reader asks for no more. */
static void test_pipe_packet_at_once(void **state)
{
	int fd[2];
	assert_int_equal(pipe(fd), 0);
	struct out o = { 0 };
	shb(&o);
	idb(&o, -1);
	size_t first = o.n;
	epb(&o, 3, 5);
	size_t second = o.n;
	epb(&o, 4, 6);
	assert_int_equal(write(fd[1], o.b, second), (ssize_t)second);
	FILE *f = fdopen(fd[0], "rb");
	assert_non_null(f);
	signal(SIGALRM, on_alarm);
	alarm(10);
	struct png_reader r;
	png_init(&r, f, false);
	struct png_packet p;
	char err[256] = "";
	assert_int_equal(png_next(&r, &p, err, sizeof err), 1);
	assert_int_equal(p.rec_off, first);
	assert_int_equal(p.caplen, pkt_len(3));
	assert_int_equal(write(fd[1], o.b + second, o.n - second), (ssize_t)(o.n - second));
	assert_int_equal(png_next(&r, &p, err, sizeof err), 1);
	assert_int_equal(p.rec_off, second);
	assert_int_equal(p.caplen, pkt_len(4));
	close(fd[1]);
	assert_int_equal(png_next(&r, &p, err, sizeof err), 0);
	alarm(0);
	png_free(&r);
	fclose(f);
	free(o.b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_packets_across_windows), cmocka_unit_test(test_simple_packet_block),
		cmocka_unit_test(test_timestamps),
		cmocka_unit_test(test_cut_everywhere),
		cmocka_unit_test(test_pipe_packet_at_once),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
