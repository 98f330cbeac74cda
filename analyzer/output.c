/* output.c: dispatch to the chosen format. */
#include "output.h"

void out_txn(struct out *o, const struct txn *t)
{
	switch (o->fmt) {
	case OUT_JSONL:
		out_jsonl_txn(o->f, t);
		break;
	case OUT_TEXT:
		out_text_txn(o->f, t);
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
