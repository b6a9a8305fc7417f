/*
 * test_printer.c — printer URIs and the virtual and file backends: job
 * files numbered across opens and restarts, the FAULT switch, writes to a
 * regular file and through a pipe with interrupted writes.
 */
#include "check.h"
#include "drivers/printer/printer.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

/* Reads path into buf (NUL-terminated); returns its length or -1. */
static long slurp(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return (long)n;
}

static int spit(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

static int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	return n;
}

static printer_err send_str(struct printer *p, const char *s, size_t *wr)
{
	char err[256];

	return printer_send(p, (const unsigned char *)s, strlen(s), wr, err,
			    sizeof err);
}

static void check_job(const char *dir, unsigned num, const char *want)
{
	char path[512], buf[256];

	snprintf(path, sizeof path, "%s/job-%06u.bin", dir, num);
	CHECK_INT(slurp(path, buf, sizeof buf), (long)strlen(want));
	CHECK_STR(buf, want);
}

static void test_uri(void)
{
	struct printer *p = (struct printer *)&p;
	char err[256];

	CHECK_INT(printer_open(&p, "lpt:/dev/lp0", err, sizeof err),
		  PRINTER_ERR_URI);
	CHECK(p == NULL);
	CHECK(strstr(err, "lpt") != NULL);
	CHECK_INT(printer_open(&p, "/dev/usb/lp0", err, sizeof err),
		  PRINTER_ERR_URI);
	CHECK_INT(printer_open(&p, ":x", err, sizeof err), PRINTER_ERR_URI);
	CHECK_INT(printer_open(&p, "", NULL, 0), PRINTER_ERR_URI);
	CHECK_INT(printer_open(&p, NULL, err, sizeof err), PRINTER_ERR_URI);
	CHECK_INT(printer_open(&p, "virtual:", err, sizeof err),
		  PRINTER_ERR_URI);
	CHECK_INT(printer_open(&p, "file:", err, sizeof err),
		  PRINTER_ERR_URI);
	CHECK_INT(printer_open(&p, "virtualx:/tmp", err, sizeof err),
		  PRINTER_ERR_URI);
	CHECK(p == NULL);
	printer_close(NULL);
	CHECK_STR(printer_backend_name(NULL), "none");
	CHECK_INT(printer_send(NULL, (const unsigned char *)"x", 1, NULL,
			       NULL, 0), PRINTER_ERR_OFFLINE);
}

static void test_strerror(void)
{
	for (int e = PRINTER_OK; e <= PRINTER_ERR_COVER; e++) {
		const char *s = printer_strerror((printer_err)e);
		CHECK(s && *s);
		CHECK(strcmp(s, "unknown printer error"));
		for (int f = PRINTER_OK; f < e; f++)
			CHECK(strcmp(s, printer_strerror((printer_err)f)));
	}
}

static void test_virtual_numbering(void)
{
	struct printer *a = NULL, *b = NULL;
	char tmp[256], dir[300], uri[320], err[256];
	size_t wr = 0;

	check_tmpdir(tmp);
	snprintf(dir, sizeof dir, "%s/spool/printer", tmp);
	snprintf(uri, sizeof uri, "virtual:%s", dir);

	REQUIRE(printer_open(&a, uri, err, sizeof err) == PRINTER_OK);
	CHECK_STR(printer_backend_name(a), "virtual");
	REQUIRE(printer_open(&b, uri, err, sizeof err) == PRINTER_OK);
	CHECK_INT(send_str(a, "first", &wr), PRINTER_OK);
	CHECK_INT(wr, 5);
	CHECK_INT(send_str(b, "second", &wr), PRINTER_OK);
	CHECK_INT(send_str(a, "third", &wr), PRINTER_OK);
	CHECK_INT(printer_send(a, NULL, 0, &wr, err, sizeof err), PRINTER_OK);
	printer_close(a);
	printer_close(b);
	check_job(dir, 1, "first");
	check_job(dir, 2, "second");
	check_job(dir, 3, "third");

	/* A restart continues after the highest number, gaps and all. */
	snprintf(uri, sizeof uri, "%s/job-000041.bin", dir);
	CHECK_INT(spit(uri, "old"), 0);
	snprintf(uri, sizeof uri, "virtual:%s", dir);
	REQUIRE(printer_open(&a, uri, err, sizeof err) == PRINTER_OK);
	CHECK_INT(send_str(a, "fourth", &wr), PRINTER_OK);
	printer_close(a);
	check_job(dir, 41, "old");
	check_job(dir, 42, "fourth");
	/* 5 jobs, a PNG of each of the 4 printed here, no temporary files */
	CHECK_INT(count_entries(dir), 9);
	check_rmtree(tmp);
}

static void test_virtual_fault_switch(void)
{
	struct printer *p = NULL;
	char tmp[256], path[300], uri[300], err[256];
	size_t wr = 99;

	check_tmpdir(tmp);
	snprintf(uri, sizeof uri, "virtual:%s", tmp);
	snprintf(path, sizeof path, "%s/FAULT", tmp);
	REQUIRE(printer_open(&p, uri, err, sizeof err) == PRINTER_OK);

	CHECK_INT(spit(path, "paper\n"), 0);
	CHECK_INT(printer_send(p, (const unsigned char *)"x", 1, &wr, err,
			       sizeof err), PRINTER_ERR_PAPER);
	CHECK_INT(wr, 0);
	CHECK(strstr(err, "FAULT") != NULL);
	CHECK_INT(count_entries(tmp), 1);

	CHECK_INT(spit(path, "offline"), 0);
	CHECK_INT(send_str(p, "x", &wr), PRINTER_ERR_OFFLINE);
	CHECK_INT(count_entries(tmp), 1);

	CHECK_INT(spit(path, "nothing wrong"), 0);
	CHECK_INT(send_str(p, "ok", &wr), PRINTER_OK);
	CHECK_INT(unlink(path), 0);
	CHECK_INT(send_str(p, "ok2", &wr), PRINTER_OK);
	check_job(tmp, 1, "ok");
	check_job(tmp, 2, "ok2");
	printer_close(p);
	check_rmtree(tmp);
}

static void test_virtual_open_fails(void)
{
	struct printer *p = NULL;
	char tmp[256], path[300], uri[320], err[256];

	check_tmpdir(tmp);
	snprintf(path, sizeof path, "%s/afile", tmp);
	CHECK_INT(spit(path, "x"), 0);
	snprintf(uri, sizeof uri, "virtual:%s", path);
	CHECK_INT(printer_open(&p, uri, err, sizeof err), PRINTER_ERR_OPEN);
	CHECK(p == NULL);
	CHECK(strstr(err, "afile") != NULL);
	check_rmtree(tmp);
}

static void test_file_regular(void)
{
	struct printer *p = NULL;
	char tmp[256], path[300], uri[320], err[256], buf[64];
	size_t wr = 0;

	check_tmpdir(tmp);
	snprintf(path, sizeof path, "%s/lp0", tmp);
	CHECK_INT(spit(path, ""), 0);
	snprintf(uri, sizeof uri, "file:%s", path);
	REQUIRE(printer_open(&p, uri, err, sizeof err) == PRINTER_OK);
	CHECK_STR(printer_backend_name(p), "file");
	CHECK_INT(send_str(p, "\x1b@job1", &wr), PRINTER_OK);
	CHECK_INT(wr, 6);
	CHECK_INT(send_str(p, "job2", &wr), PRINTER_OK);
	CHECK_INT(slurp(path, buf, sizeof buf), 10);
	CHECK_STR(buf, "\x1b@job1job2");

	/* The device goes away: offline, with the path in the text. */
	CHECK_INT(unlink(path), 0);
	CHECK_INT(send_str(p, "job3", &wr), PRINTER_ERR_OFFLINE);
	CHECK_INT(wr, 0);
	CHECK_INT(printer_send(p, (const unsigned char *)"j", 1, &wr, err,
			       sizeof err), PRINTER_ERR_OFFLINE);
	CHECK(strstr(err, "lp0") != NULL);
	CHECK_INT(access(path, F_OK), -1);   /* never created */
	printer_close(p);

	/* A folder can never be a printer. */
	snprintf(uri, sizeof uri, "file:%s", tmp);
	CHECK_INT(printer_open(&p, uri, err, sizeof err), PRINTER_ERR_OPEN);
	CHECK(p == NULL);
	check_rmtree(tmp);
}

static void on_alarm(int sig)
{
	(void)sig;
}

/* A slow reader on a pipe and a timer firing every millisecond: the
 * writes come back short or with EINTR, and the job must arrive whole. */
static void test_file_pipe_interrupted(void)
{
	enum { JOB = 1 << 20 };
	struct itimerval every_ms = { { 0, 1000 }, { 0, 1000 } }, off = { 0 };
	struct sigaction sa = { 0 }, old;
	struct printer *p = NULL;
	unsigned char *job;
	char uri[64], err[256];
	size_t wr = 0;
	int fds[2], status = 0;
	pid_t child;

	job = malloc(JOB);
	REQUIRE(job);
	for (size_t i = 0; i < JOB; i++)
		job[i] = (unsigned char)(i * 7 + i / 251);
	REQUIRE(pipe(fds) == 0);
	child = fork();
	REQUIRE(child >= 0);
	if (child == 0) {
		unsigned char buf[4096];
		size_t got = 0;
		ssize_t n;
		int bad = 0;

		close(fds[1]);
		usleep(50 * 1000);
		while ((n = read(fds[0], buf, sizeof buf)) > 0) {
			for (ssize_t i = 0; i < n; i++, got++)
				bad |= buf[i] != (unsigned char)(got * 7 +
								 got / 251);
			usleep(100);
		}
		_exit(bad || got != JOB ? 1 : 0);
	}
	close(fds[0]);
	snprintf(uri, sizeof uri, "file:/proc/self/fd/%d", fds[1]);
	sa.sa_handler = on_alarm;     /* no SA_RESTART: writes see EINTR */
	sigaction(SIGALRM, &sa, &old);
	setitimer(ITIMER_REAL, &every_ms, NULL);
	CHECK_INT(printer_open(&p, uri, err, sizeof err), PRINTER_OK);
	CHECK_INT(printer_send(p, job, JOB, &wr, err, sizeof err), PRINTER_OK);
	CHECK_INT(wr, JOB);
	setitimer(ITIMER_REAL, &off, NULL);
	sigaction(SIGALRM, &old, NULL);
	printer_close(p);
	close(fds[1]);
	CHECK_INT(waitpid(child, &status, 0), child);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	free(job);
}

int main(void)
{
	static const struct check_test tests[] = {
		{ "uri", test_uri },
		{ "strerror", test_strerror },
		{ "virtual_numbering", test_virtual_numbering },
		{ "virtual_fault_switch", test_virtual_fault_switch },
		{ "virtual_open_fails", test_virtual_open_fails },
		{ "file_regular", test_file_regular },
		{ "file_pipe_interrupted", test_file_pipe_interrupted },
		{ NULL, NULL },
	};

	return check_main(tests);
}
