/*
 * card_bac.c — the card side of Basic Access Control (ICAO 9303 part 11
 * §4.3), on the one BAC and secure-messaging codec of firmware/icao_sm.h.
 *
 *   terminal                                  card
 *   00 84 00 00 08                      ->   RND.ICC (8) 9000
 *   00 82 00 00 28 E_IFD||M_IFD 28      ->   E_ICC||M_ICC 9000, session
 *                                            or 6300 (wrong MRZ: the MAC
 *                                            or RND.ICC does not check)
 *
 * A challenge is good for one EXTERNAL AUTHENTICATE; without one the card
 * answers 6985. K_seed comes from the holder's true MRZ information.
 */
#include "sim/cardsim/cardsim_int.h"

#include <string.h>

#include "firmware/util.h"

int cardsim__bac_challenge(struct cardsim *c, const struct apdu *a,
			   uint8_t *out, size_t *outlen)
{
	uint8_t kseed[16];

	*outlen = 0;
	c->have_challenge = 0;
	if (a->p1 || a->p2)
		return SW_WRONG_P1P2;
	if (!a->has_le || a->le != 8 || a->lc)
		return SW_WRONG_LENGTH;
	if (!(c->h.access & CARDSIM_ACCESS_BAC))
		return SW_INS;     /* PACE-only cards have no GET CHALLENGE for BAC */
	if (icao_bac_kseed(c->h.document_number, c->h.date_of_birth,
			   c->h.date_of_expiry, kseed) != BK_OK)
		return 0x6F00;
	icao_bac_init(&c->bac, kseed);
	util_wipe(kseed, sizeof kseed);
	util_random(c->bac.rnd_icc, sizeof c->bac.rnd_icc);
	memcpy(out, c->bac.rnd_icc, 8);
	*outlen = 8;
	c->have_challenge = 1;
	return SW_OK;
}

int cardsim__bac_external_auth(struct cardsim *c, const struct apdu *a,
			       uint8_t *out, size_t *outlen)
{
	struct icao_sm sm;
	bk_err rc;

	*outlen = 0;
	if (!c->have_challenge)
		return SW_CONDITIONS;
	c->have_challenge = 0;
	if (a->p1 || a->p2)
		return SW_WRONG_P1P2;
	if (a->lc != 40)
		return SW_WRONG_LENGTH;
	util_random(c->bac.k_icc, sizeof c->bac.k_icc);
	rc = icao_bac_card_answer(&c->bac, a->data, out, &sm);
	icao_bac_wipe(&c->bac);
	if (rc != BK_OK)
		return SW_AUTH_FAILED;
	c->sm = sm;
	icao_sm_wipe(&sm);
	c->access_ok = 1;
	c->sm_active = 1;
	*outlen = 40;
	return SW_OK;
}
