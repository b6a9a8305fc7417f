/*
 * backoffice_forms.h — the reference back office's side of encrypted form
 * submissions ("form.submitted", docs/sync-protocol.md), and its read-only
 * HTML page for technicians.
 *
 * Ingest of one form.submitted event (bo_forms_open), before it is stored:
 *
 *   | check                                              | on failure     |
 *   |----------------------------------------------------|----------------|
 *   | data.reference is a valid reference (check symbol) | rejected       |
 *   | data.form_id is an id, data.jwe a string           | rejected       |
 *   | with a private key: the JWE decrypts (jwe.h)       | "cannot        |
 *   |   to a JSON object whose form_id and reference are |  decrypt"      |
 *   |   the outer ones and whose answers is an object    |                |
 *
 * Table submissions in backoffice.db (the back office may read them):
 *
 *   | column      | content                                            |
 *   |-------------|----------------------------------------------------|
 *   | event_id    | the event's id (primary key)                       |
 *   | reference   | data.reference                                     |
 *   | form_id     | data.form_id                                       |
 *   | kiosk_id    | the sending kiosk                                  |
 *   | received_at | when it was stored                                 |
 *   | answers     | the decrypted plaintext (JSON text)                |
 *
 * Without a private key a submission is held with its ciphertext only
 * (the events table keeps it; it can be decrypted later).
 *
 * The HTML page lists events (time, kiosk, type, ticket number or
 * reference, id) and never shows decrypted contents; every value is
 * HTML-escaped. Logs never carry plaintext.
 */
#ifndef BK_BACKOFFICE_FORMS_H
#define BK_BACKOFFICE_FORMS_H

#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>

#include "firmware/err.h"
#include "firmware/syncproto.h"
#include "firmware/util.h"

#define BO_FORMS_PAGE_ROWS 500    /* newest events on the page */

/* An opened submission, ready to store. Free with bo_form_free(). */
struct bo_form {
	char reference[16];
	char form_id[CONFIG_ID_MAX];
	char *answers;            /* decrypted JSON text, or NULL */
	size_t answers_len;
};

/* CREATE TABLE IF NOT EXISTS for the submissions table. 0 or -1. */
int bo_forms_schema(sqlite3 *db);

/* Checks (and with jwk, decrypts) a form.submitted event. Returns 0 with
 * *f filled, or -1 with *reason set (a fixed text, no contents). */
int bo_forms_open(const json_t *jwk, const struct syncproto_event *e,
		  struct bo_form *f, const char **reason);

/* Stores f (when it has answers) in the open transaction. 0 or -1. */
int bo_forms_store(sqlite3 *db, const struct syncproto_event *e,
		   const struct bo_form *f, const char *now);

/* Wipes and frees the plaintext. */
void bo_form_free(struct bo_form *f);

/* Writes one event as JSON: the event as received and, when decrypted,
 * "submission" with reference, form_id, received_at and the answers.
 * BK_ERR_NOTFOUND when the id is not held. */
bk_err bo_forms_show(sqlite3 *db, const char *id, FILE *f);

/* Appends the technicians' HTML page (newest BO_FORMS_PAGE_ROWS events)
 * to out. BK_OK, BK_ERR_IO or BK_ERR_NOMEM. */
bk_err bo_forms_page(sqlite3 *db, struct buf *out);

#endif
