/*
 * checkin.c — check-in by booking code or by ID document; the outcomes,
 * the window and the one transaction are described in checkin.h.
 */
#include "firmware/checkin.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "firmware/appointments.h"
#include "firmware/bookingcode.h"
#include "firmware/log.h"
#include "firmware/outbox.h"
#include "firmware/store_int.h"
#include "firmware/util.h"

#define MIN_MS 60000LL
#define HOLDER_MATCH_MAX 16   /* one person's appointments in one day */

const char *checkin_outcome_name(enum checkin_outcome o)
{
	switch (o) {
	case CHECKIN_CHECKED_IN: return "checked_in";
	case CHECKIN_ALREADY: return "already";
	case CHECKIN_TOO_EARLY: return "too_early";
	case CHECKIN_TOO_LATE: return "too_late";
	case CHECKIN_CANCELLED: return "cancelled";
	case CHECKIN_UNKNOWN: return "unknown";
	}
	return "?";
}

static int offered_lang(const struct config *cfg, const char *lang)
{
	for (int i = 0; lang && i < cfg->n_languages; i++)
		if (!strcmp(cfg->languages[i], lang))
			return 1;
	return 0;
}

/* The outcome for appointment a at now, before anything is written. */
static enum checkin_outcome classify(const struct config *cfg,
				     const struct appointment *a, int64_t now,
				     struct checkin_result *out)
{
	snprintf(out->appointment_id, sizeof out->appointment_id, "%s", a->id);
	snprintf(out->service_id, sizeof out->service_id, "%s", a->service_id);
	out->slot_start_ms = a->slot_start_ms;
	out->slot_minutes = a->slot_minutes;
	out->opens_ms = a->slot_start_ms - cfg->checkin_before_min * MIN_MS;
	out->closes_ms = a->slot_start_ms + cfg->checkin_after_min * MIN_MS;
	if (!strcmp(a->status, "checked_in"))
		return CHECKIN_ALREADY;
	if (!strcmp(a->status, "cancelled"))
		return CHECKIN_CANCELLED;
	if (now < out->opens_ms) {
		out->minutes_until_open =
			(int)((out->opens_ms - now + MIN_MS - 1) / MIN_MS);
		return CHECKIN_TOO_EARLY;
	}
	if (now > out->closes_ms)
		return CHECKIN_TOO_LATE;
	return CHECKIN_CHECKED_IN;
}

static void copy_col(char *dst, size_t len, sqlite3_stmt *q, int col)
{
	const char *s = (const char *)sqlite3_column_text(q, col);

	snprintf(dst, len, "%s", s ? s : "");
}

/* The ticket of an appointment checked in before. */
static bk_err load_ticket(struct store *st, const struct config *cfg,
			  const char *ticket_id, struct ticket *t)
{
	sqlite3_stmt *q;
	bk_err e = store__prepare(st,
		"SELECT t.id, t.service_id, t.number, t.day, t.lang, "
		"t.created_ms, (SELECT count(*) FROM tickets a WHERE "
		"a.day = t.day AND a.service_id = t.service_id AND "
		"a.status = 'waiting' AND a.seq < t.seq), "
		"coalesce((SELECT max(p.id) FROM print_jobs p WHERE "
		"p.ticket_id = t.id), 0), t.kind FROM tickets t WHERE t.id = ?1",
		&q);
	int rc;

	memset(t, 0, sizeof *t);
	if (e)
		return e;
	sqlite3_bind_text(q, 1, ticket_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		copy_col(t->id, sizeof t->id, q, 0);
		copy_col(t->service_id, sizeof t->service_id, q, 1);
		copy_col(t->number, sizeof t->number, q, 2);
		copy_col(t->day, sizeof t->day, q, 3);
		copy_col(t->lang, sizeof t->lang, q, 4);
		t->created_ms = sqlite3_column_int64(q, 5);
		t->ahead = sqlite3_column_int(q, 6);
		t->print_job_id = sqlite3_column_int64(q, 7);
		copy_col(t->kind, sizeof t->kind, q, 8);
		t->wait_minutes = queue_estimate_wait_st(st, cfg, t->service_id,
							 t->ahead,
							 store_now_ms());
		t->reused = 1;
	} else if (rc == SQLITE_DONE) {
		e = BK_ERR_NOTFOUND;
	} else {
		e = store__err(st, rc, "check-in ticket");
	}
	sqlite3_finalize(q);
	return e;
}

/* The "appointment.checked_in" event: ids and the number, no codes and no
 * personal data (the back office knows whose appointment it is). */
static char *checked_in_event(const struct config *cfg,
			      const struct appointment *a,
			      const struct ticket *t, const char *how,
			      const char *event_id)
{
	return outbox__event_body(cfg, event_id, "appointment.checked_in",
		t->created_ms,
		json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}",
			  "appointment_id", a->id, "ticket_id", t->id,
			  "number", t->number, "service_id", t->service_id,
			  "day", t->day, "method", how));
}

/* Inside the open transaction: ticket, job, both events, the row. */
static bk_err check_in(struct store *st, const struct config *cfg,
		       const struct appointment *a, const char *lang,
		       queue_render_fn render, void *render_ctx,
		       int64_t now_ms, const char *how, struct ticket *t)
{
	const struct config_service *svc = config_service(cfg, a->service_id);
	char key[37], ticket_event[37], event_id[37];
	char *body = NULL;
	bk_err e;

	if (!svc) {
		log_error("checkin", "appointment of service %s: the service "
			  "is not configured on this kiosk", a->service_id);
		return BK_ERR_CONFIG;
	}
	/* The appointment's status, read and changed under this write
	 * lock, keeps it to one ticket; the key only has to be unique. */
	util_uuid(key);
	if ((e = queue__issue_in_tx(st, cfg, svc, lang, key,
				    QUEUE_KIND_APPOINTMENT, 0, now_ms, render,
				    render_ctx, t, ticket_event)))
		return e;
	if ((e = appointments__mark_checked_in(st, a->id, t->id)))
		return e;
	util_uuid(event_id);
	body = checked_in_event(cfg, a, t, how, event_id);
	if (!body)
		return BK_ERR_NOMEM;
	e = outbox__push(st, event_id, "appointment.checked_in", body, now_ms);
	free(body);
	if (e)
		return e;
	/* an unknown outcome is settled by the event's row */
	return outbox__commit(st, event_id);
}

/* Finishes a lookup that found appointment a (inside the transaction):
 * commits a check-in or reads the earlier ticket, rolls back otherwise. */
static bk_err finish(struct store *st, const struct config *cfg,
		     const struct appointment *a, const char *lang,
		     queue_render_fn render, void *render_ctx, int64_t now_ms,
		     const char *how, struct checkin_result *out)
{
	bk_err e = BK_OK;

	out->outcome = classify(cfg, a, now_ms, out);
	if (out->outcome == CHECKIN_CHECKED_IN) {
		e = check_in(st, cfg, a, lang, render, render_ctx, now_ms, how,
			     &out->ticket);
		if (e)
			store__rollback(st);
		else
			log_info("checkin", "checked in by %s: %s (%s)", how,
				 out->ticket.number, out->service_id);
		return e;
	}
	if (out->outcome == CHECKIN_ALREADY)
		e = load_ticket(st, cfg, a->ticket_id, &out->ticket);
	store__rollback(st); /* read only */
	if (e == BK_ERR_NOTFOUND) {
		/* checked in, but its ticket is gone (purged): the same
		 * number cannot be shown; there is no second ticket either */
		log_warn("checkin", "appointment checked in earlier has no "
			 "ticket any more");
		e = BK_OK;
	}
	log_info("checkin", "by %s: %s", how,
		 checkin_outcome_name(out->outcome));
	return e;
}

bk_err checkin_by_code(struct store *st, const struct config *cfg,
		       const char *process, const char *code,
		       const char *lang, queue_render_fn render,
		       void *render_ctx, int64_t now_ms,
		       struct checkin_result *out)
{
	char p[BOOKINGCODE_PROCESS_LEN + 1], c[BOOKINGCODE_CODE_MAX + 1];
	struct appointment a;
	bk_err e;

	memset(out, 0, sizeof *out);
	if (!st || !cfg || !offered_lang(cfg, lang))
		return BK_ERR_INVALID;
	out->outcome = CHECKIN_UNKNOWN;
	if (bookingcode_normalise_process(process, p) ||
	    bookingcode_normalise_code(code, c)) {
		log_info("checkin", "by code: not a booking code");
		return BK_OK;
	}
	if ((e = store__begin(st)))
		goto fail;
	e = appointments_find(st, p, c, &a);
	if (e == BK_ERR_NOTFOUND) {
		store__rollback(st);
		log_info("checkin", "by code: unknown");
		return BK_OK;
	}
	if (e) {
		store__rollback(st);
		goto fail;
	}
	out->matches = 1;
	if ((e = finish(st, cfg, &a, lang, render, render_ctx, now_ms, "code",
			out)))
		goto fail;
	return BK_OK;
fail:
	memset(out, 0, sizeof *out);
	return e;
}

/* The rank of a holder's appointment (checkin.h: lower is chosen first),
 * and among equal ranks whether a later slot wins. */
static int rank(const struct config *cfg, const struct appointment *a,
		int64_t now, int *latest_first)
{
	struct checkin_result r;
	enum checkin_outcome o;

	memset(&r, 0, sizeof r);
	o = classify(cfg, a, now, &r);
	*latest_first = 0;
	switch (o) {
	case CHECKIN_CHECKED_IN:
		return 0;
	case CHECKIN_ALREADY:
		*latest_first = 1;
		return now <= r.closes_ms ? 1 : 3;
	case CHECKIN_TOO_EARLY:
		return 2;
	case CHECKIN_TOO_LATE:
		*latest_first = 1;
		return 4;
	case CHECKIN_CANCELLED:
		return 5;
	case CHECKIN_UNKNOWN:
		break;
	}
	return 6;
}

static int choose(const struct config *cfg, const struct appointment *list,
		  int n, int64_t now)
{
	int best = -1, best_rank = 99;

	/* list is ordered by slot: the first of a rank is the earliest */
	for (int i = 0; i < n; i++) {
		int latest, r = rank(cfg, &list[i], now, &latest);

		if (r < best_rank || (r == best_rank && latest)) {
			best = i;
			best_rank = r;
		}
	}
	return best;
}

bk_err checkin_by_holder(struct store *st, const struct config *cfg,
			 const char *surname, const char *date_of_birth,
			 const char *lang, queue_render_fn render,
			 void *render_ctx, int64_t now_ms,
			 struct checkin_result *out)
{
	unsigned char key[32], digest[APPOINTMENTS_HOLDER_LEN];
	struct appointment *list = NULL;
	char day[11];
	int n = 0, pick;
	bk_err e;

	memset(out, 0, sizeof *out);
	if (!st || !cfg || !offered_lang(cfg, lang))
		return BK_ERR_INVALID;
	out->outcome = CHECKIN_UNKNOWN;
	if ((e = appointments_holder_key_load(st, key)))
		goto fail;
	e = appointments_holder_digest(key, surname, date_of_birth, digest);
	util_wipe(key, sizeof key);
	if (e) {
		log_info("checkin", "by document: no key for these fields");
		return BK_OK;
	}
	list = calloc(HOLDER_MATCH_MAX, sizeof *list);
	if (!list) {
		e = BK_ERR_NOMEM;
		goto fail;
	}
	appointments_local_day(now_ms, day);
	if ((e = store__begin(st)))
		goto fail;
	if ((e = appointments_find_holder(st, day, digest, list,
					  HOLDER_MATCH_MAX, &n))) {
		store__rollback(st);
		goto fail;
	}
	pick = choose(cfg, list, n, now_ms);
	if (pick < 0) {
		store__rollback(st);
		log_info("checkin", "by document: unknown");
		goto out;
	}
	out->matches = n;
	if ((e = finish(st, cfg, &list[pick], lang, render, render_ctx,
			now_ms, "document", out)))
		goto fail;
	out->matches = n;
	goto out;
fail:
	memset(out, 0, sizeof *out);
out:
	util_wipe(digest, sizeof digest);
	free(list);
	return e;
}
