/* output.c: dispatch to the chosen format, and the pace of flushing. */
#include "output.h"

#include <time.h>

/* A clock read in a few nanoseconds (the kernel's tick, a few ms coarse): it is read for every line written. */
static double coarse_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void out_flush(struct out *o)
{
	if (o->pending) {
		fflush(o->f);
		o->pending = false;
	}
}

void out_tick(struct out *o)
{
	if (o->pending && coarse_now() >= o->due)
		out_flush(o);
}

/*
 * Something was written: it goes out within OUT_PACE.  A flush for every
 * finding was a write(2) for every transaction of a server that breaks a
 * rule each time, a fifth of the run (docs/performance.md).
 */
static void written(struct out *o)
{
	if (!o->pending) {
		o->pending = true;
		o->due = coarse_now() + OUT_PACE;
	} else {
		out_tick(o);
	}
}

void out_txn(struct out *o, const struct txn *t)
{
	switch (o->fmt) {
	case OUT_JSONL:
		out_jsonl_txn(o->f, t);
		written(o);
		break;
	case OUT_TEXT:
		if (t->nfindings) {
			out_text_txn(o->f, t);
			written(o);
		}
		break;
	case OUT_SARIF:
	case OUT_JUNIT:
		for (unsigned i = 0; i < t->nfindings; i++)
			rep_add(o->rep, t, &t->findings[i]);
		break;
	}
}

void out_summary(struct out *o, const struct wl_stats *st, const char *const *files, int nfiles, int errors)
{
	switch (o->fmt) {
	case OUT_JSONL:
		out_jsonl_summary(o->f, st, files, nfiles);
		if (o->tr)
			out_jsonl_traffic(o->f, st, o->tr, o->rd, o->top);
		fputs("}\n", o->f);
		break;
	case OUT_TEXT:
		if (o->quiet)
			break;
		out_text_summary(o->f, st, files, nfiles, o->iface);
		if (o->tr)
			out_text_traffic(o->f, st, o->tr, o->rd, o->top);
		break;
	case OUT_SARIF:
		out_sarif_write(o->f, o->rep, st, errors);
		break;
	case OUT_JUNIT:
		out_junit_write(o->f, o->rep, st, o->fail_on);
		break;
	}
	fflush(o->f);
}
