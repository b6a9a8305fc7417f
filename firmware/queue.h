/*
 * queue.h — the site queue: issuing walk-in tickets.
 *
 * Ticket lifecycle (this version: issue only; calling comes with the counter
 * issue): waiting ──(counter)──▶ called ──▶ done.
 *
 * queue_issue_ticket() is the one function that creates a ticket; the UI,
 * kioskctl and tests all call it. In one BEGIN IMMEDIATE transaction it:
 *   1. returns the existing ticket when request_key was used before
 *      (a double tap, or a retry after an unknown commit outcome);
 *   2. takes the next number of the service for the local day
 *      (letter + 3 digits, A001..A999; BK_ERR_EXHAUSTED after 999);
 *   3. counts the people ahead (waiting tickets of the service today);
 *   4. renders the print job through the caller's callback and stores it;
 *   5. pushes a "ticket.issued" outbox event;
 *   6. commits. On an I/O error or a full disk at COMMIT it looks for its
 *      event's row (outbox__commit). When the row is not there it returns
 *      the error: the
 *      outcome was unknown, and the caller must retry with the SAME key
 *      (the row may still appear), never with a new one.
 *
 * It does NOT print: the caller sends the stored job to the printer driver
 * (queue_print_job_*), so the UI thread never waits on a device.
 */
#ifndef BK_QUEUE_H
#define BK_QUEUE_H

#include <stddef.h>
#include <stdint.h>

#include "firmware/config.h"
#include "firmware/err.h"
#include "firmware/store.h"

#define QUEUE_KEY_MAX 64

struct ticket {
	char id[37];                 /* UUID */
	char service_id[CONFIG_ID_MAX];
	char number[8];              /* "A001" */
	char day[11];                /* local "YYYY-MM-DD" */
	char lang[8];                /* citizen's language at the kiosk */
	int ahead;                   /* waiting tickets of the service before it */
	int wait_minutes;            /* estimated (queue_estimate_wait) */
	int64_t created_ms;
	int64_t print_job_id;        /* 0 when no job was rendered */
	int reused;                  /* 1 when request_key had been used */
	char kind[12];               /* QUEUE_KIND_WALKIN or _APPOINTMENT */
	int priority;                /* > 0: a priority ticket */
};

/* tickets.kind (schema 5): an appointment's ticket (checkin.h) is called
 * before walk-ins; walk-in is every ticket issued by queue_issue_ticket. */
#define QUEUE_KIND_WALKIN "walkin"
#define QUEUE_KIND_APPOINTMENT "appointment"

/* Renders the ticket's print job. Fills *data (malloc'ed, caller of the
 * callback frees) and *len. Returns 0, or -1 to issue the ticket without a
 * job (the failure is logged and recorded in health). */
typedef int (*queue_render_fn)(void *ctx, const struct ticket *t,
			       unsigned char **data, size_t *len);

/* lang must be one of cfg->languages (else BK_ERR_INVALID).
 * request_key: chosen by the caller per citizen action (the UI makes one
 * per visit to the service screen; kioskctl a fresh UUID). */
bk_err queue_issue_ticket(struct store *st, const struct config *cfg,
			  const char *service_id, const char *lang,
			  const char *request_key, queue_render_fn render,
			  void *render_ctx, struct ticket *out);

/* For checkin.c only: steps 2-5 above inside the caller's open BEGIN
 * IMMEDIATE transaction (no request-key lookup, no commit), with the time
 * and kind given. event_id gets the ticket.issued event's id. On error
 * the caller rolls back. */
bk_err queue__issue_in_tx(struct store *st, const struct config *cfg,
			  const struct config_service *svc, const char *lang,
			  const char *request_key, const char *kind,
			  int priority, int64_t now_ms,
			  queue_render_fn render, void *render_ctx,
			  struct ticket *out, char event_id[37]);

/* queue_issue_ticket() for a priority ticket (kiosk.priority_ticket: a
 * citizen with reduced mobility, for example): priority > 0 is stored in
 * tickets.priority in the same transaction, and counters call such
 * tickets before other walk-ins (sitequeue.h, call order). A repeated
 * request key returns the ticket as it was stored. */
bk_err queue_issue_ticket_prio(struct store *st, const struct config *cfg,
			       const char *service_id, const char *lang,
			       const char *request_key, int priority,
			       queue_render_fn render, void *render_ctx,
			       struct ticket *out);

/* Estimated minutes until a ticket with `ahead` people before it is
 * called: ahead × queue.service_minutes ÷ queue.counters, rounded up. */
int queue_estimate_wait(const struct config *cfg, int ahead);

/* The same from what the store knows (issue 6): ahead × the average
 * service time (started → finished) of the service's tickets finished in
 * the last hour, when there are at least QUEUE_AVG_MIN_SAMPLES of them,
 * else queue.service_minutes; ÷ the counters open for the service
 * (registered, not revoked, not paused), else queue.counters. Rounded
 * up; 0 when nobody is ahead. A failed read falls back to
 * queue_estimate_wait(). */
#define QUEUE_AVG_MIN_SAMPLES 3
int queue_estimate_wait_st(struct store *st, const struct config *cfg,
			   const char *service_id, int ahead, int64_t now_ms);

/* Today's waiting tickets, oldest first. Fills up to max, count in *n. */
bk_err queue_list_waiting(struct store *st, struct ticket *out, int max,
			  int *n);

/* A stored print job. Lifecycle (print_jobs.state):
 *
 *   pending ──queue_print_job_done(ok)──▶ printed
 *      │ ▲
 *      └─┘ queue_print_job_done(!ok): attempts + 1, last_error; it waits
 *          for the printer to be fixed and is sent again whole
 *   pending ──queue_print_jobs_expire()──▶ failed  (ticket of an earlier
 *          day: printing it now would hand a stranger an old number)
 *
 * Invariants: a job is stored in its ticket's transaction, before any byte
 * is sent; a process sends a job only after claiming it
 * (queue_print_job_claim: one UPDATE that only one process can win), so
 * the kiosk and kioskctl on one kiosk.db never both send it; a claim left
 * by a process that died is released after QUEUE_CLAIM_MS; it becomes printed only after the printer's status after the
 * job shows no fault (app_ticket_print); a printed job is never sent
 * again, so a ticket is printed once. */
struct print_job {
	int64_t id;
	char ticket_id[37];
	unsigned char *data;         /* owned; free with print_job_free */
	size_t len;
	char state[8];               /* "pending", "printed", "failed" */
};
bk_err queue_print_job_get(struct store *st, int64_t id, struct print_job *out);
void queue_print_job_free(struct print_job *job);
#define QUEUE_CLAIM_MS 60000  /* longer than any transport's timeouts */

/* Claims pending job id for sending: *won = 1 when this caller may send
 * it, 0 when it is not pending or another process is sending it. */
bk_err queue_print_job_claim(struct store *st, int64_t id, int *won);

/* Records the outcome of sending a job (see the lifecycle above) and
 * releases the claim. */
bk_err queue_print_job_done(struct store *st, int64_t id, int ok,
			    const char *error);

/* The oldest pending job of a ticket of today, or *id = 0 when none. */
bk_err queue_print_job_next_pending(struct store *st, int64_t *id);

/* Gives up pending jobs of tickets of earlier days; *n says how many. */
bk_err queue_print_jobs_expire(struct store *st, int *n);

struct print_counts {
	int64_t pending, printed, failed;
};
bk_err queue_print_counts(struct store *st, struct print_counts *out);

#endif
