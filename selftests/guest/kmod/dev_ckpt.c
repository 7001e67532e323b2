// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/ckpt: the node, its permissions and the validation of its ioctls;
 * an unprivileged opener gets CKPT_IOC_TAG_REGION and nothing else.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <linux/ckpt.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
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

/* What an unprivileged process got from each ioctl: 0 or -errno. */
struct unpriv_use {
	int open, get_abi, dump, dump_no_job, dump_data_fd, tag_region;
	uint32_t abi_version;
};

/*
 * uid 65534 may open /dev/ckpt (mode 0666) for CKPT_IOC_TAG_REGION, which
 * acts on its own memory only; every other ioctl is refused, whether the
 * job exists or not.
 */
static int unprivileged_use(struct unpriv_use *u)
{
	struct ckpt_dump_args args = { .job_id = 1 };
	struct ckpt_dump_args none = { .job_id = 999 };
	struct ckpt_dump_args data = { .job_id = 1, .flags = CKPT_DUMP_DATA_FD };
	struct ckpt_abi_info info = { 0 };
	long page = sysconf(_SC_PAGESIZE);
	int status, fd;
	pid_t pid = fork();

	if (pid == 0) {
		struct ckpt_tag_region_args tag = { .len = page,
						    .tag = CKPT_REGION_EXCLUDE };
		void *mem = mmap(NULL, page, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (mem == MAP_FAILED || ckpt_test_drop_privileges())
			_exit(10);
		tag.addr = (uintptr_t)mem;
		fd = open("/dev/ckpt", O_RDWR);
		u->open = fd < 0 ? -errno : 0;
		if (fd < 0)
			_exit(0);
		u->get_abi = ioctl(fd, CKPT_IOC_GET_ABI, &info) ? -errno : 0;
		u->abi_version = info.abi_version;
		u->dump = ioctl(fd, CKPT_IOC_DUMP, &args) < 0 ? -errno : 0;
		u->dump_no_job = ioctl(fd, CKPT_IOC_DUMP, &none) < 0 ? -errno : 0;
		/* a page data file of its own changes nothing */
		data.data_fd = memfd_create("ckpt-data", MFD_CLOEXEC);
		u->dump_data_fd = data.data_fd < 0 ? -errno :
				  ioctl(fd, CKPT_IOC_DUMP, &data) < 0 ? -errno : 0;
		u->tag_region = ioctl(fd, CKPT_IOC_TAG_REGION, &tag) ? -errno : 0;
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WEXITSTATUS(status);
}

TEST_F(dev, unprivileged_open_serves_only_tag_region)
{
	struct unpriv_use *u = mmap(NULL, sizeof(*u), PROT_READ | PROT_WRITE,
				    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	struct gnl_reply r;
	struct gnl g;
	pid_t idle = fork();

	ASSERT_NE(MAP_FAILED, u);
	ASSERT_LE(0, idle);
	if (idle == 0) {
		for (;;)
			pause();
	}
	/* root's job 1 exists and is frozen: there is something to take */
	ASSERT_EQ(0, gnl_open(&g));
	ASSERT_EQ(0, gnl_job_create(&g, 1, CKPT_JOB_TREE, idle, NULL, &r));
	ASSERT_EQ(0, gnl_job_freeze(&g, 1, 5000, &r));

	EXPECT_EQ(0, unprivileged_use(u));
	EXPECT_EQ(0, u->open);
	EXPECT_EQ(-EPERM, u->get_abi);
	EXPECT_EQ(0, u->abi_version);	/* nothing written back */
	EXPECT_EQ(-EPERM, u->dump);
	EXPECT_EQ(-EPERM, u->dump_no_job);
	EXPECT_EQ(-EPERM, u->dump_data_fd);
	EXPECT_EQ(0, u->tag_region);

	gnl_close(&g);
	kill(idle, SIGKILL);
	waitpid(idle, NULL, 0);
}

TEST_HARNESS_MAIN
