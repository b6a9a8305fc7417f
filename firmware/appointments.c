/*
 * appointments.c — the down-sync cache; see appointments.h.
 */
#include "firmware/appointments.h"

#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "firmware/log.h"
#include "firmware/store_int.h"
#include "firmware/syncproto.h"
#include "firmware/ticketcode.h"
#include "firmware/util.h"

#define KEY_CURSOR "appointments.cursor"
#define KEY_SITE "appointments.site"
#define KEY_ETAG "catalogue.etag"
#define KEY_VERSION "catalogue.version"

void appointments_local_day(int64_t ms, char out[11])
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

static void copy_col(char *dst, size_t len, sqlite3_stmt *q, int col)
{
	const char *s = (const char *)sqlite3_column_text(q, col);

	snprintf(dst, len, "%s", s ? s : "");
}

static bk_err state_get(struct store *st, const char *key, char *out,
			size_t len)
{
	sqlite3_stmt *q;
	bk_err e = store__prepare(st,
		"SELECT value FROM sync_state WHERE key = ?1", &q);
	int rc;

	out[0] = '\0';
	if (e)
		return e;
	sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW)
		copy_col(out, len, q, 0);
	else if (rc != SQLITE_DONE)
		e = store__err(st, rc, "sync_state");
	sqlite3_finalize(q);
	return e;
}

static bk_err state_set(struct store *st, const char *key, const char *value)
{
	sqlite3_stmt *q;
	bk_err e = store__prepare(st,
		"INSERT INTO sync_state (key, value) VALUES (?1, ?2) "
		"ON CONFLICT (key) DO UPDATE SET value = ?2", &q);

	if (e)
		return e;
	sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, value, -1, SQLITE_STATIC);
	if (sqlite3_step(q) != SQLITE_DONE)
		e = store__err(st, sqlite3_errcode(store__db(st)), "sync_state");
	sqlite3_finalize(q);
	return e;
}

/* Runs one statement with up to two text parameters; *changes if asked. */
static bk_err exec2(struct store *st, const char *sql, const char *a,
		    const char *b, int *changes)
{
	sqlite3_stmt *q;
	bk_err e = store__prepare(st, sql, &q);

	if (e)
		return e;
	if (a)
		sqlite3_bind_text(q, 1, a, -1, SQLITE_STATIC);
	if (b)
		sqlite3_bind_text(q, 2, b, -1, SQLITE_STATIC);
	if (sqlite3_step(q) != SQLITE_DONE)
		e = store__err(st, sqlite3_errcode(store__db(st)), "appointments");
	else if (changes)
		*changes = sqlite3_changes(store__db(st));
	sqlite3_finalize(q);
	return e;
}

/* ---- holder key ---------------------------------------------------- */

/* ICAO 9303 part 3 transliteration of U+00C0..U+017F ("" = refused). */
static const char latin[192][3] = {
	"A", "A", "A", "A", "AE", "AA", "AE", "C", /* U+00C0 */
	"E", "E", "E", "E", "I", "I", "I", "I",   /* U+00C8 */
	"D", "N", "O", "O", "O", "O", "OE", "",   /* U+00D0 */
	"OE", "U", "U", "U", "UE", "Y", "TH", "SS", /* U+00D8 */
	"A", "A", "A", "A", "AE", "AA", "AE", "C", /* U+00E0 */
	"E", "E", "E", "E", "I", "I", "I", "I",   /* U+00E8 */
	"D", "N", "O", "O", "O", "O", "OE", "",   /* U+00F0 */
	"OE", "U", "U", "U", "UE", "Y", "TH", "Y", /* U+00F8 */
	"A", "A", "A", "A", "A", "A", "C", "C",   /* U+0100 */
	"C", "C", "C", "C", "C", "C", "D", "D",   /* U+0108 */
	"D", "D", "E", "E", "E", "E", "E", "E",   /* U+0110 */
	"E", "E", "E", "E", "G", "G", "G", "G",   /* U+0118 */
	"G", "G", "G", "G", "H", "H", "H", "H",   /* U+0120 */
	"I", "I", "I", "I", "I", "I", "I", "I",   /* U+0128 */
	"I", "I", "IJ", "IJ", "J", "J", "K", "K", /* U+0130 */
	"K", "L", "L", "L", "L", "L", "L", "L",   /* U+0138 */
	"L", "L", "L", "N", "N", "N", "N", "N",   /* U+0140 */
	"N", "N", "N", "N", "O", "O", "O", "O",   /* U+0148 */
	"O", "O", "OE", "OE", "R", "R", "R", "R", /* U+0150 */
	"R", "R", "S", "S", "S", "S", "S", "S",   /* U+0158 */
	"S", "S", "T", "T", "T", "T", "T", "T",   /* U+0160 */
	"U", "U", "U", "U", "U", "U", "U", "U",   /* U+0168 */
	"U", "U", "U", "U", "W", "W", "Y", "Y",   /* U+0170 */
	"Y", "Z", "Z", "Z", "Z", "Z", "Z", "S",   /* U+0178 */
};

/* Separators: dropped ('<' of the MRZ, space, hyphen, apostrophes). */
static int name_separator(uint32_t cp)
{
	return cp == '<' || cp == ' ' || cp == '-' || cp == '\'' ||
	       cp == '.' || cp == ',' || cp == '`' || cp == 0xA0 ||
	       cp == 0x2BC /* ʼ */ || cp == 0x2018 || cp == 0x2019 ||
	       cp == 0x2010 || cp == 0x2011;
}

/* The transliteration of cp, "" for a separator, NULL if refused. */
static const char *translit(uint32_t cp, char one[2])
{
	if (name_separator(cp))
		return "";
	if (cp >= 'a' && cp <= 'z')
		cp -= 'a' - 'A';
	if (cp >= 'A' && cp <= 'Z') {
		one[0] = (char)cp;
		one[1] = '\0';
		return one;
	}
	if (cp >= 0xC0 && cp < 0x180)
		return latin[cp - 0xC0][0] ? latin[cp - 0xC0] : NULL;
	switch (cp) {
	case 0x218: case 0x219: return "S";  /* Ș ș (Romanian) */
	case 0x21A: case 0x21B: return "T";  /* Ț ț */
	case 0x1E9E: return "SS";            /* ẞ */
	default: return NULL;
	}
}

int appointments_holder_normalise(const char *utf8, char *out, size_t outlen)
{
	const unsigned char *p = (const unsigned char *)utf8;
	size_t o = 0;

	if (!utf8 || outlen == 0 || !util_utf8_valid(utf8, strlen(utf8), 1))
		return -1;
	while (*p) {
		uint32_t cp;
		char one[2];
		const char *t;
		size_t n;

		/* valid UTF-8 (checked above): decode without checks */
		if (p[0] < 0x80) {
			cp = *p++;
		} else if ((p[0] & 0xE0) == 0xC0) {
			cp = (uint32_t)(p[0] & 0x1F) << 6 | (p[1] & 0x3F);
			p += 2;
		} else if ((p[0] & 0xF0) == 0xE0) {
			cp = (uint32_t)(p[0] & 0x0F) << 12 |
			     (uint32_t)(p[1] & 0x3F) << 6 | (p[2] & 0x3F);
			p += 3;
		} else {
			cp = 0x10000; /* outside every table */
			p += 4;
		}
		t = translit(cp, one);
		n = t ? strlen(t) : 0;
		if (!t || o + n >= outlen)
			goto bad;
		memcpy(out + o, t, n);
		o += n;
	}
	if (o == 0)
		goto bad;
	out[o] = '\0';
	return (int)o;
bad:
	util_wipe(out, outlen);
	return -1;
}

bk_err appointments_holder_digest(const unsigned char key[32],
				  const char *surname,
				  const char *date_of_birth,
				  unsigned char out[APPOINTMENTS_HOLDER_LEN])
{
	char norm[4 * DOWNSYNC_PROTO_NAME_MAX], msg[64];
	unsigned int len = APPOINTMENTS_HOLDER_LEN;
	size_t o = 0, m;
	int n;

	memset(out, 0, APPOINTMENTS_HOLDER_LEN);
	if (!date_of_birth || !downsync_proto_is_date(date_of_birth))
		return BK_ERR_INVALID;
	n = appointments_holder_normalise(surname, norm, sizeof norm);
	if (n < 0)
		return BK_ERR_INVALID;
	/* FOLD: AE OE UE → A O U, then the first APPOINTMENTS_HOLDER_CMP */
	memcpy(msg, "BKH1\n", 5);
	m = 5;
	for (int i = 0; i < n && o < APPOINTMENTS_HOLDER_CMP; i++, o++) {
		msg[m++] = norm[i];
		if (norm[i + 1] == 'E' &&
		    (norm[i] == 'A' || norm[i] == 'O' || norm[i] == 'U'))
			i++;
	}
	msg[m++] = '\n';
	memcpy(msg + m, date_of_birth, 10);
	m += 10;
	HMAC(EVP_sha256(), key, 32, (const unsigned char *)msg, m, out, &len);
	util_wipe(norm, sizeof norm);
	util_wipe(msg, sizeof msg);
	return len == APPOINTMENTS_HOLDER_LEN ? BK_OK : BK_ERR_INVALID;
}

bk_err appointments_holder_key_load(struct store *st, unsigned char key[32])
{
	char path[1100], err[256];
	const char *db = store_path(st), *slash = strrchr(db, '/');
	bk_err e;

	if (slash)
		e = util_fmt(path, sizeof path, "%.*s/%s", (int)(slash - db), db,
			     APPOINTMENTS_HOLDER_KEY_FILE) < 0 ? BK_ERR_INVALID
							      : BK_OK;
	else
		e = util_fmt(path, sizeof path, "%s",
			     APPOINTMENTS_HOLDER_KEY_FILE) < 0 ? BK_ERR_INVALID
							      : BK_OK;
	if (e)
		return e;
	/* the same safe creation as the ticket key (0600, never replaced) */
	e = ticketcode_key_load(path, key, err, sizeof err);
	if (e)
		log_error("appointments", "holder key: %s", err);
	return e;
}

bk_err appointments_cursor(struct store *st, const char *site, char *out)
{
	char have[CONFIG_ID_MAX + 1];
	bk_err e;

	out[0] = '\0';
	if ((e = state_get(st, KEY_SITE, have, sizeof have)))
		return e;
	if (strcmp(have, site))
		return BK_OK; /* another site's cache: start afresh */
	return state_get(st, KEY_CURSOR, out, DOWNSYNC_PROTO_CURSOR_MAX);
}

/* The two statements of one page, prepared once per page. */
struct page_stmts {
	sqlite3_stmt *unpair;   /* other ids holding the same pair */
	sqlite3_stmt *upsert;
	sqlite3_stmt *remove;   /* a row of a past day */
};

static void page_stmts_free(struct page_stmts *s)
{
	sqlite3_finalize(s->unpair);
	sqlite3_finalize(s->upsert);
	sqlite3_finalize(s->remove);
}

static bk_err page_stmts_prepare(struct store *st, struct page_stmts *s)
{
	bk_err e;

	memset(s, 0, sizeof *s);
	/* The pair (process number, code) is unique: a back office that
	 * gave it to a new id has retired the old one. */
	if ((e = store__prepare(st, "DELETE FROM appointments WHERE "
				"process_number = ?1 AND booking_code = ?2 "
				"AND id <> ?3", &s->unpair)) ||
	    (e = store__prepare(st,
		"INSERT INTO appointments (id, process_number, booking_code, "
		"service_id, day, slot_start_ms, slot_minutes, status, "
		"updated_ms, holder_key) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
		"?8, ?9, ?10) "
		"ON CONFLICT (id) DO UPDATE SET "
		"process_number = excluded.process_number, "
		"booking_code = excluded.booking_code, "
		"service_id = excluded.service_id, day = excluded.day, "
		"slot_start_ms = excluded.slot_start_ms, "
		"slot_minutes = excluded.slot_minutes, "
		"status = CASE WHEN appointments.status = 'checked_in' "
		"THEN 'checked_in' ELSE excluded.status END, "
		"updated_ms = excluded.updated_ms, "
		"holder_key = excluded.holder_key", &s->upsert)) ||
	    (e = store__prepare(st, "DELETE FROM appointments WHERE id = ?1",
				&s->remove)))
		page_stmts_free(s);
	return e;
}

static bk_err step_done(struct store *st, sqlite3_stmt *q, const char *what)
{
	int rc = sqlite3_step(q);

	sqlite3_reset(q);
	return rc == SQLITE_DONE ? BK_OK : store__err(st, rc, what);
}

/* Stores (or, for a past day, deletes) one appointment. */
static bk_err apply_one(struct store *st, struct page_stmts *s,
			const struct downsync_appt *a, const char *today,
			const unsigned char *key, int *stored, int *removed)
{
	unsigned char digest[APPOINTMENTS_HOLDER_LEN];
	int has_digest = 0;
	char day[11];
	bk_err e;

	appointments_local_day(a->slot_start_ms, day);
	if (strcmp(day, today) < 0) {
		sqlite3_bind_text(s->remove, 1, a->id, -1, SQLITE_STATIC);
		if ((e = step_done(st, s->remove, "remove appointment")))
			return e;
		*removed += sqlite3_changes(store__db(st));
		return BK_OK;
	}
	sqlite3_bind_text(s->unpair, 1, a->process_number, -1, SQLITE_STATIC);
	sqlite3_bind_text(s->unpair, 2, a->booking_code, -1, SQLITE_STATIC);
	sqlite3_bind_text(s->unpair, 3, a->id, -1, SQLITE_STATIC);
	if ((e = step_done(st, s->unpair, "unpair appointment")))
		return e;
	sqlite3_bind_text(s->upsert, 1, a->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s->upsert, 2, a->process_number, -1, SQLITE_STATIC);
	sqlite3_bind_text(s->upsert, 3, a->booking_code, -1, SQLITE_STATIC);
	sqlite3_bind_text(s->upsert, 4, a->service_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s->upsert, 5, day, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s->upsert, 6, a->slot_start_ms);
	sqlite3_bind_int(s->upsert, 7, a->slot_minutes);
	sqlite3_bind_text(s->upsert, 8, a->cancelled ? "cancelled" : "booked",
			  -1, SQLITE_STATIC);
	sqlite3_bind_int64(s->upsert, 9, a->updated_ms);
	/* the names end here: only their keyed hash is stored */
	if (a->has_holder && key &&
	    appointments_holder_digest(key, a->holder.surname,
				       a->holder.date_of_birth, digest) == BK_OK)
		has_digest = 1;
	if (has_digest)
		sqlite3_bind_blob(s->upsert, 10, digest, sizeof digest,
				  SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(s->upsert, 10);
	util_wipe(digest, sizeof digest);
	e = step_done(st, s->upsert, "upsert appointment");
	sqlite3_clear_bindings(s->upsert);
	if (e)
		return e;
	(*stored)++;
	return BK_OK;
}

bk_err appointments_apply_page(struct store *st, const char *site,
			       const struct downsync_page *p, int *stored,
			       int *removed)
{
	struct page_stmts s = { 0 };
	char have[CONFIG_ID_MAX + 1], today[11];
	unsigned char key[32];
	int n_stored = 0, n_removed = 0, holders = 0;
	bk_err e;

	if (stored)
		*stored = 0;
	if (removed)
		*removed = 0;
	if (!syncproto_is_id(site) || !downsync_proto_is_cursor(p->cursor) ||
	    p->n < 0 || p->n > DOWNSYNC_PROTO_MAX_PAGE)
		return BK_ERR_INVALID;
	for (int i = 0; i < p->n; i++) {
		if (!downsync_proto_appt_valid(&p->appt[i]))
			return BK_ERR_INVALID;
		holders += p->appt[i].has_holder;
	}
	if (holders && (e = appointments_holder_key_load(st, key)))
		return e;
	appointments_local_day(store_now_ms(), today);
	if ((e = store__begin(st)))
		return e;
	if ((e = state_get(st, KEY_SITE, have, sizeof have)))
		goto fail;
	if (strcmp(have, site)) { /* invariant 4 */
		if ((e = exec2(st, "DELETE FROM appointments", NULL, NULL,
			       &n_removed)) ||
		    (e = state_set(st, KEY_SITE, site)))
			goto fail;
	}
	if ((e = page_stmts_prepare(st, &s)))
		goto fail;
	for (int i = 0; i < p->n; i++)
		if ((e = apply_one(st, &s, &p->appt[i], today,
				   holders ? key : NULL, &n_stored,
				   &n_removed)))
			goto fail;
	page_stmts_free(&s);
	memset(&s, 0, sizeof s);
	if ((e = state_set(st, KEY_CURSOR, p->cursor)))
		goto fail;
	/* BK_ERR_IO here: outcome unknown. The caller pulls again from the
	 * cursor that is stored, which is correct either way (invariant 1). */
	if ((e = store__commit(st)))
		goto out;
	if (stored)
		*stored = n_stored;
	if (removed)
		*removed = n_removed;
	goto out;
fail:
	page_stmts_free(&s);
	store__rollback(st);
out:
	util_wipe(key, sizeof key);
	return e;
}

#define APPT_COLS "id, process_number, booking_code, service_id, day, " \
	"slot_start_ms, slot_minutes, status, coalesce(ticket_id, ''), " \
	"updated_ms"

static void appt_from_row(sqlite3_stmt *q, struct appointment *a)
{
	memset(a, 0, sizeof *a);
	copy_col(a->id, sizeof a->id, q, 0);
	copy_col(a->process_number, sizeof a->process_number, q, 1);
	copy_col(a->booking_code, sizeof a->booking_code, q, 2);
	copy_col(a->service_id, sizeof a->service_id, q, 3);
	copy_col(a->day, sizeof a->day, q, 4);
	a->slot_start_ms = sqlite3_column_int64(q, 5);
	a->slot_minutes = sqlite3_column_int(q, 6);
	copy_col(a->status, sizeof a->status, q, 7);
	copy_col(a->ticket_id, sizeof a->ticket_id, q, 8);
	a->updated_ms = sqlite3_column_int64(q, 9);
}

bk_err appointments_find(struct store *st, const char *process_number,
			 const char *booking_code, struct appointment *out)
{
	char code[DOWNSYNC_PROTO_CODE_MAX];
	sqlite3_stmt *q;
	size_t n = booking_code ? strlen(booking_code) : 0;
	bk_err e;
	int rc;

	memset(out, 0, sizeof *out);
	if (!process_number || !process_number[0] || n == 0 ||
	    n >= sizeof code)
		return BK_ERR_NOTFOUND;
	for (size_t i = 0; i <= n; i++) {
		char c = booking_code[i];
		code[i] = (c >= 'a' && c <= 'z') ? (char)(c - 'a' + 'A') : c;
	}
	if ((e = store__prepare(st, "SELECT " APPT_COLS " FROM appointments "
				"WHERE process_number = ?1 AND booking_code = ?2",
				&q)))
		return e;
	sqlite3_bind_text(q, 1, process_number, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, code, -1, SQLITE_STATIC);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW)
		appt_from_row(q, out);
	else if (rc == SQLITE_DONE)
		e = BK_ERR_NOTFOUND;
	else
		e = store__err(st, rc, "find appointment");
	sqlite3_finalize(q);
	return e;
}

bk_err appointments_list_day(struct store *st, const char *day,
			     struct appointment *out, int max, int *n)
{
	char today[11];
	sqlite3_stmt *q;
	bk_err e;
	int rc;

	*n = 0;
	if (!day) {
		appointments_local_day(store_now_ms(), today);
		day = today;
	}
	if ((e = store__prepare(st, "SELECT " APPT_COLS " FROM appointments "
				"WHERE day = ?1 ORDER BY slot_start_ms, id "
				"LIMIT ?2", &q)))
		return e;
	sqlite3_bind_text(q, 1, day, -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 2, max);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW)
		appt_from_row(q, &out[(*n)++]);
	if (rc != SQLITE_DONE)
		e = store__err(st, rc, "list appointments");
	sqlite3_finalize(q);
	return e;
}

bk_err appointments_find_holder(struct store *st, const char *day,
				const unsigned char digest[APPOINTMENTS_HOLDER_LEN],
				struct appointment *out, int max, int *n)
{
	sqlite3_stmt *q;
	bk_err e;
	int rc;

	*n = 0;
	if ((e = store__prepare(st, "SELECT " APPT_COLS " FROM appointments "
				"WHERE day = ?1 AND holder_key = ?2 "
				"ORDER BY slot_start_ms, id LIMIT ?3", &q)))
		return e;
	sqlite3_bind_text(q, 1, day, -1, SQLITE_STATIC);
	sqlite3_bind_blob(q, 2, digest, APPOINTMENTS_HOLDER_LEN, SQLITE_STATIC);
	sqlite3_bind_int(q, 3, max);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW)
		appt_from_row(q, &out[(*n)++]);
	if (rc != SQLITE_DONE)
		e = store__err(st, rc, "find by holder");
	sqlite3_finalize(q);
	return e;
}

bk_err appointments__mark_checked_in(struct store *st, const char *id,
				     const char *ticket_id)
{
	int changes = 0;
	bk_err e = exec2(st, "UPDATE appointments SET status = 'checked_in', "
			 "ticket_id = ?2 WHERE id = ?1 AND status = 'booked'",
			 id, ticket_id, &changes);

	return e ? e : changes == 1 ? BK_OK : BK_ERR_NOTFOUND;
}

bk_err appointments_purge_before(struct store *st, const char *day, int *n)
{
	char today[11];
	int changes = 0;
	bk_err e;

	if (n)
		*n = 0;
	if (!day) {
		appointments_local_day(store_now_ms(), today);
		day = today;
	}
	e = exec2(st, "DELETE FROM appointments WHERE day < ?1", day, NULL,
		  &changes);
	if (!e && n)
		*n = changes;
	return e;
}

/* ---- catalogue ----------------------------------------------------- */

static char *names_json(const struct downsync_service *s)
{
	json_t *o = json_object();
	char *text = NULL;

	for (int i = 0; o && i < s->n_names; i++)
		if (json_object_set_new(o, s->names[i].lang,
					json_string(s->names[i].text)) < 0)
			goto out;
	if (o)
		text = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
out:
	json_decref(o);
	return text;
}

static bk_err insert_service(struct store *st, sqlite3_stmt *q,
			     const struct downsync_service *s, int64_t now)
{
	char letter[2] = { s->letter, '\0' };
	char *names = names_json(s);
	bk_err e = BK_OK;

	if (!names)
		return BK_ERR_NOMEM;
	sqlite3_bind_text(q, 1, s->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, letter, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(q, 3, s->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 4, names, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 5, now);
	e = step_done(st, q, "insert service");
	free(names);
	return e;
}

bk_err appointments_catalogue_replace(struct store *st,
				      const struct downsync_catalogue *c,
				      const char *etag)
{
	sqlite3_stmt *q = NULL;
	int64_t now = store_now_ms();
	bk_err e;

	if (!etag || strlen(etag) >= APPOINTMENTS_ETAG_MAX ||
	    c->n < 1 || c->n > DOWNSYNC_PROTO_MAX_SERVICES)
		return BK_ERR_INVALID;
	for (int i = 0; i < c->n; i++)
		if (!downsync_proto_service_valid(&c->svc[i]))
			return BK_ERR_INVALID;
	if ((e = store__begin(st)))
		return e;
	if ((e = exec2(st, "DELETE FROM catalogue", NULL, NULL, NULL)) ||
	    (e = store__prepare(st, "INSERT INTO catalogue (service_id, "
				"letter, name, names, updated_ms) VALUES "
				"(?1, ?2, ?3, ?4, ?5)", &q)))
		goto fail;
	for (int i = 0; i < c->n; i++)
		if ((e = insert_service(st, q, &c->svc[i], now)))
			goto fail;
	sqlite3_finalize(q);
	q = NULL;
	if ((e = state_set(st, KEY_ETAG, etag)) ||
	    (e = state_set(st, KEY_VERSION, c->version)))
		goto fail;
	return store__commit(st);
fail:
	sqlite3_finalize(q);
	store__rollback(st);
	return e;
}

/* names JSON from the table back into s (what was stored was checked). */
static void names_from_json(const char *text, struct downsync_service *s)
{
	json_t *o = json_loads(text ? text : "{}", 0, NULL), *v;
	const char *lang;

	json_object_foreach(o, lang, v) {
		struct config_text *t = &s->names[s->n_names];

		if (s->n_names >= DOWNSYNC_PROTO_MAX_NAMES ||
		    !json_is_string(v))
			break;
		snprintf(t->lang, sizeof t->lang, "%s", lang);
		snprintf(t->text, sizeof t->text, "%s", json_string_value(v));
		s->n_names++;
	}
	json_decref(o);
}

bk_err appointments_catalogue_read(struct store *st,
				   struct downsync_catalogue *c)
{
	sqlite3_stmt *q;
	bk_err e;
	int rc;

	memset(c, 0, sizeof *c);
	c->svc = calloc(DOWNSYNC_PROTO_MAX_SERVICES, sizeof *c->svc);
	if (!c->svc)
		return BK_ERR_NOMEM;
	if ((e = state_get(st, KEY_VERSION, c->version, sizeof c->version)) ||
	    (e = store__prepare(st, "SELECT service_id, letter, name, names "
				"FROM catalogue ORDER BY letter LIMIT ?1", &q)))
		goto fail;
	sqlite3_bind_int(q, 1, DOWNSYNC_PROTO_MAX_SERVICES);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct downsync_service *s = &c->svc[c->n++];
		const char *letter = (const char *)sqlite3_column_text(q, 1);

		copy_col(s->id, sizeof s->id, q, 0);
		s->letter = letter ? letter[0] : '?';
		copy_col(s->name, sizeof s->name, q, 2);
		names_from_json((const char *)sqlite3_column_text(q, 3), s);
	}
	if (rc != SQLITE_DONE)
		e = store__err(st, rc, "read catalogue");
	sqlite3_finalize(q);
	if (e)
		goto fail;
	return BK_OK;
fail:
	downsync_catalogue_free(c);
	return e;
}

bk_err appointments_catalogue_etag(struct store *st, char *out)
{
	return state_get(st, KEY_ETAG, out, APPOINTMENTS_ETAG_MAX);
}
