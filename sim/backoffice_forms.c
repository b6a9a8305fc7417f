/*
 * backoffice_forms.c — form submissions and the HTML page of the
 * reference back office; see backoffice_forms.h.
 */
#include "sim/backoffice_forms.h"

#include <stdlib.h>
#include <string.h>

#include "firmware/jwe.h"
#include "firmware/submission.h"

static const char schema[] =
	"CREATE TABLE IF NOT EXISTS submissions ("
	" event_id TEXT PRIMARY KEY,"
	" reference TEXT NOT NULL,"
	" form_id TEXT NOT NULL,"
	" kiosk_id TEXT NOT NULL,"
	" received_at TEXT NOT NULL,"
	" answers TEXT NOT NULL);";

int bo_forms_schema(sqlite3 *db)
{
	return sqlite3_exec(db, schema, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

void bo_form_free(struct bo_form *f)
{
	if (f->answers) {
		util_wipe(f->answers, f->answers_len);
		free(f->answers);
	}
	memset(f, 0, sizeof *f);
}

/* The decrypted plaintext must name the same form and reference as the
 * event around it, and carry answers as an object. */
static int plaintext_ok(const char *pt, size_t len, const struct bo_form *f)
{
	json_t *o = json_loadb(pt, len, JSON_REJECT_DUPLICATES, NULL);
	const char *form = json_string_value(json_object_get(o, "form_id"));
	const char *ref = json_string_value(json_object_get(o, "reference"));
	int ok = json_is_object(o) && form && ref &&
		 !strcmp(form, f->form_id) && !strcmp(ref, f->reference) &&
		 json_is_object(json_object_get(o, "answers"));

	json_decref(o);
	return ok;
}

int bo_forms_open(const json_t *jwk, const struct syncproto_event *e,
		  struct bo_form *f, const char **reason)
{
	json_t *ev, *data;
	const char *ref, *form, *jwe;
	unsigned char *pt = NULL;
	size_t ptlen = 0;
	int rc = -1;

	memset(f, 0, sizeof *f);
	*reason = NULL;
	ev = json_loadb(e->raw, e->raw_len, 0, NULL);
	data = json_object_get(ev, "data");
	ref = json_string_value(json_object_get(data, "reference"));
	form = json_string_value(json_object_get(data, "form_id"));
	jwe = json_string_value(json_object_get(data, "jwe"));
	if (!ref || !submission_reference_valid(ref)) {
		*reason = "data.reference missing or not a valid reference";
		goto out;
	}
	if (!form || !syncproto_is_id(form) || !jwe) {
		*reason = "data.form_id or data.jwe missing";
		goto out;
	}
	snprintf(f->reference, sizeof f->reference, "%s", ref);
	snprintf(f->form_id, sizeof f->form_id, "%s", form);
	if (jwk) {
		if (jwe_decrypt(jwk, jwe, strlen(jwe), &pt, &ptlen) != BK_OK ||
		    !plaintext_ok((const char *)pt, ptlen, f)) {
			*reason = "cannot decrypt";
			goto out;
		}
		f->answers = (char *)pt;
		f->answers_len = ptlen;
		pt = NULL;
	}
	rc = 0;
out:
	if (pt) {
		util_wipe(pt, ptlen);
		free(pt);
	}
	json_decref(ev);
	if (rc < 0)
		bo_form_free(f);
	return rc;
}

int bo_forms_store(sqlite3 *db, const struct syncproto_event *e,
		   const struct bo_form *f, const char *now)
{
	static const char ins[] =
		"INSERT OR IGNORE INTO submissions (event_id, reference,"
		" form_id, kiosk_id, received_at, answers)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
	sqlite3_stmt *s = NULL;
	int rc = -1;

	if (!f->answers)
		return 0;
	if (sqlite3_prepare_v2(db, ins, -1, &s, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(s, 1, e->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, f->reference, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, f->form_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, e->kiosk_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, now, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 6, f->answers, (int)f->answers_len,
			  SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_DONE)
		rc = 0;
	sqlite3_finalize(s);
	return rc;
}

static const char *col(sqlite3_stmt *s, int i)
{
	const char *t = (const char *)sqlite3_column_text(s, i);

	return t ? t : "";
}

bk_err bo_forms_show(sqlite3 *db, const char *id, FILE *f)
{
	static const char q[] =
		"SELECT e.raw, e.received_at, s.reference, s.form_id,"
		" s.received_at, s.answers FROM events e"
		" LEFT JOIN submissions s ON s.event_id = e.id WHERE e.id = ?1";
	sqlite3_stmt *s = NULL;
	json_t *o = NULL;
	bk_err rc = BK_ERR_IO;
	int step;

	if (sqlite3_prepare_v2(db, q, -1, &s, NULL) != SQLITE_OK)
		return BK_ERR_IO;
	sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
	step = sqlite3_step(s);
	if (step == SQLITE_DONE) {
		rc = BK_ERR_NOTFOUND;
		goto out;
	}
	if (step != SQLITE_ROW)
		goto out;
	o = json_pack("{s:o*, s:s}", "event", json_loads(col(s, 0), 0, NULL),
		      "received_at", col(s, 1));
	if (o && sqlite3_column_type(s, 5) != SQLITE_NULL)
		json_object_set_new(o, "submission", json_pack(
			"{s:s, s:s, s:s, s:o*}", "reference", col(s, 2),
			"form_id", col(s, 3), "received_at", col(s, 4),
			"plaintext", json_loads(col(s, 5), 0, NULL)));
	if (!o) {
		rc = BK_ERR_NOMEM;
		goto out;
	}
	if (json_dumpf(o, f, JSON_INDENT(1) | JSON_PRESERVE_ORDER) < 0)
		goto out;
	fputc('\n', f);
	rc = BK_OK;
out:
	json_decref(o);
	sqlite3_finalize(s);
	return rc;
}

/* ---- the technicians' page ----------------------------------------- */

static int html(struct buf *b, const char *s)
{
	for (; *s; s++) {
		const char *rep = NULL;

		switch (*s) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		}
		if (rep ? buf_append_str(b, rep) < 0 : buf_append(b, s, 1) < 0)
			return -1;
	}
	return 0;
}

static const char page_head[] =
	"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
	"<title>kiosk-backoffice: received events</title>"
	"<style>"
	"body{font-family:system-ui,sans-serif;margin:1.5rem;color:#222}"
	"h1{font-size:1.3rem}p{color:#555}"
	"table{border-collapse:collapse;width:100%;font-size:.9rem}"
	"th,td{border-bottom:1px solid #ddd;padding:.3rem .5rem;"
	"text-align:left;white-space:nowrap}"
	"th{background:#f3f3f3}tr:nth-child(even) td{background:#fafafa}"
	"td.id{font-family:monospace;color:#777}"
	"</style></head><body>\n"
	"<h1>Received events</h1>\n";

static const char page_table[] =
	"<table><thead><tr><th>received</th><th>kiosk</th><th>type</th>"
	"<th>ticket / reference</th><th>event id</th></tr></thead><tbody>\n";

bk_err bo_forms_page(sqlite3 *db, struct buf *out)
{
	static const char q[] =
		"SELECT received_at, kiosk_id, type,"
		" CASE WHEN number <> '' THEN number"
		"  WHEN type = 'form.submitted' THEN"
		"   coalesce(json_extract(raw, '$.data.reference'), '')"
		"  ELSE '' END, id,"
		" (SELECT count(*) FROM events)"
		" FROM events ORDER BY rowid DESC LIMIT ?1";
	sqlite3_stmt *s = NULL;
	bk_err rc = BK_ERR_IO;
	int step, rows = 0;

	if (sqlite3_prepare_v2(db, q, -1, &s, NULL) != SQLITE_OK)
		return BK_ERR_IO;
	sqlite3_bind_int(s, 1, BO_FORMS_PAGE_ROWS);
	if (buf_append_str(out, page_head) < 0)
		goto nomem;
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		if (rows++ == 0 &&
		    (buf_printf(out, "<p>%lld events held; the newest %d "
				"are listed. Submissions show their reference "
				"only.</p>\n", sqlite3_column_int64(s, 5),
				BO_FORMS_PAGE_ROWS) < 0 ||
		     buf_append_str(out, page_table) < 0))
			goto nomem;
		if (buf_append_str(out, "<tr><td>") < 0 ||
		    html(out, col(s, 0)) < 0 ||
		    buf_append_str(out, "</td><td>") < 0 ||
		    html(out, col(s, 1)) < 0 ||
		    buf_append_str(out, "</td><td>") < 0 ||
		    html(out, col(s, 2)) < 0 ||
		    buf_append_str(out, "</td><td>") < 0 ||
		    html(out, col(s, 3)) < 0 ||
		    buf_append_str(out, "</td><td class=\"id\">") < 0 ||
		    html(out, col(s, 4)) < 0 ||
		    buf_append_str(out, "</td></tr>\n") < 0)
			goto nomem;
	}
	if (step != SQLITE_DONE)
		goto out;
	if (buf_append_str(out, rows ? "</tbody></table>\n"
				     : "<p>No events received yet.</p>\n") < 0 ||
	    buf_append_str(out, "</body></html>\n") < 0)
		goto nomem;
	rc = BK_OK;
	goto out;
nomem:
	rc = BK_ERR_NOMEM;
out:
	sqlite3_finalize(s);
	return rc;
}
