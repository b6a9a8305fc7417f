/*
 * forms.c — loading and checking form definitions; see forms.h and
 * docs/forms.md. Validation of answers is in forms_check.c, the hand-over
 * to the submission in formsubmit.c.
 *
 * The loader never stops at the first problem: a municipality's author
 * gets every problem of a file in one run (up to FORMS_ERRORS_MAX), each
 * naming the place and the language. Unknown members are errors, so a
 * typo ("requred") is caught instead of silently ignored.
 */
#include "firmware/forms.h"

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "firmware/log.h"
#include "firmware/util.h"

const char *const FORMS_LANGS[FORMS_N_LANGS] = { "de", "en", "tr", "uk",
						 "ar" };

static const char *const type_names[] = {
	[FORM_TEXT] = "text",         [FORM_DATE] = "date",
	[FORM_NUMBER] = "number",     [FORM_SELECT] = "select",
	[FORM_RADIO] = "radio",       [FORM_CHECKBOX] = "checkbox",
	[FORM_EMAIL] = "email",       [FORM_PHONE] = "phone",
	[FORM_POSTCODE] = "postcode",
};
#define N_TYPES ((int)(sizeof type_names / sizeof type_names[0]))

static const char *const prefill_names[] = {
	[FORM_PREFILL_NONE] = "",
	[FORM_PREFILL_SURNAME] = "surname",
	[FORM_PREFILL_GIVEN_NAMES] = "given_names",
	[FORM_PREFILL_DATE_OF_BIRTH] = "date_of_birth",
	[FORM_PREFILL_NATIONALITY] = "nationality",
};

static const char *const keyboard_names[] = {
	[FORM_KB_TEXT] = "text",   [FORM_KB_NUMERIC] = "numeric",
	[FORM_KB_EMAIL] = "email", [FORM_KB_PHONE] = "phone",
};

static const char *const rule_names[] = {
	[FORM_RULE_NOT_BEFORE] = "not_before",
	[FORM_RULE_EQUAL] = "equal",
	[FORM_RULE_REQUIRED_IF] = "required_if",
	[FORM_RULE_ANY_REQUIRED] = "any_required",
};

/* Default and largest max_length per type (characters). */
static int default_max_len(enum form_type t)
{
	switch (t) {
	case FORM_TEXT: return 100;
	case FORM_EMAIL: return 254;
	case FORM_PHONE: return 30;
	case FORM_POSTCODE: return 5;
	case FORM_NUMBER: return 16;
	case FORM_DATE: return 10;
	case FORM_SELECT:
	case FORM_RADIO: return FORMS_ID_MAX - 1;
	case FORM_CHECKBOX: return 1;
	}
	return 100;
}

static int lengths_apply(enum form_type t)
{
	return t == FORM_TEXT || t == FORM_EMAIL || t == FORM_PHONE;
}

static int pattern_applies(enum form_type t)
{
	return t == FORM_TEXT || t == FORM_EMAIL || t == FORM_PHONE ||
	       t == FORM_POSTCODE;
}

int forms_lang_index(const char *lang)
{
	for (int i = 0; lang && i < FORMS_N_LANGS; i++)
		if (!strcmp(lang, FORMS_LANGS[i]))
			return i;
	return -1;
}

const char *form_text(const struct form_text *t, const char *lang)
{
	int i = forms_lang_index(lang);

	if (i < 0)
		i = 0;
	if (t->s[i])
		return t->s[i];
	return t->s[0] ? t->s[0] : "";
}

/* ---- the load context ---------------------------------------------- */

struct ld {
	const char *name;
	struct forms_errors *errs;
	int n_err;
	struct form *f;
	int total_len;
};

static void ld_err(struct ld *l, const char *place, const char *lang,
		   const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void ld_err(struct ld *l, const char *place, const char *lang,
		   const char *fmt, ...)
{
	va_list ap;
	char *m;
	int k;

	l->n_err++;
	if (!l->errs)
		return;
	if (l->errs->n >= FORMS_ERRORS_MAX) {
		l->errs->dropped++;
		return;
	}
	m = l->errs->msg[l->errs->n++];
	k = snprintf(m, FORMS_ERROR_LEN, "%s:%s:%s: ", l->name, place,
		     lang ? lang : "-");
	if (k < 0 || k >= FORMS_ERROR_LEN)
		return;
	va_start(ap, fmt);
	vsnprintf(m + k, FORMS_ERROR_LEN - (size_t)k, fmt, ap);
	va_end(ap);
}

/* An id: [a-z0-9_-], 1..FORMS_ID_MAX-1 bytes. */
static int id_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n == 0 || n >= FORMS_ID_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '_' ||
		      s[i] == '-'))
			return 0;
	return 1;
}

/* Members of o not in allowed (NULL-terminated) are errors. */
static void only_members(struct ld *l, json_t *o, const char *place,
			 const char *const *allowed)
{
	const char *k;
	json_t *v;

	json_object_foreach(o, k, v) {
		int ok = 0;

		for (int i = 0; allowed[i] && !ok; i++)
			ok = !strcmp(k, allowed[i]);
		if (!ok)
			ld_err(l, place, NULL, "unknown member \"%.40s\"", k);
	}
}

/* A visible text: an object with a non-empty string for every language
 * of FORMS_LANGS and nothing else. */
static void parse_text(struct ld *l, json_t *parent, const char *key,
		       const char *where, int optional, struct form_text *t)
{
	json_t *o = json_object_get(parent, key);
	char place[128];
	const char *k;
	json_t *v;

	snprintf(place, sizeof place, "%s%s%s", where, where[0] ? "." : "",
		 key);
	if (!o) {
		if (!optional)
			ld_err(l, place, NULL, "missing (a text in de, en, "
			       "tr, uk and ar)");
		return;
	}
	if (!json_is_object(o)) {
		ld_err(l, place, NULL, "must be an object of texts by "
		       "language (de, en, tr, uk, ar)");
		return;
	}
	for (int i = 0; i < FORMS_N_LANGS; i++) {
		const char *lang = FORMS_LANGS[i];
		json_t *s = json_object_get(o, lang);
		size_t len;

		if (!s) {
			ld_err(l, place, lang, "missing");
			continue;
		}
		if (!json_is_string(s)) {
			ld_err(l, place, lang, "must be a string");
			continue;
		}
		len = json_string_length(s);
		if (len == 0) {
			ld_err(l, place, lang, "empty");
			continue;
		}
		if (len >= FORMS_TEXT_MAX) {
			ld_err(l, place, lang, "longer than %d bytes",
			       FORMS_TEXT_MAX - 1);
			continue;
		}
		if (!util_utf8_valid(json_string_value(s), len, 1)) {
			ld_err(l, place, lang, "contains a control character "
			       "or a NUL");
			continue;
		}
		t->s[i] = strdup(json_string_value(s));
		if (!t->s[i])
			ld_err(l, place, lang, "out of memory");
	}
	json_object_foreach(o, k, v)
		if (forms_lang_index(k) < 0)
			ld_err(l, place, NULL, "unknown language \"%.16s\"",
			       k);
}

static void text_free(struct form_text *t)
{
	for (int i = 0; i < FORMS_N_LANGS; i++) {
		free(t->s[i]);
		t->s[i] = NULL;
	}
}

/* An integer member in [lo, hi]; def when absent. */
static int get_int(struct ld *l, json_t *o, const char *key,
		   const char *place, long long lo, long long hi,
		   long long def, long long *out)
{
	json_t *v = json_object_get(o, key);

	*out = def;
	if (!v)
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < lo ||
	    json_integer_value(v) > hi) {
		ld_err(l, place, NULL, "%s must be a whole number from %lld "
		       "to %lld", key, lo, hi);
		return -1;
	}
	*out = json_integer_value(v);
	return 1;
}

/* A string member naming one of names[0..n); *out its index. */
static int get_enum(struct ld *l, json_t *o, const char *key,
		    const char *place, const char *const *names, int n,
		    int *out)
{
	json_t *v = json_object_get(o, key);
	const char *s = json_string_value(v);

	if (!v)
		return 0;
	for (int i = 0; s && i < n; i++)
		if (names[i][0] && !strcmp(s, names[i])) {
			*out = i;
			return 1;
		}
	ld_err(l, place, NULL, "%s \"%.40s\" is not one of the known ones",
	       key, s ? s : "(not a string)");
	return -1;
}

/* ---- date bounds ----------------------------------------------------
 * "today", "+N" or "-N" followed by d, m or y (N up to 200 years worth),
 * or an absolute "YYYY-MM-DD". */
static int date_bound(const char *s, struct form_date_bound *b)
{
	char unit;
	long n;
	char *end;

	memset(b, 0, sizeof *b);
	if (!s)
		return -1;
	if (!strcmp(s, "today")) {
		b->set = b->relative = 1;
		return 0;
	}
	if (s[0] == '+' || s[0] == '-') {
		if (s[1] < '0' || s[1] > '9')
			return -1;
		errno = 0;
		n = strtol(s + 1, &end, 10);
		if (errno || end == s + 1 || end - s > 6 || !end[0] || end[1])
			return -1;
		unit = end[0];
		if (s[0] == '-')
			n = -n;
		if (unit == 'y' && n >= -200 && n <= 200)
			b->years = (int)n;
		else if (unit == 'm' && n >= -2400 && n <= 2400)
			b->months = (int)n;
		else if (unit == 'd' && n >= -73000 && n <= 73000)
			b->days = (int)n;
		else
			return -1;
		b->set = b->relative = 1;
		return 0;
	}
	if (strlen(s) != 10 || s[4] != '-' ||
	    forms_date_parse(s, &b->y, &b->m, &b->d) < 0)
		return -1;
	b->set = 1;
	return 0;
}

/* ---- patterns -------------------------------------------------------
 * glibc's regexec is fast on plain patterns but not on nested or long
 * bounded repetitions: "((a|b){1,100}){1,100}" took 38 s and 1.4 GB on a
 * 300-byte value here. So a pattern may not repeat (*, +, {m,n}) a group
 * that itself contains a repetition ("?" is allowed), counts are at most
 * 50, their
 * sum at most 100, and there are no back-references; the worst pattern
 * left took under 0.1 s on a 2 KiB value (docs/forms.md). */
#define PATTERN_COUNT_MAX 50
#define PATTERN_COUNT_SUM_MAX 100
#define PATTERN_DEPTH_MAX 16

/* NULL when p is acceptable, else why not. */
static const char *pattern_refused(const char *p)
{
	int has_rep[PATTERN_DEPTH_MAX + 1] = { 0 }, depth = 0, sum = 0;
	int prev_group_rep = 0; /* the atom before is a group with a repetition */
	int prev_quant = 0;     /* the token before is a repetition */

	for (; *p; p++) {
		int is_group_end = 0, inner = 0, quant = 0;

		/* "a++++": glibc copies the tree for every one (out of memory
		 * after 70 of them in fuzzing) */
		if (prev_quant && (*p == '*' || *p == '+' || *p == '?' ||
				   (*p == '{' && p[1] >= '0' && p[1] <= '9')))
			return "two repetitions in a row";
		switch (*p) {
		case '\\':
			if (p[1] >= '1' && p[1] <= '9')
				return "back-references are not allowed";
			if (p[1])
				p++;
			break;
		case '[':
			/* a bracket expression: "]" first is literal */
			p++;
			if (*p == '^')
				p++;
			if (*p == ']')
				p++;
			while (*p && *p != ']') {
				if (*p == '[' && (p[1] == ':' || p[1] == '.' ||
						  p[1] == '=')) {
					char c = p[1];
					p += 2;
					while (*p && !(*p == c && p[1] == ']'))
						p++;
					if (*p)
						p++;
				}
				if (*p)
					p++;
			}
			if (!*p)
				return "unmatched [";
			break;
		case '(':
			if (depth == PATTERN_DEPTH_MAX)
				return "groups nested too deeply";
			has_rep[++depth] = 0;
			break;
		case ')':
			if (depth == 0)
				return "unmatched )";
			inner = has_rep[depth--];
			has_rep[depth] |= inner;
			is_group_end = 1;
			break;
		case '?':
			/* an optional group is at most twice the work */
			has_rep[depth] = quant = 1;
			break;
		case '*': case '+':
			if (prev_group_rep)
				return "a group with a repetition inside is "
				       "repeated";
			has_rep[depth] = quant = 1;
			break;
		case '{': {
			long m = 0, n;
			const char *q = p + 1;

			if (*q < '0' || *q > '9')
				break;
			if (prev_group_rep)
				return "a group with a repetition inside is "
				       "repeated";
			while (*q >= '0' && *q <= '9' && m <= 1000)
				m = m * 10 + (*q++ - '0');
			n = m;
			if (*q == ',') {
				if (q[1] < '0' || q[1] > '9')
					return "{m,} is unbounded: use * or +";
				q++;
				n = 0;
				while (*q >= '0' && *q <= '9' && n <= 1000)
					n = n * 10 + (*q++ - '0');
			}
			if (m > PATTERN_COUNT_MAX || n > PATTERN_COUNT_MAX)
				return "a repetition count is over 50";
			sum += (int)(n > m ? n : m);
			if (sum > PATTERN_COUNT_SUM_MAX)
				return "the repetition counts add up to over 100";
			has_rep[depth] = quant = 1;
			if (*q == '}')
				p = q;
			break;
		}
		default:
			break;
		}
		prev_group_rep = is_group_end && inner;
		prev_quant = quant;
	}
	return NULL;
}

static void parse_pattern(struct ld *l, json_t *fo, struct form_field *fd)
{
	json_t *v = json_object_get(fo, "pattern");
	const char *p = json_string_value(v);
	char place[FORMS_ID_MAX + 16], *full;
	const char *why;
	size_t n;
	int rc;

	snprintf(place, sizeof place, "%s.pattern", fd->id);
	if (!v)
		return;
	if (!p || !(n = json_string_length(v)) || n >= FORMS_PATTERN_MAX ||
	    strlen(p) != n) {
		ld_err(l, place, NULL, "must be a string of 1 to %d bytes",
		       FORMS_PATTERN_MAX - 1);
		return;
	}
	if (!pattern_applies(fd->type)) {
		ld_err(l, place, NULL, "not for a %s field",
		       type_names[fd->type]);
		return;
	}
	if ((why = pattern_refused(p))) {
		ld_err(l, place, NULL, "%s (docs/forms.md, Patterns)", why);
		return;
	}
	/* the pattern must match the whole value */
	full = malloc(n + 5);
	if (!full) {
		ld_err(l, place, NULL, "out of memory");
		return;
	}
	snprintf(full, n + 5, "^(%s)$", p);
	rc = regcomp(&fd->re, full, REG_EXTENDED | REG_NOSUB);
	free(full);
	if (rc) {
		char msg[128];

		regerror(rc, NULL, msg, sizeof msg);
		ld_err(l, place, NULL, "does not compile as a POSIX extended "
		       "regular expression: %s", msg);
		return;
	}
	fd->has_pattern = 1;
}

/* ---- fields ---------------------------------------------------------- */

static void parse_options(struct ld *l, json_t *fo, struct form_field *fd)
{
	json_t *arr = json_object_get(fo, "options");
	static const char *const members[] = { "value", "label", NULL };
	char place[FORMS_ID_MAX + 80];
	size_t n;

	snprintf(place, sizeof place, "%s.options", fd->id);
	if (fd->type != FORM_SELECT && fd->type != FORM_RADIO) {
		if (arr)
			ld_err(l, place, NULL, "only select and radio fields "
			       "have options");
		return;
	}
	if (!json_is_array(arr) || (n = json_array_size(arr)) < 2 ||
	    n > FORMS_OPTIONS_MAX) {
		ld_err(l, place, NULL, "must be a list of 2 to %d options",
		       FORMS_OPTIONS_MAX);
		return;
	}
	fd->options = calloc(n, sizeof *fd->options);
	if (!fd->options) {
		ld_err(l, place, NULL, "out of memory");
		return;
	}
	for (size_t i = 0; i < n; i++) {
		json_t *op = json_array_get(arr, i);
		const char *v = json_string_value(json_object_get(op, "value"));
		struct form_option *o = &fd->options[fd->n_options];

		snprintf(place, sizeof place, "%s.options[%zu]", fd->id, i + 1);
		if (!json_is_object(op)) {
			ld_err(l, place, NULL, "must be an object with value "
			       "and label");
			continue;
		}
		only_members(l, op, place, members);
		if (!id_ok(v)) {
			ld_err(l, place, NULL, "value must be 1 to %d of "
			       "a-z 0-9 _ -", FORMS_ID_MAX - 1);
			continue;
		}
		for (int k = 0; k < fd->n_options; k++)
			if (!strcmp(fd->options[k].value, v))
				ld_err(l, place, NULL, "value \"%s\" used twice",
				       v);
		snprintf(o->value, sizeof o->value, "%s", v);
		snprintf(place, sizeof place, "%s.options[%s]", fd->id, v);
		parse_text(l, op, "label", place, 0, &o->label);
		fd->n_options++;
	}
}

static void parse_range(struct ld *l, json_t *fo, struct form_field *fd)
{
	char place[FORMS_ID_MAX + 8];
	json_t *mn = json_object_get(fo, "min"), *mx = json_object_get(fo, "max");

	snprintf(place, sizeof place, "%s", fd->id);
	if (!mn && !mx)
		return;
	if (fd->type == FORM_NUMBER) {
		long long v;

		fd->has_min = get_int(l, fo, "min", place, -999999999999999LL,
				      999999999999999LL, 0, &v) == 1;
		fd->min = v;
		fd->has_max = get_int(l, fo, "max", place, -999999999999999LL,
				      999999999999999LL, 0, &v) == 1;
		fd->max = v;
		if (fd->has_min && fd->has_max && fd->min > fd->max)
			ld_err(l, place, NULL, "min is greater than max");
		return;
	}
	if (fd->type == FORM_DATE) {
		if (mn && date_bound(json_string_value(mn), &fd->dmin) < 0)
			ld_err(l, place, NULL, "min must be \"today\", "
			       "\"+N\"/\"-N\" with d, m or y, or YYYY-MM-DD");
		if (mx && date_bound(json_string_value(mx), &fd->dmax) < 0)
			ld_err(l, place, NULL, "max must be \"today\", "
			       "\"+N\"/\"-N\" with d, m or y, or YYYY-MM-DD");
		if (fd->dmin.set && fd->dmax.set && !fd->dmin.relative &&
		    !fd->dmax.relative &&
		    fd->dmin.y * 10000 + fd->dmin.m * 100 + fd->dmin.d >
		    fd->dmax.y * 10000 + fd->dmax.m * 100 + fd->dmax.d)
			ld_err(l, place, NULL, "min is after max");
		return;
	}
	ld_err(l, place, NULL, "min and max are only for number and date "
	       "fields (use min_length/max_length for text)");
}

static void parse_lengths(struct ld *l, json_t *fo, struct form_field *fd)
{
	char place[FORMS_ID_MAX + 8];
	long long mn = 0, mx = default_max_len(fd->type);

	snprintf(place, sizeof place, "%s", fd->id);
	if (!lengths_apply(fd->type)) {
		if (json_object_get(fo, "min_length") ||
		    json_object_get(fo, "max_length"))
			ld_err(l, place, NULL, "min_length/max_length are only "
			       "for text, email and phone fields");
	} else {
		get_int(l, fo, "min_length", place, 0, FORMS_LEN_MAX, 0, &mn);
		get_int(l, fo, "max_length", place, 1, FORMS_LEN_MAX, mx, &mx);
		if (mn > mx)
			ld_err(l, place, NULL, "min_length is greater than "
			       "max_length");
	}
	fd->min_len = (int)mn;
	fd->max_len = (int)mx;
	l->total_len += fd->max_len;
}

static void parse_field(struct ld *l, json_t *fo, int page, int idx_on_page,
			struct form_field *fd)
{
	static const char *const members[] = {
		"id", "type", "label", "help", "required", "min_length",
		"max_length", "pattern", "pattern_message", "min", "max",
		"options", "prefill", "keyboard", NULL
	};
	const char *id = json_string_value(json_object_get(fo, "id"));
	json_t *req = json_object_get(fo, "required");
	char place[FORMS_ID_MAX + 32];
	int t = -1, k;

	if (!json_is_object(fo)) {
		snprintf(place, sizeof place, "page %d field %d", page + 1,
			 idx_on_page + 1);
		ld_err(l, place, NULL, "must be an object");
		snprintf(fd->id, sizeof fd->id, "?");
		return;
	}
	if (!id_ok(id)) {
		snprintf(place, sizeof place, "page %d field %d", page + 1,
			 idx_on_page + 1);
		ld_err(l, place, NULL, "id must be 1 to %d of a-z 0-9 _ -",
		       FORMS_ID_MAX - 1);
		snprintf(fd->id, sizeof fd->id, "page%d-field%d", page + 1,
			 idx_on_page + 1);
	} else {
		snprintf(fd->id, sizeof fd->id, "%s", id);
		for (int i = 0; i < l->f->n_fields; i++)
			if (!strcmp(l->f->fields[i].id, id))
				ld_err(l, id, NULL, "field id used twice");
	}
	snprintf(place, sizeof place, "%s", fd->id);
	only_members(l, fo, place, members);
	fd->page = page;
	if (get_enum(l, fo, "type", place, type_names, N_TYPES, &t) == 0)
		ld_err(l, place, NULL, "type missing (text, date, number, "
		       "select, radio, checkbox, email, phone, postcode)");
	fd->type = t < 0 ? FORM_TEXT : (enum form_type)t;
	parse_text(l, fo, "label", fd->id, 0, &fd->label);
	parse_text(l, fo, "help", fd->id, 1, &fd->help);
	parse_text(l, fo, "pattern_message", fd->id, 1, &fd->pattern_msg);
	if (req && !json_is_boolean(req))
		ld_err(l, place, NULL, "required must be true or false");
	fd->required = json_is_true(req);
	parse_lengths(l, fo, fd);
	parse_pattern(l, fo, fd);
	if (fd->pattern_msg.s[0] && !fd->has_pattern &&
	    !json_object_get(fo, "pattern"))
		ld_err(l, place, NULL, "pattern_message without a pattern");
	parse_range(l, fo, fd);
	parse_options(l, fo, fd);

	switch (fd->type) {
	case FORM_DATE: case FORM_NUMBER: case FORM_POSTCODE:
		fd->keyboard = FORM_KB_NUMERIC; break;
	case FORM_EMAIL: fd->keyboard = FORM_KB_EMAIL; break;
	case FORM_PHONE: fd->keyboard = FORM_KB_PHONE; break;
	default: fd->keyboard = FORM_KB_TEXT; break;
	}
	k = (int)fd->keyboard;
	get_enum(l, fo, "keyboard", place, keyboard_names, 4, &k);
	fd->keyboard = (enum form_keyboard)k;
	k = FORM_PREFILL_NONE;
	if (get_enum(l, fo, "prefill", place, prefill_names, 5, &k) == 1) {
		fd->prefill = (enum form_prefill)k;
		if (fd->prefill == FORM_PREFILL_DATE_OF_BIRTH &&
		    fd->type != FORM_DATE)
			ld_err(l, place, NULL, "prefill date_of_birth needs a "
			       "date field");
		else if (fd->prefill != FORM_PREFILL_DATE_OF_BIRTH &&
			 fd->type != FORM_TEXT)
			ld_err(l, place, NULL, "prefill %s needs a text field",
			       prefill_names[fd->prefill]);
	}
}

/* ---- rules ------------------------------------------------------------ */

static int rule_field(struct ld *l, json_t *ro, const char *key,
		      const char *place)
{
	const char *id = json_string_value(json_object_get(ro, key));
	int i = id ? forms_field_index(l->f, id) : -1;

	if (!id)
		ld_err(l, place, NULL, "%s missing (a field id)", key);
	else if (i < 0)
		ld_err(l, place, NULL, "%s \"%.47s\" is not a field of this "
		       "form", key, id);
	return i;
}

static int comparable(enum form_type t)
{
	return t == FORM_DATE || t == FORM_NUMBER;
}

static void parse_rule(struct ld *l, json_t *ro, int idx, struct form_rule *r)
{
	static const char *const members[] = { "type", "field", "other",
					       "equals", "fields", "message",
					       NULL };
	const struct form *f = l->f;
	char place[32];
	int t = -1;

	snprintf(place, sizeof place, "rule %d", idx + 1);
	r->field = r->other = -1;
	if (!json_is_object(ro)) {
		ld_err(l, place, NULL, "must be an object");
		return;
	}
	only_members(l, ro, place, members);
	parse_text(l, ro, "message", place, 0, &r->message);
	if (get_enum(l, ro, "type", place, rule_names, 4, &t) == 0)
		ld_err(l, place, NULL, "type missing (not_before, equal, "
		       "required_if, any_required)");
	if (t < 0)
		return;
	r->type = (enum form_rule_type)t;
	if (r->type == FORM_RULE_ANY_REQUIRED) {
		json_t *arr = json_object_get(ro, "fields");
		size_t n = json_array_size(arr);

		if (!json_is_array(arr) || n < 2 || n > FORMS_RULE_FIELDS_MAX) {
			ld_err(l, place, NULL, "fields must list 2 to %d field "
			       "ids", FORMS_RULE_FIELDS_MAX);
			return;
		}
		for (size_t i = 0; i < n; i++) {
			const char *id = json_string_value(json_array_get(arr,
									  i));
			int k = id ? forms_field_index(f, id) : -1;

			if (k < 0) {
				ld_err(l, place, NULL, "fields[%zu] is not a "
				       "field of this form", i + 1);
				continue;
			}
			if (f->fields[k].required)
				ld_err(l, place, NULL, "field \"%s\" is "
				       "required anyway", id);
			r->fields[r->n_fields++] = k;
		}
		r->field = r->n_fields ? r->fields[0] : -1;
		return;
	}
	r->field = rule_field(l, ro, "field", place);
	r->other = rule_field(l, ro, "other", place);
	if (r->field < 0 || r->other < 0)
		return;
	if (r->field == r->other)
		ld_err(l, place, NULL, "field and other are the same");
	switch (r->type) {
	case FORM_RULE_NOT_BEFORE:
		if (!comparable(f->fields[r->field].type) ||
		    f->fields[r->field].type != f->fields[r->other].type)
			ld_err(l, place, NULL, "not_before compares two date "
			       "or two number fields");
		break;
	case FORM_RULE_EQUAL:
		if (f->fields[r->field].type != f->fields[r->other].type)
			ld_err(l, place, NULL, "equal compares two fields of "
			       "the same type");
		break;
	case FORM_RULE_REQUIRED_IF: {
		json_t *eq = json_object_get(ro, "equals");
		const struct form_field *o = &f->fields[r->other];
		const char *e = json_string_value(eq);
		int found = 0;

		if (f->fields[r->field].required)
			ld_err(l, place, NULL, "field \"%s\" is required "
			       "anyway", f->fields[r->field].id);
		if (eq && (!e || strlen(e) >= sizeof r->equals)) {
			ld_err(l, place, NULL, "equals must be a string of at "
			       "most %d bytes", FORMS_ID_MAX - 1);
			break;
		}
		snprintf(r->equals, sizeof r->equals, "%s", e ? e : "");
		if (o->type == FORM_CHECKBOX && e && strcmp(e, FORMS_CHECKED))
			ld_err(l, place, NULL, "equals of a checkbox is \"%s\" "
			       "(ticked)", FORMS_CHECKED);
		if ((o->type == FORM_SELECT || o->type == FORM_RADIO) && e) {
			for (int i = 0; i < o->n_options; i++)
				found |= !strcmp(o->options[i].value, e);
			if (!found)
				ld_err(l, place, NULL, "equals \"%s\" is not "
				       "an option of \"%s\"", e, o->id);
		}
		break;
	}
	case FORM_RULE_ANY_REQUIRED:
		break;
	}
}

/* ---- the form --------------------------------------------------------- */

static void parse_pages(struct ld *l, json_t *root)
{
	static const char *const members[] = { "title", "fields", NULL };
	json_t *pages = json_object_get(root, "pages");
	struct form *f = l->f;
	size_t np;

	if (!json_is_array(pages) || (np = json_array_size(pages)) < 1 ||
	    np > FORMS_PAGES_MAX) {
		ld_err(l, "pages", NULL, "must be a list of 1 to %d pages",
		       FORMS_PAGES_MAX);
		return;
	}
	for (size_t p = 0; p < np; p++) {
		json_t *po = json_array_get(pages, p), *fields;
		struct form_page *pg = &f->pages[f->n_pages];
		char place[32];
		size_t nf;

		snprintf(place, sizeof place, "page %zu", p + 1);
		if (!json_is_object(po)) {
			ld_err(l, place, NULL, "must be an object");
			continue;
		}
		only_members(l, po, place, members);
		parse_text(l, po, "title", place, 0, &pg->title);
		fields = json_object_get(po, "fields");
		if (!json_is_array(fields) || (nf = json_array_size(fields)) < 1 ||
		    nf > FORMS_PAGE_FIELDS_MAX) {
			ld_err(l, place, NULL, "fields must be a list of 1 to "
			       "%d fields", FORMS_PAGE_FIELDS_MAX);
			f->n_pages++;
			continue;
		}
		pg->first = f->n_fields;
		for (size_t i = 0; i < nf; i++) {
			if (f->n_fields >= FORMS_FIELDS_MAX) {
				ld_err(l, place, NULL, "more than %d fields in "
				       "the form", FORMS_FIELDS_MAX);
				break;
			}
			parse_field(l, json_array_get(fields, i),
				    f->n_pages, (int)i,
				    &f->fields[f->n_fields]);
			f->n_fields++;
			pg->n++;
		}
		f->n_pages++;
	}
	if (l->total_len > FORMS_TOTAL_LEN_MAX)
		ld_err(l, "pages", NULL, "the fields' max_length add up to %d, "
		       "more than %d", l->total_len, FORMS_TOTAL_LEN_MAX);
}

static void parse_root(struct ld *l, json_t *root)
{
	static const char *const members[] = {
		"id", "version", "service", "title", "description",
		"next_steps", "pages", "rules", NULL
	};
	struct form *f = l->f;
	const char *id = json_string_value(json_object_get(root, "id"));
	const char *svc = json_string_value(json_object_get(root, "service"));
	json_t *rules;
	long long v = 0;

	only_members(l, root, "form", members);
	if (!id_ok(id))
		ld_err(l, "id", NULL, "must be 1 to %d of a-z 0-9 _ -",
		       FORMS_ID_MAX - 1);
	else
		snprintf(f->id, sizeof f->id, "%s", id);
	if (get_int(l, root, "version", "version", 1, 1000000, 0, &v) == 0)
		ld_err(l, "version", NULL, "missing (a whole number from 1)");
	f->version = (int)v;
	if (json_object_get(root, "service") && !id_ok(svc))
		ld_err(l, "service", NULL, "must be a service id (a-z 0-9 _ -)");
	else if (svc)
		snprintf(f->service, sizeof f->service, "%s", svc);
	parse_text(l, root, "title", "", 0, &f->title);
	parse_text(l, root, "description", "", 0, &f->description);
	parse_text(l, root, "next_steps", "", 1, &f->next_steps);
	parse_pages(l, root);
	rules = json_object_get(root, "rules");
	if (!rules)
		return;
	if (!json_is_array(rules) || json_array_size(rules) > FORMS_RULES_MAX) {
		ld_err(l, "rules", NULL, "must be a list of at most %d rules",
		       FORMS_RULES_MAX);
		return;
	}
	for (size_t i = 0; i < json_array_size(rules); i++)
		parse_rule(l, json_array_get(rules, i), (int)i,
			   &f->rules[f->n_rules++]);
}

void forms_destroy(struct form *f)
{
	if (!f)
		return;
	text_free(&f->title);
	text_free(&f->description);
	text_free(&f->next_steps);
	for (int p = 0; p < f->n_pages; p++)
		text_free(&f->pages[p].title);
	for (int i = 0; i < f->n_fields; i++) {
		struct form_field *fd = &f->fields[i];

		text_free(&fd->label);
		text_free(&fd->help);
		text_free(&fd->pattern_msg);
		if (fd->has_pattern)
			regfree(&fd->re);
		for (int k = 0; k < fd->n_options; k++)
			text_free(&fd->options[k].label);
		free(fd->options);
	}
	for (int r = 0; r < f->n_rules; r++)
		text_free(&f->rules[r].message);
	free(f);
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

bk_err forms_parse(const char *name, const char *text, size_t len,
		   struct form **out, struct forms_errors *errs)
{
	struct ld l = { .name = name ? name : "form", .errs = errs };
	json_error_t je;
	json_t *root;

	*out = NULL;
	if (errs)
		memset(errs, 0, sizeof *errs);
	if (len > FORMS_FILE_MAX) {
		ld_err(&l, "form", NULL, "larger than %d bytes",
		       FORMS_FILE_MAX);
		return BK_ERR_TOOLARGE;
	}
	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	if (!root) {
		char place[48];

		snprintf(place, sizeof place, "line %d", je.line);
		ld_err(&l, place, NULL, "not JSON: %.120s", je.text);
		return BK_ERR_INVALID;
	}
	if (!json_is_object(root)) {
		ld_err(&l, "form", NULL, "must be a JSON object");
		json_decref(root);
		return BK_ERR_INVALID;
	}
	l.f = calloc(1, sizeof *l.f);
	if (!l.f) {
		json_decref(root);
		return BK_ERR_NOMEM;
	}
	snprintf(l.f->file, sizeof l.f->file, "%s", base_name(l.name));
	parse_root(&l, root);
	json_decref(root);
	if (l.n_err) {
		forms_destroy(l.f);
		return BK_ERR_INVALID;
	}
	*out = l.f;
	return BK_OK;
}

bk_err forms_load(const char *path, struct form **out,
		  struct forms_errors *errs)
{
	size_t len = 0;
	char *text = util_read_file(path, FORMS_FILE_MAX, &len);
	bk_err rc;

	*out = NULL;
	if (!text) {
		struct ld l = { .name = path, .errs = errs };
		int e = errno;

		if (errs)
			memset(errs, 0, sizeof *errs);
		ld_err(&l, "form", NULL, "%s", e == EFBIG ?
		       "larger than 256 KiB" : strerror(e));
		return e == EFBIG ? BK_ERR_TOOLARGE : BK_ERR_IO;
	}
	rc = forms_parse(path, text, len, out, errs);
	free(text);
	if (*out)
		snprintf((*out)->file, sizeof (*out)->file, "%s",
			 base_name(path));
	return rc;
}

int forms_field_index(const struct form *f, const char *id)
{
	for (int i = 0; id && i < f->n_fields; i++)
		if (!strcmp(f->fields[i].id, id))
			return i;
	return -1;
}

const char *form_option_label(const struct form_field *fd, const char *value,
			      const char *lang)
{
	for (int i = 0; value && i < fd->n_options; i++)
		if (!strcmp(fd->options[i].value, value))
			return form_text(&fd->options[i].label, lang);
	return NULL;
}

/* ---- a folder of forms ---------------------------------------------- */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void errs_append(struct forms_errors *dst,
			const struct forms_errors *src)
{
	for (int i = 0; i < src->n; i++) {
		log_warn("forms", "%s", src->msg[i]);
		if (!dst)
			continue;
		if (dst->n < FORMS_ERRORS_MAX)
			memcpy(dst->msg[dst->n++], src->msg[i],
			       FORMS_ERROR_LEN);
		else
			dst->dropped++;
	}
	if (dst)
		dst->dropped += src->dropped;
}

bk_err forms_load_dir(const char *dir, struct i18n *in,
		      struct forms_list *list, struct forms_errors *errs)
{
	char *names[FORMS_PER_DIR_MAX + 1];
	int n = 0, too_many = 0;
	struct forms_errors *one = calloc(1, sizeof *one);
	struct dirent *de;
	DIR *d;

	memset(list, 0, sizeof *list);
	if (errs)
		memset(errs, 0, sizeof *errs);
	if (!one)
		return BK_ERR_NOMEM;
	d = opendir(dir);
	if (!d) {
		log_error("forms", "%s: %s", dir, strerror(errno));
		free(one);
		return BK_ERR_IO;
	}
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);

		if (de->d_name[0] == '.' || len < 6 ||
		    strcmp(de->d_name + len - 5, ".json"))
			continue;
		if (n == FORMS_PER_DIR_MAX) {
			too_many = 1;
			continue;
		}
		if (!(names[n] = strdup(de->d_name)))
			break;
		n++;
	}
	closedir(d);
	if (too_many)
		log_warn("forms", "%s: more than %d forms; the rest are not "
			 "loaded", dir, FORMS_PER_DIR_MAX);
	qsort(names, (size_t)n, sizeof names[0], cmp_str);
	for (int i = 0; i < n; i++) {
		char path[PATH_MAX];
		struct form *f = NULL;

		if (util_fmt(path, sizeof path, "%s/%s", dir, names[i]) == 0 &&
		    forms_load(path, &f, one) == BK_OK) {
			if (forms_find(list, f->id)) {
				struct ld l = { .name = f->file, .errs = one };

				memset(one, 0, sizeof *one);
				ld_err(&l, "id", NULL, "form id \"%s\" is "
				       "taken by another file", f->id);
				forms_destroy(f);
				f = NULL;
			} else {
				f->i18n = in;
				list->form[list->n++] = f;
			}
		}
		if (!f)
			log_warn("forms", "%s: form refused", names[i]);
		errs_append(errs, one);
		free(names[i]);
	}
	free(one);
	return BK_OK;
}

void forms_list_free(struct forms_list *list)
{
	for (int i = 0; i < list->n; i++)
		forms_destroy(list->form[i]);
	memset(list, 0, sizeof *list);
}

const struct form *forms_find(const struct forms_list *list, const char *id)
{
	for (int i = 0; id && i < list->n; i++)
		if (!strcmp(list->form[i]->id, id))
			return list->form[i];
	return NULL;
}

const char *forms_dir(const struct config *cfg)
{
	static const char *src = BK_SOURCE_DIR "/assets/forms";

	(void)cfg; /* a kiosk.forms_dir key would be read here */
	if (access(src, R_OK) == 0)
		return src;
	return "/usr/share/buergerkiosk/forms";
}
