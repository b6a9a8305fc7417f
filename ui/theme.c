/*
 * theme.c — the two palettes, WCAG contrast, and millimetres to pixels.
 *
 * THEME_NORMAL holds the colours screens.c used from the start, unchanged;
 * the keyboard, field and focus colours were added with contrast checked
 * by tests/unit/test_theme.c. THEME_HIGH_CONTRAST is white and yellow on
 * black: black page, white text, yellow filled buttons with black text.
 */
#include "ui/theme.h"

#include <math.h>
#include <stddef.h>

#include "ui/app.h"

_Static_assert(THEME_LOGICAL_W == APP_W && THEME_LOGICAL_H == APP_H,
	       "theme.h's logical size must be the app's");

#define RGB(v) { (Uint8)((v) >> 16), (Uint8)((v) >> 8), (Uint8)(v), 0xff }

static const struct theme themes[THEME_COUNT] = {
	[THEME_NORMAL] = {
		.name = "normal",
		.page = RGB(0xf4f5f7),
		.ink = RGB(0x1b1f24),
		.muted = RGB(0x4a5560),
		.header_bg = RGB(0x004b87),
		.header_ink = RGB(0xffffff),
		.primary = RGB(0x004b87),
		.on_primary = RGB(0xffffff),
		.button_bg = RGB(0xffffff),
		.button_ink = RGB(0x004b87),
		.button_border = RGB(0x004b87),
		.card = RGB(0xffffff),
		.line = RGB(0xc5ccd3),
		.badge_bg = RGB(0x004b87),
		.badge_ink = RGB(0xffffff),
		.warn_bg = RGB(0xfff1d6),
		.warn_line = RGB(0xb35c00),
		.warn_ink = RGB(0x5a2e00),
		.error_ink = RGB(0x9b1c1c),
		.ok_ink = RGB(0x1d6b2f),
		.field_bg = RGB(0xffffff),
		.field_ink = RGB(0x1b1f24),
		.field_border = RGB(0x4a5560),
		.key_bg = RGB(0xffffff),
		.key_ink = RGB(0x1b1f24),
		.key_border = RGB(0x7a8694),
		.fn_key_bg = RGB(0xdde3ea),
		.fn_key_ink = RGB(0x1b1f24),
		.focus = RGB(0xb35c00),
	},
	[THEME_HIGH_CONTRAST] = {
		.name = "high-contrast",
		.page = RGB(0x000000),
		.ink = RGB(0xffffff),
		.muted = RGB(0xe6e6e6),
		.header_bg = RGB(0x000000),
		.header_ink = RGB(0xffffff),
		.primary = RGB(0xffd400),
		.on_primary = RGB(0x000000),
		.button_bg = RGB(0x000000),
		.button_ink = RGB(0xffd400),
		.button_border = RGB(0xffd400),
		.card = RGB(0x000000),
		.line = RGB(0xffffff),
		.badge_bg = RGB(0xffd400),
		.badge_ink = RGB(0x000000),
		.warn_bg = RGB(0x000000),
		.warn_line = RGB(0xffd400),
		.warn_ink = RGB(0xffd400),
		.error_ink = RGB(0xff9c9c),
		.ok_ink = RGB(0x8cff9e),
		.field_bg = RGB(0x000000),
		.field_ink = RGB(0xffffff),
		.field_border = RGB(0xffffff),
		.key_bg = RGB(0x000000),
		.key_ink = RGB(0xffffff),
		.key_border = RGB(0xffffff),
		.fn_key_bg = RGB(0xffffff),
		.fn_key_ink = RGB(0x000000),
		.focus = RGB(0x00e5ff),
	},
};

const struct theme *theme_get(enum theme_id id)
{
	if ((int)id < 0 || id >= THEME_COUNT)
		id = THEME_NORMAL;
	return &themes[id];
}

/* Every combination the screens draw: text on its ground, and the
 * boundaries a citizen needs to see to find a control. Card and
 * service-button borders (line) are decoration: the white card on the
 * light page and the text in it identify them, so they are not listed. */
#define PAIR(fg, bg, text) { #fg "/" #bg, offsetof(struct theme, fg), \
			     offsetof(struct theme, bg), text }
static const struct {
	const char *name;
	size_t fg, bg;
	int text;
} pairs[] = {
	PAIR(ink, page, 1),
	PAIR(muted, page, 1),
	PAIR(ink, card, 1),
	PAIR(muted, card, 1),
	PAIR(header_ink, header_bg, 1),
	PAIR(on_primary, primary, 1),
	PAIR(button_ink, button_bg, 1),
	PAIR(badge_ink, badge_bg, 1),
	PAIR(warn_ink, warn_bg, 1),
	PAIR(error_ink, page, 1),
	PAIR(error_ink, card, 1),
	PAIR(ok_ink, page, 1),
	PAIR(ok_ink, card, 1),
	PAIR(field_ink, field_bg, 1),
	PAIR(error_ink, field_bg, 1),
	PAIR(key_ink, key_bg, 1),
	PAIR(fn_key_ink, fn_key_bg, 1),
	PAIR(primary, page, 0),
	PAIR(button_border, page, 0),
	PAIR(field_border, page, 0),
	PAIR(field_border, field_bg, 0),
	PAIR(key_border, page, 0),
	PAIR(key_border, key_bg, 0),
	PAIR(warn_line, page, 0),
	PAIR(focus, page, 0),
};

int theme_pairs(const struct theme *th, struct theme_pair *out, int max)
{
	int n = (int)(sizeof pairs / sizeof pairs[0]);

	for (int i = 0; i < n && i < max; i++) {
		const char *base = (const char *)th;

		out[i].name = pairs[i].name;
		out[i].fg = *(const SDL_Color *)(const void *)(base + pairs[i].fg);
		out[i].bg = *(const SDL_Color *)(const void *)(base + pairs[i].bg);
		out[i].text = pairs[i].text;
	}
	return n;
}

static double channel(Uint8 v)
{
	double c = v / 255.0;

	return c <= 0.03928 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4);
}

static double luminance(SDL_Color c)
{
	return 0.2126 * channel(c.r) + 0.7152 * channel(c.g) +
	       0.0722 * channel(c.b);
}

double theme_contrast(SDL_Color fg, SDL_Color bg)
{
	double a = luminance(fg), b = luminance(bg);

	return a > b ? (a + 0.05) / (b + 0.05) : (b + 0.05) / (a + 0.05);
}

int theme_text_px(int px, int large)
{
	return large ? (px * THEME_LARGE_TEXT_PCT + 50) / 100 : px;
}

double theme_px_per_mm(const struct config *cfg)
{
	int wmm = cfg && cfg->display_width_mm > 0 ? cfg->display_width_mm
						   : 268;
	int hmm = cfg && cfg->display_height_mm > 0 ? cfg->display_height_mm
						    : 476;
	double x = (double)THEME_LOGICAL_W / wmm;
	double y = (double)THEME_LOGICAL_H / hmm;

	return x > y ? x : y;
}

int theme_min_target_px(const struct config *cfg)
{
	return (int)ceil(THEME_MIN_TARGET_MM * theme_px_per_mm(cfg) - 1e-9);
}
