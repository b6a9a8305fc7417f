/*
 * test_display.c — the waiting-room display's pieces without a daemon:
 * the SSE parser (line ends, split reads, comments, ids, caps), the call
 * parser (numbers only, never other fields), the German sentence, the
 * gong's samples, and the board and announcer on a software renderer
 * (newest first, a recall moves up, replays and stale calls are not
 * announced, one announcement at a time).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tests/unit/check.h"
#include "ui/display.h"
#include "ui/gong.h"

struct got {
	int n;
	char name[8][DISPLAY_SSE_EVENT_MAX];
	char data[8][256];
	char id[8][DISPLAY_SSE_ID_MAX];
};

static void on_event(void *ctx, const char *name, const char *data,
		     size_t len, const char *id)
{
	struct got *g = ctx;

	if (g->n >= 8)
		return;
	snprintf(g->name[g->n], sizeof g->name[0], "%s", name);
	snprintf(g->data[g->n], sizeof g->data[0], "%.*s", (int)len, data);
	snprintf(g->id[g->n], sizeof g->id[0], "%s", id);
	g->n++;
}

static struct display_sse sse; /* large */

static void feed_bytewise(const char *s, struct got *g)
{
	display_sse_init(&sse);
	for (size_t i = 0; s[i]; i++)
		display_sse_feed(&sse, s + i, 1, on_event, g);
}

static void test_sse_basic(void)
{
	static const char s[] =
		"retry: 2000\n\n"
		": keep-alive\n\n"
		"id: 7\nevent: call\ndata: {\"a\":1}\n\n"
		"data: line1\ndata:line2\n\n"
		"event: x\n\n"; /* no data: not dispatched */
	struct got g = { 0 }, b = { 0 };

	display_sse_init(&sse);
	CHECK_INT(display_sse_feed(&sse, s, strlen(s), on_event, &g), 2);
	CHECK_INT(sse.retry_ms, 2000);
	REQUIRE(g.n == 2);
	CHECK_STR(g.name[0], "call");
	CHECK_STR(g.data[0], "{\"a\":1}");
	CHECK_STR(g.id[0], "7");
	/* the id stays for later events; the name does not */
	CHECK_STR(g.name[1], "message");
	CHECK_STR(g.data[1], "line1\nline2");
	CHECK_STR(g.id[1], "7");
	/* byte by byte gives the same */
	feed_bytewise(s, &b);
	CHECK_INT(b.n, 2);
	CHECK_STR(b.data[1], "line1\nline2");
}

static void test_sse_line_ends(void)
{
	struct got g = { 0 };

	/* a BOM, CR LF, lone CR and LF; a CR LF split across two reads */
	display_sse_init(&sse);
	display_sse_feed(&sse, "\xef\xbb\xbfid: 1\r", 9, on_event, &g);
	display_sse_feed(&sse, "\ndata: a\r\rdata: b\n\n", 19, on_event, &g);
	REQUIRE(g.n == 2);
	CHECK_STR(g.id[0], "1");
	CHECK_STR(g.data[0], "a");
	CHECK_STR(g.data[1], "b");
}

static void test_sse_caps(void)
{
	struct got g = { 0 };
	size_t big = DISPLAY_SSE_LINE_MAX + 10;
	char *s = malloc(big + 64);
	char *d;

	REQUIRE(s);
	/* a line longer than the cap is dropped whole, the next event
	 * still arrives */
	memcpy(s, "data: ", 6);
	memset(s + 6, 'x', big);
	strcpy(s + 6 + big, "\n\ndata: ok\n\n");
	display_sse_init(&sse);
	display_sse_feed(&sse, s, strlen(s), on_event, &g);
	REQUIRE(g.n == 1);
	CHECK_STR(g.data[0], "ok");
	free(s);

	/* data over DISPLAY_SSE_DATA_MAX in many lines: the event is
	 * dropped, not cut */
	d = malloc(DISPLAY_SSE_DATA_MAX * 2 + 64);
	REQUIRE(d);
	{
		size_t k = 0;

		for (int i = 0; i < DISPLAY_SSE_DATA_MAX / 1000 + 2; i++) {
			memcpy(d + k, "data: ", 6);
			k += 6;
			memset(d + k, 'y', 999);
			k += 999;
			d[k++] = '\n';
		}
		strcpy(d + k, "\nid: 9\ndata: after\n\n");
	}
	memset(&g, 0, sizeof g);
	display_sse_init(&sse);
	display_sse_feed(&sse, d, strlen(d), on_event, &g);
	REQUIRE(g.n == 1);
	CHECK_STR(g.data[0], "after");
	CHECK_STR(g.id[0], "9");
	free(d);

	/* an id that is too long is ignored, the old one stays */
	memset(&g, 0, sizeof g);
	display_sse_init(&sse);
	display_sse_feed(&sse, "id: 3\n\nid: ", 11, on_event, &g);
	for (int i = 0; i < DISPLAY_SSE_ID_MAX; i++)
		display_sse_feed(&sse, "9", 1, on_event, &g);
	display_sse_feed(&sse, "\ndata: z\n\n", 10, on_event, &g);
	REQUIRE(g.n == 1);
	CHECK_STR(g.id[0], "3");
}

static void test_call_parse(void)
{
	struct display_call c;
	static const char ok[] =
		"{\"number\":\"A017\",\"counter\":\"Schalter 3\","
		"\"recall\":true,\"at\":\"2026-11-25T09:30:41.007Z\"}";

	REQUIRE(display_call_parse(ok, strlen(ok), &c) == 0);
	CHECK_STR(c.number, "A017");
	CHECK_STR(c.counter, "Schalter 3");
	CHECK_INT(c.recall, 1);
	CHECK_INT(c.at, 1795599041LL);
	CHECK_INT(c.at_ms, 7);
	/* not a ticket number, controls in the name, missing fields, not
	 * JSON, duplicate keys */
	CHECK(display_call_parse("{\"number\":\"Max M\",\"counter\":\"1\"}",
				 33, &c) < 0);
	CHECK(display_call_parse("{\"number\":\"A1\",\"counter\":\"a\\u0007\"}",
				 34, &c) < 0);
	CHECK(display_call_parse("{\"number\":\"A1\"}", 15, &c) < 0);
	CHECK(display_call_parse("[1]", 3, &c) < 0);
	CHECK(display_call_parse("{\"number\":\"A1\",\"number\":\"A2\","
				 "\"counter\":\"x\"}", 42, &c) < 0);
	CHECK_STR(c.number, "");
	/* other fields are never taken (numbers only, never names) */
	{
		static const char extra[] =
			"{\"number\":\"B002\",\"counter\":\"2\","
			"\"name\":\"Erika Mustermann\"}";
		REQUIRE(display_call_parse(extra, strlen(extra), &c) == 0);
		CHECK(!strstr(c.number, "Erika") && !strstr(c.counter, "Erika") &&
		      !strstr(c.id, "Erika"));
		CHECK_STR(c.counter, "2");
	}
}

static void test_announcement(void)
{
	struct display_call c = { .number = "A017", .counter = "3" };
	char out[160];

	REQUIRE(display_announcement(&c, out, sizeof out) == 0);
	CHECK_STR(out, "Nummer A 17, bitte zu Schalter 3");
	snprintf(c.number, sizeof c.number, "B100");
	snprintf(c.counter, sizeof c.counter, "Schalter 12");
	REQUIRE(display_announcement(&c, out, sizeof out) == 0);
	CHECK_STR(out, "Nummer B 100, bitte zu Schalter 12");
	snprintf(c.number, sizeof c.number, "A000");
	REQUIRE(display_announcement(&c, out, sizeof out) == 0);
	CHECK_STR(out, "Nummer A 0, bitte zu Schalter 12");
	CHECK(display_announcement(&c, out, 10) < 0);
}

/* Energy at f (Goertzel) over n samples from p. */
static double energy(const int16_t *p, size_t n, double f, int rate)
{
	double w = 2.0 * M_PI * f / rate, k = 2.0 * cos(w), s1 = 0, s2 = 0;

	for (size_t i = 0; i < n; i++) {
		double s0 = p[i] / 32768.0 + k * s1 - s2;
		s2 = s1;
		s1 = s0;
	}
	return s1 * s1 + s2 * s2 - k * s1 * s2;
}

static void test_gong(void)
{
	size_t n = 0;
	int16_t *p = gong_synth(GONG_RATE, &n);
	int peak = 0, tail = 0;
	size_t win = GONG_RATE / 5;

	REQUIRE(p);
	CHECK_INT(n, (size_t)(GONG_SECONDS * GONG_RATE));
	for (size_t i = 0; i < n; i++)
		if (abs(p[i]) > peak)
			peak = abs(p[i]);
	CHECK(peak > 0.58 * 32767 && peak <= 0.61 * 32767);
	/* it starts without a click and ends in silence */
	CHECK(abs(p[0]) < 200);
	for (size_t i = n - 10; i < n; i++)
		if (abs(p[i]) > tail)
			tail = abs(p[i]);
	CHECK(tail < 50);
	/* ding (E5) first, dong (C5) after 0.65 s */
	CHECK(energy(p, win, 659.25, GONG_RATE) >
	      10 * energy(p, win, 523.25, GONG_RATE));
	{
		size_t at = (size_t)(0.70 * GONG_RATE);
		CHECK(energy(p + at, win, 523.25, GONG_RATE) >
		      energy(p + at, win, 659.25, GONG_RATE));
	}
	free(p);
	CHECK(gong_synth(100, &n) == NULL);
}

static struct display *board(SDL_Surface **surf)
{
	struct display *d = calloc(1, sizeof *d);
	char err[256];

	*surf = SDL_CreateRGBSurfaceWithFormat(0, DISPLAY_W, DISPLAY_H, 32,
					       SDL_PIXELFORMAT_ARGB8888);
	if (!d || !*surf)
		return NULL;
	d->r = SDL_CreateSoftwareRenderer(*surf);
	d->font = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
	d->font_bold = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf";
	d->text = text_create(d->r, d->font, d->font_bold, err, sizeof err);
	snprintf(d->site_name, sizeof d->site_name, "Test");
	d->dirty = 1;
	return d;
}

static void board_free(struct display *d, SDL_Surface *surf)
{
	widget_destroy(d->root);
	text_destroy(d->text);
	SDL_DestroyRenderer(d->r);
	SDL_FreeSurface(surf);
	free(d);
}

static struct display_call call(const char *id, const char *num,
				const char *ctr)
{
	struct display_call c;

	memset(&c, 0, sizeof c);
	snprintf(c.id, sizeof c.id, "%s", id);
	snprintf(c.number, sizeof c.number, "%s", num);
	snprintf(c.counter, sizeof c.counter, "%s", ctr);
	c.at = (int64_t)time(NULL);
	return c;
}

static const char *text_of(struct display *d, const char *id)
{
	struct widget *w = d->root ? widget_find(d->root, id) : NULL;

	return w && w->text ? w->text : "(none)";
}

static void test_board(void)
{
	SDL_Surface *surf = NULL;
	struct display *d = board(&surf);
	struct display_call c;
	int64_t t = 1000;

	REQUIRE(d && d->text);
	REQUIRE(display__frame(d, t) == 0);
	CHECK(strstr(text_of(d, "call-empty"), "Bitte warten") != NULL);

	c = call("1", "A001", "1");
	display__on_call(d, &c, 0);
	c = call("2", "B001", "Schalter 2");
	display__on_call(d, &c, 0);
	REQUIRE(display__frame(d, t += 16) == 0);
	CHECK_STR(text_of(d, "call-number"), "B001");
	CHECK_STR(text_of(d, "call-counter"), "Schalter 2");
	CHECK_STR(text_of(d, "history-1-number"), "A001");
	CHECK_STR(text_of(d, "history-1-counter"), "Schalter 1");

	/* without speech and gong (NULL): one announcement per phase
	 * cycle, in order */
	CHECK_INT(d->n_waiting, 2);
	for (int i = 0; i < 10; i++)
		REQUIRE(display__frame(d, t += 16) == 0);
	CHECK_INT(d->announced, 2);
	CHECK_STR(d->last_said, "Nummer B 1, bitte zu Schalter 2");

	/* a replay of id 1 is ignored; a recall of A001 moves it up */
	c = call("1", "A001", "1");
	display__on_call(d, &c, 0);
	CHECK_INT(d->n_calls, 2);
	c = call("3", "A001", "1");
	c.recall = 1;
	display__on_call(d, &c, 0);
	REQUIRE(display__frame(d, t += 16) == 0);
	CHECK_INT(d->n_calls, 2);
	CHECK_STR(text_of(d, "call-number"), "A001");
	CHECK_STR(text_of(d, "history-1-number"), "B001");

	/* a stale call is shown, not said; the history is capped */
	c = call("4", "C001", "4");
	display__on_call(d, &c, 1);
	CHECK_INT(d->n_waiting, 1); /* the recall only */
	for (int i = 0; i < 20; i++) {
		char id[8], num[8];

		snprintf(id, sizeof id, "%d", 10 + i);
		snprintf(num, sizeof num, "D%03d", i);
		c = call(id, num, "5");
		display__on_call(d, &c, 0);
	}
	CHECK_INT(d->n_calls, DISPLAY_HISTORY);
	CHECK_INT(d->n_waiting, DISPLAY_ANNOUNCE_MAX);
	{
		struct text *before = d->text;

		/* 24 calls so far (over DISPLAY_TEXT_RENEW): a fresh cache */
		REQUIRE(display__frame(d, t += 16) == 0);
		CHECK(d->text != NULL);
		CHECK(d->text != before);
		CHECK_INT(d->calls_seen, 24);
		CHECK_INT(d->text_renewed, 24);
	}
	CHECK_STR(text_of(d, "call-number"), "D019");
	CHECK_STR(text_of(d, "history-6-number"), "D013");

	/* the reconnecting mark only after DISPLAY_MARK_AFTER_MS */
	d->connected = 0;
	d->down_since = t;
	REQUIRE(display__frame(d, t += 100) == 0);
	CHECK_STR(text_of(d, "reconnecting"), "");
	REQUIRE(display__frame(d, t += DISPLAY_MARK_AFTER_MS) == 0);
	CHECK(strstr(text_of(d, "reconnecting"), "wiederhergestellt") != NULL);
	CHECK_STR(text_of(d, "call-number"), "D019");

	/* calls of an earlier day leave the wall (checked once a minute) */
	d->calls[2].at -= 2 * 86400;
	d->calls[4].at -= 2 * 86400;
	REQUIRE(display__frame(d, t += 60000) == 0);
	CHECK_INT(d->n_calls, DISPLAY_HISTORY - 2);
	CHECK_STR(text_of(d, "history-2-number"), "D016");
	board_free(d, surf);
}

int main(void)
{
	static const struct check_test tests[] = {
		{ "sse_basic", test_sse_basic },
		{ "sse_line_ends", test_sse_line_ends },
		{ "sse_caps", test_sse_caps },
		{ "call_parse", test_call_parse },
		{ "announcement", test_announcement },
		{ "gong", test_gong },
		{ "board", test_board },
		{ NULL, NULL },
	};
	return check_main(tests);
}
