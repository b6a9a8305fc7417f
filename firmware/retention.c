/*
 * retention.c — the purge of delivered submissions; see retention.h.
 */
#include "firmware/retention.h"

#include "firmware/log.h"
#include "firmware/store_int.h"
#include "firmware/submission.h"

static bk_err exec(struct store *st, const char *sql, const char *what)
{
	int rc = sqlite3_exec(store__db(st), sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? BK_OK : store__err(st, rc, what);
}

bk_err retention_purge(struct store *st, const struct config *cfg,
		       int64_t now_ms, int *purged)
{
	int64_t cutoff = now_ms - (int64_t)cfg->store_retention_hours *
				  3600 * 1000;
	sqlite3_stmt *q = NULL;
	int n = 0;
	bk_err e;

	if (purged)
		*purged = 0;
	if ((e = exec(st, "PRAGMA secure_delete = ON", "secure_delete")))
		return e;
	if ((e = store__begin(st)))
		return e;
	if ((e = store__prepare(st,
		"DELETE FROM outbox WHERE type = ?1 AND state = 'delivered' "
		"AND delivered_ms <= ?2", &q)))
		goto fail;
	sqlite3_bind_text(q, 1, SUBMISSION_TYPE, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, cutoff);
	if (sqlite3_step(q) != SQLITE_DONE) {
		e = store__err(st, sqlite3_errcode(store__db(st)),
			       "retention purge");
		goto fail;
	}
	n = sqlite3_changes(store__db(st));
	sqlite3_finalize(q);
	q = NULL;
	if ((e = store__commit(st)))
		return e;
	if (n > 0) {
		/* old page images in the WAL go with a truncating
		 * checkpoint; busy readers only postpone it */
		int rc = sqlite3_wal_checkpoint_v2(store__db(st), NULL,
						   SQLITE_CHECKPOINT_TRUNCATE,
						   NULL, NULL);
		if (rc != SQLITE_OK)
			log_info("retention", "WAL checkpoint postponed (%s)",
				 sqlite3_errstr(rc));
		log_info("retention", "deleted %d delivered submission%s", n,
			 n == 1 ? "" : "s");
	}
	if (purged)
		*purged = n;
	return BK_OK;
fail:
	sqlite3_finalize(q);
	store__rollback(st);
	return e;
}
