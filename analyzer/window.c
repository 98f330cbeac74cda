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

struct window_hold *window_hold(struct window *w, atomic_uint *live)
{
	if (!w->held) {
		struct window_hold *h = malloc(sizeof *h);
		if (!h)
			return NULL;
		atomic_init(&h->refs, 1);
		h->live = live;
		h->buf = w->buf;
		atomic_fetch_add_explicit(live, 1, memory_order_relaxed);
		w->held = h;
	}
	atomic_fetch_add_explicit(&w->held->refs, 1, memory_order_relaxed);
	return w->held;
}

void window_let_go(struct window_hold *h)
{
	/* The last one frees: what the others did with the bytes happens before. */
	if (atomic_fetch_sub_explicit(&h->refs, 1, memory_order_acq_rel) == 1) {
		atomic_fetch_sub_explicit(h->live, 1, memory_order_relaxed);
		free(h->buf);
		free(h);
	}
}

/*
 * The window gives up its hold on its buffer: true when nobody else held
 * it, and the buffer is the window's alone again; false when others hold
 * it still, and the last of them frees it.
 */
static bool unhold(struct window *w)
{
	struct window_hold *h = w->held;
	w->held = NULL;
	/* Only this thread takes holds: the window's own alone is final. */
	if (atomic_load_explicit(&h->refs, memory_order_acquire) == 1) {
		atomic_fetch_sub_explicit(h->live, 1, memory_order_relaxed);
		free(h);
		return true;
	}
	window_let_go(h);
	return false;
}

void window_free(struct window *w)
{
	if (!w->held || unhold(w))
		free(w->buf);
	memset(w, 0, sizeof *w);
}

int window_fill(struct window *w, size_t need)
{
	size_t have = w->end - w->pos;
	if (have >= need)
		return 1;
	if (w->held && atomic_load_explicit(&w->held->refs, memory_order_acquire) > 1) {
		/* Held: the bytes not yet parsed go to a new buffer, and the
		 * held one stays as it is for its holders. */
		uint8_t *nb = malloc(w->cap);
		if (!nb)
			return -1;
		memcpy(nb, w->buf + w->pos, have);
		if (unhold(w))
			free(w->buf); /* let go of meanwhile */
		w->buf = nb;
		w->pos = 0;
		w->end = have;
	} else if (w->held) {
		unhold(w);
	}
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
