/* fieldval.h: reading field values for the checks: lists, tokens, dates, methods. */
#ifndef WL_FIELDVAL_H
#define WL_FIELDVAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "head.h"

struct txn;

/*
 * The next element of a comma-separated list (RFC 9110 §5.6.1) in p[0..n)
 * from *i: its start and length, whitespace trimmed, commas inside quoted
 * strings kept, empty elements skipped.  False at the end.
 */
bool list_next(const char *p, uint32_t n, uint32_t *i, uint32_t *start, uint32_t *len);

/* Whether the list p[0..n) has an element equal to want (optionally without case). */
bool list_has(const char *p, uint32_t n, const char *want, size_t wn, bool icase);

/* Whether any field of h named name (nl bytes) lists want. */
bool field_lists_n(const struct http_head *h, const char *name, size_t nl, const char *want, size_t wn, bool icase);

static inline bool field_lists(const struct http_head *h, const char *name, const char *want, size_t wn, bool icase)
{
	return field_lists_n(h, name, strlen(name), want, wn, icase);
}

/*
 * Each element of the lists of every field of h named name, in order, to
 * fn (the element's bytes, trimmed); stops when fn returns false.  Returns
 * false when fn stopped it.
 */
bool field_each_n(const struct http_head *h, const char *name, size_t nl,
		  bool (*fn)(const char *p, uint32_t n, void *arg), void *arg);

/* The same with name a C string (inline, so that a literal's length is known when compiling). */
static inline bool field_each(const struct http_head *h, const char *name,
			      bool (*fn)(const char *p, uint32_t n, void *arg), void *arg)
{
	return field_each_n(h, name, strlen(name), fn, arg);
}

/* Length of a list element's name: up to its first ';', space or tab (a coding without its parameters). */
uint32_t element_name_len(const char *p, uint32_t n);

/* Whether f is named name (ASCII case-insensitive). */
static inline bool field_is(const struct http_head *h, const struct hfield *f, const char *name)
{
	return head_field_is(h, f, name);
}

/* A field name and its length, for the tables of names a check compares every field with. */
struct fname {
	const char *s;
	uint32_t n;
};
#define FNAME(lit) { lit, sizeof lit - 1 }

/*
 * The hashes (head_name_hash) of a table of names, and their bits (hash %
 * 64), made once by fname_index_init when the rules are set up, so that a
 * field whose hash is none of them is passed over at once.  ready is false
 * until it is made (the lookups below then compare every name).
 */
#define FNAME_INDEX_MAX 32
struct fname_index {
	bool ready;
	uint64_t bits;
	uint32_t hash[FNAME_INDEX_MAX];
};

/* Makes x for names[0..count); a table of more than FNAME_INDEX_MAX names gets none (ready false). */
void fname_index_init(struct fname_index *x, const struct fname *names, size_t count);

/* The index of f's name in names[0..count) (indexed by x), or -1. */
int field_name_in(const struct http_head *h, const struct hfield *f, const struct fname *names, size_t count,
		  const struct fname_index *x);

/* The first field of h (in order) whose name is in names[0..count): its index, and the name's in *k. */
const struct hfield *field_first_in(const struct http_head *h, const struct fname *names, size_t count,
				    const struct fname_index *x, int *k);

/* Both heads were read whole: no field a check looks for can be in a lost part. */
bool heads_whole(const struct txn *t);

/* The request's method as a C string in m[0..n); false if there is none. */
bool method_of(const struct txn *t, char *m, size_t n);

/* Whether the request's method is m[0..n) (case-sensitive, RFC 9110 §9.1). */
bool method_is_n(const struct txn *t, const char *m, size_t n);

static inline bool method_is(const struct txn *t, const char *m)
{
	return method_is_n(t, m, strlen(m));
}

/*
 * RFC 9110 §5.6.2: tchar, and a token of n >= 1 tchars.  tchar is
 * "!#$%&'*+-.^_`|~", digits and ASCII letters: wl_tchar[c] is 1 for those
 * (tests/unit/test_rules.c compares it with that list).
 */
extern const unsigned char wl_tchar[256];

static inline bool is_tchar(unsigned char c)
{
	return wl_tchar[c];
}

bool is_token(const char *p, size_t n);

/* Parses an IMF-fixdate (RFC 9110 §5.6.7) into seconds since the epoch; false if it is not one. */
bool imf_fixdate(const char *p, size_t n, time_t *out);

/* The first field of h named name, parsed as an IMF-fixdate; false when absent or not one. */
bool field_date(const struct http_head *h, const char *name, time_t *out);

#endif
