/*
 * test_escpos_npm.c — an independent check of our ESC/POS bytes.
 *
 * Installs the npm package @point-of-sale/receipt-printer-encoder at the
 * version pinned in tests/npm/package-lock.json into a temporary folder
 * (npm ci), has tests/npm/encode.mjs encode the same start sequence, a
 * PC858 line, a QR code and a CODE128 barcode, and compares them with our
 * encoder command by command. Any byte difference fails, and so does a
 * missing node or npm: scripts/deps installs them, so their absence is a
 * broken machine, not a reason to skip.
 *
 * Not checked here: the cut (the package sends GS V 1, we send GS V 66 0
 * on purpose, see escpos.c) and raster images (the package dithers).
 */
#include "check.h"
#include "drivers/printer/escpos.h"

#include <stdlib.h>

#define QR_PAYLOAD "BK1.A017.20261125.3q2+7w"
#define CODE128_TEXT "BK-2026-004711"
#define CP858_TEXT "Größe: 5 €"

#define CMDS_MAX 32

struct cmds {
	int n;
	char group[CMDS_MAX][16];
	unsigned char bytes[CMDS_MAX][256];
	size_t len[CMDS_MAX];
};

static int unhex(const char *s, unsigned char *out, size_t cap, size_t *n)
{
	*n = 0;
	while (s[0] && s[0] != '\n') {
		unsigned int b;

		if (!s[1] || *n == cap || sscanf(s, "%2x", &b) != 1)
			return -1;
		out[(*n)++] = (unsigned char)b;
		s += 2;
	}
	return 0;
}

/* Runs npm ci and encode.mjs in dir; 0 with the commands, or -1. */
static int npm_encode(const char *dir, struct cmds *c)
{
	char cmd[2048], line[1024];
	FILE *p;
	int rc;

	snprintf(cmd, sizeof cmd,
		 "cd '%s' && cp '%s/tests/npm/package.json' "
		 "'%s/tests/npm/package-lock.json' '%s/tests/npm/encode.mjs' . "
		 "&& npm ci --no-audit --no-fund --loglevel=error >npm.log 2>&1"
		 " || { cat npm.log >&2; exit 1; }; "
		 "node encode.mjs '" QR_PAYLOAD "' '" CODE128_TEXT "' '"
		 CP858_TEXT "'", dir, BK_SOURCE_DIR, BK_SOURCE_DIR,
		 BK_SOURCE_DIR);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	c->n = 0;
	while (fgets(line, sizeof line, p)) {
		char *sp = strchr(line, ' ');

		if (!sp || c->n == CMDS_MAX || (size_t)(sp - line) >= 16 ||
		    unhex(sp + 1, c->bytes[c->n], sizeof c->bytes[0],
			  &c->len[c->n]) < 0) {
			fprintf(stderr, "encode.mjs: bad line: %s", line);
			pclose(p);
			return -1;
		}
		memcpy(c->group[c->n], line, (size_t)(sp - line));
		c->group[c->n][sp - line] = '\0';
		c->n++;
	}
	rc = pclose(p);
	if (rc != 0)
		fprintf(stderr, "npm ci or node encode.mjs failed (%d)\n", rc);
	return rc == 0 ? 0 : -1;
}

static void print_hex(const char *what, const unsigned char *p, size_t n)
{
	fprintf(stderr, "  %s ", what);
	for (size_t i = 0; i < n; i++)
		fprintf(stderr, "%02x", p[i]);
	fprintf(stderr, "\n");
}

/* Compares npm's commands of group, in order, with ours[0..n); every byte
 * of ours must be covered, except that commands listed in skip (hex) are
 * allowed to be absent from ours. */
static void compare(const struct cmds *c, const char *group,
		    const unsigned char *ours, size_t n, const char *skip)
{
	size_t at = 0;
	int seen = 0;

	for (int i = 0; i < c->n; i++) {
		char hex[513] = "";

		if (strcmp(c->group[i], group))
			continue;
		seen++;
		for (size_t k = 0; k < c->len[i] && k < 256; k++)
			sprintf(hex + 2 * k, "%02x", c->bytes[i][k]);
		if (at + c->len[i] <= n &&
		    !memcmp(ours + at, c->bytes[i], c->len[i])) {
			at += c->len[i];
			continue;
		}
		if (skip && !strcmp(hex, skip))
			continue;
		fprintf(stderr, "%s: command %d differs\n", group, seen);
		print_hex("npm: ", c->bytes[i], c->len[i]);
		print_hex("ours:", ours + at,
			  n - at < c->len[i] ? n - at : c->len[i]);
		check_fail(__FILE__, __LINE__, group);
		return;
	}
	if (!seen)
		check_fail(__FILE__, __LINE__, "npm printed no such group");
	if (at != n) {
		fprintf(stderr, "%s: we send %zu bytes more:\n", group, n - at);
		print_hex("ours:", ours + at, n - at);
		check_fail(__FILE__, __LINE__, group);
	}
}

/* Our bytes of one step: the job minus its 10-byte start. */
static size_t ours(void (*step)(struct escpos *), unsigned char **job)
{
	struct escpos *e = escpos_create(NULL);
	size_t len = 0;

	step(e);
	if (escpos_finish(e, job, &len) < 0 || len < 10) {
		check_fail(__FILE__, __LINE__, "escpos_finish");
		return 0;
	}
	memmove(*job, *job + 10, len - 10);
	return len - 10;
}

static void step_qr(struct escpos *e)
{
	escpos_qr(e, QR_PAYLOAD, strlen(QR_PAYLOAD));
}

static void step_code128(struct escpos *e)
{
	escpos_code128(e, CODE128_TEXT);
}

static void step_text(struct escpos *e)
{
	escpos_line(e, CP858_TEXT);
}

static void test_against_npm(void)
{
	static struct cmds c;
	unsigned char start[10], *job = NULL, text[64];
	char dir[256];
	size_t n;
	int rc;

	if (system("command -v node >/dev/null && command -v npm >/dev/null")) {
		fprintf(stderr, "node or npm not found: scripts/deps installs "
			"them (Debian: nodejs npm)\n");
		check_fail(__FILE__, __LINE__, "node and npm installed");
		return;
	}
	check_tmpdir(dir);
	rc = npm_encode(dir, &c);
	check_rmtree(dir);
	REQUIRE(rc == 0);

	/* Start: ESC @ and FS . as we send them. The package's ESC M 0
	 * (font A) is the state ESC @ leaves, so we do not send it. */
	REQUIRE(escpos_finish(escpos_create(NULL), &job, &n) == 0);
	REQUIRE(n == sizeof start);
	memcpy(start, job, sizeof start);
	free(job);
	compare(&c, "init", start, 4, "1b4d00");

	/* Code page: ESC t 19 from our start, then the PC858 text. */
	n = ours(step_text, &job);
	REQUIRE(job && n > 1 && n - 1 + 3 <= sizeof text);
	memcpy(text, start + 4, 3);
	memcpy(text + 3, job, n - 1);   /* without our LF */
	CHECK_INT(job[n - 1], '\n');
	compare(&c, "text", text, 3 + n - 1, NULL);
	free(job);

	n = ours(step_qr, &job);
	compare(&c, "qr", job, n, NULL);
	free(job);
	n = ours(step_code128, &job);
	compare(&c, "code128", job, n, NULL);
	free(job);
}

int main(void)
{
	static const struct check_test tests[] = {
		{ "against_npm", test_against_npm },
		{ NULL, NULL },
	};

	return check_main(tests);
}
