/* test_fieldval.c: imf_fixdate's parse, and its memo of the last dates parsed on a thread. */
#include "wl_test.h"

#include <pthread.h>
#include <stdio.h>

#include "fieldval.h"

struct date_case {
	const char *s;
	bool ok;
	time_t t;
};

static const struct date_case dates[] = {
	{ "Sun, 06 Nov 1994 08:49:37 GMT", true, 784111777 },
	{ "Thu, 01 Jan 1970 00:00:00 GMT", true, 0 },
	{ "Tue, 29 Feb 2000 12:00:00 GMT", true, 951825600 },
	{ "Mon, 03 Nov 2025 10:00:00 GMT", true, 1762164000 },
	{ "Mon, 03 Nov 2025 10:00:01 GMT", true, 1762164001 },
	{ "Thu, 26 Nov 2026 02:27:54 GMT", true, 1795660074 },
	{ "Wed, 29 Feb 2001 12:00:00 GMT", false, 0 }, /* 2001 is not a leap year */
	{ "Mon, 06 Nov 1994 08:49:37 GMT", false, 0 }, /* 6 Nov 1994 was a Sunday */
	{ "Sun, 06 Nov 1994 24:49:37 GMT", false, 0 },
	{ "Sun, 06 Nov 1994 08:49:37 UTC", false, 0 },
	{ "Sun, 06 Nov 1994 08:49:37 GMT ", false, 0 }, /* 30 bytes */
	{ "Sunday, 06-Nov-94 08:49:37 GMT", false, 0 },
};

enum { NDATES = sizeof dates / sizeof dates[0] };

static void expect(const struct date_case *c)
{
	time_t t = -1;
	bool ok = imf_fixdate(c->s, strlen(c->s), &t);
	if (ok != c->ok)
		fail_msg("\"%s\": %s, want %s", c->s, ok ? "a date" : "not a date", c->ok ? "a date" : "not a date");
	if (ok && t != c->t)
		fail_msg("\"%s\": %lld, want %lld", c->s, (long long)t, (long long)c->t);
}

static void test_dates(void **state)
{
	(void)state;
	for (int i = 0; i < NDATES; i++)
		expect(&dates[i]);
}

/*
 * Whatever the memo holds, the answer is the parse's: each date after
 * each other one (so that every pair is in the memo when a third comes),
 * and again in the opposite order.
 */
static void test_memo_any_order(void **state)
{
	(void)state;
	for (int i = 0; i < NDATES; i++)
		for (int j = 0; j < NDATES; j++)
			for (int k = 0; k < NDATES; k++) {
				expect(&dates[i]);
				expect(&dates[j]);
				expect(&dates[k]);
				expect(&dates[i]);
			}
}

/* A value one byte off a date in the memo is parsed, not taken for it; so are 29 NUL bytes (the memo's bytes before its first use). */
static void test_memo_near_miss(void **state)
{
	(void)state;
	const struct date_case *d = &dates[0];
	expect(d);
	char s[30];
	for (size_t i = 0; i < 29; i++) {
		memcpy(s, d->s, 30);
		s[i] = s[i] == '9' ? '8' : '9';
		time_t t = -1;
		bool ok = imf_fixdate(s, 29, &t);
		/* Only a change of a digit can still be a date, and then not the same second. */
		if (ok && t == d->t)
			fail_msg("\"%s\" (byte %zu changed) gave the memo's %lld", s, i, (long long)d->t);
		expect(d);
	}
	char zeros[29] = { 0 };
	time_t t = -1;
	assert_false(imf_fixdate(zeros, sizeof zeros, &t));
	/* A prefix of a date in the memo is not it. */
	expect(d);
	assert_false(imf_fixdate(d->s, 28, &t));
}

/* Each thread has its memo: two threads parsing different dates at once each get their own. */
static void *parse_many(void *arg)
{
	const struct date_case *c = arg;
	const struct date_case *other = c + 1;
	for (int i = 0; i < 200000; i++) {
		time_t t = -1;
		const struct date_case *x = i % 3 ? c : other;
		if (imf_fixdate(x->s, 29, &t) != x->ok || (x->ok && t != x->t))
			return (void *)x;
	}
	return NULL;
}

static void test_memo_per_thread(void **state)
{
	(void)state;
	pthread_t a, b;
	assert_int_equal(pthread_create(&a, NULL, parse_many, (void *)&dates[0]), 0);
	assert_int_equal(pthread_create(&b, NULL, parse_many, (void *)&dates[3]), 0);
	void *ra, *rb;
	pthread_join(a, &ra);
	pthread_join(b, &rb);
	if (ra || rb)
		fail_msg("a thread got a wrong answer for \"%s\"", ((const struct date_case *)(ra ? ra : rb))->s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_memo_any_order),
		cmocka_unit_test(test_memo_near_miss),
		cmocka_unit_test(test_memo_per_thread),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
