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
#include <time.h>

#include "drivers/printer/printer.h"
#include "firmware/log.h"
#include "firmware/store.h"
#include "firmware/util.h"

#define RESULTS_MAX (WORKER_QUEUE_MAX + 1)

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

static int worker_render(void *ctx, const struct ticket *t,
			 unsigned char **data, size_t *len)
{
	struct worker *w = ctx;
	const struct config_service *s = config_service(w->cfg, t->service_id);
	char ahead[32], ahead_line[256], when[32];
	struct printer_ticket pt;
	time_t secs = (time_t)(t->created_ms / 1000);
	struct tm tm;

	snprintf(ahead, sizeof ahead, "%d", t->ahead);
	i18n_subst(ahead_line, sizeof ahead_line,
		   i18n_tr(w->i18n, t->lang, N_("People ahead of you: {n}")),
		   "{n}", ahead);
	localtime_r(&secs, &tm);
	strftime(when, sizeof when, "%d.%m.%Y %H:%M", &tm);
	pt = (struct printer_ticket){
		.office = w->cfg->site_name,
		.number = t->number,
		.service = s ? i18n_service_name(w->i18n, s, t->lang) : NULL,
		.ahead_line = ahead_line,
		.when = when,
		.footer = i18n_tr(w->i18n, t->lang,
				  N_("Please wait until your number is called.")),
	};
	return escpos_render_ticket(&pt, 80, data, len);
}

/* Sends the ticket's stored job. 1 when the printer took it. */
static int worker_print(struct worker *w, const struct ticket *t)
{
	struct print_job job = { 0 };
	char err[256] = "";
	printer_err pe = PRINTER_OK;
	size_t written = 0;
	bk_err e;

	if (!t->print_job_id)
		return 0; /* rendering failed; queue.c logged and recorded it */
	e = queue_print_job_get(w->st, t->print_job_id, &job);
	if (e) {
		log_error("printer", "ticket %s: reading job %lld: %s",
			  t->number, (long long)t->print_job_id,
			  bk_strerror(e));
		return 0;
	}
	if (!w->printer)
		pe = printer_open(&w->printer, w->printer_uri, err, sizeof err);
	if (pe == PRINTER_OK)
		pe = printer_send(w->printer, job.data, job.len, &written, err,
				  sizeof err);
	if (pe != PRINTER_OK) {
		if (!err[0])
			snprintf(err, sizeof err, "%s", printer_strerror(pe));
		log_warn("printer", "ticket %s: job %lld not printed: %s",
			 t->number, (long long)t->print_job_id, err);
		printer_close(w->printer);
		w->printer = NULL;
	}
	e = queue_print_job_done(w->st, t->print_job_id, pe == PRINTER_OK,
				 pe == PRINTER_OK ? NULL : err);
	if (e)
		log_error("printer", "recording job %lld: %s",
			  (long long)t->print_job_id, bk_strerror(e));
	queue_print_job_free(&job);
	return pe == PRINTER_OK;
}

static void worker_issue(struct worker *w, const struct worker_job *job,
			 struct worker_result *r)
{
	bk_err e;

	memset(r, 0, sizeof *r);
	snprintf(r->request_key, sizeof r->request_key, "%s", job->key);
	e = queue_issue_ticket(w->st, w->cfg, job->service_id, job->lang,
			       job->key, worker_render, w, &r->ticket);
	if (e) {
		r->kind = WORKER_ISSUE_FAILED;
		snprintf(r->error, sizeof r->error, "%s: issuing a ticket: %s",
			 store_path(w->st), bk_strerror(e));
		log_error("queue", "%s", r->error);
		return;
	}
	r->kind = WORKER_ISSUED;
	if (r->ticket.reused) {
		/* the first request with this key printed (or tried to) */
		log_info("queue", "ticket %s: request repeated, not reprinted",
			 r->ticket.number);
		r->printed = 1;
		return;
	}
	r->printed = worker_print(w, &r->ticket);
	log_info("queue", "ticket %s issued (%d ahead, %s)", r->ticket.number,
		 r->ticket.ahead, r->printed ? "printed" : "not printed");
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
		worker_issue(w, &job, &r);
		pthread_mutex_lock(&w->lock);
		worker_push(w, &r);
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
		snprintf(w->printer_uri, sizeof w->printer_uri,
			 "virtual:%s/printer", data_dir);
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
	if (w->n_jobs + w->n_res + w->busy < WORKER_QUEUE_MAX) {
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
