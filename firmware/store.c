/*
 * store.c — opens kiosk.db, applies the pragmas and migrations.
 *
 * Schema history (PRAGMA user_version):
 *   0  empty file
 *   1  tickets, outbox, print_jobs, health
 *   2  appointments, catalogue, sync_state (down-sync cache and cursors)
 *   3  index outbox (state, seq): the next batch is read in order without
 *      sorting every pending row (a long outbox drained 30x slower)
 *   4  print_jobs.claimed_ms: a process claims a pending job before it
 *      sends it, so two processes on one kiosk.db never print it twice
 *   5  tickets.kind (walkin | appointment: appointment tickets are called
 *      first) and appointments.holder_key (a keyed hash of the holder's
 *      surname and birth date for check-in by ID document; never a name)
 *   6  the counters' side (sitequeue.h): counters (token hashes), the
 *      tickets' call state (holder, calls, times of call / start /
 *      finish, priority, transfers) and site_events, the journal the
 *      server-sent event streams read
 * A migration is a list of statements run in one BEGIN IMMEDIATE
 * transaction together with the user_version bump, so a crash leaves the
 * file at the old or the new version, never between.
 */
#include "firmware/store.h"
#include "firmware/store_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "firmware/log.h"
#include "firmware/util.h"

struct store {
	sqlite3 *db;
	char path[1024];
};

static const char *const migration_1[] = {
	"CREATE TABLE tickets ("
	" id TEXT PRIMARY KEY,"
	" request_key TEXT NOT NULL UNIQUE,"
	" service_id TEXT NOT NULL,"
	" day TEXT NOT NULL,"
	" seq INTEGER NOT NULL,"
	" number TEXT NOT NULL,"
	" lang TEXT NOT NULL,"
	" status TEXT NOT NULL DEFAULT 'waiting',"
	" created_ms INTEGER NOT NULL,"
	" UNIQUE (service_id, day, seq))",
	"CREATE INDEX tickets_waiting ON tickets (day, status, service_id)",
	"CREATE TABLE outbox ("
	" seq INTEGER PRIMARY KEY AUTOINCREMENT,"
	" id TEXT NOT NULL UNIQUE,"
	" type TEXT NOT NULL,"
	" body TEXT NOT NULL,"
	" state TEXT NOT NULL DEFAULT 'pending'"
	"  CHECK (state IN ('pending', 'delivered', 'dead')),"
	" attempts INTEGER NOT NULL DEFAULT 0,"
	" next_attempt_ms INTEGER NOT NULL DEFAULT 0,"
	" last_error TEXT,"
	" created_ms INTEGER NOT NULL,"
	" delivered_ms INTEGER)",
	"CREATE INDEX outbox_due ON outbox (state, next_attempt_ms, seq)",
	"CREATE TABLE print_jobs ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" ticket_id TEXT NOT NULL REFERENCES tickets (id),"
	" data BLOB NOT NULL,"
	" state TEXT NOT NULL DEFAULT 'pending'"
	"  CHECK (state IN ('pending', 'printed', 'failed')),"
	" attempts INTEGER NOT NULL DEFAULT 0,"
	" last_error TEXT,"
	" created_ms INTEGER NOT NULL,"
	" updated_ms INTEGER NOT NULL)",
	"CREATE TABLE health ("
	" component TEXT PRIMARY KEY,"
	" ok INTEGER NOT NULL,"
	" message TEXT NOT NULL,"
	" updated_ms INTEGER NOT NULL)",
	NULL
};

/* The down-sync cache (docs/sync-protocol.md): today's and future
 * appointments of the site, the service catalogue, and cursors. An
 * appointment carries no name: check-in is by booking code. */
static const char *const migration_2[] = {
	"CREATE TABLE appointments ("
	" id TEXT PRIMARY KEY,"              /* back office's id */
	" process_number TEXT NOT NULL,"     /* printed on the confirmation */
	" booking_code TEXT NOT NULL,"       /* the short code */
	" service_id TEXT NOT NULL,"
	" day TEXT NOT NULL,"                /* local YYYY-MM-DD of the slot */
	" slot_start_ms INTEGER NOT NULL,"
	" slot_minutes INTEGER NOT NULL DEFAULT 15,"
	" status TEXT NOT NULL DEFAULT 'booked'"
	"  CHECK (status IN ('booked', 'cancelled', 'checked_in')),"
	" ticket_id TEXT REFERENCES tickets (id),"
	" updated_ms INTEGER NOT NULL)",
	"CREATE UNIQUE INDEX appointments_code ON appointments "
	" (process_number, booking_code)",
	"CREATE INDEX appointments_day ON appointments (day)",
	"CREATE TABLE catalogue ("
	" service_id TEXT PRIMARY KEY,"
	" letter TEXT NOT NULL,"
	" name TEXT NOT NULL,"
	" names TEXT NOT NULL DEFAULT '{}',"  /* JSON: {"en": "..."} */
	" updated_ms INTEGER NOT NULL)",
	"CREATE TABLE sync_state ("
	" key TEXT PRIMARY KEY,"
	" value TEXT NOT NULL)",
	NULL
};

static const char *const migration_3[] = {
	"CREATE INDEX outbox_order ON outbox (state, seq)",
	NULL
};

static const char *const migration_4[] = {
	"ALTER TABLE print_jobs ADD COLUMN claimed_ms INTEGER NOT NULL "
	"DEFAULT 0",
	NULL
};

/* Check-in (firmware/checkin.h). holder_key is HMAC-SHA256 with the
 * kiosk's holder.key (appointments.h): 32 bytes or NULL when the back
 * office sent no holder. */
static const char *const migration_5[] = {
	"ALTER TABLE tickets ADD COLUMN kind TEXT NOT NULL DEFAULT 'walkin'"
	" CHECK (kind IN ('walkin', 'appointment'))",
	"ALTER TABLE appointments ADD COLUMN holder_key BLOB"
	" CHECK (holder_key IS NULL OR length(holder_key) = 32)",
	"CREATE INDEX appointments_holder ON appointments (day, holder_key)",
	NULL
};

/* Calling tickets (firmware/sitequeue.h). A ticket's holder is
 * counter_id while called / serving / parked; queue_service is the queue
 * it waits in after a transfer (NULL: service_id, which stays the issuing
 * service so (service_id, day, seq) stays unique); to_counter a counter it
 * was transferred to. counters.token_hash is SHA-256 of the token, never
 * the token. site_events: what the SSE streams send (numbers and counter
 * names only). */
static const char *const migration_6[] = {
	"ALTER TABLE tickets ADD COLUMN priority INTEGER NOT NULL DEFAULT 0",
	"ALTER TABLE tickets ADD COLUMN queue_service TEXT",
	"ALTER TABLE tickets ADD COLUMN counter_id TEXT",
	"ALTER TABLE tickets ADD COLUMN to_counter TEXT",
	"ALTER TABLE tickets ADD COLUMN calls INTEGER NOT NULL DEFAULT 0",
	"ALTER TABLE tickets ADD COLUMN called_ms INTEGER",
	"ALTER TABLE tickets ADD COLUMN first_called_ms INTEGER",
	"ALTER TABLE tickets ADD COLUMN started_ms INTEGER",
	"ALTER TABLE tickets ADD COLUMN finished_ms INTEGER",
	"ALTER TABLE tickets ADD COLUMN transfer_ms INTEGER",
	"CREATE INDEX tickets_holder ON tickets (counter_id, status)",
	"CREATE TABLE counters ("
	" id TEXT PRIMARY KEY,"
	" name TEXT NOT NULL,"
	" token_hash BLOB NOT NULL UNIQUE CHECK (length(token_hash) = 32),"
	" services TEXT NOT NULL,"           /* JSON array of service ids */
	" paused INTEGER NOT NULL DEFAULT 0,"
	" created_ms INTEGER NOT NULL,"
	" revoked_ms INTEGER)",
	"CREATE UNIQUE INDEX counters_name ON counters (name) "
	"WHERE revoked_ms IS NULL",
	"CREATE TABLE site_events ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" type TEXT NOT NULL,"               /* call | recall | change */
	" day TEXT NOT NULL,"
	" number TEXT,"
	" counter_name TEXT,"
	" created_ms INTEGER NOT NULL)",
	"CREATE INDEX site_events_day ON site_events (day, type)",
	NULL
};

/* migrations[v] takes the schema from version v to v + 1. */
static const char *const *const migrations[] = {
	migration_1, migration_2, migration_3, migration_4, migration_5,
	migration_6,
};

sqlite3 *store__db(struct store *st)
{
	return st->db;
}

const char *store_path(const struct store *st)
{
	return st->path;
}

bk_err store__err(struct store *st, int rc, const char *what)
{
	bk_err e;

	switch (rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_DONE:
	case SQLITE_ROW:
		return BK_OK;
	case SQLITE_NOMEM:
		e = BK_ERR_NOMEM;
		break;
	case SQLITE_FULL:
		e = BK_ERR_FULL;
		break;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		e = BK_ERR_BUSY;
		break;
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
	case SQLITE_SCHEMA:
		e = BK_ERR_CORRUPT;
		break;
	case SQLITE_CONSTRAINT:
	case SQLITE_MISMATCH:
	case SQLITE_TOOBIG:
	case SQLITE_RANGE:
		e = BK_ERR_INVALID;
		break;
	default:
		e = BK_ERR_IO;
		break;
	}
	log_error("store", "%s: %s (%s)", what,
		  st && st->db ? sqlite3_errmsg(st->db) : sqlite3_errstr(rc),
		  st ? st->path : "");
	return e;
}

bk_err store__prepare(struct store *st, const char *sql, sqlite3_stmt **out)
{
	int rc = sqlite3_prepare_v2(st->db, sql, -1, out, NULL);

	if (rc != SQLITE_OK) {
		*out = NULL;
		return store__err(st, rc, "prepare");
	}
	return BK_OK;
}

bk_err store__begin(struct store *st)
{
	int rc = sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);

	return rc == SQLITE_OK ? BK_OK : store__err(st, rc, "begin");
}

bk_err store__commit(struct store *st)
{
	int rc = sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL);

	if (rc == SQLITE_OK)
		return BK_OK;
	store__err(st, rc, "commit");
	store__rollback(st);
	/* Whatever the code, the caller must re-read by key: report it as
	 * an unknown outcome, except where SQLite is sure nothing changed. */
	switch (rc & 0xff) {
	case SQLITE_BUSY:
		return BK_ERR_BUSY; /* nothing was written */
	case SQLITE_FULL:
		return BK_ERR_FULL; /* outcome unknown too, but say why */
	default:
		return BK_ERR_IO;
	}
}

void store__rollback(struct store *st)
{
	if (!sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
}

static bk_err user_version(struct store *st, int *out)
{
	sqlite3_stmt *q;
	bk_err e = store__prepare(st, "PRAGMA user_version", &q);

	if (e)
		return e;
	if (sqlite3_step(q) == SQLITE_ROW)
		*out = sqlite3_column_int(q, 0);
	else
		e = store__err(st, sqlite3_errcode(st->db), "user_version");
	sqlite3_finalize(q);
	return e;
}

static bk_err migrate(struct store *st, char *err, size_t errlen)
{
	const int target = (int)(sizeof migrations / sizeof migrations[0]);
	int v = 0;
	bk_err e;

	if ((e = user_version(st, &v)))
		goto fail;
	if (v > target) {
		snprintf(err, errlen, "%s: schema version %d is newer than "
			 "this program (%d): install the newer release",
			 st->path, v, target);
		return BK_ERR_CORRUPT;
	}
	for (; v < target; v++) {
		char bump[64];
		int rc, now;

		if ((e = store__begin(st)))
			goto fail;
		/* Another process (kioskctl beside buergerkioskd on a fresh
		 * data dir) may have migrated while this one waited for the
		 * write lock: the version inside the transaction decides. */
		if ((e = user_version(st, &now))) {
			store__rollback(st);
			goto fail;
		}
		if (now != v) {
			store__rollback(st);
			if (now > target)
				return migrate(st, err, errlen);
			v = now - 1;
			continue;
		}
		for (const char *const *sql = migrations[v]; *sql; sql++) {
			rc = sqlite3_exec(st->db, *sql, NULL, NULL, NULL);
			if (rc != SQLITE_OK) {
				e = store__err(st, rc, "migration");
				store__rollback(st);
				goto fail;
			}
		}
		snprintf(bump, sizeof bump, "PRAGMA user_version = %d", v + 1);
		rc = sqlite3_exec(st->db, bump, NULL, NULL, NULL);
		if (rc != SQLITE_OK) {
			e = store__err(st, rc, "migration");
			store__rollback(st);
			goto fail;
		}
		if ((e = store__commit(st)))
			goto fail;
		log_info("store", "migrated %s to schema %d", st->path, v + 1);
	}
	return BK_OK;
fail:
	snprintf(err, errlen, "%s: cannot prepare the database: %s (%s)",
		 st->path, bk_strerror(e), sqlite3_errmsg(st->db));
	return e;
}

bk_err store_open_file(struct store **out, const char *path,
		       int busy_timeout_ms, char *err, size_t errlen)
{
	static const char *const pragmas[] = {
		"PRAGMA journal_mode = WAL",
		"PRAGMA synchronous = FULL",
		"PRAGMA foreign_keys = ON",
		NULL
	};
	struct store *st;
	bk_err e = BK_ERR_IO;
	int rc;

	*out = NULL;
	st = calloc(1, sizeof *st);
	if (!st) {
		snprintf(err, errlen, "out of memory");
		return BK_ERR_NOMEM;
	}
	snprintf(st->path, sizeof st->path, "%s", path);
	rc = sqlite3_open_v2(path, &st->db,
			     SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
			     SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "%s: cannot open: %s", path,
			 st->db ? sqlite3_errmsg(st->db) : sqlite3_errstr(rc));
		e = store__err(st, rc, "open");
		goto fail;
	}
	sqlite3_extended_result_codes(st->db, 1);
	sqlite3_busy_timeout(st->db, busy_timeout_ms);
	for (const char *const *p = pragmas; *p; p++) {
		rc = sqlite3_exec(st->db, *p, NULL, NULL, NULL);
		if (rc != SQLITE_OK) {
			snprintf(err, errlen, "%s: %s: %s", path, *p,
				 sqlite3_errmsg(st->db));
			e = store__err(st, rc, *p);
			goto fail;
		}
	}
	if ((e = migrate(st, err, errlen)))
		goto fail;
	*out = st;
	return BK_OK;
fail:
	store_close(st);
	return e;
}

bk_err store_open(struct store **out, const char *dir, int busy_timeout_ms,
		  char *err, size_t errlen)
{
	char path[1024];

	*out = NULL;
	if (util_mkdir_p(dir) < 0) {
		snprintf(err, errlen, "%s: cannot create the data directory: "
			 "%s", dir, strerror(errno));
		return errno == ENOSPC ? BK_ERR_FULL : BK_ERR_IO;
	}
	if (util_fmt(path, sizeof path, "%s/kiosk.db", dir) < 0) {
		snprintf(err, errlen, "data directory path too long");
		return BK_ERR_INVALID;
	}
	return store_open_file(out, path, busy_timeout_ms, err, errlen);
}

void store_close(struct store *st)
{
	if (!st)
		return;
	sqlite3_close_v2(st->db);
	free(st);
}

int64_t store_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void store_format_time(int64_t ms, char out[32])
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	char base[24];

	gmtime_r(&t, &tm);
	strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out, 32, "%s.%03dZ", base, (int)(ms % 1000));
}

const char *store_health_level_name(int level)
{
	switch (level) {
	case STORE_HEALTH_OK: return "ok";
	case STORE_HEALTH_WARN: return "warn";
	default: return "fault";
	}
}

bk_err store__count_states(struct store *st, const char *table,
			   const char *const *states, int64_t *out, int n)
{
	char sql[128];
	sqlite3_stmt *q;
	bk_err e;
	int rc;

	for (int i = 0; i < n; i++)
		out[i] = 0;
	if (util_fmt(sql, sizeof sql, "SELECT state, count(*) FROM %s "
		     "GROUP BY state", table) < 0)
		return BK_ERR_INVALID;
	if ((e = store__prepare(st, sql, &q)))
		return e;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		const char *s = (const char *)sqlite3_column_text(q, 0);

		for (int i = 0; s && i < n; i++)
			if (!strcmp(s, states[i]))
				out[i] = sqlite3_column_int64(q, 1);
	}
	if (rc != SQLITE_DONE)
		e = store__err(st, rc, table);
	sqlite3_finalize(q);
	return e;
}

bk_err store_health_set(struct store *st, const char *component, int level,
			const char *message)
{
	sqlite3_stmt *q;
	bk_err e = store__prepare(st,
		"INSERT INTO health (component, ok, message, updated_ms) "
		"VALUES (?1, ?2, ?3, ?4) ON CONFLICT (component) DO UPDATE "
		"SET ok = ?2, message = ?3, updated_ms = ?4", &q);

	if (e)
		return e;
	sqlite3_bind_text(q, 1, component, -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 2, level == STORE_HEALTH_OK || level ==
			  STORE_HEALTH_WARN ? level : STORE_HEALTH_FAULT);
	sqlite3_bind_text(q, 3, message ? message : "", -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 4, store_now_ms());
	if (sqlite3_step(q) != SQLITE_DONE)
		e = store__err(st, sqlite3_errcode(st->db), "health");
	sqlite3_finalize(q);
	return e;
}

bk_err store_health_list(struct store *st, struct store_health *out, int max,
			 int *n)
{
	sqlite3_stmt *q;
	bk_err e = store__prepare(st,
		"SELECT component, ok, message, updated_ms FROM health "
		"ORDER BY component", &q);
	int rc;

	*n = 0;
	if (e)
		return e;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW && *n < max) {
		struct store_health *h = &out[(*n)++];
		snprintf(h->component, sizeof h->component, "%s",
			 (const char *)sqlite3_column_text(q, 0));
		h->ok = sqlite3_column_int(q, 1);
		snprintf(h->message, sizeof h->message, "%s",
			 (const char *)sqlite3_column_text(q, 2));
		h->updated_ms = sqlite3_column_int64(q, 3);
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		e = store__err(st, rc, "health");
	sqlite3_finalize(q);
	return e;
}
