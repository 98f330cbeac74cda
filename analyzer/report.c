/* report.c: the findings of a run, kept for the formats written whole at the end. */
#include "report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "endpoint.h"
#include "txn.h"

void rep_init(struct report *r, size_t max)
{
	memset(r, 0, sizeof *r);
	r->max = max;
}

void rep_free(struct report *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->f[i].msg);
		free(r->f[i].method);
		free(r->f[i].uri);
		free(r->f[i].host);
	}
	free(r->f);
	for (int i = 0; i < r->nfiles; i++) {
		free(r->files[i].name);
		free(r->files[i].error);
	}
	free(r->files);
	memset(r, 0, sizeof *r);
}

void rep_begin_file(struct report *r, const char *name)
{
	if (r->nfiles == r->fcap) {
		int ncap = r->fcap ? r->fcap * 2 : 8;
		struct rep_file *nf = realloc(r->files, (size_t)ncap * sizeof *nf);
		if (!nf)
			return;
		r->files = nf;
		r->fcap = ncap;
	}
	struct rep_file *f = &r->files[r->nfiles];
	memset(f, 0, sizeof *f);
	if (!(f->name = strdup(name)))
		return;
	r->nfiles++;
}

void rep_end_file(struct report *r, const struct timeval *first, const struct timeval *last, uint64_t packets,
		  const char *error)
{
	if (!r->nfiles)
		return;
	struct rep_file *f = &r->files[r->nfiles - 1];
	f->first = *first;
	f->last = *last;
	f->packets = packets;
	f->error = error ? strdup(error) : NULL;
}

/* A copy of p[0..n) in printable ASCII: any other byte becomes \xXX. */
static char *printable(const char *p, size_t n)
{
	char *s = malloc(n * 4 + 1), *o = s;
	if (!s)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];
		if (c >= 0x20 && c < 0x7f)
			*o++ = (char)c;
		else
			o += sprintf(o, "\\x%02x", c);
	}
	*o = 0;
	return s;
}

void rep_add(struct report *r, const struct txn *t, const struct finding *x)
{
	if (r->n >= r->max || !r->nfiles) {
		r->dropped++;
		return;
	}
	if (r->n == r->cap) {
		size_t ncap = r->cap ? r->cap * 2 : 64;
		struct rep_finding *nf = realloc(r->f, ncap * sizeof *nf);
		if (!nf) {
			r->dropped++;
			return;
		}
		r->f = nf;
		r->cap = ncap;
	}
	struct rep_finding *f = &r->f[r->n];
	memset(f, 0, sizeof *f);
	f->file = r->nfiles - 1;
	f->rule = x->rule;
	f->sev = x->sev;
	f->status = t->resp ? t->resp->status : 0;
	memcpy(f->fp, x->fp, sizeof f->fp);
	snprintf(f->client, sizeof f->client, "%s", t->ep->client);
	snprintf(f->server, sizeof f->server, "%s", t->ep->server);
	snprintf(f->community_id, sizeof f->community_id, "%s", endpoints_community_id(t->ep));
	f->msg = printable(x->msg, strlen(x->msg));
	f->method = t->req ? printable(head_str(t->req, t->req->method_s), t->req->method_s.len) : strdup("");
	f->uri = t->req ? printable(head_str(t->req, t->req->uri), t->req->uri.len) : strdup("");
	uint32_t hl = 0;
	const char *h = txn_host(t, &hl);
	f->host = h ? printable(h, hl) : strdup("");
	bool resp = txn_saw_response(t);
	f->ts = resp ? t->resp_ts : t->req_ts;
	f->frame = resp ? t->resp_frame : t->req_frame;
	f->rec_off = resp ? t->resp_rec_off : t->req_rec_off;
	f->rec_len = resp ? t->resp_rec_len : t->req_rec_len;
	f->conn_id = t->conn_id;
	if (!f->msg || !f->method || !f->uri || !f->host) {
		free(f->msg);
		free(f->method);
		free(f->uri);
		free(f->host);
		r->dropped++;
		return;
	}
	r->n++;
}
