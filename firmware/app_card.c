/*
 * app_card.c — the card session service (app_card.h): one thread that
 * waits for reader events and runs document reads, one mutex over the
 * request, the event queue and the held document.
 *
 * Two threads: the card thread does all reader work; the waker only calls
 * card_cancel() when a read is requested, because pcsc's cancel is a
 * round trip to pcscd (SCardCancel) and app_card_read() runs on the UI
 * thread, which must never wait on another process.
 *
 * The card thread's loop:
 *   a read is requested → connect, icao_read() through the transport
 *                         below, disconnect, post RESULT
 *   else                → card_wait() (no limit); the requester and
 *                         destroy end the wait with card_cancel()
 *   pcscd missing       → post READER_ABSENT once, then look again every
 *                         APP_CARD_RETRY_MS (a timed wait on the condition
 *                         variable, so requests and destroy still wake it)
 *
 * Progress is read off the APDUs the transport carries, so icao.c needs
 * no callback: the first command with secure messaging (CLA bits b4 b3 =
 * 11, i.e. CLA & 0x0C == 0x0C) means access control is done; under secure
 * messaging a READ BINARY with a short EF identifier (INS B0, P1 bit 8) or
 * a SELECT of an EF (INS A4, P1 02) begins a file. Only CLA, INS and P1
 * are looked at; data is never.
 */
#include "firmware/app_card.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "firmware/log.h"
#include "firmware/util.h"

#define APP_CARD_RETRY_MS 1000

struct app_card {
	struct card_reader *reader;   /* used by the thread only (+ cancel) */
	char csca_dir[1024];

	pthread_t thread, waker;
	pthread_mutex_t lock;
	pthread_cond_t wake;          /* both threads: request or stop */
	pthread_cond_t posted;        /* app_card_wait_event() */
	int stop;
	int poke;                     /* waker: cancel the card thread's wait */

	/* request, under lock */
	int want_read;
	struct icao_access access;
	unsigned next_id, reading_id;

	/* events, under lock */
	struct app_card_event q[APP_CARD_QUEUE_MAX];
	int head, n;

	/* the held document, under lock */
	struct icao_document doc;
	unsigned doc_id;              /* 0: none held */

	/* the thread's own view */
	int reader_state;             /* -1 not known yet, 0 absent, 1 there */
};

/* The transport's state during one read. */
struct tctx {
	struct app_card *c;
	unsigned id;
	int access_done;
	int files;
};

bk_err app_card_map_err(card_err e)
{
	switch (e) {
	case CARD_OK: return BK_OK;
	case CARD_REMOVED:
	case CARD_NO_CARD:
	case CARD_NO_READER:
	case CARD_NO_SERVICE:
		return BK_ERR_REMOVED;
	case CARD_TIMEOUT: return BK_ERR_TIMEOUT;
	case CARD_BUSY: return BK_ERR_BUSY;
	case CARD_NOMEM: return BK_ERR_NOMEM;
	case CARD_PROTOCOL: return BK_ERR_PROTOCOL;
	case CARD_URI: return BK_ERR_CONFIG;
	case CARD_ERROR:
	case CARD_CANCELLED:
		return BK_ERR_IO;
	}
	return BK_ERR_IO;
}

/* With lock held. */
static void post_locked(struct app_card *c, const struct app_card_event *ev)
{
	if (c->n == APP_CARD_QUEUE_MAX) {
		/* drop the oldest event that is not a RESULT (when all are
		 * RESULTs — a poller that never polls — the oldest) */
		int drop = 0;

		for (int i = 0; i < c->n; i++)
			if (c->q[(c->head + i) % APP_CARD_QUEUE_MAX].kind !=
			    APP_CARD_RESULT) {
				drop = i;
				break;
			}
		for (int i = drop; i > 0; i--)
			c->q[(c->head + i) % APP_CARD_QUEUE_MAX] =
				c->q[(c->head + i - 1) % APP_CARD_QUEUE_MAX];
		c->head = (c->head + 1) % APP_CARD_QUEUE_MAX;
		c->n--;
	}
	c->q[(c->head + c->n) % APP_CARD_QUEUE_MAX] = *ev;
	c->n++;
	pthread_cond_broadcast(&c->posted);
}

static void post(struct app_card *c, const struct app_card_event *ev)
{
	pthread_mutex_lock(&c->lock);
	post_locked(c, ev);
	pthread_mutex_unlock(&c->lock);
}

static void post_simple(struct app_card *c, enum app_card_kind kind,
			const char *reader, const char *error)
{
	struct app_card_event ev;

	memset(&ev, 0, sizeof ev);
	ev.kind = kind;
	snprintf(ev.reader, sizeof ev.reader, "%s", reader ? reader : "");
	snprintf(ev.error, sizeof ev.error, "%s", error ? error : "");
	post(c, &ev);
}

static void post_progress(struct tctx *t, enum app_card_step step)
{
	struct app_card_event ev;

	memset(&ev, 0, sizeof ev);
	ev.kind = APP_CARD_PROGRESS;
	ev.read_id = t->id;
	ev.step = step;
	ev.files = t->files;
	post(t->c, &ev);
}

static int stopping(struct app_card *c)
{
	int s;

	pthread_mutex_lock(&c->lock);
	s = c->stop;
	pthread_mutex_unlock(&c->lock);
	return s;
}

/* struct icao_transport's transmit: the card driver, plus progress. */
static bk_err transport_transmit(void *ctx, const uint8_t *cmd, size_t n,
				 uint8_t *resp, size_t cap, size_t *rlen,
				 char *err, size_t errlen)
{
	struct tctx *t = ctx;
	card_err rc;

	*rlen = 0;
	if (stopping(t->c)) {
		snprintf(err, errlen, "card service stopping");
		return BK_ERR_IO;
	}
	if (n >= 4 && (cmd[0] & 0x0C) == 0x0C) {
		if (!t->access_done) {
			t->access_done = 1;
			post_progress(t, APP_CARD_STEP_ACCESS_DONE);
		}
		if ((cmd[1] == 0xB0 && (cmd[2] & 0x80)) ||
		    (cmd[1] == 0xA4 && cmd[2] == 0x02)) {
			t->files++;
			post_progress(t, APP_CARD_STEP_FILE);
		}
	}
	rc = card_transmit(t->c->reader, cmd, n, resp, cap, rlen, err,
			   errlen);
	return app_card_map_err(rc);
}

static void handle_wait_event(struct app_card *c, const struct card_event *ev)
{
	switch (ev->kind) {
	case CARD_EV_READER_ADDED:
		c->reader_state = 1;
		post_simple(c, APP_CARD_READER_PRESENT, ev->reader, NULL);
		log_info("card", "reader present: %s", ev->reader);
		break;
	case CARD_EV_READER_REMOVED:
		c->reader_state = 0;
		post_simple(c, APP_CARD_READER_ABSENT, ev->reader,
			    "reader unplugged");
		log_warn("card", "reader gone: %s", ev->reader);
		break;
	case CARD_EV_CARD_INSERTED:
		post_simple(c, APP_CARD_INSERTED, ev->reader, NULL);
		break;
	case CARD_EV_CARD_REMOVED:
		post_simple(c, APP_CARD_REMOVED, ev->reader, NULL);
		break;
	}
}

static void do_read(struct app_card *c, unsigned id,
		    struct icao_access *access)
{
	struct app_card_event ev;
	struct icao_document doc;
	struct card_info info;
	struct icao_transport tr;
	struct tctx t = { c, id, 0, 0 };
	int64_t t0 = util_mono_ms();
	card_err crc;

	memset(&ev, 0, sizeof ev);
	memset(&doc, 0, sizeof doc);
	ev.kind = APP_CARD_RESULT;
	ev.read_id = id;
	crc = card_connect(c->reader, &info, ev.error, sizeof ev.error);
	if (crc != CARD_OK) {
		ev.err = app_card_map_err(crc);
		goto out;
	}
	snprintf(ev.reader, sizeof ev.reader, "%s", info.reader);
	post_progress(&t, APP_CARD_STEP_STARTED);
	tr.ctx = &t;
	tr.transmit = transport_transmit;
	tr.extended_length = info.extended_length;
	ev.err = icao_read(&tr, access, c->csca_dir[0] ? c->csca_dir : NULL,
			   &doc, &ev.stats, ev.error, sizeof ev.error);
	card_disconnect(c->reader);
	if (ev.err == BK_OK && doc.passive_auth == ICAO_PA_FAILED) {
		/* icao_read reports this as BK_ERR_AUTH; never trust a
		 * document that failed, whatever path it came by */
		ev.err = BK_ERR_AUTH;
		snprintf(ev.error, sizeof ev.error,
			 "passive authentication failed");
	}
out:
	util_wipe(access, sizeof *access);
	ev.ms = util_mono_ms() - t0;
	if (ev.err == BK_OK)
		log_info("card", "read %u: %s, %d APDUs, %lld ms, passive "
			 "authentication %s", id, ev.stats.method,
			 ev.stats.apdus, (long long)ev.ms,
			 icao_pa_name(doc.passive_auth));
	else
		log_warn("card", "read %u failed: %s (%s)", id,
			 bk_strerror(ev.err), ev.error);
	pthread_mutex_lock(&c->lock);
	icao_document_wipe(&c->doc);
	c->doc_id = 0;
	if (ev.err == BK_OK) {
		c->doc = doc;
		c->doc_id = id;
	}
	c->reading_id = 0;
	post_locked(c, &ev);
	pthread_mutex_unlock(&c->lock);
	icao_document_wipe(&doc);
}

/* Sleeps up to ms unless a request or stop comes. */
static void idle(struct app_card *c, int ms)
{
	struct timespec until;

	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += ms / 1000;
	until.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&c->lock);
	while (!c->stop && !c->want_read)
		if (pthread_cond_timedwait(&c->wake, &c->lock, &until))
			break;
	pthread_mutex_unlock(&c->lock);
}

static void *card_main(void *arg)
{
	struct app_card *c = arg;
	struct icao_access access;

	for (;;) {
		struct card_event ev;
		char err[256];
		unsigned id = 0;
		card_err rc;

		pthread_mutex_lock(&c->lock);
		if (c->stop) {
			pthread_mutex_unlock(&c->lock);
			break;
		}
		if (c->want_read) {
			c->want_read = 0;
			id = c->reading_id;
			access = c->access;
			util_wipe(&c->access, sizeof c->access);
		}
		pthread_mutex_unlock(&c->lock);
		if (id) {
			do_read(c, id, &access);
			continue;
		}
		/* first look: timeout 0, so "no reader" is known at once */
		rc = card_wait(c->reader, c->reader_state < 0 ? 0 : -1, &ev,
			       err, sizeof err);
		if (rc == CARD_OK) {
			handle_wait_event(c, &ev);
		} else if (rc == CARD_TIMEOUT && c->reader_state < 0) {
			c->reader_state = 0;
			post_simple(c, APP_CARD_READER_ABSENT, NULL,
				    "no card reader attached");
		} else if (rc == CARD_NO_SERVICE || rc == CARD_ERROR) {
			if (c->reader_state != 0) {
				c->reader_state = 0;
				post_simple(c, APP_CARD_READER_ABSENT, NULL, err);
				log_warn("card", "%s", err);
			}
			idle(c, APP_CARD_RETRY_MS);
		}
		/* CARD_CANCELLED: a request or stop; CARD_TIMEOUT: again */
	}
	util_wipe(&access, sizeof access);
	return NULL;
}

static void *waker_main(void *arg)
{
	struct app_card *c = arg;

	pthread_mutex_lock(&c->lock);
	while (!c->stop) {
		if (!c->poke) {
			pthread_cond_wait(&c->wake, &c->lock);
			continue;
		}
		c->poke = 0;
		pthread_mutex_unlock(&c->lock);
		card_cancel(c->reader);       /* out of card_wait() */
		pthread_mutex_lock(&c->lock);
	}
	pthread_mutex_unlock(&c->lock);
	return NULL;
}

struct app_card *app_card_create(const char *uri, const char *csca_dir,
				 char *err, size_t errlen)
{
	struct app_card *c = calloc(1, sizeof *c);
	pthread_condattr_t ca;

	if (!c) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	c->reader_state = -1;
	if (csca_dir && util_fmt(c->csca_dir, sizeof c->csca_dir, "%s",
				 csca_dir)) {
		snprintf(err, errlen, "CSCA folder name too long");
		goto fail;
	}
	if (card_open(&c->reader, uri, err, errlen) != CARD_OK)
		goto fail;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	if (pthread_mutex_init(&c->lock, NULL))
		goto fail_reader;
	if (pthread_cond_init(&c->wake, &ca))
		goto fail_lock;
	if (pthread_cond_init(&c->posted, &ca))
		goto fail_wake;
	if (pthread_create(&c->waker, NULL, waker_main, c)) {
		snprintf(err, errlen, "cannot start the card threads");
		goto fail_posted;
	}
	if (pthread_create(&c->thread, NULL, card_main, c)) {
		snprintf(err, errlen, "cannot start the card threads");
		goto fail_waker;
	}
	pthread_condattr_destroy(&ca);
	return c;

fail_waker:
	pthread_mutex_lock(&c->lock);
	c->stop = 1;
	pthread_cond_broadcast(&c->wake);
	pthread_mutex_unlock(&c->lock);
	pthread_join(c->waker, NULL);
fail_posted:
	pthread_cond_destroy(&c->posted);
fail_wake:
	pthread_cond_destroy(&c->wake);
fail_lock:
	pthread_mutex_destroy(&c->lock);
fail_reader:
	pthread_condattr_destroy(&ca);
	card_close(c->reader);
fail:
	free(c);
	return NULL;
}

void app_card_destroy(struct app_card *c)
{
	if (!c)
		return;
	pthread_mutex_lock(&c->lock);
	c->stop = 1;
	pthread_cond_broadcast(&c->wake);
	pthread_mutex_unlock(&c->lock);
	card_cancel(c->reader);
	pthread_join(c->waker, NULL);
	pthread_join(c->thread, NULL);
	card_close(c->reader);
	icao_document_wipe(&c->doc);
	util_wipe(&c->access, sizeof c->access);
	util_wipe(c->q, sizeof c->q);
	pthread_cond_destroy(&c->posted);
	pthread_cond_destroy(&c->wake);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

unsigned app_card_read(struct app_card *c, const struct icao_access *a)
{
	unsigned id = 0;

	pthread_mutex_lock(&c->lock);
	if (!c->reading_id && !c->stop) {
		if (++c->next_id == 0)
			c->next_id = 1;
		id = c->reading_id = c->next_id;
		c->access = *a;
		c->want_read = 1;
		c->poke = 1;              /* the waker ends card_wait() */
		pthread_cond_broadcast(&c->wake);
	}
	pthread_mutex_unlock(&c->lock);
	return id;
}

int app_card_poll(struct app_card *c, struct app_card_event *out)
{
	int got = 0;

	pthread_mutex_lock(&c->lock);
	if (c->n) {
		*out = c->q[c->head];
		memset(&c->q[c->head], 0, sizeof c->q[c->head]);
		c->head = (c->head + 1) % APP_CARD_QUEUE_MAX;
		c->n--;
		got = 1;
	}
	pthread_mutex_unlock(&c->lock);
	return got;
}

int app_card_wait_event(struct app_card *c, int timeout_ms,
			struct app_card_event *out)
{
	struct timespec until;

	clock_gettime(CLOCK_MONOTONIC, &until);
	if (timeout_ms > 0) {
		until.tv_sec += timeout_ms / 1000;
		until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
	}
	pthread_mutex_lock(&c->lock);
	while (!c->n && timeout_ms != 0) {
		if (timeout_ms < 0)
			pthread_cond_wait(&c->posted, &c->lock);
		else if (pthread_cond_timedwait(&c->posted, &c->lock, &until))
			break;
	}
	pthread_mutex_unlock(&c->lock);
	return app_card_poll(c, out);
}

int app_card_take_document(struct app_card *c, unsigned read_id,
			   struct icao_document *out)
{
	int got = 0;

	pthread_mutex_lock(&c->lock);
	if (c->doc_id && (!read_id || read_id == c->doc_id)) {
		*out = c->doc;
		icao_document_wipe(&c->doc);
		c->doc_id = 0;
		got = 1;
	}
	pthread_mutex_unlock(&c->lock);
	return got;
}

void app_card_discard(struct app_card *c)
{
	pthread_mutex_lock(&c->lock);
	icao_document_wipe(&c->doc);
	c->doc_id = 0;
	pthread_mutex_unlock(&c->lock);
}
