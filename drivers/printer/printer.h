/*
 * printer.h — the receipt printer: one public header for every transport.
 *
 * A printer is opened from a URI naming its backend:
 *
 *     virtual:DIR     writes each job's ESC/POS bytes to DIR/job-NNNNNN.bin
 *                     (the simulator and the tests; used only when named)
 *     file:PATH       writes jobs to a device node such as /dev/usb/lp0
 *
 * (usb: and tcp: come with the printer issue.)
 *
 * The encoder (escpos_*) turns a ticket's fields into ESC/POS bytes and
 * knows nothing of transports; transports move bytes and know nothing of
 * tickets. Neither knows about the store or the screen.
 */
#ifndef BK_PRINTER_H
#define BK_PRINTER_H

#include <stddef.h>

/* One error enum for the printer boundary; 0 is success, never renumbered. */
typedef enum printer_err {
	PRINTER_OK = 0,
	PRINTER_ERR_URI = 1,       /* unknown scheme or malformed URI */
	PRINTER_ERR_OPEN = 2,      /* device/folder could not be opened */
	PRINTER_ERR_WRITE = 3,     /* write failed or was short */
	PRINTER_ERR_NOMEM = 4,
	PRINTER_ERR_OFFLINE = 5,   /* printer reports offline / not present */
	PRINTER_ERR_PAPER = 6,     /* paper end */
	PRINTER_ERR_COVER = 7,     /* cover open */
} printer_err;

const char *printer_strerror(printer_err e);

struct printer;

/* Opens the backend named by uri. On failure *out is NULL and err (if not
 * NULL) says why. */
printer_err printer_open(struct printer **out, const char *uri, char *err,
			 size_t errlen);
void printer_close(struct printer *p);

/* Sends one whole job. *written reports the bytes accepted. */
printer_err printer_send(struct printer *p, const unsigned char *data,
			 size_t len, size_t *written, char *err, size_t errlen);

/* The backend's name ("virtual", "file"). */
const char *printer_backend_name(const struct printer *p);

/* ---- ESC/POS encoding of a waiting ticket ---- */

/* All strings are UTF-8; any may be NULL except number. */
struct printer_ticket {
	const char *office;        /* "Bürgerbüro Musterstadt" */
	const char *number;        /* "A001" — printed large */
	const char *service;       /* "Personalausweis" */
	const char *ahead_line;    /* "Vor Ihnen: 3" (already translated) */
	const char *when;          /* "25.11.2026 18:40" */
	const char *footer;        /* a short line in the citizen's language */
};

/* Renders a complete job (init, code page, text, feed, cut) into a
 * malloc'ed buffer. Characters the code page lacks become '?' in this
 * version (raster lines come with the printer issue). Returns 0 or -1
 * (out of memory). */
int escpos_render_ticket(const struct printer_ticket *t, int paper_width_mm,
			 unsigned char **out, size_t *outlen);

/* Maps UTF-8 to code page PC858 bytes. Returns the number of bytes
 * written to out (at most outlen), replacing unmappable characters and
 * invalid UTF-8 with '?'. */
size_t escpos_utf8_to_pc858(const char *utf8, unsigned char *out,
			    size_t outlen);

#endif
