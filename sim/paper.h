/*
 * paper.h — what kiosk-paper reads from the virtual printer's folder.
 *
 * The virtual printer (drivers/printer/printer_virtual.c) leaves one
 * job-NNNNNN.png per printed job in its folder (written as a temporary
 * file and renamed, so a PNG is whole or absent) and reads a FAULT file
 * there as its fault switch. This module lists those jobs, reads the
 * switch, and loads a job's PNG as 8-bit gray dots, the way the paper
 * looks: thermal paper is white with black dots, so colour and alpha are
 * flattened onto white. It also writes the viewer's snapshot PNG.
 *
 * It is NOT a general image library: PNGs are outside input and are capped
 * (PAPER_MAX_W x PAPER_MAX_H, PAPER_MAX_PIXELS in all), 16-bit samples are
 * reduced to 8, and a file that breaks any rule is refused, never guessed
 * at. It knows nothing of SDL or of ESC/POS; the window lives in
 * paper_main.c.
 */
#ifndef BK_PAPER_H
#define BK_PAPER_H

#include <stddef.h>
#include <time.h>

#define PAPER_MAX_W 4096
#define PAPER_MAX_H 60000
/* 64 Mi dots (64 MiB of gray): a 80 mm roll (576 dots) of 60000 lines fits */
#define PAPER_MAX_PIXELS ((size_t)1 << 26)

/* A loaded job: width x height gray samples, 0 = black, 255 = white. */
struct paper_image {
	unsigned char *gray; /* width * height bytes, owned */
	int width, height;
};

/* Reads a PNG (gray 1/2/4/8/16 bit, gray+alpha, RGB, RGBA, palette) into
 * img. 0, or -1 with err and img zeroed. */
int paper_image_load(struct paper_image *img, const char *path, char *err,
		     size_t errlen);
void paper_image_free(struct paper_image *img);

/* One job PNG of the folder. */
struct paper_job {
	unsigned num;  /* NNNNNN of job-NNNNNN.png, > 0 */
	time_t mtime;  /* when the printer finished its picture */
	long long size;
};

/* The job PNGs of dir, oldest (lowest number) first, at most max of them
 * (the newest max when there are more). Names other than job-<digits>.png,
 * hidden and temporary files are skipped. Returns the count, or -1 with
 * errno when dir cannot be read. */
int paper_list_jobs(const char *dir, struct paper_job *jobs, int max);

/* The fault the FAULT file sets, in the virtual printer's words. */
enum paper_fault {
	PAPER_FAULT_NONE = 0,
	PAPER_FAULT_PAPER,   /* "paper": paper end */
	PAPER_FAULT_OFFLINE, /* "offline" */
	PAPER_FAULT_COVER,   /* "cover": cover open */
	PAPER_FAULT_NEAR     /* "near": paper near end, jobs still print */
};

/* Reads dir/FAULT; PAPER_FAULT_NONE when it is absent or names nothing
 * known. The same precedence as the printer (paper, offline, cover). */
enum paper_fault paper_read_fault(const char *dir);
/* The banner text a technician sees, in German; NULL for NONE. */
const char *paper_fault_text(enum paper_fault f);

#endif
