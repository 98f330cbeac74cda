/* hunt.h: finding where an HTTP message starts in a byte stream. */
#ifndef WL_HUNT_H
#define WL_HUNT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum hunt_kind { HUNT_REQUEST = 1, HUNT_RESPONSE = 2, HUNT_EITHER = 3 };

/*
 * A byte-at-a-time scanner for the start of a message: a request line
 * ("METHOD SP" at the start of a line, METHOD one of llhttp's methods) or a
 * status line ("HTTP/1." anywhere).  It keeps its own state across calls,
 * so a start split over several segments is found without copying them:
 * the bytes it matched are known (the literal "HTTP/1." or the method it
 * collected) and are handed back as prefix, for the caller to feed to the
 * parser before the rest of the segment.
 *
 * In strict mode the first byte that is not CR or LF must begin the
 * message; anything else fails.  That is how a fresh connection is
 * recognised as HTTP and how the bytes after a bodiless response are
 * checked.  In loose mode the scanner skips bytes until it finds a start.
 */
struct hunt {
	uint8_t kinds;
	bool strict;
	bool at_line_start;
	bool in_token;
	bool req_alive, resp_alive; /* strict: the candidate can still match */
	bool begun;                 /* strict: the candidate has begun */
	uint8_t resp_state;         /* bytes of "HTTP/1." matched */
	uint8_t tok_len;
	char tok[24];               /* method being collected, then SP */
	uint64_t consumed;          /* bytes scanned since hunt_init */
};

struct hunt_match {
	size_t end;          /* offset in the segment just after the matched prefix */
	enum hunt_kind kind; /* HUNT_REQUEST or HUNT_RESPONSE */
	const char *prefix;  /* the message's first bytes, to feed before p + end */
	size_t prefix_len;
	uint64_t skipped;    /* bytes before the message start (CR/LF included) */
};

void hunt_init(struct hunt *h, uint8_t kinds, bool strict);

/*
 * Scans p[0..n).  Returns 1 and fills m on a match; 0 when all n bytes were
 * consumed without a decision; -1 in strict mode when the bytes cannot
 * start a message (m->end is then the offset of the offending byte).
 */
int hunt_scan(struct hunt *h, const uint8_t *p, size_t n, struct hunt_match *m);

/*
 * The length of the prefix a fresh hunt_scan, strict or loose, would
 * match at p[0] (the start line's "METHOD SP" or "HTTP/1.", of kinds),
 * with no byte skipped before it; 0 when p[0..n) does not start so.
 */
size_t hunt_start_len(uint8_t kinds, const uint8_t *p, size_t n);

/* Whether tok[0..len) is a request method llhttp knows (HTTP, not RTSP). */
bool hunt_is_method(const char *tok, size_t len);

#endif
