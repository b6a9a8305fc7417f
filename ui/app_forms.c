/*
 * app_forms.c — the citizen's forms in the session state machine (app.h):
 * asking the store whether submissions are taken before anything is
 * typed, the pages with the right keyboard per field, validation field by
 * field and page by page, review, consent, submission through the worker
 * and the receipt.
 *
 * The answers live in app->answers (forms.h) while a form screen is
 * shown; every change goes straight into them with form_answers_set(),
 * which wipes the old value. The worker gets a copy to submit and wipes
 * it itself. Leaving the form screens (done, back to the list, timeout)
 * wipes and frees both the answers and the typing buffer
 * (app__forms_wipe, called from app__show).
 *
 * It does NOT draw (screens_forms.c) and never touches the store.
 */
#include <stdio.h>
#include <string.h>

#include "firmware/log.h"
#include "firmware/util.h"
#include "ui/app.h"

void app__forms_wipe(struct app *app)
{
	textbuf_wipe(&app->form_tb);
	form_answers_destroy(app->answers);
	app->answers = NULL;
	util_wipe(app->form_msg, sizeof app->form_msg);
	app->form_bad = -1;
}

static int typed_field(const struct form_field *f)
{
	return f->type != FORM_SELECT && f->type != FORM_RADIO &&
	       f->type != FORM_CHECKBOX;
}

static enum keyboard_layout field_layout(const struct app *app,
					 const struct form_field *f)
{
	switch (f->keyboard) {
	case FORM_KB_NUMERIC: return KB_NUMERIC;
	case FORM_KB_EMAIL: return KB_EMAIL;
	case FORM_KB_PHONE: return KB_PHONE;
	case FORM_KB_TEXT: break;
	}
	return keyboard_layout_for_lang(app->lang);
}

/* Checks the field being left on its own: its message shows at once,
 * field by field, but does not hold the citizen there. */
static void check_left_field(struct app *app)
{
	int i = app->form_focus;
	const char *v;

	if (i < 0 || !app->answers)
		return;
	v = form_answers_get(app->answers, i);
	if (!*v) {
		if (app->form_bad == i)
			app->form_bad = -1;
		return;
	}
	if (forms_check_field(app->form, i, v, app->lang, app->form_msg,
			      sizeof app->form_msg) != BK_OK)
		app->form_bad = i;
	else if (app->form_bad == i)
		app->form_bad = -1;
}

static void focus_field(struct app *app, int i)
{
	const struct form_field *f = &app->form->fields[i];

	textbuf_wipe(&app->form_tb);
	app->form_focus = i;
	textbuf_init(&app->form_tb, FORMS_VALUE_MAX < TEXTBUF_MAX
			    ? FORMS_VALUE_MAX : TEXTBUF_MAX,
		     f->max_len > 0 ? (size_t)f->max_len : 0);
	textbuf_insert(&app->form_tb, form_answers_get(app->answers, i));
	keyboard_init(&app->kb, field_layout(app, f), ACT_KEY);
}

void app__forms_refocus(struct app *app)
{
	if (app->answers && app->form_focus >= 0)
		focus_field(app, app->form_focus);
}

static void show_page(struct app *app, int page, int focus)
{
	const struct form_page *p = &app->form->pages[page];

	app->form_page = page;
	focus_field(app, focus >= 0 ? focus : p->first);
	app__show(app, APP_FORM_PAGE, app__idle_deadline(app));
}

static void act_forms(struct app *app)
{
	if (!app->forms || !app->forms->n) {
		log_warn("ui", "no forms loaded");
		return;
	}
	util_uuid(app->request_key);
	if (worker_post_forms_check(app->worker, app->request_key) < 0) {
		log_warn("ui", "worker busy; forms not opened");
		return;
	}
	app->inflight = 1;
	app__show(app, APP_FORMS_CHECK, app->now + APP_ISSUING_MAX_MS);
}

static void act_form(struct app *app, int idx)
{
	if (app->screen != APP_FORMS || !app->forms || idx < 0 ||
	    idx >= app->forms->n)
		return;
	app->form = app->forms->form[idx];
	app->answers = form_answers_create(app->form, app->lang);
	if (!app->answers) {
		app->failed = 1;
		return;
	}
	app->form_bad = -1;
	show_page(app, 0, -1);
}

static void act_next(struct app *app)
{
	int bad = -1;

	if (app->screen == APP_FORM_PAGE) {
		check_left_field(app);
		if (forms_check_page(app->form, app->answers, app->form_page,
				     app->lang, &bad, app->form_msg,
				     sizeof app->form_msg) != BK_OK) {
			app->form_bad = bad;
			if (bad >= 0)
				focus_field(app, bad);
			app__rebuild(app);
			return;
		}
		app->form_bad = -1;
		if (app->form_page + 1 < app->form->n_pages) {
			show_page(app, app->form_page + 1, -1);
			return;
		}
		textbuf_wipe(&app->form_tb);
		util_wipe(app->form_msg, sizeof app->form_msg);
		app__show(app, APP_FORM_REVIEW, app__idle_deadline(app));
		return;
	}
	if (app->screen == APP_FORM_REVIEW) {
		if (forms_check_form(app->form, app->answers, app->lang, &bad,
				     app->form_msg,
				     sizeof app->form_msg) != BK_OK) {
			app->form_bad = bad;
			show_page(app, bad >= 0 ? app->form->fields[bad].page
						: 0, bad);
			return;
		}
		app__show(app, APP_FORM_CONSENT, app__idle_deadline(app));
	}
}

static void act_prev(struct app *app)
{
	switch (app->screen) {
	case APP_FORM_PAGE:
		check_left_field(app);
		if (app->form_page > 0) {
			show_page(app, app->form_page - 1, -1);
			return;
		}
		/* back to the list: what was typed is dropped */
		app__show(app, APP_FORMS, app__idle_deadline(app));
		return;
	case APP_FORM_REVIEW:
		show_page(app, app->form->n_pages - 1, -1);
		return;
	case APP_FORM_CONSENT:
		app__show(app, APP_FORM_REVIEW, app__idle_deadline(app));
		return;
	default:
		return;
	}
}

/* The worker gets its own copy: the session may end (and wipe ours)
 * while it is still encrypting. */
static void act_consent(struct app *app)
{
	struct form_answers *copy;

	if (app->screen != APP_FORM_CONSENT || app->inflight)
		return;
	copy = form_answers_create(app->form, app->lang);
	if (!copy) {
		app->failed = 1;
		return;
	}
	for (int i = 0; i < app->form->n_fields; i++)
		form_answers_set(copy, i, form_answers_get(app->answers, i));
	util_uuid(app->request_key);
	if (worker_post_submit(app->worker, copy, app->request_key) < 0) {
		form_answers_destroy(copy);
		log_warn("ui", "worker busy; form not submitted");
		return;
	}
	app->inflight = 1;
	app__show(app, APP_SUBMITTING, app->now + APP_ISSUING_MAX_MS);
}

static void set_focused(struct app *app, const char *value)
{
	if (form_answers_set(app->answers, app->form_focus, value) != BK_OK)
		return;
	if (app->form_bad == app->form_focus)
		app->form_bad = -1; /* changed: judged again when left */
}

static void act_field(struct app *app, int i)
{
	if (app->screen != APP_FORM_PAGE || i < 0 ||
	    i >= app->form->n_fields || i == app->form_focus)
		return;
	check_left_field(app);
	focus_field(app, i);
	app__rebuild(app);
}

static void act_option(struct app *app, int k)
{
	const struct form_field *f;

	if (app->screen != APP_FORM_PAGE || app->form_focus < 0)
		return;
	f = &app->form->fields[app->form_focus];
	if (k < 0 || k >= f->n_options)
		return;
	set_focused(app, f->options[k].value);
	app__rebuild(app);
}

static void act_check(struct app *app, int i)
{
	const char *v;

	if (app->screen != APP_FORM_PAGE || i < 0 ||
	    i >= app->form->n_fields ||
	    app->form->fields[i].type != FORM_CHECKBOX)
		return;
	if (i != app->form_focus) {
		check_left_field(app);
		focus_field(app, i);
	}
	v = form_answers_get(app->answers, i);
	set_focused(app, *v ? "" : FORMS_CHECKED);
	app__rebuild(app);
}

/* Enter: the next typed field of the page, or "next" after the last. */
static void enter(struct app *app)
{
	const struct form_page *p = &app->form->pages[app->form_page];

	for (int i = app->form_focus + 1; i < p->first + p->n; i++) {
		if (typed_field(&app->form->fields[i])) {
			act_field(app, i);
			return;
		}
	}
	act_next(app);
}

static void act_key(struct app *app, int arg)
{
	enum keyboard_result kr;

	if (app->screen != APP_FORM_PAGE || app->form_focus < 0 ||
	    !typed_field(&app->form->fields[app->form_focus]))
		return;
	kr = keyboard_press(&app->kb, &app->form_tb, arg);
	switch (kr) {
	case KB_IGNORED:
		break;
	case KB_TYPED:
		set_focused(app, app->form_tb.data);
		app__fields_update(app);
		break;
	case KB_RELABEL:
		app__fields_update(app);
		break;
	case KB_RELAYOUT:
		app__rebuild(app);
		break;
	case KB_ENTER:
		enter(app);
		break;
	}
}

void app__forms_act(struct app *app, const struct widget *w)
{
	switch ((enum app_action)w->action) {
	case ACT_FORMS: act_forms(app); break;
	case ACT_FORM: act_form(app, w->arg); break;
	case ACT_FORM_FIELD: act_field(app, w->arg); break;
	case ACT_FORM_OPTION: act_option(app, w->arg); break;
	case ACT_FORM_CHECK: act_check(app, w->arg); break;
	case ACT_FORM_NEXT: act_next(app); break;
	case ACT_FORM_PREV: act_prev(app); break;
	case ACT_FORM_CONSENT: act_consent(app); break;
	case ACT_KEY: act_key(app, w->arg); break;
	default: break;
	}
}

int app__forms_key(struct app *app, SDL_Keycode key)
{
	if (app->screen != APP_FORM_PAGE)
		return 0;
	if (key == SDLK_BACKSPACE && app->form_focus >= 0 &&
	    typed_field(&app->form->fields[app->form_focus]) &&
	    textbuf_backspace(&app->form_tb)) {
		set_focused(app, app->form_tb.data);
		app__fields_update(app);
	} else if (key == SDLK_RETURN || key == SDLK_KP_ENTER) {
		enter(app);
	} else if (key == SDLK_TAB) {
		const struct form_page *p = &app->form->pages[app->form_page];
		int next = app->form_focus + 1;
		act_field(app, next < p->first + p->n ? next : p->first);
	}
	return 1;
}

int app__forms_text(struct app *app, const char *utf8)
{
	if (app->screen != APP_FORM_PAGE)
		return 0;
	if (app->form_focus < 0 ||
	    !typed_field(&app->form->fields[app->form_focus]))
		return 1;
	if (textbuf_insert(&app->form_tb, utf8) > 0) {
		set_focused(app, app->form_tb.data);
		app__fields_update(app);
	}
	return 1;
}

void app__forms_result(struct app *app, const struct worker_result *r)
{
	if (strcmp(r->request_key, app->request_key))
		return;
	if (r->kind == WORKER_FORMS_CHECK && app->screen == APP_FORMS_CHECK) {
		app->inflight = 0;
		app__show(app, r->err == BK_OK ? APP_FORMS : APP_FORMS_CLOSED,
			  app__idle_deadline(app));
		return;
	}
	if (r->kind != WORKER_SUBMITTED || app->screen != APP_SUBMITTING)
		return;
	app->inflight = 0;
	switch (r->err) {
	case BK_OK:
		memcpy(app->reference, r->reference, sizeof app->reference);
		app->printed = -1;
		app__show(app, APP_RECEIPT, app->now +
			  (int64_t)app->cfg->ticket_screen_seconds * 1000);
		return;
	case BK_ERR_FULL:
	case BK_ERR_CONFIG:
		app__show(app, APP_FORMS_CLOSED, app__idle_deadline(app));
		return;
	case BK_ERR_INVALID: /* cannot happen after the review's check */
		snprintf(app->form_msg, sizeof app->form_msg, "%s",
			 r->message);
		app__show(app, APP_FORM_REVIEW, app__idle_deadline(app));
		return;
	default:
		/* the answers are still here: "back" on the review page */
		app->sorry = N_("Your form could not be sent. Please try again in a moment or ask at the reception desk.");
		app__show(app, APP_FORM_REVIEW, app__idle_deadline(app));
		snprintf(app->form_msg, sizeof app->form_msg, "%s",
			 i18n_tr(app->i18n, app->lang, app->sorry));
		app__rebuild(app);
		return;
	}
}
