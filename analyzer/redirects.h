/* redirects.h: following each client's redirects across transactions: loops and long chains. */
#ifndef WL_REDIRECTS_H
#define WL_REDIRECTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct txn;
struct redir_client;

/*
 * For each client address, the redirect chains it is following: a request
 * for the URL a redirect named continues that chain.  A chain that comes
 * back to a URL already in it is a redirect-loop; one longer than 5 hops
 * is redirect-chain-too-long (RFC 9110 §15.4; the seed documents' five-hop
 * advice).  Bounded: at most max_clients clients (the least recently seen
 * is forgotten, counted), 8 open chains a client, 16 URLs a chain, 1 KiB a
 * URL; a chain not continued within 60 s of capture time ends.
 */
/* A chain of redirects a client followed, as reported: its URLs, and how it ended. */
struct redir_chain {
	char client[48];
	int n;                    /* URLs: the first request's, then each redirect's target */
	char *urls[17];
	int final_status;         /* of the last response; 0 when the chain was not followed to its end */
	bool loop;                /* it came back to a URL already in it */
};

struct redir_table {
	struct redir_client *hash;
	struct redir_client *oldest;  /* utlist DL list, least recently seen first */
	uint32_t count, max_clients;
	uint64_t evicted;
	/* Chains that ended (a response that is no redirect, or a loop), kept
	 * for the reports, in the order they ended; at most max_chains. */
	struct redir_chain *chains;
	uint32_t nchains, chains_cap, max_chains;
	uint64_t chains_dropped;
	uint64_t by_length[8];        /* chains ended, by redirects followed: 1..6, 7 and more in [7] */
};

void redir_init(struct redir_table *r, uint32_t max_clients);

/* Chains still open (their last redirect not followed) are recorded with final status 0. */
void redir_flush(struct redir_table *r);
void redir_free(struct redir_table *r);

/*
 * Follows t (finished, with its request and response) for the client at
 * client_ip; raises redirect-loop or redirect-chain-too-long on t.
 */
void redir_follow(struct redir_table *r, const char *client_ip, struct txn *t);

/* Whether resp is a redirect (a 3xx that redirects) with a Location. */
struct http_head;
bool redir_is_redirect(const struct http_head *resp);

/*
 * Whether redir_follow has anything to do with a response for the client
 * at client_ip; redirect: the response is one (redir_is_redirect, which a
 * worker works out under -j, so that the merge reads no head for this).
 */
bool redir_concerns(const struct redir_table *r, const char *client_ip, bool redirect);

/* The absolute URL of a request ("http://host/path"), or 0 when it has none; n is the buffer size. */
int redir_request_url(const struct txn *t, char *out, size_t n);

/* Resolves a Location reference against base (RFC 3986 §5.2); 0 if it cannot. */
int redir_resolve(const char *base, const char *ref, size_t reflen, char *out, size_t n);

#endif
