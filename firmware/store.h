/*
 * store.h — the kiosk's SQLite file (kiosk.db) and its schema.
 *
 * Properties (see docs/architecture.md):
 *  1. WAL journal, synchronous=FULL, a busy timeout; every write
 *     transaction starts with BEGIN IMMEDIATE, so a writer never meets
 *     SQLITE_BUSY half-way through.
 *  2. The schema version lives in PRAGMA user_version; store_open() runs
 *     the forward migrations in order inside one transaction each.
 *  3. A state change and the outbox event that reports it commit in the
 *     same transaction (queue.c, outbox.c).
 *  4. An I/O error at COMMIT means the outcome is unknown: callers re-read
 *     by key (tickets by request key, events by id); nothing is re-created
 *     under a new key.
 *
 * The store does NOT talk to the network or to devices, and it does not
 * hold personal data in this version (tickets carry numbers only).
 *
 * A struct store is used by one thread at a time; threads open their own.
 */
#ifndef BK_STORE_H
#define BK_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "firmware/err.h"

struct store;

#define STORE_SCHEMA_VERSION 6

/* Opens (creating if needed) DIR/kiosk.db, creating DIR too.
 * busy_timeout_ms: how long a writer waits for another. */
bk_err store_open(struct store **out, const char *dir, int busy_timeout_ms,
		  char *err, size_t errlen);

/* Opens a database file by its full path (tests, tools). */
bk_err store_open_file(struct store **out, const char *path,
		       int busy_timeout_ms, char *err, size_t errlen);

void store_close(struct store *st);

/* The database's path (for messages). */
const char *store_path(const struct store *st);

/* Milliseconds since the Unix epoch, and "YYYY-MM-DDTHH:MM:SS.mmmZ". */
int64_t store_now_ms(void);
void store_format_time(int64_t ms, char out[32]);

/* A health record: one row per component ("printer", "sync"), so that
 * kioskctl and the maintenance view show the last state of each. A warning
 * (paper near end) is for technicians only; a fault stops the component. */
enum store_health_level {
	STORE_HEALTH_FAULT = 0,
	STORE_HEALTH_OK = 1,
	STORE_HEALTH_WARN = 2,
};
const char *store_health_level_name(int level); /* "fault", "ok", "warn" */

struct store_health {
	char component[32];
	int ok;                    /* enum store_health_level */
	char message[256];
	int64_t updated_ms;
};
bk_err store_health_set(struct store *st, const char *component, int level,
			const char *message);
/* Fills up to max records, returns the count in *n. */
bk_err store_health_list(struct store *st, struct store_health *out, int max,
			 int *n);

#endif
