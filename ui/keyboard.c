/*
 * keyboard.c — the layouts as data, their widgets, and the text buffer.
 *
 * A layout is one array of key definitions, rows separated by ROW. A key's
 * width is given in units (a letter key is 2 units); every row of a layout
 * shares one unit width, chosen so that the fullest row fits, and rows are
 * centred. The index of a key (widget.arg) counts keys only, left to right
 * and top to bottom, so it does not depend on shift or caps.
 *
 * Capitals: a layout with a shift key shows capitals when exactly one of
 * shift and caps is on (shift while caps lock is on types one small
 * letter, as on a PC). Shift is one-shot: it ends after one character.
 */
#include "ui/keyboard.h"

#include <stdio.h>
#include <string.h>

#include "firmware/log.h"
#include "firmware/util.h"

struct kdef {
	const char *lo, *up;          /* up NULL: the same as lo */
	unsigned char kind;           /* enum keyboard_key_kind; 0 = ROW */
	unsigned char units;
};

#define K(lo, up) { lo, up, KEY_CHAR, 2 }
#define S(ch) { ch, NULL, KEY_CHAR, 2 }           /* no capital */
#define W(ch, u) { ch, NULL, KEY_CHAR, u }        /* wider, no capital */
#define FN(kind, u) { NULL, NULL, kind, u }
#define ROW { NULL, NULL, KEY_NONE, 0 }
#define DIGITS S("1"), S("2"), S("3"), S("4"), S("5"), S("6"), S("7"), \
	       S("8"), S("9"), S("0")

static const struct kdef kb_de[] = {
	DIGITS, S("ß"), ROW,
	K("q", "Q"), K("w", "W"), K("e", "E"), K("r", "R"), K("t", "T"),
	K("z", "Z"), K("u", "U"), K("i", "I"), K("o", "O"), K("p", "P"),
	K("ü", "Ü"), ROW,
	K("a", "A"), K("s", "S"), K("d", "D"), K("f", "F"), K("g", "G"),
	K("h", "H"), K("j", "J"), K("k", "K"), K("l", "L"), K("ö", "Ö"),
	K("ä", "Ä"), ROW,
	FN(KEY_SHIFT, 3), K("y", "Y"), K("x", "X"), K("c", "C"), K("v", "V"),
	K("b", "B"), K("n", "N"), K("m", "M"), S("-"), FN(KEY_BACKSPACE, 3),
	ROW,
	FN(KEY_CAPS, 3), FN(KEY_LAYOUT, 3), S(","), FN(KEY_SPACE, 8), S("."),
	FN(KEY_ENTER, 4),
};

/* Turkish Q: dotless ı and dotted i are two letters; their capitals are
 * I and İ (not the ASCII mapping). */
static const struct kdef kb_tr[] = {
	DIGITS, S("-"), ROW,
	K("q", "Q"), K("w", "W"), K("e", "E"), K("r", "R"), K("t", "T"),
	K("y", "Y"), K("u", "U"), K("ı", "I"), K("o", "O"), K("p", "P"),
	K("ğ", "Ğ"), K("ü", "Ü"), ROW,
	K("a", "A"), K("s", "S"), K("d", "D"), K("f", "F"), K("g", "G"),
	K("h", "H"), K("j", "J"), K("k", "K"), K("l", "L"), K("ş", "Ş"),
	K("i", "İ"), ROW,
	FN(KEY_SHIFT, 3), K("z", "Z"), K("x", "X"), K("c", "C"), K("v", "V"),
	K("b", "B"), K("n", "N"), K("m", "M"), K("ö", "Ö"), K("ç", "Ç"),
	FN(KEY_BACKSPACE, 3), ROW,
	FN(KEY_CAPS, 3), FN(KEY_LAYOUT, 3), S(","), FN(KEY_SPACE, 8), S("."),
	FN(KEY_ENTER, 4),
};

/* Ukrainian ЙЦУКЕН (with ї, є, ґ, і in the places of the Ukrainian
 * layout's extra keys) and the apostrophe of words like "м'ята". */
static const struct kdef kb_uk[] = {
	S("'"), DIGITS, S("-"), ROW,
	K("й", "Й"), K("ц", "Ц"), K("у", "У"), K("к", "К"), K("е", "Е"),
	K("н", "Н"), K("г", "Г"), K("ш", "Ш"), K("щ", "Щ"), K("з", "З"),
	K("х", "Х"), K("ї", "Ї"), ROW,
	K("ф", "Ф"), K("і", "І"), K("в", "В"), K("а", "А"), K("п", "П"),
	K("р", "Р"), K("о", "О"), K("л", "Л"), K("д", "Д"), K("ж", "Ж"),
	K("є", "Є"), K("ґ", "Ґ"), ROW,
	FN(KEY_SHIFT, 3), K("я", "Я"), K("ч", "Ч"), K("с", "С"), K("м", "М"),
	K("и", "И"), K("т", "Т"), K("ь", "Ь"), K("б", "Б"), K("ю", "Ю"),
	FN(KEY_BACKSPACE, 3), ROW,
	FN(KEY_CAPS, 3), FN(KEY_LAYOUT, 3), S(","), FN(KEY_SPACE, 10), S("."),
	FN(KEY_ENTER, 4),
};

/* The Arabic (101) letter keys, left to right as printed on the keys; no
 * capitals. لا is one key that types two characters, as on the keyboard. */
static const struct kdef kb_ar[] = {
	DIGITS, ROW,
	S("ض"), S("ص"), S("ث"), S("ق"), S("ف"), S("غ"), S("ع"), S("ه"),
	S("خ"), S("ح"), S("ج"), S("د"), ROW,
	S("ش"), S("س"), S("ي"), S("ب"), S("ل"), S("ا"), S("ت"), S("ن"),
	S("م"), S("ك"), S("ط"), ROW,
	S("ذ"), S("ئ"), S("ء"), S("ؤ"), S("ر"), S("لا"), S("ى"), S("ة"),
	S("و"), S("ز"), S("ظ"), FN(KEY_BACKSPACE, 3), ROW,
	FN(KEY_LAYOUT, 4), S("،"), FN(KEY_SPACE, 10), S("."),
	FN(KEY_ENTER, 4),
};

static const struct kdef kb_email[] = {
	DIGITS, ROW,
	S("q"), S("w"), S("e"), S("r"), S("t"), S("z"), S("u"), S("i"),
	S("o"), S("p"), ROW,
	S("a"), S("s"), S("d"), S("f"), S("g"), S("h"), S("j"), S("k"),
	S("l"), S("_"), ROW,
	S("y"), S("x"), S("c"), S("v"), S("b"), S("n"), S("m"), S("-"),
	S("."), FN(KEY_BACKSPACE, 3), ROW,
	W("@", 4), W(".de", 4), S("+"), FN(KEY_ENTER, 6),
};

static const struct kdef kb_numeric[] = {
	S("1"), S("2"), S("3"), ROW,
	S("4"), S("5"), S("6"), ROW,
	S("7"), S("8"), S("9"), ROW,
	S("."), S("0"), FN(KEY_BACKSPACE, 2), ROW,
	FN(KEY_ENTER, 6),
};

static const struct kdef kb_phone[] = {
	S("1"), S("2"), S("3"), ROW,
	S("4"), S("5"), S("6"), ROW,
	S("7"), S("8"), S("9"), ROW,
	S("+"), S("0"), FN(KEY_BACKSPACE, 2), ROW,
	FN(KEY_SPACE, 3), FN(KEY_ENTER, 3),
};

static const struct {
	const char *name;
	const struct kdef *keys;
	int n;                        /* entries, ROW included */
	int has_shift;
} layouts[KB_LAYOUT_COUNT] = {
#define L(id, name, arr, shift) \
	[id] = { name, arr, (int)(sizeof arr / sizeof arr[0]), shift }
	L(KB_DE, "de", kb_de, 1),
	L(KB_TR, "tr", kb_tr, 1),
	L(KB_UK, "uk", kb_uk, 1),
	L(KB_AR, "ar", kb_ar, 0),
	L(KB_EMAIL, "email", kb_email, 0),
	L(KB_NUMERIC, "numeric", kb_numeric, 0),
	L(KB_PHONE, "phone", kb_phone, 0),
#undef L
};

static const struct {
	const char *ch, *name;
} named[] = {
	{ "@", "at" }, { ".", "dot" }, { "-", "minus" }, { "_", "underscore" },
	{ "+", "plus" }, { ",", "comma" }, { "'", "apostrophe" },
	{ "/", "slash" }, { "#", "hash" }, { "*", "star" }, { ".de", "tld" },
};

static int valid_layout(enum keyboard_layout l)
{
	return (int)l >= 0 && l < KB_LAYOUT_COUNT;
}

void keyboard_init(struct keyboard *kb, enum keyboard_layout home,
		   int action)
{
	memset(kb, 0, sizeof *kb);
	kb->home = kb->shown = valid_layout(home) ? home : KB_DE;
	kb->action = action;
}

enum keyboard_layout keyboard_layout_for_lang(const char *lang)
{
	if (!lang)
		return KB_DE;
	if (!strcmp(lang, "tr"))
		return KB_TR;
	if (!strcmp(lang, "uk"))
		return KB_UK;
	if (!strcmp(lang, "ar"))
		return KB_AR;
	return KB_DE;
}

const char *keyboard_layout_name(enum keyboard_layout l)
{
	return valid_layout(l) ? layouts[l].name : "?";
}

int keyboard_key_count(enum keyboard_layout l)
{
	int n = 0;

	if (!valid_layout(l))
		return 0;
	for (int i = 0; i < layouts[l].n; i++)
		n += layouts[l].keys[i].kind != KEY_NONE;
	return n;
}

/* The definition of key arg, or NULL. */
static const struct kdef *kdef_at(enum keyboard_layout l, int arg)
{
	if (!valid_layout(l) || arg < 0)
		return NULL;
	for (int i = 0; i < layouts[l].n; i++) {
		const struct kdef *k = &layouts[l].keys[i];

		if (k->kind == KEY_NONE)
			continue;
		if (arg-- == 0)
			return k;
	}
	return NULL;
}

/* Decodes one UTF-8 sequence of well-formed text; returns its length. */
static int utf8_next(const unsigned char *s, unsigned *cp)
{
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if ((s[0] & 0xe0) == 0xc0) {
		*cp = (unsigned)(s[0] & 0x1f) << 6 | (s[1] & 0x3f);
		return 2;
	}
	if ((s[0] & 0xf0) == 0xe0) {
		*cp = (unsigned)(s[0] & 0x0f) << 12 |
		      (unsigned)(s[1] & 0x3f) << 6 | (s[2] & 0x3f);
		return 3;
	}
	*cp = (unsigned)(s[0] & 0x07) << 18 | (unsigned)(s[1] & 0x3f) << 12 |
	      (unsigned)(s[2] & 0x3f) << 6 | (s[3] & 0x3f);
	return 4;
}

static void char_id(char *id, size_t len, const char *ch)
{
	const unsigned char *p = (const unsigned char *)ch;
	size_t n;

	for (size_t i = 0; i < sizeof named / sizeof named[0]; i++)
		if (!strcmp(named[i].ch, ch)) {
			snprintf(id, len, "key-%s", named[i].name);
			return;
		}
	if (p[0] < 0x80 && p[1] == '\0' &&
	    ((p[0] >= 'a' && p[0] <= 'z') || (p[0] >= '0' && p[0] <= '9'))) {
		snprintf(id, len, "key-%c", p[0]);
		return;
	}
	n = (size_t)snprintf(id, len, "key-");
	while (*p && n < len) {
		unsigned cp;

		p += utf8_next(p, &cp);
		n += (size_t)snprintf(id + n, len - n, "u%04x", cp);
	}
}

static const char *fn_id(enum keyboard_key_kind kind)
{
	switch (kind) {
	case KEY_NONE: return "key-none";
	case KEY_CHAR: return "key-char";
	case KEY_SHIFT: return "key-shift";
	case KEY_CAPS: return "key-caps";
	case KEY_BACKSPACE: return "key-backspace";
	case KEY_SPACE: return "key-space";
	case KEY_ENTER: return "key-enter";
	case KEY_LAYOUT: return "key-layout";
	}
	return "key-none";
}

static const char *fn_label(enum keyboard_key_kind kind)
{
	switch (kind) {
	case KEY_NONE: return "";
	case KEY_CHAR: return "";
	case KEY_SHIFT: return "\u21e7";     /* ⇧ */
	case KEY_CAPS: return "\u21ea";      /* ⇪ */
	case KEY_BACKSPACE: return "\u232b"; /* ⌫ */
	case KEY_SPACE: return "\u2423";     /* ␣ */
	case KEY_ENTER: return "\u23ce";     /* ⏎ */
	case KEY_LAYOUT: return "";
	}
	return "";
}

/* The layout key names where it leads, in that layout's own script. */
static const char *layout_label(enum keyboard_layout home,
				enum keyboard_layout shown)
{
	if (shown == home)
		return home == KB_TR ? "ÄÖÜ" : "ABC";
	switch (home) {
	case KB_TR: return "ÇĞŞ";
	case KB_UK: return "АБВ";
	case KB_AR: return "أبت";
	default: return "ABC";
	}
}

struct keyboard_key keyboard_key(enum keyboard_layout l, int capitals,
				 int arg)
{
	struct keyboard_key key = { KEY_NONE, "", "", "" };
	const struct kdef *k = kdef_at(l, arg);

	if (!k)
		return key;
	key.kind = (enum keyboard_key_kind)k->kind;
	if (key.kind == KEY_CHAR) {
		key.utf8 = capitals && layouts[l].has_shift && k->up ? k->up
								      : k->lo;
		key.label = key.utf8;
		char_id(key.id, sizeof key.id, k->lo);
		return key;
	}
	if (key.kind == KEY_SPACE)
		key.utf8 = " ";
	key.label = fn_label(key.kind);
	snprintf(key.id, sizeof key.id, "%s", fn_id(key.kind));
	return key;
}

const char *keyboard_key_utf8(enum keyboard_layout l, int capitals, int arg)
{
	struct keyboard_key k = keyboard_key(l, capitals, arg);

	return k.kind == KEY_CHAR || k.kind == KEY_SPACE ? k.utf8 : NULL;
}

/* 1 when kb has a second layout: the layout key is shown. German,
 * e-mail and the pads have none; on them the key is left out and the
 * space bar takes its place. */
static int has_alt(const struct keyboard *kb)
{
	return kb->home == KB_TR || kb->home == KB_UK || kb->home == KB_AR;
}

static int capitals(const struct keyboard *kb)
{
	return (kb->shift != 0) != (kb->caps != 0);
}

/* The label key arg shows in kb's state; the layout key names its target
 * and shift/caps show a filled arrow while on. */
static const char *label_of(const struct keyboard *kb,
			    const struct keyboard_key *k)
{
	switch (k->kind) {
	case KEY_LAYOUT:
		return layout_label(kb->home, kb->shown);
	case KEY_SHIFT:
		return kb->shift ? "\u2b06" : k->label;  /* ⬆ while on */
	case KEY_CAPS:
		return kb->caps ? "\u2b06\u2b06" : k->label;
	default:
		return k->label;
	}
}

/* Function keys that are on swap their colours, so the state shows. */
static int key_on(const struct keyboard *kb, enum keyboard_key_kind kind)
{
	return (kind == KEY_SHIFT && kb->shift) || (kind == KEY_CAPS && kb->caps);
}

static void paint(struct widget *w, const struct keyboard_colors *c,
		  enum keyboard_key_kind kind, int on)
{
	int fn = kind != KEY_CHAR && kind != KEY_SPACE;
	SDL_Color bg = fn ? c->fn_bg : c->key_bg;
	SDL_Color fg = fn ? c->fn_text : c->key_text;

	w->bg = on ? fg : bg;
	w->style.color = on ? bg : fg;
	w->border = c->key_border;
}

/* The unit width of layout l in w px with gap px between keys: the
 * largest that lets every row fit. */
static int unit_width(enum keyboard_layout l, int w, int gap, int *rows)
{
	int best = w, units = 0, keys = 0;

	*rows = 1;
	for (int i = 0; i <= layouts[l].n; i++) {
		const struct kdef *k = i < layouts[l].n ? &layouts[l].keys[i]
							: NULL;

		if (!k || k->kind == KEY_NONE) {
			int u = units ? (w - (keys - 1) * gap) / units : w;
			if (u < best)
				best = u;
			units = keys = 0;
			if (k)
				(*rows)++;
			continue;
		}
		units += k->units;
		keys++;
	}
	return best;
}

#define KEY_GAP 10

/* The index range [first, end) of the row holding entry i. */
static void row_range(enum keyboard_layout l, int i, int *first, int *end)
{
	int a = i, b = i;

	while (a > 0 && layouts[l].keys[a - 1].kind != KEY_NONE)
		a--;
	while (b < layouts[l].n && layouts[l].keys[b].kind != KEY_NONE)
		b++;
	*first = a;
	*end = b;
}

static int row_has(enum keyboard_layout l, int i, enum keyboard_key_kind kind)
{
	int a, b;

	row_range(l, i, &a, &b);
	for (; a < b; a++)
		if (layouts[l].keys[a].kind == kind)
			return 1;
	return 0;
}

/* The width of the row's key of this kind. */
static int kw_of(enum keyboard_layout l, int i, enum keyboard_key_kind kind,
		 int unit)
{
	int a, b;

	row_range(l, i, &a, &b);
	for (; a < b; a++)
		if (layouts[l].keys[a].kind == kind)
			return layouts[l].keys[a].units * unit;
	return 0;
}

struct widget *keyboard_build(struct widget *parent, const struct keyboard *kb,
			      int x, int y, int w, int h, int min_key_px,
			      const struct keyboard_colors *colors)
{
	enum keyboard_layout l = kb->shown;
	int rows, unit, row_h, row = 0, arg = 0, size;
	struct widget *box;

	if (!valid_layout(l) || !parent ||
	    parent->n_children == WIDGET_CHILDREN_MAX)
		return NULL;
	unit = unit_width(l, w, KEY_GAP, &rows);
	row_h = (h - (rows - 1) * KEY_GAP) / rows;
	if (2 * unit < min_key_px || row_h < min_key_px) {
		log_warn("keyboard", "%s keys would be %dx%d px, below %d px",
			 layouts[l].name, 2 * unit, row_h, min_key_px);
		return NULL;
	}
	size = row_h * 45 / 100;
	if (size > 60)
		size = 60;
	box = widget_create(parent, WIDGET_BOX, "keyboard", x, y, w, h);
	if (!box)
		return NULL;
	for (int i = 0; i < layouts[l].n; row++) {
		int units = 0, keys = 0, kx, j;

		for (j = i; j < layouts[l].n &&
			    layouts[l].keys[j].kind != KEY_NONE; j++) {
			units += layouts[l].keys[j].units;
			keys++;
		}
		kx = x + (w - units * unit - (keys - 1) * KEY_GAP) / 2;
		for (; i < j; i++, arg++) {
			struct keyboard_key k = keyboard_key(l, capitals(kb),
							     arg);
			int kw = layouts[l].keys[i].units * unit;
			struct widget *b;

			/* no second layout: the space bar takes the layout
			 * key's room, so the row keeps its width */
			if (k.kind == KEY_LAYOUT && !has_alt(kb))
				continue;
			if (k.kind == KEY_SPACE && !has_alt(kb) &&
			    row_has(l, i, KEY_LAYOUT))
				kw += kw_of(l, i, KEY_LAYOUT, unit) + KEY_GAP;
			b = widget_create(
				box, WIDGET_BUTTON, k.id, kx,
				y + row * (row_h + KEY_GAP), kw, row_h);

			if (!b || widget_set_text(b, label_of(kb, &k)) < 0) {
				widget_destroy(box);
				return NULL;
			}
			b->style = (struct text_style){
				.size = k.kind == KEY_LAYOUT ? size * 3 / 4
							     : size,
				.bold = 1, .wrap = 0,
				.align = TEXT_CENTER };
			paint(b, colors, k.kind, key_on(kb, k.kind));
			b->radius = 14;
			b->action = kb->action;
			b->arg = arg;
			kx += kw + KEY_GAP;
		}
		i = j + 1; /* past ROW */
	}
	return box;
}

int keyboard_relabel(struct widget *box, const struct keyboard *kb)
{
	for (int i = 0; i < box->n_children; i++) {
		struct widget *b = box->children[i];
		struct keyboard_key k = keyboard_key(kb->shown, capitals(kb),
						     b->arg);
		const char *label = label_of(kb, &k);
		int was_on, on = key_on(kb, k.kind);

		if (k.kind == KEY_NONE)
			continue;
		/* the label says whether the colours are swapped now */
		was_on = (k.kind == KEY_SHIFT || k.kind == KEY_CAPS) &&
			 b->text && strstr(b->text, "\u2b06");
		if (on != was_on) {
			SDL_Color t = b->bg;
			b->bg = b->style.color;
			b->style.color = t;
		}
		if (!b->text || strcmp(b->text, label))
			if (widget_set_text(b, label) < 0)
				return -1;
	}
	return 0;
}

/* ---- the text buffer ---- */

void textbuf_init(struct textbuf *tb, size_t cap, size_t max_chars)
{
	util_wipe(tb->data, sizeof tb->data);
	tb->len = 0;
	tb->cap = cap == 0 || cap > TEXTBUF_MAX ? TEXTBUF_MAX : cap;
	tb->max_chars = max_chars;
}

static size_t count_chars(const char *s, size_t n)
{
	size_t c = 0;

	for (size_t i = 0; i < n; i++)
		c += ((unsigned char)s[i] & 0xc0) != 0x80;
	return c;
}

size_t textbuf_chars(const struct textbuf *tb)
{
	return count_chars(tb->data, tb->len);
}

int textbuf_insert(struct textbuf *tb, const char *utf8)
{
	const unsigned char *p = (const unsigned char *)utf8;
	char add[TEXTBUF_MAX];
	size_t n = 0, len = strlen(utf8);

	if (!util_utf8_valid(utf8, len, 0))
		return -1;
	while (*p) {
		unsigned cp;
		int step = utf8_next(p, &cp);

		if (cp >= 0x20 && cp != 0x7f && !(cp >= 0x80 && cp < 0xa0)) {
			if (n + (size_t)step >= sizeof add)
				return 0;
			memcpy(add + n, p, (size_t)step);
			n += (size_t)step;
		}
		p += step;
	}
	if (n == 0 || tb->len + n >= tb->cap ||
	    (tb->max_chars &&
	     textbuf_chars(tb) + count_chars(add, n) > tb->max_chars)) {
		util_wipe(add, sizeof add);
		return 0;
	}
	memcpy(tb->data + tb->len, add, n);
	tb->len += n;
	tb->data[tb->len] = '\0';
	util_wipe(add, sizeof add);
	return (int)n;
}

int textbuf_backspace(struct textbuf *tb)
{
	size_t n = tb->len;

	if (n == 0)
		return 0;
	do
		n--;
	while (n > 0 && ((unsigned char)tb->data[n] & 0xc0) == 0x80);
	util_wipe(tb->data + n, tb->len - n);
	tb->len = n;
	return 1;
}

void textbuf_wipe(struct textbuf *tb)
{
	util_wipe(tb->data, sizeof tb->data);
	tb->len = 0;
}

enum keyboard_result keyboard_press(struct keyboard *kb, struct textbuf *tb,
				    int arg)
{
	struct keyboard_key k = keyboard_key(kb->shown, capitals(kb), arg);

	switch (k.kind) {
	case KEY_NONE:
		return KB_IGNORED;
	case KEY_CHAR:
	case KEY_SPACE:
		if (textbuf_insert(tb, k.utf8) <= 0)
			return KB_IGNORED;
		if (kb->shift && k.kind == KEY_CHAR) {
			kb->shift = 0;
			return KB_RELABEL;
		}
		return KB_TYPED;
	case KEY_BACKSPACE:
		return textbuf_backspace(tb) ? KB_TYPED : KB_IGNORED;
	case KEY_SHIFT:
		kb->shift = !kb->shift;
		return KB_RELABEL;
	case KEY_CAPS:
		kb->caps = !kb->caps;
		kb->shift = 0;
		return KB_RELABEL;
	case KEY_ENTER:
		return KB_ENTER;
	case KEY_LAYOUT:
		if (!has_alt(kb))
			return KB_IGNORED;
		kb->shown = kb->shown == kb->home ? KB_DE : kb->home;
		kb->shift = kb->caps = 0;
		return KB_RELAYOUT;
	}
	return KB_IGNORED;
}
