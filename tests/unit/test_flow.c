/* test_flow.c: the connection table, its slots in front of uthash's buckets among them. */
#include "wl_test.h"

#include <stdlib.h>
#include <string.h>

#include "flow.h"

/* A key for connection i: 10.0.x.y:(1024 + i % 50000) to 10.1.0.1:80, written as flow_key_make would. */
static struct flow_key key_of(unsigned i, int side)
{
	uint8_t a[4] = { 10, 0, (uint8_t)(i >> 8), (uint8_t)i }, b[4] = { 10, 1, 0, 1 };
	struct dec_pkt p;
	memset(&p, 0, sizeof p);
	p.family = 4;
	memcpy(side ? p.src : p.dst, b, 4);
	memcpy(side ? p.dst : p.src, a, 4);
	p.sport = side ? 80 : (uint16_t)(1024 + i % 50000);
	p.dport = side ? (uint16_t)(1024 + i % 50000) : 80;
	struct flow_key k;
	flow_key_make(&k, &p);
	return k;
}

static struct flow_entry *entry_of(unsigned i)
{
	struct flow_entry *e = calloc(1, sizeof *e);
	assert_non_null(e);
	e->key = key_of(i, 0);
	return e;
}

/* Entries are found from both directions, again and again, and not once removed. */
static void test_find_remove(void **state)
{
	(void)state;
	struct flow_table t;
	memset(&t, 0, sizeof t);
	enum { N = 3000 };
	struct flow_entry **e = calloc(N, sizeof *e);
	assert_non_null(e);
	for (unsigned i = 0; i < N; i++) {
		e[i] = entry_of(i);
		flow_insert(&t, e[i], 0);
	}
	assert_int_equal(t.count, N);
	for (int round = 0; round < 3; round++) {
		for (unsigned i = 0; i < N; i++) {
			struct flow_key a = key_of(i, 0), b = key_of(i, 1);
			assert_ptr_equal(flow_find(&t, &a), e[i]);
			assert_ptr_equal(flow_find(&t, &b), e[i]);
		}
	}
	/* Every other one removed: those are not found, found as they were
	 * a moment ago; the others still are. */
	for (unsigned i = 0; i < N; i += 2) {
		flow_remove(&t, e[i]);
		free(e[i]);
		e[i] = NULL;
	}
	for (unsigned i = 0; i < N; i++) {
		struct flow_key a = key_of(i, 0);
		assert_ptr_equal(flow_find(&t, &a), e[i]);
	}
	/* A key added again after its removal is the new entry. */
	e[0] = entry_of(0);
	flow_insert(&t, e[0], 1);
	struct flow_key k0 = key_of(0, 1);
	assert_ptr_equal(flow_find(&t, &k0), e[0]);
	for (unsigned i = 0; i < N; i++) {
		if (e[i]) {
			flow_remove(&t, e[i]);
			free(e[i]);
		}
	}
	assert_int_equal(t.count, 0);
	assert_null(flow_first(&t));
	flow_table_free(&t);
	free(e);
}

/*
 * Keys whose hashes share a slot in front of the buckets: each is found,
 * whichever was looked up last, and removing one leaves the other found.
 */
static void test_front_collisions(void **state)
{
	(void)state;
	struct flow_table t;
	memset(&t, 0, sizeof t);
	struct flow_key k0 = key_of(0, 0);
	unsigned slot = flow_key_hash(&k0) % FLOW_FRONT_SLOTS, other = 0;
	for (unsigned i = 1; i < 1000000 && !other; i++) {
		struct flow_key k = key_of(i, 0);
		if (flow_key_hash(&k) % FLOW_FRONT_SLOTS == slot)
			other = i;
	}
	assert_true(other != 0);
	struct flow_entry *a = entry_of(0), *b = entry_of(other);
	flow_insert(&t, a, 0);
	flow_insert(&t, b, 0);
	struct flow_key ka = key_of(0, 1), kb = key_of(other, 1);
	for (int i = 0; i < 4; i++) {
		assert_ptr_equal(flow_find(&t, i & 1 ? &kb : &ka), i & 1 ? b : a);
		assert_ptr_equal(flow_find(&t, i & 1 ? &ka : &kb), i & 1 ? a : b);
	}
	/* The slot holds a, the last found: a removed, b stays; a added again and removed, likewise. */
	flow_remove(&t, a);
	assert_null(flow_find(&t, &ka));
	assert_ptr_equal(flow_find(&t, &kb), b);
	flow_insert(&t, a, 0);
	assert_ptr_equal(flow_find(&t, &ka), a);
	flow_remove(&t, a);
	assert_null(flow_find(&t, &ka));
	assert_ptr_equal(flow_find(&t, &kb), b);
	flow_remove(&t, b);
	assert_null(flow_find(&t, &kb));
	free(a);
	free(b);
	flow_table_free(&t);
}

/*
 * flow_peek, the hint for prefetching: the entry in a hash's slot when
 * the slot is that hash's, whichever side's key asks; NULL for an empty
 * table, a slot emptied by a removal, or a slot another hash took (the
 * keys collide on the slot, not on the hash).
 */
static void test_peek(void **state)
{
	(void)state;
	struct flow_table t;
	memset(&t, 0, sizeof t);
	struct flow_key k0 = key_of(0, 1);
	uint32_t h0 = flow_key_hash(&k0);
	assert_null(flow_peek(&t, h0));
	flow_prefetch(&t, h0); /* no front yet: nothing to ask for, and no crash */
	unsigned other = 0;
	for (unsigned i = 1; i < 1000000 && !other; i++) {
		struct flow_key k = key_of(i, 0);
		if (flow_key_hash(&k) % FLOW_FRONT_SLOTS == h0 % FLOW_FRONT_SLOTS && flow_key_hash(&k) != h0)
			other = i;
	}
	assert_true(other != 0);
	struct flow_key ko = key_of(other, 0);
	uint32_t ho = flow_key_hash(&ko);
	struct flow_entry *a = entry_of(0), *b = entry_of(other);
	flow_insert(&t, a, 0);
	assert_ptr_equal(flow_peek(&t, h0), a);
	assert_null(flow_peek(&t, ho));
	/* b takes the slot: a is still found, but no longer peeked. */
	flow_insert(&t, b, 0);
	assert_ptr_equal(flow_peek(&t, ho), b);
	assert_null(flow_peek(&t, h0));
	assert_ptr_equal(flow_find(&t, &k0), a);
	assert_ptr_equal(flow_peek(&t, h0), a);
	flow_remove(&t, a);
	assert_null(flow_peek(&t, h0));
	flow_remove(&t, b);
	free(a);
	free(b);
	flow_table_free(&t);
}

/* The key as its fields say it: side 0 the endpoint that sorts first (address, then port), padding zero. */
static void reference_key(struct flow_key *k, const struct dec_pkt *p, int *side)
{
	size_t alen = p->family == 4 ? 4 : 16;
	int c = memcmp(p->src, p->dst, alen);
	*side = c < 0 || (c == 0 && p->sport <= p->dport) ? 0 : 1;
	memset(k, 0, sizeof *k);
	k->family = p->family;
	memcpy(k->addr[*side], p->src, alen);
	memcpy(k->addr[!*side], p->dst, alen);
	k->port[*side] = p->sport;
	k->port[!*side] = p->dport;
}

/* flow_key_make writes the key's bytes as its fields say, whatever way it writes them. */
static void test_key_layout(void **state)
{
	(void)state;
	static const uint8_t v4[][4] = { { 10, 0, 0, 1 }, { 10, 0, 0, 2 }, { 192, 168, 255, 1 }, { 1, 255, 0, 0 } };
	static const uint8_t v6[][16] = { { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 },
					  { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 },
					  { 0xfe, 0x80, [8] = 0xff, [15] = 0x10 } };
	static const uint16_t ports[] = { 80, 443, 1024, 65535, 80 };
	for (int fam = 4; fam <= 6; fam += 2) {
		int na = fam == 4 ? 4 : 3;
		for (int i = 0; i < na; i++)
			for (int j = 0; j < na; j++)
				for (int x = 0; x < 5; x++)
					for (int y = 0; y < 5; y++) {
						struct dec_pkt p;
						memset(&p, 0xa5, sizeof p); /* what flow_key_make must not read */
						p.family = (uint8_t)fam;
						memset(p.src, 0, sizeof p.src);
						memset(p.dst, 0, sizeof p.dst);
						memcpy(p.src, fam == 4 ? v4[i] : v6[i], fam == 4 ? 4 : 16);
						memcpy(p.dst, fam == 4 ? v4[j] : v6[j], fam == 4 ? 4 : 16);
						p.sport = ports[x];
						p.dport = ports[y];
						struct flow_key got, want;
						memset(&got, 0x5a, sizeof got);
						int want_side, side = flow_key_make(&got, &p);
						reference_key(&want, &p, &want_side);
						assert_int_equal(side, want_side);
						assert_memory_equal(&got, &want, sizeof got);
						assert_int_equal(flow_key_hash(&got), flow_key_hash(&want));
					}
	}
}

/*
 * Keys of n connections to port 18080: mode 0, clients whose addresses
 * differ in their last byte, each from port0; mode 1, one client, from
 * ports port0 up, to another address; mode 2, the same, to its own
 * address (loopback: the key's side is then chosen by the ports).
 */
static void keys_between(struct flow_key *k, unsigned n, int fam, int mode, uint16_t port0)
{
	for (unsigned i = 0; i < n; i++) {
		struct dec_pkt p;
		memset(&p, 0, sizeof p);
		p.family = (uint8_t)fam;
		size_t alen = fam == 4 ? 4 : 16;
		memset(p.src, 0, sizeof p.src);
		memset(p.dst, 0, sizeof p.dst);
		p.src[0] = p.dst[0] = fam == 4 ? 127 : 0xfd;
		p.src[alen - 1] = mode ? 1 : (uint8_t)(1 + i);
		p.dst[alen - 1] = 1;
		p.dst[alen - 2] = mode == 2 ? 0 : 1;
		p.sport = (uint16_t)(mode ? port0 + i : port0);
		p.dport = 18080;
		flow_key_make(&k[i], &p);
	}
}

/*
 * Connections that differ only in the client's port (one client, one
 * server: a load generator, a browser, a proxy) or in the last byte of
 * the client's address spread over the slots in front of the buckets,
 * over uthash's buckets (the hash's low bits) and over the workers (its
 * high bits), nearly as many distinct values as a random hash gives.  A
 * hash whose low bits depended only on the key's low bytes put 64 such
 * connections in 6 to 8 of the 4096 slots, so that most lookups walked
 * chains.
 */
static void test_hash_spreads(void **state)
{
	(void)state;
	enum { N = 64 };
	struct flow_key k[N];
	for (int fam = 4; fam <= 6; fam += 2)
		for (int mode = 0; mode < 3; mode++)
			for (uint16_t port0 = 1024; port0 < 60000; port0 += 19937) {
				keys_between(k, N, fam, mode, port0);
				bool slot[FLOW_FRONT_SLOTS] = { false }, bucket[32] = { false };
				unsigned slots = 0, buckets = 0, worker[2] = { 0, 0 };
				for (unsigned i = 0; i < N; i++) {
					uint32_t h = flow_key_hash(&k[i]);
					slots += !slot[h % FLOW_FRONT_SLOTS];
					slot[h % FLOW_FRONT_SLOTS] = true;
					buckets += !bucket[h & 31];
					bucket[h & 31] = true;
					worker[((uint64_t)h * 2) >> 32]++;
				}
				/* A random hash: 63.5 slots, 27.7 buckets, 32 a worker, on average; 8 slots and 8 buckets fail. */
				assert_in_range(slots, 56, N);
				assert_in_range(buckets, 18, 32);
				assert_in_range(worker[0], 16, 48);
			}
}

/* A table that never held an entry is looked up and freed like any other. */
static void test_empty(void **state)
{
	(void)state;
	struct flow_table t;
	memset(&t, 0, sizeof t);
	struct flow_key k = key_of(7, 0);
	assert_null(flow_find(&t, &k));
	flow_table_free(&t);
	flow_table_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_find_remove),
		cmocka_unit_test(test_front_collisions),
		cmocka_unit_test(test_peek),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_key_layout),
		cmocka_unit_test(test_hash_spreads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
