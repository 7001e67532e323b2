/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one place where differences between the supported kernels (Debian 12's
 * 6.1 and 6.12 LTS) are absorbed.  Test for the feature (a macro, a config
 * option), not for the version, and keep every workaround here.
 */
#ifndef CKPT_COMPAT_H
#define CKPT_COMPAT_H

#include <linux/netlink.h>

/*
 * Formatted extack messages (NL_SET_ERR_MSG_FMT) arrived in 6.2; 6.1 keeps
 * only a pointer to a static string.  There the caller's fixed fallback text
 * is used, which must make sense without the formatted details.
 */
#ifdef NL_SET_ERR_MSG_FMT
#define ckpt_extack_fmt(extack, fallback, fmt, args...) \
	NL_SET_ERR_MSG_FMT_MOD(extack, fmt, ##args)
#else
#define ckpt_extack_fmt(extack, fallback, fmt, args...) \
	NL_SET_ERR_MSG_MOD(extack, fallback)
#endif

#endif /* CKPT_COMPAT_H */
