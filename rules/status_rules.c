/* status_rules.c: checks that a response carries what its status code requires. */
#include "status_rules.h"

#include <inttypes.h>

#include "txn.h"

/*
 * A head cut short (by a hole, the connection closing, a parse error or a
 * cap) may have lost the very field a rule looks for, so the field rules
 * judge only heads that were read whole.
 */
static bool head_complete(const struct txn *t)
{
	return t->resp && !t->resp->truncated && !(t->flags & TXN_RESP_PARTIAL);
}

static bool lacks(const struct txn *t, const char *field)
{
	return head_complete(t) && !head_field(t->resp, field);
}

void check_missing_location(const struct txn *t, struct rule_out *out)
{
	int s = txn_status(t);
	/* RFC 9110 §15.3.2: a 201 SHOULD send Location (else the target URI
	 * identifies the new resource) — a warning.  §15.4.2-§15.4.9: the
	 * redirects 301, 302, 303, 307 and 308 exist to name the new URI in
	 * Location; without it a client cannot follow — an error. */
	switch (s) {
	case 201:
		if (lacks(t, "Location"))
			rule_report(out, SEV_WARNING, "201 Created has no Location header naming the new resource");
		break;
	case 301:
	case 302:
	case 303:
	case 307:
	case 308:
		if (lacks(t, "Location"))
			rule_report(out, SEV_ERROR, "%d redirect has no Location header", s);
		break;
	default:
		break;
	}
}

void check_missing_allow(const struct txn *t, struct rule_out *out)
{
	/* RFC 9110 §15.5.6: the origin server MUST generate an Allow header
	 * field in a 405 response (an empty Allow is valid: no methods). */
	if (txn_status(t) == 405 && lacks(t, "Allow"))
		rule_report(out, SEV_ERROR, "405 Method Not Allowed has no Allow header listing the allowed methods");
}

void check_missing_www_authenticate(const struct txn *t, struct rule_out *out)
{
	/* RFC 9110 §15.5.2: the server generating a 401 MUST send a
	 * WWW-Authenticate header field with at least one challenge. */
	if (txn_status(t) == 401 && lacks(t, "WWW-Authenticate"))
		rule_report(out, SEV_ERROR, "401 Unauthorized has no WWW-Authenticate challenge");
}

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

void check_missing_retry_after(const struct txn *t, struct rule_out *out)
{
	/* RFC 9110 §15.6.4: the server MAY send Retry-After with a 503; the
	 * seed write-ups ask for it (MDN: should), and without it clients
	 * cannot pace their retries — a warning. */
	if (txn_status(t) == 503 && lacks(t, "Retry-After"))
		rule_report(out, SEV_WARNING, "503 Service Unavailable has no Retry-After header");
}

void check_cl_and_te(const struct txn *t, struct rule_out *out)
{
	/* RFC 9112 §6.2: a sender MUST NOT send Content-Length in a message
	 * that has Transfer-Encoding.  §6.3 rule 3: Transfer-Encoding wins,
	 * and such a message "ought to be handled as an error" since it can
	 * smuggle a message past a parser that frames it by Content-Length.
	 * wirelint frames it by Transfer-Encoding and goes on. */
	if (t->resp && head_field(t->resp, "Content-Length") && head_field(t->resp, "Transfer-Encoding"))
		rule_report(out, SEV_ERROR, "response has both Content-Length and Transfer-Encoding");
	if (t->req && head_field(t->req, "Content-Length") && head_field(t->req, "Transfer-Encoding"))
		rule_report(out, SEV_ERROR, "request has both Content-Length and Transfer-Encoding");
}
