/*
 * queue.c — issuing tickets (the steps are listed in queue.h) and the
 * print jobs that go with them.
 */
#include "firmware/queue.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "firmware/log.h"
#include "firmware/outbox.h"
#include "firmware/store_int.h"
#include "firmware/util.h"

#define QUEUE_SEQ_MAX 999

static void local_day(int64_t ms, char out[11])
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

static void copy_col(char *dst, size_t len, sqlite3_stmt *q, int col)
{
	const char *s = (const char *)sqlite3_column_text(q, col);

	snprintf(dst, len, "%s", s ? s : "");
}

/* Column order shared by every SELECT that fills a struct ticket. */
/* The order counters call a service's waiting tickets in (sitequeue.h):
 * appointments, then priority tickets, then walk-ins, each by arrival.
 * "People ahead" counts the waiting tickets of the same service and day
 * before a ticket in that order (appointments not yet due are counted as
 * ahead: the estimate errs on the long side). */
#define QUEUE_RANK(a) "(CASE WHEN " a ".kind = 'appointment' THEN 0 " \
	"WHEN " a ".priority > 0 THEN 1 ELSE 2 END)"
#define TICKET_COLS "t.id, t.service_id, t.number, t.day, t.lang, " \
	"t.created_ms, (SELECT count(*) FROM tickets a WHERE a.day = t.day " \
	"AND a.service_id = t.service_id AND a.status = 'waiting' " \
	"AND a.id <> t.id AND (" QUEUE_RANK("a") " < " QUEUE_RANK("t") \
	" OR (" QUEUE_RANK("a") " = " QUEUE_RANK("t") " AND a.seq < t.seq))), " \
	"coalesce((SELECT max(p.id) FROM print_jobs p " \
	"WHERE p.ticket_id = t.id), 0), t.kind, t.priority"

static void ticket_from_row(sqlite3_stmt *q, struct ticket *t)
{
	memset(t, 0, sizeof *t);
	copy_col(t->id, sizeof t->id, q, 0);
	copy_col(t->service_id, sizeof t->service_id, q, 1);
	copy_col(t->number, sizeof t->number, q, 2);
	copy_col(t->day, sizeof t->day, q, 3);
	copy_col(t->lang, sizeof t->lang, q, 4);
	t->created_ms = sqlite3_column_int64(q, 5);
	t->ahead = sqlite3_column_int(q, 6);
	t->print_job_id = sqlite3_column_int64(q, 7);
	copy_col(t->kind, sizeof t->kind, q, 8);
	t->priority = sqlite3_column_int(q, 9);
}

/* BK_OK and *found = 1 when request_key names a ticket. */
static bk_err find_by_key(struct store *st, const char *key, struct ticket *t,
			  int *found)
{
	sqlite3_stmt *q;
	bk_err e = store__prepare(st, "SELECT " TICKET_COLS
				  " FROM tickets t WHERE t.request_key = ?1", &q);
	int rc;

	*found = 0;
	if (e)
		return e;
	sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		ticket_from_row(q, t);
		*found = 1;
	} else if (rc != SQLITE_DONE) {
		e = store__err(st, rc, "ticket lookup");
	}
	sqlite3_finalize(q);
	return e;
}

/* The next number of the service's day, and how many of its waiting
 * tickets a new ticket of this rank (QUEUE_RANK) will have before it. */
static bk_err next_seq(struct store *st, const char *service, const char *day,
		       int rank, int *seq, int *ahead)
{
	sqlite3_stmt *q;
	bk_err e = store__prepare(st,
		"SELECT coalesce(max(seq), 0) + 1, "
		" count(*) FILTER (WHERE status = 'waiting' AND "
		QUEUE_RANK("tickets") " <= ?3) "
		"FROM tickets WHERE service_id = ?1 AND day = ?2", &q);

	if (e)
		return e;
	sqlite3_bind_text(q, 1, service, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, day, -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 3, rank);
	if (sqlite3_step(q) == SQLITE_ROW) {
		*seq = sqlite3_column_int(q, 0);
		*ahead = sqlite3_column_int(q, 1);
	} else {
		e = store__err(st, sqlite3_errcode(store__db(st)), "next seq");
	}
	sqlite3_finalize(q);
	return e;
}

static bk_err insert_ticket(struct store *st, const struct ticket *t,
			    const char *key, int seq)
{
	sqlite3_stmt *q;
	bk_err e = store__prepare(st,
		"INSERT INTO tickets (id, request_key, service_id, day, seq, "
		"number, lang, created_ms, kind, priority) "
		"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
		&q);

	if (e)
		return e;
	sqlite3_bind_text(q, 1, t->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, t->service_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 4, t->day, -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 5, seq);
	sqlite3_bind_text(q, 6, t->number, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 7, t->lang, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 8, t->created_ms);
	sqlite3_bind_text(q, 9, t->kind, -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 10, t->priority);
	if (sqlite3_step(q) != SQLITE_DONE)
		e = store__err(st, sqlite3_errcode(store__db(st)),
			       "insert ticket");
	sqlite3_finalize(q);
	return e;
}

static bk_err insert_job(struct store *st, struct ticket *t,
			 const unsigned char *data, size_t len)
{
	sqlite3_stmt *q;
	bk_err e = store__prepare(st,
		"INSERT INTO print_jobs (ticket_id, data, created_ms, "
		"updated_ms) VALUES (?1, ?2, ?3, ?3)", &q);

	if (e)
		return e;
	sqlite3_bind_text(q, 1, t->id, -1, SQLITE_STATIC);
	sqlite3_bind_blob64(q, 2, data, len, SQLITE_STATIC);
	sqlite3_bind_int64(q, 3, t->created_ms);
	if (sqlite3_step(q) != SQLITE_DONE)
		e = store__err(st, sqlite3_errcode(store__db(st)),
			       "insert print job");
	else
		t->print_job_id = sqlite3_last_insert_rowid(store__db(st));
	sqlite3_finalize(q);
	return e;
}

/* The "ticket.issued" event, serialised once (outbox.h invariant 2).
 * Numbers and ids only: no personal data. */
static char *ticket_event(const struct config *cfg, const struct ticket *t,
			  const char *event_id)
{
	return outbox__event_body(cfg, event_id, "ticket.issued",
		t->created_ms,
		json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:i}",
			  "ticket_id", t->id, "number", t->number,
			  "service_id", t->service_id, "day", t->day,
			  "lang", t->lang, "kind", t->kind,
			  "priority", t->priority));
}

static int valid_key(const char *s, size_t max)
{
	size_t n = s ? strlen(s) : 0;

	if (n == 0 || n >= max)
		return 0;
	for (; *s; s++)
		if (*s <= ' ' || *s == 0x7f)
			return 0;
	return 1;
}

/* The citizen's language must be one the kiosk offers: it is stored and
 * sent upstream, so it is never free text. */
static int offered_lang(const struct config *cfg, const char *lang)
{
	for (int i = 0; lang && i < cfg->n_languages; i++)
		if (!strcmp(cfg->languages[i], lang))
			return 1;
	return 0;
}

/* Steps 2-5 of queue.h inside the caller's open transaction (queue_issue_
 * ticket's own, or a check-in's): the caller commits or rolls back. */
bk_err queue__issue_in_tx(struct store *st, const struct config *cfg,
			  const struct config_service *svc, const char *lang,
			  const char *request_key, const char *kind,
			  int priority, int64_t now_ms,
			  queue_render_fn render, void *render_ctx,
			  struct ticket *out, char event_id[37])
{
	unsigned char *job = NULL;
	size_t job_len = 0;
	char *body = NULL;
	int seq = 0;
	bk_err e = BK_OK;

	memset(out, 0, sizeof *out);
	event_id[0] = '\0';
	if (!svc || !valid_key(request_key, QUEUE_KEY_MAX) ||
	    !offered_lang(cfg, lang) || !kind ||
	    (strcmp(kind, QUEUE_KIND_WALKIN) &&
	     strcmp(kind, QUEUE_KIND_APPOINTMENT)) || priority < 0)
		return BK_ERR_INVALID;
	util_uuid(out->id);
	snprintf(out->service_id, sizeof out->service_id, "%s", svc->id);
	snprintf(out->lang, sizeof out->lang, "%s", lang);
	out->created_ms = now_ms;
	snprintf(out->kind, sizeof out->kind, "%s", kind);
	out->priority = priority;
	local_day(out->created_ms, out->day);
	if ((e = next_seq(st, svc->id, out->day,
			  !strcmp(kind, QUEUE_KIND_APPOINTMENT) ? 0
			  : priority > 0 ? 1 : 2, &seq, &out->ahead)))
		goto out;
	if (seq < 1 || seq > QUEUE_SEQ_MAX) {
		e = BK_ERR_EXHAUSTED;
		goto out;
	}
	snprintf(out->number, sizeof out->number, "%c%03u", svc->letter,
		 (unsigned)seq % 1000u);
	out->wait_minutes = queue_estimate_wait_st(st, cfg, svc->id,
						   out->ahead, now_ms);
	if ((e = insert_ticket(st, out, request_key, seq)))
		goto out;

	if (render && render(render_ctx, out, &job, &job_len) == 0) {
		if ((e = insert_job(st, out, job, job_len)))
			goto out;
	} else if (render) {
		log_warn("queue", "ticket %s: print job could not be rendered",
			 out->number);
	}

	util_uuid(event_id);
	body = ticket_event(cfg, out, event_id);
	if (!body) {
		e = BK_ERR_NOMEM;
		goto out;
	}
	if ((e = outbox__push(st, event_id, "ticket.issued", body,
			      out->created_ms)))
		goto out;

out:
	free(job);
	free(body);
	return e;
}

bk_err queue_issue_ticket(struct store *st, const struct config *cfg,
			  const char *service_id, const char *lang,
			  const char *request_key, queue_render_fn render,
			  void *render_ctx, struct ticket *out)
{
	return queue_issue_ticket_prio(st, cfg, service_id, lang, request_key,
				       0, render, render_ctx, out);
}

bk_err queue_issue_ticket_prio(struct store *st, const struct config *cfg,
			       const char *service_id, const char *lang,
			       const char *request_key, int priority,
			       queue_render_fn render, void *render_ctx,
			       struct ticket *out)
{
	const struct config_service *svc = config_service(cfg, service_id);
	char event_id[37];
	int found;
	bk_err e;

	memset(out, 0, sizeof *out);
	if (!svc || !valid_key(request_key, QUEUE_KEY_MAX) ||
	    !offered_lang(cfg, lang))
		return BK_ERR_INVALID;
	if ((e = store__begin(st)))
		return e;
	if ((e = find_by_key(st, request_key, out, &found)))
		goto fail;
	if (found) {
		out->reused = 1;
		out->wait_minutes = queue_estimate_wait_st(st, cfg,
							   out->service_id,
							   out->ahead,
							   store_now_ms());
		store__rollback(st); /* read only */
		return BK_OK;
	}

	if ((e = queue__issue_in_tx(st, cfg, svc, lang, request_key,
				    QUEUE_KIND_WALKIN, priority, store_now_ms(),
				    render, render_ctx, out, event_id)))
		goto fail;

	/* an unknown outcome is settled by the event's row */
	if ((e = outbox__commit(st, event_id)))
		goto out;
	log_info("queue", "issued %s (%s), %d ahead", out->number, svc->id,
		 out->ahead);
	goto out;
fail:
	store__rollback(st);
out:
	if (e)
		memset(out, 0, sizeof *out);
	return e;
}

int queue_estimate_wait(const struct config *cfg, int ahead)
{
	long m = (long)ahead * cfg->queue_service_minutes;
	long c = cfg->queue_counters > 0 ? cfg->queue_counters : 1;

	return ahead <= 0 ? 0 : (int)((m + c - 1) / c);
}

int queue_estimate_wait_st(struct store *st, const struct config *cfg,
			   const char *service_id, int ahead, int64_t now_ms)
{
	double avg_ms = (double)cfg->queue_service_minutes * 60000.0;
	long counters = cfg->queue_counters > 0 ? cfg->queue_counters : 1;
	sqlite3_stmt *q;
	double m;

	if (ahead <= 0)
		return 0;
	if (store__prepare(st,
		"SELECT count(*), avg(finished_ms - started_ms) FROM tickets "
		"WHERE service_id = ?1 AND finished_ms >= ?2 AND "
		"started_ms IS NOT NULL AND finished_ms > started_ms", &q))
		return queue_estimate_wait(cfg, ahead);
	sqlite3_bind_text(q, 1, service_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, now_ms - 3600 * 1000);
	if (sqlite3_step(q) == SQLITE_ROW &&
	    sqlite3_column_int(q, 0) >= QUEUE_AVG_MIN_SAMPLES)
		avg_ms = sqlite3_column_double(q, 1);
	sqlite3_finalize(q);
	if (store__prepare(st,
		"SELECT count(*) FROM counters WHERE revoked_ms IS NULL AND "
		"paused = 0 AND EXISTS (SELECT 1 FROM json_each(services) "
		"WHERE value = ?1)", &q))
		return queue_estimate_wait(cfg, ahead);
	sqlite3_bind_text(q, 1, service_id, -1, SQLITE_STATIC);
	if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_int(q, 0) > 0)
		counters = sqlite3_column_int(q, 0);
	sqlite3_finalize(q);
	m = (double)ahead * avg_ms / 60000.0 / (double)counters;
	return m > 100000 ? 100000 : (int)(m + 0.999);
}

bk_err queue_list_waiting(struct store *st, struct ticket *out, int max,
			  int *n)
{
	char day[11];
	sqlite3_stmt *q;
	bk_err e = store__prepare(st, "SELECT " TICKET_COLS
		" FROM tickets t WHERE t.day = ?1 AND t.status = 'waiting' "
		"ORDER BY t.created_ms, t.rowid LIMIT ?2", &q);
	int rc;

	*n = 0;
	if (e)
		return e;
	local_day(store_now_ms(), day);
	sqlite3_bind_text(q, 1, day, -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 2, max);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW)
		ticket_from_row(q, &out[(*n)++]);
	if (rc != SQLITE_DONE)
		e = store__err(st, rc, "list waiting");
	sqlite3_finalize(q);
	return e;
}

bk_err queue_print_job_get(struct store *st, int64_t id, struct print_job *out)
{
	sqlite3_stmt *q;
	bk_err e = store__prepare(st,
		"SELECT ticket_id, data, state FROM print_jobs WHERE id = ?1",
		&q);
	int rc;

	memset(out, 0, sizeof *out);
	if (e)
		return e;
	sqlite3_bind_int64(q, 1, id);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		int len = sqlite3_column_bytes(q, 1);
		const void *p = sqlite3_column_blob(q, 1);

		out->id = id;
		copy_col(out->ticket_id, sizeof out->ticket_id, q, 0);
		copy_col(out->state, sizeof out->state, q, 2);
		out->data = malloc(len > 0 ? (size_t)len : 1);
		if (!out->data) {
			e = BK_ERR_NOMEM;
		} else {
			if (len > 0)
				memcpy(out->data, p, (size_t)len);
			out->len = (size_t)len;
		}
	} else if (rc == SQLITE_DONE) {
		e = BK_ERR_NOTFOUND;
	} else {
		e = store__err(st, rc, "print job");
	}
	sqlite3_finalize(q);
	return e;
}

void queue_print_job_free(struct print_job *job)
{
	free(job->data);
	job->data = NULL;
	job->len = 0;
}

bk_err queue_print_job_done(struct store *st, int64_t id, int ok,
			    const char *error)
{
	sqlite3_stmt *q;
	bk_err e = store__prepare(st,
		"UPDATE print_jobs SET state = CASE WHEN ?2 THEN 'printed' "
		"ELSE state END, attempts = attempts + 1, last_error = ?3, "
		"updated_ms = ?4, claimed_ms = 0 WHERE id = ?1 AND "
		"state = 'pending'", &q);

	if (e)
		return e;
	sqlite3_bind_int64(q, 1, id);
	sqlite3_bind_int(q, 2, ok ? 1 : 0);
	if (ok)
		sqlite3_bind_null(q, 3);
	else
		sqlite3_bind_text(q, 3, error ? error : "failed", -1,
				  SQLITE_STATIC);
	sqlite3_bind_int64(q, 4, store_now_ms());
	if (sqlite3_step(q) != SQLITE_DONE)
		e = store__err(st, sqlite3_errcode(store__db(st)),
			       "print job done");
	sqlite3_finalize(q);
	return e;
}

bk_err queue_print_job_claim(struct store *st, int64_t id, int *won)
{
	int64_t now = store_now_ms();
	sqlite3_stmt *q;
	bk_err e = store__prepare(st,
		"UPDATE print_jobs SET claimed_ms = ?2 WHERE id = ?1 AND "
		"state = 'pending' AND claimed_ms < ?3", &q);

	*won = 0;
	if (e)
		return e;
	sqlite3_bind_int64(q, 1, id);
	sqlite3_bind_int64(q, 2, now);
	sqlite3_bind_int64(q, 3, now - QUEUE_CLAIM_MS);
	if (sqlite3_step(q) != SQLITE_DONE)
		e = store__err(st, sqlite3_errcode(store__db(st)), "claim job");
	else
		*won = sqlite3_changes(store__db(st)) == 1;
	sqlite3_finalize(q);
	return e;
}

bk_err queue_print_job_next_pending(struct store *st, int64_t *id)
{
	char day[11];
	sqlite3_stmt *q;
	bk_err e = store__prepare(st,
		"SELECT p.id FROM print_jobs p JOIN tickets t "
		"ON t.id = p.ticket_id WHERE p.state = 'pending' "
		"AND p.claimed_ms < ?2 "
		"AND t.day = ?1 ORDER BY p.id LIMIT 1", &q);
	int rc;

	*id = 0;
	if (e)
		return e;
	local_day(store_now_ms(), day);
	sqlite3_bind_text(q, 1, day, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, store_now_ms() - QUEUE_CLAIM_MS);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(q, 0);
	else if (rc != SQLITE_DONE)
		e = store__err(st, rc, "next pending job");
	sqlite3_finalize(q);
	return e;
}

bk_err queue_print_jobs_expire(struct store *st, int *n)
{
	char day[11];
	sqlite3_stmt *q;
	bk_err e = store__prepare(st,
		"UPDATE print_jobs SET state = 'failed', updated_ms = ?2, "
		"last_error = 'expired: ticket of an earlier day' "
		"WHERE state = 'pending' AND ticket_id IN "
		"(SELECT id FROM tickets WHERE day < ?1)", &q);

	*n = 0;
	if (e)
		return e;
	local_day(store_now_ms(), day);
	sqlite3_bind_text(q, 1, day, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, store_now_ms());
	if (sqlite3_step(q) != SQLITE_DONE)
		e = store__err(st, sqlite3_errcode(store__db(st)),
			       "expire print jobs");
	else
		*n = sqlite3_changes(store__db(st));
	sqlite3_finalize(q);
	return e;
}

bk_err queue_print_counts(struct store *st, struct print_counts *out)
{
	static const char *const states[] = { "pending", "printed", "failed" };
	int64_t c[3];
	bk_err e = store__count_states(st, "print_jobs", states, c, 3);

	out->pending = c[0];
	out->printed = c[1];
	out->failed = c[2];
	return e;
}
