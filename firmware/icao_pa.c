/* icao_pa.c — passive authentication of EF.SOD (see icao_pa.h). */
#include "firmware/icao_pa.h"

#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "firmware/tlv.h"
#include "firmware/util.h"

#define LDSSO_OID "2.23.136.1.1.1"
#define CSCA_FILE_MAX (1 << 20)
#define CSCA_FILES_MAX 1000

const char *icao_pa_name(enum icao_pa pa)
{
	switch (pa) {
	case ICAO_PA_VERIFIED: return "verified";
	case ICAO_PA_NO_CSCA: return "no_csca";
	case ICAO_PA_FAILED: return "failed";
	}
	return "failed";
}

static void seterr(char *err, size_t errlen, const char *msg)
{
	if (err && errlen)
		snprintf(err, errlen, "%s", msg);
}

/* ---- LDSSecurityObject ---- */

static int small_int(const struct tlv *t, int *out)
{
	if (t->tag != 0x02 || t->len != 1 || (t->value[0] & 0x80))
		return -1;
	*out = t->value[0];
	return 0;
}

static int hash_nid_of(const struct tlv *oid)
{
	const unsigned char *p;
	ASN1_OBJECT *o;
	uint8_t der[32];
	size_t n;
	int nid;

	n = tlv_put(der, sizeof der, 0x06, oid->value, oid->len);
	if (n == 0)
		return NID_undef;
	p = der;
	o = d2i_ASN1_OBJECT(NULL, &p, (long)n);
	if (!o)
		return NID_undef;
	nid = OBJ_obj2nid(o);
	ASN1_OBJECT_free(o);
	switch (nid) {
	case NID_sha1: case NID_sha224: case NID_sha256:
	case NID_sha384: case NID_sha512:
		return nid;
	}
	return NID_undef;
}

bk_err icao_pa_parse_ldsso(const uint8_t *der, size_t n,
			   struct icao_ldsso *out)
{
	struct tlv seq, ver, alg, oid, hashes, e, num, val;
	struct tlv_iter it, hi;
	size_t mdlen, i;
	int k;

	memset(out, 0, sizeof *out);
	if (tlv_read(der, n, &seq) != BK_OK || seq.tag != 0x30 || seq.size != n)
		return BK_ERR_INVALID;
	tlv_iter_init(&it, seq.value, seq.len);
	if (tlv_iter_next(&it, &ver) != BK_OK || small_int(&ver, &out->version) ||
	    out->version > 1)
		goto bad;
	if (tlv_iter_next(&it, &alg) != BK_OK || alg.tag != 0x30 ||
	    tlv_read(alg.value, alg.len, &oid) != BK_OK || oid.tag != 0x06)
		goto bad;
	out->hash_nid = hash_nid_of(&oid);
	if (out->hash_nid == NID_undef)
		goto bad;
	mdlen = (size_t)EVP_MD_get_size(EVP_get_digestbynid(out->hash_nid));
	if (tlv_iter_next(&it, &hashes) != BK_OK || hashes.tag != 0x30)
		goto bad;
	tlv_iter_init(&hi, hashes.value, hashes.len);
	for (;;) {
		bk_err rc = tlv_iter_next(&hi, &e);

		if (rc == BK_ERR_NOTFOUND)
			break;
		if (rc != BK_OK || e.tag != 0x30 || out->count == ICAO_PA_MAX_DG)
			goto bad;
		if (tlv_read(e.value, e.len, &num) != BK_OK ||
		    small_int(&num, &k) || k < 1 || k > 16 ||
		    tlv_read(e.value + num.size, e.len - num.size, &val) != BK_OK ||
		    val.tag != 0x04 || val.len != mdlen ||
		    num.size + val.size != e.len)
			goto bad;
		for (i = 0; i < out->count; i++)
			if (out->dg[i].number == k)
				goto bad;
		out->dg[out->count].number = k;
		memcpy(out->dg[out->count].hash, val.value, mdlen);
		out->dg[out->count].len = mdlen;
		out->count++;
	}
	if (out->count == 0)
		goto bad;
	return BK_OK;   /* ldsVersionInfo (version 1) is not needed */
bad:
	memset(out, 0, sizeof *out);
	return BK_ERR_INVALID;
}

/* ---- CSCA folder ---- */

/* Adds every PEM certificate of the regular files in dir to store; the
 * count, or -1 when out of memory. A missing folder counts 0. */
static int load_cscas(const char *dir, X509_STORE *store)
{
	DIR *d = dir && dir[0] ? opendir(dir) : NULL;
	struct dirent *de;
	int count = 0, files = 0;

	if (!d)
		return 0;
	while ((de = readdir(d)) != NULL && files < CSCA_FILES_MAX) {
		char path[4096];
		struct stat st;
		BIO *bio;
		X509 *x;

		if (de->d_name[0] == '.' ||
		    util_fmt(path, sizeof path, "%s/%s", dir, de->d_name) < 0 ||
		    stat(path, &st) != 0 || !S_ISREG(st.st_mode) ||
		    st.st_size > CSCA_FILE_MAX)
			continue;
		files++;
		bio = BIO_new_file(path, "r");
		if (!bio)
			continue;
		while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
			if (X509_STORE_add_cert(store, x) == 1)
				count++;
			X509_free(x);
		}
		BIO_free(bio);
	}
	closedir(d);
	ERR_clear_error();   /* the end of each PEM file leaves an error */
	return count;
}

static int chain_ok(X509_STORE *store, X509 *ds, STACK_OF(X509) *untrusted,
		    char *err, size_t errlen)
{
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	int ok = 0;

	if (!ctx)
		return 0;
	if (X509_STORE_CTX_init(ctx, store, ds, untrusted) == 1) {
		X509_STORE_CTX_set_flags(ctx, X509_V_FLAG_PARTIAL_CHAIN);
		ok = X509_verify_cert(ctx) == 1;
		if (!ok && err && errlen)
			snprintf(err, errlen,
				 "document signer not issued by a known CSCA (%s)",
				 X509_verify_cert_error_string(
					 X509_STORE_CTX_get_error(ctx)));
	}
	X509_STORE_CTX_free(ctx);
	return ok;
}

/* ---- the check ---- */

static int dg_hash_ok(const struct icao_ldsso *so, const struct icao_pa_dg *dg)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	size_t i;

	for (i = 0; i < so->count; i++) {
		if (so->dg[i].number != dg->number)
			continue;
		if (EVP_Digest(dg->data, dg->len, md, &mdlen,
			       EVP_get_digestbynid(so->hash_nid), NULL) != 1)
			return 0;
		return mdlen == so->dg[i].len &&
		       CRYPTO_memcmp(md, so->dg[i].hash, mdlen) == 0;
	}
	return 0;
}

bk_err icao_pa_check(const uint8_t *sod, size_t sod_len, const char *csca_dir,
		     const struct icao_pa_dg *dgs, size_t ndg,
		     enum icao_pa *result, char *err, size_t errlen)
{
	CMS_ContentInfo *cms = NULL;
	STACK_OF(X509) *certs = NULL, *signers = NULL;
	X509_STORE *store = NULL;
	ASN1_OCTET_STRING **content;
	struct icao_ldsso so;
	const unsigned char *p;
	struct tlv t;
	char oid[64];
	size_t i;
	int n;
	bk_err rc = BK_OK;

	*result = ICAO_PA_FAILED;
	memset(&so, 0, sizeof so);
	if (sod_len > ICAO_PA_SOD_MAX) {
		seterr(err, errlen, "EF.SOD is larger than 64 KiB");
		goto out;
	}
	if (tlv_read(sod, sod_len, &t) != BK_OK || t.tag != 0x77) {
		seterr(err, errlen, "EF.SOD is not 77 { SignedData }");
		goto out;
	}
	p = t.value;
	cms = d2i_CMS_ContentInfo(NULL, &p, (long)t.len);
	if (!cms || OBJ_obj2nid(CMS_get0_type(cms)) != NID_pkcs7_signed) {
		seterr(err, errlen, "EF.SOD does not hold a CMS SignedData");
		goto out;
	}
	if (OBJ_obj2txt(oid, sizeof oid, CMS_get0_eContentType(cms), 1) <= 0 ||
	    strcmp(oid, LDSSO_OID) != 0) {
		seterr(err, errlen, "EF.SOD does not sign an LDS security object");
		goto out;
	}
	content = CMS_get0_content(cms);
	if (!content || !*content ||
	    icao_pa_parse_ldsso(ASN1_STRING_get0_data(*content),
				(size_t)ASN1_STRING_length(*content), &so) != BK_OK) {
		seterr(err, errlen, "the LDS security object in EF.SOD is malformed");
		goto out;
	}
	certs = CMS_get1_certs(cms);
	if (!certs || sk_X509_num(certs) < 1) {
		seterr(err, errlen, "EF.SOD carries no document signer certificate");
		goto out;
	}
	if (CMS_verify(cms, NULL, NULL, NULL, NULL,
		       CMS_NO_SIGNER_CERT_VERIFY | CMS_BINARY) != 1) {
		seterr(err, errlen, "the signature of EF.SOD does not verify");
		goto out;
	}
	for (i = 0; i < ndg; i++) {
		if (!dg_hash_ok(&so, &dgs[i])) {
			if (err && errlen)
				snprintf(err, errlen,
					 "DG%d hash does not match the SOD",
					 dgs[i].number);
			goto out;
		}
	}
	store = X509_STORE_new();
	if (!store) {
		rc = BK_ERR_NOMEM;
		goto out;
	}
	n = load_cscas(csca_dir, store);
	if (n == 0) {
		*result = ICAO_PA_NO_CSCA;
		seterr(err, errlen, "no CSCA certificate to check against");
		goto out;
	}
	signers = CMS_get0_signers(cms);
	if (!signers || sk_X509_num(signers) != 1) {
		seterr(err, errlen, "EF.SOD must have exactly one signer");
		goto out;
	}
	if (chain_ok(store, sk_X509_value(signers, 0), certs, err, errlen))
		*result = ICAO_PA_VERIFIED;
out:
	sk_X509_free(signers);
	sk_X509_pop_free(certs, X509_free);
	X509_STORE_free(store);
	CMS_ContentInfo_free(cms);
	ERR_clear_error();
	return rc;
}

/* ---- issuing side (card emulator, tests) ---- */

static int add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ext;
	int ok;

	X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	if (!ext)
		return 0;
	ok = X509_add_ext(x, ext, -1) == 1;
	X509_EXTENSION_free(ext);
	return ok;
}

bk_err icao_pa_make_cert(EVP_PKEY *key, const char *country, const char *cn,
			 EVP_PKEY *issuer_key, X509 *issuer_cert,
			 X509 **out)
{
	X509 *x = X509_new();
	X509_NAME *name = X509_NAME_new();
	unsigned char serial[8];
	BIGNUM *bn = NULL;
	int ca = issuer_key == NULL, ok;

	*out = NULL;
	util_random(serial, sizeof serial);
	serial[0] &= 0x7F;
	bn = BN_bin2bn(serial, sizeof serial, NULL);
	ok = x && name && bn && X509_set_version(x, 2) == 1 &&
	     BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) &&
	     X509_NAME_add_entry_by_txt(name, "C", MBSTRING_ASC,
					(const unsigned char *)country, -1, -1, 0) == 1 &&
	     X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
					(const unsigned char *)cn, -1, -1, 0) == 1 &&
	     X509_set_subject_name(x, name) == 1 &&
	     X509_set_issuer_name(x, ca ? name
				     : X509_get_subject_name(issuer_cert)) == 1 &&
	     X509_gmtime_adj(X509_getm_notBefore(x), -86400) &&
	     X509_gmtime_adj(X509_getm_notAfter(x), 10L * 365 * 86400) &&
	     X509_set_pubkey(x, key) == 1 &&
	     add_ext(x, ca ? x : issuer_cert, NID_basic_constraints,
		     ca ? "critical,CA:TRUE,pathlen:0" : "critical,CA:FALSE") &&
	     add_ext(x, ca ? x : issuer_cert, NID_key_usage,
		     ca ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature") &&
	     add_ext(x, ca ? x : issuer_cert, NID_subject_key_identifier, "hash") &&
	     X509_sign(x, ca ? key : issuer_key, EVP_sha256()) > 0;
	BN_free(bn);
	X509_NAME_free(name);
	ERR_clear_error();
	if (!ok) {
		X509_free(x);
		return BK_ERR_INVALID;
	}
	*out = x;
	return BK_OK;
}

/* DER of the LDSSecurityObject (version 0) over dgs with hash_nid. */
static int ldsso_encode(int hash_nid, const struct icao_pa_dg *dgs,
			size_t ndg, struct buf *b)
{
	const EVP_MD *md = EVP_get_digestbynid(hash_nid);
	struct buf list = { 0 }, alg = { 0 }, body = { 0 };
	ASN1_OBJECT *o = OBJ_nid2obj(hash_nid);
	unsigned char h[EVP_MAX_MD_SIZE], tmp[EVP_MAX_MD_SIZE + 16], *der = NULL;
	unsigned int hl;
	uint8_t hdr[8], ver[3] = { 0x02, 0x01, 0x00 };
	size_t i, n;
	int dl, ok = md && o;

	for (i = 0; ok && i < ndg; i++) {
		uint8_t num[3] = { 0x02, 0x01, (uint8_t)dgs[i].number };
		size_t k;

		ok = EVP_Digest(dgs[i].data, dgs[i].len, h, &hl, md, NULL) == 1;
		k = tlv_put(tmp, sizeof tmp, 0x04, h, hl);
		n = tlv_put_header(hdr, sizeof hdr, 0x30, 3 + k);
		ok = ok && k && buf_append(&list, hdr, n) == 0 &&
		     buf_append(&list, num, 3) == 0 &&
		     buf_append(&list, tmp, k) == 0;
	}
	dl = ok ? i2d_ASN1_OBJECT(o, &der) : -1;
	ok = ok && dl > 0 && buf_append(&alg, der, (size_t)dl) == 0 &&
	     buf_append(&alg, "\x05\x00", 2) == 0;
	OPENSSL_free(der);
	if (ok) {
		n = tlv_put_header(hdr, sizeof hdr, 0x30, alg.len);
		ok = buf_append(&body, ver, 3) == 0 &&
		     buf_append(&body, hdr, n) == 0 &&
		     buf_append(&body, alg.data, alg.len) == 0;
		n = tlv_put_header(hdr, sizeof hdr, 0x30, list.len);
		ok = ok && buf_append(&body, hdr, n) == 0 &&
		     buf_append(&body, list.data, list.len) == 0;
		n = tlv_put_header(hdr, sizeof hdr, 0x30, body.len);
		ok = ok && buf_append(b, hdr, n) == 0 &&
		     buf_append(b, body.data, body.len) == 0;
	}
	buf_free(&list);
	buf_free(&alg);
	buf_free(&body);
	return ok ? 0 : -1;
}

bk_err icao_pa_make_sod(EVP_PKEY *ds_key, X509 *ds_cert, int hash_nid,
			const struct icao_pa_dg *dgs, size_t ndg,
			struct buf *out)
{
	struct buf so = { 0 };
	CMS_ContentInfo *cms = NULL;
	ASN1_OBJECT *oid = NULL;
	BIO *in = NULL;
	unsigned char *der = NULL;
	uint8_t hdr[8];
	int dl = -1;
	size_t n;
	bk_err rc = BK_ERR_INVALID;

	if (ldsso_encode(hash_nid, dgs, ndg, &so) < 0)
		goto out;
	in = BIO_new_mem_buf(so.data, (int)so.len);
	oid = OBJ_txt2obj(LDSSO_OID, 1);
	cms = in && oid ? CMS_sign(ds_cert, ds_key, NULL, NULL,
				   CMS_BINARY | CMS_PARTIAL | CMS_NOSMIMECAP)
			: NULL;
	if (!cms || CMS_set1_eContentType(cms, oid) != 1 ||
	    CMS_final(cms, in, NULL, CMS_BINARY) != 1)
		goto out;
	dl = i2d_CMS_ContentInfo(cms, &der);
	if (dl <= 0)
		goto out;
	n = tlv_put_header(hdr, sizeof hdr, 0x77, (size_t)dl);
	if (buf_append(out, hdr, n) == 0 &&
	    buf_append(out, der, (size_t)dl) == 0)
		rc = BK_OK;
out:
	OPENSSL_free(der);
	BIO_free(in);
	ASN1_OBJECT_free(oid);
	CMS_ContentInfo_free(cms);
	buf_free(&so);
	ERR_clear_error();
	return rc;
}
