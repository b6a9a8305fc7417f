/*
 * vpcd.h — the emulated card's link to pcscd's vpcd reader (vsmartcard).
 *
 * Wire format (TCP, the card program is the client; vpcd listens on
 * 35963 for "Virtual PCD 00 00", 35964 for "... 00 01"):
 *
 *   offset  size  field
 *   0       2     length N, big-endian
 *   2       N     payload
 *
 * From vpcd, N = 1 is a control byte: 00 power off, 01 power on, 02 reset
 * (no answer to these), 04 "send the ATR" (answered with the ATR); N > 1
 * is a command APDU, answered with the response APDU in the same framing.
 * Connecting is inserting the card, closing the socket is removing it.
 *
 * Not handled: vpcd's server mode (vpcd connecting out to the card).
 */
#ifndef BK_VPCD_H
#define BK_VPCD_H

#include <signal.h>

#include "sim/cardsim/cardsim.h"

/* Connects to host:port, retrying every 100 ms until wait_ms have passed
 * (pcscd may still be starting) or *stop is set. The socket, or -1 with a
 * message in err. */
int vpcd_connect(const char *host, int port, int wait_ms,
		 volatile sig_atomic_t *stop, char *err, size_t errlen);

enum vpcd_end {
	VPCD_END_CLOSED,     /* pcscd closed the connection */
	VPCD_END_STOPPED,    /* *stop was set (SIGTERM, SIGINT) */
	VPCD_END_PULLED,     /* pull_after APDUs answered, the next arrived */
	VPCD_END_ERROR,      /* a read or write failed, or a bad frame */
};

/* Serves the card on fd until one of the ends above; the caller closes fd
 * (which removes the card). pull_after < 0: never pulled. on_seen (may be
 * NULL) is called once, when pcscd first asks for the ATR: the reader has
 * seen the card and applications can connect. */
enum vpcd_end vpcd_serve(int fd, struct cardsim *card, long pull_after,
			 volatile sig_atomic_t *stop,
			 void (*on_seen)(void *arg), void *arg);

#endif
