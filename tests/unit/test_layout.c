/*
 * test_layout.c — receipt layouts: parse errors name file:line, if/end,
 * templates, caps, images (GS v 0 bands, alignment, scaling, bad files),
 * and every shipped layout in assets/layouts/ parses and renders with
 * sample fields into the job a citizen would get.
 */
#include "check.h"
#include "drivers/printer/layout.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

static long find(const unsigned char *hay, size_t len, const void *needle,
		 size_t nlen)
{
	for (size_t i = 0; nlen <= len && i <= len - nlen; i++) {
		if (!memcmp(hay + i, needle, nlen))
			return (long)i;
	}
	return -1;
}

/* Parses text; returns the error ("" when it parsed). */
static const char *parse_err(const char *text)
{
	static char err[256];
	struct printer_layout *l = NULL;

	err[0] = '\0';
	if (printer_layout_parse(&l, "t.layout", text, strlen(text), err,
				 sizeof err) == 0) {
		if (err[0])
			return "error text set on success";
		printer_layout_free(l);
		return "";
	}
	if (l)
		return "layout set on failure";
	return err;
}

static void test_parse_errors(void)
{
	static const struct {
		const char *text, *want;
	} cases[] = {
		{ "align center\nfrobnicate 3\n",
		  "t.layout:2: unknown command 'frobnicate'" },
		{ "# c\n\n  align middle\n",
		  "t.layout:3: bad argument 'middle' to 'align'" },
		{ "bold yes\n", "t.layout:1: bad argument 'yes' to 'bold'" },
		{ "size 9 1\n", "t.layout:1: bad argument '9 1' to 'size'" },
		{ "size 2\n", "t.layout:1: bad argument '2' to 'size'" },
		{ "size 2 2 2\n", "t.layout:1: bad argument '2 2 2' to 'size'" },
		{ "feed 0\n", "t.layout:1: bad argument '0' to 'feed'" },
		{ "feed 3x\n", "t.layout:1: bad argument '3x' to 'feed'" },
		{ "cut now\n", "t.layout:1: bad argument 'now' to 'cut'" },
		{ "qr\n", "t.layout:1: bad argument '' to 'qr'" },
		{ "text {a b}\n", "t.layout:1: bad field name in {...}" },
		{ "text {open\n", "t.layout:1: '{' without '}'" },
		{ "text a } b\n",
		  "t.layout:1: '}' without '{' (write }} for a brace)" },
		{ "text a\nend\n", "t.layout:2: 'end' without 'if'" },
		{ "text a\nif x\ntext b\n", "t.layout:2: 'if' without 'end'" },
		{ "if a\nif b\nif c\nif d\nif e\nend\nend\nend\nend\nend\n",
		  "t.layout:5: 'if' nested deeper than 4" },
		{ "if bad-name\nend\n",
		  "t.layout:1: bad argument 'bad-name' to 'if'" },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		CHECK_STR(parse_err(cases[i].text), cases[i].want);
	/* The NUL case above is cut by strlen; parse it with its length. */
	{
		static const char nul[] = "text a\ntext b\0c\n";
		struct printer_layout *l = NULL;
		char err[128];

		CHECK_INT(printer_layout_parse(&l, "n.layout", nul,
					       sizeof nul - 1, err,
					       sizeof err), -1);
		CHECK_STR(err, "n.layout:2: NUL byte");
	}
	/* Fine: comments, blank lines, indentation, CRLF, {{ }}, aliases. */
	CHECK_STR(parse_err("# x\r\n\r\n\tif a\r\n  text {{x}} {a}\r\n"
			    "  barcode {a}\r\nend\r\nrule\r\ncut\r\n"), "");
	CHECK_STR(parse_err(""), "");
}

static void test_caps(void)
{
	struct printer_layout *l = NULL;
	char err[256], *big;
	size_t n = 0;

	/* More lines than LAYOUT_LINES_MAX. */
	big = malloc(LAYOUT_FILE_MAX + 2);
	REQUIRE(big);
	for (int i = 0; i < (int)LAYOUT_LINES_MAX + 1; i++)
		n += (size_t)sprintf(big + n, "feed 1\n");
	CHECK_INT(printer_layout_parse(&l, "big", big, n, err, sizeof err),
		  -1);
	CHECK_STR(err, "big:257: more than 256 lines");
	/* A file over LAYOUT_FILE_MAX. */
	memset(big, '#', LAYOUT_FILE_MAX + 1);
	CHECK_INT(printer_layout_parse(&l, "big", big, LAYOUT_FILE_MAX + 1,
				       err, sizeof err), -1);
	CHECK(strstr(err, "big:0: larger than") == err);
	/* One very long line. */
	memcpy(big, "text ", 5);
	memset(big + 5, 'x', 2000);
	CHECK_INT(printer_layout_parse(&l, "big", big, 2005, err, sizeof err),
		  -1);
	CHECK_STR(err, "big:1: line longer than 1024 bytes");
	free(big);
	CHECK(l == NULL);
	/* A missing file names the path. */
	CHECK_INT(printer_layout_load(&l, "/nonexistent/x.layout", err,
				      sizeof err), -1);
	CHECK(strstr(err, "/nonexistent/x.layout:0: ") == err);
}

/* Renders text with fields at 80 mm into out (NUL-terminated, may hold
 * NULs): the job without its 10-byte start. Its length, or -1 with the
 * error in out. */
static long render(const char *text, const struct printer_field *f, int n,
		   char *out, size_t cap)
{
	struct escpos_options o = { .paper_width_mm = 80 };
	struct printer_layout *l = NULL;
	unsigned char *job = NULL;
	size_t len = 0;
	char err[256];
	int rc;

	if (printer_layout_parse(&l, "r", text, strlen(text), err,
				 sizeof err) < 0) {
		snprintf(out, cap, "parse: %s", err);
		return -1;
	}
	rc = printer_layout_render(l, &o, f, n, &job, &len, err, sizeof err);
	printer_layout_free(l);
	if (rc < 0) {
		snprintf(out, cap, "%s", err);
		return -1;
	}
	if (len < 10 || len - 10 >= cap) {
		free(job);
		snprintf(out, cap, "length %zu", len);
		return -1;
	}
	memcpy(out, job + 10, len - 10);
	out[len - 10] = '\0';
	free(job);
	return (long)(len - 10);
}

static void test_if_end_and_fields(void)
{
	static const char text[] =
		"text [{a}] [{b}] [{nope}] {{x}}\n"
		"if a\n"
		"  text A set\n"
		"  if b\n"
		"    text B set\n"
		"  end\n"
		"  if empty\n"
		"    text never\n"
		"  end\n"
		"end\n"
		"if b\n"
		"text only b\n"
		"end\n"
		"text tail\n";
	const struct printer_field f[] = {
		{ "a", "1" }, { "empty", "" }, { "b", NULL },
	};
	const struct printer_field g[] = { { "b", "Ä" }, { "a", "x" } };
	char out[512];

	CHECK(render(text, f, 3, out, sizeof out) > 0);
	CHECK_STR(out, "[1] [] [] {x}\nA set\ntail\n");
	CHECK(render(text, g, 2, out, sizeof out) > 0);
	CHECK_STR(out, "[x] [\x8e] [] {x}\nA set\nB set\nonly b\ntail\n");
	CHECK(render(text, NULL, 0, out, sizeof out) > 0);
	CHECK_STR(out, "[] [] [] {x}\ntail\n");
}

static void test_commands_render(void)
{
	const struct printer_field f[] = { { "code", "T-7" } };
	char out[512];

	static const char want[] =
		"\x1b" "a\x02" "\x1b" "E\x01" "\x1d!\x12"
		"------------------------\n" "\x1d!\x00" "\x1b" "d\x02"
		"\x1dh\x50\x1dw\x02\x1dH\x02\x1dk\x49\x05{BT-7"
		"\x1dV\x42\x00";

	/* 80 mm at double width: a rule of 24 dashes. */
	CHECK_INT(render("align right\nbold on\nsize 2 3\nrule\nsize 1 1\n"
			 "feed 2\ncode128 {code}\ncut\n", f, 1, out,
			 sizeof out), sizeof want - 1);
	CHECK(!memcmp(out, want, sizeof want - 1));
	CHECK_INT(render("text\nfrob\n", f, 1, out, sizeof out), -1);
	CHECK_STR(out, "parse: r:2: unknown command 'frob'");
	struct escpos_options o = { .paper_width_mm = 58 };
	struct printer_layout *l = NULL;
	unsigned char *job = NULL;
	size_t len = 0;
	char err[256];
	static const char lay[] = "rule\nqr {code}\nbarcode {code}\ncut\n";
	static const unsigned char tail[] = {
		0x1D, 0x68, 0x50, 0x1D, 0x77, 0x02, 0x1D, 0x48, 0x02,
		0x1D, 0x6B, 0x49, 0x05, '{', 'B', 'T', '-', '7',
		0x1D, 0x56, 0x42, 0x00,
	};

	REQUIRE(printer_layout_parse(&l, "r", lay, sizeof lay - 1, err,
				     sizeof err) == 0);
	REQUIRE(printer_layout_render(l, &o, f, 1, &job, &len, err,
				      sizeof err) == 0);
	CHECK(len > sizeof tail && !memcmp(job + len - sizeof tail, tail,
					     sizeof tail));
	CHECK(find(job, len, "--------------------------------\n", 33) == 10);
	CHECK(find(job, len, "\x1d(k\x06\x00\x31\x50\x30T-7", 11) > 0);
	free(job);

	/* qr/code128 with no data, or code128 with non-ASCII: the error
	 * names the line. */
	CHECK_INT(printer_layout_render(l, &o, NULL, 0, &job, &len, err,
					sizeof err), -1);
	CHECK_STR(err, "r:2: no data (field not set?)");
	const struct printer_field u[] = { { "code", "Ä" } };
	printer_layout_free(l);
	REQUIRE(printer_layout_parse(&l, "r", "text\ncode128 {code}\n", 19,
				     err, sizeof err) == 0);
	CHECK_INT(printer_layout_render(l, &o, u, 1, &job, &len, err,
					sizeof err), -1);
	CHECK_STR(err, "r:2: code128 takes up to 120 printable ASCII "
		  "characters");
	CHECK(job == NULL);
	printer_layout_free(l);
}

/* Writes an all-black w x h PNG (1-bit) as dir/name. */
static int write_png(const char *dir, const char *name, int w, int h)
{
	struct raster_bitmap b;
	char path[512], err[256];
	int rc;

	if (raster_bitmap_init(&b, w, h) < 0)
		return -1;
	memset(b.bits, 0xFF, (size_t)b.stride * (size_t)h);
	snprintf(path, sizeof path, "%s/%s", dir, name);
	rc = raster_bitmap_write_png(&b, path, err, sizeof err);
	raster_bitmap_free(&b);
	return rc;
}

static int write_text(const char *dir, const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f)
		return -1;
	fputs(text, f);
	return fclose(f);
}

/* Parses text with images in dir and renders it on paper mm wide; the
 * job in *job (NULL and the error in err on failure). */
static size_t render_in(const char *dir, const char *text, int paper,
			unsigned char **job, char *err, size_t errlen)
{
	struct escpos_options o = { .paper_width_mm = paper };
	struct printer_layout *l = NULL;
	size_t len = 0;

	*job = NULL;
	err[0] = '\0';
	if (printer_layout_parse_in(&l, "t.layout", text, strlen(text), dir,
				    err, errlen) < 0)
		return 0;
	if (printer_layout_render(l, &o, NULL, 0, job, &len, err,
				  errlen) < 0)
		len = 0;
	printer_layout_free(l);
	return len;
}

/* The header of one GS v 0 band: w bytes wide, rows high. */
static void band_head(unsigned char h[8], int w, int rows)
{
	h[0] = 0x1D;
	h[1] = 'v';
	h[2] = '0';
	h[3] = 0;
	h[4] = (unsigned char)(w & 0xFF);
	h[5] = (unsigned char)(w >> 8);
	h[6] = (unsigned char)rows;
	h[7] = 0;
}

static void test_image(void)
{
	char dir[256], err[256];
	unsigned char *job, h[8], row[38];
	size_t len;
	long at;

	check_tmpdir(dir);
	REQUIRE(write_png(dir, "a.png", 20, 300) == 0);

	/* Left: two bands, 255 + 45 rows of 3 bytes, straight after the
	 * job's start; no ESC a around it. */
	len = render_in(dir, "image a.png\n", 80, &job, err, sizeof err);
	CHECK_STR(err, "");
	REQUIRE(job);
	CHECK_INT(len, 10 + 8 + 255 * 3 + 8 + 45 * 3);
	band_head(h, 3, 255);
	CHECK(!memcmp(job + 10, h, 8));
	CHECK(!memcmp(job + 18, "\xff\xff\xf0", 3));
	band_head(h, 3, 45);
	CHECK(!memcmp(job + 18 + 255 * 3, h, 8));
	free(job);

	/* Centred on 80 mm: padded by (576 - 20) / 2 = 278 white dots,
	 * 298 dots = 38 bytes a row, printed with ESC a 0 and the centre
	 * restored after it. */
	len = render_in(dir, "align center\nimage a.png\ntext x\n", 80, &job,
			err, sizeof err);
	REQUIRE(job);
	band_head(h, 38, 255);
	at = find(job, len, h, 8);
	CHECK(at == 10 + 3 + 3);
	CHECK(!memcmp(job + 10, "\x1b" "a\x01\x1b" "a\x00", 6));
	memset(row, 0, sizeof row);
	row[34] = 0x03;
	row[35] = row[36] = 0xFF;
	row[37] = 0xC0;
	CHECK(at > 0 && !memcmp(job + at + 8, row, 38));
	band_head(h, 38, 45);
	CHECK(find(job, len, h, 8) == at + 8 + 255 * 38);
	CHECK(!memcmp(job + len - 5, "\x1b" "a\x01x\n", 5));
	free(job);

	/* Right on 58 mm: 364 white dots, 384 in all, 48 bytes. */
	len = render_in(dir, "align right\nimage a.png\n", 58, &job, err,
			sizeof err);
	REQUIRE(job);
	band_head(h, 48, 255);
	CHECK(find(job, len, h, 8) > 0);
	CHECK(!memcmp(job + len - 3, "\x1b" "a\x02", 3));
	free(job);

	/* WIDTH scales, keeping the proportions: 10 x 150, then 40 x 600
	 * in three bands. */
	len = render_in(dir, "image a.png 10\n", 80, &job, err, sizeof err);
	REQUIRE(job);
	CHECK_INT(len, 10 + 8 + 150 * 2);
	band_head(h, 2, 150);
	CHECK(!memcmp(job + 10, h, 8));
	CHECK(!memcmp(job + 18, "\xff\xc0", 2));
	free(job);
	len = render_in(dir, "image a.png 40\n", 80, &job, err, sizeof err);
	REQUIRE(job);
	CHECK_INT(len, 10 + 3 * 8 + 600 * 5);
	band_head(h, 5, 90);
	CHECK(!memcmp(job + len - 8 - 90 * 5, h, 8));
	free(job);

	/* Wider than the paper: narrowed to it when rendered, 576 dots on
	 * 80 mm (72 bytes), 384 on 58 mm (48 bytes, 480 * 384 / 576 rows). */
	REQUIRE(write_png(dir, "wide.png", 1000, 480) == 0);
	len = render_in(dir, "image wide.png\n", 80, &job, err, sizeof err);
	REQUIRE(job);
	band_head(h, 72, 255);
	CHECK(!memcmp(job + 10, h, 8));
	band_head(h, 72, 276 - 255);
	CHECK(!memcmp(job + len - 8 - 21 * 72, h, 8));
	free(job);
	len = render_in(dir, "image wide.png\n", 58, &job, err, sizeof err);
	REQUIRE(job);
	CHECK_INT(len, 10 + 8 + 184 * 48);
	free(job);

	/* Found in the folder of a loaded layout, and in one below it. */
	{
		struct printer_layout *l = NULL;
		char sub[300], path[320];

		snprintf(sub, sizeof sub, "%s/img", dir);
		REQUIRE(mkdir(sub, 0700) == 0);
		REQUIRE(write_png(sub, "b.png", 8, 8) == 0);
		REQUIRE(write_text(dir, "x.layout", "image img/b.png\n"
				   "image ./a.png 16\n") == 0);
		snprintf(path, sizeof path, "%s/x.layout", dir);
		CHECK_INT(printer_layout_load(&l, path, err, sizeof err), 0);
		printer_layout_free(l);
	}
	check_rmtree(dir);
}

static void test_image_errors(void)
{
	static const struct {
		const char *text, *want;
	} cases[] = {
		{ "text a\nimage nope.png\n",
		  "t.layout:2: image 'nope.png': No such file or directory" },
		{ "image /etc/logo.png\n", "t.layout:1: image '/etc/logo.png': "
		  "absolute path (give it relative to the layout's folder)" },
		{ "image ../a.png\n", "t.layout:1: image '../a.png': '..' in "
		  "the path (the image must sit in the layout's folder or "
		  "below)" },
		{ "image img/../../a.png\n", "t.layout:1: image "
		  "'img/../../a.png': '..' in the path (the image must sit in "
		  "the layout's folder or below)" },
		{ "image\n", "t.layout:1: image '': no file" },
		{ "image notes.txt\n",
		  "t.layout:1: image 'notes.txt': not a PNG file" },
		{ "image big.png\n", "t.layout:1: image 'big.png': 2049 x 2 "
		  "dots, larger than 2048 x 2048" },
		{ "image tall.png 576\n", "t.layout:1: image 'tall.png': "
		  "115200 dots tall at 576 wide (at most 2048)" },
		{ "image a.png 0\n",
		  "t.layout:1: bad width '0' to 'image' (1..576 dots)" },
		{ "image a.png 577\n",
		  "t.layout:1: bad width '577' to 'image' (1..576 dots)" },
		{ "image a.png 10 20\n",
		  "t.layout:1: bad width '10 20' to 'image' (1..576 dots)" },
		{ "image a.png\nimage a.png\nimage a.png\nimage a.png\n"
		  "image a.png\nimage a.png\nimage a.png\nimage a.png\n"
		  "image a.png\n", "t.layout:9: more than 8 images" },
	};
	char root[256], dir[300], err[256];
	struct printer_layout *l = NULL;

	/* The layouts sit in root/lay; root/a.png exists but is out of
	 * reach. */
	check_tmpdir(root);
	snprintf(dir, sizeof dir, "%s/lay", root);
	REQUIRE(mkdir(dir, 0700) == 0);
	REQUIRE(write_png(root, "a.png", 4, 4) == 0);
	REQUIRE(write_png(dir, "a.png", 4, 4) == 0);
	REQUIRE(write_png(dir, "big.png", 2049, 2) == 0);
	REQUIRE(write_png(dir, "tall.png", 10, 2000) == 0);
	REQUIRE(write_text(dir, "notes.txt", "not a picture\n") == 0);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		err[0] = '\0';
		CHECK_INT(printer_layout_parse_in(&l, "t.layout", cases[i].text,
						  strlen(cases[i].text), dir,
						  err, sizeof err), -1);
		CHECK(l == NULL);
		CHECK_STR(err, cases[i].want);
	}
	/* From memory there is no folder: an error, not a guess. */
	CHECK_STR(parse_err("align center\nimage a.png\n"), "t.layout:2: "
		  "image 'a.png': the layout has no folder to find it in");
	/* A loaded layout's broken image names the layout file. */
	{
		char path[340];

		REQUIRE(write_text(dir, "y.layout", "# logo\nimage x.png\n") ==
			0);
		REQUIRE(write_text(dir, "x.png", "\x89PNG\r\n\x1a\n\0\0") == 0);
		snprintf(path, sizeof path, "%s/y.layout", dir);
		CHECK_INT(printer_layout_load(&l, path, err, sizeof err), -1);
		CHECK(strstr(err, path) == err);
		CHECK(strstr(err, ":2: image 'x.png': ") != NULL);
	}
	check_rmtree(root);
}

static const struct printer_field ticket_fields[] = {
	{ "office", "Bürgerbüro Musterstadt" },
	{ "number", "A017" },
	{ "service", "Personalausweis beantragen" },
	{ "ahead_line", "Vor Ihnen: 3" },
	{ "wait_line", "Wartezeit etwa 12 Minuten" },
	{ "date", "25.11.2026" },
	{ "time", "18:40" },
	{ "note", "Lütfen numaranızın çağrılmasını bekleyin." },
	{ "qr", "BK1.A017.20261125.3q2+7w" },
};

static const struct printer_field receipt_fields[] = {
	{ "office", "Bürgerbüro Musterstadt" },
	{ "title", "Eingangsbestätigung" },
	{ "reference", "BK-2026-004711" },
	{ "form", "Anmeldung einer Wohnung" },
	{ "date", "25.11.2026" },
	{ "time", "18:41" },
	{ "note", "Bewahren Sie diesen Beleg auf." },
	{ "qr", "BK-2026-004711" },
};

static const struct printer_field test_fields[] = {
	{ "office", "Bürgerbüro Musterstadt" },
	{ "date", "25.11.2026" },
	{ "time", "18:42" },
	{ "code", "BK-TEST-0001" },
};

/* Loads assets/layouts/name and renders it; the job in *job. */
static size_t render_shipped_rt(const char *name, int width,
				struct rastertext *rt,
				const struct printer_field *f, int n,
				unsigned char **job)
{
	struct escpos_options o = { .paper_width_mm = width, .rt = rt };
	struct printer_layout *l = NULL;
	char path[512], err[256] = "";
	size_t len = 0;

	*job = NULL;
	snprintf(path, sizeof path, "%s/assets/layouts/%s", BK_SOURCE_DIR,
		 name);
	if (printer_layout_load(&l, path, err, sizeof err) < 0 ||
	    printer_layout_render(l, &o, f, n, job, &len, err,
				  sizeof err) < 0) {
		fprintf(stderr, "%s: %s\n", name, err);
		check_fail(__FILE__, __LINE__, name);
	}
	printer_layout_free(l);
	return len;
}

static size_t render_shipped(const char *name, int width,
			     const struct printer_field *f, int n,
			     unsigned char **job)
{
	return render_shipped_rt(name, width, NULL, f, n, job);
}

static void test_shipped_ticket(void)
{
	static const struct {
		const char *name;
		int width;
		const char *number;     /* GS ! n, ESC E 1, number, LF */
	} cases[] = {
		{ "ticket-80.layout", 80, "\x1d!\x33\x1b" "E\x01" "A017\n" },
		{ "ticket-58.layout", 58, "\x1d!\x22\x1b" "E\x01" "A017\n" },
	};

	for (size_t i = 0; i < 2; i++) {
		unsigned char *job;
		size_t len = render_shipped(cases[i].name, cases[i].width,
					    ticket_fields, 9, &job);

		REQUIRE(job);
		CHECK(!memcmp(job, "\x1b@\x1c.\x1bt\x13\x1bR\x00", 10));
		CHECK(find(job, len, cases[i].number, 11) > 0);
		CHECK(find(job, len, "B\x81rgerb\x81ro Musterstadt\n", 23) > 0);
		CHECK(find(job, len, "Vor Ihnen: 3\n", 13) > 0);
		CHECK(find(job, len, "Wartezeit etwa 12 Minuten\n", 26) > 0);
		CHECK(find(job, len, "25.11.2026  18:40\n", 18) > 0);
		/* The QR code carries the qr field. */
		CHECK(find(job, len, "\x1d(k\x1b\x00\x31\x50\x30"
			   "BK1.A017.20261125.3q2+7w", 32) > 0);
		/* The Turkish note has no '?': it became text the printer
		 * could not hold, so without a rasteriser '?' is allowed but
		 * the words around the gaps must be there. */
		CHECK(find(job, len, "L\x81tfen numaran?z?n", 18) > 0);
		/* Ends with a feed and the partial cut. */
		CHECK(len > 7 && !memcmp(job + len - 7,
					 "\x1b" "d\x03\x1dV\x42\x00", 7));
		free(job);
	}

	/* Without ahead_line, wait_line, note and qr: those parts vanish. */
	unsigned char *job;
	size_t len = render_shipped("ticket-80.layout", 80, ticket_fields, 2,
				    &job);
	REQUIRE(job);
	CHECK(find(job, len, "\x1d(k", 3) < 0);
	CHECK(find(job, len, "Vor Ihnen", 9) < 0);
	CHECK(find(job, len, "\x1d!\x33\x1b" "E\x01" "A017\n", 11) > 0);
	free(job);

	/* With a rasteriser the Turkish note is a 576-dot image, not '?'. */
	const char *const *fonts = rastertext_default_fonts();
	char err[256] = "";
	int nf = 0;
	while (fonts && fonts[nf])
		nf++;
	struct rastertext *rt = rastertext_create(fonts, nf, err, sizeof err);
	if (!rt)
		fprintf(stderr, "rastertext_create: %s\n", err);
	REQUIRE(rt);
	len = render_shipped_rt("ticket-80.layout", 80, rt, ticket_fields, 9,
				&job);
	REQUIRE(job);
	CHECK(find(job, len, "numaran", 7) < 0);
	CHECK(find(job, len, "\x1dv0\x00\x48\x00", 6) > 0);
	CHECK(find(job, len, "\x1d!\x33\x1b" "E\x01" "A017\n", 11) > 0);
	free(job);
	rastertext_destroy(rt);
}

static void test_shipped_receipt_and_test_page(void)
{
	static const char *const receipts[] = { "receipt-80.layout",
						"receipt-58.layout" };
	unsigned char *job;
	size_t len;

	for (int i = 0; i < 2; i++) {
		len = render_shipped(receipts[i], i ? 58 : 80, receipt_fields,
				     8, &job);
		REQUIRE(job);
		CHECK(find(job, len, "\x1d!\x11\x1b" "E\x01"
			   "BK-2026-004711\n", 21) > 0);
		CHECK(find(job, len, "Eingangsbest\x84tigung\n", 20) > 0);
		CHECK(find(job, len, "Anmeldung einer Wohnung\n", 24) > 0);
		CHECK(find(job, len, "\x1d(k\x11\x00\x31\x50\x30"
			   "BK-2026-004711", 22) > 0);
		CHECK(!memcmp(job + len - 4, "\x1dV\x42\x00", 4));
		free(job);
	}

	len = render_shipped("test-page.layout", 80, test_fields, 4, &job);
	REQUIRE(job);
	CHECK(find(job, len, "\x8e\x99\x9a \x84\x94\x81 \xe1 \xd5\n", 12) > 0);
	CHECK(find(job, len, "\x1dk\x49\x0e{BBK-TEST-0001", 18) > 0);
	CHECK(find(job, len, "\x1d(k\x0f\x00\x31\x50\x30" "BK-TEST-0001",
		   20) > 0);
	CHECK(!memcmp(job + len - 4, "\x1dV\x42\x00", 4));
	free(job);
	len = render_shipped("test-page.layout", 58, test_fields, 4, &job);
	CHECK(job && len > 100);
	free(job);
}

static void test_shipped_logo(void)
{
	/* The logo (240 x 118 dots, make-logo.py) is the first thing on
	 * every layout, centred: on 80 mm 168 white dots + 240 = 51 bytes;
	 * the 58 mm ticket and receipt shrink it to 180 x 89 and pad by 102
	 * (36 bytes); the test page keeps 240 and pads by 72 (39 bytes). It
	 * stays under 15 mm of paper: 120 rows. */
	static const struct {
		const char *name;
		int paper, stride, rows;
		const struct printer_field *f;
		int n;
	} cases[] = {
		{ "ticket-80.layout", 80, 51, 118, ticket_fields, 9 },
		{ "ticket-58.layout", 58, 36, 89, ticket_fields, 9 },
		{ "receipt-80.layout", 80, 51, 118, receipt_fields, 8 },
		{ "receipt-58.layout", 58, 36, 89, receipt_fields, 8 },
		{ "test-page.layout", 80, 51, 118, test_fields, 4 },
		{ "test-page.layout", 58, 39, 118, test_fields, 4 },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		unsigned char *job, h[8];
		size_t len = render_shipped(cases[i].name, cases[i].paper,
					    cases[i].f, cases[i].n, &job);

		REQUIRE(job);
		CHECK(cases[i].rows <= 120);
		band_head(h, cases[i].stride, cases[i].rows);
		CHECK(len > 30 && !memcmp(job + 10, "\x1b" "a\x01\x1b" "a\x00",
					  6));
		CHECK(len > 30 && !memcmp(job + 16, h, 8));
		CHECK(find(job, len, "\x1dv0", 3) == 16);
		free(job);
	}
}

int main(void)
{
	static const struct check_test tests[] = {
		{ "parse_errors", test_parse_errors },
		{ "caps", test_caps },
		{ "if_end_and_fields", test_if_end_and_fields },
		{ "commands_render", test_commands_render },
		{ "image", test_image },
		{ "image_errors", test_image_errors },
		{ "shipped_ticket", test_shipped_ticket },
		{ "shipped_receipt_and_test_page",
		  test_shipped_receipt_and_test_page },
		{ "shipped_logo", test_shipped_logo },
		{ NULL, NULL },
	};

	return check_main(tests);
}
