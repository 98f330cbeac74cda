/* floor.c: the cost of reading a capture through libpcap and doing nothing else: wirelint's floor. */
#include <inttypes.h>
#include <pcap/pcap.h>
#include <stdio.h>

struct acc {
	uint64_t packets, bytes, sum;
};

static void touch(u_char *user, const struct pcap_pkthdr *h, const u_char *data)
{
	struct acc *a = (struct acc *)user;
	a->packets++;
	a->bytes += h->caplen;
	/* Touch the packet, so its bytes are read from memory as wirelint's would be. */
	if (h->caplen)
		a->sum += data[0] + data[h->caplen - 1];
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: floor CAPTURE\n");
		return 2;
	}
	char ebuf[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_open_offline(argv[1], ebuf);
	if (!p) {
		fprintf(stderr, "floor: %s: %s\n", argv[1], ebuf);
		return 2;
	}
	struct acc a = { 0, 0, 0 };
	if (pcap_loop(p, -1, touch, (u_char *)&a) == PCAP_ERROR) {
		fprintf(stderr, "floor: %s: %s\n", argv[1], pcap_geterr(p));
		return 2;
	}
	pcap_close(p);
	printf("%" PRIu64 " packets, %" PRIu64 " bytes (%" PRIu64 ")\n", a.packets, a.bytes, a.sum & 1);
	return 0;
}
