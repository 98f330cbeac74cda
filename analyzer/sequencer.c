/* sequencer.c: output in connection order. */
#include "sequencer.h"

#include <stdlib.h>

struct seq_conn {
	struct seq_conn *next;
	struct txn *head, *tail;
	bool closed;
};

void seq_init(struct sequencer *s, uint64_t max_pending, uint64_t *reordered,
	      void (*emit)(void *ctx, struct txn *t), void *ctx)
{
	s->first = s->last = NULL;
	s->pending = 0;
	s->max_pending = max_pending;
	s->reordered = reordered;
	s->emit = emit;
	s->at_once = NULL;
	s->ctx = ctx;
}

struct seq_conn *seq_open(struct sequencer *s)
{
	struct seq_conn *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
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
	if ((c == s->first && !c->head) || (s->at_once && s->at_once(s->ctx, t))) {
		s->emit(s->ctx, t);
		return;
	}
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
