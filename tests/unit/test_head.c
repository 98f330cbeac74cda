/* test_head.c: collecting heads from pieces, and the caps on them. */
#include "wl_test.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rest.h"

static void test_pieces(void **state)
{
	struct head_builder b;
	hb_init(&b, 1024, 16);
	/* llhttp hands a field over in pieces when it spans packets. */
	hb_append(&b, HB_REASON, "Moved ", 6);
	hb_append(&b, HB_REASON, "Permanently", 11);
	hb_end_part(&b);
	hb_append(&b, HB_NAME, "Loc", 3);
	hb_append(&b, HB_NAME, "ation", 5);
	hb_end_part(&b);
	hb_append(&b, HB_VALUE, "/n", 2);
	hb_append(&b, HB_VALUE, "ew", 2);
	hb_end_part(&b);
	hb_append(&b, HB_NAME, "X-Empty", 7);
	hb_end_part(&b);
	hb_append(&b, HB_NAME, "location", 8);
	hb_end_part(&b);
	hb_append(&b, HB_VALUE, "/other", 6);
	hb_end_part(&b);
	struct http_head *h = hb_freeze(&b, true, 1, 1, 0, 301);
	assert_int_equal(h->status, 301);
	assert_int_equal(h->reason.len, 17);
	assert_memory_equal(head_str(h, h->reason), "Moved Permanently", 17);
	const struct hfield *f = head_field(h, "LOCATION");
	assert_non_null(f);
	assert_int_equal(f->value.len, 4);
	assert_memory_equal(head_str(h, f->value), "/new", 4);
	assert_int_equal(head_field_count(h, "Location"), 2);
	f = head_field(h, "x-empty");
	assert_non_null(f);
	assert_int_equal(f->value.len, 0);
	assert_null(head_field(h, "Allow"));
	assert_false(h->truncated);
	/* The builder is reusable after freeze. */
	assert_int_equal(b.len, 0);
	assert_int_equal(b.nfields, 0);
	head_unref(h);
	hb_free(&b);
}

/*
 * A piece of no bytes, before the builder has any room (its buffer still
 * NULL): on a fuzzed capture llhttp handed over an empty field name first. The
 * field is made, empty, with no pointer arithmetic on the missing buffer
 * (UndefinedBehaviorSanitizer's "applying zero offset to null pointer").
 */
static void test_empty_piece_first(void **state)
{
	struct head_builder b;
	hb_init(&b, 1024, 16);
	hb_append(&b, HB_NAME, "", 0);
	hb_append(&b, HB_VALUE, "", 0);
	hb_end_part(&b);
	hb_append(&b, HB_NAME, "Host", 4);
	hb_append(&b, HB_VALUE, "a", 1);
	hb_end_part(&b);
	struct http_head *h = hb_freeze(&b, false, 1, 1, 1, 0);
	assert_non_null(h);
	assert_int_equal(h->nfields, 2);
	assert_int_equal(h->fields[0].name.len, 0);
	assert_int_equal(h->fields[0].value.len, 0);
	const struct hfield *f = head_field(h, "Host");
	assert_non_null(f);
	assert_memory_equal(head_str(h, f->value), "a", 1);
	head_unref(h);
	hb_free(&b);
}

static void test_caps(void **state)
{
	struct head_builder b;
	hb_init(&b, 32, 2);
	for (int i = 0; i < 5; i++) {
		hb_append(&b, HB_NAME, "A", 1);
		hb_end_part(&b);
		hb_append(&b, HB_VALUE, "0123456789", 10);
		hb_end_part(&b);
	}
	assert_int_equal(b.nfields, 2);
	assert_int_equal(b.dropped_fields, 3);
	assert_true(b.truncated);
	/* The values of dropped fields do not land in a kept field. */
	struct http_head *h = hb_freeze(&b, true, 1, 1, 0, 200);
	assert_int_equal(h->fields[1].value.len, 10);
	assert_true(h->truncated);
	assert_int_equal(h->dropped_fields, 3);
	head_unref(h);
	/* The byte cap. */
	hb_append(&b, HB_NAME, "Big", 3);
	hb_end_part(&b);
	char big[100];
	memset(big, 'x', sizeof big);
	hb_append(&b, HB_VALUE, big, sizeof big);
	assert_int_equal(b.len, 32);
	assert_true(b.truncated);
	hb_free(&b);
}

/*
 * A field dropped at the count cap counts once, however many pieces its
 * name and value come in (as llhttp hands a field over: name pieces, then
 * value pieces, then the value's end), and the field after it counts too.
 */
static void test_caps_in_pieces(void **state)
{
	struct head_builder b;
	hb_init(&b, 1024, 1);
	const char *names[] = {"Host", "Accept", "X"};
	for (int i = 0; i < 3; i++) {
		for (const char *c = names[i]; *c; c++)
			hb_append(&b, HB_NAME, c, 1);
		hb_append(&b, HB_VALUE, "v", 1);
		hb_append(&b, HB_VALUE, "w", 1);
		hb_end_part(&b);
	}
	/* A dropped field with an empty value. */
	hb_append(&b, HB_NAME, "Y", 1);
	hb_end_part(&b);
	assert_int_equal(b.nfields, 1);
	assert_int_equal(b.dropped_fields, 3);
	struct http_head *h = hb_freeze(&b, false, 1, 1, 1, 0);
	assert_int_equal(h->dropped_fields, 3);
	assert_memory_equal(head_str(h, h->fields[0].name), "Host", 4);
	assert_memory_equal(head_str(h, h->fields[0].value), "vw", 2);
	head_unref(h);
	hb_free(&b);
}

/*
 * Freezing a head gives the builder's buffers to this thread's pool, and
 * the next head begun takes them: the last given first, up to HB_POOL of
 * each; a buffer taken by a builder with a smaller cap is used only up to
 * that cap; hb_pool_drain frees them (AddressSanitizer's leak check).
 */
static void test_pool(void **state)
{
	hb_pool_drain();
	struct head_builder a, b;
	hb_init(&a, 1024, 16);
	hb_init(&b, 1024, 16);
	hb_append(&a, HB_NAME, "Host", 4);
	char *abuf = a.buf;
	struct hfield *afields = a.fields;
	hb_end_part(&a);
	hb_append(&a, HB_VALUE, "a.test", 6);
	hb_end_part(&a);
	head_unref(hb_freeze(&a, false, 1, 1, 1, 0));
	/* a, between heads, holds none: they are in the pool. */
	assert_null(a.buf);
	assert_null(a.fields);
	assert_int_equal(a.cap, 0);
	assert_int_equal(a.fcap, 0);
	assert_int_equal(hb_pool_size(), 2);
	/* b's head is collected into them, and is b's alone. */
	hb_append(&b, HB_NAME, "Accept", 6);
	assert_ptr_equal(b.buf, abuf);
	assert_ptr_equal(b.fields, afields);
	assert_int_equal(hb_pool_size(), 0);
	hb_end_part(&b);
	hb_append(&b, HB_VALUE, "*/*", 3);
	hb_end_part(&b);
	struct http_head *h = hb_freeze(&b, false, 1, 1, 1, 0);
	assert_int_equal(h->nfields, 1);
	const struct hfield *f = head_field(h, "Accept");
	assert_non_null(f);
	assert_memory_equal(head_str(h, f->value), "*/*", 3);
	assert_null(head_field(h, "Host"));
	head_unref(h);
	assert_int_equal(hb_pool_size(), 2);
	struct head_builder many[HB_POOL + 3];
	for (int i = 0; i < HB_POOL + 3; i++) {
		hb_init(&many[i], 1024, 16);
		hb_append(&many[i], HB_NAME, "N", 1); /* each takes a buffer while the pool has one */
		hb_end_part(&many[i]);
		hb_append(&many[i], HB_VALUE, "v", 1);
		hb_end_part(&many[i]);
	}
	assert_int_equal(hb_pool_size(), 0);
	for (int i = 0; i < HB_POOL + 3; i++)
		head_unref(hb_freeze(&many[i], false, 1, 1, 1, 0));
	assert_int_equal(hb_pool_size(), 2 * HB_POOL);
	for (int i = 0; i < HB_POOL + 3; i++) {
		/* The pool full, the last three keep their own. */
		assert_true(i < HB_POOL ? !many[i].buf : many[i].buf != NULL);
		hb_free(&many[i]);
	}
	/* A builder capped at 8 bytes takes a buffer of 512 and still stops at 8. */
	struct head_builder small;
	hb_init(&small, 8, 1);
	hb_append(&small, HB_NAME, "Long-Name", 9);
	assert_int_equal(small.len, 8);
	assert_int_equal(small.cap, 8);
	assert_true(small.truncated);
	hb_append(&small, HB_VALUE, "more", 4);
	assert_int_equal(small.len, 8);
	hb_free(&small);
	hb_free(&a);
	hb_free(&b);
	hb_pool_drain();
	assert_int_equal(hb_pool_size(), 0);
}

/* A head of one field, value n bytes long, frozen with room for before bytes in front of it. */
static struct http_head *head_of(size_t before, size_t n)
{
	struct head_builder b;
	hb_init(&b, 1 << 16, 16);
	hb_append(&b, HB_NAME, "X-Pad", 5);
	hb_end_part(&b);
	char *v = malloc(n);
	assert_non_null(v);
	memset(v, 'v', n);
	hb_append(&b, HB_VALUE, v, n);
	hb_end_part(&b);
	free(v);
	struct http_head *h = hb_freeze_after(&b, before, false, 1, 1, 1, 0);
	hb_free(&b);
	assert_non_null(h);
	return h;
}

/*
 * A frozen head's allocation, freed, is kept for the next head of its
 * size frozen on the thread (the last kept, first taken), with the room
 * made in front of it (a transaction's) counted in its size; a head past
 * HEAD_BLOCK_UNITS units is not kept, nor what would take the thread past
 * HEAD_CACHE_BYTES; the field names are hashed all the same, and
 * hb_pool_drain frees what is kept.  Without the cache (AddressSanitizer's
 * build), nothing is kept.
 */
static void test_block_cache(void **state)
{
	hb_pool_drain();
	assert_int_equal(head_cache_bytes(), 0);
	struct http_head *h = head_of(304, 100);
	size_t size = 304 + sizeof(struct http_head) + sizeof(struct hfield) + 5 + 100;
	size_t units = (size + HEAD_BLOCK_UNIT - 1) / HEAD_BLOCK_UNIT;
	void *block = h->block;
	assert_ptr_equal(block, (char *)h - 304);
	head_unref(h);
	if (!head_cache_cap()) {
		assert_int_equal(head_cache_bytes(), 0);
		return;
	}
	assert_int_equal(head_cache_cap(), HEAD_CACHE_BYTES);
	assert_int_equal(head_cache_bytes(), units * HEAD_BLOCK_UNIT);
	/* The same size in units (filling them), without room in front: the same allocation. */
	h = head_of(0, units * HEAD_BLOCK_UNIT - sizeof(struct http_head) - sizeof(struct hfield) - 5);
	assert_ptr_equal(h, block);
	assert_null(h->block);
	assert_int_equal(head_cache_bytes(), 0);
	assert_int_equal(h->fields[0].hash, head_name_hash("x-pad", 5));
	assert_non_null(head_field(h, "X-Pad"));
	head_unref(h);
	/* Past the largest size kept: back to malloc. */
	hb_pool_drain();
	h = head_of(0, HEAD_BLOCK_UNIT * HEAD_BLOCK_UNITS - sizeof(struct http_head) - sizeof(struct hfield) - 4);
	assert_int_equal(h->block_units, 0);
	head_unref(h);
	assert_int_equal(head_cache_bytes(), 0);
	/* Up to the cap and no further. */
	size_t n = HEAD_CACHE_BYTES / (HEAD_BLOCK_UNIT * HEAD_BLOCK_UNITS) + 4;
	struct http_head **many = calloc(n, sizeof *many);
	assert_non_null(many);
	size_t largest = HEAD_BLOCK_UNIT * HEAD_BLOCK_UNITS - sizeof(struct http_head) - sizeof(struct hfield) - 5;
	for (size_t i = 0; i < n; i++)
		many[i] = head_of(0, largest);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(many[i]->block_units, HEAD_BLOCK_UNITS);
		head_unref(many[i]);
		assert_true(head_cache_bytes() <= HEAD_CACHE_BYTES);
	}
	assert_int_equal(head_cache_bytes(), HEAD_CACHE_BYTES);
	free(many);
	hb_pool_drain();
	assert_int_equal(head_cache_bytes(), 0);
}

static void test_refs(void **state)
{
	struct http_head *h = mk_head(0, 1, "GET", "/", 0, NULL, NULL);
	assert_ptr_equal(head_ref(h), h);
	assert_int_equal(h->refs, 2);
	head_unref(h);
	head_unref(h);
}

enum { SHARED_HEADS = 2000 };

struct unref_job {
	struct http_head **heads;
	size_t cached; /* what the thread keeps of the heads it freed */
};

static void *unref_all(void *arg)
{
	struct unref_job *j = arg;
	for (size_t i = 0; i < SHARED_HEADS; i++)
		head_unref(j->heads[i]);
	j->cached = head_cache_bytes();
	hb_pool_drain();
	return NULL;
}

/*
 * Heads counted on one thread, then handed to another, as under -j a
 * transaction goes back to its worker: the thread that froze them drops
 * one reference of each, and the other, started after (its start orders
 * the two), drops the last and frees every one, once (its cache of freed
 * heads holds all of them; under AddressSanitizer a head freed early or
 * twice is reported, under ThreadSanitizer counts unordered between the
 * threads would be).
 */
static void test_refs_handed_over(void **state)
{
	hb_pool_drain();
	struct http_head **heads = calloc(SHARED_HEADS, sizeof *heads);
	assert_non_null(heads);
	size_t each = 0;
	for (size_t i = 0; i < SHARED_HEADS; i++) {
		heads[i] = mk_head(0, 1, "GET", "/", 0, NULL, NULL);
		each = (size_t)heads[i]->block_units * HEAD_BLOCK_UNIT;
		assert_ptr_equal(head_ref(heads[i]), heads[i]);
		assert_int_equal(heads[i]->refs, 2);
	}
	assert_true(each * SHARED_HEADS <= HEAD_CACHE_BYTES);
	for (size_t i = 0; i < SHARED_HEADS; i++)
		head_unref(heads[i]);
	assert_int_equal(head_cache_bytes(), 0);
	struct unref_job other = { heads, 0 };
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, unref_all, &other), 0);
	assert_int_equal(pthread_join(t, NULL), 0);
	/* Under AddressSanitizer nothing is kept (it finds a double free or a leak itself). */
	if (head_cache_cap())
		assert_int_equal(other.cached, each * SHARED_HEADS);
	free(heads);
}

/* Names equal but for the case of ASCII letters hash alike, whatever their length and wherever they are read. */
static void test_name_hash(void **state)
{
	const char *mixed = "Content-Type-X-Forwarded-For-Accept\xc3\x89-@[`{";
	const char *lower = "content-type-x-forwarded-for-accept\xc3\x89-@[`{";
	char buf[64];
	memcpy(buf, mixed, strlen(mixed) + 1);
	for (size_t n = 0; n <= strlen(mixed); n++) {
		uint32_t want = head_name_hash(lower, n);
		assert_int_equal(head_name_hash(mixed, n), want);
		for (size_t avail = n; avail < sizeof buf; avail++)
			assert_int_equal(head__name_hash(buf, n, avail), want);
	}
	/* Bytes that are not letters are not folded: '@' is not '`', '[' is not '{'. */
	assert_int_not_equal(head_name_hash("@[", 2), head_name_hash("`{", 2));
	/* Each field's hash, set by hb_freeze, is that of its name. */
	const char *const fields[] = { "X-Request-Identifier", "1", "ETag", "\"a\"", NULL };
	struct http_head *h = mk_head(1, 0, NULL, NULL, 200, "OK", fields);
	assert_int_equal(h->fields[0].hash, head_name_hash("x-request-identifier", 20));
	assert_int_equal(h->fields[1].hash, head_name_hash("etag", 4));
	assert_ptr_equal(head_field_lit(h, "etag"), &h->fields[1]);
	assert_ptr_equal(head_field_lit(h, "X-REQUEST-IDENTIFIER"), head_field(h, "x-request-identifier"));
	assert_null(head_field_lit(h, "Etag2"));
	head_unref(h);
}

/*
 * A head's set of names has each field's bit and no other, and a lookup
 * trusts a clear bit: a name whose bit is set by another name is still
 * looked for among the fields, and told apart by its bytes.
 */
static void test_names_set(void **state)
{
	const char *const fields[] = { "Date", "x", "content-TYPE", "text/plain", "Date", "y", NULL };
	struct http_head *h = mk_head(1, 0, NULL, NULL, 200, "OK", fields);
	uint64_t want = head_name_bit(head_name_hash("date", 4)) | head_name_bit(head_name_hash("content-type", 12));
	assert_true(h->names == want);
	assert_ptr_equal(head_field(h, "DATE"), &h->fields[0]);
	assert_ptr_equal(head_field(h, "Content-Type"), &h->fields[1]);
	assert_null(head_field(h, "ETag"));
	/* A name with Date's bit but not Date's name: not found, though its bit is set. */
	char other[16];
	uint32_t date_bit = head_name_hash("date", 4) % 64;
	int k = 0;
	do
		snprintf(other, sizeof other, "X-%d", k++);
	while (head_name_hash(other, strlen(other)) % 64 != date_bit);
	assert_null(head_field(h, other));
	head_unref(h);
	/* With that field present, it is found behind Date. */
	const char *const more[] = { "Date", "x", other, "1", NULL };
	h = mk_head(1, 0, NULL, NULL, 200, "OK", more);
	assert_true(h->names == head_name_bit(head_name_hash("date", 4)));
	assert_ptr_equal(head_field(h, other), &h->fields[1]);
	assert_ptr_equal(head_field(h, "date"), &h->fields[0]);
	head_unref(h);
	/* A head without fields has no names. */
	h = mk_head(0, 1, "GET", "/", 0, NULL, NULL);
	assert_true(h->names == 0);
	assert_null(head_field(h, "Host"));
	head_unref(h);
}

/*
 * head_name_same, whose words overlap at the end: for every length up to
 * 40 and every position, a byte changed is told apart (a word the
 * comparison skipped would not be), a letter of the other case is not,
 * nor is '@' taken for '`' (they differ as cases do, but are no letters).
 */
/* The first field named n, found by reading every field: what a lookup must answer. */
static const struct hfield *scan_all(const struct http_head *h, const char *n)
{
	for (uint32_t i = 0; i < h->nfields; i++)
		if (head_field_is(h, &h->fields[i], n))
			return &h->fields[i];
	return NULL;
}

/*
 * A lookup finds the first field of its name wherever it is: behind
 * another name with the same bit, repeated, and past the 255th field.
 * Every name of a head of 300 fields, and some not in it.
 */
static void test_first_of_name(void **state)
{
	enum { N = 300 };
	static char names[N][16];
	const char *fields[2 * N + 1];
	uint32_t target_bit = head_name_hash("target", 6) % 64;
	int other = 0;
	for (int i = 0; i < N; i++) {
		if (i == 3) {
			/* An earlier name with Target's bit. */
			do
				snprintf(names[i], sizeof names[i], "C-%d", other++);
			while (head_name_hash(names[i], strlen(names[i])) % 64 != target_bit);
		} else if (i == 280 || i == 281 || i == 299) {
			snprintf(names[i], sizeof names[i], "Target");
		} else {
			snprintf(names[i], sizeof names[i], "F-%d", i);
		}
		fields[2 * i] = names[i];
		fields[2 * i + 1] = names[i];
	}
	fields[2 * N] = NULL;
	struct http_head *h = mk_head_max(1, 0, NULL, NULL, 200, "OK", fields, N);
	assert_int_equal(h->nfields, N);
	assert_ptr_equal(head_field(h, "TARGET"), &h->fields[280]);
	assert_ptr_equal(head_field_lit(h, "target"), &h->fields[280]);
	assert_ptr_equal(head_field(h, names[3]), &h->fields[3]);
	for (int i = 0; i < N; i++) {
		const struct hfield *want = scan_all(h, names[i]);
		assert_non_null(want);
		assert_ptr_equal(head_field(h, names[i]), want);
	}
	/* F-299 is not there (Target is, at 299); names of the same bit as one there are not either. */
	assert_null(head_field(h, "F-299"));
	for (int k = 0; k < 200; k++) {
		char absent[16];
		snprintf(absent, sizeof absent, "Z-%d", k);
		assert_null(head_field(h, absent));
	}
	head_unref(h);
}

static void test_name_same(void **state)
{
	(void)state;
	const char *src = "Content-Type-X-Forwarded-For-Accept-Encoding";
	char a[48], b[48];
	for (size_t n = 0; n <= 40; n++) {
		memcpy(a, src, n);
		memcpy(b, src, n);
		assert_true(head_name_same(a, b, n));
		for (size_t i = 0; i < n; i++) {
			b[i] = (char)(a[i] ^ 0x01);
			assert_false(head_name_same(a, b, n));
			b[i] = a[i];
			if ((a[i] | 0x20) >= 'a' && (a[i] | 0x20) <= 'z') {
				b[i] = (char)(a[i] ^ 0x20);
				assert_true(head_name_same(a, b, n));
				b[i] = a[i];
			}
			char ka = a[i];
			a[i] = '@';
			b[i] = '`';
			assert_false(head_name_same(a, b, n));
			a[i] = b[i] = ka;
		}
	}
}

/* A response head with one field, the field split between name and value at split bytes of "ETag\"a\"". */
static void fill_alike(struct head_builder *b, const char *reason, const char *etag, size_t split)
{
	char f[32];
	size_t n = (size_t)snprintf(f, sizeof f, "ETag%s", etag);
	hb_append(b, HB_REASON, reason, strlen(reason));
	hb_end_part(b);
	hb_append(b, HB_NAME, f, split);
	hb_end_part(b);
	hb_append(b, HB_VALUE, f + split, n - split);
	hb_end_part(b);
}

/*
 * hb_freeze_alike: a head the same as one the thread froze of its kind
 * and still holds is that head again, with one more reference and no
 * copy; any one thing that differs (a byte, a span, the start line, the
 * version, a flag, the room before it) makes a head of its own.
 * Requests and responses are held apart, and hb_pool_drain lets the held
 * ones go (AddressSanitizer's leak check sees any it kept).
 */
static void test_alike(void **state)
{
	struct head_builder b;
	hb_init(&b, 1024, 16);
	fill_alike(&b, "OK", "\"a\"", 4);
	struct http_head *a = hb_freeze_alike(&b, 0, true, 1, 1, 0, 200, false);
	assert_non_null(a);
	assert_int_equal(a->alike, 0);
	fill_alike(&b, "OK", "\"a\"", 4);
	struct http_head *a2 = hb_freeze_alike(&b, 0, true, 1, 1, 0, 200, false);
	assert_ptr_equal(a2, a);
	assert_int_equal(a->alike, 1);
	assert_int_equal(a->refs, 3); /* the two callers' and the thread's */
	assert_int_equal(b.len, 0);
	assert_int_equal(b.nfields, 0);
	/* A request alike in nothing but its kind is not the response. */
	hb_append(&b, HB_METHOD, "GET", 3);
	hb_end_part(&b);
	struct http_head *q = hb_freeze_alike(&b, 0, false, 1, 1, 1, 0, false);
	hb_append(&b, HB_METHOD, "GET", 3);
	hb_end_part(&b);
	struct http_head *q2 = hb_freeze_alike(&b, 0, false, 1, 1, 1, 0, false);
	assert_ptr_equal(q2, q);
	/* Nor are heads with room before them and without. */
	hb_append(&b, HB_METHOD, "GET", 3);
	hb_end_part(&b);
	struct http_head *q3 = hb_freeze_alike(&b, 64, false, 1, 1, 1, 0, false);
	assert_ptr_not_equal(q3, q);
	assert_non_null(q3->block);
	/* The response held is still the first one. */
	fill_alike(&b, "OK", "\"a\"", 4);
	struct http_head *a3 = hb_freeze_alike(&b, 0, true, 1, 1, 0, 200, false);
	assert_ptr_equal(a3, a);
	for (int v = 0; v < 9; v++) {
		uint8_t minor = v == 0 ? 0 : 1;
		uint16_t status = v == 1 ? 201 : 200;
		bool eof = v == 2;
		uint8_t method = v == 8 ? 2 : 0;
		fill_alike(&b, v == 3 ? "Ok" : "OK", v == 4 ? "\"b\"" : "\"a\"", v == 5 ? 3 : 4);
		if (v == 6)
			b.truncated = true;
		if (v == 7)
			b.obs_fold = true;
		struct http_head *x = hb_freeze_alike(&b, 0, true, 1, minor, method, status, eof);
		assert_ptr_not_equal(x, a);
		assert_int_equal(x->alike, 0);
		assert_int_equal(x->minor, minor);
		assert_int_equal(x->status, status);
		assert_int_equal(x->close_delimited, eof);
		assert_int_equal(x->truncated, v == 6);
		assert_int_equal(x->obs_fold, v == 7);
		assert_int_equal(x->fields[0].name.len, v == 5 ? 3 : 4);
		head_unref(x);
		/* And the head as it was is still the one held (the one
		 * handed out least long ago makes room for a new one). */
		fill_alike(&b, "OK", "\"a\"", 4);
		struct http_head *y = hb_freeze_alike(&b, 0, true, 1, 1, 0, 200, false);
		assert_ptr_equal(y, a);
		head_unref(y);
	}
	assert_int_equal(a->alike, 2 + 9);
	head_unref(a);
	head_unref(a2);
	head_unref(a3);
	head_unref(q);
	head_unref(q2);
	head_unref(q3);
	hb_free(&b);
	hb_pool_drain();
}

/* A head of its own, each different (its ETag) by n. */
static struct http_head *freeze_nth(struct head_builder *b, int n)
{
	char etag[16];
	snprintf(etag, sizeof etag, "\"%d\"", n);
	fill_alike(b, "OK", etag, 4);
	return hb_freeze_alike(b, 0, true, 1, 1, 0, 200, false);
}

/*
 * The thread holds HB_ALIKE heads of a kind: heads that come in turn, as
 * a client's few URLs do over its connections, are each handed out
 * again; one more than it holds makes room by letting go of the head
 * handed out least long ago, which is then frozen anew.
 */
static void test_alike_slots(void **state)
{
	struct head_builder b;
	hb_init(&b, 1024, 16);
	hb_pool_drain();
	struct http_head *first[HB_ALIKE + 1];
	for (int n = 0; n < HB_ALIKE; n++)
		first[n] = freeze_nth(&b, n);
	for (int round = 0; round < 3; round++)
		for (int n = 0; n < HB_ALIKE; n++) {
			struct http_head *x = freeze_nth(&b, n);
			assert_ptr_equal(x, first[n]);
			head_unref(x);
		}
	for (int n = 0; n < HB_ALIKE; n++)
		assert_int_equal(first[n]->alike, 3);
	/* Head 0 was handed out least long ago: the new one takes its place. */
	first[HB_ALIKE] = freeze_nth(&b, HB_ALIKE);
	for (int n = 1; n <= HB_ALIKE; n++) {
		struct http_head *x = freeze_nth(&b, n);
		assert_ptr_equal(x, first[n]);
		head_unref(x);
	}
	struct http_head *again = freeze_nth(&b, 0);
	assert_ptr_not_equal(again, first[0]);
	assert_int_equal(again->alike, 0);
	head_unref(again);
	/* And one used again now and then stays while others come and go. */
	hb_pool_drain();
	struct http_head *kept = freeze_nth(&b, 1000);
	for (int n = 0; n < 4 * HB_ALIKE; n++) {
		head_unref(freeze_nth(&b, 2000 + n));
		struct http_head *x = freeze_nth(&b, 1000);
		assert_ptr_equal(x, kept);
		head_unref(x);
	}
	head_unref(kept);
	for (int n = 0; n <= HB_ALIKE; n++)
		head_unref(first[n]);
	hb_free(&b);
	hb_pool_drain();
}

/*
 * Heads that seldom repeat: after REST_WINDOW searches of all the slots
 * with fewer than one in eight found, the next REST_WINDOWS windows' worth
 * compare with the last head only (heads in turn are each frozen anew,
 * the same head in a row still handed out again); then all are searched
 * again.
 */
static void test_alike_rest(void **state)
{
	struct head_builder b;
	hb_init(&b, 1024, 16);
	hb_pool_drain();
	int n = 0;
	for (unsigned i = 0; i < REST_WINDOW; i++)
		head_unref(freeze_nth(&b, n++));
	/* Resting: A, B, A: the second A is compared with B only. */
	struct http_head *a = freeze_nth(&b, -1), *bb = freeze_nth(&b, -2), *a2 = freeze_nth(&b, -1);
	assert_ptr_not_equal(a2, a);
	struct http_head *a3 = freeze_nth(&b, -1);
	assert_ptr_equal(a3, a2);
	head_unref(a);
	head_unref(bb);
	head_unref(a2);
	head_unref(a3);
	for (unsigned i = 4; i < REST_WINDOWS * REST_WINDOW; i++)
		head_unref(freeze_nth(&b, n++));
	/* The rest is over: X, Y, X: the second X is the first. */
	struct http_head *x = freeze_nth(&b, -3), *y = freeze_nth(&b, -4), *x2 = freeze_nth(&b, -3);
	assert_ptr_equal(x2, x);
	head_unref(x);
	head_unref(y);
	head_unref(x2);
	hb_free(&b);
	hb_pool_drain();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pieces),
		cmocka_unit_test(test_empty_piece_first),
		cmocka_unit_test(test_caps),
		cmocka_unit_test(test_caps_in_pieces),
		cmocka_unit_test(test_pool),
		cmocka_unit_test(test_block_cache),
		cmocka_unit_test(test_refs),
		cmocka_unit_test(test_refs_handed_over),
		cmocka_unit_test(test_name_hash),
		cmocka_unit_test(test_names_set),
		cmocka_unit_test(test_first_of_name),
		cmocka_unit_test(test_name_same),
		cmocka_unit_test(test_alike),
		cmocka_unit_test(test_alike_slots),
		cmocka_unit_test(test_alike_rest),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
