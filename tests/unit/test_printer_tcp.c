/*
 * test_printer_tcp.c — the tcp: printer backend against a tiny printer
 * made of a thread and a socket on 127.0.0.1 (and ::1 where the machine
 * has it).
 *
 * The fake printer accepts connections one after another, records every
 * byte it receives, and answers DLE EOT n (10 04 n) with a scripted byte
 * per n (0: stays silent). Switches make it misbehave like real network
 * printers: hang up after a job (reboot, idle timeout), reset the
 * connection in the middle of a job, never read (buffer full, paper out),
 * or send stale bytes before the first query.
 */
#include "check.h"
#include "drivers/printer/printer.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define REC_MAX (1 << 20)

struct fake {
	int lfd, port;
	/* script, set before start */
	unsigned char answer[4];   /* to DLE EOT 1..4; 0: no answer */
	size_t hangup_after;       /* close (FIN) after this many bytes */
	size_t reset_after;        /* close with RST after this many bytes */
	int no_read;               /* accept, then never read */
	const char *stale;         /* sent on accept, before anything */
	/* record, under mu */
	pthread_mutex_t mu;
	unsigned char *got;        /* bytes of all connections, in order */
	size_t got_len;
	size_t conn_start[8];      /* offset in got where connection i began */
	int conns;
	int stale_sent, hung_up;
	int stop;
	pthread_t thread;
};

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void serve_conn(struct fake *f, int fd)
{
	unsigned char buf[65536];
	size_t in_conn = 0;
	int state = 0;             /* 0, 1 after 10, 2 after 10 04 */
	int hang = 0;

	if (f->stale) {
		ssize_t w = write(fd, f->stale, strlen(f->stale));
		(void)w;
		pthread_mutex_lock(&f->mu);
		f->stale_sent = 1;
		pthread_mutex_unlock(&f->mu);
	}
	while (!f->stop) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (f->no_read) {
			usleep(20000);
			continue;
		}
		if (poll(&pfd, 1, 50) < 1)
			continue;
		n = read(fd, buf, sizeof buf);
		if (n <= 0)
			break;
		pthread_mutex_lock(&f->mu);
		for (ssize_t i = 0; i < n; i++) {
			if (f->got_len < REC_MAX)
				f->got[f->got_len++] = buf[i];
			if (state == 2 && buf[i] >= 1 && buf[i] <= 4 &&
			    f->answer[buf[i] - 1]) {
				ssize_t w = write(fd, &f->answer[buf[i] - 1],
						  1);
				(void)w;
			}
			state = buf[i] == 0x10 ? 1 :
				state == 1 && buf[i] == 0x04 ? 2 : 0;
		}
		pthread_mutex_unlock(&f->mu);
		in_conn += (size_t)n;
		if (f->reset_after && in_conn >= f->reset_after) {
			struct linger lg = { 1, 0 };

			setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
			f->reset_after = 0;        /* once */
			break;
		}
		if (f->hangup_after && in_conn >= f->hangup_after) {
			f->hangup_after = 0;       /* once */
			hang = 1;
			break;
		}
	}
	close(fd);
	if (hang) {                        /* only once it is closed */
		pthread_mutex_lock(&f->mu);
		f->hung_up = 1;
		pthread_mutex_unlock(&f->mu);
	}
}

static void *serve(void *arg)
{
	struct fake *f = arg;

	while (!f->stop) {
		struct pollfd pfd = { .fd = f->lfd, .events = POLLIN };
		int fd;

		if (poll(&pfd, 1, 50) < 1)
			continue;
		fd = accept(f->lfd, NULL, NULL);
		if (fd < 0)
			continue;
		pthread_mutex_lock(&f->mu);
		if (f->conns < 8)
			f->conn_start[f->conns] = f->got_len;
		f->conns++;
		pthread_mutex_unlock(&f->mu);
		serve_conn(f, fd);
	}
	return NULL;
}

/* Listens on 127.0.0.1 (v6 = 0) or ::1 (v6 = 1), port chosen by the
 * kernel. Returns -1 when the address family is not available. */
static int fake_listen(struct fake *f, int v6)
{
	struct sockaddr_storage ss = { 0 };
	socklen_t sl;

	pthread_mutex_init(&f->mu, NULL);
	f->got = calloc(1, REC_MAX);
	f->lfd = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0);
	if (!f->got || f->lfd < 0)
		return -1;
	if (v6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;

		a->sin6_family = AF_INET6;
		a->sin6_addr = in6addr_loopback;
		sl = sizeof *a;
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;

		a->sin_family = AF_INET;
		a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		sl = sizeof *a;
	}
	if (bind(f->lfd, (struct sockaddr *)&ss, sl) < 0 ||
	    listen(f->lfd, 4) < 0 ||
	    getsockname(f->lfd, (struct sockaddr *)&ss, &sl) < 0)
		return -1;
	f->port = ntohs(v6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
			   : ((struct sockaddr_in *)&ss)->sin_port);
	return 0;
}

static void fake_start(struct fake *f)
{
	if (pthread_create(&f->thread, NULL, serve, f) != 0)
		abort();
}

static void fake_stop(struct fake *f)
{
	f->stop = 1;
	pthread_join(f->thread, NULL);
	close(f->lfd);
	free(f->got);
	pthread_mutex_destroy(&f->mu);
}

/* Waits (at most 3 s) until the fake has received len bytes. */
static size_t fake_wait_bytes(struct fake *f, size_t len)
{
	long end = now_ms() + 3000;
	size_t got;

	for (;;) {
		pthread_mutex_lock(&f->mu);
		got = f->got_len;
		pthread_mutex_unlock(&f->mu);
		if (got >= len || now_ms() > end)
			return got;
		usleep(2000);
	}
}

/* Waits (at most 3 s) until the fake has accepted n connections. */
static int fake_wait_conns(struct fake *f, int n)
{
	long end = now_ms() + 3000;
	int v;

	for (;;) {
		pthread_mutex_lock(&f->mu);
		v = f->conns;
		pthread_mutex_unlock(&f->mu);
		if (v >= n || now_ms() > end)
			return v;
		usleep(2000);
	}
}

static int fake_flag(struct fake *f, int *flag)
{
	long end = now_ms() + 3000;
	int v;

	for (;;) {
		pthread_mutex_lock(&f->mu);
		v = *flag;
		pthread_mutex_unlock(&f->mu);
		if (v || now_ms() > end)
			return v;
		usleep(2000);
	}
}

static const unsigned char queries[12] = {
	0x10, 0x04, 1, 0x10, 0x04, 2, 0x10, 0x04, 3, 0x10, 0x04, 4,
};

static const unsigned char job[] =
	"\x1b@\x1bt\x13\x1b" "a\x01" "B\x81rgerb\x81ro Musterstadt\n"
	"\x1d!\x33" "A017\n\x1d!\x00" "Personalausweis\n\n\n\x1d" "V\x42\x00";

static void uri_of(char *out, size_t len, const struct fake *f)
{
	snprintf(out, len, "tcp:127.0.0.1:%d", f->port);
}

static void test_job_and_status(void)
{
	struct fake f = { .answer = { 0x16, 0x12, 0x12, 0x12 } };
	unsigned char want[sizeof queries * 2 + sizeof job];
	struct printer_status st;
	struct printer *p = NULL;
	char uri[64], err[300], line[64];
	size_t wr = 0, n = 0;

	REQUIRE(fake_listen(&f, 0) == 0);
	fake_start(&f);
	uri_of(uri, sizeof uri, &f);
	REQUIRE(printer_open(&p, uri, err, sizeof err) == PRINTER_OK);
	CHECK_STR(printer_backend_name(p), "tcp");
	CHECK_INT(printer_get_status(p, &st, err, sizeof err), PRINTER_OK);
	CHECK_INT(st.known, 1);
	printer_status_describe(&st, line, sizeof line);
	CHECK_STR(line, "ok");
	CHECK_INT(printer_send(p, job, sizeof job, &wr, err, sizeof err),
		  PRINTER_OK);
	CHECK_INT(wr, sizeof job);
	CHECK_INT(printer_get_status(p, &st, err, sizeof err), PRINTER_OK);
	CHECK_INT(printer_status_fault(&st), PRINTER_OK);
	memcpy(want + n, queries, sizeof queries);
	n += sizeof queries;
	memcpy(want + n, job, sizeof job);
	n += sizeof job;
	memcpy(want + n, queries, sizeof queries);
	n += sizeof queries;
	CHECK_INT(fake_wait_bytes(&f, n), n);
	CHECK(f.got_len == n && !memcmp(f.got, want, n));
	CHECK_INT(f.conns, 1);             /* one connection for all */
	printer_close(p);
	fake_stop(&f);
}

static void test_paper_end(void)
{
	struct fake f = { .answer = { 0x1A, 0x32, 0x12, 0x7E } };
	struct printer_status st;
	struct printer *p = NULL;
	char uri[64], err[300], line[64];

	REQUIRE(fake_listen(&f, 0) == 0);
	fake_start(&f);
	uri_of(uri, sizeof uri, &f);
	REQUIRE(printer_open(&p, uri, err, sizeof err) == PRINTER_OK);
	CHECK_INT(printer_get_status(p, &st, err, sizeof err), PRINTER_OK);
	CHECK_INT(st.paper_end, 1);
	CHECK_INT(st.online, 0);
	CHECK_INT(printer_status_fault(&st), PRINTER_ERR_PAPER);
	printer_status_describe(&st, line, sizeof line);
	CHECK_STR(line, "paper end, paper near end");
	printer_close(p);
	fake_stop(&f);
}

/* Status-shaped bytes already waiting must not be taken as answers. */
static void test_stale_bytes_drained(void)
{
	struct fake f = { .answer = { 0x1E, 0x16, 0x12, 0x12 },
			  .stale = "\x12\x12\x12" };
	struct printer_status st;
	struct printer *p = NULL;
	char uri[64], err[300];

	REQUIRE(fake_listen(&f, 0) == 0);
	fake_start(&f);
	uri_of(uri, sizeof uri, &f);
	REQUIRE(printer_open(&p, uri, err, sizeof err) == PRINTER_OK);
	CHECK(fake_flag(&f, &f.stale_sent));
	usleep(20000);                     /* let them arrive */
	CHECK_INT(printer_get_status(p, &st, err, sizeof err), PRINTER_OK);
	CHECK_INT(st.cover_open, 1);
	CHECK_INT(printer_status_fault(&st), PRINTER_ERR_COVER);
	printer_close(p);
	fake_stop(&f);
}

static void test_refused(void)
{
	struct fake f = { 0 };
	struct printer *p = (struct printer *)1;
	char uri[64], err[300], port[16];

	REQUIRE(fake_listen(&f, 0) == 0);  /* a port nobody listens on */
	uri_of(uri, sizeof uri, &f);
	close(f.lfd);
	free(f.got);
	pthread_mutex_destroy(&f.mu);
	CHECK_INT(printer_open(&p, uri, err, sizeof err),
		  PRINTER_ERR_OFFLINE);
	CHECK(p == NULL);
	snprintf(port, sizeof port, "%d", f.port);
	CHECK(strstr(err, "127.0.0.1") != NULL);
	CHECK(strstr(err, port) != NULL);
	CHECK(strstr(err, "refused") != NULL);
}

/* The printer hung up between jobs: the next job reconnects and arrives
 * whole on the new connection. */
static void test_reconnect_after_hangup(void)
{
	struct fake f = { .hangup_after = sizeof job };
	struct printer *p = NULL;
	char uri[64], err[300];
	size_t wr = 0;

	REQUIRE(fake_listen(&f, 0) == 0);
	fake_start(&f);
	uri_of(uri, sizeof uri, &f);
	REQUIRE(printer_open(&p, uri, err, sizeof err) == PRINTER_OK);
	CHECK_INT(printer_send(p, job, sizeof job, &wr, err, sizeof err),
		  PRINTER_OK);
	CHECK(fake_flag(&f, &f.hung_up));
	usleep(20000);                     /* the FIN reaches us */
	CHECK_INT(printer_send(p, job, sizeof job, &wr, err, sizeof err),
		  PRINTER_OK);
	CHECK_INT(wr, sizeof job);
	CHECK_INT(fake_wait_bytes(&f, 2 * sizeof job), 2 * sizeof job);
	CHECK_INT(fake_wait_conns(&f, 2), 2);
	CHECK(f.conn_start[1] == sizeof job &&
	      !memcmp(f.got + sizeof job, job, sizeof job));
	printer_close(p);
	fake_stop(&f);
}

/* Reset in the middle of a big job: offline, partial count, and the next
 * job goes through on a new connection. */
static void test_reset_mid_job(void)
{
	struct fake f = { .reset_after = 1000 };
	size_t big_len = 32u << 20;
	unsigned char *big = calloc(1, big_len);
	struct printer *p = NULL;
	char uri[64], err[300];
	size_t wr = 0;

	REQUIRE(big);
	REQUIRE(fake_listen(&f, 0) == 0);
	fake_start(&f);
	uri_of(uri, sizeof uri, &f);
	REQUIRE(printer_open(&p, uri, err, sizeof err) == PRINTER_OK);
	CHECK_INT(printer_send(p, big, big_len, &wr, err, sizeof err),
		  PRINTER_ERR_OFFLINE);
	CHECK(wr >= 1000 && wr < big_len);
	fprintf(stderr, "reset: %s\n", err);
	CHECK_INT(printer_send(p, job, sizeof job, &wr, err, sizeof err),
		  PRINTER_OK);
	/* the job arrives whole on a second connection */
	CHECK_INT(fake_wait_conns(&f, 2), 2);
	CHECK_INT(fake_wait_bytes(&f, f.conn_start[1] + sizeof job),
		  f.conn_start[1] + sizeof job);
	CHECK(!memcmp(f.got + f.conn_start[1], job, sizeof job));
	printer_close(p);
	fake_stop(&f);
	free(big);
}

static void test_status_timeout(void)
{
	struct fake f = { .answer = { 0x16, 0, 0, 0 } };
	struct printer_status st;
	struct printer *p = NULL;
	char uri[64], err[300];
	long t0, took;

	REQUIRE(fake_listen(&f, 0) == 0);
	fake_start(&f);
	uri_of(uri, sizeof uri, &f);
	REQUIRE(printer_open(&p, uri, err, sizeof err) == PRINTER_OK);
	t0 = now_ms();
	CHECK_INT(printer_get_status(p, &st, err, sizeof err),
		  PRINTER_ERR_TIMEOUT);
	took = now_ms() - t0;
	/* contract 5: about a second (slack for a loaded machine) */
	CHECK(took >= 800 && took <= 2000);
	CHECK_INT(st.known, 0);
	CHECK(strstr(err, "DLE EOT 2") != NULL);
	printer_close(p);
	fake_stop(&f);
}

/* A printer that takes nothing (buffer full) must not hang the caller. */
static void test_write_timeout(void)
{
	struct fake f = { .no_read = 1 };
	size_t big_len = 64u << 20;
	unsigned char *big = calloc(1, big_len);
	struct printer *p = NULL;
	char uri[64], err[300];
	size_t wr = 0;
	long t0, took;

	REQUIRE(big);
	REQUIRE(fake_listen(&f, 0) == 0);
	fake_start(&f);
	uri_of(uri, sizeof uri, &f);
	REQUIRE(printer_open(&p, uri, err, sizeof err) == PRINTER_OK);
	t0 = now_ms();
	CHECK_INT(printer_send(p, big, big_len, &wr, err, sizeof err),
		  PRINTER_ERR_TIMEOUT);
	took = now_ms() - t0;
	CHECK(took >= 4900 && took < 8000);
	CHECK(wr > 0 && wr < big_len);
	printer_close(p);
	fake_stop(&f);
	free(big);
}

static void test_ipv6(void)
{
	struct fake f = { .answer = { 0x16, 0x12, 0x12, 0x12 } };
	struct printer *p = NULL;
	char uri[64], err[300];
	size_t wr = 0;

	if (fake_listen(&f, 1) < 0) {
		fprintf(stderr, "no ::1 on this machine: IPv6 not tried\n");
		if (f.lfd >= 0)
			close(f.lfd);
		free(f.got);
		pthread_mutex_destroy(&f.mu);
		return;
	}
	fake_start(&f);
	snprintf(uri, sizeof uri, "tcp:[::1]:%d", f.port);
	REQUIRE(printer_open(&p, uri, err, sizeof err) == PRINTER_OK);
	CHECK_INT(printer_send(p, job, sizeof job, &wr, err, sizeof err),
		  PRINTER_OK);
	CHECK_INT(fake_wait_bytes(&f, sizeof job), sizeof job);
	CHECK(!memcmp(f.got, job, sizeof job));
	printer_close(p);
	fake_stop(&f);
}

static void test_uri(void)
{
	static const char *const bad[] = {
		"tcp:", "tcp::9100", "tcp:host:", "tcp:host:0",
		"tcp:host:70000", "tcp:host:91x", "tcp:host:-1",
		"tcp:[::1", "tcp:[::1]x", "tcp:fe80::1:9100", NULL,
	};
	struct printer *p = NULL;
	char err[300];

	for (const char *const *u = bad; *u; u++) {
		CHECK_INT(printer_open(&p, *u, err, sizeof err),
			  PRINTER_ERR_URI);
		if (p)
			fprintf(stderr, "accepted: %s\n", *u);
	}
	CHECK_INT(printer_open(&p, "tcp:printer.invalid:9100", err,
			       sizeof err), PRINTER_ERR_OPEN);
	CHECK(strstr(err, "printer.invalid") != NULL);
}

int main(void)
{
	static const struct check_test tests[] = {
		{ "job_and_status", test_job_and_status },
		{ "paper_end", test_paper_end },
		{ "stale_bytes_drained", test_stale_bytes_drained },
		{ "refused", test_refused },
		{ "reconnect_after_hangup", test_reconnect_after_hangup },
		{ "reset_mid_job", test_reset_mid_job },
		{ "status_timeout", test_status_timeout },
		{ "write_timeout", test_write_timeout },
		{ "ipv6", test_ipv6 },
		{ "uri", test_uri },
		{ NULL, NULL },
	};

	return check_main(tests);
}
