/*
 * icao_pace.h — PACE (ICAO 9303 part 11 §4.4, BSI TR-03110) for the
 * terminal, with OpenPACE (libeac) doing the cryptography, and the pieces
 * the card side (sim/cardsim) must agree on.
 *
 * Wire format (all plain APDUs, before secure messaging):
 *
 *   MSE:Set AT   00 22 C1 A4 Lc  80 L <PACE OID content>      (from EF.CardAccess)
 *                                83 01 01 (MRZ) | 02 (CAN)
 *                                [84 01 <parameterId>]        when PACEInfo has one
 *   GA 1         10 86 00 00 02  7C 00                          00
 *                -> 7C { 80 encrypted nonce }
 *   GA 2         10 86 00 00 Lc  7C { 81 mapping data }         00
 *                -> 7C { 82 card's mapping data }
 *   GA 3         10 86 00 00 Lc  7C { 83 ephemeral public key } 00
 *                -> 7C { 84 card's ephemeral public key }
 *   GA 4         00 86 00 00 Lc  7C { 85 authentication token } 00
 *                -> 7C { 86 card's token [87 CAR] [88 CAR] }
 *
 * A wrong password surfaces as 63 00 / 63 Cx / 69 82 (or any error word)
 * from the card in GA 4 (sometimes earlier): BK_ERR_ACCESS.
 *
 * Password: the CAN as its 6 ASCII digits (PACE_CAN); for the MRZ,
 * K = SHA-1(document number + cd || date of birth + cd || date of expiry +
 * cd), handed to OpenPACE as PACE_RAW (OpenPACE's own PACE_MRZ wants a
 * whole TD1 MRZ). The card side must encode the same way:
 * icao_pace_mrz_password().
 *
 * After GA 4 the session keys (OpenPACE's key context: 3DES or AES 128/
 * 192/256) go into a struct icao_sm with SSC 0: one SM codec for BAC and
 * PACE (icao_sm.h), not OpenPACE's EAC_encrypt/EAC_authenticate.
 *
 * Not here: chip authentication, terminal authentication, PACE-CAM, the
 * integrated mapping of ICAO's later editions (OpenPACE does DH/ECDH GM
 * and IM; what EF.CardAccess names is used).
 */
#ifndef BK_ICAO_PACE_H
#define BK_ICAO_PACE_H

#include <stddef.h>
#include <stdint.h>

#include "firmware/err.h"
#include "firmware/icao.h"
#include "firmware/icao_sm.h"

/* Registers OpenPACE's object identifiers once per process (EAC_init);
 * thread safe, idempotent. icao_read calls it. */
void icao_pace_init(void);

/* The MRZ password K = SHA-1(docno+cd || dob+cd || doe+cd) (20 bytes).
 * BK_ERR_INVALID for fields outside the MRZ alphabet or of wrong length. */
bk_err icao_pace_mrz_password(const char *docno, const char *dob,
			      const char *doe, uint8_t out[20]);

/* One APDU exchange for the protocol modules: counts APDUs, maps transport
 * errors. *sw is SW1 SW2; resp holds the data without them. */
struct icao_chan {
	const struct icao_transport *t;
	int apdus;
	char *err;
	size_t errlen;
};
bk_err icao__xmit(struct icao_chan *ch, const uint8_t *cmd, size_t n,
		  uint8_t *resp, size_t cap, size_t *rlen, unsigned *sw);

/* Runs PACE with EF.CardAccess (as read) and the access key; on BK_OK sm
 * holds the session. BK_ERR_ACCESS wrong CAN/MRZ, BK_ERR_NOTFOUND
 * EF.CardAccess names no PACE protocol OpenPACE knows, BK_ERR_PROTOCOL an
 * answer that does not fit, BK_ERR_AUTH the card's token is wrong (not a
 * genuine chip), transport errors as they come. */
bk_err icao__pace(struct icao_chan *ch, const uint8_t *cardaccess, size_t n,
		  const struct icao_access *a, struct icao_sm *sm);

#endif
