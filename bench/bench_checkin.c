/*
 * bench_checkin — time of a check-in as the kiosk's store thread does it:
 * by booking code (the transaction with ticket, ESC/POS job, two events
 * and the appointment's update; WAL, synchronous=FULL), the same code
 * again (ALREADY: lookups only), and by ID document (HMAC of the holder,
 * today's matches, the transaction).
 *
 *   bench_checkin [N] [DIR]   N appointments now (default 300), fresh DIR
 *
 * Also times applying one down-sync page of 200 appointments with holders
 * (every holder hashed). Figures, not a pass/fail test.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "firmware/app_ticket.h"
#include "firmware/appointments.h"
#include "firmware/checkin.h"
#include "firmware/config.h"
#include "firmware/log.h"
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
	qsort(us, (size_t)n, sizeof *us, cmp);
	printf("%-30s n=%d  median %.1f us  p90 %.1f us  p99 %.1f us\n", what,
	       n, us[n / 2], us[n * 9 / 10], us[n * 99 / 100]);
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 300;
	char dir[256], err[512];
	struct config cfg;
	struct store *st = NULL;
	struct i18n i18n;
	struct app_ticket_ctx tx;
	struct downsync_page p = { 0 };
	int64_t now = store_now_ms();
	double *us, t0;

	if (n < 10 || n > 2000)
		n = 300;
	log_init("bench_checkin", LOG_WARN);
	if (argc > 2)
		snprintf(dir, sizeof dir, "%s", argv[2]);
	else if (!mkdtemp(strcpy(dir, "/tmp/bench-checkin-XXXXXX")))
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
	p.appt = calloc((size_t)n, sizeof *p.appt);
	if (!us || !p.appt)
		return 1;
	/* 2n appointments in pages of 200: n by code, n by document */
	for (int half = 0; half < 2; half++) {
		for (int i = 0; i < n; i += 200) {
			p.n = 0;
			for (int k = i; k < n && k < i + 200; k++) {
				struct downsync_appt *a = &p.appt[p.n++];

				memset(a, 0, sizeof *a);
				snprintf(a->id, sizeof a->id, "b%d-%d", half, k);
				snprintf(a->process_number,
					 sizeof a->process_number, "%d%05d",
					 half + 1, k);
				snprintf(a->booking_code, sizeof a->booking_code,
					 "ABCD");
				snprintf(a->service_id, sizeof a->service_id,
					 "%s", cfg.services[k % cfg.n_services].id);
				a->slot_start_ms = now;
				a->slot_minutes = 15;
				a->updated_ms = now;
				a->has_holder = 1;
				snprintf(a->holder.surname,
					 sizeof a->holder.surname,
					 "Müller-%c%c", 'A' + k % 26,
					 'A' + k / 26 % 26);
				snprintf(a->holder.given_names,
					 sizeof a->holder.given_names, "Anna");
				snprintf(a->holder.date_of_birth,
					 sizeof a->holder.date_of_birth,
					 "19%02d-0%d-1%d", 40 + half * 30 + k % 30,
					 1 + k % 9, k % 10);
			}
			snprintf(p.cursor, sizeof p.cursor, "%d-%d", half, i);
			t0 = now_us();
			if (appointments_apply_page(st, "musterstadt", &p, NULL,
						    NULL)) {
				fprintf(stderr, "apply failed\n");
				return 1;
			}
			if (half == 0 && i == 0)
				printf("%-30s %d rows  %.1f us\n",
				       "apply page with holders", p.n,
				       now_us() - t0);
		}
	}

	for (int i = 0; i < n; i++) {
		struct checkin_result r;
		char pn[16];

		snprintf(pn, sizeof pn, "1%05d", i);
		t0 = now_us();
		if (checkin_by_code(st, &cfg, pn, "abcd", "de",
				    app_ticket_render, &tx, now, &r) ||
		    r.outcome != CHECKIN_CHECKED_IN) {
			fprintf(stderr, "check-in %d failed\n", i);
			return 1;
		}
		us[i] = now_us() - t0;
	}
	report("by code, checked in", us, n);
	for (int i = 0; i < n; i++) {
		struct checkin_result r;
		char pn[16];

		snprintf(pn, sizeof pn, "1%05d", i);
		t0 = now_us();
		if (checkin_by_code(st, &cfg, pn, "ABCD", "de",
				    app_ticket_render, &tx, now, &r) ||
		    r.outcome != CHECKIN_ALREADY) {
			fprintf(stderr, "again %d failed\n", i);
			return 1;
		}
		us[i] = now_us() - t0;
	}
	report("by code, already", us, n);
	for (int i = 0; i < n; i++) {
		struct checkin_result r;
		char name[32], dob[16];

		/* the second half's holders, as a document spells them */
		snprintf(name, sizeof name, "MUELLER %c%c", 'A' + i % 26,
			 'A' + i / 26 % 26);
		snprintf(dob, sizeof dob, "19%02d-0%d-1%d", 70 + i % 30,
			 1 + i % 9, i % 10);
		t0 = now_us();
		if (checkin_by_holder(st, &cfg, name, dob, "de",
				      app_ticket_render, &tx, now, &r) ||
		    r.outcome != CHECKIN_CHECKED_IN) {
			fprintf(stderr, "by document %d failed\n", i);
			return 1;
		}
		us[i] = now_us() - t0;
	}
	report("by document", us, n);
	printf("database: %s/kiosk.db (WAL, synchronous=FULL)\n", dir);
	downsync_page_free(&p);
	free(us);
	app_ticket_free(&tx);
	i18n_free(&i18n);
	store_close(st);
	return 0;
}
