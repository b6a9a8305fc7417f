/*
 * test_theme.c — every colour pair of both themes meets its contrast
 * ratio, the WCAG formula gives the known figures, and 15 mm comes out in
 * pixels as the panel size says.
 *
 * It prints the table of measured ratios that docs/accessibility.md
 * quotes: ctest -R unit.test_theme -V
 */
#include <math.h>
#include <stdio.h>

#include "tests/unit/check.h"
#include "ui/theme.h"

static SDL_Color hex(unsigned v)
{
	return (SDL_Color){ (Uint8)(v >> 16), (Uint8)(v >> 8), (Uint8)v,
			    0xff };
}

static void test_formula(void)
{
	/* the reference points of WCAG 2.x */
	CHECK(fabs(theme_contrast(hex(0x000000), hex(0xffffff)) - 21.0) < 1e-9);
	CHECK(fabs(theme_contrast(hex(0xffffff), hex(0x000000)) - 21.0) < 1e-9);
	CHECK(fabs(theme_contrast(hex(0x336699), hex(0x336699)) - 1.0) < 1e-9);
	/* #777777 on white is the classic "just fails AA" grey: 4.48 */
	CHECK(fabs(theme_contrast(hex(0x777777), hex(0xffffff)) - 4.478) <
	      0.005);
	/* #767676 is the lightest grey that passes: 4.54 */
	CHECK(theme_contrast(hex(0x767676), hex(0xffffff)) >= 4.5);
	/* pure red on white: 3.998 */
	CHECK(fabs(theme_contrast(hex(0xff0000), hex(0xffffff)) - 3.998) <
	      0.005);
}

static void check_theme(enum theme_id id, double text_min)
{
	const struct theme *th = theme_get(id);
	struct theme_pair p[64];
	int n = theme_pairs(th, p, 64);

	REQUIRE(n > 10 && n <= 64);
	printf("theme %s\n", th->name);
	for (int i = 0; i < n; i++) {
		double need = p[i].text ? text_min : 3.0;
		double c = theme_contrast(p[i].fg, p[i].bg);
		char what[160];

		printf("  %-28s #%02x%02x%02x on #%02x%02x%02x  %5.2f:1  "
		       "(%s, needs %.1f)\n", p[i].name, p[i].fg.r, p[i].fg.g,
		       p[i].fg.b, p[i].bg.r, p[i].bg.g, p[i].bg.b, c,
		       p[i].text ? "text" : "non-text", need);
		if (c + 1e-9 < need) {
			snprintf(what, sizeof what,
				 "theme %s: pair %s has %.2f:1, needs %.1f:1",
				 th->name, p[i].name, c, need);
			check_fail(__FILE__, __LINE__, what);
		}
	}
}

static void test_normal(void)
{
	check_theme(THEME_NORMAL, 4.5);
}

static void test_high_contrast(void)
{
	check_theme(THEME_HIGH_CONTRAST, 7.0);
}

/* The normal theme is what the screens always showed: the page and the
 * header did not change colour by moving into the theme. */
static void test_normal_is_the_old_palette(void)
{
	const struct theme *th = theme_get(THEME_NORMAL);

	CHECK(th->page.r == 0xf4 && th->page.g == 0xf5 && th->page.b == 0xf7);
	CHECK(th->primary.r == 0x00 && th->primary.g == 0x4b &&
	      th->primary.b == 0x87);
	CHECK(theme_get((enum theme_id)99) == th);
	CHECK(theme_get(THEME_HIGH_CONTRAST) != th);
}

static void test_target_size(void)
{
	struct config cfg;

	config_defaults(&cfg);
	CHECK_INT(cfg.display_width_mm, 268);
	CHECK_INT(cfg.display_height_mm, 476);
	/* 1080 / 268 = 4.030, 1920 / 476 = 4.034 → 15 mm = 60.5 px */
	CHECK(fabs(theme_px_per_mm(&cfg) - 1920.0 / 476) < 1e-9);
	CHECK_INT(theme_min_target_px(&cfg), 61);
	printf("default panel 268x476 mm: %.3f px/mm, 15 mm = %d px\n",
	       theme_px_per_mm(&cfg), theme_min_target_px(&cfg));

	/* a 32" portrait panel: larger millimetres, fewer pixels */
	cfg.display_width_mm = 398;
	cfg.display_height_mm = 708;
	CHECK_INT(theme_min_target_px(&cfg), 41);
	/* a small 15.6" panel: 194 x 344 mm → 5.58 px/mm → 84 px */
	cfg.display_width_mm = 194;
	cfg.display_height_mm = 344;
	CHECK_INT(theme_min_target_px(&cfg), 84);

	/* the key is read from a file like any other */
	{
		static const char text[] = "[display]\nwidth_mm = 300\n"
					   "height_mm = 530\n[service a]\n"
					   "letter = A\nname = A\n";
		char err[256];

		REQUIRE(config_parse(&cfg, "t", text, sizeof text - 1, err,
				     sizeof err) == 0);
		CHECK_INT(cfg.display_width_mm, 300);
		CHECK_INT(cfg.display_height_mm, 530);
		REQUIRE(config_set(&cfg, "display.width_mm", "10", err,
				   sizeof err) < 0);
		CHECK(strstr(err, "display.width_mm") != NULL);
	}
}

static void test_text_px(void)
{
	CHECK_INT(theme_text_px(56, 0), 56);
	CHECK_INT(theme_text_px(56, 1), 70);
	CHECK_INT(theme_text_px(34, 1), 43); /* 42.5 rounds up */
}

int main(void)
{
	static const struct check_test tests[] = {
		{ "formula", test_formula },
		{ "normal", test_normal },
		{ "high_contrast", test_high_contrast },
		{ "normal_is_the_old_palette", test_normal_is_the_old_palette },
		{ "target_size", test_target_size },
		{ "text_px", test_text_px },
		{ NULL, NULL },
	};
	return check_main(tests);
}
