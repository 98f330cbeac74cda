/* pcapng.h: a reader of pcapng files whose interfaces may differ in link type. */
#ifndef WL_PCAPNG_H
#define WL_PCAPNG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/time.h>

#include "window.h"

/*
 * libpcap 1.10 refuses a pcapng file whose interfaces have different link
 * types (a capture on two interfaces, or on "any" beside a tunnel), so
 * wirelint reads pcapng itself (draft-ietf-opsawg-pcapng): Section Header,
 * Interface Description (link type, snap length, if_tsresol, if_tsoffset),
 * Enhanced, Simple and obsolete Packet blocks; every other block is skipped.
 * Both byte orders, several sections.  Every length is checked before use.
 */
struct png_iface {
	int dlt;
	uint32_t snaplen;
	uint64_t units_per_sec; /* from if_tsresol */
	int64_t ts_offset;      /* from if_tsoffset, seconds */
};

/* Blocks are parsed in place in the reader's window of the file (window.h). */
struct png_reader {
	struct window w;
	bool swap;
	uint32_t nif, ifcap;
	struct png_iface *ifs;
	uint64_t offset;        /* of the next block in the file */
	uint64_t skipped_blocks;
};

struct png_packet {
	int dlt;
	struct timeval ts;
	const uint8_t *data;    /* valid until the next call */
	uint32_t caplen, len;
	uint64_t rec_off;       /* the block's offset in the file */
	uint32_t rec_len;       /* and its length */
	uint64_t data_off;      /* data's offset in the file */
};

/* Largest block wirelint accepts; longer is taken for damage. */
#define PNG_MAX_BLOCK (64u << 20)

/* Whether a file's first four bytes are a pcapng Section Header's type. */
bool png_is_pcapng(const uint8_t magic[4]);

/* Starts reading f from its first byte; read_ahead when f is a regular file (not a pipe). */
void png_init(struct png_reader *r, FILE *f, bool read_ahead);
void png_free(struct png_reader *r);

/* The next packet: 1; end of file: 0; damage: -1 with err set. */
int png_next(struct png_reader *r, struct png_packet *p, char *err, size_t errlen);

#endif
