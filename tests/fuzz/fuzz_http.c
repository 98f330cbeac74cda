/* fuzz_http.c: libFuzzer target: two arbitrary byte streams as the two directions of one connection. */
#include <pcap/dlt.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "engine.h"
#include "fuzz_setup.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void segment(struct engine *e, int from_server, uint32_t seq, uint8_t flags, const uint8_t *p, size_t n)
{
	static uint8_t f[40 + 65536];
	static long t;
	memset(f, 0, 40);
	f[0] = 0x45;
	f[2] = (uint8_t)((40 + n) >> 8);
	f[3] = (uint8_t)(40 + n);
	f[9] = 6;
	put32(f + 12, from_server ? 0x0a000002 : 0x0a000001);
	put32(f + 16, from_server ? 0x0a000001 : 0x0a000002);
	f[20] = from_server ? 0 : 0x9c;
	f[21] = from_server ? 80 : 0x40;
	f[22] = from_server ? 0x9c : 0;
	f[23] = from_server ? 0x40 : 80;
	put32(f + 24, seq);
	f[32] = 5 << 4;
	f[33] = flags;
	if (n)
		memcpy(f + 40, p, n);
	struct timeval ts = { 1700000000 + t / 1000, 0 };
	t++;
	engine_frame(e, DLT_RAW, &ts, f, (uint32_t)(40 + n), (uint32_t)(40 + n));
}

/*
 * Input: byte 0 picks the segment size (1..64) and whether the handshake
 * is seen; bytes 1-2 are the length of the client's stream; the client's
 * bytes follow, then the server's.  Segments alternate between the two
 * directions, as a conversation would.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *sink;
	if (!sink)
		sink = fopen("/dev/null", "w");
	fuzz_setup_rules();
	if (size < 3 || size > 65536)
		return 0;
	size_t step = (data[0] & 63) + 1;
	int handshake = !(data[0] & 64);
	size_t alen = (size_t)(data[1] << 8 | data[2]);
	const uint8_t *a = data + 3, *b;
	size_t left = size - 3;
	if (alen > left)
		alen = left;
	b = a + alen;
	size_t blen = left - alen;

	struct wl_limits lim;
	limits_default(&lim);
	lim.max_header_bytes = 2048;
	lim.max_headers = 32;
	struct out out = { sink, OUT_JSONL, false, SEV_ERROR, NULL };
	static struct engine e;
	engine_init(&e, &lim, &out);
	engine_begin_file(&e, "fuzz-http");
	uint32_t cseq = 1000, sseq = 5000;
	if (handshake) {
		segment(&e, 0, cseq - 1, 0x02, NULL, 0);
		segment(&e, 1, sseq - 1, 0x12, NULL, 0);
	}
	size_t ao = 0, bo = 0;
	while (ao < alen || bo < blen) {
		if (ao < alen) {
			size_t k = alen - ao < step ? alen - ao : step;
			segment(&e, 0, cseq, 0x18, a + ao, k);
			cseq += (uint32_t)k;
			ao += k;
		}
		if (bo < blen) {
			size_t k = blen - bo < step ? blen - bo : step;
			segment(&e, 1, sseq, 0x18, b + bo, k);
			sseq += (uint32_t)k;
			bo += k;
		}
	}
	segment(&e, 0, cseq, 0x11, NULL, 0);
	segment(&e, 1, sseq, 0x11, NULL, 0);
	engine_end_file(&e);
	engine_free(&e);
	return 0;
}
