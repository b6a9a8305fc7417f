/*
 * card_int.h — for card reader backend writers only; callers use card.h.
 *
 * A backend is a const table of function pointers named after its URI
 * scheme. card.c keeps a NULL-terminated list of them and picks one by the
 * scheme of the URI given to card_open(); the rest of the URI (after the
 * first ':') is the backend's argument. Virtual backends are chosen only by
 * name: there is no fallback between backends.
 *
 * Contract for every slot:
 *  1. open() gets a non-NULL argument (maybe ""), allocates its private
 *     state into *ctx and owns it; only its close() frees it. On failure it
 *     frees what it made and leaves *ctx NULL.
 *  2. wait() keeps the last state it reported and returns one event per
 *     call (card.h: card_wait). It must return CARD_CANCELLED promptly once
 *     cancel() was called, from any thread, before or during the wait.
 *  3. transmit() is one raw exchange: no GET RESPONSE, no 6Cxx handling
 *     (card.c does both, the same way for every backend). It gets n >= 4
 *     and a cap >= 2. It maps "the card went away" to CARD_REMOVED.
 *  4. err/errlen may be NULL/0; write only through card__seterr(). Texts
 *     name the reader and the reason, never APDU contents.
 *  5. connect() fills *info completely (card.c passes a struct even when
 *     the caller did not). disconnect() is harmless when not connected.
 */
#ifndef BK_CARD_INT_H
#define BK_CARD_INT_H

#include "drivers/card/card.h"

struct card_backend {
	const char *name;      /* URI scheme and card_backend_name() */
	card_err (*open)(void **ctx, const char *arg, char *err,
			 size_t errlen);
	void (*close)(void *ctx);
	card_err (*list)(void *ctx, struct card_reader_info *out, size_t max,
			 size_t *n, char *err, size_t errlen);
	card_err (*wait)(void *ctx, int timeout_ms, struct card_event *ev,
			 char *err, size_t errlen);
	void (*cancel)(void *ctx);
	card_err (*connect)(void *ctx, struct card_info *info, char *err,
			    size_t errlen);
	card_err (*transmit)(void *ctx, const uint8_t *cmd, size_t n,
			     uint8_t *resp, size_t cap, size_t *rlen,
			     char *err, size_t errlen);
	void (*disconnect)(void *ctx);
};

extern const struct card_backend card__pcsc_backend;
extern const struct card_backend card__virtual_backend;

/* snprintf into err when err is not NULL; never fails. */
void card__seterr(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* A small FIFO of events a backend found at once (e.g. reader added and
 * card inserted) and hands out one per wait() call. */
#define CARD_EVQ_MAX 8
struct card__evq {
	struct card_event ev[CARD_EVQ_MAX];
	int head, n;
};
void card__evq_push(struct card__evq *q, enum card_event_kind kind,
		    const char *reader);
int card__evq_pop(struct card__evq *q, struct card_event *out);

/* Milliseconds of CLOCK_MONOTONIC (drivers do not link firmware/util). */
long long card__now_ms(void);

#endif
