/*
 * sync.c — the kiosk's sync client; see sync.h and docs/sync-protocol.md.
 */
#include "firmware/sync.h"

#include <curl/curl.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "firmware/bolink.h"
#include "firmware/log.h"
#include "firmware/outbox.h"
#include "firmware/syncproto.h"
#include "firmware/util.h"

struct sync_client {
	const struct config *cfg;
	volatile sig_atomic_t *cancel;
	CURLM *multi;
	CURL *curl;            /* one easy handle, added to multi per request */
	struct curl_slist *headers;
	char url[CONFIG_PATH_MAX + 16];
	char errbuf[CURL_ERROR_SIZE];
	struct buf reply;
};

/* What one POST came back with. */
struct post_result {
	int status;             /* HTTP status, 0 if none */
	int64_t retry_after_ms; /* from Retry-After, 0 if none */
	bk_err err;             /* BK_OK when a status was received */
	char error[256];
};

int64_t sync_backoff_ms(int attempts, int min_ms, int max_ms, uint32_t rnd)
{
	int64_t lo = min_ms > 0 ? min_ms : 1;
	int64_t hi = max_ms > 0 ? max_ms : lo;
	int64_t ceiling;

	if (lo > hi)
		lo = hi;
	if (attempts < 1)
		attempts = 1;
	ceiling = lo << (attempts - 1 < 30 ? attempts - 1 : 30);
	if (ceiling > hi || ceiling < lo)
		ceiling = hi;
	return lo + (int64_t)(rnd % (uint64_t)(ceiling - lo + 1));
}

static uint32_t random_u32(void)
{
	uint32_t r = 0;

	while (getrandom(&r, sizeof r, 0) != (ssize_t)sizeof r) {
		if (errno != EINTR)
			abort(); /* no entropy source: nothing sane to do */
	}
	return r;
}

static size_t on_write(char *p, size_t size, size_t n, void *ctx)
{
	struct buf *b = ctx;

	if (buf_append(b, p, size * n) < 0)
		return 0; /* over SYNCPROTO_MAX_REPLY: CURLE_WRITE_ERROR */
	return size * n;
}

bk_err sync_check_config(const struct config *cfg, char *err, size_t errlen)
{
	if (!cfg->backoffice_url[0] || !syncproto_is_id(cfg->kiosk_id) ||
	    !syncproto_is_id(cfg->site_id)) {
		snprintf(err, errlen, "sync needs backoffice.url, kiosk.id and "
			 "site.id");
		return BK_ERR_CONFIG;
	}
	return bolink_check(cfg, err, errlen);
}

bk_err sync_client_create(const struct config *cfg,
			  volatile sig_atomic_t *cancel,
			  struct sync_client **out)
{
	struct sync_client *c;
	size_t ulen = strlen(cfg->backoffice_url);
	long timeout = cfg->sync_timeout_s > 0 ? cfg->sync_timeout_s : 30;
	char why[CONFIG_ERR_MAX];
	bk_err rc;

	*out = NULL;
	rc = sync_check_config(cfg, why, sizeof why);
	if (rc != BK_OK)
		return rc;
	c = calloc(1, sizeof *c);
	if (!c)
		return BK_ERR_NOMEM;
	rc = BK_ERR_NOMEM;
	c->cfg = cfg;
	c->cancel = cancel;
	c->reply.max = SYNCPROTO_MAX_REPLY;
	while (ulen > 0 && cfg->backoffice_url[ulen - 1] == '/')
		ulen--;
	if (util_fmt(c->url, sizeof c->url, "%.*s/v1/events", (int)ulen,
		     cfg->backoffice_url) < 0)
		goto fail;
	c->multi = curl_multi_init();
	c->curl = curl_easy_init();
	if (!c->multi || !c->curl)
		goto fail;
	c->headers = curl_slist_append(NULL, "Content-Type: application/json");
	if (!c->headers)
		goto fail;
	/* no "Expect: 100-continue" round trip before the body */
	if (!curl_slist_append(c->headers, "Expect:"))
		goto fail;
	rc = bolink_setup(c->curl, cfg, why, sizeof why);
	if (rc != BK_OK) {
		log_error("sync", "%s", why);
		goto fail;
	}

	curl_easy_setopt(c->curl, CURLOPT_URL, c->url);
	curl_easy_setopt(c->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, c->headers);
	curl_easy_setopt(c->curl, CURLOPT_USERAGENT, "buergerkioskd/1");
	curl_easy_setopt(c->curl, CURLOPT_ERRORBUFFER, c->errbuf);
	curl_easy_setopt(c->curl, CURLOPT_WRITEFUNCTION, on_write);
	curl_easy_setopt(c->curl, CURLOPT_WRITEDATA, &c->reply);
	curl_easy_setopt(c->curl, CURLOPT_TIMEOUT, timeout);
	curl_easy_setopt(c->curl, CURLOPT_CONNECTTIMEOUT,
			 timeout < 10 ? timeout : 10L);
	curl_easy_setopt(c->curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(c->curl, CURLOPT_LOW_SPEED_TIME,
			 timeout > 1 ? timeout / 2 : 1L);
	*out = c;
	return BK_OK;
fail:
	sync_client_destroy(c);
	return rc;
}

void sync_client_destroy(struct sync_client *c)
{
	if (!c)
		return;
	if (c->curl)
		curl_easy_cleanup(c->curl);
	if (c->multi)
		curl_multi_cleanup(c->multi);
	curl_slist_free_all(c->headers);
	buf_free(&c->reply);
	free(c);
}

/* Runs the transfer set up on c->curl through the multi handle until it
 * is done, or until *c->cancel is set (CURLE_ABORTED_BY_CALLBACK). */
static CURLcode perform(struct sync_client *c)
{
	CURLcode cc = CURLE_FAILED_INIT;
	int running = 1, done = 0;

	if (curl_multi_add_handle(c->multi, c->curl) != CURLM_OK)
		return CURLE_FAILED_INIT;
	while (!done) {
		CURLMsg *m;
		int left;

		if (curl_multi_perform(c->multi, &running) != CURLM_OK)
			break;
		while ((m = curl_multi_info_read(c->multi, &left))) {
			if (m->msg == CURLMSG_DONE && m->easy_handle == c->curl) {
				cc = m->data.result;
				done = 1;
			}
		}
		if (done || !running)
			break;
		if (c->cancel && *c->cancel) {
			cc = CURLE_ABORTED_BY_CALLBACK;
			break;
		}
		if (curl_multi_poll(c->multi, NULL, 0, SYNC_POLL_SLICE_MS,
				    NULL) != CURLM_OK)
			break;
	}
	curl_multi_remove_handle(c->multi, c->curl);
	return cc;
}

/* Printable ASCII of the back office's {"error":"..."} into out, or "". */
static void reply_error_text(const struct buf *reply, char *out, size_t len)
{
	json_t *j = json_loadb((const char *)reply->data, reply->len, 0, NULL);
	const char *e = json_string_value(json_object_get(j, "error"));
	size_t n = 0;

	for (; e && *e && n + 1 < len && n < 120; e++)
		if (*e >= 0x20 && *e < 0x7f)
			out[n++] = *e;
	out[n] = '\0';
	json_decref(j);
}

/* A libcurl failure in words for the technician (health, sync status). */
static void describe_failure(struct sync_client *c, CURLcode cc,
			     struct post_result *pr)
{
	const char *detail = c->errbuf[0] ? c->errbuf : curl_easy_strerror(cc);

	switch (cc) {
	case CURLE_WRITE_ERROR:
		pr->err = BK_ERR_PROTOCOL;
		snprintf(pr->error, sizeof pr->error, "reply too large");
		break;
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
		pr->err = BK_ERR_NETWORK;
		snprintf(pr->error, sizeof pr->error,
			 "back office key does not match the pin");
		break;
	case CURLE_PEER_FAILED_VERIFICATION:
		pr->err = BK_ERR_NETWORK;
		snprintf(pr->error, sizeof pr->error,
			 "back office certificate not trusted: %.180s", detail);
		break;
	case CURLE_SSL_CERTPROBLEM:
		pr->err = BK_ERR_CONFIG;
		snprintf(pr->error, sizeof pr->error,
			 "client certificate unusable: %.180s", detail);
		break;
	case CURLE_ABORTED_BY_CALLBACK:
		pr->err = BK_ERR_NETWORK;
		snprintf(pr->error, sizeof pr->error, "request abandoned "
			 "(stopping)");
		break;
	default:
		pr->err = BK_ERR_NETWORK;
		snprintf(pr->error, sizeof pr->error, "%s", detail);
		break;
	}
}

/* POSTs body; the reply (capped) is left in c->reply. */
static void post(struct sync_client *c, const char *body, size_t len,
		 struct post_result *pr)
{
	CURLcode cc;
	long status = 0;
	curl_off_t retry_after = 0;

	memset(pr, 0, sizeof *pr);
	buf_free(&c->reply);
	c->reply.max = SYNCPROTO_MAX_REPLY;
	c->errbuf[0] = '\0';
	curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	cc = perform(c);
	if (cc != CURLE_OK) {
		describe_failure(c, cc, pr);
		return;
	}
	curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_getinfo(c->curl, CURLINFO_RETRY_AFTER, &retry_after);
	pr->status = (int)status;
	if (retry_after > 0 && retry_after < 86400)
		pr->retry_after_ms = (int64_t)retry_after * 1000;
}

static int id_in(const char *id, char (*ids)[OUTBOX_ID_LEN], int n)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(id, ids[i]))
			return 1;
	return 0;
}

/* Defers ev[0..n) with one backoff for the batch (from its most-tried
 * event), at least min_delay_ms. */
static bk_err defer_events(struct sync_client *c, struct store *st,
			   const struct outbox_event *ev, int n,
			   int64_t min_delay_ms, int due_now,
			   const char *error, struct sync_result *res)
{
	const char **ids;
	int attempts = 0;
	int64_t delay;
	bk_err rc;

	if (n <= 0)
		return BK_OK;
	ids = calloc((size_t)n, sizeof *ids);
	if (!ids)
		return BK_ERR_NOMEM;
	for (int i = 0; i < n; i++) {
		ids[i] = ev[i].id;
		if (ev[i].attempts > attempts)
			attempts = ev[i].attempts;
	}
	delay = sync_backoff_ms(attempts + 1, c->cfg->sync_backoff_min_ms,
				c->cfg->sync_backoff_max_ms, random_u32());
	if (delay < min_delay_ms)
		delay = min_delay_ms;
	if (delay > c->cfg->sync_backoff_max_ms && c->cfg->sync_backoff_max_ms > 0)
		delay = c->cfg->sync_backoff_max_ms;
	if (due_now)
		delay = 0;
	rc = outbox_defer(st, ids, n, store_now_ms() + delay, error);
	if (rc == BK_OK)
		res->deferred += n;
	free(ids);
	return rc;
}

/* Applies a parsed 200 (or 422) reply to ev[0..n). */
static bk_err apply_reply(struct sync_client *c, struct store *st,
			  const struct outbox_event *ev, int n,
			  const struct syncproto_reply *r,
			  struct sync_result *res)
{
	const char **held = calloc((size_t)n, sizeof *held);
	struct outbox_event *rest = calloc((size_t)n, sizeof *rest);
	int n_held = 0, n_rest = 0;
	bk_err rc = BK_ERR_NOMEM;

	if (!held || !rest)
		goto out;
	for (int i = 0; i < n; i++) {
		const char *reason = NULL;
		char marked[SYNCPROTO_REASON_MAX + 16];

		if (id_in(ev[i].id, r->held, r->n_held)) {
			held[n_held++] = ev[i].id;
			continue;
		}
		for (int j = 0; j < r->n_rejected && !reason; j++) {
			if (strcmp(ev[i].id, r->rejected[j].id))
				continue;
			reason = r->rejected[j].reason;
			if (r->rejected[j].status) { /* "... (422)" */
				snprintf(marked, sizeof marked, "%s (%d)",
					 reason, r->rejected[j].status);
				reason = marked;
			}
		}
		if (!reason) {
			rest[n_rest++] = ev[i];
			continue;
		}
		if ((rc = outbox_mark_dead(st, ev[i].id, reason)) != BK_OK)
			goto out;
		log_warn("sync", "event %s (%s) rejected: %s", ev[i].id,
			 ev[i].type, reason);
		res->dead++;
	}
	if (n_held) {
		if ((rc = outbox_mark_delivered(st, held, n_held)) != BK_OK)
			goto out;
		res->delivered += n_held;
	}
	rc = defer_events(c, st, rest, n_rest, 0, 0,
			  "not acknowledged by the back office", res);
	if (n_rest && rc == BK_OK) {
		res->err = BK_ERR_PROTOCOL;
		snprintf(res->error, sizeof res->error,
			 "%d events neither held nor rejected", n_rest);
	}
out:
	free(held);
	free(rest);
	return rc;
}

/* Sends ev[0..n) (all checked), halving on 413. */
static bk_err deliver(struct sync_client *c, struct store *st,
		      struct outbox_event *ev, int n, struct sync_result *res)
{
	const struct config *cfg = c->cfg;
	struct buf req = { .max = SYNCPROTO_MAX_BODY + 1024 };
	struct post_result pr;
	struct syncproto_reply reply = { 0 };
	int send = n, used = 0;
	int64_t t0;
	bk_err rc;

	for (;;) {
		buf_free(&req);
		rc = syncproto_build_request(cfg->kiosk_id, cfg->site_id, ev,
					     send, &req, &used);
		if (rc != BK_OK)
			goto out;
		t0 = util_mono_ms();
		post(c, (const char *)req.data, req.len, &pr);
		res->elapsed_ms += util_mono_ms() - t0;
		res->http_status = pr.status;
		if (pr.status != 413)
			break;
		if (used == 1) {
			rc = outbox_mark_dead(st, ev[0].id,
					      "too large for the back office (413)");
			if (rc == BK_OK)
				res->dead++;
			goto out;
		}
		send = used / 2;
	}

	/* 422: every event is an id held with another body; the reply
	 * names them like a 200 does, and they are parked as dead */
	if (pr.err == BK_OK && (pr.status == 200 || pr.status == 422)) {
		char why[200];
		bk_err pe = syncproto_parse_reply((const char *)c->reply.data,
						  c->reply.len, &reply, why,
						  sizeof why);
		if (pe == BK_OK) {
			rc = apply_reply(c, st, ev, used, &reply, res);
			goto out;
		}
		pr.err = BK_ERR_PROTOCOL;
		snprintf(pr.error, sizeof pr.error, "bad reply: %s", why);
	} else if (pr.err == BK_OK && pr.status == 403) {
		char why[128];

		/* the back office refused this kiosk (client certificate):
		 * its reason helps the technician, and it names no event */
		reply_error_text(&c->reply, why, sizeof why);
		pr.err = BK_ERR_PROTOCOL;
		snprintf(pr.error, sizeof pr.error,
			 "HTTP 403 from the back office%s%s", why[0] ? ": " : "",
			 why);
	} else if (pr.err == BK_OK) {
		pr.err = pr.status >= 500 ? BK_ERR_NETWORK : BK_ERR_PROTOCOL;
		snprintf(pr.error, sizeof pr.error, "HTTP %d from the back office",
			 pr.status);
	}
	res->err = pr.err;
	snprintf(res->error, sizeof res->error, "%s", pr.error);
	rc = defer_events(c, st, ev, used, pr.retry_after_ms,
			  c->cancel && *c->cancel, pr.error, res);
out:
	syncproto_reply_free(&reply);
	buf_free(&req);
	return rc;
}

static void record_health(struct store *st, const struct sync_result *res)
{
	char msg[256];
	int ok = res->err == BK_OK;

	if (ok)
		snprintf(msg, sizeof msg, "delivered %d, dead %d",
			 res->delivered, res->dead);
	else
		snprintf(msg, sizeof msg, "%s", res->error);
	if (store_health_set(st, "sync", ok, msg) != BK_OK)
		log_warn("sync", "could not record health");
}

bk_err sync_run_once(struct sync_client *c, struct store *st,
		     struct sync_result *res)
{
	struct outbox_batch b = { 0 };
	struct outbox_event *good = NULL;
	int n_good = 0;
	bk_err rc;

	memset(res, 0, sizeof *res);
	rc = outbox_next_batch(st, c->cfg->sync_batch_size, store_now_ms(), &b);
	if (rc != BK_OK || b.n == 0)
		goto out;
	res->loaded = b.n;
	good = calloc((size_t)b.n, sizeof *good);
	if (!good) {
		rc = BK_ERR_NOMEM;
		goto out;
	}
	for (int i = 0; i < b.n; i++) {
		char why[200];

		if (syncproto_check_body(b.ev[i].body, b.ev[i].id, why,
					 sizeof why) == BK_OK) {
			good[n_good++] = b.ev[i];
			continue;
		}
		if ((rc = outbox_mark_dead(st, b.ev[i].id, why)) != BK_OK)
			goto out;
		log_warn("sync", "event %s parked: %s", b.ev[i].id, why);
		res->dead++;
	}
	if (n_good)
		rc = deliver(c, st, good, n_good, res);
	if (rc == BK_OK)
		record_health(st, res);
out:
	free(good);
	outbox_batch_free(&b);
	return rc;
}
