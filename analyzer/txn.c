/* txn.c: transactions. */
#include "txn.h"

#include <stdlib.h>
#include <string.h>

#include "endpoint.h"
#include "llhttp.h"

struct txn *txn_new(void)
{
	uint8_t units;
	struct txn *t = head_block_get(sizeof *t, &units);
	if (!t)
		return NULL;
	memset(t, 0, sizeof *t);
	t->block_units = units;
	return t;
}

struct txn *txn_new_for(struct http_head *req)
{
	struct txn *t = req->block;
	req->room_used = true;
	memset(t, 0, sizeof *t);
	t->req = req;
	return t;
}

void txn_free(struct txn *t)
{
	if (!t)
		return;
	head_unref(t->resp);
	head_unref(t->trailers);
	free(t->kept);
	if (t->ep && --t->ep->refs == 0)
		free(t->ep);
	free(t->findings);
	free(t->parts);
	free((void *)t->brief); /* a worker's sample (-j) */
	/* Last: t may live in its request head's allocation, which goes
	 * with the head's last reference (an interim response may hold
	 * another). */
	if (t->req && t->req->block == (void *)t) {
		head_unref(t->req);
		return;
	}
	head_unref(t->req);
	if (t->block_units)
		head_block_put(t, t->block_units);
	else
		free(t);
}

struct finding *txn_add_finding(struct txn *t)
{
	if (t->nfindings == t->fcap) {
		uint16_t ncap = t->fcap ? (uint16_t)(t->fcap * 2) : 2;
		if (ncap > 512)
			return NULL;
		struct finding *nf = realloc(t->findings, ncap * sizeof *nf);
		if (!nf)
			return NULL;
		t->findings = nf;
		t->fcap = ncap;
	}
	struct finding *f = &t->findings[t->nfindings++];
	memset(f, 0, sizeof *f);
	return f;
}

bool txn_is_head(const struct txn *t)
{
	return t->req && t->req->method == HTTP_HEAD && t->req->method_s.len == 4;
}

const char *txn_host(const struct txn *t, uint32_t *len)
{
	const struct hfield *f = t->req ? head_field_lit(t->req, "Host") : NULL;
	*len = f ? f->value.len : 0;
	return f ? head_str(t->req, f->value) : NULL;
}
