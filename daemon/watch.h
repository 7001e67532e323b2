/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the event loop (loop.h) watches: a file descriptor and the
 * callback that runs when it is ready.  Kept apart from loop.h so that
 * struct ckptd (ckptd.h) can embed watches without including the loop.
 */
#ifndef CKPTD_WATCH_H
#define CKPTD_WATCH_H

#include <stdint.h>

struct ckptd;

struct ckptd_watch {
	int fd;
	void (*fn)(struct ckptd *d, struct ckptd_watch *w, uint32_t events);
};

#endif /* CKPTD_WATCH_H */
