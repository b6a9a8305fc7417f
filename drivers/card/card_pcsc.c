/*
 * card_pcsc.c — the "pcsc:" backend: readers behind pcscd (pcsclite).
 *
 * Selection: the argument is a reader-name prefix ("" = any); the selected
 * reader is the first one pcscd lists that matches. It is looked up again
 * whenever pcscd reports a reader change, so a reader plugged in later, or
 * replaced, is found without reopening.
 *
 * Waiting: one SCardGetStatusChange() over two states, the selected reader
 * and the "\\?PnP?\Notification" pseudo-reader (its dwEventState carries
 * the reader count in the high 16 bits; a change means "list again").
 * The reader's last reported state is kept as dwCurrentState, so pcscd
 * wakes us exactly on a change; the high 16 bits of a reader's state count
 * insertions and removals, which tells a quick pull-and-replace from no
 * change at all. pcsclite's SCardCancel() only ends a wait already in
 * progress, so a cancel that lands between our flag check and pcsclite
 * entering the wait would be lost: the wait therefore runs in slices, the
 * flag checked before each. Cancels come mostly just as a wait begins (a
 * read requested, or the service stopped, right after the previous wait
 * returned), so the slices start short (WAIT_SLICE_FIRST_MS) and double up
 * to WAIT_SLICE_MS: a lost cancel costs at most a few tens of
 * milliseconds there, and an idle wait asks pcscd about once a second.
 *
 * Context life: pcscd may be absent at open or restart later; the context
 * is made on first use and dropped on SCARD_E_NO_SERVICE and friends, then
 * made again on the next call. Dropping it while a reader was selected
 * reports that reader as removed.
 *
 * Removal mid-exchange: pcscd reports SCARD_W_REMOVED_CARD or
 * SCARD_E_NO_SMARTCARD when it already knows; a card that vanished during
 * the exchange may first come back as a communication error
 * (SCARD_E_NOT_TRANSACTED, SCARD_F_COMM_ERROR ...). Then we ask the reader
 * and wait up to REMOVAL_GRACE_MS for it to notice an empty slot (vpcd
 * needs 0.3-0.6 s): empty → CARD_REMOVED, else CARD_ERROR.
 */
#include "drivers/card/card_int.h"

#include <PCSC/reader.h>
#include <PCSC/winscard.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WAIT_SLICE_FIRST_MS 25
#define WAIT_SLICE_MS 1000
#define REMOVAL_GRACE_MS 1500
#define PNP_NAME "\\\\?PnP?\\Notification"
#define STATE_GONE (SCARD_STATE_UNKNOWN | SCARD_STATE_UNAVAILABLE | \
		    SCARD_STATE_IGNORE)

struct pcsc {
	char prefix[CARD_NAME_MAX];

	pthread_mutex_t lock;      /* hctx/have_ctx vs card_cancel() */
	SCARDCONTEXT hctx;
	int have_ctx;
	int cancel_pending;

	/* card_wait()'s view of the selected reader */
	char sel[CARD_NAME_MAX];
	int have_sel;
	DWORD sel_state;           /* last dwEventState, 0 = not asked yet */
	DWORD pnp_state;
	struct card__evq q;

	SCARDHANDLE hcard;
	int connected;
	DWORD proto;
	char conn_reader[CARD_NAME_MAX];
};

static int service_gone(LONG rv)
{
	return rv == SCARD_E_NO_SERVICE || rv == SCARD_E_SERVICE_STOPPED ||
	       rv == SCARD_E_INVALID_HANDLE || rv == SCARD_F_INTERNAL_ERROR;
}

static card_err ensure_ctx(struct pcsc *p, char *err, size_t errlen)
{
	SCARDCONTEXT h;
	LONG rv;

	if (p->have_ctx)
		return CARD_OK;
	rv = SCardEstablishContext(SCARD_SCOPE_SYSTEM, NULL, NULL, &h);
	if (rv != SCARD_S_SUCCESS) {
		card__seterr(err, errlen, "PC/SC: %s (is pcscd running?)",
			     pcsc_stringify_error(rv));
		return CARD_NO_SERVICE;
	}
	pthread_mutex_lock(&p->lock);
	p->hctx = h;
	p->have_ctx = 1;
	p->pnp_state = 0;
	pthread_mutex_unlock(&p->lock);
	return CARD_OK;
}

/* pcscd went away: forget the context; the selected reader is gone too. */
static void drop_ctx(struct pcsc *p)
{
	if (p->connected) {
		SCardDisconnect(p->hcard, SCARD_LEAVE_CARD);
		p->connected = 0;
	}
	pthread_mutex_lock(&p->lock);
	if (p->have_ctx)
		SCardReleaseContext(p->hctx);
	p->have_ctx = 0;
	pthread_mutex_unlock(&p->lock);
	if (p->have_sel) {
		if (p->sel_state & SCARD_STATE_PRESENT)
			card__evq_push(&p->q, CARD_EV_CARD_REMOVED, p->sel);
		card__evq_push(&p->q, CARD_EV_READER_REMOVED, p->sel);
		p->have_sel = 0;
	}
}

/* The readers pcscd knows, as a multi-string (free with SCardFreeMemory),
 * or NULL when there are none. */
static card_err list_names(struct pcsc *p, char **names, char *err,
			   size_t errlen)
{
	DWORD len = SCARD_AUTOALLOCATE;
	LONG rv;

	*names = NULL;
	rv = SCardListReaders(p->hctx, NULL, (LPSTR)names, &len);
	if (rv == SCARD_E_NO_READERS_AVAILABLE) {
		*names = NULL;
		return CARD_OK;
	}
	if (rv != SCARD_S_SUCCESS) {
		*names = NULL;
		card__seterr(err, errlen, "PC/SC: listing readers: %s",
			     pcsc_stringify_error(rv));
		if (service_gone(rv)) {
			drop_ctx(p);
			return CARD_NO_SERVICE;
		}
		return CARD_ERROR;
	}
	return CARD_OK;
}

static int matches(const struct pcsc *p, const char *name)
{
	return !strncmp(name, p->prefix, strlen(p->prefix));
}

/* The first matching reader into out; 0 when none. */
static card_err find_selected(struct pcsc *p, char out[CARD_NAME_MAX],
			      int *found, char *err, size_t errlen)
{
	char *names;
	card_err rc = list_names(p, &names, err, errlen);
	int i = 0;

	*found = 0;
	if (rc != CARD_OK || !names)
		return rc;
	for (const char *s = names; *s && i < CARD_READERS_MAX;
	     s += strlen(s) + 1, i++)
		if (matches(p, s)) {
			snprintf(out, CARD_NAME_MAX, "%s", s);
			*found = 1;
			break;
		}
	SCardFreeMemory(p->hctx, names);
	return CARD_OK;
}

static card_err pcsc_open(void **ctx, const char *arg, char *err,
			  size_t errlen)
{
	struct pcsc *p;

	if (strlen(arg) >= CARD_NAME_MAX) {
		card__seterr(err, errlen, "pcsc: reader name too long");
		return CARD_URI;
	}
	p = calloc(1, sizeof *p);
	if (!p)
		return CARD_NOMEM;
	if (pthread_mutex_init(&p->lock, NULL) != 0) {
		free(p);
		return CARD_NOMEM;
	}
	snprintf(p->prefix, sizeof p->prefix, "%s", arg);
	ensure_ctx(p, NULL, 0);    /* pcscd may come later */
	*ctx = p;
	return CARD_OK;
}

static void pcsc_disconnect(void *ctx)
{
	struct pcsc *p = ctx;

	if (!p->connected)
		return;
	SCardDisconnect(p->hcard, SCARD_RESET_CARD);
	p->connected = 0;
}

static void pcsc_close(void *ctx)
{
	struct pcsc *p = ctx;

	pcsc_disconnect(p);
	if (p->have_ctx)
		SCardReleaseContext(p->hctx);
	pthread_mutex_destroy(&p->lock);
	free(p);
}

static card_err pcsc_list(void *ctx, struct card_reader_info *out,
			  size_t max, size_t *n, char *err, size_t errlen)
{
	struct pcsc *p = ctx;
	SCARD_READERSTATE st[CARD_READERS_MAX];
	char *names = NULL;
	size_t k = 0;
	int sel_done = 0;
	card_err rc;
	LONG rv;

	rc = ensure_ctx(p, err, errlen);
	if (rc == CARD_OK)
		rc = list_names(p, &names, err, errlen);
	if (rc != CARD_OK || !names)
		return rc;
	memset(st, 0, sizeof st);
	for (const char *s = names; *s && k < CARD_READERS_MAX && k < max;
	     s += strlen(s) + 1) {
		st[k].szReader = s;
		st[k].dwCurrentState = SCARD_STATE_UNAWARE;
		k++;
	}
	rv = k ? SCardGetStatusChange(p->hctx, 0, st, (DWORD)k)
	       : SCARD_S_SUCCESS;
	if (rv != SCARD_S_SUCCESS && rv != SCARD_E_TIMEOUT) {
		card__seterr(err, errlen, "PC/SC: reader states: %s",
			     pcsc_stringify_error(rv));
		rc = CARD_ERROR;
		goto out;
	}
	for (size_t i = 0; i < k; i++) {
		snprintf(out[i].name, sizeof out[i].name, "%s", st[i].szReader);
		out[i].card_present =
			(st[i].dwEventState & SCARD_STATE_PRESENT) != 0;
		out[i].selected = !sel_done && matches(p, st[i].szReader);
		sel_done |= out[i].selected;
	}
	*n = k;
out:
	SCardFreeMemory(p->hctx, names);
	return rc;
}

/* Turns the selected reader's new state into events. */
static void note_state(struct pcsc *p, DWORD now)
{
	DWORD was = p->sel_state;
	int was_in = (was & SCARD_STATE_PRESENT) != 0;
	int is_in = (now & SCARD_STATE_PRESENT) != 0;

	now &= ~(DWORD)SCARD_STATE_CHANGED;
	if (was == SCARD_STATE_UNAWARE) {
		if (is_in)
			card__evq_push(&p->q, CARD_EV_CARD_INSERTED, p->sel);
	} else if (was_in != is_in) {
		card__evq_push(&p->q, is_in ? CARD_EV_CARD_INSERTED
				       : CARD_EV_CARD_REMOVED, p->sel);
	} else if (is_in && (was >> 16) != (now >> 16)) {
		/* pulled and put back between two looks */
		card__evq_push(&p->q, CARD_EV_CARD_REMOVED, p->sel);
		card__evq_push(&p->q, CARD_EV_CARD_INSERTED, p->sel);
	}
	p->sel_state = now;
}

/* Lists again and reports the selected reader appearing, going or being
 * replaced by another one. */
static card_err reselect(struct pcsc *p, char *err, size_t errlen)
{
	char name[CARD_NAME_MAX];
	int found;
	card_err rc = find_selected(p, name, &found, err, errlen);

	if (rc != CARD_OK)
		return rc;
	if (p->have_sel && (!found || strcmp(name, p->sel))) {
		if (p->sel_state & SCARD_STATE_PRESENT)
			card__evq_push(&p->q, CARD_EV_CARD_REMOVED, p->sel);
		card__evq_push(&p->q, CARD_EV_READER_REMOVED, p->sel);
		p->have_sel = 0;
	}
	if (found && !p->have_sel) {
		snprintf(p->sel, sizeof p->sel, "%s", name);
		p->have_sel = 1;
		p->sel_state = SCARD_STATE_UNAWARE;
		card__evq_push(&p->q, CARD_EV_READER_ADDED, p->sel);
	}
	return CARD_OK;
}

static int take_cancel(struct pcsc *p)
{
	int c;

	pthread_mutex_lock(&p->lock);
	c = p->cancel_pending;
	p->cancel_pending = 0;
	pthread_mutex_unlock(&p->lock);
	return c;
}

static card_err pcsc_wait(void *ctx, int timeout_ms, struct card_event *ev,
			  char *err, size_t errlen)
{
	struct pcsc *p = ctx;
	long long deadline = timeout_ms < 0 ? -1
			   : card__now_ms() + timeout_ms;
	int relist = 1, slice_max = WAIT_SLICE_FIRST_MS;

	for (;;) {
		SCARD_READERSTATE st[2];
		DWORD n = 0, slice;
		long long left;
		card_err rc;
		LONG rv;

		if (card__evq_pop(&p->q, ev))
			return CARD_OK;
		if (take_cancel(p)) {
			card__seterr(err, errlen, "wait cancelled");
			return CARD_CANCELLED;
		}
		rc = ensure_ctx(p, err, errlen);
		if (rc == CARD_OK && relist)
			rc = reselect(p, err, errlen);
		if (card__evq_pop(&p->q, ev))
			return CARD_OK;
		if (rc != CARD_OK)
			return rc;
		relist = 0;

		left = deadline < 0 ? slice_max : deadline - card__now_ms();
		if (left < 0)
			left = 0;
		slice = (DWORD)(left < slice_max ? left : slice_max);
		if (slice_max < WAIT_SLICE_MS)
			slice_max *= 2;
		memset(st, 0, sizeof st);
		if (p->have_sel) {
			st[n].szReader = p->sel;
			st[n].dwCurrentState = p->sel_state;
			n++;
		}
		st[n].szReader = PNP_NAME;
		st[n].dwCurrentState = p->pnp_state;
		n++;
		rv = SCardGetStatusChange(p->hctx, slice, st, n);
		if (rv == SCARD_S_SUCCESS) {
			if (st[n - 1].dwEventState & SCARD_STATE_CHANGED) {
				p->pnp_state = st[n - 1].dwEventState &
					       ~(DWORD)SCARD_STATE_CHANGED;
				relist = 1;
			}
			if (n == 2 &&
			    (st[0].dwEventState & SCARD_STATE_CHANGED)) {
				if (st[0].dwEventState & STATE_GONE)
					relist = 1;
				else
					note_state(p, st[0].dwEventState);
			}
			continue;
		}
		if (rv == SCARD_E_TIMEOUT) {
			if (deadline >= 0 && card__now_ms() >= deadline) {
				card__seterr(err, errlen, "no card event "
					     "within %d ms", timeout_ms);
				return CARD_TIMEOUT;
			}
			continue;
		}
		if (rv == SCARD_E_CANCELLED) {
			take_cancel(p);
			card__seterr(err, errlen, "wait cancelled");
			return CARD_CANCELLED;
		}
		if (rv == SCARD_E_UNKNOWN_READER) {   /* gone since listed */
			relist = 1;
			continue;
		}
		if (service_gone(rv)) {
			drop_ctx(p);
			continue;     /* reports the removal, then NO_SERVICE */
		}
		card__seterr(err, errlen, "PC/SC: waiting for events: %s",
			     pcsc_stringify_error(rv));
		return CARD_ERROR;
	}
}

static void pcsc_cancel(void *ctx)
{
	struct pcsc *p = ctx;

	pthread_mutex_lock(&p->lock);
	p->cancel_pending = 1;
	if (p->have_ctx)
		SCardCancel(p->hctx);
	pthread_mutex_unlock(&p->lock);
}

static card_err map_connect(LONG rv, const char *reader, char *err,
			    size_t errlen)
{
	card_err rc;

	switch (rv) {
	case SCARD_E_NO_SMARTCARD:
	case SCARD_W_REMOVED_CARD:
		rc = CARD_NO_CARD;
		break;
	case SCARD_W_UNRESPONSIVE_CARD:
	case SCARD_W_UNPOWERED_CARD:
	case SCARD_W_UNSUPPORTED_CARD:
		card__seterr(err, errlen, "the card in \"%s\" does not answer "
			     "(%s)", reader, pcsc_stringify_error(rv));
		return CARD_NO_CARD;
	case SCARD_E_SHARING_VIOLATION:
		rc = CARD_BUSY;
		break;
	case SCARD_E_PROTO_MISMATCH:
		rc = CARD_PROTOCOL;
		break;
	case SCARD_E_UNKNOWN_READER:
	case SCARD_E_READER_UNAVAILABLE:
		rc = CARD_NO_READER;
		break;
	default:
		rc = service_gone(rv) ? CARD_NO_SERVICE : CARD_ERROR;
		break;
	}
	card__seterr(err, errlen, "%s: \"%s\" (%s)", card_strerror(rc), reader,
		     pcsc_stringify_error(rv));
	return rc;
}

/* 1 when the reader says it takes extended APDUs (SCARD_ATTR_MAXINPUT, as
 * the CCID driver answers); vpcd and other readers that do not answer the
 * attribute get 1 too when pcscd itself was built for extended APDUs
 * (its buffers are MAX_BUFFER_SIZE_EXTENDED, which Debian's is): they pass
 * APDUs through whole. A reader that answers a short limit gets 0. */
static int reader_extended(SCARDHANDLE h)
{
	unsigned char v[8];
	DWORD len = sizeof v;
	LONG rv = SCardGetAttrib(h, SCARD_ATTR_MAXINPUT, v, &len);
	unsigned long max = 0;

	if (rv != SCARD_S_SUCCESS || len < 1 || len > 4)
		return 1;
	for (DWORD i = 0; i < len; i++)
		max |= (unsigned long)v[i] << (8 * i);
	return max > 261;
}

static card_err pcsc_connect(void *ctx, struct card_info *info, char *err,
			     size_t errlen)
{
	struct pcsc *p = ctx;
	char name[CARD_NAME_MAX];
	unsigned char atr[MAX_ATR_SIZE];
	DWORD atr_len = sizeof atr, state, proto, rlen = 0;
	int found;
	card_err rc;
	LONG rv;

	rc = ensure_ctx(p, err, errlen);
	if (rc == CARD_OK)
		rc = find_selected(p, name, &found, err, errlen);
	if (rc != CARD_OK)
		return rc;
	if (!found) {
		card__seterr(err, errlen, p->prefix[0]
			     ? "no card reader named \"%s...\""
			     : "no card reader%s", p->prefix);
		return CARD_NO_READER;
	}
	rv = SCardConnect(p->hctx, name, SCARD_SHARE_EXCLUSIVE,
			  SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1, &p->hcard,
			  &p->proto);
	if (rv != SCARD_S_SUCCESS)
		return map_connect(rv, name, err, errlen);
	p->connected = 1;
	snprintf(p->conn_reader, sizeof p->conn_reader, "%s", name);
	rv = SCardStatus(p->hcard, NULL, &rlen, &state, &proto, atr, &atr_len);
	if (rv != SCARD_S_SUCCESS) {
		rc = map_connect(rv, name, err, errlen);
		pcsc_disconnect(p);
		return rc;
	}
	snprintf(info->reader, sizeof info->reader, "%s", name);
	info->atr_len = atr_len < CARD_ATR_MAX ? atr_len : CARD_ATR_MAX;
	memcpy(info->atr, atr, info->atr_len);
	info->protocol = p->proto == SCARD_PROTOCOL_T0 ? 0 : 1;
	info->extended_length = reader_extended(p->hcard);
	return CARD_OK;
}

/* After a communication error: has the card left the reader? Waits up to
 * REMOVAL_GRACE_MS for the reader to notice. */
static int card_gone(struct pcsc *p)
{
	SCARD_READERSTATE st;
	long long until = card__now_ms() + REMOVAL_GRACE_MS;

	memset(&st, 0, sizeof st);
	st.szReader = p->conn_reader;
	st.dwCurrentState = SCARD_STATE_UNAWARE;
	for (;;) {
		long long left = until - card__now_ms();
		LONG rv = SCardGetStatusChange(p->hctx,
					       left > 0 ? (DWORD)left : 0,
					       &st, 1);

		if (rv == SCARD_E_UNKNOWN_READER || service_gone(rv))
			return 1;
		if (rv != SCARD_S_SUCCESS)
			return 0;
		if (st.dwEventState & (SCARD_STATE_EMPTY | STATE_GONE))
			return 1;
		if (left <= 0)
			return 0;
		st.dwCurrentState = st.dwEventState &
				    ~(DWORD)SCARD_STATE_CHANGED;
	}
}

static card_err pcsc_transmit(void *ctx, const uint8_t *cmd, size_t n,
			      uint8_t *resp, size_t cap, size_t *rlen,
			      char *err, size_t errlen)
{
	struct pcsc *p = ctx;
	DWORD len = (DWORD)cap;
	card_err rc;
	LONG rv;

	*rlen = 0;
	rv = SCardTransmit(p->hcard, p->proto == SCARD_PROTOCOL_T0
			   ? SCARD_PCI_T0 : SCARD_PCI_T1, cmd, (DWORD)n, NULL,
			   resp, &len);
	if (rv == SCARD_S_SUCCESS && len >= 2) {
		*rlen = len;
		return CARD_OK;
	}
	if (rv == SCARD_S_SUCCESS) {
		/* an empty answer: vpcd's when the card left mid-exchange */
		rc = card_gone(p) ? CARD_REMOVED : CARD_PROTOCOL;
		card__seterr(err, errlen, "%s: \"%s\" (answer of %lu bytes)",
			     card_strerror(rc), p->conn_reader,
			     (unsigned long)len);
		return rc;
	}
	switch (rv) {
	case SCARD_W_REMOVED_CARD:
	case SCARD_E_NO_SMARTCARD:
		rc = CARD_REMOVED;
		break;
	case SCARD_E_INSUFFICIENT_BUFFER:
		rc = CARD_PROTOCOL;
		break;
	case SCARD_E_TIMEOUT:
		rc = CARD_TIMEOUT;
		break;
	case SCARD_W_RESET_CARD:
		rc = CARD_ERROR;     /* someone reset it: the session is lost */
		break;
	case SCARD_E_READER_UNAVAILABLE:
	case SCARD_E_UNKNOWN_READER:
		rc = CARD_REMOVED;   /* reader unplugged: the card went too */
		break;
	default:
		if (service_gone(rv))
			rc = CARD_REMOVED;
		else
			rc = card_gone(p) ? CARD_REMOVED : CARD_ERROR;
		break;
	}
	card__seterr(err, errlen, "%s: \"%s\" (%s)", card_strerror(rc),
		     p->conn_reader, pcsc_stringify_error(rv));
	return rc;
}

const struct card_backend card__pcsc_backend = {
	.name = "pcsc",
	.open = pcsc_open,
	.close = pcsc_close,
	.list = pcsc_list,
	.wait = pcsc_wait,
	.cancel = pcsc_cancel,
	.connect = pcsc_connect,
	.transmit = pcsc_transmit,
	.disconnect = pcsc_disconnect,
};
