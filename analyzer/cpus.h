/* cpus.h: how many cores this process may use: its CPU affinity and its cgroup's CPU quota. */
#ifndef WL_CPUS_H
#define WL_CPUS_H

#include <stdbool.h>
#include <stdio.h>

/*
 * The cores this process may run on (sched_getaffinity, as nproc counts
 * them), fewer when its cgroup (v2) allows less CPU time than that: a
 * container given 2 CPUs on a 64-core machine gets 2.  At least 1.
 */
unsigned cpus_available(void);

/*
 * The whole cores a cgroup v2 cpu.max line allows ("200000 100000": 2; a
 * part of a core counts as one); 0 for "max" (no limit) or a line that
 * is not "QUOTA PERIOD".
 */
unsigned cpus_of_cpu_max(const char *line);

/*
 * The lowest quota (cpus_of_cpu_max) of the cpu.max files from
 * mount/path up to mount; 0 when none sets one.
 */
unsigned cpus_of_cgroup(const char *mount, const char *path);

/*
 * From /proc/self/mountinfo's lines (f), where the cgroup v2 hierarchy
 * is mounted (mount, n bytes) and the cgroup path it shows as its root
 * (root, n bytes); false when it is not mounted.
 */
bool cpus_cgroup2_mount(FILE *f, char *mount, char *root, size_t n);

#endif
