/*
 * display.h — the waiting-room display: `buergerkiosk --role display
 * --site URL`, a landscape TV that shows which ticket number goes to which
 * counter and announces each call with a gong and a German sentence.
 *
 *   ┌──────────────────────────────────────────────────────────┐
 *   │ Bürgerbüro Musterstadt                    (reconnecting) │ header
 *   │                                                          │
 *   │            A017   →   Schalter 3                         │ newest call
 *   │                                                          │
 *   │  A016 → Schalter 1    B004 → Schalter 2    A015 → ...    │ last calls
 *   └──────────────────────────────────────────────────────────┘
 *
 * Data flow (three threads, no shared state but the two queues):
 *
 *   buergerkioskd ──SSE──▶ net thread (display_net.c: libcurl, the SSE
 *     parser below, the call parser) ──events (mutex)──▶ UI thread
 *     (display.c: the board, widgets, the announcer) ──▶ gong (SDL audio)
 *     then speech_say_queued() (ui/speech.h: espeak-ng child process)
 *
 * The net thread reconnects by itself (0.5 s doubling to 5 s) and sends
 * Last-Event-ID, so the daemon replays what was missed; while it is not
 * connected the UI shows a quiet "Verbindung wird wiederhergestellt" mark
 * and keeps the last calls on screen. A replayed or repeated call (same
 * event id) is neither shown twice nor announced twice.
 *
 * Announcements (display.c): one at a time, in arrival order: the gong
 * (ui/gong.h), then the sentence "Nummer A 17, bitte zu Schalter 3" through
 * speech_say_queued(); the next gong waits until speech is idle, so gongs
 * and sentences never overlap. At most DISPLAY_ANNOUNCE_MAX wait; when
 * calls arrive faster, the oldest waiting ones are dropped (the screen
 * shows them anyway). Calls replayed after a reconnect that are older than
 * DISPLAY_STALE_S are shown but not announced.
 *
 * Privacy: the display shows and says ticket numbers and counter names
 * only. The call parser takes exactly those fields and nothing else from
 * the daemon's JSON; a ticket number must look like one ([A-Z0-9-]).
 *
 * Caps on outside bytes: an SSE line of DISPLAY_SSE_LINE_MAX bytes (longer
 * lines are dropped whole), an event's data of DISPLAY_SSE_DATA_MAX (the
 * event is dropped), an id of DISPLAY_SSE_ID_MAX (ignored), an event name
 * of DISPLAY_SSE_EVENT_MAX. The SSE parser and the call parser are fuzzed
 * together by tests/fuzz/fuzz_sse.c.
 *
 * This module does NOT authenticate counters, hold the queue, or decide
 * call order (the daemon does); it does NOT take input (a TV has none).
 */
#ifndef BK_UI_DISPLAY_H
#define BK_UI_DISPLAY_H

#include <SDL.h>
#include <stddef.h>
#include <stdint.h>

#include "ui/gong.h"
#include "ui/speech.h"
#include "ui/text.h"
#include "ui/widget.h"

#define DISPLAY_W 1920
#define DISPLAY_H 1080
#define DISPLAY_SSE_LINE_MAX 8192
#define DISPLAY_SSE_DATA_MAX 16384
#define DISPLAY_SSE_ID_MAX 64
#define DISPLAY_SSE_EVENT_MAX 32
#define DISPLAY_NUMBER_MAX 16      /* "A017", incl. NUL */
#define DISPLAY_COUNTER_MAX 64     /* "Schalter 3", incl. NUL */
#define DISPLAY_HISTORY 7          /* the newest call and 6 below it */
#define DISPLAY_ANNOUNCE_MAX 8     /* announcements waiting */
#define DISPLAY_STALE_S 120        /* older replayed calls are not spoken */
#define DISPLAY_RETRY_MIN_MS 500
#define DISPLAY_RETRY_MAX_MS 5000

/* The entry point from ui/main.c for `--role display`: its own options
 * (docs/display.md), its own window or headless surface. Returns the exit
 * status (0, 1 failure or failed script, 2 usage or script syntax). */
int display_main(int argc, char **argv);

/* ---- the SSE parser (text/event-stream, outside bytes) ----
 *
 * The WHATWG "event stream interpretation": lines end in CR LF, LF or CR;
 * "field: value" with one optional space after the colon; a line starting
 * with ':' is a comment (the daemon's keep-alive); an empty line
 * dispatches the event when it has data. Fields: event, data (lines joined
 * by LF), id (kept across events; a value with NUL is ignored), retry
 * (digits only). A UTF-8 byte order mark at the very start is skipped. */
struct display_sse {
	char line[DISPLAY_SSE_LINE_MAX];
	size_t line_len;
	int line_dropped;            /* the line is too long: skip to its end */
	int after_cr;                /* last byte was CR (a LF after it is
				      * part of the same line end) */
	size_t bom;                  /* BOM bytes matched at the start */
	int started;                 /* past the place a BOM may be */
	char event[DISPLAY_SSE_EVENT_MAX];
	char data[DISPLAY_SSE_DATA_MAX + 1];
	size_t data_len;
	int has_data, data_dropped;
	char last_id[DISPLAY_SSE_ID_MAX];
	long retry_ms;               /* -1 until the server sends one */
};

/* One dispatched event: name ("message" when none was given), data
 * NUL-terminated (len bytes, may hold NUL bytes), id the last event id
 * ("" when none). Pointers are valid during the call only. */
typedef void (*display_sse_fn)(void *ctx, const char *name,
			       const char *data, size_t len, const char *id);

void display_sse_init(struct display_sse *p);
/* Feeds n bytes; calls fn for each complete event. Never reads past
 * buf + n; any bytes are accepted (caps drop, never fail). Returns the
 * number of events dispatched. */
int display_sse_feed(struct display_sse *p, const char *buf, size_t n,
		     display_sse_fn fn, void *ctx);

/* ---- one call, as the display needs it ---- */
struct display_call {
	char id[DISPLAY_SSE_ID_MAX];         /* the SSE event id */
	char number[DISPLAY_NUMBER_MAX];     /* "A017" */
	char counter[DISPLAY_COUNTER_MAX];   /* "Schalter 3" */
	int64_t at;                          /* Unix seconds of the call */
	int at_ms;                           /* and its milliseconds */
	int recall;                          /* 1: the same ticket again */
};

/* Parses the data of a "call" event (JSON, docs/site-api.md) into c.
 * Returns 0, or -1 when it is not a call within the caps (nothing of it
 * is kept then). Only the number, the counter's display name, the time
 * and the recall flag are read. */
int display_call_parse(const char *data, size_t len, struct display_call *c);

/* The German announcement: "Nummer A 17, bitte zu Schalter 3". The
 * number's letters and digits are split so espeak-ng says "A siebzehn"
 * rather than a word, leading zeros are dropped; a counter name that is
 * only digits gets "Schalter " in front. 0, or -1 if it does not fit. */
int display_announcement(const struct display_call *c, char *out,
			 size_t outlen);

/* ---- internal, between display*.c ---- */

/* What the net thread hands the UI thread. */
enum display_msg_kind {
	DISPLAY_MSG_UP,      /* the stream is open (200, text/event-stream) */
	DISPLAY_MSG_DOWN,    /* it ended or could not be opened; retrying */
	DISPLAY_MSG_CALL,    /* a call (call filled in) */
};

struct display_msg {
	enum display_msg_kind kind;
	struct display_call call;
};

#define DISPLAY_MSGS_MAX 64  /* waiting for the UI; the oldest call is
			      * dropped beyond (never an UP/DOWN) */

struct display_net;
/* Starts the thread that reads SITE/api/v1/display/events (site: the
 * daemon's base URL, http or https; ca_file: a PEM CA bundle for https,
 * NULL = the system's). NULL with err when the thread cannot start. */
struct display_net *display__net_start(const char *site, const char *ca_file,
				       char *err, size_t errlen);
/* Ends the transfer in flight and joins the thread (within ~100 ms). */
void display__net_stop(struct display_net *n);
/* Moves up to max waiting messages into out, oldest first; returns how
 * many. Never blocks on the network (only the queue's mutex). */
int display__net_take(struct display_net *n, struct display_msg *out,
		      int max);

/* The announcer's phases (display.c), one announcement at a time:
 *   IDLE ──a call waits, speech idle──▶ GONG        (gong_play)
 *   GONG ──gong no longer busy──▶ SPEAK             (speech_say_queued)
 *   SPEAK ──speech no longer busy──▶ IDLE */
enum display_phase { DISPLAY_IDLE, DISPLAY_GONG, DISPLAY_SPEAK };

#define DISPLAY_SAY_MAX 160
#define DISPLAY_TEXT_RENEW 16         /* calls between fresh text caches */

struct display {
	SDL_Renderer *r;
	struct text *text;
	const char *font, *font_bold; /* to renew the text cache */
	uint64_t text_renewed;        /* calls_seen at the last renewal */
	char site_name[128];
	struct widget *root;
	int dirty;
	int64_t now;

	struct display_net *net;
	int connected;                /* the stream is up */
	int64_t down_since;           /* monotonic ms; 0 while connected */
	struct display_call calls[DISPLAY_HISTORY]; /* [0] newest */
	int n_calls;
	uint64_t calls_seen;
	int64_t day_checked;          /* monotonic ms of the last day check */

	struct gong *gong;
	struct speech *speech;
	enum display_phase phase;
	int64_t phase_at;
	char waiting[DISPLAY_ANNOUNCE_MAX][DISPLAY_SAY_MAX];
	int n_waiting;
	uint64_t announced;           /* sentences handed to speech */
	char last_said[DISPLAY_SAY_MAX];
};

/* How long an outage lasts before the mark shows (a daemon restart of a
 * second need not flicker on the wall). */
#define DISPLAY_MARK_AFTER_MS 1500

/* One frame: messages from the net thread, the announcer, a redraw when
 * something changed. -1 when out of memory. */
int display__frame(struct display *d, int64_t now_ms);
/* Takes one call onto the board (and the announcer's queue unless
 * stale is set); for tests too. */
void display__on_call(struct display *d, const struct display_call *c,
		      int stale);
int display__screenshot(struct display *d, const char *path, char *err,
			size_t errlen);

struct script;
/* Runs a UI script on the display (display_script.c): wait, timeout,
 * assert, assert-contains, assert-absent, assert-screen ("display"),
 * assert-spoken (the last sentence given to speech), screenshot. Other
 * commands fail: a TV has no touch. 0, or 1 after printing why. */
int display__script_run(struct display *d, const struct script *s,
			const char *shots_dir, volatile int *stop);

#endif
