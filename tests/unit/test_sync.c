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
		{ "unreachable", test_unreachable },
		{ NULL, NULL },
	};
	return check_main(tests);
}
