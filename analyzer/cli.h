/* cli.h: command-line options. */
#ifndef WL_CLI_H
#define WL_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "limits.h"
#include "output.h"

/* Exit statuses (docs/exit-codes.md). */
enum wl_exit {
	WL_EXIT_OK = 0,       /* no finding at or above --fail-on */
	WL_EXIT_FINDINGS = 1, /* at least one finding at or above --fail-on */
	WL_EXIT_ERROR = 2,    /* usage error, unreadable or damaged input, output not writable */
};

struct cli_opts {
	const char **files;
	int nfiles;
	enum out_format fmt;
	const char *outfile;
	unsigned long long max_findings; /* --max-findings, 0: none */
	const char *baseline;            /* --baseline FILE */
	const char *write_baseline;      /* --write-baseline FILE */
	/* Live capture (-i), in tcpdump's terms. */
	const char *iface;               /* -i */
	char *filter;                    /* the arguments after the options, joined */
	bool list_ifaces;                /* -D */
	uint32_t snaplen;                /* -s (default 262144) */
	bool no_promisc;                 /* -p */
	uint32_t buffer_kib;             /* -B */
	unsigned long long count;        /* -c */
	unsigned long long duration_s;   /* --duration */
	long stats_interval;             /* --stats-interval; -1: every 5 s when stderr is a terminal */
	const char *user;                /* -Z */
	const char *evidence;            /* -w */
	uint32_t jobs;                   /* -j: worker threads; 0: not given (the number of cores) */
	uint32_t top;                    /* --top N */
	const char *report;              /* --report FILE.html */
	int fail_on; /* a severity, or -1 for none */
	bool quiet;
	bool list_rules;
	bool verify_checksums;
	bool no_huge_pages;         /* --no-huge-pages */
	const char *explain;       /* --explain ID */
	const char *config;        /* --config FILE */
	const char **rules_files;  /* --rules FILE, in order */
	int nrules_files;
	/* --enable, --disable, --severity, in the order given: kind 'e', 'd', 's' */
	char *choice_kind;
	const char **choice_arg;
	int nchoices;
	struct wl_limits lim;
};

enum cli_result {
	CLI_RUN,   /* options parsed: run */
	CLI_DONE,  /* --help or --version printed: exit 0 */
	CLI_USAGE, /* a usage error was printed: exit 2 */
};

/* Parses argv into o (which the caller frees with cli_free). */
enum cli_result cli_parse(int argc, char **argv, struct cli_opts *o);
void cli_free(struct cli_opts *o);

void cli_usage(FILE *f);

/* Parses a decimal number of at most max into *out; false if s is not one. */
bool parse_u64(const char *s, unsigned long long max, unsigned long long *out);

#endif
