/* SPDX-License-Identifier: GPL-2.0 */
/* A progress line (bytes, rate, ETA) on a terminal, for long operations. */
#ifndef CKPTCTL_PROGRESS_H
#define CKPTCTL_PROGRESS_H

#include <stdint.h>

struct ckptctl_progress {
	int on;			/* stderr is a terminal and it was asked for */
	int shown;
	double t0;		/* when the current phase started */
	uint64_t last_total;
};

void ckptctl_progress_init(struct ckptctl_progress *p, int wanted);
/* @total 0: capturing (size unknown yet); else writing @done of @total. */
void ckptctl_progress_update(struct ckptctl_progress *p, uint64_t done,
			     uint64_t total);
void ckptctl_progress_end(struct ckptctl_progress *p);

/* "12.3 MiB" */
void ckptctl_fmt_bytes(char *buf, unsigned int size, uint64_t bytes);

#endif /* CKPTCTL_PROGRESS_H */
