/*
 * app.c — the citizen session's state machine and input dispatch (app.h),
 * and the technician's way into the maintenance view: a 3 s hold on the
 * header, a PIN, then snapshots and retries through the worker.
 *
 * Screens are rebuilt from scratch on every transition and language
 * switch (screens.c), at once, so that input arriving in the same batch
 * already meets the new screen. Drawing happens only in app_frame() and
 * only when something changed. It does NOT read SDL events or sleep.
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
	}
	return "?";
}

static void app_assert_state(const struct app *app)
{
#ifndef NDEBUG
	assert(!app->inflight || app->screen == APP_ISSUING);
	assert(app->screen != APP_ISSUING || app->inflight);
	assert(!(app->screen == APP_SERVICES || app->screen == APP_ISSUING) ||
	       app->request_key[0]);
	assert(app->screen != APP_TICKET || app->ticket.number[0]);
	assert(app->screen != APP_OUT_OF_SERVICE || app->oos_detail[0]);
	assert(app->screen != APP_SORRY || app->sorry);
	assert(!app->deadline || app->screen == APP_SERVICES ||
	       app->screen == APP_TICKET || app->screen == APP_WELCOME ||
	       app->screen == APP_SORRY || app->screen == APP_ISSUING ||
	       app->screen == APP_PIN || app->screen == APP_MAINTENANCE);
	assert(app->screen != APP_PIN || app->deadline);
	assert(app->screen != APP_MAINTENANCE || app->deadline);
	assert(app->screen == APP_PIN || !app->pin[0]);
	assert(!app->maint_inflight || app->screen == APP_MAINTENANCE);
	assert(!app->hold_since || app->screen == APP_WELCOME);
#else
	(void)app;
#endif
}

static int64_t app_idle_ms(const struct app *app)
{
	return (int64_t)app->cfg->idle_seconds * 1000;
}

/* Enters screen s: rebuilds the tree and asks for a redraw. */
static void app_show(struct app *app, enum app_screen s, int64_t deadline)
{
	if (s != APP_PIN)
		util_wipe(app->pin, sizeof app->pin);
	if (s != APP_MAINTENANCE)
		app->maint_inflight = 0;
	app->hold_since = 0;
	app->screen = s;
	app->deadline = deadline;
	app->pressed = NULL;
	/* a bouncing finger must not reach the button that now sits where
	 * the last one was (e.g. "start" → the third service) */
	app->input_from = util_mono_ms() + APP_INPUT_GUARD_MS;
	i18n_activate(app->i18n, app->lang);
	if (app__build(app) < 0) {
		log_error("ui", "out of memory building the %s screen",
			  app_screen_name(s));
		app->failed = 1;
	}
	app->dirty = 1;
	app_assert_state(app);
}

static void app_default_language(struct app *app)
{
	snprintf(app->lang, sizeof app->lang, "%s",
		 app->cfg->default_language[0] ? app->cfg->default_language
					       : "de");
}

static void app_show_welcome(struct app *app)
{
	app_default_language(app);
	app->pin_tries = 0;
	app->request_key[0] = '\0';
	app->inflight = 0;
	app_show(app, APP_WELCOME, 0);
}

static void app_out_of_service(struct app *app, const char *detail)
{
	snprintf(app->oos_detail, sizeof app->oos_detail, "%s", detail);
	app->inflight = 0;
	log_error("ui", "out of service: %s", detail);
	app_show(app, APP_OUT_OF_SERVICE, 0);
}

/* ---- the technician's side ---- */

static void app_open_pin(struct app *app)
{
	app->pin_tries = 0;
	app_default_language(app);
	log_info("ui", "maintenance PIN pad opened");
	app_show(app, APP_PIN, app->now + app_idle_ms(app));
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
		app_show(app, APP_MAINTENANCE, app->now + app_idle_ms(app));
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

static void app_act_start(struct app *app)
{
	util_uuid(app->request_key);
	app_show(app, APP_SERVICES, app->now + app_idle_ms(app));
}

static void app_act_service(struct app *app, int idx)
{
	const struct config_service *s;

	if (app->inflight || idx < 0 || idx >= app->cfg->n_services)
		return;
	s = &app->cfg->services[idx];
	if (worker_post_issue(app->worker, s->id, app->lang,
			      app->request_key) < 0) {
		log_warn("ui", "worker busy; tap on %s ignored", s->id);
		return;
	}
	app->inflight = 1;
	app_show(app, APP_ISSUING, app->now + APP_ISSUING_MAX_MS);
}

static void app_act_lang(struct app *app, int idx)
{
	if (idx < 0 || idx >= app->cfg->n_languages ||
	    !strcmp(app->lang, app->cfg->languages[idx]))
		return;
	snprintf(app->lang, sizeof app->lang, "%s",
		 app->cfg->languages[idx]);
	/* a language left chosen on the welcome screen falls back too */
	app_show(app, app->screen, app->screen == APP_WELCOME
			? app->now + app_idle_ms(app) : app->deadline);
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
	case ACT_START:
		app_act_start(app);
		break;
	case ACT_BACK:
	case ACT_DONE:
		app_show_welcome(app);
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
	}
}

void app_pointer(struct app *app, int down, int x, int y)
{
	struct widget *w = app->root ? widget_at(app->root, x, y) : NULL;

	if (app->screen == APP_SERVICES || app->screen == APP_PIN ||
	    app->screen == APP_MAINTENANCE ||
	    (app->screen == APP_WELCOME && app->deadline))
		app->deadline = app->now + app_idle_ms(app);
	if (!down)
		app->hold_since = 0;
	if (down && util_mono_ms() < app->input_from)
		return; /* the screen just changed under the finger */
	if (down) {
		app->hold_since = 0;
		if (!w)
			app_hold_start(app, y);
		if (app->pressed)
			app->pressed->pressed = 0;
		app->dirty |= app->pressed != NULL || w != NULL;
		app->pressed = w;
		if (w)
			w->pressed = 1;
		return;
	}
	if (!app->pressed)
		return;
	app->pressed->pressed = 0;
	app->dirty = 1;
	if (w == app->pressed) {
		app->pressed = NULL;
		app_act(app, w);
	}
	app->pressed = NULL;
}

void app_key(struct app *app, SDL_Keycode key)
{
	if (key == SDLK_ESCAPE &&
	    (app->screen == APP_SERVICES || app->screen == APP_TICKET ||
	     app->screen == APP_PIN || app->screen == APP_MAINTENANCE)) {
		app_show_welcome(app);
		return;
	}
	if (app->screen != APP_PIN)
		return;
	app->deadline = app->now + app_idle_ms(app);
	if (key == SDLK_RETURN || key == SDLK_KP_ENTER)
		app_act_pin_ok(app);
	else if (key == SDLK_BACKSPACE)
		app_pin_delete(app);
}

/* Only the PIN pad takes text: its digits (a keyboard on the desktop
 * simulator); anything else is ignored. */
void app_text(struct app *app, const char *utf8)
{
	if (app->screen != APP_PIN)
		return;
	app->deadline = app->now + app_idle_ms(app);
	for (; *utf8; utf8++)
		if (*utf8 >= '0' && *utf8 <= '9')
			app_pin_digit(app, *utf8);
}

/* A request of the current visit, still on the screen that waits for it. */
static int app_awaits(const struct app *app, const struct worker_result *r,
		      enum app_screen screen)
{
	return app->screen == screen && !strcmp(r->request_key,
						app->request_key);
}

static void app_on_failure(struct app *app, const struct worker_result *r)
{
	if (!app_awaits(app, r, APP_ISSUING))
		return;
	app->inflight = 0;
	switch (r->err) {
	case BK_ERR_BUSY: /* another process held the database too long */
		app->sorry = N_("The kiosk is busy. Please try again in a moment.");
		break;
	case BK_ERR_EXHAUSTED:
		app->sorry = N_("No more tickets can be issued for this service today. Please ask at the reception desk.");
		break;
	default: /* the store cannot be trusted to take the next ticket */
		app_out_of_service(app, r->error);
		return;
	}
	app_show(app, APP_SORRY, app->now +
		 (int64_t)app->cfg->ticket_screen_seconds * 1000);
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
		app->ticket = r->ticket;
		app->printed = -1;
		app->inflight = 0;
		app_show(app, APP_TICKET,
			 app->now + (int64_t)app->cfg->ticket_screen_seconds *
					    1000);
		break;
	case WORKER_MAINT:
		if (app->screen != APP_MAINTENANCE)
			break; /* closed meanwhile */
		app->maint = r->maint;
		app->maint_loaded = 1;
		app->maint_inflight = 0;
		app_show(app, APP_MAINTENANCE, app->deadline);
		break;
	case WORKER_PRINTED:
		if (!app_awaits(app, r, APP_TICKET) ||
		    strcmp(r->ticket.id, app->ticket.id))
			break;
		app->printed = r->printed;
		app_show(app, APP_TICKET, app->deadline);
		break;
	}
}

int app_accepts_input(const struct app *app)
{
	return util_mono_ms() >= app->input_from;
}

static void app_draw(struct app *app)
{
	SDL_SetRenderDrawColor(app->r, 0xf4, 0xf5, 0xf7, 0xff);
	SDL_RenderClear(app->r);
	if (app->root)
		widget_draw(app->root, app->r, app->text);
	SDL_RenderPresent(app->r);
	app->dirty = 0;
}

int app_frame(struct app *app, int64_t now_ms)
{
	struct worker_result r;

	app->now = now_ms;
	while (app->worker && worker_poll(app->worker, &r))
		if (app->screen != APP_OUT_OF_SERVICE)
			app_on_result(app, &r);
	if (app->hold_since && now_ms - app->hold_since >= APP_HOLD_MS)
		app_open_pin(app);
	if (app->deadline && now_ms >= app->deadline) {
		if (app->screen == APP_ISSUING) {
			/* the store did not answer in time: say so; a late
			 * answer for this request is then ignored */
			app->inflight = 0;
			app->sorry = N_("The kiosk is busy. Please try again in a moment.");
			app_show(app, APP_SORRY, now_ms +
				 (int64_t)app->cfg->ticket_screen_seconds *
					 1000);
		} else {
			app_show_welcome(app);
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
	int w = APP_W, h = APP_H, rc = -1;
	unsigned char *px;

	if (SDL_GetRendererOutputSize(app->r, &w, &h) < 0) {
		snprintf(err, errlen, "renderer: %s", SDL_GetError());
		return -1;
	}
	px = malloc((size_t)w * (size_t)h * 3);
	if (!px) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	app_draw(app);
	if (SDL_RenderReadPixels(app->r, NULL, SDL_PIXELFORMAT_RGB24, px,
				 w * 3) < 0) {
		snprintf(err, errlen, "reading pixels: %s", SDL_GetError());
		goto out;
	}
	rc = uipng_write_rgb(path, px, w, h, w * 3, err, errlen);
out:
	free(px);
	return rc;
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
	widget_destroy(app->root);
	free(app);
}
