// SPDX-License-Identifier: GPL-2.0
/*
 * ckpt_writer: workloads for the data path tests (daemon/80-datapath.sh).
 *
 * ckpt_writer run MIB DIR
 *   Rewrites random pages of MIB MiB as fast as it can, forever: iteration
 *   n (1, 2, ...) picks page pick(n), writes n into its first and last
 *   words and pattern(page, n) between them, and only then stores n into
 *   the counter.  Every page starts as iteration 0 wrote it.  At any
 *   instant between two iterations, then, page p holds exactly the
 *   iteration n <= counter that last picked p (0 if none did), which a
 *   replay of pick(1..counter) recomputes.  A checkpoint may freeze the
 *   writer in the middle of an iteration: restored from an image that is
 *   exactly the frozen instant, the writer finishes that iteration from
 *   its registers and the state is exact again at the next boundary.  A
 *   page from before or after the frozen instant, a torn page, or a
 *   counter from another instant than the pages fails the replay.
 *   SIGUSR1: at the next boundary, check the whole region against the
 *   replay and write "PASS count C pages P" or "FAIL: page ... why" to
 *   DIR/result (atomically), then go on writing.
 *
 * ckpt_writer spread MIB DIR PERCENT
 *   Fills MIB MiB, then sleeps; SIGUSR2 rewrites PERCENT % of its pages
 *   (every (100 / PERCENT)th page, a new value each time) and writes
 *   DIR/step-N: an incremental checkpoint after it should carry about
 *   PERCENT % of the pages.
 *
 * Both write DIR/ready once the memory is filled ("run N pages at ADDR":
 * where the region starts, for a test that changes it through
 * /proc/PID/mem).  Exit 2 on bad usage.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define PAGE		4096UL
#define WORDS		(PAGE / sizeof(uint64_t))

static const char *dir;
static volatile sig_atomic_t check_now, step_now;

static void on_usr1(int sig)
{
	(void)sig;
	check_now = 1;
}

static void on_usr2(int sig)
{
	(void)sig;
	step_now = 1;
}

/* put_file NAME FMT...: DIR/NAME with that text, written then renamed */
static void put_file(const char *name, const char *fmt, ...)
{
	char tmp[512], path[512], text[512];
	va_list ap;
	int fd, len;

	va_start(ap, fmt);
	len = vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (len < 0 || (size_t)len >= sizeof(text))
		len = sizeof(text) - 1;
	snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", dir, name);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, text, len) != len || close(fd) || rename(tmp, path)) {
		fprintf(stderr, "ckpt_writer: cannot write %s: %s\n", path, strerror(errno));
		exit(1);
	}
}

static uint64_t mix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static size_t pick(uint64_t n, size_t npages)
{
	return mix64(n) % npages;
}

/* word i (1 .. WORDS-2) of page p as iteration n writes it */
static uint64_t pattern(size_t p, uint64_t n, size_t i)
{
	return (n * 0x9e3779b97f4a7c15ULL) ^ ((uint64_t)p << 24) ^ (i * 0x2545f4914f6cdd1dULL);
}

static void write_page(volatile uint64_t *w, size_t p, uint64_t n)
{
	w[0] = n;
	for (size_t i = 1; i < WORDS - 1; i++)
		w[i] = pattern(p, n, i);
	w[WORDS - 1] = n;
}

static void *map(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		fprintf(stderr, "ckpt_writer: cannot map %zu bytes: %s\n", len, strerror(errno));
		exit(1);
	}
	return p;
}

/* check REGION against the replay of pick(1..count); the verdict to DIR/result */
static void check(volatile uint64_t *region, size_t npages, uint64_t count)
{
	uint64_t *last = calloc(npages, sizeof(*last));

	if (!last) {
		put_file("result", "FAIL: no memory for the replay of %zu pages\n", npages);
		return;
	}
	for (uint64_t n = 1; n <= count; n++)
		last[pick(n, npages)] = n;
	for (size_t p = 0; p < npages; p++) {
		volatile uint64_t *w = region + p * WORDS;
		uint64_t n = last[p];

		if (w[0] != n || w[WORDS - 1] != n) {
			put_file("result",
				 "FAIL: page %zu (of %zu) is stamped %llu at its start and %llu at its end; "
				 "expected %llu, the last of the %llu iterations that wrote it\n",
				 p, npages, (unsigned long long)w[0], (unsigned long long)w[WORDS - 1],
				 (unsigned long long)n, (unsigned long long)count);
			free(last);
			return;
		}
		for (size_t i = 1; i < WORDS - 1; i++) {
			if (w[i] != pattern(p, n, i)) {
				put_file("result",
					 "FAIL: page %zu (of %zu), stamped %llu, word %zu holds %#llx, expected %#llx "
					 "(torn or mixed page; counter %llu)\n",
					 p, npages, (unsigned long long)n, i, (unsigned long long)w[i],
					 (unsigned long long)pattern(p, n, i), (unsigned long long)count);
				free(last);
				return;
			}
		}
	}
	free(last);
	put_file("result", "PASS count %llu pages %zu\n", (unsigned long long)count, npages);
}

static _Noreturn void run(size_t npages)
{
	volatile uint64_t *region = map(npages * PAGE);
	volatile uint64_t *counter = map(PAGE);

	for (size_t p = 0; p < npages; p++)
		write_page(region + p * WORDS, p, 0);
	*counter = 0;
	put_file("ready", "run %zu pages at %#lx\n", npages, (unsigned long)region);
	for (;;) {
		uint64_t n = *counter + 1;
		size_t p;

		if (check_now) {
			check_now = 0;
			check(region, npages, n - 1);
		}
		p = pick(n, npages);
		write_page(region + p * WORDS, p, n);
		__atomic_signal_fence(__ATOMIC_SEQ_CST);
		*counter = n;
	}
}

static _Noreturn void spread(size_t npages, unsigned long percent)
{
	volatile uint64_t *region = map(npages * PAGE);
	size_t stride = 100 / percent;
	unsigned long step = 0;
	sigset_t usr2, old;

	for (size_t p = 0; p < npages; p++)
		write_page(region + p * WORDS, p, 0);
	sigemptyset(&usr2);
	sigaddset(&usr2, SIGUSR2);
	sigprocmask(SIG_BLOCK, &usr2, &old);
	put_file("ready", "spread %zu pages, every %zuth rewritten per step\n", npages, stride);
	for (;;) {
		char name[32];
		size_t done = 0;

		while (!step_now)
			sigsuspend(&old);
		step_now = 0;
		step++;
		for (size_t p = step % stride; p < npages; p += stride, done++)
			write_page(region + p * WORDS, p, step);
		snprintf(name, sizeof(name), "step-%lu", step);
		put_file(name, "%zu pages rewritten\n", done);
	}
}

static unsigned long number(const char *s, const char *what, unsigned long max)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || !v || v > max) {
		fprintf(stderr, "ckpt_writer: %s '%s' must be a number from 1 to %lu\n", what, s, max);
		exit(2);
	}
	return v;
}

int main(int argc, char *argv[])
{
	struct sigaction sa = { .sa_flags = SA_RESTART };
	size_t npages;

	if (argc < 4 || (strcmp(argv[1], "run") && strcmp(argv[1], "spread")) ||
	    (!strcmp(argv[1], "run") && argc != 4) || (!strcmp(argv[1], "spread") && argc != 5)) {
		fprintf(stderr, "usage: ckpt_writer run MIB DIR | ckpt_writer spread MIB DIR PERCENT\n");
		return 2;
	}
	npages = number(argv[2], "MIB", 4096) * (1024 * 1024 / PAGE);
	dir = argv[3];
	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, NULL);
	sa.sa_handler = on_usr2;
	sigaction(SIGUSR2, &sa, NULL);
	if (!strcmp(argv[1], "run"))
		run(npages);
	spread(npages, number(argv[4], "PERCENT", 50));
}
