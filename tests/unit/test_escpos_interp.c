/*
 * test_escpos_interp.c — the virtual printer's paper, from hand-written
 * ESC/POS bytes: text where the lines go, sizes, alignment, code pages,
 * raster images, cuts, and streams that are garbage or cut short.
 *
 * Decoding QR codes and barcodes is test_virtual_png.c's job (zbarimg).
 */
#include "tests/unit/check.h"

#include "drivers/printer/escpos_interp.h"

#include <stdlib.h>

static struct rastertext *rt;

#define ESC "\x1b"
#define GS "\x1d"
#define FS "\x1c"

static int render_n(const void *job, size_t len, int mm,
		    struct raster_bitmap *b)
{
	struct escpos_interp_options o = { .paper_width_mm = mm, .rt = rt };
	char err[256];

	return escpos_interp_render(job, len, &o, b, err, sizeof err);
}

/* Renders a string literal (may hold NUL bytes) on 80 mm paper. */
#define RENDER(lit, b) render_n(lit, sizeof lit - 1, 80, b)

struct box { int x0, x1, y0, y1, n; };

static struct box ink(const struct raster_bitmap *b, int y0, int y1)
{
	struct box r = { 1 << 30, -1, 1 << 30, -1, 0 };

	for (int y = y0; y < y1 && y < b->height; y++)
		for (int x = 0; x < b->width; x++)
			if (raster_bitmap_get(b, x, y)) {
				r.n++;
				if (x < r.x0) r.x0 = x;
				if (x > r.x1) r.x1 = x;
				if (y < r.y0) r.y0 = y;
				if (y > r.y1) r.y1 = y;
			}
	return r;
}

static int same_bitmap(const struct raster_bitmap *a,
		       const struct raster_bitmap *b)
{
	return a->width == b->width && a->height == b->height &&
	       !memcmp(a->bits, b->bits,
		       (size_t)a->stride * (size_t)a->height);
}

static void test_text_lines(void)
{
	struct raster_bitmap b;
	struct box l1, l2;

	REQUIRE(RENDER(ESC "@" "HELLO\n" "WORLD!\n", &b) == 0);
	CHECK_INT(b.width, 576);
	CHECK_INT(b.height, 60);           /* two lines of 30 dots */
	l1 = ink(&b, 0, 30);
	l2 = ink(&b, 30, 60);
	/* five and six cells of 12 x 24 dots, from the left edge */
	CHECK(l1.n > 100 && l1.x0 < 4 && l1.x1 > 48 && l1.x1 < 60);
	CHECK(l2.n > 100 && l2.x1 > 60 && l2.x1 < 72);
	CHECK(l1.y0 >= 0 && l1.y1 < 24);
	CHECK(l2.y0 >= 30 && l2.y1 < 54);
	raster_bitmap_free(&b);
}

static void test_double_size(void)
{
	struct raster_bitmap n, d;
	struct box a, c;

	REQUIRE(RENDER("WWWW\n", &n) == 0);
	REQUIRE(RENDER(GS "!\x11" "WWWW\n", &d) == 0);
	a = ink(&n, 0, n.height);
	c = ink(&d, 0, d.height);
	CHECK(abs((c.x1 - c.x0 + 1) - 2 * (a.x1 - a.x0 + 1)) <= 2);
	CHECK(abs((c.y1 - c.y0 + 1) - 2 * (a.y1 - a.y0 + 1)) <= 2);
	CHECK(abs(c.n - 4 * a.n) <= a.n / 10);
	CHECK_INT(d.height, 48);           /* the line is as tall as its text */
	raster_bitmap_free(&n);
	raster_bitmap_free(&d);

	/* ESC ! bit 5 is double width only */
	REQUIRE(RENDER(ESC "!\x20" "WWWW\n", &d) == 0);
	c = ink(&d, 0, d.height);
	CHECK(abs((c.x1 - c.x0 + 1) - 2 * (a.x1 - a.x0 + 1)) <= 2);
	CHECK(abs((c.y1 - c.y0) - (a.y1 - a.y0)) <= 1);
	raster_bitmap_free(&d);
}

static void test_alignment(void)
{
	struct raster_bitmap b;
	struct box c, r;

	REQUIRE(RENDER(ESC "a\x01" "A042\n" ESC "a2" "A042\n", &b) == 0);
	c = ink(&b, 0, 30);
	r = ink(&b, 30, 60);
	CHECK(abs((c.x0 + c.x1) / 2 - 288) <= 6);
	CHECK(r.x1 > 566 && r.x0 > 500);
	raster_bitmap_free(&b);

	REQUIRE(render_n(ESC "a\x01" "A042\n", 8, 58, &b) == 0);
	CHECK_INT(b.width, 384);
	c = ink(&b, 0, 30);
	CHECK(abs((c.x0 + c.x1) / 2 - 192) <= 6);
	raster_bitmap_free(&b);
}

static void test_bold_underline(void)
{
	struct raster_bitmap n, bo, ul;
	struct box a, c;

	REQUIRE(RENDER("Amt\n", &n) == 0);
	REQUIRE(RENDER(ESC "E\x01" "Amt\n", &bo) == 0);
	REQUIRE(RENDER(ESC "-\x01" "Amt\n", &ul) == 0);
	a = ink(&n, 0, 30);
	c = ink(&bo, 0, 30);
	CHECK(c.n > a.n * 12 / 10);
	/* underline: the cells' bottom row is black under all three */
	for (int x = 0; x < 36; x++)
		CHECK(raster_bitmap_get(&ul, x, 23));
	CHECK(!raster_bitmap_get(&n, 1, 23));
	raster_bitmap_free(&n);
	raster_bitmap_free(&bo);
	raster_bitmap_free(&ul);
}

static void test_code_pages(void)
{
	struct raster_bitmap a, b, c, d;

	/* ä: 0x84 in PC858 (ESC t 19) and 0xE4 in WPC1252 (ESC t 16) */
	REQUIRE(RENDER(ESC "t\x13" "\x84\n", &a) == 0);
	REQUIRE(RENDER(ESC "t\x10" "\xe4\n", &b) == 0);
	CHECK(same_bitmap(&a, &b));
	CHECK(ink(&a, 0, 30).n > 20);
	raster_bitmap_free(&a);
	raster_bitmap_free(&b);
	/* €: 0xD5 in PC858 and 0x80 in WPC1252; 0xD5 in PC850 is ı */
	REQUIRE(RENDER(ESC "t\x13" "\xd5\n", &a) == 0);
	REQUIRE(RENDER(ESC "t\x10" "\x80\n", &b) == 0);
	REQUIRE(RENDER(ESC "t\x02" "\xd5\n", &c) == 0);
	REQUIRE(RENDER(ESC "t\x35" "\xd5\n", &d) == 0);  /* 53: clones */
	CHECK(same_bitmap(&a, &b));
	CHECK(!same_bitmap(&a, &c));
	CHECK(same_bitmap(&a, &d));
	raster_bitmap_free(&a);
	raster_bitmap_free(&b);
	raster_bitmap_free(&c);
	raster_bitmap_free(&d);
	/* ESC R 2 (Germany) prints "[" as Ä: what breaks URLs */
	REQUIRE(RENDER(ESC "R\x02" "[\n", &a) == 0);
	REQUIRE(RENDER(ESC "t\x13" "\x8e\n", &b) == 0);
	CHECK(same_bitmap(&a, &b));
	raster_bitmap_free(&a);
	raster_bitmap_free(&b);
	/* Kanji mode left on: two bytes become one box; FS . leaves it */
	REQUIRE(RENDER(ESC "t\x13" "\x84\x94\n", &a) == 0);
	REQUIRE(RENDER(FS "&" ESC "t\x13" "\x84\x94\n", &b) == 0);
	REQUIRE(RENDER(FS "&" FS "." ESC "t\x13" "\x84\x94\n", &c) == 0);
	CHECK(!same_bitmap(&a, &b));
	CHECK(same_bitmap(&a, &c));
	raster_bitmap_free(&a);
	raster_bitmap_free(&b);
	raster_bitmap_free(&c);
}

static void test_raster_image(void)
{
	/* after one text line: a 16 x 4 image, left half black, then the
	 * same at double width (m = 1) and centred */
	static const unsigned char job[] =
		"X\n" GS "v0\x00\x02\x00\x04\x00"
		"\xff\x00\xff\x00\xff\x00\xff\x00"
		ESC "a\x01" GS "v0\x01\x02\x00\x01\x00" "\xff\x00";
	struct raster_bitmap b;

	REQUIRE(render_n(job, sizeof job - 1, 80, &b) == 0);
	CHECK_INT(b.height, 30 + 4 + 1);
	for (int y = 30; y < 34; y++)
		for (int x = 0; x < 24; x++)
			CHECK_INT(raster_bitmap_get(&b, x, y), x < 8);
	/* 32 dots wide, centred: starts at (576 - 32) / 2 */
	CHECK(!raster_bitmap_get(&b, 271, 34));
	CHECK(raster_bitmap_get(&b, 272, 34));
	CHECK(raster_bitmap_get(&b, 287, 34));
	CHECK(!raster_bitmap_get(&b, 288, 34));
	raster_bitmap_free(&b);
}

static void test_cut_ends_page(void)
{
	struct raster_bitmap b;
	int dashed = -1;
	struct box below;

	/* a trailing cut ends the paper where it cuts */
	REQUIRE(RENDER("A\n" GS "V\x42\x00", &b) == 0);
	CHECK_INT(b.height, 30);
	raster_bitmap_free(&b);
	REQUIRE(RENDER("A\n" GS "V\x42\x0a", &b) == 0);
	CHECK_INT(b.height, 40);           /* fed 10 dots first */
	raster_bitmap_free(&b);

	/* two pages: a dashed line between them */
	REQUIRE(RENDER("A\n" GS "V\x42\x00" "B\n" GS "V\x42\x00", &b) == 0);
	for (int y = 30; y < b.height && dashed < 0; y++)
		if (raster_bitmap_get(&b, 0, y) && !raster_bitmap_get(&b, 8, y) &&
		    raster_bitmap_get(&b, 16, y) && raster_bitmap_get(&b, 560, y))
			dashed = y;
	CHECK(dashed > 30);
	below = ink(&b, dashed + 2, b.height);
	CHECK(below.n > 20 && below.x1 < 12);  /* "B" on the next page */
	raster_bitmap_free(&b);
}

static void test_qr_and_barcode_drawn(void)
{
	static const unsigned char job[] =
		ESC "a\x01"
		GS "(k\x04\x00\x31\x41\x32\x00"
		GS "(k\x03\x00\x31\x43\x04"
		GS "(k\x03\x00\x31\x45\x31"
		GS "(k\x08\x00\x31\x50\x30" "HALLO"
		GS "(k\x03\x00\x31\x51\x30"
		GS "h\x50" GS "w\x02" GS "k\x49\x06" "{BA042";
	struct raster_bitmap b;
	struct box q, bc;

	REQUIRE(render_n(job, sizeof job - 1, 80, &b) == 0);
	/* version 1 (21 modules) at 4 dots, centred; then 80 dots of bars */
	CHECK_INT(b.height, 84 + 80);
	q = ink(&b, 0, 84);
	CHECK_INT(q.x1 - q.x0 + 1, 84);
	CHECK_INT(q.x0, (576 - 84) / 2);
	bc = ink(&b, 84, 164);
	/* start, 4 symbols, check, stop: 6 * 11 + 13 modules of 2 dots */
	CHECK_INT(bc.x1 - bc.x0 + 1, (6 * 11 + 13) * 2);
	raster_bitmap_free(&b);

	/* a CODE128 that does not start with a code set is not printed */
	REQUIRE(RENDER(GS "k\x49\x03" "A42", &b) == 0);
	CHECK_INT(ink(&b, 0, b.height).n, 0);
	raster_bitmap_free(&b);
}

static void test_garbage(void)
{
	static const unsigned char real[] =
		ESC "@" FS "." ESC "t\x13" ESC "a\x01" GS "!\x11" "A042\n"
		GS "!\x00" ESC "E\x01" "B\x81rgerb\x81ro\n" ESC "E\x00"
		GS "v0\x00\x02\x00\x03\x00" "\xff\xff\x81\x81\xff\xff"
		GS "(k\x03\x00\x31\x43\x04"
		GS "(k\x08\x00\x31\x50\x30" "HALLO"
		GS "(k\x03\x00\x31\x51\x30"
		GS "k\x49\x06" "{BA042" ESC "d\x03" GS "V\x42\x03";
	unsigned char buf[4096];
	unsigned seed = 12345;
	struct raster_bitmap b;

	/* every prefix of a real job */
	for (size_t n = 0; n <= sizeof real - 1; n++) {
		REQUIRE(render_n(real, n, 80, &b) == 0);
		CHECK(b.height >= 1 && b.width == 576);
		raster_bitmap_free(&b);
	}
	/* random bytes, biased towards command bytes */
	for (int round = 0; round < 300; round++) {
		size_t n = (size_t)(round * 13) % sizeof buf;
		for (size_t i = 0; i < n; i++) {
			seed = seed * 1103515245u + 12345u;
			buf[i] = (unsigned char)(seed >> 16);
			if ((seed >> 8) % 5 == 0)
				buf[i] = "\x1b\x1c\x1d\x10\x0a"[(seed >> 4) % 5];
		}
		REQUIRE(render_n(buf, n, round % 2 ? 58 : 80, &b) == 0);
		CHECK(b.height >= 1 && b.height <= ESCPOS_INTERP_MAX_HEIGHT);
		raster_bitmap_free(&b);
	}
	/* GS v 0 claiming 65535 x 65535 with 6 bytes of data */
	REQUIRE(RENDER(GS "v0\x00\xff\xff\xff\xff" "abcdef", &b) == 0);
	CHECK(b.height >= 1 && b.height <= ESCPOS_INTERP_MAX_HEIGHT);
	raster_bitmap_free(&b);
	/* GS ( k storing 65535 bytes that are not there */
	REQUIRE(RENDER(GS "(k\xff\xff\x31\x50\x30" "x" GS "(k\x03\x00\x31\x51\x30",
		       &b) == 0);
	raster_bitmap_free(&b);
	/* the paper has an end: 300 feeds of 255 lines */
	{
		unsigned char *feeds = malloc(300 * 3);
		REQUIRE(feeds);
		for (int i = 0; i < 300; i++)
			memcpy(feeds + i * 3, ESC "d\xff", 3);
		REQUIRE(render_n(feeds, 300 * 3, 80, &b) == 0);
		CHECK_INT(b.height, ESCPOS_INTERP_MAX_HEIGHT);
		raster_bitmap_free(&b);
		free(feeds);
	}
	/* an empty job is a bitmap of one line; no font is an error */
	REQUIRE(render_n("", 0, 80, &b) == 0);
	CHECK_INT(b.height, 1);
	raster_bitmap_free(&b);
	{
		struct escpos_interp_options o = { .paper_width_mm = 80 };
		char err[128] = "";
		CHECK(escpos_interp_render((const unsigned char *)"x", 1, &o,
					   &b, err, sizeof err) < 0);
		CHECK(err[0] != '\0');
	}
}

int main(void)
{
	static const struct check_test tests[] = {
		{ "text_lines", test_text_lines },
		{ "double_size", test_double_size },
		{ "alignment", test_alignment },
		{ "bold_underline", test_bold_underline },
		{ "code_pages", test_code_pages },
		{ "raster_image", test_raster_image },
		{ "cut_ends_page", test_cut_ends_page },
		{ "qr_and_barcode_drawn", test_qr_and_barcode_drawn },
		{ "garbage", test_garbage },
		{ NULL, NULL },
	};
	static const char *const fonts[] = {
		"/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf",
		"/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
	};
	char err[256];
	int rc;

	rt = rastertext_create(fonts, 2, err, sizeof err);
	if (!rt) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	rc = check_main(tests);
	rastertext_destroy(rt);
	return rc;
}
