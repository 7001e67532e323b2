// SPDX-License-Identifier: GPL-2.0
/* /dev/ckpt: the node, its permissions and the validation of its ioctls. */
#include <errno.h>
#include <fcntl.h>
#include <linux/ckpt.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "genl_raw.h"
#include "kselftest_harness.h"

FIXTURE(dev) {
	int fd;
};

FIXTURE_SETUP(dev)
{
	ASSERT_EQ(0, ckpt_test_load_module());
	self->fd = open("/dev/ckpt", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(dev)
{
	close(self->fd);
}

TEST_F(dev, node_is_world_accessible_char_device)
{
	struct stat st;

	ASSERT_EQ(0, stat("/dev/ckpt", &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(0666, st.st_mode & 07777);
	EXPECT_EQ(0, st.st_uid);
	EXPECT_EQ(10, major(st.st_rdev));	/* a misc device */
}

TEST_F(dev, get_abi)
{
	struct ckpt_abi_info info = { 0 };

	ASSERT_EQ(0, ioctl(self->fd, CKPT_IOC_GET_ABI, &info));
	EXPECT_EQ(CKPT_ABI_VERSION, info.abi_version);
	EXPECT_EQ(0, info.flags);
	EXPECT_EQ(0, info.reserved[0]);
	EXPECT_EQ(0, info.reserved[1]);
}

TEST_F(dev, get_abi_rejects_unknown_flags)
{
	struct ckpt_abi_info info = { .flags = 1 };

	EXPECT_EQ(-1, ioctl(self->fd, CKPT_IOC_GET_ABI, &info));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0, info.abi_version);	/* nothing written back */
}

TEST_F(dev, get_abi_rejects_nonzero_reserved)
{
	struct ckpt_abi_info info = { .reserved = { 0, 5 } };

	EXPECT_EQ(-1, ioctl(self->fd, CKPT_IOC_GET_ABI, &info));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(dev, get_abi_bad_pointer)
{
	EXPECT_EQ(-1, ioctl(self->fd, CKPT_IOC_GET_ABI, (void *)16));
	EXPECT_EQ(EFAULT, errno);
}

TEST_F(dev, unknown_ioctls)
{
	struct ckpt_abi_info info = { 0 };

	EXPECT_EQ(-1, ioctl(self->fd, _IOWR(CKPT_IOC_MAGIC, 0x7f,
					    struct ckpt_abi_info), &info));
	EXPECT_EQ(ENOTTY, errno);
	/* right number, wrong size */
	EXPECT_EQ(-1, ioctl(self->fd, _IOWR(CKPT_IOC_MAGIC, 0x01, uint32_t), &info));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, ioctl(self->fd, 0, &info));
	EXPECT_EQ(ENOTTY, errno);
}

TEST_F(dev, read_write_not_supported)
{
	char buf[8];

	EXPECT_EQ(-1, read(self->fd, buf, sizeof(buf)));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, write(self->fd, buf, sizeof(buf)));
	EXPECT_EQ(EINVAL, errno);
}

/*
 * An unprivileged process may open /dev/ckpt and ask for the ABI, but
 * finds no job that is not its own: returns 0 if so, else a step number.
 */
static int unprivileged_use(void)
{
	struct ckpt_dump_args args = { .job_id = 1 };
	struct ckpt_abi_info info = { 0 };
	int status, fd;
	pid_t pid = fork();

	if (pid == 0) {
		if (ckpt_test_drop_privileges())
			_exit(10);
		fd = open("/dev/ckpt", O_RDWR);
		if (fd < 0)
			_exit(11);
		if (ioctl(fd, CKPT_IOC_GET_ABI, &info) ||
		    info.abi_version != CKPT_ABI_VERSION)
			_exit(12);
		if (ioctl(fd, CKPT_IOC_DUMP, &args) != -1 || errno != ENOENT)
			_exit(13);
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WEXITSTATUS(status);
}

TEST_F(dev, unprivileged_open_sees_no_foreign_job)
{
	EXPECT_EQ(0, unprivileged_use());
}

TEST_HARNESS_MAIN
