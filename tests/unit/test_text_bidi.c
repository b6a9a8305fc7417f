/*
 * test_text_bidi.c — what a reader sees of mixed-direction text: rendered
 * with Debian's real fonts on a software renderer, read back as pixels.
 *
 * An Arabic sentence is right-aligned and starts at the right; a ticket
 * number or a German street name inside it is not reversed; Arabic letters
 * are joined; wrapped right-to-left text keeps its first words on the
 * first line; no character of any translation lacks a glyph in the font
 * chain; large-text mode makes text larger; widget_mirror flips a screen.
 *
 * TEXT_BIDI_PNG=DIR writes the images looked at, for a human to check.
 */
#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "firmware/i18n.h"
#include "ui/png.h"
#include "ui/text.h"
#include "ui/widget.h"

#define DEJAVU "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
#define DEJAVU_BOLD "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
#define NOTO_ARABIC "/usr/share/fonts/truetype/noto/NotoSansArabic-Regular.ttf"
#define NOTO_ARABIC_BOLD "/usr/share/fonts/truetype/noto/NotoSansArabic-Bold.ttf"

#define CANVAS_W 1080
#define CANVAS_H 400

/* "رقمك هو A 017": "your number is A 017" */
#define AR_NUMBER "\xd8\xb1\xd9\x82\xd9\x85\xd9\x83 \xd9\x87\xd9\x88 A 017"

static SDL_Surface *canvas;
static SDL_Renderer *rend;
static struct text *txt;

static const struct text_style plain = { .size = 40,
					 .color = { 0, 0, 0, 255 } };

/* Ink (0 = paper, 255 = black) of a w×h image. */
struct ink {
	int w, h;
	unsigned char *px;
};

static void ink_free(struct ink *k)
{
	free(k->px);
	k->px = NULL;
}

static void dump(const char *name)
{
	const char *dir = getenv("TEXT_BIDI_PNG");
	unsigned char *rgb;
	char path[512], err[256];

	if (!dir)
		return;
	rgb = malloc((size_t)CANVAS_W * CANVAS_H * 3);
	if (!rgb)
		return;
	SDL_LockSurface(canvas);
	for (int y = 0; y < CANVAS_H; y++)
		for (int x = 0; x < CANVAS_W; x++) {
			Uint32 p = ((Uint32 *)((Uint8 *)canvas->pixels +
					       y * canvas->pitch))[x];
			unsigned char *o = rgb + ((size_t)y * CANVAS_W + x) * 3;
			o[0] = (unsigned char)(p >> 16);
			o[1] = (unsigned char)(p >> 8);
			o[2] = (unsigned char)p;
		}
	SDL_UnlockSurface(canvas);
	snprintf(path, sizeof path, "%s/%s.png", dir, name);
	uipng_write_rgb(path, rgb, CANVAS_W, CANVAS_H, CANVAS_W * 3, err,
			sizeof err);
	free(rgb);
}

static void clear(void)
{
	SDL_SetRenderDrawColor(rend, 255, 255, 255, 255);
	SDL_RenderClear(rend);
}

/* The ink of the canvas region r. */
static struct ink read_ink(SDL_Rect r)
{
	struct ink k = { r.w, r.h, malloc((size_t)r.w * r.h) };

	SDL_RenderPresent(rend);
	SDL_LockSurface(canvas);
	for (int y = 0; k.px && y < r.h; y++)
		for (int x = 0; x < r.w; x++) {
			Uint32 p = ((Uint32 *)((Uint8 *)canvas->pixels +
					       (r.y + y) * canvas->pitch))[r.x + x];
			k.px[y * r.w + x] = (unsigned char)(255 - (p & 0xFF));
		}
	SDL_UnlockSurface(canvas);
	return k;
}

/* Draws s at (0,0) and returns the ink of its texture. */
static struct ink draw(const char *s, const struct text_style *st,
		       const char *name)
{
	struct ink k = { 0, 0, NULL };
	SDL_Texture *tex;
	int w, h;

	clear();
	tex = text_get(txt, s, st, &w, &h);
	if (!tex || w > CANVAS_W || h > CANVAS_H)
		return k;
	SDL_RenderCopy(rend, tex, NULL, &(SDL_Rect){ 0, 0, w, h });
	dump(name);
	return read_ink((SDL_Rect){ 0, 0, w, h });
}

static int col_has_ink(const struct ink *k, int x)
{
	for (int y = 0; y < k->h; y++)
		if (k->px[y * k->w + x] > 96)
			return 1;
	return 0;
}

/* Leftmost and rightmost inked columns, -1 when blank. */
static void ink_span(const struct ink *k, int *x0, int *x1)
{
	*x0 = *x1 = -1;
	for (int x = 0; x < k->w; x++)
		if (col_has_ink(k, x)) {
			if (*x0 < 0)
				*x0 = x;
			*x1 = x;
		}
}

/* Share of equal pixels (±24) between a's region at (ax, ay) and b's at
 * (bx, by), w×h. */
static double same_pixels(const struct ink *a, int ax, int ay,
			  const struct ink *b, int bx, int by, int w, int h)
{
	long same = 0, all = 0;

	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++) {
			int pa, pb;
			if (ax + x >= a->w || ay + y >= a->h || bx + x >= b->w ||
			    by + y >= b->h)
				continue;
			pa = a->px[(ay + y) * a->w + ax + x];
			pb = b->px[(by + y) * b->w + bx + x];
			if (!pa && !pb)
				continue; /* paper in both: says nothing */
			all++;
			same += abs(pa - pb) <= 24;
		}
	return all ? (double)same / (double)all : 0.0;
}

static int find_run(const struct text_run *runs, int n, const char *s,
		    const char *part)
{
	const char *p = strstr(s, part);

	for (int i = 0; p && i < n; i++)
		if (runs[i].byte_start <= p - s &&
		    runs[i].byte_start + runs[i].byte_len >=
			    (int)(p - s + (long)strlen(part)))
			return i;
	return -1;
}

/* How well the left-to-right run holding part of s matches part drawn
 * alone (1.0 = identical pixels). */
static double embedded_match(const char *s, const char *part,
			     const char *alone_text)
{
	struct text_run runs[32], alone_runs[8];
	int n = text_layout_runs(txt, s, &plain, runs, 32);
	int na = text_layout_runs(txt, alone_text, &plain, alone_runs, 8);
	int i = find_run(runs, n, s, part);
	struct ink mixed, alone;
	double m;

	if (i < 0 || na != 1 || runs[i].rtl)
		return 0.0;
	mixed = draw(s, &plain, "embedded-mixed");
	alone = draw(alone_text, &plain, "embedded-alone");
	m = mixed.px && alone.px ?
		    same_pixels(&mixed, runs[i].x, runs[i].y, &alone,
				alone_runs[0].x, alone_runs[0].y,
				alone_runs[0].w, alone_runs[0].h) :
		    0.0;
	ink_free(&mixed);
	ink_free(&alone);
	return m;
}

/* ---- tests ---------------------------------------------------------- */

static void test_number_in_arabic(void)
{
	struct text_run runs[16];
	int n = text_layout_runs(txt, AR_NUMBER, &plain, runs, 16);
	int latin = find_run(runs, n, AR_NUMBER, "A 017");
	int arabic = find_run(runs, n, AR_NUMBER, "\xd8\xb1\xd9\x82");

	CHECK(text_is_rtl(AR_NUMBER));
	REQUIRE(n >= 2 && n <= 16 && latin >= 0 && arabic >= 0);
	/* visual order: the Latin run left of the Arabic words */
	CHECK(runs[latin].x + runs[latin].w <= runs[arabic].x);
	CHECK(!runs[latin].rtl);
	CHECK(runs[arabic].rtl);
	CHECK(strstr(text_chain_font(txt, runs[arabic].font), "Arabic"));
	/* "A 017" is drawn as itself, not as "710 A" */
	CHECK(embedded_match(AR_NUMBER, "A 017", "A 017") > 0.97);
	CHECK(embedded_match(AR_NUMBER, "A 017", "A 710") < 0.9);
	CHECK_INT(text_missing_glyphs(txt, AR_NUMBER, 0, NULL), 0);
}

static void test_street_in_arabic(void)
{
	/* "يرجى الذهاب إلى Bahnhofstraße 12 من فضلك" */
	static const char s[] =
		"\xd9\x8a\xd8\xb1\xd8\xac\xd9\x89 \xd8\xa7\xd9\x84\xd8\xb0"
		"\xd9\x87\xd8\xa7\xd8\xa8 \xd8\xa5\xd9\x84\xd9\x89 "
		"Bahnhofstra\xc3\x9f" "e 12 \xd9\x85\xd9\x86 \xd9\x81\xd8\xb6"
		"\xd9\x84\xd9\x83";
	struct text_run runs[16];
	int n = text_layout_runs(txt, s, &plain, runs, 16);
	int street = find_run(runs, n, s, "Bahnhofstra");
	int first = find_run(runs, n, s, "\xd9\x8a\xd8\xb1");
	int last = find_run(runs, n, s, "\xd9\x81\xd8\xb6");

	REQUIRE(n > 0 && n <= 16 && street >= 0 && first >= 0 && last >= 0);
	/* the sentence reads from the right: its first word rightmost, the
	 * street in the middle, the last words at the left */
	CHECK(runs[first].x > runs[street].x);
	CHECK(runs[street].x > runs[last].x);
	CHECK(embedded_match(s, "Bahnhofstra\xc3\x9f" "e 12",
			     "Bahnhofstra\xc3\x9f" "e 12") > 0.97);
}

/* "ا بببب": the first letter (alef, a thin stroke) must be at the right,
 * and the four joined behs much narrower than four separate ones. */
static void test_arabic_shaped_rtl(void)
{
	static const char s[] = "\xd8\xa7 \xd8\xa8\xd8\xa8\xd8\xa8\xd8\xa8";
	struct ink k = draw(s, &plain, "arabic-shaped");
	int x0, x1, gap = -1, w4, w1, h;

	REQUIRE(k.px);
	ink_span(&k, &x0, &x1);
	REQUIRE(x0 >= 0);
	/* the blank column nearest the right end separates alef from behs */
	for (int x = x1; x > x0; x--)
		if (!col_has_ink(&k, x)) {
			gap = x;
			break;
		}
	CHECK(gap > x0);
	CHECK(x1 - gap < (x1 - x0) / 4);
	ink_free(&k);
	REQUIRE(text_measure(txt, "\xd8\xa8\xd8\xa8\xd8\xa8\xd8\xa8", &plain,
			     &w4, &h) == 0);
	REQUIRE(text_measure(txt, "\xd8\xa8", &plain, &w1, &h) == 0);
	CHECK(w4 * 10 < w1 * 4 * 8);
}

/* A paragraph of Arabic wrapped at 420 px: lines end at the right edge,
 * the first words are on the first line. */
static void test_arabic_wrapped(void)
{
	/* "يرجى سحب رقم الانتظار هنا ثم الانتظار حتى يتم استدعاء رقمك" */
	static const char s[] =
		"\xd9\x8a\xd8\xb1\xd8\xac\xd9\x89 \xd8\xb3\xd8\xad\xd8\xa8 "
		"\xd8\xb1\xd9\x82\xd9\x85 \xd8\xa7\xd9\x84\xd8\xa7\xd9\x86\xd8"
		"\xaa\xd8\xb8\xd8\xa7\xd8\xb1 \xd9\x87\xd9\x86\xd8\xa7 \xd8\xab"
		"\xd9\x85 \xd8\xa7\xd9\x84\xd8\xa7\xd9\x86\xd8\xaa\xd8\xb8\xd8"
		"\xa7\xd8\xb1 \xd8\xad\xd8\xaa\xd9\x89 \xd9\x8a\xd8\xaa\xd9\x85 "
		"\xd8\xa7\xd8\xb3\xd8\xaa\xd8\xaf\xd8\xb9\xd8\xa7\xd8\xa1 \xd8"
		"\xb1\xd9\x82\xd9\x85\xd9\x83";
	struct text_style st = plain;
	struct text_run runs[64];
	int n, lines = 0, w, h;
	struct ink k;

	st.wrap = 420;
	n = text_layout_runs(txt, s, &st, runs, 64);
	REQUIRE(n > 0 && n <= 64);
	REQUIRE(text_measure(txt, s, &st, &w, &h) == 0);
	CHECK(w <= 420);
	for (int i = 0; i < n; i++)
		if (runs[i].line + 1 > lines)
			lines = runs[i].line + 1;
	CHECK(lines >= 3);
	for (int i = 0; i < n; i++) {
		/* logical order across lines: line 0 holds the first words */
		if (runs[i].start == 0)
			CHECK_INT(runs[i].line, 0);
		if (runs[i].byte_start + runs[i].byte_len == (int)strlen(s))
			CHECK_INT(runs[i].line, lines - 1);
	}
	k = draw(s, &st, "arabic-wrapped");
	REQUIRE(k.px);
	/* every line's ink ends near the right edge */
	for (int l = 0; l < lines; l++) {
		int right = -1, y0 = -1, y1 = -1;
		for (int i = 0; i < n; i++)
			if (runs[i].line == l) {
				int e = runs[i].x + runs[i].w;
				right = e > right ? e : right;
				y0 = runs[i].y;
				y1 = runs[i].y + runs[i].h;
			}
		CHECK(right >= k.w - 2);
		(void)y0;
		(void)y1;
	}
	ink_free(&k);
}

static void test_ltr_wrapped(void)
{
	static const char s[] =
		"Der Beleg konnte nicht gedruckt werden. Bitte merken Sie "
		"sich Ihre Nummer.";
	struct text_style st = plain;
	struct text_run runs[32];
	int n, w, h, h1;

	st.wrap = 500;
	REQUIRE(text_measure(txt, s, &st, &w, &h) == 0);
	CHECK(w <= 500);
	CHECK(w > 300);
	st.wrap = 0;
	REQUIRE(text_measure(txt, s, &st, &w, &h1) == 0);
	CHECK(w > 500);
	CHECK(h >= 2 * h1);
	st.wrap = 500;
	n = text_layout_runs(txt, s, &st, runs, 32);
	REQUIRE(n > 1 && n <= 32);
	CHECK_INT(runs[0].x, 0);    /* left-aligned */
	CHECK_INT(runs[0].start, 0);
	CHECK(!text_is_rtl(s));
	/* a single word wider than the line is cut, not drawn past it */
	st.wrap = 120;
	REQUIRE(text_measure(txt, "Meldebescheinigung", &st, &w, &h) == 0);
	CHECK(w <= 120);
	CHECK(h >= 2 * h1);
}

static void test_turkish_ukrainian_glyphs(void)
{
	static const char *const s[] = {
		"\xc4\x9f \xc5\x9f \xc4\xb1 \xc4\xb0 \xc3\xa7 \xc3\xb6 \xc3\xbc "
		"\xc4\x9e \xc5\x9e \xc3\x87 \xc3\x96 \xc3\x9c", /* ğ ş ı İ ... */
		"\xd0\x87 \xd1\x97 \xd0\x84 \xd1\x94 \xd2\x90 \xd2\x91 \xd0\x86 "
		"\xd1\x96 \xd0\x96\xd0\xb8\xd1\x82\xd0\xbe\xd0\xbc\xd0\xb8\xd1"
		"\x80", /* Ї ї Є є Ґ ґ І і Житомир */
		"\xe2\x82\xac \xe2\x80\xa6 \xc2\xb7 \xe2\x80\x9e\xe2\x80\x9c", /* € … · „“ */
	};

	for (size_t i = 0; i < sizeof s / sizeof s[0]; i++)
		for (int bold = 0; bold < 2; bold++)
			CHECK_INT(text_missing_glyphs(txt, s[i], bold, NULL),
				  0);
	/* the check can fail: a private-use character has no glyph */
	{
		uint32_t first = 0;
		CHECK_INT(text_missing_glyphs(txt, "a\xee\x80\x80 b", 0,
					      &first), 1);
		CHECK_INT(first, 0xE000);
	}
}

/* Every msgstr of every catalogue draws without a box. */
static void test_catalogues_have_glyphs(void)
{
	static const char *dir = BK_SOURCE_DIR "/assets/i18n";
	DIR *d = opendir(dir);
	struct dirent *e;
	int files = 0;

	REQUIRE(d);
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);
		struct i18n_catalog cat = { 0 };
		char path[1024], err[256], *buf = NULL;
		long sz;
		FILE *f;
		if (len < 4 || strcmp(e->d_name + len - 3, ".po"))
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		f = fopen(path, "rb");
		CHECK(f != NULL);
		if (!f)
			continue;
		if (fseek(f, 0, SEEK_END) == 0 && (sz = ftell(f)) >= 0 &&
		    fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)sz + 1)) &&
		    fread(buf, 1, (size_t)sz, f) == (size_t)sz) {
			if (i18n_catalog_parse(&cat, path, buf, (size_t)sz, err,
					       sizeof err) < 0)
				check_fail(__FILE__, __LINE__, err);
		}
		fclose(f);
		free(buf);
		for (size_t i = 0; i < cat.n; i++)
			for (int bold = 0; bold < 2; bold++) {
				uint32_t c = 0;
				if (!text_missing_glyphs(txt, cat.entries[i].msgstr,
							 bold, &c))
					continue;
				fprintf(stderr, "%s: U+%04X missing in \"%s\"\n",
					e->d_name, (unsigned)c,
					cat.entries[i].msgstr);
				check_fail(__FILE__, __LINE__, "missing glyph");
			}
		i18n_catalog_free(&cat);
		files++;
	}
	closedir(d);
	CHECK(files >= 2);
}

/* Every text of the shipped forms (labels, help, options in five
 * languages) draws without a box. Returns the strings looked at. */
static int json_glyphs(json_t *j, const char *file)
{
	const char *key;
	json_t *v;
	size_t i;
	int n = 0;

	if (json_is_string(j)) {
		uint32_t c = 0;
		if (text_missing_glyphs(txt, json_string_value(j), 0, &c) ||
		    text_missing_glyphs(txt, json_string_value(j), 1, &c)) {
			fprintf(stderr, "%s: U+%04X missing in \"%s\"\n", file,
				(unsigned)c, json_string_value(j));
			check_fail(__FILE__, __LINE__, "missing glyph");
		}
		return 1;
	}
	json_object_foreach(j, key, v)
		n += json_glyphs(v, file);
	json_array_foreach(j, i, v)
		n += json_glyphs(v, file);
	return n;
}

static void test_forms_have_glyphs(void)
{
	static const char *dir = BK_SOURCE_DIR "/assets/forms";
	DIR *d = opendir(dir);
	struct dirent *e;
	int strings = 0;

	if (!d)
		return; /* no forms shipped */
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);
		char path[1024];
		json_error_t jerr;
		json_t *j;
		if (len < 6 || strcmp(e->d_name + len - 5, ".json"))
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		j = json_load_file(path, 0, &jerr);
		if (!j) {
			fprintf(stderr, "%s: %s\n", path, jerr.text);
			check_fail(__FILE__, __LINE__, "form does not parse");
			continue;
		}
		strings += json_glyphs(j, e->d_name);
		json_decref(j);
	}
	closedir(d);
	CHECK(strings > 0);
}

/* The configured font lacks Latin letters: the chain supplies them. */
static void test_fallback_chain(void)
{
	struct text *t;
	struct text_run runs[8];
	char err[256];
	int n;

	t = text_create(rend, NOTO_ARABIC, NOTO_ARABIC_BOLD, err, sizeof err);
	REQUIRE(t);
	CHECK(strstr(text_chain_font(t, 0), "Arabic") != NULL);
	CHECK(text_chain_font(t, 1) != NULL);
	CHECK_INT(text_missing_glyphs(t, "Stra\xc3\x9f" "e \xc4\x9f \xd0\x87",
				      0, NULL), 0);
	n = text_layout_runs(t, "Hallo", &plain, runs, 8);
	CHECK_INT(n, 1);
	if (n == 1)
		CHECK(runs[0].font != 0);
	text_destroy(t);
	t = text_create(rend, "/nonexistent/font.ttf", DEJAVU_BOLD, err,
			sizeof err);
	CHECK(!t);
	CHECK(strstr(err, "/nonexistent/font.ttf") != NULL);
}

static void test_scale(void)
{
	int w1, h1, w2, h2;
	SDL_Texture *a, *b;

	REQUIRE(text_measure(txt, "Wartenummer ziehen", &plain, &w1, &h1) == 0);
	text_set_scale(txt, 1.5f);
	CHECK(text_get_scale(txt) > 1.49f);
	REQUIRE(text_measure(txt, "Wartenummer ziehen", &plain, &w2, &h2) == 0);
	CHECK(w2 > w1 * 14 / 10 && w2 < w1 * 16 / 10);
	CHECK(h2 > h1 * 14 / 10);
	a = text_get(txt, "Wartenummer ziehen", &plain, &w2, &h2);
	text_set_scale(txt, 1.0f);
	b = text_get(txt, "Wartenummer ziehen", &plain, &w1, &h1);
	CHECK(a != b);
	CHECK(w2 > w1);
	/* the cache answers a repeated request with the same texture */
	CHECK(text_get(txt, "Wartenummer ziehen", &plain, &w2, &h2) == b);
	text_set_scale(txt, 100.0f);
	CHECK(text_get_scale(txt) <= TEXT_SCALE_MAX);
	text_set_scale(txt, 1.0f);
}

/* Fitting text tries many sizes: more than TEXT_FONTS_MAX fonts open in
 * turn, and text still draws (the least recently used font is closed). */
static void test_many_sizes(void)
{
	struct text_style st = plain;
	int w, h, drawn = 0;

	for (int size = 10; size < 10 + 2 * TEXT_FONTS_MAX; size++) {
		st.size = size;
		st.bold = size & 1;
		drawn += text_get(txt, AR_NUMBER, &st, &w, &h) != NULL &&
			 h >= size;
	}
	CHECK_INT(drawn, 2 * TEXT_FONTS_MAX);
	CHECK(text_measure(txt, "Ihre Wartenummer", &plain, &w, &h) == 0 &&
	      w > 0);
}

static void test_align_resolve(void)
{
	CHECK_INT(text_align_resolve(AR_NUMBER, TEXT_LEFT), TEXT_RIGHT);
	CHECK_INT(text_align_resolve(AR_NUMBER, TEXT_CENTER), TEXT_CENTER);
	CHECK_INT(text_align_resolve("A 017", TEXT_LEFT), TEXT_LEFT);
	/* the first strong letter decides: Latin first is left to right */
	CHECK(!text_is_rtl("Bahnhofstra\xc3\x9f" "e \xd9\x87\xd9\x88"));
	CHECK(text_is_rtl("017 \xd9\x87\xd9\x88 A"));
	CHECK(!text_is_rtl("017 ..."));
}

/* Ink columns of the canvas within box. */
static void box_ink(SDL_Rect box, int *x0, int *x1)
{
	struct ink k = read_ink(box);

	*x0 = *x1 = -1;
	if (k.px)
		ink_span(&k, x0, x1);
	if (*x0 >= 0) {
		*x0 += box.x;
		*x1 += box.x;
	}
	ink_free(&k);
}

/* A label with default alignment: Arabic text sits at the right of its
 * box, German at the left; widget_mirror() moves boxes and flips. */
static void test_widget_alignment(void)
{
	struct widget *root = widget_create(NULL, WIDGET_BOX, "root", 0, 0,
					    CANVAS_W, CANVAS_H);
	struct widget *ar, *de;
	int x0, x1;

	REQUIRE(root);
	ar = widget_create(root, WIDGET_LABEL, "ar", 40, 20, 1000, 80);
	de = widget_create(root, WIDGET_LABEL, "de", 40, 120, 600, 80);
	REQUIRE(ar && de);
	ar->style = plain;
	de->style = plain;
	widget_set_text(ar, AR_NUMBER);
	widget_set_text(de, "Ihre Wartenummer");
	clear();
	widget_draw(root, rend, txt);
	dump("widget-unmirrored");
	box_ink(ar->rect, &x0, &x1);
	CHECK(x1 >= 1040 - 12 && x0 > 540);
	box_ink(de->rect, &x0, &x1);
	CHECK(x0 >= 40 && x0 < 40 + 12 && x1 < 500);

	widget_mirror(root, CANVAS_W);
	CHECK_INT(ar->rect.x, CANVAS_W - 40 - 1000);
	CHECK_INT(de->rect.x, CANVAS_W - 40 - 600);
	CHECK_INT(de->style.align, TEXT_RIGHT);
	CHECK_INT(root->rect.x, 0);
	clear();
	widget_draw(root, rend, txt);
	dump("widget-mirrored");
	box_ink(ar->rect, &x0, &x1);
	CHECK(x1 >= CANVAS_W - 40 - 12);
	box_ink(de->rect, &x0, &x1);
	CHECK(x1 >= CANVAS_W - 40 - 12 && x0 > 440 + 100);
	/* twice is the original layout */
	widget_mirror(root, CANVAS_W);
	CHECK_INT(de->rect.x, 40);
	CHECK_INT(de->style.align, TEXT_LEFT);
	widget_destroy(root);
}

int main(void)
{
	static const struct check_test tests[] = {
		{ "number_in_arabic", test_number_in_arabic },
		{ "street_in_arabic", test_street_in_arabic },
		{ "arabic_shaped_rtl", test_arabic_shaped_rtl },
		{ "arabic_wrapped", test_arabic_wrapped },
		{ "ltr_wrapped", test_ltr_wrapped },
		{ "turkish_ukrainian_glyphs", test_turkish_ukrainian_glyphs },
		{ "catalogues_have_glyphs", test_catalogues_have_glyphs },
		{ "forms_have_glyphs", test_forms_have_glyphs },
		{ "fallback_chain", test_fallback_chain },
		{ "scale", test_scale },
		{ "many_sizes", test_many_sizes },
		{ "align_resolve", test_align_resolve },
		{ "widget_alignment", test_widget_alignment },
		{ NULL, NULL },
	};
	char err[256];
	int rc;

	SDL_setenv("SDL_VIDEODRIVER", "dummy", 1);
	if (SDL_Init(SDL_INIT_VIDEO) < 0)
		return 1;
	canvas = SDL_CreateRGBSurfaceWithFormat(0, CANVAS_W, CANVAS_H, 32,
						SDL_PIXELFORMAT_ARGB8888);
	rend = canvas ? SDL_CreateSoftwareRenderer(canvas) : NULL;
	txt = rend ? text_create(rend, DEJAVU, DEJAVU_BOLD, err, sizeof err)
		   : NULL;
	if (!txt) {
		fprintf(stderr, "setup: %s\n", rend ? err : SDL_GetError());
		return 1;
	}
	rc = check_main(tests);
	text_destroy(txt);
	SDL_DestroyRenderer(rend);
	SDL_FreeSurface(canvas);
	SDL_Quit();
	return rc;
}
