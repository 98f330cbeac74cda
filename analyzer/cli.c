/* cli.c: command-line options, in tcpdump's and linters' conventions. */
#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "rule.h"

void cli_usage(FILE *f)
{
	fputs("Usage: wirelint [options] FILE|DIR...\n"
	      "       wirelint [options] -r FILE\n"
	      "Checks every HTTP/1.x response in pcap/pcapng captures against the\n"
	      "requirements of its status code.  FILE may be - for standard input; a DIR\n"
	      "is searched for .pcap, .pcapng and .cap files.  Files are read in sorted\n"
	      "order, into one report.\n"
	      "\n"
	      "Options:\n"
	      "  -r FILE                read this capture (may be repeated)\n"
	      "  -F, --format FORMAT    text (default), jsonl, sarif or junit\n"
	      "  -o, --output FILE      write the report to FILE instead of standard output\n"
	      "      --fail-on LEVEL    exit 1 when a finding is at LEVEL or above:\n"
	      "                         error (default), warning, info, or none\n"
	      "      --max-findings N   stop after N findings, with exit status 1\n"
	      "      --baseline FILE    do not report findings already in FILE\n"
	      "      --write-baseline FILE  write this run's findings to FILE\n"
	      "      --top N            rows of the summary's top tables (default 10)\n"
	      "      --report FILE.html also write a self-contained HTML report with charts\n"
	      "  -w FILE                also write, as a pcap, the packets of each connection\n"
	      "                         that produced a finding\n"
	      "  -j, --jobs N           worker threads (default: the cores this process may use;\n"
	      "                         1: read and judge in one thread); the output is the same\n"
	      "\n"
	      "Live capture (as tcpdump): wirelint -i IFACE [options] [filter expression]\n"
	      "  -i IFACE               capture on IFACE (any: all interfaces)\n"
	      "  -D                     list the interfaces and exit\n"
	      "  -s SNAPLEN             bytes captured per packet (default 262144)\n"
	      "  -p                     do not put the interface in promiscuous mode\n"
	      "  -B KIB                 the kernel's capture buffer, in KiB\n"
	      "  -c COUNT               stop after COUNT packets\n"
	      "      --duration SECONDS stop after SECONDS\n"
	      "      --stats-interval N a status line on stderr every N seconds (default 5\n"
	      "                         when stderr is a terminal; 0: none)\n"
	      "  -Z USER                run as USER once the interface is open\n"
	      "  SIGINT or SIGTERM stop the capture: what was read is judged and summarised.\n"
	      "  -q, --quiet            text: print findings only, no summary\n"
	      "      --list-rules       list the rules and exit\n"
	      "      --explain ID       print the documentation of rule ID and exit\n"
	      "      --rules FILE       add the rules in FILE (YAML; may be repeated)\n"
	      "      --config FILE      read FILE instead of ./.wirelint.yaml\n"
	      "      --enable GLOB      turn on the rules whose id matches GLOB (may be repeated)\n"
	      "      --disable GLOB     turn off the rules whose id matches GLOB (may be repeated)\n"
	      "      --severity GLOB=LEVEL  report those rules at LEVEL (error, warning, info)\n"
	      "      --verify-checksums count packets whose IPv4 or TCP checksum is wrong\n"
	      "                         (they are analysed all the same)\n"
	      "      --max-connections N   connections tracked at once (default 65536)\n"
	      "      --max-ooo-bytes N     out-of-order bytes held per direction (default 1048576)\n"
	      "      --idle-timeout S      flush a connection idle S capture seconds (default 300)\n"
	      "      --max-buffered-bytes N  out-of-order bytes held over all connections\n"
	      "                            (default 67108864)\n"
	      "      --max-header-bytes N  bytes kept of one message head (default 65536)\n"
	      "      --max-headers N       header fields kept per message (default 256)\n"
	      "      --max-frag-bytes N    IPv4 fragment bytes held for reassembly (default 4194304)\n"
	      "      --max-history N       URLs, servers and clients remembered for rules that compare\n"
	      "                            transactions (default 65536)\n"
	      "      --max-pending-requests N  requests awaiting their response per connection\n"
	      "                            (default 64; past it the oldest is written unanswered)\n"
	      "      --max-held-transactions N  transactions held back to write the output in\n"
	      "                            connection order (default 100000; past it they are\n"
	      "                            written at once)\n"
	      "      --overlap-window N    bytes kept per direction to compare retransmitted\n"
	      "                            bytes with the first copy (default 2048; 0: off)\n"
	      "      --no-huge-pages       keep the heap in small pages (by default, at -j 1,\n"
	      "                            64 MiB of it are asked for in transparent huge pages)\n"
	      "  -h, --help             show this help and exit\n"
	      "  -V, --version          show the version and exit\n"
	      "\n"
	      "Exit status: 0 no finding at or above --fail-on (after --baseline),\n"
	      "             1 such findings, or --max-findings reached,\n"
	      "             2 usage error, bad rules or config, or a capture that could not be read whole.\n",
	      f);
}

bool parse_u64(const char *s, unsigned long long max, unsigned long long *out)
{
	unsigned long long v = 0;
	if (!s || !*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		unsigned d = (unsigned)(*s - '0');
		if (v > (max - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*out = v;
	return true;
}

enum {
	OPT_FAIL_ON = 256,
	OPT_LIST_RULES,
	OPT_MAX_CONN,
	OPT_MAX_OOO,
	OPT_IDLE,
	OPT_OVERLAP,
	OPT_CHECKSUMS,
	OPT_NO_HUGE,
	OPT_MAX_FRAG,
	OPT_MAX_HISTORY,
	OPT_MAX_PENDING,
	OPT_MAX_HELD,
	OPT_MAX_BUF,
	OPT_MAX_HDR_BYTES,
	OPT_MAX_HDRS,
	OPT_RULES,
	OPT_CONFIG,
	OPT_ENABLE,
	OPT_DISABLE,
	OPT_SEVERITY,
	OPT_EXPLAIN,
	OPT_MAX_FINDINGS,
	OPT_BASELINE,
	OPT_WRITE_BASELINE,
	OPT_DURATION,
	OPT_STATS_INTERVAL,
	OPT_TOP,
	OPT_REPORT,
};

static bool add_file(struct cli_opts *o, const char *f)
{
	const char **nf = realloc(o->files, (size_t)(o->nfiles + 1) * sizeof *nf);
	if (!nf)
		return false;
	o->files = nf;
	o->files[o->nfiles++] = f;
	return true;
}

static bool add_choice(struct cli_opts *o, char kind, const char *arg)
{
	char *nk = realloc(o->choice_kind, (size_t)(o->nchoices + 1));
	if (!nk)
		return false;
	o->choice_kind = nk;
	const char **na = realloc(o->choice_arg, (size_t)(o->nchoices + 1) * sizeof *na);
	if (!na)
		return false;
	o->choice_arg = na;
	nk[o->nchoices] = kind;
	na[o->nchoices++] = arg;
	return true;
}

static bool number_opt(const char *name, const char *arg, unsigned long long min, unsigned long long max,
		       uint32_t *out)
{
	unsigned long long v;
	if (!parse_u64(arg, max, &v) || v < min) {
		fprintf(stderr, "wirelint: %s: '%s' is not a number from %llu to %llu\n", name, arg, min, max);
		return false;
	}
	*out = (uint32_t)v;
	return true;
}

enum cli_result cli_parse(int argc, char **argv, struct cli_opts *o)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'F' },
		{ "output", required_argument, NULL, 'o' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "fail-on", required_argument, NULL, OPT_FAIL_ON },
		{ "quiet", no_argument, NULL, 'q' },
		{ "list-rules", no_argument, NULL, OPT_LIST_RULES },
		{ "max-connections", required_argument, NULL, OPT_MAX_CONN },
		{ "max-ooo-bytes", required_argument, NULL, OPT_MAX_OOO },
		{ "idle-timeout", required_argument, NULL, OPT_IDLE },
		{ "overlap-window", required_argument, NULL, OPT_OVERLAP },
		{ "verify-checksums", no_argument, NULL, OPT_CHECKSUMS },
		{ "no-huge-pages", no_argument, NULL, OPT_NO_HUGE },
		{ "max-frag-bytes", required_argument, NULL, OPT_MAX_FRAG },
		{ "max-history", required_argument, NULL, OPT_MAX_HISTORY },
		{ "max-pending-requests", required_argument, NULL, OPT_MAX_PENDING },
		{ "max-held-transactions", required_argument, NULL, OPT_MAX_HELD },
		{ "max-buffered-bytes", required_argument, NULL, OPT_MAX_BUF },
		{ "max-header-bytes", required_argument, NULL, OPT_MAX_HDR_BYTES },
		{ "max-headers", required_argument, NULL, OPT_MAX_HDRS },
		{ "rules", required_argument, NULL, OPT_RULES },
		{ "config", required_argument, NULL, OPT_CONFIG },
		{ "enable", required_argument, NULL, OPT_ENABLE },
		{ "disable", required_argument, NULL, OPT_DISABLE },
		{ "severity", required_argument, NULL, OPT_SEVERITY },
		{ "explain", required_argument, NULL, OPT_EXPLAIN },
		{ "max-findings", required_argument, NULL, OPT_MAX_FINDINGS },
		{ "baseline", required_argument, NULL, OPT_BASELINE },
		{ "write-baseline", required_argument, NULL, OPT_WRITE_BASELINE },
		{ "duration", required_argument, NULL, OPT_DURATION },
		{ "stats-interval", required_argument, NULL, OPT_STATS_INTERVAL },
		{ "top", required_argument, NULL, OPT_TOP },
		{ "report", required_argument, NULL, OPT_REPORT },
		{ "interface", required_argument, NULL, 'i' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	memset(o, 0, sizeof *o);
	o->fmt = OUT_TEXT;
	o->fail_on = SEV_ERROR;
	o->snaplen = 262144;
	o->stats_interval = -1;
	o->top = 10;
	limits_default(&o->lim);
	opterr = 0;
	optind = 1;
	int ch;
	unsigned long long v;
	while ((ch = getopt_long(argc, argv, ":r:F:o:qhVi:Ds:pB:c:Z:w:j:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'r':
			if (!add_file(o, optarg))
				return CLI_USAGE;
			break;
		case 'F':
			if (strcmp(optarg, "text") == 0) {
				o->fmt = OUT_TEXT;
			} else if (strcmp(optarg, "jsonl") == 0) {
				o->fmt = OUT_JSONL;
			} else if (strcmp(optarg, "sarif") == 0) {
				o->fmt = OUT_SARIF;
			} else if (strcmp(optarg, "junit") == 0) {
				o->fmt = OUT_JUNIT;
			} else {
				fprintf(stderr, "wirelint: --format: '%s' is not one of text, jsonl, sarif, junit\n", optarg);
				return CLI_USAGE;
			}
			break;
		case 'o':
			o->outfile = optarg;
			break;
		case OPT_FAIL_ON:
			if (strcmp(optarg, "none") == 0) {
				o->fail_on = -1;
			} else if ((o->fail_on = severity_parse(optarg)) < 0) {
				fprintf(stderr, "wirelint: --fail-on: '%s' is not one of error, warning, info, none\n",
					optarg);
				return CLI_USAGE;
			}
			break;
		case 'q':
			o->quiet = true;
			break;
		case OPT_MAX_FINDINGS:
			if (!parse_u64(optarg, 1ull << 62, &o->max_findings) || o->max_findings == 0) {
				fprintf(stderr, "wirelint: --max-findings: '%s' is not a number of 1 or more\n", optarg);
				return CLI_USAGE;
			}
			break;
		case OPT_BASELINE:
			o->baseline = optarg;
			break;
		case OPT_WRITE_BASELINE:
			o->write_baseline = optarg;
			break;
		case 'i':
			o->iface = optarg;
			break;
		case 'D':
			o->list_ifaces = true;
			break;
		case 's':
			/* tcpdump: 0 means the largest. */
			if (!parse_u64(optarg, 262144, &v)) {
				fprintf(stderr, "wirelint: -s: '%s' is not a snapshot length from 0 to 262144\n", optarg);
				return CLI_USAGE;
			}
			o->snaplen = v ? (uint32_t)v : 262144;
			break;
		case 'p':
			o->no_promisc = true;
			break;
		case 'B':
			if (!number_opt("-B", optarg, 1, 1u << 22, &o->buffer_kib))
				return CLI_USAGE;
			break;
		case 'c':
			if (!parse_u64(optarg, 1ull << 62, &o->count) || !o->count) {
				fprintf(stderr, "wirelint: -c: '%s' is not a number of packets of 1 or more\n", optarg);
				return CLI_USAGE;
			}
			break;
		case OPT_DURATION:
			if (!parse_u64(optarg, 1ull << 40, &o->duration_s) || !o->duration_s) {
				fprintf(stderr, "wirelint: --duration: '%s' is not a number of seconds of 1 or more\n", optarg);
				return CLI_USAGE;
			}
			break;
		case OPT_STATS_INTERVAL:
			if (!parse_u64(optarg, 86400, &v)) {
				fprintf(stderr, "wirelint: --stats-interval: '%s' is not a number of seconds\n", optarg);
				return CLI_USAGE;
			}
			o->stats_interval = (long)v;
			break;
		case 'Z':
			o->user = optarg;
			break;
		case OPT_TOP:
			if (!number_opt("--top", optarg, 1, 100000, &o->top))
				return CLI_USAGE;
			break;
		case OPT_REPORT:
			o->report = optarg;
			break;
		case 'j':
			if (!number_opt("-j", optarg, 1, 256, &o->jobs))
				return CLI_USAGE;
			break;
		case 'w':
			o->evidence = optarg;
			break;
		case OPT_LIST_RULES:
			o->list_rules = true;
			break;
		case OPT_MAX_CONN:
			if (!number_opt("--max-connections", optarg, 1, 100000000, &o->lim.max_flows))
				return CLI_USAGE;
			break;
		case OPT_MAX_OOO:
			if (!number_opt("--max-ooo-bytes", optarg, 0, 1ull << 31, &o->lim.max_ooo_bytes))
				return CLI_USAGE;
			break;
		case OPT_IDLE:
			if (!number_opt("--idle-timeout", optarg, 1, 100000000, &o->lim.idle_timeout_s))
				return CLI_USAGE;
			break;
		case OPT_OVERLAP:
			if (!number_opt("--overlap-window", optarg, 0, 1u << 20, &o->lim.overlap_window))
				return CLI_USAGE;
			break;
		case OPT_RULES: {
			const char **nr = realloc(o->rules_files, (size_t)(o->nrules_files + 1) * sizeof *nr);
			if (!nr)
				return CLI_USAGE;
			o->rules_files = nr;
			nr[o->nrules_files++] = optarg;
			break;
		}
		case OPT_CONFIG:
			o->config = optarg;
			break;
		case OPT_ENABLE:
		case OPT_DISABLE:
		case OPT_SEVERITY:
			if (!add_choice(o, ch == OPT_ENABLE ? 'e' : ch == OPT_DISABLE ? 'd' : 's', optarg))
				return CLI_USAGE;
			break;
		case OPT_EXPLAIN:
			o->explain = optarg;
			break;
		case OPT_MAX_BUF: {
			if (!parse_u64(optarg, 1ull << 40, &v)) {
				fprintf(stderr, "wirelint: --max-buffered-bytes: '%s' is not a number from 0 to %llu\n",
					optarg, 1ull << 40);
				return CLI_USAGE;
			}
			o->lim.max_buffered_bytes = v;
			break;
		}
		case OPT_MAX_HDR_BYTES:
			if (!number_opt("--max-header-bytes", optarg, 64, 1u << 30, &o->lim.max_header_bytes))
				return CLI_USAGE;
			break;
		case OPT_MAX_HDRS:
			if (!number_opt("--max-headers", optarg, 1, 1u << 20, &o->lim.max_headers))
				return CLI_USAGE;
			break;
		case OPT_MAX_HISTORY:
			if (!number_opt("--max-history", optarg, 1, 1u << 24, &o->lim.max_history))
				return CLI_USAGE;
			break;
		case OPT_MAX_PENDING:
			if (!number_opt("--max-pending-requests", optarg, 1, 1u << 20, &o->lim.max_pending_requests))
				return CLI_USAGE;
			break;
		case OPT_MAX_HELD:
			if (!number_opt("--max-held-transactions", optarg, 0, 1u << 30, &o->lim.max_pending_output))
				return CLI_USAGE;
			break;
		case OPT_MAX_FRAG:
			if (!number_opt("--max-frag-bytes", optarg, 0, 1u << 30, &o->lim.max_frag_bytes))
				return CLI_USAGE;
			break;
		case OPT_CHECKSUMS:
			o->verify_checksums = true;
			break;
		case OPT_NO_HUGE:
			o->no_huge_pages = true;
			break;
		case 'h':
			cli_usage(stdout);
			return CLI_DONE;
		case 'V':
			printf("wirelint %s\n", WIRELINT_VERSION);
			return CLI_DONE;
		case ':':
			fprintf(stderr, "wirelint: option '%s' needs an argument\n", argv[optind - 1]);
			fputs("Try 'wirelint --help'.\n", stderr);
			return CLI_USAGE;
		default:
			fprintf(stderr, "wirelint: unknown option '%s'\n", argv[optind - 1]);
			fputs("Try 'wirelint --help'.\n", stderr);
			return CLI_USAGE;
		}
	}
	if (o->iface) {
		/* As tcpdump: the arguments after the options are the filter. */
		size_t n = 1;
		for (int i = optind; i < argc; i++)
			n += strlen(argv[i]) + 1;
		if (!(o->filter = calloc(1, n)))
			return CLI_USAGE;
		for (int i = optind; i < argc; i++) {
			if (i > optind)
				strcat(o->filter, " ");
			strcat(o->filter, argv[i]);
		}
		if (o->nfiles) {
			fputs("wirelint: -i reads an interface; -r and capture files go without it\n", stderr);
			return CLI_USAGE;
		}
		return CLI_RUN;
	}
	if (o->count || o->duration_s || o->user) {
		fputs("wirelint: -c, --duration and -Z are for live capture (-i)\n", stderr);
		return CLI_USAGE;
	}
	for (int i = optind; i < argc; i++)
		if (!add_file(o, argv[i]))
			return CLI_USAGE;
	if (o->list_ifaces)
		return CLI_RUN;
	if (o->nfiles == 0 && !o->list_rules && !o->explain) {
		fputs("wirelint: no capture file given\n", stderr);
		fputs("Try 'wirelint --help'.\n", stderr);
		return CLI_USAGE;
	}
	return CLI_RUN;
}

void cli_free(struct cli_opts *o)
{
	free(o->files);
	free(o->filter);
	o->filter = NULL;
	free(o->rules_files);
	free(o->choice_kind);
	free(o->choice_arg);
	o->files = NULL;
	o->rules_files = NULL;
	o->choice_kind = NULL;
	o->choice_arg = NULL;
}

void limits_default(struct wl_limits *l)
{
	l->max_flows = WL_DEFAULT_MAX_FLOWS;
	l->max_ooo_bytes = WL_DEFAULT_MAX_OOO_BYTES;
	l->max_buffered_bytes = WL_DEFAULT_MAX_BUFFERED_BYTES;
	l->max_header_bytes = WL_DEFAULT_MAX_HEADER_BYTES;
	l->max_headers = WL_DEFAULT_MAX_HEADERS;
	l->max_pending_requests = WL_DEFAULT_MAX_PENDING_REQUESTS;
	l->idle_timeout_s = WL_DEFAULT_IDLE_TIMEOUT_S;
	l->max_pending_output = WL_DEFAULT_MAX_PENDING_OUTPUT;
	l->max_hunt_bytes = WL_DEFAULT_MAX_HUNT_BYTES;
	l->overlap_window = WL_DEFAULT_OVERLAP_WINDOW;
	l->max_frag_bytes = WL_DEFAULT_MAX_FRAG_BYTES;
	l->max_history = WL_DEFAULT_MAX_HISTORY;
	l->frag_timeout_s = WL_DEFAULT_FRAG_TIMEOUT_S;
}
