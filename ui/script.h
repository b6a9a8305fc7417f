/*
 * script.h — scripted UI runs: a small line-based language (parser) and
 * its runner on a live app. docs/ui-scripts.md is the user's manual.
 *
 *   # comment
 *   tap #start            tap "Draw a ticket"       tap #service-x 2
 *   hold #header 3500
 *   type Hello            key Return                wait 500
 *   assert #ticket-number "A001"
 *   assert-contains #oos-detail "broken.conf:3:"
 *   assert-screen ticket  screenshot 01-welcome     timeout 8000
 *   slide #start #checkin assert-absent #more-time   assert-no-trace "Muster"
 *   assert-spoken "Welcome"  scan "BKT1:482913:K7QX2"
 *   monkey 10000 42       (random taps, slides and keys; seed 42)
 *   touch #key-1          click #key-2   (as SDL delivers them, with the
 *                         synthesised twin events, through ui/input.c)
 *   foreach de en tr uk ar      (the lines up to "end" once per word,
 *     tap #lang-{lang}           with {lang} replaced by it)
 *   end
 *
 * The parser reads outside bytes and has hard caps; it does NOT touch the
 * app (fuzz_script calls it alone). The runner feeds taps and holds
 * through app_pointer(), the same path as real SDL events, and polls assertions
 * frame by frame until they hold or the timeout passes.
 */
#ifndef BK_UI_SCRIPT_H
#define BK_UI_SCRIPT_H

#include <stddef.h>

#include "ui/app.h"

#define SCRIPT_FILE_MAX (256u * 1024)
#define SCRIPT_LINE_MAX 1024
#define SCRIPT_CMDS_MAX 4096
#define SCRIPT_NAME_MAX 64
#define SCRIPT_WAIT_MAX 600000          /* ms, for wait and timeout */
#define SCRIPT_TAPS_MAX 10
#define SCRIPT_HOLD_MAX 60000           /* ms a hold may last */
#define SCRIPT_TIMEOUT_DEFAULT 5000     /* ms an assertion may take */
#define SCRIPT_MONKEY_MAX 1000000       /* actions of one monkey command */

enum script_op {
	SCRIPT_TAP,
	SCRIPT_HOLD,
	SCRIPT_TYPE,
	SCRIPT_KEY,
	SCRIPT_WAIT,
	SCRIPT_ASSERT,
	SCRIPT_ASSERT_CONTAINS,
	SCRIPT_ASSERT_SCREEN,
	SCRIPT_SCREENSHOT,
	SCRIPT_TIMEOUT,
	SCRIPT_SLIDE,
	SCRIPT_ASSERT_NO_TRACE,
	SCRIPT_ASSERT_ABSENT,
	SCRIPT_ASSERT_SPOKEN,
	SCRIPT_SCAN,
	SCRIPT_MONKEY,
	SCRIPT_TOUCH,
	SCRIPT_CLICK,
};

struct script_cmd {
	enum script_op op;
	int line;
	int by_id;           /* target is #id (1) or a visible label (0) */
	char *target;        /* id or label; screen or shot name; key name */
	char *target2;       /* slide: where the finger is lifted (an id) */
	char *text;          /* expected text; typed text */
	long n;              /* ms (wait, timeout, hold), or number of taps */
	long seed;           /* monkey */
};

struct script {
	char name[256];
	struct script_cmd *cmds;
	size_t n;
};

/* Parses a whole script. Returns 0, or -1 with "NAME:LINE: what" in err
 * and the script left empty. */
int script_parse(struct script *s, const char *name, const char *text,
		 size_t len, char *err, size_t errlen);
void script_free(struct script *s);

/* Runs s on app; screenshots go to shots_dir (NULL: screenshot fails).
 * *stop is polled between frames (a signal ends the run). Returns 0 when
 * every command passed, 1 after printing "FILE:LINE: …" to stderr. */
int script_run(const struct script *s, struct app *app,
	       const char *shots_dir, volatile int *stop);

#endif
