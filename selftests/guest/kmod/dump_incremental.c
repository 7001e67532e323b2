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

#define PG 4096UL
#define JOB 7303

/* Totals of one dump, and the pages of the region it carried. */
struct dump_stats {
	uint64_t page_bytes, pages, same;
	uint64_t region_pages, region_same, region_bad;
	uint32_t seq, parent;
	uint64_t threads;
	unsigned char *first;	/* optional: first byte of each data page */
	unsigned char *same_map;	/* optional: 1 for each PAGES_SAME page */
};

static unsigned char expected(uint64_t page, unsigned int gen)
{
	return (unsigned char)(page * 7 + gen * 31 + 1);
}

/*
 * Reads a dump session to its end record by record (it can be far larger
 * than memory allows to buffer).  @gen[i] is the generation page i of the
 * region must show; data pages are checked against it.
 */
static int read_dump(int fd, uintptr_t region, size_t npages,
		     const unsigned char *gen, struct dump_stats *st)
{
	size_t cap = 64 * PG + 4096;
	unsigned char *body = malloc(cap);
	struct ckpt_rec h;
	int ended = 0;

	unsigned char *first = st->first, *same_map = st->same_map;

	memset(st, 0, sizeof(*st));
	st->first = first;
	st->same_map = same_map;
	while (!ended) {
		size_t n = 0, want;

		if (read(fd, &h, sizeof(h)) != sizeof(h) || h.len < sizeof(h) ||
		    h.len - sizeof(h) > cap)
			return -1;
		want = h.len - sizeof(h);
		while (n < want) {
			ssize_t k = read(fd, body + n, want - n);

			if (k <= 0)
				return -1;
			n += k;
		}
		if (h.type == CKPT_REC_BEGIN) {
			const struct ckpt_rec_begin *b = (void *)body;

			st->seq = b->dump_seq;
			st->parent = b->parent_seq;
		} else if (h.type == CKPT_REC_PAGES) {
			const struct ckpt_rec_pages *p = (void *)body;

			st->pages += p->nr_pages;
			st->page_bytes += (uint64_t)p->nr_pages * PG;
			for (unsigned int i = 0; i < p->nr_pages; i++) {
				uintptr_t a = p->start + i * PG;
				size_t pg = (a - region) / PG;

				if (a < region || pg >= npages)
					continue;
				st->region_pages++;
				if (first)
					first[pg] = p->data[i * PG];
				if (!gen)
					continue;	/* the job runs: no expectation */
				if (p->data[i * PG] != expected(pg, gen[pg]) ||
				    p->data[i * PG + PG - 1] != expected(pg, gen[pg]))
					st->region_bad++;
			}
		} else if (h.type == CKPT_REC_PAGES_SAME) {
			const struct ckpt_rec_pages_same *p = (void *)body;

			st->same += p->nr_pages;
			for (unsigned int i = 0; i < p->nr_pages; i++) {
				uintptr_t a = p->start + i * PG;

				if (a >= region && (a - region) / PG < npages) {
					st->region_same++;
					if (same_map)
						same_map[(a - region) / PG] = 1;
				}
			}
		} else if (h.type == CKPT_REC_THREAD) {
			st->threads++;
		} else if (h.type == CKPT_REC_END) {
			ended = 1;
		}
	}
	free(body);
	return 0;
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
		struct dump_stats *st)
{
	struct ckpt_dump_args args = { .job_id = JOB, .flags = flags };
	int fd, err = 0;

	if (gnl_job_freeze(&self->g, JOB, 60000, &self->r))
		return -100;
	fd = ioctl(self->dev, CKPT_IOC_DUMP, &args);
	if (fd < 0) {
		err = -errno;
	} else {
		if (read_dump(fd, self->region, self->npages, self->gen, st))
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
	struct dump_stats full, inc;
	size_t changed = self->npages / 50;

	ASSERT_EQ(0, dump(self, 0, 1, &full));
	EXPECT_EQ(self->npages, full.region_pages);
	EXPECT_EQ(0, full.region_bad);
	EXPECT_EQ(0, full.same);
	EXPECT_EQ(0, full.parent);

	rewrite(self, 3, 50, changed, 1);
	ASSERT_EQ(0, dump(self, CKPT_DUMP_INCREMENTAL, 1, &inc));
	EXPECT_EQ(full.seq, inc.parent);
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
	struct dump_stats st;

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
	unsigned char *same = calloc(self->npages, 1);
	struct dump_stats st = { 0 }, inc = { 0 };
	size_t i, bad = 0;
	int fd;

	start_rewrite(self, 1, 4, self->npages / 4, 1);	/* during the copy */
	fd = ioctl(self->dev, CKPT_IOC_DUMP, &args);
	ASSERT_LE(0, fd);
	st.first = pre;
	ASSERT_EQ(0, read_dump(fd, self->region, self->npages, NULL, &st));
	EXPECT_EQ(0, st.threads);			/* no registers */
	EXPECT_EQ(self->npages, st.region_pages);
	EXPECT_EQ(0, ioctl(fd, CKPT_IOC_DUMP_COMMIT));
	close(fd);
	finish_rewrite(self);
	EXPECT_EQ(CKPT_JOB_RUNNING, gnl_job_simple(&self->g, CKPT_CMD_JOB_GET,
						   JOB, &self->r) ? 0 :
		  gnl_u32(&self->r, CKPT_A_JOB_STATE, 0));
	rewrite(self, 2, 8, self->npages / 8, 2);	/* after the copy */

	inc.same_map = same;
	ASSERT_EQ(0, dump(self, CKPT_DUMP_INCREMENTAL, 1, &inc));
	EXPECT_EQ(0, inc.region_bad);
	EXPECT_EQ(self->npages, inc.region_pages + inc.region_same);
	EXPECT_LE(self->npages / 8, inc.region_pages);
	for (i = 0; i < self->npages; i++)
		if (same[i] && pre[i] != expected(i, self->gen[i]))
			bad++;
	EXPECT_EQ(0, bad) {
		TH_LOG("%zu SAME pages differ from their pre-dump copy", bad);
	}
	TH_LOG("pre-dump of the running job, then %llu of %zu pages in the frozen incremental dump",
	       (unsigned long long)inc.region_pages, self->npages);
	free(pre);
	free(same);
}

TEST_F(incr, commit_and_flag_misuse)
{
	struct ckpt_dump_args args = { .job_id = JOB };
	struct dump_stats st;
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
	ASSERT_EQ(0, read_dump(fd2, self->region, self->npages, self->gen, &st));
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
