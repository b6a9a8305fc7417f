/*
 * stats.h — waiting and service times per service and day.
 *
 * Computed from the times the ticket events recorded on each ticket
 * (sitequeue.h): issued (created_ms, ticket.issued), first called
 * (first_called_ms, ticket.called), started (started_ms, ticket.started)
 * and finished (finished_ms, ticket.finished / ticket.no_show). Waiting
 * time = first call − issue; service time = finish − start (tickets that
 * were never started have none). A ticket counts for the service it was
 * issued for.
 *
 * No personal data: tickets carry numbers only, and the figures are
 * counts and durations.
 *
 * stats_push_pending() sends each past day once as a "stats.daily" outbox
 * event (docs/site-api.md); which days were sent is kept in sync_state
 * ("stats.sent.YYYY-MM-DD") in the event's own transaction.
 *
 * This module does NOT estimate waits for the kiosk's ticket screen; it
 * gives the input for it (stats_service_avg_last_hour).
 */
#ifndef BK_STATS_H
#define BK_STATS_H

#include <stdint.h>

#include "firmware/config.h"
#include "firmware/err.h"
#include "firmware/store.h"

struct stats_service {
	char service_id[CONFIG_ID_MAX];
	int issued;          /* tickets issued */
	int called;          /* called at least once */
	int finished;        /* done */
	int no_show;
	int wait_n;          /* tickets with a waiting time */
	int64_t wait_avg_s, wait_median_s, wait_max_s;
	int service_n;       /* tickets with a service time */
	int64_t service_avg_s, service_median_s;
};

/* Figures of the local day "YYYY-MM-DD" for every configured service
 * (zeros where nothing happened) and any other service the day's tickets
 * name, in the configuration's order. */
bk_err stats_day(struct store *st, const struct config *cfg, const char *day,
		 struct stats_service *out, int max, int *n);

/* The day's figures as the "stats.daily" event body's data object (JSON
 * text, malloc'ed). */
char *stats_day_json(const char *day, const struct stats_service *s, int n);

/* Pushes a "stats.daily" event for every day before the local day of
 * now_ms that has tickets and was not sent yet (at most 31 per call);
 * *pushed says how many. */
bk_err stats_push_pending(struct store *st, const struct config *cfg,
			  int64_t now_ms, int *pushed);

/* The average service time in seconds of the service's tickets finished
 * within the hour before now_ms; without any, queue.default_service_min
 * (or queue.service_minutes when that is 0) in seconds. *from_data says
 * which (1: measured). */
bk_err stats_service_avg_last_hour(struct store *st, const struct config *cfg,
				   const char *service_id, int64_t now_ms,
				   int *seconds, int *from_data);

#endif
