/* output.h: writing transactions, findings and the summary, as text or jsonl. */
#ifndef WL_OUTPUT_H
#define WL_OUTPUT_H

#include <stdbool.h>
#include <stdio.h>

#include "stats.h"
#include "txn.h"

enum out_format { OUT_TEXT, OUT_JSONL };

struct out {
	FILE *f;
	enum out_format fmt;
	bool quiet; /* text: findings only, no summary */
};

/* Writes one finished transaction: its findings (text), or it and its findings (jsonl). */
void out_txn(struct out *o, const struct txn *t);

/* Writes the summary of the run over files[0..nfiles). */
void out_summary(struct out *o, const struct wl_stats *st, const char *const *files, int nfiles);

/* The formats' writers (out_text.c, out_jsonl.c). */
void out_text_txn(FILE *f, const struct txn *t);
void out_text_summary(FILE *f, const struct wl_stats *st, const char *const *files, int nfiles);
void out_jsonl_txn(FILE *f, const struct txn *t);
void out_jsonl_summary(FILE *f, const struct wl_stats *st, const char *const *files, int nfiles);

#endif
