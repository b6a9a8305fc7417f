/*
 * screens_forms.c — the form screens: "forms cannot be taken now", the
 * list of forms, a page of fields (rows above, the focused field's
 * keyboard, options or checkbox below, its help or message between), the
 * review, the privacy consent, the wait and the receipt's reference.
 *
 * The review page is the one screen that shows what the citizen typed
 * (their own name, for them to check); nothing else here shows a name.
 * Widget texts that hold answers are wiped before they are replaced or
 * dropped (app__wipe_tree). It does NOT handle input (app_forms.c).
 */
#include <stdio.h>
#include <string.h>

#include "firmware/log.h"
#include "firmware/util.h"
#include "ui/screens_int.h"

#define ROW_TOP 300
#define ROW_H 88
#define ROW_GAP 10
#define MSG_Y 895
#define INPUT_TOP 1000
#define INPUT_BOTTOM 1530

static const char *lang_of(const struct build *b)
{
	return b->app->lang;
}

void screens_forms_check(struct build *b)
{
	scr_header(b);
	scr_label(b, "forms-check-text", _("One moment, please …"),
		  (SDL_Rect){ MARGIN, 760, CONTENT_W, 300 }, 72, 1,
		  b->th->ink);
}

void screens_forms_closed(struct build *b)
{
	scr_header(b);
	scr_label(b, "closed-title", _("Forms cannot be taken right now"),
		  (SDL_Rect){ MARGIN, 360, CONTENT_W, 260 }, 80, 1, b->th->ink);
	scr_label(b, "closed-text",
		  _("We are sorry. Please ask at the reception desk, or draw a walk-in ticket."),
		  (SDL_Rect){ MARGIN, 650, CONTENT_W, 360 }, 56, 0, b->th->ink);
	scr_button(b, "walkin", _("Draw a walk-in ticket"),
		   (SDL_Rect){ MARGIN, 1120, CONTENT_W, 200 }, 64, 1,
		   ACT_START, 0);
	scr_button(b, "back", _("Back"),
		   (SDL_Rect){ MARGIN, 1560, 440, 150 }, 56, 0, ACT_DONE, 0);
}

void screens_forms(struct build *b)
{
	const struct forms_list *fl = b->app->forms;
	int n = fl ? fl->n : 0, top = 420, h = 170, gap = 24;

	scr_header(b);
	scr_label(b, "forms-title", _("Which form would you like to fill in?"),
		  (SDL_Rect){ MARGIN, 230, CONTENT_W, 170 }, 60, 1, b->th->ink);
	if (n > 6)
		n = 6; /* what fits; docs/citizen-flows.md */
	for (int i = 0; i < n; i++) {
		const struct form *f = fl->form[i];
		const char *t = form_text(&f->title, lang_of(b));
		char id[WIDGET_ID_MAX];
		struct widget *w;

		snprintf(id, sizeof id, "form-%s", f->id);
		w = scr_button(b, id, t,
			       (SDL_Rect){ MARGIN, top + i * (h + gap),
					   CONTENT_W, h },
			       scr_fit_size(b, t, 52, 32, CONTENT_W - 48), 0,
			       ACT_FORM, i);
		if (w) {
			w->style.color = b->th->ink;
			w->border = b->th->line;
		}
	}
	scr_button(b, "back", _("Back"),
		   (SDL_Rect){ MARGIN, 1560, 440, 150 }, 56, 0, ACT_DONE, 0);
}

/* What a field's row shows: the value as typed, an option's label, or
 * a tick. */
static const char *shown_value(const struct app *app, int i, char *buf,
			       size_t len)
{
	const struct form_field *f = &app->form->fields[i];
	const char *v = form_answers_get(app->answers, i);

	if (f->type == FORM_CHECKBOX)
		return *v ? _("Yes") : "";
	if (f->type == FORM_SELECT || f->type == FORM_RADIO) {
		for (int k = 0; k < f->n_options; k++)
			if (!strcmp(f->options[k].value, v))
				return form_text(&f->options[k].label,
						 app->lang);
		return "";
	}
	snprintf(buf, len, "%s", v);
	return buf;
}

static void field_row(struct build *b, int i, int y)
{
	struct app *app = b->app;
	const struct theme *th = b->th;
	const struct form_field *f = &app->form->fields[i];
	char id[WIDGET_ID_MAX], label[FORMS_TEXT_MAX + 8];
	char value[FORMS_VALUE_MAX];
	struct widget *w;
	int focus = i == app->form_focus, bad = i == app->form_bad;

	snprintf(label, sizeof label, "%s%s", form_text(&f->label, app->lang),
		 f->required ? " *" : "");
	snprintf(id, sizeof id, "field-%s", f->id);
	w = scr_button(b, id, label,
		       (SDL_Rect){ MARGIN, y, CONTENT_W, ROW_H }, 30, 0,
		       f->type == FORM_CHECKBOX ? ACT_FORM_CHECK
						: ACT_FORM_FIELD, i);
	if (!w)
		return;
	w->bg = th->field_bg;
	w->style.color = th->muted;
	w->style.bold = 0;
	w->style.align = TEXT_LEFT;
	w->style.wrap = CONTENT_W * 2 / 5;
	w->border = bad ? th->error_ink : focus ? th->focus
						: th->field_border;
	w->radius = 12;
	snprintf(id, sizeof id, "value-%s", f->id);
	scr_line(b, id, shown_value(app, i, value, sizeof value),
		 (SDL_Rect){ MARGIN + CONTENT_W * 2 / 5 + 48, y,
			     CONTENT_W * 3 / 5 - 72, ROW_H }, 40, 1,
		 th->field_ink);
	util_wipe(value, sizeof value);
}

/* The options of the focused select or radio field, two columns. */
static void options(struct build *b, const struct form_field *f,
		    const char *v)
{
	int n = f->n_options, cols = n > 4 ? 2 : 1, rows = (n + cols - 1) / cols;
	int gap = 16, w = (CONTENT_W - (cols - 1) * gap) / cols;
	int h = (INPUT_BOTTOM - INPUT_TOP - (rows - 1) * gap) / rows;

	if (h > 150)
		h = 150;
	for (int k = 0; k < n && k < 12; k++) {
		const char *t = form_text(&f->options[k].label, lang_of(b));
		char id[WIDGET_ID_MAX];

		snprintf(id, sizeof id, "opt-%s", f->options[k].value);
		scr_button(b, id, t,
			   (SDL_Rect){ MARGIN + (k % cols) * (w + gap),
				       INPUT_TOP + (k / cols) * (h + gap), w,
				       h },
			   h < 130 ? scr_fit_line(b, t, 40, 22, w - 56)
				   : scr_fit_size(b, t, 40, 26, w - 48),
			   !strcmp(v, f->options[k].value), ACT_FORM_OPTION,
			   k);
	}
}

static void input_area(struct build *b)
{
	struct app *app = b->app;
	const struct theme *th = b->th;
	const struct form_field *f = &app->form->fields[app->form_focus];
	const char *v = form_answers_get(app->answers, app->form_focus);
	struct keyboard_colors kc = { th->key_bg, th->key_ink, th->key_border,
				      th->fn_key_bg, th->fn_key_ink };
	int kw;

	switch (f->type) {
	case FORM_SELECT:
	case FORM_RADIO:
		options(b, f, v);
		return;
	case FORM_CHECKBOX:
		scr_label(b, "check-text", form_text(&f->label, app->lang),
			  (SDL_Rect){ MARGIN, INPUT_TOP, CONTENT_W, 260 }, 44,
			  0, th->ink);
		scr_button(b, "check-toggle",
			   *v ? _("Confirmed ✓") : _("Confirm"),
			   (SDL_Rect){ MARGIN, INPUT_TOP + 290, CONTENT_W,
				       170 }, 60, *v != 0, ACT_FORM_CHECK,
			   app->form_focus);
		return;
	default:
		break;
	}
	kw = app->kb.shown == KB_NUMERIC || app->kb.shown == KB_PHONE
		? 600 : APP_W - 40;
	if (!b->failed &&
	    !keyboard_build(b->root, &app->kb, (APP_W - kw) / 2, INPUT_TOP,
			    kw, INPUT_BOTTOM - INPUT_TOP,
			    theme_min_target_px(app->cfg), &kc)) {
		log_error("ui", "the %s keyboard does not fit",
			  keyboard_layout_name(app->kb.shown));
		b->failed = 1;
	}
}

void screens_form_page(struct build *b)
{
	struct app *app = b->app;
	const struct theme *th = b->th;
	const struct form *f = app->form;
	const struct form_page *p = &f->pages[app->form_page];
	const struct form_field *ff = &f->fields[app->form_focus];
	char title[FORMS_TEXT_MAX * 2], n[16], m[16], t1[256];
	int msg = app->form_bad >= 0 && app->form_msg[0];

	snprintf(n, sizeof n, "%d", app->form_page + 1);
	snprintf(m, sizeof m, "%d", f->n_pages);
	i18n_subst(t1, sizeof t1, _("Page {n} of {m}"), "{n}", n);
	i18n_subst(title, sizeof title, t1, "{m}", m);
	snprintf(title + strlen(title), sizeof title - strlen(title),
		 " \u00b7 %s", form_text(&p->title, app->lang));
	scr_header(b);
	scr_line(b, "page-title", title,
		 (SDL_Rect){ MARGIN, 215, CONTENT_W, 70 }, 40, 1, th->ink);
	for (int i = 0; i < p->n; i++)
		field_row(b, p->first + i, ROW_TOP + i * (ROW_H + ROW_GAP));
	if (app->form_page == 0 && app->card && app->card_reader &&
	    ROW_TOP + p->n * (ROW_H + ROW_GAP) + 90 <= MSG_Y) {
		int can = 0;
		for (int i = 0; i < f->n_fields; i++)
			can |= f->fields[i].prefill != FORM_PREFILL_NONE;
		if (can)
			scr_button(b, "prefill", _("Fill in from your ID card"),
				   (SDL_Rect){ MARGIN, ROW_TOP + p->n *
					       (ROW_H + ROW_GAP), CONTENT_W,
					       90 }, 40, 0, ACT_PREFILL, 0);
	}
	scr_label(b, msg ? "field-message" : "field-help",
		  msg ? app->form_msg : form_text(&ff->help, app->lang),
		  (SDL_Rect){ MARGIN, MSG_Y, CONTENT_W, 100 }, 34, msg,
		  msg ? th->error_ink : th->muted);
	input_area(b);
	scr_button(b, "back", _("Back"),
		   (SDL_Rect){ MARGIN, 1560, 380, 150 }, 52, 0, ACT_FORM_PREV,
		   0);
	scr_button(b, "next",
		   app->form_page + 1 < f->n_pages ? _("Next") : _("Review"),
		   (SDL_Rect){ APP_W - MARGIN - 480, 1560, 480, 150 }, 56, 1,
		   ACT_FORM_NEXT, 0);
}

/* In place while typing: the focused row's value and the keys' labels;
 * the old value's copy is wiped before it is freed. */
int screens__form_fill(struct app *app, struct widget *root)
{
	const struct form_field *f = &app->form->fields[app->form_focus];
	char id[WIDGET_ID_MAX], value[FORMS_VALUE_MAX];
	struct widget *w, *kb = widget_find(root, "keyboard");
	int rc = 0;

	snprintf(id, sizeof id, "value-%s", f->id);
	w = widget_find(root, id);
	if (w) {
		if (w->text)
			util_wipe(w->text, strlen(w->text));
		rc = widget_set_text(w, shown_value(app, app->form_focus,
						     value, sizeof value));
		util_wipe(value, sizeof value);
	}
	if (rc == 0 && kb)
		rc = keyboard_relabel(kb, &app->kb);
	return rc;
}

void screens_form_review(struct build *b)
{
	struct app *app = b->app;
	const struct theme *th = b->th;
	const struct form *f = app->form;
	int rows = f->n_fields < 18 ? f->n_fields : 18, y = 320, h = 66;
	char value[FORMS_VALUE_MAX];

	scr_header(b);
	scr_label(b, "review-title", _("Please check your details"),
		  (SDL_Rect){ MARGIN, 215, CONTENT_W, 90 }, 52, 1, th->ink);
	scr_card(b, "review-card",
		 (SDL_Rect){ 40, y - 10, APP_W - 80, rows * h + 20 });
	for (int i = 0; i < rows; i++) {
		char id[WIDGET_ID_MAX];
		const char *v = shown_value(app, i, value, sizeof value);

		snprintf(id, sizeof id, "review-%s-label", f->fields[i].id);
		scr_line(b, id, form_text(&f->fields[i].label, app->lang),
			 (SDL_Rect){ 70, y + i * h, 420, h }, 28, 0,
			 th->muted);
		snprintf(id, sizeof id, "review-%s", f->fields[i].id);
		scr_line(b, id, *v ? v : "\u2014",
			 (SDL_Rect){ 510, y + i * h, APP_W - 580, h }, 32, 1,
			 th->ink);
	}
	util_wipe(value, sizeof value);
	if (app->form_msg[0])
		scr_label(b, "review-message", app->form_msg,
			  (SDL_Rect){ MARGIN, 1450, CONTENT_W, 100 }, 34, 1,
			  th->error_ink);
	scr_button(b, "back", _("Change"),
		   (SDL_Rect){ MARGIN, 1560, 380, 150 }, 52, 0, ACT_FORM_PREV,
		   0);
	scr_button(b, "next", _("Continue"),
		   (SDL_Rect){ APP_W - MARGIN - 480, 1560, 480, 150 }, 56, 1,
		   ACT_FORM_NEXT, 0);
}

void screens_form_consent(struct build *b)
{
	const struct theme *th = b->th;

	scr_header(b);
	scr_label(b, "consent-title", _("Your data"),
		  (SDL_Rect){ MARGIN, 240, CONTENT_W, 120 }, 72, 1, th->ink);
	scr_card(b, "consent-card", (SDL_Rect){ 60, 390, APP_W - 120, 1000 });
	scr_label(b, "consent-text",
		  _("Your details are sent encrypted to the city administration and are used only to process this request (Art. 6 (1) e GDPR). This kiosk does not keep them: they are deleted here once they have been delivered. Nothing you entered is printed on the receipt. You may ask the office for access, correction or deletion at any time."),
		  (SDL_Rect){ 110, 420, APP_W - 220, 940 }, 42, 0, th->ink);
	scr_button(b, "back", _("Back"),
		   (SDL_Rect){ MARGIN, 1560, 340, 150 }, 52, 0, ACT_FORM_PREV,
		   0);
	scr_button(b, "consent", _("Agree and send"),
		   (SDL_Rect){ APP_W - MARGIN - 540, 1560, 540, 150 }, 56, 1,
		   ACT_FORM_CONSENT, 0);
}

void screens_submitting(struct build *b)
{
	scr_header(b);
	scr_label(b, "submitting-text", _("Your form is being sent …"),
		  (SDL_Rect){ MARGIN, 760, CONTENT_W, 300 }, 72, 1,
		  b->th->ink);
}

void screens_receipt(struct build *b)
{
	struct app *app = b->app;
	const struct theme *th = b->th;
	SDL_Rect r = { MARGIN, 1000, CONTENT_W, 380 };
	struct widget *w;

	scr_header(b);
	scr_label(b, "receipt-title", _("Your form has been sent"),
		  (SDL_Rect){ MARGIN, 250, CONTENT_W, 200 }, 72, 1, th->ink);
	scr_label(b, "receipt-ref-title", _("Your reference"),
		  (SDL_Rect){ MARGIN, 480, CONTENT_W, 90 }, 48, 0, th->muted);
	scr_card(b, "receipt-card", (SDL_Rect){ MARGIN, 590, CONTENT_W, 300 });
	scr_label(b, "receipt-reference", app->reference,
		  (SDL_Rect){ MARGIN, 590, CONTENT_W, 300 }, 96, 1, th->ink);
	if (app->printed < 0) {
		scr_label(b, "receipt-note", _("Your receipt is being printed …"),
			  r, 52, 0, th->muted);
	} else if (app->printed) {
		scr_label(b, "receipt-note", _("Please take your receipt."), r,
			  52, 0, th->ink);
	} else {
		w = scr_label(b, "receipt-note",
			      _("The receipt could not be printed. Please note your reference."),
			      r, 48, 1, th->warn_ink);
		if (w) {
			w->bg = th->warn_bg;
			w->border = th->warn_line;
			w->radius = 20;
			w->style.wrap = r.w - 80;
		}
	}
	scr_button(b, "done", _("Done"),
		   (SDL_Rect){ MARGIN, 1540, CONTENT_W, 170 }, 64, 1, ACT_DONE,
		   0);
}
