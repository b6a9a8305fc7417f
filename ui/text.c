/*
 * text.c — bidi layout, font fallback, line breaking and the rendered-text
 * cache (see text.h for the layout steps).
 *
 * Fonts are opened on first use per (chain font, weight, size); SDL2_ttf
 * keeps a glyph cache per font, so reusing one font object per size
 * matters. A second, small instance of every chain font ("probe") answers
 * glyph questions without opening sizes. Strings become textures once and
 * live in a small LRU cache keyed by style, scale and text.
 *
 * A layout works on code points: the string is decoded once (invalid UTF-8
 * becomes U+FFFD), every run is encoded again for SDL2_ttf. Runs are
 * drawn into one ARGB surface by combining coverage (all runs have the
 * text's colour), so touching glyphs of neighbouring runs do not erase
 * each other. It does NOT know about widgets or screens.
 */
#include "ui/text.h"

#include <SDL_ttf.h>
#include <fribidi.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "firmware/log.h"
#include "firmware/util.h"

#define FONT_DIR "/usr/share/fonts/truetype/"
#define PROBE_SIZE 16

/* The built-in chain after the configured font, in order of preference. */
static const struct {
	const char *regular, *bold;
	int arabic;     /* preferred for Arabic letters */
} builtin_chain[] = {
	{ FONT_DIR "noto/NotoSans-Regular.ttf", FONT_DIR "noto/NotoSans-Bold.ttf",
	  0 },
	{ FONT_DIR "noto/NotoSansArabic-Regular.ttf",
	  FONT_DIR "noto/NotoSansArabic-Bold.ttf", 1 },
	{ FONT_DIR "dejavu/DejaVuSans.ttf", FONT_DIR "dejavu/DejaVuSans-Bold.ttf",
	  0 },
};

struct text_face {
	char path[2][512];        /* regular, bold (bold may repeat regular) */
	int arabic;
	TTF_Font *probe[2];
};

struct text_font {
	int face, bold, size;
	TTF_Font *font;
	unsigned long used;        /* LRU stamp */
};

struct text_entry {
	unsigned long hash;
	char *key;                 /* style + text, owned */
	SDL_Texture *tex;
	int w, h;
	unsigned long used;        /* LRU stamp */
};

struct text {
	SDL_Renderer *r;
	struct text_face chain[TEXT_CHAIN_MAX];
	int n_chain;
	struct text_font fonts[TEXT_FONTS_MAX];
	int n_fonts;
	unsigned long font_clock;
	struct text_entry cache[TEXT_CACHE_MAX];
	unsigned long clock;
	float scale;
};

/* ---- fonts ---------------------------------------------------------- */

static TTF_Font *text_font(struct text *t, int face, int bold, int size)
{
	const char *path = t->chain[face].path[bold ? 1 : 0];
	struct text_font *slot;
	TTF_Font *f;

	t->font_clock++;
	for (int i = 0; i < t->n_fonts; i++)
		if (t->fonts[i].face == face && t->fonts[i].bold == bold &&
		    t->fonts[i].size == size) {
			t->fonts[i].used = t->font_clock;
			return t->fonts[i].font;
		}
	f = TTF_OpenFont(path, size);
	if (!f) {
		log_error("ui", "font %s: %s", path, TTF_GetError());
		return NULL;
	}
	TTF_SetFontHinting(f, TTF_HINTING_LIGHT);
	if (t->n_fonts < TEXT_FONTS_MAX) {
		slot = &t->fonts[t->n_fonts++];
	} else {
		/* full (many sizes tried while fitting text): the least
		 * recently used goes; callers hold a font only while they
		 * draw or measure one run */
		slot = &t->fonts[0];
		for (int i = 1; i < t->n_fonts; i++)
			if (t->fonts[i].used < slot->used)
				slot = &t->fonts[i];
		TTF_CloseFont(slot->font);
	}
	*slot = (struct text_font){ face, bold, size, f, t->font_clock };
	return f;
}

/* Appends a chain font; a file that does not open is an error only when
 * required (the configured font). */
static int chain_add(struct text *t, const char *regular, const char *bold,
		     int arabic, int required, char *err, size_t errlen)
{
	struct text_face *c;

	if (t->n_chain == TEXT_CHAIN_MAX)
		return 0;
	for (int i = 0; i < t->n_chain; i++)
		if (!strcmp(t->chain[i].path[0], regular))
			return 0;
	c = &t->chain[t->n_chain];
	snprintf(c->path[0], sizeof c->path[0], "%s", regular);
	snprintf(c->path[1], sizeof c->path[1], "%s", bold);
	c->arabic = arabic;
	for (int b = 0; b < 2; b++) {
		c->probe[b] = TTF_OpenFont(c->path[b], PROBE_SIZE);
		if (c->probe[b])
			continue;
		if (required) {
			snprintf(err, errlen, "cannot open font %s: %s",
				 c->path[b], TTF_GetError());
			if (b)
				TTF_CloseFont(c->probe[0]);
			return -1;
		}
		if (b == 0)
			return 0; /* not installed: skipped */
		/* no bold file: the regular one serves */
		snprintf(c->path[1], sizeof c->path[1], "%s", regular);
		c->probe[1] = TTF_OpenFont(c->path[1], PROBE_SIZE);
		if (!c->probe[1]) {
			TTF_CloseFont(c->probe[0]);
			return 0;
		}
	}
	t->n_chain++;
	return 0;
}

struct text *text_create(SDL_Renderer *r, const char *font,
			 const char *font_bold, char *err, size_t errlen)
{
	struct text *t;

	if (TTF_Init() < 0) {
		snprintf(err, errlen, "SDL_ttf: %s", TTF_GetError());
		return NULL;
	}
	t = calloc(1, sizeof *t);
	if (!t) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	t->r = r;
	t->scale = 1.0f;
	if (chain_add(t, font, font_bold, 0, 1, err, errlen) < 0)
		goto fail;
	for (size_t i = 0; i < SDL_arraysize(builtin_chain); i++)
		chain_add(t, builtin_chain[i].regular, builtin_chain[i].bold,
			  builtin_chain[i].arabic, 0, err, errlen);
	for (int bold = 0; bold < 2; bold++) {
		if (!text_font(t, 0, bold, 32)) {
			snprintf(err, errlen, "cannot open font %s: %s",
				 t->chain[0].path[bold], TTF_GetError());
			goto fail;
		}
	}
	return t;
fail:
	text_destroy(t);
	if (!t)
		TTF_Quit();
	return NULL;
}

void text_destroy(struct text *t)
{
	if (!t)
		return;
	for (int i = 0; i < TEXT_CACHE_MAX; i++) {
		if (t->cache[i].tex)
			SDL_DestroyTexture(t->cache[i].tex);
		free(t->cache[i].key);
	}
	for (int i = 0; i < t->n_fonts; i++)
		TTF_CloseFont(t->fonts[i].font);
	for (int i = 0; i < t->n_chain; i++)
		for (int b = 0; b < 2; b++)
			if (t->chain[i].probe[b])
				TTF_CloseFont(t->chain[i].probe[b]);
	free(t);
	TTF_Quit();
}

/* ---- session end (ui/app.c) ---- */

int text_cache_holds(const struct text *t, const char *needle)
{
	for (int i = 0; i < TEXT_CACHE_MAX; i++)
		if (t->cache[i].key && strstr(t->cache[i].key, needle))
			return 1;
	return 0;
}

void text_forget(struct text *t)
{
	void *blank = NULL;
	size_t blank_len = 0;

	for (int i = 0; i < TEXT_CACHE_MAX; i++) {
		struct text_entry *e = &t->cache[i];
		size_t need = (size_t)e->w * (size_t)e->h * 4;
		if (e->key) {
			util_wipe(e->key, strlen(e->key));
			free(e->key);
		}
		if (e->tex) {
			/* the renderer's copy of the pixels is freed by SDL:
			 * overwrite it first */
			if (need > blank_len) {
				free(blank);
				blank = calloc(1, need);
				blank_len = blank ? need : 0;
			}
			if (blank)
				SDL_UpdateTexture(e->tex, NULL, blank, e->w * 4);
			SDL_DestroyTexture(e->tex);
		}
		memset(e, 0, sizeof *e);
	}
	free(blank);
}

const char *text_chain_font(const struct text *t, int i)
{
	return i >= 0 && i < t->n_chain ? t->chain[i].path[0] : NULL;
}

void text_set_scale(struct text *t, float scale)
{
	if (!(scale >= TEXT_SCALE_MIN)) /* also NaN */
		scale = TEXT_SCALE_MIN;
	if (scale > TEXT_SCALE_MAX)
		scale = TEXT_SCALE_MAX;
	t->scale = scale;
}

float text_get_scale(const struct text *t)
{
	return t->scale;
}

static int scaled(const struct text *t, int size)
{
	int s = (int)lroundf((float)size * t->scale);

	return s < 1 ? 1 : s;
}

/* ---- code points ---------------------------------------------------- */

/* Decodes one UTF-8 sequence at s (n bytes left); invalid → U+FFFD, 1 byte. */
static uint32_t utf8_next(const unsigned char *s, size_t n, int *used)
{
	uint32_t c = s[0];
	int len = c < 0x80 ? 1 : c >= 0xC2 && c < 0xE0 ? 2 :
		  c >= 0xE0 && c < 0xF0 ? 3 : c >= 0xF0 && c < 0xF5 ? 4 : 0;

	*used = 1;
	if (len == 1)
		return c;
	if (!len || (size_t)len > n)
		return 0xFFFD;
	c &= 0x3F >> (len - 1);
	for (int i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0xFFFD;
		c = c << 6 | (s[i] & 0x3F);
	}
	if ((len == 3 && (c < 0x800 || (c >= 0xD800 && c < 0xE000))) ||
	    (len == 4 && (c < 0x10000 || c > 0x10FFFF)))
		return 0xFFFD;
	*used = len;
	return c;
}

static int utf8_put(char *out, uint32_t c)
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
	if (c < 0x10000) {
		out[0] = (char)(0xE0 | c >> 12);
		out[1] = (char)(0x80 | (c >> 6 & 0x3F));
		out[2] = (char)(0x80 | (c & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | c >> 18);
	out[1] = (char)(0x80 | (c >> 12 & 0x3F));
	out[2] = (char)(0x80 | (c >> 6 & 0x3F));
	out[3] = (char)(0x80 | (c & 0x3F));
	return 4;
}

/* Invisible characters that need no glyph. */
static int ignorable(uint32_t c)
{
	return c < 0x20 || c == 0x7F || c == 0xAD ||
	       (c >= 0x200B && c <= 0x200F) || (c >= 0x202A && c <= 0x202E) ||
	       (c >= 0x2060 && c <= 0x2069) || (c >= 0xFE00 && c <= 0xFE0F) ||
	       c == 0xFEFF;
}

enum script { SCR_COMMON = 0, SCR_LATN, SCR_CYRL, SCR_GREK, SCR_ARAB,
	      SCR_HEBR };
static const char *const script_tags[] = { "Latn", "Latn", "Cyrl", "Grek",
					   "Arab", "Hebr" };

static enum script script_of(uint32_t c)
{
	if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= 0xC0 && c <= 0x24F && c != 0xD7 && c != 0xF7) ||
	    (c >= 0x1E00 && c <= 0x1EFF))
		return SCR_LATN;
	if ((c >= 0x400 && c <= 0x52F) || (c >= 0x2DE0 && c <= 0x2DFF) ||
	    (c >= 0xA640 && c <= 0xA69F))
		return SCR_CYRL;
	if (c >= 0x370 && c <= 0x3FF)
		return SCR_GREK;
	if ((c >= 0x600 && c <= 0x6FF) || (c >= 0x750 && c <= 0x77F) ||
	    (c >= 0x8A0 && c <= 0x8FF) || (c >= 0xFB50 && c <= 0xFDFF) ||
	    (c >= 0xFE70 && c <= 0xFEFF))
		return SCR_ARAB;
	if ((c >= 0x590 && c <= 0x5FF) || (c >= 0xFB1D && c <= 0xFB4F))
		return SCR_HEBR;
	return SCR_COMMON;
}

/* ---- layout --------------------------------------------------------- */

struct lline {
	int a, b;             /* code points [a, b) */
	int rtl;              /* base direction of its paragraph */
	int w, asc, desc, y;
	int r0, r1;           /* its runs */
};

struct layout {
	int n;
	uint32_t cp[TEXT_LEN_MAX + 1];
	int boff[TEXT_LEN_MAX + 1];
	FriBidiCharType types[TEXT_LEN_MAX];
	FriBidiBracketType brackets[TEXT_LEN_MAX];
	FriBidiLevel level[TEXT_LEN_MAX];
	signed char font[TEXT_LEN_MAX];
	unsigned char script[TEXT_LEN_MAX];
	struct lline lines[TEXT_LEN_MAX + 1];
	int n_lines;
	struct text_run runs[TEXT_LEN_MAX];
	int n_runs;
	int w, h;
	int size, bold;
	char buf[4 * TEXT_LEN_MAX + 1];
};

static int decode(struct layout *L, const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t len = strlen(s), i = 0;

	L->n = 0;
	while (i < len) {
		int used;
		if (L->n == TEXT_LEN_MAX)
			return -1;
		L->boff[L->n] = (int)i;
		L->cp[L->n++] = utf8_next(u + i, len - i, &used);
		i += (size_t)used;
	}
	L->boff[L->n] = (int)len;
	return 0;
}

static int has_glyph(const struct text *t, int face, int bold, uint32_t c)
{
	return TTF_GlyphIsProvided32(t->chain[face].probe[bold ? 1 : 0], c) != 0;
}

/* The first chain font with a glyph for c; Arabic letters try the Arabic
 * fonts first. -1 when none has it. */
static int pick_font(const struct text *t, int bold, uint32_t c)
{
	if (script_of(c) == SCR_ARAB)
		for (int i = 0; i < t->n_chain; i++)
			if (t->chain[i].arabic && has_glyph(t, i, bold, c))
				return i;
	for (int i = 0; i < t->n_chain; i++)
		if (has_glyph(t, i, bold, c))
			return i;
	return -1;
}

/* Fonts and scripts of [a, b): letters choose; spaces, digits, marks and
 * punctuation follow the neighbour so that a word stays in one font. */
static void assign_fonts(const struct text *t, struct layout *L, int a, int b)
{
	for (int i = a; i < b; i++) {
		uint32_t c = L->cp[i];
		enum script sc = script_of(c);
		int strong = FRIBIDI_IS_LETTER(L->types[i]) ||
			     sc == SCR_ARAB || sc == SCR_HEBR;
		L->script[i] = (unsigned char)(strong ? sc : SCR_COMMON);
		L->font[i] = (signed char)(strong ? pick_font(t, L->bold, c)
						  : -2);
	}
	for (int i = a; i < b; i++) {   /* followers take the previous */
		if (L->font[i] != -2 || i == a || L->font[i - 1] < 0)
			continue;
		if (ignorable(L->cp[i]) ||
		    has_glyph(t, L->font[i - 1], L->bold, L->cp[i])) {
			L->font[i] = L->font[i - 1];
			L->script[i] = L->script[i - 1];
		}
	}
	for (int i = b - 2; i >= a; i--) { /* ... or the next */
		if (L->font[i] != -2 || L->font[i + 1] < 0)
			continue;
		if (ignorable(L->cp[i]) ||
		    has_glyph(t, L->font[i + 1], L->bold, L->cp[i])) {
			L->font[i] = L->font[i + 1];
			L->script[i] = L->script[i + 1];
		}
	}
	for (int i = a; i < b; i++) {
		if (L->font[i] == -2)
			L->font[i] = (signed char)pick_font(t, L->bold,
							    L->cp[i]);
		if (L->font[i] < 0)
			L->font[i] = 0; /* missing everywhere: a box */
	}
}

static int bidi(struct layout *L, int a, int b)
{
	FriBidiParType base = FRIBIDI_PAR_ON;
	FriBidiStrIndex len = (FriBidiStrIndex)(b - a);

	if (!len)
		return 0;
	fribidi_get_bidi_types(L->cp + a, len, L->types + a);
	fribidi_get_bracket_types(L->cp + a, len, L->types + a,
				  L->brackets + a);
	if (!fribidi_get_par_embedding_levels_ex(L->types + a, L->brackets + a,
						 len, &base, L->level + a))
		return -1;
	return FRIBIDI_IS_RTL(base) ? 1 : 0;
}

/* Sets direction and script of f for a run and returns the run's text. */
static const char *run_prepare(struct layout *L, TTF_Font *f, int a, int b,
			       int rtl)
{
	int n = 0;
	enum script sc = SCR_COMMON;

	for (int i = a; i < b; i++) {
		n += utf8_put(L->buf + n, L->cp[i]);
		if (sc == SCR_COMMON)
			sc = (enum script)L->script[i];
	}
	L->buf[n] = '\0';
	if (rtl && sc != SCR_HEBR)
		sc = SCR_ARAB;
	TTF_SetFontDirection(f, rtl ? TTF_DIRECTION_RTL : TTF_DIRECTION_LTR);
	TTF_SetFontScriptName(f, script_tags[sc]);
	return L->buf;
}

static int same_run(const struct layout *L, int i, int j)
{
	return L->level[i] == L->level[j] && L->font[i] == L->font[j] &&
	       (L->script[j] == SCR_COMMON || L->script[i] == SCR_COMMON ||
		L->script[i] == L->script[j]);
}

/* Cuts [a, b) into runs appended at L->runs (logical order) and measures
 * them. Returns the width or -1. Runs past the array are an error. */
static int make_runs(struct text *t, struct layout *L, int a, int b, int line)
{
	int width = 0;

	for (int i = a; i < b;) {
		int j = i + 1, w = 0, h = 0;
		struct text_run *r;
		TTF_Font *f;
		while (j < b && same_run(L, i, j))
			j++;
		if (L->n_runs == TEXT_LEN_MAX)
			return -1;
		f = text_font(t, L->font[i], L->bold, L->size);
		if (!f)
			return -1;
		r = &L->runs[L->n_runs++];
		memset(r, 0, sizeof *r);
		r->line = line;
		r->start = i;
		r->len = j - i;
		r->byte_start = L->boff[i];
		r->byte_len = L->boff[j] - L->boff[i];
		r->rtl = L->level[i] & 1;
		r->font = L->font[i];
		if (TTF_SizeUTF8(f, run_prepare(L, f, i, j, r->rtl), &w, &h) < 0)
			return -1;
		r->w = w;
		r->h = TTF_FontHeight(f);
		width += w;
		i = j;
	}
	return width;
}

/* Width of [a, b) as one line, without keeping its runs. */
static int measure(struct text *t, struct layout *L, int a, int b)
{
	int saved = L->n_runs, w = make_runs(t, L, a, b, 0);

	L->n_runs = saved;
	return w;
}

static int line_add(struct layout *L, int a, int b, int rtl)
{
	if (L->n_lines == TEXT_LEN_MAX + 1)
		return -1;
	L->lines[L->n_lines++] = (struct lline){ .a = a, .b = b, .rtl = rtl };
	return 0;
}

static int is_space(uint32_t c)
{
	return c == ' ' || c == 0xA0 || c == '\t' || c == 0x3000;
}

/* Breaks paragraph [a, b) into lines of at most wrap px (greedy). */
static int break_lines(struct text *t, struct layout *L, int a, int b,
		       int wrap, int rtl)
{
	if (!wrap || a == b)
		return line_add(L, a, b, rtl);
	while (a < b) {
		int best = -1, best_end = -1, first = -1;
		for (int e = a + 1; e <= b; e++) {
			int end = e, w;
			if (e < b && !(L->cp[e] == ' ' && L->cp[e - 1] != ' ') &&
			    !((L->cp[e - 1] == '-' || L->cp[e - 1] == '/') &&
			      L->cp[e] != ' ' && e - 1 > a))
				continue;
			while (end > a && is_space(L->cp[end - 1]))
				end--;
			if (end == a)
				continue;
			if (first < 0)
				first = e;
			w = measure(t, L, a, end);
			if (w < 0)
				return -1;
			if (w > wrap)
				break;
			best = e;
			best_end = end;
		}
		if (first < 0)
			break; /* only spaces are left */
		if (best < 0) {
			/* one word wider than the line: break inside it */
			int k = a + 1;
			while (k < first && measure(t, L, a, k + 1) <= wrap)
				k++;
			best = best_end = k;
		}
		if (line_add(L, a, best_end, rtl) < 0)
			return -1;
		a = best;
		while (a < b && L->cp[a] == ' ')
			a++;
	}
	return 0;
}

/* Rule L2: reverses runs of a line from the highest level down to the
 * lowest odd one. */
static void reorder(struct layout *L, int r0, int r1)
{
	int hi = 0, lo_odd = 255;

	for (int i = r0; i < r1; i++) {
		int lv = L->level[L->runs[i].start];
		if (lv > hi)
			hi = lv;
		if ((lv & 1) && lv < lo_odd)
			lo_odd = lv;
	}
	for (int lv = hi; lv >= lo_odd; lv--) {
		for (int i = r0; i < r1;) {
			int j = i;
			while (j < r1 && L->level[L->runs[j].start] >= lv)
				j++;
			for (int x = i, y = j - 1; x < y; x++, y--) {
				struct text_run tmp = L->runs[x];
				L->runs[x] = L->runs[y];
				L->runs[y] = tmp;
			}
			i = j > i ? j : i + 1;
		}
	}
}

static enum text_align resolve(enum text_align a, int rtl)
{
	return a == TEXT_LEFT && rtl ? TEXT_RIGHT : a;
}

/* Grows *asc and *desc to the ink of the run's glyphs where they reach
 * beyond them, with a margin for marks that shaping moves further. */
static int ink_extent(struct text *t, struct layout *L,
		      const struct text_run *run, int *asc, int *desc)
{
	TTF_Font *f = text_font(t, run->font, L->bold, L->size);
	int margin = L->size / 8;

	if (!f)
		return -1;
	for (int k = run->start; k < run->start + run->len; k++) {
		int x0, x1, y0, y1, adv;
		if (ignorable(L->cp[k]) ||
		    TTF_GlyphMetrics32(f, L->cp[k], &x0, &x1, &y0, &y1, &adv) < 0)
			continue;
		if (y1 > *asc)
			*asc = y1 + margin;
		if (-y0 > *desc)
			*desc = -y0 + margin;
	}
	return 0;
}

/* The whole layout of s in st (size scaled here). */
static int layout(struct text *t, struct layout *L, const char *s,
		  const struct text_style *st)
{
	TTF_Font *f0;
	int asc, desc;

	L->size = scaled(t, st->size);
	L->bold = st->bold ? 1 : 0;
	L->n_lines = L->n_runs = 0;
	L->w = L->h = 0;
	if (decode(L, s) < 0)
		return -1;
	for (int a = 0; a <= L->n;) {
		int b = a, rtl;
		while (b < L->n && L->cp[b] != '\n')
			b++;
		rtl = bidi(L, a, b);
		if (rtl < 0)
			return -1;
		assign_fonts(t, L, a, b);
		/* the box keeps its width in large-text mode: more lines */
		if (break_lines(t, L, a, b, st->wrap > 0 ? st->wrap : 0,
				rtl) < 0)
			return -1;
		a = b + 1;
	}
	f0 = text_font(t, 0, L->bold, L->size);
	if (!f0)
		return -1;
	/* One line pitch for the whole text: the primary font's, grown where
	 * a glyph's ink reaches beyond it (plus a margin for marks). Noto Sans
	 * Arabic's own ascent and descent (room for stacked marks) would
	 * space Arabic lines twice as far as Latin ones. */
	asc = TTF_FontAscent(f0);
	desc = -TTF_FontDescent(f0);
	for (int i = 0; i < L->n_lines; i++) {
		struct lline *ln = &L->lines[i];
		ln->r0 = L->n_runs;
		ln->w = make_runs(t, L, ln->a, ln->b, i);
		if (ln->w < 0)
			return -1;
		ln->r1 = L->n_runs;
		reorder(L, ln->r0, ln->r1);
		if (ln->w > L->w)
			L->w = ln->w;
		for (int r = ln->r0; r < ln->r1; r++)
			if (ink_extent(t, L, &L->runs[r], &asc, &desc) < 0)
				return -1;
	}
	for (int i = 0; i < L->n_lines; i++) {
		L->lines[i].asc = asc;
		L->lines[i].desc = desc;
		L->lines[i].y = i * (asc + desc);
	}
	L->h = L->n_lines * (asc + desc);
	for (int i = 0; i < L->n_lines; i++) {
		struct lline *ln = &L->lines[i];
		int x = 0;
		switch (resolve(st->align, ln->rtl)) {
		case TEXT_LEFT: break;
		case TEXT_CENTER: x = (L->w - ln->w) / 2; break;
		case TEXT_RIGHT: x = L->w - ln->w; break;
		}
		for (int r = ln->r0; r < ln->r1; r++) {
			struct text_run *run = &L->runs[r];
			TTF_Font *f = text_font(t, run->font, L->bold, L->size);
			if (!f)
				return -1;
			run->x = x;
			run->y = ln->y + ln->asc - TTF_FontAscent(f);
			x += run->w;
		}
	}
	return 0;
}

/* The scratch holds the text (what a citizen typed, a name read from an
 * ID card): wiped before it goes back to the heap. */
static void layout_free(struct layout *L)
{
	if (!L)
		return;
	util_wipe(L->cp, sizeof L->cp);
	util_wipe(L->buf, sizeof L->buf);
	free(L);
}

/* ---- drawing -------------------------------------------------------- */

/* Adds the coverage of src (ARGB8888) at (x, y) to dst. */
static void blend_coverage(SDL_Surface *dst, SDL_Surface *src, int x, int y)
{
	for (int sy = 0; sy < src->h; sy++) {
		const Uint32 *sp;
		Uint32 *dp;
		if (y + sy < 0 || y + sy >= dst->h)
			continue;
		sp = (const Uint32 *)((const Uint8 *)src->pixels +
				      sy * src->pitch);
		dp = (Uint32 *)((Uint8 *)dst->pixels + (y + sy) * dst->pitch);
		for (int sx = 0; sx < src->w; sx++) {
			Uint32 sa = sp[sx] >> 24, da;
			if (!sa || x + sx < 0 || x + sx >= dst->w)
				continue;
			da = dp[x + sx] >> 24;
			da = 255 - (255 - da) * (255 - sa) / 255;
			dp[x + sx] = (dp[x + sx] & 0x00FFFFFFu) | da << 24;
		}
	}
}

/* SDL2_ttf makes a run's surface taller than the font when ink reaches
 * above the ascent or below the descent, and moves the baseline down by
 * the part above. That part is estimated from the glyphs' own metrics
 * (shaping may lift stacked marks a little further), within what the
 * surface grew. */
static int top_overflow(struct layout *L, TTF_Font *f,
			const struct text_run *r, int surf_h)
{
	int grown = surf_h - TTF_FontHeight(f), top = 0;

	if (grown <= 0)
		return 0;
	for (int k = r->start; k < r->start + r->len; k++) {
		int x0, x1, y0, y1, adv;
		if (TTF_GlyphMetrics32(f, L->cp[k], &x0, &x1, &y0, &y1,
				       &adv) == 0 &&
		    y1 - TTF_FontAscent(f) > top)
			top = y1 - TTF_FontAscent(f);
	}
	return top < grown ? top : grown;
}

/* Rendered text is as personal as the string: pixels are wiped too. */
static void surface_free_wiped(SDL_Surface *s)
{
	if (!s)
		return;
	if (SDL_LockSurface(s) == 0) {
		util_wipe(s->pixels, (size_t)s->pitch * (size_t)s->h);
		SDL_UnlockSurface(s);
	}
	SDL_FreeSurface(s);
}

static SDL_Surface *text_render(struct text *t, struct layout *L,
				const struct text_style *st)
{
	SDL_Surface *out;
	SDL_Color c = st->color;

	out = SDL_CreateRGBSurfaceWithFormat(0, L->w > 0 ? L->w : 1,
					     L->h > 0 ? L->h : 1, 32,
					     SDL_PIXELFORMAT_ARGB8888);
	if (!out)
		return NULL;
	SDL_FillRect(out, NULL, (Uint32)c.r << 16 | (Uint32)c.g << 8 | c.b);
	for (int i = 0; i < L->n_runs; i++) {
		struct text_run *r = &L->runs[i];
		TTF_Font *f = text_font(t, r->font, L->bold, L->size);
		SDL_Surface *rs, *conv;
		if (!f)
			goto fail;
		rs = TTF_RenderUTF8_Blended(
			f, run_prepare(L, f, r->start, r->start + r->len,
				       r->rtl), c);
		if (!rs)
			continue; /* e.g. a run of zero width */
		conv = rs->format->format == SDL_PIXELFORMAT_ARGB8888 ? rs :
		       SDL_ConvertSurfaceFormat(rs, SDL_PIXELFORMAT_ARGB8888, 0);
		if (conv) {
			SDL_LockSurface(conv);
			blend_coverage(out, conv, r->x,
				       r->y - top_overflow(L, f, r, rs->h));
			SDL_UnlockSurface(conv);
		}
		if (conv != rs)
			surface_free_wiped(conv);
		surface_free_wiped(rs);
	}
	return out;
fail:
	surface_free_wiped(out);
	return NULL;
}

/* ---- cache and public calls ---------------------------------------- */

static unsigned long text_hash(const char *s)
{
	unsigned long h = 5381;

	while (*s)
		h = h * 33 + (unsigned char)*s++;
	return h;
}

static struct text_entry *text_slot(struct text *t)
{
	struct text_entry *old = &t->cache[0];

	for (int i = 0; i < TEXT_CACHE_MAX; i++) {
		if (!t->cache[i].key)
			return &t->cache[i];
		if (t->cache[i].used < old->used)
			old = &t->cache[i];
	}
	SDL_DestroyTexture(old->tex);
	util_wipe(old->key, strlen(old->key));
	free(old->key);
	memset(old, 0, sizeof *old);
	return old;
}

SDL_Texture *text_get(struct text *t, const char *s,
		      const struct text_style *st, int *w, int *h)
{
	char key[TEXT_LEN_MAX + 64];
	struct text_entry *e;
	struct layout *L;
	SDL_Surface *surf;
	SDL_Texture *tex = NULL;
	unsigned long hash;

	if (!s || !*s || strlen(s) > TEXT_LEN_MAX)
		return NULL;
	snprintf(key, sizeof key, "%d/%d/%02x%02x%02x%02x/%d/%d/%s",
		 scaled(t, st->size), st->bold, st->color.r, st->color.g,
		 st->color.b, st->color.a, st->wrap, (int)st->align, s);
	hash = text_hash(key);
	t->clock++;
	for (int i = 0; i < TEXT_CACHE_MAX; i++) {
		e = &t->cache[i];
		if (e->key && e->hash == hash && !strcmp(e->key, key)) {
			e->used = t->clock;
			*w = e->w;
			*h = e->h;
			tex = e->tex;
			goto out;
		}
	}
	L = malloc(sizeof *L);
	if (!L) {
		log_error("ui", "text layout: out of memory");
		goto out;
	}
	surf = layout(t, L, s, st) == 0 ? text_render(t, L, st) : NULL;
	layout_free(L);
	if (!surf) {
		log_error("ui", "rendering text: %s", TTF_GetError());
		goto out;
	}
	e = text_slot(t);
	e->tex = SDL_CreateTextureFromSurface(t->r, surf);
	e->w = surf->w;
	e->h = surf->h;
	surface_free_wiped(surf);
	e->key = e->tex ? strdup(key) : NULL;
	if (!e->key) {
		if (e->tex)
			SDL_DestroyTexture(e->tex);
		memset(e, 0, sizeof *e);
		log_error("ui", "text texture: %s", SDL_GetError());
		goto out;
	}
	SDL_SetTextureBlendMode(e->tex, SDL_BLENDMODE_BLEND);
	e->hash = hash;
	e->used = t->clock;
	*w = e->w;
	*h = e->h;
	tex = e->tex;
out:
	util_wipe(key, sizeof key);
	return tex;
}

int text_measure(struct text *t, const char *s, const struct text_style *st,
		 int *w, int *h)
{
	struct layout *L;
	int rc;

	*w = *h = 0;
	if (!s || strlen(s) > TEXT_LEN_MAX)
		return -1;
	L = malloc(sizeof *L);
	if (!L)
		return -1;
	rc = layout(t, L, s, st);
	if (rc == 0) {
		*w = L->w;
		*h = L->h;
	}
	layout_free(L);
	return rc;
}

int text_layout_runs(struct text *t, const char *s,
		     const struct text_style *st, struct text_run *runs,
		     int max)
{
	struct layout *L;
	int n = -1;

	if (!s || strlen(s) > TEXT_LEN_MAX)
		return -1;
	L = malloc(sizeof *L);
	if (!L)
		return -1;
	if (layout(t, L, s, st) == 0) {
		n = L->n_runs;
		for (int i = 0; i < n && i < max; i++)
			runs[i] = L->runs[i];
	}
	layout_free(L);
	return n;
}

int text_missing_glyphs(struct text *t, const char *s, int bold,
			uint32_t *first)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t len = strlen(s);
	int missing = 0;

	for (size_t i = 0; i < len;) {
		int used;
		uint32_t c = utf8_next(u + i, len - i, &used);
		i += (size_t)used;
		if (ignorable(c) || pick_font(t, bold, c) >= 0)
			continue;
		if (!missing && first)
			*first = c;
		missing++;
	}
	return missing;
}

int text_is_rtl(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t len = 0;
	int high = 0;

	/* Hebrew, Arabic and the bidi marks all have lead bytes >= 0xD6:
	 * without one, the paragraph is left to right (the per-frame case) */
	while (u[len] && u[len] != '\n')
		high |= u[len++] >= 0xD6;
	if (!high)
		return 0;
	for (size_t i = 0; i < len;) {
		int used;
		uint32_t c = utf8_next(u + i, len - i, &used);
		FriBidiCharType ty = fribidi_get_bidi_type(c);
		i += (size_t)used;
		if (FRIBIDI_IS_LETTER(ty)) /* rule P2: L, R or AL */
			return FRIBIDI_IS_RTL(ty) ? 1 : 0;
	}
	return 0;
}

enum text_align text_align_resolve(const char *s, enum text_align a)
{
	return a == TEXT_LEFT && s && text_is_rtl(s) ? TEXT_RIGHT : a;
}
