/* SPDX-License-Identifier: GPL-2.0 */
/* The ops worker's context: its own netlink socket and /dev/ckpt. */
#ifndef CKPTD_CHECKPOINT_H
#define CKPTD_CHECKPOINT_H

#include <stddef.h>
#include <stdint.h>

#include "capture/capture.h"
#include "kmod_nl.h"

void *ckptd_ops_init(int *err);
void ckptd_ops_fini(void *ctx);

/* The ops worker's netlink socket and /dev/ckpt fd, from its @ctx. */
struct ckpt_nl *ckptd_ops_nl(void *ctx);
int ckptd_ops_dev(void *ctx);

/*
 * The userspace capture (open files, cwd, ...) of the members of frozen
 * job @kj: records for the image writer's extra_records in *@data
 * (malloc()ed, the caller frees), or -errno with the reason in @why.
 */
int ckptd_capture_job(const struct ckpt_kjob *kj, enum ckptd_capture_action unsupported,
		      uint8_t **data, size_t *len, char *why, size_t size);

#endif /* CKPTD_CHECKPOINT_H */
