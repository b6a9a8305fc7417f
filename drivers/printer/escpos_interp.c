/*
 * escpos_interp.c — reads an ESC/POS job like a receipt printer and draws
 * the paper (see escpos_interp.h).
 *
 * What it is: a model of an Epson-compatible printer in standard mode at
 * 203 dpi, good enough to show what a citizen would hold — text in the
 * selected code page, sizes, bold, underline, alignment, raster images, QR
 * codes, CODE128 barcodes, feeds and cuts. What it is NOT: page mode, user
 * defined characters, NV images, ESC * bit images, rotation, reverse
 * printing, other barcode types or 2D symbols than QR (all skipped by
 * their lengths), and the real-time replies of a printer.
 *
 * Model of the paper:
 *  - y is the paper position in dots. Characters go into a line buffer;
 *    LF, ESC d, ESC J, a full line and any graphic command print it: the
 *    line is as tall as its tallest character, characters stand on its
 *    bottom, and the paper advances by max(line spacing, line height).
 *  - Text that is still in the buffer when the job ends is drawn as if a LF
 *    followed (a real printer would print it with the next job).
 *  - A cut (GS V) ends the page. When anything is drawn after it, a dashed
 *    line marks the cut and the next page starts below it; a trailing cut
 *    simply ends the paper there.
 *  - The paper is at most ESCPOS_INTERP_MAX_HEIGHT dots; beyond that the
 *    rest of the job is ignored.
 *
 * Safety: every byte is read through next()/skip(), which stop at the end
 * of the input; lengths from the stream only ever bound loops over bytes
 * that are really there.
 *
 * Command table (n = one parameter byte; "p" = pL + pH * 256):
 *
 *   bytes            name                             handling
 *   ---------------  -------------------------------  ------------------
 *   HT               horizontal tab (every 8 cells)    drawn
 *   LF               print and line feed               drawn
 *   CR               carriage return                   ignored
 *   ESC SP n         right character spacing           kept
 *   ESC ! n          print modes: b0 font B, b3 bold,  kept
 *                    b4 double height, b5 double
 *                    width, b7 underline
 *   ESC $ nL nH      absolute position                 skipped
 *   ESC % n          user-defined character set        skipped
 *   ESC & y c1 c2 …  define characters (c2-c1+1 of     skipped
 *                    x then x*y bytes)
 *   ESC * m nL nH …  bit image, n cols of 1/3 bytes    skipped
 *   ESC - n          underline 0/48 off, 1/49, 2/50    kept
 *   ESC 2 / ESC 3 n  line spacing 30 dots / n dots     kept
 *   ESC = n, ESC ? n peripheral / cancel user char     skipped
 *   ESC @            initialise (modes, buffer, QR)    done
 *   ESC D n… NUL     tab positions (≤ 32 + NUL)        skipped
 *   ESC E n          bold (bit 0)                      kept
 *   ESC G n          double strike (= bold)            kept
 *   ESC J n          print and feed n dots             drawn
 *   ESC M n          font 0/48 A 12x24, 1/49 B 9x17    kept
 *   ESC R n          international set (2 = Germany)   kept
 *   ESC T, U, V, a, c3/c4/c5, d, e, r, t, u, {        one or two bytes
 *   ESC a n          align 0/48 left, 1/49 centre,     kept
 *                    2/50 right
 *   ESC d n          print and feed n lines            drawn
 *   ESC t n          code page: 0 PC437, 2 PC850,      kept
 *                    16 WPC1252, 19/53 PC858
 *   ESC p m t1 t2    drawer pulse                      skipped
 *   ESC W x8         page mode area                    skipped
 *   ESC \ nL nH      relative position                 skipped
 *   ESC ( x pL pH …  extended (beeper etc.)            skipped, p bytes
 *   ESC i / ESC m    cut                               page ends
 *   FS & / FS .      Kanji mode on / off               kept
 *   FS ! n, FS - n, FS C n, FS W n   Kanji modes       skipped
 *   FS 2 c1 c2 d×72  define Kanji character            skipped
 *   FS S n1 n2, FS ? c1 c2, FS p n m                   skipped
 *   FS g 1 m a×4 nL nH d…  NV user memory              skipped
 *   FS q n [xL xH yL yH d×x*y*8]×n  NV images          skipped
 *   FS ( x pL pH …   extended                          skipped, p bytes
 *   GS ! n           size: b0-3 height-1, b4-7 width-1 kept
 *   GS ( k pL pH cn fn …   2D symbols, see below       QR drawn
 *   GS ( x pL pH …   other extended commands           skipped, p bytes
 *   GS * x y d×x*y*8 downloaded image                  skipped
 *   GS 8 L p1..p4 …  extended, 4-byte length           skipped
 *   GS B, GS E, GS I, GS T, GS a, GS b, GS f, GS j, GS r, GS /   n
 *   GS H n           HRI 0 none, 1 above, 2 below,     kept
 *                    3 both (or 48..51)
 *   GS L, GS W, GS P, GS $, GS \   two bytes           skipped
 *   GS V m [n]       cut; m 65/66/97/98/103/104 take   page ends
 *                    n and feed n dots first
 *   GS ^ r t m, GS z 0 t1 t2       three bytes         skipped
 *   GS g 0/2 m nL nH counters                          skipped
 *   GS h n           barcode height (default 162)      kept
 *   GS k m …         barcode: m 0..6 NUL-terminated,   CODE128 drawn
 *                    m 65..79 n d×n (73 = CODE128)
 *   GS v 0 m xL xH yL yH d×(x*y)   raster image,       drawn
 *                    x in bytes; m b0 double width,
 *                    b1 double height
 *   GS w n           barcode module width (default 3)  kept
 *   DLE EOT n [a]    real-time status (n 7/8 take a)   skipped
 *   DLE ENQ n, DLE DC4 fn …        real-time           skipped
 *   other ESC/FS/GS x                                  two bytes skipped
 *   other bytes < 0x20                                 ignored
 *   bytes ≥ 0x20     characters in the code page       drawn
 *
 * GS ( k for QR (cn = 49). Epson numbers the functions "1" + fn, so
 * function 165 is fn 65:
 *
 *   offset  bytes                 meaning
 *   0..2    1D 28 6B              GS ( k
 *   3..4    pL pH                 p = bytes from cn on
 *   5       cn = 31               symbol type QR
 *   6       fn
 *             41 (165)  n1 n2     model: n1 49 model 1, 50 model 2
 *             43 (167)  n         module size in dots, 1..16 (default 3)
 *             45 (169)  n         error correction 48 L, 49 M, 50 Q, 51 H
 *             50 (180)  m=30 d…   store p - 3 bytes of data
 *             51 (181)  m=30      print the stored symbol
 *             52 (182)  m=30      size information (a reply): skipped
 *
 * Model 1 and micro QR are drawn as model 2 (libqrencode has only that).
 */
#include "drivers/printer/escpos_interp.h"

#include <qrencode.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LINE_MAX_CHARS 256
#define GLYPH_CACHE 384
#define QR_MAX_DATA 7089       /* largest QR symbol (numeric) */
#define C128_MAX 300           /* symbols, more than n ≤ 255 can make */
#define CUT_GAP 24             /* dots between a cut line and the next page */

enum { FONT_A, FONT_B };

static const struct font_dim {
	int w, h;                  /* cell in dots */
	int px;                    /* pixel height of the mono face */
} font_dims[2] = {
	{ 12, 24, 19 },
	{ 9, 17, 14 },
};

struct lchar {
	uint32_t cp;
	unsigned char font, bold, ul, wm, hm, kanji;
};

struct glyph {
	uint32_t cp;
	unsigned char font;
	struct raster_bitmap bm;   /* cell wide, line tall, never bold */
};

struct interp {
	const unsigned char *p;
	size_t len, pos;
	struct rastertext *rt;
	struct raster_bitmap page; /* height = rows allocated so far */
	int width;                 /* printable dots */
	int y;                     /* paper position */
	int ink_bottom;            /* lowest row drawn + 1 */
	int cut_pending, cut_y;
	int full;                  /* page cap reached: stop */
	int nomem;

	/* modes (ESC @ resets them) */
	int align, bold, ul, font, wm, hm, spacing, line_spacing;
	int codepage, intl, kanji;
	int bc_w, bc_h, bc_hri, bc_font;
	int qr_module, qr_ec;
	unsigned char *qr_data;
	size_t qr_len;

	struct lchar line[LINE_MAX_CHARS];
	int nline, line_w, line_align;

	struct glyph cache[GLYPH_CACHE];
	int ncache;
};

/* ---- code pages: bytes 0x80..0xFF to Unicode ---- */

static const uint16_t pc437[128] = {
	0x00C7, 0x00FC, 0x00E9, 0x00E2, 0x00E4, 0x00E0, 0x00E5, 0x00E7,
	0x00EA, 0x00EB, 0x00E8, 0x00EF, 0x00EE, 0x00EC, 0x00C4, 0x00C5,
	0x00C9, 0x00E6, 0x00C6, 0x00F4, 0x00F6, 0x00F2, 0x00FB, 0x00F9,
	0x00FF, 0x00D6, 0x00DC, 0x00A2, 0x00A3, 0x00A5, 0x20A7, 0x0192,
	0x00E1, 0x00ED, 0x00F3, 0x00FA, 0x00F1, 0x00D1, 0x00AA, 0x00BA,
	0x00BF, 0x2310, 0x00AC, 0x00BD, 0x00BC, 0x00A1, 0x00AB, 0x00BB,
	0x2591, 0x2592, 0x2593, 0x2502, 0x2524, 0x2561, 0x2562, 0x2556,
	0x2555, 0x2563, 0x2551, 0x2557, 0x255D, 0x255C, 0x255B, 0x2510,
	0x2514, 0x2534, 0x252C, 0x251C, 0x2500, 0x253C, 0x255E, 0x255F,
	0x255A, 0x2554, 0x2569, 0x2566, 0x2560, 0x2550, 0x256C, 0x2567,
	0x2568, 0x2564, 0x2565, 0x2559, 0x2558, 0x2552, 0x2553, 0x256B,
	0x256A, 0x2518, 0x250C, 0x2588, 0x2584, 0x258C, 0x2590, 0x2580,
	0x03B1, 0x00DF, 0x0393, 0x03C0, 0x03A3, 0x03C3, 0x00B5, 0x03C4,
	0x03A6, 0x0398, 0x03A9, 0x03B4, 0x221E, 0x03C6, 0x03B5, 0x2229,
	0x2261, 0x00B1, 0x2265, 0x2264, 0x2320, 0x2321, 0x00F7, 0x2248,
	0x00B0, 0x2219, 0x00B7, 0x221A, 0x207F, 0x00B2, 0x25A0, 0x00A0,
};

/* PC850; PC858 is the same with € at 0xD5 instead of dotless i. */
static const uint16_t pc850[128] = {
	0x00C7, 0x00FC, 0x00E9, 0x00E2, 0x00E4, 0x00E0, 0x00E5, 0x00E7,
	0x00EA, 0x00EB, 0x00E8, 0x00EF, 0x00EE, 0x00EC, 0x00C4, 0x00C5,
	0x00C9, 0x00E6, 0x00C6, 0x00F4, 0x00F6, 0x00F2, 0x00FB, 0x00F9,
	0x00FF, 0x00D6, 0x00DC, 0x00F8, 0x00A3, 0x00D8, 0x00D7, 0x0192,
	0x00E1, 0x00ED, 0x00F3, 0x00FA, 0x00F1, 0x00D1, 0x00AA, 0x00BA,
	0x00BF, 0x00AE, 0x00AC, 0x00BD, 0x00BC, 0x00A1, 0x00AB, 0x00BB,
	0x2591, 0x2592, 0x2593, 0x2502, 0x2524, 0x00C1, 0x00C2, 0x00C0,
	0x00A9, 0x2563, 0x2551, 0x2557, 0x255D, 0x00A2, 0x00A5, 0x2510,
	0x2514, 0x2534, 0x252C, 0x251C, 0x2500, 0x253C, 0x00E3, 0x00C3,
	0x255A, 0x2554, 0x2569, 0x2566, 0x2560, 0x2550, 0x256C, 0x00A4,
	0x00F0, 0x00D0, 0x00CA, 0x00CB, 0x00C8, 0x0131, 0x00CD, 0x00CE,
	0x00CF, 0x2518, 0x250C, 0x2588, 0x2584, 0x00A6, 0x00CC, 0x2580,
	0x00D3, 0x00DF, 0x00D4, 0x00D2, 0x00F5, 0x00D5, 0x00B5, 0x00FE,
	0x00DE, 0x00DA, 0x00DB, 0x00D9, 0x00FD, 0x00DD, 0x00AF, 0x00B4,
	0x00AD, 0x00B1, 0x2017, 0x00BE, 0x00B6, 0x00A7, 0x00F7, 0x00B8,
	0x00B0, 0x00A8, 0x00B7, 0x00B9, 0x00B3, 0x00B2, 0x25A0, 0x00A0,
};

/* Windows-1252 0x80..0x9F; 0xA0..0xFF are Latin-1. 0 = undefined. */
static const uint16_t cp1252_80[32] = {
	0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
	0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0,
	0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
	0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
};

/* ESC R 2 (Germany) replaces these ASCII positions. */
static const struct { unsigned char b; uint16_t cp; } intl_de[] = {
	{ 0x40, 0x00A7 }, { 0x5B, 0x00C4 }, { 0x5C, 0x00D6 },
	{ 0x5D, 0x00DC }, { 0x7B, 0x00E4 }, { 0x7C, 0x00F6 },
	{ 0x7D, 0x00FC }, { 0x7E, 0x00DF },
};

/* The character a byte prints as; tables other than those listed print
 * as PC437, the power-on table of most printers. */
static uint32_t decode_byte(const struct interp *s, unsigned char b)
{
	if (b < 0x80) {
		if (s->intl == 2) {
			for (size_t i = 0; i < sizeof intl_de / sizeof *intl_de;
			     i++)
				if (intl_de[i].b == b)
					return intl_de[i].cp;
		}
		return b == 0x7F ? ' ' : b;
	}
	switch (s->codepage) {
	case 2:
		return pc850[b - 0x80];
	case 19:
	case 53:
		return b == 0xD5 ? 0x20AC : pc850[b - 0x80];
	case 16:
		if (b >= 0xA0)
			return b;
		return cp1252_80[b - 0x80] ? cp1252_80[b - 0x80] : ' ';
	default:
		return pc437[b - 0x80];
	}
}

/* ---- input ---- */

static int next(struct interp *s)
{
	return s->pos < s->len ? s->p[s->pos++] : -1;
}

static size_t avail(const struct interp *s)
{
	return s->len - s->pos;
}

static void skip(struct interp *s, size_t n)
{
	s->pos += n < avail(s) ? n : avail(s);
}

/* pL pH → p, or -1 at the end of the input. */
static long next_len16(struct interp *s)
{
	int lo = next(s), hi = next(s);

	return (lo < 0 || hi < 0) ? -1 : lo + hi * 256L;
}

/* ---- the page ---- */

/* Makes rows [0, y_end) exist. 0, or -1 when the cap is reached (the job
 * stops) or memory is out. */
static int ensure_rows(struct interp *s, int y_end)
{
	int h = s->page.height;
	unsigned char *bits;

	if (y_end > ESCPOS_INTERP_MAX_HEIGHT) {
		s->full = 1;
		y_end = ESCPOS_INTERP_MAX_HEIGHT;
	}
	if (y_end <= h)
		return s->full ? -1 : 0;
	while (h < y_end)
		h = h * 2 > ESCPOS_INTERP_MAX_HEIGHT ?
			ESCPOS_INTERP_MAX_HEIGHT : h * 2;
	bits = realloc(s->page.bits, (size_t)h * (size_t)s->page.stride);
	if (!bits) {
		s->nomem = s->full = 1;
		return -1;
	}
	memset(bits + (size_t)s->page.height * (size_t)s->page.stride, 0,
	       (size_t)(h - s->page.height) * (size_t)s->page.stride);
	s->page.bits = bits;
	s->page.height = h;
	return s->full ? -1 : 0;
}

static void feed(struct interp *s, int dots)
{
	s->y += dots;
	if (s->y >= ESCPOS_INTERP_MAX_HEIGHT) {
		s->y = ESCPOS_INTERP_MAX_HEIGHT;
		s->full = 1;
	}
}

/* Called before anything is drawn from y on, rows [y, y + h). Draws the
 * pending cut line first. Drawing past the cap is clipped. */
static void begin_ink(struct interp *s, int h)
{
	if (s->cut_pending) {
		int ly = s->cut_y + CUT_GAP / 2;
		s->cut_pending = 0;
		if (s->y < s->cut_y + CUT_GAP)
			s->y = s->cut_y + CUT_GAP;
		ensure_rows(s, ly + 2);
		for (int x = 0; x < s->width; x++)
			if ((x / 8) % 2 == 0) {
				raster_bitmap_set(&s->page, x, ly);
				raster_bitmap_set(&s->page, x, ly + 1);
			}
	}
	ensure_rows(s, s->y + h);
	if (s->y + h > s->ink_bottom)
		s->ink_bottom = s->y + h > ESCPOS_INTERP_MAX_HEIGHT ?
			ESCPOS_INTERP_MAX_HEIGHT : s->y + h;
}

static void fill(struct interp *s, int x, int y, int w, int h)
{
	for (int yy = y; yy < y + h; yy++)
		for (int xx = x; xx < x + w; xx++)
			raster_bitmap_set(&s->page, xx, yy);
}

static int align_x(const struct interp *s, int align, int w)
{
	if (w >= s->width)
		return 0;
	if (align == 1)
		return (s->width - w) / 2;
	if (align == 2)
		return s->width - w;
	return 0;
}

/* ---- characters ---- */

/* The glyph of cp in a cell of font; bold is drawn by the caller as a
 * double strike (rastertext's own bold would widen the glyph and make it
 * shrink to fit the cell). */
static const struct raster_bitmap *glyph_get(struct interp *s, uint32_t cp,
					     int font,
					     struct raster_bitmap *tmp)
{
	char u[5] = { 0 };
	struct raster_bitmap *bm = tmp;

	for (int i = 0; i < s->ncache; i++) {
		struct glyph *g = &s->cache[i];
		if (g->cp == cp && g->font == font)
			return &g->bm;
	}
	if (s->ncache < GLYPH_CACHE) {
		struct glyph *g = &s->cache[s->ncache];
		g->cp = cp;
		g->font = (unsigned char)font;
		bm = &g->bm;
	}
	if (cp < 0x80) {
		u[0] = (char)cp;
	} else if (cp < 0x800) {
		u[0] = (char)(0xC0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3F));
	} else {
		u[0] = (char)(0xE0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[2] = (char)(0x80 | (cp & 0x3F));
	}
	if (rastertext_render_line(s->rt, u, font_dims[font].px, 0,
				   font_dims[font].w, RASTER_CENTER, bm) < 0)
		return NULL;
	if (bm != tmp)
		s->ncache++;
	return bm;
}

static int char_w(const struct interp *s, const struct lchar *c)
{
	int w = c->kanji ? 2 * font_dims[c->font].w : font_dims[c->font].w;

	return (w + s->spacing) * c->wm;
}

static int char_h(const struct lchar *c)
{
	int h = font_dims[c->font].h;

	return (c->kanji && h < 24 ? 24 : h) * c->hm;
}

/* Draws c with its cell's bottom-left corner at (x, bottom). */
static void draw_char(struct interp *s, const struct lchar *c, int x,
		      int bottom)
{
	const struct font_dim *fd = &font_dims[c->font];
	int top = bottom - char_h(c);
	int cw = char_w(s, c);

	if (c->kanji) {
		/* A Chinese printer's double-byte character: a box, which is
		 * what "Kanji mode left on" looks like to the citizen. */
		int w = 2 * fd->w * c->wm, h = char_h(c), t = c->wm;
		fill(s, x + t, top + t, w - 2 * t, t);
		fill(s, x + t, bottom - 2 * t, w - 2 * t, t);
		fill(s, x + t, top + t, t, h - 2 * t);
		fill(s, x + w - 2 * t, top + t, t, h - 2 * t);
	} else if (c->cp != ' ') {
		struct raster_bitmap tmp = { 0 };
		const struct raster_bitmap *g =
			glyph_get(s, c->cp, c->font, &tmp);
		/* glyphs stand on the cell's bottom; taller ones lose their top */
		int off = g ? fd->h - g->height : 0;

		for (int gy = 0; g && gy < g->height; gy++) {
			if (gy + off < 0)
				continue;
			for (int gx = 0; gx < g->width; gx++)
				if (raster_bitmap_get(g, gx, gy))
					fill(s, x + gx * c->wm,
					     top + (gy + off) * c->hm,
					     c->wm + (c->bold ? c->wm : 0),
					     c->hm);
		}
		raster_bitmap_free(&tmp);
	}
	if (c->ul)
		fill(s, x, bottom - c->ul, cw, c->ul);
}

/* Prints the line buffer and advances the paper by max(advance, line
 * height). An empty buffer just feeds. */
static void print_line(struct interp *s, int advance)
{
	int h = 0, x;

	for (int i = 0; i < s->nline; i++)
		if (char_h(&s->line[i]) > h)
			h = char_h(&s->line[i]);
	if (s->nline) {
		begin_ink(s, h);
		x = align_x(s, s->line_align, s->line_w);
		for (int i = 0; i < s->nline; i++) {
			draw_char(s, &s->line[i], x, s->y + h);
			x += char_w(s, &s->line[i]);
		}
	}
	s->nline = 0;
	s->line_w = 0;
	feed(s, advance > h ? advance : h);
}

static void flush_line(struct interp *s)
{
	if (s->nline)
		print_line(s, s->line_spacing);
}

static void put_char(struct interp *s, uint32_t cp, int kanji)
{
	struct lchar c = {
		.cp = cp, .font = (unsigned char)s->font,
		.bold = (unsigned char)s->bold, .ul = (unsigned char)s->ul,
		.wm = (unsigned char)s->wm, .hm = (unsigned char)s->hm,
		.kanji = (unsigned char)kanji,
	};
	int w = char_w(s, &c);

	if (s->nline && (s->line_w + w > s->width ||
			 s->nline == LINE_MAX_CHARS))
		flush_line(s);     /* the printer wraps a full line */
	if (w > s->width)
		return;
	if (!s->nline)
		s->line_align = s->align;
	s->line[s->nline++] = c;
	s->line_w += w;
}

static void tab(struct interp *s)
{
	int step = 8 * font_dims[FONT_A].w;

	/* bounded: a space wider than the paper is never added */
	for (int i = 0; i < step; i++) {
		put_char(s, ' ', 0);
		if (!s->nline || s->line_w % step == 0 ||
		    s->line_w >= s->width)
			break;
	}
}

/* ---- modes ---- */

static void reset(struct interp *s)
{
	s->align = s->bold = s->ul = s->font = s->spacing = 0;
	s->wm = s->hm = 1;
	s->line_spacing = 30;
	s->codepage = s->intl = s->kanji = 0;
	s->bc_w = 3;
	s->bc_h = 162;
	s->bc_hri = 0;
	s->bc_font = FONT_A;
	s->qr_module = 3;
	s->qr_ec = 48;
	s->qr_len = 0;
	s->nline = s->line_w = 0;
}

static void print_modes(struct interp *s, int n)
{
	s->font = n & 1 ? FONT_B : FONT_A;
	s->bold = (n >> 3) & 1;
	s->hm = n & 0x10 ? 2 : 1;
	s->wm = n & 0x20 ? 2 : 1;
	s->ul = n & 0x80 ? 1 : 0;
}

static int param01(int n)
{
	return n >= 48 ? n - 48 : n;
}

/* ---- graphics ---- */

/* GS v 0 m xL xH yL yH d… */
static void raster_image(struct interp *s)
{
	int m = next(s);
	long wb = next_len16(s), h = next_len16(s);
	int sx, sy, wdots, x0;
	size_t size, have, rows;

	if (m < 0 || wb < 0 || h < 0)
		return;
	size = (size_t)wb * (size_t)h;
	have = size < avail(s) ? size : avail(s);
	rows = wb ? have / (size_t)wb : 0;
	sx = (param01(m) & 1) + 1;
	sy = ((param01(m) >> 1) & 1) + 1;
	wdots = (int)(wb > 1024 ? 8192 : wb * 8) * sx;
	flush_line(s);
	if (rows) {
		begin_ink(s, (int)(rows > 100000 ? 100000 : rows) * sy);
		x0 = align_x(s, s->align, wdots);
		for (size_t r = 0; r < rows; r++) {
			const unsigned char *row = s->p + s->pos + r * (size_t)wb;
			int y = s->y + (int)r * sy;
			if (y >= s->page.height)
				break;
			for (long bx = 0; bx < wb && bx * 8 * sx < s->width;
			     bx++)
				for (int bit = 0; bit < 8; bit++)
					if (row[bx] & (0x80 >> bit))
						fill(s, x0 + ((int)bx * 8 + bit) * sx,
						     y, sx, sy);
		}
	}
	skip(s, size);
	feed(s, (int)(rows > 100000 ? 100000 : rows) * sy);
}

static void qr_print(struct interp *s)
{
	static const QRecLevel levels[4] = {
		QR_ECLEVEL_L, QR_ECLEVEL_M, QR_ECLEVEL_Q, QR_ECLEVEL_H,
	};
	QRecLevel lv = levels[(s->qr_ec - 48) & 3];
	QRcode *q = NULL;
	int size, x0;

	flush_line(s);
	if (!s->qr_len)
		return;
	if (!memchr(s->qr_data, 0, s->qr_len)) {
		char *z = malloc(s->qr_len + 1);
		if (!z) {
			s->nomem = s->full = 1;
			return;
		}
		memcpy(z, s->qr_data, s->qr_len);
		z[s->qr_len] = '\0';
		q = QRcode_encodeString(z, 0, lv, QR_MODE_8, 1);
		free(z);
	} else {
		q = QRcode_encodeData((int)s->qr_len, s->qr_data, 0, lv);
	}
	if (!q)
		return;            /* too much data: the printer prints nothing */
	size = q->width * s->qr_module;
	if (size <= s->width) {
		begin_ink(s, size);
		x0 = align_x(s, s->align, size);
		for (int my = 0; my < q->width; my++)
			for (int mx = 0; mx < q->width; mx++)
				if (q->data[my * q->width + mx] & 1)
					fill(s, x0 + mx * s->qr_module,
					     s->y + my * s->qr_module,
					     s->qr_module, s->qr_module);
		feed(s, size);
	}
	QRcode_free(q);
}

/* GS ( k pL pH cn fn … (the table at the top of this file). */
static void symbol_2d(struct interp *s)
{
	long p = next_len16(s);
	const unsigned char *a;
	size_t have;
	int fn;

	if (p < 0)
		return;
	have = (size_t)p < avail(s) ? (size_t)p : avail(s);
	a = s->p + s->pos;
	skip(s, (size_t)p);
	if (have < 2 || (size_t)p != have || a[0] != 49)
		return;            /* truncated, or not QR */
	fn = a[1];
	if (fn == 65 && p >= 4)
		return;            /* model: drawn as model 2 anyway */
	if (fn == 67 && p >= 3 && a[2] >= 1 && a[2] <= 16)
		s->qr_module = a[2];
	else if (fn == 69 && p >= 3 && a[2] >= 48 && a[2] <= 51)
		s->qr_ec = a[2];
	else if (fn == 80 && p >= 3) {
		size_t n = (size_t)p - 3;
		unsigned char *d;
		s->qr_len = 0;
		if (n == 0 || n > QR_MAX_DATA)
			return;    /* the printer rejects it: nothing stored */
		d = realloc(s->qr_data, n);
		if (!d) {
			s->nomem = s->full = 1;
			return;
		}
		memcpy(d, a + 3, n);
		s->qr_data = d;
		s->qr_len = n;
	} else if (fn == 81) {
		qr_print(s);
	}
}

/* CODE128 symbol patterns: widths of bar, space, bar, space, bar, space
 * in modules (ISO/IEC 15417); 103/104/105 start A/B/C, 106 stop (with its
 * final 2-module bar). */
static const char c128_pat[107][8] = {
	"212222", "222122", "222221", "121223", "121322", "131222",
	"122213", "122312", "132212", "221213", "221312", "231212",
	"112232", "122132", "122231", "113222", "123122", "123221",
	"223211", "221132", "221231", "213212", "223112", "312131",
	"311222", "321122", "321221", "312212", "322112", "322211",
	"212123", "212321", "232121", "111323", "131123", "131321",
	"112313", "132113", "132311", "211313", "231113", "231311",
	"112133", "112331", "132131", "113123", "113321", "133121",
	"313121", "211331", "231131", "213113", "213311", "213131",
	"311123", "311321", "331121", "312113", "312311", "332111",
	"314111", "221411", "431111", "111224", "111422", "121124",
	"121421", "141122", "141221", "112214", "112412", "122114",
	"122411", "142112", "142211", "241211", "221114", "413111",
	"241112", "134111", "111242", "121142", "121241", "114212",
	"124112", "124211", "411212", "421112", "421211", "212141",
	"214121", "412121", "111143", "111341", "131141", "114113",
	"114311", "411113", "411311", "113141", "114131", "311141",
	"411131", "211412", "211214", "211232", "2331112",
};

/* The value of byte c in code set A or B, or -1. */
static int c128_value(int set, int c)
{
	if (set == 'A')
		return c < 0x20 ? c + 64 : c <= 0x5F ? c - 32 : -1;
	return c >= 0x20 && c <= 0x7F ? c - 32 : -1;
}

/* Epson CODE128 data ("{B", "{C", shifts) to symbol values and HRI text.
 * Returns the number of values, or -1 when the printer would refuse. */
static int c128_encode(const unsigned char *d, int n, int *v, char *hri,
		       size_t hrilen)
{
	int set, nv = 0, sum;
	size_t nh = 0;

	if (n < 2 || d[0] != '{' || d[1] < 'A' || d[1] > 'C')
		return -1;
	set = d[1];
	v[nv++] = 103 + (set - 'A');
	for (int i = 2; i < n; i++) {
		int c = d[i], val;

		if (c == '{') {
			int k = i + 1 < n ? d[++i] : -1;
			if (k == 'A' || k == 'B' || k == 'C') {
				if (k != set)
					v[nv++] = k == 'A' ? 101 :
						  k == 'B' ? 100 : 99;
				set = k;
				continue;
			}
			if (k == 'S' && set != 'C' && i + 1 < n) {
				int other = set == 'A' ? 'B' : 'A';
				c = d[++i];
				v[nv++] = 98;
				val = c128_value(other, c);
			} else if (k == '1') {
				val = 102;
			} else if ((k == '2' || k == '3') && set != 'C') {
				val = k == '2' ? 97 : 96;
			} else if (k == '4' && set != 'C') {
				val = set == 'A' ? 101 : 100;
			} else if (k == '{' && set == 'B') {
				val = c128_value(set, c);
			} else {
				return -1;
			}
			if (val < 0)
				return -1;
			v[nv++] = val;
			if (k == 'S' || k == '{')
				goto text;
			continue;
		}
		if (set == 'C') {
			if (c > 99)
				return -1;
			v[nv++] = c;
			if (nh + 2 < hrilen) {
				hri[nh++] = (char)('0' + c / 10);
				hri[nh++] = (char)('0' + c % 10);
			}
			continue;
		}
		val = c128_value(set, c);
		if (val < 0)
			return -1;
		v[nv++] = val;
text:
		if (nh + 1 < hrilen)
			hri[nh++] = (char)(c >= 0x20 && c < 0x7F ? c : ' ');
	}
	hri[nh] = '\0';
	sum = v[0];
	for (int i = 1; i < nv; i++)
		sum += i * v[i];
	v[nv++] = sum % 103;
	v[nv++] = 106;
	return nv;
}

static void draw_hri(struct interp *s, const char *text, int x_center)
{
	struct lchar c = { .font = (unsigned char)s->bc_font, .wm = 1, .hm = 1 };
	int n = (int)strlen(text), x, w, sp = s->spacing;

	s->spacing = 0;            /* HRI ignores ESC SP */
	w = n * char_w(s, &c);
	x = x_center - w / 2;
	if (x < 0)
		x = 0;
	begin_ink(s, char_h(&c));
	for (int i = 0; i < n; i++) {
		c.cp = (unsigned char)text[i];
		draw_char(s, &c, x, s->y + char_h(&c));
		x += char_w(s, &c);
	}
	feed(s, char_h(&c));
	s->spacing = sp;
}

static void code128(struct interp *s, const unsigned char *d, int n)
{
	int v[C128_MAX], nv, modules, x0, x;
	char hri[C128_MAX * 2 + 1];

	flush_line(s);
	nv = c128_encode(d, n, v, hri, sizeof hri);
	if (nv < 0)
		return;
	modules = 11 * (nv - 1) + 13;
	if (modules * s->bc_w > s->width)
		return;            /* wider than the paper: not printed */
	x0 = align_x(s, s->align, modules * s->bc_w);
	if (s->bc_hri & 1) {
		draw_hri(s, hri, x0 + modules * s->bc_w / 2);
		feed(s, 4);
	}
	begin_ink(s, s->bc_h);
	x = x0;
	for (int i = 0; i < nv; i++)
		for (int e = 0; c128_pat[v[i]][e]; e++) {
			int w = (c128_pat[v[i]][e] - '0') * s->bc_w;
			if (e % 2 == 0)
				fill(s, x, s->y, w, s->bc_h);
			x += w;
		}
	feed(s, s->bc_h);
	if (s->bc_hri & 2) {
		feed(s, 4);
		draw_hri(s, hri, x0 + modules * s->bc_w / 2);
	}
}

/* GS k m … */
static void barcode(struct interp *s)
{
	int m = next(s), n;

	if (m < 0)
		return;
	if (m <= 6) {              /* function A: data up to NUL */
		while (next(s) > 0)
			;
		return;
	}
	if (m < 65 || m > 79)
		return;
	n = next(s);
	if (n < 0)
		return;
	if (m == 73 && (size_t)n <= avail(s))
		code128(s, s->p + s->pos, n);
	skip(s, (size_t)n);
}

/* ---- cuts ---- */

static void cut(struct interp *s, int feed_dots)
{
	flush_line(s);
	feed(s, feed_dots);
	s->cut_pending = 1;
	s->cut_y = s->y;
}

/* ---- command dispatch (see the table at the top) ---- */

static void esc(struct interp *s)
{
	int c = next(s), n;

	switch (c) {
	case '@':
		reset(s);
		return;
	case '!':
		if ((n = next(s)) >= 0)
			print_modes(s, n);
		return;
	case 'E':
	case 'G':
		if ((n = next(s)) >= 0)
			s->bold = n & 1;
		return;
	case '-':
		if ((n = next(s)) >= 0)
			s->ul = param01(n) <= 2 ? param01(n) : 0;
		return;
	case 'M':
		if ((n = next(s)) >= 0)
			s->font = param01(n) == 1 ? FONT_B : FONT_A;
		return;
	case 'a':
		if ((n = next(s)) >= 0 && param01(n) <= 2)
			s->align = param01(n);
		return;
	case 't':
		if ((n = next(s)) >= 0)
			s->codepage = n;
		return;
	case 'R':
		if ((n = next(s)) >= 0)
			s->intl = n;
		return;
	case ' ':
		if ((n = next(s)) >= 0)
			s->spacing = n;
		return;
	case '2':
		s->line_spacing = 30;
		return;
	case '3':
		if ((n = next(s)) >= 0)
			s->line_spacing = n;
		return;
	case 'J':
		if ((n = next(s)) >= 0)
			print_line(s, n);
		return;
	case 'd':
		if ((n = next(s)) >= 0)
			print_line(s, n * s->line_spacing);
		return;
	case 'i':
	case 'm':
		cut(s, 0);
		return;
	case '$': case '\\':
		skip(s, 2);
		return;
	case 'p':
		skip(s, 3);
		return;
	case 'W':
		skip(s, 8);
		return;
	case 'c':
		skip(s, 2);
		return;
	case 'D':                  /* tab stops, NUL-terminated, ≤ 32 */
		for (int i = 0; i < 33 && (n = next(s)) > 0; i++)
			;
		return;
	case '*':                  /* bit image: m nL nH, 1 or 3 bytes a column */
		if ((n = next(s)) >= 0) {
			long cols = next_len16(s);
			if (cols > 0)
				skip(s, (size_t)cols * (n >= 32 ? 3 : 1));
		}
		return;
	case '&': {                /* y c1 c2, then per char x and x*y bytes */
		int y = next(s), c1 = next(s), c2 = next(s);
		for (int ch = c1; y >= 0 && c2 >= 0 && ch <= c2 && avail(s);
		     ch++) {
			int x = next(s);
			if (x > 0)
				skip(s, (size_t)x * (size_t)y);
		}
		return;
	}
	case '(': {
		long p;
		next(s);           /* function letter */
		if ((p = next_len16(s)) > 0)
			skip(s, (size_t)p);
		return;
	}
	case 'L': case 'S': case 0x0C: case 'v':
		return;
	default:                   /* ESC % = ? T U V e r u { and unknown */
		if (c >= 0 && strchr("%=?TUVeru{", c))
			skip(s, 1);
		return;
	}
}

static void fs(struct interp *s)
{
	int c = next(s), n;

	switch (c) {
	case '&':
		s->kanji = 1;
		return;
	case '.':
		s->kanji = 0;
		return;
	case '2':
		skip(s, 2 + 72);
		return;
	case 'S': case '?': case 'p':
		skip(s, 2);
		return;
	case 'g':
		n = next(s);
		if (n == '1') {
			long len;
			skip(s, 5);
			if ((len = next_len16(s)) > 0)
				skip(s, (size_t)len);
		} else if (n == '2') {
			skip(s, 7);
		}
		return;
	case 'q':
		n = next(s);
		for (int i = 0; i < n && avail(s); i++) {
			long x = next_len16(s), y = next_len16(s);
			if (x > 0 && y > 0)
				skip(s, (size_t)x * (size_t)y * 8);
		}
		return;
	case '(': {
		long p;
		next(s);
		if ((p = next_len16(s)) > 0)
			skip(s, (size_t)p);
		return;
	}
	default:                   /* FS ! - C W n and unknown */
		if (c >= 0 && strchr("!-CW", c))
			skip(s, 1);
		return;
	}
}

static void gs(struct interp *s)
{
	int c = next(s), n;

	switch (c) {
	case '!':
		if ((n = next(s)) >= 0) {
			s->wm = ((n >> 4) & 7) + 1;
			s->hm = (n & 7) + 1;
		}
		return;
	case '(': {
		int f = next(s);
		long p;
		if (f == 'k') {
			symbol_2d(s);
		} else if ((p = next_len16(s)) > 0) {
			skip(s, (size_t)p);
		}
		return;
	}
	case 'v':
		if (next(s) == '0')
			raster_image(s);
		return;
	case 'k':
		barcode(s);
		return;
	case 'V':
		if ((n = next(s)) < 0)
			return;
		if (n == 65 || n == 66 || n == 97 || n == 98 || n == 103 ||
		    n == 104) {
			int d = next(s);
			cut(s, d > 0 ? d : 0);
		} else {
			cut(s, 0);
		}
		return;
	case 'w':
		if ((n = next(s)) >= 1 && n <= 6)
			s->bc_w = n;
		return;
	case 'h':
		if ((n = next(s)) >= 1)
			s->bc_h = n;
		return;
	case 'H':
		if ((n = next(s)) >= 0)
			s->bc_hri = param01(n) & 3;
		return;
	case 'f':
		if ((n = next(s)) >= 0)
			s->bc_font = param01(n) == 1 ? FONT_B : FONT_A;
		return;
	case '*': {
		int x = next(s), y = next(s);
		if (x > 0 && y > 0)
			skip(s, (size_t)x * (size_t)y * 8);
		return;
	}
	case '8':
		if (next(s) == 'L') {
			int b[4];
			for (int i = 0; i < 4; i++)
				b[i] = next(s);
			if (b[3] >= 0)
				skip(s, (size_t)b[0] | (size_t)b[1] << 8 |
					(size_t)b[2] << 16 |
					(size_t)b[3] << 24);
		}
		return;
	case 'L': case 'W': case 'P': case '$': case '\\':
		skip(s, 2);
		return;
	case '^':
		skip(s, 3);
		return;
	case 'z':
		skip(s, 3);
		return;
	case 'g':
		skip(s, 4);
		return;
	default:                   /* GS B E I T a b j r / and unknown */
		if (c >= 0 && strchr("BEITabjr/", c))
			skip(s, 1);
		return;
	}
}

static void dle(struct interp *s)
{
	int c = next(s), n;

	switch (c) {
	case 0x04:                 /* EOT n, n = 7/8 have one more byte */
		n = next(s);
		if (n == 7 || n == 8)
			skip(s, 1);
		return;
	case 0x05:
		skip(s, 1);
		return;
	case 0x14:
		n = next(s);
		skip(s, n == 8 ? 7 : n == 7 ? 1 : (n >= 1 && n <= 3) ? 2 : 0);
		return;
	default:
		return;
	}
}

static void run(struct interp *s)
{
	int b;

	while (!s->full && (b = next(s)) >= 0) {
		switch (b) {
		case 0x1B: esc(s); break;
		case 0x1C: fs(s); break;
		case 0x1D: gs(s); break;
		case 0x10: dle(s); break;
		case 0x0A: print_line(s, s->line_spacing); break;
		case 0x09: tab(s); break;
		default:
			if (b < 0x20)
				break;     /* CR, FF and other controls */
			if (s->kanji && b >= 0x80) {
				next(s);   /* second byte of the pair */
				put_char(s, 0, 1);
			} else {
				put_char(s, decode_byte(s, (unsigned char)b), 0);
			}
		}
	}
}

static void seterr(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

int escpos_interp_render(const unsigned char *job, size_t len,
			 const struct escpos_interp_options *o,
			 struct raster_bitmap *out, char *err, size_t errlen)
{
	struct interp *s = NULL;
	int rc = -1, h;

	memset(out, 0, sizeof *out);
	if (!o || !o->rt) {
		seterr(err, errlen, "escpos_interp: no font");
		return -1;
	}
	s = calloc(1, sizeof *s);
	if (!s)
		goto nomem;
	s->p = job;
	s->len = job ? len : 0;
	s->rt = o->rt;
	/* printable width: 72 mm of an 80 mm roll, 48 mm of a 58 mm one */
	s->width = o->paper_width_mm > 0 && o->paper_width_mm < 70 ? 384 : 576;
	if (raster_bitmap_init(&s->page, s->width, 256) < 0)
		goto nomem;
	reset(s);
	run(s);
	if (!s->full && s->nline)
		flush_line(s);     /* text the job left in the buffer */
	if (s->nomem)
		goto nomem;
	h = s->cut_pending ? s->cut_y : (s->y > s->ink_bottom ? s->y :
							     s->ink_bottom);
	if (h > s->page.height && ensure_rows(s, h) < 0 && s->nomem)
		goto nomem;        /* blank paper fed at the end */
	if (h > s->page.height)
		h = s->page.height;
	if (h < 1)
		h = 1;
	s->page.height = h;
	*out = s->page;
	memset(&s->page, 0, sizeof s->page);
	rc = 0;
	goto out;

nomem:
	seterr(err, errlen, "escpos_interp: out of memory");
out:
	if (s) {
		raster_bitmap_free(&s->page);
		for (int i = 0; i < s->ncache; i++)
			raster_bitmap_free(&s->cache[i].bm);
		free(s->qr_data);
		free(s);
	}
	return rc;
}
