/* capture.c: reading saved captures: pcap in place (pcapfile.c) or through libpcap, pcapng through pcapng.c. */
#define _GNU_SOURCE /* fopencookie */
#include "capture.h"

#include <errno.h>
#include <inttypes.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <string.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "compressed.h"
#include "decode.h"
#include "pcapfile.h"
#include "pcapng.h"

/* Standard input with the bytes already read in front of it, for libpcap. */
struct prefixed {
	uint8_t head[24];
	size_t n, at;
	FILE *rest;
	struct engine *e;    /* told when reading would wait (engine_input_idle) */
};

/*
 * The prefix, then one read(2) of what the pipe holds, up to size: a
 * packet that has come is read and judged at once (fread would wait until
 * it had size bytes, 64 KiB, holding back the packets of a quiet link
 * piped in: tcpdump -U -w - | wirelint -).  When the pipe is empty, so
 * that the read would wait, what was read is judged and written out
 * first (engine_input_idle: with -j, the workers' batches too).  A signal
 * (SIGINT, SIGTERM) ends the input.
 */
static ssize_t prefixed_read(void *cookie, char *buf, size_t size)
{
	struct prefixed *c = cookie;
	size_t k = 0;
	while (k < size && c->at < c->n)
		buf[k++] = (char)c->head[c->at++];
	if (k || !size)
		return (ssize_t)k;
	int fd = fileno(c->rest);
	if (fd < 0) /* a stream in memory (the fuzzer's) */
		return (ssize_t)fread(buf, 1, size, c->rest);
	struct pollfd pfd = { fd, POLLIN, 0 };
	if (c->e && poll(&pfd, 1, 0) == 0)
		engine_input_idle(c->e);
	ssize_t r = read(fd, buf, size);
	if (r < 0 && errno == EINTR)
		return 0;
	return r;
}

/*
 * A stream of the n bytes at head (at most 24) and then of rest, read
 * through c, which must live as long as the stream; e, when not NULL, is
 * told when reading would wait.
 */
static FILE *prefixed_open(struct prefixed *c, const uint8_t *head, size_t n, FILE *rest, struct engine *e)
{
	memcpy(c->head, head, n);
	c->n = n;
	c->at = 0;
	c->rest = rest;
	c->e = e;
	cookie_io_functions_t io = { .read = prefixed_read };
	return fopencookie(c, "rb", io);
}

/*
 * The buffer libpcap's stream reads the capture through: a read(2) every
 * 64 KiB instead of every 4 KiB, which cost the reading thread as much as
 * the kernel's copy; 64 KiB stays in a core's cache, where 1 MiB would not
 * (docs/performance.md).  Given, not asked for by size: glibc's setvbuf
 * keeps its 4 KiB when it is given a size without a buffer.  One file is
 * read at a time, so one static buffer serves every stream in turn.
 */
static char read_buffer[64 << 10];

/* The progress line: percent of the file, MB/s, transactions, findings, time left; every half second. */
struct progress {
	uint64_t size;        /* of the file; 0 when unknown (standard input) */
	const struct gz *gz;  /* the capture is inflated from a gzip file of gz_size bytes: */
	uint64_t gz_size;     /* the percent is of the compressed bytes read (0: unknown) */
	double start, next;
	double every;         /* seconds between lines: 0.5 */
	const char *name;
};

static double mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void progress_tick(struct engine *e, struct progress *pr, uint64_t at)
{
	if (!e->progress || (e->frame & 1023))
		return;
	double now = mono();
	if (now < pr->next)
		return;
	pr->next = now + pr->every;
	/* A gzip file: how far into the compressed bytes, at their rate. */
	uint64_t size = pr->size;
	if (pr->gz) {
		size = pr->gz_size;
		at = gz_raw_read(pr->gz);
	}
	double el = now - pr->start, rate = el > 0 ? (double)at / el / 1e6 : 0;
	fprintf(stderr, "\r\033[Kwirelint: %s", pr->name);
	if (size) {
		double done = (double)at / (double)size;
		fprintf(stderr, " %3.0f%%", done * 100);
		if (rate > 0)
			fprintf(stderr, ", %.0f MB/s, %.0f s left", rate, ((double)size - (double)at) / 1e6 / rate);
	} else {
		fprintf(stderr, " %.0f MB, %.0f MB/s", (double)at / 1e6, rate);
	}
	fprintf(stderr, ", %" PRIu64 " transactions, %" PRIu64 " findings", e->st.transactions, e->st.findings);
}

static void progress_end(struct engine *e)
{
	if (e->progress)
		fputs("\r\033[K", stderr);
}

/*
 * in_file: the records are where the file has them, and their places are
 * given with each packet (e->rec_off, rec_len: the SARIF report's); not
 * so inside gzip, where they are places in the bytes inflated.
 */
static enum cap_result read_pcapng(struct engine *e, FILE *f, const char *path, bool in_file, struct progress *pr,
				   char *err, size_t errlen)
{
	struct png_reader r;
	png_init(&r, f, pr->size != 0);
	struct png_packet p;
	int rc = 0;
	int warned_dlt = -1;
	e->win = &r.w;
	while ((!e->stop || !*e->stop) && !e->halted && (rc = png_next(&r, &p, err, errlen)) == 1) {
		if (!dec_link_supported(p.dlt) && p.dlt != warned_dlt) {
			/* One interface of several may be of a kind wirelint does
			 * not decode: its packets are counted, the rest read. */
			const char *name = pcap_datalink_val_to_name(p.dlt);
			fprintf(stderr, "wirelint: %s: link type %d (%s) is not supported; its packets are skipped\n",
				path, p.dlt, name ? name : "unknown");
			warned_dlt = p.dlt;
		}
		e->rec_off = p.rec_off;
		e->rec_len = in_file ? p.rec_len : 0;
		e->data_off = p.data_off;
		engine_frame(e, p.dlt, &p.ts, p.data, p.caplen, p.len);
		progress_tick(e, pr, p.rec_off);
	}
	e->win = NULL;
	png_free(&r);
	if (rc < 0) {
		size_t l = strlen(err);
		snprintf(err + l, errlen - l, " (after packet %" PRIu64 ")", e->frame);
		return CAP_READ_FAILED;
	}
	return CAP_OK;
}

/* Record header size of a pcap file, by its magic (modified pcap has 24 bytes). */
static uint32_t record_header_size(const uint8_t magic[4])
{
	static const uint8_t modified_le[4] = { 0x34, 0xcd, 0xb2, 0xa1 }, modified_be[4] = { 0xa1, 0xb2, 0xcd, 0x34 };
	return memcmp(magic, modified_le, 4) == 0 || memcmp(magic, modified_be, 4) == 0 ? 24 : 16;
}

/*
 * base: where the capture starts in the stream libpcap reads, when the
 * stream can tell its position (a regular file), or -1.  in_file: as for
 * read_pcapng.  offset: the file's offset of the first record libpcap
 * reads (24, after the file header, unless the records before were read
 * in place).
 */
static enum cap_result read_pcap(struct engine *e, pcap_t *pc, uint32_t rec_hdr, off_t base, bool in_file,
				 uint64_t offset, struct progress *pr, char *err, size_t errlen)
{
	int dlt = pcap_datalink(pc);
	if (!dec_link_supported(dlt)) {
		const char *name = pcap_datalink_val_to_name(dlt);
		snprintf(err, errlen, "link type %d (%s) is not supported", dlt, name ? name : "unknown");
		return CAP_OPEN_FAILED;
	}
	struct pcap_pkthdr *h;
	const u_char *data;
	int r = 0;
	/*
	 * libpcap cuts a record longer than the snap length to it and passes
	 * over the rest without a word: after a record that long, the next
	 * one starts where the stream stands.  Where that cannot be asked,
	 * where the bytes lie in the file is not known from then on
	 * (data_off 0: -j copies every payload).
	 */
	uint32_t snap = (uint32_t)pcap_snapshot(pc);
	bool placed = true;
	while ((!e->stop || !*e->stop) && !e->halted && (r = pcap_next_ex(pc, &h, &data)) == 1) {
		uint32_t caplen = h->caplen;
		uint64_t next = offset + rec_hdr + caplen;
		if (caplen >= snap) {
			off_t pos = base >= 0 ? ftello(pcap_file(pc)) : -1;
			if (pos >= base + (off_t)next)
				next = (uint64_t)(pos - base);
			else
				placed = false;
		}
		e->rec_off = offset;
		e->rec_len = in_file ? (uint32_t)(next - offset) : 0;
		e->data_off = placed ? offset + rec_hdr : 0;
		engine_frame(e, dlt, &h->ts, data, caplen, h->len > caplen ? h->len : caplen);
		offset = next;
		progress_tick(e, pr, offset);
	}
	if (r == PCAP_ERROR) {
		snprintf(err, errlen, "%s (the record at byte %" PRIu64 ", after packet %" PRIu64 ")", pcap_geterr(pc),
			 offset, e->frame);
		return CAP_READ_FAILED;
	}
	return CAP_OK;
}

/*
 * WIRELINT_PCAP_READER=libpcap: every pcap file read through libpcap, as
 * before pcapfile.c, to compare the two (docs/cli.md).
 */
static bool pcap_through_libpcap(void)
{
	const char *v = getenv("WIRELINT_PCAP_READER");
	return v && strcmp(v, "libpcap") == 0;
}

/*
 * A pcap file read in place from pf, its own stream of the regular file
 * (the capture starting at byte start), standing at the first record.
 * From a record that is not plain on (cut short, too long for libpcap,
 * a failed read), libpcap reads the file, through the file header put in
 * front of the rest: its message for the damage is the one it always
 * gave.  That stream cannot tell its position, so should libpcap read on
 * past a record it cuts to the snap length, the payloads after it are no
 * longer placed in the file (-j copies them).
 */
static enum cap_result read_pcap_in_place(struct engine *e, struct pcf_reader *r, FILE *pf, off_t start,
					  const uint8_t hdr[24], bool in_file, struct progress *pr, char *err,
					  size_t errlen)
{
	struct pcf_packet p;
	enum pcf_result rc = PCF_END;
	e->win = &r->w;
	while ((!e->stop || !*e->stop) && !e->halted && (rc = pcf_next(r, &p)) == PCF_PACKET) {
		e->rec_off = p.rec_off;
		e->rec_len = in_file ? p.rec_len : 0;
		e->data_off = p.rec_off + 16;
		engine_frame(e, r->dlt, &p.ts, p.data, p.caplen, p.len > p.caplen ? p.len : p.caplen);
		progress_tick(e, pr, p.rec_off + p.rec_len);
	}
	e->win = NULL;
	if (rc == PCF_NOMEM) {
		snprintf(err, errlen, "out of memory for the window the file is read in (after packet %" PRIu64 ")",
			 e->frame);
		return CAP_READ_FAILED;
	}
	if (rc != PCF_OTHER)
		return CAP_OK;
	uint64_t at = r->offset;
	off_t to = start + (off_t)at;
	struct prefixed *c = malloc(sizeof *c);
	FILE *cf = NULL;
	if (c && lseek(fileno(pf), to, SEEK_SET) == to)
		cf = prefixed_open(c, hdr, 24, pf, NULL);
	if (!cf) {
		free(c);
		snprintf(err, errlen, "cannot read on from the record at byte %" PRIu64 ": %s", at, strerror(errno));
		return CAP_READ_FAILED;
	}
	__fsetlocking(cf, FSETLOCKING_BYCALLER);
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	pcap_t *pc = pcap_fopen_offline(cf, ebuf);
	enum cap_result res;
	if (!pc) {
		fclose(cf);
		snprintf(err, errlen, "%s", ebuf[0] ? ebuf : "not a pcap file");
		res = CAP_READ_FAILED;
	} else {
		res = read_pcap(e, pc, 16, -1, in_file, at, pr, err, errlen);
		pcap_close(pc); /* closes cf */
	}
	free(c);
	return res;
}

enum cap_result cap_read_file(struct engine *e, const char *path, char *err, size_t errlen)
{
	bool is_stdin = strcmp(path, "-") == 0;
	FILE *f = is_stdin ? stdin : fopen(path, "rb");
	if (!f) {
		snprintf(err, errlen, "%s", strerror(errno));
		return CAP_OPEN_FAILED;
	}
	/* This stream reads only the first bytes of a regular file (the file
	 * is read again through a stream of its own, cap_read_stream); a pipe
	 * is read on through it by the cookie stream, whose reads of 64 KiB
	 * (read_buffer's size) glibc hands straight to read(2), past this
	 * stream's 4 KiB. */
	enum cap_result r = cap_read_stream(e, f, path, err, errlen);
	if (!is_stdin)
		fclose(f);
	return r;
}

static enum cap_result read_stream(struct engine *e, FILE *f, const char *name, const struct gz *gz,
				   uint64_t gz_size, char *err, size_t errlen);

enum cap_result cap_read_stream(struct engine *e, FILE *f, const char *name, char *err, size_t errlen)
{
	return read_stream(e, f, name, NULL, 0, err, errlen);
}

/*
 * The capture gzip-compressed in pf (size bytes, or 0 when not known),
 * read from the stream of its bytes inflated, as a pipe is: no place in
 * the file to read a payload again from (-j copies them).  The progress
 * line's percent is of the compressed bytes read.
 */
static enum cap_result read_gzip(struct engine *e, FILE *pf, const char *name, uint64_t size, char *err,
				 size_t errlen)
{
	struct gz *g;
	FILE *in = gz_open(pf, &g);
	if (!in) {
		snprintf(err, errlen, "out of memory");
		return CAP_OPEN_FAILED;
	}
	enum cap_result res = read_stream(e, in, name, g, size, err, errlen);
	const char *why = gz_error(g);
	if (why) {
		/* What the reader made of the bytes it did get, after why they stopped. */
		char then[256];
		snprintf(then, sizeof then, "%s", res == CAP_OK ? "" : err);
		snprintf(err, errlen, "%s%s%s", why, then[0] ? "; " : "", then);
		if (res == CAP_OK)
			res = CAP_READ_FAILED;
	}
	fclose(in);
	return res;
}

/*
 * gz: f is the capture inflated from a gzip file of gz_size bytes, read
 * through it (NULL: f is the outermost stream, a file or a pipe).
 */
static enum cap_result read_stream(struct engine *e, FILE *f, const char *name, const struct gz *gz,
				   uint64_t gz_size, char *err, size_t errlen)
{
	bool outer = gz == NULL;
	struct progress pr = { .start = mono(), .name = name, .gz = gz, .gz_size = gz_size };
	struct stat sb;
	if (fstat(fileno(f), &sb) == 0 && S_ISREG(sb.st_mode))
		pr.size = (uint64_t)sb.st_size;
	/* The tests ask for a line every 1024 packets, however fast the
	 * machine reads (WIRELINT_PROGRESS_EVERY=0, docs/testing.md). */
	const char *every = getenv("WIRELINT_PROGRESS_EVERY");
	pr.every = every ? atof(every) : 0.5;
	pr.next = pr.start + pr.every;
	/* A pipe is read past these bytes with read(2) (prefixed_read): none
	 * may wait in this stream's buffer. */
	if (!pr.size && fileno(f) >= 0)
		setvbuf(f, NULL, _IONBF, 0);
	/* The first 24 bytes: a pcap file header, or the start of a pcapng section. */
	uint8_t magic[24];
	size_t got = fread(magic, 1, sizeof magic, f);
	/* A compressed capture: gzip is read (once: not gzip inside gzip),
	 * the others are named with the command that opens them. */
	enum compression cmp = cmp_of(magic, got);
	if (cmp != CMP_NONE && !outer) {
		snprintf(err, errlen, "compressed twice (%s inside gzip), which wirelint does not read: decompress it first "
			 "(gzip -dc FILE | %s | wirelint -)", cmp_name(cmp), cmp_command(cmp));
		return CAP_OPEN_FAILED;
	}
	if (cmp != CMP_NONE && cmp != CMP_GZIP) {
		snprintf(err, errlen, "compressed with %s, which wirelint does not read: decompress it first "
			 "(%s FILE | wirelint -)", cmp_name(cmp), cmp_command(cmp));
		return CAP_OPEN_FAILED;
	}
	/* Whatever the format, the bytes read so far go in front of the rest
	 * when the file cannot be read again from its start (a pipe). */
	struct prefixed *c = malloc(sizeof *c);
	if (!c) {
		snprintf(err, errlen, "out of memory");
		return CAP_OPEN_FAILED;
	}
	/* A regular file is read again from its start through a stream of
	 * its own: every byte is copied once less than through the cookie. */
	FILE *pf = NULL;
	off_t start = pr.size ? ftello(f) - (off_t)got : -1;
	bool own = false; /* pf is the file's own stream, which can tell its position */
	if (start >= 0) {
		int fd = dup(fileno(f));
		if (fd >= 0 && lseek(fd, start, SEEK_SET) == start)
			pf = fdopen(fd, "rb");
		if (!pf && fd >= 0)
			close(fd);
		own = pf != NULL;
		/* Its records' offsets are the file's own from its start: the
		 * workers may read payloads from it again (-j). */
		if (pf && start == 0 && cmp == CMP_NONE)
			engine_set_source(e, fileno(pf));
	}
	if (!pf)
		pf = prefixed_open(c, magic, got, f, e);
	if (!pf) {
		free(c);
		snprintf(err, errlen, "%s", strerror(errno));
		return CAP_OPEN_FAILED;
	}
	/* Only this thread reads the stream: under -j, glibc would otherwise
	 * take and release its lock twice a packet (libpcap's two freads). */
	__fsetlocking(pf, FSETLOCKING_BYCALLER);
	enum cap_result res;
	if (cmp == CMP_GZIP) {
		/* read_buffer is the inflated stream's: zlib reads 64 KiB at a
		 * time, which glibc hands straight to read(2). */
		res = read_gzip(e, pf, name, pr.size, err, errlen);
		fclose(pf);
		free(c);
		return res;
	}
	setvbuf(pf, read_buffer, _IOFBF, sizeof read_buffer);
	struct pcf_reader pcf;
	if (got >= 4 && png_is_pcapng(magic)) {
		/* pcapng is read here, not by libpcap, which refuses files
		 * whose interfaces have different link types. */
		res = read_pcapng(e, pf, name, outer, &pr, err, errlen);
		fclose(pf);
	} else if (own && got == 24 && !pcap_through_libpcap() && pcf_open(&pcf, magic, pf)) {
		/* A plain pcap file, read in place from its first record on;
		 * libpcap takes over at a record that is not plain.  pf has
		 * read nothing yet: its descriptor is moved past the header
		 * (fseeko would read the 24 bytes again to land there). */
		if (lseek(fileno(pf), start + 24, SEEK_SET) == start + 24) {
			res = read_pcap_in_place(e, &pcf, pf, start, magic, outer, &pr, err, errlen);
		} else {
			snprintf(err, errlen, "%s", strerror(errno));
			res = CAP_OPEN_FAILED;
		}
		pcf_free(&pcf);
		fclose(pf);
	} else {
		char ebuf[PCAP_ERRBUF_SIZE] = "";
		pcap_t *pc = pcap_fopen_offline(pf, ebuf);
		if (!pc) {
			fclose(pf);
			snprintf(err, errlen, "%s", ebuf[0] ? ebuf : "not a pcap or pcapng file");
			res = CAP_OPEN_FAILED;
		} else {
			/* libpcap takes a snap length of 0 for "no limit"; say so. */
			if (got == 24) {
				bool swapped = magic[0] == 0xa1; /* a big-endian file: a1 b2 c3 d4, a1 b2 3c 4d */
				uint32_t snap = swapped ? (uint32_t)magic[16] << 24 | (uint32_t)magic[17] << 16 |
								  (uint32_t)magic[18] << 8 | magic[19]
							: (uint32_t)magic[19] << 24 | (uint32_t)magic[18] << 16 |
								  (uint32_t)magic[17] << 8 | magic[16];
				if (snap == 0) {
					e->st.snaplen_zero++;
					fprintf(stderr, "wirelint: %s: the file header gives a snap length of 0; packets are "
							"read as long as their records say\n", name);
				}
			}
			res = read_pcap(e, pc, record_header_size(magic), own ? start : -1, outer, 24, &pr, err, errlen);
			pcap_close(pc); /* closes pf */
		}
	}
	free(c);
	progress_end(e);
	return res;
}
