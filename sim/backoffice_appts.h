/*
 * backoffice_appts.h — the reference back office's side of the down-sync
 * (docs/sync-protocol.md, "Down-sync"): it keeps the sites' appointments
 * and service catalogues in DIR/backoffice.db and serves
 *
 *   GET /v1/appointments?site=S&cursor=C&limit=N   delta after cursor C
 *   GET /v1/catalogue?site=S                      with ETag / 304
 *
 * Tables (created on first use, next to the events table):
 *
 *   bo_appointments  id PK, site_id, process_number, booking_code,
 *                    service_id, slot_start_ms, slot_minutes, status
 *                    (booked|cancelled), updated_ms, change_seq UNIQUE,
 *                    holder_surname, holder_given_names,
 *                    holder_date_of_birth (NULL: no holder; added to an
 *                    older file on first use)
 *   bo_catalogue     (site_id, service_id) PK, letter, name, names (JSON)
 *
 * The cursor is the decimal change_seq of the last row sent. Every change
 * of an appointment (seed, cancel, move) gives the row the next change_seq
 * (max + 1 in the same transaction), so a delta "after C" holds exactly
 * what changed since C, in order, each row once in its latest state; rows
 * are never deleted (a deletion is status cancelled). The catalogue's
 * version is a hash of its content, the ETag that version in quotes.
 *
 * Demo data: process numbers are 6 digits, booking codes 5 characters from
 * an alphabet without 0/O, 1/I (bookingcode.h); nine in ten appointments
 * have a holder (German, Turkish, Ukrainian and Arabic names spelled as a
 * German booking system would, birth dates 1940-2008), sent in the
 * down-sync's holder object. The back office's log never names them.
 *
 * Not a production back office: no booking UI, no authentication here.
 */
#ifndef BK_BACKOFFICE_APPTS_H
#define BK_BACKOFFICE_APPTS_H

#include <microhttpd.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stddef.h>

#include "firmware/downsync_proto.h"
#include "firmware/err.h"

/* 1 if url is one of the two GET resources above. */
int backoffice_appts_route(const char *url);

/* Answers a request for one of them. db is used under lock. */
enum MHD_Result backoffice_appts_handle(sqlite3 *db, pthread_mutex_t *lock,
					struct MHD_Connection *conn,
					const char *url, const char *method);

/* Seeds n demo appointments for site, spread over today and the next four
 * days (local slots 08:00–15:45), and the site's catalogue from the
 * services of config_path (NULL: config_default_path()). */
bk_err backoffice_seed_demo(const char *data_dir, const char *site, int n,
			    const char *config_path, char *err,
			    size_t errlen);

/* One appointment today at local HH:MM for a known holder, from
 * "SURNAME,GIVEN,YYYY-MM-DD,SERVICE,HH:MM" (SERVICE a service of the
 * configuration), with a fresh process number and code; *out tells
 * them. */
struct backoffice_seeded {
	char id[DOWNSYNC_PROTO_ID_MAX];
	char process_number[DOWNSYNC_PROTO_PROCESS_MAX];
	char booking_code[DOWNSYNC_PROTO_CODE_MAX];
	int64_t slot_start_ms;
};
bk_err backoffice_seed_holder(const char *data_dir, const char *site,
			      const char *spec, const char *config_path,
			      struct backoffice_seeded *out, char *err,
			      size_t errlen);

/* Cancels one appointment / moves it to iso_time (UTC,
 * "YYYY-MM-DDTHH:MM:SSZ"); either appears in the next delta.
 * BK_ERR_NOTFOUND for an unknown id. */
bk_err backoffice_appt_cancel(const char *data_dir, const char *id,
			      char *err, size_t errlen);
bk_err backoffice_appt_move(const char *data_dir, const char *id,
			    const char *iso_time, char *err, size_t errlen);

/* The command-line side of kiosk-backoffice for these tables:
 *
 *   kiosk-backoffice --data-dir DIR --seed-demo N [--site SITE]
 *                    [--config FILE]
 *   kiosk-backoffice --data-dir DIR --seed-holder
 *                    "SURNAME,GIVEN,YYYY-MM-DD,SERVICE,HH:MM" [--site SITE]
 *                    [--config FILE]     prints id= process= code= slot=
 *   kiosk-backoffice --data-dir DIR --cancel ID
 *   kiosk-backoffice --data-dir DIR --move ID YYYY-MM-DDTHH:MM:SSZ
 *
 * Returns -1 when argv holds none of --seed-demo, --seed-holder, --cancel,
 * --move (the
 * caller goes on), else the exit code: 0 done, 1 failed, 2 usage. */
int backoffice_appts_main(int argc, char **argv);

#endif
