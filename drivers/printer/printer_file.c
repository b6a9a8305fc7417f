/*
 * printer_file.c — the "file:PATH" backend: jobs written to a device node
 * such as /dev/usb/lp0 (the kernel's usblp driver) or to any writable file.
 *
 * Properties:
 *  1. The path is opened per job (O_WRONLY | O_APPEND | O_NOCTTY |
 *     O_CLOEXEC, never O_CREAT), so a printer that was unplugged and plugged
 *     in again works from the next job on, a mistyped path never creates a
 *     file in /dev, and a regular file collects the jobs one after another.
 *  2. printer_open() fails only for paths that can never work (a folder,
 *     no permission); a device that is absent right now opens fine and
 *     each job then reports PRINTER_ERR_OFFLINE until it appears.
 *  3. Short writes are continued and EINTR retried; *written counts what
 *     the device took, so a caller can tell a partial job.
 *  4. On a character device usblp's errors mean printer states: ENOSPC is
 *     paper end, EIO an offline or faulty printer, ENODEV unplugged.
 *  5. Nothing blocks for long: the path is opened O_NONBLOCK (a FIFO with
 *     no reader is "offline", not a hang) and writes wait with poll() for
 *     at most FILE_TIMEOUT_MS in all, then report PRINTER_ERR_TIMEOUT; a
 *     usblp printer that stopped taking data (paper out) cannot hold the
 *     kiosk's printing thread.
 *
 * It does NOT read status back (no DLE EOT on this transport).
 */
#include "drivers/printer/printer_int.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

#define FILE_OPEN_FLAGS (O_WRONLY | O_APPEND | O_NOCTTY | O_CLOEXEC | \
			 O_NONBLOCK)
#define FILE_TIMEOUT_MS 10000

struct file_ctx {
	char path[512];
};

static int device_absent(int e)
{
	return e == ENOENT || e == ENODEV || e == ENXIO;
}

static printer_err file_open(void **ctx, const char *arg, char *err,
			     size_t errlen)
{
	struct file_ctx *f;
	int fd;

	if (!*arg) {
		printer__seterr(err, errlen, "file: needs a path");
		return PRINTER_ERR_URI;
	}
	if (strlen(arg) >= sizeof f->path) {
		printer__seterr(err, errlen, "file: path too long");
		return PRINTER_ERR_URI;
	}
	fd = open(arg, FILE_OPEN_FLAGS);
	if (fd < 0 && !device_absent(errno)) {
		printer__seterr(err, errlen, "file: cannot open %s: %s", arg,
				strerror(errno));
		return PRINTER_ERR_OPEN;
	}
	if (fd >= 0)
		close(fd);
	f = calloc(1, sizeof *f);
	if (!f) {
		printer__seterr(err, errlen, "file: out of memory");
		return PRINTER_ERR_NOMEM;
	}
	memcpy(f->path, arg, strlen(arg) + 1);
	*ctx = f;
	return PRINTER_OK;
}

static void file_close(void *ctx)
{
	free(ctx);
}

/* Maps a failed open/write's errno to the printer state it means. */
static printer_err map_errno(int e, int is_device)
{
	if (device_absent(e))
		return PRINTER_ERR_OFFLINE;
	if (is_device && e == ENOSPC)
		return PRINTER_ERR_PAPER;
	if (is_device && e == EIO)
		return PRINTER_ERR_OFFLINE;
	return PRINTER_ERR_WRITE;
}

static printer_err file_send(void *ctx, const unsigned char *data, size_t len,
			     size_t *written, char *err, size_t errlen)
{
	struct file_ctx *f = ctx;
	printer_err rc = PRINTER_OK;
	struct stat sb;
	long long deadline;
	int fd, is_device, e;

	fd = open(f->path, FILE_OPEN_FLAGS);
	if (fd < 0) {
		e = errno;
		rc = map_errno(e, 1);
		printer__seterr(err, errlen, "file: cannot open %s: %s",
				f->path, strerror(e));
		return rc;
	}
	is_device = fstat(fd, &sb) == 0 && S_ISCHR(sb.st_mode);
	deadline = now_ms() + FILE_TIMEOUT_MS;
	while (*written < len) {
		ssize_t n = write(fd, data + *written, len - *written);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			struct pollfd pfd = { .fd = fd, .events = POLLOUT };
			long long left = deadline - now_ms();

			if (left > 0 && (poll(&pfd, 1, (int)left) >= 0 ||
					 errno == EINTR))
				continue;
			rc = PRINTER_ERR_TIMEOUT;
			printer__seterr(err, errlen, "file: %s took only %zu "
					"of %zu bytes in %d s", f->path,
					*written, len, FILE_TIMEOUT_MS / 1000);
			goto out;
		}
		if (n <= 0) {
			e = n < 0 ? errno : EIO;  /* 0 for n > 0: no progress */
			rc = map_errno(e, is_device);
			printer__seterr(err, errlen, "file: write to %s failed "
					"after %zu of %zu bytes: %s", f->path,
					*written, len, strerror(e));
			goto out;
		}
		*written += (size_t)n;
	}
out:
	if (close(fd) < 0 && rc == PRINTER_OK && errno != EINTR) {
		e = errno;
		rc = map_errno(e, is_device);
		printer__seterr(err, errlen, "file: closing %s: %s", f->path,
				strerror(e));
	}
	return rc;
}

const struct printer_backend printer__file_backend = {
	.name = "file",
	.open = file_open,
	.close = file_close,
	.send = file_send,
};
