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
	X(REDIRECT_METHOD_CHANGED, "redirect-method-changed", SEV_ERROR, 1, NULL,                  \
	  "a client that follows a 307 or 308 with another method than the one redirected",          \
	  "RFC 9110 §15.4.8, §15.4.9")                                                             \
	X(REDIRECT_METHOD_303, "redirect-method-303", SEV_INFO, 1, NULL,                           \
	  "a client that follows a 303 with a method other than GET or HEAD, or rewrites POST to GET after 301/302", \
	  "RFC 9110 §15.4.2, §15.4.3, §15.4.4")                                                    \
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
	  "RFC 9110 §5.3")	\
	X(OBS_FOLD, "obs-fold", SEV_ERROR, 0, check_obs_fold,	\
	  "a field value folded onto a continuation line (obs-fold)",	\
	  "RFC 9112 §5.2") \
	X(CHUNK_EXTENSION, "chunk-extension", SEV_INFO, 0, check_chunk_extension,	\
	  "chunked content with a chunk extension",	\
	  "RFC 9112 §7.1.1") \
	X(TRAILER_FORBIDDEN_FIELD, "trailer-forbidden-field", SEV_ERROR, 0, check_trailer_forbidden_field,	\
	  "a trailer field that must be in the header section (Content-Length, Content-Type, Cache-Control...)",	\
	  "RFC 9110 §6.5.1; RFC 9112 §7.1.2") \
	X(TRAILER_INCONSISTENT, "trailer-inconsistent", SEV_INFO, 0, check_trailer_inconsistent,	\
	  "a trailer field not announced in Trailer, or Trailer on a response that is not chunked",	\
	  "RFC 9110 §6.6.2; RFC 9112 §7.1.2") \
	X(FIELD_NAME_INVALID, "field-name-invalid", SEV_ERROR, 0, check_field_name_invalid,	\
	  "a field name that is not a token (a space inside it)",	\
	  "RFC 9110 §5.1; RFC 9112 §5") \
	X(FIELD_VALUE_NON_ASCII, "field-value-non-ascii", SEV_INFO, 0, check_field_value_non_ascii,	\
	  "non-ASCII bytes (obs-text) in a field value",	\
	  "RFC 9110 §5.5") \
	X(FIELD_TOO_LARGE, "field-too-large", SEV_INFO, 0, check_field_too_large,	\
	  "a field line over 8 KiB, or a header section over 32 KiB",	\
	  "RFC 9110 §5.4") \
	X(FIELD_COUNT_EXCESSIVE, "field-count-excessive", SEV_INFO, 0, check_field_count_excessive,	\
	  "more than 100 field lines in a response",	\
	  "RFC 9110 §5.4") \
	X(LIST_EMPTY_ELEMENT, "list-empty-element", SEV_ERROR, 0, check_list_empty_element,	\
	  "an empty element in a list field (Allow: GET,,HEAD or a trailing comma)",	\
	  "RFC 9110 §5.6.1.1") \
	X(REQUEST_FIELD_IN_RESPONSE, "request-field-in-response", SEV_INFO, 0, check_request_field_in_response,	\
	  "a request-only field (Host, Range, If-*, User-Agent...) in a response",	\
	  "RFC 9110 §7.2, §10.1, §13.1, §14.2") \
	X(TE_CHUNKED_TWICE, "te-chunked-twice", SEV_ERROR, 0, check_te_chunked_twice,	\
	  "Transfer-Encoding that applies chunked more than once",	\
	  "RFC 9112 §6.1") \
	X(TE_INVALID, "te-invalid", SEV_ERROR, 0, check_te_invalid,	\
	  "a Transfer-Encoding coding that is not registered (or does not parse)",	\
	  "RFC 9112 §6.1, §7") \
	X(CLOSE_DELIMITED, "close-delimited", SEV_INFO, 0, check_close_delimited,	\
	  "content that ends only when the connection closes (no Content-Length, not chunked)",	\
	  "RFC 9112 §6.3") \
	X(CLOSE_DELIMITED_WITHOUT_CLOSE, "close-delimited-without-close", SEV_INFO, 0, check_close_delimited_without_close,	\
	  "HTTP/1.1 content delimited by the close without Connection: close",	\
	  "RFC 9112 §6.3, §9.6") \
	X(CONTENT_TYPE_INVALID, "content-type-invalid", SEV_ERROR, 0, check_content_type_invalid,	\
	  "a Content-Type that is not a media type (type/subtype; parameters)",	\
	  "RFC 9110 §8.3, §8.3.1") \
	X(REASON_PHRASE_INVALID, "reason-phrase-invalid", SEV_ERROR, 0, check_reason_phrase_invalid,	\
	  "a reason phrase with control characters (or, as info, non-ASCII bytes)",	\
	  "RFC 9112 §4") \
	X(REASON_PHRASE_MISMATCH, "reason-phrase-mismatch", SEV_INFO, 0, check_reason_phrase_mismatch,	\
	  "a reason phrase that is another code's (200 Not Found)",	\
	  "RFC 9112 §4; RFC 9110 §15") \
	X(LAST_MODIFIED_AFTER_DATE, "last-modified-after-date", SEV_ERROR, 0, check_last_modified_after_date,	\
	  "Last-Modified later than the response's Date",	\
	  "RFC 9110 §8.8.2.1") \
	X(RETRY_AFTER_IMPLAUSIBLE, "retry-after-implausible", SEV_INFO, 0, check_retry_after_implausible,	\
	  "Retry-After before the response's Date, or more than a week away",	\
	  "RFC 9110 §10.2.3") \
	X(CONTENT_LENGTH_RANGE_MISMATCH, "content-length-range-mismatch", SEV_ERROR, 0, check_content_length_range_mismatch,	\
	  "a 206 whose Content-Length differs from its Content-Range span",	\
	  "RFC 9110 §14.4, §8.6") \
	X(TE_UNREQUESTED, "te-unrequested", SEV_INFO, 1, check_te_unrequested,	\
	  "a transfer coding other than chunked that the request's TE did not offer",	\
	  "RFC 9110 §10.1.4; RFC 9112 §6.1") \
	X(CONTENT_ENCODING_UNREQUESTED, "content-encoding-unrequested", SEV_INFO, 1, check_content_encoding_unrequested,	\
	  "a content coding the request's Accept-Encoding does not accept",	\
	  "RFC 9110 §12.5.3, §8.4") \
	X(VIA_MISSING, "via-missing", SEV_WARNING, 1, check_via_missing,	\
	  "a response to an absolute-form (proxy) request without Via",	\
	  "RFC 9110 §7.6.3; RFC 9112 §3.2.2") \
	X(CONTENT_LOCATION_REDUNDANT, "content-location-redundant", SEV_INFO, 1, check_content_location_redundant,	\
	  "a 2xx whose Content-Location repeats the request's URI",	\
	  "RFC 9110 §8.7") \
	X(DELETE_CONTENT_LOCATION, "delete-content-location", SEV_INFO, 1, check_delete_content_location,	\
	  "a 2xx to DELETE whose Content-Location names the deleted resource",	\
	  "RFC 9110 §8.7, §9.3.5") \
	X(VERSION_NOT_SUPPORTED_SAME_VERSION, "version-not-supported-same-version", SEV_INFO, 1, check_version_not_supported_same_version,	\
	  "505 in the very HTTP version it says is not supported",	\
	  "RFC 9110 §15.6.6") \
	X(UPGRADE_WITHOUT_CONTINUE, "upgrade-without-continue", SEV_ERROR, 1, check_upgrade_without_continue,	\
	  "101 to a request with Upgrade and Expect: 100-continue, without a 100 first",	\
	  "RFC 9110 §7.8") \
	X(PARTIAL_IF_RANGE_MISMATCH, "partial-if-range-mismatch", SEV_ERROR, 1, check_partial_if_range_mismatch,	\
	  "206 although If-Range's entity-tag does not match the ETag",	\
	  "RFC 9110 §13.1.5") \
	X(REDIRECT_TO_SELF, "redirect-to-self", SEV_INFO, 1, check_redirect_to_self,	\
	  "a redirect of a GET to the very URL requested",	\
	  "RFC 9110 §15.4") \
	X(REDIRECT_OPTIONS_ASTERISK, "redirect-options-asterisk", SEV_INFO, 1, check_redirect_options_asterisk,	\
	  "a redirect in answer to OPTIONS *",	\
	  "RFC 9110 §9.3.7") \
	X(PAYLOAD_TOO_LARGE_WITHOUT_BODY, "payload-too-large-without-body", SEV_INFO, 1, check_payload_too_large_without_body,	\
	  "413 to a request that had no content",	\
	  "RFC 9110 §15.5.14") \
	X(UNSUPPORTED_MEDIA_TYPE_WITHOUT_BODY, "unsupported-media-type-without-body", SEV_INFO, 1, check_unsupported_media_type_without_body,	\
	  "415 to a request that had no content",	\
	  "RFC 9110 §15.5.16") \
	X(CONDITIONAL_IMS_NOT_HONORED, "conditional-ims-not-honored", SEV_INFO, 1, check_conditional_ims_not_honored,	\
	  "200 to a GET whose If-Modified-Since is not before Last-Modified",	\
	  "RFC 9110 §13.1.3, §13.2.2") \
	X(NOT_MODIFIED_METADATA_MISMATCH, "not-modified-metadata-mismatch", SEV_ERROR, 1, NULL,	\
	  "a 304 without a field (ETag, Vary, Cache-Control, Expires, Content-Location) the 200 for the same URL sent",	\
	  "RFC 9110 §15.4.5") \
	X(NOT_MODIFIED_LENGTH_MISMATCH, "not-modified-length-mismatch", SEV_ERROR, 1, NULL,	\
	  "a 304 whose Content-Length differs from the 200's content for the same URL",	\
	  "RFC 9110 §8.6, §15.4.5") \
	X(PARTIAL_METADATA_MISMATCH, "partial-metadata-mismatch", SEV_ERROR, 1, NULL,	\
	  "a 206 without a field (ETag, Vary, Cache-Control, Expires, Content-Location) the 200 for the same URL sent",	\
	  "RFC 9110 §15.3.7") \
	X(HEAD_GET_LENGTH_MISMATCH, "head-get-length-mismatch", SEV_ERROR, 1, NULL,	\
	  "a HEAD whose Content-Length differs from the GET content of the same representation",	\
	  "RFC 9110 §8.6, §9.3.2") \
	X(HEAD_GET_HEADER_MISMATCH, "head-get-header-mismatch", SEV_WARNING, 1, NULL,	\
	  "a HEAD without a field (Content-Type, ETag, Cache-Control...) GET of the same representation sent",	\
	  "RFC 9110 §9.3.2") \
	X(STRONG_ETAG_REUSED, "strong-etag-reused", SEV_ERROR, 1, NULL,	\
	  "the same strong ETag for the same URL with content of another length",	\
	  "RFC 9110 §8.8.1, §8.8.3") \
	X(VALIDATOR_REGRESSION, "validator-regression", SEV_INFO, 1, NULL,	\
	  "Last-Modified earlier than one sent before for the same URL",	\
	  "RFC 9110 §8.8.2") \
	X(ALLOW_INCONSISTENT, "allow-inconsistent", SEV_INFO, 1, NULL,	\
	  "the same URL advertises different Allow sets over time",	\
	  "RFC 9110 §10.2.1") \
	X(ALLOW_VS_OBSERVED, "allow-vs-observed", SEV_INFO, 1, NULL,	\
	  "a 405 for a method the same URL answered with a 2xx before",	\
	  "RFC 9110 §15.5.6") \
	X(NOT_IMPLEMENTED_VS_NOT_ALLOWED, "not-implemented-vs-not-allowed", SEV_INFO, 1, NULL,	\
	  "a 501 for a method the same server handles elsewhere (405 is meant)",	\
	  "RFC 9110 §15.6.2, §15.5.6") \
	X(LOCATION_DANGLING, "location-dangling", SEV_INFO, 1, NULL,	\
	  "a URL named by an earlier 201 or redirect that answers 404 or 410",	\
	  "RFC 9110 §10.2.2, §15.3.2") \
	X(RETRY_AFTER_IGNORED, "retry-after-ignored", SEV_INFO, 1, NULL,	\
	  "a client asking again for a URL before the Retry-After of its 429, 503 or 413",	\
	  "RFC 9110 §10.2.3; RFC 6585 §4") \
	X(AUTH_RETRY_LOOP, "auth-retry-loop", SEV_INFO, 1, NULL,	\
	  "three 401s in a row to a client's requests with credentials for one URL",	\
	  "RFC 9110 §11.6.1, §15.5.2") \
	X(REDIRECT_URI_GROWTH, "redirect-uri-growth", SEV_INFO, 1, NULL,	\
	  "a chain of redirects that ends in 414 URI Too Long",	\
	  "RFC 9110 §15.5.15, §15.4") \
	X(DATE_SKEW, "date-skew", SEV_INFO, 0, check_date_skew,	\
	  "a Date more than 5 minutes from the capture's clock (opt-in)",	\
	  "RFC 9110 §6.6.1") \
	X(HTTP_VERSION_CHANGED, "http-version-changed", SEV_INFO, 0, NULL,	\
	  "responses of one connection in different HTTP versions",	\
	  "RFC 9112 §2.3; RFC 9110 §2.5") \
	X(EXCESSIVE_PIPELINING, "excessive-pipelining", SEV_INFO, 0, NULL,	\
	  "more than 16 requests waiting for their responses on one connection",	\
	  "RFC 9112 §9.3.2") \
	X(UPGRADE_REQUIRED_ALREADY_OFFERED, "upgrade-required-already-offered", SEV_INFO, 1,	\
	  check_upgrade_required_already_offered,	\
	  "426 Upgrade Required naming a protocol the request already offered",	\
	  "RFC 9110 §15.5.22, §7.8") \
	X(MULTIPART_BOUNDARY_INVALID, "multipart-boundary-invalid", SEV_ERROR, 0, check_multipart_boundary_invalid, \
	  "a multipart/byteranges 206 without a boundary parameter, or whose content has no delimiter", \
	  "RFC 9110 §14.6; RFC 2046 §5.1.1")	\
	X(MULTIPART_PART_MISSING_CONTENT_RANGE, "multipart-part-missing-content-range", SEV_ERROR, 0,	\
	  check_multipart_part_missing_content_range,	\
	  "a part of multipart/byteranges content without Content-Range", "RFC 9110 §14.6")	\
	X(MULTIPART_PART_MISSING_CONTENT_TYPE, "multipart-part-missing-content-type", SEV_WARNING, 0,	\
	  check_multipart_part_missing_content_type,	\
	  "a part of multipart/byteranges content without Content-Type", "RFC 9110 §14.6") \
	X(CONTENT_ENCODING_INVALID, "content-encoding-invalid", SEV_ERROR, 0, check_content_encoding_invalid, \
	  "a 200 whose content does not start as its Content-Encoding says (gzip, zstd, deflate)", \
	  "RFC 9110 §8.4.1; RFC 1950, 1952, 8878")	\
	X(CONTENT_TYPE_MISMATCH, "content-type-mismatch", SEV_INFO, 0, check_content_type_mismatch, \
	  "a 200 whose content starts with another format's signature than its Content-Type", \
	  "RFC 9110 §8.3") \
	X(UPGRADE_FAILED, "upgrade-failed", SEV_WARNING, 1, check_upgrade_failed,	\
	  "after 101 the server's first bytes are not the new protocol (an HTTP status line, no WebSocket frame, no h2c SETTINGS)", \
	  "RFC 9110 §7.8; RFC 6455 §5.2; RFC 9113 §3.4")

#endif
