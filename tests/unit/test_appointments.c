/* The down-sync cache (appointments.h) and its wire format
 * (downsync_proto.h): a page and its cursor in one transaction, deltas,
 * cancellation, sticky check-in, find by code, purge of past days, the
 * catalogue replaced whole, and the parsers' rules. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "firmware/appointments.h"
#include "firmware/downsync_proto.h"
#include "firmware/store.h"

static char dir[256];

static struct store *open_store(void)
{
	struct store *st = NULL;
	char err[256];

	if (store_open(&st, dir, 5000, err, sizeof err)) {
		fprintf(stderr, "%s\n", err);
		return NULL;
	}
	return st;
}

static struct store *fresh_store(void)
{
	check_tmpdir(dir);
	return open_store();
}

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

static int sql_exec(const char *sql)
{
	char path[300];
	sqlite3 *db;
	int rc;

	snprintf(path, sizeof path, "%s/kiosk.db", dir);
	if (sqlite3_open(path, &db) != SQLITE_OK)
		return -1;
	rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
	sqlite3_close(db);
	return rc == SQLITE_OK ? 0 : -1;
}

/* Local noon of today + days_ahead, in ms. */
static int64_t noon(int days_ahead)
{
	time_t now = time(NULL);
	struct tm tm;

	localtime_r(&now, &tm);
	tm.tm_mday += days_ahead;
	tm.tm_hour = 12;
	tm.tm_min = 0;
	tm.tm_sec = 0;
	tm.tm_isdst = -1;
	return (int64_t)mktime(&tm) * 1000;
}

static struct downsync_appt appt(const char *id, const char *pn,
				 const char *code, int days_ahead, int cancel)
{
	struct downsync_appt a = { 0 };

	snprintf(a.id, sizeof a.id, "%s", id);
	snprintf(a.process_number, sizeof a.process_number, "%s", pn);
	snprintf(a.booking_code, sizeof a.booking_code, "%s", code);
	snprintf(a.service_id, sizeof a.service_id, "reisepass");
	a.slot_start_ms = noon(days_ahead);
	a.slot_minutes = 15;
	a.cancelled = cancel;
	a.updated_ms = 1700000000000LL;
	return a;
}

static void test_page_and_cursor(void)
{
	struct store *st = fresh_store();
	struct downsync_appt a[3];
	struct downsync_page p = { 0 };
	struct appointment got;
	char cur[DOWNSYNC_PROTO_CURSOR_MAX];
	int stored = -1, removed = -1;

	REQUIRE(st);
	CHECK(appointments_cursor(st, "musterstadt", cur) == BK_OK);
	CHECK_STR(cur, "");
	a[0] = appt("a1", "100001", "K7QX2", 0, 0);
	a[1] = appt("a2", "100002", "M3PZ9", 1, 0);
	a[2] = appt("a3", "100003", "T4HW7", 2, 0);
	p.appt = a;
	p.n = 3;
	snprintf(p.cursor, sizeof p.cursor, "c3");
	CHECK(appointments_apply_page(st, "musterstadt", &p, &stored,
				      &removed) == BK_OK);
	CHECK_INT(stored, 3);
	CHECK_INT(removed, 0);
	CHECK(appointments_cursor(st, "musterstadt", cur) == BK_OK);
	CHECK_STR(cur, "c3");

	/* a restart (crash between pages) resumes at the stored cursor */
	store_close(st);
	st = open_store();
	REQUIRE(st);
	CHECK(appointments_cursor(st, "musterstadt", cur) == BK_OK);
	CHECK_STR(cur, "c3");
	CHECK(appointments_find(st, "100002", "M3PZ9", &got) == BK_OK);
	CHECK_STR(got.id, "a2");
	CHECK_STR(got.status, "booked");
	CHECK_INT(got.slot_start_ms, noon(1));
	CHECK_INT(got.slot_minutes, 15);
	/* the code is compared in upper case; a wrong one finds nothing */
	CHECK(appointments_find(st, "100002", "m3pz9", &got) == BK_OK);
	CHECK(appointments_find(st, "100002", "M3PZ8", &got) ==
	      BK_ERR_NOTFOUND);
	CHECK(appointments_find(st, "100001", "M3PZ9", &got) ==
	      BK_ERR_NOTFOUND);
	CHECK(appointments_find(st, "", "", &got) == BK_ERR_NOTFOUND);

	/* another site's cursor is not ours: start from the beginning */
	CHECK(appointments_cursor(st, "anderswo", cur) == BK_OK);
	CHECK_STR(cur, "");
	store_close(st);
	check_rmtree(dir);
}

/* A page that fails half-way leaves neither its rows nor its cursor. */
static void test_page_is_atomic(void)
{
	struct store *st = fresh_store();
	struct downsync_appt a[3];
	struct downsync_page p = { .appt = a, .n = 1 };
	char cur[DOWNSYNC_PROTO_CURSOR_MAX];

	REQUIRE(st);
	a[0] = appt("a1", "100001", "K7QX2", 0, 0);
	snprintf(p.cursor, sizeof p.cursor, "c1");
	REQUIRE(appointments_apply_page(st, "musterstadt", &p, NULL, NULL) ==
		BK_OK);
	/* the third row of the next page hits a fault in the database */
	REQUIRE(sql_exec("CREATE TRIGGER fault BEFORE INSERT ON appointments "
			 "WHEN NEW.id = 'boom' BEGIN "
			 "SELECT RAISE(ABORT, 'injected fault'); END") == 0);
	a[0] = appt("a1", "100001", "K7QX2", 0, 1); /* cancel a1 */
	a[1] = appt("a2", "100002", "M3PZ9", 0, 0);
	a[2] = appt("boom", "100003", "T4HW7", 0, 0);
	p.n = 3;
	snprintf(p.cursor, sizeof p.cursor, "c4");
	CHECK(appointments_apply_page(st, "musterstadt", &p, NULL, NULL) !=
	      BK_OK);
	CHECK(appointments_cursor(st, "musterstadt", cur) == BK_OK);
	CHECK_STR(cur, "c1");
	CHECK_INT(sql_int("SELECT count(*) FROM appointments"), 1);
	CHECK_INT(sql_int("SELECT count(*) FROM appointments WHERE "
			  "status = 'booked'"), 1);
	/* the same page again once the fault is gone: applied whole */
	REQUIRE(sql_exec("DROP TRIGGER fault") == 0);
	CHECK(appointments_apply_page(st, "musterstadt", &p, NULL, NULL) ==
	      BK_OK);
	CHECK(appointments_cursor(st, "musterstadt", cur) == BK_OK);
	CHECK_STR(cur, "c4");
	CHECK_INT(sql_int("SELECT count(*) FROM appointments"), 3);
	/* applying it a second time changes nothing (a repeated delta) */
	CHECK(appointments_apply_page(st, "musterstadt", &p, NULL, NULL) ==
	      BK_OK);
	CHECK_INT(sql_int("SELECT count(*) FROM appointments"), 3);
	store_close(st);
	check_rmtree(dir);
}

static void test_delta_cancel_move_checkin(void)
{
	struct store *st = fresh_store();
	struct downsync_appt a[2];
	struct downsync_page p = { .appt = a, .n = 2 };
	struct appointment got;

	REQUIRE(st);
	a[0] = appt("a1", "100001", "K7QX2", 0, 0);
	a[1] = appt("a2", "100002", "M3PZ9", 0, 0);
	snprintf(p.cursor, sizeof p.cursor, "2");
	REQUIRE(appointments_apply_page(st, "musterstadt", &p, NULL, NULL) ==
		BK_OK);
	/* delta: a1 cancelled, a2 moved to tomorrow */
	a[0].cancelled = 1;
	a[1] = appt("a2", "100002", "M3PZ9", 1, 0);
	a[1].slot_minutes = 30;
	snprintf(p.cursor, sizeof p.cursor, "4");
	REQUIRE(appointments_apply_page(st, "musterstadt", &p, NULL, NULL) ==
		BK_OK);
	CHECK(appointments_find(st, "100001", "K7QX2", &got) == BK_OK);
	CHECK_STR(got.status, "cancelled");
	CHECK(appointments_find(st, "100002", "M3PZ9", &got) == BK_OK);
	CHECK_INT(got.slot_start_ms, noon(1));
	CHECK_INT(got.slot_minutes, 30);
	/* un-cancelled again */
	a[0].cancelled = 0;
	p.n = 1;
	REQUIRE(appointments_apply_page(st, "musterstadt", &p, NULL, NULL) ==
		BK_OK);
	CHECK(appointments_find(st, "100001", "K7QX2", &got) == BK_OK);
	CHECK_STR(got.status, "booked");

	/* checked_in is the kiosk's fact: a later delta keeps it */
	REQUIRE(sql_exec("UPDATE appointments SET status = 'checked_in' "
			 "WHERE id = 'a1'") == 0);
	a[0].cancelled = 1;
	REQUIRE(appointments_apply_page(st, "musterstadt", &p, NULL, NULL) ==
		BK_OK);
	CHECK(appointments_find(st, "100001", "K7QX2", &got) == BK_OK);
	CHECK_STR(got.status, "checked_in");

	/* a new id taking an old pair retires the old id */
	a[0] = appt("a9", "100001", "K7QX2", 0, 0);
	REQUIRE(appointments_apply_page(st, "musterstadt", &p, NULL, NULL) ==
		BK_OK);
	CHECK(appointments_find(st, "100001", "K7QX2", &got) == BK_OK);
	CHECK_STR(got.id, "a9");
	CHECK_INT(sql_int("SELECT count(*) FROM appointments"), 2);

	/* a change of site drops the other site's rows */
	a[0] = appt("x1", "200001", "AAAAA", 0, 0);
	REQUIRE(appointments_apply_page(st, "anderswo", &p, NULL, NULL) ==
		BK_OK);
	CHECK_INT(sql_int("SELECT count(*) FROM appointments"), 1);
	store_close(st);
	check_rmtree(dir);
}

static void test_list_and_purge(void)
{
	struct store *st = fresh_store();
	struct downsync_appt a[4];
	struct downsync_page p = { .appt = a, .n = 4 };
	struct appointment list[8];
	char tomorrow[11];
	int n = -1, removed = -1;

	REQUIRE(st);
	a[0] = appt("a1", "100001", "K7QX2", 0, 0);
	a[1] = appt("a2", "100002", "M3PZ9", 1, 0);
	a[2] = appt("a3", "100003", "T4HW7", -1, 0); /* yesterday */
	a[3] = appt("a0", "100000", "B2CD3", 0, 0);
	a[3].slot_start_ms -= 3600 * 1000;           /* today, earlier */
	snprintf(p.cursor, sizeof p.cursor, "x");
	REQUIRE(appointments_apply_page(st, "musterstadt", &p, NULL,
					&removed) == BK_OK);
	CHECK_INT(removed, 0); /* yesterday's was never stored */
	CHECK_INT(sql_int("SELECT count(*) FROM appointments"), 3);
	CHECK(appointments_list_day(st, NULL, list, 8, &n) == BK_OK);
	REQUIRE(n == 2);
	CHECK_STR(list[0].id, "a0"); /* by slot */
	CHECK_STR(list[1].id, "a1");

	/* a row of yesterday (stored before midnight) is purged at start */
	REQUIRE(sql_exec("UPDATE appointments SET day = '2000-01-01' "
			 "WHERE id = 'a0'") == 0);
	CHECK(appointments_purge_before(st, NULL, &n) == BK_OK);
	CHECK_INT(n, 1);
	/* at the next day change today's go too, tomorrow's stay */
	appointments_local_day(noon(1), tomorrow);
	CHECK(appointments_purge_before(st, tomorrow, &n) == BK_OK);
	CHECK_INT(n, 1);
	CHECK(appointments_list_day(st, tomorrow, list, 8, &n) == BK_OK);
	CHECK_INT(n, 1);
	CHECK_INT(sql_int("SELECT count(*) FROM appointments"), 1);
	store_close(st);
	check_rmtree(dir);
}

static void test_catalogue_replace(void)
{
	struct store *st = fresh_store();
	struct downsync_service s[2] = { 0 };
	struct downsync_catalogue c = { .svc = s, .n = 2 }, got;
	char etag[APPOINTMENTS_ETAG_MAX];

	REQUIRE(st);
	CHECK(appointments_catalogue_read(st, &got) == BK_OK);
	CHECK_INT(got.n, 0);
	downsync_catalogue_free(&got);
	CHECK(appointments_catalogue_etag(st, etag) == BK_OK);
	CHECK_STR(etag, "");

	snprintf(s[0].id, sizeof s[0].id, "personalausweis");
	s[0].letter = 'A';
	snprintf(s[0].name, sizeof s[0].name, "Personalausweis");
	snprintf(s[0].names[0].lang, 8, "en");
	snprintf(s[0].names[0].text, CONFIG_TEXT_MAX, "Identity card");
	snprintf(s[0].names[1].lang, 8, "tr");
	snprintf(s[0].names[1].text, CONFIG_TEXT_MAX, "Kimlik kartı");
	s[0].n_names = 2;
	snprintf(s[1].id, sizeof s[1].id, "fundbuero");
	s[1].letter = 'E';
	snprintf(s[1].name, sizeof s[1].name, "Fundbüro");
	snprintf(c.version, sizeof c.version, "v1");
	CHECK(appointments_catalogue_replace(st, &c, "\"v1\"") == BK_OK);
	CHECK(appointments_catalogue_read(st, &got) == BK_OK);
	REQUIRE(got.n == 2);
	CHECK_STR(got.version, "v1");
	CHECK_STR(got.svc[0].id, "personalausweis");
	CHECK_INT(got.svc[0].n_names, 2);
	CHECK_STR(got.svc[1].name, "Fundbüro");
	downsync_catalogue_free(&got);
	CHECK(appointments_catalogue_etag(st, etag) == BK_OK);
	CHECK_STR(etag, "\"v1\"");

	/* replaced whole: a service that went away is gone */
	c.n = 1;
	s[0].n_names = 0;
	snprintf(c.version, sizeof c.version, "v2");
	CHECK(appointments_catalogue_replace(st, &c, "\"v2\"") == BK_OK);
	CHECK(appointments_catalogue_read(st, &got) == BK_OK);
	CHECK_INT(got.n, 1);
	CHECK_INT(got.svc[0].n_names, 0);
	downsync_catalogue_free(&got);

	/* an invalid one changes nothing */
	s[0].letter = 'a';
	CHECK(appointments_catalogue_replace(st, &c, "\"v3\"") ==
	      BK_ERR_INVALID);
	CHECK(appointments_catalogue_etag(st, etag) == BK_OK);
	CHECK_STR(etag, "\"v2\"");
	store_close(st);
	check_rmtree(dir);
}

static bk_err parse_page(const char *json, struct downsync_page *p)
{
	char why[200];

	return downsync_proto_parse_page(json, strlen(json), p, why,
					 sizeof why);
}

#define A_OK "{\"id\":\"a1\",\"process_number\":\"123456\"," \
	"\"booking_code\":\"K7QX2\",\"service_id\":\"reisepass\"," \
	"\"slot_start\":\"2026-11-25T08:30:00Z\",\"slot_minutes\":15," \
	"\"status\":\"booked\",\"updated_at\":\"2026-11-24T17:01:02.345Z\"}"

static void test_proto_page(void)
{
	static const char *const bad[] = {
		"",
		"[]",
		"{\"appointments\":[],\"cursor\":\"c\"}",
		"{\"appointments\":[],\"cursor\":\"c\",\"more\":true}",
		"{\"appointments\":[],\"cursor\":\"a b\",\"more\":false}",
		"{\"appointments\":[],\"cursor\":\"c\",\"cursor\":\"d\","
		"\"more\":false}",
		"{\"appointments\":[" A_OK "],\"cursor\":\"c\",\"more\":1}",
		"{\"appointments\":[{}],\"cursor\":\"c\",\"more\":false}",
		NULL,
	};
	static const char *const subst[][2] = {
		{ "\"booked\"", "\"maybe\"" },
		{ "K7QX2", "k7qx2" },
		{ "\"reisepass\"", "\"Reisepass\"" },
		{ "08:30:00Z", "08:30:00" },
		{ "2026-11-25", "2026-02-30" },
		{ "\"slot_minutes\":15", "\"slot_minutes\":0" },
		{ "\"slot_minutes\":15", "\"slot_minutes\":\"15\"" },
		{ "123456", "12 456" },
	};
	struct downsync_page p;
	struct buf out = { 0 };
	char text[1024];
	struct downsync_page again;

	for (int i = 0; bad[i]; i++) {
		CHECK(parse_page(bad[i], &p) != BK_OK);
		CHECK_INT(p.n, 0);
		downsync_page_free(&p);
	}
	snprintf(text, sizeof text, "{\"appointments\":[%s],\"cursor\":"
		 "\"17\",\"more\":false,\"extra\":1}", A_OK);
	REQUIRE(parse_page(text, &p) == BK_OK);
	REQUIRE(p.n == 1);
	CHECK_STR(p.cursor, "17");
	CHECK_STR(p.appt[0].booking_code, "K7QX2");
	CHECK_INT(p.appt[0].slot_start_ms, 1795595400000LL);
	CHECK_INT(p.appt[0].updated_ms % 1000, 345);
	/* what the back office builds, the kiosk parses back the same */
	CHECK(downsync_proto_build_page(&p, &out) == BK_OK);
	CHECK(downsync_proto_parse_page((const char *)out.data, out.len,
					&again, NULL, 0) == BK_OK);
	CHECK(again.n == 1 && !memcmp(&again.appt[0], &p.appt[0],
				      sizeof p.appt[0]));
	downsync_page_free(&again);
	downsync_page_free(&p);
	buf_free(&out);

	for (size_t i = 0; i < sizeof subst / sizeof subst[0]; i++) {
		char one[512], *at;
		const char *from = subst[i][0], *to = subst[i][1];

		snprintf(one, sizeof one, "%s", A_OK);
		at = strstr(one, from);
		REQUIRE(at);
		snprintf(text, sizeof text, "{\"appointments\":[%.*s%s%s],"
			 "\"cursor\":\"c\",\"more\":false}", (int)(at - one),
			 one, to, at + strlen(from));
		CHECK(parse_page(text, &p) == BK_ERR_PROTOCOL);
		downsync_page_free(&p);
	}
}

static void test_proto_catalogue(void)
{
	static const char ok[] =
		"{\"services\":[{\"id\":\"reisepass\",\"letter\":\"B\","
		"\"name\":\"Reisepass\",\"names\":{\"en\":\"Passport\"}}],"
		"\"version\":\"7\"}";
	static const char *const bad[] = {
		"{\"services\":[],\"version\":\"7\"}",
		"{\"services\":[{\"id\":\"a\",\"letter\":\"B\",\"name\":\"x\"},"
		"{\"id\":\"b\",\"letter\":\"B\",\"name\":\"y\"}],"
		"\"version\":\"7\"}",
		"{\"services\":[{\"id\":\"a\",\"letter\":\"BB\",\"name\":\"x\"}],"
		"\"version\":\"7\"}",
		"{\"services\":[{\"id\":\"a\",\"letter\":\"B\",\"name\":\"\"}],"
		"\"version\":\"7\"}",
		"{\"services\":[{\"id\":\"a\",\"letter\":\"B\",\"name\":\"x\\n\"}],"
		"\"version\":\"7\"}",
		"{\"services\":[{\"id\":\"a\",\"letter\":\"B\",\"name\":\"x\","
		"\"names\":{\"EN\":\"y\"}}],\"version\":\"7\"}",
		"{\"services\":[{\"id\":\"a\",\"letter\":\"B\",\"name\":\"x\"}]}",
		NULL,
	};
	struct downsync_catalogue c, again;
	struct buf out = { 0 };
	char why[200];

	REQUIRE(downsync_proto_parse_catalogue(ok, strlen(ok), &c, why,
					       sizeof why) == BK_OK);
	REQUIRE(c.n == 1);
	CHECK_STR(c.svc[0].names[0].text, "Passport");
	CHECK(downsync_proto_build_catalogue(&c, &out) == BK_OK);
	CHECK(downsync_proto_parse_catalogue((const char *)out.data, out.len,
					     &again, why, sizeof why) == BK_OK);
	CHECK_INT(again.n, 1);
	downsync_catalogue_free(&again);
	downsync_catalogue_free(&c);
	buf_free(&out);
	for (int i = 0; bad[i]; i++) {
		CHECK(downsync_proto_parse_catalogue(bad[i], strlen(bad[i]),
						     &c, why, sizeof why) !=
		      BK_OK);
		downsync_catalogue_free(&c);
	}
}

int main(void)
{
	static const struct check_test tests[] = {
		{ "page_and_cursor", test_page_and_cursor },
		{ "page_is_atomic", test_page_is_atomic },
		{ "delta_cancel_move_checkin", test_delta_cancel_move_checkin },
		{ "list_and_purge", test_list_and_purge },
		{ "catalogue_replace", test_catalogue_replace },
		{ "proto_page", test_proto_page },
		{ "proto_catalogue", test_proto_catalogue },
		{ NULL, NULL },
	};
	return check_main(tests);
}
