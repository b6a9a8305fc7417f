/* test_icao_pa: passive authentication with an SOD made here with OpenSSL
 * (a test CSCA and document signer generated per run). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "firmware/icao_pa.h"
#include "firmware/mrz.h"
#include "firmware/util.h"
#include "tests/unit/check.h"

static const char TD1[] =
	"I<UTOD231458907<<<<<<<<<<<<<<<"
	"7408122F1204159UTO<<<<<<<<<<<6"
	"ERIKSSON<<ANNA<MARIA<<<<<<<<<<";

struct pki {
	EVP_PKEY *csca_key, *ds_key, *other_key;
	X509 *csca, *ds, *other;
	char dir[256], otherdir[256], emptydir[256];
};

static void write_pem(const char *dir, const char *name, X509 *x)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	f = fopen(path, "w");
	PEM_write_X509(f, x);
	fclose(f);
}

static int pki_init(struct pki *p)
{
	memset(p, 0, sizeof *p);
	p->csca_key = EVP_EC_gen("P-256");
	p->ds_key = EVP_EC_gen("P-256");
	p->other_key = EVP_EC_gen("P-256");
	if (!p->csca_key || !p->ds_key || !p->other_key)
		return -1;
	if (icao_pa_make_cert(p->csca_key, "UT", "Test CSCA", NULL, NULL, &p->csca) ||
	    icao_pa_make_cert(p->ds_key, "UT", "Test DS", p->csca_key, p->csca, &p->ds) ||
	    icao_pa_make_cert(p->other_key, "UT", "Test CSCA", NULL, NULL, &p->other))
		return -1;
	check_tmpdir(p->dir);
	check_tmpdir(p->otherdir);
	check_tmpdir(p->emptydir);
	write_pem(p->dir, "csca.pem", p->csca);
	write_pem(p->otherdir, "csca.pem", p->other);   /* same name, other key */
	/* a file that holds no certificate is skipped */
	{
		char path[512];
		FILE *f;

		snprintf(path, sizeof path, "%s/README", p->emptydir);
		f = fopen(path, "w");
		fputs("CSCA certificates go here\n", f);
		fclose(f);
	}
	return 0;
}

static void pki_free(struct pki *p)
{
	EVP_PKEY_free(p->csca_key);
	EVP_PKEY_free(p->ds_key);
	EVP_PKEY_free(p->other_key);
	X509_free(p->csca);
	X509_free(p->ds);
	X509_free(p->other);
	check_rmtree(p->dir);
	check_rmtree(p->otherdir);
	check_rmtree(p->emptydir);
}

static void test_results(void)
{
	struct pki p;
	unsigned char dg1[128], dg2[300];
	struct icao_pa_dg dgs[2];
	struct buf sod = { 0 };
	enum icao_pa r;
	char err[200];
	size_t n;

	REQUIRE(pki_init(&p) == 0);
	n = mrz_dg1_encode(TD1, 90, dg1, sizeof dg1);
	memset(dg2, 0x75, sizeof dg2);
	dgs[0] = (struct icao_pa_dg){ 1, dg1, n };
	dgs[1] = (struct icao_pa_dg){ 2, dg2, sizeof dg2 };
	REQUIRE(icao_pa_make_sod(p.ds_key, p.ds, NID_sha256, dgs, 2, &sod) == BK_OK);
	CHECK_INT(sod.data[0], 0x77);

	CHECK_INT(icao_pa_check(sod.data, sod.len, p.dir, dgs, 1, &r, err, sizeof err), BK_OK);
	CHECK_STR(icao_pa_name(r), "verified");
	CHECK_INT(icao_pa_check(sod.data, sod.len, p.dir, dgs, 2, &r, err, sizeof err), BK_OK);
	CHECK_INT(r, ICAO_PA_VERIFIED);

	/* a CSCA of the same name with another key */
	CHECK_INT(icao_pa_check(sod.data, sod.len, p.otherdir, dgs, 1, &r, err, sizeof err), BK_OK);
	CHECK_STR(icao_pa_name(r), "failed");
	CHECK(strstr(err, "CSCA") != NULL);

	/* nothing to check against */
	CHECK_INT(icao_pa_check(sod.data, sod.len, NULL, dgs, 1, &r, err, sizeof err), BK_OK);
	CHECK_STR(icao_pa_name(r), "no_csca");
	CHECK_INT(icao_pa_check(sod.data, sod.len, p.emptydir, dgs, 1, &r, err, sizeof err), BK_OK);
	CHECK_INT(r, ICAO_PA_NO_CSCA);
	CHECK_INT(icao_pa_check(sod.data, sod.len, "/nonexistent/csca", dgs, 1, &r, err, sizeof err), BK_OK);
	CHECK_INT(r, ICAO_PA_NO_CSCA);

	/* DG1 changed by one letter after signing: failed, with and without CSCA */
	dg1[60] = 'F';
	CHECK_INT(icao_pa_check(sod.data, sod.len, p.dir, dgs, 1, &r, err, sizeof err), BK_OK);
	CHECK_INT(r, ICAO_PA_FAILED);
	CHECK(strstr(err, "DG1 hash") != NULL);
	CHECK_INT(icao_pa_check(sod.data, sod.len, NULL, dgs, 1, &r, err, sizeof err), BK_OK);
	CHECK_INT(r, ICAO_PA_FAILED);
	dg1[60] = 'E';

	/* a data group the SOD does not list */
	dgs[1].number = 11;
	CHECK_INT(icao_pa_check(sod.data, sod.len, p.dir, dgs, 2, &r, err, sizeof err), BK_OK);
	CHECK_INT(r, ICAO_PA_FAILED);
	dgs[1].number = 2;
	buf_free(&sod);
	pki_free(&p);
}

/* A forged SOD: the hashes altered after signing (eContent), the
 * signature altered, and a self-made DS certificate. */
static void test_forged(void)
{
	struct pki p;
	unsigned char dg1[128], *q;
	struct icao_pa_dg dg;
	struct buf sod = { 0 }, forged = { 0 };
	enum icao_pa r;
	char err[200];
	size_t n, i;
	X509 *selfds = NULL;

	REQUIRE(pki_init(&p) == 0);
	n = mrz_dg1_encode(TD1, 90, dg1, sizeof dg1);
	dg = (struct icao_pa_dg){ 1, dg1, n };
	REQUIRE(icao_pa_make_sod(p.ds_key, p.ds, NID_sha256, &dg, 1, &sod) == BK_OK);
	/* flip each of a range of bytes in the middle and at the end (signature) */
	for (i = 40; i < sod.len; i += 37) {
		q = malloc(sod.len);
		memcpy(q, sod.data, sod.len);
		q[i] ^= 0x04;
		CHECK_INT(icao_pa_check(q, sod.len, p.dir, &dg, 1, &r, err, sizeof err), BK_OK);
		CHECK_INT(r, ICAO_PA_FAILED);
		free(q);
	}
	q = malloc(sod.len);
	memcpy(q, sod.data, sod.len);
	q[sod.len - 3] ^= 0x01;
	CHECK_INT(icao_pa_check(q, sod.len, NULL, &dg, 1, &r, err, sizeof err), BK_OK);
	CHECK_INT(r, ICAO_PA_FAILED);
	free(q);
	/* the forger signs with a DS of its own (issued by its own CSCA) */
	REQUIRE(icao_pa_make_cert(p.ds_key, "UT", "Test DS", p.other_key, p.other, &selfds) == BK_OK);
	REQUIRE(icao_pa_make_sod(p.ds_key, selfds, NID_sha256, &dg, 1, &forged) == BK_OK);
	CHECK_INT(icao_pa_check(forged.data, forged.len, p.dir, &dg, 1, &r, err, sizeof err), BK_OK);
	CHECK_INT(r, ICAO_PA_FAILED);
	/* wrong key for the certificate: OpenSSL refuses to sign */
	buf_free(&forged);
	CHECK_INT(icao_pa_make_sod(p.other_key, p.ds, NID_sha256, &dg, 1, &forged), BK_ERR_INVALID);
	/* truncated and oversized */
	CHECK_INT(icao_pa_check(sod.data, sod.len - 1, p.dir, &dg, 1, &r, err, sizeof err), BK_OK);
	CHECK_INT(r, ICAO_PA_FAILED);
	CHECK_INT(icao_pa_check(sod.data, ICAO_PA_SOD_MAX + 1, p.dir, &dg, 1, &r, err, sizeof err), BK_OK);
	CHECK_INT(r, ICAO_PA_FAILED);
	X509_free(selfds);
	buf_free(&sod);
	buf_free(&forged);
	pki_free(&p);
}

static void test_hashes_and_rsa(void)
{
	static const int nids[] = { NID_sha1, NID_sha224, NID_sha384, NID_sha512 };
	struct pki p;
	EVP_PKEY *rsa = EVP_RSA_gen(2048);
	X509 *rds = NULL;
	unsigned char dg1[128];
	struct icao_pa_dg dg;
	struct buf sod = { 0 };
	enum icao_pa r;
	char err[200];
	size_t i, n;

	REQUIRE(rsa && pki_init(&p) == 0);
	n = mrz_dg1_encode(TD1, 90, dg1, sizeof dg1);
	dg = (struct icao_pa_dg){ 1, dg1, n };
	REQUIRE(icao_pa_make_cert(rsa, "UT", "RSA DS", p.csca_key, p.csca, &rds) == BK_OK);
	for (i = 0; i < 4; i++) {
		sod.len = 0;
		REQUIRE(icao_pa_make_sod(rsa, rds, nids[i], &dg, 1, &sod) == BK_OK);
		CHECK_INT(icao_pa_check(sod.data, sod.len, p.dir, &dg, 1, &r, err, sizeof err), BK_OK);
		CHECK_INT(r, ICAO_PA_VERIFIED);
	}
	X509_free(rds);
	EVP_PKEY_free(rsa);
	buf_free(&sod);
	pki_free(&p);
}

static void test_ldsso(void)
{
	struct icao_ldsso so;
	uint8_t der[200];
	size_t n = 0, i;
	/* built by hand: 30 L { 02 01 00, 30 0D { 06 09 sha256, 05 00 }, 30 L { 30 25 { 02 01 01, 04 20 x32 } } } */
	uint8_t h[32];

	memset(h, 0xAB, sizeof h);
	der[n++] = 0x30; der[n++] = 3 + 15 + 2 + 39;
	der[n++] = 0x02; der[n++] = 1; der[n++] = 0;
	memcpy(der + n, "\x30\x0d\x06\x09\x60\x86\x48\x01\x65\x03\x04\x02\x01\x05\x00", 15);
	n += 15;
	der[n++] = 0x30; der[n++] = 39;
	der[n++] = 0x30; der[n++] = 37;
	der[n++] = 0x02; der[n++] = 1; der[n++] = 1;
	der[n++] = 0x04; der[n++] = 32;
	memcpy(der + n, h, 32);
	n += 32;
	REQUIRE(icao_pa_parse_ldsso(der, n, &so) == BK_OK);
	CHECK_INT(so.hash_nid, NID_sha256);
	CHECK_INT(so.count, 1);
	CHECK_INT(so.dg[0].number, 1);
	CHECK_INT(so.dg[0].len, 32);
	for (i = 0; i < n; i++) {       /* every truncation is refused */
		CHECK_INT(icao_pa_parse_ldsso(der, i, &so), BK_ERR_INVALID);
	}
	der[n - 33] = 31;               /* hash length 31 for sha256 */
	CHECK_INT(icao_pa_parse_ldsso(der, n, &so), BK_ERR_INVALID);
	der[n - 33] = 32;
	der[n - 35] = 17;               /* DG17 */
	CHECK_INT(icao_pa_parse_ldsso(der, n, &so), BK_ERR_INVALID);
	der[n - 35] = 1;
	der[17] = 0x09;                 /* sha256 -> 2.16.840.1.101.3.4.2.9 */
	CHECK_INT(icao_pa_parse_ldsso(der, n, &so), BK_ERR_INVALID);
}

int main(void)
{
	static const struct check_test tests[] = {
		{ "results", test_results },
		{ "forged", test_forged },
		{ "hashes_and_rsa", test_hashes_and_rsa },
		{ "ldsso", test_ldsso },
		{ NULL, NULL },
	};
	return check_main(tests);
}
