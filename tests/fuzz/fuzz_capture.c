/* fuzz_capture.c: libFuzzer target: a whole capture file through the full pipeline. */
#define _GNU_SOURCE /* memfd_create */
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "capture.h"
#include "cli.h"
#include "engine.h"
#include "fuzz_setup.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *sink;
	if (!sink)
		sink = fopen("/dev/null", "w");
	fuzz_setup_rules();
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
	/* Every format, the document ones through a report. */
	static const enum out_format fmts[] = { OUT_TEXT, OUT_JSONL, OUT_SARIF, OUT_JUNIT };
	static struct report rep;
	rep_init(&rep, 64);
	struct out out = { sink, fmts[size % 4], false, SEV_ERROR, &rep };
	static struct engine e;
	engine_init(&e, &lim, &out);
	e.verify_checksums = true;
	engine_begin_file(&e, "fuzz.pcap");
	rep_begin_file(&rep, "fuzz.pcap");
	/*
	 * Half the inputs from a stream in memory, read as a pipe is (through
	 * libpcap for pcap); the other half from a file in memory, a regular
	 * file to wirelint: pcap read in place (pcapfile.c), handed to libpcap
	 * where it is not plain, and pcapng read ahead.
	 */
	FILE *f = NULL;
	if ((size / 4) % 2) {
		int fd = memfd_create("fuzz.pcap", 0);
		if (fd >= 0 && write(fd, data, size) == (ssize_t)size && lseek(fd, 0, SEEK_SET) == 0)
			f = fdopen(fd, "rb");
		if (!f && fd >= 0)
			close(fd);
	} else {
		f = fmemopen((void *)data, size, "rb");
	}
	if (f) {
		char err[512];
		cap_read_stream(&e, f, "fuzz.pcap", err, sizeof err);
		fclose(f);
	}
	engine_end_file(&e);
	rep_end_file(&rep, &e.file_first, &e.file_last, e.frame, NULL);
	out_summary(&out, &e.st, NULL, 0, 0);
	engine_free(&e);
	rep_free(&rep);
	return 0;
}
