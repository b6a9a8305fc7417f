/* Check-in with a real SQLite store and a controlled clock: every outcome
 * by booking code, twice gives the same number, a failure half-way stores
 * nothing; by ID document: umlauts and MRZ spellings meet the booked
 * names, the choice among several, and no name or birth date anywhere in
 * the database files after a page with holders. */
#include <jansson.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "firmware/appointments.h"
#include "firmware/bookingcode.h"
#include "firmware/checkin.h"
#include "firmware/config.h"
#include "firmware/downsync_proto.h"
#include "firmware/outbox.h"
#include "firmware/store.h"
#include "firmware/util.h"

#define MIN 60000LL

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

/* Today (+ days) at local hh:mm, in ms. */
static int64_t at(int days, int hh, int mm)
{
	time_t now = time(NULL);
	struct tm tm;

	localtime_r(&now, &tm);
	tm.tm_mday += days;
	tm.tm_hour = hh;
	tm.tm_min = mm;
	tm.tm_sec = 0;
	tm.tm_isdst = -1;
	return (int64_t)mktime(&tm) * 1000;
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
	sqlite3_busy_timeout(db, 5000);
	rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
	sqlite3_close(db);
	return rc == SQLITE_OK ? 0 : -1;
}

static int render_ok(void *ctx, const struct ticket *t, unsigned char **data,
		     size_t *len)
{
	(void)ctx;
	*data = (unsigned char *)strdup(t->number);
	*len = strlen(t->number);
	return *data ? 0 : -1;
}

static struct downsync_appt appt(const char *id, const char *pn,
				 const char *code, const char *service,
				 int64_t slot)
{
	struct downsync_appt a;

	memset(&a, 0, sizeof a);
	snprintf(a.id, sizeof a.id, "%s", id);
	snprintf(a.process_number, sizeof a.process_number, "%s", pn);
	snprintf(a.booking_code, sizeof a.booking_code, "%s", code);
	snprintf(a.service_id, sizeof a.service_id, "%s", service);
	a.slot_start_ms = slot;
	a.slot_minutes = 15;
	a.updated_ms = store_now_ms();
	return a;
}

static void holder(struct downsync_appt *a, const char *surname,
		   const char *given, const char *dob)
{
	a->has_holder = 1;
	snprintf(a->holder.surname, sizeof a->holder.surname, "%s", surname);
	snprintf(a->holder.given_names, sizeof a->holder.given_names, "%s",
		 given);
	snprintf(a->holder.date_of_birth, sizeof a->holder.date_of_birth, "%s",
		 dob);
}

static int apply(struct store *st, struct downsync_appt *a, int n)
{
	struct downsync_page p = { .appt = a, .n = n };

	snprintf(p.cursor, sizeof p.cursor, "c%d", n);
	return appointments_apply_page(st, "musterstadt", &p, NULL, NULL);
}

static bk_err by_code(struct store *st, const char *pn, const char *code,
		      int64_t now, struct checkin_result *r)
{
	return checkin_by_code(st, &cfg, pn, code, "de", render_ok, NULL, now,
			       r);
}

static bk_err by_doc(struct store *st, const char *surname, const char *dob,
		     int64_t now, struct checkin_result *r)
{
	return checkin_by_holder(st, &cfg, surname, dob, "en", render_ok, NULL,
				 now, r);
}

static void test_outcomes_by_code(void)
{
	struct store *st = fresh_store();
	struct downsync_appt a[5];
	struct checkin_result r, r2;
	int64_t noon = at(0, 12, 0);

	REQUIRE(st);
	a[0] = appt("a-1", "482913", "K7QX2", "reisepass", noon);
	a[1] = appt("a-2", "519274", "M3PZ9", "personalausweis", noon);
	a[2] = appt("a-3", "600001", "CANC3", "reisepass", noon);
	a[2].cancelled = 1;
	a[3] = appt("a-4", "700001", "TMRW4", "reisepass", at(1, 9, 30));
	a[4] = appt("a-5", "800001", "EDGE5", "reisepass", noon);
	REQUIRE(apply(st, a, 5) == BK_OK);

	/* unknown: wrong code, wrong number, not a code at all */
	REQUIRE(by_code(st, "482913", "K7QX3", noon, &r) == BK_OK);
	CHECK_INT(r.outcome, CHECKIN_UNKNOWN);
	CHECK_STR(r.appointment_id, "");
	REQUIRE(by_code(st, "482914", "K7QX2", noon, &r) == BK_OK);
	CHECK_INT(r.outcome, CHECKIN_UNKNOWN);
	REQUIRE(by_code(st, "48291", "K7QX2", noon, &r) == BK_OK);
	CHECK_INT(r.outcome, CHECKIN_UNKNOWN);
	REQUIRE(by_code(st, "482913", "K7OX2", noon, &r) == BK_OK);
	CHECK_INT(r.outcome, CHECKIN_UNKNOWN);

	/* too early: 90 and 61 minutes before (window opens at -60) */
	REQUIRE(by_code(st, "482913", "K7QX2", noon - 90 * MIN, &r) == BK_OK);
	CHECK_INT(r.outcome, CHECKIN_TOO_EARLY);
	CHECK_INT(r.minutes_until_open, 30);
	CHECK_INT(r.slot_start_ms, noon);
	CHECK_INT(r.opens_ms, noon - 60 * MIN);
	CHECK_STR(r.ticket.number, "");
	REQUIRE(by_code(st, "482913", "K7QX2", noon - 61 * MIN + 1, &r) ==
		BK_OK);
	CHECK_INT(r.outcome, CHECKIN_TOO_EARLY);
	CHECK_INT(r.minutes_until_open, 1);
	CHECK_INT(sql_int("SELECT count(*) FROM tickets"), 0);

	/* tomorrow's appointment today */
	REQUIRE(by_code(st, "700001", "TMRW4", noon, &r) == BK_OK);
	CHECK_INT(r.outcome, CHECKIN_TOO_EARLY);
	CHECK(r.minutes_until_open > 60);
	CHECK_INT(r.slot_start_ms, at(1, 9, 30));

	/* cancelled, whatever the time */
	REQUIRE(by_code(st, "600001", "CANC3", noon, &r) == BK_OK);
	CHECK_INT(r.outcome, CHECKIN_CANCELLED);

	/* too late: 16 minutes after; the edge (15) is still in */
	REQUIRE(by_code(st, "519274", "M3PZ9", noon + 16 * MIN, &r) == BK_OK);
	CHECK_INT(r.outcome, CHECKIN_TOO_LATE);
	CHECK_INT(r.closes_ms, noon + 15 * MIN);
	REQUIRE(by_code(st, "800001", "EDGE5", noon + 15 * MIN, &r) == BK_OK);
	CHECK_INT(r.outcome, CHECKIN_CHECKED_IN);
	CHECK_STR(r.ticket.number, "B001");

	/* checked in at the window's opening minute, typed sloppily */
	REQUIRE(by_code(st, " 482 913", "k7q x2", noon - 60 * MIN, &r) ==
		BK_OK);
	CHECK_INT(r.outcome, CHECKIN_CHECKED_IN);
	CHECK_STR(r.ticket.number, "B002");
	CHECK_STR(r.ticket.kind, QUEUE_KIND_APPOINTMENT);
	CHECK_STR(r.ticket.service_id, "reisepass");
	CHECK_STR(r.ticket.lang, "de");
	CHECK_INT(r.ticket.created_ms, noon - 60 * MIN);
	CHECK(r.ticket.print_job_id > 0);
	CHECK_INT(r.ticket.reused, 0);
	CHECK_STR(r.appointment_id, "a-1");
	CHECK_INT(r.matches, 1);

	/* twice: the same ticket, nothing new stored */
	REQUIRE(by_code(st, "482913", "K7QX2", noon + 5 * MIN, &r2) == BK_OK);
	CHECK_INT(r2.outcome, CHECKIN_ALREADY);
	CHECK_STR(r2.ticket.number, "B002");
	CHECK_STR(r2.ticket.id, r.ticket.id);
	CHECK_INT(r2.ticket.print_job_id, r.ticket.print_job_id);
	CHECK_INT(r2.ticket.reused, 1);
	/* and still the same after the window closed */
	REQUIRE(by_code(st, "482913", "K7QX2", noon + 300 * MIN, &r2) == BK_OK);
	CHECK_INT(r2.outcome, CHECKIN_ALREADY);
	CHECK_STR(r2.ticket.number, "B002");

	CHECK_INT(sql_int("SELECT count(*) FROM tickets"), 2);
	CHECK_INT(sql_int("SELECT count(*) FROM tickets WHERE kind = "
			  "'appointment'"), 2);
	CHECK_INT(sql_int("SELECT count(*) FROM print_jobs"), 2);
	CHECK_INT(sql_int("SELECT count(*) FROM outbox WHERE type = "
			  "'ticket.issued'"), 2);
	CHECK_INT(sql_int("SELECT count(*) FROM outbox WHERE type = "
			  "'appointment.checked_in'"), 2);
	CHECK_INT(sql_int("SELECT count(*) FROM appointments WHERE id = 'a-1' "
			  "AND status = 'checked_in' AND ticket_id = (SELECT id "
			  "FROM tickets WHERE number = 'B002')"), 1);

	/* a walk-in ticket of the same service continues the numbers */
	{
		struct ticket t;

		REQUIRE(queue_issue_ticket(st, &cfg, "reisepass", "de", "w1",
					   NULL, NULL, &t) == BK_OK);
		CHECK_STR(t.kind, QUEUE_KIND_WALKIN);
	}
	CHECK(by_code(st, "482913", "K7QX2", noon, &r) == BK_OK);
	CHECK(checkin_by_code(st, &cfg, "482913", "K7QX2", "xx", NULL, NULL,
			      noon, &r) == BK_ERR_INVALID);
	store_close(st);
	check_rmtree(dir);
}

/* checkin.before_min / after_min move the window */
static void test_configured_window(void)
{
	struct store *st = fresh_store();
	struct downsync_appt a[1];
	struct checkin_result r;
	int64_t noon = at(0, 12, 0);
	int before = cfg.checkin_before_min, after = cfg.checkin_after_min;

	REQUIRE(st);
	a[0] = appt("a-1", "482913", "K7QX2", "reisepass", noon);
	REQUIRE(apply(st, a, 1) == BK_OK);
	cfg.checkin_before_min = 10;
	cfg.checkin_after_min = 0;
	REQUIRE(by_code(st, "482913", "K7QX2", noon - 30 * MIN, &r) == BK_OK);
	CHECK_INT(r.outcome, CHECKIN_TOO_EARLY);
	CHECK_INT(r.minutes_until_open, 20);
	REQUIRE(by_code(st, "482913", "K7QX2", noon + 1, &r) == BK_OK);
	CHECK_INT(r.outcome, CHECKIN_TOO_LATE);
	REQUIRE(by_code(st, "482913", "K7QX2", noon, &r) == BK_OK);
	CHECK_INT(r.outcome, CHECKIN_CHECKED_IN);
	cfg.checkin_before_min = before;
	cfg.checkin_after_min = after;
	store_close(st);
	check_rmtree(dir);
}

static void test_event_body(void)
{
	struct store *st = fresh_store();
	struct downsync_appt a[1];
	struct checkin_result r;
	struct outbox_batch b;
	int64_t noon = at(0, 12, 0);
	json_t *ev, *data;

	REQUIRE(st);
	a[0] = appt("a-1", "482913", "K7QX2", "personalausweis", noon);
	REQUIRE(apply(st, a, 1) == BK_OK);
	REQUIRE(by_code(st, "482913", "K7QX2", noon, &r) == BK_OK);
	REQUIRE(r.outcome == CHECKIN_CHECKED_IN);
	REQUIRE(outbox_next_batch(st, 10, store_now_ms() + 1, &b) == BK_OK);
	REQUIRE(b.n == 2);
	CHECK_STR(b.ev[0].type, "ticket.issued");
	CHECK_STR(b.ev[1].type, "appointment.checked_in");
	ev = json_loads(b.ev[1].body, 0, NULL);
	data = json_object_get(ev, "data");
	CHECK_STR(json_string_value(json_object_get(data, "appointment_id")),
		  "a-1");
	CHECK_STR(json_string_value(json_object_get(data, "ticket_id")),
		  r.ticket.id);
	CHECK_STR(json_string_value(json_object_get(data, "number")), "A001");
	CHECK_STR(json_string_value(json_object_get(data, "method")), "code");
	/* the code is the citizen's secret: not in the event */
	CHECK(strstr(b.ev[1].body, "K7QX2") == NULL);
	CHECK(strstr(b.ev[1].body, "482913") == NULL);
	json_decref(ev);
	ev = json_loads(b.ev[0].body, 0, NULL);
	CHECK_STR(json_string_value(json_object_get(json_object_get(ev,
		"data"), "kind")), "appointment");
	json_decref(ev);
	outbox_batch_free(&b);
	store_close(st);
	check_rmtree(dir);
}

/* A failure at any step leaves no trace; the retry then checks in. */
static void test_one_transaction(void)
{
	static const char *const faults[] = {
		"CREATE TRIGGER fault BEFORE INSERT ON outbox WHEN NEW.type = "
		"'appointment.checked_in' BEGIN SELECT RAISE(ABORT, 'x'); END",
		"CREATE TRIGGER fault BEFORE UPDATE ON appointments "
		"BEGIN SELECT RAISE(ABORT, 'x'); END",
		"CREATE TRIGGER fault BEFORE INSERT ON print_jobs "
		"BEGIN SELECT RAISE(ABORT, 'x'); END",
	};
	int64_t noon = at(0, 12, 0);

	for (size_t i = 0; i < sizeof faults / sizeof faults[0]; i++) {
		struct store *st = fresh_store();
		struct downsync_appt a[1];
		struct checkin_result r;

		REQUIRE(st);
		a[0] = appt("a-1", "482913", "K7QX2", "reisepass", noon);
		REQUIRE(apply(st, a, 1) == BK_OK);
		REQUIRE(sql_exec(faults[i]) == 0);
		CHECK(by_code(st, "482913", "K7QX2", noon, &r) != BK_OK);
		CHECK_STR(r.ticket.number, "");
		CHECK_INT(sql_int("SELECT count(*) FROM tickets"), 0);
		CHECK_INT(sql_int("SELECT count(*) FROM print_jobs"), 0);
		CHECK_INT(sql_int("SELECT count(*) FROM outbox"), 0);
		CHECK_INT(sql_int("SELECT count(*) FROM appointments WHERE "
				  "status = 'booked' AND ticket_id IS NULL"), 1);
		REQUIRE(sql_exec("DROP TRIGGER fault") == 0);
		REQUIRE(by_code(st, "482913", "K7QX2", noon, &r) == BK_OK);
		CHECK_INT(r.outcome, CHECKIN_CHECKED_IN);
		CHECK_STR(r.ticket.number, "B001");
		CHECK_INT(sql_int("SELECT count(*) FROM outbox"), 2);
		store_close(st);
		check_rmtree(dir);
	}
}

/* Two kiosks (threads with their own connections) check in the same
 * appointments at the same moment: each appointment gets one ticket, the
 * other kiosk sees ALREADY with its number. */
struct racer {
	int64_t now;
	int checked_in, already;
	char numbers[20][8];
};

static void *race(void *arg)
{
	struct racer *r = arg;
	struct store *st = NULL;
	char err[256];

	if (store_open(&st, dir, 10000, err, sizeof err))
		return NULL;
	for (int i = 0; i < 20; i++) {
		struct checkin_result res;
		char pn[8];

		snprintf(pn, sizeof pn, "2000%02d", i);
		if (by_code(st, pn, "RACE", r->now, &res) != BK_OK)
			continue;
		r->checked_in += res.outcome == CHECKIN_CHECKED_IN;
		r->already += res.outcome == CHECKIN_ALREADY;
		memcpy(r->numbers[i], res.ticket.number, 8);
	}
	store_close(st);
	return NULL;
}

static void test_two_kiosks_race(void)
{
	struct store *st = fresh_store();
	struct downsync_appt a[20];
	struct racer r[2];
	pthread_t th[2];
	int64_t noon = at(0, 12, 0);

	REQUIRE(st);
	for (int i = 0; i < 20; i++) {
		char id[16], pn[8];

		snprintf(id, sizeof id, "r-%d", i);
		snprintf(pn, sizeof pn, "2000%02d", i);
		a[i] = appt(id, pn, "RACE", "fundbuero", noon);
	}
	REQUIRE(apply(st, a, 20) == BK_OK);
	memset(r, 0, sizeof r);
	for (int i = 0; i < 2; i++) {
		r[i].now = noon;
		pthread_create(&th[i], NULL, race, &r[i]);
	}
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	CHECK_INT(r[0].checked_in + r[1].checked_in, 20);
	CHECK_INT(r[0].already + r[1].already, 20);
	for (int i = 0; i < 20; i++)
		CHECK_STR(r[0].numbers[i], r[1].numbers[i]);
	CHECK_INT(sql_int("SELECT count(*) FROM tickets"), 20);
	CHECK_INT(sql_int("SELECT count(DISTINCT number) FROM tickets"), 20);
	CHECK_INT(sql_int("SELECT count(*) FROM outbox WHERE type = "
			  "'appointment.checked_in'"), 20);
	store_close(st);
	check_rmtree(dir);
}

static void test_holder_normalise(void)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
		{ "Müller", "MUELLER" },
		{ "MUELLER", "MUELLER" },
		{ "Groß-Schäfer", "GROSSSCHAEFER" },
		{ "GROSS<SCHAEFER", "GROSSSCHAEFER" },
		{ "Yılmaz", "YILMAZ" },
		{ "Şahin", "SAHIN" },
		{ "Öztürk", "OEZTUERK" },
		{ "Al-Hassan", "ALHASSAN" },
		{ "O'Brien", "OBRIEN" },
		{ "Ørsted", "OERSTED" },
		{ "Łukasz Dvořák", "LUKASZDVORAK" },
		{ "Kovalenko", "KOVALENKO" },
	};
	char out[64];

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int n = appointments_holder_normalise(cases[i].in, out,
						      sizeof out);
		CHECK(n > 0);
		CHECK_STR(n > 0 ? out : "", cases[i].want);
	}
	/* no transliteration: no key rather than a wrong one */
	CHECK(appointments_holder_normalise("Коваленко", out, sizeof out) < 0);
	CHECK(appointments_holder_normalise("حسن", out, sizeof out) < 0);
	CHECK(appointments_holder_normalise("R2D2", out, sizeof out) < 0);
	CHECK(appointments_holder_normalise(" - ", out, sizeof out) < 0);
	CHECK(appointments_holder_normalise("\xff", out, sizeof out) < 0);
	CHECK(appointments_holder_normalise("Müller", out, 7) < 0);
}

static void test_holder_digest(void)
{
	unsigned char k1[32] = { 1 }, k2[32] = { 2 };
	unsigned char a[32], b[32];

	REQUIRE(appointments_holder_digest(k1, "Müller", "1985-03-14", a) ==
		BK_OK);
	/* DG1's spellings of the same name */
	REQUIRE(appointments_holder_digest(k1, "MUELLER", "1985-03-14", b) ==
		BK_OK);
	CHECK(!memcmp(a, b, 32));
	REQUIRE(appointments_holder_digest(k1, "MULLER", "1985-03-14", b) ==
		BK_OK);
	CHECK(!memcmp(a, b, 32));
	/* another birth date, another name, another kiosk key */
	REQUIRE(appointments_holder_digest(k1, "Müller", "1985-03-15", b) ==
		BK_OK);
	CHECK(memcmp(a, b, 32));
	REQUIRE(appointments_holder_digest(k1, "Miller", "1985-03-14", b) ==
		BK_OK);
	CHECK(memcmp(a, b, 32));
	REQUIRE(appointments_holder_digest(k2, "Müller", "1985-03-14", b) ==
		BK_OK);
	CHECK(memcmp(a, b, 32));
	/* a TD1 card cuts a long name: the first 24 characters count */
	REQUIRE(appointments_holder_digest(k1, "Wolfeschlegelsteinhausenbergerdorff",
					   "1970-01-01", a) == BK_OK);
	REQUIRE(appointments_holder_digest(k1, "WOLFESCHLEGELSTEINHAUSENBE",
					   "1970-01-01", b) == BK_OK);
	CHECK(!memcmp(a, b, 32));
	CHECK(appointments_holder_digest(k1, "Müller", "1985-02-30", b) ==
	      BK_ERR_INVALID);
	CHECK(appointments_holder_digest(k1, "Müller", "850314", b) ==
	      BK_ERR_INVALID);
	CHECK(appointments_holder_digest(k1, "Коваленко", "1985-03-14", b) ==
	      BK_ERR_INVALID);
}

static void test_by_document(void)
{
	struct store *st = fresh_store();
	struct downsync_appt a[7];
	struct checkin_result r, r2;
	int64_t noon = at(0, 12, 0);

	REQUIRE(st);
	a[0] = appt("h-1", "100001", "AAAA2", "personalausweis", noon);
	holder(&a[0], "Müller", "Anna Lena", "1985-03-14");
	a[1] = appt("h-2", "100002", "AAAA3", "reisepass", noon);
	holder(&a[1], "Öztürk", "Mehmet Ali", "1979-11-02");
	a[2] = appt("h-3", "100003", "AAAA4", "reisepass", noon);
	holder(&a[2], "Al-Hassan", "Omar", "1990-07-21");
	a[3] = appt("h-4", "100004", "AAAA5", "reisepass", noon);
	holder(&a[3], "Коваленко", "Олена", "1988-05-05");
	/* tomorrow's Müller is not today's */
	a[4] = appt("h-5", "100005", "AAAA6", "reisepass", at(1, 12, 0));
	holder(&a[4], "Schulz", "Peter", "1960-01-31");
	/* Yılmaz twice today: 09:00 and 14:00 */
	a[5] = appt("h-6", "100006", "AAAA7", "personalausweis", at(0, 9, 0));
	holder(&a[5], "Yılmaz", "Elif", "2001-12-24");
	a[6] = appt("h-7", "100007", "AAAA8", "reisepass", at(0, 14, 0));
	holder(&a[6], "Yılmaz", "Elif", "2001-12-24");
	REQUIRE(apply(st, a, 7) == BK_OK);
	CHECK_INT(sql_int("SELECT count(*) FROM appointments WHERE "
			  "holder_key IS NOT NULL"), 6);

	/* the German ID card's MRZ spelling meets the booked umlaut */
	REQUIRE(by_doc(st, "MUELLER", "1985-03-14", noon - 10 * MIN, &r) ==
		BK_OK);
	CHECK_INT(r.outcome, CHECKIN_CHECKED_IN);
	CHECK_STR(r.ticket.number, "A001");
	CHECK_STR(r.appointment_id, "h-1");
	CHECK_INT(r.matches, 1);
	REQUIRE(by_doc(st, "MUELLER", "1985-03-14", noon, &r2) == BK_OK);
	CHECK_INT(r2.outcome, CHECKIN_ALREADY);
	CHECK_STR(r2.ticket.number, "A001");
	CHECK_STR(r2.ticket.id, r.ticket.id);
	/* the booking code finds the same check-in */
	REQUIRE(by_code(st, "100001", "AAAA2", noon, &r2) == BK_OK);
	CHECK_INT(r2.outcome, CHECKIN_ALREADY);
	CHECK_STR(r2.ticket.number, "A001");

	/* a Turkish passport writes Ö Ü as O U */
	REQUIRE(by_doc(st, "OZTURK", "1979-11-02", noon, &r) == BK_OK);
	CHECK_INT(r.outcome, CHECKIN_CHECKED_IN);
	CHECK_STR(r.ticket.number, "B001");
	REQUIRE(by_doc(st, "AL HASSAN", "1990-07-21", noon, &r) == BK_OK);
	CHECK_INT(r.outcome, CHECKIN_CHECKED_IN);

	/* wrong birth date, tomorrow's, no key (Cyrillic booking) */
	REQUIRE(by_doc(st, "MUELLER", "1985-03-15", noon, &r) == BK_OK);
	CHECK_INT(r.outcome, CHECKIN_UNKNOWN);
	CHECK_INT(r.matches, 0);
	REQUIRE(by_doc(st, "SCHULZ", "1960-01-31", noon, &r) == BK_OK);
	CHECK_INT(r.outcome, CHECKIN_UNKNOWN);
	REQUIRE(by_doc(st, "KOVALENKO", "1988-05-05", noon, &r) == BK_OK);
	CHECK_INT(r.outcome, CHECKIN_UNKNOWN);
	REQUIRE(by_doc(st, "", "1988-05-05", noon, &r) == BK_OK);
	CHECK_INT(r.outcome, CHECKIN_UNKNOWN);

	/* two today: the one in its window */
	REQUIRE(by_doc(st, "YILMAZ", "2001-12-24", at(0, 7, 30), &r) == BK_OK);
	CHECK_INT(r.outcome, CHECKIN_TOO_EARLY);
	CHECK_STR(r.appointment_id, "h-6");
	CHECK_INT(r.minutes_until_open, 30);
	CHECK_INT(r.matches, 2);
	REQUIRE(by_doc(st, "YILMAZ", "2001-12-24", at(0, 8, 50), &r) == BK_OK);
	CHECK_INT(r.outcome, CHECKIN_CHECKED_IN);
	CHECK_STR(r.appointment_id, "h-6");
	CHECK_STR(r.ticket.number, "A002");
	/* back at 09:05: the 09:00 one, checked in */
	REQUIRE(by_doc(st, "YILMAZ", "2001-12-24", at(0, 9, 5), &r) == BK_OK);
	CHECK_INT(r.outcome, CHECKIN_ALREADY);
	CHECK_STR(r.ticket.number, "A002");
	/* 10:00: the next one is still to come */
	REQUIRE(by_doc(st, "YILMAZ", "2001-12-24", at(0, 10, 0), &r) == BK_OK);
	CHECK_INT(r.outcome, CHECKIN_TOO_EARLY);
	CHECK_STR(r.appointment_id, "h-7");
	/* 13:30: the 14:00 one */
	REQUIRE(by_doc(st, "YILMAZ", "2001-12-24", at(0, 13, 30), &r) == BK_OK);
	CHECK_INT(r.outcome, CHECKIN_CHECKED_IN);
	CHECK_STR(r.appointment_id, "h-7");
	CHECK_STR(r.ticket.number, "B003");
	/* evening: both checked in, the later one answers */
	REQUIRE(by_doc(st, "YILMAZ", "2001-12-24", at(0, 18, 0), &r) == BK_OK);
	CHECK_INT(r.outcome, CHECKIN_ALREADY);
	CHECK_STR(r.ticket.number, "B003");
	store_close(st);
	check_rmtree(dir);
}

/* A delta without holder removes the key; with one, sets it again; a
 * checked-in appointment stays checked in whatever the delta says. */
static void test_holder_delta(void)
{
	struct store *st = fresh_store();
	struct downsync_appt a[1];
	struct checkin_result r;
	int64_t noon = at(0, 12, 0);

	REQUIRE(st);
	a[0] = appt("h-1", "100001", "AAAA2", "reisepass", noon);
	REQUIRE(apply(st, a, 1) == BK_OK);
	CHECK_INT(sql_int("SELECT count(holder_key) FROM appointments"), 0);
	REQUIRE(by_doc(st, "SCHULZ", "1960-01-31", noon, &r) == BK_OK);
	CHECK_INT(r.outcome, CHECKIN_UNKNOWN);
	holder(&a[0], "Schulz", "Peter", "1960-01-31");
	REQUIRE(apply(st, a, 1) == BK_OK);
	CHECK_INT(sql_int("SELECT count(holder_key) FROM appointments"), 1);
	a[0].has_holder = 0;
	REQUIRE(apply(st, a, 1) == BK_OK);
	CHECK_INT(sql_int("SELECT count(holder_key) FROM appointments"), 0);
	REQUIRE(by_doc(st, "SCHULZ", "1960-01-31", noon, &r) == BK_OK);
	CHECK_INT(r.outcome, CHECKIN_UNKNOWN);
	a[0].has_holder = 1;
	REQUIRE(apply(st, a, 1) == BK_OK);
	REQUIRE(by_doc(st, "SCHULZ", "1960-01-31", noon, &r) == BK_OK);
	CHECK_INT(r.outcome, CHECKIN_CHECKED_IN);
	/* cancelled by the back office after the check-in: still in */
	a[0].cancelled = 1;
	REQUIRE(apply(st, a, 1) == BK_OK);
	REQUIRE(by_doc(st, "SCHULZ", "1960-01-31", noon, &r) == BK_OK);
	CHECK_INT(r.outcome, CHECKIN_ALREADY);
	CHECK_STR(r.ticket.number, "B001");
	store_close(st);
	check_rmtree(dir);
}

/* Returns 1 if needle occurs in the file's bytes. */
static int file_has(const char *path, const char *needle)
{
	size_t len = 0, n = strlen(needle);
	char *data = util_read_file(path, 64 << 20, &len);
	int found = 0;

	if (!data)
		return 0;
	for (size_t i = 0; i + n <= len && !found; i++)
		found = !memcmp(data + i, needle, n);
	free(data);
	return found;
}

static void test_no_names_in_database(void)
{
	static const char *const words[] = {
		"Müller", "MUELLER", "Mueller", "Anna", "Lena", "ANNA",
		"1985-03-14", "19850314", "850314", "Öztürk", "Mehmet",
		"OEZTUERK", "OZTURK", "1979-11-02",
	};
	struct store *st = fresh_store();
	struct downsync_appt a[2];
	struct checkin_result r;
	char db[300], wal[310];
	int64_t noon = at(0, 12, 0);
	size_t len = 0;
	char *reply;
	struct buf out = { 0 };
	struct downsync_page p = { .appt = a, .n = 2 }, parsed;

	REQUIRE(st);
	a[0] = appt("h-1", "100001", "AAAA2", "personalausweis", noon);
	holder(&a[0], "Müller", "Anna Lena", "1985-03-14");
	a[1] = appt("h-2", "100002", "AAAA3", "reisepass", noon);
	holder(&a[1], "Öztürk", "Mehmet Ali", "1979-11-02");
	snprintf(p.cursor, sizeof p.cursor, "7");
	/* over the wire and back, as the down-sync does */
	REQUIRE(downsync_proto_build_page(&p, &out) == BK_OK);
	reply = buf_take(&out, &len);
	REQUIRE(reply && strstr(reply, "\"holder\":{\"surname\":\"M"));
	REQUIRE(downsync_proto_parse_page(reply, len, &parsed, NULL, 0) ==
		BK_OK);
	free(reply);
	REQUIRE(parsed.n == 2 && parsed.appt[0].has_holder);
	CHECK_STR(parsed.appt[0].holder.given_names, "Anna Lena");
	REQUIRE(appointments_apply_page(st, "musterstadt", &parsed, NULL,
					NULL) == BK_OK);
	downsync_page_free(&parsed);
	REQUIRE(by_doc(st, "MUELLER", "1985-03-14", noon, &r) == BK_OK);
	CHECK_INT(r.outcome, CHECKIN_CHECKED_IN);
	store_close(st);

	snprintf(db, sizeof db, "%s/kiosk.db", dir);
	snprintf(wal, sizeof wal, "%s/kiosk.db-wal", dir);
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
		CHECK(!file_has(db, words[i]));
		CHECK(!file_has(wal, words[i]));
		if (file_has(db, words[i]) || file_has(wal, words[i]))
			fprintf(stderr, "  found word %zu\n", i);
	}
	/* the check itself can fail: the process number is there */
	CHECK(file_has(db, "100001") || file_has(wal, "100001"));
	check_rmtree(dir);
}

static void test_proto_holder(void)
{
	static const char good[] =
		"{\"appointments\":[{\"id\":\"x\",\"process_number\":\"1\","
		"\"booking_code\":\"AB\",\"service_id\":\"reisepass\","
		"\"slot_start\":\"2026-11-25T08:30:00Z\",\"slot_minutes\":15,"
		"\"status\":\"booked\",\"updated_at\":\"2026-11-24T17:01:02.345Z\""
		"%s}],\"cursor\":\"1\",\"more\":false}";
	static const char *const holders[] = {
		"",                                                   /* ok */
		",\"holder\":{\"surname\":\"Müller\",\"given_names\":\"\","
		"\"date_of_birth\":\"1985-03-14\"}",                  /* ok */
		",\"holder\":{\"surname\":\"\",\"given_names\":\"A\","
		"\"date_of_birth\":\"1985-03-14\"}",
		",\"holder\":{\"surname\":\"M\",\"given_names\":\"A\","
		"\"date_of_birth\":\"1985-02-30\"}",
		",\"holder\":{\"surname\":\"M\",\"date_of_birth\":\"1985-03-14\"}",
		",\"holder\":\"Müller\"",
		",\"holder\":{\"surname\":\"M\\u0001\",\"given_names\":\"A\","
		"\"date_of_birth\":\"1985-03-14\"}",
	};
	for (size_t i = 0; i < sizeof holders / sizeof holders[0]; i++) {
		char text[1024], why[128] = "";
		struct downsync_page p;
		bk_err e;

		snprintf(text, sizeof text, good, holders[i]);
		e = downsync_proto_parse_page(text, strlen(text), &p, why,
					      sizeof why);
		CHECK_INT(e, i < 2 ? BK_OK : BK_ERR_PROTOCOL);
		if (i == 1 && e == BK_OK)
			CHECK_STR(p.appt[0].holder.surname, "Müller");
		CHECK(strstr(why, "Müller") == NULL);
		downsync_page_free(&p);
	}
}

static void test_bookingcode_typed(void)
{
	char p[8], c[8];

	CHECK(bookingcode_normalise_process("482913", p) == BK_OK);
	CHECK_STR(p, "482913");
	CHECK(bookingcode_normalise_process(" 482 913 ", p) == BK_OK);
	CHECK_STR(p, "482913");
	CHECK(bookingcode_normalise_process("48-29-13", p) == BK_OK);
	CHECK_STR(p, "482913");
	/* the field holds digits: O is 0, I and l are 1 */
	CHECK(bookingcode_normalise_process("4O29l3", p) == BK_OK);
	CHECK_STR(p, "402913");
	CHECK(bookingcode_normalise_process("I00001", p) == BK_OK);
	CHECK_STR(p, "100001");
	CHECK(bookingcode_normalise_process("48291", p) == BK_ERR_INVALID);
	CHECK_STR(p, "");
	CHECK(bookingcode_normalise_process("4829134", p) == BK_ERR_INVALID);
	CHECK(bookingcode_normalise_process("48291A", p) == BK_ERR_INVALID);
	CHECK(bookingcode_normalise_process("", p) == BK_ERR_INVALID);
	CHECK(bookingcode_normalise_process(NULL, p) == BK_ERR_INVALID);

	CHECK(bookingcode_normalise_code("k7qx2", c) == BK_OK);
	CHECK_STR(c, "K7QX2");
	CHECK(bookingcode_normalise_code("K7Q X2", c) == BK_OK);
	CHECK_STR(c, "K7QX2");
	CHECK(bookingcode_normalise_code("ab-cd", c) == BK_OK);
	CHECK_STR(c, "ABCD");
	/* 0 O 1 I are never in a code: refused, not guessed */
	CHECK(bookingcode_normalise_code("K7OX2", c) == BK_ERR_INVALID);
	CHECK(bookingcode_normalise_code("K70X2", c) == BK_ERR_INVALID);
	CHECK(bookingcode_normalise_code("K7IX2", c) == BK_ERR_INVALID);
	CHECK(bookingcode_normalise_code("K71X2", c) == BK_ERR_INVALID);
	CHECK(bookingcode_normalise_code("K7\xc3\x84X2", c) == BK_ERR_INVALID);
	CHECK(bookingcode_normalise_code("ABC", c) == BK_ERR_INVALID);
	CHECK(bookingcode_normalise_code("ABCDEF", c) == BK_ERR_INVALID);
	CHECK(bookingcode_normalise_code("\xff\xfe", c) == BK_ERR_INVALID);
	CHECK_INT(bookingcode_code_char('q'), 'Q');
	CHECK_INT(bookingcode_code_char(' '), 0);
	CHECK_INT(bookingcode_code_char('O'), -1);
	CHECK_INT(bookingcode_code_char(0xD6), -1);
	CHECK_INT(bookingcode_process_char('o'), '0');
}

static void test_bookingcode_qr(void)
{
	static const struct {
		const char *scan, *process, *code;
	} good[] = {
		{ "BKT1:482913:K7QX2", "482913", "K7QX2" },
		{ "BKT1:482913:K7QX2\r\n", "482913", "K7QX2" },
		{ "  BKT1:482913:ABCD\t", "482913", "ABCD" },
		/* Caps Lock inverted the case */
		{ "bkt1:482913:k7qx2", "482913", "K7QX2" },
		/* US scanner on a German host: ':' → 'Ö', Y ↔ Z */
		{ "BKT1\xc3\x96" "482913\xc3\x96" "K7QZ2", "482913", "K7QY2" },
		{ "BKT1\xc3\x96" "482913\xc3\x96" "Y7QX2", "482913", "Z7QX2" },
		{ "bkt1\xc3\xb6" "482913\xc3\xb6" "y7qx2", "482913", "Z7QX2" },
		/* German scanner on a US host: ':' → '>', Y ↔ Z */
		{ "BKT1>482913>YZABC", "482913", "ZYABC" },
		/* Shift lost: ';' */
		{ "BKT1;482913;K7QX2", "482913", "K7QX2" },
	};
	static const char *const bad[] = {
		"", "BKT1", "BKT1:", "BKT1:482913", "BKT1:482913:",
		"BKT1:48291:K7QX2", "BKT1:4829134:K7QX2", "BKT2:482913:K7QX2",
		"BK1:482913:K7QX2", "BKT1:482913:K7Q", "BKT1:482913:K7QX22",
		"BKT1:482913:K7OX2", "BKT1:482913:K7QX2:", "BKT1:482913>K7QX2",
		"BKT1:48291O:K7QX2", "BKT1:482913:K7 QX2",
		"XBKT1:482913:K7QX2", "BKT1:482913:K7QX2 x",
		"BK1:musterstadt:2026-11-25:A001:2776fdf4-a1d2-4708-ab61-"
		"08ee6ac3097f:Qm9vayBvZiBTYW5kIGlz",
		"BKT1\xc3:482913:K7QX2", "BKT1:482913:K7QX\xc3\x96",
	};
	struct bookingcode bc;
	char qr[BOOKINGCODE_QR_MAX];

	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		bk_err e = bookingcode_parse_qr(good[i].scan,
						strlen(good[i].scan), &bc);
		CHECK_INT(e, BK_OK);
		CHECK_STR(bc.process, good[i].process);
		CHECK_STR(bc.code, good[i].code);
		if (e)
			fprintf(stderr, "  good[%zu] refused\n", i);
	}
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		bk_err e = bookingcode_parse_qr(bad[i], strlen(bad[i]), &bc);
		CHECK_INT(e, BK_ERR_INVALID);
		CHECK_STR(bc.process, "");
		if (!e)
			fprintf(stderr, "  bad[%zu] taken\n", i);
	}
	/* the length counts, not a NUL */
	CHECK(bookingcode_parse_qr("BKT1:482913:K7QX2", 16, &bc) == BK_OK);
	CHECK_STR(bc.code, "K7QX");
	CHECK(bookingcode_parse_qr("BKT1:482913:K7QX\0", 17, &bc) ==
	      BK_ERR_INVALID);
	/* made and read back */
	snprintf(bc.process, sizeof bc.process, "100001");
	snprintf(bc.code, sizeof bc.code, "ZZYY9");
	REQUIRE(bookingcode_make_qr(&bc, qr) == BK_OK);
	CHECK_STR(qr, "BKT1:100001:ZZYY9");
	snprintf(bc.code, sizeof bc.code, "zzyy9");
	CHECK(bookingcode_make_qr(&bc, qr) == BK_ERR_INVALID);
}

int main(void)
{
	static const struct check_test tests[] = {
		{ "outcomes_by_code", test_outcomes_by_code },
		{ "configured_window", test_configured_window },
		{ "event_body", test_event_body },
		{ "one_transaction", test_one_transaction },
		{ "two_kiosks_race", test_two_kiosks_race },
		{ "holder_normalise", test_holder_normalise },
		{ "holder_digest", test_holder_digest },
		{ "by_document", test_by_document },
		{ "holder_delta", test_holder_delta },
		{ "no_names_in_database", test_no_names_in_database },
		{ "proto_holder", test_proto_holder },
		{ "bookingcode_typed", test_bookingcode_typed },
		{ "bookingcode_qr", test_bookingcode_qr },
		{ NULL, NULL },
	};

	setenv("TZ", "Europe/Berlin", 1);
	tzset();
	load_cfg();
	return check_main(tests);
}
