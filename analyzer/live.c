/* live.c: reading packets from an interface, as tcpdump does. */
#include "live.h"

#include <errno.h>
#include <grp.h>
#include <inttypes.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <pwd.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine.h"

bool live_list(FILE *f)
{
	char ebuf[PCAP_ERRBUF_SIZE];
	pcap_if_t *all;
	if (pcap_findalldevs(&all, ebuf) != 0) {
		fprintf(stderr, "wirelint: -D: %s\n", ebuf);
		return false;
	}
	int i = 1;
	for (pcap_if_t *d = all; d; d = d->next, i++) {
		fprintf(f, "%d.%s", i, d->name);
		if (d->description)
			fprintf(f, " (%s)", d->description);
		fputs(" [", f);
		bool first = true;
#define FLAG(cond, text)                                     \
	if (cond) {                                          \
		fprintf(f, "%s%s", first ? "" : ", ", text); \
		first = false;                               \
	}
		FLAG(d->flags & PCAP_IF_UP, "Up");
		FLAG(d->flags & PCAP_IF_RUNNING, "Running");
		FLAG(d->flags & PCAP_IF_LOOPBACK, "Loopback");
		FLAG(d->flags & PCAP_IF_WIRELESS, "Wireless");
#undef FLAG
		fputs("]\n", f);
	}
	pcap_freealldevs(all);
	return true;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Gives up root for user, as tcpdump -Z does; false with err set when it does not hold. */
static bool drop_privileges(const char *user, char *err, size_t errlen)
{
	struct passwd *pw = getpwnam(user);
	if (!pw) {
		snprintf(err, errlen, "-Z %s: no such user", user);
		return false;
	}
	if (initgroups(pw->pw_name, pw->pw_gid) != 0 || setgid(pw->pw_gid) != 0 || setuid(pw->pw_uid) != 0) {
		snprintf(err, errlen, "-Z %s: cannot switch to that user: %s", user, strerror(errno));
		return false;
	}
	/* Refuse to go on as root when another user was asked for. */
	if (pw->pw_uid != 0 && (getuid() == 0 || geteuid() == 0 || setuid(0) == 0)) {
		snprintf(err, errlen, "-Z %s: still running as root after the switch", user);
		return false;
	}
	return true;
}

struct live_ctx {
	struct engine *e;
	int dlt;
	uint64_t packets;
};

static void on_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *data)
{
	struct live_ctx *c = (struct live_ctx *)user;
	c->packets++;
	c->e->rec_off = 0;
	c->e->data_off = 0;
	c->e->rec_len = 0;
	engine_frame(c->e, c->dlt, &h->ts, data, h->caplen, h->len > h->caplen ? h->len : h->caplen);
}

static void status_line(struct engine *e, pcap_t *p, double elapsed, uint64_t txn_before, double dt)
{
	struct pcap_stat ps = { 0 };
	pcap_stats(p, &ps);
	struct wl_stats counted;
	uint32_t open;
	engine_counters(e, &counted, &open);
	const struct wl_stats *st = &counted;
	uint64_t limited = st->conn_evicted + st->ooo_cap_reached + st->buffered_cap_reached + st->head_truncated +
			   st->headers_dropped + st->frag_dropped + st->pending_cap_reached;
	fprintf(stderr,
		"wirelint: %.0fs: %" PRIu64 " packets, %" PRIu64 " bytes, %" PRIu32 " connections open, %.1f transactions/s, %" PRIu64
		" findings, dropped: %u by the kernel, %u by the interface, %" PRIu64 " at wirelint's limits\n",
		elapsed, st->packets, st->bytes, open, dt > 0 ? (double)(st->transactions - txn_before) / dt : 0,
		st->findings, ps.ps_drop, ps.ps_ifdrop, limited);
}

bool live_run(struct engine *e, const struct live_opts *o, bool *capturing, char *err, size_t errlen)
{
	*capturing = false;
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	pcap_t *p = pcap_create(o->iface, ebuf);
	if (!p) {
		snprintf(err, errlen, "%s: %s", o->iface, ebuf);
		return false;
	}
	pcap_set_snaplen(p, (int)o->snaplen);
	pcap_set_promisc(p, o->promisc);
	/* Findings as soon as the packets that show them arrive, not when a
	 * kernel buffer fills. */
	pcap_set_immediate_mode(p, 1);
	if (o->buffer_kib)
		pcap_set_buffer_size(p, (int)(o->buffer_kib * 1024));
	int rc = pcap_activate(p);
	if (rc < 0) {
		snprintf(err, errlen, "%s: %s%s", o->iface, pcap_geterr(p),
			 rc == PCAP_ERROR_PERM_DENIED ? " (capturing needs root, or CAP_NET_RAW and CAP_NET_ADMIN: docs/live.md)"
						      : "");
		pcap_close(p);
		return false;
	}
	if (rc > 0)
		fprintf(stderr, "wirelint: %s: %s\n", o->iface, pcap_statustostr(rc));
	if (o->filter && *o->filter) {
		struct bpf_program prog;
		bpf_u_int32 net = 0, mask = PCAP_NETMASK_UNKNOWN;
		if (pcap_lookupnet(o->iface, &net, &mask, ebuf) != 0)
			mask = PCAP_NETMASK_UNKNOWN;
		if (pcap_compile(p, &prog, o->filter, 1, mask) != 0) {
			snprintf(err, errlen, "filter \"%s\": %s", o->filter, pcap_geterr(p));
			pcap_close(p);
			return false;
		}
		if (pcap_setfilter(p, &prog) != 0) {
			snprintf(err, errlen, "filter \"%s\": %s", o->filter, pcap_geterr(p));
			pcap_freecode(&prog);
			pcap_close(p);
			return false;
		}
		pcap_freecode(&prog);
	}
	if (o->user && !drop_privileges(o->user, err, errlen)) {
		pcap_close(p);
		return false;
	}
	struct live_ctx c = { e, pcap_datalink(p), 0 };
	if (!dec_link_supported(c.dlt)) {
		const char *name = pcap_datalink_val_to_name(c.dlt);
		snprintf(err, errlen, "%s: link type %d (%s) is not supported", o->iface, c.dlt, name ? name : "unknown");
		pcap_close(p);
		return false;
	}
	fprintf(stderr, "wirelint: listening on %s, link type %s, snapshot length %u bytes\n", o->iface,
		pcap_datalink_val_to_name(c.dlt) ? pcap_datalink_val_to_name(c.dlt) : "?", o->snaplen);
	*capturing = true;
	pcap_setnonblock(p, 1, ebuf);
	int fd = pcap_get_selectable_fd(p);
	double start = now_s(), next_status = start + o->stats_interval, last_status = start;
	uint64_t txn_at_status = 0;
	bool failed = false;
	while (!(e->stop && *e->stop) && !e->halted) {
		double t = now_s();
		if (o->duration_s && t - start >= (double)o->duration_s)
			break;
		if (o->count && c.packets >= o->count)
			break;
		/* Wait for packets at most 200 ms, so that stops, ticks and status
		 * lines come on time; a signal ends the wait at once. */
		struct pollfd pfd = { fd, POLLIN, 0 };
		bool ready = fd >= 0 ? poll(&pfd, 1, 200) > 0 : (usleep(20000), true);
		if (ready) {
			int want = o->count ? (int)(o->count - c.packets < 100000 ? o->count - c.packets : 100000) : -1;
			if (pcap_dispatch(p, want, on_packet, (u_char *)&c) == PCAP_ERROR) {
				snprintf(err, errlen, "%s: %s", o->iface, pcap_geterr(p));
				failed = true;
				break;
			}
		}
		engine_tick(e, (int64_t)time(NULL));
		if (o->stats_interval && (t = now_s()) >= next_status) {
			status_line(e, p, t - start, txn_at_status, t - last_status);
			txn_at_status = e->st.transactions;
			last_status = t;
			next_status = t + o->stats_interval;
		}
	}
	struct pcap_stat ps;
	if (pcap_stats(p, &ps) == 0) {
		e->st.kernel_dropped += ps.ps_drop;
		e->st.interface_dropped += ps.ps_ifdrop;
	}
	pcap_close(p);
	return !failed;
}
