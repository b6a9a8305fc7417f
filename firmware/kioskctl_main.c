/*
 * kioskctl — the technician's command line. Same core code paths as the
 * UI; scriptable, with --json where a program reads the output.
 *
 *   kioskctl [--config FILE] [--data-dir DIR] [--set K=V]... COMMAND
 *     services [--json]
 *     ticket issue --service ID [--lang L] [--printer URI] [--no-print]
 *                  [--key K]   (K: the request key, for a retry after an
 *                               unknown outcome: same key, same ticket)
 *     ticket verify CODE [--json]
 *     queue list [--json]
 *     sync status [--json]
 *     sync retry EVENT-ID
 *     appointments list [--json]
 *     appointments pull
 *     health [--json]
 *     printer status [--printer URI] [--json]
 *     printer test [--printer URI]
 *     config check
 *     form submit-demo [--json]
 *     form list [--json]
 *     form check FILE...
 *     keys demo DIR
 *     pki demo DIR [--json]
 *     card list [--reader NAME] [--json]
 *     card read [--reader NAME] (--can NNNNNN | --mrz DOCNO,YYMMDD,YYMMDD)
 *               [--csca DIR] [--wait S] [--json]
 *     checkin (--code PROCESS,CODE | --scan PAYLOAD | --holder SURNAME,DOB)
 *             [--lang L] [--printer URI] [--no-print] [--json]
 *     counter add NAME --services IDS   (prints the token once)
 *     counter revoke NAME
 *     counter list [--json]
 *     stats today [--json]
 *
 * Exit codes: 0 success, 1 operation failed, 2 usage or configuration
 * error. ticket verify: 0 a valid ticket of this site, 1 forged or from
 * another site, 2 malformed (or no ticket key to check with).
 * card read: 2 CAN/MRZ refused, 3 document invalid or forged, 4 no card,
 * card removed or no reader (see cmd_card_read).
 */
#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "firmware/app_ticket.h"
#include "firmware/app_card.h"
#include "firmware/appointments.h"
#include "firmware/bookingcode.h"
#include "firmware/checkin.h"
#include "firmware/cli.h"
#include "firmware/config.h"
#include "firmware/downsync.h"
#include "firmware/forms.h"
#include "firmware/i18n.h"
#include "drivers/printer/printer.h"
#include "firmware/jwe.h"
#include "firmware/log.h"
#include "firmware/outbox.h"
#include "firmware/pkidemo.h"
#include "firmware/queue.h"
#include "firmware/sitequeue.h"
#include "firmware/stats.h"
#include "firmware/store.h"
#include "firmware/sync.h"
#include "firmware/submission.h"
#include "firmware/ticketcode.h"
#include "firmware/util.h"

struct ctl {
	struct cli_common cli;
	struct config cfg;
	struct store *st;
	struct i18n i18n;
	int i18n_ready;
	int json;
};

static void usage(FILE *f)
{
	fputs("usage: kioskctl [--config FILE] [--data-dir DIR] [--set K=V]... "
	      "COMMAND\n"
	      "  services [--json]            configured services\n"
	      "  ticket issue --service ID [--lang L] [--printer URI] "
	      "[--no-print] [--key K]\n"
	      "  ticket verify CODE [--json]  check a ticket's QR code "
	      "payload\n"
	      "  queue list [--json]          today's waiting tickets\n"
	      "  sync status [--json]         outbox and printer counts\n"
	      "  sync retry EVENT-ID          re-queue a dead-lettered event\n"
	      "  appointments list [--json]   today's cached appointments\n"
	      "  appointments pull            pull appointments and the "
	      "catalogue now\n"
	      "  health [--json]              last state of each component\n"
	      "  printer status [--printer URI] [--json]\n"
	      "                               ask the printer (DLE EOT)\n"
	      "  printer test [--printer URI] print a test page\n"
	      "  form submit-demo [--json]    submit a demo form "
	      "(encrypted)\n"
	      "  form list [--json]           the forms the kiosk offers\n"
	      "  form check FILE...           check form files, every "
	      "problem as FILE:PLACE:LANG\n"
	      "  keys demo DIR                demo JWE key pair for the "
	      "back office\n"
	      "  config check                 read and check the "
	      "configuration\n"
	      "  pki demo DIR [--json]        throwaway CA, back-office and "
	      "kiosk certificates\n"
	      "  card list [--reader NAME] [--json]\n"
	      "                               card readers and their cards\n"
	      "  card read [--reader NAME] (--can NNNNNN | --mrz "
	      "DOCNO,YYMMDD,YYMMDD)\n"
	      "            [--csca DIR] [--wait S] [--json]\n"
	      "                               read an ID card or passport "
	      "(waits S=3 s for a card)\n"
	      "  checkin (--code PROCESS,CODE | --scan PAYLOAD | --holder "
	      "SURNAME,YYYY-MM-DD)\n"
	      "          [--lang L] [--printer URI] [--no-print] [--json]\n"
	      "                               check in for an appointment "
	      "(docs/check-in.md)\n"
	      "  counter add NAME --services IDS\n"
	      "                               a counter for the site API; "
	      "prints its token once\n"
	      "  counter revoke NAME          its token stops working\n"
	      "  counter list [--json]        counters and their services\n"
	      "  stats today [--json]         waiting and service times per "
	      "service\n",
	      f);
}

static int print_json(json_t *j)
{
	char *s = j ? json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER)
		    : NULL;

	json_decref(j);
	if (!s)
		return 1;
	puts(s);
	free(s);
	return 0;
}

static int open_store(struct ctl *c)
{
	char err[CONFIG_ERR_MAX];
	bk_err e = store_open(&c->st, c->cli.data_dir,
			      c->cfg.store_busy_timeout_ms, err, sizeof err);

	if (e) {
		fprintf(stderr, "kioskctl: %s\n", err);
		return -1;
	}
	return 0;
}

static int cmd_services(struct ctl *c)
{
	json_t *arr = c->json ? json_array() : NULL;

	for (int i = 0; i < c->cfg.n_services; i++) {
		const struct config_service *s = &c->cfg.services[i];
		char letter[2] = { s->letter, 0 };

		if (arr)
			json_array_append_new(arr, json_pack("{s:s, s:s, s:s}",
				"id", s->id, "letter", letter, "name", s->name));
		else
			printf("%-24s %c  %s\n", s->id, s->letter, s->name);
	}
	return arr ? print_json(arr) : 0;
}

static void load_i18n(struct ctl *c)
{
	if (c->i18n_ready)
		return;
	i18n_init(&c->i18n, config_i18n_dir(&c->cfg), c->cfg.languages,
		  c->cfg.n_languages);
	c->i18n_ready = 1;
}

static int cmd_ticket_issue(struct ctl *c, int argc, char **argv)
{
	const char *service = NULL, *lang = c->cfg.default_language;
	const char *printer_uri = NULL, *request_key = NULL;
	char uri[CONFIG_PATH_MAX], key[QUEUE_KEY_MAX], err[512];
	struct app_ticket_ctx ctx;
	struct printer *printer = NULL;
	struct ticket t;
	int no_print = 0;
	bk_err e;

	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--service") && i + 1 < argc)
			service = argv[++i];
		else if (!strcmp(argv[i], "--lang") && i + 1 < argc)
			lang = argv[++i];
		else if (!strcmp(argv[i], "--printer") && i + 1 < argc)
			printer_uri = argv[++i];
		else if (!strcmp(argv[i], "--no-print"))
			no_print = 1;
		else if (!strcmp(argv[i], "--key") && i + 1 < argc)
			request_key = argv[++i];
		else {
			fprintf(stderr, "kioskctl ticket issue: unexpected "
				"'%s'\n", argv[i]);
			return 2;
		}
	}
	if (!service) {
		fprintf(stderr, "kioskctl ticket issue: --service ID is "
			"required (see 'kioskctl services')\n");
		return 2;
	}
	if (!config_service(&c->cfg, service)) {
		fprintf(stderr, "kioskctl: no service '%s' in %s\n", service,
			c->cfg.path);
		return 2;
	}
	if (open_store(c) < 0)
		return 1;
	load_i18n(c);
	if (app_ticket_init(&ctx, &c->cfg, &c->i18n, c->cli.data_dir, err,
			    sizeof err) < 0 && !no_print)
		fprintf(stderr, "kioskctl: cannot print tickets: %s\n", err);
	if (request_key)
		snprintf(key, sizeof key, "%s", request_key);
	else
		util_uuid(key);
	e = queue_issue_ticket(c->st, &c->cfg, service, lang, key,
			       no_print ? NULL : app_ticket_render, &ctx, &t);
	app_ticket_free(&ctx);
	if (e == BK_ERR_IO || e == BK_ERR_FULL) {
		/* the commit may still have reached the disk: a retry must use
		 * the same key, or the citizen could get two tickets */
		fprintf(stderr, "kioskctl: could not issue a ticket: %s; the "
			"outcome is unknown: retry with --key %s to get the "
			"same ticket, never a second one\n", bk_strerror(e),
			key);
		return 1;
	}
	if (e) {
		fprintf(stderr, "kioskctl: could not issue a ticket: %s\n",
			bk_strerror(e));
		return 1;
	}
	if (c->json)
		print_json(json_pack("{s:s, s:s, s:s, s:i}", "id", t.id,
				     "number", t.number, "service_id",
				     t.service_id, "ahead", t.ahead));
	else
		printf("%s\n", t.number);
	if (no_print || !t.print_job_id)
		return 0;
	if (printer_uri)
		snprintf(uri, sizeof uri, "%s", printer_uri);
	else
		app_printer_uri(&c->cfg, c->cli.data_dir, uri, sizeof uri);
	if (app_ticket_print(c->st, uri, &printer, t.print_job_id, NULL, err,
			     sizeof err))
		fprintf(stderr, "kioskctl: ticket %s issued but not printed: "
			"%s\n", t.number, err);
	printer_close(printer);
	return 0;
}

/* Checks a scanned QR payload against this site's ticket key, loaded as
 * app_ticket_init() does but never created: a new key would call every
 * real ticket forged. Counter staff will use the same check. */
static int cmd_ticket_verify(struct ctl *c, const char *code)
{
	unsigned char key[TICKETCODE_KEY_LEN];
	char path[CONFIG_PATH_MAX * 2], err[CONFIG_PATH_MAX * 2 + 128];
	const char *why = NULL;
	struct ticketcode tc;
	bk_err e;
	int rc;

	if (c->cfg.ticket_key_file[0])
		snprintf(path, sizeof path, "%s", c->cfg.ticket_key_file);
	else
		snprintf(path, sizeof path, "%s/ticket.key", c->cli.data_dir);
	if (ticketcode_key_read(path, key, err, sizeof err)) {
		fprintf(stderr, "kioskctl: %s\n", err);
		return 2;
	}
	e = ticketcode_verify(key, code, strlen(code), &tc);
	util_wipe(key, sizeof key);
	if (e == BK_OK && strcmp(tc.site_id, c->cfg.site_id))
		e = BK_ERR_PROTOCOL; /* signed with a key this site shares */
	if (e == BK_OK) {
		rc = 0;
	} else if (e == BK_ERR_PROTOCOL) {
		rc = 1;
		why = "not a ticket of this site";
	} else {
		rc = 2;
		why = "not a ticket code (malformed)";
	}
	if (c->json && rc == 0)
		print_json(json_pack("{s:s, s:s, s:s, s:s, s:b}", "number",
				     tc.number, "day", tc.day, "site_id",
				     tc.site_id, "ticket_id", tc.ticket_id,
				     "valid", 1));
	else if (c->json)
		print_json(json_pack("{s:n, s:n, s:n, s:n, s:b, s:s}",
				     "number", "day", "site_id", "ticket_id",
				     "valid", 0, "error", why));
	else if (rc == 0)
		printf("valid ticket %s of %s, site %s, id %s\n", tc.number,
		       tc.day, tc.site_id, tc.ticket_id);
	if (why)
		fprintf(stderr, "kioskctl: %s\n", why);
	return rc;
}

static int cmd_queue_list(struct ctl *c)
{
	static struct ticket list[4096];
	json_t *arr = c->json ? json_array() : NULL;
	int n = 0;

	if (open_store(c) < 0 ||
	    queue_list_waiting(c->st, list, 4096, &n)) {
		json_decref(arr);
		return 1;
	}
	for (int i = 0; i < n; i++) {
		char when[32];

		store_format_time(list[i].created_ms, when);
		if (arr)
			json_array_append_new(arr, json_pack(
				"{s:s, s:s, s:s, s:s, s:i}", "id", list[i].id,
				"number", list[i].number, "service_id",
				list[i].service_id, "created_at", when,
				"ahead", list[i].ahead));
		else
			printf("%-6s %-24s %s\n", list[i].number,
			       list[i].service_id, when);
	}
	if (arr)
		return print_json(arr);
	if (n == 0)
		printf("no waiting tickets today\n");
	return 0;
}

static json_t *health_json(const struct store_health *h, int n)
{
	json_t *j = json_object();

	for (int i = 0; i < n; i++)
		json_object_set_new(j, h[i].component, json_pack(
			"{s:b, s:s, s:s, s:I}", "ok",
			h[i].ok != STORE_HEALTH_FAULT, "level",
			store_health_level_name(h[i].ok), "message",
			h[i].message, "updated_ms",
			(json_int_t)h[i].updated_ms));
	return j;
}

static void health_print(const struct store_health *h, int n)
{
	for (int i = 0; i < n; i++)
		printf("%-10s  %-5s  %s\n", h[i].component,
		       store_health_level_name(h[i].ok), h[i].message);
}

static int cmd_sync_status(struct ctl *c)
{
	struct outbox_counts oc;
	struct print_counts pc;
	struct store_health h[16];
	struct outbox_dead dead[20];
	int nh = 0, nd = 0;

	if (open_store(c) < 0 || outbox_counts(c->st, &oc) ||
	    queue_print_counts(c->st, &pc) ||
	    store_health_list(c->st, h, 16, &nh) ||
	    outbox_list_dead(c->st, dead, 20, &nd))
		return 1;
	if (c->json) {
		json_t *j = json_pack("{s:I, s:I, s:I, s:{s:I, s:I, s:I}}",
			"pending", (json_int_t)oc.pending,
			"delivered", (json_int_t)oc.delivered,
			"dead", (json_int_t)oc.dead, "print_jobs",
			"pending", (json_int_t)pc.pending,
			"printed", (json_int_t)pc.printed,
			"failed", (json_int_t)pc.failed);
		json_t *hj = health_json(h, nh), *dj = json_array();

		for (int i = 0; i < nd; i++)
			json_array_append_new(dj, json_pack("{s:s, s:s, s:s}",
				"id", dead[i].id, "type", dead[i].type,
				"reason", dead[i].reason));
		json_object_set_new(j, "health", hj);
		json_object_set_new(j, "dead_events", dj);
		return print_json(j);
	}
	printf("outbox:     %lld pending, %lld delivered, %lld dead\n",
	       (long long)oc.pending, (long long)oc.delivered,
	       (long long)oc.dead);
	printf("print jobs: %lld pending, %lld printed, %lld failed\n",
	       (long long)pc.pending, (long long)pc.printed,
	       (long long)pc.failed);
	health_print(h, nh);
	for (int i = 0; i < nd; i++)
		printf("dead event %s (%s): %s\n", dead[i].id, dead[i].type,
		       dead[i].reason);
	return 0;
}

static int cmd_sync_retry(struct ctl *c, const char *id)
{
	bk_err e;

	if (open_store(c) < 0)
		return 1;
	e = outbox_retry(c->st, id);
	if (e == BK_ERR_NOTFOUND) {
		fprintf(stderr, "kioskctl: no dead-lettered event %s\n", id);
		return 1;
	}
	if (e)
		return 1;
	printf("event %s queued again\n", id);
	return 0;
}

static int cmd_health(struct ctl *c)
{
	struct store_health h[16];
	int n = 0;

	if (open_store(c) < 0 || store_health_list(c->st, h, 16, &n))
		return 1;
	if (c->json)
		return print_json(health_json(h, n));
	if (n == 0)
		printf("no component has reported yet\n");
	health_print(h, n);
	return 0;
}

/* --printer URI from args, else the configured one. -1 on bad args. */
static int printer_arg(struct ctl *c, int argc, char **argv, char *uri,
		       size_t len)
{
	app_printer_uri(&c->cfg, c->cli.data_dir, uri, len);
	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--printer") && i + 1 < argc) {
			snprintf(uri, len, "%s", argv[++i]);
			continue;
		}
		fprintf(stderr, "kioskctl printer: unexpected '%s'\n", argv[i]);
		return -1;
	}
	return 0;
}

static int cmd_printer_status(struct ctl *c, int argc, char **argv)
{
	char uri[CONFIG_PATH_MAX], err[256] = "", desc[128];
	struct printer_status ps = { 0 };
	struct printer *p = NULL;
	printer_err pe;

	if (printer_arg(c, argc, argv, uri, sizeof uri) < 0)
		return 2;
	pe = printer_open(&p, uri, err, sizeof err);
	if (pe == PRINTER_OK)
		pe = printer_get_status(p, &ps, err, sizeof err);
	printer_close(p);
	printer_status_describe(&ps, desc, sizeof desc);
	if (c->json) {
		print_json(json_pack("{s:s, s:b, s:b, s:b, s:b, s:b, s:b, s:b, "
				     "s:s, s:s}",
			"printer", uri, "reachable", pe == PRINTER_OK,
			"known", ps.known, "online", ps.online && pe == PRINTER_OK,
			"cover_open", ps.cover_open, "paper_end", ps.paper_end,
			"paper_near_end", ps.paper_near_end,
			"error", ps.cutter_error || ps.unrecoverable ||
				 ps.auto_recoverable,
			"status", pe == PRINTER_OK ? desc : printer_strerror(pe),
			"message", err));
	} else if (pe != PRINTER_OK) {
		printf("%s: %s%s%s\n", uri, printer_strerror(pe),
		       err[0] ? ": " : "", err);
	} else {
		printf("%s: %s\n", uri, ps.known ? desc
			: "status unknown (this transport cannot ask)");
	}
	return pe == PRINTER_OK && printer_status_fault(&ps) == PRINTER_OK
		       ? 0 : 1;
}

static int cmd_printer_test(struct ctl *c, int argc, char **argv)
{
	char uri[CONFIG_PATH_MAX], err[256] = "", path[CONFIG_PATH_MAX * 2];
	char date[16], clock[8];
	struct printer_layout *l = NULL;
	struct rastertext *rt = NULL;
	struct escpos_options o;
	struct printer *p = NULL;
	unsigned char *job = NULL;
	const char *const *fonts = rastertext_default_fonts();
	size_t len = 0, written = 0;
	time_t now = time(NULL);
	struct tm tm;
	int nf = 0, rc = 1;
	printer_err pe;

	if (printer_arg(c, argc, argv, uri, sizeof uri) < 0)
		return 2;
	localtime_r(&now, &tm);
	strftime(date, sizeof date, "%d.%m.%Y", &tm);
	strftime(clock, sizeof clock, "%H:%M", &tm);
	{
		struct printer_field f[] = {
			{ "office", c->cfg.site_name }, { "date", date },
			{ "time", clock }, { "code", "BK-TEST-0001" },
			{ "printer", uri },
		};
		while (fonts && fonts[nf])
			nf++;
		rt = rastertext_create(fonts, nf, err, sizeof err);
		app_escpos_options(&c->cfg, rt, &o);
		if (util_fmt(path, sizeof path, "%s/test-page.layout",
			     config_layouts_dir(&c->cfg)) < 0 ||
		    printer_layout_load(&l, path, err, sizeof err) < 0 ||
		    printer_layout_render(l, &o, f, (int)(sizeof f / sizeof f[0]),
					  &job, &len, err, sizeof err) < 0) {
			fprintf(stderr, "kioskctl: test page: %s\n", err);
			goto out;
		}
	}
	pe = printer_open(&p, uri, err, sizeof err);
	if (pe == PRINTER_OK)
		pe = printer_send(p, job, len, &written, err, sizeof err);
	if (pe != PRINTER_OK) {
		fprintf(stderr, "kioskctl: %s: %s%s%s\n", uri,
			printer_strerror(pe), err[0] ? ": " : "", err);
		goto out;
	}
	printf("test page sent to %s (%zu bytes)\n", uri, written);
	rc = 0;
out:
	printer_close(p);
	free(job);
	printer_layout_free(l);
	rastertext_destroy(rt);
	return rc;
}

/* kioskctl pki demo DIR: see pkidemo.h. Prints what to add to site.conf
 * and how to start the back office with it. */
static int cmd_pki_demo(struct ctl *c, const char *dir)
{
	struct pkidemo p;
	char err[CONFIG_ERR_MAX];
	bk_err e = pkidemo_create(dir, c->cfg.kiosk_id, &p, err, sizeof err);

	if (e != BK_OK) {
		fprintf(stderr, "kioskctl: pki demo: %s\n", err);
		return e == BK_ERR_CONFIG ? 2 : 1;
	}
	if (c->json)
		return print_json(json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, "
			"s:s, s:s, s:i}", "dir", p.dir, "kiosk_id",
			c->cfg.kiosk_id, "ca_file", p.ca_cert, "server_cert",
			p.server_cert, "server_key", p.server_key,
			"client_cert", p.client_cert, "client_key",
			p.client_key, "pin", p.server_pin, "created",
			p.created));
	printf("# Demo certificates in %s (%d new) — throwaway, never for a "
	       "real town hall.\n"
	       "# Add to site.conf (PORT: the back office's port):\n"
	       "[backoffice]\n"
	       "url = https://127.0.0.1:PORT\n"
	       "ca_file = %s\n"
	       "pins = %s\n"
	       "client_cert = %s\n"
	       "client_key = %s\n"
	       "\n"
	       "# Start the back office with:\n"
	       "kiosk-backoffice --listen 127.0.0.1:PORT --data-dir DIR "
	       "--tls-cert %s --tls-key %s --client-ca %s\n",
	       p.dir, p.created, p.ca_cert, p.server_pin, p.client_cert,
	       p.client_key, p.server_cert, p.server_key, p.ca_cert);
	return 0;
}

/* kioskctl form submit-demo: a fixed "fundsache" (lost property) form
 * through the same path as the kiosk's form screen, for the simulator and
 * the tests. Prints the reference the receipt would show. */
static int cmd_form_submit_demo(struct ctl *c)
{
	struct submission_receipt r;
	char why[SUBMISSION_ERR_MAX];
	json_t *answers;
	bk_err e;

	if (open_store(c) < 0)
		return 1;
	answers = json_pack("{s:s, s:s, s:s, s:s, s:s}",
			    "item", "Schwarzer Regenschirm",
			    "place", "Wartebereich, Erdgeschoss",
			    "found_on", "2026-11-25",
			    "finder_name", "Erika Mustermann",
			    "finder_phone", "0151 23456789");
	if (!answers)
		return 1;
	e = submission_submit(c->st, &c->cfg, "fundsache", answers, &r, why,
			      sizeof why);
	json_decref(answers);
	if (e != BK_OK) {
		fprintf(stderr, "kioskctl: form not taken: %s\n", why);
		return e == BK_ERR_CONFIG ? 2 : 1;
	}
	if (c->json)
		return print_json(json_pack("{s:s, s:s, s:s}", "reference",
					    r.reference, "event_id",
					    r.event_id, "form_id",
					    "fundsache"));
	printf("%s\n", r.reference);
	return 0;
}

/* kioskctl form list: the forms in forms_dir(), as the kiosk loads them;
 * a refused file is named on stderr (exit 1). */
static int cmd_form_list(struct ctl *c)
{
	struct forms_list list;
	struct forms_errors *errs = calloc(1, sizeof *errs);
	json_t *arr = c->json ? json_array() : NULL;
	const char *dir = forms_dir(&c->cfg);
	int rc = 0;

	if (!errs || forms_load_dir(dir, NULL, &list, errs) != BK_OK) {
		fprintf(stderr, "kioskctl: cannot read the forms in %s\n", dir);
		free(errs);
		json_decref(arr);
		return 1;
	}
	for (int i = 0; i < list.n; i++) {
		const struct form *f = list.form[i];

		if (arr)
			json_array_append_new(arr, json_pack(
				"{s:s, s:i, s:s, s:s, s:i, s:i, s:s}",
				"id", f->id, "version", f->version, "service",
				f->service, "file", f->file, "pages",
				f->n_pages, "fields", f->n_fields, "title",
				form_text(&f->title, "de")));
		else
			printf("%-24s v%-3d %2d pages %3d fields  %s\n", f->id,
			       f->version, f->n_pages, f->n_fields,
			       form_text(&f->title, "de"));
	}
	for (int i = 0; i < errs->n; i++)
		fprintf(stderr, "%s\n", errs->msg[i]);
	if (errs->n)
		rc = 1;
	forms_list_free(&list);
	free(errs);
	return arr ? (print_json(arr) || rc) : rc;
}

/* kioskctl form check FILE...: every problem of each file, one a line;
 * exit 0 when all are good, 1 otherwise. */
static int cmd_form_check(int argc, char **argv)
{
	struct forms_errors *errs = calloc(1, sizeof *errs);
	int rc = 0;

	if (!errs)
		return 1;
	for (int i = 0; i < argc; i++) {
		struct form *f = NULL;

		if (forms_load(argv[i], &f, errs) == BK_OK) {
			printf("%s: ok: %s version %d, %d pages, %d fields, "
			       "%d rules\n", argv[i], f->id, f->version,
			       f->n_pages, f->n_fields, f->n_rules);
			forms_destroy(f);
			continue;
		}
		rc = 1;
		for (int k = 0; k < errs->n; k++)
			printf("%s\n", errs->msg[k]);
		if (errs->dropped)
			printf("%s: %d more problems not shown\n", argv[i],
			       errs->dropped);
	}
	free(errs);
	return rc;
}

/* kioskctl keys demo DIR: the back office's JWE key pair (jwe.h). */
static int cmd_keys_demo(const char *dir)
{
	char err[CONFIG_ERR_MAX];

	if (jwe_demo_keys(dir, err, sizeof err) != BK_OK) {
		fprintf(stderr, "kioskctl: keys demo: %s\n", err);
		return 1;
	}
	printf("# Demo JWE key pair in %s (RSA-3072) — throwaway.\n"
	       "# site.conf:  [backoffice] public_key = "
	       "%s/backoffice-public.pem\n"
	       "# back office: kiosk-backoffice ... --private-key "
	       "%s/backoffice-private.pem\n", dir, dir, dir);
	return 0;
}

/* Today's cached appointments. The booking code is not personal data,
 * but a technician has no use for it: masked except for its last two
 * characters, shown whole only with --json (for scripts and tests). */
static int cmd_appointments_list(struct ctl *c)
{
	static struct appointment list[2048];
	json_t *arr = c->json ? json_array() : NULL;
	int n = 0;

	if (open_store(c) < 0 ||
	    appointments_list_day(c->st, NULL, list, 2048, &n)) {
		json_decref(arr);
		return 1;
	}
	for (int i = 0; i < n; i++) {
		const struct appointment *a = &list[i];
		char when[32], masked[DOWNSYNC_PROTO_CODE_MAX];
		size_t len = strlen(a->booking_code);
		time_t t = (time_t)(a->slot_start_ms / 1000);
		struct tm tm;

		if (arr) {
			store_format_time(a->slot_start_ms, when);
			json_array_append_new(arr, json_pack(
				"{s:s, s:s, s:s, s:s, s:s, s:i, s:s, s:s}",
				"id", a->id, "slot_start", when, "service_id",
				a->service_id, "process_number",
				a->process_number, "booking_code",
				a->booking_code, "slot_minutes",
				a->slot_minutes, "status", a->status,
				"day", a->day));
			continue;
		}
		localtime_r(&t, &tm);
		strftime(when, sizeof when, "%H:%M", &tm);
		for (size_t k = 0; k < len; k++)
			masked[k] = k + 2 < len ? '*' : a->booking_code[k];
		masked[len] = '\0';
		printf("%s  %-24s %-8s %-7s %3d min  %s\n", when, a->service_id,
		       a->process_number, masked, a->slot_minutes, a->status);
	}
	if (arr)
		return print_json(arr);
	if (n == 0)
		printf("no appointments cached for today\n");
	return 0;
}

/* One pull now, as buergerkioskd does it; exit 0 only when it all went
 * through. */
static int cmd_appointments_pull(struct ctl *c)
{
	struct downsync *d = NULL;
	struct downsync_result r;
	int rc = 1;

	if (open_store(c) < 0)
		return 1;
	if (!c->cfg.backoffice_url[0]) {
		fprintf(stderr, "kioskctl: no backoffice.url configured\n");
		return 1;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return 1;
	if (downsync_create(&c->cfg, NULL, &d) != BK_OK) {
		fprintf(stderr, "kioskctl: cannot set up the link to %s\n",
			c->cfg.backoffice_url);
		goto out;
	}
	if (downsync_run_once(d, c->st, &r) != BK_OK) {
		fprintf(stderr, "kioskctl: store error while pulling\n");
		goto out;
	}
	if (r.err != BK_OK) {
		fprintf(stderr, "kioskctl: pull stopped: %s\n", r.error);
		goto out;
	}
	printf("pulled %d appointments in %d pages%s, %d removed, catalogue "
	       "%s\n", r.stored, r.pages, r.more ? " (more to come)" : "",
	       r.removed, r.catalogue == 1 ? "updated" : "unchanged");
	rc = 0;
out:
	downsync_destroy(d);
	curl_global_cleanup();
	return rc;
}

/* ---- checkin (docs/check-in.md): the same core call as the kiosk's
 * screens, for technicians and tests. Every outcome exits 0 (the answer
 * is the output); 1 is a store error, 2 usage. --holder's name is never
 * printed or logged. */
static int checkin_print(struct ctl *c, const struct checkin_result *r)
{
	char slot[32] = "";

	if (r->outcome != CHECKIN_UNKNOWN)
		store_format_time(r->slot_start_ms, slot);
	if (c->json)
		return print_json(json_pack(
			"{s:s, s:s, s:s, s:s, s:s, s:i, s:i}",
			"outcome", checkin_outcome_name(r->outcome),
			"number", r->ticket.number, "ticket_id", r->ticket.id,
			"service_id", r->service_id, "slot_start", slot,
			"minutes_until_open", r->minutes_until_open,
			"matches", r->matches));
	printf("%s%s%s\n", checkin_outcome_name(r->outcome),
	       r->ticket.number[0] ? " " : "", r->ticket.number);
	return 0;
}

static int cmd_checkin(struct ctl *c, int argc, char **argv)
{
	const char *code = NULL, *scan = NULL, *holder = NULL;
	const char *lang = c->cfg.default_language, *printer_uri = NULL;
	char buf[256], uri[CONFIG_PATH_MAX], err[512], *comma = NULL;
	struct app_ticket_ctx ctx;
	struct printer *printer = NULL;
	struct checkin_result r;
	struct bookingcode bc;
	int no_print = 0, rc = 1;
	bk_err e;

	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--code") && i + 1 < argc)
			code = argv[++i];
		else if (!strcmp(argv[i], "--scan") && i + 1 < argc)
			scan = argv[++i];
		else if (!strcmp(argv[i], "--holder") && i + 1 < argc)
			holder = argv[++i];
		else if (!strcmp(argv[i], "--lang") && i + 1 < argc)
			lang = argv[++i];
		else if (!strcmp(argv[i], "--printer") && i + 1 < argc)
			printer_uri = argv[++i];
		else if (!strcmp(argv[i], "--no-print"))
			no_print = 1;
		else
			goto usage;
	}
	if (!!code + !!scan + !!holder != 1)
		goto usage;
	snprintf(buf, sizeof buf, "%s", code ? code : holder ? holder : "");
	if (!scan && (!(comma = strchr(buf, ',')) || strchr(comma + 1, ',')))
		goto usage;
	if (comma)
		*comma++ = '\0';
	if (scan && bookingcode_parse_qr(scan, strlen(scan), &bc) != BK_OK) {
		fprintf(stderr, "kioskctl: not a booking-code QR payload\n");
		return 2;
	}
	if (open_store(c) < 0)
		return 1;
	load_i18n(c);
	if (app_ticket_init(&ctx, &c->cfg, &c->i18n, c->cli.data_dir, err,
			    sizeof err) < 0 && !no_print)
		fprintf(stderr, "kioskctl: cannot print tickets: %s\n", err);
	if (holder)
		e = checkin_by_holder(c->st, &c->cfg, buf, comma, lang,
				      no_print ? NULL : app_ticket_render, &ctx,
				      store_now_ms(), &r);
	else
		e = checkin_by_code(c->st, &c->cfg, scan ? bc.process : buf,
				    scan ? bc.code : comma, lang,
				    no_print ? NULL : app_ticket_render, &ctx,
				    store_now_ms(), &r);
	util_wipe(buf, sizeof buf);
	app_ticket_free(&ctx);
	if (e) {
		fprintf(stderr, "kioskctl: check-in failed: %s%s\n",
			bk_strerror(e), e == BK_ERR_IO || e == BK_ERR_FULL ?
			" (outcome unknown: run the same command again)" : "");
		return e == BK_ERR_INVALID ? 2 : 1;
	}
	rc = checkin_print(c, &r);
	if (r.outcome != CHECKIN_CHECKED_IN || no_print ||
	    !r.ticket.print_job_id)
		return rc;
	if (printer_uri)
		snprintf(uri, sizeof uri, "%s", printer_uri);
	else
		app_printer_uri(&c->cfg, c->cli.data_dir, uri, sizeof uri);
	if (app_ticket_print(c->st, uri, &printer, r.ticket.print_job_id, NULL,
			     err, sizeof err))
		fprintf(stderr, "kioskctl: ticket %s issued but not printed: "
			"%s\n", r.ticket.number, err);
	printer_close(printer);
	return rc;
usage:
	fprintf(stderr, "kioskctl checkin: one of --code PROCESS,CODE, --scan "
		"PAYLOAD or --holder SURNAME,YYYY-MM-DD\n");
	return 2;
}

/* ---- card list / card read (the ID-card reader, docs/card-reader.md) ----
 * card read exit codes: 0 read (and not failed passive authentication),
 * 2 the card refused the CAN/MRZ (or usage), 3 document invalid or passive
 * authentication failed (no personal field printed), 4 no card, card
 * removed, reader missing or not answering, 1 anything else. */

/* --reader NAME: a URI when it names a backend, else a pcsc: name prefix;
 * none: card.reader of the configuration. */
static void card_uri(const struct ctl *c, const char *name, char *out,
		     size_t len)
{
	if (!name)
		snprintf(out, len, "%s", c->cfg.card_reader);
	else if (!strncmp(name, "pcsc:", 5) || !strncmp(name, "virtual:", 8))
		snprintf(out, len, "%s", name);
	else
		snprintf(out, len, "pcsc:%s", name);
}

static int cmd_card_list(struct ctl *c, int argc, char **argv)
{
	struct card_reader_info ri[CARD_READERS_MAX];
	struct card_reader *r = NULL;
	const char *name = NULL;
	char uri[CONFIG_PATH_MAX + 8], err[256];
	json_t *arr;
	size_t n = 0;
	card_err rc;

	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--reader") && i + 1 < argc) {
			name = argv[++i];
		} else {
			usage(stderr);
			return 2;
		}
	}
	card_uri(c, name, uri, sizeof uri);
	rc = card_open(&r, uri, err, sizeof err);
	if (rc == CARD_OK)
		rc = card_list(r, ri, CARD_READERS_MAX, &n, err, sizeof err);
	card_close(r);
	if (rc != CARD_OK) {
		fprintf(stderr, "kioskctl: %s\n", err);
		return rc == CARD_URI ? 2 : 4;
	}
	if (!c->json) {
		if (!n)
			printf("no card reader\n");
		for (size_t i = 0; i < n; i++)
			printf("%c %-40s %s\n", ri[i].selected ? '*' : ' ',
			       ri[i].name, ri[i].card_present ? "card"
							      : "empty");
		return 0;
	}
	arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, json_pack("{s:s, s:b, s:b}",
			"name", ri[i].name, "card_present", ri[i].card_present,
			"selected", ri[i].selected));
	return print_json(arr);
}

/* "DOCNO,YYMMDD,YYMMDD" (birth, expiry) into a. 0 or -1. */
static int parse_mrz_access(const char *s, struct icao_access *a)
{
	const char *c1 = strchr(s, ','), *c2 = c1 ? strchr(c1 + 1, ',') : NULL;
	size_t n = c1 ? (size_t)(c1 - s) : 0;

	if (!c2 || !n || n > 9 || strlen(c1 + 1) != 13 || c2 - c1 != 7)
		return -1;
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];

		if (ch >= 'a' && ch <= 'z')
			ch = (char)(ch - 'a' + 'A');
		if (!((ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
		      ch == '<'))
			return -1;
		a->document_number[i] = ch;
	}
	a->document_number[n] = '\0';
	for (int i = 0; i < 6; i++) {
		if (c1[1 + i] < '0' || c1[1 + i] > '9' ||
		    c2[1 + i] < '0' || c2[1 + i] > '9')
			return -1;
		a->date_of_birth[i] = c1[1 + i];
		a->date_of_expiry[i] = c2[1 + i];
	}
	a->kind = ICAO_ACCESS_MRZ;
	return 0;
}

static const char *card_err_word(bk_err e)
{
	switch (e) {
	case BK_ERR_ACCESS: return "access";
	case BK_ERR_AUTH: return "passive_auth";
	case BK_ERR_INVALID: return "invalid";
	case BK_ERR_REMOVED: return "removed";
	case BK_ERR_TIMEOUT: return "timeout";
	default: return "error";
	}
}

static int card_read_failed(const struct ctl *c, const struct icao_access *a,
			    bk_err e, const char *detail)
{
	char msg[512];
	int rc;

	switch (e) {
	case BK_ERR_ACCESS:
		snprintf(msg, sizeof msg, "%s", a->kind == ICAO_ACCESS_CAN
			 ? "the card refused the CAN: check the 6 digits "
			   "printed on the front"
			 : "the card refused the MRZ data: check the document "
			   "number, the date of birth and the date of expiry");
		rc = 2;
		break;
	case BK_ERR_AUTH:
		snprintf(msg, sizeof msg, "the document failed passive "
			 "authentication (forged or altered data): %s",
			 detail);
		rc = 3;
		break;
	case BK_ERR_INVALID:
		snprintf(msg, sizeof msg, "the document's data is invalid: %s",
			 detail);
		rc = 3;
		break;
	case BK_ERR_REMOVED:
	case BK_ERR_TIMEOUT:
		snprintf(msg, sizeof msg, "%s", detail[0] ? detail
			 : bk_strerror(e));
		rc = 4;
		break;
	default:
		snprintf(msg, sizeof msg, "reading the card failed: %s (%s)",
			 bk_strerror(e), detail);
		rc = 1;
		break;
	}
	fprintf(stderr, "kioskctl: %s\n", msg);
	if (c->json)
		print_json(json_pack("{s:s, s:s}", "error", card_err_word(e),
				     "message", msg));
	return rc;
}

static int card_print_document(const struct ctl *c,
			       const struct icao_document *d,
			       const struct app_card_event *ev)
{
	json_t *j;
	char *s;

	if (!c->json) {
		printf("document_type   %s\nissuing_state   %s\n"
		       "document_number %s\nsurname         %s\n"
		       "given_names     %s\nnationality     %s\n"
		       "date_of_birth   %s\nsex             %s\n"
		       "date_of_expiry  %s\npassive_auth    %s\n",
		       d->document_type, d->issuing_state, d->document_number,
		       d->surname, d->given_names, d->nationality,
		       d->date_of_birth, d->sex, d->date_of_expiry,
		       icao_pa_name(d->passive_auth));
		return 0;
	}
	j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, "
		      "s:s, s:i, s:I}",
		      "document_type", d->document_type,
		      "issuing_state", d->issuing_state,
		      "document_number", d->document_number,
		      "surname", d->surname, "given_names", d->given_names,
		      "nationality", d->nationality,
		      "date_of_birth", d->date_of_birth, "sex", d->sex,
		      "date_of_expiry", d->date_of_expiry,
		      "passive_auth", icao_pa_name(d->passive_auth),
		      "access", ev->stats.method, "apdus", ev->stats.apdus,
		      "read_ms", (json_int_t)ev->ms);
	s = j ? json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
	json_decref(j);
	if (!s)
		return 1;
	puts(s);
	fflush(stdout);
	util_wipe(s, strlen(s));
	free(s);
	return 0;
}

static int cmd_card_read(struct ctl *c, int argc, char **argv)
{
	const char *name = NULL, *can = NULL, *mrz = NULL, *csca = NULL;
	char uri[CONFIG_PATH_MAX + 8], err[256];
	struct icao_access a;
	struct icao_document doc;
	struct app_card_event ev;
	struct app_card *svc = NULL;
	long long wait_ms = 3000, until;
	unsigned id;
	int rc = 1;

	memset(&a, 0, sizeof a);
	memset(&doc, 0, sizeof doc);
	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--reader") && i + 1 < argc)
			name = argv[++i];
		else if (!strcmp(argv[i], "--can") && i + 1 < argc)
			can = argv[++i];
		else if (!strcmp(argv[i], "--mrz") && i + 1 < argc)
			mrz = argv[++i];
		else if (!strcmp(argv[i], "--csca") && i + 1 < argc)
			csca = argv[++i];
		else if (!strcmp(argv[i], "--wait") && i + 1 < argc)
			wait_ms = atol(argv[++i]) * 1000LL;
		else
			goto usage;
	}
	if (!can == !mrz)
		goto usage;
	if (can) {
		if (strlen(can) != 6 || strspn(can, "0123456789") != 6) {
			fprintf(stderr, "kioskctl: --can takes the 6 digits "
				"printed on the front of the card\n");
			return 2;
		}
		a.kind = ICAO_ACCESS_CAN;
		memcpy(a.can, can, 7);
	} else if (parse_mrz_access(mrz, &a) < 0) {
		fprintf(stderr, "kioskctl: --mrz takes DOCNO,YYMMDD,YYMMDD "
			"(document number, date of birth, date of expiry)\n");
		util_wipe(&a, sizeof a);
		return 2;
	}
	card_uri(c, name, uri, sizeof uri);
	svc = app_card_create(uri, csca ? csca : c->cfg.card_csca_dir, err,
			      sizeof err);
	if (!svc) {
		fprintf(stderr, "kioskctl: %s\n", err);
		util_wipe(&a, sizeof a);
		return 2;
	}
	/* --wait S (default 3): give a card being placed, or one pcscd is
	 * still powering up, S seconds to show up */
	until = util_mono_ms() + wait_ms;
	while (wait_ms > 0 && util_mono_ms() < until &&
	       app_card_wait_event(svc, (int)(until - util_mono_ms()), &ev))
		if (ev.kind == APP_CARD_INSERTED)
			break;
	id = app_card_read(svc, &a);
	for (;;) {
		if (!app_card_wait_event(svc, 120000, &ev)) {
			rc = card_read_failed(c, &a, BK_ERR_TIMEOUT,
					      "no result within 120 s");
			goto out;
		}
		if (ev.kind == APP_CARD_RESULT && ev.read_id == id)
			break;
	}
	if (ev.err != BK_OK) {
		rc = card_read_failed(c, &a, ev.err, ev.error);
		goto out;
	}
	if (!app_card_take_document(svc, id, &doc) ||
	    doc.passive_auth == ICAO_PA_FAILED) {
		rc = card_read_failed(c, &a, BK_ERR_AUTH, "no valid document");
		goto out;
	}
	rc = card_print_document(c, &doc, &ev);
out:
	icao_document_wipe(&doc);
	util_wipe(&a, sizeof a);
	app_card_destroy(svc);
	return rc;
usage:
	usage(stderr);
	return 2;
}
/* ---- end of card commands ---- */

/* ---- counters and statistics (sitequeue.h, stats.h) ---- */
static int cmd_counter_add(struct ctl *c, int argc, char **argv)
{
	char token[SQ_TOKEN_LEN], why[256];
	const char *name = NULL, *services = NULL;
	struct sq_counter k;
	bk_err e;

	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--services") && i + 1 < argc)
			services = argv[++i];
		else if (!name && argv[i][0] != '-')
			name = argv[i];
		else
			goto usage;
	}
	if (!name || !services)
		goto usage;
	if (open_store(c) < 0)
		return 1;
	why[0] = '\0';
	e = sq_counter_add(c->st, &c->cfg, name, services, token, &k, why,
			   sizeof why);
	if (e) {
		fprintf(stderr, "kioskctl: counter add: %s\n",
			why[0] ? why : bk_strerror(e));
		return e == BK_ERR_INVALID ? 2 : 1;
	}
	if (c->json) {
		print_json(json_pack("{s:s, s:s, s:s}", "name", k.name, "id",
				     k.id, "token", token));
	} else {
		printf("%s\n", token);
		fprintf(stderr, "counter '%s' added; the token above is shown "
			"only now (the counter page asks for it)\n", k.name);
	}
	util_wipe(token, sizeof token);
	return 0;
usage:
	usage(stderr);
	return 2;
}

static int cmd_counter_revoke(struct ctl *c, const char *name)
{
	bk_err e;

	if (open_store(c) < 0)
		return 1;
	e = sq_counter_revoke(c->st, name);
	if (e == BK_ERR_NOTFOUND) {
		fprintf(stderr, "kioskctl: no active counter '%s'\n", name);
		return 1;
	}
	if (e) {
		fprintf(stderr, "kioskctl: counter revoke: %s\n",
			bk_strerror(e));
		return 1;
	}
	printf("counter '%s' revoked\n", name);
	return 0;
}

static int cmd_counter_list(struct ctl *c)
{
	struct sq_counter *k = calloc(256, sizeof *k);
	json_t *arr = json_array();
	int n = 0, rc = 1;

	if (!k || !arr || open_store(c) < 0 ||
	    sq_counter_list(c->st, k, 256, &n) != BK_OK)
		goto out;
	for (int i = 0; i < n; i++) {
		json_t *svc = json_array();
		char list[CONFIG_MAX_SERVICES * CONFIG_ID_MAX] = "";

		for (int s = 0; s < k[i].n_services; s++) {
			json_array_append_new(svc, json_string(k[i].services[s]));
			if (s)
				strcat(list, ",");
			strcat(list, k[i].services[s]);
		}
		if (c->json)
			json_array_append_new(arr, json_pack(
				"{s:s, s:s, s:o, s:b, s:b}", "name",
				k[i].name, "id", k[i].id, "services", svc,
				"paused", k[i].paused, "revoked",
				k[i].revoked_ms != 0));
		else {
			json_decref(svc);
			printf("%-20s %-8s %s\n", k[i].name, k[i].revoked_ms ?
			       "revoked" : k[i].paused ? "paused" : "active",
			       list);
		}
	}
	rc = c->json ? print_json(json_incref(arr)) : 0;
out:
	json_decref(arr);
	free(k);
	return rc;
}

static int cmd_stats_today(struct ctl *c)
{
	struct stats_service s[CONFIG_MAX_SERVICES * 2];
	char day[11];
	int n = 0;

	if (open_store(c) < 0)
		return 1;
	appointments_local_day(store_now_ms(), day);
	if (stats_day(c->st, &c->cfg, day, s, CONFIG_MAX_SERVICES * 2, &n)) {
		fprintf(stderr, "kioskctl: stats: store error\n");
		return 1;
	}
	if (c->json) {
		char *text = stats_day_json(day, s, n);
		json_t *j = text ? json_loads(text, 0, NULL) : NULL;

		free(text);
		return print_json(j);
	}
	printf("%s  %-22s %6s %6s %6s %7s %9s %9s %9s %9s\n", day, "service",
	       "issued", "called", "done", "no-show", "wait avg", "wait med",
	       "wait max", "serv avg");
	for (int i = 0; i < n; i++)
		printf("            %-22s %6d %6d %6d %7d %7llds %7llds %7llds "
		       "%7llds\n", s[i].service_id, s[i].issued, s[i].called,
		       s[i].finished, s[i].no_show,
		       (long long)s[i].wait_avg_s,
		       (long long)s[i].wait_median_s,
		       (long long)s[i].wait_max_s,
		       (long long)s[i].service_avg_s);
	return 0;
}
/* ---- end of counters and statistics ---- */

int main(int argc, char **argv)
{
	struct ctl c = { 0 };
	char err[CONFIG_ERR_MAX];
	int rc = 2;

	log_init("kioskctl", LOG_WARN);
	if (cli_parse_common(&c.cli, &argc, &argv) < 0) {
		usage(stderr);
		return 2;
	}
	/* --json may stand anywhere after the command */
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--json")) {
			c.json = 1;
			memmove(&argv[i], &argv[i + 1],
				(size_t)(argc - i) * sizeof *argv);
			argc--;
			i--;
		}
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (cli_load_config(&c.cli, &c.cfg, err, sizeof err) < 0) {
		fprintf(stderr, "kioskctl: %s\n", err);
		return 2;
	}
	if (!strcmp(argv[1], "services") && argc == 2)
		rc = cmd_services(&c);
	else if (!strcmp(argv[1], "ticket") && argc >= 3 &&
		 !strcmp(argv[2], "issue"))
		rc = cmd_ticket_issue(&c, argc - 3, argv + 3);
	else if (!strcmp(argv[1], "ticket") && argc == 4 &&
		 !strcmp(argv[2], "verify"))
		rc = cmd_ticket_verify(&c, argv[3]);
	else if (!strcmp(argv[1], "queue") && argc == 3 &&
		 !strcmp(argv[2], "list"))
		rc = cmd_queue_list(&c);
	else if (!strcmp(argv[1], "sync") && argc == 3 &&
		 !strcmp(argv[2], "status"))
		rc = cmd_sync_status(&c);
	else if (!strcmp(argv[1], "sync") && argc == 4 &&
		 !strcmp(argv[2], "retry"))
		rc = cmd_sync_retry(&c, argv[3]);
	else if (!strcmp(argv[1], "appointments") && argc == 3 &&
		 !strcmp(argv[2], "list"))
		rc = cmd_appointments_list(&c);
	else if (!strcmp(argv[1], "appointments") && argc == 3 &&
		 !strcmp(argv[2], "pull"))
		rc = cmd_appointments_pull(&c);
	else if (!strcmp(argv[1], "health") && argc == 2)
		rc = cmd_health(&c);
	else if (!strcmp(argv[1], "checkin") && argc >= 3)
		rc = cmd_checkin(&c, argc - 2, argv + 2);
	else if (!strcmp(argv[1], "counter") && argc >= 3 &&
		 !strcmp(argv[2], "add"))
		rc = cmd_counter_add(&c, argc - 3, argv + 3);
	else if (!strcmp(argv[1], "counter") && argc == 4 &&
		 !strcmp(argv[2], "revoke"))
		rc = cmd_counter_revoke(&c, argv[3]);
	else if (!strcmp(argv[1], "counter") && argc == 3 &&
		 !strcmp(argv[2], "list"))
		rc = cmd_counter_list(&c);
	else if (!strcmp(argv[1], "stats") && argc == 3 &&
		 !strcmp(argv[2], "today"))
		rc = cmd_stats_today(&c);
	else if (!strcmp(argv[1], "form") && argc == 3 &&
		 !strcmp(argv[2], "submit-demo"))
		rc = cmd_form_submit_demo(&c);
	else if (!strcmp(argv[1], "form") && argc == 3 &&
		 !strcmp(argv[2], "list"))
		rc = cmd_form_list(&c);
	else if (!strcmp(argv[1], "form") && argc >= 4 &&
		 !strcmp(argv[2], "check"))
		rc = cmd_form_check(argc - 3, argv + 3);
	else if (!strcmp(argv[1], "keys") && argc == 4 &&
		 !strcmp(argv[2], "demo"))
		rc = cmd_keys_demo(argv[3]);
	else if (!strcmp(argv[1], "pki") && argc == 4 &&
		 !strcmp(argv[2], "demo"))
		rc = cmd_pki_demo(&c, argv[3]);
	else if (!strcmp(argv[1], "printer") && argc >= 3 &&
		 !strcmp(argv[2], "status"))
		rc = cmd_printer_status(&c, argc - 3, argv + 3);
	else if (!strcmp(argv[1], "printer") && argc >= 3 &&
		 !strcmp(argv[2], "test"))
		rc = cmd_printer_test(&c, argc - 3, argv + 3);
	else if (!strcmp(argv[1], "card") && argc >= 3 &&
		 !strcmp(argv[2], "list"))
		rc = cmd_card_list(&c, argc - 3, argv + 3);
	else if (!strcmp(argv[1], "card") && argc >= 3 &&
		 !strcmp(argv[2], "read"))
		rc = cmd_card_read(&c, argc - 3, argv + 3);
	else if (!strcmp(argv[1], "config") && argc == 3 &&
		 !strcmp(argv[2], "check")) {
		/* what the daemon would refuse is a configuration error too */
		if (c.cfg.backoffice_url[0] &&
		    sync_check_config(&c.cfg, err, sizeof err) != BK_OK) {
			fprintf(stderr, "kioskctl: %s\n", err);
			rc = 2;
			goto done;
		}
		printf("%s: ok (%d services, languages", c.cfg.path,
		       c.cfg.n_services);
		for (int i = 0; i < c.cfg.n_languages; i++)
			printf(" %s", c.cfg.languages[i]);
		printf(")\n");
		rc = 0;
	} else {
		usage(stderr);
		rc = 2;
	}
done:
	if (c.i18n_ready)
		i18n_free(&c.i18n);
	store_close(c.st);
	return rc;
}
