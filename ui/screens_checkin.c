/*
 * screens_checkin.c — check-in by booking code: two fields (the process
 * number on a numeric pad, the short code on the letter keyboard), the
 * wait for the store, and a friendly screen for each outcome that is not
 * a ticket (too early, too late, cancelled, unknown), each with a way
 * forward: a walk-in ticket, or trying again.
 *
 * The fields show what the citizen typed (a process number and a code,
 * never a name). It does NOT handle input (app.c).
 */
#include <stdio.h>
#include <string.h>

#include "firmware/checkin.h"
#include "firmware/log.h"
#include "firmware/util.h"
#include "ui/screens_int.h"

#define F_X MARGIN
#define F_W CONTENT_W
#define KB_TOP 810
#define KB_BOTTOM 1530

static void field(struct build *b, int i, const char *id, const char *lid,
		  const char *label, int y)
{
	const struct theme *th = b->th;
	int focus = b->app->ci_focus == i;
	struct widget *w;

	scr_line(b, lid, label, (SDL_Rect){ F_X, y, F_W, 60 }, 40, 0,
		 th->muted);
	w = scr_button(b, id, b->app->ci_fields[i].tb.data,
		       (SDL_Rect){ F_X, y + 64, F_W, 110 }, 64, 0, ACT_FIELD,
		       i);
	if (!w)
		return;
	w->bg = th->field_bg;
	w->style.color = th->field_ink;
	w->style.align = TEXT_LEFT;
	w->border = focus ? th->focus : th->field_border;
	w->radius = 12;
}

void screens_checkin(struct build *b)
{
	struct app *app = b->app;
	const struct theme *th = b->th;
	struct keyboard_colors kc = { th->key_bg, th->key_ink, th->key_border,
				      th->fn_key_bg, th->fn_key_ink };
	int numeric = app->kb.shown == KB_NUMERIC;
	int kw = numeric ? 600 : APP_W - 40;

	scr_header(b);
	scr_label(b, "checkin-title", _("Check in for your appointment"),
		  (SDL_Rect){ MARGIN, 212, CONTENT_W, 110 }, 46, 1, th->ink);
	field(b, 0, "ci-process", "ci-process-label", _("Process number"),
	      330);
	field(b, 1, "ci-code", "ci-code-label", _("Booking code"), 520);
	scr_label(b, "checkin-hint",
		  _("Both are on your confirmation. You can also hold its QR code to the scanner."),
		  (SDL_Rect){ MARGIN, 710, CONTENT_W, 90 }, 36, 0, th->muted);
	if (!b->failed &&
	    !keyboard_build(b->root, &app->kb, (APP_W - kw) / 2, KB_TOP, kw,
			    KB_BOTTOM - KB_TOP,
			    theme_min_target_px(app->cfg), &kc)) {
		log_error("ui", "the %s keyboard does not fit",
			  keyboard_layout_name(app->kb.shown));
		b->failed = 1;
	}
	scr_button(b, "back", _("Back"),
		   (SDL_Rect){ MARGIN, 1560, 380, 150 }, 52, 0, ACT_BACK, 0);
	scr_button(b, "checkin-go", _("Check in"),
		   (SDL_Rect){ APP_W - MARGIN - 480, 1560, 480, 150 }, 56,
		   app->ci_fields[0].tb.len && app->ci_fields[1].tb.len,
		   ACT_CHECKIN_GO, 0);
}

/* Replaces a field's text; the old copy is wiped before it is freed. */
static int set_wiped(struct widget *w, const char *text)
{
	if (!w)
		return 0;
	if (w->text)
		util_wipe(w->text, strlen(w->text));
	return widget_set_text(w, text);
}

int screens__fields_fill(struct app *app, struct widget *root)
{
	struct widget *go = widget_find(root, "checkin-go");
	struct widget *kb = widget_find(root, "keyboard");
	int ready = app->ci_fields[0].tb.len && app->ci_fields[1].tb.len;
	const struct theme *th = theme_get(app->a11y.contrast
					   ? THEME_HIGH_CONTRAST
					   : THEME_NORMAL);

	if (set_wiped(widget_find(root, "ci-process"),
		      app->ci_fields[0].tb.data) < 0 ||
	    set_wiped(widget_find(root, "ci-code"),
		      app->ci_fields[1].tb.data) < 0)
		return -1;
	if (go) {
		go->bg = ready ? th->primary : th->button_bg;
		go->border = ready ? th->primary : th->button_border;
		go->style.color = ready ? th->on_primary : th->button_ink;
	}
	return kb ? keyboard_relabel(kb, &app->kb) : 0;
}

void screens_checking(struct build *b)
{
	scr_header(b);
	scr_label(b, "checking-text", _("Your appointment is being checked …"),
		  (SDL_Rect){ MARGIN, 760, CONTENT_W, 300 }, 72, 1,
		  b->th->ink);
}

void screens_checkin_result(struct build *b)
{
	struct app *app = b->app;
	const char *title = _("Appointment not found");
	const char *text = _("Please check the process number and the code on your confirmation. You can also draw a walk-in ticket.");
	char buf[512], n[16];

	switch ((enum checkin_outcome)app->ci_outcome) {
	case CHECKIN_TOO_EARLY:
		title = _("You are early");
		snprintf(n, sizeof n, "%d", app->ci_minutes);
		i18n_subst(buf, sizeof buf,
			   _("Check-in for your appointment opens in {n} minutes. Please come back then, or draw a walk-in ticket."),
			   "{n}", n);
		text = buf;
		break;
	case CHECKIN_TOO_LATE:
		title = _("Your appointment time has passed");
		text = _("Check-in for this appointment has closed. Please draw a walk-in ticket or ask at the reception desk.");
		break;
	case CHECKIN_CANCELLED:
		title = _("This appointment was cancelled");
		text = _("Please draw a walk-in ticket or ask at the reception desk.");
		break;
	case CHECKIN_UNKNOWN:
		if (app->ci_by_card)
			text = _("No appointment for today was found for this ID card. You can draw a walk-in ticket or check in with the code on your confirmation.");
		break;
	case CHECKIN_CHECKED_IN:
	case CHECKIN_ALREADY:
		break;
	}
	scr_header(b);
	scr_label(b, "result-title", title,
		  (SDL_Rect){ MARGIN, 330, CONTENT_W, 260 }, 80, 1, b->th->ink);
	scr_label(b, "result-text", text,
		  (SDL_Rect){ MARGIN, 620, CONTENT_W, 420 }, 54, 0, b->th->ink);
	scr_button(b, "walkin", _("Draw a walk-in ticket"),
		   (SDL_Rect){ MARGIN, 1120, CONTENT_W, 200 }, 64, 1,
		   ACT_START, 0);
	scr_button(b, "back", _("Try again"),
		   (SDL_Rect){ MARGIN, 1350, CONTENT_W, 170 }, 56, 0, ACT_BACK,
		   0);
}
