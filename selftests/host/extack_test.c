// SPDX-License-Identifier: GPL-2.0
/*
 * common/extack.c: the kernel's extack message is found in capped and
 * uncapped error messages, and malformed input never reads out of bounds.
 */
#include <linux/netlink.h>
#include <string.h>

#include "extack.h"
#include "kselftest_harness.h"

struct errmsg {
	unsigned char buf[512];
	size_t len;
};

/* Builds an NLMSG_ERROR echoing a request of @req_payload bytes unless
 * @capped, followed by an NLMSGERR_ATTR_MSG attribute holding @msg. */
static void build(struct errmsg *m, int capped, size_t req_payload,
		  const char *msg)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)m->buf;
	struct nlmsgerr *e = NLMSG_DATA(nlh);
	size_t off = NLMSG_HDRLEN + sizeof(*e);
	struct nlattr *a;

	memset(m->buf, 0, sizeof(m->buf));
	nlh->nlmsg_type = NLMSG_ERROR;
	nlh->nlmsg_flags = NLM_F_ACK_TLVS | (capped ? NLM_F_CAPPED : 0);
	e->error = -22;
	e->msg.nlmsg_len = NLMSG_HDRLEN + req_payload;
	if (!capped)
		off += NLMSG_ALIGN(req_payload);
	a = (struct nlattr *)(m->buf + off);
	a->nla_type = NLMSGERR_ATTR_MSG;
	a->nla_len = NLA_HDRLEN + strlen(msg) + 1;
	strcpy((char *)a + NLA_HDRLEN, msg);
	m->len = off + NLA_ALIGN(a->nla_len);
	nlh->nlmsg_len = m->len;
}

TEST(capped)
{
	struct errmsg m;
	char out[64];

	build(&m, 1, 40, "bad thing");
	EXPECT_EQ(9, ckpt_extack_msg((void *)m.buf, m.len, out, sizeof(out)));
	EXPECT_STREQ("bad thing", out);
}

TEST(uncapped_skips_echoed_request)
{
	struct errmsg m;
	char out[64];

	build(&m, 0, 21, "after the echo");
	EXPECT_EQ(14, ckpt_extack_msg((void *)m.buf, m.len, out, sizeof(out)));
	EXPECT_STREQ("after the echo", out);
}

TEST(truncated_to_buffer)
{
	struct errmsg m;
	char out[5];

	build(&m, 1, 0, "long message");
	EXPECT_EQ(4, ckpt_extack_msg((void *)m.buf, m.len, out, sizeof(out)));
	EXPECT_STREQ("long", out);
}

TEST(no_tlvs_flag)
{
	struct errmsg m;
	char out[64] = "junk";

	build(&m, 1, 0, "x");
	((struct nlmsghdr *)m.buf)->nlmsg_flags = 0;
	EXPECT_EQ(0, ckpt_extack_msg((void *)m.buf, m.len, out, sizeof(out)));
	EXPECT_STREQ("", out);
}

TEST(malformed_lengths)
{
	struct errmsg m;
	char out[64];
	struct nlattr *a;

	/* attribute claims more than the message holds */
	build(&m, 1, 0, "x");
	a = (struct nlattr *)(m.buf + NLMSG_HDRLEN + sizeof(struct nlmsgerr));
	a->nla_len = 400;
	EXPECT_EQ(0, ckpt_extack_msg((void *)m.buf, m.len, out, sizeof(out)));
	/* attribute shorter than its header */
	a->nla_len = 2;
	EXPECT_EQ(0, ckpt_extack_msg((void *)m.buf, m.len, out, sizeof(out)));
	/* nlmsg_len larger than what was received */
	build(&m, 1, 0, "x");
	EXPECT_EQ(0, ckpt_extack_msg((void *)m.buf, m.len - 4, out, sizeof(out)));
	/* echoed request claims to be longer than the error message */
	build(&m, 0, 0, "x");
	((struct nlmsgerr *)NLMSG_DATA((struct nlmsghdr *)m.buf))->msg.nlmsg_len = 4000;
	EXPECT_EQ(0, ckpt_extack_msg((void *)m.buf, m.len, out, sizeof(out)));
	/* too short for an nlmsgerr */
	EXPECT_EQ(0, ckpt_extack_msg((void *)m.buf, 8, out, sizeof(out)));
}

TEST(unterminated_message_is_bounded)
{
	struct errmsg m;
	char out[64];
	struct nlattr *a;

	build(&m, 1, 0, "abcdefg");	/* 8 bytes with NUL, aligned to 8 */
	a = (struct nlattr *)(m.buf + NLMSG_HDRLEN + sizeof(struct nlmsgerr));
	((char *)a)[NLA_HDRLEN + 7] = 'h';	/* overwrite the NUL */
	EXPECT_EQ(8, ckpt_extack_msg((void *)m.buf, m.len, out, sizeof(out)));
	EXPECT_STREQ("abcdefgh", out);
}

TEST_HARNESS_MAIN
