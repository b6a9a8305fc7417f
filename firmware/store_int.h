/*
 * store_int.h — for the modules that own tables in kiosk.db (outbox.c,
 * queue.c). Not for executables or the UI.
 */
#ifndef BK_STORE_INT_H
#define BK_STORE_INT_H

#include <jansson.h>
#include <sqlite3.h>

#include "firmware/store.h"

sqlite3 *store__db(struct store *st);

/* BEGIN IMMEDIATE; maps SQLite codes to bk_err. */
bk_err store__begin(struct store *st);
/* COMMIT. BK_ERR_IO and BK_ERR_FULL here mean the outcome is unknown
 * (property 4): re-read by key. BK_ERR_BUSY means nothing was written. The
 * transaction is rolled back if it is still open. */
bk_err store__commit(struct store *st);
void store__rollback(struct store *st);

/* Maps an SQLite result code (extended or primary) to bk_err and logs the
 * database's message for anything but success. */
bk_err store__err(struct store *st, int rc, const char *what);

/* Prepares sql (cached per connection would come later; statements here
 * are cheap next to an fsync). */
bk_err store__prepare(struct store *st, const char *sql, sqlite3_stmt **out);

/* Counts the rows of table per state: out[i] gets the count of rows whose
 * state is states[i] (n states). table is a fixed name from the caller's
 * code, never input. */
bk_err store__count_states(struct store *st, const char *table,
			   const char *const *states, int64_t *out, int n);

/* Commits a transaction that pushed outbox event event_id. When COMMIT
 * reports an I/O error or a full disk the outcome is unknown (property 4):
 * the event's row decides — BK_OK when it is stored after all. Every state
 * change pushes its event in the same transaction, so this one lookup
 * settles any of them. */
bk_err outbox__commit(struct store *st, const char *event_id);

/* Pushes an outbox event inside the caller's open transaction
 * (outbox.h invariant 3). body is the complete event JSON. */
bk_err outbox__push(struct store *st, const char *id, const char *type,
		    const char *body, int64_t now_ms);

/* The envelope every outbox event shares (docs/sync-protocol.md):
 * {"id","type","kiosk_id","site_id","created_at","data"} in that order,
 * serialised once (outbox.h invariant 2). Takes the reference to data (a
 * JSON object; NULL gives NULL). Returns the malloc'ed body, or NULL when
 * out of memory. */
struct config;
char *outbox__event_body(const struct config *cfg, const char *event_id,
			 const char *type, int64_t created_ms, json_t *data);

#endif
