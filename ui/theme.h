/*
 * theme.h — the kiosk's colours, text size and touch-target size.
 *
 * Two palettes: THEME_NORMAL (the colours the screens used from the start:
 * dark text on a light ground, a blue header and primary buttons) and
 * THEME_HIGH_CONTRAST (black and white with a deep blue; every text pair
 * at least 7:1, WCAG 2.x level AAA). Screens take every colour from the
 * active theme, so switching is a rebuild.
 *
 * Invariants, checked for every pair by tests/unit/test_theme.c:
 *   1. Every pair in theme_pairs() that carries text has a contrast of at
 *      least 4.5:1 in THEME_NORMAL and at least 7:1 in THEME_HIGH_CONTRAST.
 *   2. Non-text pairs (a border against the page, a key against the
 *      keyboard) have at least 3:1 in both (WCAG 1.4.11).
 *
 * Touch targets: the panel's physical size (display.width_mm,
 * display.height_mm in the configuration; default a 21.5" portrait panel,
 * 268 × 476 mm) over the logical 1080 × 1920 gives pixels per millimetre;
 * a target must be at least THEME_MIN_TARGET_MM in both directions.
 *
 * This module does NOT build widgets, remember the citizen's choice (the
 * app does, and resets it when the session ends), or load fonts.
 */
#ifndef BK_UI_THEME_H
#define BK_UI_THEME_H

#include <SDL.h>

#include "firmware/config.h"

#define THEME_LOGICAL_W 1080     /* == APP_W (asserted in theme.c) */
#define THEME_LOGICAL_H 1920     /* == APP_H */
#define THEME_MIN_TARGET_MM 15
#define THEME_LARGE_TEXT_PCT 125 /* large-text mode: every font size × 1.25 */

enum theme_id {
	THEME_NORMAL = 0,
	THEME_HIGH_CONTRAST,
	THEME_COUNT
};

struct theme {
	const char *name;        /* "normal", "high-contrast" */
	SDL_Color page;          /* screen background */
	SDL_Color ink;           /* body text on page and on card */
	SDL_Color muted;         /* secondary text on page and on card */
	SDL_Color header_bg, header_ink;   /* the top band, site name */
	SDL_Color primary, on_primary;     /* filled button: bg, its text */
	SDL_Color button_bg, button_ink;   /* outlined button: bg, its text */
	SDL_Color button_border;
	SDL_Color card;          /* white cards (ticket, status) */
	SDL_Color line;          /* card and service-button borders */
	SDL_Color badge_bg, badge_ink;     /* the service letter square */
	SDL_Color warn_bg, warn_line, warn_ink;  /* "remember your number" */
	SDL_Color error_ink;     /* field errors, faults: on page and card */
	SDL_Color ok_ink;        /* OK states: on page and card */
	SDL_Color field_bg, field_ink, field_border; /* text input fields */
	SDL_Color key_bg, key_ink, key_border;       /* on-screen keys */
	SDL_Color fn_key_bg, fn_key_ink;             /* shift, enter, … */
	SDL_Color focus;         /* outline of the element being spoken */
};

/* The palette; never NULL (an out-of-range id gives THEME_NORMAL). */
const struct theme *theme_get(enum theme_id id);

/* A text or non-text pair of a theme, by name ("ink/page"), for tests and
 * docs. */
struct theme_pair {
	const char *name;
	SDL_Color fg, bg;
	int text;                /* 1: text (4.5:1 / 7:1), 0: non-text (3:1) */
};
/* Fills out with up to max pairs of th; returns how many th has. */
int theme_pairs(const struct theme *th, struct theme_pair *out, int max);

/* WCAG 2.x contrast ratio (L1 + 0.05) / (L2 + 0.05) of the relative
 * luminances (sRGB linearised with the 0.03928 threshold); 1.0 … 21.0.
 * Alpha is ignored. */
double theme_contrast(SDL_Color fg, SDL_Color bg);

/* A font size in the chosen text mode: px, or px × THEME_LARGE_TEXT_PCT
 * / 100 rounded when large is set. */
int theme_text_px(int px, int large);

/* Logical pixels per millimetre of the configured panel: the larger of
 * the horizontal and vertical figure (the stricter one for targets). */
double theme_px_per_mm(const struct config *cfg);

/* THEME_MIN_TARGET_MM in logical pixels, rounded up (61 at the default
 * panel). */
int theme_min_target_px(const struct config *cfg);

#endif
