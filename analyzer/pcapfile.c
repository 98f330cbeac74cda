/* pcapfile.c: pcap files read in place, as libpcap reads them, when nothing in them is unusual. */
#include "pcapfile.h"

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
	window_init(&r->w, f, true);
	r->dlt = dlt;
	r->snaplen = snaplen;
	r->offset = 24;
	return true;
}

void pcf_free(struct pcf_reader *r)
{
	window_free(&r->w);
	memset(r, 0, sizeof *r);
}

enum pcf_result pcf_next(struct pcf_reader *r, struct pcf_packet *p)
{
	struct window *w = &r->w;
	int got = window_fill(w, 16);
	if (got < 0)
		return PCF_NOMEM;
	if (!got)
		return w->end == w->pos && !ferror(w->f) ? PCF_END : PCF_OTHER;
	const uint8_t *h = w->buf + w->pos;
	uint32_t caplen = u32(r, h + 8);
	/* Longer than libpcap takes at all: its error, from its reading. */
	if (caplen > PCF_MAX_SNAPLEN)
		return PCF_OTHER;
	/* The whole record, or libpcap's message for one cut short. */
	if ((got = window_fill(w, 16 + (size_t)caplen)) <= 0)
		return got < 0 ? PCF_NOMEM : PCF_OTHER;
	h = w->buf + w->pos;
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
	w->pos += 16 + (size_t)caplen;
	r->offset += 16 + (uint64_t)caplen;
	return PCF_PACKET;
}
