/*
 * screens_walkin.c — the welcome screen and the walk-in ticket: services
 * in up to two levels (a group's button opens its services), the screen
 * that waits for the store, the ticket, "sorry" and out of service.
 *
 * Sizes are for a public kiosk: buttons at least 150 px tall (37 mm on the
 * default panel, theme.h), the ticket number very large. Nothing here
 * shows a name: the ticket screen shows a number and a service.
 */
#include <stdio.h>
#include <string.h>

#include "ui/screens_int.h"

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

/* Up to three languages a row, at the bottom of the welcome screen. */
static void language_grid(struct build *b)
{
	const struct config *cfg = b->app->cfg;
	int n = cfg->n_languages, gap = 24, cols = n < 3 ? n : 3;
	int rows = (n + cols - 1) / cols, h = 150, w;
	int top = CONTENT_BOTTOM - rows * h - (rows - 1) * gap;

	if (n < 2)
		return;
	scr_label(b, "lang-title", _("Language"),
		  (SDL_Rect){ MARGIN, top - 90, CONTENT_W, 80 }, 44, 0,
		  b->th->muted);
	w = (CONTENT_W - (cols - 1) * gap) / cols;
	for (int i = 0; i < n; i++) {
		char id[WIDGET_ID_MAX];
		const char *name = endonym(cfg->languages[i]);
		int on = !strcmp(cfg->languages[i], b->app->lang);
		SDL_Rect r = { MARGIN + (i % cols) * (w + gap),
			       top + (i / cols) * (h + gap), w, h };

		snprintf(id, sizeof id, "lang-%s", cfg->languages[i]);
		scr_button(b, id, name, r,
			   scr_fit_size(b, name, 52, 28, w - 56), on,
			   ACT_LANG, i);
	}
}

void screens_welcome(struct build *b)
{
	const struct theme *th = b->th;

	scr_header(b);
	scr_label(b, "welcome-title", _("Welcome"),
		  (SDL_Rect){ MARGIN, 250, CONTENT_W, 150 }, 110, 1, th->ink);
	scr_label(b, "welcome-text", _("Please choose what you need."),
		  (SDL_Rect){ MARGIN, 410, CONTENT_W, 130 }, 52, 0, th->muted);
	struct app *app = b->app;
	int card = app->card && app->card_reader;
	int y = card ? 790 : 830, h = card ? 150 : 190, gap = card ? 20 : 30;

	scr_button(b, "start", _("Draw a ticket"),
		   (SDL_Rect){ MARGIN, 560, CONTENT_W, 210 }, 76, 1, ACT_START,
		   0);
	scr_button(b, "checkin", _("Check in for an appointment"),
		   (SDL_Rect){ MARGIN, y, CONTENT_W, h }, 52, 0, ACT_CHECKIN,
		   0);
	y += h + gap;
	if (card) {
		scr_button(b, "idcard", _("Check in with your ID card"),
			   (SDL_Rect){ MARGIN, y, CONTENT_W, h }, 52, 0,
			   ACT_IDCARD, 0);
		y += h + gap;
	}
	if (app->forms && app->forms->n)
		scr_button(b, "forms", _("Fill in a form"),
			   (SDL_Rect){ MARGIN, y, CONTENT_W, h }, 52, 0,
			   ACT_FORMS, 0);
	language_grid(b);
}

/* The services of level 1 (ungrouped services and one button per group,
 * where its first service stands) or of the group of app->group. */
static int service_entries(const struct app *app, int *idx, int max)
{
	const struct config *cfg = app->cfg;
	const char *group = app->group >= 0 ? cfg->services[app->group].group
					    : NULL;
	int n = 0;

	for (int i = 0; i < cfg->n_services && n < max; i++) {
		const struct config_service *s = &cfg->services[i];
		int first = 1;
		if (group) {
			if (!strcmp(s->group, group))
				idx[n++] = i;
			continue;
		}
		for (int j = 0; j < i && s->group[0]; j++)
			if (!strcmp(cfg->services[j].group, s->group))
				first = 0;
		if (first)
			idx[n++] = i;
	}
	return n;
}

/* One button per entry: a column, or two columns for many. */
static void service_buttons(struct build *b)
{
	const struct app *app = b->app;
	const struct config *cfg = app->cfg;
	int idx[CONFIG_MAX_SERVICES];
	int n = service_entries(app, idx, CONFIG_MAX_SERVICES);
	int top = 420, gap = 24;
	int avail = (app->cfg->priority_ticket ? 1440 : 1520) - top;
	int cols = 1, rows = n, h, w;

	h = rows ? (avail - (rows - 1) * gap) / rows : 0;
	if (h < 150) {
		cols = 2;
		rows = (n + 1) / 2;
		h = (avail - (rows - 1) * gap) / rows;
	}
	if (h > 180)
		h = 180;
	w = (CONTENT_W - (cols - 1) * gap) / cols;
	for (int k = 0; k < n; k++) {
		const struct config_service *s = &cfg->services[idx[k]];
		int is_group = app->group < 0 && s->group[0];
		char id[WIDGET_ID_MAX];
		struct widget *wd;
		const char *name;
		SDL_Rect r = { MARGIN + (k % cols) * (w + gap),
			       top + (k / cols) * (h + gap), w, h };

		snprintf(id, sizeof id, "%s-%s",
			 is_group ? "group" : "service", s->id);
		name = is_group ? i18n_text(s->group)
				: i18n_service_name(app->i18n, s, app->lang);
		wd = scr_button(b, id, name, r,
				scr_fit_size(b, name, cols == 1 ? 58 : 44, 32,
					     r.w - r.h - 32),
				0, is_group ? ACT_GROUP : ACT_SERVICE, idx[k]);
		if (!wd)
			return;
		wd->style.color = b->th->ink;
		wd->style.align = TEXT_LEFT;
		wd->style.wrap = r.w - r.h - 32;
		wd->border = b->th->line;
		wd->badge_bg = b->th->badge_bg;
		wd->badge_fg = b->th->badge_ink;
		/* a group shows "…" where a service shows its letter */
		snprintf(wd->badge, sizeof wd->badge, "%s",
			 is_group ? "\u2026" : (char[2]){ s->letter, 0 });
	}
}

void screens_services(struct build *b)
{
	const struct app *app = b->app;
	const char *title = app->group >= 0
		? i18n_text(app->cfg->services[app->group].group)
		: _("What is your request?");

	scr_header(b);
	scr_label(b, "services-title", title,
		  (SDL_Rect){ MARGIN, 240, CONTENT_W, 160 }, 64, 1, b->th->ink);
	service_buttons(b);
	scr_button(b, "back", _("Back"),
		   (SDL_Rect){ MARGIN, 1560, 380, 150 }, 56, 0, ACT_BACK, 0);
	if (app->cfg->priority_ticket) {
		const char *t = app->priority ? _("Priority ✓")
					      : _("I need priority");
		scr_button(b, "priority", t,
			   (SDL_Rect){ MARGIN + 410, 1560, CONTENT_W - 410,
				       150 },
			   scr_fit_size(b, t, 48, 30, CONTENT_W - 410 - 48),
			   app->priority, ACT_PRIORITY, 0);
		scr_label(b, "priority-help",
			  _("For example with reduced mobility or in pregnancy."),
			  (SDL_Rect){ MARGIN, 1462, CONTENT_W, 80 }, 30, 0,
			  b->th->muted);
	}
}

void screens_issuing(struct build *b)
{
	scr_header(b);
	scr_label(b, "issuing-text", _("Your ticket is being printed …"),
		  (SDL_Rect){ MARGIN, 760, CONTENT_W, 300 }, 76, 1,
		  b->th->ink);
}

static void ticket_note(struct build *b)
{
	SDL_Rect r = { MARGIN, 1200, CONTENT_W, 310 };
	const struct theme *th = b->th;
	struct widget *w;

	if (b->app->printed < 0) {
		scr_label(b, "ticket-note", _("Your ticket is being printed …"),
			  r, 56, 0, th->muted);
		return;
	}
	if (b->app->printed) {
		scr_label(b, "ticket-note", _("Please take your ticket."), r,
			  56, 0, th->ink);
		return;
	}
	w = scr_label(b, "ticket-note",
		      _("The ticket could not be printed. Please remember your number."),
		      r, 52, 1, th->warn_ink);
	if (!w)
		return;
	w->bg = th->warn_bg;
	w->border = th->warn_line;
	w->radius = 20;
	w->style.wrap = r.w - 80;
}

void screens_ticket(struct build *b)
{
	struct app *app = b->app;
	const struct theme *th = b->th;
	const struct config_service *s =
		config_service(app->cfg, app->ticket.service_id);
	char num[16], ahead[256];

	scr_header(b);
	scr_label(b, "ticket-title", _("Your number"),
		  (SDL_Rect){ MARGIN, 250, CONTENT_W, 100 }, 60, 0, th->muted);
	scr_card(b, "ticket-card", (SDL_Rect){ MARGIN, 370, CONTENT_W, 440 });
	scr_label(b, "ticket-number", app->ticket.number,
		  (SDL_Rect){ MARGIN, 370, CONTENT_W, 440 }, 270, 1, th->ink);
	scr_label(b, "ticket-service",
		  s ? i18n_service_name(app->i18n, s, app->lang) : "",
		  (SDL_Rect){ MARGIN, 850, CONTENT_W, 120 }, 60, 1, th->ink);
	snprintf(num, sizeof num, "%d", app->ticket.ahead);
	i18n_subst(ahead, sizeof ahead, _("People ahead of you: {n}"), "{n}",
		   num);
	scr_label(b, "ticket-ahead", ahead,
		  (SDL_Rect){ MARGIN, 990, CONTENT_W, 100 }, 56, 0, th->ink);
	if (app->ticket.ahead > 0) {
		snprintf(num, sizeof num, "%d", app->ticket.wait_minutes);
		i18n_subst(ahead, sizeof ahead,
			   _("Estimated wait: about {n} minutes"), "{n}", num);
		scr_label(b, "ticket-wait", ahead,
			  (SDL_Rect){ MARGIN, 1100, CONTENT_W, 90 }, 44, 0,
			  th->muted);
	}
	ticket_note(b);
	scr_button(b, "done", _("Done"),
		   (SDL_Rect){ MARGIN, 1540, CONTENT_W, 170 }, 64, 1, ACT_DONE,
		   0);
}

void screens_sorry(struct build *b)
{
	scr_header(b);
	scr_label(b, "sorry-title", _("We are sorry"),
		  (SDL_Rect){ MARGIN, 480, CONTENT_W, 160 }, 100, 1,
		  b->th->ink);
	scr_label(b, "sorry-text", i18n_text(b->app->sorry), /* N_() in app.c */
		  (SDL_Rect){ MARGIN, 680, CONTENT_W, 420 }, 60, 0,
		  b->th->ink);
	scr_button(b, "done", _("Done"),
		   (SDL_Rect){ MARGIN, 1540, CONTENT_W, 170 }, 64, 1, ACT_DONE,
		   0);
}

void screens_out_of_service(struct build *b)
{
	scr_header(b);
	scr_label(b, "oos-title", _("Out of service"),
		  (SDL_Rect){ MARGIN, 520, CONTENT_W, 160 }, 100, 1,
		  b->th->ink);
	scr_label(b, "oos-text",
		  _("This kiosk cannot issue tickets at the moment. Please ask at the reception desk."),
		  (SDL_Rect){ MARGIN, 720, CONTENT_W, 360 }, 60, 0, b->th->ink);
	scr_label(b, "oos-detail", b->app->oos_detail,
		  (SDL_Rect){ 60, 1560, APP_W - 120, 300 }, 34, 0,
		  b->th->muted);
}
