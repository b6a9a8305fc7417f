/*
 * bench_site_api — the site API on loopback (siteapi.h), in one process:
 *
 *   bench_site_api [COUNTERS] [CALLS] [DISPLAYS] [BURST] [DIR]
 *
 *   1. call-next latency: COUNTERS (default 50) threads, one keep-alive
 *      connection and one counter token each, press "next" CALLS times
 *      (default 20) at the same moment; prints median, 90th, 99th
 *      percentile and the rate, and checks that no ticket was called
 *      twice;
 *   2. display fan-out: DISPLAYS (default 20) event streams are connected
 *      to /api/v1/display/events, one counter calls BURST tickets (default
 *      300) as fast as it can; prints the calls per second that reached
 *      every display (last call seen by the slowest display).
 *
 * Every call is a BEGIN IMMEDIATE transaction with its outbox event and a
 * journal row (WAL, synchronous=FULL): the fsync bounds the rate. Figures,
 * not a pass/fail test.
 */
#include <curl/curl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "firmware/config.h"
#include "firmware/log.h"
#include "firmware/queue.h"
#include "firmware/siteapi.h"
#include "firmware/sitequeue.h"
#include "firmware/store.h"

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static size_t sink(char *p, size_t s, size_t n, void *ud)
{
	struct { char *b; size_t len, cap; } *r = ud;
	size_t k = s * n;

	if (r && r->len + k < r->cap) {
		memcpy(r->b + r->len, p, k);
		r->len += k;
		r->b[r->len] = '\0';
	}
	return k;
}

static char url_next[128], url_display[128];
static pthread_barrier_t start;

struct caller {
	char token[SQ_TOKEN_LEN];
	int calls;
	double *lat;
	char (*numbers)[8];
	int errors;
};

static void *caller_run(void *arg)
{
	struct caller *c = arg;
	CURL *h = curl_easy_init();
	struct curl_slist *hd = NULL;
	char auth[128], body[4096];
	struct { char *b; size_t len, cap; } r = { body, 0, sizeof body };

	snprintf(auth, sizeof auth, "Authorization: Bearer %s", c->token);
	hd = curl_slist_append(hd, auth);
	hd = curl_slist_append(hd, "Content-Type: application/json");
	curl_easy_setopt(h, CURLOPT_URL, url_next);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hd);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, "{}");
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, sink);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &r);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	pthread_barrier_wait(&start);
	for (int i = 0; i < c->calls; i++) {
		double t0 = now_us();
		long code = 0;
		char *p;

		r.len = 0;
		body[0] = '\0';
		if (curl_easy_perform(h) != CURLE_OK ||
		    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code) ||
		    code != 200) {
			c->errors++;
			continue;
		}
		c->lat[i] = now_us() - t0;
		p = strstr(body, "\"number\":\"");
		if (p)
			snprintf(c->numbers[i], 8, "%.4s", p + 10);
	}
	curl_slist_free_all(hd);
	curl_easy_cleanup(h);
	return NULL;
}

struct display {
	atomic_int calls;
	atomic_int connected;
	double last_us;
	char carry[16];
};

static size_t display_data(char *p, size_t s, size_t n, void *ud)
{
	struct display *d = ud;
	size_t k = s * n;

	atomic_store(&d->connected, 1);
	/* "event: call" never straddles more than one chunk boundary */
	for (size_t i = 0; i + 11 <= k; i++)
		if (!memcmp(p + i, "event: call", 11)) {
			atomic_fetch_add(&d->calls, 1);
			d->last_us = now_us();
		}
	return k;
}

static void *display_run(void *arg)
{
	CURL *h = curl_easy_init();

	curl_easy_setopt(h, CURLOPT_URL, url_display);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, display_data);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, arg);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_perform(h); /* until siteapi_stop ends the stream */
	curl_easy_cleanup(h);
	return NULL;
}

static int issue(struct store *st, const struct config *cfg, int n)
{
	char key[48];
	struct ticket t;
	static int serial;

	for (int i = 0; i < n; i++) {
		const struct config_service *s =
			&cfg->services[i % cfg->n_services];

		snprintf(key, sizeof key, "bench-%d", serial++);
		if (queue_issue_ticket(st, cfg, s->id, "de", key, NULL, NULL,
				       &t))
			return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	int counters = argc > 1 ? atoi(argv[1]) : 50;
	int calls = argc > 2 ? atoi(argv[2]) : 20;
	int displays = argc > 3 ? atoi(argv[3]) : 20;
	int burst = argc > 4 ? atoi(argv[4]) : 300;
	char dir[256], err[512];
	struct config cfg;
	struct store *st = NULL;
	struct siteapi *api = NULL;
	struct caller *cs;
	pthread_t *th;
	double *all, t0, t1;
	int total, n = 0, errors = 0, dups = 0;
	char (*nums)[8];
	struct display *ds;

	log_init("bench_site_api", LOG_WARN);
	if (argc > 5)
		snprintf(dir, sizeof dir, "%s", argv[5]);
	else
		snprintf(dir, sizeof dir, "/tmp/bench_site_api.%d", getpid());
	if (counters < 1 || calls < 1 || displays < 0 || burst < 1 ||
	    config_load(&cfg, BK_SOURCE_DIR "/assets/site.conf", err,
			sizeof err) < 0) {
		fprintf(stderr, "usage: bench_site_api [COUNTERS] [CALLS] "
			"[DISPLAYS] [BURST] [DIR] (%s)\n", err);
		return 2;
	}
	total = counters * calls;
	if (total + burst > 990 * cfg.n_services) {
		fprintf(stderr, "at most %d calls\n", 990 * cfg.n_services);
		return 2;
	}
	snprintf(cfg.site_api_listen, sizeof cfg.site_api_listen,
		 "127.0.0.1:0");
	if (store_open(&st, dir, 10000, err, sizeof err)) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	fprintf(stderr, "issuing %d tickets...\n", total + burst);
	if (issue(st, &cfg, total + burst) < 0)
		return 1;
	cs = calloc((size_t)counters, sizeof *cs);
	th = calloc((size_t)(counters > displays ? counters : displays) + 1,
		    sizeof *th);
	all = calloc((size_t)total, sizeof *all);
	nums = calloc((size_t)total, sizeof *nums);
	ds = calloc((size_t)displays + 1, sizeof *ds);
	for (int i = 0; i < counters; i++) {
		char name[32], services[512] = "", why[200];
		struct sq_counter k;

		for (int s = 0; s < cfg.n_services; s++) {
			strcat(services, s ? "," : "");
			strcat(services, cfg.services[s].id);
		}
		snprintf(name, sizeof name, "Schalter %d", i + 1);
		if (sq_counter_add(st, &cfg, name, services, cs[i].token, &k,
				   why, sizeof why)) {
			fprintf(stderr, "%s\n", why);
			return 1;
		}
		cs[i].calls = calls;
		cs[i].lat = all + i * calls;
		cs[i].numbers = nums + i * calls;
	}
	if (siteapi_start(&cfg, dir, &api, err, sizeof err)) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	snprintf(url_next, sizeof url_next, "http://127.0.0.1:%d/api/v1/next",
		 siteapi_port(api));
	snprintf(url_display, sizeof url_display,
		 "http://127.0.0.1:%d/api/v1/display/events",
		 siteapi_port(api));

	/* 1. 50 counters at once */
	pthread_barrier_init(&start, NULL, (unsigned)counters + 1);
	for (int i = 0; i < counters; i++)
		pthread_create(&th[i], NULL, caller_run, &cs[i]);
	pthread_barrier_wait(&start);
	t0 = now_us();
	for (int i = 0; i < counters; i++)
		pthread_join(th[i], NULL);
	t1 = now_us();
	for (int i = 0; i < counters; i++)
		errors += cs[i].errors;
	for (int i = 0; i < total; i++)
		if (all[i] > 0)
			all[n++] = all[i];
	qsort(all, (size_t)n, sizeof *all, cmp);
	qsort(nums, (size_t)total, sizeof *nums,
	      (int (*)(const void *, const void *))strcmp);
	for (int i = 1; i < total; i++)
		dups += nums[i][0] && !strcmp(nums[i], nums[i - 1]);
	if (n)
		printf("call next, %d counters x %d calls: median %.2f ms, "
		       "p90 %.2f ms, p99 %.2f ms, max %.2f ms; %.0f calls/s; "
		       "errors %d; same ticket twice %d\n", counters, calls,
		       all[n / 2] / 1e3, all[n * 9 / 10] / 1e3,
		       all[n * 99 / 100] / 1e3, all[n - 1] / 1e3,
		       n / ((t1 - t0) / 1e6), errors, dups);

	/* 2. displays */
	if (displays > 0) {
		struct caller one = { .calls = burst };
		int slow = 0;

		memcpy(one.token, cs[0].token, sizeof one.token);
		one.lat = calloc((size_t)burst, sizeof *one.lat);
		one.numbers = calloc((size_t)burst, sizeof *one.numbers);
		for (int i = 0; i < displays; i++)
			pthread_create(&th[i], NULL, display_run, &ds[i]);
		for (int w = 0; w < 500; w++) {
			int c = 0;

			for (int i = 0; i < displays; i++)
				c += atomic_load(&ds[i].connected);
			if (c == displays)
				break;
			usleep(10000);
		}
		usleep(200000);
		for (int i = 0; i < displays; i++)
			atomic_store(&ds[i].calls, 0); /* the replayed ones */
		pthread_barrier_destroy(&start);
		pthread_barrier_init(&start, NULL, 2);
		pthread_create(&th[displays], NULL, caller_run, &one);
		pthread_barrier_wait(&start);
		t0 = now_us();
		pthread_join(th[displays], NULL);
		t1 = now_us();
		for (int w = 0; w < 1000; w++) {
			slow = burst;
			for (int i = 0; i < displays; i++)
				if (atomic_load(&ds[i].calls) < slow)
					slow = atomic_load(&ds[i].calls);
			if (slow >= burst - one.errors)
				break;
			usleep(10000);
		}
		{
			double last = t0;

			for (int i = 0; i < displays; i++)
				if (ds[i].last_us > last)
					last = ds[i].last_us;
			printf("display fan-out, %d streams: %d calls in %.0f ms "
			       "(%.0f calls/s made); every display got %d of "
			       "them, the last %.1f ms after the last call; "
			       "%.0f calls/s delivered to each display, %.0f "
			       "events/s in all\n", displays, burst - one.errors,
			       (t1 - t0) / 1e3, (burst - one.errors) /
			       ((t1 - t0) / 1e6), slow, (last - t1) / 1e3,
			       slow / ((last - t0) / 1e6),
			       (double)slow * displays / ((last - t0) / 1e6));
		}
		free(one.lat);
		free(one.numbers);
	}
	siteapi_stop(api);
	for (int i = 0; i < displays; i++)
		pthread_join(th[i], NULL);
	pthread_barrier_destroy(&start);
	store_close(st);
	curl_global_cleanup();
	free(cs);
	free(th);
	free(all);
	free(nums);
	free(ds);
	if (argc <= 5) {
		char cmd[300];

		snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", dir);
	}
	return 0;
}
