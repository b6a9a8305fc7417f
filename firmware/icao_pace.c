/* icao_pace.c — PACE terminal side over OpenPACE (see icao_pace.h). */
#include "firmware/icao_pace.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <eac/eac.h>
#include <eac/objects.h>
#include <eac/pace.h>
#include <openssl/buffer.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>

#include "firmware/mrz.h"
#include "firmware/tlv.h"
#include "firmware/util.h"

static pthread_once_t eac_once = PTHREAD_ONCE_INIT;

static void eac_init_once(void)
{
	EAC_init();
}

void icao_pace_init(void)
{
	pthread_once(&eac_once, eac_init_once);
}

static void seterr(char *err, size_t errlen, const char *msg)
{
	if (err && errlen)
		snprintf(err, errlen, "%s", msg);
}

bk_err icao_pace_mrz_password(const char *docno, const char *dob,
			      const char *doe, uint8_t out[20])
{
	char info[24];
	size_t l = strlen(docno);
	unsigned int mdl = 0;
	bk_err rc = BK_ERR_INVALID;

	memset(out, 0, 20);
	if (l == 0 || l > 9 || strlen(dob) != 6 || strlen(doe) != 6)
		return BK_ERR_INVALID;
	memcpy(info, docno, l);
	memset(info + l, '<', 9 - l);
	memcpy(info + 10, dob, 6);
	memcpy(info + 17, doe, 6);
	info[9] = mrz_check_digit(info, 9);
	info[16] = mrz_check_digit(info + 10, 6);
	info[23] = mrz_check_digit(info + 17, 6);
	if (info[9] && info[16] && info[23] &&
	    EVP_Digest(info, sizeof info, out, &mdl, EVP_sha1(), NULL) == 1)
		rc = BK_OK;
	util_wipe(info, sizeof info);
	return rc;
}

bk_err icao__xmit(struct icao_chan *ch, const uint8_t *cmd, size_t n,
		  uint8_t *resp, size_t cap, size_t *rlen, unsigned *sw)
{
	size_t got = 0;
	bk_err rc;

	*rlen = 0;
	*sw = 0;
	ch->apdus++;
	rc = ch->t->transmit(ch->t->ctx, cmd, n, resp, cap, &got, ch->err,
			     ch->errlen);
	if (rc != BK_OK) {
		util_wipe(resp, cap);
		return rc;
	}
	if (got < 2 || got > cap) {
		seterr(ch->err, ch->errlen, "the card answered without a status word");
		return BK_ERR_PROTOCOL;
	}
	*sw = (unsigned)resp[got - 2] << 8 | resp[got - 1];
	*rlen = got - 2;
	return BK_OK;
}

/* Is the status word a refusal of the password? */
static int sw_denied(unsigned sw)
{
	return (sw & 0xFF00) == 0x6300 || sw == 0x6982 || sw == 0x6983 ||
	       sw == 0x6984;
}

/* One General Authenticate step: sends 7C { tag_out data } (or 7C 00 when
 * data is NULL) and finds tag_in in the answer's 7C. */
static bk_err ga(struct icao_chan *ch, int last, uint8_t tag_out,
		 const BUF_MEM *data, uint8_t tag_in, BUF_MEM **out)
{
	uint8_t cmd[600], resp[600], inner[560];
	size_t n = 0, in = 0, rlen, lc;
	struct tlv t, f;
	unsigned sw;
	int ext;
	bk_err rc;

	*out = NULL;
	if (data) {
		in = tlv_put(inner, sizeof inner, tag_out,
			     (const uint8_t *)data->data, data->length);
		if (in == 0)
			return BK_ERR_PROTOCOL;
	}
	lc = tlv_header_size(0x7C, in) + in;
	ext = lc > 255;   /* DH with 2048-bit groups needs extended APDUs */

	cmd[n++] = last ? 0x00 : 0x10;
	cmd[n++] = 0x86;
	cmd[n++] = 0x00;
	cmd[n++] = 0x00;
	if (ext) {
		cmd[n++] = 0x00;
		cmd[n++] = (uint8_t)(lc >> 8);
	}
	cmd[n++] = (uint8_t)lc;
	n += tlv_put(cmd + n, sizeof cmd - n, 0x7C, inner, in);
	if (ext)
		cmd[n++] = 0x00;
	cmd[n++] = 0x00;
	rc = icao__xmit(ch, cmd, n, resp, sizeof resp, &rlen, &sw);
	if (rc != BK_OK)
		return rc;
	if (sw_denied(sw)) {
		seterr(ch->err, ch->errlen, "the card refused the access key");
		return BK_ERR_ACCESS;
	}
	if (sw != 0x9000) {
		if (ch->err && ch->errlen)
			snprintf(ch->err, ch->errlen,
				 "General Authenticate answered %04X", sw);
		return last ? BK_ERR_ACCESS : BK_ERR_PROTOCOL;
	}
	if (tlv_read(resp, rlen, &t) != BK_OK || t.tag != 0x7C ||
	    tlv_find(t.value, t.len, tag_in, &f) != BK_OK) {
		seterr(ch->err, ch->errlen, "General Authenticate answer is malformed");
		return BK_ERR_PROTOCOL;
	}
	*out = BUF_MEM_new();
	if (!*out || (f.len && !BUF_MEM_grow(*out, f.len)))
		return BK_ERR_NOMEM;
	memcpy((*out)->data, f.value, f.len);
	(*out)->length = f.len;
	return BK_OK;
}

/* MSE:Set AT for the context's protocol and the password kind. */
static bk_err mse_set_at(struct icao_chan *ch, const EAC_CTX *ctx, int can)
{
	uint8_t cmd[64], resp[32];
	ASN1_OBJECT *o = OBJ_nid2obj(ctx->pace_ctx->protocol);
	size_t n = 5, rlen, ol;
	unsigned sw;
	bk_err rc;

	if (!o || (ol = (size_t)OBJ_length(o)) == 0 || ol > 32)
		return BK_ERR_PROTOCOL;
	cmd[0] = 0x00; cmd[1] = 0x22; cmd[2] = 0xC1; cmd[3] = 0xA4;
	n += tlv_put(cmd + n, sizeof cmd - n, 0x80, OBJ_get0_data(o), ol);
	cmd[n++] = 0x83; cmd[n++] = 0x01; cmd[n++] = can ? 0x02 : 0x01;
	if (ctx->pace_ctx->id >= 0 && ctx->pace_ctx->id <= 0xFF) {
		cmd[n++] = 0x84; cmd[n++] = 0x01;
		cmd[n++] = (uint8_t)ctx->pace_ctx->id;
	}
	cmd[4] = (uint8_t)(n - 5);
	rc = icao__xmit(ch, cmd, n, resp, sizeof resp, &rlen, &sw);
	if (rc != BK_OK)
		return rc;
	/* 63Cx (x > 0) is a retry counter warning: go on; 63C0 blocked */
	if (sw == 0x63C0 || sw == 0x6983) {
		seterr(ch->err, ch->errlen, "the card's access key is blocked");
		return BK_ERR_ACCESS;
	}
	if (sw != 0x9000 && (sw & 0xFFF0) != 0x63C0) {
		if (ch->err && ch->errlen)
			snprintf(ch->err, ch->errlen, "MSE:Set AT answered %04X", sw);
		return BK_ERR_PROTOCOL;
	}
	return BK_OK;
}

static bk_err take_keys(EAC_CTX *ctx, struct icao_sm *sm)
{
	const KA_CTX *k;
	int nid;

	if (EAC_CTX_set_encryption_ctx(ctx, EAC_ID_PACE) != 1 ||
	    !(k = ctx->key_ctx) || !k->k_enc || !k->k_mac || !k->cipher ||
	    k->k_enc->length != k->k_mac->length)
		return BK_ERR_PROTOCOL;
	nid = EVP_CIPHER_get_nid(k->cipher);
	if (nid == NID_des_ede_cbc)
		return icao_sm_init(sm, ICAO_SM_3DES,
				    (const uint8_t *)k->k_enc->data,
				    (const uint8_t *)k->k_mac->data,
				    k->k_enc->length);
	if (nid == NID_aes_128_cbc || nid == NID_aes_192_cbc ||
	    nid == NID_aes_256_cbc)
		return icao_sm_init(sm, ICAO_SM_AES,
				    (const uint8_t *)k->k_enc->data,
				    (const uint8_t *)k->k_mac->data,
				    k->k_enc->length);
	return BK_ERR_PROTOCOL;
}

bk_err icao__pace(struct icao_chan *ch, const uint8_t *cardaccess, size_t n,
		  const struct icao_access *a, struct icao_sm *sm)
{
	EAC_CTX *ctx = NULL;
	PACE_SEC *sec = NULL;
	BUF_MEM *nonce = NULL, *map = NULL, *cmap = NULL, *eph = NULL,
		*ceph = NULL, *tok = NULL, *ctok = NULL;
	uint8_t k[20];
	bk_err rc = BK_ERR_NOMEM;

	icao_pace_init();
	ctx = EAC_CTX_new();
	if (!ctx)
		goto out;
	if (EAC_CTX_init_ef_cardaccess(cardaccess, n, ctx) != 1 ||
	    !ctx->pace_ctx) {
		seterr(ch->err, ch->errlen, "EF.CardAccess names no usable PACE protocol");
		rc = BK_ERR_NOTFOUND;
		goto out;
	}
	if (a->kind == ICAO_ACCESS_CAN) {
		sec = PACE_SEC_new(a->can, strlen(a->can), PACE_CAN);
	} else {
		rc = icao_pace_mrz_password(a->document_number, a->date_of_birth,
					    a->date_of_expiry, k);
		if (rc != BK_OK) {
			seterr(ch->err, ch->errlen, "the MRZ access data are malformed");
			rc = BK_ERR_ACCESS;
			goto out;
		}
		sec = PACE_SEC_new((const char *)k, sizeof k, PACE_RAW);
	}
	rc = BK_ERR_NOMEM;
	if (!sec)
		goto out;
	rc = mse_set_at(ch, ctx, a->kind == ICAO_ACCESS_CAN);
	if (rc != BK_OK)
		goto out;
	rc = ga(ch, 0, 0, NULL, 0x80, &nonce);
	if (rc != BK_OK)
		goto out;
	rc = BK_ERR_PROTOCOL;
	if (PACE_STEP2_dec_nonce(ctx, sec, nonce) != 1 ||
	    !(map = PACE_STEP3A_generate_mapping_data(ctx)))
		goto pfail;
	rc = ga(ch, 0, 0x81, map, 0x82, &cmap);
	if (rc != BK_OK)
		goto out;
	rc = BK_ERR_PROTOCOL;
	if (PACE_STEP3A_map_generator(ctx, cmap) != 1 ||
	    !(eph = PACE_STEP3B_generate_ephemeral_key(ctx)))
		goto pfail;
	rc = ga(ch, 0, 0x83, eph, 0x84, &ceph);
	if (rc != BK_OK)
		goto out;
	rc = BK_ERR_PROTOCOL;
	/* the card's key must differ from ours (TR-03110 A.3.4.2) */
	if ((ceph->length == eph->length &&
	     memcmp(ceph->data, eph->data, eph->length) == 0) ||
	    PACE_STEP3B_compute_shared_secret(ctx, ceph) != 1 ||
	    PACE_STEP3C_derive_keys(ctx) != 1 ||
	    !(tok = PACE_STEP3D_compute_authentication_token(ctx, ceph)))
		goto pfail;
	rc = ga(ch, 1, 0x85, tok, 0x86, &ctok);
	if (rc != BK_OK)
		goto out;
	if (PACE_STEP3D_verify_authentication_token(ctx, ctok) != 1) {
		seterr(ch->err, ch->errlen,
		       "the chip's PACE token is wrong (not a genuine chip?)");
		rc = BK_ERR_AUTH;
		goto out;
	}
	rc = take_keys(ctx, sm);
	if (rc != BK_OK)
		seterr(ch->err, ch->errlen, "PACE gave keys of an unknown cipher");
	goto out;
pfail:
	seterr(ch->err, ch->errlen, "PACE failed on the card's data");
out:
	util_wipe(k, sizeof k);
	BUF_MEM_clear_free(nonce);
	BUF_MEM_clear_free(map);
	BUF_MEM_clear_free(cmap);
	BUF_MEM_clear_free(eph);
	BUF_MEM_clear_free(ceph);
	BUF_MEM_clear_free(tok);
	BUF_MEM_clear_free(ctok);
	PACE_SEC_clear_free(sec);
	EAC_CTX_clear_free(ctx);
	ERR_clear_error();
	return rc;
}
