/*
 * submission.h — a citizen's form submission: encrypted on the kiosk for
 * the back office (jwe.h) and pushed to the outbox as one "form.submitted"
 * event, in one transaction. The kiosk cannot read a submission back.
 *
 * The event body (docs/sync-protocol.md, "form.submitted"):
 *
 *   | member            | content                                         |
 *   |-------------------|-------------------------------------------------|
 *   | id                | UUID, the outbox id and idempotency key         |
 *   | type              | "form.submitted"                                |
 *   | kiosk_id, site_id | from the configuration                          |
 *   | created_at        | "YYYY-MM-DDTHH:MM:SS.mmmZ" (UTC)                |
 *   | data.reference    | "F-XXXXX-XXXXX", shown on the receipt           |
 *   | data.form_id      | the form's id ([a-z0-9_-])                      |
 *   | data.jwe          | compact JWE (RSA-OAEP-256, A256GCM) of the      |
 *   |                   | plaintext below                                 |
 *
 * The plaintext inside the JWE, so that the encrypted part names its own
 * form and reference (the back office compares them with the outer ones):
 *
 *     {"form_id":"...","reference":"...","created_at":"...","answers":{...}}
 *
 * (submission_submit_form() adds "form_version" and "lang" after form_id.)
 *
 * The reference: "F-" and ten symbols of Crockford's base 32 (0-9, A-Z
 * without I, L, O, U) in two groups of five; nine are random (45 bits),
 * the last is a Luhn mod 32 check symbol, so a mistyped or swapped symbol
 * is caught when a citizen reads it out on the phone.
 *
 * Properties:
 *  1. The plaintext answers are never stored, logged or kept: they are
 *     serialised into one buffer of exactly their size, encrypted, and the
 *     buffer is wiped (util_wipe) before submission_submit() returns.
 *  2. Refusals come before anything is written: no usable key
 *     (BK_ERR_CONFIG), free space in the data directory below
 *     store.min_free_mb (BK_ERR_FULL). Ticket issuing is not affected.
 *  3. The event is written with BEGIN IMMEDIATE ... COMMIT; an I/O error at
 *     COMMIT is resolved by looking the event up by its id (store.h, 4).
 *
 * This module does NOT render forms, validate answers against a form
 * definition, or print the receipt: the UI does.
 */
#ifndef BK_SUBMISSION_H
#define BK_SUBMISSION_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "firmware/config.h"
#include "firmware/err.h"
#include "firmware/outbox.h"
#include "firmware/store.h"

#define SUBMISSION_TYPE "form.submitted"
#define SUBMISSION_REF_LEN 14            /* "F-XXXXX-XXXXX" incl. NUL */
#define SUBMISSION_PLAIN_MAX 32768       /* serialised plaintext, hard cap */
#define SUBMISSION_ERR_MAX 256

struct submission_receipt {
	char reference[SUBMISSION_REF_LEN];
	char event_id[OUTBOX_ID_LEN];
};

/* Free space of the file system that holds the store, in MiB. */
bk_err submission_free_mb(const struct store *st, int64_t *mb);

/* Whether a submission would be taken now: BK_OK, BK_ERR_FULL (free space
 * below store.min_free_mb), BK_ERR_CONFIG (no usable key). The UI asks
 * before it shows a form, so the citizen learns before typing. why gets a
 * sentence for technicians (never shown to citizens as is). */
bk_err submission_can_accept(const struct store *st, const struct config *cfg,
			     char *why, size_t whylen);

/* Encrypts answers (a JSON object) for the back office and pushes the
 * "form.submitted" event. On BK_OK out holds the reference and the event
 * id. Errors: BK_ERR_INVALID (form_id not an id, answers not an object),
 * BK_ERR_TOOLARGE (plaintext over SUBMISSION_PLAIN_MAX), BK_ERR_CONFIG,
 * BK_ERR_FULL, store errors; why says which (no personal data). */
bk_err submission_submit(struct store *st, const struct config *cfg,
			 const char *form_id, const json_t *answers,
			 struct submission_receipt *out, char *why,
			 size_t whylen);

/* As submission_submit(), with the form's version (>= 1) and the
 * citizen's language (of FORMS_LANGS) added to the plaintext as
 * "form_version" and "lang", after "form_id" (forms_submit() in forms.h
 * calls this). version 0 and lang NULL leave them out. */
bk_err submission_submit_form(struct store *st, const struct config *cfg,
			      const char *form_id, int version,
			      const char *lang, const json_t *answers,
			      struct submission_receipt *out, char *why,
			      size_t whylen);

/* 1 when s is a well-formed reference with a correct check symbol. */
int submission_reference_valid(const char *s);

#endif
