/* traffic.h: what the traffic itself looks like: statuses, hosts, endpoints, latency, over time. */
#ifndef WL_TRAFFIC_H
#define WL_TRAFFIC_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct txn;
struct tr_key;

/*
 * Latencies in microseconds: the samples themselves up to limit, so that
 * small sets have exact percentiles; past it, a histogram of log-spaced
 * buckets (16 an octave: a percentile within 3%) in fixed memory.  Count
 * and max are always exact.
 */
#define TR_HBUCKETS 464
struct tr_lat {
	uint32_t *v;
	uint32_t n, cap, limit;
	uint32_t *hist;      /* NULL until the samples pass limit */
	uint64_t count;
	uint32_t max;
};

/* Percentiles (nearest rank) of a set of samples, in microseconds. */
struct tr_pct {
	uint64_t count;
	uint32_t p50, p90, p99, max;
	bool exact;  /* from every sample (false: from the histogram) */
};

/* Per status class (1xx..5xx, then other) and second since the first response; bins merge as time goes on. */
#define TR_BINS 4096

/* Rows by name: open addressing with linear probing, at most half full. */
struct tr_keys {
	struct tr_key **slots;
	uint32_t nslots, n;
};

struct traffic {
	struct tr_keys hosts, endpoints;
	uint32_t max_keys;                /* rows a table makes before new names go under "(other)" */
	uint64_t keys_dropped;            /* transactions counted under "(other)" at the cap */
	uint64_t approximated;            /* latency sets that went over to a histogram */
	struct tr_lat first, last;        /* overall: to the first and to the last byte of the response */
	int64_t t0;                       /* capture second of the first response; -1 none yet */
	uint32_t bin_s;                   /* seconds a bin covers (doubles when time runs past TR_BINS bins) */
	uint32_t nbins;
	uint32_t series[TR_BINS][6];
};

void tr_init(struct traffic *tr, uint32_t max_keys);
void tr_free(struct traffic *tr);

/*
 * What the statistics take of a transaction with a response: made from
 * it by tr_sample_of, or by its worker under -j (carried in the
 * transaction's event to the merge, and as txn.brief, a tr_sample_dup, to
 * its writing), so that the merge reads a few bytes rather than heads
 * written on the other core.
 */
struct tr_sample {
	int64_t sec;         /* the response's capture second */
	uint16_t status;
	bool final;          /* not a 1xx: counted by host and endpoint */
	bool lat;            /* latency known (tr_latency) */
	uint32_t first, last;
	const char *server;  /* the host's row name */
	const char *endpoint; /* the endpoint's row name: "METHOD endpoint" */
	uint32_t server_len, endpoint_len; /* their strlen */
	uint64_t server_hash, endpoint_hash; /* and their hashes, for the rows (worked out with the names: by a worker under -j) */
};

/* Room for tr_sample_of's names. */
#define TR_SAMPLE_TEXT 512

/*
 * t's sample, its names written in text (TR_SAMPLE_TEXT bytes); false
 * when t has no response.  On the thread that made t's heads: the row
 * names are read from its request head, or kept with it once the head is
 * handed out again (http_head.rows).
 */
bool tr_sample_of(const struct txn *t, struct tr_sample *s, char *text);

/* A copy of s in an allocation of its own (free), with its names after it, or NULL when memory ran out. */
struct tr_sample *tr_sample_dup(const struct tr_sample *s);

/* Counts a written transaction (its findings are final: after --baseline), from its sample (txn.brief) when it carries one. */
void tr_add(struct traffic *tr, const struct txn *t);

/* Counts a written transaction with findings findings from its sample alone. */
void tr_add_sample(struct traffic *tr, const struct tr_sample *s, unsigned findings);

/* Latency of t in microseconds: request end to the response's first byte (first) and last byte (last); false when unknown. */
bool tr_latency(const struct txn *t, uint32_t *first, uint32_t *last);

/* The endpoints and hosts, for the writers: name, requests, 4xx, 5xx, findings, latency. */
struct tr_row {
	const char *name;
	uint64_t requests, c4xx, c5xx, findings;
	struct tr_pct first, last;
};

/* Rows sorted by requests (or by findings when by_findings), then name; at most n (0: all). Caller frees. */
struct tr_row *tr_rows(const struct traffic *tr, bool endpoints, bool by_findings, uint32_t n, uint32_t *count);

/* Overall latency percentiles. */
void tr_overall(const struct traffic *tr, struct tr_pct *first, struct tr_pct *last);

#endif
