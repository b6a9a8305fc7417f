/* test_icao_flow: icao_read end to end against an in-process card (no
 * pcscd): PACE (card side by OpenPACE, as a chip would) with CAN and MRZ,
 * BAC (card side by icao_sm's card functions), wrong keys, a card pulled
 * after every possible APDU, a forged SOD, a wrong check digit, a bad MAC.
 * The real card emulator behind pcscd+vpcd is tested elsewhere. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <eac/eac.h>
#include <eac/objects.h>
#include <eac/pace.h>
#include <openssl/buffer.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "firmware/icao.h"
#include "firmware/icao_pa.h"
#include "firmware/icao_pace.h"
#include "firmware/icao_sm.h"
#include "firmware/mrz.h"
#include "firmware/tlv.h"
#include "firmware/util.h"
#include "tests/unit/check.h"

/* PACEInfo SET: id-PACE-ECDH-GM-<cipher> (0.4.0.127.0.7.2.2.4.2.x),
 * version 2, parameterId 13 (brainpoolP256r1) */
static const uint8_t CARDACCESS[] = {
	0x31, 0x14, 0x30, 0x12, 0x06, 0x0A, 0x04, 0x00, 0x7F, 0x00, 0x07, 0x02,
	0x02, 0x04, 0x02, 0x02, 0x02, 0x01, 0x02, 0x02, 0x01, 0x0D,
};
static const uint8_t COM[] = {
	0x60, 0x14, 0x5F, 0x01, 0x04, '0', '1', '0', '7', 0x5F, 0x36, 0x06,
	'0', '4', '0', '0', '0', '0', 0x5C, 0x02, 0x61, 0x75,
};

struct card {
	/* what the card is */
	int pace;                  /* offers PACE (EF.CardAccess) */
	uint8_t cardaccess[sizeof CARDACCESS];
	char can[7], docno[10], dob[7], doe[7];
	struct buf dg1, sod;
	/* faults */
	int pull_after;            /* 0: never; else removed at APDU n+1 */
	int flip_response;         /* corrupt the nth response's last MAC byte */
	/* state */
	int apdus, sm_on, cur_sfi;
	struct icao_sm sm;
	struct icao_bac bac;
	EAC_CTX *ctx;
	PACE_SEC *sec;
	BUF_MEM *term_eph;
};

static BUF_MEM *bm(const uint8_t *p, size_t n)
{
	BUF_MEM *b = BUF_MEM_new();

	BUF_MEM_grow(b, n ? n : 1);
	memcpy(b->data, p, n);
	b->length = n;
	return b;
}

static void card_reset(struct card *c)
{
	EAC_CTX_clear_free(c->ctx);
	PACE_SEC_clear_free(c->sec);
	BUF_MEM_clear_free(c->term_eph);
	c->ctx = NULL;
	c->sec = NULL;
	c->term_eph = NULL;
	c->sm_on = 0;
	c->apdus = 0;
	c->cur_sfi = 0;
	c->pull_after = 0;
	c->flip_response = 0;
	icao_sm_wipe(&c->sm);
}

static void card_free(struct card *c)
{
	card_reset(c);
	buf_free(&c->dg1);
	buf_free(&c->sod);
}

/* Answer data || SW into out. */
static size_t answer(uint8_t *out, const uint8_t *d, size_t n, unsigned sw)
{
	if (n)
		memcpy(out, d, n);
	out[n] = (uint8_t)(sw >> 8);
	out[n + 1] = (uint8_t)sw;
	return n + 2;
}

static size_t ga_answer(uint8_t *out, uint8_t tag, const BUF_MEM *b)
{
	uint8_t inner[600];
	size_t in = tlv_put(inner, sizeof inner, tag, (const uint8_t *)b->data,
			    b->length);
	size_t n = tlv_put(out, 700, 0x7C, inner, in);

	if (!in || !n)
		abort();

	return answer(out, out, n, 0x9000);
}

static int card_keys(struct card *c)
{
	const KA_CTX *k;
	int nid;

	if (EAC_CTX_set_encryption_ctx(c->ctx, EAC_ID_PACE) != 1)
		return -1;
	k = c->ctx->key_ctx;
	nid = EVP_CIPHER_get_nid(k->cipher);
	return icao_sm_init(&c->sm, nid == NID_des_ede_cbc ? ICAO_SM_3DES : ICAO_SM_AES,
			    (const uint8_t *)k->k_enc->data,
			    (const uint8_t *)k->k_mac->data, k->k_enc->length) == BK_OK ? 0 : -1;
}

static size_t read_binary(struct card *c, const uint8_t *a, size_t n, uint8_t *out)
{
	const uint8_t *file;
	size_t len, off, le;

	if (a[2] & 0x80)
		c->cur_sfi = a[2] & 0x1F;
	switch (c->cur_sfi) {
	case 0x1C:
		if (!c->pace || c->sm_on)
			return answer(out, NULL, 0, 0x6A82);
		file = c->cardaccess; len = sizeof CARDACCESS; break;
	case 0x1E: file = COM; len = sizeof COM; break;
	case 0x1D: file = c->sod.data; len = c->sod.len; break;
	case 0x01: file = c->dg1.data; len = c->dg1.len; break;
	default: return answer(out, NULL, 0, 0x6A82);
	}
	if (c->cur_sfi != 0x1C && !c->sm_on)
		return answer(out, NULL, 0, 0x6982);
	off = (a[2] & 0x80) ? a[3] : ((size_t)a[2] << 8 | a[3]);
	le = n == 5 ? (a[4] ? a[4] : 256) : ((size_t)a[5] << 8 | a[6]);
	if (off > len)
		return answer(out, NULL, 0, 0x6B00);
	if (len - off < le)
		return answer(out, file + off, len - off, 0x6282);
	return answer(out, file + off, le, 0x9000);
}

/* The card's logic on a plain command. */
static size_t card_plain(struct card *c, const uint8_t *a, size_t n, uint8_t *out)
{
	static const uint8_t aid[] = { 0xA0, 0x00, 0x00, 0x02, 0x47, 0x10, 0x01 };
	struct tlv t, f;
	BUF_MEM *in = NULL, *o = NULL;
	size_t r;

	switch (a[1]) {
	case 0xA4:
		if (n == 12 && memcmp(a + 5, aid, 7) == 0)
			return answer(out, NULL, 0, 0x9000);
		return answer(out, NULL, 0, 0x6A82);
	case 0xB0:
		return read_binary(c, a, n, out);
	case 0x84:
		util_random(c->bac.rnd_icc, 8);
		return answer(out, c->bac.rnd_icc, 8, 0x9000);
	case 0x82: {
		uint8_t k[16], resp[40];

		icao_bac_kseed(c->docno, c->dob, c->doe, k);
		{
			uint8_t rnd[8];

			memcpy(rnd, c->bac.rnd_icc, 8);
			icao_bac_init(&c->bac, k);
			memcpy(c->bac.rnd_icc, rnd, 8);
		}
		util_random(c->bac.k_icc, 16);
		if (n != 46 || icao_bac_card_answer(&c->bac, a + 5, resp, &c->sm) != BK_OK)
			return answer(out, NULL, 0, 0x6300);
		c->sm_on = 1;
		return answer(out, resp, 40, 0x9000);
	}
	case 0x22: {
		uint8_t pw[20];

		if (tlv_find(a + 5, a[4], 0x83, &f) != BK_OK)
			return answer(out, NULL, 0, 0x6A80);
		EAC_CTX_clear_free(c->ctx);
		PACE_SEC_clear_free(c->sec);
		c->ctx = EAC_CTX_new();
		EAC_CTX_init_ef_cardaccess(c->cardaccess, sizeof CARDACCESS, c->ctx);
		if (f.value[0] == 2) {
			c->sec = PACE_SEC_new(c->can, strlen(c->can), PACE_CAN);
		} else {
			icao_pace_mrz_password(c->docno, c->dob, c->doe, pw);
			c->sec = PACE_SEC_new((const char *)pw, 20, PACE_RAW);
		}
		return answer(out, NULL, 0, 0x9000);
	}
	case 0x86:
		if (!c->ctx || (a[4] ? tlv_read(a + 5, a[4], &t)
				     : tlv_read(a + 7, (size_t)a[5] << 8 | a[6], &t)) != BK_OK ||
		    t.tag != 0x7C)
			return answer(out, NULL, 0, 0x6985);
		if (t.len == 0) {
			o = PACE_STEP1_enc_nonce(c->ctx, c->sec);
			r = ga_answer(out, 0x80, o);
		} else if (tlv_find(t.value, t.len, 0x81, &f) == BK_OK) {
			in = bm(f.value, f.len);
			o = PACE_STEP3A_generate_mapping_data(c->ctx);
			PACE_STEP3A_map_generator(c->ctx, in);
			r = ga_answer(out, 0x82, o);
		} else if (tlv_find(t.value, t.len, 0x83, &f) == BK_OK) {
			BUF_MEM_clear_free(c->term_eph);
			c->term_eph = bm(f.value, f.len);
			o = PACE_STEP3B_generate_ephemeral_key(c->ctx);
			PACE_STEP3B_compute_shared_secret(c->ctx, c->term_eph);
			PACE_STEP3C_derive_keys(c->ctx);
			r = ga_answer(out, 0x84, o);
		} else if (tlv_find(t.value, t.len, 0x85, &f) == BK_OK) {
			in = bm(f.value, f.len);
			if (PACE_STEP3D_verify_authentication_token(c->ctx, in) != 1) {
				r = answer(out, NULL, 0, 0x6300);
			} else {
				o = PACE_STEP3D_compute_authentication_token(c->ctx, c->term_eph);
				r = ga_answer(out, 0x86, o);
				if (card_keys(c) == 0)
					c->sm_on = 1;
			}
		} else {
			r = answer(out, NULL, 0, 0x6A80);
		}
		BUF_MEM_clear_free(in);
		BUF_MEM_clear_free(o);
		return r;
	}
	return answer(out, NULL, 0, 0x6D00);
}

static bk_err card_transmit(void *ctx, const uint8_t *cmd, size_t cmd_len,
			    uint8_t *resp, size_t resp_cap, size_t *resp_len,
			    char *err, size_t errlen)
{
	struct card *c = ctx;
	static uint8_t plain[70000], ans[70000];
	size_t pl, al;

	(void)err; (void)errlen;
	c->apdus++;
	if (c->pull_after && c->apdus > (c->pull_after < 0 ? 0 : c->pull_after))
		return BK_ERR_REMOVED;
	if (c->sm_on) {
		if (icao_sm_unprotect_command(&c->sm, cmd, cmd_len, plain,
					      sizeof plain, &pl) != BK_OK) {
			c->sm_on = 0;
			*resp_len = answer(resp, NULL, 0, 0x6988);
			return BK_OK;
		}
		al = card_plain(c, plain, pl, ans);
		if (icao_sm_protect_response(&c->sm, ans, al, resp, resp_cap,
					     resp_len) != BK_OK)
			return BK_ERR_IO;
	} else {
		*resp_len = card_plain(c, cmd, cmd_len, resp);
	}
	if (c->flip_response == c->apdus)
		resp[*resp_len - 3] ^= 0x01;
	return BK_OK;
}

/* ---- fixtures ---- */

struct pki {
	EVP_PKEY *csca_key, *ds_key;
	X509 *csca, *ds;
	char dir[256];
};

static struct pki pki;

static int pki_init(void)
{
	char path[300];
	FILE *f;

	pki.csca_key = EVP_EC_gen("P-256");
	pki.ds_key = EVP_EC_gen("P-256");
	if (icao_pa_make_cert(pki.csca_key, "DE", "Test CSCA", NULL, NULL, &pki.csca) ||
	    icao_pa_make_cert(pki.ds_key, "DE", "Test DS", pki.csca_key, pki.csca, &pki.ds))
		return -1;
	check_tmpdir(pki.dir);
	snprintf(path, sizeof path, "%s/csca.pem", pki.dir);
	f = fopen(path, "w");
	PEM_write_X509(f, pki.csca);
	fclose(f);
	return 0;
}

static void pki_free(void)
{
	EVP_PKEY_free(pki.csca_key);
	EVP_PKEY_free(pki.ds_key);
	X509_free(pki.csca);
	X509_free(pki.ds);
	check_rmtree(pki.dir);
}

static void sign(struct card *c)
{
	struct icao_pa_dg dg = { 1, c->dg1.data, c->dg1.len };

	c->sod.len = 0;
	icao_pa_make_sod(pki.ds_key, pki.ds, NID_sha256, &dg, 1, &c->sod);
}

/* An ID card (TD1, PACE) or a passport (TD3, BAC or PACE). */
static void card_make(struct card *c, enum mrz_format fmt, int pace, uint8_t cipher)
{
	struct mrz_fields f;
	char mrz[100], err[100];
	unsigned char dg1[128];
	size_t n;

	memset(c, 0, sizeof *c);
	c->pace = pace;
	memcpy(c->cardaccess, CARDACCESS, sizeof CARDACCESS);
	c->cardaccess[15] = cipher;
	strcpy(c->can, "123456");
	strcpy(c->docno, "T22000129");
	strcpy(c->dob, "640812");
	strcpy(c->doe, "311031");
	memset(&f, 0, sizeof f);
	f.format = fmt;
	strcpy(f.document_type, fmt == MRZ_TD1 ? "ID" : "P");
	strcpy(f.issuing_state, "D");
	strcpy(f.document_number, c->docno);
	strcpy(f.nationality, "D");
	strcpy(f.date_of_birth, c->dob);
	f.sex = 'F';
	strcpy(f.date_of_expiry, c->doe);
	strcpy(f.surname, "Mustermann");
	strcpy(f.given_names, "Erika Anna");
	mrz_compose(&f, mrz, sizeof mrz, err, sizeof err);
	n = mrz_dg1_encode(mrz, strlen(mrz), dg1, sizeof dg1);
	buf_append(&c->dg1, dg1, n);
	sign(c);
}

static struct icao_transport tr(struct card *c, int ext)
{
	struct icao_transport t = { c, card_transmit, ext };

	return t;
}

static struct icao_access can_access(const char *can)
{
	struct icao_access a;

	memset(&a, 0, sizeof a);
	a.kind = ICAO_ACCESS_CAN;
	snprintf(a.can, sizeof a.can, "%s", can);
	return a;
}

static struct icao_access mrz_access(const char *docno)
{
	struct icao_access a;

	memset(&a, 0, sizeof a);
	a.kind = ICAO_ACCESS_MRZ;
	snprintf(a.document_number, sizeof a.document_number, "%s", docno);
	strcpy(a.date_of_birth, "640812");
	strcpy(a.date_of_expiry, "311031");
	return a;
}

static int doc_empty(const struct icao_document *d)
{
	return !d->surname[0] && !d->given_names[0] && !d->document_number[0] &&
	       !d->date_of_birth[0];
}

/* ---- tests ---- */

static void check_erika(const struct icao_document *d, const char *type)
{
	CHECK_STR(d->document_type, type);
	CHECK_STR(d->issuing_state, "D");
	CHECK_STR(d->document_number, "T22000129");
	CHECK_STR(d->surname, "MUSTERMANN");
	CHECK_STR(d->given_names, "ERIKA ANNA");
	CHECK_STR(d->nationality, "D");
	CHECK_STR(d->date_of_birth, "1964-08-12");
	CHECK_STR(d->sex, "F");
	CHECK_STR(d->date_of_expiry, "2031-10-31");
}

static void test_pace_can(void)
{
	static const uint8_t ciphers[] = { 1, 2, 3, 4 };   /* 3DES, AES-128/192/256 */
	size_t i;

	for (i = 0; i < sizeof ciphers; i++) {
		struct card c;
		struct icao_transport t;
		struct icao_access a = can_access("123456");
		struct icao_document d;
		struct icao_stats st;
		char err[200];
		bk_err rc;
		int sod_reads;

		card_make(&c, MRZ_TD1, 1, ciphers[i]);
		t = tr(&c, 0);
		rc = icao_read(&t, &a, pki.dir, &d, &st, err, sizeof err);
		CHECK_INT(rc, BK_OK);
		if (rc != BK_OK)
			fprintf(stderr, "cipher %u: %s\n", ciphers[i], err);
		check_erika(&d, "ID");
		CHECK_STR(icao_pa_name(d.passive_auth), "verified");
		CHECK_STR(st.method, "PACE");
		/* CardAccess, MSE, 4 GA, SELECT, EF.COM, SOD in 0xDF chunks, DG1 */
		sod_reads = (int)((c.sod.len + 0xDE) / 0xDF);
		CHECK_INT(st.apdus, 1 + 1 + 4 + 1 + 1 + sod_reads + 1);
		CHECK_INT(st.apdus, c.apdus);
		icao_document_wipe(&d);
		card_free(&c);
	}
}

/* DH generic mapping with the 2048-bit group (parameterId 2): its keys
 * need extended-length General Authenticate commands. */
static void test_pace_dh(void)
{
	struct card c;
	struct icao_transport t;
	struct icao_access a = can_access("123456");
	struct icao_document d;
	struct icao_stats st;
	char err[200];

	card_make(&c, MRZ_TD1, 1, 2);
	c.cardaccess[14] = 0x01;    /* id-PACE-DH-GM-AES-CBC-CMAC-128 */
	c.cardaccess[21] = 0x02;    /* 2048-bit MODP, 256-bit subgroup */
	t = tr(&c, 1);
	CHECK_INT(icao_read(&t, &a, pki.dir, &d, &st, err, sizeof err), BK_OK);
	check_erika(&d, "ID");
	card_free(&c);
	card_make(&c, MRZ_TD1, 1, 2);
	c.cardaccess[14] = 0x01;
	c.cardaccess[21] = 0x02;
	t = tr(&c, 1);
	a = can_access("654321");
	CHECK_INT(icao_read(&t, &a, pki.dir, &d, &st, err, sizeof err), BK_ERR_ACCESS);
	card_free(&c);
}

static void test_extended_length(void)
{
	struct card c;
	struct icao_transport t;
	struct icao_access a = can_access("123456");
	struct icao_document d;
	struct icao_stats st;
	char err[200];

	card_make(&c, MRZ_TD1, 1, 2);
	t = tr(&c, 1);
	CHECK_INT(icao_read(&t, &a, pki.dir, &d, &st, err, sizeof err), BK_OK);
	check_erika(&d, "ID");
	/* the smallest count: EF.COM, SOD and DG1 in one READ BINARY each */
	CHECK_INT(st.apdus, 10);
	card_free(&c);
}

static void test_pace_mrz_and_bac(void)
{
	struct card c;
	struct icao_transport t;
	struct icao_access a = mrz_access("T22000129");
	struct icao_document d;
	struct icao_stats st;
	char err[200];

	card_make(&c, MRZ_TD3, 1, 2);
	t = tr(&c, 0);
	CHECK_INT(icao_read(&t, &a, pki.dir, &d, &st, err, sizeof err), BK_OK);
	check_erika(&d, "P");
	CHECK_STR(st.method, "PACE");
	card_free(&c);

	card_make(&c, MRZ_TD3, 0, 2);
	t = tr(&c, 0);
	CHECK_INT(icao_read(&t, &a, pki.dir, &d, &st, err, sizeof err), BK_OK);
	check_erika(&d, "P");
	CHECK_STR(st.method, "BAC");
	CHECK_STR(err, "");
	CHECK_INT(d.passive_auth, ICAO_PA_VERIFIED);
	/* no CSCA configured */
	card_reset(&c);
	CHECK_INT(icao_read(&t, &a, NULL, &d, &st, err, sizeof err), BK_OK);
	CHECK_STR(icao_pa_name(d.passive_auth), "no_csca");
	card_free(&c);
}

static void test_wrong_keys(void)
{
	struct card c;
	struct icao_transport t;
	struct icao_access a = can_access("123457");
	struct icao_document d;
	char err[200];

	card_make(&c, MRZ_TD1, 1, 2);
	t = tr(&c, 0);
	CHECK_INT(icao_read(&t, &a, pki.dir, &d, NULL, err, sizeof err), BK_ERR_ACCESS);
	CHECK(strstr(err, "refused") != NULL);
	CHECK(doc_empty(&d));
	card_free(&c);

	a = mrz_access("T22000128");
	card_make(&c, MRZ_TD3, 0, 2);
	t = tr(&c, 0);
	CHECK_INT(icao_read(&t, &a, pki.dir, &d, NULL, err, sizeof err), BK_ERR_ACCESS);
	CHECK(doc_empty(&d));
	/* a malformed CAN never reaches the card */
	card_reset(&c);
	a = can_access("12345");
	CHECK_INT(icao_read(&t, &a, pki.dir, &d, NULL, err, sizeof err), BK_ERR_ACCESS);
	CHECK(strstr(err, "6 digits") != NULL);
	CHECK_INT(c.apdus, 0);
	a = can_access("12345a");
	CHECK_INT(icao_read(&t, &a, pki.dir, &d, NULL, err, sizeof err), BK_ERR_ACCESS);
	/* a CAN for a passport without PACE */
	card_reset(&c);
	a = can_access("123456");
	CHECK_INT(icao_read(&t, &a, pki.dir, &d, NULL, err, sizeof err), BK_ERR_ACCESS);
	CHECK(strstr(err, "MRZ") != NULL);
	card_free(&c);
}

/* The card goes away after each possible number of APDUs. */
static void test_pulled(void)
{
	int n, total;
	struct card c;
	struct icao_transport t;
	struct icao_access a = can_access("123456");
	struct icao_document d;
	struct icao_stats st;
	char err[200];

	card_make(&c, MRZ_TD1, 1, 2);
	t = tr(&c, 0);
	REQUIRE(icao_read(&t, &a, pki.dir, &d, &st, err, sizeof err) == BK_OK);
	total = st.apdus;
	for (n = 0; n < total; n++) {
		card_reset(&c);
		c.pull_after = n;      /* APDU n+1 finds no card */
		if (n == 0)
			c.pull_after = -1;
		CHECK_INT(icao_read(&t, &a, pki.dir, &d, &st, err, sizeof err), BK_ERR_REMOVED);
		CHECK(doc_empty(&d));
		CHECK_INT(st.apdus, n + 1);
		CHECK_INT(c.apdus, n + 1);
	}
	card_free(&c);
}

static void test_forged_and_tampered(void)
{
	struct card c;
	struct icao_transport t;
	struct icao_access a = can_access("123456");
	struct icao_document d;
	char err[200];
	size_t i;

	/* DG1 changed on the chip, SOD as issued: a forgery */
	card_make(&c, MRZ_TD1, 1, 2);
	t = tr(&c, 0);
	for (i = 0; i < c.dg1.len; i++)
		if (memcmp(c.dg1.data + i, "ERIKA", 5) == 0)
			memcpy(c.dg1.data + i, "ERIKO", 5);
	CHECK_INT(icao_read(&t, &a, pki.dir, &d, NULL, err, sizeof err), BK_ERR_AUTH);
	CHECK(strstr(err, "passive authentication") != NULL);
	CHECK(doc_empty(&d));
	/* also without any CSCA: a broken hash is never "no_csca" */
	card_reset(&c);
	CHECK_INT(icao_read(&t, &a, NULL, &d, NULL, err, sizeof err), BK_ERR_AUTH);
	CHECK(doc_empty(&d));
	card_free(&c);

	/* a wrong check digit, properly signed: the DG1 parser says which */
	card_make(&c, MRZ_TD1, 1, 2);
	t = tr(&c, 0);
	c.dg1.data[5 + 30 + 6] = c.dg1.data[5 + 30 + 6] == '9' ? '0' : (unsigned char)(c.dg1.data[5 + 30 + 6] + 1);
	sign(&c);
	CHECK_INT(icao_read(&t, &a, pki.dir, &d, NULL, err, sizeof err), BK_ERR_INVALID);
	CHECK(strstr(err, "date of birth") != NULL);
	CHECK(doc_empty(&d));
	card_free(&c);
}

/* A flipped bit in any SM response's MAC is caught. */
static void test_bad_mac(void)
{
	struct card c;
	struct icao_transport t;
	struct icao_access a = can_access("123456");
	struct icao_document d;
	char err[200];
	int n;

	card_make(&c, MRZ_TD1, 1, 2);
	t = tr(&c, 0);
	for (n = 7; n <= 10; n++) {     /* SELECT, EF.COM, SOD reads */
		card_reset(&c);
		c.flip_response = n;
		CHECK_INT(icao_read(&t, &a, pki.dir, &d, NULL, err, sizeof err), BK_ERR_AUTH);
		CHECK(doc_empty(&d));
	}
	card_free(&c);
}

int main(void)
{
	static const struct check_test tests[] = {
		{ "pace_can", test_pace_can },
		{ "extended_length", test_extended_length },
		{ "pace_dh", test_pace_dh },
		{ "pace_mrz_and_bac", test_pace_mrz_and_bac },
		{ "wrong_keys", test_wrong_keys },
		{ "pulled", test_pulled },
		{ "forged_and_tampered", test_forged_and_tampered },
		{ "bad_mac", test_bad_mac },
		{ NULL, NULL },
	};
	int rc;

	icao_pace_init();
	if (pki_init() != 0)
		return 1;
	rc = check_main(tests);
	pki_free();
	return rc;
}
