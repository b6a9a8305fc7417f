/*
 * screens_card.c — the ID card screens: place the card and type its CAN
 * (with a drawing of a card that shows where the CAN is printed: boxes
 * and text, no copied image), the progress of the read, and the consent
 * before a card fills a form.
 *
 * The CAN field shows the digits typed (it is printed on the card, not a
 * secret like a PIN); no screen here shows anything read from the card.
 * It does NOT handle input (app_idcard.c).
 */
#include <stdio.h>
#include <string.h>

#include "ui/screens_int.h"

#define CARD_X 190
#define CARD_Y 330
#define CARD_W 700
#define CARD_H 440
#define STEPS 4

static struct widget *box(struct build *b, const char *id, SDL_Rect r,
			  SDL_Color bg, SDL_Color border, int radius)
{
	struct widget *w = scr_add(b, WIDGET_BOX, id, r.x, r.y, r.w, r.h);

	if (w) {
		w->bg = bg;
		w->border = border;
		w->radius = radius;
	}
	return w;
}

/* The front of an ID card (ID-1, 85.6 × 54 mm): a photo, lines of
 * text, and the six-digit CAN at the bottom right, marked. */
static void card_picture(struct build *b)
{
	const struct theme *th = b->th;
	SDL_Color none = { 0, 0, 0, 0 };
	struct widget *pic, *root = b->root;

	pic = box(b, "card-picture", (SDL_Rect){ CARD_X, CARD_Y, CARD_W,
						  CARD_H }, th->card, th->line,
		  28);
	if (!pic)
		return;
	/* the parts are the picture's children, so that a right-to-left
	 * screen can keep the picture as the card is (app__build) */
	b->root = pic;
	box(b, "card-band", (SDL_Rect){ CARD_X + 4, CARD_Y + 24, CARD_W - 8,
					 44 }, th->line, none, 0);
	box(b, "card-photo", (SDL_Rect){ CARD_X + 30, CARD_Y + 90, 180, 230 },
	    th->line, none, 12);
	for (int i = 0; i < 5; i++) {
		char id[WIDGET_ID_MAX];
		snprintf(id, sizeof id, "card-line-%d", i);
		box(b, id, (SDL_Rect){ CARD_X + 240, CARD_Y + 100 + i * 44,
				       i % 2 ? 260 : 380, 18 },
		    th->line, none, 6);
	}
	box(b, "card-can", (SDL_Rect){ CARD_X + CARD_W - 250,
				       CARD_Y + CARD_H - 100, 220, 70 },
	    th->card, th->focus, 12);
	scr_label(b, "card-can-digits", "123456",
		  (SDL_Rect){ CARD_X + CARD_W - 250, CARD_Y + CARD_H - 100,
			      220, 70 }, 40, 1, th->ink);
	{
		char t[128];
		struct widget *l;
		/* the arrow points at the box on the right: in a right-to-left
		 * sentence it goes first, which is its right end */
		if (!strcmp(b->app->lang, "ar"))
			snprintf(t, sizeof t, "\u2192 %s", _("CAN"));
		else
			snprintf(t, sizeof t, "%s \u2192", _("CAN"));
		l = scr_label(b, "card-can-label", t,
			      (SDL_Rect){ CARD_X + 20, CARD_Y + CARD_H - 100,
					  CARD_W - 290, 70 }, 30, 1, th->ink);
		if (l)
			l->style.align = TEXT_RIGHT;
	}
	b->root = root;
}

static int can_ready(const struct app *app)
{
	return app->can_tb.len == 6 && app->card_present;
}

void screens_card(struct build *b)
{
	struct app *app = b->app;
	const struct theme *th = b->th;
	struct keyboard_colors kc = { th->key_bg, th->key_ink, th->key_border,
				      th->fn_key_bg, th->fn_key_ink };
	const char *status;
	struct widget *w;

	scr_header(b);
	scr_label(b, "card-title",
		  app->card_prefill ? _("Fill in from your ID card")
				    : _("Check in with your ID card"),
		  (SDL_Rect){ MARGIN, 212, CONTENT_W, 110 }, 46, 1, th->ink);
	card_picture(b);
	status = app->card_msg ? i18n_text(app->card_msg) /* N_() */
		: app->card_present
			? _("Your card is on the reader. Please type the six digits of its CAN.")
			: _("Please place your ID card on the reader and type the six digits printed at the bottom right of its front (CAN).");
	scr_label(b, app->card_msg ? "card-message" : "card-status", status,
		  (SDL_Rect){ MARGIN, 830, CONTENT_W, 110 }, 34,
		  app->card_msg != NULL,
		  app->card_msg ? th->error_ink : th->muted);
	w = scr_button(b, "card-can-field", app->can_tb.data,
		       (SDL_Rect){ 240, 950, 600, 100 }, 60, 0, ACT_NONE, 0);
	if (w) {
		w->bg = th->field_bg;
		w->style.color = th->field_ink;
		w->border = th->focus;
		w->radius = 12;
	}
	if (!b->failed &&
	    !keyboard_build(b->root, &app->kb, 240, 1070, 600, 460,
			    theme_min_target_px(app->cfg), &kc))
		b->failed = 1;
	scr_button(b, "back", _("Back"),
		   (SDL_Rect){ MARGIN, 1560, 380, 150 }, 52, 0, ACT_BACK, 0);
	scr_button(b, "card-read", _("Read card"),
		   (SDL_Rect){ APP_W - MARGIN - 480, 1560, 480, 150 }, 46,
		   can_ready(app), ACT_CARD_READ, 0);
}

void screens_card_reading(struct build *b)
{
	const struct theme *th = b->th;
	SDL_Color none = { 0, 0, 0, 0 };
	int step = b->app->card_step;
	struct widget *bar;

	if (step > STEPS)
		step = STEPS;
	scr_header(b);
	scr_label(b, "reading-title", _("Reading your ID card …"),
		  (SDL_Rect){ MARGIN, 560, CONTENT_W, 160 }, 72, 1, th->ink);
	scr_label(b, "reading-text",
		  _("Please leave the card on the reader until it has been read."),
		  (SDL_Rect){ MARGIN, 760, CONTENT_W, 160 }, 48, 0, th->ink);
	box(b, "reading-progress", (SDL_Rect){ MARGIN, 980, CONTENT_W, 70 },
	    th->card, th->line, 20);
	bar = box(b, "reading-bar",
		  (SDL_Rect){ MARGIN + 6, 986,
			      (CONTENT_W - 12) * (step + 1) / (STEPS + 1),
			      58 }, th->primary, none, 16);
	(void)bar;
}

int screens__card_fill(struct app *app, struct widget *root)
{
	const struct theme *th = theme_get(app->a11y.contrast
					   ? THEME_HIGH_CONTRAST
					   : THEME_NORMAL);
	struct widget *f = widget_find(root, "card-can-field");
	struct widget *go = widget_find(root, "card-read");
	struct widget *kb = widget_find(root, "keyboard");
	struct widget *bar = widget_find(root, "reading-bar");
	int ready = can_ready(app);

	if (f && widget_set_text(f, app->can_tb.data) < 0)
		return -1;
	if (go) {
		go->bg = ready ? th->primary : th->button_bg;
		go->border = ready ? th->primary : th->button_border;
		go->style.color = ready ? th->on_primary : th->button_ink;
	}
	if (bar) {
		int step = app->card_step > STEPS ? STEPS : app->card_step;
		bar->rect.w = (CONTENT_W - 12) * (step + 1) / (STEPS + 1);
	}
	return kb ? keyboard_relabel(kb, &app->kb) : 0;
}

void screens_prefill_consent(struct build *b)
{
	const struct theme *th = b->th;

	scr_header(b);
	scr_label(b, "prefill-title", _("Fill in from your ID card?"),
		  (SDL_Rect){ MARGIN, 260, CONTENT_W, 200 }, 68, 1, th->ink);
	scr_card(b, "prefill-card", (SDL_Rect){ 60, 500, APP_W - 120, 700 });
	scr_label(b, "prefill-text",
		  _("The kiosk reads your surname, given names, date of birth and nationality from the chip of your ID card and puts them into this form. You can still change them. Nothing from the card is stored on this kiosk: it is deleted as soon as the form is filled in."),
		  (SDL_Rect){ 110, 530, APP_W - 220, 640 }, 44, 0, th->ink);
	scr_button(b, "back", _("No, thank you"),
		   (SDL_Rect){ MARGIN, 1560, 380, 150 }, 48, 0, ACT_BACK, 0);
	scr_button(b, "prefill-ok", _("Yes, read my card"),
		   (SDL_Rect){ APP_W - MARGIN - 480, 1560, 480, 150 }, 52, 1,
		   ACT_PREFILL_OK, 0);
}
