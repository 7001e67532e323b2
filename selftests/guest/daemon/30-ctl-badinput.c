// SPDX-License-Identifier: GPL-2.0
/*
 * Malformed control messages to a running ckptd: each gets an error reply
 * naming the problem, the connection stays usable, and the daemon keeps
 * serving (a well-formed LIST afterwards succeeds).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ctl_proto.h"
#include "kselftest_harness.h"

#define SOCK "/run/ckptd-bad.sock"

static pid_t start_ckptd(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	pid_t pid;

	if (access("/sys/module/ckpt", F_OK) && system("insmod ${CKPT_KO:-/lib/ckpt/ckpt.ko}"))
		return -1;
	unlink(SOCK);
	pid = fork();
	if (pid == 0) {
		execlp("ckptd", "ckptd", "--foreground", "--socket", SOCK, "--state-dir",
		       "/tmp/ckptd-bad", "--image-store", "/tmp/ckptd-bad/images", NULL);
		_exit(127);
	}
	strcpy(sa.sun_path, SOCK);
	/* ready when the socket accepts; bounded by the test's own limit */
	for (;;) {
		int fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);

		if (!connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
			close(fd);
			return pid;
		}
		close(fd);
		if (waitpid(pid, NULL, WNOHANG) == pid)
			return -1;
		usleep(20000);
	}
}

static int conn(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);

	strcpy(sa.sun_path, SOCK);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Sends @len bytes, returns the reply's errno (1: no valid reply). */
static int exchange(int fd, const void *msg, size_t len, char *errmsg, size_t size)
{
	static uint8_t buf[CKPTD_CTL_MSG_MAX];
	const struct ckptd_ctl_hdr *h;
	struct ckptd_ctl_attrs tb;
	struct ckpt_err why;
	ssize_t n;

	if (send(fd, msg, len, 0) != (ssize_t)len)
		return 1;
	n = recv(fd, buf, sizeof(buf), 0);
	if (n <= 0 || ckptd_ctl_check(buf, n, 0, &h, &tb, &why) ||
	    h->type != CKPTD_CTL_REPLY || !tb.a[CKPTD_CA_ERRNO])
		return 1;
	snprintf(errmsg, size, "%s", tb.a[CKPTD_CA_ERRMSG] ? ckptd_ctl_str(tb.a[CKPTD_CA_ERRMSG]) : "");
	return ckptd_ctl_s32(tb.a[CKPTD_CA_ERRNO]);
}

static int list_ok(int fd)
{
	uint8_t buf[64];
	struct ckptd_ctl_msg m;
	char msg[256];

	ckptd_ctl_start(&m, buf, CKPTD_CMD_LIST, 7);
	return exchange(fd, buf, ckptd_ctl_end(&m), msg, sizeof(msg)) == 0;
}

FIXTURE(ckptd) {
	pid_t pid;
	int fd;
	char msg[1024];
};

FIXTURE_SETUP(ckptd)
{
	self->pid = start_ckptd();
	ASSERT_GT(self->pid, 0);
	self->fd = conn();
	ASSERT_GE(self->fd, 0);
}

FIXTURE_TEARDOWN(ckptd)
{
	int status;

	close(self->fd);
	/* still alive after everything: SIGTERM stops it with status 0 */
	EXPECT_EQ(0, kill(self->pid, SIGTERM));
	EXPECT_EQ(self->pid, waitpid(self->pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

TEST_F(ckptd, short_message)
{
	uint8_t b[5] = { 1, 2, 3, 4, 5 };

	EXPECT_EQ(-EPROTO, exchange(self->fd, b, sizeof(b), self->msg, sizeof(self->msg)));
	EXPECT_NE(NULL, strstr(self->msg, "shorter than"));
	EXPECT_TRUE(list_ok(self->fd));
}

TEST_F(ckptd, wrong_version)
{
	uint8_t buf[64];
	struct ckptd_ctl_msg m;

	ckptd_ctl_start(&m, buf, CKPTD_CMD_LIST, 1);
	((struct ckptd_ctl_hdr *)buf)->version = CKPTD_CTL_VERSION + 1;
	EXPECT_EQ(-EPROTONOSUPPORT, exchange(self->fd, buf, ckptd_ctl_end(&m), self->msg,
					     sizeof(self->msg)));
	EXPECT_NE(NULL, strstr(self->msg, "protocol version"));
	EXPECT_TRUE(list_ok(self->fd));
}

TEST_F(ckptd, oversized)
{
	static uint8_t buf[CKPTD_CTL_MSG_MAX + 4096];
	struct ckptd_ctl_msg m;

	ckptd_ctl_start(&m, buf, CKPTD_CMD_LIST, 1);
	((struct ckptd_ctl_hdr *)buf)->len = sizeof(buf);
	EXPECT_EQ(-EMSGSIZE, exchange(self->fd, buf, sizeof(buf), self->msg, sizeof(self->msg)));
	EXPECT_TRUE(list_ok(self->fd));
}

TEST_F(ckptd, unknown_command)
{
	uint8_t buf[64];
	struct ckptd_ctl_msg m;

	ckptd_ctl_start(&m, buf, 77, 1);
	EXPECT_EQ(-EOPNOTSUPP, exchange(self->fd, buf, ckptd_ctl_end(&m), self->msg,
					sizeof(self->msg)));
	EXPECT_NE(NULL, strstr(self->msg, "unknown command 77"));
	EXPECT_TRUE(list_ok(self->fd));
}

TEST_F(ckptd, length_mismatch_and_bad_attribute)
{
	uint8_t buf[64];
	struct ckptd_ctl_msg m;
	int len;

	ckptd_ctl_start(&m, buf, CKPTD_CMD_STATUS, 1);
	ckptd_ctl_put_u64(&m, CKPTD_CA_JOB_ID, 42);	/* a u32 attribute */
	len = ckptd_ctl_end(&m);
	EXPECT_EQ(-EINVAL, exchange(self->fd, buf, len, self->msg, sizeof(self->msg)));
	EXPECT_NE(NULL, strstr(self->msg, "JOB_ID"));
	((struct ckptd_ctl_hdr *)buf)->len = len + 8;
	EXPECT_EQ(-EPROTO, exchange(self->fd, buf, len, self->msg, sizeof(self->msg)));
	EXPECT_TRUE(list_ok(self->fd));
}

TEST_F(ckptd, missing_job_id_and_unknown_flags)
{
	uint8_t buf[64];
	struct ckptd_ctl_msg m;

	ckptd_ctl_start(&m, buf, CKPTD_CMD_FREEZE, 1);
	EXPECT_EQ(-EINVAL, exchange(self->fd, buf, ckptd_ctl_end(&m), self->msg,
				    sizeof(self->msg)));
	EXPECT_NE(NULL, strstr(self->msg, "missing job id"));
	ckptd_ctl_start(&m, buf, CKPTD_CMD_CHECKPOINT, 1);
	ckptd_ctl_put_u32(&m, CKPTD_CA_JOB_ID, 1);
	ckptd_ctl_put_u32(&m, CKPTD_CA_FLAGS, 1U << 30);
	EXPECT_EQ(-EINVAL, exchange(self->fd, buf, ckptd_ctl_end(&m), self->msg,
				    sizeof(self->msg)));
	EXPECT_NE(NULL, strstr(self->msg, "unknown flags"));
	EXPECT_TRUE(list_ok(self->fd));
}

TEST_F(ckptd, peer_hangs_up_midway)
{
	int fd = conn();
	uint8_t b[3] = { 0 };

	ASSERT_GE(fd, 0);
	EXPECT_EQ(3, send(fd, b, sizeof(b), 0));
	close(fd);		/* never reads its error reply */
	EXPECT_TRUE(list_ok(self->fd));
}

TEST_HARNESS_MAIN
