/*
 * display.c — the waiting-room display (display.h): options, the board
 * and its widgets, the announcer, the frame loop.
 *
 *   buergerkiosk --role display --site URL [--ca FILE] [--config FILE]
 *                [--set K=V]... [--window]
 *                [--headless [--script FILE] [--screenshots DIR]]
 *
 * Widget ids (scripts and docs/display.md): site-name, reconnecting
 * (empty while connected), call-title, call-number, call-counter,
 * call-empty (before the first call), history-N-number and
 * history-N-counter for N = 1 … DISPLAY_HISTORY-1 (older calls).
 */
#include "ui/display.h"

#include <curl/curl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "firmware/cli.h"
#include "firmware/config.h"
#include "firmware/log.h"
#include "firmware/util.h"
#include "ui/png.h"
#include "ui/script.h"

#define FONT "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
#define FONT_BOLD "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"

/* The wall's texts, German; one place so they can be translated. */
static const struct {
	const char *title, *empty, *reconnecting, *arrow, *counter;
} T = {
	.title = "Aufgerufen",
	.empty = "Bitte warten Sie, bis Ihre Nummer erscheint.",
	.reconnecting = "Verbindung wird wiederhergestellt …",
	.arrow = "→",
	.counter = "Schalter",
};

/* Colours: dark blue ground, white numbers (a TV across a room). */
static const SDL_Color C_PAGE = { 0x0b, 0x23, 0x45, 0xff };
static const SDL_Color C_HEAD = { 0x06, 0x16, 0x2e, 0xff };
static const SDL_Color C_INK = { 0xff, 0xff, 0xff, 0xff };
static const SDL_Color C_MUTED = { 0xb8, 0xc7, 0xdc, 0xff };
static const SDL_Color C_ACCENT = { 0xff, 0xd4, 0x4d, 0xff };
static const SDL_Color C_LINE = { 0x2a, 0x4a, 0x78, 0xff };

static volatile sig_atomic_t quit;

static void on_signal(int sig)
{
	(void)sig;
	quit = 1;
}

/* ---- the board ---- */

static struct widget *label(struct widget *parent, const char *id, int x,
			    int y, int w, int h, const char *s, int size,
			    int bold, SDL_Color c, enum text_align a)
{
	struct widget *l = widget_create(parent, WIDGET_LABEL, id, x, y, w, h);

	if (!l)
		return NULL;
	l->style = (struct text_style){ .size = size, .bold = bold,
					.color = c, .align = a };
	if (s && widget_set_text(l, s) < 0)
		return NULL;
	return l;
}

/* Shrinks the label's font until its text fits its width. */
static void fit(struct display *d, struct widget *l)
{
	int w = 0, h = 0;

	while (l && l->text && l->style.size > 24 &&
	       text_measure(d->text, l->text, &l->style, &w, &h) == 0 &&
	       w > l->rect.w)
		l->style.size = l->style.size * 9 / 10;
}

/* A counter named only by digits is "Schalter N" on the wall, as it is
 * in the announcement. */
static void counter_label(const char *counter, char *out, size_t len)
{
	size_t k = strspn(counter, "0123456789");

	if (k > 0 && counter[k] == '\0')
		snprintf(out, len, "%s %s", T.counter, counter);
	else
		snprintf(out, len, "%s", counter);
}

static int build(struct display *d)
{
	struct widget *root, *w;
	const char *mark = "";
	char id[32], name[DISPLAY_COUNTER_MAX + 16];
	int ok = 1;

	root = widget_create(NULL, WIDGET_BOX, "screen-display", 0, 0,
			     DISPLAY_W, DISPLAY_H);
	if (!root)
		return -1;
	root->bg = C_PAGE;
	w = widget_create(root, WIDGET_BOX, "header", 0, 0, DISPLAY_W, 140);
	if (w)
		w->bg = C_HEAD;
	ok &= label(root, "site-name", 60, 0, 1100, 140, d->site_name, 56, 1,
		    C_INK, TEXT_LEFT) != NULL;
	if (!d->connected && d->down_since &&
	    d->now - d->down_since >= DISPLAY_MARK_AFTER_MS)
		mark = T.reconnecting;
	ok &= label(root, "reconnecting", 1160, 0, 700, 140, mark, 32, 0,
		    C_MUTED, TEXT_RIGHT) != NULL;
	if (d->n_calls == 0) {
		ok &= label(root, "call-empty", 60, 300, DISPLAY_W - 120, 300,
			    T.empty, 72, 0, C_INK, TEXT_CENTER) != NULL;
	} else {
		ok &= label(root, "call-title", 60, 170, DISPLAY_W - 120, 80,
			    T.title, 48, 0, C_MUTED, TEXT_CENTER) != NULL;
		w = label(root, "call-number", 60, 250, 780, 400,
			  d->calls[0].number, 300, 1, C_ACCENT, TEXT_RIGHT);
		fit(d, w);
		ok &= w != NULL;
		ok &= label(root, "call-arrow", 860, 250, 170, 400, T.arrow,
			    200, 1, C_INK, TEXT_CENTER) != NULL;
		counter_label(d->calls[0].counter, name, sizeof name);
		w = label(root, "call-counter", 1040, 250, 820, 400, name, 160,
			  1, C_INK, TEXT_LEFT);
		fit(d, w);
		ok &= w != NULL;
	}
	w = widget_create(root, WIDGET_BOX, "history-line", 60, 700,
			  DISPLAY_W - 120, 4);
	if (w)
		w->bg = C_LINE;
	for (int i = 1; i < d->n_calls; i++) {
		/* three columns, two rows of older calls */
		int col = (i - 1) % 3, row = (i - 1) / 3;
		int x = 60 + col * 600, y = 740 + row * 150;

		snprintf(id, sizeof id, "history-%d-number", i);
		w = label(root, id, x, y, 240, 140, d->calls[i].number, 96, 1,
			  C_INK, TEXT_RIGHT);
		fit(d, w);
		ok &= w != NULL;
		snprintf(id, sizeof id, "history-%d-counter", i);
		counter_label(d->calls[i].counter, name, sizeof name);
		w = label(root, id, x + 270, y, 320, 140, name, 56, 0, C_MUTED,
			  TEXT_LEFT);
		fit(d, w);
		ok &= w != NULL;
	}
	if (!ok) {
		widget_destroy(root);
		return -1;
	}
	widget_destroy(d->root);
	d->root = root;
	return 0;
}

/* ---- calls and the announcer ---- */

void display__on_call(struct display *d, const struct display_call *c,
		      int stale)
{
	int i;
	char say[DISPLAY_SAY_MAX];

	/* a replay of a call already on the board: the same event id and
	 * number (both, so a daemon whose journal started again is heard) */
	for (i = 0; c->id[0] && i < d->n_calls; i++)
		if (!strcmp(d->calls[i].id, c->id) &&
		    !strcmp(d->calls[i].number, c->number))
			return;
	d->calls_seen++;
	/* the same number again (a recall) moves to the top */
	for (i = 0; i < d->n_calls; i++)
		if (!strcmp(d->calls[i].number, c->number))
			break;
	if (i == d->n_calls && d->n_calls < DISPLAY_HISTORY)
		d->n_calls++;
	if (i == d->n_calls)
		i = d->n_calls - 1;
	memmove(&d->calls[1], &d->calls[0], (size_t)i * sizeof d->calls[0]);
	d->calls[0] = *c;
	d->dirty = 1;
	if (c->at > 0) {
		struct timespec ts;
		int64_t ms;

		/* how long after the daemon's commit the wall has it (the
		 * clocks of both machines count: keep them synchronised) */
		clock_gettime(CLOCK_REALTIME, &ts);
		ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 -
		     (c->at * 1000 + c->at_ms);
		log_info("display", "call %s to %s%s%s, %lld ms after the call",
			 c->number, c->counter, c->recall ? " (recall)" : "",
			 stale ? " (replayed, silent)" : "", (long long)ms);
	} else {
		log_info("display", "call %s to %s%s%s", c->number, c->counter,
			 c->recall ? " (recall)" : "",
			 stale ? " (replayed, silent)" : "");
	}
	if (stale || display_announcement(c, say, sizeof say) < 0)
		return;
	if (d->n_waiting == DISPLAY_ANNOUNCE_MAX) {
		/* the oldest waiting sentence gives way; the wall shows it */
		memmove(d->waiting[0], d->waiting[1],
			(DISPLAY_ANNOUNCE_MAX - 1) * sizeof d->waiting[0]);
		d->n_waiting--;
	}
	snprintf(d->waiting[d->n_waiting++], DISPLAY_SAY_MAX, "%s", say);
}

static void announce(struct display *d)
{
	switch (d->phase) {
	case DISPLAY_IDLE:
		if (d->n_waiting == 0 || speech_busy(d->speech))
			return;
		gong_play(d->gong);
		d->phase = DISPLAY_GONG;
		d->phase_at = d->now;
		return;
	case DISPLAY_GONG:
		/* SDL may take a moment to start taking the queue */
		if (gong_busy(d->gong) || (gong_available(d->gong) &&
					   d->now - d->phase_at < 100))
			return;
		speech_say_queued(d->speech, "de", d->waiting[0]);
		snprintf(d->last_said, sizeof d->last_said, "%s",
			 d->waiting[0]);
		d->announced++;
		log_info("display", "announcement %llu queued",
			 (unsigned long long)d->announced);
		memmove(d->waiting[0], d->waiting[1],
			(DISPLAY_ANNOUNCE_MAX - 1) * sizeof d->waiting[0]);
		d->n_waiting--;
		d->phase = DISPLAY_SPEAK;
		d->phase_at = d->now;
		return;
	case DISPLAY_SPEAK:
		if (speech_busy(d->speech))
			return;
		d->phase = DISPLAY_IDLE;
		return;
	}
}

static int is_stale(const struct display_call *c)
{
	time_t now = time(NULL);

	/* a call without a time is taken as new */
	return c->at > 0 && (int64_t)now - c->at > DISPLAY_STALE_S;
}

/* Yesterday's calls leave the wall when the local day changes (the
 * daemon's numbers start again each day). Checked once a minute. */
static void drop_old_days(struct display *d, int64_t now_ms)
{
	time_t now = time(NULL);
	struct tm today, then;
	int k = 0;

	if (d->day_checked && now_ms - d->day_checked < 60000)
		return;
	d->day_checked = now_ms;
	localtime_r(&now, &today);
	for (int i = 0; i < d->n_calls; i++) {
		time_t at = (time_t)d->calls[i].at;

		localtime_r(&at, &then);
		if (d->calls[i].at > 0 && (then.tm_year != today.tm_year ||
					   then.tm_yday != today.tm_yday))
			continue;
		d->calls[k++] = d->calls[i];
	}
	if (k != d->n_calls) {
		log_info("display", "%d calls of an earlier day cleared",
			 d->n_calls - k);
		d->n_calls = k;
		d->dirty = 1;
	}
}

/* The text cache keeps up to TEXT_CACHE_MAX textures, and every new
 * number on the wall is a new ~1 MB one (300 px, software renderer): a
 * fresh cache every DISPLAY_TEXT_RENEW calls bounds the memory (~130 MB
 * after 100 calls without it). Opening the fonts again takes a few ms. */
static void renew_text(struct display *d)
{
	struct text *t;
	char err[256];

	if (d->calls_seen - d->text_renewed < DISPLAY_TEXT_RENEW)
		return;
	d->text_renewed = d->calls_seen;
	t = text_create(d->r, d->font, d->font_bold, err, sizeof err);
	if (!t)
		return; /* keep the old one */
	text_destroy(d->text);
	d->text = t;
	d->dirty = 1;
}

int display__frame(struct display *d, int64_t now_ms)
{
	struct display_msg m[16];
	int n, mark_was, mark_now;

	mark_was = !d->connected && d->down_since &&
		   d->now - d->down_since >= DISPLAY_MARK_AFTER_MS;
	d->now = now_ms;
	while (d->net && (n = display__net_take(d->net, m, 16)) > 0) {
		for (int i = 0; i < n; i++) {
			switch (m[i].kind) {
			case DISPLAY_MSG_UP:
				d->connected = 1;
				d->down_since = 0;
				d->dirty = 1;
				log_info("display", "connected");
				break;
			case DISPLAY_MSG_DOWN:
				d->connected = 0;
				if (!d->down_since)
					d->down_since = now_ms;
				break;
			case DISPLAY_MSG_CALL:
				display__on_call(d, &m[i].call,
						 is_stale(&m[i].call));
				break;
			}
		}
	}
	drop_old_days(d, now_ms);
	renew_text(d);
	mark_now = !d->connected && d->down_since &&
		   now_ms - d->down_since >= DISPLAY_MARK_AFTER_MS;
	if (mark_now != mark_was)
		d->dirty = 1;
	announce(d);
	if (!d->dirty)
		return 0;
	if (build(d) < 0)
		return -1;
	d->dirty = 0;
	SDL_SetRenderDrawColor(d->r, 0, 0, 0, 255);
	SDL_RenderClear(d->r);
	widget_draw(d->root, d->r, d->text);
	SDL_RenderPresent(d->r);
	return 0;
}

int display__screenshot(struct display *d, const char *path, char *err,
			size_t errlen)
{
	SDL_SetRenderDrawColor(d->r, 0, 0, 0, 255);
	SDL_RenderClear(d->r);
	if (d->root)
		widget_draw(d->root, d->r, d->text);
	return uipng_write_renderer(d->r, path, err, errlen);
}

/* ---- the program ---- */

struct opts {
	const char *site, *ca, *script, *shots;
	int headless, fullscreen;
};

static void usage(FILE *f)
{
	fprintf(f, "usage: buergerkiosk --role display --site URL [--ca FILE] "
		   "[--config FILE] [--set K=V]...\n"
		   "                    [--window] [--headless [--script "
		   "FILE] [--screenshots DIR]]\n");
}

/* The display's options; the shared ones (cli.h) are taken here too, in
 * any place, since "--role display" comes before them. */
static int parse_opts(struct opts *o, struct cli_common *cli, int argc,
		      char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		int more = i + 1 < argc;

		if (!strcmp(a, "--role") && more)
			i++; /* "display": main.c sent us here */
		else if (!strcmp(a, "--config") && more)
			cli->config_path = argv[++i];
		else if (!strcmp(a, "--set") && more) {
			if (cli_add_set(cli, argv[++i]) < 0)
				return -1;
		} else if (!strcmp(a, "--data-dir") && more)
			i++; /* the display keeps no data */
		else if (!strcmp(a, "--site") && more)
			o->site = argv[++i];
		else if (!strcmp(a, "--ca") && more)
			o->ca = argv[++i];
		else if (!strcmp(a, "--script") && more)
			o->script = argv[++i];
		else if (!strcmp(a, "--screenshots") && more)
			o->shots = argv[++i];
		else if (!strcmp(a, "--headless"))
			o->headless = 1;
		else if (!strcmp(a, "--fullscreen"))
			o->fullscreen = 1;
		else if (!strcmp(a, "--window"))
			o->fullscreen = 0;
		else {
			fprintf(stderr, "buergerkiosk: unknown option %s\n", a);
			usage(stderr);
			return -1;
		}
	}
	if (!o->site) {
		fprintf(stderr, "buergerkiosk: --role display needs --site URL\n");
		return -1;
	}
	if (o->script && !o->headless) {
		fprintf(stderr, "buergerkiosk: --script needs --headless\n");
		return -1;
	}
	return 0;
}

struct video {
	SDL_Window *win;
	SDL_Surface *surface;
	SDL_Renderer *r;
	int sdl_inited;
};

static int video_open(struct video *v, const struct opts *o)
{
	if (o->headless) {
		v->surface = SDL_CreateRGBSurfaceWithFormat(
			0, DISPLAY_W, DISPLAY_H, 32, SDL_PIXELFORMAT_ARGB8888);
		if (v->surface)
			v->r = SDL_CreateSoftwareRenderer(v->surface);
		return v->r ? 0 : -1;
	}
	SDL_SetHint(SDL_HINT_NO_SIGNAL_HANDLERS, "1");
	SDL_SetHint(SDL_HINT_RENDER_SCALE_QUALITY, "linear");
	if (SDL_Init(SDL_INIT_VIDEO) < 0)
		return -1;
	v->sdl_inited = 1;
	v->win = SDL_CreateWindow("Bürgerkiosk – Aufruf", SDL_WINDOWPOS_CENTERED,
				  SDL_WINDOWPOS_CENTERED, DISPLAY_W / 2,
				  DISPLAY_H / 2,
				  SDL_WINDOW_RESIZABLE |
				  (o->fullscreen ? SDL_WINDOW_FULLSCREEN_DESKTOP
						 : 0));
	if (v->win)
		v->r = SDL_CreateRenderer(v->win, -1, SDL_RENDERER_SOFTWARE);
	if (!v->r || SDL_RenderSetLogicalSize(v->r, DISPLAY_W, DISPLAY_H) < 0)
		return -1;
	if (o->fullscreen)
		SDL_ShowCursor(SDL_DISABLE);
	return 0;
}

static void video_close(struct video *v)
{
	if (v->r)
		SDL_DestroyRenderer(v->r);
	if (v->win)
		SDL_DestroyWindow(v->win);
	if (v->surface)
		SDL_FreeSurface(v->surface);
	if (v->sdl_inited)
		SDL_Quit();
}

static int loop(struct display *d, int headless)
{
	struct timespec ts = { 0, 16 * 1000000L };
	SDL_Event e;

	while (!quit) {
		if (!headless) {
			while (SDL_PollEvent(&e)) {
				if (e.type == SDL_QUIT)
					quit = 1;
				else if (e.type == SDL_WINDOWEVENT)
					d->dirty = 1;
			}
		}
		if (display__frame(d, util_mono_ms()) < 0)
			return 1;
		nanosleep(&ts, NULL);
	}
	return 0;
}

static int load_script(struct script *s, const char *path)
{
	char err[512];
	size_t len = 0;
	char *text = util_read_file(path, SCRIPT_FILE_MAX, &len);
	int rc;

	if (!text) {
		fprintf(stderr, "%s: cannot read (missing or too large)\n", path);
		return -1;
	}
	rc = script_parse(s, path, text, len, err, sizeof err);
	free(text);
	if (rc < 0)
		fprintf(stderr, "%s\n", err);
	return rc;
}

int display_main(int argc, char **argv)
{
	struct cli_common cli = { 0 };
	struct opts o = { .fullscreen = 1 }; /* a TV: fullscreen by default */
	struct script script = { 0 };
	struct config cfg;
	struct video v = { 0 };
	struct display *d = NULL;
	char err[512];
	int rc = 2;

	log_init("buergerkiosk", LOG_INFO);
	if (parse_opts(&o, &cli, argc, argv) < 0)
		return 2;
	if (o.script && load_script(&script, o.script) < 0)
		return 2;
	if (o.shots && util_mkdir_p(o.shots) < 0) {
		fprintf(stderr, "buergerkiosk: cannot create %s\n", o.shots);
		goto out;
	}
	/* the site name only; a broken file is logged, the wall goes on */
	if (cli_load_config(&cli, &cfg, err, sizeof err) < 0) {
		log_warn("config", "%s", err);
		config_defaults(&cfg);
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	rc = 1;
	d = calloc(1, sizeof *d);
	if (!d || video_open(&v, &o) < 0) {
		log_error("display", "video: %s",
			  d ? SDL_GetError() : "out of memory");
		goto out;
	}
	d->r = v.r;
	d->dirty = 1;
	snprintf(d->site_name, sizeof d->site_name, "%s",
		 cfg.site_name[0] ? cfg.site_name : "Bürgerbüro");
	d->font = FONT;
	d->font_bold = FONT_BOLD;
	d->text = text_create(v.r, FONT, FONT_BOLD, err, sizeof err);
	if (!d->text) {
		log_error("display", "fonts: %s", err);
		goto out;
	}
	/* headless runs stay silent unless asked (BK_SPEECH=1), as the
	 * kiosk's; the announcer runs all the same (assert-spoken) */
	if (!o.headless || getenv("BK_SPEECH")) {
		/* one audio device for the gong and the sentence (a bare
		 * ALSA hw device or SDL's dummy driver allow only one) */
		d->speech = speech_create(NULL);
		speech_set_enabled(d->speech, 1);
		d->gong = gong_create(d->speech);
	}
	d->net = display__net_start(o.site, o.ca, err, sizeof err);
	if (!d->net) {
		fprintf(stderr, "buergerkiosk: %s\n", err);
		rc = 2;
		goto out;
	}
	log_info("display", "buergerkiosk %s display for %s", BK_VERSION,
		 o.site);
	if (o.script)
		rc = display__script_run(d, &script, o.shots,
					 (volatile int *)&quit);
	else
		rc = loop(d, o.headless);
out:
	if (d) {
		struct speech_stats ss = { 0 };

		speech_get_stats(d->speech, &ss);
		log_info("display", "stopped: %llu calls shown, %llu "
			 "announcements, %llu gongs, %llu spoken by espeak-ng",
			 (unsigned long long)d->calls_seen,
			 (unsigned long long)d->announced,
			 (unsigned long long)gong_plays(d->gong),
			 (unsigned long long)ss.started);
		display__net_stop(d->net);
		gong_destroy(d->gong);
		speech_destroy(d->speech);
		widget_destroy(d->root);
		text_destroy(d->text);
		free(d);
	}
	video_close(&v);
	script_free(&script);
	curl_global_cleanup();
	return rc;
}
