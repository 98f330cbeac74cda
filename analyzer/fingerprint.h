/* fingerprint.h: what identifies a finding across runs: its rule, server, method, endpoint and status. */
#ifndef WL_FINGERPRINT_H
#define WL_FINGERPRINT_H

#include <stddef.h>
#include <stdint.h>

struct txn;

/*
 * The endpoint of a request target: its path, without query or fragment
 * (and without scheme and authority in absolute-form), with every segment
 * that is a number or looks like a UUID (8-4-4-4-12 hex digits, or 32 hex
 * digits) written {id}: "/users/42/orders?x=1" is "/users/{id}/orders".
 * Bytes outside printable ASCII are written '?'.  Cut to fit out (n
 * bytes, NUL included).
 */
size_t fp_endpoint(const char *uri, size_t len, char *out, size_t n); /* returns strlen(out) */

/*
 * The server a transaction went to: its Host, lower-cased, without :80; or
 * the server's address.  Bytes outside printable ASCII are written '?'.
 */
size_t fp_server(const struct txn *t, char *out, size_t n); /* returns strlen(out) */

/* The parts of a finding's fingerprint. */
struct fp_parts {
	const char *rule;
	char server[128];
	char method[24];
	char endpoint[256];
	int status;               /* 0: none */
	uint16_t server_len, method_len, endpoint_len; /* strlen of each, set by fp_parts_of */
};

/* The parts for a finding of rule on t; bytes outside printable ASCII are written '?'. */
void fp_parts_of(const struct txn *t, const char *rule, struct fp_parts *p);

/*
 * The fingerprint: 16 hex digits of a 64-bit FNV-1a hash over the parts.
 * It does not depend on time, ports, order or the capture file, so the
 * same fault seen in another run has the same fingerprint.
 */
void fp_hash(const struct fp_parts *p, char out[17]);

#endif
