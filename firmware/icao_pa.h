/*
 * icao_pa.h — passive authentication of an eMRTD (ICAO 9303 part 11 §5.1,
 * part 10 §4.6.2): is the data read from the chip what the issuing state
 * signed?
 *
 * EF.SOD = 77 L { CMS SignedData (RFC 5652) }, eContentType
 * id-icao-mrtd-security-ldsSecurityObject (2.23.136.1.1.1), eContent:
 *
 *   LDSSecurityObject ::= SEQUENCE {
 *     version                INTEGER (0 | 1),
 *     hashAlgorithm          AlgorithmIdentifier,
 *     dataGroupHashValues    SEQUENCE SIZE (2..16) OF
 *                              SEQUENCE { dataGroupNumber INTEGER (1..16),
 *                                         dataGroupHashValue OCTET STRING },
 *     ldsVersionInfo         SEQUENCE { ... } OPTIONAL }   -- version 1
 *
 *   (parsed with tlv.h; one data group is accepted although ICAO says 2..16,
 *   ldsVersionInfo is skipped)
 *
 * Steps (icao_pa_check):
 *   1. parse 77 and the CMS (OpenSSL d2i_CMS_ContentInfo), the eContent
 *      with our TLV reader (icao_pa_parse_ldsso);
 *   2. verify the CMS signature with the document signer (DS) certificate
 *      the SOD carries (CMS_verify, CMS_NO_SIGNER_CERT_VERIFY) — a forged
 *      or altered SOD fails here even without a CSCA;
 *   3. hash each data group given with the SOD's algorithm (SHA-1, SHA-224,
 *      SHA-256, SHA-384, SHA-512) and compare with the SOD's value (a data
 *      group the SOD does not list fails);
 *   4. when csca_dir holds at least one PEM certificate: verify the DS
 *      certificate against them with an OpenSSL X509_STORE (the CSCAs are
 *      trust anchors; X509_V_FLAG_PARTIAL_CHAIN so a link certificate
 *      placed in the folder is an anchor too; no CRLs; OpenSSL's default
 *      time check against the current time stays on, so an expired DS or
 *      CSCA certificate fails — documents outlive their DS certificate's
 *      validity only by the usage period, see docs/id-documents.md).
 * Result: VERIFIED (all four passed), NO_CSCA (1-3 passed, csca_dir NULL,
 * missing or without any certificate), FAILED (anything failed, including
 * a csca_dir whose certificates do not chain to the DS certificate).
 *
 * Outside input: the SOD is capped at ICAO_PA_SOD_MAX; parsing never logs
 * contents.
 */
#ifndef BK_ICAO_PA_H
#define BK_ICAO_PA_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "firmware/err.h"
#include "firmware/util.h"

enum icao_pa { ICAO_PA_VERIFIED, ICAO_PA_NO_CSCA, ICAO_PA_FAILED };

#define ICAO_PA_SOD_MAX 65536
#define ICAO_PA_MAX_DG 16

/* "verified", "no_csca", "failed". */
const char *icao_pa_name(enum icao_pa pa);

/* The LDSSecurityObject's contents. */
struct icao_ldsso {
	int version;
	int hash_nid;                  /* OpenSSL NID: NID_sha256 ... */
	size_t count;
	struct {
		int number;            /* 1..16 */
		uint8_t hash[64];
		size_t len;
	} dg[ICAO_PA_MAX_DG];
};

/* Parses the DER of an LDSSecurityObject. BK_ERR_INVALID when malformed,
 * an unknown hash algorithm, a hash of the wrong length for it, a data
 * group number outside 1..16 or listed twice. */
bk_err icao_pa_parse_ldsso(const uint8_t *der, size_t n,
			   struct icao_ldsso *out);

/* One data group as read from the chip (the whole file, tag included). */
struct icao_pa_dg {
	int number;
	const uint8_t *data;
	size_t len;
};

/* Runs the steps above on EF.SOD (as read, tag 77 included) and the given
 * data groups. *result is always set. Returns BK_OK whenever a result was
 * reached (also FAILED: err then says why, e.g. "DG1 hash does not match
 * the SOD", "document signer not issued by a known CSCA");
 * BK_ERR_NOMEM only when out of memory (result FAILED). */
bk_err icao_pa_check(const uint8_t *sod, size_t sod_len, const char *csca_dir,
		     const struct icao_pa_dg *dgs, size_t ndg,
		     enum icao_pa *result, char *err, size_t errlen);

/* ---- the issuing side, for the card emulator and tests ---- */

/* Makes a certificate for key (EC or RSA) named C=country, CN=cn, valid
 * from yesterday for ten years, signed with SHA-256. issuer_key NULL: a
 * self-signed CSCA (CA:TRUE, keyCertSign); else a document signer
 * (CA:FALSE, digitalSignature) issued by issuer_cert. *out to X509_free. */
bk_err icao_pa_make_cert(EVP_PKEY *key, const char *country, const char *cn,
			 EVP_PKEY *issuer_key, X509 *issuer_cert, X509 **out);

/* Appends EF.SOD (77 { SignedData { LDSSecurityObject version 0 over dgs
 * with hash_nid } } with signed attributes and the DS certificate) to out.
 * BK_ERR_INVALID when OpenSSL refuses (e.g. key and certificate differ). */
bk_err icao_pa_make_sod(EVP_PKEY *ds_key, X509 *ds_cert, int hash_nid,
			const struct icao_pa_dg *dgs, size_t ndg,
			struct buf *out);

#endif
