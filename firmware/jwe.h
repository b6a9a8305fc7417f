/*
 * jwe.h — JSON Web Encryption for form submissions: the kiosk encrypts
 * for the back office's RSA key, the back office decrypts with its
 * private key. No cryptography is written here: the content key and
 * A256GCM with the protected header as AAD are libjose's (jose_jwk-style
 * oct key, jose_jwe_enc_cek, jose_jwe_dec_cek, base64url); the RSA-OAEP-256
 * key wrap is OpenSSL's EVP_PKEY_encrypt/decrypt, because Debian 12's
 * libjose 11 was built without RSA-OAEP (see jwe.c). This module loads keys
 * from PEM files and converts between libjose's flattened JSON form and
 * the compact serialisation, which libjose's library does not offer.
 *
 * The one profile (the way FIT-Connect carries applications):
 *
 *   | part | content                                                     |
 *   |------|-------------------------------------------------------------|
 *   | 1    | BASE64URL(UTF8({"alg":"RSA-OAEP-256","enc":"A256GCM"}))     |
 *   | 2    | BASE64URL(content key wrapped with RSA-OAEP, SHA-256)       |
 *   | 3    | BASE64URL(96-bit IV)                                        |
 *   | 4    | BASE64URL(AES-256-GCM ciphertext)                           |
 *   | 5    | BASE64URL(128-bit GCM tag)                                  |
 *
 * joined by "." (RFC 7516, section 7.1). The protected header is the AAD.
 *
 * Properties:
 *  1. Decryption refuses every other alg/enc pair (no RSA1_5, no "dir"),
 *     a protected header with other members than alg, enc (and kid), and
 *     anything that is not five base64url parts.
 *  2. Keys: RSA only, at least 2048 bits; a PEM file of at most 16 KiB.
 *  3. The content key is wiped after use; the caller wipes its plaintext.
 *     A wrapped key that does not unwrap is replaced by a random one
 *     (RFC 7516, 11.5), so every decryption failure looks the same.
 *  4. Nothing here logs: messages go to the caller's err buffer and never
 *     contain plaintext.
 *
 * This module does NOT know about forms, the store or the network.
 */
#ifndef BK_JWE_H
#define BK_JWE_H

#include <jansson.h>
#include <stddef.h>

#include "firmware/err.h"

#define JWE_ALG "RSA-OAEP-256"
#define JWE_ENC "A256GCM"
#define JWE_MIN_RSA_BITS 2048
#define JWE_PEM_MAX 16384
#define JWE_COMPACT_MAX ((size_t)1 << 20)   /* decrypt input, hard cap */

/* Loads an RSA key from a PEM file as a JWK (libjose's json form).
 * want_private: 1 for a private key (back office), 0 for a public one
 * ("PUBLIC KEY" / SubjectPublicKeyInfo; a private key file also gives its
 * public half). BK_ERR_CONFIG with a message in err when the file is
 * missing, unreadable, not RSA or too short. Free with json_decref(). */
bk_err jwe_key_load(const char *path, int want_private, json_t **jwk,
		    char *err, size_t errlen);

/* Encrypts pt[0..len) for jwk (public) to a compact JWE, malloc'ed and
 * NUL-terminated in *out. BK_ERR_INVALID when libjose refuses the key,
 * BK_ERR_NOMEM. */
bk_err jwe_encrypt(const json_t *jwk, const void *pt, size_t len,
		   char **out);

/* Decrypts a compact JWE with jwk (private). *pt is malloc'ed with a NUL
 * after *ptlen bytes; the caller wipes and frees it. BK_ERR_TOOLARGE over
 * JWE_COMPACT_MAX, BK_ERR_PROTOCOL when the text is not this profile,
 * BK_ERR_INVALID when it does not decrypt with this key. */
bk_err jwe_decrypt(const json_t *jwk, const char *compact, size_t len,
		   unsigned char **pt, size_t *ptlen);

/* The decoded protected header of a compact JWE (tests, diagnostics), or
 * NULL when it is not one. */
json_t *jwe_header(const char *compact);

/* Writes a new RSA-3072 key pair for the simulator and tests:
 * DIR/backoffice-private.pem (mode 0600) and DIR/backoffice-public.pem.
 * Creates DIR. BK_ERR_IO with a message in err. Not for production keys,
 * which a municipality makes and guards itself. */
bk_err jwe_demo_keys(const char *dir, char *err, size_t errlen);

#endif
