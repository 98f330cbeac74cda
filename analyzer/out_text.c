/* out_text.c: one line per finding, then a summary a person reads. */
#include <inttypes.h>
#include <string.h>

#include "endpoint.h"
#include "json.h"
#include "output.h"
#include "wltime.h"

static void request_line(FILE *f, const struct txn *t)
{
	if (!t->req) {
		fputs("(no request)", f);
		return;
	}
	putc('"', f);
	text_str(f, head_str(t->req, t->req->method_s), t->req->method_s.len);
	putc(' ', f);
	text_str(f, head_str(t->req, t->req->uri), t->req->uri.len);
	putc('"', f);
}

void out_text_txn(FILE *f, const struct txn *t)
{
	if (!t->nfindings)
		return;
	char ts[40];
	bool r = txn_saw_response(t);
	wltime_iso(ts, sizeof ts, r ? &t->resp_ts : &t->req_ts);
	uint64_t frame = r ? t->resp_frame : t->req_frame;
	for (unsigned i = 0; i < t->nfindings; i++) {
		const struct finding *x = &t->findings[i];
		fprintf(f, "%s:%" PRIu64 ": %s %s -> %s ", t->file, frame, ts, t->ep->client, t->ep->server);
		request_line(f, t);
		if (t->resp && t->resp->status)
			fprintf(f, " %u", t->resp->status);
		else
			fputs(" -", f);
		fprintf(f, ": %s: %s [%s]\n", severity_name((enum severity)x->sev), x->msg, rule_table[x->rule].id);
	}
}

struct notice_ctx {
	FILE *f;
	bool any;
};

static void print_notice(void *ctx, const char *name, const char *text, uint64_t v)
{
	struct notice_ctx *c = ctx;
	static const char *const always[] = { "packets", "bytes", "connections", "http_connections" };
	for (size_t i = 0; i < sizeof always / sizeof always[0]; i++)
		if (strcmp(name, always[i]) == 0)
			return;
	if (!v)
		return;
	if (!c->any)
		fputs("notices:\n", c->f);
	c->any = true;
	fprintf(c->f, "  %-58s %" PRIu64 "\n", text, v);
}

void out_text_summary(FILE *f, const struct wl_stats *st, const char *const *files, int nfiles, const char *iface)
{
	if (iface)
		fprintf(f, "\nsummary: interface %s", iface);
	else
		fprintf(f, "\nsummary: %d file%s", nfiles, nfiles == 1 ? "" : "s");
	fprintf(f, ", %" PRIu64 " packets, %" PRIu64 " connections (%" PRIu64 " HTTP), %" PRIu64 " transactions\n",
		st->packets, st->connections, st->http_connections, st->transactions);
	/* What could not be seen is said every time, not only when it happened. */
	fprintf(f, "stream: %" PRIu64 " bytes, %" PRIu64 " incomplete transactions, %" PRIu64
		   " bytes lost in holes, %" PRIu64 " overlapping bytes that differed, %" PRIu64
		   " truncated packets, %" PRIu64 " connections dropped at a cap\n",
		st->bytes, st->txn_incomplete, st->gap_bytes, st->overlap_mismatch, st->pkt_truncated,
		st->conn_evicted);
	fputs("responses:", f);
	static const char *const cls[] = { "other", "1xx", "2xx", "3xx", "4xx", "5xx" };
	for (int i = 1; i <= 5; i++)
		fprintf(f, " %s %" PRIu64 ",", cls[i], st->status_class[i]);
	fprintf(f, " other %" PRIu64 "\n", st->status_class[0]);
	fprintf(f, "findings: %" PRIu64 " (error %" PRIu64 ", warning %" PRIu64 ", info %" PRIu64 ")\n", st->findings,
		st->by_severity[SEV_ERROR], st->by_severity[SEV_WARNING], st->by_severity[SEV_INFO]);
	for (int i = 0; i < rule_count; i++)
		if (st->by_rule[i])
			fprintf(f, "  %-30s %" PRIu64 "\n", rule_table[i].id, st->by_rule[i]);
	struct notice_ctx c = { f, false };
	stats_each_counter(st, print_notice, &c);
	(void)files;
}
