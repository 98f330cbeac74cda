/* output.h: writing transactions, findings and the summary, as text or jsonl. */
#ifndef WL_OUTPUT_H
#define WL_OUTPUT_H

#include <stdbool.h>
#include <stdio.h>

#include "redirects.h"
#include "report.h"
#include "traffic.h"
#include "stats.h"
#include "txn.h"

/* text and jsonl stream; sarif and junit are written whole at the end, from a report. */
enum out_format { OUT_TEXT, OUT_JSONL, OUT_SARIF, OUT_JUNIT };

struct out {
	FILE *f;
	enum out_format fmt;
	bool quiet;          /* text: findings only, no summary */
	int fail_on;         /* junit: the severity from which a finding fails its test case (-1 none) */
	struct report *rep;  /* sarif, junit: where findings are kept */
	/* For the summary's statistics: set once the engine exists. */
	const struct traffic *tr;
	const struct redir_table *rd;
	uint32_t top;        /* --top N: rows of the top tables */
	const char *iface;   /* a live capture's interface (the summary names it, not files), or NULL */
	/* Pacing (out_txn): what was written waits in the stream's buffer
	 * OUT_PACE seconds at most, so that it goes out in blocks. */
	bool pending;        /* written, not flushed yet */
	double due;          /* when it must be flushed, in CLOCK_MONOTONIC_COARSE seconds */
};

/* How long written output may wait in the buffer: 50 ms. */
#define OUT_PACE 0.05

/* Whether the format is written whole at the end. */
static inline bool out_is_document(enum out_format f)
{
	return f == OUT_SARIF || f == OUT_JUNIT;
}

/*
 * Writes one finished transaction: its findings (text), or it and its
 * findings (jsonl).  What it writes is flushed once OUT_PACE has passed
 * since the oldest output not flushed yet, here or at out_tick.
 */
void out_txn(struct out *o, const struct txn *t);

/* Flushes what waits in the buffer: before waiting for input, at the end. */
void out_flush(struct out *o);

/* Flushes what has waited OUT_PACE or longer: called as packets and clock ticks go by. */
void out_tick(struct out *o);

/* Writes the summary of the run over files[0..nfiles) (errors: files that could not be read whole). */
void out_summary(struct out *o, const struct wl_stats *st, const char *const *files, int nfiles, int errors);

/* The formats' writers (out_text.c, out_jsonl.c). */
void out_text_txn(FILE *f, const struct txn *t);
void out_text_summary(FILE *f, const struct wl_stats *st, const char *const *files, int nfiles, const char *iface);
void out_text_traffic(FILE *f, const struct wl_stats *st, const struct traffic *tr, const struct redir_table *rd,
		      uint32_t top);
void out_html_write(FILE *f, const struct report *rep, const struct wl_stats *st, const struct traffic *tr,
		    const struct redir_table *rd, uint32_t top);
void out_jsonl_traffic(FILE *f, const struct wl_stats *st, const struct traffic *tr, const struct redir_table *rd,
		       uint32_t top);
void out_jsonl_txn(FILE *f, const struct txn *t);
void out_jsonl_summary(FILE *f, const struct wl_stats *st, const char *const *files, int nfiles);
void out_sarif_write(FILE *f, const struct report *rep, const struct wl_stats *st, int errors);
void out_junit_write(FILE *f, const struct report *rep, const struct wl_stats *st, int fail_on);

#endif
