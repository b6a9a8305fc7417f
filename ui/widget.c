/*
 * widget.c — the widget tree: ownership, hit-testing, lookup, drawing.
 *
 * Drawing uses only SDL_Render* primitives, so it works the same on a
 * window and on the headless software surface. It does NOT decide layout
 * or colours; screens.c does.
 */
#include "ui/widget.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct widget *widget_create(struct widget *parent, enum widget_kind kind,
			     const char *id, int x, int y, int w, int h)
{
	struct widget *wd;

	if (parent && parent->n_children == WIDGET_CHILDREN_MAX)
		return NULL;
	wd = calloc(1, sizeof *wd);
	if (!wd)
		return NULL;
	wd->kind = kind;
	snprintf(wd->id, sizeof wd->id, "%s", id ? id : "");
	wd->rect = (SDL_Rect){ x, y, w, h };
	wd->parent = parent;
	if (parent)
		parent->children[parent->n_children++] = wd;
	return wd;
}

void widget_destroy(struct widget *w)
{
	struct widget *p;

	if (!w)
		return;
	while (w->n_children)
		widget_destroy(w->children[w->n_children - 1]);
	p = w->parent;
	if (p) {
		for (int i = 0; i < p->n_children; i++) {
			if (p->children[i] != w)
				continue;
			memmove(&p->children[i], &p->children[i + 1],
				(size_t)(p->n_children - i - 1) *
					sizeof p->children[0]);
			p->n_children--;
			break;
		}
	}
	free(w->text);
	free(w);
}

int widget_set_text(struct widget *w, const char *text)
{
	char *s = text ? strdup(text) : NULL;

	if (text && !s)
		return -1;
	free(w->text);
	w->text = s;
	return 0;
}

static int rect_has(const SDL_Rect *r, int x, int y)
{
	return x >= r->x && y >= r->y && x < r->x + r->w && y < r->y + r->h;
}

struct widget *widget_at(struct widget *root, int x, int y)
{
	for (int i = root->n_children - 1; i >= 0; i--) {
		struct widget *hit = widget_at(root->children[i], x, y);
		if (hit)
			return hit;
	}
	if (root->kind == WIDGET_BUTTON && rect_has(&root->rect, x, y))
		return root;
	return NULL;
}

struct widget *widget_find(struct widget *root, const char *id)
{
	if (!strcmp(root->id, id))
		return root;
	for (int i = 0; i < root->n_children; i++) {
		struct widget *w = widget_find(root->children[i], id);
		if (w)
			return w;
	}
	return NULL;
}

struct widget *widget_find_text(struct widget *root, const char *text)
{
	if (root->text && !strcmp(root->text, text))
		return root;
	for (int i = 0; i < root->n_children; i++) {
		struct widget *w = widget_find_text(root->children[i], text);
		if (w)
			return w;
	}
	return NULL;
}

static void set_color(SDL_Renderer *r, SDL_Color c)
{
	SDL_SetRenderDrawColor(r, c.r, c.g, c.b, c.a);
}

/* A filled rectangle with quarter-circle corners, one span per row. */
static void fill_round(SDL_Renderer *r, SDL_Rect a, int rad, SDL_Color c)
{
	SDL_Rect mid;

	if (rad * 2 > a.h)
		rad = a.h / 2;
	if (rad * 2 > a.w)
		rad = a.w / 2;
	mid = (SDL_Rect){ a.x, a.y + rad, a.w, a.h - 2 * rad };
	set_color(r, c);
	SDL_RenderFillRect(r, &mid);
	for (int i = 0; i < rad; i++) {
		double dy = rad - i - 0.5;
		int in = rad - (int)lround(sqrt((double)rad * rad - dy * dy));
		SDL_Rect top = { a.x + in, a.y + i, a.w - 2 * in, 1 };
		SDL_Rect bot = { a.x + in, a.y + a.h - 1 - i, a.w - 2 * in, 1 };
		SDL_RenderFillRect(r, &top);
		SDL_RenderFillRect(r, &bot);
	}
}

static void draw_shape(struct widget *w, SDL_Renderer *r)
{
	SDL_Rect in = w->rect;
	SDL_Color bg = w->bg;

	if (w->pressed) {
		bg.r = (Uint8)(bg.r * 3 / 4);
		bg.g = (Uint8)(bg.g * 3 / 4);
		bg.b = (Uint8)(bg.b * 3 / 4);
	}
	if (w->border.a) {
		fill_round(r, w->rect, w->radius, w->border);
		in = (SDL_Rect){ in.x + 4, in.y + 4, in.w - 8, in.h - 8 };
	}
	if (bg.a)
		fill_round(r, in, w->radius > 4 ? w->radius - 4 : 0, bg);
}

void widget_mirror(struct widget *root, int width)
{
	root->rect.x = width - root->rect.x - root->rect.w;
	if (root->style.align == TEXT_LEFT)
		root->style.align = TEXT_RIGHT;
	else if (root->style.align == TEXT_RIGHT)
		root->style.align = TEXT_LEFT;
	root->mirrored = !root->mirrored;
	for (int i = 0; i < root->n_children; i++)
		widget_mirror(root->children[i], width);
}

static void draw_badge(struct widget *w, SDL_Renderer *r, struct text *t)
{
	int side = w->rect.h - 48;
	SDL_Rect sq = { w->mirrored ? w->rect.x + w->rect.w - 24 - side
				    : w->rect.x + 24,
			w->rect.y + 24, side, side };
	struct text_style st = { .size = side * 6 / 10, .bold = 1,
				 .color = w->badge_fg };
	SDL_Texture *tex;
	int tw, th;

	fill_round(r, sq, 12, w->badge_bg);
	tex = text_get(t, w->badge, &st, &tw, &th);
	if (tex) {
		SDL_Rect d = { sq.x + (side - tw) / 2, sq.y + (side - th) / 2,
			       tw, th };
		SDL_RenderCopy(r, tex, NULL, &d);
	}
}

static void draw_text(struct widget *w, SDL_Renderer *r, struct text *t)
{
	SDL_Rect box = w->rect;
	enum text_align align;
	SDL_Texture *tex;
	int tw, th;
	SDL_Rect d;

	if (w->badge[0]) {
		if (!w->mirrored)
			box.x += w->rect.h - 16;
		box.w -= w->rect.h - 16;
	}
	if (w->kind == WIDGET_BUTTON) {
		box.x += 24;
		box.w -= 48;
	}
	tex = text_get(t, w->text, &w->style, &tw, &th);
	if (!tex)
		return;
	d = (SDL_Rect){ box.x, box.y + (box.h - th) / 2, tw, th };
	align = w->mirrored ? w->style.align
			    : text_align_resolve(w->text, w->style.align);
	if (align == TEXT_CENTER)
		d.x = box.x + (box.w - tw) / 2;
	else if (align == TEXT_RIGHT)
		d.x = box.x + box.w - tw;
	SDL_RenderCopy(r, tex, NULL, &d);
}

void widget_draw(struct widget *w, SDL_Renderer *r, struct text *t)
{
	draw_shape(w, r);
	if (w->badge[0])
		draw_badge(w, r, t);
	if (w->text)
		draw_text(w, r, t);
	for (int i = 0; i < w->n_children; i++)
		widget_draw(w->children[i], r, t);
}
