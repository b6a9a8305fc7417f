/*
 * app.h — the citizen session on the kiosk screen, and the technician's
 * maintenance view behind a hidden hold and a PIN.
 *
 * States, and the function that makes each transition:
 *
 *   WELCOME ──"start"──────────────▶ SERVICES        app_act_start()
 *   SERVICES ──"back" / 60 s idle──▶ WELCOME         app_show_welcome()
 *   WELCOME ──language, then 60 s idle──▶ WELCOME (default language)
 *   SERVICES ──service tap─────────▶ ISSUING         app_act_service()
 *   ISSUING ──WORKER_ISSUED────────▶ TICKET          app_on_result()
 *   TICKET ──WORKER_PRINTED────────▶ TICKET (note: printed / remember)
 *   TICKET ──"done" / N s──────────▶ WELCOME         app_show_welcome()
 *   ISSUING ──busy, numbers used up, or no answer in 15 s──▶ SORRY
 *   SORRY ──"done" / N s──▶ WELCOME
 *   any ──config, store or commit failure──▶ OUT_OF_SERVICE (stays)
 *
 * The technician's way in, with no visible hint for citizens:
 *
 *   WELCOME ──header held 3 s, kiosk.maintenance_pin set──▶ PIN
 *                                                 app_frame() → app_open_pin()
 *   PIN ──digit / "delete"──▶ PIN (the dots change, in place)
 *   PIN ──right PIN──▶ MAINTENANCE                app_act_pin_ok()
 *   PIN ──wrong PIN──▶ PIN ("wrong PIN"); the third ──▶ WELCOME, and no
 *        hold opens PIN for APP_PIN_LOCK_MS
 *   PIN ──"cancel" / idle──▶ WELCOME
 *   MAINTENANCE ──"refresh" / "retry N"──▶ MAINTENANCE (a job in flight)
 *   MAINTENANCE ──WORKER_MAINT──▶ MAINTENANCE (shows the snapshot)
 *   MAINTENANCE ──"close" / idle──▶ WELCOME        app_show_welcome()
 *
 * Invariants, checked by app_assert_state() in debug builds:
 *   1. inflight is 1 only in ISSUING, and ISSUING always has a job in
 *      flight: a tap while a request is in flight changes nothing.
 *   2. SERVICES and ISSUING hold the request key made when SERVICES was
 *      entered; one visit, one key, so a repeated request returns the
 *      same ticket (queue_issue_ticket: reused).
 *   3. TICKET holds a ticket with a number.
 *   4. OUT_OF_SERVICE names the problem for the technician.
 *   5. A deadline runs in SERVICES (inactivity), TICKET, SORRY, and WELCOME once
 *      a language was chosen there (it falls back to the default).
 *   6. Returning to WELCOME ends the session: default language, no key.
 *   7. For APP_INPUT_GUARD_MS after a screen appears no press is taken: a
 *      tap that bounces cannot hit what the new screen put under it.
 *   8. PIN is entered only from WELCOME with a PIN configured, MAINTENANCE
 *      only from PIN with the right one; both show the default language
 *      and run an idle deadline. The typed digits live in pin only while
 *      PIN is shown, are wiped when it is left, and never reach a log.
 *   9. maint_inflight is 1 only in MAINTENANCE (one maintenance job at a
 *      time: a second tap on "retry" changes nothing until the answer).
 *  10. hold_since is set only in WELCOME, while a press on the header lasts.
 *
 * Input comes through app_pointer()/app_key()/app_text(), from real SDL
 * events and from scripts alike. A tap is a press and a release on the
 * same button. The app does NOT read SDL events, sleep, or touch the
 * store or devices (the worker does).
 */
#ifndef BK_UI_APP_H
#define BK_UI_APP_H

#include <SDL.h>
#include <stdint.h>

#include "firmware/config.h"
#include "firmware/queue.h"
#include "firmware/i18n.h"
#include "ui/text.h"
#include "ui/widget.h"
#include "ui/worker.h"

#define APP_W 1080
#define APP_H 1920
#define APP_INPUT_GUARD_MS 300   /* no press reaches a screen this young */
#define APP_ISSUING_MAX_MS 15000 /* then "busy" instead of waiting on */
#define APP_HEADER_H 200         /* the top bar with the site name */
#define APP_HOLD_MS 3000         /* header held this long: the PIN pad */
#define APP_PIN_TRIES 3          /* wrong PINs, then back to WELCOME */
#define APP_PIN_LOCK_MS 60000    /* and the pad stays shut this long */

enum app_screen {
	APP_WELCOME,
	APP_SERVICES,
	APP_ISSUING,
	APP_TICKET,
	APP_SORRY,
	APP_OUT_OF_SERVICE,
	APP_PIN,
	APP_MAINTENANCE,
};

/* What a button does; widget.arg carries the index for ACT_LANG,
 * ACT_SERVICE and ACT_RETRY, the digit for ACT_PIN_DIGIT. */
enum app_action {
	ACT_NONE = 0,
	ACT_LANG,
	ACT_SERVICE,
	ACT_START,
	ACT_BACK,
	ACT_DONE,
	ACT_PIN_DIGIT,
	ACT_PIN_DELETE,
	ACT_PIN_OK,
	ACT_RETRY,
	ACT_REFRESH,
};

struct app {
	const struct config *cfg;
	struct i18n *i18n;
	struct worker *worker;        /* NULL when out of service at start */
	SDL_Renderer *r;
	struct text *text;

	enum app_screen screen;
	char lang[8];
	struct widget *root;
	struct widget *pressed;
	int dirty;                    /* the screen must be redrawn */
	int failed;                   /* out of memory building a screen */
	int64_t now;                  /* time of the current frame */
	int64_t deadline;             /* 0 = none */
	int64_t input_from;           /* monotonic ms: presses before are ignored */

	char request_key[37];
	int inflight;
	struct ticket ticket;
	int printed;                  /* -1 printing, 0 failed, 1 printed */
	const char *sorry;            /* SORRY: the msgid to show */
	int store_ready;
	char oos_detail[CONFIG_ERR_MAX + 64];

	/* the technician's side (invariants 8-10) */
	int64_t hold_since;           /* monotonic ms of the header press */
	int64_t pin_locked_until;     /* monotonic ms; 0 = not locked */
	char pin[CONFIG_PIN_MAX];     /* digits typed so far */
	int pin_tries;                /* wrong PINs on this visit */
	int maint_loaded;             /* maint holds a snapshot */
	int maint_inflight;
	struct worker_maint maint;
};

/* The app starts on WELCOME, or on OUT_OF_SERVICE when oos_detail is not
 * NULL. worker may be NULL only then. Returns NULL with err. */
struct app *app_create(SDL_Renderer *r, struct text *t,
		       const struct config *cfg, struct i18n *i18n,
		       struct worker *worker, const char *oos_detail,
		       char *err, size_t errlen);
void app_destroy(struct app *app);

/* Input, in logical coordinates. down: 1 press, 0 release. */
void app_pointer(struct app *app, int down, int x, int y);
void app_key(struct app *app, SDL_Keycode key);
void app_text(struct app *app, const char *utf8);

/* 1 once the current screen takes presses (invariant 7). Scripts wait for
 * it before a tap, as a person's reaction would. */
int app_accepts_input(const struct app *app);

/* One frame: takes worker results, runs timers, redraws when something
 * changed. Returns -1 when the app cannot go on (out of memory). */
int app_frame(struct app *app, int64_t now_ms);

/* Draws the current screen now and writes it as a PNG. */
int app_screenshot(struct app *app, const char *path, char *err,
		   size_t errlen);

/* "welcome", "services", "issuing", "ticket", "sorry", "out-of-service",
 * "pin", "maintenance". */
const char *app_screen_name(enum app_screen s);

/* ---- internal, between app.c and screens.c ---- */
/* Builds app->root for app->screen in app->lang. -1 when out of memory. */
int app__build(struct app *app);
/* The PIN pad's dots and message, set in place (no rebuild, no input
 * guard: digits are typed quickly). msgid NULL: no message. */
void app__pin_update(struct app *app, const char *msgid);

#endif
