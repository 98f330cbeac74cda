/* history.h: what earlier transactions showed about a resource, a server and a client, for the rules that compare. */
#ifndef WL_HISTORY_H
#define WL_HISTORY_H

#include <stdint.h>

struct txn;
struct hist_entry;

/*
 * Rules that need more than one transaction compare a response with what
 * the capture showed before: the 200 to GET for the same URL (a 304 or 206
 * must repeat some of its fields, a HEAD must match it, a strong ETag must
 * not come back with other content), the methods a resource and a server
 * handled, a client's retries after 401 or Retry-After.  One table, keyed
 * by URL, host, or client and URL; bounded at max entries, the least
 * recently used forgotten first (counted in evicted).
 */
struct history {
	struct hist_entry *hash;
	struct hist_entry *oldest; /* utlist DL list, least recently used first */
	uint32_t count, max;
	uint64_t evicted;
	uint64_t clients_made;     /* client entries ever made: none yet, no client lookup is needed */
};

void hist_init(struct history *h, uint32_t max);
void hist_free(struct history *h);

/*
 * Judges the finished transaction t (request and response read) against
 * what came before and remembers what it shows.  client_ip is the client's
 * address as text.  Findings are raised on t.
 */
void hist_observe(struct history *h, const char *client_ip, struct txn *t);

#endif
