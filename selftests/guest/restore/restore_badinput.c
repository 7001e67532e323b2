// SPDX-License-Identifier: GPL-2.0
/*
 * ckpt-restore refuses bad input with a clear error and its documented
 * exit code, and leaves no process of the job running: a truncated image,
 * a flipped byte in page data, a newer format version, a missing or a
 * modified mapped file, and a pid taken in the middle of the tree.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/ckpt.h>

#include "image_format.h"
#include "restore_helpers.h"
#include "xxh64.h"
#include "kselftest_harness.h"

FIXTURE(bad) {
	struct rh h;
	uint64_t seq;
	pid_t pid;
	char path[400];
};

FIXTURE_SETUP(bad)
{
	ASSERT_EQ(0, rh_init(&self->h, 3000 + (uint32_t)getpid()));
}

FIXTURE_TEARDOWN(bad)
{
	rh_fini(&self->h);
}

/* a memory workload checkpointed and killed */
static void checkpointed(struct __test_metadata *_metadata, FIXTURE_DATA(bad) *self,
			 const char *mode)
{
	ASSERT_EQ(0, rh_start(&self->h, mode, NULL));
	self->pid = self->h.pid;
	ASSERT_EQ(0, rh_checkpoint(&self->h, 0, &self->seq));
	ASSERT_EQ(0, rh_kill(&self->h));
	self->h.pid = 0;
}

/* ckpt-restore fails with @code, saying @what, and nothing of the job runs */
static void refused(struct __test_metadata *_metadata, FIXTURE_DATA(bad) *self,
		    int code, const char *what)
{
	int ret = rh_restore(&self->h, self->seq, NULL);

	EXPECT_EQ(code, ret);
	EXPECT_NE(NULL, strstr(self->h.err, what)) rh_print_err(&self->h);
	EXPECT_FALSE(rh_running(self->pid)) TH_LOG("pid %d runs after a failed restore",
						 self->pid);
}

static const char *file_of(FIXTURE_DATA(bad) *self, const char *name)
{
	snprintf(self->path, sizeof(self->path), "%s/%s",
		 rh_image(&self->h, self->seq), name);
	return self->path;
}

TEST_F_TIMEOUT(bad, truncated_image, 120)
{
	checkpointed(_metadata, self, "memory");
	ASSERT_EQ(0, truncate(file_of(self, "pages.img"), 8192));
	refused(_metadata, self, 2, "pages.img");
}

TEST_F_TIMEOUT(bad, flipped_page_byte, 120)
{
	int fd;
	char c;

	checkpointed(_metadata, self, "memory");
	fd = open(file_of(self, "pages.img"), O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_EQ(1, pread(fd, &c, 1, 5000));
	c ^= 0x40;
	ASSERT_EQ(1, pwrite(fd, &c, 1, 5000));
	close(fd);
	refused(_metadata, self, 2, "checksum");
}

TEST_F_TIMEOUT(bad, newer_format_version, 120)
{
	uint8_t buf[1 << 16];
	uint64_t sum;
	ssize_t n;
	int fd;

	checkpointed(_metadata, self, "memory");
	fd = open(file_of(self, "manifest"), O_RDWR);
	ASSERT_LE(0, fd);
	n = pread(fd, buf, sizeof(buf), 0);
	ASSERT_GT(n, (ssize_t)sizeof(struct ckpt_img_manifest));
	((struct ckpt_img_manifest *)buf)->version = CKPT_IMG_VERSION + 1;
	sum = ckptd_xxh64(buf, (size_t)n - 8, 0);
	memcpy(buf + n - 8, &sum, 8);
	ASSERT_EQ(n, pwrite(fd, buf, (size_t)n, 0));
	close(fd);
	refused(_metadata, self, 2, "upgrade");
}

TEST_F_TIMEOUT(bad, missing_mapped_file, 120)
{
	char path[300];

	checkpointed(_metadata, self, "memory");
	snprintf(path, sizeof(path), "%s/mapped", self->h.dir);
	ASSERT_EQ(0, unlink(path));
	refused(_metadata, self, 3, "mapped");
}

TEST_F_TIMEOUT(bad, modified_mapped_file, 120)
{
	char path[300];
	int fd;

	checkpointed(_metadata, self, "memory");
	snprintf(path, sizeof(path), "%s/mapped", self->h.dir);
	fd = open(path, O_WRONLY | O_APPEND);
	ASSERT_LE(0, fd);
	ASSERT_EQ(1, write(fd, "x", 1));
	close(fd);
	refused(_metadata, self, 3, "size changed");
}

/*
 * A grandchild's pid taken by another process: the restore fails after
 * the first processes of the tree exist, and kills them.
 */
TEST_F_TIMEOUT(bad, pid_taken_mid_tree, 120)
{
	struct gnl_reply *r = malloc(sizeof(*r));
	struct gnl_task t[8];
	pid_t last, squatter, tid;
	int n, alive = 0;

	ASSERT_NE(NULL, r);
	ASSERT_EQ(0, rh_start(&self->h, "tree", NULL));
	self->pid = self->h.pid;
	ASSERT_EQ(0, rh_checkpoint(&self->h, 0, &self->seq));
	ASSERT_EQ(0, gnl_job_simple(&self->h.g, CKPT_CMD_JOB_GET, self->h.job, r));
	n = gnl_job_tasks(r, t, 8);
	ASSERT_GE(n, 3);
	last = (pid_t)t[n - 1].pid;	/* created last */
	free(r);
	ASSERT_EQ(0, rh_kill(&self->h));
	self->h.pid = 0;
	/* a process that takes the last pid */
	tid = last;
	{
		struct clone_args ca = { .exit_signal = SIGCHLD,
			.set_tid = (uint64_t)&tid, .set_tid_size = 1 };

		squatter = (pid_t)syscall(SYS_clone3, &ca, sizeof(ca));
	}
	ASSERT_LE(0, squatter);
	if (squatter == 0) {
		pause();
		_exit(0);
	}
	ASSERT_EQ(last, squatter);
	refused(_metadata, self, 4, "in use");
	for (int i = 0; i < n - 1; i++) {
		int run = rh_running((pid_t)t[i].pid);

		if (run)
			TH_LOG("pid %u runs after a failed restore", t[i].pid);
		alive += run;
	}
	EXPECT_EQ(0, alive);
	kill(squatter, SIGKILL);
	waitpid(squatter, NULL, 0);
}

TEST_HARNESS_MAIN
