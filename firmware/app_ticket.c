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
	const struct app_ticket_ctx *c = ctx;
	const struct config_service *s = config_service(c->cfg, t->service_id);
	char ahead[16], ahead_line[256], when[32];
	time_t secs = (time_t)(t->created_ms / 1000);
	struct tm tm;
	struct printer_ticket pt = {
		.office = c->cfg->site_name,
		.number = t->number,
		.service = s ? i18n_service_name(c->i18n, s, t->lang) : NULL,
		.ahead_line = ahead_line,
		.when = when,
		.footer = i18n_tr(c->i18n, t->lang,
			N_("Please wait until your number is called.")),
	};

	snprintf(ahead, sizeof ahead, "%d", t->ahead);
	i18n_subst(ahead_line, sizeof ahead_line,
		   i18n_tr(c->i18n, t->lang, N_("People ahead of you: {n}")),
		   "{n}", ahead);
	localtime_r(&secs, &tm);
	strftime(when, sizeof when, "%d.%m.%Y %H:%M", &tm);
	return escpos_render_ticket(&pt, c->cfg->paper_width_mm, data, len);
}

void app_printer_uri(const struct config *cfg, const char *data_dir,
		     char *out, size_t len)
{
	if (cfg->printer_uri[0])
		snprintf(out, len, "%s", cfg->printer_uri);
	else
		snprintf(out, len, "virtual:%s/printer", data_dir);
}

bk_err app_ticket_print(struct store *st, const char *uri,
			struct printer **printer, int64_t job_id, char *err,
			size_t errlen)
{
	struct print_job job;
	size_t written = 0;
	char msg[256] = "";
	printer_err pe = PRINTER_OK;
	bk_err e;

	if ((e = queue_print_job_get(st, job_id, &job))) {
		snprintf(err, errlen, "print job %lld: %s", (long long)job_id,
			 bk_strerror(e));
		return e;
	}
	if (!*printer)
		pe = printer_open(printer, uri, msg, sizeof msg);
	if (pe == PRINTER_OK)
		pe = printer_send(*printer, job.data, job.len, &written, msg,
				  sizeof msg);
	queue_print_job_free(&job);
	if (pe != PRINTER_OK) {
		printer_close(*printer);
		*printer = NULL;
		snprintf(err, errlen, "printer %s: %s%s%s", uri,
			 printer_strerror(pe), msg[0] ? ": " : "", msg);
		log_warn("printer", "job %lld not printed: %s",
			 (long long)job_id, err);
		if (queue_print_job_done(st, job_id, 0, err))
			log_error("printer", "could not record job %lld",
				  (long long)job_id);
		return BK_ERR_IO;
	}
	e = queue_print_job_done(st, job_id, 1, NULL);
	if (e)
		snprintf(err, errlen, "printed, but recording job %lld: %s",
			 (long long)job_id, bk_strerror(e));
	return e;
}
