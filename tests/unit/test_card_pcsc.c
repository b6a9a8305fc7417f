/*
 * test_card_pcsc.c — the pcsc: backend through the real pcscd and Debian's
 * vsmartcard-vpcd reader driver.
 *
 * pcscd is started (pcscd --foreground) when none runs and stopped at the
 * end only if we started it. The card is played by this test on a thread:
 * it connects to vpcd's TCP port like a card placed on the reader and
 * speaks the vpcd protocol:
 *
 *   every message: 2-byte big-endian length, then that many bytes
 *   reader → card, length 1: control 00 power off, 01 power on, 02 reset,
 *                            04 "send your ATR" (answered with the ATR)
 *   reader → card, else:     a command APDU, answered with the response
 *   closing the socket:      the card is pulled
 *
 * We use the second vpcd reader ("Virtual PCD 00 01", port 35964) so that
 * an emulator on the first one (kiosk-cardsim) does not collide.
 *
 * The test card's instructions (CLA 80):
 *   01  echo: answers the data field, 9000
 *   B0  answers Le bytes 00 01 02 ... (short or extended Le), 9000
 *   02  answers 61 10, and 16 bytes AA.. to GET RESPONSE (00 C0 00 00 10)
 *   03  answers 6C 08 unless Le = 08, then 8 bytes 55.., 9000
 *   04  no answer: the card leaves the reader (socket closed)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <PCSC/winscard.h>

#include "check.h"
#include "drivers/card/card.h"
#include "firmware/app_card.h"

#define READER "Virtual PCD 00 01"
#define VPCD_PORT 35964
#define DEADLINE_MS 10000

static pid_t pcscd_pid;           /* > 0: we started it */
static struct card_reader *rd;

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void pause_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* ---- the card on the vpcd socket ---- */

struct vcard {
	const uint8_t *atr;
	size_t atr_len;
	int fd;
	pthread_t thread;
	int running;
	int apdus;
};

static const uint8_t atr_t1[] = { 0x3B, 0x80, 0x80, 0x01, 0x01 };
static const uint8_t atr_t0[] = { 0x3B, 0x02, 0x14, 0x50 };

/* TCP_QUICKACK before every read: vpcd sends the length and the APDU in
 * two writes without TCP_NODELAY, so with delayed ACKs each APDU would
 * wait ~40 ms for Nagle (measured: 50 ms per APDU without, 0.1 ms with). */
static int read_full(int fd, uint8_t *p, size_t n)
{
	static const int one = 1;

	while (n) {
		ssize_t r;

		setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof one);
		r = recv(fd, p, n, 0);

		if (r <= 0)
			return -1;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

static int send_msg(int fd, const uint8_t *p, size_t n)
{
	uint8_t hdr[2] = { (uint8_t)(n >> 8), (uint8_t)n };

	if (send(fd, hdr, 2, MSG_NOSIGNAL) != 2 ||
	    send(fd, p, n, MSG_NOSIGNAL) != (ssize_t)n)
		return -1;
	return 0;
}

/* Le of a command (0 = none), short or extended. */
static size_t cmd_le(const uint8_t *c, size_t n)
{
	if (n == 5)
		return c[4] ? c[4] : 256;
	if (n == 7 && c[4] == 0) {
		size_t le = (size_t)c[5] << 8 | c[6];
		return le ? le : 65536;
	}
	if (n > 5 && c[4] && n == 6 + (size_t)c[4])
		return c[n - 1] ? c[n - 1] : 256;
	return 0;
}

/* Answers one APDU; 0 = close the socket instead. */
static size_t answer(const uint8_t *c, size_t n, uint8_t *r)
{
	size_t le = cmd_le(c, n), k = 0;

	if (c[1] == 0x01 && n > 5) {
		memcpy(r, c + 5, c[4]);
		k = c[4];
	} else if (c[1] == 0xB0) {
		for (k = 0; k < le; k++)
			r[k] = (uint8_t)k;
	} else if (c[1] == 0x02) {
		r[0] = 0x61;
		r[1] = 0x10;
		return 2;
	} else if (c[1] == 0xC0) {
		memset(r, 0xAA, le);
		k = le;
	} else if (c[1] == 0x03) {
		if (le != 8) {
			r[0] = 0x6C;
			r[1] = 0x08;
			return 2;
		}
		memset(r, 0x55, 8);
		k = 8;
	} else if (c[1] == 0x04) {
		return 0;
	} else {
		r[0] = 0x6D;
		r[1] = 0x00;
		return 2;
	}
	r[k] = 0x90;
	r[k + 1] = 0x00;
	return k + 2;
}

static void *vcard_main(void *arg)
{
	struct vcard *v = arg;
	static uint8_t msg[70000], resp[70000];

	for (;;) {
		uint8_t hdr[2];
		size_t n, k;

		if (read_full(v->fd, hdr, 2) < 0)
			break;
		n = (size_t)hdr[0] << 8 | hdr[1];
		if (!n || read_full(v->fd, msg, n) < 0)
			break;
		if (n == 1) {
			if (msg[0] == 4 && send_msg(v->fd, v->atr, v->atr_len))
				break;
			continue;
		}
		v->apdus++;
		k = n >= 4 ? answer(msg, n, resp) : 0;
		if (!k || send_msg(v->fd, resp, k))
			break;
	}
	shutdown(v->fd, SHUT_RDWR);
	return NULL;
}

/* Places the card: connects to vpcd (retrying until it listens). */
static int vcard_insert(struct vcard *v, const uint8_t *atr, size_t atr_len)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons(VPCD_PORT) };
	long long until = now_ms() + DEADLINE_MS;

	memset(v, 0, sizeof *v);
	v->atr = atr;
	v->atr_len = atr_len;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	for (;;) {
		static const int one = 1;

		v->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (v->fd < 0)
			return -1;
		setsockopt(v->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		if (!connect(v->fd, (struct sockaddr *)&a, sizeof a))
			break;
		close(v->fd);
		if (now_ms() > until) {
			fprintf(stderr, "cannot connect to vpcd on port %d: "
				"%s\n", VPCD_PORT, strerror(errno));
			return -1;
		}
		pause_ms(50);
	}
	if (pthread_create(&v->thread, NULL, vcard_main, v)) {
		close(v->fd);
		return -1;
	}
	v->running = 1;
	return 0;
}

/* Pulls the card (if still there) and joins its thread. */
static void vcard_remove(struct vcard *v)
{
	if (!v->running)
		return;
	shutdown(v->fd, SHUT_RDWR);
	pthread_join(v->thread, NULL);
	close(v->fd);
	v->running = 0;
}

/* ---- pcscd ---- */

static int readers_ready(void)
{
	SCARDCONTEXT h;
	char buf[2048];
	DWORD len = sizeof buf;
	int ok = 0;

	if (SCardEstablishContext(SCARD_SCOPE_SYSTEM, NULL, NULL, &h))
		return 0;
	if (!SCardListReaders(h, NULL, buf, &len))
		for (const char *s = buf; *s; s += strlen(s) + 1)
			ok |= !strncmp(s, READER, strlen(READER));
	SCardReleaseContext(h);
	return ok;
}

static int service_alive(void)
{
	SCARDCONTEXT h;

	if (SCardEstablishContext(SCARD_SCOPE_SYSTEM, NULL, NULL, &h))
		return 0;
	SCardReleaseContext(h);
	return 1;
}

/* Uses a running pcscd (someone else's: left alone), else starts one. A
 * pcscd that was just started by someone else may not show its readers
 * yet: ours then exits at once ("already running") and we keep waiting
 * for theirs until the deadline. */
static int pcscd_start(void)
{
	long long until = now_ms() + DEADLINE_MS;
	int ours_exited = 0;

	if (readers_ready())
		return 0;
	if (!service_alive()) {
		pcscd_pid = fork();
		if (pcscd_pid < 0)
			return -1;
		if (pcscd_pid == 0) {
			int fd = open("/dev/null", O_WRONLY);

			if (fd >= 0) {
				dup2(fd, 1);
				close(fd);
			}
			execlp("pcscd", "pcscd", "--foreground", (char *)NULL);
			fprintf(stderr, "cannot run pcscd: %s\n",
				strerror(errno));
			_exit(127);
		}
	}
	while (!readers_ready()) {
		int status;

		if (pcscd_pid > 0 && waitpid(pcscd_pid, &status, WNOHANG) > 0) {
			pcscd_pid = 0;
			ours_exited = 1;
		}
		if (now_ms() > until) {
			fprintf(stderr, "no PC/SC reader \"%s\" within %d ms%s "
				"(is vsmartcard-vpcd installed? are we root?)\n",
				READER, DEADLINE_MS, ours_exited
				? "; the pcscd we started exited" : "");
			return -1;
		}
		pause_ms(50);
	}
	return 0;
}

static void pcscd_stop(void)
{
	if (pcscd_pid <= 0)
		return;
	kill(pcscd_pid, SIGTERM);
	waitpid(pcscd_pid, NULL, 0);
	pcscd_pid = 0;
}

/* Waits for an event of kind want, skipping none: any other event or a
 * timeout fails. */
static int expect_event(enum card_event_kind want, int ms)
{
	struct card_event ev;
	char err[256];
	card_err rc = card_wait(rd, ms, &ev, err, sizeof err);

	if (rc != CARD_OK) {
		fprintf(stderr, "waiting for %s: %s (%s)\n",
			card_event_name(want), card_strerror(rc), err);
		return 0;
	}
	if (ev.kind != want) {
		fprintf(stderr, "wanted %s, got %s\n", card_event_name(want),
			card_event_name(ev.kind));
		return 0;
	}
	CHECK_STR(ev.reader, READER);
	return 1;
}

static int list_present(int *selected)
{
	struct card_reader_info ri[CARD_READERS_MAX];
	size_t n = 0;
	char err[256];

	*selected = 0;
	if (card_list(rd, ri, CARD_READERS_MAX, &n, err, sizeof err))
		return -1;
	for (size_t i = 0; i < n; i++)
		if (!strcmp(ri[i].name, READER)) {
			*selected = ri[i].selected;
			return ri[i].card_present;
		}
	return -1;
}

/* ---- tests ---- */

static void test_reader_listed(void)
{
	char err[256];
	int sel;

	REQUIRE(card_open(&rd, "pcsc:" READER, err, sizeof err) == CARD_OK);
	CHECK_STR(card_backend_name(rd), "pcsc");
	CHECK_INT(list_present(&sel), 0);
	CHECK_INT(sel, 1);
	CHECK(expect_event(CARD_EV_READER_ADDED, DEADLINE_MS));
}

static void test_wait_times_out(void)
{
	struct card_event ev;
	char err[256];
	long long t0 = now_ms();

	CHECK_INT(card_wait(rd, 300, &ev, err, sizeof err), CARD_TIMEOUT);
	CHECK(now_ms() - t0 >= 290);
	CHECK(now_ms() - t0 < 3000);
	/* no card: connecting says so */
	CHECK_INT(card_connect(rd, NULL, err, sizeof err), CARD_NO_CARD);
}

struct waiter {
	card_err rc;
	long long done_ms;
};

static void *waiter_main(void *arg)
{
	struct waiter *w = arg;
	struct card_event ev;
	char err[256];

	w->rc = card_wait(rd, 30000, &ev, err, sizeof err);
	w->done_ms = now_ms();
	return NULL;
}

static void test_cancel(void)
{
	struct waiter w = { CARD_ERROR, 0 };
	struct card_event ev;
	pthread_t t;
	long long t0;
	char err[256];

	/* a cancel before the wait ends the next wait, and only that one */
	card_cancel(rd);
	t0 = now_ms();
	CHECK_INT(card_wait(rd, 5000, &ev, err, sizeof err), CARD_CANCELLED);
	CHECK(now_ms() - t0 < 1000);
	CHECK_INT(card_wait(rd, 0, &ev, err, sizeof err), CARD_TIMEOUT);

	/* from another thread, while the wait sits in pcscd: the wait's
	 * slices are 25, 50, ... 400 ms (775 ms), then 800 ms, so at 1.2 s
	 * only SCardCancel() can end it within 150 ms (the flag alone would
	 * take until 1.575 s). The pause places the cancel; it is not a
	 * synchronisation. */
	REQUIRE(pthread_create(&t, NULL, waiter_main, &w) == 0);
	pause_ms(1200);
	t0 = now_ms();
	card_cancel(rd);
	pthread_join(t, NULL);
	CHECK_INT(w.rc, CARD_CANCELLED);
	fprintf(stderr, "SCardCancel ended a wait after %lld ms\n",
		w.done_ms - t0);
	CHECK(w.done_ms - t0 < 150);
}

static void test_t1_exchange(void)
{
	struct vcard v;
	struct card_info info;
	uint8_t resp[CARD_RESP_MAX];
	size_t rlen;
	char err[256];
	int sel;
	static const uint8_t echo[] = { 0x80, 0x01, 0, 0, 3, 'a', 'b', 'c' };
	static const uint8_t chain[] = { 0x80, 0x02, 0, 0 };
	static const uint8_t wrong_le[] = { 0x80, 0x03, 0, 0, 0x20 };
	static const uint8_t ext[] = { 0x80, 0xB0, 0, 0, 0, 0x01, 0x2C };
	static const uint8_t die[] = { 0x80, 0x04, 0, 0 };

	REQUIRE(vcard_insert(&v, atr_t1, sizeof atr_t1) == 0);
	CHECK(expect_event(CARD_EV_CARD_INSERTED, DEADLINE_MS));
	CHECK_INT(list_present(&sel), 1);

	REQUIRE(card_connect(rd, &info, err, sizeof err) == CARD_OK);
	CHECK_STR(info.reader, READER);
	CHECK_INT(info.atr_len, sizeof atr_t1);
	CHECK(!memcmp(info.atr, atr_t1, sizeof atr_t1));
	CHECK_INT(info.protocol, 1);
	CHECK_INT(info.extended_length, 1);

	CHECK_INT(card_transmit(rd, echo, sizeof echo, resp, sizeof resp,
				&rlen, err, sizeof err), CARD_OK);
	CHECK_INT(rlen, 5);
	CHECK(!memcmp(resp, "abc\x90\x00", 5));

	CHECK_INT(card_transmit(rd, chain, sizeof chain, resp, sizeof resp,
				&rlen, err, sizeof err), CARD_OK);
	CHECK_INT(rlen, 18);
	CHECK(resp[0] == 0xAA && resp[15] == 0xAA && resp[16] == 0x90);

	CHECK_INT(card_transmit(rd, wrong_le, sizeof wrong_le, resp,
				sizeof resp, &rlen, err, sizeof err), CARD_OK);
	CHECK_INT(rlen, 10);
	CHECK(resp[0] == 0x55 && resp[8] == 0x90);

	/* extended length: 300 bytes back in one answer */
	CHECK_INT(card_transmit(rd, ext, sizeof ext, resp, sizeof resp, &rlen,
				err, sizeof err), CARD_OK);
	CHECK_INT(rlen, 302);
	CHECK(resp[299] == (uint8_t)299 && resp[300] == 0x90);

	/* a buffer too small for the answer is an error, not a cut */
	CHECK_INT(card_transmit(rd, ext, sizeof ext, resp, 100, &rlen, err,
				sizeof err), CARD_PROTOCOL);

	/* malformed APDUs never reach the card */
	CHECK_INT(card_transmit(rd, echo, 7, resp, sizeof resp, &rlen, err,
				sizeof err), CARD_PROTOCOL);

	/* the card leaves while answering */
	long long t0 = now_ms();
	CHECK_INT(card_transmit(rd, die, sizeof die, resp, sizeof resp, &rlen,
				err, sizeof err), CARD_REMOVED);
	fprintf(stderr, "card pulled mid-exchange: CARD_REMOVED after %lld ms "
		"(%s)\n", now_ms() - t0, err);
	CHECK_INT(card_transmit(rd, echo, sizeof echo, resp, sizeof resp,
				&rlen, err, sizeof err), CARD_REMOVED);
	card_disconnect(rd);
	vcard_remove(&v);
	CHECK(expect_event(CARD_EV_CARD_REMOVED, DEADLINE_MS));
	CHECK_INT(list_present(&sel), 0);
}

static void test_t0_exchange(void)
{
	struct vcard v;
	struct card_info info;
	uint8_t resp[512];
	size_t rlen;
	char err[256];
	static const uint8_t chain[] = { 0x80, 0x02, 0, 0 };
	static const uint8_t wrong_le[] = { 0x80, 0x03, 0, 0 };

	REQUIRE(vcard_insert(&v, atr_t0, sizeof atr_t0) == 0);
	CHECK(expect_event(CARD_EV_CARD_INSERTED, DEADLINE_MS));
	REQUIRE(card_connect(rd, &info, err, sizeof err) == CARD_OK);
	CHECK_INT(info.protocol, 0);
	CHECK(!memcmp(info.atr, atr_t0, sizeof atr_t0));
	CHECK_INT(card_transmit(rd, chain, sizeof chain, resp, sizeof resp,
				&rlen, err, sizeof err), CARD_OK);
	CHECK_INT(rlen, 18);
	/* case 1 APDU answered 6C08: sent again with Le added */
	CHECK_INT(card_transmit(rd, wrong_le, sizeof wrong_le, resp,
				sizeof resp, &rlen, err, sizeof err), CARD_OK);
	CHECK_INT(rlen, 10);
	card_disconnect(rd);
	vcard_remove(&v);
	CHECK(expect_event(CARD_EV_CARD_REMOVED, DEADLINE_MS));
}

static void test_no_reader(void)
{
	struct card_reader *r2;
	char err[256];

	REQUIRE(card_open(&r2, "pcsc:No Such Reader", err, sizeof err) ==
		CARD_OK);
	CHECK_INT(card_connect(r2, NULL, err, sizeof err), CARD_NO_READER);
	CHECK(strstr(err, "No Such Reader") != NULL);
	card_close(r2);
	CHECK_INT(card_open(&r2, "pcsx:", err, sizeof err), CARD_URI);
	CHECK(r2 == NULL);
}

/* The card session service over pcsc: its waker ends the thread's wait
 * at once when a read is asked for, and destroy does not hang. */
static void test_service_over_pcsc(void)
{
	struct app_card *c;
	struct app_card_event ev;
	struct icao_access a;
	struct vcard v;
	char err[256];
	long long t0, started = -1, until;
	unsigned id;
	int inserted = 0;

	c = app_card_create("pcsc:" READER, NULL, err, sizeof err);
	REQUIRE(c != NULL);
	REQUIRE(vcard_insert(&v, atr_t1, sizeof atr_t1) == 0);
	until = now_ms() + DEADLINE_MS;
	while (!inserted && now_ms() < until)
		if (app_card_wait_event(c, 200, &ev))
			inserted = ev.kind == APP_CARD_INSERTED;
	CHECK(inserted);
	/* let the thread settle into a long wait slice */
	pause_ms(1200);
	memset(&a, 0, sizeof a);
	a.kind = ICAO_ACCESS_CAN;
	memcpy(a.can, "123456", 7);
	t0 = now_ms();
	id = app_card_read(c, &a);
	CHECK(now_ms() - t0 < 20);          /* the caller did not wait */
	REQUIRE(id > 0);
	until = now_ms() + DEADLINE_MS;
	for (;;) {
		if (now_ms() > until) {
			CHECK(!"no RESULT within the deadline");
			app_card_destroy(c);
			vcard_remove(&v);
			return;
		}
		if (!app_card_wait_event(c, 500, &ev))
			continue;
		if (ev.kind == APP_CARD_PROGRESS &&
		    ev.step == APP_CARD_STEP_STARTED)
			started = now_ms() - t0;
		if (ev.kind == APP_CARD_RESULT)
			break;
	}
	fprintf(stderr, "service: read started %lld ms after the request\n",
		started);
	CHECK(started >= 0 && started < 150);
	CHECK_INT(ev.read_id, id);
	CHECK(ev.err != BK_OK);              /* the echo card is no eMRTD */
	vcard_remove(&v);
	CHECK(app_card_wait_event(c, DEADLINE_MS, &ev) &&
	      ev.kind == APP_CARD_REMOVED);
	t0 = now_ms();
	app_card_destroy(c);
	CHECK(now_ms() - t0 < 200);
}

int main(void)
{
	static const struct check_test tests[] = {
		{ "reader listed, added event", test_reader_listed },
		{ "wait times out, no card", test_wait_times_out },
		{ "cancel ends a wait", test_cancel },
		{ "T=1 card: insert, APDUs, pulled mid-exchange",
		  test_t1_exchange },
		{ "T=0 card: GET RESPONSE, 6Cxx", test_t0_exchange },
		{ "no matching reader", test_no_reader },
		{ "card service over pcsc", test_service_over_pcsc },
		{ NULL, NULL },
	};
	int rc;

	signal(SIGPIPE, SIG_IGN);
	if (pcscd_start() < 0) {
		fprintf(stderr, "FAIL: pcscd with the vpcd readers could not be "
			"started (run as root; packages pcscd, vsmartcard-vpcd)"
			"\n");
		pcscd_stop();
		return 1;
	}
	rc = check_main(tests);
	card_close(rd);
	pcscd_stop();
	return rc;
}
