/*
 * printer_int.h — for printer backend writers only; callers use printer.h.
 *
 * A backend is a const table of function pointers named after its URI
 * scheme. printer.c keeps a NULL-terminated list of them and picks one by
 * the scheme of the URI given to printer_open(); the rest of the URI (after
 * the first ':') is the backend's argument. A virtual backend is chosen only
 * when its scheme is named: there is no fallback between backends.
 *
 * Contract for every slot:
 *  1. open() gets a non-NULL argument (maybe ""), allocates its private
 *     state and stores it in *ctx. On failure it frees what it made, leaves
 *     *ctx NULL and returns the error. The backend owns ctx; only its own
 *     close() frees it.
 *  2. send() gets len > 0 and data != NULL (printer.c handles the empty
 *     job). It sets *written to the bytes the device accepted, also on
 *     failure. It must not block forever on a missing device.
 *  3. err/errlen may be NULL/0; write error text only with printer__seterr().
 *     printer.c has cleared err before a slot is called. Texts name the
 *     device and the reason, never ticket contents.
 *  4. One struct printer is used by one thread at a time; two printers may
 *     share a device or folder (the virtual backend must not overwrite).
 *  5. status() is optional (NULL: printer_get_status reports known = 0).
 *     It fills every field of *st it can and sets st->known = 1. It must
 *     answer within a second or report PRINTER_ERR_TIMEOUT.
 */
#ifndef BK_PRINTER_INT_H
#define BK_PRINTER_INT_H

#include "drivers/printer/printer.h"

struct printer_backend {
	const char *name;      /* URI scheme and printer_backend_name() */
	printer_err (*open)(void **ctx, const char *arg, char *err,
			    size_t errlen);
	void (*close)(void *ctx);
	printer_err (*send)(void *ctx, const unsigned char *data, size_t len,
			    size_t *written, char *err, size_t errlen);
	printer_err (*status)(void *ctx, struct printer_status *st, char *err,
			      size_t errlen);
};

extern const struct printer_backend printer__file_backend;
extern const struct printer_backend printer__virtual_backend;
extern const struct printer_backend printer__usb_backend;
extern const struct printer_backend printer__tcp_backend;

/* The backend of an open printer and its private state (for
 * printer_status.c, which routes printer_get_status to the status slot). */
const struct printer_backend *printer__backend(const struct printer *p,
					       void **ctx);

/* snprintf into err when err is not NULL; never fails. */
void printer__seterr(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
