/* http.c: one direction of an HTTP/1.x connection, parsed by llhttp. */
#include "http.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rest.h"

static struct hx_dir *dir_of(llhttp_t *p)
{
	return (struct hx_dir *)p->data;
}

static int on_part_complete(llhttp_t *p);

/*
 * A message of each kind (a request's, a response's) that this thread
 * parsed whole from a message's start in one buffer, with a head handed
 * out before (hb_freeze_alike): its bytes up to the end of its head,
 * what llhttp made of them, and a reference to the head.  A message whose
 * head has these very bytes, at a message's start, in a direction with
 * the same caps, is not parsed again: llhttp would read the same bytes
 * from the same state the same way (replay_alike).
 */
struct hx_memo {
	struct http_head *h;     /* NULL: the slot is free */
	uint32_t len;            /* wire's bytes */
	uint32_t max_bytes, max_fields; /* the builder's caps it was made under */
	size_t room;             /* the room before a request head */
	uint64_t content_length; /* its Content-Length (0 without one) */
	uint16_t flags;          /* llhttp's flags when the head ended */
	char *wire;              /* HX_MEMO_MAX bytes, allocated when the slot is first used */
};

/* HX_MEMO_SLOTS of each kind; last, the one last kept or taken, is compared first. */
struct hx_memo_set {
	struct hx_memo m[HX_MEMO_SLOTS];
	uint64_t used[HX_MEMO_SLOTS]; /* when each was kept or last taken, by memo_clock */
	unsigned last;
	struct rest rest;   /* traffic that seldom repeats compares with the last one only */
};
static _Thread_local struct hx_memo_set memo[2];
static _Thread_local uint64_t memo_hits, memo_clock;

void hx_memo_drain(void)
{
	for (int k = 0; k < 2; k++) {
		for (int i = 0; i < HX_MEMO_SLOTS; i++) {
			head_unref(memo[k].m[i].h);
			free(memo[k].m[i].wire);
		}
		memset(&memo[k], 0, sizeof memo[k]);
	}
}

uint64_t hx_memo_hits(void)
{
	return memo_hits;
}

/* Frees the kept content, and gives its room back to the budget. */
static void hx_drop_kept(struct hx_dir *d)
{
	if (d->kb)
		d->kb->used -= d->kept_cap;
	free(d->kept);
	d->kept = NULL;
	d->kept_len = d->kept_cap = 0;
	d->keep = false;
}

/* Lets go of the head that might have become the memo (remember). */
static void drop_cand(struct hx_dir *d)
{
	head_unref(d->cand);
	d->cand = NULL;
}

/* The room made before d's heads: a request's (req_head_room); none before a response's. */
static size_t head_room(const struct hx_dir *d)
{
	return d->is_response ? 0 : d->req_head_room;
}

/* After a response: the next bytes must start a status line. */
static void expect_status_line(struct hx_dir *d)
{
	d->state = HX_CHECK_NEXT;
	hunt_init(&d->hunt, HUNT_RESPONSE, true);
}

static int on_message_begin(llhttp_t *p)
{
	struct hx_dir *d = dir_of(p);
	hb_reset(&d->hb);
	d->in_message = true;
	d->bodiless = false;
	d->tunnel = false;
	d->have_status = false;
	d->chunk_ext = false;
	d->nfirst = 0;
	d->body_len = 0;
	d->val_end = NULL;
	head_unref(d->trailers);
	d->trailers = NULL;
	drop_cand(d);
	hx_drop_kept(d);
	d->ev->begin(d->ctx, d);
	return 0;
}

#define HX_SPAN_CB(fn, part)                                          \
	static int fn(llhttp_t *p, const char *at, size_t n)          \
	{                                                             \
		hb_append(&dir_of(p)->hb, part, at, n);               \
		return 0;                                             \
	}
HX_SPAN_CB(on_method, HB_METHOD)
HX_SPAN_CB(on_url, HB_URI)
HX_SPAN_CB(on_status, HB_REASON)
HX_SPAN_CB(on_header_field, HB_NAME)

static int on_header_value(llhttp_t *p, const char *at, size_t n)
{
	struct hx_dir *d = dir_of(p);
	/* A value llhttp hands over in pieces is contiguous unless bytes were
	 * skipped inside it: the CRLF and whitespace of an obs-fold (RFC 9112
	 * §5.2), which llhttp 8 accepts and joins without saying so.  A piece
	 * continues either in the same buffer, right after the last one, or
	 * at the start of the next buffer after the last one ended its own. */
	if (d->hb.cur == HB_VALUE && d->val_end) {
		bool gap = d->val_gen == d->exec_gen ? at != d->val_end
						     : (d->val_end != d->prev_exec_end || at != d->exec_base);
		if (gap)
			d->hb.obs_fold = true;
	}
	hb_append(&d->hb, HB_VALUE, at, n);
	d->val_end = at + n;
	d->val_gen = d->exec_gen;
	return 0;
}

static int on_value_complete(llhttp_t *p)
{
	dir_of(p)->val_end = NULL;
	return on_part_complete(p);
}

static int on_chunk_extension(llhttp_t *p, const char *at, size_t n)
{
	(void)at;
	(void)n;
	dir_of(p)->chunk_ext = true;
	return 0;
}

static int on_part_complete(llhttp_t *p)
{
	hb_end_part(&dir_of(p)->hb);
	return 0;
}

static int on_status_complete(llhttp_t *p)
{
	struct hx_dir *d = dir_of(p);
	d->have_status = true;
	hb_end_part(&d->hb);
	return 0;
}

/* Hands h to the head event; returns the framing it asked for (responses). */
static int head_ready(struct hx_dir *d, struct http_head *h)
{
	if (h && d->is_response) {
		const struct hfield *ct = head_field_lit(h, "Content-Type");
		d->keep = ct && ct->value.len >= 20 && strncasecmp(head_str(h, ct->value), "multipart/byteranges", 20) == 0;
	}
	return d->ev->head(d->ctx, d, h);
}

static int on_headers_complete(llhttp_t *p)
{
	struct hx_dir *d = dir_of(p);
	/* RFC 9112 §6.3 rule 8 (llhttp's reading); a bodiless framing below overrides it. */
	bool eof = d->is_response && llhttp_message_needs_eof(p);
	struct http_head *h = hb_freeze_alike(&d->hb, head_room(d), d->is_response,
					      p->http_major, p->http_minor, p->method, p->status_code, eof);
	/* A head seen before, framed by its Content-Length (or, a request or
	 * a 204 or 304, by none: llhttp reads no content after them), may be
	 * the memo's (replay_alike): held until its message ends in this
	 * buffer. */
	if (h && h->alike && !(p->flags & (F_CHUNKED | F_TRANSFER_ENCODING)) && !p->upgrade &&
	    (!d->is_response || (p->flags & F_CONTENT_LENGTH) || p->status_code == 204 || p->status_code == 304)) {
		d->cand = head_ref(h);
		d->cand_flags = p->flags;
		d->cand_length = (p->flags & F_CONTENT_LENGTH) ? p->content_length : 0;
	}
	int frame = head_ready(d, h);
	if (!d->is_response)
		return 0;
	switch (frame) {
	case HX_FRAME_BODILESS:
		/* RFC 9112 §6.3 rule 1: the message ends at the header block
		 * whatever Content-Length says; llhttp does not know which
		 * request this answers, so it is told here. */
		d->bodiless = true;
		return 1;
	case HX_FRAME_TUNNEL:
		d->tunnel = true;
		drop_cand(d);
		return 2;
	default:
		return 0;
	}
}

static int on_body(llhttp_t *p, const char *at, size_t n)
{
	struct hx_dir *d = dir_of(p);
	d->body_len += n;
	/* The first bytes, for the rules that look at what the content is. */
	if (d->nfirst < sizeof d->first) {
		size_t k = sizeof d->first - d->nfirst;
		if (k > n)
			k = n;
		memcpy(d->first + d->nfirst, at, k);
		d->nfirst = (uint8_t)(d->nfirst + k);
	}
	if (d->keep && d->kb && d->kept_len < HX_KEEP_MAX) {
		size_t k = n < HX_KEEP_MAX - d->kept_len ? n : HX_KEEP_MAX - d->kept_len;
		if (d->kept_len + k > d->kept_cap) {
			/* Room in steps of 4 KiB, charged to the shared budget. */
			uint32_t ncap = (uint32_t)((d->kept_len + k + 4095) & ~(size_t)4095);
			char *nk = d->kb->used + (ncap - d->kept_cap) <= d->kb->max ? realloc(d->kept, ncap) : NULL;
			if (!nk) {
				d->kb->denied++;
				d->keep = false; /* what was kept stays, marked short by body_len */
				return 0;
			}
			d->kb->used += ncap - d->kept_cap;
			d->kept = nk;
			d->kept_cap = ncap;
		}
		memcpy(d->kept + d->kept_len, at, k);
		d->kept_len += (uint32_t)k;
	}
	return 0;
}

static int on_message_complete(llhttp_t *p)
{
	struct hx_dir *d = dir_of(p);
	d->in_message = false;
	/* Fields after the content are the trailer section (RFC 9112 §7.1.2). */
	if (d->hb.nfields && d->is_response)
		d->trailers = hb_freeze(&d->hb, true, p->http_major, p->http_minor, p->method, p->status_code);
	hb_reset(&d->hb);
	d->ev->done(d->ctx, d);
	/* Stop after every response (but a protocol switch), so that the
	 * bytes after it are checked before llhttp reads them as the next
	 * status line: after a bodiless response they would be content it
	 * carried, after any other content beyond its framing.  Stop after
	 * every request that leaves the connection open to another, so that
	 * the next one's bytes may be found alike (replay_alike). */
	if (d->is_response)
		return d->tunnel ? 0 : HPE_PAUSED;
	return !p->upgrade && llhttp_should_keep_alive(p) ? HPE_PAUSED : 0;
}

static const llhttp_settings_t hx_settings = {
	.on_message_begin = on_message_begin,
	.on_method = on_method,
	.on_url = on_url,
	.on_status = on_status,
	.on_header_field = on_header_field,
	.on_header_value = on_header_value,
	.on_method_complete = on_part_complete,
	.on_url_complete = on_part_complete,
	.on_status_complete = on_status_complete,
	/* No on_header_field_complete: a name ends where its value starts
	 * (hb_append starts a value on the name's heels), and a value with
	 * no bytes ends at on_header_value_complete. */
	.on_header_value_complete = on_value_complete,
	.on_chunk_extension_name = on_chunk_extension,
	.on_headers_complete = on_headers_complete,
	.on_body = on_body,
	.on_message_complete = on_message_complete,
};

void hx_init(struct hx_dir *d, bool is_response, uint32_t max_header_bytes, uint32_t max_headers,
	     const struct hx_events *ev, void *ctx)
{
	memset(d, 0, sizeof *d);
	d->is_response = is_response;
	d->ev = ev;
	d->ctx = ctx;
	d->state = HX_START;
	hb_init(&d->hb, max_header_bytes, max_headers);
	hunt_init(&d->hunt, is_response ? HUNT_RESPONSE : HUNT_REQUEST, true);
}

void hx_free(struct hx_dir *d)
{
	head_unref(d->cand);
	head_unref(d->trailers);
	hx_drop_kept(d);
	hb_free(&d->hb);
}

void hx_hunt(struct hx_dir *d, uint64_t limit)
{
	d->state = HX_HUNT;
	d->hunt_limit = limit;
	hunt_init(&d->hunt, d->is_response ? HUNT_RESPONSE : HUNT_REQUEST, false);
}

static void parser_restart(struct hx_dir *d)
{
	llhttp_init(&d->parser, d->is_response ? HTTP_RESPONSE : HTTP_REQUEST, &hx_settings);
	d->parser.data = d;
	/* Content-Length beside Transfer-Encoding is reported (cl-and-te)
	 * and framed by Transfer-Encoding, as RFC 9112 §6.3 rule 3 says,
	 * instead of stopping the parse. */
	llhttp_set_lenient_chunked_length(&d->parser, 1);
	d->state = HX_PARSE;
	d->at_start = false;
}

/*
 * Keeps the message p[0..used) in this thread's memo of its kind: it was
 * parsed whole, from a message's start, in one llhttp_execute call, and
 * its head (d->cand) was handed out before.
 */
static void remember(struct hx_dir *d, const uint8_t *p, size_t used)
{
	/* Its content, all of it in this buffer, follows the head. */
	if (d->body_len > used || used - d->body_len > HX_MEMO_MAX)
		return;
	/* In the slot kept or taken least long ago (a free one first); while
	 * the search rests, in the last one, which alone it compares with. */
	struct hx_memo_set *set = &memo[d->is_response];
	unsigned oldest = set->rest.left ? set->last : rest_oldest(set->used, HX_MEMO_SLOTS, set->last);
	struct hx_memo *m = &set->m[oldest];
	if (!m->wire && !(m->wire = malloc(HX_MEMO_MAX)))
		return;
	set->last = oldest;
	set->used[oldest] = ++memo_clock;
	head_unref(m->h);
	m->h = d->cand;
	d->cand = NULL;
	m->len = (uint32_t)(used - d->body_len);
	memcpy(m->wire, p, m->len);
	m->max_bytes = d->hb.max_bytes;
	m->max_fields = d->hb.max_fields;
	m->room = head_room(d);
	m->content_length = d->cand_length;
	m->flags = d->cand_flags;
}

/* Whether m's message is the one whose head p[0..n) begins with, under d's caps, with all its content there. */
static bool memo_is(const struct hx_memo *m, const struct hx_dir *d, const uint8_t *p, size_t n)
{
	return m->h && n >= m->len && n - m->len >= m->content_length && m->max_bytes == d->hb.max_bytes &&
	       m->max_fields == d->hb.max_fields && m->room == head_room(d) && memcmp(p, m->wire, m->len) == 0;
}

/*
 * The memo's message p[0..n) begins with, or NULL: the last one found or
 * kept first (a server under load answers alike in a row), then the
 * others, each told apart by the ends of its head before it is compared
 * whole, unless their search rests (rest.h, which counts only searches
 * beyond the last one).
 */
static struct hx_memo *memo_alike(struct hx_dir *d, const uint8_t *p, size_t n)
{
	struct hx_memo_set *set = &memo[d->is_response];
	struct hx_memo *m = &set->m[set->last];
	if (!memo_is(m, d, p, n)) {
		if (!rest_search_others(&set->rest))
			return NULL;
		m = NULL;
		for (unsigned i = 0; i < HX_MEMO_SLOTS && !m; i++) {
			struct hx_memo *x = &set->m[i];
			if (i != set->last && x->h && n >= x->len &&
			    !head_ends_differ((const char *)p, x->wire, x->len) && memo_is(x, d, p, n)) {
				m = x;
				set->last = i;
			}
		}
		rest_count(&set->rest, m != NULL);
		if (!m)
			return NULL;
	}
	set->used[set->last] = ++memo_clock;
	return m;
}

/*
 * At a message's start: when p[0..n) begins with the memo's head, and
 * holds all the content its Content-Length announces, hands out what
 * llhttp made of that head, in the order llhttp's callbacks would, and
 * returns the bytes the message took (0: not alike, parse them).  The
 * framing is asked anew (a response alike may answer a HEAD).
 */
static size_t replay_alike(struct hx_dir *d, const uint8_t *p, size_t n)
{
	struct hx_memo *m = memo_alike(d, p, n);
	if (!m)
		return 0;
	llhttp_t *lp = &d->parser;
	if (d->is_response) {
		/* What the done event reads of llhttp (should_keep_alive,
		 * needs_eof), as a parse of these bytes would have left the
		 * fresh parser (parser_restart). */
		lp->http_major = m->h->major;
		lp->http_minor = m->h->minor;
		lp->status_code = m->h->status;
		lp->flags = m->flags;
		lp->content_length = m->content_length;
	}
	memo_hits++;
	on_message_begin(lp);
	m->h->alike++;
	int frame = head_ready(d, head_ref(m->h));
	size_t used = m->len;
	if (d->is_response && frame == HX_FRAME_BODILESS) {
		d->bodiless = true;
		lp->flags |= F_SKIPBODY;
	} else if (d->is_response && frame == HX_FRAME_TUNNEL) {
		d->tunnel = true;
		lp->flags |= F_SKIPBODY;
		lp->upgrade = 1;
	} else if (m->content_length) {
		on_body(lp, (const char *)p + used, m->content_length);
		lp->content_length = 0;
		used += m->content_length;
	}
	on_message_complete(lp);
	if (d->is_response) {
		if (d->tunnel)
			d->state = HX_TUNNEL;
		else
			expect_status_line(d);
	}
	return used;
}

/* Runs llhttp over p[0..n); returns the bytes it consumed. */
static size_t parse(struct hx_dir *d, const uint8_t *p, size_t n)
{
	bool at_start = d->at_start;
	d->at_start = false;
	d->exec_gen++;
	d->exec_base = (const char *)p;
	llhttp_errno_t err = llhttp_execute(&d->parser, (const char *)p, n);
	d->prev_exec_end = (const char *)p + n;
	size_t used = n;
	if (err != HPE_OK) {
		used = (size_t)((const uint8_t *)llhttp_get_error_pos(&d->parser) - p);
		if (used > n)
			used = n;
	}
	/* After a message (on_message_complete): the one that started at p
	 * when the parse started at a message's start may become the memo.
	 * A head held for it is let go within the call either way. */
	if (err == HPE_PAUSED && d->cand && at_start)
		remember(d, p, used);
	drop_cand(d);
	if (err == HPE_OK)
		return n;
	if (err == HPE_PAUSED) {
		llhttp_resume(&d->parser);
		if (d->is_response)
			expect_status_line(d);
		else
			d->at_start = true;
		return used;
	}
	if (err == HPE_PAUSED_UPGRADE) {
		if (d->tunnel || d->is_response) {
			/* A 101 or a 2xx to CONNECT: what follows is not HTTP. */
			d->state = HX_TUNNEL;
			return used;
		}
		/* A request that asked to upgrade (or CONNECT): it goes on as
		 * HTTP until its response says the switch happened. */
		llhttp_resume_after_upgrade(&d->parser);
		return used;
	}
	const char *reason = llhttp_get_error_reason(&d->parser);
	d->state = HX_DEAD;
	d->ev->error(d->ctx, d, reason ? reason : llhttp_errno_name(err));
	return used;
}

void hx_feed(struct hx_dir *d, const uint8_t *p, size_t n)
{
	while (n > 0) {
		size_t used;
		switch (d->state) {
		case HX_PARSE:
			if (!d->at_start || !(used = replay_alike(d, p, n)))
				used = parse(d, p, n);
			break;
		case HX_START:
		case HX_HUNT:
		case HX_CHECK_NEXT: {
			size_t k;
			if (d->hunt.consumed == 0 && (k = hunt_start_len(d->hunt.kinds, p, n))) {
				/* The usual case at a stream's start and after a
				 * response (and after a hole, now and then): a message
				 * starts right here.  hunt_scan would match its first k
				 * bytes and hand them back; llhttp reads them in place
				 * instead, in the same call as the rest, or a message
				 * alike is taken from the memo. */
				d->hunt.consumed = k;
				parser_restart(d);
				d->at_start = true;
				if (!(used = replay_alike(d, p, n)))
					used = parse(d, p, n);
				break;
			}
			struct hunt_match m;
			uint64_t earlier = d->hunt.consumed; /* bytes earlier buffers gave the hunt */
			int r = hunt_scan(&d->hunt, p, n, &m);
			if (r == 1) {
				if (m.skipped)
					d->ev->skipped(d->ctx, d, m.skipped);
				parser_restart(d);
				/* The prefix is what the hunt matched; it comes from
				 * its own buffer, so a start split across segments
				 * is parsed without copying the segments. */
				parse(d, (const uint8_t *)m.prefix, m.prefix_len);
				used = m.end;
			} else if (r == 0) {
				used = n;
				if (d->state == HX_HUNT && d->hunt_limit && d->hunt.consumed > d->hunt_limit) {
					d->ev->skipped(d->ctx, d, d->hunt.consumed);
					d->state = HX_NOT_HTTP;
				}
			} else if (d->state == HX_CHECK_NEXT) {
				/* Bytes where the next status line should start:
				 * content the response before carried beyond its
				 * framing. */
				d->ev->stray(d->ctx, d);
				hunt_init(&d->hunt, HUNT_RESPONSE, false);
				d->state = HX_HUNT;
				d->hunt_limit = 0;
				used = m.end;
				/* Count from the first stray byte on. */
				d->hunt.consumed = 0;
			} else {
				d->state = d->ev->no_start(d->ctx, d) ? HX_DEAD : HX_NOT_HTTP;
				/* Those bytes are ignored with this buffer's, however
				 * the stream was cut. */
				d->ignored += earlier;
				used = 0;
			}
			break;
		}
		default:
			if (d->state == HX_TUNNEL && d->is_response && !d->tunnel_told && d->ev->tunnel) {
				d->tunnel_told = true;
				d->ev->tunnel(d->ctx, d, p, n);
			}
			d->ignored += n;
			return;
		}
		p += used;
		n -= used;
	}
}

void hx_gap(struct hx_dir *d)
{
	switch (d->state) {
	case HX_PARSE:
		if (d->in_message) {
			d->in_message = false;
			d->ev->cut(d->ctx, d);
		}
		/* fall through */
	case HX_START:
	case HX_CHECK_NEXT:
	case HX_HUNT:
		hx_hunt(d, 0);
		break;
	default:
		break;
	}
}

void hx_close(struct hx_dir *d)
{
	if (d->state != HX_PARSE)
		return;
	/* Whether the message under way announced its length. */
	d->closed_short = d->in_message && (d->parser.flags & F_CONTENT_LENGTH) && !(d->parser.flags & F_CHUNKED);
	llhttp_errno_t err = llhttp_finish(&d->parser);
	/* llhttp_finish calls on_message_complete for a close-delimited
	 * body; any other message under way was cut by the close. */
	if (err != HPE_OK && err != HPE_PAUSED && d->in_message) {
		d->in_message = false;
		d->ev->cut(d->ctx, d);
	}
	d->closed_short = false;
}

void hx_abort(struct hx_dir *d)
{
	if (d->state == HX_PARSE && d->in_message) {
		d->in_message = false;
		d->ev->cut(d->ctx, d);
	}
}

struct http_head *hx_partial_head(struct hx_dir *d)
{
	/* llhttp keeps the last message's status and version until the next
	 * start line replaces them: use them only once this message's are read. */
	if (!d->in_message || (!d->hb.len && !d->hb.nfields && !d->have_status))
		return NULL;
	uint16_t status = d->have_status ? d->parser.status_code : 0;
	struct http_head *h = hb_freeze(&d->hb, d->is_response, d->parser.http_major, d->parser.http_minor,
					d->parser.method, status);
	/* A head cut short: a field a rule looks for may be in the lost part. */
	if (h)
		h->truncated = true;
	return h;
}

char *hx_take_kept(struct hx_dir *d, uint32_t *len, uint32_t *cap)
{
	/* The transaction owns the bytes from here, and their room in the
	 * budget, which it gives back when it frees them. */
	char *k = d->kept;
	*len = d->kept_len;
	*cap = d->kept_cap;
	d->kept = NULL;
	d->kept_len = d->kept_cap = 0;
	return k;
}

void hx_set_keep_budget(struct hx_dir *d, struct hx_keep_budget *kb)
{
	d->kb = kb;
}

struct http_head *hx_take_trailers(struct hx_dir *d)
{
	struct http_head *h = d->trailers;
	d->trailers = NULL;
	return h;
}

void hx_set_tunnel(struct hx_dir *d)
{
	d->tunnel_told = false;
	d->state = HX_TUNNEL;
}
