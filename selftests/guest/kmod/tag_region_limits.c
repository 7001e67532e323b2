// SPDX-License-Identifier: GPL-2.0
/*
 * CKPT_IOC_TAG_REGION is open to every process (it acts on the caller's
 * own memory), so what it makes ckpt.ko allocate is bounded and accounted:
 * CKPT_TAG_REGIONS_MAX regions per /dev/ckpt file (-ENOSPC past them), and
 * the kernel memory charged to the caller's memory cgroup.  An unprivileged
 * process with 64 files of CKPT_TAG_REGIONS_MAX distinct regions each sees
 * memory.current of its cgroup grow by at least 16 bytes a region.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/ckpt.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dump_helpers.h"
#include "genl_raw.h"
#include "kselftest_harness.h"
#include "privs.h"
#include "workload.h"

#define CG_TAGS		"/sys/fs/cgroup/ckpt-isolation-tags"
#define TAG_FILES	64

struct tag_charge {
	long long before, after;
	int opened, tagged, enospc;
	int err;
};

static long long cg_read(const char *file)
{
	char path[256];
	long long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), CG_TAGS "/%s", file);
	f = fopen(path, "r");
	if (f) {
		if (fscanf(f, "%lld", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

static void tag_many(struct tag_charge *t)
{
	long page = sysconf(_SC_PAGESIZE);
	char *mem = mmap(NULL, CKPT_TAG_REGIONS_MAX * page, PROT_NONE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	int fds[TAG_FILES];

	if (mem == MAP_FAILED) {
		t->err = -errno;
		return;
	}
	t->before = cg_read("memory.current");
	for (int f = 0; f < TAG_FILES; f++) {
		fds[f] = open("/dev/ckpt", O_RDWR | O_CLOEXEC);
		if (fds[f] < 0) {
			t->err = -errno;
			return;
		}
		t->opened++;
		for (int i = 0; i <= CKPT_TAG_REGIONS_MAX; i++) {
			struct ckpt_tag_region_args a = {
				.addr = (uintptr_t)mem +
					(i % CKPT_TAG_REGIONS_MAX) * page,
				.len = page,
				.tag = CKPT_REGION_EXCLUDE,
			};

			if (!ioctl(fds[f], CKPT_IOC_TAG_REGION, &a))
				t->tagged++;
			else if (errno == ENOSPC && i == CKPT_TAG_REGIONS_MAX)
				t->enospc++;
			else
				t->err = -errno;
		}
	}
	t->after = cg_read("memory.current");
}

TEST(tag_region_memory_is_charged_to_caller)
{
	struct tag_charge *t = wl_shared(sizeof(*t));
	char pid_text[32];
	int status;
	pid_t pid;

	ASSERT_NE(NULL, t);
	ASSERT_EQ(0, ckpt_test_load_module());
	ASSERT_EQ(0, wl_write_file("/sys/fs/cgroup/cgroup.subtree_control",
			      "+memory"));
	rmdir(CG_TAGS);
	ASSERT_EQ(0, mkdir(CG_TAGS, 0755));
	pid = dh_fork(NULL, 0);
	ASSERT_LE(0, pid);
	if (pid == 0) {
		snprintf(pid_text, sizeof(pid_text), "%d", getpid());
		t->err = wl_write_file(CG_TAGS "/cgroup.procs", pid_text);
		if (!t->err)
			t->err = priv_become_user(65534);
		if (!t->err)
			tag_many(t);
		_exit(0);
	}
	status = dh_wait(pid, 120000);
	rmdir(CG_TAGS);
	ASSERT_EQ(0, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	ASSERT_EQ(0, t->err);
	EXPECT_EQ(TAG_FILES, t->opened);
	EXPECT_EQ(TAG_FILES * CKPT_TAG_REGIONS_MAX, t->tagged);
	EXPECT_EQ(TAG_FILES, t->enospc);
	ASSERT_LT(0, t->before);
	EXPECT_LE(t->before + TAG_FILES * CKPT_TAG_REGIONS_MAX * 16LL,
		  t->after) {
		TH_LOG("memory.current %lld -> %lld for %d regions",
		       t->before, t->after, t->tagged);
	}
}

TEST_HARNESS_MAIN
