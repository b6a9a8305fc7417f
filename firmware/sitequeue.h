/*
 * sitequeue.h — the counters' side of the site queue: counters and their
 * tokens, calling tickets in the site's call order, and what counters do
 * with a called ticket. The HTTP layer is siteapi.h; docs/site-api.md is
 * the contract both keep.
 *
 * Ticket lifecycle (tickets.status; the issue side is queue.h):
 *
 *   waiting ──next──▶ called ──start──▶ serving ──finish──▶ done
 *      ▲               │ ▲──recall──┘ │     │
 *      │               │              │     ├──park──▶ parked
 *      │               ├──finish──▶ done    └──transfer──▶ waiting
 *      │               ├──no-show (calls ≥ queue.noshow_after_calls)──▶ no_show
 *      │               ├──park──▶ parked ──unpark──▶ called
 *      │               └──transfer──▶ waiting (another queue or counter)
 *      └── next of the same counter while the ticket is still called
 *          (re-queued; not called again within queue.recall_cooldown_s)
 *
 * Invariants:
 *  1. A counter holds at most one ticket (status called or serving with
 *     counter_id = the counter); an action on a ticket another counter
 *     holds is a conflict, never a change.
 *  2. Every change is one BEGIN IMMEDIATE transaction with its outbox
 *     event (outbox__commit) and a site_events row; two counters calling
 *     at once are serialised by the write lock, so they never get the
 *     same ticket.
 *  3. No personal data: tickets, events and site_events carry ticket
 *     numbers, ids, service ids and counter names only.
 *  4. A token is shown once (sitequeue_counter_add); only its SHA-256 is
 *     stored.
 *
 * Call order (sitequeue_act SQ_NEXT; docs/site-api.md "Call order"), among
 * today's waiting tickets of the counter's services: (0) tickets
 * transferred to this counter, by transfer time; (1) appointment tickets
 * whose slot starts within queue.due_before_min, by slot; (2) priority
 * tickets, higher first, then by arrival; (3) walk-ins by arrival;
 * (4) appointments not yet due, by slot. Skipped: tickets called less than
 * queue.recall_cooldown_s ago, parked tickets, tickets transferred to
 * another counter.
 *
 * This module does NOT speak HTTP, hold sessions or wake event streams:
 * the caller learns the new site_events id from the result.
 */
#ifndef BK_SITEQUEUE_H
#define BK_SITEQUEUE_H

#include <stdint.h>

#include "firmware/config.h"
#include "firmware/err.h"
#include "firmware/store.h"

#define SQ_NAME_MAX 64          /* counter names: UTF-8, no controls */
#define SQ_TOKEN_LEN 44         /* 43 base64url characters + NUL */
#define SQ_MAX_PARKED 32

struct sq_counter {
	char id[37];
	char name[SQ_NAME_MAX];
	char services[CONFIG_MAX_SERVICES][CONFIG_ID_MAX];
	int n_services;
	int paused;
	int64_t created_ms;
	int64_t revoked_ms;         /* 0 = active */
};

struct sq_ticket {
	char id[37];
	char number[8];
	char service_id[CONFIG_ID_MAX];   /* the queue it is in now */
	char kind[12];
	char status[10];
	char counter_id[37];              /* holder ("" = none) */
	int calls;
	int64_t created_ms, called_ms;
};

enum sq_action {
	SQ_NEXT, SQ_RECALL, SQ_START, SQ_FINISH, SQ_NOSHOW, SQ_TRANSFER,
	SQ_PARK, SQ_UNPARK, SQ_PAUSE, SQ_RESUME,
};

/* "next", "recall", "start", "finish", "no-show", "transfer", "park",
 * "unpark", "pause", "resume" (the API's path names). */
const char *sq_action_name(enum sq_action a);
int sq_action_parse(const char *name, enum sq_action *out);

struct sq_request {
	enum sq_action action;
	char ticket_id[37];               /* "" = the held ticket */
	char number[8];                   /* unpark by number */
	char to_service[CONFIG_ID_MAX];   /* transfer */
	char to_counter[SQ_NAME_MAX];     /* transfer */
};

enum sq_outcome {
	SQ_OK = 0,
	SQ_CONFLICT,        /* the state does not allow it (why says so) */
	SQ_NOTFOUND,        /* no such ticket, service or counter */
	SQ_INVALID,         /* a request that can never work */
};

struct sq_result {
	enum sq_outcome outcome;
	char why[160];                    /* for the error message */
	char event[32];                   /* the main event's type, or "" */
	int have_ticket;                  /* next: 0 = nobody waiting */
	struct sq_ticket ticket;          /* the ticket acted on / called */
	int64_t site_event_id;            /* newest site_events id written */
};

/* Creates a counter serving services (ids of cfg, comma separated). The
 * token is written to token (shown once). Errors: BK_ERR_INVALID with why
 * (bad name, unknown service, a counter of that name is active). */
bk_err sq_counter_add(struct store *st, const struct config *cfg,
		      const char *name, const char *services,
		      char token[SQ_TOKEN_LEN], struct sq_counter *out,
		      char *why, size_t whylen);
/* Revokes the active counter of that name: BK_ERR_NOTFOUND if none. Its
 * held ticket goes back to the queue. */
bk_err sq_counter_revoke(struct store *st, const char *name);
/* All counters, active ones first, by name. */
bk_err sq_counter_list(struct store *st, struct sq_counter *out, int max,
		       int *n);
/* The active counter of a token: BK_ERR_AUTH when unknown or revoked.
 * token is outside input (any bytes up to a NUL; capped at 128). */
bk_err sq_counter_auth(struct store *st, const char *token,
		       struct sq_counter *out);
bk_err sq_counter_get(struct store *st, const char *id,
		      struct sq_counter *out);

/* Does req for counter c (whose row is re-read inside the transaction)
 * at now_ms. BK_OK with res->outcome saying whether it was done; another
 * bk_err is a store failure (BK_ERR_BUSY: nothing written, retry). */
bk_err sq_act(struct store *st, const struct config *cfg, const char *counter_id,
	      const struct sq_request *req, int64_t now_ms,
	      struct sq_result *res);

struct sq_queue_len {
	char service_id[CONFIG_ID_MAX];
	int waiting;
};

struct sq_state {
	struct sq_counter counter;
	int have_ticket;
	struct sq_ticket ticket;
	struct sq_queue_len queues[CONFIG_MAX_SERVICES];
	int n_queues;
	struct sq_ticket parked[SQ_MAX_PARKED];
	int n_parked;
	int64_t last_event_id;
};
bk_err sq_state(struct store *st, const char *counter_id, int64_t now_ms,
		struct sq_state *out);

/* Calls for the waiting-room display (site_events of type call / recall
 * of the local day of now_ms): with after_id < 0 the newest max ones, else
 * those with id > after_id (at most max); oldest first. */
struct sq_call {
	int64_t id;
	char number[8];
	char counter[SQ_NAME_MAX];
	int recall;
	int64_t at_ms;
};
bk_err sq_calls(struct store *st, int64_t now_ms, int64_t after_id,
		struct sq_call *out, int max, int *n);
bk_err sq_last_event_id(struct store *st, int64_t *out);

/* Drops site_events of days before the local day of now_ms. */
bk_err sq_purge_events(struct store *st, int64_t now_ms, int *n);

/* SHA-256 of a token (for tests and the store). */
void sq__token_hash(const char *token, unsigned char out[32]);

#endif
