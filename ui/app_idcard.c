/*
 * app_idcard.c — the ID card in the session (app.h, invariant 14): check
 * in with the card (place it, type its CAN, the chip is read, today's
 * appointments are matched by name and birth date on the store thread),
 * and filling a form's name, birth date and nationality from the card
 * after the citizen agreed to it.
 *
 * The card service (firmware/app_card.h) reads on its own thread; this
 * file asks for a read and takes its events once per frame. A document
 * is taken, used and wiped in the same frame: for a check-in its surname
 * and birth date go into the worker's job (wiped there), for a form into
 * the answers (form_answers_prefill). Nothing of it is logged.
 *
 * It does NOT draw (screens_card.c) or talk to the reader itself.
 */
#include <stdio.h>
#include <string.h>

#include "firmware/log.h"
#include "firmware/util.h"
#include "ui/app.h"

#define CARD_READ_MAX_MS 30000   /* a read that takes longer has failed */

int app__card_screen(enum app_screen s)
{
	return s == APP_CARD || s == APP_CARD_READING ||
	       s == APP_PREFILL_CONSENT;
}

void app__card_wipe(struct app *app)
{
	textbuf_wipe(&app->can_tb);
	app->card_read_id = 0;
	app->card_prefill = 0;
	app->card_msg = NULL;
	if (app->card)
		app_card_discard(app->card);
}

static void show_card(struct app *app, const char *msg)
{
	app->card_msg = msg;
	textbuf_init(&app->can_tb, 7, 6);
	keyboard_init(&app->kb, KB_NUMERIC, ACT_KEY);
	app__show(app, APP_CARD, app__idle_deadline(app));
}

static void act_idcard(struct app *app)
{
	if (app->screen != APP_WELCOME || !app->card || !app->card_reader)
		return;
	util_uuid(app->request_key);
	app->card_prefill = 0;
	show_card(app, NULL);
}

static void act_read(struct app *app)
{
	struct icao_access a = { .kind = ICAO_ACCESS_CAN };
	unsigned id;

	if (app->screen != APP_CARD || app->can_tb.len != 6)
		return;
	if (!app->card_present) {
		app->card_msg = N_("Please place your ID card on the reader first.");
		app__rebuild(app);
		return;
	}
	memcpy(a.can, app->can_tb.data, 7);
	id = app_card_read(app->card, &a);
	util_wipe(&a, sizeof a);
	if (!id)
		return; /* a read is still running; its result comes first */
	app->card_step = 0;
	app__show(app, APP_CARD_READING, app->now + CARD_READ_MAX_MS);
	app->card_read_id = id;
}

/* Back from the card screens: to the form, or to the start. */
static void card_back(struct app *app)
{
	if (app->card_prefill) {
		app->card_prefill = 0;
		app__forms_refocus(app);
		app__show(app, APP_FORM_PAGE, app__idle_deadline(app));
		return;
	}
	app__end_session(app);
}

static void prefill(struct app *app, struct icao_document *doc)
{
	int n = 0;

	n += form_answers_prefill(app->answers, FORM_PREFILL_SURNAME,
				  doc->surname);
	n += form_answers_prefill(app->answers, FORM_PREFILL_GIVEN_NAMES,
				  doc->given_names);
	n += form_answers_prefill(app->answers, FORM_PREFILL_DATE_OF_BIRTH,
				  doc->date_of_birth);
	n += form_answers_prefill(app->answers, FORM_PREFILL_NATIONALITY,
				  doc->nationality);
	log_info("ui", "form %s: %d fields filled from an ID document",
		 app->form->id, n);
	app->card_prefill = 0;
	app->form_bad = -1;
	app__forms_refocus(app);
	app__show(app, APP_FORM_PAGE, app__idle_deadline(app));
}

static void on_result(struct app *app, const struct app_card_event *ev)
{
	struct icao_document doc;

	if (app->screen != APP_CARD_READING || ev->read_id != app->card_read_id) {
		app_card_discard(app->card); /* nobody waits for it */
		return;
	}
	app->card_read_id = 0;
	switch (ev->err) {
	case BK_OK:
		break;
	case BK_ERR_ACCESS:
		show_card(app, N_("The CAN was not accepted. Please check the six digits on the front of your card."));
		return;
	case BK_ERR_REMOVED:
		show_card(app, N_("The card was taken away too early. Please leave it on the reader until it has been read."));
		return;
	case BK_ERR_AUTH:
		log_warn("ui", "a document failed passive authentication");
		show_card(app, N_("This document could not be checked. Please ask at the reception desk."));
		return;
	default:
		log_warn("ui", "card read failed: %s", ev->error);
		show_card(app, N_("The card could not be read. Please try again."));
		return;
	}
	if (!app_card_take_document(app->card, ev->read_id, &doc)) {
		show_card(app, N_("The card could not be read. Please try again."));
		return;
	}
	if (app->card_prefill) {
		prefill(app, &doc);
	} else if (worker_post_checkin_holder(app->worker, doc.surname,
					      doc.date_of_birth, app->lang,
					      app->request_key) < 0) {
		show_card(app, N_("The card could not be read. Please try again."));
	} else {
		app->inflight = 1;
		app->ci_by_card = 1;
		app__show(app, APP_CHECKING, app->now + APP_ISSUING_MAX_MS);
	}
	icao_document_wipe(&doc);
}

void app__card_frame(struct app *app)
{
	struct app_card_event ev;
	int was_reader = app->card_reader, was_present = app->card_present;

	if (!app->card)
		return;
	while (app_card_poll(app->card, &ev)) {
		switch (ev.kind) {
		case APP_CARD_READER_PRESENT:
			app->card_reader = 1;
			break;
		case APP_CARD_READER_ABSENT:
			app->card_reader = 0;
			app->card_present = 0;
			break;
		case APP_CARD_INSERTED:
			app->card_present = 1;
			break;
		case APP_CARD_REMOVED:
			app->card_present = 0;
			break;
		case APP_CARD_PROGRESS:
			if (app->screen == APP_CARD_READING &&
			    ev.read_id == app->card_read_id) {
				app->card_step = ev.step == APP_CARD_STEP_FILE
					? 1 + ev.files : (int)ev.step + 1;
				app__fields_update(app);
			}
			break;
		case APP_CARD_RESULT:
			on_result(app, &ev);
			break;
		}
	}
	/* the welcome screen offers the card only while a reader is there;
	 * the card screen says whether a card lies on it */
	if ((app->screen == APP_WELCOME && was_reader != app->card_reader) ||
	    (app->screen == APP_CARD && was_present != app->card_present)) {
		if (app->screen == APP_CARD && app->card_present)
			app->card_msg = NULL;
		app__rebuild(app);
	}
}

void app__card_act(struct app *app, const struct widget *w)
{
	enum keyboard_result kr;

	switch ((enum app_action)w->action) {
	case ACT_IDCARD:
		act_idcard(app);
		return;
	case ACT_CARD_READ:
		act_read(app);
		return;
	case ACT_PREFILL:
		if (app->screen != APP_FORM_PAGE || !app->card ||
		    !app->card_reader)
			return;
		app->card_prefill = 1;
		app__show(app, APP_PREFILL_CONSENT, app__idle_deadline(app));
		return;
	case ACT_PREFILL_OK:
		if (app->screen == APP_PREFILL_CONSENT)
			show_card(app, NULL);
		return;
	case ACT_KEY:
		if (app->screen != APP_CARD)
			return;
		{	/* a CAN has digits only */
			const char *u = keyboard_key_utf8(app->kb.shown, 0,
							  w->arg);
			if (u && (u[0] < '0' || u[0] > '9'))
				return;
		}
		kr = keyboard_press(&app->kb, &app->can_tb, w->arg);
		if (kr == KB_ENTER)
			act_read(app);
		else if (kr != KB_IGNORED)
			app__fields_update(app);
		return;
	case ACT_BACK:
		card_back(app);
		return;
	case ACT_NONE:
		/* CARD_READING's deadline: no result in time */
		if (app->screen == APP_CARD_READING)
			show_card(app, N_("The card could not be read. Please try again."));
		return;
	default:
		return;
	}
}
