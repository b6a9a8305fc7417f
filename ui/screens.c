/*
 * screens.c — the layout of each screen as a widget tree (1080×1920).
 *
 * One builder per screen; every visible string goes through _(). Colours
 * and sizes are chosen for a public kiosk: dark text on a light ground,
 * buttons at least 150 px tall, the ticket number very large. It does NOT
 * handle input or change state (app.c does).
 */
#include <stdio.h>
#include <string.h>

#include "ui/app.h"

#define MARGIN 90
#define CONTENT_W (APP_W - 2 * MARGIN)

static const SDL_Color C_PAGE = { 0xf4, 0xf5, 0xf7, 0xff };
static const SDL_Color C_INK = { 0x1b, 0x1f, 0x24, 0xff };
static const SDL_Color C_MUTED = { 0x4a, 0x55, 0x60, 0xff };
static const SDL_Color C_PRIMARY = { 0x00, 0x4b, 0x87, 0xff };
static const SDL_Color C_WHITE = { 0xff, 0xff, 0xff, 0xff };
static const SDL_Color C_LINE = { 0xc5, 0xcc, 0xd3, 0xff };
static const SDL_Color C_WARN_BG = { 0xff, 0xf1, 0xd6, 0xff };
static const SDL_Color C_WARN_LINE = { 0xb3, 0x5c, 0x00, 0xff };
static const SDL_Color C_WARN_INK = { 0x5a, 0x2e, 0x00, 0xff };

/* Language names are shown in their own language on every screen, so
 * they are not translated. */
static const struct {
	const char *code, *name;
} endonyms[] = {
	{ "de", "Deutsch" }, { "en", "English" }, { "tr", "Türkçe" },
	{ "uk", "Українська" }, { "ar", "العربية" },
};

static const char *endonym(const char *code)
{
	for (size_t i = 0; i < sizeof endonyms / sizeof endonyms[0]; i++)
		if (!strcmp(endonyms[i].code, code))
			return endonyms[i].name;
	return code;
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

/* The largest size from size down to min at which every word of text fits
 * in width: lines may wrap between words, but a long German compound must
 * not break in the middle. */
static int fit_size(struct app *app, const char *text, int size, int min,
		    int width)
{
	struct text_style st = { .size = size, .bold = 1 };

	for (; size > min; size -= 4) {
		st.size = size;
		if (widest_word(app, text, &st) <= width)
			break;
	}
	return size;
}

/* Builder state: the first allocation failure sticks. */
struct build {
	struct widget *root;
	int failed;
};

static struct widget *add(struct build *b, enum widget_kind kind,
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

static struct widget *label(struct build *b, const char *id, const char *text,
			    SDL_Rect r, int size, int bold, SDL_Color color)
{
	struct widget *w = add(b, WIDGET_LABEL, id, r.x, r.y, r.w, r.h);

	if (!w)
		return NULL;
	w->style = (struct text_style){ .size = size, .bold = bold,
					.color = color, .wrap = r.w,
					.align = TEXT_CENTER };
	if (widget_set_text(w, text) < 0)
		b->failed = 1;
	return w;
}

/* primary: filled blue with white text; else white with a blue border. */
static struct widget *button(struct build *b, const char *id,
			     const char *text, SDL_Rect r, int size,
			     int primary, enum app_action act, int arg)
{
	struct widget *w = add(b, WIDGET_BUTTON, id, r.x, r.y, r.w, r.h);

	if (!w)
		return NULL;
	w->style = (struct text_style){ .size = size, .bold = 1,
					.color = primary ? C_WHITE : C_PRIMARY,
					.wrap = r.w - 48, .align = TEXT_CENTER };
	w->bg = primary ? C_PRIMARY : C_WHITE;
	w->border = C_PRIMARY;
	w->radius = 24;
	w->action = act;
	w->arg = arg;
	if (widget_set_text(w, text) < 0)
		b->failed = 1;
	return w;
}

static void header(struct build *b, const struct app *app)
{
	struct widget *band = add(b, WIDGET_BOX, "header", 0, 0, APP_W, 200);

	if (band)
		band->bg = C_PRIMARY;
	label(b, "site-name", app->cfg->site_name,
	      (SDL_Rect){ MARGIN, 0, CONTENT_W, 200 }, 56, 1, C_WHITE);
}

static void build_welcome(struct build *b, struct app *app)
{
	const struct config *cfg = app->cfg;
	int n = cfg->n_languages, gap = 30, w;

	header(b, app);
	label(b, "welcome-title", _("Welcome"),
	      (SDL_Rect){ MARGIN, 420, CONTENT_W, 150 }, 110, 1, C_INK);
	label(b, "welcome-text", _("Draw a waiting number here."),
	      (SDL_Rect){ MARGIN, 600, CONTENT_W, 180 }, 56, 0, C_MUTED);
	button(b, "start", _("Draw a ticket"),
	       (SDL_Rect){ MARGIN, 880, CONTENT_W, 280 }, 80, 1, ACT_START, 0);
	if (n < 2)
		return;
	label(b, "lang-title", _("Language"),
	      (SDL_Rect){ MARGIN, 1460, CONTENT_W, 90 }, 48, 0, C_MUTED);
	w = (CONTENT_W - (n - 1) * gap) / n;
	for (int i = 0; i < n; i++) {
		char id[WIDGET_ID_MAX];
		int on = !strcmp(cfg->languages[i], app->lang);
		snprintf(id, sizeof id, "lang-%s", cfg->languages[i]);
		button(b, id, endonym(cfg->languages[i]),
		       (SDL_Rect){ MARGIN + i * (w + gap), 1570, w, 170 },
		       n > 3 ? 44 : 56, on, ACT_LANG, i);
	}
}

/* One button per service: a column, or two columns for many services. */
static void build_service_buttons(struct build *b, struct app *app)
{
	const struct config *cfg = app->cfg;
	int n = cfg->n_services, top = 440, avail = 1640 - top, gap = 24;
	int cols = 1, rows = n, h, w;

	h = rows ? (avail - (rows - 1) * gap) / rows : 0;
	if (h < 150) {
		cols = 2;
		rows = (n + 1) / 2;
		h = (avail - (rows - 1) * gap) / rows;
	}
	if (h > 190)
		h = 190;
	w = (CONTENT_W - (cols - 1) * gap) / cols;
	for (int i = 0; i < n; i++) {
		const struct config_service *s = &cfg->services[i];
		char id[WIDGET_ID_MAX];
		struct widget *wd;
		const char *name;
		SDL_Rect r = { MARGIN + (i % cols) * (w + gap),
			       top + (i / cols) * (h + gap), w, h };

		snprintf(id, sizeof id, "service-%s", s->id);
		name = i18n_service_name(app->i18n, s, app->lang);
		wd = button(b, id, name, r,
			    fit_size(app, name, cols == 1 ? 60 : 44, 36,
				     r.w - r.h - 32),
			    0, ACT_SERVICE, i);
		if (!wd)
			return;
		wd->style.color = C_INK;
		wd->style.align = TEXT_LEFT;
		wd->style.wrap = r.w - r.h - 32;
		wd->border = C_LINE;
		snprintf(wd->badge, sizeof wd->badge, "%c", s->letter);
		wd->badge_bg = C_PRIMARY;
		wd->badge_fg = C_WHITE;
	}
}

static void build_services(struct build *b, struct app *app)
{
	header(b, app);
	label(b, "services-title", _("What is your request?"),
	      (SDL_Rect){ MARGIN, 250, CONTENT_W, 150 }, 68, 1, C_INK);
	build_service_buttons(b, app);
	button(b, "back", _("Back"),
	       (SDL_Rect){ MARGIN, 1710, 440, 160 }, 56, 0, ACT_BACK, 0);
}

static void build_issuing(struct build *b, struct app *app)
{
	header(b, app);
	label(b, "issuing-text", _("Your ticket is being printed …"),
	      (SDL_Rect){ MARGIN, 760, CONTENT_W, 300 }, 76, 1, C_INK);
}

static void build_ticket_note(struct build *b, struct app *app)
{
	SDL_Rect r = { MARGIN, 1190, CONTENT_W, 360 };
	struct widget *w;

	if (app->printed < 0) {
		label(b, "ticket-note", _("Your ticket is being printed …"), r,
		      56, 0, C_MUTED);
		return;
	}
	if (app->printed) {
		label(b, "ticket-note", _("Please take your ticket."), r, 56, 0,
		      C_INK);
		return;
	}
	w = label(b, "ticket-note",
		  _("The ticket could not be printed. Please remember your number."),
		  r, 52, 1, C_WARN_INK);
	if (!w)
		return;
	w->bg = C_WARN_BG;
	w->border = C_WARN_LINE;
	w->radius = 20;
	w->style.wrap = r.w - 80;
}

static void build_ticket(struct build *b, struct app *app)
{
	const struct config_service *s =
		config_service(app->cfg, app->ticket.service_id);
	char num[16], ahead[256];
	struct widget *card;

	header(b, app);
	label(b, "ticket-title", _("Your number"),
	      (SDL_Rect){ MARGIN, 260, CONTENT_W, 100 }, 60, 0, C_MUTED);
	card = add(b, WIDGET_BOX, "ticket-card", MARGIN, 380, CONTENT_W, 440);
	if (card) {
		card->bg = C_WHITE;
		card->border = C_LINE;
		card->radius = 28;
	}
	label(b, "ticket-number", app->ticket.number,
	      (SDL_Rect){ MARGIN, 380, CONTENT_W, 440 }, 270, 1, C_INK);
	label(b, "ticket-service",
	      s ? i18n_service_name(app->i18n, s, app->lang) : "",
	      (SDL_Rect){ MARGIN, 870, CONTENT_W, 110 }, 64, 1, C_INK);
	snprintf(num, sizeof num, "%d", app->ticket.ahead);
	i18n_subst(ahead, sizeof ahead, _("People ahead of you: {n}"), "{n}",
		   num);
	label(b, "ticket-ahead", ahead,
	      (SDL_Rect){ MARGIN, 1010, CONTENT_W, 110 }, 60, 0, C_INK);
	if (app->ticket.ahead > 0) {
		snprintf(num, sizeof num, "%d", app->ticket.wait_minutes);
		i18n_subst(ahead, sizeof ahead,
			   _("Estimated wait: about {n} minutes"), "{n}", num);
		label(b, "ticket-wait", ahead,
		      (SDL_Rect){ MARGIN, 1110, CONTENT_W, 80 }, 44, 0,
		      C_MUTED);
	}
	build_ticket_note(b, app);
	button(b, "done", _("Done"),
	       (SDL_Rect){ MARGIN, 1680, CONTENT_W, 190 }, 68, 1, ACT_DONE, 0);
}

static void build_sorry(struct build *b, struct app *app)
{
	header(b, app);
	label(b, "sorry-title", _("We are sorry"),
	      (SDL_Rect){ MARGIN, 520, CONTENT_W, 160 }, 100, 1, C_INK);
	label(b, "sorry-text", i18n_text(app->sorry), /* N_() in app.c */
	      (SDL_Rect){ MARGIN, 720, CONTENT_W, 420 }, 60, 0, C_INK);
	button(b, "done", _("Done"),
	       (SDL_Rect){ MARGIN, 1680, CONTENT_W, 190 }, 68, 1, ACT_DONE, 0);
}

static void build_out_of_service(struct build *b, struct app *app)
{
	header(b, app);
	label(b, "oos-title", _("Out of service"),
	      (SDL_Rect){ MARGIN, 520, CONTENT_W, 160 }, 100, 1, C_INK);
	label(b, "oos-text",
	      _("This kiosk cannot issue tickets at the moment. Please ask at the reception desk."),
	      (SDL_Rect){ MARGIN, 720, CONTENT_W, 360 }, 60, 0, C_INK);
	label(b, "oos-detail", app->oos_detail,
	      (SDL_Rect){ 60, 1560, APP_W - 120, 300 }, 34, 0, C_MUTED);
}

int app__build(struct app *app)
{
	struct build b = { 0 };
	char id[WIDGET_ID_MAX];

	snprintf(id, sizeof id, "screen-%s", app_screen_name(app->screen));
	b.root = widget_create(NULL, WIDGET_BOX, id, 0, 0, APP_W, APP_H);
	if (!b.root)
		return -1;
	b.root->bg = C_PAGE;
	switch (app->screen) {
	case APP_WELCOME: build_welcome(&b, app); break;
	case APP_SERVICES: build_services(&b, app); break;
	case APP_ISSUING: build_issuing(&b, app); break;
	case APP_TICKET: build_ticket(&b, app); break;
	case APP_SORRY: build_sorry(&b, app); break;
	case APP_OUT_OF_SERVICE: build_out_of_service(&b, app); break;
	}
	if (b.failed) {
		widget_destroy(b.root);
		return -1;
	}
	widget_destroy(app->root);
	app->root = b.root;
	return 0;
}
