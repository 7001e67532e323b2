// SPDX-License-Identifier: GPL-2.0
/*
 * Malformed and unauthorized requests to the ckpt family are refused with
 * the documented errno and an extack message, and never hurt the module:
 * after each case (and after a long random fuzz) it still answers.
 */
#include <errno.h>
#include <linux/ckpt.h>
#include <linux/genetlink.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "genl_raw.h"
#include "kselftest_harness.h"

FIXTURE(bad) {
	struct gnl g;
	struct gnl_msg m;
	struct gnl_reply r;
};

FIXTURE_SETUP(bad)
{
	ASSERT_EQ(0, ckpt_test_load_module());
	ASSERT_EQ(0, gnl_open(&self->g));
}

FIXTURE_TEARDOWN(bad)
{
	struct gnl_reply r;

	/* Whatever the case did, the family must still answer. */
	EXPECT_EQ(0, gnl_get_features(&self->g, &r));
	gnl_close(&self->g);
}

TEST_F(bad, unknown_command)
{
	gnl_msg_init(&self->m, &self->g, CKPT_CMD_MAX + 1, 0);
	EXPECT_EQ(-EOPNOTSUPP, gnl_request(&self->g, &self->m, &self->r));
	gnl_msg_init(&self->m, &self->g, 255, 0);
	EXPECT_EQ(-EOPNOTSUPP, gnl_request(&self->g, &self->m, &self->r));
	gnl_msg_init(&self->m, &self->g, CKPT_CMD_UNSPEC, 0);
	EXPECT_EQ(-EOPNOTSUPP, gnl_request(&self->g, &self->m, &self->r));
}

TEST_F(bad, dump_of_do_only_command)
{
	gnl_msg_init(&self->m, &self->g, CKPT_CMD_GET_FEATURES, NLM_F_DUMP);
	gnl_put_u32(&self->m, CKPT_A_FEATURES_ABI_VERSION, CKPT_ABI_VERSION);
	EXPECT_EQ(-EOPNOTSUPP, gnl_request(&self->g, &self->m, &self->r));
}

TEST_F(bad, missing_required_attribute)
{
	gnl_msg_init(&self->m, &self->g, CKPT_CMD_GET_FEATURES, 0);
	EXPECT_REJECTED(-EINVAL, "missing CKPT_A_FEATURES_ABI_VERSION");
}

TEST_F(bad, wrongly_typed_attribute_u16_for_u32)
{
	uint16_t v = CKPT_ABI_VERSION;

	gnl_msg_init(&self->m, &self->g, CKPT_CMD_GET_FEATURES, 0);
	gnl_put(&self->m, CKPT_A_FEATURES_ABI_VERSION, &v, sizeof(v));
	EXPECT_REJECTED(-EINVAL, "invalid attribute length");
}

TEST_F(bad, wrongly_typed_attribute_unterminated_string)
{
	gnl_msg_init(&self->m, &self->g, CKPT_CMD_GET_FEATURES, 0);
	gnl_put_u32(&self->m, CKPT_A_FEATURES_ABI_VERSION, CKPT_ABI_VERSION);
	gnl_put(&self->m, CKPT_A_FEATURES_CLIENT, "abcd", 4);
	EXPECT_EQ(-EINVAL, gnl_request(&self->g, &self->m, &self->r));
	EXPECT_NE('\0', self->r.extack[0]);
}

TEST_F(bad, oversized_u32_attribute)
{
	uint32_t v[16] = { CKPT_ABI_VERSION };

	gnl_msg_init(&self->m, &self->g, CKPT_CMD_GET_FEATURES, 0);
	gnl_put(&self->m, CKPT_A_FEATURES_ABI_VERSION, v, sizeof(v));
	EXPECT_REJECTED(-EINVAL, "invalid attribute length");
}

TEST_F(bad, oversized_string_attribute)
{
	char name[CKPT_CLIENT_NAME_MAX + 2];

	memset(name, 'x', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	gnl_msg_init(&self->m, &self->g, CKPT_CMD_GET_FEATURES, 0);
	gnl_put_u32(&self->m, CKPT_A_FEATURES_ABI_VERSION, CKPT_ABI_VERSION);
	gnl_put_str(&self->m, CKPT_A_FEATURES_CLIENT, name);
	EXPECT_EQ(-EINVAL, gnl_request(&self->g, &self->m, &self->r));
	EXPECT_NE('\0', self->r.extack[0]);
}

TEST_F(bad, out_of_range_abi_version)
{
	gnl_msg_init(&self->m, &self->g, CKPT_CMD_GET_FEATURES, 0);
	gnl_put_u32(&self->m, CKPT_A_FEATURES_ABI_VERSION, 0);
	EXPECT_REJECTED(-ERANGE, "out of range");
}

TEST_F(bad, unknown_attribute)
{
	gnl_msg_init(&self->m, &self->g, CKPT_CMD_GET_FEATURES, 0);
	gnl_put_u32(&self->m, CKPT_A_FEATURES_ABI_VERSION, CKPT_ABI_VERSION);
	gnl_put_u32(&self->m, CKPT_A_FEATURES_MAX + 1, 7);
	EXPECT_REJECTED(-EINVAL, "Unknown attribute type");
}

TEST_F(bad, reply_only_attribute_in_request)
{
	uint64_t bits = ~0ULL;

	gnl_msg_init(&self->m, &self->g, CKPT_CMD_GET_FEATURES, 0);
	gnl_put_u32(&self->m, CKPT_A_FEATURES_ABI_VERSION, CKPT_ABI_VERSION);
	gnl_put(&self->m, CKPT_A_FEATURES_BITS, &bits, sizeof(bits));
	EXPECT_EQ(-EINVAL, gnl_request(&self->g, &self->m, &self->r));
	EXPECT_NE('\0', self->r.extack[0]);
}

TEST_F(bad, newer_client_abi)
{
	gnl_msg_init(&self->m, &self->g, CKPT_CMD_GET_FEATURES, 0);
	gnl_put_u32(&self->m, CKPT_A_FEATURES_ABI_VERSION, CKPT_ABI_VERSION + 1);
	EXPECT_REJECTED(-EPROTONOSUPPORT, "newer than");
}

TEST_F(bad, reserved_header_field)
{
	struct genlmsghdr *gh;

	gnl_msg_init(&self->m, &self->g, CKPT_CMD_GET_FEATURES, 0);
	gnl_put_u32(&self->m, CKPT_A_FEATURES_ABI_VERSION, CKPT_ABI_VERSION);
	gh = NLMSG_DATA((struct nlmsghdr *)self->m.buf);
	gh->reserved = 1;
	EXPECT_EQ(-EINVAL, gnl_request(&self->g, &self->m, &self->r));
}

TEST_F(bad, truncated_genl_header)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)self->m.buf;

	gnl_msg_init(&self->m, &self->g, CKPT_CMD_GET_FEATURES, NLM_F_ACK);
	nlh->nlmsg_len = NLMSG_HDRLEN + 2;
	nlh->nlmsg_seq = 4242;
	EXPECT_EQ(-EINVAL, gnl_request_raw(&self->g, self->m.buf,
					   nlh->nlmsg_len, &self->r));
}

TEST_F(bad, attribute_longer_than_message)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)self->m.buf;
	struct nlattr *a;

	gnl_msg_init(&self->m, &self->g, CKPT_CMD_GET_FEATURES, NLM_F_ACK);
	gnl_put_u32(&self->m, CKPT_A_FEATURES_ABI_VERSION, CKPT_ABI_VERSION);
	a = (struct nlattr *)(self->m.buf + NLMSG_HDRLEN + GENL_HDRLEN);
	a->nla_len = 200;
	nlh->nlmsg_len = self->m.len;
	nlh->nlmsg_seq = 4243;
	EXPECT_EQ(-EINVAL, gnl_request_raw(&self->g, self->m.buf, self->m.len,
					   &self->r));
}

/* The child drops to nobody and reports the errno and extack it got:
 * GET_FEATURES, like every command, is for privileged callers only. */
TEST_F(bad, unprivileged_caller)
{
	int fds[2], status;
	struct gnl_reply r;
	pid_t pid;

	ASSERT_EQ(0, pipe(fds));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct gnl g;
		int err;

		close(fds[0]);
		if (ckpt_test_drop_privileges())
			_exit(2);
		err = gnl_open(&g);
		if (!err)
			err = gnl_get_features(&g, &r);
		r.err = err;
		if (write(fds[1], &r, sizeof(r)) != sizeof(r))
			_exit(3);
		_exit(0);
	}
	close(fds[1]);
	ASSERT_EQ(sizeof(r), read(fds[0], &r, sizeof(r)));
	close(fds[0]);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ(-EPERM, r.err);
	EXPECT_NE(NULL, strstr(r.extack, "CAP_CHECKPOINT_RESTORE")) {
		TH_LOG("extack was \"%s\"", r.extack);
	}
	/* and it says where ordinary users go */
	EXPECT_NE(NULL, strstr(r.extack, "ckptd")) {
		TH_LOG("extack was \"%s\"", r.extack);
	}
}

/* xorshift64*: reproducible from the seed printed in the log. */
static uint64_t rnd_state;

static uint64_t rnd(void)
{
	rnd_state ^= rnd_state >> 12;
	rnd_state ^= rnd_state << 25;
	rnd_state ^= rnd_state >> 27;
	return rnd_state * 0x2545F4914F6CDD1DULL;
}

/* One random, mostly malformed, message to the ckpt family in @m. */
static void fuzz_message(struct gnl_msg *m, const struct gnl *g, uint32_t seq)
{
	static const uint8_t cmds[] = { CKPT_CMD_UNSPEC, CKPT_CMD_GET_FEATURES,
					CKPT_CMD_GET_FEATURES, CKPT_CMD_MAX + 1, 255 };
	struct nlmsghdr *nlh = (struct nlmsghdr *)m->buf;
	struct genlmsghdr *gh = NLMSG_DATA(nlh);
	int nattr = rnd() % 7;

	gnl_msg_init(m, g, cmds[rnd() % sizeof(cmds)],
		     (rnd() & 1 ? NLM_F_ACK : 0) | (rnd() % 8 ? 0 : NLM_F_DUMP));
	if (rnd() % 8 == 0)
		gh->version = rnd();
	if (rnd() % 8 == 0)
		gh->reserved = rnd();
	for (int i = 0; i < nattr; i++) {
		unsigned char data[300];
		size_t len = rnd() % 3 ? rnd() % 12 : rnd() % sizeof(data);
		uint16_t type = rnd() % 4 ? rnd() % (CKPT_A_FEATURES_MAX + 3)
					  : (uint16_t)rnd();

		for (size_t k = 0; k < len; k++)
			data[k] = rnd();
		if (rnd() % 4 == 0 && len)
			data[len - 1] = '\0';
		gnl_put(m, type, data, len);
		if (rnd() % 16 == 0) {	/* lie about the attribute length */
			struct nlattr *a = (struct nlattr *)
				(m->buf + m->len - NLA_ALIGN(NLA_HDRLEN + len));
			a->nla_len = rnd() % 512;
		}
	}
	nlh->nlmsg_len = m->len;
	if (rnd() % 16 == 0)		/* truncate the message */
		nlh->nlmsg_len = rnd() % (m->len + 1);
	nlh->nlmsg_seq = seq;
}

static int fuzz(struct gnl *g, int count)
{
	struct gnl_msg *m = malloc(sizeof(*m));
	int sent = 0;

	for (int i = 0; i < count; i++) {
		fuzz_message(m, g, 100000 + i);
		/* Send the full buffer: nlmsg_len may claim less or more. */
		if (gnl_send_raw(g, m->buf, m->len) == 0)
			sent++;
		if (i % 32 == 0)
			gnl_drain(g);
	}
	gnl_drain(g);
	free(m);
	return sent;
}

TEST_F_TIMEOUT(bad, random_malformed_messages, 600)
{
	const char *env = getenv("CKPT_FUZZ_SEED");
	uint64_t seed = env ? strtoull(env, NULL, 0) : (uint64_t)time(NULL);
	struct gnl_reply r;
	int sent, status;
	pid_t pid;

	rnd_state = seed | 1;
	TH_LOG("fuzz seed %llu (rerun with CKPT_FUZZ_SEED=%llu)",
	       (unsigned long long)seed, (unsigned long long)seed);
	sent = fuzz(&self->g, 10000);
	EXPECT_LE(9000, sent);
	EXPECT_EQ(0, gnl_get_features(&self->g, &r));

	/* And the same from an unprivileged caller. */
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct gnl g;

		if (ckpt_test_drop_privileges() || gnl_open(&g))
			_exit(2);
		_exit(fuzz(&g, 2000) >= 1800 ? 0 : 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

TEST_HARNESS_MAIN
