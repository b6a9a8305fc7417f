/*
 * kioskd_main.c — buergerkioskd, the site daemon. It drains the outbox to
 * the back office (sync.h) and, with site_api.listen set, serves the site
 * API to counters and displays on libmicrohttpd's threads (siteapi.h).
 *
 *   buergerkioskd [--config FILE] [--data-dir DIR] [--set K=V]...
 *                 [--backoffice URL] [--once]
 *
 * It also reports the kiosk's health: when a component's row in the health
 * table (written by whichever process saw it — the kiosk for the printer)
 * changes level, or changes its message while not ok, one log line says
 * so, so the site's log shows "printer: fault: paper end" without anyone
 * running kioskctl.
 *
 * Exit codes: 0 stopped cleanly (SIGINT/SIGTERM) or --once left nothing
 * pending; 1 store or runtime error; 2 usage or configuration error;
 * 3 --once finished with events still pending (back office down, backoff).
 *
 * The loop never sleeps longer than sync.poll_ms and wakes early when a
 * deferred event falls due; it sleeps in 50 ms slices so a signal stops it
 * promptly, and a signal also abandons a request in flight (sync_client's
 * cancel flag).
 */
#include <curl/curl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "firmware/appointments.h"
#include "firmware/cli.h"
#include "firmware/config.h"
#include "firmware/downsync.h"
#include "firmware/log.h"
#include "firmware/outbox.h"
#include "firmware/retention.h"
#include "firmware/siteapi.h"
#include "firmware/sitequeue.h"
#include "firmware/stats.h"
#include "firmware/store.h"
#include "firmware/sync.h"
#include "firmware/util.h"

#define SLICE_MS 50

static volatile sig_atomic_t stop_flag;
static struct downsync *downsync; /* NULL without a back office */

static void on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: buergerkioskd [--config FILE] [--data-dir DIR] "
		"[--set KEY=VALUE]...\n"
		"                     [--backoffice URL] [--once]\n");
}

static void sleep_ms(int64_t ms)
{
	while (ms > 0 && !stop_flag) {
		int64_t step = ms < SLICE_MS ? ms : SLICE_MS;
		struct timespec ts = { step / 1000, (step % 1000) * 1000000 };

		nanosleep(&ts, NULL);
		ms -= step;
	}
}

static void log_round(const struct sync_result *r)
{
	if (r->err == BK_OK)
		log_info("sync", "batch of %d: delivered %d, dead %d, "
			 "deferred %d (HTTP %d, %lld ms)", r->loaded,
			 r->delivered, r->dead, r->deferred, r->http_status,
			 (long long)r->elapsed_ms);
	else
		log_warn("sync", "batch of %d: delivered %d, dead %d, "
			 "deferred %d: %s", r->loaded, r->delivered, r->dead,
			 r->deferred, r->error);
}

/* How long to wait before the next round: until the next due event, at
 * most poll_ms. */
static int64_t idle_ms(struct store *st, const struct config *cfg)
{
	int64_t due = -1;

	if (outbox_next_due_in(st, store_now_ms(), &due) != BK_OK || due < 0 ||
	    due > cfg->sync_poll_ms)
		return cfg->sync_poll_ms;
	return due;
}

/* The last level and message logged per component. */
struct health_seen {
	char component[32];
	int level;
	char message[256];
};

static void report_health(struct store *st, struct health_seen *seen,
			  int *n_seen)
{
	struct store_health h[16];
	int n = 0;

	if (store_health_list(st, h, 16, &n) != BK_OK)
		return;
	for (int i = 0; i < n; i++) {
		struct health_seen *s = NULL;

		for (int k = 0; k < *n_seen; k++)
			if (!strcmp(seen[k].component, h[i].component))
				s = &seen[k];
		if (!s && *n_seen < 16) {
			s = &seen[(*n_seen)++];
			snprintf(s->component, sizeof s->component, "%s",
				 h[i].component);
			s->level = STORE_HEALTH_OK;
			s->message[0] = '\0';
		}
		if (!s || (s->level == h[i].ok &&
			   (h[i].ok == STORE_HEALTH_OK ||
			    !strcmp(s->message, h[i].message))))
			continue;
		log_msg(h[i].ok == STORE_HEALTH_OK ? LOG_INFO : LOG_WARN,
			"health", "%s: %s: %s", h[i].component,
			store_health_level_name(h[i].ok), h[i].message);
		s->level = h[i].ok;
		snprintf(s->message, sizeof s->message, "%s", h[i].message);
	}
}

/* Down-sync between delivery rounds (downsync.h): appointments of past
 * days purged at start and at each day change; a pull at start and every
 * sync.pull_interval_s (at once again while the back office has more). A
 * failure is logged and recorded in health; the cache keeps answering. */
static void downsync_tick(struct store *st, const struct config *cfg)
{
	static char purged[11];
	static int64_t next_pull;
	struct downsync_result r;
	char today[11];
	int n = 0;

	appointments_local_day(store_now_ms(), today);
	if (strcmp(today, purged) &&
	    appointments_purge_before(st, NULL, &n) == BK_OK) {
		if (n)
			log_info("downsync", "purged %d appointments of past "
				 "days", n);
		memcpy(purged, today, sizeof purged);
	}
	if (!downsync || util_mono_ms() < next_pull)
		return;
	if (downsync_run_once(downsync, st, &r) != BK_OK)
		log_error("downsync", "pull failed: store error");
	else if (r.err != BK_OK)
		log_warn("downsync", "pull stopped: %s", r.error);
	else if (r.stored || r.removed || r.catalogue == 1)
		log_info("downsync", "%d appointments in %d pages, %d removed, "
			 "catalogue %s", r.stored, r.pages, r.removed,
			 r.catalogue == 1 ? "updated" : "unchanged");
	next_pull = util_mono_ms() + (r.more && r.err == BK_OK ? 0
		    : (int64_t)cfg->sync_pull_interval_s * 1000);
}

/* Site queue upkeep between rounds: at start and at each local day
 * change, the daily statistics of past days go into the outbox
 * (stats.h) and the display journal of past days is dropped. */
static void site_tick(struct store *st, const struct config *cfg)
{
	static char done[11];
	char today[11];
	int n = 0;

	appointments_local_day(store_now_ms(), today);
	if (!strcmp(today, done))
		return;
	if (stats_push_pending(st, cfg, store_now_ms(), &n) != BK_OK)
		return; /* logged by the store; tried again next round */
	sq_purge_events(st, store_now_ms(), &n);
	memcpy(done, today, sizeof done);
}

/* Rounds until nothing is due (--once) or a signal. */
static int run(struct sync_client *sc, struct store *st,
	       const struct config *cfg, int once)
{
	struct health_seen seen[16];
	int n_seen = 0;

	while (!stop_flag) {
		struct sync_result r;
		bk_err rc;
		static int64_t last_purge;

		report_health(st, seen, &n_seen);
		downsync_tick(st, cfg);
		site_tick(st, cfg);
		if (!sc) { /* no back office configured: events wait */
			if (once)
				return 0;
			sleep_ms(cfg->sync_poll_ms);
			continue;
		}
		rc = sync_run_once(sc, st, &r);
		if (rc != BK_OK) {
			log_error("sync", "round failed: %s", bk_strerror(rc));
			if (once)
				return -1;
			sleep_ms(cfg->sync_poll_ms);
			continue;
		}
		if (r.loaded)
			log_round(&r);
		/* delivered submissions leave the kiosk (retention.h): after
		 * each delivery, and hourly for retention_hours > 0 */
		if ((r.delivered || store_now_ms() - last_purge > 3600000) &&
		    retention_purge(st, cfg, store_now_ms(), NULL) == BK_OK)
			last_purge = store_now_ms();
		if (r.loaded && r.deferred < r.loaded)
			continue; /* progress: more may be due at once */
		if (once)
			return 0;
		sleep_ms(idle_ms(st, cfg));
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct cli_common cli = { 0 };
	struct config cfg;
	struct store *st = NULL;
	struct sync_client *sc = NULL;
	struct siteapi *api = NULL;
	struct outbox_counts counts = { 0 };
	struct sigaction sa;
	char err[CONFIG_ERR_MAX + 64];
	char *url_set = NULL;
	int once = 0, code = 1;
	bk_err rc;

	log_init("buergerkioskd", LOG_INFO);
	if (cli_parse_common(&cli, &argc, &argv) < 0)
		return 2;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--once")) {
			once = 1;
		} else if (!strcmp(argv[i], "--backoffice") && i + 1 < argc) {
			free(url_set);
			url_set = malloc(strlen(argv[++i]) + 16);
			if (!url_set)
				return 1;
			sprintf(url_set, "backoffice.url=%s", argv[i]);
			if (cli_add_set(&cli, url_set) < 0) {
				code = 2; /* cli_add_set() said why */
				goto out;
			}
		} else if (!strcmp(argv[i], "--set") && i + 1 < argc) {
			/* also after our own options, not only before them */
			if (cli_add_set(&cli, argv[++i]) < 0) {
				code = 2; /* cli_add_set() said why */
				goto out;
			}
		} else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout);
			code = 0;
			goto out;
		} else {
			fprintf(stderr, "buergerkioskd: unknown argument '%s'\n",
				argv[i]);
			usage(stderr);
			code = 2;
			goto out;
		}
	}
	if (cli_load_config(&cli, &cfg, err, sizeof err) < 0) {
		fprintf(stderr, "%s\n", err);
		code = 2;
		goto out;
	}

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN); /* CURLOPT_NOSIGNAL leaves SIGPIPE to us */

	rc = store_open(&st, cli.data_dir, cfg.store_busy_timeout_ms, err,
			sizeof err);
	if (rc != BK_OK) {
		fprintf(stderr, "buergerkioskd: %s: %s\n", cli.data_dir,
			err[0] ? err : bk_strerror(rc));
		goto out;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		fprintf(stderr, "buergerkioskd: libcurl init failed\n");
		goto out;
	}

	if (!cfg.backoffice_url[0]) {
		log_warn("sync", "no backoffice.url in %s: events wait in the "
			 "outbox until one is configured", cfg.path);
		rc = BK_OK;
	} else {
		rc = sync_client_create(&cfg, &stop_flag, &sc);
		if (rc == BK_OK &&
		    downsync_create(&cfg, &stop_flag, &downsync) != BK_OK)
			log_warn("downsync", "appointments are not pulled");
	}
	if (rc == BK_ERR_CONFIG) {
		char why[CONFIG_ERR_MAX];

		if (sync_check_config(&cfg, why, sizeof why) == BK_OK)
			snprintf(why, sizeof why, "backoffice: TLS settings "
				 "refused by libcurl (see the log)");
		fprintf(stderr, "buergerkioskd: %s: %s\n", cfg.path[0] ?
			cfg.path : "configuration", why);
		code = 2;
		goto out_curl;
	}
	if (rc != BK_OK) {
		fprintf(stderr, "buergerkioskd: %s\n", bk_strerror(rc));
		goto out_curl;
	}
	if (sc)
		log_info("sync", "delivering to %s (batch %d, poll %d ms)",
			 cfg.backoffice_url, cfg.sync_batch_size,
			 cfg.sync_poll_ms);

	/* the site API on its own threads (siteapi.h): never in this loop */
	if (cfg.site_api_listen[0] && !once) {
		rc = siteapi_start(&cfg, cli.data_dir, &api, err, sizeof err);
		if (rc != BK_OK) {
			fprintf(stderr, "buergerkioskd: %s\n", err);
			code = rc == BK_ERR_CONFIG ? 2 : 1;
			goto out_curl;
		}
		log_info("siteapi", "site API listening on %s://%.*s:%d "
			 "(static files from %s)", siteapi_tls(api) ? "https"
			 : "http", (int)(strrchr(cfg.site_api_listen, ':') -
			 cfg.site_api_listen), cfg.site_api_listen,
			 siteapi_port(api), siteapi_static_dir(&cfg));
	}

	if (run(sc, st, &cfg, once) < 0)
		goto out_curl;
	if (!once || stop_flag) {
		log_info("sync", "stopping");
		code = 0;
		goto out_curl;
	}
	if (outbox_counts(st, &counts) != BK_OK) {
		fprintf(stderr, "buergerkioskd: cannot count the outbox\n");
		goto out_curl;
	}
	log_info("sync", "outbox: pending %lld, delivered %lld, dead %lld",
		 (long long)counts.pending, (long long)counts.delivered,
		 (long long)counts.dead);
	code = counts.pending ? 3 : 0;
out_curl:
	siteapi_stop(api);
	downsync_destroy(downsync);
	sync_client_destroy(sc);
	curl_global_cleanup();
out:
	if (st)
		store_close(st);
	free(url_set);
	return code;
}
