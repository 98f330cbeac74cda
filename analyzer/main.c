/* main.c: wirelint: lint the HTTP responses in captured traffic. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>
#include <stdio.h>
#include <string.h>

#include "capture.h"
#include "cli.h"
#include "config.h"
#include "engine.h"
#include "inputs.h"
#include "live.h"
#include "json.h"
#include "output.h"
#include "rule.h"
#include "rules_file.h"

static volatile int stop_requested;

static void on_signal(int sig)
{
	stop_requested = sig;
}

static void list_rules_jsonl(FILE *f)
{
	for (int i = 0; i < rule_count; i++) {
		const struct rule_def *r = &rule_table[i];
		int sev = r->sev_override >= 0 ? r->sev_override : (int)r->sev;
		fputs("{\"type\":\"rule\",\"id\":", f);
		json_str(f, r->id, strlen(r->id));
		fprintf(f, ",\"severity\":\"%s\",\"enabled\":%s,\"needs_request\":%s,\"summary\":",
			severity_name((enum severity)sev), r->enabled ? "true" : "false", r->needs_request ? "true" : "false");
		json_str(f, r->summary, strlen(r->summary));
		fputs(",\"reference\":", f);
		json_str(f, r->ref, strlen(r->ref));
		fputs(",\"origin\":", f);
		json_str(f, r->origin, strlen(r->origin));
		fputs("}\n", f);
	}
}

static void list_rules(FILE *f)
{
	for (int i = 0; i < rule_count; i++) {
		const struct rule_def *r = &rule_table[i];
		int sev = r->sev_override >= 0 ? r->sev_override : (int)r->sev;
		fprintf(f, "%-28s %-8s %s (%s)%s%s%s\n", r->id, r->enabled ? severity_name((enum severity)sev) : "off",
			r->summary, r->ref[0] ? r->ref : "no reference", strcmp(r->origin, "built-in") ? " [" : "",
			strcmp(r->origin, "built-in") ? r->origin : "", strcmp(r->origin, "built-in") ? "]" : "");
	}
}

static int explain(const char *id)
{
	int i = rule_by_id(id);
	if (i < 0) {
		fprintf(stderr, "wirelint: --explain: no rule '%s' (see --list-rules)\n", id);
		return WL_EXIT_ERROR;
	}
	const char *page = config_rule_page(id);
	if (page) {
		fputs(page, stdout);
	} else {
		const struct rule_def *r = &rule_table[i];
		printf("# %s\n\n%s\n\nSeverity: %s. Reference: %s. Defined in %s.\n", r->id, r->summary,
		       severity_name(r->sev), r->ref[0] ? r->ref : "none", r->origin);
	}
	return WL_EXIT_OK;
}

/* Loads and registers a rules file, keeping it for the run; false after a message. */
static bool add_rules_file(const char *path, struct rules_file ***kept, int *nkept)
{
	char err[1024];
	struct rules_file *rf = rules_file_load(path, err, sizeof err);
	if (!rf || rules_file_register(rf, err, sizeof err) < 0) {
		fprintf(stderr, "wirelint: %s\n", err);
		rules_file_free(rf);
		return false;
	}
	struct rules_file **nk = realloc(*kept, (size_t)(*nkept + 1) * sizeof *nk);
	if (!nk) {
		rules_file_free(rf);
		return false;
	}
	*kept = nk;
	nk[(*nkept)++] = rf;
	return true;
}

static bool choose(char kind, const char *arg, const char *where)
{
	char pattern[256];
	int sev = -1;
	if (kind == 's') {
		if (!config_parse_severity(arg, pattern, sizeof pattern, &sev)) {
			fprintf(stderr, "wirelint: %s--severity: '%s' is not ID=error|warning|info\n", where, arg);
			return false;
		}
	} else {
		snprintf(pattern, sizeof pattern, "%s", arg);
	}
	if (config_apply(kind, pattern, sev) == 0) {
		fprintf(stderr, "wirelint: %s%s: no rule matches '%s' (see --list-rules)\n", where,
			kind == 'e' ? "--enable" : kind == 'd' ? "--disable" : "--severity", pattern);
		return false;
	}
	return true;
}

/*
 * The rules of this run: the C rules, the built-in rules file, the config
 * file's rules files, then --rules; then the config's choices, then the
 * options'.  Any error stops the run before anything is analysed.
 */
static bool setup_rules(const struct cli_opts *o, struct rules_file ***kept, int *nkept)
{
	char err[1024];
	rules_init();
	if (rules_load_builtin(err, sizeof err) < 0) {
		fprintf(stderr, "wirelint: built-in rules: %s\n", err);
		return false;
	}
	struct config cfg = { 0 };
	const char *cfg_path = o->config;
	if (!cfg_path && access(".wirelint.yaml", F_OK) == 0)
		cfg_path = ".wirelint.yaml";
	if (cfg_path && !config_load(&cfg, cfg_path, err, sizeof err)) {
		fprintf(stderr, "wirelint: %s\n", err);
		config_free(&cfg);
		return false;
	}
	bool ok = true;
	for (int i = 0; ok && i < cfg.nrules_files; i++) {
		/* Relative to the config file's folder. */
		char path[4096];
		const char *slash = cfg_path ? strrchr(cfg_path, '/') : NULL;
		if (cfg.rules_files[i][0] != '/' && slash)
			snprintf(path, sizeof path, "%.*s/%s", (int)(slash - cfg_path), cfg_path, cfg.rules_files[i]);
		else
			snprintf(path, sizeof path, "%s", cfg.rules_files[i]);
		ok = add_rules_file(path, kept, nkept);
	}
	for (int i = 0; ok && i < o->nrules_files; i++)
		ok = add_rules_file(o->rules_files[i], kept, nkept);
	char where[300];
	snprintf(where, sizeof where, "%s: ", cfg_path ? cfg_path : "");
	for (int i = 0; ok && i < cfg.nenable; i++)
		ok = choose('e', cfg.enable[i], where);
	for (int i = 0; ok && i < cfg.ndisable; i++)
		ok = choose('d', cfg.disable[i], where);
	for (int i = 0; ok && i < cfg.nsev; i++) {
		char spec[512];
		snprintf(spec, sizeof spec, "%s=%s", cfg.sev_pattern[i], severity_name((enum severity)cfg.sev_level[i]));
		ok = choose('s', spec, where);
	}
	for (int i = 0; ok && i < o->nchoices; i++)
		ok = choose(o->choice_kind[i], o->choice_arg[i], "");
	config_free(&cfg);
	return ok;
}

int main(int argc, char **argv)
{
	struct cli_opts o;
	switch (cli_parse(argc, argv, &o)) {
	case CLI_DONE:
		cli_free(&o);
		return WL_EXIT_OK;
	case CLI_USAGE:
		cli_free(&o);
		return WL_EXIT_ERROR;
	case CLI_RUN:
		break;
	}
	if (o.list_ifaces) {
		bool ok = live_list(stdout);
		cli_free(&o);
		return ok ? WL_EXIT_OK : WL_EXIT_ERROR;
	}
	struct rules_file **kept = NULL;
	int nkept = 0;
	if (!setup_rules(&o, &kept, &nkept)) {
		for (int i = 0; i < nkept; i++)
			rules_file_free(kept[i]);
		free(kept);
		cli_free(&o);
		return WL_EXIT_ERROR;
	}
	if (o.list_rules || o.explain) {
		int rc = WL_EXIT_OK;
		if (o.explain)
			rc = explain(o.explain);
		else if (o.fmt == OUT_JSONL)
			list_rules_jsonl(stdout);
		else
			list_rules(stdout);
		for (int i = 0; i < nkept; i++)
			rules_file_free(kept[i]);
		free(kept);
		cli_free(&o);
		return rc;
	}

	/* The inputs: directories searched, everything sorted. */
	struct inputs in = { 0 };
	char ierr[512];
	if (!inputs_expand(&in, o.files, o.nfiles, ierr, sizeof ierr)) {
		fprintf(stderr, "wirelint: %s\n", ierr);
		inputs_free(&in);
		cli_free(&o);
		return WL_EXIT_ERROR;
	}
	/* Baselines: the one to suppress with is read before anything else. */
	static struct baseline accepted, record;
	bl_init(&accepted, WL_MAX_BASELINE_ENTRIES);
	bl_init(&record, WL_MAX_BASELINE_ENTRIES);
	if (o.baseline && !bl_load(&accepted, o.baseline, ierr, sizeof ierr)) {
		fprintf(stderr, "wirelint: --baseline: %s\n", ierr);
		bl_free(&accepted);
		inputs_free(&in);
		cli_free(&o);
		return WL_EXIT_ERROR;
	}
	static struct report rep;
	rep_init(&rep, WL_MAX_REPORT_FINDINGS);
	/* -w: checked now, so that a bad path stops the run before capture. */
	static struct evidence ev;
	if (o.evidence && !ev_open(&ev, o.evidence, o.snaplen, ierr, sizeof ierr)) {
		fprintf(stderr, "wirelint: -w %s\n", ierr);
		bl_free(&accepted);
		rep_free(&rep);
		inputs_free(&in);
		cli_free(&o);
		return WL_EXIT_ERROR;
	}
	struct out out = { stdout, o.fmt, o.quiet, o.fail_on, &rep };
	if (o.outfile && strcmp(o.outfile, "-") != 0) {
		out.f = fopen(o.outfile, "w");
		if (!out.f) {
			fprintf(stderr, "wirelint: %s: cannot write: %s\n", o.outfile, strerror(errno));
			cli_free(&o);
			return WL_EXIT_ERROR;
		}
	}

	/* Into a pipe or onto a terminal, every line goes out as it is
	 * written (wirelint --format jsonl | jq); into a file, findings are
	 * flushed as they come. */
	struct stat sb;
	if (isatty(fileno(out.f)) || (fstat(fileno(out.f), &sb) == 0 && S_ISFIFO(sb.st_mode)))
		setvbuf(out.f, NULL, _IOLBF, 0);

	/* SIGINT and SIGTERM stop reading; what was read is flushed, judged
	 * and summarised as at the end of a file. */
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	static struct engine e;
	engine_init(&e, &o.lim, &out);
	e.stop = &stop_requested;
	e.verify_checksums = o.verify_checksums;
	e.accepted = o.baseline ? &accepted : NULL;
	e.record = o.write_baseline ? &record : NULL;
	e.max_findings = o.max_findings;
	e.evidence = o.evidence ? &ev : NULL;
	int status = WL_EXIT_OK, errors = 0;
	size_t read = 0;
	const char *names[1] = { o.iface };
	if (o.iface) {
		/* Live: the same pipeline, transactions written as they finish. */
		struct live_opts lo = { o.iface, o.filter, o.snaplen, !o.no_promisc, o.buffer_kib, o.count, o.duration_s,
					o.stats_interval >= 0 ? (uint32_t)o.stats_interval : (isatty(2) ? 5u : 0u),
					o.user };
		char err[600];
		e.live = true;
		engine_begin_file(&e, o.iface);
		rep_begin_file(&rep, o.iface);
		bool capturing;
		bool ok = live_run(&e, &lo, &capturing, err, sizeof err);
		if (!capturing) {
			/* Nothing was read: the error alone, as tcpdump does. */
			fprintf(stderr, "wirelint: %s\n", err);
			engine_free(&e);
			rep_free(&rep);
			bl_free(&accepted);
			if (o.evidence) {
				ev_close(&ev, err, sizeof err);
				unlink(o.evidence);
			}
			if (out.f != stdout)
				fclose(out.f);
			inputs_free(&in);
			for (int i = 0; i < nkept; i++)
				rules_file_free(kept[i]);
			free(kept);
			cli_free(&o);
			return WL_EXIT_ERROR;
		}
		engine_end_file(&e);
		rep_end_file(&rep, &e.file_first, &e.file_last, e.frame, ok ? NULL : err);
		if (!ok) {
			fflush(out.f);
			fprintf(stderr, "wirelint: %s\n", err);
			status = WL_EXIT_ERROR;
			errors++;
		}
	}
	for (size_t i = 0; i < in.n && !stop_requested && !e.halted; i++, read++) {
		char err[512];
		engine_begin_file(&e, in.paths[i]);
		rep_begin_file(&rep, in.paths[i]);
		enum cap_result r = cap_read_file(&e, in.paths[i], err, sizeof err);
		/* What was read before a damaged record is still analysed. */
		engine_end_file(&e);
		rep_end_file(&rep, &e.file_first, &e.file_last, e.frame, r != CAP_OK ? err : NULL);
		if (r != CAP_OK) {
			fflush(out.f);
			fprintf(stderr, "wirelint: %s: %s\n", in.paths[i], err);
			status = WL_EXIT_ERROR;
			errors++;
		}
	}
	if (stop_requested)
		fprintf(stderr, "wirelint: stopped by signal %d; the summary covers what was read\n", stop_requested);
	if (e.halted)
		fprintf(stderr, "wirelint: stopped after %llu findings (--max-findings); the summary covers what was read\n",
			o.max_findings);
	if (o.baseline)
		e.st.baseline_unmatched = bl_unmatched(&accepted);
	e.st.report_dropped = rep.dropped;
	if (o.evidence) {
		char werr[600];
		if (!ev_close(&ev, werr, sizeof werr)) {
			fprintf(stderr, "wirelint: -w %s\n", werr);
			status = WL_EXIT_ERROR;
		}
		e.st.evidence_written = ev.written;
		e.st.evidence_not_kept = ev.not_kept;
		e.st.evidence_other_linktype = ev.other_linktype;
	}
	if (o.iface)
		out_summary(&out, &e.st, names, 1, errors);
	else
		out_summary(&out, &e.st, (const char *const *)in.paths, (int)read, errors);
	if (o.write_baseline) {
		char berr[600];
		if (record.dropped)
			fprintf(stderr, "wirelint: --write-baseline: %" PRIu64 " findings beyond %u distinct ones left out\n",
				record.dropped, record.max);
		if (!bl_write(&record, o.write_baseline, berr, sizeof berr)) {
			fprintf(stderr, "wirelint: --write-baseline: %s\n", berr);
			status = WL_EXIT_ERROR;
		}
	}
	engine_free(&e);
	rep_free(&rep);
	bl_free(&accepted);
	bl_free(&record);

	if (fflush(out.f) != 0 || ferror(out.f)) {
		fprintf(stderr, "wirelint: %s: write error: %s\n", o.outfile ? o.outfile : "standard output",
			strerror(errno));
		status = WL_EXIT_ERROR;
	}
	if (out.f != stdout)
		fclose(out.f);
	if (status == WL_EXIT_OK && ((o.fail_on >= 0 && e.max_sev >= o.fail_on) || e.halted))
		status = WL_EXIT_FINDINGS;
	inputs_free(&in);
	for (int i = 0; i < nkept; i++)
		rules_file_free(kept[i]);
	free(kept);
	cli_free(&o);
	return status;
}
