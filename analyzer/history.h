/* history.h: what earlier transactions showed about a resource, a server and a client, for the rules that compare. */
#ifndef WL_HISTORY_H
#define WL_HISTORY_H

#include <stdbool.h>
#include <stdint.h>

struct txn;
struct hist_entry;
struct hist_slot;

/* Field names hist_observe looks for in every response (history.c's names[]). */
#define HIST_NAMES 14

/*
 * Rules that need more than one transaction compare a response with what
 * the capture showed before: the 200 to GET for the same URL (a 304 or 206
 * must repeat some of its fields, a HEAD must match it, a strong ETag must
 * not come back with other content), the methods a resource and a server
 * handled, a client's retries after 401 or Retry-After.  One table, keyed
 * by URL, host, or client and URL; bounded at max entries, one not used
 * lately forgotten first (CLOCK, history.c; counted in evicted).
 */
struct history {
	/* Entries by index, 0..count-1: made in order, and at the cap the
	 * forgotten one's index is reused.  Indices, not pointers, so the
	 * arrays can grow. */
	struct hist_entry *ents;   /* bigtable.h: on huge pages once large */
	uint64_t *used;            /* a bit per entry: used since the clock's hand last passed it */
	struct hist_slot *slots;   /* open addressing with linear probing: key -> entry (bigtable.h) */
	uint32_t nslots, shift;    /* a power of two, at most half full; shift maps a key to its home slot */
	uint32_t cap;              /* entries allocated */
	uint32_t hand;             /* the clock's hand: the next entry it looks at */
	uint32_t next_victim;      /* index + 1 of the entry the hand took to be next when it last took one; 0 none (a hint) */
	uint32_t count, max;
	uint64_t evicted;
	uint64_t clients_made;     /* client entries ever made: none yet, no client lookup is needed */
	/* names[]' lengths and hashes (head_name_hash), so that one pass over a
	 * response's fields finds them all: a small chained table by the
	 * hash's low 6 bits (first, then next: index + 1; 0 none). */
	uint32_t name_len[HIST_NAMES], name_hash[HIST_NAMES];
	uint8_t name_first[64], name_next[HIST_NAMES];
};

void hist_init(struct history *h, uint32_t max);
void hist_free(struct history *h);

/*
 * Judges the finished transaction t (request and response read) against
 * what came before and remembers what it shows.  client_ip is the client's
 * address as text.  Findings are raised on t.  The same as hist_facts_of
 * and then hist_apply.
 */
void hist_observe(struct history *h, const char *client_ip, struct txn *t);

/*
 * What hist_observe takes of a transaction, read from its heads by
 * hist_facts_of: under -j its worker works them out, so that the merge,
 * which keeps the history, reads these rather than the transaction, and
 * touches the transaction only to raise a finding on it.
 */
struct hist_facts {
	uint64_t url_key;          /* 0: the transaction is not observed (hist_apply does nothing) */
	uint64_t target_key;       /* when target: the URL a 201's or redirect's Location names */
	uint64_t host_key;         /* when host: the server's */
	uint64_t client_key;       /* when client: the client's and the URL's */
	uint64_t etag, lm, ce;     /* hashes of the first ETag, Last-Modified, Content-Encoding; 0 absent */
	int64_t cl, body;          /* Content-Length's value and the content read whole; -1 unknown */
	int64_t lm_time;           /* when lm_ok (a 200 to GET): Last-Modified as a time */
	int64_t retry_delay;       /* seconds a 413's, 429's or 503's Retry-After asks for; 0 or less none */
	int64_t req_us, resp_us;   /* capture times */
	uint16_t status;
	uint16_t fields;           /* the response fields whose presence is compared (history.c's F_ bits) */
	uint8_t method;            /* llhttp's method number */
	bool get, head, del;       /* the method is GET, HEAD, DELETE */
	bool strong;               /* the ETag is a strong one */
	bool lm_ok, allow, auth;   /* allow: the response has Allow; auth: a 401 to a request with Authorization */
	bool target, host, client;
};

/*
 * The facts of t for hist_apply.  h gives the field names' table only
 * (any history made by hist_init will do).  The client's key is taken
 * from t when it carries one (TXN_CLIENT_KEY), and worked out when the
 * status makes a client entry or when clients is set: the history holds
 * clients (hist_observe passes whether it does; a worker passes false,
 * and has the key worked out with the URL's when the merge has said so).
 */
void hist_facts_of(const struct history *h, const struct txn *t, const char *client_ip, bool clients,
		   struct hist_facts *f);

/*
 * Judges the transaction f describes against what came before and
 * remembers what it shows, as hist_observe does; returns how many
 * findings it raised on t.  t is read and written only to raise one, to
 * read an Allow (f->allow), and to work out the client's key when the
 * history holds clients and f lacks it (from t's request and t->ep).
 */
unsigned hist_apply(struct history *h, const struct hist_facts *f, struct txn *t);

/*
 * The key of the URL t's request asks for, by which hist_observe finds
 * what that URL showed before; 0 when the request has none (no Host, say).
 * Worked out when the request has been read (txn.url_key), so that
 * hist_prefetch can ask for the table's memory while the response is
 * still on its way.  With client_key, also the key of client_ip's
 * requests for that URL (txn.client_key), from the same URL written out.
 */
uint64_t hist_url_key(const struct txn *t, const char *client_ip, uint64_t *client_key);

/*
 * The index of the entry the cap would forget next (CLOCK's pick, found
 * without moving its hand), or -1 when the table is not full or the pick
 * lies more than a few hundred entries past the hand.
 */
int64_t hist_next_victim(const struct history *h);

/*
 * A hint: the table's slots for key and client_key (0: none) will be read
 * soon (and that of the entry to be forgotten next).
 */
void hist_prefetch(const struct history *h, uint64_t key, uint64_t client_key);

/* A later hint: the entry for key, when its slot (asked for before) is its home and holds it. */
void hist_prefetch_entry(const struct history *h, uint64_t key);

#endif
