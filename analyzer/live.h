/* live.h: reading packets from an interface, as tcpdump does, through the same pipeline as a file. */
#ifndef WL_LIVE_H
#define WL_LIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct engine;

struct live_opts {
	const char *iface;        /* -i: a name, or "any" */
	const char *filter;       /* BPF expression, or NULL */
	uint32_t snaplen;         /* -s */
	bool promisc;             /* not -p */
	uint32_t buffer_kib;      /* -B: 0 keeps libpcap's default */
	uint64_t count;           /* -c: stop after this many packets (0: no limit) */
	uint64_t duration_s;      /* --duration: stop after this long (0: no limit) */
	uint32_t stats_interval;  /* seconds between status lines on stderr (0: none) */
	const char *user;         /* -Z: run as this user once the interface is open */
};

/* Prints the interfaces as tcpdump -D does; false (message printed) when they cannot be listed. */
bool live_list(FILE *f);

/*
 * Opens the interface (immediate mode, the filter compiled and set), drops
 * privileges to o->user if given, and feeds every packet to e until a
 * stop: -c, --duration, *e->stop (SIGINT, SIGTERM), or e->halted.  Kernel
 * drops (pcap_stats) go into e's counters.  Returns false, with err set,
 * when the interface cannot be opened, the filter does not compile, or the
 * privileges cannot be dropped (*capturing false: nothing was read), or
 * when reading stops at an error (*capturing true).
 */
bool live_run(struct engine *e, const struct live_opts *o, bool *capturing, char *err, size_t errlen);

#endif
