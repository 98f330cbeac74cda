/* fingerprint.c: what identifies a finding across runs. */
#include "fingerprint.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "endpoint.h"
#include "txn.h"

/* isdigit and isxdigit of the C locale, the program's (it never calls setlocale), without the table lookups. */
static bool is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static bool is_xdigit(unsigned char c)
{
	return is_digit(c) || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f');
}

static bool all_digits(const char *s, size_t n)
{
	if (!n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!is_digit((unsigned char)s[i]))
			return false;
	return true;
}

static bool uuid_like(const char *s, size_t n)
{
	if (n == 32) {
		for (size_t i = 0; i < n; i++)
			if (!is_xdigit((unsigned char)s[i]))
				return false;
		return true;
	}
	if (n != 36)
		return false;
	for (size_t i = 0; i < n; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;
		if (dash ? s[i] != '-' : !is_xdigit((unsigned char)s[i]))
			return false;
	}
	return true;
}

/* A byte as the parts show it: printable ASCII as it is, any other byte '?'. */
static char shown(unsigned char c)
{
	return c < 0x20 || c > 0x7e ? '?' : (char)c;
}

size_t fp_endpoint(const char *uri, size_t len, char *out, size_t n)
{
	size_t i = 0, o = 0;
	/* absolute-form: skip scheme and authority. */
	const char *sep = len > 3 ? memchr(uri, ':', len < 16 ? len : 16) : NULL;
	if (sep && (size_t)(sep - uri) + 2 < len && sep[1] == '/' && sep[2] == '/') {
		i = (size_t)(sep - uri) + 3;
		while (i < len && uri[i] != '/' && uri[i] != '?' && uri[i] != '#')
			i++;
	}
	/* The path ends at the first '?' or '#'.  memchr rather than a loop
	 * over the bytes: this runs for every transaction. */
	const char *q = memchr(uri + i, '?', len - i);
	size_t end = q ? (size_t)(q - uri) : len;
	const char *hash = memchr(uri + i, '#', end - i);
	if (hash)
		end = (size_t)(hash - uri);
	if (n == 0)
		return 0;
	if (i == end) {
		snprintf(out, n, "%s", len && uri[0] == '*' ? "*" : "/");
		return strlen(out);
	}
	/* One pass, segment by segment: each copied as it is read while it
	 * fits (o < n - 1), then written over with {id} when it is one. */
	while (i < end) {
		size_t s = i, os = o;
		for (; i < end && uri[i] != '/'; i++)
			if (o + 1 < n)
				out[o++] = shown((unsigned char)uri[i]);
		if (all_digits(uri + s, i - s) || uuid_like(uri + s, i - s)) {
			size_t c = 4 < n - 1 - os ? 4 : n - 1 - os;
			memcpy(out + os, "{id}", c);
			o = os + c;
		}
		if (i < end) {
			if (o + 1 < n)
				out[o++] = '/';
			i++;
		}
	}
	out[o] = 0;
	return o;
}

/*
 * Writes s up to len bytes or a NUL in it, cut to n - 1, each byte as
 * shown() has it and, with lower, ASCII capitals in lower case (the C
 * locale's tolower: the program never calls setlocale).  One loop rather
 * than snprintf and passes over the result: the fingerprint parts are
 * made for every transaction (the traffic tables) and every finding.
 */
static size_t copy_shown(char *out, size_t n, const char *s, size_t len, bool lower)
{
	if (!n)
		return 0;
	size_t o = 0;
	for (; o < len && o + 1 < n && s[o]; o++) {
		unsigned char c = (unsigned char)s[o];
		out[o] = lower && c >= 'A' && c <= 'Z' ? (char)(c + 32) : shown(c);
	}
	out[o] = 0;
	return o;
}

size_t fp_server(const struct txn *t, char *out, size_t n)
{
	uint32_t hl = 0;
	const char *h = txn_host(t, &hl);
	if (h && hl) {
		if (hl > 3 && memcmp(h + hl - 3, ":80", 3) == 0)
			hl -= 3;
		return copy_shown(out, n, h, hl, true);
	}
	/* The server's address, without its port. */
	const char *s = t->ep ? t->ep->server : "";
	const char *colon = strrchr(s, ':');
	size_t l = colon ? (size_t)(colon - s) : strlen(s);
	return copy_shown(out, n, s, l, false);
}

void fp_parts_of(const struct txn *t, const char *rule, struct fp_parts *p)
{
	/* Wire bytes: kept printable, so they go into JSON and XML as they are. */
	p->rule = rule;
	p->server_len = (uint16_t)fp_server(t, p->server, sizeof p->server);
	p->method[0] = p->endpoint[0] = 0;
	p->method_len = p->endpoint_len = 0;
	if (t->req) {
		p->method_len = (uint16_t)copy_shown(p->method, sizeof p->method, head_str(t->req, t->req->method_s),
						     t->req->method_s.len, false);
		p->endpoint_len = (uint16_t)fp_endpoint(head_str(t->req, t->req->uri), t->req->uri.len, p->endpoint,
							sizeof p->endpoint);
	}
	p->status = t->resp ? t->resp->status : 0;
}

static uint64_t fnv1a(uint64_t h, const void *data, size_t n)
{
	const unsigned char *d = data;
	for (size_t i = 0; i < n; i++) {
		h ^= d[i];
		h *= 1099511628211ull;
	}
	return h;
}

void fp_hash(const struct fp_parts *p, char out[17])
{
	uint64_t h = 14695981039346656037ull;
	const char *parts[] = { p->rule, p->server, p->method, p->endpoint };
	for (size_t i = 0; i < 4; i++)
		h = fnv1a(h, parts[i], strlen(parts[i]) + 1); /* the NUL separates */
	char st[8];
	snprintf(st, sizeof st, "%d", p->status);
	h = fnv1a(h, st, strlen(st));
	snprintf(out, 17, "%016llx", (unsigned long long)h);
}
