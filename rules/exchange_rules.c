/* exchange_rules.c: checks that judge a response against the request it answers. */
#include "exchange_rules.h"

#include <inttypes.h>
#include <string.h>
#include <strings.h>

#include "fieldval.h"
#include "redirects.h"
#include "txn.h"

#define SHOW(n) (int)((n) > 40 ? 40 : (n))

/* Both heads, whole. */
static bool exchange(const struct txn *t)
{
	return t->req && heads_whole(t) && !(t->flags & TXN_INTERIM);
}

/* Whether a list element's name (before its parameters) is c[0..n), without case. */
struct name_match {
	const char *c;
	uint32_t n;
};

static bool differs(const char *p, uint32_t l, void *arg)
{
	const struct name_match *m = arg;
	return !(element_name_len(p, l) == m->n && strncasecmp(p, m->c, m->n) == 0);
}

/* A walk over a response's codings: the request that offers them, and the first it does not (p[0..n)). */
struct refused {
	const struct http_head *req;
	const char *p;
	uint32_t n;
};

static bool te_offered(const char *c, uint32_t n, void *arg)
{
	struct refused *u = arg;
	n = element_name_len(c, n);
	if (n == 7 && strncasecmp(c, "chunked", 7) == 0)
		return true;
	/* In TE, with or without a weight ("gzip;q=0.5"). */
	struct name_match m = { c, n };
	if (!field_each(u->req, "TE", differs, &m))
		return true;
	u->p = c;
	u->n = n;
	return false;
}

void check_te_unrequested(const struct txn *t, struct rule_out *out)
{
	/* RFC 9110 §10.1.4: TE lists the transfer codings, besides chunked
	 * (which every HTTP/1.1 recipient accepts), the client is willing to
	 * accept; another coding is one the client never said it can
	 * decode.  Advice, as the catalogue rates it. */
	if (!exchange(t))
		return;
	struct refused u = { t->req, NULL, 0 };
	field_each(t->resp, "Transfer-Encoding", te_offered, &u);
	if (u.p)
		rule_report(out, SEV_INFO, "transfer coding %.*s was not offered in the request's TE", SHOW(u.n), u.p);
}

/* A coding's name without an "x-" in front: x-gzip is gzip, x-compress is compress (RFC 9110 §8.4.1.1, §8.4.1.3). */
static void strip_x(const char **p, uint32_t *n)
{
	if (*n > 2 && strncasecmp(*p, "x-", 2) == 0) {
		*p += 2;
		*n -= 2;
	}
}

struct accepts {
	const char *c;   /* the coding asked about, x- stripped */
	uint32_t n;
	int named;       /* -1: not named; 0: named with q=0; 1: named */
	bool star;       /* "*" with a weight above 0 */
};

/* Whether an Accept-Encoding element's weight is zero ("gzip;q=0", "gzip; q=0.000"). */
static bool zero_weight(const char *p, uint32_t l, uint32_t nl)
{
	const char *qp = NULL;
	for (uint32_t x = nl; x + 1 < l; x++)
		if ((p[x] == 'q' || p[x] == 'Q') && p[x + 1] == '=')
			qp = p + x + 2;
	if (!qp || qp >= p + l || *qp != '0')
		return false;
	for (const char *z = qp + 1; z < p + l; z++)
		if (*z != '.' && *z != '0')
			return false;
	return true;
}

static bool ae_element(const char *p, uint32_t l, void *arg)
{
	struct accepts *a = arg;
	uint32_t nl = element_name_len(p, l);
	bool zero = zero_weight(p, l, nl);
	if (nl == 1 && p[0] == '*') {
		a->star = !zero;
		return true;
	}
	const char *name = p;
	strip_x(&name, &nl);
	if (nl == a->n && strncasecmp(name, a->c, nl) == 0) {
		a->named = !zero;
		return false; /* a coding named wins over "*" */
	}
	return true;
}

/* Whether Accept-Encoding (present) accepts coding c[0..n): named with q > 0, or "*" (RFC 9110 §12.5.3). */
static bool ae_accepts(const struct http_head *q, const char *c, uint32_t n)
{
	struct accepts a = { c, n, -1, false };
	strip_x(&a.c, &a.n);
	field_each(q, "Accept-Encoding", ae_element, &a);
	return a.named >= 0 ? a.named == 1 : a.star;
}

static bool ce_accepted(const char *p, uint32_t l, void *arg)
{
	struct refused *u = arg;
	if ((l == 8 && strncasecmp(p, "identity", 8) == 0) || ae_accepts(u->req, p, l))
		return true;
	u->p = p;
	u->n = l;
	return false;
}

void check_content_encoding_unrequested(const struct txn *t, struct rule_out *out)
{
	/* RFC 9110 §12.5.3: a request without Accept-Encoding accepts any
	 * coding; one with it names those the client can decode.  A coding
	 * outside it gives the client bytes it may not read (a server
	 * SHOULD send 415 or the identity coding instead). */
	if (!exchange(t) || !head_field(t->req, "Accept-Encoding"))
		return;
	struct refused u = { t->req, NULL, 0 };
	if (!field_each(t->resp, "Content-Encoding", ce_accepted, &u))
		rule_report(out, SEV_INFO, "content coding %.*s is not one the request's Accept-Encoding accepts",
			    SHOW(u.n), u.p);
}

void check_via_missing(const struct txn *t, struct rule_out *out)
{
	/* RFC 9110 §7.6.3: a proxy MUST send Via in each message it
	 * forwards.  A request in absolute-form (RFC 9112 §3.2.2) is sent to
	 * a proxy; its response without Via did not say it passed one. */
	if (!exchange(t) || t->req->uri.len < 7 || !head_name_eq(head_str(t->req, t->req->uri), "http://", 7))
		return;
	if (!head_field(t->resp, "Via"))
		rule_report(out, SEV_WARNING, "response to a proxy request (absolute-form) has no Via");
}

/* Whether the response's Content-Location names the request's own URL. */
static bool content_location_is_target(const struct txn *t)
{
	const struct hfield *f = head_field(t->resp, "Content-Location");
	char url[1024], cl[1024];
	if (!f || !redir_request_url(t, url, sizeof url))
		return false;
	if (!redir_resolve(url, head_str(t->resp, f->value), f->value.len, cl, sizeof cl))
		return false;
	return strcmp(url, cl) == 0;
}

void check_content_location_redundant(const struct txn *t, struct rule_out *out)
{
	/* RFC 9110 §8.7: Content-Location equal to the target URI says the
	 * content is a representation of the target, which a 2xx to GET or
	 * HEAD already means.  After PUT or POST it says something (the
	 * content is the new representation), so those are not judged. */
	int s = txn_status(t);
	if (!exchange(t) || s < 200 || s > 299 || !(method_is(t, "GET") || method_is(t, "HEAD")))
		return;
	if (content_location_is_target(t))
		rule_report(out, SEV_INFO, "Content-Location repeats the request's own URI");
}

void check_delete_content_location(const struct txn *t, struct rule_out *out)
{
	/* RFC 9110 §8.7: a 2xx with Content-Location equal to the target
	 * means the content is the target's current representation: after a
	 * DELETE it names what was just removed. */
	int s = txn_status(t);
	if (!exchange(t) || s < 200 || s > 299 || !method_is(t, "DELETE"))
		return;
	if (content_location_is_target(t))
		rule_report(out, SEV_INFO, "%d to DELETE has a Content-Location naming the deleted resource", s);
}

void check_version_not_supported_same_version(const struct txn *t, struct rule_out *out)
{
	/* RFC 9110 §15.6.6: 505 refuses the major version of the request.
	 * Answering in that very version shows the server speaks it. */
	if (exchange(t) && txn_status(t) == 505 && t->req->major == t->resp->major && t->req->minor == t->resp->minor)
		rule_report(out, SEV_INFO, "505 refuses HTTP/%u.%u in HTTP/%u.%u", t->req->major, t->req->minor,
			    t->resp->major, t->resp->minor);
}

void check_upgrade_without_continue(const struct txn *t, struct rule_out *out)
{
	/* RFC 9110 §7.8: a server that receives both Upgrade and
	 * Expect: 100-continue MUST send a 100 before the 101. */
	if (txn_status(t) != 101 || !t->req || !heads_whole(t) || (t->flags & TXN_SAW_100))
		return;
	if (head_field(t->req, "Upgrade") && field_lists(t->req, "Expect", "100-continue", 12, true))
		rule_report(out, SEV_ERROR, "101 to a request with Expect: 100-continue, without a 100 Continue first");
}

void check_partial_if_range_mismatch(const struct txn *t, struct rule_out *out)
{
	/* RFC 9110 §13.1.5: a server MUST ignore Range (and send the whole
	 * representation) when If-Range's entity-tag does not strongly match
	 * the current one; a 206 whose ETag differs ignored If-Range. */
	if (!exchange(t) || txn_status(t) != 206)
		return;
	const struct hfield *ir = head_field(t->req, "If-Range"), *et = head_field(t->resp, "ETag");
	if (!ir || !et || ir->value.len < 2)
		return;
	const char *a = head_str(t->req, ir->value), *b = head_str(t->resp, et->value);
	if (a[0] != '"' && !(a[0] == 'W' && a[1] == '/'))
		return; /* a date, not an entity-tag */
	bool strong = a[0] == '"' && b[0] == '"' && ir->value.len == et->value.len && memcmp(a, b, et->value.len) == 0;
	if (!strong)
		rule_report(out, SEV_ERROR, "206 with ETag %.*s answers If-Range %.*s, which does not strongly match",
			    SHOW(et->value.len), b, SHOW(ir->value.len), a);
}

void check_redirect_to_self(const struct txn *t, struct rule_out *out)
{
	/* A redirect to the very URL requested sends the client round again
	 * (RFC 9110 §15.4: a client SHOULD detect such cycles). */
	int s = txn_status(t);
	if (!exchange(t) || s < 300 || s > 399 || s == 304 || !method_is(t, "GET"))
		return;
	const struct hfield *f = head_field(t->resp, "Location");
	char url[1024], to[1024];
	if (!f || !redir_request_url(t, url, sizeof url) ||
	    !redir_resolve(url, head_str(t->resp, f->value), f->value.len, to, sizeof to))
		return;
	if (strcmp(url, to) == 0)
		rule_report(out, SEV_INFO, "%d redirects to the URL that was requested", s);
}

void check_redirect_options_asterisk(const struct txn *t, struct rule_out *out)
{
	/* RFC 9110 §9.3.7: OPTIONS * asks about the server, not a resource;
	 * there is nothing to redirect to. */
	int s = txn_status(t);
	if (exchange(t) && s >= 300 && s <= 399 && s != 304 && t->req->uri.len == 1 &&
	    head_str(t->req, t->req->uri)[0] == '*')
		rule_report(out, SEV_INFO, "%d redirects a request for OPTIONS *", s);
}

/* Whether the request carried content: bytes read, or a framing that announced some. */
static bool request_has_content(const struct txn *t)
{
	if (t->req_body > 0 || head_field(t->req, "Transfer-Encoding"))
		return true;
	const struct hfield *f = head_field(t->req, "Content-Length");
	if (!f)
		return false;
	const char *v = head_str(t->req, f->value);
	for (uint32_t i = 0; i < f->value.len; i++)
		if (v[i] >= '1' && v[i] <= '9')
			return true;
	return false;
}

void check_payload_too_large_without_body(const struct txn *t, struct rule_out *out)
{
	/* RFC 9110 §15.5.14: 413 says the request content is too large. */
	if (exchange(t) && txn_status(t) == 413 && !(t->flags & TXN_REQ_CUT) && !request_has_content(t))
		rule_report(out, SEV_INFO, "413 Content Too Large answers a request that had no content");
}

void check_unsupported_media_type_without_body(const struct txn *t, struct rule_out *out)
{
	/* RFC 9110 §15.5.16: 415 refuses the request content's format or
	 * coding; a request without content has none (a 415 for an
	 * unacceptable response type would be 406). */
	if (exchange(t) && txn_status(t) == 415 && !(t->flags & TXN_REQ_CUT) && !request_has_content(t))
		rule_report(out, SEV_INFO, "415 Unsupported Media Type answers a request that had no content");
}

void check_conditional_ims_not_honored(const struct txn *t, struct rule_out *out)
{
	/* RFC 9110 §13.1.3, §13.2.2: for a GET or HEAD without If-None-Match,
	 * If-Modified-Since not earlier than Last-Modified means the client's
	 * copy is current, and the server SHOULD send 304. */
	if (!exchange(t) || txn_status(t) != 200 || !(method_is(t, "GET") || method_is(t, "HEAD")) ||
	    head_field(t->req, "If-None-Match"))
		return;
	time_t ims, lm;
	if (field_date(t->req, "If-Modified-Since", &ims) && field_date(t->resp, "Last-Modified", &lm) && ims >= lm)
		rule_report(out, SEV_INFO, "200 sent although If-Modified-Since is not before Last-Modified; 304 would do");
}

void check_upgrade_required_already_offered(const struct txn *t, struct rule_out *out)
{
	/* RFC 9110 §15.5.22: 426 says the client must switch to a protocol
	 * the Upgrade field names.  A request that offered that very
	 * protocol should have been upgraded (101) instead. */
	if (!exchange(t) || txn_status(t) != 426 || !head_field(t->req, "Upgrade"))
		return;
	/* RFC 6455 §4.2.2: a WebSocket server refuses the client's version
	 * with a 426 that names websocket and the versions it speaks. */
	if (head_field(t->resp, "Sec-WebSocket-Version"))
		return;
	const struct hfield *f = head_field(t->resp, "Upgrade");
	if (!f)
		return; /* missing-upgrade's */
	const char *p = head_str(t->resp, f->value);
	uint32_t i = 0, st, l;
	while (list_next(p, f->value.len, &i, &st, &l))
		if (field_lists(t->req, "Upgrade", p + st, l, true)) {
			rule_report(out, SEV_INFO, "426 requires %.*s, which the request already offered in Upgrade", SHOW(l),
				    p + st);
			return;
		}
}

void check_upgrade_failed(const struct txn *t, struct rule_out *out)
{
	/* RFC 9110 §7.8, §15.2.2: after a 101 the server speaks the protocol
	 * it switched to, at once.  Its first bytes tell: an HTTP/1.x status
	 * line means it never switched; a WebSocket server's frames are
	 * unmasked, with a known opcode and no reserved bit unless an
	 * extension was agreed (RFC 6455 §5.2); an h2c server starts with a
	 * SETTINGS frame (RFC 9113 §3.4). */
	if (txn_status(t) != 101 || !(t->flags & TXN_TUNNEL_SEEN) || !t->nfirst || !heads_whole(t))
		return;
	const uint8_t *b = t->first;
	if (t->nfirst >= 5 && memcmp(b, "HTTP/", 5) == 0) {
		rule_report(out, SEV_WARNING, "after 101 Switching Protocols the server went on speaking HTTP/1.x");
		return;
	}
	const struct hfield *up = head_field(t->resp, "Upgrade");
	if (!up)
		return;
	const char *v = head_str(t->resp, up->value);
	if (up->value.len >= 9 && strncasecmp(v, "websocket", 9) == 0) {
		unsigned op = b[0] & 0x0f;
		bool known = op <= 2 || (op >= 8 && op <= 10);
		bool rsv = (b[0] & 0x70) && !head_field(t->resp, "Sec-WebSocket-Extensions");
		bool masked = t->nfirst >= 2 && (b[1] & 0x80);
		if (!known || rsv || masked)
			rule_report(out, SEV_WARNING, "after 101 to websocket the server's first bytes are no WebSocket frame (%02x %02x)",
				    b[0], t->nfirst >= 2 ? b[1] : 0);
	} else if (up->value.len == 3 && strncasecmp(v, "h2c", 3) == 0) {
		if (t->nfirst >= 4 && b[3] != 0x04)
			rule_report(out, SEV_WARNING, "after 101 to h2c the server does not start with a SETTINGS frame");
	}
}
