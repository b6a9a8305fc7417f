/*
 * pkidemo.c — throwaway certificates with the openssl command line; see
 * pkidemo.h.
 */
#include "firmware/pkidemo.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "firmware/util.h"

extern char **environ;

#define DAYS "365"
#define CURVE "ec_paramgen_curve:P-256"

/* Extensions for the three kinds of certificate; -subj sets the names. */
static const char cnf_text[] =
	"# written by kioskctl pki demo\n"
	"[req]\n"
	"distinguished_name = dn\n"
	"prompt = no\n"
	"[dn]\n"
	"CN = unused\n"
	"[ca_ext]\n"
	"basicConstraints = critical,CA:TRUE\n"
	"keyUsage = critical,keyCertSign,cRLSign\n"
	"subjectKeyIdentifier = hash\n"
	"[server_ext]\n"
	"basicConstraints = critical,CA:FALSE\n"
	"keyUsage = critical,digitalSignature\n"
	"extendedKeyUsage = serverAuth\n"
	"subjectAltName = DNS:localhost,IP:127.0.0.1,IP:::1\n"
	"subjectKeyIdentifier = hash\n"
	"authorityKeyIdentifier = keyid\n"
	"[client_ext]\n"
	"basicConstraints = critical,CA:FALSE\n"
	"keyUsage = critical,digitalSignature\n"
	"extendedKeyUsage = clientAuth\n"
	"subjectKeyIdentifier = hash\n"
	"authorityKeyIdentifier = keyid\n";

static int exists(const char *path)
{
	return access(path, F_OK) == 0;
}

/* Runs openssl with argv (argv[0] = "openssl"), stdout to /dev/null and
 * stderr appended to log. 0, or -1 with err. */
static int run_openssl(char *const argv[], const char *log, char *err,
		       size_t errlen)
{
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int status = 0, rc;

	if (posix_spawn_file_actions_init(&fa) != 0) {
		util_seterr(err, errlen, "cannot start openssl: out of memory");
		return -1;
	}
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null",
					 O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null",
					 O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, log,
					 O_WRONLY | O_CREAT | O_APPEND, 0600);
	rc = posix_spawnp(&pid, "openssl", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc != 0) {
		util_seterr(err, errlen, "cannot run openssl: %s (Debian package "
		       "openssl)", strerror(rc));
		return -1;
	}
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			util_seterr(err, errlen, "waiting for openssl: %s",
			       strerror(errno));
			return -1;
		}
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		util_seterr(err, errlen, "openssl %s failed; see %s", argv[1], log);
		return -1;
	}
	return 0;
}

static int path_in(char *out, const char *dir, const char *name,
		   const char *ext)
{
	return util_fmt(out, CONFIG_PATH_MAX, "%s/%s%s", dir, name, ext);
}

/* A random serial number as openssl's -set_serial wants it. */
static void serial_hex(char out[20])
{
	unsigned char r[8];

	util_random(r, sizeof r);
	r[0] &= 0x7f; /* positive */
	r[0] |= 0x10; /* no leading zero byte */
	for (int i = 0; i < 8; i++)
		snprintf(out + 2 + 2 * i, 3, "%02x", r[i]);
	out[0] = '0';
	out[1] = 'x';
}

struct pair {
	const char *name;     /* file stem: "ca", "server", kiosk id */
	const char *subject;  /* "/CN=..." */
	const char *ext;      /* section of openssl.cnf */
};

/* Makes name.pem/name.key; the CA self-signed, others signed by it. */
static int make_pair(const struct pkidemo *p, const struct pair *w,
		     const char *cnf, const char *log, char *err,
		     size_t errlen)
{
	char crt[CONFIG_PATH_MAX], key[CONFIG_PATH_MAX], csr[CONFIG_PATH_MAX];
	char ca_key[CONFIG_PATH_MAX], serial[20];
	int is_ca = !strcmp(w->name, "ca");

	if (path_in(crt, p->dir, w->name, ".pem") < 0 ||
	    path_in(key, p->dir, w->name, ".key") < 0 ||
	    path_in(csr, p->dir, w->name, ".csr") < 0 ||
	    path_in(ca_key, p->dir, "ca", ".key") < 0) {
		util_seterr(err, errlen, "%s: path too long", p->dir);
		return -1;
	}
	if (is_ca) {
		char *const argv[] = { "openssl", "req", "-config",
			(char *)cnf, "-x509", "-newkey", "ec", "-pkeyopt",
			CURVE, "-noenc", "-keyout", key, "-out", crt, "-days",
			DAYS, "-subj", (char *)w->subject, "-extensions",
			(char *)w->ext, NULL };
		if (run_openssl(argv, log, err, errlen) < 0)
			goto fail;
	} else {
		char *const req[] = { "openssl", "req", "-config",
			(char *)cnf, "-new", "-newkey", "ec", "-pkeyopt",
			CURVE, "-noenc", "-keyout", key, "-out", csr, "-subj",
			(char *)w->subject, NULL };
		char *const sign[] = { "openssl", "x509", "-req", "-in", csr,
			"-CA", (char *)p->ca_cert, "-CAkey", ca_key,
			"-set_serial", serial, "-days", DAYS, "-extfile",
			(char *)cnf, "-extensions", (char *)w->ext, "-out", crt,
			NULL };

		serial_hex(serial);
		if (run_openssl(req, log, err, errlen) < 0 ||
		    run_openssl(sign, log, err, errlen) < 0)
			goto fail;
		unlink(csr);
	}
	if (chmod(key, 0600) < 0 || chmod(crt, 0644) < 0) {
		util_seterr(err, errlen, "%s: cannot set file modes", crt);
		goto fail;
	}
	return 0;
fail:
	unlink(crt);
	unlink(key);
	unlink(csr);
	return -1;
}

/* 1 when name.pem and name.key both exist, 0 when neither, -1 (with err)
 * for half a pair. */
static int have_pair(const char *dir, const char *name, char *err,
		     size_t errlen)
{
	char crt[CONFIG_PATH_MAX], key[CONFIG_PATH_MAX];
	int c, k;

	if (path_in(crt, dir, name, ".pem") < 0 ||
	    path_in(key, dir, name, ".key") < 0) {
		util_seterr(err, errlen, "%s: path too long", dir);
		return -1;
	}
	c = exists(crt);
	k = exists(key);
	if (c != k) {
		util_seterr(err, errlen, "%s exists without %s: remove it or add "
		       "the missing file", c ? crt : key, c ? key : crt);
		return -1;
	}
	return c;
}

static int id_ok(const char *id)
{
	size_t n = strlen(id);

	if (n == 0 || n >= CONFIG_ID_MAX)
		return 0;
	for (const char *p = id; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		      *p == '-' || *p == '_'))
			return 0;
	/* the stems of the demo files are taken */
	return strcmp(id, "ca") && strcmp(id, "server");
}

static int write_cnf(const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "w");
	int ok = f && fputs(cnf_text, f) >= 0;

	if (f && fclose(f) != 0)
		ok = 0;
	if (!ok)
		util_seterr(err, errlen, "%s: cannot write", path);
	return ok ? 0 : -1;
}

bk_err pkidemo_create(const char *dir, const char *kiosk_id,
		      struct pkidemo *out, char *err, size_t errlen)
{
	char cnf[CONFIG_PATH_MAX], log[CONFIG_PATH_MAX], subj[CONFIG_ID_MAX + 8];
	char real[PATH_MAX];
	const struct pair pairs[] = {
		{ "ca", "/CN=Buergerkiosk demo CA", "ca_ext" },
		{ "server", "/CN=localhost", "server_ext" },
		{ kiosk_id, subj, "client_ext" },
	};
	mode_t old_mask;
	bk_err rc = BK_ERR_IO;

	memset(out, 0, sizeof *out);
	if (!id_ok(kiosk_id)) {
		util_seterr(err, errlen, "kiosk.id '%.47s' cannot name a client "
		       "certificate", kiosk_id);
		return BK_ERR_CONFIG;
	}
	snprintf(subj, sizeof subj, "/CN=%s", kiosk_id);
	if (util_mkdir_p(dir) < 0 || !realpath(dir, real)) {
		util_seterr(err, errlen, "%s: cannot create", dir);
		return BK_ERR_IO;
	}
	if (util_fmt(out->dir, sizeof out->dir, "%s", real) < 0 ||
	    path_in(cnf, out->dir, "openssl", ".cnf") < 0 ||
	    path_in(log, out->dir, "openssl", ".log") < 0 ||
	    path_in(out->ca_cert, out->dir, "ca", ".pem") < 0 ||
	    path_in(out->server_cert, out->dir, "server", ".pem") < 0 ||
	    path_in(out->server_key, out->dir, "server", ".key") < 0 ||
	    path_in(out->client_cert, out->dir, kiosk_id, ".pem") < 0 ||
	    path_in(out->client_key, out->dir, kiosk_id, ".key") < 0) {
		util_seterr(err, errlen, "%s: path too long", dir);
		return BK_ERR_CONFIG;
	}
	for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++)
		if (have_pair(out->dir, pairs[i].name, err, errlen) < 0)
			return BK_ERR_CONFIG;
	/* a new CA would not have signed the old certificates */
	if (!have_pair(out->dir, "ca", err, errlen) &&
	    (have_pair(out->dir, "server", err, errlen) ||
	     have_pair(out->dir, kiosk_id, err, errlen))) {
		util_seterr(err, errlen, "%s has certificates but no ca.pem/ca.key: "
		       "use an empty folder", out->dir);
		return BK_ERR_CONFIG;
	}

	old_mask = umask(077); /* keys are never readable by others */
	if (write_cnf(cnf, err, errlen) < 0)
		goto out;
	for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
		if (have_pair(out->dir, pairs[i].name, err, errlen))
			continue;
		if (make_pair(out, &pairs[i], cnf, log, err, errlen) < 0)
			goto out;
		out->created++;
	}
	rc = pkidemo_pin(out->server_cert, out->server_pin, err, errlen);
out:
	umask(old_mask);
	return rc;
}

bk_err pkidemo_pin(const char *cert_path, char out[PKIDEMO_PIN_MAX],
		   char *err, size_t errlen)
{
	FILE *f = fopen(cert_path, "r");
	X509 *x = NULL;
	unsigned char *der = NULL, md[EVP_MAX_MD_SIZE];
	unsigned md_len = 0;
	int der_len;
	bk_err rc = BK_ERR_INVALID;

	out[0] = '\0';
	if (!f) {
		util_seterr(err, errlen, "%s: cannot open", cert_path);
		return BK_ERR_IO;
	}
	x = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	if (!x) {
		util_seterr(err, errlen, "%s: not a PEM certificate", cert_path);
		goto out;
	}
	der_len = i2d_PUBKEY(X509_get0_pubkey(x), &der);
	if (der_len <= 0 ||
	    !EVP_Digest(der, (size_t)der_len, md, &md_len, EVP_sha256(), NULL) ||
	    md_len != 32) {
		util_seterr(err, errlen, "%s: cannot hash the public key", cert_path);
		goto out;
	}
	memcpy(out, "sha256//", 8);
	EVP_EncodeBlock((unsigned char *)out + 8, md, (int)md_len);
	rc = BK_OK;
out:
	OPENSSL_free(der);
	X509_free(x);
	return rc;
}
