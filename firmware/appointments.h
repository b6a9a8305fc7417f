/*
 * appointments.h — the kiosk's cache of the site's appointments and of the
 * service catalogue, pulled down from the back office (downsync.h) so that
 * check-in by booking code keeps working offline.
 *
 * Tables (store.c, schema 2): appointments, catalogue, and in sync_state
 * the keys below. An appointment holds no name, birth date or contact:
 * process number and booking code are what the citizen has on paper, and
 * (schema 5) holder_key, a keyed hash of the holder — see below.
 *
 *   sync_state key        value
 *   appointments.cursor   the back office's cursor after the last page
 *   appointments.site     the site the cached rows belong to
 *   catalogue.etag        ETag of the cached catalogue ("" if none)
 *   catalogue.version     its "version" member
 *
 * Appointment status (appointments.status):
 *
 *   booked ◀──▶ cancelled          as the back office says (a delta)
 *   booked ──(check-in, issue 6)──▶ checked_in   the kiosk's own fact
 *
 * Invariants:
 *  1. A page and the cursor that follows it commit in ONE transaction
 *     (appointments_apply_page), so a crash between pages never skips a
 *     delta and never applies one twice in a way that matters (an upsert
 *     of the same values is harmless).
 *  2. checked_in is sticky: a later delta updates slot, service and codes
 *     but never turns a checked-in appointment back into booked or
 *     cancelled (the back office learns of the check-in from the outbox).
 *  3. Rows of past days are not kept: a page's appointments of an earlier
 *     local day are deleted instead of stored,
 *     appointments_purge_before removes what has become past at a day change.
 *  4. A change of site (configuration) drops the cached rows and starts
 *     the delta from the beginning.
 *  5. The catalogue is replaced whole, in one transaction with its ETag.
 *
 * Holder key (check-in by ID document, checkin.h):
 *
 *   holder_key = HMAC-SHA256(K, "BKH1\n" + FOLD(NORM(surname))[0..24) +
 *                               "\n" + date_of_birth)
 *
 *   K     32 random bytes in DATA-DIR/holder.key (next to kiosk.db, mode
 *         0600, made on first use like the ticket key; never leaves the
 *         kiosk, never synced)
 *   NORM  ICAO 9303 part 3 transliteration to the MRZ alphabet: upper
 *         case; Ä→AE Ö→OE Ü→UE ß→SS Å→AA Æ→AE Ø→OE Œ→OE Þ→TH Ĳ→IJ, other
 *         Latin letters with accents to their base letter (É→E, Ş→S,
 *         ı→I, Ł→L); space, '-', apostrophes, '.', ',' and '<' are
 *         separators, and names are compared without them. A name with
 *         characters outside Latin (Cyrillic, Arabic script) or digits has
 *         no key: that appointment cannot be found by document.
 *   FOLD  AE→A, OE→O, UE→U after NORM, so a German document's MUELLER,
 *         a Turkish passport's OZTURK and a booking typed "Mueller" or
 *         "Öztürk" all meet (states write Ü as UE or as U in the MRZ).
 *   [0..24) the first 24 characters: a TD1 card truncates long names to
 *         its 30-character name line, and never a surname below that.
 *
 * The names themselves are never stored: appointments_apply_page() hashes
 * them and downsync_page_free() wipes them.
 *
 * This module does NOT talk to the network (downsync.c does) and it never
 * logs codes, process numbers, names or keys.
 */
#ifndef BK_APPOINTMENTS_H
#define BK_APPOINTMENTS_H

#include <stdint.h>

#include "firmware/downsync_proto.h"
#include "firmware/err.h"
#include "firmware/store.h"

#define APPOINTMENTS_ETAG_MAX 128
#define APPOINTMENTS_HOLDER_KEY_FILE "holder.key"
#define APPOINTMENTS_HOLDER_CMP 24    /* characters of the surname hashed */
#define APPOINTMENTS_HOLDER_LEN 32    /* bytes of holder_key */

struct appointment {
	char id[DOWNSYNC_PROTO_ID_MAX];
	char process_number[DOWNSYNC_PROTO_PROCESS_MAX];
	char booking_code[DOWNSYNC_PROTO_CODE_MAX];
	char service_id[CONFIG_ID_MAX];
	char day[11];               /* local "YYYY-MM-DD" of the slot */
	int64_t slot_start_ms;
	int slot_minutes;
	char status[12];            /* "booked", "cancelled", "checked_in" */
	char ticket_id[37];         /* "" until checked in */
	int64_t updated_ms;         /* the back office's updated_at */
};

/* The cursor to ask for next: "" when nothing was pulled yet for site
 * (or the cache belongs to another site). out has
 * DOWNSYNC_PROTO_CURSOR_MAX bytes. */
bk_err appointments_cursor(struct store *st, const char *site, char *out);

/* Applies one page (invariants 1–4) and stores p->cursor as the new
 * cursor, in one BEGIN IMMEDIATE transaction. *stored and *removed (may be
 * NULL) count rows upserted and rows deleted as past. BK_ERR_INVALID if
 * site or a row breaks the protocol's rules. */
bk_err appointments_apply_page(struct store *st, const char *site,
			       const struct downsync_page *p, int *stored,
			       int *removed);

/* The appointment with this process number and booking code (the code is
 * compared in upper case), whatever its day and status: the caller (the
 * check-in) decides what a cancelled or other-day one means.
 * BK_ERR_NOTFOUND when there is none. */
bk_err appointments_find(struct store *st, const char *process_number,
			 const char *booking_code, struct appointment *out);

/* The appointments of local day ("YYYY-MM-DD"; NULL = today), by slot.
 * Fills up to max, count in *n. */
bk_err appointments_list_day(struct store *st, const char *day,
			     struct appointment *out, int max, int *n);

/* Deletes appointments of days before day (NULL = today); *n (may be
 * NULL) says how many. */
bk_err appointments_purge_before(struct store *st, const char *day, int *n);

/* Replaces the cached catalogue and its etag/version in one transaction.
 * BK_ERR_INVALID if a service breaks the rules or etag is too long. */
bk_err appointments_catalogue_replace(struct store *st,
				      const struct downsync_catalogue *c,
				      const char *etag);

/* The cached catalogue (c->n == 0 when none was pulled yet); free with
 * downsync_catalogue_free(). */
bk_err appointments_catalogue_read(struct store *st,
				   struct downsync_catalogue *c);

/* The cached catalogue's ETag, "" when none (out has
 * APPOINTMENTS_ETAG_MAX bytes). */
bk_err appointments_catalogue_etag(struct store *st, char *out);

/* The local day of a time, "YYYY-MM-DD". */
void appointments_local_day(int64_t ms, char out[11]);

/* NORM above: writes the transliterated name without separators into out
 * (outlen bytes incl. NUL) and returns its length, or -1 when it has a
 * character outside the table, is empty, or does not fit. */
int appointments_holder_normalise(const char *utf8, char *out, size_t outlen);

/* The holder key as above. BK_ERR_INVALID when the surname has no key
 * (NORM fails) or date_of_birth is not YYYY-MM-DD. Wipes its copies. */
bk_err appointments_holder_digest(const unsigned char key[32],
				  const char *surname,
				  const char *date_of_birth,
				  unsigned char out[APPOINTMENTS_HOLDER_LEN]);

/* Loads K from holder.key in the directory of st's database, creating it
 * on first use. BK_ERR_IO (logged, no key bytes) when it cannot. */
bk_err appointments_holder_key_load(struct store *st, unsigned char key[32]);

/* The appointments of local day whose holder_key is digest, by slot.
 * Fills up to max, count in *n. */
bk_err appointments_find_holder(struct store *st, const char *day,
				const unsigned char digest[APPOINTMENTS_HOLDER_LEN],
				struct appointment *out, int max, int *n);

/* For checkin.c, inside its transaction: booked → checked_in with
 * ticket_id. BK_ERR_NOTFOUND when the row is not booked any more. */
bk_err appointments__mark_checked_in(struct store *st, const char *id,
				     const char *ticket_id);

#endif
