/*
 * sitequeue.c — counters, the call order and the counter actions; the
 * lifecycle and invariants are in sitequeue.h.
 */
#include "firmware/sitequeue.h"

#include <jansson.h>
#include <stdarg.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "firmware/log.h"
#include "firmware/outbox.h"
#include "firmware/store_int.h"
#include "firmware/util.h"

#define TOKEN_INPUT_MAX 128

static const char *const action_names[] = {
	[SQ_NEXT] = "next", [SQ_RECALL] = "recall", [SQ_START] = "start",
	[SQ_FINISH] = "finish", [SQ_NOSHOW] = "no-show",
	[SQ_TRANSFER] = "transfer", [SQ_PARK] = "park",
	[SQ_UNPARK] = "unpark", [SQ_PAUSE] = "pause", [SQ_RESUME] = "resume",
};

const char *sq_action_name(enum sq_action a)
{
	return (unsigned)a < sizeof action_names / sizeof action_names[0]
	       ? action_names[a] : "?";
}

int sq_action_parse(const char *name, enum sq_action *out)
{
	for (unsigned i = 0; i < sizeof action_names / sizeof action_names[0];
	     i++)
		if (!strcmp(name, action_names[i])) {
			*out = (enum sq_action)i;
			return 0;
		}
	return -1;
}

static void local_day(int64_t ms, char out[11])
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

static void col(char *dst, size_t len, sqlite3_stmt *q, int i)
{
	const char *s = (const char *)sqlite3_column_text(q, i);

	snprintf(dst, len, "%s", s ? s : "");
}

void sq__token_hash(const char *token, unsigned char out[32])
{
	SHA256((const unsigned char *)token, strlen(token), out);
}

/* ---- counters ---- */

#define COUNTER_COLS "id, name, services, paused, created_ms, " \
	"coalesce(revoked_ms, 0)"

static void counter_from_row(sqlite3_stmt *q, struct sq_counter *c)
{
	json_t *a;
	size_t i;
	json_t *v;
	const char *svc = (const char *)sqlite3_column_text(q, 2);

	memset(c, 0, sizeof *c);
	col(c->id, sizeof c->id, q, 0);
	col(c->name, sizeof c->name, q, 1);
	c->paused = sqlite3_column_int(q, 3);
	c->created_ms = sqlite3_column_int64(q, 4);
	c->revoked_ms = sqlite3_column_int64(q, 5);
	a = svc ? json_loads(svc, 0, NULL) : NULL;
	json_array_foreach(a, i, v) {
		if (c->n_services >= CONFIG_MAX_SERVICES || !json_is_string(v))
			break;
		snprintf(c->services[c->n_services++], CONFIG_ID_MAX, "%s",
			 json_string_value(v));
	}
	json_decref(a);
}

static bk_err counter_query(struct store *st, const char *sql,
			    const void *key, int keylen, struct sq_counter *out,
			    bk_err missing)
{
	sqlite3_stmt *q;
	bk_err e = store__prepare(st, sql, &q);
	int rc;

	if (e)
		return e;
	if (keylen >= 0)
		sqlite3_bind_blob(q, 1, key, keylen, SQLITE_STATIC);
	else
		sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW)
		counter_from_row(q, out);
	else if (rc == SQLITE_DONE)
		e = missing;
	else
		e = store__err(st, rc, "counter");
	sqlite3_finalize(q);
	return e;
}

bk_err sq_counter_get(struct store *st, const char *id,
		      struct sq_counter *out)
{
	return counter_query(st, "SELECT " COUNTER_COLS " FROM counters "
			     "WHERE id = ?1", id, -1, out, BK_ERR_NOTFOUND);
}

static bk_err counter_by_name(struct store *st, const char *name,
			      struct sq_counter *out)
{
	return counter_query(st, "SELECT " COUNTER_COLS " FROM counters "
			     "WHERE name = ?1 AND revoked_ms IS NULL", name,
			     -1, out, BK_ERR_NOTFOUND);
}

bk_err sq_counter_auth(struct store *st, const char *token,
		       struct sq_counter *out)
{
	unsigned char h[32];
	size_t n = token ? strnlen(token, TOKEN_INPUT_MAX + 1) : 0;

	memset(out, 0, sizeof *out);
	if (n == 0 || n > TOKEN_INPUT_MAX)
		return BK_ERR_AUTH;
	sq__token_hash(token, h);
	return counter_query(st, "SELECT " COUNTER_COLS " FROM counters "
			     "WHERE token_hash = ?1 AND revoked_ms IS NULL",
			     h, 32, out, BK_ERR_AUTH);
}

static void token_make(char out[SQ_TOKEN_LEN])
{
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop"
				  "qrstuvwxyz0123456789-_";
	unsigned char r[33];
	int o = 0;

	util_random(r, 32);
	r[32] = 0;
	for (int i = 0; i < 33 && o < 43; i += 3) {
		unsigned v = (unsigned)r[i] << 16 |
			     (i + 1 < 33 ? (unsigned)r[i + 1] << 8 : 0) |
			     (i + 2 < 33 ? r[i + 2] : 0);
		for (int k = 18; k >= 0 && o < 43; k -= 6)
			out[o++] = b64[(v >> k) & 63];
	}
	out[43] = '\0';
	util_wipe(r, sizeof r);
}

static int valid_name(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	return n > 0 && n < SQ_NAME_MAX && s[0] != ' ' && s[n - 1] != ' ' &&
	       util_utf8_valid(s, n, 1);
}

bk_err sq_counter_add(struct store *st, const struct config *cfg,
		      const char *name, const char *services,
		      char token[SQ_TOKEN_LEN], struct sq_counter *out,
		      char *why, size_t whylen)
{
	json_t *arr = json_array();
	char *list = NULL, *copy = NULL, *save = NULL;
	unsigned char h[32];
	sqlite3_stmt *q = NULL;
	struct sq_counter old;
	bk_err e = BK_ERR_INVALID;

	token[0] = '\0';
	memset(out, 0, sizeof *out);
	if (!arr)
		return BK_ERR_NOMEM;
	if (!valid_name(name)) {
		snprintf(why, whylen, "a counter name is 1 to %d bytes of "
			 "text, no control characters, no leading or trailing "
			 "space", SQ_NAME_MAX - 1);
		goto out;
	}
	copy = strdup(services ? services : "");
	if (!copy) {
		e = BK_ERR_NOMEM;
		goto out;
	}
	for (char *t = strtok_r(copy, ",", &save); t;
	     t = strtok_r(NULL, ",", &save)) {
		if (!config_service(cfg, t)) {
			snprintf(why, whylen, "'%s' is not a configured "
				 "service (kioskctl services)", t);
			goto out;
		}
		json_array_append_new(arr, json_string(t));
	}
	if (json_array_size(arr) == 0 ||
	    json_array_size(arr) > CONFIG_MAX_SERVICES) {
		snprintf(why, whylen, "--services needs 1 to %d service ids, "
			 "comma separated", CONFIG_MAX_SERVICES);
		goto out;
	}
	list = json_dumps(arr, JSON_COMPACT);
	if (!list) {
		e = BK_ERR_NOMEM;
		goto out;
	}
	if ((e = store__begin(st)))
		goto out;
	e = counter_by_name(st, name, &old);
	if (e == BK_OK) {
		store__rollback(st);
		snprintf(why, whylen, "a counter named '%s' exists (revoke it "
			 "first)", name);
		e = BK_ERR_INVALID;
		goto out;
	}
	if (e != BK_ERR_NOTFOUND) {
		store__rollback(st);
		goto out;
	}
	token_make(token);
	sq__token_hash(token, h);
	util_uuid(out->id);
	if ((e = store__prepare(st, "INSERT INTO counters (id, name, "
				"token_hash, services, created_ms) VALUES "
				"(?1, ?2, ?3, ?4, ?5)", &q))) {
		store__rollback(st);
		goto out;
	}
	sqlite3_bind_text(q, 1, out->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, name, -1, SQLITE_STATIC);
	sqlite3_bind_blob(q, 3, h, 32, SQLITE_STATIC);
	sqlite3_bind_text(q, 4, list, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 5, store_now_ms());
	if (sqlite3_step(q) != SQLITE_DONE) {
		e = store__err(st, sqlite3_errcode(store__db(st)),
			       "add counter");
		store__rollback(st);
		goto out;
	}
	if ((e = store__commit(st)))
		goto out;
	e = sq_counter_get(st, out->id, out);
out:
	if (e)
		util_wipe(token, SQ_TOKEN_LEN);
	sqlite3_finalize(q);
	free(list);
	free(copy);
	json_decref(arr);
	return e;
}

static bk_err exec1(struct store *st, const char *sql, const char *a,
		    int64_t b)
{
	sqlite3_stmt *q;
	bk_err e = store__prepare(st, sql, &q);

	if (e)
		return e;
	sqlite3_bind_text(q, 1, a, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, b);
	if (sqlite3_step(q) != SQLITE_DONE)
		e = store__err(st, sqlite3_errcode(store__db(st)), sql);
	sqlite3_finalize(q);
	return e;
}

bk_err sq_counter_revoke(struct store *st, const char *name)
{
	struct sq_counter c;
	bk_err e;

	if ((e = store__begin(st)))
		return e;
	if ((e = counter_by_name(st, name, &c)))
		goto fail;
	if ((e = exec1(st, "UPDATE counters SET revoked_ms = ?2 WHERE id = ?1",
		       c.id, store_now_ms())))
		goto fail;
	/* its ticket must not stay held by a counter nobody can use */
	if ((e = exec1(st, "UPDATE tickets SET status = 'waiting', "
		       "counter_id = NULL WHERE counter_id = ?1 AND status IN "
		       "('called', 'serving') AND ?2 = ?2", c.id, 0)))
		goto fail;
	return store__commit(st);
fail:
	store__rollback(st);
	return e;
}

bk_err sq_counter_list(struct store *st, struct sq_counter *out, int max,
		       int *n)
{
	sqlite3_stmt *q;
	bk_err e = store__prepare(st, "SELECT " COUNTER_COLS " FROM counters "
				  "ORDER BY revoked_ms IS NOT NULL, name, "
				  "created_ms", &q);
	int rc;

	*n = 0;
	if (e)
		return e;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW && *n < max)
		counter_from_row(q, &out[(*n)++]);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		e = store__err(st, rc, "counters");
	sqlite3_finalize(q);
	return e;
}

/* ---- tickets ---- */

#define TICKET_COLS "t.id, t.number, coalesce(t.queue_service, " \
	"t.service_id), t.kind, t.status, coalesce(t.counter_id, ''), " \
	"t.calls, t.created_ms, coalesce(t.called_ms, 0)"

static void ticket_from_row(sqlite3_stmt *q, struct sq_ticket *t)
{
	memset(t, 0, sizeof *t);
	col(t->id, sizeof t->id, q, 0);
	col(t->number, sizeof t->number, q, 1);
	col(t->service_id, sizeof t->service_id, q, 2);
	col(t->kind, sizeof t->kind, q, 3);
	col(t->status, sizeof t->status, q, 4);
	col(t->counter_id, sizeof t->counter_id, q, 5);
	t->calls = sqlite3_column_int(q, 6);
	t->created_ms = sqlite3_column_int64(q, 7);
	t->called_ms = sqlite3_column_int64(q, 8);
}

/* One ticket by a query with text parameters ?1 (and ?2); *found. */
static bk_err ticket_query(struct store *st, const char *sql, const char *a,
			   const char *b, struct sq_ticket *t, int *found)
{
	sqlite3_stmt *q;
	bk_err e = store__prepare(st, sql, &q);
	int rc;

	*found = 0;
	if (e)
		return e;
	sqlite3_bind_text(q, 1, a, -1, SQLITE_STATIC);
	if (b)
		sqlite3_bind_text(q, 2, b, -1, SQLITE_STATIC);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		ticket_from_row(q, t);
		*found = 1;
	} else if (rc != SQLITE_DONE) {
		e = store__err(st, rc, "ticket");
	}
	sqlite3_finalize(q);
	return e;
}

static bk_err held_ticket(struct store *st, const char *counter_id,
			  struct sq_ticket *t, int *found)
{
	return ticket_query(st, "SELECT " TICKET_COLS " FROM tickets t WHERE "
			    "t.counter_id = ?1 AND t.status IN ('called', "
			    "'serving') ORDER BY t.called_ms DESC LIMIT 1",
			    counter_id, NULL, t, found);
}

static int serves(const struct sq_counter *c, const char *service)
{
	for (int i = 0; i < c->n_services; i++)
		if (!strcmp(c->services[i], service))
			return 1;
	return 0;
}

/* The next ticket for counter c by the call order (sitequeue.h). */
static bk_err pick_next(struct store *st, const struct config *cfg,
			const struct sq_counter *c, int64_t now,
			struct sq_ticket *t, int *found)
{
	static const char sql[] =
		"SELECT " TICKET_COLS ", "
		" CASE WHEN t.to_counter = ?2 THEN 0"
		"  WHEN t.kind = 'appointment' AND a.slot_start_ms IS NOT NULL"
		"   THEN CASE WHEN a.slot_start_ms - ?5 <= ?4 THEN 1 ELSE 4 END"
		"  WHEN t.priority > 0 THEN 2 ELSE 3 END AS class, "
		" CASE WHEN t.to_counter = ?2 THEN coalesce(t.transfer_ms, 0)"
		"  WHEN t.kind = 'appointment' AND a.slot_start_ms IS NOT NULL"
		"   THEN a.slot_start_ms"
		"  ELSE -t.priority END AS k2 "
		"FROM tickets t LEFT JOIN appointments a ON a.ticket_id = t.id "
		"WHERE t.day = ?1 AND t.status = 'waiting' "
		" AND (t.to_counter = ?2 OR (t.to_counter IS NULL AND "
		"  coalesce(t.queue_service, t.service_id) IN "
		"  (SELECT value FROM json_each(?3)))) "
		" AND (t.called_ms IS NULL OR t.called_ms <= ?4 - ?6) "
		"ORDER BY class, k2, t.created_ms, t.rowid LIMIT 1";
	json_t *arr = json_array();
	char *list = NULL, day[11];
	sqlite3_stmt *q = NULL;
	bk_err e;
	int rc;

	*found = 0;
	for (int i = 0; arr && i < c->n_services; i++)
		json_array_append_new(arr, json_string(c->services[i]));
	list = arr ? json_dumps(arr, JSON_COMPACT) : NULL;
	json_decref(arr);
	if (!list)
		return BK_ERR_NOMEM;
	local_day(now, day);
	if ((e = store__prepare(st, sql, &q)))
		goto out;
	sqlite3_bind_text(q, 1, day, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, c->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, list, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 4, now);
	sqlite3_bind_int64(q, 5, (int64_t)cfg->queue_due_before_min * 60000);
	sqlite3_bind_int64(q, 6, (int64_t)cfg->queue_recall_cooldown_s * 1000);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		ticket_from_row(q, t);
		*found = 1;
	} else if (rc != SQLITE_DONE) {
		e = store__err(st, rc, "pick next");
	}
out:
	sqlite3_finalize(q);
	free(list);
	return e;
}

/* The outbox event of a ticket or counter action, serialised once. */
static char *action_event(const struct config *cfg, const char *event_id,
			  const char *type, int64_t now,
			  const struct sq_counter *c, const struct sq_ticket *t,
			  const char *day, const struct sq_request *req)
{
	json_t *data = json_pack("{s:s}", "counter", c->name);

	if (data && t) {
		json_object_set_new(data, "ticket_id", json_string(t->id));
		json_object_set_new(data, "number", json_string(t->number));
		json_object_set_new(data, "service_id",
				    json_string(t->service_id));
		json_object_set_new(data, "day", json_string(day));
		json_object_set_new(data, "calls", json_integer(t->calls));
	}
	if (data && req && req->action == SQ_TRANSFER) {
		if (req->to_service[0])
			json_object_set_new(data, "to_service",
					    json_string(req->to_service));
		else
			json_object_set_new(data, "to_counter",
					    json_string(req->to_counter));
	}
	return outbox__event_body(cfg, event_id, type, now, data);
}

/* An action's transaction: the events it pushed (the last settles an
 * unknown commit outcome) and the site_events it wrote. */
struct tx {
	struct store *st;
	const struct config *cfg;
	const struct sq_counter *c;
	int64_t now;
	char day[11];
	char last_event[37];
	struct sq_result *res;
};

static bk_err push(struct tx *x, const char *type, const struct sq_ticket *t,
		   const struct sq_request *req)
{
	char id[37], *body;
	bk_err e;

	util_uuid(id);
	body = action_event(x->cfg, id, type, x->now, x->c, t, x->day, req);
	if (!body)
		return BK_ERR_NOMEM;
	e = outbox__push(x->st, id, type, body, x->now);
	free(body);
	if (e)
		return e;
	memcpy(x->last_event, id, sizeof id);
	snprintf(x->res->event, sizeof x->res->event, "%s", type);
	return BK_OK;
}

/* A site_events row: kind "call" / "recall" carry the number and the
 * counter's name for the display; "change" only wakes the streams. */
static bk_err journal(struct tx *x, const char *kind, const char *number)
{
	sqlite3_stmt *q;
	bk_err e = store__prepare(x->st, "INSERT INTO site_events (type, day, "
				  "number, counter_name, created_ms) VALUES "
				  "(?1, ?2, ?3, ?4, ?5)", &q);

	if (e)
		return e;
	sqlite3_bind_text(q, 1, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, x->day, -1, SQLITE_STATIC);
	if (number) {
		sqlite3_bind_text(q, 3, number, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 4, x->c->name, -1, SQLITE_STATIC);
	}
	sqlite3_bind_int64(q, 5, x->now);
	if (sqlite3_step(q) != SQLITE_DONE)
		e = store__err(x->st, sqlite3_errcode(store__db(x->st)),
			       "site event");
	else
		x->res->site_event_id =
			sqlite3_last_insert_rowid(store__db(x->st));
	sqlite3_finalize(q);
	return e;
}

/* Sets a ticket's columns by one fixed UPDATE (sql: ?1 ticket id, ?2
 * counter id, ?3 now, ?4 a text argument). */
static bk_err update_ticket(struct tx *x, const char *sql, const char *tid,
			    const char *arg)
{
	sqlite3_stmt *q;
	bk_err e = store__prepare(x->st, sql, &q);

	if (e)
		return e;
	sqlite3_bind_text(q, 1, tid, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, x->c->id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 3, x->now);
	if (arg)
		sqlite3_bind_text(q, 4, arg, -1, SQLITE_STATIC);
	if (sqlite3_step(q) != SQLITE_DONE)
		e = store__err(x->st, sqlite3_errcode(store__db(x->st)),
			       "update ticket");
	sqlite3_finalize(q);
	return e;
}

static bk_err reread(struct tx *x, struct sq_ticket *t)
{
	int found;

	return ticket_query(x->st, "SELECT " TICKET_COLS " FROM tickets t "
			    "WHERE t.id = ?1", t->id, NULL, t, &found);
}

#define SQL_CALL "UPDATE tickets SET status = 'called', counter_id = ?2, " \
	"calls = calls + 1, called_ms = ?3, first_called_ms = " \
	"coalesce(first_called_ms, ?3), to_counter = NULL WHERE id = ?1"
#define SQL_FINISH "UPDATE tickets SET status = 'done', finished_ms = ?3 " \
	"WHERE id = ?1 AND ?2 = ?2"
#define SQL_REQUEUE "UPDATE tickets SET status = 'waiting', counter_id = " \
	"NULL WHERE id = ?1 AND ?2 = ?2 AND ?3 = ?3"

static int conflict(struct sq_result *r, enum sq_outcome o, const char *fmt,
		    ...) __attribute__((format(printf, 3, 4)));

static int conflict(struct sq_result *r, enum sq_outcome o, const char *fmt,
		    ...)
{
	va_list ap;

	r->outcome = o;
	va_start(ap, fmt);
	vsnprintf(r->why, sizeof r->why, fmt, ap);
	va_end(ap);
	return 1;
}

/* The ticket req names or the held one. Fills *t and returns 0 when the
 * counter holds it; else sets the result's conflict and returns 1. */
static int target(struct tx *x, const struct sq_request *req,
		  struct sq_ticket *t, bk_err *e)
{
	int found = 0;

	*e = req->ticket_id[0]
	     ? ticket_query(x->st, "SELECT " TICKET_COLS " FROM tickets t "
			    "WHERE t.id = ?1", req->ticket_id, NULL, t, &found)
	     : held_ticket(x->st, x->c->id, t, &found);
	if (*e)
		return 1;
	if (!found)
		return req->ticket_id[0]
		       ? conflict(x->res, SQ_NOTFOUND, "no ticket %s",
				  req->ticket_id)
		       : conflict(x->res, SQ_CONFLICT, "%s",
				  "this counter holds no ticket");
	if (strcmp(t->counter_id, x->c->id) ||
	    (strcmp(t->status, "called") && strcmp(t->status, "serving"))) {
		struct sq_counter other;

		if ((!strcmp(t->status, "called") ||
		     !strcmp(t->status, "serving")) &&
		    sq_counter_get(x->st, t->counter_id, &other) == BK_OK) {
			x->res->outcome = SQ_CONFLICT;
			snprintf(x->res->why, sizeof x->res->why, "ticket %s "
				 "is held by counter %s", t->number,
				 other.name);
			return 1;
		}
		x->res->outcome = SQ_CONFLICT;
		snprintf(x->res->why, sizeof x->res->why, "ticket %s is %s, "
			 "not held by this counter", t->number, t->status);
		return 1;
	}
	return 0;
}

static bk_err do_next(struct tx *x, struct sq_ticket *t)
{
	struct sq_ticket held;
	int found;
	bk_err e;

	if (x->c->paused) {
		conflict(x->res, SQ_CONFLICT, "%s", "the counter is paused");
		return BK_OK;
	}
	if ((e = held_ticket(x->st, x->c->id, &held, &found)))
		return e;
	if (found && !strcmp(held.status, "serving")) {
		if ((e = update_ticket(x, SQL_FINISH, held.id, NULL)) ||
		    (e = push(x, "ticket.finished", &held, NULL)))
			return e;
	} else if (found) {
		if ((e = update_ticket(x, SQL_REQUEUE, held.id, NULL)) ||
		    (e = push(x, "ticket.requeued", &held, NULL)))
			return e;
	}
	if ((e = pick_next(x->st, x->cfg, x->c, x->now, t, &found)))
		return e;
	if (!found) {
		if (x->last_event[0])
			e = journal(x, "change", NULL);
		return e;
	}
	if ((e = update_ticket(x, SQL_CALL, t->id, NULL)) ||
	    (e = reread(x, t)) ||
	    (e = push(x, "ticket.called", t, NULL)) ||
	    (e = journal(x, "call", t->number)))
		return e;
	x->res->have_ticket = 1;
	return BK_OK;
}

static bk_err do_unpark(struct tx *x, const struct sq_request *req,
			struct sq_ticket *t)
{
	struct sq_ticket held;
	int found;
	bk_err e;

	if (x->c->paused) {
		conflict(x->res, SQ_CONFLICT, "%s", "the counter is paused");
		return BK_OK;
	}
	if ((e = held_ticket(x->st, x->c->id, &held, &found)))
		return e;
	if (found) {
		conflict(x->res, SQ_CONFLICT, "this counter holds ticket %s: "
			 "finish, park or transfer it first", held.number);
		return BK_OK;
	}
	if (!req->ticket_id[0] && !req->number[0]) {
		conflict(x->res, SQ_INVALID, "%s",
			 "unpark needs ticket_id or number");
		return BK_OK;
	}
	e = req->ticket_id[0]
	    ? ticket_query(x->st, "SELECT " TICKET_COLS " FROM tickets t "
			   "WHERE t.id = ?1 AND t.status = 'parked'",
			   req->ticket_id, NULL, t, &found)
	    : ticket_query(x->st, "SELECT " TICKET_COLS " FROM tickets t "
			   "WHERE t.number = ?1 AND t.day = ?2 AND "
			   "t.status = 'parked'", req->number, x->day, t,
			   &found);
	if (e)
		return e;
	if (!found || (!serves(x->c, t->service_id) &&
		       strcmp(t->counter_id, x->c->id))) {
		conflict(x->res, SQ_NOTFOUND, "no parked ticket %s for this "
			 "counter", req->ticket_id[0] ? req->ticket_id
			 : req->number);
		return BK_OK;
	}
	if ((e = update_ticket(x, SQL_CALL, t->id, NULL)) ||
	    (e = reread(x, t)) ||
	    (e = push(x, "ticket.unparked", t, NULL)) ||
	    (e = journal(x, "call", t->number)))
		return e;
	x->res->have_ticket = 1;
	return BK_OK;
}

static bk_err do_transfer(struct tx *x, const struct sq_request *req,
			  struct sq_ticket *t)
{
	struct sq_counter to;
	bk_err e;

	if (req->to_service[0] && !config_service(x->cfg, req->to_service)) {
		conflict(x->res, SQ_NOTFOUND, "no service '%s'",
			 req->to_service);
		return BK_OK;
	}
	if (req->to_counter[0]) {
		e = counter_by_name(x->st, req->to_counter, &to);
		if (e == BK_ERR_NOTFOUND) {
			conflict(x->res, SQ_NOTFOUND, "no counter '%s'",
				 req->to_counter);
			return BK_OK;
		}
		if (e)
			return e;
		if (!strcmp(to.id, x->c->id)) {
			conflict(x->res, SQ_CONFLICT, "%s", "a ticket cannot "
				 "be transferred to its own counter");
			return BK_OK;
		}
		e = update_ticket(x, "UPDATE tickets SET status = 'waiting', "
				  "counter_id = NULL, to_counter = ?4, calls = "
				  "0, called_ms = NULL, transfer_ms = ?3 "
				  "WHERE id = ?1 AND ?2 = ?2", t->id, to.id);
	} else if (req->to_service[0]) {
		e = update_ticket(x, "UPDATE tickets SET status = 'waiting', "
				  "counter_id = NULL, to_counter = NULL, "
				  "queue_service = ?4, calls = 0, called_ms = "
				  "NULL, transfer_ms = ?3 WHERE id = ?1 AND "
				  "?2 = ?2", t->id, req->to_service);
	} else {
		conflict(x->res, SQ_INVALID, "%s",
			 "transfer needs service or counter");
		return BK_OK;
	}
	if (e || (e = push(x, "ticket.transferred", t, req)) ||
	    (e = reread(x, t)))
		return e;
	return journal(x, "change", NULL);
}

/* The actions on the held ticket that need no more than one UPDATE. */
static bk_err do_simple(struct tx *x, const struct sq_request *req,
			struct sq_ticket *t)
{
	const char *sql = NULL, *type = NULL, *kind = "change";
	bk_err e;

	if (target(x, req, t, &e))
		return e;
	switch (req->action) {
	case SQ_RECALL:
		if (strcmp(t->status, "called"))
			return conflict(x->res, SQ_CONFLICT, "ticket %s has "
					"started: it cannot be recalled",
					t->number), BK_OK;
		sql = SQL_CALL;
		type = "ticket.recalled";
		kind = "recall";
		break;
	case SQ_START:
		if (strcmp(t->status, "called"))
			return conflict(x->res, SQ_CONFLICT, "ticket %s has "
					"already started", t->number), BK_OK;
		sql = "UPDATE tickets SET status = 'serving', started_ms = ?3 "
		      "WHERE id = ?1 AND ?2 = ?2";
		type = "ticket.started";
		break;
	case SQ_FINISH:
		sql = SQL_FINISH;
		type = "ticket.finished";
		break;
	case SQ_NOSHOW:
		if (strcmp(t->status, "called"))
			return conflict(x->res, SQ_CONFLICT, "ticket %s has "
					"started: finish it instead",
					t->number), BK_OK;
		if (t->calls < x->cfg->queue_noshow_after_calls) {
			x->res->outcome = SQ_CONFLICT;
			snprintf(x->res->why, sizeof x->res->why, "no-show "
				 "only after %d calls (ticket %s: %d): recall "
				 "it first", x->cfg->queue_noshow_after_calls,
				 t->number, t->calls);
			return BK_OK;
		}
		sql = "UPDATE tickets SET status = 'no_show', finished_ms = ?3 "
		      "WHERE id = ?1 AND ?2 = ?2";
		type = "ticket.no_show";
		break;
	case SQ_PARK:
		sql = "UPDATE tickets SET status = 'parked' WHERE id = ?1 AND "
		      "?2 = ?2 AND ?3 = ?3";
		type = "ticket.parked";
		break;
	case SQ_TRANSFER:
		return do_transfer(x, req, t);
	default:
		return BK_ERR_INVALID;
	}
	if ((e = update_ticket(x, sql, t->id, NULL)) || (e = reread(x, t)) ||
	    (e = push(x, type, t, NULL)))
		return e;
	return journal(x, kind, strcmp(kind, "change") ? t->number : NULL);
}

static bk_err do_pause(struct tx *x, int pause)
{
	bk_err e;

	if (x->c->paused == pause)
		return BK_OK; /* already so: nothing to record */
	if ((e = exec1(x->st, "UPDATE counters SET paused = ?2 WHERE id = ?1",
		       x->c->id, pause)) ||
	    (e = push(x, pause ? "counter.paused" : "counter.resumed", NULL,
		      NULL)))
		return e;
	return journal(x, "change", NULL);
}

bk_err sq_act(struct store *st, const struct config *cfg,
	      const char *counter_id, const struct sq_request *req,
	      int64_t now_ms, struct sq_result *res)
{
	struct sq_counter c;
	struct tx x = { st, cfg, &c, now_ms, "", "", res };
	struct sq_ticket t;
	bk_err e;

	memset(res, 0, sizeof *res);
	local_day(now_ms, x.day);
	if ((e = store__begin(st)))
		return e;
	e = sq_counter_get(st, counter_id, &c);
	if (e == BK_OK && c.revoked_ms) {
		e = BK_ERR_AUTH;
	}
	if (e)
		goto fail;
	switch (req->action) {
	case SQ_NEXT:
		e = do_next(&x, &t);
		break;
	case SQ_UNPARK:
		e = do_unpark(&x, req, &t);
		break;
	case SQ_PAUSE:
	case SQ_RESUME:
		e = do_pause(&x, req->action == SQ_PAUSE);
		break;
	default:
		e = do_simple(&x, req, &t);
		if (!e && res->outcome == SQ_OK)
			res->have_ticket = 1;
		break;
	}
	if (e || res->outcome != SQ_OK || !x.last_event[0])
		goto fail; /* nothing to keep (or an error) */
	if (res->have_ticket)
		res->ticket = t;
	if ((e = outbox__commit(st, x.last_event)))
		return e;
	log_info("sitequeue", "%s: %s%s%s", c.name, res->event,
		 res->have_ticket ? " " : "", res->have_ticket ? t.number : "");
	return BK_OK;
fail:
	store__rollback(st);
	if (!e && res->outcome == SQ_OK && res->have_ticket)
		res->ticket = t;
	if (e)
		res->site_event_id = 0;
	return e;
}

/* ---- reading ---- */

bk_err sq_last_event_id(struct store *st, int64_t *out)
{
	sqlite3_stmt *q;
	bk_err e = store__prepare(st, "SELECT coalesce(max(id), 0) FROM "
				  "site_events", &q);

	*out = 0;
	if (e)
		return e;
	if (sqlite3_step(q) == SQLITE_ROW)
		*out = sqlite3_column_int64(q, 0);
	else
		e = store__err(st, sqlite3_errcode(store__db(st)), "events");
	sqlite3_finalize(q);
	return e;
}

bk_err sq_state(struct store *st, const char *counter_id, int64_t now_ms,
		struct sq_state *out)
{
	char day[11];
	sqlite3_stmt *q = NULL;
	bk_err e;
	int found, rc;

	memset(out, 0, sizeof *out);
	local_day(now_ms, day);
	/* one read transaction: a consistent picture */
	if (sqlite3_exec(store__db(st), "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		return store__err(st, sqlite3_errcode(store__db(st)), "begin");
	if ((e = sq_counter_get(st, counter_id, &out->counter)) ||
	    (e = held_ticket(st, counter_id, &out->ticket, &found)))
		goto out;
	out->have_ticket = found;
	/* one pass over today's waiting tickets for every queue */
	for (int i = 0; i < out->counter.n_services; i++)
		snprintf(out->queues[out->n_queues++].service_id,
			 sizeof out->queues[0].service_id, "%s",
			 out->counter.services[i]);
	if ((e = store__prepare(st, "SELECT coalesce(queue_service, "
				"service_id), count(*) FROM tickets WHERE "
				"day = ?1 AND status = 'waiting' GROUP BY 1",
				&q)))
		goto out;
	sqlite3_bind_text(q, 1, day, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		const char *svc = (const char *)sqlite3_column_text(q, 0);

		for (int i = 0; svc && i < out->n_queues; i++)
			if (!strcmp(out->queues[i].service_id, svc))
				out->queues[i].waiting =
					sqlite3_column_int(q, 1);
	}
	if (rc != SQLITE_DONE) {
		e = store__err(st, rc, "queue length");
		goto out;
	}
	sqlite3_finalize(q);
	if ((e = store__prepare(st, "SELECT " TICKET_COLS " FROM tickets t "
				"WHERE t.day = ?1 AND t.status = 'parked' "
				"ORDER BY t.rowid", &q)))
		goto out;
	sqlite3_bind_text(q, 1, day, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW &&
	       out->n_parked < SQ_MAX_PARKED) {
		struct sq_ticket *p = &out->parked[out->n_parked];

		ticket_from_row(q, p);
		if (serves(&out->counter, p->service_id) ||
		    !strcmp(p->counter_id, counter_id))
			out->n_parked++;
	}
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		e = store__err(st, rc, "parked");
	if (!e)
		e = sq_last_event_id(st, &out->last_event_id);
out:
	sqlite3_finalize(q);
	sqlite3_exec(store__db(st), "COMMIT", NULL, NULL, NULL);
	return e;
}

bk_err sq_calls(struct store *st, int64_t now_ms, int64_t after_id,
		struct sq_call *out, int max, int *n)
{
	char day[11];
	sqlite3_stmt *q;
	bk_err e = store__prepare(st, after_id < 0
		? "SELECT * FROM (SELECT id, number, counter_name, type, "
		  "created_ms FROM site_events WHERE day = ?1 AND type IN "
		  "('call', 'recall') ORDER BY id DESC LIMIT ?3) ORDER BY id"
		: "SELECT id, number, counter_name, type, created_ms FROM "
		  "site_events WHERE day = ?1 AND type IN ('call', 'recall') "
		  "AND id > ?2 ORDER BY id LIMIT ?3", &q);
	int rc;

	*n = 0;
	if (e)
		return e;
	local_day(now_ms, day);
	sqlite3_bind_text(q, 1, day, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, after_id);
	sqlite3_bind_int(q, 3, max);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW && *n < max) {
		struct sq_call *c = &out[(*n)++];
		const char *type = (const char *)sqlite3_column_text(q, 3);

		c->id = sqlite3_column_int64(q, 0);
		col(c->number, sizeof c->number, q, 1);
		col(c->counter, sizeof c->counter, q, 2);
		c->recall = type && !strcmp(type, "recall");
		c->at_ms = sqlite3_column_int64(q, 4);
	}
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		e = store__err(st, rc, "calls");
	sqlite3_finalize(q);
	return e;
}

bk_err sq_purge_events(struct store *st, int64_t now_ms, int *n)
{
	char day[11];
	sqlite3_stmt *q;
	bk_err e = store__prepare(st, "DELETE FROM site_events WHERE day < ?1",
				  &q);

	*n = 0;
	if (e)
		return e;
	local_day(now_ms, day);
	sqlite3_bind_text(q, 1, day, -1, SQLITE_STATIC);
	if (sqlite3_step(q) != SQLITE_DONE)
		e = store__err(st, sqlite3_errcode(store__db(st)), "purge");
	else
		*n = sqlite3_changes(store__db(st));
	sqlite3_finalize(q);
	return e;
}
