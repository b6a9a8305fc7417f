/*
 * downsync_proto.h — the wire format of the down-sync (docs/sync-protocol.md,
 * "Down-sync"): the site's appointments as a delta by cursor, and the
 * service catalogue. Both sides: the kiosk parses replies, the back office
 * builds them with the same code, so the two cannot drift apart.
 *
 *   GET {url}/v1/appointments?site=SITE&cursor=C&limit=N     200:
 *     {"appointments":[A0,A1,...],"cursor":"NEXT","more":false}
 *   Ai = {"id":"...","process_number":"123456","booking_code":"K7QX2",
 *         "service_id":"reisepass","slot_start":"2026-11-25T08:30:00Z",
 *         "slot_minutes":15,"status":"booked",
 *         "updated_at":"2026-11-24T17:01:02.345Z",
 *         "holder":{"surname":"Müller","given_names":"Anna Lena",
 *                   "date_of_birth":"1985-03-14"}}        (optional)
 *
 *   GET {url}/v1/catalogue?site=SITE   200 (ETag) or 304 (If-None-Match):
 *     {"services":[{"id":"reisepass","letter":"B","name":"Reisepass",
 *                   "names":{"en":"Passport"}},...],"version":"..."}
 *
 * Field rules (hard caps; a violation refuses the whole reply, so a page
 * is applied whole or not at all):
 *
 *   member          rule
 *   id              [A-Za-z0-9._:-]{1,63}
 *   process_number  [A-Za-z0-9-]{1,23}
 *   booking_code    [A-Z0-9]{1,15}
 *   service_id      [a-z0-9_-]{1,47} (a configuration id)
 *   slot_start      YYYY-MM-DDTHH:MM:SS[.fff]Z, UTC
 *   slot_minutes    integer 1..480
 *   status          "booked" | "cancelled"
 *   updated_at      like slot_start
 *   holder          optional object; when present all three members:
 *   holder.surname  UTF-8 without control characters, 1..127 bytes
 *   holder.given_names  the same, 0..127 bytes
 *   holder.date_of_birth  YYYY-MM-DD, a calendar date 1900..2999
 *   cursor          [A-Za-z0-9._~-]{0,128} (URL-safe, sent back verbatim)
 *   more            true | false; true with an empty page is an error
 *   appointments    at most DOWNSYNC_PROTO_MAX_PAGE entries
 *   services        1..DOWNSYNC_PROTO_MAX_SERVICES, ids and letters unique
 *   letter          one of A-Z
 *   name, names.XX  UTF-8 without control characters, 1..127 bytes
 *   names           object, at most 8 languages [a-z]{2,3}
 *   version         printable ASCII without '"', 1..63 bytes
 *   reply size      at most SYNCPROTO_MAX_REPLY (1 MiB)
 *
 * The holder (schema 5, for check-in by ID document) is the only personal
 * data here. The kiosk keeps it in memory only between parsing and
 * applying a page: appointments_apply_page() stores a keyed hash of the
 * surname and the date of birth (appointments.h, "Holder key"), never the
 * names, and downsync_page_free() wipes them (util_wipe). Messages
 * (why) never quote a value. Unknown members are ignored, duplicate keys
 * and bad UTF-8 are refused (jansson).
 *
 * This module does NOT talk HTTP or touch the store (downsync.c and
 * appointments.c do). Pure functions, safe on any thread.
 */
#ifndef BK_DOWNSYNC_PROTO_H
#define BK_DOWNSYNC_PROTO_H

#include <stddef.h>
#include <stdint.h>

#include "firmware/config.h"
#include "firmware/err.h"
#include "firmware/util.h"

#define DOWNSYNC_PROTO_MAX_PAGE 500       /* appointments per reply */
#define DOWNSYNC_PROTO_DEFAULT_LIMIT 200  /* what the kiosk asks for */
#define DOWNSYNC_PROTO_ID_MAX 64          /* incl. NUL */
#define DOWNSYNC_PROTO_PROCESS_MAX 24
#define DOWNSYNC_PROTO_CODE_MAX 16
#define DOWNSYNC_PROTO_CURSOR_MAX 129
#define DOWNSYNC_PROTO_MAX_SERVICES 64
#define DOWNSYNC_PROTO_MAX_NAMES 8
#define DOWNSYNC_PROTO_VERSION_MAX 64
#define DOWNSYNC_PROTO_SLOT_MAX_MINUTES 480
#define DOWNSYNC_PROTO_NAME_MAX 128       /* holder names, incl. NUL */

/* The appointment's holder as the booking system spelled it. */
struct downsync_holder {
	char surname[DOWNSYNC_PROTO_NAME_MAX];
	char given_names[DOWNSYNC_PROTO_NAME_MAX];
	char date_of_birth[11];     /* YYYY-MM-DD */
};

/* One appointment as it travels. */
struct downsync_appt {
	char id[DOWNSYNC_PROTO_ID_MAX];
	char process_number[DOWNSYNC_PROTO_PROCESS_MAX];
	char booking_code[DOWNSYNC_PROTO_CODE_MAX];
	char service_id[CONFIG_ID_MAX];
	int64_t slot_start_ms;      /* UTC, ms since the epoch */
	int slot_minutes;
	int cancelled;              /* status: 0 booked, 1 cancelled */
	int64_t updated_ms;
	int has_holder;             /* holder is set */
	struct downsync_holder holder;
};

struct downsync_page {
	struct downsync_appt *appt; /* owned; wiped when freed */
	int n;
	char cursor[DOWNSYNC_PROTO_CURSOR_MAX];
	int more;
};

struct downsync_service {
	char id[CONFIG_ID_MAX];
	char letter;
	char name[CONFIG_TEXT_MAX];
	struct config_text names[DOWNSYNC_PROTO_MAX_NAMES];
	int n_names;
};

struct downsync_catalogue {
	struct downsync_service *svc; /* owned */
	int n;
	char version[DOWNSYNC_PROTO_VERSION_MAX];
};

/* 1 if s is a valid cursor (may be empty). */
int downsync_proto_is_cursor(const char *s);

/* 1 if s is "YYYY-MM-DD", a calendar date of the years 1900..2999. */
int downsync_proto_is_date(const char *s);

/* "YYYY-MM-DDTHH:MM:SS[.fff]Z" into ms since the epoch; 0 or -1. */
int downsync_proto_parse_time(const char *s, int64_t *ms);

/* Parses a 200 reply of GET /v1/appointments. On error *out is empty and
 * why says what was wrong (no field values: holders are personal data).
 * BK_ERR_PROTOCOL, BK_ERR_TOOLARGE, BK_ERR_NOMEM. Free with
 * downsync_page_free() either way (it wipes the holders). */
bk_err downsync_proto_parse_page(const char *data, size_t len,
				 struct downsync_page *out, char *why,
				 size_t whylen);
void downsync_page_free(struct downsync_page *p);

/* Parses a 200 reply of GET /v1/catalogue, same contract. */
bk_err downsync_proto_parse_catalogue(const char *data, size_t len,
				      struct downsync_catalogue *out,
				      char *why, size_t whylen);
void downsync_catalogue_free(struct downsync_catalogue *c);

/* Back office: appends the reply for a page / the catalogue to out. The
 * values must already satisfy the rules above (BK_ERR_INVALID if not), so
 * whatever is built here parses on the kiosk. */
bk_err downsync_proto_build_page(const struct downsync_page *p,
				 struct buf *out);
bk_err downsync_proto_build_catalogue(const struct downsync_catalogue *c,
				      struct buf *out);

/* Checks one appointment / service against the rules (both sides). */
int downsync_proto_appt_valid(const struct downsync_appt *a);
int downsync_proto_service_valid(const struct downsync_service *s);

#endif
