/*
 * scanner.h — telling a USB barcode scanner that types like a keyboard
 * (HID keyboard wedge) from a person typing, by timing alone.
 *
 * A scanner types a whole payload in a burst and ends it with Enter; a
 * person types far slower. The rule (defaults, docs/check-in.md):
 *
 *   a SCAN is   >= SCANNER_MIN_CHARS characters (6), each arriving less
 *               than SCANNER_MAX_GAP_MS (30 ms) after the one before,
 *               followed by Enter (or Tab) also within the gap.
 *
 * Why these numbers: a wedge scanner sends one USB HID report per key
 * down and one per key up at a 1-8 ms polling interval, so its characters
 * come 2-16 ms apart (tests/unit/test_scanner.c uses 8 ms); a person's
 * keys are rarely under 50 ms apart, and rolled-over pairs that are never
 * come six in a row ending in Enter.
 *
 * Characters are held back while they could still be the start of a
 * scan: at most SCANNER_MAX_GAP_MS after the last one (scanner_tick() each
 * frame releases them). Everything that turns out not to be a scan comes
 * out unchanged and in order as KEY and ENTER events, so slow typing
 * works as before, ~30 ms late.
 *
 * Input is (code point, timestamp in ms) pairs, e.g. SDL_TEXTINPUT's
 * characters and SDL_KEYDOWN of Return with the event's timestamp. Other
 * keys (Backspace, Escape, arrows) are passed as SCANNER_OTHER: they end a
 * burst (flushed as keys) and come out as one OTHER event, in order.
 *
 * Pure logic: no SDL, no clock, no allocation; unit-tested with
 * timestamps (tests/unit/test_scanner.c). One struct per input source,
 * used on one thread.
 */
#ifndef BK_SCANNER_H
#define BK_SCANNER_H

#include <stddef.h>
#include <stdint.h>

#define SCANNER_MIN_CHARS 6
#define SCANNER_MAX_GAP_MS 30
#define SCANNER_MAX_CHARS 128       /* longer bursts are typing, not scans */
#define SCANNER_TEXT_MAX (SCANNER_MAX_CHARS * 4 + 1) /* UTF-8 + NUL */
#define SCANNER_QUEUE 160           /* pending output events */

/* Input code points with a meaning of their own. */
#define SCANNER_ENTER 0x0A          /* Return / keypad Enter (CR too) */
#define SCANNER_TAB 0x09            /* ends a scan like Enter */
#define SCANNER_OTHER 0xFFFFFFFFu   /* any non-character key */

enum scanner_kind {
	SCANNER_EV_KEY = 1,   /* a typed character: ev.cp */
	SCANNER_EV_ENTER,     /* Enter (or Tab: ev.cp says which) typed */
	SCANNER_EV_OTHER,     /* a non-character key, in its place */
	SCANNER_EV_SCAN,      /* a complete scan: ev.text (UTF-8, no Enter) */
};

struct scanner_event {
	enum scanner_kind kind;
	uint32_t cp;
	char text[SCANNER_TEXT_MAX];
	size_t len;
};

struct scanner {
	int min_chars;                 /* set by scanner_init; may be changed */
	int max_gap_ms;
	uint32_t held[SCANNER_MAX_CHARS];
	int n_held;
	int64_t last_ms;               /* time of the last held character */
	struct {
		enum scanner_kind kind;
		uint32_t cp;
		int scan;              /* index into scans[] for SCAN */
	} q[SCANNER_QUEUE];
	int q_head, q_len;
	char scan_text[2][SCANNER_TEXT_MAX]; /* at most two scans pending */
	size_t scan_len[2];
	int scan_next;
	int overflow;                  /* events dropped: queue was full */
};

/* Defaults as above; everything cleared. */
void scanner_init(struct scanner *s);

/* One input at time t_ms (monotonic ms; equal times are fine). Output is
 * queued; read it with scanner_next(). */
void scanner_key(struct scanner *s, uint32_t cp, int64_t t_ms);

/* Releases held characters as KEY events once now_ms - last >= max gap.
 * Call once per frame (or before reading when idle). */
void scanner_tick(struct scanner *s, int64_t now_ms);

/* 1 and *ev filled when an event is ready, else 0. */
int scanner_next(struct scanner *s, struct scanner_event *ev);

/* Drops everything held and queued (end of a session: a half-typed code
 * is the citizen's input and is wiped). */
void scanner_reset(struct scanner *s);

#endif
