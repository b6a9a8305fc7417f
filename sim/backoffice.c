/*
 * backoffice.c — the reference back office; see backoffice.h and
 * docs/sync-protocol.md.
 */
#include "sim/backoffice.h"
#include "sim/backoffice_appts.h"

#include <arpa/inet.h>
#include <jansson.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "firmware/jwe.h"
#include "firmware/log.h"
#include "firmware/store.h"
#include "firmware/syncproto.h"
#include "firmware/util.h"
#include "sim/backoffice_forms.h"
#include "sim/backoffice_tls.h"

struct backoffice {
	struct MHD_Daemon *httpd;
	struct bo_tls *tls;         /* HTTPS, client checks, request counts */
	sqlite3 *db;
	json_t *jwk;                /* --private-key: opens submissions */
	pthread_mutex_t lock;       /* db and the fault counters */
	int fail_next, drop_replies;
	int port;
};

/* Per-request state while a POST body arrives. */
struct upload {
	struct buf body;
	int too_large;
};

/* Event types this back office takes; others are rejected for good.
 * Grows with the kiosk's event types (docs/sync-protocol.md). */
static const char *const known_types[] = {
	"ticket.issued",
	"form.submitted",
	"appointment.checked_in",
	/* the counters' actions and daily statistics (docs/site-api.md) */
	"ticket.called", "ticket.recalled", "ticket.started",
	"ticket.finished", "ticket.no_show", "ticket.transferred",
	"ticket.parked", "ticket.unparked", "ticket.requeued",
	"counter.paused", "counter.resumed", "stats.daily",
	NULL,
};

static const char schema[] =
	"PRAGMA journal_mode=WAL;"
	"PRAGMA synchronous=FULL;"
	"CREATE TABLE IF NOT EXISTS events ("
	" id TEXT PRIMARY KEY,"
	" kiosk_id TEXT NOT NULL,"
	" site_id TEXT NOT NULL,"
	" type TEXT NOT NULL,"
	" number TEXT NOT NULL,"
	" created_at TEXT NOT NULL,"
	" received_at TEXT NOT NULL,"
	" raw TEXT NOT NULL);";

static void err_set(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void err_set(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static int db_path(const char *dir, char *out, size_t len)
{
	return util_fmt(out, len, "%s/backoffice.db", dir);
}

static int type_known(const char *type)
{
	for (int i = 0; known_types[i]; i++)
		if (!strcmp(type, known_types[i]))
			return 1;
	return 0;
}

/* ---- ingest -------------------------------------------------------- */

/* Stores one acceptable event, or finds it held. Sets *reason when the
 * id is already held with a different body (*status 422: another kiosk's
 * event, or this kiosk's changed bytes) or when a submission does not
 * open (bo_forms_open). A new form.submitted is decrypted first, with a
 * private key, and its plaintext stored beside it. */
static int store_event(struct backoffice *bo,
		       const struct syncproto_request *rq,
		       const struct syncproto_event *e, const char *now,
		       const char **reason, int *status)
{
	static const char ins[] =
		"INSERT INTO events (id, kiosk_id, site_id, type,"
		" number, created_at, received_at, raw)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
	sqlite3 *db = bo->db;
	sqlite3_stmt *s = NULL;
	struct bo_form form = { 0 };
	int is_form = !strcmp(e->type, "form.submitted");
	int rc = -1, step;

	*reason = NULL;
	*status = 0;
	if (sqlite3_prepare_v2(db, "SELECT kiosk_id, raw FROM events"
			       " WHERE id = ?1", -1, &s, NULL) != SQLITE_OK)
		goto out;
	sqlite3_bind_text(s, 1, e->id, -1, SQLITE_STATIC);
	step = sqlite3_step(s);
	if (step == SQLITE_ROW) {
		const void *raw = sqlite3_column_blob(s, 1);
		size_t len = (size_t)sqlite3_column_bytes(s, 1);

		/* idempotent: the same bytes are the original answer */
		if (strcmp((const char *)sqlite3_column_text(s, 0),
			   e->kiosk_id)) {
			*reason = "id already held for another kiosk";
			*status = 422;
		} else if (len != e->raw_len || memcmp(raw, e->raw, len)) {
			*reason = "id already held with a different body";
			*status = 422;
		}
		rc = 0;
		goto out;
	}
	if (step != SQLITE_DONE)
		goto out;
	sqlite3_finalize(s);
	s = NULL;
	if (is_form && bo_forms_open(bo->jwk, e, &form, reason) < 0) {
		rc = 0; /* rejected: stays dead-lettered on the kiosk */
		goto out;
	}
	if (sqlite3_prepare_v2(db, ins, -1, &s, NULL) != SQLITE_OK)
		goto out;
	sqlite3_bind_text(s, 1, e->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, e->kiosk_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, rq->site_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, e->type, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, e->number, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 6, e->created_at, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 7, now, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 8, e->raw, (int)e->raw_len, SQLITE_STATIC);
	if (sqlite3_step(s) != SQLITE_DONE)
		goto out;
	if (is_form && bo_forms_store(db, e, &form, now) < 0)
		goto out;
	rc = 0;
out:
	bo_form_free(&form);
	sqlite3_finalize(s);
	return rc;
}

static void add_rejected(struct syncproto_reply *r, const char *id,
			 const char *reason)
{
	struct syncproto_rejected *x = &r->rejected[r->n_rejected++];

	memcpy(x->id, id, OUTBOX_ID_LEN);
	snprintf(x->reason, sizeof x->reason, "%s", reason);
}

/* An id held once and rejected once (sent twice in one batch) is held. */
static void drop_held_from_rejected(struct syncproto_reply *r)
{
	int k = 0;

	for (int i = 0; i < r->n_rejected; i++) {
		int held = 0;
		for (int j = 0; j < r->n_held && !held; j++)
			held = !strcmp(r->rejected[i].id, r->held[j]);
		if (!held)
			r->rejected[k++] = r->rejected[i];
	}
	r->n_rejected = k;
}

/* Stores the acceptable events of rq in one transaction and fills r. */
static int ingest(struct backoffice *bo, const struct syncproto_request *rq,
		  struct syncproto_reply *r)
{
	char now[32];

	store_format_time(store_now_ms(), now);
	if (sqlite3_exec(bo->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return -1;
	for (int i = 0; i < rq->n; i++) {
		const struct syncproto_event *e = &rq->ev[i];
		const char *reason = NULL;
		int status = 0;

		if (e->reject[0]) {
			add_rejected(r, e->id, e->reject);
			continue;
		}
		if (!type_known(e->type)) {
			add_rejected(r, e->id, "unknown event type");
			continue;
		}
		if (store_event(bo, rq, e, now, &reason, &status) < 0)
			goto fail;
		if (reason) {
			add_rejected(r, e->id, reason);
			r->rejected[r->n_rejected - 1].status = status;
		}
		else
			memcpy(r->held[r->n_held++], e->id, OUTBOX_ID_LEN);
	}
	if (sqlite3_exec(bo->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		goto fail;
	drop_held_from_rejected(r);
	return 0;
fail:
	log_error("backoffice", "storing a batch failed: %s",
		  sqlite3_errmsg(bo->db));
	sqlite3_exec(bo->db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

/* ---- HTTP ---------------------------------------------------------- */

/* A batch whose every event is an id conflict is answered 422 (with the
 * usual reply body), so that it also shows as such in HTTP logs. */
static int only_conflicts(const struct syncproto_reply *r)
{
	if (r->n_held || !r->n_rejected)
		return 0;
	for (int i = 0; i < r->n_rejected; i++)
		if (r->rejected[i].status != 422)
			return 0;
	return 1;
}

/* GET / : the technicians' read-only page (backoffice_forms.h). */
static enum MHD_Result serve_page(struct backoffice *bo,
				  struct MHD_Connection *conn,
				  const char *method)
{
	struct MHD_Response *resp;
	struct buf page = { .max = (size_t)8 << 20 };
	enum MHD_Result ret;
	bk_err rc;

	if (strcmp(method, "GET") && strcmp(method, "HEAD")) {
		static const char use_get[] = "{\"error\":\"use GET\"}";
		resp = MHD_create_response_from_buffer(sizeof use_get - 1,
			(void *)use_get, MHD_RESPMEM_PERSISTENT);
		if (!resp)
			return MHD_NO;
		MHD_add_response_header(resp, "Content-Type",
					"application/json");
		ret = MHD_queue_response(conn, MHD_HTTP_METHOD_NOT_ALLOWED,
					 resp);
		MHD_destroy_response(resp);
		return ret;
	}
	pthread_mutex_lock(&bo->lock);
	rc = bo_forms_page(bo->db, &page);
	pthread_mutex_unlock(&bo->lock);
	if (rc != BK_OK) {
		buf_free(&page);
		return MHD_NO;
	}
	resp = MHD_create_response_from_buffer(page.len, page.data,
					       MHD_RESPMEM_MUST_COPY);
	buf_free(&page);
	if (!resp)
		return MHD_NO;
	MHD_add_response_header(resp, "Content-Type",
				"text/html; charset=utf-8");
	MHD_add_response_header(resp, "Content-Security-Policy",
				"default-src 'none'; style-src 'unsafe-inline'");
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	ret = MHD_queue_response(conn, MHD_HTTP_OK, resp);
	MHD_destroy_response(resp);
	return ret;
}

static enum MHD_Result reply(struct MHD_Connection *conn, unsigned status,
			     const char *body)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer(
		strlen(body), (void *)body, MHD_RESPMEM_MUST_COPY);
	enum MHD_Result ret;

	if (!resp)
		return MHD_NO;
	MHD_add_response_header(resp, "Content-Type", "application/json");
	ret = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static enum MHD_Result reply_error(struct MHD_Connection *conn,
				   unsigned status, const char *why)
{
	json_t *o = json_pack("{s:s}", "error", why);
	char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;
	enum MHD_Result ret = reply(conn, status,
				    text ? text : "{\"error\":\"?\"}");

	free(text);
	json_decref(o);
	return ret;
}

static int content_is_json(struct MHD_Connection *conn)
{
	const char *ct = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
						     "Content-Type");
	size_t n = strlen("application/json");

	return ct && !strncasecmp(ct, "application/json", n) &&
	       (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

/* With TLS: a request's first call. Answers 403 (and returns 1) when the
 * client has no verified certificate; every resource but /v1/health
 * needs one. Nothing of the body has been read at this point. */
static int refuse_client(struct backoffice *bo, struct MHD_Connection *conn,
			 const char *url, enum MHD_Result *ret)
{
	const char *cn, *why;

	bo_tls_count_request(bo->tls);
	if (!bo_tls_enabled(bo->tls) || !strcmp(url, "/v1/health") ||
	    bo_tls_client(bo->tls, conn, &cn, &why) == 0)
		return 0;
	log_warn("backoffice", "403: %s", why); /* url: client's bytes */
	*ret = reply_error(conn, MHD_HTTP_FORBIDDEN, why);
	return 1;
}

/* The kiosk may only speak for itself: with TLS, the envelope's kiosk_id
 * must be its certificate's CN. */
static int kiosk_matches_certificate(struct backoffice *bo,
				     struct MHD_Connection *conn,
				     const char *kiosk_id)
{
	const char *cn, *why;

	if (!bo_tls_enabled(bo->tls))
		return 1;
	if (bo_tls_client(bo->tls, conn, &cn, &why) == 0 &&
	    !strcmp(cn, kiosk_id))
		return 1;
	log_warn("backoffice", "403: batch for kiosk %s from certificate %s",
		 kiosk_id, !cn ? "(none)" : syncproto_is_id(cn) ? cn
		 : "(CN not an id)");
	return 0;
}

/* A whole POST /v1/events body has arrived. */
static enum MHD_Result handle_events(struct backoffice *bo,
				     struct MHD_Connection *conn,
				     struct upload *up)
{
	struct syncproto_request rq = { 0 };
	struct syncproto_reply r = { 0 };
	struct buf out = { 0 };
	char why[200] = "";
	int fail = 0, drop = 0;
	enum MHD_Result ret = MHD_NO;
	bk_err rc;

	if (up->too_large)
		return reply_error(conn, MHD_HTTP_CONTENT_TOO_LARGE,
				   "request body over 4 MiB");
	if (!content_is_json(conn))
		return reply_error(conn, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE,
				   "Content-Type must be application/json");
	pthread_mutex_lock(&bo->lock);
	if (bo->fail_next > 0) {
		bo->fail_next--;
		fail = 1;
	}
	pthread_mutex_unlock(&bo->lock);
	if (fail) {
		log_info("backoffice", "fault switch: 503 without storing");
		return reply_error(conn, MHD_HTTP_SERVICE_UNAVAILABLE,
				   "unavailable (fault switch)");
	}

	rc = syncproto_parse_request((const char *)up->body.data, up->body.len,
				     &rq, why, sizeof why);
	if (rc == BK_ERR_TOOLARGE) {
		ret = reply_error(conn, MHD_HTTP_CONTENT_TOO_LARGE, why);
		goto out;
	}
	if (rc != BK_OK) {
		log_warn("backoffice", "bad batch: %s", why);
		ret = reply_error(conn, MHD_HTTP_BAD_REQUEST, why);
		goto out;
	}
	if (!kiosk_matches_certificate(bo, conn, rq.kiosk_id)) {
		ret = reply_error(conn, MHD_HTTP_FORBIDDEN,
				  "kiosk_id does not match the client "
				  "certificate");
		goto out;
	}
	r.held = calloc((size_t)rq.n + 1, sizeof *r.held);
	r.rejected = calloc((size_t)rq.n + 1, sizeof *r.rejected);
	if (!r.held || !r.rejected) {
		ret = reply_error(conn, MHD_HTTP_SERVICE_UNAVAILABLE, "memory");
		goto out;
	}

	pthread_mutex_lock(&bo->lock);
	if (ingest(bo, &rq, &r) < 0) {
		pthread_mutex_unlock(&bo->lock);
		ret = reply_error(conn, MHD_HTTP_SERVICE_UNAVAILABLE,
				  "storage failed, try again");
		goto out;
	}
	if (bo->drop_replies > 0) {
		bo->drop_replies--;
		drop = 1;
	}
	pthread_mutex_unlock(&bo->lock);
	log_info("backoffice", "batch from %s: %d events, held %d, "
		 "rejected %d%s", rq.kiosk_id, rq.n, r.n_held, r.n_rejected,
		 drop ? " (fault switch: reply dropped)" : "");
	if (drop)
		goto out; /* MHD_NO: close the connection without a reply */
	if (syncproto_build_reply(&r, &out) != BK_OK) {
		ret = reply_error(conn, MHD_HTTP_SERVICE_UNAVAILABLE, "memory");
		goto out;
	}
	ret = reply(conn, only_conflicts(&r) ? 422 : MHD_HTTP_OK,
		    (const char *)out.data);
out:
	buf_free(&out);
	syncproto_reply_free(&r);
	syncproto_request_free(&rq);
	return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn,
				  const char *url, const char *method,
				  const char *version, const char *data,
				  size_t *data_size, void **con_cls)
{
	struct backoffice *bo = cls;
	struct upload *up = *con_cls;
	int is_events = !strcmp(url, "/v1/events");

	(void)version;
	if (!up) {
		enum MHD_Result refused;

		if (refuse_client(bo, conn, url, &refused))
			return refused;
	}
	if (!up && !strcmp(url, "/"))
		return serve_page(bo, conn, method);
	if (!up && !strcmp(url, "/v1/health")) {
		if (strcmp(method, "GET") && strcmp(method, "HEAD"))
			return reply_error(conn, MHD_HTTP_METHOD_NOT_ALLOWED,
					   "use GET");
		return reply(conn, MHD_HTTP_OK, "{\"ok\":true}");
	}
	if (!up && backoffice_appts_route(url))
		return backoffice_appts_handle(bo->db, &bo->lock, conn, url,
					       method);
	if (!up && !is_events)
		return reply_error(conn, MHD_HTTP_NOT_FOUND, "no such resource");
	if (!up && strcmp(method, "POST"))
		return reply_error(conn, MHD_HTTP_METHOD_NOT_ALLOWED,
				   "use POST");
	if (!up) {
		up = calloc(1, sizeof *up);
		if (!up)
			return MHD_NO;
		up->body.max = SYNCPROTO_MAX_BODY;
		*con_cls = up;
		return MHD_YES;
	}
	if (*data_size) {
		if (!up->too_large && buf_append(&up->body, data, *data_size) < 0)
			up->too_large = 1; /* keep reading, answer 413 at the end */
		*data_size = 0;
		return MHD_YES;
	}
	return handle_events(bo, conn, up);
}

static void on_completed(void *cls, struct MHD_Connection *conn,
			 void **con_cls, enum MHD_RequestTerminationCode toe)
{
	struct upload *up = *con_cls;

	(void)cls, (void)conn, (void)toe;
	if (!up)
		return;
	buf_free(&up->body);
	free(up);
	*con_cls = NULL;
}

/* libmicrohttpd's messages in our log format. */
static void on_httpd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[256];
	size_t n;

	(void)cls;
	vsnprintf(msg, sizeof msg, fmt, ap);
	n = strlen(msg);
	while (n && msg[n - 1] == '\n')
		msg[--n] = '\0';
	log_warn("httpd", "%s", msg);
}

/* ---- start, stop, list --------------------------------------------- */

static bk_err open_db(const char *dir, int readonly, sqlite3 **out, char *err,
		      size_t errlen)
{
	char path[CONFIG_PATH_MAX + 32];
	int flags = readonly ? SQLITE_OPEN_READONLY
			     : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;

	*out = NULL;
	if (db_path(dir, path, sizeof path) < 0) {
		err_set(err, errlen, "%s: path too long", dir);
		return BK_ERR_INVALID;
	}
	if (!readonly && util_mkdir_p(dir) < 0) {
		err_set(err, errlen, "%s: cannot create", dir);
		return BK_ERR_IO;
	}
	if (sqlite3_open_v2(path, out, flags, NULL) != SQLITE_OK) {
		err_set(err, errlen, "%s: %s", path,
			*out ? sqlite3_errmsg(*out) : "cannot open");
		goto fail;
	}
	sqlite3_busy_timeout(*out, 5000);
	if (!readonly && (sqlite3_exec(*out, schema, NULL, NULL, NULL) !=
			  SQLITE_OK || bo_forms_schema(*out) < 0)) {
		err_set(err, errlen, "%s: %s", path, sqlite3_errmsg(*out));
		goto fail;
	}
	return BK_OK;
fail:
	sqlite3_close(*out);
	*out = NULL;
	return BK_ERR_IO;
}

bk_err backoffice_start(const struct backoffice_opts *o,
			struct backoffice **out, char *err, size_t errlen)
{
	struct backoffice *bo;
	struct sockaddr_storage ss;
	socklen_t sslen = 0;
	const union MHD_DaemonInfo *info;
	unsigned flags = MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ERROR_LOG;
	bk_err rc;

	*out = NULL;
	if (util_parse_listen(o->listen, &ss, &sslen) < 0) {
		err_set(err, errlen, "--listen %s: want HOST:PORT with a numeric "
			"address", o->listen);
		return BK_ERR_CONFIG;
	}
	if (!o->allow_remote && !util_sockaddr_is_loopback((struct sockaddr *)&ss)) {
		err_set(err, errlen, "--listen %s: not a loopback address "
			"(use --allow-remote)", o->listen);
		return BK_ERR_CONFIG;
	}
	bo = calloc(1, sizeof *bo);
	if (!bo)
		return BK_ERR_NOMEM;
	pthread_mutex_init(&bo->lock, NULL);
	rc = bo_tls_create(o->tls_cert, o->tls_key, o->client_ca, &bo->tls, err,
			   errlen);
	if (rc != BK_OK)
		goto fail;
	flags |= bo_tls_flags(bo->tls);
	bo->fail_next = o->fail_next;
	bo->drop_replies = o->drop_replies;
	rc = open_db(o->data_dir, 0, &bo->db, err, errlen);
	if (rc != BK_OK)
		goto fail;
	if (o->private_key &&
	    (rc = jwe_key_load(o->private_key, 1, &bo->jwk, err, errlen)))
		goto fail;
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	bo->httpd = MHD_start_daemon(flags, 0, NULL, NULL, on_request, bo,
		MHD_OPTION_EXTERNAL_LOGGER, on_httpd_log, NULL, /* first */
		MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned)64,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30,
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, bo,
		MHD_OPTION_ARRAY, bo_tls_options(bo->tls),
		MHD_OPTION_END);
	if (!bo->httpd) {
		err_set(err, errlen, "--listen %s: cannot bind", o->listen);
		rc = BK_ERR_NETWORK;
		goto fail;
	}
	info = MHD_get_daemon_info(bo->httpd, MHD_DAEMON_INFO_LISTEN_FD);
	sslen = sizeof ss;
	if (!info || getsockname(info->listen_fd, (struct sockaddr *)&ss,
				 &sslen) < 0) {
		err_set(err, errlen, "cannot read the bound port");
		rc = BK_ERR_NETWORK;
		goto fail;
	}
	bo->port = ntohs(ss.ss_family == AF_INET6
			 ? ((struct sockaddr_in6 *)&ss)->sin6_port
			 : ((struct sockaddr_in *)&ss)->sin_port);
	*out = bo;
	return BK_OK;
fail:
	backoffice_stop(bo);
	return rc;
}

int backoffice_port(const struct backoffice *bo)
{
	return bo->port;
}

void backoffice_stop(struct backoffice *bo)
{
	if (!bo)
		return;
	if (bo->httpd)
		MHD_stop_daemon(bo->httpd);
	if (bo->tls) {
		unsigned long nc, nr;

		bo_tls_counts(bo->tls, &nc, &nr);
		log_info("backoffice", "served %lu requests on %lu connections",
			 nr, nc);
		bo_tls_destroy(bo->tls);
	}
	sqlite3_close(bo->db);
	json_decref(bo->jwk);
	pthread_mutex_destroy(&bo->lock);
	free(bo);
}

static const char *col(sqlite3_stmt *s, int i)
{
	const char *t = (const char *)sqlite3_column_text(s, i);

	return t ? t : "";
}

bk_err backoffice_list(const char *data_dir, int json, FILE *f, char *err,
		       size_t errlen)
{
	static const char q[] =
		"SELECT id, type, kiosk_id, site_id, number, created_at,"
		" received_at, raw FROM events ORDER BY rowid";
	sqlite3 *db = NULL;
	sqlite3_stmt *s = NULL;
	json_t *arr = NULL;
	bk_err rc;
	int step;

	rc = open_db(data_dir, 1, &db, err, errlen);
	if (rc != BK_OK)
		return rc;
	rc = BK_ERR_IO;
	if (sqlite3_prepare_v2(db, q, -1, &s, NULL) != SQLITE_OK) {
		err_set(err, errlen, "%s", sqlite3_errmsg(db));
		goto out;
	}
	if (json && !(arr = json_array())) {
		rc = BK_ERR_NOMEM;
		goto out;
	}
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		if (!json) {
			fprintf(f, "%s %s %s %s %s\n", col(s, 6), col(s, 2),
				col(s, 1), col(s, 4)[0] ? col(s, 4) : "-",
				col(s, 0));
			continue;
		}
		json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o*}",
			"id", col(s, 0), "type", col(s, 1), "kiosk_id", col(s, 2),
			"site_id", col(s, 3), "number", col(s, 4),
			"created_at", col(s, 5), "received_at", col(s, 6),
			"event", json_loads(col(s, 7), 0, NULL));
		if (!o || json_array_append_new(arr, o) < 0) {
			rc = BK_ERR_NOMEM;
			goto out;
		}
	}
	if (step != SQLITE_DONE) {
		err_set(err, errlen, "%s", sqlite3_errmsg(db));
		goto out;
	}
	if (json) {
		if (json_dumpf(arr, f, JSON_INDENT(1) | JSON_PRESERVE_ORDER) < 0)
			goto out;
		fputc('\n', f);
	}
	rc = BK_OK;
out:
	json_decref(arr);
	sqlite3_finalize(s);
	sqlite3_close(db);
	return rc;
}

bk_err backoffice_show(const char *data_dir, const char *id, FILE *f,
		       char *err, size_t errlen)
{
	sqlite3 *db = NULL;
	bk_err rc = open_db(data_dir, 1, &db, err, errlen);

	if (rc != BK_OK)
		return rc;
	rc = bo_forms_show(db, id, f);
	if (rc == BK_ERR_NOTFOUND)
		err_set(err, errlen, "no event %s held", id);
	else if (rc != BK_OK)
		err_set(err, errlen, "%s", sqlite3_errmsg(db));
	sqlite3_close(db);
	return rc;
}
