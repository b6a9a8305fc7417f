/*
 * input.h — SDL's pointer and key events to the app: one pointer channel.
 *
 * A touch screen delivers SDL_FINGER* events, and SDL adds mouse events
 * made from them (which == SDL_TOUCH_MOUSEID); a mouse delivers
 * SDL_MOUSE* events, and SDL may add finger events made from them
 * (touchId == SDL_MOUSE_TOUCHID). Both kinds of synthesised events are
 * dropped, so one press reaches app_pointer() once, whichever device made
 * it. Of several fingers only the first counts until it is lifted; while
 * a finger is down the mouse is ignored.
 *
 * It does NOT read the event queue (ui/main.c does; scripts build events
 * and call input_event() the same way) or handle SDL_QUIT.
 */
#ifndef BK_UI_INPUT_H
#define BK_UI_INPUT_H

#include <SDL.h>

#include "ui/app.h"

struct input {
	SDL_FingerID finger;          /* the finger that counts */
	int finger_down;
};

void input_init(struct input *in);

/* Hands e to the app (app_pointer / app_pointer_move / app_key /
 * app_text). win is the window, or NULL for the headless 1080×1920
 * surface: finger coordinates (0..1) are scaled to it. */
void input_event(struct input *in, struct app *app, SDL_Window *win,
		 const SDL_Event *e);

#endif
