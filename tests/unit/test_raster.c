/*
 * test_raster.c — 1-bit bitmaps, their PNG files, and text drawn with the
 * fallback chain (FriBidi + HarfBuzz + FreeType).
 *
 * Checks what a citizen would see on paper: every language of the kiosk
 * has all its glyphs, Arabic reads right to left with its number still
 * "17" and on the left, joined letters, and long lines shrunk to fit.
 * Needs Debian's fonts-noto-core and fonts-dejavu-core.
 */
#include "tests/unit/check.h"

#include "drivers/printer/raster.h"

#include <png.h>
#include <stdlib.h>

static struct rastertext *rt;

/* Ink bounding box; returns the number of black dots. */
static int ink_box(const struct raster_bitmap *b, int *x0, int *x1, int *y0,
		   int *y1)
{
	int n = 0;

	*x0 = *y0 = 1 << 30;
	*x1 = *y1 = -1;
	for (int y = 0; y < b->height; y++)
		for (int x = 0; x < b->width; x++)
			if (raster_bitmap_get(b, x, y)) {
				n++;
				if (x < *x0) *x0 = x;
				if (x > *x1) *x1 = x;
				if (y < *y0) *y0 = y;
				if (y > *y1) *y1 = y;
			}
	return n;
}

static int column_has_ink(const struct raster_bitmap *b, int x)
{
	for (int y = 0; y < b->height; y++)
		if (raster_bitmap_get(b, x, y))
			return 1;
	return 0;
}

static void test_bitmap(void)
{
	struct raster_bitmap b;

	CHECK(raster_bitmap_init(&b, 0, 10) < 0);
	CHECK(raster_bitmap_init(&b, 4097, 10) < 0);
	CHECK(raster_bitmap_init(&b, 10, -1) < 0);
	REQUIRE(raster_bitmap_init(&b, 10, 3) == 0);
	CHECK_INT(b.stride, 2);
	CHECK_INT(raster_bitmap_get(&b, 0, 0), 0);
	raster_bitmap_set(&b, 0, 0);
	raster_bitmap_set(&b, 9, 2);
	raster_bitmap_set(&b, 8, 1);
	raster_bitmap_set(&b, -1, 0);   /* outside: ignored */
	raster_bitmap_set(&b, 10, 0);
	raster_bitmap_set(&b, 0, 3);
	CHECK_INT(raster_bitmap_get(&b, 0, 0), 1);
	CHECK_INT(raster_bitmap_get(&b, 9, 2), 1);
	CHECK_INT(raster_bitmap_get(&b, 8, 1), 1);
	CHECK_INT(raster_bitmap_get(&b, 1, 0), 0);
	CHECK_INT(raster_bitmap_get(&b, 10, 0), 0);
	CHECK_INT(raster_bitmap_get(&b, 0, -1), 0);
	/* MSB first, as GS v 0 sends it */
	CHECK_INT(b.bits[0], 0x80);
	CHECK_INT(b.bits[2 * 2 + 1], 0x40);
	raster_bitmap_free(&b);
	CHECK(b.bits == NULL);
}

static void test_png_roundtrip(void)
{
	char dir[256], path[300], err[256] = "";
	struct raster_bitmap b;
	png_image img = { .version = PNG_IMAGE_VERSION };
	unsigned char *px = NULL, hdr[26];
	FILE *f;

	check_tmpdir(dir);
	snprintf(path, sizeof path, "%s/t.png", dir);
	REQUIRE(raster_bitmap_init(&b, 21, 5) == 0);
	for (int i = 0; i < 5; i++)
		raster_bitmap_set(&b, i * 5, i);
	CHECK(raster_bitmap_write_png(&b, path, err, sizeof err) == 0);
	f = fopen(path, "rb");
	REQUIRE(f);
	CHECK_INT(fread(hdr, 1, sizeof hdr, f), sizeof hdr);
	fclose(f);
	CHECK_INT(hdr[24], 1);          /* bit depth 1 */
	CHECK_INT(hdr[25], 0);          /* grayscale */

	REQUIRE(png_image_begin_read_from_file(&img, path));
	CHECK_INT(img.width, 21);
	CHECK_INT(img.height, 5);
	img.format = PNG_FORMAT_GRAY;
	px = malloc(PNG_IMAGE_SIZE(img));
	REQUIRE(px);
	CHECK(png_image_finish_read(&img, NULL, px, 0, NULL));
	for (int y = 0; y < 5; y++)
		for (int x = 0; x < 21; x++)
			CHECK_INT(px[y * 21 + x], x == y * 5 ? 0 : 255);
	free(px);

	/* an empty bitmap is refused, and nothing is left behind */
	raster_bitmap_free(&b);
	REQUIRE(raster_bitmap_init(&b, 8, 0) == 0);
	snprintf(path, sizeof path, "%s/empty.png", dir);
	CHECK(raster_bitmap_write_png(&b, path, err, sizeof err) < 0);
	CHECK(fopen(path, "rb") == NULL);
	raster_bitmap_free(&b);
	check_rmtree(dir);
}

/* Writes w x h pixels of the given simplified-API format to dir/name. */
static int write_img(const char *dir, const char *name, int w, int h,
		     png_uint_32 format, const void *px, const void *cmap,
		     int cmap_entries, char path[300])
{
	png_image img = { .version = PNG_IMAGE_VERSION };

	snprintf(path, 300, "%s/%s", dir, name);
	img.width = (png_uint_32)w;
	img.height = (png_uint_32)h;
	img.format = format;
	img.colormap_entries = (png_uint_32)cmap_entries;
	return png_image_write_to_file(&img, path, 0, px, 0, cmap) ? 0 : -1;
}

/* The dots of b as a string of '#' and '.', row after row. */
static const char *dots(const struct raster_bitmap *b)
{
	static char s[256];
	size_t n = 0;

	for (int y = 0; y < b->height && n + 1 < sizeof s; y++)
		for (int x = 0; x < b->width && n + 1 < sizeof s; x++)
			s[n++] = raster_bitmap_get(b, x, y) ? '#' : '.';
	s[n] = '\0';
	return s;
}

static void test_png_read(void)
{
	char dir[256], path[300], err[256];
	struct raster_bitmap b, w;
	/* 8-bit gray: the threshold is half way. */
	static const unsigned char gray[] = { 0, 100, 127, 128, 200, 255 };
	/* RGBA: red, green, blue, black see-through, black half-covering,
	 * white. Luminance 76, 150, 29; alpha 0 shows the paper. */
	static const unsigned char rgba[] = {
		255, 0, 0, 255,   0, 255, 0, 255,   0, 0, 255, 255,
		0, 0, 0, 0,       0, 0, 0, 160,     255, 255, 255, 255,
	};
	/* Palette: index 0 white, 1 dark blue, 2 yellow (light). */
	static const unsigned char pal[] = { 255, 255, 255, 20, 20, 120,
					     250, 240, 10 };
	static const unsigned char idx[] = { 1, 0, 2, 1, 1, 0 };
	FILE *f;

	check_tmpdir(dir);
	/* 1-bit gray, as our own writer makes it (and the shipped logo). */
	snprintf(path, sizeof path, "%s/one.png", dir);
	REQUIRE(raster_bitmap_init(&w, 6, 2) == 0);
	raster_bitmap_set(&w, 0, 0);
	raster_bitmap_set(&w, 5, 0);
	raster_bitmap_set(&w, 2, 1);
	REQUIRE(raster_bitmap_write_png(&w, path, err, sizeof err) == 0);
	raster_bitmap_free(&w);
	REQUIRE(raster_bitmap_read_png(path, 0, 0, &b, err, sizeof err) == 0);
	CHECK_INT(b.width, 6);
	CHECK_INT(b.height, 2);
	CHECK_INT(b.stride, 1);
	CHECK_STR(dots(&b), "#....#..#...");
	raster_bitmap_free(&b);

	REQUIRE(write_img(dir, "gray.png", 6, 1, PNG_FORMAT_GRAY, gray, NULL,
			  0, path) == 0);
	REQUIRE(raster_bitmap_read_png(path, 0, 0, &b, err, sizeof err) == 0);
	CHECK_STR(dots(&b), "###...");
	raster_bitmap_free(&b);

	REQUIRE(write_img(dir, "rgba.png", 3, 2, PNG_FORMAT_RGBA, rgba, NULL,
			  0, path) == 0);
	REQUIRE(raster_bitmap_read_png(path, 0, 0, &b, err, sizeof err) == 0);
	CHECK_STR(dots(&b), "#.#.#.");
	raster_bitmap_free(&b);

	REQUIRE(write_img(dir, "pal.png", 3, 2,
			  PNG_FORMAT_RGB_COLORMAP, idx, pal, 3, path) == 0);
	f = fopen(path, "rb");
	REQUIRE(f);
	{
		unsigned char hdr[26];

		CHECK_INT(fread(hdr, 1, sizeof hdr, f), sizeof hdr);
		CHECK_INT(hdr[25], 3);  /* colour type 3: it is a palette */
	}
	fclose(f);
	REQUIRE(raster_bitmap_read_png(path, 0, 0, &b, err, sizeof err) == 0);
	CHECK_STR(dots(&b), "#..##.");
	raster_bitmap_free(&b);

	/* Caps: the caller's, and RASTER_PNG_MAX whatever the caller says. */
	CHECK(raster_bitmap_read_png(path, 2, 0, &b, err, sizeof err) < 0);
	CHECK_STR(err, "3 x 2 dots, larger than 2 x 2048");
	CHECK(b.bits == NULL && b.width == 0);
	REQUIRE(raster_bitmap_init(&w, RASTER_PNG_MAX + 1, 1) == 0);
	snprintf(path, sizeof path, "%s/wide.png", dir);
	REQUIRE(raster_bitmap_write_png(&w, path, err, sizeof err) == 0);
	raster_bitmap_free(&w);
	CHECK(raster_bitmap_read_png(path, 5000, 5000, &b, err,
				     sizeof err) < 0);
	CHECK_STR(err, "2049 x 1 dots, larger than 2048 x 2048");
	REQUIRE(raster_bitmap_init(&w, RASTER_PNG_MAX, 1) == 0);
	REQUIRE(raster_bitmap_write_png(&w, path, err, sizeof err) == 0);
	raster_bitmap_free(&w);
	CHECK(raster_bitmap_read_png(path, 0, 0, &b, err, sizeof err) == 0);
	CHECK_INT(b.width, RASTER_PNG_MAX);
	raster_bitmap_free(&b);

	/* A truncated file: libpng's error comes back, nothing is held. */
	REQUIRE(raster_bitmap_init(&w, 200, 200) == 0);
	for (int i = 0; i < 200; i++)
		raster_bitmap_set(&w, (i * 37) % 200, i);
	snprintf(path, sizeof path, "%s/cut.png", dir);
	REQUIRE(raster_bitmap_write_png(&w, path, err, sizeof err) == 0);
	raster_bitmap_free(&w);
	{
		unsigned char buf[4096];
		size_t n;

		f = fopen(path, "rb");
		REQUIRE(f);
		n = fread(buf, 1, sizeof buf, f);
		fclose(f);
		REQUIRE(n > 200 && n < sizeof buf);
		for (size_t cut = 8; cut < n; cut += n / 7) {
			f = fopen(path, "wb");
			REQUIRE(f);
			CHECK_INT(fwrite(buf, 1, cut, f), cut);
			fclose(f);
			err[0] = '\0';
			CHECK(raster_bitmap_read_png(path, 0, 0, &b, err,
						     sizeof err) < 0);
			CHECK(err[0] != '\0');
			CHECK(b.bits == NULL);
		}
	}

	/* Not a PNG; no file. */
	snprintf(path, sizeof path, "%s/x.png", dir);
	f = fopen(path, "wb");
	REQUIRE(f);
	fputs("GIF89a, honestly\n", f);
	fclose(f);
	CHECK(raster_bitmap_read_png(path, 0, 0, &b, err, sizeof err) < 0);
	CHECK_STR(err, "not a PNG file");
	snprintf(path, sizeof path, "%s/none.png", dir);
	CHECK(raster_bitmap_read_png(path, 0, 0, &b, err, sizeof err) < 0);
	CHECK_STR(err, "No such file or directory");
	check_rmtree(dir);
}

static void test_scale(void)
{
	struct raster_bitmap b, s;

	/* 8 x 2, the left half black, a lone dot on the right. */
	REQUIRE(raster_bitmap_init(&b, 8, 2) == 0);
	for (int x = 0; x < 4; x++) {
		raster_bitmap_set(&b, x, 0);
		raster_bitmap_set(&b, x, 1);
	}
	raster_bitmap_set(&b, 6, 0);
	/* Halved: a box of 2 x 2, black when half of it is. */
	REQUIRE(raster_bitmap_scale(&b, 4, 1, &s) == 0);
	CHECK_STR(dots(&s), "##..");
	raster_bitmap_free(&s);
	/* Doubled: the nearest dot. */
	REQUIRE(raster_bitmap_scale(&b, 16, 2, &s) == 0);
	CHECK_STR(dots(&s), "########....##..########........");
	raster_bitmap_free(&s);
	/* Same size: the same dots. */
	REQUIRE(raster_bitmap_scale(&b, 8, 2, &s) == 0);
	CHECK_STR(dots(&s), "####..#.####....");
	raster_bitmap_free(&s);
	CHECK(raster_bitmap_scale(&b, 0, 2, &s) < 0);
	CHECK(raster_bitmap_scale(&b, 2, 0, &s) < 0);
	CHECK(s.bits == NULL);
	raster_bitmap_free(&b);
}

static void test_languages_covered(void)
{
	static const char *const lines[] = {
		"Bürgerbüro: Grüße, Größe, ÄÖÜ äöü ß 12,50 €",
		"Sıra numaranız: ğ ş ı İ Ğ Ş ç ö ü",
		"Ваш номер: Ласкаво просимо, ї є ґ Ї Є Ґ",
		"رقم التذكرة 17، يرجى الانتظار",
	};

	for (size_t i = 0; i < sizeof lines / sizeof *lines; i++) {
		struct raster_bitmap b;
		int x0, x1, y0, y1;

		CHECK(rastertext_covers(rt, lines[i]));
		REQUIRE(rastertext_render_line(rt, lines[i], 24, 0, 576,
					       RASTER_LEFT, &b) == 0);
		CHECK_INT(b.width, 576);
		CHECK(b.height >= 24 && b.height < 60);
		CHECK(ink_box(&b, &x0, &x1, &y0, &y1) > 200);
		raster_bitmap_free(&b);
	}
	/* and it can say no: no font of the chain has Chinese */
	CHECK(!rastertext_covers(rt, "Nummer 漢"));
}

/* Columns [a0, a1] and [b0, b1]: the two ink clusters of a line whose
 * widest gap of empty columns separates them. */
static void two_clusters(const struct raster_bitmap *b, int *a0, int *a1,
			 int *b0, int *b1)
{
	int x0, x1, y0, y1, best = 0, gap_at = -1, run = 0;

	ink_box(b, &x0, &x1, &y0, &y1);
	for (int x = x0; x <= x1; x++) {
		if (column_has_ink(b, x)) {
			run = 0;
			continue;
		}
		if (++run > best) {
			best = run;
			gap_at = x;
		}
	}
	*a0 = x0;
	*a1 = gap_at - best;
	*b0 = gap_at + 1;
	*b1 = x1;
}

/* Dots that differ between the ink of b in columns [c0, c1] and all the
 * ink of ref, both cropped to their boxes, at the best of three horizontal
 * shifts (glyphs sit at fractional positions, so a line's glyphs may land
 * a dot apart from the same glyphs alone). */
static int ink_diff(const struct raster_bitmap *b, int c0, int c1,
		    const struct raster_bitmap *ref)
{
	int rx0, rx1, ry0, ry1, y0 = 1 << 30, y1 = -1, best = 1 << 30;

	ink_box(ref, &rx0, &rx1, &ry0, &ry1);
	for (int y = 0; y < b->height; y++)
		for (int x = c0; x <= c1; x++)
			if (raster_bitmap_get(b, x, y)) {
				if (y < y0) y0 = y;
				if (y > y1) y1 = y;
			}
	for (int dx = -1; dx <= 1; dx++) {
		int diff = 0;
		for (int y = -1; y <= ry1 - ry0 + 1; y++)
			for (int x = -2; x <= rx1 - rx0 + 2; x++) {
				int in = c0 + x + dx >= c0 &&
					 c0 + x + dx <= c1;
				int a = in && raster_bitmap_get(b, c0 + x + dx,
								y0 + y);
				int r = raster_bitmap_get(ref, rx0 + x,
							  ry0 + y);
				diff += a != r;
			}
		if (diff < best)
			best = diff;
	}
	return best;
}

static int ink_count(const struct raster_bitmap *b)
{
	int x0, x1, y0, y1;

	return ink_box(b, &x0, &x1, &y0, &y1);
}

/* b's columns [c0, c1] show what ref shows: a quarter of the dots may
 * differ, as each glyph may sit a dot apart (a three-letter word measured
 * 15%); "71" against "17" differs in more dots than "17" has. */
static int same_ink(const struct raster_bitmap *b, int c0, int c1,
		    const struct raster_bitmap *ref)
{
	return ink_diff(b, c0, c1, ref) <= ink_count(ref) / 4;
}

static void test_arabic_order(void)
{
	struct raster_bitmap line, num, word, lat;
	int a0, a1, b0, b1;

	/* "رقم 17": a right-to-left line; its number stays "17" and, being
	 * read after the word, stands to the word's left. */
	REQUIRE(rastertext_render_line(rt, "رقم 17", 40, 0, 400, RASTER_LEFT,
				       &line) == 0);
	REQUIRE(rastertext_render_line(rt, "17", 40, 0, 400, RASTER_LEFT,
				       &num) == 0);
	REQUIRE(rastertext_render_line(rt, "رقم", 40, 0, 400, RASTER_LEFT,
				       &word) == 0);
	two_clusters(&line, &a0, &a1, &b0, &b1);
	CHECK(same_ink(&line, a0, a1, &num));   /* left: "17", not "71" */
	REQUIRE(rastertext_render_line(rt, "71", 40, 0, 400, RASTER_LEFT,
				       &lat) == 0);
	CHECK(!same_ink(&line, a0, a1, &lat));  /* the check can tell */
	raster_bitmap_free(&lat);
	CHECK(same_ink(&line, b0, b1, &word));  /* right: the word */
	raster_bitmap_free(&word);
	REQUIRE(rastertext_render_line(rt, "مقر", 40, 0, 400, RASTER_LEFT,
				       &word) == 0);
	CHECK(!same_ink(&line, b0, b1, &word)); /* not its letters reversed */

	/* The same number in a Latin line is on the right. */
	REQUIRE(rastertext_render_line(rt, "Nr 17", 40, 0, 400, RASTER_LEFT,
				       &lat) == 0);
	two_clusters(&lat, &a0, &a1, &b0, &b1);
	CHECK(same_ink(&lat, b0, b1, &num));
	raster_bitmap_free(&line);
	raster_bitmap_free(&num);
	raster_bitmap_free(&word);
	raster_bitmap_free(&lat);
}

static void test_arabic_joined(void)
{
	struct raster_bitmap joined, apart;
	int x0, x1, y0, y1, gaps = 0;

	/* Shaped, the three seens of "سسس" are one stroke: no empty column
	 * across the word. Kept apart by zero-width non-joiners they are
	 * three isolated letters with gaps — what unshaped text looks like. */
	REQUIRE(rastertext_render_line(rt, "سسس", 40, 0, 400, RASTER_LEFT,
				       &joined) == 0);
	REQUIRE(rastertext_render_line(rt, "س\u200cس\u200cس", 40, 0, 400,
				       RASTER_LEFT, &apart) == 0);
	ink_box(&joined, &x0, &x1, &y0, &y1);
	for (int x = x0; x <= x1; x++)
		CHECK(column_has_ink(&joined, x));
	ink_box(&apart, &x0, &x1, &y0, &y1);
	for (int x = x0; x <= x1; x++)
		gaps += !column_has_ink(&apart, x);
	CHECK(gaps >= 2);
	raster_bitmap_free(&joined);
	raster_bitmap_free(&apart);
}

static void test_scaled_to_fit(void)
{
	const char *s = "Bürgerbüro Musterstadt – Personalausweis und Reisepass";
	struct raster_bitmap wide, fit;
	int x0, x1, y0, y1;

	REQUIRE(rastertext_render_line(rt, s, 48, 0, 4000, RASTER_LEFT,
				       &wide) == 0);
	ink_box(&wide, &x0, &x1, &y0, &y1);
	CHECK(x1 > 300);
	REQUIRE(rastertext_render_line(rt, s, 48, 0, 300, RASTER_LEFT,
				       &fit) == 0);
	CHECK_INT(fit.width, 300);
	CHECK(fit.height < wide.height);
	CHECK(ink_box(&fit, &x0, &x1, &y0, &y1) > 100);
	CHECK(x1 < 300 && x1 > 250);     /* shrunk to the width, not below */
	raster_bitmap_free(&wide);
	raster_bitmap_free(&fit);
}

static void test_align_bold(void)
{
	struct raster_bitmap l, r, c, b;
	int lx0, lx1, rx0, rx1, cx0, cx1, y0, y1, n, nb;

	REQUIRE(rastertext_render_line(rt, "A042", 30, 0, 400, RASTER_LEFT,
				       &l) == 0);
	REQUIRE(rastertext_render_line(rt, "A042", 30, 0, 400, RASTER_RIGHT,
				       &r) == 0);
	REQUIRE(rastertext_render_line(rt, "A042", 30, 0, 400, RASTER_CENTER,
				       &c) == 0);
	REQUIRE(rastertext_render_line(rt, "A042", 30, 1, 400, RASTER_LEFT,
				       &b) == 0);
	n = ink_box(&l, &lx0, &lx1, &y0, &y1);
	ink_box(&r, &rx0, &rx1, &y0, &y1);
	ink_box(&c, &cx0, &cx1, &y0, &y1);
	CHECK(lx0 < 5);
	CHECK(rx1 > 390);
	CHECK(abs((cx0 + cx1) / 2 - 200) < 6);
	nb = ink_box(&b, &lx0, &lx1, &y0, &y1);
	CHECK(nb > n * 11 / 10);
	raster_bitmap_free(&l);
	raster_bitmap_free(&r);
	raster_bitmap_free(&c);
	raster_bitmap_free(&b);
}

static void test_bad_input(void)
{
	struct raster_bitmap b;

	CHECK(rastertext_render_line(rt, "\xff\xfe\xc3", 24, 0, 100,
				     RASTER_LEFT, &b) == 0);
	raster_bitmap_free(&b);
	CHECK(rastertext_render_line(rt, "", 24, 0, 100, RASTER_LEFT,
				     &b) == 0);
	CHECK(b.height > 0);
	raster_bitmap_free(&b);
	CHECK(rastertext_render_line(rt, "x", 0, 0, 100, RASTER_LEFT, &b) < 0);
	CHECK(b.bits == NULL);
	CHECK(rastertext_render_line(rt, "x", 24, 0, 0, RASTER_LEFT, &b) < 0);
}

static void test_no_fonts(void)
{
	const char *none[] = { "/nonexistent/font.ttf" };
	char err[256] = "";

	CHECK(rastertext_create(none, 1, err, sizeof err) == NULL);
	CHECK(err[0] != '\0');
}

int main(void)
{
	static const struct check_test tests[] = {
		{ "bitmap", test_bitmap },
		{ "png_roundtrip", test_png_roundtrip },
		{ "png_read", test_png_read },
		{ "scale", test_scale },
		{ "languages_covered", test_languages_covered },
		{ "arabic_order", test_arabic_order },
		{ "arabic_joined", test_arabic_joined },
		{ "scaled_to_fit", test_scaled_to_fit },
		{ "align_bold", test_align_bold },
		{ "bad_input", test_bad_input },
		{ "no_fonts", test_no_fonts },
		{ NULL, NULL },
	};
	const char *const *fonts = rastertext_default_fonts();
	char err[256];
	int n = 0, rc;

	while (fonts[n])
		n++;
	rt = rastertext_create(fonts, n, err, sizeof err);
	if (!rt) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	rc = check_main(tests);
	rastertext_destroy(rt);
	return rc;
}
