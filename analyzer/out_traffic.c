/* out_traffic.c: the statistics of the summary: status codes, hosts, endpoints, latency, redirect chains. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "output.h"

static double pct(uint64_t part, uint64_t whole)
{
	return whole ? 100.0 * (double)part / (double)whole : 0;
}

static double ms(uint32_t us)
{
	return (double)us / 1000.0;
}

static void text_rows(FILE *f, const struct traffic *tr, bool endpoints, bool by_findings, uint32_t top)
{
	uint32_t n;
	struct tr_row *rows = tr_rows(tr, endpoints, by_findings, top, &n);
	if (!rows || !n) {
		free(rows);
		return;
	}
	fprintf(f, "%s (top %u by %s):\n", endpoints ? "endpoints" : "hosts", top, by_findings ? "findings" : "requests");
	for (uint32_t i = 0; i < n; i++) {
		const struct tr_row *r = &rows[i];
		fprintf(f, "  %-38s %8" PRIu64 " requests, 4xx %5.1f%%, 5xx %5.1f%%, %" PRIu64 " findings", r->name, r->requests,
			pct(r->c4xx, r->requests), pct(r->c5xx, r->requests), r->findings);
		if (endpoints && r->first.count)
			fprintf(f, "; first byte p50 %.3f p90 %.3f p99 %.3f max %.3f ms", ms(r->first.p50), ms(r->first.p90),
				ms(r->first.p99), ms(r->first.max));
		putc('\n', f);
	}
	free(rows);
}

static void text_lat(FILE *f, const char *what, const struct tr_pct *p)
{
	fprintf(f, "  %-11s %" PRIu64 " transactions, p50 %.3f, p90 %.3f, p99 %.3f, max %.3f ms%s\n", what, p->count,
		ms(p->p50), ms(p->p90), ms(p->p99), ms(p->max), p->exact ? "" : " (percentiles within 3%)");
}

void out_text_traffic(FILE *f, const struct wl_stats *st, const struct traffic *tr, const struct redir_table *rd,
		      uint32_t top)
{
	fputs("status codes:", f);
	bool any = false;
	for (int i = 0; i < 1000; i++)
		if (st->status[i]) {
			fprintf(f, "%s %d %" PRIu64, any ? "," : "", i, st->status[i]);
			any = true;
		}
	fputs(any ? "\n" : " none\n", f);
	text_rows(f, tr, false, false, top);
	text_rows(f, tr, true, false, top);
	text_rows(f, tr, true, true, top);
	struct tr_pct first, last;
	tr_overall(tr, &first, &last);
	if (first.count) {
		fputs("latency (from the end of the request):\n", f);
		text_lat(f, "first byte", &first);
		text_lat(f, "last byte", &last);
	}
	if (rd && rd->nchains + rd->chains_dropped) {
		uint64_t total = 0, loops = 0;
		for (int i = 1; i < 8; i++)
			total += rd->by_length[i];
		for (uint32_t i = 0; i < rd->nchains; i++)
			loops += rd->chains[i].loop;
		fprintf(f, "redirect chains: %" PRIu64 " (", total);
		for (int i = 1; i < 8; i++)
			if (rd->by_length[i])
				fprintf(f, "%s%d%s redirect%s: %" PRIu64, i > 1 && rd->by_length[i - 1] ? ", " : "", i,
					i == 7 ? " or more" : "", i == 1 ? "" : "s", rd->by_length[i]);
		fprintf(f, "), %" PRIu64 " loop%s\n", loops, loops == 1 ? "" : "s");
		for (uint32_t i = 0; i < rd->nchains && i < top; i++) {
			const struct redir_chain *c = &rd->chains[i];
			fprintf(f, "  %s:", c->client);
			for (int k = 0; k < c->n; k++)
				fprintf(f, "%s%s", k ? " -> " : " ", c->urls[k]);
			if (c->loop)
				fputs(" (loop)\n", f);
			else if (c->final_status)
				fprintf(f, " (%d)\n", c->final_status);
			else
				fputs(" (not followed)\n", f);
		}
	}
}

static void jlat(FILE *f, const char *key, const struct tr_pct *p)
{
	fprintf(f, "\"%s\":{\"count\":%" PRIu64 ",\"p50\":%.6f,\"p90\":%.6f,\"p99\":%.6f,\"max\":%.6f,\"exact\":%s}", key,
		p->count, (double)p->p50 / 1e6, (double)p->p90 / 1e6, (double)p->p99 / 1e6, (double)p->max / 1e6,
		p->exact ? "true" : "false");
}

static void jrows(FILE *f, const char *key, const struct traffic *tr, bool endpoints, bool by_findings, uint32_t top)
{
	uint32_t n;
	struct tr_row *rows = tr_rows(tr, endpoints, by_findings, top, &n);
	fprintf(f, ",\"%s\":[", key);
	for (uint32_t i = 0; rows && i < n; i++) {
		const struct tr_row *r = &rows[i];
		fputs(i ? ",{\"name\":" : "{\"name\":", f);
		json_str(f, r->name, strlen(r->name));
		fprintf(f, ",\"requests\":%" PRIu64 ",\"4xx\":%" PRIu64 ",\"5xx\":%" PRIu64 ",\"error_rate\":%.6f,\"findings\":%" PRIu64,
			r->requests, r->c4xx, r->c5xx, r->requests ? (double)(r->c4xx + r->c5xx) / (double)r->requests : 0,
			r->findings);
		if (endpoints) {
			fputs(",\"latency\":{", f);
			jlat(f, "first_byte", &r->first);
			putc(',', f);
			jlat(f, "last_byte", &r->last);
			putc('}', f);
		}
		putc('}', f);
	}
	putc(']', f);
	free(rows);
}

void out_jsonl_traffic(FILE *f, const struct wl_stats *st, const struct traffic *tr, const struct redir_table *rd,
		       uint32_t top)
{
	(void)st;
	jrows(f, "hosts", tr, false, false, 0);
	jrows(f, "endpoints", tr, true, false, 0);
	jrows(f, "top_endpoints_by_requests", tr, true, false, top);
	jrows(f, "top_endpoints_by_findings", tr, true, true, top);
	struct tr_pct first, last;
	tr_overall(tr, &first, &last);
	fputs(",\"latency\":{", f);
	jlat(f, "first_byte", &first);
	putc(',', f);
	jlat(f, "last_byte", &last);
	putc('}', f);
	fputs(",\"redirect_chains\":[", f);
	for (uint32_t i = 0; rd && i < rd->nchains; i++) {
		const struct redir_chain *c = &rd->chains[i];
		fputs(i ? ",{\"client\":" : "{\"client\":", f);
		json_str(f, c->client, strlen(c->client));
		fputs(",\"urls\":[", f);
		for (int k = 0; k < c->n; k++) {
			if (k)
				putc(',', f);
			json_str(f, c->urls[k], strlen(c->urls[k]));
		}
		fprintf(f, "],\"redirects\":%d,\"final_status\":", c->n - 1);
		if (c->final_status)
			fprintf(f, "%d", c->final_status);
		else
			fputs("null", f);
		fprintf(f, ",\"loop\":%s}", c->loop ? "true" : "false");
	}
	putc(']', f);
}
