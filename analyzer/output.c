/* output.c: dispatch to the chosen format. */
#include "output.h"

void out_txn(struct out *o, const struct txn *t)
{
	if (o->fmt == OUT_JSONL)
		out_jsonl_txn(o->f, t);
	else
		out_text_txn(o->f, t);
}

void out_summary(struct out *o, const struct wl_stats *st, const char *const *files, int nfiles)
{
	if (o->fmt == OUT_JSONL)
		out_jsonl_summary(o->f, st, files, nfiles);
	else if (!o->quiet)
		out_text_summary(o->f, st, files, nfiles);
	fflush(o->f);
}
