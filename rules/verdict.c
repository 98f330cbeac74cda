/* verdict.c: the findings the rules gave a transaction, kept for the next one with the very same inputs. */
#include "verdict.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "head.h"
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
	unsigned gen;               /* the rules' generation when kept; 0: empty */
	uint32_t len;               /* of key */
	uint8_t nf;
	char key[VERDICT_KEY_MAX];
	struct vfinding f[VERDICT_FINDINGS];
};

/* A thread's memo, allocated at its first lookup (verdict_free gives it back). */
struct vtable {
	struct verdict_slot slot[VERDICT_SETS][VERDICT_WAYS];
	uint8_t next[VERDICT_SETS];     /* each set's way to fill next */
	uint32_t win_n, win_hits, rest; /* the current window's lookups and hits; transactions left to pass */
	uint32_t rest_windows;          /* the next rest's length in windows: doubled after each window of few hits */
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
	free(vt);
	vt = NULL;
	memset(&stats, 0, sizeof stats);
}

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

static uint32_t span_end(struct span s)
{
	return s.len ? s.off + s.len : 0;
}

static uint32_t max_u32(uint32_t a, uint32_t b)
{
	return a > b ? a : b;
}

/* Appends h to the key at *n; false when it does not fit. */
static bool put_head(char *key, uint32_t *n, const struct http_head *h)
{
	/* The bytes the head's spans reach: all a rule can read of them. */
	uint32_t end = max_u32(max_u32(span_end(h->method_s), span_end(h->uri)), span_end(h->reason));
	for (uint32_t i = 0; i < h->nfields; i++)
		end = max_u32(end, max_u32(span_end(h->fields[i].name), span_end(h->fields[i].value)));
	size_t fbytes = (size_t)h->nfields * sizeof *h->fields;
	if (*n + sizeof(struct vhead) + fbytes + end > VERDICT_KEY_MAX)
		return false;
	struct vhead v = {
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
		.bytes = end,
	};
	memcpy(key + *n, &v, sizeof v);
	*n += sizeof v;
	if (fbytes)
		memcpy(key + *n, h->fields, fbytes);
	*n += (uint32_t)fbytes;
	if (end)
		memcpy(key + *n, h->buf, end);
	*n += end;
	return true;
}

/* Writes t's inputs into key; their length, or 0 when they do not fit. */
static uint32_t key_of(const struct txn *t, unsigned gen, char *key)
{
	struct vtxn v = {
		.gen = gen,
		.flags = t->flags,
		.req_body = t->req_body,
		.resp_body = t->resp_body,
		.resp_sec = (int64_t)t->resp_ts.tv_sec,
		.kept_len = t->kept ? t->kept_len : 0,
		.nfirst = t->nfirst,
		.has = (uint8_t)((t->req ? 1 : 0) | (t->trailers ? 2 : 0) | (t->kept ? 4 : 0)),
	};
	memcpy(v.first, t->first, sizeof v.first);
	uint32_t n = sizeof v;
	memcpy(key, &v, sizeof v);
	if (t->req && !put_head(key, &n, t->req))
		return 0;
	if (!put_head(key, &n, t->resp))
		return 0;
	if (t->trailers && !put_head(key, &n, t->trailers))
		return 0;
	if (v.kept_len) {
		if (n + v.kept_len > VERDICT_KEY_MAX)
			return 0;
		memcpy(key + n, t->kept, v.kept_len);
		n += v.kept_len;
	}
	return n;
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

static struct vtable *table(void)
{
	if (!vt)
		vt = calloc(1, sizeof *vt);
	return vt;
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
	uint32_t n = key_of(t, gen, vt->scratch);
	if (!n) {
		stats.too_long++;
		return false;
	}
	uint64_t h = key_hash(vt->scratch, n);
	struct verdict_slot *set = vt->slot[(h >> 40) % VERDICT_SETS];
	stats.lookups++;
	const struct verdict_slot *found = NULL;
	for (int w = 0; w < VERDICT_WAYS && !found; w++)
		if (set[w].gen == gen && set[w].hash == h && set[w].len == n && memcmp(set[w].key, vt->scratch, n) == 0)
			found = &set[w];
	if (found)
		stats.hits++;
	if (++vt->win_n == VERDICT_WINDOW) {
		if (!vt->rest_windows)
			vt->rest_windows = VERDICT_REST;
		if ((vt->win_hits + (found != NULL)) * 8 < VERDICT_WINDOW) {
			vt->rest = vt->rest_windows * VERDICT_WINDOW;
			vt->rest_windows = vt->rest_windows * 2 + 1 > VERDICT_REST_MAX ? VERDICT_REST_MAX : vt->rest_windows * 2 + 1;
		} else {
			vt->rest_windows = VERDICT_REST;
		}
		vt->win_n = vt->win_hits = 0;
	} else if (found) {
		vt->win_hits++;
	}
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
	uint8_t *next = &vt->next[(h >> 40) % VERDICT_SETS];
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
}
