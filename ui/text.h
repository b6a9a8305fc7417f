/*
 * text.h — text as textures: bidirectional layout, font fallback, line
 * breaking and a cache of rendered strings (SDL2_ttf + GNU FriBidi).
 *
 * The UI asks for a string in a style and gets a texture it must not
 * destroy; the cache keeps the textures of recent frames and evicts the
 * least recently used when full, so an unchanged screen re-renders no text.
 *
 * Layout of one string (see docs/languages.md):
 *  1. The string is split into paragraphs at '\n'. Each paragraph gets its
 *     base direction from its first strong character (Unicode rule P2/P3):
 *     Arabic first → right to left.
 *  2. FriBidi resolves an embedding level per character; every character
 *     gets a font from the fallback chain (the first font that has the
 *     glyph; Arabic letters prefer the Arabic font; spaces, digits and marks
 *     stay with their neighbour's font so a word is shaped in one piece).
 *  3. Lines are broken on the logical text (at spaces, after '-' and '/',
 *     inside a word only when the word alone is too wide), so wrapping works
 *     for right-to-left text, which SDL2_ttf's own wrapping does not.
 *  4. Each line is cut into runs of one level, font and script; odd levels
 *     are shaped right to left with script "Arab" by SDL2_ttf's HarfBuzz;
 *     the runs are put in visual order (rule L2) and drawn side by side on
 *     one baseline.
 *
 * Alignment: TEXT_LEFT means "the start of the paragraph": left for a
 * left-to-right paragraph, RIGHT for a paragraph whose base direction is
 * right to left (text_align_resolve()). TEXT_CENTER and TEXT_RIGHT are
 * what they say. Lines of a wrapped paragraph are aligned to each other
 * this way inside the texture; widgets place the texture in their box the
 * same way (widget_mirror() turns a screen's LEFT into RIGHT).
 *
 * The fallback chain: the configured font (kiosk.font / kiosk.font_bold)
 * first, then Debian's Noto Sans, Noto Sans Arabic (fonts-noto-core) and
 * DejaVu Sans (fonts-dejavu-core) where installed. Missing chain files are
 * skipped; the configured font must open.
 *
 * Large-text mode: text_set_scale() multiplies every style's size (and so
 * wrap results) without the caller changing styles.
 *
 * This module does NOT lay out screens, translate, or mirror widgets.
 * Caps: TEXT_LEN_MAX bytes per string (longer strings are not drawn).
 */
#ifndef BK_UI_TEXT_H
#define BK_UI_TEXT_H

#include <SDL.h>
#include <stdint.h>

#define TEXT_CACHE_MAX 192      /* textures kept */
#define TEXT_FONTS_MAX 64       /* (chain font, weight, size) kept open */
#define TEXT_CHAIN_MAX 6        /* fonts in the fallback chain */
#define TEXT_LEN_MAX 1024       /* bytes of one string rendered */
#define TEXT_SCALE_MIN 0.5f
#define TEXT_SCALE_MAX 2.0f

enum text_align { TEXT_LEFT = 0, TEXT_CENTER, TEXT_RIGHT };

struct text_style {
	int size;                 /* pixel size of the font (before scale) */
	int bold;
	SDL_Color color;
	int wrap;                 /* wrap width in px, 0 = one line */
	enum text_align align;
};

struct text;

/* Opens the configured font files (checked at once) and the installed
 * fonts of the built-in Debian chain. Returns NULL with a message in err. */
struct text *text_create(SDL_Renderer *r, const char *font,
			 const char *font_bold, char *err, size_t errlen);
void text_destroy(struct text *t);

/* The texture of s in style st, owned by the cache and valid until the
 * next text_get() that evicts it (so: draw it at once). *w and *h give its
 * size. NULL for an empty string or when rendering failed (logged). */
SDL_Texture *text_get(struct text *t, const char *s,
		      const struct text_style *st, int *w, int *h);

/* The width and height s would have in st (scale applied), without
 * rendering. 0, or -1 when no font could be opened. */
int text_measure(struct text *t, const char *s, const struct text_style *st,
		 int *w, int *h);

/* Large-text mode: sizes are multiplied by scale (clamped to
 * TEXT_SCALE_MIN..TEXT_SCALE_MAX; 1.0 = normal, 1.25 or 1.5 = large).
 * Cached textures of the old scale are simply no longer asked for. */
void text_set_scale(struct text *t, float scale);
float text_get_scale(const struct text *t);

/* 1 when the first paragraph of s is right to left (its first strong
 * character is Arabic or Hebrew), else 0. */
int text_is_rtl(const char *s);

/* TEXT_LEFT becomes TEXT_RIGHT for a right-to-left s; others unchanged. */
enum text_align text_align_resolve(const char *s, enum text_align a);

/* Characters of s that no font of the chain (regular or bold) provides:
 * they would show as boxes. Control and invisible formatting characters
 * (bidi marks, ZWJ/ZWNJ) are not counted. *first (may be NULL) gets the
 * first such code point. */
int text_missing_glyphs(struct text *t, const char *s, int bold,
			uint32_t *first);

/* One run of the layout, in visual order (left to right within a line). */
struct text_run {
	int line;                 /* 0-based line of the texture */
	int start, len;           /* code points, logical, in s */
	int byte_start, byte_len; /* the same in bytes of s */
	int x, y, w, h;           /* place in the texture */
	int rtl;                  /* shaped right to left */
	int font;                 /* index in the chain */
};

/* The layout text_get() would draw: fills up to max runs and returns how
 * many the layout has (may be more than max), or -1 on error. For tests,
 * speech and hit-testing. */
int text_layout_runs(struct text *t, const char *s,
		     const struct text_style *st, struct text_run *runs,
		     int max);

/* Drops every cached texture and wipes the cached strings (their keys
 * hold the text, which may be what a citizen typed): called when a
 * citizen's session ends. The next frame renders what it needs anew. */
void text_forget(struct text *t);
/* 1 when a cached string contains needle (tests of the wipe). */
int text_cache_holds(const struct text *t, const char *needle);

/* Path of chain font i (regular), NULL past the end. */
const char *text_chain_font(const struct text *t, int i);

#endif
