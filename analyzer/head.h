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

/* A hash of n bytes of a field name with ASCII letters folded to lower case (FNV-1a, 32 bits). */
static inline uint32_t head_name_hash(const char *p, size_t n)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];
		h = (h ^ (c >= 'A' && c <= 'Z' ? c + 32 : c)) * 16777619u;
	}
	return h;
}

/*
 * A finished head, owned by the transaction that keeps it.  One allocation
 * holds the struct, the fields and the bytes; strings are not
 * NUL-terminated (they are wire bytes and may hold anything).  A request
 * head is shared by the interim and final responses to it, hence refs.
 */
struct http_head {
	_Atomic int refs;    /* -j: freed by the merge, shared in a worker */
	bool is_response;
	bool truncated;      /* cut at the header-size or header-count cap */
	bool obs_fold;       /* a field value was folded over lines (RFC 9112 §5.2) */
	bool close_delimited; /* a response whose content ends when the connection closes */
	uint32_t dropped_fields; /* fields dropped at the header-count cap */
	uint8_t major, minor;
	uint8_t method;      /* llhttp_method_t, requests */
	uint16_t status;     /* responses */
	struct span method_s, uri, reason;
	uint32_t nfields;
	struct hfield *fields;
	char *buf;
};

/* The parts of a head that arrive from llhttp in pieces. */
enum hb_part { HB_NONE, HB_METHOD, HB_URI, HB_REASON, HB_NAME, HB_VALUE };

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
	bool dropping;       /* the current field was dropped at the field cap */
	bool truncated;
	bool obs_fold;       /* set by the parser when a value continued on a folded line */
	uint32_t dropped_fields;
};

void hb_init(struct head_builder *b, uint32_t max_bytes, uint32_t max_fields);
void hb_reset(struct head_builder *b);
void hb_free(struct head_builder *b);

/* Appends a piece of part; a piece of a different part than the last one starts it anew. */
void hb_append(struct head_builder *b, enum hb_part part, const char *at, size_t n);

/* Ends the current piece (llhttp's *_complete callbacks). */
void hb_end_part(struct head_builder *b);

/*
 * Copies the collected head into a new http_head (refs = 1) and resets the
 * builder.  Returns NULL only when memory is exhausted.
 */
struct http_head *hb_freeze(struct head_builder *b, bool is_response, uint8_t major, uint8_t minor,
			    uint8_t method, uint16_t status);

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

/* Whether field f of h is named by the n bytes of name (ASCII case-insensitive). */
static inline bool head_field_named(const struct http_head *h, const struct hfield *f, const char *name, size_t n)
{
	return f->name.len == n && head_name_eq(head_str(h, f->name), name, n);
}

/* The first field named by the n bytes of name, or NULL. */
const struct hfield *head_field_n(const struct http_head *h, const char *name, size_t n);

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

static inline const struct hfield *head_field(const struct http_head *h, const char *name)
{
	return head_field_n(h, name, strlen(name));
}

static inline unsigned head_field_count(const struct http_head *h, const char *name)
{
	return head_field_count_n(h, name, strlen(name));
}

#endif
