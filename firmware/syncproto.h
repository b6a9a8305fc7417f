/*
 * syncproto.h — the sync protocol's wire format (docs/sync-protocol.md),
 * both sides: the kiosk builds requests and parses replies, the back office
 * parses requests and builds replies.
 *
 * Request (POST /v1/events), built by concatenation so that a retry sends
 * the same bytes as the first attempt:
 *
 *     {"protocol":1,"kiosk_id":"K","site_id":"S","events":[B0,B1,...]}
 *
 * where Bi is outbox_event.body exactly as stored at enqueue (never parsed
 * and re-serialised). Reply (200, or 422 when every event of the batch
 * is an id conflict):
 *
 *     {"held":["<id>",...],"rejected":[{"id":"<id>","reason":"...",
 *                                       "status":422}]}
 *
 * ("status" only on conflicts: the id is held with a different body.)
 *
 * Properties:
 *  1. Pure functions: no I/O, no clocks, no globals; safe on any thread.
 *  2. Every parser here reads outside bytes: input size, array lengths and
 *     string lengths have hard caps (below), UTF-8 is checked (jansson),
 *     duplicate object keys are refused, unknown members are ignored.
 *  3. Ids are lower-case UUID text (8-4-4-4-12 hex digits), nothing else.
 *
 * This module does NOT talk HTTP, open the store or decide what a status
 * code means: sync.c (kiosk) and sim/backoffice.c (back office) do.
 */
#ifndef BK_SYNCPROTO_H
#define BK_SYNCPROTO_H

#include <stddef.h>

#include "firmware/config.h"
#include "firmware/err.h"
#include "firmware/outbox.h"
#include "firmware/util.h"

#define SYNCPROTO_VERSION 1
#define SYNCPROTO_MAX_EVENTS 1000           /* events per request */
#define SYNCPROTO_MAX_BODY ((size_t)4 << 20) /* request bytes */
#define SYNCPROTO_MAX_REPLY ((size_t)1 << 20) /* reply bytes */
#define SYNCPROTO_TYPE_MAX 32               /* type text incl. NUL */
#define SYNCPROTO_REASON_MAX 256            /* reason text incl. NUL */
#define SYNCPROTO_NUMBER_MAX 16             /* data.number incl. NUL */
#define SYNCPROTO_TIME_MAX 32               /* created_at incl. NUL */

/* 1 if s is a lower-case UUID text of exactly 36 characters. */
int syncproto_is_uuid(const char *s);

/* 1 if s is a configuration id: [a-z0-9_-], 1..CONFIG_ID_MAX-1 bytes. */
int syncproto_is_id(const char *s);

/* ---- kiosk side ---------------------------------------------------- */

/* Checks that a stored body can be sent: one JSON object whose "id" is
 * the outbox id. A body that fails would spoil every batch it is in, so
 * the caller parks it (outbox_mark_dead) with the text left in why.
 * BK_OK or BK_ERR_INVALID. */
bk_err syncproto_check_body(const char *body, const char *id, char *why,
			    size_t whylen);

/* Appends the request for ev[0..n) to out (which the caller zeroed or
 * emptied). Takes events in order while the request stays within
 * SYNCPROTO_MAX_BODY and SYNCPROTO_MAX_EVENTS; *n_used says how many (at
 * least 1 when n > 0, since one body is at most OUTBOX_BODY_MAX). The same
 * inputs always give the same bytes. BK_ERR_INVALID if kiosk_id or site_id
 * is not an id or n < 1, BK_ERR_NOMEM. */
bk_err syncproto_build_request(const char *kiosk_id, const char *site_id,
			       const struct outbox_event *ev, int n,
			       struct buf *out, int *n_used);

struct syncproto_rejected {
	char id[OUTBOX_ID_LEN];
	char reason[SYNCPROTO_REASON_MAX]; /* printable ASCII, maybe cut */
	int status;            /* 422: the id is held with another body; 0:
				  none given. Sent as "status" when not 0. */
};

struct syncproto_reply {
	char (*held)[OUTBOX_ID_LEN];
	int n_held;
	struct syncproto_rejected *rejected;
	int n_rejected;
};

/* Parses a 200 reply. Each list holds at most SYNCPROTO_MAX_EVENTS
 * entries, the input at most SYNCPROTO_MAX_REPLY bytes; an id in both
 * lists is an error. On BK_ERR_PROTOCOL (or BK_ERR_TOOLARGE) why says what
 * was wrong and *out is empty; free *out with syncproto_reply_free()
 * either way. */
bk_err syncproto_parse_reply(const char *data, size_t len,
			     struct syncproto_reply *out, char *why,
			     size_t whylen);
void syncproto_reply_free(struct syncproto_reply *r);

/* ---- back-office side ---------------------------------------------- */

struct syncproto_event {
	char id[OUTBOX_ID_LEN];
	char type[SYNCPROTO_TYPE_MAX];      /* "" when reject is set for it */
	char kiosk_id[CONFIG_ID_MAX];
	char number[SYNCPROTO_NUMBER_MAX];  /* data.number, "" if none */
	char created_at[SYNCPROTO_TIME_MAX];
	const char *raw;                    /* the event's bytes in the input */
	size_t raw_len;
	char reject[128];                   /* "" = acceptable, else why not */
};

struct syncproto_request {
	int protocol;
	char kiosk_id[CONFIG_ID_MAX];
	char site_id[CONFIG_ID_MAX];
	struct syncproto_event *ev;         /* owned; raw points into input */
	int n;
};

/* Parses a request body. BK_ERR_TOOLARGE when len > SYNCPROTO_MAX_BODY or
 * there are more than SYNCPROTO_MAX_EVENTS events; BK_ERR_PROTOCOL when the
 * envelope is malformed, an event is not an object or has no UUID id (the
 * reply could not name it). An event that is well-formed enough to name
 * but not acceptable (type, kiosk_id mismatch, missing created_at, bad
 * data) gets its reject text instead: the rest of the batch goes on.
 * ev[i].raw points into data, which must outlive *out. Free *out with
 * syncproto_request_free() either way. */
bk_err syncproto_parse_request(const char *data, size_t len,
			       struct syncproto_request *out, char *why,
			       size_t whylen);
void syncproto_request_free(struct syncproto_request *r);

/* Appends the reply JSON for r to out. BK_OK or BK_ERR_NOMEM. */
bk_err syncproto_build_reply(const struct syncproto_reply *r,
			     struct buf *out);

#endif
