/*
 * test_forms.c — form definitions and answers: the shipped forms load;
 * every field rule refuses and accepts the right values with the message
 * in German and English; cross-field rules; a broken file is refused with
 * messages naming file, place and language; answers are wiped; a
 * submission reaches the outbox as ciphertext only (the database files
 * are searched for the answers' bytes) and stops below the free-space
 * threshold; the receipt shows the reference and never an answer.
 */
#define _GNU_SOURCE /* memmem */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "firmware/app_ticket.h"
#include "firmware/config.h"
#include "firmware/forms.h"
#include "firmware/i18n.h"
#include "firmware/jwe.h"
#include "firmware/outbox.h"
#include "firmware/store.h"
#include "firmware/submission.h"
#include "firmware/util.h"

#define MARK_SURNAME "Quetzalcoatl-Mustermann"
#define MARK_STREET "Entenhausener Allee"
#define MARK_EMAIL "erika.q@example.de"

/* one text in all five languages */
#define L5(x) "{\"de\":\"" x "\",\"en\":\"" x "\",\"tr\":\"" x \
	"\",\"uk\":\"" x "\",\"ar\":\"" x "\"}"

static struct i18n in;
static char keydir[256];

/* A form with one field of every type and every kind of rule. */
static const char test_form[] =
	"{\"id\":\"test\",\"version\":3,\"title\":" L5("T")
	",\"description\":" L5("D") ",\"pages\":["
	"{\"title\":" L5("P1") ",\"fields\":["
	" {\"id\":\"name\",\"type\":\"text\",\"required\":true,"
	"  \"min_length\":2,\"max_length\":10,\"label\":" L5("Name") "},"
	" {\"id\":\"code\",\"type\":\"text\",\"pattern\":\"[A-Z]{2}[0-9]{2}\","
	"  \"pattern_message\":" L5("Two letters, two digits") ","
	"  \"label\":" L5("Code") "},"
	" {\"id\":\"plain\",\"type\":\"text\",\"pattern\":\"[a-z]+\","
	"  \"label\":" L5("Plain") "},"
	" {\"id\":\"born\",\"type\":\"date\",\"min\":\"1900-01-01\","
	"  \"max\":\"-18y\",\"prefill\":\"date_of_birth\","
	"  \"label\":" L5("Born") "},"
	" {\"id\":\"count\",\"type\":\"number\",\"min\":1,\"max\":20,"
	"  \"label\":" L5("Count") "},"
	" {\"id\":\"colour\",\"type\":\"select\",\"options\":["
	"  {\"value\":\"red\",\"label\":" L5("Red") "},"
	"  {\"value\":\"other\",\"label\":" L5("Other") "}],"
	"  \"label\":" L5("Colour") "},"
	" {\"id\":\"colour_other\",\"type\":\"text\",\"label\":" L5("O") "}"
	"]},"
	"{\"title\":" L5("P2") ",\"fields\":["
	" {\"id\":\"size\",\"type\":\"radio\",\"required\":true,\"options\":["
	"  {\"value\":\"s\",\"label\":" L5("S") "},"
	"  {\"value\":\"l\",\"label\":" L5("L") "}],\"label\":" L5("Size") "},"
	" {\"id\":\"agree\",\"type\":\"checkbox\",\"required\":true,"
	"  \"label\":" L5("Agree") "},"
	" {\"id\":\"email\",\"type\":\"email\",\"label\":" L5("E") "},"
	" {\"id\":\"email_repeat\",\"type\":\"email\",\"label\":" L5("E2") "},"
	" {\"id\":\"phone\",\"type\":\"phone\",\"label\":" L5("Ph") "},"
	" {\"id\":\"plz\",\"type\":\"postcode\",\"label\":" L5("PLZ") "},"
	" {\"id\":\"from\",\"type\":\"date\",\"label\":" L5("From") "},"
	" {\"id\":\"to\",\"type\":\"date\",\"label\":" L5("To") "}"
	"]}],"
	"\"rules\":["
	" {\"type\":\"not_before\",\"field\":\"to\",\"other\":\"from\","
	"  \"message\":" L5("End before start") "},"
	" {\"type\":\"equal\",\"field\":\"email_repeat\",\"other\":\"email\","
	"  \"message\":" L5("Mails differ") "},"
	" {\"type\":\"required_if\",\"field\":\"colour_other\","
	"  \"other\":\"colour\",\"equals\":\"other\","
	"  \"message\":" L5("Say which colour") "},"
	" {\"type\":\"any_required\",\"fields\":[\"phone\",\"email\"],"
	"  \"message\":" L5("Phone or mail") "}"
	"]}";

static struct form *parse(const char *text, struct forms_errors *e)
{
	struct form *f = NULL;

	forms_parse("test.json", text, strlen(text), &f, e);
	if (f) {
		f->i18n = &in;
		f->now = 1795608000; /* 2026-11-25 12:00 UTC */
	}
	return f;
}

static int has_err(const struct forms_errors *e, const char *s)
{
	for (int i = 0; i < e->n; i++)
		if (strstr(e->msg[i], s))
			return 1;
	fprintf(stderr, "  no error containing \"%s\"; have:\n", s);
	for (int i = 0; i < e->n; i++)
		fprintf(stderr, "    %s\n", e->msg[i]);
	return 0;
}

/* ---- the shipped forms -------------------------------------------------- */

static void test_shipped(void)
{
	struct forms_list list;
	struct forms_errors *e = calloc(1, sizeof *e);
	const struct form *m, *p, *fs;
	int i;

	REQUIRE(e);
	REQUIRE(forms_load_dir(BK_SOURCE_DIR "/assets/forms", &in, &list, e) ==
		BK_OK);
	for (i = 0; i < e->n; i++)
		fprintf(stderr, "%s\n", e->msg[i]);
	CHECK_INT(e->n, 0);
	CHECK_INT(list.n, 3);
	m = forms_find(&list, "meldebescheinigung");
	p = forms_find(&list, "bewohnerparkausweis");
	fs = forms_find(&list, "fundsache");
	REQUIRE(m && p && fs);
	CHECK_STR(form_text(&m->title, "de"), "Meldebescheinigung beantragen");
	CHECK_STR(form_text(&p->title, "de"), "Antrag auf Bewohnerparkausweis");
	CHECK_STR(form_text(&fs->title, "de"), "Fundsache melden");
	CHECK(m->i18n == &in);
	/* every visible text in every language, through the model */
	for (int k = 0; k < list.n; k++) {
		const struct form *f = list.form[k];

		CHECK(f->version >= 1);
		CHECK(f->n_pages >= 2);
		for (int l = 0; l < FORMS_N_LANGS; l++) {
			CHECK(f->title.s[l] && f->description.s[l]);
			for (int pg = 0; pg < f->n_pages; pg++)
				CHECK(f->pages[pg].title.s[l] != NULL);
			for (i = 0; i < f->n_fields; i++)
				CHECK(f->fields[i].label.s[l] != NULL);
		}
	}
	/* the page model: fields in order, pages cover them all */
	CHECK_INT(m->pages[0].first, 0);
	CHECK_INT(m->pages[1].first, m->pages[0].n);
	i = forms_field_index(m, "postcode");
	REQUIRE(i >= 0);
	CHECK_INT(m->fields[i].type, FORM_POSTCODE);
	CHECK_INT(m->fields[i].keyboard, FORM_KB_NUMERIC);
	CHECK_INT(m->fields[i].page, 1);
	i = forms_field_index(m, "email");
	REQUIRE(i >= 0);
	CHECK_INT(m->fields[i].keyboard, FORM_KB_EMAIL);
	i = forms_field_index(m, "date_of_birth");
	REQUIRE(i >= 0);
	CHECK_INT(m->fields[i].prefill, FORM_PREFILL_DATE_OF_BIRTH);
	CHECK_INT(m->fields[forms_field_index(m, "surname")].prefill,
		  FORM_PREFILL_SURNAME);
	CHECK_STR(form_text(&m->fields[forms_field_index(m, "surname")].label,
			    "ar"), "اسم العائلة");
	CHECK_STR(form_text(&m->fields[forms_field_index(m, "surname")].label,
			    "xx"), "Familienname");
	i = forms_field_index(m, "delivery");
	REQUIRE(i >= 0);
	CHECK_STR(form_option_label(&m->fields[i], "post", "en"),
		  "By post to my address");
	CHECK(form_option_label(&m->fields[i], "fax", "en") == NULL);
	/* the parking permit's number plate pattern */
	i = forms_field_index(p, "plate");
	REQUIRE(i >= 0);
	CHECK(forms_check_field(p, i, "M-AB 1234", "de", NULL, 0) == BK_OK);
	CHECK(forms_check_field(p, i, "MÜ-X 7E", "de", NULL, 0) == BK_OK);
	CHECK(forms_check_field(p, i, "MAB1234", "de", NULL, 0) ==
	      BK_ERR_INVALID);
	forms_list_free(&list);
	free(e);
}

/* ---- field by field ----------------------------------------------------- */

#define OK(f, id, v) \
	CHECK(forms_check_field(f, forms_field_index(f, id), v, "de", msg, \
				sizeof msg) == BK_OK)
#define BAD(f, id, v, lang, want) do { \
	CHECK(forms_check_field(f, forms_field_index(f, id), v, lang, msg, \
				sizeof msg) == BK_ERR_INVALID); \
	CHECK_STR(msg, want); } while (0)

static void test_fields(void)
{
	struct forms_errors e;
	struct form *f = parse(test_form, &e);
	char msg[FORMS_MSG_MAX];

	for (int i = 0; i < e.n; i++)
		fprintf(stderr, "%s\n", e.msg[i]);
	REQUIRE(f);
	CHECK_INT(f->n_pages, 2);
	CHECK_INT(f->n_fields, 15);
	CHECK_INT(f->n_rules, 4);

	/* required, lengths (characters, not bytes), trimmed spaces */
	BAD(f, "name", "", "de", "Bitte füllen Sie dieses Feld aus.");
	BAD(f, "name", "   ", "en", "Please fill in this field.");
	BAD(f, "name", "A", "de", "Bitte geben Sie mindestens 2 Zeichen ein.");
	BAD(f, "name", "Abcdefghijk", "en",
	    "Please enter no more than 10 characters.");
	OK(f, "name", "Öz");
	OK(f, "name", "ÄÖÜäöüßÄÖÜ");    /* 10 characters, 20 bytes */
	OK(f, "name", "  Ab  ");
	BAD(f, "name", "A\tb", "de",
	    "Bitte verwenden Sie nur Buchstaben, Ziffern und Satzzeichen.");
	BAD(f, "name", "A\xff", "en",
	    "Please use letters, digits and punctuation only.");

	/* pattern: whole value, own message or the catalogue's */
	OK(f, "code", "AB12");
	OK(f, "code", "");
	BAD(f, "code", "AB123", "de", "Two letters, two digits");
	BAD(f, "code", "xAB12", "en", "Two letters, two digits");
	BAD(f, "plain", "abc1", "de",
	    "Bitte prüfen Sie die Schreibweise Ihrer Eingabe.");
	BAD(f, "plain", "ABC", "en", "Please check the format of your entry.");
	OK(f, "plain", "abc");

	/* dates: German order, digits only, ISO; real days; range with
	 * "-18y" relative to the form's clock (2026-11-25) */
	OK(f, "born", "24.12.1990");
	OK(f, "born", "24121990");
	OK(f, "born", "1990-12-24");
	OK(f, "born", "1.2.1990");
	OK(f, "born", "29.02.2000");
	OK(f, "born", "25.11.2008");
	BAD(f, "born", "26.11.2008", "de",
	    "Bitte geben Sie ein Datum bis zum 25.11.2008 ein.");
	BAD(f, "born", "26.11.2008", "en",
	    "Please enter a date on or before 25.11.2008.");
	BAD(f, "born", "31.12.1899", "de",
	    "Bitte geben Sie ein Datum ab dem 01.01.1900 ein.");
	BAD(f, "born", "31.12.0999", "en",
	    "Please enter the date as DD.MM.YYYY.");
	BAD(f, "born", "31.02.1990", "de",
	    "Dieses Datum gibt es nicht. Bitte prüfen Sie Tag und Monat.");
	BAD(f, "born", "29.02.2001", "en",
	    "This date does not exist. Please check the day and the month.");
	BAD(f, "born", "12/24/1990", "en",
	    "Please enter the date as DD.MM.YYYY.");
	BAD(f, "born", "24.12.90", "de",
	    "Bitte geben Sie das Datum als TT.MM.JJJJ ein.");
	BAD(f, "born", "1990-2-24", "de",
	    "Bitte geben Sie das Datum als TT.MM.JJJJ ein.");

	/* numbers */
	OK(f, "count", "1");
	OK(f, "count", "20");
	BAD(f, "count", "0", "de", "Bitte geben Sie eine Zahl von mindestens 1 ein.");
	BAD(f, "count", "21", "en", "Please enter a number of at most 20.");
	BAD(f, "count", "2,5", "de", "Bitte geben Sie eine ganze Zahl ein.");
	BAD(f, "count", "1e3", "en", "Please enter a whole number.");
	BAD(f, "count", "9999999999999999", "en", "Please enter a whole number.");

	/* select, radio, checkbox */
	OK(f, "colour", "red");
	BAD(f, "colour", "blue", "de", "Bitte wählen Sie eine der Möglichkeiten.");
	BAD(f, "size", "", "en", "Please choose one of the options.");
	OK(f, "size", "l");
	BAD(f, "agree", "", "de",
	    "Bitte setzen Sie hier ein Häkchen, um fortzufahren.");
	BAD(f, "agree", "yes", "en", "Please tick this box to continue.");
	OK(f, "agree", FORMS_CHECKED);

	/* e-mail */
	OK(f, "email", "name@example.de");
	OK(f, "email", "erika.mustermann+kiosk@müller-bau.de");
	BAD(f, "email", "name@", "de", "Bitte geben Sie eine gültige "
	    "E-Mail-Adresse ein, zum Beispiel name@example.de.");
	{
		static const char *const bad[] = {
			"@example.de", "a..b@example.de", ".a@example.de",
			"a.@example.de", "a@example", "a@-x.de", "a@x-.de",
			"a b@example.de", "a@b@example.de", "a@example.d",
			"a@example.d3", "a@exa_mple.de", "a@.example.de",
			"a@example..de", "a\"b@example.de",
		};
		for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
			int rc = forms_check_field(f, forms_field_index(f,
				"email"), bad[i], "en", msg, sizeof msg);
			if (rc != BK_ERR_INVALID)
				fprintf(stderr, "  accepted %s\n", bad[i]);
			CHECK(rc == BK_ERR_INVALID);
		}
	}

	/* phone */
	OK(f, "phone", "0151 23456789");
	OK(f, "phone", "+49 151 23456789");
	BAD(f, "phone", "0151/2345678", "de", "Bitte geben Sie eine "
	    "Telefonnummer nur mit Ziffern, Leerzeichen und einem + am Anfang "
	    "ein.");
	BAD(f, "phone", "49+1512345", "en", "Please enter a phone number "
	    "using only digits, spaces and a leading +.");
	BAD(f, "phone", "1234", "en", "Please enter a phone number "
	    "using only digits, spaces and a leading +.");

	/* postcode */
	OK(f, "plz", "01067");
	BAD(f, "plz", "1234", "de",
	    "Bitte geben Sie eine fünfstellige Postleitzahl ein.");
	BAD(f, "plz", "123456", "en", "Please enter a five-digit postcode.");
	BAD(f, "plz", "1234a", "de",
	    "Bitte geben Sie eine fünfstellige Postleitzahl ein.");

	/* a language without a catalogue falls back to the English msgid */
	BAD(f, "plz", "1", "tr", "Please enter a five-digit postcode.");
	/* bad index */
	CHECK(forms_check_field(f, 99, "x", "de", msg, sizeof msg) ==
	      BK_ERR_INVALID);
	forms_destroy(f);
}

/* ---- pages, the whole form, cross-field rules -------------------------- */

static void set(struct form_answers *a, const char *id, const char *v)
{
	CHECK(form_answers_set(a, forms_field_index(a->form, id), v) == BK_OK);
}

static void test_rules(void)
{
	struct form *f = parse(test_form, NULL);
	struct form_answers *a;
	char msg[FORMS_MSG_MAX];
	int bad = 0;

	REQUIRE(f);
	a = form_answers_create(f, "de");
	REQUIRE(a);
	/* page 1: the first failing field, in order */
	CHECK(forms_check_page(f, a, 0, "de", &bad, msg, sizeof msg) ==
	      BK_ERR_INVALID);
	CHECK_INT(bad, forms_field_index(f, "name"));
	set(a, "name", "Erika");
	set(a, "colour", "other");
	/* required_if: colour is "other", so colour_other is needed */
	CHECK(forms_check_page(f, a, 0, "de", &bad, msg, sizeof msg) ==
	      BK_ERR_INVALID);
	CHECK_INT(bad, forms_field_index(f, "colour_other"));
	CHECK_STR(msg, "Say which colour");
	set(a, "colour", "red");
	CHECK(forms_check_page(f, a, 0, "de", &bad, msg, sizeof msg) == BK_OK);
	CHECK_INT(bad, -1);
	set(a, "colour", "other");
	set(a, "colour_other", "Petrol");
	CHECK(forms_check_page(f, a, 0, "de", &bad, msg, sizeof msg) == BK_OK);

	/* page 2 */
	set(a, "size", "s");
	set(a, "agree", FORMS_CHECKED);
	/* any_required: neither phone nor mail */
	CHECK(forms_check_page(f, a, 1, "en", &bad, msg, sizeof msg) ==
	      BK_ERR_INVALID);
	CHECK_STR(msg, "Phone or mail");
	CHECK_INT(bad, forms_field_index(f, "phone"));
	set(a, "email", "a@example.de");
	/* equal: the repeat is missing */
	CHECK(forms_check_page(f, a, 1, "en", &bad, msg, sizeof msg) ==
	      BK_ERR_INVALID);
	CHECK_STR(msg, "Mails differ");
	CHECK_INT(bad, forms_field_index(f, "email_repeat"));
	set(a, "email_repeat", "a@example.com");
	CHECK(forms_check_page(f, a, 1, "en", &bad, msg, sizeof msg) ==
	      BK_ERR_INVALID);
	set(a, "email_repeat", "a@example.de ");  /* a stray space is fine */
	CHECK(forms_check_page(f, a, 1, "en", &bad, msg, sizeof msg) == BK_OK);
	/* not_before: the end before the start, in both notations */
	set(a, "from", "10.03.2026");
	set(a, "to", "2026-03-09");
	CHECK(forms_check_page(f, a, 1, "de", &bad, msg, sizeof msg) ==
	      BK_ERR_INVALID);
	CHECK_STR(msg, "End before start");
	CHECK_INT(bad, forms_field_index(f, "to"));
	set(a, "to", "10032026");
	CHECK(forms_check_page(f, a, 1, "de", &bad, msg, sizeof msg) == BK_OK);
	set(a, "to", "11.03.2026");
	CHECK(forms_check_form(f, a, "de", &bad, msg, sizeof msg) == BK_OK);
	/* the whole form sees a bad field on page 1 again */
	set(a, "name", "");
	CHECK(forms_check_form(f, a, "de", &bad, msg, sizeof msg) ==
	      BK_ERR_INVALID);
	CHECK_INT(bad, forms_field_index(f, "name"));
	CHECK(forms_check_page(f, a, 2, "de", &bad, msg, sizeof msg) ==
	      BK_ERR_INVALID);

	/* prefill from an ID document: shown as TT.MM.JJJJ */
	CHECK_INT(form_answers_prefill(a, FORM_PREFILL_DATE_OF_BIRTH,
				       "1969-08-06"), 1);
	CHECK_STR(form_answers_get(a, forms_field_index(f, "born")),
		  "06.08.1969");
	CHECK_INT(form_answers_prefill(a, FORM_PREFILL_SURNAME, "X"), 0);
	CHECK_INT(form_answers_prefill(a, FORM_PREFILL_DATE_OF_BIRTH, "x"), 0);
	form_answers_destroy(a);
	forms_destroy(f);
}

/* ---- broken files --------------------------------------------------------- */

static void test_broken(void)
{
	struct forms_errors e;
	struct form *f;
	char *text;
	char dir[256], path[300];
	FILE *fp;

	/* a label without Turkish: file, field and language named */
	text = strdup(test_form);
	REQUIRE(text);
	{
		/* {"de":"Name",...,"tr":"Name",...} -> "tx" for the name */
		char *p = strstr(text, "\"tr\":\"Name\"");
		REQUIRE(p);
		p[2] = 'x';
	}
	f = parse(text, &e);
	CHECK(f == NULL);
	CHECK(has_err(&e, "test.json:name.label:tr: missing"));
	CHECK(has_err(&e, "test.json:name.label:-: unknown language \"tx\""));
	free(text);

	/* many problems in one run, each with its place */
	f = parse("{\"id\":\"Bad Id\",\"version\":0,\"title\":{\"de\":\"x\"},"
		  "\"colour\":1,\"pages\":[{\"title\":" L5("P") ",\"fields\":["
		  "{\"id\":\"a\",\"type\":\"text\",\"label\":" L5("A") ","
		  " \"pattern\":\"(\",\"requred\":true},"
		  "{\"id\":\"a\",\"type\":\"postcode\",\"label\":" L5("A") "},"
		  "{\"id\":\"d\",\"type\":\"date\",\"max\":\"yesterday\","
		  " \"label\":" L5("D") "},"
		  "{\"id\":\"s\",\"type\":\"select\",\"label\":" L5("S") ","
		  " \"options\":[{\"value\":\"x\",\"label\":" L5("X") "}]},"
		  "{\"id\":\"t\",\"type\":\"texts\",\"label\":" L5("T") "},"
		  "{\"id\":\"r\",\"type\":\"text\",\"pattern\":\"a{1000}\","
		  " \"label\":" L5("R") "}"
		  "]}],\"rules\":[{\"type\":\"equal\",\"field\":\"a\","
		  "\"other\":\"zz\",\"message\":" L5("M") "}]}", &e);
	CHECK(f == NULL);
	CHECK(has_err(&e, "test.json:id:-: must be 1 to 47"));
	CHECK(has_err(&e, "test.json:version:-: version must be a whole"));
	CHECK(has_err(&e, "test.json:title:en: missing"));
	CHECK(has_err(&e, "test.json:title:ar: missing"));
	CHECK(has_err(&e, "test.json:description:-: missing"));
	CHECK(has_err(&e, "test.json:form:-: unknown member \"colour\""));
	CHECK(has_err(&e, "test.json:a:-: unknown member \"requred\""));
	CHECK(has_err(&e, "test.json:a.pattern:-: does not compile"));
	CHECK(has_err(&e, "test.json:a:-: field id used twice"));
	CHECK(has_err(&e, "test.json:d:-: max must be \"today\""));
	CHECK(has_err(&e, "test.json:s.options:-: must be a list of 2 to"));
	CHECK(has_err(&e, "test.json:t:-: type \"texts\" is not one of"));
	CHECK(has_err(&e, "test.json:r.pattern:-: a repetition count is "
		      "over 50"));
	CHECK(has_err(&e, "test.json:rule 1:-: other \"zz\" is not a field"));
	CHECK(e.n >= 14);

	/* patterns that would make regexec slow are refused; an optional
	 * group with a repetition inside is fine */
	{
		static const struct { const char *p, *want; } pats[] = {
			{ "(a{2}){3}", "a group with a repetition inside" },
			{ "((a|b)+c)*", "a group with a repetition inside" },
			{ "(a)\\\\1", "back-references" },
			{ "a{2,}", "unbounded" },
			{ "a{40}b{40}c{40}", "add up to over 100" },
			{ "[a-z", "unmatched [" },
			{ "E++++", "two repetitions in a row" },
			{ "a{2}+", "two repetitions in a row" },
			{ "a*?", "two repetitions in a row" },
			{ "(ab))", "unmatched )" },
			{ "[0-9]{1,4}( ?- ?[0-9]{1,4})?", NULL },
			{ "[]a]{2}[[:alpha:]]+(x|y){1,3}", NULL },
		};
		for (size_t i = 0; i < sizeof pats / sizeof pats[0]; i++) {
			char buf[1024];
			snprintf(buf, sizeof buf, "{\"id\":\"t\",\"version\":1,"
				 "\"title\":" L5("T") ",\"description\":" L5("D")
				 ",\"pages\":[{\"title\":" L5("P") ",\"fields\":"
				 "[{\"id\":\"a\",\"type\":\"text\",\"label\":"
				 L5("A") ",\"pattern\":\"%s\"}]}]}", pats[i].p);
			f = parse(buf, &e);
			if (pats[i].want) {
				CHECK(f == NULL);
				CHECK(e.n == 1 && has_err(&e, pats[i].want));
			} else {
				CHECK(f != NULL);
				if (!f)
					has_err(&e, "(accepted)");
			}
			forms_destroy(f);
		}
	}

	/* not JSON: the line */
	f = parse("{\"id\":\"x\",\n\"version\":1,\n]", &e);
	CHECK(f == NULL);
	CHECK(has_err(&e, "test.json:line 3:-: not JSON"));

	/* too large */
	{
		size_t n = FORMS_FILE_MAX + 1;
		char *big = malloc(n);
		REQUIRE(big);
		memset(big, ' ', n);
		CHECK(forms_parse("big.json", big, n, &f, &e) ==
		      BK_ERR_TOOLARGE);
		CHECK(f == NULL);
		free(big);
	}

	/* a folder with a broken file: the good ones still load */
	check_tmpdir(dir);
	snprintf(path, sizeof path, "%s/a-good.json", dir);
	fp = fopen(path, "w");
	REQUIRE(fp);
	fputs(test_form, fp);
	fclose(fp);
	snprintf(path, sizeof path, "%s/b-broken.json", dir);
	fp = fopen(path, "w");
	REQUIRE(fp);
	fputs("{\"id\":\"x\"}", fp);
	fclose(fp);
	snprintf(path, sizeof path, "%s/c-same-id.json", dir);
	fp = fopen(path, "w");
	REQUIRE(fp);
	fputs(test_form, fp);
	fclose(fp);
	{
		struct forms_list list;
		struct forms_errors *de = calloc(1, sizeof *de);

		REQUIRE(de);
		CHECK(forms_load_dir(dir, &in, &list, de) == BK_OK);
		CHECK_INT(list.n, 1);
		CHECK(has_err(de, "b-broken.json:version:-: missing"));
		CHECK(has_err(de, "c-same-id.json:id:-: form id \"test\" is "
			      "taken"));
		forms_list_free(&list);
		free(de);
	}
	/* forms_load names a missing file */
	snprintf(path, sizeof path, "%s/none.json", dir);
	CHECK(forms_load(path, &f, &e) == BK_ERR_IO);
	CHECK(has_err(&e, "none.json:form:-: No such file"));
	check_rmtree(dir);
}

/* ---- answers are wiped ------------------------------------------------------ */

static int all_zero(const void *p, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i])
			return 0;
	return 1;
}

static void test_wipe(void)
{
	struct form *f = parse(test_form, NULL);
	struct form_answers *a;
	char big[FORMS_VALUE_MAX + 1];
	int name;

	REQUIRE(f);
	a = form_answers_create(f, "uk");
	REQUIRE(a);
	CHECK_STR(a->lang, "uk");
	name = forms_field_index(f, "name");
	for (int i = 0; i < f->n_fields; i++)
		CHECK(form_answers_set(a, i, MARK_SURNAME) == BK_OK);
	CHECK_STR(form_answers_get(a, name), MARK_SURNAME);
	/* a shorter value leaves nothing of the longer one behind */
	set(a, "name", "Al");
	CHECK_STR(form_answers_get(a, name), "Al");
	CHECK(all_zero(a->value[name] + 3, FORMS_VALUE_MAX - 3));
	/* caps */
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	CHECK(form_answers_set(a, name, big) == BK_ERR_TOOLARGE);
	CHECK(form_answers_set(a, -1, "x") == BK_ERR_INVALID);
	CHECK(form_answers_set(a, f->n_fields, "x") == BK_ERR_INVALID);
	/* the wipe: every byte of every value */
	CHECK(!all_zero(a->value, sizeof a->value));
	form_answers_wipe(a);
	CHECK(all_zero(a->value, sizeof a->value));
	CHECK(memmem(a, sizeof *a, MARK_SURNAME, strlen(MARK_SURNAME)) ==
	      NULL);
	CHECK_STR(form_answers_get(a, name), "");
	/* still usable */
	set(a, "name", "Erika");
	CHECK_STR(form_answers_get(a, name), "Erika");
	form_answers_destroy(a);
	form_answers_destroy(NULL);
	/* an unknown language becomes German */
	a = form_answers_create(f, "xx");
	REQUIRE(a);
	CHECK_STR(a->lang, "de");
	form_answers_destroy(a);
	forms_destroy(f);
}

/* ---- submission ---------------------------------------------------------------- */

static int file_has(const char *path, const char *needle)
{
	size_t len = 0, n = strlen(needle);
	char *data = util_read_file(path, (size_t)256 << 20, &len);
	int found = data && memmem(data, len, needle, n) != NULL;

	free(data);
	return found;
}

static int db_has(const char *dir, const char *needle)
{
	static const char *const suffix[] = { "", "-wal", "-shm" };
	char path[512];
	int found = 0;

	for (int i = 0; i < 3; i++) {
		snprintf(path, sizeof path, "%s/kiosk.db%s", dir, suffix[i]);
		found |= file_has(path, needle);
	}
	return found;
}

static void setup_cfg(struct config *cfg)
{
	char err[512], pub[300];

	snprintf(pub, sizeof pub, "%s/backoffice-public.pem", keydir);
	if (config_load(cfg, BK_SOURCE_DIR "/assets/site.conf", err,
			sizeof err) != 0 ||
	    config_set(cfg, "backoffice.public_key", pub, err, sizeof err)) {
		fprintf(stderr, "%s\n", err);
		exit(2);
	}
}

static struct form_answers *meldung(const struct form *m)
{
	struct form_answers *a = form_answers_create(m, "en");

	if (!a)
		return NULL;
	set(a, "surname", MARK_SURNAME);
	set(a, "given_names", "Erika Maria");
	set(a, "date_of_birth", "06.08.1969");
	set(a, "street", MARK_STREET);
	set(a, "house_number", "12a");
	set(a, "postcode", "01067");
	set(a, "city", "Musterstadt");
	set(a, "kind", "einfach");
	set(a, "purpose", "bank");
	set(a, "delivery", "post");
	set(a, "email", MARK_EMAIL);
	set(a, "email_repeat", MARK_EMAIL);
	set(a, "truthful", FORMS_CHECKED);
	return a;
}

static void test_submit(void)
{
	char dir[256], err[512], why[256], priv[300];
	struct config cfg;
	struct store *st = NULL;
	struct submission_receipt r;
	struct outbox_batch b = { 0 };
	struct outbox_counts oc;
	struct form *m = NULL;
	struct form_answers *a;
	struct forms_errors e;
	json_t *key = NULL, *ev = NULL, *plain = NULL, *ans;
	unsigned char *pt = NULL;
	size_t ptlen = 0;
	const char *jwe;

	setup_cfg(&cfg);
	REQUIRE(forms_load(BK_SOURCE_DIR "/assets/forms/meldebescheinigung.json",
			   &m, &e) == BK_OK);
	m->i18n = &in;
	a = meldung(m);
	REQUIRE(a);
	check_tmpdir(dir);
	REQUIRE(store_open(&st, dir, 1000, err, sizeof err) == BK_OK);

	/* an incomplete form is refused with the citizen's message */
	set(a, "postcode", "0106");
	CHECK(forms_submit(st, &cfg, a, &r, why, sizeof why) ==
	      BK_ERR_INVALID);
	CHECK_STR(why, "Please enter a five-digit postcode.");
	CHECK_STR(r.reference, "");
	set(a, "postcode", "01067");
	set(a, "email_repeat", "other@example.de");
	CHECK(forms_submit(st, &cfg, a, &r, why, sizeof why) ==
	      BK_ERR_INVALID);
	CHECK_STR(why, "The two e-mail addresses do not match.");
	set(a, "email_repeat", MARK_EMAIL);
	REQUIRE(outbox_counts(st, &oc) == BK_OK);
	CHECK_INT(oc.pending, 0);

	/* the real thing */
	REQUIRE(forms_submit(st, &cfg, a, &r, why, sizeof why) == BK_OK);
	CHECK(submission_reference_valid(r.reference));
	REQUIRE(outbox_next_batch(st, 10, store_now_ms() + 1000, &b) == BK_OK);
	REQUIRE(b.n == 1);
	CHECK_STR(b.ev[0].type, "form.submitted");
	CHECK(!strstr(b.ev[0].body, MARK_SURNAME));
	CHECK(!strstr(b.ev[0].body, MARK_STREET));
	ev = json_loads(b.ev[0].body, 0, NULL);
	REQUIRE(ev);
	CHECK_STR(json_string_value(json_object_get(json_object_get(ev,
		  "data"), "form_id")), "meldebescheinigung");
	jwe = json_string_value(json_object_get(json_object_get(ev, "data"),
						"jwe"));
	REQUIRE(jwe);

	/* the database files hold the reference but none of the answers */
	CHECK(db_has(dir, r.reference));
	CHECK(!db_has(dir, MARK_SURNAME));
	CHECK(!db_has(dir, MARK_STREET));
	CHECK(!db_has(dir, MARK_EMAIL));
	CHECK(!db_has(dir, "1969-08-06"));

	/* the back office's view: version, language, typed answers */
	snprintf(priv, sizeof priv, "%s/backoffice-private.pem", keydir);
	REQUIRE(jwe_key_load(priv, 1, &key, err, sizeof err) == BK_OK);
	REQUIRE(jwe_decrypt(key, jwe, strlen(jwe), &pt, &ptlen) == BK_OK);
	plain = json_loadb((const char *)pt, ptlen, 0, NULL);
	REQUIRE(plain);
	CHECK_STR(json_string_value(json_object_get(plain, "form_id")),
		  "meldebescheinigung");
	CHECK_INT(json_integer_value(json_object_get(plain, "form_version")),
		  1);
	CHECK_STR(json_string_value(json_object_get(plain, "lang")), "en");
	CHECK_STR(json_string_value(json_object_get(plain, "reference")),
		  r.reference);
	ans = json_object_get(plain, "answers");
	CHECK_STR(json_string_value(json_object_get(ans, "surname")),
		  MARK_SURNAME);
	CHECK_STR(json_string_value(json_object_get(ans, "date_of_birth")),
		  "1969-08-06");
	CHECK_STR(json_string_value(json_object_get(ans, "postcode")),
		  "01067");
	CHECK(json_is_true(json_object_get(ans, "truthful")));
	CHECK(json_object_get(ans, "birth_name") == NULL);  /* unanswered */
	CHECK(json_object_get(ans, "purpose_other") == NULL);

	/* the caller's answers are untouched until it wipes them */
	CHECK_STR(form_answers_get(a, forms_field_index(m, "surname")),
		  MARK_SURNAME);

	/* below the free-space threshold: BK_ERR_FULL, nothing stored */
	REQUIRE(config_set(&cfg, "store.min_free_mb", "1000000", err,
			   sizeof err) == 0);
	{
		int64_t mb = 0;

		REQUIRE(submission_free_mb(st, &mb) == BK_OK);
		if (mb < 1000000) {
			CHECK(forms_submit(st, &cfg, a, &r, why, sizeof why) ==
			      BK_ERR_FULL);
			CHECK(strstr(why, "min_free_mb") != NULL);
			REQUIRE(outbox_counts(st, &oc) == BK_OK);
			CHECK_INT(oc.pending, 1);
		} else {
			fprintf(stderr, "skipping the full-disk case: over 1 TB "
				"free\n");
		}
	}

	util_wipe(pt, ptlen);
	free(pt);
	json_decref(plain);
	json_decref(key);
	json_decref(ev);
	outbox_batch_free(&b);
	form_answers_destroy(a);
	forms_destroy(m);
	store_close(st);
	CHECK(!db_has(dir, MARK_SURNAME));
	check_rmtree(dir);
}

/* ---- the receipt ------------------------------------------------------------- */

static void test_receipt(void)
{
	char dir[256], err[512], uri[300], path[320];
	struct config cfg;
	struct app_ticket_ctx c = { 0 };
	struct form *m = NULL;
	struct forms_errors e;
	struct store *st = NULL;
	struct printer *pr = NULL;
	unsigned char *data = NULL;
	size_t len = 0;
	const char *ref = "F-7K3MQ-9X2TA";

	setup_cfg(&cfg);
	REQUIRE(forms_load(BK_SOURCE_DIR "/assets/forms/meldebescheinigung.json",
			   &m, &e) == BK_OK);
	c.cfg = &cfg;
	c.i18n = &in;
	for (int w = 0; w < 2; w++) {
		char width[8];

		snprintf(width, sizeof width, "%d", w ? 58 : 80);
		REQUIRE(config_set(&cfg, "printer.paper_width_mm", width, err,
				   sizeof err) == 0);
		REQUIRE(app_form_receipt_render(&c, m, ref, "de", 1795608000000,
						&data, &len, err,
						sizeof err) == 0);
		CHECK(memmem(data, len, ref, strlen(ref)) != NULL);
		/* PC858: "Vorgangsnummer" and the title (ASCII) */
		CHECK(memmem(data, len, "Vorgangsnummer", 14) != NULL);
		CHECK(memmem(data, len, "Meldebescheinigung beantragen", 29));
		CHECK(memmem(data, len, "25.11.2026", 10) != NULL);
		CHECK(memmem(data, len, "10 Euro", 7) != NULL); /* next steps */
		free(data);
		data = NULL;
	}
	REQUIRE(app_form_receipt_render(&c, m, ref, "en", 1795608000000, &data,
					&len, err, sizeof err) == 0);
	CHECK(memmem(data, len, "Your reference number:", 22) != NULL);
	CHECK(memmem(data, len, "Apply for a certificate", 23) != NULL);
	CHECK(memmem(data, len, "Vorgangsnummer", 14) == NULL);

	/* printed through a virtual printer with the status checked */
	check_tmpdir(dir);
	REQUIRE(store_open(&st, dir, 1000, err, sizeof err) == BK_OK);
	snprintf(uri, sizeof uri, "virtual:%s/printer", dir);
	CHECK(app_form_receipt_print(st, uri, &pr, data, len, NULL, err,
				     sizeof err) == BK_OK);
	snprintf(path, sizeof path, "%s/printer/job-000001.bin", dir);
	CHECK(file_has(path, ref));
	printer_close(pr);
	free(data);
	store_close(st);
	check_rmtree(dir);
	forms_destroy(m);
}

int main(void)
{
	static const struct check_test tests[] = {
		{ "shipped", test_shipped },
		{ "fields", test_fields },
		{ "rules", test_rules },
		{ "broken", test_broken },
		{ "wipe", test_wipe },
		{ "submit", test_submit },
		{ "receipt", test_receipt },
		{ NULL, NULL },
	};
	static const char langs[][8] = { "de", "en" };
	char err[512];
	int rc;

	setenv("TZ", "UTC", 1);
	tzset();
	if (i18n_init(&in, BK_SOURCE_DIR "/assets/i18n", langs, 2) < 0)
		return 2;
	check_tmpdir(keydir);
	if (jwe_demo_keys(keydir, err, sizeof err) != BK_OK) {
		fprintf(stderr, "%s\n", err);
		return 2;
	}
	rc = check_main(tests);
	check_rmtree(keydir);
	i18n_free(&in);
	return rc;
}
