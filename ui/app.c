/*
 * app.c — the citizen session's state machine and input dispatch (app.h),
 * and the technician's way into the maintenance view: a 3 s hold on the
 * header, a PIN, then snapshots and retries through the worker.
 *
 * Screens are rebuilt from scratch on every transition and language
 * switch (screens*.c), at once, so that input arriving in the same batch
 * already meets the new screen. Drawing happens only in app_frame() and
 * only when something changed. The flows live beside it: check-in by code
 * and the scanner (app_checkin.c), forms (app_forms.c), the ID card
 * (app_idcard.c); this file holds the session (show, end and wipe,
 * timeouts, the "more time?" prompt, speech), the walk-in, the
 * technician's side, pointer input and the worker's results. It does NOT
 * read SDL events (input.c) or sleep.
 */
#include "ui/app.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "firmware/log.h"
#include "firmware/util.h"
#include "ui/png.h"

const char *app_screen_name(enum app_screen s)
{
	switch (s) {
	case APP_WELCOME: return "welcome";
	case APP_SERVICES: return "services";
	case APP_ISSUING: return "issuing";
	case APP_TICKET: return "ticket";
	case APP_SORRY: return "sorry";
	case APP_OUT_OF_SERVICE: return "out-of-service";
	case APP_PIN: return "pin";
	case APP_MAINTENANCE: return "maintenance";
	case APP_CHECKIN: return "checkin";
	case APP_CHECKING: return "checking";
	case APP_CHECKIN_RESULT: return "checkin-result";
	case APP_FORMS_CHECK: return "forms-check";
	case APP_FORMS_CLOSED: return "forms-closed";
	case APP_FORMS: return "forms";
	case APP_FORM_PAGE: return "form-page";
	case APP_FORM_REVIEW: return "form-review";
	case APP_FORM_CONSENT: return "form-consent";
	case APP_SUBMITTING: return "submitting";
	case APP_RECEIPT: return "receipt";
	case APP_CARD: return "card";
	case APP_CARD_READING: return "card-reading";
	case APP_PREFILL_CONSENT: return "prefill-consent";
	}
	return "?";
}

int app__session_screen(enum app_screen s)
{
	return s == APP_SERVICES || s == APP_CHECKIN ||
	       s == APP_CHECKIN_RESULT || s == APP_FORMS ||
	       s == APP_FORMS_CLOSED || s == APP_FORM_PAGE ||
	       s == APP_FORM_REVIEW || s == APP_FORM_CONSENT ||
	       s == APP_CARD || s == APP_PREFILL_CONSENT;
}

static int form_screen(const struct app *app, enum app_screen s)
{
	return s == APP_FORM_PAGE || s == APP_FORM_REVIEW ||
	       s == APP_FORM_CONSENT || s == APP_SUBMITTING ||
	       (app->card_prefill && app__card_screen(s));
}

static int waiting_screen(enum app_screen s)
{
	return s == APP_ISSUING || s == APP_CHECKING ||
	       s == APP_FORMS_CHECK || s == APP_SUBMITTING;
}

static inline int fields_empty(const struct app *app)
{
	return !app->ci_fields[0].tb.len && !app->ci_fields[1].tb.len;
}

static void app_assert_state(const struct app *app)
{
#ifndef NDEBUG
	enum app_screen s = app->screen;

	assert(!app->inflight || waiting_screen(s));
	assert(!waiting_screen(s) || app->inflight);
	assert(!(s == APP_SERVICES || waiting_screen(s) || s == APP_CHECKIN) ||
	       app->request_key[0]);
	assert(!app->answers || form_screen(app, s));
	assert(!form_screen(app, s) || (app->answers && app->form));
	assert(!app->card_read_id || s == APP_CARD_READING);
	assert(s == APP_CARD || !app->can_tb.len);
	assert(s != APP_RECEIPT || app->reference[0]);
	assert(s != APP_TICKET || app->ticket.number[0]);
	assert(s != APP_OUT_OF_SERVICE || app->oos_detail[0]);
	assert(s != APP_SORRY || app->sorry);
	assert(s == APP_OUT_OF_SERVICE || s == APP_WELCOME || app->deadline);
	assert(!app->deadline || s != APP_OUT_OF_SERVICE);
	assert(s == APP_PIN || !app->pin[0]);
	assert(!app->maint_inflight || s == APP_MAINTENANCE);
	assert(!app->hold_since || s == APP_WELCOME);
	assert(!app->more_time || app__session_screen(s));
	assert(s == APP_CHECKIN || s == APP_CHECKING ||
	       s == APP_CHECKIN_RESULT || fields_empty(app));
	assert(app->group < 0 || s == APP_SERVICES);
	assert(s != APP_WELCOME || app->deadline ||
	       (!app->a11y.speech && !app->a11y.contrast && !app->a11y.large));
#else
	(void)app;
#endif
}

static int64_t app_idle_ms(const struct app *app)
{
	return (int64_t)app->cfg->idle_seconds * 1000;
}

int64_t app__idle_deadline(const struct app *app)
{
	return app->now + app_idle_ms(app);
}

/* Rebuilds the tree of the current screen and asks for a redraw; the
 * input guard starts again, since buttons may have moved. */
static void speak(struct app *app, const char *text)
{
	if (!app->a11y.speech || !text || !*text)
		return;
	snprintf(app->spoken, sizeof app->spoken, "%s", text);
	if (app->speech)
		speech_say(app->speech, app->lang, text);
}

/* The texts of a screen in reading order, without the keys of a
 * keyboard, the header and the accessibility bar. */
static void screen_text(const struct widget *w, char *out, size_t len)
{
	size_t n;

	if (!strcmp(w->id, "keyboard") || !strcmp(w->id, "header") ||
	    !strcmp(w->id, "site-name") || !strncmp(w->id, "a11y-", 5))
		return;
	n = strlen(out);
	if (w->text && *w->text && n + 3 < len)
		snprintf(out + n, len - n, "%s%s", n ? ". " : "", w->text);
	for (int i = 0; i < w->n_children; i++)
		screen_text(w->children[i], out, len);
}

static void speak_screen(struct app *app)
{
	char text[SPEECH_TEXT_MAX] = "";
	const struct widget *top = app->root;

	if (!app->a11y.speech || !top)
		return;
	if (app->more_time)
		top = widget_find(app->root, "more-time");
	if (top)
		screen_text(top, text, sizeof text);
	speak(app, text);
	util_wipe(text, sizeof text);
}

void app__rebuild(struct app *app)
{
	/* a bouncing finger must not reach the button that now sits where
	 * the last one was (e.g. "start" → the third service) */
	app->input_from = util_mono_ms() + APP_INPUT_GUARD_MS;
	app->pressed = NULL;
	i18n_activate(app->i18n, app->lang);
	if (app__build(app) < 0) {
		log_error("ui", "out of memory building the %s screen",
			  app_screen_name(app->screen));
		app->failed = 1;
	}
	app->dirty = 1;
	speak_screen(app);
	app_assert_state(app);
}

/* Enters screen s: state first, then the tree. */
void app__show(struct app *app, enum app_screen s, int64_t deadline)
{
	if (!app__card_screen(s))
		app->card_prefill = 0;
	if (!form_screen(app, s))
		app__forms_wipe(app);
	if (s != APP_CARD)
		textbuf_wipe(&app->can_tb);
	if (s != APP_CARD_READING)
		app->card_read_id = 0;
	if (s != APP_PIN)
		util_wipe(app->pin, sizeof app->pin);
	if (s != APP_MAINTENANCE)
		app->maint_inflight = 0;
	if (s != APP_SERVICES)
		app->group = -1;
	if (s != APP_CHECKIN && s != APP_CHECKING && s != APP_CHECKIN_RESULT)
		for (int i = 0; i < 2; i++)
			textbuf_wipe(&app->ci_fields[i].tb);
	app->hold_since = 0;
	app->more_time = 0;
	app->screen = s;
	app->deadline = deadline;
	app__rebuild(app);
}

static void app_default_language(struct app *app)
{
	snprintf(app->lang, sizeof app->lang, "%s",
		 app->cfg->default_language[0] ? app->cfg->default_language
					       : "de");
}

/* Ends the citizen's session (invariant 6): whatever they typed is
 * wiped; the next citizen meets the defaults. */
static void app_end_session(struct app *app)
{
	app_default_language(app);
	app->pin_tries = 0;
	util_wipe(app->request_key, sizeof app->request_key);
	for (int i = 0; i < 2; i++)
		textbuf_wipe(&app->ci_fields[i].tb);
	app->ci_focus = 0;
	app->ci_outcome = 0;
	app->ci_by_card = 0;
	app->priority = 0;
	util_wipe(&app->ticket, sizeof app->ticket);
	app__forms_wipe(app);
	app__card_wipe(app);
	app->form = NULL;
	util_wipe(app->reference, sizeof app->reference);
	memset(&app->a11y, 0, sizeof app->a11y);
	if (app->speech)
		speech_set_enabled(app->speech, 0);
	util_wipe(app->spoken, sizeof app->spoken);
	scanner_reset(&app->scan);
	app->n_other = 0;
	if (app->text && app->screen != APP_WELCOME)
		text_forget(app->text); /* rendered names, typed text */
	app->inflight = 0;
	app__show(app, APP_WELCOME, 0);
}

static void app_show_welcome(struct app *app)
{
	app_end_session(app);
}

void app__end_session(struct app *app)
{
	app_end_session(app);
}

static void app_out_of_service(struct app *app, const char *detail)
{
	snprintf(app->oos_detail, sizeof app->oos_detail, "%s", detail);
	app->inflight = 0;
	log_error("ui", "out of service: %s", detail);
	app__show(app, APP_OUT_OF_SERVICE, 0);
}

/* ---- the technician's side ---- */

static void app_open_pin(struct app *app)
{
	app->pin_tries = 0;
	app_default_language(app);
	log_info("ui", "maintenance PIN pad opened");
	app__show(app, APP_PIN, app->now + app_idle_ms(app));
}

static void app_maint_post(struct app *app, const char *retry_id)
{
	if (app->maint_inflight)
		return;
	if ((retry_id ? worker_post_retry(app->worker, retry_id)
		      : worker_post_snapshot(app->worker)) < 0) {
		log_warn("ui", "worker busy; maintenance job not queued");
		return;
	}
	app->maint_inflight = 1;
}

/* Compares without an early exit, so the time taken does not tell how
 * many leading digits were right. */
static int app_pin_matches(const char *typed, const char *pin)
{
	size_t n = strlen(pin), m = strlen(typed);
	unsigned diff = n != m;

	for (size_t i = 0; i < n; i++)
		diff |= (unsigned char)pin[i] ^
			(unsigned char)(i < m ? typed[i] : 0);
	return diff == 0;
}

static void app_act_pin_ok(struct app *app)
{
	if (!app->pin[0])
		return;
	if (app_pin_matches(app->pin, app->cfg->maintenance_pin)) {
		log_info("ui", "maintenance view opened");
		app->maint_loaded = 0;
		app__show(app, APP_MAINTENANCE, app->now + app_idle_ms(app));
		app_maint_post(app, NULL);
		return;
	}
	util_wipe(app->pin, sizeof app->pin);
	app->pin_tries++;
	log_warn("ui", "maintenance: wrong PIN (%d of %d)", app->pin_tries,
		 APP_PIN_TRIES);
	if (app->pin_tries >= APP_PIN_TRIES) {
		app->pin_locked_until = util_mono_ms() + APP_PIN_LOCK_MS;
		app_show_welcome(app);
		return;
	}
	app__pin_update(app, N_("Wrong PIN"));
}

static void app_pin_digit(struct app *app, char d)
{
	size_t n = strlen(app->pin);

	if (n + 1 < sizeof app->pin) {
		app->pin[n] = d;
		app->pin[n + 1] = '\0';
	}
	app__pin_update(app, NULL);
}

static void app_pin_delete(struct app *app)
{
	size_t n = strlen(app->pin);

	if (n)
		app->pin[n - 1] = '\0';
	app__pin_update(app, NULL);
}

static void app_act_retry(struct app *app, int idx)
{
	if (!app->maint_loaded || idx < 0 || idx >= app->maint.n_dead)
		return;
	app_maint_post(app, app->maint.dead[idx].id);
}

/* A press on WELCOME's header starts the hold that app_frame() turns
 * into the PIN pad; nothing shows that it is counting. */
static void app_hold_start(struct app *app, int y)
{
	int64_t t = util_mono_ms();

	if (app->screen != APP_WELCOME || !app->cfg->maintenance_pin[0] ||
	    y < 0 || y >= APP_HEADER_H || t < app->pin_locked_until)
		return;
	app->hold_since = t ? t : 1;
}

/* ---- the walk-in ---- */

void app__start_walkin(struct app *app)
{
	app->priority = 0;
	util_uuid(app->request_key);
	app__show(app, APP_SERVICES, app->now + app_idle_ms(app));
}

/* A group's button carries the index of its first service; level 2
 * shows every service of that group. */
static void app_act_group(struct app *app, int idx)
{
	if (app->screen != APP_SERVICES || idx < 0 ||
	    idx >= app->cfg->n_services || !app->cfg->services[idx].group[0])
		return;
	app__show(app, APP_SERVICES, app->now + app_idle_ms(app));
	app->group = idx;
	app__rebuild(app);
}

static void app_act_back(struct app *app)
{
	if (app->screen == APP_SERVICES && app->group >= 0) {
		app->group = -1;
		app__show(app, APP_SERVICES, app->now + app_idle_ms(app));
		return;
	}
	if (app->screen == APP_CHECKIN_RESULT) {
		if (app->ci_by_card) /* try the booking code instead */
			app__checkin_start(app);
		else /* the fields as typed, to correct them */
			app__show(app, APP_CHECKIN, app->now + app_idle_ms(app));
		return;
	}
	if (app__card_screen(app->screen)) {
		struct widget w = { .action = ACT_BACK };
		app__card_act(app, &w);
		return;
	}
	app_end_session(app);
}

static void app_act_service(struct app *app, int idx)
{
	const struct config_service *s;

	if (app->inflight || idx < 0 || idx >= app->cfg->n_services)
		return;
	s = &app->cfg->services[idx];
	if (worker_post_issue_prio(app->worker, s->id, app->lang,
				   app->request_key, app->priority) < 0) {
		log_warn("ui", "worker busy; tap on %s ignored", s->id);
		return;
	}
	app->inflight = 1;
	app__show(app, APP_ISSUING, app->now + APP_ISSUING_MAX_MS);
}

/* A screen that changes language or a toggle in place keeps its
 * deadline; on WELCOME the change starts the fall-back deadline. */
void app__refresh_in_place(struct app *app)
{
	int prompt = app->more_time;

	app__show(app, app->screen, app->screen == APP_WELCOME
			? app->now + app_idle_ms(app) : app->deadline);
	app->more_time = prompt;
	if (prompt)
		app__rebuild(app);
}

static void app_act_lang(struct app *app, int idx)
{
	if (idx < 0 || idx >= app->cfg->n_languages ||
	    !strcmp(app->lang, app->cfg->languages[idx]))
		return;
	snprintf(app->lang, sizeof app->lang, "%s",
		 app->cfg->languages[idx]);
	app__refresh_in_place(app);
}

static void app_act_a11y(struct app *app, enum app_action act)
{
	int *flag = act == ACT_SPEECH ? &app->a11y.speech
		  : act == ACT_CONTRAST ? &app->a11y.contrast
					: &app->a11y.large;

	*flag = !*flag;
	if (act == ACT_SPEECH && app->speech)
		speech_set_enabled(app->speech, app->a11y.speech);
	app__refresh_in_place(app);
}

static void app_act(struct app *app, const struct widget *w)
{
	switch ((enum app_action)w->action) {
	case ACT_NONE:
		break;
	case ACT_LANG:
		app_act_lang(app, w->arg);
		break;
	case ACT_SERVICE:
		app_act_service(app, w->arg);
		break;
	case ACT_GROUP:
		app_act_group(app, w->arg);
		break;
	case ACT_START:
		app__start_walkin(app);
		break;
	case ACT_FORMS:
	case ACT_FORM:
	case ACT_FORM_FIELD:
	case ACT_FORM_OPTION:
	case ACT_FORM_CHECK:
	case ACT_FORM_NEXT:
	case ACT_FORM_PREV:
	case ACT_FORM_CONSENT:
		app__forms_act(app, w);
		break;
	case ACT_PRIORITY:
		if (app->screen == APP_SERVICES && app->cfg->priority_ticket) {
			app->priority = !app->priority;
			app__refresh_in_place(app);
		}
		break;
	case ACT_IDCARD:
	case ACT_CARD_READ:
	case ACT_PREFILL:
	case ACT_PREFILL_OK:
		app__card_act(app, w);
		break;
	case ACT_BACK:
		app_act_back(app);
		break;
	case ACT_DONE:
	case ACT_END_SESSION:
		app_end_session(app);
		break;
	case ACT_PIN_DIGIT:
		app_pin_digit(app, (char)('0' + w->arg));
		break;
	case ACT_PIN_DELETE:
		app_pin_delete(app);
		break;
	case ACT_PIN_OK:
		app_act_pin_ok(app);
		break;
	case ACT_RETRY:
		app_act_retry(app, w->arg);
		break;
	case ACT_REFRESH:
		app_maint_post(app, NULL);
		break;
	case ACT_SPEECH:
	case ACT_CONTRAST:
	case ACT_LARGE:
		app_act_a11y(app, (enum app_action)w->action);
		break;
	case ACT_MORE_TIME:
		app->more_time = 0;
		app->deadline = app->now + app_idle_ms(app);
		app__rebuild(app);
		break;
	case ACT_CHECKIN:
		app__checkin_start(app);
		break;
	case ACT_CHECKIN_GO:
		app__checkin_go(app);
		break;
	case ACT_KEY:
		app__act_key(app, w->arg);
		break;
	case ACT_FIELD:
		app__checkin_field(app, w->arg);
		break;
	}
}

/* A touch keeps a session (or the technician's visit) alive. */
static void app_touched(struct app *app)
{
	if (app__session_screen(app->screen) || app->screen == APP_PIN ||
	    app->screen == APP_MAINTENANCE ||
	    (app->screen == APP_WELCOME && app->deadline)) {
		if (!app->more_time)
			app->deadline = app->now + app_idle_ms(app);
	}
}

/* The button under (x, y); while the prompt is up only its buttons. */
static struct widget *app_hit(struct app *app, int x, int y)
{
	struct widget *scope = app->root;

	if (!scope)
		return NULL;
	if (app->more_time) {
		scope = widget_find(app->root, "more-time");
		if (!scope)
			return NULL;
	}
	return widget_at(scope, x, y);
}

void app_pointer(struct app *app, int down, int x, int y)
{
	struct widget *w;
	int64_t t = util_mono_ms();

	/* a touch ends any burst: what the scanner held back was typed, and
	 * comes before the touch */
	app__scanner_drain(app, t + SCANNER_MAX_GAP_MS + 1);
	w = app_hit(app, x, y);

	app_touched(app);
	if (!down)
		app->hold_since = 0;
	if (down && t < app->input_from)
		return; /* the screen just changed under the finger */
	if (down) {
		app->hold_since = 0;
		if (!w && !app->more_time)
			app_hold_start(app, y);
		if (app->pressed)
			app->pressed->pressed = 0;
		app->dirty |= app->pressed != NULL || w != NULL;
		app->pressed = w;
		app->press_cancelled = 0;
		app->press_ms = t;
		if (w) {
			w->pressed = 1;
			speak(app, w->text);
		}
		return;
	}
	if (!app->pressed)
		return;
	app->pressed->pressed = 0;
	app->dirty = 1;
	if (w == app->pressed && !app->press_cancelled &&
	    t - app->press_ms <= APP_LONG_PRESS_MS) {
		app->pressed = NULL;
		app_act(app, w);
	}
	app->pressed = NULL;
}

void app_pointer_move(struct app *app, int x, int y)
{
	if (!app->pressed || app->press_cancelled)
		return;
	if (app_hit(app, x, y) != app->pressed) {
		/* slid off: this press does nothing, even if it comes back */
		app->press_cancelled = 1;
		app->pressed->pressed = 0;
		app->dirty = 1;
	}
}

void app__key_now(struct app *app, SDL_Keycode key)
{
	if (key == SDLK_ESCAPE &&
	    (app__session_screen(app->screen) || app->screen == APP_TICKET ||
	     app->screen == APP_PIN || app->screen == APP_MAINTENANCE)) {
		app_end_session(app);
		return;
	}
	app_touched(app);
	if (app->more_time)
		return;
	if (app__forms_key(app, key))
		return;
	if (app->screen == APP_CARD) {
		if (key == SDLK_BACKSPACE && textbuf_backspace(&app->can_tb))
			app__fields_update(app);
		else if (key == SDLK_RETURN || key == SDLK_KP_ENTER) {
			struct widget w = { .action = ACT_CARD_READ };
			app__card_act(app, &w);
		}
		return;
	}
	if (app->screen == APP_CHECKIN) {
		struct textbuf *tb = &app->ci_fields[app->ci_focus].tb;
		if (key == SDLK_BACKSPACE && textbuf_backspace(tb))
			app__fields_update(app);
		else if (key == SDLK_RETURN || key == SDLK_KP_ENTER)
			app__checkin_result(app, KB_ENTER);
		else if (key == SDLK_TAB)
			app__checkin_field(app, !app->ci_focus);
		return;
	}
	if (app->screen != APP_PIN)
		return;
	if (key == SDLK_RETURN || key == SDLK_KP_ENTER)
		app_act_pin_ok(app);
	else if (key == SDLK_BACKSPACE)
		app_pin_delete(app);
}

/* Text from a physical keyboard: the PIN pad's digits, or the focused
 * check-in field (digits only in the process number). */
void app__text_now(struct app *app, const char *utf8)
{
	app_touched(app);
	if (app->more_time || app__forms_text(app, utf8))
		return;
	if (app->screen == APP_CARD) {
		char one[2] = { 0, 0 };
		for (; *utf8; utf8++) {
			one[0] = *utf8;
			if (*utf8 >= '0' && *utf8 <= '9')
				textbuf_insert(&app->can_tb, one);
		}
		app__fields_update(app);
		return;
	}
	if (app->screen == APP_CHECKIN) {
		struct app_field *f = &app->ci_fields[app->ci_focus];
		char one[2] = { 0, 0 };
		for (; *utf8; utf8++) {
			one[0] = *utf8;
			if (f->layout == KB_NUMERIC &&
			    (*utf8 < '0' || *utf8 > '9'))
				continue;
			if (*utf8 >= 'a' && *utf8 <= 'z' && app->ci_focus == 1)
				one[0] = (char)(*utf8 - 'a' + 'A');
			if ((unsigned char)*utf8 < 0x80)
				textbuf_insert(&f->tb, one);
		}
		app__fields_update(app);
		return;
	}
	if (app->screen != APP_PIN)
		return;
	for (; *utf8; utf8++)
		if (*utf8 >= '0' && *utf8 <= '9')
			app_pin_digit(app, *utf8);
}

static int app_awaits(const struct app *app, const struct worker_result *r,
		      enum app_screen screen)
{
	return app->screen == screen && !strcmp(r->request_key,
						app->request_key);
}

static void app_sorry(struct app *app, const char *msgid)
{
	app->inflight = 0;
	app->sorry = msgid;
	app__show(app, APP_SORRY, app->now +
		 (int64_t)app->cfg->ticket_screen_seconds * 1000);
}

static void app_on_failure(struct app *app, const struct worker_result *r)
{
	if (!app_awaits(app, r, APP_ISSUING) &&
	    !app_awaits(app, r, APP_CHECKING))
		return;
	switch (r->err) {
	case BK_ERR_BUSY: /* another process held the database too long */
		app_sorry(app, N_("The kiosk is busy. Please try again in a moment."));
		break;
	case BK_ERR_EXHAUSTED:
		app_sorry(app, N_("No more tickets can be issued for this service today. Please ask at the reception desk."));
		break;
	default: /* the store cannot be trusted to take the next ticket */
		app_out_of_service(app, r->error);
		return;
	}
}

void app__show_ticket(struct app *app, const struct ticket *t)
{
	app->ticket = *t;
	app->printed = -1;
	app->inflight = 0;
	app__show(app, APP_TICKET,
		 app->now + (int64_t)app->cfg->ticket_screen_seconds * 1000);
}

static void app_on_result(struct app *app, const struct worker_result *r)
{
	switch (r->kind) {
	case WORKER_READY:
		app->store_ready = 1;
		break;
	case WORKER_STORE_FAILED:
		app_out_of_service(app, r->error);
		break;
	case WORKER_ISSUE_FAILED:
		app_on_failure(app, r);
		break;
	case WORKER_ISSUED:
		if (!app_awaits(app, r, APP_ISSUING))
			break; /* a repeat of a request already shown */
		app__show_ticket(app, &r->ticket);
		break;
	case WORKER_CHECKIN:
		app__on_checkin(app, r);
		break;
	case WORKER_FORMS_CHECK:
	case WORKER_SUBMITTED:
		app__forms_result(app, r);
		break;
	case WORKER_MAINT:
		if (app->screen != APP_MAINTENANCE)
			break; /* closed meanwhile */
		app->maint = r->maint;
		app->maint_loaded = 1;
		app->maint_inflight = 0;
		app__show(app, APP_MAINTENANCE, app->deadline);
		break;
	case WORKER_PRINTED:
		if (app_awaits(app, r, APP_RECEIPT)) {
			app->printed = r->printed;
			app__show(app, APP_RECEIPT, app->deadline);
			break;
		}
		if (!app_awaits(app, r, APP_TICKET) ||
		    strcmp(r->ticket.id, app->ticket.id))
			break;
		app->printed = r->printed;
		app__show(app, APP_TICKET, app->deadline);
		break;
	}
}

int app_accepts_input(const struct app *app)
{
	return util_mono_ms() >= app->input_from;
}

static void app_draw(struct app *app)
{
	/* the root box is opaque and covers the screen: clearing first
	 * would fill every pixel twice (bench_ui) */
	if (app->root) {
		widget_draw(app->root, app->r, app->text);
	} else {
		SDL_SetRenderDrawColor(app->r, 0xf4, 0xf5, 0xf7, 0xff);
		SDL_RenderClear(app->r);
	}
	SDL_RenderPresent(app->r);
	app->dirty = 0;
}

int app_frame(struct app *app, int64_t now_ms)
{
	struct worker_result r;

	app->now = now_ms;
	app__scanner_drain(app, util_mono_ms());
	app__card_frame(app);
	while (app->worker && worker_poll(app->worker, &r))
		if (app->screen != APP_OUT_OF_SERVICE)
			app_on_result(app, &r);
	if (app->hold_since && now_ms - app->hold_since >= APP_HOLD_MS)
		app_open_pin(app);
	if (app->deadline && now_ms >= app->deadline) {
		if (app->screen == APP_CARD_READING) {
			struct widget w = { .action = ACT_NONE };
			app__card_act(app, &w); /* the read took too long */
		} else if (waiting_screen(app->screen)) {
			/* the store did not answer in time: say so; a late
			 * answer for this request is then ignored */
			app_sorry(app, N_("The kiosk is busy. Please try again in a moment."));
		} else if (app__session_screen(app->screen) &&
			   !app->more_time) {
			app->more_time = 1;
			app->deadline = now_ms +
				(int64_t)app->cfg->more_time_seconds * 1000;
			app__rebuild(app);
		} else {
			if (app->more_time)
				log_info("ui", "session timed out; wiped");
			app_end_session(app);
		}
	}
	if (app->failed)
		return -1;
	if (app->dirty)
		app_draw(app);
	return 0;
}

int app_screenshot(struct app *app, const char *path, char *err,
		   size_t errlen)
{
	app_draw(app);
	return uipng_write_renderer(app->r, path, err, errlen);
}

struct app *app_create(SDL_Renderer *r, struct text *t,
		       const struct config *cfg, struct i18n *i18n,
		       struct worker *worker, const char *oos_detail,
		       char *err, size_t errlen)
{
	struct app *app = calloc(1, sizeof *app);

	if (!app) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	app->r = r;
	app->text = t;
	app->cfg = cfg;
	app->i18n = i18n;
	app->worker = worker;
	app->now = util_mono_ms();
	app->group = -1;
	app->form_bad = -1;
	scanner_init(&app->scan);
	if (oos_detail || !worker) {
		app_default_language(app);
		app_out_of_service(app, oos_detail ? oos_detail
						   : "no worker thread");
	} else {
		app_show_welcome(app);
	}
	if (app->failed) {
		snprintf(err, errlen, "out of memory");
		app_destroy(app);
		return NULL;
	}
	return app;
}

void app_destroy(struct app *app)
{
	if (!app)
		return;
	util_wipe(app->pin, sizeof app->pin);
	for (int i = 0; i < 2; i++)
		textbuf_wipe(&app->ci_fields[i].tb);
	app__forms_wipe(app);
	app__wipe_tree(app->root);
	widget_destroy(app->root);
	util_wipe(app, sizeof *app);
	free(app);
}

/* needle anywhere in the n bytes at p, NULs included: what a wipe
 * should have removed may sit after the string's end. */
static int mem_has(const char *p, size_t n, const char *needle)
{
	size_t k = strlen(needle);

	for (size_t i = 0; i + k <= n; i++)
		if (!memcmp(p + i, needle, k))
			return 1;
	return 0;
}

static int tree_holds(const struct widget *w, const char *needle)
{
	if (!w)
		return 0;
	if (w->text && strstr(w->text, needle))
		return 1;
	for (int i = 0; i < w->n_children; i++)
		if (tree_holds(w->children[i], needle))
			return 1;
	return 0;
}

int app_holds_text(const struct app *app, const char *needle)
{
	if (!*needle)
		return 0;
	for (int i = 0; i < 2; i++)
		if (mem_has(app->ci_fields[i].tb.data,
			    sizeof app->ci_fields[i].tb.data, needle))
			return 1;
	if (mem_has(app->form_tb.data, sizeof app->form_tb.data, needle) ||
	    mem_has(app->can_tb.data, sizeof app->can_tb.data, needle) ||
	    mem_has(app->spoken, sizeof app->spoken, needle))
		return 1;
	if (app->answers &&
	    mem_has(app->answers->value[0], sizeof app->answers->value, needle))
		return 1;
	if (app->text && text_cache_holds(app->text, needle))
		return 1;
	return tree_holds(app->root, needle);
}

void app_set_card(struct app *app, struct app_card *card)
{
	app->card = card;
}

void app_set_speech(struct app *app, struct speech *sp)
{
	app->speech = sp;
}

void app_set_forms(struct app *app, const struct forms_list *forms)
{
	app->forms = forms;
	if (app->screen == APP_WELCOME)
		app__rebuild(app); /* the "fill in a form" button */
}
