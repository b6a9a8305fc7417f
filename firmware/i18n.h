/*
 * i18n.h — the translation catalogue behind _().
 *
 * Translations are gettext .po files, one per language, in one folder
 * (assets/i18n/de.po, en.po). msgids are the English source strings as
 * written in the code; a service's German name from the site configuration
 * is a msgid too, so the catalogue can translate it.
 *
 * The reader takes what msgmerge writes: '#' comments, "#, fuzzy" flags
 * (fuzzy entries are ignored), msgid/msgstr with strings continued on
 * following lines, the escapes \n \t \" \\. Entries with msgctxt or
 * msgid_plural are skipped (no plural forms in this version). Every size
 * has a hard cap: the file is outside input.
 *
 * A missing file or entry falls back to the msgid and is logged once.
 *
 * This module does NOT read LANG or other locale variables (the citizen
 * picks the language on the screen), load .mo files, or format numbers.
 * Translated strings are never used as printf formats: placeholders such as
 * "{n}" are substituted with i18n_subst().
 */
#ifndef BK_I18N_H
#define BK_I18N_H

#include <pthread.h>
#include <stddef.h>

#include "firmware/config.h"

#define I18N_FILE_MAX (1u << 20)    /* bytes of one .po file */
#define I18N_ENTRIES_MAX 4096       /* entries of one catalogue */
#define I18N_STRING_MAX 4096        /* bytes of one msgid or msgstr */
#define I18N_MISSING_MAX 256        /* (lang, msgid) pairs logged once */

struct i18n_entry {
	char *msgid;
	char *msgstr;
};

/* One language. Entries are sorted by msgid. */
struct i18n_catalog {
	char lang[8];
	struct i18n_entry *entries;
	size_t n;
};

/* Parses a whole .po file held in memory into an empty catalogue (zeroed
 * or freed). name is used in messages. Returns 0, or -1 with
 * "NAME:LINE: what" in err and the catalogue left empty. */
int i18n_catalog_parse(struct i18n_catalog *cat, const char *name,
		       const char *text, size_t len, char *err, size_t errlen);

/* The msgstr for msgid, or NULL when the catalogue has none. */
const char *i18n_catalog_lookup(const struct i18n_catalog *cat,
				const char *msgid);

void i18n_catalog_free(struct i18n_catalog *cat);

/* The catalogues of the offered languages. Read-only after i18n_init()
 * except for the missing-entry log, which has its own lock, so the worker
 * thread may translate too. */
struct i18n {
	struct i18n_catalog cats[CONFIG_MAX_LANGS];
	int n;
	pthread_mutex_t lock;
	char *missing[I18N_MISSING_MAX];
	int n_missing;
};

/* Loads DIR/LANG.po for each language. A missing or malformed file is
 * logged and leaves that language empty (everything falls back to the
 * msgid). Returns 0, or -1 when out of memory. */
int i18n_init(struct i18n *in, const char *dir, const char (*langs)[8],
	      int n_langs);
void i18n_free(struct i18n *in);

/* msgid translated into lang; msgid itself when there is no translation. */
const char *i18n_tr(struct i18n *in, const char *lang, const char *msgid);

/* _() translates into the active language. Only the UI thread calls
 * i18n_activate() and _(); other threads use i18n_tr(). */
void i18n_activate(struct i18n *in, const char *lang);
const char *i18n_text(const char *msgid);

#define _(s) i18n_text(s)
/* Marks a msgid that is translated later with i18n_tr(). */
#define N_(s) (s)

/* A service's name in lang: the configuration's name.LANG when given,
 * else its German name, translated through the catalogue unless lang is
 * "de". */
const char *i18n_service_name(struct i18n *in,
			      const struct config_service *s,
			      const char *lang);

/* Copies tmpl into out with every occurrence of key ("{n}") replaced by
 * value. Returns 0, or -1 when out was too small (out is truncated). */
int i18n_subst(char *out, size_t outlen, const char *tmpl, const char *key,
	       const char *value);

#endif
