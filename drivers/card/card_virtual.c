/*
 * card_virtual.c — the "virtual:" backend: one in-process reader whose card
 * is a function table (card.h: struct card_virtual_card).
 *
 * State shared by every virtual card_reader of the process, under vlock:
 *   present   a card is on the reader
 *   gen       counts inserts and removals; a connection remembers the gen
 *             it was made in, so a transmit after (or during) a removal —
 *             or a replacement — is CARD_REMOVED
 *   busy      apdu() and reset() calls in progress (made without vlock
 *             held); removal waits for them unless made from inside one
 *
 * Invariants: (1) apdu() is never called with vlock held; (2) after
 * card_virtual_remove() returns, no apdu() of the old card runs on another
 * thread; (3) every reader reports READER_ADDED first (the virtual reader
 * is always there), then card events in the order they happened.
 */
#include "drivers/card/card_int.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define VIRTUAL_NAME "Virtual reader"

static const uint8_t default_atr[] = { 0x3B, 0x80, 0x80, 0x01, 0x01 };

static pthread_mutex_t vlock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t vcond;     /* CLOCK_MONOTONIC; made once */
static pthread_once_t vonce = PTHREAD_ONCE_INIT;
static struct card_virtual_card vcard;
static int present;
static unsigned gen;
static int busy;
static _Thread_local int in_apdu;

struct vreader {
	int announced;
	int seen_present;
	unsigned seen_gen;
	int cancel_pending;
	struct card__evq q;
	int connected;
	unsigned conn_gen;
};

static void init_cond(void)
{
	pthread_condattr_t a;

	pthread_condattr_init(&a);
	pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
	pthread_cond_init(&vcond, &a);
	pthread_condattr_destroy(&a);
}

static void lock(void)
{
	pthread_once(&vonce, init_cond);
	pthread_mutex_lock(&vlock);
}

/* With vlock held: until no apdu() of another thread runs. */
static void wait_idle(void)
{
	while (busy - in_apdu > 0)
		pthread_cond_wait(&vcond, &vlock);
}

void card_virtual_insert(const struct card_virtual_card *card)
{
	lock();
	wait_idle();
	vcard = *card;
	present = 1;
	gen++;
	pthread_cond_broadcast(&vcond);
	pthread_mutex_unlock(&vlock);
}

void card_virtual_remove(void)
{
	lock();
	wait_idle();
	if (present) {
		memset(&vcard, 0, sizeof vcard);
		present = 0;
		gen++;
		pthread_cond_broadcast(&vcond);
	}
	pthread_mutex_unlock(&vlock);
}

int card_virtual_present(void)
{
	int p;

	lock();
	p = present;
	pthread_mutex_unlock(&vlock);
	return p;
}

static card_err v_open(void **ctx, const char *arg, char *err, size_t errlen)
{
	struct vreader *v;

	if (arg[0]) {
		card__seterr(err, errlen, "virtual: takes no argument "
			     "(\"virtual:%s\")", arg);
		return CARD_URI;
	}
	v = calloc(1, sizeof *v);
	if (!v)
		return CARD_NOMEM;
	*ctx = v;
	return CARD_OK;
}

static void v_close(void *ctx)
{
	free(ctx);
}

static card_err v_list(void *ctx, struct card_reader_info *out, size_t max,
		       size_t *n, char *err, size_t errlen)
{
	(void)ctx;
	(void)err;
	(void)errlen;
	if (!max)
		return CARD_OK;
	snprintf(out[0].name, sizeof out[0].name, "%s", VIRTUAL_NAME);
	out[0].card_present = card_virtual_present();
	out[0].selected = 1;
	*n = 1;
	return CARD_OK;
}

/* With vlock held: turns what changed since the last look into events. */
static void v_look(struct vreader *v)
{
	if (!v->announced) {
		v->announced = 1;
		card__evq_push(&v->q, CARD_EV_READER_ADDED, VIRTUAL_NAME);
		v->seen_present = 0;
		v->seen_gen = gen - 1;   /* differs: forces the card check */
	}
	if (v->seen_gen == gen)
		return;
	if (v->seen_present && present) {
		card__evq_push(&v->q, CARD_EV_CARD_REMOVED, VIRTUAL_NAME);
		card__evq_push(&v->q, CARD_EV_CARD_INSERTED, VIRTUAL_NAME);
	} else if (v->seen_present != present) {
		card__evq_push(&v->q, present ? CARD_EV_CARD_INSERTED
				    : CARD_EV_CARD_REMOVED, VIRTUAL_NAME);
	}
	v->seen_present = present;
	v->seen_gen = gen;
}

static card_err v_wait(void *ctx, int timeout_ms, struct card_event *ev,
		       char *err, size_t errlen)
{
	struct vreader *v = ctx;
	struct timespec until;
	card_err rc;

	clock_gettime(CLOCK_MONOTONIC, &until);
	if (timeout_ms > 0) {
		until.tv_sec += timeout_ms / 1000;
		until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
	}
	lock();
	for (;;) {
		v_look(v);
		if (card__evq_pop(&v->q, ev)) {
			rc = CARD_OK;
			break;
		}
		if (v->cancel_pending) {
			v->cancel_pending = 0;
			card__seterr(err, errlen, "wait cancelled");
			rc = CARD_CANCELLED;
			break;
		}
		if (timeout_ms < 0) {
			pthread_cond_wait(&vcond, &vlock);
		} else if (timeout_ms == 0 ||
			   pthread_cond_timedwait(&vcond, &vlock, &until)) {
			v_look(v);
			if (card__evq_pop(&v->q, ev)) {
				rc = CARD_OK;
				break;
			}
			card__seterr(err, errlen, "no card event within %d ms",
				     timeout_ms);
			rc = CARD_TIMEOUT;
			break;
		}
	}
	pthread_mutex_unlock(&vlock);
	return rc;
}

static void v_cancel(void *ctx)
{
	struct vreader *v = ctx;

	lock();
	v->cancel_pending = 1;
	pthread_cond_broadcast(&vcond);
	pthread_mutex_unlock(&vlock);
}

static card_err v_connect(void *ctx, struct card_info *info, char *err,
			  size_t errlen)
{
	struct vreader *v = ctx;
	struct card_virtual_card c;
	card_err rc = CARD_OK;
	unsigned g;

	lock();
	if (present && vcard.reset) {        /* power the card up afresh */
		c = vcard;
		g = gen;
		busy++;
		pthread_mutex_unlock(&vlock);
		in_apdu++;
		c.reset(c.ctx);
		in_apdu--;
		lock();
		busy--;
		pthread_cond_broadcast(&vcond);
		if (gen != g && present) {   /* replaced meanwhile: reset it */
			pthread_mutex_unlock(&vlock);
			return v_connect(ctx, info, err, errlen);
		}
	}
	if (!present) {
		card__seterr(err, errlen, "no card on \"%s\"", VIRTUAL_NAME);
		rc = CARD_NO_CARD;
		goto out;
	}
	v->connected = 1;
	v->conn_gen = gen;
	snprintf(info->reader, sizeof info->reader, "%s", VIRTUAL_NAME);
	if (vcard.atr && vcard.atr_len && vcard.atr_len <= CARD_ATR_MAX) {
		memcpy(info->atr, vcard.atr, vcard.atr_len);
		info->atr_len = vcard.atr_len;
	} else {
		memcpy(info->atr, default_atr, sizeof default_atr);
		info->atr_len = sizeof default_atr;
	}
	info->protocol = 1;
	info->extended_length = 1;
out:
	pthread_mutex_unlock(&vlock);
	return rc;
}

static card_err v_transmit(void *ctx, const uint8_t *cmd, size_t n,
			   uint8_t *resp, size_t cap, size_t *rlen, char *err,
			   size_t errlen)
{
	struct vreader *v = ctx;
	struct card_virtual_card c;
	size_t got = 0;
	int bad;

	*rlen = 0;
	lock();
	if (!present || gen != v->conn_gen) {
		pthread_mutex_unlock(&vlock);
		card__seterr(err, errlen, "%s: \"%s\"",
			     card_strerror(CARD_REMOVED), VIRTUAL_NAME);
		return CARD_REMOVED;
	}
	c = vcard;
	busy++;
	pthread_mutex_unlock(&vlock);

	in_apdu++;
	bad = c.apdu(c.ctx, cmd, n, resp, cap, &got);
	in_apdu--;

	lock();
	busy--;
	pthread_cond_broadcast(&vcond);
	if (!present || gen != v->conn_gen) {  /* pulled during the APDU */
		pthread_mutex_unlock(&vlock);
		explicit_bzero(resp, got < cap ? got : cap);
		card__seterr(err, errlen, "%s: \"%s\"",
			     card_strerror(CARD_REMOVED), VIRTUAL_NAME);
		return CARD_REMOVED;
	}
	pthread_mutex_unlock(&vlock);
	if (bad) {
		card__seterr(err, errlen, "the card on \"%s\" does not answer",
			     VIRTUAL_NAME);
		return CARD_ERROR;
	}
	if (got > cap) {
		card__seterr(err, errlen, "virtual card answered %zu bytes "
			     "into %zu", got, cap);
		return CARD_PROTOCOL;
	}
	*rlen = got;
	return CARD_OK;
}

static void v_disconnect(void *ctx)
{
	struct vreader *v = ctx;

	v->connected = 0;
}

const struct card_backend card__virtual_backend = {
	.name = "virtual",
	.open = v_open,
	.close = v_close,
	.list = v_list,
	.wait = v_wait,
	.cancel = v_cancel,
	.connect = v_connect,
	.transmit = v_transmit,
	.disconnect = v_disconnect,
};
