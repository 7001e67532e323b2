/* SPDX-License-Identifier: GPL-2.0 */
/* Definitions shared by every file of ckpt.ko. */
#ifndef CKPT_CKPT_H
#define CKPT_CKPT_H

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "uapi/linux/ckpt.h"

#ifndef CKPT_VERSION
#define CKPT_VERSION "unknown"
#endif

#endif /* CKPT_CKPT_H */
