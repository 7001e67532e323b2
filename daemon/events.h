/* SPDX-License-Identifier: GPL-2.0 */
/* ckpt.ko's events (frozen, thawed, freeze failed, ...) in ckptd's log. */
#ifndef CKPTD_EVENTS_H
#define CKPTD_EVENTS_H

struct ckptd;

/* Joins the module's events group and logs each event from the loop. */
int ckptd_events_open(struct ckptd *d);
void ckptd_events_close(struct ckptd *d);

#endif /* CKPTD_EVENTS_H */
