/* test_cpus.c: the cores the default -j counts: a cgroup's CPU quota, where cgroup v2 is mounted, the affinity. */
#define _GNU_SOURCE /* sched_getaffinity, CPU_COUNT */
#include "wl_test.h"

#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cpus.h"

static void test_cpu_max(void **state)
{
	(void)state;
	assert_int_equal(cpus_of_cpu_max("max 100000\n"), 0);
	assert_int_equal(cpus_of_cpu_max("200000 100000\n"), 2);
	assert_int_equal(cpus_of_cpu_max("150000 100000\n"), 2); /* a part of a core counts as one */
	assert_int_equal(cpus_of_cpu_max("50000 100000"), 1);
	assert_int_equal(cpus_of_cpu_max("100000 100000\n"), 1);
	assert_int_equal(cpus_of_cpu_max("6400000 100000\n"), 64);
	assert_int_equal(cpus_of_cpu_max("100000\n"), 0); /* no period */
	assert_int_equal(cpus_of_cpu_max("100000 0\n"), 0);
	assert_int_equal(cpus_of_cpu_max("0 100000\n"), 0);
	assert_int_equal(cpus_of_cpu_max("-1 100000\n"), 0);
	assert_int_equal(cpus_of_cpu_max("100000 -1\n"), 0);
	assert_int_equal(cpus_of_cpu_max(" 100000 100000\n"), 0);
	assert_int_equal(cpus_of_cpu_max("two 100000\n"), 0);
	assert_int_equal(cpus_of_cpu_max("100000 100000 x\n"), 0);
	assert_int_equal(cpus_of_cpu_max(""), 0);
}

/* A directory under TMPDIR (ctest's scratch) holding cgroup-like files. */
static void put(const char *dir, const char *rel, const char *text)
{
	char p[4096];
	snprintf(p, sizeof p, "%s/%s", dir, rel);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void mk(const char *dir, const char *rel)
{
	char p[4096];
	snprintf(p, sizeof p, "%s/%s", dir, rel);
	assert_int_equal(mkdir(p, 0755), 0);
}

static void rm(const char *dir, const char *rel)
{
	char p[4096];
	snprintf(p, sizeof p, "%s/%s", dir, rel);
	assert_int_equal(remove(p), 0);
}

/* The lowest quota from the cgroup up to the mount counts; levels without cpu.max, or "max", do not. */
static void test_cgroup_levels(void **state)
{
	(void)state;
	const char *t = getenv("TMPDIR");
	char root[512];
	if ((size_t)snprintf(root, sizeof root, "%s/wl-cpus-XXXXXX", t && *t ? t : "/tmp") >= sizeof root)
		skip();
	assert_non_null(mkdtemp(root));
	mk(root, "a");
	mk(root, "a/b");
	mk(root, "a/b/c");
	assert_int_equal(cpus_of_cgroup(root, "/a/b/c"), 0);
	put(root, "cpu.max", "100000 100000\n"); /* the mount's own: counts too */
	assert_int_equal(cpus_of_cgroup(root, "/a/b/c"), 1);
	rm(root, "cpu.max");
	put(root, "a/cpu.max", "400000 100000\n");
	put(root, "a/b/cpu.max", "max 100000\n");
	assert_int_equal(cpus_of_cgroup(root, "/a/b/c"), 4);
	assert_int_equal(cpus_of_cgroup(root, "a/b/c/"), 4);
	assert_int_equal(cpus_of_cgroup(root, "/a"), 4);
	assert_int_equal(cpus_of_cgroup(root, "/"), 0);
	assert_int_equal(cpus_of_cgroup(root, ""), 0);
	put(root, "a/b/c/cpu.max", "150000 100000\n");
	assert_int_equal(cpus_of_cgroup(root, "/a/b/c"), 2);
	put(root, "a/b/c/cpu.max", "900000 100000\n"); /* more than its parent allows: the parent's */
	assert_int_equal(cpus_of_cgroup(root, "/a/b/c"), 4);
	/* A cgroup the mount does not show (moved, or another namespace's): the levels that exist. */
	assert_int_equal(cpus_of_cgroup(root, "/a/gone/deeper"), 4);
	rm(root, "a/b/c/cpu.max");
	rm(root, "a/b/cpu.max");
	rm(root, "a/cpu.max");
	rm(root, "a/b/c");
	rm(root, "a/b");
	rm(root, "a");
	rm(root, "");
}

static bool mount_of(const char *text, char *mount, char *root)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	assert_non_null(f);
	bool ok = cpus_cgroup2_mount(f, mount, root, 256);
	fclose(f);
	return ok;
}

static void test_cgroup2_mount(void **state)
{
	(void)state;
	char mount[256], root[256];
	/* cgroup v1 alone: no v2 hierarchy. */
	assert_false(mount_of("31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
			      "32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n",
			      mount, root));
	/* Hybrid: v2 mounted beside v1; optional fields before the separator. */
	assert_true(mount_of("32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
			     "40 31 0:35 / /sys/fs/cgroup/unified rw,nosuid shared:9 - cgroup2 cgroup2 rw,nsdelegate\n",
			     mount, root));
	assert_string_equal(mount, "/sys/fs/cgroup/unified");
	assert_string_equal(root, "/");
	/* Unified, seen from a container whose cgroup is not the mount's root. */
	assert_true(mount_of("1203 1190 0:27 /kubepods/pod1 /sys/fs/cgroup ro,nosuid - cgroup2 cgroup rw\n", mount, root));
	assert_string_equal(mount, "/sys/fs/cgroup");
	assert_string_equal(root, "/kubepods/pod1");
	/* "cgroup2" must be the file system type, not a word elsewhere. */
	assert_false(mount_of("50 31 0:40 / /mnt/cgroup2 rw - tmpfs cgroup2 rw\n", mount, root));
}

/* Whatever the machine, at least one and no more than the affinity allows. */
static void test_available(void **state)
{
	(void)state;
	cpu_set_t set;
	assert_int_equal(sched_getaffinity(0, sizeof set, &set), 0);
	unsigned n = cpus_available();
	assert_true(n >= 1);
	assert_true(n <= (unsigned)CPU_COUNT(&set));
	/* One core allowed: one. */
	cpu_set_t one;
	CPU_ZERO(&one);
	for (int c = 0; c < CPU_SETSIZE; c++)
		if (CPU_ISSET(c, &set)) {
			CPU_SET(c, &one);
			break;
		}
	assert_int_equal(sched_setaffinity(0, sizeof one, &one), 0);
	assert_int_equal(cpus_available(), 1);
	assert_int_equal(sched_setaffinity(0, sizeof set, &set), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cpu_max),
		cmocka_unit_test(test_cgroup_levels),
		cmocka_unit_test(test_cgroup2_mount),
		cmocka_unit_test(test_available),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
