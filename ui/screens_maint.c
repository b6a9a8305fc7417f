/*
 * screens_maint.c — the technician's screens: the PIN pad behind the
 * header hold, and the maintenance view (printer, jobs, outbox with the
 * rejected events and "retry", sync, disk, forms, version).
 *
 * Denser than the citizen's screens but with the same type and buttons of
 * at least 120 px; always in the default language and the normal theme,
 * without the accessibility bar. It does NOT handle input (app.c).
 */
#include <stdio.h>
#include <string.h>

#include "ui/screens_int.h"

#define PIN_KEY_W 240
#define PIN_KEY_H 170
#define PIN_GAP 30

/* The dots (one "●" per digit typed, never the digit) and the message
 * under them. -1 when out of memory. */
int screens__pin_fill(struct app *app, struct widget *root,
		      const char *msgid)
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

void screens_pin(struct build *b)
{
	static const char keys[12] = "123456789d0k";
	int x0 = (APP_W - 3 * PIN_KEY_W - 2 * PIN_GAP) / 2;
	struct widget *w;

	scr_header(b);
	scr_label(b, "pin-title", _("Technician PIN"),
	      (SDL_Rect){ MARGIN, 250, CONTENT_W, 110 }, 64, 1, b->th->ink);
	w = scr_label(b, "pin-display", "", (SDL_Rect){ x0, 390, APP_W - 2 * x0,
						    140 }, 72, 1, b->th->ink);
	if (w) {
		w->bg = b->th->card;
		w->border = b->th->line;
		w->radius = 20;
	}
	scr_label(b, "pin-message", "", (SDL_Rect){ MARGIN, 550, CONTENT_W, 90 },
	      48, 1, b->th->error_ink);
	for (int i = 0; i < 12; i++) {
		SDL_Rect r = { x0 + (i % 3) * (PIN_KEY_W + PIN_GAP),
			       680 + (i / 3) * (PIN_KEY_H + PIN_GAP),
			       PIN_KEY_W, PIN_KEY_H };
		char id[WIDGET_ID_MAX], digit[2] = { keys[i], '\0' };

		if (keys[i] == 'd') {
			const char *del = _("Delete");
			scr_button(b, "pin-delete", del, r,
			       scr_fit_size(b, del, 48, 32, r.w - 48), 0,
			       ACT_PIN_DELETE, 0);
		} else if (keys[i] == 'k') {
			scr_button(b, "pin-ok", _("OK"), r, 64, 1, ACT_PIN_OK, 0);
		} else {
			snprintf(id, sizeof id, "pin-%c", keys[i]);
			scr_button(b, id, digit, r, 80, 0, ACT_PIN_DIGIT,
			       keys[i] - '0');
		}
	}
	scr_button(b, "cancel", _("Cancel"),
	       (SDL_Rect){ MARGIN, 1710, 440, 160 }, 56, 0, ACT_DONE, 0);
	if (!b->failed && screens__pin_fill(b->app, b->root, NULL) < 0)
		b->failed = 1;
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

/* Row i of the status card: a muted name and its value; the colour of
 * the value carries its state. */
static void maint_row(struct build *b, int i,
		      const char *id, const char *name, const char *value,
		      SDL_Color color)
{
	char lid[WIDGET_ID_MAX];
	int y = M_ROW_TOP + 12 + i * M_ROW_H;

	snprintf(lid, sizeof lid, "%s-label", id);
	scr_line(b, lid, name, (SDL_Rect){ M_LEFT + 30, y, 250, M_ROW_H }, 32,
	     0, b->th->muted);
	scr_line(b, id, value,
	     (SDL_Rect){ M_LEFT + 290, y, M_W - 310, M_ROW_H }, 32, 0, color);
}

static void maint_health_row(struct build *b, int i,
			     const char *id, const char *name,
			     const struct worker_health *h)
{
	char text[320];
	SDL_Color c = b->th->ink;

	if (!h->known) {
		maint_row(b, i, id, name, _("no report yet"), b->th->muted);
		return;
	}
	if (h->level == STORE_HEALTH_OK) {
		snprintf(text, sizeof text, "%s", _("OK"));
		c = b->th->ok_ink;
	} else {
		snprintf(text, sizeof text, "%s",
			 h->level == STORE_HEALTH_WARN ? _("Warning")
						       : _("Fault"));
		c = h->level == STORE_HEALTH_WARN ? b->th->warn_ink : b->th->error_ink;
	}
	if (h->message[0] && (h->level != STORE_HEALTH_OK ||
			      strcmp(h->message, "ok")))
		snprintf(text + strlen(text), sizeof text - strlen(text),
			 " \u00b7 %s", h->message);
	maint_row(b, i, id, name, text, c);
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

static void maint_status(struct build *b)
{
	const struct worker_maint *m = &b->app->maint;
	char text[512], t1[512], n[24];
	struct widget *card;

	card = scr_add(b, WIDGET_BOX, "maint-status", M_LEFT, M_ROW_TOP, M_W,
		   M_ROWS * M_ROW_H + 24);
	if (card) {
		card->bg = b->th->card;
		card->border = b->th->line;
		card->radius = 20;
	}
	maint_health_row(b, 0, "maint-printer", _("Printer"),
			 &m->printer);
	subst3(text, sizeof text, _("{a} pending · {b} printed · {c} failed"),
	       m->jobs.pending, m->jobs.printed, m->jobs.failed);
	maint_row(b, 1, "maint-jobs", _("Print jobs"), text,
		  m->jobs.failed ? b->th->warn_ink : b->th->ink);
	subst3(text, sizeof text,
	       _("{a} pending · {b} delivered · {c} rejected"),
	       m->outbox.pending, m->outbox.delivered, m->outbox.dead);
	maint_row(b, 2, "maint-outbox", _("Outbox"), text,
		  m->outbox.dead ? b->th->warn_ink : b->th->ink);
	maint_health_row(b, 3, "maint-sync", _("Sync"), &m->sync);
	maint_health_row(b, 4, "maint-downsync", _("Down-sync"),
			 &m->downsync);
	snprintf(n, sizeof n, "%lld", (long long)m->free_mb);
	i18n_subst(text, sizeof text, _("{n} MB free"), "{n}", n);
	maint_row(b, 5, "maint-disk", _("Disk"),
		  m->free_mb < 0 ? _("unknown") : text, b->th->ink);
	if (m->accepting)
		snprintf(text, sizeof text, "%s", _("accepted"));
	else
		snprintf(text, sizeof text, "%s \u00b7 %s", _("refused"),
			 m->accept_why);
	maint_row(b, 6, "maint-forms", _("Forms"), text,
		  m->accepting ? b->th->ink : b->th->warn_ink);
	i18n_subst(t1, sizeof t1, _("{s} / {k} · version {v}"), "{s}",
		   m->site_id);
	i18n_subst(text, sizeof text, t1, "{k}", m->kiosk_id);
	snprintf(t1, sizeof t1, "%s", text);
	i18n_subst(text, sizeof text, t1, "{v}", m->version);
	maint_row(b, 7, "maint-version", _("Kiosk"), text, b->th->ink);
}

static void maint_dead(struct build *b)
{
	const struct worker_maint *m = &b->app->maint;
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
	scr_line(b, "maint-dead-title", text,
	     (SDL_Rect){ M_LEFT, M_DEAD_TOP - 76, M_W, 64 }, 40, 1, b->th->ink);
	if (!m->n_dead)
		scr_line(b, "maint-dead-none", _("None. Everything was accepted."),
		     (SDL_Rect){ M_LEFT, M_DEAD_TOP, M_W, 70 }, 36, 0,
		     b->th->muted);
	for (int i = 0; i < m->n_dead; i++) {
		const struct outbox_dead *d = &m->dead[i];
		int y = M_DEAD_TOP + i * M_DEAD_STEP;
		int tw = M_W - M_RETRY_W - 60;
		char id[WIDGET_ID_MAX];
		struct widget *card;

		snprintf(id, sizeof id, "dead-%d", i);
		card = scr_add(b, WIDGET_BOX, id, M_LEFT, y, M_W, M_DEAD_H);
		if (card) {
			card->bg = b->th->card;
			card->border = b->th->line;
			card->radius = 20;
		}
		snprintf(text, sizeof text, "%s \u00b7 %.8s", d->type, d->id);
		snprintf(id, sizeof id, "dead-%d-event", i);
		scr_line(b, id, text,
		     (SDL_Rect){ M_LEFT + 30, y + 10, tw, 56 }, 34, 1, b->th->ink);
		snprintf(id, sizeof id, "dead-%d-reason", i);
		scr_line(b, id, d->reason[0] ? d->reason : "\u2014",
		     (SDL_Rect){ M_LEFT + 30, y + 66, tw, 56 }, 32, 0,
		     b->th->error_ink);
		snprintf(id, sizeof id, "retry-%d", i);
		scr_button(b, id, _("Retry"),
		       (SDL_Rect){ APP_W - M_LEFT - M_RETRY_W - 6, y + 6,
				   M_RETRY_W, M_DEAD_H - 12 },
		       40, 0, ACT_RETRY, i);
	}
}

/* A line under the title: the outcome of the last retry, or what could
 * not be read. */
static void maint_note(struct build *b)
{
	const struct worker_maint *m = &b->app->maint;
	char text[CONFIG_ERR_MAX + 64], sid[16];
	const char *tmpl = NULL;
	SDL_Color c = b->th->ok_ink;
	struct widget *w;

	snprintf(sid, sizeof sid, "%.8s", m->retried);
	if (m->error[0]) {
		i18n_subst(text, sizeof text, _("Not everything could be read: {e}"),
			   "{e}", m->error);
		c = b->th->error_ink;
	} else if (m->retried[0]) {
		tmpl = m->retry_err ? _("{id} could not be re-queued")
				    : _("{id} is queued again");
		c = m->retry_err ? b->th->error_ink : b->th->ok_ink;
		i18n_subst(text, sizeof text, tmpl, "{id}", sid);
	} else {
		return;
	}
	w = scr_line(b, "maint-note", text,
		 (SDL_Rect){ M_LEFT + 420, 235, M_W - 420, 60 }, 30, 0, c);
	if (w)
		w->style.align = TEXT_RIGHT;
}

void screens_maintenance(struct build *b)
{
	scr_header(b);
	scr_line(b, "maint-title", _("Maintenance"),
	     (SDL_Rect){ M_LEFT, 220, 400, 90 }, 60, 1, b->th->ink);
	if (!b->app->maint_loaded) {
		scr_label(b, "maint-loading", _("Loading …"),
		      (SDL_Rect){ MARGIN, 700, CONTENT_W, 120 }, 56, 0,
		      b->th->muted);
	} else {
		maint_note(b);
		maint_status(b);
		maint_dead(b);
	}
	scr_button(b, "refresh", _("Refresh"),
	       (SDL_Rect){ M_LEFT, 1750, 460, 140 }, 52, 0, ACT_REFRESH, 0);
	scr_button(b, "close", _("Close"),
	       (SDL_Rect){ APP_W - M_LEFT - 460, 1750, 460, 140 }, 52, 1,
	       ACT_DONE, 0);
}

