/* SPDX-License-Identifier: GPL-2.0 */
#ifndef CKPT_EXTACK_H
#define CKPT_EXTACK_H

#include <stddef.h>

struct nlmsghdr;

/*
 * Copy the extended-ack message (NLMSGERR_ATTR_MSG) carried by the netlink
 * error message @nlh (of @len bytes as received) into @buf.  Returns the
 * message length, or 0 if there is none or the message is malformed; @buf
 * is always NUL-terminated.
 */
size_t ckpt_extack_msg(const struct nlmsghdr *nlh, size_t len,
		       char *buf, size_t size);

#endif /* CKPT_EXTACK_H */
