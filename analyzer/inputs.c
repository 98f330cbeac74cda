/* inputs.c: the captures a run reads. */
#define _XOPEN_SOURCE 700 /* nftw */
#include "inputs.h"

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

static bool add(struct inputs *in, const char *p)
{
	if (in->n == in->cap) {
		size_t ncap = in->cap ? in->cap * 2 : 16;
		char **np = realloc(in->paths, ncap * sizeof *np);
		if (!np)
			return false;
		in->paths = np;
		in->cap = ncap;
	}
	if (!(in->paths[in->n] = strdup(p)))
		return false;
	in->n++;
	return true;
}

static bool capture_name(const char *p)
{
	size_t l = strlen(p);
	/* A capture gzip-compressed is one too (compressed.c). */
	if (l > 3 && strcasecmp(p + l - 3, ".gz") == 0)
		l -= 3;
	static const char *const ext[] = { ".pcap", ".pcapng", ".cap" };
	for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++) {
		size_t el = strlen(ext[i]);
		if (l > el && strncasecmp(p + l - el, ext[i], el) == 0)
			return true;
	}
	return false;
}

/* nftw has no context argument: the walk in progress. */
static struct inputs *walk_in;
static bool walk_ok;

static int visit(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
	(void)ftw;
	/* A symbolic link is followed to a file, not to a directory. */
	struct stat target;
	bool file = type == FTW_F || (type == FTW_SL && stat(path, &target) == 0 && S_ISREG(target.st_mode));
	(void)sb;
	if (file && capture_name(path) && !add(walk_in, path)) {
		walk_ok = false;
		return 1;
	}
	if (type == FTW_DNR) {
		errno = EACCES;
		walk_ok = false;
		return 1;
	}
	return 0;
}

static int by_bytes(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

bool inputs_expand(struct inputs *in, const char *const *names, int n, char *err, size_t errlen)
{
	for (int i = 0; i < n; i++) {
		const char *name = names[i];
		struct stat sb;
		if (strcmp(name, "-") == 0 || (stat(name, &sb) == 0 && !S_ISDIR(sb.st_mode))) {
			if (!add(in, name)) {
				snprintf(err, errlen, "out of memory");
				return false;
			}
			continue;
		}
		if (stat(name, &sb) != 0) {
			/* Read in its turn, where the error is reported (exit 2)
			 * and the other files are still analysed. */
			if (!add(in, name)) {
				snprintf(err, errlen, "out of memory");
				return false;
			}
			continue;
		}
		size_t before = in->n;
		walk_in = in;
		walk_ok = true;
		if (nftw(name, visit, 32, FTW_PHYS) != 0 || !walk_ok) {
			snprintf(err, errlen, "%s: cannot read the directory: %s", name, strerror(errno));
			return false;
		}
		if (in->n == before)
			fprintf(stderr, "wirelint: %s: no .pcap, .pcapng or .cap file (or .gz of one) in this directory\n", name);
	}
	if (in->n)
		qsort(in->paths, in->n, sizeof *in->paths, by_bytes);
	/* Each file once. */
	size_t k = 0;
	for (size_t i = 0; i < in->n; i++) {
		if (k && strcmp(in->paths[k - 1], in->paths[i]) == 0) {
			free(in->paths[i]);
			continue;
		}
		in->paths[k++] = in->paths[i];
	}
	in->n = k;
	return true;
}

void inputs_free(struct inputs *in)
{
	for (size_t i = 0; i < in->n; i++)
		free(in->paths[i]);
	free(in->paths);
	memset(in, 0, sizeof *in);
}
