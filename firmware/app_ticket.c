/*
 * app_ticket.c — renders a ticket through its layout and sends its stored
 * job through the printer driver, status checked before and after (see
 * app_ticket.h).
 */
#include "firmware/app_ticket.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "firmware/log.h"
#include "firmware/util.h"

int app_ticket_init(struct app_ticket_ctx *c, const struct config *cfg,
		    struct i18n *i18n, const char *data_dir, char *err,
		    size_t errlen)
{
	char path[CONFIG_PATH_MAX * 2], msg[256];
	const char *const *fonts = rastertext_default_fonts();
	int n = 0;

	memset(c, 0, sizeof *c);
	c->cfg = cfg;
	c->i18n = i18n;
	if (util_fmt(path, sizeof path, "%s/ticket-%d.layout",
		     config_layouts_dir(cfg), cfg->paper_width_mm) < 0 ||
	    printer_layout_load(&c->layout, path, err, errlen) < 0)
		return -1;
	if (cfg->ticket_key_file[0])
		snprintf(path, sizeof path, "%s", cfg->ticket_key_file);
	else if (util_fmt(path, sizeof path, "%s/ticket.key", data_dir) < 0 ||
		 util_mkdir_p(data_dir) < 0)
		path[0] = '\0';
	if (!path[0] || ticketcode_key_load(path, c->key, err, errlen)) {
		if (!path[0])
			snprintf(err, errlen, "%s: cannot use the data "
				 "directory", data_dir);
		printer_layout_free(c->layout);
		c->layout = NULL;
		return -1;
	}
	while (fonts && fonts[n])
		n++;
	c->rt = rastertext_create(fonts, n, msg, sizeof msg);
	if (!c->rt)
		log_warn("printer", "no font for raster lines (%s): characters "
			 "outside the code page print as '?'", msg);
	return 0;
}

void app_ticket_free(struct app_ticket_ctx *c)
{
	printer_layout_free(c->layout);
	rastertext_destroy(c->rt);
	util_wipe(c->key, sizeof c->key);
	c->layout = NULL;
	c->rt = NULL;
}

void app_escpos_options(const struct config *cfg, struct rastertext *rt,
			struct escpos_options *o)
{
	memset(o, 0, sizeof *o);
	o->paper_width_mm = cfg->paper_width_mm;
	o->codepage = cfg->printer_codepage;
	o->qr_module_size = cfg->printer_qr_module;
	o->rt = rt;
}

int app_ticket_render(void *ctx, const struct ticket *t, unsigned char **data,
		      size_t *len)
{
	const struct app_ticket_ctx *c = ctx;
	const struct config_service *s = config_service(c->cfg, t->service_id);
	char ahead[16], wait[16], ahead_line[256], wait_line[256];
	char date[16], clock[8], qr[TICKETCODE_MAX], err[256];
	time_t secs = (time_t)(t->created_ms / 1000);
	struct ticketcode tc = { 0 };
	struct escpos_options o;
	struct tm tm;
	struct printer_field f[] = {
		{ "office", c->cfg->site_name },
		{ "number", t->number },
		{ "priority_line", t->priority > 0 ?
			i18n_tr(c->i18n, t->lang, N_("Priority")) : NULL },
		{ "service", s ? i18n_service_name(c->i18n, s, t->lang) : "" },
		{ "ahead_line", ahead_line },
		{ "wait_line", t->ahead > 0 ? wait_line : NULL },
		{ "date", date },
		{ "time", clock },
		{ "note", i18n_tr(c->i18n, t->lang,
			N_("Please wait until your number is called.")) },
		{ "qr", qr },
	};

	if (!c->layout)
		return -1; /* app_ticket_init failed: issue without paper */
	snprintf(ahead, sizeof ahead, "%d", t->ahead);
	snprintf(wait, sizeof wait, "%d", t->wait_minutes);
	i18n_subst(ahead_line, sizeof ahead_line,
		   i18n_tr(c->i18n, t->lang, N_("People ahead of you: {n}")),
		   "{n}", ahead);
	i18n_subst(wait_line, sizeof wait_line,
		   i18n_tr(c->i18n, t->lang,
			   N_("Estimated wait: about {n} minutes")),
		   "{n}", wait);
	localtime_r(&secs, &tm);
	strftime(date, sizeof date, "%d.%m.%Y", &tm);
	strftime(clock, sizeof clock, "%H:%M", &tm);
	snprintf(tc.site_id, sizeof tc.site_id, "%s", c->cfg->site_id);
	snprintf(tc.day, sizeof tc.day, "%s", t->day);
	snprintf(tc.number, sizeof tc.number, "%s", t->number);
	snprintf(tc.ticket_id, sizeof tc.ticket_id, "%s", t->id);
	if (ticketcode_make(c->key, &tc, qr) != BK_OK)
		qr[0] = '\0';
	app_escpos_options(c->cfg, c->rt, &o);
	if (printer_layout_render(c->layout, &o, f, (int)(sizeof f / sizeof f[0]),
				  data, len, err, sizeof err) < 0) {
		log_error("printer", "ticket %s: %s", t->number, err);
		return -1;
	}
	return 0;
}

void app_printer_uri(const struct config *cfg, const char *data_dir,
		     char *out, size_t len)
{
	if (cfg->printer_uri[0])
		snprintf(out, len, "%s", cfg->printer_uri);
	else
		snprintf(out, len, "virtual:%s/printer", data_dir);
}

/* The health row for what the printer said last. */
static void record_health(struct store *st, const struct printer_status *ps,
			  printer_err pe, const char *err)
{
	char desc[128];
	int level = STORE_HEALTH_OK;

	if (pe != PRINTER_OK) {
		level = STORE_HEALTH_FAULT;
		snprintf(desc, sizeof desc, "%s", err);
	} else {
		printer_status_describe(ps, desc, sizeof desc);
		if (printer_status_fault(ps) != PRINTER_OK)
			level = STORE_HEALTH_FAULT;
		else if (ps->known && ps->paper_near_end)
			level = STORE_HEALTH_WARN;
	}
	if (store_health_set(st, "printer", level, desc) != BK_OK)
		log_error("printer", "could not record the printer's health");
}

bk_err app_ticket_print(struct store *st, const char *uri,
			struct printer **printer, int64_t job_id,
			struct printer_status *st_out, char *err,
			size_t errlen)
{
	struct printer_status ps = { 0 };
	struct print_job job = { 0 };
	size_t written = 0;
	char msg[256] = "";
	printer_err pe = PRINTER_OK;
	int won = 0;
	bk_err e;

	if ((e = queue_print_job_get(st, job_id, &job))) {
		snprintf(err, errlen, "print job %lld: %s", (long long)job_id,
			 bk_strerror(e));
		return e;
	}
	if (strcmp(job.state, "pending")) {
		/* printed already (a retry got there first), or given up:
		 * never send a job twice */
		e = strcmp(job.state, "printed") ? BK_ERR_NOTFOUND : BK_OK;
		if (e)
			snprintf(err, errlen, "print job %lld was given up",
				 (long long)job_id);
		queue_print_job_free(&job);
		return e;
	}
	if ((e = queue_print_job_claim(st, job_id, &won)) || !won) {
		/* another process (kioskctl beside the kiosk) sends it now */
		queue_print_job_free(&job);
		if (!e)
			e = BK_ERR_BUSY;
		snprintf(err, errlen, "print job %lld: %s", (long long)job_id,
			 e == BK_ERR_BUSY ? "being printed by another process"
					  : bk_strerror(e));
		return e;
	}
	if (!*printer)
		pe = printer_open(printer, uri, msg, sizeof msg);
	if (pe == PRINTER_OK)
		pe = printer_get_status(*printer, &ps, msg, sizeof msg);
	if (pe == PRINTER_OK && (pe = printer_status_fault(&ps)) != PRINTER_OK)
		printer_status_describe(&ps, msg, sizeof msg);
	else if (pe == PRINTER_OK)
		pe = printer_send(*printer, job.data, job.len, &written, msg,
				  sizeof msg);
	if (pe == PRINTER_OK)
		pe = printer_get_status(*printer, &ps, msg, sizeof msg);
	if (pe == PRINTER_OK && (pe = printer_status_fault(&ps)) != PRINTER_OK)
		printer_status_describe(&ps, msg, sizeof msg);
	queue_print_job_free(&job);
	if (st_out)
		*st_out = ps;
	if (pe != PRINTER_OK) {
		if (pe != PRINTER_ERR_PAPER && pe != PRINTER_ERR_COVER &&
		    pe != PRINTER_ERR_DEVICE) {
			printer_close(*printer); /* reopen next time */
			*printer = NULL;
		}
		snprintf(err, errlen, "printer %s: %s%s%s", uri,
			 printer_strerror(pe), msg[0] ? ": " : "", msg);
		log_warn("printer", "job %lld waits: %s", (long long)job_id,
			 err);
		record_health(st, &ps, pe, err);
		if (queue_print_job_done(st, job_id, 0, err))
			log_error("printer", "could not record job %lld",
				  (long long)job_id);
		return BK_ERR_IO;
	}
	record_health(st, &ps, PRINTER_OK, NULL);
	e = queue_print_job_done(st, job_id, 1, NULL);
	if (e)
		snprintf(err, errlen, "printed, but recording job %lld: %s",
			 (long long)job_id, bk_strerror(e));
	return e;
}

/* ---- the form receipt ------------------------------------------------ */

int app_form_receipt_render(const struct app_ticket_ctx *c,
			    const struct form *f, const char *reference,
			    const char *lang, int64_t when_ms,
			    unsigned char **data, size_t *len, char *err,
			    size_t errlen)
{
	char path[CONFIG_PATH_MAX * 2], date[16], clock[8];
	time_t secs = (time_t)(when_ms / 1000);
	struct printer_layout *layout = NULL;
	struct escpos_options o;
	struct tm tm;
	const char *next = form_text(&f->next_steps, lang);
	struct printer_field fields[] = {
		{ "office", c->cfg->site_name },
		{ "heading", i18n_tr(c->i18n, lang,
			N_("Your request has been received")) },
		{ "form", form_text(&f->title, lang) },
		{ "reference_label", i18n_tr(c->i18n, lang,
			N_("Your reference number:")) },
		{ "reference", reference },
		{ "date", date },
		{ "time", clock },
		{ "next", next[0] ? next : i18n_tr(c->i18n, lang,
			N_("We will process your request. Please quote the "
			   "reference number in any enquiry.")) },
		{ "qr", reference },
	};
	int rc;

	*data = NULL;
	*len = 0;
	if (util_fmt(path, sizeof path, "%s/form-receipt-%d.layout",
		     config_layouts_dir(c->cfg), c->cfg->paper_width_mm) < 0 ||
	    printer_layout_load(&layout, path, err, errlen) < 0)
		return -1;
	localtime_r(&secs, &tm);
	strftime(date, sizeof date, "%d.%m.%Y", &tm);
	strftime(clock, sizeof clock, "%H:%M", &tm);
	app_escpos_options(c->cfg, c->rt, &o);
	rc = printer_layout_render(layout, &o, fields,
				   (int)(sizeof fields / sizeof fields[0]),
				   data, len, err, errlen);
	printer_layout_free(layout);
	return rc;
}

bk_err app_form_receipt_print(struct store *st, const char *uri,
			      struct printer **printer,
			      const unsigned char *data, size_t len,
			      struct printer_status *st_out, char *err,
			      size_t errlen)
{
	struct printer_status ps = { 0 };
	size_t written = 0;
	char msg[256] = "";
	printer_err pe = PRINTER_OK;

	if (!*printer)
		pe = printer_open(printer, uri, msg, sizeof msg);
	if (pe == PRINTER_OK)
		pe = printer_get_status(*printer, &ps, msg, sizeof msg);
	if (pe == PRINTER_OK && (pe = printer_status_fault(&ps)) != PRINTER_OK)
		printer_status_describe(&ps, msg, sizeof msg);
	else if (pe == PRINTER_OK)
		pe = printer_send(*printer, data, len, &written, msg,
				  sizeof msg);
	if (pe == PRINTER_OK)
		pe = printer_get_status(*printer, &ps, msg, sizeof msg);
	if (pe == PRINTER_OK && (pe = printer_status_fault(&ps)) != PRINTER_OK)
		printer_status_describe(&ps, msg, sizeof msg);
	if (st_out)
		*st_out = ps;
	if (pe != PRINTER_OK) {
		if (pe != PRINTER_ERR_PAPER && pe != PRINTER_ERR_COVER &&
		    pe != PRINTER_ERR_DEVICE) {
			printer_close(*printer);
			*printer = NULL;
		}
		snprintf(err, errlen, "printer %s: %s%s%s", uri,
			 printer_strerror(pe), msg[0] ? ": " : "", msg);
		log_warn("printer", "form receipt not printed: %s", err);
		record_health(st, &ps, pe, err);
		return BK_ERR_IO;
	}
	record_health(st, &ps, PRINTER_OK, NULL);
	return BK_OK;
}
