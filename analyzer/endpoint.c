/* endpoint.c: a connection's endpoints written out. */
#include "endpoint.h"

#include <arpa/inet.h>
#include <string.h>

#include "communityid.h"

_Static_assert(sizeof ((struct endpoints *)0)->community_id >= COMMUNITY_ID_LEN, "room for a Community ID");
_Static_assert(sizeof ((struct endpoints *)0)->client_ip >= INET6_ADDRSTRLEN, "room for any address");
_Static_assert(sizeof ((struct endpoints *)0)->client >= INET6_ADDRSTRLEN + sizeof "[]:65535" - 1,
	       "room for any address and port");

/* v in decimal at p; the end of what was written. */
static char *decimal(char *p, unsigned v)
{
	char d[5];
	int n = 0;
	do {
		d[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		*p++ = d[--n];
	return p;
}

/*
 * Side `side`'s address as inet_ntop writes it, at a (INET6_ADDRSTRLEN
 * bytes), NUL-terminated; its length.  IPv4 is written here: inet_ntop
 * goes through sprintf, which, with the Community ID, made the setting up
 * of a connection a fifth of a capture of short connections.
 */
static size_t address(char *a, const struct flow_key *k, int side)
{
	const uint8_t *b = k->addr[side];
	if (k->family == 4) {
		char *p = a;
		for (int i = 0; i < 4; i++) {
			if (i)
				*p++ = '.';
			p = decimal(p, b[i]);
		}
		*p = 0;
		return (size_t)(p - a);
	}
	if (!inet_ntop(AF_INET6, b, a, INET6_ADDRSTRLEN))
		a[0] = 0;
	return strlen(a);
}

/* "address:port" ("[address]:port" for IPv6) from the address al bytes at a, into out. */
static void with_port(char *out, const char *a, size_t al, bool v6, unsigned port)
{
	char *p = out;
	if (v6)
		*p++ = '[';
	memcpy(p, a, al);
	p += al;
	if (v6)
		*p++ = ']';
	*p++ = ':';
	p = decimal(p, port);
	*p = 0;
}

void endpoints_fill(struct endpoints *ep, const struct flow_key *k, int client)
{
	bool v6 = k->family != 4;
	size_t cl = address(ep->client_ip, k, client);
	with_port(ep->client, ep->client_ip, cl, v6, k->port[client]);
	char server_ip[INET6_ADDRSTRLEN];
	size_t sl = address(server_ip, k, !client);
	with_port(ep->server, server_ip, sl, v6, k->port[!client]);
	ep->key = *k;
	ep->cid_made = false;
}

const char *endpoints_community_id(struct endpoints *ep)
{
	if (!ep->cid_made) {
		/* A SHA-1 through OpenSSL, 120 ns: not for connections whose Community ID nobody reads. */
		if (!community_id(&ep->key, ep->community_id))
			ep->community_id[0] = 0;
		ep->cid_made = true;
	}
	return ep->community_id;
}
