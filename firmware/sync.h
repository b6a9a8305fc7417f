/*
 * sync.h — the kiosk's sync client: delivers the outbox to the back office
 * (docs/sync-protocol.md).
 *
 * One call of sync_run_once() is one delivery round:
 *
 *   1. load up to sync_batch_size pending events that are due;
 *   2. park (outbox_mark_dead) any whose stored body could not be sent;
 *   3. POST the rest as one request, built from the stored bytes;
 *   4. apply the answer:
 *        200  held → delivered, rejected → dead with the reason,
 *             ids in neither list → deferred (retried after a backoff);
 *        422  the same, for a batch of id conflicts only (an id the back
 *             office holds with a different body): dead, "... (422)";
 *        413  retry at once with the first half of the events; a single
 *             event that is still too large → dead;
 *        anything else (connection refused, timeout, 5xx, other 4xx, a
 *             reply that does not parse) → the whole batch deferred;
 *   5. record the health component "sync" (ok or the last error).
 *
 * Delivery is at-least-once; the back office's ingest is idempotent by
 * event id, so the pair is exactly-once. An event is only marked delivered
 * after the back office named it in "held".
 *
 * This module does NOT loop, sleep or handle signals (buergerkioskd does),
 * and it never logs or records event bodies.
 *
 * The transport is libcurl's multi interface with one easy handle, polled
 * in short slices so that the cancel flag stops a request within about
 * SYNC_POLL_SLICE_MS. TLS settings and the URL policy (https://, or
 * http:// only on loopback) come from bolink.h.
 *
 * A struct sync_client is used by one thread at a time; it keeps the
 * libcurl handles (and the connection) between rounds.
 */
#ifndef BK_SYNC_H
#define BK_SYNC_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "firmware/config.h"
#include "firmware/err.h"
#include "firmware/store.h"

#define SYNC_POLL_SLICE_MS 50

struct sync_client;

struct sync_result {
	int loaded;        /* due events loaded from the outbox (0 = idle) */
	int delivered;     /* marked delivered */
	int dead;          /* parked: rejected, corrupt or too large */
	int deferred;      /* kept pending with a new next attempt */
	int http_status;   /* last HTTP status, 0 when there was none */
	int64_t elapsed_ms;/* time spent in HTTP requests */
	bk_err err;        /* BK_OK, or why the batch was deferred */
	char error[256];   /* text for err; no personal data */
};

/* Checks what sync_client_create() needs from cfg: backoffice.url,
 * kiosk.id, site.id and the link policy of bolink.h. BK_OK, or
 * BK_ERR_CONFIG with a message for the technician in err. */
bk_err sync_check_config(const struct config *cfg, char *err, size_t errlen);

/* Creates a client for cfg (which must outlive it). cancel, if not NULL,
 * is polled during a request: when it becomes non-zero the request is
 * abandoned and its events deferred as due at once. BK_ERR_CONFIG when
 * sync_check_config() refuses cfg, BK_ERR_NOMEM. */
bk_err sync_client_create(const struct config *cfg,
			  volatile sig_atomic_t *cancel,
			  struct sync_client **out);
void sync_client_destroy(struct sync_client *c);

/* One delivery round as described above. Returns BK_OK when the round
 * ran (even if the back office was down: see res->err), or the store
 * error that stopped it. */
bk_err sync_run_once(struct sync_client *c, struct store *st,
		     struct sync_result *res);

/* Delay before the next attempt after `attempts` failed ones (1 = the
 * first failure): full jitter with a floor, a uniform value in
 * [min_ms, min(max_ms, min_ms * 2^(attempts-1))] picked by rnd. */
int64_t sync_backoff_ms(int attempts, int min_ms, int max_ms, uint32_t rnd);

#endif
