/* SPDX-License-Identifier: GPL-2.0 */
/* The epoll event loop: one callback per watched file descriptor. */
#ifndef CKPTD_LOOP_H
#define CKPTD_LOOP_H

#include <stdint.h>

#include "watch.h"

struct ckptd;

int ckptd_loop_add(struct ckptd *d, struct ckptd_watch *w, uint32_t events);
void ckptd_loop_del(struct ckptd *d, struct ckptd_watch *w);
/* Runs until d->stopping is set and no operation is in flight. */
int ckptd_loop_run(struct ckptd *d);

#endif /* CKPTD_LOOP_H */
