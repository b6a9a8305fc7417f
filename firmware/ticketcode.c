/*
 * ticketcode.c — signs and checks ticket QR payloads (format in
 * ticketcode.h) with OpenSSL's HMAC-SHA256.
 */
#include "firmware/ticketcode.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "firmware/util.h"

#define MAC_BYTES 16
#define MAC_CHARS 22 /* base64url of 16 bytes without padding */

static const char b64url[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static void b64url_encode(const unsigned char *in, size_t n, char *out)
{
	size_t o = 0;
	unsigned v = 0;
	int bits = 0;

	for (size_t i = 0; i < n; i++) {
		v = (v << 8) | in[i];
		bits += 8;
		while (bits >= 6) {
			bits -= 6;
			out[o++] = b64url[(v >> bits) & 63];
		}
	}
	if (bits > 0)
		out[o++] = b64url[(v << (6 - bits)) & 63];
	out[o] = '\0';
}

static int read_all(int fd, unsigned char *buf, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = read(fd, buf + got, n - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		got += (size_t)r;
	}
	return 0;
}

static bk_err key_create(const char *path, unsigned char key[32], char *err,
			 size_t errlen)
{
	char tmp[1024];
	ssize_t w;
	int fd;

	if (util_fmt(tmp, sizeof tmp, "%s.new", path) < 0)
		return BK_ERR_INVALID;
	util_random(key, TICKETCODE_KEY_LEN);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		goto fail;
	do
		w = write(fd, key, TICKETCODE_KEY_LEN);
	while (w < 0 && errno == EINTR);
	if (w != TICKETCODE_KEY_LEN || fsync(fd) < 0) {
		close(fd);
		goto fail;
	}
	close(fd);
	/* link() fails if another process created the key meanwhile: then
	 * that key wins and is read back by the caller. */
	if (link(tmp, path) < 0 && errno != EEXIST)
		goto fail;
	unlink(tmp);
	return BK_OK;
fail:
	snprintf(err, errlen, "%s: cannot create the ticket key: %s", path,
		 strerror(errno));
	unlink(tmp);
	return errno == ENOSPC ? BK_ERR_FULL : BK_ERR_IO;
}

/* Reads the key from the open fd (closed here). */
static bk_err key_read_fd(int fd, const char *path, unsigned char key[32],
			  char *err, size_t errlen)
{
	struct stat sb;

	if (fstat(fd, &sb) < 0 || sb.st_size != TICKETCODE_KEY_LEN ||
	    read_all(fd, key, TICKETCODE_KEY_LEN) < 0) {
		close(fd);
		snprintf(err, errlen, "%s: a ticket key must be exactly %d "
			 "bytes", path, TICKETCODE_KEY_LEN);
		return BK_ERR_INVALID;
	}
	close(fd);
	return BK_OK;
}

bk_err ticketcode_key_load(const char *path, unsigned char key[32], char *err,
			   size_t errlen)
{
	bk_err e;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT) {
		if ((e = key_create(path, key, err, errlen)))
			return e;
		fd = open(path, O_RDONLY | O_CLOEXEC);
	}
	if (fd < 0) {
		snprintf(err, errlen, "%s: cannot read the ticket key: %s",
			 path, strerror(errno));
		return BK_ERR_IO;
	}
	return key_read_fd(fd, path, key, err, errlen);
}

bk_err ticketcode_key_read(const char *path, unsigned char key[32], char *err,
			   size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		int missing = errno == ENOENT;
		snprintf(err, errlen, "%s: cannot read the ticket key: %s",
			 path, missing ? "no such file (the kiosk makes it "
			 "when it issues its first ticket)" : strerror(errno));
		return missing ? BK_ERR_NOTFOUND : BK_ERR_IO;
	}
	return key_read_fd(fd, path, key, err, errlen);
}

static void mac_of(const unsigned char key[32], const char *msg, size_t len,
		   char out[MAC_CHARS + 1])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	HMAC(EVP_sha256(), key, TICKETCODE_KEY_LEN, (const unsigned char *)msg,
	     len, md, &mdlen);
	b64url_encode(md, MAC_BYTES, out);
	OPENSSL_cleanse(md, sizeof md);
}

/* Checks one field against an allowed alphabet and length range. */
static int field_ok(const char *s, size_t n, size_t lo, size_t hi,
		    const char *alphabet)
{
	if (n < lo || n > hi)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!s[i] || !strchr(alphabet, s[i]))
			return 0;
	return 1;
}

static int valid(const struct ticketcode *tc)
{
	static const char id[] = "abcdefghijklmnopqrstuvwxyz0123456789-_";
	static const char digits[] = "0123456789";
	const char *d = tc->day, *n = tc->number, *u = tc->ticket_id;

	if (!field_ok(tc->site_id, strlen(tc->site_id), 1, 47, id))
		return 0;
	if (strlen(d) != 10 || d[4] != '-' || d[7] != '-' ||
	    !field_ok(d, 4, 4, 4, digits) || !field_ok(d + 5, 2, 2, 2, digits) ||
	    !field_ok(d + 8, 2, 2, 2, digits))
		return 0;
	if (strlen(n) != 4 || n[0] < 'A' || n[0] > 'Z' ||
	    !field_ok(n + 1, 3, 3, 3, digits))
		return 0;
	if (strlen(u) != 36)
		return 0;
	for (int i = 0; i < 36; i++) {
		int dash = i == 8 || i == 13 || i == 18 || i == 23;
		if (dash ? u[i] != '-'
			 : !strchr("0123456789abcdef", u[i]) || !u[i])
			return 0;
	}
	return 1;
}

bk_err ticketcode_make(const unsigned char key[32], const struct ticketcode *tc,
		       char out[TICKETCODE_MAX])
{
	char mac[MAC_CHARS + 1];
	int n;

	if (!valid(tc))
		return BK_ERR_INVALID;
	n = snprintf(out, TICKETCODE_MAX, "BK1:%s:%s:%s:%s", tc->site_id,
		     tc->day, tc->number, tc->ticket_id);
	if (n < 0 || n + 1 + MAC_CHARS >= TICKETCODE_MAX)
		return BK_ERR_TOOLARGE;
	mac_of(key, out, (size_t)n, mac);
	snprintf(out + n, TICKETCODE_MAX - (size_t)n, ":%s", mac);
	return BK_OK;
}

/* Copies field i (0-based, ':'-separated) of s[0..len) into dst. */
static int take_field(const char *s, size_t len, int i, char *dst,
		      size_t dstlen)
{
	size_t start = 0, k = 0;
	int f = 0;

	for (; k <= len; k++) {
		if (k == len || s[k] == ':') {
			if (f == i) {
				size_t n = k - start;
				if (n >= dstlen)
					return -1;
				memcpy(dst, s + start, n);
				dst[n] = '\0';
				return 0;
			}
			f++;
			start = k + 1;
		}
	}
	return -1;
}

bk_err ticketcode_verify(const unsigned char key[32], const char *payload,
			 size_t len, struct ticketcode *out)
{
	char version[4], mac[MAC_CHARS + 2], want[MAC_CHARS + 1];
	struct ticketcode tc;
	const char *last;
	int colons = 0;

	memset(out, 0, sizeof *out);
	if (len >= TICKETCODE_MAX || memchr(payload, '\0', len))
		return BK_ERR_INVALID;
	for (size_t i = 0; i < len; i++)
		colons += payload[i] == ':';
	if (colons != 5)
		return BK_ERR_INVALID;
	if (take_field(payload, len, 0, version, sizeof version) ||
	    strcmp(version, "BK1") ||
	    take_field(payload, len, 1, tc.site_id, sizeof tc.site_id) ||
	    take_field(payload, len, 2, tc.day, sizeof tc.day) ||
	    take_field(payload, len, 3, tc.number, sizeof tc.number) ||
	    take_field(payload, len, 4, tc.ticket_id, sizeof tc.ticket_id) ||
	    take_field(payload, len, 5, mac, sizeof mac) ||
	    strlen(mac) != MAC_CHARS || !valid(&tc))
		return BK_ERR_INVALID;
	last = memchr(payload, ':', len);
	for (const char *p = last; p; p = memchr(p + 1, ':',
					      len - (size_t)(p + 1 - payload)))
		last = p;
	mac_of(key, payload, (size_t)(last - payload), want);
	if (CRYPTO_memcmp(want, mac, MAC_CHARS) != 0)
		return BK_ERR_PROTOCOL;
	*out = tc;
	return BK_OK;
}
