/* sequencer.c: output in connection order. */
#include "sequencer.h"

#include <stddef.h>
#include <stdlib.h>

/* A chunk of a connection's room: taken from the front, freed whole. */
struct room_chunk {
	struct room_chunk *next;
	size_t used, cap;
	_Alignas(max_align_t) unsigned char data[];
};

#define ROOM_CHUNK (16 << 10)

struct seq_conn {
	struct seq_conn *next;
	struct sequencer *seq;
	struct txn *head, *tail;
	struct room_chunk *room;
	bool closed;
};

void *seq_room(struct seq_conn *c, size_t n)
{
	const size_t align = _Alignof(max_align_t);
	n = (n + align - 1) & ~(align - 1);
	struct room_chunk *k = c->room;
	if (!k || k->cap - k->used < n) {
		struct sequencer *s = c->seq;
		if (n <= ROOM_CHUNK && s->spare) {
			k = s->spare;
			s->spare = k->next;
			s->nspare--;
		} else {
			size_t cap = n > ROOM_CHUNK ? n : ROOM_CHUNK;
			k = malloc(sizeof *k + cap);
			if (!k)
				return NULL;
			k->cap = cap;
		}
		k->next = c->room;
		k->used = 0;
		c->room = k;
	}
	void *p = k->data + k->used;
	k->used += n;
	return p;
}

/* Gives c's room back: nothing waits in it any more.  Chunks of the usual size are kept, up to SEQ_SPARE_MAX. */
static void room_free(struct seq_conn *c)
{
	struct sequencer *s = c->seq;
	while (c->room) {
		struct room_chunk *k = c->room;
		c->room = k->next;
		if (k->cap == ROOM_CHUNK && s->nspare < SEQ_SPARE_MAX) {
			k->next = s->spare;
			s->spare = k;
			s->nspare++;
		} else {
			free(k);
		}
	}
}

void seq_init(struct sequencer *s, uint64_t max_pending, uint64_t *reordered,
	      void (*emit)(void *ctx, struct txn *t), void *ctx)
{
	s->first = s->last = NULL;
	s->pending = 0;
	s->max_pending = max_pending;
	s->reordered = reordered;
	s->emit = emit;
	s->hold = NULL;
	s->ctx = ctx;
	s->spare = NULL;
	s->nspare = 0;
}

void seq_free(struct sequencer *s)
{
	while (s->spare) {
		struct room_chunk *k = s->spare;
		s->spare = k->next;
		free(k);
	}
	s->nspare = 0;
}

struct seq_conn *seq_open(struct sequencer *s)
{
	struct seq_conn *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	c->seq = s;
	if (s->last)
		s->last->next = c;
	else
		s->first = c;
	s->last = c;
	return c;
}

static void emit_held(struct sequencer *s, struct seq_conn *c)
{
	while (c->head) {
		struct txn *t = c->head;
		c->head = t->next;
		t->next = NULL;
		s->pending--;
		s->emit(s->ctx, t);
	}
	c->tail = NULL;
	room_free(c);
}

/* Writes what the head of the order allows: closed connections go, the first open one streams. */
static void advance(struct sequencer *s)
{
	while (s->first) {
		struct seq_conn *c = s->first;
		emit_held(s, c);
		if (!c->closed)
			return;
		s->first = c->next;
		if (!s->first)
			s->last = NULL;
		free(c);
	}
}

void seq_push(struct sequencer *s, struct seq_conn *c, struct txn *t)
{
	if (!c) {
		s->emit(s->ctx, t);
		return;
	}
	if (c == s->first && !c->head) {
		s->emit(s->ctx, t);
		return;
	}
	if (s->hold)
		t = s->hold(s->ctx, c, t);
	t->next = NULL;
	if (c->tail)
		c->tail->next = t;
	else
		c->head = t;
	c->tail = t;
	s->pending++;
	if (s->pending > s->max_pending) {
		/* The cap: write everything held, in connection order,
		 * though connections before them are still open. */
		*s->reordered += s->pending;
		for (struct seq_conn *x = s->first; x; x = x->next)
			emit_held(s, x);
	}
}

void seq_close(struct sequencer *s, struct seq_conn *c)
{
	if (!c)
		return;
	c->closed = true;
	advance(s);
}
