/*
 * layout.h — receipt layouts as data (assets/layouts/NAME.layout).
 *
 * A layout is a small line-based program run against named fields:
 *
 *     # the waiting ticket, 80 mm
 *     align center
 *     bold on
 *     text {office}
 *     size 4 4
 *     text {number}
 *     size 1 1
 *     qr {qr}
 *     cut
 *
 * One command per line; '#' comments. Commands: align left|center|right,
 * bold on|off, size W H, text TEMPLATE, feed N, qr TEMPLATE,
 * code128 TEMPLATE, rule (a line of dashes), cut, image FILE [WIDTH] (a
 * PNG beside the layout, printed as a 1-bit raster: a logo), and
 * `if FIELD` … `end` (the block is printed only when FIELD is set and not
 * empty). A TEMPLATE
 * is text with {field} placeholders. Every error names the file and line;
 * sizes are capped: a layout is outside input. docs/printing.md lists the
 * commands and the fields each layout gets.
 *
 * Fields are filled by the caller (already translated). The layout does
 * NOT know about tickets, the store or languages.
 */
#ifndef BK_LAYOUT_H
#define BK_LAYOUT_H

#include <stddef.h>

#include "drivers/printer/escpos.h"

#define LAYOUT_FILE_MAX (64u << 10)
#define LAYOUT_LINES_MAX 256

struct printer_field {
	const char *key;           /* "number" for {number} */
	const char *value;         /* UTF-8; NULL = not set */
};

struct printer_layout;

/* Parses a layout held in memory; name is used in errors. It has no
 * folder, so an `image` line is an error. 0, or -1 with err. */
int printer_layout_parse(struct printer_layout **out, const char *name,
			 const char *text, size_t len, char *err,
			 size_t errlen);
/* The same, with `image` files read relative to dir (NULL: no images). */
int printer_layout_parse_in(struct printer_layout **out, const char *name,
			    const char *text, size_t len, const char *dir,
			    char *err, size_t errlen);
/* Reads and parses the file at path; images are found in its folder. */
int printer_layout_load(struct printer_layout **out, const char *path,
			char *err, size_t errlen);
void printer_layout_free(struct printer_layout *l);

/* Runs the layout into one ESC/POS job. An unknown {field} prints as
 * empty. 0, or -1 with err. */
int printer_layout_render(const struct printer_layout *l,
			  const struct escpos_options *o,
			  const struct printer_field *fields, int n_fields,
			  unsigned char **out, size_t *len, char *err,
			  size_t errlen);

#endif
