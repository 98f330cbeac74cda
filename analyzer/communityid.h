/* communityid.h: the Community ID of a connection, to look it up in Zeek, Suricata, Wireshark or Elastic. */
#ifndef WL_COMMUNITYID_H
#define WL_COMMUNITYID_H

#include "flow.h"

/* "1:" and 28 characters of base64, and a NUL. */
#define COMMUNITY_ID_LEN 31

/*
 * The Community ID flow hash, version 1, seed 0, of the TCP connection
 * between the endpoints of k (the order of the two sides does not matter):
 * base64 of SHA-1 over seed, the lower endpoint's address, the other's,
 * protocol 6, a zero byte, and the two ports, in network byte order.
 * Writes it to out; false when the hash could not be computed.
 */
bool community_id(const struct flow_key *k, char out[COMMUNITY_ID_LEN]);

#endif
