/*
 * corelat.c: how long a cache line takes to go from one core to another and
 * back, measured between the first two cores this process may run on.
 *
 * Under -j, every frame, payload and transaction crosses between the
 * reading thread's core and a worker's, so -j's figures follow this round
 * trip.  On a virtual machine it is the host's placement of the two
 * virtual CPUs, which can change from one minute to the next (from about
 * 100 ns to about 900 ns on the project's machine): bench/run.py prints it
 * before and after its timings, beside the figures it explains.
 *
 *   corelat [--rounds N]    N round trips (default 200000), in 8 series;
 *                           prints the median series' round trip in ns
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum { SERIES = 8, DEADLINE_S = 30, MAX_ROUNDS = 1000000 };

/* The line that goes back and forth, on a line of its own. */
static _Alignas(64) _Atomic uint64_t ball;

static long rounds = 200000;
static int cpu_b;

static void pin(int cpu)
{
	cpu_set_t s;
	CPU_ZERO(&s);
	CPU_SET(cpu, &s);
	pthread_setaffinity_np(pthread_self(), sizeof s, &s);
}

/* The second core: answers every odd value with the next one. */
static void *answer(void *arg)
{
	(void)arg;
	pin(cpu_b);
	for (uint64_t v = 1; v < (uint64_t)SERIES * 2 * rounds; v += 2) {
		while (atomic_load_explicit(&ball, memory_order_acquire) != v)
			;
		atomic_store_explicit(&ball, v + 1, memory_order_release);
	}
	return NULL;
}

static void too_long(int sig)
{
	(void)sig;
	static const char msg[] = "corelat: no answer from the second core within 30 s\n";
	(void)!write(2, msg, sizeof msg - 1);
	_exit(1);
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "--rounds") == 0) {
		char *end;
		rounds = strtol(argv[2], &end, 10);
		if (*end || rounds < 1 || rounds > MAX_ROUNDS) {
			fprintf(stderr, "corelat: --rounds takes 1 to %d, not %s\n", MAX_ROUNDS, argv[2]);
			return 2;
		}
	} else if (argc != 1) {
		fprintf(stderr, "usage: corelat [--rounds N]\n");
		return 2;
	}
	cpu_set_t allowed;
	if (sched_getaffinity(0, sizeof allowed, &allowed) != 0) {
		perror("corelat: sched_getaffinity");
		return 1;
	}
	int cpus[2], n = 0;
	for (int c = 0; c < CPU_SETSIZE && n < 2; c++)
		if (CPU_ISSET(c, &allowed))
			cpus[n++] = c;
	if (n < 2) {
		printf("one core: no round trip\n");
		return 0;
	}
	cpu_b = cpus[1];
	signal(SIGALRM, too_long);
	alarm(DEADLINE_S);
	pin(cpus[0]);
	pthread_t th;
	if (pthread_create(&th, NULL, answer, NULL) != 0) {
		fprintf(stderr, "corelat: cannot start a thread\n");
		return 1;
	}
	double ns[SERIES];
	uint64_t v = 1;
	for (int s = 0; s < SERIES; s++) {
		struct timespec t0, t1;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		for (long i = 0; i < rounds; i++, v += 2) {
			atomic_store_explicit(&ball, v, memory_order_release);
			while (atomic_load_explicit(&ball, memory_order_acquire) != v + 1)
				;
		}
		clock_gettime(CLOCK_MONOTONIC, &t1);
		ns[s] = ((double)(t1.tv_sec - t0.tv_sec) * 1e9 + (double)(t1.tv_nsec - t0.tv_nsec)) / (double)rounds;
	}
	pthread_join(th, NULL);
	alarm(0);
	qsort(ns, SERIES, sizeof ns[0], by_value);
	printf("cpu%d-cpu%d round trip %.0f ns (series from %.0f to %.0f ns)\n", cpus[0], cpus[1],
	       (ns[SERIES / 2 - 1] + ns[SERIES / 2]) / 2, ns[0], ns[SERIES - 1]);
	return 0;
}
