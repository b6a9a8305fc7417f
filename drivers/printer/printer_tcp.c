/*
 * printer_tcp.c — the "tcp:HOST:PORT" backend: a network printer's raw
 * port (JetDirect style, usually 9100), with DLE EOT status over the same
 * connection.
 *
 *     tcp:192.0.2.7:9100   tcp:[2001:db8::7]:9100   tcp:bondrucker:9100
 *     tcp:HOST             port 9100
 *
 * Properties:
 *  1. HOST goes through getaddrinfo (IPv4, IPv6, names); each address is
 *     tried in turn with a non-blocking connect and a poll() timeout of
 *     TCP_CONNECT_TIMEOUT_MS.
 *  2. printer_open() connects, so a printer that is off or unreachable is
 *     reported at once (PRINTER_ERR_OFFLINE, naming host and port); a name
 *     that does not resolve is PRINTER_ERR_OPEN.
 *  3. The connection is kept between jobs. Before a job, a connection the
 *     printer has closed (reboot, idle timeout) is noticed and replaced, so
 *     no job is written into a dead socket. Refused, reset or broken
 *     connections are PRINTER_ERR_OFFLINE and the socket is closed; the
 *     next job or status connects again.
 *  4. Every wait has a timeout: data must move within TCP_WRITE_TIMEOUT_MS
 *     (PRINTER_ERR_TIMEOUT, connection dropped so the next job starts on a
 *     clean stream); *written counts what the kernel accepted.
 *  5. Status: bytes already waiting are drained, then DLE EOT 1..4 are
 *     asked one at a time, each answer awaited within the overall
 *     TCP_STATUS_BUDGET_MS.
 *
 * It does NOT speak LPR/IPP, and it cannot tell how much of what the kernel
 * accepted reached the paper: the status after the job says that.
 */
#include "drivers/printer/printer_int.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define TCP_DEFAULT_PORT "9100"
#define TCP_CONNECT_TIMEOUT_MS 3000
#define TCP_WRITE_TIMEOUT_MS 5000  /* no progress for this long: give up */
#define TCP_DRAIN_TIMEOUT_MS 10
#define TCP_STATUS_BUDGET_MS 900   /* whole status query: contract 5 */

struct tcp_ctx {
	int fd;                    /* -1 while not connected */
	char host[256];
	char port[8];
};

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Splits HOST:PORT, [V6]:PORT, HOST or [V6]. */
static int parse_hostport(const char *arg, struct tcp_ctx *t)
{
	const char *host = arg, *port = NULL, *end;
	size_t hlen;
	char *stop;
	long pn;

	if (arg[0] == '[') {
		end = strchr(arg, ']');
		if (!end || (end[1] && end[1] != ':'))
			return -1;
		host = arg + 1;
		hlen = (size_t)(end - host);
		port = end[1] ? end + 2 : NULL;
	} else {
		end = strrchr(arg, ':');
		if (end && strchr(arg, ':') != end)
			return -1;         /* bare IPv6 needs brackets */
		hlen = end ? (size_t)(end - arg) : strlen(arg);
		port = end ? end + 1 : NULL;
	}
	if (!hlen || hlen >= sizeof t->host)
		return -1;
	memcpy(t->host, host, hlen);
	t->host[hlen] = '\0';
	if (!port) {
		memcpy(t->port, TCP_DEFAULT_PORT, sizeof TCP_DEFAULT_PORT);
		return 0;
	}
	errno = 0;
	pn = strtol(port, &stop, 10);
	if (!*port || *stop || errno || pn < 1 || pn > 65535 ||
	    port[0] == '+' || port[0] == '-' || port[0] == ' ')
		return -1;
	snprintf(t->port, sizeof t->port, "%ld", pn);
	return 0;
}

static void drop(struct tcp_ctx *t)
{
	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
}

/* Waits for events on fd until the absolute deadline. 1 ready, 0 timed
 * out, -1 error (errno). */
static int wait_fd(int fd, short events, long deadline)
{
	struct pollfd pfd = { .fd = fd, .events = events };

	for (;;) {
		long left = deadline - now_ms();
		int r;

		if (left < 0)
			left = 0;
		r = poll(&pfd, 1, (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		return r;
	}
}

/* One non-blocking connect with a timeout; 0 or an errno. */
static int connect_one(const struct addrinfo *ai, int *out)
{
	int fd, e = 0;
	socklen_t elen = sizeof e;

	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, ai->ai_protocol);
	if (fd < 0)
		return errno;
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
		if (errno != EINPROGRESS) {
			e = errno;
			goto fail;
		}
		switch (wait_fd(fd, POLLOUT, now_ms() +
				TCP_CONNECT_TIMEOUT_MS)) {
		case 1:
			break;
		case 0:
			e = ETIMEDOUT;
			goto fail;
		default:
			e = errno;
			goto fail;
		}
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &elen) < 0)
			e = errno;
		if (e)
			goto fail;
	}
	*out = fd;
	return 0;

fail:
	close(fd);
	return e;
}

static printer_err tcp_connect(struct tcp_ctx *t, char *err, size_t errlen)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_ADDRCONFIG };
	struct addrinfo *res = NULL;
	int r, e = ECONNREFUSED;

	drop(t);
	r = getaddrinfo(t->host, t->port, &hints, &res);
	if (r != 0) {
		printer__seterr(err, errlen, "tcp: cannot resolve %s: %s",
				t->host, gai_strerror(r));
		return PRINTER_ERR_OPEN;
	}
	for (struct addrinfo *ai = res; ai && t->fd < 0; ai = ai->ai_next)
		e = connect_one(ai, &t->fd);
	freeaddrinfo(res);
	if (t->fd >= 0)
		return PRINTER_OK;
	printer__seterr(err, errlen, "tcp: cannot connect to %s port %s: %s",
			t->host, t->port, e == ETIMEDOUT ?
			"no answer in time" : strerror(e));
	return PRINTER_ERR_OFFLINE;
}

/* Reads and drops what is waiting; -1 when the printer closed or reset
 * the connection. */
static int drain(struct tcp_ctx *t, int wait_ms)
{
	unsigned char buf[256];

	for (;;) {
		ssize_t n;

		if (wait_ms && wait_fd(t->fd, POLLIN, now_ms() + wait_ms) < 1)
			return 0;
		n = recv(t->fd, buf, sizeof buf, MSG_DONTWAIT);
		if (n > 0)
			continue;
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		return -1;             /* 0: closed by the printer */
	}
}

/* A live connection, connecting or reconnecting as needed. */
static printer_err ensure(struct tcp_ctx *t, char *err, size_t errlen)
{
	if (t->fd >= 0 && drain(t, 0) == 0)
		return PRINTER_OK;
	return tcp_connect(t, err, errlen);
}

static printer_err map_errno(int e)
{
	return e == EAGAIN || e == EWOULDBLOCK ? PRINTER_ERR_TIMEOUT
					       : PRINTER_ERR_OFFLINE;
}

/* Sends all of buf; 0 or an errno (EAGAIN: no progress in time). */
static int send_all(struct tcp_ctx *t, const unsigned char *buf, size_t len,
		    size_t *done, int timeout_ms)
{
	while (*done < len) {
		ssize_t n = send(t->fd, buf + *done, len - *done,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n > 0) {
			*done += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
			return errno;
		switch (wait_fd(t->fd, POLLOUT, now_ms() + timeout_ms)) {
		case 1:
			break;
		case 0:
			return EAGAIN;
		default:
			return errno;
		}
	}
	return 0;
}

static void tcp_close(void *ctx)
{
	struct tcp_ctx *t = ctx;

	if (!t)
		return;
	drop(t);
	free(t);
}

static printer_err tcp_open(void **ctx, const char *arg, char *err,
			    size_t errlen)
{
	struct tcp_ctx *t;
	printer_err rc;

	t = calloc(1, sizeof *t);
	if (!t) {
		printer__seterr(err, errlen, "tcp: out of memory");
		return PRINTER_ERR_NOMEM;
	}
	t->fd = -1;
	if (parse_hostport(arg, t) < 0) {
		rc = PRINTER_ERR_URI;
		printer__seterr(err, errlen, "tcp: \"%s\" is not HOST:PORT "
				"(want e.g. tcp:192.0.2.7:9100 or "
				"tcp:[2001:db8::7]:9100)", arg);
		goto fail;
	}
	rc = tcp_connect(t, err, errlen);
	if (rc != PRINTER_OK)
		goto fail;
	*ctx = t;
	return PRINTER_OK;

fail:
	tcp_close(t);
	return rc;
}

static printer_err tcp_send(void *ctx, const unsigned char *data, size_t len,
			    size_t *written, char *err, size_t errlen)
{
	struct tcp_ctx *t = ctx;
	printer_err rc;
	int e;

	rc = ensure(t, err, errlen);
	if (rc != PRINTER_OK)
		return rc;
	e = send_all(t, data, len, written, TCP_WRITE_TIMEOUT_MS);
	if (!e)
		return PRINTER_OK;
	rc = map_errno(e);
	printer__seterr(err, errlen, "tcp: %s port %s: %s after %zu of %zu "
			"bytes", t->host, t->port, rc == PRINTER_ERR_TIMEOUT ?
			"took no data in time" : strerror(e), *written, len);
	drop(t);
	return rc;
}

/* Asks DLE EOT n; 0, EAGAIN (no answer in time) or another errno. */
static int ask(struct tcp_ctx *t, int n, struct printer_status *st,
	       long deadline)
{
	unsigned char q[3] = { 0x10, 0x04, (unsigned char)n }, b;
	size_t done = 0;
	int e;

	e = send_all(t, q, sizeof q, &done, (int)(deadline - now_ms()));
	if (e)
		return e;
	for (;;) {
		ssize_t got;

		switch (wait_fd(t->fd, POLLIN, deadline)) {
		case 1:
			break;
		case 0:
			return EAGAIN;
		default:
			return errno;
		}
		got = recv(t->fd, &b, 1, MSG_DONTWAIT);
		if (got == 0)
			return ECONNRESET;  /* the printer hung up */
		if (got < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (got < 0)
			return errno;
		if (printer_status_decode(n, b, st) == 0)
			return 0;
		/* not an answer (late bytes): wait for the real one */
	}
}

static printer_err tcp_status(void *ctx, struct printer_status *st,
			      char *err, size_t errlen)
{
	struct tcp_ctx *t = ctx;
	long deadline = now_ms() + TCP_STATUS_BUDGET_MS;
	printer_err rc;
	int e = 0, n;

	rc = ensure(t, err, errlen);
	if (rc != PRINTER_OK)
		return rc;
	if (drain(t, TCP_DRAIN_TIMEOUT_MS) < 0)
		e = ECONNRESET;
	for (n = 1; !e && n <= 4; n++)
		e = ask(t, n, st, deadline);
	if (!e) {
		st->known = 1;
		return PRINTER_OK;
	}
	rc = map_errno(e);
	printer__seterr(err, errlen, "tcp: %s port %s: status query DLE EOT "
			"%d: %s", t->host, t->port, n > 1 ? n - 1 : 1,
			rc == PRINTER_ERR_TIMEOUT ? "no answer in time" :
			strerror(e));
	drop(t);                   /* a late answer would confuse the next */
	return rc;
}

const struct printer_backend printer__tcp_backend = {
	.name = "tcp",
	.open = tcp_open,
	.close = tcp_close,
	.send = tcp_send,
	.status = tcp_status,
};
