/* main.c: wirelint: lint the HTTP responses in captured traffic. */
#include <errno.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>
#include <stdio.h>
#include <string.h>

#include "capture.h"
#include "cli.h"
#include "engine.h"
#include "output.h"
#include "rule.h"

static volatile int stop_requested;

static void on_signal(int sig)
{
	stop_requested = sig;
}

static void list_rules(FILE *f)
{
	for (int i = 0; i < RULE_COUNT; i++)
		fprintf(f, "%-26s %-8s %s (%s)\n", rule_table[i].id, severity_name(rule_table[i].sev),
			rule_table[i].summary, rule_table[i].ref);
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
	if (o.list_rules) {
		list_rules(stdout);
		cli_free(&o);
		return WL_EXIT_OK;
	}

	struct out out = { stdout, o.fmt, o.quiet };
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
	int status = WL_EXIT_OK;
	for (int i = 0; i < o.nfiles && !stop_requested; i++) {
		char err[512];
		engine_begin_file(&e, o.files[i]);
		enum cap_result r = cap_read_file(&e, o.files[i], err, sizeof err);
		/* What was read before a damaged record is still analysed. */
		engine_end_file(&e);
		if (r != CAP_OK) {
			fflush(out.f);
			fprintf(stderr, "wirelint: %s: %s\n", o.files[i], err);
			status = WL_EXIT_ERROR;
		}
	}
	if (stop_requested)
		fprintf(stderr, "wirelint: stopped by signal %d; the summary covers what was read\n", stop_requested);
	out_summary(&out, &e.st, o.files, o.nfiles);
	engine_free(&e);

	if (fflush(out.f) != 0 || ferror(out.f)) {
		fprintf(stderr, "wirelint: %s: write error: %s\n", o.outfile ? o.outfile : "standard output",
			strerror(errno));
		status = WL_EXIT_ERROR;
	}
	if (out.f != stdout)
		fclose(out.f);
	if (status == WL_EXIT_OK && o.fail_on >= 0 && e.max_sev >= o.fail_on)
		status = WL_EXIT_FINDINGS;
	cli_free(&o);
	return status;
}
