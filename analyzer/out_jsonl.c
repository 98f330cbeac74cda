/* out_jsonl.c: one JSON object per line: transactions, findings, and a summary last. */
#include <inttypes.h>
#include <string.h>

#include "json.h"
#include "endpoint.h"
#include "llhttp.h"
#include "output.h"
#include "wltime.h"

static void field_str(FILE *f, const char *key, const struct http_head *h, struct span s)
{
	fprintf(f, ",\"%s\":", key);
	if (h)
		json_str(f, head_str(h, s), s.len);
	else
		fputs("null", f);
}

/* The fields a transaction and its findings share. */
static void common(FILE *f, const struct txn *t, const struct timeval *when, uint64_t frame)
{
	char ts[40];
	wltime_epoch(ts, sizeof ts, when);
	fputs(",\"file\":", f);
	json_str(f, t->file, strlen(t->file));
	fprintf(f, ",\"frame\":%" PRIu64 ",\"ts\":%s,\"client\":", frame, ts);
	json_str(f, t->ep->client, strlen(t->ep->client));
	fputs(",\"server\":", f);
	json_str(f, t->ep->server, strlen(t->ep->server));
	fputs(",\"community_id\":", f);
	const char *cid = endpoints_community_id(t->ep);
	json_str(f, cid, strlen(cid));
	field_str(f, "method", t->req, t->req ? t->req->method_s : (struct span){ 0, 0 });
	field_str(f, "uri", t->req, t->req ? t->req->uri : (struct span){ 0, 0 });
}

static void status(FILE *f, const struct txn *t)
{
	if (t->resp && t->resp->status)
		fprintf(f, ",\"status\":%u", t->resp->status);
	else
		fputs(",\"status\":null", f);
}

void out_jsonl_txn(FILE *f, const struct txn *t)
{
	const struct timeval *when = t->req ? &t->req_ts : &t->resp_ts;
	uint64_t frame = t->req ? t->req_frame : t->resp_frame;
	fputs("{\"type\":\"transaction\"", f);
	common(f, t, when, frame);
	fprintf(f, ",\"conn\":%" PRIu64 ",\"index\":%u", t->conn_id, t->index);
	uint32_t hlen;
	const char *host = txn_host(t, &hlen);
	fputs(",\"host\":", f);
	if (host)
		json_str(f, host, hlen);
	else
		fputs("null", f);
	if (t->req)
		fprintf(f, ",\"version\":\"%u.%u\"", t->req->major, t->req->minor);
	else
		fputs(",\"version\":null", f);
	status(f, t);
	field_str(f, "reason", t->resp, t->resp ? t->resp->reason : (struct span){ 0, 0 });
	if (txn_saw_response(t)) {
		char rts[40];
		wltime_epoch(rts, sizeof rts, &t->resp_ts);
		fprintf(f, ",\"response_ts\":%s,\"response_frame\":%" PRIu64, rts, t->resp_frame);
	}
	fprintf(f, ",\"request_body\":%" PRIu64 ",\"response_body\":%" PRIu64, t->req_body, t->resp_body);
	/* Seconds from the end of the request to the response's first and last byte. */
	uint32_t lf, ll;
	if (tr_latency(t, &lf, &ll))
		fprintf(f, ",\"latency_first_byte\":%.6f,\"latency_last_byte\":%.6f", lf / 1e6, ll / 1e6);
	else
		fputs(",\"latency_first_byte\":null,\"latency_last_byte\":null", f);
	fprintf(f, ",\"interim\":%s", t->flags & TXN_INTERIM ? "true" : "false");
	fprintf(f, ",\"incomplete\":%s", t->flags & (TXN_REQ_CUT | TXN_RESP_CUT) ? "true" : "false");
	fputs(",\"findings\":[", f);
	for (unsigned i = 0; i < t->nfindings; i++)
		fprintf(f, "%s\"%s\"", i ? "," : "", rule_table[t->findings[i].rule].id);
	fputs("]}\n", f);

	for (unsigned i = 0; i < t->nfindings; i++) {
		const struct finding *x = &t->findings[i];
		fprintf(f, "{\"type\":\"finding\",\"rule\":\"%s\",\"severity\":\"%s\",\"message\":", rule_table[x->rule].id,
			severity_name((enum severity)x->sev));
		json_str(f, x->msg, strlen(x->msg));
		fprintf(f, ",\"fingerprint\":\"%s\"", x->fp);
		bool r = txn_saw_response(t);
		common(f, t, r ? &t->resp_ts : &t->req_ts, r ? t->resp_frame : t->req_frame);
		status(f, t);
		fputs("}\n", f);
	}
}

static void counter(void *ctx, const char *name, const char *text, uint64_t v)
{
	fprintf((FILE *)ctx, ",\"%s\":%" PRIu64, name, v);
}

void out_jsonl_summary(FILE *f, const struct wl_stats *st, const char *const *files, int nfiles)
{
	fputs("{\"type\":\"summary\",\"files\":[", f);
	for (int i = 0; i < nfiles; i++) {
		if (i)
			putc(',', f);
		json_str(f, files[i], strlen(files[i]));
	}
	fputs("]", f);
	stats_each_counter(st, counter, f);
	fprintf(f, ",\"transactions\":%" PRIu64 ",\"responses\":%" PRIu64, st->transactions, st->responses);
	fprintf(f, ",\"by_class\":{\"1xx\":%" PRIu64 ",\"2xx\":%" PRIu64 ",\"3xx\":%" PRIu64 ",\"4xx\":%" PRIu64
		   ",\"5xx\":%" PRIu64 ",\"other\":%" PRIu64 "}",
		st->status_class[1], st->status_class[2], st->status_class[3], st->status_class[4], st->status_class[5],
		st->status_class[0]);
	fputs(",\"by_status\":{", f);
	bool first = true;
	for (int i = 0; i < 1000; i++) {
		if (!st->status[i])
			continue;
		fprintf(f, "%s\"%d\":%" PRIu64, first ? "" : ",", i, st->status[i]);
		first = false;
	}
	fprintf(f, "},\"findings\":%" PRIu64 ",\"by_severity\":{\"error\":%" PRIu64 ",\"warning\":%" PRIu64
		   ",\"info\":%" PRIu64 "},\"by_rule\":{",
		st->findings, st->by_severity[SEV_ERROR], st->by_severity[SEV_WARNING], st->by_severity[SEV_INFO]);
	first = true;
	for (int i = 0; i < rule_count; i++) {
		if (!st->by_rule[i])
			continue;
		fprintf(f, "%s\"%s\":%" PRIu64, first ? "" : ",", rule_table[i].id, st->by_rule[i]);
		first = false;
	}
	fputs("}", f);
}
