/* evidence.c: -w FILE: the packets of every connection that produced a finding. */
#include "evidence.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ev_pkt {
	struct ev_pkt *next;
	int dlt;
	struct pcap_pkthdr h;
	uint8_t data[];
};

bool ev_open(struct evidence *ev, const char *path, uint32_t snaplen, char *err, size_t errlen)
{
	memset(ev, 0, sizeof *ev);
	ev->dlt = -1;
	ev->snaplen = snaplen;
	ev->per_conn = 1u << 20;
	ev->max_held = 64ull << 20;
	snprintf(ev->path, sizeof ev->path, "%s", path);
	/* Fail now, not at the first finding, if the file cannot be made. */
	FILE *f = fopen(path, "wb");
	if (!f) {
		snprintf(err, errlen, "%s: cannot write: %s", path, strerror(errno));
		return false;
	}
	fclose(f);
	return true;
}

static void write_pkt(struct evidence *ev, int dlt, const struct pcap_pkthdr *h, const uint8_t *data)
{
	if (ev->dlt < 0) {
		ev->dlt = dlt;
		ev->dead = pcap_open_dead(dlt, (int)ev->snaplen);
		ev->dumper = ev->dead ? pcap_dump_open(ev->dead, ev->path) : NULL;
		if (!ev->dumper)
			fprintf(stderr, "wirelint: -w %s: cannot write: %s\n", ev->path,
				ev->dead ? pcap_geterr(ev->dead) : "out of memory");
	}
	if (dlt != ev->dlt) {
		ev->other_linktype++;
		return;
	}
	if (!ev->dumper)
		return;
	pcap_dump((u_char *)ev->dumper, h, data);
	ev->written++;
}

void ev_packet(struct evidence *ev, struct ev_buf *b, int dlt, const struct timeval *ts, const uint8_t *data,
	       uint32_t caplen, uint32_t wirelen)
{
	struct pcap_pkthdr h = { .ts = *ts, .caplen = caplen, .len = wirelen };
	if (b->flagged) {
		write_pkt(ev, dlt, &h, data);
		return;
	}
	if (b->bytes + caplen > ev->per_conn || ev->held + caplen > ev->max_held) {
		ev->not_kept++;
		b->truncated = true;
		return;
	}
	struct ev_pkt *p = malloc(sizeof *p + caplen);
	if (!p) {
		ev->not_kept++;
		b->truncated = true;
		return;
	}
	p->next = NULL;
	p->dlt = dlt;
	p->h = h;
	memcpy(p->data, data, caplen);
	if (b->tail)
		b->tail->next = p;
	else
		b->head = p;
	b->tail = p;
	b->bytes += caplen;
	ev->held += caplen;
}

static void drop_held(struct evidence *ev, struct ev_buf *b, bool write)
{
	struct ev_pkt *p = b->head;
	while (p) {
		struct ev_pkt *n = p->next;
		if (write)
			write_pkt(ev, p->dlt, &p->h, p->data);
		ev->held -= p->h.caplen;
		free(p);
		p = n;
	}
	b->head = b->tail = NULL;
	b->bytes = 0;
}

void ev_flag(struct evidence *ev, struct ev_buf *b)
{
	if (b->flagged)
		return;
	b->flagged = true;
	drop_held(ev, b, true);
	if (ev->dumper)
		pcap_dump_flush(ev->dumper);
}

void ev_discard(struct evidence *ev, struct ev_buf *b)
{
	drop_held(ev, b, false);
}

bool ev_close(struct evidence *ev, char *err, size_t errlen)
{
	bool ok = true;
	if (ev->dumper) {
		if (pcap_dump_flush(ev->dumper) != 0) {
			snprintf(err, errlen, "%s: write error", ev->path);
			ok = false;
		}
		pcap_dump_close(ev->dumper);
	} else if (ev->dlt < 0) {
		/* No finding: an empty capture, so that the file is a capture. */
		pcap_t *d = pcap_open_dead(DLT_EN10MB, (int)ev->snaplen);
		pcap_dumper_t *w = d ? pcap_dump_open(d, ev->path) : NULL;
		if (w)
			pcap_dump_close(w);
		else {
			snprintf(err, errlen, "%s: cannot write", ev->path);
			ok = false;
		}
		if (d)
			pcap_close(d);
		d = NULL;
	}
	if (ev->dead)
		pcap_close(ev->dead);
	ev->dumper = NULL;
	ev->dead = NULL;
	return ok;
}
