/* The kiosk's worker threads (ui/worker.c) through their public API, on the
 * example configuration and the virtual printer with its FAULT switch: what
 * a citizen or a technician would notice. A ticket comes out once; paper
 * out keeps the job and prints it once when the paper is back, never
 * twice; a repeated request is one ticket; a slow printer does not delay
 * the next number; paper near end only warns; a job of an earlier day is
 * never printed. Waits poll with a deadline and never assert on timing. */
#include <dirent.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "firmware/config.h"
#include "firmware/i18n.h"
#include "firmware/log.h"
#include "firmware/queue.h"
#include "firmware/store.h"
#include "ui/worker.h"

#define WAIT_SECONDS 10        /* deadline for any one result */

static struct config cfg;
static struct i18n i18n;

struct fixture {
	char dir[256];
	char printer[300];         /* the virtual printer's folder */
	struct worker *w;
};

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0)
		;
}

/* Waits up to WAIT_SECONDS for the next result. 1, or 0 on timeout. */
static int next_result(struct worker *w, struct worker_result *r)
{
	for (int i = 0; i < WAIT_SECONDS * 100; i++) {
		if (worker_poll(w, r))
			return 1;
		sleep_ms(10);
	}
	return 0;
}

static struct worker *start_worker(struct fixture *fx)
{
	struct worker_result r;
	struct worker *w = worker_create(&cfg, &i18n, fx->dir, NULL);

	if (!w)
		return NULL;
	if (!next_result(w, &r) || r.kind != WORKER_READY) {
		fprintf(stderr, "worker not ready: %s\n", r.error);
		worker_destroy(w);
		return NULL;
	}
	return w;
}

/* A fresh data dir, printer folder and worker; cfg names the printer. */
static int setup(struct fixture *fx)
{
	memset(fx, 0, sizeof *fx);
	check_tmpdir(fx->dir);
	snprintf(fx->printer, sizeof fx->printer, "%s/printer", fx->dir);
	if (mkdir(fx->printer, 0755) < 0)
		return -1;
	snprintf(cfg.printer_uri, sizeof cfg.printer_uri, "virtual:%s",
		 fx->printer);
	fx->w = start_worker(fx);
	return fx->w ? 0 : -1;
}

static void teardown(struct fixture *fx)
{
	worker_destroy(fx->w);
	check_rmtree(fx->dir);
}

/* The FAULT switch: "paper", "near", "slow", or NULL for a fixed printer. */
static void set_fault(const struct fixture *fx, const char *what)
{
	char path[320];
	FILE *f;

	snprintf(path, sizeof path, "%s/FAULT", fx->printer);
	if (!what) {
		unlink(path);
		return;
	}
	f = fopen(path, "w");
	if (!f || fputs(what, f) < 0) {
		perror(path);
		exit(2);
	}
	fclose(f);
}

/* Files in the printer's folder ending in suffix (".bin", ".png"). */
static int count_files(const struct fixture *fx, const char *suffix)
{
	size_t ls = strlen(suffix);
	struct dirent *e;
	DIR *d = opendir(fx->printer);
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d))) {
		size_t l = strlen(e->d_name);
		if (!strncmp(e->d_name, "job-", 4) && l > ls &&
		    !strcmp(e->d_name + l - ls, suffix))
			n++;
	}
	closedir(d);
	return n;
}

static int file_exists(const struct fixture *fx, const char *name)
{
	char path[400];
	struct stat sb;

	snprintf(path, sizeof path, "%s/%s", fx->printer, name);
	return stat(path, &sb) == 0 && sb.st_size > 0;
}

/* What a technician sees: print job counts and the printer's health
 * level (-1 when it has not reported), through the test's own
 * connection. */
static int store_view(const struct fixture *fx, struct print_counts *pc,
		      int *printer_level)
{
	struct store_health h[8];
	struct store *st = NULL;
	char err[256];
	int n = 0, rc = -1;

	*printer_level = -1;
	if (store_open(&st, fx->dir, 5000, err, sizeof err)) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	if (queue_print_counts(st, pc) == BK_OK &&
	    store_health_list(st, h, 8, &n) == BK_OK)
		rc = 0;
	for (int i = 0; i < n; i++)
		if (!strcmp(h[i].component, "printer"))
			*printer_level = h[i].ok;
	store_close(st);
	return rc;
}

/* Runs one statement on DIR/kiosk.db through a second connection, as
 * another process would. */
static int sql_exec(const struct fixture *fx, const char *sql)
{
	char path[300];
	sqlite3 *db;
	int rc;

	snprintf(path, sizeof path, "%s/kiosk.db", fx->dir);
	if (sqlite3_open(path, &db) != SQLITE_OK) {
		sqlite3_close(db);
		return -1;
	}
	sqlite3_busy_timeout(db, 5000);
	rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		fprintf(stderr, "%s: %s\n", sql, sqlite3_errmsg(db));
	sqlite3_close(db);
	return rc == SQLITE_OK ? 0 : -1;
}

/* Posts one issue job and takes its ISSUED and PRINTED results. */
static int issue(struct fixture *fx, const char *service, const char *key,
		 struct worker_result *issued, struct worker_result *printed)
{
	if (worker_post_issue(fx->w, service, cfg.default_language, key) < 0 ||
	    !next_result(fx->w, issued) || !next_result(fx->w, printed))
		return -1;
	return 0;
}

/* Waits up to `seconds` for the printer folder to hold n jobs. */
static int wait_jobs(const struct fixture *fx, int n, int seconds)
{
	for (int i = 0; i < seconds * 20; i++) {
		if (count_files(fx, ".bin") == n)
			return 1;
		sleep_ms(50);
	}
	return count_files(fx, ".bin") == n;
}

static void test_normal_issue(void)
{
	struct worker_result is, pr;
	struct print_counts pc;
	struct fixture fx;
	int level;

	REQUIRE(setup(&fx) == 0);
	REQUIRE(issue(&fx, "personalausweis", "key-a", &is, &pr) == 0);
	CHECK_INT(is.kind, WORKER_ISSUED);
	CHECK_STR(is.ticket.number, "A001");
	CHECK_STR(is.request_key, "key-a");
	CHECK_INT(pr.kind, WORKER_PRINTED);
	CHECK_STR(pr.request_key, "key-a");
	CHECK_STR(pr.ticket.id, is.ticket.id);
	CHECK_INT(pr.printed, 1);
	CHECK_INT(count_files(&fx, ".bin"), 1);
	CHECK(file_exists(&fx, "job-000001.bin"));
	CHECK(file_exists(&fx, "job-000001.png"));
	CHECK(store_view(&fx, &pc, &level) == 0);
	CHECK_INT(pc.printed, 1);
	CHECK_INT(pc.pending, 0);
	CHECK_INT(level, STORE_HEALTH_OK);
	teardown(&fx);
}

/* Paper out before the job: the number is shown, the job waits, the
 * technician sees the fault; refilled, the job prints exactly once. */
static void test_paper_out_then_refilled(void)
{
	struct worker_result is, pr;
	struct print_counts pc;
	struct fixture fx;
	int level;

	REQUIRE(setup(&fx) == 0);
	set_fault(&fx, "paper");
	REQUIRE(issue(&fx, "personalausweis", "key-b", &is, &pr) == 0);
	CHECK_INT(is.kind, WORKER_ISSUED);
	CHECK_STR(is.ticket.number, "A001");
	CHECK_INT(pr.kind, WORKER_PRINTED);
	CHECK_INT(pr.printed, 0);
	CHECK_INT(count_files(&fx, ".bin"), 0);
	CHECK(store_view(&fx, &pc, &level) == 0);
	CHECK_INT(pc.pending, 1);
	CHECK_INT(pc.printed, 0);
	CHECK_INT(level, STORE_HEALTH_FAULT);

	set_fault(&fx, NULL); /* paper refilled */
	CHECK(wait_jobs(&fx, 1, 3 * WORKER_RETRY_SECONDS + 2));
	/* never twice: two more idle rounds print nothing */
	sleep_ms(2 * WORKER_RETRY_SECONDS * 1000 + 500);
	CHECK_INT(count_files(&fx, ".bin"), 1);
	CHECK(file_exists(&fx, "job-000001.png"));
	CHECK(store_view(&fx, &pc, &level) == 0);
	CHECK_INT(pc.printed, 1);
	CHECK_INT(pc.pending, 0);
	CHECK_INT(level, STORE_HEALTH_OK);
	/* a retry has no result of its own: the screen moved on long ago */
	CHECK(!worker_poll(fx.w, &pr));
	teardown(&fx);
}

/* A repeated request (double tap, a retry after an unknown outcome): one
 * ticket, one job. */
static void test_repeated_request(void)
{
	struct worker_result r[4];
	struct print_counts pc;
	struct fixture fx;
	int level, issued = 0, printed = 0;

	REQUIRE(setup(&fx) == 0);
	REQUIRE(worker_post_issue(fx.w, "reisepass", "de", "key-c") == 0);
	REQUIRE(worker_post_issue(fx.w, "reisepass", "de", "key-c") == 0);
	for (int i = 0; i < 4; i++) {
		REQUIRE(next_result(fx.w, &r[i]));
		CHECK_STR(r[i].request_key, "key-c");
		CHECK_STR(r[i].ticket.number, "B001");
		CHECK_STR(r[i].ticket.id, r[0].ticket.id);
		issued += r[i].kind == WORKER_ISSUED;
		if (r[i].kind == WORKER_PRINTED) {
			printed++;
			CHECK_INT(r[i].printed, 1);
		}
	}
	CHECK_INT(issued, 2);
	CHECK_INT(printed, 2);
	CHECK_INT(r[0].kind, WORKER_ISSUED);
	CHECK_INT(r[0].ticket.reused, 0);
	sleep_ms(WORKER_RETRY_SECONDS * 1000 + 500);
	CHECK_INT(count_files(&fx, ".bin"), 1);
	CHECK(store_view(&fx, &pc, &level) == 0);
	CHECK_INT(pc.printed + pc.pending + pc.failed, 1);
	teardown(&fx);
}

/* A repeated request while the paper is out must not claim that the
 * ticket came out: the citizen is to remember the number. */
static void test_repeated_request_paper_out(void)
{
	struct worker_result r;
	struct fixture fx;
	int printed = 0;

	REQUIRE(setup(&fx) == 0);
	set_fault(&fx, "paper");
	REQUIRE(worker_post_issue(fx.w, "reisepass", "de", "key-d") == 0);
	REQUIRE(worker_post_issue(fx.w, "reisepass", "de", "key-d") == 0);
	for (int i = 0; i < 4; i++) {
		REQUIRE(next_result(fx.w, &r));
		if (r.kind == WORKER_PRINTED) {
			printed++;
			CHECK_INT(r.printed, 0);
		}
	}
	CHECK_INT(printed, 2);
	CHECK_INT(count_files(&fx, ".bin"), 0);
	set_fault(&fx, NULL);
	CHECK(wait_jobs(&fx, 1, 3 * WORKER_RETRY_SECONDS + 2));
	teardown(&fx);
}

/* A slow printer (two seconds a job) does not delay the next number:
 * the second citizen's ticket is issued before the first one's is out. */
static void test_slow_printer(void)
{
	struct worker_result r, seen[4];
	struct fixture fx;
	int n = 0, issued2 = -1, printed1 = -1, printed2 = -1;

	REQUIRE(setup(&fx) == 0);
	set_fault(&fx, "slow");
	REQUIRE(worker_post_issue(fx.w, "personalausweis", "de", "slow-1") == 0);
	REQUIRE(next_result(fx.w, &r));
	REQUIRE(r.kind == WORKER_ISSUED);
	CHECK_STR(r.ticket.number, "A001");
	REQUIRE(worker_post_issue(fx.w, "reisepass", "de", "slow-2") == 0);
	while (n < 3 && next_result(fx.w, &seen[n])) {
		if (seen[n].kind == WORKER_ISSUED &&
		    !strcmp(seen[n].request_key, "slow-2"))
			issued2 = n;
		else if (seen[n].kind == WORKER_PRINTED &&
			 !strcmp(seen[n].request_key, "slow-1"))
			printed1 = n;
		else if (seen[n].kind == WORKER_PRINTED &&
			 !strcmp(seen[n].request_key, "slow-2"))
			printed2 = n;
		n++;
	}
	REQUIRE(n == 3);
	CHECK(issued2 >= 0 && printed1 >= 0 && printed2 >= 0);
	CHECK(issued2 < printed1);
	CHECK(printed1 < printed2);
	CHECK_STR(seen[issued2].ticket.number, "B001");
	CHECK_INT(seen[printed1].printed, 1);
	CHECK_INT(seen[printed2].printed, 1);
	CHECK_INT(count_files(&fx, ".bin"), 2);
	teardown(&fx);
}

/* Paper near end: the ticket prints; technicians get a warning. */
static void test_paper_near_end(void)
{
	struct worker_result is, pr;
	struct print_counts pc;
	struct fixture fx;
	int level;

	REQUIRE(setup(&fx) == 0);
	set_fault(&fx, "near");
	REQUIRE(issue(&fx, "fundbuero", "key-e", &is, &pr) == 0);
	CHECK_STR(is.ticket.number, "E001");
	CHECK_INT(pr.kind, WORKER_PRINTED);
	CHECK_INT(pr.printed, 1);
	CHECK_INT(count_files(&fx, ".bin"), 1);
	CHECK(store_view(&fx, &pc, &level) == 0);
	CHECK_INT(pc.printed, 1);
	CHECK_INT(level, STORE_HEALTH_WARN);
	teardown(&fx);
}

/* A job left pending from an earlier day is given up, never printed: it
 * would hand a stranger an old number. */
static void test_earlier_day_never_printed(void)
{
	struct worker_result is, pr;
	struct print_counts pc;
	struct fixture fx;
	char sql[200];
	int level;

	REQUIRE(setup(&fx) == 0);
	set_fault(&fx, "paper");
	REQUIRE(issue(&fx, "personalausweis", "key-f", &is, &pr) == 0);
	CHECK_INT(pr.printed, 0);
	snprintf(sql, sizeof sql, "UPDATE tickets SET day = '2000-01-01' "
		 "WHERE id = '%s'", is.ticket.id);
	CHECK(sql_exec(&fx, sql) == 0);
	worker_destroy(fx.w);
	set_fault(&fx, NULL); /* paper back, kiosk restarted */
	fx.w = start_worker(&fx);
	REQUIRE(fx.w);
	sleep_ms(WORKER_RETRY_SECONDS * 1000 + 1000);
	CHECK_INT(count_files(&fx, ".bin"), 0);
	CHECK(store_view(&fx, &pc, &level) == 0);
	CHECK_INT(pc.failed, 1);
	CHECK_INT(pc.pending, 0);
	CHECK_INT(pc.printed, 0);
	teardown(&fx);
}

int main(void)
{
	static const struct check_test tests[] = {
		{ "normal issue", test_normal_issue },
		{ "paper out, then refilled", test_paper_out_then_refilled },
		{ "repeated request", test_repeated_request },
		{ "repeated request, paper out",
		  test_repeated_request_paper_out },
		{ "slow printer", test_slow_printer },
		{ "paper near end", test_paper_near_end },
		{ "earlier day never printed", test_earlier_day_never_printed },
		{ NULL, NULL },
	};
	char err[CONFIG_ERR_MAX];
	int rc;

	log_init("test_worker", LOG_WARN);
	if (config_load(&cfg, BK_SOURCE_DIR "/assets/site.conf", err,
			sizeof err) < 0 ||
	    config_validate(&cfg, err, sizeof err) < 0) {
		fprintf(stderr, "%s\n", err);
		return 2;
	}
	i18n_init(&i18n, config_i18n_dir(&cfg), cfg.languages,
		  cfg.n_languages);
	rc = check_main(tests);
	i18n_free(&i18n);
	return rc;
}
