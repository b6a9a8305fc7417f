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

/* How far row i of a rounded rectangle of height h and corner radius rad
 * is indented on each side (fill_round()'s rows). */
static int round_inset(int rad, int h, int i)
{
	int k = i < h - 1 - i ? i : h - 1 - i;   /* rows from the nearer edge */
	double dy;

	if (k >= rad)
		return 0;
	dy = rad - k - 0.5;
	return rad - (int)lround(sqrt((double)rad * rad - dy * dy));
}

/* A bordered shape: the border ring (bw px) and the inside, each pixel
 * filled once. Filling the whole shape in the border colour and then the
 * inside over it touched every pixel of a button twice, a good part of a
 * keyboard screen's frame time. Rows with the same spans are drawn as one
 * rectangle, so the straight middle costs three fills. */
static void fill_ring(SDL_Renderer *r, SDL_Rect a, int rad, int bw,
		      SDL_Color border, SDL_Color bg)
{
	SDL_Rect in = { a.x + bw, a.y + bw, a.w - 2 * bw, a.h - 2 * bw };
	int irad = rad > bw ? rad - bw : 0, run_from = 0;
	int prev[4] = { -1, -1, -1, -1 };

	/* the radii as fill_round() clamps them, so the pixels stay those of
	 * the outer shape with the inner one drawn over it */
	if (rad * 2 > a.h)
		rad = a.h / 2;
	if (rad * 2 > a.w)
		rad = a.w / 2;
	if (irad * 2 > in.h)
		irad = in.h / 2;
	if (irad * 2 > in.w)
		irad = in.w / 2;
	if (in.w <= 0 || in.h <= 0) {
		fill_round(r, a, rad, border);
		return;
	}
	/* spans of a row: outer x0, x1 and inner x0, x1 (-1 outside in) */
	for (int i = 0; i <= a.h; i++) {
		int cur[4] = { -2, -2, -2, -2 };
		if (i < a.h) {
			int o = round_inset(rad, a.h, i), j = i - bw;
			cur[0] = a.x + o;
			cur[1] = a.x + a.w - o;
			if (j >= 0 && j < in.h) {
				int n = round_inset(irad, in.h, j);
				cur[2] = in.x + n;
				cur[3] = in.x + in.w - n;
			} else {
				cur[2] = cur[3] = -1;
			}
		}
		if (i > 0 && memcmp(cur, prev, sizeof cur) != 0) {
			int h = i - run_from, y = a.y + run_from;
			set_color(r, border);
			if (prev[2] < 0) {
				SDL_Rect f = { prev[0], y, prev[1] - prev[0], h };
				SDL_RenderFillRect(r, &f);
			} else {
				SDL_Rect lft = { prev[0], y, prev[2] - prev[0], h };
				SDL_Rect rgt = { prev[3], y, prev[1] - prev[3], h };
				SDL_Rect mid = { prev[2], y, prev[3] - prev[2], h };
				SDL_RenderFillRect(r, &lft);
				SDL_RenderFillRect(r, &rgt);
				set_color(r, bg);
				SDL_RenderFillRect(r, &mid);
			}
		}
		if (i == 0 || memcmp(cur, prev, sizeof cur) != 0) {
			memcpy(prev, cur, sizeof cur);
			run_from = i;
		}
	}
}

static void draw_shape(struct widget *w, SDL_Renderer *r)
{
	SDL_Color bg = w->bg;

	if (w->pressed) {
		bg.r = (Uint8)(bg.r * 3 / 4);
		bg.g = (Uint8)(bg.g * 3 / 4);
		bg.b = (Uint8)(bg.b * 3 / 4);
	}
	if (w->border.a && bg.a)
		fill_ring(r, w->rect, w->radius, 4, w->border, bg);
	else if (w->border.a)
		fill_round(r, w->rect, w->radius, w->border);
	else if (bg.a)
		fill_round(r, w->rect, w->radius, bg);
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
