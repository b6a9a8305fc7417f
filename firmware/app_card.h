/*
 * app_card.h — the card session service: the ID-card reader watched on a
 * thread of its own, its events and document reads handed to whoever
 * polls (the UI once per frame, kioskctl, tests).
 *
 * It joins the card driver (drivers/card/card.h) and the document
 * protocol (firmware/icao.h), which know nothing of each other: the
 * driver is adapted to struct icao_transport here. Part of bkapp, like
 * app_ticket: the core (bkcore) still knows no device.
 *
 *   UI thread ──app_card_read(CAN|MRZ)──▶ card thread ──card_wait()──▶ reader
 *        ▲                                  │ connect, icao_read()
 *        └────── app_card_poll() ◀── events ┘ (mutex-protected queue)
 *
 * Events, in the order they happen:
 *   APP_CARD_READER_PRESENT  the configured reader is there (reader = name)
 *   APP_CARD_READER_ABSENT   it is not, or pcscd is not running (error says
 *                            which); also the first event when there is
 *                            no reader at start
 *   APP_CARD_INSERTED        a card was placed on the reader
 *   APP_CARD_REMOVED         it was taken away (also mid-read: the read then
 *                            ends with a RESULT of BK_ERR_REMOVED)
 *   APP_CARD_PROGRESS        a read advanced: step STARTED (connected,
 *                            reading begins), ACCESS_DONE (PACE or BAC
 *                            accepted, secure messaging on), FILE (files
 *                            = files begun under secure messaging so far:
 *                            EF.COM, EF.SOD, DG1 → 1, 2, 3)
 *   APP_CARD_RESULT          the read read_id ended: err BK_OK — the
 *                            document waits in the service and is taken
 *                            with app_card_take_document(); else
 *                            BK_ERR_ACCESS (wrong CAN or MRZ),
 *                            BK_ERR_REMOVED (card pulled, no card, no
 *                            reader), BK_ERR_TIMEOUT, BK_ERR_INVALID (a
 *                            check digit), BK_ERR_AUTH (passive
 *                            authentication failed: forged or altered),
 *                            BK_ERR_BUSY (another program holds the card),
 *                            BK_ERR_PROTOCOL / BK_ERR_IO (anything else)
 *
 * Invariants:
 *  1. Nothing here blocks the caller: app_card_read(), _poll(),
 *     _take_document() and _discard() only take the lock (the UI thread
 *     never touches the reader, not even to cancel a wait: a small waker
 *     thread does that). app_card_wait_event() blocks and is for programs
 *     without a frame loop (kioskctl, tests).
 *  2. At most one document is held, in memory only; it is wiped
 *     (icao_document_wipe) when taken, discarded, replaced by the next
 *     read, and at destroy. The CAN/MRZ of a request is wiped as soon as
 *     the read ends. Neither ever reaches a log, an event or a statistic:
 *     events carry no personal data.
 *  3. One read at a time; a RESULT follows every accepted app_card_read().
 *  4. The queue holds APP_CARD_QUEUE_MAX events; when full, the oldest
 *     event that is not a RESULT is dropped (a RESULT is never lost).
 */
#ifndef BK_APP_CARD_H
#define BK_APP_CARD_H

#include <stdint.h>

#include "drivers/card/card.h"
#include "firmware/err.h"
#include "firmware/icao.h"

#define APP_CARD_QUEUE_MAX 32

enum app_card_kind {
	APP_CARD_READER_PRESENT,
	APP_CARD_READER_ABSENT,
	APP_CARD_INSERTED,
	APP_CARD_REMOVED,
	APP_CARD_PROGRESS,
	APP_CARD_RESULT,
};

enum app_card_step {
	APP_CARD_STEP_STARTED,
	APP_CARD_STEP_ACCESS_DONE,
	APP_CARD_STEP_FILE,
};

struct app_card_event {
	enum app_card_kind kind;
	char reader[CARD_NAME_MAX];   /* reader events; "" otherwise */
	unsigned read_id;             /* PROGRESS, RESULT */
	enum app_card_step step;      /* PROGRESS */
	int files;                    /* PROGRESS FILE */
	bk_err err;                   /* RESULT (BK_OK: document ready) */
	char error[256];              /* RESULT, READER_ABSENT: for the
				       * technician, never personal data */
	struct icao_stats stats;      /* RESULT: APDUs, "PACE"/"BAC" */
	int64_t ms;                   /* RESULT: connect to end of read */
};

struct app_card;

/* Opens the reader named by uri (card.h: "pcsc:", "pcsc:NAME",
 * "virtual:") and starts the thread. csca_dir may be NULL or "" (passive
 * authentication then gives no_csca); it is copied. NULL with err on a bad
 * URI or when the thread cannot start. */
struct app_card *app_card_create(const char *uri, const char *csca_dir,
				 char *err, size_t errlen);

/* Stops the thread (a read in progress ends at its next APDU), wipes the
 * document, frees everything. */
void app_card_destroy(struct app_card *c);

/* Asks for a read of the card on the reader with this CAN or MRZ (copied,
 * then wiped by the service). Returns the read's id (> 0), or 0 when a
 * read is already running (its RESULT is still to come). */
unsigned app_card_read(struct app_card *c, const struct icao_access *a);

/* Takes the oldest event into *out: 1, or 0 when there is none. */
int app_card_poll(struct app_card *c, struct app_card_event *out);

/* Like app_card_poll() but waits up to timeout_ms (-1: no limit) for an
 * event. Not for the UI thread. */
int app_card_wait_event(struct app_card *c, int timeout_ms,
			struct app_card_event *out);

/* Moves the document of read read_id (0: whichever is held) into *out and
 * wipes the service's copy: 1, or 0 when none is held (already taken,
 * discarded, or the read failed). */
int app_card_take_document(struct app_card *c, unsigned read_id,
			   struct icao_document *out);

/* Wipes the held document, if any (session end, timeout). */
void app_card_discard(struct app_card *c);

/* The bk_err a card driver error stands for (the transport's mapping). */
bk_err app_card_map_err(card_err e);

#endif
