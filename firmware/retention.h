/*
 * retention.h — deletes delivered personal data from the kiosk.
 *
 * What is deleted, and when (store.retention_hours = H):
 *
 *   | outbox rows                        | deleted                      |
 *   |------------------------------------|------------------------------|
 *   | form.submitted, state delivered    | H = 0: at the next purge     |
 *   |                                    | after acknowledgement;       |
 *   |                                    | H > 0: once delivered_ms is  |
 *   |                                    | H hours old                  |
 *   | form.submitted, pending or dead    | never (not delivered yet; a  |
 *   |                                    | dead one waits for a         |
 *   |                                    | technician, outbox.h)        |
 *   | ticket.issued and other types      | never here: numbers and ids, |
 *   |                                    | no personal data             |
 *
 * The purge runs with PRAGMA secure_delete on, so the freed pages are
 * overwritten, and then truncates the WAL (wal_checkpoint(TRUNCATE)), so
 * the old page images there go too. A checkpoint that readers block is
 * left for the next purge; the deletion itself is committed either way.
 *
 * This module does NOT decide when to run: buergerkioskd calls it after
 * each delivery round that delivered something.
 */
#ifndef BK_RETENTION_H
#define BK_RETENTION_H

#include <stdint.h>

#include "firmware/config.h"
#include "firmware/err.h"
#include "firmware/store.h"

/* Deletes what is due at now_ms under cfg->store_retention_hours;
 * *purged (may be NULL) gets the number of events deleted. */
bk_err retention_purge(struct store *st, const struct config *cfg,
		       int64_t now_ms, int *purged);

#endif
