/* decode.h: from a captured frame to the TCP segment it carries. */
#ifndef WL_DECODE_H
#define WL_DECODE_H

#include <stdbool.h>
#include <stdint.h>

enum {
	TCP_FIN = 0x01,
	TCP_SYN = 0x02,
	TCP_RST = 0x04,
	TCP_PSH = 0x08,
	TCP_ACK = 0x10,
};

/* A decoded TCP segment; payload points into the frame (borrowed). */
struct dec_pkt {
	uint8_t family; /* 4 or 6 */
	uint8_t encap;  /* tunnel headers taken off to reach it (IP in IP, GRE, VXLAN, Geneve); 0 none */
	uint8_t src[16], dst[16];
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags;
	const uint8_t *payload;
	uint32_t plen;      /* payload bytes captured */
	uint32_t wire_plen; /* payload bytes the segment carried (> plen when cut by the snap length) */
	const uint8_t *ip;  /* the IP header, for checksum verification */
	const uint8_t *tcp; /* the TCP header */
	uint32_t ip_hlen;   /* IPv4 header length (0 for IPv6) */
	uint32_t tcp_len;   /* TCP header and payload, as the IP header says */
	uint32_t ip_len;    /* IPv4 total length (set for fragments too) */
	uint32_t ip_avail;  /* bytes of the IP packet captured */
};

/* Tunnels inside tunnels: deeper nesting is DEC_MALFORMED. */
#define DEC_ENCAP_MAX 4

enum dec_result {
	DEC_OK,
	DEC_NOT_IP,
	DEC_NOT_TCP,
	DEC_FRAGMENT,    /* an IPv4 fragment: ip, ip_hlen, ip_len, ip_avail are set; an IPv6 one */
	DEC_MALFORMED,
	DEC_TRUNCATED,   /* cut by the snap length before the end of the TCP header */
	DEC_LINK_UNSUPPORTED,
};

/* The DLT_ value of a LINKTYPE_ value written in a file (they differ for raw IP). */
int dec_linktype_to_dlt(int linktype);

/* Whether frames of this DLT_ link type can be decoded. */
bool dec_link_supported(int dlt);

/*
 * Decodes one frame of link type dlt: caplen bytes captured of wirelen.
 * Supports Ethernet (802.1Q/802.1ad tags, MPLS), Linux cooked v1 and v2,
 * BSD loopback (NULL, LOOP) and raw IPv4/IPv6; inside those, tunnels up
 * to DEC_ENCAP_MAX deep: IP in IP (IPv4 and IPv6 either way), GRE
 * (version 0, carrying IP, MPLS or Ethernet), ERSPAN types I, II and III,
 * VXLAN (UDP port 4789 or Linux's 8472), VXLAN-GPE (4790) and Geneve
 * (6081).  The segment's addresses are the innermost ones.  Reads only inside
 * [frame, frame + caplen).  Checksums are not checked: captures taken on
 * the sending host carry offloaded, wrong ones.
 */
enum dec_result dec_frame(int dlt, const uint8_t *frame, uint32_t caplen, uint32_t wirelen, struct dec_pkt *out);

/*
 * Verifies the IPv4 header checksum and the TCP checksum (RFC 9293 §3.1,
 * with the IPv4 or IPv6 pseudo-header).  A checksum that cannot be checked
 * because the snap length cut the segment counts as correct.
 */
void dec_verify_checksums(const struct dec_pkt *p, bool *ip_ok, bool *tcp_ok);

#endif
