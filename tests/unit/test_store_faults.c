/*
 * test_store_faults.c — an fsync that fails at COMMIT.
 *
 * A small VFS shim over the default one makes xSync fail on demand, the
 * way a dying disk or a full one does. queue_issue_ticket() must then
 * report the failure (the outcome is unknown to it), leave nothing
 * half-written, and the same request key must later give exactly one
 * ticket with one outbox event: never two (store.h property 4).
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "firmware/config.h"
#include "firmware/outbox.h"
#include "firmware/queue.h"
#include "firmware/store.h"

static sqlite3_vfs shim, *real;
static int fail_syncs;    /* how many of the next syncs fail */
static int syncs_failed;

struct shim_file {
	sqlite3_file base;
	sqlite3_file *real;   /* follows this struct in the same allocation */
};

static int shim_close(sqlite3_file *f)
{
	struct shim_file *s = (struct shim_file *)f;
	int rc = s->real->pMethods ? s->real->pMethods->xClose(s->real)
				   : SQLITE_OK;
	return rc;
}

#define FWD(name, ...) \
	(((struct shim_file *)f)->real->pMethods->name( \
		((struct shim_file *)f)->real, __VA_ARGS__))

static int shim_read(sqlite3_file *f, void *b, int n, sqlite3_int64 o)
{ return FWD(xRead, b, n, o); }
static int shim_write(sqlite3_file *f, const void *b, int n, sqlite3_int64 o)
{ return FWD(xWrite, b, n, o); }
static int shim_truncate(sqlite3_file *f, sqlite3_int64 n)
{ return FWD(xTruncate, n); }
static int shim_size(sqlite3_file *f, sqlite3_int64 *n)
{ return FWD(xFileSize, n); }
static int shim_lock(sqlite3_file *f, int l) { return FWD(xLock, l); }
static int shim_unlock(sqlite3_file *f, int l) { return FWD(xUnlock, l); }
static int shim_reserved(sqlite3_file *f, int *r)
{ return FWD(xCheckReservedLock, r); }
static int shim_fcntl(sqlite3_file *f, int op, void *a)
{ return FWD(xFileControl, op, a); }
static int shim_shmmap(sqlite3_file *f, int pg, int sz, int ext,
		       void volatile **p)
{ return FWD(xShmMap, pg, sz, ext, p); }
static int shim_shmlock(sqlite3_file *f, int o, int n, int fl)
{ return FWD(xShmLock, o, n, fl); }
static int shim_shmunmap(sqlite3_file *f, int del)
{ return FWD(xShmUnmap, del); }

static int shim_sync(sqlite3_file *f, int flags)
{
	if (fail_syncs > 0) {
		fail_syncs--;
		syncs_failed++;
		return SQLITE_IOERR_FSYNC;
	}
	return FWD(xSync, flags);
}

static int shim_sector(sqlite3_file *f)
{
	struct shim_file *s = (struct shim_file *)f;
	return s->real->pMethods->xSectorSize(s->real);
}

static int shim_devchar(sqlite3_file *f)
{
	struct shim_file *s = (struct shim_file *)f;
	return s->real->pMethods->xDeviceCharacteristics(s->real);
}

static void shim_shmbarrier(sqlite3_file *f)
{
	struct shim_file *s = (struct shim_file *)f;
	s->real->pMethods->xShmBarrier(s->real);
}

static const sqlite3_io_methods shim_io = {
	2, shim_close, shim_read, shim_write, shim_truncate, shim_sync,
	shim_size, shim_lock, shim_unlock, shim_reserved, shim_fcntl,
	shim_sector, shim_devchar, shim_shmmap, shim_shmlock, shim_shmbarrier,
	shim_shmunmap, NULL, NULL,
};

static int shim_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f,
		     int flags, int *out_flags)
{
	struct shim_file *s = (struct shim_file *)f;
	int rc;

	(void)vfs;
	s->real = (sqlite3_file *)(s + 1);
	rc = real->xOpen(real, name, s->real, flags, out_flags);
	s->base.pMethods = rc == SQLITE_OK ? &shim_io : NULL;
	return rc;
}

static void shim_register(void)
{
	real = sqlite3_vfs_find(NULL);
	shim = *real;
	shim.zName = "bk-faulty-sync";
	shim.szOsFile = (int)sizeof(struct shim_file) + real->szOsFile;
	shim.xOpen = shim_open;
	sqlite3_vfs_register(&shim, 1); /* the default from now on */
}

static long long sql_int(const char *dir, const char *sql)
{
	char path[300];
	sqlite3 *db;
	sqlite3_stmt *q;
	long long v = -1;

	snprintf(path, sizeof path, "%s/kiosk.db", dir);
	if (sqlite3_open(path, &db) != SQLITE_OK)
		return -1;
	if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) == SQLITE_OK) {
		if (sqlite3_step(q) == SQLITE_ROW)
			v = sqlite3_column_int64(q, 0);
		sqlite3_finalize(q);
	}
	sqlite3_close(db);
	return v;
}

static void test_failed_fsync_at_commit(void)
{
	char dir[256], err[512];
	struct config cfg;
	struct store *st = NULL;
	struct ticket t;
	bk_err e;

	check_tmpdir(dir);
	REQUIRE(config_load(&cfg, BK_SOURCE_DIR "/assets/site.conf", err,
			    sizeof err) == 0);
	REQUIRE(store_open(&st, dir, 1000, err, sizeof err) == BK_OK);
	REQUIRE(queue_issue_ticket(st, &cfg, "reisepass", "de", "before",
				   NULL, NULL, &t) == BK_OK);
	CHECK_STR(t.number, "B001");

	/* the disk fails the commit's fsync */
	fail_syncs = 1;
	e = queue_issue_ticket(st, &cfg, "reisepass", "de", "tap", NULL, NULL,
			       &t);
	CHECK_INT(syncs_failed, 1);
	CHECK(e == BK_ERR_IO || e == BK_OK);
	if (e != BK_OK) /* nothing of the failed attempt is visible */
		CHECK_INT(sql_int(dir, "SELECT count(*) FROM tickets WHERE "
				  "request_key = 'tap'"), 0);
	/* the citizen taps again (same visit, same key) */
	fail_syncs = 0;
	REQUIRE(queue_issue_ticket(st, &cfg, "reisepass", "de", "tap", NULL,
				   NULL, &t) == BK_OK);
	CHECK_STR(t.number, "B002");
	CHECK_INT(sql_int(dir, "SELECT count(*) FROM tickets"), 2);
	CHECK_INT(sql_int(dir, "SELECT count(*) FROM outbox"), 2);
	CHECK_INT(sql_int(dir, "SELECT count(*) FROM pragma_integrity_check "
			  "WHERE integrity_check <> 'ok'"), 0);
	store_close(st);

	/* after a restart the store opens and says the same */
	REQUIRE(store_open(&st, dir, 1000, err, sizeof err) == BK_OK);
	REQUIRE(queue_issue_ticket(st, &cfg, "reisepass", "de", "tap", NULL,
				   NULL, &t) == BK_OK);
	CHECK_INT(t.reused, 1);
	CHECK_STR(t.number, "B002");
	store_close(st);
	check_rmtree(dir);
}

int main(void)
{
	static const struct check_test tests[] = {
		{ "failed_fsync_at_commit", test_failed_fsync_at_commit },
		{ NULL, NULL },
	};
	shim_register();
	return check_main(tests);
}
