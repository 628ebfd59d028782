/* lhvwork sendfile: Apache's pattern in Uhlig et al.'s measurement. Each of
 * T client threads asks its own server thread for a file over loopback TCP
 * (a 4-byte request holding the size); the server answers with sendfile()
 * from a tmpfs file; the client reads the reply and checks every byte. The
 * kernel work (socket locks, the loopback path, softirqs, page cache) is
 * where its spinlocks are held. One operation = one request and its reply;
 * latency = that round trip. -b: reply size (default 16 KiB); -c: a new
 * connection per request (accept/connect/close are kernel-lock-heavy too). */
#define _GNU_SOURCE
#include "lhvwork.h"
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <unistd.h>

struct sf {
	int lfd;                /* listening socket */
	int file;               /* the tmpfs file that is sent */
	size_t size;
	struct sockaddr_in addr;
	bool reconnect;
	uint8_t *pattern;       /* the file's contents */
	volatile int closing;
};

static uint8_t pattern_byte(size_t i) { return (uint8_t)(i * 131 + (i >> 9) + 7); }

/* An initramfs boots with the loopback interface down: bring it up (the
 * kernel then gives it 127.0.0.1). Needs CAP_NET_ADMIN; if already up,
 * nothing changes. */
static int loopback_up(void)
{
	struct ifreq ifr;
	int s = socket(AF_INET, SOCK_DGRAM, 0), rc = -1;

	if (s < 0)
		return -1;
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "lo");
	if (ioctl(s, SIOCGIFFLAGS, &ifr) == 0) {
		if (ifr.ifr_flags & IFF_UP)
			rc = 0;
		else {
			ifr.ifr_flags |= IFF_UP;
			rc = ioctl(s, SIOCSIFFLAGS, &ifr);
		}
	}
	close(s);
	return rc;
}

static bool read_full(int fd, void *buf, size_t n)
{
	uint8_t *p = buf;

	while (n) {
		ssize_t r = read(fd, p, n);
		if (r <= 0) {
			if (r < 0 && errno == EINTR)
				continue;
			return false;
		}
		p += r;
		n -= (size_t)r;
	}
	return true;
}

static bool write_full(int fd, const void *buf, size_t n)
{
	const uint8_t *p = buf;

	while (n) {
		ssize_t r = write(fd, p, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return false;
		p += r;
		n -= (size_t)r;
	}
	return true;
}

static void nodelay(int fd)
{
	int one = 1;

	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

/* Serve one connection until the client closes it. */
static void serve(struct sf *s, int c)
{
	uint32_t req;

	nodelay(c);
	while (read_full(c, &req, sizeof(req))) {
		off_t off = 0;
		size_t left = req <= s->size ? req : s->size;

		while (left) {
			ssize_t r = sendfile(c, s->file, &off, left);
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				goto out;
			left -= (size_t)r;
		}
	}
out:
	close(c);
}

static void *server(void *arg)
{
	struct sf *s = arg;

	for (;;) {
		int c = accept(s->lfd, NULL, NULL);

		if (c < 0) {
			if (s->closing)
				return NULL;
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			perror("sendfile: accept");
			return NULL;
		}
		serve(s, c);
	}
}

static int connect_to(struct sf *s)
{
	int c = socket(AF_INET, SOCK_STREAM, 0);

	if (c < 0)
		return -1;
	if (connect(c, (struct sockaddr *)&s->addr, sizeof(s->addr)) != 0) {
		close(c);
		return -1;
	}
	nodelay(c);
	return c;
}

/* Close without TIME_WAIT (a reset), so per-request connections cannot use
 * up the ephemeral ports in a long run. */
static void close_now(int c)
{
	struct linger l = { 1, 0 };

	setsockopt(c, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
	close(c);
}

static void client(struct wl_worker *w)
{
	struct sf *s = w->ctx;
	uint8_t *buf = malloc(s->size);
	uint32_t req = (uint32_t)s->size;
	int c = -1;

	if (!buf) {
		wl_error(w, "out of memory");
		return;
	}
	while (wl_more(w)) {
		uint64_t t0 = wl_now_ns();

		if (c < 0 && (c = connect_to(s)) < 0) {
			wl_error(w, "connect: %s", strerror(errno));
			wl_done(w, t0);
			continue;
		}
		if (!write_full(c, &req, sizeof(req)) || !read_full(c, buf, s->size)) {
			wl_error(w, "request %llu: connection failed", (unsigned long long)w->ops);
			close_now(c);
			c = -1;
		} else if (memcmp(buf, s->pattern, s->size) != 0) {
			wl_error(w, "request %llu: reply differs from the file", (unsigned long long)w->ops);
		}
		if (c >= 0 && s->reconnect) {
			close_now(c);
			c = -1;
		}
		wl_done(w, t0);
	}
	if (c >= 0)
		close(c);
	free(buf);
}

int lw_sendfile(struct lw_args *a)
{
	static pthread_t servers[WL_MAX_THREADS];
	struct sf s = { .size = (size_t)a->bytes, .reconnect = a->reconnect };
	char path[] = "/tmp/lhvwork-sendfile.XXXXXX", extra[96];
	socklen_t alen = sizeof(s.addr);
	struct wl_worker *ws;
	uint64_t ns, bytes = 0;
	int rc;

	if (a->bytes > (1L << 30)) {
		fprintf(stderr, "sendfile: -b %ld: at most 1 GiB\n", a->bytes);
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	if (loopback_up() != 0)
		fprintf(stderr, "sendfile: cannot bring 'lo' up (%s); trying anyway\n", strerror(errno));
	s.pattern = malloc(s.size);
	s.file = mkstemp(path);
	if (!s.pattern || s.file < 0) {
		perror("sendfile: file");
		return 1;
	}
	unlink(path);
	for (size_t i = 0; i < s.size; i++)
		s.pattern[i] = pattern_byte(i);
	if (!write_full(s.file, s.pattern, s.size)) {
		perror("sendfile: writing the file");
		return 1;
	}
	s.lfd = socket(AF_INET, SOCK_STREAM, 0);
	s.addr.sin_family = AF_INET;
	s.addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	s.addr.sin_port = 0;
	if (s.lfd < 0 || bind(s.lfd, (struct sockaddr *)&s.addr, sizeof(s.addr)) != 0 ||
	    listen(s.lfd, 1024) != 0 || getsockname(s.lfd, (struct sockaddr *)&s.addr, &alen) != 0) {
		perror("sendfile: listening socket on 127.0.0.1");
		return 1;
	}
	for (long i = 0; i < a->o.threads; i++)
		if ((rc = pthread_create(&servers[i], NULL, server, &s)) != 0) {
			fprintf(stderr, "sendfile: server thread: %s\n", strerror(rc));
			return 1;
		}

	wl_run(&a->o, client, &s, &ws, &ns);

	/* Shutting the listening socket down wakes every accept() (EINVAL). */
	s.closing = 1;
	shutdown(s.lfd, SHUT_RDWR);
	for (long i = 0; i < a->o.threads; i++)
		pthread_join(servers[i], NULL);
	close(s.lfd);
	close(s.file);
	for (long i = 0; i < a->o.threads; i++)
		bytes += ws[i].ops * s.size;
	snprintf(extra, sizeof(extra), "bytes=%zu mb_per_s=%.2f reconnect=%d", s.size,
		 (double)bytes / ((double)ns / 1e9) / 1e6, s.reconnect ? 1 : 0);
	return wl_result(&a->o, ws, ns, true, extra);
}
