/*
 * text.c — fonts and the rendered-text cache (see text.h).
 *
 * Fonts are opened on first use per (weight, size); SDL2_ttf keeps a glyph
 * cache per font, so reusing one font object per size matters. Strings
 * become textures once and live in a small LRU cache keyed by style and
 * text. It does NOT know about widgets or screens.
 */
#include "ui/text.h"

#include <SDL_ttf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "firmware/log.h"

struct text_font {
	int bold, size;
	TTF_Font *font;
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
	char path[2][512];         /* regular, bold */
	struct text_font fonts[TEXT_FONTS_MAX];
	int n_fonts;
	struct text_entry cache[TEXT_CACHE_MAX];
	unsigned long clock;
};

static TTF_Font *text_font(struct text *t, int bold, int size)
{
	TTF_Font *f;

	for (int i = 0; i < t->n_fonts; i++)
		if (t->fonts[i].bold == bold && t->fonts[i].size == size)
			return t->fonts[i].font;
	if (t->n_fonts == TEXT_FONTS_MAX) {
		log_error("ui", "too many font sizes");
		return NULL;
	}
	f = TTF_OpenFont(t->path[bold ? 1 : 0], size);
	if (!f) {
		log_error("ui", "font %s: %s", t->path[bold ? 1 : 0],
			  TTF_GetError());
		return NULL;
	}
	TTF_SetFontHinting(f, TTF_HINTING_LIGHT);
	t->fonts[t->n_fonts++] = (struct text_font){ bold, size, f };
	return f;
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
	snprintf(t->path[0], sizeof t->path[0], "%s", font);
	snprintf(t->path[1], sizeof t->path[1], "%s", font_bold);
	for (int bold = 0; bold < 2; bold++) {
		if (!text_font(t, bold, 32)) {
			snprintf(err, errlen, "cannot open font %s: %s",
				 t->path[bold], TTF_GetError());
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
	free(t);
	TTF_Quit();
}

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
	free(old->key);
	memset(old, 0, sizeof *old);
	return old;
}

static SDL_Surface *text_render(TTF_Font *f, const char *s,
				const struct text_style *st)
{
	static const int aligns[] = { TTF_WRAPPED_ALIGN_LEFT,
				      TTF_WRAPPED_ALIGN_CENTER,
				      TTF_WRAPPED_ALIGN_RIGHT };

	if (!st->wrap)
		return TTF_RenderUTF8_Blended(f, s, st->color);
	TTF_SetFontWrappedAlign(f, aligns[st->align]);
	return TTF_RenderUTF8_Blended_Wrapped(f, s, st->color,
					      (Uint32)st->wrap);
}

SDL_Texture *text_get(struct text *t, const char *s,
		      const struct text_style *st, int *w, int *h)
{
	char key[TEXT_LEN_MAX + 64];
	struct text_entry *e;
	SDL_Surface *surf;
	unsigned long hash;
	TTF_Font *f;

	if (!s || !*s || strlen(s) > TEXT_LEN_MAX)
		return NULL;
	snprintf(key, sizeof key, "%d/%d/%02x%02x%02x%02x/%d/%d/%s", st->size,
		 st->bold, st->color.r, st->color.g, st->color.b, st->color.a,
		 st->wrap, (int)st->align, s);
	hash = text_hash(key);
	t->clock++;
	for (int i = 0; i < TEXT_CACHE_MAX; i++) {
		e = &t->cache[i];
		if (e->key && e->hash == hash && !strcmp(e->key, key)) {
			e->used = t->clock;
			*w = e->w;
			*h = e->h;
			return e->tex;
		}
	}
	f = text_font(t, st->bold, st->size);
	if (!f)
		return NULL;
	surf = text_render(f, s, st);
	if (!surf) {
		log_error("ui", "rendering text: %s", TTF_GetError());
		return NULL;
	}
	e = text_slot(t);
	e->tex = SDL_CreateTextureFromSurface(t->r, surf);
	e->w = surf->w;
	e->h = surf->h;
	SDL_FreeSurface(surf);
	e->key = e->tex ? strdup(key) : NULL;
	if (!e->key) {
		if (e->tex)
			SDL_DestroyTexture(e->tex);
		memset(e, 0, sizeof *e);
		log_error("ui", "text texture: %s", SDL_GetError());
		return NULL;
	}
	e->hash = hash;
	e->used = t->clock;
	*w = e->w;
	*h = e->h;
	return e->tex;
}

int text_measure(struct text *t, const char *s, const struct text_style *st,
		 int *w, int *h)
{
	TTF_Font *f = text_font(t, st->bold, st->size);

	if (!f)
		return -1;
	return TTF_SizeUTF8(f, s, w, h);
}
