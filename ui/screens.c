/*
 * screens.c — what every screen shares (screens_int.h): the widget helpers
 * with the active theme's colours and the large-text factor, the header,
 * the accessibility bar at the bottom, the "Do you need more time?"
 * prompt, and app__build() which puts a screen together.
 *
 * The accessibility bar sits at the bottom edge, where a person in a
 * wheelchair reaches it, on every citizen screen; the speech button is
 * the largest of the three and always in the same place (bottom left), so
 * a citizen who cannot see the screen finds it by touch.
 *
 * It does NOT handle input or change state (app.c does).
 */
#include <stdio.h>
#include <string.h>

#include "firmware/util.h"
#include "ui/screens_int.h"

struct widget *scr_add(struct build *b, enum widget_kind kind,
		       const char *id, int x, int y, int w, int h)
{
	struct widget *wd;

	if (b->failed)
		return NULL;
	wd = widget_create(b->root, kind, id, x, y, w, h);
	if (!wd)
		b->failed = 1;
	return wd;
}

struct widget *scr_label(struct build *b, const char *id, const char *text,
			 SDL_Rect r, int size, int bold, SDL_Color color)
{
	struct widget *w = scr_add(b, WIDGET_LABEL, id, r.x, r.y, r.w, r.h);

	if (!w)
		return NULL;
	w->style = (struct text_style){ .size = theme_text_px(size, b->large),
					.bold = bold, .color = color,
					.wrap = r.w, .align = TEXT_CENTER };
	if (widget_set_text(w, text) < 0)
		b->failed = 1;
	return w;
}

struct widget *scr_button(struct build *b, const char *id, const char *text,
			  SDL_Rect r, int size, int primary,
			  enum app_action act, int arg)
{
	struct widget *w = scr_add(b, WIDGET_BUTTON, id, r.x, r.y, r.w, r.h);
	const struct theme *th = b->th;

	if (!w)
		return NULL;
	w->style = (struct text_style){ .size = theme_text_px(size, b->large),
					.bold = 1,
					.color = primary ? th->on_primary
							 : th->button_ink,
					.wrap = r.w - 48, .align = TEXT_CENTER };
	w->bg = primary ? th->primary : th->button_bg;
	w->border = primary ? th->primary : th->button_border;
	w->radius = 24;
	w->action = act;
	w->arg = arg;
	if (widget_set_text(w, text) < 0)
		b->failed = 1;
	return w;
}

struct widget *scr_card(struct build *b, const char *id, SDL_Rect r)
{
	struct widget *w = scr_add(b, WIDGET_BOX, id, r.x, r.y, r.w, r.h);

	if (w) {
		w->bg = b->th->card;
		w->border = b->th->line;
		w->radius = 24;
	}
	return w;
}

/* The width of the widest word of text in st. */
static int widest_word(struct app *app, const char *text,
		       const struct text_style *st)
{
	char word[CONFIG_TEXT_MAX];
	int widest = 0;

	while (*text) {
		size_t n = strcspn(text, " ");
		int w = 0, h = 0;
		if (n >= sizeof word)
			n = sizeof word - 1;
		memcpy(word, text, n);
		word[n] = '\0';
		if (n && text_measure(app->text, word, st, &w, &h) == 0 &&
		    w > widest)
			widest = w;
		text += n;
		text += strspn(text, " ");
	}
	return widest;
}

/* Lines may wrap between words, but a long German compound must not
 * break in the middle. */
int scr_fit_size(struct build *b, const char *text, int size, int min,
		 int width)
{
	struct text_style st = { .size = size, .bold = 1 };

	for (; size > min; size -= 4) {
		st.size = theme_text_px(size, b->large);
		if (widest_word(b->app, text, &st) <= width)
			break;
	}
	return size;
}

/* Cuts s (UTF-8) at a character boundary and ends it with "…" until it
 * fits one line of width in st: a long message must not run into the
 * next row. */
static void fit_line(struct app *app, char *s, size_t cap,
		     const struct text_style *st, int width)
{
	size_t n = strlen(s);
	int w = 0, h = 0;

	if (text_measure(app->text, s, st, &w, &h) < 0 || w <= width)
		return;
	while (n > 0) {
		do
			n--;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80);
		if (n + 4 > cap)
			continue;
		memcpy(s + n, "\u2026", 4);
		if (text_measure(app->text, s, st, &w, &h) == 0 && w <= width)
			return;
	}
}

struct widget *scr_line(struct build *b, const char *id, const char *text,
			SDL_Rect r, int size, int bold, SDL_Color color)
{
	struct text_style st = { .size = theme_text_px(size, b->large),
				 .bold = bold };
	char buf[512];
	struct widget *w;

	snprintf(buf, sizeof buf, "%s", text);
	fit_line(b->app, buf, sizeof buf, &st, r.w);
	w = scr_label(b, id, buf, r, size, bold, color);
	if (w) {
		w->style.align = TEXT_LEFT;
		w->style.wrap = 0;
	}
	return w;
}

void scr_header(struct build *b)
{
	struct widget *band = scr_add(b, WIDGET_BOX, "header", 0, 0, APP_W,
				      APP_HEADER_H);

	if (band)
		band->bg = b->th->header_bg;
	scr_label(b, "site-name", b->app->cfg->site_name,
		  (SDL_Rect){ MARGIN, 0, CONTENT_W, APP_HEADER_H }, 56, 1,
		  b->th->header_ink);
}

/* The largest size from size down to min at which text fits width on
 * one line (scaled as drawn): the bar's labels must not wrap out of
 * their buttons in large-text mode. */
int scr_fit_line(struct build *b, const char *text, int size, int min,
		 int width)
{
	struct text_style st = { .bold = 1 };
	int w = 0, h = 0;

	for (; size > min; size -= 2) {
		st.size = theme_text_px(size, b->large);
		if (text_measure(b->app->text, text, &st, &w, &h) == 0 &&
		    w <= width)
			break;
	}
	return size;
}

/* Speech, contrast, large text: a toggle shows "on" by being filled. */
static void a11y_bar(struct build *b)
{
	const struct app_a11y *a = &b->app->a11y;
	int y = APP_BAR_Y + 10, h = APP_H - APP_BAR_Y - 30;
	/* a line over the bar, not a band: the page is already there */
	struct widget *band = scr_add(b, WIDGET_BOX, "a11y-bar", 0, APP_BAR_Y,
				      APP_W, 4);
	const char *t;

	if (band)
		band->bg = b->th->line;
	t = a->speech ? _("Speech on") : _("Read aloud");
	scr_button(b, "a11y-speech", t, (SDL_Rect){ 30, y, 460, h },
		   scr_fit_line(b, t, 48, 24, 460 - 56), a->speech,
		   ACT_SPEECH, 0);
	t = _("Contrast");
	scr_button(b, "a11y-contrast", t, (SDL_Rect){ 510, y, 260, h },
		   scr_fit_line(b, t, 40, 22, 260 - 56), a->contrast,
		   ACT_CONTRAST, 0);
	t = _("Large text");
	scr_button(b, "a11y-large", t, (SDL_Rect){ 790, y, 260, h },
		   scr_fit_line(b, t, 40, 22, 260 - 56), a->large, ACT_LARGE,
		   0);
}

/* Over the whole screen: nothing under it takes a press (app.c hit-tests
 * only inside "more-time"). */
static void more_time_prompt(struct build *b)
{
	const struct theme *th = b->th;
	char secs[16], text[256];
	struct widget *box;
	struct build sub = *b;

	box = scr_add(b, WIDGET_BOX, "more-time", 0, 0, APP_W, APP_H);
	if (!box)
		return;
	box->bg = th->page;
	sub.root = box;
	scr_card(&sub, "more-time-card",
		 (SDL_Rect){ 60, 420, APP_W - 120, 1000 });
	scr_label(&sub, "more-time-title", _("Do you need more time?"),
		  (SDL_Rect){ 120, 480, APP_W - 240, 220 }, 80, 1, th->ink);
	snprintf(secs, sizeof secs, "%d", b->app->cfg->more_time_seconds);
	i18n_subst(text, sizeof text,
		   _("Otherwise everything you entered is deleted in {n} seconds."),
		   "{n}", secs);
	scr_label(&sub, "more-time-text", text,
		  (SDL_Rect){ 120, 720, APP_W - 240, 240 }, 52, 0, th->ink);
	scr_button(&sub, "more-time-yes", _("Yes, I need more time"),
		   (SDL_Rect){ 120, 1000, APP_W - 240, 180 }, 60, 1,
		   ACT_MORE_TIME, 0);
	scr_button(&sub, "more-time-no", _("No, end"),
		   (SDL_Rect){ 120, 1210, APP_W - 240, 160 }, 56, 0,
		   ACT_END_SESSION, 0);
	if (sub.failed)
		b->failed = 1;
}

static int citizen_screen(enum app_screen s)
{
	return s != APP_PIN && s != APP_MAINTENANCE &&
	       s != APP_OUT_OF_SERVICE;
}

void app__wipe_tree(struct widget *w)
{
	if (!w)
		return;
	if (w->text)
		util_wipe(w->text, strlen(w->text));
	for (int i = 0; i < w->n_children; i++)
		app__wipe_tree(w->children[i]);
}

int app__build(struct app *app)
{
	int tech = !citizen_screen(app->screen);
	struct build b = { .app = app };
	char id[WIDGET_ID_MAX];

	/* the technician's screens keep the normal look */
	b.th = theme_get(!tech && app->a11y.contrast ? THEME_HIGH_CONTRAST
						     : THEME_NORMAL);
	b.large = !tech && app->a11y.large;
	snprintf(id, sizeof id, "screen-%s", app_screen_name(app->screen));
	b.root = widget_create(NULL, WIDGET_BOX, id, 0, 0, APP_W, APP_H);
	if (!b.root)
		return -1;
	b.root->bg = b.th->page;
	switch (app->screen) {
	case APP_WELCOME: screens_welcome(&b); break;
	case APP_SERVICES: screens_services(&b); break;
	case APP_ISSUING: screens_issuing(&b); break;
	case APP_TICKET: screens_ticket(&b); break;
	case APP_SORRY: screens_sorry(&b); break;
	case APP_OUT_OF_SERVICE: screens_out_of_service(&b); break;
	case APP_PIN: screens_pin(&b); break;
	case APP_MAINTENANCE: screens_maintenance(&b); break;
	case APP_CHECKIN: screens_checkin(&b); break;
	case APP_CHECKING: screens_checking(&b); break;
	case APP_CHECKIN_RESULT: screens_checkin_result(&b); break;
	case APP_FORMS_CHECK: screens_forms_check(&b); break;
	case APP_FORMS_CLOSED: screens_forms_closed(&b); break;
	case APP_FORMS: screens_forms(&b); break;
	case APP_FORM_PAGE: screens_form_page(&b); break;
	case APP_FORM_REVIEW: screens_form_review(&b); break;
	case APP_FORM_CONSENT: screens_form_consent(&b); break;
	case APP_SUBMITTING: screens_submitting(&b); break;
	case APP_RECEIPT: screens_receipt(&b); break;
	case APP_CARD: screens_card(&b); break;
	case APP_CARD_READING: screens_card_reading(&b); break;
	case APP_PREFILL_CONSENT: screens_prefill_consent(&b); break;
	}
	if (!tech)
		a11y_bar(&b);
	if (app->more_time)
		more_time_prompt(&b);
	if (!b.failed && !strcmp(app->lang, "ar")) {
		struct widget *kb = widget_find(b.root, "keyboard");
		struct widget *card = widget_find(b.root, "card-picture");
		widget_mirror(b.root, APP_W);
		if (kb) /* keys keep their places in any direction */
			widget_mirror(kb, APP_W);
		if (card) /* a picture of the real card: as it is */
			widget_mirror(card, APP_W);
	}
	if (b.failed) {
		app__wipe_tree(b.root);
		widget_destroy(b.root);
		return -1;
	}
	app__wipe_tree(app->root);
	widget_destroy(app->root);
	app->root = b.root;
	return 0;
}

void app__pin_update(struct app *app, const char *msgid)
{
	if (screens__pin_fill(app, app->root, msgid) < 0)
		app->failed = 1;
	app->dirty = 1;
}

void app__fields_update(struct app *app)
{
	if ((app->screen == APP_FORM_PAGE
		     ? screens__form_fill(app, app->root)
		     : app__card_screen(app->screen)
		     ? screens__card_fill(app, app->root)
		     : screens__fields_fill(app, app->root)) < 0)
		app->failed = 1;
	app->dirty = 1;
}
