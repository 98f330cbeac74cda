/* wl_test.h: helpers shared by the unit tests. */
#ifndef WL_TEST_H
#define WL_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "head.h"

/* Collects a start line's parts and NULL-terminated name, value pairs into b. */
static inline void fill_head(struct head_builder *b, const char *method_s, const char *uri, const char *reason,
			     const char *const *fields)
{
	if (method_s) {
		hb_append(b, HB_METHOD, method_s, strlen(method_s));
		hb_end_part(b);
	}
	if (uri) {
		hb_append(b, HB_URI, uri, strlen(uri));
		hb_end_part(b);
	}
	if (reason) {
		hb_append(b, HB_REASON, reason, strlen(reason));
		hb_end_part(b);
	}
	for (int i = 0; fields && fields[i]; i += 2) {
		hb_append(b, HB_NAME, fields[i], strlen(fields[i]));
		hb_end_part(b);
		if (fields[i + 1][0]) {
			hb_append(b, HB_VALUE, fields[i + 1], strlen(fields[i + 1]));
			hb_end_part(b);
		}
	}
}

/* A head from a start line's parts and NULL-terminated name, value pairs, kept up to max_fields fields. */
static inline struct http_head *mk_head_max(int is_response, int method, const char *method_s, const char *uri,
					    int status, const char *reason, const char *const *fields, uint32_t max_fields)
{
	struct head_builder b;
	hb_init(&b, 65536, max_fields);
	fill_head(&b, method_s, uri, reason, fields);
	struct http_head *h = hb_freeze(&b, is_response, 1, 1, (uint8_t)method, (uint16_t)status);
	hb_free(&b);
	return h;
}

/* The same head frozen times times alike (hb_freeze_alike): the last, which the others are; the caller holds times references. */
static inline struct http_head *mk_head_alike(int times, int is_response, int method, const char *method_s,
					      const char *uri, int status, const char *reason, const char *const *fields)
{
	struct head_builder b;
	hb_init(&b, 65536, 256);
	struct http_head *h = NULL;
	for (int i = 0; i < times; i++) {
		fill_head(&b, method_s, uri, reason, fields);
		h = hb_freeze_alike(&b, 0, is_response, 1, 1, (uint8_t)method, (uint16_t)status, false);
	}
	hb_free(&b);
	return h;
}

/* mk_head_max with the default caps: 64 KiB of head, 256 fields. */
static inline struct http_head *mk_head(int is_response, int method, const char *method_s, const char *uri,
					int status, const char *reason, const char *const *fields)
{
	return mk_head_max(is_response, method, method_s, uri, status, reason, fields, 256);
}

#endif
