/*
 * bench_ui — the kiosk UI's figures: frame time on the busiest screen,
 * CPU while idle, start to first frame inside the process, peak memory.
 *
 *   bench_ui [FRAMES [IDLE_SECONDS]]        (defaults 1000 and 10)
 *
 * Sets up a session as `buergerkiosk --headless` does (ui/main.c): the
 * example configuration, a software renderer on a 1080×1920 surface, the
 * real worker threads on a fresh kiosk.db in a temporary folder, the
 * virtual printer, the shipped forms and a back-office key so that they
 * are offered. Then, on the real clock:
 *
 *  1. start: from the top of main() to the first frame presented (SDL
 *     renderer, fonts, catalogue, worker start, the welcome screen);
 *  2. the floor: FRAMES clears of the whole 1080×1920 surface;
 *  3. the busiest screen — page 1 of a form with its on-screen keyboard —
 *     in German and in Arabic (mirrored, shaped): FRAMES keystrokes, each
 *     typing or deleting a character through app_text()/app_key() and
 *     drawing the frame that shows it (the time from the key to the
 *     frame presented), and FRAMES full redraws of the unchanged screen;
 *     before them, the fill calls one frame makes and the pixels they
 *     cover (SDL_RenderFillRect wrapped at link time);
 *  4. idle: the welcome screen for IDLE_SECONDS as the headless loop runs
 *     it (a frame every 16 ms): CPU time of the whole process (all
 *     threads, getrusage) and how many frames were redrawn;
 *  5. peak RSS (ru_maxrss) after all of it, which visited the welcome
 *     screen in five languages, services, check-in and form pages in four
 *     keyboard layouts.
 *
 * It prints figures and never fails on them. Cold start of the real
 * binary (exec to first frame, process exit included) is bench_startup's
 * job: bench_startup 30 -- buergerkiosk --headless --script EMPTY.
 */
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "firmware/config.h"
#include "firmware/forms.h"
#include "firmware/i18n.h"
#include "firmware/log.h"
#include "firmware/util.h"
#include "ui/app.h"
#include "ui/text.h"
#include "ui/worker.h"

#define FONT "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
#define FONT_BOLD "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0)
		;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void print_dist(const char *what, double *ms, int n)
{
	qsort(ms, (size_t)n, sizeof *ms, cmp);
	printf("  %-44s median %6.2f ms  p90 %6.2f  p99 %6.2f  max %6.2f"
	       "  (%d frames)\n", what, ms[n / 2], ms[n * 9 / 10],
	       ms[n * 99 / 100], ms[n - 1], n);
}

struct session {
	struct config cfg;
	struct i18n i18n;
	struct forms_list forms;
	char dir[64];
	SDL_Surface *surface;
	SDL_Renderer *r;
	struct text *text;
	struct worker *worker;
	struct app *app;
};

static int frame(struct session *s)
{
	return app_frame(s->app, util_mono_ms());
}

/* Frames until the screen takes presses or is `screen`, as the headless
 * loop would run them. 0, or -1 after 10 s. */
static int settle(struct session *s, const char *screen)
{
	for (int i = 0; i < 1000; i++) {
		if (frame(s) < 0)
			return -1;
		if ((!screen || !strcmp(app_screen_name(s->app->screen),
					screen)) &&
		    !s->app->inflight && app_accepts_input(s->app))
			return 0;
		sleep_ms(10);
	}
	fprintf(stderr, "bench_ui: stuck on %s\n",
		app_screen_name(s->app->screen));
	return -1;
}

/* A tap at the centre of the widget with this id. */
static int tap(struct session *s, const char *id, const char *then)
{
	struct widget *w;
	int x, y;

	if (settle(s, NULL) < 0)
		return -1;
	w = widget_find(s->app->root, id);
	if (!w) {
		fprintf(stderr, "bench_ui: no #%s on %s\n", id,
			app_screen_name(s->app->screen));
		return -1;
	}
	x = w->rect.x + w->rect.w / 2;
	y = w->rect.y + w->rect.h / 2;
	app_pointer(s->app, 1, x, y);
	frame(s);
	app_pointer(s->app, 0, x, y);
	return settle(s, then);
}

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

/* What main() does for --headless, with the data in a new folder. */
static int session_start(struct session *s, const char *keyfile)
{
	char err[512], printer[128];

	if (config_load(&s->cfg, BK_SOURCE_DIR "/assets/site.conf", err,
			sizeof err) < 0)
		goto fail;
	snprintf(printer, sizeof printer, "virtual:%s/printer", s->dir);
	if (config_set(&s->cfg, "printer.uri", printer, err, sizeof err) < 0 ||
	    config_set(&s->cfg, "backoffice.public_key", keyfile, err,
		       sizeof err) < 0 ||
	    config_validate(&s->cfg, err, sizeof err) < 0)
		goto fail;
	i18n_init(&s->i18n, config_i18n_dir(&s->cfg), s->cfg.languages,
		  s->cfg.n_languages);
	s->surface = SDL_CreateRGBSurfaceWithFormat(0, APP_W, APP_H, 32,
						    SDL_PIXELFORMAT_ARGB8888);
	if (s->surface)
		s->r = SDL_CreateSoftwareRenderer(s->surface);
	if (!s->r) {
		snprintf(err, sizeof err, "renderer: %s", SDL_GetError());
		goto fail;
	}
	s->text = text_create(s->r, FONT, FONT_BOLD, err, sizeof err);
	if (!s->text)
		goto fail;
	s->worker = worker_create(&s->cfg, &s->i18n, s->dir,
				  s->cfg.printer_uri);
	if (!s->worker) {
		snprintf(err, sizeof err, "worker");
		goto fail;
	}
	forms_load_dir(forms_dir(&s->cfg), &s->i18n, &s->forms, NULL);
	s->app = app_create(s->r, s->text, &s->cfg, &s->i18n, s->worker, NULL,
			    err, sizeof err);
	if (!s->app)
		goto fail;
	app_set_forms(s->app, &s->forms);
	return frame(s);
fail:
	fprintf(stderr, "bench_ui: %s\n", err);
	return -1;
}

static void session_stop(struct session *s)
{
	app_destroy(s->app);
	worker_destroy(s->worker);
	forms_list_free(&s->forms);
	text_destroy(s->text);
	if (s->r)
		SDL_DestroyRenderer(s->r);
	if (s->surface)
		SDL_FreeSurface(s->surface);
	i18n_free(&s->i18n);
}

/* From WELCOME to page 1 of the first form in lang. */
static int open_form(struct session *s, const char *lang)
{
	char id[WIDGET_ID_MAX];

	if (settle(s, "welcome") < 0)
		return -1;
	snprintf(id, sizeof id, "lang-%s", lang);
	if (tap(s, id, "welcome") < 0 || tap(s, "forms", "forms") < 0)
		return -1;
	if (!s->forms.n) {
		fprintf(stderr, "bench_ui: no forms\n");
		return -1;
	}
	snprintf(id, sizeof id, "form-%s", s->forms.form[0]->id);
	return tap(s, id, "form-page");
}

static void end_session(struct session *s)
{
	app_key(s->app, SDLK_ESCAPE);
	settle(s, "welcome");
}

/* The fill calls of a frame, counted as they reach SDL: bench_ui links
 * with -Wl,--wrap=SDL_RenderFillRect (bench/CMakeLists.txt). */
static long fills;
static double fill_px;

int __wrap_SDL_RenderFillRect(SDL_Renderer *r, const SDL_Rect *rect);
int __real_SDL_RenderFillRect(SDL_Renderer *r, const SDL_Rect *rect);

int __wrap_SDL_RenderFillRect(SDL_Renderer *r, const SDL_Rect *rect)
{
	fills++;
	fill_px += rect ? (double)rect->w * rect->h : (double)APP_W * APP_H;
	return __real_SDL_RenderFillRect(r, rect);
}

/* FRAMES keystrokes on the form page, each drawn; then FRAMES redraws. */
static int bench_form(struct session *s, const char *lang, const char *ch,
		      int n)
{
	double *ms = calloc((size_t)n, sizeof *ms);
	char what[96];

	if (!ms || open_form(s, lang) < 0) {
		free(ms);
		return -1;
	}
	fills = 0;
	fill_px = 0;
	s->app->dirty = 1;
	frame(s);
	printf("  form page 1 (%s): a frame makes %ld fill calls covering "
	       "%.1f screens of pixels\n", lang, fills,
	       fill_px / ((double)APP_W * APP_H));
	/* the typed texts are in the text cache after one round, as on a
	 * kiosk where the same few strings come back */
	for (int i = 0; i < n; i++) {
		double t0 = now_s();
		if (i % 16 < 8)
			app_text(s->app, ch);
		else
			app_key(s->app, SDLK_BACKSPACE);
		if (!s->app->dirty)
			fprintf(stderr, "bench_ui: a keystroke drew nothing\n");
		if (frame(s) < 0)
			break;
		ms[i] = (now_s() - t0) * 1e3;
	}
	snprintf(what, sizeof what, "form page 1 + keyboard (%s), keystroke",
		 lang);
	print_dist(what, ms, n);
	for (int i = 0; i < n; i++) {
		double t0 = now_s();
		s->app->dirty = 1;
		if (frame(s) < 0)
			break;
		ms[i] = (now_s() - t0) * 1e3;
	}
	snprintf(what, sizeof what, "form page 1 + keyboard (%s), redraw",
		 lang);
	print_dist(what, ms, n);
	free(ms);
	end_session(s);
	return 0;
}

/* The floor under every full redraw: one screen's worth of pixels
 * written (the clear at the start of app_draw), and presented. */
static void bench_fill(struct session *s, int n)
{
	double *ms = calloc((size_t)n, sizeof *ms);

	if (!ms)
		return;
	for (int i = 0; i < n; i++) {
		double t0 = now_s();
		SDL_SetRenderDrawColor(s->r, (Uint8)i, 0xf5, 0xf7, 0xff);
		SDL_RenderClear(s->r);
		SDL_RenderPresent(s->r);
		ms[i] = (now_s() - t0) * 1e3;
	}
	print_dist("one full-screen fill (clear + present)", ms, n);
	free(ms);
	s->app->dirty = 1;
}

/* The other busy screens, once each, for the peak RSS. */
static int visit(struct session *s)
{
	static const char *const langs[] = { "de", "en", "tr", "uk", "ar" };

	for (int i = 0; i < 5; i++) {
		char id[16];
		snprintf(id, sizeof id, "lang-%s", langs[i]);
		if (tap(s, id, "welcome") < 0)
			return -1;
	}
	if (tap(s, "start", "services") < 0)
		return -1;
	end_session(s);
	if (tap(s, "checkin", "checkin") < 0)
		return -1;
	end_session(s);
	if (open_form(s, "tr") < 0)
		return -1;
	end_session(s);
	if (open_form(s, "uk") < 0)
		return -1;
	end_session(s);
	return 0;
}

/* The welcome screen left alone, as loop_headless runs it. */
static void bench_idle(struct session *s, int seconds)
{
	int frames = 0, redraws = 0;
	double c0, t0, c, t;

	settle(s, "welcome");
	sleep_ms(500); /* the worker's start-up work is done */
	c0 = cpu_s();
	t0 = now_s();
	while (now_s() - t0 < seconds) {
		redraws += s->app->dirty != 0;
		frame(s);
		frames++;
		sleep_ms(16);
	}
	c = cpu_s() - c0;
	t = now_s() - t0;
	printf("  idle on welcome for %.1f s: CPU %.3f s (%.2f %% of one "
	       "core), %d frames, %d redrawn\n", t, c, 100.0 * c / t, frames,
	       redraws);
}

int main(int argc, char **argv)
{
	double t_main = now_s(), t_first;
	int n = argc > 1 ? atoi(argv[1]) : 1000;
	int idle = argc > 2 ? atoi(argv[2]) : 10;
	char dir[] = "/tmp/bench_ui-XXXXXX", key[128], cmd[160];
	static struct session s;
	struct rusage ru;
	double load[1];
	int rc = 1;

	if (n < 10 || n > 100000)
		n = 1000;
	if (idle < 1 || idle > 600)
		idle = 10;
	log_init("bench_ui", LOG_WARN);
	if (!mkdtemp(dir))
		return 1;
	snprintf(s.dir, sizeof s.dir, "%s/data", dir);
	snprintf(key, sizeof key, "%s/backoffice.pub", dir);
	snprintf(cmd, sizeof cmd, "%s/printer", s.dir);
	if (util_mkdir_p(cmd) < 0 || write_public_key(key) < 0) {
		fprintf(stderr, "bench_ui: setup of %s failed\n", dir);
		goto out;
	}
	/* the key is made before the clock starts: the kiosk reads one */
	t_main = now_s();
	if (session_start(&s, key) < 0)
		goto out;
	t_first = now_s();
	if (getloadavg(load, 1) < 1)
		load[0] = -1;
	printf("bench_ui: 1080x1920 software renderer, %d frames, idle %d s "
	       "(load average %.2f)\n  command:", n, idle, load[0]);
	for (int i = 0; i < argc; i++)
		printf(" %s", argv[i]);
	printf("\n");
	printf("  start to first frame (in process)            %6.1f ms\n",
	       (t_first - t_main) * 1e3);
	bench_fill(&s, n);
	if (bench_form(&s, "de", "a", n) < 0 ||
	    bench_form(&s, "ar", "\u0633", n) < 0 || visit(&s) < 0)
		goto out;
	bench_idle(&s, idle);
	getrusage(RUSAGE_SELF, &ru);
	printf("  peak RSS (ru_maxrss) of the session          %6.1f MiB\n",
	       ru.ru_maxrss / 1024.0);
	rc = 0;
out:
	session_stop(&s);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "bench_ui: could not remove %s\n", dir);
	return rc;
}
