/* window.h: a window of a capture file that a reader parses records in place in, filled ahead from a file. */
#ifndef WL_WINDOW_H
#define WL_WINDOW_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/*
 * The pcap and pcapng readers parse each record where it lies in the
 * window, rather than copying it out.  From a regular file the window is
 * filled WINDOW_READ bytes at a time or more, in whole steps of stdio's
 * 64 KiB buffer (capture.c), so that glibc reads them straight into it
 * (e2e.read_size); from a pipe, only the bytes asked for, so that a record
 * is handed on as soon as it has been written.  buf[pos, end) is the file
 * from the reader's offset on.
 */
struct window {
	FILE *f;
	bool read_ahead;
	uint8_t *buf;
	size_t cap, pos, end;
	struct window_hold *held; /* buf's, once window_hold was asked for it */
};

/*
 * A window's buffer held by others than the window (-j: batches whose
 * payloads are still in it), so that it is not read over: it is freed
 * by the last to let it go, and the window reads on into a new one.
 */
struct window_hold {
	atomic_uint refs;      /* the window's own while it reads into the buffer, and one a holder */
	atomic_uint *live;     /* buffers held, counted for the holders' cap */
	uint8_t *buf;
};

#define WINDOW_STEP (64u << 10)
#define WINDOW_READ (4 * WINDOW_STEP)

void window_init(struct window *w, FILE *f, bool read_ahead);
void window_free(struct window *w);

/*
 * Makes the window hold at least need bytes from pos (the reader checks
 * need against its format's largest record first): 1; 0 when the file
 * ends or fails sooner (ferror(w->f) tells which); -1 when there is no
 * memory for them.
 */
int window_fill(struct window *w, size_t need);

/*
 * The window's buffer, held once more (NULL when there is no memory for
 * the hold): its bytes stay where they are until window_let_go.  live
 * counts the buffers so held, each once, until the last lets it go.
 */
struct window_hold *window_hold(struct window *w, atomic_uint *live);
void window_let_go(struct window_hold *h);

#endif
