/*
 * app_ticket.c — renders a ticket with the ESC/POS encoder and sends its
 * stored job through the printer driver (see app_ticket.h).
 */
#include "firmware/app_ticket.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "drivers/printer/printer.h"
#include "firmware/log.h"

int app_ticket_render(void *ctx, const struct ticket *t, unsigned char **data,
		      size_t *len)
{
	const struct app_ticket_texts *tx = ctx;
	char ahead[128], when[32];
	time_t secs = (time_t)(t->created_ms / 1000);
	struct tm tm;
	struct printer_ticket pt = {
		.office = tx->cfg->site_name,
		.number = t->number,
		.service = tx->service_name,
		.ahead_line = ahead,
		.when = when,
		.footer = tx->footer,
	};

	snprintf(ahead, sizeof ahead, tx->ahead_fmt ? tx->ahead_fmt : "%d",
		 t->ahead);
	localtime_r(&secs, &tm);
	strftime(when, sizeof when, "%d.%m.%Y %H:%M", &tm);
	return escpos_render_ticket(&pt, tx->paper_mm ? tx->paper_mm : 80,
				    data, len);
}

void app_printer_uri(const struct config *cfg, const char *data_dir,
		     char *out, size_t len)
{
	if (cfg->printer[0])
		snprintf(out, len, "%s", cfg->printer);
	else
		snprintf(out, len, "virtual:%s/printer", data_dir);
}

bk_err app_ticket_print(struct store *st, const char *uri, int64_t job_id,
			char *err, size_t errlen)
{
	struct printer *p = NULL;
	struct print_job job;
	size_t written = 0;
	char msg[256] = "";
	printer_err pe;
	bk_err e;

	if ((e = queue_print_job_get(st, job_id, &job))) {
		snprintf(err, errlen, "print job %lld: %s", (long long)job_id,
			 bk_strerror(e));
		return e;
	}
	pe = printer_open(&p, uri, msg, sizeof msg);
	if (pe == PRINTER_OK)
		pe = printer_send(p, job.data, job.len, &written, msg,
				  sizeof msg);
	printer_close(p);
	queue_print_job_free(&job);
	if (pe != PRINTER_OK) {
		snprintf(err, errlen, "printer %s: %s%s%s", uri,
			 printer_strerror(pe), msg[0] ? ": " : "", msg);
		log_error("printer", "%s", err);
		queue_print_job_done(st, job_id, 0, err);
		return BK_ERR_IO;
	}
	return queue_print_job_done(st, job_id, 1, NULL);
}
