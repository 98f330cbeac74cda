/* test_sequencer.c: output in connection order, and what waits for it. */
#include "wl_test.h"

#include <stddef.h>
#include <stdlib.h>

#include "sequencer.h"
#include "txn.h"

struct log {
	uint32_t emitted[256];
	int n;
	uint32_t held[16];
	int nheld;
};

static void record(void *ctx, struct txn *t)
{
	struct log *l = ctx;
	assert_true(l->n < 256);
	l->emitted[l->n++] = t->index;
	txn_free(t);
}

/* Waits in a copy numbered 100 more, in its connection's room, as the engine's hold waits in a brief. */
static struct txn *copy(void *ctx, struct seq_conn *c, struct txn *t)
{
	struct log *l = ctx;
	l->held[l->nheld++] = t->index;
	struct txn *b = seq_room(c, sizeof *b);
	assert_non_null(b);
	memset(b, 0, sizeof *b);
	b->index = t->index + 100;
	b->flags = TXN_SEQ_ROOM;
	txn_free(t);
	return b;
}

static struct txn *numbered(uint32_t i)
{
	struct txn *t = txn_new();
	assert_non_null(t);
	t->index = i;
	return t;
}

/* A sequencer writing to a log, with two connections open: a, then b. */
struct fixture {
	struct log l;
	uint64_t reordered;
	struct sequencer s;
	struct seq_conn *a, *b;
};

static void fixture(struct fixture *f, uint64_t max_pending)
{
	memset(f, 0, sizeof *f);
	seq_init(&f->s, max_pending, &f->reordered, record, &f->l);
	f->a = seq_open(&f->s);
	f->b = seq_open(&f->s);
}

static void test_order(void **state)
{
	/* The oldest open connection streams; a later one waits for it. */
	struct fixture f;
	fixture(&f, 100);
	seq_push(&f.s, f.b, numbered(2));
	seq_push(&f.s, f.a, numbered(1));
	assert_int_equal(f.l.n, 1);
	assert_int_equal(f.l.emitted[0], 1);
	seq_push(&f.s, f.b, numbered(3));
	seq_close(&f.s, f.a);
	seq_close(&f.s, f.b);
	assert_int_equal(f.l.n, 3);
	assert_int_equal(f.l.emitted[1], 2);
	assert_int_equal(f.l.emitted[2], 3);
	assert_int_equal(f.reordered, 0);
	seq_free(&f.s);
}

static void test_hold(void **state)
{
	/* hold is given each transaction that is to wait, and only those;
	 * what it returns waits and is written in its place, in order. */
	struct fixture f;
	fixture(&f, 100);
	f.s.hold = copy;
	seq_push(&f.s, f.a, numbered(1)); /* written at once: not held */
	seq_push(&f.s, f.b, numbered(2));
	seq_push(&f.s, f.b, numbered(3));
	seq_push(&f.s, f.a, numbered(4));
	assert_int_equal(f.l.nheld, 2);
	assert_int_equal(f.l.held[0], 2);
	assert_int_equal(f.l.held[1], 3);
	seq_close(&f.s, f.a);
	seq_close(&f.s, f.b);
	assert_int_equal(f.l.n, 4);
	assert_int_equal(f.l.emitted[0], 1);
	assert_int_equal(f.l.emitted[1], 4);
	assert_int_equal(f.l.emitted[2], 102);
	assert_int_equal(f.l.emitted[3], 103);
	seq_free(&f.s);
}

static void test_room(void **state)
{
	/* A connection's room: aligned as malloc's, each piece apart from
	 * the others, pieces larger than a chunk too; given back when its
	 * waiting transactions are written (AddressSanitizer sees to it). */
	struct fixture f;
	fixture(&f, 1000);
	unsigned char *prev = NULL;
	for (int i = 0; i < 200; i++) {
		size_t n = i % 50 == 49 ? 40000 : (size_t)(1 + i * 7 % 300);
		unsigned char *p = seq_room(f.b, n);
		assert_non_null(p);
		assert_int_equal((uintptr_t)p % _Alignof(max_align_t), 0);
		memset(p, i, n);
		if (prev)
			assert_int_equal(prev[0], (unsigned char)(i - 1));
		prev = p;
	}
	seq_push(&f.s, f.b, numbered(1));
	seq_close(&f.s, f.a);
	seq_close(&f.s, f.b);
	assert_int_equal(f.l.n, 1);
	seq_free(&f.s);
}

/*
 * A connection's chunks, given back, are kept for the next connections
 * (most hold a transaction or two, and a malloc and free of 16 KiB each
 * was 5% of a capture of short connections), up to SEQ_SPARE_MAX of them;
 * seq_free gives the kept ones back (AddressSanitizer sees to it).
 */
static void test_room_reused(void **state)
{
	struct fixture f;
	fixture(&f, 1000);
	unsigned char *p = seq_room(f.b, 100);
	assert_non_null(p);
	seq_push(&f.s, f.b, numbered(1));
	seq_close(&f.s, f.a);
	seq_close(&f.s, f.b);
	assert_int_equal(f.s.nspare, 1);
	/* The next connection's room is the chunk given back. */
	struct seq_conn *c = seq_open(&f.s);
	assert_ptr_equal(seq_room(c, 100), p);
	assert_int_equal(f.s.nspare, 0);
	/* A piece larger than a chunk has a chunk of its own, which is not kept. */
	assert_non_null(seq_room(c, 40000));
	seq_close(&f.s, c);
	assert_int_equal(f.s.nspare, 1);
	/* No more are kept than SEQ_SPARE_MAX, however many connections give theirs back at once. */
	struct seq_conn *w[SEQ_SPARE_MAX + 5];
	struct seq_conn *first = seq_open(&f.s); /* holds the others back until it closes */
	for (int i = 0; i < SEQ_SPARE_MAX + 5; i++) {
		w[i] = seq_open(&f.s);
		assert_non_null(seq_room(w[i], 10));
		seq_push(&f.s, w[i], numbered((uint32_t)i));
		seq_close(&f.s, w[i]);
	}
	assert_int_equal(f.s.nspare, 0);
	seq_close(&f.s, first);
	assert_int_equal(f.s.nspare, SEQ_SPARE_MAX);
	seq_free(&f.s);
	assert_int_equal(f.s.nspare, 0);
}

static void test_cap(void **state)
{
	/* Past max_pending, what waits is written, counted as reordered. */
	struct fixture f;
	fixture(&f, 2);
	seq_push(&f.s, f.b, numbered(1));
	seq_push(&f.s, f.b, numbered(2));
	assert_int_equal(f.l.n, 0);
	seq_push(&f.s, f.b, numbered(3));
	assert_int_equal(f.l.n, 3);
	assert_int_equal(f.reordered, 3);
	seq_close(&f.s, f.a);
	seq_close(&f.s, f.b);
	seq_free(&f.s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_hold),
		cmocka_unit_test(test_room),
		cmocka_unit_test(test_room_reused),
		cmocka_unit_test(test_cap),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
