/*
 * bolink.c — URL policy and TLS options of the back-office link; see
 * bolink.h.
 */
#include "firmware/bolink.h"
#include "firmware/util.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define PIN_PREFIX "sha256//"
#define PIN_B64_LEN 44 /* base64 of 32 bytes, one '=' of padding */

int bolink_host_is_loopback(const char *host)
{
	char v6[64];
	size_t n = strlen(host);
	struct in_addr a4;
	struct in6_addr a6;

	if (!strcasecmp(host, "localhost"))
		return 1;
	if (inet_pton(AF_INET, host, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (n >= 4 && n < sizeof v6 + 2 && host[0] == '[' && host[n - 1] == ']') {
		memcpy(v6, host + 1, n - 2);
		v6[n - 2] = '\0';
		host = v6;
	}
	if (inet_pton(AF_INET6, host, &a6) != 1)
		return 0;
	if (IN6_IS_ADDR_LOOPBACK(&a6))
		return 1;
	/* ::ffff:127.x.y.z is 127.x.y.z */
	return IN6_IS_ADDR_V4MAPPED(&a6) && a6.s6_addr[12] == 127;
}

static int is_b64(char ch)
{
	return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
	       (ch >= '0' && ch <= '9') || ch == '+' || ch == '/';
}

bk_err bolink_pins(const char *pins, char out[BOLINK_PINS_MAX], char *err,
		   size_t errlen)
{
	const char *p = pins;
	size_t used = 0;
	int n = 0;

	out[0] = '\0';
	for (;;) {
		size_t len;

		while (*p == ' ' || *p == '\t' || *p == ';')
			p++;
		if (!*p)
			break;
		len = strcspn(p, " \t;");
		if (++n > BOLINK_MAX_PINS) {
			util_seterr(err, errlen, "backoffice.pins: at most %d pins",
			       BOLINK_MAX_PINS);
			return BK_ERR_CONFIG;
		}
		if (len != strlen(PIN_PREFIX) + PIN_B64_LEN ||
		    strncmp(p, PIN_PREFIX, strlen(PIN_PREFIX)) ||
		    p[len - 1] != '=')
			goto bad;
		for (size_t i = strlen(PIN_PREFIX); i < len - 1; i++)
			if (!is_b64(p[i]))
				goto bad;
		if (used)
			out[used++] = ';';
		memcpy(out + used, p, len);
		used += len;
		out[used] = '\0';
		p += len;
	}
	return BK_OK;
bad:
	util_seterr(err, errlen, "backoffice.pins: pin %d is not sha256// followed "
	       "by 44 base64 characters (kioskctl pki demo prints one)", n);
	return BK_ERR_CONFIG;
}

static bk_err check_file(const char *key, const char *path, char *err,
			 size_t errlen)
{
	if (!path[0] || access(path, R_OK) == 0)
		return BK_OK;
	util_seterr(err, errlen, "backoffice.%s: cannot read %s", key, path);
	return BK_ERR_CONFIG;
}

/* The URL's scheme and host as libcurl parses them. */
static bk_err url_parts(const char *url, char *scheme, size_t slen,
			char *host, size_t hlen, char *err, size_t errlen)
{
	CURLU *u = curl_url();
	char *s = NULL, *h = NULL;
	bk_err rc = BK_ERR_CONFIG;

	if (!u)
		return BK_ERR_NOMEM;
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &s, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &h, 0) != CURLUE_OK ||
	    strlen(s) >= slen || strlen(h) >= hlen) {
		util_seterr(err, errlen, "backoffice.url: not a valid URL");
		goto out;
	}
	snprintf(scheme, slen, "%s", s);
	snprintf(host, hlen, "%s", h);
	rc = BK_OK;
out:
	curl_free(s);
	curl_free(h);
	curl_url_cleanup(u);
	return rc;
}

bk_err bolink_check(const struct config *cfg, char *err, size_t errlen)
{
	char scheme[16], host[CONFIG_PATH_MAX], pins[BOLINK_PINS_MAX];
	int has_cert = cfg->backoffice_client_cert[0] != '\0';
	int has_key = cfg->backoffice_client_key[0] != '\0';
	bk_err rc;

	rc = url_parts(cfg->backoffice_url, scheme, sizeof scheme, host,
		       sizeof host, err, errlen);
	if (rc != BK_OK)
		return rc;
	if ((rc = bolink_pins(cfg->backoffice_pins, pins, err, errlen)) != BK_OK)
		return rc;
	if (!strcasecmp(scheme, "http")) {
		if (pins[0] || has_cert || has_key ||
		    cfg->backoffice_ca_file[0]) {
			util_seterr(err, errlen, "backoffice.url is http:// but pins, "
			       "ca_file or a client certificate are set: use "
			       "https://");
			return BK_ERR_CONFIG;
		}
		if (!bolink_host_is_loopback(host) &&
		    !cfg->backoffice_allow_plain_http) {
			util_seterr(err, errlen, "backoffice.url: plain http:// to "
			       "%s, which is not a loopback address; use "
			       "https:// (or set backoffice.allow_plain_http "
			       "= 1 for a trusted network)", host);
			return BK_ERR_CONFIG;
		}
		return BK_OK;
	}
	if (strcasecmp(scheme, "https")) {
		util_seterr(err, errlen, "backoffice.url: %s:// is not supported; "
		       "use https://", scheme);
		return BK_ERR_CONFIG;
	}
	if (has_cert != has_key) {
		util_seterr(err, errlen, "backoffice.client_cert and client_key "
		       "must be set together");
		return BK_ERR_CONFIG;
	}
	if ((rc = check_file("ca_file", cfg->backoffice_ca_file, err,
			     errlen)) != BK_OK ||
	    (rc = check_file("client_cert", cfg->backoffice_client_cert, err,
			     errlen)) != BK_OK ||
	    (rc = check_file("client_key", cfg->backoffice_client_key, err,
			     errlen)) != BK_OK)
		return rc;
	return BK_OK;
}

bk_err bolink_setup(CURL *h, const struct config *cfg, char *err,
		    size_t errlen)
{
	char pins[BOLINK_PINS_MAX];
	bk_err rc = bolink_pins(cfg->backoffice_pins, pins, err, errlen);
	CURLcode cc = CURLE_OK;

	if (rc != BK_OK)
		return rc;
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
	if (curl_easy_setopt(h, CURLOPT_SSLVERSION,
			     (long)CURL_SSLVERSION_TLSv1_2) != CURLE_OK)
		cc = CURLE_NOT_BUILT_IN;
	if (cfg->backoffice_ca_file[0])
		curl_easy_setopt(h, CURLOPT_CAINFO, cfg->backoffice_ca_file);
	if (cfg->backoffice_client_cert[0]) {
		curl_easy_setopt(h, CURLOPT_SSLCERT,
				 cfg->backoffice_client_cert);
		curl_easy_setopt(h, CURLOPT_SSLCERTTYPE, "PEM");
		curl_easy_setopt(h, CURLOPT_SSLKEY, cfg->backoffice_client_key);
		curl_easy_setopt(h, CURLOPT_SSLKEYTYPE, "PEM");
	}
	if (pins[0] && cc == CURLE_OK)
		cc = curl_easy_setopt(h, CURLOPT_PINNEDPUBLICKEY, pins);
	if (cc != CURLE_OK) {
		util_seterr(err, errlen, "backoffice: libcurl cannot do this TLS "
		       "setting: %s", curl_easy_strerror(cc));
		return BK_ERR_CONFIG;
	}
	return BK_OK;
}
