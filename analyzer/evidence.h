/* evidence.h: -w FILE: the packets of every connection that produced a finding, as a pcap. */
#ifndef WL_EVIDENCE_H
#define WL_EVIDENCE_H

#include <pcap/pcap.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/time.h>

struct ev_pkt;

/* A connection's packets, held until it is known whether it produced a finding. */
struct ev_buf {
	struct ev_pkt *head, *tail;
	uint32_t bytes;
	bool flagged;   /* it produced a finding: its packets go straight to the file */
	bool truncated; /* some of its packets were not kept (a cap) */
};

/*
 * The file and the caps: at most per_conn bytes of packets held per
 * connection and max_held over all of them; a packet past either cap is
 * not kept (counted in not_kept), so the evidence of that connection lacks
 * it.  A pcap file has one link type: packets of another link type than
 * the first one written are counted in other_linktype and left out.
 */
struct evidence {
	pcap_t *dead;
	pcap_dumper_t *dumper;
	int dlt;               /* -1 until the first packet sets it */
	uint32_t snaplen;
	uint32_t per_conn;
	uint64_t held, max_held;
	uint64_t written, not_kept, other_linktype;
	char path[4096];
};

/* Opens path for writing (the file is made when the first packet comes); false with err set. */
bool ev_open(struct evidence *ev, const char *path, uint32_t snaplen, char *err, size_t errlen);

/* Writes what is still buffered of flagged connections and closes the file; false with err set on a write error. */
bool ev_close(struct evidence *ev, char *err, size_t errlen);

/* A packet of a connection: written if the connection is flagged, held otherwise (within the caps). */
void ev_packet(struct evidence *ev, struct ev_buf *b, int dlt, const struct timeval *ts, const uint8_t *data,
	       uint32_t caplen, uint32_t wirelen);

/* The connection produced a finding: its held packets are written, and those to come will be. */
void ev_flag(struct evidence *ev, struct ev_buf *b);

/* The connection ended: what is still held is dropped. */
void ev_discard(struct evidence *ev, struct ev_buf *b);

#endif
