// SPDX-License-Identifier: GPL-2.0
/*
 * ckpt_migrate_prog MIB DIR [KIB_PER_S]: the workload of the migration
 * tests, the demo and the bench.  Fills MIB MiB (every 8 bytes of page i
 * hold i and the page's generation), then keeps rewriting pages, about
 * KIB_PER_S KiB a second (default 1024), each rewrite bumping the page's
 * generation, kept in a table of its own.  Once a second it prints its
 * progress counter and the host it runs on ("tick N on HOST").  It creates DIR/ready once filled.
 *
 * On SIGUSR1 it checks every page against the table and writes
 * "PASS ..." or "FAIL ..." to DIR/result (replacing it): whatever host it
 * runs on, it knows whether its memory came through intact.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define PAGE	4096UL
#define WORDS	(PAGE / sizeof(uint64_t))

static volatile sig_atomic_t check_now;

static void on_usr1(int sig)
{
	(void)sig;
	check_now = 1;
}

static uint64_t word(size_t page, uint32_t gen, size_t w)
{
	return ((uint64_t)page << 32 | gen) ^ (w * 0x9e3779b97f4a7c15ULL);
}

static void fill(uint64_t *p, size_t page, uint32_t gen)
{
	for (size_t w = 0; w < WORDS; w++)
		p[w] = word(page, gen, w);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void put_file(const char *dir, const char *name, const char *text)
{
	char path[4200], tmp[4300];
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

/* Every page against the generation table. */
static void verify(const uint8_t *mem, const uint32_t *gen, size_t pages,
		   unsigned long tick, const char *dir)
{
	char msg[256];
	size_t bad = 0, first = 0;

	for (size_t i = 0; i < pages; i++) {
		const uint64_t *p = (const uint64_t *)(mem + i * PAGE);

		for (size_t w = 0; w < WORDS; w++)
			if (p[w] != word(i, gen[i], w)) {
				if (!bad++)
					first = i;
				break;
			}
	}
	if (bad)
		snprintf(msg, sizeof(msg), "FAIL %zu of %zu pages differ from what was written (first: page %zu); tick %lu\n",
			 bad, pages, first, tick);
	else
		snprintf(msg, sizeof(msg), "PASS %zu pages (%zu MiB) as written; tick %lu\n",
			 pages, pages * PAGE >> 20, tick);
	put_file(dir, "result", msg);
}

int main(int argc, char *argv[])
{
	size_t mib, pages, per_tick, next = 0;
	unsigned long tick = 0, kib_s;
	const char *dir;
	uint32_t *gen;
	uint8_t *mem;
	double t_tick, d;
	char host[65] = "";

	if (argc < 3) {
		fprintf(stderr, "usage: ckpt_migrate_prog MIB DIR [KIB_PER_S]\n");
		return 2;
	}
	mib = strtoul(argv[1], NULL, 10);
	dir = argv[2];
	kib_s = argc > 3 ? strtoul(argv[3], NULL, 10) : 1024;
	pages = (mib << 20) / PAGE;
	mem = mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	gen = calloc(pages ? pages : 1, sizeof(*gen));
	if (!pages || mem == MAP_FAILED || !gen) {
		fprintf(stderr, "ckpt_migrate_prog: cannot allocate %zu MiB\n", mib);
		return 1;
	}
	signal(SIGUSR1, on_usr1);
	for (size_t i = 0; i < pages; i++)
		fill((uint64_t *)(mem + i * PAGE), i, 0);
	/* rewrites come in slices of 10 ms */
	per_tick = (kib_s / 4 + 99) / 100;
	printf("ckpt_migrate_prog: %zu MiB filled, rewriting %lu KiB/s\n", mib, kib_s);
	fflush(stdout);
	put_file(dir, "ready", "ready\n");
	t_tick = now();
	for (;;) {
		for (size_t k = 0; k < per_tick && kib_s; k++) {
			/* a stride coprime with most sizes spreads the writes */
			next = (next + 7919) % pages;
			fill((uint64_t *)(mem + next * PAGE), next, ++gen[next]);
		}
		if (check_now) {
			check_now = 0;
			verify(mem, gen, pages, tick, dir);
		}
		usleep(10000);
		d = now() - t_tick;
		/* frozen a while, or another host's clock: no burst, no stall */
		if (d >= 1.0 || d < 0) {
			t_tick = d >= 1.0 && d < 2.0 ? t_tick + 1.0 : now();
			tick++;
			gethostname(host, sizeof(host) - 1);
			printf("tick %lu on %s\n", tick, host);
			fflush(stdout);
		}
	}
}
