/*
 * escpos.c — the ESC/POS encoder: a waiting ticket's fields as printer bytes.
 *
 * Knows no transport. Text goes out in code page PC858 (CP850 with the
 * euro sign at D5), one byte per character, so wrapping counts bytes and
 * can never split a character.
 *
 * Invariants of every job it renders:
 *  1. Text bytes are 0x20..0x7E or 0x80..0xFF: control characters in the
 *     input become '?', so a field can never start a printer command.
 *  2. Every control byte in the job belongs to the fixed command skeleton
 *     below, whatever the fields hold (the fuzz target checks this).
 *  3. No line is wider than the paper: 48 columns of font A on 80 mm
 *     paper, 32 on anything narrower; large text counts as wider.
 */
#include "drivers/printer/printer.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/*
 * The job, in order. Offsets are fixed up to the first field; after that
 * each field adds its lines (PC858 text + 0A each, none if NULL or empty).
 *
 * offset  bytes          command    why
 *  0      1B 40          ESC @      initialise: drop the last job's modes
 *  2      1C 2E          FS .       leave Kanji mode (clones start in it)
 *  4      1B 74 13       ESC t 19   code page PC858 (German letters, euro)
 *  7      1B 52 00       ESC R 0    USA set: keeps @ [ \ ] { | } ~ intact
 * 10      1B 61 01       ESC a 1    centre all lines
 * 13      1B 45 01       ESC E 1    bold on
 * 16      office         ≤ 3 lines
 *         1B 45 00       ESC E 0    bold off
 *         0A             LF         blank line
 *         1D 21 33|11    GS ! n     number 4x (or 2x if long) wide and high
 *         1B 45 01       ESC E 1    bold on
 *         number         ≤ 2 lines at that size
 *         1B 45 00       ESC E 0    bold off
 *         1D 21 00       GS ! 0     normal size
 *         0A             LF         blank line
 *         service        ≤ 3 lines
 *         ahead_line     ≤ 2 lines
 *         0A             LF         blank line
 *         when           ≤ 1 line
 *         footer         ≤ 3 lines
 * end-7   1B 64 03       ESC d 3    feed 3 lines below the footer
 * end-4   1D 56 42 00    GS V 66 0  feed to the cutter, then partial cut
 *
 * GS V 66 rather than GS V 1: it feeds the last line past the cutter
 * before cutting instead of cutting through it.
 */
#define ESC "\x1b"
#define GS "\x1d"
#define FS "\x1c"

#define JOB_HEAD ESC "@" FS "." ESC "t\x13" ESC "R\x00" ESC "a\x01" ESC "E\x01"
#define BOLD_OFF ESC "E\x00"
#define BOLD_ON ESC "E\x01"
#define SIZE_NORMAL GS "!\x00"
#define JOB_TAIL ESC "d\x03" GS "V\x42\x00"

#define SIZE_QUAD 0x33      /* GS ! bits 4-6 width - 1, bits 0-2 height - 1 */
#define SIZE_DOUBLE 0x11

/* A field is converted up to this many PC858 bytes before wrapping. */
#define FIELD_MAX 512

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

/* ---- the job buffer ---- */

struct job {
	unsigned char *data;
	size_t len, cap;
	int failed;
};

static void put(struct job *j, const void *p, size_t n)
{
	if (j->failed || !n)
		return;
	if (n > j->cap - j->len) {
		size_t cap = j->cap ? j->cap : 1024;
		unsigned char *d;

		while (cap - j->len < n)
			cap *= 2;
		d = realloc(j->data, cap);
		if (!d) {
			j->failed = 1;
			return;
		}
		j->data = d;
		j->cap = cap;
	}
	memcpy(j->data + j->len, p, n);
	j->len += n;
}

#define PUT_LIT(j, s) put((j), (s), sizeof(s) - 1)

/*
 * Puts PC858 text as at most max_lines lines of at most cols bytes: breaks
 * at the last space that fits, or hard at cols when a word is longer;
 * drops spaces at line ends; drops what does not fit in max_lines.
 */
static void put_wrapped(struct job *j, const unsigned char *s, size_t n,
			size_t cols, int max_lines)
{
	for (int lines = 0; lines < max_lines; lines++) {
		size_t take, end;

		while (n && *s == ' ') {
			s++;
			n--;
		}
		if (!n)
			return;
		take = n;
		if (n > cols) {
			take = cols;
			while (take > 0 && s[take] != ' ')
				take--;
			if (take == 0)
				take = cols;
		}
		end = take;
		while (end && s[end - 1] == ' ')
			end--;
		put(j, s, end);
		PUT_LIT(j, "\n");
		s += take;
		n -= take;
	}
}

static void put_field(struct job *j, const char *utf8, size_t cols,
		      int max_lines)
{
	unsigned char text[FIELD_MAX];
	size_t n;

	if (!utf8 || !*utf8)
		return;
	n = escpos_utf8_to_pc858(utf8, text, sizeof text);
	put_wrapped(j, text, n, cols, max_lines);
}

/* The number: as large as fits, bold. */
static void put_number(struct job *j, const char *utf8, size_t cols)
{
	unsigned char text[FIELD_MAX], size;
	size_t n = 0, mult;

	if (utf8)
		n = escpos_utf8_to_pc858(utf8, text, sizeof text);
	mult = n <= cols / 4 ? 4 : 2;
	size = mult == 4 ? SIZE_QUAD : SIZE_DOUBLE;
	PUT_LIT(j, GS "!");
	put(j, &size, 1);
	PUT_LIT(j, BOLD_ON);
	put_wrapped(j, text, n, cols / mult, 2);
	PUT_LIT(j, BOLD_OFF SIZE_NORMAL "\n");
}

int escpos_render_ticket(const struct printer_ticket *t, int paper_width_mm,
			 unsigned char **out, size_t *outlen)
{
	size_t cols = paper_width_mm >= 80 ? 48 : 32;
	struct job j = { 0 };

	if (!t || !out || !outlen)
		return -1;
	*out = NULL;
	*outlen = 0;
	PUT_LIT(&j, JOB_HEAD);
	put_field(&j, t->office, cols, 3);
	PUT_LIT(&j, BOLD_OFF "\n");
	put_number(&j, t->number, cols);
	put_field(&j, t->service, cols, 3);
	put_field(&j, t->ahead_line, cols, 2);
	PUT_LIT(&j, "\n");
	put_field(&j, t->when, cols, 1);
	put_field(&j, t->footer, cols, 3);
	PUT_LIT(&j, JOB_TAIL);
	if (j.failed) {
		free(j.data);
		return -1;
	}
	*out = j.data;
	*outlen = j.len;
	return 0;
}
