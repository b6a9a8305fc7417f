/*
 * paper.c — the virtual printer's folder as kiosk-paper sees it: job PNGs,
 * the FAULT switch, and PNG reading and writing through libpng.
 *
 * Not a general image library and not a second printer: it never writes
 * into the folder and never decodes ESC/POS (see paper.h). libpng reports
 * errors by longjmp, so whatever the error path frees is reached through a
 * pointer to memory (not a local variable) set before the jump can happen.
 */
#include "sim/paper.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define JOB_NUM_MAX 999999999u
#define LIST_MAX ((size_t)1 << 20) /* names looked at per scan */
/* ancillary chunks (text, ICC profiles) are not needed to see the paper */
#define CHUNK_MAX ((png_alloc_size_t)1 << 20)

struct png_io {
	char *err;
	size_t errlen;
	png_bytep *rows; /* freed after a longjmp too */
};

static void on_png_error(png_structp png, png_const_charp msg)
{
	struct png_io *io = png_get_error_ptr(png);

	snprintf(io->err, io->errlen, "libpng: %s", msg);
	png_longjmp(png, 1);
}

static void on_png_warning(png_structp png, png_const_charp msg)
{
	(void)png;
	(void)msg;
}

/* Asks libpng for 8-bit gray, alpha flattened onto white paper. */
static void want_gray8(png_structp png, png_infop info)
{
	png_color_16 white = { .red = 255, .green = 255, .blue = 255,
			       .gray = 255 };
	int type = png_get_color_type(png, info);
	int depth = png_get_bit_depth(png, info);

	if (type == PNG_COLOR_TYPE_PALETTE)
		png_set_palette_to_rgb(png);
	if (type == PNG_COLOR_TYPE_GRAY && depth < 8)
		png_set_expand_gray_1_2_4_to_8(png);
	if (png_get_valid(png, info, PNG_INFO_tRNS))
		png_set_tRNS_to_alpha(png);
	if (depth == 16)
		png_set_strip_16(png);
	if (type & PNG_COLOR_MASK_COLOR)
		png_set_rgb_to_gray_fixed(png, 1, -1, -1);
	png_set_background(png, &white, PNG_BACKGROUND_GAMMA_SCREEN, 0, 1.0);
	png_set_interlace_handling(png);
	png_read_update_info(png, info);
}

/* Everything between creating and destroying libpng's read structs. */
static int decode(FILE *f, struct paper_image *img, struct png_io *io)
{
	png_structp png;
	png_infop info = NULL;
	png_uint_32 w, h;
	volatile int rc = -1; /* set after setjmp() */

	png = png_create_read_struct(PNG_LIBPNG_VER_STRING, io, on_png_error,
				     on_png_warning);
	if (!png) {
		snprintf(io->err, io->errlen, "libpng: out of memory");
		return -1;
	}
	info = png_create_info_struct(png);
	if (!info) {
		snprintf(io->err, io->errlen, "libpng: out of memory");
		goto out;
	}
	if (setjmp(png_jmpbuf(png)))
		goto out;
	png_set_user_limits(png, PAPER_MAX_W, PAPER_MAX_H);
	png_set_chunk_malloc_max(png, CHUNK_MAX);
	png_init_io(png, f);
	png_read_info(png, info);
	w = png_get_image_width(png, info);
	h = png_get_image_height(png, info);
	if (w == 0 || h == 0 || w > PAPER_MAX_W || h > PAPER_MAX_H ||
	    (size_t)w * h > PAPER_MAX_PIXELS) {
		snprintf(io->err, io->errlen, "image of %ux%u dots is too large",
			 (unsigned)w, (unsigned)h);
		goto out;
	}
	want_gray8(png, info);
	if (png_get_channels(png, info) != 1 ||
	    png_get_rowbytes(png, info) != w) {
		snprintf(io->err, io->errlen, "unsupported PNG format");
		goto out;
	}
	img->gray = malloc((size_t)w * h);
	io->rows = malloc(h * sizeof *io->rows);
	if (!img->gray || !io->rows) {
		snprintf(io->err, io->errlen, "out of memory");
		goto out;
	}
	for (png_uint_32 y = 0; y < h; y++)
		io->rows[y] = img->gray + (size_t)y * w;
	png_read_image(png, io->rows);
	png_read_end(png, NULL);
	img->width = (int)w;
	img->height = (int)h;
	rc = 0;
out:
	png_destroy_read_struct(&png, &info, NULL);
	return rc;
}

int paper_image_load(struct paper_image *img, const char *path, char *err,
		     size_t errlen)
{
	struct png_io io = { .err = err, .errlen = errlen };
	unsigned char sig[8];
	FILE *f;
	int rc = -1;

	memset(img, 0, sizeof *img);
	f = fopen(path, "rbe");
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fread(sig, 1, sizeof sig, f) != sizeof sig ||
	    png_sig_cmp(sig, 0, sizeof sig)) {
		snprintf(err, errlen, "%s: not a PNG file", path);
		goto fail;
	}
	rewind(f);
	if (decode(f, img, &io) < 0)
		goto fail;
	rc = 0;
fail:
	free(io.rows);
	if (rc < 0)
		paper_image_free(img);
	fclose(f);
	return rc;
}

void paper_image_free(struct paper_image *img)
{
	free(img->gray);
	memset(img, 0, sizeof *img);
}

/* "job-" digits ".png" → the number; 0 for any other name. */
static unsigned job_number(const char *name)
{
	unsigned long num = 0;
	const char *p;

	if (strncmp(name, "job-", 4))
		return 0;
	for (p = name + 4; *p >= '0' && *p <= '9'; p++) {
		num = num * 10 + (unsigned)(*p - '0');
		if (num > JOB_NUM_MAX)
			return 0;
	}
	if (p == name + 4 || strcmp(p, ".png"))
		return 0;
	return (unsigned)num;
}

static int by_number(const void *a, const void *b)
{
	unsigned x = ((const struct paper_job *)a)->num;
	unsigned y = ((const struct paper_job *)b)->num;

	return (x > y) - (x < y);
}

/* Appends to *all (growing it up to LIST_MAX); -1 when out of memory. */
static int add_job(struct paper_job **all, size_t *n, size_t *cap,
		   const struct paper_job *j)
{
	struct paper_job *p;

	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 64;
		if (*n >= LIST_MAX)
			return 0; /* a folder this full: the rest is not shown */
		p = realloc(*all, c * sizeof *p);
		if (!p)
			return -1;
		*all = p;
		*cap = c;
	}
	(*all)[(*n)++] = *j;
	return 0;
}

int paper_list_jobs(const char *dir, struct paper_job *jobs, int max)
{
	struct paper_job *all = NULL, j;
	size_t n = 0, cap = 0, first;
	struct dirent *e;
	struct stat st;
	DIR *d;
	int rc = -1;

	d = opendir(dir);
	if (!d)
		return -1;
	while ((e = readdir(d))) {
		j.num = job_number(e->d_name);
		if (!j.num || fstatat(dirfd(d), e->d_name, &st,
				      AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISREG(st.st_mode))
			continue;
		j.mtime = st.st_mtime;
		j.size = (long long)st.st_size;
		if (add_job(&all, &n, &cap, &j) < 0) {
			errno = ENOMEM;
			goto fail;
		}
	}
	if (n > 1)
		qsort(all, n, sizeof *all, by_number);
	first = max > 0 && n > (size_t)max ? n - (size_t)max : 0;
	if (n > first)
		memcpy(jobs, all + first, (n - first) * sizeof *all);
	rc = (int)(n - first);
fail:
	free(all);
	closedir(d);
	return rc;
}

enum paper_fault paper_read_fault(const char *dir)
{
	char path[4096], buf[64];
	ssize_t n;
	int fd;

	if (snprintf(path, sizeof path, "%s/FAULT", dir) >= (int)sizeof path)
		return PAPER_FAULT_NONE;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0)
		return PAPER_FAULT_NONE;
	do
		n = read(fd, buf, sizeof buf - 1);
	while (n < 0 && errno == EINTR);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	if (strstr(buf, "paper"))
		return PAPER_FAULT_PAPER;
	if (strstr(buf, "offline"))
		return PAPER_FAULT_OFFLINE;
	if (strstr(buf, "cover"))
		return PAPER_FAULT_COVER;
	if (strstr(buf, "near"))
		return PAPER_FAULT_NEAR;
	return PAPER_FAULT_NONE;
}

const char *paper_fault_text(enum paper_fault f)
{
	switch (f) {
	case PAPER_FAULT_NONE:
		return NULL;
	case PAPER_FAULT_PAPER:
		return "Papier leer";
	case PAPER_FAULT_OFFLINE:
		return "Offline";
	case PAPER_FAULT_COVER:
		return "Klappe offen";
	case PAPER_FAULT_NEAR:
		return "Papier fast leer";
	}
	return NULL;
}
