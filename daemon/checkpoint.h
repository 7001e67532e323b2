/* SPDX-License-Identifier: GPL-2.0 */
/* The ops worker's context: its own netlink socket and /dev/ckpt. */
#ifndef CKPTD_CHECKPOINT_H
#define CKPTD_CHECKPOINT_H

void *ckptd_ops_init(int *err);
void ckptd_ops_fini(void *ctx);

#endif /* CKPTD_CHECKPOINT_H */
