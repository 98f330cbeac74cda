/* test_endpoint.c: a connection's endpoints written out, as inet_ntop and "%s:%u" would write them; its Community ID when asked for. */
#include "wl_test.h"

#include <arpa/inet.h>
#include <stdio.h>

#include "communityid.h"
#include "endpoint.h"

/* What endpoints_fill should write for side `side` of k: inet_ntop, then the port. */
static void reference(const struct flow_key *k, int side, char *ep, size_t n, char *ip)
{
	inet_ntop(k->family == 4 ? AF_INET : AF_INET6, k->addr[side], ip, INET6_ADDRSTRLEN);
	snprintf(ep, n, k->family == 4 ? "%s:%u" : "[%s]:%u", ip, k->port[side]);
}

static void check(const struct flow_key *k, int client)
{
	struct endpoints ep;
	memset(&ep, 0x55, sizeof ep); /* no byte left over from before counts */
	endpoints_fill(&ep, k, client);
	char want_client[64], want_server[64], ip[INET6_ADDRSTRLEN], server_ip[INET6_ADDRSTRLEN];
	reference(k, client, want_client, sizeof want_client, ip);
	reference(k, !client, want_server, sizeof want_server, server_ip);
	assert_string_equal(ep.client, want_client);
	assert_string_equal(ep.server, want_server);
	assert_string_equal(ep.client_ip, ip);
	/* The Community ID is made when first asked for, and then kept. */
	assert_false(ep.cid_made);
	char cid[COMMUNITY_ID_LEN];
	assert_true(community_id(k, cid));
	assert_string_equal(endpoints_community_id(&ep), cid);
	assert_true(ep.cid_made);
	assert_ptr_equal(endpoints_community_id(&ep), ep.community_id);
	assert_string_equal(ep.community_id, cid);
}

/* The connection between a:pa and b:pb, family 4 or 6. */
static struct flow_key key_of(int family, const char *a, unsigned pa, const char *b, unsigned pb)
{
	struct flow_key k = { .family = (uint8_t)family };
	int af = family == 4 ? AF_INET : AF_INET6;
	assert_int_equal(inet_pton(af, a, k.addr[0]), 1);
	assert_int_equal(inet_pton(af, b, k.addr[1]), 1);
	k.port[0] = (uint16_t)pa;
	k.port[1] = (uint16_t)pb;
	return k;
}

#define v4(...) key_of(4, __VA_ARGS__)
#define v6(...) key_of(6, __VA_ARGS__)

/* check() with each side of each key the client. */
static void check_each(const struct flow_key *keys, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		check(&keys[i], 0);
		check(&keys[i], 1);
	}
}

/* Each digit count of each byte and port, either side the client. */
static void test_ipv4(void **state)
{
	(void)state;
	const struct flow_key keys[] = {
		v4("0.0.0.0", 0, "255.255.255.255", 65535),
		v4("10.1.0.9", 80, "192.168.100.20", 8080),
		v4("127.0.0.1", 9, "1.22.133.4", 10000),
		v4("99.100.101.199", 443, "200.0.10.1", 65534),
	};
	check_each(keys, sizeof keys / sizeof keys[0]);
}

/* Every value of one byte and a spread of ports, against inet_ntop. */
static void test_ipv4_every_byte(void **state)
{
	(void)state;
	struct flow_key k = { .family = 4 };
	for (unsigned v = 0; v < 256; v++) {
		for (int i = 0; i < 4; i++)
			k.addr[0][i] = (uint8_t)(v * (i + 1) * 37);
		k.addr[0][v % 4] = (uint8_t)v;
		k.addr[1][0] = (uint8_t)(255 - v);
		k.port[0] = (uint16_t)(v * 257);
		k.port[1] = (uint16_t)(v * 13);
		check(&k, (int)(v & 1));
	}
}

/* IPv6 as inet_ntop writes it (zeros compressed, IPv4-mapped), in brackets before the port. */
static void test_ipv6(void **state)
{
	(void)state;
	const struct flow_key keys[] = {
		v6("::1", 34855, "2001:db8::1", 80),
		v6("::ffff:192.0.2.1", 1, "fe80::1:2:3:4", 65535),
		v6("2001:db8:85a3:1234:5678:8a2e:370:7334", 443, "::", 0),
	};
	check_each(keys, sizeof keys / sizeof keys[0]);
	struct endpoints ep;
	endpoints_fill(&ep, &keys[0], 1);
	assert_string_equal(ep.client, "[2001:db8::1]:80");
	assert_string_equal(ep.server, "[::1]:34855");
	assert_string_equal(ep.client_ip, "2001:db8::1");
}

/* The longest endpoint there is fits. */
static void test_longest(void **state)
{
	(void)state;
	struct flow_key k = v6("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 65535, "::ffff:255.255.255.255", 65535);
	check(&k, 0);
	struct endpoints ep;
	endpoints_fill(&ep, &k, 0);
	assert_string_equal(ep.client, "[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:65535");
	assert_string_equal(ep.server, "[::ffff:255.255.255.255]:65535");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ipv4),
		cmocka_unit_test(test_ipv4_every_byte),
		cmocka_unit_test(test_ipv6),
		cmocka_unit_test(test_longest),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
