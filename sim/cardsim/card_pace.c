/*
 * card_pace.c — the card side of PACE (ICAO 9303 part 11 §4.4, BSI
 * TR-03110) through OpenPACE: generic mapping, ECDH on brainpoolP256r1,
 * AES-128 session keys (EF.CardAccess in lds.c lists nothing else).
 *
 *   terminal                                  card
 *   00 22 C1 A4 {80 OID, 83 01|02}      ->   9000 (MRZ | CAN chosen)
 *   10 86 00 00 {7C {}}                 ->   7C {80 E(K_pi, s)}
 *   10 86 00 00 {7C {81 PK_map,PCD}}    ->   7C {82 PK_map,PICC}
 *   10 86 00 00 {7C {83 PK_eph,PCD}}    ->   7C {84 PK_eph,PICC}
 *   00 86 00 00 {7C {85 T_PCD}}         ->   7C {86 T_PICC} 9000
 *                                            or 6300 (wrong CAN / MRZ)
 *
 * K_pi: the CAN as it is; for the MRZ, SHA-1 of the MRZ information
 * (document number, birth, expiry with check digits) handed to OpenPACE
 * as a raw secret, which is what OpenPACE's own MRZ encoding computes
 * (its MRZ parser only knows the TD1 layout). A wrong key shows only at
 * the last step: the terminal's token does not verify.
 */
#include "sim/cardsim/cardsim_int.h"

#include <string.h>

#include <openssl/buffer.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include "firmware/tlv.h"
#include "firmware/util.h"

static const uint8_t pace_oid[] = {    /* id-PACE-ECDH-GM-AES-CBC-CMAC-128 */
	0x04, 0x00, 0x7F, 0x00, 0x07, 0x02, 0x02, 0x04, 0x02, 0x02,
};

void cardsim__pace_reset(struct cardsim *c)
{
	c->pace_step = 0;
	PACE_SEC_clear_free(c->sec);
	c->sec = NULL;
	EAC_CTX_clear_free(c->eac);
	c->eac = NULL;
	BUF_MEM_clear_free(c->pcd_eph);
	c->pcd_eph = NULL;
	ERR_clear_error();
}

static PACE_SEC *make_secret(const struct cardsim *c, int key)
{
	char info[25];
	uint8_t h[20];
	PACE_SEC *s;

	if (key == 2)
		return PACE_SEC_new(c->h.can, strlen(c->h.can), PACE_CAN);
	cardsim__mrz_info(c, info);
	if (!EVP_Digest(info, 24, h, NULL, EVP_sha1(), NULL))
		return NULL;
	s = PACE_SEC_new((const char *)h, sizeof h, PACE_RAW);
	util_wipe(info, sizeof info);
	util_wipe(h, sizeof h);
	return s;
}

int cardsim__pace_mse(struct cardsim *c, const struct apdu *a)
{
	struct tlv oid, ref;
	size_t ca_len;
	const unsigned char *ca;

	cardsim__pace_reset(c);
	if (a->p1 != 0xC1 || a->p2 != 0xA4)
		return SW_WRONG_P1P2;
	if (!(c->h.access & CARDSIM_ACCESS_PACE))
		return SW_REF_NOT_FOUND;
	if (tlv_find(a->data, a->lc, 0x80, &oid) != BK_OK ||
	    tlv_find(a->data, a->lc, 0x83, &ref) != BK_OK || ref.len != 1)
		return SW_WRONG_DATA;
	if (oid.len != sizeof pace_oid ||
	    memcmp(oid.value, pace_oid, sizeof pace_oid))
		return SW_REF_NOT_FOUND;
	if (ref.value[0] != 1 && !(ref.value[0] == 2 && c->h.can[0]))
		return SW_REF_NOT_FOUND;       /* PIN, PUK: not on this card */
	ca = cardsim_file(c, CARDSIM_EF_CARDACCESS, &ca_len);
	c->eac = EAC_CTX_new();
	if (!c->eac || !EAC_CTX_init_ef_cardaccess(ca, ca_len, c->eac)) {
		cardsim__pace_reset(c);
		return 0x6F00;
	}
	c->pace_key = ref.value[0];
	c->pace_step = 1;
	return SW_OK;
}

/* 7C { tag value } into out. */
static size_t put_dynauth(uint8_t *out, size_t cap, uint32_t tag,
			  const BUF_MEM *v)
{
	uint8_t inner[600];
	size_t n = tlv_put(inner, sizeof inner, tag, (const uint8_t *)v->data,
			   v->length);

	return n ? tlv_put(out, cap, 0x7C, inner, n) : 0;
}

static BUF_MEM *take(const struct tlv *t)
{
	BUF_MEM *b = BUF_MEM_new();

	if (b && t->len && !BUF_MEM_grow(b, t->len)) {
		BUF_MEM_free(b);
		return NULL;
	}
	if (b && t->len)
		memcpy(b->data, t->value, t->len);
	return b;
}

int cardsim__pace_ga(struct cardsim *c, const struct apdu *a, uint8_t *out,
		     size_t cap, size_t *outlen)
{
	static const uint32_t want[5] = { 0, 0, 0x81, 0x83, 0x85 };
	struct tlv dyn, in;
	BUF_MEM *peer = NULL, *mine = NULL;
	int step = c->pace_step, sw = 0x6F00, last = !(a->cla & 0x10);

	if (step < 1 || step > 4 || last != (step == 4))
		goto conditions;
	if (tlv_read(a->data, a->lc, &dyn) != BK_OK || dyn.tag != 0x7C ||
	    dyn.size != a->lc) {
		sw = SW_WRONG_DATA;
		goto fail;
	}
	if (step == 1) {
		if (dyn.len != 0) {
			sw = SW_WRONG_DATA;
			goto fail;
		}
		c->sec = make_secret(c, c->pace_key);
		mine = c->sec ? PACE_STEP1_enc_nonce(c->eac, c->sec) : NULL;
		if (!mine)
			goto fail;
		*outlen = put_dynauth(out, cap, 0x80, mine);
		goto next;
	}
	if (tlv_find(dyn.value, dyn.len, want[step], &in) != BK_OK) {
		sw = SW_WRONG_DATA;
		goto fail;
	}
	peer = take(&in);
	if (!peer)
		goto fail;
	switch (step) {
	case 2:
		mine = PACE_STEP3A_generate_mapping_data(c->eac);
		if (!mine || !PACE_STEP3A_map_generator(c->eac, peer)) {
			sw = SW_WRONG_DATA;
			goto fail;
		}
		*outlen = put_dynauth(out, cap, 0x82, mine);
		break;
	case 3:
		mine = PACE_STEP3B_generate_ephemeral_key(c->eac);
		if (!mine || !PACE_STEP3B_compute_shared_secret(c->eac, peer) ||
		    !PACE_STEP3C_derive_keys(c->eac)) {
			sw = SW_WRONG_DATA;
			goto fail;
		}
		*outlen = put_dynauth(out, cap, 0x84, mine);
		c->pcd_eph = peer;
		peer = NULL;
		break;
	case 4: {
		const KA_CTX *ka = c->eac->pace_ctx->ka_ctx;

		if (PACE_STEP3D_verify_authentication_token(c->eac, peer) != 1) {
			sw = SW_AUTH_FAILED;       /* wrong CAN or MRZ */
			goto fail;
		}
		mine = PACE_STEP3D_compute_authentication_token(c->eac,
								c->pcd_eph);
		if (!mine || ka->k_enc->length != ka->k_mac->length ||
		    icao_sm_init(&c->sm, ICAO_SM_AES,
				 (const uint8_t *)ka->k_enc->data,
				 (const uint8_t *)ka->k_mac->data,
				 ka->k_enc->length) != BK_OK)
			goto fail;
		*outlen = put_dynauth(out, cap, 0x86, mine);
		if (!*outlen)
			goto fail;
		c->access_ok = 1;
		c->sm_active = 1;
		BUF_MEM_clear_free(mine);
		BUF_MEM_clear_free(peer);
		cardsim__pace_reset(c);
		return SW_OK;
	}
	}
next:
	if (!*outlen)
		goto fail;
	c->pace_step++;
	BUF_MEM_clear_free(mine);
	BUF_MEM_clear_free(peer);
	return SW_OK;
conditions:
	sw = SW_CONDITIONS;
fail:
	*outlen = 0;
	BUF_MEM_clear_free(mine);
	BUF_MEM_clear_free(peer);
	cardsim__pace_reset(c);
	return sw;
}
