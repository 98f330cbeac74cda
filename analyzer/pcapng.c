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

void png_init(struct png_reader *r, FILE *f)
{
	memset(r, 0, sizeof *r);
	r->f = f;
}

bool png_is_pcapng(const uint8_t magic[4])
{
	return magic[0] == 0x0A && magic[1] == 0x0D && magic[2] == 0x0D && magic[3] == 0x0A;
}

void png_free(struct png_reader *r)
{
	free(r->ifs);
	free(r->buf);
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

/* Reads exactly n bytes; false at end of file or on error. */
static bool read_n(struct png_reader *r, void *dst, size_t n)
{
	return fread(dst, 1, n, r->f) == n;
}

/* Skips n bytes by reading them (the input may be a pipe). */
static bool skip_n(struct png_reader *r, size_t n)
{
	uint8_t tmp[4096];
	while (n) {
		size_t k = n < sizeof tmp ? n : sizeof tmp;
		if (fread(tmp, 1, k, r->f) != k)
			return false;
		n -= k;
	}
	return true;
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
	uint64_t u = ifc->units_per_sec ? ifc->units_per_sec : 1000000;
	uint64_t sec = t / u, frac = t % u;
	tv->tv_sec = (time_t)(sec + (uint64_t)ifc->ts_offset);
	/* frac / u in microseconds, without overflowing for fine resolutions. */
	tv->tv_usec = (suseconds_t)(u >= 1000000 ? frac / (u / 1000000) : frac * (1000000 / u));
}

int png_next(struct png_reader *r, struct png_packet *p, char *err, size_t errlen)
{
	for (;;) {
		uint8_t hdr[8];
		uint64_t at = r->offset;
		size_t got = fread(hdr, 1, sizeof hdr, r->f);
		if (got == 0 && feof(r->f))
			return 0;
		if (got < sizeof hdr) {
			snprintf(err, errlen, "truncated pcapng block header at byte %" PRIu64, at);
			return -1;
		}
		uint32_t type_raw = (uint32_t)hdr[0] | (uint32_t)hdr[1] << 8 | (uint32_t)hdr[2] << 16 |
				    (uint32_t)hdr[3] << 24;
		if (type_raw == BT_SHB) {
			/* The byte order of a section is set by its byte-order magic. */
			uint8_t bom[4];
			if (!read_n(r, bom, 4)) {
				snprintf(err, errlen, "truncated pcapng section header at byte %" PRIu64, at);
				return -1;
			}
			uint32_t b = (uint32_t)bom[0] | (uint32_t)bom[1] << 8 | (uint32_t)bom[2] << 16 |
				     (uint32_t)bom[3] << 24;
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
			if (!skip_n(r, len - 12)) {
				snprintf(err, errlen, "truncated pcapng section header at byte %" PRIu64, at);
				return -1;
			}
			r->offset += len;
			continue;
		}
		uint32_t type = u32(r, hdr), len = u32(r, hdr + 4);
		if (len < 12 || len % 4 || len > PNG_MAX_BLOCK) {
			snprintf(err, errlen, "absurd pcapng block length %u at byte %" PRIu64, len, at);
			return -1;
		}
		uint32_t body = len - 8; /* the body and the trailing length */
		if (body > r->bufcap) {
			uint8_t *nb = realloc(r->buf, body);
			if (!nb) {
				snprintf(err, errlen, "out of memory for a pcapng block of %u bytes", len);
				return -1;
			}
			r->buf = nb;
			r->bufcap = body;
		}
		if (!read_n(r, r->buf, body)) {
			snprintf(err, errlen, "truncated pcapng block at byte %" PRIu64 " (%u bytes announced)", at, len);
			return -1;
		}
		r->offset += len;
		p->rec_off = at;
		p->rec_len = len;
		if (u32(r, r->buf + body - 4) != len) {
			snprintf(err, errlen, "pcapng block at byte %" PRIu64 " ends with a different length", at);
			return -1;
		}
		const uint8_t *b = r->buf;
		uint32_t n = body - 4;
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
			p->caplen = cap;
			p->len = orig;
			return 1;
		}
		r->skipped_blocks++;
	}
}
