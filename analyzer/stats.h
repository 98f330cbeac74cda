/* stats.h: the counters every run reports in its summary. */
#ifndef WL_STATS_H
#define WL_STATS_H

#include <stdint.h>

#include "rule.h"

/*
 * One list generates the fields, their summary names and their
 * descriptions, so a counter added here shows in every output format.
 * The name is the key in the jsonl summary; the text is the text summary's.
 */
#define WL_COUNTERS(X)                                                                           \
	X(packets, "packets read")                                                               \
	X(bytes, "bytes read")                                                                   \
	X(pkt_truncated, "packets cut short by the snap length (treated as holes)")              \
	X(pkt_not_ip, "packets that are not IPv4 or IPv6")                                       \
	X(pkt_not_tcp, "IP packets that are not TCP")                                            \
	X(pkt_fragment, "IP fragments seen")                                                     \
	X(frag_reassembled, "IPv4 datagrams put together from fragments")                       \
	X(frag_dropped, "fragmented datagrams dropped incomplete (timeout or --max-frag-bytes)") \
	X(frag_overlaps, "IPv4 fragments overlapping bytes already held (first copy kept)")     \
	X(frag_ipv6, "IPv6 fragments (not reassembled; skipped)")                                \
	X(pkt_malformed, "packets too short or inconsistent for their headers")                  \
	X(pkt_link_unsupported, "packets of an unsupported link type")                           \
	X(pkt_tunneled, "TCP segments taken out of a tunnel (IP in IP, GRE, ERSPAN, VXLAN, Geneve)") \
	X(ts_backwards, "packets whose timestamp is earlier than the packet before")             \
	X(snaplen_zero, "pcap files whose header gives a snap length of 0")                       \
	X(bad_ip_checksums, "IPv4 headers with a bad checksum (--verify-checksums)")             \
	X(bad_tcp_checksums, "TCP segments with a bad checksum (--verify-checksums)")            \
	X(connections, "TCP connections seen")                                                   \
	X(http_connections, "connections carrying HTTP")                                         \
	X(non_http_connections, "connections with payload that is not HTTP/1.x")                 \
	X(conn_evicted, "connections flushed early at the connection cap")                       \
	X(conn_timed_out, "connections flushed after the idle timeout")                          \
	X(ooo_cap_reached, "times a direction reached an out-of-order byte cap")                 \
	X(buffered_cap_reached, "times out-of-order bytes reached the cap over all connections") \
	X(gaps, "holes in a TCP stream that never filled")                                       \
	X(gap_bytes, "bytes missing in those holes")                                             \
	X(gaps_acked, "of those, holes declared at once: the receiver had acknowledged the bytes") \
	X(overlap_mismatch, "retransmitted bytes that differed from the first copy")             \
	X(overlap_unchecked, "retransmitted bytes too old to compare (--overlap-window)")        \
	X(overlap_window_denied, "directions given no comparison window, or a smaller one (--max-buffered-bytes)") \
	X(bytes_skipped, "payload bytes skipped while looking for a message start")              \
	X(parse_errors, "directions that stopped at an HTTP parse error")                        \
	X(bytes_after_error, "payload bytes ignored after a parse error")                        \
	X(tunnels, "connections switched to another protocol (101, CONNECT)")                    \
	X(tunnel_bytes, "bytes after a protocol switch (counted, not parsed)")                   \
	X(head_truncated, "message heads cut at the header-size cap")                            \
	X(headers_dropped, "header fields dropped at the header-count cap")                      \
	X(pending_cap_reached, "requests written unanswered at the --max-pending-requests cap")  \
	X(requests_unanswered, "requests with no response in the capture")                       \
	X(responses_in_holes, "of those, requests whose response began in a hole in the capture") \
	X(responses_unpaired, "responses with no request in the capture")                        \
	X(txn_incomplete, "transactions cut short (hole, close or end of capture)")              \
	X(output_reordered, "transactions written out of connection order at the --max-held-transactions cap")\
	X(redirect_clients_forgotten, "clients whose redirect chains were forgotten at the cap")   \
	X(history_forgotten, "URLs, servers and clients forgotten at the --max-history cap")      \
	X(content_not_kept, "multipart/byteranges responses whose parts were not all kept (content cap)") \
	X(baseline_suppressed, "findings suppressed by --baseline (already accepted)")             \
	X(baseline_unmatched, "findings of --baseline that no longer occur")                       \
	X(after_max_findings, "transactions not written after --max-findings was reached")         \
	X(report_dropped, "findings not in the SARIF or JUnit report (its cap)")                  \
	X(kernel_dropped, "packets the kernel dropped (live capture, pcap_stats)")                 \
	X(interface_dropped, "packets the interface dropped (live capture, pcap_stats)")           \
	X(evidence_written, "packets written to -w FILE")                                          \
	X(evidence_not_kept, "packets of connections not kept for -w FILE (its caps)")             \
	X(evidence_other_linktype, "packets left out of -w FILE: another link type than the first") \
	X(endpoints_other, "transactions counted under (other): past 10000 hosts or endpoints")    \
	X(latency_histograms, "latency sets past their exact samples: percentiles from histograms") \
	X(redirect_chains_not_listed, "redirect chains counted but not listed (1000 listed)")

struct wl_stats {
#define WL_STATS_FIELD(name, text) uint64_t name;
	WL_COUNTERS(WL_STATS_FIELD)
#undef WL_STATS_FIELD
	uint64_t transactions;      /* transaction records written */
	uint64_t responses;         /* responses seen, interim ones included */
	uint64_t status_class[7];   /* [1..5] = 1xx..5xx, [0] other */
	uint64_t status[1000];      /* responses by status code (0..999) */
	uint64_t findings;          /* findings of every rule */
	uint64_t by_rule[RULE_MAX];
	uint64_t by_severity[SEV_COUNT];
};

/* Calls fn for each counter in list order, with its name, text and value. */
void stats_each_counter(const struct wl_stats *s,
			void (*fn)(void *ctx, const char *name, const char *text, uint64_t v), void *ctx);

/* Counts one response with this status code. */
void stats_count_status(struct wl_stats *s, int status);

/* Adds every counter of from to to (the workers' counters, -j). */
void stats_add(struct wl_stats *to, const struct wl_stats *from);

#endif
