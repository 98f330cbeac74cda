/* floor.c: the cost of reading a capture through libpcap and doing nothing else: wirelint's floor. */
#include <fcntl.h>
#include <inttypes.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <string.h>

#include "mapread.h"

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
 * floor CAPTURE: libpcap opens and reads the file itself (pcap_open_offline),
 * the floor the issue defines.  floor --mapped CAPTURE: libpcap reads it
 * through the stream wirelint reads a regular file with (analyzer/mapread.h),
 * the same loop over a cheaper read.
 */
int main(int argc, char **argv)
{
	int mapped = argc == 3 && strcmp(argv[1], "--mapped") == 0;
	if (argc != 2 + mapped) {
		fprintf(stderr, "usage: floor [--mapped] CAPTURE\n");
		return 2;
	}
	const char *path = argv[1 + mapped];
	char ebuf[PCAP_ERRBUF_SIZE];
	pcap_t *p = NULL;
	if (mapped) {
		struct mapread *mr;
		int fd = open(path, O_RDONLY);
		FILE *f = fd >= 0 ? mapread_open(fd, 0, &mr) : NULL;
		if (!f) {
			perror(path);
			return 2;
		}
		p = pcap_fopen_offline(f, ebuf);
	} else {
		p = pcap_open_offline(path, ebuf);
	}
	if (!p) {
		fprintf(stderr, "floor: %s: %s\n", path, ebuf);
		return 2;
	}
	struct acc a = { 0, 0, 0 };
	if (pcap_loop(p, -1, touch, (u_char *)&a) == PCAP_ERROR) {
		fprintf(stderr, "floor: %s: %s\n", path, pcap_geterr(p));
		return 2;
	}
	pcap_close(p);
	printf("%" PRIu64 " packets, %" PRIu64 " bytes (%" PRIu64 ")\n", a.packets, a.bytes, a.sum & 1);
	return 0;
}
