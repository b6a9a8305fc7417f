/*
 * bench_startup — cold start and peak memory of a command, repeated.
 *
 *   bench_startup N -- COMMAND [ARGS...]
 *
 * Runs COMMAND N times (fork, exec, wait4) and prints the median and the
 * spread of the wall time and of the peak resident set size (ru_maxrss)
 * of the process. For the kiosk: an empty script makes
 * `buergerkiosk --headless --script EMPTY` exit right after its first
 * rendered frame, so the wall time is the cold start to the first frame.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	int n, first = 0;
	double *ms, *rss;

	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--")) {
			first = i + 1;
			break;
		}
	if (argc < 4 || first == 0 || first >= argc) {
		fprintf(stderr, "usage: bench_startup N -- COMMAND [ARGS...]\n");
		return 2;
	}
	n = atoi(argv[1]);
	if (n < 1 || n > 1000)
		n = 20;
	ms = calloc((size_t)n, sizeof *ms);
	rss = calloc((size_t)n, sizeof *rss);
	if (!ms || !rss)
		return 1;
	for (int i = 0; i < n; i++) {
		struct timespec a, b;
		struct rusage ru;
		int status;
		pid_t pid;

		clock_gettime(CLOCK_MONOTONIC, &a);
		pid = fork();
		if (pid == 0) {
			execvp(argv[first], argv + first);
			_exit(127);
		}
		if (pid < 0 || wait4(pid, &status, 0, &ru) < 0)
			return 1;
		clock_gettime(CLOCK_MONOTONIC, &b);
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			fprintf(stderr, "run %d: command failed (status %d)\n",
				i, status);
			return 1;
		}
		ms[i] = (b.tv_sec - a.tv_sec) * 1e3 +
			(b.tv_nsec - a.tv_nsec) / 1e6;
		rss[i] = ru.ru_maxrss / 1024.0;
	}
	qsort(ms, (size_t)n, sizeof *ms, cmp);
	qsort(rss, (size_t)n, sizeof *rss, cmp);
	printf("runs %d  wall median %.1f ms (min %.1f, max %.1f)  "
	       "peak RSS median %.1f MiB (min %.1f, max %.1f)\n", n,
	       ms[n / 2], ms[0], ms[n - 1], rss[n / 2], rss[0], rss[n - 1]);
	free(ms);
	free(rss);
	return 0;
}
