// SPDX-License-Identifier: GPL-2.0
/*
 * Incremental dumps: after a committed full dump of a process with a large
 * touched region (1 GiB when the guest has the memory, else 256 MiB), 2 %
 * of its pages are rewritten; the incremental dump carries those pages
 * (at most 3 % of the full dump's page bytes) with their new contents and
 * marks every other page PAGES_SAME.  A dump read but never committed
 * changes nothing: the next incremental dump still carries its pages.
 * Commit and flag misuse fail with the documented errors.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/ckpt.h>

#include "genl_raw.h"
#include "kselftest_harness.h"
#include "page_scan.h"

#define PG 4096UL
#define JOB 7303

static unsigned char expected(uint64_t page, unsigned int gen)
{
	return (unsigned char)(page * 7 + gen * 31 + 1);
}

FIXTURE(incr) {
	struct gnl g;
	struct gnl_reply r;
	pid_t child;
	int cmd, ack;		/* pipes to and from the child */
	uintptr_t region;
	size_t npages;
	unsigned char *gen;	/* what generation each page holds */
	int dev;
};

/* Carried pages must hold the generation self->gen says. */
static int right_gen(size_t pg, const uint8_t *data, void *arg)
{
	const unsigned char *gen = arg;

	return data[0] == expected(pg, gen[pg]) &&
	       data[PG - 1] == expected(pg, gen[pg]);
}

/*
 * Reads a dump session to its end record by record (page_scan.h).  With
 * @check, data pages of the region are checked against self->gen; @first
 * and @kind, if given, get each page's first byte and fate.
 */
static int read_dump(struct _test_data_incr *self, int fd, int check,
		     unsigned char *first, unsigned char *kind,
		     struct ps_stats *st)
{
	struct ps_region r = {
		.start = self->region, .npages = self->npages,
		.first = first, .kind = kind,
		.check = check ? right_gen : NULL, .arg = self->gen,
	};

	return ps_read_dump(fd, &r, 1, st);
}

/* The child: fills the region, then rewrites the pages it is told. */
static void child_main(int cmd, int ack, size_t npages)
{
	unsigned char *r = mmap(NULL, npages * PG, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint64_t msg[2];

	for (size_t i = 0; i < npages; i++)
		memset(r + i * PG, expected(i, 0), PG);
	msg[0] = (uintptr_t)r;
	if (write(ack, msg, 8) != 8)
		_exit(1);
	/* each message: first page, stride, count and generation packed */
	while (read(cmd, msg, sizeof(msg)) == sizeof(msg)) {
		size_t first = msg[0] & 0xffffffff, stride = msg[0] >> 32;
		size_t count = msg[1] & 0xffffffff;
		unsigned int g = msg[1] >> 32;

		for (size_t i = 0, p = first; i < count; i++, p += stride)
			memset(r + p * PG, expected(p, g), PG);
		if (write(ack, msg, 8) != 8)
			_exit(1);
	}
	_exit(0);
}

static size_t region_pages(void)
{
	long pages = sysconf(_SC_PHYS_PAGES);

	/* 1 GiB needs about 2 GiB of guest memory (the dump reads it back) */
	return pages * (uint64_t)PG >= (1800UL << 20) ? (1UL << 30) / PG :
							 (256UL << 20) / PG;
}

FIXTURE_SETUP(incr)
{
	int c[2], a[2];
	uint64_t addr;

	ASSERT_EQ(0, ckpt_test_load_module());
	ASSERT_EQ(0, gnl_open(&self->g));
	self->npages = region_pages();
	TH_LOG("region of %zu MiB", self->npages * PG >> 20);
	self->gen = calloc(self->npages, 1);
	ASSERT_EQ(0, pipe(c));
	ASSERT_EQ(0, pipe(a));
	self->child = fork();
	ASSERT_LE(0, self->child);
	if (self->child == 0) {
		close(c[1]);
		close(a[0]);
		child_main(c[0], a[1], self->npages);
	}
	close(c[0]);
	close(a[1]);
	self->cmd = c[1];
	self->ack = a[0];
	ASSERT_EQ(8, read(self->ack, &addr, 8));
	self->region = addr;
	ASSERT_EQ(0, gnl_job_create(&self->g, JOB, CKPT_JOB_TREE, self->child,
				    NULL, &self->r));
	self->dev = open("/dev/ckpt", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->dev);
}

FIXTURE_TEARDOWN(incr)
{
	gnl_job_simple(&self->g, CKPT_CMD_JOB_DESTROY, JOB, &self->r);
	close(self->cmd);
	kill(self->child, SIGKILL);
	waitpid(self->child, NULL, 0);
	close(self->dev);
	free(self->gen);
	gnl_close(&self->g);
}

/* Rewrites @count pages from @first every @stride with generation @g. */
static void rewrite(struct _test_data_incr *self, size_t first, size_t stride,
		    size_t count, unsigned int g)
{
	uint64_t msg[2] = { first | (uint64_t)stride << 32,
			    count | (uint64_t)g << 32 }, ack;

	if (write(self->cmd, msg, sizeof(msg)) != sizeof(msg) ||
	    read(self->ack, &ack, 8) != 8)
		abort();
	for (size_t i = 0, p = first; i < count; i++, p += stride)
		self->gen[p] = g;
}

/* Start a rewrite without waiting for it; finish_rewrite() waits. */
static void start_rewrite(struct _test_data_incr *self, size_t first,
			  size_t stride, size_t count, unsigned int g)
{
	uint64_t msg[2] = { first | (uint64_t)stride << 32,
			    count | (uint64_t)g << 32 };

	if (write(self->cmd, msg, sizeof(msg)) != sizeof(msg))
		abort();
	for (size_t i = 0, p = first; i < count; i++, p += stride)
		self->gen[p] = g;
}

static void finish_rewrite(struct _test_data_incr *self)
{
	uint64_t ack;

	if (read(self->ack, &ack, 8) != 8)
		abort();
}

/* Freeze, dump with @flags, optionally commit, thaw. */
static int dump(struct _test_data_incr *self, unsigned int flags, int commit,
		struct ps_stats *st)
{
	struct ckpt_dump_args args = { .job_id = JOB, .flags = flags };
	int fd, err = 0;

	if (gnl_job_freeze(&self->g, JOB, 60000, &self->r))
		return -100;
	fd = ioctl(self->dev, CKPT_IOC_DUMP, &args);
	if (fd < 0) {
		err = -errno;
	} else {
		if (read_dump(self, fd, 1, NULL, NULL, st))
			err = -101;
		else if (commit && ioctl(fd, CKPT_IOC_DUMP_COMMIT))
			err = -errno;
		close(fd);
	}
	gnl_job_simple(&self->g, CKPT_CMD_JOB_THAW, JOB, &self->r);
	return err;
}

TEST_F_TIMEOUT(incr, two_percent_rewritten, 600)
{
	struct ps_stats full, inc;
	size_t changed = self->npages / 50;

	ASSERT_EQ(0, dump(self, 0, 1, &full));
	EXPECT_EQ(self->npages, full.region_pages);
	EXPECT_EQ(0, full.region_bad);
	EXPECT_EQ(0, full.same);
	EXPECT_EQ(0, full.parent);
	EXPECT_EQ(CKPT_DIRTY_NONE, full.tracking);

	rewrite(self, 3, 50, changed, 1);
	ASSERT_EQ(0, dump(self, CKPT_DUMP_INCREMENTAL, 1, &inc));
	EXPECT_EQ(full.seq, inc.parent);
	/* nobody announced a soft-dirty clear: hashes only */
	EXPECT_EQ(CKPT_DIRTY_HASH, inc.tracking);
	EXPECT_EQ(0, inc.end_unread);
	EXPECT_EQ(changed, inc.region_pages);
	EXPECT_EQ(0, inc.region_bad);
	EXPECT_EQ(self->npages - changed, inc.region_same);
	EXPECT_LE(inc.page_bytes * 100, full.page_bytes * 3) {
		TH_LOG("incremental %llu bytes, full %llu",
		       (unsigned long long)inc.page_bytes,
		       (unsigned long long)full.page_bytes);
	}
	TH_LOG("full dump %llu page bytes, incremental %llu (%.2f %%)",
	       (unsigned long long)full.page_bytes,
	       (unsigned long long)inc.page_bytes,
	       100.0 * inc.page_bytes / full.page_bytes);
}

TEST_F_TIMEOUT(incr, uncommitted_dump_loses_nothing, 600)
{
	struct ps_stats st;

	ASSERT_EQ(0, dump(self, 0, 1, &st));
	rewrite(self, 0, 100, 20, 1);			/* set A */
	ASSERT_EQ(0, dump(self, CKPT_DUMP_INCREMENTAL, 0, &st));
	EXPECT_EQ(20, st.region_pages);			/* read, not committed */
	rewrite(self, 50, 100, 20, 2);			/* set B */
	ASSERT_EQ(0, dump(self, CKPT_DUMP_INCREMENTAL, 1, &st));
	EXPECT_EQ(40, st.region_pages);			/* A and B */
	EXPECT_EQ(0, st.region_bad);
	ASSERT_EQ(0, dump(self, CKPT_DUMP_INCREMENTAL, 1, &st));
	EXPECT_EQ(0, st.region_pages);			/* nothing new */
	EXPECT_EQ(self->npages, st.region_same);
}

/*
 * Pre-copy: a pre-dump of the running job, while it rewrites a quarter of
 * its pages, then the frozen incremental dump.  Every page of the frozen
 * job is then either carried by the incremental dump with its final
 * contents, or marked SAME and carried with those contents by the
 * pre-dump.
 */
TEST_F_TIMEOUT(incr, predump_then_frozen_incremental, 600)
{
	struct ckpt_dump_args args = { .job_id = JOB, .flags = CKPT_DUMP_PREDUMP };
	unsigned char *pre = calloc(self->npages, 1);
	unsigned char *kind = calloc(self->npages, 1);
	struct ps_stats st, inc;
	size_t i, bad = 0;
	int fd;

	start_rewrite(self, 1, 4, self->npages / 4, 1);	/* during the copy */
	fd = ioctl(self->dev, CKPT_IOC_DUMP, &args);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, read_dump(self, fd, 0, pre, NULL, &st));
	EXPECT_EQ(0, st.threads);			/* no registers */
	EXPECT_EQ(self->npages, st.region_pages);
	EXPECT_EQ(0, ioctl(fd, CKPT_IOC_DUMP_COMMIT));
	close(fd);
	finish_rewrite(self);
	EXPECT_EQ(CKPT_JOB_RUNNING, gnl_job_simple(&self->g, CKPT_CMD_JOB_GET,
						   JOB, &self->r) ? 0 :
		  gnl_u32(&self->r, CKPT_A_JOB_STATE, 0));
	rewrite(self, 2, 8, self->npages / 8, 2);	/* after the copy */

	ASSERT_EQ(0, gnl_job_freeze(&self->g, JOB, 60000, &self->r));
	args.flags = CKPT_DUMP_INCREMENTAL;
	fd = ioctl(self->dev, CKPT_IOC_DUMP, &args);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, read_dump(self, fd, 1, NULL, kind, &inc));
	EXPECT_EQ(0, ioctl(fd, CKPT_IOC_DUMP_COMMIT));
	close(fd);
	gnl_job_simple(&self->g, CKPT_CMD_JOB_THAW, JOB, &self->r);
	EXPECT_EQ(0, inc.region_bad);
	EXPECT_EQ(self->npages, inc.region_pages + inc.region_same);
	EXPECT_LE(self->npages / 8, inc.region_pages);
	for (i = 0; i < self->npages; i++)
		if (kind[i] == PS_SAME && pre[i] != expected(i, self->gen[i]))
			bad++;
	EXPECT_EQ(0, bad) {
		TH_LOG("%zu SAME pages differ from their pre-dump copy", bad);
	}
	TH_LOG("pre-dump of the running job, then %llu of %zu pages in the frozen incremental dump",
	       (unsigned long long)inc.region_pages, self->npages);
	free(pre);
	free(kind);
}

TEST_F_TIMEOUT(incr, commit_and_flag_misuse, 300)
{
	struct ckpt_dump_args args = { .job_id = JOB };
	struct ps_stats st;
	char buf[4096];
	int fd, fd2;

	/* incremental without a committed parent */
	ASSERT_EQ(0, gnl_job_freeze(&self->g, JOB, 60000, &self->r));
	args.flags = CKPT_DUMP_INCREMENTAL;
	EXPECT_EQ(-1, ioctl(self->dev, CKPT_IOC_DUMP, &args));
	EXPECT_EQ(ENODATA, errno);
	args.flags = 1U << 7;
	EXPECT_EQ(-1, ioctl(self->dev, CKPT_IOC_DUMP, &args));
	EXPECT_EQ(EINVAL, errno);

	/* commit before the end of the stream */
	args.flags = 0;
	fd = ioctl(self->dev, CKPT_IOC_DUMP, &args);
	ASSERT_LE(0, fd);
	EXPECT_LT(0, read(fd, buf, sizeof(buf)));
	EXPECT_EQ(-1, ioctl(fd, CKPT_IOC_DUMP_COMMIT));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(fd, _IO(CKPT_IOC_MAGIC, 0x7f)));
	EXPECT_EQ(ENOTTY, errno);

	/* two dumps of one freeze: commit the newer, then the older */
	fd2 = ioctl(self->dev, CKPT_IOC_DUMP, &args);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, read_dump(self, fd2, 1, NULL, NULL, &st));
	EXPECT_EQ(0, ioctl(fd2, CKPT_IOC_DUMP_COMMIT));
	EXPECT_EQ(-1, ioctl(fd2, CKPT_IOC_DUMP_COMMIT));	/* twice */
	EXPECT_EQ(EINVAL, errno);
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	EXPECT_EQ(-1, ioctl(fd, CKPT_IOC_DUMP_COMMIT));
	EXPECT_EQ(ESTALE, errno);
	close(fd);
	close(fd2);
	gnl_job_simple(&self->g, CKPT_CMD_JOB_THAW, JOB, &self->r);
}

TEST_HARNESS_MAIN
