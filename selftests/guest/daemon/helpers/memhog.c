// SPDX-License-Identifier: GPL-2.0
/*
 * ckpt_memhog MIB [mixed]: a workload for the daemon tests.  Fills MIB MiB
 * with a pattern, then rewrites one page every second, forever (so
 * incremental checkpoints have something, but not everything, to carry).
 *
 * "mixed" fills the memory like a real program's instead, for measuring
 * compression: of every four pages one stays zero, one holds text (log
 * lines), one a table of doubles and one random bytes (data compressed or
 * encrypted already).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PAGE	4096

static void fill_mixed(unsigned char *p, size_t len)
{
	uint64_t x = 88172645463325252ULL;

	for (size_t off = 0; off + PAGE <= len; off += PAGE) {
		unsigned char *pg = p + off;
		size_t n = off / PAGE;

		switch (n % 4) {
		case 0:
			memset(pg, 0, PAGE);
			break;
		case 1: {
			size_t used = 0;

			while (used < PAGE) {
				char line[96];
				int k = snprintf(line, sizeof(line),
						 "%08zu worker-%zu: request %zu done in %zu us, status %s\n",
						 n, n % 13, n * 31 + used, (n * 7919 + used) % 100000,
						 (n + used) % 17 ? "OK" : "RETRY");

				if (used + k > PAGE)
					k = PAGE - used;
				memcpy(pg + used, line, k);
				used += k;
			}
			break;
		}
		case 2:
			for (size_t i = 0; i < PAGE / sizeof(double); i++) {
				double v = 1000.0 * sin((double)(n * 512 + i) / 1000.0);

				memcpy(pg + i * sizeof(v), &v, sizeof(v));
			}
			break;
		default:
			for (size_t i = 0; i < PAGE; i += 8) {
				x ^= x << 13;
				x ^= x >> 7;
				x ^= x << 17;
				memcpy(pg + i, &x, 8);
			}
		}
	}
}

int main(int argc, char *argv[])
{
	size_t mib = argc > 1 ? strtoul(argv[1], NULL, 10) : 1, len = mib << 20;
	unsigned char *p = malloc(len ? len : 1);
	unsigned long round = 0;

	if (!p) {
		fprintf(stderr, "ckpt_memhog: cannot allocate %zu MiB\n", mib);
		return 1;
	}
	if (argc > 2 && !strcmp(argv[2], "mixed"))
		fill_mixed(p, len);
	else
		for (size_t i = 0; i < len; i++)
			p[i] = (unsigned char)(i * 7 + (i >> 12));
	printf("ckpt_memhog: %zu MiB ready\n", mib);
	fflush(stdout);
	for (;;) {
		if (len)
			p[(round * 4096) % len] ^= 0xff;
		round++;
		sleep(1);
	}
}
