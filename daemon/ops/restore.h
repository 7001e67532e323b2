/* SPDX-License-Identifier: GPL-2.0 */
/* restore on this host (restore.c). */
#ifndef CKPTD_OPS_RESTORE_H
#define CKPTD_OPS_RESTORE_H

struct ckptd;
struct ckptd_req;

void ckptd_cmd_restore(struct ckptd *d, struct ckptd_req *rq);

#endif /* CKPTD_OPS_RESTORE_H */
