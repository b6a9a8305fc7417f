/*
 * screens.c — the layout of each screen as a widget tree (1080×1920).
 *
 * One builder per screen; every visible string goes through _(). Colours
 * and sizes are chosen for a public kiosk: dark text on a light ground,
 * buttons at least 150 px tall, the ticket number very large. The
 * technician's screens (PIN pad, maintenance view) are denser but keep
 * the same type and buttons of at least 120 px. It does NOT handle input
 * or change state (app.c does).
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
static const SDL_Color C_FAULT_INK = { 0x9b, 0x1c, 0x1c, 0xff };
static const SDL_Color C_OK_INK = { 0x1d, 0x6b, 0x2f, 0xff };

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
	struct widget *band = add(b, WIDGET_BOX, "header", 0, 0, APP_W,
				  APP_HEADER_H);

	if (band)
		band->bg = C_PRIMARY;
	label(b, "site-name", app->cfg->site_name,
	      (SDL_Rect){ MARGIN, 0, CONTENT_W, APP_HEADER_H }, 56, 1, C_WHITE);
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

/* ---- the technician's screens ---- */

#define PIN_KEY_W 240
#define PIN_KEY_H 170
#define PIN_GAP 30

/* The dots (one "●" per digit typed, never the digit) and the message
 * under them. -1 when out of memory. */
static int pin_fill(struct app *app, struct widget *root, const char *msgid)
{
	struct widget *dots = widget_find(root, "pin-display");
	struct widget *msg = widget_find(root, "pin-message");
	char shown[4 * CONFIG_PIN_MAX] = "";
	size_t n = 0;

	for (const char *p = app->pin; *p && n + 5 < sizeof shown; p++)
		n += (size_t)snprintf(shown + n, sizeof shown - n, "%s\u25cf",
				      n ? " " : "");
	if ((dots && widget_set_text(dots, shown) < 0) ||
	    (msg && widget_set_text(msg, msgid ? i18n_text(msgid) : "") < 0))
		return -1;
	return 0;
}

static void build_pin(struct build *b, struct app *app)
{
	static const char keys[12] = "123456789d0k";
	int x0 = (APP_W - 3 * PIN_KEY_W - 2 * PIN_GAP) / 2;
	struct widget *w;

	header(b, app);
	label(b, "pin-title", _("Technician PIN"),
	      (SDL_Rect){ MARGIN, 250, CONTENT_W, 110 }, 64, 1, C_INK);
	w = label(b, "pin-display", "", (SDL_Rect){ x0, 390, APP_W - 2 * x0,
						    140 }, 72, 1, C_INK);
	if (w) {
		w->bg = C_WHITE;
		w->border = C_LINE;
		w->radius = 20;
	}
	label(b, "pin-message", "", (SDL_Rect){ MARGIN, 550, CONTENT_W, 90 },
	      48, 1, C_FAULT_INK);
	for (int i = 0; i < 12; i++) {
		SDL_Rect r = { x0 + (i % 3) * (PIN_KEY_W + PIN_GAP),
			       680 + (i / 3) * (PIN_KEY_H + PIN_GAP),
			       PIN_KEY_W, PIN_KEY_H };
		char id[WIDGET_ID_MAX], digit[2] = { keys[i], '\0' };

		if (keys[i] == 'd') {
			const char *del = _("Delete");
			button(b, "pin-delete", del, r,
			       fit_size(app, del, 48, 32, r.w - 48), 0,
			       ACT_PIN_DELETE, 0);
		} else if (keys[i] == 'k') {
			button(b, "pin-ok", _("OK"), r, 64, 1, ACT_PIN_OK, 0);
		} else {
			snprintf(id, sizeof id, "pin-%c", keys[i]);
			button(b, id, digit, r, 80, 0, ACT_PIN_DIGIT,
			       keys[i] - '0');
		}
	}
	button(b, "cancel", _("Cancel"),
	       (SDL_Rect){ MARGIN, 1710, 440, 160 }, 56, 0, ACT_DONE, 0);
	if (!b->failed && pin_fill(app, b->root, NULL) < 0)
		b->failed = 1;
}

void app__pin_update(struct app *app, const char *msgid)
{
	if (pin_fill(app, app->root, msgid) < 0)
		app->failed = 1;
	app->dirty = 1;
}

#define M_LEFT 60
#define M_W (APP_W - 2 * M_LEFT)
#define M_ROW_TOP 320
#define M_ROW_H 54
#define M_ROWS 8
#define M_DEAD_TOP (M_ROW_TOP + M_ROWS * M_ROW_H + 24 + 96)
#define M_DEAD_H 132
#define M_DEAD_STEP 144
#define M_RETRY_W 280

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

/* A label at (x, y) in one line, left aligned, cut to fit. */
static struct widget *line(struct build *b, struct app *app, const char *id,
			   const char *text, SDL_Rect r, int size, int bold,
			   SDL_Color color)
{
	struct text_style st = { .size = size, .bold = bold };
	char buf[512];
	struct widget *w;

	snprintf(buf, sizeof buf, "%s", text);
	fit_line(app, buf, sizeof buf, &st, r.w);
	w = label(b, id, buf, r, size, bold, color);
	if (w) {
		w->style.align = TEXT_LEFT;
		w->style.wrap = 0;
	}
	return w;
}

/* Row i of the status card: a muted name and its value; the colour of
 * the value carries its state. */
static void maint_row(struct build *b, struct app *app, int i,
		      const char *id, const char *name, const char *value,
		      SDL_Color color)
{
	char lid[WIDGET_ID_MAX];
	int y = M_ROW_TOP + 12 + i * M_ROW_H;

	snprintf(lid, sizeof lid, "%s-label", id);
	line(b, app, lid, name, (SDL_Rect){ M_LEFT + 30, y, 250, M_ROW_H }, 32,
	     0, C_MUTED);
	line(b, app, id, value,
	     (SDL_Rect){ M_LEFT + 290, y, M_W - 310, M_ROW_H }, 32, 0, color);
}

static void maint_health_row(struct build *b, struct app *app, int i,
			     const char *id, const char *name,
			     const struct worker_health *h)
{
	char text[320];
	SDL_Color c = C_INK;

	if (!h->known) {
		maint_row(b, app, i, id, name, _("no report yet"), C_MUTED);
		return;
	}
	if (h->level == STORE_HEALTH_OK) {
		snprintf(text, sizeof text, "%s", _("OK"));
		c = C_OK_INK;
	} else {
		snprintf(text, sizeof text, "%s",
			 h->level == STORE_HEALTH_WARN ? _("Warning")
						       : _("Fault"));
		c = h->level == STORE_HEALTH_WARN ? C_WARN_INK : C_FAULT_INK;
	}
	if (h->message[0] && (h->level != STORE_HEALTH_OK ||
			      strcmp(h->message, "ok")))
		snprintf(text + strlen(text), sizeof text - strlen(text),
			 " \u00b7 %s", h->message);
	maint_row(b, app, i, id, name, text, c);
}

/* tmpl with {a}, {b}, {c} replaced by three numbers. */
static void subst3(char *out, size_t len, const char *tmpl, int64_t a,
		   int64_t bv, int64_t c)
{
	char t1[256], t2[256], n[24];

	snprintf(n, sizeof n, "%lld", (long long)a);
	i18n_subst(t1, sizeof t1, tmpl, "{a}", n);
	snprintf(n, sizeof n, "%lld", (long long)bv);
	i18n_subst(t2, sizeof t2, t1, "{b}", n);
	snprintf(n, sizeof n, "%lld", (long long)c);
	i18n_subst(out, len, t2, "{c}", n);
}

static void maint_status(struct build *b, struct app *app)
{
	const struct worker_maint *m = &app->maint;
	char text[512], t1[512], n[24];
	struct widget *card;

	card = add(b, WIDGET_BOX, "maint-status", M_LEFT, M_ROW_TOP, M_W,
		   M_ROWS * M_ROW_H + 24);
	if (card) {
		card->bg = C_WHITE;
		card->border = C_LINE;
		card->radius = 20;
	}
	maint_health_row(b, app, 0, "maint-printer", _("Printer"),
			 &m->printer);
	subst3(text, sizeof text, _("{a} pending · {b} printed · {c} failed"),
	       m->jobs.pending, m->jobs.printed, m->jobs.failed);
	maint_row(b, app, 1, "maint-jobs", _("Print jobs"), text,
		  m->jobs.failed ? C_WARN_INK : C_INK);
	subst3(text, sizeof text,
	       _("{a} pending · {b} delivered · {c} rejected"),
	       m->outbox.pending, m->outbox.delivered, m->outbox.dead);
	maint_row(b, app, 2, "maint-outbox", _("Outbox"), text,
		  m->outbox.dead ? C_WARN_INK : C_INK);
	maint_health_row(b, app, 3, "maint-sync", _("Sync"), &m->sync);
	maint_health_row(b, app, 4, "maint-downsync", _("Down-sync"),
			 &m->downsync);
	snprintf(n, sizeof n, "%lld", (long long)m->free_mb);
	i18n_subst(text, sizeof text, _("{n} MB free"), "{n}", n);
	maint_row(b, app, 5, "maint-disk", _("Disk"),
		  m->free_mb < 0 ? _("unknown") : text, C_INK);
	if (m->accepting)
		snprintf(text, sizeof text, "%s", _("accepted"));
	else
		snprintf(text, sizeof text, "%s \u00b7 %s", _("refused"),
			 m->accept_why);
	maint_row(b, app, 6, "maint-forms", _("Forms"), text,
		  m->accepting ? C_INK : C_WARN_INK);
	i18n_subst(t1, sizeof t1, _("{s} / {k} · version {v}"), "{s}",
		   m->site_id);
	i18n_subst(text, sizeof text, t1, "{k}", m->kiosk_id);
	snprintf(t1, sizeof t1, "%s", text);
	i18n_subst(text, sizeof text, t1, "{v}", m->version);
	maint_row(b, app, 7, "maint-version", _("Kiosk"), text, C_INK);
}

static void maint_dead(struct build *b, struct app *app)
{
	const struct worker_maint *m = &app->maint;
	char text[256], n[24], t1[256];

	snprintf(n, sizeof n, "%lld", (long long)m->outbox.dead);
	if (m->outbox.dead > m->n_dead) {
		i18n_subst(t1, sizeof t1,
			   _("Rejected events: {n} (the newest {m})"), "{n}",
			   n);
		snprintf(n, sizeof n, "%d", m->n_dead);
		i18n_subst(text, sizeof text, t1, "{m}", n);
	} else {
		i18n_subst(text, sizeof text, _("Rejected events: {n}"),
			   "{n}", n);
	}
	line(b, app, "maint-dead-title", text,
	     (SDL_Rect){ M_LEFT, M_DEAD_TOP - 76, M_W, 64 }, 40, 1, C_INK);
	if (!m->n_dead)
		line(b, app, "maint-dead-none", _("None. Everything was accepted."),
		     (SDL_Rect){ M_LEFT, M_DEAD_TOP, M_W, 70 }, 36, 0,
		     C_MUTED);
	for (int i = 0; i < m->n_dead; i++) {
		const struct outbox_dead *d = &m->dead[i];
		int y = M_DEAD_TOP + i * M_DEAD_STEP;
		int tw = M_W - M_RETRY_W - 60;
		char id[WIDGET_ID_MAX];
		struct widget *card;

		snprintf(id, sizeof id, "dead-%d", i);
		card = add(b, WIDGET_BOX, id, M_LEFT, y, M_W, M_DEAD_H);
		if (card) {
			card->bg = C_WHITE;
			card->border = C_LINE;
			card->radius = 20;
		}
		snprintf(text, sizeof text, "%s \u00b7 %.8s", d->type, d->id);
		snprintf(id, sizeof id, "dead-%d-event", i);
		line(b, app, id, text,
		     (SDL_Rect){ M_LEFT + 30, y + 10, tw, 56 }, 34, 1, C_INK);
		snprintf(id, sizeof id, "dead-%d-reason", i);
		line(b, app, id, d->reason[0] ? d->reason : "\u2014",
		     (SDL_Rect){ M_LEFT + 30, y + 66, tw, 56 }, 32, 0,
		     C_FAULT_INK);
		snprintf(id, sizeof id, "retry-%d", i);
		button(b, id, _("Retry"),
		       (SDL_Rect){ APP_W - M_LEFT - M_RETRY_W - 6, y + 6,
				   M_RETRY_W, M_DEAD_H - 12 },
		       40, 0, ACT_RETRY, i);
	}
}

/* A line under the title: the outcome of the last retry, or what could
 * not be read. */
static void maint_note(struct build *b, struct app *app)
{
	const struct worker_maint *m = &app->maint;
	char text[CONFIG_ERR_MAX + 64], sid[16];
	const char *tmpl = NULL;
	SDL_Color c = C_OK_INK;
	struct widget *w;

	snprintf(sid, sizeof sid, "%.8s", m->retried);
	if (m->error[0]) {
		i18n_subst(text, sizeof text, _("Not everything could be read: {e}"),
			   "{e}", m->error);
		c = C_FAULT_INK;
	} else if (m->retried[0]) {
		tmpl = m->retry_err ? _("{id} could not be re-queued")
				    : _("{id} is queued again");
		c = m->retry_err ? C_FAULT_INK : C_OK_INK;
		i18n_subst(text, sizeof text, tmpl, "{id}", sid);
	} else {
		return;
	}
	w = line(b, app, "maint-note", text,
		 (SDL_Rect){ M_LEFT + 420, 235, M_W - 420, 60 }, 30, 0, c);
	if (w)
		w->style.align = TEXT_RIGHT;
}

static void build_maintenance(struct build *b, struct app *app)
{
	header(b, app);
	line(b, app, "maint-title", _("Maintenance"),
	     (SDL_Rect){ M_LEFT, 220, 400, 90 }, 60, 1, C_INK);
	if (!app->maint_loaded) {
		label(b, "maint-loading", _("Loading …"),
		      (SDL_Rect){ MARGIN, 700, CONTENT_W, 120 }, 56, 0,
		      C_MUTED);
	} else {
		maint_note(b, app);
		maint_status(b, app);
		maint_dead(b, app);
	}
	button(b, "refresh", _("Refresh"),
	       (SDL_Rect){ M_LEFT, 1750, 460, 140 }, 52, 0, ACT_REFRESH, 0);
	button(b, "close", _("Close"),
	       (SDL_Rect){ APP_W - M_LEFT - 460, 1750, 460, 140 }, 52, 1,
	       ACT_DONE, 0);
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
	case APP_PIN: build_pin(&b, app); break;
	case APP_MAINTENANCE: build_maintenance(&b, app); break;
	}
	if (b.failed) {
		widget_destroy(b.root);
		return -1;
	}
	widget_destroy(app->root);
	app->root = b.root;
	return 0;
}
