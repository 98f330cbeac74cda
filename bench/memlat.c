/*
 * memlat.c: how long a load takes that misses the core's caches, from a
 * block of a few MB (the size of the history's table and of the
 * transactions a worker holds) and from one much larger: a walk of
 * dependent loads, each to a line chosen at random.
 *
 * wirelint's work on the small mix is much of it such loads (the
 * history's table of 65536 URLs, each connection's state), so its figures
 * follow these; on a virtual machine they are the host's, shared with its
 * other guests, and they move.  bench/run.py prints them before and after
 * its timings.
 *
 *   memlat [--loads N]    N loads a block (default 2000000); prints each
 *                         block's size and the time a load took
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { LINE = 64, MAX_LOADS = 100000000 };

static const size_t sizes_mb[] = { 8, 256 };

/* xorshift64: the same walk every run. */
static uint64_t next_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* ns a load, walking one cycle through every line of mb MB in random order. */
static double walk(size_t mb, long loads)
{
	size_t n = mb * 1024 * 1024 / LINE;
	char *block = aligned_alloc(LINE, n * LINE);
	size_t *order = malloc(n * sizeof *order);
	if (!block || !order) {
		free(block);
		free(order);
		return -1;
	}
	/* Sattolo's shuffle: one cycle through all n lines. */
	for (size_t i = 0; i < n; i++)
		order[i] = i;
	uint64_t s = 0x9e3779b97f4a7c15u;
	for (size_t i = n - 1; i > 0; i--) {
		size_t j = next_rand(&s) % i;
		size_t t = order[i];
		order[i] = order[j];
		order[j] = t;
	}
	for (size_t i = 0; i < n; i++) {
		void *to = block + order[(i + 1) % n] * LINE;
		memcpy(block + order[i] * LINE, &to, sizeof to);
	}
	free(order);
	void *p = block;
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (long i = 0; i < loads; i++)
		p = *(void *volatile *)p;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	free(block);
	return ((double)(t1.tv_sec - t0.tv_sec) * 1e9 + (double)(t1.tv_nsec - t0.tv_nsec)) / (double)loads;
}

int main(int argc, char **argv)
{
	long loads = 2000000;
	if (argc == 3 && strcmp(argv[1], "--loads") == 0) {
		char *end;
		loads = strtol(argv[2], &end, 10);
		if (*end || loads < 1 || loads > MAX_LOADS) {
			fprintf(stderr, "memlat: --loads takes 1 to %d, not %s\n", MAX_LOADS, argv[2]);
			return 2;
		}
	} else if (argc != 1) {
		fprintf(stderr, "usage: memlat [--loads N]\n");
		return 2;
	}
	for (size_t i = 0; i < sizeof sizes_mb / sizeof *sizes_mb; i++) {
		double ns = walk(sizes_mb[i], loads);
		if (ns < 0) {
			fprintf(stderr, "memlat: no memory for a block of %zu MB\n", sizes_mb[i]);
			return 1;
		}
		printf("%s%zu MB %.0f ns", i ? ", " : "a load at random: ", sizes_mb[i], ns);
	}
	printf("\n");
	return 0;
}
