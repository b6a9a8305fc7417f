/*
 * app_ticket.h — wiring between the core's ticket queue and the printer
 * driver, shared by the executables that issue tickets (buergerkiosk,
 * kioskctl). It lives in the bkapp library, not in bkcore: the core stays
 * free of devices, and the drivers stay free of the store.
 *
 * One path from "issued" to "paper": queue_issue_ticket() with
 * app_ticket_render() as its render callback stores the job in the ticket's
 * transaction; app_ticket_print() sends the stored job and records the
 * outcome. Both executables call exactly these.
 */
#ifndef BK_APP_TICKET_H
#define BK_APP_TICKET_H

#include <stddef.h>
#include <stdint.h>

#include "firmware/config.h"
#include "firmware/err.h"
#include "firmware/i18n.h"
#include "firmware/queue.h"
#include "firmware/store.h"

struct printer;

/* The render callback's context: texts come from the catalogue in the
 * ticket's language (struct ticket.lang). */
struct app_ticket_ctx {
	const struct config *cfg;
	struct i18n *i18n;
};

/* A queue_render_fn: ctx is a struct app_ticket_ctx. */
int app_ticket_render(void *ctx, const struct ticket *t, unsigned char **data,
		      size_t *len);

/* The printer URI to use: printer.uri, or virtual:DATA_DIR/printer when
 * the configuration names none. */
void app_printer_uri(const struct config *cfg, const char *data_dir,
		     char *out, size_t len);

/* Sends stored job job_id and records the outcome (queue_print_job_done,
 * which also updates the printer's health row). *printer is the caller's
 * open printer: opened here when NULL, closed and set to NULL after a
 * failure so the next job opens it afresh. Returns BK_OK when printed;
 * otherwise an error, with the reason in err. */
bk_err app_ticket_print(struct store *st, const char *uri,
			struct printer **printer, int64_t job_id, char *err,
			size_t errlen);

#endif
