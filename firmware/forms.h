/*
 * forms.h — form definitions (assets/forms/NAME.json), the citizen's answers,
 * their validation, and the hand-over to the encrypted submission.
 *
 * A form file is outside input (a municipality writes its own): docs/forms.md
 * is the schema for its authors. The loader checks everything once, at load
 * (every visible text present in all five languages, every pattern compiles
 * with regcomp(3) as POSIX ERE and stays inside the limits that keep
 * regexec fast, ranges and rules name real fields, unknown members are
 * errors, caps below), and reports every problem it finds as
 *
 *     FILE:PLACE:LANG: what        e.g. fundsache.json:found_on.help:uk: missing
 *
 * PLACE is a field id with the part (label, help, options[v].label, ...),
 * "title", "page 2.title", "rule 1.message" (counted from 1), "form", or
 * "line 3" for JSON syntax; LANG is the language or "-". A form with any
 * error is refused whole.
 *
 * The model the screens use:
 *
 *   form ─ pages[0..n_pages) ─ each a title and a run of fields
 *        ─ fields[0..n_fields) in order; page p holds
 *          fields[pages[p].first .. pages[p].first + pages[p].n)
 *        ─ rules[0..n_rules): cross-field rules, each reported on one field
 *
 * Every visible text is a struct form_text: one string per language of
 * FORMS_LANGS, never NULL after a successful load except an absent help
 * text (all five NULL; form_text() gives "").
 *
 * Answers (struct form_answers) hold what the citizen typed, one string per
 * field, as shown on the screen (a date as "24.12.1990"). The UI owns one
 * per session and calls form_answers_wipe() (or _destroy()) when the session
 * ends or times out: every byte of every value is overwritten (util_wipe).
 *
 * Values by type (what form_answers_set() takes and forms_check_field()
 * checks):
 *
 *   | type     | typed value                   | in the submission        |
 *   |----------|-------------------------------|--------------------------|
 *   | text     | UTF-8, no control characters  | string                   |
 *   | date     | TT.MM.JJJJ, TTMMJJJJ or       | "YYYY-MM-DD"             |
 *   |          | YYYY-MM-DD                    |                          |
 *   | number   | whole number, optional "-"    | integer                  |
 *   | select   | an option's value             | string (the value)       |
 *   | radio    | an option's value             | string (the value)       |
 *   | checkbox | FORMS_CHECKED or ""           | true / false             |
 *   | email    | local@domain.tld              | string                   |
 *   | phone    | digits, spaces, leading "+"   | string                   |
 *   | postcode | five digits                   | string                   |
 *
 * An empty value is "not answered": refused when the field is required,
 * otherwise left out of the submission (a checkbox is always sent).
 *
 * Messages for the citizen: field checks use the core's catalogue
 * (i18n_tr with English msgids, German and English in assets/i18n); cross-
 * field rules and pattern_message come from the form file. Nothing here
 * logs an answer; log lines name forms and field ids only.
 *
 * This module does NOT draw screens, read ID documents (the UI passes what
 * it read to form_answers_prefill()), or print the receipt
 * (app_ticket.h: app_form_receipt_render/print, in bkapp).
 */
#ifndef BK_FORMS_H
#define BK_FORMS_H

#include <regex.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "firmware/config.h"
#include "firmware/err.h"
#include "firmware/i18n.h"
#include "firmware/store.h"
#include "firmware/submission.h"

/* ---- caps on outside input ----------------------------------------- */
#define FORMS_FILE_MAX (256 * 1024)  /* bytes of one form file */
#define FORMS_PER_DIR_MAX 32         /* forms loaded from one folder */
#define FORMS_PAGES_MAX 16
#define FORMS_FIELDS_MAX 64          /* in the whole form */
#define FORMS_PAGE_FIELDS_MAX 16     /* on one page */
#define FORMS_OPTIONS_MAX 64         /* of one select or radio field */
#define FORMS_RULES_MAX 32
#define FORMS_RULE_FIELDS_MAX 4      /* fields named by one "any_required" */
#define FORMS_TEXT_MAX 1024          /* bytes of one text in one language */
#define FORMS_PATTERN_MAX 256        /* bytes of one pattern */
#define FORMS_ID_MAX 48              /* ids: [a-z0-9_-], 1..47 bytes */
#define FORMS_LEN_MAX 500            /* max_length in characters */
#define FORMS_TOTAL_LEN_MAX 4000     /* sum of every field's max_length */
#define FORMS_VALUE_MAX 2048         /* bytes of one answer incl. NUL */
#define FORMS_ERRORS_MAX 32          /* messages kept by one load */
#define FORMS_ERROR_LEN 256
#define FORMS_MSG_MAX 512            /* a good size for a message buffer */

/* The languages every visible text must have, in this order. */
#define FORMS_N_LANGS 5
extern const char *const FORMS_LANGS[FORMS_N_LANGS]; /* de en tr uk ar */

#define FORMS_CHECKED "1"            /* a ticked checkbox */

enum form_type {
	FORM_TEXT,
	FORM_DATE,
	FORM_NUMBER,
	FORM_SELECT,
	FORM_RADIO,
	FORM_CHECKBOX,
	FORM_EMAIL,
	FORM_PHONE,
	FORM_POSTCODE,
};

/* Which on-screen keyboard the field wants. Default by type: numeric for
 * date, number and postcode; email; phone; text for the rest. */
enum form_keyboard {
	FORM_KB_TEXT,
	FORM_KB_NUMERIC,
	FORM_KB_EMAIL,
	FORM_KB_PHONE,
};

/* What an ID document may fill in, after the citizen's consent. */
enum form_prefill {
	FORM_PREFILL_NONE,
	FORM_PREFILL_SURNAME,
	FORM_PREFILL_GIVEN_NAMES,
	FORM_PREFILL_DATE_OF_BIRTH,   /* date fields only */
	FORM_PREFILL_NATIONALITY,
};

/* One visible text in every language of FORMS_LANGS. */
struct form_text {
	char *s[FORMS_N_LANGS];
};

/* t's text in lang; German when lang is not one of FORMS_LANGS; "" for an
 * absent (optional) text. Never NULL. */
const char *form_text(const struct form_text *t, const char *lang);

/* Index of lang in FORMS_LANGS, or -1. */
int forms_lang_index(const char *lang);

struct form_option {
	char value[FORMS_ID_MAX];        /* what is submitted */
	struct form_text label;
};

/* A date bound: absolute, or relative to the day of the check. */
struct form_date_bound {
	int set;
	int relative;                    /* 1: today + years/months/days */
	int y, m, d;                     /* absolute */
	int years, months, days;         /* relative, may be negative */
};

struct form_field {
	char id[FORMS_ID_MAX];
	enum form_type type;
	struct form_text label;
	struct form_text help;           /* optional: all NULL when absent */
	int page;                        /* index of its page */
	int required;
	int min_len, max_len;            /* characters (code points) */
	int has_pattern;
	regex_t re;                      /* REG_EXTENDED | REG_NOSUB */
	struct form_text pattern_msg;    /* optional */
	int has_min, has_max;            /* number range */
	long long min, max;
	struct form_date_bound dmin, dmax; /* date range */
	struct form_option *options;     /* select and radio */
	int n_options;
	enum form_prefill prefill;
	enum form_keyboard keyboard;
};

enum form_rule_type {
	FORM_RULE_NOT_BEFORE,    /* field >= other (dates or numbers) */
	FORM_RULE_EQUAL,         /* field equals other (e-mail repeated) */
	FORM_RULE_REQUIRED_IF,   /* field required when other == equals
				  * (any non-empty value when equals is "") */
	FORM_RULE_ANY_REQUIRED,  /* at least one of fields[] answered */
};

struct form_rule {
	enum form_rule_type type;
	int field;                       /* index; the message is shown here */
	int other;                       /* index, or -1 */
	char equals[FORMS_ID_MAX];       /* required_if */
	int fields[FORMS_RULE_FIELDS_MAX]; /* any_required */
	int n_fields;
	struct form_text message;
};

struct form_page {
	struct form_text title;
	int first, n;                    /* its fields */
};

struct form {
	char id[FORMS_ID_MAX];           /* [a-z0-9_-]: the submission's form_id */
	int version;                     /* >= 1, sent with every submission */
	char service[FORMS_ID_MAX];      /* the service it belongs to, or "" */
	char file[256];                  /* file name, for messages */
	struct form_text title, description;
	struct form_text next_steps;     /* optional: what happens next, for
					  * the last screen and the receipt */
	struct form_page pages[FORMS_PAGES_MAX];
	int n_pages;
	struct form_field fields[FORMS_FIELDS_MAX];
	int n_fields;
	struct form_rule rules[FORMS_RULES_MAX];
	int n_rules;
	/* Set by the caller after loading (forms_load_dir does it): */
	struct i18n *i18n;               /* messages; NULL = English msgids */
	time_t now;                      /* "today" for dates; 0 = time() */
};

/* Problems found by one load, each "FILE:PLACE:LANG: what". */
struct forms_errors {
	char msg[FORMS_ERRORS_MAX][FORMS_ERROR_LEN];
	int n;
	int dropped;                     /* found beyond FORMS_ERRORS_MAX */
};

/* ---- loading ------------------------------------------------------- */

/* Parses a form held in memory. name is the file name used in messages.
 * BK_OK with *out (free with forms_destroy), else BK_ERR_INVALID
 * (BK_ERR_TOOLARGE over FORMS_FILE_MAX) with every problem in errs (may
 * be NULL) and *out NULL. */
bk_err forms_parse(const char *name, const char *text, size_t len,
		   struct form **out, struct forms_errors *errs);

/* Reads and parses one file (forms_parse; BK_ERR_IO when unreadable). */
bk_err forms_load(const char *path, struct form **out,
		  struct forms_errors *errs);

void forms_destroy(struct form *f);

/* The forms of one folder, in the order of their file names. */
struct forms_list {
	struct form *form[FORMS_PER_DIR_MAX];
	int n;
};

/* Loads every DIR/NAME.json (in the order of the file names). A broken file or a second
 * form with a taken id is logged (place, no contents) and skipped, so one
 * bad file does not take the others down; errs (may be NULL) collects the
 * messages. Sets each form's i18n to in. BK_OK (also when some were
 * skipped; list->n may be 0), BK_ERR_IO when DIR cannot be read. */
bk_err forms_load_dir(const char *dir, struct i18n *in,
		      struct forms_list *list, struct forms_errors *errs);
void forms_list_free(struct forms_list *list);

/* The form with this id, or NULL. */
const struct form *forms_find(const struct forms_list *list, const char *id);

/* The folder of the shipped forms: assets/forms of the source tree when it
 * exists, else /usr/share/buergerkiosk/forms. */
const char *forms_dir(const struct config *cfg);

/* The index of the field with this id, or -1. */
int forms_field_index(const struct form *f, const char *id);

/* The label in lang of the option of select/radio field fd whose value is
 * value (for the review page), or NULL when there is none. */
const char *form_option_label(const struct form_field *fd, const char *value,
			      const char *lang);

/* ---- validation -----------------------------------------------------
 * Each returns BK_OK, or BK_ERR_INVALID with a message for the citizen in
 * lang in msg (e.g. "Bitte geben Sie eine fünfstellige Postleitzahl ein.").
 * bad_field (may be NULL) gets the index of the field to mark.
 */

/* One field on its own: required, length, type, pattern, range, option. */
bk_err forms_check_field(const struct form *f, int field_idx,
			 const char *value, const char *lang, char *msg,
			 size_t msglen);

struct form_answers;

/* Every field of page page in order, then the cross-field rules whose
 * last field (by page) is on this page. The first error wins. */
bk_err forms_check_page(const struct form *f, const struct form_answers *a,
			int page, const char *lang, int *bad_field, char *msg,
			size_t msglen);

/* Every field, then every rule (the review page, and forms_submit). */
bk_err forms_check_form(const struct form *f, const struct form_answers *a,
			const char *lang, int *bad_field, char *msg,
			size_t msglen);

/* Parses a date as typed (TT.MM.JJJJ, T.M.JJJJ, TTMMJJJJ, YYYY-MM-DD;
 * years 1000..9999: a form's range says what is plausible). 0 with
 * y/m/d, or -1 (malformed or no such day). */
int forms_date_parse(const char *s, int *y, int *m, int *d);

/* ---- answers --------------------------------------------------------- */

/* One value per field of form f (which must outlive it). */
struct form_answers {
	const struct form *form;
	char lang[8];                    /* the citizen's language */
	char value[FORMS_FIELDS_MAX][FORMS_VALUE_MAX];
};

/* A new empty set of answers (calloc'ed). NULL when out of memory. */
struct form_answers *form_answers_create(const struct form *f,
					 const char *lang);

/* Wipes every value (util_wipe over all of value[][]), then frees. */
void form_answers_destroy(struct form_answers *a);

/* Wipes every value; the answers stay usable (all empty). */
void form_answers_wipe(struct form_answers *a);

/* Sets field field_idx to value (copied; the old value is wiped first).
 * No check beyond size: BK_ERR_TOOLARGE when value needs
 * FORMS_VALUE_MAX bytes or more, BK_ERR_INVALID for a bad index. */
bk_err form_answers_set(struct form_answers *a, int field_idx,
			const char *value);

/* The value of field field_idx ("" when unanswered or a bad index). */
const char *form_answers_get(const struct form_answers *a, int field_idx);

/* Fills every field whose prefill is kind with value, as the screen shows
 * it (date_of_birth: give "YYYY-MM-DD" or "TT.MM.JJJJ"; it is stored as
 * TT.MM.JJJJ). Returns how many fields were filled. The citizen may still
 * change them. */
int form_answers_prefill(struct form_answers *a, enum form_prefill kind,
			 const char *value);

/* ---- submission ---------------------------------------------------- */

/* Checks the whole form (forms_check_form: BK_ERR_INVALID with the
 * message in lang in why), builds the plaintext answers ({field id: value}
 * with the types of the table above) and hands it to
 * submission_submit_form() with the form's id and version and the
 * citizen's language: encrypted for the back office and stored in the
 * outbox in one transaction. On BK_OK out->reference is what the receipt
 * prints. Refusals of submission.h (BK_ERR_FULL below store.min_free_mb,
 * BK_ERR_CONFIG, store errors) pass through with its sentence in why.
 * The JSON answers are wiped before returning; a's values are left to the
 * caller (wipe them at session end). */
bk_err forms_submit(struct store *st, const struct config *cfg,
		    const struct form_answers *a,
		    struct submission_receipt *out, char *why, size_t whylen);

#endif
