/*
 * script.c — the UI script parser and runner (script.h).
 *
 * Parsing is strict (an unknown command or stray text is a syntax error
 * with file and line) and capped. Running drives the real app: app_frame()
 * once per ~10 ms of real time, so the worker thread's results arrive as
 * they would on a kiosk. It does NOT open windows or read SDL events.
 */
#include "ui/script.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <time.h>

#include "firmware/util.h"
#include "ui/input.h"

struct parser {
	const char *name;
	int line;
	const char *p, *end;     /* the rest of the current line */
	char *err;
	size_t errlen;
};

static int perr(struct parser *ps, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int perr(struct parser *ps, const char *fmt, ...)
{
	char what[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	snprintf(ps->err, ps->errlen, "%s:%d: syntax error: %s", ps->name,
		 ps->line, what);
	return -1;
}

static void skip_blanks(struct parser *ps)
{
	while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t'))
		ps->p++;
}

static int is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
}

/* A bare word of name characters, 1..SCRIPT_NAME_MAX-1 long. */
static int parse_name(struct parser *ps, char **out, const char *what)
{
	const char *s;
	size_t n;

	skip_blanks(ps);
	s = ps->p;
	while (ps->p < ps->end && is_name_char(*ps->p))
		ps->p++;
	n = (size_t)(ps->p - s);
	if (n == 0 || n >= SCRIPT_NAME_MAX || (*s == '.'))
		return perr(ps, "expected %s (letters, digits, - _ .)", what);
	*out = strndup(s, n);
	return *out ? 0 : perr(ps, "out of memory");
}

static int parse_quoted(struct parser *ps, char **out)
{
	char buf[SCRIPT_LINE_MAX];
	size_t n = 0;

	skip_blanks(ps);
	if (ps->p == ps->end || *ps->p != '"')
		return perr(ps, "expected a \"quoted text\"");
	ps->p++;
	while (ps->p < ps->end && *ps->p != '"') {
		char c = *ps->p++;
		if (c == '\\') {
			if (ps->p == ps->end)
				break;
			c = *ps->p++;
			if (c == 'n')
				c = '\n';
			else if (c != '"' && c != '\\')
				return perr(ps, "unknown escape in text");
		}
		buf[n++] = c; /* n < line length < sizeof buf */
	}
	if (ps->p == ps->end)
		return perr(ps, "unterminated text");
	ps->p++;
	buf[n] = '\0';
	*out = strdup(buf);
	return *out ? 0 : perr(ps, "out of memory");
}

static int parse_number(struct parser *ps, long min, long max, long *out)
{
	long v = 0;
	const char *s;

	skip_blanks(ps);
	s = ps->p;
	while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9') {
		v = v * 10 + (*ps->p++ - '0');
		if (v > max)
			return perr(ps, "number larger than %ld", max);
	}
	if (ps->p == s || v < min)
		return perr(ps, "expected a number from %ld to %ld", min, max);
	*out = v;
	return 0;
}

static int parse_target(struct parser *ps, struct script_cmd *c)
{
	skip_blanks(ps);
	if (ps->p < ps->end && *ps->p == '#') {
		ps->p++;
		c->by_id = 1;
		return parse_name(ps, &c->target, "a widget id after '#'");
	}
	if (ps->p < ps->end && *ps->p == '"')
		return parse_quoted(ps, &c->target);
	return perr(ps, "expected #id or \"visible label\"");
}

static int parse_end(struct parser *ps)
{
	skip_blanks(ps);
	return ps->p == ps->end ? 0 : perr(ps, "unexpected text at end of line");
}

/* type: a quoted text, or the rest of the line. */
static int parse_type(struct parser *ps, struct script_cmd *c)
{
	const char *e = ps->end;

	skip_blanks(ps);
	if (ps->p < ps->end && *ps->p == '"')
		return parse_quoted(ps, &c->text);
	while (e > ps->p && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	if (e == ps->p)
		return perr(ps, "type needs a text");
	c->text = strndup(ps->p, (size_t)(e - ps->p));
	ps->p = ps->end;
	return c->text ? 0 : perr(ps, "out of memory");
}

static int parse_args(struct parser *ps, struct script_cmd *c)
{
	switch (c->op) {
	case SCRIPT_TAP:
		c->n = 1;
		if (parse_target(ps, c) < 0)
			return -1;
		skip_blanks(ps);
		if (ps->p < ps->end &&
		    parse_number(ps, 1, SCRIPT_TAPS_MAX, &c->n) < 0)
			return -1;
		return 0;
	case SCRIPT_HOLD:
		if (parse_target(ps, c) < 0)
			return -1;
		return parse_number(ps, 1, SCRIPT_HOLD_MAX, &c->n);
	case SCRIPT_TYPE:
		return parse_type(ps, c);
	case SCRIPT_KEY:
		if (parse_name(ps, &c->target, "a key name") < 0)
			return -1;
		if (SDL_GetKeyFromName(c->target) == SDLK_UNKNOWN)
			return perr(ps, "unknown key '%s'", c->target);
		return 0;
	case SCRIPT_WAIT:
	case SCRIPT_TIMEOUT:
		return parse_number(ps, 0, SCRIPT_WAIT_MAX, &c->n);
	case SCRIPT_ASSERT:
	case SCRIPT_ASSERT_CONTAINS:
		if (parse_target(ps, c) < 0)
			return -1;
		return parse_quoted(ps, &c->text);
	case SCRIPT_ASSERT_SCREEN:
		return parse_name(ps, &c->target, "a screen name");
	case SCRIPT_SCREENSHOT:
		return parse_name(ps, &c->target, "a screenshot name");
	case SCRIPT_SLIDE:
		if (parse_target(ps, c) < 0 || !c->by_id)
			return c->target ? perr(ps, "slide takes two #ids") : -1;
		skip_blanks(ps);
		if (ps->p == ps->end || *ps->p != '#')
			return perr(ps, "slide takes two #ids");
		ps->p++;
		return parse_name(ps, &c->target2, "a widget id after '#'");
	case SCRIPT_ASSERT_NO_TRACE:
	case SCRIPT_ASSERT_SPOKEN:
	case SCRIPT_SCAN:
		return parse_quoted(ps, &c->text);
	case SCRIPT_MONKEY:
		if (parse_number(ps, 1, SCRIPT_MONKEY_MAX, &c->n) < 0)
			return -1;
		return parse_number(ps, 0, 2147483647L, &c->seed);
	case SCRIPT_ASSERT_ABSENT:
	case SCRIPT_TOUCH:
	case SCRIPT_CLICK:
		return parse_target(ps, c);
	}
	return -1;
}

static const struct {
	const char *word;
	enum script_op op;
} script_words[] = {
	{ "tap", SCRIPT_TAP },
	{ "hold", SCRIPT_HOLD },
	{ "type", SCRIPT_TYPE },
	{ "key", SCRIPT_KEY },
	{ "wait", SCRIPT_WAIT },
	{ "assert", SCRIPT_ASSERT },
	{ "assert-contains", SCRIPT_ASSERT_CONTAINS },
	{ "assert-screen", SCRIPT_ASSERT_SCREEN },
	{ "screenshot", SCRIPT_SCREENSHOT },
	{ "timeout", SCRIPT_TIMEOUT },
	{ "slide", SCRIPT_SLIDE },
	{ "assert-no-trace", SCRIPT_ASSERT_NO_TRACE },
	{ "assert-absent", SCRIPT_ASSERT_ABSENT },
	{ "assert-spoken", SCRIPT_ASSERT_SPOKEN },
	{ "scan", SCRIPT_SCAN },
	{ "monkey", SCRIPT_MONKEY },
	{ "touch", SCRIPT_TOUCH },
	{ "click", SCRIPT_CLICK },
};

static int parse_line(struct parser *ps, struct script_cmd *c)
{
	const char *w;
	size_t n;

	w = ps->p;
	while (ps->p < ps->end && *ps->p != ' ' && *ps->p != '\t')
		ps->p++;
	n = (size_t)(ps->p - w);
	for (size_t i = 0; i < sizeof script_words / sizeof script_words[0];
	     i++) {
		if (strlen(script_words[i].word) != n ||
		    memcmp(script_words[i].word, w, n))
			continue;
		c->op = script_words[i].op;
		c->line = ps->line;
		if (parse_args(ps, c) < 0)
			return -1;
		return parse_end(ps);
	}
	return perr(ps, "unknown command '%.*s'", (int)(n > 32 ? 32 : n), w);
}

static void cmd_free(struct script_cmd *c)
{
	free(c->target2);
	free(c->target);
	free(c->text);
}

/* Splits off the next line into ps; 0 at the end of the text. */
static int next_line(struct parser *ps, const char **s, const char *end)
{
	const char *nl;

	if (*s >= end)
		return 0;
	nl = memchr(*s, '\n', (size_t)(end - *s));
	ps->p = *s;
	ps->end = nl ? nl : end;
	*s = nl ? nl + 1 : end;
	ps->line++;
	if (ps->end > ps->p && ps->end[-1] == '\r')
		ps->end--;
	return 1;
}

/* Appends the command on ps's current line to s. */
static int add_cmd(struct parser *ps, struct script *s, size_t *cap)
{
	struct script_cmd *c;

	if (s->n == SCRIPT_CMDS_MAX)
		return perr(ps, "more than %d commands", SCRIPT_CMDS_MAX);
	if (s->n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 32;
		c = realloc(s->cmds, ncap * sizeof *c);
		if (!c)
			return perr(ps, "out of memory");
		s->cmds = c;
		*cap = ncap;
	}
	c = &s->cmds[s->n];
	memset(c, 0, sizeof *c);
	if (parse_line(ps, c) < 0) {
		cmd_free(c);
		return -1;
	}
	s->n++;
	return 0;
}

static int starts_word(const struct parser *ps, const char *w)
{
	size_t n = strlen(w);

	return (size_t)(ps->end - ps->p) >= n && !memcmp(ps->p, w, n) &&
	       (ps->p + n == ps->end || ps->p[n] == ' ' || ps->p[n] == '\t');
}

#define FOREACH_WORDS 16
#define FOREACH_LINES 256

struct loop {
	char words[FOREACH_WORDS][SCRIPT_NAME_MAX];
	int n_words;
	const char *line[FOREACH_LINES], *line_end[FOREACH_LINES];
	int lineno[FOREACH_LINES];
	int n_lines;
	int open;
};

/* "foreach W1 W2 ...": names only. */
static int loop_begin(struct parser *ps, struct loop *l)
{
	if (l->open)
		return perr(ps, "foreach inside foreach");
	memset(l, 0, sizeof *l);
	ps->p += strlen("foreach");
	for (;;) {
		char *w = NULL;
		skip_blanks(ps);
		if (ps->p == ps->end)
			break;
		if (l->n_words == FOREACH_WORDS)
			return perr(ps, "more than %d words", FOREACH_WORDS);
		if (parse_name(ps, &w, "a word") < 0)
			return -1;
		snprintf(l->words[l->n_words++], SCRIPT_NAME_MAX, "%s", w);
		free(w);
	}
	if (!l->n_words)
		return perr(ps, "foreach needs at least one word");
	l->open = 1;
	return 0;
}

/* Runs the loop's lines once per word, {lang} replaced by the word. */
static int loop_end(struct parser *ps, struct loop *l, struct script *s,
		    size_t *cap)
{
	int line = ps->line;

	l->open = 0;
	for (int w = 0; w < l->n_words; w++) {
		for (int i = 0; i < l->n_lines; i++) {
			char buf[SCRIPT_LINE_MAX + FOREACH_WORDS * SCRIPT_NAME_MAX];
			const char *p = l->line[i];
			size_t n = 0;

			while (p < l->line_end[i] && n + SCRIPT_NAME_MAX < sizeof buf) {
				if (l->line_end[i] - p >= 6 &&
				    !memcmp(p, "{lang}", 6)) {
					n += (size_t)snprintf(buf + n,
							      sizeof buf - n,
							      "%s",
							      l->words[w]);
					p += 6;
				} else {
					buf[n++] = *p++;
				}
			}
			if (n >= SCRIPT_LINE_MAX) {
				ps->line = l->lineno[i];
				return perr(ps, "line longer than %d bytes",
					    SCRIPT_LINE_MAX);
			}
			ps->p = buf;
			ps->end = buf + n;
			ps->line = l->lineno[i];
			if (add_cmd(ps, s, cap) < 0)
				return -1;
		}
	}
	ps->line = line;
	return 0;
}

int script_parse(struct script *s, const char *name, const char *text,
		 size_t len, char *err, size_t errlen)
{
	struct parser ps = { .name = name, .err = err, .errlen = errlen };
	const char *cur = text, *end = text + len;
	struct loop *loop = calloc(1, sizeof *loop);
	size_t cap = 0;

	memset(s, 0, sizeof *s);
	snprintf(s->name, sizeof s->name, "%s", name);
	if (!loop) {
		perr(&ps, "out of memory");
		goto fail;
	}
	if (len > SCRIPT_FILE_MAX) {
		perr(&ps, "script larger than %u bytes", SCRIPT_FILE_MAX);
		goto fail;
	}
	while (next_line(&ps, &cur, end)) {
		if ((size_t)(ps.end - ps.p) >= SCRIPT_LINE_MAX) {
			perr(&ps, "line longer than %d bytes", SCRIPT_LINE_MAX);
			goto fail;
		}
		if (memchr(ps.p, '\0', (size_t)(ps.end - ps.p))) {
			perr(&ps, "NUL byte");
			goto fail;
		}
		skip_blanks(&ps);
		if (ps.p == ps.end || *ps.p == '#')
			continue;
		if (starts_word(&ps, "foreach")) {
			if (loop_begin(&ps, loop) < 0)
				goto fail;
			continue;
		}
		if (starts_word(&ps, "end")) {
			ps.p += 3;
			if (!loop->open) {
				perr(&ps, "end without foreach");
				goto fail;
			}
			if (parse_end(&ps) < 0 ||
			    loop_end(&ps, loop, s, &cap) < 0)
				goto fail;
			continue;
		}
		if (loop->open) {
			if (loop->n_lines == FOREACH_LINES) {
				perr(&ps, "more than %d lines in foreach",
				     FOREACH_LINES);
				goto fail;
			}
			loop->line[loop->n_lines] = ps.p;
			loop->line_end[loop->n_lines] = ps.end;
			loop->lineno[loop->n_lines++] = ps.line;
			continue;
		}
		if (add_cmd(&ps, s, &cap) < 0)
			goto fail;
	}
	if (loop->open) {
		perr(&ps, "foreach without end");
		goto fail;
	}
	free(loop);
	return 0;
fail:
	free(loop);
	script_free(s);
	return -1;
}

void script_free(struct script *s)
{
	for (size_t i = 0; i < s->n; i++)
		cmd_free(&s->cmds[i]);
	free(s->cmds);
	s->cmds = NULL;
	s->n = 0;
}

/* ---- the runner ---- */

struct runner {
	const struct script *s;
	struct app *app;
	const char *shots;
	volatile int *stop;
	long timeout;
	int app_failed;
	struct input input;
};

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static int frame(struct runner *r)
{
	if (app_frame(r->app, util_mono_ms()) < 0) {
		r->app_failed = 1;
		return -1;
	}
	return 0;
}

static void run_for(struct runner *r, long ms)
{
	int64_t until = util_mono_ms() + ms;

	do {
		if (frame(r) < 0 || *r->stop)
			return;
		sleep_ms(10);
	} while (util_mono_ms() < until);
	frame(r);
}

/* The widget a target names: a button with that label before any other
 * widget with it, so "tap" hits what a citizen would. */
static struct widget *find_target(struct widget *root,
				  const struct script_cmd *c)
{
	if (!root)
		return NULL;
	if (c->by_id)
		return widget_find(root, c->target);
	for (int i = 0; i < root->n_children; i++) {
		struct widget *w = root->children[i];
		if (w->kind == WIDGET_BUTTON && w->text &&
		    !strcmp(w->text, c->target))
			return w;
	}
	return widget_find_text(root, c->target);
}

/* Does the command's condition hold now? */
static int check(struct runner *r, const struct script_cmd *c)
{
	struct widget *w;

	if (c->op == SCRIPT_ASSERT_SCREEN)
		return !strcmp(app_screen_name(r->app->screen), c->target);
	if (c->op == SCRIPT_ASSERT_NO_TRACE)
		return !app_holds_text(r->app, c->text);
	if (c->op == SCRIPT_ASSERT_SPOKEN)
		return strstr(r->app->spoken, c->text) != NULL;
	w = find_target(r->app->root, c);
	if (c->op == SCRIPT_ASSERT_ABSENT)
		return w == NULL;
	if (!w)
		return 0;
	if (c->op == SCRIPT_ASSERT)
		return w->text && !strcmp(w->text, c->text);
	if (c->op == SCRIPT_ASSERT_CONTAINS)
		return w->text && strstr(w->text, c->text);
	return 1; /* tap: the widget is there */
}

/* Runs frames until check() holds or the timeout passes. */
static int wait_for(struct runner *r, const struct script_cmd *c)
{
	int64_t until = util_mono_ms() + r->timeout;

	for (;;) {
		if (frame(r) < 0 || *r->stop)
			return 0;
		if (check(r, c))
			return 1;
		if (util_mono_ms() >= until)
			return 0;
		sleep_ms(10);
	}
}

static void describe(const struct script_cmd *c, char *out, size_t len)
{
	snprintf(out, len, "%s%s%s", c->by_id ? "#" : "\"", c->target,
		 c->by_id ? "" : "\"");
}

static int fail_cmd(struct runner *r, const struct script_cmd *c)
{
	const char *screen = app_screen_name(r->app->screen);
	char what[SCRIPT_NAME_MAX + SCRIPT_LINE_MAX];
	struct widget *w;

	if (r->app_failed) {
		fprintf(stderr, "%s:%d: the app stopped (out of memory)\n",
			r->s->name, c->line);
		return 1;
	}
	if (*r->stop) {
		fprintf(stderr, "%s:%d: interrupted\n", r->s->name, c->line);
		return 1;
	}
	if (c->op == SCRIPT_ASSERT_SCREEN) {
		fprintf(stderr,
			"%s:%d: assertion failed: expected screen %s, got %s\n",
			r->s->name, c->line, c->target, screen);
		return 1;
	}
	if (c->op == SCRIPT_ASSERT_NO_TRACE) {
		fprintf(stderr,
			"%s:%d: assertion failed: \"%s\" is still held by the "
			"app (screen %s)\n", r->s->name, c->line, c->text,
			screen);
		return 1;
	}
	if (c->op == SCRIPT_ASSERT_SPOKEN) {
		fprintf(stderr, "%s:%d: assertion failed: expected speech "
			"containing \"%s\", last said \"%s\"\n", r->s->name,
			c->line, c->text, r->app->spoken);
		return 1;
	}
	if (c->op == SCRIPT_ASSERT_ABSENT) {
		describe(c, what, sizeof what);
		fprintf(stderr, "%s:%d: assertion failed: %s is still on "
			"screen %s\n", r->s->name, c->line, what, screen);
		return 1;
	}
	describe(c, what, sizeof what);
	w = find_target(r->app->root, c);
	if (!w)
		fprintf(stderr,
			"%s:%d: %s failed: no widget %s on screen %s\n",
			r->s->name, c->line,
			c->op == SCRIPT_TAP ? "tap"
			: c->op == SCRIPT_HOLD ? "hold" : "assertion",
			what, screen);
	else
		fprintf(stderr,
			"%s:%d: assertion failed: expected %s %s\"%s\", "
			"got \"%s\"\n",
			r->s->name, c->line, what,
			c->op == SCRIPT_ASSERT_CONTAINS ? "to contain " : "",
			c->text, w->text ? w->text : "");
	return 1;
}

/* Renders frames until the screen takes presses (app_accepts_input), as a
 * person would need a moment to see the new screen. 0 on timeout. */
static int wait_input(struct runner *r)
{
	int64_t until = util_mono_ms() + r->timeout;

	while (!app_accepts_input(r->app)) {
		if (util_mono_ms() >= until || *r->stop || frame(r) < 0)
			return 0;
		sleep_ms(5);
	}
	return 1;
}

static int run_tap(struct runner *r, const struct script_cmd *c)
{
	struct widget *w;
	int x, y;

	if (!wait_for(r, c) || !wait_input(r))
		return fail_cmd(r, c);
	w = find_target(r->app->root, c);
	x = w->rect.x + w->rect.w / 2;
	y = w->rect.y + w->rect.h / 2;
	/* all taps in one batch, as a bouncing finger delivers them */
	for (long i = 0; i < c->n; i++) {
		app_pointer(r->app, 1, x, y);
		app_pointer(r->app, 0, x, y);
	}
	return frame(r) < 0 ? fail_cmd(r, c) : 0;
}

/* Press at the widget's centre, frames for c->n ms with the finger down,
 * release there: what a technician's finger does. */
static int run_hold(struct runner *r, const struct script_cmd *c)
{
	struct widget *w;
	int x, y;

	if (!wait_for(r, c) || !wait_input(r))
		return fail_cmd(r, c);
	w = find_target(r->app->root, c);
	x = w->rect.x + w->rect.w / 2;
	y = w->rect.y + w->rect.h / 2;
	app_pointer(r->app, 1, x, y);
	run_for(r, c->n);
	if (r->app_failed || *r->stop)
		return fail_cmd(r, c);
	app_pointer(r->app, 0, x, y);
	return frame(r) < 0 ? fail_cmd(r, c) : 0;
}

/* Press on target, move onto target2, release there: a slide. */
static int run_slide(struct runner *r, const struct script_cmd *c)
{
	struct script_cmd to = *c;
	struct widget *w;
	int x, y;

	to.target = c->target2;
	if (!wait_for(r, c) || !wait_input(r))
		return fail_cmd(r, c);
	w = find_target(r->app->root, c);
	x = w->rect.x + w->rect.w / 2;
	y = w->rect.y + w->rect.h / 2;
	app_pointer(r->app, 1, x, y);
	frame(r);
	w = find_target(r->app->root, &to);
	if (!w)
		return fail_cmd(r, &to);
	x = w->rect.x + w->rect.w / 2;
	y = w->rect.y + w->rect.h / 2;
	app_pointer_move(r->app, x, y);
	app_pointer(r->app, 0, x, y);
	return frame(r) < 0 ? fail_cmd(r, c) : 0;
}

/* A press and release at the widget's centre as SDL delivers them: a
 * touch (finger events, each followed by the mouse event SDL makes of
 * it) or a mouse click (mouse events, each followed by the finger event
 * SDL may make of it). ui/input.c must take each press once. */
static int run_device(struct runner *r, const struct script_cmd *c)
{
	struct widget *w;
	SDL_Event ev[4];
	int x, y, touch = c->op == SCRIPT_TOUCH;

	if (!wait_for(r, c) || !wait_input(r))
		return fail_cmd(r, c);
	w = find_target(r->app->root, c);
	x = w->rect.x + w->rect.w / 2;
	y = w->rect.y + w->rect.h / 2;
	memset(ev, 0, sizeof ev);
	for (int i = 0; i < 4; i++) {
		int down = i < 2, fing = (i % 2 == 0) == touch;
		if (fing) {
			ev[i].type = down ? SDL_FINGERDOWN : SDL_FINGERUP;
			ev[i].tfinger.touchId = touch ? 1 : SDL_MOUSE_TOUCHID;
			ev[i].tfinger.fingerId = touch ? 7 : 0;
			ev[i].tfinger.x = (float)x / APP_W;
			ev[i].tfinger.y = (float)y / APP_H;
		} else {
			ev[i].type = down ? SDL_MOUSEBUTTONDOWN
					  : SDL_MOUSEBUTTONUP;
			ev[i].button.which = touch ? SDL_TOUCH_MOUSEID : 0;
			ev[i].button.button = SDL_BUTTON_LEFT;
			ev[i].button.x = x;
			ev[i].button.y = y;
		}
	}
	for (int i = 0; i < 4; i++)
		input_event(&r->input, r->app, NULL, &ev[i]);
	return frame(r) < 0 ? fail_cmd(r, c) : 0;
}

/* xorshift32: the same seed, the same run. */
static uint32_t rnd(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/* c->n random actions anywhere on the screen: taps (half of them on a
 * button of the current screen, so the monkey gets somewhere), slides,
 * presses and releases in odd orders, text (Latin, Cyrillic, Arabic,
 * digits) and keys. Only a crash, a failed assertion inside the app or an
 * out-of-memory stop fails it. */
static int run_monkey(struct runner *r, const struct script_cmd *c)
{
	static const char *const texts[] = { "a", "Z", "7", "ß", "ä", "й",
					     "ض", " ", "@", "BKT1:100200:K7QM",
					     "12.08.1964", "-" };
	static const SDL_Keycode keys[] = { SDLK_RETURN, SDLK_BACKSPACE,
					    SDLK_TAB, SDLK_ESCAPE, SDLK_a };
	uint32_t s = (uint32_t)c->seed * 2654435761u + 1;
	unsigned long seen = 0;

	for (long i = 0; i < c->n && !*r->stop; i++) {
		seen |= 1ul << r->app->screen;
		uint32_t what = rnd(&s) % 100;
		int x = (int)(rnd(&s) % APP_W), y = (int)(rnd(&s) % APP_H);

		if (what < 45) {
			/* a widget down the tree: keys sit in the keyboard
			 * box, the prompt's buttons in its box */
			struct widget *w = r->app->root;
			while (w && w->n_children && rnd(&s) % 4)
				w = w->children[rnd(&s) %
						(uint32_t)w->n_children];
			if (w) {
				x = w->rect.x + w->rect.w / 2;
				y = w->rect.y + w->rect.h / 2;
			}
			app_pointer(r->app, 1, x, y);
			app_pointer(r->app, 0, x, y);
		} else if (what < 60) {
			app_pointer(r->app, 1, x, y);
			app_pointer(r->app, 0, x, y);
		} else if (what < 68) {
			app_pointer(r->app, 1, x, y);
			app_pointer_move(r->app, (int)(rnd(&s) % APP_W),
					 (int)(rnd(&s) % APP_H));
			app_pointer(r->app, 0, (int)(rnd(&s) % APP_W),
				    (int)(rnd(&s) % APP_H));
		} else if (what < 72) {
			app_pointer(r->app, (int)(rnd(&s) & 1), x, y);
		} else if (what < 88) {
			app_text(r->app, texts[rnd(&s) % (sizeof texts /
							  sizeof texts[0])]);
		} else {
			app_key(r->app, keys[rnd(&s) % (sizeof keys /
							sizeof keys[0])]);
		}
		if (frame(r) < 0)
			return fail_cmd(r, c);
		if (rnd(&s) % 8 == 0)
			sleep_ms(40); /* let guards and the worker move on */
	}
	fprintf(stderr, "%s:%d: monkey: %ld actions, screens seen:", r->s->name,
		c->line, c->n);
	for (int k = 0; k < 32; k++)
		if (seen & (1ul << k))
			fprintf(stderr, " %s",
				app_screen_name((enum app_screen)k));
	fprintf(stderr, "\n");
	return *r->stop ? fail_cmd(r, c) : 0;
}

static int run_screenshot(struct runner *r, const struct script_cmd *c)
{
	char path[4096], err[512];

	if (!r->shots)
		return 0;
	if (frame(r) < 0)
		return fail_cmd(r, c);
	snprintf(path, sizeof path, "%s/%s.png", r->shots, c->target);
	if (app_screenshot(r->app, path, err, sizeof err) < 0) {
		fprintf(stderr, "%s:%d: screenshot failed: %s\n", r->s->name,
			c->line, err);
		return 1;
	}
	return 0;
}

static int run_cmd(struct runner *r, const struct script_cmd *c)
{
	switch (c->op) {
	case SCRIPT_TAP:
		return run_tap(r, c);
	case SCRIPT_HOLD:
		return run_hold(r, c);
	case SCRIPT_TYPE:
		app_text(r->app, c->text);
		return frame(r) < 0 ? fail_cmd(r, c) : 0;
	case SCRIPT_KEY:
		app_key(r->app, SDL_GetKeyFromName(c->target));
		return frame(r) < 0 ? fail_cmd(r, c) : 0;
	case SCRIPT_WAIT:
		run_for(r, c->n);
		return (r->app_failed || *r->stop) ? fail_cmd(r, c) : 0;
	case SCRIPT_TIMEOUT:
		r->timeout = c->n;
		return 0;
	case SCRIPT_ASSERT:
	case SCRIPT_ASSERT_CONTAINS:
	case SCRIPT_ASSERT_SCREEN:
		return wait_for(r, c) ? 0 : fail_cmd(r, c);
	case SCRIPT_SCREENSHOT:
		return run_screenshot(r, c);
	case SCRIPT_SLIDE:
		return run_slide(r, c);
	case SCRIPT_ASSERT_NO_TRACE:
	case SCRIPT_ASSERT_ABSENT:
	case SCRIPT_ASSERT_SPOKEN:
		return wait_for(r, c) ? 0 : fail_cmd(r, c);
	case SCRIPT_MONKEY:
		return run_monkey(r, c);
	case SCRIPT_TOUCH:
	case SCRIPT_CLICK:
		return run_device(r, c);
	case SCRIPT_SCAN:
		/* a scanner's burst: every character and Enter at once */
		app_text(r->app, c->text);
		app_key(r->app, SDLK_RETURN);
		return frame(r) < 0 ? fail_cmd(r, c) : 0;
	}
	return 1;
}

int script_run(const struct script *s, struct app *app,
	       const char *shots_dir, volatile int *stop)
{
	struct runner r = { .s = s, .app = app, .shots = shots_dir,
			    .stop = stop, .timeout = SCRIPT_TIMEOUT_DEFAULT };

	input_init(&r.input);
	/* The first frame is drawn before the first command, so an empty
	 * script measures start-up to the first frame (bench/). */
	if (app_frame(app, util_mono_ms()) < 0)
		return 1;
	for (size_t i = 0; i < s->n; i++)
		if (run_cmd(&r, &s->cmds[i]) != 0)
			return 1;
	return 0;
}
