/*
 * display_script.c — runs a UI script (ui/script.h's language and parser)
 * on the waiting-room display. Only what a wall can be asked: waits,
 * asserts on widgets, the screen name ("display"), the last announcement,
 * screenshots. Taps, typing and scans fail with a message: a TV has no
 * input. Polls like the kiosk's runner: each frame until the assertion
 * holds or the timeout passes, with the net thread's calls arriving in
 * real time.
 */
#include "ui/display.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "firmware/util.h"
#include "ui/script.h"

struct drun {
	struct display *d;
	const struct script *s;
	const char *shots;
	volatile int *stop;
	long timeout;
	int failed;
};

static void nap(long ms)
{
	struct timespec ts = { 0, ms * 1000000L };

	nanosleep(&ts, NULL);
}

static int frame(struct drun *r)
{
	if (display__frame(r->d, util_mono_ms()) < 0) {
		r->failed = 1;
		return -1;
	}
	return 0;
}

static struct widget *target(struct drun *r, const struct script_cmd *c)
{
	if (!r->d->root)
		return NULL;
	return c->by_id ? widget_find(r->d->root, c->target)
			: widget_find_text(r->d->root, c->target);
}

static int holds(struct drun *r, const struct script_cmd *c)
{
	struct widget *w;

	switch (c->op) {
	case SCRIPT_ASSERT_SCREEN:
		return !strcmp(c->target, "display");
	case SCRIPT_ASSERT_SPOKEN:
		return strstr(r->d->last_said, c->text) != NULL;
	case SCRIPT_ASSERT_ABSENT:
		return target(r, c) == NULL;
	case SCRIPT_ASSERT:
	case SCRIPT_ASSERT_CONTAINS:
		w = target(r, c);
		if (!w || !w->text)
			return 0;
		return c->op == SCRIPT_ASSERT ? !strcmp(w->text, c->text)
					      : strstr(w->text, c->text) != NULL;
	default:
		return 0;
	}
}

static int fail(struct drun *r, const struct script_cmd *c)
{
	struct widget *w;

	if (r->failed || *r->stop) {
		fprintf(stderr, "%s:%d: %s\n", r->s->name, c->line,
			r->failed ? "the display stopped (out of memory)"
				  : "interrupted");
		return 1;
	}
	switch (c->op) {
	case SCRIPT_ASSERT_SCREEN:
		fprintf(stderr, "%s:%d: assertion failed: expected screen %s, "
			"got display\n", r->s->name, c->line, c->target);
		break;
	case SCRIPT_ASSERT_SPOKEN:
		fprintf(stderr, "%s:%d: assertion failed: expected speech "
			"containing \"%s\", last said \"%s\" (%llu "
			"announcements)\n", r->s->name, c->line, c->text,
			r->d->last_said, (unsigned long long)r->d->announced);
		break;
	case SCRIPT_ASSERT_ABSENT:
		fprintf(stderr, "%s:%d: assertion failed: %s%s is still on "
			"screen display\n", r->s->name, c->line,
			c->by_id ? "#" : "", c->target);
		break;
	default:
		w = target(r, c);
		if (!w)
			fprintf(stderr, "%s:%d: assertion failed: no widget "
				"%s%s on screen display\n", r->s->name,
				c->line, c->by_id ? "#" : "", c->target);
		else
			fprintf(stderr, "%s:%d: assertion failed: expected "
				"%s%s %s\"%s\", got \"%s\"\n", r->s->name,
				c->line, c->by_id ? "#" : "", c->target,
				c->op == SCRIPT_ASSERT_CONTAINS ? "to contain "
								 : "",
				c->text, w->text ? w->text : "");
	}
	return 1;
}

static int wait_for(struct drun *r, const struct script_cmd *c)
{
	int64_t until = util_mono_ms() + r->timeout;

	for (;;) {
		if (frame(r) < 0 || *r->stop)
			return 0;
		if (holds(r, c))
			return 1;
		if (util_mono_ms() >= until)
			return 0;
		nap(10);
	}
}

static int run_cmd(struct drun *r, const struct script_cmd *c)
{
	char path[4096], err[512];
	int64_t until;

	switch (c->op) {
	case SCRIPT_WAIT:
		until = util_mono_ms() + c->n;
		do {
			if (frame(r) < 0 || *r->stop)
				return fail(r, c);
			nap(10);
		} while (util_mono_ms() < until);
		return 0;
	case SCRIPT_TIMEOUT:
		r->timeout = c->n;
		return 0;
	case SCRIPT_ASSERT:
	case SCRIPT_ASSERT_CONTAINS:
	case SCRIPT_ASSERT_SCREEN:
	case SCRIPT_ASSERT_ABSENT:
	case SCRIPT_ASSERT_SPOKEN:
		return wait_for(r, c) ? 0 : fail(r, c);
	case SCRIPT_SCREENSHOT:
		if (!r->shots)
			return 0; /* as the kiosk: skipped without a folder */
		if (frame(r) < 0)
			return fail(r, c);
		if (util_fmt(path, sizeof path, "%s/%s.png", r->shots,
			     c->target) < 0 ||
		    display__screenshot(r->d, path, err, sizeof err) < 0) {
			fprintf(stderr, "%s:%d: screenshot %s: %s\n",
				r->s->name, c->line, c->target, err);
			return 1;
		}
		return 0;
	default:
		fprintf(stderr, "%s:%d: not available on the display (it takes "
			"no input)\n", r->s->name, c->line);
		return 1;
	}
}

int display__script_run(struct display *d, const struct script *s,
			const char *shots_dir, volatile int *stop)
{
	struct drun r = { .d = d, .s = s, .shots = shots_dir, .stop = stop,
			  .timeout = SCRIPT_TIMEOUT_DEFAULT };

	if (frame(&r) < 0)
		return 1;
	for (size_t i = 0; i < s->n; i++)
		if (run_cmd(&r, &s->cmds[i]) != 0)
			return 1;
	return 0;
}
