/* The sync client: backoff bounds, configuration checks, and a round
 * against a port where nobody listens (nothing is lost). Rounds against a
 * real back office are in tests/integration/test_sync.sh. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check.h"
#include "firmware/bolink.h"
#include "firmware/config.h"
#include "firmware/outbox.h"
#include "firmware/queue.h"
#include "firmware/store.h"
#include "firmware/sync.h"

static void test_backoff_bounds(void)
{
	static const uint32_t rnd[] = { 0, 1, 499, 12345, 0x7fffffff,
					0xffffffff };

	for (int a = -1; a < 80; a++) {
		for (size_t i = 0; i < sizeof rnd / sizeof rnd[0]; i++) {
			int64_t d = sync_backoff_ms(a, 500, 60000, rnd[i]);
			int64_t cap = a < 1 ? 500 : a > 8 ? 60000 :
				       (500LL << (a - 1)) > 60000 ? 60000 :
				       500LL << (a - 1);
			CHECK(d >= 500 && d <= cap);
		}
	}
	CHECK_INT(sync_backoff_ms(1, 500, 60000, 0xffffffff), 500);
	CHECK_INT(sync_backoff_ms(3, 500, 60000, 0), 500);
	CHECK_INT(sync_backoff_ms(3, 500, 60000, 1500), 2000);
	CHECK_INT(sync_backoff_ms(40, 500, 60000, 59500), 60000);
	/* min above max: the cap wins */
	CHECK_INT(sync_backoff_ms(5, 9000, 100, 77), 100);
	/* full jitter: values spread over the range */
	{
		int low = 0, high = 0;
		for (uint32_t r = 0; r < 1000; r++) {
			int64_t d = sync_backoff_ms(6, 500, 60000, r * 2654435761u);
			low += d < 4000;
			high += d > 12000;
		}
		CHECK(low > 100 && high > 100);
	}
}

static void test_config_needed(void)
{
	struct config cfg;
	struct sync_client *c = (void *)1;

	config_defaults(&cfg);
	CHECK(sync_client_create(&cfg, NULL, &c) == BK_ERR_CONFIG);
	CHECK(c == NULL);
}

static void test_loopback_hosts(void)
{
	static const char *const yes[] = {
		"127.0.0.1", "127.1.2.3", "127.255.255.254", "[::1]", "::1",
		"localhost", "LOCALHOST", "LocalHost", "[::ffff:127.0.0.1]",
		"[0:0:0:0:0:0:0:1]",
	};
	static const char *const no[] = {
		"127.0.0.1.nip.io", "localhost.example.org", "128.0.0.1",
		"10.0.0.1", "192.0.2.1", "126.255.255.255", "[::2]", "[::]",
		"0.0.0.0", "", "[]", "[::1", "::1]", "local host", "127.0.0.1 ",
		"[::ffff:10.0.0.1]", "localhost.",
	};

	for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
		if (!bolink_host_is_loopback(yes[i]))
			fprintf(stderr, "  not loopback: '%s'\n", yes[i]);
		CHECK(bolink_host_is_loopback(yes[i]));
	}
	for (size_t i = 0; i < sizeof no / sizeof no[0]; i++) {
		if (bolink_host_is_loopback(no[i]))
			fprintf(stderr, "  loopback: '%s'\n", no[i]);
		CHECK(!bolink_host_is_loopback(no[i]));
	}
}

/* bolink_check() on cfg with url (and the other [backoffice] keys as set). */
static bk_err policy(struct config *cfg, const char *url, char *err,
		     size_t errlen)
{
	snprintf(cfg->backoffice_url, sizeof cfg->backoffice_url, "%s", url);
	err[0] = '\0';
	return bolink_check(cfg, err, errlen);
}

#define PIN_A "sha256//" "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
#define PIN_B "sha256//" "n+b/9z0123456789abcdefghijklmnopqrstuvwxyzA="

static void test_url_policy(void)
{
	struct config cfg;
	char err[512], pins[BOLINK_PINS_MAX];

	config_defaults(&cfg);
	/* plain http: loopback only */
	CHECK(policy(&cfg, "http://127.0.0.1:8080/", err, sizeof err) == BK_OK);
	CHECK(policy(&cfg, "http://127.1.2.3/", err, sizeof err) == BK_OK);
	CHECK(policy(&cfg, "http://[::1]:9/", err, sizeof err) == BK_OK);
	CHECK(policy(&cfg, "http://LOCALHOST:1/x", err, sizeof err) == BK_OK);
	CHECK(policy(&cfg, "http://127.0.0.1.nip.io/", err, sizeof err) ==
	      BK_ERR_CONFIG);
	CHECK(strstr(err, "127.0.0.1.nip.io") != NULL);
	CHECK(strstr(err, "allow_plain_http") != NULL);
	CHECK(policy(&cfg, "http://192.0.2.1:8080/", err, sizeof err) ==
	      BK_ERR_CONFIG);
	CHECK(strstr(err, "not a loopback address") != NULL);
	/* userinfo that looks like loopback is not the host */
	CHECK(policy(&cfg, "http://127.0.0.1@192.0.2.1/", err, sizeof err) ==
	      BK_ERR_CONFIG);
	CHECK(policy(&cfg, "ftp://127.0.0.1/", err, sizeof err) ==
	      BK_ERR_CONFIG);
	CHECK(policy(&cfg, "not a url", err, sizeof err) == BK_ERR_CONFIG);
	cfg.backoffice_allow_plain_http = 1;
	CHECK(policy(&cfg, "http://192.0.2.1:8080/", err, sizeof err) == BK_OK);
	cfg.backoffice_allow_plain_http = 0;
	/* https anywhere */
	CHECK(policy(&cfg, "https://192.0.2.1/", err, sizeof err) == BK_OK);
	CHECK(policy(&cfg, "HTTPS://backoffice.example/", err, sizeof err) ==
	      BK_OK);

	/* pins: one or two, libcurl's syntax */
	CHECK(bolink_pins("", pins, err, sizeof err) == BK_OK);
	CHECK_STR(pins, "");
	CHECK(bolink_pins(PIN_A, pins, err, sizeof err) == BK_OK);
	CHECK_STR(pins, PIN_A);
	CHECK(bolink_pins(" " PIN_A "  " PIN_B " ", pins, err, sizeof err) ==
	      BK_OK);
	CHECK_STR(pins, PIN_A ";" PIN_B);
	CHECK(bolink_pins(PIN_A " " PIN_B " " PIN_A, pins, err, sizeof err) ==
	      BK_ERR_CONFIG);
	CHECK(bolink_pins("sha256//short=", pins, err, sizeof err) ==
	      BK_ERR_CONFIG);
	CHECK(bolink_pins("sha1//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
			  pins, err, sizeof err) == BK_ERR_CONFIG);
	CHECK(bolink_pins("sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA*A=",
			  pins, err, sizeof err) == BK_ERR_CONFIG);

	/* pins with plain http would promise what is not there */
	snprintf(cfg.backoffice_pins, sizeof cfg.backoffice_pins, PIN_A);
	CHECK(policy(&cfg, "http://127.0.0.1/", err, sizeof err) ==
	      BK_ERR_CONFIG);
	CHECK(policy(&cfg, "https://127.0.0.1/", err, sizeof err) == BK_OK);
	/* client certificate and key as a pair, readable */
	snprintf(cfg.backoffice_client_cert, sizeof cfg.backoffice_client_cert,
		 "%s", BK_SOURCE_DIR "/assets/site.conf");
	CHECK(policy(&cfg, "https://127.0.0.1/", err, sizeof err) ==
	      BK_ERR_CONFIG);
	CHECK(strstr(err, "together") != NULL);
	snprintf(cfg.backoffice_client_key, sizeof cfg.backoffice_client_key,
		 "/nonexistent/kiosk.key");
	CHECK(policy(&cfg, "https://127.0.0.1/", err, sizeof err) ==
	      BK_ERR_CONFIG);
	CHECK(strstr(err, "client_key") != NULL);
}

/* sync_client_create() refuses what the policy refuses, with no client. */
static void test_create_refuses_plain_http(void)
{
	struct config cfg;
	struct sync_client *c = (void *)1;
	char err[512];

	REQUIRE(config_load(&cfg, BK_SOURCE_DIR "/assets/site.conf", err,
			    sizeof err) == 0);
	REQUIRE(config_set(&cfg, "backoffice.url", "http://192.0.2.1:9/", err,
			   sizeof err) == 0);
	CHECK(sync_client_create(&cfg, NULL, &c) == BK_ERR_CONFIG);
	CHECK(c == NULL);
	CHECK(sync_check_config(&cfg, err, sizeof err) == BK_ERR_CONFIG);
	CHECK(strstr(err, "192.0.2.1") != NULL);
}

/* A loopback port with nobody listening. */
static int dead_port(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof sa;
	int fd = socket(AF_INET, SOCK_STREAM, 0), port;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &len) < 0)
		return 9;
	port = ntohs(sa.sin_port);
	close(fd);
	return port;
}

static void test_unreachable(void)
{
	char dir[256], err[256], url[64];
	struct config cfg;
	struct store *st = NULL;
	struct sync_client *c = NULL;
	struct sync_result r;
	struct outbox_counts oc;
	struct store_health h[8];
	struct ticket t;
	int64_t due = -1;
	int n = 0, found = 0;

	check_tmpdir(dir);
	REQUIRE(config_load(&cfg, BK_SOURCE_DIR "/assets/site.conf", err,
			    sizeof err) == 0);
	snprintf(url, sizeof url, "http://127.0.0.1:%d/", dead_port());
	REQUIRE(config_set(&cfg, "backoffice.url", url, err, sizeof err) == 0);
	REQUIRE(store_open(&st, dir, 1000, err, sizeof err) == BK_OK);
	REQUIRE(queue_issue_ticket(st, &cfg, "reisepass", "de", "k1", NULL,
				   NULL, &t) == BK_OK);
	REQUIRE(sync_client_create(&cfg, NULL, &c) == BK_OK);

	CHECK(sync_run_once(c, st, &r) == BK_OK);
	CHECK_INT(r.loaded, 1);
	CHECK_INT(r.deferred, 1);
	CHECK_INT(r.delivered, 0);
	CHECK(r.err == BK_ERR_NETWORK);
	CHECK_INT(r.http_status, 0);
	CHECK(outbox_counts(st, &oc) == BK_OK);
	CHECK_INT(oc.pending, 1);
	/* deferred by at least the minimum backoff */
	CHECK(outbox_next_due_in(st, store_now_ms(), &due) == BK_OK);
	CHECK(due > cfg.sync_backoff_min_ms / 2);
	/* nothing due: an idle round */
	CHECK(sync_run_once(c, st, &r) == BK_OK);
	CHECK_INT(r.loaded, 0);
	CHECK(store_health_list(st, h, 8, &n) == BK_OK);
	for (int i = 0; i < n; i++) {
		if (strcmp(h[i].component, "sync"))
			continue;
		found = 1;
		CHECK(!h[i].ok);
		CHECK(h[i].message[0] != '\0');
	}
	CHECK(found);
	sync_client_destroy(c);
	store_close(st);
	check_rmtree(dir);
}

int main(void)
{
	static const struct check_test tests[] = {
		{ "backoff_bounds", test_backoff_bounds },
		{ "config_needed", test_config_needed },
		{ "loopback_hosts", test_loopback_hosts },
		{ "url_policy", test_url_policy },
		{ "create_refuses_plain_http", test_create_refuses_plain_http },
		{ "unreachable", test_unreachable },
		{ NULL, NULL },
	};
	return check_main(tests);
}
