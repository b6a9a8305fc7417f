/*
 * printer.h — the receipt printer: one public header for every transport.
 *
 * A printer is opened from a URI naming its backend:
 *
 *     usb:            the first USB receipt printer found: interface class
 *                     7, or class 0xFF of a known vendor (Epson 04b8, ...)
 *     usb:VID:PID     that device (hex), e.g. usb:04b8:0e28
 *     tcp:HOST:PORT   a network printer's raw port (usually 9100)
 *     file:PATH       writes jobs to a device node such as /dev/usb/lp0
 *     virtual:DIR     writes each job's ESC/POS bytes to DIR/job-NNNNNN.bin
 *                     and the paper it would print to DIR/job-NNNNNN.png
 *                     (the simulator and the tests; used only when named)
 *
 * The encoder (escpos.h) and the layouts (layout.h) turn a ticket's
 * fields into ESC/POS bytes and know nothing of transports; transports
 * move bytes and know nothing of tickets. Neither knows about the store or the screen.
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
	PRINTER_ERR_TIMEOUT = 8,   /* the device did not take or answer in time */
	PRINTER_ERR_GONE = 9,      /* unplugged while in use */
	PRINTER_ERR_DEVICE = 10,   /* cutter error or unrecoverable error */
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

/* The backend's name ("usb", "tcp", "file", "virtual"). */
const char *printer_backend_name(const struct printer *p);

/* ---- real-time status (DLE EOT n) ---- */

/* Decoded status. known is 0 when the transport cannot ask (file:). */
struct printer_status {
	int known;
	int online;
	int cover_open;
	int paper_end;             /* printing stopped: no paper */
	int paper_near_end;        /* warn technicians, not citizens */
	int cutter_error;
	int unrecoverable;
	int auto_recoverable;
};

/* Asks the printer DLE EOT 1, 2, 3 and 4 (draining stale bytes first) and
 * decodes the answers. A backend that cannot ask sets known = 0 and
 * returns PRINTER_OK. */
printer_err printer_get_status(struct printer *p, struct printer_status *st,
			       char *err, size_t errlen);

/* Decodes the answer byte b to DLE EOT n (1..4) into st. -1 when b is not
 * a status answer ((b & 0x93) != 0x12) or n is out of range. */
int printer_status_decode(int n, unsigned char b, struct printer_status *st);

/* PRINTER_OK when a job may be sent; otherwise the fault that stops it
 * (offline, paper end, cover open, device error). Near end is not a
 * fault. Unknown status is PRINTER_OK. */
printer_err printer_status_fault(const struct printer_status *st);

/* One line for technicians: "ok", "paper near end", "paper end, cover
 * open", ... */
void printer_status_describe(const struct printer_status *st, char *out,
			     size_t len);

#endif
