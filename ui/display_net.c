/*
 * display_net.c — the display's network thread: one long GET of
 * SITE/api/v1/display/events with libcurl, its bytes through the SSE
 * parser, calls into a small queue for the UI thread (display.h).
 *
 * Connection states, as the UI sees them through messages:
 *
 *   (start) ──200 + headers complete──▶ UP ──stream ends / error──▶ DOWN
 *      DOWN ──wait (DISPLAY_RETRY_MIN_MS doubling to _MAX_MS, or the
 *              server's retry: when larger)──▶ connect again with
 *              Last-Event-ID = the last id seen
 *
 * Outages of a quiet LAN link: the daemon sends a keep-alive comment every
 * 15 s, so a stream that brings no byte for LOW_SPEED_S seconds is taken
 * as dead and reconnected. A DOWN is posted once per outage, not per try.
 *
 * Caps: the SSE parser's (display.h); a response that is not 200 ends the
 * transfer before its body is read.
 */
#include "ui/display.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "firmware/log.h"
#include "firmware/util.h"

#define LOW_SPEED_S 40
#define CONNECT_TIMEOUT_S 5
#define URL_MAX 1024

struct display_net {
	char url[URL_MAX];
	char ca[1024];
	pthread_t thread;
	atomic_int stop;

	pthread_mutex_t lock;     /* guards the queue */
	struct display_msg q[DISPLAY_MSGS_MAX];
	int head, len;

	/* net thread only */
	struct display_sse sse;
	char last_id[DISPLAY_SSE_ID_MAX];
	int up;                   /* UP posted for the current transfer */
	int down_posted;          /* DOWN posted for the current outage */
	CURL *curl;
};

static void post(struct display_net *n, const struct display_msg *m)
{
	pthread_mutex_lock(&n->lock);
	if (n->len == DISPLAY_MSGS_MAX) {
		/* full: drop the oldest call; keep the connection states */
		for (int i = 0; i < n->len; i++) {
			int k = (n->head + i) % DISPLAY_MSGS_MAX;

			if (n->q[k].kind == DISPLAY_MSG_CALL) {
				for (int j = i; j > 0; j--)
					n->q[(n->head + j) % DISPLAY_MSGS_MAX] =
						n->q[(n->head + j - 1) %
						     DISPLAY_MSGS_MAX];
				n->head = (n->head + 1) % DISPLAY_MSGS_MAX;
				n->len--;
				break;
			}
		}
	}
	if (n->len < DISPLAY_MSGS_MAX) {
		n->q[(n->head + n->len) % DISPLAY_MSGS_MAX] = *m;
		n->len++;
	}
	pthread_mutex_unlock(&n->lock);
}

static void post_kind(struct display_net *n, enum display_msg_kind k)
{
	struct display_msg m;

	memset(&m, 0, sizeof m);
	m.kind = k;
	post(n, &m);
}

int display__net_take(struct display_net *n, struct display_msg *out,
		      int max)
{
	int k = 0;

	pthread_mutex_lock(&n->lock);
	while (k < max && n->len > 0) {
		out[k++] = n->q[n->head];
		n->head = (n->head + 1) % DISPLAY_MSGS_MAX;
		n->len--;
	}
	pthread_mutex_unlock(&n->lock);
	return k;
}

static void on_event(void *ctx, const char *name, const char *data,
		     size_t len, const char *id)
{
	struct display_net *n = ctx;
	struct display_msg m;

	if (id[0])
		snprintf(n->last_id, sizeof n->last_id, "%s", id);
	if (strcmp(name, "call"))
		return; /* other events are not for displays */
	memset(&m, 0, sizeof m);
	m.kind = DISPLAY_MSG_CALL;
	if (display_call_parse(data, len, &m.call) < 0) {
		log_warn("display", "a call event that is not one was ignored "
			 "(id %s)", id[0] ? id : "-");
		return;
	}
	snprintf(m.call.id, sizeof m.call.id, "%s", id);
	post(n, &m);
}

static size_t on_header(char *buf, size_t size, size_t nitems, void *ctx)
{
	struct display_net *n = ctx;
	size_t len = size * nitems;
	long code = 0;

	/* the empty line ends a header block (there may be a 100 before) */
	if (len <= 2 && (buf[0] == '\r' || buf[0] == '\n')) {
		curl_easy_getinfo(n->curl, CURLINFO_RESPONSE_CODE, &code);
		if (code == 200 && !n->up) {
			n->up = 1;
			n->down_posted = 0;
			post_kind(n, DISPLAY_MSG_UP);
		}
	}
	return len;
}

static size_t on_body(char *buf, size_t size, size_t nmemb, void *ctx)
{
	struct display_net *n = ctx;
	size_t len = size * nmemb;

	if (!n->up || atomic_load(&n->stop))
		return 0; /* not our stream (or stopping): end the transfer */
	display_sse_feed(&n->sse, buf, len, on_event, n);
	return len;
}

static int on_progress(void *ctx, curl_off_t a, curl_off_t b, curl_off_t c,
		       curl_off_t d)
{
	struct display_net *n = ctx;

	(void)a, (void)b, (void)c, (void)d;
	return atomic_load(&n->stop) ? 1 : 0;
}

/* One connection, until it ends. 1 if it was up. */
static int run_once(struct display_net *n)
{
	struct curl_slist *hdr = NULL;
	char idhdr[DISPLAY_SSE_ID_MAX + 32];
	CURLcode rc;
	long code = 0;

	n->curl = curl_easy_init();
	if (!n->curl)
		return 0;
	display_sse_init(&n->sse);
	n->up = 0;
	hdr = curl_slist_append(hdr, "Accept: text/event-stream");
	if (n->last_id[0]) {
		snprintf(idhdr, sizeof idhdr, "Last-Event-ID: %s", n->last_id);
		hdr = curl_slist_append(hdr, idhdr);
	}
	curl_easy_setopt(n->curl, CURLOPT_URL, n->url);
	curl_easy_setopt(n->curl, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(n->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(n->curl, CURLOPT_CONNECTTIMEOUT, (long)CONNECT_TIMEOUT_S);
	curl_easy_setopt(n->curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(n->curl, CURLOPT_LOW_SPEED_TIME, (long)LOW_SPEED_S);
	curl_easy_setopt(n->curl, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(n->curl, CURLOPT_HEADERDATA, n);
	curl_easy_setopt(n->curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(n->curl, CURLOPT_WRITEDATA, n);
	curl_easy_setopt(n->curl, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(n->curl, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(n->curl, CURLOPT_XFERINFODATA, n);
	curl_easy_setopt(n->curl, CURLOPT_PROTOCOLS_STR, "http,https");
	if (n->ca[0])
		curl_easy_setopt(n->curl, CURLOPT_CAINFO, n->ca);
	rc = curl_easy_perform(n->curl);
	curl_easy_getinfo(n->curl, CURLINFO_RESPONSE_CODE, &code);
	if (!atomic_load(&n->stop) && !n->down_posted)
		log_warn("display", "event stream %s: %s (HTTP %ld); "
			 "reconnecting", n->up ? "ended" : "not opened",
			 rc == CURLE_OK ? "closed by the daemon"
					: curl_easy_strerror(rc), code);
	curl_slist_free_all(hdr);
	curl_easy_cleanup(n->curl);
	n->curl = NULL;
	return n->up;
}

static void sleep_ms(struct display_net *n, long ms)
{
	struct timespec ts = { 0, 50 * 1000000L };

	for (long t = 0; t < ms && !atomic_load(&n->stop); t += 50)
		nanosleep(&ts, NULL);
}

static void *net_main(void *arg)
{
	struct display_net *n = arg;
	long wait = DISPLAY_RETRY_MIN_MS;

	while (!atomic_load(&n->stop)) {
		int was_up = run_once(n);
		long server = n->sse.retry_ms;

		if (atomic_load(&n->stop))
			break;
		if (!n->down_posted) {
			n->down_posted = 1;
			post_kind(n, DISPLAY_MSG_DOWN);
		}
		if (was_up)
			wait = DISPLAY_RETRY_MIN_MS;
		sleep_ms(n, server > wait && server <= DISPLAY_RETRY_MAX_MS
				    ? server : wait);
		if (!was_up && wait < DISPLAY_RETRY_MAX_MS)
			wait = wait * 2 > DISPLAY_RETRY_MAX_MS
				       ? DISPLAY_RETRY_MAX_MS : wait * 2;
	}
	return NULL;
}

struct display_net *display__net_start(const char *site, const char *ca_file,
				       char *err, size_t errlen)
{
	struct display_net *n;
	size_t len = strlen(site);

	while (len > 0 && site[len - 1] == '/')
		len--;
	if (len == 0 || (strncmp(site, "http://", 7) &&
			 strncmp(site, "https://", 8))) {
		snprintf(err, errlen, "--site needs an http:// or https:// URL");
		return NULL;
	}
	n = calloc(1, sizeof *n);
	if (!n) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (util_fmt(n->url, sizeof n->url, "%.*s/api/v1/display/events",
		     (int)len, site) < 0 ||
	    (ca_file && util_fmt(n->ca, sizeof n->ca, "%s", ca_file) < 0)) {
		snprintf(err, errlen, "--site or --ca too long");
		free(n);
		return NULL;
	}
	pthread_mutex_init(&n->lock, NULL);
	if (pthread_create(&n->thread, NULL, net_main, n) != 0) {
		snprintf(err, errlen, "cannot start the network thread");
		pthread_mutex_destroy(&n->lock);
		free(n);
		return NULL;
	}
	return n;
}

void display__net_stop(struct display_net *n)
{
	if (!n)
		return;
	atomic_store(&n->stop, 1);
	pthread_join(n->thread, NULL);
	pthread_mutex_destroy(&n->lock);
	free(n);
}
