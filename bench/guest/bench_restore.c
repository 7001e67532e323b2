// SPDX-License-Identifier: GPL-2.0
/*
 * bench_restore: restore time of a process with 256 MiB of written anonymous
 * memory (ckpt_rt_prog memory big): checkpoint through ckpt.ko into an
 * image on tmpfs, kill, then time `ckpt-restore IMAGE` from start to the
 * job running again.  The restored workload verifies its memory after each
 * run, so a fast wrong restore does not count.  Prints "# bench:" lines.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "restore_helpers.h"

#define REPS 3

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(void)
{
	double ckpt[REPS], rst[REPS];
	char msg[512];

	for (int i = 0; i < REPS; i++) {
		struct rh h;
		uint64_t seq;
		double t0;
		int ret;

		if (rh_init(&h, 7000 + (uint32_t)i) || rh_start(&h, "memory", "big")) {
			printf("not ok 1 bench_restore: setup\n");
			return 1;
		}
		t0 = now_ms();
		ret = rh_checkpoint(&h, 0, &seq);
		ckpt[i] = now_ms() - t0;
		if (!ret)
			ret = rh_kill(&h);
		t0 = now_ms();
		if (!ret)
			ret = rh_restore(&h, seq, NULL);
		rst[i] = now_ms() - t0;
		if (!ret)
			ret = rh_verdict(&h, msg, sizeof(msg));
		if (ret) {
			rh_print_err(&h);
			printf("not ok 1 bench_restore: run %d failed (%d) %s\n", i, ret, msg);
			return 1;
		}
		rh_fini(&h);
		if (system("rm -rf /tmp/rt-store-* /tmp/rt-700*"))
			return 1;
	}
	qsort(ckpt, REPS, sizeof(double), cmp);
	qsort(rst, REPS, sizeof(double), cmp);
	printf("# bench: checkpoint 256 MiB to a tmpfs image (freeze+dump+write): median %.1f ms, min %.1f, max %.1f (%.0f MB/s)\n",
	       ckpt[REPS / 2], ckpt[0], ckpt[REPS - 1], 268.4 / (ckpt[REPS / 2] / 1e3));
	printf("# bench: restore 256 MiB with ckpt-restore: median %.1f ms, min %.1f, max %.1f (%.0f MB/s)\n",
	       rst[REPS / 2], rst[0], rst[REPS - 1], 268.4 / (rst[REPS / 2] / 1e3));
	printf("ok 1 bench_restore: %d verified restores\n", REPS);
	return 0;
}
