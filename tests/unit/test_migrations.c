/* Forward migrations of kiosk.db, from every earlier version.
 *
 * tests/data/schema/vN.sql is the frozen schema of version N with a few
 * rows (v0 is the empty file of a first start). For every such file this
 * test builds a database from it, opens it with store_open() and checks:
 *   1. user_version becomes STORE_SCHEMA_VERSION;
 *   2. every row of the old file is still there, column by column;
 *   3. the schema is the same as that of a freshly created file (tables,
 *      columns, constraints, indexes), so a migrated kiosk is no different
 *      from a new one;
 *   4. PRAGMA integrity_check and foreign_key_check are clean;
 *   5. the newest tables work (a page of appointments, the catalogue).
 * A file must exist for every version from 0 to STORE_SCHEMA_VERSION: a
 * new migration comes with its frozen vN.sql, and is then tested from
 * every earlier version without touching this file. (A file NEWER than
 * the program is refused: test_queue's newer_schema_is_refused.)
 */
#include <dirent.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "firmware/appointments.h"
#include "firmware/store.h"
#include "firmware/util.h"

#define SCHEMA_DIR BK_SOURCE_DIR "/tests/data/schema"
#define MAX_VERSIONS 64

/* Appends the first column of every row of sql to out, one per line. */
static int query_lines(sqlite3 *db, const char *sql, struct buf *out)
{
	sqlite3_stmt *q;
	int rc;

	if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK) {
		fprintf(stderr, "%s: %s\n", sql, sqlite3_errmsg(db));
		return -1;
	}
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(q, 0);
		buf_printf(out, "%s\n", t ? t : "NULL");
	}
	sqlite3_finalize(q);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* Every object's type, name and SQL with all white space removed, so a
 * frozen file's layout of the same statements compares equal. */
static char *schema_of(sqlite3 *db)
{
	struct buf out = { 0 };

	if (query_lines(db, "SELECT type || '|' || name || '|' || tbl_name || "
			"'|' || replace(replace(replace(replace(coalesce(sql, "
			"''), char(10), ''), char(13), ''), char(9), ''), ' ', "
			"'') FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' "
			"ORDER BY type, name", &out) < 0) {
		buf_free(&out);
		return NULL;
	}
	return buf_take(&out, NULL);
}

/* Every row of every table of old, each value quoted, in rowid order,
 * read from db. Only old's tables and columns: a migration may add
 * tables and columns, but never lose or change what was there. */
static char *rows_of(sqlite3 *old, sqlite3 *db)
{
	struct buf tables = { 0 }, out = { 0 };
	char *save = NULL;

	if (query_lines(old, "SELECT name FROM sqlite_master WHERE type = "
			"'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
			&tables) < 0)
		goto fail;
	for (char *t = tables.data ? strtok_r((char *)tables.data, "\n",
					      &save) : NULL;
	     t; t = strtok_r(NULL, "\n", &save)) {
		struct buf cols = { 0 }, sql = { 0 };
		char q[256];
		int rc;

		snprintf(q, sizeof q, "SELECT group_concat('quote(\"' || name "
			 "|| '\")', ' || ''|'' || ') FROM (SELECT name FROM "
			 "pragma_table_info('%s') ORDER BY cid)", t);
		rc = query_lines(old, q, &cols);
		if (rc == 0 && cols.len > 0) {
			cols.data[cols.len - 1] = '\0'; /* the '\n' */
			buf_printf(&sql, "SELECT %s FROM \"%s\" ORDER BY rowid",
				   (char *)cols.data, t);
			buf_printf(&out, "[%s]\n", t);
			rc = query_lines(db, (char *)sql.data, &out);
		}
		buf_free(&cols);
		buf_free(&sql);
		if (rc < 0)
			goto fail;
	}
	buf_free(&tables);
	return buf_take(&out, NULL);
fail:
	buf_free(&tables);
	buf_free(&out);
	return NULL;
}

static long long pragma_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *q;
	long long v = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(q) == SQLITE_ROW)
		v = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	return v;
}

static char *pragma_text(sqlite3 *db, const char *sql)
{
	struct buf out = { 0 };
	char *t;

	if (query_lines(db, sql, &out) < 0) {
		buf_free(&out);
		return NULL;
	}
	t = buf_take(&out, NULL);
	return t ? t : strdup(""); /* no rows */
}

static char *fresh_schema;

static void load_fresh_schema(void)
{
	char dir[256], path[300], err[256];
	struct store *st = NULL;
	sqlite3 *db;

	check_tmpdir(dir);
	if (store_open(&st, dir, 5000, err, sizeof err) != BK_OK) {
		fprintf(stderr, "%s\n", err);
		exit(1);
	}
	store_close(st);
	snprintf(path, sizeof path, "%s/kiosk.db", dir);
	if (sqlite3_open(path, &db) != SQLITE_OK)
		exit(1);
	fresh_schema = schema_of(db);
	sqlite3_close(db);
	check_rmtree(dir);
	if (!fresh_schema)
		exit(1);
}

/* The newest tables take and give back data. */
static void check_new_tables_work(struct store *st)
{
	struct downsync_appt a = { 0 };
	struct downsync_page p = { .appt = &a, .n = 1 };
	struct downsync_service s = { .letter = 'Z' };
	struct downsync_catalogue c = { .svc = &s, .n = 1 };
	struct appointment got;

	snprintf(a.id, sizeof a.id, "migration-test");
	snprintf(a.process_number, sizeof a.process_number, "999999");
	snprintf(a.booking_code, sizeof a.booking_code, "ZZZZZ");
	snprintf(a.service_id, sizeof a.service_id, "sonstiges");
	a.slot_start_ms = store_now_ms() + 60 * 1000;
	a.slot_minutes = 10;
	a.updated_ms = store_now_ms();
	snprintf(p.cursor, sizeof p.cursor, "m1");
	CHECK(appointments_apply_page(st, "musterstadt", &p, NULL, NULL) ==
	      BK_OK);
	CHECK(appointments_find(st, "999999", "ZZZZZ", &got) == BK_OK);
	snprintf(s.id, sizeof s.id, "sonstiges");
	snprintf(s.name, sizeof s.name, "Sonstiges");
	snprintf(c.version, sizeof c.version, "m");
	CHECK(appointments_catalogue_replace(st, &c, "\"m\"") == BK_OK);
	CHECK(store_health_set(st, "migration", STORE_HEALTH_OK, "ok") ==
	      BK_OK);
}

/* Builds DIR/NAME from a frozen SQL file. */
static sqlite3 *build(const char *dir, const char *name, const char *sql)
{
	char path[300];
	sqlite3 *db = NULL;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	if (sqlite3_open(path, &db) != SQLITE_OK ||
	    sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK) {
		fprintf(stderr, "%s: %s\n", path, sqlite3_errmsg(db));
		sqlite3_close(db);
		return NULL;
	}
	return db;
}

static void migrate_from(int version, const char *file)
{
	char dir[256], path[300], err[256];
	char *sql = NULL, *before = NULL, *after = NULL, *schema = NULL;
	char *integrity = NULL, *fk = NULL;
	struct store *st = NULL;
	sqlite3 *old = NULL, *db = NULL;
	bk_err e;

	fprintf(stderr, "  from version %d (%s)\n", version, file);
	check_tmpdir(dir);
	snprintf(path, sizeof path, "%s/kiosk.db", dir);
	sql = util_read_file(file, 1 << 20, NULL);
	if (!sql) {
		CHECK(sql != NULL);
		goto out;
	}
	/* old.db stays at the old version, kiosk.db is migrated */
	old = build(dir, "old.db", sql);
	db = build(dir, "kiosk.db", sql);
	if (!old || !db) {
		CHECK(old && db);
		goto out;
	}
	sqlite3_close(db);
	db = NULL;
	CHECK_INT(pragma_int(old, "PRAGMA user_version"), version);
	before = rows_of(old, old);

	e = store_open(&st, dir, 5000, err, sizeof err);
	if (e)
		fprintf(stderr, "store_open: %s\n", err);
	CHECK(e == BK_OK);
	store_close(st);
	st = NULL;

	if (sqlite3_open(path, &db) != SQLITE_OK) {
		CHECK(!"reopen");
		goto out;
	}
	CHECK_INT(pragma_int(db, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
	integrity = pragma_text(db, "PRAGMA integrity_check");
	fk = pragma_text(db, "PRAGMA foreign_key_check");
	schema = schema_of(db);
	after = rows_of(old, db);
	CHECK(integrity && !strcmp(integrity, "ok\n"));
	CHECK(fk && !strcmp(fk, ""));
	CHECK(schema && !strcmp(schema, fresh_schema));
	CHECK(before && after && !strcmp(before, after));
	if (before && after && strcmp(before, after))
		fprintf(stderr, "before:\n%s\nafter:\n%s\n", before, after);
	sqlite3_close(db);
	db = NULL;

	/* and the newest tables work in the migrated file */
	if (store_open(&st, dir, 5000, err, sizeof err) == BK_OK)
		check_new_tables_work(st);
	else
		CHECK(!"second open");
	store_close(st);
out:
	free(sql);
	free(before);
	free(after);
	free(schema);
	free(integrity);
	free(fk);
	sqlite3_close(old);
	sqlite3_close(db);
	check_rmtree(dir);
}

/* Every frozen file tests/data/schema/vN.sql, each N once, and one for
 * every version up to the current one. */
static void test_from_every_version(void)
{
	char *files[MAX_VERSIONS] = { 0 };
	struct dirent *de;
	DIR *d = opendir(SCHEMA_DIR);
	int n = 0;

	REQUIRE(d);
	while ((de = readdir(d))) {
		char *end;
		long v;

		if (de->d_name[0] != 'v')
			continue;
		v = strtol(de->d_name + 1, &end, 10);
		if (end == de->d_name + 1 || strcmp(end, ".sql") ||
		    v < 0 || v >= MAX_VERSIONS)
			continue;
		CHECK(files[v] == NULL);
		CHECK(v <= STORE_SCHEMA_VERSION);
		if (files[v])
			continue;
		files[v] = malloc(strlen(SCHEMA_DIR) + strlen(de->d_name) + 2);
		if (files[v])
			sprintf(files[v], "%s/%s", SCHEMA_DIR, de->d_name);
	}
	closedir(d);
	for (int v = 0; v <= STORE_SCHEMA_VERSION; v++) {
		if (!files[v])
			fprintf(stderr, "no frozen %s/v%d.sql: add one with the "
				"migration to version %d\n", SCHEMA_DIR, v, v);
		CHECK(files[v] != NULL);
	}
	for (int v = 0; v < MAX_VERSIONS; v++) {
		if (!files[v])
			continue;
		migrate_from(v, files[v]);
		n++;
		free(files[v]);
	}
	CHECK(n >= STORE_SCHEMA_VERSION + 1);
}

int main(void)
{
	static const struct check_test tests[] = {
		{ "from_every_version", test_from_every_version },
		{ NULL, NULL },
	};
	int rc;

	load_fresh_schema();
	rc = check_main(tests);
	free(fresh_schema);
	return rc;
}
