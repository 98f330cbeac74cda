/* test_http.c: one direction parsed by llhttp, and messages alike taken from the memo. */
#include "wl_test.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "rest.h"

/*
 * What a direction told its connection, written out in order: every
 * event, the head each carried (its parts, fields and flags), what the
 * done event reads of the direction and of llhttp, and the state after
 * each feed.  The responses' framing comes from frames, one a head.
 */
struct rec {
	char *log;                 /* grown as needed, kept from one run to the next */
	size_t len, cap;
	const int *frames;
	int nframes, next;
	struct hx_dir *d;
	struct hx_keep_budget kb;
};

static void say(struct rec *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	assert_true(n >= 0);
	if (r->len + (size_t)n + 1 > r->cap) {
		size_t cap = r->cap ? r->cap : 16384;
		while (r->len + (size_t)n + 1 > cap)
			cap *= 2;
		r->log = realloc(r->log, cap);
		assert_non_null(r->log);
		r->cap = cap;
	}
	va_start(ap, fmt);
	vsnprintf(r->log + r->len, r->cap - r->len, fmt, ap);
	va_end(ap);
	r->len += (size_t)n;
}

static void say_span(struct rec *r, const struct http_head *h, struct span s)
{
	say(r, "%.*s|", (int)s.len, head_str(h, s));
}

static void ev_begin(void *ctx, struct hx_dir *d)
{
	say(ctx, "\nbegin;");
}

static int ev_head(void *ctx, struct hx_dir *d, struct http_head *h)
{
	struct rec *r = ctx;
	say(r, "head ");
	if (h) {
		say(r, "v%u.%u m%u s%u ", h->major, h->minor, h->method, h->status);
		say_span(r, h, h->method_s);
		say_span(r, h, h->uri);
		say_span(r, h, h->reason);
		for (uint32_t i = 0; i < h->nfields; i++) {
			say_span(r, h, h->fields[i].name);
			say_span(r, h, h->fields[i].value);
		}
		say(r, " trunc%d fold%d drop%u eof%d room%d keep%d;", h->truncated, h->obs_fold, h->dropped_fields,
		    h->close_delimited, h->block != NULL, d->keep);
		head_unref(h);
	}
	int frame = r->next < r->nframes ? r->frames[r->next++] : HX_FRAME_NORMAL;
	if (d->is_response)
		say(r, "frame%d;", frame);
	return frame;
}

static void ev_done(void *ctx, struct hx_dir *d)
{
	struct rec *r = ctx;
	say(r, "done body%llu first%.*s ext%d bodiless%d tunnel%d;", (unsigned long long)d->body_len, (int)d->nfirst,
	    (const char *)d->first, d->chunk_ext, d->bodiless, d->tunnel);
	/* What conn.c reads of llhttp when a response is done (http.h). */
	if (d->is_response)
		say(r, "alive%d eof%d;", llhttp_should_keep_alive(&d->parser), llhttp_message_needs_eof(&d->parser));
	struct http_head *t = hx_take_trailers(d);
	if (t) {
		say(r, "trailers%u;", t->nfields);
		head_unref(t);
	}
	uint32_t len, cap;
	char *k = hx_take_kept(d, &len, &cap);
	if (k) {
		say(r, "kept %.*s;", (int)len, k);
		r->kb.used -= cap;
		free(k);
	}
	if (d->tunnel)
		hx_set_tunnel(d);
}

static void ev_cut(void *ctx, struct hx_dir *d)
{
	say(ctx, "cut;");
}

static void ev_error(void *ctx, struct hx_dir *d, const char *reason)
{
	say(ctx, "error %s;", reason);
}

static void ev_stray(void *ctx, struct hx_dir *d)
{
	say(ctx, "stray;");
}

static void ev_skipped(void *ctx, struct hx_dir *d, uint64_t n)
{
	say(ctx, "skipped %llu;", (unsigned long long)n);
}

static bool ev_no_start(void *ctx, struct hx_dir *d)
{
	say(ctx, "no start;");
	return true;
}

static void ev_tunnel(void *ctx, struct hx_dir *d, const uint8_t *p, size_t n)
{
	/* Its first bytes: as many as came in the buffer. */
	say(ctx, "tunnel %02x;", p[0]);
}

static const struct hx_events events = {
	ev_begin, ev_head, ev_done, ev_cut, ev_error, ev_stray, ev_skipped, ev_no_start, ev_tunnel,
};

/* One direction's bytes, cut into the pieces it is fed in. */
struct stream {
	bool is_response;
	uint32_t max_bytes, max_fields;
	size_t room;
	const int *frames;
	int nframes;
	const char *const *pieces; /* NULL-terminated */
	int hole_after;            /* a hole after this many pieces (hx_gap); 0 none */
};

#define FRAMES(...) (const int[]){__VA_ARGS__}, (int)(sizeof((const int[]){__VA_ARGS__}) / sizeof(int))
#define PIECES(...) (const char *const[]){__VA_ARGS__, NULL}

/*
 * Feeds s into a direction, each piece whole (bytewise: a byte at a time,
 * so that no message lies whole in one buffer and none is taken from the
 * memo), then closes it; writes what it told into r.
 */
static void run(const struct stream *s, bool bytewise, struct rec *r)
{
	struct hx_dir d;
	char *log = r->log;
	size_t cap = r->cap;
	memset(r, 0, sizeof *r);
	r->log = log;
	r->cap = cap;
	say(r, "%s", "");
	r->frames = s->frames;
	r->nframes = s->nframes;
	r->kb.max = 1 << 20;
	hx_init(&d, s->is_response, s->max_bytes ? s->max_bytes : 65536, s->max_fields ? s->max_fields : 256, &events,
		r);
	d.req_head_room = s->room;
	hx_set_keep_budget(&d, &r->kb);
	r->d = &d;
	for (int i = 0; s->pieces[i]; i++) {
		const uint8_t *p = (const uint8_t *)s->pieces[i];
		size_t n = strlen(s->pieces[i]);
		if (bytewise) {
			for (size_t k = 0; k < n; k++)
				hx_feed(&d, p + k, 1);
		} else {
			hx_feed(&d, p, n);
		}
		say(r, "\n[fed: state%d ignored%llu]", d.state, (unsigned long long)d.ignored);
		if (i + 1 == s->hole_after) {
			hx_gap(&d);
			say(r, "\n[hole: state%d]", d.state);
		}
	}
	hx_close(&d);
	say(r, "\n[closed: state%d]", d.state);
	hx_free(&d);
	assert_int_equal(r->kb.used, 0);
}

/*
 * s fed whole must tell what it tells fed a byte at a time, with hits
 * messages taken from the memo (the memo starts empty).
 */
static void check(const struct stream *s, uint64_t hits)
{
	static struct rec whole, bytewise;
	hx_memo_drain();
	hb_pool_drain();
	uint64_t before = hx_memo_hits();
	run(s, true, &bytewise);
	assert_int_equal(hx_memo_hits(), before); /* the reference is llhttp's alone */
	hx_memo_drain();
	hb_pool_drain();
	before = hx_memo_hits();
	run(s, false, &whole);
	uint64_t got = hx_memo_hits() - before;
	if (strcmp(whole.log, bytewise.log) != 0 || got != hits)
		fprintf(stderr, "fed whole (%llu from the memo, %llu expected):%s\n\nbyte by byte:%s\n",
			(unsigned long long)got, (unsigned long long)hits, whole.log, bytewise.log);
	assert_string_equal(whole.log, bytewise.log);
	assert_int_equal(got, hits);
	hx_memo_drain();
	hb_pool_drain();
}

/* Messages the tests feed. */
#define GET "GET /a HTTP/1.1\r\nHost: example.test\r\nAccept: */*\r\n\r\n"
#define OK3 "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Type: text/plain\r\n\r\nabc"
#define CLOSE "GET / HTTP/1.1\r\nConnection: close\r\n\r\n"
#define OLD "GET / HTTP/1.0\r\n\r\n"
#define UPGRADE "GET /ws HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n"
#define CHUNKED "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
#define POST0 "POST /b HTTP/1.1\r\nContent-Length: 0\r\n\r\n"
#define OKCLOSE "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nhi"
#define OK10 "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nhi"
#define MULTI "HTTP/1.1 206 Partial Content\r\nContent-Type: multipart/byteranges; boundary=B\r\nContent-Length: 4\r\n\r\n--B\n"
#define FOLDED "HTTP/1.1 200 OK\r\nX-A: one\r\n two\r\nContent-Length: 0\r\n\r\n"
#define EOFBODY "HTTP/1.1 200 OK\r\n\r\nto the end"
#define CHUNKRESP "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\nX-T: 1\r\n\r\n"
#define SWITCH "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nContent-Length: 0\r\n\r\n"
#define CONTINUE "HTTP/1.1 100 Continue\r\n\r\n"
#define NOTMOD "HTTP/1.1 304 Not Modified\r\nETag: \"x\"\r\n\r\n"
#define NOCONTENT "HTTP/1.1 204 No Content\r\n\r\n"

/*
 * Requests alike, keep-alive: the first is parsed from the hunt's buffer,
 * the second from a message's start (its head handed out before, so it
 * becomes the memo), the rest are taken from the memo, whether they come
 * together or one a buffer.
 */
static void test_requests_alike(void **state)
{
	check(&(struct stream){.pieces = PIECES(GET GET GET GET)}, 2);
	check(&(struct stream){.pieces = PIECES(GET, GET, GET, GET, GET)}, 3);
	/* Content, and the room before the head the connection asks for. */
	check(&(struct stream){.room = 64,
			       .pieces = PIECES("POST /f HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello", "POST /f HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello",
						"POST /f HTTP/1.1\r\nContent-Length: 5\r\n\r\nworld", "POST /f HTTP/1.1\r\nContent-Length: 5\r\n\r\nhel",
						"lo")},
	      1);
	/* An empty line before a request: part of the bytes alike. */
	check(&(struct stream){.pieces = PIECES(GET, "\r\n" GET, "\r\n" GET, "\r\n" GET)}, 2);
}

/* Requests that do not leave the connection open, or change its protocol, are never taken from the memo. */
static void test_requests_not_alike(void **state)
{
	check(&(struct stream){.pieces = PIECES(GET, GET, CLOSE, CLOSE)}, 0);
	check(&(struct stream){.pieces = PIECES(OLD, OLD, OLD)}, 0);
	check(&(struct stream){.pieces = PIECES(UPGRADE, UPGRADE, UPGRADE, UPGRADE)}, 0);
	check(&(struct stream){.pieces = PIECES("CONNECT h:443 HTTP/1.1\r\n\r\n", "CONNECT h:443 HTTP/1.1\r\n\r\n",
						"CONNECT h:443 HTTP/1.1\r\n\r\n")},
	      0);
	/* Chunked: its end is not where the head says. */
	check(&(struct stream){.pieces = PIECES(CHUNKED, CHUNKED, CHUNKED, CHUNKED)}, 0);
	/* A head is kept only once it has come twice: the first POST is
	 * parsed and not kept, the second kept, the third taken. */
	check(&(struct stream){.pieces = PIECES(GET, POST0, POST0, POST0)}, 1);
	/* A message alike split over two buffers is not kept: the second
	 * buffer starts no message, and bytes like it later are parsed. */
	check(&(struct stream){.pieces = PIECES(GET, GET, "GET /a HTTP/1.1\r\nHost: example.test\r\n", "Accept: */*\r\n\r\n",
						"Accept: */*\r\n\r\n")},
	      0);
	/* A message alike but for one byte is parsed: here the last, whose
	 * method differs in case. */
	check(&(struct stream){.pieces = PIECES(GET, GET, "GET /a HTTP/1.1\r\nHost: example.test\r\nAccept: */*\r\n\r\n",
						"GET /a HTTP/1.1\r\nHost: example.test\r\naccept: */*\r\n\r\n")},
	      1);
}

/*
 * Responses alike: each is framed as its request asks (frames), so one
 * alike to the memo's may end at its head (a HEAD's), or switch the
 * connection to another protocol (a CONNECT's), though the memo's did
 * neither; what follows is then stray content, or the tunnel's bytes.
 */
static void test_responses_alike(void **state)
{
	check(&(struct stream){.is_response = true, .pieces = PIECES(OK3, OK3, OK3, OK3)}, 2);
	check(&(struct stream){.is_response = true, .pieces = PIECES(OK3 OK3 OK3 OK3 OK3)}, 3);
	check(&(struct stream){.is_response = true,
			       .frames = FRAMES(HX_FRAME_NORMAL, HX_FRAME_NORMAL, HX_FRAME_NORMAL, HX_FRAME_BODILESS),
			       .pieces = PIECES(OK3, OK3, OK3, OK3)},
	      2);
	check(&(struct stream){.is_response = true,
			       .frames = FRAMES(HX_FRAME_NORMAL, HX_FRAME_NORMAL, HX_FRAME_TUNNEL),
			       .pieces = PIECES(OK3, OK3, OK3 "\x16\x03\x01", "more")},
	      1);
	/* What the done event reads of llhttp: whether the connection stays open. */
	check(&(struct stream){.is_response = true, .pieces = PIECES(OKCLOSE, OKCLOSE, OKCLOSE)}, 1);
	check(&(struct stream){.is_response = true, .pieces = PIECES(OK10, OK10, OK10)}, 1);
	/* The memo's from a HEAD's response, ending at its head: one alike to
	 * it framed by its Content-Length has the content. */
	check(&(struct stream){.is_response = true,
			       .frames = FRAMES(HX_FRAME_BODILESS, HX_FRAME_BODILESS, HX_FRAME_NORMAL),
			       .pieces = PIECES("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n",
						"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n",
						"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nxyz")},
	      1);
	/* A 304 and a 204 without a Content-Length end at their heads,
	 * however they are framed. */
	check(&(struct stream){.is_response = true,
			       .frames = FRAMES(HX_FRAME_BODILESS, HX_FRAME_BODILESS, HX_FRAME_BODILESS, HX_FRAME_NORMAL),
			       .pieces = PIECES(NOTMOD, NOTMOD, NOTMOD, NOTMOD "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")},
	      2);
	check(&(struct stream){.is_response = true, .pieces = PIECES(NOCONTENT NOCONTENT NOCONTENT NOCONTENT)}, 2);
	/* Content kept for the multipart rules. */
	check(&(struct stream){.is_response = true, .pieces = PIECES(MULTI, MULTI, MULTI)}, 1);
	/* A folded value. */
	check(&(struct stream){.is_response = true, .pieces = PIECES(FOLDED, FOLDED, FOLDED)}, 1);
}

/*
 * Responses not taken from the memo: their content not all in the buffer
 * yet, or ending at the close, or chunked; and an interim response.
 */
static void test_responses_not_alike(void **state)
{
	check(&(struct stream){.is_response = true, .pieces = PIECES(OK3, OK3, "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Type: text/plain\r\n\r\nab", "c")},
	      0);
	check(&(struct stream){.is_response = true, .pieces = PIECES(EOFBODY)}, 0);
	check(&(struct stream){.is_response = true, .pieces = PIECES(CHUNKRESP, CHUNKRESP, CHUNKRESP)}, 0);
	/* A protocol switch, however the connection frames it. */
	check(&(struct stream){.is_response = true, .pieces = PIECES(SWITCH, SWITCH, SWITCH)}, 0);
	check(&(struct stream){.is_response = true,
			       .frames = FRAMES(HX_FRAME_BODILESS, HX_FRAME_BODILESS, HX_FRAME_BODILESS),
			       .pieces = PIECES(CONTINUE, CONTINUE, CONTINUE)},
	      0);
}

/*
 * n different messages (requests for /p0, /p1..., or responses of 0, 1...
 * bytes of content) in turn, rounds times, one a buffer: must tell fed
 * whole what they tell fed a byte at a time, with hits taken from the
 * memo.
 */
static void in_turn(bool is_response, int n, int rounds, uint64_t hits)
{
	static char msg[HX_MEMO_SLOTS + 1][128];
	const char *pieces[(HX_MEMO_SLOTS + 1) * 3 + 1];
	assert_true(n <= HX_MEMO_SLOTS + 1 && n <= 36 && rounds <= 3);
	for (int i = 0; i < n; i++) {
		if (is_response)
			snprintf(msg[i], sizeof msg[i], "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%.*s", i, i,
				 "0123456789abcdefghijklmnopqrstuvwxyz");
		else
			snprintf(msg[i], sizeof msg[i], "GET /p%d HTTP/1.1\r\nHost: example.test\r\n\r\n", i);
	}
	int k = 0;
	for (int r = 0; r < rounds; r++)
		for (int i = 0; i < n; i++)
			pieces[k++] = msg[i];
	pieces[k] = NULL;
	check(&(struct stream){.is_response = is_response, .pieces = pieces}, hits);
}

/*
 * Messages that come in turn, as a client's few URLs do over its
 * connections: each is kept once its head has come twice (the head's
 * own memo holds HB_ALIKE of them) and taken from then on, as long as
 * they are no more than the memo holds (HX_MEMO_SLOTS); one more, and
 * each has made room for the next before it comes again.
 */
static void test_alike_in_turn(void **state)
{
	assert_true(HB_ALIKE >= HX_MEMO_SLOTS);
	in_turn(false, 2, 3, 2);
	in_turn(true, 2, 3, 2);
	in_turn(false, HX_MEMO_SLOTS, 3, HX_MEMO_SLOTS);
	in_turn(true, HX_MEMO_SLOTS, 3, HX_MEMO_SLOTS);
	in_turn(false, HX_MEMO_SLOTS + 1, 3, 0);
	in_turn(true, HX_MEMO_SLOTS + 1, 3, 0);
}

typedef char rest_msg[64];

/* Requests for /a and /b in turn, three rounds, written from msg[k]; returns the next k. */
static size_t two_in_turn(rest_msg *msg, size_t k)
{
	for (int r = 0; r < 3; r++) {
		snprintf(msg[k++], sizeof msg[0], "GET /a HTTP/1.1\r\nHost: example.test\r\n\r\n");
		snprintf(msg[k++], sizeof msg[0], "GET /b HTTP/1.1\r\nHost: example.test\r\n\r\n");
	}
	return k;
}

/* msg[0..k) as a stream's pieces, checked with hits taken from the memo. */
static void check_msgs(const char **pieces, const rest_msg *msg, size_t k, uint64_t hits)
{
	for (size_t i = 0; i < k; i++)
		pieces[i] = msg[i];
	pieces[k] = NULL;
	check(&(struct stream){.pieces = pieces}, hits);
}

/*
 * Traffic that seldom repeats: REST_WINDOW requests each unlike the
 * others, then, while the memos rest (rest.h), two in turn are never
 * taken (each is compared with the last one only), one again and again
 * is (from its third); after the rest, two in turn are taken again.  The
 * memo of messages rests by its own count, that of heads by its own.
 */
static void test_alike_rest(void **state)
{
	enum { DIFFERENT = REST_WINDOW + 2 };
	size_t total = DIFFERENT + (size_t)REST_WINDOWS * REST_WINDOW + 16;
	rest_msg *msg = calloc(total, sizeof *msg);
	const char **pieces = calloc(total + 1, sizeof *pieces);
	assert_non_null(msg);
	assert_non_null(pieces);
	size_t k = 0;
	/* A window and two more, so that the rest has begun whether or not the first looks. */
	for (int i = 0; i < DIFFERENT; i++)
		snprintf(msg[k++], sizeof msg[0], "GET /d%d HTTP/1.1\r\nHost: example.test\r\n\r\n", i);
	k = two_in_turn(msg, k);
	for (int r = 0; r < 3; r++)
		snprintf(msg[k++], sizeof msg[0], "GET /c HTTP/1.1\r\nHost: example.test\r\n\r\n");
	check_msgs(pieces, msg, k, 1);
	/* The same, with the rest run out before the two in turn. */
	k = DIFFERENT;
	for (size_t i = 0; i < (size_t)REST_WINDOWS * REST_WINDOW; i++)
		snprintf(msg[k++], sizeof msg[0], "GET /e%zu HTTP/1.1\r\nHost: example.test\r\n\r\n", i);
	check_msgs(pieces, msg, two_in_turn(msg, k), 2);
	/* The memo of messages rests on its own: chunked requests alike are
	 * heads found alike (no rest there) but never messages kept; then
	 * two in turn, kept each in the last slot, are never taken. */
	k = 0;
	for (int i = 0; i < DIFFERENT; i++)
		snprintf(msg[k++], sizeof msg[0], "%s", CHUNKED);
	check_msgs(pieces, msg, two_in_turn(msg, k), 0);
	free(pieces);
	free(msg);
}

/*
 * A stream that does not start with a message: every byte of it is
 * ignored (bytes_after_error), those the hunt read in earlier buffers
 * before it gave up too.
 */
static void test_no_start(void **state)
{
	check(&(struct stream){.is_response = true, .pieces = PIECES("HTTX/1.1 200 OK\r\n\r\n", "more")}, 0);
	check(&(struct stream){.pieces = PIECES("GEX / HTTP/1.1\r\n\r\n")}, 0);
	check(&(struct stream){.pieces = PIECES("\r\nGE", "X / HTTP/1.1\r\n\r\n")}, 0);
}

/*
 * first fed whole leaves its memo; then s fed whole, with hits messages
 * taken from it, must tell what it tells fed a byte at a time.
 */
static void after_memo(const struct stream *first, const struct stream *s, uint64_t hits)
{
	static struct rec a, b, ref;
	hx_memo_drain();
	hb_pool_drain();
	run(first, false, &a);
	uint64_t before = hx_memo_hits();
	run(s, false, &b);
	assert_int_equal(hx_memo_hits() - before, hits);
	hx_memo_drain();
	hb_pool_drain();
	run(s, true, &ref);
	assert_string_equal(b.log, ref.log);
	hx_memo_drain();
	hb_pool_drain();
}

/*
 * The memo is one thread's, across directions: a message alike in a
 * direction with other caps, or another room before its head, is parsed
 * under them.
 */
static void test_memo_caps(void **state)
{
	const struct stream gets = {.pieces = PIECES(GET, GET)};
	after_memo(&gets, &(struct stream){.max_bytes = 20, .pieces = PIECES(GET, GET)}, 0); /* the head cut */
	after_memo(&gets, &(struct stream){.max_fields = 1, .pieces = PIECES(GET, GET)}, 0); /* a field dropped */
	after_memo(&gets, &(struct stream){.room = 64, .pieces = PIECES(GET, GET)}, 0);
	/* Nor after a request that closes the connection: llhttp reads no
	 * request after it, and neither does the memo. */
	after_memo(&gets, &(struct stream){.pieces = PIECES(CLOSE, GET, GET)}, 0);
	/* With the same caps, the other direction takes both its requests,
	 * the first at the stream's start; so does a response direction its
	 * first response. */
	after_memo(&gets, &gets, 2);
	const struct stream oks = {.is_response = true, .pieces = PIECES(OK3, OK3)};
	after_memo(&oks, &oks, 2);
}

/*
 * Streams drawn at random (a fixed seed): three to eight messages from a
 * pool, most of them one message drawn for the stream, now and then one
 * byte changed, cut into pieces mostly at the messages' ends, with
 * random framing and caps, a quarter with a hole after a piece, half of
 * them after the memo the stream before left; fed whole, each must tell
 * what it tells fed a byte at a time.
 */
static void test_random_streams(void **state)
{
	static const char *const requests[] = {
		GET, GET, GET, POST0, CLOSE, OLD, UPGRADE, CHUNKED,
		"POST /f HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello", ("\r\n" GET),
	};
	static const char *const responses[] = {
		OK3, OK3, OK3, OKCLOSE, OK10, MULTI, FOLDED, CHUNKRESP, CONTINUE, NOTMOD, NOCONTENT, SWITCH,
		"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
	};
	static char buf[4096];
	static char piece_buf[64][4096];
	srand(20261127);
	uint64_t hits = 0;
	for (int round = 0; round < 3000; round++) {
		bool resp = rand() % 2;
		const char *const *pool = resp ? responses : requests;
		int npool = resp ? (int)(sizeof responses / sizeof *responses) : (int)(sizeof requests / sizeof *requests);
		size_t len = 0, ends[8];
		int nmsg = 3 + rand() % 6;
		const char *often = pool[rand() % npool];
		for (int i = 0; i < nmsg; i++) {
			const char *m = rand() % 10 < 7 ? often : pool[rand() % npool];
			size_t k = strlen(m);
			memcpy(buf + len, m, k);
			len += k;
			ends[i] = len;
		}
		if (rand() % 8 == 0)
			buf[rand() % len] = "xX:\r\n 0"[rand() % 7];
		/* Cut into pieces: mostly at the messages' ends, one to three
		 * messages a piece, else anywhere. */
		const char *pieces[65];
		int np = 0, next = 0;
		size_t at = 0;
		while (at < len) {
			size_t to;
			if (np == 63) {
				to = len;
			} else if (rand() % 4) {
				while (next < nmsg && ends[next] <= at)
					next++;
				int i = next + rand() % 3;
				to = i < nmsg ? ends[i] : len;
			} else {
				to = at + 1 + (size_t)rand() % 120;
			}
			if (to > len)
				to = len;
			memcpy(piece_buf[np], buf + at, to - at);
			piece_buf[np][to - at] = 0;
			pieces[np] = piece_buf[np];
			np++;
			at = to;
		}
		pieces[np] = NULL;
		int frames[8];
		for (int i = 0; i < 8; i++)
			frames[i] = rand() % 3 ? HX_FRAME_NORMAL : rand() % 2 ? HX_FRAME_BODILESS : HX_FRAME_TUNNEL;
		struct stream s = {.is_response = resp, .frames = frames, .nframes = 8, .pieces = pieces};
		if (rand() % 4 == 0)
			s.max_bytes = 20 + (uint32_t)rand() % 60;
		if (rand() % 4 == 0)
			s.max_fields = 1 + (uint32_t)rand() % 2;
		if (!resp && rand() % 2)
			s.room = 64;
		if (rand() % 4 == 0)
			s.hole_after = 1 + rand() % np;
		/* Half the streams start with the memo the stream before left
		 * (made under its caps), so that a stream's first message may
		 * be taken from it. */
		static struct rec whole, bytewise;
		if (rand() % 2)
			hx_memo_drain();
		hb_pool_drain();
		uint64_t before = hx_memo_hits();
		run(&s, true, &bytewise);
		assert_int_equal(hx_memo_hits(), before);
		hb_pool_drain();
		run(&s, false, &whole);
		hits += hx_memo_hits() - before;
		if (strcmp(whole.log, bytewise.log) != 0)
			fprintf(stderr, "round %d, fed whole:%s\n\nbyte by byte:%s\n", round, whole.log, bytewise.log);
		assert_string_equal(whole.log, bytewise.log);
	}
	/* The memo was used, or the comparison tells nothing of it. */
	assert_true(hits > 1000);
	hx_memo_drain();
	hb_pool_drain();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_requests_alike),   cmocka_unit_test(test_requests_not_alike),
		cmocka_unit_test(test_responses_alike),  cmocka_unit_test(test_responses_not_alike),
		cmocka_unit_test(test_alike_in_turn),
		cmocka_unit_test(test_alike_rest),
		cmocka_unit_test(test_no_start),         cmocka_unit_test(test_memo_caps),
		cmocka_unit_test(test_random_streams),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
