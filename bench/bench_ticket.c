/*
 * bench_ticket — time of one ticket issue: the SQLite transaction (WAL,
 * synchronous=FULL, ticket + print job + outbox event) plus rendering the
 * ESC/POS bytes, through queue_issue_ticket() as the kiosk calls it.
 *
 *   bench_ticket [N] [DIR]    N issues (default 500) in a fresh DIR/kiosk.db
 *
 * Prints the median, 90th and 99th percentile and the rate. The ESC/POS
 * rendering alone is timed separately, and so is the whole way from the
 * tap to the last byte on the virtual printer (issue, then
 * app_ticket_print: status, send — the virtual printer writes the job's
 * bytes with fsync and draws its PNG — status, recording "printed").
 * Figures, not a pass/fail test.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "firmware/app_ticket.h"
#include "firmware/config.h"
#include "firmware/log.h"
#include "firmware/queue.h"
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

static void report(const char *what, double *us, int n)
{
	double sum = 0;

	qsort(us, (size_t)n, sizeof *us, cmp);
	for (int i = 0; i < n; i++)
		sum += us[i];
	printf("%-28s n=%d  median %.1f us  p90 %.1f us  p99 %.1f us  "
	       "(%.0f per second)\n", what, n, us[n / 2], us[n * 9 / 10],
	       us[n * 99 / 100], n / (sum / 1e6));
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 500;
	char dir[256], err[512];
	struct config cfg;
	struct store *st = NULL;
	struct i18n i18n;
	struct app_ticket_ctx tx;
	double *us;

	if (n < 10 || n > 100000)
		n = 500;
	log_init("bench_ticket", LOG_WARN);
	if (argc > 2)
		snprintf(dir, sizeof dir, "%s", argv[2]);
	else if (!mkdtemp(strcpy(dir, "/tmp/bench-ticket-XXXXXX")))
		return 1;
	if (config_load(&cfg, BK_SOURCE_DIR "/assets/site.conf", err,
			sizeof err) < 0 ||
	    store_open(&st, dir, 5000, err, sizeof err)) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	i18n_init(&i18n, config_i18n_dir(&cfg), cfg.languages,
		  cfg.n_languages);
	if (app_ticket_init(&tx, &cfg, &i18n, dir, err, sizeof err) < 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	us = calloc((size_t)n, sizeof *us);
	if (!us)
		return 1;

	for (int i = 0; i < n; i++) {
		struct ticket t = { .ahead = 3, .wait_minutes = 12,
				    .service_id = "personalausweis",
				    .lang = "de", .day = "2026-11-25",
				    .id = "2776fdf4-a1d2-4708-ab61-08ee6ac3097f" };
		unsigned char *data;
		size_t len;
		double t0 = now_us();

		snprintf(t.number, sizeof t.number, "A%03d", i % 999 + 1);
		if (app_ticket_render(&tx, &t, &data, &len) < 0)
			return 1;
		us[i] = now_us() - t0;
		free(data);
	}
	report("ESC/POS render only", us, n);

	for (int i = 0; i < n; i++) {
		char key[32];
		struct ticket t;
		const char *svc = cfg.services[i % cfg.n_services].id;
		double t0 = now_us();

		snprintf(key, sizeof key, "bench-%d", i);
		if (queue_issue_ticket(st, &cfg, svc, "de", key,
				       app_ticket_render, &tx, &t)) {
			fprintf(stderr, "issue failed at %d\n", i);
			return 1;
		}
		us[i] = now_us() - t0;
	}
	report("ticket issue (tx + ESC/POS)", us, n);

	{
		char uri[600], perr[512];
		struct printer *p = NULL;
		int m = n < 200 ? n : 200;

		snprintf(uri, sizeof uri, "virtual:%s/printer", dir);
		for (int i = 0; i < m; i++) {
			char key[32];
			struct ticket t;
			double t0 = now_us();

			snprintf(key, sizeof key, "print-%d", i);
			if (queue_issue_ticket(st, &cfg, "reisepass", "de", key,
					       app_ticket_render, &tx, &t) ||
			    app_ticket_print(st, uri, &p, t.print_job_id, NULL,
					     perr, sizeof perr)) {
				fprintf(stderr, "print failed at %d: %s\n", i,
					perr);
				return 1;
			}
			us[i] = now_us() - t0;
		}
		printer_close(p);
		report("issue to last byte (virtual)", us, m);
	}
	printf("database: %s/kiosk.db (WAL, synchronous=FULL)\n", dir);
	free(us);
	app_ticket_free(&tx);
	i18n_free(&i18n);
	store_close(st);
	return 0;
}
