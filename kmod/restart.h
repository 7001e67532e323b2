/* SPDX-License-Identifier: GPL-2.0 */
/* Restarting system calls a freeze interrupted (restart.c). */
#ifndef CKPT_RESTART_H
#define CKPT_RESTART_H

#include <linux/types.h>

struct pt_regs;

bool ckpt_restart_fixup(struct pt_regs *regs);
void ckpt_restart_undo(struct pt_regs *regs);
bool ckpt_restart_was_eintr(long nr, long ret);

#endif /* CKPT_RESTART_H */
