/* head.h: the head of one HTTP message (start line and header fields), built from llhttp's pieces. */
#ifndef WL_HEAD_H
#define WL_HEAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* A run of bytes inside a head's buffer. */
struct span {
	uint32_t off;
	uint32_t len;
};

struct hfield {
	struct span name;
	struct span value;
	uint32_t hash; /* of the name, case folded (head_name_hash): compared before the name */
};

/*
 * Eight bytes with the ASCII capitals among them made lower case, the
 * other bytes unchanged (SWAR: each byte's test is done in its own lane,
 * with no carry between lanes).
 */
static inline uint64_t head__fold8(uint64_t w)
{
	const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
	uint64_t low7 = w & ~high;
	uint64_t above_z = low7 + ones * (0x7f - 'Z'); /* lane's high bit: byte & 0x7f > 'Z' */
	uint64_t from_a = low7 + ones * (0x80 - 'A');  /* lane's high bit: byte & 0x7f >= 'A' */
	uint64_t upper = (from_a ^ above_z) & ~w & high;
	return w | (upper >> 2);
}

/*
 * A hash of n bytes of a field name with ASCII letters folded to lower
 * case, so that names equal without case hash alike.  It is only ever a
 * filter (equal names have equal hashes; a name is still compared after
 * a hash matches), so all that matters is that it be cheap and spread
 * over the low six bits too (decl.c's 64-bit set of names): eight bytes
 * at a time, then a final mix.  avail is how many bytes from p may be
 * read (at least n): with 8 past the last whole word, the last bytes are
 * read as one word and the rest masked off, which gives the same hash.
 */
static inline uint32_t head__name_hash(const char *p, size_t n, size_t avail)
{
	const uint64_t k = 0x9e3779b97f4a7c15ull;
	uint64_t h = (uint64_t)n * k;
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		uint64_t w;
		memcpy(&w, p + i, 8);
		h = (h ^ head__fold8(w)) * k;
		h ^= h >> 32;
	}
	if (i < n) {
		/* The last n - i bytes, the first of them lowest. */
		uint64_t w = 0;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
		if (avail - i >= 8) {
			memcpy(&w, p + i, 8);
			w &= ~0ull >> (64 - 8 * (n - i));
		} else
#endif
		{
			for (unsigned sh = 0; i < n; i++, sh += 8)
				w |= (uint64_t)(unsigned char)p[i] << sh;
		}
		h = (h ^ head__fold8(w)) * k;
	}
	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ull;
	h ^= h >> 32;
	return (uint32_t)h;
}

static inline uint32_t head_name_hash(const char *p, size_t n)
{
	return head__name_hash(p, n, n);
}

/* A name's bit in a head's set of names (http_head.names): its hash's low six bits. */
static inline uint64_t head_name_bit(uint32_t hash)
{
	return (uint64_t)1 << (hash % 64);
}

/*
 * A finished head, owned by the transaction that keeps it.  One allocation
 * holds the struct, the fields and the bytes (and, for a request, the
 * transaction in front of it: block); strings are not
 * NUL-terminated (they are wire bytes and may hold anything).  A request
 * head is shared by the interim and final responses to it, hence refs.
 */
struct http_head {
	/*
	 * A plain count: references are taken and dropped only on the thread
	 * that froze the head.  Under -j the merge reads heads and gives each
	 * transaction back to its worker to be freed (parallel.c); another
	 * thread may count them only after the worker is done with them and
	 * has handed them over under a lock, or has ended (ThreadSanitizer's
	 * run of e2e.jobs_identical would see two threads count at once).
	 */
	int refs;
	bool is_response;
	bool truncated;      /* cut at the header-size or header-count cap */
	bool obs_fold;       /* a field value was folded over lines (RFC 9112 §5.2) */
	bool close_delimited; /* a response whose content ends when the connection closes */
	uint32_t dropped_fields; /* fields dropped at the header-count cap */
	uint8_t major, minor;
	uint8_t method;      /* llhttp_method_t, requests */
	uint8_t block_units; /* the allocation's size in HEAD_BLOCK_UNIT, when it may be cached (head_unref); else 0 */
	bool room_used;      /* the room before it (block) holds a transaction (txn_new_for): the next one alike gets none */
	bool has_url_key;    /* url_key is worked out */
	uint32_t alike;      /* times hb_freeze_alike handed it out again */
	/*
	 * Worked out from the head alone, on the thread that froze it, for
	 * the transactions that share it (hb_freeze_alike): the history's
	 * key of a request's URL (hist_url_key without a client), and the
	 * statistics' row names for it (traffic.c: an allocation of theirs,
	 * made once the head is handed out again, freed with the head).
	 * Only the thread that froze the head reads or writes these.
	 */
	uint64_t url_key;
	void *rows;
	void *hist;          /* and the history's facts of it (history.c), the same way */
	uint16_t status;     /* responses */
	struct span method_s, uri, reason;
	uint32_t nfields;
	struct hfield *fields;
	uint64_t names;      /* the bits of its fields' names (head_name_bit): a name whose bit is clear is not there */
	char *buf;
	uint32_t len;        /* bytes at buf: every span lies within them */
	void *block;         /* the allocation the head lives in, when room was made before it (hb_freeze_after); else NULL */
};

/* The parts of a head that arrive from llhttp in pieces. */
enum hb_part {
	HB_NONE, HB_METHOD, HB_URI, HB_REASON, HB_NAME, HB_VALUE,
	HB_DROPPED_NAME, /* the builder's own: pieces of a name dropped at the field cap, until its value ends */
};

/*
 * Collects a head as llhttp hands it over, in pieces that may be split
 * across packets.  Reused for every message of one direction; grows up to
 * max_bytes and max_fields and then drops the rest (counted in truncated,
 * dropped_fields).
 */
struct head_builder {
	char *buf;
	uint32_t len, cap, max_bytes;
	struct hfield *fields;
	uint32_t nfields, fcap, max_fields;
	struct span method_s, uri, reason;
	enum hb_part cur;
	struct span *cur_span; /* cur's span, while cur is a part of the head (not HB_NONE or HB_DROPPED_NAME) */
	bool dropping;       /* the current field was dropped at the field cap */
	bool truncated;
	bool obs_fold;       /* set by the parser when a value continued on a folded line */
	uint32_t dropped_fields;
};

void hb_init(struct head_builder *b, uint32_t max_bytes, uint32_t max_fields);
void hb_reset(struct head_builder *b);
void hb_free(struct head_builder *b);

/*
 * Freezing a head gives its builder's buffers to a pool of this thread's,
 * which the next head begun on the thread takes them from: at most
 * HB_POOL of each kind.  hb_pool_drain frees what the calling thread's
 * pool holds (a thread that built heads calls it before it ends);
 * hb_pool_size counts it.
 */
#define HB_POOL 32
void hb_pool_drain(void);
int hb_pool_size(void);

/*
 * The allocations of frozen heads freed on a thread are kept for the next
 * heads frozen on it, by size in units of HEAD_BLOCK_UNIT bytes up to
 * HEAD_BLOCK_UNITS units, at most HEAD_CACHE_BYTES a thread (none under
 * AddressSanitizer, which must see every use after free); larger heads,
 * and what does not fit, go back to malloc.  hb_pool_drain frees them
 * too; head_cache_bytes counts what the calling thread keeps.  Nothing
 * is lost at the cap: it bounds memory kept free, as malloc's own caches.
 */
#define HEAD_BLOCK_UNIT 64
#define HEAD_BLOCK_UNITS 32
#define HEAD_CACHE_BYTES (1u << 20)
size_t head_cache_bytes(void);
size_t head_cache_cap(void); /* HEAD_CACHE_BYTES, or 0 in a build with AddressSanitizer */

/*
 * n bytes from the calling thread's kept blocks (or malloc), in a block
 * of *units units, or of malloc's own past the largest (*units 0); and
 * back to them (to free past the cap, or with *units 0).  Transactions
 * are made in them too (txn_new).
 */
void *head_block_get(size_t n, uint8_t *units);
void head_block_put(void *p, uint8_t units);

/* For hb_append: starts part (NULL when it is dropped), and makes room for n more bytes (how many fit). */
struct span *hb__begin(struct head_builder *b, enum hb_part part);
size_t hb__room(struct head_builder *b, size_t n);

/*
 * Appends a piece of part; a piece of a different part than the last one
 * starts it anew.  Inline: llhttp hands over two pieces per field, and
 * most of them only need copying.
 */
static inline void hb_append(struct head_builder *b, enum hb_part part, const char *at, size_t n)
{
	struct span *s;
	if (part == b->cur) {
		s = b->cur_span;
	} else if (part == HB_NAME && b->nfields < b->fcap) {
		/* A new field, with room for it (fcap never exceeds max_fields). */
		struct hfield *f = &b->fields[b->nfields++];
		f->name = f->value = (struct span){ b->len, 0 };
		s = &f->name;
		b->dropping = false;
		b->cur = HB_NAME;
		b->cur_span = s;
	} else if (part == HB_VALUE && !b->dropping && b->nfields) {
		/* The usual start of a value: right after its name ended. */
		s = &b->fields[b->nfields - 1].value;
		b->cur = HB_VALUE;
		b->cur_span = s;
		*s = (struct span){ b->len, 0 };
	} else {
		s = hb__begin(b, part);
		if (!s)
			return;
	}
	/* An empty piece starts its part and adds nothing (the buffer may not
	 * exist yet: no arithmetic on it). */
	if (n == 0)
		return;
	/* The buffer never grows past max_bytes: what fits in it is within the cap. */
	if (n > b->cap - b->len) {
		n = hb__room(b, n);
		if (n == 0)
			return;
	}
	memcpy(b->buf + b->len, at, n);
	b->len += (uint32_t)n;
	s->len += (uint32_t)n;
}

/*
 * Whether the n bytes at a and b differ in their first or last 16, read a
 * word at a time: heads alike or not are told apart so before a whole
 * comparison, most that differ at their start (a request's target) or
 * end (a validator, a length), without a call.  False for fewer than 16
 * bytes, which are left to the whole comparison.
 */
static inline bool head_ends_differ(const char *a, const char *b, size_t n)
{
	if (n < 16)
		return false;
	uint64_t x[4], y[4];
	memcpy(&x[0], a, 8);
	memcpy(&x[1], a + 8, 8);
	memcpy(&x[2], a + n - 16, 8);
	memcpy(&x[3], a + n - 8, 8);
	memcpy(&y[0], b, 8);
	memcpy(&y[1], b + 8, 8);
	memcpy(&y[2], b + n - 16, 8);
	memcpy(&y[3], b + n - 8, 8);
	return ((x[0] ^ y[0]) | (x[1] ^ y[1]) | (x[2] ^ y[2]) | (x[3] ^ y[3])) != 0;
}

/* Ends the current piece (llhttp's *_complete callbacks). */
static inline void hb_end_part(struct head_builder *b)
{
	/* RFC 9112 §5: whitespace after a field value is not part of it
	 * (llhttp drops the leading whitespace, not the trailing). */
	if (b->cur == HB_VALUE) {
		struct span *v = b->cur_span;
		while (v->len && (b->buf[v->off + v->len - 1] == ' ' || b->buf[v->off + v->len - 1] == '\t'))
			v->len--;
	}
	b->cur = HB_NONE;
}

/*
 * Copies the collected head into a new http_head (refs = 1) and resets the
 * builder.  Returns NULL only when memory is exhausted.
 */
struct http_head *hb_freeze(struct head_builder *b, bool is_response, uint8_t major, uint8_t minor,
			    uint8_t method, uint16_t status);

/*
 * The same, with before bytes of room (a multiple of 16) in front of the
 * head in the same allocation, at h->block, for the caller: they live as
 * long as the head does and go with it when its last reference is dropped
 * (a transaction and its request head, one allocation instead of two).
 */
struct http_head *hb_freeze_after(struct head_builder *b, size_t before, bool is_response, uint8_t major,
				  uint8_t minor, uint8_t method, uint16_t status);

/*
 * The same for the head of a message (the trailers and a head cut short
 * are frozen apart), with whether it is a response whose content ends
 * with the connection (close_delimited).  A head the same as one of the
 * last HB_ALIKE heads of its kind (request or response) this thread froze
 * is that head again, with one more reference: its bytes, fields, start
 * line, version, flags and room before it all equal.  A client under
 * load sends the same requests again and again (one URL, or a few in
 * turn over its connections), and a server's answers to them differ in
 * their Date once a second; collected, each is compared rather than
 * copied.  The thread holds those it has frozen least long ago since it
 * last handed them out (the least recently used makes room), and lets
 * them go with hb_pool_drain.
 */
#define HB_ALIKE 16
struct http_head *hb_freeze_alike(struct head_builder *b, size_t before, bool is_response, uint8_t major,
				  uint8_t minor, uint8_t method, uint16_t status, bool close_delimited);

struct http_head *head_ref(struct http_head *h);
void head_unref(struct http_head *h);

/* The bytes of a span of h. */
static inline const char *head_str(const struct http_head *h, struct span s)
{
	return h->buf + s.off;
}

/*
 * Whether the n bytes at a are name (n bytes, no NUL), ASCII letters
 * compared without case: strncasecmp in the C locale, inline, since the
 * rules compare names millions of times.
 */
static inline bool head_name_eq(const char *a, const char *name, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char x = (unsigned char)a[i], y = (unsigned char)name[i];
		if (x == y)
			continue;
		unsigned char lx = x | 0x20;
		if (lx != (y | 0x20) || lx < 'a' || lx > 'z')
			return false;
	}
	return true;
}

/*
 * Whether the n bytes at a are name, as head_name_eq says; mostly they are
 * the very bytes asked for (servers send names as the rules write them),
 * which are compared a word at a time first (the last word may overlap
 * the one before).
 */
static inline bool head_name_same(const char *a, const char *name, size_t n)
{
	if (n >= 8) {
		for (size_t i = 0;;) {
			uint64_t x, y;
			memcpy(&x, a + i, sizeof x);
			memcpy(&y, name + i, sizeof y);
			if (x != y)
				break;
			if (i == n - 8)
				return true;
			i = i + 16 <= n ? i + 8 : n - 8;
		}
	} else if (n >= 4) {
		uint32_t x, y, x2, y2;
		memcpy(&x, a, sizeof x);
		memcpy(&y, name, sizeof y);
		memcpy(&x2, a + n - 4, sizeof x2);
		memcpy(&y2, name + n - 4, sizeof y2);
		if (x == y && x2 == y2)
			return true;
	}
	return head_name_eq(a, name, n);
}

/* Whether field f of h is named by the n bytes of name (ASCII case-insensitive). */
static inline bool head_field_named(const struct http_head *h, const struct hfield *f, const char *name, size_t n)
{
	return f->name.len == n && head_name_same(head_str(h, f->name), name, n);
}

/* How many fields are named by the n bytes of name. */
unsigned head_field_count_n(const struct http_head *h, const char *name, size_t n);

/*
 * The same with name a C string.  Inline, so that the length of a literal
 * is known when compiling: names are compared by length first, then
 * bytes, with no lookup table shared between threads.
 */
static inline bool head_field_is(const struct http_head *h, const struct hfield *f, const char *name)
{
	return head_field_named(h, f, name, strlen(name));
}

/*
 * The first field named by the n bytes of name, whose head_name_hash is
 * hash, or NULL: a head without the name's bit has none, and fields are
 * passed over by their hash, only one whose hash matches compared by bytes.
 */
static inline const struct hfield *head_field_hashed(const struct http_head *h, const char *name, size_t n,
						     uint32_t hash)
{
	if (!(h->names & head_name_bit(hash)))
		return NULL;
	for (uint32_t i = 0; i < h->nfields; i++)
		if (h->fields[i].hash == hash && head_field_named(h, &h->fields[i], name, n))
			return &h->fields[i];
	return NULL;
}

/* The first field named name, or NULL; a literal's length and hash are worked out when compiling. */
static inline const struct hfield *head_field(const struct http_head *h, const char *name)
{
	size_t n = strlen(name);
	return head_field_hashed(h, name, n, head_name_hash(name, n));
}

#define head_field_lit(h, lit) head_field_hashed(h, lit, sizeof(lit) - 1, head_name_hash(lit, sizeof(lit) - 1))

static inline unsigned head_field_count(const struct http_head *h, const char *name)
{
	return head_field_count_n(h, name, strlen(name));
}

#endif
