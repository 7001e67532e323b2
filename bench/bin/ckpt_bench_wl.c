// SPDX-License-Identifier: GPL-2.0
/*
 * ckpt_bench_wl DIR MIB [KIB_PER_S]: the workload of the side-by-side
 * benchmark, the same program for ckpt and for CRIU.
 *
 * Fills MIB MiB of anonymous memory with a pattern that differs in every
 * 8-byte word and every page (page i, generation g), then ticks every 2 ms
 * and records the longest gap between two ticks: the time it could not run,
 * i.e. the frozen time a checkpointer imposed on it.  With KIB_PER_S it also
 * rewrites that many KiB of pages per second, spread over the area (the
 * migration scenario's "writing ~1 MiB/s").
 *
 * Commands: write one line to DIR/cmd, then send SIGUSR1; the answer is
 * written to DIR/reply (via a rename, so it appears whole):
 *   rewrite PCT   rewrite PCT % of the pages, spread evenly over the area
 *                 (one in every 100/PCT pages); answers the count
 *   rewrite PCT block   the same number of pages as one block at the start
 *   gap           the longest tick gap in ms since the last "gap", then resets
 *   verify        checks every page against its generation: "PASS N" or
 *                 "FAIL page P"
 * DIR/ready holds the pid once the memory is written.  No file stays open,
 * so checkpointers see only stdio (which the caller points at /dev/null or a
 * log).
 */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096UL

static uint64_t *mem;
static uint32_t *gen;
static size_t npages;
static volatile sig_atomic_t cmd_pending;
static const char *dir;

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static uint64_t seed_of(size_t page, uint32_t g)
{
	uint64_t x = page * 0x9E3779B97F4A7C15ULL + g * 0xD1B54A32D192ED03ULL + 1;

	x ^= x >> 31;
	x *= 0xBF58476D1CE4E5B9ULL;
	return x ^ (x >> 29);
}

static void fill_page(size_t page)
{
	uint64_t s = seed_of(page, gen[page]), *w = mem + page * (PAGE / 8);

	for (size_t i = 0; i < PAGE / 8; i++)
		w[i] = s ^ (i * 0x100000001B3ULL);
}

static int page_ok(size_t page)
{
	uint64_t s = seed_of(page, gen[page]), *w = mem + page * (PAGE / 8);

	for (size_t i = 0; i < PAGE / 8; i++)
		if (w[i] != (s ^ (i * 0x100000001B3ULL)))
			return 0;
	return 1;
}

static void rewrite_page(size_t page)
{
	gen[page]++;
	fill_page(page);
}

static void put_file(const char *name, const char *text)
{
	char path[512], tmp[520];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f)
		return;
	fputs(text, f);
	fclose(f);
	rename(tmp, path);
}

static void on_usr1(int sig)
{
	(void)sig;
	cmd_pending = 1;
}

/* Runs one command from DIR/cmd; returns nothing, answers in DIR/reply. */
static void run_cmd(double *max_gap)
{
	char path[512], line[128] = "", reply[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/cmd", dir);
	f = fopen(path, "r");
	if (f) {
		if (!fgets(line, sizeof(line), f))
			line[0] = 0;
		fclose(f);
	}
	if (!strncmp(line, "rewrite ", 8)) {
		double pct = atof(line + 8);
		size_t n = (size_t)(npages * pct / 100.0 + 0.5), done = 0;
		int block = strstr(line + 8, "block") != NULL;

		for (size_t k = 0; k < n && k < npages; k++) {
			rewrite_page(block ? k : (size_t)((double)k * npages / n));
			done++;
		}
		snprintf(reply, sizeof(reply), "%zu\n", done);
	} else if (!strncmp(line, "gap", 3)) {
		snprintf(reply, sizeof(reply), "%.1f\n", *max_gap);
		*max_gap = 0;
	} else if (!strncmp(line, "verify", 6)) {
		size_t bad = npages;

		for (size_t p = 0; p < npages && bad == npages; p++)
			if (!page_ok(p))
				bad = p;
		if (bad == npages)
			snprintf(reply, sizeof(reply), "PASS %zu pages\n", npages);
		else
			snprintf(reply, sizeof(reply), "FAIL page %zu\n", bad);
	} else {
		snprintf(reply, sizeof(reply), "ERROR unknown command '%.60s'\n", line);
	}
	put_file("reply", reply);
}

int main(int argc, char *argv[])
{
	struct timespec tick = { 0, 2 * 1000 * 1000 };
	double last, max_gap = 0, rate_pages = 0, owed = 0;
	size_t mib, next = 0;
	char pid[32];

	if (argc < 3) {
		fprintf(stderr, "usage: ckpt_bench_wl DIR MIB [KIB_PER_S]\n");
		return 2;
	}
	dir = argv[1];
	mib = strtoul(argv[2], NULL, 10);
	if (argc > 3)
		rate_pages = strtod(argv[3], NULL) * 1024 / PAGE;
	npages = mib * (1024 * 1024 / PAGE);
	mem = mmap(NULL, npages * PAGE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	gen = calloc(npages ? npages : 1, sizeof(*gen));
	if (mem == MAP_FAILED || !gen || !npages) {
		fprintf(stderr, "ckpt_bench_wl: cannot allocate %zu MiB; give the guest more memory\n", mib);
		return 1;
	}
	for (size_t p = 0; p < npages; p++)
		fill_page(p);
	signal(SIGUSR1, on_usr1);
	snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
	put_file("ready", pid);
	last = now_ms();
	for (;;) {
		double t;

		nanosleep(&tick, NULL);
		t = now_ms();
		if (t - last > max_gap)
			max_gap = t - last;
		if (rate_pages > 0) {
			owed += rate_pages * (t - last) / 1e3;
			if (owed > rate_pages)	/* after a freeze: no catch-up burst */
				owed = rate_pages;
			for (; owed >= 1; owed -= 1, next = (next + 97) % npages)
				rewrite_page(next);
		}
		if (cmd_pending) {
			cmd_pending = 0;
			run_cmd(&max_gap);
			t = now_ms();	/* the command's own time is no gap */
		}
		last = t;
	}
}
