/* txn.h: a transaction: one response and the request it answers, with its findings. */
#ifndef WL_TXN_H
#define WL_TXN_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/time.h>

#include "head.h"
#include "rule.h"

struct endpoints;
struct fp_parts;
struct par_shard;
struct tr_sample;

enum txn_flag {
	TXN_INTERIM = 1u << 0,        /* the response is a 1xx other than 101 */
	TXN_BODILESS = 1u << 1,       /* framed as ending at its header block */
	TXN_STRAY_CONTENT = 1u << 2,  /* bytes that are no status line followed the response */
	TXN_REQ_CUT = 1u << 3,        /* the request was cut short */
	TXN_RESP_CUT = 1u << 4,       /* the response was cut short */
	TXN_REQ_MALFORMED = 1u << 5,
	TXN_RESP_MALFORMED = 1u << 6,
	TXN_TUNNEL = 1u << 7,         /* the connection switched protocols after this response */
	TXN_RESP_DONE = 1u << 8,      /* the response was read to its end */
	TXN_RESP_PARTIAL = 1u << 9,   /* the response head was not read whole */
	TXN_CLOSED_SHORT = 1u << 10,  /* the server closed before the Content-Length was reached */
	TXN_SAW_100 = 1u << 11,       /* the request was answered by a 100 Continue already */
	TXN_CHUNK_EXT = 1u << 12,     /* the response's chunked content had a chunk extension */
	TXN_TUNNEL_SEEN = 1u << 13,   /* first holds the first bytes the server sent after a 101 */
	TXN_URL_KEY = 1u << 14,       /* url_key is worked out */
	TXN_REQ_ACK = 1u << 15,       /* req_seq and req_ack are those of the request's first segment */
	TXN_CLIENT_KEY = 1u << 16,    /* client_key is worked out */
};

struct txn {
	struct txn *next;          /* in the connection's queue, then the output queue */
	const char *file;          /* the capture it came from (lives as long as the run) */
	uint64_t conn_id;          /* connections are numbered by first packet */
	uint32_t index;            /* order within the connection */
	struct endpoints *ep;
	struct http_head *req;     /* NULL: not seen; shared with interim responses */
	struct http_head *resp;    /* NULL: not seen */
	struct http_head *trailers; /* the response's trailer section, or NULL */
	char *kept;                /* the first content bytes of a multipart/byteranges response, or NULL */
	uint8_t first[16];         /* the response content's first bytes */
	uint8_t nfirst;
	uint32_t kept_len, kept_cap; /* kept_cap: its room in the engine's keep budget */
	struct timeval req_ts, resp_ts;
	struct timeval req_end_ts;  /* the packet that completed the request (0: not complete) */
	struct timeval resp_end_ts; /* the packet that completed the response (0: not complete) */
	uint64_t req_frame, resp_frame;
	uint64_t req_rec_off;      /* the record of the packet where the request starts, in the file */
	uint32_t req_rec_len;
	uint64_t resp_rec_off;     /* and where the response starts */
	uint32_t resp_rec_len;
	uint64_t req_body, resp_body; /* content bytes */
	uint32_t flags;
	uint16_t nfindings, fcap;
	struct finding *findings;
	/* -j: where the findings judged in the merge go, in the order one
	 * thread raises them: redirects (at the response head), history (before the rules). */
	uint16_t redir_at, hist_at;
	struct fp_parts *parts;    /* -j: server, method and endpoint, worked out by the worker; or NULL */
	struct par_shard *home;    /* -j: the shard that made it, whose thread frees it; or NULL */
	/* What the statistics take of it (tr_sample): worked out by its
	 * worker (-j, its own allocation); or NULL. */
	const struct tr_sample *brief;
	uint64_t url_key;          /* hist_url_key of the request, when TXN_URL_KEY */
	uint64_t client_key;       /* the client's key for it, when TXN_CLIENT_KEY (with url_key, once the history holds clients) */
	/* TXN_REQ_ACK: the sequence number of the segment the request began
	 * in (at or before its first byte), and its acknowledgment: the
	 * server's bytes the client had when it sent the request. */
	uint32_t req_seq, req_ack;
	uint8_t block_units;       /* made by txn_new in a block of the thread's (head_block_get), of this size; 0: malloc's */
};

/* A transaction of its own (txn_free frees it), zeroed; NULL when memory ran out. */
struct txn *txn_new(void);

/* Room for a transaction in front of its request head (hb_freeze_after), a multiple of 16. */
#define TXN_ROOM ((sizeof(struct txn) + 15) & ~(size_t)15)

/*
 * A new transaction in the room req was made with (TXN_ROOM bytes at
 * req->block), holding req: one allocation for both, which goes when the
 * last reference to req does.  The room is then used (req->room_used): a
 * request alike, handed the same head (hb_freeze_alike), gets a
 * transaction of its own (txn_new).
 */
struct txn *txn_new_for(struct http_head *req);

void txn_free(struct txn *t);

/* Room for one more finding, or NULL when memory ran out. */
struct finding *txn_add_finding(struct txn *t);

/* Whether t's request is a HEAD. */
bool txn_is_head(const struct txn *t);

/* The response status, or 0 when there is no response. */
static inline int txn_status(const struct txn *t)
{
	return t->resp ? t->resp->status : 0;
}

/* Whether any of a response was seen (frames count from 1), even a head that did not parse. */
static inline bool txn_saw_response(const struct txn *t)
{
	return t->resp_frame != 0;
}

/* The Host header of the request, as (pointer, length); length 0 if none. */
const char *txn_host(const struct txn *t, uint32_t *len);

#endif
