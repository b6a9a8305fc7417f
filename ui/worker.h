/*
 * worker.h — the UI's worker threads: the store and the printer.
 *
 * The UI thread never touches SQLite or a device. It posts jobs ("issue a
 * ticket for service X, request key K, language L") and, once per frame,
 * takes finished results from a mutex-protected queue. Behind it, one
 * thread issues tickets and another prints them, so a slow or stuck
 * printer never delays the next number (worker.c).
 *
 * Results, in the order the worker produces them:
 *   WORKER_READY          the store is open (first result)
 *   WORKER_STORE_FAILED   it could not be opened (first and last result)
 *   WORKER_ISSUED         a ticket was committed; its number can be shown
 *                         while the job goes to the printer
 *   WORKER_PRINTED        then, for the same request key: printed says
 *                         whether the job reached the printer (a failure is
 *                         logged and recorded with queue_print_job_done)
 *   WORKER_ISSUE_FAILED   the ticket could not be committed (err and error
 *                         say why; the transaction was rolled back)
 *   WORKER_CHECKIN        the outcome of a check-in by booking code
 *                         (checkin: enum checkin_outcome); for checked
 *                         in and already, ticket holds the number and a
 *                         WORKER_PRINTED follows as for an issued ticket;
 *                         a store failure comes as WORKER_ISSUE_FAILED
 *   WORKER_FORMS_CHECK    whether form submissions are taken now
 *                         (err: BK_OK, BK_ERR_FULL, BK_ERR_CONFIG)
 *   WORKER_SUBMITTED      a form was submitted (err BK_OK, reference set)
 *                         or refused (err, error for the technician,
 *                         message for the citizen in the form's
 *                         language); on BK_OK a WORKER_PRINTED for the
 *                         receipt follows under the same request key
 *   WORKER_MAINT          a maintenance snapshot (worker_post_snapshot), or
 *                         one taken right after worker_post_retry(): maint
 *                         holds everything the maintenance view shows
 *
 * Jobs that could not be printed (paper out, cover open) wait in the store;
 * the worker sends the oldest again when it is idle for
 * WORKER_RETRY_SECONDS and the printer's status says it is fixed — once.
 *
 * Maintenance jobs run on the store thread in the same queue as issue
 * jobs, so they never overlap a ticket's transaction and never wait on the
 * printer.
 *
 * It does NOT decide what the screen shows, and it never blocks the UI
 * thread: worker_post_*() and worker_poll() only take the lock.
 */
#ifndef BK_UI_WORKER_H
#define BK_UI_WORKER_H

#include <stdint.h>

#include "firmware/checkin.h"
#include "firmware/config.h"
#include "firmware/forms.h"
#include "firmware/i18n.h"
#include "firmware/outbox.h"
#include "firmware/queue.h"
#include "firmware/store.h"

#define WORKER_QUEUE_MAX 16
#define WORKER_RETRY_SECONDS 2  /* idle interval: jobs waiting for paper */
#define WORKER_DEAD_MAX 6       /* dead events in a snapshot, newest first */

enum worker_result_kind {
	WORKER_READY,
	WORKER_STORE_FAILED,
	WORKER_ISSUED,
	WORKER_PRINTED,
	WORKER_ISSUE_FAILED,
	WORKER_MAINT,
	WORKER_CHECKIN,
	WORKER_FORMS_CHECK,
	WORKER_SUBMITTED,
};

/* Health of one component; known = 0 when it has no row yet. */
struct worker_health {
	int known;
	int level;                    /* enum store_health_level */
	char message[256];
};

/* Everything the maintenance view shows, read in one job. A part that
 * could not be read leaves error set (the rest is still filled). */
struct worker_maint {
	struct worker_health printer, sync, downsync;
	struct print_counts jobs;
	struct outbox_counts outbox;
	struct outbox_dead dead[WORKER_DEAD_MAX]; /* newest first */
	int n_dead;
	int64_t free_mb;              /* -1 unknown */
	int accepting;                /* submission_can_accept() == BK_OK */
	char accept_why[256];         /* when not: for the technician */
	char version[16];
	char site_id[CONFIG_ID_MAX], kiosk_id[CONFIG_ID_MAX];
	char retried[OUTBOX_ID_LEN];  /* after a retry job: its event id */
	bk_err retry_err;             /* and its outcome */
	char error[CONFIG_ERR_MAX];   /* "" = every part was read */
};

struct worker_result {
	enum worker_result_kind kind;
	char request_key[QUEUE_KEY_MAX];
	struct ticket ticket;         /* WORKER_ISSUED */
	int printed;                  /* WORKER_PRINTED: 1 = job sent */
	bk_err err;                   /* WORKER_ISSUE_FAILED */
	char error[CONFIG_ERR_MAX];   /* failures: for the technician */
	struct worker_maint maint;    /* WORKER_MAINT */
	enum checkin_outcome checkin; /* WORKER_CHECKIN */
	int minutes_until_open;       /* WORKER_CHECKIN, too early */
	int64_t slot_start_ms;        /* WORKER_CHECKIN, found: the slot */
	char reference[SUBMISSION_REF_LEN]; /* WORKER_SUBMITTED */
	char message[FORMS_MSG_MAX];  /* WORKER_SUBMITTED refused: citizen's */
};

struct worker;

/* Starts the thread, which opens DATA_DIR/kiosk.db and then waits for
 * jobs. cfg and i18n must outlive the worker. printer_uri "" means
 * virtual:DATA_DIR/printer. NULL when the thread could not start. */
struct worker *worker_create(const struct config *cfg, struct i18n *i18n,
			     const char *data_dir, const char *printer_uri);

/* Lets the job in progress finish, stops the thread, frees everything. */
void worker_destroy(struct worker *w);

/* Queues an issue job. -1 when the queue is full. */
int worker_post_issue(struct worker *w, const char *service_id,
		      const char *lang, const char *request_key);
/* The same for a priority ticket (queue_issue_ticket_prio). */
int worker_post_issue_prio(struct worker *w, const char *service_id,
			   const char *lang, const char *request_key,
			   int priority);

/* Queues a check-in by process number and booking code (checkin_by_code;
 * both are wiped from the job once done). request_key identifies the
 * attempt in the result. -1 when the queue is full. */
int worker_post_checkin(struct worker *w, const char *process,
			const char *code, const char *lang,
			const char *request_key);

/* Queues a check-in by ID document (checkin_by_holder): surname as the
 * document gives it, date_of_birth "YYYY-MM-DD"; both are wiped from the
 * job once done. The result is a WORKER_CHECKIN as for a booking code.
 * -1 when the queue is full or a value is too long. */
int worker_post_checkin_holder(struct worker *w, const char *surname,
			       const char *date_of_birth, const char *lang,
			       const char *request_key);

/* Queues "may forms be submitted now?" (submission_can_accept). */
int worker_post_forms_check(struct worker *w, const char *request_key);

/* Queues a submission of answers (forms_submit), then the receipt. The
 * worker takes answers over (the caller hands a copy and forgets it) and
 * destroys it, wiped, when done; on -1 (queue full) the caller still
 * owns it. The form must outlive the worker. */
int worker_post_submit(struct worker *w, struct form_answers *answers,
		       const char *request_key);

/* Queues a maintenance snapshot job. -1 when the queue is full. */
int worker_post_snapshot(struct worker *w);

/* Queues "re-queue dead event ID (outbox_retry), then a snapshot".
 * -1 when the queue is full or id is too long. */
int worker_post_retry(struct worker *w, const char *event_id);

/* Takes the oldest result into *out: 1, or 0 when there is none. */
int worker_poll(struct worker *w, struct worker_result *out);

#endif
