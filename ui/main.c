/*
 * main.c — buergerkiosk, the citizen UI: options, setup, the event loop.
 *
 *   buergerkiosk [--config FILE] [--data-dir DIR] [--set K=V]...
 *                [--printer URI] [--fullscreen]
 *                [--headless] [--script FILE] [--screenshots DIR]
 *
 * Windowed: a portrait window scaled to fit the screen (logical size
 * 1080×1920), or --fullscreen on a kiosk. Headless: no SDL video at all;
 * a software renderer draws on a 1080×1920 surface, and --script drives
 * it (exit 1 on a failed assertion, 2 on a syntax error).
 *
 * A configuration error does not stop the program: the kiosk shows the
 * out-of-service screen naming it. This file does NOT lay out screens or
 * handle the session (app.c), nor touch the store (worker.c).
 */
#include <SDL.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "firmware/cli.h"
#include "firmware/forms.h"
#include "firmware/log.h"
#include "firmware/util.h"
#include "ui/app.h"
#include "ui/input.h"
#include "ui/display.h"
#include "firmware/i18n.h"
#include "ui/script.h"
#include "ui/text.h"
#include "ui/worker.h"

#define DEFAULT_FONT "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
#define DEFAULT_FONT_BOLD "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"

struct opts {
	const char *printer;
	const char *script;
	const char *shots;
	int headless, fullscreen;
};

static volatile sig_atomic_t quit;

static void on_signal(int sig)
{
	(void)sig;
	quit = 1;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: buergerkiosk [--config FILE] [--data-dir DIR] "
		"[--set KEY=VALUE]...\n"
		"                    [--printer URI] [--fullscreen] "
		"[--headless [--script FILE] [--screenshots DIR]]\n");
}

static int parse_opts(struct opts *o, int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		int more = i + 1 < argc;
		if (!strcmp(a, "--headless"))
			o->headless = 1;
		else if (!strcmp(a, "--fullscreen"))
			o->fullscreen = 1;
		else if (!strcmp(a, "--printer") && more)
			o->printer = argv[++i];
		else if (!strcmp(a, "--script") && more)
			o->script = argv[++i];
		else if (!strcmp(a, "--screenshots") && more)
			o->shots = argv[++i];
		else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout);
			exit(0);
		} else {
			fprintf(stderr, "buergerkiosk: unknown option %s\n", a);
			usage(stderr);
			return -1;
		}
	}
	if (o->script && !o->headless) {
		fprintf(stderr, "buergerkiosk: --script needs --headless\n");
		return -1;
	}
	return 0;
}

/* 0, or 2 after printing why (a syntax error is the script's fault). */
static int load_script(struct script *s, const char *path)
{
	char err[512];
	size_t len = 0;
	char *text = util_read_file(path, SCRIPT_FILE_MAX, &len);
	int rc;

	if (!text) {
		fprintf(stderr, "%s: cannot read (missing or too large)\n",
			path);
		return 2;
	}
	rc = script_parse(s, path, text, len, err, sizeof err);
	free(text);
	if (rc < 0) {
		fprintf(stderr, "%s\n", err);
		return 2;
	}
	return 0;
}

/* The configuration; on error the defaults and the message in oos. */
static void load_config(struct cli_common *cli, struct config *cfg,
			char *oos, size_t ooslen)
{
	oos[0] = '\0';
	if (cli_load_config(cli, cfg, oos, ooslen) == 0 &&
	    config_validate(cfg, oos, ooslen) == 0)
		return;
	log_error("config", "%s", oos);
	config_defaults(cfg);
	if (!cfg->site_name[0])
		snprintf(cfg->site_name, sizeof cfg->site_name, "Bürgerkiosk");
}

static void load_i18n(struct i18n *in, const struct config *cfg)
{
	static const char fallback[2][8] = { "de", "en" };
	const char *dir = config_i18n_dir(cfg);

	if (cfg->n_languages > 0)
		i18n_init(in, dir, cfg->languages, cfg->n_languages);
	else
		i18n_init(in, dir, fallback, 2);
}

struct video {
	SDL_Window *win;
	SDL_Surface *surface;
	SDL_Renderer *r;
	int sdl_inited;
};

static int video_headless(struct video *v, char *err, size_t errlen)
{
	v->surface = SDL_CreateRGBSurfaceWithFormat(0, APP_W, APP_H, 32,
						    SDL_PIXELFORMAT_ARGB8888);
	if (v->surface)
		v->r = SDL_CreateSoftwareRenderer(v->surface);
	if (!v->r) {
		snprintf(err, errlen, "software renderer: %s", SDL_GetError());
		return -1;
	}
	return 0;
}

static int video_window(struct video *v, int fullscreen, char *err,
			size_t errlen)
{
	SDL_Rect b = { 0, 0, APP_W / 2, APP_H / 2 };
	Uint32 flags = fullscreen ? SDL_WINDOW_FULLSCREEN_DESKTOP : 0;
	double scale;

	SDL_SetHint(SDL_HINT_NO_SIGNAL_HANDLERS, "1");
	/* touches come as finger events; SDL need not make mouse events
	 * of them (ui/input.c drops them anyway) */
	SDL_SetHint(SDL_HINT_TOUCH_MOUSE_EVENTS, "0");
	SDL_SetHint(SDL_HINT_MOUSE_TOUCH_EVENTS, "0");
	SDL_SetHint(SDL_HINT_RENDER_SCALE_QUALITY, "linear");
	if (SDL_Init(SDL_INIT_VIDEO) < 0) {
		snprintf(err, errlen, "SDL video: %s", SDL_GetError());
		return -1;
	}
	v->sdl_inited = 1;
	SDL_GetDisplayUsableBounds(0, &b);
	scale = (double)b.w / APP_W < (double)b.h / APP_H
			? (double)b.w / APP_W
			: (double)b.h / APP_H;
	if (scale > 1.0)
		scale = 1.0;
	v->win = SDL_CreateWindow("Bürgerkiosk", SDL_WINDOWPOS_CENTERED,
				  SDL_WINDOWPOS_CENTERED,
				  (int)(APP_W * scale), (int)(APP_H * scale),
				  flags | SDL_WINDOW_RESIZABLE);
	if (v->win)
		v->r = SDL_CreateRenderer(v->win, -1, SDL_RENDERER_SOFTWARE);
	if (!v->r || SDL_RenderSetLogicalSize(v->r, APP_W, APP_H) < 0) {
		snprintf(err, errlen, "window: %s", SDL_GetError());
		return -1;
	}
	if (fullscreen)
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

static void handle_event(struct input *in, struct app *app, SDL_Window *win,
			 const SDL_Event *e)
{
	if (e->type == SDL_QUIT)
		quit = 1;
	else
		input_event(in, app, win, e);
}

static int loop_window(struct app *app, SDL_Window *win)
{
	struct input in;
	SDL_Event e;

	input_init(&in);
	while (!quit) {
		if (SDL_WaitEventTimeout(&e, 16)) {
			handle_event(&in, app, win, &e);
			while (SDL_PollEvent(&e))
				handle_event(&in, app, win, &e);
		}
		if (app_frame(app, util_mono_ms()) < 0)
			return 1;
	}
	return 0;
}

static int loop_headless(struct app *app)
{
	struct timespec ts = { 0, 16 * 1000000L };

	while (!quit) {
		if (app_frame(app, util_mono_ms()) < 0)
			return 1;
		nanosleep(&ts, NULL);
	}
	return 0;
}

static void log_start(const struct config *cfg, const struct opts *o,
		      const char *oos)
{
	log_info("ui", "buergerkiosk %s starting: site '%s', %d services, "
		 "%s, %s", BK_VERSION, cfg->site_id, cfg->n_services,
		 o->headless ? "headless" : o->fullscreen ? "fullscreen"
							  : "windowed",
		 oos[0] ? "out of service" : "in service");
}

int main(int argc, char **argv)
{
	static char printer_set[CONFIG_PATH_MAX + 32];
	struct cli_common cli = { 0 };
	struct opts o = { 0 };
	struct script script = { 0 };
	struct config cfg;
	struct i18n i18n;
	struct video v = { 0 };
	struct text *text = NULL;
	struct worker *worker = NULL;
	struct app *app = NULL;
	struct forms_list forms = { 0 };
	struct speech *speech = NULL;
	struct app_card *card = NULL;
	char oos[CONFIG_ERR_MAX], err[512];
	int rc = 2;

	/* the waiting-room display (ui/display.h) has its own options */
	for (int i = 1; i + 1 < argc; i++)
		if (!strcmp(argv[i], "--role") &&
		    !strcmp(argv[i + 1], "display"))
			return display_main(argc, argv);
	log_init("buergerkiosk", LOG_INFO);
	if (cli_parse_common(&cli, &argc, &argv) < 0 ||
	    parse_opts(&o, argc, argv) < 0)
		return 2;
	if (o.printer) {
		snprintf(printer_set, sizeof printer_set, "printer.uri=%s",
			 o.printer);
		if (cli_add_set(&cli, printer_set) < 0)
			return 2;
	}
	if (!cli.data_dir[0])
		cli_default_data_dir(cli.data_dir, sizeof cli.data_dir);
	if (o.script && load_script(&script, o.script) != 0)
		return 2;
	if (o.shots && util_mkdir_p(o.shots) < 0) {
		fprintf(stderr, "buergerkiosk: cannot create %s\n", o.shots);
		script_free(&script);
		return 2;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);

	load_config(&cli, &cfg, oos, sizeof oos);
	load_i18n(&i18n, &cfg);
	rc = 1;
	if ((o.headless ? video_headless(&v, err, sizeof err)
			: video_window(&v, o.fullscreen, err, sizeof err)) < 0)
		goto fail;
	text = text_create(v.r, cfg.font[0] ? cfg.font : DEFAULT_FONT,
			   cfg.font_bold[0] ? cfg.font_bold : DEFAULT_FONT_BOLD,
			   err, sizeof err);
	if (!text && (strcmp(cfg.font, DEFAULT_FONT) ||
		      strcmp(cfg.font_bold, DEFAULT_FONT_BOLD))) {
		/* a wrong font path is a configuration error: say so on a
		 * screen drawn with the fonts Debian ships */
		if (!oos[0] && util_fmt(oos, sizeof oos, "%s: kiosk.font: %s",
					cfg.path, err) < 0)
			util_fmt(oos, sizeof oos, "kiosk.font: %s", err);
		text = text_create(v.r, DEFAULT_FONT, DEFAULT_FONT_BOLD, err,
				   sizeof err);
	}
	if (!text)
		goto fail;
	if (!oos[0]) {
		worker = worker_create(&cfg, &i18n, cli.data_dir, cfg.printer_uri);
		if (!worker)
			snprintf(oos, sizeof oos, "cannot start worker thread");
	}
	log_start(&cfg, &o, oos);
	/* a broken form file is logged and skipped; the others are offered */
	if (!oos[0] && forms_load_dir(forms_dir(&cfg), &i18n, &forms, NULL) !=
			       BK_OK)
		log_warn("forms", "no forms: %s cannot be read",
			 forms_dir(&cfg));
	app = app_create(v.r, text, &cfg, &i18n, worker, oos[0] ? oos : NULL,
			 err, sizeof err);
	if (!app)
		goto fail;
	app_set_forms(app, &forms);
	/* the ID card reader: optional; without it the card flows are not
	 * offered (card.reader empty turns it off) */
	if (!oos[0] && cfg.card_reader[0]) {
		char cerr[256];
		card = app_card_create(cfg.card_reader, cfg.card_csca_dir, cerr,
				       sizeof cerr);
		if (!card)
			log_warn("card", "no ID card reader: %s", cerr);
		app_set_card(app, card);
	}
	/* headless runs stay silent unless asked (BK_SPEECH=1): scripts
	 * check what would be said (assert-spoken) */
	if (!o.headless || getenv("BK_SPEECH")) {
		speech = speech_create(NULL);
		app_set_speech(app, speech);
	}
	if (o.script)
		rc = script_run(&script, app, o.shots, (volatile int *)&quit);
	else
		rc = o.headless ? loop_headless(app) : loop_window(app, v.win);
	goto out;
fail:
	log_error("ui", "%s", err);
out:
	app_destroy(app);
	app_card_destroy(card);
	speech_destroy(speech);
	worker_destroy(worker);
	forms_list_free(&forms); /* after the worker: a submission reads it */
	text_destroy(text);
	video_close(&v);
	i18n_free(&i18n);
	script_free(&script);
	log_info("ui", "buergerkiosk stopped");
	return rc;
}
