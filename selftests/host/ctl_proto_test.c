// SPDX-License-Identifier: GPL-2.0
/* common/ctl_proto.c: building and checking control messages. */
#include <errno.h>
#include <string.h>

#include "ctl_proto.h"
#include "kselftest_harness.h"

static uint8_t buf[CKPTD_CTL_MSG_MAX + 64];
static struct ckpt_err why;

static int check(size_t len, int trunc, const struct ckptd_ctl_hdr **h,
		 struct ckptd_ctl_attrs *tb)
{
	ckpt_err_clear(&why);
	return ckptd_ctl_check(buf, len, trunc, h, tb, &why);
}

TEST(round_trip)
{
	const struct ckptd_ctl_hdr *h;
	struct ckptd_ctl_attrs tb, nt;
	const struct ckptd_ctl_attr *a;
	struct ckptd_ctl_msg m;
	size_t nest, pos = 0;
	int len, n = 0;

	ckptd_ctl_start(&m, buf, CKPTD_CMD_RUN, 9);
	ckptd_ctl_put_u32(&m, CKPTD_CA_JOB_ID, 42);
	ckptd_ctl_put_u64(&m, CKPTD_CA_SEQ, 1ULL << 40);
	ckptd_ctl_put_str(&m, CKPTD_CA_CWD, "/tmp");
	nest = ckptd_ctl_nest_start(&m, CKPTD_CA_ARGV);
	ckptd_ctl_put_str(&m, CKPTD_CA_ARG, "sleep");
	ckptd_ctl_put_str(&m, CKPTD_CA_ARG, "1");
	ckptd_ctl_nest_end(&m, nest);
	len = ckptd_ctl_end(&m);
	ASSERT_GT(len, 0);
	ASSERT_EQ(0, check(len, 0, &h, &tb)) TH_LOG("%s", why.msg);
	EXPECT_EQ(CKPTD_CMD_RUN, h->type);
	EXPECT_EQ(9, h->seq);
	EXPECT_EQ(42, ckptd_ctl_u32(tb.a[CKPTD_CA_JOB_ID]));
	EXPECT_EQ(1ULL << 40, ckptd_ctl_u64(tb.a[CKPTD_CA_SEQ]));
	EXPECT_STREQ("/tmp", ckptd_ctl_str(tb.a[CKPTD_CA_CWD]));
	ASSERT_EQ(0, ckptd_ctl_parse_nest(tb.a[CKPTD_CA_ARGV], &nt, &why));
	while ((a = ckptd_ctl_next(ckptd_ctl_data(tb.a[CKPTD_CA_ARGV]),
				   ckptd_ctl_data_len(tb.a[CKPTD_CA_ARGV]), &pos)))
		EXPECT_STREQ(n++ ? "1" : "sleep", ckptd_ctl_str(a));
	EXPECT_EQ(2, n);
}

TEST(short_message)
{
	const struct ckptd_ctl_hdr *h;
	struct ckptd_ctl_attrs tb;

	memset(buf, 0, 16);
	EXPECT_EQ(-EPROTO, check(0, 0, &h, &tb));
	EXPECT_EQ(-EPROTO, check(15, 0, &h, &tb));
	EXPECT_NE(NULL, strstr(why.msg, "shorter than the 16-byte header"));
}

TEST(bad_magic_version_length)
{
	const struct ckptd_ctl_hdr *h;
	struct ckptd_ctl_attrs tb;
	struct ckptd_ctl_msg m;
	struct ckptd_ctl_hdr *w = (struct ckptd_ctl_hdr *)buf;
	int len;

	ckptd_ctl_start(&m, buf, CKPTD_CMD_LIST, 1);
	len = ckptd_ctl_end(&m);
	w->magic ^= 1;
	EXPECT_EQ(-EPROTO, check(len, 0, &h, &tb));
	EXPECT_NE(NULL, strstr(why.msg, "bad magic"));
	w->magic ^= 1;
	w->version = 2;
	EXPECT_EQ(-EPROTONOSUPPORT, check(len, 0, &h, &tb));
	w->version = CKPTD_CTL_VERSION;
	w->len = len + 4;
	EXPECT_EQ(-EPROTO, check(len, 0, &h, &tb));
	EXPECT_NE(NULL, strstr(why.msg, "header says"));
	w->len = len;
	EXPECT_EQ(0, check(len, 0, &h, &tb));
}

TEST(oversized_and_truncated)
{
	const struct ckptd_ctl_hdr *h;
	struct ckptd_ctl_attrs tb;
	struct ckptd_ctl_msg m;

	ckptd_ctl_start(&m, buf, CKPTD_CMD_LIST, 1);
	EXPECT_EQ(-EMSGSIZE, check(CKPTD_CTL_MSG_MAX + 1, 0, &h, &tb));
	EXPECT_EQ(-EMSGSIZE, check(ckptd_ctl_end(&m), 1, &h, &tb));
}

TEST(unknown_command)
{
	const struct ckptd_ctl_hdr *h;
	struct ckptd_ctl_attrs tb;
	struct ckptd_ctl_msg m;

	ckptd_ctl_start(&m, buf, __CKPTD_CMD_MAX, 1);
	EXPECT_EQ(-EOPNOTSUPP, check(ckptd_ctl_end(&m), 0, &h, &tb));
	ckptd_ctl_start(&m, buf, 0, 1);
	EXPECT_EQ(-EOPNOTSUPP, check(ckptd_ctl_end(&m), 0, &h, &tb));
}

TEST(bad_attributes)
{
	const struct ckptd_ctl_hdr *h;
	struct ckptd_ctl_attrs tb;
	struct ckptd_ctl_msg m;
	struct ckptd_ctl_attr *a;
	int len;

	/* wrong size for a u32 */
	ckptd_ctl_start(&m, buf, CKPTD_CMD_STATUS, 1);
	ckptd_ctl_put_u64(&m, CKPTD_CA_JOB_ID, 1);
	EXPECT_EQ(-EINVAL, check(ckptd_ctl_end(&m), 0, &h, &tb));
	EXPECT_NE(NULL, strstr(why.msg, "JOB_ID: 8 bytes, expected 4"));
	/* unknown type */
	ckptd_ctl_start(&m, buf, CKPTD_CMD_STATUS, 1);
	ckptd_ctl_put_u32(&m, CKPTD_CA_MAX + 1, 1);
	EXPECT_EQ(-EINVAL, check(ckptd_ctl_end(&m), 0, &h, &tb));
	/* unterminated string */
	ckptd_ctl_start(&m, buf, CKPTD_CMD_ATTACH, 1);
	ckptd_ctl_put(&m, CKPTD_CA_CGROUP, "abc", 3);
	EXPECT_EQ(-EINVAL, check(ckptd_ctl_end(&m), 0, &h, &tb));
	/* a NUL inside a string */
	ckptd_ctl_start(&m, buf, CKPTD_CMD_ATTACH, 1);
	ckptd_ctl_put(&m, CKPTD_CA_CGROUP, "a\0b", 4);
	EXPECT_EQ(-EINVAL, check(ckptd_ctl_end(&m), 0, &h, &tb));
	/* given twice */
	ckptd_ctl_start(&m, buf, CKPTD_CMD_STATUS, 1);
	ckptd_ctl_put_u32(&m, CKPTD_CA_JOB_ID, 1);
	ckptd_ctl_put_u32(&m, CKPTD_CA_JOB_ID, 2);
	EXPECT_EQ(-EINVAL, check(ckptd_ctl_end(&m), 0, &h, &tb));
	EXPECT_NE(NULL, strstr(why.msg, "given twice"));
	/* an attribute claiming more bytes than there are */
	ckptd_ctl_start(&m, buf, CKPTD_CMD_STATUS, 1);
	ckptd_ctl_put_u32(&m, CKPTD_CA_JOB_ID, 1);
	len = ckptd_ctl_end(&m);
	a = (struct ckptd_ctl_attr *)(buf + sizeof(struct ckptd_ctl_hdr));
	a->len = 200;
	EXPECT_EQ(-EINVAL, check(len, 0, &h, &tb));
	a->len = 2;
	EXPECT_EQ(-EINVAL, check(len, 0, &h, &tb));
	/* stray bytes after the last attribute */
	a->len = 8;
	((struct ckptd_ctl_hdr *)buf)->len = len + 2;
	EXPECT_EQ(-EINVAL, check(len + 2, 0, &h, &tb));
	EXPECT_NE(NULL, strstr(why.msg, "stray bytes"));
}

TEST(nest_checked_and_depth_limited)
{
	const struct ckptd_ctl_hdr *h;
	struct ckptd_ctl_attrs tb;
	struct ckptd_ctl_msg m;
	size_t n1, n2, n3;

	ckptd_ctl_start(&m, buf, CKPTD_CMD_RUN, 1);
	n1 = ckptd_ctl_nest_start(&m, CKPTD_CA_ARGV);
	ckptd_ctl_put(&m, CKPTD_CA_ARG, "x", 1);	/* unterminated, inside */
	ckptd_ctl_nest_end(&m, n1);
	EXPECT_EQ(-EINVAL, check(ckptd_ctl_end(&m), 0, &h, &tb));

	ckptd_ctl_start(&m, buf, CKPTD_CMD_RUN, 1);
	n1 = ckptd_ctl_nest_start(&m, CKPTD_CA_JOB);
	n2 = ckptd_ctl_nest_start(&m, CKPTD_CA_JOB);
	n3 = ckptd_ctl_nest_start(&m, CKPTD_CA_JOB);
	ckptd_ctl_nest_end(&m, n3);
	ckptd_ctl_nest_end(&m, n2);
	ckptd_ctl_nest_end(&m, n1);
	EXPECT_EQ(-EINVAL, check(ckptd_ctl_end(&m), 0, &h, &tb));
	EXPECT_NE(NULL, strstr(why.msg, "nested too deep"));
}

TEST(builder_overflow)
{
	struct ckptd_ctl_msg m;
	char s[CKPTD_CTL_STR_MAX];

	memset(s, 'a', sizeof(s) - 1);
	s[sizeof(s) - 1] = 0;
	ckptd_ctl_start(&m, buf, CKPTD_CMD_RUN, 1);
	for (int i = 0; i < 20; i++)
		ckptd_ctl_put_str(&m, CKPTD_CA_ARG, s);
	EXPECT_EQ(-EMSGSIZE, ckptd_ctl_end(&m));
	EXPECT_LE(m.len, CKPTD_CTL_MSG_MAX);
}

TEST_HARNESS_MAIN
