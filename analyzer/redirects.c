/* redirects.c: following each client's redirects across transactions: loops and long chains. */
#include "redirects.h"

#include <ctype.h>
#include <strings.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rule.h"
#include "txn.h"
#include "uthash.h"
#include "utlist.h"

#define CHAINS 8
#define HOPS 16
#define URL_MAX 1024
#define CHAIN_TIMEOUT_S 60
#define TOO_LONG 5

struct chain {
	int n;                    /* URLs in the chain; 0: unused */
	char *url[HOPS];
	char *expect;             /* where the last redirect pointed */
	int64_t last_sec;
	int reported;
	int last_status;          /* the last redirect's status */
	char last_method[16];     /* and the method of the request it answered */
};

struct redir_client {
	char ip[48];
	UT_hash_handle hh;
	struct redir_client *older, *newer;
	struct chain chains[CHAINS];
};

void redir_init(struct redir_table *r, uint32_t max_clients)
{
	memset(r, 0, sizeof *r);
	r->max_clients = max_clients ? max_clients : 1;
	r->max_chains = 1000;
}

/* Keeps the chain ch of client, ended at last (the URL of its last response) with status. */
static void record(struct redir_table *r, const char *client, const struct chain *ch, const char *last, int status,
		   bool loop)
{
	int hops = ch->n; /* each URL of the chain was answered with a redirect */
	r->by_length[hops < 1 ? 1 : hops > 7 ? 7 : hops]++;
	if (r->nchains >= r->max_chains) {
		r->chains_dropped++;
		return;
	}
	if (r->nchains == r->chains_cap) {
		uint32_t ncap = r->chains_cap ? r->chains_cap * 2 : 16;
		struct redir_chain *nc = realloc(r->chains, ncap * sizeof *nc);
		if (!nc) {
			r->chains_dropped++;
			return;
		}
		r->chains = nc;
		r->chains_cap = ncap;
	}
	struct redir_chain *c = &r->chains[r->nchains++];
	memset(c, 0, sizeof *c);
	snprintf(c->client, sizeof c->client, "%s", client);
	for (int i = 0; i < ch->n && c->n < 16; i++)
		if (ch->url[i])
			c->urls[c->n++] = strdup(ch->url[i]);
	if (last && c->n < 17)
		c->urls[c->n++] = strdup(last);
	else if (!last && ch->expect && c->n < 17)
		c->urls[c->n++] = strdup(ch->expect);
	c->final_status = status;
	c->loop = loop;
}

static void chain_clear(struct chain *c)
{
	for (int i = 0; i < c->n; i++)
		free(c->url[i]);
	free(c->expect);
	memset(c, 0, sizeof *c);
}

static void client_free(struct redir_table *r, struct redir_client *c)
{
	HASH_DELETE(hh, r->hash, c);
	DL_DELETE2(r->oldest, c, older, newer);
	for (int i = 0; i < CHAINS; i++)
		chain_clear(&c->chains[i]);
	free(c);
	r->count--;
}

void redir_flush(struct redir_table *r)
{
	for (struct redir_client *c = r->oldest; c; c = c->newer)
		for (int i = 0; i < CHAINS; i++)
			if (c->chains[i].n) {
				record(r, c->ip, &c->chains[i], NULL, 0, false);
				chain_clear(&c->chains[i]);
			}
}

void redir_free(struct redir_table *r)
{
	while (r->oldest)
		client_free(r, r->oldest);
	for (uint32_t i = 0; i < r->nchains; i++)
		for (int k = 0; k < r->chains[i].n; k++)
			free(r->chains[i].urls[k]);
	free(r->chains);
	r->chains = NULL;
	r->nchains = r->chains_cap = 0;
}

/* The bytes of s (n of them) before the first NUL: what "%.*s" would print. */
static size_t printed_len(const char *s, size_t n)
{
	const char *z = memchr(s, 0, n);
	return z ? (size_t)(z - s) : n;
}

int redir_request_url(const struct txn *t, char *out, size_t n)
{
	if (!t->req || !t->req->uri.len)
		return 0;
	const char *u = head_str(t->req, t->req->uri);
	size_t ul = t->req->uri.len;
	/* Built with memcpy, not snprintf: this runs several times for every
	 * transaction.  Each piece ends at a NUL in it, as with "%.*s", so
	 * that the URL is a C string of the bytes before it. */
	size_t k;
	if (ul >= 7 && head_name_eq(u, "http://", 7)) {
		/* absolute-form (a proxy request) */
		k = printed_len(u, ul);
		if (k >= n)
			return 0;
		memcpy(out, u, k);
	} else if (u[0] == '/') {
		uint32_t hl;
		const char *h = txn_host(t, &hl);
		if (!h || !hl)
			return 0;
		/* The default port says nothing. */
		if (hl > 3 && memcmp(h + hl - 3, ":80", 3) == 0)
			hl -= 3;
		size_t hp = printed_len(h, hl), up = printed_len(u, ul);
		k = 7 + hp + up;
		if (k >= n)
			return 0;
		memcpy(out, "http://", 7);
		memcpy(out + 7, h, hp);
		memcpy(out + 7 + hp, u, up);
	} else {
		return 0; /* authority-form (CONNECT) or asterisk-form */
	}
	out[k] = 0;
	/* Scheme and host compare without case (RFC 3986 §6.2.2.1).  ASCII
	 * only: the program runs in the C locale, where tolower is this. */
	for (char *p = out + 7; *p && *p != '/'; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p + 32);
	char *frag = memchr(out, '#', k);
	if (frag)
		*frag = 0;
	return 1;
}

/* RFC 3986 §5.2.4, in place. */
static void remove_dot_segments(char *path)
{
	char *out = path, *in = path;
	while (*in) {
		if (strncmp(in, "../", 3) == 0) {
			in += 3;
		} else if (strncmp(in, "./", 2) == 0) {
			in += 2;
		} else if (strncmp(in, "/./", 3) == 0) {
			in += 2;
		} else if (strcmp(in, "/.") == 0) {
			in[1] = 0;
		} else if (strncmp(in, "/../", 4) == 0 || strcmp(in, "/..") == 0) {
			in += 3;
			if (!*in) {
				in--;
				*in = '/';
			}
			while (out > path && *--out != '/')
				;
		} else if (strcmp(in, ".") == 0 || strcmp(in, "..") == 0) {
			*in = 0;
		} else {
			do
				*out++ = *in++;
			while (*in && *in != '/');
		}
	}
	*out = 0;
}

int redir_resolve(const char *base, const char *ref, size_t reflen, char *out, size_t n)
{
	while (reflen && (*ref == ' ' || *ref == '\t')) {
		ref++;
		reflen--;
	}
	while (reflen && (ref[reflen - 1] == ' ' || ref[reflen - 1] == '\t'))
		reflen--;
	if (reflen >= URL_MAX)
		return 0;
	char r[URL_MAX];
	memcpy(r, ref, reflen);
	r[reflen] = 0;
	char *frag = strchr(r, '#');
	if (frag)
		*frag = 0;
	/* base is "http://authority/path?query". */
	const char *auth = base + 7;
	const char *path = strchr(auth, '/');
	if (!path)
		return 0;
	size_t colon = strcspn(r, ":/?#");
	int k;
	if (r[colon] == ':' && colon > 0) {
		k = snprintf(out, n, "%s", r); /* absolute */
		for (char *p = out; *p && *p != ':'; p++)
			*p = (char)tolower((unsigned char)*p);
	} else if (r[0] == '/' && r[1] == '/') {
		k = snprintf(out, n, "http:%s", r);
	} else if (r[0] == '/') {
		k = snprintf(out, n, "%.*s%s", (int)(path - base), base, r);
	} else if (r[0] == '?') {
		size_t pl = strcspn(path, "?");
		k = snprintf(out, n, "%.*s%s", (int)(path - base + pl), base, r);
	} else if (r[0] == 0) {
		k = snprintf(out, n, "%s", base);
	} else {
		/* Merge with the base path's directory (RFC 3986 §5.2.3). */
		size_t pl = strcspn(path, "?");
		const char *slash = path;
		for (const char *p = path; p < path + pl; p++)
			if (*p == '/')
				slash = p;
		k = snprintf(out, n, "%.*s%s", (int)(slash + 1 - base), base, r);
	}
	if (k < 0 || (size_t)k >= n)
		return 0;
	/* Dot segments of the path. */
	char *p = strstr(out, "://");
	if (p && (p = strchr(p + 3, '/'))) {
		char *q = strchr(p, '?');
		char saved[URL_MAX] = "";
		if (q) {
			snprintf(saved, sizeof saved, "%s", q);
			*q = 0;
		}
		remove_dot_segments(p);
		strncat(out, saved, n - strlen(out) - 1);
	}
	char *h = strstr(out, "://");
	if (h)
		for (h += 3; *h && *h != '/'; h++)
			*h = (char)tolower((unsigned char)*h);
	return 1;
}

/* A client with no chain open is forgotten: it is remembered again at its next redirect. */
static void forget_if_idle(struct redir_table *r, struct redir_client *c)
{
	for (int i = 0; i < CHAINS; i++)
		if (c->chains[i].n)
			return;
	client_free(r, c);
}

static bool is_redirect(int s)
{
	return s == 301 || s == 302 || s == 303 || s == 307 || s == 308;
}

static struct redir_client *client_for(struct redir_table *r, const char *ip, bool create)
{
	struct redir_client *c;
	HASH_FIND_STR(r->hash, ip, c);
	if (c) {
		DL_DELETE2(r->oldest, c, older, newer);
		DL_APPEND2(r->oldest, c, older, newer);
		return c;
	}
	if (!create)
		return NULL;
	if (r->count >= r->max_clients) {
		r->evicted++;
		client_free(r, r->oldest);
	}
	c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	snprintf(c->ip, sizeof c->ip, "%s", ip);
	HASH_ADD_STR(r->hash, ip, c);
	DL_APPEND2(r->oldest, c, older, newer);
	r->count++;
	return c;
}


/* Length of "http://authority" at the start of u. */
static size_t origin_len(const char *u)
{
	const char *p = strstr(u, "://");
	if (!p)
		return 0;
	p += 3;
	return (size_t)(p - u) + strcspn(p, "/");
}

/* "http://a/x -> /y -> /z": a URL on the same origin as the one before shows only its path. */
static void chain_text(const struct chain *ch, const char *last, char *out, size_t n)
{
	size_t o = 0;
	out[0] = 0;
	const char *prev = NULL;
	for (int i = 0; i <= ch->n && o + 1 < n; i++) {
		const char *u = i < ch->n ? ch->url[i] : last;
		if (!u)
			break;
		size_t ol = origin_len(u);
		if (prev && ol && ol == origin_len(prev) && strncmp(u, prev, ol) == 0)
			u += ol;
		int k = snprintf(out + o, n - o, "%s%s", i ? " -> " : "", u);
		if (k < 0)
			break;
		o += (size_t)k;
		prev = i < ch->n ? ch->url[i] : last;
	}
}

/*
 * The request t follows the chain's last redirect: whether its method is
 * the one that redirect allows.  RFC 9110 §15.4.8, §15.4.9: after a 307 or
 * 308 the user agent MUST NOT change the method; §15.4.4: a 303 is followed
 * with GET (or HEAD); §15.4.2, §15.4.3: rewriting POST to GET after a 301 or
 * 302 is historical practice the RFC allows, and says so.
 */
static void check_follow_up(const struct chain *ch, struct txn *t)
{
	char m[16];
	snprintf(m, sizeof m, "%.*s", (int)t->req->method_s.len, head_str(t->req, t->req->method_s));
	if (!m[0] || !ch->last_method[0])
		return;
	int s = ch->last_status;
	if ((s == 307 || s == 308) && strcmp(m, ch->last_method) != 0)
		rule_raise(t, RULE_REDIRECT_METHOD_CHANGED, rule_table[RULE_REDIRECT_METHOD_CHANGED].sev,
			   "%s follows a %d to %s; the method must not change", m, s, ch->last_method);
	else if (s == 303 && strcmp(m, "GET") != 0 && strcmp(m, "HEAD") != 0)
		rule_raise(t, RULE_REDIRECT_METHOD_303, rule_table[RULE_REDIRECT_METHOD_303].sev,
			   "%s follows a 303 See Other; it is followed with GET", m);
	else if ((s == 301 || s == 302) && strcmp(ch->last_method, "POST") == 0 && strcmp(m, "GET") == 0)
		rule_raise(t, RULE_REDIRECT_METHOD_303, SEV_INFO,
			   "GET follows a %d to POST: the client rewrote the method, which 307 or 308 would forbid", s);
}

/*
 * Whether t's method is one a user agent following x's last redirect on
 * its own could use: the redirected request's, GET (the rewrite of
 * §15.4.2 and §15.4.3, or one 307 and 308 forbid), or HEAD after a 303
 * (§15.4.4).  A request with another method for the same URL is the
 * client's own (a form POSTed where a GET was redirected, a browser's
 * CORS preflight before the real follow-up): it is not the follow-up,
 * and the chain stays open for it.
 */
static bool may_follow(const struct chain *x, const struct txn *t)
{
	const char *m = head_str(t->req, t->req->method_s);
	/* Compared on the first 15 bytes, as last_method keeps them. */
	uint32_t n = t->req->method_s.len;
	if (n > sizeof x->last_method - 1)
		n = sizeof x->last_method - 1;
	size_t l = strlen(x->last_method);
	if (!l || (n == l && memcmp(m, x->last_method, l) == 0))
		return true;
	if (n == 3 && memcmp(m, "GET", 3) == 0)
		return true;
	return x->last_status == 303 && n == 4 && memcmp(m, "HEAD", 4) == 0;
}

bool redir_is_redirect(const struct http_head *resp)
{
	return is_redirect(resp->status) && head_field(resp, "Location");
}

bool redir_concerns(const struct redir_table *r, const char *client_ip, bool redirect)
{
	/* A client is remembered from its first redirect on, not before:
	 * memory follows the redirects, not the clients.  Most responses are
	 * no redirect to a client with no chain open: nothing to do. */
	if (redirect)
		return true;
	if (!r->count)
		return false;
	struct redir_client *known;
	HASH_FIND_STR(r->hash, client_ip, known);
	return known != NULL;
}

void redir_follow(struct redir_table *r, const char *client_ip, struct txn *t)
{
	char url[URL_MAX];
	if (!t->resp || (t->flags & TXN_INTERIM))
		return;
	bool redirect = redir_is_redirect(t->resp);
	if (!redir_concerns(r, client_ip, redirect))
		return;
	if (!redir_request_url(t, url, sizeof url))
		return;
	struct redir_client *c = client_for(r, client_ip, redirect);
	if (!c)
		return;
	int64_t now = t->resp_ts.tv_sec;
	/* The chain this request continues, if any; stale chains end. */
	struct chain *ch = NULL;
	for (int i = 0; i < CHAINS; i++) {
		struct chain *x = &c->chains[i];
		if (x->n && now - x->last_sec > CHAIN_TIMEOUT_S) {
			record(r, client_ip, x, NULL, 0, false); /* not followed to its end */
			chain_clear(x);
		}
		if (x->n && x->expect && strcmp(x->expect, url) == 0 && may_follow(x, t))
			ch = x;
	}
	int st = t->resp->status;
	if (ch) {
		check_follow_up(ch, t);
		/* A chain that ends in 414: each hop made the URL longer. */
		if (st == 414)
			rule_raise(t, RULE_REDIRECT_URI_GROWTH, rule_table[RULE_REDIRECT_URI_GROWTH].sev,
				   "a chain of %d redirects ends in 414 URI Too Long", ch->n);
	}
	const struct hfield *loc = is_redirect(st) ? head_field(t->resp, "Location") : NULL;
	if (!loc) {
		if (ch) {
			record(r, client_ip, ch, url, st, false);
			chain_clear(ch); /* the chain ends here */
		}
		forget_if_idle(r, c);
		return;
	}
	char target[URL_MAX];
	if (!redir_resolve(url, head_str(t->resp, loc->value), loc->value.len, target, sizeof target)) {
		if (ch)
			chain_clear(ch);
		forget_if_idle(r, c);
		return;
	}
	if (!ch) {
		/* A new chain, in a free slot or the oldest one's. */
		ch = &c->chains[0];
		for (int i = 0; i < CHAINS; i++) {
			if (!c->chains[i].n) {
				ch = &c->chains[i];
				break;
			}
			if (c->chains[i].last_sec < ch->last_sec)
				ch = &c->chains[i];
		}
		if (ch->n)
			record(r, c->ip, ch, NULL, 0, false); /* pushed out, not followed to its end */
		chain_clear(ch);
	}
	if (ch->n < HOPS)
		ch->url[ch->n++] = strdup(url);
	ch->last_status = st;
	snprintf(ch->last_method, sizeof ch->last_method, "%.*s", (int)t->req->method_s.len,
		 head_str(t->req, t->req->method_s));
	ch->last_sec = now;
	free(ch->expect);
	ch->expect = strdup(target);
	char text[FINDING_MSG_MAX];
	for (int i = 0; i < ch->n; i++) {
		if (ch->url[i] && strcmp(ch->url[i], target) == 0) {
			chain_text(ch, target, text, sizeof text);
			rule_raise(t, RULE_REDIRECT_LOOP, rule_table[RULE_REDIRECT_LOOP].sev, "redirect loop: %s", text);
			record(r, client_ip, ch, NULL, st, true);
			chain_clear(ch);
			forget_if_idle(r, c);
			return;
		}
	}
	if (ch->n > TOO_LONG && !ch->reported) {
		ch->reported = 1;
		chain_text(ch, target, text, sizeof text);
		rule_raise(t, RULE_REDIRECT_CHAIN_TOO_LONG, rule_table[RULE_REDIRECT_CHAIN_TOO_LONG].sev,
			   "%d redirects in a row: %s", ch->n, text);
	}
}
