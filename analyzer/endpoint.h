/* endpoint.h: a connection's endpoints written out once, when its client is known. */
#ifndef WL_ENDPOINT_H
#define WL_ENDPOINT_H

#include <stdbool.h>

#include "flow.h"

/* The endpoints of a connection, written out once its client is known, shared by its transactions. */
struct endpoints {
	/* The connection's and its transactions'.  Taken and dropped by
	 * one thread only, the one that runs the connection's engine: under
	 * -j the merge gives every transaction back to its shard's thread
	 * to be freed (parallel.c), so the count is a plain int. */
	int refs;
	char client[56];           /* "ip:port", "[v6]:port" */
	char server[56];
	char client_ip[48];        /* the client's address alone (as inet_ntop writes it): the history and redirect tables' key */
	/* The rest is the Community ID's: made at its first use
	 * (endpoints_community_id), by the thread that writes the output,
	 * as text output has no use for it. */
	bool cid_made;
	char community_id[32];     /* Community ID v1 of the connection, or "" */
	struct flow_key key;
};

/*
 * Fills ep for the connection k whose client is side `client` (0 or 1):
 * client and server as "address:port" ("[address]:port" for IPv6), the
 * client's address alone, each address as inet_ntop writes it; and what
 * the Community ID is made from.
 */
void endpoints_fill(struct endpoints *ep, const struct flow_key *k, int client);

/*
 * The connection's Community ID ("" when it cannot be computed), made at
 * the first call.  Only one thread may call it for a given ep: the one
 * that writes the output.
 */
const char *endpoints_community_id(struct endpoints *ep);

#endif
