/*
 * scanner.c — scan detection by timing; the rule is in scanner.h.
 *
 * State: the characters of the current burst are held in held[] while
 * every gap stayed under max_gap_ms. The burst ends in one of four ways:
 *   Enter/Tab within the gap, >= min_chars held  → one SCAN event
 *   Enter/Tab otherwise                          → KEYs, then ENTER
 *   a gap >= max_gap_ms (next key or a tick)     → KEYs (typing)
 *   an OTHER key, or the burst grows too long    → KEYs (then OTHER)
 * Invariant: the output queue holds events in input order, and every
 * input comes out exactly once (as itself or inside one SCAN), unless the
 * queue overflowed (counted in overflow).
 */
#include "ui/scanner.h"

#include <string.h>

#include "firmware/util.h"

void scanner_init(struct scanner *s)
{
	memset(s, 0, sizeof *s);
	s->min_chars = SCANNER_MIN_CHARS;
	s->max_gap_ms = SCANNER_MAX_GAP_MS;
}

void scanner_reset(struct scanner *s)
{
	int min = s->min_chars, gap = s->max_gap_ms;

	util_wipe(s, sizeof *s);
	scanner_init(s);
	s->min_chars = min;
	s->max_gap_ms = gap;
}

static void push(struct scanner *s, enum scanner_kind kind, uint32_t cp,
		 int scan)
{
	int at;

	if (s->q_len >= SCANNER_QUEUE) {
		s->overflow++;
		return;
	}
	at = (s->q_head + s->q_len) % SCANNER_QUEUE;
	s->q[at].kind = kind;
	s->q[at].cp = cp;
	s->q[at].scan = scan;
	s->q_len++;
}

/* The held characters come out as typed keys. */
static void flush_keys(struct scanner *s)
{
	for (int i = 0; i < s->n_held; i++)
		push(s, SCANNER_EV_KEY, s->held[i], 0);
	util_wipe(s->held, sizeof s->held);
	s->n_held = 0;
}

static size_t utf8_put(uint32_t cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xC0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xE0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	out[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

/* The held characters become one SCAN. */
static void emit_scan(struct scanner *s)
{
	int slot = s->scan_next;
	char *t = s->scan_text[slot];
	size_t n = 0;

	/* a slot is reused only when its scan was read: two pending at most */
	for (int i = 0; i < s->q_len; i++) {
		int at = (s->q_head + i) % SCANNER_QUEUE;

		if (s->q[at].kind == SCANNER_EV_SCAN && s->q[at].scan == slot) {
			s->overflow++;
			util_wipe(s->held, sizeof s->held);
			s->n_held = 0;
			return;
		}
	}
	for (int i = 0; i < s->n_held; i++)
		n += utf8_put(s->held[i], t + n);
	t[n] = '\0';
	s->scan_len[slot] = n;
	s->scan_next = !slot;
	push(s, SCANNER_EV_SCAN, 0, slot);
	util_wipe(s->held, sizeof s->held);
	s->n_held = 0;
}

void scanner_key(struct scanner *s, uint32_t cp, int64_t t_ms)
{
	int in_gap = s->n_held > 0 && t_ms - s->last_ms < s->max_gap_ms;

	if (s->n_held > 0 && !in_gap)
		flush_keys(s); /* the pause ended a burst: it was typing */
	if (cp == '\r')
		cp = SCANNER_ENTER;
	if (cp == SCANNER_ENTER || cp == SCANNER_TAB) {
		if (s->n_held >= s->min_chars) {
			emit_scan(s);
			return;
		}
		flush_keys(s);
		push(s, SCANNER_EV_ENTER, cp, 0);
		return;
	}
	if (cp == SCANNER_OTHER || cp < 0x20 || (cp >= 0x7f && cp < 0xA0) ||
	    cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
		flush_keys(s);
		push(s, SCANNER_EV_OTHER, SCANNER_OTHER, 0);
		return;
	}
	if (s->n_held >= SCANNER_MAX_CHARS)
		flush_keys(s); /* too long for any payload we read */
	s->held[s->n_held++] = cp;
	s->last_ms = t_ms;
}

void scanner_tick(struct scanner *s, int64_t now_ms)
{
	if (s->n_held > 0 && now_ms - s->last_ms >= s->max_gap_ms)
		flush_keys(s);
}

int scanner_next(struct scanner *s, struct scanner_event *ev)
{
	int at;

	if (s->q_len == 0)
		return 0;
	at = s->q_head;
	memset(ev, 0, sizeof *ev);
	ev->kind = s->q[at].kind;
	ev->cp = s->q[at].cp;
	if (ev->kind == SCANNER_EV_SCAN) {
		int slot = s->q[at].scan;

		memcpy(ev->text, s->scan_text[slot], s->scan_len[slot] + 1);
		ev->len = s->scan_len[slot];
		util_wipe(s->scan_text[slot], sizeof s->scan_text[slot]);
	}
	s->q_head = (s->q_head + 1) % SCANNER_QUEUE;
	s->q_len--;
	return 1;
}
