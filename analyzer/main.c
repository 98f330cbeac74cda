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
#include "cpus.h"
#include "engine.h"
#include "heap.h"
#include "inputs.h"
#include "live.h"
#include "json.h"
#include "output.h"
#include "rule.h"
#include "rules_file.h"
#include "verdict.h"

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
	if (ok) {
		rules_ready();
		verdict_mode(-1); /* WIRELINT_VERDICTS (verdict.h) */
	}
	return ok;
}

/* Everything a run holds, released in one place whatever the way out. */
struct run {
	struct cli_opts o;
	struct rules_file **kept;
	int nkept;
	struct inputs in;
	struct baseline accepted, record;
	struct report rep;
	struct report html;  /* --report: the findings for the HTML page */
	struct evidence ev;
	bool ev_open;
	struct out out;
	struct engine e;
	bool engine_ready;
};

static void release(struct run *r)
{
	if (r->engine_ready)
		engine_free(&r->e);
	rep_free(&r->rep);
	rep_free(&r->html);
	bl_free(&r->accepted);
	bl_free(&r->record);
	if (r->out.f && r->out.f != stdout)
		fclose(r->out.f);
	inputs_free(&r->in);
	for (int i = 0; i < r->nkept; i++)
		rules_file_free(r->kept[i]);
	free(r->kept);
	cli_free(&r->o);
}

/* Inputs, baseline, report, -w and the output file: each checked before anything is read. */
static bool prepare(struct run *r)
{
	char err[600];
	struct cli_opts *o = &r->o;
	if (!inputs_expand(&r->in, o->files, o->nfiles, err, sizeof err)) {
		fprintf(stderr, "wirelint: %s\n", err);
		return false;
	}
	bl_init(&r->accepted, WL_MAX_BASELINE_ENTRIES);
	bl_init(&r->record, WL_MAX_BASELINE_ENTRIES);
	if (o->baseline && !bl_load(&r->accepted, o->baseline, err, sizeof err)) {
		fprintf(stderr, "wirelint: --baseline: %s\n", err);
		return false;
	}
	rep_init(&r->rep, WL_MAX_REPORT_FINDINGS);
	rep_init(&r->html, WL_MAX_REPORT_FINDINGS);
	if (o->report) {
		/* Made now, so that a path that cannot be written stops the run first. */
		FILE *f = fopen(o->report, "w");
		if (!f) {
			fprintf(stderr, "wirelint: --report %s: cannot write: %s\n", o->report, strerror(errno));
			return false;
		}
		fclose(f);
	}
	if (o->evidence) {
		if (!ev_open(&r->ev, o->evidence, o->snaplen, err, sizeof err)) {
			fprintf(stderr, "wirelint: -w %s\n", err);
			return false;
		}
		r->ev_open = true;
	}
	r->out = (struct out){ .f = stdout, .fmt = o->fmt, .quiet = o->quiet, .fail_on = o->fail_on, .rep = &r->rep,
			       .top = o->top, .iface = o->iface };
	if (o->outfile && strcmp(o->outfile, "-") != 0) {
		r->out.f = fopen(o->outfile, "w");
		if (!r->out.f) {
			fprintf(stderr, "wirelint: %s: cannot write: %s\n", o->outfile, strerror(errno));
			return false;
		}
	}
	/* Onto a terminal every line goes out as it is written; into a file
	 * or a pipe (wirelint --format jsonl | jq) in blocks of up to 64 KiB,
	 * none waiting longer than 50 ms (output.c's OUT_PACE) nor while
	 * wirelint waits for input. */
	static char out_buffer[64 << 10];
	if (isatty(fileno(r->out.f)))
		setvbuf(r->out.f, NULL, _IOLBF, 0);
	else
		setvbuf(r->out.f, out_buffer, _IOFBF, sizeof out_buffer);
	return true;
}

/* Live capture; false when the interface could not be opened (nothing was read: no summary). */
static bool run_live(struct run *r, int *status, int *errors)
{
	struct cli_opts *o = &r->o;
	struct live_opts lo = { o->iface, o->filter, o->snaplen, !o->no_promisc, o->buffer_kib, o->count, o->duration_s,
				o->stats_interval >= 0 ? (uint32_t)o->stats_interval : (isatty(2) ? 5u : 0u), o->user };
	char err[600];
	r->e.live = true;
	engine_begin_file(&r->e, o->iface);
	rep_begin_file(&r->rep, o->iface);
	rep_begin_file(&r->html, o->iface);
	bool capturing;
	bool ok = live_run(&r->e, &lo, &capturing, err, sizeof err);
	if (!capturing) {
		/* The error alone, as tcpdump does. */
		fprintf(stderr, "wirelint: %s\n", err);
		if (r->ev_open) {
			ev_close(&r->ev, err, sizeof err);
			unlink(o->evidence);
		}
		return false;
	}
	engine_end_file(&r->e);
	rep_end_file(&r->rep, &r->e.file_first, &r->e.file_last, r->e.frame, ok ? NULL : err);
	rep_end_file(&r->html, &r->e.file_first, &r->e.file_last, r->e.frame, ok ? NULL : err);
	if (!ok) {
		out_flush(&r->out);
		fprintf(stderr, "wirelint: %s\n", err);
		*status = WL_EXIT_ERROR;
		(*errors)++;
	}
	return true;
}

/* The files, in order; returns how many were read. */
static size_t run_files(struct run *r, int *status, int *errors)
{
	size_t read = 0;
	for (size_t i = 0; i < r->in.n && !stop_requested && !r->e.halted; i++, read++) {
		char err[512];
		const char *path = r->in.paths[i];
		engine_begin_file(&r->e, path);
		rep_begin_file(&r->rep, path);
		rep_begin_file(&r->html, path);
		enum cap_result res = cap_read_file(&r->e, path, err, sizeof err);
		/* What was read before a damaged record is still analysed. */
		engine_end_file(&r->e);
		rep_end_file(&r->rep, &r->e.file_first, &r->e.file_last, r->e.frame, res != CAP_OK ? err : NULL);
		rep_end_file(&r->html, &r->e.file_first, &r->e.file_last, r->e.frame, res != CAP_OK ? err : NULL);
		if (res != CAP_OK) {
			out_flush(&r->out);
			fprintf(stderr, "wirelint: %s: %s\n", path, err);
			*status = WL_EXIT_ERROR;
			(*errors)++;
		}
	}
	return read;
}

/* Worker threads (-j): the cores this process may use (affinity, cgroup quota), at most 64, unless told. */
static unsigned jobs_for(const struct cli_opts *o)
{
	/* -w keeps each connection's packets until its verdict, and
	 * --max-findings stops at one packet: both follow one thread's reading. */
	if (o->evidence || o->max_findings) {
		if (o->jobs > 1)
			fprintf(stderr, "wirelint: -j %u: %s reads in one thread\n", o->jobs,
				o->evidence ? "-w" : "--max-findings");
		return 1;
	}
	if (o->jobs)
		return o->jobs;
	unsigned n = cpus_available();
	return n > 64 ? 64 : n;
}

/* After reading: counters, the summary or report, the baseline written. */
static void finish(struct run *r, size_t read, int errors, int *status)
{
	struct cli_opts *o = &r->o;
	struct engine *e = &r->e;
	if (stop_requested)
		fprintf(stderr, "wirelint: stopped by signal %d; the summary covers what was read\n", stop_requested);
	if (e->halted)
		fprintf(stderr, "wirelint: stopped after %llu findings (--max-findings); the summary covers what was read\n",
			o->max_findings);
	if (o->baseline)
		e->st.baseline_unmatched = bl_unmatched(&r->accepted);
	/* Chains still open are reported as not followed to their end. */
	redir_flush(&e->redirects);
	e->st.redirect_chains_not_listed = e->redirects.chains_dropped;
	e->st.endpoints_other = e->traffic.keys_dropped;
	e->st.latency_histograms = e->traffic.approximated;
	e->st.report_dropped = r->rep.dropped;
	if (r->ev_open) {
		char werr[600];
		if (!ev_close(&r->ev, werr, sizeof werr)) {
			fprintf(stderr, "wirelint: -w %s\n", werr);
			*status = WL_EXIT_ERROR;
		}
		e->st.evidence_written = r->ev.written;
		e->st.evidence_not_kept = r->ev.not_kept;
		e->st.evidence_other_linktype = r->ev.other_linktype;
	}
	const char *names[1] = { o->iface };
	if (o->iface)
		out_summary(&r->out, &e->st, names, 1, errors);
	else
		out_summary(&r->out, &e->st, (const char *const *)r->in.paths, (int)read, errors);
	if (o->report) {
		FILE *hf = fopen(o->report, "w");
		if (hf)
			out_html_write(hf, &r->html, &e->st, &e->traffic, &e->redirects, o->top);
		if (!hf || fclose(hf) != 0) {
			fprintf(stderr, "wirelint: --report %s: cannot write: %s\n", o->report, strerror(errno));
			*status = WL_EXIT_ERROR;
		}
	}
	if (o->write_baseline) {
		char berr[600];
		if (r->record.dropped)
			fprintf(stderr, "wirelint: --write-baseline: %" PRIu64 " findings beyond %u distinct ones left out\n",
				r->record.dropped, r->record.max);
		if (!bl_write(&r->record, o->write_baseline, berr, sizeof berr)) {
			fprintf(stderr, "wirelint: --write-baseline: %s\n", berr);
			*status = WL_EXIT_ERROR;
		}
	}
	if (fflush(r->out.f) != 0 || ferror(r->out.f)) {
		fprintf(stderr, "wirelint: %s: write error: %s\n", o->outfile ? o->outfile : "standard output",
			strerror(errno));
		*status = WL_EXIT_ERROR;
	}
	if (*status == WL_EXIT_OK && ((o->fail_on >= 0 && e->max_sev >= o->fail_on) || e->halted))
		*status = WL_EXIT_FINDINGS;
}

int main(int argc, char **argv)
{
	static struct run r;
	switch (cli_parse(argc, argv, &r.o)) {
	case CLI_DONE:
		cli_free(&r.o);
		return WL_EXIT_OK;
	case CLI_USAGE:
		cli_free(&r.o);
		return WL_EXIT_ERROR;
	case CLI_RUN:
		break;
	}
	int status = WL_EXIT_OK;
	if (r.o.list_ifaces) {
		status = live_list(stdout) ? WL_EXIT_OK : WL_EXIT_ERROR;
	} else if (!setup_rules(&r.o, &r.kept, &r.nkept)) {
		status = WL_EXIT_ERROR;
	} else if (r.o.list_rules || r.o.explain) {
		if (r.o.explain)
			status = explain(r.o.explain);
		else if (r.o.fmt == OUT_JSONL)
			list_rules_jsonl(stdout);
		else
			list_rules(stdout);
	} else if (!prepare(&r)) {
		status = WL_EXIT_ERROR;
	} else {
		/* SIGINT and SIGTERM stop reading; what was read is flushed,
		 * judged and summarised as at the end of a file. */
		struct sigaction sa;
		memset(&sa, 0, sizeof sa);
		sa.sa_handler = on_signal;
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
		engine_init(&r.e, &r.o.lim, &r.out);
		r.engine_ready = true;
		r.e.stop = &stop_requested;
		r.e.verify_checksums = r.o.verify_checksums;
		r.e.accepted = r.o.baseline ? &r.accepted : NULL;
		r.e.record = r.o.write_baseline ? &r.record : NULL;
		r.e.max_findings = r.o.max_findings;
		r.e.evidence = r.ev_open ? &r.ev : NULL;
		r.out.tr = &r.e.traffic;
		r.e.html = r.o.report ? &r.html : NULL;
		/* A progress line only for a person watching: a terminal, not -q. */
		r.e.progress = !r.o.iface && !r.o.quiet && isatty(2);
		r.out.rd = &r.e.redirects;
		unsigned jobs = jobs_for(&r.o);
		/* In one thread, before the connections' state is allocated, the
		 * heap in huge pages; not under -j, whose reading thread's heap
		 * then grew by 8 to 13 MiB, past the adversarial suite's bound
		 * (docs/performance.md, "The heap in huge pages"). */
		if (jobs <= 1 && !r.o.no_huge_pages) {
			void *at;
			heap_prefer_huge_pages(&at);
		}
		if (!engine_jobs(&r.e, jobs))
			fprintf(stderr, "wirelint: -j %u: cannot start the threads; reading in one\n", jobs);
		int errors = 0;
		if (r.o.iface) {
			if (run_live(&r, &status, &errors))
				finish(&r, 1, errors, &status);
			else
				status = WL_EXIT_ERROR;
		} else {
			size_t read = run_files(&r, &status, &errors);
			finish(&r, read, errors, &status);
		}
	}
	release(&r);
	return status;
}
