/* out_junit.c: the run as JUnit XML, for the test reports of GitHub Actions, GitLab and Jenkins. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "output.h"
#include "wltime.h"


/* Capture seconds a file covers: its test suite's time, the same in every run. */
static double span(const struct rep_file *rf)
{
	double d = (double)(rf->last.tv_sec - rf->first.tv_sec) + (double)(rf->last.tv_usec - rf->first.tv_usec) / 1e6;
	return d > 0 ? d : 0;
}

/* One line naming a finding's response, for a failure's text. */
static void finding_line(FILE *f, const struct rep_file *rf, const struct rep_finding *x)
{
	char ts[40];
	wltime_iso(ts, sizeof ts, &x->ts);
	fprintf(f, "%s:%" PRIu64 ": %s %s -> %s \"%s %s\" ", rf->name, x->frame, ts, x->client, x->server,
		x->method[0] ? x->method : "-", x->uri[0] ? x->uri : "-");
	if (x->status)
		fprintf(f, "%d", x->status);
	else
		putc('-', f);
	fprintf(f, ": %s: %s\n", severity_name((enum severity)x->sev), x->msg);
}

void out_junit_write(FILE *out, const struct report *rep, const struct wl_stats *st, int fail_on)
{
	int nrules = 0;
	for (int i = 0; i < rule_count; i++)
		nrules += rule_table[i].enabled;
	/* Per file and rule: findings, and those at or above --fail-on. */
	size_t cells = (size_t)(rep->nfiles ? rep->nfiles : 1) * (size_t)rule_count;
	uint32_t *all = calloc(cells, sizeof *all), *failing = calloc(cells, sizeof *failing);
	if (!all || !failing) {
		free(all);
		free(failing);
		fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"wirelint\" tests=\"0\" failures=\"0\" errors=\"1\"/>\n",
		      out);
		return;
	}
	for (size_t i = 0; i < rep->n; i++) {
		size_t c = (size_t)rep->f[i].file * (size_t)rule_count + rep->f[i].rule;
		all[c]++;
		if (fail_on >= 0 && rep->f[i].sev >= fail_on)
			failing[c]++;
	}
	int tests = 0, failures = 0, errors = 0;
	double time = 0;
	for (int fi = 0; fi < rep->nfiles; fi++) {
		tests += nrules;
		errors += rep->files[fi].error != NULL;
		time += span(&rep->files[fi]);
		for (int r = 0; r < rule_count; r++)
			failures += rule_table[r].enabled && failing[(size_t)fi * (size_t)rule_count + (size_t)r] > 0;
	}
	fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		     "<testsuites name=\"wirelint\" tests=\"%d\" failures=\"%d\" errors=\"%d\" time=\"%.6f\">\n",
		tests, failures, errors, time);
	for (int fi = 0; fi < rep->nfiles; fi++) {
		const struct rep_file *rf = &rep->files[fi];
		int sf = 0;
		for (int r = 0; r < rule_count; r++)
			sf += rule_table[r].enabled && failing[(size_t)fi * (size_t)rule_count + (size_t)r] > 0;
		char ts[40];
		wltime_iso(ts, sizeof ts, &rf->first);
		fputs("  <testsuite name=\"", out);
		xml_str(out, rf->name);
		fprintf(out, "\" tests=\"%d\" failures=\"%d\" errors=\"%d\" skipped=\"0\" time=\"%.6f\" timestamp=\"%.19s\">\n",
			nrules, sf, rf->error != NULL, span(rf), ts);
		fprintf(out, "    <properties><property name=\"packets\" value=\"%" PRIu64 "\"/></properties>\n",
			rf->packets);
		if (rf->error) {
			/* A file that could not be read whole: what came before the
			 * damage is judged, and the damage is an error of the suite. */
			fputs("    <testcase classname=\"", out);
			xml_str(out, rf->name);
			fputs("\" name=\"reading the capture\" time=\"0\"><error message=\"", out);
			xml_str(out, rf->error);
			fputs("\"/></testcase>\n", out);
		}
		for (int r = 0; r < rule_count; r++) {
			if (!rule_table[r].enabled)
				continue;
			size_t c = (size_t)fi * (size_t)rule_count + (size_t)r;
			/* classname: the file, name: the rule; together unique, as GitLab needs. */
			fputs("    <testcase classname=\"", out);
			xml_str(out, rf->name);
			fputs("\" name=\"", out);
			xml_str(out, rule_table[r].id);
			fputs("\" time=\"0\"", out);
			if (!all[c]) {
				fputs("/>\n", out);
				continue;
			}
			fputs(">\n", out);
			/* Findings at or above --fail-on fail the case; lower ones are
			 * listed as output. */
			for (int pass = 0; pass < 2; pass++) {
				uint32_t n = pass == 0 ? failing[c] : all[c] - failing[c];
				if (!n)
					continue;
				if (pass == 0)
					fprintf(out, "      <failure type=\"%s\" message=\"%" PRIu32 " response%s broke %s\">",
						rule_table[r].id, n, n == 1 ? "" : "s", rule_table[r].id);
				else
					fputs("      <system-out>", out);
				for (size_t i = 0; i < rep->n; i++) {
					const struct rep_finding *x = &rep->f[i];
					bool fails = fail_on >= 0 && x->sev >= fail_on;
					if (x->file != fi || x->rule != r || fails != (pass == 0))
						continue;
					char line[2048];
					FILE *m = fmemopen(line, sizeof line, "w");
					if (!m)
						continue;
					finding_line(m, rf, x);
					fclose(m);
					line[sizeof line - 1] = 0;
					xml_str(out, line);
				}
				fputs(pass == 0 ? "</failure>\n" : "</system-out>\n", out);
			}
			fputs("    </testcase>\n", out);
		}
		fputs("  </testsuite>\n", out);
	}
	if (rep->dropped || st->after_max_findings)
		fprintf(out, "  <!-- %" PRIu64 " findings are not in this report (its cap), %" PRIu64
			     " transactions not written after the max-findings limit -->\n",
			rep->dropped, st->after_max_findings);
	fputs("</testsuites>\n", out);
	free(all);
	free(failing);
}
