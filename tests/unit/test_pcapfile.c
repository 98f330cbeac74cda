/* test_pcapfile.c: the in-place pcap reader: which headers it takes, every record as written across its window, and where it leaves the rest to libpcap. */
#include "wl_test.h"

#include <stdio.h>
#include <stdlib.h>

#include "pcapfile.h"

/* A pcap file header: magic, version, snap length and link type, in byte order big or not. */
static void header(uint8_t h[24], uint32_t magic, uint16_t maj, uint16_t min, uint32_t snap, uint32_t lt, bool big)
{
	uint32_t w[6] = { magic, (uint32_t)maj | (uint32_t)min << 16, 0, 0, snap, lt };
	for (int i = 0; i < 6; i++) {
		uint32_t v = w[i];
		if (i == 1 && big) /* two 16-bit fields, each in the file's order */
			v = (uint32_t)__builtin_bswap16(maj) | (uint32_t)__builtin_bswap16(min) << 16;
		else if (big)
			v = __builtin_bswap32(v);
		memcpy(h + 4 * i, &v, 4);
	}
}

static void test_headers(void **state)
{
	static const struct {
		uint32_t magic;
		uint16_t maj, min;
		uint32_t snap, lt;
		bool taken, nsec;
		int dlt;
	} cases[] = {
		{ 0xa1b2c3d4u, 2, 4, 262144, 1, true, false, 1 },
		{ 0xa1b23c4du, 2, 4, 65535, 101, true, true, 12 }, /* LINKTYPE_RAW is DLT_RAW */
		{ 0xa1b2c3d4u, 2, 4, 1, 113, true, false, 113 },
		/* Left to libpcap: another version, no or too large a snap length,
		 * an FCS length, a link type not decoded, modified pcap. */
		{ 0xa1b2c3d4u, 2, 3, 262144, 1, false, false, 0 },
		{ 0xa1b2c3d4u, 1, 4, 262144, 1, false, false, 0 },
		{ 0xa1b2c3d4u, 2, 4, 0, 1, false, false, 0 },
		{ 0xa1b2c3d4u, 2, 4, 262145, 1, false, false, 0 },
		{ 0xa1b2c3d4u, 2, 4, 262144, 1 | 0x04000000u | 4u << 28, false, false, 0 },
		{ 0xa1b2c3d4u, 2, 4, 262144, 147, false, false, 0 },
		{ 0xa1b2cd34u, 2, 4, 262144, 1, false, false, 0 },
	};
	for (int big = 0; big < 2; big++) {
		for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
			struct pcf_reader r;
			uint8_t h[24];
			header(h, cases[i].magic, cases[i].maj, cases[i].min, cases[i].snap, cases[i].lt, big);
			if (pcf_open(&r, h, stdin) != cases[i].taken)
				fail_msg("header %zu, %s: taken %d", i, big ? "big-endian" : "little-endian", !cases[i].taken);
			if (!cases[i].taken)
				continue;
			/* The swapped magic read on this machine is the other byte order. */
			assert_int_equal(r.swap, big);
			assert_int_equal(r.nsec, cases[i].nsec);
			assert_int_equal(r.snaplen, cases[i].snap);
			assert_int_equal(r.dlt, cases[i].dlt);
			assert_int_equal(r.offset, 24);
			pcf_free(&r);
		}
	}
}

struct rec {
	uint32_t sec, frac, caplen, len;
	size_t at; /* the record's offset in the file */
};

/* Writes n records of random lengths (some past snap, one of the largest) after the header; the file in *buf. */
static struct rec *records(uint8_t **buf, size_t *size, int n, uint32_t snap, bool big, bool nsec)
{
	struct rec *rs = calloc((size_t)n, sizeof *rs);
	size_t cap = 1 << 20, len = 24;
	uint8_t *b = malloc(cap);
	assert_non_null(rs);
	assert_non_null(b);
	header(b, nsec ? 0xa1b23c4du : 0xa1b2c3d4u, 2, 4, snap, 1, big);
	for (int i = 0; i < n; i++) {
		struct rec *r = &rs[i];
		uint32_t c = (uint32_t)rand() % 1600;
		if (i % 97 == 50)
			c = PCF_MAX_SNAPLEN; /* the largest libpcap takes */
		else if (i % 13 == 0)
			c = snap + 1 + (uint32_t)rand() % 3000; /* cut to snap */
		else if (i % 17 == 0)
			c = 0;
		*r = (struct rec){ (uint32_t)rand(), (uint32_t)rand(), c, c + (uint32_t)rand() % 10, len };
		while (len + 16 + c > cap) {
			cap *= 2;
			b = realloc(b, cap);
			assert_non_null(b);
		}
		uint32_t w[4] = { r->sec, r->frac, r->caplen, r->len };
		for (int k = 0; k < 4; k++) {
			uint32_t v = big ? __builtin_bswap32(w[k]) : w[k];
			memcpy(b + len + 4 * k, &v, 4);
		}
		for (uint32_t k = 0; k < c; k++)
			b[len + 16 + k] = (uint8_t)(i * 31 + k);
		len += 16 + c;
	}
	*buf = b;
	*size = len;
	return rs;
}

/* r reading the size bytes of the file at b, from its first record; the stream, to close after. */
static FILE *open_in_memory(struct pcf_reader *r, uint8_t *b, size_t size)
{
	FILE *f = fmemopen(b, size, "rb");
	assert_non_null(f);
	assert_int_equal(fseek(f, 24, SEEK_SET), 0);
	assert_true(pcf_open(r, b, f));
	return f;
}

static void test_records_across_the_window(void **state)
{
	srand(4242);
	for (int variant = 0; variant < 4; variant++) {
		bool big = variant & 1, nsec = variant & 2;
		uint32_t snap = 1500;
		uint8_t *b;
		size_t size;
		int n = 1200;
		struct rec *rs = records(&b, &size, n, snap, big, nsec);
		struct pcf_reader r;
		FILE *f = open_in_memory(&r, b, size);
		struct pcf_packet p;
		for (int i = 0; i < n; i++) {
			const struct rec *w = &rs[i];
			assert_int_equal(pcf_next(&r, &p), PCF_PACKET);
			assert_int_equal(p.rec_off, w->at);
			assert_int_equal(p.rec_len, 16 + w->caplen);
			assert_int_equal(p.caplen, w->caplen > snap ? snap : w->caplen);
			assert_int_equal(p.len, w->len);
			assert_int_equal(p.ts.tv_sec, (int32_t)w->sec);
			assert_int_equal(p.ts.tv_usec, nsec ? (int32_t)w->frac / 1000 : (int32_t)w->frac);
			for (uint32_t k = 0; k < p.caplen; k++)
				if (p.data[k] != (uint8_t)(i * 31 + k))
					fail_msg("record %d, byte %u", i, k);
		}
		assert_int_equal(pcf_next(&r, &p), PCF_END);
		assert_int_equal(r.offset, size);
		pcf_free(&r);
		fclose(f);
		free(rs);
		free(b);
	}
}

/* The file cut at every byte of its last record: the records before it are read, then PCF_OTHER at it. */
static void test_cut_short(void **state)
{
	srand(77);
	uint8_t *b;
	size_t size;
	struct rec *rs = records(&b, &size, 6, 1500, false, false);
	for (size_t cut = rs[5].at; cut <= size; cut++) {
		struct pcf_reader r;
		FILE *f = open_in_memory(&r, b, cut);
		struct pcf_packet p;
		for (int i = 0; i < 5; i++)
			assert_int_equal(pcf_next(&r, &p), PCF_PACKET);
		enum pcf_result last = pcf_next(&r, &p);
		if (cut == rs[5].at)
			assert_int_equal(last, PCF_END); /* nothing after the fifth: a file that ends there */
		else if (cut == size)
			assert_int_equal(last, PCF_PACKET);
		else {
			assert_int_equal(last, PCF_OTHER);
			assert_int_equal(r.offset, rs[5].at); /* libpcap reads on from the record cut short */
		}
		pcf_free(&r);
		fclose(f);
	}
	free(rs);
	free(b);
}

/* A record longer than libpcap takes is left to it, at its offset, even with its bytes all there. */
static void test_too_long(void **state)
{
	size_t size = 24 + 16 + PCF_MAX_SNAPLEN + 1;
	uint8_t *b = calloc(1, size);
	assert_non_null(b);
	header(b, 0xa1b2c3d4u, 2, 4, 262144, 1, false);
	uint32_t w[4] = { 1, 2, PCF_MAX_SNAPLEN + 1, PCF_MAX_SNAPLEN + 1 };
	memcpy(b + 24, w, sizeof w);
	struct pcf_reader r;
	FILE *f = open_in_memory(&r, b, size);
	struct pcf_packet p;
	assert_int_equal(pcf_next(&r, &p), PCF_OTHER);
	assert_int_equal(r.offset, 24);
	pcf_free(&r);
	fclose(f);
	free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_headers),
		cmocka_unit_test(test_records_across_the_window),
		cmocka_unit_test(test_cut_short),
		cmocka_unit_test(test_too_long),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
