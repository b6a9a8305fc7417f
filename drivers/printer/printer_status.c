/*
 * printer_status.c — real-time status: what DLE EOT n answers mean, and
 * printer_get_status() routed to the backend that can ask.
 *
 * It does NOT talk to a device: the usb: and tcp: backends send the
 * queries and read the answers through their status() slot; this file only
 * decodes bytes and turns a decoded status into a fault and a line of text.
 *
 * The query is the three bytes 10 04 n (DLE EOT n, n = 1..4); the printer
 * answers one byte at once, even while offline. Every answer has the fixed
 * pattern (b & 0x93) == 0x12 (bits 1 and 4 set, bits 0 and 7 clear), which
 * tells an answer from stray bytes.
 *
 *   n  bit  mask  meaning when set             field
 *   -  ---  ----  ---------------------------  ----------------------
 *   1   3   0x08  offline                      online = 0
 *   2   2   0x04  cover open                   cover_open
 *   2   5   0x20  printing stopped, paper end  paper_end
 *   2   6   0x40  an error occurred            (detail comes from n=3)
 *   3   3   0x08  autocutter error             cutter_error
 *   3   5   0x20  unrecoverable error          unrecoverable
 *   3   6   0x40  auto-recoverable error       auto_recoverable
 *   4  2-3  0x0C  paper near end (sensor)      paper_near_end
 *   4  5-6  0x60  paper end (sensor)           paper_end
 *
 * Examples: a printer without paper answers 1A / 32 / 7E to n = 1 / 2 / 4
 * (offline; stopped by paper end and error; near end and end); a healthy
 * one 16 / 12 / 12 / 12.
 */
#include "drivers/printer/printer_int.h"

#include <stdio.h>
#include <string.h>

int printer_status_decode(int n, unsigned char b, struct printer_status *st)
{
	if (n < 1 || n > 4 || (b & 0x93) != 0x12)
		return -1;
	switch (n) {
	case 1:
		st->online = !(b & 0x08);
		break;
	case 2:
		st->cover_open = !!(b & 0x04);
		if (b & 0x20)
			st->paper_end = 1;
		break;
	case 3:
		st->cutter_error = !!(b & 0x08);
		st->unrecoverable = !!(b & 0x20);
		st->auto_recoverable = !!(b & 0x40);
		break;
	case 4:
		st->paper_near_end = !!(b & 0x0C);
		if (b & 0x60)
			st->paper_end = 1;
		break;
	}
	return 0;
}

/* Paper and cover come first: a printer without paper or with its cover
 * open also says offline, and "offline" alone would hide the cause. */
printer_err printer_status_fault(const struct printer_status *st)
{
	if (!st || !st->known)
		return PRINTER_OK;
	if (st->paper_end)
		return PRINTER_ERR_PAPER;
	if (st->cover_open)
		return PRINTER_ERR_COVER;
	if (st->cutter_error || st->unrecoverable || st->auto_recoverable)
		return PRINTER_ERR_DEVICE;
	if (!st->online)
		return PRINTER_ERR_OFFLINE;
	return PRINTER_OK;
}

static void append(char *out, size_t len, size_t *used, const char *what)
{
	int n;

	if (*used >= len)
		return;
	n = snprintf(out + *used, len - *used, "%s%s", *used ? ", " : "",
		     what);
	if (n > 0)
		*used += (size_t)n;
}

void printer_status_describe(const struct printer_status *st, char *out,
			     size_t len)
{
	size_t used = 0;
	int cause;

	if (!out || !len)
		return;
	out[0] = '\0';
	if (!st || !st->known) {
		snprintf(out, len, "unknown");
		return;
	}
	if (st->paper_end)
		append(out, len, &used, "paper end");
	if (st->cover_open)
		append(out, len, &used, "cover open");
	if (st->cutter_error)
		append(out, len, &used, "cutter error");
	if (st->unrecoverable)
		append(out, len, &used, "unrecoverable error");
	if (st->auto_recoverable)
		append(out, len, &used, "auto-recoverable error");
	cause = used != 0;
	if (!st->online && !cause)
		append(out, len, &used, "offline");
	if (st->paper_near_end)
		append(out, len, &used, "paper near end");
	if (!used)
		snprintf(out, len, "ok");
}

printer_err printer_get_status(struct printer *p, struct printer_status *st,
			       char *err, size_t errlen)
{
	const struct printer_backend *be;
	void *ctx;
	printer_err rc;

	if (err && errlen)
		err[0] = '\0';
	memset(st, 0, sizeof *st);
	if (!p) {
		printer__seterr(err, errlen, "no printer open");
		return PRINTER_ERR_OFFLINE;
	}
	be = printer__backend(p, &ctx);
	if (!be->status)
		return PRINTER_OK;          /* known = 0: cannot ask */
	rc = be->status(ctx, st, err, errlen);
	if (rc != PRINTER_OK)
		memset(st, 0, sizeof *st);  /* a half answer is no answer */
	return rc;
}
