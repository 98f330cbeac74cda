/* pcapfile.h: pcap files read in place, as libpcap reads them, when nothing in them is unusual. */
#ifndef WL_PCAPFILE_H
#define WL_PCAPFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/time.h>

#include "window.h"

/*
 * libpcap reads each record of a pcap file with two freads, copying it
 * out of its stream's buffer into a buffer of its own: on the small mix
 * that took the read loop from 0.054 to 0.111 s (docs/performance.md,
 * "pcap read in place").  This reader parses the records in place in a
 * window of the file (window.h), as pcapng.c does for pcapng, and gives what
 * libpcap would give: the same packets, lengths and times.  It takes only
 * what is plain: a regular file of version 2.4, with microsecond or
 * nanosecond times in either byte order, a snap length of 1 to
 * PCF_MAX_SNAPLEN and a link type wirelint decodes with no bits above its
 * 16; and in it, whole records of at most PCF_MAX_SNAPLEN bytes (one
 * longer than the snap length is cut to it, as libpcap cuts it).
 * Anything else is left to libpcap, from the file's start (pcf_open says
 * no) or from the record that is not plain (pcf_next says PCF_OTHER): a
 * record cut short by the end of the file, one too long for libpcap, a
 * failed read.  libpcap's handling and its messages for what is unusual
 * or damaged stay the same.
 */
struct pcf_reader {
	struct window w;       /* of the file from its first record on, read ahead */
	bool swap;             /* the file's byte order is not this machine's */
	bool nsec;             /* times in nanoseconds, given in microseconds as libpcap does */
	int dlt;
	uint32_t snaplen;
	uint64_t offset;       /* of the next record in the file */
};

struct pcf_packet {
	struct timeval ts;
	const uint8_t *data;   /* valid until the next call */
	uint32_t caplen, len;
	uint64_t rec_off;      /* the record's offset in the file */
	uint32_t rec_len;      /* and its length, header included */
};

/* libpcap's largest snap length for the link types wirelint decodes (MAXIMUM_SNAPLEN). */
#define PCF_MAX_SNAPLEN 262144u

/*
 * Whether hdr, a pcap file's 24-byte header, is one read in place; if so,
 * r is set up to read f, which stands at the first record (byte 24).
 */
bool pcf_open(struct pcf_reader *r, const uint8_t hdr[24], FILE *f);
void pcf_free(struct pcf_reader *r);

enum pcf_result {
	PCF_END = 0,    /* the file ends where a record would begin */
	PCF_PACKET = 1, /* the next packet, in p */
	PCF_OTHER = 2,  /* the record at r->offset is not plain: libpcap reads on from there */
	PCF_NOMEM = -1, /* no memory for the window */
};

enum pcf_result pcf_next(struct pcf_reader *r, struct pcf_packet *p);

#endif
