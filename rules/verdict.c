/* verdict.c: the findings the rules gave a transaction, kept for the next one with the very same inputs. */
#include "verdict.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "head.h"
#include "rest.h"
#include "rule.h"
#include "txn.h"

/* A finding kept: its message's length, so that a copy need not measure it. */
struct vfinding {
	uint16_t rule;
	uint8_t sev;
	uint8_t len;
	char msg[FINDING_MSG_MAX];
};
_Static_assert(FINDING_MSG_MAX <= 256, "a message's length fits in a byte");

struct verdict_slot {
	uint64_t hash;
	uint64_t version;           /* counts the verdicts kept in it: a recent one names the one it was */
	unsigned gen;               /* the rules' generation when kept; 0: empty */
	uint32_t len;               /* of key */
	uint8_t nf;
	char key[VERDICT_KEY_MAX];
	struct vfinding f[VERDICT_FINDINGS];
};

/*
 * What the key holds of the transaction, then of each head it has (the
 * request, the response, the trailers): written whole, with no padding
 * (the asserts), so that equal inputs give equal bytes.
 */
struct vtxn {
	uint32_t gen, flags;
	uint64_t req_body, resp_body;
	int64_t resp_sec;           /* field_rules.c compares Date with it */
	uint32_t kept_len;
	uint8_t nfirst, has;        /* 1 the request, 2 the trailers, 4 kept content (even of no bytes) */
	uint16_t zero;
	uint8_t first[16];
};
_Static_assert(sizeof(struct vtxn) == 56, "struct vtxn has no padding");
_Static_assert(sizeof(((struct txn *)0)->first) == 16, "first fits in struct vtxn");

/* A thread's memo, allocated at its first lookup (verdict_free gives it back). */
struct vtable {
	struct verdict_slot slot[VERDICT_SETS][VERDICT_WAYS];
	uint8_t next[VERDICT_SETS];     /* each set's way to fill next */
	uint32_t win_n, win_hits, rest; /* the current window's lookups and hits; transactions left to pass */
	uint32_t rest_windows;          /* the next rest's length in windows: doubled after each window of few hits */
	/*
	 * The verdicts found or kept last, each with the heads of the
	 * transaction it was found or kept for, held (head_ref), and what
	 * its key holds of it besides (txn_desc): a head is never changed
	 * once frozen, and heads alike are one (hb_freeze_alike), so the same
	 * heads again are the same inputs.  The slot's version says the
	 * verdict is still the one that was there.  last is the latest.
	 */
	struct recent {
		struct verdict_slot *s;
		uint64_t version;
		struct http_head *heads[3];
		struct vtxn v;
	} recent[VERDICT_RECENT];
	uint64_t recent_used[VERDICT_RECENT]; /* when each was found or kept, by clock */
	unsigned last;
	uint64_t clock;
	char scratch[VERDICT_KEY_MAX];  /* the key being looked up */
};

static _Thread_local struct vtable *vt;
static _Thread_local struct verdict_stats stats;
static int mode = VERDICT_ON;
static bool print_stats;

void verdict_mode(int m)
{
	if (m < 0) {
		const char *v = getenv("WIRELINT_VERDICTS");
		m = v && strcmp(v, "off") == 0 ? VERDICT_OFF : v && strcmp(v, "check") == 0 ? VERDICT_CHECK : VERDICT_ON;
		print_stats = v && strcmp(v, "stats") == 0;
	}
	mode = m;
}

void verdict_stats(struct verdict_stats *s)
{
	*s = stats;
}

void verdict_free(void)
{
	if (print_stats && stats.lookups + stats.passed + stats.too_long)
		fprintf(stderr,
			"wirelint: verdicts (a thread): %llu looked up, %llu found, %llu kept, %llu too long to keep, "
			"%llu judged without a lookup\n",
			(unsigned long long)stats.lookups, (unsigned long long)stats.hits, (unsigned long long)stats.kept,
			(unsigned long long)stats.too_long, (unsigned long long)stats.passed);
	if (vt)
		for (int r = 0; r < VERDICT_RECENT; r++)
			for (int i = 0; i < 3; i++)
				head_unref(vt->recent[r].heads[i]);
	free(vt);
	vt = NULL;
	memset(&stats, 0, sizeof stats);
}


struct vhead {
	uint8_t is_response, truncated, obs_fold, close_delimited;
	uint32_t dropped_fields;
	uint8_t major, minor, method, zero;
	uint16_t status, zero2;
	struct span method_s, uri, reason;
	uint32_t nfields, bytes;
};
_Static_assert(sizeof(struct vhead) == 48, "struct vhead has no padding");
_Static_assert(sizeof(struct hfield) == 20, "struct hfield has no padding");

/* What the key holds of h before its fields and bytes; *fbytes: the fields' size. */
static void head_desc(const struct http_head *h, struct vhead *v, size_t *fbytes)
{
	*v = (struct vhead){
		.is_response = h->is_response,
		.truncated = h->truncated,
		.obs_fold = h->obs_fold,
		.close_delimited = h->close_delimited,
		.dropped_fields = h->dropped_fields,
		.major = h->major,
		.minor = h->minor,
		.method = h->method,
		.status = h->status,
		.method_s = h->method_s,
		.uri = h->uri,
		.reason = h->reason,
		.nfields = h->nfields,
		.bytes = h->len, /* every byte of the head: all its spans reach, all a rule can read */
	};
	*fbytes = (size_t)h->nfields * sizeof *h->fields;
}

/* What the key holds of t before its heads. */
static void txn_desc(const struct txn *t, unsigned gen, struct vtxn *v)
{
	*v = (struct vtxn){
		.gen = gen,
		.flags = t->flags,
		.req_body = t->req_body,
		.resp_body = t->resp_body,
		.resp_sec = (int64_t)t->resp_ts.tv_sec,
		.kept_len = t->kept ? t->kept_len : 0,
		.nfirst = t->nfirst,
		.has = (uint8_t)((t->req ? 1 : 0) | (t->trailers ? 2 : 0) | (t->kept ? 4 : 0)),
	};
	memcpy(v->first, t->first, sizeof v->first);
}

static bool same_bytes(const void *a, const void *b, size_t n)
{
	return memcmp(a, b, n) == 0;
}

/* same_bytes for the fixed-size descriptions (n a multiple of 8), in line rather than a call. */
static inline bool same_words(const void *a, const void *b, size_t n)
{
	uint64_t d = 0;
	for (size_t i = 0; i < n; i += 8) {
		uint64_t x, y;
		memcpy(&x, (const char *)a + i, 8);
		memcpy(&y, (const char *)b + i, 8);
		d |= x ^ y;
	}
	return d == 0;
}
_Static_assert(sizeof(struct vtxn) % 8 == 0 && sizeof(struct vhead) % 8 == 0, "same_words compares words");

/*
 * The key of t: v (txn_desc), then for each head t has (the request, the
 * response, the trailers) its head_desc, its fields and its bytes, then
 * the kept content.  Written into key (key_of), or compared with a key
 * kept (key_is), by the same walk.
 */
static uint32_t key_walk(const struct txn *t, const struct vtxn *v, char *key, const char *kept, uint32_t kept_n)
{
	uint32_t n = 0;
#define PIECE(p, len, eq)                                                             \
	do {                                                                          \
		size_t l_ = (len);                                                    \
		if (n + l_ > VERDICT_KEY_MAX || (kept && (n + l_ > kept_n || !eq(kept + n, (p), l_)))) \
			return 0;                                                     \
		if (key && l_)                                                        \
			memcpy(key + n, (p), l_);                                     \
		n += (uint32_t)l_;                                                    \
	} while (0)
	PIECE(v, sizeof *v, same_words);
	const struct http_head *heads[3] = { t->req, t->resp, t->trailers };
	for (int i = 0; i < 3; i++) {
		if (!heads[i])
			continue;
		struct vhead vh;
		size_t fbytes;
		head_desc(heads[i], &vh, &fbytes);
		PIECE(&vh, sizeof vh, same_words);
		/* A frozen head's bytes follow its fields (hb_freeze_after): one piece. */
		if ((const char *)heads[i]->fields + fbytes == heads[i]->buf) {
			PIECE(heads[i]->fields, fbytes + vh.bytes, same_bytes);
		} else {
			PIECE(heads[i]->fields, fbytes, same_bytes);
			PIECE(heads[i]->buf, vh.bytes, same_bytes);
		}
	}
	if (v->kept_len)
		PIECE(t->kept, v->kept_len, same_bytes);
#undef PIECE
	return kept && n != kept_n ? 0 : n;
}

/* Writes t's key into key; its length, or 0 when it does not fit. */
static uint32_t key_of(const struct txn *t, const struct vtxn *v, char *key)
{
	return key_walk(t, v, key, NULL, 0);
}

/* Whether the key kept at kept (n bytes) is t's. */
static bool key_is(const struct txn *t, const struct vtxn *v, const char *kept, uint32_t n)
{
	return key_walk(t, v, NULL, kept, n) != 0;
}

/* A 64-bit hash of the key, two lanes of eight bytes a step (the lanes' multiplies do not wait on each other). */
static uint64_t key_hash(const char *p, uint32_t n)
{
	uint64_t a = 0x9e3779b97f4a7c15ull ^ n, b = 0xc2b2ae3d27d4eb4full;
	uint32_t i = 0;
	for (; i + 16 <= n; i += 16) {
		uint64_t x, y;
		memcpy(&x, p + i, 8);
		memcpy(&y, p + i + 8, 8);
		a = (a ^ x) * 0xbf58476d1ce4e5b9ull;
		b = (b ^ y) * 0x94d049bb133111ebull;
		a ^= a >> 31;
		b ^= b >> 29;
	}
	unsigned char tail[16] = { 0 };
	memcpy(tail, p + i, n - i);
	uint64_t x, y;
	memcpy(&x, tail, 8);
	memcpy(&y, tail + 8, 8);
	a = (a ^ x) * 0xbf58476d1ce4e5b9ull;
	b = (b ^ y) * 0x94d049bb133111ebull;
	uint64_t h = (a ^ (b << 23 | b >> 41)) * 0xff51afd7ed558ccdull;
	return h ^ h >> 33;
}

/* The recent verdict i, when it is still in its slot, judged under the rules' generation gen. */
static struct verdict_slot *recent_slot(unsigned i, unsigned gen)
{
	const struct recent *r = &vt->recent[i];
	return r->s && r->s->version == r->version && r->s->gen == gen ? r->s : NULL;
}

/* s is the verdict found or kept last, for t (whose txn_desc is v): the latest recent one. */
static void set_last(struct verdict_slot *s, const struct txn *t, const struct vtxn *v)
{
	/* Its own place when it is there already, else the one used least long ago. */
	unsigned at = VERDICT_RECENT;
	for (unsigned i = 0; i < VERDICT_RECENT && at == VERDICT_RECENT; i++)
		if (vt->recent[i].s == s && vt->recent[i].version == s->version)
			at = i;
	if (at == VERDICT_RECENT)
		at = rest_oldest(vt->recent_used, VERDICT_RECENT, vt->last);
	struct recent *r = &vt->recent[at];
	struct http_head *heads[3] = { t->req, t->resp, t->trailers };
	for (int i = 0; i < 3; i++) {
		if (r->heads[i] == heads[i])
			continue;
		head_unref(r->heads[i]);
		r->heads[i] = head_ref(heads[i]);
	}
	r->s = s;
	r->version = s->version;
	r->v = *v;
	vt->recent_used[at] = ++vt->clock;
	vt->last = at;
}

/* The recent verdict whose transaction had t's very heads and the rest of its key (kept content apart) alike, or -1. */
static int same_heads(const struct txn *t, const struct vtxn *v, unsigned gen)
{
	if (v->has & 4)
		return -1;
	for (unsigned k = 0; k < VERDICT_RECENT; k++) {
		unsigned i = k == 0 ? vt->last : k == vt->last ? 0 : k;
		const struct recent *r = &vt->recent[i];
		if (r->heads[1] == t->resp && r->heads[0] == t->req && r->heads[2] == t->trailers &&
		    recent_slot(i, gen) && same_words(v, &r->v, sizeof *v))
			return (int)i;
	}
	return -1;
}

static struct vtable *table(void)
{
	if (!vt && (vt = calloc(1, sizeof *vt)))
		vt->rest_windows = VERDICT_REST;
	return vt;
}

/* Counts a lookup in the current window; at its end, a window of few hits starts a rest, each longer than the last. */
static void count_lookup(bool found)
{
	stats.lookups++;
	stats.hits += found;
	vt->win_hits += found;
	if (++vt->win_n < VERDICT_WINDOW)
		return;
	if (vt->win_hits * 8 < VERDICT_WINDOW) {
		vt->rest = vt->rest_windows * VERDICT_WINDOW;
		vt->rest_windows = vt->rest_windows * 2 + 1 > VERDICT_REST_MAX ? VERDICT_REST_MAX : vt->rest_windows * 2 + 1;
	} else {
		vt->rest_windows = VERDICT_REST;
	}
	vt->win_n = vt->win_hits = 0;
}

bool verdict_replay(struct txn *t, unsigned gen, struct verdict_pending *p)
{
	memset(p, 0, sizeof *p);
	p->from = t->nfindings;
	if (mode == VERDICT_OFF || !t->resp || !table())
		return false;
	/* Traffic that seldom repeats: a rest without lookups. */
	if (vt->rest && mode == VERDICT_ON) {
		vt->rest--;
		stats.passed++;
		return false;
	}
	struct vtxn v;
	txn_desc(t, gen, &v);
	/* The verdict found or kept last, compared where the inputs lie, before
	 * any key is written or hashed: a server under load answers alike in a
	 * row. */
	struct verdict_slot *found = NULL, *set = NULL, *last = recent_slot(vt->last, gen);
	uint32_t n = 0, si = 0;
	uint64_t h = 0;
	int by_heads = same_heads(t, &v, gen);
	if (by_heads >= 0) {
		found = vt->recent[by_heads].s;
		vt->recent_used[by_heads] = ++vt->clock;
		vt->last = (unsigned)by_heads;
	} else if (last && key_is(t, &v, last->key, last->len)) {
		found = last;
	} else {
		n = key_of(t, &v, vt->scratch);
		if (!n) {
			stats.too_long++;
			return false;
		}
		h = key_hash(vt->scratch, n);
		si = (uint32_t)((h >> 40) % VERDICT_SETS);
		set = vt->slot[si];
		for (int w = 0; w < VERDICT_WAYS && !found; w++)
			if (set[w].gen == gen && set[w].hash == h && set[w].len == n &&
			    memcmp(set[w].key, vt->scratch, n) == 0)
				found = &set[w];
	}
	count_lookup(found != NULL);
	if (found && by_heads < 0)
		set_last(found, t, &v);
	if (found && mode == VERDICT_CHECK) {
		p->check = found;
		return false;
	}
	if (found) {
		for (int i = 0; i < found->nf; i++) {
			struct finding *f = txn_add_finding(t);
			if (!f)
				break; /* the cap on a transaction's findings, as the rules would have met it */
			f->rule = found->f[i].rule;
			f->sev = found->f[i].sev;
			memcpy(f->msg, found->f[i].msg, (size_t)found->f[i].len + 1);
		}
		return true;
	}
	uint8_t *next = &vt->next[si];
	p->slot = &set[*next];
	*next = (uint8_t)((*next + 1) % VERDICT_WAYS);
	p->hash = h;
	p->gen = gen;
	p->len = n;
	return false;
}

/* Stops the program: the memo's verdict for t's inputs is not the rules'. */
static void differ(const struct txn *t, const char *what)
{
	fprintf(stderr, "wirelint: WIRELINT_VERDICTS=check: frame %llu: the kept verdict differs from the rules' (%s)\n",
		(unsigned long long)t->resp_frame, what);
	abort();
}

void verdict_keep(const struct verdict_pending *p, const struct txn *t, bool complete)
{
	uint32_t nf = (uint32_t)(t->nfindings - p->from);
	if (p->check) {
		if (!complete)
			return;
		if (nf != p->check->nf)
			differ(t, "the number of findings");
		for (uint32_t i = 0; i < nf; i++) {
			const struct finding *f = &t->findings[p->from + i];
			const struct vfinding *k = &p->check->f[i];
			if (f->rule != k->rule || f->sev != k->sev || strcmp(f->msg, k->msg) != 0)
				differ(t, "a finding");
		}
		return;
	}
	struct verdict_slot *s = p->slot;
	if (!s || !complete)
		return;
	if (nf > VERDICT_FINDINGS) {
		stats.too_long++;
		return;
	}
	s->gen = 0;
	s->version++; /* the recent ones that named what was here do no longer */
	s->hash = p->hash;
	s->len = p->len;
	memcpy(s->key, vt->scratch, p->len);
	s->nf = (uint8_t)nf;
	for (uint32_t i = 0; i < nf; i++) {
		const struct finding *f = &t->findings[p->from + i];
		size_t len = strnlen(f->msg, FINDING_MSG_MAX - 1);
		s->f[i].rule = f->rule;
		s->f[i].sev = f->sev;
		s->f[i].len = (uint8_t)len;
		memcpy(s->f[i].msg, f->msg, len);
		s->f[i].msg[len] = 0;
	}
	s->gen = p->gen;
	stats.kept++;
	struct vtxn v;
	txn_desc(t, p->gen, &v);
	set_last(s, t, &v);
}
