/*
 * escpos.c — the ESC/POS encoder: builds one print job as bytes (escpos.h).
 *
 * It is a builder: each step appends one or a few commands to a growing
 * buffer and remembers the first failure; escpos_finish() hands over the
 * bytes or reports that failure. It knows no transport, no layout file and
 * no ticket: layouts (layout.c) say what goes on the paper.
 *
 * Text goes out in code page PC858 (CP850 with the euro sign at D5), one
 * byte per character, so wrapping counts bytes and can never split a
 * character. A line with a character PC858 lacks is drawn by struct
 * rastertext and sent as a raster image; with no rasteriser it prints
 * with '?' in place of those characters.
 *
 * Invariants of every job:
 *  1. Text bytes are 0x20..0x7E or 0x80..0xFF: control characters in the
 *     input become '?', so a field can never start a printer command.
 *  2. Every control byte in the job belongs to one of the commands below;
 *     data bytes appear only inside a command's counted payload (QR data,
 *     CODE128 data, raster dots).
 *  3. No text line is wider than the paper: 48 columns of font A on 80 mm
 *     paper, 32 on anything narrower, divided by the width multiplier.
 *  4. The job never grows past ESCPOS_JOB_MAX bytes.
 *
 * Every command it emits (hex; n, pL pH … are parameters):
 *
 * bytes                       command         why / parameters
 * 1B 40                       ESC @           initialise: drop the last job's modes
 * 1C 2E                       FS .            leave Kanji mode (clones start in it)
 * 1B 74 n                     ESC t n         code page: 19 = PC858 on Epson,
 *                                             53 on some clones (options.codepage)
 * 1B 52 00                    ESC R 0         USA set: keeps @ [ \ ] { | } ~ intact
 * 1B 61 n                     ESC a n         align: 0 left, 1 centre, 2 right
 * 1B 45 n                     ESC E n         bold: 0 off, 1 on
 * 1D 21 n                     GS ! n          size: bits 4-6 width-1, bits 0-2 height-1
 * text.. 0A                   LF              a text line (PC858), then line feed
 * 1B 64 n                     ESC d n         feed n lines (1..255)
 * 1D 56 42 00                 GS V 66 0       feed to the cutter, then partial cut
 *
 * QR code (GS ( k, cn = 0x31 "symbol type QR"):
 * offset  bytes                             function
 *  0      1D 28 6B 04 00 31 41 32 00        fn 65: model 2
 *  9      1D 28 6B 03 00 31 43 n            fn 67: module size n dots (1..16)
 * 17      1D 28 6B 03 00 31 45 31           fn 69: error correction M (0x31)
 * 25      1D 28 6B pL pH 31 50 30 data      fn 80: store; pL + 256 pH = len + 3
 * 33+len  1D 28 6B 03 00 31 51 30           fn 81: print the stored symbol
 *
 * CODE128 (code set B):
 * offset  bytes                             command
 *  0      1D 68 50                          GS h 80: bar height 80 dots (10 mm)
 *  3      1D 77 02                          GS w 2: module width 2 dots
 *  6      1D 48 02                          GS H 2: human-readable text below
 *  9      1D 6B 49 n 7B 42 data             GS k 73 n: n = 2 + data bytes,
 *                                           "{B" selects code set B; a '{'
 *                                           in the data is sent as "{{"
 *
 * Raster image, one command per band of at most 255 rows:
 * offset  bytes                             command
 *  0      1D 76 30 00 xL xH yL yH           GS v 0, m = 0 (normal size);
 *                                           xL + 256 xH = bytes per row,
 *                                           yL + 256 yH = rows (≤ 255)
 *  8      (x * y bytes)                     dots, MSB first, 1 = black
 *
 * GS V 66 rather than GS V 1: it feeds the last line past the cutter
 * before cutting instead of cutting through it.
 */
#include "drivers/printer/escpos.h"
#include "drivers/printer/printer.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define DOTS_80 576
#define DOTS_58 384
#define FONT_A_HEIGHT 24            /* dots of one text line at size 1 */
#define QR_DATA_MAX 7089            /* model 2, version 40, numeric, EC L */
#define CODE128_MAX 253             /* n ≤ 255 with the "{B" prefix */
#define BAND_ROWS 255

/*
 * Code page 858, bytes 80..FF, as Unicode scalar values: CP850 (IBM's
 * multilingual Latin-1) with D5 changed from U+0131 (dotless i) to the
 * euro sign. Bytes 00..7F are ASCII.
 */
static const uint16_t pc858_high[128] = {
	/* 80 */ 0x00C7, 0x00FC, 0x00E9, 0x00E2, 0x00E4, 0x00E0, 0x00E5, 0x00E7,
	/* 88 */ 0x00EA, 0x00EB, 0x00E8, 0x00EF, 0x00EE, 0x00EC, 0x00C4, 0x00C5,
	/* 90 */ 0x00C9, 0x00E6, 0x00C6, 0x00F4, 0x00F6, 0x00F2, 0x00FB, 0x00F9,
	/* 98 */ 0x00FF, 0x00D6, 0x00DC, 0x00F8, 0x00A3, 0x00D8, 0x00D7, 0x0192,
	/* A0 */ 0x00E1, 0x00ED, 0x00F3, 0x00FA, 0x00F1, 0x00D1, 0x00AA, 0x00BA,
	/* A8 */ 0x00BF, 0x00AE, 0x00AC, 0x00BD, 0x00BC, 0x00A1, 0x00AB, 0x00BB,
	/* B0 */ 0x2591, 0x2592, 0x2593, 0x2502, 0x2524, 0x00C1, 0x00C2, 0x00C0,
	/* B8 */ 0x00A9, 0x2563, 0x2551, 0x2557, 0x255D, 0x00A2, 0x00A5, 0x2510,
	/* C0 */ 0x2514, 0x2534, 0x252C, 0x251C, 0x2500, 0x253C, 0x00E3, 0x00C3,
	/* C8 */ 0x255A, 0x2554, 0x2569, 0x2566, 0x2560, 0x2550, 0x256C, 0x00A4,
	/* D0 */ 0x00F0, 0x00D0, 0x00CA, 0x00CB, 0x00C8, 0x20AC, 0x00CD, 0x00CE,
	/* D8 */ 0x00CF, 0x2518, 0x250C, 0x2588, 0x2584, 0x00A6, 0x00CC, 0x2580,
	/* E0 */ 0x00D3, 0x00DF, 0x00D4, 0x00D2, 0x00F5, 0x00D5, 0x00B5, 0x00FE,
	/* E8 */ 0x00DE, 0x00DA, 0x00DB, 0x00D9, 0x00FD, 0x00DD, 0x00AF, 0x00B4,
	/* F0 */ 0x00AD, 0x00B1, 0x2017, 0x00BE, 0x00B6, 0x00A7, 0x00F7, 0x00B8,
	/* F8 */ 0x00B0, 0x00A8, 0x00B7, 0x00B9, 0x00B3, 0x00B2, 0x25A0, 0x00A0,
};

#define CP_INVALID 0xFFFFFFFFu
#define DROP (-1)

/*
 * Decodes one UTF-8 sequence at s (NUL-terminated) into *cp and returns the
 * bytes it used, at least 1. Ill-formed input (overlongs, surrogates,
 * values above U+10FFFF, truncated sequences, stray continuation bytes)
 * gives CP_INVALID for each maximal ill-formed subpart, as Unicode's
 * chapter 3 recommends: one '?' per broken sequence, and the byte that
 * broke it starts the next one.
 */
static size_t utf8_decode(const unsigned char *s, uint32_t *cp)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xBF;
	size_t need, i;
	uint32_t v;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xC2 && c <= 0xDF) {
		need = 1;
		v = c & 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		need = 2;
		v = c & 0x0F;
		if (c == 0xE0)
			lo = 0xA0;      /* overlong below U+0800 */
		else if (c == 0xED)
			hi = 0x9F;      /* surrogates D800..DFFF */
	} else if (c >= 0xF0 && c <= 0xF4) {
		need = 3;
		v = c & 0x07;
		if (c == 0xF0)
			lo = 0x90;      /* overlong below U+10000 */
		else if (c == 0xF4)
			hi = 0x8F;      /* above U+10FFFF */
	} else {
		*cp = CP_INVALID;       /* 80..C1, F5..FF */
		return 1;
	}
	for (i = 1; i <= need; i++) {
		if (s[i] < lo || s[i] > hi) {
			*cp = CP_INVALID;
			return i;
		}
		v = (v << 6) | (s[i] & 0x3F);
		lo = 0x80;
		hi = 0xBF;
	}
	*cp = v;
	return need + 1;
}

/* The PC858 byte for cp, '?' if it has none, or DROP for invisible marks. */
static int pc858_from_cp(uint32_t cp)
{
	if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F))
		return '?';             /* C0, DEL, C1: never to the printer */
	if (cp < 0x7F)
		return (int)cp;
	for (int i = 0; i < 128; i++) {
		if (pc858_high[i] == cp && cp != 0x00AD)
			return 0x80 + i;
	}
	/* Invisible: combining marks (an NFD "u" + U+0308 prints as "u"),
	 * soft hyphen, zero-width and bidi format characters. */
	if ((cp >= 0x0300 && cp <= 0x036F) || cp == 0x00AD ||
	    (cp >= 0x200B && cp <= 0x200F) || (cp >= 0x202A && cp <= 0x202E) ||
	    (cp >= 0x2060 && cp <= 0x2069) || cp == 0xFEFF)
		return DROP;
	/* Typographic look-alikes that German text is full of. */
	switch (cp) {
	case 0x2018: case 0x2019: case 0x201A: case 0x201B: case 0x2032:
		return '\'';
	case 0x201C: case 0x201D: case 0x201E: case 0x201F: case 0x2033:
		return '"';
	case 0x2010: case 0x2011: case 0x2012: case 0x2013: case 0x2014:
	case 0x2212:
		return '-';
	case 0x2002: case 0x2003: case 0x2004: case 0x2005: case 0x2006:
	case 0x2007: case 0x2008: case 0x2009: case 0x200A: case 0x202F:
		return ' ';
	}
	return '?';
}

size_t escpos_utf8_to_pc858(const char *utf8, unsigned char *out,
			    size_t outlen)
{
	const unsigned char *s = (const unsigned char *)utf8;
	size_t n = 0;

	if (!s || !out)
		return 0;
	while (*s && n < outlen) {
		uint32_t cp;
		int b;

		s += utf8_decode(s, &cp);
		b = cp == CP_INVALID ? '?' : pc858_from_cp(cp);
		if (b != DROP)
			out[n++] = (unsigned char)b;
	}
	return n;
}

int escpos_pc858_covers(const char *utf8)
{
	const unsigned char *s = (const unsigned char *)utf8;

	if (!s)
		return 1;
	while (*s) {
		uint32_t cp;

		s += utf8_decode(s, &cp);
		if (cp == CP_INVALID || (cp != '?' && pc858_from_cp(cp) == '?'))
			return 0;
	}
	return 1;
}

int escpos_columns(int paper_width_mm)
{
	return paper_width_mm >= 80 ? 48 : 32;
}

/* ---- the builder ---- */

struct escpos {
	unsigned char *data;
	size_t len, cap;
	int failed;
	int dots, cols, qr_size;
	int bold, size_w, size_h;
	enum escpos_align align;
	struct rastertext *rt;
};

static void put(struct escpos *e, const void *p, size_t n)
{
	if (e->failed || !n)
		return;
	if (n > ESCPOS_JOB_MAX - e->len) {
		e->failed = 1;
		return;
	}
	if (n > e->cap - e->len) {
		size_t cap = e->cap ? e->cap : 1024;
		unsigned char *d;

		while (cap - e->len < n)
			cap *= 2;
		if (cap > ESCPOS_JOB_MAX)
			cap = ESCPOS_JOB_MAX;
		d = realloc(e->data, cap);
		if (!d) {
			e->failed = 1;
			return;
		}
		e->data = d;
		e->cap = cap;
	}
	memcpy(e->data + e->len, p, n);
	e->len += n;
}

static void put3(struct escpos *e, int a, int b, int c)
{
	unsigned char cmd[3] = { (unsigned char)a, (unsigned char)b,
				 (unsigned char)c };

	put(e, cmd, sizeof cmd);
}

#define PUT_LIT(e, s) put((e), (s), sizeof(s) - 1)

struct escpos *escpos_create(const struct escpos_options *o)
{
	static const struct escpos_options defaults = { .paper_width_mm = 80 };
	struct escpos *e = calloc(1, sizeof *e);
	int cp;

	if (!e)
		return NULL;
	if (!o)
		o = &defaults;
	e->dots = o->paper_width_mm >= 80 ? DOTS_80 : DOTS_58;
	e->cols = escpos_columns(o->paper_width_mm);
	e->qr_size = o->qr_module_size ? o->qr_module_size : 6;
	e->rt = o->rt;
	e->size_w = e->size_h = 1;
	cp = o->codepage ? o->codepage : 19;
	if (cp < 0 || cp > 255 || e->qr_size < 1 || e->qr_size > 16)
		e->failed = 1;      /* a configuration error fails the job */
	PUT_LIT(e, "\x1b@\x1c.");
	put3(e, 0x1B, 't', cp & 0xFF);
	put3(e, 0x1B, 'R', 0);
	return e;
}

void escpos_destroy(struct escpos *e)
{
	if (!e)
		return;
	free(e->data);
	free(e);
}

void escpos_align(struct escpos *e, enum escpos_align a)
{
	if (!e)
		return;
	if (a != ESCPOS_LEFT && a != ESCPOS_CENTER && a != ESCPOS_RIGHT) {
		e->failed = 1;
		return;
	}
	e->align = a;
	put3(e, 0x1B, 'a', (int)a);
}

void escpos_bold(struct escpos *e, int on)
{
	if (!e)
		return;
	e->bold = on ? 1 : 0;
	put3(e, 0x1B, 'E', e->bold);
}

void escpos_size(struct escpos *e, int width, int height)
{
	if (!e)
		return;
	if (width < 1 || width > 8 || height < 1 || height > 8) {
		e->failed = 1;
		return;
	}
	e->size_w = width;
	e->size_h = height;
	put3(e, 0x1D, '!', (width - 1) << 4 | (height - 1));
}

void escpos_feed(struct escpos *e, int lines)
{
	if (!e || lines <= 0)
		return;
	put3(e, 0x1B, 'd', lines > 255 ? 255 : lines);
}

void escpos_cut(struct escpos *e)
{
	if (e)
		PUT_LIT(e, "\x1dV\x42\x00");
}

/*
 * The next line of s[0..n) (leading spaces already skipped): at most cols
 * characters, broken at the last space that fits, or hard at cols when a
 * word is longer. A character is one byte, or with utf8 a lead byte and
 * its continuation bytes. Returns the bytes consumed; *end is how many of
 * them to print (trailing spaces dropped).
 */
static size_t wrap_next(const unsigned char *s, size_t n, size_t cols,
			int utf8, size_t *end)
{
	size_t i = 0, chars = 0, brk = 0, take;

	while (i < n) {
		if (s[i] == ' ')
			brk = i;
		if (chars == cols)
			break;
		i++;
		while (utf8 && i < n && (s[i] & 0xC0) == 0x80)
			i++;
		chars++;
	}
	take = i >= n ? n : (brk ? brk : i);
	*end = take;
	while (*end && s[*end - 1] == ' ')
		(*end)--;
	return take;
}

/* One wrapped line drawn by the rasteriser; '?' text if it cannot. */
static int put_raster_line(struct escpos *e, const unsigned char *s,
			   size_t n)
{
	struct raster_bitmap b = { 0 };
	char *z = malloc(n + 1);
	int rc = -1;

	if (!z)
		goto out;
	memcpy(z, s, n);
	z[n] = '\0';
	if (rastertext_render_line(e->rt, z, FONT_A_HEIGHT * e->size_h,
				   e->bold, e->dots, (enum raster_align)e->align,
				   &b) < 0)
		goto out;
	escpos_raster(e, &b);
	raster_bitmap_free(&b);
	rc = 0;
out:
	free(z);
	return rc;
}

/*
 * Puts text as at most max_lines lines (spaces at line ends dropped, what
 * does not fit dropped). raster: s is UTF-8 for the rasteriser, else
 * PC858 bytes. Returns the number of lines put.
 */
static int put_wrapped(struct escpos *e, const unsigned char *s, size_t n,
		       int raster, int max_lines)
{
	size_t cols = (size_t)(e->cols / e->size_w);
	int lines;

	if (cols < 1)
		cols = 1;
	for (lines = 0; lines < max_lines && !e->failed; lines++) {
		size_t take, end;

		while (n && *s == ' ') {
			s++;
			n--;
		}
		if (!n)
			break;
		take = wrap_next(s, n, cols, raster, &end);
		if (!raster || put_raster_line(e, s, end) < 0) {
			unsigned char *t = raster ? malloc(end + 1) : NULL;

			if (raster && !t) {
				e->failed = 1;
				break;
			}
			if (raster) {
				memcpy(t, s, end);
				t[end] = '\0';
				end = escpos_utf8_to_pc858((char *)t, t, end);
			}
			put(e, t ? t : s, end);
			PUT_LIT(e, "\n");
			free(t);
		}
		s += take;
		n -= take;
	}
	return lines;
}

/* A line of text as at most max_lines lines; returns the lines put. */
static int put_text(struct escpos *e, const char *utf8, int max_lines)
{
	size_t n = strlen(utf8);
	unsigned char *text;
	int lines;

	if (e->rt && !escpos_pc858_covers(utf8))
		return put_wrapped(e, (const unsigned char *)utf8, n, 1,
				   max_lines);
	text = malloc(n + 1);
	if (!text) {
		e->failed = 1;
		return 0;
	}
	n = escpos_utf8_to_pc858(utf8, text, n);
	lines = put_wrapped(e, text, n, 0, max_lines);
	free(text);
	return lines;
}

void escpos_line(struct escpos *e, const char *utf8)
{
	if (!e)
		return;
	if (!utf8 || put_text(e, utf8, 1 << 20) == 0)
		PUT_LIT(e, "\n");   /* an empty line still moves the paper */
}

void escpos_qr(struct escpos *e, const char *data, size_t len)
{
	unsigned char store[8] = { 0x1D, '(', 'k', 0, 0, 0x31, 0x50, 0x30 };
	unsigned char size[8] = { 0x1D, '(', 'k', 3, 0, 0x31, 0x43, 0 };

	if (!e)
		return;
	if (!data || len == 0 || len > QR_DATA_MAX) {
		e->failed = 1;
		return;
	}
	store[3] = (unsigned char)((len + 3) & 0xFF);
	store[4] = (unsigned char)((len + 3) >> 8);
	size[7] = (unsigned char)e->qr_size;
	PUT_LIT(e, "\x1d(k\x04\x00\x31\x41\x32\x00");
	put(e, size, sizeof size);
	PUT_LIT(e, "\x1d(k\x03\x00\x31\x45\x31");
	put(e, store, sizeof store);
	put(e, data, len);
	PUT_LIT(e, "\x1d(k\x03\x00\x31\x51\x30");
}

void escpos_code128(struct escpos *e, const char *ascii)
{
	unsigned char cmd[4 + 2 + CODE128_MAX] = { 0x1D, 'k', 73, 0, '{', 'B' };
	size_t n = 6;

	if (!e)
		return;
	if (!ascii || !*ascii) {
		e->failed = 1;
		return;
	}
	for (const char *p = ascii; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (c < 0x20 || c > 0x7E || n + (c == '{') + 1 > sizeof cmd) {
			e->failed = 1;
			return;
		}
		if (c == '{')
			cmd[n++] = '{';
		cmd[n++] = c;
	}
	cmd[3] = (unsigned char)(n - 4);
	PUT_LIT(e, "\x1dh\x50\x1dw\x02\x1dH\x02");
	put(e, cmd, n);
}

void escpos_raster(struct escpos *e, const struct raster_bitmap *b)
{
	if (!e)
		return;
	if (!b || !b->bits || b->width < 1 || b->width > e->dots ||
	    b->height < 0 || b->stride != (b->width + 7) / 8) {
		e->failed = 1;
		return;
	}
	for (int y = 0; y < b->height && !e->failed; y += BAND_ROWS) {
		int rows = b->height - y < BAND_ROWS ? b->height - y : BAND_ROWS;
		unsigned char head[8] = {
			0x1D, 'v', '0', 0,
			(unsigned char)(b->stride & 0xFF),
			(unsigned char)(b->stride >> 8),
			(unsigned char)rows, 0,
		};

		put(e, head, sizeof head);
		put(e, b->bits + (size_t)y * (size_t)b->stride,
		    (size_t)rows * (size_t)b->stride);
	}
}

int escpos_finish(struct escpos *e, unsigned char **out, size_t *len)
{
	int rc = -1;

	if (out)
		*out = NULL;
	if (len)
		*len = 0;
	if (!e || !out || !len || e->failed)
		goto out;
	*out = e->data;
	*len = e->len;
	e->data = NULL;
	rc = 0;
out:
	escpos_destroy(e);
	return rc;
}
