/*
 * rastertext.c — one line of UTF-8 drawn as a 1-bit bitmap (see raster.h).
 *
 * Pipeline for one line:
 *
 *   UTF-8 ──decode──▶ code points (invalid → U+FFFD, at most RT_MAX_CHARS)
 *         ──FriBidi──▶ embedding level per code point (paragraph direction
 *                      from the first strong character)
 *         ──split────▶ runs of one level, one script and one font
 *         ──HarfBuzz─▶ glyphs per run (RTL runs come back in visual order)
 *         ──rule L2──▶ runs in visual order
 *         ──FreeType─▶ glyphs rendered and thresholded into the bitmap
 *
 * Font choice (per run of one level and script): the first font of the
 * chain that has every character of the run, so Arabic letters stay in one
 * font and join; when no font has them all, each character takes the first
 * font that has it (kept from the previous character where possible) and
 * the run is split where the font changes.
 *
 * Too wide: the pixel height is reduced in proportion and the line measured
 * again until it fits (hinting makes widths not quite linear). Bold is a
 * double strike one dot (more at large sizes) to the right, as thermal
 * printers do it.
 *
 * It does NOT wrap lines, handle tabs or newlines, or cache glyphs between
 * calls. Not thread-safe: the scratch arrays live in struct rastertext.
 */
#include "drivers/printer/raster.h"

#include <ft2build.h>
#include FT_FREETYPE_H
#include <fribidi.h>
#include <hb-ft.h>
#include <hb.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RT_MAX_CHARS 512       /* a receipt line is far shorter */
#define RT_MIN_PX 4            /* smallest size the fit loop goes down to */
#define RT_MAX_PX 2000

struct rt_font {
	FT_Face face;
	hb_font_t *hb;
	int px;                    /* size the face is set to, 0 = none yet */
};

struct rt_run {
	int start, len;            /* logical code point range */
	int level;                 /* FriBidi embedding level; odd = RTL */
	int font;                  /* index into rt->f */
	hb_script_t script;
};

struct rastertext {
	FT_Library lib;
	struct rt_font f[RASTERTEXT_MAX_FONTS];
	int n;
	hb_buffer_t *buf;
	/* scratch for one line */
	FriBidiChar text[RT_MAX_CHARS];
	FriBidiCharType types[RT_MAX_CHARS];
	FriBidiBracketType brackets[RT_MAX_CHARS];
	FriBidiLevel levels[RT_MAX_CHARS];
	hb_script_t scripts[RT_MAX_CHARS];
	signed char fonts[RT_MAX_CHARS];
	struct rt_run runs[RT_MAX_CHARS];
	int order[RT_MAX_CHARS];   /* visual position → run index */
	int nruns;
};

static const char *const default_fonts[] = {
	"/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
	"/usr/share/fonts/truetype/noto/NotoSansArabic-Regular.ttf",
	"/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
	"/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf",
	NULL,
};

const char *const *rastertext_default_fonts(void)
{
	return default_fonts;
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

struct rastertext *rastertext_create(const char *const *font_paths, int n,
				     char *err, size_t errlen)
{
	struct rastertext *rt = calloc(1, sizeof *rt);

	if (!rt) {
		seterr(err, errlen, "rastertext: out of memory");
		return NULL;
	}
	if (FT_Init_FreeType(&rt->lib)) {
		seterr(err, errlen, "rastertext: FreeType failed to start");
		goto fail;
	}
	rt->buf = hb_buffer_create();
	if (!hb_buffer_allocation_successful(rt->buf)) {
		seterr(err, errlen, "rastertext: out of memory");
		goto fail;
	}
	for (int i = 0; i < n && font_paths && font_paths[i] &&
	     rt->n < RASTERTEXT_MAX_FONTS; i++) {
		struct rt_font *f = &rt->f[rt->n];

		if (FT_New_Face(rt->lib, font_paths[i], 0, &f->face))
			continue;
		if (!FT_IS_SCALABLE(f->face) ||
		    FT_Select_Charmap(f->face, FT_ENCODING_UNICODE)) {
			FT_Done_Face(f->face);
			f->face = NULL;
			continue;
		}
		f->hb = hb_ft_font_create(f->face, NULL);
		rt->n++;
	}
	if (rt->n == 0) {
		seterr(err, errlen, "rastertext: none of the %d fonts could "
		       "be loaded (install fonts-noto-core, fonts-dejavu-core)",
		       n);
		goto fail;
	}
	return rt;

fail:
	rastertext_destroy(rt);
	return NULL;
}

void rastertext_destroy(struct rastertext *rt)
{
	if (!rt)
		return;
	for (int i = 0; i < rt->n; i++) {
		hb_font_destroy(rt->f[i].hb);
		FT_Done_Face(rt->f[i].face);
	}
	hb_buffer_destroy(rt->buf);
	if (rt->lib)
		FT_Done_FreeType(rt->lib);
	free(rt);
}

/* ---- UTF-8 ---- */

/* Decodes one code point at s (NUL-terminated); invalid sequences,
 * overlongs and surrogates give U+FFFD and consume one byte. */
static uint32_t utf8_next(const unsigned char **s)
{
	const unsigned char *p = *s;
	uint32_t cp, min;
	int extra;

	if (p[0] < 0x80) {
		*s = p + 1;
		return p[0];
	}
	if ((p[0] & 0xE0) == 0xC0) {
		cp = p[0] & 0x1Fu, extra = 1, min = 0x80;
	} else if ((p[0] & 0xF0) == 0xE0) {
		cp = p[0] & 0x0Fu, extra = 2, min = 0x800;
	} else if ((p[0] & 0xF8) == 0xF0) {
		cp = p[0] & 0x07u, extra = 3, min = 0x10000;
	} else {
		*s = p + 1;
		return 0xFFFD;
	}
	for (int i = 1; i <= extra; i++) {
		if ((p[i] & 0xC0) != 0x80) { /* also stops at NUL */
			*s = p + 1;
			return 0xFFFD;
		}
		cp = (cp << 6) | (p[i] & 0x3Fu);
	}
	*s = p + 1 + extra;
	if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return 0xFFFD;
	return cp;
}

static int decode(const char *utf8, FriBidiChar *out)
{
	const unsigned char *s = (const unsigned char *)utf8;
	int n = 0;

	while (*s && n < RT_MAX_CHARS)
		out[n++] = utf8_next(&s);
	return n;
}

/* Characters that never need a glyph of their own. */
static int ignorable(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) ||
	       (cp >= 0x200B && cp <= 0x200F) ||
	       (cp >= 0x202A && cp <= 0x202E) ||
	       (cp >= 0x2060 && cp <= 0x2069) || cp == 0xFEFF ||
	       (cp >= 0xFE00 && cp <= 0xFE0F);
}

static int has_glyph(const struct rastertext *rt, int font, uint32_t cp)
{
	return ignorable(cp) || FT_Get_Char_Index(rt->f[font].face, cp) != 0;
}

int rastertext_covers(struct rastertext *rt, const char *utf8)
{
	int n = decode(utf8, rt->text);

	for (int i = 0; i < n; i++) {
		int found = 0;
		for (int f = 0; f < rt->n && !found; f++)
			found = has_glyph(rt, f, rt->text[i]);
		if (!found)
			return 0;
	}
	return 1;
}

/* ---- runs ---- */

static int real_script(hb_script_t s)
{
	return s != HB_SCRIPT_COMMON && s != HB_SCRIPT_INHERITED &&
	       s != HB_SCRIPT_UNKNOWN;
}

/* Script per character; common characters (spaces, digits, punctuation)
 * take the script before them, leading ones the first real script. */
static void assign_scripts(struct rastertext *rt, int n)
{
	hb_unicode_funcs_t *uf = hb_unicode_funcs_get_default();
	hb_script_t cur = HB_SCRIPT_COMMON;

	for (int i = 0; i < n; i++) {
		hb_script_t s = hb_unicode_script(uf, rt->text[i]);
		if (real_script(s)) {
			cur = s;
			break;
		}
	}
	for (int i = 0; i < n; i++) {
		hb_script_t s = hb_unicode_script(uf, rt->text[i]);
		if (real_script(s))
			cur = s;
		rt->scripts[i] = cur;
	}
}

/* Fonts for characters [start, start+len): one font for all if any font
 * has them all, else per character. */
static void assign_fonts(struct rastertext *rt, int start, int len)
{
	for (int f = 0; f < rt->n; f++) {
		int all = 1;
		for (int i = start; i < start + len && all; i++)
			all = has_glyph(rt, f, rt->text[i]);
		if (all) {
			memset(rt->fonts + start, f, (size_t)len);
			return;
		}
	}
	for (int i = start; i < start + len; i++) {
		int prev = i > start ? rt->fonts[i - 1] : -1;
		rt->fonts[i] = 0; /* nobody has it: font 0 draws its box */
		if (prev >= 0 && has_glyph(rt, prev, rt->text[i])) {
			rt->fonts[i] = (signed char)prev;
			continue;
		}
		for (int f = 0; f < rt->n; f++) {
			if (FT_Get_Char_Index(rt->f[f].face, rt->text[i])) {
				rt->fonts[i] = (signed char)f;
				break;
			}
		}
	}
}

static void split_runs(struct rastertext *rt, int n)
{
	int start = 0;

	/* First by level and script, choosing fonts for each such run. */
	for (int i = 1; i <= n; i++) {
		if (i < n && rt->levels[i] == rt->levels[start] &&
		    rt->scripts[i] == rt->scripts[start])
			continue;
		assign_fonts(rt, start, i - start);
		start = i;
	}
	/* Then wherever level, script or font changes. */
	rt->nruns = 0;
	start = 0;
	for (int i = 1; i <= n; i++) {
		if (i < n && rt->levels[i] == rt->levels[start] &&
		    rt->scripts[i] == rt->scripts[start] &&
		    rt->fonts[i] == rt->fonts[start])
			continue;
		rt->runs[rt->nruns++] = (struct rt_run){
			.start = start, .len = i - start,
			.level = rt->levels[start], .font = rt->fonts[start],
			.script = rt->scripts[start],
		};
		start = i;
	}
}

/* Unicode bidi rule L2 on whole runs: from the highest level down to the
 * lowest odd one, reverse every sequence of runs at that level or above. */
static void visual_order(struct rastertext *rt)
{
	int hi = 0, lo_odd = 1000;

	for (int i = 0; i < rt->nruns; i++) {
		rt->order[i] = i;
		if (rt->runs[i].level > hi)
			hi = rt->runs[i].level;
		if ((rt->runs[i].level & 1) && rt->runs[i].level < lo_odd)
			lo_odd = rt->runs[i].level;
	}
	for (int lev = hi; lev >= lo_odd; lev--) {
		for (int i = 0; i < rt->nruns;) {
			int j = i;
			while (j < rt->nruns && rt->runs[rt->order[j]].level >= lev)
				j++;
			for (int a = i, b = j - 1; a < b; a++, b--) {
				int t = rt->order[a];
				rt->order[a] = rt->order[b];
				rt->order[b] = t;
			}
			i = j > i ? j : i + 1;
		}
	}
}

/* Splits and orders utf8 into rt->runs / rt->order. Returns the number of
 * code points (0 for an empty line) or -1. */
static int itemize(struct rastertext *rt, const char *utf8)
{
	FriBidiParType base = FRIBIDI_PAR_ON;
	int n = decode(utf8, rt->text);

	rt->nruns = 0;
	if (n == 0)
		return 0;
	fribidi_get_bidi_types(rt->text, n, rt->types);
	fribidi_get_bracket_types(rt->text, n, rt->types, rt->brackets);
	if (!fribidi_get_par_embedding_levels_ex(rt->types, rt->brackets, n,
						 &base, rt->levels))
		return -1;
	assign_scripts(rt, n);
	split_runs(rt, n);
	visual_order(rt);
	return n;
}

/* ---- shaping and drawing ---- */

static void set_size(struct rt_font *f, int px)
{
	if (f->px == px)
		return;
	FT_Set_Pixel_Sizes(f->face, 0, (FT_UInt)px);
	hb_ft_font_changed(f->hb);
	f->px = px;
}

static void shape_run(struct rastertext *rt, int n, const struct rt_run *r)
{
	hb_buffer_clear_contents(rt->buf);
	/* The whole line as context, so joining looks across run edges. */
	hb_buffer_add_utf32(rt->buf, rt->text, n, (unsigned)r->start, r->len);
	hb_buffer_set_direction(rt->buf, (r->level & 1) ? HB_DIRECTION_RTL
							 : HB_DIRECTION_LTR);
	if (real_script(r->script))
		hb_buffer_set_script(rt->buf, r->script);
	hb_buffer_guess_segment_properties(rt->buf);
	hb_shape(rt->f[r->font].hb, rt->buf, NULL, 0);
}

static int bold_extra(int px)
{
	return px < 40 ? 1 : px / 40 + 1;
}

struct line_metrics {
	long width26;              /* advance width in 1/64 dots */
	int ascent, descent;
};

static void font_metrics(struct rastertext *rt, int fi, int px,
			 struct line_metrics *m)
{
	const FT_Size_Metrics *sm;
	int asc, desc;

	set_size(&rt->f[fi], px);
	sm = &rt->f[fi].face->size->metrics;
	asc = (int)((sm->ascender + 63) >> 6);
	desc = (int)((-sm->descender + 63) >> 6);
	if (asc > m->ascent)
		m->ascent = asc;
	if (desc > m->descent)
		m->descent = desc;
}

static void measure(struct rastertext *rt, int n, int px, int bold,
		    struct line_metrics *m)
{
	memset(m, 0, sizeof *m);
	if (!rt->nruns)
		font_metrics(rt, 0, px, m);
	for (int k = 0; k < rt->nruns; k++) {
		hb_glyph_position_t *pos;
		unsigned count;

		font_metrics(rt, rt->runs[k].font, px, m);
		shape_run(rt, n, &rt->runs[k]);
		pos = hb_buffer_get_glyph_positions(rt->buf, &count);
		for (unsigned g = 0; g < count; g++)
			m->width26 += pos[g].x_advance;
	}
	if (bold && rt->nruns)
		m->width26 += (long)bold_extra(px) * 64;
	if (m->ascent + m->descent < 1)
		m->ascent = 1;
}

static void blit_glyph(struct raster_bitmap *out, const FT_Bitmap *bm,
		       int x0, int y0, int extra)
{
	for (unsigned y = 0; y < bm->rows; y++) {
		const unsigned char *row = bm->buffer + (long)y * bm->pitch;
		for (unsigned x = 0; x < bm->width; x++) {
			int on;
			if (bm->pixel_mode == FT_PIXEL_MODE_MONO)
				on = (row[x >> 3] >> (7 - (x & 7))) & 1;
			else
				on = row[x] >= 128;
			if (!on)
				continue;
			for (int e = 0; e <= extra; e++)
				raster_bitmap_set(out, x0 + (int)x + e,
						  y0 + (int)y);
		}
	}
}

static void draw(struct rastertext *rt, int n, int px, int bold, long x26,
		 int baseline, struct raster_bitmap *out)
{
	int extra = bold ? bold_extra(px) : 0;

	for (int k = 0; k < rt->nruns; k++) {
		const struct rt_run *r = &rt->runs[rt->order[k]];
		struct rt_font *f = &rt->f[r->font];
		hb_glyph_info_t *info;
		hb_glyph_position_t *pos;
		unsigned count;

		set_size(f, px);
		shape_run(rt, n, r);
		info = hb_buffer_get_glyph_infos(rt->buf, &count);
		pos = hb_buffer_get_glyph_positions(rt->buf, &count);
		for (unsigned g = 0; g < count; g++) {
			FT_GlyphSlot slot = f->face->glyph;
			long gx = x26 + pos[g].x_offset;
			long gy = pos[g].y_offset;

			x26 += pos[g].x_advance;
			if (FT_Load_Glyph(f->face, info[g].codepoint,
					  FT_LOAD_TARGET_LIGHT) ||
			    FT_Render_Glyph(slot, FT_RENDER_MODE_NORMAL))
				continue;
			if (slot->bitmap.pixel_mode != FT_PIXEL_MODE_GRAY &&
			    slot->bitmap.pixel_mode != FT_PIXEL_MODE_MONO)
				continue;
			blit_glyph(out, &slot->bitmap,
				   (int)((gx + 32) >> 6) + slot->bitmap_left,
				   baseline - (int)((gy + 32) >> 6) -
					   slot->bitmap_top,
				   extra);
		}
	}
}

int rastertext_render_line(struct rastertext *rt, const char *utf8,
			   int pixel_height, int bold, int max_width,
			   enum raster_align align, struct raster_bitmap *out)
{
	struct line_metrics m;
	int n, px = pixel_height;
	long x26;

	memset(out, 0, sizeof *out);
	if (!rt || !utf8 || px < 1 || px > RT_MAX_PX || max_width < 1)
		return -1;
	n = itemize(rt, utf8);
	if (n < 0)
		return -1;
	measure(rt, n, px, bold, &m);
	/* Shrink until it fits; each step at least one pixel smaller. */
	while (m.width26 > (long)max_width * 64 && px > RT_MIN_PX) {
		long want = (long)px * max_width * 64 / m.width26;
		px = want < px ? (int)want : px - 1;
		if (px < RT_MIN_PX)
			px = RT_MIN_PX;
		measure(rt, n, px, bold, &m);
	}
	if (raster_bitmap_init(out, max_width, m.ascent + m.descent) < 0)
		return -1;
	x26 = 0;
	if (m.width26 < (long)max_width * 64) {
		long slack = (long)max_width * 64 - m.width26;
		if (align == RASTER_CENTER)
			x26 = slack / 2;
		else if (align == RASTER_RIGHT)
			x26 = slack;
	}
	draw(rt, n, px, bold, x26, m.ascent, out);
	return 0;
}
