/* http.h: one direction of an HTTP/1.x connection, parsed by llhttp. */
#ifndef WL_HTTP_H
#define WL_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "head.h"
#include "hunt.h"
#include "llhttp.h"

enum hx_state {
	HX_START,      /* fresh stream: the first bytes must start a message */
	HX_HUNT,       /* skipping bytes until a message start (mid-stream, after a hole) */
	HX_PARSE,      /* llhttp is parsing */
	HX_CHECK_NEXT, /* after a response: the next bytes must be a status line */
	HX_TUNNEL,     /* switched to another protocol: bytes are not HTTP */
	HX_DEAD,       /* stopped at a parse error */
	HX_NOT_HTTP,   /* the stream did not start with HTTP */
};

/* What a response's head tells the framing (RFC 9112 §6.3); returned by the head event. */
enum hx_frame {
	HX_FRAME_NORMAL,   /* Content-Length, chunked or close, as llhttp reads them */
	HX_FRAME_BODILESS, /* ends at the header block: HEAD, 1xx, 204, 304 */
	HX_FRAME_TUNNEL,   /* 101, or 2xx to CONNECT: the rest is another protocol */
};

struct hx_dir;

/*
 * What a direction tells its connection.  head takes ownership of h (which
 * may be NULL when memory ran out) and, for responses, returns an
 * enum hx_frame.  When a response is done, d->parser tells whether the
 * connection stays open and whether the content ended at the close
 * (llhttp_should_keep_alive, llhttp_message_needs_eof); when a request
 * is, its fields are not the request's (a request alike is not parsed,
 * hx_memo).  cut reports a message that ended early (hole, close or
 * end of capture).  stray reports bytes that stand where the status line
 * after a bodiless response should be: content the response carried.
 */
struct hx_events {
	void (*begin)(void *ctx, struct hx_dir *d);
	int (*head)(void *ctx, struct hx_dir *d, struct http_head *h);
	void (*done)(void *ctx, struct hx_dir *d);
	void (*cut)(void *ctx, struct hx_dir *d);
	void (*error)(void *ctx, struct hx_dir *d, const char *reason);
	void (*stray)(void *ctx, struct hx_dir *d);
	void (*skipped)(void *ctx, struct hx_dir *d, uint64_t n);
	/* The stream does not start with a message.  Returns true when that
	 * is a parse error (a server that answered a request without a status
	 * line), false when the connection is simply not HTTP. */
	bool (*no_start)(void *ctx, struct hx_dir *d);
	/* The first bytes the server sent after switching protocols (a 101). */
	void (*tunnel)(void *ctx, struct hx_dir *d, const uint8_t *p, size_t n);
};

struct hx_dir {
	llhttp_t parser;
	enum hx_state state;
	bool is_response;
	bool in_message;     /* between begin and done */
	bool bodiless;       /* the current response was framed as bodiless */
	bool tunnel;         /* the current message switches protocols */
	bool tunnel_told;    /* the first bytes after the switch were handed to the tunnel event */
	bool have_status;    /* the current response's status line was read */
	bool closed_short;   /* during cut: the sender closed before the Content-Length was reached */
	bool chunk_ext;      /* the current message has a chunk extension */
	uint8_t first[16];   /* the first bytes of the current message's content (after de-chunking) */
	uint8_t nfirst;
	uint64_t body_len;   /* content bytes of the current message */
	struct http_head *trailers; /* the trailer section of the response just done, until taken */
	/* The content of a multipart/byteranges response, kept for the
	 * multipart rules up to HX_KEEP_MAX bytes; no other content is kept. */
	bool keep;
	char *kept;
	uint32_t kept_len, kept_cap;
	struct hx_keep_budget *kb; /* shared by all directions; NULL keeps nothing */
	/* Where llhttp's pieces of a field value lie, to see bytes skipped
	 * inside a value (an obs-fold): the current llhttp_execute call's
	 * buffer, the previous call's end, the last value piece's end. */
	uint64_t exec_gen, val_gen;
	const char *exec_base, *prev_exec_end, *val_end;
	uint64_t ignored;    /* bytes ignored in the TUNNEL, DEAD and NOT_HTTP states */
	uint64_t hunt_limit; /* HX_HUNT gives up (NOT_HTTP) past this many bytes; 0 = never */
	/* Room made in front of each complete request head (hb_freeze_after)
	 * for the head event's use; 0 = none. */
	size_t req_head_room;
	/* At a message's start, llhttp's state what it is after a message
	 * that leaves the connection open (or fresh): the next bytes may be a
	 * message alike (hx_memo). */
	bool at_start;
	/* The head of the message under way, while it may become the memo
	 * (held, with llhttp's flags and Content-Length at its end), within
	 * one llhttp_execute call. */
	struct http_head *cand;
	uint16_t cand_flags;
	uint64_t cand_length;
	struct hunt hunt;
	struct head_builder hb;
	const struct hx_events *ev;
	void *ctx;
};

void hx_init(struct hx_dir *d, bool is_response, uint32_t max_header_bytes, uint32_t max_headers,
	     const struct hx_events *ev, void *ctx);
void hx_free(struct hx_dir *d);

/* Content bytes kept of a multipart/byteranges response (the rest is counted, not kept). */
#define HX_KEEP_MAX (64u << 10)

/* The bytes kept over all directions, bounded; denied counts responses not kept at the cap. */
struct hx_keep_budget {
	uint64_t used, max, denied;
};

/* Lets d keep multipart/byteranges content within kb. */
void hx_set_keep_budget(struct hx_dir *d, struct hx_keep_budget *kb);

/*
 * Takes the kept content of the response just completed: *len bytes, NULL
 * when none was kept.  *cap bytes of the budget stay charged until the
 * taker gives them back (kb->used -= cap) with the memory.
 */
char *hx_take_kept(struct hx_dir *d, uint32_t *len, uint32_t *cap);

/* Takes the trailer section of the response just completed (NULL when it had none). */
struct http_head *hx_take_trailers(struct hx_dir *d);

/* Starts the direction hunting for a message (after a hole, or mid-stream). */
void hx_hunt(struct hx_dir *d, uint64_t limit);

/*
 * Feeds in-order stream bytes.  llhttp reads them in place (no copy); only
 * the head is copied, into the builder.  Borrows p until return.
 */
void hx_feed(struct hx_dir *d, const uint8_t *p, size_t n);

/* A hole of n bytes in the stream: the message under way is cut; the direction hunts. */
void hx_gap(struct hx_dir *d);

/* The sender closed (FIN): ends a close-delimited body, or cuts the message. */
void hx_close(struct hx_dir *d);

/* End of capture or flush: a message under way is cut. */
void hx_abort(struct hx_dir *d);

/* A head of whatever the builder holds (a message cut or malformed); NULL if nothing. */
struct http_head *hx_partial_head(struct hx_dir *d);

/* Stops parsing: the rest of the stream is another protocol. */
void hx_set_tunnel(struct hx_dir *d);

/*
 * Messages alike.  Each thread keeps the last HX_MEMO_SLOTS requests and
 * responses it parsed whole, from a message's start, in one buffer, whose
 * head it had handed out before (hb_freeze_alike): up to HX_MEMO_MAX
 * bytes of head each, and a reference to the head; the one taken least
 * long ago makes room for a new one.  A message that starts with those
 * very bytes, with all its content in the buffer, gets the same head and
 * events without llhttp reading it again (docs/performance.md).
 * hx_memo_drain lets this thread's memo go (a thread that parsed calls it
 * before it ends, before hb_pool_drain); hx_memo_hits counts the messages
 * this thread took from its memo.
 */
#define HX_MEMO_MAX 4096u
#define HX_MEMO_SLOTS 16
void hx_memo_drain(void);
uint64_t hx_memo_hits(void);

#endif
