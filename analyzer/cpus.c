/* cpus.c: how many cores this process may use. */
#define _GNU_SOURCE /* sched_getaffinity, CPU_COUNT */
#include "cpus.h"

#include <sched.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Room for a path under the cgroup mount (analyzer/limits.h hides <limits.h>'s PATH_MAX). */
#define PATH_ROOM 4096

unsigned cpus_of_cpu_max(const char *line)
{
	char *end;
	/* Digits only: strtoull would take a sign, or spaces, too. */
	if (*line < '0' || *line > '9')
		return 0;
	unsigned long long quota = strtoull(line, &end, 10);
	if (end == line || *end != ' ')
		return 0;
	const char *p = end + 1;
	if (*p < '0' || *p > '9')
		return 0;
	unsigned long long period = strtoull(p, &end, 10);
	if (end == p || (*end && *end != '\n') || !period || !quota)
		return 0;
	unsigned long long n = quota / period + (quota % period != 0);
	return n > 65536 ? 65536 : (unsigned)n;
}

unsigned cpus_of_cgroup(const char *mount, const char *path)
{
	char dir[PATH_ROOM];
	size_t floor = strlen(mount);
	while (*path == '/')
		path++;
	if ((size_t)snprintf(dir, sizeof dir, "%s/%s", mount, path) >= sizeof dir)
		return 0;
	size_t l = strlen(dir);
	while (l > floor && dir[l - 1] == '/')
		dir[--l] = 0;
	unsigned lowest = 0;
	for (;;) {
		char file[PATH_ROOM + 16];
		snprintf(file, sizeof file, "%s/cpu.max", dir);
		FILE *f = fopen(file, "r");
		if (f) {
			char line[128];
			unsigned n = fgets(line, sizeof line, f) ? cpus_of_cpu_max(line) : 0;
			if (n && (!lowest || n < lowest))
				lowest = n;
			fclose(f);
		}
		/* Up one level, to the mount and no further. */
		char *slash = strlen(dir) > floor ? strrchr(dir + floor, '/') : NULL;
		if (!slash)
			return lowest;
		*slash = 0;
	}
}

bool cpus_cgroup2_mount(FILE *f, char *mount, char *root, size_t n)
{
	char line[4096];
	while (fgets(line, sizeof line, f)) {
		/* ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPEROPTIONS */
		const char *sep = strstr(line, " - ");
		if (!sep || strncmp(sep + 3, "cgroup2 ", 8) != 0)
			continue;
		char r[1024], m[1024];
		if (sscanf(line, "%*s %*s %*s %1023s %1023s", r, m) != 2)
			continue;
		if (strlen(r) >= n || strlen(m) >= n)
			continue;
		strcpy(root, r);
		strcpy(mount, m);
		return true;
	}
	return false;
}

/* The cgroup v2 quota of this process, in whole cores; 0 when none or unknown. */
static unsigned quota_cpus(void)
{
	char mount[1024], root[1024], path[1024] = "";
	FILE *f = fopen("/proc/self/mountinfo", "r");
	if (!f)
		return 0;
	bool v2 = cpus_cgroup2_mount(f, mount, root, sizeof mount);
	fclose(f);
	if (!v2 || !(f = fopen("/proc/self/cgroup", "r")))
		return 0;
	char line[1024];
	while (fgets(line, sizeof line, f)) {
		if (strncmp(line, "0::", 3) == 0) {
			snprintf(path, sizeof path, "%s", line + 3);
			path[strcspn(path, "\n")] = 0;
			break;
		}
	}
	fclose(f);
	if (!path[0])
		return 0;
	/* The path as the mount shows it: below the mount's own root. */
	const char *rel = path;
	size_t rl = strlen(root);
	if (strcmp(root, "/") != 0 && strncmp(path, root, rl) == 0 && (path[rl] == '/' || !path[rl]))
		rel = path + rl;
	return cpus_of_cgroup(mount, rel);
}

unsigned cpus_available(void)
{
	long n = 0;
	cpu_set_t set;
	if (sched_getaffinity(0, sizeof set, &set) == 0)
		n = CPU_COUNT(&set);
	if (n < 1)
		n = sysconf(_SC_NPROCESSORS_ONLN);
	if (n < 1)
		n = 1;
	unsigned q = quota_cpus();
	if (q && q < (unsigned long)n)
		n = q;
	return (unsigned)n;
}
