/*
 * siteapi.c — the site API over libmicrohttpd; see siteapi.h and
 * docs/site-api.md.
 *
 * Threads: MHD runs one thread per connection. A connection's first
 * request opens its struct store (conn_state), used by that thread only.
 * An event stream is an MHD callback response whose reader blocks on
 * api->cond (woken by actions, at most a second) — allowed in
 * thread-per-connection mode — and returns END_OF_STREAM once
 * api->stopping is set.
 */
#include "firmware/siteapi.h"

#include <arpa/inet.h>
#include <errno.h>
#include <jansson.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "firmware/log.h"
#include "firmware/store.h"
#include "firmware/util.h"

#define API "/api/v1/"
#define POLL_MS 1000
#define STATIC_MAX (4 * 1024 * 1024)
#define REPLAY_FIRST 10
#define REPLAY_MAX 50

struct siteapi {
	const struct config *cfg;
	char data_dir[CONFIG_PATH_MAX];
	struct MHD_Daemon *httpd;
	char *cert, *key;
	int port, tls;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	/* Actions of this process queue here, not in SQLite's busy handler:
	 * its back-off sleeps (up to 100 ms a try) gave 50 counters calling
	 * at once a p99 of half a second; a mutex hands the write lock on at
	 * once. Other processes (the kiosk) still meet the busy timeout. */
	pthread_mutex_t write_lock;
	unsigned long generation;   /* bumped by every action (under lock) */
	int stopping;
};

/* Per connection (MHD_OPTION_NOTIFY_CONNECTION). */
struct conn_state {
	struct store *st;
};

/* Per request while a POST body arrives. */
struct upload {
	struct buf body;
	int too_large;
};

/* ---- request bodies ---- */

static int copy_field(json_t *v, char *dst, size_t len, const char *name,
		      char *why, size_t whylen)
{
	const char *s = json_string_value(v);

	if (!json_is_string(v) || !s[0] || strlen(s) >= len) {
		util_seterr(why, whylen, "'%s' must be a string of 1 to %zu bytes",
		       name, len - 1);
		return -1;
	}
	memcpy(dst, s, strlen(s) + 1);
	return 0;
}

int siteapi_parse_body(enum sq_action a, const char *body, size_t len,
		       struct sq_request *out, char *why, size_t whylen)
{
	json_error_t jerr;
	json_t *o, *v;
	const char *k;
	int rc = -1;

	memset(out, 0, sizeof *out);
	out->action = a;
	if (len == 0 && a != SQ_TRANSFER)
		return 0;
	if (len == 0) {
		util_seterr(why, whylen, "transfer needs 'service' or 'counter'");
		return -1;
	}
	if (len > SITEAPI_BODY_MAX) {
		util_seterr(why, whylen, "body over %d bytes", SITEAPI_BODY_MAX);
		return -1;
	}
	o = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!o) {
		util_seterr(why, whylen, "malformed JSON at byte %d: %.80s",
		       jerr.position, jerr.text);
		return -1;
	}
	if (!json_is_object(o)) {
		util_seterr(why, whylen, "the body must be a JSON object");
		goto out;
	}
	json_object_foreach(o, k, v) {
		if (!strcmp(k, "ticket_id") && a != SQ_NEXT && a != SQ_PAUSE &&
		    a != SQ_RESUME) {
			if (copy_field(v, out->ticket_id, sizeof out->ticket_id,
				       k, why, whylen) < 0)
				goto out;
		} else if (!strcmp(k, "number") && a == SQ_UNPARK) {
			if (copy_field(v, out->number, sizeof out->number, k,
				       why, whylen) < 0)
				goto out;
		} else if (!strcmp(k, "service") && a == SQ_TRANSFER) {
			if (copy_field(v, out->to_service,
				       sizeof out->to_service, k, why,
				       whylen) < 0)
				goto out;
		} else if (!strcmp(k, "counter") && a == SQ_TRANSFER) {
			if (copy_field(v, out->to_counter,
				       sizeof out->to_counter, k, why,
				       whylen) < 0)
				goto out;
		} else {
			util_seterr(why, whylen, "unknown field '%.40s' for %s", k,
			       sq_action_name(a));
			goto out;
		}
	}
	if (a == SQ_TRANSFER && !out->to_service[0] == !out->to_counter[0]) {
		util_seterr(why, whylen, "transfer needs exactly one of 'service' "
		       "and 'counter'");
		goto out;
	}
	rc = 0;
out:
	json_decref(o);
	return rc;
}

/* ---- replies ---- */

static enum MHD_Result reply_text(struct MHD_Connection *conn,
				  unsigned status, const char *ctype,
				  const char *body, size_t len, int unauth)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(
		len, (void *)body, MHD_RESPMEM_MUST_COPY);
	enum MHD_Result ret;

	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, "Content-Type", ctype);
	MHD_add_response_header(r, "Cache-Control", "no-store");
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	if (unauth)
		MHD_add_response_header(r, "WWW-Authenticate", "Bearer");
	ret = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result reply_json(struct MHD_Connection *conn,
				  unsigned status, json_t *j)
{
	char *s = j ? json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	enum MHD_Result ret;

	json_decref(j);
	if (!s)
		return MHD_NO;
	ret = reply_text(conn, status, "application/json", s, strlen(s), 0);
	free(s);
	return ret;
}

static enum MHD_Result reply_error(struct MHD_Connection *conn,
				   unsigned status, const char *message)
{
	const char *code;
	json_t *j;
	char *s;
	enum MHD_Result ret;

	switch (status) {
	case 400: code = "bad_request"; break;
	case 401: code = "unauthorized"; break;
	case 404: code = "not_found"; break;
	case 405: code = "method_not_allowed"; break;
	case 409: code = "conflict"; break;
	case 413: code = "too_large"; break;
	case 415: code = "unsupported_media_type"; break;
	default: code = "unavailable"; break;
	}
	j = json_pack("{s:s, s:s}", "error", code, "message", message);
	s = j ? json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	json_decref(j);
	if (!s)
		return MHD_NO;
	ret = reply_text(conn, status, "application/json", s, strlen(s),
			 status == 401);
	free(s);
	return ret;
}

static void iso(int64_t ms, char out[32])
{
	store_format_time(ms, out);
}

static json_t *ticket_json(const struct config *cfg, const struct sq_ticket *t)
{
	char issued[32], called[32];

	iso(t->created_ms, issued);
	iso(t->called_ms, called);
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:s, s:s, s:b}",
			 "ticket_id", t->id, "number", t->number,
			 "service_id", t->service_id, "kind", t->kind,
			 "status", t->status, "calls", t->calls,
			 "issued_at", issued, "called_at", called,
			 "no_show_allowed", !strcmp(t->status, "called") &&
			 t->calls >= cfg->queue_noshow_after_calls);
}

static json_t *state_json(const struct config *cfg, const struct sq_state *s)
{
	json_t *svc = json_array(), *queues = json_array(),
	       *parked = json_array();

	for (int i = 0; i < s->counter.n_services; i++)
		json_array_append_new(svc, json_string(s->counter.services[i]));
	for (int i = 0; i < s->n_queues; i++) {
		const struct config_service *c =
			config_service(cfg, s->queues[i].service_id);
		char letter[2] = { c ? c->letter : '?', 0 };

		json_array_append_new(queues, json_pack(
			"{s:s, s:s, s:s, s:i}",
			"service_id", s->queues[i].service_id,
			"letter", letter, "name", c ? c->name : "",
			"waiting", s->queues[i].waiting));
	}
	for (int i = 0; i < s->n_parked; i++)
		json_array_append_new(parked, json_pack(
			"{s:s, s:s, s:s}", "ticket_id", s->parked[i].id,
			"number", s->parked[i].number,
			"service_id", s->parked[i].service_id));
	return json_pack("{s:{s:s, s:o, s:b}, s:o, s:o, s:o, s:i, s:I}",
			 "counter", "name", s->counter.name, "services", svc,
			 "paused", s->counter.paused,
			 "ticket", s->have_ticket ? ticket_json(cfg, &s->ticket)
						  : json_null(),
			 "queues", queues, "parked", parked,
			 "noshow_after_calls", cfg->queue_noshow_after_calls,
			 "last_event_id", (json_int_t)s->last_event_id);
}

/* ---- connection and auth ---- */

static void on_connection(void *cls, struct MHD_Connection *conn,
			  void **socket_context,
			  enum MHD_ConnectionNotificationCode toe)
{
	struct conn_state *cs = *socket_context;

	(void)cls, (void)conn;
	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		*socket_context = calloc(1, sizeof(struct conn_state));
		return;
	}
	if (cs) {
		store_close(cs->st);
		free(cs);
	}
	*socket_context = NULL;
}

static struct store *conn_store(struct siteapi *api,
				struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(
		conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	struct conn_state *cs = ci ? ci->socket_context : NULL;
	char err[CONFIG_ERR_MAX];

	if (!cs)
		return NULL;
	if (!cs->st && store_open(&cs->st, api->data_dir,
				  api->cfg->store_busy_timeout_ms, err,
				  sizeof err) != BK_OK) {
		log_error("siteapi", "%s", err);
		cs->st = NULL;
	}
	return cs->st;
}

/* The token of the request: Bearer header, or ?access_token= when
 * query_ok. NULL when none. */
static const char *request_token(struct MHD_Connection *conn, int query_ok)
{
	const char *h = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
						    "Authorization");

	if (h && !strncasecmp(h, "Bearer ", 7)) {
		h += 7;
		while (*h == ' ')
			h++;
		return h;
	}
	if (query_ok)
		return MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND,
						   "access_token");
	return NULL;
}

static void wake(struct siteapi *api)
{
	pthread_mutex_lock(&api->lock);
	api->generation++;
	pthread_cond_broadcast(&api->cond);
	pthread_mutex_unlock(&api->lock);
}

/* Waits until woken, stopping or ms pass. Returns stopping. */
static int wait_for(struct siteapi *api, unsigned long *seen, int64_t ms)
{
	struct timespec ts;
	int stopping;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&api->lock);
	while (!api->stopping && api->generation == *seen)
		if (pthread_cond_timedwait(&api->cond, &api->lock, &ts) ==
		    ETIMEDOUT)
			break;
	*seen = api->generation;
	stopping = api->stopping;
	pthread_mutex_unlock(&api->lock);
	return stopping;
}

/* ---- server-sent events ---- */

struct stream {
	struct siteapi *api;
	struct store *st;           /* the stream's own connection */
	int display;
	char counter_id[37];
	int64_t after;              /* display: last call id sent */
	char *last_state;           /* counter: last state sent */
	struct buf out;             /* bytes not yet handed to MHD */
	size_t off;
	unsigned long seen;
	int64_t last_write_ms;
	int ended;
};

static void stream_free(void *cls)
{
	struct stream *s = cls;

	store_close(s->st);
	buf_free(&s->out);
	free(s->last_state);
	free(s);
}

static void emit_call(struct stream *s, const struct sq_call *c)
{
	char at[32];
	json_t *j;
	char *text;

	iso(c->at_ms, at);
	j = json_pack("{s:s, s:s, s:b, s:s}", "number", c->number,
		      "counter", c->counter, "recall", c->recall, "at", at);
	text = j ? json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	json_decref(j);
	if (text)
		buf_printf(&s->out, "id: %lld\nevent: call\ndata: %s\n\n",
			   (long long)c->id, text);
	free(text);
	if (c->id > s->after)
		s->after = c->id;
}

/* New output for the stream into s->out; -1 when the stream must end. */
static int stream_poll(struct stream *s)
{
	int64_t now = store_now_ms();

	if (s->display) {
		struct sq_call calls[REPLAY_MAX];
		int n = 0;

		if (sq_calls(s->st, now, s->after, calls, REPLAY_MAX, &n))
			return 0; /* store busy: try again */
		for (int i = 0; i < n; i++)
			emit_call(s, &calls[i]);
		return 0;
	} else {
		struct sq_state *st = malloc(sizeof *st);
		char *text = NULL;
		json_t *j;
		bk_err e;

		if (!st)
			return 0;
		e = sq_state(s->st, s->counter_id, now, st);
		if (e == BK_OK && st->counter.revoked_ms) {
			free(st);
			return -1;
		}
		j = e == BK_OK ? state_json(s->api->cfg, st) : NULL;
		text = j ? json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER)
			 : NULL;
		json_decref(j);
		if (text && (!s->last_state || strcmp(text, s->last_state))) {
			buf_printf(&s->out, "id: %lld\nevent: state\ndata: "
				   "%s\n\n", (long long)st->last_event_id,
				   text);
			free(s->last_state);
			s->last_state = text;
		} else {
			free(text);
		}
		free(st);
		return 0;
	}
}

static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct stream *s = cls;

	(void)pos;
	for (;;) {
		int64_t now, idle;

		if (s->off < s->out.len) {
			size_t n = s->out.len - s->off;

			if (n > max)
				n = max;
			memcpy(buf, s->out.data + s->off, n);
			s->off += n;
			if (s->off == s->out.len) {
				s->out.len = 0;
				s->off = 0;
			}
			s->last_write_ms = util_mono_ms();
			return (ssize_t)n;
		}
		if (s->ended)
			return MHD_CONTENT_READER_END_OF_STREAM;
		if (stream_poll(s) < 0 || s->out.failed) {
			s->ended = 1;
			continue;
		}
		if (s->out.len)
			continue;
		now = util_mono_ms();
		idle = now - s->last_write_ms;
		if (idle >= SITEAPI_KEEPALIVE_MS) {
			buf_append_str(&s->out, ": keep-alive\n\n");
			continue;
		}
		if (wait_for(s->api, &s->seen, SITEAPI_KEEPALIVE_MS - idle <
			     POLL_MS ? SITEAPI_KEEPALIVE_MS - idle : POLL_MS))
			return MHD_CONTENT_READER_END_OF_STREAM;
	}
}

static int64_t last_event_id_header(struct MHD_Connection *conn)
{
	const char *h = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
						    "Last-Event-ID");
	int64_t v = 0;

	if (!h || !*h || strlen(h) > 18)
		return -1;
	for (const char *p = h; *p; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		v = v * 10 + (*p - '0');
	}
	return v;
}

static enum MHD_Result serve_stream(struct siteapi *api,
				    struct MHD_Connection *conn,
				    const char *counter_id)
{
	struct stream *s = calloc(1, sizeof *s);
	struct MHD_Response *r;
	char err[CONFIG_ERR_MAX];
	enum MHD_Result ret;

	if (!s)
		return MHD_NO;
	s->api = api;
	s->display = counter_id == NULL;
	s->out.max = 1 << 20;
	s->last_write_ms = util_mono_ms();
	if (counter_id)
		snprintf(s->counter_id, sizeof s->counter_id, "%s", counter_id);
	if (store_open(&s->st, api->data_dir, api->cfg->store_busy_timeout_ms,
		       err, sizeof err) != BK_OK) {
		free(s);
		return reply_error(conn, 503, "store unavailable");
	}
	pthread_mutex_lock(&api->lock);
	s->seen = api->generation;
	pthread_mutex_unlock(&api->lock);
	buf_append_str(&s->out, "retry: 2000\n\n");
	if (s->display) {
		int64_t last = last_event_id_header(conn);
		struct sq_call calls[REPLAY_MAX];
		int64_t newest = 0;
		int n = 0;

		sq_last_event_id(s->st, &newest);
		if (last >= 0) {
			s->after = last;
		} else {
			if (sq_calls(s->st, store_now_ms(), -1, calls,
				     REPLAY_FIRST, &n) == BK_OK)
				for (int i = 0; i < n; i++)
					emit_call(s, &calls[i]);
			if (newest > s->after)
				s->after = newest;
		}
	}
	r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096,
					      stream_read, s, stream_free);
	if (!r) {
		stream_free(s);
		return MHD_NO;
	}
	MHD_add_response_header(r, "Content-Type",
				"text/event-stream; charset=utf-8");
	MHD_add_response_header(r, "Cache-Control", "no-store");
	MHD_add_response_header(r, "X-Accel-Buffering", "no");
	ret = MHD_queue_response(conn, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return ret;
}

/* ---- counter actions ---- */

/* The counter's state as JSON (NULL on a store error), with "event". */
static json_t *state_of(struct siteapi *api, struct store *st,
			const char *counter_id, const char *event)
{
	struct sq_state *s = malloc(sizeof *s);
	json_t *j = NULL;

	if (s && sq_state(st, counter_id, store_now_ms(), s) == BK_OK)
		j = state_json(api->cfg, s);
	free(s);
	if (j && event)
		json_object_set_new(j, "event", json_string(event));
	return j;
}

static enum MHD_Result serve_state(struct siteapi *api,
				   struct MHD_Connection *conn,
				   struct store *st, const char *counter_id)
{
	json_t *j = state_of(api, st, counter_id, NULL);

	if (!j)
		return reply_error(conn, 503, "state unavailable");
	return reply_json(conn, 200, j);
}

static enum MHD_Result serve_action(struct siteapi *api,
				    struct MHD_Connection *conn,
				    struct store *st,
				    const struct sq_counter *c,
				    enum sq_action a, struct upload *up)
{
	struct sq_request rq;
	struct sq_result res;
	json_t *after = NULL;
	char why[200];
	bk_err e;

	if (up->too_large)
		return reply_error(conn, 413, "body over 4096 bytes");
	if (siteapi_parse_body(a, (const char *)up->body.data, up->body.len,
			       &rq, why, sizeof why) < 0)
		return reply_error(conn, 400, why);
	/* the answer is the state right after this action: read before
	 * another request of this counter acts (the lock) */
	pthread_mutex_lock(&api->write_lock);
	e = sq_act(st, api->cfg, c->id, &rq, store_now_ms(), &res);
	if (!e && res.outcome == SQ_OK)
		after = state_of(api, st, c->id, res.event);
	pthread_mutex_unlock(&api->write_lock);
	if (e == BK_ERR_AUTH)
		return reply_error(conn, 401, "the counter's token was revoked");
	if (e)
		return reply_error(conn, 503, bk_strerror(e));
	switch (res.outcome) {
	case SQ_OK:
		break;
	case SQ_CONFLICT:
		return reply_error(conn, 409, res.why);
	case SQ_NOTFOUND:
		return reply_error(conn, 404, res.why);
	case SQ_INVALID:
		return reply_error(conn, 400, res.why);
	}
	if (res.event[0])
		wake(api);
	if (!after)
		return reply_error(conn, 503, "state unavailable");
	return reply_json(conn, 200, after);
}

/* ---- static files ---- */

const char *siteapi_static_dir(const struct config *cfg)
{
	static const char *src = BK_SOURCE_DIR "/assets/counter";

	if (cfg->site_api_static_dir[0])
		return cfg->site_api_static_dir;
	if (access(src, R_OK) == 0)
		return src;
	return "/usr/share/buergerkiosk/counter";
}

static const char *content_type(const char *name)
{
	static const struct { const char *ext, *type; } types[] = {
		{ ".html", "text/html; charset=utf-8" },
		{ ".js", "text/javascript; charset=utf-8" },
		{ ".css", "text/css; charset=utf-8" },
		{ ".svg", "image/svg+xml" },
		{ ".png", "image/png" },
		{ ".json", "application/json" },
		{ ".wav", "audio/wav" },
		{ ".ico", "image/x-icon" },
	};
	const char *dot = strrchr(name, '.');

	for (size_t i = 0; dot && i < sizeof types / sizeof types[0]; i++)
		if (!strcmp(dot, types[i].ext))
			return types[i].type;
	return NULL;
}

/* One level of plain names: letters, digits, '-', '_', '.', not first. */
static int static_name_ok(const char *n)
{
	size_t len = strlen(n);

	if (len == 0 || len > 64 || n[0] == '.' || strstr(n, ".."))
		return 0;
	for (const char *p = n; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' ||
		      *p == '.'))
			return 0;
	return 1;
}

static enum MHD_Result serve_static(struct siteapi *api,
				    struct MHD_Connection *conn,
				    const char *url, const char *method)
{
	const char *name = !strcmp(url, "/") ? "index.html" : url + 1;
	const char *type;
	char path[CONFIG_PATH_MAX + 80];
	size_t len = 0;
	char *data;
	struct MHD_Response *r;
	enum MHD_Result ret;

	if (strcmp(method, "GET") && strcmp(method, "HEAD"))
		return reply_error(conn, 405, "use GET");
	if (!static_name_ok(name) || !(type = content_type(name)) ||
	    util_fmt(path, sizeof path, "%s/%s", siteapi_static_dir(api->cfg),
		     name) < 0)
		return reply_error(conn, 404, "no such file");
	data = util_read_file(path, STATIC_MAX, &len);
	if (!data)
		return reply_error(conn, 404, "no such file");
	r = MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(data);
		return MHD_NO;
	}
	MHD_add_response_header(r, "Content-Type", type);
	MHD_add_response_header(r, "Cache-Control", "no-store");
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	ret = MHD_queue_response(conn, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return ret;
}

/* ---- routing ---- */

static int json_content(struct MHD_Connection *conn)
{
	const char *ct = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
						     "Content-Type");

	/* text/plain too: a browser's fetch() with a string body sends it
	 * unless the page sets the header */
	return !ct || !strncasecmp(ct, "application/json", 16) ||
	       !strncasecmp(ct, "text/plain", 10);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn,
				  const char *url, const char *method,
				  const char *version, const char *data,
				  size_t *data_size, void **con_cls)
{
	struct siteapi *api = cls;
	struct upload *up = *con_cls;
	const char *path = url + strlen(API);
	struct sq_counter c;
	enum sq_action a;
	struct store *st;
	bk_err e;

	(void)version;
	if (strncmp(url, API, strlen(API)))
		return serve_static(api, conn, url, method);
	if (!up && !strcmp(path, "display/events")) {
		if (strcmp(method, "GET"))
			return reply_error(conn, 405, "use GET");
		return serve_stream(api, conn, NULL);
	}
	if (!up && !strcmp(method, "POST")) {
		/* read the body first, answer at its end */
		up = calloc(1, sizeof *up);
		if (!up)
			return MHD_NO;
		up->body.max = SITEAPI_BODY_MAX;
		*con_cls = up;
		return MHD_YES;
	}
	if (up && *data_size) {
		if (!up->too_large &&
		    buf_append(&up->body, data, *data_size) < 0)
			up->too_large = 1;
		*data_size = 0;
		return MHD_YES;
	}
	st = conn_store(api, conn);
	if (!st)
		return reply_error(conn, 503, "store unavailable");
	e = sq_counter_auth(st, request_token(conn, !strcmp(path, "events")),
			    &c);
	if (e == BK_ERR_AUTH)
		return reply_error(conn, 401, "a valid counter token is "
				   "needed (Authorization: Bearer TOKEN)");
	if (e)
		return reply_error(conn, 503, bk_strerror(e));
	if (!strcmp(path, "state") || !strcmp(path, "events")) {
		if (strcmp(method, "GET"))
			return reply_error(conn, 405, "use GET");
		return !strcmp(path, "state")
		       ? serve_state(api, conn, st, c.id)
		       : serve_stream(api, conn, c.id);
	}
	if (sq_action_parse(path, &a) < 0)
		return reply_error(conn, 404, "no such resource");
	if (!up)
		return reply_error(conn, 405, "use POST");
	if (!json_content(conn))
		return reply_error(conn, 415, "send application/json");
	return serve_action(api, conn, st, &c, a, up);
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

static void on_httpd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[256];
	size_t n;

	(void)cls;
	vsnprintf(msg, sizeof msg, fmt, ap);
	n = strlen(msg);
	while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
		msg[--n] = '\0';
	log_warn("siteapi", "httpd: %s", msg);
}

/* ---- start and stop ---- */

static char *read_pem(const char *key, const char *path, char *err,
		      size_t errlen)
{
	size_t len = 0;
	char *text = util_read_file(path, 64 * 1024, &len);

	if (!text || !strstr(text, "-----BEGIN ")) {
		util_seterr(err, errlen, "site_api.%s %s: cannot read a PEM file",
		       key, path);
		free(text);
		return NULL;
	}
	return text;
}

bk_err siteapi_start(const struct config *cfg, const char *data_dir,
		     struct siteapi **out, char *err, size_t errlen)
{
	struct siteapi *api;
	struct sockaddr_storage ss = { 0 };
	socklen_t sslen = sizeof ss;
	const union MHD_DaemonInfo *info;
	unsigned flags = MHD_USE_THREAD_PER_CONNECTION |
			 MHD_USE_POLL_INTERNAL_THREAD | MHD_USE_ERROR_LOG;
	pthread_condattr_t ca;
	bk_err rc = BK_ERR_CONFIG;

	*out = NULL;
	if (util_parse_listen(cfg->site_api_listen, &ss, NULL) < 0) {
		util_seterr(err, errlen, "site_api.listen %s: want HOST:PORT with a "
		       "numeric address", cfg->site_api_listen);
		return BK_ERR_CONFIG;
	}
	if (!cfg->site_api_tls_cert[0] != !cfg->site_api_tls_key[0]) {
		util_seterr(err, errlen, "site_api.tls_cert and site_api.tls_key "
		       "go together");
		return BK_ERR_CONFIG;
	}
	if (!cfg->site_api_tls_cert[0] && !util_sockaddr_is_loopback((struct sockaddr *)&ss) &&
	    !cfg->site_api_allow_plain_http) {
		util_seterr(err, errlen, "site_api.listen %s: plain HTTP on the LAN "
		       "needs site_api.allow_plain_http = 1 (or set tls_cert "
		       "and tls_key)", cfg->site_api_listen);
		return BK_ERR_CONFIG;
	}
	api = calloc(1, sizeof *api);
	if (!api)
		return BK_ERR_NOMEM;
	api->cfg = cfg;
	snprintf(api->data_dir, sizeof api->data_dir, "%s", data_dir);
	pthread_mutex_init(&api->lock, NULL);
	pthread_mutex_init(&api->write_lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&api->cond, &ca);
	pthread_condattr_destroy(&ca);
	if (cfg->site_api_tls_cert[0]) {
		api->cert = read_pem("tls_cert", cfg->site_api_tls_cert, err,
				     errlen);
		api->key = api->cert ? read_pem("tls_key", cfg->site_api_tls_key,
						err, errlen) : NULL;
		if (!api->key)
			goto fail;
		flags |= MHD_USE_TLS;
		api->tls = 1;
	}
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	api->httpd = api->tls
		? MHD_start_daemon(flags, 0, NULL, NULL, on_request, api,
			MHD_OPTION_EXTERNAL_LOGGER, on_httpd_log, NULL,
			MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
			MHD_OPTION_CONNECTION_LIMIT,
			(unsigned)SITEAPI_MAX_CONNECTIONS,
			MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)60,
			MHD_OPTION_NOTIFY_COMPLETED, on_completed, api,
			MHD_OPTION_NOTIFY_CONNECTION, on_connection, api,
			MHD_OPTION_HTTPS_MEM_CERT, api->cert,
			MHD_OPTION_HTTPS_MEM_KEY, api->key,
			MHD_OPTION_HTTPS_PRIORITIES,
			"NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2",
			MHD_OPTION_END)
		: MHD_start_daemon(flags, 0, NULL, NULL, on_request, api,
			MHD_OPTION_EXTERNAL_LOGGER, on_httpd_log, NULL,
			MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
			MHD_OPTION_CONNECTION_LIMIT,
			(unsigned)SITEAPI_MAX_CONNECTIONS,
			MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)60,
			MHD_OPTION_NOTIFY_COMPLETED, on_completed, api,
			MHD_OPTION_NOTIFY_CONNECTION, on_connection, api,
			MHD_OPTION_END);
	if (!api->httpd) {
		util_seterr(err, errlen, "site_api.listen %s: cannot listen (in use? "
		       "bad certificate or key?)", cfg->site_api_listen);
		rc = BK_ERR_NETWORK;
		goto fail;
	}
	info = MHD_get_daemon_info(api->httpd, MHD_DAEMON_INFO_LISTEN_FD);
	if (!info || getsockname(info->listen_fd, (struct sockaddr *)&ss,
				 &sslen) < 0) {
		util_seterr(err, errlen, "cannot read the bound port");
		rc = BK_ERR_NETWORK;
		goto fail;
	}
	api->port = ntohs(ss.ss_family == AF_INET6
			  ? ((struct sockaddr_in6 *)&ss)->sin6_port
			  : ((struct sockaddr_in *)&ss)->sin_port);
	*out = api;
	return BK_OK;
fail:
	siteapi_stop(api);
	return rc;
}

int siteapi_port(const struct siteapi *api)
{
	return api->port;
}

int siteapi_tls(const struct siteapi *api)
{
	return api->tls;
}

void siteapi_stop(struct siteapi *api)
{
	if (!api)
		return;
	pthread_mutex_lock(&api->lock);
	api->stopping = 1;
	pthread_cond_broadcast(&api->cond);
	pthread_mutex_unlock(&api->lock);
	if (api->httpd)
		MHD_stop_daemon(api->httpd);
	pthread_cond_destroy(&api->cond);
	pthread_mutex_destroy(&api->lock);
	pthread_mutex_destroy(&api->write_lock);
	if (api->key)
		util_wipe(api->key, strlen(api->key));
	free(api->key);
	free(api->cert);
	free(api);
}
