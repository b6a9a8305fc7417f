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
 *         "updated_at":"2026-11-24T17:01:02.345Z"}
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
 * Appointments carry NO names, birth dates or contact data: check-in is by
 * process number and booking code. Unknown members are ignored, duplicate
 * keys and bad UTF-8 are refused (jansson).
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
};

struct downsync_page {
	struct downsync_appt *appt; /* owned */
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

/* "YYYY-MM-DDTHH:MM:SS[.fff]Z" into ms since the epoch; 0 or -1. */
int downsync_proto_parse_time(const char *s, int64_t *ms);

/* Parses a 200 reply of GET /v1/appointments. On error *out is empty and
 * why says what was wrong (no field values: they might be personal data
 * one day). BK_ERR_PROTOCOL, BK_ERR_TOOLARGE, BK_ERR_NOMEM. Free with
 * downsync_page_free() either way. */
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
