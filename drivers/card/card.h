/*
 * card.h — the smart card reader: one public header for every backend.
 *
 * A reader is opened from a URI naming its backend:
 *
 *     pcsc:           the first reader pcscd lists (whichever that is at the
 *                     time of use: a reader plugged in later is found)
 *     pcsc:NAME       the first reader whose name starts with NAME
 *                     ("pcsc:Virtual PCD 00 01", "pcsc:REINER")
 *     virtual:        the in-process virtual reader of this process; its
 *                     card is a function table given to card_virtual_insert()
 *                     (the simulator and the tests; used only when named)
 *
 * What it does: lists readers; waits for events of the selected reader
 * (reader added or removed — pcscd's "\\?PnP?\Notification" pseudo-reader —
 * and card inserted or removed) with a timeout, cancellable from another
 * thread; connects (T=0 or T=1), transmits one APDU at a time (short or
 * extended length; 61xx is answered with GET RESPONSE and 6Cxx by sending
 * the command again with the right Le, so callers see one whole answer);
 * disconnects.
 *
 * What it does NOT do: know what the card is (ICAO 9303, PACE, secure
 * messaging are firmware/icao.[ch]), keep APDU contents anywhere (they may
 * hold personal data: nothing here logs or copies them beyond the call),
 * include anything from firmware/ or ui/.
 *
 * Threads: one struct card_reader is used by one thread at a time, with one
 * exception: card_cancel() may be called from any thread at any time.
 *
 * Caps on outside input: a response (after GET RESPONSE chaining) is never
 * longer than the caller's buffer or CARD_RESP_MAX; at most
 * CARD_GET_RESPONSE_MAX GET RESPONSE rounds; reader names are truncated to
 * CARD_NAME_MAX - 1 bytes; at most CARD_READERS_MAX readers are looked at.
 */
#ifndef BK_CARD_H
#define BK_CARD_H

#include <stddef.h>
#include <stdint.h>

#define CARD_NAME_MAX 128
#define CARD_ATR_MAX 33
#define CARD_READERS_MAX 16
#define CARD_CMD_MAX (4 + 3 + 65535 + 3)   /* extended case 4 */
#define CARD_RESP_MAX (65536 + 2)          /* data + SW1 SW2 */
#define CARD_GET_RESPONSE_MAX 64

/* One error enum for the card boundary; 0 is success, never renumbered. */
typedef enum card_err {
	CARD_OK = 0,
	CARD_ERROR = 1,        /* anything else the reader or pcscd reported */
	CARD_URI = 2,          /* unknown scheme or malformed URI */
	CARD_NOMEM = 3,
	CARD_NO_SERVICE = 4,   /* pcscd is not running */
	CARD_NO_READER = 5,    /* no (matching) reader is attached */
	CARD_NO_CARD = 6,      /* the reader has no card, or it is mute */
	CARD_REMOVED = 7,      /* the card was pulled while connected */
	CARD_TIMEOUT = 8,      /* nothing happened / no answer in time */
	CARD_CANCELLED = 9,    /* card_cancel() ended the wait */
	CARD_PROTOCOL = 10,    /* malformed APDU, answer too long, reader
				* cannot do extended length, no shared T= */
	CARD_BUSY = 11,        /* another program holds the card exclusively */
} card_err;

const char *card_strerror(card_err e);

/* What card_wait() reports, for the selected reader only. */
enum card_event_kind {
	CARD_EV_READER_ADDED = 1,   /* the selected reader is (now) there */
	CARD_EV_READER_REMOVED,     /* it went away (a card in it is gone too) */
	CARD_EV_CARD_INSERTED,
	CARD_EV_CARD_REMOVED,
};

struct card_event {
	enum card_event_kind kind;
	char reader[CARD_NAME_MAX];
};

const char *card_event_name(enum card_event_kind k);

struct card_reader_info {
	char name[CARD_NAME_MAX];
	int card_present;
	int selected;               /* the one this card_reader uses */
};

/* Filled by card_connect(). */
struct card_info {
	char reader[CARD_NAME_MAX];
	uint8_t atr[CARD_ATR_MAX];
	size_t atr_len;
	int protocol;               /* 0 (T=0) or 1 (T=1) */
	int extended_length;        /* 1: the reader takes extended APDUs */
};

struct card_reader;

/* Opens the backend named by uri. A pcsc: reader opens even when pcscd is
 * not running or no reader matches (both may come later; card_wait() and
 * card_connect() say so). On failure *out is NULL and err says why. */
card_err card_open(struct card_reader **out, const char *uri, char *err,
		   size_t errlen);
void card_close(struct card_reader *r);

/* The backend's name ("pcsc", "virtual"). */
const char *card_backend_name(const struct card_reader *r);

/* Every reader the backend sees (not only matching ones), in its order,
 * with whether a card is in it. *n is the count written (<= max). */
card_err card_list(struct card_reader *r, struct card_reader_info *out,
		   size_t max, size_t *n, char *err, size_t errlen);

/* Waits up to timeout_ms (-1: no limit) for the next event of the selected
 * reader. The first calls after card_open() report the state found as
 * events (READER_ADDED, then CARD_INSERTED if a card is in it), so a
 * caller needs no separate "initial state" query. Events that happened
 * together are returned one per call, in order; a card pulled and put back
 * between two calls comes as REMOVED then INSERTED.
 * CARD_TIMEOUT: nothing happened. CARD_CANCELLED: card_cancel() was called
 * (before or during the wait; one cancel ends one wait). CARD_NO_SERVICE:
 * pcscd is not running (returned at once; try again later). */
card_err card_wait(struct card_reader *r, int timeout_ms,
		   struct card_event *ev, char *err, size_t errlen);

/* Ends a card_wait() in progress on another thread, or the next one. */
void card_cancel(struct card_reader *r);

/* Connects to the card in the selected reader (T=0 or T=1, whichever the
 * card offers; exclusive while connected). CARD_NO_READER, CARD_NO_CARD,
 * CARD_BUSY or CARD_PROTOCOL when it cannot. info may be NULL. */
card_err card_connect(struct card_reader *r, struct card_info *info,
		      char *err, size_t errlen);

/* Sends one command APDU (CARD_CMD_MAX at most) and puts the whole answer,
 * data then SW1 SW2, into resp (*rlen bytes, >= 2 on success). 61xx is
 * followed by GET RESPONSE until the card is done, 6Cxx (wrong Le) by the
 * same command with Le = xx. CARD_REMOVED when the card was pulled,
 * CARD_PROTOCOL when the answer does not fit cap or an extended APDU is
 * given to a reader without extended length. The card's own status words
 * (6982, 6A82 ...) are CARD_OK: they are the caller's business. */
card_err card_transmit(struct card_reader *r, const uint8_t *cmd, size_t n,
		       uint8_t *resp, size_t cap, size_t *rlen, char *err,
		       size_t errlen);

/* Ends the connection and resets the card (a new session starts clean:
 * no secure-messaging keys survive). Harmless when not connected. */
void card_disconnect(struct card_reader *r);

/* ---- the virtual reader (backend "virtual:") ----
 *
 * One per process. A card is a function table: apdu() gets one command
 * APDU (no GET RESPONSE games needed; extended length is fine) and writes
 * the answer with SW1 SW2 into resp (cap bytes at most), returning 0, or
 * non-zero when the card is mute (the caller sees CARD_ERROR). atr may be
 * NULL (a T=1 default is reported). reset, when given, is called at every
 * card_connect() — a new session starts from a freshly powered card, as
 * pcsc's reset at disconnect gives a real one. apdu() and reset() are
 * called without any lock of the reader held, from the thread that called
 * card_transmit() / card_connect(). Fill it with designated initialisers
 * ({ .ctx = c, .apdu = f, .reset = r }): optional fields may be added.
 */
struct card_virtual_card {
	void *ctx;
	int (*apdu)(void *ctx, const uint8_t *cmd, size_t n, uint8_t *resp,
		    size_t cap, size_t *rlen);
	const uint8_t *atr;         /* optional */
	size_t atr_len;
	void (*reset)(void *ctx);   /* optional */
};

/* Places a copy of the table on the virtual reader (replacing a card that
 * is there, which counts as removed then inserted). ctx must stay valid
 * until card_virtual_remove() (or the next insert) has returned. */
void card_virtual_insert(const struct card_virtual_card *card);

/* Takes the card away: connected readers get CARD_REMOVED on their next
 * transmit, waiting ones CARD_EV_CARD_REMOVED. Waits for an apdu() call in
 * progress on another thread to return (so ctx may be freed afterwards);
 * may be called from inside apdu() itself (a card that pulls itself). */
void card_virtual_remove(void);

/* 1 when a card is on the virtual reader. */
int card_virtual_present(void);

#endif
