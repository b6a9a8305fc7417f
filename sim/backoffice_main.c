/*
 * backoffice_main.c — kiosk-backoffice, the reference back office
 * (backoffice.h).
 *
 *   kiosk-backoffice --listen 127.0.0.1:PORT --data-dir DIR
 *                    [--allow-remote] [--fail-next N] [--drop-replies N]
 *                    [--tls-cert PEM --tls-key PEM --client-ca PEM]
 *                    [--private-key PEM]
 *   kiosk-backoffice --data-dir DIR --list [--json]
 *   kiosk-backoffice --data-dir DIR --show EVENT-ID
 *
 * Serving prints "listening on http://HOST:PORT" (https:// with the TLS
 * flags; flushed) once bound, so
 * a test can start it with port 0 and read the port; SIGINT/SIGTERM stop
 * it with exit code 0. Exit codes: 0 ok, 1 runtime error, 2 usage.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sim/backoffice.h"
#include "sim/backoffice_appts.h"
#include "firmware/log.h"

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: kiosk-backoffice --listen HOST:PORT --data-dir DIR\n"
		"                        [--allow-remote] [--fail-next N] "
		"[--drop-replies N]\n"
		"                        [--tls-cert PEM --tls-key PEM "
		"--client-ca PEM]\n"
		"                        [--private-key PEM]\n"
		"       kiosk-backoffice --data-dir DIR --list [--json]\n"
		"       kiosk-backoffice --data-dir DIR --show EVENT-ID\n"
		"       kiosk-backoffice --data-dir DIR --seed-demo N "
		"[--site SITE] [--config FILE]\n"
		"       kiosk-backoffice --data-dir DIR --cancel ID\n"
		"       kiosk-backoffice --data-dir DIR --move ID "
		"YYYY-MM-DDTHH:MM:SSZ\n");
}

static int parse_count(const char *s, int *out)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (!*s || *end || v < 0 || v > 1000000)
		return -1;
	*out = (int)v;
	return 0;
}

static int serve(const struct backoffice_opts *o)
{
	struct backoffice *bo = NULL;
	struct sigaction sa;
	const char *colon = strrchr(o->listen, ':');
	char err[512];
	bk_err rc;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	rc = backoffice_start(o, &bo, err, sizeof err);
	if (rc != BK_OK) {
		fprintf(stderr, "kiosk-backoffice: %s\n", err);
		return rc == BK_ERR_CONFIG ? 2 : 1;
	}
	printf("listening on %s://%.*s:%d\n", o->tls_cert ? "https" : "http",
	       (int)(colon - o->listen), o->listen, backoffice_port(bo));
	fflush(stdout);
	while (!stop_flag) {
		struct timespec ts = { 0, 50 * 1000000L };
		nanosleep(&ts, NULL);
	}
	log_info("backoffice", "stopping");
	backoffice_stop(bo);
	return 0;
}

int main(int argc, char **argv)
{
	struct backoffice_opts o = { 0 };
	int list = 0, json = 0;
	const char *show = NULL;
	int code;
	char err[512];

	log_init("kiosk-backoffice", LOG_INFO);
	/* --seed-demo, --cancel, --move: backoffice_appts.h */
	if ((code = backoffice_appts_main(argc, argv)) >= 0)
		return code;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		int has = i + 1 < argc;

		if (!strcmp(a, "--listen") && has) {
			o.listen = argv[++i];
		} else if (!strcmp(a, "--data-dir") && has) {
			o.data_dir = argv[++i];
		} else if (!strcmp(a, "--fail-next") && has) {
			if (parse_count(argv[++i], &o.fail_next) < 0)
				goto bad;
		} else if (!strcmp(a, "--drop-replies") && has) {
			if (parse_count(argv[++i], &o.drop_replies) < 0)
				goto bad;
		} else if (!strcmp(a, "--tls-cert") && has) {
			o.tls_cert = argv[++i];
		} else if (!strcmp(a, "--tls-key") && has) {
			o.tls_key = argv[++i];
		} else if (!strcmp(a, "--client-ca") && has) {
			o.client_ca = argv[++i];
		} else if (!strcmp(a, "--allow-remote")) {
			o.allow_remote = 1;
		} else if (!strcmp(a, "--private-key") && has) {
			o.private_key = argv[++i];
		} else if (!strcmp(a, "--show") && has) {
			show = argv[++i];
		} else if (!strcmp(a, "--list")) {
			list = 1;
		} else if (!strcmp(a, "--json")) {
			json = 1;
		} else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout);
			return 0;
		} else {
			goto bad;
		}
	}
	if (show && !list && !o.listen) {
		if (backoffice_show(o.data_dir, show, stdout, err, sizeof err)
		    != BK_OK) {
			fprintf(stderr, "kiosk-backoffice: %s\n", err);
			return 1;
		}
		return 0;
	}
	if (!o.data_dir || show || (list == !!o.listen) || (json && !list))
		goto bad;
	if (list) {
		if (backoffice_list(o.data_dir, json, stdout, err, sizeof err)
		    != BK_OK) {
			fprintf(stderr, "kiosk-backoffice: %s\n", err);
			return 1;
		}
		return 0;
	}
	return serve(&o);
bad:
	usage(stderr);
	return 2;
}
