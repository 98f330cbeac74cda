/* head.c: collecting and keeping HTTP message heads. */
#include "head.h"

#include <stdlib.h>
#include <string.h>

#include "rest.h"

void hb_init(struct head_builder *b, uint32_t max_bytes, uint32_t max_fields)
{
	memset(b, 0, sizeof *b);
	b->max_bytes = max_bytes;
	b->max_fields = max_fields;
}

void hb_reset(struct head_builder *b)
{
	b->len = 0;
	b->nfields = 0;
	b->method_s = b->uri = b->reason = (struct span){ 0, 0 };
	b->cur = HB_NONE;
	b->dropping = false;
	b->truncated = false;
	b->obs_fold = false;
	b->dropped_fields = 0;
}

void hb_free(struct head_builder *b)
{
	free(b->buf);
	free(b->fields);
	memset(b, 0, sizeof *b);
}

/*
 * The buffers of builders whose head was frozen, for the next head begun
 * on this thread: last given, first taken, so that a head is collected
 * into memory still in the core's caches rather than into its own
 * connection's, cold since its last message when many connections take
 * turns.  A connection between messages holds no buffers.
 */
struct hb_spare {
	int nbufs, nfields;
	struct { char *p; uint32_t cap; } bufs[HB_POOL];
	struct { struct hfield *p; uint32_t cap; } fields[HB_POOL];
};
static _Thread_local struct hb_spare spare;

int hb_pool_size(void)
{
	return spare.nbufs + spare.nfields;
}

/*
 * Frozen heads' allocations freed on this thread, for the next heads
 * frozen on it (head.h): a list by size, each block's first word the next
 * block.  Under -j a worker's transactions come back from the merge a run
 * at a time, hundreds at once, more than glibc's per-thread cache keeps
 * (7 a size): without this, each went through malloc's bins and came back
 * out of them one by one (docs/performance.md).
 */
#if defined(__SANITIZE_ADDRESS__)
#define CACHE_CAP 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CACHE_CAP 0
#endif
#endif
#ifndef CACHE_CAP
#define CACHE_CAP HEAD_CACHE_BYTES
#endif
struct head_cache {
	void *first[HEAD_BLOCK_UNITS]; /* by size: units - 1 */
	size_t bytes;
};
static _Thread_local struct head_cache cache;

size_t head_cache_bytes(void)
{
	return cache.bytes;
}

size_t head_cache_cap(void)
{
	return CACHE_CAP;
}

void *head_block_get(size_t n, uint8_t *units)
{
	size_t u = (n + HEAD_BLOCK_UNIT - 1) / HEAD_BLOCK_UNIT;
	if (u > HEAD_BLOCK_UNITS) {
		*units = 0;
		return malloc(n);
	}
	*units = (uint8_t)u;
	void *p = cache.first[u - 1];
	if (!p)
		return malloc(u * HEAD_BLOCK_UNIT);
	memcpy(&cache.first[u - 1], p, sizeof p);
	cache.bytes -= u * HEAD_BLOCK_UNIT;
	/* The next one of this size, likely out of the caches by now, asked for ahead. */
	if (cache.first[u - 1])
		__builtin_prefetch(cache.first[u - 1], 1);
	return p;
}

void head_block_put(void *p, uint8_t units)
{
	if (!units || cache.bytes + units * HEAD_BLOCK_UNIT > CACHE_CAP) {
		free(p);
		return;
	}
	memcpy(p, &cache.first[units - 1], sizeof p);
	cache.first[units - 1] = p;
	cache.bytes += units * HEAD_BLOCK_UNIT;
}

/*
 * The heads of each kind hb_freeze_alike froze on this thread (a
 * request's, a response's) and holds a reference of its own to, for the
 * next ones alike: when each was last frozen or handed out (used, by
 * this thread's count), and which was last (the first compared).
 */
struct alike_set {
	struct http_head *h[HB_ALIKE];
	uint64_t used[HB_ALIKE];
	unsigned last;
	struct rest rest;   /* traffic that seldom repeats compares with the last one only */
};
static _Thread_local struct alike_set alike[2];
static _Thread_local uint64_t alike_clock;

void hb_pool_drain(void)
{
	for (int k = 0; k < 2; k++) {
		for (int i = 0; i < HB_ALIKE; i++)
			head_unref(alike[k].h[i]);
		memset(&alike[k], 0, sizeof alike[k]);
	}
	while (spare.nbufs)
		free(spare.bufs[--spare.nbufs].p);
	while (spare.nfields)
		free(spare.fields[--spare.nfields].p);
	for (int u = 0; u < HEAD_BLOCK_UNITS; u++) {
		while (cache.first[u]) {
			void *p = cache.first[u];
			memcpy(&cache.first[u], p, sizeof p);
			free(p);
		}
	}
	cache.bytes = 0;
}

/* Gives b's buffers to the pool, as far as it has room: b's head is frozen. */
static void give_back(struct head_builder *b)
{
	if (b->buf && spare.nbufs < HB_POOL) {
		spare.bufs[spare.nbufs].p = b->buf;
		spare.bufs[spare.nbufs++].cap = b->cap;
		b->buf = NULL;
		b->cap = 0;
	}
	if (b->fields && spare.nfields < HB_POOL) {
		spare.fields[spare.nfields].p = b->fields;
		spare.fields[spare.nfields++].cap = b->fcap;
		b->fields = NULL;
		b->fcap = 0;
	}
}

/* Makes room for n more bytes, up to the cap; returns how many fit. */
size_t hb__room(struct head_builder *b, size_t n)
{
	size_t avail = b->max_bytes - b->len;
	if (n > avail) {
		n = avail;
		b->truncated = true;
	}
	if (!b->buf && spare.nbufs) {
		/* cap stays within max_bytes, which hb_append relies on. */
		b->buf = spare.bufs[--spare.nbufs].p;
		b->cap = spare.bufs[spare.nbufs].cap < b->max_bytes ? spare.bufs[spare.nbufs].cap : b->max_bytes;
	}
	if (b->len + n > b->cap) {
		size_t ncap = b->cap ? b->cap : 512;
		while (ncap < b->len + n)
			ncap *= 2;
		if (ncap > b->max_bytes)
			ncap = b->max_bytes;
		char *nb = realloc(b->buf, ncap);
		if (!nb) {
			b->truncated = true;
			return 0;
		}
		b->buf = nb;
		b->cap = (uint32_t)ncap;
	}
	return n;
}

static struct span *hb_start(struct head_builder *b, enum hb_part part)
{
	switch (part) {
	case HB_METHOD:
		return &b->method_s;
	case HB_URI:
		return &b->uri;
	case HB_REASON:
		return &b->reason;
	case HB_NAME:
		if (b->nfields == b->max_fields) {
			b->dropped_fields++;
			b->truncated = true;
			return NULL;
		}
		if (!b->fields && spare.nfields) {
			/* fcap stays within max_fields, which hb_append relies on. */
			b->fields = spare.fields[--spare.nfields].p;
			b->fcap = spare.fields[spare.nfields].cap < b->max_fields ? spare.fields[spare.nfields].cap
										   : b->max_fields;
		}
		if (b->nfields == b->fcap) {
			uint32_t ncap = b->fcap ? b->fcap * 2 : 16;
			if (ncap > b->max_fields)
				ncap = b->max_fields;
			struct hfield *nf = realloc(b->fields, ncap * sizeof *nf);
			if (!nf) {
				b->dropped_fields++;
				b->truncated = true;
				return NULL;
			}
			b->fields = nf;
			b->fcap = ncap;
		}
		b->fields[b->nfields].value = (struct span){ b->len, 0 };
		return &b->fields[b->nfields++].name;
	case HB_VALUE:
		return b->nfields ? &b->fields[b->nfields - 1].value : NULL;
	default:
		return NULL;
	}
}

struct span *hb__begin(struct head_builder *b, enum hb_part part)
{
	if (part == HB_NAME) {
		/* The rest of a name dropped, in another piece: counted once. */
		if (b->cur == HB_DROPPED_NAME)
			return NULL;
		b->dropping = false;
	}
	if (part == HB_VALUE && b->dropping)
		return NULL;
	struct span *s = hb_start(b, part);
	if (!s) {
		b->dropping = part == HB_NAME;
		b->cur = part == HB_NAME ? HB_DROPPED_NAME : HB_NONE;
		return NULL;
	}
	b->cur = part;
	b->cur_span = s;
	*s = (struct span){ b->len, 0 };
	return s;
}

struct http_head *hb_freeze(struct head_builder *b, bool is_response, uint8_t major, uint8_t minor,
			    uint8_t method, uint16_t status)
{
	return hb_freeze_after(b, 0, is_response, major, minor, method, status);
}

struct http_head *hb_freeze_after(struct head_builder *b, size_t before, bool is_response, uint8_t major,
				  uint8_t minor, uint8_t method, uint16_t status)
{
	/* Rules look fields up by name many times: each name is hashed once,
	 * in the builder, before the copy.  Read back from the copy, the
	 * names waited for its lines, out of the caches when the block was
	 * kept since an earlier head (head_block_get). */
	uint64_t names = 0;
	for (uint32_t i = 0; i < b->nfields; i++) {
		b->fields[i].hash = head__name_hash(b->buf + b->fields[i].name.off, b->fields[i].name.len,
						    b->len - b->fields[i].name.off);
		names |= head_name_bit(b->fields[i].hash);
	}
	size_t fbytes = (size_t)b->nfields * sizeof(struct hfield);
	uint8_t units;
	char *block = head_block_get(before + sizeof(struct http_head) + fbytes + b->len, &units);
	if (!block)
		return NULL;
	struct http_head *h = (struct http_head *)(block + before);
	memset(h, 0, sizeof *h);
	if (before)
		h->block = block;
	h->block_units = units;
	h->refs = 1;
	h->is_response = is_response;
	h->truncated = b->truncated;
	h->obs_fold = b->obs_fold;
	h->dropped_fields = b->dropped_fields;
	h->major = major;
	h->minor = minor;
	h->method = method;
	h->status = status;
	h->method_s = b->method_s;
	h->uri = b->uri;
	h->reason = b->reason;
	h->nfields = b->nfields;
	h->len = b->len;
	h->names = names;
	h->fields = (struct hfield *)(h + 1);
	h->buf = (char *)h->fields + fbytes;
	if (fbytes)
		memcpy(h->fields, b->fields, fbytes);
	if (b->len)
		memcpy(h->buf, b->buf, b->len);
	hb_reset(b);
	give_back(b);
	return h;
}

/* Whether h is the head b holds, frozen with these arguments: every byte, span and flag the same. */
static bool same_head(const struct head_builder *b, const struct http_head *h, size_t before, uint8_t major,
		      uint8_t minor, uint8_t method, uint16_t status, bool close_delimited)
{
	if (h->len != b->len || head_ends_differ(h->buf, b->buf, b->len) ||
	    h->nfields != b->nfields || h->status != status || h->method != method ||
	    h->major != major || h->minor != minor || h->close_delimited != close_delimited ||
	    h->truncated != b->truncated || h->obs_fold != b->obs_fold || h->dropped_fields != b->dropped_fields ||
	    (h->block ? (size_t)((char *)h - (char *)h->block) : 0) != before)
		return false;
	if (h->method_s.off != b->method_s.off || h->method_s.len != b->method_s.len || h->uri.off != b->uri.off ||
	    h->uri.len != b->uri.len || h->reason.off != b->reason.off || h->reason.len != b->reason.len)
		return false;
	if (b->len && memcmp(h->buf, b->buf, b->len) != 0)
		return false;
	for (uint32_t i = 0; i < b->nfields; i++) {
		const struct hfield *x = &h->fields[i], *y = &b->fields[i];
		if (x->name.off != y->name.off || x->name.len != y->name.len || x->value.off != y->value.off ||
		    x->value.len != y->value.len)
			return false;
	}
	return true;
}

struct http_head *hb_freeze_alike(struct head_builder *b, size_t before, bool is_response, uint8_t major,
				  uint8_t minor, uint8_t method, uint16_t status, bool close_delimited)
{
	/* The last one handed out first: a server under load answers alike in
	 * a row.  The others unless their search rests (rest.h), which counts
	 * only searches beyond the last one. */
	struct alike_set *a = &alike[is_response];
	int found = -1;
	bool searched = false;
	if (a->h[a->last] && same_head(b, a->h[a->last], before, major, minor, method, status, close_delimited)) {
		found = (int)a->last;
	} else if ((searched = rest_search_others(&a->rest))) {
		for (unsigned i = 0; i < HB_ALIKE && found < 0; i++)
			if (i != a->last && a->h[i] && same_head(b, a->h[i], before, major, minor, method, status, close_delimited))
				found = (int)i;
		rest_count(&a->rest, found >= 0);
	}
	if (found >= 0) {
		struct http_head *x = a->h[found];
		hb_reset(b);
		give_back(b);
		x->alike++;
		a->used[found] = ++alike_clock;
		a->last = (unsigned)found;
		return head_ref(x);
	}
	struct http_head *h = hb_freeze_after(b, before, is_response, major, minor, method, status);
	if (!h)
		return NULL;
	h->close_delimited = close_delimited;
	h->refs = 2; /* the caller's and alike[]'s */
	/* While the search rests, in the last one's place, which alone it compares with. */
	unsigned oldest = searched ? rest_oldest(a->used, HB_ALIKE, a->last) : a->last;
	head_unref(a->h[oldest]);
	a->h[oldest] = h;
	a->used[oldest] = ++alike_clock;
	a->last = oldest;
	return h;
}

struct http_head *head_ref(struct http_head *h)
{
	if (h)
		h->refs++;
	return h;
}

void head_unref(struct http_head *h)
{
	if (!h)
		return;
	/* Counted on one thread at a time (struct http_head): no locked instruction. */
	if (--h->refs == 0) {
		free(h->rows);
		free(h->hist);
		head_block_put(h->block ? h->block : h, h->block_units);
	}
}

unsigned head_field_count_n(const struct http_head *h, const char *name, size_t n)
{
	unsigned c = 0;
	for (uint32_t i = 0; i < h->nfields; i++)
		if (head_field_named(h, &h->fields[i], name, n))
			c++;
	return c;
}
