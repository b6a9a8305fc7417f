/*
 * test_card_virtual.c — the virtual: reader backend and the card session
 * service (firmware/app_card.h) with fake cards, no pcscd.
 *
 * The fake cards are function tables (struct card_virtual_card):
 *   echo card    80 01: data back + 9000; 80 02: 61 10 then GET RESPONSE;
 *                80 03: 6C 08 unless Le = 08; anything else 6A 82
 *   puller       wraps the echo card and takes itself off the reader on
 *                its Nth APDU (tests by wrapping, not by mocking callers)
 *   gate         blocks in apdu() until the test opens the gate, so a read
 *                can be held in progress while the test pokes the service
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "drivers/card/card.h"
#include "firmware/app_card.h"
#include "firmware/util.h"

#define DEADLINE_MS 5000

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- fake cards ---- */

/* Le of a short command, 0 = none. */
static size_t short_le(const uint8_t *c, size_t n)
{
	if (n == 5)
		return c[4] ? c[4] : 256;
	if (n > 5 && n == 6 + (size_t)c[4])
		return c[n - 1] ? c[n - 1] : 256;
	return 0;
}

/* The echo card's answer to c into r (room for 300 bytes); its length. */
static size_t echo_answer(const uint8_t *c, size_t n, uint8_t *r)
{
	size_t k = 0, le = short_le(c, n);

	if (c[0] == 0x80 && c[1] == 0x01 && n > 5) {
		memcpy(r, c + 5, c[4]);
		k = c[4];
	} else if (c[0] == 0x80 && c[1] == 0x02) {
		r[0] = 0x61;
		r[1] = 0x10;
		return 2;
	} else if (c[1] == 0xC0 && n == 5 && le <= 256) {
		memset(r, 0xAA, le);
		k = le;
	} else if (c[0] == 0x80 && c[1] == 0x03) {
		if (le != 8) {
			r[0] = 0x6C;
			r[1] = 0x08;
			return 2;
		}
		memset(r, 0x55, 8);
		k = 8;
	} else {
		r[0] = 0x6A;
		r[1] = 0x82;
		return 2;
	}
	r[k] = 0x90;
	r[k + 1] = 0x00;
	return k + 2;
}

static int echo_apdu(void *ctx, const uint8_t *c, size_t n, uint8_t *r,
		     size_t cap, size_t *rlen)
{
	uint8_t buf[300];
	size_t k = echo_answer(c, n, buf);

	(void)ctx;
	*rlen = k;                     /* more than cap: the driver says so */
	if (k <= cap)
		memcpy(r, buf, k);
	return 0;
}

static const struct card_virtual_card echo_card = { .apdu = echo_apdu };

struct puller {
	int left;                    /* APDUs answered before it leaves */
	int seen;
};

static int puller_apdu(void *ctx, const uint8_t *c, size_t n, uint8_t *r,
		       size_t cap, size_t *rlen)
{
	struct puller *p = ctx;

	p->seen++;
	if (p->left-- <= 0) {
		card_virtual_remove();       /* from inside apdu() */
		*rlen = 0;
		return -1;
	}
	return echo_apdu(NULL, c, n, r, cap, rlen);
}

struct gate {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int open, entered;
};

static int gate_apdu(void *ctx, const uint8_t *c, size_t n, uint8_t *r,
		     size_t cap, size_t *rlen)
{
	struct gate *g = ctx;

	pthread_mutex_lock(&g->lock);
	g->entered++;
	pthread_cond_broadcast(&g->cond);
	while (!g->open)
		pthread_cond_wait(&g->cond, &g->lock);
	pthread_mutex_unlock(&g->lock);
	return echo_apdu(NULL, c, n, r, cap, rlen);
}

/* ---- driver level ---- */

static card_err wait_ev(struct card_reader *r, int ms, enum card_event_kind k)
{
	struct card_event ev;
	char err[256];
	card_err rc = card_wait(r, ms, &ev, err, sizeof err);

	if (rc == CARD_OK && ev.kind != k) {
		fprintf(stderr, "wanted %s, got %s\n", card_event_name(k),
			card_event_name(ev.kind));
		return CARD_ERROR;
	}
	if (rc == CARD_OK)
		CHECK_STR(ev.reader, "Virtual reader");
	return rc;
}

static void test_virtual_events(void)
{
	struct card_reader *r;
	struct card_reader_info ri[2];
	size_t n;
	char err[256];

	card_virtual_remove();
	REQUIRE(card_open(&r, "virtual:", err, sizeof err) == CARD_OK);
	CHECK_STR(card_backend_name(r), "virtual");
	CHECK_INT(wait_ev(r, 0, CARD_EV_READER_ADDED), CARD_OK);
	CHECK_INT(wait_ev(r, 50, 0), CARD_TIMEOUT);
	CHECK_INT(card_connect(r, NULL, err, sizeof err), CARD_NO_CARD);

	card_virtual_insert(&echo_card);
	CHECK_INT(wait_ev(r, DEADLINE_MS, CARD_EV_CARD_INSERTED), CARD_OK);
	CHECK_INT(card_list(r, ri, 2, &n, err, sizeof err), CARD_OK);
	CHECK_INT(n, 1);
	CHECK_INT(ri[0].card_present, 1);

	/* pulled and put back between two looks: both are reported */
	card_virtual_remove();
	card_virtual_insert(&echo_card);
	CHECK_INT(wait_ev(r, DEADLINE_MS, CARD_EV_CARD_REMOVED), CARD_OK);
	CHECK_INT(wait_ev(r, DEADLINE_MS, CARD_EV_CARD_INSERTED), CARD_OK);
	CHECK_INT(wait_ev(r, 0, 0), CARD_TIMEOUT);

	card_virtual_remove();
	CHECK_INT(wait_ev(r, DEADLINE_MS, CARD_EV_CARD_REMOVED), CARD_OK);
	CHECK_INT(card_virtual_present(), 0);
	card_close(r);

	CHECK_INT(card_open(&r, "virtual:x", err, sizeof err), CARD_URI);
	CHECK_INT(card_open(&r, "nfc:", err, sizeof err), CARD_URI);
	CHECK_INT(card_open(&r, "pcsc", err, sizeof err), CARD_URI);
}

static int resets;

static void count_reset(void *ctx)
{
	(void)ctx;
	resets++;
}

static void test_virtual_apdus(void)
{
	struct card_reader *r;
	struct card_info info;
	uint8_t resp[512];
	size_t rlen;
	char err[256];
	struct puller p = { 2, 0 };
	struct card_virtual_card pc = { .ctx = &p, .apdu = puller_apdu };
	static const uint8_t echo[] = { 0x80, 0x01, 0, 0, 2, 'h', 'i' };
	static const uint8_t chain[] = { 0x80, 0x02, 0, 0, 0 };
	static const uint8_t wrong_le[] = { 0x80, 0x03, 0, 0, 1, 0x00 };
	static const uint8_t ext[] = { 0x00, 0xB0, 0, 0, 0, 0x01, 0x2C };
	static const uint8_t atr[] = { 0x3B, 0x02, 0x14, 0x50 };

	REQUIRE(card_open(&r, "virtual:", err, sizeof err) == CARD_OK);
	card_virtual_insert(&echo_card);
	REQUIRE(card_connect(r, &info, err, sizeof err) == CARD_OK);
	CHECK_INT(info.protocol, 1);
	CHECK_INT(info.extended_length, 1);
	CHECK(info.atr_len > 0 && info.atr[0] == 0x3B);
	CHECK_INT(card_transmit(r, echo, sizeof echo, resp, sizeof resp,
				&rlen, err, sizeof err), CARD_OK);
	CHECK_INT(rlen, 4);
	CHECK(!memcmp(resp, "hi\x90\x00", 4));
	/* 61xx is followed by GET RESPONSE in card.c for every backend */
	CHECK_INT(card_transmit(r, chain, sizeof chain, resp, sizeof resp,
				&rlen, err, sizeof err), CARD_OK);
	CHECK_INT(rlen, 18);
	CHECK(resp[15] == 0xAA && resp[16] == 0x90 && resp[17] == 0x00);
	/* case 4S with wrong Le: sent again with Le 08 */
	CHECK_INT(card_transmit(r, wrong_le, sizeof wrong_le, resp,
				sizeof resp, &rlen, err, sizeof err), CARD_OK);
	CHECK_INT(rlen, 10);
	/* an answer that does not fit is an error, never a cut answer */
	CHECK_INT(card_transmit(r, chain, sizeof chain, resp, 10, &rlen, err,
				sizeof err), CARD_PROTOCOL);
	/* a card status word is the caller's business */
	CHECK_INT(card_transmit(r, ext, sizeof ext, resp, sizeof resp, &rlen,
				err, sizeof err), CARD_OK);
	CHECK(rlen == 2 && resp[0] == 0x6A && resp[1] == 0x82);

	/* replaced by another card: the old connection is gone */
	card_virtual_insert(&pc);
	CHECK_INT(card_transmit(r, echo, sizeof echo, resp, sizeof resp,
				&rlen, err, sizeof err), CARD_REMOVED);
	REQUIRE(card_connect(r, &info, err, sizeof err) == CARD_OK);
	CHECK_INT(card_transmit(r, echo, sizeof echo, resp, sizeof resp,
				&rlen, err, sizeof err), CARD_OK);
	CHECK_INT(card_transmit(r, echo, sizeof echo, resp, sizeof resp,
				&rlen, err, sizeof err), CARD_OK);
	/* third APDU: the card leaves in the middle of it */
	CHECK_INT(card_transmit(r, echo, sizeof echo, resp, sizeof resp,
				&rlen, err, sizeof err), CARD_REMOVED);
	CHECK_INT(p.seen, 3);
	CHECK_INT(card_virtual_present(), 0);
	CHECK_INT(card_transmit(r, echo, sizeof echo, resp, sizeof resp,
				&rlen, err, sizeof err), CARD_REMOVED);
	card_disconnect(r);

	/* the card's own ATR is reported; every connect resets the card */
	pc.apdu = echo_apdu;
	pc.atr = atr;
	pc.atr_len = sizeof atr;
	pc.reset = count_reset;
	resets = 0;
	card_virtual_insert(&pc);
	REQUIRE(card_connect(r, &info, err, sizeof err) == CARD_OK);
	CHECK_INT(info.atr_len, sizeof atr);
	CHECK(!memcmp(info.atr, atr, sizeof atr));
	CHECK_INT(resets, 1);
	card_disconnect(r);
	REQUIRE(card_connect(r, &info, err, sizeof err) == CARD_OK);
	CHECK_INT(resets, 2);
	card_virtual_remove();
	card_close(r);
}

struct waiter {
	struct card_reader *r;
	card_err rc;
};

static void *waiter_main(void *arg)
{
	struct waiter *w = arg;
	struct card_event ev;
	char err[256];

	/* the first event (reader added) is taken by the test already */
	w->rc = card_wait(w->r, 30000, &ev, err, sizeof err);
	return NULL;
}

static void test_virtual_cancel(void)
{
	struct waiter w = { NULL, CARD_OK };
	pthread_t t;
	long long t0;
	char err[256];

	REQUIRE(card_open(&w.r, "virtual:", err, sizeof err) == CARD_OK);
	CHECK_INT(wait_ev(w.r, 0, CARD_EV_READER_ADDED), CARD_OK);
	REQUIRE(pthread_create(&t, NULL, waiter_main, &w) == 0);
	t0 = now_ms();
	card_cancel(w.r);
	pthread_join(t, NULL);
	CHECK_INT(w.rc, CARD_CANCELLED);
	CHECK(now_ms() - t0 < 2000);
	card_close(w.r);
}

/* ---- the service ---- */

/* Waits for the next event of kind k (others are skipped but recorded in
 * seen[]); 0 on timeout. */
static int next_of(struct app_card *c, enum app_card_kind k,
		   struct app_card_event *out, int seen[6])
{
	long long until = now_ms() + DEADLINE_MS;

	while (now_ms() < until) {
		if (!app_card_wait_event(c, (int)(until - now_ms()), out))
			continue;
		if (seen)
			seen[out->kind]++;
		if (out->kind == k)
			return 1;
	}
	fprintf(stderr, "no app_card event %d within %d ms\n", (int)k,
		DEADLINE_MS);
	return 0;
}

static void test_service_events_and_errors(void)
{
	struct app_card *c;
	struct app_card_event ev;
	struct icao_access a;
	struct icao_document doc;
	struct puller p = { 1, 0 };
	struct card_virtual_card pc = { .ctx = &p, .apdu = puller_apdu };
	char err[256];
	int seen[6] = { 0 };
	unsigned id;

	card_virtual_remove();
	CHECK(app_card_create("nfc:", NULL, err, sizeof err) == NULL);
	CHECK(strstr(err, "nfc") != NULL);
	c = app_card_create("virtual:", "", err, sizeof err);
	REQUIRE(c != NULL);
	REQUIRE(next_of(c, APP_CARD_READER_PRESENT, &ev, NULL));
	CHECK_STR(ev.reader, "Virtual reader");

	/* a read with no card on the reader */
	memset(&a, 0, sizeof a);
	a.kind = ICAO_ACCESS_CAN;
	memcpy(a.can, "123456", 7);
	id = app_card_read(c, &a);
	CHECK(id > 0);
	REQUIRE(next_of(c, APP_CARD_RESULT, &ev, NULL));
	CHECK_INT(ev.read_id, id);
	CHECK_INT(ev.err, BK_ERR_REMOVED);
	CHECK(app_card_take_document(c, id, &doc) == 0);

	/* a card that is not an eMRTD: the read fails, nothing is held */
	card_virtual_insert(&echo_card);
	REQUIRE(next_of(c, APP_CARD_INSERTED, &ev, NULL));
	id = app_card_read(c, &a);
	CHECK(id > 0);
	memset(seen, 0, sizeof seen);
	REQUIRE(next_of(c, APP_CARD_RESULT, &ev, seen));
	CHECK_INT(ev.read_id, id);
	CHECK(ev.err != BK_OK);
	CHECK(ev.err != BK_ERR_REMOVED);
	CHECK_INT(seen[APP_CARD_PROGRESS], 1);     /* STARTED only */
	CHECK(app_card_take_document(c, 0, &doc) == 0);

	/* pulled during the read: BK_ERR_REMOVED, and the removal event */
	card_virtual_insert(&pc);
	memset(seen, 0, sizeof seen);
	REQUIRE(next_of(c, APP_CARD_INSERTED, &ev, seen));
	/* MRZ access: BAC goes on to SELECT even without EF.CardAccess */
	memset(&a, 0, sizeof a);
	a.kind = ICAO_ACCESS_MRZ;
	memcpy(a.document_number, "L898902C", 9);
	memcpy(a.date_of_birth, "690806", 7);
	memcpy(a.date_of_expiry, "940623", 7);
	id = app_card_read(c, &a);
	REQUIRE(next_of(c, APP_CARD_RESULT, &ev, seen));
	CHECK_INT(ev.err, BK_ERR_REMOVED);
	CHECK_INT(p.seen, 2);
	REQUIRE(next_of(c, APP_CARD_REMOVED, &ev, seen));
	CHECK_INT(seen[APP_CARD_REMOVED], 2);   /* replaced, then pulled */
	app_card_destroy(c);
}

static void test_service_never_blocks(void)
{
	struct gate g = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER,
			  0, 0 };
	struct card_virtual_card gc = { .ctx = &g, .apdu = gate_apdu };
	struct app_card *c;
	struct app_card_event ev;
	struct icao_access a;
	char err[256];
	unsigned id;
	long long t0;

	card_virtual_insert(&gc);
	c = app_card_create("virtual:", NULL, err, sizeof err);
	REQUIRE(c != NULL);
	REQUIRE(next_of(c, APP_CARD_INSERTED, &ev, NULL));
	memset(&a, 0, sizeof a);
	a.kind = ICAO_ACCESS_MRZ;
	memcpy(a.document_number, "L898902C", 9);
	memcpy(a.date_of_birth, "690806", 7);
	memcpy(a.date_of_expiry, "940623", 7);
	id = app_card_read(c, &a);
	REQUIRE(id > 0);
	/* the card hangs in its first APDU */
	pthread_mutex_lock(&g.lock);
	while (!g.entered)
		pthread_cond_wait(&g.cond, &g.lock);
	pthread_mutex_unlock(&g.lock);

	/* meanwhile the caller's calls return at once */
	t0 = now_ms();
	CHECK_INT(app_card_read(c, &a), 0);       /* one read at a time */
	while (app_card_poll(c, &ev))
		CHECK(ev.kind != APP_CARD_RESULT);
	app_card_discard(c);
	CHECK(now_ms() - t0 < 100);

	pthread_mutex_lock(&g.lock);
	g.open = 1;
	pthread_cond_broadcast(&g.cond);
	pthread_mutex_unlock(&g.lock);
	REQUIRE(next_of(c, APP_CARD_RESULT, &ev, NULL));
	CHECK_INT(ev.read_id, id);
	/* after the result a new read is taken */
	id = app_card_read(c, &a);
	CHECK(id > 0);
	REQUIRE(next_of(c, APP_CARD_RESULT, &ev, NULL));
	CHECK_INT(ev.read_id, id);
	card_virtual_remove();
	REQUIRE(next_of(c, APP_CARD_REMOVED, &ev, NULL));
	app_card_destroy(c);
}

static void test_service_queue_overflow(void)
{
	struct app_card *c;
	struct app_card_event ev;
	char err[256];
	int n = 0, last_kind = -1;

	card_virtual_remove();
	c = app_card_create("virtual:", NULL, err, sizeof err);
	REQUIRE(c != NULL);
	REQUIRE(next_of(c, APP_CARD_READER_PRESENT, &ev, NULL));
	/* nobody polls while 40 cards come and go: the newest survive */
	for (int i = 0; i < 20; i++) {
		card_virtual_insert(&echo_card);
		card_virtual_remove();
	}
	card_virtual_insert(&echo_card);
	/* the last event is the insertion */
	{
		long long until = now_ms() + DEADLINE_MS;

		while (now_ms() < until && last_kind != APP_CARD_INSERTED) {
			while (app_card_wait_event(c, 200, &ev)) {
				n++;
				last_kind = (int)ev.kind;
			}
		}
	}
	CHECK_INT(last_kind, APP_CARD_INSERTED);
	CHECK(n <= APP_CARD_QUEUE_MAX + 8);
	card_virtual_remove();
	app_card_destroy(c);
}

/* destroy while the thread sits in card_wait() with no limit */
static void test_service_destroy_quickly(void)
{
	struct app_card *c;
	struct app_card_event ev;
	char err[256];
	long long t0;

	c = app_card_create("virtual:", NULL, err, sizeof err);
	REQUIRE(c != NULL);
	REQUIRE(next_of(c, APP_CARD_READER_PRESENT, &ev, NULL));
	t0 = now_ms();
	app_card_destroy(c);
	CHECK(now_ms() - t0 < 1000);
}

int main(void)
{
	static const struct check_test tests[] = {
		{ "virtual reader events", test_virtual_events },
		{ "virtual APDUs, GET RESPONSE, 6Cxx, pulled card",
		  test_virtual_apdus },
		{ "virtual wait cancelled from another thread",
		  test_virtual_cancel },
		{ "service: events, no card, not an eMRTD, pulled",
		  test_service_events_and_errors },
		{ "service: a hanging card never blocks the caller",
		  test_service_never_blocks },
		{ "service: queue overflow keeps the newest",
		  test_service_queue_overflow },
		{ "service: destroy ends the wait", test_service_destroy_quickly },
		{ NULL, NULL },
	};

	return check_main(tests);
}
