/* Scanner detection by timing: a burst of >= 6 characters under 30 ms
 * apart ending in Enter is one scan; a person typing the same characters
 * gets them as keys, in order, ~30 ms late at most; mixed cases, the
 * thresholds' edges, and a reset wiping what was held. */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "ui/scanner.h"

/* Feeds text (ASCII) starting at t, one character every gap ms, then
 * Enter after another gap when enter is set. Returns the time after. */
static int64_t feed(struct scanner *s, const char *text, int64_t t, int gap,
		    int enter)
{
	for (const char *p = text; *p; p++) {
		scanner_key(s, (unsigned char)*p, t);
		t += gap;
	}
	if (enter)
		scanner_key(s, SCANNER_ENTER, t);
	return t;
}

/* Drains the scanner into a readable log: keys as themselves, Enter as
 * '\n', other keys as '#', a scan as [text]. */
static void drain(struct scanner *s, char *out, size_t len)
{
	struct scanner_event ev;
	size_t o = 0;

	out[0] = '\0';
	while (scanner_next(s, &ev)) {
		int n = 0;

		switch (ev.kind) {
		case SCANNER_EV_KEY:
			n = snprintf(out + o, len - o, "%c", (char)ev.cp);
			break;
		case SCANNER_EV_ENTER:
			n = snprintf(out + o, len - o, "\n");
			break;
		case SCANNER_EV_OTHER:
			n = snprintf(out + o, len - o, "#");
			break;
		case SCANNER_EV_SCAN:
			n = snprintf(out + o, len - o, "[%s]", ev.text);
			CHECK_INT(ev.len, strlen(ev.text));
			break;
		}
		if (n > 0 && (size_t)n < len - o)
			o += (size_t)n;
	}
}

static void test_scan_is_one_event(void)
{
	struct scanner s;
	char log[512];

	scanner_init(&s);
	feed(&s, "BKT1:482913:K7QX2", 1000, 8, 1);
	drain(&s, log, sizeof log);
	CHECK_STR(log, "[BKT1:482913:K7QX2]");
	/* nothing held back afterwards */
	scanner_tick(&s, 5000);
	drain(&s, log, sizeof log);
	CHECK_STR(log, "");
}

static void test_typing_passes_through(void)
{
	struct scanner s;
	char log[512];
	int64_t t;

	scanner_init(&s);
	t = feed(&s, "482913", 1000, 120, 1);
	drain(&s, log, sizeof log);
	CHECK_STR(log, "482913\n");

	/* a key is held at most max_gap: a tick 29 ms later keeps it, 30 ms
	 * later releases it */
	scanner_key(&s, 'k', t + 500);
	scanner_tick(&s, t + 529);
	drain(&s, log, sizeof log);
	CHECK_STR(log, "");
	scanner_tick(&s, t + 530);
	drain(&s, log, sizeof log);
	CHECK_STR(log, "k");
}

static void test_edges(void)
{
	struct scanner s;
	char log[512];

	scanner_init(&s);
	/* five fast characters and Enter: too short for a scan */
	feed(&s, "ABCDE", 1000, 5, 1);
	drain(&s, log, sizeof log);
	CHECK_STR(log, "ABCDE\n");
	/* six: a scan */
	feed(&s, "ABCDEF", 2000, 5, 1);
	drain(&s, log, sizeof log);
	CHECK_STR(log, "[ABCDEF]");
	/* gaps of exactly 30 ms are typing */
	feed(&s, "ABCDEFGH", 3000, 30, 1);
	drain(&s, log, sizeof log);
	CHECK_STR(log, "ABCDEFGH\n");
	/* 29 ms is a (slow) scanner */
	feed(&s, "ABCDEFGH", 4000, 29, 1);
	drain(&s, log, sizeof log);
	CHECK_STR(log, "[ABCDEFGH]");
	/* a fast burst without Enter is typed keys once the gap passes */
	feed(&s, "ABCDEFGH", 5000, 5, 0);
	scanner_tick(&s, 5100);
	drain(&s, log, sizeof log);
	CHECK_STR(log, "ABCDEFGH");
	/* Enter that comes late ends typing, not a scan */
	feed(&s, "ABCDEFGH", 6000, 5, 0);
	scanner_key(&s, SCANNER_ENTER, 6040 + 35);
	drain(&s, log, sizeof log);
	CHECK_STR(log, "ABCDEFGH\n");
	/* Tab as the scanner's suffix; CR as Enter */
	feed(&s, "BKT1:1", 7000, 3, 0);
	scanner_key(&s, SCANNER_TAB, 7020);
	feed(&s, "BKT1:2", 8000, 3, 0);
	scanner_key(&s, '\r', 8020);
	drain(&s, log, sizeof log);
	CHECK_STR(log, "[BKT1:1][BKT1:2]");
}

static void test_mixed_and_other_keys(void)
{
	struct scanner s;
	char log[512];
	int64_t t;

	scanner_init(&s);
	/* a person types two keys, then the scanner fires */
	t = feed(&s, "12", 1000, 150, 0);
	t = feed(&s, "BKT1:482913:K7QX2", t + 200, 6, 1);
	drain(&s, log, sizeof log);
	CHECK_STR(log, "12[BKT1:482913:K7QX2]");
	/* Backspace in a burst: flushed as keys, then the Backspace */
	feed(&s, "ABC", t + 1000, 5, 0);
	scanner_key(&s, SCANNER_OTHER, t + 1016);
	scanner_key(&s, 0x08, t + 1500);
	drain(&s, log, sizeof log);
	CHECK_STR(log, "ABC##");
	/* non-ASCII text comes out as UTF-8 (a US scanner on a German host
	 * types ':' as 'Ö') */
	scanner_key(&s, 'B', 9000);
	scanner_key(&s, 'K', 9004);
	scanner_key(&s, 'T', 9008);
	scanner_key(&s, '1', 9012);
	scanner_key(&s, 0xD6, 9016);
	scanner_key(&s, '4', 9020);
	scanner_key(&s, SCANNER_ENTER, 9024);
	drain(&s, log, sizeof log);
	CHECK_STR(log, "[BKT1\xc3\x96" "4]");
}

static void test_long_burst_and_reset(void)
{
	struct scanner s;
	char text[SCANNER_MAX_CHARS + 11], log[4096];
	struct scanner_event ev;

	scanner_init(&s);
	memset(text, 'x', sizeof text - 1);
	text[sizeof text - 1] = '\0';
	/* longer than any payload: the first SCANNER_MAX_CHARS come out as
	 * keys, the rest (10) is a scan of its own */
	feed(&s, text, 1000, 2, 1);
	drain(&s, log, sizeof log);
	CHECK_INT(strlen(log), SCANNER_MAX_CHARS + 12);
	CHECK(strstr(log, "[xxxxxxxxxx]") != NULL);
	CHECK_INT(s.overflow, 0);

	/* reset wipes what is held and queued */
	feed(&s, "4829", 5000, 5, 0);
	scanner_reset(&s);
	scanner_tick(&s, 9000);
	CHECK(!scanner_next(&s, &ev));
	CHECK_INT(s.min_chars, SCANNER_MIN_CHARS);
	/* thresholds can be tuned per site */
	s.min_chars = 4;
	feed(&s, "4829", 10000, 5, 1);
	drain(&s, log, sizeof log);
	CHECK_STR(log, "[4829]");
}

int main(void)
{
	static const struct check_test tests[] = {
		{ "scan_is_one_event", test_scan_is_one_event },
		{ "typing_passes_through", test_typing_passes_through },
		{ "edges", test_edges },
		{ "mixed_and_other_keys", test_mixed_and_other_keys },
		{ "long_burst_and_reset", test_long_burst_and_reset },
		{ NULL, NULL },
	};

	return check_main(tests);
}
