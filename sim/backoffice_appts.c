/*
 * backoffice_appts.c — appointments and catalogue in the reference back
 * office; see backoffice_appts.h.
 */
#include "sim/backoffice_appts.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "firmware/config.h"
#include "firmware/downsync_proto.h"
#include "firmware/log.h"
#include "firmware/store.h"
#include "firmware/syncproto.h"
#include "firmware/util.h"

static const char schema[] =
	"CREATE TABLE IF NOT EXISTS bo_appointments ("
	" id TEXT PRIMARY KEY,"
	" site_id TEXT NOT NULL,"
	" process_number TEXT NOT NULL,"
	" booking_code TEXT NOT NULL,"
	" service_id TEXT NOT NULL,"
	" slot_start_ms INTEGER NOT NULL,"
	" slot_minutes INTEGER NOT NULL,"
	" status TEXT NOT NULL CHECK (status IN ('booked', 'cancelled')),"
	" updated_ms INTEGER NOT NULL,"
	" change_seq INTEGER NOT NULL UNIQUE,"
	" holder_surname TEXT,"
	" holder_given_names TEXT,"
	" holder_date_of_birth TEXT);"
	"CREATE INDEX IF NOT EXISTS bo_appointments_delta"
	" ON bo_appointments (site_id, change_seq);"
	"CREATE TABLE IF NOT EXISTS bo_catalogue ("
	" site_id TEXT NOT NULL,"
	" service_id TEXT NOT NULL,"
	" letter TEXT NOT NULL,"
	" name TEXT NOT NULL,"
	" names TEXT NOT NULL DEFAULT '{}',"
	" PRIMARY KEY (site_id, service_id));";

/* An alphabet without the look-alikes 0/O and 1/I. */
static const char code_alphabet[] = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

static void err_set(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void err_set(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* A backoffice.db made before the holders gets their columns. */
static int add_holder_columns(sqlite3 *db)
{
	static const char *const cols[] = {
		"holder_surname", "holder_given_names", "holder_date_of_birth",
	};
	sqlite3_stmt *q;
	int have = 0;

	if (sqlite3_prepare_v2(db, "SELECT count(*) FROM pragma_table_info("
			       "'bo_appointments') WHERE name LIKE 'holder_%'",
			       -1, &q, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(q) == SQLITE_ROW)
		have = sqlite3_column_int(q, 0);
	sqlite3_finalize(q);
	for (int i = have; i < 3; i++) {
		char sql[128];

		snprintf(sql, sizeof sql, "ALTER TABLE bo_appointments ADD "
			 "COLUMN %s TEXT", cols[i]);
		if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
			return -1;
	}
	return 0;
}

static int init_tables(sqlite3 *db)
{
	if (sqlite3_exec(db, schema, NULL, NULL, NULL) != SQLITE_OK)
		return -1;
	return add_holder_columns(db);
}

int backoffice_appts_route(const char *url)
{
	return !strcmp(url, "/v1/appointments") || !strcmp(url, "/v1/catalogue");
}

/* ---- HTTP ---------------------------------------------------------- */

static enum MHD_Result reply_json(struct MHD_Connection *conn, unsigned status,
			    const char *body, const char *etag)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer(
		strlen(body), (void *)body, MHD_RESPMEM_MUST_COPY);
	enum MHD_Result ret;

	if (!resp)
		return MHD_NO;
	if (status != MHD_HTTP_NOT_MODIFIED)
		MHD_add_response_header(resp, "Content-Type",
					"application/json");
	if (etag)
		MHD_add_response_header(resp, "ETag", etag);
	ret = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static enum MHD_Result send_error(struct MHD_Connection *conn,
				  unsigned status, const char *why)
{
	json_t *o = json_pack("{s:s}", "error", why);
	char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;
	enum MHD_Result ret = reply_json(conn, status,
				   text ? text : "{\"error\":\"?\"}", NULL);

	free(text);
	json_decref(o);
	return ret;
}

static void copy_col(char *dst, size_t len, sqlite3_stmt *q, int col)
{
	const char *s = (const char *)sqlite3_column_text(q, col);

	snprintf(dst, len, "%s", s ? s : "");
}

/* The page after cursor (a decimal change_seq or "") into out. */
static int load_page(sqlite3 *db, const char *site, long long after,
		     int limit, struct downsync_page *p)
{
	sqlite3_stmt *q = NULL;
	long long last = after;
	int rc;

	p->appt = calloc((size_t)limit + 1, sizeof *p->appt);
	if (!p->appt ||
	    sqlite3_prepare_v2(db, "SELECT id, process_number, booking_code,"
			       " service_id, slot_start_ms, slot_minutes, status,"
			       " updated_ms, change_seq, holder_surname,"
			       " holder_given_names, holder_date_of_birth"
			       " FROM bo_appointments"
			       " WHERE site_id = ?1 AND change_seq > ?2"
			       " ORDER BY change_seq LIMIT ?3", -1, &q,
			       NULL) != SQLITE_OK)
		goto fail;
	sqlite3_bind_text(q, 1, site, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, after);
	sqlite3_bind_int(q, 3, limit + 1);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct downsync_appt *a = &p->appt[p->n];
		const char *status = (const char *)sqlite3_column_text(q, 6);

		if (p->n == limit) {
			p->more = 1;
			break;
		}
		copy_col(a->id, sizeof a->id, q, 0);
		copy_col(a->process_number, sizeof a->process_number, q, 1);
		copy_col(a->booking_code, sizeof a->booking_code, q, 2);
		copy_col(a->service_id, sizeof a->service_id, q, 3);
		a->slot_start_ms = sqlite3_column_int64(q, 4);
		a->slot_minutes = sqlite3_column_int(q, 5);
		a->cancelled = status && !strcmp(status, "cancelled");
		a->updated_ms = sqlite3_column_int64(q, 7);
		last = sqlite3_column_int64(q, 8);
		if (sqlite3_column_type(q, 9) == SQLITE_TEXT) {
			struct downsync_holder *h = &a->holder;

			a->has_holder = 1;
			copy_col(h->surname, sizeof h->surname, q, 9);
			copy_col(h->given_names, sizeof h->given_names, q, 10);
			copy_col(h->date_of_birth, sizeof h->date_of_birth, q,
				 11);
		}
		p->n++;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		goto fail;
	sqlite3_finalize(q);
	if (p->n > 0 || after > 0)
		snprintf(p->cursor, sizeof p->cursor, "%lld", last);
	return 0;
fail:
	sqlite3_finalize(q);
	return -1;
}

/* "" or a decimal number without sign or leading zeros, < 10^18. */
static int parse_cursor(const char *s, long long *out)
{
	size_t n = strlen(s);

	*out = 0;
	if (n == 0)
		return 0;
	if (n > 18 || (s[0] == '0' && n > 1))
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		*out = *out * 10 + (s[i] - '0');
	}
	return 0;
}

static enum MHD_Result handle_appointments(sqlite3 *db,
					   pthread_mutex_t *lock,
					   struct MHD_Connection *conn,
					   const char *site)
{
	const char *cur = MHD_lookup_connection_value(conn,
		MHD_GET_ARGUMENT_KIND, "cursor");
	const char *lim = MHD_lookup_connection_value(conn,
		MHD_GET_ARGUMENT_KIND, "limit");
	struct downsync_page p = { 0 };
	struct buf out = { .max = SYNCPROTO_MAX_REPLY };
	long long after;
	long limit = DOWNSYNC_PROTO_DEFAULT_LIMIT;
	enum MHD_Result ret;
	int rc;

	if (parse_cursor(cur ? cur : "", &after) < 0)
		return send_error(conn, MHD_HTTP_BAD_REQUEST,
				  "cursor is not one of ours");
	if (lim) {
		char *end;

		limit = strtol(lim, &end, 10);
		if (!*lim || *end || limit < 1)
			return send_error(conn, MHD_HTTP_BAD_REQUEST,
					  "limit must be a positive integer");
		if (limit > DOWNSYNC_PROTO_MAX_PAGE)
			limit = DOWNSYNC_PROTO_MAX_PAGE;
	}
	pthread_mutex_lock(lock);
	rc = load_page(db, site, after, (int)limit, &p);
	pthread_mutex_unlock(lock);
	if (rc < 0 || downsync_proto_build_page(&p, &out) != BK_OK) {
		log_error("backoffice", "appointments for %s: cannot build the "
			  "page", site);
		ret = send_error(conn, MHD_HTTP_INTERNAL_SERVER_ERROR,
				 "cannot read appointments");
	} else {
		log_info("backoffice", "appointments for %s after '%s': %d%s",
			 site, cur ? cur : "", p.n, p.more ? " (more)" : "");
		ret = reply_json(conn, MHD_HTTP_OK, (const char *)out.data, NULL);
	}
	downsync_page_free(&p);
	buf_free(&out);
	return ret;
}

static int load_catalogue(sqlite3 *db, const char *site,
			  struct downsync_catalogue *c)
{
	sqlite3_stmt *q = NULL;
	int rc;

	c->svc = calloc(DOWNSYNC_PROTO_MAX_SERVICES, sizeof *c->svc);
	if (!c->svc ||
	    sqlite3_prepare_v2(db, "SELECT service_id, letter, name, names"
			       " FROM bo_catalogue WHERE site_id = ?1"
			       " ORDER BY letter LIMIT ?2", -1, &q,
			       NULL) != SQLITE_OK)
		goto fail;
	sqlite3_bind_text(q, 1, site, -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 2, DOWNSYNC_PROTO_MAX_SERVICES);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct downsync_service *s = &c->svc[c->n++];
		const char *letter = (const char *)sqlite3_column_text(q, 1);
		json_t *names, *v;
		const char *lang;

		copy_col(s->id, sizeof s->id, q, 0);
		s->letter = letter ? letter[0] : '?';
		copy_col(s->name, sizeof s->name, q, 2);
		names = json_loads((const char *)sqlite3_column_text(q, 3), 0,
				   NULL);
		json_object_foreach(names, lang, v) {
			if (s->n_names >= DOWNSYNC_PROTO_MAX_NAMES)
				break;
			snprintf(s->names[s->n_names].lang, 8, "%s", lang);
			snprintf(s->names[s->n_names].text, CONFIG_TEXT_MAX,
				 "%s", json_string_value(v) ?
				 json_string_value(v) : "?");
			s->n_names++;
		}
		json_decref(names);
	}
	sqlite3_finalize(q);
	return rc == SQLITE_DONE ? 0 : -1;
fail:
	sqlite3_finalize(q);
	return -1;
}

/* FNV-1a over the catalogue's JSON with an empty version: the version
 * changes exactly when the content does. */
static void catalogue_version(struct downsync_catalogue *c)
{
	struct buf b = { 0 };
	uint64_t h = 1469598103934665603ULL;

	snprintf(c->version, sizeof c->version, "0");
	if (downsync_proto_build_catalogue(c, &b) == BK_OK)
		for (size_t i = 0; i < b.len; i++)
			h = (h ^ b.data[i]) * 1099511628211ULL;
	buf_free(&b);
	snprintf(c->version, sizeof c->version, "%016llx",
		 (unsigned long long)h);
}

static enum MHD_Result handle_catalogue(sqlite3 *db, pthread_mutex_t *lock,
					struct MHD_Connection *conn,
					const char *site)
{
	const char *inm = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
						      "If-None-Match");
	struct downsync_catalogue c = { 0 };
	struct buf out = { .max = SYNCPROTO_MAX_REPLY };
	char etag[DOWNSYNC_PROTO_VERSION_MAX + 2];
	enum MHD_Result ret;
	int rc;

	pthread_mutex_lock(lock);
	rc = load_catalogue(db, site, &c);
	pthread_mutex_unlock(lock);
	if (rc < 0) {
		ret = send_error(conn, MHD_HTTP_INTERNAL_SERVER_ERROR,
				 "cannot read the catalogue");
		goto out;
	}
	if (c.n == 0) {
		ret = send_error(conn, MHD_HTTP_NOT_FOUND,
				 "no catalogue for this site");
		goto out;
	}
	catalogue_version(&c);
	snprintf(etag, sizeof etag, "\"%s\"", c.version);
	if (inm && !strcmp(inm, etag)) {
		ret = reply_json(conn, MHD_HTTP_NOT_MODIFIED, "", etag);
		goto out;
	}
	if (downsync_proto_build_catalogue(&c, &out) != BK_OK) {
		ret = send_error(conn, MHD_HTTP_INTERNAL_SERVER_ERROR,
				 "catalogue breaks the protocol's rules");
		goto out;
	}
	ret = reply_json(conn, MHD_HTTP_OK, (const char *)out.data, etag);
out:
	downsync_catalogue_free(&c);
	buf_free(&out);
	return ret;
}

enum MHD_Result backoffice_appts_handle(sqlite3 *db, pthread_mutex_t *lock,
					struct MHD_Connection *conn,
					const char *url, const char *method)
{
	const char *site = MHD_lookup_connection_value(conn,
		MHD_GET_ARGUMENT_KIND, "site");
	int ok;

	if (strcmp(method, "GET"))
		return send_error(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "use GET");
	if (!site || !syncproto_is_id(site))
		return send_error(conn, MHD_HTTP_BAD_REQUEST,
				  "site must be a site id");
	pthread_mutex_lock(lock);
	ok = init_tables(db) == 0; /* IF NOT EXISTS: cheap after the first */
	pthread_mutex_unlock(lock);
	if (!ok)
		return send_error(conn, MHD_HTTP_INTERNAL_SERVER_ERROR,
				  "storage failed");
	if (!strcmp(url, "/v1/appointments"))
		return handle_appointments(db, lock, conn, site);
	return handle_catalogue(db, lock, conn, site);
}

/* ---- seeding and changes (command line) ---------------------------- */

static sqlite3 *open_rw(const char *dir, char *err, size_t errlen)
{
	char path[CONFIG_PATH_MAX + 32];
	sqlite3 *db = NULL;

	if (util_fmt(path, sizeof path, "%s/backoffice.db", dir) < 0 ||
	    util_mkdir_p(dir) < 0) {
		err_set(err, errlen, "%s: cannot use this data directory", dir);
		return NULL;
	}
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE |
			    SQLITE_OPEN_CREATE, NULL) != SQLITE_OK ||
	    sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL",
			 NULL, NULL, NULL) != SQLITE_OK ||
	    init_tables(db) < 0) {
		err_set(err, errlen, "%s: %s", path,
			db ? sqlite3_errmsg(db) : "cannot open");
		sqlite3_close(db);
		return NULL;
	}
	sqlite3_busy_timeout(db, 5000);
	return db;
}

static const char next_seq_sql[] =
	"(SELECT coalesce(max(change_seq), 0) + 1 FROM bo_appointments)";

static int seed_catalogue(sqlite3 *db, const char *site,
			  const struct config *cfg)
{
	sqlite3_stmt *q = NULL;
	int rc = -1;

	if (sqlite3_prepare_v2(db, "INSERT INTO bo_catalogue (site_id,"
			       " service_id, letter, name, names) VALUES"
			       " (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO UPDATE SET"
			       " letter = ?3, name = ?4, names = ?5", -1, &q,
			       NULL) != SQLITE_OK)
		return -1;
	for (int i = 0; i < cfg->n_services; i++) {
		const struct config_service *s = &cfg->services[i];
		char letter[2] = { s->letter, '\0' };
		json_t *names = json_object();
		char *text;

		for (int k = 0; names && k < s->n_names; k++)
			json_object_set_new(names, s->names[k].lang,
					    json_string(s->names[k].text));
		text = names ? json_dumps(names, JSON_COMPACT | JSON_SORT_KEYS)
			     : NULL;
		json_decref(names);
		if (!text)
			goto out;
		sqlite3_reset(q);
		sqlite3_bind_text(q, 1, site, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 2, s->id, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 3, letter, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(q, 4, s->name, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 5, text, -1, SQLITE_TRANSIENT);
		free(text);
		if (sqlite3_step(q) != SQLITE_DONE)
			goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(q);
	return rc;
}

/* Local time of day `slot` (0 = 08:00, 15-minute steps) on today + day. */
static int64_t slot_ms(int day, int slot)
{
	time_t now = time(NULL);
	struct tm tm;

	localtime_r(&now, &tm);
	tm.tm_mday += day;
	tm.tm_hour = 8 + slot / 4;
	tm.tm_min = (slot % 4) * 15;
	tm.tm_sec = 0;
	tm.tm_isdst = -1;
	return (int64_t)mktime(&tm) * 1000;
}

/* Demo holders as a German booking system would have spelled them:
 * German names with umlauts and ß, Turkish with their own letters,
 * Ukrainian in the Latin transliteration of their passports, Arabic in
 * a common Latin spelling. Made up from frequent names; any likeness to
 * a person is the frequency of the names. */
struct demo_name {
	const char *surname, *given;
};

static const struct demo_name demo_names[] = {
	{ "Müller", "Anna Lena" }, { "Schmidt", "Jürgen" },
	{ "Schneider", "Sabine" }, { "Fischer", "Thomas" },
	{ "Weber", "Ursula" }, { "Schäfer", "Klaus-Dieter" },
	{ "Groß", "Maximilian" }, { "Schröder", "Sophie Marie" },
	{ "Krüger", "Heinz" }, { "Zimmermann", "Lea" },
	{ "Hoffmann", "Günther" }, { "Köhler", "Brigitte" },
	{ "Yılmaz", "Elif" }, { "Kaya", "Mehmet Ali" },
	{ "Demir", "Ayşe" }, { "Şahin", "Mustafa" },
	{ "Çelik", "Zeynep" }, { "Öztürk", "Hüseyin" },
	{ "Yıldırım", "Emine" }, { "Doğan", "Ahmet" },
	{ "Shevchenko", "Olena" }, { "Kovalenko", "Oleksandr" },
	{ "Bondarenko", "Iryna" }, { "Tkachenko", "Andrii" },
	{ "Kravchenko", "Nataliia" }, { "Melnyk", "Serhii" },
	{ "Boiko", "Yuliia" }, { "Oliinyk", "Dmytro" },
	{ "Al-Hassan", "Omar" }, { "Haddad", "Fatima" },
	{ "Khalil", "Mohammed" }, { "Mansour", "Layla" },
	{ "El-Masri", "Yousef" }, { "Abdullah", "Aisha" },
	{ "Nasser", "Khaled" }, { "Hamdan", "Nour" },
};

/* A birth date between 1940 and 2008 from r (3 random bytes). */
static void demo_birth(const unsigned char *r, char out[16])
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
				     30, 31 };
	int y = 1940 + r[0] % 69, m = r[1] % 12;

	snprintf(out, 16, "%04d-%02d-%02d", y, m + 1, 1 + r[2] % mdays[m]);
}

static int seed_appointments(sqlite3 *db, const char *site, int n,
			     const struct config *cfg)
{
	char sql[512];
	sqlite3_stmt *q = NULL;
	int64_t now = store_now_ms();
	int rc = -1;

	snprintf(sql, sizeof sql, "INSERT INTO bo_appointments (id, site_id,"
		 " process_number, booking_code, service_id, slot_start_ms,"
		 " slot_minutes, status, updated_ms, change_seq, holder_surname,"
		 " holder_given_names, holder_date_of_birth) VALUES"
		 " (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'booked', ?8, %s, ?9, ?10, ?11)",
		 next_seq_sql);
	if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK)
		return -1;
	for (int i = 0; i < n; i++) {
		unsigned char r[16];
		char id[37], pn[8], code[6], dob[16];
		const struct demo_name *who = &demo_names[(size_t)i %
			(sizeof demo_names / sizeof demo_names[0])];
		const struct config_service *s;
		int step;

		util_random(r, sizeof r);
		util_uuid(id);
		snprintf(pn, sizeof pn, "%06u",
			 (unsigned)((r[0] | r[1] << 8 | (unsigned)r[2] << 16) %
				    900000u + 100000u));
		for (int k = 0; k < 5; k++)
			code[k] = code_alphabet[r[3 + k] %
						(sizeof code_alphabet - 1)];
		code[5] = '\0';
		s = &cfg->services[r[8] % cfg->n_services];
		sqlite3_reset(q);
		sqlite3_bind_text(q, 1, id, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(q, 2, site, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 3, pn, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(q, 4, code, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(q, 5, s->id, -1, SQLITE_STATIC);
		/* i-th appointment: day i % 5, slots in order over the day */
		sqlite3_bind_int64(q, 6, slot_ms(i % 5, (i / 5) % 32));
		sqlite3_bind_int(q, 7, r[9] % 3 == 0 ? 30 : 15);
		sqlite3_bind_int64(q, 8, now);
		/* every tenth booked by phone without a holder */
		if (i % 10 != 9) {
			demo_birth(r + 12, dob);
			sqlite3_bind_text(q, 9, who->surname, -1, SQLITE_STATIC);
			sqlite3_bind_text(q, 10, who->given, -1, SQLITE_STATIC);
			sqlite3_bind_text(q, 11, dob, -1, SQLITE_TRANSIENT);
		} else {
			sqlite3_bind_null(q, 9);
			sqlite3_bind_null(q, 10);
			sqlite3_bind_null(q, 11);
		}
		step = sqlite3_step(q);
		if (step == SQLITE_CONSTRAINT) {
			i--; /* a pair drawn twice: draw again */
			continue;
		}
		if (step != SQLITE_DONE)
			goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(q);
	return rc;
}

bk_err backoffice_seed_demo(const char *data_dir, const char *site, int n,
			    const char *config_path, char *err, size_t errlen)
{
	struct config *cfg = calloc(1, sizeof *cfg);
	sqlite3 *db = NULL;
	bk_err rc = BK_ERR_IO;

	if (!cfg)
		return BK_ERR_NOMEM;
	if (!syncproto_is_id(site) || n < 0 || n > 100000) {
		err_set(err, errlen, "--site must be an id, N 0..100000");
		rc = BK_ERR_INVALID;
		goto out;
	}
	if (!config_path)
		config_path = config_default_path();
	if (config_load(cfg, config_path, err, errlen) < 0) {
		rc = BK_ERR_CONFIG;
		goto out;
	}
	if (cfg->n_services < 1) {
		err_set(err, errlen, "%s: no services", config_path);
		rc = BK_ERR_CONFIG;
		goto out;
	}
	db = open_rw(data_dir, err, errlen);
	if (!db)
		goto out;
	if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK ||
	    seed_catalogue(db, site, cfg) < 0 ||
	    seed_appointments(db, site, n, cfg) < 0 ||
	    sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		err_set(err, errlen, "seeding failed: %s", sqlite3_errmsg(db));
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		goto out;
	}
	rc = BK_OK;
out:
	sqlite3_close(db);
	free(cfg);
	return rc;
}

/* "SURNAME,GIVEN,YYYY-MM-DD,SERVICE,HH:MM" into its parts (in place). */
static int split_holder(char *spec, char **f)
{
	char *save = NULL, *t = spec;

	for (int i = 0; i < 5; i++) {
		f[i] = strtok_r(t, ",", &save);
		t = NULL;
		if (!f[i])
			return -1;
	}
	return strtok_r(NULL, ",", &save) ? -1 : 0;
}

bk_err backoffice_seed_holder(const char *data_dir, const char *site,
			      const char *spec, const char *config_path,
			      struct backoffice_seeded *out, char *err,
			      size_t errlen)
{
	struct config *cfg = calloc(1, sizeof *cfg);
	struct downsync_appt a;
	char *copy = strdup(spec ? spec : ""), *f[5];
	char sql[512];
	sqlite3 *db = NULL;
	sqlite3_stmt *q = NULL;
	bk_err rc = BK_ERR_INVALID;
	int hh, mm, step = SQLITE_CONSTRAINT;

	memset(out, 0, sizeof *out);
	memset(&a, 0, sizeof a);
	if (!cfg || !copy) {
		rc = BK_ERR_NOMEM;
		goto out;
	}
	if (!syncproto_is_id(site) || split_holder(copy, f) < 0 ||
	    sscanf(f[4], "%2d:%2d", &hh, &mm) != 2 || strlen(f[4]) != 5 ||
	    hh < 0 || hh > 23 || mm < 0 || mm > 59) {
		err_set(err, errlen, "--seed-holder wants "
			"\"SURNAME,GIVEN,YYYY-MM-DD,SERVICE,HH:MM\"");
		goto out;
	}
	snprintf(a.holder.surname, sizeof a.holder.surname, "%s", f[0]);
	snprintf(a.holder.given_names, sizeof a.holder.given_names, "%s",
		 f[1]);
	snprintf(a.holder.date_of_birth, sizeof a.holder.date_of_birth, "%s",
		 f[2]);
	snprintf(a.service_id, sizeof a.service_id, "%s", f[3]);
	if (!config_path)
		config_path = config_default_path();
	if (config_load(cfg, config_path, err, errlen) < 0) {
		rc = BK_ERR_CONFIG;
		goto out;
	}
	if (!config_service(cfg, a.service_id)) {
		err_set(err, errlen, "%s: no service %s", config_path,
			a.service_id);
		goto out;
	}
	db = open_rw(data_dir, err, errlen);
	if (!db) {
		rc = BK_ERR_IO;
		goto out;
	}
	snprintf(sql, sizeof sql, "INSERT INTO bo_appointments (id, site_id,"
		 " process_number, booking_code, service_id, slot_start_ms,"
		 " slot_minutes, status, updated_ms, change_seq, holder_surname,"
		 " holder_given_names, holder_date_of_birth) VALUES"
		 " (?1, ?2, ?3, ?4, ?5, ?6, 15, 'booked', ?7, %s, ?8, ?9, ?10)",
		 next_seq_sql);
	if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK ||
	    seed_catalogue(db, site, cfg) < 0 ||
	    sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK)
		goto db_fail;
	a.slot_start_ms = slot_ms(0, 0) + ((int64_t)(hh - 8) * 60 + mm) * 60000;
	a.slot_minutes = 15;
	a.updated_ms = store_now_ms();
	for (int tries = 0; tries < 20 && step == SQLITE_CONSTRAINT; tries++) {
		unsigned char r[8];

		util_random(r, sizeof r);
		util_uuid(a.id);
		snprintf(a.process_number, sizeof a.process_number, "%06u",
			 (unsigned)((r[0] | r[1] << 8 | (unsigned)r[2] << 16) %
				    900000u + 100000u));
		for (int k = 0; k < 5; k++)
			a.booking_code[k] = code_alphabet[r[3 + k] %
				(sizeof code_alphabet - 1)];
		a.booking_code[5] = '\0';
		a.has_holder = 1;
		if (!downsync_proto_appt_valid(&a)) {
			err_set(err, errlen, "the holder breaks the protocol's "
				"rules (names 1..127 bytes of UTF-8, a calendar "
				"date)");
			sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
			goto out;
		}
		sqlite3_reset(q);
		sqlite3_bind_text(q, 1, a.id, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 2, site, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 3, a.process_number, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 4, a.booking_code, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 5, a.service_id, -1, SQLITE_STATIC);
		sqlite3_bind_int64(q, 6, a.slot_start_ms);
		sqlite3_bind_int64(q, 7, a.updated_ms);
		sqlite3_bind_text(q, 8, a.holder.surname, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 9, a.holder.given_names, -1,
				  SQLITE_STATIC);
		sqlite3_bind_text(q, 10, a.holder.date_of_birth, -1,
				  SQLITE_STATIC);
		step = sqlite3_step(q);
	}
	if (step != SQLITE_DONE ||
	    sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		goto db_fail;
	snprintf(out->id, sizeof out->id, "%s", a.id);
	snprintf(out->process_number, sizeof out->process_number, "%s",
		 a.process_number);
	snprintf(out->booking_code, sizeof out->booking_code, "%s",
		 a.booking_code);
	out->slot_start_ms = a.slot_start_ms;
	rc = BK_OK;
	goto out;
db_fail:
	err_set(err, errlen, "seeding failed: %s", sqlite3_errmsg(db));
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	rc = BK_ERR_IO;
out:
	sqlite3_finalize(q);
	sqlite3_close(db);
	free(cfg);
	if (copy)
		util_wipe(copy, strlen(copy));
	free(copy);
	util_wipe(&a.holder, sizeof a.holder);
	return rc;
}

/* Applies a change to one appointment with the next change_seq. */
static bk_err change(const char *data_dir, const char *set, const char *id,
		     int64_t slot, char *err, size_t errlen)
{
	char sql[512];
	sqlite3 *db = open_rw(data_dir, err, errlen);
	sqlite3_stmt *q = NULL;
	bk_err rc = BK_ERR_IO;

	if (!db)
		return BK_ERR_IO;
	snprintf(sql, sizeof sql, "UPDATE bo_appointments SET %s,"
		 " updated_ms = ?2, change_seq = %s WHERE id = ?1", set,
		 next_seq_sql);
	if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK)
		goto out;
	sqlite3_bind_text(q, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, store_now_ms());
	if (slot)
		sqlite3_bind_int64(q, 3, slot);
	if (sqlite3_step(q) != SQLITE_DONE)
		goto out;
	if (sqlite3_changes(db) == 0) {
		err_set(err, errlen, "no appointment %s", id);
		rc = BK_ERR_NOTFOUND;
		goto done;
	}
	rc = BK_OK;
	goto done;
out:
	err_set(err, errlen, "%s", sqlite3_errmsg(db));
done:
	sqlite3_finalize(q);
	sqlite3_close(db);
	return rc;
}

bk_err backoffice_appt_cancel(const char *data_dir, const char *id,
			      char *err, size_t errlen)
{
	return change(data_dir, "status = 'cancelled'", id, 0, err, errlen);
}

bk_err backoffice_appt_move(const char *data_dir, const char *id,
			    const char *iso_time, char *err, size_t errlen)
{
	int64_t ms;

	if (downsync_proto_parse_time(iso_time, &ms) < 0) {
		err_set(err, errlen, "%s: want YYYY-MM-DDTHH:MM:SSZ (UTC)",
			iso_time);
		return BK_ERR_INVALID;
	}
	return change(data_dir, "slot_start_ms = ?3", id, ms, err, errlen);
}

int backoffice_appts_main(int argc, char **argv)
{
	const char *dir = NULL, *site = "musterstadt", *config = NULL;
	const char *cancel = NULL, *move = NULL, *when = NULL;
	const char *holder = NULL;
	char err[CONFIG_ERR_MAX + 64] = "";
	int seed = -1, mine = 0;
	bk_err rc;

	for (int i = 1; i < argc; i++)
		mine |= !strcmp(argv[i], "--seed-demo") ||
			!strcmp(argv[i], "--cancel") || !strcmp(argv[i], "--move") ||
			!strcmp(argv[i], "--seed-holder");
	if (!mine)
		return -1;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		int has = i + 1 < argc;

		if (!strcmp(a, "--data-dir") && has) {
			dir = argv[++i];
		} else if (!strcmp(a, "--site") && has) {
			site = argv[++i];
		} else if (!strcmp(a, "--config") && has) {
			config = argv[++i];
		} else if (!strcmp(a, "--seed-demo") && has) {
			char *end;
			long n = strtol(argv[++i], &end, 10);

			if (!*argv[i] || *end || n < 0 || n > 100000)
				goto usage;
			seed = (int)n;
		} else if (!strcmp(a, "--seed-holder") && has) {
			holder = argv[++i];
		} else if (!strcmp(a, "--cancel") && has) {
			cancel = argv[++i];
		} else if (!strcmp(a, "--move") && i + 2 < argc) {
			move = argv[++i];
			when = argv[++i];
		} else {
			goto usage;
		}
	}
	if (!dir || (seed >= 0) + !!cancel + !!move + !!holder != 1)
		goto usage;
	if (holder) {
		struct backoffice_seeded got;
		char slot[32];

		rc = backoffice_seed_holder(dir, site, holder, config, &got,
					    err, sizeof err);
		if (rc == BK_OK) {
			store_format_time(got.slot_start_ms, slot);
			/* for scripts: no names, only what is on paper */
			printf("id=%s process=%s code=%s slot=%s\n", got.id,
			       got.process_number, got.booking_code, slot);
		}
	} else if (seed >= 0)
		rc = backoffice_seed_demo(dir, site, seed, config, err,
					  sizeof err);
	else if (cancel)
		rc = backoffice_appt_cancel(dir, cancel, err, sizeof err);
	else
		rc = backoffice_appt_move(dir, move, when, err, sizeof err);
	if (rc != BK_OK) {
		fprintf(stderr, "kiosk-backoffice: %s\n", err[0] ? err
			: bk_strerror(rc));
		return 1;
	}
	if (seed >= 0)
		printf("seeded %d appointments for %s\n", seed, site);
	return 0;
usage:
	fprintf(stderr,
		"usage: kiosk-backoffice --data-dir DIR --seed-demo N "
		"[--site SITE] [--config FILE]\n"
		"       kiosk-backoffice --data-dir DIR --seed-holder "
		"\"SURNAME,GIVEN,YYYY-MM-DD,SERVICE,HH:MM\" [--site SITE] "
		"[--config FILE]\n"
		"       kiosk-backoffice --data-dir DIR --cancel ID\n"
		"       kiosk-backoffice --data-dir DIR --move ID "
		"YYYY-MM-DDTHH:MM:SSZ\n");
	return 2;
}
