/*
 * app_ticket.h — wiring between the core's ticket queue and the printer
 * driver, shared by the executables that issue tickets (buergerkiosk,
 * kioskctl). It lives in the bkapp library, not in bkcore: the core stays
 * free of devices, and the drivers stay free of the store.
 */
#ifndef BK_APP_TICKET_H
#define BK_APP_TICKET_H

#include <stddef.h>
#include <stdint.h>

#include "firmware/config.h"
#include "firmware/err.h"
#include "firmware/queue.h"
#include "firmware/store.h"

/* What the paper says besides the number; the caller translates. */
struct app_ticket_texts {
	const struct config *cfg;
	const char *service_name;   /* in the citizen's language */
	const char *ahead_fmt;      /* printf format with one %d */
	const char *footer;
	int paper_mm;               /* 80 or 58 */
};

/* A queue_render_fn: ctx is a struct app_ticket_texts. */
int app_ticket_render(void *ctx, const struct ticket *t, unsigned char **data,
		      size_t *len);

/* The printer URI to use: kiosk.printer, or virtual:DATA_DIR/printer when
 * the configuration names none. */
void app_printer_uri(const struct config *cfg, const char *data_dir,
		     char *out, size_t len);

/* Sends stored job job_id to the printer at uri and records the outcome
 * (queue_print_job_done). Returns BK_OK when printed; otherwise the error
 * and err says why (the store has it too). */
bk_err app_ticket_print(struct store *st, const char *uri, int64_t job_id,
			char *err, size_t errlen);

#endif
