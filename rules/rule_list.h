/* rule_list.h: the one list of rules; it feeds the engine, --list-rules and the docs check. */
#ifndef WL_RULE_LIST_H
#define WL_RULE_LIST_H

/*
 * X(NAME, "id", default severity, needs the request, check, "summary", "reference")
 *
 * These are the rules that need code: framing, parsing, TCP.  The rules of
 * the shape "status S requires field H" are in rules/builtin.yaml.
 * Ids are stable: never renamed, never reused.  check is the function that
 * judges one transaction (rules/status_rules.c), or NULL for a rule that
 * the pipeline raises itself (a parse error).  Each id has a page
 * docs/rules/<id>.md; a test keeps the list and the pages in step.
 */
#define RULE_LIST(X)                                                                               \
	X(BODY_FORBIDDEN, "body-forbidden", SEV_ERROR, 0, check_body_forbidden,                    \
	  "content on a 1xx, 204, 205 or 304 response",                                              \
	  "RFC 9110 §15.2, §15.3.5, §15.3.6, §15.4.5; RFC 9112 §6.3")                              \
	X(HEAD_BODY, "head-body", SEV_ERROR, 1, check_head_body, "content on a response to HEAD",  \
	  "RFC 9110 §9.3.2; RFC 9112 §6.3")                                                        \
	X(MALFORMED_RESPONSE, "malformed-response", SEV_ERROR, 0, NULL,                            \
	  "a response that does not parse as HTTP/1.x", "RFC 9112 §2, §4, §5, §6, §7")             \
	X(MALFORMED_REQUEST, "malformed-request", SEV_WARNING, 0, NULL,                            \
	  "a request that does not parse as HTTP/1.x", "RFC 9112 §2, §3, §5, §6, §7")               \
	X(CL_AND_TE, "cl-and-te", SEV_ERROR, 0, check_cl_and_te,                                   \
	  "a message with both Content-Length and Transfer-Encoding", "RFC 9112 §6.2, §6.3")      \
	X(TCP_OVERLAP_MISMATCH, "tcp-overlap-mismatch", SEV_INFO, 0, NULL,                         \
	  "retransmitted TCP bytes that differ from the first copy (a possible evasion)",           \
	  "RFC 9293 §3.10.7.4; RFC 9112 §11.2")                                                    \
	X(ALLOW_LISTS_REJECTED_METHOD, "allow-lists-rejected-method", SEV_ERROR, 1,                \
	  check_allow_lists_rejected_method, "a 405 whose Allow names the very method it refused",  \
	  "RFC 9110 §15.5.6, §10.2.1")                                                             \
	X(UNSOLICITED_101, "unsolicited-101", SEV_ERROR, 1, check_unsolicited_101,                 \
	  "101 Switching Protocols to a request with no Upgrade, or to a protocol it did not offer", \
	  "RFC 9110 §7.8, §15.2.2")                                                                \
	X(INVALID_STATUS, "invalid-status", SEV_ERROR, 0, check_invalid_status,                    \
	  "a status code outside 100-599", "RFC 9110 §15; RFC 9112 §4")                            \
	X(UNREGISTERED_STATUS, "unregistered-status", SEV_INFO, 0, check_unregistered_status,      \
	  "a status code in 100-599 that is not in the IANA registry (449, 509, 599)",              \
	  "RFC 9110 §15, §16.2.1")                                                                 \
	X(CONTENT_LENGTH_MISMATCH, "content-length-mismatch", SEV_ERROR, 0,                        \
	  check_content_length_mismatch,                                                             \
	  "content shorter than Content-Length (the server closed first) or longer than its framing", \
	  "RFC 9112 §6.2, §6.3, §8; RFC 9110 §8.6")                                                \
	X(REDIRECT_LOOP, "redirect-loop", SEV_WARNING, 1, NULL,                                    \
	  "a client's chain of redirects comes back to a URL already in it (A -> B -> A)",          \
	  "RFC 9110 §15.4")                                                                        \
	X(REDIRECT_CHAIN_TOO_LONG, "redirect-chain-too-long", SEV_WARNING, 1, NULL,                \
	  "a client follows more than 5 redirects in a row", "RFC 9110 §15.4")                     \
	X(INVALID_CONTENT_LENGTH, "invalid-content-length", SEV_ERROR, 0, NULL,                    \
	  "a response whose Content-Length is not digits, overflows, or is repeated",              \
	  "RFC 9110 §8.6; RFC 9112 §6.3")                                                          \
	X(DUPLICATE_100_CONTINUE, "duplicate-100-continue", SEV_INFO, 0, NULL,                     \
	  "more than one 100 Continue for one request", "RFC 9110 §15.2.1")                        \
	X(RESPONSE_WITHOUT_REQUEST, "response-without-request", SEV_ERROR, 0, NULL,                \
	  "a response on a connection whose start was captured, with no request waiting",          \
	  "RFC 9112 §9.3.2")                                                                       \
	X(DATA_AFTER_CLOSE, "data-after-close", SEV_ERROR, 0, NULL,                                \
	  "a response after one that said the connection closes", "RFC 9112 §9.6")                \
	X(REQUEST_WITHOUT_RESPONSE, "request-without-response", SEV_INFO, 1, NULL,                 \
	  "the server closed the connection without answering a request", "RFC 9112 §9.3, §9.6")   \
	X(CONDITIONAL_NOT_HONORED, "conditional-not-honored", SEV_ERROR, 1, check_conditional_not_honored, \
	  "200 to a GET or HEAD whose If-None-Match matches the response's ETag (304 was due)",     \
	  "RFC 9110 §13.1.2, §13.2.2")                                                             \
	X(NOT_MODIFIED_ETAG_MISMATCH, "not-modified-etag-mismatch", SEV_INFO, 1,                   \
	  check_not_modified_etag_mismatch, "304 whose ETag matches none of the request's If-None-Match", \
	  "RFC 9110 §13.1.2, §15.4.5")                                                             \
	X(ALLOW_EXCLUDES_METHOD, "allow-excludes-method", SEV_INFO, 1, check_allow_excludes_method, \
	  "a 2xx whose Allow omits the method it just served", "RFC 9110 §10.2.1")                  \
	X(HTTP_VERSION_INVALID, "http-version-invalid", SEV_ERROR, 0, NULL,                        \
	  "a status line whose HTTP version is not HTTP/1.0 or HTTP/1.1", "RFC 9112 §2.3, §4")      \
	X(STATUS_LINE_MALFORMED, "status-line-malformed", SEV_ERROR, 0, NULL,                      \
	  "bytes where a status line should start that do not start with HTTP/", "RFC 9112 §4")    \
	X(CHUNK_SIZE_INVALID, "chunk-size-invalid", SEV_ERROR, 0, NULL,                            \
	  "a chunk size that is not hexadecimal digits", "RFC 9112 §7.1")                          \
	X(WHITESPACE_AFTER_START_LINE, "whitespace-after-start-line", SEV_ERROR, 0, NULL,          \
	  "whitespace between the status line and the first field (or a folded first field)",       \
	  "RFC 9112 §2.2")                                                                         \
	X(FIELD_VALUE_CTL, "field-value-ctl", SEV_ERROR, 0, NULL,                                  \
	  "a control character in a field value (a bare LF ending a field line included)",          \
	  "RFC 9110 §5.5; RFC 9112 §2.2")                                                          \
	X(WHITESPACE_BEFORE_COLON, "whitespace-before-colon", SEV_ERROR, 0, check_whitespace_before_colon, \
	  "whitespace between a field name and its colon", "RFC 9112 §5.1")                        \
	X(SINGLETON_FIELD_REPEATED, "singleton-field-repeated", SEV_ERROR, 0,                      \
	  check_singleton_field_repeated,                                                            \
	  "a field that takes one value (Location, Date, Content-Type, ETag...) sent twice",        \
	  "RFC 9110 §5.3")

#endif
