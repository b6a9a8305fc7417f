/*
 * pkidemo.h — throwaway certificates for the simulator, the tests and a
 * first look at mutual TLS (`kioskctl pki demo DIR`).
 *
 * In DIR, each pair made only when it is missing (so one call per kiosk
 * adds kiosks under the same CA):
 *
 *   ca.pem, ca.key              a demo CA (P-256, CA:TRUE, 365 days)
 *   server.pem, server.key      the back office: CN localhost, SAN
 *                               DNS:localhost, IP:127.0.0.1, IP:::1,
 *                               serverAuth
 *   KIOSK.pem, KIOSK.key        a kiosk: CN = kiosk.id, clientAuth
 *   openssl.cnf, openssl.log    the extensions used, openssl's messages
 *
 * Keys are created with mode 0600, certificates 0644. The openssl command
 * line does the work; it is started with posix_spawnp and an argument
 * vector (no shell, nothing interpolated into a command string). The pin
 * is computed here: "sha256//" + base64(SHA-256(DER SubjectPublicKeyInfo)),
 * libcurl's CURLOPT_PINNEDPUBLICKEY syntax.
 *
 * This module is NOT a CA for production: no revocation, no protection
 * of the CA key beyond its file mode, fixed lifetimes.
 */
#ifndef BK_PKIDEMO_H
#define BK_PKIDEMO_H

#include <stddef.h>

#include "firmware/config.h"
#include "firmware/err.h"

#define PKIDEMO_PIN_MAX 64 /* "sha256//" + 44 + NUL */

struct pkidemo {
	char dir[CONFIG_PATH_MAX];     /* absolute */
	char ca_cert[CONFIG_PATH_MAX];
	char server_cert[CONFIG_PATH_MAX];
	char server_key[CONFIG_PATH_MAX];
	char client_cert[CONFIG_PATH_MAX];
	char client_key[CONFIG_PATH_MAX];
	char server_pin[PKIDEMO_PIN_MAX];
	int created;                   /* pairs made by this call (0..3) */
};

/* Makes what is missing in dir (created if needed) for kiosk_id (an id
 * as in config.h) and fills out. BK_ERR_CONFIG for a bad id, a half pair
 * (a .pem without its .key or the other way round) or no openssl
 * command; BK_ERR_IO when openssl fails (see DIR/openssl.log). err says
 * which. */
bk_err pkidemo_create(const char *dir, const char *kiosk_id,
		      struct pkidemo *out, char *err, size_t errlen);

/* The public-key pin of the certificate in the PEM file cert_path. */
bk_err pkidemo_pin(const char *cert_path, char out[PKIDEMO_PIN_MAX],
		   char *err, size_t errlen);

#endif
