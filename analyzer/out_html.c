/* out_html.c: --report FILE.html: one self-contained page with charts drawn as inline SVG. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "output.h"
#include "wltime.h"

/* Rows of the findings table; more are counted, not listed. */
#define HTML_MAX_ROWS 5000


static const char *const class_name[6] = { "other", "1xx", "2xx", "3xx", "4xx", "5xx" };

static const char css[] =
	"body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#1d2330;margin:0;background:#f6f7f9}"
	"main{max-width:1100px;margin:0 auto;padding:24px}"
	"h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px}"
	".sub{color:#5b6475;margin:0 0 16px}"
	".cards{display:flex;gap:12px;flex-wrap:wrap}"
	".card{background:#fff;border:1px solid #dde1e8;border-radius:8px;padding:10px 14px;min-width:120px}"
	".card b{display:block;font-size:20px}"
	"section{background:#fff;border:1px solid #dde1e8;border-radius:8px;padding:12px 16px;margin-top:16px;"
	"break-inside:avoid}"
	"svg{display:block;max-width:100%;height:auto}svg text{font-size:11px;fill:#3a4150}"
	".c1xx{fill:#8e9aaf}.c2xx{fill:#3b9b5f}.c3xx{fill:#3f7fd1}.c4xx{fill:#e0a526}.c5xx{fill:#d1493f}"
	".cother{fill:#6d6d6d}.bar{fill:#4f6fb3}.err{fill:#d1493f}.warn{fill:#e0a526}.info{fill:#3f7fd1}"
	"table{border-collapse:collapse;width:100%;font-size:13px}"
	"th,td{text-align:left;padding:4px 6px;border-bottom:1px solid #eceef2;vertical-align:top}"
	"th{background:#f0f2f5}td.num{text-align:right;font-variant-numeric:tabular-nums}"
	".sev-error{color:#b3261e;font-weight:600}.sev-warning{color:#9a6700}.sev-info{color:#2f5fae}"
	".filters{margin:6px 0 10px;display:flex;gap:10px;flex-wrap:wrap}"
	".legend span{display:inline-block;margin-right:12px}.legend i{display:inline-block;width:10px;height:10px;"
	"margin-right:4px;vertical-align:middle}"
	"i.c1xx{background:#8e9aaf}i.c2xx{background:#3b9b5f}i.c3xx{background:#3f7fd1}i.c4xx{background:#e0a526}"
	"i.c5xx{background:#d1493f}i.cother{background:#6d6d6d}"
	"code{font-size:12px;word-break:break-all}"
	"@media print{body{background:#fff}.filters{display:none}section{border:none;padding:0}main{padding:0}}";

/* Bars: one per (label, value), as horizontal bars; cls is the class of each bar (or NULL for "bar"). */
static void hbars(FILE *f, const char *id, const char *const *labels, const uint64_t *values, const char *const *cls,
		  int n)
{
	uint64_t max = 1;
	for (int i = 0; i < n; i++)
		if (values[i] > max)
			max = values[i];
	int row = 20, width = 1000, left = 260, h = n * row + 8;
	fprintf(f, "<svg id=\"%s\" viewBox=\"0 0 %d %d\" role=\"img\">", id, width, h);
	for (int i = 0; i < n; i++) {
		double w = (double)(width - left - 80) * (double)values[i] / (double)max;
		int y = i * row + 4;
		fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">", left - 6, y + 12);
		xml_str(f, labels[i]);
		fprintf(f, "</text><rect class=\"%s\" x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" data-label=\"", cls ? cls[i] : "bar",
			left, y, w < 1 && values[i] ? 1 : w, row - 6);
		xml_str(f, labels[i]);
		fprintf(f, "\" data-count=\"%" PRIu64 "\"><title>", values[i]);
		xml_str(f, labels[i]);
		fprintf(f, ": %" PRIu64 "</title></rect><text x=\"%.1f\" y=\"%d\">%" PRIu64 "</text>", values[i], left + w + 6,
			y + 12, values[i]);
	}
	fputs("</svg>\n", f);
}

/* Responses per status class over time: stacked columns, at most 120. */
static void timeline(FILE *f, const struct traffic *tr)
{
	if (!tr->nbins) {
		fputs("<p>No responses.</p>\n", f);
		return;
	}
	uint32_t per = (tr->nbins + 119) / 120, cols = (tr->nbins + per - 1) / per;
	uint64_t sums[120][6] = { { 0 } }, max = 1;
	for (uint32_t b = 0; b < tr->nbins; b++)
		for (int c = 0; c < 6; c++)
			sums[b / per][c] += tr->series[b][c];
	for (uint32_t i = 0; i < cols; i++) {
		uint64_t t = 0;
		for (int c = 0; c < 6; c++)
			t += sums[i][c];
		if (t > max)
			max = t;
	}
	int width = 1000, height = 220, left = 50, bottom = 30, plot = height - bottom - 10;
	double cw = (double)(width - left - 10) / cols;
	uint64_t span = (uint64_t)per * tr->bin_s;
	fprintf(f, "<svg id=\"chart-timeline\" viewBox=\"0 0 %d %d\" role=\"img\" data-seconds-per-column=\"%" PRIu64 "\">",
		width, height, span);
	fprintf(f, "<text x=\"%d\" y=\"14\" text-anchor=\"end\">%" PRIu64 "</text><text x=\"%d\" y=\"%d\" text-anchor=\"end\">0</text>",
		left - 6, max, left - 6, height - bottom);
	for (uint32_t i = 0; i < cols; i++) {
		double y = height - bottom;
		for (int c = 1; c <= 6; c++) {
			int k = c % 6; /* 1xx..5xx, then other */
			if (!sums[i][k])
				continue;
			double hgt = (double)plot * (double)sums[i][k] / (double)max;
			y -= hgt;
			fprintf(f, "<rect class=\"c%s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" data-class=\"%s\" "
				   "data-count=\"%" PRIu64 "\"><title>%s: %" PRIu64 " (%" PRIu64 " s from the start)</title></rect>",
				class_name[k], left + i * cw, y, cw > 2 ? cw - 1 : cw, hgt, class_name[k], sums[i][k],
				class_name[k], sums[i][k], (uint64_t)i * span);
		}
	}
	fprintf(f, "<text x=\"%d\" y=\"%d\">0 s</text><text x=\"%d\" y=\"%d\" text-anchor=\"end\">%" PRIu64 " s</text>", left,
		height - 10, width - 10, height - 10, (uint64_t)cols * span);
	fputs("</svg><p class=\"legend\">", f);
	for (int c = 1; c <= 6; c++)
		fprintf(f, "<span><i class=\"c%s\"></i>%s</span>", class_name[c % 6],
			class_name[c % 6]);
	fputs("</p>\n", f);
}

/* The latency histogram: first-byte latencies in log-spaced buckets. */
static void latency_histogram(FILE *f, const struct traffic *tr)
{
	static const uint32_t edges[] = { 100, 300, 1000, 3000, 10000, 30000, 100000, 300000, 1000000, 3000000 };
	static const char *const names[] = { "< 0.1 ms", "0.1-0.3 ms", "0.3-1 ms", "1-3 ms", "3-10 ms", "10-30 ms",
					     "30-100 ms", "0.1-0.3 s", "0.3-1 s", "1-3 s", "3 s or more" };
	uint64_t n[11] = { 0 };
	for (uint32_t i = 0; i < tr->first.n; i++) {
		int b = 0;
		while (b < 10 && tr->first.v[i] >= edges[b])
			b++;
		n[b]++;
	}
	hbars(f, "chart-latency", names, n, NULL, 11);
}

void out_html_write(FILE *f, const struct report *rep, const struct wl_stats *st, const struct traffic *tr,
		    const struct redir_table *rd, uint32_t top)
{
	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
	      "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>wirelint report</title><style>",
	      f);
	fputs(css, f);
	/* Script errors are recorded on the page, where a test (or a person
	 * with the developer tools) sees them. */
	fputs("</style><script>window.onerror=function(m){document.documentElement.dataset.jsErrors="
	      "(document.documentElement.dataset.jsErrors||'')+m+';';};</script></head><body><main>\n"
	      "<h1>wirelint report</h1><p class=\"sub\">",
	      f);
	for (int i = 0; i < rep->nfiles; i++) {
		char a[40], b[40];
		wltime_iso(a, sizeof a, &rep->files[i].first);
		wltime_iso(b, sizeof b, &rep->files[i].last);
		fputs(i ? "<br>" : "", f);
		xml_str(f, rep->files[i].name);
		fprintf(f, ": %" PRIu64 " packets, %s to %s", rep->files[i].packets, a, b);
	}
	fputs(" &middot; wirelint " WIRELINT_VERSION "</p>\n<div class=\"cards\">", f);
	fprintf(f, "<div class=\"card\">transactions<b>%" PRIu64 "</b></div>", st->transactions);
	fprintf(f, "<div class=\"card\">findings<b>%" PRIu64 "</b></div>", st->findings);
	fprintf(f, "<div class=\"card\">errors<b class=\"sev-error\">%" PRIu64 "</b></div>", st->by_severity[SEV_ERROR]);
	fprintf(f, "<div class=\"card\">warnings<b class=\"sev-warning\">%" PRIu64 "</b></div>", st->by_severity[SEV_WARNING]);
	fprintf(f, "<div class=\"card\">connections<b>%" PRIu64 "</b></div>", st->http_connections);
	uint64_t err = st->status_class[4] + st->status_class[5], all = 0;
	for (int i = 0; i < 6; i++)
		all += st->status_class[i];
	fprintf(f, "<div class=\"card\">4xx + 5xx<b>%.1f%%</b></div></div>\n", all ? 100.0 * (double)err / (double)all : 0);

	fputs("<section><h2>Responses per status class over time</h2>", f);
	timeline(f, tr);
	fputs("</section>\n<section><h2>Status codes</h2>", f);
	{
		const char *labels[1000];
		char names[1000][8];
		uint64_t v[1000];
		const char *cls[1000];
		int n = 0;
		for (int i = 0; i < 1000; i++)
			if (st->status[i]) {
				snprintf(names[n], sizeof names[n], "%d", i);
				labels[n] = names[n];
				v[n] = st->status[i];
				cls[n] = i >= 100 && i < 600 ? (const char *[]){ "c1xx", "c2xx", "c3xx", "c4xx", "c5xx" }[i / 100 - 1]
							     : "cother";
				n++;
			}
		if (n)
			hbars(f, "chart-status", labels, v, cls, n);
		else
			fputs("<p>No responses.</p>", f);
	}
	fputs("</section>\n<section><h2>Latency</h2><p>From the end of the request to the response's first byte.</p>", f);
	latency_histogram(f, tr);
	struct tr_pct first, last;
	tr_overall(tr, &first, &last);
	uint32_t nrows;
	struct tr_row *rows = tr_rows(tr, true, false, top, &nrows);
	fputs("<table id=\"table-latency\"><tr><th>endpoint</th><th>requests</th><th>p50 ms</th><th>p90 ms</th>"
	      "<th>p99 ms</th><th>max ms</th><th>last byte p99 ms</th></tr>",
	      f);
	fprintf(f, "<tr><td><b>all</b></td><td class=\"num\">%" PRIu64 "</td><td class=\"num\">%.3f</td><td class=\"num\">%.3f</td>"
		   "<td class=\"num\">%.3f</td><td class=\"num\">%.3f</td><td class=\"num\">%.3f</td></tr>",
		first.count, first.p50 / 1e3, first.p90 / 1e3, first.p99 / 1e3, first.max / 1e3, last.p99 / 1e3);
	for (uint32_t i = 0; rows && i < nrows; i++) {
		fputs("<tr><td><code>", f);
		xml_str(f, rows[i].name);
		fprintf(f, "</code></td><td class=\"num\">%" PRIu64 "</td>", rows[i].requests);
		if (!rows[i].first.count) {
			/* No request and response seen whole: no latency. */
			fputs("<td class=\"num\">-</td><td class=\"num\">-</td><td class=\"num\">-</td><td class=\"num\">-</td>"
			      "<td class=\"num\">-</td></tr>",
			      f);
			continue;
		}
		fprintf(f, "<td class=\"num\">%.3f</td><td class=\"num\">%.3f</td><td class=\"num\">%.3f</td>"
			   "<td class=\"num\">%.3f</td><td class=\"num\">%.3f</td></tr>",
			rows[i].first.p50 / 1e3, rows[i].first.p90 / 1e3, rows[i].first.p99 / 1e3, rows[i].first.max / 1e3,
			rows[i].last.p99 / 1e3);
	}
	fputs("</table></section>\n", f);
	free(rows);

	fputs("<section><h2>Findings per rule</h2>", f);
	{
		int n = 0;
		const char **labels = calloc((size_t)rule_count + 1, sizeof *labels);
		const char **cls = calloc((size_t)rule_count + 1, sizeof *cls);
		uint64_t *v = calloc((size_t)rule_count + 1, sizeof *v);
		for (int i = 0; labels && cls && v && i < rule_count; i++)
			if (st->by_rule[i]) {
				labels[n] = rule_table[i].id;
				v[n] = st->by_rule[i];
				int sev = rule_table[i].sev_override >= 0 ? rule_table[i].sev_override : (int)rule_table[i].sev;
				cls[n] = sev == SEV_ERROR ? "err" : sev == SEV_WARNING ? "warn" : "info";
				n++;
			}
		if (n)
			hbars(f, "chart-rules", labels, v, cls, n);
		else
			fputs("<p>No findings.</p>", f);
		free(labels);
		free(cls);
		free(v);
	}
	fputs("</section>\n<section><h2>Findings</h2><div class=\"filters\"><label>rule <select id=\"f-rule\">"
	      "<option value=\"\">all</option>",
	      f);
	for (int i = 0; i < rule_count; i++)
		if (st->by_rule[i]) {
			fputs("<option>", f);
			xml_str(f, rule_table[i].id);
			fputs("</option>", f);
		}
	fputs("</select></label><label>host <select id=\"f-host\"><option value=\"\">all</option>", f);
	uint32_t nh;
	struct tr_row *hosts = tr_rows(tr, false, false, 0, &nh);
	for (uint32_t i = 0; hosts && i < nh; i++) {
		fputs("<option>", f);
		xml_str(f, hosts[i].name);
		fputs("</option>", f);
	}
	free(hosts);
	fputs("</select></label><span id=\"f-count\"></span></div>\n<table id=\"table-findings\"><thead><tr><th>severity</th>"
	      "<th>rule</th><th>host</th><th>request</th><th>status</th><th>message</th><th>where</th></tr></thead><tbody>",
	      f);
	for (size_t i = 0; i < rep->n && i < HTML_MAX_ROWS; i++) {
		const struct rep_finding *x = &rep->f[i];
		const char *sev = severity_name((enum severity)x->sev);
		fprintf(f, "<tr data-rule=\"%s\" data-host=\"", rule_table[x->rule].id);
		xml_str(f, x->host[0] ? x->host : x->server);
		fprintf(f, "\"><td class=\"sev-%s\">%s</td><td>%s</td><td>", sev, sev, rule_table[x->rule].id);
		xml_str(f, x->host[0] ? x->host : x->server);
		fputs("</td><td><code>", f);
		xml_str(f, x->method[0] ? x->method : "-");
		putc(' ', f);
		xml_str(f, x->uri[0] ? x->uri : "-");
		fputs("</code></td><td>", f);
		if (x->status)
			fprintf(f, "%d", x->status);
		fputs("</td><td>", f);
		xml_str(f, x->msg);
		fputs("</td><td><code>", f);
		xml_str(f, rep->files[x->file].name);
		fprintf(f, ":%" PRIu64 "</code></td></tr>\n", x->frame);
	}
	fputs("</tbody></table>", f);
	if (rep->n > HTML_MAX_ROWS || rep->dropped)
		fprintf(f, "<p>%zu more findings are not listed here; the jsonl output has them all.</p>",
			rep->n - (rep->n > HTML_MAX_ROWS ? HTML_MAX_ROWS : rep->n) + (size_t)rep->dropped);
	fputs("</section>\n<section><h2>Redirect chains</h2>", f);
	if (!rd || !rd->nchains) {
		fputs("<p>No redirect chains.</p>", f);
	} else {
		fputs("<table id=\"table-chains\"><tr><th>client</th><th>redirects</th><th>URLs</th><th>end</th></tr>", f);
		for (uint32_t i = 0; i < rd->nchains; i++) {
			const struct redir_chain *c = &rd->chains[i];
			fputs("<tr><td>", f);
			xml_str(f, c->client);
			fprintf(f, "</td><td class=\"num\">%d</td><td><code>", c->n - 1);
			for (int k = 0; k < c->n; k++) {
				if (k)
					fputs(" &rarr; ", f);
				xml_str(f, c->urls[k]);
			}
			fputs("</code></td><td>", f);
			if (c->loop)
				fputs("<span class=\"sev-warning\">loop</span>", f);
			else if (c->final_status)
				fprintf(f, "%d", c->final_status);
			else
				fputs("not followed", f);
			fputs("</td></tr>\n", f);
		}
		fputs("</table>", f);
	}
	/* Filtering without a network: a few lines of script, inline. */
	fputs("</section>\n</main><script>\n"
	      "(function(){var r=document.getElementById('f-rule'),h=document.getElementById('f-host'),"
	      "c=document.getElementById('f-count'),rows=document.querySelectorAll('#table-findings tbody tr');"
	      "function apply(){var n=0;rows.forEach(function(tr){var ok=(!r.value||tr.dataset.rule===r.value)&&"
	      "(!h.value||tr.dataset.host===h.value);tr.style.display=ok?'':'none';if(ok)n++;});"
	      "c.textContent=n+' shown';}r.addEventListener('change',apply);h.addEventListener('change',apply);apply();})();\n"
	      "</script></body></html>\n",
	      f);
}
