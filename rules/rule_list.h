/* rule_list.h: the one list of rules; it feeds the engine, --list-rules and the docs check. */
#ifndef WL_RULE_LIST_H
#define WL_RULE_LIST_H

/*
 * X(NAME, "id", default severity, needs the request, check, "summary", "reference")
 *
 * Ids are stable: never renamed, never reused.  check is the function that
 * judges one transaction (rules/status_rules.c), or NULL for a rule that
 * the pipeline raises itself (a parse error).  Each id has a page
 * docs/rules/<id>.md; a test keeps the list and the pages in step.
 * Append new rules at the end so the numbering of the others stays put.
 */
#define RULE_LIST(X)                                                                               \
	X(MISSING_LOCATION, "missing-location", SEV_ERROR, 0, check_missing_location,              \
	  "201 or redirect (301, 302, 303, 307, 308) without a Location header",                   \
	  "RFC 9110 §10.2.2, §15.3.2, §15.4")                                                      \
	X(MISSING_ALLOW, "missing-allow", SEV_ERROR, 0, check_missing_allow,                       \
	  "405 Method Not Allowed without an Allow header", "RFC 9110 §15.5.6, §10.2.1")           \
	X(MISSING_WWW_AUTHENTICATE, "missing-www-authenticate", SEV_ERROR, 0,                      \
	  check_missing_www_authenticate, "401 Unauthorized without a WWW-Authenticate header",      \
	  "RFC 9110 §15.5.2, §11.6.1")                                                             \
	X(BODY_FORBIDDEN, "body-forbidden", SEV_ERROR, 0, check_body_forbidden,                    \
	  "content on a 1xx, 204, 205 or 304 response",                                              \
	  "RFC 9110 §15.2, §15.3.5, §15.3.6, §15.4.5; RFC 9112 §6.3")                              \
	X(HEAD_BODY, "head-body", SEV_ERROR, 1, check_head_body, "content on a response to HEAD",  \
	  "RFC 9110 §9.3.2; RFC 9112 §6.3")                                                        \
	X(MISSING_RETRY_AFTER, "missing-retry-after", SEV_WARNING, 0, check_missing_retry_after,   \
	  "503 Service Unavailable without a Retry-After header", "RFC 9110 §15.6.4, §10.2.3")     \
	X(MALFORMED_RESPONSE, "malformed-response", SEV_ERROR, 0, NULL,                            \
	  "a response that does not parse as HTTP/1.x", "RFC 9112 §2, §4, §5, §6, §7")             \
	X(MALFORMED_REQUEST, "malformed-request", SEV_WARNING, 0, NULL,                            \
	  "a request that does not parse as HTTP/1.x", "RFC 9112 §2, §3, §5, §6, §7")               \
	X(CL_AND_TE, "cl-and-te", SEV_ERROR, 0, check_cl_and_te,                                   \
	  "a message with both Content-Length and Transfer-Encoding", "RFC 9112 §6.2, §6.3")      \
	X(TCP_OVERLAP_MISMATCH, "tcp-overlap-mismatch", SEV_INFO, 0, NULL,                         \
	  "retransmitted TCP bytes that differ from the first copy (a possible evasion)",           \
	  "RFC 9293 §3.10.7.4; RFC 9112 §11.2")

#endif
