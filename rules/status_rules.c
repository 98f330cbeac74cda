/* status_rules.c: the checks that need code: content where none may be, framing fields. */
#include "status_rules.h"

#include <inttypes.h>
#include <string.h>
#include <strings.h>

#include "fieldval.h"
#include "txn.h"

void check_body_forbidden(const struct txn *t, struct rule_out *out)
{
	int s = txn_status(t);
	/* 1xx, 204 and 304 end at their header block (RFC 9112 §6.3 rule 1);
	 * bytes where the next status line should be are content they carried
	 * (RFC 9110 §15.2, §15.3.5, §15.4.5).  A 101 is excluded: what follows
	 * it is the new protocol. */
	if ((t->flags & TXN_STRAY_CONTENT) && ((s >= 100 && s < 200 && s != 101) || s == 204 || s == 304)) {
		rule_report(out, SEV_ERROR, "%d response carries content after its header section", s);
		return;
	}
	/* 205 is framed normally, but RFC 9110 §15.3.6 says a server MUST NOT
	 * generate content in it. */
	if (s == 205 && t->resp_body > 0)
		rule_report(out, SEV_ERROR, "205 Reset Content carries %s%" PRIu64 " bytes of content",
			    t->flags & TXN_RESP_CUT ? "at least " : "", t->resp_body);
}

void check_head_body(const struct txn *t, struct rule_out *out)
{
	int s = txn_status(t);
	/* RFC 9110 §9.3.2: the server MUST NOT send content in the response
	 * to HEAD.  When the status forbids content too, body-forbidden
	 * already says so, and one finding is enough. */
	if (!txn_is_head(t) || !(t->flags & TXN_STRAY_CONTENT))
		return;
	if ((s >= 100 && s < 200) || s == 204 || s == 304)
		return;
	rule_report(out, SEV_ERROR, "response to HEAD carries content after its header section");
}

void check_cl_and_te(const struct txn *t, struct rule_out *out)
{
	/* RFC 9112 §6.2: a sender MUST NOT send Content-Length in a message
	 * that has Transfer-Encoding.  §6.3 rule 3: Transfer-Encoding wins,
	 * and such a message "ought to be handled as an error" since it can
	 * smuggle a message past a parser that frames it by Content-Length.
	 * wirelint frames it by Transfer-Encoding and goes on. */
	/* Transfer-Encoding first: it is the rarer, and most heads are passed over with one look. */
	if (t->resp && head_field(t->resp, "Transfer-Encoding") && head_field(t->resp, "Content-Length"))
		rule_report(out, SEV_ERROR, "response has both Content-Length and Transfer-Encoding");
	if (t->req && head_field(t->req, "Transfer-Encoding") && head_field(t->req, "Content-Length"))
		rule_report(out, SEV_ERROR, "request has both Content-Length and Transfer-Encoding");
}

void check_allow_lists_rejected_method(const struct txn *t, struct rule_out *out)
{
	/* RFC 9110 §15.5.6: 405 means the method is not supported by the
	 * target resource, and Allow lists the methods it does support: a
	 * 405 whose Allow names the refused method contradicts itself.
	 * Methods are case-sensitive (§9.1). */
	char m[64];
	if (txn_status(t) != 405 || !heads_whole(t) || !method_of(t, m, sizeof m))
		return;
	if (field_lists(t->resp, "Allow", m, strlen(m), false))
		rule_report(out, SEV_ERROR, "405 refuses %s, but its Allow header lists %s", m, m);
}

void check_unsolicited_101(const struct txn *t, struct rule_out *out)
{
	/* RFC 9110 §7.8: a server MUST NOT switch to a protocol the client
	 * did not list in its Upgrade request field. */
	if (txn_status(t) != 101 || !heads_whole(t))
		return;
	if (!head_field(t->req, "Upgrade")) {
		rule_report(out, SEV_ERROR, "101 Switching Protocols answers a request that asked for no Upgrade");
		return;
	}
	const struct hfield *f = head_field(t->resp, "Upgrade");
	if (!f)
		return; /* missing-upgrade says so */
	/* Each protocol the response names must have been offered. */
	const char *p = head_str(t->resp, f->value);
	uint32_t i = 0, st, l;
	while (list_next(p, f->value.len, &i, &st, &l)) {
		if (!field_lists(t->req, "Upgrade", p + st, l, true)) {
			rule_report(out, SEV_ERROR, "101 switches to %.*s, which the request did not offer in Upgrade",
				    (int)(l > 40 ? 40 : l), p + st);
			return;
		}
	}
}

void check_invalid_status(const struct txn *t, struct rule_out *out)
{
	/* RFC 9110 §15: status codes are 100-599; llhttp reads any three
	 * digits, so 000-099 and 600-999 reach here. */
	int s = txn_status(t);
	if (t->resp && !(t->flags & TXN_RESP_PARTIAL) && (s < 100 || s > 599))
		rule_report(out, SEV_ERROR, "status %03d is outside 100-599", s);
}

void check_unregistered_status(const struct txn *t, struct rule_out *out)
{
	/* The IANA HTTP Status Code Registry (RFC 9110 §16.2.1, and the RFCs
	 * that added 102, 103, 207, 208, 226, 421-425, 428, 429, 431, 451,
	 * 506-508, 510, 511).  A client treats an unknown code as x00 (§15). */
	static const short registered[] = { 100, 101, 102, 103, 200, 201, 202, 203, 204, 205, 206, 207, 208, 226,
					    300, 301, 302, 303, 304, 305, 306, 307, 308, 400, 401, 402, 403, 404,
					    405, 406, 407, 408, 409, 410, 411, 412, 413, 414, 415, 416, 417, 418,
					    421, 422, 423, 424, 425, 426, 428, 429, 431, 451, 500, 501, 502, 503,
					    504, 505, 506, 507, 508, 510, 511 };
	int s = txn_status(t);
	if (!t->resp || (t->flags & TXN_RESP_PARTIAL) || s < 100 || s > 599)
		return;
	for (size_t i = 0; i < sizeof registered / sizeof registered[0]; i++)
		if (registered[i] == s)
			return;
	rule_report(out, SEV_INFO, "status %d is not in the IANA registry; clients treat it as %d", s, s / 100 * 100);
}

void check_content_length_mismatch(const struct txn *t, struct rule_out *out)
{
	/* RFC 9112 §8: a message that closes before the Content-Length is
	 * reached is incomplete; RFC 9110 §8.6: a sender MUST NOT send a
	 * Content-Length that differs from the content it sends.  Bytes that
	 * follow a response framed by its length (or chunked) and that start
	 * no status line are content beyond what it announced.  A cut by a
	 * hole or by the end of the capture proves nothing, so only a FIN
	 * and stray bytes count. */
	if (!t->resp || (t->flags & TXN_BODILESS))
		return;
	if (t->flags & TXN_CLOSED_SHORT) {
		const struct hfield *f = head_field(t->resp, "Content-Length");
		rule_report(out, SEV_ERROR, "the server closed after %" PRIu64 " of the %.*s content bytes it announced",
			    t->resp_body, f ? (int)(f->value.len > 20 ? 20 : f->value.len) : 1,
			    f ? head_str(t->resp, f->value) : "?");
	} else if (t->flags & TXN_STRAY_CONTENT) {
		rule_report(out, SEV_ERROR, "bytes that start no status line follow this response: content beyond its %s",
			    head_field(t->resp, "Transfer-Encoding") ? "chunked framing" : "Content-Length");
	}
}

/* Whether entity-tag a[0..an) weakly equals b[0..bn) (RFC 9110 §8.8.3.2: W/ ignored). */
static bool etag_weak_eq(const char *a, uint32_t an, const char *b, uint32_t bn)
{
	if (an >= 2 && a[0] == 'W' && a[1] == '/') {
		a += 2;
		an -= 2;
	}
	if (bn >= 2 && b[0] == 'W' && b[1] == '/') {
		b += 2;
		bn -= 2;
	}
	return an == bn && an >= 2 && memcmp(a, b, an) == 0;
}

/*
 * Whether the request's If-None-Match matches the response's ETag: "*", or
 * a list element weakly equal to it (RFC 9110 §13.1.2).  -1 when either
 * field is missing (a "*" needs no ETag).
 */
static int inm_matches(const struct txn *t)
{
	const struct hfield *et = head_field(t->resp, "ETag");
	const struct http_head *q = t->req;
	int seen = 0;
	/* Every If-None-Match line: a list may be split over several. */
	for (uint32_t k = 0; k < q->nfields; k++) {
		const struct hfield *f = &q->fields[k];
		if (f->name.len != 13 || strncasecmp(head_str(q, f->name), "If-None-Match", 13) != 0)
			continue;
		seen = 1;
		const char *p = head_str(q, f->value);
		if (f->value.len == 1 && p[0] == '*')
			return 1;
		if (!et)
			continue;
		uint32_t i = 0, st, l;
		while (list_next(p, f->value.len, &i, &st, &l))
			if (etag_weak_eq(p + st, l, head_str(t->resp, et->value), et->value.len))
				return 1;
	}
	return seen && et ? 0 : -1;
}

static bool get_or_head(const struct txn *t)
{
	const struct http_head *q = t->req;
	const char *m = head_str(q, q->method_s);
	return (q->method_s.len == 3 && memcmp(m, "GET", 3) == 0) || (q->method_s.len == 4 && memcmp(m, "HEAD", 4) == 0);
}

void check_conditional_not_honored(const struct txn *t, struct rule_out *out)
{
	/* RFC 9110 §13.1.2: when If-None-Match matches on a GET or HEAD, the
	 * origin server MUST respond 304.  A 200 that carries the very ETag
	 * the client named sends the whole representation again. */
	if (txn_status(t) != 200 || !heads_whole(t) || !get_or_head(t))
		return;
	if (inm_matches(t) == 1)
		rule_report(out, SEV_ERROR, "200 sent although If-None-Match matches the ETag; 304 Not Modified was due");
}

void check_not_modified_etag_mismatch(const struct txn *t, struct rule_out *out)
{
	/* A 304 says the client's copy is current: its ETag should be one the
	 * client named (RFC 9110 §13.1.2, §15.4.5). */
	if (txn_status(t) != 304 || !heads_whole(t))
		return;
	if (inm_matches(t) == 0)
		rule_report(out, SEV_INFO, "304 carries an ETag that matches none of the request's If-None-Match");
}

void check_allow_excludes_method(const struct txn *t, struct rule_out *out)
{
	/* RFC 9110 §10.2.1: Allow lists the methods the resource supports; a
	 * 2xx to a method it leaves out contradicts it. */
	int s = txn_status(t);
	char m[64];
	if (s < 200 || s > 299 || !heads_whole(t) || !head_field(t->resp, "Allow") || !method_of(t, m, sizeof m))
		return;
	if (!field_lists(t->resp, "Allow", m, strlen(m), false))
		rule_report(out, SEV_INFO, "%d answers %s, but its Allow does not list %s", s, m, m);
}

void check_whitespace_before_colon(const struct txn *t, struct rule_out *out)
{
	/* RFC 9112 §5.1: "No whitespace is allowed between the field name and
	 * colon"; a server MUST reject such a request, and a proxy MUST strip
	 * the whitespace from a response.  llhttp keeps it in the name. */
	if (!t->resp || (t->flags & TXN_RESP_PARTIAL))
		return;
	const struct http_head *h = t->resp;
	for (uint32_t i = 0; i < h->nfields; i++) {
		const struct hfield *f = &h->fields[i];
		const char *n = head_str(h, f->name);
		if (f->name.len && (n[f->name.len - 1] == ' ' || n[f->name.len - 1] == '\t')) {
			uint32_t l = f->name.len;
			while (l && (n[l - 1] == ' ' || n[l - 1] == '\t'))
				l--;
			rule_report(out, SEV_ERROR, "whitespace between the field name %.*s and its colon",
				    (int)(l > 40 ? 40 : l), n);
			return;
		}
	}
}

void check_singleton_field_repeated(const struct txn *t, struct rule_out *out)
{
	/* RFC 9110 §5.3: a sender MUST NOT generate several field lines with
	 * the same name unless the field is defined as a list; these are not
	 * (Content-Length has its own rule, invalid-content-length). */
	static const struct fname singletons[] = {
		FNAME("Location"), FNAME("Date"), FNAME("Content-Type"), FNAME("ETag"),
		FNAME("Last-Modified"), FNAME("Retry-After"), FNAME("Content-Range"), FNAME("Age"),
		FNAME("Expires"), FNAME("Content-Location"),
	};
	if (!t->resp || (t->flags & TXN_RESP_PARTIAL))
		return;
	/* Fields of one name have one hash: when all hashes differ, no name
	 * repeats.  Pairs grow as the square: a long head is searched by name. */
	const struct http_head *h = t->resp;
	bool same_hash = h->nfields > 32;
	for (uint32_t i = 0; i < h->nfields && !same_hash; i++)
		for (uint32_t j = i + 1; j < h->nfields && !same_hash; j++)
			same_hash = h->fields[i].hash == h->fields[j].hash;
	if (!same_hash)
		return;
	for (size_t i = 0; i < sizeof singletons / sizeof singletons[0]; i++) {
		unsigned n = head_field_count_n(t->resp, singletons[i].s, singletons[i].n);
		if (n > 1) {
			rule_report(out, SEV_ERROR, "%s sent %u times; it takes one value", singletons[i].s, n);
			return;
		}
	}
}
