// SPDX-License-Identifier: GPL-2.0
/* The progress line: "writing 120.0 MiB of 512.0 MiB, 45.1 MiB/s, ETA 9 s". */
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "progress.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

void ckptctl_fmt_bytes(char *buf, unsigned int size, uint64_t bytes)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	double v = bytes;
	int u = 0;

	while (v >= 1024 && u < 4) {
		v /= 1024;
		u++;
	}
	snprintf(buf, size, u ? "%.1f %s" : "%.0f %s", v, units[u]);
}

void ckptctl_progress_init(struct ckptctl_progress *p, int wanted)
{
	p->on = wanted && isatty(2);
	p->shown = 0;
	p->t0 = now();
	p->last_total = 0;
}

void ckptctl_progress_update(struct ckptctl_progress *p, uint64_t done,
			     uint64_t total)
{
	char d[32], t[32], r[32];
	double el, rate;

	if (!p->on)
		return;
	if (total != p->last_total) {	/* a new phase */
		p->last_total = total;
		p->t0 = now();
	}
	el = now() - p->t0;
	rate = el > 0 ? done / el : 0;
	ckptctl_fmt_bytes(d, sizeof(d), done);
	ckptctl_fmt_bytes(r, sizeof(r), (uint64_t)rate);
	if (total) {
		ckptctl_fmt_bytes(t, sizeof(t), total);
		fprintf(stderr, "\r\033[Kwriting %s of %s, %s/s, ETA %.0f s", d, t, r,
			rate > 0 ? (total - done) / rate : 0.0);
	} else {
		fprintf(stderr, "\r\033[Kwriting %s, %s/s", d, r);
	}
	p->shown = 1;
}

void ckptctl_progress_end(struct ckptctl_progress *p)
{
	if (p->on && p->shown)
		fprintf(stderr, "\r\033[K");
	p->shown = 0;
}
