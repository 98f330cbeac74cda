/* pcapfile.c: pcap files read in place, as libpcap reads them, when nothing in them is unusual. */
#include "pcapfile.h"

#include <stdlib.h>
#include <string.h>

#include "decode.h"

static uint32_t u32(const struct pcf_reader *r, const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return r->swap ? __builtin_bswap32(v) : v;
}

bool pcf_open(struct pcf_reader *r, const uint8_t hdr[24], FILE *f)
{
	memset(r, 0, sizeof *r);
	uint32_t magic;
	memcpy(&magic, hdr, 4);
	switch (magic) {
	case 0xa1b2c3d4u: break;
	case 0xa1b23c4du: r->nsec = true; break;
	case 0xd4c3b2a1u: r->swap = true; break;
	case 0x4d3cb2a1u: r->swap = r->nsec = true; break;
	default: return false; /* modified pcap and the rest: libpcap's */
	}
	uint16_t major, minor;
	memcpy(&major, hdr + 4, 2);
	memcpy(&minor, hdr + 6, 2);
	if (r->swap) {
		major = __builtin_bswap16(major);
		minor = __builtin_bswap16(minor);
	}
	uint32_t snaplen = u32(r, hdr + 16), linktype = u32(r, hdr + 20);
	/* Older versions swap the two lengths, a snap length of 0 or past the
	 * maximum is one libpcap replaces, and the bits above the link type
	 * say how long a frame check sequence is: all left to libpcap. */
	if (major != 2 || minor != 4 || snaplen == 0 || snaplen > PCF_MAX_SNAPLEN || linktype > 0xffff)
		return false;
	int dlt = dec_linktype_to_dlt((int)linktype);
	if (!dec_link_supported(dlt))
		return false;
	r->f = f;
	r->dlt = dlt;
	r->snaplen = snaplen;
	r->offset = 24;
	return true;
}

void pcf_free(struct pcf_reader *r)
{
	free(r->buf);
	memset(r, 0, sizeof *r);
}

/*
 * Makes the window hold at least need bytes from pos (need is at most
 * 16 + PCF_MAX_SNAPLEN): 1; 0 when the file ends or fails sooner; -1
 * when there is no memory.  It reads whole steps of stdio's buffer, at
 * least PCF_READ bytes, so that glibc reads them straight into it.
 */
static int fill(struct pcf_reader *r, size_t need)
{
	size_t have = r->end - r->pos;
	if (have >= need)
		return 1;
	if (r->pos) {
		memmove(r->buf, r->buf + r->pos, have);
		r->pos = 0;
		r->end = have;
	}
	size_t cap = (need + PCF_STEP - 1) / PCF_STEP * PCF_STEP + PCF_READ;
	if (cap > r->bufcap) {
		uint8_t *nb = realloc(r->buf, cap);
		if (!nb)
			return -1;
		r->buf = nb;
		r->bufcap = cap;
	}
	size_t want = (r->bufcap - r->end) / PCF_STEP * PCF_STEP;
	r->end += fread(r->buf + r->end, 1, want, r->f);
	return r->end >= need;
}

enum pcf_result pcf_next(struct pcf_reader *r, struct pcf_packet *p)
{
	int got = fill(r, 16);
	if (got < 0)
		return PCF_NOMEM;
	if (!got)
		return r->end == r->pos && !ferror(r->f) ? PCF_END : PCF_OTHER;
	const uint8_t *h = r->buf + r->pos;
	uint32_t caplen = u32(r, h + 8);
	/* Longer than libpcap takes at all: its error, from its reading. */
	if (caplen > PCF_MAX_SNAPLEN)
		return PCF_OTHER;
	/* The whole record, or libpcap's message for one cut short. */
	if ((got = fill(r, 16 + (size_t)caplen)) <= 0)
		return got < 0 ? PCF_NOMEM : PCF_OTHER;
	h = r->buf + r->pos;
	/* As libpcap has them: seconds and the fraction as signed 32-bit
	 * numbers, nanoseconds divided down to microseconds. */
	int32_t sec = (int32_t)u32(r, h), frac = (int32_t)u32(r, h + 4);
	p->ts.tv_sec = sec;
	p->ts.tv_usec = r->nsec ? frac / 1000 : frac;
	/* A record longer than the snap length is cut to it, the rest passed
	 * over, as libpcap does. */
	p->caplen = caplen > r->snaplen ? r->snaplen : caplen;
	p->len = u32(r, h + 12);
	p->data = h + 16;
	p->rec_off = r->offset;
	p->rec_len = 16 + caplen;
	r->pos += 16 + (size_t)caplen;
	r->offset += 16 + (uint64_t)caplen;
	return PCF_PACKET;
}
