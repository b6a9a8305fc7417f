/*
 * checkin.h — checking in for a booked appointment at the kiosk, by the
 * booking code on the confirmation (typed or scanned, bookingcode.h) or
 * by an ID document (surname and date of birth from DG1, issue 5).
 * docs/check-in.md tells the whole story.
 *
 * Outcomes (enum checkin_outcome) for the appointment that was found:
 *
 *   status      time (local)                         outcome
 *   booked      opens <= now <= closes               CHECKED_IN (new ticket)
 *   booked      now < opens (also a later day)       TOO_EARLY
 *   booked      now > closes                         TOO_LATE
 *   checked_in  any                                  ALREADY (same ticket)
 *   cancelled   any                                  CANCELLED
 *   (none)                                           UNKNOWN
 *
 *   opens  = slot_start - checkin.before_min (default 60)
 *   closes = slot_start + checkin.after_min  (default 15)
 *
 * CHECKED_IN happens in ONE BEGIN IMMEDIATE transaction: the ticket for
 * the appointment's service (kind "appointment": counters call these
 * first), its print job (rendered by the caller's callback, as in
 * queue_issue_ticket), the outbox event ticket.issued, the appointment
 * becoming checked_in with that ticket's id, and the outbox event
 * appointment.checked_in. Either all of it is stored or none. An I/O
 * error at COMMIT is settled by the event's row (outbox__commit); if the
 * outcome stays unknown the call returns BK_ERR_IO and a retry with the
 * same input answers ALREADY (it was stored) or checks in (it was not):
 * never two tickets for one appointment, because the appointment's status
 * is read and changed under the same write lock.
 *
 * ALREADY returns the ticket stored at the first check-in (same id, same
 * number, same print_job_id): the screen shows the same number. Nothing is
 * printed or stored again; whether the first job printed is the printer
 * thread's business (its job stays pending until it does). Should that
 * ticket be gone (a row checked in by an older release without one),
 * ALREADY comes with ticket.number "": say "already checked in" without
 * a number.
 *
 * By document: the kiosk never stores names. The down-sync stores a keyed
 * hash of the normalised surname and the date of birth per appointment
 * (appointments.h, "Holder key"); checkin_by_holder() computes the same
 * hash from the document's fields and looks among TODAY's appointments.
 * When several match, the one chosen is, in this order: a booked one in its
 * window (earliest slot) → CHECKED_IN; a checked-in one whose window has
 * not closed (latest) → ALREADY; a booked one still to come (earliest) →
 * TOO_EARLY; any checked-in one → ALREADY; a booked one whose window
 * closed (latest) → TOO_LATE; a cancelled one → CANCELLED.
 *
 * Threading: blocks on an fsync; call it on the store thread (ui/worker.c),
 * never on the UI thread. No personal data and no codes reach the log.
 *
 * This module does NOT print and does NOT parse typed or scanned text
 * (bookingcode.h does), and it does not read cards.
 */
#ifndef BK_CHECKIN_H
#define BK_CHECKIN_H

#include <stdint.h>

#include "firmware/config.h"
#include "firmware/err.h"
#include "firmware/queue.h"
#include "firmware/store.h"

enum checkin_outcome {
	CHECKIN_CHECKED_IN = 0, /* a new ticket: result.ticket */
	CHECKIN_ALREADY = 1,    /* checked in before: the same result.ticket */
	CHECKIN_TOO_EARLY = 2,  /* result.minutes_until_open, slot_start_ms */
	CHECKIN_TOO_LATE = 3,   /* result.slot_start_ms, closes_ms */
	CHECKIN_CANCELLED = 4,  /* the back office says it was cancelled */
	CHECKIN_UNKNOWN = 5,    /* no such appointment in the cache */
};

/* "checked_in", "already", "too_early", "too_late", "cancelled",
 * "unknown" (for logs, kioskctl --json and UI scripts). */
const char *checkin_outcome_name(enum checkin_outcome o);

struct checkin_result {
	enum checkin_outcome outcome;
	/* CHECKED_IN and ALREADY: the ticket (number, service, day,
	 * print_job_id, ahead, wait_minutes; ticket.reused = 1 for
	 * ALREADY). Zeroed otherwise. */
	struct ticket ticket;
	/* Every outcome but UNKNOWN: the appointment that was found. */
	char appointment_id[64];
	char service_id[CONFIG_ID_MAX];
	int64_t slot_start_ms;      /* UTC ms; format with localtime */
	int slot_minutes;
	int64_t opens_ms, closes_ms; /* the check-in window */
	/* TOO_EARLY: whole minutes until opens_ms, rounded up (>= 1). */
	int minutes_until_open;
	/* checkin_by_holder: how many of today's appointments matched
	 * (0 for UNKNOWN); 1 for checkin_by_code when found. */
	int matches;
};

/* Checks in by the confirmation's process number and booking code. Both
 * are normalised here as typed input is (bookingcode_normalise_process /
 * _code: spaces dropped, lower case raised, O→0 in the process number);
 * input that cannot be a booking code is UNKNOWN, not an error.
 *
 * lang: the citizen's language, one of cfg->languages (BK_ERR_INVALID
 * otherwise); render/render_ctx: the print job, as for
 * queue_issue_ticket (NULL: no job); now_ms: the clock (store_now_ms() in
 * production, a fixed time in tests; the ticket's day and created_ms come
 * from it too).
 *
 * Returns BK_OK with *out filled for every outcome above. Errors: BK_ERR_
 * BUSY (the database stayed locked: nothing happened, try again),
 * BK_ERR_IO / BK_ERR_FULL (outcome unknown after the lookup: retry the
 * same call), BK_ERR_EXHAUSTED (the service's numbers are used up today),
 * BK_ERR_CONFIG (the appointment's service is not configured on this
 * kiosk), BK_ERR_INVALID (bad lang or arguments). *out is zeroed on error.
 */
bk_err checkin_by_code(struct store *st, const struct config *cfg,
		       const char *process, const char *code,
		       const char *lang, queue_render_fn render,
		       void *render_ctx, int64_t now_ms,
		       struct checkin_result *out);

/* Checks in by an ID document: surname as the document gives it (DG1's
 * MRZ spelling "MUELLER" or "MUELLER<SCHMIDT", or any UTF-8 spelling:
 * it is normalised as in appointments_holder_normalise) and date_of_birth
 * "YYYY-MM-DD". Looks only at appointments of the local day of now_ms;
 * the choice among several is listed at the top. A surname that
 * normalises to nothing or a malformed date is UNKNOWN. The holder key
 * file is read (created on first use) next to the database
 * (appointments_holder_key_load). Same arguments, outcomes and errors as
 * checkin_by_code. The caller wipes its copies of the document fields; no
 * copy made here outlives the call (they are wiped). */
bk_err checkin_by_holder(struct store *st, const struct config *cfg,
			 const char *surname, const char *date_of_birth,
			 const char *lang, queue_render_fn render,
			 void *render_ctx, int64_t now_ms,
			 struct checkin_result *out);

#endif
