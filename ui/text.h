/*
 * text.h — text as textures: fonts by size and weight, and a cache of
 * rendered strings (SDL2_ttf).
 *
 * The UI asks for a string in a style and gets a texture it must not
 * destroy; the cache keeps the textures of recent frames and evicts the
 * least recently used when full, so an unchanged screen re-renders no text.
 *
 * This module does NOT lay out screens, break lines itself (SDL2_ttf
 * wraps), or do bidi/shaping of right-to-left scripts yet (that comes with
 * Arabic, see facts.md).
 */
#ifndef BK_UI_TEXT_H
#define BK_UI_TEXT_H

#include <SDL.h>

#define TEXT_CACHE_MAX 192      /* textures kept */
#define TEXT_FONTS_MAX 24       /* (weight, size) pairs opened */
#define TEXT_LEN_MAX 1024       /* bytes of one string rendered */

enum text_align { TEXT_LEFT = 0, TEXT_CENTER, TEXT_RIGHT };

struct text_style {
	int size;                 /* pixel size of the font */
	int bold;
	SDL_Color color;
	int wrap;                 /* wrap width in px, 0 = one line */
	enum text_align align;
};

struct text;

/* Opens the two font files (checked at once at a small size). Returns
 * NULL with a message in err. */
struct text *text_create(SDL_Renderer *r, const char *font,
			 const char *font_bold, char *err, size_t errlen);
void text_destroy(struct text *t);

/* The texture of s in style st, owned by the cache and valid until the
 * next text_get() that evicts it (so: draw it at once). *w and *h give its
 * size. NULL for an empty string or when rendering failed (logged). */
SDL_Texture *text_get(struct text *t, const char *s,
		      const struct text_style *st, int *w, int *h);

/* The width and height s would have in st, without rendering. */
int text_measure(struct text *t, const char *s, const struct text_style *st,
		 int *w, int *h);

#endif
