/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * ckpt - checkpoint/restart of process groups: the one ABI header.
 *
 * Included by the kernel module (by relative path) and by every userspace
 * part (as <linux/ckpt.h> through -isystem kmod/uapi).  Nothing in here is
 * ever duplicated elsewhere.  Documentation/netlink-abi.md explains it in
 * prose; this comment is the reference.
 *
 * Generic netlink family CKPT_GENL_NAME ("ckpt"), version CKPT_GENL_VERSION.
 * All requests are validated strictly: unknown attributes, wrong lengths and
 * out-of-range values are rejected with -EINVAL and an extack message.
 * Unknown commands fail with -EOPNOTSUPP.  Every command requires root or
 * CAP_CHECKPOINT_RESTORE (in the initial user namespace) unless stated
 * otherwise; others get -EPERM.
 *
 * CKPT_CMD_GET_FEATURES (do)
 *   request:
 *     [CKPT_A_FEATURES_ABI_VERSION]    u32, required: the ABI version the
 *                                      client was built for (>= 1).  A
 *                                      client newer than the module gets
 *                                      -EPROTONOSUPPORT: upgrade ckpt.ko.
 *     [CKPT_A_FEATURES_CLIENT]         string, optional, at most
 *                                      CKPT_CLIENT_NAME_MAX bytes: name of
 *                                      the client program, for the log.
 *   reply:
 *     [CKPT_A_FEATURES_ABI_VERSION]    u32: the module's CKPT_ABI_VERSION
 *     [CKPT_A_FEATURES_BITS]           u64: CKPT_FEATURE_* available here
 *     [CKPT_A_FEATURES_KERNEL_RELEASE] string: the running kernel's release
 *     [CKPT_A_FEATURES_MODULE_VERSION] string: ckpt.ko's version
 *     [CKPT_A_FEATURES_PAGE_SIZE]      u32: page size in bytes
 *
 * Multicast group CKPT_MCGRP_EVENTS_NAME ("events"): job events, for
 * listeners with CAP_NET_ADMIN.
 *
 * Character device /dev/ckpt (mode 0600), ioctls:
 *   CKPT_IOC_GET_ABI   struct ckpt_abi_info, in/out.  In: flags and pad
 *                      must be zero (-EINVAL otherwise).  Out: the module's
 *                      ABI version and feature bits.
 *   Unknown ioctls fail with -ENOTTY.
 */
#ifndef _UAPI_LINUX_CKPT_H
#define _UAPI_LINUX_CKPT_H

#include <linux/types.h>
#include <linux/ioctl.h>

#define CKPT_GENL_NAME		"ckpt"
#define CKPT_GENL_VERSION	1
#define CKPT_MCGRP_EVENTS_NAME	"events"

/* Bumped on every change of this file's meaning; additions only at the end. */
#define CKPT_ABI_VERSION	1

/* Longest CKPT_A_FEATURES_CLIENT string, without the terminating NUL. */
#define CKPT_CLIENT_NAME_MAX	31

enum ckpt_cmd {
	CKPT_CMD_UNSPEC,
	CKPT_CMD_GET_FEATURES,

	__CKPT_CMD_MAX,
	CKPT_CMD_MAX = __CKPT_CMD_MAX - 1
};

enum ckpt_a_features {
	CKPT_A_FEATURES_UNSPEC,
	CKPT_A_FEATURES_PAD,
	CKPT_A_FEATURES_ABI_VERSION,	/* u32 */
	CKPT_A_FEATURES_CLIENT,		/* string */
	CKPT_A_FEATURES_BITS,		/* u64, CKPT_FEATURE_* */
	CKPT_A_FEATURES_KERNEL_RELEASE,	/* string */
	CKPT_A_FEATURES_MODULE_VERSION,	/* string */
	CKPT_A_FEATURES_PAGE_SIZE,	/* u32 */

	__CKPT_A_FEATURES_MAX,
	CKPT_A_FEATURES_MAX = __CKPT_A_FEATURES_MAX - 1
};

/*
 * Feature bits: what this kernel offers that ckpt builds on.  A bit is set
 * only when the facility works on the running kernel.
 */
enum ckpt_feature {
	/* CONFIG_MEM_SOFT_DIRTY: soft-dirty tracking for incremental dumps */
	CKPT_FEATURE_SOFT_DIRTY		= 1ULL << 0,
	/* CONFIG_CHECKPOINT_RESTORE: prctl(PR_SET_MM), kcmp for the restorer */
	CKPT_FEATURE_CHECKPOINT_RESTORE	= 1ULL << 1,
	/* CONFIG_IO_URING: asynchronous image writes in ckptd */
	CKPT_FEATURE_IO_URING		= 1ULL << 2,
	/* CONFIG_USERFAULTFD: lazy restore of page contents */
	CKPT_FEATURE_USERFAULTFD	= 1ULL << 3,
	/* the CPU saves extended FPU/AVX state with XSAVE */
	CKPT_FEATURE_XSAVE		= 1ULL << 4,
};

struct ckpt_abi_info {
	__u32 abi_version;	/* out: CKPT_ABI_VERSION of the module */
	__u32 flags;		/* in: must be 0 */
	__u64 features;		/* out: CKPT_FEATURE_* */
	__u64 reserved[2];	/* in: must be 0; out: 0 */
};

#define CKPT_IOC_MAGIC		0xC7
#define CKPT_IOC_GET_ABI	_IOWR(CKPT_IOC_MAGIC, 0x01, struct ckpt_abi_info)

#endif /* _UAPI_LINUX_CKPT_H */
