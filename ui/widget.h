/*
 * widget.h — the widget tree of one screen: boxes, labels and buttons.
 *
 * Parents own their children: widget_destroy() frees a widget and
 * everything under it, so a screen is dropped by destroying its root.
 * Every widget has a stable id ("start", "service-reisepass") that scripts
 * and tests use; a button also carries an action code that the app
 * interprets, so widgets hold no callbacks into screens.
 *
 * This module does NOT know screens, languages or the worker; it draws,
 * hit-tests and finds widgets. Coordinates are logical (1080×1920).
 */
#ifndef BK_UI_WIDGET_H
#define BK_UI_WIDGET_H

#include <SDL.h>

#include "ui/text.h"

#define WIDGET_ID_MAX 64
#define WIDGET_CHILDREN_MAX 64

enum widget_kind {
	WIDGET_BOX,       /* a filled rectangle (a band, a card) */
	WIDGET_LABEL,     /* text, aligned in its rectangle */
	WIDGET_BUTTON,    /* text on a rounded rectangle; tappable */
};

struct widget {
	char id[WIDGET_ID_MAX];
	enum widget_kind kind;
	SDL_Rect rect;
	char *text;                   /* owned; NULL = none */
	struct text_style style;
	SDL_Color bg, border;         /* alpha 0 = not drawn */
	int radius;
	char badge[8];                /* a letter drawn in a square at left */
	SDL_Color badge_bg, badge_fg;
	int action, arg;              /* what a tap means (app.h) */
	int pressed;
	int mirrored;                 /* set by widget_mirror(): badge at right,
				       * alignment taken as given */

	struct widget *parent;
	struct widget *children[WIDGET_CHILDREN_MAX];
	int n_children;
};

/* A new widget appended to parent (NULL: a root). Returns NULL when out of
 * memory or parent is full (nothing is added then). */
struct widget *widget_create(struct widget *parent, enum widget_kind kind,
			     const char *id, int x, int y, int w, int h);
/* Frees w, its children, and unlinks it from its parent. */
void widget_destroy(struct widget *w);

int widget_set_text(struct widget *w, const char *text);

/* The frontmost button containing (x, y), or NULL. */
struct widget *widget_at(struct widget *root, int x, int y);
/* The first widget (depth first) with this id, or with this visible text. */
struct widget *widget_find(struct widget *root, const char *id);
struct widget *widget_find_text(struct widget *root, const char *text);

/* Mirrors a screen for right-to-left languages: every widget under root
 * (root too) moves to x' = width - x - w, TEXT_LEFT and TEXT_RIGHT swap,
 * and badges move to the right end. Mirroring twice restores the layout.
 * Call it once after building a screen, before drawing or hit-testing.
 *
 * Text placement: an unmirrored widget with TEXT_LEFT puts right-to-left
 * text at the right of its box (text_align_resolve()); a mirrored widget
 * takes its (already flipped) alignment as given. */
void widget_mirror(struct widget *root, int width);

/* Draws root and its children in order. */
void widget_draw(struct widget *root, SDL_Renderer *r, struct text *t);

#endif
