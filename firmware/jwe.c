/*
 * jwe.c — JWE for form submissions over libjose; see jwe.h.
 */
#include "firmware/jwe.h"

#include <errno.h>
#include <fcntl.h>
#include <jose/b64.h>
#include <jose/jwe.h>
#include <jose/jwk.h>
#include <jose/openssl.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "firmware/util.h"

static void err_set(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void err_set(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* ---- keys ---------------------------------------------------------- */

static EVP_PKEY *pem_to_pkey(const char *pem, size_t len, int want_private)
{
	BIO *bio = BIO_new_mem_buf(pem, (int)len);
	EVP_PKEY *k = NULL;

	if (!bio)
		return NULL;
	if (!want_private)
		k = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
	if (!k) {
		/* a private key file also serves for its public half */
		BIO_reset(bio);
		k = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
	}
	BIO_free(bio);
	return k;
}

bk_err jwe_key_load(const char *path, int want_private, json_t **jwk,
		    char *err, size_t errlen)
{
	EVP_PKEY *k = NULL;
	char *pem = NULL;
	size_t len = 0;
	bk_err rc = BK_ERR_CONFIG;

	*jwk = NULL;
	if (!path || !path[0]) {
		err_set(err, errlen, "no key file configured "
			"(backoffice.public_key)");
		return BK_ERR_CONFIG;
	}
	pem = util_read_file(path, JWE_PEM_MAX, &len);
	if (!pem) {
		err_set(err, errlen, "%s: cannot read the key: %s", path,
			strerror(errno));
		goto out;
	}
	k = pem_to_pkey(pem, len, want_private);
	if (!k) {
		err_set(err, errlen, "%s: not a PEM %s key", path,
			want_private ? "private" : "public");
		goto out;
	}
	if (EVP_PKEY_get_base_id(k) != EVP_PKEY_RSA) {
		err_set(err, errlen, "%s: not an RSA key", path);
		goto out;
	}
	if (EVP_PKEY_get_bits(k) < JWE_MIN_RSA_BITS) {
		err_set(err, errlen, "%s: RSA key of %d bits, at least %d "
			"needed", path, EVP_PKEY_get_bits(k), JWE_MIN_RSA_BITS);
		goto out;
	}
	*jwk = jose_openssl_jwk_from_EVP_PKEY(NULL, k);
	if (!*jwk || (!want_private && !jose_jwk_pub(NULL, *jwk))) {
		json_decref(*jwk);
		*jwk = NULL;
		err_set(err, errlen, "%s: libjose cannot use this key", path);
		goto out;
	}
	rc = BK_OK;
out:
	if (pem) {
		util_wipe(pem, len);
		free(pem);
	}
	EVP_PKEY_free(k);
	return rc;
}

/* ---- compact serialisation ----------------------------------------- */

/* The flattened members in compact order (RFC 7516, 7.1). */
static const char *const parts[5] = {
	"protected", "encrypted_key", "iv", "ciphertext", "tag",
};

/* Wipes a JSON string's bytes in place (a content key's "k"). */
static void wipe_json_string(json_t *s)
{
	const char *v = json_string_value(s);

	if (v)
		util_wipe((char *)(uintptr_t)v, strlen(v));
}

static int header_ok(const json_t *h)
{
	const char *key;
	json_t *v;

	if (!json_is_object(h) ||
	    !json_is_string(json_object_get(h, "alg")) ||
	    strcmp(json_string_value(json_object_get(h, "alg")), JWE_ALG) ||
	    !json_is_string(json_object_get(h, "enc")) ||
	    strcmp(json_string_value(json_object_get(h, "enc")), JWE_ENC))
		return 0;
	json_object_foreach((json_t *)h, key, v) {
		if (strcmp(key, "alg") && strcmp(key, "enc") &&
		    strcmp(key, "kid"))
			return 0;
	}
	return 1;
}

/* ---- key management: RSA-OAEP-256 through OpenSSL ------------------
 *
 * Debian 12's libjose 11 was built without its RSA-OAEP algorithms (its
 * OpenSSL 3 feature check misses EVP_PKEY_CTX_set_rsa_oaep_md, fixed
 * upstream in latchset/jose#145): it offers RSA1_5 only. So the content
 * key is wrapped here with OpenSSL's RSAES-OAEP (SHA-256, MGF1-SHA-256)
 * and libjose does the rest: the content key (jose_jwk_gen), A256GCM with
 * the protected header as AAD (jose_jwe_enc_cek / jose_jwe_dec_cek) and
 * base64url.
 */
#define CEK_LEN 32            /* A256GCM */
#define WRAPPED_MAX 1024      /* RSA-8192 */

static EVP_PKEY *jwk_pkey(const json_t *jwk)
{
	return jose_openssl_jwk_to_EVP_PKEY(NULL, jwk);
}

static int oaep256(EVP_PKEY_CTX *ctx)
{
	return EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_OAEP_PADDING) > 0 &&
	       EVP_PKEY_CTX_set_rsa_oaep_md(ctx, EVP_sha256()) > 0 &&
	       EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, EVP_sha256()) > 0;
}

/* Wraps cek[CEK_LEN] for k into out (base64url JSON string). */
static json_t *wrap_cek(EVP_PKEY *k, const unsigned char *cek)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(k, NULL);
	unsigned char out[WRAPPED_MAX];
	size_t len = sizeof out;
	json_t *enc = NULL;

	if (ctx && EVP_PKEY_encrypt_init(ctx) > 0 && oaep256(ctx) &&
	    EVP_PKEY_encrypt(ctx, NULL, &len, cek, CEK_LEN) > 0 &&
	    len <= sizeof out &&
	    EVP_PKEY_encrypt(ctx, out, &len, cek, CEK_LEN) > 0)
		enc = jose_b64_enc(out, len);
	EVP_PKEY_CTX_free(ctx);
	return enc;
}

/* Unwraps into cek[CEK_LEN]; 0 or -1. */
static int unwrap_cek(EVP_PKEY *k, const json_t *wrapped, unsigned char *cek)
{
	unsigned char in[WRAPPED_MAX], out[WRAPPED_MAX];
	size_t inlen = jose_b64_dec(wrapped, NULL, 0), len = sizeof out;
	EVP_PKEY_CTX *ctx = NULL;
	int rc = -1;

	if (inlen == SIZE_MAX || inlen > sizeof in ||
	    jose_b64_dec(wrapped, in, sizeof in) != inlen)
		return -1;
	ctx = EVP_PKEY_CTX_new(k, NULL);
	if (ctx && EVP_PKEY_decrypt_init(ctx) > 0 && oaep256(ctx) &&
	    EVP_PKEY_decrypt(ctx, out, &len, in, inlen) > 0 &&
	    len == CEK_LEN) {
		memcpy(cek, out, CEK_LEN);
		rc = 0;
	}
	util_wipe(out, sizeof out);
	EVP_PKEY_CTX_free(ctx);
	return rc;
}

/* A content key JWK for libjose from raw bytes. */
static json_t *cek_jwk(const unsigned char *raw)
{
	json_t *k = jose_b64_enc(raw, CEK_LEN);
	json_t *jwk = k ? json_pack("{s:s, s:s, s:o}", "kty", "oct", "alg",
				    JWE_ENC, "k", k) : NULL;

	if (k && !jwk) {
		wipe_json_string(k);
		json_decref(k);
	}
	return jwk;
}

bk_err jwe_encrypt(const json_t *jwk, const void *pt, size_t len,
		   char **out)
{
	json_t *jwe = NULL, *cek = NULL, *wrapped = NULL;
	unsigned char raw[CEK_LEN];
	struct buf b = { .max = JWE_COMPACT_MAX * 2 };
	EVP_PKEY *k = NULL;
	bk_err rc = BK_ERR_INVALID;
	const char *key;
	json_t *v;

	*out = NULL;
	k = jwk_pkey(jwk);
	if (!k || EVP_PKEY_get_base_id(k) != EVP_PKEY_RSA)
		goto out;
	util_random(raw, sizeof raw);
	cek = cek_jwk(raw);
	wrapped = cek ? wrap_cek(k, raw) : NULL;
	if (!wrapped)
		goto out;
	jwe = json_pack("{s:{s:s, s:s}, s:O}", "protected", "alg", JWE_ALG,
			"enc", JWE_ENC, "encrypted_key", wrapped);
	if (!jwe) {
		rc = BK_ERR_NOMEM;
		goto out;
	}
	if (!jose_jwe_enc_cek(NULL, jwe, cek, pt, len))
		goto out;
	/* compact form holds no unprotected header and no AAD */
	json_object_foreach(jwe, key, v) {
		int known = 0;
		for (int i = 0; i < 5; i++)
			known |= !strcmp(key, parts[i]);
		if (!known || !json_is_string(v))
			goto out;
	}
	for (int i = 0; i < 5; i++) {
		const char *s = json_string_value(json_object_get(jwe, parts[i]));

		if (!s || (i && buf_append(&b, ".", 1) < 0) ||
		    buf_append_str(&b, s) < 0)
			goto out;
	}
	*out = buf_take(&b, NULL);
	rc = *out ? BK_OK : BK_ERR_NOMEM;
out:
	util_wipe(raw, sizeof raw);
	wipe_json_string(json_object_get(cek, "k"));
	json_decref(cek);
	json_decref(wrapped);
	json_decref(jwe);
	EVP_PKEY_free(k);
	buf_free(&b);
	return rc;
}

static int is_b64url(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		      (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return 0;
	}
	return 1;
}

/* The five parts of a compact JWE as libjose's flattened object. */
static json_t *compact_to_json(const char *s, size_t len)
{
	json_t *jwe = json_object();
	size_t start = 0;
	int k = 0;

	if (!jwe)
		return NULL;
	for (size_t i = 0; i <= len && k < 5; i++) {
		if (i < len && s[i] != '.')
			continue;
		if (!is_b64url(s + start, i - start) ||
		    json_object_set_new(jwe, parts[k],
			json_stringn(s + start, i - start)) < 0)
			goto fail;
		k++;
		start = i + 1;
	}
	if (k != 5 || start != len + 1)
		goto fail;
	return jwe;
fail:
	json_decref(jwe);
	return NULL;
}

json_t *jwe_header(const char *compact)
{
	const char *dot = strchr(compact, '.');
	json_t *enc, *hdr;

	if (!dot || !is_b64url(compact, (size_t)(dot - compact)))
		return NULL;
	enc = json_stringn(compact, (size_t)(dot - compact));
	hdr = enc ? jose_b64_dec_load(enc) : NULL;
	json_decref(enc);
	if (hdr && !json_is_object(hdr)) {
		json_decref(hdr);
		hdr = NULL;
	}
	return hdr;
}

bk_err jwe_decrypt(const json_t *jwk, const char *compact, size_t len,
		   unsigned char **pt, size_t *ptlen)
{
	json_t *jwe = NULL, *hdr = NULL, *cek = NULL;
	unsigned char raw[CEK_LEN], *p = NULL, *copy = NULL;
	EVP_PKEY *k = NULL;
	size_t n = 0;
	bk_err rc = BK_ERR_PROTOCOL;

	*pt = NULL;
	*ptlen = 0;
	if (len > JWE_COMPACT_MAX)
		return BK_ERR_TOOLARGE;
	if (memchr(compact, '\0', len))
		return BK_ERR_PROTOCOL;
	jwe = compact_to_json(compact, len);
	if (!jwe)
		goto out;
	hdr = jose_b64_dec_load(json_object_get(jwe, "protected"));
	if (!header_ok(hdr))
		goto out;
	rc = BK_ERR_INVALID;
	k = jwk_pkey(jwk);
	if (!k)
		goto out;
	/* RFC 7516, 11.5: a key that does not unwrap goes on as a random
	 * one, so every failure is the tag's and tells an attacker nothing */
	if (unwrap_cek(k, json_object_get(jwe, "encrypted_key"), raw) < 0)
		util_random(raw, sizeof raw);
	cek = cek_jwk(raw);
	util_wipe(raw, sizeof raw);
	if (!cek)
		goto out;
	p = jose_jwe_dec_cek(NULL, jwe, cek, &n);
	if (!p)
		goto out;
	copy = malloc(n + 1);
	if (!copy) {
		rc = BK_ERR_NOMEM;
		goto out;
	}
	memcpy(copy, p, n);
	copy[n] = '\0';
	*pt = copy;
	*ptlen = n;
	rc = BK_OK;
out:
	if (p) {
		util_wipe(p, n);
		free(p);
	}
	wipe_json_string(json_object_get(cek, "k"));
	json_decref(cek);
	EVP_PKEY_free(k);
	json_decref(hdr);
	json_decref(jwe);
	return rc;
}

/* ---- demo keys ----------------------------------------------------- */

static int write_pem(const char *path, mode_t mode, EVP_PKEY *k, int priv)
{
	FILE *f;
	int fd, ok;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0)
		return -1;
	if (fchmod(fd, mode) < 0 || !(f = fdopen(fd, "w"))) {
		close(fd);
		return -1;
	}
	ok = priv ? PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL)
		  : PEM_write_PUBKEY(f, k);
	if (fflush(f) != 0 || fsync(fileno(f)) < 0)
		ok = 0;
	if (fclose(f) != 0)
		ok = 0;
	return ok ? 0 : -1;
}

bk_err jwe_demo_keys(const char *dir, char *err, size_t errlen)
{
	char priv[1024], pub[1024];
	EVP_PKEY *k = NULL;
	bk_err rc = BK_ERR_IO;

	if (util_fmt(priv, sizeof priv, "%s/backoffice-private.pem", dir) < 0 ||
	    util_fmt(pub, sizeof pub, "%s/backoffice-public.pem", dir) < 0) {
		err_set(err, errlen, "%s: path too long", dir);
		return BK_ERR_INVALID;
	}
	if (util_mkdir_p(dir) < 0) {
		err_set(err, errlen, "%s: cannot create: %s", dir,
			strerror(errno));
		return BK_ERR_IO;
	}
	k = EVP_RSA_gen(3072);
	if (!k) {
		err_set(err, errlen, "OpenSSL could not make an RSA key");
		goto out;
	}
	if (write_pem(priv, 0600, k, 1) < 0) {
		err_set(err, errlen, "%s: cannot write: %s", priv,
			strerror(errno));
		goto out;
	}
	if (write_pem(pub, 0644, k, 0) < 0) {
		err_set(err, errlen, "%s: cannot write: %s", pub,
			strerror(errno));
		goto out;
	}
	rc = BK_OK;
out:
	EVP_PKEY_free(k);
	return rc;
}
