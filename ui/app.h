/*
 * app.h — the citizen session on the kiosk screen, and the technician's
 * maintenance view behind a hidden hold and a PIN.
 *
 * States, and the function that makes each transition:
 *
 *   WELCOME ──"draw a ticket"──────▶ SERVICES        app_act_start()
 *   WELCOME ──"check in"───────────▶ CHECKIN         app_act_checkin()
 *   WELCOME / CHECKIN ──a scan (USB scanner)──▶ CHECKING  app_on_scan()
 *   SERVICES ──group tap───────────▶ SERVICES (level 2)  app_act_group()
 *   SERVICES ──"back"──────────────▶ level 1, or WELCOME from level 1
 *   SERVICES ──"priority" (kiosk.priority_ticket)──▶ SERVICES (toggled)
 *   SERVICES ──service tap─────────▶ ISSUING         app_act_service()
 *   ISSUING ──WORKER_ISSUED────────▶ TICKET          app_on_result()
 *   TICKET ──WORKER_PRINTED────────▶ TICKET (note: printed / remember)
 *   TICKET ──"done" / N s──────────▶ WELCOME         app_end_session()
 *   ISSUING ──busy, numbers used up, or no answer in 15 s──▶ SORRY
 *   SORRY ──"done" / N s──▶ WELCOME
 *   CHECKIN ──"check in" (both fields filled)──▶ CHECKING  app_act_checkin_go()
 *   CHECKING ──WORKER_CHECKIN checked in / already──▶ TICKET
 *   CHECKING ──too early, too late, cancelled, unknown──▶ CHECKIN_RESULT
 *   CHECKING ──store failure / no answer in 15 s──▶ SORRY
 *   CHECKIN_RESULT ──"walk-in ticket"──▶ SERVICES; ──"back"──▶ CHECKIN
 *   WELCOME ──"fill in a form"──▶ FORMS_CHECK     app_act_forms()
 *   FORMS_CHECK ──WORKER_FORMS_CHECK ok──▶ FORMS (the list)
 *   FORMS_CHECK ──refused (disk below store.min_free_mb, no key)──▶
 *        FORMS_CLOSED ──"walk-in ticket"──▶ SERVICES
 *   FORMS ──a form──▶ FORM_PAGE (page 0)           app_forms_choose()
 *   FORM_PAGE ──"next", page valid──▶ FORM_PAGE (next) / FORM_REVIEW
 *   FORM_PAGE ──"next", a field invalid──▶ FORM_PAGE (message at it)
 *   FORM_PAGE ──"back"──▶ FORM_PAGE (previous) / FORMS
 *   FORM_REVIEW ──"continue"──▶ FORM_CONSENT ──"agree and send"──▶
 *        SUBMITTING ──WORKER_SUBMITTED ok──▶ RECEIPT (the reference)
 *   SUBMITTING ──refused (disk full meanwhile)──▶ FORMS_CLOSED
 *   RECEIPT ──WORKER_PRINTED──▶ RECEIPT (note) ──"done" / N s──▶ WELCOME
 *
 * The ID card (app_idcard.c; only while the reader is there):
 *   WELCOME ──"check in with ID card"──▶ CARD (place it, type the CAN)
 *   FORM_PAGE ──"fill in from ID card"──▶ PREFILL_CONSENT ──"agree"──▶ CARD
 *   CARD ──"read" (6 digits, card on the reader)──▶ CARD_READING
 *   CARD_READING ──document read──▶ CHECKING (by holder) / FORM_PAGE
 *                                   (name, birth date, nationality filled)
 *   CARD_READING ──wrong CAN, card pulled, unreadable, 30 s──▶ CARD (why)
 *   CARD ──"back"──▶ WELCOME / FORM_PAGE
 *   WELCOME ──language, then idle──▶ WELCOME (default language)
 *   any ──config, store or commit failure──▶ OUT_OF_SERVICE (stays)
 *
 * The idle rule on session screens (SERVICES, CHECKIN, CHECKIN_RESULT,
 * FORMS, FORMS_CLOSED, FORM_PAGE, FORM_REVIEW, FORM_CONSENT):
 * kiosk.idle_seconds without a touch raise the "Do you need more time?"
 * prompt over the screen (more_time = 1); "yes" or any touch on it keeps
 * the session, "no" or kiosk.more_time_seconds more end it:
 *
 *   session screen ──idle──▶ same screen + prompt ──idle──▶ WELCOME
 *
 * Ending a session (app_end_session) wipes what the citizen entered: the
 * text buffers, the request keys, the check-in answer, every widget text
 * of the tree being dropped, and resets language and accessibility.
 *
 * Accessibility (every citizen screen has the bar at the bottom, ids
 * "a11y-speech", "a11y-contrast", "a11y-large"): the toggles live in
 * app->a11y for the session and are reset with it. With speech on, each
 * new screen (or the prompt) is spoken, and each touched element when the
 * finger goes down, in the citizen's language (speech.h interrupts).
 * Arabic screens are mirrored (widget_mirror), keyboards excepted: key
 * positions do not change with the direction of writing.
 *
 * A USB barcode scanner types like a keyboard: on WELCOME and CHECKIN
 * typed characters pass through scanner.h, and a burst that parses as a
 * booking code's QR payload (bookingcode_parse_qr) checks in at once
 * (app_on_scan → CHECKING); anything else is typed as usual.
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
 *   1. inflight is 1 only in ISSUING, CHECKING, FORMS_CHECK or SUBMITTING,
 *      and those screens always
 *      have a job in flight: a tap while a request is in flight changes
 *      nothing.
 *   2. SERVICES and ISSUING hold the request key made when SERVICES was
 *      entered; one visit, one key, so a repeated request returns the
 *      same ticket (queue_issue_ticket: reused). CHECKIN and CHECKING hold
 *      the key of the check-in attempt the same way.
 *   3. TICKET holds a ticket with a number.
 *   4. OUT_OF_SERVICE names the problem for the technician.
 *   5. A deadline runs on every screen but OUT_OF_SERVICE and a WELCOME
 *      nobody touched (a language or a toggle chosen there falls back).
 *   6. Returning to WELCOME ends the session: default language, no key,
 *      accessibility off, text buffers empty (wiped).
 *   7. For APP_INPUT_GUARD_MS after a screen appears no press is taken: a
 *      tap that bounces cannot hit what the new screen put under it.
 *   8. PIN is entered only from WELCOME with a PIN configured, MAINTENANCE
 *      only from PIN with the right one; both show the default language
 *      and run an idle deadline. The typed digits live in pin only while
 *      PIN is shown, are wiped when it is left, and never reach a log.
 *   9. maint_inflight is 1 only in MAINTENANCE (one maintenance job at a
 *      time: a second tap on "retry" changes nothing until the answer).
 *  10. hold_since is set only in WELCOME, while a press on the header lasts.
 *  11. more_time is 1 only on a session screen.
 *  12. The check-in fields hold text only on CHECKIN, CHECKING and
 *      CHECKIN_RESULT; group is >= 0 only on SERVICES.
 *  13. answers exist exactly on FORM_PAGE, FORM_REVIEW, FORM_CONSENT and
 *      SUBMITTING (the worker gets its own copy, which it wipes), and on
 *      the card screens while the card fills a form; they and the typing
 *      buffer are wiped and freed on any other screen.
 *  14. card_read_id is set only on CARD_READING. A document read from the
 *      card is never kept: it is taken, used (check-in job or prefill)
 *      and wiped in the same frame; the CAN is wiped when the read
 *      starts and when CARD is left.
 *
 * One press is one tap: a press that slides off its button or is held
 * longer than APP_LONG_PRESS_MS does nothing (app_pointer_move marks it
 * cancelled), so a resting hand or a swipe never triggers a button.
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
#include "firmware/forms.h"
#include "firmware/queue.h"
#include "firmware/i18n.h"
#include "firmware/app_card.h"
#include "ui/keyboard.h"
#include "ui/scanner.h"
#include "ui/speech.h"
#include "ui/text.h"
#include "ui/widget.h"
#include "ui/worker.h"

#define APP_W 1080
#define APP_H 1920
#define APP_INPUT_GUARD_MS 300   /* no press reaches a screen this young */
#define APP_ISSUING_MAX_MS 15000 /* then "busy" instead of waiting on */
#define APP_HEADER_H 200         /* the top bar with the site name */
#define APP_BAR_Y 1740           /* the accessibility bar, to the bottom */
#define APP_HOLD_MS 3000         /* header held this long: the PIN pad */
#define APP_LONG_PRESS_MS 1500   /* a button held longer does nothing */
#define APP_PIN_TRIES 3          /* wrong PINs, then back to WELCOME */
#define APP_PIN_LOCK_MS 60000    /* and the pad stays shut this long */
#define APP_PROCESS_MAX 13       /* process number: up to 12 digits */
#define APP_CODE_MAX 13          /* booking code: up to 12 characters */

enum app_screen {
	APP_WELCOME,
	APP_SERVICES,
	APP_ISSUING,
	APP_TICKET,
	APP_SORRY,
	APP_OUT_OF_SERVICE,
	APP_PIN,
	APP_MAINTENANCE,
	APP_CHECKIN,
	APP_CHECKING,
	APP_CHECKIN_RESULT,
	APP_FORMS_CHECK,
	APP_FORMS_CLOSED,
	APP_FORMS,
	APP_FORM_PAGE,
	APP_FORM_REVIEW,
	APP_FORM_CONSENT,
	APP_SUBMITTING,
	APP_RECEIPT,
	APP_CARD,
	APP_CARD_READING,
	APP_PREFILL_CONSENT,
};

/* What a button does; widget.arg carries the index for ACT_LANG,
 * ACT_SERVICE, ACT_GROUP and ACT_RETRY, the digit for ACT_PIN_DIGIT, the
 * key index for ACT_KEY, the field for ACT_FIELD. */
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
	ACT_GROUP,
	ACT_SPEECH,
	ACT_CONTRAST,
	ACT_LARGE,
	ACT_MORE_TIME,
	ACT_END_SESSION,
	ACT_CHECKIN,
	ACT_CHECKIN_GO,
	ACT_KEY,
	ACT_FIELD,
	ACT_FORMS,
	ACT_FORM,
	ACT_FORM_FIELD,
	ACT_FORM_OPTION,
	ACT_FORM_CHECK,
	ACT_FORM_NEXT,
	ACT_FORM_PREV,
	ACT_FORM_CONSENT,
	ACT_IDCARD,
	ACT_CARD_READ,
	ACT_PREFILL,
	ACT_PREFILL_OK,
	ACT_PRIORITY,
};

/* The accessibility toggles of one session. */
struct app_a11y {
	int speech, contrast, large;
};

/* One text field on screen: its buffer and the keyboard it wants. */
struct app_field {
	struct textbuf tb;
	enum keyboard_layout layout;
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
	int press_cancelled;          /* slid off, or held too long */
	int64_t press_ms;             /* monotonic ms of the press */
	int dirty;                    /* the screen must be redrawn */
	int failed;                   /* out of memory building a screen */
	int64_t now;                  /* time of the current frame */
	int64_t deadline;             /* 0 = none */
	int64_t input_from;           /* monotonic ms: presses before are ignored */
	int more_time;                /* the "more time?" prompt is up */
	struct app_a11y a11y;
	struct speech *speech;        /* NULL: none (set by main) */
	char spoken[512];             /* the last text given to speech */

	/* the USB scanner's keystrokes on WELCOME and CHECKIN */
	struct scanner scan;
	SDL_Keycode other_keys[16];   /* SCANNER_OTHER events, in order */
	int n_other;

	char request_key[37];
	int inflight;
	int priority;                 /* SERVICES: a priority ticket asked for */
	int group;                    /* SERVICES level 2: index of a service
				       * of the group; -1 = level 1 */
	struct ticket ticket;
	int printed;                  /* -1 printing, 0 failed, 1 printed */
	const char *sorry;            /* SORRY: the msgid to show */
	int store_ready;
	char oos_detail[CONFIG_ERR_MAX + 64];

	/* appointment check-in (invariant 12) */
	struct app_field ci_fields[2]; /* 0 process number, 1 booking code */
	int ci_focus;
	struct keyboard kb;
	int ci_outcome;               /* CHECKIN_RESULT: enum checkin_outcome */
	int ci_minutes;               /* too early: minutes until it opens */
	int ci_by_card;               /* the check-in came from an ID card */

	/* forms (invariant 13) */
	const struct forms_list *forms; /* loaded by main; may be NULL */
	const struct form *form;      /* the one being filled in */
	struct form_answers *answers; /* owned */
	int form_page;
	int form_focus;               /* field index with the keyboard */
	int form_bad;                 /* field the message is about, -1 */
	char form_msg[FORMS_MSG_MAX]; /* validation message, citizen's lang */
	struct textbuf form_tb;       /* the focused field being typed */
	char reference[SUBMISSION_REF_LEN];

	/* the ID card (invariant 14) */
	struct app_card *card;        /* NULL: no card service */
	int card_reader;              /* the reader is there */
	int card_present;             /* a card lies on it */
	unsigned card_read_id;        /* the read in progress */
	int card_step;                /* progress: 0..3 */
	int card_prefill;             /* 1: the card fills the form */
	const char *card_msg;         /* CARD: why (msgid), or NULL */
	struct textbuf can_tb;

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
/* The finger (or mouse with its button down) moved to (x, y): leaving the
 * pressed button cancels the press. */
void app_pointer_move(struct app *app, int x, int y);
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
 * "pin", "maintenance", "checkin", "checking", "checkin-result". */
const char *app_screen_name(enum app_screen s);

/* The card service (firmware/app_card.h), or none. */
void app_set_card(struct app *app, struct app_card *card);

/* Speech output for the session's speech button (may stay unset). */
void app_set_speech(struct app *app, struct speech *sp);

/* The forms offered (main loads them and frees them after the worker is
 * gone, since a submission in flight reads its form). */
void app_set_forms(struct app *app, const struct forms_list *forms);

/* Searches the buffers the app owns (text fields, answers, the widget
 * tree's texts, the text cache's strings)
 * for needle: 1 when found. For the test that a timed-out session leaves
 * no personal data behind (script command assert-no-trace). */
int app_holds_text(const struct app *app, const char *needle);

/* ---- internal, between app.c and screens_*.c ---- */
/* Builds app->root for app->screen in app->lang. -1 when out of memory. */
int app__build(struct app *app);
/* The PIN pad's dots and message, set in place (no rebuild, no input
 * guard: digits are typed quickly). msgid NULL: no message. */
void app__pin_update(struct app *app, const char *msgid);
/* The check-in fields' texts and the keyboard's labels, set in place;
 * on FORM_PAGE the focused field's row. */
void app__fields_update(struct app *app);
/* Wipes (util_wipe) the text of every widget under root, before the tree
 * is dropped: freed memory must not keep what a citizen typed. */
void app__wipe_tree(struct widget *root);
/* Check-in by booking code and the scanner (app_checkin.c). */
void app__checkin_start(struct app *app);
void app__checkin_go(struct app *app);
void app__checkin_result(struct app *app, enum keyboard_result kr);
void app__checkin_field(struct app *app, int i);
void app__act_key(struct app *app, int arg);
void app__on_checkin(struct app *app, const struct worker_result *r);
void app__scanner_drain(struct app *app, int64_t now);
/* Shared with app_checkin.c (app.c): keys and text past the scanner. */
void app__key_now(struct app *app, SDL_Keycode key);
void app__text_now(struct app *app, const char *utf8);
void app__refresh_in_place(struct app *app);
void app__show_ticket(struct app *app, const struct ticket *t);

/* The ID card (app_idcard.c): actions, events per frame, the wipe. */
void app__card_act(struct app *app, const struct widget *w);
void app__card_frame(struct app *app);
void app__card_wipe(struct app *app);
int app__card_screen(enum app_screen s);
/* Forms (app_forms.c): actions and results, called by app.c. */
void app__forms_act(struct app *app, const struct widget *w);
int app__forms_key(struct app *app, SDL_Keycode key);
int app__forms_text(struct app *app, const char *utf8);
void app__forms_result(struct app *app, const struct worker_result *r);
/* The focused field's keyboard and typing buffer set up again from its
 * value (after the card filled the form). */
void app__forms_refocus(struct app *app);
/* Wipes and frees the answers and the typing buffer. */
void app__forms_wipe(struct app *app);
/* Shared with app_forms.c (app.c). */
void app__show(struct app *app, enum app_screen s, int64_t deadline);
void app__rebuild(struct app *app);
void app__start_walkin(struct app *app);
void app__end_session(struct app *app);
int64_t app__idle_deadline(const struct app *app);
/* The value shown in a form field's row, and its fill (screens_forms.c). */
int screens__form_fill(struct app *app, struct widget *root);
/* Whether s is a session screen (the idle prompt and the wipe apply). */
int app__session_screen(enum app_screen s);

#endif
