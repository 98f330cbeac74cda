/* capture.c: reading saved captures (pcap and pcapng) through libpcap. */
#include "capture.h"

#include <inttypes.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <string.h>

#include "decode.h"

enum cap_result cap_read_file(struct engine *e, const char *path, char *err, size_t errlen)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	pcap_t *pc = pcap_open_offline(path, ebuf);
	if (!pc) {
		/* libpcap names the file itself at times; the caller does. */
		size_t pl = strlen(path);
		const char *msg = ebuf;
		if (strncmp(msg, path, pl) == 0 && msg[pl] == ':' && msg[pl + 1] == ' ')
			msg += pl + 2;
		snprintf(err, errlen, "%s", msg);
		return CAP_OPEN_FAILED;
	}
	int dlt = pcap_datalink(pc);
	if (!dec_link_supported(dlt)) {
		const char *name = pcap_datalink_val_to_name(dlt);
		snprintf(err, errlen, "link type %d (%s) is not supported", dlt, name ? name : "unknown");
		pcap_close(pc);
		return CAP_OPEN_FAILED;
	}
	struct pcap_pkthdr *h;
	const u_char *data;
	int r;
	while ((r = pcap_next_ex(pc, &h, &data)) == 1) {
		uint32_t caplen = h->caplen;
		if (caplen > h->len)
			h->len = caplen;
		engine_frame(e, dlt, &h->ts, data, caplen, h->len);
	}
	enum cap_result res = CAP_OK;
	if (r == PCAP_ERROR) {
		snprintf(err, errlen, "%s (after packet %" PRIu64 ")", pcap_geterr(pc), e->frame);
		res = CAP_READ_FAILED;
	}
	pcap_close(pc);
	return res;
}
