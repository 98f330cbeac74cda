/* fingerprint.c: what identifies a finding across runs. */
#include "fingerprint.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

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

void fp_endpoint(const char *uri, size_t len, char *out, size_t n)
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
		return;
	if (i == end) {
		snprintf(out, n, "%s", len && uri[0] == '*' ? "*" : "/");
		return;
	}
	while (i < end) {
		size_t s = i;
		const char *slash = memchr(uri + i, '/', end - i);
		i = slash ? (size_t)(slash - uri) : end;
		const char *seg = uri + s;
		size_t sl = i - s;
		const char *put = seg;
		size_t pl = sl;
		if (all_digits(seg, sl) || uuid_like(seg, sl)) {
			put = "{id}";
			pl = 4;
		}
		/* Cut to fit: o < n holds here, so the room is n - 1 - o. */
		size_t c = pl < n - 1 - o ? pl : n - 1 - o;
		memcpy(out + o, put, c);
		o += c;
		if (i < end && o + 1 < n)
			out[o++] = '/';
		if (i < end)
			i++;
	}
	out[o] = 0;
}

/*
 * Writes the bytes that snprintf(out, n, "%.*s", len, s) would: s up to
 * len bytes or a NUL in it, cut to n - 1.  With memcpy: the fingerprint
 * parts are made for every transaction (the traffic tables) and every
 * finding, and snprintf's format parsing was most of their cost.
 */
static void copy_printed(char *out, size_t n, const char *s, size_t len)
{
	if (!n)
		return;
	const char *z = memchr(s, 0, len);
	size_t l = z ? (size_t)(z - s) : len;
	if (l > n - 1)
		l = n - 1;
	memcpy(out, s, l);
	out[l] = 0;
}

void fp_server(const struct txn *t, char *out, size_t n)
{
	uint32_t hl = 0;
	const char *h = txn_host(t, &hl);
	if (h && hl) {
		if (hl > 3 && memcmp(h + hl - 3, ":80", 3) == 0)
			hl -= 3;
		copy_printed(out, n, h, hl);
		/* ASCII: the program runs in the C locale, where tolower is this. */
		for (char *p = out; *p; p++)
			if (*p >= 'A' && *p <= 'Z')
				*p = (char)(*p + 32);
		return;
	}
	/* The server's address, without its port. */
	const char *s = t->ep ? t->ep->server : "";
	const char *colon = strrchr(s, ':');
	size_t l = colon ? (size_t)(colon - s) : strlen(s);
	copy_printed(out, n, s, l);
}

/* Rewrites s in place so that it is printable ASCII: any other byte becomes '?'. */
static void printable(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			*s = '?';
}

void fp_parts_of(const struct txn *t, const char *rule, struct fp_parts *p)
{
	memset(p, 0, sizeof *p);
	p->rule = rule;
	fp_server(t, p->server, sizeof p->server);
	if (t->req) {
		copy_printed(p->method, sizeof p->method, head_str(t->req, t->req->method_s), t->req->method_s.len);
		fp_endpoint(head_str(t->req, t->req->uri), t->req->uri.len, p->endpoint, sizeof p->endpoint);
	}
	p->status = t->resp ? t->resp->status : 0;
	/* Wire bytes: kept printable, so they go into JSON and XML as they are. */
	printable(p->server);
	printable(p->method);
	printable(p->endpoint);
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
