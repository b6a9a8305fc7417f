/*
 * printer_usb.c — the "usb:" backend: ESC/POS over libusb-1.0 bulk
 * transfers, with real-time status read back on the bulk IN endpoint.
 *
 *     usb:            the first receipt printer found (see choose below)
 *     usb:VID:PID     that device, hex, e.g. usb:04b8:0e28
 *
 * Properties:
 *  1. One libusb context per struct printer, so two printers (or a printer
 *     and a test) never share libusb state.
 *  2. The device is chosen by its descriptors, never by a bus address:
 *     an interface of class 7 (printer) with protocol 2 (bidirectional)
 *     wins over other class-7 interfaces, which win over class 0xFF
 *     (vendor) interfaces of a known maker (makers[] below). usb:VID:PID
 *     takes that device's best interface of any of these kinds. Among
 *     equals the first in libusb's device list wins.
 *  3. The bulk OUT and IN endpoints come from the interface descriptor; an
 *     interface without bulk OUT is never chosen; without bulk IN the
 *     printer can print but not answer (status known = 0).
 *  4. A kernel driver (usblp) is detached only when
 *     libusb_kernel_driver_active() says 1, and given back at close.
 *     Auto-detach is never used.
 *  5. Writes go out in chunks of at most USB_CHUNK bytes, each with a
 *     timeout; a short write continues where the device stopped; *written
 *     counts what the device accepted, also on failure.
 *  6. A stall (LIBUSB_ERROR_PIPE) clears the halt and is reported as a
 *     write error; the next job starts clean.
 *  7. LIBUSB_ERROR_NO_DEVICE closes the handle and reports
 *     PRINTER_ERR_GONE; the next send or status searches again, so a
 *     printer plugged back in (at whatever address) is found.
 *  8. Status drains stale bytes (answers to 10 04 0n inside raster data,
 *     late answers) with short reads until the endpoint is empty, then asks
 *     DLE EOT 1..4, each answer read with a timeout, all within
 *     USB_STATUS_BUDGET_MS.
 *
 * It does NOT retry a failed job (the job layer decides) and does not
 * select alternate settings other than the one its endpoints are in.
 */
#include "drivers/printer/printer_int.h"

#include <libusb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define USB_CHUNK 4096             /* bytes per bulk transfer */
#define USB_WRITE_TIMEOUT_MS 5000  /* per chunk: a printer out of paper
				      stops taking data */
#define USB_DRAIN_TIMEOUT_MS 20    /* an empty IN endpoint is quiet */
#define USB_DRAIN_MAX_READS 32     /* a chattering device ends the drain */
#define USB_STATUS_BUDGET_MS 900   /* whole status query: contract 5 */
#define USB_IN_MAX 512             /* largest bulk packet we read */

/* Makers whose printers also come in a vendor-class (0xFF) mode that the
 * kernel's usblp does not bind, e.g. Epson 04b8:0202. Class-7 interfaces
 * are accepted from any maker. */
static const struct {
	unsigned short vid;
	const char *maker;
} makers[] = {
	{ 0x04b8, "Epson" },
	{ 0x0519, "Star" },
	{ 0x1d90, "Citizen" },
	{ 0x2730, "Citizen" },
	{ 0x1504, "Bixolon" },
};

struct usb_ctx {
	libusb_context *usb;
	libusb_device_handle *h;   /* NULL while unplugged */
	int vid, pid;              /* -1: search */
	int iface, alt;
	unsigned char ep_out, ep_in;   /* ep_in 0: no way back */
	int in_max;                /* wMaxPacketSize of ep_in */
	int detached;              /* we detached a kernel driver */
	char name[48];             /* "04b8:0e28 on bus 1 address 2" */
};

static const char *maker_of(unsigned short vid)
{
	for (size_t i = 0; i < sizeof makers / sizeof makers[0]; i++)
		if (makers[i].vid == vid)
			return makers[i].maker;
	return NULL;
}

/* What a search looks for, for messages. */
static void describe_search(const struct usb_ctx *u, char *out, size_t len)
{
	size_t used;

	if (u->vid >= 0) {
		snprintf(out, len, "device %04x:%04x with a printer-class "
			 "(7) or vendor-class (0xFF) interface", u->vid,
			 u->pid);
		return;
	}
	used = (size_t)snprintf(out, len, "interface class 7 (printer), or "
				"class 0xFF from");
	for (size_t i = 0; i < sizeof makers / sizeof makers[0]; i++) {
		if (used >= len)
			break;
		used += (size_t)snprintf(out + used, len - used, "%s %s %04x",
					 i ? "," : "", makers[i].maker,
					 makers[i].vid);
	}
}

struct pick {
	libusb_device *dev;
	int score;                 /* 3 class 7 proto 2, 2 class 7, 1 0xFF */
	int iface, alt;
	unsigned char ep_out, ep_in;
	int in_max;
};

/* Scores one alternate setting; fills the endpoints. 0: not a printer. */
static int score_alt(const struct libusb_interface_descriptor *d,
		     unsigned short vid, int by_id, struct pick *pk)
{
	int score;

	if (d->bInterfaceClass == LIBUSB_CLASS_PRINTER)
		score = d->bInterfaceProtocol == 2 ? 3 : 2;
	else if (d->bInterfaceClass == LIBUSB_CLASS_VENDOR_SPEC &&
		 (by_id || maker_of(vid)))
		score = 1;
	else
		return 0;
	pk->ep_out = pk->ep_in = 0;
	pk->in_max = 0;
	for (int e = 0; e < d->bNumEndpoints; e++) {
		const struct libusb_endpoint_descriptor *ep = &d->endpoint[e];

		if ((ep->bmAttributes & 0x03) != LIBUSB_TRANSFER_TYPE_BULK)
			continue;
		if (ep->bEndpointAddress & LIBUSB_ENDPOINT_IN) {
			if (!pk->ep_in) {
				pk->ep_in = ep->bEndpointAddress;
				pk->in_max = ep->wMaxPacketSize;
			}
		} else if (!pk->ep_out) {
			pk->ep_out = ep->bEndpointAddress;
		}
	}
	return pk->ep_out ? score : 0;
}

/* The best printer interface of dev, or score 0. */
static struct pick pick_device(libusb_device *dev, const struct usb_ctx *u)
{
	struct libusb_device_descriptor dd;
	struct libusb_config_descriptor *cfg = NULL;
	struct pick best = { 0 }, cand;

	if (libusb_get_device_descriptor(dev, &dd) != 0)
		return best;
	if (u->vid >= 0 && (dd.idVendor != u->vid || dd.idProduct != u->pid))
		return best;
	if (libusb_get_active_config_descriptor(dev, &cfg) != 0 &&
	    libusb_get_config_descriptor(dev, 0, &cfg) != 0)
		return best;
	for (int i = 0; i < cfg->bNumInterfaces; i++) {
		const struct libusb_interface *itf = &cfg->interface[i];

		for (int a = 0; a < itf->num_altsetting; a++) {
			const struct libusb_interface_descriptor *d =
				&itf->altsetting[a];

			memset(&cand, 0, sizeof cand);
			cand.score = score_alt(d, dd.idVendor, u->vid >= 0,
					       &cand);
			if (cand.score <= best.score)
				continue;
			cand.dev = dev;
			cand.iface = d->bInterfaceNumber;
			cand.alt = d->bAlternateSetting;
			best = cand;
		}
	}
	libusb_free_config_descriptor(cfg);
	return best;
}

static void drop_handle(struct usb_ctx *u)
{
	if (!u->h)
		return;
	libusb_release_interface(u->h, u->iface);
	if (u->detached)
		libusb_attach_kernel_driver(u->h, u->iface);
	u->detached = 0;
	libusb_close(u->h);
	u->h = NULL;
}

/* Finds the printer and claims its interface. */
static printer_err attach(struct usb_ctx *u, char *err, size_t errlen)
{
	libusb_device **list = NULL;
	struct pick best = { 0 };
	struct libusb_device_descriptor dd;
	char what[200];
	printer_err rc = PRINTER_OK;
	ssize_t n;
	int r;

	n = libusb_get_device_list(u->usb, &list);
	if (n < 0) {
		rc = PRINTER_ERR_OFFLINE;
		printer__seterr(err, errlen, "usb: cannot list devices: %s",
				libusb_error_name((int)n));
		goto out;
	}
	for (ssize_t i = 0; i < n; i++) {
		struct pick pk = pick_device(list[i], u);

		if (pk.score > best.score)
			best = pk;
	}
	if (!best.dev) {
		describe_search(u, what, sizeof what);
		rc = PRINTER_ERR_OFFLINE;
		printer__seterr(err, errlen, "usb: no printer found (looked "
				"for %s among %zd USB devices)", what, n);
		goto out;
	}
	libusb_get_device_descriptor(best.dev, &dd);
	snprintf(u->name, sizeof u->name, "%04x:%04x on bus %u address %u",
		 dd.idVendor, dd.idProduct, libusb_get_bus_number(best.dev),
		 libusb_get_device_address(best.dev));
	r = libusb_open(best.dev, &u->h);
	if (r != 0) {
		u->h = NULL;
		rc = r == LIBUSB_ERROR_NO_DEVICE ? PRINTER_ERR_OFFLINE
						 : PRINTER_ERR_OPEN;
		printer__seterr(err, errlen, "usb: cannot open %s: %s%s",
				u->name, libusb_error_name(r),
				r == LIBUSB_ERROR_ACCESS ?
				" (no permission: udev rule missing?)" : "");
		goto out;
	}
	u->iface = best.iface;
	u->alt = best.alt;
	u->ep_out = best.ep_out;
	u->ep_in = best.ep_in;
	u->in_max = best.in_max > 0 && best.in_max <= USB_IN_MAX ?
		    best.in_max : 64;
	if (libusb_kernel_driver_active(u->h, u->iface) == 1) {
		r = libusb_detach_kernel_driver(u->h, u->iface);
		if (r != 0) {
			rc = PRINTER_ERR_OPEN;
			printer__seterr(err, errlen, "usb: %s is held by a "
					"kernel driver that would not let go: "
					"%s", u->name, libusb_error_name(r));
			goto fail;
		}
		u->detached = 1;
	}
	r = libusb_claim_interface(u->h, u->iface);
	if (r == 0 && u->alt != 0)
		r = libusb_set_interface_alt_setting(u->h, u->iface, u->alt);
	if (r != 0) {
		rc = r == LIBUSB_ERROR_NO_DEVICE ? PRINTER_ERR_GONE
						 : PRINTER_ERR_OPEN;
		printer__seterr(err, errlen, "usb: cannot claim interface %d "
				"of %s: %s", u->iface, u->name,
				libusb_error_name(r));
		goto fail;
	}
	goto out;

fail:
	drop_handle(u);
out:
	if (list)
		libusb_free_device_list(list, 1);
	return rc;
}

/* "" or "VID:PID" (hex). */
static int parse_ids(const char *arg, int *vid, int *pid)
{
	unsigned v, p;
	int end = 0;

	*vid = *pid = -1;
	if (!*arg)
		return 0;
	if (sscanf(arg, "%4x:%4x%n", &v, &p, &end) != 2 || arg[end] ||
	    strchr(arg, '-') || strchr(arg, '+') || strchr(arg, ' '))
		return -1;
	*vid = (int)v;
	*pid = (int)p;
	return 0;
}

static void usb_close(void *ctx)
{
	struct usb_ctx *u = ctx;

	if (!u)
		return;
	drop_handle(u);
	if (u->usb)
		libusb_exit(u->usb);
	free(u);
}

static printer_err usb_open(void **ctx, const char *arg, char *err,
			    size_t errlen)
{
	struct usb_ctx *u;
	printer_err rc;
	int r;

	u = calloc(1, sizeof *u);
	if (!u) {
		printer__seterr(err, errlen, "usb: out of memory");
		return PRINTER_ERR_NOMEM;
	}
	if (parse_ids(arg, &u->vid, &u->pid) < 0) {
		rc = PRINTER_ERR_URI;
		printer__seterr(err, errlen, "usb: \"%s\" is not VID:PID in "
				"hex (want usb: or usb:04b8:0e28)", arg);
		goto fail;
	}
	r = libusb_init(&u->usb);
	if (r != 0) {
		u->usb = NULL;
		rc = PRINTER_ERR_OFFLINE;
		printer__seterr(err, errlen, "usb: libusb cannot start: %s",
				libusb_error_name(r));
		goto fail;
	}
	rc = attach(u, err, errlen);
	if (rc != PRINTER_OK)
		goto fail;
	*ctx = u;
	return PRINTER_OK;

fail:
	usb_close(u);
	return rc;
}

/* Maps a libusb error in the middle of I/O; closes the handle on unplug. */
static printer_err io_error(struct usb_ctx *u, int r, unsigned char ep)
{
	switch (r) {
	case LIBUSB_ERROR_NO_DEVICE:
		drop_handle(u);
		return PRINTER_ERR_GONE;
	case LIBUSB_ERROR_TIMEOUT:
		return PRINTER_ERR_TIMEOUT;
	case LIBUSB_ERROR_PIPE:
		libusb_clear_halt(u->h, ep);
		return PRINTER_ERR_WRITE;
	default:
		return PRINTER_ERR_WRITE;
	}
}

static printer_err usb_send(void *ctx, const unsigned char *data, size_t len,
			    size_t *written, char *err, size_t errlen)
{
	struct usb_ctx *u = ctx;
	printer_err rc = PRINTER_OK;
	int idle = 0;

	if (!u->h) {
		rc = attach(u, err, errlen);
		if (rc != PRINTER_OK)
			return rc;
	}
	while (*written < len) {
		size_t left = len - *written;
		int chunk = (int)(left < USB_CHUNK ? left : USB_CHUNK);
		int got = 0, r;

		/* libusb takes a non-const buffer but does not write to an
		 * OUT transfer's data. */
		r = libusb_bulk_transfer(u->h, u->ep_out,
					 (unsigned char *)(data + *written),
					 chunk, &got, USB_WRITE_TIMEOUT_MS);
		if (got > 0)
			*written += (size_t)(got <= chunk ? got : chunk);
		if (r == 0 && got > 0) {
			idle = 0;
			continue;
		}
		if (r == 0 && ++idle < 3)
			continue;          /* took nothing: try twice more */
		if (r == 0)
			r = LIBUSB_ERROR_IO;
		rc = io_error(u, r, u->ep_out);
		printer__seterr(err, errlen, "usb: %s %s after %zu of %zu "
				"bytes%s", u->name,
				r == LIBUSB_ERROR_PIPE ? "stalled" :
				r == LIBUSB_ERROR_TIMEOUT ? "took no data in time" :
				r == LIBUSB_ERROR_NO_DEVICE ? "was unplugged" :
				libusb_error_name(r), *written, len,
				r == LIBUSB_ERROR_PIPE ? " (halt cleared)" : "");
		break;
	}
	return rc;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static unsigned int left_ms(long deadline, unsigned int cap)
{
	long left = deadline - now_ms();

	if (left < 1)
		return 1;
	return left < (long)cap ? (unsigned int)left : cap;
}

/* Reads and drops whatever the IN endpoint holds. */
static int drain(struct usb_ctx *u, long deadline)
{
	unsigned char buf[USB_IN_MAX];

	for (int i = 0; i < USB_DRAIN_MAX_READS; i++) {
		int got = 0, r;

		r = libusb_bulk_transfer(u->h, u->ep_in, buf, u->in_max, &got,
					 left_ms(deadline, USB_DRAIN_TIMEOUT_MS));
		if (r == LIBUSB_ERROR_TIMEOUT || (r == 0 && got == 0))
			return 0;
		if (r == LIBUSB_ERROR_PIPE) {
			libusb_clear_halt(u->h, u->ep_in);
			return 0;
		}
		if (r != 0)
			return r;
	}
	return 0;
}

/* Asks DLE EOT n and decodes the answer into st. */
static int ask(struct usb_ctx *u, int n, struct printer_status *st,
	       long deadline)
{
	unsigned char q[3] = { 0x10, 0x04, (unsigned char)n };
	unsigned char buf[USB_IN_MAX];
	int got = 0, r;

	r = libusb_bulk_transfer(u->h, u->ep_out, q, 3, &got,
				 left_ms(deadline, 1000));
	if (r == 0 && got != 3)
		r = LIBUSB_ERROR_IO;
	if (r != 0)
		return r;
	while (now_ms() < deadline) {
		r = libusb_bulk_transfer(u->h, u->ep_in, buf, u->in_max, &got,
					 left_ms(deadline, 1000));
		if (r != 0)
			return r;
		/* The answer is the packet's last status-shaped byte. */
		for (int i = got - 1; i >= 0; i--) {
			if (printer_status_decode(n, buf[i], st) == 0)
				return 0;
		}
	}
	return LIBUSB_ERROR_TIMEOUT;
}

static printer_err usb_status(void *ctx, struct printer_status *st,
			      char *err, size_t errlen)
{
	struct usb_ctx *u = ctx;
	long deadline = now_ms() + USB_STATUS_BUDGET_MS;
	printer_err rc = PRINTER_OK;
	int n = 0, r;

	if (!u->h) {
		rc = attach(u, err, errlen);
		if (rc != PRINTER_OK)
			return rc;
	}
	if (!u->ep_in)
		return PRINTER_OK;         /* unidirectional: known = 0 */
	r = drain(u, deadline);
	for (n = 1; r == 0 && n <= 4; n++)
		r = ask(u, n, st, deadline);
	if (r == 0) {
		st->known = 1;
		return PRINTER_OK;
	}
	n--;                       /* 0: the drain failed */
	if (r == LIBUSB_ERROR_PIPE)
		libusb_clear_halt(u->h, u->ep_out);
	rc = io_error(u, r, u->ep_in);
	if (rc == PRINTER_ERR_WRITE)
		rc = PRINTER_ERR_OFFLINE;  /* asked, got no sensible answer */
	printer__seterr(err, errlen, "usb: %s: %s %d failed: %s", u->name,
			n ? "status query DLE EOT" : "draining before query",
			n, r == LIBUSB_ERROR_TIMEOUT ? "no answer in time" :
			r == LIBUSB_ERROR_NO_DEVICE ? "unplugged" :
			libusb_error_name(r));
	return rc;
}

const struct printer_backend printer__usb_backend = {
	.name = "usb",
	.open = usb_open,
	.close = usb_close,
	.send = usb_send,
	.status = usb_status,
};
