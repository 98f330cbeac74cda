/* field_rules.c: checks of one response's fields, status line and framing that need code. */
#include "field_rules.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fieldval.h"
#include "txn.h"

/* A response whose head was read whole, and so can be judged field by field. */
static const struct http_head *whole_resp(const struct txn *t)
{
	if (!t->resp || t->resp->truncated || (t->flags & TXN_RESP_PARTIAL))
		return NULL;
	return t->resp;
}

#define SHOW(n) (int)((n) > 40 ? 40 : (n))

void check_obs_fold(const struct txn *t, struct rule_out *out)
{
	/* RFC 9112 §5.2: a sender MUST NOT generate a message that includes
	 * line folding (obs-fold) outside message/http.  llhttp 8 accepts a
	 * folded value and joins it; http.c notices the bytes it skipped. */
	if (t->resp && t->resp->obs_fold && !(t->flags & TXN_RESP_PARTIAL))
		rule_report(out, SEV_ERROR, "a field value is folded onto a continuation line (obs-fold)");
}

void check_chunk_extension(const struct txn *t, struct rule_out *out)
{
	/* RFC 9112 §7.1.1: a recipient MUST ignore unrecognized chunk
	 * extensions; they are rare, and proxies have been split on them. */
	if (t->flags & TXN_CHUNK_EXT)
		rule_report(out, SEV_INFO, "chunked content carries a chunk extension");
}

/*
 * Fields that cannot be trailers (RFC 9110 §6.5.1): those needed before the
 * content is read, for framing, routing, authentication, request modifiers,
 * response control, or the content's format.
 */
static const struct fname no_trailer[] = {
	FNAME("Transfer-Encoding"), FNAME("Content-Length"), FNAME("Trailer"), FNAME("TE"), FNAME("Host"),
	FNAME("Content-Type"), FNAME("Content-Encoding"), FNAME("Content-Range"), FNAME("Content-Language"),
	FNAME("Cache-Control"), FNAME("Expires"), FNAME("Age"), FNAME("Date"), FNAME("Location"),
	FNAME("Retry-After"), FNAME("Vary"), FNAME("Authorization"), FNAME("WWW-Authenticate"),
	FNAME("Proxy-Authenticate"), FNAME("Proxy-Authorization"), FNAME("Set-Cookie"), FNAME("Connection"),
	FNAME("Upgrade"), FNAME("Keep-Alive"), FNAME("Expect"), FNAME("Range"), FNAME("Max-Forwards"),
	FNAME("Pragma"),
};

/* The indexes of the tables of names, made by field_rules_init before any transaction is judged. */
static struct fname_index no_trailer_ix, list_fields_ix, request_only_ix;

void check_trailer_forbidden_field(const struct txn *t, struct rule_out *out)
{
	/* RFC 9110 §6.5.1: a sender MUST NOT generate a trailer field unless
	 * its definition permits it; these are the ones whose definitions
	 * need them in the header section. */
	const struct http_head *tr = t->trailers;
	if (!tr)
		return;
	int k;
	if (field_first_in(tr, no_trailer, sizeof no_trailer / sizeof no_trailer[0], &no_trailer_ix, &k))
		rule_report(out, SEV_ERROR, "%s sent as a trailer field; it must be in the header section",
			    no_trailer[k].s);
}

void check_trailer_inconsistent(const struct txn *t, struct rule_out *out)
{
	/* RFC 9110 §6.6.2: a sender that sends trailers SHOULD announce them
	 * in Trailer; Trailer on a response that is not chunked names
	 * trailers that cannot come (RFC 9112 §7.1.2). */
	const struct http_head *h = whole_resp(t);
	if (!h)
		return;
	const struct hfield *ann = head_field(h, "Trailer");
	const struct http_head *tr = t->trailers;
	if (tr) {
		for (uint32_t i = 0; i < tr->nfields; i++) {
			const struct hfield *f = &tr->fields[i];
			if (!field_lists(h, "Trailer", head_str(tr, f->name), f->name.len, true)) {
				rule_report(out, SEV_INFO, "trailer field %.*s was not announced in Trailer",
					    SHOW(f->name.len), head_str(tr, f->name));
				return;
			}
		}
	}
	if (ann && !(t->flags & TXN_BODILESS) && (t->flags & TXN_RESP_DONE) &&
	    !field_lists(h, "Transfer-Encoding", "chunked", 7, true))
		rule_report(out, SEV_INFO, "Trailer announces trailer fields, but the response is not chunked");
}

void check_field_name_invalid(const struct txn *t, struct rule_out *out)
{
	/* RFC 9110 §5.1: field-name = token.  llhttp 8 lets some non-token
	 * bytes (a space inside a name) through; a trailing space before the
	 * colon is whitespace-before-colon's. */
	const struct http_head *h = whole_resp(t);
	if (!h)
		return;
	for (uint32_t i = 0; i < h->nfields; i++) {
		const char *n = head_str(h, h->fields[i].name);
		uint32_t l = h->fields[i].name.len;
		while (l && (n[l - 1] == ' ' || n[l - 1] == '\t'))
			l--;
		if (!is_token(n, l)) {
			rule_report(out, SEV_ERROR, "field name \"%.*s\" is not a token", SHOW(l), n);
			return;
		}
	}
}

/* Whether p[0..n) has a byte of 0x80 or more: eight bytes at a time. */
static bool high_bytes(const char *p, uint32_t n)
{
	uint64_t any = 0;
	uint32_t k = 0;
	for (; k + 8 <= n; k += 8) {
		uint64_t w;
		memcpy(&w, p + k, sizeof w);
		any |= w;
	}
	for (; k < n; k++)
		any |= (unsigned char)p[k];
	return (any & 0x8080808080808080u) != 0;
}

void check_field_value_non_ascii(const struct txn *t, struct rule_out *out)
{
	/* RFC 9110 §5.5: field values are US-ASCII; obs-text (0x80-0xFF) is
	 * only tolerated, and recipients read it as opaque data. */
	const struct http_head *h = whole_resp(t);
	if (!h)
		return;
	for (uint32_t i = 0; i < h->nfields; i++) {
		if (high_bytes(head_str(h, h->fields[i].value), h->fields[i].value.len)) {
			rule_report(out, SEV_INFO, "field %.*s has non-ASCII bytes in its value",
				    SHOW(h->fields[i].name.len), head_str(h, h->fields[i].name));
			return;
		}
	}
}

/* Common server limits: 8 KiB a field line (Apache, nginx, Node), 100 fields (Apache, Go, Node). */
#define FIELD_LINE_LARGE 8192
#define HEADER_SECTION_LARGE 32768
#define FIELD_COUNT_LARGE 100

void check_field_too_large(const struct txn *t, struct rule_out *out)
{
	/* RFC 9110 §5.4: there is no limit, but recipients set their own and
	 * refuse what exceeds it (431, 502).  Heads cut at wirelint's cap
	 * are judged too: what was read is already too large. */
	const struct http_head *h = t->resp;
	if (!h || (t->flags & TXN_RESP_PARTIAL))
		return;
	uint64_t total = 0;
	for (uint32_t i = 0; i < h->nfields; i++) {
		uint64_t line = (uint64_t)h->fields[i].name.len + h->fields[i].value.len + 4;
		total += line;
		if (line > FIELD_LINE_LARGE) {
			rule_report(out, SEV_INFO, "field %.*s is %" PRIu64 " bytes long; many recipients refuse field lines over 8 KiB",
				    SHOW(h->fields[i].name.len), head_str(h, h->fields[i].name), line);
			return;
		}
	}
	if (total > HEADER_SECTION_LARGE)
		rule_report(out, SEV_INFO, "the header section is %" PRIu64 " bytes; many recipients refuse more than 32 KiB",
			    total);
}

void check_field_count_excessive(const struct txn *t, struct rule_out *out)
{
	const struct http_head *h = t->resp;
	if (!h || (t->flags & TXN_RESP_PARTIAL))
		return;
	uint32_t n = h->nfields + h->dropped_fields;
	if (n > FIELD_COUNT_LARGE)
		rule_report(out, SEV_INFO, "%s%" PRIu32 " field lines; many recipients refuse more than 100",
			    h->dropped_fields ? "at least " : "", n);
}

/* Fields defined as lists (#rule) that a response carries. */
static const struct fname list_fields[] = {
	FNAME("Allow"), FNAME("Vary"), FNAME("Connection"), FNAME("Cache-Control"), FNAME("Content-Encoding"),
	FNAME("Content-Language"), FNAME("Transfer-Encoding"), FNAME("Accept-Ranges"), FNAME("Trailer"),
	FNAME("Upgrade"), FNAME("Via"), FNAME("Accept-Patch"), FNAME("Accept-Encoding"),
	FNAME("Access-Control-Allow-Methods"), FNAME("Access-Control-Allow-Headers"),
	FNAME("Access-Control-Expose-Headers"),
};

/* Whether p[0..n) is all spaces and tabs. */
static bool blank(const char *p, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		if (p[i] != ' ' && p[i] != '\t')
			return false;
	return true;
}

void check_list_empty_element(const struct txn *t, struct rule_out *out)
{
	/* RFC 9110 §5.6.1.1: a sender MUST NOT generate empty list elements
	 * ("GET,,HEAD", a trailing comma); recipients skip them. */
	const struct http_head *h = whole_resp(t);
	if (!h)
		return;
	for (uint32_t i = 0; i < h->nfields; i++) {
		const struct hfield *f = &h->fields[i];
		/* The value first, as it is cheaper to look at than the name:
		 * with no comma, only a value of nothing but whitespace has an
		 * empty element (the scan below sees content at its first
		 * other byte, a quote included). */
		if (f->value.len == 0 || !(memchr(head_str(h, f->value), ',', f->value.len) ||
					   blank(head_str(h, f->value), f->value.len)))
			continue;
		if (field_name_in(h, f, list_fields, sizeof list_fields / sizeof list_fields[0], &list_fields_ix) < 0)
			continue;
		/* Between two commas, or before the first or after the last,
		 * only whitespace: an empty element. */
		const char *v = head_str(h, f->value);
		bool quoted = false, content = false;
		for (uint32_t k = 0; k <= f->value.len; k++) {
			char c = k < f->value.len ? v[k] : ',';
			if (quoted) {
				if (c == '\\')
					k++;
				else if (c == '"')
					quoted = false;
				continue;
			}
			if (c == '"') {
				quoted = content = true;
			} else if (c == ',') {
				if (!content) {
					rule_report(out, SEV_ERROR, "%.*s has an empty list element: \"%.*s\"",
						    SHOW(f->name.len), head_str(h, f->name), SHOW(f->value.len), v);
					return;
				}
				content = false;
			} else if (c != ' ' && c != '\t') {
				content = true;
			}
		}
	}
}

/*
 * Fields defined for requests only (RFC 9110 §7.2, §7.6.2, §10.1, §11.6.2,
 * §13.1, §14.2).  Accept is not among them: a 415 may carry it to say which
 * media types would have been accepted (§15.5.16).
 */
static const struct fname request_only[] = {
	FNAME("Host"), FNAME("Range"), FNAME("If-Match"), FNAME("If-None-Match"), FNAME("If-Modified-Since"),
	FNAME("If-Unmodified-Since"), FNAME("If-Range"), FNAME("Expect"), FNAME("Max-Forwards"), FNAME("TE"),
	FNAME("User-Agent"), FNAME("Referer"), FNAME("From"), FNAME("Authorization"),
	FNAME("Proxy-Authorization"), FNAME("Accept-Language"), FNAME("Accept-Charset"), FNAME("Cookie"),
};

void check_request_field_in_response(const struct txn *t, struct rule_out *out)
{
	const struct http_head *h = whole_resp(t);
	if (!h)
		return;
	int k;
	if (field_first_in(h, request_only, sizeof request_only / sizeof request_only[0], &request_only_ix, &k))
		rule_report(out, SEV_INFO, "%s is a request field; it means nothing in a response", request_only[k].s);
}

static bool count_chunked(const char *c, uint32_t n, void *arg)
{
	n = element_name_len(c, n);
	if (n == 7 && strncasecmp(c, "chunked", 7) == 0)
		(*(int *)arg)++;
	return true;
}

void check_te_chunked_twice(const struct txn *t, struct rule_out *out)
{
	/* RFC 9112 §6.1: a sender MUST NOT apply the chunked transfer coding
	 * more than once to a message body. */
	const struct http_head *h = whole_resp(t);
	int n = 0;
	if (h)
		field_each(h, "Transfer-Encoding", count_chunked, &n);
	if (n > 1)
		rule_report(out, SEV_ERROR, "Transfer-Encoding applies chunked %d times; it may be applied once", n);
}

struct bad_coding {
	const char *p;
	uint32_t n;
};

static bool find_unknown(const char *c, uint32_t n, void *arg)
{
	/* The HTTP Transfer Coding Registry (RFC 9112 §7); "identity" was
	 * removed from it by RFC 7230. */
	static const char *const known[] = { "chunked", "gzip", "deflate", "compress", "x-gzip", "x-compress",
					     "trailers" };
	n = element_name_len(c, n);
	for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
		if (strlen(known[i]) == n && strncasecmp(c, known[i], n) == 0)
			return true;
	struct bad_coding *b = arg;
	b->p = c;
	b->n = n;
	return false;
}

void check_te_invalid(const struct txn *t, struct rule_out *out)
{
	/* RFC 9112 §6.1: a server that receives a transfer coding it does
	 * not understand responds 501; a client cannot decode one either. */
	const struct http_head *h = whole_resp(t);
	struct bad_coding b = { NULL, 0 };
	if (h)
		field_each(h, "Transfer-Encoding", find_unknown, &b);
	if (b.p)
		rule_report(out, SEV_ERROR, "Transfer-Encoding names %.*s, which is not a registered transfer coding",
			    SHOW(b.n), b.p);
}

/* A response whose content ran until the server closed (RFC 9112 §6.3 rule 8). */
static bool close_delimited(const struct txn *t)
{
	return t->resp && t->resp->close_delimited && !(t->flags & (TXN_BODILESS | TXN_TUNNEL | TXN_RESP_PARTIAL)) &&
	       t->resp->status >= 200;
}

void check_close_delimited(const struct txn *t, struct rule_out *out)
{
	/* RFC 9112 §6.3: without Content-Length or chunked, the content ends
	 * only when the connection closes: a cut connection cannot be told
	 * from a complete response, and the connection cannot be reused. */
	if (close_delimited(t))
		rule_report(out, SEV_INFO, "content is delimited by closing the connection; a cut cannot be told from its end");
}

void check_close_delimited_without_close(const struct txn *t, struct rule_out *out)
{
	/* An HTTP/1.1 response that is delimited by the close and does not
	 * say Connection: close leaves the client waiting for an end the
	 * server never announced (RFC 9112 §9.6). */
	if (close_delimited(t) && t->resp->major == 1 && t->resp->minor == 1 &&
	    !field_lists(t->resp, "Connection", "close", 5, true))
		rule_report(out, SEV_INFO, "HTTP/1.1 content delimited by the close, without Connection: close");
}

/* Skips optional whitespace from *i. */
static void ows(const char *p, uint32_t n, uint32_t *i)
{
	while (*i < n && (p[*i] == ' ' || p[*i] == '\t'))
		(*i)++;
}

static uint32_t token_len(const char *p, uint32_t n, uint32_t i)
{
	uint32_t k = i;
	while (k < n && is_tchar((unsigned char)p[k]))
		k++;
	return k - i;
}

/* Whether p[0..n) is a media-type (RFC 9110 §8.3.1): type "/" subtype *( OWS ";" OWS parameter ). */
static const char *media_type_error(const char *p, uint32_t n)
{
	uint32_t i = 0;
	ows(p, n, &i);
	uint32_t l = token_len(p, n, i);
	if (!l)
		return "no type";
	i += l;
	if (i >= n || p[i] != '/')
		return "no / between type and subtype";
	i++;
	l = token_len(p, n, i);
	if (!l)
		return "no subtype";
	i += l;
	for (;;) {
		ows(p, n, &i);
		if (i >= n)
			return NULL;
		if (p[i] != ';')
			return "junk after the subtype";
		i++;
		ows(p, n, &i);
		if (i >= n)
			return NULL; /* a trailing ";" is allowed (empty parameter) */
		l = token_len(p, n, i);
		if (!l) {
			if (p[i] == ';')
				continue;
			return "a parameter without a name";
		}
		i += l;
		if (i >= n || p[i] != '=')
			return "a parameter without =";
		i++;
		if (i < n && p[i] == '"') {
			i++;
			while (i < n && p[i] != '"') {
				if (p[i] == '\\')
					i++;
				i++;
			}
			if (i >= n)
				return "an unterminated quoted string";
			i++;
		} else {
			l = token_len(p, n, i);
			if (!l)
				return "a parameter without a value";
			i += l;
		}
	}
}

void check_content_type_invalid(const struct txn *t, struct rule_out *out)
{
	const struct http_head *h = whole_resp(t);
	const struct hfield *f = h ? head_field(h, "Content-Type") : NULL;
	if (!f)
		return;
	const char *why = media_type_error(head_str(h, f->value), f->value.len);
	if (why)
		rule_report(out, SEV_ERROR, "Content-Type \"%.*s\" is not a media type: %s", SHOW(f->value.len),
			    head_str(h, f->value), why);
}

void check_reason_phrase_invalid(const struct txn *t, struct rule_out *out)
{
	/* RFC 9112 §4: reason-phrase = 1*( HTAB / SP / VCHAR / obs-text ):
	 * no control characters; obs-text is allowed but has no defined
	 * meaning, and clients show it as mojibake. */
	const struct http_head *h = t->resp;
	if (!h || (t->flags & TXN_RESP_PARTIAL))
		return;
	const unsigned char *r = (const unsigned char *)head_str(h, h->reason);
	bool high = false;
	for (uint32_t i = 0; i < h->reason.len; i++) {
		if ((r[i] < 0x20 && r[i] != '\t') || r[i] == 0x7f) {
			rule_report(out, SEV_ERROR, "the reason phrase has a control character (0x%02x)", r[i]);
			return;
		}
		high |= r[i] >= 0x80;
	}
	if (high)
		rule_report(out, SEV_INFO, "the reason phrase has non-ASCII bytes (obs-text)");
}

/* The reason phrases of the IANA registry (RFC 9110 §15 and the RFCs that added codes). */
#define P(code, phrase) { code, sizeof phrase - 1, phrase }
static const struct {
	short code;
	unsigned short len;
	const char *phrase;
} phrases[] = {
	P(100, "Continue"), P(101, "Switching Protocols"), P(102, "Processing"), P(103, "Early Hints"),
	P(200, "OK"), P(201, "Created"), P(202, "Accepted"), P(203, "Non-Authoritative Information"),
	P(204, "No Content"), P(205, "Reset Content"), P(206, "Partial Content"), P(207, "Multi-Status"),
	P(208, "Already Reported"), P(226, "IM Used"), P(300, "Multiple Choices"), P(301, "Moved Permanently"),
	P(302, "Found"), P(303, "See Other"), P(304, "Not Modified"), P(305, "Use Proxy"),
	P(307, "Temporary Redirect"), P(308, "Permanent Redirect"), P(400, "Bad Request"),
	P(401, "Unauthorized"), P(402, "Payment Required"), P(403, "Forbidden"), P(404, "Not Found"),
	P(405, "Method Not Allowed"), P(406, "Not Acceptable"), P(407, "Proxy Authentication Required"),
	P(408, "Request Timeout"), P(409, "Conflict"), P(410, "Gone"), P(411, "Length Required"),
	P(412, "Precondition Failed"), P(413, "Content Too Large"), P(414, "URI Too Long"),
	P(415, "Unsupported Media Type"), P(416, "Range Not Satisfiable"), P(417, "Expectation Failed"),
	P(421, "Misdirected Request"), P(422, "Unprocessable Content"), P(423, "Locked"),
	P(424, "Failed Dependency"), P(425, "Too Early"), P(426, "Upgrade Required"),
	P(428, "Precondition Required"), P(429, "Too Many Requests"), P(431, "Request Header Fields Too Large"),
	P(451, "Unavailable For Legal Reasons"), P(500, "Internal Server Error"), P(501, "Not Implemented"),
	P(502, "Bad Gateway"), P(503, "Service Unavailable"), P(504, "Gateway Timeout"),
	P(505, "HTTP Version Not Supported"), P(506, "Variant Also Negotiates"), P(507, "Insufficient Storage"),
	P(508, "Loop Detected"), P(511, "Network Authentication Required"),
	/* Older names of the same codes (RFC 2616, 7231, 7233, 4918). */
	P(413, "Payload Too Large"), P(413, "Request Entity Too Large"), P(414, "Request-URI Too Long"),
	P(416, "Requested Range Not Satisfiable"), P(422, "Unprocessable Entity"), P(408, "Request Time-out"),
	P(504, "Gateway Time-out"), P(302, "Moved Temporarily"),
};
#undef P

void check_reason_phrase_mismatch(const struct txn *t, struct rule_out *out)
{
	/* RFC 9112 §4: the reason phrase is for people and a client SHOULD
	 * ignore it; but one that names another code ("200 Not Found")
	 * misleads whoever reads the logs.  Only a phrase that is another
	 * code's registered phrase counts; any other wording passes. */
	const struct http_head *h = t->resp;
	if (!h || (t->flags & TXN_RESP_PARTIAL) || !h->reason.len || h->status < 100 || h->status > 599)
		return;
	const char *r = head_str(h, h->reason);
	int other = 0;
	for (size_t i = 0; i < sizeof phrases / sizeof phrases[0]; i++) {
		if (phrases[i].len != h->reason.len || !head_name_eq(r, phrases[i].phrase, h->reason.len))
			continue;
		if (phrases[i].code == h->status)
			return;
		other = phrases[i].code;
	}
	if (other)
		rule_report(out, SEV_INFO, "status %d has the reason phrase of %d (\"%.*s\")", h->status, other,
			    SHOW(h->reason.len), r);
}

void check_last_modified_after_date(const struct txn *t, struct rule_out *out)
{
	/* RFC 9110 §8.8.2.1: an origin server with a clock MUST NOT generate
	 * a Last-Modified later than its Date. */
	const struct http_head *h = whole_resp(t);
	time_t lm, date;
	if (h && field_date(h, "Last-Modified", &lm) && field_date(h, "Date", &date) && lm > date)
		rule_report(out, SEV_ERROR, "Last-Modified is %lld s later than Date", (long long)(lm - date));
}

#define RETRY_AFTER_LONG (7 * 86400)

void check_retry_after_implausible(const struct txn *t, struct rule_out *out)
{
	/* RFC 9110 §10.2.3: Retry-After is a time to wait.  A date before the
	 * response's own Date asks for no wait at all; a delay of more than
	 * a week is rarely meant, and clients cap it. */
	const struct http_head *h = whole_resp(t);
	const struct hfield *f = h ? head_field(h, "Retry-After") : NULL;
	if (!f)
		return;
	const char *v = head_str(h, f->value);
	time_t ra, date;
	if (imf_fixdate(v, f->value.len, &ra)) {
		if (field_date(h, "Date", &date) && ra < date)
			rule_report(out, SEV_INFO, "Retry-After names a time %lld s before the response's Date",
				    (long long)(date - ra));
		return;
	}
	uint64_t s = 0;
	for (uint32_t i = 0; i < f->value.len; i++) {
		if (v[i] < '0' || v[i] > '9')
			return; /* invalid-retry-after's */
		if (s <= RETRY_AFTER_LONG)
			s = s * 10 + (uint64_t)(v[i] - '0');
	}
	if (f->value.len && s > RETRY_AFTER_LONG)
		rule_report(out, SEV_INFO, "Retry-After asks for a wait of more than a week");
}

/* Parses "bytes first-last/len" (len may be *); false if it is not that form. */
static bool content_range(const char *p, uint32_t n, uint64_t *first, uint64_t *last)
{
	uint32_t i = 0;
	if (n < 6 || strncasecmp(p, "bytes", 5) != 0)
		return false;
	i = 5;
	if (p[i] != ' ')
		return false;
	while (i < n && p[i] == ' ')
		i++;
	uint64_t a = 0, b = 0;
	uint32_t d = 0;
	for (; i < n && p[i] >= '0' && p[i] <= '9' && d < 19; i++, d++)
		a = a * 10 + (uint64_t)(p[i] - '0');
	if (!d || i >= n || p[i] != '-')
		return false;
	i++;
	for (d = 0; i < n && p[i] >= '0' && p[i] <= '9' && d < 19; i++, d++)
		b = b * 10 + (uint64_t)(p[i] - '0');
	if (!d || i >= n || p[i] != '/' || b < a)
		return false;
	*first = a;
	*last = b;
	return true;
}

void check_content_length_range_mismatch(const struct txn *t, struct rule_out *out)
{
	/* RFC 9110 §14.4, §8.6: in a single-part 206, Content-Range gives the
	 * span sent and Content-Length the bytes sent; they must agree. */
	const struct http_head *h = whole_resp(t);
	if (!h || h->status != 206)
		return;
	const struct hfield *cr = head_field(h, "Content-Range"), *cl = head_field(h, "Content-Length");
	uint64_t a, b;
	const struct hfield *ct = head_field(h, "Content-Type");
	if (ct && ct->value.len >= 20 && strncasecmp(head_str(h, ct->value), "multipart/byteranges", 20) == 0)
		return; /* the parts carry the ranges; multipart-with-content-range's */
	if (!cr || !cl || !content_range(head_str(h, cr->value), cr->value.len, &a, &b))
		return;
	const char *v = head_str(h, cl->value);
	uint64_t n = 0;
	for (uint32_t i = 0; i < cl->value.len; i++) {
		if (v[i] < '0' || v[i] > '9' || i >= 19)
			return;
		n = n * 10 + (uint64_t)(v[i] - '0');
	}
	if (cl->value.len && n != b - a + 1)
		rule_report(out, SEV_ERROR, "Content-Length %" PRIu64 " does not match Content-Range's span of %" PRIu64 " bytes",
			    n, b - a + 1);
}

#define DATE_SKEW_S 300

void check_date_skew(const struct txn *t, struct rule_out *out)
{
	/* RFC 9110 §6.6.1: Date is the time the message was generated, from
	 * a clock the origin server should keep right.  Compared with the
	 * capture's own timestamp, which is only as right as the capturing
	 * host's clock: an opt-in rule for captures from a synchronised
	 * host. */
	const struct http_head *h = whole_resp(t);
	time_t date;
	if (!h || !t->resp_ts.tv_sec || !field_date(h, "Date", &date))
		return;
	long long d = (long long)date - (long long)t->resp_ts.tv_sec;
	if (d > DATE_SKEW_S || d < -DATE_SKEW_S)
		rule_report(out, SEV_INFO, "Date is %lld s %s the capture's clock", d > 0 ? d : -d, d > 0 ? "ahead of" : "behind");
}

/* The boundary parameter of a multipart Content-Type, into b; false when there is none. */
static bool boundary_of(const struct http_head *h, const struct hfield *ct, char *b, size_t n)
{
	const char *v = head_str(h, ct->value);
	uint32_t len = ct->value.len;
	for (uint32_t i = 0; i + 9 <= len; i++) {
		if (strncasecmp(v + i, "boundary=", 9) != 0 || (i && v[i - 1] != ';' && v[i - 1] != ' ' && v[i - 1] != '\t'))
			continue;
		uint32_t k = i + 9, o = 0;
		bool q = k < len && v[k] == '"';
		if (q)
			k++;
		while (k < len && o + 1 < n && (q ? v[k] != '"' : (v[k] != ';' && v[k] != ' ' && v[k] != '\t')))
			b[o++] = v[k++];
		b[o] = 0;
		return o > 0;
	}
	return false;
}

/* Each part of multipart content p[0..n): the bytes of its header section, to fn. */
static int each_part(const char *p, uint32_t n, const char *b, void (*fn)(const char *h, uint32_t hn, void *arg),
		     void *arg)
{
	size_t bl = strlen(b);
	int parts = 0;
	for (uint32_t i = 0; i + 2 + bl <= n; i++) {
		/* A delimiter: "--" boundary at the start or after a line end. */
		if ((i && p[i - 1] != '\n') || p[i] != '-' || p[i + 1] != '-' || memcmp(p + i + 2, b, bl) != 0)
			continue;
		uint32_t k = i + 2 + (uint32_t)bl;
		if (k + 1 < n && p[k] == '-' && p[k + 1] == '-')
			break; /* the close delimiter */
		while (k < n && p[k] != '\n')
			k++;
		uint32_t hs = ++k;
		/* The part's header section: lines up to the first empty one. */
		uint32_t ls = hs, he = 0;
		bool ended = false;
		while (ls < n) {
			uint32_t le = ls;
			while (le < n && p[le] != '\n')
				le++;
			if (le >= n)
				break;
			uint32_t len = le - ls - (le > ls && p[le - 1] == '\r');
			if (len == 0) {
				he = ls;
				ended = true;
				break;
			}
			ls = le + 1;
		}
		if (!ended)
			break; /* cut before its header section ended */
		fn(p + hs, he - hs, arg);
		parts++;
		i = he;
	}
	return parts;
}

struct part_check {
	int parts, no_range, no_type;
};

static bool part_has(const char *h, uint32_t hn, const char *name)
{
	size_t nl = strlen(name);
	for (uint32_t i = 0; i + nl < hn; i++)
		if ((i == 0 || h[i - 1] == '\n') && strncasecmp(h + i, name, nl) == 0 && h[i + nl] == ':')
			return true;
	return false;
}

static void check_part(const char *h, uint32_t hn, void *arg)
{
	struct part_check *pc = arg;
	pc->parts++;
	if (!part_has(h, hn, "Content-Range") && !pc->no_range)
		pc->no_range = pc->parts;
	if (!part_has(h, hn, "Content-Type") && !pc->no_type)
		pc->no_type = pc->parts;
}

/* Whether the content has a Content-Encoding other than identity. */
static bool encoded(const struct http_head *h)
{
	const struct hfield *f = head_field(h, "Content-Encoding");
	return f && !(f->value.len == 8 && strncasecmp(head_str(h, f->value), "identity", 8) == 0);
}

/* A 206 multipart/byteranges response, and its Content-Type field. */
static const struct hfield *multipart_206(const struct txn *t)
{
	const struct http_head *h = whole_resp(t);
	if (!h || h->status != 206)
		return NULL;
	const struct hfield *ct = head_field(h, "Content-Type");
	if (!ct || ct->value.len < 20 || strncasecmp(head_str(h, ct->value), "multipart/byteranges", 20) != 0)
		return NULL;
	return ct;
}

void check_multipart_boundary_invalid(const struct txn *t, struct rule_out *out)
{
	/* RFC 9110 §14.6 and RFC 2046 §5.1.1: multipart/byteranges names its
	 * boundary in a parameter, and the content is parts between
	 * "--boundary" delimiter lines. */
	const struct hfield *ct = multipart_206(t);
	char b[80];
	if (!ct)
		return;
	if (!boundary_of(t->resp, ct, b, sizeof b)) {
		rule_report(out, SEV_ERROR, "multipart/byteranges without a boundary parameter");
		return;
	}
	/* Judged only on content read to its end, kept whole, and not
	 * encoded (compressed bytes hold no delimiter to find). */
	if (!(t->flags & TXN_RESP_DONE) || (t->flags & TXN_RESP_CUT) || !t->kept || t->kept_len != t->resp_body ||
	    encoded(t->resp))
		return;
	if (!each_part(t->kept, t->kept_len, b, check_part, &(struct part_check){ 0, 0, 0 }))
		rule_report(out, SEV_ERROR, "no part of the content starts with the boundary delimiter --%.40s", b);
}

static bool parts_of(const struct txn *t, struct part_check *pc)
{
	const struct hfield *ct = multipart_206(t);
	char b[80];
	memset(pc, 0, sizeof *pc);
	if (!ct || !t->kept || encoded(t->resp) || !boundary_of(t->resp, ct, b, sizeof b))
		return false;
	each_part(t->kept, t->kept_len, b, check_part, pc);
	return pc->parts > 0;
}

void check_multipart_part_missing_content_range(const struct txn *t, struct rule_out *out)
{
	/* RFC 9110 §14.6: each body part of multipart/byteranges MUST carry
	 * a Content-Range for the range it holds. */
	struct part_check pc;
	if (parts_of(t, &pc) && pc.no_range)
		rule_report(out, SEV_ERROR, "part %d of the multipart/byteranges content has no Content-Range", pc.no_range);
}

void check_multipart_part_missing_content_type(const struct txn *t, struct rule_out *out)
{
	/* RFC 9110 §14.6: a part SHOULD carry the Content-Type a 200 would
	 * have had. */
	struct part_check pc;
	if (parts_of(t, &pc) && pc.no_type)
		rule_report(out, SEV_WARNING, "part %d of the multipart/byteranges content has no Content-Type", pc.no_type);
}

/* The first bytes of a 200's content, read from its start and not cut; NULL when there are none to judge. */
static const uint8_t *content_start(const struct txn *t, uint32_t need)
{
	const struct http_head *h = whole_resp(t);
	if (!h || h->status != 200 || (t->flags & (TXN_BODILESS | TXN_RESP_CUT)) || txn_is_head(t) || t->nfirst < need)
		return NULL;
	return t->first;
}

void check_content_encoding_invalid(const struct txn *t, struct rule_out *out)
{
	/* RFC 9110 §8.4.1: gzip is the GZIP file format (RFC 1952), whose
	 * bytes begin 1f 8b; zstd's frames begin 28 b5 2f fd (RFC 8878);
	 * deflate is the zlib format (RFC 1950), whose two-byte header says
	 * method 8 and is a multiple of 31.  Content that does not begin so
	 * cannot be decoded as the coding says. */
	const uint8_t *b = content_start(t, 4);
	const struct hfield *f = b ? head_field(t->resp, "Content-Encoding") : NULL;
	if (!f)
		return;
	const char *v = head_str(t->resp, f->value);
	uint32_t n = f->value.len;
	bool gzip = (n == 4 && strncasecmp(v, "gzip", 4) == 0) || (n == 6 && strncasecmp(v, "x-gzip", 6) == 0);
	bool zstd = n == 4 && strncasecmp(v, "zstd", 4) == 0;
	bool deflate = n == 7 && strncasecmp(v, "deflate", 7) == 0;
	if (gzip && !(b[0] == 0x1f && b[1] == 0x8b))
		rule_report(out, SEV_ERROR, "Content-Encoding says gzip, but the content does not start as gzip (1f 8b)");
	else if (zstd && !(b[0] == 0x28 && b[1] == 0xb5 && b[2] == 0x2f && b[3] == 0xfd))
		rule_report(out, SEV_ERROR, "Content-Encoding says zstd, but the content does not start as a zstd frame");
	else if (deflate && !((b[0] & 0x0f) == 8 && ((unsigned)b[0] << 8 | b[1]) % 31 == 0))
		rule_report(out, SEV_ERROR, "Content-Encoding says deflate, but the content has no zlib header (raw deflate?)");
}

/* What the first bytes of content look like, when a signature says so; NULL when they say nothing sure. */
static const char *sniff(const uint8_t *b, uint32_t n)
{
	static const struct {
		const char *type;
		const char *magic;
		uint32_t len;
	} sig[] = {
		{ "image/png", "\x89PNG\r\n\x1a\n", 8 }, { "image/gif", "GIF8", 4 },      { "image/jpeg", "\xff\xd8\xff", 3 },
		{ "application/pdf", "%PDF-", 5 },         { "application/zip", "PK\x03\x04", 4 },
		{ "application/gzip", "\x1f\x8b", 2 },
	};
	for (size_t i = 0; i < sizeof sig / sizeof sig[0]; i++)
		if (n >= sig[i].len && b[0] == (uint8_t)sig[i].magic[0] && memcmp(b, sig[i].magic, sig[i].len) == 0)
			return sig[i].type;
	return NULL;
}

void check_content_type_mismatch(const struct txn *t, struct rule_out *out)
{
	/* RFC 9110 §8.3: the Content-Type says what the content is.  A
	 * signature at the start that is another format's (a PNG served as
	 * text/html, HTML served as image/png) misleads every client that
	 * does not sniff, and those that do.  Only signatures that are sure
	 * count; encoded content is not judged. */
	const uint8_t *b = content_start(t, 4);
	const struct hfield *ct = b ? head_field(t->resp, "Content-Type") : NULL;
	if (!ct || head_field(t->resp, "Content-Encoding"))
		return;
	const char *v = head_str(t->resp, ct->value);
	/* Judged: text types, images (SVG is text: +xml), PDF.  Other
	 * application types are containers the signatures do not tell apart
	 * (.docx, .jar and .epub are all zip), and their content is not
	 * looked at: told apart from the three by their first letter, most. */
	char c0 = ct->value.len ? (char)(v[0] | 0x20) : 0;
	if ((c0 != 't' && c0 != 'i' && c0 != 'a') ||
	    (c0 == 'a' && (ct->value.len < 15 || !head_name_eq(v, "application/pdf", 15))))
		return;
	uint32_t vl = 0;
	while (vl < ct->value.len && v[vl] != ';' && v[vl] != ' ')
		vl++;
	bool text = vl > 5 && head_name_eq(v, "text/", 5);
	bool image = vl > 6 && head_name_eq(v, "image/", 6) && !(vl > 4 && head_name_eq(v + vl - 4, "+xml", 4));
	bool pdf = vl == 15 && head_name_eq(v, "application/pdf", 15);
	if (!text && !image && !pdf)
		return;
	const char *is = sniff(b, t->nfirst);
	if (is) {
		bool same = strlen(is) == vl && head_name_eq(v, is, vl);
		same |= vl == 9 && head_name_eq(v, "image/jpg", 9) && strcmp(is, "image/jpeg") == 0;
		if (!same)
			rule_report(out, SEV_INFO, "Content-Type says %.*s, but the content starts as %s", SHOW(vl), v, is);
		return;
	}
	bool declared_binary = image || pdf;
	/* A binary type whose content starts as markup or JSON text. */
	uint32_t i = 0;
	while (i < t->nfirst && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n'))
		i++;
	if (declared_binary && i < t->nfirst && (b[i] == '<' || b[i] == '{'))
		rule_report(out, SEV_INFO, "Content-Type says %.*s, but the content starts as text (%c)", SHOW(vl), v, b[i]);
}

void field_rules_init(void)
{
	fname_index_init(&no_trailer_ix, no_trailer, sizeof no_trailer / sizeof no_trailer[0]);
	fname_index_init(&list_fields_ix, list_fields, sizeof list_fields / sizeof list_fields[0]);
	fname_index_init(&request_only_ix, request_only, sizeof request_only / sizeof request_only[0]);
}
