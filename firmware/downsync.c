/*
 * downsync.c — pulling appointments and the catalogue; see downsync.h.
 */
#include "firmware/downsync.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "firmware/appointments.h"
#include "firmware/bolink.h"
#include "firmware/downsync_proto.h"
#include "firmware/log.h"
#include "firmware/syncproto.h"
#include "firmware/util.h"

#define POLL_SLICE_MS 50

struct downsync {
	const struct config *cfg;
	volatile sig_atomic_t *cancel;
	CURLM *multi;
	CURL *curl;
	char base[CONFIG_PATH_MAX];
	char errbuf[CURL_ERROR_SIZE];
	struct buf reply;
	char etag[APPOINTMENTS_ETAG_MAX];   /* from the last reply, "" if none */
	int etag_bad;                       /* an ETag too long or not text */
};

/* What one GET came back with. */
struct get_result {
	int status;
	bk_err err;
	char error[256];
};

static size_t on_write(char *p, size_t size, size_t n, void *ctx)
{
	struct buf *b = ctx;

	if (buf_append(b, p, size * n) < 0)
		return 0; /* over the cap: CURLE_WRITE_ERROR */
	return size * n;
}

/* Keeps the ETag header of the reply (printable ASCII, capped). */
static size_t on_header(char *p, size_t size, size_t n, void *ctx)
{
	struct downsync *d = ctx;
	size_t len = size * n, k = 5;

	if (len > k && !strncasecmp(p, "ETag:", k)) {
		while (k < len && (p[k] == ' ' || p[k] == '\t'))
			k++;
		while (len > k && (p[len - 1] == '\r' || p[len - 1] == '\n' ||
				   p[len - 1] == ' '))
			len--;
		d->etag[0] = '\0';
		d->etag_bad = len - k >= sizeof d->etag;
		for (size_t i = k; i < len && !d->etag_bad; i++)
			d->etag_bad = p[i] < 0x21 || p[i] > 0x7e;
		if (!d->etag_bad) {
			memcpy(d->etag, p + k, len - k);
			d->etag[len - k] = '\0';
		}
	}
	return size * n;
}

bk_err downsync_create(const struct config *cfg,
		       volatile sig_atomic_t *cancel, struct downsync **out)
{
	struct downsync *d;
	size_t ulen = strlen(cfg->backoffice_url);
	long timeout = cfg->sync_timeout_s > 0 ? cfg->sync_timeout_s : 30;
	char why[CONFIG_ERR_MAX];
	bk_err rc;

	*out = NULL;
	if (!ulen || !syncproto_is_id(cfg->site_id))
		return BK_ERR_CONFIG;
	if ((rc = bolink_check(cfg, why, sizeof why)) != BK_OK) {
		log_error("downsync", "%s", why);
		return rc;
	}
	d = calloc(1, sizeof *d);
	if (!d)
		return BK_ERR_NOMEM;
	rc = BK_ERR_NOMEM;
	d->cfg = cfg;
	d->cancel = cancel;
	while (ulen > 0 && cfg->backoffice_url[ulen - 1] == '/')
		ulen--;
	snprintf(d->base, sizeof d->base, "%.*s", (int)ulen,
		 cfg->backoffice_url);
	d->multi = curl_multi_init();
	d->curl = curl_easy_init();
	if (!d->multi || !d->curl)
		goto fail;
	if ((rc = bolink_setup(d->curl, cfg, why, sizeof why)) != BK_OK) {
		log_error("downsync", "%s", why);
		goto fail;
	}
	curl_easy_setopt(d->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(d->curl, CURLOPT_USERAGENT, "buergerkioskd/1");
	curl_easy_setopt(d->curl, CURLOPT_ERRORBUFFER, d->errbuf);
	curl_easy_setopt(d->curl, CURLOPT_WRITEFUNCTION, on_write);
	curl_easy_setopt(d->curl, CURLOPT_WRITEDATA, &d->reply);
	curl_easy_setopt(d->curl, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(d->curl, CURLOPT_HEADERDATA, d);
	curl_easy_setopt(d->curl, CURLOPT_TIMEOUT, timeout);
	curl_easy_setopt(d->curl, CURLOPT_CONNECTTIMEOUT,
			 timeout < 10 ? timeout : 10L);
	curl_easy_setopt(d->curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(d->curl, CURLOPT_LOW_SPEED_TIME,
			 timeout > 1 ? timeout / 2 : 1L);
	*out = d;
	return BK_OK;
fail:
	downsync_destroy(d);
	return rc;
}

void downsync_destroy(struct downsync *d)
{
	if (!d)
		return;
	if (d->curl)
		curl_easy_cleanup(d->curl);
	if (d->multi)
		curl_multi_cleanup(d->multi);
	buf_free(&d->reply);
	free(d);
}

/* Runs the transfer through the multi handle so that *cancel is looked
 * at every POLL_SLICE_MS. */
static CURLcode perform(struct downsync *d)
{
	CURLcode cc = CURLE_FAILED_INIT;
	int running = 1, done = 0;

	if (curl_multi_add_handle(d->multi, d->curl) != CURLM_OK)
		return CURLE_FAILED_INIT;
	while (!done) {
		CURLMsg *m;
		int left;

		if (curl_multi_perform(d->multi, &running) != CURLM_OK)
			break;
		while ((m = curl_multi_info_read(d->multi, &left)))
			if (m->msg == CURLMSG_DONE && m->easy_handle == d->curl) {
				cc = m->data.result;
				done = 1;
			}
		if (done || !running)
			break;
		if (d->cancel && *d->cancel) {
			cc = CURLE_ABORTED_BY_CALLBACK;
			break;
		}
		if (curl_multi_poll(d->multi, NULL, 0, POLL_SLICE_MS, NULL) !=
		    CURLM_OK)
			break;
	}
	curl_multi_remove_handle(d->multi, d->curl);
	return cc;
}

/* GETs base + path (with if_none_match, if not NULL); the reply, capped
 * at SYNCPROTO_MAX_REPLY, is left in d->reply. */
static void get(struct downsync *d, const char *path,
		const char *if_none_match, struct get_result *gr)
{
	char url[CONFIG_PATH_MAX + 512];
	char inm[APPOINTMENTS_ETAG_MAX + 32];
	struct curl_slist *hdr = NULL;
	long status = 0;
	CURLcode cc;

	memset(gr, 0, sizeof *gr);
	buf_free(&d->reply);
	d->reply.max = SYNCPROTO_MAX_REPLY;
	d->errbuf[0] = '\0';
	d->etag[0] = '\0';
	d->etag_bad = 0;
	if (util_fmt(url, sizeof url, "%s%s", d->base, path) < 0) {
		gr->err = BK_ERR_CONFIG;
		snprintf(gr->error, sizeof gr->error, "URL too long");
		return;
	}
	if (if_none_match && if_none_match[0]) {
		snprintf(inm, sizeof inm, "If-None-Match: %s", if_none_match);
		hdr = curl_slist_append(NULL, inm);
		if (!hdr) {
			gr->err = BK_ERR_NOMEM;
			snprintf(gr->error, sizeof gr->error, "out of memory");
			return;
		}
	}
	curl_easy_setopt(d->curl, CURLOPT_URL, url);
	curl_easy_setopt(d->curl, CURLOPT_HTTPGET, 1L);
	curl_easy_setopt(d->curl, CURLOPT_HTTPHEADER, hdr);
	cc = perform(d);
	curl_easy_setopt(d->curl, CURLOPT_HTTPHEADER, NULL);
	curl_slist_free_all(hdr);
	if (cc != CURLE_OK) {
		gr->err = cc == CURLE_WRITE_ERROR ? BK_ERR_PROTOCOL
						  : BK_ERR_NETWORK;
		snprintf(gr->error, sizeof gr->error, "%s",
			 cc == CURLE_WRITE_ERROR ? "reply too large"
			 : d->errbuf[0] ? d->errbuf : curl_easy_strerror(cc));
		return;
	}
	curl_easy_getinfo(d->curl, CURLINFO_RESPONSE_CODE, &status);
	gr->status = (int)status;
}

static void fail_with(struct downsync_result *res, bk_err e,
		      const char *what, const char *why)
{
	res->err = e;
	snprintf(res->error, sizeof res->error, "%.40s: %.200s", what, why);
}

/* Step 1. BK_OK unless the store failed. */
static bk_err pull_appointments(struct downsync *d, struct store *st,
				struct downsync_result *res)
{
	const char *site = d->cfg->site_id;
	char cursor[DOWNSYNC_PROTO_CURSOR_MAX], path[512], why[200];
	struct get_result gr;
	bk_err rc;

	for (res->pages = 0; res->pages < DOWNSYNC_MAX_PAGES;) {
		struct downsync_page page;
		int stored = 0, removed = 0;

		if ((rc = appointments_cursor(st, site, cursor)))
			return rc;
		/* site is an id and the cursor URL-safe: nothing to escape */
		snprintf(path, sizeof path,
			 "/v1/appointments?site=%s&cursor=%s&limit=%d", site,
			 cursor, DOWNSYNC_PROTO_DEFAULT_LIMIT);
		get(d, path, NULL, &gr);
		res->http_status = gr.status;
		if (gr.err) {
			fail_with(res, gr.err, "appointments", gr.error);
			return BK_OK;
		}
		if (gr.status != 200) {
			snprintf(why, sizeof why, "HTTP %d from the back office",
				 gr.status);
			fail_with(res, gr.status >= 500 ? BK_ERR_NETWORK
				  : BK_ERR_PROTOCOL, "appointments", why);
			return BK_OK;
		}
		rc = downsync_proto_parse_page((const char *)d->reply.data,
					       d->reply.len, &page, why,
					       sizeof why);
		/* the reply may hold holders' names (checkin.h): parsed, it
		 * is not needed any more */
		if (d->reply.data)
			util_wipe(d->reply.data, d->reply.len);
		if (rc) {
			fail_with(res, BK_ERR_PROTOCOL, "appointments: bad reply",
				  why);
			return BK_OK;
		}
		rc = appointments_apply_page(st, site, &page, &stored,
					     &removed);
		res->more = page.more;
		downsync_page_free(&page);
		if (rc)
			return rc;
		res->pages++;
		res->stored += stored;
		res->removed += removed;
		if (!res->more)
			break;
	}
	return BK_OK;
}

/* Step 2. BK_OK unless the store failed. */
static bk_err pull_catalogue(struct downsync *d, struct store *st,
			     struct downsync_result *res)
{
	char have[APPOINTMENTS_ETAG_MAX], path[128], why[200];
	struct downsync_catalogue c;
	struct get_result gr;
	bk_err rc;

	if ((rc = appointments_catalogue_etag(st, have)))
		return rc;
	snprintf(path, sizeof path, "/v1/catalogue?site=%s", d->cfg->site_id);
	get(d, path, have, &gr);
	res->http_status = gr.status;
	if (gr.err) {
		fail_with(res, gr.err, "catalogue", gr.error);
		return BK_OK;
	}
	if (gr.status == 304 && have[0]) {
		res->catalogue = 0;
		return BK_OK;
	}
	if (gr.status != 200) {
		snprintf(why, sizeof why, "HTTP %d from the back office",
			 gr.status);
		fail_with(res, gr.status >= 500 ? BK_ERR_NETWORK
			  : BK_ERR_PROTOCOL, "catalogue", why);
		return BK_OK;
	}
	if (downsync_proto_parse_catalogue((const char *)d->reply.data,
					   d->reply.len, &c, why,
					   sizeof why) != BK_OK) {
		fail_with(res, BK_ERR_PROTOCOL, "catalogue: bad reply", why);
		return BK_OK;
	}
	/* without a usable ETag every pull fetches it whole: still correct */
	rc = appointments_catalogue_replace(st, &c, d->etag_bad ? "" : d->etag);
	downsync_catalogue_free(&c);
	if (rc == BK_OK)
		res->catalogue = 1;
	return rc;
}

static void record_health(struct store *st, const struct downsync_result *r)
{
	char msg[256];
	int ok = r->err == BK_OK;

	if (ok)
		snprintf(msg, sizeof msg, "%d appointments in %d pages%s, "
			 "catalogue %s", r->stored, r->pages,
			 r->more ? " (more to come)" : "",
			 r->catalogue == 1 ? "updated" : "unchanged");
	else
		snprintf(msg, sizeof msg, "%s", r->error);
	if (store_health_set(st, "downsync", ok ? STORE_HEALTH_OK
			     : STORE_HEALTH_FAULT, msg) != BK_OK)
		log_warn("downsync", "could not record health");
}

bk_err downsync_run_once(struct downsync *d, struct store *st,
			 struct downsync_result *res)
{
	bk_err rc;

	memset(res, 0, sizeof *res);
	res->catalogue = -1;
	rc = pull_appointments(d, st, res);
	if (rc == BK_OK && res->err == BK_OK)
		rc = pull_catalogue(d, st, res);
	if (rc == BK_OK)
		record_health(st, res);
	return rc;
}
