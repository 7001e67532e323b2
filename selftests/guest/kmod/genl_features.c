// SPDX-License-Identifier: GPL-2.0
/*
 * GET_FEATURES returns the documented values, and every feature bit agrees
 * with what the running kernel actually does.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/ckpt.h>
#include <linux/io_uring.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "genl_raw.h"
#include "kselftest_harness.h"

static const void *payload(const struct nlattr *a)
{
	return (const char *)a + NLA_HDRLEN;
}

FIXTURE(features) {
	struct gnl g;
	struct gnl_reply r;
	uint64_t bits;
};

FIXTURE_SETUP(features)
{
	const struct nlattr *a;

	ASSERT_EQ(0, ckpt_test_load_module());
	ASSERT_EQ(0, gnl_open(&self->g));
	ASSERT_EQ(0, gnl_get_features(&self->g, &self->r)) {
		TH_LOG("GET_FEATURES failed: %s", self->r.extack);
	}
	a = gnl_attr(&self->r, CKPT_A_FEATURES_BITS);
	ASSERT_NE(NULL, a);
	ASSERT_EQ(NLA_HDRLEN + 8, a->nla_len);
	memcpy(&self->bits, payload(a), 8);
}

FIXTURE_TEARDOWN(features)
{
	gnl_close(&self->g);
}

TEST_F(features, family_registration)
{
	EXPECT_NE(0, self->g.family);
	EXPECT_EQ(CKPT_GENL_VERSION, self->g.version);
	EXPECT_EQ(1, self->g.mcgrp_events);
}

TEST_F(features, abi_version)
{
	const struct nlattr *a = gnl_attr(&self->r, CKPT_A_FEATURES_ABI_VERSION);

	ASSERT_NE(NULL, a);
	ASSERT_EQ(NLA_HDRLEN + 4, a->nla_len);
	EXPECT_EQ(CKPT_ABI_VERSION, *(const uint32_t *)payload(a));
}

TEST_F(features, kernel_release_is_uname)
{
	const struct nlattr *a = gnl_attr(&self->r, CKPT_A_FEATURES_KERNEL_RELEASE);
	struct utsname u;

	ASSERT_NE(NULL, a);
	ASSERT_EQ(0, uname(&u));
	EXPECT_STREQ(u.release, (const char *)payload(a));
}

TEST_F(features, module_version_is_sysfs_version)
{
	const struct nlattr *a = gnl_attr(&self->r, CKPT_A_FEATURES_MODULE_VERSION);
	char version[64] = "";
	FILE *f = fopen("/sys/module/ckpt/version", "r");

	ASSERT_NE(NULL, a);
	ASSERT_NE(NULL, f);
	ASSERT_NE(NULL, fgets(version, sizeof(version), f));
	fclose(f);
	version[strcspn(version, "\n")] = '\0';
	EXPECT_STREQ(version, (const char *)payload(a));
}

TEST_F(features, page_size)
{
	const struct nlattr *a = gnl_attr(&self->r, CKPT_A_FEATURES_PAGE_SIZE);

	ASSERT_NE(NULL, a);
	EXPECT_EQ((uint32_t)sysconf(_SC_PAGESIZE), *(const uint32_t *)payload(a));
}

TEST_F(features, only_documented_bits)
{
	const uint64_t known = CKPT_FEATURE_SOFT_DIRTY |
		CKPT_FEATURE_CHECKPOINT_RESTORE | CKPT_FEATURE_IO_URING |
		CKPT_FEATURE_USERFAULTFD | CKPT_FEATURE_XSAVE;

	EXPECT_EQ(0, self->bits & ~known);
}

/* Bit 55 of a pagemap entry is the soft-dirty bit. */
static int page_soft_dirty(volatile char *p)
{
	uint64_t e;
	int fd = open("/proc/self/pagemap", O_RDONLY);
	off_t off = ((uintptr_t)p / sysconf(_SC_PAGESIZE)) * sizeof(e);
	ssize_t n = pread(fd, &e, sizeof(e), off);

	close(fd);
	return n == sizeof(e) ? (int)((e >> 55) & 1) : -1;
}

TEST_F(features, soft_dirty_matches_kernel)
{
	volatile char *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int fd, works;

	ASSERT_NE(MAP_FAILED, p);
	p[0] = 1;
	fd = open("/proc/self/clear_refs", O_WRONLY);
	ASSERT_LE(0, fd);
	ASSERT_EQ(1, write(fd, "4", 1));
	close(fd);
	ASSERT_EQ(0, page_soft_dirty(p));	/* cleared (or unsupported) */
	p[0] = 2;
	works = page_soft_dirty(p) == 1;	/* dirtied again: tracked? */
	EXPECT_EQ(works, !!(self->bits & CKPT_FEATURE_SOFT_DIRTY));
	munmap((void *)p, 4096);
}

TEST_F(features, checkpoint_restore_matches_kernel)
{
	unsigned int size = 0;
	int works = prctl(PR_SET_MM, PR_SET_MM_MAP_SIZE, &size, 0, 0) == 0;

	EXPECT_EQ(works, !!(self->bits & CKPT_FEATURE_CHECKPOINT_RESTORE));
}

TEST_F(features, io_uring_matches_kernel)
{
	struct io_uring_params p = { 0 };
	long fd = syscall(__NR_io_uring_setup, 1, &p);
	int works = fd >= 0 || errno != ENOSYS;

	if (fd >= 0)
		close(fd);
	EXPECT_EQ(works, !!(self->bits & CKPT_FEATURE_IO_URING));
}

TEST_F(features, userfaultfd_matches_kernel)
{
	long fd = syscall(__NR_userfaultfd, O_CLOEXEC);
	int works = fd >= 0 || errno != ENOSYS;

	if (fd >= 0)
		close(fd);
	EXPECT_EQ(works, !!(self->bits & CKPT_FEATURE_USERFAULTFD));
}

TEST_F(features, xsave_matches_cpuinfo)
{
	char line[4096];
	int xsave = 0;
	FILE *f = fopen("/proc/cpuinfo", "r");

	ASSERT_NE(NULL, f);
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "flags", 5)) {
			xsave = strstr(line, " xsave ") || strstr(line, " xsave\n");
			break;
		}
	fclose(f);
	EXPECT_EQ(xsave, !!(self->bits & CKPT_FEATURE_XSAVE));
}

TEST_F(features, client_name_of_max_length_accepted)
{
	char name[CKPT_CLIENT_NAME_MAX + 1];
	struct gnl_msg m;

	memset(name, 'c', CKPT_CLIENT_NAME_MAX);
	name[CKPT_CLIENT_NAME_MAX] = '\0';
	gnl_msg_init(&m, &self->g, CKPT_CMD_GET_FEATURES, 0);
	gnl_put_u32(&m, CKPT_A_FEATURES_ABI_VERSION, CKPT_ABI_VERSION);
	gnl_put_str(&m, CKPT_A_FEATURES_CLIENT, name);
	EXPECT_EQ(0, gnl_request(&self->g, &m, &self->r));
}

TEST(ioctl_agrees_with_netlink)
{
	struct ckpt_abi_info info = { 0 };
	struct gnl_reply r;
	struct gnl g;
	uint64_t bits;
	int fd;

	ASSERT_EQ(0, ckpt_test_load_module());
	ASSERT_EQ(0, gnl_open(&g));
	ASSERT_EQ(0, gnl_get_features(&g, &r));
	memcpy(&bits, payload(gnl_attr(&r, CKPT_A_FEATURES_BITS)), 8);
	gnl_close(&g);
	fd = open("/dev/ckpt", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ioctl(fd, CKPT_IOC_GET_ABI, &info));
	close(fd);
	EXPECT_EQ(CKPT_ABI_VERSION, info.abi_version);
	EXPECT_EQ(bits, info.features);
}

TEST_HARNESS_MAIN
