/* mapread.c: a stream that reads a regular file through a sliding read-only mapping. */
#define _GNU_SOURCE /* fopencookie, MAP_POPULATE */
#include "mapread.h"

#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define WINDOW (4u << 20)   /* bytes of the file mapped at a time */
#define BUFFER (64u << 10)  /* the stream's buffer: stays in the core's cache */

struct mapread {
	int fd;
	off_t pos;          /* of the next byte to read */
	uint8_t *map;       /* the window; NULL before the first read */
	off_t map_off;      /* the file offset of map[0], a multiple of the page size */
	size_t map_len;     /* bytes of the file in the window */
	bool no_map;        /* mmap refused: read with pread */
	bool shrank;        /* a read faulted past the file's new end */
	uint64_t size_then;
};

/* The read in progress on this thread, for the SIGBUS handler; NULL outside one. */
static _Thread_local sigjmp_buf *volatile guard; /* volatile: the stores around the copy must stay */
static struct sigaction previous;
static pthread_mutex_t installing = PTHREAD_MUTEX_INITIALIZER;

static void on_sigbus(int sig, siginfo_t *si, void *uc)
{
	if (guard)
		siglongjmp(*guard, 1);
	/* Not ours: what was there before (a sanitizer's report), or the default. */
	if ((previous.sa_flags & SA_SIGINFO) && previous.sa_sigaction) {
		previous.sa_sigaction(sig, si, uc);
	} else if (!(previous.sa_flags & SA_SIGINFO) && previous.sa_handler != SIG_DFL &&
		   previous.sa_handler != SIG_IGN) {
		previous.sa_handler(sig);
	} else {
		/* On return the faulting access runs again, and the default action kills as it would have. */
		signal(SIGBUS, SIG_DFL);
	}
}

/* Puts the handler in place unless it is there: each time a stream is made, in case another took its place since. */
static void install(void)
{
	struct sigaction sa;
	pthread_mutex_lock(&installing);
	if (sigaction(SIGBUS, NULL, &sa) == 0 && (sa.sa_flags & SA_SIGINFO) && sa.sa_sigaction == on_sigbus) {
		pthread_mutex_unlock(&installing);
		return;
	}
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_sigbus;
	/* NODEFER: the handler leaves by siglongjmp, which then need not restore the signal mask. */
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, &previous);
	pthread_mutex_unlock(&installing);
}

/* Maps the window holding m->pos; 1 when mapped, 0 at the end of the file, -1 on error. */
static int slide(struct mapread *m)
{
	if (m->map) {
		munmap(m->map, m->map_len);
		m->map = NULL;
	}
	struct stat sb;
	if (fstat(m->fd, &sb) != 0)
		return -1;
	if (m->pos >= sb.st_size)
		return 0;
	off_t off = m->pos & ~(off_t)(sysconf(_SC_PAGESIZE) - 1);
	size_t len = sb.st_size - off < (off_t)WINDOW ? (size_t)(sb.st_size - off) : WINDOW;
	void *p = mmap(NULL, len, PROT_READ, MAP_PRIVATE | MAP_POPULATE, m->fd, off);
	if (p == MAP_FAILED) {
		m->no_map = true;
		return -1;
	}
	m->map = p;
	m->map_off = off;
	m->map_len = len;
	return 1;
}

/* memcpy that returns false instead of dying when the source faults (SIGBUS past a file's end). */
static bool copy_guarded(void *dst, const void *src, size_t n)
{
	sigjmp_buf jb;
	if (sigsetjmp(jb, 0)) {
		guard = NULL;
		return false;
	}
	guard = &jb;
	memcpy(dst, src, n);
	guard = NULL;
	return true;
}

static ssize_t mr_read(void *cookie, char *buf, size_t size)
{
	struct mapread *m = cookie;
	if (m->shrank) {
		errno = EIO;
		return -1;
	}
	if (!m->no_map && (!m->map || m->pos >= m->map_off + (off_t)m->map_len)) {
		int r = slide(m);
		if (r == 0)
			return 0;
		if (r < 0 && !m->no_map)
			return -1;
	}
	if (m->no_map) {
		ssize_t n = pread(m->fd, buf, size, m->pos);
		if (n > 0)
			m->pos += n;
		return n;
	}
	size_t left = (size_t)(m->map_off + (off_t)m->map_len - m->pos);
	size_t n = size < left ? size : left;
	const uint8_t *src = m->map + (m->pos - m->map_off);
	bool copied = copy_guarded(buf, src, n);
	/* The file may have been cut before or during the copy: past its
	 * new end the copy faults, or, within the last page, reads zeros.
	 * Its length after the copy says how much of the copy is real. */
	struct stat sb;
	bool known = fstat(m->fd, &sb) == 0;
	if (!copied || (known && sb.st_size < m->pos + (off_t)n)) {
		m->shrank = true;
		m->size_then = known ? (uint64_t)sb.st_size : 0;
		size_t real = known && sb.st_size > m->pos ? (size_t)(sb.st_size - m->pos) : 0;
		if (real > n)
			real = n;
		if (!copied && real && !copy_guarded(buf, src, real))
			real = 0;
		if (!real) {
			errno = EIO;
			return -1;
		}
		n = real;
	}
	m->pos += (off_t)n;
	return (ssize_t)n;
}

static int mr_close(void *cookie)
{
	struct mapread *m = cookie;
	if (m->map)
		munmap(m->map, m->map_len);
	int r = close(m->fd);
	free(m);
	return r;
}

FILE *mapread_open(int fd, off_t start, struct mapread **mr)
{
	install();
	struct mapread *m = calloc(1, sizeof *m);
	if (!m)
		return NULL;
	m->fd = fd;
	m->pos = start;
	cookie_io_functions_t io = { .read = mr_read, .close = mr_close };
	FILE *f = fopencookie(m, "rb", io);
	if (!f) {
		free(m);
		return NULL;
	}
	setvbuf(f, NULL, _IOFBF, BUFFER);
	*mr = m;
	return f;
}

bool mapread_shrank(const struct mapread *mr, uint64_t *size)
{
	if (mr->shrank && size)
		*size = mr->size_then;
	return mr->shrank;
}
