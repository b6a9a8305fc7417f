/* Outbox lifecycle: pending → delivered / dead → pending, deferral. */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "firmware/config.h"
#include "firmware/outbox.h"
#include "firmware/queue.h"
#include "firmware/store.h"

static void test_lifecycle(void)
{
	char dir[256], err[256];
	struct config cfg;
	struct store *st = NULL;
	struct outbox_batch b;
	struct outbox_counts c;
	struct outbox_dead dead[4];
	struct ticket t;
	int64_t due, now = store_now_ms();
	int n;

	check_tmpdir(dir);
	REQUIRE(config_load(&cfg, BK_SOURCE_DIR "/assets/site.conf", err,
			    sizeof err) == 0);
	REQUIRE(store_open(&st, dir, 1000, err, sizeof err) == BK_OK);
	CHECK(outbox_next_due_in(st, now, &due) == BK_OK);
	CHECK_INT(due, -1);
	for (int i = 0; i < 5; i++) {
		char key[8];
		snprintf(key, sizeof key, "k%d", i);
		REQUIRE(queue_issue_ticket(st, &cfg, "reisepass", "de", key,
					   NULL, NULL, &t) == BK_OK);
	}
	REQUIRE(outbox_next_batch(st, 3, now + 1000, &b) == BK_OK);
	REQUIRE(b.n == 3);
	CHECK(b.ev[0].seq < b.ev[1].seq && b.ev[1].seq < b.ev[2].seq);
	{
		const char *ids[2] = { b.ev[0].id, b.ev[1].id };
		CHECK(outbox_mark_delivered(st, ids, 2) == BK_OK);
		/* delivering twice changes nothing */
		CHECK(outbox_mark_delivered(st, ids, 2) == BK_OK);
	}
	CHECK(outbox_mark_dead(st, b.ev[2].id, "unknown service") == BK_OK);
	CHECK(outbox_counts(st, &c) == BK_OK);
	CHECK_INT(c.delivered, 2);
	CHECK_INT(c.dead, 1);
	CHECK_INT(c.pending, 2);
	CHECK(outbox_list_dead(st, dead, 4, &n) == BK_OK);
	REQUIRE(n == 1);
	CHECK_STR(dead[0].id, b.ev[2].id);
	CHECK_STR(dead[0].reason, "unknown service");
	CHECK(outbox_retry(st, b.ev[2].id) == BK_OK);
	CHECK(outbox_retry(st, b.ev[2].id) == BK_ERR_NOTFOUND);
	CHECK(outbox_retry(st, b.ev[0].id) == BK_ERR_NOTFOUND);
	outbox_batch_free(&b);

	/* deferred events are not due before their time */
	REQUIRE(outbox_next_batch(st, 10, now + 1000, &b) == BK_OK);
	REQUIRE(b.n == 3);
	{
		const char *ids[3] = { b.ev[0].id, b.ev[1].id, b.ev[2].id };
		CHECK(outbox_defer(st, ids, 3, now + 60000,
				   "connection refused") == BK_OK);
	}
	outbox_batch_free(&b);
	REQUIRE(outbox_next_batch(st, 10, now + 1000, &b) == BK_OK);
	CHECK_INT(b.n, 0);
	outbox_batch_free(&b);
	CHECK(outbox_next_due_in(st, now, &due) == BK_OK);
	CHECK_INT(due, 60000);
	REQUIRE(outbox_next_batch(st, 10, now + 60000, &b) == BK_OK);
	CHECK_INT(b.n, 3);
	for (int i = 0; i < b.n; i++) /* the re-queued one was tried twice */
		CHECK_INT(b.ev[i].attempts, strcmp(b.ev[i].id, dead[0].id) ? 1 : 2);
	outbox_batch_free(&b);
	store_close(st);
	check_rmtree(dir);
}

int main(void)
{
	static const struct check_test tests[] = {
		{ "lifecycle", test_lifecycle },
		{ NULL, NULL },
	};
	return check_main(tests);
}
