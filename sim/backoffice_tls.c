/*
 * backoffice_tls.c — HTTPS and client-certificate checks of the reference
 * back office; see backoffice_tls.h.
 */
#include "sim/backoffice_tls.h"

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "firmware/log.h"
#include "firmware/util.h"

#define PEM_MAX (64 * 1024)
/* TLS 1.2 and 1.3 only, GnuTLS's normal ciphers otherwise. */
#define PRIORITIES "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2"

enum { OPT_MAX = 8 };

struct bo_tls {
	char *cert, *key, *ca;        /* PEM text, NUL-terminated */
	struct MHD_OptionItem opts[OPT_MAX];
	atomic_ulong connections, requests;
};

/* Per connection: the verdict on its client, reached once. */
struct conn_state {
	int checked;
	int ok;
	const char *why;
	char cn[BO_TLS_CN_MAX];
};

static void on_connection(void *cls, struct MHD_Connection *conn,
			  void **socket_context,
			  enum MHD_ConnectionNotificationCode toe)
{
	struct bo_tls *t = cls;

	(void)conn;
	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		atomic_fetch_add(&t->connections, 1);
		*socket_context = calloc(1, sizeof(struct conn_state));
		return; /* NULL on no memory: bo_tls_client() refuses */
	}
	free(*socket_context);
	*socket_context = NULL;
}

static char *read_pem(const char *flag, const char *path, char *err,
		      size_t errlen)
{
	size_t len = 0;
	char *text = util_read_file(path, PEM_MAX, &len);

	if (!text)
		util_seterr(err, errlen, "%s %s: cannot read (or over 64 KiB)", flag,
		       path);
	else if (!strstr(text, "-----BEGIN ")) {
		util_seterr(err, errlen, "%s %s: not a PEM file", flag, path);
		free(text);
		text = NULL;
	}
	return text;
}

bk_err bo_tls_create(const char *cert_file, const char *key_file,
		     const char *client_ca_file, struct bo_tls **out,
		     char *err, size_t errlen)
{
	struct bo_tls *t;
	int given = !!cert_file + !!key_file + !!client_ca_file, n = 0;

	*out = NULL;
	if (given != 0 && given != 3) {
		util_seterr(err, errlen, "--tls-cert, --tls-key and --client-ca go "
		       "together");
		return BK_ERR_CONFIG;
	}
	t = calloc(1, sizeof *t);
	if (!t)
		return BK_ERR_NOMEM;
	atomic_init(&t->connections, 0);
	atomic_init(&t->requests, 0);
	t->opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_NOTIFY_CONNECTION,
		(intptr_t)on_connection, t };
	if (given) {
		if (!(t->cert = read_pem("--tls-cert", cert_file, err, errlen)) ||
		    !(t->key = read_pem("--tls-key", key_file, err, errlen)) ||
		    !(t->ca = read_pem("--client-ca", client_ca_file, err,
				       errlen)))
			goto fail;
		t->opts[n++] = (struct MHD_OptionItem){
			MHD_OPTION_HTTPS_MEM_CERT, 0, t->cert };
		t->opts[n++] = (struct MHD_OptionItem){
			MHD_OPTION_HTTPS_MEM_KEY, 0, t->key };
		/* makes libmicrohttpd request a client certificate and gives
		 * gnutls_certificate_verify_peers() its trust anchor */
		t->opts[n++] = (struct MHD_OptionItem){
			MHD_OPTION_HTTPS_MEM_TRUST, 0, t->ca };
		t->opts[n++] = (struct MHD_OptionItem){
			MHD_OPTION_HTTPS_PRIORITIES, 0, (void *)PRIORITIES };
	}
	t->opts[n] = (struct MHD_OptionItem){ MHD_OPTION_END, 0, NULL };
	*out = t;
	return BK_OK;
fail:
	bo_tls_destroy(t);
	return BK_ERR_CONFIG;
}

void bo_tls_destroy(struct bo_tls *t)
{
	if (!t)
		return;
	if (t->key)
		util_wipe(t->key, strlen(t->key));
	free(t->cert);
	free(t->key);
	free(t->ca);
	free(t);
}

int bo_tls_enabled(const struct bo_tls *t)
{
	return t && t->cert;
}

unsigned bo_tls_flags(const struct bo_tls *t)
{
	return bo_tls_enabled(t) ? MHD_USE_TLS : 0;
}

struct MHD_OptionItem *bo_tls_options(struct bo_tls *t)
{
	return t->opts;
}

void bo_tls_count_request(struct bo_tls *t)
{
	atomic_fetch_add(&t->requests, 1);
}

void bo_tls_counts(const struct bo_tls *t, unsigned long *connections,
		   unsigned long *requests)
{
	*connections = atomic_load(&t->connections);
	*requests = atomic_load(&t->requests);
}

/* The check of backoffice_tls.h, property 1, on a GnuTLS session. */
static void verify(gnutls_session_t s, struct conn_state *cs)
{
	gnutls_typed_vdata_st purpose = {
		.type = GNUTLS_DT_KEY_PURPOSE_OID,
		.data = (unsigned char *)GNUTLS_KP_TLS_WWW_CLIENT,
	};
	const gnutls_datum_t *peers;
	gnutls_x509_crt_t crt = NULL;
	unsigned n = 0, status = 0;
	size_t len = sizeof cs->cn;
	char cn[BO_TLS_CN_MAX];

	cs->ok = 0;
	peers = gnutls_certificate_get_peers(s, &n);
	if (!peers || n == 0) {
		cs->why = "client certificate required";
		return;
	}
	if (gnutls_certificate_verify_peers(s, &purpose, 1, &status) < 0 ||
	    status != 0) {
		gnutls_datum_t txt = { NULL, 0 };

		if (gnutls_certificate_verification_status_print(status,
				GNUTLS_CRT_X509, &txt, 0) == 0) {
			log_warn("backoffice", "client certificate refused: %s",
				 (const char *)txt.data);
			gnutls_free(txt.data);
		}
		cs->why = "client certificate not trusted";
		return;
	}
	cs->why = "client certificate without a usable CN";
	if (gnutls_x509_crt_init(&crt) < 0)
		return;
	if (gnutls_x509_crt_import(crt, &peers[0], GNUTLS_X509_FMT_DER) == 0 &&
	    gnutls_x509_crt_get_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0,
					  0, cn, &len) == 0 &&
	    len > 0 && len < sizeof cn && strlen(cn) == len) {
		memcpy(cs->cn, cn, len + 1);
		cs->ok = 1;
		cs->why = NULL;
	}
	gnutls_x509_crt_deinit(crt);
}

int bo_tls_client(struct bo_tls *t, struct MHD_Connection *conn,
		  const char **cn, const char **why)
{
	const union MHD_ConnectionInfo *ci;
	struct conn_state *cs;

	*cn = NULL;
	*why = "client certificate required (HTTPS only)";
	if (!bo_tls_enabled(t))
		return -1;
	ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	cs = ci ? ci->socket_context : NULL;
	if (!cs) {
		*why = "server out of memory";
		return -1;
	}
	if (!cs->checked) {
		ci = MHD_get_connection_info(conn,
					     MHD_CONNECTION_INFO_GNUTLS_SESSION);
		cs->checked = 1;
		if (ci && ci->tls_session)
			verify((gnutls_session_t)ci->tls_session, cs);
		else
			cs->why = "no TLS session";
	}
	if (!cs->ok) {
		*why = cs->why;
		return -1;
	}
	*cn = cs->cn;
	*why = NULL;
	return 0;
}
