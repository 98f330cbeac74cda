/*
 * load: a load generator of the kind the reference captures were
 * recorded under (wrk): C keep-alive connections to 127.0.0.1:PORT, each
 * asking "GET PATH" again and again, one request at a time, until N
 * requests have been answered in all.  PATH may be a list, "/a,/b,/c":
 * each connection then asks for them in turn, the i-th connection
 * starting at the i-th path, as a wrk script that cycles through URLs.
 * It reads each response to its end (by its Content-Length, or chunked;
 * a body is counted, not kept, so it may be of any size) before sending
 * the next request.  With -z the requests say "Accept-Encoding: gzip",
 * as browsers' do, so that a server set to compress answers chunked and
 * gzip.  After a response that says "Connection: close" (a server's cap
 * on requests a connection) the next request goes on a new connection,
 * as wrk opens one.  It stops with a message on the first error.  Made
 * for bench/record_nginx.sh.
 *   load [-z] PORT CONNECTIONS REQUESTS [PATH[,PATH...]]
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_PATHS 64

static int port;
static const char *paths[MAX_PATHS] = { "/" };
static int npaths = 1;
static bool gzip;
static atomic_long left;

/* Stops the whole run: what went wrong, and the system's reason when there is one. */
static void die(const char *what, bool sys)
{
	if (sys)
		fprintf(stderr, "load: %s: %s\n", what, strerror(errno));
	else
		fprintf(stderr, "load: %s\n", what);
	exit(1);
}

/* Reads more of the connection into buf[have..cap), keeping a NUL after what was read. */
static size_t read_more(int s, char *buf, size_t cap, size_t have)
{
	if (have + 1 >= cap)
		die("a response larger than the buffer", false);
	ssize_t n = read(s, buf + have, cap - 1 - have);
	if (n < 0)
		die("read", true);
	if (n == 0)
		die("the server closed the connection", false);
	have += (size_t)n;
	buf[have] = '\0';
	return have;
}

/* Drops the first n bytes of buf[0..*have), reading more as they are needed. */
static void consume(int s, char *buf, size_t cap, size_t *have, size_t n)
{
	while (*have < n) {
		n -= *have;
		*have = read_more(s, buf, cap, 0);
	}
	memmove(buf, buf + n, *have - n);
	*have -= n;
	buf[*have] = '\0';
}

/* The length of the line at buf's start, its CRLF included, reading until it is whole. */
static size_t line_len(int s, char *buf, size_t cap, size_t *have)
{
	char *end;
	while (!(end = memmem(buf, *have, "\r\n", 2)))
		*have = read_more(s, buf, cap, *have);
	return (size_t)(end - buf) + 2;
}

/* Drops the empty line (CRLF) at buf's start; stops with `otherwise` when the line is not empty. */
static void crlf(int s, char *buf, size_t cap, size_t *have, const char *otherwise)
{
	if (line_len(s, buf, cap, have) != 2)
		die(otherwise, false);
	consume(s, buf, cap, have, 2);
}

/*
 * Reads one response whose first `have` bytes are in buf, framed by its
 * Content-Length or as chunked (without trailer fields, as nginx sends
 * it); the body is counted, not kept, so it may be larger than buf.
 * Returns how many bytes past it were read, and in *closes whether it
 * says the server closes the connection after it.
 */
static size_t read_response(int s, char *buf, size_t cap, size_t have, bool *closes)
{
	char *end;
	while (!(end = memmem(buf, have, "\r\n\r\n", 4)))
		have = read_more(s, buf, cap, have);
	size_t head = (size_t)(end - buf) + 4;
	/* The head has no NUL (a server's would be malformed) and one follows what was read. */
	const char *conn = strcasestr(buf, "\r\nConnection: close\r\n");
	*closes = conn && conn < end;
	const char *cl = strcasestr(buf, "\r\nContent-Length:");
	const char *te = strcasestr(buf, "\r\nTransfer-Encoding: chunked\r\n");
	if (cl && cl < end) {
		consume(s, buf, cap, &have, head + strtoul(cl + 17, NULL, 10));
		return have;
	}
	if (!te || te > end)
		die("a response framed neither by Content-Length nor as chunked", false);
	consume(s, buf, cap, &have, head);
	for (;;) {
		size_t n = line_len(s, buf, cap, &have);
		char *stop;
		unsigned long size = strtoul(buf, &stop, 16);
		if (stop == buf)
			die("a chunk without its size", false);
		consume(s, buf, cap, &have, n);
		if (size == 0)
			break;
		consume(s, buf, cap, &have, size);
		crlf(s, buf, cap, &have, "a chunk longer than its size");
	}
	crlf(s, buf, cap, &have, "trailer fields after the last chunk");
	return have;
}

/* A new connection to the server, without Nagle's delay. */
static int open_conn(void)
{
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (s < 0 || connect(s, (struct sockaddr *)&sa, sizeof sa) != 0)
		die("connect", true);
	int one = 1;
	setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	return s;
}

static void *conn_main(void *arg)
{
	int k = (int)(intptr_t)arg % npaths;
	int s = open_conn();
	static _Thread_local char req[MAX_PATHS][512];
	int rl[MAX_PATHS];
	for (int i = 0; i < npaths; i++)
		rl[i] = snprintf(req[i], sizeof req[i], "GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n%s\r\n", paths[i], port,
			      gzip ? "Accept-Encoding: gzip\r\n" : "");
	static _Thread_local char buf[1 << 16];
	size_t have = 0;
	while (atomic_fetch_sub(&left, 1) > 0) {
		if (s < 0)
			s = open_conn();
		ssize_t w = write(s, req[k], (size_t)rl[k]);
		if (w != rl[k])
			die(w < 0 ? "write" : "a request written in part", w < 0);
		k = (k + 1) % npaths;
		bool closes;
		have = read_response(s, buf, sizeof buf, have, &closes);
		if (closes) { /* the next request, if any, opens a new one */
			close(s);
			s = -1;
			have = 0;
		}
	}
	if (s >= 0)
		close(s);
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "-z") == 0) {
		gzip = true;
		argv++;
		argc--;
	}
	if (argc < 4 || argc > 5) {
		fprintf(stderr, "usage: load [-z] PORT CONNECTIONS REQUESTS [PATH[,PATH...]]\n");
		return 2;
	}
	port = atoi(argv[1]);
	int conns = atoi(argv[2]);
	long n = atol(argv[3]);
	bool paths_ok = true;
	if (argc == 5) {
		npaths = 0;
		for (char *save = NULL, *p = strtok_r(argv[4], ",", &save); p; p = strtok_r(NULL, ",", &save)) {
			if (npaths == MAX_PATHS || strlen(p) > 256) {
				paths_ok = false;
				break;
			}
			paths[npaths++] = p;
		}
		paths_ok = paths_ok && npaths > 0;
	}
	if (port <= 0 || port > 65535 || conns <= 0 || conns > 1024 || n <= 0 || !paths_ok) {
		fprintf(stderr, "load: PORT 1-65535, CONNECTIONS 1-1024, REQUESTS > 0, 1 to %d PATHs of up to 256 bytes\n",
			MAX_PATHS);
		return 2;
	}
	atomic_store(&left, n);
	pthread_t *t = calloc((size_t)conns, sizeof *t);
	if (!t)
		die("calloc", true);
	for (int i = 0; i < conns; i++)
		if ((errno = pthread_create(&t[i], NULL, conn_main, (void *)(intptr_t)i)) != 0)
			die("pthread_create", true);
	for (int i = 0; i < conns; i++)
		pthread_join(t[i], NULL);
	free(t);
	return 0;
}
