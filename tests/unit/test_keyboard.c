/*
 * test_keyboard.c — the layouts hold the letters a citizen needs, keys
 * are at least 15 mm on the default panel, typing by key ids gives the
 * expected text, and the text buffer never cuts or keeps a character.
 *
 * Prints the key sizes that docs/accessibility.md quotes:
 *   ctest -R unit.test_keyboard -V
 */
#include <SDL_ttf.h>
#include <stdio.h>
#include <string.h>

#include "tests/unit/check.h"
#include "ui/keyboard.h"
#include "ui/theme.h"

#define ACT 77
/* the keyboard area the screens use: full width, bottom of the screen */
#define KX 20
#define KY 1260
#define KW 1040
#define KH 560

static const struct keyboard_colors colors = {
	{ 255, 255, 255, 255 }, { 0, 0, 0, 255 }, { 100, 100, 100, 255 },
	{ 220, 220, 220, 255 }, { 0, 0, 0, 255 },
};

static int min_px(void)
{
	struct config cfg;

	config_defaults(&cfg);
	return theme_min_target_px(&cfg);
}

/* 1 when layout l has a key typing s (lower case). */
static int has_char(enum keyboard_layout l, const char *s)
{
	for (int i = 0; i < keyboard_key_count(l); i++) {
		const char *t = keyboard_key_utf8(l, 0, i);
		if (t && !strcmp(t, s))
			return 1;
	}
	return 0;
}

static int has_all(enum keyboard_layout l, const char *const *chars)
{
	int ok = 1;

	for (; *chars; chars++)
		if (!has_char(l, *chars)) {
			fprintf(stderr, "layout %s lacks '%s'\n",
				keyboard_layout_name(l), *chars);
			ok = 0;
		}
	return ok;
}

static void test_letters(void)
{
	static const char *const de[] = { "a", "z", "y", "ä", "ö", "ü", "ß",
					  "-", ".", ",", "0", "9", NULL };
	static const char *const tr[] = { "ç", "ğ", "ı", "i", "ö", "ş", "ü",
					  "q", "w", "x", "0", NULL };
	static const char *const uk[] = { "й", "ц", "ґ", "є", "і", "ї", "'",
					  "щ", "ь", "ю", "я", "ж", "х", NULL };
	static const char *const ar[] = {
		"ا", "ب", "ت", "ث", "ج", "ح", "خ", "د", "ذ", "ر", "ز", "س",
		"ش", "ص", "ض", "ط", "ظ", "ع", "غ", "ف", "ق", "ك", "ل", "م",
		"ن", "ه", "و", "ي", "ة", "ء", "ى", "ئ", "ؤ", "لا", NULL };
	static const char *const email[] = { "@", ".de", ".", "-", "_", "a",
					     "z", "0", NULL };
	static const char *const num[] = { "0", "1", "2", "3", "4", "5", "6",
					   "7", "8", "9", NULL };
	static const char *const phone[] = { "+", "0", "5", "9", NULL };

	CHECK(has_all(KB_DE, de));
	CHECK(has_all(KB_TR, tr));
	CHECK(has_all(KB_UK, uk));
	CHECK(has_all(KB_AR, ar));
	CHECK(has_all(KB_EMAIL, email));
	CHECK(has_all(KB_NUMERIC, num));
	CHECK(has_all(KB_PHONE, phone));
	/* Ukrainian has no Russian-only letters */
	CHECK(!has_char(KB_UK, "ы") && !has_char(KB_UK, "э") &&
	      !has_char(KB_UK, "ъ") && !has_char(KB_UK, "ё"));
	CHECK_INT(keyboard_layout_for_lang("uk"), KB_UK);
	CHECK_INT(keyboard_layout_for_lang("en"), KB_DE);
	CHECK_INT(keyboard_layout_for_lang("ar"), KB_AR);
	CHECK_INT(keyboard_layout_for_lang("tr"), KB_TR);
	CHECK_INT(keyboard_key(KB_DE, 0, 9999).kind, KEY_NONE);
	CHECK_INT(keyboard_key(KB_DE, 0, -1).kind, KEY_NONE);
}

static void test_capitals(void)
{
	int a = -1, ae = -1, i = -1, dotless = -1, ss = -1, g = -1;

	for (int k = 0; k < keyboard_key_count(KB_DE); k++) {
		const char *t = keyboard_key_utf8(KB_DE, 0, k);
		if (t && !strcmp(t, "a"))
			a = k;
		if (t && !strcmp(t, "ä"))
			ae = k;
		if (t && !strcmp(t, "ß"))
			ss = k;
	}
	for (int k = 0; k < keyboard_key_count(KB_TR); k++) {
		const char *t = keyboard_key_utf8(KB_TR, 0, k);
		if (t && !strcmp(t, "i"))
			i = k;
		if (t && !strcmp(t, "ı"))
			dotless = k;
	}
	for (int k = 0; k < keyboard_key_count(KB_UK); k++) {
		const char *t = keyboard_key_utf8(KB_UK, 0, k);
		if (t && !strcmp(t, "ґ"))
			g = k;
	}
	REQUIRE(a >= 0 && ae >= 0 && i >= 0 && dotless >= 0 && ss >= 0 &&
		g >= 0);
	CHECK_STR(keyboard_key_utf8(KB_DE, 1, a), "A");
	CHECK_STR(keyboard_key_utf8(KB_DE, 1, ae), "Ä");
	CHECK_STR(keyboard_key_utf8(KB_DE, 1, ss), "ß");
	CHECK_STR(keyboard_key_utf8(KB_TR, 1, i), "İ");
	CHECK_STR(keyboard_key_utf8(KB_TR, 1, dotless), "I");
	CHECK_STR(keyboard_key_utf8(KB_UK, 1, g), "Ґ");
	CHECK_STR(keyboard_key(KB_DE, 0, a).id, "key-a");
	CHECK_STR(keyboard_key(KB_DE, 1, ae).id, "key-u00e4");
	CHECK_STR(keyboard_key(KB_UK, 1, g).id, "key-u0491");
}

/* Every key: an id unique in its layout, made of [a-z0-9-], and a label
 * the screen font can draw (no box). */
static void test_ids_and_glyphs(void)
{
	TTF_Font *font;

	REQUIRE(TTF_Init() == 0);
	font = TTF_OpenFont("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
			    20);
	REQUIRE(font != NULL);
	for (int l = 0; l < KB_LAYOUT_COUNT; l++) {
		int n = keyboard_key_count((enum keyboard_layout)l);

		CHECK(n > 10 && n <= WIDGET_CHILDREN_MAX);
		for (int c = 0; c < 2; c++)
			for (int i = 0; i < n; i++) {
				struct keyboard_key k = keyboard_key(
					(enum keyboard_layout)l, c, i);
				const unsigned char *p =
					(const unsigned char *)k.label;

				CHECK(k.kind != KEY_NONE);
				CHECK(strspn(k.id, "abcdefghijklmnopqrstuvwxyz"
						   "0123456789-") ==
				      strlen(k.id));
				for (int j = 0; j < i; j++)
					if (!strcmp(keyboard_key(
						     (enum keyboard_layout)l,
						     c, j).id, k.id)) {
						fprintf(stderr, "%s: id %s "
							"twice\n",
							keyboard_layout_name(
							(enum keyboard_layout)l),
							k.id);
						CHECK(0);
					}
				while (*p) {
					Uint32 cp;
					int len = (*p < 0x80) ? 1
						: (*p < 0xe0) ? 2
						: (*p < 0xf0) ? 3 : 4;

					cp = len == 1 ? *p
					   : len == 2 ? (Uint32)(p[0] & 0x1f) << 6 | (p[1] & 0x3f)
					   : len == 3 ? (Uint32)(p[0] & 0x0f) << 12 | (Uint32)(p[1] & 0x3f) << 6 | (p[2] & 0x3f)
					   : (Uint32)(p[0] & 0x07) << 18 | (Uint32)(p[1] & 0x3f) << 12 | (Uint32)(p[2] & 0x3f) << 6 | (p[3] & 0x3f);
					if (!TTF_GlyphIsProvided32(font, cp)) {
						fprintf(stderr, "no glyph "
							"U+%04X\n", cp);
						CHECK(0);
					}
					p += len;
				}
			}
	}
	TTF_CloseFont(font);
	TTF_Quit();
}

static int overlap(const SDL_Rect *a, const SDL_Rect *b)
{
	return a->x < b->x + b->w && b->x < a->x + a->w &&
	       a->y < b->y + b->h && b->y < a->y + a->h;
}

/* Every layout at the screens' keyboard area: keys >= 15 mm, inside the
 * area, not overlapping, and a tap at a key's centre finds that key. */
static void test_sizes(void)
{
	int min = min_px();
	struct config cfg;

	config_defaults(&cfg);
	printf("keyboard area %dx%d px at %.3f px/mm, minimum %d px:\n", KW,
	       KH, theme_px_per_mm(&cfg), min);
	for (int l = 0; l < KB_LAYOUT_COUNT; l++) {
		struct widget *root = widget_create(NULL, WIDGET_BOX, "root", 0,
						    0, 1080, 1920);
		struct keyboard kb;
		struct widget *box;
		int kw_min = 10000, kh_min = 10000;

		REQUIRE(root);
		keyboard_init(&kb, (enum keyboard_layout)l, ACT);
		box = keyboard_build(root, &kb, KX, KY, KW, KH, min, &colors);
		REQUIRE(box != NULL);
		CHECK_STR(box->id, "keyboard");
		/* German alone leaves its layout key out */
		CHECK_INT(box->n_children,
			  keyboard_key_count((enum keyboard_layout)l) -
				  (l == KB_DE));
		CHECK((widget_find(box, "key-layout") != NULL) ==
		      (l == KB_TR || l == KB_UK || l == KB_AR));
		for (int i = 0; i < box->n_children; i++) {
			struct widget *k = box->children[i];
			SDL_Rect r = k->rect;

			CHECK(r.w >= min && r.h >= min);
			CHECK(r.x >= KX && r.y >= KY && r.x + r.w <= KX + KW &&
			      r.y + r.h <= KY + KH);
			CHECK_INT(k->action, ACT);
			CHECK(widget_at(root, r.x + r.w / 2, r.y + r.h / 2) ==
			      k);
			for (int j = 0; j < i; j++)
				CHECK(!overlap(&r, &box->children[j]->rect));
			if (r.w < kw_min)
				kw_min = r.w;
			if (r.h < kh_min)
				kh_min = r.h;
		}
		printf("  %-8s %2d keys, smallest %3d x %3d px = %.1f x %.1f mm\n",
		       keyboard_layout_name((enum keyboard_layout)l),
		       box->n_children, kw_min, kh_min,
		       kw_min / theme_px_per_mm(&cfg),
		       kh_min / theme_px_per_mm(&cfg));
		/* too small an area is refused, nothing added */
		CHECK(keyboard_build(root, &kb, KX, 100, KW, 250, min,
				     &colors) == NULL);
		CHECK(keyboard_build(root, &kb, KX, 100, 150, KH, min,
				     &colors) == NULL);
		CHECK_INT(root->n_children, 1);
		widget_destroy(root);
	}
}

/* Types by key id, as a script taps. */
static enum keyboard_result tap(struct widget *box, struct keyboard *kb,
				struct textbuf *tb, const char *id)
{
	struct widget *w = widget_find(box, id);

	if (!w) {
		fprintf(stderr, "no key %s on %s\n", id,
			keyboard_layout_name(kb->shown));
		check_fail(__FILE__, __LINE__, "key present");
		return KB_IGNORED;
	}
	return keyboard_press(kb, tb, w->arg);
}

static void test_typing_german(void)
{
	struct widget *root = widget_create(NULL, WIDGET_BOX, "r", 0, 0, 1080,
					    1920);
	struct keyboard kb;
	struct textbuf tb;
	struct widget *box, *a;

	REQUIRE(root);
	keyboard_init(&kb, KB_DE, ACT);
	textbuf_init(&tb, 128, 0);
	box = keyboard_build(root, &kb, KX, KY, KW, KH, min_px(), &colors);
	REQUIRE(box);
	CHECK(widget_find(box, "key-layout") == NULL); /* German: no switch */
	a = widget_find(box, "key-a");
	REQUIRE(a);
	CHECK_STR(a->text, "a");
	CHECK_INT(tap(box, &kb, &tb, "key-shift"), KB_RELABEL);
	REQUIRE(keyboard_relabel(box, &kb) == 0);
	CHECK_STR(a->text, "A");
	CHECK(widget_find(box, "key-a") == a); /* relabelled in place */
	CHECK_INT(tap(box, &kb, &tb, "key-s"), KB_RELABEL); /* shift ends */
	REQUIRE(keyboard_relabel(box, &kb) == 0);
	CHECK_STR(a->text, "a");
	tap(box, &kb, &tb, "key-c");
	tap(box, &kb, &tb, "key-h");
	tap(box, &kb, &tb, "key-l");
	tap(box, &kb, &tb, "key-u00f6");
	tap(box, &kb, &tb, "key-u00df");
	CHECK_INT(tap(box, &kb, &tb, "key-space"), KB_TYPED);
	tap(box, &kb, &tb, "key-5");
	CHECK_STR(tb.data, "Schlöß 5");
	CHECK_INT(textbuf_chars(&tb), 8);
	CHECK_INT(tb.len, 10);
	/* caps lock: capitals until pressed again */
	CHECK_INT(tap(box, &kb, &tb, "key-caps"), KB_RELABEL);
	tap(box, &kb, &tb, "key-u00e4");
	tap(box, &kb, &tb, "key-u00fc");
	CHECK_INT(tap(box, &kb, &tb, "key-caps"), KB_RELABEL);
	tap(box, &kb, &tb, "key-u00fc");
	CHECK_STR(tb.data, "Schlöß 5ÄÜü");
	CHECK_INT(tap(box, &kb, &tb, "key-backspace"), KB_TYPED);
	CHECK_INT(tap(box, &kb, &tb, "key-backspace"), KB_TYPED);
	CHECK_STR(tb.data, "Schlöß 5Ä");
	CHECK_INT(tap(box, &kb, &tb, "key-enter"), KB_ENTER);
	textbuf_wipe(&tb);
	widget_destroy(root);
}

/* A Ukrainian citizen types a German street name and returns. */
static void test_layout_switch(void)
{
	struct widget *root = widget_create(NULL, WIDGET_BOX, "r", 0, 0, 1080,
					    1920);
	struct keyboard kb;
	struct textbuf tb;
	struct widget *box;

	REQUIRE(root);
	keyboard_init(&kb, KB_UK, ACT);
	textbuf_init(&tb, 128, 0);
	box = keyboard_build(root, &kb, KX, KY, KW, KH, min_px(), &colors);
	REQUIRE(box);
	tap(box, &kb, &tb, "key-shift");
	tap(box, &kb, &tb, "key-u0456");  /* і → І */
	tap(box, &kb, &tb, "key-u0432");  /* в */
	tap(box, &kb, &tb, "key-u0430");  /* а */
	tap(box, &kb, &tb, "key-u043d");  /* н */
	CHECK_STR(tb.data, "Іван");
	CHECK_STR(widget_find(box, "key-layout")->text, "ABC");
	CHECK_INT(tap(box, &kb, &tb, "key-layout"), KB_RELAYOUT);
	CHECK_INT(kb.shown, KB_DE);
	widget_destroy(box);
	box = keyboard_build(root, &kb, KX, KY, KW, KH, min_px(), &colors);
	REQUIRE(box);
	CHECK_STR(widget_find(box, "key-layout")->text, "АБВ");
	tap(box, &kb, &tb, "key-space");
	tap(box, &kb, &tb, "key-shift");
	tap(box, &kb, &tb, "key-s");
	tap(box, &kb, &tb, "key-t");
	tap(box, &kb, &tb, "key-r");
	tap(box, &kb, &tb, "key-a");
	tap(box, &kb, &tb, "key-u00df");
	tap(box, &kb, &tb, "key-e");
	CHECK_STR(tb.data, "Іван Straße");
	CHECK_INT(tap(box, &kb, &tb, "key-layout"), KB_RELAYOUT);
	CHECK_INT(kb.shown, KB_UK);
	widget_destroy(root);

	/* Arabic: لا is one key and two characters; backspace takes one */
	keyboard_init(&kb, KB_AR, ACT);
	textbuf_init(&tb, 64, 0);
	for (int i = 0; i < keyboard_key_count(KB_AR); i++) {
		const char *t = keyboard_key_utf8(KB_AR, 0, i);
		if (t && (!strcmp(t, "لا") || !strcmp(t, "ب")))
			CHECK(keyboard_press(&kb, &tb, i) == KB_TYPED);
	}
	CHECK_STR(tb.data, "بلا");
	CHECK_INT(textbuf_chars(&tb), 3);
	CHECK_INT(textbuf_backspace(&tb), 1);
	CHECK_STR(tb.data, "بل");
	CHECK_INT(textbuf_backspace(&tb), 1);
	CHECK_INT(textbuf_backspace(&tb), 1);
	CHECK_INT(textbuf_backspace(&tb), 0);
	CHECK_INT(tb.len, 0);
	/* Arabic has no shift: capitals change nothing */
	CHECK_STR(keyboard_key_utf8(KB_AR, 1, 12), keyboard_key_utf8(KB_AR, 0, 12));
}

static void test_textbuf(void)
{
	struct textbuf tb;

	textbuf_init(&tb, 8, 0);   /* 7 bytes of text */
	CHECK_INT(textbuf_insert(&tb, "ab"), 2);
	CHECK_INT(textbuf_insert(&tb, "€"), 3);     /* 5 bytes */
	CHECK_INT(textbuf_insert(&tb, "€"), 0);     /* would need 8: refused */
	CHECK_STR(tb.data, "ab€");
	CHECK_INT(textbuf_insert(&tb, "ä"), 2);     /* 7 bytes: full */
	CHECK_INT(textbuf_insert(&tb, "x"), 0);
	CHECK_INT(textbuf_backspace(&tb), 1);
	CHECK_STR(tb.data, "ab€");
	CHECK_INT(textbuf_backspace(&tb), 1);
	CHECK_STR(tb.data, "ab");
	CHECK_INT(textbuf_insert(&tb, "\xf0\x9f\x98\x80"), 4); /* 😀 */
	CHECK_INT(textbuf_backspace(&tb), 1);
	CHECK_STR(tb.data, "ab");
	/* ill-formed input is refused whole, controls are dropped */
	CHECK_INT(textbuf_insert(&tb, "\xc3"), -1);
	CHECK_INT(textbuf_insert(&tb, "\xc0\xaf"), -1);
	CHECK_INT(textbuf_insert(&tb, "\n\t"), 0);
	CHECK_INT(textbuf_insert(&tb, "c\rd"), 2);
	CHECK_STR(tb.data, "abcd");
	CHECK_INT(textbuf_insert(&tb, "\xc2\x85"), 0);   /* C1 NEL */
	/* the character cap */
	textbuf_init(&tb, 0, 3);
	CHECK_INT(tb.cap, TEXTBUF_MAX);
	CHECK_INT(textbuf_insert(&tb, "üüü"), 6);
	CHECK_INT(textbuf_insert(&tb, "a"), 0);
	CHECK_INT(textbuf_chars(&tb), 3);
	/* wipe: no byte of the text stays */
	textbuf_wipe(&tb);
	CHECK_INT(tb.len, 0);
	for (size_t i = 0; i < sizeof tb.data; i++)
		if (tb.data[i]) {
			CHECK(0);
			break;
		}
	CHECK_INT(tb.cap, TEXTBUF_MAX);
	CHECK_INT(tb.max_chars, 3);
	/* backspace clears the removed bytes too */
	textbuf_init(&tb, 16, 0);
	textbuf_insert(&tb, "xyz");
	textbuf_backspace(&tb);
	CHECK(tb.data[2] == '\0');
}

int main(void)
{
	static const struct check_test tests[] = {
		{ "letters", test_letters },
		{ "capitals", test_capitals },
		{ "ids_and_glyphs", test_ids_and_glyphs },
		{ "sizes", test_sizes },
		{ "typing_german", test_typing_german },
		{ "layout_switch", test_layout_switch },
		{ "textbuf", test_textbuf },
		{ NULL, NULL },
	};
	return check_main(tests);
}
