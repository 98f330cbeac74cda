/* test_ipfrag.c: IPv4 fragment reassembly: order, overlaps, the byte cap, the timeout. */
#include "wl_test.h"

#include "ipfrag.h"

/* An IPv4 fragment of datagram id with payload bytes p at byte offset off. */
static uint32_t mkfrag(uint8_t *buf, uint16_t id, uint32_t off, bool more, const char *p)
{
	uint32_t n = (uint32_t)strlen(p);
	memset(buf, 0, 20);
	buf[0] = 0x45;
	buf[2] = (uint8_t)((20 + n) >> 8);
	buf[3] = (uint8_t)(20 + n);
	buf[4] = (uint8_t)(id >> 8);
	buf[5] = (uint8_t)id;
	uint16_t fo = (uint16_t)((more ? 0x2000 : 0) | off / 8);
	buf[6] = (uint8_t)(fo >> 8);
	buf[7] = (uint8_t)fo;
	buf[8] = 64;
	buf[9] = 6;
	buf[12] = 10;
	buf[15] = 1;
	buf[16] = 10;
	buf[19] = 2;
	memcpy(buf + 20, p, n);
	return 20 + n;
}

static void test_out_of_order_and_overlap(void **state)
{
	struct frag_table t;
	frag_init(&t, 1 << 20, 30);
	uint8_t b[200];
	uint32_t n, out;
	n = mkfrag(b, 7, 16, false, "CCCCCCCC");
	assert_null(frag_add(&t, b, n, 0, &out));
	n = mkfrag(b, 7, 8, true, "BBBBBBBBXXXX"); /* its last 4 bytes overlap the C's: the C's stay */
	assert_null(frag_add(&t, b, n, 0, &out));
	n = mkfrag(b, 7, 0, true, "AAAAAAAA");
	const uint8_t *dg = frag_add(&t, b, n, 0, &out);
	assert_non_null(dg);
	assert_int_equal(out, 20 + 24);
	assert_memory_equal(dg + 20, "AAAAAAAABBBBBBBBCCCCCCCC", 24);
	assert_int_equal(dg[2] << 8 | dg[3], 44);
	assert_int_equal(dg[6] | dg[7], 0);
	assert_int_equal(t.reassembled, 1);
	assert_int_equal(t.overlaps, 1);
	assert_int_equal(t.bytes, 0);
	frag_free(&t);
}

static void test_cap_and_timeout(void **state)
{
	struct frag_table t;
	frag_init(&t, 20, 30);
	uint8_t b[200];
	uint32_t n, out;
	n = mkfrag(b, 1, 0, true, "0123456789abcdef");
	assert_null(frag_add(&t, b, n, 0, &out));
	/* A second datagram does not fit beside the first: the oldest goes. */
	n = mkfrag(b, 2, 0, true, "0123456789");
	assert_null(frag_add(&t, b, n, 0, &out));
	assert_int_equal(t.dropped_cap, 1);
	assert_true(t.bytes <= 20);
	/* Past the timeout the waiting datagram is dropped. */
	frag_expire(&t, 31);
	assert_int_equal(t.dropped_timeout, 1);
	assert_int_equal(t.bytes, 0);
	/* Wholly larger than the cap: dropped at once. */
	n = mkfrag(b, 3, 0, true, "0123456789012345678901234567890123456789");
	assert_null(frag_add(&t, b, n, 40, &out));
	assert_int_equal(t.dropped_cap, 2);
	n = mkfrag(b, 4, 0, true, "x");
	assert_null(frag_add(&t, b, n, 40, &out));
	frag_drop_all(&t);
	assert_int_equal(t.dropped_timeout, 2);
	frag_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_out_of_order_and_overlap),
		cmocka_unit_test(test_cap_and_timeout),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
