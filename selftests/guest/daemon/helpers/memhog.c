// SPDX-License-Identifier: GPL-2.0
/*
 * ckpt_memhog MIB: a workload for the daemon tests.  Fills MIB MiB with a
 * pattern, then rewrites one page every second, forever (so incremental
 * checkpoints have something, but not everything, to carry).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char *argv[])
{
	size_t mib = argc > 1 ? strtoul(argv[1], NULL, 10) : 1, len = mib << 20;
	unsigned char *p = malloc(len ? len : 1);
	unsigned long round = 0;

	if (!p) {
		fprintf(stderr, "ckpt_memhog: cannot allocate %zu MiB\n", mib);
		return 1;
	}
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
