/* Counters and calling (firmware/sitequeue.h): tokens, the call order,
 * the cool-down, parked tickets, the no-show rule, transfers, a conflict
 * on another counter's ticket, one transaction with its event, two
 * counters calling at once on two connections; statistics (stats.h). */
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "firmware/config.h"
#include "firmware/queue.h"
#include "firmware/sitequeue.h"
#include "firmware/stats.h"
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

/* One statement through a second connection; the first column of the
 * first row as an integer (-1 on error, 0 for no row). */
static long long sql_int(const char *sql)
{
	char path[300];
	sqlite3 *db;
	sqlite3_stmt *q;
	long long v = -1;

	snprintf(path, sizeof path, "%s/kiosk.db", dir);
	if (sqlite3_open(path, &db) != SQLITE_OK)
		return -1;
	sqlite3_busy_timeout(db, 5000);
	if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) == SQLITE_OK) {
		int rc = sqlite3_step(q);
		if (rc == SQLITE_ROW)
			v = sqlite3_column_int64(q, 0);
		else if (rc == SQLITE_DONE)
			v = 0;
		sqlite3_finalize(q);
	} else {
		fprintf(stderr, "%s: %s\n", sql, sqlite3_errmsg(db));
	}
	sqlite3_close(db);
	return v;
}

static void issue(struct store *st, const char *service, struct ticket *t)
{
	char key[40];

	snprintf(key, sizeof key, "k-%d", rand());
	if (queue_issue_ticket(st, &cfg, service, "de", key, NULL, NULL, t))
		memset(t, 0, sizeof *t);
}

static void add_counter(struct store *st, const char *name,
			const char *services, struct sq_counter *c)
{
	char token[SQ_TOKEN_LEN], why[200];

	if (sq_counter_add(st, &cfg, name, services, token, c, why,
			   sizeof why))
		memset(c, 0, sizeof *c);
}

/* sq_act with just an action (and optionally a ticket id). */
static enum sq_outcome act(struct store *st, const struct sq_counter *c,
			   enum sq_action a, const char *ticket_id,
			   int64_t now, struct sq_result *r)
{
	struct sq_request rq = { .action = a };

	if (ticket_id)
		snprintf(rq.ticket_id, sizeof rq.ticket_id, "%s", ticket_id);
	if (sq_act(st, &cfg, c->id, &rq, now, r) != BK_OK)
		return (enum sq_outcome)-1;
	return r->outcome;
}

/* next, and the number it called ("" for none) */
static const char *next_number(struct store *st, const struct sq_counter *c,
			       int64_t now, struct sq_result *r)
{
	if (act(st, c, SQ_NEXT, NULL, now, r) != SQ_OK)
		return "ERR";
	return r->have_ticket ? r->ticket.number : "";
}

static void test_tokens(void)
{
	struct store *st = fresh_store();
	struct sq_counter c, a;
	char token[SQ_TOKEN_LEN], why[200];
	char hex[200];

	REQUIRE(st);
	REQUIRE(sq_counter_add(st, &cfg, "Schalter 3", "personalausweis,"
			       "reisepass", token, &c, why, sizeof why) == 0);
	CHECK_INT(strlen(token), 43);
	CHECK_INT(c.n_services, 2);
	CHECK(sq_counter_auth(st, token, &a) == BK_OK);
	CHECK_STR(a.name, "Schalter 3");
	/* the token itself is nowhere in the file, only its hash */
	snprintf(hex, sizeof hex, "SELECT count(*) FROM counters WHERE "
		 "instr(CAST(token_hash AS TEXT), '%.20s') > 0 OR "
		 "services LIKE '%%%.20s%%'", token, token);
	CHECK_INT(sql_int(hex), 0);
	CHECK(sq_counter_auth(st, "wrong", &a) == BK_ERR_AUTH);
	CHECK(sq_counter_auth(st, "", &a) == BK_ERR_AUTH);
	/* same name again, unknown service, bad name */
	CHECK(sq_counter_add(st, &cfg, "Schalter 3", "reisepass", token, &a,
			     why, sizeof why) == BK_ERR_INVALID);
	CHECK(strstr(why, "exists") != NULL);
	CHECK(sq_counter_add(st, &cfg, "X", "nope", token, &a, why,
			     sizeof why) == BK_ERR_INVALID);
	CHECK(sq_counter_add(st, &cfg, "X\n", "reisepass", token, &a, why,
			     sizeof why) == BK_ERR_INVALID);
	/* revoked: the old token stops working; the name can be reused */
	REQUIRE(sq_counter_add(st, &cfg, "Schalter 9", "reisepass", token, &a,
			       why, sizeof why) == 0);
	CHECK(sq_counter_revoke(st, "Schalter 9") == BK_OK);
	CHECK(sq_counter_auth(st, token, &a) == BK_ERR_AUTH);
	CHECK(sq_counter_revoke(st, "Schalter 9") == BK_ERR_NOTFOUND);
	CHECK(sq_counter_add(st, &cfg, "Schalter 9", "reisepass", token, &a,
			     why, sizeof why) == BK_OK);
	store_close(st);
	check_rmtree(dir);
}

/* appointment ticket whose slot starts at slot_ms */
static void make_appointment(struct store *st, struct ticket *t,
			     int64_t slot_ms)
{
	char sql[512];

	issue(st, "personalausweis", t);
	snprintf(sql, sizeof sql, "UPDATE tickets SET kind = 'appointment' "
		 "WHERE id = '%s'", t->id);
	sql_int(sql);
	snprintf(sql, sizeof sql, "INSERT INTO appointments (id, "
		 "process_number, booking_code, service_id, day, "
		 "slot_start_ms, status, ticket_id, updated_ms) VALUES "
		 "('ap-%s', '%s', 'X', 'personalausweis', '%s', %lld, "
		 "'checked_in', '%s', 0)", t->id, t->id, t->day,
		 (long long)slot_ms, t->id);
	sql_int(sql);
}

static void test_call_order(void)
{
	struct store *st = fresh_store();
	struct ticket w1, w2, w3, ap, ap2, b1;
	struct sq_counter c, cb;
	struct sq_result r;
	char sql[200];
	int64_t now;

	REQUIRE(st);
	add_counter(st, "A", "personalausweis", &c);
	add_counter(st, "B", "reisepass", &cb);
	issue(st, "personalausweis", &w1);
	issue(st, "personalausweis", &w2);
	issue(st, "personalausweis", &w3);
	issue(st, "reisepass", &b1);
	snprintf(sql, sizeof sql, "UPDATE tickets SET priority = 1 WHERE id = "
		 "'%s'", w3.id);
	sql_int(sql);
	now = store_now_ms();
	make_appointment(st, &ap, now + 60000);       /* due (2 min before) */
	make_appointment(st, &ap2, now + 1800000);    /* not yet due */
	CHECK_STR(next_number(st, &c, now, &r), ap.number);
	CHECK_INT(act(st, &c, SQ_FINISH, NULL, now, &r), SQ_OK);
	CHECK_STR(next_number(st, &c, now, &r), w3.number);   /* priority */
	/* next while serving finishes it */
	CHECK_INT(act(st, &c, SQ_START, NULL, now, &r), SQ_OK);
	CHECK_STR(next_number(st, &c, now, &r), w1.number);   /* arrival */
	CHECK_STR(r.event, "ticket.called");
	snprintf(sql, sizeof sql, "SELECT status = 'done' FROM tickets WHERE "
		 "id = '%s'", w3.id);
	CHECK_INT(sql_int(sql), 1);
	CHECK_INT(act(st, &c, SQ_FINISH, NULL, now, &r), SQ_OK);
	CHECK_STR(next_number(st, &c, now, &r), w2.number);
	CHECK_INT(act(st, &c, SQ_FINISH, NULL, now, &r), SQ_OK);
	/* only its services: B001 is never called by A */
	CHECK_STR(next_number(st, &c, now, &r), ap2.number);  /* not yet due */
	CHECK_INT(act(st, &c, SQ_FINISH, NULL, now, &r), SQ_OK);
	CHECK_STR(next_number(st, &c, now, &r), "");
	CHECK_STR(next_number(st, &cb, now, &r), b1.number);
	/* the due time is configurable: with 0 minutes ap3 waits */
	{
		struct ticket ap3, w4;

		cfg.queue_due_before_min = 0;
		make_appointment(st, &ap3, now + 60000);
		issue(st, "personalausweis", &w4);
		CHECK_STR(next_number(st, &c, now, &r), w4.number);
		CHECK_INT(act(st, &c, SQ_FINISH, NULL, now, &r), SQ_OK);
		CHECK_STR(next_number(st, &c, now, &r), ap3.number);
		cfg.queue_due_before_min = 2;
	}
	store_close(st);
	check_rmtree(dir);
}

static void test_cooldown_and_parked(void)
{
	struct store *st = fresh_store();
	struct ticket w1, w2;
	struct sq_counter c;
	struct sq_result r;
	struct sq_request rq = { .action = SQ_UNPARK };
	int64_t now;

	REQUIRE(st);
	add_counter(st, "A", "personalausweis", &c);
	issue(st, "personalausweis", &w1);
	issue(st, "personalausweis", &w2);
	now = store_now_ms();
	CHECK_STR(next_number(st, &c, now, &r), w1.number);
	/* next while w1 is only called: w1 goes back, w2 comes */
	CHECK_STR(next_number(st, &c, now + 1000, &r), w2.number);
	CHECK_INT(act(st, &c, SQ_FINISH, NULL, now + 1000, &r), SQ_OK);
	/* w1 in its cool-down (60 s from its last call) */
	CHECK_STR(next_number(st, &c, now + 30000, &r), "");
	CHECK_STR(next_number(st, &c, now + 61000, &r), w1.number);
	CHECK_INT(r.ticket.calls, 2);
	/* parked: only an explicit unpark calls it */
	CHECK_INT(act(st, &c, SQ_PARK, NULL, now + 62000, &r), SQ_OK);
	CHECK_STR(r.event, "ticket.parked");
	CHECK_STR(next_number(st, &c, now + 200000, &r), "");
	snprintf(rq.number, sizeof rq.number, "%s", w1.number);
	REQUIRE(sq_act(st, &cfg, c.id, &rq, now + 201000, &r) == BK_OK);
	CHECK_INT(r.outcome, SQ_OK);
	CHECK_STR(r.event, "ticket.unparked");
	CHECK_STR(r.ticket.number, w1.number);
	CHECK_STR(r.ticket.status, "called");
	/* unpark while holding one: conflict */
	REQUIRE(sq_act(st, &cfg, c.id, &rq, now + 202000, &r) == BK_OK);
	CHECK_INT(r.outcome, SQ_CONFLICT);
	store_close(st);
	check_rmtree(dir);
}

static void test_noshow_rule(void)
{
	struct store *st = fresh_store();
	struct ticket w1;
	struct sq_counter c;
	struct sq_result r;
	int64_t now;

	REQUIRE(st);
	add_counter(st, "A", "personalausweis", &c);
	issue(st, "personalausweis", &w1);
	now = store_now_ms();
	CHECK_STR(next_number(st, &c, now, &r), w1.number);
	CHECK_INT(act(st, &c, SQ_NOSHOW, NULL, now, &r), SQ_CONFLICT);
	CHECK(strstr(r.why, "after 2 calls") != NULL);
	CHECK_INT(act(st, &c, SQ_RECALL, NULL, now, &r), SQ_OK);
	CHECK_STR(r.event, "ticket.recalled");
	CHECK_INT(r.ticket.calls, 2);
	CHECK_INT(act(st, &c, SQ_NOSHOW, NULL, now, &r), SQ_OK);
	CHECK_INT(sql_int("SELECT count(*) FROM tickets WHERE status = "
			  "'no_show'"), 1);
	/* nothing held any more */
	CHECK_INT(act(st, &c, SQ_FINISH, NULL, now, &r), SQ_CONFLICT);
	store_close(st);
	check_rmtree(dir);
}

static void test_transfer_and_other_counter(void)
{
	struct store *st = fresh_store();
	struct ticket w1, w2, b1;
	struct sq_counter a, b;
	struct sq_result r;
	struct sq_request rq = { .action = SQ_TRANSFER };
	long long before;
	int64_t now;

	REQUIRE(st);
	add_counter(st, "A", "personalausweis", &a);
	add_counter(st, "B", "reisepass", &b);
	issue(st, "personalausweis", &w1);
	issue(st, "personalausweis", &w2);
	issue(st, "reisepass", &b1);
	now = store_now_ms();
	CHECK_STR(next_number(st, &a, now, &r), w1.number);
	/* B acts on A's ticket: conflict, nothing written */
	before = sql_int("SELECT count(*) FROM outbox");
	CHECK_INT(act(st, &b, SQ_FINISH, w1.id, now, &r), SQ_CONFLICT);
	CHECK(strstr(r.why, "held by counter A") != NULL);
	CHECK_INT(sql_int("SELECT count(*) FROM outbox"), before);
	/* to the other service: B calls it (before B001: it arrived first) */
	snprintf(rq.to_service, sizeof rq.to_service, "reisepass");
	REQUIRE(sq_act(st, &cfg, a.id, &rq, now, &r) == BK_OK);
	CHECK_INT(r.outcome, SQ_OK);
	CHECK_STR(r.event, "ticket.transferred");
	CHECK_STR(next_number(st, &b, now + 1000, &r), w1.number);
	CHECK_INT(r.ticket.calls, 1);
	/* to a counter: B sends it to A, who gets it before w2 */
	memset(&rq, 0, sizeof rq);
	rq.action = SQ_TRANSFER;
	snprintf(rq.to_counter, sizeof rq.to_counter, "A");
	REQUIRE(sq_act(st, &cfg, b.id, &rq, now + 2000, &r) == BK_OK);
	CHECK_INT(r.outcome, SQ_OK);
	CHECK_STR(next_number(st, &b, now + 3000, &r), b1.number);
	CHECK_STR(next_number(st, &a, now + 3000, &r), w1.number);
	/* an unknown target */
	snprintf(rq.to_counter, sizeof rq.to_counter, "Nobody");
	REQUIRE(sq_act(st, &cfg, a.id, &rq, now + 4000, &r) == BK_OK);
	CHECK_INT(r.outcome, SQ_NOTFOUND);
	store_close(st);
	check_rmtree(dir);
}

static void test_event_in_transaction(void)
{
	struct store *st = fresh_store();
	struct ticket w1;
	struct sq_counter a;
	struct sq_result r;
	char sql[300];
	int64_t now;

	REQUIRE(st);
	add_counter(st, "A", "personalausweis", &a);
	issue(st, "personalausweis", &w1);
	now = store_now_ms();
	CHECK_STR(next_number(st, &a, now, &r), w1.number);
	snprintf(sql, sizeof sql, "SELECT count(*) FROM outbox WHERE type = "
		 "'ticket.called' AND json_extract(body, '$.data.ticket_id') "
		 "= '%s' AND json_extract(body, '$.data.counter') = 'A'",
		 w1.id);
	CHECK_INT(sql_int(sql), 1);
	CHECK(r.site_event_id > 0);
	CHECK_INT(sql_int("SELECT count(*) FROM site_events WHERE type = "
			  "'call' AND counter_name = 'A'"), 1);
	/* pause: next is refused, resume: works */
	CHECK_INT(act(st, &a, SQ_PAUSE, NULL, now, &r), SQ_OK);
	CHECK_STR(r.event, "counter.paused");
	CHECK_INT(act(st, &a, SQ_NEXT, NULL, now, &r), SQ_CONFLICT);
	CHECK_INT(act(st, &a, SQ_RESUME, NULL, now, &r), SQ_OK);
	CHECK_INT(sql_int("SELECT count(*) FROM outbox WHERE type IN "
			  "('counter.paused', 'counter.resumed')"), 2);
	/* a held lock makes the action fail without a trace */
	{
		char path[300];
		sqlite3 *db;
		long long n = sql_int("SELECT count(*) FROM outbox");
		struct store *st2 = NULL;
		char err[200];

		snprintf(path, sizeof path, "%s/kiosk.db", dir);
		REQUIRE(store_open(&st2, dir, 100, err, sizeof err) == 0);
		REQUIRE(sqlite3_open(path, &db) == SQLITE_OK);
		sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
		CHECK(sq_act(st2, &cfg, a.id, &(struct sq_request){
			     .action = SQ_START }, now, &r) == BK_ERR_BUSY);
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		sqlite3_close(db);
		store_close(st2);
		CHECK_INT(sql_int("SELECT count(*) FROM outbox"), n);
	}
	store_close(st);
	check_rmtree(dir);
}

struct racer {
	const char *counter_id;
	char numbers[64][8];
	int n;
	int errors;
};

static void *race(void *arg)
{
	struct racer *rc = arg;
	struct store *st = NULL;
	char err[200];

	if (store_open(&st, dir, 10000, err, sizeof err)) {
		rc->errors++;
		return NULL;
	}
	for (int i = 0; i < 40; i++) {
		struct sq_request rq = { .action = SQ_NEXT };
		struct sq_result r;

		if (sq_act(st, &cfg, rc->counter_id, &rq, store_now_ms(), &r) ||
		    r.outcome != SQ_OK) {
			rc->errors++;
			continue;
		}
		if (!r.have_ticket)
			break;
		memcpy(rc->numbers[rc->n++], r.ticket.number, 8);
		rq.action = SQ_FINISH;
		if (sq_act(st, &cfg, rc->counter_id, &rq, store_now_ms(), &r))
			rc->errors++;
	}
	store_close(st);
	return NULL;
}

static void test_two_counters_race(void)
{
	struct store *st = fresh_store();
	struct sq_counter a, b;
	struct racer ra = { 0 }, rb = { 0 };
	pthread_t ta, tb;
	struct ticket t;
	int dup = 0;

	REQUIRE(st);
	add_counter(st, "A", "personalausweis", &a);
	add_counter(st, "B", "personalausweis", &b);
	for (int i = 0; i < 40; i++)
		issue(st, "personalausweis", &t);
	ra.counter_id = a.id;
	rb.counter_id = b.id;
	pthread_create(&ta, NULL, race, &ra);
	pthread_create(&tb, NULL, race, &rb);
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);
	CHECK_INT(ra.errors + rb.errors, 0);
	CHECK_INT(ra.n + rb.n, 40);
	for (int i = 0; i < ra.n; i++)
		for (int k = 0; k < rb.n; k++)
			dup += !strcmp(ra.numbers[i], rb.numbers[k]);
	CHECK_INT(dup, 0);
	CHECK_INT(sql_int("SELECT count(*) FROM outbox WHERE type = "
			  "'ticket.called'"), 40);
	CHECK_INT(sql_int("SELECT count(DISTINCT json_extract(body, "
			  "'$.data.ticket_id')) FROM outbox WHERE type = "
			  "'ticket.called'"), 40);
	store_close(st);
	check_rmtree(dir);
}

static void test_stats(void)
{
	struct store *st = fresh_store();
	struct stats_service s[CONFIG_MAX_SERVICES * 2];
	struct ticket w1, w2;
	struct sq_counter a;
	struct sq_result r;
	char sql[300];
	int n, secs, measured, pushed;
	int64_t now;

	REQUIRE(st);
	add_counter(st, "A", "personalausweis", &a);
	issue(st, "personalausweis", &w1);
	issue(st, "personalausweis", &w2);
	now = store_now_ms();
	/* issued now; called after 120 s / 300 s; served 240 s / 60 s */
	snprintf(sql, sizeof sql, "UPDATE tickets SET created_ms = %lld",
		 (long long)now);
	sql_int(sql);
	CHECK_STR(next_number(st, &a, now + 120000, &r), w1.number);
	act(st, &a, SQ_START, NULL, now + 120000, &r);
	act(st, &a, SQ_FINISH, NULL, now + 360000, &r);
	CHECK_STR(next_number(st, &a, now + 300000, &r), w2.number);
	act(st, &a, SQ_START, NULL, now + 300000, &r);
	act(st, &a, SQ_FINISH, NULL, now + 360000, &r);
	REQUIRE(stats_day(st, &cfg, w1.day, s, CONFIG_MAX_SERVICES * 2, &n) ==
		BK_OK);
	REQUIRE(n >= 1);
	CHECK_STR(s[0].service_id, "personalausweis");
	CHECK_INT(s[0].issued, 2);
	CHECK_INT(s[0].called, 2);
	CHECK_INT(s[0].finished, 2);
	CHECK_INT(s[0].wait_avg_s, 210);
	CHECK_INT(s[0].wait_max_s, 300);
	CHECK_INT(s[0].service_avg_s, 150);
	CHECK_INT(s[0].service_median_s, 150);
	REQUIRE(stats_service_avg_last_hour(st, &cfg, "personalausweis",
					    now + 400000, &secs, &measured) ==
		BK_OK);
	CHECK_INT(measured, 1);
	CHECK_INT(secs, 150);
	stats_service_avg_last_hour(st, &cfg, "reisepass", now + 400000, &secs,
				    &measured);
	CHECK_INT(measured, 0);
	CHECK_INT(secs, cfg.queue_service_minutes * 60);
	/* today is not pushed; tomorrow it is, once, without personal data */
	CHECK(stats_push_pending(st, &cfg, now, &pushed) == BK_OK);
	CHECK_INT(pushed, 0);
	CHECK(stats_push_pending(st, &cfg, now + 86400000LL, &pushed) == BK_OK);
	CHECK_INT(pushed, 1);
	CHECK(stats_push_pending(st, &cfg, now + 86400000LL, &pushed) == BK_OK);
	CHECK_INT(pushed, 0);
	CHECK_INT(sql_int("SELECT count(*) FROM outbox WHERE type = "
			  "'stats.daily' AND json_extract(body, "
			  "'$.data.services[0].wait_avg_s') = 210"), 1);
	store_close(st);
	check_rmtree(dir);
}

int main(void)
{
	static const struct check_test tests[] = {
		{ "tokens", test_tokens },
		{ "call_order", test_call_order },
		{ "cooldown_and_parked", test_cooldown_and_parked },
		{ "noshow_rule", test_noshow_rule },
		{ "transfer_and_other_counter", test_transfer_and_other_counter },
		{ "event_in_transaction", test_event_in_transaction },
		{ "two_counters_race", test_two_counters_race },
		{ "stats", test_stats },
		{ NULL, NULL },
	};

	load_cfg();
	return check_main(tests);
}
