/* test_pipeline.c: frames in, transactions and findings out, through the whole engine. */
#include "wl_test.h"

#include <pcap/dlt.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "limits.h"
#include "rule.h"
#include "config.h"
#include "rules_file.h"
#include "traffic.h"
#include "txn.h"

#define CLI 0x0a000001u /* 10.0.0.1, only as bytes in synthetic frames: nothing is sent */
#define SRV 0x0a000002u

struct run {
	struct engine e;
	struct out out;
	char *buf;
	size_t len;
	uint32_t cseq, sseq; /* next sequence numbers, per side */
	long t;
};

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* Sends one raw IPv4/TCP frame. */
static void frame(struct run *r, uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport, uint32_t seq,
		  uint8_t flags, const char *data, size_t n)
{
	uint8_t f[2048];
	memset(f, 0, 40);
	f[0] = 0x45;
	f[2] = (uint8_t)((40 + n) >> 8);
	f[3] = (uint8_t)(40 + n);
	f[8] = 64;
	f[9] = 6;
	put32(f + 12, src);
	put32(f + 16, dst);
	f[20] = (uint8_t)(sport >> 8);
	f[21] = (uint8_t)sport;
	f[22] = (uint8_t)(dport >> 8);
	f[23] = (uint8_t)dport;
	put32(f + 24, seq);
	f[32] = 5 << 4;
	f[33] = flags;
	memcpy(f + 40, data, n);
	struct timeval ts = { 1700000000 + r->t / 1000000, r->t % 1000000 };
	r->t += 1000;
	engine_frame(&r->e, DLT_RAW, &ts, f, (uint32_t)(40 + n), (uint32_t)(40 + n));
}

static void start(struct run *r, const struct wl_limits *lim)
{
	char err[256];
	rules_init();
	assert_int_equal(rules_load_builtin(err, sizeof err), 0);
	/* The synthetic responses here carry no Date or Content-Type; those
	 * rules have their own tests (tests/cases/rules-date.case). */
	config_apply('d', "missing-date", -1);
	config_apply('d', "missing-content-type", -1);
	config_apply('d', "host-not-rejected", -1);
	memset(r, 0, sizeof *r);
	struct wl_limits def;
	limits_default(&def);
	r->out.f = open_memstream(&r->buf, &r->len);
	r->out.fmt = OUT_JSONL;
	engine_init(&r->e, lim ? lim : &def, &r->out);
	engine_begin_file(&r->e, "test.pcap");
	r->cseq = 1000;
	r->sseq = 5000;
}

static void handshake(struct run *r, uint16_t cport)
{
	frame(r, CLI, cport, SRV, 80, r->cseq - 1, TCP_SYN, "", 0);
	frame(r, SRV, 80, CLI, cport, r->sseq - 1, TCP_SYN | TCP_ACK, "", 0);
}

static void client_sends(struct run *r, uint16_t cport, const char *s)
{
	frame(r, CLI, cport, SRV, 80, r->cseq, TCP_ACK | TCP_PSH, s, strlen(s));
	r->cseq += (uint32_t)strlen(s);
}

/* The server sends s in segments of step bytes (0: one segment). */
static void server_sends(struct run *r, uint16_t cport, const char *s, size_t step)
{
	size_t n = strlen(s);
	if (!step)
		step = n;
	for (size_t off = 0; off < n; off += step) {
		size_t k = n - off < step ? n - off : step;
		frame(r, SRV, 80, CLI, cport, r->sseq + (uint32_t)off, TCP_ACK, s + off, k);
	}
	r->sseq += (uint32_t)n;
}

static void finish(struct run *r)
{
	engine_end_file(&r->e);
	fflush(r->out.f);
}

static void stop(struct run *r)
{
	engine_free(&r->e);
	fclose(r->out.f);
	free(r->buf);
}

static int count(const char *hay, const char *needle)
{
	int n = 0;
	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

static const char ok200[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

static void test_redirect_without_location(void **state)
{
	struct run r;
	start(&r, NULL);
	handshake(&r, 40000);
	client_sends(&r, 40000, "GET /old HTTP/1.1\r\nHost: a.test\r\n\r\n");
	server_sends(&r, 40000, "HTTP/1.1 301 Moved Permanently\r\nContent-Length: 0\r\n\r\n", 0);
	finish(&r);
	assert_int_equal(count(r.buf, "\"type\":\"transaction\""), 1);
	assert_int_equal(count(r.buf, "\"rule\":\"missing-location\""), 1);
	assert_non_null(strstr(r.buf, "\"client\":\"10.0.0.1:40000\",\"server\":\"10.0.0.2:80\""));
	assert_non_null(strstr(r.buf, "\"method\":\"GET\",\"uri\":\"/old\""));
	assert_non_null(strstr(r.buf, "\"host\":\"a.test\""));
	assert_int_equal(r.e.st.by_rule[rule_by_id("missing-location")], 1);
	assert_int_equal(r.e.max_sev, SEV_ERROR);
	stop(&r);
}

/* A 204 framed by Content-Length: 5, with the five bytes sent, then a 200:
 * body-forbidden on the 204, and the 200 still read, however the bytes are cut. */
static void test_204_content_then_resync(void **state)
{
	for (size_t step = 0; step <= 8; step++) {
		struct run r;
		start(&r, NULL);
		handshake(&r, 40001);
		client_sends(&r, 40001, "DELETE /x HTTP/1.1\r\n\r\nGET /y HTTP/1.1\r\n\r\n");
		server_sends(&r, 40001, "HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\nhelloHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", step);
		finish(&r);
		assert_int_equal(count(r.buf, "\"type\":\"transaction\""), 2);
		assert_int_equal(count(r.buf, "\"rule\":\"body-forbidden\""), 1);
		assert_int_equal(count(r.buf, "malformed"), 0);
		assert_non_null(strstr(r.buf, "\"uri\":\"/y\",\"conn\":1,\"index\":1,\"host\":null,\"version\":\"1.1\",\"status\":200"));
		stop(&r);
	}
}

/* A 304 and a HEAD response with Content-Length and no content are clean. */
static void test_bodiless_framing(void **state)
{
	struct run r;
	start(&r, NULL);
	handshake(&r, 40002);
	/* Pipelined: both requests before any response. */
	client_sends(&r, 40002, "HEAD /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\nIf-None-Match: \"x\"\r\n\r\nGET /c HTTP/1.1\r\n\r\n");
	server_sends(&r, 40002,
		     "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n"
		     "HTTP/1.1 304 Not Modified\r\nContent-Length: 1000\r\n\r\n"
		     "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
		     7);
	finish(&r);
	assert_int_equal(count(r.buf, "\"type\":\"transaction\""), 3);
	assert_int_equal(count(r.buf, "\"type\":\"finding\""), 0);
	assert_non_null(strstr(r.buf, "\"uri\":\"/c\""));
	stop(&r);
}

static void test_head_with_content(void **state)
{
	struct run r;
	start(&r, NULL);
	handshake(&r, 40003);
	client_sends(&r, 40003, "HEAD /a HTTP/1.1\r\n\r\n");
	server_sends(&r, 40003, "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nbody", 0);
	client_sends(&r, 40003, "GET /b HTTP/1.1\r\n\r\n");
	server_sends(&r, 40003, ok200, 0);
	finish(&r);
	assert_int_equal(count(r.buf, "\"rule\":\"head-body\""), 1);
	assert_int_equal(count(r.buf, "\"type\":\"finding\""), 1);
	assert_int_equal(count(r.buf, "\"type\":\"transaction\""), 2);
	stop(&r);
}

/* Segments of the response arrive in reverse order. */
static void test_out_of_order(void **state)
{
	static const char resp[] = "HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n";
	struct run r;
	start(&r, NULL);
	handshake(&r, 40004);
	client_sends(&r, 40004, "GET /p HTTP/1.1\r\n\r\n");
	size_t n = strlen(resp);
	for (size_t off = n; off > 0;) {
		size_t k = off >= 10 ? 10 : off;
		off -= k;
		frame(&r, SRV, 80, CLI, 40004, r.sseq + (uint32_t)off, TCP_ACK, resp + off, k);
	}
	finish(&r);
	assert_int_equal(count(r.buf, "\"rule\":\"missing-www-authenticate\""), 1);
	assert_int_equal(r.e.st.gaps, 0);
	stop(&r);
}

static void test_interim_response(void **state)
{
	struct run r;
	start(&r, NULL);
	handshake(&r, 40005);
	client_sends(&r, 40005, "POST /u HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n");
	server_sends(&r, 40005, "HTTP/1.1 100 Continue\r\n\r\n", 0);
	client_sends(&r, 40005, "hi");
	server_sends(&r, 40005, "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n", 0);
	finish(&r);
	assert_int_equal(count(r.buf, "\"type\":\"transaction\""), 2);
	assert_int_equal(count(r.buf, "\"uri\":\"/u\",\"conn\""), 2);
	assert_non_null(strstr(r.buf, "\"status\":100"));
	assert_non_null(strstr(r.buf, "\"interim\":true"));
	assert_int_equal(count(r.buf, "\"rule\":\"missing-retry-after\""), 1);
	assert_int_equal(r.e.st.requests_unanswered, 0);
	stop(&r);
}

static void test_unpaired_and_unanswered(void **state)
{
	struct run r;
	start(&r, NULL);
	handshake(&r, 40006);
	/* A response with no request, then a request with no response. */
	server_sends(&r, 40006, ok200, 0);
	client_sends(&r, 40006, "GET /never HTTP/1.1\r\n\r\n");
	finish(&r);
	assert_int_equal(r.e.st.responses_unpaired, 1);
	assert_int_equal(r.e.st.requests_unanswered, 1);
	assert_non_null(strstr(r.buf, "\"method\":null,\"uri\":null"));
	assert_non_null(strstr(r.buf, "\"uri\":\"/never\",\"conn\":1,\"index\":1,\"host\":null,\"version\":\"1.1\",\"status\":null,\"reason\":null"));
	stop(&r);
}

/* No SYN: the capture starts in the middle of a response body. */
static void test_mid_stream_pickup(void **state)
{
	struct run r;
	start(&r, NULL);
	frame(&r, SRV, 80, CLI, 40007, 7000, TCP_ACK, "tail of a body", 14);
	frame(&r, CLI, 40007, SRV, 80, 3000, TCP_ACK, "GET /next HTTP/1.1\r\n\r\n", 22);
	frame(&r, SRV, 80, CLI, 40007, 7014, TCP_ACK, "HTTP/1.1 405 Method Not Allowed\r\n\r\n", 36);
	finish(&r);
	assert_int_equal(count(r.buf, "\"rule\":\"missing-allow\""), 1);
	assert_non_null(strstr(r.buf, "\"client\":\"10.0.0.1:40007\""));
	assert_int_equal(r.e.st.bytes_skipped, 14);
	stop(&r);
}

static void test_not_http(void **state)
{
	struct run r;
	start(&r, NULL);
	handshake(&r, 40008);
	client_sends(&r, 40008, "\x16\x03\x01\x00\x05hello");
	server_sends(&r, 40008, "\x16\x03\x03\x00\x02hi", 0);
	finish(&r);
	assert_int_equal(r.e.st.non_http_connections, 1);
	assert_int_equal(r.e.st.http_connections, 0);
	assert_int_equal(count(r.buf, "\"type\""), 0);
	stop(&r);
}

/* Connection 1 starts first and ends last: its transactions still come first. */
static void test_output_order(void **state)
{
	struct run r;
	start(&r, NULL);
	frame(&r, CLI, 41001, SRV, 80, 99, TCP_SYN, "", 0);
	frame(&r, CLI, 41002, SRV, 80, 99, TCP_SYN, "", 0);
	frame(&r, CLI, 41002, SRV, 80, 100, TCP_ACK, "GET /second HTTP/1.1\r\n\r\n", 24);
	frame(&r, SRV, 80, CLI, 41002, 100, TCP_ACK, ok200, strlen(ok200));
	frame(&r, CLI, 41001, SRV, 80, 100, TCP_ACK, "GET /first HTTP/1.1\r\n\r\n", 23);
	frame(&r, SRV, 80, CLI, 41001, 100, TCP_ACK, ok200, strlen(ok200));
	finish(&r);
	char *a = strstr(r.buf, "/first"), *b = strstr(r.buf, "/second");
	assert_non_null(a);
	assert_non_null(b);
	assert_true(a < b);
	stop(&r);
}

/* At the connection cap the oldest connection is flushed and counted; nothing is lost. */
static void test_connection_cap(void **state)
{
	struct wl_limits lim;
	limits_default(&lim);
	lim.max_flows = 1;
	struct run r;
	start(&r, &lim);
	frame(&r, CLI, 42001, SRV, 80, 99, TCP_SYN, "", 0);
	frame(&r, CLI, 42001, SRV, 80, 100, TCP_ACK, "GET /a HTTP/1.1\r\n\r\n", 19);
	frame(&r, CLI, 42002, SRV, 80, 99, TCP_SYN, "", 0);
	frame(&r, CLI, 42002, SRV, 80, 100, TCP_ACK, "GET /b HTTP/1.1\r\n\r\n", 19);
	finish(&r);
	assert_int_equal(r.e.st.conn_evicted, 1);
	assert_int_equal(r.e.st.requests_unanswered, 2);
	assert_int_equal(count(r.buf, "\"type\":\"transaction\""), 2);
	stop(&r);
}

/* Connections idle past the timeout (capture time) are flushed. */
static void test_idle_timeout(void **state)
{
	struct wl_limits lim;
	limits_default(&lim);
	lim.idle_timeout_s = 10;
	struct run r;
	start(&r, &lim);
	handshake(&r, 43001);
	client_sends(&r, 43001, "GET /a HTTP/1.1\r\n\r\n");
	r.t += 60 * 1000000L;
	frame(&r, CLI, 43002, SRV, 80, 99, TCP_SYN, "", 0);
	assert_int_equal(r.e.st.conn_timed_out, 1);
	fflush(r.out.f);
	assert_int_equal(count(r.buf, "\"uri\":\"/a\""), 1);
	finish(&r);
	stop(&r);
}

static void test_malformed_response(void **state)
{
	struct run r;
	start(&r, NULL);
	handshake(&r, 40009);
	client_sends(&r, 40009, "GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\n");
	server_sends(&r, 40009, "HTTP/1.1 200 OK\r\nBad Header\r\n\r\nHTTP/1.1 200 OK\r\n\r\n", 0);
	finish(&r);
	assert_int_equal(count(r.buf, "\"rule\":\"malformed-response\""), 1);
	assert_non_null(strstr(r.buf, "Invalid header token"));
	/* The second request is reported, unanswered: nothing lost. */
	assert_int_equal(r.e.st.requests_unanswered, 1);
	assert_int_equal(r.e.st.parse_errors, 1);
	stop(&r);
}

/* A status line that does not parse right after a complete response: the
 * finding pairs with the next request and does not inherit the previous
 * status (llhttp keeps it until the next status line replaces it). */
static void test_malformed_after_complete(void **state)
{
	struct run r;
	start(&r, NULL);
	handshake(&r, 40010);
	client_sends(&r, 40010, "GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\n");
	server_sends(&r, 40010, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 2X0 OK\r\n\r\n", 0);
	finish(&r);
	assert_int_equal(count(r.buf, "\"rule\":\"malformed-response\""), 1);
	assert_non_null(strstr(r.buf, "\"uri\":\"/b\",\"status\":null}"));
	assert_null(strstr(r.buf, "\"ts\":0."));
	assert_int_equal(r.e.st.responses, 1);
	stop(&r);
}

/* Bytes after a response framed by Content-Length that start no status
 * line: content beyond the announced length. */
static void test_content_beyond_length(void **state)
{
	struct run r;
	start(&r, NULL);
	handshake(&r, 40015);
	client_sends(&r, 40015, "GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\n");
	server_sends(&r, 40015, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokEXTRA\r\nHTTP/1.1 204 No Content\r\n\r\n", 3);
	finish(&r);
	assert_int_equal(count(r.buf, "\"rule\":\"content-length-mismatch\""), 1);
	assert_non_null(strstr(r.buf, "\"uri\":\"/a\",\"status\":200}"));
	assert_non_null(strstr(r.buf, "\"uri\":\"/b\",\"conn\":1,\"index\":1,\"host\":null,\"version\":\"1.1\",\"status\":204"));
	assert_int_equal(r.e.st.bytes_skipped, 7);
	stop(&r);
}

/* A reply with no status line at all (HTTP/0.9 style) is status-line-malformed. */
static void test_no_status_line(void **state)
{
	struct run r;
	start(&r, NULL);
	handshake(&r, 40011);
	client_sends(&r, 40011, "GET / HTTP/1.1\r\n\r\n");
	server_sends(&r, 40011, "<html>hello</html>", 0);
	finish(&r);
	assert_int_equal(count(r.buf, "\"rule\":\"status-line-malformed\""), 1);
	assert_non_null(strstr(r.buf, "no status line"));
	assert_non_null(strstr(r.buf, "\"uri\":\"/\",\"status\":null}"));
	assert_int_equal(r.e.st.requests_unanswered, 0);
	assert_int_equal(r.e.st.http_connections, 1);
	assert_int_equal(r.e.st.non_http_connections, 0);
	stop(&r);
}

/* Content after a 204 that itself starts like a status line: reported with
 * the capture time of the packet it came in, not a zero time. */
static void test_stray_that_looks_like_status(void **state)
{
	struct run r;
	start(&r, NULL);
	handshake(&r, 40012);
	client_sends(&r, 40012, "DELETE /x HTTP/1.1\r\n\r\n");
	server_sends(&r, 40012, "HTTP/1.1 204 No Content\r\nContent-Length: 16\r\n\r\nHTTP/1.1 is fine", 0);
	finish(&r);
	assert_int_equal(count(r.buf, "\"rule\":\"malformed-response\""), 1);
	assert_null(strstr(r.buf, "\"ts\":0."));
	assert_null(strstr(r.buf, "\"frame\":0,"));
	stop(&r);
}

/* After a 101 the connection carries WebSocket frames: not HTTP, not errors. */
static void test_upgrade_tunnel(void **state)
{
	struct run r;
	start(&r, NULL);
	handshake(&r, 40013);
	client_sends(&r, 40013, "GET /ws HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n");
	server_sends(&r, 40013, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n\x81\x02hi", 0);
	client_sends(&r, 40013, "\x81\x82" "abcd\x09\x0b");
	server_sends(&r, 40013, "\x81\x03" "bye", 0);
	finish(&r);
	assert_int_equal(r.e.st.tunnels, 1);
	assert_int_equal(r.e.st.parse_errors, 0);
	assert_int_equal(count(r.buf, "\"type\":\"transaction\""), 1);
	assert_int_equal(count(r.buf, "\"type\":\"finding\""), 0);
	assert_non_null(strstr(r.buf, "\"status\":101"));
	stop(&r);
}

/* A 2xx to CONNECT opens a tunnel; a refused upgrade leaves HTTP going on. */
static void test_connect_and_refused_upgrade(void **state)
{
	struct run r;
	start(&r, NULL);
	handshake(&r, 40014);
	client_sends(&r, 40014, "GET /ws HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n");
	server_sends(&r, 40014, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n", 0);
	client_sends(&r, 40014, "CONNECT example.test:443 HTTP/1.1\r\nHost: example.test:443\r\n\r\n");
	server_sends(&r, 40014, "HTTP/1.1 200 Connection Established\r\n\r\n", 0);
	client_sends(&r, 40014, "\x16\x03\x01\x00\x05hello");
	server_sends(&r, 40014, "\x16\x03\x03\x00\x02hi", 0);
	finish(&r);
	assert_int_equal(r.e.st.tunnels, 1);
	assert_int_equal(r.e.st.parse_errors, 0);
	assert_int_equal(count(r.buf, "\"type\":\"transaction\""), 2);
	assert_int_equal(count(r.buf, "\"type\":\"finding\""), 0);
	stop(&r);
}

/* The test's own RFC 1071 checksum, to build frames with correct sums. */
static uint16_t csum(const uint8_t *p, size_t n, uint32_t acc)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		acc += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		acc += (uint32_t)p[n - 1] << 8;
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	return (uint16_t)~acc;
}

/* Checksums are counted with --verify-checksums, never used to drop a packet. */
static void test_checksums(void **state)
{
	static const char req[] = "GET / HTTP/1.1\r\n\r\n";
	uint8_t f[100];
	size_t n = 40 + strlen(req);
	memset(f, 0, sizeof f);
	f[0] = 0x45;
	f[3] = (uint8_t)n;
	f[8] = 64;
	f[9] = 6;
	put32(f + 12, CLI);
	put32(f + 16, SRV);
	f[20] = 0x9c;
	f[21] = 0x40;
	f[23] = 80;
	put32(f + 24, 1000);
	f[32] = 5 << 4;
	f[33] = TCP_ACK | TCP_PSH;
	memcpy(f + 40, req, strlen(req));
	uint16_t ipc = csum(f, 20, 0);
	f[10] = (uint8_t)(ipc >> 8);
	f[11] = (uint8_t)ipc;
	uint32_t pseudo = (CLI >> 16) + (CLI & 0xffff) + (SRV >> 16) + (SRV & 0xffff) + 6 + (uint32_t)(n - 20);
	uint16_t tc = csum(f + 20, n - 20, pseudo);
	f[36] = (uint8_t)(tc >> 8);
	f[37] = (uint8_t)tc;

	struct run r;
	start(&r, NULL);
	r.e.verify_checksums = true;
	struct timeval ts = { 1700000000, 0 };
	engine_frame(&r.e, DLT_RAW, &ts, f, (uint32_t)n, (uint32_t)n);
	assert_int_equal(r.e.st.bad_ip_checksums, 0);
	assert_int_equal(r.e.st.bad_tcp_checksums, 0);
	f[45] ^= 1; /* a payload bit: the TCP sum breaks */
	f[11] ^= 1; /* and the IP header's */
	engine_frame(&r.e, DLT_RAW, &ts, f, (uint32_t)n, (uint32_t)n);
	assert_int_equal(r.e.st.bad_ip_checksums, 1);
	assert_int_equal(r.e.st.bad_tcp_checksums, 1);
	/* Still analysed: the bad copy is a retransmission of the first here. */
	assert_int_equal(r.e.st.connections, 1);
	finish(&r);
	assert_int_equal(r.e.st.requests_unanswered, 1);
	stop(&r);
}

/* Multipart content is kept for the multipart rules within a shared budget;
 * a response the budget cannot hold is counted and its parts not judged. */
static void test_kept_content_budget(void **state)
{
	static const char resp[] = "HTTP/1.1 206 Partial Content\r\n"
				   "Content-Type: multipart/byteranges; boundary=B\r\n"
				   "Content-Length: 31\r\n\r\n"
				   "--B\r\nContent-Type: a/b\r\n\r\nx\r\n--B--\r\n";
	for (int room = 0; room < 2; room++) {
		struct run r;
		start(&r, NULL);
		r.e.keep.max = room ? 4096 : 0;
		handshake(&r, 40100);
		client_sends(&r, 40100, "GET /m HTTP/1.1\r\nRange: bytes=0-0,2-2\r\n\r\n");
		server_sends(&r, 40100, resp, 0);
		finish(&r);
		/* With room, the part is read and lacks Content-Range; without,
		 * it is not judged, and the summary counts it. */
		assert_int_equal(count(r.buf, "\"rule\":\"multipart-part-missing-content-range\""), room ? 1 : 0);
		assert_int_equal(r.e.st.content_not_kept, room ? 0 : 1);
		assert_int_equal(r.e.keep.used, 0);
		stop(&r);
	}
}

/* The traffic of test_counted_at_once: a connection left open while a later one has its exchanges (overlapping_end answers it). */
static void overlapping(struct run *r)
{
	uint32_t a = 100, b = 100, sb = 100;
	static const char *const exchanges[][2] = {
		{ "GET /items/1 HTTP/1.1\r\nHost: b.test\r\n\r\n", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok" },
		{ "GET /items/2 HTTP/1.1\r\nHost: B.Test:80\r\n\r\n", "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n" },
		{ "POST /items HTTP/1.1\r\nHost: b.test\r\nExpect: 100-continue\r\nContent-Length: 0\r\n\r\n",
		  "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n" },
		{ "GET /x HTTP/1.1\r\n\r\n", "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 5\r\nContent-Length: 0\r\n\r\n" },
	};
	frame(r, CLI, 41001, SRV, 80, a - 1, TCP_SYN, "", 0);
	frame(r, CLI, 41002, SRV, 80, b - 1, TCP_SYN, "", 0);
	const char *qa = "GET /a HTTP/1.1\r\nHost: a.test\r\n\r\n";
	frame(r, CLI, 41001, SRV, 80, a, TCP_ACK, qa, strlen(qa));
	a += (uint32_t)strlen(qa);
	for (size_t i = 0; i < sizeof exchanges / sizeof exchanges[0]; i++) {
		const char *q = exchanges[i][0], *p = exchanges[i][1];
		frame(r, CLI, 41002, SRV, 80, b, TCP_ACK, q, strlen(q));
		b += (uint32_t)strlen(q);
		frame(r, SRV, 80, CLI, 41002, sb, TCP_ACK, p, strlen(p));
		sb += (uint32_t)strlen(p);
	}
}

static void overlapping_end(struct run *r)
{
	frame(r, SRV, 80, CLI, 41001, 100, TCP_ACK, ok200, strlen(ok200));
	finish(r);
}

static void rows_equal(const struct traffic *x, const struct traffic *y, bool endpoints)
{
	uint32_t nx, ny;
	struct tr_row *rx = tr_rows(x, endpoints, false, 0, &nx), *ry = tr_rows(y, endpoints, false, 0, &ny);
	assert_int_equal(nx, ny);
	for (uint32_t i = 0; i < nx; i++) {
		assert_string_equal(rx[i].name, ry[i].name);
		assert_int_equal(rx[i].requests, ry[i].requests);
		assert_int_equal(rx[i].c4xx, ry[i].c4xx);
		assert_int_equal(rx[i].c5xx, ry[i].c5xx);
		assert_int_equal(rx[i].findings, ry[i].findings);
		assert_memory_equal(&rx[i].first, &ry[i].first, sizeof rx[i].first);
		assert_memory_equal(&rx[i].last, &ry[i].last, sizeof rx[i].last);
	}
	free(rx);
	free(ry);
}

static void test_sample(void **state)
{
	/* What the statistics take of a transaction: the row names with
	 * their lengths, for a final response; none for a 1xx. */
	static const char *const host[] = { "Host", "Api.Test", NULL };
	struct txn *t = txn_new();
	t->req = mk_head(0, 1, "GET", "/users/7?x", 0, NULL, host);
	t->resp = mk_head(1, 0, NULL, NULL, 100, "Continue", NULL);
	t->flags = TXN_INTERIM;
	struct tr_sample s;
	char text[TR_SAMPLE_TEXT];
	assert_true(tr_sample_of(t, &s, text));
	assert_false(s.final);
	assert_int_equal(s.status, 100);
	assert_int_equal(s.server_len, 0);
	assert_int_equal(s.endpoint_len, 0);
	t->flags = 0;
	t->resp->status = 200;
	assert_true(tr_sample_of(t, &s, text));
	assert_true(s.final);
	assert_string_equal(s.server, "api.test");
	assert_int_equal(s.server_len, 8);
	assert_string_equal(s.endpoint, "GET /users/{id}");
	assert_int_equal(s.endpoint_len, 15);
	/* A copy with its names after it, as the merge makes it for a
	 * transaction it writes (tr_sample_dup): the names its own, not the
	 * text's, which the worker fills again. */
	struct tr_sample *own = tr_sample_dup(&s);
	memset(text, 'x', sizeof text);
	assert_non_null(own);
	assert_ptr_equal(own->server, (char *)(own + 1));
	assert_ptr_equal(own->endpoint, own->server + 9);
	assert_string_equal(own->server, "api.test");
	assert_string_equal(own->endpoint, "GET /users/{id}");
	assert_int_equal(own->server_len, 8);
	assert_int_equal(own->endpoint_len, 15);
	assert_true(own->server_hash == s.server_hash && own->endpoint_hash == s.endpoint_hash);
	assert_int_equal(own->status, 200);
	assert_true(own->final);
	free(own);
	assert_true(tr_sample_of(t, &s, text));
	head_unref(t->req);
	t->req = NULL;
	assert_true(tr_sample_of(t, &s, text));
	assert_string_equal(s.endpoint, "- -");
	assert_int_equal(s.endpoint_len, 3);
	head_unref(t->resp);
	t->resp = NULL;
	assert_false(tr_sample_of(t, &s, text));
	txn_free(t);
}

/* One exchange on a connection of its own from cport to the server at srv. */
static void exchange_with(struct run *r, uint32_t srv, uint16_t cport, const char *req, const char *resp)
{
	frame(r, CLI, cport, srv, 80, r->cseq - 1, TCP_SYN, "", 0);
	frame(r, srv, 80, CLI, cport, r->sseq - 1, TCP_SYN | TCP_ACK, "", 0);
	frame(r, CLI, cport, srv, 80, r->cseq, TCP_ACK | TCP_PSH, req, strlen(req));
	r->cseq += (uint32_t)strlen(req);
	frame(r, srv, 80, CLI, cport, r->sseq, TCP_ACK | TCP_PSH, resp, strlen(resp));
	r->sseq += (uint32_t)strlen(resp);
}

/* The requests counted in the row named name of the hosts' (or endpoints') table. */
static uint64_t row_requests(const struct traffic *tr, bool endpoints, const char *name)
{
	uint32_t n;
	struct tr_row *rows = tr_rows(tr, endpoints, false, 0, &n);
	uint64_t k = 0;
	for (uint32_t i = 0; i < n; i++)
		if (strcmp(rows[i].name, name) == 0)
			k = rows[i].requests;
	free(rows);
	return k;
}

/*
 * Requests alike share one head (hb_freeze_alike), and the statistics'
 * row names kept with it (http_head.rows) once it is shared.  Without a
 * Host the server's row is the connection's address, not the head's:
 * requests alike without one, to two servers by turns, are each counted
 * under their own server's address; with a Host, under the host.
 */
static void test_requests_alike(void **state)
{
	struct run r;
	start(&r, NULL);
	for (int i = 0; i < 6; i++)
		exchange_with(&r, SRV + (uint32_t)(i % 2), (uint16_t)(41000 + i), "GET /a HTTP/1.1\r\n\r\n", ok200);
	for (int i = 0; i < 6; i++)
		exchange_with(&r, SRV + (uint32_t)(i % 2), (uint16_t)(41100 + i),
			      "GET /a HTTP/1.1\r\nHost: H.test\r\n\r\n", ok200);
	finish(&r);
	assert_int_equal(r.e.st.transactions, 12);
	assert_int_equal(row_requests(&r.e.traffic, false, "10.0.0.2"), 3);
	assert_int_equal(row_requests(&r.e.traffic, false, "10.0.0.3"), 3);
	assert_int_equal(row_requests(&r.e.traffic, false, "h.test"), 6);
	assert_int_equal(row_requests(&r.e.traffic, true, "GET /a"), 12);
	stop(&r);
}

static void test_counted_at_once(void **state)
{
	/* A transaction that would wait for an earlier connection to end,
	 * without findings, is counted (the summary, the statistics) at once
	 * when the format writes nothing for it (text, SARIF, JUnit); one
	 * with findings waits for its turn, as every one does in JSON Lines,
	 * which writes them all.  The statistics come out the same. */
	struct run whole, cut;
	start(&whole, NULL);
	assert_null(whole.e.seq.at_once);
	start(&cut, NULL);
	engine_free(&cut.e);
	cut.out.fmt = OUT_TEXT;
	struct wl_limits def;
	limits_default(&def);
	engine_init(&cut.e, &def, &cut.out);
	engine_begin_file(&cut.e, "test.pcap");
	assert_non_null(cut.e.seq.at_once);
	overlapping(&whole);
	overlapping(&cut);
	/* The second connection's 200, 404, 100 and 201 are finished (its
	 * 503, without content, is finished by what comes next): all four
	 * wait in JSON Lines; in text, only the 201 without Location. */
	assert_int_equal(whole.e.st.transactions, 0);
	assert_int_equal(whole.e.seq.pending, 4);
	assert_int_equal(cut.e.st.transactions, 3);
	assert_int_equal(cut.e.st.findings, 0);
	assert_int_equal(cut.e.seq.pending, 1);
	overlapping_end(&whole);
	overlapping_end(&cut);
	assert_int_equal(whole.e.st.transactions, 6);
	assert_int_equal(cut.e.st.transactions, whole.e.st.transactions);
	assert_int_equal(cut.e.st.findings, whole.e.st.findings);
	assert_true(whole.e.st.findings >= 1); /* the 201 without Location waits whole */
	rows_equal(&whole.e.traffic, &cut.e.traffic, false);
	rows_equal(&whole.e.traffic, &cut.e.traffic, true);
	struct tr_pct wf, wl, cf, cl;
	tr_overall(&whole.e.traffic, &wf, &wl);
	tr_overall(&cut.e.traffic, &cf, &cl);
	assert_int_equal(wf.count, 5);
	assert_memory_equal(&wf, &cf, sizeof wf);
	assert_memory_equal(&wl, &cl, sizeof wl);
	assert_memory_equal(whole.e.traffic.series, cut.e.traffic.series, sizeof whole.e.traffic.series);
	stop(&whole);
	stop(&cut);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_redirect_without_location),
		cmocka_unit_test(test_204_content_then_resync),
		cmocka_unit_test(test_bodiless_framing),
		cmocka_unit_test(test_head_with_content),
		cmocka_unit_test(test_out_of_order),
		cmocka_unit_test(test_interim_response),
		cmocka_unit_test(test_unpaired_and_unanswered),
		cmocka_unit_test(test_mid_stream_pickup),
		cmocka_unit_test(test_not_http),
		cmocka_unit_test(test_output_order),
		cmocka_unit_test(test_connection_cap),
		cmocka_unit_test(test_idle_timeout),
		cmocka_unit_test(test_malformed_response),
		cmocka_unit_test(test_malformed_after_complete),
		cmocka_unit_test(test_content_beyond_length),
		cmocka_unit_test(test_no_status_line),
		cmocka_unit_test(test_stray_that_looks_like_status),
		cmocka_unit_test(test_upgrade_tunnel),
		cmocka_unit_test(test_connect_and_refused_upgrade),
		cmocka_unit_test(test_checksums),
		cmocka_unit_test(test_kept_content_budget),
		cmocka_unit_test(test_sample),
		cmocka_unit_test(test_requests_alike),
		cmocka_unit_test(test_counted_at_once),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
