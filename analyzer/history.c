/* history.c: what earlier transactions showed, for the rules that compare transactions. */
#include "history.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bigtable.h"
#include "endpoint.h"
#include "fieldval.h"
#include "redirects.h"
#include "rule.h"
#include "txn.h"

/*
 * The fields hist_observe looks for in a response, found in one pass over
 * it (scan): first those whose presence is compared between responses
 * (the F_ bits), then those whose value is read.
 */
static const char *const names[HIST_NAMES] = {
	"Content-Location", "Date",          "ETag",           "Vary",             "Cache-Control",
	"Expires",          "Content-Type",  "Last-Modified",  "Content-Encoding", "Content-Language",
	"Content-Length",   "Allow",         "Location",       "Retry-After",
};
#define NTRACKED 10 /* names[0..NTRACKED) are the F_ bits, in order */
enum { N_ETAG = 2, N_LAST_MODIFIED = 7, N_CONTENT_ENCODING = 8, N_CONTENT_LENGTH = 10, N_ALLOW, N_LOCATION, N_RETRY_AFTER };
enum {
	F_CONTENT_LOCATION = 1 << 0,
	F_DATE = 1 << 1,
	F_ETAG = 1 << 2,
	F_VARY = 1 << 3,
	F_CACHE_CONTROL = 1 << 4,
	F_EXPIRES = 1 << 5,
	F_CONTENT_TYPE = 1 << 6,
	F_LAST_MODIFIED = 1 << 7,
	F_CONTENT_ENCODING = 1 << 8,
	F_CONTENT_LANGUAGE = 1 << 9,
};
_Static_assert(F_ETAG == 1 << N_ETAG && F_LAST_MODIFIED == 1 << N_LAST_MODIFIED &&
		       F_CONTENT_ENCODING == 1 << N_CONTENT_ENCODING && F_CONTENT_LANGUAGE == 1 << (NTRACKED - 1),
	       "names[] and the F_ bits agree");

/* What scan found in a response: the first field of each name, and the tracked ones present. */
struct seen {
	const struct hfield *first[HIST_NAMES];
	uint16_t fields;
};

/*
 * What one 200 showed: which fields, its validators, its coding and length.
 * Values are kept as 64-bit hashes (0: the field is absent), so an entry
 * stays small: equal hashes stand for equal values.
 */
struct shown {
	bool set;
	bool strong;    /* the ETag is a strong one */
	uint16_t fields;
	uint64_t etag, lm, ce;
	int64_t length; /* content bytes, or Content-Length for HEAD; -1 unknown */
};

/* The fields most transactions touch come first, so that a lookup reads few cache lines. */
struct hist_entry {
	uint64_t key;               /* a 64-bit hash of "R url", "S host" or "C client url" */
	/* A resource ("R url"). */
	struct shown get;
	uint64_t ok_methods;        /* methods answered 2xx, by llhttp method number */
	time_t lm_t;                /* the latest Last-Modified seen */
	bool named;                 /* a 201 or redirect named this URL */
	/* A server ("S host"): methods it answered other than 405 or 501. */
	uint64_t handled;
	struct shown head;
	/* A client and a URL ("C client url"). */
	int auth_401s;
	int retry_status;
	int64_t retry_from_us;      /* when the response that set it was seen */
	int64_t retry_at_us;        /* capture time before which a retry is early; 0 none */
	char *allow;                /* the resource's last Allow, normalised (ALLOW_MAX bytes); NULL none.
				     * Apart: few responses carry Allow, and every entry would carry its room. */
};

#define ALLOW_MAX 128

/* A slot of the table: the key is kept here too, so that a probe reads the slots only. */
struct hist_slot {
	uint64_t key;
	uint32_t ent;               /* entry index + 1; 0: empty */
};

void hist_init(struct history *h, uint32_t max)
{
	memset(h, 0, sizeof *h);
	h->max = max ? max : 1;
	for (int i = 0; i < HIST_NAMES; i++) {
		h->name_len[i] = (uint32_t)strlen(names[i]);
		h->name_hash[i] = head_name_hash(names[i], h->name_len[i]);
		uint8_t *at = &h->name_first[h->name_hash[i] & 63];
		while (*at)
			at = &h->name_next[*at - 1];
		*at = (uint8_t)(i + 1);
	}
}

void hist_free(struct history *h)
{
	for (uint32_t i = 0; i < h->count; i++)
		free(h->ents[i].allow);
	bt_free(h->ents, (size_t)h->cap * sizeof *h->ents);
	bt_free(h->slots, (size_t)h->nslots * sizeof *h->slots);
	free(h->used);
	h->ents = NULL;
	h->slots = NULL;
	h->used = NULL;
	h->nslots = h->cap = h->count = h->hand = h->next_victim = 0;
}

/* The key's home slot: its high bits after a multiplication, which mixes the key's bits into them. */
static uint32_t home(const struct history *h, uint64_t key)
{
	return (uint32_t)((key * 0x9e3779b97f4a7c15ull) >> h->shift);
}

/* The slot holding key, or the empty slot where it would go. */
static uint32_t probe(const struct history *h, uint64_t key)
{
	uint32_t mask = h->nslots - 1;
	for (uint32_t i = home(h, key);; i = (i + 1) & mask)
		if (!h->slots[i].ent || h->slots[i].key == key)
			return i;
}

/* Empties slot i; the entries after it in its run move back, so no probe passes a hole (no tombstones). */
static void slot_delete(struct history *h, uint32_t i)
{
	uint32_t mask = h->nslots - 1;
	for (uint32_t j = (i + 1) & mask; h->slots[j].ent; j = (j + 1) & mask) {
		/* The slot at j can fill i when i lies between its home and j. */
		if (((j - home(h, h->slots[j].key)) & mask) >= ((j - i) & mask)) {
			h->slots[i] = h->slots[j];
			i = j;
		}
	}
	h->slots[i].ent = 0;
}

/* Room for one more entry, and a table at most half full with it. */
static bool make_room(struct history *h)
{
	if (h->count == h->cap) {
		uint32_t ncap = h->cap ? (h->cap > h->max / 2 ? h->max : h->cap * 2) : (h->max < 64 ? h->max : 64);
		/* The bits first: once the entries have grown, cap must follow
		 * them (hist_free gives them back by their size). */
		size_t words = (h->cap + 63) / 64, nwords = (ncap + 63) / 64;
		uint64_t *nu = realloc(h->used, nwords * sizeof *nu);
		if (!nu)
			return false;
		memset(nu + words, 0, (nwords - words) * sizeof *nu);
		h->used = nu;
		struct hist_entry *ne = bt_grow(h->ents, (size_t)h->cap * sizeof *ne, (size_t)ncap * sizeof *ne);
		if (!ne)
			return false;
		h->ents = ne;
		h->cap = ncap;
	}
	if ((uint64_t)(h->count + 1) * 2 > h->nslots) {
		uint32_t n = h->nslots ? h->nslots * 2 : 128, shift = 64;
		for (uint32_t x = n; x > 1; x >>= 1)
			shift--;
		struct hist_slot *ns = bt_alloc((size_t)n * sizeof *ns), *old = h->slots;
		if (!ns)
			return false;
		uint32_t on = h->nslots;
		h->slots = ns;
		h->nslots = n;
		h->shift = shift;
		for (uint32_t i = 0; i < on; i++)
			if (old[i].ent)
				h->slots[probe(h, old[i].key)] = old[i];
		bt_free(old, (size_t)on * sizeof *old);
	}
	return true;
}

/*
 * The entry to forget at the cap: CLOCK (second chance), the usual stand-in
 * for least recently used.  A hand goes round the entries; one used since
 * the hand last passed it (its bit in used) is passed over once, its bit
 * cleared, and the first one not used is taken.  A use only sets a bit in
 * a small array (8 KiB for 65536 entries) where an exact LRU list moved
 * the entry between two others, three reads of memory at random; that was
 * 5% of the time on a capture of many URLs.
 */
static uint32_t clock_victim(struct history *h)
{
	for (;;) {
		if (h->hand >= h->count)
			h->hand = 0;
		uint64_t *w = &h->used[h->hand / 64];
		if (*w == ~(uint64_t)0 && h->hand % 64 == 0 && h->hand + 64 <= h->count) {
			*w = 0; /* 64 used entries at once */
			h->hand += 64;
			continue;
		}
		uint64_t bit = (uint64_t)1 << (h->hand % 64);
		if (!(*w & bit))
			return h->hand++;
		*w &= ~bit;
		h->hand++;
	}
}

/*
 * The entry clock_victim would take now (history.h), found without moving
 * the hand or clearing a bit: within PEEK entries of the hand, or the
 * hand's own place when every entry is used.  The bits the hand would
 * clear on its way are those passed over here; a use before the next
 * entry is made can still save the one found, so it is only ever a hint.
 */
#define PEEK 256
int64_t hist_next_victim(const struct history *h)
{
	if (!h->count || h->count < h->max)
		return -1;
	uint32_t start = h->hand >= h->count ? 0 : h->hand, i = start;
	for (uint32_t seen = 0; seen < PEEK && seen < h->count;) {
		uint64_t clear = ~h->used[i / 64] >> (i % 64);
		if (clear) {
			uint32_t j = i + (uint32_t)__builtin_ctzll(clear);
			if (j < h->count)
				return j;
			/* Past the last entry: the hand goes back to the first. */
			seen += h->count - i;
			i = 0;
			continue;
		}
		uint32_t step = 64 - i % 64;
		seen += step;
		i += step;
		if (i >= h->count)
			i = 0;
	}
	/* Every entry used: the hand clears them all and comes back to where it started. */
	return h->count <= PEEK ? (int64_t)start : -1;
}

/*
 * The entry for key, made when create is set; at the cap, the one
 * clock_victim picks is forgotten and its index reused.  Entries are found
 * by a 64-bit hash of the key (hash_bytes, below): with at most
 * --max-history entries, two keys sharing one is vanishingly rare.  The
 * pointer is good until the next call (the entries may move).
 */
static struct hist_entry *entry(struct history *h, uint64_t k, bool create)
{
	if (h->nslots) {
		uint32_t s = probe(h, k);
		if (h->slots[s].ent) {
			uint32_t i = h->slots[s].ent - 1;
			h->used[i / 64] |= (uint64_t)1 << (i % 64);
			return &h->ents[i];
		}
	}
	if (!create)
		return NULL;
	uint32_t i;
	if (h->count >= h->max) {
		i = clock_victim(h);
		free(h->ents[i].allow);
		slot_delete(h, probe(h, h->ents[i].key));
		h->evicted++;
		/* The next one to forget, asked for now: forgetting reads its
		 * key and its Allow, and then its slot (hist_prefetch asks for
		 * that once the key is in), three reads at random otherwise. */
		int64_t next = hist_next_victim(h);
		h->next_victim = next >= 0 ? (uint32_t)next + 1 : 0;
		if (next >= 0) {
			__builtin_prefetch(&h->ents[next].key);
			__builtin_prefetch(&h->ents[next].allow);
		}
	} else {
		if (!make_room(h))
			return NULL;
		i = h->count++;
	}
	/* Made, not used: its bit stays clear until a later use. */
	struct hist_entry *e = &h->ents[i];
	memset(e, 0, sizeof *e);
	e->key = k;
	struct hist_slot *sl = &h->slots[probe(h, k)];
	sl->key = k;
	sl->ent = i + 1;
	return e;
}

#define HASH_SEED 14695981039346656037ull
#define MIX_M 0xc6a4a7935bd1e995ull

/*
 * A 64-bit hash of n bytes of p, continuing from k: eight bytes a step,
 * each word mixed (multiply, shift, multiply) before it is folded in, as
 * in MurmurHash64A, and the length in the last word, so that trailing
 * zero bytes count.  The keys run to dozens of bytes (URLs), and a byte
 * at a time (FNV-1a) was a chain of dependent multiplies four times as
 * long.  Only ever compared with keys made the same way in this run.
 */
static uint64_t hash_bytes(uint64_t k, const void *p, size_t n)
{
	const unsigned char *b = p;
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		uint64_t w;
		memcpy(&w, b + i, 8);
		w *= MIX_M;
		w ^= w >> 47;
		w *= MIX_M;
		k = (k ^ w) * MIX_M;
	}
	/* The last n - i bytes, the first of them lowest, as a loop over them
	 * would place them: read at once, overlapping bytes already hashed
	 * (or each other) and shifted away or OR'ed onto themselves. */
	uint64_t w = (uint64_t)(n & 0xff) << 56, r = n - i;
	if (r && n >= 8) {
		uint64_t x;
		memcpy(&x, b + n - 8, 8);
		w |= x >> (8 * (8 - r));
	} else if (r >= 4) {
		uint32_t lo, hi;
		memcpy(&lo, b, 4);
		memcpy(&hi, b + r - 4, 4);
		w |= (uint64_t)lo | (uint64_t)hi << (8 * (r - 4));
	} else if (r) {
		w |= (uint64_t)b[0] | (uint64_t)b[r / 2] << (8 * (r / 2)) | (uint64_t)b[r - 1] << (8 * (r - 1));
	}
	w *= MIX_M;
	w ^= w >> 47;
	w *= MIX_M;
	k = (k ^ w) * MIX_M;
	k ^= k >> 47;
	return k;
}

/* hash_bytes of a C string, continuing from k. */
static uint64_t hash_str(uint64_t k, const char *s)
{
	return hash_bytes(k, s, strlen(s));
}

/* tolower in the C locale, which is the program's (it never calls setlocale), inline. */
static inline unsigned char ascii_lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

/* One pass over r's fields for the names hist_observe reads (what head_field would find for each). */
static void scan(const struct history *h, const struct http_head *r, struct seen *sn)
{
	memset(sn, 0, sizeof *sn);
	for (uint32_t i = 0; i < r->nfields; i++) {
		const struct hfield *f = &r->fields[i];
		for (unsigned j1 = h->name_first[f->hash & 63]; j1; j1 = h->name_next[j1 - 1]) {
			unsigned j = j1 - 1;
			if (f->hash != h->name_hash[j] || f->name.len != h->name_len[j])
				continue;
			/* Most senders write the name as names[] does; memcmp is the cheaper test. */
			const char *fn = head_str(r, f->name);
			if (memcmp(fn, names[j], f->name.len) == 0 || strncasecmp(fn, names[j], f->name.len) == 0) {
				if (!sn->first[j]) {
					sn->first[j] = f;
					if (j < NTRACKED)
						sn->fields |= (uint16_t)(1u << j);
				}
				break;
			}
		}
	}
}

/* A 64-bit hash of field f's value; 0 when there is none. */
static uint64_t value_hash(const struct http_head *hd, const struct hfield *f)
{
	if (!f)
		return 0;
	return hash_bytes(HASH_SEED, head_str(hd, f->value), f->value.len) | 1; /* never 0 */
}

static int64_t content_length(const struct http_head *hd, const struct hfield *f)
{
	if (!f || !f->value.len || f->value.len > 18)
		return -1;
	int64_t v = 0;
	const char *p = head_str(hd, f->value);
	for (uint32_t i = 0; i < f->value.len; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	return v;
}

/* Whether two responses are of the same representation: equal ETags, or equal Last-Modified without ETags. */
static bool same_representation(const struct shown *a, const struct shown *b)
{
	if (a->etag || b->etag)
		return a->etag == b->etag;
	return a->lm && a->lm == b->lm;
}

/* The first field in mask that was in had and is not in has; NULL if none. */
static const char *lacking(uint16_t had, uint16_t has, uint16_t mask)
{
	for (size_t i = 0; i < NTRACKED; i++)
		if ((mask & (1u << i)) && (had & (1u << i)) && !(has & (1u << i)))
			return names[i];
	return NULL;
}

/* Raises rule r on t, counted in *raised (hist_apply's answer). */
#define RAISE(t, r, ...) (rule_raise(t, r, rule_table[r].sev, __VA_ARGS__), (*raised)++)

/* RFC 9110 §15.4.5: a 304 repeats these (Date has its own rule, missing-date). */
#define NOT_MODIFIED_FIELDS (F_CONTENT_LOCATION | F_ETAG | F_VARY | F_CACHE_CONTROL | F_EXPIRES)
/* RFC 9110 §15.3.7: and so does a 206. */
#define PARTIAL_FIELDS (F_CONTENT_LOCATION | F_ETAG | F_VARY | F_CACHE_CONTROL | F_EXPIRES)
/* RFC 9110 §9.3.2: HEAD sends the fields GET would (Content-Length aside). */
#define HEAD_FIELDS \
	(F_CONTENT_TYPE | F_ETAG | F_LAST_MODIFIED | F_CACHE_CONTROL | F_VARY | F_CONTENT_ENCODING | F_CONTENT_LANGUAGE)

/* What the response f describes shows; length is its Content-Length with cl (304, 206, HEAD), else its content read whole. */
static void shown_of(const struct hist_facts *f, bool cl, struct shown *s)
{
	memset(s, 0, sizeof *s);
	s->set = true;
	s->fields = f->fields;
	s->etag = f->etag;
	s->strong = f->strong;
	s->lm = f->lm;
	s->ce = f->ce;
	s->length = cl ? f->cl : f->body;
}

static void judge_resource(struct hist_entry *e, struct txn *t, const struct hist_facts *f, unsigned *raised)
{
	struct shown now;
	bool get = f->get, head = f->head;
	int st = f->status;
	if ((get || head) && (st == 304 || st == 206) && e->get.set) {
		shown_of(f, true, &now);
		/* Another representation (its ETag differs): nothing to compare. */
		if (now.etag && e->get.etag && now.etag != e->get.etag)
			return;
		const char *miss = lacking(e->get.fields, now.fields, st == 304 ? NOT_MODIFIED_FIELDS : PARTIAL_FIELDS);
		if (miss && st == 304)
			RAISE(t, RULE_NOT_MODIFIED_METADATA_MISMATCH, "304 lacks %s, which the 200 for the same URL sent", miss);
		else if (miss)
			RAISE(t, RULE_PARTIAL_METADATA_MISMATCH, "206 lacks %s, which the 200 for the same URL sent", miss);
		if (st == 304 && now.length >= 0 && e->get.length >= 0 && now.ce == e->get.ce &&
		    now.length != e->get.length)
			RAISE(t, RULE_NOT_MODIFIED_LENGTH_MISMATCH,
			      "304 says Content-Length %" PRId64 "; the 200 for the same URL had %" PRId64 " bytes", now.length,
			      e->get.length);
		return;
	}
	if (st != 200 || !(get || head))
		return;
	shown_of(f, head, &now);
	struct shown *other = head ? &e->get : &e->head;
	if (other->set && same_representation(&now, other)) {
		const struct shown *g = head ? other : &now, *h = head ? &now : other;
		if (g->length >= 0 && h->length >= 0 && g->length != h->length && g->ce == h->ce)
			RAISE(t, RULE_HEAD_GET_LENGTH_MISMATCH,
			      "HEAD says Content-Length %" PRId64 "; GET for the same URL sent %" PRId64 " bytes", h->length,
			      g->length);
		const char *miss = lacking(g->fields, h->fields, HEAD_FIELDS);
		if (miss)
			RAISE(t, RULE_HEAD_GET_HEADER_MISMATCH, "the response to HEAD lacks %s, which GET for the same URL sent",
			      miss);
	}
	if (get) {
		if (e->get.set && now.strong && now.etag == e->get.etag && now.ce == e->get.ce &&
		    now.length >= 0 && e->get.length >= 0 && now.length != e->get.length) {
			/* The first ETag, as scan found it: the heads are read for the message only. */
			const struct hfield *et = head_field(t->resp, "ETag");
			RAISE(t, RULE_STRONG_ETAG_REUSED,
			      "strong ETag %.*s came with %" PRId64 " bytes before and %" PRId64 " now",
			      (int)(et->value.len > 40 ? 40 : et->value.len), head_str(t->resp, et->value), e->get.length,
			      now.length);
		}
		if (f->lm_ok) {
			time_t lm = (time_t)f->lm_time;
			if (e->lm_t && lm < e->lm_t)
				RAISE(t, RULE_VALIDATOR_REGRESSION,
				      "Last-Modified went back %lld s from the one sent before for the same URL",
				      (long long)(e->lm_t - lm));
			if (lm > e->lm_t)
				e->lm_t = lm;
		}
		e->get = now;
	} else {
		e->head = now;
	}
}

/* The Allow value as sorted, comma-joined tokens, so that order and spacing do not count. */
static void allow_norm(const struct http_head *r, char *out, size_t n)
{
	char tok[32][24];
	int k = 0;
	for (uint32_t i = 0; i < r->nfields; i++) {
		if (!field_is(r, &r->fields[i], "Allow"))
			continue;
		const char *v = head_str(r, r->fields[i].value);
		uint32_t x = 0, st, l;
		while (k < 32 && list_next(v, r->fields[i].value.len, &x, &st, &l))
			snprintf(tok[k++], sizeof tok[0], "%.*s", (int)l, v + st);
	}
	qsort(tok, (size_t)k, sizeof tok[0], (int (*)(const void *, const void *))strcmp);
	size_t o = 0;
	out[0] = 0;
	for (int i = 0; i < k; i++) {
		if (i && strcmp(tok[i], tok[i - 1]) == 0)
			continue;
		int w = snprintf(out + o, n - o, "%s%s", o ? "," : "", tok[i]);
		if (w < 0 || (size_t)w >= n - o)
			break;
		o += (size_t)w;
	}
}

/* Whether the request's method is m, n bytes (case-sensitive, RFC 9110 §9.1): method_is without the strlen. */
static bool meth(const struct http_head *q, const char *m, uint32_t n)
{
	return q->method_s.len == n && memcmp(head_str(q, q->method_s), m, n) == 0;
}

/* The key of url: "R " and then the URL, hashed (hash_bytes); never 0. */
static uint64_t url_key_of(const char *url)
{
	uint64_t k = hash_str(hash_bytes(HASH_SEED, "R ", 2), url);
	return k ? k : 1;
}

#define URL_ROOM 1024

/* Writes t's request URL into url (URL_ROOM bytes) unless *have says it is there already; whether it is. */
static bool url_at_hand(const struct txn *t, char *url, bool *have)
{
	if (!*have)
		*have = redir_request_url(t, url, URL_ROOM);
	return *have;
}

/* Whether a response of status st makes a client's entry (a 401's count, a Retry-After's wait). */
static bool makes_client(int st)
{
	return st == 401 || st == 429 || st == 503 || st == 413;
}

/* The key of client_ip's requests for url: "C ", the address, " " and the URL, hashed. */
static uint64_t client_key_of(const char *client_ip, const char *url)
{
	return hash_str(hash_str(hash_str(hash_bytes(HASH_SEED, "C ", 2), client_ip), " "), url);
}

uint64_t hist_url_key(const struct txn *t, const char *client_ip, uint64_t *client_key)
{
	char url[URL_ROOM];
	if (!redir_request_url(t, url, sizeof url))
		return 0;
	if (client_key)
		*client_key = client_key_of(client_ip, url);
	return url_key_of(url);
}

/*
 * Only reads and prefetches, so GCC's link-time optimisation took it for
 * a pure function and, its result unused, dropped every call to it: the
 * profile-guided build asked for none of these slots until 2026-11-26
 * (docs/performance.md; tests/prefetch_calls.py).  noipa keeps it out of
 * that analysis (and out of line: a call a transaction).
 */
#if defined(__GNUC__) && !defined(__clang__)
__attribute__((noipa))
#endif
void hist_prefetch(const struct history *h, uint64_t key, uint64_t client_key)
{
	if (h->nslots && key)
		__builtin_prefetch(&h->slots[home(h, key)]);
	if (h->nslots && client_key)
		__builtin_prefetch(&h->slots[home(h, client_key)]);
	/* The slot of the entry to be forgotten next, whose key was asked for when the last was. */
	if (h->next_victim)
		__builtin_prefetch(&h->slots[home(h, h->ents[h->next_victim - 1].key)]);
}

void hist_prefetch_entry(const struct history *h, uint64_t key)
{
	if (!h->nslots || !key)
		return;
	const struct hist_slot *sl = &h->slots[home(h, key)];
	if (sl->ent && sl->key == key) {
		const char *e = (const char *)&h->ents[sl->ent - 1];
		__builtin_prefetch(e);
		__builtin_prefetch(e + 64);
	}
}

/* What hist_facts_of reads of a response head alone. */
struct resp_facts {
	uint16_t fields;     /* the F_ bits of the fields it has */
	bool strong;         /* its ETag is a strong one */
	bool lm_ok;          /* its Last-Modified is a date (lm_time) */
	bool allow, location, retry_after; /* it has the field */
	uint64_t etag, lm, ce; /* value_hash of each */
	int64_t cl;          /* Content-Length's value; -1 unknown */
	int64_t lm_time;
};

/* What it reads of a request head alone. */
struct req_facts {
	bool host;
	uint64_t host_key;
};

/*
 * r's facts; the validators and length only with rep, the Last-Modified's
 * date only with lm (each cost a hash or a parse that few responses need,
 * unless the facts are kept for the responses alike).
 */
static void resp_facts_of(const struct history *h, const struct http_head *r, bool rep, bool lm,
			  struct resp_facts *m)
{
	struct seen sn;
	scan(h, r, &sn);
	memset(m, 0, sizeof *m);
	m->fields = sn.fields;
	m->cl = -1;
	if (rep) {
		const struct hfield *et = sn.first[N_ETAG];
		m->etag = value_hash(r, et);
		m->strong = et && et->value.len && head_str(r, et->value)[0] == '"';
		m->lm = value_hash(r, sn.first[N_LAST_MODIFIED]);
		m->ce = value_hash(r, sn.first[N_CONTENT_ENCODING]);
		m->cl = content_length(r, sn.first[N_CONTENT_LENGTH]);
	}
	const struct hfield *lmf = sn.first[N_LAST_MODIFIED];
	time_t when;
	if (lm && lmf && imf_fixdate(head_str(r, lmf->value), lmf->value.len, &when)) {
		m->lm_ok = true;
		m->lm_time = when;
	}
	m->allow = sn.first[N_ALLOW] != NULL;
	m->location = sn.first[N_LOCATION] != NULL;
	m->retry_after = sn.first[N_RETRY_AFTER] != NULL;
}

/* The server's key of q's Host, when it has one: "S " and the host, lower-cased. */
static void req_facts_of(const struct http_head *q, struct req_facts *m)
{
	const struct hfield *hf = head_field_lit(q, "Host");
	const char *host = hf ? head_str(q, hf->value) : NULL;
	uint32_t hl = hf ? hf->value.len : 0;
	m->host = host && hl;
	m->host_key = 0;
	if (!m->host)
		return;
	/* Host names compare without case (RFC 9110 §4.2.3): at most 256
	 * bytes of it, and only up to a NUL in it, as for a C string. */
	char lower[256];
	const char *nul = memchr(host, 0, hl < 256 ? hl : 256);
	uint32_t n = nul ? (uint32_t)(nul - host) : hl < 256 ? hl : 256;
	for (uint32_t i = 0; i < n; i++)
		lower[i] = (char)ascii_lower((unsigned char)host[i]);
	m->host_key = hash_bytes(hash_bytes(HASH_SEED, "S ", 2), lower, n);
}

/*
 * A copy of what a head alone gives, kept with it (http_head.hist) for
 * the transactions that share it, once it is handed out again
 * (hb_freeze_alike): the head is its thread's, which alone calls
 * hist_facts_of, and the kept copy is a cache (it goes with the head).
 */
static void keep_facts(const struct http_head *hd, const void *m, size_t n)
{
	void *k = malloc(n);
	if (!k)
		return;
	memcpy(k, m, n);
	((struct http_head *)hd)->hist = k;
}

void hist_facts_of(const struct history *h, const struct txn *t, const char *client_ip, bool clients,
		   struct hist_facts *f)
{
	memset(f, 0, sizeof *f);
	if (!t->req || !t->resp || !heads_whole(t) || (t->flags & (TXN_INTERIM | TXN_RESP_MALFORMED)))
		return;
	/* The URL's key, worked out when the request was read; the URL
	 * itself is written out only when needed (below). */
	char url[URL_ROOM];
	bool have_url = false;
	uint64_t url_key;
	if (t->flags & TXN_URL_KEY)
		url_key = t->url_key;
	else
		url_key = url_at_hand(t, url, &have_url) ? url_key_of(url) : 0;
	if (!url_key)
		return;
	f->url_key = url_key;
	const struct http_head *r = t->resp;
	int st = f->status = (uint16_t)r->status;
	f->method = t->req->method;
	f->get = meth(t->req, "GET", 3);
	f->head = meth(t->req, "HEAD", 4);
	f->del = meth(t->req, "DELETE", 6);
	/* What the response shows of its representation, which only a 200,
	 * 304 or 206 to GET or HEAD is compared by (judge_resource). */
	bool rep = (f->get || f->head) && (st == 200 || st == 304 || st == 206);
	struct resp_facts m;
	if (r->hist) {
		m = *(const struct resp_facts *)r->hist;
	} else {
		bool keep = r->alike != 0; /* all of it, once, for the responses alike */
		resp_facts_of(h, r, rep || keep, (st == 200 && f->get) || keep, &m);
		if (keep)
			keep_facts(r, &m, sizeof m);
	}
	if (rep) {
		f->fields = m.fields;
		f->etag = m.etag;
		f->strong = m.strong;
		f->lm = m.lm;
		f->ce = m.ce;
		f->cl = m.cl;
		f->body = (t->flags & (TXN_RESP_DONE | TXN_RESP_CUT | TXN_STRAY_CONTENT)) == TXN_RESP_DONE
				  ? (int64_t)t->resp_body
				  : -1;
		if (st == 200 && f->get && m.lm_ok) {
			f->lm_ok = true;
			f->lm_time = m.lm_time;
		}
	}
	f->allow = m.allow;

	/* location-dangling: where a 201 or redirect points. */
	const struct hfield *loc = m.location ? head_field_lit(r, "Location") : NULL;
	if (loc && (st == 201 || (st >= 300 && st <= 399 && st != 304))) {
		char target[1024];
		if (url_at_hand(t, url, &have_url) && redir_resolve(url, head_str(r, loc->value), loc->value.len, target, sizeof target)) {
			f->target = true;
			f->target_key = url_key_of(target);
		}
	}

	/* The server, for not-implemented-vs-not-allowed. */
	if (f->method < 64) {
		struct req_facts q;
		if (t->req->hist) {
			q = *(const struct req_facts *)t->req->hist;
		} else {
			req_facts_of(t->req, &q);
			if (t->req->alike)
				keep_facts(t->req, &q, sizeof q);
		}
		f->host = q.host;
		f->host_key = q.host_key;
	}

	/* The client's retries of the URL. */
	f->req_us = (int64_t)t->req_ts.tv_sec * 1000000 + t->req_ts.tv_usec;
	f->resp_us = (int64_t)t->resp_ts.tv_sec * 1000000 + t->resp_ts.tv_usec;
	const struct hfield *ra = m.retry_after ? head_field_lit(r, "Retry-After") : NULL;
	if (ra && (st == 429 || st == 503 || st == 413)) {
		const char *v = head_str(r, ra->value);
		int64_t delay = -1;
		time_t when, date;
		if (imf_fixdate(v, ra->value.len, &when)) {
			if (field_date(r, "Date", &date))
				delay = (int64_t)(when - date);
		} else if (ra->value.len && ra->value.len < 10) {
			delay = 0;
			for (uint32_t i = 0; i < ra->value.len && delay >= 0; i++)
				delay = v[i] >= '0' && v[i] <= '9' ? delay * 10 + (v[i] - '0') : -1;
		}
		f->retry_delay = delay;
	}
	f->auth = st == 401 && head_field(t->req, "Authorization");
	if (t->flags & TXN_CLIENT_KEY) {
		f->client = true;
		f->client_key = t->client_key;
	} else if ((clients || makes_client(st)) && url_at_hand(t, url, &have_url)) {
		f->client = true;
		f->client_key = client_key_of(client_ip, url);
	}
}

unsigned hist_apply(struct history *h, const struct hist_facts *f, struct txn *t)
{
	if (!f->url_key)
		return 0;
	unsigned n = 0, *raised = &n; /* RAISE counts in *raised */
	int st = f->status;
	uint8_t meth_n = f->method;
	char m[24]; /* the method, for the messages: made only when one is raised */

	struct hist_entry *e = entry(h, f->url_key, true);
	if (e) {
		judge_resource(e, t, f, raised);
		/* allow-inconsistent: the same resource, another Allow. */
		if (f->allow) {
			char now[ALLOW_MAX];
			allow_norm(t->resp, now, sizeof now);
			if (e->allow && e->allow[0] && strcmp(now, e->allow) != 0)
				RAISE(t, RULE_ALLOW_INCONSISTENT, "Allow is now \"%s\"; earlier this URL allowed \"%s\"", now,
				      e->allow);
			if (!e->allow)
				e->allow = malloc(ALLOW_MAX);
			if (e->allow)
				memcpy(e->allow, now, sizeof now);
		}
		/* allow-vs-observed: refused a method it served before. */
		if (meth_n < 64) {
			if (st == 405 && (e->ok_methods & (1ull << meth_n))) {
				method_of(t, m, sizeof m);
				RAISE(t, RULE_ALLOW_VS_OBSERVED, "405 refuses %s, which this URL answered with a 2xx before", m);
			}
			if (st >= 200 && st <= 299)
				e->ok_methods |= 1ull << meth_n;
		}
		/* location-dangling: a URL a 201 or redirect named now is gone;
		 * unless a DELETE removed it since, which is no dangling. */
		if (st >= 200 && st <= 299 && f->del)
			e->named = false;
		if ((st == 404 || st == 410) && e->named) {
			e->named = false;
			RAISE(t, RULE_LOCATION_DANGLING, "an earlier 201 or redirect named this URL, which now answers %d", st);
		}
	}

	/* location-dangling: remember where a 201 or redirect points. */
	if (f->target) {
		struct hist_entry *te = entry(h, f->target_key, true);
		if (te)
			te->named = true;
	}

	/* not-implemented-vs-not-allowed: the server handles the method elsewhere. */
	if (f->host) {
		struct hist_entry *se = entry(h, f->host_key, true);
		if (se) {
			if (st == 501 && (se->handled & (1ull << meth_n))) {
				method_of(t, m, sizeof m);
				RAISE(t, RULE_NOT_IMPLEMENTED_VS_NOT_ALLOWED,
				      "501 says %s is not implemented, but this server answered %s elsewhere", m, m);
			} else if (st >= 200 && st <= 399) {
				se->handled |= 1ull << meth_n;
			}
		}
	}

	/* A client's retries of the same URL: entries are made at a 401, 429,
	 * 503 or 413 only, so until one came there is nothing to look up. */
	bool make = makes_client(st);
	if (!make && !h->clients_made)
		return n;
	uint64_t ck;
	char url[URL_ROOM];
	if (f->client)
		ck = f->client_key;
	else if (t->ep && redir_request_url(t, url, sizeof url))
		ck = client_key_of(t->ep->client_ip, url); /* a worker did not know clients were held yet */
	else
		return n;
	struct hist_entry *ce = entry(h, ck, make);
	if (!ce)
		return n;
	if (make && !ce->retry_from_us && !ce->auth_401s && !ce->retry_at_us)
		h->clients_made++;
	/* A request sent before the response that asked for the wait
	 * (pipelined behind it) could not have known. */
	if (ce->retry_at_us && f->req_us >= ce->retry_from_us && f->req_us < ce->retry_at_us) {
		RAISE(t, RULE_RETRY_AFTER_IGNORED, "the client asked again %.1f s before the Retry-After of the earlier %d allowed",
		      (double)(ce->retry_at_us - f->req_us) / 1e6, ce->retry_status);
	}
	ce->retry_at_us = 0;
	if (f->retry_delay > 0) {
		ce->retry_from_us = f->resp_us;
		ce->retry_at_us = ce->retry_from_us + f->retry_delay * 1000000;
		ce->retry_status = st;
	}
	if (f->auth) {
		if (++ce->auth_401s == 3)
			RAISE(t, RULE_AUTH_RETRY_LOOP, "third 401 in a row for this URL to a request with credentials");
	} else {
		ce->auth_401s = 0;
	}
	return n;
}

void hist_observe(struct history *h, const char *client_ip, struct txn *t)
{
	struct hist_facts f;
	hist_facts_of(h, t, client_ip, h->clients_made != 0, &f);
	hist_apply(h, &f, t);
}
