/*
 * card.c — picks a card reader backend by URI scheme and forwards to it;
 * the APDU rules that are the same for every reader live here.
 *
 * Command APDU cases (ISO/IEC 7816-3 12.1, what apdu_case() checks):
 *
 *   case  bytes                          length n
 *   1     CLA INS P1 P2                  4
 *   2S    ... Le                         5
 *   3S    ... Lc(1..255) data            5 + Lc
 *   4S    ... Lc data Le                 6 + Lc
 *   2E    ... 00 Le1 Le2                 7
 *   3E    ... 00 Lc1 Lc2 data            7 + Lc   (Lc 1..65535)
 *   4E    ... 00 Lc1 Lc2 data Le1 Le2    9 + Lc
 *
 * Answers: data then SW1 SW2. SW1 = 61: xx more bytes wait, fetched with
 * GET RESPONSE (CLA' C0 00 00 xx, CLA' = the channel bits of CLA), repeated
 * while the card says 61. SW1 = 6C: wrong Le; the command is sent again
 * once with Le = xx (short APDUs only: an extended command never gets 6C).
 * T=0 readers pass both up to us; on T=1 they are rare but harmless.
 */
#include "drivers/card/card_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct card_reader {
	const struct card_backend *be;
	void *ctx;                 /* owned by be */
	int connected;
	struct card_info info;
};

/* Every backend this build knows; virtual ones only ever by name. */
static const struct card_backend *const backends[] = {
	&card__pcsc_backend,
	&card__virtual_backend,
	NULL,
};

const char *card_strerror(card_err e)
{
	switch (e) {
	case CARD_OK: return "success";
	case CARD_ERROR: return "card reader error";
	case CARD_URI: return "unknown or malformed card reader URI";
	case CARD_NOMEM: return "out of memory";
	case CARD_NO_SERVICE: return "PC/SC service (pcscd) not running";
	case CARD_NO_READER: return "no card reader";
	case CARD_NO_CARD: return "no card in the reader";
	case CARD_REMOVED: return "card removed";
	case CARD_TIMEOUT: return "timed out";
	case CARD_CANCELLED: return "cancelled";
	case CARD_PROTOCOL: return "card protocol error";
	case CARD_BUSY: return "card in use by another program";
	}
	return "unknown card error";
}

const char *card_event_name(enum card_event_kind k)
{
	switch (k) {
	case CARD_EV_READER_ADDED: return "reader-added";
	case CARD_EV_READER_REMOVED: return "reader-removed";
	case CARD_EV_CARD_INSERTED: return "card-inserted";
	case CARD_EV_CARD_REMOVED: return "card-removed";
	}
	return "unknown";
}

void card__seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static void clear_err(char *err, size_t errlen)
{
	if (err && errlen)
		err[0] = '\0';
}

long long card__now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void card__evq_push(struct card__evq *q, enum card_event_kind kind,
		    const char *reader)
{
	struct card_event *e;

	if (q->n == CARD_EVQ_MAX) {   /* drop the oldest: newest state wins */
		q->head = (q->head + 1) % CARD_EVQ_MAX;
		q->n--;
	}
	e = &q->ev[(q->head + q->n) % CARD_EVQ_MAX];
	e->kind = kind;
	snprintf(e->reader, sizeof e->reader, "%s", reader ? reader : "");
	q->n++;
}

int card__evq_pop(struct card__evq *q, struct card_event *out)
{
	if (!q->n)
		return 0;
	*out = q->ev[q->head];
	q->head = (q->head + 1) % CARD_EVQ_MAX;
	q->n--;
	return 1;
}

static const struct card_backend *find_backend(const char *scheme, size_t len)
{
	for (const struct card_backend *const *b = backends; *b; b++)
		if (strlen((*b)->name) == len && !memcmp((*b)->name, scheme, len))
			return *b;
	return NULL;
}

card_err card_open(struct card_reader **out, const char *uri, char *err,
		   size_t errlen)
{
	const struct card_backend *be;
	struct card_reader *r;
	const char *colon;
	card_err rc;

	clear_err(err, errlen);
	*out = NULL;
	colon = uri ? strchr(uri, ':') : NULL;
	if (!colon || colon == uri) {
		card__seterr(err, errlen, "card reader URI \"%s\" has no scheme "
			     "(want pcsc:[NAME] or virtual:)",
			     uri ? uri : "(null)");
		return CARD_URI;
	}
	be = find_backend(uri, (size_t)(colon - uri));
	if (!be) {
		card__seterr(err, errlen, "no card reader backend for \"%.*s:\"",
			     (int)(colon - uri), uri);
		return CARD_URI;
	}
	r = calloc(1, sizeof *r);
	if (!r) {
		card__seterr(err, errlen, "%s", card_strerror(CARD_NOMEM));
		return CARD_NOMEM;
	}
	r->be = be;
	rc = be->open(&r->ctx, colon + 1, err, errlen);
	if (rc != CARD_OK) {
		free(r);
		return rc;
	}
	*out = r;
	return CARD_OK;
}

void card_close(struct card_reader *r)
{
	if (!r)
		return;
	card_disconnect(r);
	r->be->close(r->ctx);
	free(r);
}

const char *card_backend_name(const struct card_reader *r)
{
	return r ? r->be->name : "none";
}

card_err card_list(struct card_reader *r, struct card_reader_info *out,
		   size_t max, size_t *n, char *err, size_t errlen)
{
	clear_err(err, errlen);
	*n = 0;
	return r->be->list(r->ctx, out, max, n, err, errlen);
}

card_err card_wait(struct card_reader *r, int timeout_ms,
		   struct card_event *ev, char *err, size_t errlen)
{
	clear_err(err, errlen);
	memset(ev, 0, sizeof *ev);
	return r->be->wait(r->ctx, timeout_ms, ev, err, errlen);
}

void card_cancel(struct card_reader *r)
{
	if (r)
		r->be->cancel(r->ctx);
}

card_err card_connect(struct card_reader *r, struct card_info *info,
		      char *err, size_t errlen)
{
	card_err rc;

	clear_err(err, errlen);
	card_disconnect(r);
	memset(&r->info, 0, sizeof r->info);
	rc = r->be->connect(r->ctx, &r->info, err, errlen);
	if (rc == CARD_OK)
		r->connected = 1;
	if (info)
		*info = r->info;
	return rc;
}

void card_disconnect(struct card_reader *r)
{
	if (!r || !r->connected)
		return;
	r->be->disconnect(r->ctx);
	r->connected = 0;
}

/* 1 short, 2 extended, 0 malformed (table above). */
static int apdu_case(const uint8_t *c, size_t n)
{
	size_t lc;

	if (n == 4 || n == 5)
		return 1;
	if (n < 4)
		return 0;
	if (c[4] != 0) {
		lc = c[4];
		return n == 5 + lc || n == 6 + lc ? 1 : 0;
	}
	if (n == 7)
		return 2;
	if (n < 7)
		return 0;             /* 00 then one byte: no such case */
	lc = (size_t)c[5] << 8 | c[6];
	return lc && (n == 7 + lc || n == 9 + lc) ? 2 : 0;
}

/* The same short command with Le = le (6Cxx): cmd is copied to out. */
static size_t with_le(const uint8_t *c, size_t n, uint8_t le, uint8_t *out)
{
	memcpy(out, c, n);
	if (n == 4 || (n > 5 && n == 5 + (size_t)c[4])) {
		out[n] = le;          /* case 1 / 3S: add Le */
		return n + 1;
	}
	out[n - 1] = le;              /* case 2S / 4S: replace Le */
	return n;
}

card_err card_transmit(struct card_reader *r, const uint8_t *cmd, size_t n,
		       uint8_t *resp, size_t cap, size_t *rlen, char *err,
		       size_t errlen)
{
	uint8_t again[4 + 1 + 255 + 1], getr[5];
	size_t off = 0, got = 0;
	int kind, rounds = 0;
	card_err rc;

	clear_err(err, errlen);
	*rlen = 0;
	if (!r->connected) {
		card__seterr(err, errlen, "not connected to a card");
		return CARD_NO_CARD;
	}
	kind = cmd && n <= CARD_CMD_MAX ? apdu_case(cmd, n) : 0;
	if (!kind) {
		card__seterr(err, errlen, "malformed command APDU (%zu bytes)",
			     n);
		return CARD_PROTOCOL;
	}
	if (kind == 2 && !r->info.extended_length) {
		card__seterr(err, errlen, "reader \"%s\" does not take "
			     "extended-length APDUs", r->info.reader);
		return CARD_PROTOCOL;
	}
	if (cap > CARD_RESP_MAX)
		cap = CARD_RESP_MAX;
	if (cap < 2) {
		card__seterr(err, errlen, "answer buffer too small");
		return CARD_PROTOCOL;
	}
	rc = r->be->transmit(r->ctx, cmd, n, resp, cap, &got, err, errlen);
	if (rc == CARD_OK && got == 2 && resp[0] == 0x6C && kind == 1) {
		size_t n2 = with_le(cmd, n, resp[1], again);

		rc = r->be->transmit(r->ctx, again, n2, resp, cap, &got, err,
				     errlen);
		explicit_bzero(again, sizeof again); /* may hold card data */
	}
	while (rc == CARD_OK && got >= 2 && resp[off + got - 2] == 0x61) {
		if (++rounds > CARD_GET_RESPONSE_MAX) {
			card__seterr(err, errlen, "card keeps answering 61xx "
				     "(more than %d GET RESPONSE)",
				     CARD_GET_RESPONSE_MAX);
			rc = CARD_PROTOCOL;
			break;
		}
		getr[0] = cmd[0] & 0x03;
		getr[1] = 0xC0;
		getr[2] = 0;
		getr[3] = 0;
		getr[4] = resp[off + got - 1];
		off += got - 2;                 /* keep data, drop 61xx */
		if (cap - off < 2 + (getr[4] ? getr[4] : 256u)) {
			card__seterr(err, errlen, "card answer longer than %zu "
				     "bytes", cap);
			rc = CARD_PROTOCOL;
			break;
		}
		rc = r->be->transmit(r->ctx, getr, sizeof getr, resp + off,
				     cap - off, &got, err, errlen);
	}
	if (rc == CARD_OK && got < 2) {
		card__seterr(err, errlen, "card answer without status word");
		rc = CARD_PROTOCOL;
	}
	if (rc != CARD_OK) {
		memset(resp, 0, off + got < cap ? off + got : cap);
		return rc;
	}
	*rlen = off + got;
	return CARD_OK;
}
