/*
 * appointments.c — the down-sync cache; see appointments.h.
 */
#include "firmware/appointments.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "firmware/log.h"
#include "firmware/store_int.h"
#include "firmware/syncproto.h"

#define KEY_CURSOR "appointments.cursor"
#define KEY_SITE "appointments.site"
#define KEY_ETAG "catalogue.etag"
#define KEY_VERSION "catalogue.version"

void appointments_local_day(int64_t ms, char out[11])
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

static bk_err state_get(struct store *st, const char *key, char *out,
			size_t len)
{
	sqlite3_stmt *q;
	bk_err e = store__prepare(st,
		"SELECT value FROM sync_state WHERE key = ?1", &q);
	int rc;

	out[0] = '\0';
	if (e)
		return e;
	sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW)
		copy_col(out, len, q, 0);
	else if (rc != SQLITE_DONE)
		e = store__err(st, rc, "sync_state");
	sqlite3_finalize(q);
	return e;
}

static bk_err state_set(struct store *st, const char *key, const char *value)
{
	sqlite3_stmt *q;
	bk_err e = store__prepare(st,
		"INSERT INTO sync_state (key, value) VALUES (?1, ?2) "
		"ON CONFLICT (key) DO UPDATE SET value = ?2", &q);

	if (e)
		return e;
	sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, value, -1, SQLITE_STATIC);
	if (sqlite3_step(q) != SQLITE_DONE)
		e = store__err(st, sqlite3_errcode(store__db(st)), "sync_state");
	sqlite3_finalize(q);
	return e;
}

/* Runs one statement with up to two text parameters; *changes if asked. */
static bk_err exec2(struct store *st, const char *sql, const char *a,
		    const char *b, int *changes)
{
	sqlite3_stmt *q;
	bk_err e = store__prepare(st, sql, &q);

	if (e)
		return e;
	if (a)
		sqlite3_bind_text(q, 1, a, -1, SQLITE_STATIC);
	if (b)
		sqlite3_bind_text(q, 2, b, -1, SQLITE_STATIC);
	if (sqlite3_step(q) != SQLITE_DONE)
		e = store__err(st, sqlite3_errcode(store__db(st)), "appointments");
	else if (changes)
		*changes = sqlite3_changes(store__db(st));
	sqlite3_finalize(q);
	return e;
}

bk_err appointments_cursor(struct store *st, const char *site, char *out)
{
	char have[CONFIG_ID_MAX + 1];
	bk_err e;

	out[0] = '\0';
	if ((e = state_get(st, KEY_SITE, have, sizeof have)))
		return e;
	if (strcmp(have, site))
		return BK_OK; /* another site's cache: start afresh */
	return state_get(st, KEY_CURSOR, out, DOWNSYNC_PROTO_CURSOR_MAX);
}

/* The two statements of one page, prepared once per page. */
struct page_stmts {
	sqlite3_stmt *unpair;   /* other ids holding the same pair */
	sqlite3_stmt *upsert;
	sqlite3_stmt *remove;   /* a row of a past day */
};

static void page_stmts_free(struct page_stmts *s)
{
	sqlite3_finalize(s->unpair);
	sqlite3_finalize(s->upsert);
	sqlite3_finalize(s->remove);
}

static bk_err page_stmts_prepare(struct store *st, struct page_stmts *s)
{
	bk_err e;

	memset(s, 0, sizeof *s);
	/* The pair (process number, code) is unique: a back office that
	 * gave it to a new id has retired the old one. */
	if ((e = store__prepare(st, "DELETE FROM appointments WHERE "
				"process_number = ?1 AND booking_code = ?2 "
				"AND id <> ?3", &s->unpair)) ||
	    (e = store__prepare(st,
		"INSERT INTO appointments (id, process_number, booking_code, "
		"service_id, day, slot_start_ms, slot_minutes, status, "
		"updated_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) "
		"ON CONFLICT (id) DO UPDATE SET "
		"process_number = excluded.process_number, "
		"booking_code = excluded.booking_code, "
		"service_id = excluded.service_id, day = excluded.day, "
		"slot_start_ms = excluded.slot_start_ms, "
		"slot_minutes = excluded.slot_minutes, "
		"status = CASE WHEN appointments.status = 'checked_in' "
		"THEN 'checked_in' ELSE excluded.status END, "
		"updated_ms = excluded.updated_ms", &s->upsert)) ||
	    (e = store__prepare(st, "DELETE FROM appointments WHERE id = ?1",
				&s->remove)))
		page_stmts_free(s);
	return e;
}

static bk_err step_done(struct store *st, sqlite3_stmt *q, const char *what)
{
	int rc = sqlite3_step(q);

	sqlite3_reset(q);
	return rc == SQLITE_DONE ? BK_OK : store__err(st, rc, what);
}

/* Stores (or, for a past day, deletes) one appointment. */
static bk_err apply_one(struct store *st, struct page_stmts *s,
			const struct downsync_appt *a, const char *today,
			int *stored, int *removed)
{
	char day[11];
	bk_err e;

	appointments_local_day(a->slot_start_ms, day);
	if (strcmp(day, today) < 0) {
		sqlite3_bind_text(s->remove, 1, a->id, -1, SQLITE_STATIC);
		if ((e = step_done(st, s->remove, "remove appointment")))
			return e;
		*removed += sqlite3_changes(store__db(st));
		return BK_OK;
	}
	sqlite3_bind_text(s->unpair, 1, a->process_number, -1, SQLITE_STATIC);
	sqlite3_bind_text(s->unpair, 2, a->booking_code, -1, SQLITE_STATIC);
	sqlite3_bind_text(s->unpair, 3, a->id, -1, SQLITE_STATIC);
	if ((e = step_done(st, s->unpair, "unpair appointment")))
		return e;
	sqlite3_bind_text(s->upsert, 1, a->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s->upsert, 2, a->process_number, -1, SQLITE_STATIC);
	sqlite3_bind_text(s->upsert, 3, a->booking_code, -1, SQLITE_STATIC);
	sqlite3_bind_text(s->upsert, 4, a->service_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s->upsert, 5, day, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s->upsert, 6, a->slot_start_ms);
	sqlite3_bind_int(s->upsert, 7, a->slot_minutes);
	sqlite3_bind_text(s->upsert, 8, a->cancelled ? "cancelled" : "booked",
			  -1, SQLITE_STATIC);
	sqlite3_bind_int64(s->upsert, 9, a->updated_ms);
	if ((e = step_done(st, s->upsert, "upsert appointment")))
		return e;
	(*stored)++;
	return BK_OK;
}

bk_err appointments_apply_page(struct store *st, const char *site,
			       const struct downsync_page *p, int *stored,
			       int *removed)
{
	struct page_stmts s = { 0 };
	char have[CONFIG_ID_MAX + 1], today[11];
	int n_stored = 0, n_removed = 0;
	bk_err e;

	if (stored)
		*stored = 0;
	if (removed)
		*removed = 0;
	if (!syncproto_is_id(site) || !downsync_proto_is_cursor(p->cursor) ||
	    p->n < 0 || p->n > DOWNSYNC_PROTO_MAX_PAGE)
		return BK_ERR_INVALID;
	for (int i = 0; i < p->n; i++)
		if (!downsync_proto_appt_valid(&p->appt[i]))
			return BK_ERR_INVALID;
	appointments_local_day(store_now_ms(), today);
	if ((e = store__begin(st)))
		return e;
	if ((e = state_get(st, KEY_SITE, have, sizeof have)))
		goto fail;
	if (strcmp(have, site)) { /* invariant 4 */
		if ((e = exec2(st, "DELETE FROM appointments", NULL, NULL,
			       &n_removed)) ||
		    (e = state_set(st, KEY_SITE, site)))
			goto fail;
	}
	if ((e = page_stmts_prepare(st, &s)))
		goto fail;
	for (int i = 0; i < p->n; i++)
		if ((e = apply_one(st, &s, &p->appt[i], today, &n_stored,
				   &n_removed)))
			goto fail;
	page_stmts_free(&s);
	memset(&s, 0, sizeof s);
	if ((e = state_set(st, KEY_CURSOR, p->cursor)))
		goto fail;
	/* BK_ERR_IO here: outcome unknown. The caller pulls again from the
	 * cursor that is stored, which is correct either way (invariant 1). */
	if ((e = store__commit(st)))
		return e;
	if (stored)
		*stored = n_stored;
	if (removed)
		*removed = n_removed;
	return BK_OK;
fail:
	page_stmts_free(&s);
	store__rollback(st);
	return e;
}

#define APPT_COLS "id, process_number, booking_code, service_id, day, " \
	"slot_start_ms, slot_minutes, status, coalesce(ticket_id, ''), " \
	"updated_ms"

static void appt_from_row(sqlite3_stmt *q, struct appointment *a)
{
	memset(a, 0, sizeof *a);
	copy_col(a->id, sizeof a->id, q, 0);
	copy_col(a->process_number, sizeof a->process_number, q, 1);
	copy_col(a->booking_code, sizeof a->booking_code, q, 2);
	copy_col(a->service_id, sizeof a->service_id, q, 3);
	copy_col(a->day, sizeof a->day, q, 4);
	a->slot_start_ms = sqlite3_column_int64(q, 5);
	a->slot_minutes = sqlite3_column_int(q, 6);
	copy_col(a->status, sizeof a->status, q, 7);
	copy_col(a->ticket_id, sizeof a->ticket_id, q, 8);
	a->updated_ms = sqlite3_column_int64(q, 9);
}

bk_err appointments_find(struct store *st, const char *process_number,
			 const char *booking_code, struct appointment *out)
{
	char code[DOWNSYNC_PROTO_CODE_MAX];
	sqlite3_stmt *q;
	size_t n = booking_code ? strlen(booking_code) : 0;
	bk_err e;
	int rc;

	memset(out, 0, sizeof *out);
	if (!process_number || !process_number[0] || n == 0 ||
	    n >= sizeof code)
		return BK_ERR_NOTFOUND;
	for (size_t i = 0; i <= n; i++) {
		char c = booking_code[i];
		code[i] = (c >= 'a' && c <= 'z') ? (char)(c - 'a' + 'A') : c;
	}
	if ((e = store__prepare(st, "SELECT " APPT_COLS " FROM appointments "
				"WHERE process_number = ?1 AND booking_code = ?2",
				&q)))
		return e;
	sqlite3_bind_text(q, 1, process_number, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, code, -1, SQLITE_STATIC);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW)
		appt_from_row(q, out);
	else if (rc == SQLITE_DONE)
		e = BK_ERR_NOTFOUND;
	else
		e = store__err(st, rc, "find appointment");
	sqlite3_finalize(q);
	return e;
}

bk_err appointments_list_day(struct store *st, const char *day,
			     struct appointment *out, int max, int *n)
{
	char today[11];
	sqlite3_stmt *q;
	bk_err e;
	int rc;

	*n = 0;
	if (!day) {
		appointments_local_day(store_now_ms(), today);
		day = today;
	}
	if ((e = store__prepare(st, "SELECT " APPT_COLS " FROM appointments "
				"WHERE day = ?1 ORDER BY slot_start_ms, id "
				"LIMIT ?2", &q)))
		return e;
	sqlite3_bind_text(q, 1, day, -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 2, max);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW)
		appt_from_row(q, &out[(*n)++]);
	if (rc != SQLITE_DONE)
		e = store__err(st, rc, "list appointments");
	sqlite3_finalize(q);
	return e;
}

bk_err appointments_purge_before(struct store *st, const char *day, int *n)
{
	char today[11];
	int changes = 0;
	bk_err e;

	if (n)
		*n = 0;
	if (!day) {
		appointments_local_day(store_now_ms(), today);
		day = today;
	}
	e = exec2(st, "DELETE FROM appointments WHERE day < ?1", day, NULL,
		  &changes);
	if (!e && n)
		*n = changes;
	return e;
}

/* ---- catalogue ----------------------------------------------------- */

static char *names_json(const struct downsync_service *s)
{
	json_t *o = json_object();
	char *text = NULL;

	for (int i = 0; o && i < s->n_names; i++)
		if (json_object_set_new(o, s->names[i].lang,
					json_string(s->names[i].text)) < 0)
			goto out;
	if (o)
		text = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
out:
	json_decref(o);
	return text;
}

static bk_err insert_service(struct store *st, sqlite3_stmt *q,
			     const struct downsync_service *s, int64_t now)
{
	char letter[2] = { s->letter, '\0' };
	char *names = names_json(s);
	bk_err e = BK_OK;

	if (!names)
		return BK_ERR_NOMEM;
	sqlite3_bind_text(q, 1, s->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, letter, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(q, 3, s->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 4, names, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 5, now);
	e = step_done(st, q, "insert service");
	free(names);
	return e;
}

bk_err appointments_catalogue_replace(struct store *st,
				      const struct downsync_catalogue *c,
				      const char *etag)
{
	sqlite3_stmt *q = NULL;
	int64_t now = store_now_ms();
	bk_err e;

	if (!etag || strlen(etag) >= APPOINTMENTS_ETAG_MAX ||
	    c->n < 1 || c->n > DOWNSYNC_PROTO_MAX_SERVICES)
		return BK_ERR_INVALID;
	for (int i = 0; i < c->n; i++)
		if (!downsync_proto_service_valid(&c->svc[i]))
			return BK_ERR_INVALID;
	if ((e = store__begin(st)))
		return e;
	if ((e = exec2(st, "DELETE FROM catalogue", NULL, NULL, NULL)) ||
	    (e = store__prepare(st, "INSERT INTO catalogue (service_id, "
				"letter, name, names, updated_ms) VALUES "
				"(?1, ?2, ?3, ?4, ?5)", &q)))
		goto fail;
	for (int i = 0; i < c->n; i++)
		if ((e = insert_service(st, q, &c->svc[i], now)))
			goto fail;
	sqlite3_finalize(q);
	q = NULL;
	if ((e = state_set(st, KEY_ETAG, etag)) ||
	    (e = state_set(st, KEY_VERSION, c->version)))
		goto fail;
	return store__commit(st);
fail:
	sqlite3_finalize(q);
	store__rollback(st);
	return e;
}

/* names JSON from the table back into s (what was stored was checked). */
static void names_from_json(const char *text, struct downsync_service *s)
{
	json_t *o = json_loads(text ? text : "{}", 0, NULL), *v;
	const char *lang;

	json_object_foreach(o, lang, v) {
		struct config_text *t = &s->names[s->n_names];

		if (s->n_names >= DOWNSYNC_PROTO_MAX_NAMES ||
		    !json_is_string(v))
			break;
		snprintf(t->lang, sizeof t->lang, "%s", lang);
		snprintf(t->text, sizeof t->text, "%s", json_string_value(v));
		s->n_names++;
	}
	json_decref(o);
}

bk_err appointments_catalogue_read(struct store *st,
				   struct downsync_catalogue *c)
{
	sqlite3_stmt *q;
	bk_err e;
	int rc;

	memset(c, 0, sizeof *c);
	c->svc = calloc(DOWNSYNC_PROTO_MAX_SERVICES, sizeof *c->svc);
	if (!c->svc)
		return BK_ERR_NOMEM;
	if ((e = state_get(st, KEY_VERSION, c->version, sizeof c->version)) ||
	    (e = store__prepare(st, "SELECT service_id, letter, name, names "
				"FROM catalogue ORDER BY letter LIMIT ?1", &q)))
		goto fail;
	sqlite3_bind_int(q, 1, DOWNSYNC_PROTO_MAX_SERVICES);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct downsync_service *s = &c->svc[c->n++];
		const char *letter = (const char *)sqlite3_column_text(q, 1);

		copy_col(s->id, sizeof s->id, q, 0);
		s->letter = letter ? letter[0] : '?';
		copy_col(s->name, sizeof s->name, q, 2);
		names_from_json((const char *)sqlite3_column_text(q, 3), s);
	}
	if (rc != SQLITE_DONE)
		e = store__err(st, rc, "read catalogue");
	sqlite3_finalize(q);
	if (e)
		goto fail;
	return BK_OK;
fail:
	downsync_catalogue_free(c);
	return e;
}

bk_err appointments_catalogue_etag(struct store *st, char *out)
{
	return state_get(st, KEY_ETAG, out, APPOINTMENTS_ETAG_MAX);
}
