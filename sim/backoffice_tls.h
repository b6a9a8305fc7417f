/*
 * backoffice_tls.h — HTTPS and client-certificate checks of the reference
 * back office (docs/sync-protocol.md, "Transport security").
 *
 * libmicrohttpd (built on GnuTLS) serves TLS with the server certificate
 * and key, and with the client CA loaded it asks every client for a
 * certificate — but it only ASKS: a client without one, or with one from
 * another CA, still gets its request through. This module is the check
 * the handler must make itself:
 *
 *  1. On the first request of a connection, bo_tls_client() verifies the
 *     peer's certificate through the GnuTLS session: chain to the client
 *     CA, validity dates, signature, key purpose TLS client authentication
 *     (gnutls_certificate_verify_peers with the purpose OID); then takes
 *     the subject CN. The result is kept for the connection's lifetime
 *     (the peer cannot change within a TLS connection: libmicrohttpd does
 *     not renegotiate).
 *  2. No certificate or a failed check → the handler answers 403 before it
 *     reads or stores a body.
 *  3. The CN names the kiosk; the handler compares it with the envelope's
 *     kiosk_id (403 for the whole batch on a mismatch).
 *
 * It also counts connections and requests, so tests can prove that a
 * kiosk that refused the server's key sent nothing.
 *
 * It does NOT check revocation (no CRL or OCSP in the reference back
 * office) and is not used for plain-HTTP daemons except for the counts.
 */
#ifndef BK_BACKOFFICE_TLS_H
#define BK_BACKOFFICE_TLS_H

#include <microhttpd.h>
#include <stddef.h>

#include "firmware/err.h"

#define BO_TLS_CN_MAX 64

struct bo_tls;

/* Reads the PEM files (server certificate, its key, the CA that issues
 * kiosk certificates). All three NULL: plain HTTP (still counting).
 * BK_ERR_CONFIG with a message when only some are given or one cannot
 * be read. */
bk_err bo_tls_create(const char *cert_file, const char *key_file,
		     const char *client_ca_file, struct bo_tls **out,
		     char *err, size_t errlen);
void bo_tls_destroy(struct bo_tls *t);

/* 1 when TLS is on. */
int bo_tls_enabled(const struct bo_tls *t);

/* MHD flags to add (MHD_USE_TLS or 0) and the options to pass with
 * MHD_OPTION_ARRAY; both stay valid until bo_tls_destroy(). */
unsigned bo_tls_flags(const struct bo_tls *t);
struct MHD_OptionItem *bo_tls_options(struct bo_tls *t);

/* Counts one request; for every request's first call. */
void bo_tls_count_request(struct bo_tls *t);

/* The verified client of conn's connection: 0 with its certificate's CN
 * in *cn, or -1 with a reason for a 403 in *why (for the reply; no
 * personal data). On a plain-HTTP daemon always -1. */
int bo_tls_client(struct bo_tls *t, struct MHD_Connection *conn,
		  const char **cn, const char **why);

/* Connections and requests seen so far. */
void bo_tls_counts(const struct bo_tls *t, unsigned long *connections,
		   unsigned long *requests);

#endif
