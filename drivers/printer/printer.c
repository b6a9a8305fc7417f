/*
 * printer.c — picks a printer backend by URI scheme and forwards to it.
 *
 * Knows no device and no ticket: backends move bytes (printer_*.c), the
 * encoder makes them (escpos.c).
 */
#include "drivers/printer/printer_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct printer {
	const struct printer_backend *be;
	void *ctx;                 /* owned by be */
};

/* Every backend this build knows; virtual ones only ever by name. */
static const struct printer_backend *const backends[] = {
	&printer__usb_backend,
	&printer__tcp_backend,
	&printer__file_backend,
	&printer__virtual_backend,
	NULL,
};

const char *printer_strerror(printer_err e)
{
	switch (e) {
	case PRINTER_OK: return "success";
	case PRINTER_ERR_URI: return "unknown or malformed printer URI";
	case PRINTER_ERR_OPEN: return "printer could not be opened";
	case PRINTER_ERR_WRITE: return "write to printer failed";
	case PRINTER_ERR_NOMEM: return "out of memory";
	case PRINTER_ERR_OFFLINE: return "printer offline";
	case PRINTER_ERR_PAPER: return "printer out of paper";
	case PRINTER_ERR_COVER: return "printer cover open";
	case PRINTER_ERR_TIMEOUT: return "printer did not answer in time";
	case PRINTER_ERR_GONE: return "printer unplugged";
	case PRINTER_ERR_DEVICE: return "printer error (cutter or mechanism)";
	}
	return "unknown printer error";
}

void printer__seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static void clear_err(char *err, size_t errlen)
{
	if (err && errlen)
		err[0] = '\0';
}

static const struct printer_backend *find_backend(const char *scheme,
						  size_t len)
{
	for (const struct printer_backend *const *b = backends; *b; b++) {
		if (strlen((*b)->name) == len &&
		    !memcmp((*b)->name, scheme, len))
			return *b;
	}
	return NULL;
}

printer_err printer_open(struct printer **out, const char *uri, char *err,
			 size_t errlen)
{
	const struct printer_backend *be;
	struct printer *p = NULL;
	const char *colon;
	printer_err rc;

	clear_err(err, errlen);
	*out = NULL;
	colon = uri ? strchr(uri, ':') : NULL;
	if (!colon || colon == uri) {
		printer__seterr(err, errlen, "printer URI \"%s\" has no scheme "
				"(want virtual:DIR or file:PATH)",
				uri ? uri : "(null)");
		return PRINTER_ERR_URI;
	}
	be = find_backend(uri, (size_t)(colon - uri));
	if (!be) {
		printer__seterr(err, errlen, "no printer backend for \"%.*s:\"",
				(int)(colon - uri), uri);
		return PRINTER_ERR_URI;
	}
	p = calloc(1, sizeof *p);
	if (!p) {
		rc = PRINTER_ERR_NOMEM;
		printer__seterr(err, errlen, "%s", printer_strerror(rc));
		goto fail;
	}
	p->be = be;
	rc = be->open(&p->ctx, colon + 1, err, errlen);
	if (rc != PRINTER_OK)
		goto fail;
	*out = p;
	return PRINTER_OK;

fail:
	free(p);
	return rc;
}

void printer_close(struct printer *p)
{
	if (!p)
		return;
	p->be->close(p->ctx);
	free(p);
}

printer_err printer_send(struct printer *p, const unsigned char *data,
			 size_t len, size_t *written, char *err, size_t errlen)
{
	size_t dummy;

	if (!written)
		written = &dummy;
	*written = 0;
	clear_err(err, errlen);
	if (!p) {
		printer__seterr(err, errlen, "no printer open");
		return PRINTER_ERR_OFFLINE;
	}
	if (!len)
		return PRINTER_OK;
	if (!data) {
		printer__seterr(err, errlen, "no job data");
		return PRINTER_ERR_WRITE;
	}
	return p->be->send(p->ctx, data, len, written, err, errlen);
}

const char *printer_backend_name(const struct printer *p)
{
	return p ? p->be->name : "none";
}

const struct printer_backend *printer__backend(const struct printer *p,
					       void **ctx)
{
	*ctx = p->ctx;
	return p->be;
}
