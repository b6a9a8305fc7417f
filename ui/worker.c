/*
 * worker.c — the thread that issues tickets and prints them (worker.h).
 *
 * Two small ring buffers under one mutex: jobs (UI → worker, with a
 * condition variable) and results (worker → UI, polled once a frame).
 * Everything that may wait on a disk or a device — store_open,
 * queue_issue_ticket's fsync'ed commit, printer_open/printer_send — runs
 * here. It does NOT touch SDL.
 */
#include "ui/worker.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "drivers/printer/printer.h"
#include "firmware/app_ticket.h"
#include "firmware/log.h"
#include "firmware/store.h"
#include "firmware/util.h"

#define RESULTS_MAX (2 * WORKER_QUEUE_MAX + 1)

struct worker_job {
	char service_id[CONFIG_ID_MAX];
	char lang[8];
	char key[QUEUE_KEY_MAX];
};

struct worker {
	const struct config *cfg;
	struct i18n *i18n;
	char data_dir[CONFIG_PATH_MAX];
	char printer_uri[CONFIG_PATH_MAX + 16];

	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct worker_job jobs[WORKER_QUEUE_MAX];
	int job_head, n_jobs;
	struct worker_result results[RESULTS_MAX];
	int res_head, n_res;
	int busy, stop;

	/* the worker thread's own */
	struct store *st;
	struct printer *printer;
	struct app_ticket_ctx tctx;   /* layout, fonts, ticket key */
};

/* Called with the lock held. */
static void worker_push(struct worker *w, const struct worker_result *r)
{
	if (w->n_res == RESULTS_MAX) {
		log_error("ui", "worker result queue full; dropping a result");
		return;
	}
	w->results[(w->res_head + w->n_res) % RESULTS_MAX] = *r;
	w->n_res++;
}

static void worker_push_locked(struct worker *w, const struct worker_result *r)
{
	pthread_mutex_lock(&w->lock);
	worker_push(w, r);
	pthread_mutex_unlock(&w->lock);
}

/* Issues the ticket, posts it so the screen can show the number, then
 * sends the job to the printer and posts the outcome. */
static void worker_issue(struct worker *w, const struct worker_job *job)
{
	struct worker_result r = { .kind = WORKER_ISSUED };
	char err[512];

	snprintf(r.request_key, sizeof r.request_key, "%s", job->key);
	r.err = queue_issue_ticket(w->st, w->cfg, job->service_id, job->lang,
				   job->key, app_ticket_render, &w->tctx,
				   &r.ticket);
	if (r.err) {
		r.kind = WORKER_ISSUE_FAILED;
		snprintf(r.error, sizeof r.error, "%s: issuing a ticket: %s",
			 store_path(w->st), bk_strerror(r.err));
		log_error("queue", "%s", r.error);
		worker_push_locked(w, &r);
		return;
	}
	worker_push_locked(w, &r);

	r.kind = WORKER_PRINTED;
	if (r.ticket.reused) {
		/* the first request with this key printed (or tried to) */
		log_info("queue", "ticket %s: request repeated, not reprinted",
			 r.ticket.number);
		r.printed = 1;
	} else if (!r.ticket.print_job_id) {
		r.printed = 0; /* rendering failed; queue.c logged it */
	} else {
		r.printed = app_ticket_print(w->st, w->printer_uri,
					     &w->printer,
					     r.ticket.print_job_id, NULL, err,
					     sizeof err) == BK_OK;
	}
	log_info("queue", "ticket %s %s", r.ticket.number,
		 r.printed ? "printed" : "not printed");
	worker_push_locked(w, &r);
}

/* A job that waits for the printer (paper out, cover open) is sent again
 * when the printer says it is fixed: one job per idle interval, oldest
 * first, and only jobs of today's tickets (queue.h, print job lifecycle). */
static void worker_retry_printing(struct worker *w)
{
	char err[512];
	int64_t id = 0;

	if (queue_print_job_next_pending(w->st, &id) != BK_OK || !id)
		return;
	if (app_ticket_print(w->st, w->printer_uri, &w->printer, id, NULL,
			     err, sizeof err) == BK_OK)
		log_info("printer", "job %lld printed after waiting",
			 (long long)id);
}

static void worker_expire_jobs(struct worker *w)
{
	int n = 0;

	if (queue_print_jobs_expire(w->st, &n) == BK_OK && n > 0)
		log_warn("printer", "%d print job(s) of earlier days given up",
			 n);
}

/* Waits for the next job: 1 with *job, 0 when told to stop, 2 when the
 * idle interval passed without one. */
static int worker_next(struct worker *w, struct worker_job *job)
{
	struct timespec until;
	int got = 2;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += WORKER_RETRY_SECONDS;
	pthread_mutex_lock(&w->lock);
	while (!w->stop && !w->n_jobs)
		if (pthread_cond_timedwait(&w->cond, &w->lock, &until) ==
		    ETIMEDOUT)
			break;
	if (w->stop) {
		got = 0;
	} else if (w->n_jobs) {
		*job = w->jobs[w->job_head];
		w->job_head = (w->job_head + 1) % WORKER_QUEUE_MAX;
		w->n_jobs--;
		w->busy = 1;
		got = 1;
	}
	pthread_mutex_unlock(&w->lock);
	return got;
}

static void local_day_of_now(char out[11])
{
	time_t t = time(NULL);
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct worker_result r = { .kind = WORKER_READY };
	struct worker_job job;
	char err[512], day[11], now_day[11];
	int next;
	bk_err e;

	e = store_open(&w->st, w->data_dir, w->cfg->store_busy_timeout_ms,
		       r.error, sizeof r.error);
	if (e) {
		r.kind = WORKER_STORE_FAILED;
		if (!r.error[0])
			util_fmt(r.error, sizeof r.error, "%s/kiosk.db: %s",
				 w->data_dir, bk_strerror(e));
		log_error("store", "%s", r.error);
		w->st = NULL;
		worker_push_locked(w, &r);
		return NULL;
	}
	if (app_ticket_init(&w->tctx, w->cfg, w->i18n, w->data_dir, err,
			    sizeof err) < 0) {
		/* tickets are still issued and shown; the paper says why not */
		log_error("printer", "cannot print tickets: %s", err);
		store_health_set(w->st, "printer", STORE_HEALTH_FAULT, err);
	}
	worker_expire_jobs(w);
	worker_push_locked(w, &r);
	local_day_of_now(day);
	while ((next = worker_next(w, &job)) != 0) {
		if (next == 1) {
			worker_issue(w, &job);
			pthread_mutex_lock(&w->lock);
			w->busy = 0;
			pthread_mutex_unlock(&w->lock);
		}
		local_day_of_now(now_day);
		if (strcmp(now_day, day)) {
			worker_expire_jobs(w);
			memcpy(day, now_day, sizeof day);
		}
		worker_retry_printing(w);
	}
	printer_close(w->printer);
	app_ticket_free(&w->tctx);
	store_close(w->st);
	return NULL;
}

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
	if (pthread_cond_init(&w->cond, NULL) != 0)
		goto fail_cond;
	if (pthread_create(&w->thread, NULL, worker_main, w) != 0)
		goto fail_thread;
	return w;
fail_thread:
	pthread_cond_destroy(&w->cond);
fail_cond:
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
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);
	pthread_cond_destroy(&w->cond);
	pthread_mutex_destroy(&w->lock);
	free(w);
}

int worker_post_issue(struct worker *w, const char *service_id,
		      const char *lang, const char *request_key)
{
	struct worker_job *job;
	int rc = -1;

	pthread_mutex_lock(&w->lock);
	/* each job may produce two results: keep room for all of them */
	if (2 * (w->n_jobs + w->busy) + w->n_res < RESULTS_MAX) {
		job = &w->jobs[(w->job_head + w->n_jobs) % WORKER_QUEUE_MAX];
		snprintf(job->service_id, sizeof job->service_id, "%s",
			 service_id);
		snprintf(job->lang, sizeof job->lang, "%s", lang);
		snprintf(job->key, sizeof job->key, "%s", request_key);
		w->n_jobs++;
		pthread_cond_signal(&w->cond);
		rc = 0;
	}
	pthread_mutex_unlock(&w->lock);
	return rc;
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
