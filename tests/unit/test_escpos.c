/*
 * test_escpos.c — the ESC/POS encoder: exact command bytes of the builder
 * (start, size/bold/align, QR, CODE128, raster bands, feed, cut), PC858
 * mapping, broken UTF-8, command injection through a field, wrapping,
 * raster lines for what PC858 lacks, the job cap. The ticket's layout is
 * tested in test_layout.c.
 */
#include "check.h"
#include "drivers/printer/escpos.h"
#include "drivers/printer/printer.h"

#include <stdlib.h>

/* Offset of needle in hay, or -1. */
static long find(const unsigned char *hay, size_t len, const void *needle,
		 size_t nlen)
{
	for (size_t i = 0; nlen <= len && i <= len - nlen; i++) {
		if (!memcmp(hay + i, needle, nlen))
			return (long)i;
	}
	return -1;
}

static size_t count_byte(const unsigned char *p, size_t len, unsigned char b)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++)
		n += p[i] == b;
	return n;
}

/* One text line through the builder on this paper; the job in *job. */
static void line_job(const char *text, int paper, unsigned char **job,
		     size_t *len)
{
	struct escpos_options o = { .paper_width_mm = paper };
	struct escpos *e = escpos_create(&o);

	*job = NULL;
	*len = 0;
	if (!e)
		return;
	escpos_line(e, text);
	if (escpos_finish(e, job, len) < 0)
		*job = NULL;
}

static void test_umlauts(void)
{
	static const unsigned char want[] = {
		0x84, 0x94, 0x81, 0x8E, 0x99, 0x9A, 0xE1, 0xD5,
	};
	unsigned char out[64];
	size_t n;

	n = escpos_utf8_to_pc858("äöüÄÖÜß€", out, sizeof out);
	CHECK_INT(n, sizeof want);
	CHECK(!memcmp(out, want, sizeof want));

	n = escpos_utf8_to_pc858("éèàçñ£", out, sizeof out);
	CHECK_INT(n, 6);
	CHECK(!memcmp(out, "\x82\x8a\x85\x87\xa4\x9c", 6));

	/* U+0131 sits at D5 in CP850, which PC858 gave to the euro. */
	n = escpos_utf8_to_pc858("ı", out, sizeof out);
	CHECK_INT(n, 1);
	CHECK_INT(out[0], '?');

	/* Outside the code page: Turkish ğ, Cyrillic, Arabic, an emoji. */
	n = escpos_utf8_to_pc858("ğЖع😀", out, sizeof out);
	CHECK_INT(n, 4);
	CHECK(!memcmp(out, "????", 4));

	/* Typographic quotes and dashes; NFD umlaut keeps its letter. */
	n = escpos_utf8_to_pc858("„a“–u\xcc\x88", out, sizeof out);
	CHECK_INT(n, 5);
	CHECK(!memcmp(out, "\"a\"-u", 5));
}

static void test_invalid_utf8(void)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
		{ "a\xc0\xaf" "b", "a??b" },          /* overlong '/' */
		{ "\xe0\x80\xaf", "???" },            /* overlong, 3 bytes */
		{ "\xed\xa0\x80x", "???x" },          /* surrogate D800 */
		{ "\xe2\x82" "A", "?A" },             /* truncated euro */
		{ "\xe2\x82", "?" },                  /* truncated at end */
		{ "\xf4\x90\x80\x80", "????" },       /* above U+10FFFF */
		{ "\x80\xbf", "??" },                 /* stray continuations */
		{ "\xff\xfe", "??" },
		{ "\xc3", "?" },
	};
	unsigned char out[32];

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		size_t n = escpos_utf8_to_pc858(cases[i].in, out,
						sizeof out - 1);
		out[n] = '\0';
		CHECK_STR((const char *)out, cases[i].want);
	}
}

static void test_outlen_respected(void)
{
	unsigned char out[8];

	memset(out, 0xAA, sizeof out);
	CHECK_INT(escpos_utf8_to_pc858("äöüäöü", out, 4), 4);
	CHECK_INT(out[3], 0x84);
	CHECK_INT(out[4], 0xAA);
	CHECK_INT(escpos_utf8_to_pc858("abc", out, 0), 0);
	CHECK_INT(escpos_utf8_to_pc858(NULL, out, sizeof out), 0);
}

static void test_control_chars_cannot_inject(void)
{
	unsigned char *clean = NULL, *dirty = NULL, out[32];
	size_t clean_len = 0, dirty_len = 0, n;
	static const unsigned char cmd_bytes[] = { 0x1B, 0x1C, 0x1D, 0x10 };

	/* ESC @, GS V (cut), DLE EOT, a C1 CSI and DEL inside fields. */
	n = escpos_utf8_to_pc858("A\x1b@B\x1dV\x10\x04\xc2\x9b\x7f\tC", out,
				 sizeof out);
	CHECK_INT(n, 12);
	CHECK(!memcmp(out, "A?@B?V\?\?\?\?\?C", 12));

	line_job("Amt", 80, &clean, &clean_len);
	line_job("Amt\x1b@\x1dV\x41\x1c&\x10\x04\x01", 80, &dirty,
		 &dirty_len);
	REQUIRE(clean && dirty);
	for (size_t i = 0; i < sizeof cmd_bytes; i++)
		CHECK_INT(count_byte(dirty, dirty_len, cmd_bytes[i]),
			  count_byte(clean, clean_len, cmd_bytes[i]));
	CHECK(find(dirty, dirty_len, "Amt?@?VA?&???\n", 14) > 0);
	free(clean);
	free(dirty);
}

static void test_wrap_on_character_boundary(void)
{
	unsigned char *job = NULL, line[34];
	char longfield[40 * 2 + 1] = "";
	size_t len = 0;
	long at;

	for (int i = 0; i < 40; i++)
		strcat(longfield, "Ä");
	line_job(longfield, 58, &job, &len);
	REQUIRE(job);
	memset(line, 0x8E, 33);
	CHECK(find(job, len, line, 33) < 0);   /* never 33 wide */
	line[32] = '\n';
	at = find(job, len, line, 33);
	CHECK(at > 0);
	/* The rest: exactly 8 Ä then LF. */
	if (at > 0) {
		CHECK(!memcmp(job + at + 33, line, 8));
		CHECK_INT(job[at + 33 + 8], '\n');
	}
	CHECK_INT(count_byte(job, len, 0x8E), 40);
	free(job);

	/* Words break at the last space that fits: 48 columns on 80 mm,
	 * here a line of exactly 48 followed by a space. */
	line_job("Anmeldung einer Wohnung nach Umzug innerhalb der "
		 "Stadt mit Meldebescheinigung", 80, &job, &len);
	REQUIRE(job);
	CHECK(find(job, len, "Anmeldung einer Wohnung nach Umzug innerhalb "
		   "der\nStadt mit Meldebescheinigung\n", 78) > 0);
	free(job);
	line_job("Personalausweis und Reisepass beantragen", 58, &job, &len);
	REQUIRE(job);
	CHECK(find(job, len, "Personalausweis und Reisepass\nbeantragen\n",
		   41) > 0);
	free(job);
}

/* ---- the builder ---- */

static const unsigned char start19[] = {
	0x1B, 0x40, 0x1C, 0x2E, 0x1B, 0x74, 0x13, 0x1B, 0x52, 0x00,
};

/* Finishes e and checks that it starts with the start sequence; returns
 * the bytes after it (in *job, to be freed) and their count. */
static size_t body(struct escpos *e, unsigned char **job)
{
	size_t len = 0;

	*job = NULL;
	if (escpos_finish(e, job, &len) < 0 || len < sizeof start19) {
		check_fail(__FILE__, __LINE__, "escpos_finish");
		free(*job);
		*job = NULL;
		return 0;
	}
	CHECK(!memcmp(*job, start19, sizeof start19));
	memmove(*job, *job + sizeof start19, len - sizeof start19);
	return len - sizeof start19;
}

static void test_builder_start_codepage(void)
{
	struct escpos_options o = { .paper_width_mm = 80, .codepage = 53 };
	unsigned char *job = NULL;
	size_t len = 0;

	/* Defaults (codepage 0 means 19): exactly the start sequence. */
	REQUIRE(escpos_finish(escpos_create(NULL), &job, &len) == 0);
	CHECK_INT(len, sizeof start19);
	CHECK(!memcmp(job, start19, sizeof start19));
	free(job);
	/* A clone that numbers PC858 as 53. */
	REQUIRE(escpos_finish(escpos_create(&o), &job, &len) == 0);
	CHECK_INT(len, 10);
	CHECK(!memcmp(job, "\x1b@\x1c.\x1bt\x35\x1bR\x00", 10));
	free(job);
	/* Out-of-range configuration fails the job rather than sending
	 * another table. */
	o.codepage = 256;
	CHECK_INT(escpos_finish(escpos_create(&o), &job, &len), -1);
	CHECK(job == NULL);
	o.codepage = 19;
	o.qr_module_size = 17;
	CHECK_INT(escpos_finish(escpos_create(&o), &job, &len), -1);
}

static void test_builder_styles(void)
{
	static const unsigned char want[] = {
		0x1B, 0x61, 0x01,       /* ESC a 1 */
		0x1B, 0x61, 0x02,       /* ESC a 2 */
		0x1B, 0x61, 0x00,       /* ESC a 0 */
		0x1B, 0x45, 0x01,       /* ESC E 1 */
		0x1B, 0x45, 0x00,       /* ESC E 0 */
		0x1D, 0x21, 0x11,       /* GS ! 2x2 */
		0x1D, 0x21, 0x33,       /* GS ! 4x4 */
		0x1D, 0x21, 0x70,       /* GS ! 8 wide, 1 high */
		0x1D, 0x21, 0x00,       /* GS ! 1x1 */
		0x1B, 0x64, 0x03,       /* ESC d 3 */
		0x1B, 0x64, 0xFF,       /* ESC d 255 (capped) */
		0x0A,                   /* empty line */
		0x1D, 0x56, 0x42, 0x00, /* GS V 66 0 */
	};
	struct escpos *e = escpos_create(NULL);
	unsigned char *job;
	size_t len;

	REQUIRE(e);
	escpos_align(e, ESCPOS_CENTER);
	escpos_align(e, ESCPOS_RIGHT);
	escpos_align(e, ESCPOS_LEFT);
	escpos_bold(e, 1);
	escpos_bold(e, 0);
	escpos_size(e, 2, 2);
	escpos_size(e, 4, 4);
	escpos_size(e, 8, 1);
	escpos_size(e, 1, 1);
	escpos_feed(e, 3);
	escpos_feed(e, 1000);
	escpos_feed(e, 0);      /* nothing */
	escpos_line(e, "");
	escpos_cut(e);
	len = body(e, &job);
	CHECK_INT(len, sizeof want);
	CHECK(job && !memcmp(job, want, sizeof want));
	free(job);

	/* A size outside 1..8 fails the job. */
	e = escpos_create(NULL);
	escpos_size(e, 9, 1);
	CHECK_INT(escpos_finish(e, &job, &len), -1);
	e = escpos_create(NULL);
	escpos_size(e, 1, 0);
	CHECK_INT(escpos_finish(e, &job, &len), -1);
}

static void test_builder_qr(void)
{
	static const char data[] = "BK1.A001.2026-11-25.c2lnbmVk";
	static const unsigned char head[] = {
		0x1D, 0x28, 0x6B, 0x04, 0x00, 0x31, 0x41, 0x32, 0x00,
		0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x43, 0x06,
		0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x45, 0x31,
		0x1D, 0x28, 0x6B, 28 + 3, 0x00, 0x31, 0x50, 0x30,
	};
	static const unsigned char print[] = {
		0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x51, 0x30,
	};
	struct escpos_options o = { .paper_width_mm = 58,
				    .qr_module_size = 8 };
	struct escpos *e = escpos_create(NULL);
	unsigned char *job, big[300];
	size_t len;

	REQUIRE(sizeof data - 1 == 28);
	escpos_qr(e, data, sizeof data - 1);
	len = body(e, &job);
	REQUIRE(len == sizeof head + 28 + sizeof print);
	CHECK(!memcmp(job, head, sizeof head));
	CHECK(!memcmp(job + sizeof head, data, 28));
	CHECK(!memcmp(job + sizeof head + 28, print, sizeof print));
	free(job);

	/* Module size from the options; a 300-byte payload: pL pH = 0x2F 1. */
	memset(big, 'Z', sizeof big);
	e = escpos_create(&o);
	escpos_qr(e, (char *)big, sizeof big);
	len = body(e, &job);
	REQUIRE(len == 25 + 8 + 300 + 8);
	CHECK_INT(job[16], 8);
	CHECK(!memcmp(job + 25, "\x1d(k\x2f\x01\x31\x50\x30", 8));
	free(job);

	/* Nothing to encode, or more than a QR code holds: the job fails. */
	e = escpos_create(NULL);
	escpos_qr(e, "", 0);
	CHECK_INT(escpos_finish(e, &job, &len), -1);
	e = escpos_create(NULL);
	char *huge = calloc(1, 7090);
	REQUIRE(huge);
	memset(huge, '1', 7090);
	escpos_qr(e, huge, 7090);
	CHECK_INT(escpos_finish(e, &job, &len), -1);
	e = escpos_create(NULL);
	escpos_qr(e, huge, 7089);
	CHECK_INT(escpos_finish(e, &job, &len), 0);
	CHECK_INT(len, sizeof start19 + 33 + 7089 + 8);
	CHECK_INT(job[sizeof start19 + 28], (7092 & 0xFF));
	CHECK_INT(job[sizeof start19 + 29], 7092 >> 8);
	free(job);
	free(huge);
}

static void test_builder_code128(void)
{
	static const unsigned char want[] = {
		0x1D, 0x68, 0x50, 0x1D, 0x77, 0x02, 0x1D, 0x48, 0x02,
		0x1D, 0x6B, 0x49, 0x08, '{', 'B', 'T', '-', 'A', '0', '0', '1',
	};
	struct escpos *e = escpos_create(NULL);
	unsigned char *job;
	size_t len;

	escpos_code128(e, "T-A001");
	len = body(e, &job);
	CHECK_INT(len, sizeof want);
	CHECK(job && !memcmp(job, want, sizeof want));
	free(job);

	/* A '{' in the data is doubled so it is not read as a code switch. */
	e = escpos_create(NULL);
	escpos_code128(e, "a{b");
	len = body(e, &job);
	CHECK_INT(len, 9 + 4 + 6);
	CHECK(job && !memcmp(job + 9, "\x1dk\x49\x06{Ba{{b", 10));
	free(job);

	/* Not printable ASCII, empty, or too long: the step fails. */
	static const char *const bad[] = { "Grö\xc3\x9f" "e", "a\nb", "" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		e = escpos_create(NULL);
		escpos_code128(e, bad[i]);
		CHECK_INT(escpos_finish(e, &job, &len), -1);
	}
	char longer[255];
	memset(longer, '7', 254);
	longer[254] = '\0';
	e = escpos_create(NULL);
	escpos_code128(e, longer);
	CHECK_INT(escpos_finish(e, &job, &len), -1);
	longer[253] = '\0';     /* n = 2 + 253 = 255: the most GS k takes */
	e = escpos_create(NULL);
	escpos_code128(e, longer);
	len = body(e, &job);
	CHECK_INT(len, 9 + 4 + 2 + 253);
	CHECK(job && job[12] == 255);
	free(job);
}

static void test_builder_raster_bands(void)
{
	struct raster_bitmap b = { 0 };
	struct escpos *e = escpos_create(NULL);
	unsigned char *job;
	size_t len, at = 0;
	static const int rows[] = { 255, 255, 90 };

	REQUIRE(raster_bitmap_init(&b, 576, 600) == 0);
	for (int y = 0; y < 600; y++)
		raster_bitmap_set(&b, y % 576, y);  /* one dot per row */
	escpos_raster(e, &b);
	len = body(e, &job);
	REQUIRE(len == 3 * 8 + 600 * 72);
	for (int i = 0, y = 0; i < 3; i++) {
		unsigned char head[8] = { 0x1D, 0x76, 0x30, 0x00, 72, 0,
					  (unsigned char)rows[i], 0 };

		CHECK(!memcmp(job + at, head, 8));
		CHECK(!memcmp(job + at + 8, b.bits + (size_t)y * 72,
			      (size_t)rows[i] * 72));
		at += 8 + (size_t)rows[i] * 72;
		y += rows[i];
	}
	free(job);

	/* Wider than the paper (58 mm = 384 dots): refused. */
	struct escpos_options o = { .paper_width_mm = 58 };
	e = escpos_create(&o);
	escpos_raster(e, &b);
	CHECK_INT(escpos_finish(e, &job, &len), -1);
	raster_bitmap_free(&b);
}

static void test_builder_wrap_size2(void)
{
	struct escpos *e = escpos_create(NULL);
	unsigned char *job;
	size_t len;
	static const char want[] =
		"\x1d!\x11" "Anmeldung einer Wohnung\nnach Umzug\n"
		"\x1d!\x00" "Anmeldung einer Wohnung nach Umzug\n"
		"\x1d!\x30" "Reisepass\n" "Gr\x94\xe1" "e\n";

	/* 80 mm: 24 columns at double width, 48 at normal, 12 at 4x. */
	escpos_size(e, 2, 2);
	escpos_line(e, "Anmeldung einer Wohnung nach Umzug");
	escpos_size(e, 1, 1);
	escpos_line(e, "Anmeldung einer Wohnung nach Umzug");
	escpos_size(e, 4, 1);
	escpos_line(e, "  Reisepass Größe  ");
	len = body(e, &job);
	CHECK_INT(len, sizeof want - 1);
	CHECK(job && !memcmp(job, want, sizeof want - 1));
	free(job);
}

static void test_builder_control_chars(void)
{
	struct escpos *e = escpos_create(NULL);
	unsigned char *job;
	size_t len;

	escpos_line(e, "Amt\x1b@\x1dV\x42\x00");
	len = body(e, &job);
	CHECK_INT(len, 9);
	CHECK(job && !memcmp(job, "Amt?@?VB\n", 9));
	free(job);
}

static struct rastertext *default_rt(void)
{
	const char *const *fonts = rastertext_default_fonts();
	char err[256] = "";
	int n = 0;
	struct rastertext *rt;

	while (fonts && fonts[n])
		n++;
	rt = rastertext_create(fonts, n, err, sizeof err);
	if (!rt)
		fprintf(stderr, "rastertext_create: %s (scripts/deps installs "
			"fonts-noto-core fonts-dejavu-core)\n", err);
	return rt;
}

static void test_builder_raster_line(void)
{
	static const char turkish[] = "Türkçe: ğ ş ı";
	struct escpos_options o = { .paper_width_mm = 80 };
	unsigned char *job;
	size_t len;
	struct escpos *e;
	long ink = 0;

	CHECK(escpos_pc858_covers("Größe: 5 € – „ok“"));
	CHECK(!escpos_pc858_covers(turkish));
	CHECK(!escpos_pc858_covers("مرحبا"));
	CHECK(!escpos_pc858_covers("a\x1b"));

	/* Without a rasteriser: '?' for what PC858 lacks. */
	e = escpos_create(&o);
	escpos_line(e, turkish);
	len = body(e, &job);
	CHECK_INT(len, 14);
	CHECK(job && !memcmp(job, "T\x81rk\x87" "e: ? ? ?\n", 14));
	free(job);

	/* With one: a GS v 0 image as wide as the paper, no text, no '?'. */
	o.rt = default_rt();
	REQUIRE(o.rt);
	e = escpos_create(&o);
	escpos_bold(e, 1);
	escpos_line(e, turkish);
	escpos_bold(e, 0);
	escpos_line(e, "Größe");     /* PC858 covers it: stays text */
	len = body(e, &job);
	REQUIRE(job && len > 3 + 8);
	CHECK(!memcmp(job, "\x1b" "E\x01\x1dv0\x00\x48\x00", 9));
	int rows = job[9] | job[10] << 8;
	CHECK(rows >= 24 && rows <= 255);
	REQUIRE(len == 3 + 8 + (size_t)rows * 72 + 3 + 6);
	for (size_t i = 11; i < 11 + (size_t)rows * 72; i++)
		ink += job[i] != 0;
	CHECK(ink > 50);        /* something was drawn */
	CHECK(!memcmp(job + len - 9, "\x1b" "E\x00" "Gr\x94\xe1" "e\n", 9));
	free(job);

	/* Double height draws a taller line. */
	e = escpos_create(&o);
	escpos_size(e, 1, 2);
	escpos_line(e, turkish);
	len = body(e, &job);
	REQUIRE(job && len > 3 + 8);
	CHECK((job[9] | job[10] << 8) >= 2 * 24);
	free(job);
	rastertext_destroy(o.rt);
}

static void test_builder_job_cap(void)
{
	struct raster_bitmap b = { 0 };
	struct escpos *e;
	static unsigned char dummy;
	unsigned char *job = &dummy;
	size_t len = 1;

	/* 576 x 60000 dots = 4.32 MB of raster: over the 4 MiB cap. */
	REQUIRE(raster_bitmap_init(&b, 576, 60000) == 0);
	e = escpos_create(NULL);
	escpos_raster(e, &b);
	escpos_line(e, "after the failure");
	escpos_cut(e);
	CHECK_INT(escpos_finish(e, &job, &len), -1);
	CHECK(job == NULL);
	CHECK_INT(len, 0);
	raster_bitmap_free(&b);

	/* 50000 rows (3.6 MB) fit. */
	REQUIRE(raster_bitmap_init(&b, 576, 50000) == 0);
	e = escpos_create(NULL);
	escpos_raster(e, &b);
	CHECK_INT(escpos_finish(e, &job, &len), 0);
	CHECK_INT(len, sizeof start19 + 50000 * 72 + 8 * 197);
	free(job);
	raster_bitmap_free(&b);

	/* Text lines add up to the cap too. */
	char line[49];
	memset(line, 'x', 48);
	line[48] = '\0';
	e = escpos_create(NULL);
	for (int i = 0; i < 90000; i++)
		escpos_line(e, line);
	CHECK_INT(escpos_finish(e, &job, &len), -1);
	CHECK_INT(escpos_finish(NULL, &job, &len), -1);
}

int main(void)
{
	static const struct check_test tests[] = {
		{ "umlauts", test_umlauts },
		{ "invalid_utf8", test_invalid_utf8 },
		{ "outlen_respected", test_outlen_respected },
		{ "control_chars_cannot_inject",
		  test_control_chars_cannot_inject },
		{ "wrap_on_character_boundary",
		  test_wrap_on_character_boundary },
		{ "builder_start_codepage", test_builder_start_codepage },
		{ "builder_styles", test_builder_styles },
		{ "builder_qr", test_builder_qr },
		{ "builder_code128", test_builder_code128 },
		{ "builder_raster_bands", test_builder_raster_bands },
		{ "builder_wrap_size2", test_builder_wrap_size2 },
		{ "builder_control_chars", test_builder_control_chars },
		{ "builder_raster_line", test_builder_raster_line },
		{ "builder_job_cap", test_builder_job_cap },
		{ NULL, NULL },
	};

	return check_main(tests);
}
