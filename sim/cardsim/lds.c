/*
 * lds.c — the emulated card's files (ICAO 9303 part 10, LDS 1.7) and the
 * document signer that signs EF.SOD (cardsim_int.h).
 *
 *   EF.CardAccess  31 14 30 12 06 0A 04 00 7F 00 07 02 02 04 02 02
 *                        02 01 02 02 01 0D
 *                  SET { PACEInfo { id-PACE-ECDH-GM-AES-CBC-CMAC-128,
 *                  version 2, parameterId 13 (brainpoolP256r1) } }
 *   EF.COM         60 { 5F01 "0107", 5F36 "040000", 5C 61 75 }
 *   DG1            61 { 5F1F MRZ }
 *   DG2            75 { 7F61 { 02 01 00 } }   placeholder, no face image
 *   EF.SOD         77 { ContentInfo SignedData (RFC 5652) }
 *                  eContentType 2.23.136.1.1.1, eContent:
 *                  LDSSecurityObject { 0, sha256, { {1, H(DG1)},
 *                  {2, H(DG2)} } }, signed with an EC P-256 document
 *                  signer key generated at start, its certificate issued
 *                  by the CSCA (given, or a throwaway one) and carried in
 *                  the SignedData.
 *
 * --forge-sod replaces a letter of the name in DG1 after signing (the DG1
 * hash then disagrees with the SOD); --bad-check-digit signs a DG1 whose
 * date-of-birth check digit is wrong (the SOD is genuine, the MRZ is not).
 */
#include "sim/cardsim/cardsim_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "firmware/tlv.h"
#include "firmware/util.h"

static const uint8_t card_access[] = {
	0x31, 0x14, 0x30, 0x12, 0x06, 0x0A, 0x04, 0x00, 0x7F, 0x00, 0x07,
	0x02, 0x02, 0x04, 0x02, 0x02, 0x02, 0x01, 0x02, 0x02, 0x01, 0x0D,
};

static const uint8_t dg2_placeholder[] = {
	0x75, 0x06, 0x7F, 0x61, 0x03, 0x02, 0x01, 0x00,
};

/* sha256 AlgorithmIdentifier: 30 0D 06 09 60 86 48 01 65 03 04 02 01 05 00 */
static const uint8_t alg_sha256[] = {
	0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04,
	0x02, 0x01, 0x05, 0x00,
};

static int set_file(struct cardsim *c, int i, const uint8_t *p, size_t n)
{
	c->files[i] = malloc(n ? n : 1);
	if (!c->files[i])
		return -1;
	memcpy(c->files[i], p, n);
	c->flen[i] = n;
	return 0;
}

/* TLV-wraps value into out; returns the total size or 0. */
static size_t wrap(uint8_t *out, size_t cap, uint32_t tag, const uint8_t *v,
		   size_t n)
{
	return tlv_put(out, cap, tag, v, n);
}

static int build_com(struct cardsim *c)
{
	uint8_t inner[32], out[40];
	size_t n = 0;

	n += wrap(inner + n, sizeof inner - n, 0x5F01,
		  (const uint8_t *)"0107", 4);
	n += wrap(inner + n, sizeof inner - n, 0x5F36,
		  (const uint8_t *)"040000", 6);
	n += wrap(inner + n, sizeof inner - n, 0x5C,
		  (const uint8_t *)"\x61\x75", 2);
	n = wrap(out, sizeof out, 0x60, inner, n);
	return n ? set_file(c, CARDSIM_EF_COM, out, n) : -1;
}

static int build_dg1(struct cardsim *c, int bad_check_digit)
{
	char mrz[91];
	uint8_t out[128];
	size_t n;

	cardsim_mrz(&c->h, bad_check_digit, mrz);
	{
		uint8_t inner[100];
		size_t m = wrap(inner, sizeof inner, 0x5F1F,
				(const uint8_t *)mrz, strlen(mrz));

		n = m ? wrap(out, sizeof out, 0x61, inner, m) : 0;
		util_wipe(inner, sizeof inner);
	}
	util_wipe(mrz, sizeof mrz);
	if (!n || set_file(c, CARDSIM_EF_DG1, out, n))
		return -1;
	util_wipe(out, sizeof out);
	return 0;
}

/* ---- document signer ---- */

static int add_ext(X509 *cert, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ext;
	int ok;

	X509V3_set_ctx(&ctx, issuer, cert, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	if (!ext)
		return -1;
	ok = X509_add_ext(cert, ext, -1);
	X509_EXTENSION_free(ext);
	return ok ? 0 : -1;
}

/* A certificate for key, issued by issuer (NULL: self-signed) and signed
 * with issuer_key. */
static X509 *make_cert(EVP_PKEY *key, const char *cn, X509 *issuer,
		       EVP_PKEY *issuer_key, int ca)
{
	X509 *x = X509_new();
	X509_NAME *name = X509_NAME_new();
	uint8_t serial[8];
	BIGNUM *bn = NULL;
	int ok = 0;

	if (!x || !name)
		goto out;
	util_random(serial, sizeof serial);
	serial[0] &= 0x7F;
	bn = BN_bin2bn(serial, sizeof serial, NULL);
	if (!bn || !BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) ||
	    !X509_set_version(x, 2) ||
	    !X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
					(const unsigned char *)
					"Buergerkiosk test", -1, -1, 0) ||
	    !X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
					(const unsigned char *)cn, -1, -1, 0) ||
	    !X509_set_subject_name(x, name) ||
	    !X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer)
					    : name) ||
	    !X509_gmtime_adj(X509_getm_notBefore(x), -86400) ||
	    !X509_gmtime_adj(X509_getm_notAfter(x), 3L * 365 * 86400) ||
	    !X509_set_pubkey(x, key))
		goto out;
	if (add_ext(x, issuer ? issuer : x, NID_subject_key_identifier, "hash"))
		goto out;
	if (ca) {
		if (add_ext(x, x, NID_basic_constraints, "critical,CA:TRUE") ||
		    add_ext(x, x, NID_key_usage, "critical,keyCertSign,cRLSign"))
			goto out;
	} else {
		if (add_ext(x, issuer, NID_key_usage,
			    "critical,digitalSignature") ||
		    add_ext(x, issuer, NID_authority_key_identifier, "keyid"))
			goto out;
	}
	ok = X509_sign(x, issuer_key, EVP_sha256()) > 0;
out:
	BN_free(bn);
	X509_NAME_free(name);
	if (!ok) {
		X509_free(x);
		return NULL;
	}
	return x;
}

static int load_csca(const struct cardsim_opts *o, X509 **cert,
		     EVP_PKEY **key, char *err, size_t errlen)
{
	FILE *f;

	if (!o->csca_key || !o->csca_cert) {
		*key = EVP_EC_gen("P-256");
		*cert = *key ? make_cert(*key, "Throwaway CSCA", NULL, *key, 1)
			     : NULL;
		if (!*cert) {
			snprintf(err, errlen, "cannot make a throwaway CSCA");
			return -1;
		}
		return 0;
	}
	f = fopen(o->csca_key, "r");
	*key = f ? PEM_read_PrivateKey(f, NULL, NULL, NULL) : NULL;
	if (f)
		fclose(f);
	if (!*key) {
		snprintf(err, errlen, "cannot read the CSCA key %s",
			 o->csca_key);
		return -1;
	}
	f = fopen(o->csca_cert, "r");
	*cert = f ? PEM_read_X509(f, NULL, NULL, NULL) : NULL;
	if (f)
		fclose(f);
	if (!*cert) {
		snprintf(err, errlen, "cannot read the CSCA certificate %s",
			 o->csca_cert);
		return -1;
	}
	if (X509_check_private_key(*cert, *key) != 1) {
		snprintf(err, errlen, "the CSCA key does not match its "
			 "certificate");
		return -1;
	}
	return 0;
}

/* LDSSecurityObject v0 with the SHA-256 of DG1 and DG2. */
static size_t build_ldsso(const struct cardsim *c, uint8_t *out, size_t cap)
{
	static const int dgs[2] = { CARDSIM_EF_DG1, CARDSIM_EF_DG2 };
	uint8_t list[128], seq[256], one[64], h[32];
	size_t nlist = 0, n = 0;

	for (int i = 0; i < 2; i++) {
		uint8_t num = (uint8_t)(i + 1);
		size_t m = 0;

		if (!EVP_Digest(c->files[dgs[i]], c->flen[dgs[i]], h, NULL,
				EVP_sha256(), NULL))
			return 0;
		m += wrap(one + m, sizeof one - m, 0x02, &num, 1);
		m += wrap(one + m, sizeof one - m, 0x04, h, sizeof h);
		nlist += wrap(list + nlist, sizeof list - nlist, 0x30, one, m);
	}
	n += wrap(seq + n, sizeof seq - n, 0x02, (const uint8_t *)"\0", 1);
	memcpy(seq + n, alg_sha256, sizeof alg_sha256);
	n += sizeof alg_sha256;
	n += wrap(seq + n, sizeof seq - n, 0x30, list, nlist);
	return wrap(out, cap, 0x30, seq, n);
}

static int build_sod(struct cardsim *c, const struct cardsim_opts *o,
		     char *err, size_t errlen)
{
	X509 *csca = NULL, *ds = NULL;
	EVP_PKEY *csca_key = NULL, *ds_key = NULL;
	CMS_ContentInfo *cms = NULL;
	ASN1_OBJECT *oid = NULL;
	BIO *in = NULL;
	uint8_t ldsso[512], *der = NULL, *sod = NULL;
	size_t nl;
	int nder, rc = -1;

	if (load_csca(o, &csca, &csca_key, err, errlen))
		goto out;
	ds_key = EVP_EC_gen("P-256");
	ds = ds_key ? make_cert(ds_key, "Document Signer", csca, csca_key, 0)
		    : NULL;
	if (!ds) {
		snprintf(err, errlen, "cannot issue the document signer "
			 "certificate");
		goto out;
	}
	nl = build_ldsso(c, ldsso, sizeof ldsso);
	in = nl ? BIO_new_mem_buf(ldsso, (int)nl) : NULL;
	oid = OBJ_txt2obj("2.23.136.1.1.1", 1);
	if (!in || !oid)
		goto sign_failed;
	cms = CMS_sign(ds, ds_key, NULL, in,
		       CMS_BINARY | CMS_PARTIAL | CMS_NOSMIMECAP);
	if (!cms || !CMS_set1_eContentType(cms, oid) ||
	    !CMS_final(cms, in, NULL, CMS_BINARY))
		goto sign_failed;
	nder = i2d_CMS_ContentInfo(cms, &der);
	if (nder <= 0)
		goto sign_failed;
	sod = malloc((size_t)nder + 8);
	if (!sod)
		goto sign_failed;
	nl = tlv_put(sod, (size_t)nder + 8, 0x77, der, (size_t)nder);
	if (!nl || set_file(c, CARDSIM_EF_SOD, sod, nl))
		goto sign_failed;
	rc = 0;
	goto out;
sign_failed:
	snprintf(err, errlen, "cannot sign EF.SOD");
out:
	free(sod);
	OPENSSL_free(der);
	BIO_free(in);
	ASN1_OBJECT_free(oid);
	CMS_ContentInfo_free(cms);
	X509_free(ds);
	X509_free(csca);
	EVP_PKEY_free(ds_key);
	EVP_PKEY_free(csca_key);
	ERR_clear_error();
	return rc;
}

/* Changes one letter of the name in DG1 (same length: the TLV stays). */
static void forge_dg1(struct cardsim *c)
{
	uint8_t *p = c->files[CARDSIM_EF_DG1];
	size_t n = c->flen[CARDSIM_EF_DG1];
	size_t name = c->h.doc == 1 ? 60 : 5;   /* offset in the MRZ */
	size_t at = n - (c->h.doc == 1 ? 90 : 88) + name;

	p[at] = p[at] == 'X' ? 'Y' : 'X';
}

int cardsim__build_files(struct cardsim *c, const struct cardsim_opts *o,
			 char *err, size_t errlen)
{
	if (((c->h.access & CARDSIM_ACCESS_PACE) &&
	     set_file(c, CARDSIM_EF_CARDACCESS, card_access,
		      sizeof card_access)) ||
	    build_com(c) || build_dg1(c, o->bad_check_digit) ||
	    set_file(c, CARDSIM_EF_DG2, dg2_placeholder,
		     sizeof dg2_placeholder)) {
		snprintf(err, errlen, "cannot build the card's files");
		return -1;
	}
	if (build_sod(c, o, err, errlen))
		return -1;
	if (o->forge_sod)
		forge_dg1(c);
	return 0;
}
