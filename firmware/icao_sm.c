/* icao_sm.c — ICAO 9303 secure messaging and BAC (see icao_sm.h). */
#include "firmware/icao_sm.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "firmware/mrz.h"
#include "firmware/tlv.h"
#include "firmware/util.h"

/* A parsed command APDU (ISO/IEC 7816-4 §5.1). le: 0 = no Le field. */
struct apdu {
	uint8_t cla, ins, p1, p2;
	const uint8_t *data;
	size_t lc;
	size_t le;           /* 1..65536 when has_le */
	int has_le;
};

static int apdu_parse(const uint8_t *a, size_t n, struct apdu *ap)
{
	size_t lc;

	memset(ap, 0, sizeof *ap);
	if (n < 4)
		return -1;
	ap->cla = a[0];
	ap->ins = a[1];
	ap->p1 = a[2];
	ap->p2 = a[3];
	if (n == 4)
		return 0;
	if (n == 5) {
		ap->has_le = 1;
		ap->le = a[4] ? a[4] : 256;
		return 0;
	}
	if (a[4] != 0) {                     /* short Lc */
		lc = a[4];
		if (n != 5 + lc && n != 6 + lc)
			return -1;
		ap->data = a + 5;
		ap->lc = lc;
		if (n == 6 + lc) {
			ap->has_le = 1;
			ap->le = a[n - 1] ? a[n - 1] : 256;
		}
		return 0;
	}
	if (n == 7) {                        /* extended, Le only */
		ap->has_le = 1;
		ap->le = ((size_t)a[5] << 8 | a[6]);
		if (!ap->le)
			ap->le = 65536;
		return 0;
	}
	if (n < 8)
		return -1;
	lc = (size_t)a[5] << 8 | a[6];
	if (lc == 0 || (n != 7 + lc && n != 9 + lc))
		return -1;
	ap->data = a + 7;
	ap->lc = lc;
	if (n == 9 + lc) {
		ap->has_le = 1;
		ap->le = ((size_t)a[n - 2] << 8 | a[n - 1]);
		if (!ap->le)
			ap->le = 65536;
	}
	return 0;
}

/* Builds an APDU; extended when data or Le need it. Size or 0. */
static size_t apdu_build(const struct apdu *ap, uint8_t *out, size_t cap)
{
	int ext = ap->lc > 255 || (ap->has_le && ap->le > 256);
	size_t need = 4 + (ap->lc ? (ext ? 3 : 1) + ap->lc : 0) +
		      (ap->has_le ? (ext ? (ap->lc ? 2 : 3) : 1) : 0);
	size_t o = 4;

	if (need > cap)
		return 0;
	out[0] = ap->cla;
	out[1] = ap->ins;
	out[2] = ap->p1;
	out[3] = ap->p2;
	if (ap->lc) {
		if (ext) {
			out[o++] = 0;
			out[o++] = (uint8_t)(ap->lc >> 8);
		}
		out[o++] = (uint8_t)ap->lc;
		memcpy(out + o, ap->data, ap->lc);
		o += ap->lc;
	}
	if (ap->has_le) {
		if (ext) {
			if (!ap->lc)
				out[o++] = 0;
			out[o++] = (uint8_t)(ap->le >> 8);  /* 65536 -> 00 00 */
		}
		out[o++] = (uint8_t)ap->le;             /* 256 -> 00 */
	}
	return o;
}

/* ---- primitives ---- */

static size_t blk(const struct icao_sm *sm)
{
	return sm->alg == ICAO_SM_AES ? 16 : 8;
}

static const EVP_CIPHER *cipher_of(enum icao_sm_alg alg, size_t klen, int cbc)
{
	if (alg == ICAO_SM_3DES)
		return cbc ? EVP_des_ede_cbc() : EVP_des_ede_ecb();
	switch (klen) {
	case 16: return cbc ? EVP_aes_128_cbc() : EVP_aes_128_ecb();
	case 24: return cbc ? EVP_aes_192_cbc() : EVP_aes_192_ecb();
	case 32: return cbc ? EVP_aes_256_cbc() : EVP_aes_256_ecb();
	}
	return NULL;
}

/* n a multiple of the block size; no padding. 0 or -1. */
static int crypt(const EVP_CIPHER *c, const uint8_t *key, const uint8_t *iv,
		 const uint8_t *in, size_t n, uint8_t *out, int enc)
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int l1 = 0, l2 = 0, ok;

	if (!ctx || !c)
		return -1;
	ok = EVP_CipherInit_ex(ctx, c, NULL, key, iv, enc) == 1 &&
	     EVP_CIPHER_CTX_set_padding(ctx, 0) == 1 &&
	     EVP_CipherUpdate(ctx, out, &l1, in, (int)n) == 1 &&
	     EVP_CipherFinal_ex(ctx, out + l1, &l2) == 1 &&
	     (size_t)(l1 + l2) == n;
	EVP_CIPHER_CTX_free(ctx);
	return ok ? 0 : -1;
}

/* ISO 9797-1 MAC algorithm 3 with DES: CBC-MAC under Ka, the last block
 * through 3DES(Ka, Kb). Single DES is 3DES with Ka||Ka (OpenSSL 3 keeps
 * plain DES in the legacy provider). n a multiple of 8, > 0. */
static int retail_mac(const uint8_t key[16], const uint8_t *in, size_t n,
		      uint8_t mac[8])
{
	uint8_t kaka[16], h[8] = { 0 }, x[8];
	size_t i;
	int rc = 0;

	memcpy(kaka, key, 8);
	memcpy(kaka + 8, key, 8);
	for (i = 0; i + 8 < n && rc == 0; i += 8) {
		for (size_t j = 0; j < 8; j++)
			x[j] = h[j] ^ in[i + j];
		rc = crypt(EVP_des_ede_ecb(), kaka, NULL, x, 8, h, 1);
	}
	for (size_t j = 0; j < 8; j++)
		x[j] = h[j] ^ in[i + j];
	if (rc == 0)
		rc = crypt(EVP_des_ede_ecb(), key, NULL, x, 8, mac, 1);
	util_wipe(kaka, sizeof kaka);
	util_wipe(h, sizeof h);
	util_wipe(x, sizeof x);
	return rc;
}

static int aes_cmac(const uint8_t *key, size_t klen, const uint8_t *in,
		    size_t n, uint8_t mac[8])
{
	static const char *names[] = { "AES-128-CBC", "AES-192-CBC", "AES-256-CBC" };
	EVP_MAC *m = EVP_MAC_fetch(NULL, "CMAC", NULL);
	EVP_MAC_CTX *ctx = m ? EVP_MAC_CTX_new(m) : NULL;
	OSSL_PARAM params[2];
	uint8_t full[16];
	size_t outl = 0;
	int ok;

	params[0] = OSSL_PARAM_construct_utf8_string(
		OSSL_MAC_PARAM_CIPHER, (char *)names[(klen - 16) / 8], 0);
	params[1] = OSSL_PARAM_construct_end();
	ok = ctx && EVP_MAC_init(ctx, key, klen, params) == 1 &&
	     EVP_MAC_update(ctx, in, n) == 1 &&
	     EVP_MAC_final(ctx, full, &outl, sizeof full) == 1 && outl == 16;
	if (ok)
		memcpy(mac, full, 8);
	util_wipe(full, sizeof full);
	EVP_MAC_CTX_free(ctx);
	EVP_MAC_free(m);
	return ok ? 0 : -1;
}

static size_t ssc_len(const struct icao_sm *sm)
{
	return sm->alg == ICAO_SM_AES ? 16 : 8;
}

static void ssc_inc(struct icao_sm *sm)
{
	size_t i = ssc_len(sm);

	while (i-- > 0)
		if (++sm->ssc[i] != 0)
			break;
}

/* ISO 9797-1 padding method 2 of in[0..n) into out; returns padded size. */
static size_t pad(const uint8_t *in, size_t n, size_t b, uint8_t *out)
{
	size_t p = (n / b + 1) * b;

	if (in != out)
		memmove(out, in, n);
	out[n] = 0x80;
	memset(out + n + 1, 0, p - n - 1);
	return p;
}

/* Length of the data before the padding, or -1 when it is malformed. */
static long unpad(const uint8_t *in, size_t n)
{
	while (n > 0 && in[n - 1] == 0)
		n--;
	if (n == 0 || in[n - 1] != 0x80)
		return -1;
	return (long)(n - 1);
}

/* MAC over SSC || in[0..n) (n already padded). */
static int sm_mac(const struct icao_sm *sm, const uint8_t *in, size_t n,
		  uint8_t mac[8])
{
	struct buf b = { 0 };
	int rc = -1;

	if (buf_append(&b, sm->ssc, ssc_len(sm)) == 0 &&
	    buf_append(&b, in, n) == 0) {
		rc = sm->alg == ICAO_SM_AES
		     ? aes_cmac(sm->kmac, sm->klen, b.data, b.len, mac)
		     : retail_mac(sm->kmac, b.data, b.len, mac);
	}
	if (b.data)
		util_wipe(b.data, b.len);
	buf_free(&b);
	return rc;
}

static int sm_iv(const struct icao_sm *sm, uint8_t iv[16])
{
	memset(iv, 0, 16);
	if (sm->alg != ICAO_SM_AES)
		return 0;
	return crypt(cipher_of(ICAO_SM_AES, sm->klen, 0), sm->kenc, NULL,
		     sm->ssc, 16, iv, 1);
}

static int sm_crypt(const struct icao_sm *sm, const uint8_t *in, size_t n,
		    uint8_t *out, int enc)
{
	uint8_t iv[16];
	int rc;

	if (sm_iv(sm, iv) < 0)
		return -1;
	rc = crypt(cipher_of(sm->alg, sm->klen, 1), sm->kenc, iv, in, n, out,
		   enc);
	util_wipe(iv, sizeof iv);
	return rc;
}

bk_err icao_sm_init(struct icao_sm *sm, enum icao_sm_alg alg,
		    const uint8_t *kenc, const uint8_t *kmac, size_t klen)
{
	memset(sm, 0, sizeof *sm);
	if (alg == ICAO_SM_3DES ? klen != 16
				: (klen != 16 && klen != 24 && klen != 32))
		return BK_ERR_INVALID;
	sm->alg = alg;
	sm->klen = klen;
	memcpy(sm->kenc, kenc, klen);
	memcpy(sm->kmac, kmac, klen);
	return BK_OK;
}

void icao_sm_wipe(struct icao_sm *sm)
{
	util_wipe(sm, sizeof *sm);
}

/* ---- terminal side ---- */

bk_err icao_sm_protect_command(struct icao_sm *sm, const uint8_t *apdu,
			       size_t n, uint8_t *out, size_t cap,
			       size_t *outlen)
{
	struct apdu ap, pa;
	uint8_t *body = NULL, *mbuf = NULL, mac[8];
	size_t b = blk(sm), o = 0, plen, m = 0, h;
	bk_err rc = BK_ERR_NOMEM;

	*outlen = 0;
	if (apdu_parse(apdu, n, &ap) < 0 || (ap.ins & 1) || (ap.cla & 0x0C))
		return BK_ERR_INVALID;
	/* body: DO87 (<= 4 + 1 + lc + b), DO97 (4), DO8E (10) */
	body = malloc(ap.lc + b + 32);
	mbuf = malloc(ap.lc + 2 * b + 48);
	if (!body || !mbuf)
		goto out;
	rc = BK_ERR_INVALID;
	ssc_inc(sm);
	if (ap.lc) {
		uint8_t *tmp = malloc(ap.lc + b);

		if (!tmp) {
			rc = BK_ERR_NOMEM;
			goto out;
		}
		plen = pad(ap.data, ap.lc, b, tmp);
		h = tlv_put_header(body, ap.lc + b + 32, 0x87, plen + 1);
		body[h] = 0x01;
		if (sm_crypt(sm, tmp, plen, body + h + 1, 1) < 0) {
			util_wipe(tmp, ap.lc + b);
			free(tmp);
			goto out;
		}
		util_wipe(tmp, ap.lc + b);
		free(tmp);
		o = h + 1 + plen;
	}
	if (ap.has_le) {
		body[o++] = 0x97;
		if (ap.le <= 256) {
			body[o++] = 1;
			body[o++] = (uint8_t)ap.le;
		} else {
			body[o++] = 2;
			body[o++] = (uint8_t)(ap.le >> 8);
			body[o++] = (uint8_t)ap.le;
		}
	}
	mbuf[0] = ap.cla | 0x0C;
	mbuf[1] = ap.ins;
	mbuf[2] = ap.p1;
	mbuf[3] = ap.p2;
	m = pad(mbuf, 4, b, mbuf);
	memcpy(mbuf + m, body, o);
	m = pad(mbuf, m + o, b, mbuf);
	if (sm_mac(sm, mbuf, m, mac) < 0)
		goto out;
	body[o++] = 0x8E;
	body[o++] = 8;
	memcpy(body + o, mac, 8);
	o += 8;
	memset(&pa, 0, sizeof pa);
	pa.cla = ap.cla | 0x0C;
	pa.ins = ap.ins;
	pa.p1 = ap.p1;
	pa.p2 = ap.p2;
	pa.data = body;
	pa.lc = o;
	pa.has_le = 1;
	/* Le' = 00: the answer's size is up to the card (the caller keeps
	 * plain Le <= 0xDF for short APDUs: DO87, DO99 and DO8E add 33 bytes) */
	pa.le = (ap.has_le && ap.le > 256) || o > 255 ? 65536 : 256;
	*outlen = apdu_build(&pa, out, cap);
	rc = *outlen ? BK_OK : BK_ERR_TOOLARGE;
out:
	if (body)
		util_wipe(body, ap.lc + b + 32);
	if (mbuf)
		util_wipe(mbuf, ap.lc + 2 * b + 48);
	free(body);
	free(mbuf);
	util_wipe(mac, sizeof mac);
	return rc;
}

/* Splits SM data objects; mac_end = offset of DO8E. */
struct sm_dos {
	struct tlv d87, d97, d99, d8e;
	int has87, has97, has99, has8e;
	size_t mac_end;
};

static int split_dos(const uint8_t *p, size_t n, struct sm_dos *d)
{
	struct tlv_iter it;
	struct tlv e;
	bk_err rc;
	size_t off = 0;

	memset(d, 0, sizeof *d);
	tlv_iter_init(&it, p, n);
	while ((rc = tlv_iter_next(&it, &e)) == BK_OK) {
		if (d->has8e)
			return -1;            /* nothing after the MAC */
		switch (e.tag) {
		case 0x87: if (d->has87) return -1; d->d87 = e; d->has87 = 1; break;
		case 0x97: if (d->has97) return -1; d->d97 = e; d->has97 = 1; break;
		case 0x99: if (d->has99) return -1; d->d99 = e; d->has99 = 1; break;
		case 0x8E:
			d->d8e = e;
			d->has8e = 1;
			d->mac_end = off;
			break;
		default:
			return -1;
		}
		off += e.size;
	}
	return rc == BK_ERR_NOTFOUND ? 0 : -1;
}

/* Decrypts DO87 (01 || cryptogram) into out; its length or -1. */
static long decrypt87(const struct icao_sm *sm, const struct tlv *t,
		      uint8_t *out)
{
	size_t n;
	long l;

	if (t->len < 1 + blk(sm) || t->value[0] != 0x01 ||
	    (t->len - 1) % blk(sm))
		return -1;
	n = t->len - 1;
	if (sm_crypt(sm, t->value + 1, n, out, 0) < 0)
		return -1;
	l = unpad(out, n);
	return l;
}

static int mac_ok(const struct icao_sm *sm, const uint8_t *hdr, size_t hlen,
		  const uint8_t *dos, size_t dlen, const struct tlv *d8e)
{
	size_t b = blk(sm), m = 0;
	uint8_t *mbuf = malloc(hlen + dlen + 2 * b), mac[8];
	int ok = 0;

	if (!mbuf)
		return 0;
	if (hlen) {
		memcpy(mbuf, hdr, hlen);
		m = pad(mbuf, hlen, b, mbuf);
	}
	memcpy(mbuf + m, dos, dlen);
	m = pad(mbuf, m + dlen, b, mbuf);
	ok = d8e->len == 8 && sm_mac(sm, mbuf, m, mac) == 0 &&
	     CRYPTO_memcmp(mac, d8e->value, 8) == 0;
	util_wipe(mbuf, hlen + dlen + 2 * b);
	free(mbuf);
	util_wipe(mac, sizeof mac);
	return ok;
}

bk_err icao_sm_unprotect_response(struct icao_sm *sm, const uint8_t *resp,
				  size_t n, uint8_t *out, size_t cap,
				  size_t *outlen)
{
	struct sm_dos d;
	long l = 0;
	uint8_t *plain = NULL;

	*outlen = 0;
	if (n < 2)
		return BK_ERR_PROTOCOL;
	if (n == 2) {
		if (resp[0] == 0x90 && resp[1] == 0x00)
			return BK_ERR_AUTH;
		if (cap < 2)
			return BK_ERR_TOOLARGE;
		memcpy(out, resp, 2);
		*outlen = 2;
		return BK_OK;
	}
	ssc_inc(sm);
	if (split_dos(resp, n - 2, &d) < 0)
		return BK_ERR_PROTOCOL;
	if (!d.has8e || !d.has99 || d.has97)
		return BK_ERR_AUTH;
	if (!mac_ok(sm, NULL, 0, resp, d.mac_end, &d.d8e))
		return BK_ERR_AUTH;
	if (d.d99.len != 2 || memcmp(d.d99.value, resp + n - 2, 2) != 0)
		return BK_ERR_AUTH;
	if (d.has87) {
		plain = malloc(d.d87.len);
		if (!plain)
			return BK_ERR_NOMEM;
		l = decrypt87(sm, &d.d87, plain);
		if (l < 0 || (size_t)l + 2 > cap) {
			util_wipe(plain, d.d87.len);
			free(plain);
			return l < 0 ? BK_ERR_PROTOCOL : BK_ERR_TOOLARGE;
		}
		memcpy(out, plain, (size_t)l);
		util_wipe(plain, d.d87.len);
		free(plain);
	} else if (cap < 2) {
		return BK_ERR_TOOLARGE;
	}
	memcpy(out + l, d.d99.value, 2);
	*outlen = (size_t)l + 2;
	return BK_OK;
}

/* ---- card side ---- */

bk_err icao_sm_unprotect_command(struct icao_sm *sm, const uint8_t *apdu,
				 size_t n, uint8_t *out, size_t cap,
				 size_t *outlen)
{
	struct apdu ap, pa;
	struct sm_dos d;
	uint8_t *plain = NULL;
	long l = 0;
	bk_err rc;

	*outlen = 0;
	if (apdu_parse(apdu, n, &ap) < 0)
		return BK_ERR_INVALID;
	if ((ap.cla & 0x0C) != 0x0C)
		return BK_ERR_AUTH;
	ssc_inc(sm);
	if (split_dos(ap.data, ap.lc, &d) < 0 || d.has99)
		return BK_ERR_INVALID;
	if (!d.has8e)
		return BK_ERR_AUTH;
	if (!mac_ok(sm, apdu, 4, ap.data, d.mac_end, &d.d8e))
		return BK_ERR_AUTH;
	memset(&pa, 0, sizeof pa);
	pa.cla = ap.cla & (uint8_t)~0x0C;
	pa.ins = ap.ins;
	pa.p1 = ap.p1;
	pa.p2 = ap.p2;
	if (d.has97) {
		if (d.d97.len == 1)
			pa.le = d.d97.value[0] ? d.d97.value[0] : 256;
		else if (d.d97.len == 2)
			pa.le = ((size_t)d.d97.value[0] << 8 | d.d97.value[1])
				? ((size_t)d.d97.value[0] << 8 | d.d97.value[1])
				: 65536;
		else
			return BK_ERR_INVALID;
		pa.has_le = 1;
	}
	if (d.has87) {
		plain = malloc(d.d87.len);
		if (!plain)
			return BK_ERR_NOMEM;
		l = decrypt87(sm, &d.d87, plain);
		if (l < 0) {
			util_wipe(plain, d.d87.len);
			free(plain);
			return BK_ERR_INVALID;
		}
		pa.data = plain;
		pa.lc = (size_t)l;
	}
	*outlen = apdu_build(&pa, out, cap);
	rc = *outlen ? BK_OK : BK_ERR_TOOLARGE;
	if (plain) {
		util_wipe(plain, d.d87.len);
		free(plain);
	}
	return rc;
}

bk_err icao_sm_protect_response(struct icao_sm *sm, const uint8_t *resp,
				size_t n, uint8_t *out, size_t cap,
				size_t *outlen)
{
	size_t b = blk(sm), dlen, plen = 0, o = 0, h, m;
	uint8_t *tmp = NULL, *mbuf = NULL, mac[8];
	bk_err rc = BK_ERR_NOMEM;

	*outlen = 0;
	if (n < 2)
		return BK_ERR_INVALID;
	dlen = n - 2;
	/* DO87 header <= 5, 01, padded data <= dlen + b; DO99 4; 8E 10; SW 2 */
	if (cap < dlen + b + 22)
		return BK_ERR_TOOLARGE;
	tmp = malloc(dlen + b);
	mbuf = malloc(dlen + 2 * b + 32);
	if (!tmp || !mbuf)
		goto out;
	rc = BK_ERR_INVALID;
	ssc_inc(sm);
	if (dlen) {
		plen = pad(resp, dlen, b, tmp);
		h = tlv_put_header(out, cap, 0x87, plen + 1);
		out[h] = 0x01;
		if (sm_crypt(sm, tmp, plen, out + h + 1, 1) < 0)
			goto out;
		o = h + 1 + plen;
	}
	out[o++] = 0x99;
	out[o++] = 2;
	out[o++] = resp[n - 2];
	out[o++] = resp[n - 1];
	memcpy(mbuf, out, o);
	m = pad(mbuf, o, b, mbuf);
	if (sm_mac(sm, mbuf, m, mac) < 0)
		goto out;
	out[o++] = 0x8E;
	out[o++] = 8;
	memcpy(out + o, mac, 8);
	o += 8;
	out[o++] = resp[n - 2];
	out[o++] = resp[n - 1];
	*outlen = o;
	rc = BK_OK;
out:
	if (tmp)
		util_wipe(tmp, dlen + b);
	if (mbuf)
		util_wipe(mbuf, dlen + 2 * b + 32);
	free(tmp);
	free(mbuf);
	util_wipe(mac, sizeof mac);
	return rc;
}

/* ---- BAC ---- */

bk_err icao_bac_kseed(const char *docno, const char *dob, const char *doe,
		      uint8_t kseed[16])
{
	char info[9 + 1 + 7 + 7];
	uint8_t md[EVP_MAX_MD_SIZE];
	size_t l = strlen(docno);

	memset(kseed, 0, 16);
	if (l == 0 || l > 9 || strlen(dob) != 6 || strlen(doe) != 6)
		return BK_ERR_INVALID;
	memcpy(info, docno, l);
	memset(info + l, '<', 9 - l);
	memcpy(info + 10, dob, 6);
	memcpy(info + 17, doe, 6);
	info[9] = mrz_check_digit(info, 9);
	info[16] = mrz_check_digit(info + 10, 6);
	info[23] = mrz_check_digit(info + 17, 6);
	if (!info[9] || !info[16] || !info[23]) {
		util_wipe(info, sizeof info);
		return BK_ERR_INVALID;
	}
	if (EVP_Digest(info, sizeof info, md, NULL, EVP_sha1(), NULL) != 1) {
		util_wipe(info, sizeof info);
		return BK_ERR_NOMEM;
	}
	memcpy(kseed, md, 16);
	util_wipe(info, sizeof info);
	util_wipe(md, sizeof md);
	return BK_OK;
}

void icao_bac_derive(const uint8_t *seed, size_t seedlen, uint32_t counter,
		     uint8_t out[16])
{
	uint8_t md[EVP_MAX_MD_SIZE], c[4];
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int i, bits;

	c[0] = (uint8_t)(counter >> 24);
	c[1] = (uint8_t)(counter >> 16);
	c[2] = (uint8_t)(counter >> 8);
	c[3] = (uint8_t)counter;
	if (!ctx || EVP_DigestInit_ex(ctx, EVP_sha1(), NULL) != 1 ||
	    EVP_DigestUpdate(ctx, seed, seedlen) != 1 ||
	    EVP_DigestUpdate(ctx, c, 4) != 1 ||
	    EVP_DigestFinal_ex(ctx, md, NULL) != 1)
		abort();   /* SHA-1 is always there; nothing sane to return */
	EVP_MD_CTX_free(ctx);
	for (i = 0; i < 16; i++) {
		bits = __builtin_popcount(md[i] & 0xFE);
		out[i] = (uint8_t)((md[i] & 0xFE) | (bits % 2 == 0));
	}
	util_wipe(md, sizeof md);
}

void icao_bac_init(struct icao_bac *b, const uint8_t kseed[16])
{
	memset(b, 0, sizeof *b);
	icao_bac_derive(kseed, 16, 1, b->kenc);
	icao_bac_derive(kseed, 16, 2, b->kmac);
}

static const uint8_t zero_iv[8];

/* E || MAC(pad(E)) of a 32-byte plaintext. */
static int bac_seal(const struct icao_bac *b, const uint8_t in[32],
		    uint8_t out[40])
{
	uint8_t p[40];
	int rc;

	if (crypt(EVP_des_ede_cbc(), b->kenc, zero_iv, in, 32, out, 1) < 0)
		return -1;
	pad(out, 32, 8, p);
	rc = retail_mac(b->kmac, p, 40, out + 32);
	return rc;
}

static int bac_open(const struct icao_bac *b, const uint8_t in[40],
		    uint8_t out[32])
{
	uint8_t p[40], mac[8];
	int ok;

	pad(in, 32, 8, p);
	ok = retail_mac(b->kmac, p, 40, mac) == 0 &&
	     CRYPTO_memcmp(mac, in + 32, 8) == 0 &&
	     crypt(EVP_des_ede_cbc(), b->kenc, zero_iv, in, 32, out, 0) == 0;
	return ok ? 0 : -1;
}

static void bac_session(const struct icao_bac *b, struct icao_sm *sm)
{
	uint8_t k[16], enc[16], mac[16];
	int i;

	for (i = 0; i < 16; i++)
		k[i] = b->k_ifd[i] ^ b->k_icc[i];
	icao_bac_derive(k, 16, 1, enc);
	icao_bac_derive(k, 16, 2, mac);
	icao_sm_init(sm, ICAO_SM_3DES, enc, mac, 16);
	memcpy(sm->ssc, b->rnd_icc + 4, 4);
	memcpy(sm->ssc + 4, b->rnd_ifd + 4, 4);
	util_wipe(k, sizeof k);
	util_wipe(enc, sizeof enc);
	util_wipe(mac, sizeof mac);
}

void icao_bac_terminal_cmd(struct icao_bac *b, uint8_t out[40])
{
	uint8_t s[32];

	memcpy(s, b->rnd_ifd, 8);
	memcpy(s + 8, b->rnd_icc, 8);
	memcpy(s + 16, b->k_ifd, 16);
	if (bac_seal(b, s, out) < 0)
		memset(out, 0, 40);  /* the card will refuse it */
	util_wipe(s, sizeof s);
}

bk_err icao_bac_terminal_finish(struct icao_bac *b, const uint8_t in[40],
				struct icao_sm *sm)
{
	uint8_t r[32];
	bk_err rc = BK_ERR_AUTH;

	if (bac_open(b, in, r) < 0 ||
	    CRYPTO_memcmp(r, b->rnd_icc, 8) != 0 ||
	    CRYPTO_memcmp(r + 8, b->rnd_ifd, 8) != 0)
		goto out;
	memcpy(b->k_icc, r + 16, 16);
	bac_session(b, sm);
	rc = BK_OK;
out:
	util_wipe(r, sizeof r);
	return rc;
}

bk_err icao_bac_card_answer(struct icao_bac *b, const uint8_t in[40],
			    uint8_t out[40], struct icao_sm *sm)
{
	uint8_t s[32], r[32];
	bk_err rc = BK_ERR_AUTH;

	if (bac_open(b, in, s) < 0 || CRYPTO_memcmp(s + 8, b->rnd_icc, 8) != 0)
		goto out;
	memcpy(b->rnd_ifd, s, 8);
	memcpy(b->k_ifd, s + 16, 16);
	memcpy(r, b->rnd_icc, 8);
	memcpy(r + 8, b->rnd_ifd, 8);
	memcpy(r + 16, b->k_icc, 16);
	if (bac_seal(b, r, out) < 0)
		goto out;
	bac_session(b, sm);
	rc = BK_OK;
out:
	util_wipe(s, sizeof s);
	util_wipe(r, sizeof r);
	return rc;
}

void icao_bac_wipe(struct icao_bac *b)
{
	util_wipe(b, sizeof *b);
}
