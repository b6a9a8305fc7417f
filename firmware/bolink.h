/*
 * bolink.h — the link to the back office: which URLs the kiosk may use and
 * the TLS settings of a libcurl handle that talks to it
 * (docs/sync-protocol.md, "Transport security").
 *
 * Policy, checked before any connection is made:
 *  1. https:// always; the server certificate is verified against
 *     backoffice.ca_file (or the system CAs) and its host name, TLS 1.2 at
 *     least.
 *  2. http:// only to a loopback host (127.0.0.0/8, ::1, "localhost" in
 *     any case) or with backoffice.allow_plain_http = 1. The host is taken
 *     from the URL by libcurl's own parser, so it is the host libcurl
 *     would connect to; "127.0.0.1.nip.io" is a name, not loopback.
 *  3. backoffice.pins: one or two "sha256//BASE64" pins of the server's
 *     public key (the second for key rotation), separated by spaces;
 *     libcurl checks them during the handshake, before a request byte.
 *  4. backoffice.client_cert and client_key come as a pair; every file
 *     named must be readable when the client is created.
 *  5. Pins, a CA file or a client certificate with an http:// URL are a
 *     configuration error: they would suggest protection that is not there.
 *
 * This module does NOT open connections, read certificates or know the
 * sync protocol; it only checks configuration and sets curl options.
 */
#ifndef BK_BOLINK_H
#define BK_BOLINK_H

#include <curl/curl.h>
#include <stddef.h>

#include "firmware/config.h"
#include "firmware/err.h"

#define BOLINK_MAX_PINS 2
#define BOLINK_PINS_MAX 128 /* "sha256//<44>;sha256//<44>" + NUL */

/* 1 when host (as in a URL: "127.0.0.1", "[::1]", "localhost") is a
 * loopback address; names other than "localhost" never are. */
int bolink_host_is_loopback(const char *host);

/* Checks cfg's [backoffice] keys against the policy above. BK_OK, or
 * BK_ERR_CONFIG with a message naming the key in err. */
bk_err bolink_check(const struct config *cfg, char *err, size_t errlen);

/* backoffice.pins in libcurl's syntax ("sha256//A;sha256//B") into out;
 * "" when none. BK_ERR_CONFIG when a pin is malformed or there are more
 * than BOLINK_MAX_PINS. */
bk_err bolink_pins(const char *pins, char out[BOLINK_PINS_MAX], char *err,
		   size_t errlen);

/* Sets the TLS and protocol options of h for cfg (which bolink_check
 * accepted): verification, TLS 1.2 minimum, CA file, client certificate,
 * pins. BK_ERR_CONFIG if libcurl refuses an option (e.g. a TLS backend
 * without pinning). */
bk_err bolink_setup(CURL *h, const struct config *cfg, char *err,
		    size_t errlen);

#endif
