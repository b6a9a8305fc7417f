/*
 * siteapi.h — the site API of buergerkioskd: HTTP(S) for counters and
 * waiting-room displays, with server-sent events, and the counter page's
 * static files. docs/site-api.md is the contract; sitequeue.h does the
 * work on the store.
 *
 * Properties:
 *  1. It runs on libmicrohttpd's own threads, one per connection; the
 *     caller's thread (the outbox delivery loop) never waits on it. Each
 *     connection opens its own store connection (store.h: one thread per
 *     struct store).
 *  2. Every /api/v1/ path except /api/v1/display/ needs a counter token
 *     (Authorization: Bearer; for GET /api/v1/events also
 *     ?access_token=): missing, wrong or revoked → 401 with a JSON body.
 *  3. Outside input is capped: bodies at SITEAPI_BODY_MAX (413), tokens
 *     at 128 bytes, Last-Event-ID at 20 digits; a body is one JSON object
 *     with known fields only (siteapi_parse_body, fuzzed).
 *  4. An event stream waits on a condition variable woken by every action
 *     of this process and polls the store once a second (tickets issued
 *     by the kiosk process, other daemons); it sends ": keep-alive" after
 *     SITEAPI_KEEPALIVE_MS of silence. siteapi_stop() ends every stream
 *     before it stops the server, so a shutdown never hangs on a client.
 *  5. The display stream carries ticket numbers and counter names only.
 *
 * It does NOT decide the call order or any ticket state (sitequeue.h),
 * and it does not serve directories, hidden files or paths with "..".
 */
#ifndef BK_SITEAPI_H
#define BK_SITEAPI_H

#include <stddef.h>

#include "firmware/config.h"
#include "firmware/err.h"
#include "firmware/sitequeue.h"

#define SITEAPI_BODY_MAX 4096
#define SITEAPI_KEEPALIVE_MS 15000
#define SITEAPI_MAX_CONNECTIONS 256

struct siteapi;

/* Starts the server on cfg->site_api_listen ("HOST:PORT", numeric; port 0
 * picks one). HTTPS when site_api.tls_cert and tls_key are set; plain
 * HTTP on a non-loopback address only with site_api.allow_plain_http.
 * data_dir is where kiosk.db is. BK_ERR_CONFIG with err for a bad
 * setting, BK_ERR_NETWORK when it cannot bind. cfg must outlive it. */
bk_err siteapi_start(const struct config *cfg, const char *data_dir,
		     struct siteapi **out, char *err, size_t errlen);

/* The bound port. */
int siteapi_port(const struct siteapi *api);

/* 1 when it serves HTTPS. */
int siteapi_tls(const struct siteapi *api);

/* Ends the event streams, then stops the server and joins its threads. */
void siteapi_stop(struct siteapi *api);

/* Parses the JSON body of action a (len 0 = {}): fills out->action and
 * the fields the action takes. -1 with why for anything else (not an
 * object, an unknown or wrongly typed field, a too long value). */
int siteapi_parse_body(enum sq_action a, const char *body, size_t len,
		       struct sq_request *out, char *why, size_t whylen);

/* The static directory in use: site_api.static_dir, else assets/counter
 * of the source tree when it exists, else /usr/share/buergerkiosk/counter. */
const char *siteapi_static_dir(const struct config *cfg);

#endif
