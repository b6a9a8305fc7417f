/*
 * test_i18n.c — the .po reader, the lookup with its fallback, placeholder
 * substitution, and that every msgid the UI uses is in every catalogue.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "firmware/i18n.h"

static int parse(struct i18n_catalog *cat, const char *text, char *err,
		 size_t errlen)
{
	return i18n_catalog_parse(cat, "t.po", text, strlen(text), err,
				  errlen);
}

static void test_parse_entries(void)
{
	static const char po[] =
		"# header\n"
		"msgid \"\"\n"
		"msgstr \"\"\n"
		"\"Language: de\\n\"\n"
		"\n"
		"#: ui/screens.c\n"
		"msgid \"Back\"\n"
		"msgstr \"Zurück\"\n"
		"\n"
		"msgid \"\"\n"
		"\"Two \"\n"
		"\"lines\"\n"
		"msgstr \"Zwei\\nZeilen \\\"quoted\\\" \\\\ \"\r\n"
		"#, fuzzy\n"
		"msgid \"Fuzzy\"\n"
		"msgstr \"Unscharf\"\n"
		"msgctxt \"menu\"\n"
		"msgid \"Open\"\n"
		"msgstr \"Öffnen\"\n"
		"msgid \"One\"\n"
		"msgid_plural \"Many\"\n"
		"msgstr[0] \"Eins\"\n"
		"msgstr[1] \"Viele\"\n"
		"msgid \"Untranslated\"\n"
		"msgstr \"\"\n"
		"msgid \"Last\"\n"
		"msgstr \"Zuletzt\"";
	struct i18n_catalog cat;
	char err[256] = "";

	REQUIRE(parse(&cat, po, err, sizeof err) == 0);
	CHECK_INT(cat.n, 3);
	CHECK_STR(i18n_catalog_lookup(&cat, "Back"), "Zurück");
	CHECK_STR(i18n_catalog_lookup(&cat, "Two lines"),
		  "Zwei\nZeilen \"quoted\" \\ ");
	CHECK_STR(i18n_catalog_lookup(&cat, "Last"), "Zuletzt");
	CHECK(!i18n_catalog_lookup(&cat, "Fuzzy"));
	CHECK(!i18n_catalog_lookup(&cat, "Open"));
	CHECK(!i18n_catalog_lookup(&cat, "One"));
	CHECK(!i18n_catalog_lookup(&cat, "Untranslated"));
	CHECK(!i18n_catalog_lookup(&cat, ""));
	i18n_catalog_free(&cat);
}

static void expect_error(const char *po, const char *msg)
{
	struct i18n_catalog cat;
	char err[256] = "";

	CHECK(parse(&cat, po, err, sizeof err) < 0);
	if (!strstr(err, msg)) {
		char m[512];
		snprintf(m, sizeof m, "error \"%s\" lacks \"%s\"", err, msg);
		check_fail(__FILE__, __LINE__, m);
	}
	CHECK_INT(cat.n, 0);
	i18n_catalog_free(&cat);
}

static void test_parse_errors(void)
{
	expect_error("msgid \"a\"\nmsgstr \"b", "t.po:2: unterminated string");
	expect_error("msgid \"a\\q\"\nmsgstr \"b\"", "t.po:1: unknown escape");
	expect_error("msgstr \"b\"", "t.po:1: msgstr without msgid");
	expect_error("msgid \"a\"\n", "msgid without msgstr");
	expect_error("msgid \"a\"\nmsgid \"b\"\nmsgstr \"c\"",
		     "t.po:2: msgid without msgstr");
	expect_error("msgfoo \"a\"", "unknown keyword 'msgfoo'");
	expect_error("\"a\"", "string without keyword");
	expect_error("msgid \"a\" x\nmsgstr \"b\"", "text after string");
	expect_error("msgid \"\xff\"\nmsgstr \"b\"", "not UTF-8");
	expect_error("msgid \"a\"\nmsgstr \"b\"\nmsgid \"a\"\nmsgstr \"c\"",
		     "duplicate msgid");
	expect_error("msgid \"a\tb\x01\"\nmsgstr \"b\"", "control character");
	expect_error("msgctxt \"x\"\n", "msgctxt without msgid");
}

static void test_caps(void)
{
	size_t n = I18N_STRING_MAX + 100;
	char *po = malloc(n + 64);
	struct i18n_catalog cat;
	char err[256] = "";

	REQUIRE(po);
	strcpy(po, "msgid \"");
	memset(po + 7, 'x', n);
	strcpy(po + 7 + n, "\"\nmsgstr \"y\"\n");
	CHECK(parse(&cat, po, err, sizeof err) < 0);
	CHECK(strstr(err, "longer than") != NULL);
	free(po);
}

static void test_fallback(void)
{
	static const char langs[3][8] = { "de", "en", "xx" };
	struct i18n in;

	REQUIRE(i18n_init(&in, BK_SOURCE_DIR "/assets/i18n", langs, 3) == 0);
	CHECK_STR(i18n_tr(&in, "de", "Back"), "Zurück");
	CHECK_STR(i18n_tr(&in, "en", "Reisepass"), "Passport");
	/* no xx.po, no such entry: the msgid, logged once */
	CHECK_STR(i18n_tr(&in, "xx", "Back"), "Back");
	CHECK_STR(i18n_tr(&in, "de", "No such text"), "No such text");
	CHECK_STR(i18n_tr(&in, "de", "No such text"), "No such text");
	CHECK_INT(in.n_missing, 2);
	i18n_activate(&in, "de");
	CHECK_STR(_("Done"), "Fertig");
	i18n_activate(&in, "en");
	CHECK_STR(_("Done"), "Done");
	i18n_activate(NULL, "de");
	i18n_free(&in);
}

static void test_service_name(void)
{
	static const char langs[2][8] = { "de", "en" };
	struct config_service s = { .id = "x", .letter = 'A',
				    .name = "Fundbüro" };
	struct i18n in;

	REQUIRE(i18n_init(&in, BK_SOURCE_DIR "/assets/i18n", langs, 2) == 0);
	CHECK_STR(i18n_service_name(&in, &s, "de"), "Fundbüro");
	CHECK_STR(i18n_service_name(&in, &s, "en"), "Lost and found");
	s.n_names = 1;
	snprintf(s.names[0].lang, sizeof s.names[0].lang, "en");
	snprintf(s.names[0].text, sizeof s.names[0].text, "Found property");
	CHECK_STR(i18n_service_name(&in, &s, "en"), "Found property");
	i18n_free(&in);
}

static void test_subst(void)
{
	char out[16];

	CHECK_INT(i18n_subst(out, sizeof out, "Ahead: {n}", "{n}", "3"), 0);
	CHECK_STR(out, "Ahead: 3");
	CHECK_INT(i18n_subst(out, sizeof out, "{n}{n}", "{n}", "12"), 0);
	CHECK_STR(out, "1212");
	CHECK_INT(i18n_subst(out, 6, "abcdefgh", "{n}", "1"), -1);
	CHECK_STR(out, "abcde");
	CHECK_INT(i18n_subst(out, sizeof out, "%s %n", "{n}", "1"), 0);
	CHECK_STR(out, "%s %n");
}

/* Completeness (every visible msgid translated in every language, service
 * names, placeholders kept) is test_i18n_complete.c's: one checker, which
 * joins adjacent literals as the compiler does. */

int main(void)
{
	static const struct check_test tests[] = {
		{ "parse_entries", test_parse_entries },
		{ "parse_errors", test_parse_errors },
		{ "caps", test_caps },
		{ "fallback", test_fallback },
		{ "service_name", test_service_name },
		{ "subst", test_subst },
		{ NULL, NULL },
	};
	return check_main(tests);
}
