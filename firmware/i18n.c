/*
 * i18n.c — a small .po reader and the lookup behind _().
 *
 * What it is and is not: see i18n.h. The reader is a line-by-line state
 * machine over one entry at a time:
 *
 *   (comments) [msgctxt "…"] msgid "…" ["…"]* [msgid_plural "…"]
 *              msgstr "…" ["…"]*   |   msgstr[N] "…" ["…"]*
 *
 * An entry ends at the next msgctxt/msgid, at a comment after its msgstr,
 * or at the end of the file. It is kept only when it has a non-empty
 * msgid and msgstr and is neither fuzzy, nor plural, nor in a context.
 */
#include "firmware/i18n.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "firmware/log.h"
#include "firmware/util.h"

enum po_field { PO_NONE, PO_CTXT, PO_ID, PO_PLURAL, PO_STR, PO_STRN };

struct po_parser {
	const char *name;
	int line;
	char *err;
	size_t errlen;

	/* the entry being read */
	struct buf id, str;
	enum po_field field;
	int have_id, have_str, fuzzy, skip;
	int next_fuzzy;

	struct i18n_entry *entries;
	size_t n, cap;
};

static int po_fail(struct po_parser *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int po_fail(struct po_parser *p, const char *fmt, ...)
{
	char what[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	if (p->err && p->errlen)
		snprintf(p->err, p->errlen, "%s:%d: %s", p->name, p->line,
			 what);
	return -1;
}

static void po_reset_entry(struct po_parser *p)
{
	buf_free(&p->id);
	buf_free(&p->str);
	p->id.max = p->str.max = I18N_STRING_MAX;
	p->field = PO_NONE;
	p->have_id = p->have_str = p->skip = 0;
	p->fuzzy = p->next_fuzzy;
	p->next_fuzzy = 0;
}

/* Keeps the entry just read when it is a usable translation. */
static int po_keep(struct po_parser *p)
{
	struct i18n_entry *e;

	if (p->skip || p->fuzzy || p->id.len == 0 || p->str.len == 0)
		return 0;
	if (p->n == I18N_ENTRIES_MAX)
		return po_fail(p, "more than %d entries", I18N_ENTRIES_MAX);
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 64;
		e = realloc(p->entries, cap * sizeof *e);
		if (!e)
			return po_fail(p, "out of memory");
		p->entries = e;
		p->cap = cap;
	}
	e = &p->entries[p->n];
	e->msgid = buf_take(&p->id, NULL);
	e->msgstr = buf_take(&p->str, NULL);
	if (!e->msgid || !e->msgstr) {
		free(e->msgid);
		free(e->msgstr);
		return po_fail(p, "out of memory");
	}
	p->n++;
	return 0;
}

/* Ends the entry being read (if any) and starts a fresh one. */
static int po_end_entry(struct po_parser *p)
{
	if (p->field == PO_CTXT && !p->have_id)
		return po_fail(p, "msgctxt without msgid");
	if (p->have_id && !p->have_str)
		return po_fail(p, "msgid without msgstr");
	if (p->have_id && po_keep(p) < 0)
		return -1;
	po_reset_entry(p);
	return 0;
}

static int po_escape(struct po_parser *p, char c, char *out)
{
	switch (c) {
	case 'n': *out = '\n'; return 0;
	case 't': *out = '\t'; return 0;
	case '"': *out = '"'; return 0;
	case '\\': *out = '\\'; return 0;
	}
	return po_fail(p, "unknown escape '\\%c'",
		       (c > 0x20 && c < 0x7f) ? c : '?');
}

/* Reads one "…" string at s (which starts with '"') into dst (NULL:
 * discard); only blanks may follow it on the line. */
static int po_string(struct po_parser *p, const char *s, const char *end,
		     struct buf *dst)
{
	s++;
	while (s < end && *s != '"') {
		char c = *s++;
		if (c == '\\') {
			if (s == end)
				return po_fail(p, "unterminated string");
			if (po_escape(p, *s++, &c) < 0)
				return -1;
		} else if ((unsigned char)c < 0x20 && c != '\t') {
			return po_fail(p, "control character in string");
		}
		if (dst && buf_append(dst, &c, 1) < 0)
			return po_fail(p, "string longer than %d bytes",
				       I18N_STRING_MAX);
	}
	if (s == end)
		return po_fail(p, "unterminated string");
	for (s++; s < end; s++)
		if (*s != ' ' && *s != '\t')
			return po_fail(p, "text after string");
	return 0;
}

static struct buf *po_field_buf(struct po_parser *p)
{
	if (p->field == PO_ID)
		return &p->id;
	if (p->field == PO_STR)
		return &p->str;
	return NULL;
}

static int po_comment(struct po_parser *p, const char *s, const char *end)
{
	if (p->have_str && po_end_entry(p) < 0)
		return -1;
	if (end - s < 2 || s[1] != ',')
		return 0;
	for (const char *f = s + 2; end - f >= 5; f++)
		if (!memcmp(f, "fuzzy", 5))
			p->next_fuzzy = 1;
	return 0;
}

/* One keyword line: KEYWORD "string". */
static int po_keyword(struct po_parser *p, const char *s, const char *end)
{
	const char *k = s;
	size_t klen;

	while (s < end && *s != ' ' && *s != '\t' && *s != '"')
		s++;
	klen = (size_t)(s - k);
	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	if (s == end || *s != '"')
		return po_fail(p, "expected a string after the keyword");

	if (klen == 7 && !memcmp(k, "msgctxt", 7)) {
		if (po_end_entry(p) < 0)
			return -1;
		p->field = PO_CTXT;
		p->skip = 1;
	} else if (klen == 5 && !memcmp(k, "msgid", 5)) {
		if (!(p->field == PO_CTXT && !p->have_id) &&
		    po_end_entry(p) < 0)
			return -1;
		p->field = PO_ID;
		p->have_id = 1;
	} else if (klen == 12 && !memcmp(k, "msgid_plural", 12)) {
		if (!p->have_id || p->have_str)
			return po_fail(p, "msgid_plural out of place");
		p->field = PO_PLURAL;
		p->skip = 1;
	} else if (klen == 6 && !memcmp(k, "msgstr", 6)) {
		if (!p->have_id || p->have_str)
			return po_fail(p, "msgstr without msgid");
		p->field = PO_STR;
		p->have_str = 1;
	} else if (klen > 7 && !memcmp(k, "msgstr[", 7) && k[klen - 1] == ']') {
		if (!p->have_id)
			return po_fail(p, "msgstr without msgid");
		p->field = PO_STRN;
		p->have_str = 1;
		p->skip = 1;
	} else {
		return po_fail(p, "unknown keyword '%.*s'",
			       (int)(klen > 20 ? 20 : klen), k);
	}
	return po_string(p, s, end, po_field_buf(p));
}

static int po_line(struct po_parser *p, const char *s, const char *end)
{
	if (end > s && end[-1] == '\r')
		end--;
	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	if (s == end)
		return 0;
	if (*s == '#')
		return po_comment(p, s, end);
	if (*s == '"') {
		if (p->field == PO_NONE)
			return po_fail(p, "string without keyword");
		return po_string(p, s, end, po_field_buf(p));
	}
	return po_keyword(p, s, end);
}

static int entry_cmp(const void *a, const void *b)
{
	const struct i18n_entry *x = a, *y = b;
	return strcmp(x->msgid, y->msgid);
}

static void entries_free(struct i18n_entry *e, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(e[i].msgid);
		free(e[i].msgstr);
	}
	free(e);
}

static int po_finish(struct po_parser *p, struct i18n_catalog *cat)
{
	if (p->n)
		qsort(p->entries, p->n, sizeof *p->entries, entry_cmp);
	for (size_t i = 1; i < p->n; i++) {
		if (!strcmp(p->entries[i - 1].msgid, p->entries[i].msgid)) {
			p->line = 0;
			snprintf(p->err, p->errlen, "%s: duplicate msgid \"%.40s\"",
				 p->name, p->entries[i].msgid);
			return -1;
		}
	}
	cat->entries = p->entries;
	cat->n = p->n;
	p->entries = NULL;
	p->n = p->cap = 0;
	return 0;
}

int i18n_catalog_parse(struct i18n_catalog *cat, const char *name,
		       const char *text, size_t len, char *err, size_t errlen)
{
	struct po_parser p = { .name = name, .err = err, .errlen = errlen };
	const char *s = text, *end = text + len;
	int rc = -1;

	cat->entries = NULL;
	cat->n = 0;
	po_reset_entry(&p);
	if (len > I18N_FILE_MAX) {
		po_fail(&p, "file larger than %u bytes", I18N_FILE_MAX);
		goto out;
	}
	if (memchr(text, '\0', len) || !util_utf8_valid(text, len, 0)) {
		po_fail(&p, "not UTF-8 text");
		goto out;
	}
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *eol = nl ? nl : end;
		p.line++;
		if (po_line(&p, s, eol) < 0)
			goto out;
		s = nl ? nl + 1 : end;
	}
	if (po_end_entry(&p) < 0 || po_finish(&p, cat) < 0)
		goto out;
	rc = 0;
out:
	entries_free(p.entries, p.n);
	buf_free(&p.id);
	buf_free(&p.str);
	return rc;
}

const char *i18n_catalog_lookup(const struct i18n_catalog *cat,
				const char *msgid)
{
	struct i18n_entry key = { .msgid = (char *)msgid };
	const struct i18n_entry *e;

	if (!cat->n)
		return NULL;
	e = bsearch(&key, cat->entries, cat->n, sizeof key, entry_cmp);
	return e ? e->msgstr : NULL;
}

void i18n_catalog_free(struct i18n_catalog *cat)
{
	entries_free(cat->entries, cat->n);
	cat->entries = NULL;
	cat->n = 0;
}

static void i18n_load_one(struct i18n_catalog *cat, const char *dir,
			  const char *lang)
{
	char path[CONFIG_PATH_MAX + 16], err[CONFIG_ERR_MAX];
	size_t len = 0;
	char *text;

	snprintf(cat->lang, sizeof cat->lang, "%s", lang);
	snprintf(path, sizeof path, "%s/%s.po", dir, lang);
	text = util_read_file(path, I18N_FILE_MAX, &len);
	if (!text) {
		log_warn("i18n", "%s: %s; showing untranslated text", path,
			 strerror(errno));
		return;
	}
	if (i18n_catalog_parse(cat, path, text, len, err, sizeof err) < 0)
		log_error("i18n", "%s; showing untranslated text", err);
	else
		log_debug("i18n", "%s: %zu entries", path, cat->n);
	free(text);
}

int i18n_init(struct i18n *in, const char *dir, const char (*langs)[8],
	      int n_langs)
{
	memset(in, 0, sizeof *in);
	if (pthread_mutex_init(&in->lock, NULL) != 0)
		return -1;
	for (int i = 0; i < n_langs && i < CONFIG_MAX_LANGS; i++) {
		i18n_load_one(&in->cats[i], dir, langs[i]);
		in->n++;
	}
	return 0;
}

void i18n_free(struct i18n *in)
{
	for (int i = 0; i < in->n; i++)
		i18n_catalog_free(&in->cats[i]);
	for (int i = 0; i < in->n_missing; i++)
		free(in->missing[i]);
	pthread_mutex_destroy(&in->lock);
	in->n = in->n_missing = 0;
}

/* Logs a missing translation the first time it is asked for. */
static void i18n_note_missing(struct i18n *in, const char *lang,
			      const char *msgid)
{
	char key[I18N_STRING_MAX + 16];
	int seen = 0;

	snprintf(key, sizeof key, "%s\x1f%s", lang, msgid);
	pthread_mutex_lock(&in->lock);
	for (int i = 0; i < in->n_missing && !seen; i++)
		seen = !strcmp(in->missing[i], key);
	if (!seen && in->n_missing < I18N_MISSING_MAX) {
		in->missing[in->n_missing] = strdup(key);
		if (in->missing[in->n_missing])
			in->n_missing++;
	} else {
		seen = 1;
	}
	pthread_mutex_unlock(&in->lock);
	if (!seen)
		log_warn("i18n", "no %s translation for \"%.80s\"", lang,
			 msgid);
}

const char *i18n_tr(struct i18n *in, const char *lang, const char *msgid)
{
	const char *s;

	if (!in)
		return msgid;
	for (int i = 0; i < in->n; i++) {
		if (strcmp(in->cats[i].lang, lang))
			continue;
		s = i18n_catalog_lookup(&in->cats[i], msgid);
		if (s)
			return s;
		break;
	}
	i18n_note_missing(in, lang, msgid);
	return msgid;
}

static struct i18n *i18n_active;
static char i18n_active_lang[8];

void i18n_activate(struct i18n *in, const char *lang)
{
	i18n_active = in;
	snprintf(i18n_active_lang, sizeof i18n_active_lang, "%s", lang);
}

const char *i18n_text(const char *msgid)
{
	return i18n_tr(i18n_active, i18n_active_lang, msgid);
}

const char *i18n_service_name(struct i18n *in,
			      const struct config_service *s,
			      const char *lang)
{
	const char *name = config_service_name(s, lang);

	if (name)
		return name;
	if (!strcmp(lang, "de"))
		return s->name; /* the configuration's names are German */
	return i18n_tr(in, lang, s->name);
}

int i18n_subst(char *out, size_t outlen, const char *tmpl, const char *key,
	       const char *value)
{
	size_t klen = strlen(key), o = 0;
	int rc = 0;

	if (!outlen)
		return -1;
	while (*tmpl) {
		const char *add = tmpl;
		size_t n = 1;
		if (klen && !strncmp(tmpl, key, klen)) {
			add = value;
			n = strlen(value);
			tmpl += klen;
		} else {
			tmpl++;
		}
		if (o + n >= outlen) {
			n = outlen - 1 - o;
			rc = -1;
		}
		memcpy(out + o, add, n);
		o += n;
		if (rc)
			break;
	}
	out[o] = '\0';
	return rc;
}
