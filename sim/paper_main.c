/*
 * paper_main.c — kiosk-paper, the simulator's window onto the virtual
 * printer: the newest job-NNNNNN.png of a virtual:DIR printer drawn as the
 * strip of paper that would come out, its job number and time beneath,
 * older jobs a key press or a wheel turn away, and the FAULT switch as a
 * red banner.
 *
 *   kiosk-paper --dir DIR [--size WxH]
 *   kiosk-paper --dir DIR --headless --snapshot FILE [--size WxH]
 *
 * The folder is polled every POLL_MS; the printer renames a finished PNG
 * into place, so a half-written one is never seen, and one that still does
 * not load is retried at the next poll. The window is redrawn only when
 * something changed. --headless draws once with SDL's software renderer on
 * a surface (no display needed) and writes the picture to FILE.
 *
 * It is NOT part of the firmware: it only reads the folder (see paper.h),
 * never prints, and is not the kiosk's UI (it uses nothing of ui/).
 */
#include "firmware/log.h"
#include "firmware/util.h"
#include "sim/paper.h"
#include "ui/png.h"

#include <SDL.h>
#include <SDL_ttf.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define POLL_MS 250
#define MAX_JOBS 1000 /* the newest this many are reachable */
#define DEFAULT_W 480
#define DEFAULT_H 820
#define BANNER_H 52
#define FOOTER_H 64
#define GAP 14
#define PAPER_MARGIN 24 /* dots of blank paper beside the printed area */

static const char *const regular_fonts[] = {
	"/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
	"/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
};
static const char *const bold_fonts[] = {
	"/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
	"/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf",
};

static const SDL_Color c_desk = { 0x26, 0x29, 0x2e, 0xff };
static const SDL_Color c_shadow = { 0x12, 0x13, 0x16, 0xff };
static const SDL_Color c_text = { 0xee, 0xee, 0xee, 0xff };
static const SDL_Color c_dim = { 0x9a, 0xa0, 0xa8, 0xff };
static const SDL_Color c_fault = { 0xc6, 0x28, 0x28, 0xff };
static const SDL_Color c_white = { 0xff, 0xff, 0xff, 0xff };

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

struct opts {
	const char *dir;
	const char *snapshot;
	int headless;
	int w, h;
};

struct viewer {
	const char *dir;
	SDL_Renderer *r;
	TTF_Font *font, *bold, *big;

	struct paper_job jobs[MAX_JOBS];
	int n_jobs;
	unsigned sel_num; /* the job shown; 0 = none */
	int follow;       /* jump to each new job (the newest is shown) */
	enum paper_fault fault;

	struct paper_image img; /* sel_num's picture, when loaded */
	unsigned img_num;
	char img_err[256];
	SDL_Texture *tex; /* img scaled to tex_w x tex_h */
	int tex_w, tex_h;
	int dirty;
};

static int parse_opts(struct opts *o, int argc, char **argv)
{
	o->w = DEFAULT_W;
	o->h = DEFAULT_H;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--headless")) {
			o->headless = 1;
			continue;
		}
		if (!strcmp(a, "-h") || !strcmp(a, "--help"))
			goto usage;
		if (!v)
			goto usage;
		if (!strcmp(a, "--dir"))
			o->dir = v;
		else if (!strcmp(a, "--snapshot"))
			o->snapshot = v;
		else if (!strcmp(a, "--size")) {
			if (sscanf(v, "%dx%d", &o->w, &o->h) != 2 || o->w < 200 ||
			    o->h < 240 || o->w > 4096 || o->h > 4096)
				goto usage;
		} else
			goto usage;
		i++;
	}
	if (!o->dir || (o->headless != !!o->snapshot))
		goto usage;
	return 0;
usage:
	fprintf(stderr, "usage: kiosk-paper --dir DIR [--size WxH]\n"
			"       kiosk-paper --dir DIR --headless --snapshot "
			"FILE.png [--size WxH]\n");
	return -1;
}

static TTF_Font *open_font(const char *const *paths, size_t n, int pt)
{
	for (size_t i = 0; i < n; i++) {
		TTF_Font *f = TTF_OpenFont(paths[i], pt);
		if (f)
			return f;
	}
	return NULL;
}

static void set_color(SDL_Renderer *r, SDL_Color c)
{
	SDL_SetRenderDrawColor(r, c.r, c.g, c.b, c.a);
}

/* Draws text with its left edge at x, or centred on x when centre is set;
 * the text's width, or 0 when there is no font or nothing was drawn. */
static int draw_text(struct viewer *v, TTF_Font *f, const char *s, int x,
		     int y, SDL_Color c, int centre)
{
	SDL_Surface *s_txt;
	SDL_Texture *t;
	SDL_Rect d;

	if (!f || !*s)
		return 0;
	s_txt = TTF_RenderUTF8_Blended(f, s, c);
	if (!s_txt)
		return 0;
	t = SDL_CreateTextureFromSurface(v->r, s_txt);
	d = (SDL_Rect){ centre ? x - s_txt->w / 2 : x, y, s_txt->w, s_txt->h };
	SDL_FreeSurface(s_txt);
	if (!t)
		return 0;
	SDL_RenderCopy(v->r, t, NULL, &d);
	SDL_DestroyTexture(t);
	return d.w;
}

static int text_width(TTF_Font *f, const char *s)
{
	int w = 0;

	if (f)
		TTF_SizeUTF8(f, s, &w, NULL);
	return w;
}

static int job_index(const struct viewer *v, unsigned num)
{
	for (int i = v->n_jobs - 1; i >= 0; i--)
		if (v->jobs[i].num == num)
			return i;
	return -1;
}

static void drop_image(struct viewer *v)
{
	paper_image_free(&v->img);
	v->img_num = 0;
	if (v->tex)
		SDL_DestroyTexture(v->tex);
	v->tex = NULL;
	v->tex_w = v->tex_h = 0;
}

/* Loads the selected job's picture unless it is loaded; a failure is
 * remembered and retried at the next poll. */
static void load_selected(struct viewer *v)
{
	char path[4200];

	if (!v->sel_num || v->img_num == v->sel_num)
		return;
	drop_image(v);
	v->dirty = 1;
	if (util_fmt(path, sizeof path, "%s/job-%06u.png", v->dir,
		     v->sel_num) < 0) {
		snprintf(v->img_err, sizeof v->img_err, "path too long");
		return;
	}
	if (paper_image_load(&v->img, path, v->img_err,
			     sizeof v->img_err) < 0) {
		log_debug("paper", "%s (retrying)", v->img_err);
		return;
	}
	v->img_num = v->sel_num;
	v->img_err[0] = '\0';
}

static void select_job(struct viewer *v, int idx)
{
	if (v->n_jobs == 0)
		return;
	if (idx < 0)
		idx = 0;
	if (idx >= v->n_jobs)
		idx = v->n_jobs - 1;
	v->follow = idx == v->n_jobs - 1;
	if (v->jobs[idx].num != v->sel_num) {
		v->sel_num = v->jobs[idx].num;
		v->dirty = 1;
	}
	load_selected(v);
}

/* One look at the folder: new jobs, the FAULT switch, a retry of a picture
 * that did not load. */
static void poll_folder(struct viewer *v)
{
	enum paper_fault fault = paper_read_fault(v->dir);
	int n = paper_list_jobs(v->dir, v->jobs, MAX_JOBS);
	int idx;

	if (fault != v->fault) {
		if (fault)
			log_info("paper", "FAULT: %s", paper_fault_text(fault));
		v->fault = fault;
		v->dirty = 1;
	}
	if (n < 0)
		n = 0; /* the folder may not exist yet */
	if (n != v->n_jobs)
		v->dirty = 1;
	v->n_jobs = n;
	if (n == 0) {
		if (v->sel_num) {
			v->sel_num = 0;
			drop_image(v);
			v->dirty = 1;
		}
		v->follow = 1;
		return;
	}
	idx = v->follow ? n - 1 : job_index(v, v->sel_num);
	if (idx < 0) /* the shown job was removed: the newest older one */
		for (idx = n - 1; idx > 0 && v->jobs[idx].num > v->sel_num;)
			idx--;
	select_job(v, idx);
	load_selected(v);
}

/* The picture scaled to w x h, each screen pixel the mean of the dots it
 * covers, so thin lines stay visible when the strip is shrunk. */
static SDL_Texture *scale_paper(SDL_Renderer *r, const struct paper_image *img,
				int w, int h)
{
	SDL_Texture *t = NULL;
	Uint32 *px;

	px = malloc((size_t)w * (size_t)h * sizeof *px);
	if (!px)
		return NULL;
	for (int y = 0; y < h; y++) {
		int y0 = (int)((long long)y * img->height / h);
		int y1 = (int)((long long)(y + 1) * img->height / h);
		if (y1 <= y0)
			y1 = y0 + 1;
		for (int x = 0; x < w; x++) {
			int x0 = (int)((long long)x * img->width / w);
			int x1 = (int)((long long)(x + 1) * img->width / w);
			unsigned long sum = 0, n;
			Uint32 g;
			if (x1 <= x0)
				x1 = x0 + 1;
			for (int sy = y0; sy < y1; sy++) {
				const unsigned char *row =
					img->gray + (size_t)sy * img->width;
				for (int sx = x0; sx < x1; sx++)
					sum += row[sx];
			}
			n = (unsigned long)(y1 - y0) * (unsigned long)(x1 - x0);
			g = (Uint32)((sum + n / 2) / n);
			px[(size_t)y * w + x] = 0xff000000u | g << 16 | g << 8 | g;
		}
	}
	t = SDL_CreateTexture(r, SDL_PIXELFORMAT_ARGB8888,
			      SDL_TEXTUREACCESS_STATIC, w, h);
	if (t && SDL_UpdateTexture(t, NULL, px, w * (int)sizeof *px) < 0) {
		SDL_DestroyTexture(t);
		t = NULL;
	}
	free(px);
	return t;
}

static void draw_banner(struct viewer *v, int win_w)
{
	SDL_Rect b = { 0, 0, win_w, BANNER_H };
	int th = v->big ? TTF_FontHeight(v->big) : 0;

	set_color(v->r, c_fault);
	SDL_RenderFillRect(v->r, &b);
	draw_text(v, v->big, paper_fault_text(v->fault), win_w / 2,
		  (BANNER_H - th) / 2, c_white, 1);
}

/* The strip of paper hanging from the printer's slot at the top of the
 * box: blank margins around the printed dots, scaled to the box's height
 * (or width, when that is tighter). Returns the paper's bottom edge. */
static int draw_paper(struct viewer *v, SDL_Rect box)
{
	int pw = v->img.width + 2 * PAPER_MARGIN;
	int ph = v->img.height + 2 * PAPER_MARGIN;
	double s = (double)box.h / ph;
	SDL_Rect paper, dots, shadow, slot;

	if ((double)box.w / pw < s)
		s = (double)box.w / pw;
	paper.w = (int)(pw * s + 0.5);
	paper.h = (int)(ph * s + 0.5);
	paper.x = box.x + (box.w - paper.w) / 2;
	paper.y = box.y;
	dots.w = (int)(v->img.width * s + 0.5);
	dots.h = (int)(v->img.height * s + 0.5);
	if (dots.w < 1 || dots.h < 1)
		return box.y;
	dots.x = paper.x + (paper.w - dots.w) / 2;
	dots.y = paper.y + (paper.h - dots.h) / 2;
	shadow = (SDL_Rect){ paper.x + 4, paper.y + 4, paper.w, paper.h };
	slot = (SDL_Rect){ paper.x - 10, paper.y - 5, paper.w + 20, 7 };
	set_color(v->r, c_shadow);
	SDL_RenderFillRect(v->r, &shadow);
	set_color(v->r, c_white);
	SDL_RenderFillRect(v->r, &paper);
	if (!v->tex || v->tex_w != dots.w || v->tex_h != dots.h) {
		if (v->tex)
			SDL_DestroyTexture(v->tex);
		v->tex = scale_paper(v->r, &v->img, dots.w, dots.h);
		v->tex_w = dots.w;
		v->tex_h = dots.h;
	}
	if (v->tex)
		SDL_RenderCopy(v->r, v->tex, NULL, &dots);
	set_color(v->r, c_shadow);
	SDL_RenderFillRect(v->r, &slot);
	return paper.y + paper.h;
}

static void draw_footer(struct viewer *v, int win_w, int y)
{
	int idx = job_index(v, v->sel_num);
	const struct paper_job *j;
	char line[128], when[64] = "";
	struct tm tm;
	int lh = v->font ? TTF_FontLineSkip(v->font) : 0;

	if (idx < 0)
		return;
	j = &v->jobs[idx];
	util_fmt(line, sizeof line, "Auftrag %06u", j->num);
	draw_text(v, v->bold, line, GAP, y, c_text, 0);
	util_fmt(line, sizeof line, "%d von %d", idx + 1, v->n_jobs);
	draw_text(v, v->font, line, win_w - GAP - text_width(v->font, line),
		  y, c_dim, 0);
	if (localtime_r(&j->mtime, &tm))
		strftime(when, sizeof when, "%d.%m.%Y  %H:%M:%S", &tm);
	draw_text(v, v->font, when, GAP, y + lh + 4, c_text, 0);
	snprintf(line, sizeof line, "%s%s", idx > 0 ? "◀ älter" : "",
		 idx < v->n_jobs - 1 ? "   neuer ▶" : "");
	draw_text(v, v->font, line, win_w - GAP - text_width(v->font, line),
		  y + lh + 4, c_dim, 0);
}

static void draw(struct viewer *v)
{
	int w, h, top, bottom;
	SDL_Rect box;
	char line[300];

	SDL_GetRendererOutputSize(v->r, &w, &h);
	set_color(v->r, c_desk);
	SDL_RenderClear(v->r);
	top = v->fault ? BANNER_H : 0;
	if (v->fault)
		draw_banner(v, w);
	box = (SDL_Rect){ GAP, top + 2 * GAP, w - 2 * GAP,
			  h - top - 3 * GAP - FOOTER_H };
	if (!v->n_jobs) {
		draw_text(v, v->bold, "Noch kein Druckauftrag", w / 2,
			  box.y + box.h / 2 - 24, c_text, 1);
		draw_text(v, v->font, v->dir, w / 2, box.y + box.h / 2 + 8,
			  c_dim, 1);
		return;
	}
	if (v->img_num == v->sel_num && v->img.gray) {
		bottom = draw_paper(v, box) + GAP;
	} else {
		util_fmt(line, sizeof line, "Auftrag %06u wird geladen …",
			 v->sel_num);
		draw_text(v, v->font, line, w / 2, box.y + box.h / 2 - 20,
			  c_dim, 1);
		draw_text(v, v->font, v->img_err, w / 2, box.y + box.h / 2 + 4,
			  c_dim, 1);
		bottom = box.y + box.h + GAP;
	}
	draw_footer(v, w, bottom);
}

static void handle_event(struct viewer *v, const SDL_Event *e, int *quit)
{
	int idx = job_index(v, v->sel_num);
	int dy;

	switch (e->type) {
	case SDL_QUIT:
		*quit = 1;
		break;
	case SDL_WINDOWEVENT:
		v->dirty = 1;
		break;
	case SDL_MOUSEWHEEL:
		dy = e->wheel.direction == SDL_MOUSEWHEEL_FLIPPED
			     ? -e->wheel.y : e->wheel.y;
		if (dy)
			select_job(v, dy > 0 ? idx - 1 : idx + 1);
		break;
	case SDL_KEYDOWN:
		switch (e->key.keysym.sym) {
		case SDLK_LEFT:
		case SDLK_UP:
		case SDLK_PAGEUP:
			select_job(v, idx - 1);
			break;
		case SDLK_RIGHT:
		case SDLK_DOWN:
		case SDLK_PAGEDOWN:
			select_job(v, idx + 1);
			break;
		case SDLK_HOME:
			select_job(v, 0);
			break;
		case SDLK_END:
			select_job(v, v->n_jobs - 1);
			break;
		default:
			break;
		}
		break;
	default:
		break;
	}
}

static int run_window(struct viewer *v)
{
	int64_t next_poll = 0;
	int quit = 0;
	SDL_Event e;

	while (!quit && !stop) {
		int64_t now = util_mono_ms();
		int wait;

		if (now >= next_poll) {
			poll_folder(v);
			next_poll = now + POLL_MS;
		}
		if (v->dirty) {
			v->dirty = 0;
			draw(v);
			SDL_RenderPresent(v->r);
		}
		wait = (int)(next_poll - util_mono_ms());
		if (SDL_WaitEventTimeout(&e, wait > 0 ? wait : 1)) {
			do
				handle_event(v, &e, &quit);
			while (SDL_PollEvent(&e));
		}
	}
	return 0;
}

static int snapshot(struct viewer *v, const char *path, int w, int h)
{
	unsigned char *rgb;
	char err[512];
	int rc = -1;

	poll_folder(v);
	draw(v);
	rgb = malloc((size_t)w * (size_t)h * 3);
	if (!rgb) {
		log_error("paper", "out of memory");
		return -1;
	}
	if (SDL_RenderReadPixels(v->r, NULL, SDL_PIXELFORMAT_RGB24, rgb,
				 w * 3) < 0) {
		log_error("paper", "reading the picture: %s", SDL_GetError());
		goto out;
	}
	if (uipng_write_rgb(path, rgb, w, h, w * 3, err, sizeof err) < 0) {
		log_error("paper", "%s", err);
		goto out;
	}
	rc = 0;
out:
	free(rgb);
	return rc;
}

int main(int argc, char **argv)
{
	static struct viewer v; /* static: the job table is large */
	struct opts o = { 0 };
	SDL_Window *win = NULL;
	SDL_Surface *surface = NULL;
	struct sigaction sa = { .sa_handler = on_signal };
	int rc = 2, ttf = 0;

	log_init("kiosk-paper", LOG_INFO);
	if (parse_opts(&o, argc, argv) < 0)
		return 2;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	v.dir = o.dir;
	v.follow = 1;
	v.dirty = 1;
	rc = 1;
	if (o.headless) {
		surface = SDL_CreateRGBSurfaceWithFormat(0, o.w, o.h, 32,
							 SDL_PIXELFORMAT_ARGB8888);
		if (surface)
			v.r = SDL_CreateSoftwareRenderer(surface);
	} else {
		SDL_SetHint(SDL_HINT_NO_SIGNAL_HANDLERS, "1");
		SDL_SetHint(SDL_HINT_VIDEO_ALLOW_SCREENSAVER, "1");
		/* a small window redrawn on change: software drawing into the
		 * window's own framebuffer, no GL driver needed */
		SDL_SetHint(SDL_HINT_FRAMEBUFFER_ACCELERATION, "0");
		if (SDL_Init(SDL_INIT_VIDEO) < 0) {
			log_error("paper", "SDL video: %s", SDL_GetError());
			goto fail;
		}
		win = SDL_CreateWindow("Bürgerkiosk – Drucker",
				       SDL_WINDOWPOS_UNDEFINED,
				       SDL_WINDOWPOS_UNDEFINED, o.w, o.h,
				       SDL_WINDOW_RESIZABLE);
		if (win)
			v.r = SDL_CreateRenderer(win, -1, SDL_RENDERER_SOFTWARE);
	}
	if (!v.r) {
		log_error("paper", "renderer: %s", SDL_GetError());
		goto fail;
	}
	if (TTF_Init() < 0) {
		log_error("paper", "SDL_ttf: %s", TTF_GetError());
		goto fail;
	}
	ttf = 1;
	v.font = open_font(regular_fonts, SDL_arraysize(regular_fonts), 15);
	v.bold = open_font(bold_fonts, SDL_arraysize(bold_fonts), 17);
	v.big = open_font(bold_fonts, SDL_arraysize(bold_fonts), 24);
	if (!v.font || !v.bold || !v.big)
		log_warn("paper", "fonts missing (fonts-dejavu-core): "
			 "drawing without text");
	if (o.headless)
		rc = snapshot(&v, o.snapshot, o.w, o.h) < 0 ? 1 : 0;
	else
		rc = run_window(&v);
fail:
	drop_image(&v);
	if (v.big)
		TTF_CloseFont(v.big);
	if (v.bold)
		TTF_CloseFont(v.bold);
	if (v.font)
		TTF_CloseFont(v.font);
	if (ttf)
		TTF_Quit();
	if (v.r)
		SDL_DestroyRenderer(v.r);
	if (surface)
		SDL_FreeSurface(surface);
	if (win)
		SDL_DestroyWindow(win);
	SDL_Quit();
	return rc;
}
