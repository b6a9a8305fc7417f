/*
 * app_ticket.h — wiring between the core's ticket queue and the printer
 * driver, shared by the executables that issue tickets (buergerkiosk,
 * kioskctl). It lives in the bkapp library, not in bkcore: the core stays
 * free of devices, and the drivers stay free of the store.
 *
 * One path from "issued" to "paper": queue_issue_ticket() with
 * app_ticket_render() as its render callback stores the job in the ticket's
 * transaction; app_ticket_print() sends a stored job with the printer's
 * status checked before and after, and records the outcome. Both
 * executables call exactly these.
 */
#ifndef BK_APP_TICKET_H
#define BK_APP_TICKET_H

#include <stddef.h>
#include <stdint.h>

#include "drivers/printer/layout.h"
#include "drivers/printer/printer.h"
#include "drivers/printer/raster.h"
#include "firmware/config.h"
#include "firmware/err.h"
#include "firmware/forms.h"
#include "firmware/i18n.h"
#include "firmware/queue.h"
#include "firmware/store.h"
#include "firmware/ticketcode.h"

/* Everything rendering needs, loaded once: the layout for the configured
 * paper width, the fonts for lines the code page cannot hold, the site's
 * ticket key for the QR code. */
struct app_ticket_ctx {
	const struct config *cfg;
	struct i18n *i18n;
	struct printer_layout *layout;
	struct rastertext *rt;        /* NULL if no font loaded: '?' instead */
	unsigned char key[TICKETCODE_KEY_LEN];
};

/* Loads the ticket layout (LAYOUTS/ticket-WIDTH.layout), the fonts and the
 * ticket key (site.ticket_key_file or DATA_DIR/ticket.key). 0, or -1 with
 * err: then c has no layout, app_ticket_render() fails and tickets are
 * issued without paper (and app_ticket_free() is still safe). */
int app_ticket_init(struct app_ticket_ctx *c, const struct config *cfg,
		    struct i18n *i18n, const char *data_dir, char *err,
		    size_t errlen);
void app_ticket_free(struct app_ticket_ctx *c);

/* The escpos options from the [printer] configuration. */
void app_escpos_options(const struct config *cfg, struct rastertext *rt,
			struct escpos_options *o);

/* A queue_render_fn: ctx is a struct app_ticket_ctx. */
int app_ticket_render(void *ctx, const struct ticket *t, unsigned char **data,
		      size_t *len);

/* The printer URI to use: printer.uri, or virtual:DATA_DIR/printer when
 * the configuration names none. */
void app_printer_uri(const struct config *cfg, const char *data_dir,
		     char *out, size_t len);

/* Sends stored job job_id:
 *   1. asks the printer's status; a fault (offline, paper end, cover open,
 *      device error) leaves the job pending and nothing is sent;
 *   2. sends the job;
 *   3. asks the status again: the job becomes printed only when it shows no
 *      fault; paper that ran out during the job leaves it pending, to be
 *      sent again whole when the printer is fixed.
 * The printer's health row says ok, warn (paper near end: technicians only)
 * or fault. *printer is the caller's open printer: opened here when NULL,
 * closed and set to NULL after a transport failure. A job that is not
 * pending any more is never sent again: BK_OK when it was printed already,
 * BK_ERR_NOTFOUND when it was given up. Returns BK_OK when printed;
 * otherwise BK_ERR_IO with the reason in err. *st_out (may be NULL)
 * gets the last status seen. */
bk_err app_ticket_print(struct store *st, const char *uri,
			struct printer **printer, int64_t job_id,
			struct printer_status *st_out, char *err,
			size_t errlen);

/* ---- the form receipt (forms.h) -------------------------------------
 * Rendered through LAYOUTS/form-receipt-WIDTH.layout (docs/printing.md):
 * the office, the form's title, the reference, date and time and what
 * happens next, all in lang; never an answer or a name. The receipt is not
 * stored as a print job (print_jobs belong to tickets): when it cannot be
 * printed, the screen keeps showing the reference. */

/* Renders the receipt for a submission of form f made at when_ms.
 * *data is malloc'ed. 0, or -1 with err. */
int app_form_receipt_render(const struct app_ticket_ctx *c,
			    const struct form *f, const char *reference,
			    const char *lang, int64_t when_ms,
			    unsigned char **data, size_t *len, char *err,
			    size_t errlen);

/* Sends a rendered receipt with the printer's status checked before and
 * after, as app_ticket_print() does, and records the printer's health.
 * *printer as there. BK_OK when printed, else BK_ERR_IO with err. */
bk_err app_form_receipt_print(struct store *st, const char *uri,
			      struct printer **printer,
			      const unsigned char *data, size_t len,
			      struct printer_status *st_out, char *err,
			      size_t errlen);

#endif
