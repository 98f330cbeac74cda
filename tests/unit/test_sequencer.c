/* test_sequencer.c: output in connection order, and what goes at once. */
#include "wl_test.h"

#include <stddef.h>
#include <stdlib.h>

#include "sequencer.h"
#include "txn.h"

struct log {
	uint32_t emitted[256];
	int n;
	uint32_t asked[16];
	int nasked;
};

static void record(void *ctx, struct txn *t)
{
	struct log *l = ctx;
	assert_true(l->n < 256);
	l->emitted[l->n++] = t->index;
	txn_free(t);
}

/* Transactions numbered 100 or more go at once, as those the engine has nothing to write for. */
static bool quiet(void *ctx, const struct txn *t)
{
	struct log *l = ctx;
	l->asked[l->nasked++] = t->index;
	return t->index >= 100;
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
}

static void test_at_once(void **state)
{
	/* at_once is asked about each transaction that would wait, and only
	 * those; one it answers true for is written at once, the others
	 * wait for their turn, in order. */
	struct fixture f;
	fixture(&f, 100);
	f.s.at_once = quiet;
	seq_push(&f.s, f.a, numbered(1)); /* its turn: not asked */
	seq_push(&f.s, f.b, numbered(2));
	seq_push(&f.s, f.b, numbered(102));
	seq_push(&f.s, f.b, numbered(3));
	assert_int_equal(f.l.nasked, 3);
	assert_int_equal(f.l.asked[0], 2);
	assert_int_equal(f.l.asked[1], 102);
	assert_int_equal(f.l.asked[2], 3);
	assert_int_equal(f.l.n, 2);
	assert_int_equal(f.l.emitted[0], 1);
	assert_int_equal(f.l.emitted[1], 102);
	assert_int_equal(f.s.pending, 2);
	seq_push(&f.s, f.a, numbered(4));
	seq_close(&f.s, f.a);
	seq_close(&f.s, f.b);
	assert_int_equal(f.l.nasked, 3);
	assert_int_equal(f.l.n, 5);
	assert_int_equal(f.l.emitted[2], 4);
	assert_int_equal(f.l.emitted[3], 2);
	assert_int_equal(f.l.emitted[4], 3);
	assert_int_equal(f.s.pending, 0);
	assert_int_equal(f.reordered, 0);
}

static void test_at_once_not_counted(void **state)
{
	/* What goes at once does not count against max_pending. */
	struct fixture f;
	fixture(&f, 2);
	f.s.at_once = quiet;
	for (uint32_t i = 0; i < 10; i++)
		seq_push(&f.s, f.b, numbered(100 + i));
	seq_push(&f.s, f.b, numbered(1));
	seq_push(&f.s, f.b, numbered(2));
	assert_int_equal(f.l.n, 10);
	assert_int_equal(f.reordered, 0);
	seq_close(&f.s, f.a);
	seq_close(&f.s, f.b);
	assert_int_equal(f.l.n, 12);
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
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_at_once),
		cmocka_unit_test(test_at_once_not_counted),
		cmocka_unit_test(test_cap),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
