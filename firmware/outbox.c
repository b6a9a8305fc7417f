/*
 * outbox.c — the outbox table (lifecycle and invariants in outbox.h).
 */
#include "firmware/outbox.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "firmware/config.h"
#include "firmware/log.h"
#include "firmware/store_int.h"

bk_err outbox__push(struct store *st, const char *id, const char *type,
		    const char *body, int64_t now_ms)
{
	sqlite3_stmt *q;
	bk_err e;

	if (sqlite3_get_autocommit(store__db(st)))
		return BK_ERR_INVALID; /* invariant 3: only inside a tx */
	if (strlen(body) >= OUTBOX_BODY_MAX)
		return BK_ERR_TOOLARGE;
	e = store__prepare(st,
		"INSERT INTO outbox (id, type, body, created_ms) "
		"VALUES (?1, ?2, ?3, ?4)", &q);
	if (e)
		return e;
	sqlite3_bind_text(q, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, type, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, body, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 4, now_ms);
	if (sqlite3_step(q) != SQLITE_DONE)
		e = store__err(st, sqlite3_errcode(store__db(st)), "outbox push");
	sqlite3_finalize(q);
	return e;
}

bk_err outbox__commit(struct store *st, const char *event_id)
{
	bk_err e = store__commit(st);
	sqlite3_stmt *q;

	if (e != BK_ERR_IO && e != BK_ERR_FULL)
		return e;
	if (store__prepare(st, "SELECT 1 FROM outbox WHERE id = ?1", &q))
		return e;
	sqlite3_bind_text(q, 1, event_id, -1, SQLITE_STATIC);
	if (sqlite3_step(q) == SQLITE_ROW) {
		log_warn("store", "commit reported \"%s\" but event %s is "
			 "stored", bk_strerror(e), event_id);
		e = BK_OK;
	}
	sqlite3_finalize(q);
	return e;
}

void outbox_batch_free(struct outbox_batch *b)
{
	for (int i = 0; i < b->n; i++)
		free(b->ev[i].body);
	free(b->ev);
	b->ev = NULL;
	b->n = 0;
}

bk_err outbox_next_batch(struct store *st, int max, int64_t now_ms,
			 struct outbox_batch *out)
{
	sqlite3_stmt *q;
	bk_err e;
	int rc;

	memset(out, 0, sizeof *out);
	if (max <= 0)
		return BK_ERR_INVALID;
	out->ev = calloc((size_t)max, sizeof *out->ev);
	if (!out->ev)
		return BK_ERR_NOMEM;
	/* In seq order straight from the index, stopping after max rows:
	 * the planner would otherwise sort every pending row first. */
	e = store__prepare(st,
		"SELECT seq, id, type, body, attempts FROM outbox "
		"INDEXED BY outbox_order "
		"WHERE state = 'pending' AND next_attempt_ms <= ?1 "
		"ORDER BY seq LIMIT ?2", &q);
	if (e)
		goto fail;
	sqlite3_bind_int64(q, 1, now_ms);
	sqlite3_bind_int(q, 2, max);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct outbox_event *ev = &out->ev[out->n];
		const char *body = (const char *)sqlite3_column_text(q, 3);

		ev->seq = sqlite3_column_int64(q, 0);
		snprintf(ev->id, sizeof ev->id, "%s",
			 (const char *)sqlite3_column_text(q, 1));
		snprintf(ev->type, sizeof ev->type, "%s",
			 (const char *)sqlite3_column_text(q, 2));
		ev->body = strdup(body ? body : "{}");
		ev->attempts = sqlite3_column_int(q, 4);
		if (!ev->body) {
			e = BK_ERR_NOMEM;
			break;
		}
		out->n++;
	}
	if (!e && rc != SQLITE_DONE)
		e = store__err(st, rc, "outbox batch");
	sqlite3_finalize(q);
	if (e)
		goto fail;
	return BK_OK;
fail:
	outbox_batch_free(out);
	return e;
}

/* Runs one UPDATE per id in a single transaction. */
static bk_err update_ids(struct store *st, const char *sql,
			 const char *const *ids, int n, int64_t a,
			 const char *text)
{
	sqlite3_stmt *q = NULL;
	bk_err e;

	if (n == 0)
		return BK_OK;
	if ((e = store__begin(st)))
		return e;
	if ((e = store__prepare(st, sql, &q)))
		goto fail;
	for (int i = 0; i < n; i++) {
		sqlite3_reset(q);
		sqlite3_bind_text(q, 1, ids[i], -1, SQLITE_STATIC);
		sqlite3_bind_int64(q, 2, a);
		sqlite3_bind_text(q, 3, text ? text : "", -1, SQLITE_STATIC);
		if (sqlite3_step(q) != SQLITE_DONE) {
			e = store__err(st, sqlite3_errcode(store__db(st)),
				       "outbox update");
			goto fail;
		}
	}
	sqlite3_finalize(q);
	return store__commit(st);
fail:
	sqlite3_finalize(q);
	store__rollback(st);
	return e;
}

bk_err outbox_mark_delivered(struct store *st, const char *const *ids, int n)
{
	return update_ids(st,
		"UPDATE outbox SET state = 'delivered', delivered_ms = ?2, "
		"attempts = attempts + 1, last_error = NULLIF(?3, '') "
		"WHERE id = ?1 AND state = 'pending'",
		ids, n, store_now_ms(), NULL);
}

bk_err outbox_mark_dead(struct store *st, const char *id, const char *reason)
{
	const char *ids[1] = { id };

	return update_ids(st,
		"UPDATE outbox SET state = 'dead', attempts = attempts + 1, "
		"next_attempt_ms = ?2, last_error = ?3 "
		"WHERE id = ?1 AND state = 'pending'",
		ids, 1, store_now_ms(), reason ? reason : "rejected");
}

bk_err outbox_defer(struct store *st, const char *const *ids, int n,
		    int64_t next_attempt_ms, const char *error)
{
	return update_ids(st,
		"UPDATE outbox SET attempts = attempts + 1, "
		"next_attempt_ms = ?2, last_error = ?3 "
		"WHERE id = ?1 AND state = 'pending'",
		ids, n, next_attempt_ms, error);
}

bk_err outbox_retry(struct store *st, const char *id)
{
	sqlite3_stmt *q;
	bk_err e = store__prepare(st,
		"UPDATE outbox SET state = 'pending', next_attempt_ms = 0 "
		"WHERE id = ?1 AND state = 'dead'", &q);

	if (e)
		return e;
	sqlite3_bind_text(q, 1, id, -1, SQLITE_STATIC);
	if (sqlite3_step(q) != SQLITE_DONE)
		e = store__err(st, sqlite3_errcode(store__db(st)),
			       "outbox retry");
	else if (sqlite3_changes(store__db(st)) == 0)
		e = BK_ERR_NOTFOUND;
	sqlite3_finalize(q);
	return e;
}

bk_err outbox_counts(struct store *st, struct outbox_counts *out)
{
	static const char *const states[] = { "pending", "delivered", "dead" };
	int64_t c[3];
	bk_err e = store__count_states(st, "outbox", states, c, 3);

	out->pending = c[0];
	out->delivered = c[1];
	out->dead = c[2];
	return e;
}

bk_err outbox_next_due_in(struct store *st, int64_t now_ms, int64_t *out)
{
	sqlite3_stmt *q;
	bk_err e = store__prepare(st,
		"SELECT min(next_attempt_ms) FROM outbox "
		"WHERE state = 'pending'", &q);
	int rc;

	*out = -1;
	if (e)
		return e;
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW && sqlite3_column_type(q, 0) != SQLITE_NULL) {
		int64_t due = sqlite3_column_int64(q, 0);
		*out = due <= now_ms ? 0 : due - now_ms;
	} else if (rc != SQLITE_ROW) {
		e = store__err(st, rc, "outbox due");
	}
	sqlite3_finalize(q);
	return e;
}

bk_err outbox_list_dead(struct store *st, struct outbox_dead *out, int max,
			int *n)
{
	sqlite3_stmt *q;
	bk_err e = store__prepare(st,
		"SELECT id, type, coalesce(last_error, '') FROM outbox "
		"WHERE state = 'dead' ORDER BY seq DESC LIMIT ?1", &q);
	int rc;

	*n = 0;
	if (e)
		return e;
	sqlite3_bind_int(q, 1, max);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct outbox_dead *d = &out[(*n)++];
		snprintf(d->id, sizeof d->id, "%s",
			 (const char *)sqlite3_column_text(q, 0));
		snprintf(d->type, sizeof d->type, "%s",
			 (const char *)sqlite3_column_text(q, 1));
		snprintf(d->reason, sizeof d->reason, "%s",
			 (const char *)sqlite3_column_text(q, 2));
	}
	if (rc != SQLITE_DONE)
		e = store__err(st, rc, "outbox dead");
	sqlite3_finalize(q);
	return e;
}

char *outbox__event_body(const struct config *cfg, const char *event_id,
			 const char *type, int64_t created_ms, json_t *data)
{
	char when[32];
	json_t *ev;
	char *body;

	if (!data)
		return NULL;
	store_format_time(created_ms, when);
	ev = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o}", "id", event_id,
		       "type", type, "kiosk_id", cfg->kiosk_id,
		       "site_id", cfg->site_id, "created_at", when,
		       "data", data);
	if (!ev)
		return NULL;
	body = json_dumps(ev, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(ev);
	return body;
}
