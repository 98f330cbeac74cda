/* window.c: a window of a capture file that a reader parses records in place in, filled ahead from a file. */
#include "window.h"

#include <stdlib.h>
#include <string.h>

void window_init(struct window *w, FILE *f, bool read_ahead)
{
	memset(w, 0, sizeof *w);
	w->f = f;
	w->read_ahead = read_ahead;
}

void window_free(struct window *w)
{
	free(w->buf);
	memset(w, 0, sizeof *w);
}

int window_fill(struct window *w, size_t need)
{
	size_t have = w->end - w->pos;
	if (have >= need)
		return 1;
	if (w->pos) {
		memmove(w->buf, w->buf + w->pos, have);
		w->pos = 0;
		w->end = have;
	}
	/* From a file: room for WINDOW_READ more bytes than asked, in whole steps of stdio's buffer. */
	size_t cap = w->read_ahead ? (need + WINDOW_STEP - 1) / WINDOW_STEP * WINDOW_STEP + WINDOW_READ : need;
	if (cap > w->cap) {
		uint8_t *nb = realloc(w->buf, cap);
		if (!nb)
			return -1;
		w->buf = nb;
		w->cap = cap;
	}
	/* From a file, whole steps, at least WINDOW_READ bytes and what is needed; from a pipe, what is needed. */
	size_t want = w->read_ahead ? (w->cap - w->end) / WINDOW_STEP * WINDOW_STEP : need - w->end;
	w->end += fread(w->buf + w->end, 1, want, w->f);
	return w->end >= need;
}
