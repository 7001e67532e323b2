// SPDX-License-Identifier: GPL-2.0
/*
 * Extended acks: the kernel's own words for a rejected request.  libnl 3.7
 * does not expose them, so the TLVs after struct nlmsgerr are read here.
 * Everything is bounds-checked: the input comes from a socket.
 */
#include <linux/netlink.h>
#include <string.h>

#include "extack.h"

size_t ckpt_extack_msg(const struct nlmsghdr *nlh, size_t len,
		       char *buf, size_t size)
{
	const struct nlmsgerr *err;
	const unsigned char *p, *end;
	size_t off;

	if (size)
		buf[0] = '\0';
	if (!size || len < NLMSG_HDRLEN + sizeof(*err) ||
	    nlh->nlmsg_type != NLMSG_ERROR || nlh->nlmsg_len > len ||
	    !(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return 0;

	err = NLMSG_DATA(nlh);
	off = NLMSG_HDRLEN + sizeof(*err);
	/* Without NLM_F_CAPPED the whole request is echoed before the TLVs. */
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED)) {
		if (err->msg.nlmsg_len < NLMSG_HDRLEN)
			return 0;
		off += NLMSG_ALIGN(err->msg.nlmsg_len) - NLMSG_HDRLEN;
	}
	if (off > nlh->nlmsg_len)
		return 0;

	p = (const unsigned char *)nlh + off;
	end = (const unsigned char *)nlh + nlh->nlmsg_len;
	while (end - p >= NLA_HDRLEN) {
		const struct nlattr *a = (const struct nlattr *)p;
		size_t alen = a->nla_len;

		if (alen < NLA_HDRLEN || alen > (size_t)(end - p))
			return 0;
		if ((a->nla_type & NLA_TYPE_MASK) == NLMSGERR_ATTR_MSG) {
			const char *s = (const char *)a + NLA_HDRLEN;
			size_t n = strnlen(s, alen - NLA_HDRLEN);

			if (n >= size)
				n = size - 1;
			memcpy(buf, s, n);
			buf[n] = '\0';
			return n;
		}
		p += NLA_ALIGN(alen);
	}
	return 0;
}
