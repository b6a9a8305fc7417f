/*
 * outbox.h — events waiting to be delivered to the back office.
 *
 * Lifecycle of an event (column outbox.state):
 *
 *     pending ──outbox_mark_delivered()──▶ delivered
 *        │  ▲
 *        │  └──outbox_retry()── dead
 *        └──outbox_mark_dead()──▶ dead     (back office rejected it for good)
 *
 *  outbox_defer() keeps it pending and moves next_attempt_ms on.
 *
 * Invariants:
 *  1. id is a UUID chosen at enqueue; it is the idempotency key.
 *  2. body is serialised once, at enqueue; every retry sends these bytes.
 *  3. An event is pushed in the same transaction as the state change it
 *     reports (outbox__push() requires an open transaction).
 *  4. Nothing leaves the table except by the retention purge of delivered
 *     events; a dead event stays until a technician re-queues it.
 */
#ifndef BK_OUTBOX_H
#define BK_OUTBOX_H

#include <stdint.h>

#include "firmware/err.h"
#include "firmware/store.h"

#define OUTBOX_ID_LEN 37        /* UUID text incl. NUL */
#define OUTBOX_BODY_MAX 65536   /* one event's serialised JSON, hard cap */

struct outbox_event {
	int64_t seq;                /* local order */
	char id[OUTBOX_ID_LEN];
	char type[32];              /* "ticket.issued", ... */
	char *body;                 /* JSON object text, owned */
	int attempts;
};

struct outbox_batch {
	struct outbox_event *ev;
	int n;
};

struct outbox_counts {
	int64_t pending, delivered, dead;
};

/* Loads up to max pending events whose next attempt is due at now_ms, in
 * seq order. The batch is freed with outbox_batch_free(). */
bk_err outbox_next_batch(struct store *st, int max, int64_t now_ms,
			 struct outbox_batch *out);
void outbox_batch_free(struct outbox_batch *b);

/* Marks these events delivered (ids the back office said it holds). */
bk_err outbox_mark_delivered(struct store *st, const char *const *ids, int n);

/* Parks one event as dead with the back office's reason. */
bk_err outbox_mark_dead(struct store *st, const char *id, const char *reason);

/* Keeps events pending, counts an attempt, sets when to try next. */
bk_err outbox_defer(struct store *st, const char *const *ids, int n,
		    int64_t next_attempt_ms, const char *error);

/* Dead → pending, due now. BK_ERR_NOTFOUND if id is not dead. */
bk_err outbox_retry(struct store *st, const char *id);

bk_err outbox_counts(struct store *st, struct outbox_counts *out);

/* Milliseconds until the earliest pending event is due (0 if one is due
 * now, -1 if none is pending). */
bk_err outbox_next_due_in(struct store *st, int64_t now_ms, int64_t *out);

/* Dead events for technicians: id, type and reason, newest first. */
struct outbox_dead {
	char id[OUTBOX_ID_LEN];
	char type[32];
	char reason[256];
};
bk_err outbox_list_dead(struct store *st, struct outbox_dead *out, int max,
			int *n);

#endif
