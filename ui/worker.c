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

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	struct app_ticket_ctx ctx = { .cfg = w->cfg, .i18n = w->i18n };
	struct worker_result r = { .kind = WORKER_ISSUED };
	char err[512];

	snprintf(r.request_key, sizeof r.request_key, "%s", job->key);
	r.err = queue_issue_ticket(w->st, w->cfg, job->service_id, job->lang,
				   job->key, app_ticket_render, &ctx,
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
					     r.ticket.print_job_id, err,
					     sizeof err) == BK_OK;
	}
	log_info("queue", "ticket %s %s", r.ticket.number,
		 r.printed ? "printed" : "not printed");
	worker_push_locked(w, &r);
}

/* Waits for the next job; 0 when told to stop. */
static int worker_next(struct worker *w, struct worker_job *job)
{
	int got = 0;

	pthread_mutex_lock(&w->lock);
	while (!w->stop && !w->n_jobs)
		pthread_cond_wait(&w->cond, &w->lock);
	if (!w->stop) {
		*job = w->jobs[w->job_head];
		w->job_head = (w->job_head + 1) % WORKER_QUEUE_MAX;
		w->n_jobs--;
		w->busy = 1;
		got = 1;
	}
	pthread_mutex_unlock(&w->lock);
	return got;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct worker_result r = { .kind = WORKER_READY };
	struct worker_job job;
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
	worker_push_locked(w, &r);
	while (worker_next(w, &job)) {
		worker_issue(w, &job);
		pthread_mutex_lock(&w->lock);
		w->busy = 0;
		pthread_mutex_unlock(&w->lock);
	}
	printer_close(w->printer);
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
