/* traffic.c: what the traffic itself looks like. */
#include "traffic.h"

#include <stdlib.h>
#include <string.h>

#include "fingerprint.h"
#include "txn.h"

struct tr_key {
	char *name;
	uint64_t hash;            /* name_hash of name: compared before the name */
	size_t len;               /* of name */
	uint64_t requests, c4xx, c5xx, findings;
	struct tr_lat first, last;
};

/* Samples kept exactly: overall, and per endpoint. */
#define TR_EXACT_ALL 65536u
#define TR_EXACT_KEY 256u

void tr_init(struct traffic *tr, uint32_t max_keys)
{
	memset(tr, 0, sizeof *tr);
	tr->max_keys = max_keys;
	tr->t0 = -1;
	tr->bin_s = 1;
	tr->first.limit = tr->last.limit = TR_EXACT_ALL;
}

static void keys_free(struct tr_keys *ks)
{
	for (uint32_t i = 0; i < ks->nslots; i++) {
		struct tr_key *k = ks->slots[i];
		if (!k)
			continue;
		free(k->name);
		free(k->first.v);
		free(k->last.v);
		free(k->first.hist);
		free(k->last.hist);
		free(k);
	}
	free(ks->slots);
	memset(ks, 0, sizeof *ks);
}

void tr_free(struct traffic *tr)
{
	keys_free(&tr->hosts);
	keys_free(&tr->endpoints);
	free(tr->first.v);
	free(tr->last.v);
	free(tr->first.hist);
	free(tr->last.hist);
}

/* The histogram bucket of v: values under 32 alone, then 16 buckets an octave. */
static uint32_t bucket(uint32_t v)
{
	if (v < 32)
		return v;
	uint32_t e = 31 - (uint32_t)__builtin_clz(v);
	return 32 + (e - 5) * 16 + ((v >> (e - 4)) & 15);
}

/* The middle of bucket b, as its value. */
static uint32_t bucket_value(uint32_t b)
{
	if (b < 32)
		return b;
	uint32_t e = (b - 32) / 16 + 5, sub = (b - 32) % 16;
	uint64_t lo = (uint64_t)(16 + sub) << (e - 4), w = (uint64_t)1 << (e - 4);
	uint64_t mid = lo + w / 2;
	return mid > UINT32_MAX ? UINT32_MAX : (uint32_t)mid;
}

static void lat_add(struct traffic *tr, struct tr_lat *l, uint32_t us)
{
	l->count++;
	if (us > l->max)
		l->max = us;
	if (!l->hist && l->n == l->limit) {
		/* Over to the histogram, with the samples so far. */
		l->hist = calloc(TR_HBUCKETS, sizeof *l->hist);
		if (!l->hist) {
			l->count--;
			return;
		}
		for (uint32_t i = 0; i < l->n; i++)
			l->hist[bucket(l->v[i])]++;
		free(l->v);
		l->v = NULL;
		l->n = l->cap = 0;
		tr->approximated++;
	}
	if (l->hist) {
		l->hist[bucket(us)]++;
		return;
	}
	if (l->n == l->cap) {
		uint32_t ncap = l->cap ? l->cap * 2 : 16;
		uint32_t *nv = realloc(l->v, ncap * sizeof *nv);
		if (!nv) {
			l->count--;
			return;
		}
		l->v = nv;
		l->cap = ncap;
	}
	l->v[l->n++] = us;
}

/*
 * A 64-bit hash of the n bytes at s, eight at a time.  Only equal names
 * must hash alike (rows are told apart by their names), so any mixing
 * will do; this one costs a few instructions for eight bytes.
 */
static uint64_t name_hash(const char *s, size_t n)
{
	uint64_t h = n * 0x9e3779b97f4a7c15ull, w;
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		memcpy(&w, s + i, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdull;
		h ^= h >> 32;
	}
	/* The last bytes a byte at a time: memcpy of a length known only
	 * now is a call to glibc in the profile-guided build (pgo.cmake). */
	w = 0;
	for (unsigned k = 0; i + k < n; k++)
		w |= (uint64_t)(unsigned char)s[i + k] << (8 * k);
	h = (h ^ w) * 0xc4ceb9fe1a85ec53ull;
	return h ^ (h >> 29);
}

/* The slot of the row named name (hash h), or the empty slot where it would go. */
static uint32_t key_slot(const struct tr_keys *ks, const char *name, size_t len, uint64_t h)
{
	uint32_t mask = ks->nslots - 1;
	for (uint32_t i = (uint32_t)((h * 0x9e3779b97f4a7c15ull) >> 32) & mask;; i = (i + 1) & mask) {
		const struct tr_key *k = ks->slots[i];
		if (!k || (k->hash == h && k->len == len && memcmp(k->name, name, len) == 0))
			return i;
	}
}

/* The row named name, or NULL. */
static struct tr_key *key_find(const struct tr_keys *ks, const char *name, size_t len, uint64_t h)
{
	return ks->nslots ? ks->slots[key_slot(ks, name, len, h)] : NULL;
}

/* The row named name (len bytes, name_hash h), made when new. */
static struct tr_key *key_for(struct traffic *tr, struct tr_keys *ks, const char *name, size_t len, uint64_t h)
{
	struct tr_key *k = key_find(ks, name, len, h);
	if (k)
		return k;
	if (ks->n >= tr->max_keys) {
		/* Past the cap, everything new goes under one row. */
		tr->keys_dropped++;
		name = "(other)";
		len = strlen(name);
		h = name_hash(name, len);
		k = key_find(ks, name, len, h);
		if (k)
			return k;
	}
	if ((uint64_t)(ks->n + 1) * 2 > ks->nslots) {
		/* Twice the slots; every row to its place in them. */
		uint32_t n = ks->nslots ? ks->nslots * 2 : 64;
		struct tr_key **ns = calloc(n, sizeof *ns);
		if (!ns)
			return NULL;
		struct tr_keys grown = { ns, n, ks->n };
		for (uint32_t i = 0; i < ks->nslots; i++)
			if (ks->slots[i])
				ns[key_slot(&grown, ks->slots[i]->name, ks->slots[i]->len, ks->slots[i]->hash)] = ks->slots[i];
		free(ks->slots);
		*ks = grown;
	}
	k = calloc(1, sizeof *k);
	if (!k || !(k->name = malloc(len + 1))) {
		free(k);
		return NULL;
	}
	memcpy(k->name, name, len + 1);
	k->hash = h;
	k->len = len;
	k->first.limit = k->last.limit = TR_EXACT_KEY;
	ks->slots[key_slot(ks, name, len, h)] = k;
	ks->n++;
	return k;
}

static int64_t us_between(const struct timeval *a, const struct timeval *b)
{
	return ((int64_t)b->tv_sec - a->tv_sec) * 1000000 + (b->tv_usec - a->tv_usec);
}

bool tr_latency(const struct txn *t, uint32_t *first, uint32_t *last)
{
	/* From the end of the request to the response's first and last
	 * byte, by the capture's clock.  A 1xx, a request or response not
	 * seen whole, or a response that began before the request ended (a
	 * server that answers early, or a capture out of order) has none. */
	if (!t->req || !t->resp || (t->flags & (TXN_INTERIM | TXN_REQ_CUT | TXN_RESP_CUT)) || !t->req_end_ts.tv_sec ||
	    !t->resp_end_ts.tv_sec)
		return false;
	int64_t f = us_between(&t->req_end_ts, &t->resp_ts), l = us_between(&t->req_end_ts, &t->resp_end_ts);
	if (f < 0 || l < f || l > UINT32_MAX)
		return false;
	*first = (uint32_t)f;
	*last = (uint32_t)l;
	return true;
}

static void series_add(struct traffic *tr, int64_t sec, int cls)
{
	if (tr->t0 < 0)
		tr->t0 = sec;
	if (sec < tr->t0)
		sec = tr->t0; /* time going back: counted in the first bin */
	uint64_t bin = (uint64_t)(sec - tr->t0) / tr->bin_s;
	while (bin >= TR_BINS) {
		/* Twice as wide bins: pairs merge. */
		for (uint32_t i = 0; i < TR_BINS / 2; i++)
			for (int c = 0; c < 6; c++)
				tr->series[i][c] = tr->series[2 * i][c] + tr->series[2 * i + 1][c];
		memset(tr->series[TR_BINS / 2], 0, sizeof tr->series[0] * (TR_BINS / 2));
		tr->bin_s *= 2;
		tr->nbins = (tr->nbins + 1) / 2;
		bin = (uint64_t)(sec - tr->t0) / tr->bin_s;
	}
	tr->series[bin][cls]++;
	if (bin + 1 > tr->nbins)
		tr->nbins = (uint32_t)bin + 1;
}

/*
 * A request head's row names, kept with it (http_head.rows) once it is
 * handed out again (hb_freeze_alike): the names are the head's alone when
 * it has a Host (else the server is the connection's address).
 */
struct rows_memo {
	uint32_t server_len, endpoint_len;
	uint64_t server_hash, endpoint_hash;
	char text[]; /* the server, a NUL, the endpoint, a NUL */
};

/* With memo, the row names kept with t's request head are read and made (on the thread that made the head only). */
static bool sample_of(const struct txn *t, struct tr_sample *s, char *text, bool memo)
{
	if (!t->resp)
		return false;
	s->sec = t->resp_ts.tv_sec;
	s->status = t->resp->status;
	s->final = !(t->flags & TXN_INTERIM);
	s->server = s->endpoint = "";
	s->server_len = s->endpoint_len = 0;
	s->server_hash = s->endpoint_hash = name_hash("", 0);
	s->lat = false;
	if (!s->final)
		return true;
	s->lat = tr_latency(t, &s->first, &s->last);
	struct http_head *req = memo ? t->req : NULL;
	const struct rows_memo *kept = req ? req->rows : NULL;
	if (kept) {
		memcpy(text, kept->text, kept->server_len + 1 + kept->endpoint_len + 1);
		s->server = text;
		s->endpoint = text + kept->server_len + 1;
		s->server_len = kept->server_len;
		s->endpoint_len = kept->endpoint_len;
		s->server_hash = kept->server_hash;
		s->endpoint_hash = kept->endpoint_hash;
		return true;
	}
	struct fp_parts own;
	const struct fp_parts *p = t->parts; /* worked out by a worker (-j) */
	if (!p) {
		fp_parts_of(t, "", &own);
		p = &own;
	}
	/* The server, then "METHOD endpoint" ("-" for either when empty),
	 * joined with memcpy: the parts are bounded, so they always fit. */
	_Static_assert(sizeof p->server + sizeof p->method + sizeof p->endpoint + 1 <= TR_SAMPLE_TEXT,
		       "the names fit");
	size_t sl = p->server_len;
	memcpy(text, p->server, sl + 1);
	char *ep = text + sl + 1;
	const char *m = p->method_len ? p->method : "-", *en = p->endpoint_len ? p->endpoint : "-";
	size_t ml = p->method_len ? p->method_len : 1, enl = p->endpoint_len ? p->endpoint_len : 1;
	memcpy(ep, m, ml);
	ep[ml] = ' ';
	memcpy(ep + ml + 1, en, enl + 1);
	s->server = text;
	s->endpoint = ep;
	s->server_len = (uint32_t)sl;
	s->endpoint_len = (uint32_t)(ml + 1 + enl);
	s->server_hash = name_hash(s->server, s->server_len);
	s->endpoint_hash = name_hash(s->endpoint, s->endpoint_len);
	uint32_t hl;
	if (req && req->alike && txn_host(t, &hl) && hl) {
		size_t n = s->server_len + 1 + s->endpoint_len + 1;
		struct rows_memo *k = malloc(sizeof *k + n);
		if (k) {
			k->server_len = s->server_len;
			k->endpoint_len = s->endpoint_len;
			k->server_hash = s->server_hash;
			k->endpoint_hash = s->endpoint_hash;
			memcpy(k->text, text, n);
			req->rows = k;
		}
	}
	return true;
}

bool tr_sample_of(const struct txn *t, struct tr_sample *s, char *text)
{
	return sample_of(t, s, text, true);
}

struct tr_sample *tr_sample_dup(const struct tr_sample *s)
{
	struct tr_sample *c = malloc(sizeof *s + s->server_len + 1 + s->endpoint_len + 1);
	if (!c)
		return NULL;
	char *names = (char *)(c + 1);
	*c = *s;
	c->server = memcpy(names, s->server, s->server_len + 1);
	c->endpoint = memcpy(names + s->server_len + 1, s->endpoint, s->endpoint_len + 1);
	return c;
}

void tr_add(struct traffic *tr, const struct txn *t)
{
	struct tr_sample own;
	char text[TR_SAMPLE_TEXT];
	const struct tr_sample *s = t->brief;
	if (!s) {
		/* Under -j a worker made the heads, and their row names are its. */
		if (!sample_of(t, &own, text, !t->home))
			return;
		s = &own;
	}
	tr_add_sample(tr, s, t->nfindings);
}

void tr_add_sample(struct traffic *tr, const struct tr_sample *s, unsigned findings)
{
	int st = s->status;
	int cls = st >= 100 && st <= 599 ? st / 100 : 0;
	/* Every response is drawn over time, 1xx too; hosts and endpoints
	 * count final responses. */
	series_add(tr, s->sec, cls);
	if (!s->final)
		return;
	struct tr_key *keys[2] = { key_for(tr, &tr->hosts, s->server, s->server_len, s->server_hash),
				   key_for(tr, &tr->endpoints, s->endpoint, s->endpoint_len, s->endpoint_hash) };
	if (s->lat) {
		lat_add(tr, &tr->first, s->first);
		lat_add(tr, &tr->last, s->last);
	}
	for (int i = 0; i < 2; i++) {
		struct tr_key *k = keys[i];
		if (!k)
			continue;
		k->requests++;
		k->c4xx += cls == 4;
		k->c5xx += cls == 5;
		k->findings += findings;
		if (s->lat && i == 1) {
			lat_add(tr, &k->first, s->first);
			lat_add(tr, &k->last, s->last);
		}
	}
}

/*
 * Sorts v[0..n) in place, tmp holding n more: insertion for a few, else
 * a radix sort a byte at a time (least significant first), skipping a
 * byte all of them share (latencies in microseconds seldom reach the
 * top one).  Linear in n, whatever the order it is given in: qsort's
 * merge sort called a comparison for every step, 5% of a 20 MB run.
 */
static void sort_u32(uint32_t *v, uint32_t n, uint32_t *tmp)
{
	if (n <= 32) {
		for (uint32_t i = 1; i < n; i++) {
			uint32_t x = v[i], j = i;
			for (; j && v[j - 1] > x; j--)
				v[j] = v[j - 1];
			v[j] = x;
		}
		return;
	}
	uint32_t *from = v, *to = tmp;
	for (unsigned shift = 0; shift < 32; shift += 8) {
		uint32_t count[256] = { 0 };
		for (uint32_t i = 0; i < n; i++)
			count[from[i] >> shift & 255]++;
		if (count[from[0] >> shift & 255] == n)
			continue;
		uint32_t at = 0;
		for (unsigned b = 0; b < 256; b++) {
			uint32_t c = count[b];
			count[b] = at;
			at += c;
		}
		for (uint32_t i = 0; i < n; i++)
			to[count[from[i] >> shift & 255]++] = from[i];
		uint32_t *t = from;
		from = to;
		to = t;
	}
	if (from != v)
		memcpy(v, from, n * sizeof *v);
}

/* Nearest rank: the smallest sample with at least q% of the samples at or below it. */
static uint32_t rank(const uint32_t *v, uint32_t n, unsigned q)
{
	uint64_t r = ((uint64_t)q * n + 99) / 100;
	return v[r ? r - 1 : 0];
}

/* The nearest-rank value of q% from the histogram. */
static uint32_t hist_rank(const struct tr_lat *l, unsigned q)
{
	uint64_t r = ((uint64_t)q * l->count + 99) / 100, seen = 0;
	if (!r)
		r = 1;
	for (uint32_t b = 0; b < TR_HBUCKETS; b++) {
		seen += l->hist[b];
		if (seen >= r) {
			uint32_t v = bucket_value(b);
			return v > l->max ? l->max : v;
		}
	}
	return l->max;
}

static void pct_of(const struct tr_lat *l, struct tr_pct *p)
{
	memset(p, 0, sizeof *p);
	p->count = l->count;
	p->max = l->max;
	p->exact = !l->hist;
	if (l->hist) {
		p->p50 = hist_rank(l, 50);
		p->p90 = hist_rank(l, 90);
		p->p99 = hist_rank(l, 99);
		return;
	}
	if (!l->n)
		return;
	uint32_t *v = malloc(2 * (size_t)l->n * sizeof *v);
	if (!v)
		return;
	memcpy(v, l->v, l->n * sizeof *v);
	sort_u32(v, l->n, v + l->n);
	p->p50 = rank(v, l->n, 50);
	p->p90 = rank(v, l->n, 90);
	p->p99 = rank(v, l->n, 99);
	free(v);
}

void tr_overall(const struct traffic *tr, struct tr_pct *first, struct tr_pct *last)
{
	pct_of(&tr->first, first);
	pct_of(&tr->last, last);
}

/* Most requests (or findings) first, then by name: names are unique, so the order is total. */
static int cmp_rows_by(const struct tr_row *x, const struct tr_row *y, bool by_findings)
{
	uint64_t kx = by_findings ? x->findings : x->requests, ky = by_findings ? y->findings : y->requests;
	if (kx != ky)
		return kx > ky ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* Two comparators rather than a static flag: tr_rows may run on several threads. */
static int cmp_rows_requests(const void *a, const void *b)
{
	return cmp_rows_by(a, b, false);
}

static int cmp_rows_findings(const void *a, const void *b)
{
	return cmp_rows_by(a, b, true);
}

struct tr_row *tr_rows(const struct traffic *tr, bool endpoints, bool by_findings, uint32_t n, uint32_t *count)
{
	const struct tr_keys *ks = endpoints ? &tr->endpoints : &tr->hosts;
	uint32_t total = ks->n;
	struct tr_row *rows = calloc(total ? total : 1, sizeof *rows);
	*count = 0;
	if (!rows)
		return NULL;
	uint32_t i = 0;
	for (uint32_t s = 0; s < ks->nslots; s++) {
		const struct tr_key *k = ks->slots[s];
		if (!k)
			continue;
		rows[i] = (struct tr_row){ k->name, k->requests, k->c4xx, k->c5xx, k->findings, { 0 }, { 0 } };
		if (endpoints) {
			pct_of(&k->first, &rows[i].first);
			pct_of(&k->last, &rows[i].last);
		}
		i++;
	}
	qsort(rows, total, sizeof *rows, by_findings ? cmp_rows_findings : cmp_rows_requests);
	*count = n && n < total ? n : total;
	if (by_findings)
		while (*count && rows[*count - 1].findings == 0)
			(*count)--;
	return rows;
}
