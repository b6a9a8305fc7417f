/*
 * app_checkin.c — check-in by booking code in the session (app.h): the two
 * fields with their keyboards, the request to the store thread and its
 * outcome; and the USB scanner's keystrokes on the welcome and check-in
 * screens (scanner.h), where a booking code's QR payload checks in at
 * once. The typed fields are wiped whenever CHECKIN, CHECKING and
 * CHECKIN_RESULT are left (app__show). It does NOT draw
 * (screens_checkin.c) or touch the store (worker.c).
 */
#include <stdio.h>
#include <string.h>

#include "firmware/bookingcode.h"
#include "firmware/log.h"
#include "firmware/util.h"
#include "ui/app.h"

/* ---- appointment check-in ---- */

static void app_focus_field(struct app *app, int i)
{
	if (i < 0 || i > 1)
		return;
	app->ci_focus = i;
	keyboard_init(&app->kb, app->ci_fields[i].layout, ACT_KEY);
	if (i == 1)
		app->kb.caps = 1; /* booking codes are printed in capitals */
}

void app__checkin_start(struct app *app)
{
	util_uuid(app->request_key);
	app->ci_by_card = 0;
	textbuf_init(&app->ci_fields[0].tb, APP_PROCESS_MAX,
		     APP_PROCESS_MAX - 1);
	textbuf_init(&app->ci_fields[1].tb, APP_CODE_MAX, APP_CODE_MAX - 1);
	app->ci_fields[0].layout = KB_NUMERIC;
	app->ci_fields[1].layout = KB_DE;
	app_focus_field(app, 0);
	app__show(app, APP_CHECKIN, app__idle_deadline(app));
}

static int ascii_alnum(const char *s)
{
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= 'a' && *s <= 'z')))
			return 0;
	return 1;
}

void app__checkin_go(struct app *app)
{
	const char *num = app->ci_fields[0].tb.data;
	const char *code = app->ci_fields[1].tb.data;

	if (app->inflight || app->screen != APP_CHECKIN)
		return;
	if (!*num || !*code || !ascii_alnum(num) || !ascii_alnum(code))
		return; /* the button stays without effect until both fit */
	if (worker_post_checkin(app->worker, num, code, app->lang,
				app->request_key) < 0) {
		log_warn("ui", "worker busy; check-in not queued");
		return;
	}
	app->inflight = 1;
	app__show(app, APP_CHECKING, app->now + APP_ISSUING_MAX_MS);
}

/* A key of the on-screen keyboard, or a character typed on a real one. */
void app__checkin_result(struct app *app, enum keyboard_result kr)
{
	switch (kr) {
	case KB_IGNORED:
		break;
	case KB_TYPED:
	case KB_RELABEL:
		app__fields_update(app);
		break;
	case KB_RELAYOUT:
		app__refresh_in_place(app);
		break;
	case KB_ENTER:
		if (app->ci_focus == 0) {
			app_focus_field(app, 1);
			app__refresh_in_place(app);
		} else {
			app__checkin_go(app);
		}
		break;
	}
}

void app__act_key(struct app *app, int arg)
{
	if (app->screen == APP_CARD) {
		struct widget w = { .action = ACT_KEY, .arg = arg };
		app__card_act(app, &w);
		return;
	}
	if (app->screen == APP_FORM_PAGE) {
		struct widget w = { .action = ACT_KEY, .arg = arg };
		app__forms_act(app, &w);
		return;
	}
	if (app->screen != APP_CHECKIN)
		return;
	app__checkin_result(app, keyboard_press(&app->kb,
			 &app->ci_fields[app->ci_focus].tb, arg));
}

void app__checkin_field(struct app *app, int i)
{
	if (app->screen != APP_CHECKIN || i == app->ci_focus)
		return;
	app_focus_field(app, i);
	app__refresh_in_place(app);
}

/* ---- the USB scanner ---- */

static int scanning(const struct app *app)
{
	return (app->screen == APP_WELCOME || app->screen == APP_CHECKIN) &&
	       !app->more_time;
}

/* A whole scan: a booking code's QR payload checks in at once. Anything
 * else was typing after all. */
static void app_on_scan(struct app *app, const char *text, size_t len)
{
	struct bookingcode bc;

	if (bookingcode_parse_qr(text, len, &bc) != BK_OK) {
		app__text_now(app, text);
		app__key_now(app, SDLK_RETURN);
		return;
	}
	log_info("ui", "booking code scanned");
	if (app->screen != APP_CHECKIN)
		app__checkin_start(app);
	for (int i = 0; i < 2; i++)
		textbuf_wipe(&app->ci_fields[i].tb);
	textbuf_insert(&app->ci_fields[0].tb, bc.process);
	textbuf_insert(&app->ci_fields[1].tb, bc.code);
	util_wipe(&bc, sizeof bc);
	app__checkin_go(app);
}

/* Releases what the scanner held back, in order. */
void app__scanner_drain(struct app *app, int64_t now)
{
	struct scanner_event ev;

	scanner_tick(&app->scan, now);
	while (scanner_next(&app->scan, &ev)) {
		char u[5] = { 0 };
		switch (ev.kind) {
		case SCANNER_EV_KEY:
			if (ev.cp < 0x80) {
				u[0] = (char)ev.cp;
			} else if (ev.cp < 0x800) {
				u[0] = (char)(0xc0 | (ev.cp >> 6));
				u[1] = (char)(0x80 | (ev.cp & 0x3f));
			} else if (ev.cp < 0x10000) {
				u[0] = (char)(0xe0 | (ev.cp >> 12));
				u[1] = (char)(0x80 | ((ev.cp >> 6) & 0x3f));
				u[2] = (char)(0x80 | (ev.cp & 0x3f));
			} else {
				u[0] = (char)(0xf0 | (ev.cp >> 18));
				u[1] = (char)(0x80 | ((ev.cp >> 12) & 0x3f));
				u[2] = (char)(0x80 | ((ev.cp >> 6) & 0x3f));
				u[3] = (char)(0x80 | (ev.cp & 0x3f));
			}
			app__text_now(app, u);
			break;
		case SCANNER_EV_ENTER:
			app__key_now(app, ev.cp == SCANNER_TAB ? SDLK_TAB
							       : SDLK_RETURN);
			break;
		case SCANNER_EV_OTHER:
			if (app->n_other > 0) {
				SDL_Keycode k = app->other_keys[0];
				memmove(app->other_keys, app->other_keys + 1,
					(size_t)--app->n_other *
						sizeof app->other_keys[0]);
				app__key_now(app, k);
			}
			break;
		case SCANNER_EV_SCAN:
			app_on_scan(app, ev.text, ev.len);
			break;
		}
		util_wipe(&ev, sizeof ev);
	}
}

void app_key(struct app *app, SDL_Keycode key)
{
	int64_t t = util_mono_ms();

	if (!scanning(app)) {
		app__key_now(app, key);
		return;
	}
	if (key == SDLK_RETURN || key == SDLK_KP_ENTER) {
		scanner_key(&app->scan, SCANNER_ENTER, t);
	} else if (key == SDLK_TAB) {
		scanner_key(&app->scan, SCANNER_TAB, t);
	} else {
		if (app->n_other == (int)(sizeof app->other_keys /
					  sizeof app->other_keys[0]))
			return; /* a key storm; dropped */
		app->other_keys[app->n_other++] = key;
		scanner_key(&app->scan, SCANNER_OTHER, t);
	}
	app__scanner_drain(app, t);
}

/* Decodes one UTF-8 sequence; 0 at the end or on a broken byte. */
static uint32_t utf8_next(const char **s)
{
	const unsigned char *p = (const unsigned char *)*s;
	uint32_t cp;
	int n;

	if (!*p)
		return 0;
	if (*p < 0x80) { cp = *p; n = 1; }
	else if ((*p & 0xe0) == 0xc0) { cp = *p & 0x1f; n = 2; }
	else if ((*p & 0xf0) == 0xe0) { cp = *p & 0x0f; n = 3; }
	else if ((*p & 0xf8) == 0xf0) { cp = *p & 0x07; n = 4; }
	else return 0;
	for (int i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	*s += n;
	return cp;
}

void app_text(struct app *app, const char *utf8)
{
	int64_t t = util_mono_ms();
	uint32_t cp;

	if (!scanning(app)) {
		app__text_now(app, utf8);
		return;
	}
	while ((cp = utf8_next(&utf8)) != 0)
		scanner_key(&app->scan, cp, t);
	app__scanner_drain(app, t);
}

/* A request of the current visit, still on the screen that waits for it. */
void app__on_checkin(struct app *app, const struct worker_result *r)
{
	if (app->screen != APP_CHECKING ||
	    strcmp(r->request_key, app->request_key))
		return; /* not this attempt, or no longer waited for */
	app->inflight = 0;
	if (r->checkin == CHECKIN_CHECKED_IN || r->checkin == CHECKIN_ALREADY) {
		app__show_ticket(app, &r->ticket);
		return;
	}
	app->ci_outcome = r->checkin;
	app->ci_minutes = r->minutes_until_open;
	app__show(app, APP_CHECKIN_RESULT, app__idle_deadline(app));
}

