/* report.h: the findings of a run, kept for the formats written whole at the end (SARIF, JUnit). */
#ifndef WL_REPORT_H
#define WL_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/time.h>

#include "rule.h"

struct txn;

/* One finding, with what the report says about its transaction. */
struct rep_finding {
	int file;                /* index into the report's files */
	uint16_t rule;
	uint8_t sev;
	int status;              /* 0: none */
	char fp[17];
	char client[56], server[56], community_id[32];
	char *msg, *method, *uri, *host; /* printable text; method, uri, host may be "" */
	struct timeval ts;       /* of the response (or the request, when there is none) */
	uint64_t frame, rec_off; /* the packet where the response (or the request) starts, and its record */
	uint32_t rec_len;
	uint64_t conn_id;
};

/* One input file. */
struct rep_file {
	char *name;
	struct timeval first, last; /* capture time it covers */
	uint64_t packets;
	char *error;                /* why reading it stopped early, or NULL */
};

/* Bounded: at most max findings are kept; more are counted in dropped. */
struct report {
	struct rep_file *files;
	int nfiles, fcap;
	struct rep_finding *f;
	size_t n, cap, max;
	uint64_t dropped;
};

void rep_init(struct report *r, size_t max);
void rep_free(struct report *r);

/* A file starts: the findings added from now on are its own. */
void rep_begin_file(struct report *r, const char *name);

/* The current file ended: the capture time it covered, its packets, and the error that stopped it (or NULL). */
void rep_end_file(struct report *r, const struct timeval *first, const struct timeval *last, uint64_t packets,
		  const char *error);

/* Keeps finding f of transaction t (whose fingerprint is set). */
void rep_add(struct report *r, const struct txn *t, const struct finding *f);

#endif
