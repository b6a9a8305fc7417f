/*
 * main.c — kiosk-cardsim, an emulated ID card or passport placed on
 * pcscd's vpcd reader (cardsim.h, vpcd.h).
 *
 *   kiosk-cardsim --data FILE [--port N] [--host ADDR] [--wait SEC]
 *                 [--csca-key PEM --csca-cert PEM] [--forge-sod]
 *                 [--bad-check-digit] [--pull-after N]
 *   kiosk-cardsim --data FILE --print-mrz [--bad-check-digit]
 *
 * Prints "card placed on 127.0.0.1:PORT" (flushed) once connected and
 * "card seen by the reader" when pcscd first asks for the ATR (it has
 * noticed the card; programs can connect now), so a test can wait for
 * them. The card stays until SIGTERM/SIGINT (it is then
 * removed cleanly and the program exits 0), until pcscd closes the link
 * (exit 0), or with --pull-after N until the (N+1)th APDU arrives: the
 * link is dropped without an answer, like a card pulled mid-read (exit 0).
 * At the end stderr gets "card removed after N APDUs" — counts only,
 * never data. Exit codes: 0 ok, 1 runtime error (cannot connect, cannot
 * sign), 2 usage or holder file error.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "firmware/log.h"
#include "firmware/util.h"
#include "sim/cardsim/cardsim.h"
#include "sim/cardsim/vpcd.h"

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

static void on_seen(void *arg)
{
	(void)arg;
	printf("card seen by the reader\n");
	fflush(stdout);
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: kiosk-cardsim --data FILE [--port N] [--host ADDR] "
		"[--wait SEC]\n"
		"                     [--csca-key PEM --csca-cert PEM] "
		"[--forge-sod]\n"
		"                     [--bad-check-digit] [--pull-after N]\n"
		"       kiosk-cardsim --data FILE --print-mrz "
		"[--bad-check-digit]\n");
}

static int parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (!*s || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int main(int argc, char **argv)
{
	const char *data = NULL, *host = "127.0.0.1";
	struct cardsim_opts o = { 0 };
	struct cardsim_holder h;
	struct cardsim *card = NULL;
	struct sigaction sa;
	long port = 35963, pull_after = -1, wait_s = 10;
	int print_mrz = 0, fd = -1, rc = 1;
	char err[256];
	enum vpcd_end end;

	log_init("kiosk-cardsim", LOG_INFO);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--forge-sod")) {
			o.forge_sod = 1;
		} else if (!strcmp(a, "--bad-check-digit")) {
			o.bad_check_digit = 1;
		} else if (!strcmp(a, "--print-mrz")) {
			print_mrz = 1;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		} else if (!v) {
			usage(stderr);
			return 2;
		} else if (!strcmp(a, "--data")) {
			data = v, i++;
		} else if (!strcmp(a, "--host")) {
			host = v, i++;
		} else if (!strcmp(a, "--csca-key")) {
			o.csca_key = v, i++;
		} else if (!strcmp(a, "--csca-cert")) {
			o.csca_cert = v, i++;
		} else if (!strcmp(a, "--port")) {
			if (parse_long(v, 1, 65535, &port))
				goto bad;
			i++;
		} else if (!strcmp(a, "--wait")) {
			if (parse_long(v, 0, 3600, &wait_s))
				goto bad;
			i++;
		} else if (!strcmp(a, "--pull-after")) {
			if (parse_long(v, 0, 1000000, &pull_after))
				goto bad;
			i++;
		} else {
			goto bad;
		}
	}
	if (!data || !o.csca_key != !o.csca_cert)
		goto bad;
	if (cardsim_holder_load(data, &h, err, sizeof err)) {
		fprintf(stderr, "kiosk-cardsim: %s: %s\n", data, err);
		return 2;
	}
	if (print_mrz) {
		char mrz[91];
		size_t line = h.doc == 1 ? 30 : 44;

		cardsim_mrz(&h, o.bad_check_digit, mrz);
		for (size_t i = 0; i < strlen(mrz); i += line)
			printf("%.*s\n", (int)line, mrz + i);
		util_wipe(mrz, sizeof mrz);
		util_wipe(&h, sizeof h);
		return 0;
	}

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	card = cardsim_create(&h, &o, err, sizeof err);
	util_wipe(&h, sizeof h);
	if (!card) {
		fprintf(stderr, "kiosk-cardsim: %s\n", err);
		return 1;
	}
	fd = vpcd_connect(host, (int)port, (int)wait_s * 1000, &stop_flag,
			  err, sizeof err);
	if (fd < 0) {
		if (stop_flag) {
			rc = 0;
			goto out;
		}
		fprintf(stderr, "kiosk-cardsim: %s\n", err);
		goto out;
	}
	printf("card placed on %s:%ld\n", host, port);
	fflush(stdout);
	end = vpcd_serve(fd, card, pull_after, &stop_flag, on_seen, NULL);
	close(fd);
	fd = -1;
	log_info("cardsim", "card removed after %lu APDUs (%s)",
		 cardsim_apdu_count(card),
		 end == VPCD_END_CLOSED ? "vpcd closed the link" :
		 end == VPCD_END_STOPPED ? "stopped" :
		 end == VPCD_END_PULLED ? "pulled" : "link error");
	rc = end == VPCD_END_ERROR ? 1 : 0;
out:
	if (fd >= 0)
		close(fd);
	cardsim_destroy(card);
	return rc;
bad:
	usage(stderr);
	return 2;
}
