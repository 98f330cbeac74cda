/* endpoint.h: a connection's endpoints written out once, when its client is known. */
#ifndef WL_ENDPOINT_H
#define WL_ENDPOINT_H

#include "flow.h"
#include "txn.h"

/*
 * Fills ep for the connection k whose client is side `client` (0 or 1):
 * client and server as "address:port" ("[address]:port" for IPv6), the
 * client's address alone, each address as inet_ntop writes it, and the
 * Community ID ("" when it cannot be computed).
 */
void endpoints_fill(struct endpoints *ep, const struct flow_key *k, int client);

#endif
