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

/* ---- every msgid used in the UI's .c files is in every catalogue ---- */

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *s = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0 && (s = malloc((size_t)n + 1)) &&
	    fread(s, 1, (size_t)n, f) == (size_t)n) {
		s[n] = '\0';
		*len = (size_t)n;
	} else {
		free(s);
		s = NULL;
	}
	fclose(f);
	return s;
}

/* Reads the C string literal at *p (after the quote) into out. */
static int c_literal(const char **p, char *out, size_t outlen)
{
	size_t n = 0;
	const char *s = *p;

	while (*s && *s != '"' && n + 1 < outlen) {
		char c = *s++;
		if (c == '\\') {
			c = *s++;
			if (c == 'n')
				c = '\n';
			else if (c != '"' && c != '\\')
				return -1;
		}
		out[n++] = c;
	}
	if (*s != '"')
		return -1;
	out[n] = '\0';
	*p = s + 1;
	return 0;
}

static int is_ident(char c)
{
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9');
}

/* Counts the msgids of _("…")/N_("…") in src missing from a catalogue
 * (each reported). A _( not followed by exactly one literal counts too:
 * the check could not see it. */
static int missing_in(const char *file, const char *src,
		      const struct i18n_catalog *cats, int n_cats)
{
	int missing = 0;

	for (const char *p = src; (p = strstr(p, "_(")); p += 2) {
		char id[1024];
		const char *q = p + 2;
		const char *start = p;
		if (start > src && start[-1] == 'N')
			start--; /* N_( */
		if (start > src && is_ident(start[-1]))
			continue; /* some other name ending in _ */
		if (*q == ')')
			continue; /* "_()" named in a comment */
		if (*q != '"' || (q++, c_literal(&q, id, sizeof id) < 0) ||
		    *q != ')') {
			fprintf(stderr, "%s: _( without one plain literal\n",
				file);
			missing++;
			continue;
		}
		for (int i = 0; i < n_cats; i++) {
			if (i18n_catalog_lookup(&cats[i], id))
				continue;
			fprintf(stderr, "%s: \"%s\" missing in %s.po\n", file,
				id, cats[i].lang);
			missing++;
		}
	}
	return missing;
}

static int load_catalogs(struct i18n_catalog *cats, int max)
{
	static const char *dir = BK_SOURCE_DIR "/assets/i18n";
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d)) && n < max) {
		size_t len = strlen(e->d_name), tlen = 0;
		char path[1024], err[512];
		char *text;
		if (len < 4 || strcmp(e->d_name + len - 3, ".po"))
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		text = slurp(path, &tlen);
		CHECK(text != NULL);
		if (!text)
			continue;
		if (i18n_catalog_parse(&cats[n], path, text, tlen, err,
				       sizeof err) < 0)
			check_fail(__FILE__, __LINE__, err);
		snprintf(cats[n].lang, sizeof cats[n].lang, "%.*s",
			 (int)(len - 3), e->d_name);
		n++;
		free(text);
	}
	closedir(d);
	return n;
}

/* Every msgid marked in the sources of one folder is in every catalogue.
 * Returns the number of .c files read. */
static int check_folder(const char *dir, struct i18n_catalog *cats, int n)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int files = 0;

	if (!d) {
		check_fail(__FILE__, __LINE__, dir);
		return 0;
	}
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name), slen = 0;
		char path[1024];
		char *src;
		if (len < 3 || strcmp(e->d_name + len - 2, ".c"))
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		src = slurp(path, &slen);
		CHECK(src != NULL);
		if (src)
			CHECK_INT(missing_in(path, src, cats, n), 0);
		free(src);
		files++;
	}
	closedir(d);
	return files;
}

static void test_catalogues_complete(void)
{
	struct i18n_catalog cats[16] = { 0 };
	int n = load_catalogs(cats, 16);

	CHECK(n >= 2);
	/* the screens, and the ticket texts that go on paper */
	CHECK(check_folder(BK_SOURCE_DIR "/ui", cats, n) > 3);
	CHECK(check_folder(BK_SOURCE_DIR "/firmware", cats, n) > 3);
	for (int i = 0; i < n; i++)
		i18n_catalog_free(&cats[i]);
}

/* The example configuration's German service names are msgids of every
 * other language. */
static void test_service_names_complete(void)
{
	struct i18n_catalog cats[16] = { 0 };
	int n = load_catalogs(cats, 16);
	static struct config cfg;
	char err[CONFIG_ERR_MAX];

	REQUIRE(config_load(&cfg, BK_SOURCE_DIR "/assets/site.conf", err,
			    sizeof err) == 0);
	CHECK(cfg.n_services > 0);
	for (int i = 0; i < n; i++) {
		if (!strcmp(cats[i].lang, "de"))
			continue;
		for (int k = 0; k < cfg.n_services; k++) {
			const char *name = cfg.services[k].name;
			if (i18n_catalog_lookup(&cats[i], name))
				continue;
			fprintf(stderr, "service name \"%s\" missing in %s.po\n",
				name, cats[i].lang);
			check_fail(__FILE__, __LINE__, "service name missing");
		}
	}
	for (int i = 0; i < n; i++)
		i18n_catalog_free(&cats[i]);
}

/* The check above must be able to fail. */
static void test_completeness_check_fails(void)
{
	static const char src[] =
		"a = _(\"Back\"); b = N_(\"Not there\"); c = _(x); "
		"d = my_(\"ignored\");";
	struct i18n_catalog cat;
	char err[256];

	REQUIRE(parse(&cat, "msgid \"Back\"\nmsgstr \"Zurück\"", err,
		      sizeof err) == 0);
	snprintf(cat.lang, sizeof cat.lang, "de");
	CHECK_INT(missing_in("synthetic.c", src, &cat, 1), 2);
	i18n_catalog_free(&cat);
}

int main(void)
{
	static const struct check_test tests[] = {
		{ "parse_entries", test_parse_entries },
		{ "parse_errors", test_parse_errors },
		{ "caps", test_caps },
		{ "fallback", test_fallback },
		{ "service_name", test_service_name },
		{ "subst", test_subst },
		{ "catalogues_complete", test_catalogues_complete },
		{ "service_names_complete", test_service_names_complete },
		{ "completeness_check_fails", test_completeness_check_fails },
		{ NULL, NULL },
	};
	return check_main(tests);
}
