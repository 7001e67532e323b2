/* SPDX-License-Identifier: GPL-2.0 */
/* Dump sessions (dump.c): what the device's CKPT_IOC_DUMP opens. */
#ifndef CKPT_DUMP_H
#define CKPT_DUMP_H

struct ckpt_dump_args;

/* A new dump session fd for @args (uapi CKPT_IOC_DUMP), or -errno. */
int ckpt_dump_open(const struct ckpt_dump_args *args);

#endif /* CKPT_DUMP_H */
