/*
 * cardsim_int.h — the emulated card's state, shared by card.c (APDU
 * dispatch, files), card_pace.c, card_bac.c and lds.c. Not for callers of
 * cardsim.h.
 *
 * Card state (struct cardsim):
 *
 *   MF ──SELECT AID──▶ APP ──PACE/BAC ok──▶ APP+SM
 *    ▲                  │ ▲                    │
 *    └──reset / power───┴─┴─ wrong key (6300), SM error (6987/6988)
 *    ▲                                             │
 *    └──── a plain APDU during SM (then handled in the MF) ──┘
 *
 * Invariants:
 *   1. sm_active implies the keys in sm are those of the last successful
 *      PACE or BAC, and access_ok is 1.
 *   2. a file of the application other than EF.CardAccess is read only
 *      when access_ok is 1.
 *   3. pace_step is 0 unless an MSE:Set AT was accepted; each GENERAL
 *      AUTHENTICATE advances it by one (1..4); any error resets it to 0.
 */
#ifndef BK_CARDSIM_INT_H
#define BK_CARDSIM_INT_H

#include <stdint.h>

#include <eac/eac.h>
#include <eac/pace.h>

#include "firmware/icao_sm.h"
#include "sim/cardsim/cardsim.h"

/* ISO 7816-4 status words this card answers. */
#define SW_OK 0x9000
#define SW_AUTH_FAILED 0x6300
#define SW_WRONG_LENGTH 0x6700
#define SW_SM_MISSING 0x6987
#define SW_SM_WRONG 0x6988
#define SW_SECURITY 0x6982
#define SW_CONDITIONS 0x6985
#define SW_WRONG_DATA 0x6A80
#define SW_NOT_FOUND 0x6A82
#define SW_WRONG_P1P2 0x6B00
#define SW_INS 0x6D00
#define SW_CLA 0x6E00
#define SW_REF_NOT_FOUND 0x6A88

/* Files of the eMRTD application; index into cardsim.files. DG2 is a
 * placeholder (the SOD must list at least two data groups). */
#define CARDSIM_EF_DG2 CARDSIM_NFILES
#define CARDSIM_NALLFILES (CARDSIM_NFILES + 1)

struct cardsim {
	struct cardsim_holder h;
	char mrz[91];
	unsigned char *files[CARDSIM_NALLFILES];
	size_t flen[CARDSIM_NALLFILES];

	int app_selected;            /* else the MF is current */
	int cur_file;                /* index, -1 none */
	int access_ok;
	int sm_active;
	struct icao_sm sm;

	/* PACE */
	int pace_step;
	int pace_key;                /* 1 MRZ, 2 CAN */
	EAC_CTX *eac;
	PACE_SEC *sec;
	BUF_MEM *pcd_eph;

	/* BAC */
	struct icao_bac bac;
	int have_challenge;

	unsigned long napdu;
};

/* A parsed command APDU (ISO 7816-4 cases 1-4, short or extended). */
struct apdu {
	uint8_t cla, ins, p1, p2;
	const uint8_t *data;
	size_t lc;
	size_t le;                   /* 0: no Le; else Ne (256 / 65536 for 00) */
	int has_le;
	int extended;
};

/* Parses a command APDU. 0, or -1 when malformed. */
int cardsim__parse_apdu(const uint8_t *p, size_t n, struct apdu *a);

/* lds.c: builds every file of c (holder, MRZ set). 0, or -1 with err. */
int cardsim__build_files(struct cardsim *c, const struct cardsim_opts *o,
			 char *err, size_t errlen);

/* card_pace.c: MSE:Set AT and GENERAL AUTHENTICATE. Write the response
 * data to out (cap bytes), *outlen, and return the status word. */
int cardsim__pace_mse(struct cardsim *c, const struct apdu *a);
int cardsim__pace_ga(struct cardsim *c, const struct apdu *a, uint8_t *out,
		     size_t cap, size_t *outlen);
void cardsim__pace_reset(struct cardsim *c);

/* card_bac.c: GET CHALLENGE and EXTERNAL AUTHENTICATE. */
int cardsim__bac_challenge(struct cardsim *c, const struct apdu *a,
			   uint8_t *out, size_t *outlen);
int cardsim__bac_external_auth(struct cardsim *c, const struct apdu *a,
			       uint8_t *out, size_t *outlen);

/* The MRZ information of the holder: document number, date of birth and
 * date of expiry, each with its check digit (24 characters + NUL), from
 * the correct MRZ (also with --bad-check-digit: the chip's keys were made
 * from the true data). */
void cardsim__mrz_info(const struct cardsim *c, char out[25]);

#endif
