/*
 * keyboard.h — on-screen keyboards as widgets, and the text buffer they
 * type into.
 *
 * A keyboard is a WIDGET_BOX (id "keyboard") whose children are buttons,
 * one per key. Every key carries the same action code (the caller's, e.g.
 * ACT_KEY) and in widget.arg its index in the layout; keyboard_press()
 * maps that index back and applies it to a struct textbuf. So the screens
 * hold no callbacks and a script taps "#key-a" like a finger would.
 *
 * Key ids (stable across shift, caps and language, so scripts keep
 * working):
 *   letters and digits a-z 0-9   "key-a" … "key-z", "key-0" … "key-9"
 *   named punctuation            "key-at" "key-dot" "key-minus"
 *                                "key-underscore" "key-plus" "key-comma"
 *                                "key-apostrophe" "key-slash" "key-hash"
 *                                "key-star" "key-tld" (".de")
 *   any other character          "key-u" + 4-6 lower-case hex digits of
 *                                its code point: ä "key-u00e4",
 *                                ß "key-u00df", й "key-u0439",
 *                                ض "key-u0636" (the unshifted character)
 *   function keys                "key-shift" "key-caps" "key-backspace"
 *                                "key-space" "key-enter" "key-layout"
 *
 * Layouts (rows top to bottom; every letter layout has a digit row, since
 * street names carry house numbers):
 *   KB_DE       German QWERTZ with ü ö ä ß; shift (one character) and
 *               caps lock (until pressed again) give capitals, ß stays ß
 *               (ẞ is not used in addresses)
 *   KB_TR       Turkish Q: … ı o p ğ ü / … l ş i / … ö ç; dotted and
 *               dotless i capitalise as İ and I (Turkish rules, not ASCII)
 *   KB_UK       Ukrainian ЙЦУКЕН with ґ є і ї and the apostrophe ʼ-key
 *               (types U+0027 as Ukrainian orthography writes it on forms)
 *   KB_AR       the standard Arabic (101) letters; no shift (Arabic has no
 *               capitals; the shift and caps keys are absent)
 *   KB_EMAIL    QWERTZ letters lower case, digits, @ . - _ and ".de"
 *   KB_NUMERIC  0-9 and backspace/enter (dates, postcodes, numbers)
 *   KB_PHONE    0-9, + and space, backspace/enter
 *
 * The layout key ("key-layout") appears only where a switch makes sense:
 * on KB_TR, KB_UK and KB_AR it switches to KB_DE and back, so a Ukrainian
 * citizen can type a German street name ("Schloßstraße") and return.
 * KB_DE, KB_EMAIL, KB_NUMERIC and KB_PHONE have no layout key.
 *
 * Sizes: keyboard_build() refuses an area whose keys would be smaller than
 * min_key_px in either direction (theme_min_target_px(): 15 mm on the
 * configured panel). At the default 21.5" panel (4.03 px/mm, 61 px for 15
 * mm) and an area of 1040 × 560 px the narrowest keys are Arabic's, 74 ×
 * 104 px (18.3 × 25.8 mm); docs/accessibility.md has the table
 * (tests/unit/test_keyboard.c prints it). The pads (KB_NUMERIC, KB_PHONE)
 * have 3 keys a row: give them a narrower area (e.g. 600 px).
 *
 * The keys keep the order of the physical keyboards in every language:
 * an Arabic screen that mirrors its layout must not mirror the keyboard.
 *
 * A physical keyboard types into the same textbuf: the app passes SDL
 * text input to textbuf_insert() and Backspace to textbuf_backspace().
 *
 * This module does NOT draw (widget.c does), know the app's actions,
 * translate labels (keys show characters; the few words on function keys
 * are symbols: ⇧ ⇪ ⌫ ⏎ and the layout key shows the target's name in its
 * own script, "ABC" / "АБВ" / "ABÇ" / "أبت"), or speak.
 */
#ifndef BK_UI_KEYBOARD_H
#define BK_UI_KEYBOARD_H

#include <stddef.h>

#include <SDL.h>

#include "ui/widget.h"

enum keyboard_layout {
	KB_DE = 0,
	KB_TR,
	KB_UK,
	KB_AR,
	KB_EMAIL,
	KB_NUMERIC,
	KB_PHONE,
	KB_LAYOUT_COUNT
};

enum keyboard_key_kind {
	KEY_NONE = 0,    /* no such key (arg out of range) */
	KEY_CHAR,        /* types utf8 */
	KEY_SHIFT,
	KEY_CAPS,
	KEY_BACKSPACE,
	KEY_SPACE,       /* types " " */
	KEY_ENTER,
	KEY_LAYOUT,      /* citizen's layout <-> Latin */
};

/* What one key is, in the current shift state. */
struct keyboard_key {
	enum keyboard_key_kind kind;
	const char *utf8;     /* KEY_CHAR, KEY_SPACE: what is typed ("" else) */
	const char *label;    /* what the key shows (never NULL) */
	char id[WIDGET_ID_MAX];
};

/* The keyboard's state; embed it in the screen's state. */
struct keyboard {
	enum keyboard_layout home;   /* the layout the field asked for */
	enum keyboard_layout shown;  /* home, or KB_DE after "key-layout" */
	int shift;                   /* one character in capitals */
	int caps;                    /* capitals until pressed again */
	int action;                  /* the action code of every key */
};

/* A keyboard showing home, lower case. action is the app's code that every
 * key button carries. */
void keyboard_init(struct keyboard *kb, enum keyboard_layout home,
		   int action);

/* The letter layout for a citizen's language: de, en → KB_DE; tr → KB_TR;
 * uk → KB_UK; ar → KB_AR; anything else KB_DE. */
enum keyboard_layout keyboard_layout_for_lang(const char *lang);

/* "de", "tr", "uk", "ar", "email", "numeric", "phone". */
const char *keyboard_layout_name(enum keyboard_layout l);

/* Number of keys of layout l (including function keys). */
int keyboard_key_count(enum keyboard_layout l);

/* Key arg of layout l with capitals on or off. kind KEY_NONE when arg is
 * out of range. Pure: no state. */
struct keyboard_key keyboard_key(enum keyboard_layout l, int capitals,
				 int arg);

/* What key arg types now: the UTF-8 text, or NULL for a function key. */
const char *keyboard_key_utf8(enum keyboard_layout l, int capitals, int arg);

/* Adds a box "keyboard" at (x, y, w, h) to parent with one button per key
 * of kb->shown, in kb's shift state, coloured by the given colours (key
 * text on key background, border; function keys use fn_bg/fn_text).
 * Returns the box, or NULL (nothing added) when out of memory, parent is
 * full, or a key would be smaller than min_key_px in width or height. */
struct keyboard_colors {
	SDL_Color key_bg, key_text, key_border, fn_bg, fn_text;
};
struct widget *keyboard_build(struct widget *parent, const struct keyboard *kb,
			      int x, int y, int w, int h, int min_key_px,
			      const struct keyboard_colors *colors);

/* ---- the text a keyboard types into ---- */

#define TEXTBUF_MAX 512   /* bytes incl. NUL: the largest field there is */

/* UTF-8 text with the cursor at the end. Invariant: data[0..len) is
 * well-formed UTF-8 without control characters, data[len] == '\0',
 * len < cap <= TEXTBUF_MAX, and no more than max_chars characters. */
struct textbuf {
	char data[TEXTBUF_MAX];
	size_t len;
	size_t cap;          /* bytes usable incl. NUL (<= TEXTBUF_MAX) */
	size_t max_chars;    /* 0 = only cap limits */
};

/* An empty buffer of cap bytes (clamped to TEXTBUF_MAX) and at most
 * max_chars characters (0: no limit but cap). */
void textbuf_init(struct textbuf *tb, size_t cap, size_t max_chars);

/* Appends utf8 (from a key or SDL_TEXTINPUT). Control characters are
 * dropped; ill-formed UTF-8 is refused whole. Returns the number of bytes
 * added, 0 when it did not fit (nothing is added then: a character is
 * never cut), -1 when refused. */
int textbuf_insert(struct textbuf *tb, const char *utf8);

/* Removes the last character (a whole UTF-8 sequence: "ä" is 2 bytes,
 * "ض" 2, "€" 3). Returns 1 if one was removed, 0 when empty. */
int textbuf_backspace(struct textbuf *tb);

/* Number of characters (code points) in tb. */
size_t textbuf_chars(const struct textbuf *tb);

/* Overwrites the whole buffer with zeros (util_wipe) and empties it; cap
 * and max_chars stay. Call when a field or a session ends. */
void textbuf_wipe(struct textbuf *tb);

/* What a key press did, for the caller to update the screen. */
enum keyboard_result {
	KB_IGNORED = 0,   /* unknown arg, or a character that did not fit */
	KB_TYPED,         /* tb changed (character, space or backspace) */
	KB_RELABEL,       /* shift or caps changed: labels must change
			   * (after a capital that ended shift, tb changed
			   * too) */
	KB_RELAYOUT,      /* the layout changed: the keys must be rebuilt */
	KB_ENTER,         /* enter was pressed */
};

/* Applies the key with index arg of kb->shown to tb and kb: types,
 * deletes, toggles shift/caps (one-shot shift ends after a character),
 * switches layout. */
enum keyboard_result keyboard_press(struct keyboard *kb, struct textbuf *tb,
				    int arg);

/* Sets the labels of the keys in box (from keyboard_build) to kb's shift
 * state, in place: no widget is freed, so pointers to keys stay valid.
 * After KB_RELAYOUT the caller destroys box and builds a new keyboard.
 * -1 when out of memory. */
int keyboard_relabel(struct widget *box, const struct keyboard *kb);

#endif
