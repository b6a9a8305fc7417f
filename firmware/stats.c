/*
 * stats.c — waiting and service times; see stats.h.
 */
#include "firmware/stats.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "firmware/log.h"
#include "firmware/outbox.h"
#include "firmware/store_int.h"
#include "firmware/util.h"

#define MAX_SAMPLES 4000 /* 4 services × 999 numbers: a full day fits */

static int cmp64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

static struct stats_service *slot(const struct config *cfg,
				  struct stats_service *out, int max, int *n,
				  const char *id)
{
	(void)cfg;
	for (int i = 0; i < *n; i++)
		if (!strcmp(out[i].service_id, id))
			return &out[i];
	if (*n >= max)
		return NULL;
	memset(&out[*n], 0, sizeof out[*n]);
	snprintf(out[*n].service_id, sizeof out[*n].service_id, "%s", id);
	return &out[(*n)++];
}

/* Sorted durations of one kind for one service → avg, median, max. */
static void summarise(int64_t *v, int n, int *count, int64_t *avg,
		      int64_t *median, int64_t *maxv)
{
	int64_t sum = 0;

	*count = n;
	if (n == 0)
		return;
	qsort(v, (size_t)n, sizeof *v, cmp64);
	for (int i = 0; i < n; i++)
		sum += v[i];
	*avg = (sum + n / 2) / n;
	*median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2] + 1) / 2;
	if (maxv)
		*maxv = v[n - 1];
}

bk_err stats_day(struct store *st, const struct config *cfg, const char *day,
		 struct stats_service *out, int max, int *n)
{
	sqlite3_stmt *q = NULL;
	int64_t *wait = NULL, *serv = NULL;
	bk_err e;
	int rc;

	*n = 0;
	for (int i = 0; i < cfg->n_services; i++)
		slot(cfg, out, max, n, cfg->services[i].id);
	wait = calloc(MAX_SAMPLES, sizeof *wait);
	serv = calloc(MAX_SAMPLES, sizeof *serv);
	if (!wait || !serv) {
		e = BK_ERR_NOMEM;
		goto out;
	}
	if ((e = store__prepare(st, "SELECT DISTINCT service_id FROM tickets "
				"WHERE day = ?1 ORDER BY service_id", &q)))
		goto out;
	sqlite3_bind_text(q, 1, day, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW)
		slot(cfg, out, max, n, (const char *)sqlite3_column_text(q, 0));
	sqlite3_finalize(q);
	q = NULL;
	if ((e = store__prepare(st,
		"SELECT count(*), count(first_called_ms), "
		" count(*) FILTER (WHERE status = 'done'), "
		" count(*) FILTER (WHERE status = 'no_show') "
		"FROM tickets WHERE day = ?1 AND service_id = ?2", &q)))
		goto out;
	for (int i = 0; i < *n; i++) {
		sqlite3_reset(q);
		sqlite3_bind_text(q, 1, day, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 2, out[i].service_id, -1, SQLITE_STATIC);
		if (sqlite3_step(q) != SQLITE_ROW) {
			e = store__err(st, sqlite3_errcode(store__db(st)),
				       "stats");
			goto out;
		}
		out[i].issued = sqlite3_column_int(q, 0);
		out[i].called = sqlite3_column_int(q, 1);
		out[i].finished = sqlite3_column_int(q, 2);
		out[i].no_show = sqlite3_column_int(q, 3);
	}
	sqlite3_finalize(q);
	q = NULL;
	if ((e = store__prepare(st,
		"SELECT (first_called_ms - created_ms) / 1000, "
		" CASE WHEN started_ms IS NOT NULL AND finished_ms IS NOT NULL "
		"  AND status = 'done' THEN (finished_ms - started_ms) / 1000 "
		" END "
		"FROM tickets WHERE day = ?1 AND service_id = ?2 "
		"AND first_called_ms IS NOT NULL LIMIT ?3", &q)))
		goto out;
	for (int i = 0; i < *n; i++) {
		int nw = 0, ns = 0;

		sqlite3_reset(q);
		sqlite3_bind_text(q, 1, day, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 2, out[i].service_id, -1, SQLITE_STATIC);
		sqlite3_bind_int(q, 3, MAX_SAMPLES);
		while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
			int64_t w = sqlite3_column_int64(q, 0);

			wait[nw++] = w < 0 ? 0 : w;
			if (sqlite3_column_type(q, 1) != SQLITE_NULL) {
				int64_t s = sqlite3_column_int64(q, 1);
				serv[ns++] = s < 0 ? 0 : s;
			}
		}
		if (rc != SQLITE_DONE) {
			e = store__err(st, rc, "stats");
			goto out;
		}
		summarise(wait, nw, &out[i].wait_n, &out[i].wait_avg_s,
			  &out[i].wait_median_s, &out[i].wait_max_s);
		summarise(serv, ns, &out[i].service_n, &out[i].service_avg_s,
			  &out[i].service_median_s, NULL);
	}
out:
	sqlite3_finalize(q);
	free(wait);
	free(serv);
	return e;
}

/* The day's figures as the "data" of stats.daily (and kioskctl's JSON). */
static json_t *day_object(const char *day, const struct stats_service *s,
			  int n)
{
	json_t *arr = json_array();

	for (int i = 0; arr && i < n; i++)
		json_array_append_new(arr, json_pack(
			"{s:s, s:i, s:i, s:i, s:i, s:I, s:I, s:I, s:I, s:I}",
			"service_id", s[i].service_id, "issued", s[i].issued,
			"called", s[i].called, "finished", s[i].finished,
			"no_show", s[i].no_show,
			"wait_avg_s", (json_int_t)s[i].wait_avg_s,
			"wait_median_s", (json_int_t)s[i].wait_median_s,
			"wait_max_s", (json_int_t)s[i].wait_max_s,
			"service_avg_s", (json_int_t)s[i].service_avg_s,
			"service_median_s", (json_int_t)s[i].service_median_s));
	return arr ? json_pack("{s:s, s:o}", "day", day, "services", arr)
		   : NULL;
}

char *stats_day_json(const char *day, const struct stats_service *s, int n)
{
	json_t *o = day_object(day, s, n);
	char *text;

	if (!o)
		return NULL;
	text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	return text;
}

static bk_err push_day(struct store *st, const struct config *cfg,
		       const char *day, int64_t now_ms)
{
	struct stats_service s[CONFIG_MAX_SERVICES * 2];
	char id[37], key[48], *body = NULL;
	sqlite3_stmt *q = NULL;
	int n, found = 0;
	bk_err e;

	if ((e = store__begin(st)))
		return e;
	snprintf(key, sizeof key, "stats.sent.%.11s", day);
	if ((e = store__prepare(st, "SELECT 1 FROM sync_state WHERE key = ?1",
				&q)))
		goto fail;
	sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
	found = sqlite3_step(q) == SQLITE_ROW;
	sqlite3_finalize(q);
	q = NULL;
	if (found) {
		store__rollback(st); /* another process sent it meanwhile */
		return BK_OK;
	}
	if ((e = stats_day(st, cfg, day, s, (int)(sizeof s / sizeof s[0]),
			   &n)))
		goto fail;
	util_uuid(id);
	body = outbox__event_body(cfg, id, "stats.daily", now_ms,
				  day_object(day, s, n));
	if (!body) {
		e = BK_ERR_NOMEM;
		goto fail;
	}
	if ((e = outbox__push(st, id, "stats.daily", body, now_ms)))
		goto fail;
	if ((e = store__prepare(st, "INSERT INTO sync_state (key, value) "
				"VALUES (?1, ?2)", &q)))
		goto fail;
	sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, id, -1, SQLITE_STATIC);
	if (sqlite3_step(q) != SQLITE_DONE) {
		e = store__err(st, sqlite3_errcode(store__db(st)), "stats");
		goto fail;
	}
	sqlite3_finalize(q);
	q = NULL;
	e = outbox__commit(st, id);
	if (!e)
		log_info("stats", "daily statistics of %s queued", day);
	goto out;
fail:
	store__rollback(st);
out:
	sqlite3_finalize(q);
	free(body);
	return e;
}

bk_err stats_push_pending(struct store *st, const struct config *cfg,
			  int64_t now_ms, int *pushed)
{
	char today[11], days[31][11];
	time_t t = (time_t)(now_ms / 1000);
	struct tm tm;
	sqlite3_stmt *q;
	int nd = 0, rc;
	bk_err e;

	*pushed = 0;
	localtime_r(&t, &tm);
	strftime(today, sizeof today, "%Y-%m-%d", &tm);
	if ((e = store__prepare(st,
		"SELECT DISTINCT day FROM tickets WHERE day < ?1 AND "
		"'stats.sent.' || day NOT IN (SELECT key FROM sync_state "
		"WHERE key LIKE 'stats.sent.%') ORDER BY day LIMIT 31", &q)))
		return e;
	sqlite3_bind_text(q, 1, today, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW && nd < 31) {
		const char *d = (const char *)sqlite3_column_text(q, 0);

		snprintf(days[nd++], sizeof days[0], "%s", d ? d : "");
	}
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		e = store__err(st, rc, "stats days");
	sqlite3_finalize(q);
	for (int i = 0; !e && i < nd; i++)
		if (!(e = push_day(st, cfg, days[i], now_ms)))
			(*pushed)++;
	return e;
}

bk_err stats_service_avg_last_hour(struct store *st, const struct config *cfg,
				   const char *service_id, int64_t now_ms,
				   int *seconds, int *from_data)
{
	sqlite3_stmt *q;
	bk_err e = store__prepare(st,
		"SELECT count(*), avg(finished_ms - started_ms) FROM tickets "
		"WHERE coalesce(queue_service, service_id) = ?1 AND status = "
		"'done' AND started_ms IS NOT NULL AND finished_ms > ?2 AND "
		"finished_ms <= ?3", &q);
	int fallback = cfg->queue_default_service_min > 0
		       ? cfg->queue_default_service_min
		       : cfg->queue_service_minutes;

	*seconds = fallback * 60;
	*from_data = 0;
	if (e)
		return e;
	sqlite3_bind_text(q, 1, service_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, now_ms - 3600000);
	sqlite3_bind_int64(q, 3, now_ms);
	if (sqlite3_step(q) != SQLITE_ROW)
		e = store__err(st, sqlite3_errcode(store__db(st)), "avg");
	else if (sqlite3_column_int(q, 0) > 0) {
		double ms = sqlite3_column_double(q, 1);

		*seconds = (int)((ms < 0 ? 0 : ms) / 1000.0 + 0.5);
		*from_data = 1;
	}
	sqlite3_finalize(q);
	return e;
}
