/* test_mapread.c: the mapped stream reads a file byte for byte across windows, reads on when it grows, and fails cleanly when it shrinks. */
#define _GNU_SOURCE
#include "wl_test.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "mapread.h"

#define MiB (1u << 20)

/* A temporary file of n bytes of a pattern that differs at every offset a window could start at. */
static int make_file(char *path, size_t n)
{
	strcpy(path, "/tmp/wl-mapread-XXXXXX");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	uint8_t *b = malloc(n);
	assert_non_null(b);
	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)(i * 2654435761u >> 13);
	assert_int_equal(write(fd, b, n), (ssize_t)n);
	free(b);
	return fd;
}

static uint8_t expected(size_t i)
{
	return (uint8_t)(i * 2654435761u >> 13);
}

/* Reads the rest of f in reads of odd sizes; returns the bytes read, checking each against the pattern from at. */
static size_t read_all(FILE *f, size_t at)
{
	static uint8_t buf[70001];
	size_t total = 0, sizes[] = { 1, 16, 1514, 70001, 24, 4096 };
	for (int k = 0;; k++) {
		size_t want = sizes[k % 6], got = fread(buf, 1, want, f);
		for (size_t i = 0; i < got; i++)
			if (buf[i] != expected(at + total + i))
				fail_msg("byte %zu differs", at + total + i);
		total += got;
		if (got < want)
			return total;
	}
}

/* Across two window boundaries, from an offset that is not a page's. */
static void test_reads_every_byte(void **state)
{
	char path[64];
	size_t n = 9 * MiB + 777;
	int fd = make_file(path, n);
	struct mapread *mr;
	FILE *f = mapread_open(fd, 24, &mr);
	assert_non_null(f);
	assert_int_equal(read_all(f, 24), n - 24);
	assert_false(ferror(f));
	assert_false(mapread_shrank(mr, NULL));
	fclose(f); /* closes fd */
	unlink(path);
}

/* A file written on after the end was reached is read on, as read(2) would. */
static void test_reads_on_when_the_file_grows(void **state)
{
	char path[64];
	size_t n = 5 * MiB + 3;
	int fd = make_file(path, n);
	int wfd = open(path, O_WRONLY | O_APPEND);
	assert_true(wfd >= 0);
	struct mapread *mr;
	FILE *f = mapread_open(fd, 0, &mr);
	assert_int_equal(read_all(f, 0), n);
	uint8_t more[5000];
	for (size_t i = 0; i < sizeof more; i++)
		more[i] = expected(n + i);
	assert_int_equal(write(wfd, more, sizeof more), (ssize_t)sizeof more);
	clearerr(f);
	assert_int_equal(read_all(f, n), sizeof more);
	fclose(f);
	close(wfd);
	unlink(path);
}

/* Cut short under a mapped window: the bytes up to the cut are read, then the read fails with EIO and says so; the process lives. */
static void test_a_shrinking_file_fails_the_read(void **state)
{
	char path[64];
	size_t n = 3 * MiB;
	int fd = make_file(path, n);
	struct mapread *mr;
	FILE *f = mapread_open(fd, 0, &mr);
	uint8_t buf[100000];
	assert_int_equal(fread(buf, 1, sizeof buf, f), sizeof buf);
	assert_int_equal(truncate(path, 200000), 0);
	size_t got = read_all(f, sizeof buf);
	assert_true(ferror(f));
	/* Every byte up to the new end, none of the zeros a cut page reads as past it. */
	assert_int_equal(sizeof buf + got, 200000);
	uint64_t size = 0;
	assert_true(mapread_shrank(mr, &size));
	assert_int_equal(size, 200000);
	/* The failure stays: nothing past it is read. */
	clearerr(f);
	assert_int_equal(fread(buf, 1, 10, f), 0);
	assert_true(ferror(f));
	fclose(f);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reads_every_byte),
		cmocka_unit_test(test_reads_on_when_the_file_grows),
		cmocka_unit_test(test_a_shrinking_file_fails_the_read),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
