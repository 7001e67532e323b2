/* SPDX-License-Identifier: GPL-2.0 */
#ifndef CKPT_RESTART_H
#define CKPT_RESTART_H

struct pt_regs;

void ckpt_restart_fixup(struct pt_regs *regs);

#endif /* CKPT_RESTART_H */
