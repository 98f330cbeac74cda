/* limits.h: the caps that bound wirelint's memory, with their defaults. */
#ifndef WL_LIMITS_H
#define WL_LIMITS_H

#include <stdint.h>

/*
 * Every structure that grows with the input has a cap here.  Reaching a cap
 * never drops data silently: the event is counted in struct wl_stats and
 * shows in the summary.  docs/architecture.md lists them with their options.
 */
struct wl_limits {
	uint32_t max_flows;            /* TCP connections tracked at once (--max-connections) */
	uint32_t max_ooo_bytes;        /* out-of-order bytes held per direction (--max-ooo-bytes) */
	uint64_t max_buffered_bytes;   /* out-of-order bytes held over all connections (--max-buffered-bytes) */
	uint32_t max_header_bytes;     /* bytes kept of one message head (start line + fields) (--max-header-bytes) */
	uint32_t max_headers;          /* header fields kept per message (--max-headers) */
	uint32_t max_pending_requests; /* requests awaiting their response per connection */
	uint32_t idle_timeout_s;       /* capture seconds without a packet before a flush (--idle-timeout) */
	uint32_t max_pending_output;   /* transactions held back to keep output in connection order */
	uint32_t max_hunt_bytes;       /* bytes searched for the first message of a mid-stream connection */
	uint32_t overlap_window;       /* bytes kept per direction to compare retransmissions with (--overlap-window) */
	uint32_t max_frag_bytes;       /* IPv4 fragment bytes held for reassembly (--max-frag-bytes) */
	uint32_t frag_timeout_s;       /* capture seconds a datagram may take to complete */
	uint32_t max_history;          /* URLs, servers and clients remembered for the rules that compare (--max-history) */
};

#define WL_DEFAULT_MAX_FLOWS 65536u
#define WL_DEFAULT_MAX_OOO_BYTES (1u << 20)
#define WL_DEFAULT_MAX_BUFFERED_BYTES (64ull << 20)
#define WL_DEFAULT_MAX_HEADER_BYTES (64u << 10)
#define WL_DEFAULT_MAX_HEADERS 256u
#define WL_DEFAULT_MAX_PENDING_REQUESTS 64u
#define WL_DEFAULT_IDLE_TIMEOUT_S 300u
#define WL_DEFAULT_MAX_PENDING_OUTPUT 100000u
#define WL_DEFAULT_MAX_HUNT_BYTES (64u << 10)
#define WL_DEFAULT_OVERLAP_WINDOW 2048u
#define WL_DEFAULT_MAX_FRAG_BYTES (4u << 20)
#define WL_DEFAULT_FRAG_TIMEOUT_S 30u
#define WL_DEFAULT_MAX_HISTORY 65536u
#define WL_MAX_BASELINE_ENTRIES 1000000u /* distinct findings a baseline holds */
#define WL_MAX_ENDPOINTS 10000u          /* hosts, and endpoints, counted apart; more go under "(other)" */
#define WL_MAX_REPORT_FINDINGS 200000u   /* findings a SARIF or JUnit report holds */
#define WL_MAX_KEPT_CONTENT (4u << 20) /* multipart/byteranges content held at once, all connections */
#define WL_MAX_REDIRECT_CLIENTS 65536u /* clients whose redirect chains are followed */

void limits_default(struct wl_limits *l);

#endif
