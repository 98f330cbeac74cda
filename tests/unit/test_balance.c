/* test_balance.c: when -j's lightest worker thread rests, its shards run by another (balance.h). */
#include "wl_test.h"

#include "balance.h"

/* balance_rest's answer as a number: -1 none, else rest * 10 + to. */
static int ask(double r, const double *t, unsigned n, unsigned cores, double full)
{
	unsigned rest = 99, to = 99;
	if (!balance_rest(r, t, n, cores, full, &rest, &to)) {
		/* Nothing said when the answer is no. */
		assert_int_equal(rest, 99);
		assert_int_equal(to, 99);
		return -1;
	}
	return (int)(rest * 10 + to);
}

/* CPU times measured at -j 2 on two cores (docs/performance.md, "A worker thread rests"). */
static void test_measured(void **state)
{
	(void)state;
	/* nginx under a wrk-like load: the reading thread 0.149 s, the
	 * worker with two shards 0.120, the one with one 0.049.  Now about
	 * 0.149 + 0.049 = 0.198; the second resting, the first 0.169. */
	double nginx[] = {0.120, 0.049};
	assert_int_equal(ask(0.149, nginx, 2, 2, 0), 10);
	/* The web mix: 0.097, 0.064, 0.036 (0.133 now, 0.100 after). */
	double web[] = {0.064, 0.036};
	assert_int_equal(ask(0.097, web, 2, 2, 0), 10);
	/* The generated small mix: the workers are the heavy ones (0.65
	 * now, 1.0 with one resting). */
	double small[] = {0.65, 0.35};
	assert_int_equal(ask(0.30, small, 2, 2, 0), -1);
	/* The lightest may be the first: it rests, the other takes its shards. */
	double swapped[] = {0.049, 0.120};
	assert_int_equal(ask(0.149, swapped, 2, 2, 0), 1);
}

static void test_gain(void **state)
{
	(void)state;
	/* Now max(0.10, 0.10 + 0.05) = 0.15.  After: max(r, 0.15). */
	double t[] = {0.10, 0.05};
	/* r = 0.10: after 0.15, no shorter. */
	assert_int_equal(ask(0.10, t, 2, 2, 0), -1);
	/* r = 0.20: now 0.25, after 0.20: 20% shorter. */
	assert_int_equal(ask(0.20, t, 2, 2, 0), 10);
	/* BALANCE_GAIN (10%) shorter or more rests; less does not.
	 * t = {0.3, 0.1}, r = 0.5: now 0.6, after max(0.5, 0.4) = 0.5 (1/6
	 * shorter); r = 0.55: now 0.65, after 0.55 (15%). */
	double u[] = {0.3, 0.1};
	assert_int_equal(ask(0.5, u, 2, 2, 0), 10);
	assert_int_equal(ask(0.55, u, 2, 2, 0), 10);
	/* r + 0.1 = now, r = after: r / (r + 0.1) = 0.91 at r = 1.0111. */
	assert_int_equal(ask(1.02, u, 2, 2, 0), -1);
	assert_int_equal(ask(0.89, u, 2, 2, 0), 10); /* 0.89 / 0.99 = 0.899 */
}

static void test_threads_and_cores(void **state)
{
	(void)state;
	double t[] = {0.120, 0.049, 0.080, 0.090};
	/* More cores than workers: the reading thread has a core of its own already. */
	assert_int_equal(ask(0.30, t, 2, 4, 0), -1);
	/* More workers than cores (-j 3 on two): not what the estimate is of. */
	assert_int_equal(ask(0.30, t, 3, 2, 0), -1);
	/* One worker: none to rest. */
	assert_int_equal(ask(0.30, t, 1, 1, 0), -1);
	/* Four on four: the lightest (1) rests, the next lightest (2) takes
	 * its shards: now max(0.12, 0.30 + 0.049) = 0.349, after max(0.30,
	 * 0.129, 0.12, 0.09) = 0.30. */
	assert_int_equal(ask(0.30, t, 4, 4, 0), 12);
	/* With the reading thread lighter, the others set the time: now
	 * max(0.12, 0.10 + 0.049) = 0.149, after max(0.12, 0.129) = 0.129
	 * (13% shorter). */
	assert_int_equal(ask(0.10, t, 4, 4, 0), 12);
	/* Workers alike: the two lightest together (0.185) are about as long
	 * as the reader and the lightest (0.19) now. */
	double v[] = {0.10, 0.09, 0.095, 0.10};
	assert_int_equal(ask(0.10, v, 4, 4, 0), -1);
	/* With a heavier reader, now 0.24 and after 0.185: it rests. */
	assert_int_equal(ask(0.15, v, 4, 4, 0), 12);
}

static void test_too_little(void **state)
{
	(void)state;
	/* A live capture waiting for packets: a few microseconds in all. */
	double t[] = {0.0010, 0.0004};
	assert_int_equal(ask(0.0020, t, 2, 2, 0), -1);
	/* The same shares, ten times the time: enough to tell. */
	double u[] = {0.010, 0.004};
	assert_int_equal(ask(0.020, u, 2, 2, 0), 10);
}

static void test_queues_full(void **state)
{
	(void)state;
	/* The CPU times say rest, but the reading thread waited on full
	 * queues: the workers are behind, and none rests. */
	double t[] = {0.120, 0.049};
	assert_int_equal(ask(0.149, t, 2, 2, BALANCE_FULL_MAX), 10);
	assert_int_equal(ask(0.149, t, 2, 2, BALANCE_FULL_MAX * 1.01), -1);
	assert_int_equal(ask(0.149, t, 2, 2, 0.5), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_measured),
		cmocka_unit_test(test_gain),
		cmocka_unit_test(test_threads_and_cores),
		cmocka_unit_test(test_too_little),
		cmocka_unit_test(test_queues_full),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
