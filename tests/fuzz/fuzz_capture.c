/* fuzz_capture.c: libFuzzer target: a whole capture file through the full pipeline. */
#include <stdint.h>
#include <stdio.h>

#include "capture.h"
#include "cli.h"
#include "engine.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *sink;
	if (!sink)
		sink = fopen("/dev/null", "w");
	/* Small caps, so that the caps themselves are exercised. */
	struct wl_limits lim;
	limits_default(&lim);
	lim.max_flows = 16;
	lim.max_ooo_bytes = 4096;
	lim.max_buffered_bytes = 16384;
	lim.max_header_bytes = 1024;
	lim.max_headers = 16;
	lim.max_frag_bytes = 8192;
	lim.max_pending_output = 64;
	struct out out = { sink, size % 2 ? OUT_JSONL : OUT_TEXT, false };
	static struct engine e;
	engine_init(&e, &lim, &out);
	e.verify_checksums = true;
	engine_begin_file(&e, "fuzz.pcap");
	FILE *f = fmemopen((void *)data, size, "rb");
	if (f) {
		char err[512];
		cap_read_stream(&e, f, "fuzz.pcap", err, sizeof err);
		fclose(f);
	}
	engine_end_file(&e);
	out_summary(&out, &e.st, NULL, 0);
	engine_free(&e);
	return 0;
}
