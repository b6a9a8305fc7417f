/*
 * test_i18n_complete.c — no visible string lacks a translation.
 *
 * The msgids are gathered where they are born: every _("…") and N_("…")
 * literal in the .c files of ui/ and firmware/ (read from BK_SOURCE_DIR
 * at test time, adjacent literals joined as the compiler joins them), every msgid
 * of any .po file, and the German service names of assets/site.conf. Each
 * must have a non-empty msgstr in de, en, tr, uk and ar (and in any other
 * .po that ships). German service names need no German entry: German is
 * their source language (i18n_service_name()).
 *
 * A translation must keep every placeholder ("{n}", "{date}") of its
 * msgid and add none, or the citizen would read "{n}" or miss a figure.
 *
 * Every failure is printed as LANG: "msgid" (what is wrong), so the list
 * is the translator's to-do list.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "firmware/i18n.h"

#define LANGS_MAX 16
#define IDS_MAX 4096

static const char *const required[] = { "de", "en", "tr", "uk", "ar" };

struct idset {
	char *id[IDS_MAX];
	const char *where[IDS_MAX];  /* a file that uses it (static) */
	int n;
	unsigned char from[IDS_MAX]; /* FROM_* where it was seen */
};

enum { FROM_CODE = 1, FROM_SITE = 2, FROM_PO = 4 };

static int idset_add(struct idset *s, const char *id, const char *where,
		     int from)
{
	for (int i = 0; i < s->n; i++)
		if (!strcmp(s->id[i], id)) {
			s->from[i] |= (unsigned char)from;
			return 0;
		}
	if (s->n == IDS_MAX || !(s->id[s->n] = strdup(id)))
		return -1;
	s->where[s->n] = where;
	s->from[s->n] = (unsigned char)from;
	s->n++;
	return 0;
}

static void idset_free(struct idset *s)
{
	for (int i = 0; i < s->n; i++)
		free(s->id[i]);
	s->n = 0;
}

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

static const char *skip_space(const char *p)
{
	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' ||
		       (p[0] == '\\' && p[1] == '\n'))
			p += *p == '\\' ? 2 : 1;
		if (p[0] == '/' && p[1] == '*') {
			const char *e = strstr(p + 2, "*/");
			if (!e)
				return p;
			p = e + 2;
		} else {
			return p;
		}
	}
}

static int utf8_encode(char *out, unsigned long c)
{
	if (c < 0x80) {
		out[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		out[0] = (char)(0xC0 | c >> 6);
		out[1] = (char)(0x80 | (c & 0x3F));
		return 2;
	}
	if (c >= 0xD800 && c < 0xE000)
		return 0;
	if (c < 0x10000) {
		out[0] = (char)(0xE0 | c >> 12);
		out[1] = (char)(0x80 | (c >> 6 & 0x3F));
		out[2] = (char)(0x80 | (c & 0x3F));
		return 3;
	}
	if (c > 0x10FFFF)
		return 0;
	out[0] = (char)(0xF0 | c >> 18);
	out[1] = (char)(0x80 | (c >> 12 & 0x3F));
	out[2] = (char)(0x80 | (c >> 6 & 0x3F));
	out[3] = (char)(0x80 | (c & 0x3F));
	return 4;
}

/* Reads one or more adjacent C string literals at p into out. Returns the
 * position after them, or NULL when p is not a plain literal. */
static const char *c_literals(const char *p, char *out, size_t outlen)
{
	size_t n = 0;

	p = skip_space(p);
	if (*p != '"')
		return NULL;
	while (*p == '"') {
		p++;
		while (*p && *p != '"') {
			char c = *p++;
			if (c == '\n')
				return NULL;
			if (c == '\\') {
				c = *p++;
				switch (c) {
				case 'n': c = '\n'; break;
				case 't': c = '\t'; break;
				case '"': case '\\': case '\'': break;
				case 'u': case 'U': {
					/* a universal character name, as UTF-8 */
					unsigned long v = 0;
					int digits = c == 'u' ? 4 : 8;
					char u8[4];
					int k;
					for (k = 0; k < digits; k++) {
						char d = p[k];
						if (!((d >= '0' && d <= '9') ||
						      (d >= 'a' && d <= 'f') ||
						      (d >= 'A' && d <= 'F')))
							return NULL;
						v = v * 16 + (unsigned long)(d <= '9' ?
							d - '0' : (d | 0x20) - 'a' + 10);
					}
					p += digits;
					k = utf8_encode(u8, v);
					if (!k || n + (size_t)k >= outlen)
						return NULL;
					memcpy(out + n, u8, (size_t)k);
					n += (size_t)k;
					continue;
				}
				case 'x': {
					unsigned v = 0;
					int k = 0;
					while (k < 2 && ((*p >= '0' && *p <= '9') ||
							 (*p >= 'a' && *p <= 'f') ||
							 (*p >= 'A' && *p <= 'F'))) {
						v = v * 16 + (unsigned)(*p <= '9' ?
							*p - '0' : (*p | 0x20) - 'a' + 10);
						p++;
						k++;
					}
					c = (char)v;
					break;
				}
				default: return NULL;
				}
			}
			if (n + 1 >= outlen)
				return NULL;
			out[n++] = c;
		}
		if (*p != '"')
			return NULL;
		p = skip_space(p + 1);
	}
	out[n] = '\0';
	return p;
}

static int is_ident(char c)
{
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9');
}

/* Adds the msgids marked in src. Returns how many marks could not be read
 * (literals mixed with other tokens: the check cannot see the msgid). A
 * mark without any literal takes its msgid from the configuration. */
static int extract(struct idset *ids, const char *file, const char *src)
{
	int bad = 0;

	for (const char *p = src; (p = strstr(p, "_(")); p += 2) {
		char id[I18N_STRING_MAX];
		const char *start = p, *q;
		if (start > src && start[-1] == 'N')
			start--;
		if (start > src && is_ident(start[-1]))
			continue;
		if (*skip_space(p + 2) == ')')
			continue; /* "_()" named in a comment */
		if (*skip_space(p + 2) != '"') {
			/* a msgid from the configuration, such as _(s->group):
			 * covered by the site.conf names below */
			fprintf(stderr, "%s: not a literal, not checked: "
				"\"%.30s\"\n", file, p);
			continue;
		}
		q = c_literals(p + 2, id, sizeof id);
		if (!q || *q != ')') {
			fprintf(stderr, "%s: _( with more than literals near "
				"\"%.40s\"\n", file, p);
			bad++;
			continue;
		}
		if (idset_add(ids, id, file, FROM_CODE) < 0)
			bad++;
	}
	return bad;
}

static int extract_folder(struct idset *ids, const char *dir,
			  const char *label)
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
			CHECK_INT(extract(ids, label, src), 0);
		free(src);
		files++;
	}
	closedir(d);
	return files;
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
		if (len < 4 || len > 10 || strcmp(e->d_name + len - 3, ".po"))
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		text = slurp(path, &tlen);
		CHECK(text != NULL);
		if (!text)
			continue;
		memset(&cats[n], 0, sizeof cats[n]);
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

/* Is every "{word}" of a in b? Returns the first one missing, or NULL;
 * the placeholder is copied to out. */
static const char *placeholder_missing(const char *a, const char *b,
				       char *out, size_t outlen)
{
	for (const char *p = a; (p = strchr(p, '{')); p++) {
		const char *e = p + 1;
		size_t n;
		while (is_ident(*e))
			e++;
		if (*e != '}' || e == p + 1)
			continue;
		n = (size_t)(e - p + 1);
		if (n >= outlen)
			continue;
		memcpy(out, p, n);
		out[n] = '\0';
		if (!strstr(b, out))
			return out;
	}
	return NULL;
}

/* The check itself: returns the number of problems, each printed. */
static int check_catalogs(const struct idset *ids,
			  const struct i18n_catalog *cats, int n_cats)
{
	int problems = 0;

	for (int i = 0; i < ids->n; i++) {
		const char *id = ids->id[i];
		for (int c = 0; c < n_cats; c++) {
			const char *tr = i18n_catalog_lookup(&cats[c], id);
			char ph[64];
			/* a German name from the configuration is German */
			if (!tr && (ids->from[i] & (FROM_SITE | FROM_CODE)) ==
					   FROM_SITE && !strcmp(cats[c].lang, "de"))
				continue;
			if (!tr) {
				fprintf(stderr, "%s: \"%s\" has no translation "
					"(used in %s)\n", cats[c].lang, id,
					ids->where[i]);
				problems++;
				continue;
			}
			if (placeholder_missing(id, tr, ph, sizeof ph)) {
				fprintf(stderr, "%s: \"%s\" lacks %s in \"%s\"\n",
					cats[c].lang, id, ph, tr);
				problems++;
			}
			if (placeholder_missing(tr, id, ph, sizeof ph)) {
				fprintf(stderr, "%s: \"%s\" has unknown %s in "
					"\"%s\"\n", cats[c].lang, id, ph, tr);
				problems++;
			}
		}
	}
	return problems;
}

/* The German texts of the [service ...] sections (name = , group = ) of
 * a site configuration are msgids; name.LANG overrides are not. Returns
 * the number of services seen. */
static int site_names(struct idset *ids, const char *path)
{
	size_t len = 0;
	char *text = slurp(path, &len), *line, *save = NULL;
	int in_service = 0, services = 0;

	if (!text)
		return -1;
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *eq, *k, *v, *end;
		line += strspn(line, " \t");
		if (*line == '[') {
			in_service = !strncmp(line, "[service ", 9);
			services += in_service;
			continue;
		}
		if (!in_service || *line == '#' || !(eq = strchr(line, '=')))
			continue;
		k = line;
		for (end = eq; end > k && (end[-1] == ' ' || end[-1] == '\t');)
			end--;
		*end = '\0';
		v = eq + 1 + strspn(eq + 1, " \t");
		for (end = v + strlen(v); end > v && (end[-1] == ' ' ||
			end[-1] == '\t' || end[-1] == '\r');)
			end--;
		*end = '\0';
		if ((!strcmp(k, "name") || !strcmp(k, "group")) && *v)
			CHECK(idset_add(ids, v, "assets/site.conf", FROM_SITE) ==
			      0);
	}
	free(text);
	return services;
}

static void test_all_translated(void)
{
	static struct idset ids;
	struct i18n_catalog cats[LANGS_MAX];
	int n = load_catalogs(cats, LANGS_MAX);

	for (size_t r = 0; r < sizeof required / sizeof required[0]; r++) {
		int found = 0;
		for (int c = 0; c < n; c++)
			found |= !strcmp(cats[c].lang, required[r]);
		if (!found) {
			fprintf(stderr, "%s.po is missing\n", required[r]);
			check_fail(__FILE__, __LINE__, "a language is missing");
		}
	}
	CHECK(extract_folder(&ids, BK_SOURCE_DIR "/ui", "ui/*.c") > 3);
	CHECK(extract_folder(&ids, BK_SOURCE_DIR "/firmware",
			     "firmware/*.c") > 3);
	CHECK(ids.n > 20);
	for (int c = 0; c < n; c++)
		for (size_t k = 0; k < cats[c].n; k++)
			CHECK(idset_add(&ids, cats[c].entries[k].msgid,
					"a .po file", FROM_PO) == 0);
	CHECK(site_names(&ids, BK_SOURCE_DIR "/assets/site.conf") > 0);
	CHECK_INT(check_catalogs(&ids, cats, n), 0);
	idset_free(&ids);
	for (int c = 0; c < n; c++)
		i18n_catalog_free(&cats[c]);
}

/* The check must be able to fail: a missing entry, an empty one, a lost
 * and an invented placeholder, and a mark it cannot read. */
static void test_check_fails(void)
{
	static const char src[] =
		"a = _(\"Back\"); b = N_(\"Ahead: {n}\"); c = _(\"Two \"\n"
		"\t\"parts\"); d = _(\"Empty\"); e = _(x); f = my_(\"no\");\n"
		"h = _(\"Half\" x);\n"
		"i = _(\"Tick \\u2713\");\n"
		"#define M N_(\"Long \" \\\n\t\"macro\")\n"
		"g = _(\"In {a}\");";
	static const char po[] =
		"msgid \"Back\"\nmsgstr \"Zur\xc3\xbc" "ck\"\n"
		"msgid \"Ahead: {n}\"\nmsgstr \"Vor Ihnen\"\n"
		"msgid \"Empty\"\nmsgstr \"\"\n"
		"msgid \"In {a}\"\nmsgstr \"In {a} {b}\"\n";
	static struct idset ids;
	struct i18n_catalog cat;
	char err[256];

	REQUIRE(i18n_catalog_parse(&cat, "t.po", po, strlen(po), err,
				   sizeof err) == 0);
	snprintf(cat.lang, sizeof cat.lang, "xx");
	/* _(x) comes from the configuration; _("a" x) cannot be read */
	CHECK_INT(extract(&ids, "synthetic.c", src), 1);
	CHECK_INT(ids.n, 7);
	CHECK(ids.n >= 3 && !strcmp(ids.id[2], "Two parts"));
	CHECK(ids.n >= 5 && !strcmp(ids.id[4], "Tick \xe2\x9c\x93"));
	CHECK(ids.n >= 6 && !strcmp(ids.id[5], "Long macro"));
	/* "Two parts", "Empty", "Long macro" and "Tick ✓" untranslated, {n}
	 * lost, {b} invented */
	CHECK_INT(check_catalogs(&ids, &cat, 1), 6);
	idset_free(&ids);
	i18n_catalog_free(&cat);
}

int main(void)
{
	static const struct check_test tests[] = {
		{ "all_translated", test_all_translated },
		{ "check_fails", test_check_fails },
		{ NULL, NULL },
	};
	return check_main(tests);
}
