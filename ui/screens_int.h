/*
 * screens_int.h — what the screen builders (ui/screens_*.c) share: the
 * builder state, the widget helpers that take colours from the active
 * theme and sizes through the large-text factor, the header band and the
 * accessibility bar.
 *
 *   screens.c          app__build(): the dispatch, the header, the
 *                      accessibility bar, the "more time?" prompt, the
 *                      right-to-left mirror, the wipe of a dropped tree
 *   screens_walkin.c   welcome, services (two levels), issuing, ticket,
 *                      sorry, out of service
 *   screens_checkin.c  check-in by booking code and its outcomes
 *   screens_forms.c    forms: closed, list, pages, review, consent,
 *                      the wait and the receipt's reference
 *   screens_card.c     the ID card: place it and type the CAN, the
 *                      read's progress, consent before it fills a form
 *   screens_maint.c    the technician's PIN pad and maintenance view
 *
 * Builders do NOT change the app's state (app.c does); they read it.
 * Every visible string goes through _(); only numbers, codes the citizen
 * typed and the site's own names are shown untranslated.
 */
#ifndef BK_UI_SCREENS_INT_H
#define BK_UI_SCREENS_INT_H

#include <SDL.h>

#include "ui/app.h"
#include "ui/theme.h"

#define MARGIN 90
#define CONTENT_W (APP_W - 2 * MARGIN)
#define CONTENT_BOTTOM (APP_BAR_Y - 20) /* lowest pixel a screen may use */

/* Builder state: the first allocation failure sticks. */
struct build {
	struct widget *root;
	struct app *app;
	const struct theme *th;
	int large;                    /* large-text mode */
	int failed;
};

struct widget *scr_add(struct build *b, enum widget_kind kind,
		       const char *id, int x, int y, int w, int h);
/* A centred, wrapping label; size before the large-text factor. */
struct widget *scr_label(struct build *b, const char *id, const char *text,
			 SDL_Rect r, int size, int bold, SDL_Color color);
/* primary: filled with the theme's primary colour; else outlined. */
struct widget *scr_button(struct build *b, const char *id, const char *text,
			  SDL_Rect r, int size, int primary,
			  enum app_action act, int arg);
/* A label at r in one line, aligned to the start, cut with "…" to fit. */
struct widget *scr_line(struct build *b, const char *id, const char *text,
			SDL_Rect r, int size, int bold, SDL_Color color);
/* The largest size from size down to min at which every word of text fits
 * in width (scaled as drawn). */
int scr_fit_size(struct build *b, const char *text, int size, int min,
		 int width);
/* The largest size from size down to min at which text fits width on one
 * line (scaled as drawn); min when nothing fits. */
int scr_fit_line(struct build *b, const char *text, int size, int min,
		 int width);
/* The band at the top with the site's name. */
void scr_header(struct build *b);
/* A card: a box with the theme's card colour and border. */
struct widget *scr_card(struct build *b, const char *id, SDL_Rect r);

void screens_welcome(struct build *b);
void screens_services(struct build *b);
void screens_issuing(struct build *b);
void screens_ticket(struct build *b);
void screens_sorry(struct build *b);
void screens_out_of_service(struct build *b);
void screens_checkin(struct build *b);
void screens_checking(struct build *b);
void screens_checkin_result(struct build *b);
void screens_forms_check(struct build *b);
void screens_forms_closed(struct build *b);
void screens_forms(struct build *b);
void screens_form_page(struct build *b);
void screens_form_review(struct build *b);
void screens_form_consent(struct build *b);
void screens_submitting(struct build *b);
void screens_receipt(struct build *b);
void screens_card(struct build *b);
void screens_card_reading(struct build *b);
void screens_prefill_consent(struct build *b);
void screens_pin(struct build *b);
void screens_maintenance(struct build *b);

/* The PIN pad's dots and message in place (screens_maint.c). */
int screens__pin_fill(struct app *app, struct widget *root,
		      const char *msgid);
/* The CAN field, the read button and the progress bar in place. */
int screens__card_fill(struct app *app, struct widget *root);
/* The check-in fields' texts and the keys' labels in place. */
int screens__fields_fill(struct app *app, struct widget *root);

#endif
