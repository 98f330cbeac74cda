/*
 * load: a load generator of the kind the reference captures were
 * recorded under (wrk): C keep-alive connections to 127.0.0.1:PORT, each
 * asking "GET PATH" again and again, one request at a time, until N
 * requests have been answered in all.  PATH may be a list, "/a,/b,/c":
 * each connection then asks for them in turn, the i-th connection
 * starting at the i-th path, as a wrk script that cycles through URLs.
 * It reads each response to its end (by its Content-Length) before
 * sending the next request; a response that says "Connection: close" (a
 * server's cap on requests a connection) is followed by a new connection
 * in its place, as wrk opens one.  It stops with a message on the first
 * error.  Made for bench/record_nginx.sh.
 *   load PORT CONNECTIONS REQUESTS [PATH[,PATH...]]
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

/*
 * Reads one response whose first `have` bytes are in buf; returns how many
 * bytes past it were read, and in *closes whether it says the server
 * closes the connection after it.
 */
static size_t read_response(int s, char *buf, size_t cap, size_t have, bool *closes)
{
	char *end;
	while (!(end = memmem(buf, have, "\r\n\r\n", 4)))
		have = read_more(s, buf, cap, have);
	size_t head = (size_t)(end - buf) + 4;
	/* The head has no NUL (a server's would be malformed) and one follows what was read. */
	const char *cl = strcasestr(buf, "\r\nContent-Length:");
	if (!cl || cl > end)
		die("a response without Content-Length", false);
	const char *conn = strcasestr(buf, "\r\nConnection: close\r\n");
	*closes = conn && conn < end;
	size_t need = head + strtoul(cl + 17, NULL, 10);
	while (have < need)
		have = read_more(s, buf, cap, have);
	memmove(buf, buf + need, have - need);
	buf[have - need] = '\0';
	return have - need;
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
		rl[i] = snprintf(req[i], sizeof req[i], "GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n\r\n", paths[i], port);
	static _Thread_local char buf[1 << 16];
	size_t have = 0;
	while (atomic_fetch_sub(&left, 1) > 0) {
		ssize_t w = write(s, req[k], (size_t)rl[k]);
		if (w != rl[k])
			die(w < 0 ? "write" : "a request written in part", w < 0);
		k = (k + 1) % npaths;
		bool closes;
		have = read_response(s, buf, sizeof buf, have, &closes);
		if (closes) {
			close(s);
			s = open_conn();
			have = 0;
		}
	}
	close(s);
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc < 4 || argc > 5) {
		fprintf(stderr, "usage: load PORT CONNECTIONS REQUESTS [PATH[,PATH...]]\n");
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
