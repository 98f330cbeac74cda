/* out_sarif.c: the run as one SARIF 2.1.0 log, for GitHub code scanning and other SARIF viewers. */
#include <ctype.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "json.h"
#include "output.h"
#include "wltime.h"

static void jstr(FILE *f, const char *s)
{
	json_str(f, s, strlen(s));
}

static const char *level_of(int sev)
{
	return sev == SEV_ERROR ? "error" : sev == SEV_WARNING ? "warning" : "note";
}

/* A rule id as a name: missing-location is MissingLocation. */
static void pascal(FILE *f, const char *id)
{
	putc('"', f);
	bool up = true;
	for (const char *p = id; *p; p++) {
		if (*p == '-') {
			up = true;
			continue;
		}
		putc(up ? toupper((unsigned char)*p) : *p, f);
		up = false;
	}
	putc('"', f);
}

/*
 * The file's URI as SARIF wants it: relative to the working directory when
 * it is inside it (so a viewer finds it in the checkout), a file: URI when
 * it is elsewhere; characters outside RFC 3986's unreserved set and '/'
 * percent-encoded.
 */
static void artifact_uri(FILE *f, const char *path)
{
	char cwd[4096];
	const char *p = path;
	bool abs = path[0] == '/';
	if (abs && getcwd(cwd, sizeof cwd)) {
		size_t cl = strlen(cwd);
		if (strncmp(path, cwd, cl) == 0 && path[cl] == '/') {
			p = path + cl + 1;
			abs = false;
		}
	}
	while (!abs && p[0] == '.' && p[1] == '/')
		p += 2;
	putc('"', f);
	if (abs)
		fputs("file://", f);
	for (; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (isalnum(c) || strchr("-._~/", c))
			putc(c, f);
		else
			fprintf(f, "%%%02X", c);
	}
	putc('"', f);
}

static void rule_entry(FILE *f, const struct rule_def *r, bool first)
{
	int sev = r->sev_override >= 0 ? r->sev_override : (int)r->sev;
	fputs(first ? "\n        " : ",\n        ", f);
	fputs("{\"id\":", f);
	jstr(f, r->id);
	fputs(",\"name\":", f);
	pascal(f, r->id);
	fputs(",\"shortDescription\":{\"text\":", f);
	jstr(f, r->summary);
	fputs("},\"fullDescription\":{\"text\":", f);
	char full[1024];
	snprintf(full, sizeof full, "%s%s%s", r->summary, r->ref[0] ? ". Reference: " : "", r->ref);
	jstr(f, full);
	fputs("},\"helpUri\":", f);
	char uri[512];
	/* A user's rule has no page of wirelint's. */
	if (strcmp(r->origin, "built-in") == 0)
		snprintf(uri, sizeof uri, "%s%s.md", WIRELINT_DOCS_URL, r->id);
	else
		snprintf(uri, sizeof uri, "%s", WIRELINT_HOME_URL);
	jstr(f, uri);
	/* GitHub code scanning requires help: the rule's page, as built in. */
	fputs(",\"help\":{\"text\":", f);
	char text[sizeof full + sizeof uri + 8]; /* ". See ", whole */
	snprintf(text, sizeof text, "%s. See %s", full, uri);
	jstr(f, text);
	const char *page = strcmp(r->origin, "built-in") == 0 ? config_rule_page(r->id) : NULL;
	if (page) {
		/* Without its front matter. */
		if (strncmp(page, "---\n", 4) == 0) {
			const char *end = strstr(page + 4, "\n---\n");
			if (end)
				page = end + 5;
		}
		fputs(",\"markdown\":", f);
		jstr(f, page);
	}
	putc('}', f);
	fprintf(f, ",\"defaultConfiguration\":{\"level\":\"%s\"}", level_of(sev));
	fputs(",\"properties\":{\"origin\":", f);
	jstr(f, r->origin);
	fprintf(f, ",\"needsRequest\":%s}}", r->needs_request ? "true" : "false");
}

static void result(FILE *f, const struct report *rep, const struct rep_finding *x, const int *rule_index,
		   bool first)
{
	const struct rule_def *r = &rule_table[x->rule];
	fputs(first ? "\n        " : ",\n        ", f);
	fputs("{\"ruleId\":", f);
	jstr(f, r->id);
	fprintf(f, ",\"ruleIndex\":%d,\"level\":\"%s\",\"message\":{\"text\":", rule_index[x->rule], level_of(x->sev));
	jstr(f, x->msg);
	fputs("},\"locations\":[{\"physicalLocation\":{\"artifactLocation\":{\"uri\":", f);
	artifact_uri(f, rep->files[x->file].name);
	fprintf(f, ",\"index\":%d}", x->file);
	/* GitHub wants a line; the bytes are the packet record where the
	 * response starts (for a hex viewer, or editcap). */
	fputs(",\"region\":{\"startLine\":1", f);
	if (x->rec_len)
		fprintf(f, ",\"byteOffset\":%" PRIu64 ",\"byteLength\":%" PRIu32, x->rec_off, x->rec_len);
	fputs("}},\"logicalLocations\":[{\"name\":", f);
	char name[600], fq[800];
	snprintf(name, sizeof name, "%s %s", x->method[0] ? x->method : "-", x->uri[0] ? x->uri : "-");
	snprintf(fq, sizeof fq, "%s -> %s %s", x->client, x->server, name);
	jstr(f, name);
	fputs(",\"fullyQualifiedName\":", f);
	jstr(f, fq);
	fputs(",\"kind\":\"resource\"}]}]", f);
	fprintf(f, ",\"partialFingerprints\":{\"primaryLocationLineHash\":\"%s:1\"}", x->fp);
	char ts[40];
	wltime_iso(ts, sizeof ts, &x->ts);
	fputs(",\"properties\":{\"client\":", f);
	jstr(f, x->client);
	fputs(",\"server\":", f);
	jstr(f, x->server);
	fputs(",\"host\":", f);
	jstr(f, x->host);
	fputs(",\"method\":", f);
	jstr(f, x->method);
	fputs(",\"uri\":", f);
	jstr(f, x->uri);
	if (x->status)
		fprintf(f, ",\"status\":%d", x->status);
	fprintf(f, ",\"time\":\"%s\",\"frame\":%" PRIu64 ",\"connection\":%" PRIu64 ",\"communityId\":", ts, x->frame,
		x->conn_id);
	jstr(f, x->community_id);
	fputs("}}", f);
}

void out_sarif_write(FILE *f, const struct report *rep, const struct wl_stats *st, int errors)
{
	/* Rules that ran, in table order; results point at them by index. */
	int *rule_index = calloc((size_t)rule_count + 1, sizeof *rule_index);
	fputs("{\n  \"$schema\": \"https://json.schemastore.org/sarif-2.1.0.json\",\n  \"version\": \"2.1.0\",\n"
	      "  \"runs\": [\n    {\n      \"tool\": {\"driver\": {\"name\": \"wirelint\", \"version\": \"" WIRELINT_VERSION
	      "\", \"semanticVersion\": \"" WIRELINT_VERSION "\", \"informationUri\": \"" WIRELINT_HOME_URL "\", \"rules\": [",
	      f);
	int k = 0;
	for (int i = 0; i < rule_count; i++) {
		if (!rule_table[i].enabled)
			continue;
		if (rule_index)
			rule_index[i] = k;
		rule_entry(f, &rule_table[i], k == 0);
		k++;
	}
	fputs("\n      ]}},\n      \"artifacts\": [", f);
	for (int i = 0; i < rep->nfiles; i++) {
		fputs(i ? ",\n        {\"location\":{\"uri\":" : "\n        {\"location\":{\"uri\":", f);
		artifact_uri(f, rep->files[i].name);
		fputs("},\"roles\":[\"analysisTarget\"]}", f);
	}
	fprintf(f, "\n      ],\n      \"invocations\": [{\"executionSuccessful\": %s",
		errors ? "false" : "true");
	/* What stopped a file early, as notifications. */
	bool any = false;
	for (int i = 0; i < rep->nfiles; i++) {
		if (!rep->files[i].error)
			continue;
		fputs(any ? ",{\"level\":\"error\",\"message\":{\"text\":" : ", \"toolExecutionNotifications\": [{\"level\":\"error\",\"message\":{\"text\":", f);
		char m[1200];
		snprintf(m, sizeof m, "%s: %s", rep->files[i].name, rep->files[i].error);
		jstr(f, m);
		fputs("}}", f);
		any = true;
	}
	if (any)
		putc(']', f);
	fputs("}],\n      \"results\": [", f);
	for (size_t i = 0; i < rep->n; i++)
		result(f, rep, &rep->f[i], rule_index, i == 0);
	fprintf(f, "\n      ],\n      \"properties\": {\"transactions\": %" PRIu64 ", \"findings\": %" PRIu64
		   ", \"findingsNotInReport\": %" PRIu64 ", \"baselineSuppressed\": %" PRIu64
		   ", \"baselineUnmatched\": %" PRIu64 "}\n    }\n  ]\n}\n",
		st->transactions, st->findings, rep->dropped, st->baseline_suppressed, st->baseline_unmatched);
	free(rule_index);
}
