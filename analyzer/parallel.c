/* parallel.c: -j N: frames to workers in batches, their results merged back in order. */
#include "parallel.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conn.h"
#include "decode.h"
#include "endpoint.h"
#include "engine.h"
#include "head.h"
#include "fingerprint.h"
#include "history.h"
#include "redirects.h"
#include "sequencer.h"
#include "traffic.h"
#include "txn.h"
#include "verdict.h"
#include "window.h"

enum {
	BATCH_ITEMS = 512,         /* frames (and clock marks) handed over at once */
	BATCH_BYTES = 512 << 10,   /* their payload bytes, copied out of the reader's buffer */
	MAX_QUEUED = 4,            /* batches waiting for a shard: the reader waits past that (docs/performance.md) */
	BLOCK_EVENTS = 256,        /* results handed back at once */
	BLOCK_TEXT = 32 << 10,     /* their samples' names (TR_SAMPLE_TEXT at most each) */
	MERGE_AHEAD = 8,           /* events ahead of the merge whose history slots are asked for */
	EVENT_AHEAD = 16,          /* and whose own lines are */
	ITEM_AHEAD = 6,            /* items ahead of the one a worker runs whose lines are asked for */
	PAYLOAD_AHEAD = 3,         /* and whose payload is, */
	PAYLOAD_AHEAD_BYTES = 1536, /* up to this much of it */
	SLOT_AHEAD = 4,            /* frames ahead whose flow-table slot is asked for, */
	CONN_AHEAD = 2,            /* and whose connection's lines are (conn_prefetch) */
	FLUSH_EVERY = 4096,        /* frames after which every worker is told how far reading got */
	FLUSH_SHORT = 1024,        /* or segments shorter than a full one: about as many messages ended */
	SHORT_SEGMENT = 1024,      /* payload bytes under which a segment counts as short */
	BATCH_HOLDS = 4,           /* reading windows a batch may hold its payloads in (window_hold) */
	MAX_HELD_WINDOWS = 48,     /* windows held by all batches at once: past that, payloads are copied */
};

/* IT_FRAME_LEFT: a frame whose payload was left in the file, at off (the reading engine's src_fd). */
enum item_kind { IT_FRAME, IT_FRAME_LEFT, IT_CLOCK, IT_BEGIN, IT_END };

/* A cache line: what two threads writing and reading apart must not share. */
#define CACHE_LINE 64

struct item {
	uint8_t kind;
	bool sweep, settle, live;
	uint32_t rec_len;
	uint32_t hash;             /* a frame's flow key's (flow_key_hash) */
	uint8_t side;              /* and its sender's side of the key */
	uint64_t g, frame, rec_off;
	uint64_t off;              /* of the segment's payload in the batch's data, or in the file (IT_FRAME_LEFT) */
	uint64_t pay_off;          /* of the payload in the file, or 0 (engine.pay_off) */
	int64_t now;
	struct timeval ts;
	const char *file;
	struct dec_pkt pkt;        /* the segment, decoded by the reader; its payload is at off */
};

/*
 * Transactions the merge is done with, going back to the worker that made
 * them to be freed: pointers in blocks of the merge's own, so that giving
 * one back does not write to the transaction (memory of the other core).
 */
struct txn_list {
	struct txn_list *next;
	uint32_t n;
	struct txn *t[510];
};

struct batch {
	struct batch *next;
	uint64_t through;          /* the worker has everything up to this g once it has this batch */
	uint32_t n;
	size_t len, cap;
	uint8_t *data;
	/* The reading windows its payloads lie in, held until it is done
	 * (payloads not copied into data: their items point into these). */
	uint32_t nheld;
	struct window_hold *held[BATCH_HOLDS];
	struct item items[BATCH_ITEMS];
};

enum ev_kind { EV_OPEN, EV_REDIR, EV_TXN, EV_CLOSE };

/*
 * What a worker tells the merge.  For a transaction (EV_TXN), all the
 * merge needs to count it and judge it by the history (the facts, its
 * sample, how many findings it has), so that most transactions, which end
 * without findings, are merged without the merge reading them: memory the
 * other core wrote.
 */
struct event {
	struct par_key key;
	uint8_t kind;
	bool redirect;              /* EV_REDIR: t's response is a redirect (redir_is_redirect) */
	uint16_t nfindings;         /* EV_TXN: t's findings as its worker finished it */
	bool sampled;               /* EV_TXN: sample is t's (t has a response) */
	struct par_conn *pc;
	struct txn *t;              /* EV_REDIR, EV_TXN */
	struct tr_sample sample;    /* EV_TXN: t's, its names in the block's text */
	union {
		char ip[sizeof ((struct endpoints *)0)->client_ip]; /* EV_REDIR: the client's address */
		struct hist_facts hf;   /* EV_TXN: for the history (url_key 0: nothing to observe) */
	} u;
};

/*
 * A worker's results.  A transaction's sample travels in its event, its
 * names in the block's text, rather than in an allocation of its own: the
 * merge reads the block in order, and the worker neither allocates nor
 * frees anything for it (docs/performance.md).
 */
struct evblock {
	struct evblock *next;       /* in a worker's results, or in the ones the merge gives back */
	uint32_t n;
	uint32_t text_len;          /* bytes of text used */
	struct event ev[BLOCK_EVENTS];
	char text[BLOCK_TEXT];
};
_Static_assert(TR_SAMPLE_TEXT <= BLOCK_TEXT, "a sample's names fit in an empty block");

/* Redirect findings of a transaction still being read, held for it. */
struct redir_held {
	struct redir_held *next;
	const struct txn *t;
	struct txn *found;
};

/*
 * A shard's word to the reading thread about a connection whose bytes it
 * no longer needs (blind, reasm_blind), or one that closed (!blind).
 */
struct skip_note {
	struct flow_key key;
	bool blind;
};

struct skip_notes {
	struct skip_note *v;
	uint32_t n, cap;
};

/* The merge's record of a worker's connection. */
struct par_conn {
	uint64_t id;
	struct seq_conn *sc;
	struct redir_held *held;
};

/*
 * A shard: an engine with the connections whose flow keys hash to it, its
 * queue of batches and its results.  There is one shard more than worker
 * threads, and shard i is thread i % nthreads's alone (owner): one thread
 * runs two, so that the reading thread, the third on two cores, shares
 * them with a lighter load (docs/performance.md).  In this file a shard is
 * w, and "worker" is a shard as its thread runs it (a thread runs one
 * shard's batch at a time); a worker thread is struct par_thread.
 */
struct par_shard {
	struct par *par;
	const atomic_bool *clients; /* par.clients */
	struct engine e;
	/* Under par.mu. */
	struct batch *q_head, *q_tail;
	unsigned queued;
	struct batch *spare;
	struct evblock *pub_head, *pub_tail;
	uint64_t done;             /* through of the last batch done */
	/* Given back by the merge after each of its runs, taken when the
	 * worker starts its next batch: transactions to free, result blocks
	 * to fill again. */
	struct txn_list *back;
	struct evblock *back_blocks;
	struct wl_stats seen;      /* live: the worker's counters as of its last batch, for the status line */
	uint32_t open;             /* live: its connections open then */
	struct skip_notes pub_notes; /* for the reading thread, which takes them with the next batch it hands over */
	/* Its thread's own: on lines of their own (CACHE_LINE), as are the
	 * reading thread's below, so that the worker writing cur at every
	 * frame does not take the line the reader reads fill from at every
	 * frame away from the reader's core (docs/performance.md). */
	_Alignas(CACHE_LINE) struct evblock *loc_head, *loc_tail;
	struct evblock *blocks;    /* emptied by the merge, to fill again */
	struct skip_notes loc_notes;
	const struct item *cur;    /* the frame run_batch is at */
	uint8_t *again;            /* a payload read again from the file (par_payload) */
	size_t again_cap;
	uint64_t reread;           /* payloads read again (WIRELINT_JOBS_STATS) */
	/* The reading thread's own. */
	_Alignas(CACHE_LINE) struct batch *fill;
	struct txn_list *written;  /* done with, to go back after this run of the merge (back) */
	struct evblock *emptied;   /* merged, likewise */
	struct evblock *m_head, *m_tail;
	uint32_t m_pos;
	uint64_t m_done;
};
_Static_assert(sizeof(struct par_shard) % CACHE_LINE == 0, "the next shard in the array starts on a line of its own");

/* A worker thread. */
struct par_thread {
	struct par *p;
	unsigned me;
	pthread_t th;
	pthread_cond_t cv;         /* a batch it may take (pick), or quit */
	bool idle;                 /* waiting on cv; under par.mu */
};

struct par {
	struct engine *e;
	unsigned n;                /* shards */
	uint32_t batch_items;      /* BATCH_ITEMS, or fewer for the tests (WIRELINT_JOBS_BATCH) */
	uint64_t flushed_g;
	uint32_t short_since;      /* segments with a short payload since the last flush (FLUSH_SHORT) */
	struct par_shard *w;
	atomic_bool clients;       /* the merge's history holds clients (par_clients) */
	/*
	 * The reading thread's: the connections, by flow key, whose shards
	 * said they need none of their bytes.  Their payloads are not copied
	 * into the batches (the shard gets where they lie in the file).  A
	 * key may stay here a little after its connection closed, or be
	 * reused by a new one first: the shard then reads the payload again
	 * from the file (par_payload), so nothing depends on when the word
	 * arrives.
	 */
	struct flow_table skip;
	bool elide_all;            /* the tests: every payload the file holds is left there (WIRELINT_JOBS_ELIDE) */
	bool stats;                /* WIRELINT_JOBS_STATS: say how many payloads were copied, left, read again, held */
	uint64_t copied, elided, held;
	atomic_uint held_windows;  /* reading windows the batches hold */
	/* The merge's: redirect findings held for transactions still being
	 * read (struct redir_held), over all connections.  While there are
	 * none, a transaction is merged without its connection's record
	 * being read: with many connections, a cache miss each. */
	uint64_t redir_held;
	unsigned max_held;         /* MAX_HELD_WINDOWS, or another cap for the tests (WIRELINT_JOBS_HOLD) */
	unsigned nthreads;         /* th's length, each with its cv; shard i is thread i % nthreads's */
	unsigned started;          /* of them running, to be joined */
	struct par_thread *th;
	pthread_mutex_t mu;        /* the shards' queues, results and counters */
	pthread_cond_t cv_done;    /* a batch done */
	bool quit;
};

static int key_cmp(const struct par_key *a, const struct par_key *b)
{
	if (a->g != b->g)
		return a->g < b->g ? -1 : 1;
	if (a->phase != b->phase)
		return a->phase < b->phase ? -1 : 1;
	if (a->sub != b->sub)
		return a->sub < b->sub ? -1 : 1;
	return 0;
}

static void out_of_memory(void)
{
	/* A result dropped would change the output: stop, with what was
	 * written so far flushed, and exit status 2 as for any read error. */
	fputs("wirelint: out of memory in the hand-over between threads; run with -j 1 or lower the caps\n", stderr);
	fflush(NULL);
	_exit(2);
}

/* Appends the list from (head, tail) to the list to, and empties from. */
static void blocks_move(struct evblock **to_head, struct evblock **to_tail, struct evblock **from_head,
			struct evblock **from_tail)
{
	if (!*from_head)
		return;
	if (*to_tail)
		(*to_tail)->next = *from_head;
	else
		*to_head = *from_head;
	*to_tail = *from_tail;
	*from_head = *from_tail = NULL;
}

/* ---- worker side ---- */

/* An event at the end of the worker's results, in a block with room for text bytes of names. */
static struct event *ev_add_text(struct engine *we, enum ev_kind kind, struct par_conn *pc, struct txn *t,
				 size_t text)
{
	struct par_shard *w = we->shard;
	struct evblock *b = w->loc_tail;
	if (!b || b->n == BLOCK_EVENTS || b->text_len + text > BLOCK_TEXT) {
		b = w->blocks;
		if (b)
			w->blocks = b->next;
		else if (!(b = malloc(sizeof *b)))
			out_of_memory();
		b->next = NULL;
		b->n = 0;
		b->text_len = 0;
		if (w->loc_tail)
			w->loc_tail->next = b;
		else
			w->loc_head = b;
		w->loc_tail = b;
	}
	struct event *ev = &b->ev[b->n++];
	ev->key = we->key;
	ev->kind = (uint8_t)kind;
	ev->redirect = false;
	ev->nfindings = 0;
	ev->sampled = false;
	ev->pc = pc;
	ev->t = t;
	return ev;
}

static struct event *ev_add(struct engine *we, enum ev_kind kind, struct par_conn *pc, struct txn *t)
{
	return ev_add_text(we, kind, pc, t, 0);
}

/* Frees the transactions in l, and l. */
static void txn_lists_free(struct txn_list *l)
{
	while (l) {
		struct txn_list *next = l->next;
		for (uint32_t i = 0; i < l->n; i++)
			txn_free(l->t[i]);
		free(l);
		l = next;
	}
}

/*
 * Adds a word for the reading thread.  One that cannot be kept (memory)
 * only costs speed: without it the reader copies the connection's
 * payloads, or a worker reads them again from the file.
 */
static void note(struct skip_notes *n, const struct flow_key *k, bool blind)
{
	if (n->n == n->cap) {
		uint32_t nc = n->cap ? n->cap * 2 : 16;
		struct skip_note *nv = realloc(n->v, nc * sizeof *nv);
		if (!nv)
			return;
		n->v = nv;
		n->cap = nc;
	}
	n->v[n->n++] = (struct skip_note){ *k, blind };
}

/* Appends from's words to to's, emptying from (to's memory permitting). */
static void notes_move(struct skip_notes *to, struct skip_notes *from)
{
	if (!to->n) {
		struct skip_notes t = *to;
		*to = *from;
		*from = t;
		from->n = 0;
		return;
	}
	for (uint32_t i = 0; i < from->n; i++)
		note(to, &from->v[i].key, from->v[i].blind);
	from->n = 0;
}

/* The client's address, copied: the merge must not read the connection. */
static void client_ip(const struct conn *c, char *ip)
{
	memcpy(ip, c->ep->client_ip, sizeof c->ep->client_ip);
}

void par_conn_open(struct engine *we, struct conn *c)
{
	c->pc = calloc(1, sizeof *c->pc);
	if (!c->pc)
		out_of_memory();
	ev_add(we, EV_OPEN, c->pc, NULL);
}

void par_conn_close(struct engine *we, struct conn *c)
{
	ev_add(we, EV_CLOSE, c->pc, NULL);
	c->pc = NULL;
	if (conn_passed_over(c))
		note(&we->shard->loc_notes, &c->fe.key, false);
}

void par_conn_blind(struct engine *we, struct conn *c)
{
	note(&we->shard->loc_notes, &c->fe.key, true);
}

void par_payload(struct engine *we, struct dec_pkt *pkt)
{
	struct par_shard *w = we->shard;
	const struct item *it = w->cur;
	if (w->again_cap < pkt->plen) {
		uint8_t *nb = realloc(w->again, pkt->plen);
		if (!nb)
			out_of_memory();
		w->again = nb;
		w->again_cap = pkt->plen;
	}
	size_t done = 0;
	ssize_t got = 0;
	while (done < pkt->plen) {
		/* The reading engine's src_fd: set before this file's first
		 * batch was handed over, closed after its last was done. */
		got = pread(w->par->e->src_fd, w->again + done, pkt->plen - done, (off_t)(it->off + done));
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		done += (size_t)got;
	}
	w->reread++;
	if (done < pkt->plen) {
		/* The file changed under the reader: what cannot be read is
		 * missing, as bytes cut by the snap length are. */
		fprintf(stderr,
			"wirelint: %s: packet %" PRIu64 ": its %" PRIu32 " payload bytes at byte %" PRIu64
			" could not be read again (%s); they are counted as missing\n",
			we->file, it->frame, pkt->plen, it->off, got < 0 ? strerror(errno) : "the file is shorter now");
		pkt->plen = 0;
		return;
	}
	pkt->payload = w->again;
}

void par_redirect(struct engine *we, struct conn *c, struct txn *t)
{
	struct event *ev = ev_add(we, EV_REDIR, c->pc, t);
	client_ip(c, ev->u.ip);
	ev->redirect = redir_is_redirect(t->resp);
}

void par_txn(struct engine *we, struct conn *c, struct txn *t)
{
	/* What the statistics and the fingerprints need of it, worked out here
	 * rather than in the merge, which all the workers wait on. */
	t->home = we->shard;
	/* The fingerprint's parts, for findings: the merge works them out
	 * from the heads for one whose only findings it adds. */
	if (t->nfindings && t->resp && !(t->flags & TXN_INTERIM)) {
		t->parts = malloc(sizeof *t->parts);
		if (t->parts)
			fp_parts_of(t, "", t->parts);
	}
	struct event *ev = ev_add_text(we, EV_TXN, c->pc, t, TR_SAMPLE_TEXT);
	struct evblock *b = we->shard->loc_tail;
	if (tr_sample_of(t, &ev->sample, b->text + b->text_len)) {
		ev->sampled = true;
		b->text_len += ev->sample.server_len + 1 + ev->sample.endpoint_len + 1;
	}
	ev->nfindings = t->nfindings;
	hist_facts_of(&we->history, t, c->ep->client_ip, false, &ev->u.hf);
}

bool par_clients(const struct engine *w)
{
	return atomic_load_explicit(w->shard->clients, memory_order_relaxed);
}

/* b's payloads are done with: the windows it held them in are let go. */
static void batch_let_go(struct batch *b)
{
	for (uint32_t i = 0; i < b->nheld; i++)
		window_let_go(b->held[i]);
	b->nheld = 0;
}

static void run_batch(struct par_shard *w, struct batch *b)
{
	struct engine *e = &w->e;
	for (uint32_t i = 0; i < b->n; i++) {
		const struct item *it = &b->items[i];
		/* What the reader wrote on the other core, asked for a few
		 * items ahead: the lines of an item, then its payload's. */
		if (i + ITEM_AHEAD < b->n) {
			const char *x = (const char *)&b->items[i + ITEM_AHEAD];
			for (size_t o = 0; o < sizeof *it; o += CACHE_LINE)
				__builtin_prefetch(x + o);
		}
		const struct item *f = i + PAYLOAD_AHEAD < b->n ? &b->items[i + PAYLOAD_AHEAD] : NULL;
		if (f && f->kind == IT_FRAME) {
			const uint8_t *pay = f->pkt.payload ? f->pkt.payload : b->data + f->off;
			uint32_t n = f->pkt.plen < PAYLOAD_AHEAD_BYTES ? f->pkt.plen : PAYLOAD_AHEAD_BYTES;
			for (uint32_t o = 0; o < n; o += CACHE_LINE)
				__builtin_prefetch(pay + o);
		}
		/* With many connections, most of a frame's connection is out
		 * of the caches by its next frame: its slot in the flow table
		 * is asked for, then (the slot at hand) the connection's lines. */
		if (i + SLOT_AHEAD < b->n && b->items[i + SLOT_AHEAD].kind <= IT_FRAME_LEFT)
			flow_prefetch(&e->flows, b->items[i + SLOT_AHEAD].hash);
		if (i + CONN_AHEAD < b->n && b->items[i + CONN_AHEAD].kind <= IT_FRAME_LEFT)
			conn_prefetch(&e->flows, b->items[i + CONN_AHEAD].hash, b->items[i + CONN_AHEAD].side);
		e->g = it->g;
		switch (it->kind) {
		case IT_BEGIN:
			engine_begin_file(e, it->file);
			e->live = it->live;
			break;
		case IT_FRAME:
		case IT_FRAME_LEFT: {
			e->frame = it->frame;
			e->now = it->now;
			e->rec_off = it->rec_off;
			e->rec_len = it->rec_len;
			e->pay_off = it->pay_off;
			struct dec_pkt pkt = it->pkt;
			/* A payload left in the file is read again only if the
			 * connection needs it after all (engine_conn_frame); one
			 * in a window the batch holds is where the item points. */
			if (it->kind == IT_FRAME_LEFT)
				pkt.payload = NULL;
			else if (!pkt.payload)
				pkt.payload = b->data + it->off;
			w->cur = it;
			/* No frame: -w, which keeps frames, reads in one thread. */
			engine_conn_frame(e, 0, &it->ts, NULL, 0, 0, false, &pkt);
			break;
		}
		case IT_CLOCK:
			e->now = it->now;
			if (it->sweep)
				engine_sweep_flows(e);
			if (it->settle)
				engine_settle(e);
			break;
		case IT_END:
			engine_close_all(e);
			engine_fold_counts(e);
			break;
		}
	}
}

/* The thread whose own shard w is. */
static unsigned owner(const struct par *p, const struct par_shard *w)
{
	return (unsigned)(w - p->w) % p->nthreads;
}

/* The shard thread me runs next, under p->mu: the one of its own furthest behind, the last it ran among equals; NULL none. */
static struct par_shard *pick(struct par *p, unsigned me, struct par_shard *last)
{
	struct par_shard *own = NULL;
	for (unsigned i = me; i < p->n; i += p->nthreads) {
		struct par_shard *w = &p->w[i];
		if (w->q_head && (!own || w->queued > own->queued || (w->queued == own->queued && w == last)))
			own = w;
	}
	return own;
}

/* Wakes the thread that owns w, if it waits: w has a batch.  Under p->mu. */
static void wake_for(struct par *p, const struct par_shard *w)
{
	struct par_thread *t = &p->th[owner(p, w)];
	if (t->idle)
		pthread_cond_signal(&t->cv);
}

static void *worker_main(void *arg)
{
	struct par_thread *t = arg;
	struct par *p = t->p;
	struct par_shard *last = NULL;
	pthread_mutex_lock(&p->mu);
	for (;;) {
		struct par_shard *w = pick(p, t->me, last);
		if (!w) {
			if (p->quit)
				break;
			t->idle = true;
			pthread_cond_wait(&t->cv, &p->mu);
			t->idle = false;
			continue;
		}
		struct batch *b = w->q_head;
		w->q_head = b->next;
		if (!w->q_head)
			w->q_tail = NULL;
		w->queued--;
		struct txn_list *back = w->back;
		struct evblock *blocks = w->back_blocks;
		w->back = NULL;
		w->back_blocks = NULL;
		pthread_mutex_unlock(&p->mu);

		/* Freed while still warm: a transaction comes back as soon as the
		 * merge is done with it, not behind the batches queued. */
		txn_lists_free(back);
		while (blocks) {
			struct evblock *x = blocks;
			blocks = x->next;
			x->next = w->blocks;
			w->blocks = x;
		}
		run_batch(w, b);
		batch_let_go(b);

		pthread_mutex_lock(&p->mu);
		blocks_move(&w->pub_head, &w->pub_tail, &w->loc_head, &w->loc_tail);
		if (w->loc_notes.n)
			notes_move(&w->pub_notes, &w->loc_notes);
		w->done = b->through;
		if (w->e.live) {
			w->seen = w->e.st;
			w->open = w->e.flows.count;
		}
		b->n = 0;
		b->len = 0;
		b->next = w->spare;
		w->spare = b;
		last = w;
		pthread_cond_signal(&p->cv_done);
	}
	pthread_mutex_unlock(&p->mu);
	verdict_free();  /* the verdicts this thread kept, and the heads held for them */
	hx_memo_drain(); /* and the messages alike it kept */
	hb_pool_drain(); /* then the head builders' spare buffers and kept blocks of this thread */
	return NULL;
}

/* ---- merge side (the reading thread) ---- */

/* Gives t back to w, its worker, to be freed there (give_back_all hands the lists over). */
static void give_back(struct par_shard *w, struct txn *t)
{
	struct txn_list *l = w->written;
	if (!l || l->n == sizeof l->t / sizeof *l->t) {
		if (!(l = malloc(sizeof *l)))
			out_of_memory();
		l->n = 0;
		l->next = w->written;
		w->written = l;
	}
	l->t[l->n++] = t;
}

/* The ends of the chains of l and b (each non-empty). */
static struct txn_list *list_last(struct txn_list *l)
{
	while (l->next)
		l = l->next;
	return l;
}

static struct evblock *block_last(struct evblock *b)
{
	while (b->next)
		b = b->next;
	return b;
}

/*
 * What the merge is done with goes back to each worker at the end of each
 * run of the merge, to be taken when the worker starts its next batch.
 * Handed over with the next batch given to the worker, behind those
 * already queued (up to MAX_QUEUED), it waited for the worker to make a
 * few thousand transactions more before it was freed, its memory cold by
 * then: freeing and allocating were about a sixth of -j 2's CPU time.
 */
static void give_back_all(struct par *p)
{
	bool locked = false;
	for (unsigned i = 0; i < p->n; i++) {
		struct par_shard *w = &p->w[i];
		if (!w->written && !w->emptied)
			continue;
		if (!locked) {
			pthread_mutex_lock(&p->mu);
			locked = true;
		}
		if (w->written) {
			list_last(w->written)->next = w->back;
			w->back = w->written;
		}
		if (w->emptied) {
			block_last(w->emptied)->next = w->back_blocks;
			w->back_blocks = w->emptied;
		}
		w->written = NULL;
		w->emptied = NULL;
	}
	if (locked)
		pthread_mutex_unlock(&p->mu);
}

/* Inserts the n findings of src at position at of t's. */
static void insert_findings(struct txn *t, uint16_t at, const struct finding *src, uint16_t n)
{
	for (uint16_t i = 0; i < n; i++)
		if (!txn_add_finding(t))
			return;
	uint16_t after = (uint16_t)(t->nfindings - n - at);
	memmove(&t->findings[at + n], &t->findings[at], after * sizeof *t->findings);
	memcpy(&t->findings[at], src, n * sizeof *src);
}

/* Moves the findings from position from on to position at (at <= from). */
static void move_findings_back(struct txn *t, uint16_t at, uint16_t from)
{
	uint16_t n = (uint16_t)(t->nfindings - from);
	if (!n || at == from)
		return;
	struct finding *tmp = malloc(n * sizeof *tmp);
	if (!tmp)
		out_of_memory();
	memcpy(tmp, &t->findings[from], n * sizeof *tmp);
	memmove(&t->findings[at + n], &t->findings[at], (size_t)(from - at) * sizeof *tmp);
	memcpy(&t->findings[at], tmp, n * sizeof *tmp);
	free(tmp);
}

static void merge_redirect(struct engine *e, struct event *ev)
{
	/* The worker goes on reading the transaction's content: its
	 * findings are collected apart and put in place when it is done.
	 * The heads and the response time do not change any more. */
	if (!redir_concerns(&e->redirects, ev->u.ip, ev->redirect))
		return;
	struct txn s;
	memset(&s, 0, sizeof s);
	s.req = ev->t->req;
	s.resp = ev->t->resp;
	s.resp_ts = ev->t->resp_ts;
	redir_follow(&e->redirects, ev->u.ip, &s);
	s.req = s.resp = NULL;
	if (!s.nfindings || !ev->pc) {
		free(s.findings);
		return;
	}
	struct redir_held *h = malloc(sizeof *h);
	struct txn *found = malloc(sizeof *found);
	if (!h || !found)
		out_of_memory();
	*found = s;
	*h = (struct redir_held){ ev->pc->held, ev->t, found };
	ev->pc->held = h;
	e->par->redir_held++;
}

/*
 * A transaction: t is read only when it has findings (its worker's, the
 * redirects' held for it, or the history's); one without any is counted
 * from its event alone and left to its worker to free.
 */
static void merge_txn(struct engine *e, struct par_shard *w, struct event *ev)
{
	struct txn *t = ev->t;
	struct par_conn *pc = ev->pc;
	bool found = ev->nfindings != 0;
	for (struct redir_held **hp = pc && e->par->redir_held ? &pc->held : NULL; hp && *hp; hp = &(*hp)->next) {
		struct redir_held *h = *hp;
		if (h->t != t)
			continue;
		insert_findings(t, t->redir_at, h->found->findings, h->found->nfindings);
		t->hist_at = (uint16_t)(t->hist_at + h->found->nfindings);
		found = found || h->found->nfindings;
		*hp = h->next;
		e->par->redir_held--;
		txn_free(h->found);
		free(h);
		break;
	}
	uint16_t before = found ? t->nfindings : 0;
	if (hist_apply(&e->history, &ev->u.hf, t)) {
		move_findings_back(t, t->hist_at, before);
		found = true;
	}
	if (e->history.clients_made && !atomic_load_explicit(&e->par->clients, memory_order_relaxed))
		atomic_store_explicit(&e->par->clients, true, memory_order_relaxed);
	if (!found && ev->sampled && engine_emit_quiet(e, &ev->sample)) {
		give_back(w, t);
		return;
	}
	/* Written by emit, after the block has gone back: the sample in an
	 * allocation of its own (txn_free frees it). */
	if (ev->sampled)
		t->brief = tr_sample_dup(&ev->sample);
	t->conn_id = pc ? pc->id : 0;
	seq_push(&e->seq, pc ? pc->sc : NULL, t);
}

static void merge_event(struct engine *e, struct par_shard *w, struct event *ev)
{
	struct par_conn *pc = ev->pc;
	switch (ev->kind) {
	case EV_OPEN:
		pc->id = ++e->next_conn;
		pc->sc = e->live ? NULL : seq_open(&e->seq);
		break;
	case EV_REDIR:
		merge_redirect(e, ev);
		break;
	case EV_TXN:
		merge_txn(e, w, ev);
		break;
	case EV_CLOSE:
		seq_close(&e->seq, pc->sc);
		while (pc->held) {
			struct redir_held *h = pc->held;
			pc->held = h->next;
			e->par->redir_held--;
			txn_free(h->found);
			free(h);
		}
		free(pc);
		break;
	}
}

/* The history's keys of ev's transaction, for hist_prefetch; 0 none. */
static uint64_t url_key(const struct event *ev)
{
	return ev->kind == EV_TXN ? ev->u.hf.url_key : 0;
}

static uint64_t client_key(const struct event *ev)
{
	return ev->kind == EV_TXN && ev->u.hf.client ? ev->u.hf.client_key : 0;
}

void par_drain(struct par *p)
{
	uint64_t min_done = UINT64_MAX;
	pthread_mutex_lock(&p->mu);
	for (unsigned i = 0; i < p->n; i++) {
		struct par_shard *w = &p->w[i];
		blocks_move(&w->m_head, &w->m_tail, &w->pub_head, &w->pub_tail);
		w->m_done = w->done;
		if (w->m_done < min_done)
			min_done = w->m_done;
	}
	pthread_mutex_unlock(&p->mu);
	/* Every result up to min_done is in: merged by key. */
	for (;;) {
		struct par_shard *best = NULL;
		for (unsigned i = 0; i < p->n; i++) {
			struct par_shard *w = &p->w[i];
			while (w->m_head && w->m_pos == w->m_head->n) {
				struct evblock *b = w->m_head;
				w->m_head = b->next;
				if (!w->m_head)
					w->m_tail = NULL;
				w->m_pos = 0;
				b->next = w->emptied;
				w->emptied = b;
			}
			if (!w->m_head || w->m_head->ev[w->m_pos].key.g > min_done)
				continue;
			if (!best || key_cmp(&w->m_head->ev[w->m_pos].key, &best->m_head->ev[best->m_pos].key) < 0)
				best = w;
		}
		if (!best)
			break;
		merge_event(p->e, best, &best->m_head->ev[best->m_pos++]);
		/* The history's slot for a transaction a few events on in this
		 * worker's results, asked for while those before it are merged. */
		struct evblock *b = best->m_head;
		/* The lines of an event a few on, which its worker wrote on
		 * the other core, asked for while those before it are merged. */
		if (best->m_pos + EVENT_AHEAD < b->n) {
			const char *x = (const char *)&b->ev[best->m_pos + EVENT_AHEAD];
			for (size_t o = 0; o < sizeof(struct event); o += CACHE_LINE)
				__builtin_prefetch(x + o);
		}
		if (best->m_pos + MERGE_AHEAD < b->n)
			hist_prefetch(&p->e->history, url_key(&b->ev[best->m_pos + MERGE_AHEAD]),
				      client_key(&b->ev[best->m_pos + MERGE_AHEAD]));
		if (best->m_pos + MERGE_AHEAD / 2 < b->n)
			hist_prefetch_entry(&p->e->history, url_key(&b->ev[best->m_pos + MERGE_AHEAD / 2]));
	}
	give_back_all(p);
}

/* ---- reading side ---- */

static struct batch *batch_get(struct par_shard *w)
{
	pthread_mutex_lock(&w->par->mu);
	struct batch *b = w->spare;
	if (b)
		w->spare = b->next;
	pthread_mutex_unlock(&w->par->mu);
	if (!b) {
		b = malloc(sizeof *b);
		if (!b)
			out_of_memory();
		b->data = malloc(BATCH_BYTES);
		if (!b->data)
			out_of_memory();
		b->cap = BATCH_BYTES;
	}
	b->next = NULL;
	b->n = 0;
	b->len = 0;
	b->nheld = 0;
	return b;
}

void par_recycle(struct par *p, struct txn *t)
{
	(void)p;
	give_back(t->home, t);
}

/* The reading thread, under par.mu: w's words applied to the connections whose payloads are not copied. */
static void take_notes(struct par *p, struct par_shard *w)
{
	for (uint32_t i = 0; i < w->pub_notes.n; i++) {
		const struct skip_note *n = &w->pub_notes.v[i];
		struct flow_entry *fe = flow_find(&p->skip, &n->key);
		if (n->blind && !fe) {
			fe = calloc(1, sizeof *fe);
			if (!fe)
				continue; /* copied, then: only slower */
			fe->key = n->key;
			flow_insert(&p->skip, fe, 0);
		} else if (!n->blind && fe) {
			flow_remove(&p->skip, fe);
			free(fe);
		}
	}
	w->pub_notes.n = 0;
}

/* Forgets every connection whose payloads were not copied. */
static void skip_clear(struct par *p)
{
	struct flow_entry *fe;
	while ((fe = flow_first(&p->skip))) {
		flow_remove(&p->skip, fe);
		free(fe);
	}
}

/*
 * Hands w its batch, telling it that it has everything up to g = through:
 * the merge waits for every worker to be through a g before it takes
 * results of that g (other workers may still add some before them).
 */
static void push(struct par *p, struct par_shard *w, uint64_t through)
{
	struct batch *b = w->fill ? w->fill : batch_get(w);
	w->fill = NULL;
	b->through = through;
	pthread_mutex_lock(&p->mu);
	if (w->pub_notes.n)
		take_notes(p, w);
	while (w->queued >= MAX_QUEUED) {
		/* The shard is behind: merge what can be, then wait for it. */
		pthread_mutex_unlock(&p->mu);
		par_drain(p);
		pthread_mutex_lock(&p->mu);
		if (w->queued >= MAX_QUEUED)
			pthread_cond_wait(&p->cv_done, &p->mu);
	}
	if (w->q_tail)
		w->q_tail->next = b;
	else
		w->q_head = b;
	w->q_tail = b;
	w->queued++;
	wake_for(p, w);
	pthread_mutex_unlock(&p->mu);
}

static void flush_all(struct par *p)
{
	for (unsigned i = 0; i < p->n; i++)
		push(p, &p->w[i], p->e->g);
	p->flushed_g = p->e->g;
	p->short_since = 0;
	par_drain(p);
}

/* Room for one item of len bytes in w's batch, for the current g. */
static struct item *item_add(struct par *p, struct par_shard *w, size_t len)
{
	if (w->fill && (w->fill->n == p->batch_items || w->fill->len + len > w->fill->cap))
		push(p, w, p->e->g - 1); /* items of this g may follow */
	if (!w->fill)
		w->fill = batch_get(w);
	struct batch *b = w->fill;
	if (len > b->cap) {
		/* A frame larger than a batch's room (an oversized snap length). */
		uint8_t *nd = realloc(b->data, len);
		if (!nd)
			out_of_memory();
		b->data = nd;
		b->cap = len;
	}
	struct item *it = &b->items[b->n++];
	it->g = p->e->g;
	it->off = b->len;
	b->len += len;
	return it;
}

/*
 * Whether w's batch holds the reading window win's buffer, so that the
 * frame's payload, which lies in it, need not be copied: it takes a hold
 * when it has none, and a batch with BATCH_HOLDS already goes to its
 * shard first.  False (copy it) when MAX_HELD_WINDOWS are held, or there
 * is no memory for the hold.  The batch is then one item short of full at
 * most, so that item_add keeps it.
 */
static bool hold_window(struct par *p, struct par_shard *w, struct window *win)
{
	if (w->fill && w->fill->n == p->batch_items)
		push(p, w, p->e->g - 1);
	struct batch *b = w->fill;
	if (b && b->nheld && win->held && b->held[b->nheld - 1] == win->held)
		return true;
	if (!win->held && atomic_load_explicit(&p->held_windows, memory_order_relaxed) >= p->max_held)
		return false;
	if (b && b->nheld == BATCH_HOLDS)
		push(p, w, p->e->g - 1);
	if (!w->fill)
		w->fill = batch_get(w);
	struct window_hold *h = window_hold(win, &p->held_windows);
	if (!h)
		return false;
	w->fill->held[w->fill->nheld++] = h;
	return true;
}

void par_frame(struct par *p, uint32_t hash, int side, const struct flow_key *k, const struct timeval *ts,
	       const struct dec_pkt *pkt, const uint8_t *frame)
{
	struct engine *e = p->e;
	struct par_shard *w = &p->w[((uint64_t)hash * p->n) >> 32];
	/* A connection its shard passes over: its payload stays in the file,
	 * if the file says where (a regular file whose records are placed). */
	bool elide = (p->skip.count || p->elide_all) && frame && pkt->plen && e->src_fd >= 0 && e->data_off &&
		     (p->elide_all || flow_find(&p->skip, k));
	/* A payload in the reading window (e->win) is not copied: the batch
	 * holds the window's buffer until it is done (window_hold).  Not from
	 * a pipe, whose window holds a record at a time. */
	bool held = !elide && pkt->plen && frame && e->win && e->win->read_ahead && frame >= e->win->buf &&
		    frame < e->win->buf + e->win->end && hold_window(p, w, e->win);
	/* Counted only when asked for: struct par's lines are the workers' too. */
	if (p->stats && pkt->plen) {
		if (elide)
			p->elided++;
		else if (held)
			p->held++;
		else
			p->copied++;
	}
	struct item *it = item_add(p, w, elide || held ? 0 : pkt->plen);
	it->kind = IT_FRAME; /* every field a frame's item has is set here */
	it->pay_off = engine_pay_off(e, frame, pkt);
	if (elide) {
		it->kind = IT_FRAME_LEFT;
		it->off = it->pay_off;
	}
	it->ts = *ts;
	it->frame = e->frame;
	it->now = e->now;
	it->rec_off = e->rec_off;
	it->rec_len = e->rec_len;
	it->hash = hash;
	it->side = (uint8_t)side;
	it->pkt = *pkt;
	/* The headers stay behind: the worker reads none of them again. */
	it->pkt.ip = it->pkt.tcp = NULL;
	if (!held)
		it->pkt.payload = NULL;
	if (pkt->plen && !elide && !held)
		memcpy(w->fill->data + it->off, pkt->payload, pkt->plen);
	/* The merge gives transactions back to be freed only after a flush:
	 * flushed often, fewer wait, and their memory is still in the
	 * worker's caches when it is used again.  Messages end mostly in
	 * short segments, so those are what is counted; a capture of large
	 * bodies, whose full segments would make batches small for nothing,
	 * goes by frames (docs/performance.md, "Flushed by short segments"). */
	p->short_since += pkt->plen && pkt->plen < SHORT_SEGMENT;
	if (e->g - p->flushed_g >= FLUSH_EVERY || p->short_since >= FLUSH_SHORT)
		flush_all(p);
}

void par_clock(struct par *p, bool sweep, bool settle)
{
	for (unsigned i = 0; i < p->n; i++) {
		struct item *it = item_add(p, &p->w[i], 0);
		it->kind = IT_CLOCK;
		it->now = p->e->now;
		it->sweep = sweep;
		it->settle = settle;
	}
	/* A live capture's tick: what is done goes out now. */
	if (settle)
		flush_all(p);
}

void par_begin_file(struct par *p, const char *name, bool live)
{
	for (unsigned i = 0; i < p->n; i++) {
		struct item *it = item_add(p, &p->w[i], 0);
		it->kind = IT_BEGIN;
		it->file = name;
		it->live = live;
	}
}

/* Hands every worker what it has waiting, waits until all of it is done, and merges it. */
void par_sync(struct par *p)
{
	flush_all(p);
	uint64_t g = p->e->g;
	pthread_mutex_lock(&p->mu);
	for (unsigned i = 0; i < p->n; i++)
		while (p->w[i].done < g)
			pthread_cond_wait(&p->cv_done, &p->mu);
	pthread_mutex_unlock(&p->mu);
	par_drain(p);
}

void par_end_file(struct par *p)
{
	for (unsigned i = 0; i < p->n; i++)
		item_add(p, &p->w[i], 0)->kind = IT_END;
	par_sync(p);
	/* Every connection is closed: none is passed over in the next file. */
	pthread_mutex_lock(&p->mu);
	for (unsigned i = 0; i < p->n; i++)
		p->w[i].pub_notes.n = 0;
	pthread_mutex_unlock(&p->mu);
	skip_clear(p);
	/* The workers wait for the next file: their counters are read. */
	for (unsigned i = 0; i < p->n; i++) {
		stats_add(&p->e->st, &p->w[i].e.st);
		memset(&p->w[i].e.st, 0, sizeof p->w[i].e.st);
		memset(&p->w[i].seen, 0, sizeof p->w[i].seen);
	}
}

void par_counters(struct par *p, struct wl_stats *sum, uint32_t *open)
{
	*sum = p->e->st;
	*open = 0;
	pthread_mutex_lock(&p->mu);
	for (unsigned i = 0; i < p->n; i++) {
		stats_add(sum, &p->w[i].seen);
		*open += p->w[i].open;
	}
	pthread_mutex_unlock(&p->mu);
}

/* Shard i's share of a cap over all connections, of n shards: the whole split to the unit. */
static uint64_t share(uint64_t cap, unsigned n, unsigned i)
{
	return cap / n + (i < cap % n);
}

struct par *par_start(struct engine *e, unsigned threads)
{
	struct par *p = calloc(1, sizeof *p);
	if (!p)
		return NULL;
	/* One shard more than threads (struct par_shard), or as many as
	 * the tests ask for (docs/testing.md). */
	unsigned n = threads + 1;
	const char *sh = getenv("WIRELINT_JOBS_SHARDS");
	if (sh && atoi(sh) >= 1 && atoi(sh) <= 1024)
		n = (unsigned)atoi(sh);
	atomic_init(&p->clients, false);
	/* On a line of its own, as its groups are (struct par_shard). */
	p->w = aligned_alloc(CACHE_LINE, n * sizeof *p->w);
	if (p->w)
		memset(p->w, 0, n * sizeof *p->w);
	p->th = calloc(threads, sizeof *p->th);
	if (!p->w || !p->th) {
		free(p->w);
		free(p->th);
		free(p);
		return NULL;
	}
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv_done, NULL);
	p->e = e;
	p->flushed_g = e->g;
	/* The tests make batches tiny, so that hand-overs fall between every
	 * two items and the reader waits for full queues (docs/testing.md). */
	p->batch_items = BATCH_ITEMS;
	/* The tests leave every payload they can in the file, so that the
	 * workers read each one again, and ask how many were (docs/testing.md). */
	const char *el = getenv("WIRELINT_JOBS_ELIDE");
	p->elide_all = el && strcmp(el, "all") == 0;
	atomic_init(&p->held_windows, 0);
	p->max_held = MAX_HELD_WINDOWS;
	const char *ho = getenv("WIRELINT_JOBS_HOLD");
	if (ho && atoi(ho) >= 0 && atoi(ho) <= MAX_HELD_WINDOWS)
		p->max_held = (unsigned)atoi(ho);
	const char *js = getenv("WIRELINT_JOBS_STATS");
	p->stats = js && *js && strcmp(js, "0") != 0;
	const char *bi = getenv("WIRELINT_JOBS_BATCH");
	if (bi && atoi(bi) >= 1 && atoi(bi) < BATCH_ITEMS)
		p->batch_items = (uint32_t)atoi(bi);
	/* The caps over all connections are shared out, to the unit: the
	 * shards' shares add up to each cap (but that a shard tracks at
	 * least one connection). */
	for (unsigned i = 0; i < n; i++) {
		struct par_shard *w = &p->w[i];
		struct wl_limits lim = e->lim;
		lim.max_flows = (uint32_t)share(e->lim.max_flows, n, i);
		if (!lim.max_flows)
			lim.max_flows = 1;
		lim.max_buffered_bytes = share(e->lim.max_buffered_bytes, n, i);
		engine_init(&w->e, &lim, NULL);
		w->e.keep.max = share(e->keep.max, n, i);
		w->e.shard = w;
		/* Retransmissions are compared with the file the reader reads. */
		w->e.budget.file_fd = &e->src_fd;
		w->par = p;
		w->clients = &p->clients;
	}
	p->n = n;
	/* Each thread's own shards are i % nthreads: set before any starts. */
	p->nthreads = threads;
	for (unsigned i = 0; i < threads; i++) {
		p->th[i].p = p;
		p->th[i].me = i;
		pthread_cond_init(&p->th[i].cv, NULL);
	}
	for (unsigned i = 0; i < threads; i++) {
		if (pthread_create(&p->th[i].th, NULL, worker_main, &p->th[i]) != 0) {
			/* No batch was handed over yet: stop those started. */
			par_stop(p);
			return NULL;
		}
		p->started = i + 1;
	}
	return p;
}

static void blocks_free(struct evblock *b)
{
	while (b) {
		struct evblock *next = b->next;
		free(b);
		b = next;
	}
}

void par_stop(struct par *p)
{
	pthread_mutex_lock(&p->mu);
	p->quit = true;
	for (unsigned i = 0; i < p->started; i++)
		pthread_cond_signal(&p->th[i].cv);
	pthread_mutex_unlock(&p->mu);
	for (unsigned i = 0; i < p->started; i++)
		pthread_join(p->th[i].th, NULL);
	if (p->stats) {
		uint64_t reread = 0;
		for (unsigned i = 0; i < p->n; i++)
			reread += p->w[i].reread;
		fprintf(stderr,
			"wirelint: -j: %" PRIu64 " payloads copied to the workers, %" PRIu64 " left in the file, %" PRIu64
			" read again from it, %" PRIu64 " held where they were read\n",
			p->copied, p->elided, reread, p->held);
	}
	skip_clear(p);
	flow_table_free(&p->skip);
	for (unsigned i = 0; i < p->n; i++) {
		struct par_shard *w = &p->w[i];
		free(w->pub_notes.v);
		free(w->loc_notes.v);
		free(w->again);
		txn_lists_free(w->written);
		txn_lists_free(w->back);
		blocks_free(w->emptied);
		blocks_free(w->back_blocks);
		blocks_free(w->blocks);
		blocks_free(w->m_head);
		struct batch *b = w->spare;
		if (w->fill) {
			w->fill->next = b;
			b = w->fill;
		}
		while (b) {
			struct batch *next = b->next;
			batch_let_go(b);
			free(b->data);
			free(b);
			b = next;
		}
		engine_free(&w->e);
	}
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->cv_done);
	for (unsigned i = 0; i < p->nthreads; i++)
		pthread_cond_destroy(&p->th[i].cv);
	free(p->th);
	free(p->w);
	free(p);
}
