/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ops/checkpoint.c: the FREEZE and CHECKPOINT requests and re-freezing a
 * recovered job at start; the dump itself is ops/dump.c.
 */
#ifndef CKPTD_CHECKPOINT_H
#define CKPTD_CHECKPOINT_H

struct ckptd;
struct ckptd_job;
struct ckptd_req;

void ckptd_cmd_freeze(struct ckptd *d, struct ckptd_req *rq);
void ckptd_cmd_checkpoint(struct ckptd *d, struct ckptd_req *rq);
void ckptd_refreeze(struct ckptd *d, struct ckptd_job *job);

#endif /* CKPTD_CHECKPOINT_H */
