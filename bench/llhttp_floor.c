/*
 * llhttp_floor.c: the cost of reading a capture through libpcap and
 * parsing its HTTP messages with llhttp, and nothing else: the floor of
 * any analyzer that parses HTTP/1.x with llhttp, as wirelint does.
 *
 * Each TCP connection is found in a uthash table by its two addresses and
 * ports, and each direction's payload is handed to an llhttp parser of its
 * own, with no callback but the three that keep the count and the framing
 * right (a response to HEAD has no body, whatever its Content-Length says).
 * Segments are taken in the order of their sequence numbers: a
 * retransmitted segment's bytes already read are passed over, and one
 * that comes ahead of a missing one is held (copied) until the hole is
 * filled, as any reassembly must.  A direction whose hole is not filled
 * before more than HELD_MAX bytes wait behind it, or before it ends,
 * stops being parsed (counted as a direction with a hole).  No head is
 * kept, no request paired with its response beyond HEAD's bit, nothing
 * judged or written: that is what wirelint does on top, and what the
 * bench's ratio between the two shows.
 */
#include <inttypes.h>
#include <llhttp.h>
#include <pcap/pcap.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The key (40 bytes, zeroed first) hashed and compared five 64-bit words
 * at a time, as wirelint's flow table does, not byte by byte as uthash
 * would: the table is part of any analyzer, its cost kept to the least. */
static inline uint64_t word(const void *key, unsigned i)
{
	uint64_t w;
	memcpy(&w, (const unsigned char *)key + 8 * i, 8);
	return w;
}

static inline unsigned key_hash(const void *key)
{
	uint64_t h = 0;
	for (unsigned i = 0; i < 5; i++)
		h = (h ^ word(key, i)) * 0x9e3779b97f4a7c15ull;
	return (unsigned)(h ^ h >> 32);
}

static inline int key_cmp(const void *a, const void *b)
{
	uint64_t d = 0;
	for (unsigned i = 0; i < 5; i++)
		d |= word(a, i) ^ word(b, i);
	return d != 0;
}

#define HASH_FUNCTION(keyptr, keylen, hashv) ((hashv) = key_hash(keyptr))
#define HASH_KEYCMP(a, b, n) key_cmp(a, b)
#include <uthash.h>

struct key {
	uint8_t addr[2][16];
	uint16_t port[2];
	uint8_t family;
	uint8_t pad[3];
};
_Static_assert(sizeof(struct key) == 40, "five 64-bit words");

/* A segment that came ahead of a missing one, held until the hole is filled. */
struct held {
	struct held *next;
	uint32_t seq, len;
	uint8_t data[];
};

#define HELD_MAX (1u << 20)

struct dir {
	llhttp_t parser;
	struct conn *conn;
	uint32_t next;  /* the sequence number of the next byte to parse */
	bool started, lost;
	struct held *held; /* by sequence number */
	uint32_t held_bytes;
};

struct conn {
	struct key key;
	struct dir d[2];
	uint64_t head_bits; /* the requests awaiting a response, oldest first: 1 for HEAD */
	uint64_t connect_bits; /* likewise, 1 for CONNECT */
	unsigned pending;
	bool fin[2];
	UT_hash_handle hh;
};

static struct {
	uint64_t packets, segments, requests, responses, errors, lost, conns;
} n;

static llhttp_settings_t settings;

static int on_headers_complete(llhttp_t *p)
{
	struct dir *d = p->data;
	struct conn *c = d->conn;
	if (llhttp_get_type(p) == HTTP_REQUEST) {
		if (c->pending < 64) {
			if (llhttp_get_method(p) == HTTP_HEAD)
				c->head_bits |= 1ull << c->pending;
			if (llhttp_get_method(p) == HTTP_CONNECT)
				c->connect_bits |= 1ull << c->pending;
			c->pending++;
		}
		return 0;
	}
	unsigned status = llhttp_get_status_code(p);
	if (status < 200)
		return 0; /* interim: the request still awaits its final response */
	bool head = false, connect = false;
	if (c->pending) {
		head = c->head_bits & 1;
		connect = c->connect_bits & 1;
		c->head_bits >>= 1;
		c->connect_bits >>= 1;
		c->pending--;
	}
	/* 2: a 2xx to CONNECT opens a tunnel (no body; llhttp stops, as on an upgrade); 1: no body. */
	return connect && status < 300 ? 2 : head ? 1 : 0;
}

static int on_message_complete(llhttp_t *p)
{
	if (llhttp_get_type(p) == HTTP_REQUEST)
		n.requests++;
	else
		n.responses++;
	return 0;
}

static void feed(struct dir *d, const uint8_t *data, size_t len)
{
	if (d->lost || !len)
		return;
	llhttp_errno_t err = llhttp_execute(&d->parser, (const char *)data, len);
	if (err == HPE_PAUSED_UPGRADE) {
		d->lost = true; /* another protocol follows */
	} else if (err != HPE_OK) {
		n.errors++;
		d->lost = true;
	}
}

static void held_free(struct dir *d)
{
	while (d->held) {
		struct held *h = d->held;
		d->held = h->next;
		free(h);
	}
	d->held_bytes = 0;
}

/* Parses what of len bytes at seq is new, if nothing is missing before them. */
static void deliver(struct dir *d, uint32_t seq, const uint8_t *data, size_t len)
{
	int32_t ahead = (int32_t)(seq - d->next);
	if (ahead <= 0 && (size_t)-ahead < len) {
		feed(d, data - ahead, len + ahead);
		d->next = seq + (uint32_t)len;
	}
}

static void hold(struct dir *d, uint32_t seq, const uint8_t *data, size_t len)
{
	if (d->held_bytes + len > HELD_MAX) {
		n.lost++; /* a hole never filled: the rest of the direction goes unparsed */
		d->lost = true;
		held_free(d);
		return;
	}
	struct held *h = malloc(sizeof *h + len);
	if (!h) {
		fputs("llhttp_floor: out of memory\n", stderr);
		exit(2);
	}
	h->seq = seq;
	h->len = (uint32_t)len;
	memcpy(h->data, data, len);
	struct held **at = &d->held;
	while (*at && (int32_t)((*at)->seq - seq) <= 0)
		at = &(*at)->next;
	h->next = *at;
	*at = h;
	d->held_bytes += (uint32_t)len;
}

static void segment(struct conn *c, int side, uint32_t seq, uint8_t flags, const uint8_t *data, size_t len)
{
	struct dir *d = &c->d[side];
	if (flags & 0x02) { /* SYN */
		d->next = seq + 1;
		d->started = true;
		return;
	}
	if (!d->started) {
		d->next = seq;
		d->started = true;
	}
	if (len)
		n.segments++;
	if (len && !d->lost) {
		if ((int32_t)(seq - d->next) > 0) {
			hold(d, seq, data, len);
		} else {
			deliver(d, seq, data, len);
			/* What waited behind the hole, now in order. */
			while (d->held && (int32_t)(d->held->seq - d->next) <= 0) {
				struct held *h = d->held;
				d->held = h->next;
				d->held_bytes -= h->len;
				deliver(d, h->seq, h->data, h->len);
				free(h);
			}
		}
	}
	if (flags & 0x01) { /* FIN */
		if (!d->lost && !c->fin[side] && d->held) {
			n.lost++; /* the direction ends with its hole unfilled */
			d->lost = true;
			held_free(d);
		} else if (!d->lost && !c->fin[side] && llhttp_finish(&d->parser) != HPE_OK) {
			n.errors++;
		}
		c->fin[side] = true;
	}
}

static struct conn *table;

/* Link types by their numbers in files, where pcap/dlt.h may lack them. */
enum { LINKTYPE_RAW = 101, LINKTYPE_IPV4 = 228, LINKTYPE_IPV6 = 229, LINKTYPE_SLL2 = 276 };

/* The link types wirelint reads (decode.c), and so this. */
static bool link_known(int t)
{
	return t == DLT_EN10MB || t == DLT_LINUX_SLL || t == LINKTYPE_SLL2 || t == DLT_NULL || t == DLT_LOOP ||
	       t == DLT_RAW || t == LINKTYPE_RAW || t == LINKTYPE_IPV4 || t == LINKTYPE_IPV6;
}

static void drop(struct conn *c)
{
	held_free(&c->d[0]);
	held_free(&c->d[1]);
	HASH_DEL(table, c);
	free(c);
}

static void packet(u_char *user, const struct pcap_pkthdr *h, const u_char *data)
{
	int linktype = *(int *)user;
	n.packets++;
	const uint8_t *p = data, *end = data + h->caplen;
	uint16_t type;
	switch (linktype) {
	case DLT_EN10MB:
		if (end - p < 14)
			return;
		type = (uint16_t)(p[12] << 8 | p[13]);
		p += 14;
		while ((type == 0x8100 || type == 0x88a8) && end - p >= 4) {
			type = (uint16_t)(p[2] << 8 | p[3]);
			p += 4;
		}
		break;
	case DLT_LINUX_SLL:
		if (end - p < 16)
			return;
		type = (uint16_t)(p[14] << 8 | p[15]);
		p += 16;
		break;
	case LINKTYPE_SLL2:
		if (end - p < 20)
			return;
		type = (uint16_t)(p[0] << 8 | p[1]);
		p += 20;
		break;
	case DLT_NULL:
	case DLT_LOOP: {
		/* The address family: the capturing host's byte order (NULL), network order (LOOP). */
		if (end - p < 4)
			return;
		uint32_t be = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
		uint32_t le = (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
		uint32_t fam = linktype == DLT_LOOP ? be : le < 256 ? le : be;
		type = fam == 2 ? 0x0800 : fam == 10 || fam == 24 || fam == 28 || fam == 30 ? 0x86dd : 0;
		p += 4;
		break;
	}
	case DLT_RAW:
	case LINKTYPE_RAW:
		if (p == end)
			return;
		type = (p[0] >> 4) == 6 ? 0x86dd : 0x0800;
		break;
	case LINKTYPE_IPV4:
		type = 0x0800;
		break;
	case LINKTYPE_IPV6:
		type = 0x86dd;
		break;
	default:
		return;
	}
	/* MPLS: the labels, then IP by its version. */
	if (type == 0x8847 || type == 0x8848) {
		while (end - p >= 4 && !(p[2] & 1))
			p += 4;
		if (end - p < 5)
			return;
		p += 4;
		type = (p[0] >> 4) == 6 ? 0x86dd : 0x0800;
	}
	struct key k;
	memset(&k, 0, sizeof k);
	const uint8_t *src, *dst;
	size_t alen;
	uint8_t proto;
	if (type == 0x0800) {
		if (end - p < 20 || (p[0] >> 4) != 4)
			return;
		size_t ihl = (size_t)(p[0] & 15) * 4;
		uint16_t total = (uint16_t)(p[2] << 8 | p[3]);
		if (ihl < 20 || (size_t)(end - p) < ihl || ((p[6] & 0x3f) | p[7]))
			return; /* short, or a fragment */
		if (total >= ihl && total < end - p)
			end = p + total; /* Ethernet's padding */
		proto = p[9];
		src = p + 12;
		dst = p + 16;
		alen = 4;
		k.family = 4;
		p += ihl;
	} else if (type == 0x86dd) {
		if (end - p < 40)
			return;
		uint16_t plen = (uint16_t)(p[4] << 8 | p[5]);
		if (plen < end - p - 40)
			end = p + 40 + plen;
		proto = p[6];
		src = p + 8;
		dst = p + 24;
		alen = 16;
		k.family = 6;
		p += 40;
		/* Hop-by-hop, routing and destination options headers (a fragment: passed over). */
		while (proto == 0 || proto == 43 || proto == 60) {
			size_t hl = end - p >= 8 ? (size_t)(p[1] + 1) * 8 : 0;
			if (!hl || (size_t)(end - p) < hl)
				return;
			proto = p[0];
			p += hl;
		}
	} else {
		return;
	}
	if (proto != 6 || end - p < 20)
		return;
	size_t off = (size_t)(p[12] >> 4) * 4;
	if (off < 20 || (size_t)(end - p) < off)
		return;
	uint16_t sport = (uint16_t)(p[0] << 8 | p[1]), dport = (uint16_t)(p[2] << 8 | p[3]);
	uint32_t seq = (uint32_t)p[4] << 24 | (uint32_t)p[5] << 16 | (uint32_t)p[6] << 8 | p[7];
	uint8_t flags = p[13];
	/* Both directions under one key: the lower address and port first. */
	int c0 = memcmp(src, dst, alen);
	int side = c0 < 0 || (c0 == 0 && sport <= dport) ? 0 : 1;
	memcpy(k.addr[side], src, alen);
	memcpy(k.addr[!side], dst, alen);
	k.port[side] = sport;
	k.port[!side] = dport;
	struct conn *c;
	HASH_FIND(hh, table, &k, sizeof k, c);
	if (!c) {
		if (flags & 0x04)
			return;
		c = calloc(1, sizeof *c);
		if (!c) {
			fputs("llhttp_floor: out of memory\n", stderr);
			exit(2);
		}
		c->key = k;
		for (int i = 0; i < 2; i++) {
			llhttp_init(&c->d[i].parser, HTTP_BOTH, &settings);
			c->d[i].parser.data = &c->d[i];
			c->d[i].conn = c;
		}
		HASH_ADD(hh, table, key, sizeof k, c);
		n.conns++;
	}
	segment(c, side, seq, flags, p + off, (size_t)(end - p) - off);
	if ((flags & 0x04) || (c->fin[0] && c->fin[1]))
		drop(c);
}

/* llhttp_floor CAPTURE: prints the packets read and the messages parsed. */
int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: llhttp_floor CAPTURE\n");
		return 2;
	}
	llhttp_settings_init(&settings);
	settings.on_headers_complete = on_headers_complete;
	settings.on_message_complete = on_message_complete;
	char ebuf[PCAP_ERRBUF_SIZE];
	pcap_t *pc = pcap_open_offline(argv[1], ebuf);
	if (!pc) {
		fprintf(stderr, "llhttp_floor: %s: %s\n", argv[1], ebuf);
		return 2;
	}
	int linktype = pcap_datalink(pc);
	if (!link_known(linktype)) {
		fprintf(stderr, "llhttp_floor: %s: link type %d: not one wirelint reads\n", argv[1], linktype);
		return 2;
	}
	if (pcap_loop(pc, -1, packet, (u_char *)&linktype) == PCAP_ERROR) {
		fprintf(stderr, "llhttp_floor: %s: %s\n", argv[1], pcap_geterr(pc));
		return 2;
	}
	pcap_close(pc);
	struct conn *c, *tmp;
	HASH_ITER(hh, table, c, tmp)
		drop(c);
	printf("%" PRIu64 " packets, %" PRIu64 " segments with payload, %" PRIu64 " connections, %" PRIu64
	       " requests, %" PRIu64 " responses, %" PRIu64 " parse errors, %" PRIu64 " directions with a hole\n",
	       n.packets, n.segments, n.conns, n.requests, n.responses, n.errors, n.lost);
	return 0;
}
