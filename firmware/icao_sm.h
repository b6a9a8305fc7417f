/*
 * icao_sm.h — secure messaging of ICAO 9303 part 11 (ISO/IEC 7816-4 SM),
 * one codec for both directions and both ciphers, and Basic Access Control
 * (key derivation and mutual authentication, terminal and card side).
 *
 * The same struct icao_sm carries a session after BAC (3DES) and after PACE
 * (3DES or AES keys taken from OpenPACE, see icao_pace.h), so the terminal
 * (icao.c) and the card emulator (sim/cardsim) share one implementation.
 *
 *                 3DES (BAC, PACE-3DES)          AES (PACE-AES-128/192/256)
 *   encryption    2-key 3DES CBC, IV 0           AES CBC, IV = E(KSenc, SSC)
 *   MAC           ISO 9797-1 alg. 3 (retail      AES-CMAC, first 8 bytes
 *                 MAC), DES, 8 bytes
 *   SSC           8 bytes                        16 bytes
 *   padding       ISO 9797-1 method 2 (80 00..) to the block size (8 / 16)
 *
 * The SSC is incremented before every command and before every response,
 * so a command and its answer use SSC+1 and SSC+2.
 *
 * Protected command (CLA | 0x0C, INS, P1, P2 unchanged):
 *   DO'87' = 87 L 01 || E(KSenc, pad(data))       when the command has data
 *   DO'97' = 97 01|02 Le                          when the command has Le
 *   DO'8E' = 8E 08 MAC(SSC || pad(CLA' INS P1 P2) || DO87 || DO97)
 *   Le' = 00 (or 00 00 in extended form)
 * Protected response:
 *   DO'87' (data) || DO'99' = 99 02 SW1 SW2 || DO'8E' = 8E 08
 *   MAC(SSC || DO87 || DO99) || SW1 SW2
 * Extended length (Lc' > 255 or Le > 256) is used only when needed; odd
 * INS (DO'85', READ BINARY B1) is not supported (BK_ERR_INVALID).
 *
 * What this module does NOT do: send anything, choose files, or handle an
 * answer the card sends without SM objects other than a bare status word
 * (see icao_sm_unprotect_response).
 *
 * Keys live in the caller's structs; icao_sm_wipe/icao_bac_wipe clear them.
 */
#ifndef BK_ICAO_SM_H
#define BK_ICAO_SM_H

#include <stddef.h>
#include <stdint.h>

#include "firmware/err.h"

enum icao_sm_alg { ICAO_SM_3DES, ICAO_SM_AES };

struct icao_sm {
	enum icao_sm_alg alg;
	uint8_t kenc[32], kmac[32];
	size_t klen;      /* 16 for 3DES (K1||K2); 16, 24 or 32 for AES */
	uint8_t ssc[16];  /* big-endian counter; 8 bytes used for 3DES */
};

/* Largest APDU the codec builds or takes (extended length). */
#define ICAO_SM_APDU_MAX 65544

/* Starts a session with the given keys and SSC 0 (PACE). BK_ERR_INVALID
 * for a key length the algorithm does not take. */
bk_err icao_sm_init(struct icao_sm *sm, enum icao_sm_alg alg,
		    const uint8_t *kenc, const uint8_t *kmac, size_t klen);

/* Terminal: a plain command APDU (ISO 7816-4 cases 1-4, short or extended)
 * -> its protected form. BK_ERR_INVALID for a malformed APDU or odd INS,
 * BK_ERR_TOOLARGE when out is too small. */
bk_err icao_sm_protect_command(struct icao_sm *sm, const uint8_t *apdu,
			       size_t n, uint8_t *out, size_t cap,
			       size_t *outlen);

/* Terminal: a protected response (with SW1 SW2) -> plain data || SW1 SW2.
 * BK_ERR_AUTH when the MAC is missing or wrong, or DO'99' disagrees with
 * the trailing status word; BK_ERR_PROTOCOL when the objects are malformed.
 * A response of only a status word other than 9000 (cards answer SM errors
 * 6987/6988, and some cards other errors, without SM) is passed through as
 * is with BK_OK: the caller sees the error word; the session is then no
 * longer usable (the card dropped it). */
bk_err icao_sm_unprotect_response(struct icao_sm *sm, const uint8_t *resp,
				  size_t n, uint8_t *out, size_t cap,
				  size_t *outlen);

/* Card: a protected command -> the plain command APDU (CLA with the SM
 * bits cleared, Lc/data from DO'87', Le from DO'97'; extended form when
 * needed). BK_ERR_AUTH for a wrong or missing MAC (answer 6988 and end the
 * session), BK_ERR_INVALID for a malformed command (answer 6987). */
bk_err icao_sm_unprotect_command(struct icao_sm *sm, const uint8_t *apdu,
				 size_t n, uint8_t *out, size_t cap,
				 size_t *outlen);

/* Card: a plain response (data || SW1 SW2, n >= 2) -> protected response
 * (DO'87' when there is data, DO'99', DO'8E', SW1 SW2). */
bk_err icao_sm_protect_response(struct icao_sm *sm, const uint8_t *resp,
				size_t n, uint8_t *out, size_t cap,
				size_t *outlen);

void icao_sm_wipe(struct icao_sm *sm);

/* ---- Basic Access Control (ICAO 9303 part 11 §4.3, appendix D) ---- */

/* K_seed = first 16 bytes of SHA-1(docno+cd || dob+cd || doe+cd). docno
 * with or without '<' fillers (padded to 9, longer refused), dob and doe
 * YYMMDD. BK_ERR_INVALID for characters outside the MRZ alphabet. */
bk_err icao_bac_kseed(const char *docno, const char *dob, const char *doe,
		      uint8_t kseed[16]);

/* Key derivation: first 16 bytes of SHA-1(seed || counter big-endian 32),
 * DES parity bits adjusted. counter 1 = Kenc, 2 = Kmac. */
void icao_bac_derive(const uint8_t *seed, size_t seedlen, uint32_t counter,
		     uint8_t out[16]);

/* Mutual authentication. Both sides fill a struct icao_bac:
 *   terminal: icao_bac_init(&b, kseed); GET CHALLENGE -> b.rnd_icc;
 *             b.rnd_ifd, b.k_ifd random (util_random; tests put the
 *             published values); icao_bac_terminal_cmd(&b, data) ->
 *             EXTERNAL AUTHENTICATE 00 82 00 00 28 data 28;
 *             icao_bac_terminal_finish(&b, answer40, &sm) -> session.
 *   card:     icao_bac_init(&b, kseed); b.rnd_icc random, answered to GET
 *             CHALLENGE; b.k_icc random; icao_bac_card_answer(&b, data40,
 *             answer40, &sm) -> answer 9000 with answer40 and use sm.
 * Session keys from K_seed' = K_IFD xor K_ICC (counters 1 and 2), SSC =
 * RND.ICC[4..7] || RND.IFD[4..7]. */
struct icao_bac {
	uint8_t kenc[16], kmac[16];   /* from K_seed */
	uint8_t rnd_icc[8], rnd_ifd[8];
	uint8_t k_ifd[16], k_icc[16];
};

void icao_bac_init(struct icao_bac *b, const uint8_t kseed[16]);

/* E_IFD || M_IFD: E(Kenc, RND.IFD || RND.ICC || K_IFD) and its retail MAC. */
void icao_bac_terminal_cmd(struct icao_bac *b, uint8_t out[40]);

/* Checks the card's E_ICC || M_ICC, RND.IFD and RND.ICC inside it, takes
 * K_ICC, and starts sm. BK_ERR_AUTH when the MAC or a nonce is wrong. */
bk_err icao_bac_terminal_finish(struct icao_bac *b, const uint8_t in[40],
				struct icao_sm *sm);

/* Card side: checks the terminal's E_IFD || M_IFD (MAC, RND.ICC), takes
 * RND.IFD and K_IFD, writes E_ICC || M_ICC to out and starts sm.
 * BK_ERR_AUTH when the MAC or RND.ICC is wrong (answer 6300, no session). */
bk_err icao_bac_card_answer(struct icao_bac *b, const uint8_t in[40],
			    uint8_t out[40], struct icao_sm *sm);

void icao_bac_wipe(struct icao_bac *b);

#endif
