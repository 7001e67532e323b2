/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Before a job spanning hosts is killed (jobs/control.c): its established
 * TCP connections go into repair mode, so they close without a FIN or
 * RST (kill.c).  Nothing for a local job.
 */
#ifndef CKPTD_CLUSTER_KILL_H
#define CKPTD_CLUSTER_KILL_H

#include <stdint.h>

struct ckptd;

void ckptd_cluster_quiet_kill(struct ckptd *d, uint32_t job);

#endif /* CKPTD_CLUSTER_KILL_H */
