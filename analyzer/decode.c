/* decode.c: link, IPv4/IPv6 and TCP decoding, bounds-checked through struct rd. */
#include "decode.h"

#include <pcap/dlt.h>
#include <string.h>

#include "bytes.h"

#define ETH_IPV4 0x0800
#define ETH_IPV6 0x86DD
#define ETH_VLAN 0x8100
#define ETH_QINQ 0x88A8
#define ETH_QINQ_OLD 0x9100
#define ETH_MPLS 0x8847
#define ETH_MPLS_MC 0x8848
#define ETH_TEB 0x6558     /* transparent Ethernet bridging: an Ethernet frame follows (GRE, Geneve) */
#define ETH_ERSPAN2 0x88BE /* ERSPAN type I or II, in GRE */
#define ETH_ERSPAN3 0x22EB /* ERSPAN type III, in GRE */

#define GRE_CSUM 0x8000
#define GRE_ROUTING 0x4000
#define GRE_KEY 0x2000
#define GRE_SEQ 0x1000

#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2 276
#endif
#ifndef DLT_IPV4
#define DLT_IPV4 228
#endif
#ifndef DLT_IPV6
#define DLT_IPV6 229
#endif

int dec_linktype_to_dlt(int linktype)
{
	/* LINKTYPE_RAW is 101 in files; DLT_RAW is 12 (14 on OpenBSD). The
	 * other link types wirelint decodes have the same number in both. */
	return linktype == 101 ? DLT_RAW : linktype;
}

bool dec_link_supported(int dlt)
{
	switch (dlt) {
	case DLT_EN10MB:
	case DLT_LINUX_SLL:
	case DLT_LINUX_SLL2:
	case DLT_NULL:
	case DLT_LOOP:
	case DLT_RAW:
	case DLT_IPV4:
	case DLT_IPV6:
		return true;
	default:
		return false;
	}
}

static enum dec_result dec_tcp(struct rd *r, uint32_t seg_len, struct dec_pkt *out)
{
	out->tcp = r->p + r->off;
	out->tcp_len = seg_len;
	/* The ports, numbers, offset and flags: fourteen bytes checked once. */
	const uint8_t *h = rd_span(r, 14);
	if (!h)
		return DEC_TRUNCATED;
	out->sport = be16_at(h);
	out->dport = be16_at(h + 2);
	out->seq = be32_at(h + 4);
	out->ack = be32_at(h + 8);
	out->flags = h[13];
	uint32_t hlen = (uint32_t)(h[12] >> 4) * 4;
	if (hlen < 20 || hlen > seg_len)
		return DEC_MALFORMED;
	rd_skip(r, hlen - 14);
	if (r->bad)
		return DEC_TRUNCATED;
	out->wire_plen = seg_len - hlen;
	size_t avail = rd_left(r);
	out->plen = avail < out->wire_plen ? (uint32_t)avail : out->wire_plen;
	out->payload = r->p + r->off;
	return DEC_OK;
}

static enum dec_result dec_ipv4(struct rd *r, struct dec_pkt *out);
static enum dec_result dec_ipv6(struct rd *r, struct dec_pkt *out);
static enum dec_result dec_ethertype(struct rd *r, uint16_t type, struct dec_pkt *out);
static enum dec_result dec_tunnel(struct rd *r, uint8_t proto, struct dec_pkt *out);

static enum dec_result dec_ipv4(struct rd *r, struct dec_pkt *out)
{
	size_t start = r->off;
	/* The fixed header, twenty bytes checked once. */
	const uint8_t *h = rd_span(r, 20);
	if (!h)
		return DEC_TRUNCATED;
	uint8_t vhl = h[0], proto = h[9];
	uint16_t total = be16_at(h + 2), frag = be16_at(h + 6);
	const uint8_t *src = h + 12, *dst = h + 16;
	uint32_t hlen = (uint32_t)(vhl & 0x0f) * 4;
	if ((vhl >> 4) != 4 || hlen < 20 || total < hlen)
		return DEC_MALFORMED;
	if (frag & 0x3fff) { /* MF set or a non-zero offset */
		out->family = 4;
		out->ip = r->p + start;
		out->ip_hlen = hlen;
		out->ip_len = total;
		out->ip_avail = (uint32_t)(r->len - start);
		return DEC_FRAGMENT;
	}
	if (proto != 6) {
		rd_skip(r, hlen - 20);
		if (r->bad)
			return DEC_NOT_TCP;
		if (start + total < r->len)
			r->len = start + total;
		return dec_tunnel(r, proto, out);
	}
	rd_skip(r, hlen - 20);
	if (r->bad)
		return DEC_TRUNCATED;
	out->family = 4;
	out->ip = r->p + start;
	out->ip_hlen = hlen;
	memcpy(out->src, src, 4);
	memcpy(out->dst, dst, 4);
	/* Ethernet pads short frames: the IP length says where the packet ends. */
	size_t end = start + total;
	if (end < r->len)
		r->len = end;
	return dec_tcp(r, total - hlen, out);
}

static enum dec_result dec_ipv6(struct rd *r, struct dec_pkt *out)
{
	size_t start = r->off;
	uint8_t v = rd_u8(r);
	rd_skip(r, 3);
	uint16_t plen = rd_be16(r);
	uint8_t next = rd_u8(r);
	rd_skip(r, 1);
	const uint8_t *src = rd_span(r, 16);
	const uint8_t *dst = rd_span(r, 16);
	if (r->bad)
		return DEC_TRUNCATED;
	if ((v >> 4) != 6)
		return DEC_MALFORMED;
	size_t end = start + 40 + (size_t)plen;
	if (end < r->len)
		r->len = end;
	uint32_t left = plen;
	/* Skip extension headers (RFC 8200 §4) up to TCP. */
	for (int i = 0; i < 16 && next != 6; i++) {
		uint32_t elen;
		switch (next) {
		case 0:   /* hop-by-hop */
		case 43:  /* routing */
		case 60:  /* destination options */
		case 135: /* mobility */
		{
			uint8_t nh = rd_u8(r);
			uint8_t l = rd_u8(r);
			elen = ((uint32_t)l + 1) * 8;
			rd_skip(r, elen - 2);
			next = nh;
			break;
		}
		case 51: { /* AH: length in 4-octet units, minus 2 */
			uint8_t nh = rd_u8(r);
			uint8_t l = rd_u8(r);
			elen = ((uint32_t)l + 2) * 4;
			rd_skip(r, elen - 2);
			next = nh;
			break;
		}
		case 44: { /* fragment */
			uint8_t nh = rd_u8(r);
			rd_skip(r, 1);
			uint16_t offm = rd_be16(r);
			rd_skip(r, 4);
			elen = 8;
			if (!r->bad && (offm & 0xfff9))
				return DEC_FRAGMENT;
			next = nh;
			break;
		}
		default:
			return dec_tunnel(r, next, out);
		}
		if (r->bad)
			return DEC_TRUNCATED;
		if (elen > left)
			return DEC_MALFORMED;
		left -= elen;
	}
	if (next != 6)
		return DEC_NOT_TCP;
	out->family = 6;
	out->ip = r->p + start;
	memcpy(out->src, src, 16);
	memcpy(out->dst, dst, 16);
	return dec_tcp(r, left, out);
}

static enum dec_result dec_by_version(struct rd *r, struct dec_pkt *out)
{
	if (!rd_has(r, 1))
		return DEC_TRUNCATED;
	switch (r->p[r->off] >> 4) {
	case 4:
		return dec_ipv4(r, out);
	case 6:
		return dec_ipv6(r, out);
	default:
		return DEC_NOT_IP;
	}
}

static enum dec_result dec_ethertype(struct rd *r, uint16_t type, struct dec_pkt *out)
{
	/* 802.1Q and 802.1ad tags, stacked (QinQ). */
	for (int i = 0; i < 8 && (type == ETH_VLAN || type == ETH_QINQ || type == ETH_QINQ_OLD); i++) {
		rd_skip(r, 2);
		type = rd_be16(r);
	}
	if (r->bad)
		return DEC_TRUNCATED;
	switch (type) {
	case ETH_IPV4:
		return dec_ipv4(r, out);
	case ETH_IPV6:
		return dec_ipv6(r, out);
	case ETH_MPLS:
	case ETH_MPLS_MC:
		/* Labels up to the bottom of the stack, then IP by its version. */
		for (int i = 0; i < 16; i++) {
			uint32_t label = rd_be32(r);
			if (r->bad)
				return DEC_TRUNCATED;
			if (label & 0x100)
				return dec_by_version(r, out);
		}
		return DEC_MALFORMED;
	default:
		return DEC_NOT_IP;
	}
}

static enum dec_result dec_ethernet(struct rd *r, struct dec_pkt *out)
{
	rd_skip(r, 12);
	uint16_t type = rd_be16(r);
	if (r->bad)
		return DEC_TRUNCATED;
	return dec_ethertype(r, type, out);
}

/* One tunnel header more taken off; nesting deeper than DEC_ENCAP_MAX is not followed. */
static bool deeper(struct dec_pkt *out)
{
	return ++out->encap <= DEC_ENCAP_MAX;
}

/*
 * GRE version 0 (RFC 2784, with the key and sequence number of RFC 2890).
 * Version 1 is PPTP's and carries PPP; source routing (RFC 1701) is long
 * obsolete: neither is followed.
 */
static enum dec_result dec_gre(struct rd *r, struct dec_pkt *out)
{
	uint16_t flags = rd_be16(r);
	uint16_t type = rd_be16(r);
	if (r->bad)
		return DEC_TRUNCATED;
	if ((flags & 7) || (flags & GRE_ROUTING))
		return DEC_NOT_TCP;
	rd_skip(r, (flags & GRE_CSUM ? 4u : 0) + (flags & GRE_KEY ? 4u : 0) + (flags & GRE_SEQ ? 4u : 0));
	if (r->bad)
		return DEC_TRUNCATED;
	if (!deeper(out))
		return DEC_MALFORMED;
	switch (type) {
	case ETH_IPV4:
	case ETH_IPV6:
	case ETH_MPLS:
	case ETH_MPLS_MC:
		return dec_ethertype(r, type, out);
	case ETH_TEB:
		return dec_ethernet(r, out);
	case ETH_ERSPAN2:
		/* Type II has a sequence number and 8 bytes of its own before
		 * the mirrored frame; type I has neither. */
		if (flags & GRE_SEQ)
			rd_skip(r, 8);
		return dec_ethernet(r, out);
	case ETH_ERSPAN3: {
		/* 12 bytes, and 8 more of a platform's when O, the last bit, is set. */
		rd_skip(r, 11);
		uint8_t last = rd_u8(r);
		if (last & 1)
			rd_skip(r, 8);
		return dec_ethernet(r, out);
	}
	default:
		return DEC_NOT_TCP;
	}
}

/*
 * UDP to a tunnel's port: VXLAN (RFC 7348; 4789, and 8472, the Linux
 * kernel's default before the IANA port), VXLAN-GPE (4790) and Geneve
 * (RFC 8926; 6081).  Any other UDP is not TCP.
 */
static enum dec_result dec_udp(struct rd *r, struct dec_pkt *out)
{
	size_t start = r->off;
	rd_skip(r, 2);
	uint16_t dport = rd_be16(r);
	uint16_t len = rd_be16(r);
	rd_skip(r, 2);
	if (r->bad || (dport != 4789 && dport != 8472 && dport != 4790 && dport != 6081))
		return DEC_NOT_TCP;
	if (len < 8)
		return DEC_MALFORMED;
	if (start + len < r->len)
		r->len = start + len;
	uint8_t b0 = rd_u8(r);
	rd_skip(r, 1);
	uint16_t type = rd_be16(r);
	rd_skip(r, 4);
	if (r->bad)
		return DEC_TRUNCATED;
	if (dport == 6081) {
		/* Version 0; options of b0's low 6 bits times 4 bytes. */
		if (b0 >> 6)
			return DEC_NOT_TCP;
		rd_skip(r, (size_t)(b0 & 0x3f) * 4);
		if (r->bad)
			return DEC_TRUNCATED;
		if (!deeper(out))
			return DEC_MALFORMED;
		return type == ETH_TEB ? dec_ethernet(r, out)
		     : type == ETH_IPV4 || type == ETH_IPV6 ? dec_ethertype(r, type, out)
							     : DEC_NOT_TCP;
	}
	/* VXLAN: the I flag says the VNI is valid.  GPE: with P, the last
	 * byte of the first word names what follows (1 IPv4, 2 IPv6, 3
	 * Ethernet); without it, Ethernet, as in VXLAN. */
	if (!(b0 & 0x08))
		return DEC_NOT_TCP;
	if (!deeper(out))
		return DEC_MALFORMED;
	uint8_t next = (uint8_t)type;
	if (dport != 4790 || !(b0 & 0x04) || next == 3)
		return dec_ethernet(r, out);
	if (next == 1 || next == 2)
		return dec_ethertype(r, next == 1 ? ETH_IPV4 : ETH_IPV6, out);
	return DEC_NOT_TCP;
}

/* What an IP packet that is not TCP carries, when it is a tunnel. */
static enum dec_result dec_tunnel(struct rd *r, uint8_t proto, struct dec_pkt *out)
{
	switch (proto) {
	case 4: /* IPv4 in IP (RFC 2003) */
		return deeper(out) ? dec_ipv4(r, out) : DEC_MALFORMED;
	case 41: /* IPv6 in IP (RFC 2473, RFC 4213) */
		return deeper(out) ? dec_ipv6(r, out) : DEC_MALFORMED;
	case 47:
		return dec_gre(r, out);
	case 17:
		return dec_udp(r, out);
	default:
		return DEC_NOT_TCP;
	}
}

enum dec_result dec_frame(int dlt, const uint8_t *frame, uint32_t caplen, uint32_t wirelen, struct dec_pkt *out)
{
	(void)wirelen;
	struct rd r = rd_make(frame, caplen);
	memset(out, 0, sizeof *out);
	switch (dlt) {
	case DLT_EN10MB: {
		rd_skip(&r, 12);
		uint16_t type = rd_be16(&r);
		if (r.bad)
			return DEC_TRUNCATED;
		return dec_ethertype(&r, type, out);
	}
	case DLT_LINUX_SLL: {
		rd_skip(&r, 14);
		uint16_t type = rd_be16(&r);
		if (r.bad)
			return DEC_TRUNCATED;
		return dec_ethertype(&r, type, out);
	}
	case DLT_LINUX_SLL2: {
		uint16_t type = rd_be16(&r);
		rd_skip(&r, 18);
		if (r.bad)
			return DEC_TRUNCATED;
		return dec_ethertype(&r, type, out);
	}
	case DLT_NULL:
	case DLT_LOOP: {
		/* The address family, in the capturing host's byte order for
		 * NULL and in network order for LOOP: accept either. */
		uint32_t le;
		struct rd c = r;
		le = rd_le32(&r);
		uint32_t be = rd_be32(&c);
		if (r.bad)
			return DEC_TRUNCATED;
		uint32_t fam = dlt == DLT_LOOP ? be : (le < 256 ? le : be);
		if (fam == 2)
			return dec_ipv4(&r, out);
		if (fam == 24 || fam == 28 || fam == 30 || fam == 10)
			return dec_ipv6(&r, out);
		return DEC_NOT_IP;
	}
	case DLT_RAW:
		return dec_by_version(&r, out);
	case DLT_IPV4:
		return dec_ipv4(&r, out);
	case DLT_IPV6:
		return dec_ipv6(&r, out);
	default:
		return DEC_LINK_UNSUPPORTED;
	}
}

/* The ones' complement sum of RFC 1071, folded later. */
static uint32_t sum16(uint32_t acc, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		acc += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		acc += (uint32_t)p[n - 1] << 8;
	return acc;
}

static uint16_t fold(uint32_t acc)
{
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	return (uint16_t)acc;
}

void dec_verify_checksums(const struct dec_pkt *p, bool *ip_ok, bool *tcp_ok)
{
	*ip_ok = true;
	*tcp_ok = true;
	if (p->family == 4 && p->ip)
		*ip_ok = fold(sum16(0, p->ip, p->ip_hlen)) == 0xffff;
	/* Only a segment captured whole can be summed. */
	if (!p->tcp || p->plen < p->wire_plen)
		return;
	uint32_t acc = 0;
	if (p->family == 4) {
		acc = sum16(acc, p->src, 4);
		acc = sum16(acc, p->dst, 4);
	} else {
		acc = sum16(acc, p->src, 16);
		acc = sum16(acc, p->dst, 16);
	}
	acc += 6 + p->tcp_len;
	acc = sum16(acc, p->tcp, p->tcp_len);
	*tcp_ok = fold(acc) == 0xffff;
}
