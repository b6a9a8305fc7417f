/*
 * forms_check.c — the citizen's answers and their validation against a
 * loaded form; see forms.h.
 *
 * Values are checked as typed, with leading and trailing spaces ignored
 * (a keyboard's stray space is no error). Every copy of a value made here
 * lives on the stack and is wiped before the function returns.
 */
#include "firmware/forms.h"
#include "firmware/forms_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "firmware/util.h"

/* The messages (English msgids; German and English in assets/i18n). */
#define M_REQUIRED N_("Please fill in this field.")
#define M_CHOOSE N_("Please choose one of the options.")
#define M_CONFIRM N_("Please tick this box to continue.")
#define M_CHARS N_("Please use letters, digits and punctuation only.")
#define M_MIN_LEN N_("Please enter at least {n} characters.")
#define M_MAX_LEN N_("Please enter no more than {n} characters.")
#define M_PATTERN N_("Please check the format of your entry.")
#define M_POSTCODE N_("Please enter a five-digit postcode.")
#define M_DATE N_("Please enter the date as DD.MM.YYYY.")
#define M_DATE_NONE N_("This date does not exist. Please check the day " \
		       "and the month.")
#define M_DATE_MIN N_("Please enter a date on or after {date}.")
#define M_DATE_MAX N_("Please enter a date on or before {date}.")
#define M_NUMBER N_("Please enter a whole number.")
#define M_NUM_MIN N_("Please enter a number of at least {n}.")
#define M_NUM_MAX N_("Please enter a number of at most {n}.")
#define M_EMAIL N_("Please enter a valid e-mail address, such as " \
		   "name@example.de.")
#define M_PHONE N_("Please enter a phone number using only digits, spaces " \
		   "and a leading +.")

static const char *tr(const struct form *f, const char *lang,
		      const char *msgid)
{
	return f->i18n ? i18n_tr(f->i18n, lang, msgid) : msgid;
}

static bk_err say(const struct form *f, const char *lang, const char *msgid,
		  char *msg, size_t msglen)
{
	if (msg && msglen)
		snprintf(msg, msglen, "%s", tr(f, lang, msgid));
	return BK_ERR_INVALID;
}

static bk_err say_with(const struct form *f, const char *lang,
		       const char *msgid, const char *key, const char *value,
		       char *msg, size_t msglen)
{
	if (msg && msglen)
		i18n_subst(msg, msglen, tr(f, lang, msgid), key, value);
	return BK_ERR_INVALID;
}

static bk_err say_text(const struct form_text *t, const char *lang,
		       char *msg, size_t msglen)
{
	if (msg && msglen)
		snprintf(msg, msglen, "%s", form_text(t, lang));
	return BK_ERR_INVALID;
}

/* Copies value without leading and trailing spaces into out (size
 * FORMS_VALUE_MAX). -1 when it does not fit. */
static int trimmed(const char *value, char *out)
{
	const char *s = value ? value : "";
	size_t n;

	while (*s == ' ')
		s++;
	n = strlen(s);
	while (n && s[n - 1] == ' ')
		n--;
	if (n >= FORMS_VALUE_MAX) {
		out[0] = '\0';
		return -1;
	}
	memcpy(out, s, n);
	out[n] = '\0';
	return 0;
}

/* ---- dates ------------------------------------------------------------ */

static int days_in_month(int y, int m)
{
	static const int d[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30,
				 31 };

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return d[m - 1];
}

/* n ASCII digits at s as a number, or -1. */
static int digits(const char *s, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* 0 when well-formed (y/m/d set), -1 when malformed, -2 when well-formed
 * but no such day. */
static int date_parse(const char *s, int *y, int *m, int *d)
{
	size_t n = strlen(s);
	const char *dot1, *dot2;

	*y = *m = *d = -1;
	if (n == 10 && s[4] == '-' && s[7] == '-') {
		*y = digits(s, 4);
		*m = digits(s + 5, 2);
		*d = digits(s + 8, 2);
	} else if (n == 8 && digits(s, 8) >= 0) {
		*d = digits(s, 2);
		*m = digits(s + 2, 2);
		*y = digits(s + 4, 4);
	} else if ((dot1 = strchr(s, '.')) && (dot2 = strchr(dot1 + 1, '.')) &&
		   !strchr(dot2 + 1, '.')) {
		int dl = (int)(dot1 - s), ml = (int)(dot2 - dot1 - 1);

		if (dl < 1 || dl > 2 || ml < 1 || ml > 2 || strlen(dot2 + 1) != 4)
			return -1;
		*d = digits(s, dl);
		*m = digits(dot1 + 1, ml);
		*y = digits(dot2 + 1, 4);
	} else {
		return -1;
	}
	if (*y < 1000 || *m < 0 || *d < 0)
		return -1;
	if (*m < 1 || *m > 12 || *d < 1 ||
	    *d > days_in_month(*y, *m))
		return -2;
	return 0;
}

int forms_date_parse(const char *s, int *y, int *m, int *d)
{
	return s && date_parse(s, y, m, d) == 0 ? 0 : -1;
}

static long date_key(int y, int m, int d)
{
	return (long)y * 10000 + m * 100 + d;
}

/* The bound as a day: absolute, or today moved by years/months/days in
 * local time (31 January + 1 month is 3 March, as mktime normalises). */
static long bound_day(const struct form *f, const struct form_date_bound *b,
		      int *y, int *m, int *d)
{
	struct tm tm;
	time_t now = f->now ? f->now : time(NULL);

	if (!b->relative) {
		*y = b->y;
		*m = b->m;
		*d = b->d;
		return date_key(*y, *m, *d);
	}
	localtime_r(&now, &tm);
	tm.tm_year += b->years;
	tm.tm_mon += b->months;
	tm.tm_mday += b->days;
	tm.tm_hour = 12;
	tm.tm_min = tm.tm_sec = 0;
	tm.tm_isdst = -1;
	now = mktime(&tm);
	localtime_r(&now, &tm);
	*y = tm.tm_year + 1900;
	*m = tm.tm_mon + 1;
	*d = tm.tm_mday;
	return date_key(*y, *m, *d);
}

static bk_err check_date(const struct form *f, const struct form_field *fd,
			 const char *v, const char *lang, char *msg,
			 size_t msglen)
{
	int y, m, d, by, bm, bd, rc = date_parse(v, &y, &m, &d);
	char shown[16];

	if (rc == -1)
		return say(f, lang, M_DATE, msg, msglen);
	if (rc == -2)
		return say(f, lang, M_DATE_NONE, msg, msglen);
	if (fd->dmin.set &&
	    date_key(y, m, d) < bound_day(f, &fd->dmin, &by, &bm, &bd)) {
		snprintf(shown, sizeof shown, "%02d.%02d.%04d", bd % 100,
			 bm % 100, by % 10000);
		return say_with(f, lang, M_DATE_MIN, "{date}", shown, msg,
				msglen);
	}
	if (fd->dmax.set &&
	    date_key(y, m, d) > bound_day(f, &fd->dmax, &by, &bm, &bd)) {
		snprintf(shown, sizeof shown, "%02d.%02d.%04d", bd % 100,
			 bm % 100, by % 10000);
		return say_with(f, lang, M_DATE_MAX, "{date}", shown, msg,
				msglen);
	}
	return BK_OK;
}

/* ---- numbers, e-mail, phone --------------------------------------------- */

/* A whole number: optional '-', 1..15 digits. 0 or -1. */
static int number_parse(const char *s, long long *out)
{
	const char *p = s[0] == '-' ? s + 1 : s;
	size_t n = strlen(p);

	if (n < 1 || n > 15)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (p[i] < '0' || p[i] > '9')
			return -1;
	*out = strtoll(s, NULL, 10);
	return 0;
}

static bk_err check_number(const struct form *f, const struct form_field *fd,
			   const char *v, const char *lang, char *msg,
			   size_t msglen)
{
	long long n;
	char shown[24];

	if (number_parse(v, &n) < 0)
		return say(f, lang, M_NUMBER, msg, msglen);
	if (fd->has_min && n < fd->min) {
		snprintf(shown, sizeof shown, "%lld", fd->min);
		return say_with(f, lang, M_NUM_MIN, "{n}", shown, msg, msglen);
	}
	if (fd->has_max && n > fd->max) {
		snprintf(shown, sizeof shown, "%lld", fd->max);
		return say_with(f, lang, M_NUM_MAX, "{n}", shown, msg, msglen);
	}
	return BK_OK;
}

static int email_local_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c >= 0x80 ||
	       strchr("!#$%&'*+/=?^_`{|}~-.", c);
}

/* A sane address, not RFC 5322's full grammar: local@domain with a
 * local part of 1..64 characters from the usual set (no quotes, no leading,
 * trailing or double dot), a domain of dot-separated labels (letters,
 * digits, hyphens not at either end; UTF-8 allowed for umlaut domains),
 * at least two labels, the last of two or more letters. */
static int email_ok(const char *s)
{
	const char *at = strchr(s, '@'), *p, *label;
	size_t local = at ? (size_t)(at - s) : 0;
	int labels = 0, tld_alpha = 1;

	if (!at || strchr(at + 1, '@') || local < 1 || local > 64 ||
	    strlen(s) > 254)
		return 0;
	if (s[0] == '.' || at[-1] == '.')
		return 0;
	for (p = s; p < at; p++)
		if (!email_local_char((unsigned char)*p) ||
		    (p[0] == '.' && p[1] == '.'))
			return 0;
	label = at + 1;
	for (p = label;; p++) {
		unsigned char c = (unsigned char)*p;

		if (c == '.' || c == '\0') {
			size_t n = (size_t)(p - label);

			if (n < 1 || n > 63 || label[0] == '-' || p[-1] == '-')
				return 0;
			labels++;
			if (c == '\0')
				break;
			label = p + 1;
			tld_alpha = 1;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '-' || c >= 0x80))
			return 0;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      c >= 0x80))
			tld_alpha = 0;
	}
	return labels >= 2 && tld_alpha && p - label >= 2;
}

/* Digits and spaces, an optional leading '+', 5..20 digits. */
static int phone_ok(const char *s)
{
	int nd = 0;

	for (const char *p = s; *p; p++) {
		if (*p >= '0' && *p <= '9')
			nd++;
		else if (*p == '+' && p == s)
			continue;
		else if (*p != ' ')
			return 0;
	}
	return nd >= 5 && nd <= 20;
}

/* Code points of well-formed UTF-8. */
static int chars(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

/* ---- one field ------------------------------------------------------------ */

static bk_err check_value(const struct form *f, const struct form_field *fd,
			  const char *v, const char *lang, char *msg,
			  size_t msglen)
{
	char shown[16];
	int n;

	if (!v[0]) {
		if (!fd->required)
			return BK_OK;
		if (fd->type == FORM_CHECKBOX)
			return say(f, lang, M_CONFIRM, msg, msglen);
		if (fd->type == FORM_SELECT || fd->type == FORM_RADIO)
			return say(f, lang, M_CHOOSE, msg, msglen);
		return say(f, lang, M_REQUIRED, msg, msglen);
	}
	if (!util_utf8_valid(v, strlen(v), 1))
		return say(f, lang, M_CHARS, msg, msglen);
	switch (fd->type) {
	case FORM_CHECKBOX:
		return strcmp(v, FORMS_CHECKED) ?
		       say(f, lang, M_CONFIRM, msg, msglen) : BK_OK;
	case FORM_SELECT:
	case FORM_RADIO:
		for (int i = 0; i < fd->n_options; i++)
			if (!strcmp(fd->options[i].value, v))
				return BK_OK;
		return say(f, lang, M_CHOOSE, msg, msglen);
	case FORM_DATE:
		return check_date(f, fd, v, lang, msg, msglen);
	case FORM_NUMBER:
		return check_number(f, fd, v, lang, msg, msglen);
	case FORM_POSTCODE:
		if (strlen(v) != 5 || digits(v, 5) < 0)
			return say(f, lang, M_POSTCODE, msg, msglen);
		break;
	case FORM_EMAIL:
	case FORM_PHONE:
	case FORM_TEXT:
		n = chars(v);
		if (n < fd->min_len) {
			snprintf(shown, sizeof shown, "%d", fd->min_len);
			return say_with(f, lang, M_MIN_LEN, "{n}", shown, msg,
					msglen);
		}
		if (n > fd->max_len) {
			snprintf(shown, sizeof shown, "%d", fd->max_len);
			return say_with(f, lang, M_MAX_LEN, "{n}", shown, msg,
					msglen);
		}
		if (fd->type == FORM_EMAIL && !email_ok(v))
			return say(f, lang, M_EMAIL, msg, msglen);
		if (fd->type == FORM_PHONE && !phone_ok(v))
			return say(f, lang, M_PHONE, msg, msglen);
		break;
	}
	if (fd->has_pattern && regexec(&fd->re, v, 0, NULL, 0) != 0)
		return fd->pattern_msg.s[0] ?
		       say_text(&fd->pattern_msg, lang, msg, msglen) :
		       say(f, lang, M_PATTERN, msg, msglen);
	return BK_OK;
}

bk_err forms_check_field(const struct form *f, int field_idx,
			 const char *value, const char *lang, char *msg,
			 size_t msglen)
{
	char v[FORMS_VALUE_MAX], shown[16];
	bk_err rc;

	if (msg && msglen)
		msg[0] = '\0';
	if (!f || field_idx < 0 || field_idx >= f->n_fields)
		return BK_ERR_INVALID;
	if (trimmed(value, v) < 0) {
		snprintf(shown, sizeof shown, "%d",
			 f->fields[field_idx].max_len);
		return say_with(f, lang, M_MAX_LEN, "{n}", shown, msg, msglen);
	}
	rc = check_value(f, &f->fields[field_idx], v, lang, msg, msglen);
	util_wipe(v, sizeof v);
	return rc;
}

/* ---- cross-field rules ----------------------------------------------------- */

/* Compares two answered date or number values: -1, 0, 1, or -2 when
 * either is not well-formed (its own field check reports that). */
static int compare(enum form_type t, const char *a, const char *b)
{
	if (t == FORM_DATE) {
		int y1, m1, d1, y2, m2, d2;
		long k1, k2;

		if (date_parse(a, &y1, &m1, &d1) || date_parse(b, &y2, &m2, &d2))
			return -2;
		k1 = date_key(y1, m1, d1);
		k2 = date_key(y2, m2, d2);
		return k1 < k2 ? -1 : k1 > k2;
	} else {
		long long x, y;

		if (number_parse(a, &x) || number_parse(b, &y))
			return -2;
		return x < y ? -1 : x > y;
	}
}

static bk_err check_rule(const struct form *f, const struct form_rule *r,
			 const struct form_answers *a, const char *lang,
			 char *msg, size_t msglen)
{
	char v[FORMS_VALUE_MAX], o[FORMS_VALUE_MAX];
	bk_err rc = BK_OK;
	int any = 0;

	trimmed(form_answers_get(a, r->field), v);
	trimmed(r->other >= 0 ? form_answers_get(a, r->other) : "", o);
	switch (r->type) {
	case FORM_RULE_NOT_BEFORE:
		if (v[0] && o[0] &&
		    compare(f->fields[r->field].type, v, o) == -1)
			rc = BK_ERR_INVALID;
		break;
	case FORM_RULE_EQUAL:
		if ((v[0] || o[0]) && strcmp(v, o))
			rc = BK_ERR_INVALID;
		break;
	case FORM_RULE_REQUIRED_IF:
		if (!v[0] && (r->equals[0] ? !strcmp(o, r->equals) : o[0] != 0))
			rc = BK_ERR_INVALID;
		break;
	case FORM_RULE_ANY_REQUIRED:
		for (int i = 0; i < r->n_fields; i++) {
			trimmed(form_answers_get(a, r->fields[i]), o);
			any |= o[0] != 0;
		}
		if (!any)
			rc = BK_ERR_INVALID;
		break;
	}
	util_wipe(v, sizeof v);
	util_wipe(o, sizeof o);
	if (rc)
		say_text(&r->message, lang, msg, msglen);
	return rc;
}

/* The page of a rule's last field. */
static int rule_page(const struct form *f, const struct form_rule *r)
{
	int p = f->fields[r->field].page;

	if (r->other >= 0 && f->fields[r->other].page > p)
		p = f->fields[r->other].page;
	for (int i = 0; i < r->n_fields; i++)
		if (f->fields[r->fields[i]].page > p)
			p = f->fields[r->fields[i]].page;
	return p;
}

static bk_err check_fields_rules(const struct form *f,
				 const struct form_answers *a, int page,
				 const char *lang, int *bad_field, char *msg,
				 size_t msglen)
{
	bk_err rc;

	if (bad_field)
		*bad_field = -1;
	if (msg && msglen)
		msg[0] = '\0';
	if (!f || !a || a->form != f)
		return BK_ERR_INVALID;
	for (int i = 0; i < f->n_fields; i++) {
		if (page >= 0 && f->fields[i].page != page)
			continue;
		rc = forms_check_field(f, i, a->value[i], lang, msg, msglen);
		if (rc) {
			if (bad_field)
				*bad_field = i;
			return rc;
		}
	}
	for (int i = 0; i < f->n_rules; i++) {
		const struct form_rule *r = &f->rules[i];

		if (page >= 0 && rule_page(f, r) != page)
			continue;
		if ((rc = check_rule(f, r, a, lang, msg, msglen))) {
			if (bad_field)
				*bad_field = r->field;
			return rc;
		}
	}
	return BK_OK;
}

bk_err forms_check_page(const struct form *f, const struct form_answers *a,
			int page, const char *lang, int *bad_field, char *msg,
			size_t msglen)
{
	if (f && (page < 0 || page >= f->n_pages)) {
		if (bad_field)
			*bad_field = -1;
		return BK_ERR_INVALID;
	}
	return check_fields_rules(f, a, page, lang, bad_field, msg, msglen);
}

bk_err forms_check_form(const struct form *f, const struct form_answers *a,
			const char *lang, int *bad_field, char *msg,
			size_t msglen)
{
	return check_fields_rules(f, a, -1, lang, bad_field, msg, msglen);
}

/* ---- answers ----------------------------------------------------------------- */

struct form_answers *form_answers_create(const struct form *f,
					 const char *lang)
{
	struct form_answers *a = calloc(1, sizeof *a);

	if (!a)
		return NULL;
	a->form = f;
	snprintf(a->lang, sizeof a->lang, "%s",
		 forms_lang_index(lang) >= 0 ? lang : "de");
	return a;
}

void form_answers_wipe(struct form_answers *a)
{
	if (a)
		util_wipe(a->value, sizeof a->value);
}

void form_answers_destroy(struct form_answers *a)
{
	if (!a)
		return;
	form_answers_wipe(a);
	free(a);
}

bk_err form_answers_set(struct form_answers *a, int field_idx,
			const char *value)
{
	size_t n = value ? strlen(value) : 0;

	if (!a || !a->form || field_idx < 0 || field_idx >= a->form->n_fields)
		return BK_ERR_INVALID;
	if (n >= FORMS_VALUE_MAX)
		return BK_ERR_TOOLARGE;
	util_wipe(a->value[field_idx], FORMS_VALUE_MAX);
	if (n)
		memcpy(a->value[field_idx], value, n);
	return BK_OK;
}

const char *form_answers_get(const struct form_answers *a, int field_idx)
{
	if (!a || !a->form || field_idx < 0 || field_idx >= a->form->n_fields)
		return "";
	return a->value[field_idx];
}

int form_answers_prefill(struct form_answers *a, enum form_prefill kind,
			 const char *value)
{
	char shown[16];
	const char *v = value;
	int y, m, d, n = 0;

	if (!a || !a->form || kind == FORM_PREFILL_NONE || !value)
		return 0;
	if (kind == FORM_PREFILL_DATE_OF_BIRTH) {
		if (forms_date_parse(value, &y, &m, &d) < 0)
			return 0;
		snprintf(shown, sizeof shown, "%02d.%02d.%04d", d, m, y);
		v = shown;
	}
	for (int i = 0; i < a->form->n_fields; i++)
		if (a->form->fields[i].prefill == kind &&
		    form_answers_set(a, i, v) == BK_OK)
			n++;
	util_wipe(shown, sizeof shown);
	return n;
}

/* ---- the submission's answers ---------------------------------------------- */

json_t *forms__answer_json(const struct form_field *fd, const char *v)
{
	long long n;
	char iso[16];
	int y, m, d;
	json_t *j;

	if (fd->type == FORM_CHECKBOX)
		return json_boolean(!strcmp(v, FORMS_CHECKED));
	if (!v[0])
		return NULL;
	switch (fd->type) {
	case FORM_DATE:
		if (date_parse(v, &y, &m, &d))
			return NULL;
		snprintf(iso, sizeof iso, "%04d-%02d-%02d", y, m, d);
		j = json_string(iso);
		util_wipe(iso, sizeof iso);
		return j;
	case FORM_NUMBER:
		return number_parse(v, &n) ? NULL : json_integer(n);
	default:
		return json_string(v);
	}
}

int forms__trimmed(const char *value, char out[FORMS_VALUE_MAX])
{
	return trimmed(value, out);
}
