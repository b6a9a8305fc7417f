/* The monkey: at least 10,000 random events against the whole kiosk UI —
 * taps (mostly on the current screen's buttons, found in the widget tree,
 * so that it goes deep), slides, long presses (the header held for the
 * PIN pad too), key presses (letters with ä ö ü ß, digits, Enter,
 * Backspace, Tab, Escape), text input in five scripts, and waits that let
 * every timeout fire — with a real store in a temporary folder, the
 * virtual printer, the real worker threads, speech (espeak-ng children)
 * and the ID card (an emulated card on the virtual reader, placed and
 * pulled at random), a USB scanner typing QR payloads, all as SDL events
 * through input_event() as ui/main.c feeds them: touches with and without
 * the mouse events SDL makes of them, mice with and without finger
 * events, a second finger now and then.
 *
 * What a user would notice, checked after every event: app_frame()
 * returns 0 (the app can go on), the screen has a name, the app's own
 * invariants hold (app_assert_state() asserts in this debug build), and
 * whenever a session is over (back on WELCOME) nothing the monkey typed
 * as a name, a number or a code is left in a buffer the UI owns
 * (app_holds_text), and every button of every screen reached is at least
 * 15 mm in both directions (theme_min_target_px). At the end everything is freed: under ASan/LSan a
 * crash, a leak or a UBSan report fails the test. A monkey that never
 * gets past the first screens proves nothing, so the test also fails when
 * the screens listed in must_reach[] were not all reached.
 *
 * Time is virtual: the test links with -Wl,--wrap=util_mono_ms
 * (tests/CMakeLists.txt), so the app's clock (input guard, long presses,
 * the header hold, idle and ticket deadlines) is the monkey's, and a
 * 60-second idle timeout costs no real second. The worker threads keep
 * real time; when a request is in flight the monkey waits (really) for its
 * answer, except now and then right after the tap that sent it, when it
 * lets the 15-second "busy" deadline pass first.
 *
 * Three phases: 90 % of the events on the full kiosk, then a kiosk whose
 * forms are closed (no back-office key) with priority tickets and no card
 * reader, then one whose store cannot be opened (out of service).
 *
 * Reproducible: BK_MONKEY_SEED (default below, printed) and
 * BK_MONKEY_EVENTS (default 10,000). The worker's answers arrive in real
 * time, so a run is reproducible as far as the monkey waits for them
 * (it does, except when the seed says not to).
 *
 * The renderer is a software renderer on a small surface with the app's
 * logical size (1080×1920) scaled onto it: every widget, text layout and
 * texture is made as on the kiosk, but filling 2 million pixels per frame
 * would cost most of the run time (4x here) without testing anything
 * more.
 */
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "check.h"
#include "drivers/card/card.h"
#include "firmware/app_card.h"
#include "firmware/config.h"
#include "firmware/forms.h"
#include "firmware/i18n.h"
#include "firmware/icao_pa.h"
#include "firmware/log.h"
#include "firmware/util.h"
#include "ui/app.h"
#include "ui/theme.h"
#include "ui/input.h"
#include "ui/speech.h"
#include "ui/text.h"
#include "ui/worker.h"
#include "sim/cardsim/cardsim.h"

#define DEFAULT_SEED 20261125u
#define DEFAULT_EVENTS 10000
#define FONT "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
#define FONT_BOLD "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
#define SURFACE_W 108        /* a tenth of 1080×1920 per side */
#define SURFACE_H 192
#define MAX_SCREENS 64
#define PIN "2468"
#define CAN "314159"
#define REAL_WAIT_MS 8000    /* longest real wait for a worker answer */

/* The screens a run must reach: every screen the kiosk had when this was
 * written (22) — walk-in, check-in by code and by scan, the forms to the
 * receipt, the ID card, the technician's PIN pad and maintenance view,
 * and the closed and broken kiosks of the later phases. A screen added
 * later is listed as "never reached" in the output until it is added
 * here. */
static const char *const must_reach[] = {
	"welcome", "services", "issuing", "ticket", "sorry", "checkin",
	"checking",
	"checkin-result", "forms-check", "forms", "form-page", "form-review",
	"form-consent", "submitting", "receipt", "pin", "maintenance",
	"card", "card-reading", "prefill-consent", "forms-closed",
	"out-of-service",
	NULL,
};

/* ---- the virtual clock ---------------------------------------------- */

static _Atomic int64_t vclock;

int64_t __wrap_util_mono_ms(void);
int64_t __real_util_mono_ms(void);

int64_t __wrap_util_mono_ms(void)
{
	return atomic_load(&vclock);
}

/* ---- a seeded generator (xorshift64*), the same on every machine ---- */

static uint64_t rng_state;

static uint32_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 0x2545F4914F6CDD1DULL) >> 32);
}

/* 0 .. n-1 */
static int rnd_n(int n)
{
	return n > 0 ? (int)(rnd() % (uint32_t)n) : 0;
}

static int chance(int percent)
{
	return rnd_n(100) < percent;
}

/* ---- the session under test ---------------------------------------- */

struct monkey {
	/* what all phases add up */
	int events;
	int bad;                       /* a check failed: stop */
	int reached[MAX_SCREENS];      /* frames seen per screen */
	int after_card[MAX_SCREENS];   /* where a card read led */
	char langs[8][8];              /* languages seen with a session */
	int n_langs;
	int counts[16];                /* events per kind */
	int held_markers;              /* markers typed and held by the app */
	int scans_taken;               /* scans that started a check-in */
	int wipe_checks;               /* WELCOME checks after a session */
	int64_t waited_ms, frame_ms;   /* real time waiting, drawing */
	int frames, redraws;
	unsigned long long spoken[3];  /* utterances started, finished,
					* interrupted */

	/* one kiosk, set up anew for each phase (from cfg to the end) */
	struct config cfg;
	const struct widget *last_root; /* the tree check_targets() saw */
	struct i18n i18n;
	struct forms_list forms;
	char dir[256];
	char data[300];                /* the data folder (kiosk.db) */
	SDL_Surface *surface;
	SDL_Renderer *r;
	struct text *text;
	struct worker *worker;
	struct speech *speech;
	struct app_card *card;         /* the card service, virtual: reader */
	struct cardsim *cardsim;       /* the emulated ID card */
	struct card_virtual_card vcard;
	unsigned char atr[33];
	struct app *app;
	struct input input;            /* SDL events → app, as main.c */
	int mouse;                     /* this gesture comes from a mouse */
	SDL_FingerID finger;
	int typed_markers;             /* a marker went in since WELCOME */
};

/* The phases: the full kiosk most of the time, then one whose forms are
 * closed (no back-office key), with priority tickets and no card reader,
 * and one whose store cannot be opened (out of service). */
enum variant { FULL, CLOSED, BROKEN };

/* Names, numbers and codes the monkey types as a citizen would; none of
 * them may be left in the UI's buffers once the session is over. */
static const char *const markers[] = {
	"Kowalczyk", "Öztürkoğlu", "Шевченко", "عبدالرحمن", "Wischnewski",
	"Hauptstraße", "47110815", "QXZV", "9753124", "JOVANKA", "Jovanka",
	"KOWALCZYK", CAN,
};

/* Text input as a physical keyboard or a scanner gives it (SDL's text
 * events hold up to 31 bytes): five scripts, combining marks, direction
 * marks, emoji, and strings far longer than any field. */
static const char *const texts[] = {
	"a", "Z", "ä", "ö", "ü", "ß", "ẞ", "É", "1", "0", "@", ".", " ",
	"Müller", "Straße 12a", "Ğİıçşö", "Їжак ґанок", "Привет",
	"مرحبا بكم", "شارع 17", "12.08.1964", "1964-08-12", "10115",
	"erika@example.de", "+49 30 1234567", "e\u0301", "\u200f17\u200e",
	"\U0001F600", "\u202eabc", "<>&\"'%s%n", "\t", "\\", "0000000000",
	"ששש", "日本語", "ǅ", "\u00ad", "K7QM", "100200",
};

/* Values that often pass a field's checks; the monkey types the first
 * one that forms_check_field() accepts for the focused field. */
static const char *const plausible[] = {
	"Kowalczyk", "Öztürkoğlu", "Шевченко", "Wischnewski", "Erika",
	"12.08.1964", "12081964", "01.01.1990", "10115", "12345", "12",
	"12a", "Hauptstraße", "Musterstadt", "erika@example.de",
	"+49301234567", "030 1234567", "1", "3", "10", "2024", "B-MK 1234",
	"Schwarzer Rucksack mit Laptop", "Rathaus, Eingang Nord",
	"01.11.2026", "20.11.2026", "AB123456",
};

static int64_t now_ms(void)
{
	return atomic_load(&vclock);
}

static void advance(int64_t ms)
{
	atomic_fetch_add(&vclock, ms);
}

static void real_sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0)
		;
}

static int screen_index(const struct monkey *m)
{
	int s = (int)m->app->screen;

	return s >= 0 && s < MAX_SCREENS ? s : MAX_SCREENS - 1;
}

static void note_lang(struct monkey *m)
{
	for (int i = 0; i < m->n_langs; i++)
		if (!strcmp(m->langs[i], m->app->lang))
			return;
	if (m->n_langs < 8)
		snprintf(m->langs[m->n_langs++], sizeof m->langs[0], "%s",
			 m->app->lang);
}

static void fail(struct monkey *m, const char *what)
{
	fprintf(stderr, "monkey: event %d (screen %s): %s\n", m->events,
		app_screen_name(m->app->screen), what);
	check_fail(__FILE__, __LINE__, what);
	m->bad = 1;
}

/* needle anywhere in n bytes: a wipe must clear the bytes after a
 * string's end too */
static int mem_has(const void *p, size_t n, const char *needle)
{
	size_t k = strlen(needle);

	for (size_t i = 0; i + k <= n; i++)
		if (!memcmp((const char *)p + i, needle, k))
			return 1;
	return 0;
}

/* After a session: nothing the monkey typed is left anywhere — in the
 * buffers app_holds_text() knows, and in any byte of struct app. */
static void check_wiped(struct monkey *m)
{
	for (size_t i = 0; i < sizeof markers / sizeof *markers; i++)
		if (app_holds_text(m->app, markers[i]) ||
		    mem_has(m->app, sizeof *m->app, markers[i])) {
			char msg[128];
			snprintf(msg, sizeof msg,
				 "'%s' still held after the session", markers[i]);
			fail(m, msg);
		}
	m->wipe_checks++;
	m->typed_markers = 0;
}

/* EN 301 549 / issue 6: every button is a target of at least 15 mm at the
 * configured panel (theme_min_target_px) in both directions, on every
 * screen the monkey reaches, in every language and text size. Checked
 * when the tree changed (a new screen or an update in place). */
static void check_targets(struct monkey *m, const struct widget *w,
			  int min_px)
{
	if (w->kind == WIDGET_BUTTON &&
	    (w->rect.w < min_px || w->rect.h < min_px)) {
		char msg[192];
		snprintf(msg, sizeof msg, "button '%s' on %s is %dx%d px, "
			 "under 15 mm (%d px)", w->id,
			 app_screen_name(m->app->screen), w->rect.w, w->rect.h,
			 min_px);
		fail(m, msg);
		return;
	}
	for (int i = 0; i < w->n_children && !m->bad; i++)
		check_targets(m, w->children[i], min_px);
}

/* One frame at the virtual time, and the checks every event ends with. */
static void frame(struct monkey *m)
{
	enum app_screen before = m->app->screen;
	const char *name;

	if (m->bad)
		return;
	int64_t t0 = __real_util_mono_ms();
	int rc;

	m->redraws += m->app->dirty != 0;
	rc = app_frame(m->app, now_ms());

	m->frame_ms += __real_util_mono_ms() - t0;
	m->frames++;
	if (rc != 0) {
		fail(m, "app_frame failed");
		return;
	}
	name = app_screen_name(m->app->screen);
	if (!name || !*name || !strcmp(name, "?")) {
		fail(m, "screen without a name");
		return;
	}
	m->reached[screen_index(m)]++;
	if (m->app->root && m->app->root != m->last_root) {
		m->last_root = m->app->root;
		check_targets(m, m->app->root, theme_min_target_px(&m->cfg));
	}
	if (before == APP_CARD_READING && m->app->screen != before)
		m->after_card[screen_index(m)]++;
	if (m->app->screen != APP_WELCOME)
		note_lang(m);
	if (m->app->screen == APP_WELCOME && before != APP_WELCOME)
		check_wiped(m);
}

static void step(struct monkey *m, int64_t ms)
{
	advance(ms);
	frame(m);
}

static int waiting(const struct app *app)
{
	return app->inflight || app->maint_inflight || app->card_read_id ||
	       ((app->screen == APP_TICKET || app->screen == APP_RECEIPT) &&
		app->printed < 0);
}

/* The worker answers in real time: frames (1 virtual ms apart) until the
 * app has its answer, as a citizen waits in front of the spinner. */
static void wait_worker(struct monkey *m)
{
	int64_t t0 = __real_util_mono_ms();

	while (!m->bad && waiting(m->app) &&
	       __real_util_mono_ms() - t0 < REAL_WAIT_MS) {
		real_sleep_ms(1);
		step(m, 1);
	}
	m->waited_ms += __real_util_mono_ms() - t0;
}

/* ---- finding targets ------------------------------------------------- */

#define TARGETS_MAX 256

struct targets {
	const struct widget *w[TARGETS_MAX];
	int weight[TARGETS_MAX];
	int n, total;
};

/* Buttons that move a citizen on weigh more than keys of a keyboard, so
 * that the monkey both types and gets somewhere. */
static int weight_of(const struct widget *w)
{
	if (!strncmp(w->id, "key-", 4))
		return 2;
	if (!strcmp(w->id, "done") || !strcmp(w->id, "more-time-no") ||
	    w->action == ACT_END_SESSION)
		return 2;
	if (!strcmp(w->id, "back") || !strncmp(w->id, "lang-", 5) ||
	    !strncmp(w->id, "a11y-", 5))
		return 3;
	return 8;
}

static void collect(struct targets *t, const struct widget *w)
{
	if (!w)
		return;
	if (w->kind == WIDGET_BUTTON && t->n < TARGETS_MAX &&
	    w->rect.w > 0 && w->rect.h > 0) {
		t->w[t->n] = w;
		t->weight[t->n] = weight_of(w);
		t->total += t->weight[t->n];
		t->n++;
	}
	for (int i = 0; i < w->n_children; i++)
		collect(t, w->children[i]);
}

/* A button of the current screen (the prompt's only while it is up), or
 * NULL when there is none. */
static const struct widget *pick_button(struct monkey *m)
{
	struct targets t = { .n = 0 };
	const struct widget *scope = m->app->root;
	int k;

	if (m->app->more_time) {
		const struct widget *p = widget_find(m->app->root, "more-time");
		if (p)
			scope = p;
	}
	collect(&t, scope);
	if (!t.n)
		return NULL;
	k = rnd_n(t.total);
	for (int i = 0; i < t.n; i++) {
		if (k < t.weight[i])
			return t.w[i];
		k -= t.weight[i];
	}
	return t.w[t.n - 1];
}

static void point_in(const struct widget *w, int *x, int *y)
{
	*x = w->rect.x + 2 + rnd_n(w->rect.w > 4 ? w->rect.w - 4 : 1);
	*y = w->rect.y + 2 + rnd_n(w->rect.h > 4 ? w->rect.h - 4 : 1);
}

static void random_point(int *x, int *y)
{
	/* now and then just off the screen: a finger at the bezel */
	*x = rnd_n(APP_W + 40) - 20;
	*y = rnd_n(APP_H + 40) - 20;
}

/* A person looks before tapping: usually past the input guard. */
static void react(struct monkey *m)
{
	if (!app_accepts_input(m->app) && chance(92))
		step(m, APP_INPUT_GUARD_MS + rnd_n(200));
	else
		step(m, 16 + rnd_n(120));
}

/* A button whose id starts with prefix, or NULL. */
static const struct widget *pick_prefixed(struct monkey *m,
					  const char *prefix)
{
	struct targets t = { .n = 0 };
	const struct widget *found[TARGETS_MAX];
	int n = 0;

	collect(&t, m->app->root);
	for (int i = 0; i < t.n; i++)
		if (!strncmp(t.w[i]->id, prefix, strlen(prefix)))
			found[n++] = t.w[i];
	return n ? found[rnd_n(n)] : NULL;
}

/* ---- the events ---------------------------------------------------- */

enum ev {
	EV_TAP_BUTTON, EV_TAP_ANY, EV_SLIDE, EV_LONG, EV_HOLD_HEADER, EV_KEY,
	EV_TEXT, EV_FILL, EV_WAIT, EV_TIMEOUT, EV_CARD, EV_SCAN, EV_COUNT
};

static const char *const ev_names[EV_COUNT] = {
	"tap on a button", "tap anywhere", "slide", "long press",
	"header hold", "key", "text", "plausible answer", "short wait",
	"timeout wait", "card on/off", "scanner",
};

/* ---- SDL events, as a touch screen or a mouse makes them ----------
 * Everything reaches the app through input_event() (ui/input.c), as in
 * ui/main.c: a touch comes as finger events, and SDL often adds a mouse
 * event made from it; a mouse may get finger events made from it; a
 * second finger lands now and then. One press must stay one press. */

static void send(struct monkey *m, SDL_Event *e)
{
	e->common.timestamp = (Uint32)now_ms();
	input_event(&m->input, m->app, NULL, e);
}

static void finger_event(struct monkey *m, Uint32 type, SDL_TouchID touch,
			 SDL_FingerID id, int x, int y)
{
	SDL_Event e = { .type = type };

	e.tfinger.touchId = touch;
	e.tfinger.fingerId = id;
	e.tfinger.x = ((float)x + 0.5f) / APP_W;
	e.tfinger.y = ((float)y + 0.5f) / APP_H;
	e.tfinger.pressure = 1.0f;
	send(m, &e);
}

static void mouse_event(struct monkey *m, Uint32 type, Uint32 which, int x,
			int y)
{
	SDL_Event e = { .type = type };

	if (type == SDL_MOUSEMOTION) {
		e.motion.which = which;
		e.motion.state = SDL_BUTTON_LMASK;
		e.motion.x = x;
		e.motion.y = y;
	} else {
		e.button.which = which;
		e.button.button = SDL_BUTTON_LEFT;
		e.button.state = type == SDL_MOUSEBUTTONDOWN ? SDL_PRESSED
							     : SDL_RELEASED;
		e.button.clicks = 1;
		e.button.x = x;
		e.button.y = y;
	}
	send(m, &e);
}

/* kind: 0 press, 1 release, 2 move */
static void pointer(struct monkey *m, int kind, int x, int y)
{
	static const Uint32 ftype[3] = { SDL_FINGERDOWN, SDL_FINGERUP,
					 SDL_FINGERMOTION };
	static const Uint32 mtype[3] = { SDL_MOUSEBUTTONDOWN,
					 SDL_MOUSEBUTTONUP, SDL_MOUSEMOTION };

	if (kind == 0) {
		m->mouse = chance(25);
		m->finger = 100 + rnd_n(1000);
	}
	if (m->mouse) {
		mouse_event(m, mtype[kind], 0, x, y);
		if (chance(50)) /* SDL_HINT_MOUSE_TOUCH_EVENTS on */
			finger_event(m, ftype[kind], SDL_MOUSE_TOUCHID, 0, x, y);
	} else {
		finger_event(m, ftype[kind], 1, m->finger, x, y);
		if (chance(60)) /* SDL_HINT_TOUCH_MOUSE_EVENTS on */
			mouse_event(m, mtype[kind], SDL_TOUCH_MOUSEID, x, y);
	}
}

/* A second finger (or a palm) touching and leaving while one is down. */
static void second_finger(struct monkey *m)
{
	int x, y;

	random_point(&x, &y);
	finger_event(m, SDL_FINGERDOWN, 1, m->finger + 1, x, y);
	finger_event(m, SDL_FINGERMOTION, 1, m->finger + 1, x + 30, y);
	finger_event(m, SDL_FINGERUP, 1, m->finger + 1, x + 30, y);
}

static void key(struct monkey *m, SDL_Keycode k)
{
	SDL_Event e = { .type = SDL_KEYDOWN };

	e.key.state = SDL_PRESSED;
	e.key.keysym.sym = k;
	send(m, &e);
}

/* SDL's text events hold up to 31 bytes: longer text comes in pieces,
 * split between characters. */
static void text(struct monkey *m, const char *s)
{
	while (*s) {
		SDL_Event e = { .type = SDL_TEXTINPUT };
		size_t n = strlen(s);
		if (n > sizeof e.text.text - 1) {
			n = sizeof e.text.text - 1;
			while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
				n--;
		}
		memcpy(e.text.text, s, n);
		e.text.text[n] = '\0';
		send(m, &e);
		s += n;
	}
}

static void tap_at(struct monkey *m, int x, int y)
{
	pointer(m, 0, x, y);
	/* a quick tap: press and release reach the same frame */
	if (chance(50))
		step(m, 30 + rnd_n(200));
	else
		advance(30 + rnd_n(60));
	if (chance(20)) /* a finger wobbles a little */
		pointer(m, 2, x + rnd_n(9) - 4, y + rnd_n(9) - 4);
	if (!m->mouse && chance(4))
		second_finger(m);
	pointer(m, 1, x, y);
	/* now and then the store does not answer in time: the deadline
	 * passes before the frame that would take the answer */
	if (m->app->inflight && chance(4))
		advance(APP_ISSUING_MAX_MS);
	step(m, 16);
}

static void ev_tap_button(struct monkey *m)
{
	const struct widget *w = pick_button(m);
	int x, y;

	if (!w) {
		random_point(&x, &y);
	} else {
		point_in(w, &x, &y);
	}
	react(m);
	tap_at(m, x, y);
}

static void ev_tap_any(struct monkey *m)
{
	int x, y;

	random_point(&x, &y);
	react(m);
	tap_at(m, x, y);
}

static void ev_slide(struct monkey *m)
{
	const struct widget *w = pick_button(m);
	int x, y, x2, y2;

	if (w)
		point_in(w, &x, &y);
	else
		random_point(&x, &y);
	random_point(&x2, &y2);
	react(m);
	pointer(m, 0, x, y);
	step(m, 16);
	for (int i = 1; i <= 6; i++) {
		pointer(m, 2, x + (x2 - x) * i / 6, y + (y2 - y) * i / 6);
		step(m, 16);
	}
	pointer(m, 1, x2, y2);
	step(m, 16);
}

/* Held down while frames pass; ms around APP_LONG_PRESS_MS. */
static void hold(struct monkey *m, int x, int y, int ms)
{
	react(m);
	pointer(m, 0, x, y);
	for (int t = 0; t < ms && !m->bad; t += 100)
		step(m, 100);
	pointer(m, 1, x, y);
	step(m, 16);
}

static void ev_long(struct monkey *m)
{
	const struct widget *w = pick_button(m);
	int x, y;

	if (w)
		point_in(w, &x, &y);
	else
		random_point(&x, &y);
	hold(m, x, y, APP_LONG_PRESS_MS - 300 + rnd_n(900));
}

/* The technician's way in: the header held (somewhere off its buttons). */
static void ev_hold_header(struct monkey *m)
{
	int x = 20 + rnd_n(APP_W - 40), y = 10 + rnd_n(APP_HEADER_H - 20);

	if (widget_at(m->app->root, x, y))
		x = APP_W / 2;
	hold(m, x, y, APP_HOLD_MS - 500 + rnd_n(1500));
}

static void ev_key(struct monkey *m)
{
	static const SDL_Keycode special[] = {
		SDLK_RETURN, SDLK_KP_ENTER, SDLK_BACKSPACE, SDLK_BACKSPACE,
		SDLK_TAB, SDLK_SPACE, SDLK_LEFT, SDLK_DELETE, SDLK_F1,
		SDLK_LSHIFT, 0xe4 /* ä */, 0xf6 /* ö */, 0xfc /* ü */,
		0xdf /* ß */,
	};
	SDL_Keycode k;
	int r = rnd_n(100);

	if (r < 2)
		k = SDLK_ESCAPE; /* ends a session: rare */
	else if (r < 40)
		k = SDLK_a + rnd_n(26);
	else if (r < 60)
		k = SDLK_0 + rnd_n(10);
	else
		k = special[rnd_n((int)(sizeof special / sizeof *special))];
	step(m, 20 + rnd_n(150));
	key(m, k);
	step(m, 16);
}

static void type_text(struct monkey *m, const char *s)
{
	text(m, s);
	step(m, 16);
	/* the check after the session proves something only if the app
	 * took what was typed */
	for (size_t i = 0; i < sizeof markers / sizeof *markers; i++)
		if (strstr(s, markers[i])) {
			m->typed_markers = 1;
			m->held_markers += app_holds_text(m->app, markers[i]);
		}
}

static void ev_text(struct monkey *m)
{
	char buf[32];
	int r = rnd_n(100);

	step(m, 20 + rnd_n(150));
	if (r < 20) {
		type_text(m, markers[rnd_n((int)(sizeof markers /
						 sizeof *markers))]);
	} else if (r < 30) {
		/* a burst of one character, as held down or a scanner */
		int n = 1 + rnd_n(31);
		memset(buf, 'A' + rnd_n(26), (size_t)n);
		buf[n] = '\0';
		type_text(m, buf);
	} else {
		type_text(m, texts[rnd_n((int)(sizeof texts / sizeof *texts))]);
	}
}

static void clear_field(struct monkey *m, const struct textbuf *tb)
{
	/* held down: the key repeats faster than frames come */
	for (int i = 0; i < 80 && tb->len > 0 && !m->bad; i++) {
		key(m, SDLK_BACKSPACE);
		advance(30);
	}
	frame(m);
}

/* What a citizen who knows what to type would type: a value the focused
 * form field accepts, the booked appointment's numbers, the PIN. */
static void ev_fill(struct monkey *m)
{
	struct app *app = m->app;
	char msg[FORMS_MSG_MAX];

	react(m);
	if (app->more_time)
		return;
	if (app->screen == APP_FORM_PAGE && app->form &&
	    app->form_focus >= 0) {
		const struct form_field *f = &app->form->fields[app->form_focus];
		int n = (int)(sizeof plausible / sizeof *plausible);
		int start = rnd_n(n);
		if (f->type == FORM_SELECT || f->type == FORM_RADIO ||
		    f->type == FORM_CHECKBOX) {
			/* a choice: one of its options, or the tick */
			const struct widget *w = NULL;
			if (f->type == FORM_CHECKBOX &&
			    !*form_answers_get(app->answers, app->form_focus))
				w = widget_find(app->root, "check-toggle");
			else if (f->type != FORM_CHECKBOX)
				w = pick_prefixed(m, "opt-");
			if (w) {
				int x, y;
				point_in(w, &x, &y);
				tap_at(m, x, y);
				react(m);
			}
			key(m, SDLK_TAB);
			step(m, 16);
			return;
		}
		for (int k = 0; k < n; k++) {
			const char *v = plausible[(start + k) % n];
			if (forms_check_field(app->form, app->form_focus, v,
					      app->lang, msg, sizeof msg) !=
			    BK_OK)
				continue;
			clear_field(m, &app->form_tb);
			type_text(m, v);
			break;
		}
		if (chance(60)) {
			key(m, SDLK_RETURN);
			step(m, 16);
		}
		return;
	}
	if (app->screen == APP_CHECKIN) {
		int known = chance(70);
		clear_field(m, &app->ci_fields[app->ci_focus].tb);
		if (app->ci_focus == 0)
			type_text(m, known ? "100200" : "47110815");
		else
			type_text(m, known ? "K7QM" : "QXZV");
		key(m, chance(70) ? SDLK_TAB : SDLK_RETURN);
		step(m, 16);
		return;
	}
	if (app->screen == APP_PIN) {
		type_text(m, chance(80) ? PIN : "1357");
		key(m, SDLK_RETURN);
		step(m, 16);
		return;
	}
	if (app->screen == APP_CARD) {
		clear_field(m, &app->can_tb);
		type_text(m, chance(80) ? CAN : "271828");
		key(m, SDLK_RETURN);
		step(m, 16);
	}
}

/* A USB scanner reading a confirmation's QR code: it types the payload
 * a character every few milliseconds and ends with Enter (the booked
 * appointment, one that is not, and what scanners and keyboard layouts
 * make of the separator; docs/check-in.md). */
static void ev_scan(struct monkey *m)
{
	static const char *const payloads[] = {
		"BKT1:100200:K7QM", "BKT1\u00d6100200\u00d6K7QM",
		"BKT1;100200;K7QM", "BKT1>100200>K7QZ", "BKT1:47110815:QXZV",
		"BKT1::", "BKT2:100200:K7QM", "http://example.de/?BKT1:1:A",
		"BKT1:9999999999999999:ABCDEFGHIJKLMNOP",
	};
	const char *p = payloads[rnd_n((int)(sizeof payloads /
					     sizeof *payloads))];
	int n = 0;

	react(m);
	while (*p) {
		char one[5] = { 0 };
		size_t k = 1;
		while (k < 4 && ((unsigned char)p[k] & 0xc0) == 0x80)
			k++;
		memcpy(one, p, k);
		p += k;
		text(m, one);
		advance(2 + rnd_n(6));
		if (++n % 4 == 0)
			frame(m);
	}
	key(m, SDLK_RETURN);
	m->scans_taken += m->app->screen == APP_CHECKING;
	step(m, 16);
}

/* The ID card placed on the reader, or taken away (also mid-read). */
static void ev_card(struct monkey *m)
{
	if (!m->cardsim)
		return;
	if (card_virtual_present())
		card_virtual_remove();
	else
		card_virtual_insert(&m->vcard);
	step(m, 100 + rnd_n(400));
}

static void ev_wait(struct monkey *m)
{
	step(m, 100 + rnd_n(5000));
}

/* Long enough for an idle prompt, a ticket screen's end, or the whole
 * session's end. */
static void ev_timeout(struct monkey *m)
{
	int64_t idle = (int64_t)m->cfg.idle_seconds * 1000;
	int64_t more = (int64_t)m->cfg.more_time_seconds * 1000;

	switch (rnd_n(3)) {
	case 0:
		step(m, idle + rnd_n(2000));
		break;
	case 1:
		step(m, more + rnd_n(2000));
		break;
	default:
		for (int i = 0; i < 3; i++)
			step(m, idle + more);
		break;
	}
}

static enum ev pick_event(void)
{
	static const int weight[EV_COUNT] = {
		[EV_TAP_BUTTON] = 50, [EV_TAP_ANY] = 5, [EV_SLIDE] = 4,
		[EV_LONG] = 3, [EV_HOLD_HEADER] = 2, [EV_KEY] = 10,
		[EV_TEXT] = 9, [EV_FILL] = 10, [EV_WAIT] = 3,
		[EV_TIMEOUT] = 1, [EV_CARD] = 1, [EV_SCAN] = 2,
	};
	int k = rnd_n(100);

	for (int e = 0; e < EV_COUNT; e++) {
		if (k < weight[e])
			return (enum ev)e;
		k -= weight[e];
	}
	return EV_TAP_BUTTON;
}

static void one_event(struct monkey *m)
{
	enum ev e;

	if (waiting(m->app))
		wait_worker(m);
	e = pick_event();
	/* a technician who got the PIN pad mostly knows the PIN; a citizen
	 * at the card screen puts the card on and types the CAN */
	if (m->app->screen == APP_PIN && chance(40))
		e = EV_FILL;
	if (m->app->screen == APP_FORM_PAGE && chance(15))
		e = EV_FILL;
	if (m->app->screen == APP_CARD && chance(30))
		e = card_virtual_present() || !m->cardsim ? EV_FILL : EV_CARD;
	/* the header hold and the plausible answers only where they mean
	 * something; elsewhere a tap */
	if (e == EV_HOLD_HEADER && m->app->screen != APP_WELCOME)
		e = EV_TAP_BUTTON;
	m->counts[e]++;
	switch (e) {
	case EV_TAP_BUTTON: ev_tap_button(m); break;
	case EV_TAP_ANY: ev_tap_any(m); break;
	case EV_SLIDE: ev_slide(m); break;
	case EV_LONG: ev_long(m); break;
	case EV_HOLD_HEADER: ev_hold_header(m); break;
	case EV_KEY: ev_key(m); break;
	case EV_TEXT: ev_text(m); break;
	case EV_FILL: ev_fill(m); break;
	case EV_WAIT: ev_wait(m); break;
	case EV_TIMEOUT: ev_timeout(m); break;
	case EV_CARD: ev_card(m); break;
	case EV_SCAN: ev_scan(m); break;
	case EV_COUNT: break;
	}
	m->events++;
}

/* ---- setup ----------------------------------------------------------- */

/* The back office's RSA key (public half, PEM), so forms are taken. */
static int write_public_key(const char *path)
{
	EVP_PKEY *k = EVP_RSA_gen(2048);
	FILE *f;
	int ok;

	if (!k)
		return -1;
	f = fopen(path, "w");
	ok = f && PEM_write_PUBKEY(f, k) == 1;
	if (f && fclose(f) != 0)
		ok = 0;
	EVP_PKEY_free(k);
	return ok ? 0 : -1;
}

static int set(struct monkey *m, const char *key, const char *value)
{
	char err[CONFIG_ERR_MAX];

	if (config_set(&m->cfg, key, value, err, sizeof err) < 0) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	return 0;
}

/* An emulated ID card signed by a CSCA the kiosk trusts (csca_dir), on
 * the in-process virtual reader once the monkey places it. */
static int make_card(struct monkey *m, char *csca_dir, size_t len)
{
	struct cardsim_holder h = {
		.doc = 1, .access = CARDSIM_ACCESS_PACE, .can = CAN,
		.document_number = "T22000129", .issuing_state = "D",
		.nationality = "D", .surname = "KOWALCZYK",
		.given_names = "JOVANKA", .date_of_birth = "640812",
		.date_of_expiry = "311031", .sex = 'F',
	};
	char key[300], cert[320], err[256];
	EVP_PKEY *k = EVP_EC_gen("P-256");
	X509 *x = NULL;
	FILE *f;
	int rc = -1;

	snprintf(csca_dir, len, "%s/csca", m->dir);
	snprintf(key, sizeof key, "%s/csca.key", m->dir);
	snprintf(cert, sizeof cert, "%s/csca.pem", csca_dir);
	if (!k || util_mkdir_p(csca_dir) < 0 ||
	    icao_pa_make_cert(k, "UT", "Monkey CSCA", NULL, NULL, &x) != BK_OK)
		goto out;
	if (!(f = fopen(key, "w")))
		goto out;
	PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL);
	fclose(f);
	if (!(f = fopen(cert, "w")))
		goto out;
	PEM_write_X509(f, x);
	fclose(f);
	{
		struct cardsim_opts o = { key, cert, 0, 0 };
		m->cardsim = cardsim_create(&h, &o, err, sizeof err);
	}
	if (!m->cardsim) {
		fprintf(stderr, "cardsim: %s\n", err);
		goto out;
	}
	m->vcard.ctx = m->cardsim;
	m->vcard.apdu = cardsim_apdu_cb;
	m->vcard.atr = m->atr;
	m->vcard.atr_len = cardsim_atr(m->atr);
	m->vcard.reset = cardsim_reset_cb;
	rc = 0;
out:
	util_wipe(&h, sizeof h);
	X509_free(x);
	EVP_PKEY_free(k);
	return rc;
}

/* One booked appointment now (process 100200, code K7QM), as the
 * down-sync would have stored it, so a check-in can succeed. */
static int seed_appointment(const struct monkey *m)
{
	char path[320], day[11], sql[512];
	time_t t = time(NULL);
	struct tm tm;
	sqlite3 *db;
	int rc;

	localtime_r(&t, &tm);
	strftime(day, sizeof day, "%Y-%m-%d", &tm);
	snprintf(sql, sizeof sql,
		 "INSERT INTO appointments (id, process_number, booking_code,"
		 " service_id, day, slot_start_ms, slot_minutes, status,"
		 " updated_ms) VALUES ('ap-now', '100200', 'K7QM',"
		 " 'reisepass', '%s', %lld, 15, 'booked', 0)",
		 day, (long long)t * 1000);
	snprintf(path, sizeof path, "%s/kiosk.db", m->data);
	if (sqlite3_open(path, &db) != SQLITE_OK) {
		sqlite3_close(db);
		return -1;
	}
	sqlite3_busy_timeout(db, 5000);
	rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		fprintf(stderr, "seed: %s\n", sqlite3_errmsg(db));
	sqlite3_close(db);
	return rc == SQLITE_OK ? 0 : -1;
}

static int setup(struct monkey *m, enum variant v)
{
	char err[512], path[320], csca[300];
	struct worker_result wr = { .kind = WORKER_STORE_FAILED };

	memset(&m->cfg, 0, sizeof *m - offsetof(struct monkey, cfg));
	check_tmpdir(m->dir);
	if (config_load(&m->cfg, BK_SOURCE_DIR "/assets/site.conf", err,
			sizeof err) < 0) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	snprintf(path, sizeof path, "virtual:%s/printer", m->dir);
	if (set(m, "printer.uri", path) < 0 ||
	    set(m, "kiosk.maintenance_pin", PIN) < 0)
		return -1;
	snprintf(path, sizeof path, "%s/printer", m->dir);
	if (mkdir(path, 0755) < 0)
		return -1;
	snprintf(path, sizeof path, "%s/backoffice.pub", m->dir);
	if (v == FULL && (write_public_key(path) < 0 ||
			  set(m, "backoffice.public_key", path) < 0))
		return -1;
	if (v == FULL && (make_card(m, csca, sizeof csca) < 0 ||
			  set(m, "card.reader", "virtual:") < 0 ||
			  set(m, "card.csca_dir", csca) < 0))
		return -1;
	if (v == CLOSED && set(m, "kiosk.priority_ticket", "1") < 0)
		return -1;
	snprintf(m->data, sizeof m->data, "%s", m->dir);
	if (v == BROKEN) { /* the data folder is a file */
		FILE *f;
		snprintf(m->data, sizeof m->data, "%s/data", m->dir);
		if (!(f = fopen(m->data, "w")) || fclose(f) != 0)
			return -1;
	}
	if (config_validate(&m->cfg, err, sizeof err) < 0) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	i18n_init(&m->i18n, config_i18n_dir(&m->cfg), m->cfg.languages,
		  m->cfg.n_languages);
	if (forms_load_dir(forms_dir(&m->cfg), &m->i18n, &m->forms, NULL) !=
	    BK_OK)
		fprintf(stderr, "monkey: no forms in %s\n", forms_dir(&m->cfg));

	m->surface = SDL_CreateRGBSurfaceWithFormat(0, SURFACE_W, SURFACE_H,
						    32,
						    SDL_PIXELFORMAT_ARGB8888);
	if (m->surface)
		m->r = SDL_CreateSoftwareRenderer(m->surface);
	if (!m->r || SDL_RenderSetLogicalSize(m->r, APP_W, APP_H) < 0) {
		fprintf(stderr, "renderer: %s\n", SDL_GetError());
		return -1;
	}
	m->text = text_create(m->r, FONT, FONT_BOLD, err, sizeof err);
	if (!m->text) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	m->worker = worker_create(&m->cfg, &m->i18n, m->data,
				  m->cfg.printer_uri);
	if (!m->worker)
		return -1;
	/* the schema exists once the worker says it is ready; a broken
	 * store's answer is left for the app to take */
	for (int i = 0; v != BROKEN && i < 1000 && !worker_poll(m->worker, &wr);
	     i++)
		real_sleep_ms(10);
	if (v != BROKEN && (wr.kind != WORKER_READY || seed_appointment(m) < 0)) {
		fprintf(stderr, "worker not ready\n");
		return -1;
	}
	m->app = app_create(m->r, m->text, &m->cfg, &m->i18n, m->worker, NULL,
			    err, sizeof err);
	if (!m->app) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	app_set_forms(m->app, &m->forms);
	input_init(&m->input);
	/* speech as on a kiosk (espeak-ng children, SDL audio: the dummy
	 * driver under ctest); the monkey switches it on and off */
	m->speech = speech_create(NULL);
	app_set_speech(m->app, m->speech);
	if (v != FULL)
		return 0; /* no card reader configured */
	m->card = app_card_create(m->cfg.card_reader, m->cfg.card_csca_dir,
				  err, sizeof err);
	if (!m->card) {
		fprintf(stderr, "card service: %s\n", err);
		return -1;
	}
	app_set_card(m->app, m->card);
	return 0;
}

/* In main.c's order: the app, the worker, then what they read. */
static void teardown(struct monkey *m)
{
	app_destroy(m->app);
	app_card_destroy(m->card);
	card_virtual_remove();
	cardsim_destroy(m->cardsim);
	if (m->speech) {
		struct speech_stats st;
		speech_get_stats(m->speech, &st);
		m->spoken[0] += st.started;
		m->spoken[1] += st.finished;
		m->spoken[2] += st.interrupted;
	}
	speech_destroy(m->speech);
	worker_destroy(m->worker);
	forms_list_free(&m->forms);
	text_destroy(m->text);
	if (m->r)
		SDL_DestroyRenderer(m->r);
	if (m->surface)
		SDL_FreeSurface(m->surface);
	i18n_free(&m->i18n);
	check_rmtree(m->dir);
}

static unsigned long env_number(const char *name, unsigned long dflt)
{
	const char *s = getenv(name);
	char *end;
	unsigned long v;

	if (!s || !*s)
		return dflt;
	v = strtoul(s, &end, 0);
	return *end ? dflt : v;
}

static void report(const struct monkey *m, double seconds)
{
	int distinct = 0;

	printf("monkey: %d events in %.1f s (real time)\n", m->events,
	       seconds);
	for (int e = 0; e < EV_COUNT; e++)
		printf("  %-18s %6d\n", ev_names[e], m->counts[e]);
	printf("  screens reached (frames):");
	for (int s = 0; s < MAX_SCREENS; s++) {
		const char *name = app_screen_name((enum app_screen)s);
		if (!m->reached[s] || !strcmp(name, "?"))
			continue;
		distinct++;
		printf(" %s=%d", name, m->reached[s]);
	}
	printf("\n  never reached:");
	for (int s = 0; s < MAX_SCREENS; s++) {
		const char *name = app_screen_name((enum app_screen)s);
		if (!m->reached[s] && strcmp(name, "?"))
			printf(" %s", name);
	}
	printf("\n  after a card read:");
	for (int s = 0; s < MAX_SCREENS; s++)
		if (m->after_card[s])
			printf(" %s=%d", app_screen_name((enum app_screen)s),
			       m->after_card[s]);
	printf("\n  %d distinct screens; languages in sessions:", distinct);
	for (int i = 0; i < m->n_langs; i++)
		printf(" %s", m->langs[i]);
	printf("\n  scans that started a check-in: %d", m->scans_taken);
	printf("\n  sessions checked for leftovers: %d (names, numbers and "
	       "codes typed and held by the app: %d)\n", m->wipe_checks,
	       m->held_markers);
	printf("  speech: %llu utterances started, %llu finished, "
	       "%llu interrupted\n", m->spoken[0], m->spoken[1], m->spoken[2]);
	printf("  real time: %.1f s in %d frames (%d redrawn), %.1f s "
	       "waiting for the worker\n", (double)m->frame_ms / 1000.0,
	       m->frames, m->redraws, (double)m->waited_ms / 1000.0);
}

/* One phase: a kiosk set up as v, n events, the last session ended. */
static void run_phase(struct monkey *m, enum variant v, long n)
{
	long until = m->events + n;

	if (setup(m, v) < 0) {
		check_fail(__FILE__, __LINE__, "setup");
		m->bad = 1;
		teardown(m);
		return;
	}
	frame(m);
	while (m->events < until && !m->bad)
		one_event(m);
	if (!m->bad) {
		wait_worker(m);
		for (int i = 0; i < 4; i++)
			step(m, (int64_t)(m->cfg.idle_seconds +
					  m->cfg.more_time_seconds) * 1000);
		wait_worker(m);
		step(m, (int64_t)m->cfg.ticket_screen_seconds * 1000 + 1);
		CHECK_STR(app_screen_name(m->app->screen),
			  v == BROKEN ? "out-of-service" : "welcome");
		check_wiped(m);
	}
	teardown(m);
}

static void test_monkey(void)
{
	static struct monkey m;
	unsigned long seed = env_number("BK_MONKEY_SEED", DEFAULT_SEED);
	long n = (long)env_number("BK_MONKEY_EVENTS", DEFAULT_EVENTS);
	int64_t t0 = __real_util_mono_ms(), v0;

	printf("monkey: seed %lu, %ld events (BK_MONKEY_SEED, "
	       "BK_MONKEY_EVENTS)\n", seed, n);
	fflush(stdout);
	rng_state = seed ? seed : 1;
	atomic_store(&vclock, t0);
	REQUIRE(util_mono_ms() == t0); /* linked with --wrap=util_mono_ms */
	advance(1);
	REQUIRE(util_mono_ms() == t0 + 1);

	v0 = now_ms();
	/* 90 % on the full kiosk, the rest where forms are closed and
	 * where the store is broken */
	run_phase(&m, FULL, n - n / 10);
	run_phase(&m, CLOSED, n / 10 - n / 50);
	run_phase(&m, BROKEN, n / 50);
	report(&m, (double)(__real_util_mono_ms() - t0) / 1000.0);
	printf("  kiosk time: %.0f s\n", (double)(now_ms() - v0) / 1000.0);
	for (int i = 0; must_reach[i]; i++) {
		int found = 0;
		for (int s = 0; s < MAX_SCREENS; s++)
			if (m.reached[s] &&
			    !strcmp(app_screen_name((enum app_screen)s),
				    must_reach[i]))
				found = 1;
		if (!found) {
			char msg[96];
			snprintf(msg, sizeof msg, "never reached '%s'",
				 must_reach[i]);
			check_fail(__FILE__, __LINE__, msg);
		}
	}
	CHECK(m.events >= n);
	CHECK(m.n_langs >= 5);
	CHECK(m.held_markers > 0);
	CHECK(m.scans_taken > 0);
	if (m.bad)
		fprintf(stderr, "monkey: reproduce with BK_MONKEY_SEED=%lu\n",
			seed);
}

int main(void)
{
	static const struct check_test tests[] = {
		{ "monkey", test_monkey },
		{ NULL, NULL },
	};

	log_init("test_monkey", LOG_WARN);
	return check_main(tests);
}
