/*
 * backoffice.h — the reference back office: the server side of the sync
 * protocol (docs/sync-protocol.md) for the simulator, the tests and
 * integrators.
 *
 *   POST /v1/events   ingest a batch; idempotent by event id
 *   GET  /v1/health   {"ok":true}
 *   GET  /            read-only HTML list of received events (technicians)
 *
 * Properties:
 *  1. Events live in DIR/backoffice.db (SQLite, WAL, synchronous=FULL),
 *     one row per event id with the event's bytes exactly as received.
 *     A batch sent twice is held once; an id held with different bytes
 *     is rejected with status 422 (docs/sync-protocol.md).
 *  2. An id is reported "held" only after the transaction that stored it
 *     has committed, so a reply never claims more than the disk holds.
 *  3. Request bodies are capped at SYNCPROTO_MAX_BODY while they arrive.
 *  4. Only loopback addresses are bound unless allow_remote is set.
 *  5. Fault switches for tests: fail_next answers 503 without storing;
 *     drop_replies stores the batch and then closes the connection without
 *     a reply, so the kiosk must retry and the ingest must dedupe.
 *
 *  6. With tls_cert, tls_key and client_ca: HTTPS only, and every request
 *     but GET /v1/health needs a client certificate issued by client_ca,
 *     checked by the handler itself (backoffice_tls.h); a batch whose
 *     kiosk_id is not the certificate's CN is refused whole (403).
 *
 * It is NOT a production back office: no revocation checks, one SQLite
 * connection behind a mutex, libmicrohttpd's internal polling thread.
 */
#ifndef BK_BACKOFFICE_H
#define BK_BACKOFFICE_H

#include <stdio.h>

#include "firmware/err.h"

struct backoffice;

struct backoffice_opts {
	const char *data_dir;     /* created if missing */
	const char *listen;       /* "127.0.0.1:PORT", "[::1]:PORT"; PORT 0 = any */
	int allow_remote;         /* bind non-loopback addresses too */
	int fail_next;            /* answer 503 to this many POSTs */
	int drop_replies;         /* store, then close without reply, this often */
	const char *private_key;  /* PEM: decrypts form submissions, or NULL */
	const char *tls_cert;     /* HTTPS: server certificate (PEM), or NULL */
	const char *tls_key;      /* its key (PEM) */
	const char *client_ca;    /* CA of the kiosks' client certificates */
};

/* Opens the database and starts serving. On error returns BK_ERR_CONFIG
 * (bad or non-loopback address), BK_ERR_NETWORK (cannot bind) or a store
 * error, with a message in err. */
bk_err backoffice_start(const struct backoffice_opts *o,
			struct backoffice **out, char *err, size_t errlen);

/* The TCP port actually bound (useful with port 0). */
int backoffice_port(const struct backoffice *bo);

/* Stops serving (in-flight requests finish), closes the database. */
void backoffice_stop(struct backoffice *bo);

/* Writes the events held in DIR/backoffice.db to f in arrival order: one
 * line each ("RECEIVED_AT KIOSK TYPE NUMBER ID", number "-" if none), or
 * with json a JSON array of objects with id, type, kiosk_id, site_id,
 * number, created_at, received_at and the event itself. */
bk_err backoffice_list(const char *data_dir, int json, FILE *f, char *err,
		       size_t errlen);

/* Writes one held event as JSON with, when it was decrypted, its
 * submission (reference, form_id, plaintext). BK_ERR_NOTFOUND if the id
 * is not held. For tests and technicians with access to the database. */
bk_err backoffice_show(const char *data_dir, const char *id, FILE *f,
		       char *err, size_t errlen);

#endif
