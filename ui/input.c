/*
 * input.c — one pointer channel from SDL's events (input.h).
 */
#include "ui/input.h"

void input_init(struct input *in)
{
	in->finger = -1;
	in->finger_down = 0;
}

static void finger_to_logical(SDL_Renderer *r, SDL_Window *win, float fx,
			      float fy, int *x, int *y)
{
	int ww = APP_W, wh = APP_H;
	float lx, ly;

	if (!win) { /* headless: the surface is the logical size */
		*x = (int)(fx * APP_W);
		*y = (int)(fy * APP_H);
		return;
	}
	SDL_GetWindowSize(win, &ww, &wh);
	SDL_RenderWindowToLogical(r, (int)(fx * ww), (int)(fy * wh), &lx, &ly);
	*x = (int)lx;
	*y = (int)ly;
}

static void finger(struct input *in, struct app *app, SDL_Window *win,
		   const SDL_TouchFingerEvent *f, Uint32 type)
{
	int x, y;

	if (f->touchId == SDL_MOUSE_TOUCHID)
		return; /* made from a mouse: the mouse event counts */
	if (type == SDL_FINGERDOWN && in->finger_down)
		return; /* a second finger */
	if (type != SDL_FINGERDOWN &&
	    (!in->finger_down || f->fingerId != in->finger))
		return;
	finger_to_logical(app->r, win, f->x, f->y, &x, &y);
	if (type == SDL_FINGERMOTION) {
		app_pointer_move(app, x, y);
		return;
	}
	in->finger_down = type == SDL_FINGERDOWN;
	in->finger = f->fingerId;
	app_pointer(app, in->finger_down, x, y);
}

void input_event(struct input *in, struct app *app, SDL_Window *win,
		 const SDL_Event *e)
{
	switch (e->type) {
	case SDL_FINGERDOWN:
	case SDL_FINGERUP:
	case SDL_FINGERMOTION:
		finger(in, app, win, &e->tfinger, e->type);
		break;
	case SDL_MOUSEBUTTONDOWN:
	case SDL_MOUSEBUTTONUP:
		if (e->button.which == SDL_TOUCH_MOUSEID || in->finger_down)
			break; /* made from a touch: the finger event counts */
		if (e->button.button == SDL_BUTTON_LEFT)
			app_pointer(app, e->type == SDL_MOUSEBUTTONDOWN,
				    e->button.x, e->button.y);
		break;
	case SDL_MOUSEMOTION:
		if (e->motion.which != SDL_TOUCH_MOUSEID && !in->finger_down &&
		    (e->motion.state & SDL_BUTTON_LMASK))
			app_pointer_move(app, e->motion.x, e->motion.y);
		break;
	case SDL_KEYDOWN:
		app_key(app, e->key.keysym.sym);
		break;
	case SDL_TEXTINPUT:
		app_text(app, e->text.text);
		break;
	case SDL_WINDOWEVENT:
		app->dirty = 1;
		break;
	}
}
