/* floor.c: the cost of reading a capture through libpcap and doing nothing else: wirelint's floor. */
#include <inttypes.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/*
 * floor CAPTURE: libpcap opens and reads the file itself
 * (pcap_open_offline, stdio's 4 KiB reads): the floor the targets are
 * set against.  floor --buffer N CAPTURE: the same loop over a stream
 * with an N-byte buffer, as wirelint reads (64 KiB), to show how much of
 * a ratio comes from the larger reads.
 */
int main(int argc, char **argv)
{
	size_t buffer = 0;
	if (argc == 4 && strcmp(argv[1], "--buffer") == 0) {
		buffer = strtoul(argv[2], NULL, 10);
		argv += 2;
		argc -= 2;
	}
	if (argc != 2) {
		fprintf(stderr, "usage: floor [--buffer BYTES] CAPTURE\n");
		return 2;
	}
	char ebuf[PCAP_ERRBUF_SIZE];
	pcap_t *p;
	char *vbuf = NULL;
	if (buffer) {
		FILE *f = fopen(argv[1], "rb");
		vbuf = malloc(buffer);
		if (!f || !vbuf) {
			perror(argv[1]);
			return 2;
		}
		setvbuf(f, vbuf, _IOFBF, buffer);
		p = pcap_fopen_offline(f, ebuf);
	} else {
		p = pcap_open_offline(argv[1], ebuf);
	}
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
	free(vbuf);
	printf("%" PRIu64 " packets, %" PRIu64 " bytes (%" PRIu64 ")\n", a.packets, a.bytes, a.sum & 1);
	return 0;
}
