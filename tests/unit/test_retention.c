/* Retention: delivered submissions go (at once with retention_hours 0,
 * after the period otherwise), their ciphertext is gone from kiosk.db and
 * its WAL; pending and dead ones stay, tickets stay. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "firmware/config.h"
#include "firmware/jwe.h"
#include "firmware/outbox.h"
#include "firmware/queue.h"
#include "firmware/retention.h"
#include "firmware/store.h"
#include "firmware/submission.h"
#include "firmware/util.h"

static char keydir[256];

static void setup(struct config *cfg, const char *hours)
{
	char err[512], pub[300];

	snprintf(pub, sizeof pub, "%s/backoffice-public.pem", keydir);
	if (config_load(cfg, BK_SOURCE_DIR "/assets/site.conf", err,
			sizeof err) != 0 ||
	    config_set(cfg, "backoffice.public_key", pub, err, sizeof err) ||
	    config_set(cfg, "store.retention_hours", hours, err, sizeof err)) {
		fprintf(stderr, "%s\n", err);
		exit(2);
	}
}

static int file_has(const char *path, const char *needle)
{
	size_t len = 0, n = strlen(needle);
	char *data = util_read_file(path, (size_t)256 << 20, &len);
	int found = 0;

	for (size_t i = 0; data && !found && i + n <= len; i++)
		found = !memcmp(data + i, needle, n);
	free(data);
	return found;
}

static int db_has(const char *dir, const char *needle)
{
	char path[512];

	snprintf(path, sizeof path, "%s/kiosk.db", dir);
	if (file_has(path, needle))
		return 1;
	snprintf(path, sizeof path, "%s/kiosk.db-wal", dir);
	return file_has(path, needle);
}

static void submit(struct store *st, const struct config *cfg,
		   struct submission_receipt *r)
{
	json_t *a = json_pack("{s:s}", "name", "Max Mustermann");
	char why[256];

	if (submission_submit(st, cfg, "fundsache", a, r, why, sizeof why)) {
		fprintf(stderr, "submit: %s\n", why);
		exit(2);
	}
	json_decref(a);
}

/* The ciphertext part of an event's JWE (a needle for db_has). */
static void cipher_of(struct store *st, const char *id, char out[64])
{
	struct outbox_batch b = { 0 };

	out[0] = '\0';
	if (outbox_next_batch(st, 100, store_now_ms() + 1000, &b))
		return;
	for (int i = 0; i < b.n; i++) {
		json_t *ev = json_loads(b.ev[i].body, 0, NULL);
		const char *jwe = json_string_value(json_object_get(
			json_object_get(ev, "data"), "jwe"));
		const char *p = jwe ? strchr(jwe, '.') : NULL;

		for (int k = 0; p && k < 2; k++)
			p = strchr(p + 1, '.');
		if (!strcmp(b.ev[i].id, id) && p)
			snprintf(out, 64, "%.40s", p + 1);
		json_decref(ev);
	}
	outbox_batch_free(&b);
}

static void test_at_ack(void)
{
	char dir[256], err[512], c1[64], c3[64];
	struct config cfg;
	struct store *st = NULL;
	struct submission_receipt r1, r2, r3;
	struct outbox_counts oc;
	struct ticket t;
	int purged = -1;

	setup(&cfg, "0");
	check_tmpdir(dir);
	REQUIRE(store_open(&st, dir, 1000, err, sizeof err) == BK_OK);
	submit(st, &cfg, &r1);
	submit(st, &cfg, &r2);
	submit(st, &cfg, &r3);
	REQUIRE(queue_issue_ticket(st, &cfg, "reisepass", "de", "k1", NULL,
				   NULL, &t) == BK_OK);
	cipher_of(st, r1.event_id, c1);
	cipher_of(st, r3.event_id, c3);
	REQUIRE(c1[0] && c3[0]);
	REQUIRE(db_has(dir, c1)); /* the search finds what is there */

	/* nothing delivered yet: nothing goes */
	CHECK(retention_purge(st, &cfg, store_now_ms(), &purged) == BK_OK);
	CHECK_INT(purged, 0);
	{
		struct outbox_batch b = { 0 };
		const char *ids[2];

		REQUIRE(outbox_next_batch(st, 10, store_now_ms() + 1000, &b)
			== BK_OK);
		REQUIRE(b.n == 4);
		ids[0] = r1.event_id;
		ids[1] = NULL;
		for (int i = 0; i < b.n; i++)
			if (!strcmp(b.ev[i].type, "ticket.issued"))
				ids[1] = b.ev[i].id;
		REQUIRE(ids[1]);
		CHECK(outbox_mark_delivered(st, ids, 2) == BK_OK);
		outbox_batch_free(&b);
	}
	CHECK(outbox_mark_dead(st, r2.event_id, "cannot decrypt") == BK_OK);

	CHECK(retention_purge(st, &cfg, store_now_ms(), &purged) == BK_OK);
	CHECK_INT(purged, 1);
	CHECK(outbox_counts(st, &oc) == BK_OK);
	CHECK_INT(oc.delivered, 1);   /* the ticket event */
	CHECK_INT(oc.dead, 1);        /* waits for a technician */
	CHECK_INT(oc.pending, 1);     /* r3, not delivered yet */
	CHECK(!db_has(dir, c1));      /* gone, also from the WAL */
	CHECK(db_has(dir, c3));
	CHECK(db_has(dir, t.number)); /* tickets stay */

	CHECK(retention_purge(st, &cfg, store_now_ms(), &purged) == BK_OK);
	CHECK_INT(purged, 0);
	store_close(st);
	CHECK(!db_has(dir, c1));
	check_rmtree(dir);
}

static void test_after_period(void)
{
	char dir[256], err[512];
	struct config cfg;
	struct store *st = NULL;
	struct submission_receipt r;
	struct outbox_counts oc;
	const int64_t hour = 3600 * 1000;
	int64_t now = store_now_ms();
	int purged = -1;

	setup(&cfg, "24");
	check_tmpdir(dir);
	REQUIRE(store_open(&st, dir, 1000, err, sizeof err) == BK_OK);
	submit(st, &cfg, &r);
	{
		const char *ids[1] = { r.event_id };
		CHECK(outbox_mark_delivered(st, ids, 1) == BK_OK);
	}
	CHECK(retention_purge(st, &cfg, now, &purged) == BK_OK);
	CHECK_INT(purged, 0);
	CHECK(retention_purge(st, &cfg, now + 23 * hour, &purged) == BK_OK);
	CHECK_INT(purged, 0);
	CHECK(retention_purge(st, &cfg, now + 25 * hour, &purged) == BK_OK);
	CHECK_INT(purged, 1);
	CHECK(outbox_counts(st, &oc) == BK_OK);
	CHECK_INT(oc.delivered + oc.pending + oc.dead, 0);
	store_close(st);
	check_rmtree(dir);
}

int main(void)
{
	static const struct check_test tests[] = {
		{ "at_ack", test_at_ack },
		{ "after_period", test_after_period },
		{ NULL, NULL },
	};
	char err[512];
	int rc;

	check_tmpdir(keydir);
	if (jwe_demo_keys(keydir, err, sizeof err) != BK_OK) {
		fprintf(stderr, "%s\n", err);
		return 2;
	}
	rc = check_main(tests);
	check_rmtree(keydir);
	return rc;
}
