/* Ticket issuing: numbering per service and day, one transaction with its
 * outbox event, double taps, concurrency, and a store that cannot be used. */
#include <jansson.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "firmware/config.h"
#include "firmware/outbox.h"
#include "firmware/queue.h"
#include "firmware/store.h"

static struct config cfg;
static char dir[256];

static struct store *fresh_store(void)
{
	struct store *st = NULL;
	char err[256];

	check_tmpdir(dir);
	if (store_open(&st, dir, 5000, err, sizeof err)) {
		fprintf(stderr, "%s\n", err);
		return NULL;
	}
	return st;
}

static void load_cfg(void)
{
	char err[CONFIG_ERR_MAX];

	if (config_load(&cfg, BK_SOURCE_DIR "/assets/site.conf", err,
			sizeof err) < 0 ||
	    config_validate(&cfg, err, sizeof err) < 0) {
		fprintf(stderr, "%s\n", err);
		exit(2);
	}
}

/* Runs one SQL statement on DIR/kiosk.db through a second connection and
 * returns the first column of the first row as an integer. */
static long long sql_int(const char *sql)
{
	char path[300];
	sqlite3 *db;
	sqlite3_stmt *q;
	long long v = -1;

	snprintf(path, sizeof path, "%s/kiosk.db", dir);
	if (sqlite3_open(path, &db) != SQLITE_OK)
		return -1;
	if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) == SQLITE_OK) {
		int rc = sqlite3_step(q);
		if (rc == SQLITE_ROW)
			v = sqlite3_column_int64(q, 0);
		else if (rc == SQLITE_DONE)
			v = 0;
		sqlite3_finalize(q);
	}
	sqlite3_close(db);
	return v;
}

static int render_ok(void *ctx, const struct ticket *t, unsigned char **data,
		     size_t *len)
{
	(void)ctx;
	*data = (unsigned char *)strdup(t->number);
	*len = strlen(t->number);
	return *data ? 0 : -1;
}

static int render_fail(void *ctx, const struct ticket *t, unsigned char **data,
		       size_t *len)
{
	(void)ctx;
	(void)t;
	(void)data;
	(void)len;
	return -1;
}

static void test_numbers_per_service(void)
{
	struct store *st = fresh_store();
	struct ticket t;

	REQUIRE(st);
	REQUIRE(queue_issue_ticket(st, &cfg, "personalausweis", "de", "k1",
				   render_ok, NULL, &t) == BK_OK);
	CHECK_STR(t.number, "A001");
	CHECK_INT(t.ahead, 0);
	CHECK(t.print_job_id > 0);
	REQUIRE(queue_issue_ticket(st, &cfg, "personalausweis", "en", "k2",
				   render_ok, NULL, &t) == BK_OK);
	CHECK_STR(t.number, "A002");
	CHECK_INT(t.ahead, 1);
	CHECK_INT(t.wait_minutes, 4); /* 1 ahead x 8 min / 2 counters */
	REQUIRE(queue_issue_ticket(st, &cfg, "sonstiges", "de", "k3",
				   render_ok, NULL, &t) == BK_OK);
	CHECK_STR(t.number, "F001");
	CHECK_INT(t.ahead, 0);
	CHECK(queue_issue_ticket(st, &cfg, "nope", "de", "k4", render_ok,
				 NULL, &t) == BK_ERR_INVALID);
	/* a language the kiosk does not offer is not stored */
	CHECK(queue_issue_ticket(st, &cfg, "sonstiges", "a\"b", "k5",
				 render_ok, NULL, &t) == BK_ERR_INVALID);
	CHECK_INT(sql_int("SELECT count(*) FROM tickets"), 3);
	CHECK_INT(sql_int("SELECT count(*) FROM outbox"), 3);
	CHECK_INT(sql_int("SELECT count(*) FROM print_jobs"), 3);
	store_close(st);
	check_rmtree(dir);
}

static void test_same_key_same_ticket(void)
{
	struct store *st = fresh_store();
	struct ticket a, b;

	REQUIRE(st);
	REQUIRE(queue_issue_ticket(st, &cfg, "reisepass", "de", "tap-1",
				   render_ok, NULL, &a) == BK_OK);
	REQUIRE(queue_issue_ticket(st, &cfg, "reisepass", "de", "tap-1",
				   render_ok, NULL, &b) == BK_OK);
	CHECK_STR(a.number, b.number);
	CHECK_STR(a.id, b.id);
	CHECK_INT(a.reused, 0);
	CHECK_INT(b.reused, 1);
	CHECK_INT(b.print_job_id, a.print_job_id);
	CHECK_INT(sql_int("SELECT count(*) FROM tickets"), 1);
	CHECK_INT(sql_int("SELECT count(*) FROM outbox"), 1);
	store_close(st);
	check_rmtree(dir);
}

static void test_event_in_same_transaction(void)
{
	struct store *st = fresh_store();
	struct outbox_batch b;
	struct ticket t;
	json_t *ev;

	REQUIRE(st);
	REQUIRE(queue_issue_ticket(st, &cfg, "fundbuero", "de", "k",
				   NULL, NULL, &t) == BK_OK);
	CHECK_INT(t.print_job_id, 0);
	REQUIRE(outbox_next_batch(st, 10, store_now_ms(), &b) == BK_OK);
	REQUIRE(b.n == 1);
	CHECK_STR(b.ev[0].type, "ticket.issued");
	ev = json_loads(b.ev[0].body, 0, NULL);
	REQUIRE(ev);
	CHECK_STR(json_string_value(json_object_get(ev, "id")), b.ev[0].id);
	CHECK_STR(json_string_value(json_object_get(ev, "kiosk_id")),
		  "kiosk-01");
	CHECK_STR(json_string_value(json_object_get(
		json_object_get(ev, "data"), "number")), "E001");
	CHECK_STR(json_string_value(json_object_get(
		json_object_get(ev, "data"), "ticket_id")), t.id);
	json_decref(ev);
	outbox_batch_free(&b);
	store_close(st);
	check_rmtree(dir);
}

/* A priority ticket is stored, rendered and announced with its priority,
 * and the people ahead follow the counters' call order: a priority ticket
 * has only earlier priority tickets before it, a later walk-in has them
 * all. A repeated request reads the priority back. */
static int render_seen_priority;
static int render_note_priority(void *ctx, const struct ticket *t,
				unsigned char **data, size_t *len)
{
	render_seen_priority = t->priority;
	return render_ok(ctx, t, data, len);
}

static void test_priority_ticket(void)
{
	struct store *st = fresh_store();
	struct ticket w1, w2, p1, p2, w3, again;
	struct outbox_batch b;
	json_t *ev;

	REQUIRE(st);
	REQUIRE(queue_issue_ticket(st, &cfg, "reisepass", "de", "w1",
				   render_ok, NULL, &w1) == BK_OK);
	REQUIRE(queue_issue_ticket(st, &cfg, "reisepass", "de", "w2",
				   render_ok, NULL, &w2) == BK_OK);
	REQUIRE(queue_issue_ticket_prio(st, &cfg, "reisepass", "de", "p1", 1,
					render_note_priority, NULL,
					&p1) == BK_OK);
	CHECK_INT(render_seen_priority, 1);
	CHECK_INT(p1.priority, 1);
	CHECK_INT(p1.ahead, 0);          /* before the two walk-ins */
	REQUIRE(queue_issue_ticket_prio(st, &cfg, "reisepass", "de", "p2", 1,
					render_ok, NULL, &p2) == BK_OK);
	CHECK_INT(p2.ahead, 1);          /* only p1 */
	REQUIRE(queue_issue_ticket(st, &cfg, "reisepass", "de", "w3",
				   render_note_priority, NULL, &w3) == BK_OK);
	CHECK_INT(render_seen_priority, 0);
	CHECK_INT(w3.ahead, 4);
	REQUIRE(queue_issue_ticket_prio(st, &cfg, "reisepass", "de", "p2", 1,
					render_ok, NULL, &again) == BK_OK);
	CHECK_INT(again.reused, 1);
	CHECK_INT(again.priority, 1);
	CHECK_INT(again.ahead, 1);
	CHECK_INT(sql_int("SELECT count(*) FROM tickets WHERE priority = 1"),
		  2);
	REQUIRE(outbox_next_batch(st, 10, store_now_ms(), &b) == BK_OK);
	REQUIRE(b.n == 5);
	ev = json_loads(b.ev[2].body, 0, NULL);
	REQUIRE(ev);
	CHECK_STR(json_string_value(json_object_get(
		json_object_get(ev, "data"), "number")), p1.number);
	CHECK_INT(json_integer_value(json_object_get(
		json_object_get(ev, "data"), "priority")), 1);
	json_decref(ev);
	outbox_batch_free(&b);
	store_close(st);
	check_rmtree(dir);
}

static void test_render_failure_still_issues(void)
{
	struct store *st = fresh_store();
	struct ticket t;

	REQUIRE(st);
	REQUIRE(queue_issue_ticket(st, &cfg, "reisepass", "de", "k",
				   render_fail, NULL, &t) == BK_OK);
	CHECK_STR(t.number, "B001");
	CHECK_INT(t.print_job_id, 0);
	CHECK_INT(sql_int("SELECT count(*) FROM outbox"), 1);
	store_close(st);
	check_rmtree(dir);
}

static void test_counts_per_day(void)
{
	struct store *st = fresh_store();
	char sql[512];
	struct ticket t;

	REQUIRE(st);
	/* yesterday's tickets do not continue today's numbers */
	REQUIRE(sql_int("INSERT INTO tickets (id, request_key, service_id, "
			"day, seq, number, lang, created_ms) VALUES ('old', "
			"'old', 'personalausweis', '2000-01-01', 41, 'A041', "
			"'de', 0)") == 0);
	REQUIRE(queue_issue_ticket(st, &cfg, "personalausweis", "de", "k1",
				   NULL, NULL, &t) == BK_OK);
	CHECK_STR(t.number, "A001");
	CHECK_INT(t.ahead, 0);

	/* after A999 the service is exhausted for the day, and nothing of
	 * the failed attempt is left behind */
	snprintf(sql, sizeof sql, "INSERT INTO tickets (id, request_key, "
		 "service_id, day, seq, number, lang, created_ms) VALUES "
		 "('full', 'full', 'reisepass', '%s', 999, 'B999', 'de', 0)",
		 t.day);
	REQUIRE(sql_int(sql) == 0);
	CHECK(queue_issue_ticket(st, &cfg, "reisepass", "de", "k2", render_ok,
				 NULL, &t) == BK_ERR_EXHAUSTED);
	CHECK_INT(sql_int("SELECT count(*) FROM outbox"), 1);
	CHECK_INT(sql_int("SELECT count(*) FROM print_jobs"), 0);
	CHECK_INT(sql_int("SELECT count(*) FROM tickets WHERE request_key = "
			  "'k2'"), 0);
	store_close(st);
	check_rmtree(dir);
}

struct worker {
	int id;
	int ok;
	char numbers[50][8];
};

static void *issue_many(void *arg)
{
	struct worker *w = arg;
	struct store *st = NULL;
	char err[256];

	if (store_open(&st, dir, 10000, err, sizeof err))
		return NULL;
	for (int i = 0; i < 50; i++) {
		char key[32];
		struct ticket t;

		snprintf(key, sizeof key, "w%d-%d", w->id, i);
		if (queue_issue_ticket(st, &cfg, "meldeangelegenheiten", "de",
				       key, render_ok, NULL, &t) == BK_OK) {
			memcpy(w->numbers[i], t.number, sizeof t.number);
			w->ok++;
		}
	}
	store_close(st);
	return NULL;
}

static void test_concurrent_issuers_get_distinct_numbers(void)
{
	struct store *st = fresh_store();
	struct worker w[2] = { { .id = 0 }, { .id = 1 } };
	pthread_t th[2];

	REQUIRE(st);
	for (int i = 0; i < 2; i++)
		pthread_create(&th[i], NULL, issue_many, &w[i]);
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	CHECK_INT(w[0].ok + w[1].ok, 100);
	CHECK_INT(sql_int("SELECT count(DISTINCT number) FROM tickets"), 100);
	CHECK_INT(sql_int("SELECT max(seq) FROM tickets"), 100);
	CHECK_INT(sql_int("SELECT count(*) FROM outbox"), 100);
	store_close(st);
	check_rmtree(dir);
}

static void test_list_waiting(void)
{
	struct store *st = fresh_store();
	struct ticket t, list[8];
	int n = 0;

	REQUIRE(st);
	REQUIRE(queue_issue_ticket(st, &cfg, "reisepass", "de", "a", NULL,
				   NULL, &t) == BK_OK);
	REQUIRE(queue_issue_ticket(st, &cfg, "personalausweis", "de", "b",
				   NULL, NULL, &t) == BK_OK);
	REQUIRE(queue_issue_ticket(st, &cfg, "reisepass", "de", "c", NULL,
				   NULL, &t) == BK_OK);
	REQUIRE(queue_list_waiting(st, list, 8, &n) == BK_OK);
	REQUIRE(n == 3);
	CHECK_STR(list[0].number, "B001");
	CHECK_STR(list[1].number, "A001");
	CHECK_STR(list[2].number, "B002");
	CHECK_INT(list[2].ahead, 1);
	store_close(st);
	check_rmtree(dir);
}

static void test_print_job_outcome(void)
{
	struct store *st = fresh_store();
	struct print_counts pc;
	struct print_job job;
	struct store_health h[4];
	struct ticket t;
	int64_t id;
	int n;

	REQUIRE(st);
	REQUIRE(queue_issue_ticket(st, &cfg, "reisepass", "de", "a",
				   render_ok, NULL, &t) == BK_OK);
	REQUIRE(queue_print_job_get(st, t.print_job_id, &job) == BK_OK);
	CHECK_INT(job.len, 4);
	CHECK(memcmp(job.data, "B001", 4) == 0);
	queue_print_job_free(&job);
	CHECK(queue_print_job_get(st, 999, &job) == BK_ERR_NOTFOUND);
	/* a failed attempt keeps the job waiting for the printer */
	REQUIRE(queue_print_job_done(st, t.print_job_id, 0,
				     "paper end") == BK_OK);
	REQUIRE(queue_print_counts(st, &pc) == BK_OK);
	CHECK_INT(pc.pending, 1);
	CHECK_INT(pc.printed, 0);
	REQUIRE(queue_print_job_next_pending(st, &id) == BK_OK);
	CHECK_INT(id, t.print_job_id);
	/* printed once: a second "printed" or "failed" changes nothing */
	REQUIRE(queue_print_job_done(st, t.print_job_id, 1, NULL) == BK_OK);
	REQUIRE(queue_print_job_done(st, t.print_job_id, 0, "x") == BK_OK);
	REQUIRE(queue_print_counts(st, &pc) == BK_OK);
	CHECK_INT(pc.printed, 1);
	CHECK_INT(pc.pending, 0);
	REQUIRE(queue_print_job_next_pending(st, &id) == BK_OK);
	CHECK_INT(id, 0);
	REQUIRE(store_health_list(st, h, 4, &n) == BK_OK);
	CHECK_INT(n, 0); /* health is the printer path's business */

	/* a job of yesterday's ticket is never printed today */
	REQUIRE(queue_issue_ticket(st, &cfg, "reisepass", "de", "b",
				   render_ok, NULL, &t) == BK_OK);
	REQUIRE(sql_int("UPDATE tickets SET day = '2000-01-01' WHERE "
			"request_key = 'b'") == 0);
	REQUIRE(queue_print_job_next_pending(st, &id) == BK_OK);
	CHECK_INT(id, 0);
	REQUIRE(queue_print_jobs_expire(st, &n) == BK_OK);
	CHECK_INT(n, 1);
	REQUIRE(queue_print_counts(st, &pc) == BK_OK);
	CHECK_INT(pc.failed, 1);
	store_close(st);
	check_rmtree(dir);
}

/* Two processes on one kiosk.db (the kiosk and kioskctl): only one may
 * send a job; a claim left by a process that died is released. */
static void test_print_job_claim(void)
{
	struct store *st = fresh_store(), *other = NULL;
	char err[256];
	struct ticket t;
	int64_t id;
	int won = -1;

	REQUIRE(st);
	REQUIRE(store_open(&other, dir, 5000, err, sizeof err) == BK_OK);
	REQUIRE(queue_issue_ticket(st, &cfg, "reisepass", "de", "a",
				   render_ok, NULL, &t) == BK_OK);
	REQUIRE(queue_print_job_claim(st, t.print_job_id, &won) == BK_OK);
	CHECK_INT(won, 1);
	REQUIRE(queue_print_job_claim(other, t.print_job_id, &won) == BK_OK);
	CHECK_INT(won, 0);
	/* the retry loop does not see a job that is being sent */
	REQUIRE(queue_print_job_next_pending(other, &id) == BK_OK);
	CHECK_INT(id, 0);
	/* a failed attempt releases it for the next try */
	REQUIRE(queue_print_job_done(st, t.print_job_id, 0, "paper") == BK_OK);
	REQUIRE(queue_print_job_next_pending(other, &id) == BK_OK);
	CHECK_INT(id, t.print_job_id);
	REQUIRE(queue_print_job_claim(other, t.print_job_id, &won) == BK_OK);
	CHECK_INT(won, 1);
	REQUIRE(queue_print_job_done(other, t.print_job_id, 1, NULL) == BK_OK);
	REQUIRE(queue_print_job_claim(st, t.print_job_id, &won) == BK_OK);
	CHECK_INT(won, 0); /* printed: never again */

	/* a claim older than QUEUE_CLAIM_MS (its process died) is released */
	REQUIRE(queue_issue_ticket(st, &cfg, "reisepass", "de", "b",
				   render_ok, NULL, &t) == BK_OK);
	REQUIRE(queue_print_job_claim(st, t.print_job_id, &won) == BK_OK);
	REQUIRE(sql_int("UPDATE print_jobs SET claimed_ms = claimed_ms - "
			"120000 WHERE state = 'pending'") == 0);
	REQUIRE(queue_print_job_claim(other, t.print_job_id, &won) == BK_OK);
	CHECK_INT(won, 1);
	store_close(other);
	store_close(st);
	check_rmtree(dir);
}

static void test_unusable_database(void)
{
	struct store *st = NULL;
	char path[300], err[512];
	FILE *f;

	check_tmpdir(dir);
	snprintf(path, sizeof path, "%s/kiosk.db", dir);
	f = fopen(path, "w");
	REQUIRE(f);
	fputs("this is not a database, it is a shopping list\n", f);
	fclose(f);
	CHECK(store_open(&st, dir, 100, err, sizeof err) != BK_OK);
	CHECK(st == NULL);
	CHECK(strstr(err, path) != NULL);

	/* a data directory that cannot be created */
	CHECK(store_open(&st, "/proc/self/nope", 100, err, sizeof err) != BK_OK);
	CHECK(strstr(err, "/proc/self/nope") != NULL);
	check_rmtree(dir);
}

static void test_newer_schema_is_refused(void)
{
	struct store *st = fresh_store();
	char err[512];

	REQUIRE(st);
	store_close(st);
	REQUIRE(sql_int("PRAGMA user_version = 99") == 0);
	CHECK(store_open(&st, dir, 100, err, sizeof err) == BK_ERR_CORRUPT);
	CHECK(strstr(err, "newer") != NULL);
	check_rmtree(dir);
}

int main(void)
{
	static const struct check_test tests[] = {
		{ "numbers_per_service", test_numbers_per_service },
		{ "same_key_same_ticket", test_same_key_same_ticket },
		{ "event_in_same_transaction", test_event_in_same_transaction },
		{ "priority_ticket", test_priority_ticket },
		{ "render_failure_still_issues",
		  test_render_failure_still_issues },
		{ "counts_per_day", test_counts_per_day },
		{ "concurrent_issuers_get_distinct_numbers",
		  test_concurrent_issuers_get_distinct_numbers },
		{ "list_waiting", test_list_waiting },
		{ "print_job_outcome", test_print_job_outcome },
		{ "print_job_claim", test_print_job_claim },
		{ "unusable_database", test_unusable_database },
		{ "newer_schema_is_refused", test_newer_schema_is_refused },
		{ NULL, NULL },
	};
	load_cfg();
	return check_main(tests);
}
