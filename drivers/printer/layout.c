/*
 * layout.c — receipt layouts as data: a parser for *.layout files and a
 * renderer that runs them on the ESC/POS builder (layout.h).
 *
 * A layout is outside input (a technician edits it): every size is capped
 * and every error names the file and line. Parsing checks everything that
 * can be checked without fields (commands, arguments, {field} syntax,
 * if/end pairs); rendering only fills in fields.
 *
 * It does NOT know which fields a ticket or a receipt has, nor how a field
 * is translated: the caller fills them. It does not print.
 *
 * Grammar (one command per line; leading blanks ignored; '#' as first
 * non-blank starts a comment line):
 *
 *     align left|center|right     bold on|off       size W H   (1..8)
 *     text [TEMPLATE]             feed N (1..255)   rule       cut
 *     qr TEMPLATE                 code128 TEMPLATE  (alias: barcode)
 *     image FILE [WIDTH]          (WIDTH 1..LAYOUT_IMAGE_WIDTH_MAX dots)
 *     if FIELD  …  end            (nesting up to LAYOUT_DEPTH_MAX)
 *
 * TEMPLATE: text with {field} placeholders; {{ and }} are literal braces.
 * A field name is 1..32 of [A-Za-z0-9_].
 *
 * FILE of `image` is a PNG relative to the layout's folder: no absolute
 * path, no ".." component, so a layout can only show pictures that sit
 * beside it. It is read, made 1-bit and scaled to WIDTH when the layout
 * is parsed (a missing or broken picture is a parse error, not a ticket
 * without a logo); rendering only narrows it to the paper and aligns it.
 */
#include "drivers/printer/layout.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LAYOUT_LINE_MAX 1024       /* bytes of one line */
#define LAYOUT_DEPTH_MAX 4         /* nested if blocks */
#define LAYOUT_NAME_MAX 32         /* bytes of a field name */
#define LAYOUT_EXPAND_MAX 2048     /* bytes of a filled-in template */
#define LAYOUT_IMAGES_MAX 8        /* image commands per layout */
#define LAYOUT_IMAGE_PATH_MAX 255  /* bytes of FILE */
#define LAYOUT_IMAGE_WIDTH_MAX 576 /* dots: the widest paper, 80 mm */
#define LAYOUT_IMAGE_HEIGHT_MAX 2048 /* dots (25 cm) after scaling */
#define FONT_A_DOTS 12             /* width of a font A column, in dots */

enum op {
	OP_ALIGN, OP_BOLD, OP_SIZE, OP_TEXT, OP_FEED, OP_QR, OP_CODE128,
	OP_RULE, OP_CUT, OP_IF, OP_END, OP_IMAGE,
};

struct cmd {
	enum op op;
	int a, b;                  /* align/bold/feed: a; size: a x b */
	int line;                  /* 1-based line in the file */
	int jump;                  /* OP_IF: index of its OP_END */
	char *arg;                 /* template, or the field of OP_IF */
	struct raster_bitmap img;  /* OP_IMAGE: 1-bit, at most 576 wide */
};

struct printer_layout {
	char name[128];
	struct cmd *cmds;
	int n;
};

static void fail_at(char *err, size_t errlen, const char *name, int line,
		    const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	snprintf(err, errlen, "%s:%d: %s", name, line, msg);
}

static int is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_';
}

/* Length of a valid field name at s ending exactly at s[len], or 0. */
static int valid_name(const char *s, size_t len)
{
	if (len == 0 || len > LAYOUT_NAME_MAX)
		return 0;
	for (size_t i = 0; i < len; i++)
		if (!is_name_char(s[i]))
			return 0;
	return 1;
}

/* Checks {field} syntax; NULL if fine, else what is wrong. */
static const char *template_check(const char *t)
{
	while (*t) {
		if (t[0] == '{' && t[1] == '{') {
			t += 2;
		} else if (t[0] == '}' && t[1] == '}') {
			t += 2;
		} else if (*t == '{') {
			const char *close = strchr(t, '}');

			if (!close)
				return "'{' without '}'";
			if (!valid_name(t + 1, (size_t)(close - t - 1)))
				return "bad field name in {...}";
			t = close + 1;
		} else if (*t == '}') {
			return "'}' without '{' (write }} for a brace)";
		} else {
			t++;
		}
	}
	return NULL;
}

/* Exactly n (1 or 2) blank-separated integers in lo..hi; 0 or -1. */
static int parse_ints(const char *s, int n, int lo, int hi, int *a, int *b)
{
	int *dst[2] = { a, b };

	for (int i = 0; i < n; i++) {
		char *end;
		long v;

		while (*s == ' ' || *s == '\t')
			s++;
		if (*s < '0' || *s > '9')
			return -1;
		errno = 0;
		v = strtol(s, &end, 10);
		if (errno || v < lo || v > hi)
			return -1;
		*dst[i] = (int)v;
		s = end;
	}
	return *s ? -1 : 0;
}

/* NULL when FILE may be opened relative to the layout's folder, else
 * what is wrong with it. */
static const char *image_path_check(const char *file)
{
	if (!*file)
		return "no file";
	if (strlen(file) > LAYOUT_IMAGE_PATH_MAX)
		return "path too long";
	if (*file == '/')
		return "absolute path (give it relative to the layout's folder)";
	for (const char *p = file; *p; ) {
		size_t n = strcspn(p, "/");

		if (n == 2 && p[0] == '.' && p[1] == '.')
			return "'..' in the path (the image must sit in the "
			       "layout's folder or below)";
		p += n;
		if (*p == '/')
			p++;
	}
	return NULL;
}

/*
 * `image FILE [WIDTH]`: reads dir/FILE into c->img, scaled to WIDTH dots
 * (keeping its proportions) or narrowed to the widest paper. arg is
 * modified. 0, or -1 with err and nothing held.
 */
static int parse_image(struct cmd *c, char *arg, const char *dir,
		       const char *name, int line, char *err, size_t errlen)
{
	char path[PATH_MAX], msg[200];
	struct raster_bitmap img = { 0 };
	const char *why;
	char *rest = arg;
	int width = 0, height;

	while (*rest && *rest != ' ' && *rest != '\t')
		rest++;
	if (*rest) {
		*rest++ = '\0';
		if (parse_ints(rest, 1, 1, LAYOUT_IMAGE_WIDTH_MAX, &width,
			       NULL) < 0) {
			fail_at(err, errlen, name, line, "bad width '%.40s' "
				"to 'image' (1..%d dots)", rest,
				LAYOUT_IMAGE_WIDTH_MAX);
			goto fail;
		}
	}
	why = image_path_check(arg);
	if (why) {
		fail_at(err, errlen, name, line, "image '%.80s': %s", arg, why);
		goto fail;
	}
	if (!dir) {
		fail_at(err, errlen, name, line, "image '%.80s': the layout "
			"has no folder to find it in", arg);
		goto fail;
	}
	if (snprintf(path, sizeof path, "%s/%s", dir, arg) >=
	    (int)sizeof path) {
		fail_at(err, errlen, name, line, "image '%.80s': path too "
			"long", arg);
		goto fail;
	}
	if (raster_bitmap_read_png(path, RASTER_PNG_MAX, RASTER_PNG_MAX, &img,
				   msg, sizeof msg) < 0) {
		fail_at(err, errlen, name, line, "image '%.80s': %s", arg, msg);
		goto fail;
	}
	if (!width)
		width = img.width < LAYOUT_IMAGE_WIDTH_MAX ?
			img.width : LAYOUT_IMAGE_WIDTH_MAX;
	height = (int)(((long)img.height * width + img.width / 2) /
		       img.width);
	if (height < 1)
		height = 1;
	if (height > LAYOUT_IMAGE_HEIGHT_MAX) {
		fail_at(err, errlen, name, line, "image '%.80s': %d dots tall "
			"at %d wide (at most %d)", arg, height, width,
			LAYOUT_IMAGE_HEIGHT_MAX);
		goto fail;
	}
	if (width == img.width && height == img.height) {
		c->img = img;
		return 0;
	}
	if (raster_bitmap_scale(&img, width, height, &c->img) < 0) {
		fail_at(err, errlen, name, line, "out of memory");
		goto fail;
	}
	raster_bitmap_free(&img);
	return 0;
fail:
	raster_bitmap_free(&img);
	return -1;
}

/*
 * Parses one command line (NUL-terminated, leading blanks stripped, not a
 * comment, not empty) into c; dir is the layout's folder (NULL: none).
 * 0, or -1 with err.
 */
static int parse_cmd(struct cmd *c, char *s, const char *dir,
		     const char *name, int line, char *err, size_t errlen)
{
	char *arg = s;
	size_t wlen;

	while (*arg && *arg != ' ' && *arg != '\t')
		arg++;
	wlen = (size_t)(arg - s);
	while (*arg == ' ' || *arg == '\t')
		arg++;
	c->line = line;
#define IS(w) (wlen == sizeof(w) - 1 && !memcmp(s, w, wlen))
	if (IS("align")) {
		c->op = OP_ALIGN;
		if (!strcmp(arg, "left"))
			c->a = ESCPOS_LEFT;
		else if (!strcmp(arg, "center"))
			c->a = ESCPOS_CENTER;
		else if (!strcmp(arg, "right"))
			c->a = ESCPOS_RIGHT;
		else
			goto bad_arg;
	} else if (IS("bold")) {
		c->op = OP_BOLD;
		if (!strcmp(arg, "on"))
			c->a = 1;
		else if (!strcmp(arg, "off"))
			c->a = 0;
		else
			goto bad_arg;
	} else if (IS("size")) {
		c->op = OP_SIZE;
		if (parse_ints(arg, 2, 1, 8, &c->a, &c->b) < 0)
			goto bad_arg;
	} else if (IS("feed")) {
		c->op = OP_FEED;
		if (parse_ints(arg, 1, 1, 255, &c->a, NULL) < 0)
			goto bad_arg;
	} else if (IS("rule") || IS("cut") || IS("end")) {
		c->op = IS("rule") ? OP_RULE : IS("cut") ? OP_CUT : OP_END;
		if (*arg)
			goto bad_arg;
	} else if (IS("if")) {
		c->op = OP_IF;
		if (!valid_name(arg, strlen(arg)))
			goto bad_arg;
	} else if (IS("image")) {
		c->op = OP_IMAGE;
		return parse_image(c, arg, dir, name, line, err, errlen);
	} else if (IS("text") || IS("qr") || IS("code128") || IS("barcode")) {
		const char *why;

		c->op = IS("text") ? OP_TEXT : IS("qr") ? OP_QR : OP_CODE128;
		if (c->op != OP_TEXT && !*arg)
			goto bad_arg;
		why = template_check(arg);
		if (why) {
			fail_at(err, errlen, name, line, "%s", why);
			return -1;
		}
	} else {
		fail_at(err, errlen, name, line, "unknown command '%.*s'",
			(int)(wlen > 32 ? 32 : wlen), s);
		return -1;
	}
#undef IS
	if (c->op == OP_TEXT || c->op == OP_QR || c->op == OP_CODE128 ||
	    c->op == OP_IF) {
		c->arg = strdup(arg);
		if (!c->arg) {
			fail_at(err, errlen, name, line, "out of memory");
			return -1;
		}
	}
	return 0;
bad_arg:
	fail_at(err, errlen, name, line, "bad argument '%.40s' to '%.*s'", arg,
		(int)wlen, s);
	return -1;
}

void printer_layout_free(struct printer_layout *l)
{
	if (!l)
		return;
	for (int i = 0; i < l->n; i++) {
		free(l->cmds[i].arg);
		raster_bitmap_free(&l->cmds[i].img);
	}
	free(l->cmds);
	free(l);
}

int printer_layout_parse(struct printer_layout **out, const char *name,
			 const char *text, size_t len, char *err,
			 size_t errlen)
{
	return printer_layout_parse_in(out, name, text, len, NULL, err,
				       errlen);
}

int printer_layout_parse_in(struct printer_layout **out, const char *name,
			    const char *text, size_t len, const char *dir,
			    char *err, size_t errlen)
{
	struct printer_layout *l = NULL;
	int stack[LAYOUT_DEPTH_MAX], depth = 0, line = 0, images = 0;
	size_t pos = 0;

	if (err && errlen)
		err[0] = '\0';
	if (!name)
		name = "layout";
	if (!out || (!text && len)) {
		fail_at(err, errlen, name, 0, "no layout");
		goto fail;
	}
	*out = NULL;
	if (len > LAYOUT_FILE_MAX) {
		fail_at(err, errlen, name, 0, "larger than %u bytes",
			LAYOUT_FILE_MAX);
		goto fail;
	}
	l = calloc(1, sizeof *l);
	if (!l)
		goto nomem;
	snprintf(l->name, sizeof l->name, "%s", name);
	while (pos < len) {
		char buf[LAYOUT_LINE_MAX + 1], *s;
		size_t n = 0;
		struct cmd *c;

		line++;
		if (line > (int)LAYOUT_LINES_MAX) {
			fail_at(err, errlen, name, line, "more than %d lines",
				LAYOUT_LINES_MAX);
			goto fail;
		}
		while (pos < len && text[pos] != '\n') {
			if (text[pos] == '\0') {
				fail_at(err, errlen, name, line, "NUL byte");
				goto fail;
			}
			if (n == LAYOUT_LINE_MAX) {
				fail_at(err, errlen, name, line, "line longer "
					"than %d bytes", LAYOUT_LINE_MAX);
				goto fail;
			}
			buf[n++] = text[pos++];
		}
		pos++;
		while (n && (buf[n - 1] == '\r' || buf[n - 1] == ' ' ||
			     buf[n - 1] == '\t'))
			n--;
		buf[n] = '\0';
		s = buf;
		while (*s == ' ' || *s == '\t')
			s++;
		if (!*s || *s == '#')
			continue;
		c = realloc(l->cmds, (size_t)(l->n + 1) * sizeof *c);
		if (!c)
			goto nomem;
		l->cmds = c;
		c = &l->cmds[l->n];
		memset(c, 0, sizeof *c);
		if (parse_cmd(c, s, dir, name, line, err, errlen) < 0)
			goto fail;
		l->n++;
		if (c->op == OP_IMAGE && ++images > LAYOUT_IMAGES_MAX) {
			fail_at(err, errlen, name, line, "more than %d images",
				LAYOUT_IMAGES_MAX);
			goto fail;
		}
		if (c->op == OP_IF) {
			if (depth == LAYOUT_DEPTH_MAX) {
				fail_at(err, errlen, name, line, "'if' nested "
					"deeper than %d", LAYOUT_DEPTH_MAX);
				goto fail;
			}
			stack[depth++] = l->n - 1;
		} else if (c->op == OP_END) {
			if (!depth) {
				fail_at(err, errlen, name, line,
					"'end' without 'if'");
				goto fail;
			}
			l->cmds[stack[--depth]].jump = l->n - 1;
		}
	}
	if (depth) {
		fail_at(err, errlen, name, l->cmds[stack[depth - 1]].line,
			"'if' without 'end'");
		goto fail;
	}
	*out = l;
	return 0;
nomem:
	fail_at(err, errlen, name, line, "out of memory");
fail:
	printer_layout_free(l);
	return -1;
}

int printer_layout_load(struct printer_layout **out, const char *path,
			char *err, size_t errlen)
{
	char *text = NULL, *dir = NULL, *slash;
	size_t len = 0;
	FILE *f = NULL;
	int rc = -1;

	if (out)
		*out = NULL;
	if (!path || !out) {
		fail_at(err, errlen, "layout", 0, "no path");
		goto out;
	}
	/* The folder images are found in: the path up to its last '/'. */
	slash = strrchr(path, '/');
	dir = slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path))
		    : strdup(".");
	if (!dir) {
		fail_at(err, errlen, path, 0, "out of memory");
		goto out;
	}
	f = fopen(path, "rb");
	if (!f) {
		fail_at(err, errlen, path, 0, "%s", strerror(errno));
		goto out;
	}
	text = malloc(LAYOUT_FILE_MAX + 1);
	if (!text) {
		fail_at(err, errlen, path, 0, "out of memory");
		goto out;
	}
	len = fread(text, 1, LAYOUT_FILE_MAX + 1, f);
	if (ferror(f)) {
		fail_at(err, errlen, path, 0, "read error");
		goto out;
	}
	rc = printer_layout_parse_in(out, path, text, len, dir, err, errlen);
out:
	if (f)
		fclose(f);
	free(text);
	free(dir);
	return rc;
}

static const char *field_get(const struct printer_field *fields, int n,
			     const char *key, size_t keylen)
{
	for (int i = 0; i < n; i++) {
		if (fields[i].key && strlen(fields[i].key) == keylen &&
		    !memcmp(fields[i].key, key, keylen))
			return fields[i].value;
	}
	return NULL;
}

/* Appends s[0..n) to out (cap-1 bytes at most, cut on a UTF-8 boundary);
 * -1 when it did not fit. */
static int append(char *out, size_t *len, size_t cap, const char *s,
		  size_t n)
{
	size_t room = cap - 1 - *len;
	int rc = 0;

	if (n > room) {
		n = room;
		while (n && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
		rc = -1;
	}
	memcpy(out + *len, s, n);
	*len += n;
	out[*len] = '\0';
	return rc;
}

/* Fills in a checked template; -1 when the result was cut short. */
static int template_fill(const char *t, const struct printer_field *fields,
			 int n_fields, char *out, size_t cap)
{
	size_t len = 0;
	int rc = 0;

	out[0] = '\0';
	while (*t) {
		if ((t[0] == '{' && t[1] == '{') || (t[0] == '}' && t[1] == '}')) {
			rc |= append(out, &len, cap, t, 1);
			t += 2;
		} else if (*t == '{') {
			const char *close = strchr(t, '}');
			const char *v = field_get(fields, n_fields, t + 1,
						  (size_t)(close - t - 1));

			if (v)
				rc |= append(out, &len, cap, v, strlen(v));
			t = close + 1;
		} else {
			size_t run = strcspn(t, "{}");

			if (!run)
				run = 1;
			rc |= append(out, &len, cap, t, run);
			t += run;
		}
	}
	return rc;
}

/* Copies src's rows into dst (src->width + pad dots wide, white) moved
 * pad dots to the right, a byte at a time. */
static void shift_right(const struct raster_bitmap *src,
			struct raster_bitmap *dst, int pad)
{
	int skip = pad / 8, bit = pad % 8;
	unsigned char last = (unsigned char)(0xFFu << (src->stride * 8 -
						       src->width));

	for (int y = 0; y < src->height; y++) {
		const unsigned char *s = src->bits +
					 (size_t)y * (size_t)src->stride;
		unsigned char *d = dst->bits +
				   (size_t)y * (size_t)dst->stride + skip;

		for (int i = 0; i < src->stride; i++) {
			unsigned v = s[i];

			if (i == src->stride - 1)
				v &= last;     /* dots past the width stay white */
			d[i] |= (unsigned char)(v >> bit);
			if (bit && skip + i + 1 < dst->stride)
				d[i + 1] |= (unsigned char)(v << (8 - bit));
		}
	}
}

/*
 * A layout's image on the paper, `dots` wide: narrowed to it when wider,
 * then placed by white dots on its left rather than by ESC a, which some
 * printers apply to GS v 0 and others ignore; ESC a 0 around it makes the
 * two kinds print alike. 0, or -1 when out of memory.
 */
static int put_image(struct escpos *e, const struct raster_bitmap *img,
		     int dots, enum escpos_align align)
{
	struct raster_bitmap fit = { 0 }, placed = { 0 };
	const struct raster_bitmap *b = img;
	int pad, rc = -1;

	if (img->width > dots) {
		int h = (int)(((long)img->height * dots + img->width / 2) /
			      img->width);

		if (raster_bitmap_scale(img, dots, h > 0 ? h : 1, &fit) < 0)
			goto out;
		b = &fit;
	}
	pad = align == ESCPOS_CENTER ? (dots - b->width) / 2 :
	      align == ESCPOS_RIGHT ? dots - b->width : 0;
	if (pad > 0) {
		if (raster_bitmap_init(&placed, pad + b->width, b->height) < 0)
			goto out;
		shift_right(b, &placed, pad);
		b = &placed;
	}
	if (align != ESCPOS_LEFT)
		escpos_align(e, ESCPOS_LEFT);
	escpos_raster(e, b);
	if (align != ESCPOS_LEFT)
		escpos_align(e, align);
	rc = 0;
out:
	raster_bitmap_free(&placed);
	raster_bitmap_free(&fit);
	return rc;
}

static int printable_ascii(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7E)
			return 0;
	return 1;
}

int printer_layout_render(const struct printer_layout *l,
			  const struct escpos_options *o,
			  const struct printer_field *fields, int n_fields,
			  unsigned char **out, size_t *len, char *err,
			  size_t errlen)
{
	struct escpos *e = NULL;
	char *buf = NULL;
	int size_w = 1, rc = -1;
	int paper = o ? o->paper_width_mm : 80;
	/* Printable dots: the encoder's columns of 12-dot font A (576, 384). */
	int dots = escpos_columns(paper) * FONT_A_DOTS;
	enum escpos_align align = ESCPOS_LEFT;

	if (out)
		*out = NULL;
	if (len)
		*len = 0;
	if (!l || !out || !len || n_fields < 0 || (n_fields && !fields)) {
		fail_at(err, errlen, l ? l->name : "layout", 0,
			"bad arguments");
		goto fail;
	}
	buf = malloc(LAYOUT_EXPAND_MAX);
	e = escpos_create(o);
	if (!buf || !e) {
		fail_at(err, errlen, l->name, 0, "out of memory");
		goto fail;
	}
	for (int i = 0; i < l->n; i++) {
		const struct cmd *c = &l->cmds[i];
		const char *v;

		switch (c->op) {
		case OP_ALIGN:
			align = (enum escpos_align)c->a;
			escpos_align(e, align);
			break;
		case OP_BOLD:
			escpos_bold(e, c->a);
			break;
		case OP_SIZE:
			escpos_size(e, c->a, c->b);
			size_w = c->a;
			break;
		case OP_TEXT:
			/* A long text is cut, not refused: a ticket with a
			 * short office name beats no ticket. */
			template_fill(c->arg, fields, n_fields, buf,
				      LAYOUT_EXPAND_MAX);
			escpos_line(e, buf);
			break;
		case OP_FEED:
			escpos_feed(e, c->a);
			break;
		case OP_QR:
		case OP_CODE128:
			if (template_fill(c->arg, fields, n_fields, buf,
					  LAYOUT_EXPAND_MAX) < 0) {
				fail_at(err, errlen, l->name, c->line,
					"data longer than %d bytes",
					LAYOUT_EXPAND_MAX - 1);
				goto fail;
			}
			if (!*buf) {
				fail_at(err, errlen, l->name, c->line,
					"no data (field not set?)");
				goto fail;
			}
			if (c->op == OP_QR) {
				escpos_qr(e, buf, strlen(buf));
				break;
			}
			if (!printable_ascii(buf) || strlen(buf) > 120) {
				fail_at(err, errlen, l->name, c->line,
					"code128 takes up to 120 printable "
					"ASCII characters");
				goto fail;
			}
			escpos_code128(e, buf);
			break;
		case OP_RULE: {
			int cols = escpos_columns(paper) / size_w;

			memset(buf, '-', (size_t)cols);
			buf[cols > 0 ? cols : 0] = '\0';
			escpos_line(e, buf);
			break;
		}
		case OP_CUT:
			escpos_cut(e);
			break;
		case OP_IF:
			v = field_get(fields, n_fields, c->arg, strlen(c->arg));
			if (!v || !*v)
				i = c->jump;
			break;
		case OP_END:
			break;
		case OP_IMAGE:
			if (put_image(e, &c->img, dots, align) < 0) {
				fail_at(err, errlen, l->name, c->line,
					"out of memory");
				goto fail;
			}
			break;
		}
	}
	rc = escpos_finish(e, out, len);
	e = NULL;
	if (rc < 0)
		fail_at(err, errlen, l->name, 0, "the job failed (too large, "
			"a bad option or out of memory)");
fail:
	escpos_destroy(e);
	free(buf);
	return rc;
}
