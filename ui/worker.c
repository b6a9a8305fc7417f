/*
 * worker.c — the threads behind the screen (worker.h): one issues tickets
 * in the store, one prints.
 *
 *   UI thread ──issue job──▶ store thread ──WORKER_ISSUED──▶ UI thread
 *                               │ job id
 *                               ▼
 *                           printer thread ──WORKER_PRINTED──▶ UI thread
 *                               └ idle: retries jobs waiting for paper
 *
 * The store thread also answers the maintenance view: a snapshot of
 * health, counts and dead events, and re-queueing a dead event. They wait
 * in the same queue as issue jobs, so the store thread stays the only one
 * that writes through its connection.
 *
 * Why two threads: a printer may take seconds (feeding paper, a USB or
 * network timeout, a job waiting for paper that is retried). Issuing must
 * never queue behind that: the next citizen's number is a store
 * transaction of well under a millisecond. Each thread has its own
 * connection to kiosk.db (store.h: one thread per struct store).
 *
 * Everything is under one mutex: the job ring (UI → store thread: issue
 * and maintenance jobs), the print ring (store thread → printer thread),
 * the results ring (both → UI, polled once a frame). Each ring has a condition variable or is
 * polled. It does NOT touch SDL.
 */
#include "ui/worker.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "drivers/printer/printer.h"
#include "firmware/checkin.h"
#include "firmware/app_ticket.h"
#include "firmware/log.h"
#include "firmware/store.h"
#include "firmware/submission.h"
#include "firmware/util.h"

#ifndef BK_VERSION
#define BK_VERSION "unknown"
#endif

/* every issue job yields up to two results; the store thread's first */
#define RESULTS_MAX (2 * WORKER_QUEUE_MAX + 2)

enum job_kind {
	JOB_ISSUE,
	JOB_SNAPSHOT,
	JOB_RETRY,                    /* outbox_retry(key), then a snapshot */
	JOB_CHECKIN,                  /* checkin_by_code(process, code) */
	JOB_CHECKIN_HOLDER,           /* checkin_by_holder(surname, dob) */
	JOB_FORMS_CHECK,              /* submission_can_accept() */
	JOB_SUBMIT,                   /* forms_submit(answers), the receipt */
};

struct job {
	enum job_kind kind;
	char service_id[CONFIG_ID_MAX];
	char lang[8];
	char key[QUEUE_KEY_MAX];
	char process[32], code[32];   /* JOB_CHECKIN; wiped after use */
	char surname[128], dob[11];   /* JOB_CHECKIN_HOLDER; wiped after use */
	struct form_answers *answers; /* JOB_SUBMIT: owned by the job */
	int priority;                 /* JOB_ISSUE */
};

struct print_req {
	char key[QUEUE_KEY_MAX];
	struct ticket ticket;
	unsigned char *receipt;       /* a form receipt (owned), or NULL */
	size_t receipt_len;
};

struct worker {
	const struct config *cfg;
	struct i18n *i18n;
	char data_dir[CONFIG_PATH_MAX];
	char printer_uri[CONFIG_PATH_MAX + 16];

	pthread_t store_thread, print_thread;
	int print_started;
	pthread_mutex_t lock;
	pthread_cond_t issue_cond, print_cond;
	struct job jobs[WORKER_QUEUE_MAX];
	int job_head, n_jobs, issuing;
	struct print_req prints[WORKER_QUEUE_MAX];
	int print_head, n_prints;
	struct worker_result results[RESULTS_MAX];
	int res_head, n_res;
	int stop;

	/* the store thread's own */
	struct store *st;
	struct app_ticket_ctx tctx;   /* layout, fonts, ticket key */
	/* the printer thread's own */
	struct store *pst;
	struct printer *printer;
};

/* Called with the lock held. */
static void push_result(struct worker *w, const struct worker_result *r)
{
	if (w->n_res == RESULTS_MAX) {
		log_error("ui", "worker result queue full; dropping a result");
		return;
	}
	w->results[(w->res_head + w->n_res) % RESULTS_MAX] = *r;
	w->n_res++;
}

static void push_result_locked(struct worker *w, const struct worker_result *r)
{
	pthread_mutex_lock(&w->lock);
	push_result(w, r);
	pthread_mutex_unlock(&w->lock);
}

static void local_day_of_now(char out[11])
{
	time_t t = time(NULL);
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

/* ---- the printer thread ---- */

static void print_ticket(struct worker *w, const struct print_req *p)
{
	struct worker_result r = { .kind = WORKER_PRINTED };
	char err[512];

	snprintf(r.request_key, sizeof r.request_key, "%s", p->key);
	r.ticket = p->ticket;
	r.printed = app_ticket_print(w->pst, w->printer_uri, &w->printer,
				     p->ticket.print_job_id, NULL, err,
				     sizeof err) == BK_OK;
	log_info("printer", "ticket %s %s", p->ticket.number,
		 r.printed ? "printed" : "waits for the printer");
	push_result_locked(w, &r);
}

/* A form receipt is not a stored job: printed once now, or the screen
 * keeps showing the reference. */
static void print_receipt(struct worker *w, struct print_req *p)
{
	struct worker_result r = { .kind = WORKER_PRINTED };
	char err[512];

	snprintf(r.request_key, sizeof r.request_key, "%s", p->key);
	r.printed = app_form_receipt_print(w->pst, w->printer_uri,
					   &w->printer, p->receipt,
					   p->receipt_len, NULL, err,
					   sizeof err) == BK_OK;
	if (!r.printed)
		log_warn("printer", "form receipt not printed: %s", err);
	free(p->receipt);
	p->receipt = NULL;
	push_result_locked(w, &r);
}

/* A job that waits for the printer (paper out, cover open) is sent again
 * when the printer's status says it is fixed: one job per round, oldest
 * first, only jobs of today's tickets (queue.h, print job lifecycle). */
static void retry_printing(struct worker *w)
{
	char err[512];
	int64_t id = 0;

	if (queue_print_job_next_pending(w->pst, &id) != BK_OK || !id)
		return;
	if (app_ticket_print(w->pst, w->printer_uri, &w->printer, id, NULL,
			     err, sizeof err) == BK_OK)
		log_info("printer", "job %lld printed after waiting",
			 (long long)id);
}

static void expire_jobs(struct worker *w)
{
	int n = 0;

	if (queue_print_jobs_expire(w->pst, &n) == BK_OK && n > 0)
		log_warn("printer", "%d print job(s) of earlier days given up",
			 n);
}

/* Waits for a print request: 1 with *p, 0 when told to stop, 2 when the
 * retry interval passed without one. */
static int next_print(struct worker *w, struct print_req *p)
{
	struct timespec until;
	int got = 2;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += WORKER_RETRY_SECONDS;
	pthread_mutex_lock(&w->lock);
	while (!w->stop && !w->n_prints)
		if (pthread_cond_timedwait(&w->print_cond, &w->lock, &until) ==
		    ETIMEDOUT)
			break;
	if (w->stop) {
		got = 0;
	} else if (w->n_prints) {
		*p = w->prints[w->print_head];
		/* the request (and its receipt) is the printer thread's now */
		memset(&w->prints[w->print_head], 0, sizeof w->prints[0]);
		w->print_head = (w->print_head + 1) % WORKER_QUEUE_MAX;
		w->n_prints--;
		got = 1;
	}
	pthread_mutex_unlock(&w->lock);
	return got;
}

static void *print_main(void *arg)
{
	struct worker *w = arg;
	char day[11], now_day[11];
	struct print_req p;
	int next;

	expire_jobs(w);
	local_day_of_now(day);
	while ((next = next_print(w, &p)) != 0) {
		if (next == 1 && p.receipt)
			print_receipt(w, &p);
		else if (next == 1)
			print_ticket(w, &p);
		local_day_of_now(now_day);
		if (strcmp(now_day, day)) {
			expire_jobs(w);
			memcpy(day, now_day, sizeof day);
		}
		retry_printing(w);
	}
	printer_close(w->printer);
	w->printer = NULL;
	return NULL;
}

/* ---- the store thread ---- */

/* Hands a committed ticket's job to the printer thread (lock held). */
static void queue_print(struct worker *w, const char *key,
			const struct ticket *t)
{
	struct print_req *p;

	if (w->n_prints == WORKER_QUEUE_MAX) {
		/* cannot happen while the UI has one request in flight; the
		 * job stays pending in the store and is retried */
		log_error("printer", "print queue full; job %lld waits",
			  (long long)t->print_job_id);
		return;
	}
	p = &w->prints[(w->print_head + w->n_prints) % WORKER_QUEUE_MAX];
	/* the slot may have held a form receipt: a ticket has none */
	memset(p, 0, sizeof *p);
	snprintf(p->key, sizeof p->key, "%s", key);
	p->ticket = *t;
	w->n_prints++;
	pthread_cond_signal(&w->print_cond);
}

/* Issues the ticket and posts it so the screen can show the number; the
 * printer thread then prints it and posts the outcome. */
static void issue_ticket(struct worker *w, const struct job *job)
{
	struct worker_result r = { .kind = WORKER_ISSUED };
	struct worker_result done = { .kind = WORKER_PRINTED };

	snprintf(r.request_key, sizeof r.request_key, "%s", job->key);
	r.err = queue_issue_ticket_prio(w->st, w->cfg, job->service_id,
					job->lang, job->key, job->priority,
					app_ticket_render, &w->tctx,
					&r.ticket);
	if (r.err) {
		r.kind = WORKER_ISSUE_FAILED;
		snprintf(r.error, sizeof r.error, "%s: issuing a ticket: %s",
			 store_path(w->st), bk_strerror(r.err));
		log_error("queue", "%s", r.error);
		push_result_locked(w, &r);
		return;
	}
	done.ticket = r.ticket;
	memcpy(done.request_key, r.request_key, sizeof done.request_key);
	pthread_mutex_lock(&w->lock);
	push_result(w, &r);
	/* A repeated request (reused) goes to the printer thread too, so that
	 * printed tells the truth: its job is sent only if still pending, and
	 * the printer thread sends one job at a time, so never twice. */
	if (!r.ticket.print_job_id || !w->print_started) {
		done.printed = 0; /* no job rendered (logged), or no printer */
		push_result(w, &done);
	} else {
		queue_print(w, job->key, &r.ticket);
	}
	pthread_mutex_unlock(&w->lock);
}

/* Checks in by booking code; a new ticket (or the one from the first
 * check-in) goes to the printer thread like a walk-in ticket, so
 * WORKER_PRINTED follows. The codes are wiped from the job. */
static void checkin_job(struct worker *w, struct job *job)
{
	struct worker_result r = { .kind = WORKER_CHECKIN };
	struct worker_result done = { .kind = WORKER_PRINTED };
	struct checkin_result cr;
	bk_err e;

	snprintf(r.request_key, sizeof r.request_key, "%s", job->key);
	if (job->kind == JOB_CHECKIN_HOLDER)
		e = checkin_by_holder(w->st, w->cfg, job->surname, job->dob,
				      job->lang, app_ticket_render, &w->tctx,
				      store_now_ms(), &cr);
	else
		e = checkin_by_code(w->st, w->cfg, job->process, job->code,
				    job->lang, app_ticket_render, &w->tctx,
				    store_now_ms(), &cr);
	util_wipe(job->process, sizeof job->process);
	util_wipe(job->code, sizeof job->code);
	util_wipe(job->surname, sizeof job->surname);
	util_wipe(job->dob, sizeof job->dob);
	if (e) {
		r.kind = WORKER_ISSUE_FAILED;
		r.err = e;
		snprintf(r.error, sizeof r.error, "%s: check-in: %s",
			 store_path(w->st), bk_strerror(e));
		log_error("queue", "%s", r.error);
		push_result_locked(w, &r);
		return;
	}
	r.checkin = cr.outcome;
	r.minutes_until_open = cr.minutes_until_open;
	r.slot_start_ms = cr.slot_start_ms;
	log_info("queue", "check-in by %s: %s",
		 job->kind == JOB_CHECKIN_HOLDER ? "document" : "code",
		 checkin_outcome_name(cr.outcome));
	if (cr.outcome != CHECKIN_CHECKED_IN && cr.outcome != CHECKIN_ALREADY) {
		push_result_locked(w, &r);
		return;
	}
	r.ticket = cr.ticket;
	done.ticket = cr.ticket;
	memcpy(done.request_key, r.request_key, sizeof done.request_key);
	pthread_mutex_lock(&w->lock);
	push_result(w, &r);
	if (!cr.ticket.print_job_id || !w->print_started) {
		done.printed = 0;
		push_result(w, &done);
	} else {
		queue_print(w, job->key, &cr.ticket);
	}
	pthread_mutex_unlock(&w->lock);
}

/* ---- forms (store thread) ---- */

static void forms_check_job(struct worker *w, const struct job *job)
{
	struct worker_result r = { .kind = WORKER_FORMS_CHECK };

	snprintf(r.request_key, sizeof r.request_key, "%s", job->key);
	r.err = submission_can_accept(w->st, w->cfg, r.error, sizeof r.error);
	if (r.err)
		log_warn("forms", "form submissions refused: %s", r.error);
	push_result_locked(w, &r);
}

/* Submits, then renders the receipt and hands it to the printer
 * thread. The answers are destroyed (wiped) here whatever happens. */
static void submit_job(struct worker *w, struct job *job)
{
	struct worker_result *r = calloc(1, sizeof *r);
	struct submission_receipt rc = { 0 };
	const struct form *f = job->answers->form;
	unsigned char *data = NULL;
	size_t len = 0;
	char err[512];

	if (!r) {
		log_error("forms", "out of memory submitting a form");
		form_answers_destroy(job->answers);
		job->answers = NULL;
		return;
	}
	r->kind = WORKER_SUBMITTED;
	snprintf(r->request_key, sizeof r->request_key, "%s", job->key);
	r->err = forms_submit(w->st, w->cfg, job->answers, &rc, r->message,
			      sizeof r->message);
	form_answers_destroy(job->answers);
	job->answers = NULL;
	if (r->err) {
		snprintf(r->error, sizeof r->error, "%s: form %s: %s",
			 store_path(w->st), f->id, bk_strerror(r->err));
		log_error("forms", "%s", r->error);
		push_result_locked(w, r);
		free(r);
		return;
	}
	log_info("forms", "form %s submitted", f->id);
	memcpy(r->reference, rc.reference, sizeof r->reference);
	if (app_form_receipt_render(&w->tctx, f, rc.reference, job->lang,
				    store_now_ms(), &data, &len, err,
				    sizeof err) < 0)
		log_error("printer", "form receipt: %s", err);
	pthread_mutex_lock(&w->lock);
	push_result(w, r);
	if (data && w->print_started && w->n_prints < WORKER_QUEUE_MAX) {
		struct print_req *p = &w->prints[(w->print_head + w->n_prints) %
						 WORKER_QUEUE_MAX];
		memset(p, 0, sizeof *p);
		snprintf(p->key, sizeof p->key, "%s", job->key);
		p->receipt = data;
		p->receipt_len = len;
		w->n_prints++;
		pthread_cond_signal(&w->print_cond);
		data = NULL;
	} else {
		struct worker_result done = { .kind = WORKER_PRINTED };
		snprintf(done.request_key, sizeof done.request_key, "%s",
			 job->key);
		push_result(w, &done);
	}
	pthread_mutex_unlock(&w->lock);
	free(data);
	free(r);
}

/* ---- maintenance jobs (store thread) ---- */

static void maint_health(struct worker_maint *m,
			 const struct store_health *h, int n)
{
	for (int i = 0; i < n; i++) {
		struct worker_health *to =
			!strcmp(h[i].component, "printer") ? &m->printer
			: !strcmp(h[i].component, "sync") ? &m->sync
			: !strcmp(h[i].component, "downsync") ? &m->downsync
			: NULL;
		if (!to)
			continue;
		to->known = 1;
		to->level = h[i].ok;
		snprintf(to->message, sizeof to->message, "%s", h[i].message);
	}
}

/* Notes the first part that could not be read. */
static void maint_fail(struct worker_maint *m, const char *what, bk_err e)
{
	if (!m->error[0])
		snprintf(m->error, sizeof m->error, "%s: %s", what,
			 bk_strerror(e));
}

static void maint_snapshot(struct worker *w, struct worker_maint *m)
{
	struct store_health h[8];
	bk_err e;
	int n = 0;

	snprintf(m->version, sizeof m->version, "%s", BK_VERSION);
	snprintf(m->site_id, sizeof m->site_id, "%s", w->cfg->site_id);
	snprintf(m->kiosk_id, sizeof m->kiosk_id, "%s", w->cfg->kiosk_id);
	if ((e = store_health_list(w->st, h, 8, &n)) != BK_OK)
		maint_fail(m, "health", e);
	else
		maint_health(m, h, n);
	if ((e = queue_print_counts(w->st, &m->jobs)) != BK_OK)
		maint_fail(m, "print jobs", e);
	if ((e = outbox_counts(w->st, &m->outbox)) != BK_OK)
		maint_fail(m, "outbox", e);
	if ((e = outbox_list_dead(w->st, m->dead, WORKER_DEAD_MAX,
				  &m->n_dead)) != BK_OK) {
		m->n_dead = 0;
		maint_fail(m, "dead events", e);
	}
	if (submission_free_mb(w->st, &m->free_mb) != BK_OK)
		m->free_mb = -1;
	m->accepting = submission_can_accept(w->st, w->cfg, m->accept_why,
					     sizeof m->accept_why) == BK_OK;
}

static void maint_job(struct worker *w, const struct job *job)
{
	struct worker_result *r = calloc(1, sizeof *r);

	if (!r) {
		log_error("ui", "out of memory taking a maintenance snapshot");
		return;
	}
	r->kind = WORKER_MAINT;
	if (job->kind == JOB_RETRY) {
		snprintf(r->maint.retried, sizeof r->maint.retried, "%.36s",
			 job->key);
		r->maint.retry_err = outbox_retry(w->st, job->key);
		if (r->maint.retry_err)
			log_warn("sync", "re-queueing event %s: %s", job->key,
				 bk_strerror(r->maint.retry_err));
		else
			log_info("sync", "event %s re-queued from the "
				 "maintenance view", job->key);
	}
	maint_snapshot(w, &r->maint);
	push_result_locked(w, r);
	free(r);
}

/* Waits for the next job; 0 when told to stop. */
static int next_job(struct worker *w, struct job *job)
{
	int got = 0;

	pthread_mutex_lock(&w->lock);
	while (!w->stop && !w->n_jobs)
		pthread_cond_wait(&w->issue_cond, &w->lock);
	if (!w->stop) {
		*job = w->jobs[w->job_head];
		/* a check-in's codes must not stay behind in the ring */
		util_wipe(&w->jobs[w->job_head], sizeof w->jobs[0]);
		w->job_head = (w->job_head + 1) % WORKER_QUEUE_MAX;
		w->n_jobs--;
		w->issuing = 1;
		got = 1;
	}
	pthread_mutex_unlock(&w->lock);
	return got;
}

/* Opens the store (and the printer thread's own connection) and loads
 * what rendering needs. 0, or -1 with r filled as WORKER_STORE_FAILED. */
static int store_setup(struct worker *w, struct worker_result *r)
{
	char err[512];
	bk_err e;

	e = store_open(&w->st, w->data_dir, w->cfg->store_busy_timeout_ms,
		       r->error, sizeof r->error);
	if (!e)
		e = store_open(&w->pst, w->data_dir,
			       w->cfg->store_busy_timeout_ms, r->error,
			       sizeof r->error);
	if (e) {
		r->kind = WORKER_STORE_FAILED;
		if (!r->error[0])
			util_fmt(r->error, sizeof r->error, "%s/kiosk.db: %s",
				 w->data_dir, bk_strerror(e));
		log_error("store", "%s", r->error);
		return -1;
	}
	if (app_ticket_init(&w->tctx, w->cfg, w->i18n, w->data_dir, err,
			    sizeof err) < 0) {
		/* tickets are still issued and shown; the log says why no
		 * paper comes out */
		log_error("printer", "cannot print tickets: %s", err);
		store_health_set(w->st, "printer", STORE_HEALTH_FAULT, err);
	}
	return 0;
}

static void *store_main(void *arg)
{
	struct worker *w = arg;
	struct worker_result r = { .kind = WORKER_READY };
	struct job job;

	if (store_setup(w, &r) < 0) {
		push_result_locked(w, &r);
		return NULL;
	}
	if (pthread_create(&w->print_thread, NULL, print_main, w) == 0)
		w->print_started = 1;
	else
		log_error("printer", "cannot start the printer thread");
	push_result_locked(w, &r);
	while (next_job(w, &job)) {
		if (job.kind == JOB_ISSUE)
			issue_ticket(w, &job);
		else if (job.kind == JOB_CHECKIN ||
			 job.kind == JOB_CHECKIN_HOLDER)
			checkin_job(w, &job);
		else if (job.kind == JOB_FORMS_CHECK)
			forms_check_job(w, &job);
		else if (job.kind == JOB_SUBMIT)
			submit_job(w, &job);
		else
			maint_job(w, &job);
		pthread_mutex_lock(&w->lock);
		w->issuing = 0;
		pthread_mutex_unlock(&w->lock);
	}
	if (w->print_started)
		pthread_join(w->print_thread, NULL);
	return NULL;
}

/* ---- the UI thread's side ---- */

struct worker *worker_create(const struct config *cfg, struct i18n *i18n,
			     const char *data_dir, const char *printer_uri)
{
	struct worker *w = calloc(1, sizeof *w);

	if (!w)
		return NULL;
	w->cfg = cfg;
	w->i18n = i18n;
	snprintf(w->data_dir, sizeof w->data_dir, "%s", data_dir);
	if (printer_uri && *printer_uri)
		snprintf(w->printer_uri, sizeof w->printer_uri, "%s",
			 printer_uri);
	else
		app_printer_uri(cfg, data_dir, w->printer_uri,
				sizeof w->printer_uri);
	if (pthread_mutex_init(&w->lock, NULL) != 0)
		goto fail_lock;
	if (pthread_cond_init(&w->issue_cond, NULL) != 0)
		goto fail_issue_cond;
	if (pthread_cond_init(&w->print_cond, NULL) != 0)
		goto fail_print_cond;
	if (pthread_create(&w->store_thread, NULL, store_main, w) != 0)
		goto fail_thread;
	return w;
fail_thread:
	pthread_cond_destroy(&w->print_cond);
fail_print_cond:
	pthread_cond_destroy(&w->issue_cond);
fail_issue_cond:
	pthread_mutex_destroy(&w->lock);
fail_lock:
	free(w);
	return NULL;
}

void worker_destroy(struct worker *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->lock);
	w->stop = 1;
	pthread_cond_broadcast(&w->issue_cond);
	pthread_cond_broadcast(&w->print_cond);
	pthread_mutex_unlock(&w->lock);
	/* every device wait has a timeout (printer_int.h), so this ends */
	pthread_join(w->store_thread, NULL);
	/* what was never taken: answers are wiped, receipts freed */
	for (int i = 0; i < w->n_jobs; i++) {
		struct job *j = &w->jobs[(w->job_head + i) % WORKER_QUEUE_MAX];
		if (j->kind == JOB_SUBMIT)
			form_answers_destroy(j->answers);
		util_wipe(j, sizeof *j);
	}
	for (int i = 0; i < w->n_prints; i++)
		free(w->prints[(w->print_head + i) % WORKER_QUEUE_MAX].receipt);
	app_ticket_free(&w->tctx);
	store_close(w->pst);
	store_close(w->st);
	pthread_cond_destroy(&w->print_cond);
	pthread_cond_destroy(&w->issue_cond);
	pthread_mutex_destroy(&w->lock);
	free(w);
}

/* Queues *job. Room for it, and for the two results each pending job
 * and each job not yet printed may still post (a maintenance job posts
 * one; counting two keeps the rule simple). */
static int post(struct worker *w, const struct job *job)
{
	int rc = -1;

	pthread_mutex_lock(&w->lock);
	if (w->n_jobs < WORKER_QUEUE_MAX &&
	    2 * (w->n_jobs + w->issuing + 1) + w->n_prints + w->n_res <=
		    RESULTS_MAX) {
		w->jobs[(w->job_head + w->n_jobs) % WORKER_QUEUE_MAX] = *job;
		w->n_jobs++;
		pthread_cond_signal(&w->issue_cond);
		rc = 0;
	}
	pthread_mutex_unlock(&w->lock);
	return rc;
}

int worker_post_issue(struct worker *w, const char *service_id,
		      const char *lang, const char *request_key)
{
	struct job job = { .kind = JOB_ISSUE };

	snprintf(job.service_id, sizeof job.service_id, "%s", service_id);
	snprintf(job.lang, sizeof job.lang, "%s", lang);
	snprintf(job.key, sizeof job.key, "%s", request_key);
	return post(w, &job);
}

int worker_post_checkin(struct worker *w, const char *process,
			const char *code, const char *lang,
			const char *request_key)
{
	struct job job = { .kind = JOB_CHECKIN };
	int rc;

	if (strlen(process) >= sizeof job.process ||
	    strlen(code) >= sizeof job.code)
		return -1;
	snprintf(job.process, sizeof job.process, "%s", process);
	snprintf(job.code, sizeof job.code, "%s", code);
	snprintf(job.lang, sizeof job.lang, "%s", lang);
	snprintf(job.key, sizeof job.key, "%s", request_key);
	rc = post(w, &job);
	util_wipe(&job, sizeof job);
	return rc;
}

int worker_post_checkin_holder(struct worker *w, const char *surname,
			       const char *date_of_birth, const char *lang,
			       const char *request_key)
{
	struct job job = { .kind = JOB_CHECKIN_HOLDER };
	int rc;

	if (strlen(surname) >= sizeof job.surname ||
	    strlen(date_of_birth) >= sizeof job.dob)
		return -1;
	snprintf(job.surname, sizeof job.surname, "%s", surname);
	snprintf(job.dob, sizeof job.dob, "%s", date_of_birth);
	snprintf(job.lang, sizeof job.lang, "%s", lang);
	snprintf(job.key, sizeof job.key, "%s", request_key);
	rc = post(w, &job);
	util_wipe(&job, sizeof job);
	return rc;
}

int worker_post_forms_check(struct worker *w, const char *request_key)
{
	struct job job = { .kind = JOB_FORMS_CHECK };

	snprintf(job.key, sizeof job.key, "%s", request_key);
	return post(w, &job);
}

int worker_post_submit(struct worker *w, struct form_answers *answers,
		       const char *request_key)
{
	struct job job = { .kind = JOB_SUBMIT, .answers = answers };

	snprintf(job.lang, sizeof job.lang, "%s", answers->lang);
	snprintf(job.key, sizeof job.key, "%s", request_key);
	return post(w, &job);
}

int worker_post_issue_prio(struct worker *w, const char *service_id,
			   const char *lang, const char *request_key,
			   int priority)
{
	struct job job = { .kind = JOB_ISSUE, .priority = priority };

	snprintf(job.service_id, sizeof job.service_id, "%s", service_id);
	snprintf(job.lang, sizeof job.lang, "%s", lang);
	snprintf(job.key, sizeof job.key, "%s", request_key);
	return post(w, &job);
}

int worker_post_snapshot(struct worker *w)
{
	struct job job = { .kind = JOB_SNAPSHOT };

	return post(w, &job);
}

int worker_post_retry(struct worker *w, const char *event_id)
{
	struct job job = { .kind = JOB_RETRY };

	if (strlen(event_id) >= OUTBOX_ID_LEN)
		return -1;
	snprintf(job.key, sizeof job.key, "%s", event_id);
	return post(w, &job);
}

int worker_poll(struct worker *w, struct worker_result *out)
{
	int got = 0;

	pthread_mutex_lock(&w->lock);
	if (w->n_res) {
		*out = w->results[w->res_head];
		w->res_head = (w->res_head + 1) % RESULTS_MAX;
		w->n_res--;
		got = 1;
	}
	pthread_mutex_unlock(&w->lock);
	return got;
}
