/*
 * downsync.h — pulls the site's appointments and the service catalogue
 * from the back office into the kiosk's cache (appointments.h), over the
 * same link as the up-sync (bolink.h: TLS, client certificate, pins,
 * plain-HTTP policy). docs/sync-protocol.md, "Down-sync".
 *
 * One call of downsync_run_once() is one pull:
 *
 *   1. GET /v1/appointments?site=S&cursor=C&limit=N with the stored
 *      cursor; each page is applied with its new cursor in one
 *      transaction (appointments_apply_page); repeat while "more" is true,
 *      at most DOWNSYNC_MAX_PAGES pages (res->more says there is more, so
 *      the caller pulls again soon instead of blocking delivery);
 *   2. GET /v1/catalogue?site=S with If-None-Match: the stored ETag;
 *      304 keeps the cache, 200 replaces it whole;
 *   3. records the health component "downsync": ok with what was pulled,
 *      or fault with the error. The cache keeps answering either way.
 *
 * Any failure (network, HTTP status other than 200/304, a reply that
 * breaks the rules) stops the pull where it is: what was applied stays,
 * the cursor says where to go on. Nothing here logs codes or process
 * numbers.
 *
 * This module does NOT loop or sleep (buergerkioskd and kioskctl call it)
 * and does not touch the outbox. One thread at a time per struct.
 */
#ifndef BK_DOWNSYNC_H
#define BK_DOWNSYNC_H

#include <signal.h>

#include "firmware/config.h"
#include "firmware/err.h"
#include "firmware/store.h"

#define DOWNSYNC_MAX_PAGES 20

struct downsync;

struct downsync_result {
	int pages;          /* appointment pages applied */
	int stored;         /* appointments upserted */
	int removed;        /* deleted as past (or another site's) */
	int more;           /* stopped at DOWNSYNC_MAX_PAGES with more to come */
	int catalogue;      /* 1 replaced, 0 not modified (304), -1 not pulled */
	int http_status;    /* last HTTP status, 0 if none */
	bk_err err;         /* BK_OK, or why the pull stopped */
	char error[256];    /* text for err; no personal data */
};

/* BK_ERR_CONFIG when cfg has no back-office URL or site id or breaks the
 * link policy (the message is logged); BK_ERR_NOMEM. cancel as in
 * sync_client_create(). cfg must outlive the struct. */
bk_err downsync_create(const struct config *cfg,
		       volatile sig_atomic_t *cancel, struct downsync **out);
void downsync_destroy(struct downsync *d);

/* One pull as above. BK_OK when it ran (see res->err for network and
 * protocol failures), else the store error that stopped it. */
bk_err downsync_run_once(struct downsync *d, struct store *st,
			 struct downsync_result *res);

#endif
