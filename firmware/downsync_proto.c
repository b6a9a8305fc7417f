/*
 * downsync_proto.c — the down-sync wire format; see downsync_proto.h and
 * docs/sync-protocol.md.
 */
#include "firmware/downsync_proto.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "firmware/syncproto.h"
#include "firmware/util.h"

#define PARSE_FLAGS (JSON_REJECT_DUPLICATES)

/* 1 if s has min..max-1 bytes, each in the set accepted by ok(). */
static int chars_ok(const char *s, size_t min, size_t max, int (*ok)(char))
{
	size_t i;

	for (i = 0; s[i]; i++)
		if (i >= max - 1 || !ok(s[i]))
			return 0;
	return i >= min;
}

static int is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9');
}

static int id_char(char c)
{
	return is_alnum(c) || c == '.' || c == '_' || c == ':' || c == '-';
}

static int process_char(char c)
{
	return is_alnum(c) || c == '-';
}

static int code_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static int cursor_char(char c)
{
	return is_alnum(c) || c == '.' || c == '_' || c == '~' || c == '-';
}

static int version_char(char c)
{
	return c >= 0x20 && c <= 0x7e && c != '"';
}

static int lang_char(char c)
{
	return c >= 'a' && c <= 'z';
}

int downsync_proto_is_cursor(const char *s)
{
	return chars_ok(s, 0, DOWNSYNC_PROTO_CURSOR_MAX, cursor_char);
}

static int text_ok(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && n < CONFIG_TEXT_MAX && util_utf8_valid(s, n, 1);
}

/* n decimal digits at s into *v; -1 if any is not a digit. */
static int digits(const char *s, int n, int *v)
{
	*v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		*v = *v * 10 + (s[i] - '0');
	}
	return 0;
}

int downsync_proto_is_date(const char *s)
{
	struct tm tm = { 0 }, back;
	int y, mo, d;
	time_t t;

	if (strlen(s) != 10 || digits(s, 4, &y) || s[4] != '-' ||
	    digits(s + 5, 2, &mo) || s[7] != '-' || digits(s + 8, 2, &d) ||
	    y < 1900 || y > 2999 || mo < 1 || mo > 12 || d < 1 || d > 31)
		return 0;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = 12;
	t = timegm(&tm);
	return gmtime_r(&t, &back) && back.tm_mday == d &&
	       back.tm_mon == mo - 1;
}

int downsync_proto_parse_time(const char *s, int64_t *ms)
{
	struct tm tm = { 0 }, back;
	int y, mo, d, h, mi, sec, frac = 0;
	size_t len = strlen(s);
	time_t t;

	/* 0123456789012345678 9   then ".fff" optional, then 'Z' */
	if (len != 20 && len != 24)
		return -1;
	if (digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &mo) ||
	    s[7] != '-' || digits(s + 8, 2, &d) || s[10] != 'T' ||
	    digits(s + 11, 2, &h) || s[13] != ':' || digits(s + 14, 2, &mi) ||
	    s[16] != ':' || digits(s + 17, 2, &sec))
		return -1;
	if (len == 24 && (s[19] != '.' || digits(s + 20, 3, &frac)))
		return -1;
	if (s[len - 1] != 'Z')
		return -1;
	if (y < 2000 || y > 2999 || mo < 1 || mo > 12 || d < 1 || d > 31 ||
	    h > 23 || mi > 59 || sec > 59)
		return -1;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	t = timegm(&tm);
	/* 2026-02-30 normalises to March: refuse it */
	if (!gmtime_r(&t, &back) || back.tm_mday != d || back.tm_mon != mo - 1)
		return -1;
	*ms = (int64_t)t * 1000 + frac;
	return 0;
}

static void format_time(int64_t ms, int with_ms, char out[32])
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	char base[24];

	gmtime_r(&t, &tm);
	strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
	if (with_ms)
		snprintf(out, 32, "%s.%03dZ", base, (int)(ms % 1000));
	else
		snprintf(out, 32, "%sZ", base);
}

/* The names' bytes are checked for length and UTF-8 only: what a name
 * may hold is the booking system's business. */
static int name_ok(const char *s, size_t min)
{
	size_t n = strnlen(s, DOWNSYNC_PROTO_NAME_MAX);

	return n >= min && n < DOWNSYNC_PROTO_NAME_MAX &&
	       util_utf8_valid(s, n, 1);
}

static int holder_ok(const struct downsync_holder *h)
{
	return name_ok(h->surname, 1) && name_ok(h->given_names, 0) &&
	       downsync_proto_is_date(h->date_of_birth);
}

int downsync_proto_appt_valid(const struct downsync_appt *a)
{
	int64_t lo = 946684800000LL, hi = 32503680000000LL; /* 2000..3000 */

	return chars_ok(a->id, 1, sizeof a->id, id_char) &&
	       chars_ok(a->process_number, 1, sizeof a->process_number,
			process_char) &&
	       chars_ok(a->booking_code, 1, sizeof a->booking_code,
			code_char) &&
	       syncproto_is_id(a->service_id) &&
	       a->slot_start_ms >= lo && a->slot_start_ms < hi &&
	       a->updated_ms >= lo && a->updated_ms < hi &&
	       a->slot_minutes >= 1 &&
	       a->slot_minutes <= DOWNSYNC_PROTO_SLOT_MAX_MINUTES &&
	       (a->cancelled == 0 || a->cancelled == 1) &&
	       (a->has_holder == 0 ||
		(a->has_holder == 1 && holder_ok(&a->holder)));
}

int downsync_proto_service_valid(const struct downsync_service *s)
{
	if (!syncproto_is_id(s->id) || s->letter < 'A' || s->letter > 'Z' ||
	    !text_ok(s->name) || s->n_names < 0 ||
	    s->n_names > DOWNSYNC_PROTO_MAX_NAMES)
		return 0;
	for (int i = 0; i < s->n_names; i++) {
		if (!chars_ok(s->names[i].lang, 2, 4, lang_char) ||
		    !text_ok(s->names[i].text))
			return 0;
		for (int j = 0; j < i; j++)
			if (!strcmp(s->names[i].lang, s->names[j].lang))
				return 0;
	}
	return 1;
}

/* Copies string member key of o into out (len bytes) if it fits. */
static int get_str(json_t *o, const char *key, char *out, size_t len)
{
	json_t *v = json_object_get(o, key);
	const char *s = json_string_value(v);
	size_t n = json_string_length(v);

	if (!s || n >= len || strlen(s) != n) /* no embedded NUL */
		return -1;
	memcpy(out, s, n + 1);
	return 0;
}

static int get_time(json_t *o, const char *key, int64_t *ms)
{
	char t[32];

	if (get_str(o, key, t, sizeof t) < 0)
		return -1;
	return downsync_proto_parse_time(t, ms);
}

static int parse_appt(json_t *o, struct downsync_appt *a)
{
	json_t *mins = json_object_get(o, "slot_minutes");
	json_t *holder = json_object_get(o, "holder");
	char status[16];

	if (!json_is_object(o) ||
	    get_str(o, "id", a->id, sizeof a->id) < 0 ||
	    get_str(o, "process_number", a->process_number,
		    sizeof a->process_number) < 0 ||
	    get_str(o, "booking_code", a->booking_code,
		    sizeof a->booking_code) < 0 ||
	    get_str(o, "service_id", a->service_id, sizeof a->service_id) < 0 ||
	    get_time(o, "slot_start", &a->slot_start_ms) < 0 ||
	    get_time(o, "updated_at", &a->updated_ms) < 0 ||
	    get_str(o, "status", status, sizeof status) < 0 ||
	    !json_is_integer(mins))
		return -1;
	if (json_integer_value(mins) < 1 ||
	    json_integer_value(mins) > DOWNSYNC_PROTO_SLOT_MAX_MINUTES)
		return -1;
	a->slot_minutes = (int)json_integer_value(mins);
	if (!strcmp(status, "booked"))
		a->cancelled = 0;
	else if (!strcmp(status, "cancelled"))
		a->cancelled = 1;
	else
		return -1;
	if (holder) {
		struct downsync_holder *h = &a->holder;

		if (!json_is_object(holder) ||
		    get_str(holder, "surname", h->surname,
			    sizeof h->surname) < 0 ||
		    get_str(holder, "given_names", h->given_names,
			    sizeof h->given_names) < 0 ||
		    get_str(holder, "date_of_birth", h->date_of_birth,
			    sizeof h->date_of_birth) < 0)
			return -1;
		a->has_holder = 1;
	}
	return downsync_proto_appt_valid(a) ? 0 : -1;
}

void downsync_page_free(struct downsync_page *p)
{
	if (p->appt && p->n > 0)
		util_wipe(p->appt, (size_t)p->n * sizeof *p->appt);
	free(p->appt);
	memset(p, 0, sizeof *p);
}

/* Loads data as one JSON object within the reply cap. */
static json_t *load_object(const char *data, size_t len, bk_err *rc,
			   char *why, size_t whylen)
{
	json_error_t jerr;
	json_t *root;

	if (len > SYNCPROTO_MAX_REPLY) {
		util_seterr(why, whylen, "reply over %zu bytes",
			SYNCPROTO_MAX_REPLY);
		*rc = BK_ERR_TOOLARGE;
		return NULL;
	}
	*rc = BK_ERR_PROTOCOL;
	root = json_loadb(data, len, PARSE_FLAGS, &jerr);
	if (!root) {
		util_seterr(why, whylen, "reply is not JSON (line %d, column %d)",
			jerr.line, jerr.column);
		return NULL;
	}
	if (!json_is_object(root)) {
		util_seterr(why, whylen, "reply is not a JSON object");
		json_decref(root);
		return NULL;
	}
	return root;
}

bk_err downsync_proto_parse_page(const char *data, size_t len,
				 struct downsync_page *out, char *why,
				 size_t whylen)
{
	json_t *root, *arr, *more;
	size_t n;
	bk_err rc;

	memset(out, 0, sizeof *out);
	root = load_object(data, len, &rc, why, whylen);
	if (!root)
		return rc;
	rc = BK_ERR_PROTOCOL;
	arr = json_object_get(root, "appointments");
	more = json_object_get(root, "more");
	if (!json_is_array(arr) || !json_is_boolean(more) ||
	    get_str(root, "cursor", out->cursor, sizeof out->cursor) < 0 ||
	    !downsync_proto_is_cursor(out->cursor)) {
		util_seterr(why, whylen, "reply needs appointments (array), "
			"cursor ([A-Za-z0-9._~-]{0,128}) and more (boolean)");
		goto fail;
	}
	n = json_array_size(arr);
	if (n > DOWNSYNC_PROTO_MAX_PAGE) {
		util_seterr(why, whylen, "%zu appointments, at most %d", n,
			DOWNSYNC_PROTO_MAX_PAGE);
		rc = BK_ERR_TOOLARGE;
		goto fail;
	}
	out->more = json_is_true(more);
	if (out->more && n == 0) {
		util_seterr(why, whylen, "more is true on an empty page");
		goto fail;
	}
	out->appt = calloc(n ? n : 1, sizeof *out->appt);
	if (!out->appt) {
		rc = BK_ERR_NOMEM;
		goto fail;
	}
	for (size_t i = 0; i < n; i++) {
		if (parse_appt(json_array_get(arr, i), &out->appt[i]) < 0) {
			util_wipe(&out->appt[i], sizeof out->appt[i]);
			util_seterr(why, whylen, "appointments[%zu] breaks a "
				"field rule", i);
			goto fail;
		}
		out->n++;
	}
	json_decref(root);
	return BK_OK;
fail:
	json_decref(root);
	downsync_page_free(out);
	return rc;
}

static int parse_service(json_t *o, struct downsync_service *s)
{
	json_t *names = json_object_get(o, "names"), *v;
	char letter[4];
	const char *lang;

	if (!json_is_object(o) || get_str(o, "id", s->id, sizeof s->id) < 0 ||
	    get_str(o, "letter", letter, sizeof letter) < 0 ||
	    strlen(letter) != 1 ||
	    get_str(o, "name", s->name, sizeof s->name) < 0)
		return -1;
	s->letter = letter[0];
	if (names && !json_is_object(names))
		return -1;
	if (json_object_size(names) > DOWNSYNC_PROTO_MAX_NAMES)
		return -1;
	json_object_foreach(names, lang, v) {
		struct config_text *t = &s->names[s->n_names];

		if (strlen(lang) >= sizeof t->lang)
			return -1;
		snprintf(t->lang, sizeof t->lang, "%s", lang);
		if (get_str(names, lang, t->text, sizeof t->text) < 0)
			return -1;
		s->n_names++;
	}
	return downsync_proto_service_valid(s) ? 0 : -1;
}

void downsync_catalogue_free(struct downsync_catalogue *c)
{
	free(c->svc);
	memset(c, 0, sizeof *c);
}

bk_err downsync_proto_parse_catalogue(const char *data, size_t len,
				      struct downsync_catalogue *out,
				      char *why, size_t whylen)
{
	json_t *root, *arr;
	size_t n;
	bk_err rc;

	memset(out, 0, sizeof *out);
	root = load_object(data, len, &rc, why, whylen);
	if (!root)
		return rc;
	rc = BK_ERR_PROTOCOL;
	arr = json_object_get(root, "services");
	if (!json_is_array(arr) ||
	    get_str(root, "version", out->version, sizeof out->version) < 0 ||
	    !chars_ok(out->version, 1, sizeof out->version, version_char)) {
		util_seterr(why, whylen, "reply needs services (array) and "
			"version (printable, 1..63 bytes)");
		goto fail;
	}
	n = json_array_size(arr);
	if (n < 1 || n > DOWNSYNC_PROTO_MAX_SERVICES) {
		util_seterr(why, whylen, "%zu services, want 1..%d", n,
			DOWNSYNC_PROTO_MAX_SERVICES);
		goto fail;
	}
	out->svc = calloc(n, sizeof *out->svc);
	if (!out->svc) {
		rc = BK_ERR_NOMEM;
		goto fail;
	}
	for (size_t i = 0; i < n; i++) {
		struct downsync_service *s = &out->svc[i];

		if (parse_service(json_array_get(arr, i), s) < 0) {
			util_seterr(why, whylen, "services[%zu] breaks a field "
				"rule", i);
			goto fail;
		}
		for (size_t j = 0; j < i; j++) {
			if (!strcmp(out->svc[j].id, s->id) ||
			    out->svc[j].letter == s->letter) {
				util_seterr(why, whylen, "services[%zu] repeats an "
					"id or a letter", i);
				goto fail;
			}
		}
		out->n++;
	}
	json_decref(root);
	return BK_OK;
fail:
	json_decref(root);
	downsync_catalogue_free(out);
	return rc;
}

/* ---- back-office side ---------------------------------------------- */

static int append_new(json_t *arr, json_t *v)
{
	return v ? json_array_append_new(arr, v) : -1;
}

static bk_err dump_into(json_t *root, struct buf *out)
{
	char *text = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER);
	bk_err rc = text && buf_append_str(out, text) == 0 ? BK_OK
							    : BK_ERR_NOMEM;

	free(text);
	return rc;
}

bk_err downsync_proto_build_page(const struct downsync_page *p,
				 struct buf *out)
{
	json_t *arr = NULL, *root = NULL;
	bk_err rc = BK_ERR_INVALID;

	if (p->n < 0 || p->n > DOWNSYNC_PROTO_MAX_PAGE ||
	    !downsync_proto_is_cursor(p->cursor) || (p->more && p->n == 0))
		return BK_ERR_INVALID;
	arr = json_array();
	if (!arr)
		return BK_ERR_NOMEM;
	for (int i = 0; i < p->n; i++) {
		const struct downsync_appt *a = &p->appt[i];
		char slot[32], upd[32];
		json_t *o;

		if (!downsync_proto_appt_valid(a))
			goto out;
		format_time(a->slot_start_ms, a->slot_start_ms % 1000 != 0,
			    slot);
		format_time(a->updated_ms, 1, upd);
		o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:s, s:s}",
			"id", a->id, "process_number", a->process_number,
			"booking_code", a->booking_code,
			"service_id", a->service_id, "slot_start", slot,
			"slot_minutes", a->slot_minutes,
			"status", a->cancelled ? "cancelled" : "booked",
			"updated_at", upd);
		if (o && a->has_holder &&
		    json_object_set_new(o, "holder", json_pack(
			"{s:s, s:s, s:s}", "surname", a->holder.surname,
			"given_names", a->holder.given_names,
			"date_of_birth", a->holder.date_of_birth)) < 0) {
			json_decref(o);
			o = NULL;
		}
		if (append_new(arr, o) < 0) {
			rc = BK_ERR_NOMEM;
			goto out;
		}
	}
	root = json_pack("{s:O, s:s, s:b}", "appointments", arr,
			 "cursor", p->cursor, "more", p->more);
	rc = root ? dump_into(root, out) : BK_ERR_NOMEM;
out:
	json_decref(arr);
	json_decref(root);
	return rc;
}

bk_err downsync_proto_build_catalogue(const struct downsync_catalogue *c,
				      struct buf *out)
{
	json_t *arr = NULL, *root = NULL;
	bk_err rc = BK_ERR_INVALID;

	if (c->n < 1 || c->n > DOWNSYNC_PROTO_MAX_SERVICES ||
	    !chars_ok(c->version, 1, sizeof c->version, version_char))
		return BK_ERR_INVALID;
	arr = json_array();
	if (!arr)
		return BK_ERR_NOMEM;
	for (int i = 0; i < c->n; i++) {
		const struct downsync_service *s = &c->svc[i];
		char letter[2] = { s->letter, '\0' };
		json_t *names, *o;

		if (!downsync_proto_service_valid(s))
			goto out;
		for (int j = 0; j < i; j++)
			if (!strcmp(c->svc[j].id, s->id) ||
			    c->svc[j].letter == s->letter)
				goto out;
		names = json_object();
		for (int k = 0; names && k < s->n_names; k++)
			if (json_object_set_new(names, s->names[k].lang,
				json_string(s->names[k].text)) < 0) {
				json_decref(names);
				names = NULL;
			}
		o = names ? json_pack("{s:s, s:s, s:s, s:o}", "id", s->id,
				      "letter", letter, "name", s->name,
				      "names", names) : NULL;
		if (append_new(arr, o) < 0) {
			rc = BK_ERR_NOMEM;
			goto out;
		}
	}
	root = json_pack("{s:O, s:s}", "services", arr, "version", c->version);
	rc = root ? dump_into(root, out) : BK_ERR_NOMEM;
out:
	json_decref(arr);
	json_decref(root);
	return rc;
}
