/* pcapng.c: a reader of pcapng files whose interfaces may differ in link type. */
#include "pcapng.h"

#include "decode.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define BT_SHB 0x0A0D0D0Au
#define BT_IDB 1u
#define BT_OPB 2u
#define BT_SPB 3u
#define BT_EPB 6u
#define BOM 0x1A2B3C4Du

void png_init(struct png_reader *r, FILE *f, bool read_ahead)
{
	memset(r, 0, sizeof *r);
	window_init(&r->w, f, read_ahead);
}

bool png_is_pcapng(const uint8_t magic[4])
{
	return magic[0] == 0x0A && magic[1] == 0x0D && magic[2] == 0x0D && magic[3] == 0x0A;
}

void png_free(struct png_reader *r)
{
	free(r->ifs);
	window_free(&r->w);
	memset(r, 0, sizeof *r);
}

static uint32_t u32(const struct png_reader *r, const uint8_t *p)
{
	uint32_t v = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
	return r->swap ? __builtin_bswap32(v) : v;
}

static uint16_t u16(const struct png_reader *r, const uint8_t *p)
{
	uint16_t v = (uint16_t)(p[0] | p[1] << 8);
	return r->swap ? __builtin_bswap16(v) : v;
}

/* window_fill, with the message when there is no memory for the block. */
static int fill(struct png_reader *r, size_t need, char *err, size_t errlen)
{
	int got = window_fill(&r->w, need);
	if (got < 0)
		snprintf(err, errlen, "out of memory for a pcapng block of %zu bytes", need);
	return got;
}

static void iface_options(struct png_reader *r, struct png_iface *ifc, const uint8_t *p, uint32_t n)
{
	uint32_t off = 0;
	while (n - off >= 4) {
		uint16_t code = u16(r, p + off), len = u16(r, p + off + 2);
		off += 4;
		if (code == 0 || len > n - off)
			break;
		if (code == 9 && len >= 1) {
			/* if_tsresol: 10^-v, or 2^-v with the top bit set. */
			uint8_t v = p[off];
			uint64_t units = 1;
			if (v & 0x80) {
				if ((v & 0x7f) < 63)
					units = 1ull << (v & 0x7f);
			} else {
				for (int i = 0; i < (v & 0x7f) && i < 19; i++)
					units *= 10;
			}
			ifc->units_per_sec = units;
		} else if (code == 14 && len >= 8) {
			uint64_t lo = u32(r, p + off), hi = u32(r, p + off + 4);
			ifc->ts_offset = (int64_t)(r->swap ? lo << 32 | hi : hi << 32 | lo);
		}
		off += (len + 3u) & ~3u;
	}
}

static void to_timeval(const struct png_iface *ifc, uint64_t t, struct timeval *tv)
{
	uint64_t u = ifc->units_per_sec ? ifc->units_per_sec : 1000000, sec, usec;
	/* The usual resolutions divide by constants, which the compiler multiplies by. */
	if (u == 1000000) {
		sec = t / 1000000;
		usec = t % 1000000;
	} else if (u == 1000000000) {
		sec = t / 1000000000;
		usec = t % 1000000000 / 1000;
	} else {
		sec = t / u;
		usec = (uint64_t)((unsigned __int128)(t % u) * 1000000 / u);
	}
	tv->tv_sec = (time_t)(sec + (uint64_t)ifc->ts_offset);
	tv->tv_usec = (suseconds_t)usec;
}

int png_next(struct png_reader *r, struct png_packet *p, char *err, size_t errlen)
{
	for (;;) {
		uint64_t at = r->offset;
		int got = fill(r, 8, err, errlen);
		if (got < 0)
			return -1;
		if (!got) {
			if (r->w.end == r->w.pos && !ferror(r->w.f))
				return 0;
			snprintf(err, errlen, "truncated pcapng block header at byte %" PRIu64, at);
			return -1;
		}
		const uint8_t *hdr = r->w.buf + r->w.pos;
		uint32_t type_raw = (uint32_t)hdr[0] | (uint32_t)hdr[1] << 8 | (uint32_t)hdr[2] << 16 |
				    (uint32_t)hdr[3] << 24;
		if (type_raw == BT_SHB) {
			/* The byte order of a section is set by its byte-order magic. */
			if ((got = fill(r, 12, err, errlen)) <= 0) {
				if (got < 0)
					return -1;
				snprintf(err, errlen, "truncated pcapng section header at byte %" PRIu64, at);
				return -1;
			}
			hdr = r->w.buf + r->w.pos;
			uint32_t b = (uint32_t)hdr[8] | (uint32_t)hdr[9] << 8 | (uint32_t)hdr[10] << 16 |
				     (uint32_t)hdr[11] << 24;
			if (b == BOM)
				r->swap = false;
			else if (__builtin_bswap32(b) == BOM)
				r->swap = true;
			else {
				snprintf(err, errlen, "bad pcapng byte-order magic at byte %" PRIu64, at);
				return -1;
			}
			r->nif = 0; /* interfaces are numbered per section */
			uint32_t len = u32(r, hdr + 4);
			if (len < 28 || len % 4 || len > PNG_MAX_BLOCK) {
				snprintf(err, errlen, "absurd pcapng section header length %u at byte %" PRIu64, len, at);
				return -1;
			}
			if ((got = fill(r, len, err, errlen)) <= 0) {
				if (got < 0)
					return -1;
				snprintf(err, errlen, "truncated pcapng section header at byte %" PRIu64, at);
				return -1;
			}
			r->w.pos += len;
			r->offset += len;
			continue;
		}
		uint32_t type = u32(r, hdr), len = u32(r, hdr + 4);
		if (len < 12 || len % 4 || len > PNG_MAX_BLOCK) {
			snprintf(err, errlen, "absurd pcapng block length %u at byte %" PRIu64, len, at);
			return -1;
		}
		if ((got = fill(r, len, err, errlen)) <= 0) {
			if (got < 0)
				return -1;
			snprintf(err, errlen, "truncated pcapng block at byte %" PRIu64 " (%u bytes announced)", at, len);
			return -1;
		}
		const uint8_t *b = r->w.buf + r->w.pos + 8; /* the body, then the trailing length */
		uint32_t n = len - 12;
		r->w.pos += len;
		r->offset += len;
		p->rec_off = at;
		p->rec_len = len;
		if (u32(r, b + n) != len) {
			snprintf(err, errlen, "pcapng block at byte %" PRIu64 " ends with a different length", at);
			return -1;
		}
		if (type == BT_IDB) {
			if (n < 8) {
				snprintf(err, errlen, "short pcapng interface block at byte %" PRIu64, at);
				return -1;
			}
			if (r->nif == r->ifcap) {
				uint32_t nc = r->ifcap ? r->ifcap * 2 : 4;
				struct png_iface *ni = realloc(r->ifs, nc * sizeof *ni);
				if (!ni) {
					snprintf(err, errlen, "out of memory for pcapng interfaces");
					return -1;
				}
				r->ifs = ni;
				r->ifcap = nc;
			}
			struct png_iface *ifc = &r->ifs[r->nif++];
			memset(ifc, 0, sizeof *ifc);
			ifc->dlt = dec_linktype_to_dlt(u16(r, b));
			ifc->snaplen = u32(r, b + 4);
			iface_options(r, ifc, b + 8, n - 8);
			continue;
		}
		if (type == BT_EPB || type == BT_OPB) {
			if (n < 20) {
				snprintf(err, errlen, "short pcapng packet block at byte %" PRIu64, at);
				return -1;
			}
			uint32_t ifid = type == BT_EPB ? u32(r, b) : u16(r, b);
			uint64_t t = (uint64_t)u32(r, b + 4) << 32 | u32(r, b + 8);
			uint32_t cap = u32(r, b + 12), orig = u32(r, b + 16);
			if (ifid >= r->nif) {
				snprintf(err, errlen, "pcapng packet at byte %" PRIu64 " names interface %u of %u", at, ifid,
					 r->nif);
				return -1;
			}
			if (cap > n - 20) {
				snprintf(err, errlen, "pcapng packet at byte %" PRIu64 " claims %u bytes in a %u-byte block",
					 at, cap, len);
				return -1;
			}
			p->dlt = r->ifs[ifid].dlt;
			to_timeval(&r->ifs[ifid], t, &p->ts);
			p->data = b + 20;
			p->data_off = at + 8 + 20;
			p->caplen = cap;
			p->len = orig < cap ? cap : orig;
			return 1;
		}
		if (type == BT_SPB) {
			if (n < 4 || r->nif == 0) {
				snprintf(err, errlen, "bad pcapng simple packet block at byte %" PRIu64, at);
				return -1;
			}
			uint32_t orig = u32(r, b);
			uint32_t cap = n - 4;
			if (r->ifs[0].snaplen && cap > r->ifs[0].snaplen)
				cap = r->ifs[0].snaplen;
			if (cap > orig)
				cap = orig;
			p->dlt = r->ifs[0].dlt;
			p->ts.tv_sec = 0;
			p->ts.tv_usec = 0;
			p->data = b + 4;
			p->data_off = at + 8 + 4;
			p->caplen = cap;
			p->len = orig;
			return 1;
		}
		r->skipped_blocks++;
	}
}
