// SPDX-License-Identifier: GPL-2.0
/*
 * CKPT_IOC_DUMP refuses what it must (unknown job, a job not frozen,
 * unknown flags or reserved bits, a bad pointer), and a dump session owns
 * the freeze as documented: closing it before the end thaws the job,
 * reading it to the end and closing leaves the job frozen, a thaw voids an
 * open session (-ESTALE), a stale session cannot undo a newer freeze, two
 * dumps of one freeze are identical, and 200 abandoned sessions leak
 * neither memory nor module references (ckpt.ko still unloads and loads).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/ckpt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dump_helpers.h"
#include "dump_stream.h"
#include "genl_raw.h"
#include "kselftest_harness.h"
#include "workload.h"

#define JOB		1
#define PARTIAL		4096	/* what an abandoned session reads */
#define CYCLES		200

FIXTURE(dump) {
	struct gnl g;
	struct gnl_reply r;
	int dev;
	struct wl_counters *c;
};

FIXTURE_SETUP(dump)
{
	ASSERT_EQ(0, dh_test_setup(&self->g, &self->dev));
	self->c = wl_shared(sizeof(*self->c));
	ASSERT_NE(NULL, self->c);
	/* a root and 2 workers of 2 threads counting every millisecond */
	ASSERT_EQ(0, wl_counters_start(self->c, 2, 2, 1000, 20000));
	ASSERT_EQ(0, gnl_job_create(&self->g, JOB, CKPT_JOB_TREE, self->c->root,
				    NULL, &self->r)) TH_LOG("%s", self->r.extack);
}

FIXTURE_TEARDOWN(dump)
{
	if (self->dev >= 0)
		close(self->dev);
	gnl_close(&self->g);
	wl_kill_descendants();
}

#define FREEZE(self) \
	ASSERT_EQ(0, gnl_job_freeze(&(self)->g, JOB, 0, &(self)->r)) \
		TH_LOG("JOB_FREEZE: %s", (self)->r.extack)

static int dump_ioctl(int dev, uint32_t id, uint32_t flags, int32_t data_fd,
		      uint32_t r0, uint64_t r1)
{
	struct ckpt_dump_args a = { .job_id = id, .flags = flags,
				    .data_fd = data_fd, .reserved0 = r0,
				    .reserved = r1 };
	int fd = ioctl(dev, CKPT_IOC_DUMP, &a);

	if (fd >= 0) {
		close(fd);
		return 0;
	}
	return -errno;
}

/* Open a session on JOB and read @n bytes of it: the fd, or -errno. */
static int open_and_read(int dev, size_t n)
{
	static uint8_t buf[PARTIAL];
	size_t got = 0;
	int fd = dh_dump_open(dev, JOB);

	if (fd < 0)
		return fd;
	while (got < n) {
		ssize_t k = read(fd, buf, n - got);

		if (k <= 0) {
			close(fd);
			return k < 0 ? -errno : -ENODATA;
		}
		got += k;
	}
	return fd;
}

TEST_F(dump, unknown_job)
{
	EXPECT_EQ(-ENOENT, dump_ioctl(self->dev, JOB + 1, 0, 0, 0, 0));
	EXPECT_EQ(-ENOENT, dump_ioctl(self->dev, 0, 0, 0, 0, 0));
}

TEST_F(dump, job_not_frozen)
{
	EXPECT_EQ(-EBUSY, dump_ioctl(self->dev, JOB, 0, 0, 0, 0));
	/* nor after a thaw */
	FREEZE(self);
	ASSERT_EQ(0, gnl_job_simple(&self->g, CKPT_CMD_JOB_THAW, JOB, &self->r));
	EXPECT_EQ(-EBUSY, dump_ioctl(self->dev, JOB, 0, 0, 0, 0));
	EXPECT_TRUE(wl_counter_moves(self->c, 2000));
}

TEST_F(dump, unknown_flags_and_reserved)
{
	FREEZE(self);
	EXPECT_EQ(-EINVAL, dump_ioctl(self->dev, JOB, ~CKPT_DUMP_FLAGS, 0, 0, 0));
	EXPECT_EQ(-EINVAL, dump_ioctl(self->dev, JOB, 1U << 31, 0, 0, 0));
	EXPECT_EQ(-EINVAL, dump_ioctl(self->dev, JOB, 0, 0, 1, 0));
	EXPECT_EQ(-EINVAL, dump_ioctl(self->dev, JOB, 0, 0, 1U << 31, 0));
	EXPECT_EQ(-EINVAL, dump_ioctl(self->dev, JOB, 0, 0, 0, 1ULL << 63));
	/* data_fd only with CKPT_DUMP_DATA_FD (even a valid descriptor) */
	EXPECT_EQ(-EINVAL, dump_ioctl(self->dev, JOB, 0, self->dev, 0, 0));
	EXPECT_EQ(-EINVAL, dump_ioctl(self->dev, JOB, 0, -1, 0, 0));
	/* PRECOPY only for a PREDUMP with a data file */
	EXPECT_EQ(-EINVAL, dump_ioctl(self->dev, JOB, CKPT_DUMP_PRECOPY, 0, 0, 0));
	EXPECT_EQ(-EINVAL, dump_ioctl(self->dev, JOB, CKPT_DUMP_PRECOPY |
				      CKPT_DUMP_PREDUMP, 0, 0, 0));
	/* refused before the job is even looked up */
	EXPECT_EQ(-EINVAL, dump_ioctl(self->dev, JOB + 1, 1U << 7, 0, 0, 0));
	/* a refused request leaves the freeze alone */
	EXPECT_EQ(CKPT_JOB_FROZEN, dh_job_state(&self->g, JOB));
	EXPECT_FALSE(wl_counter_moves(self->c, 300));
}

TEST_F(dump, bad_pointer)
{
	void *page = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
			  -1, 0);

	ASSERT_NE(MAP_FAILED, page);
	FREEZE(self);
	EXPECT_EQ(-1, ioctl(self->dev, CKPT_IOC_DUMP, (void *)16));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(self->dev, CKPT_IOC_DUMP, page));
	EXPECT_EQ(EFAULT, errno);
	/* the arguments straddling into an inaccessible page */
	{
		uint8_t *two = mmap(NULL, 8192, PROT_READ | PROT_WRITE,
				    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		ASSERT_NE(MAP_FAILED, two);
		ASSERT_EQ(0, mprotect(two + 4096, 4096, PROT_NONE));
		EXPECT_EQ(-1, ioctl(self->dev, CKPT_IOC_DUMP, two + 4096 - 8));
		EXPECT_EQ(EFAULT, errno);
		munmap(two, 8192);
	}
	munmap(page, 4096);
	EXPECT_EQ(CKPT_JOB_FROZEN, dh_job_state(&self->g, JOB));
}

TEST_F(dump, close_in_the_middle_thaws)
{
	int fd;

	FREEZE(self);
	fd = open_and_read(self->dev, PARTIAL);
	ASSERT_LE(0, fd) TH_LOG("%s", strerror(-fd));
	EXPECT_EQ(CKPT_JOB_FROZEN, dh_job_state(&self->g, JOB));
	EXPECT_FALSE(wl_counter_moves(self->c, 300));
	close(fd);
	EXPECT_EQ(CKPT_JOB_RUNNING, dh_job_state(&self->g, JOB));
	EXPECT_TRUE(wl_counter_moves(self->c, 2000));
	/* a session that read nothing is unfinished too */
	FREEZE(self);
	fd = dh_dump_open(self->dev, JOB);
	ASSERT_LE(0, fd);
	close(fd);
	EXPECT_EQ(CKPT_JOB_RUNNING, dh_job_state(&self->g, JOB));
	EXPECT_TRUE(wl_counter_moves(self->c, 2000));
}

TEST_F(dump, read_to_the_end_keeps_frozen)
{
	struct dh_dump d;

	FREEZE(self);
	ASSERT_EQ(0, dh_dump_job(self->dev, JOB, &d)) TH_LOG("%s", d.error);
	EXPECT_NE(NULL, d.end);
	dh_dump_free(&d);
	EXPECT_EQ(CKPT_JOB_FROZEN, dh_job_state(&self->g, JOB));
	EXPECT_FALSE(wl_counter_moves(self->c, 500));
	ASSERT_EQ(0, gnl_job_simple(&self->g, CKPT_CMD_JOB_THAW, JOB, &self->r));
	EXPECT_TRUE(wl_counter_moves(self->c, 2000));
}

TEST_F(dump, thaw_voids_open_session)
{
	uint8_t *buf;
	size_t len;
	char c;
	int fd, err;

	/* thawed before the first read */
	FREEZE(self);
	fd = dh_dump_open(self->dev, JOB);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, gnl_job_simple(&self->g, CKPT_CMD_JOB_THAW, JOB, &self->r));
	EXPECT_EQ(-1, read(fd, &c, 1));
	EXPECT_EQ(ESTALE, errno);
	EXPECT_EQ(-1, read(fd, &c, 1));		/* and it stays void */
	EXPECT_EQ(ESTALE, errno);
	close(fd);
	EXPECT_EQ(CKPT_JOB_RUNNING, dh_job_state(&self->g, JOB));

	/* thawed in the middle: the stream never completes */
	FREEZE(self);
	fd = open_and_read(self->dev, PARTIAL);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, gnl_job_simple(&self->g, CKPT_CMD_JOB_THAW, JOB, &self->r));
	err = dh_read_all(fd, PARTIAL, &buf, &len);
	EXPECT_EQ(-ESTALE, err) TH_LOG("%zu more bytes, then %d", len, err);
	if (len)
		TH_LOG("note: %zu bytes generated before the thaw came first", len);
	free(buf);
	EXPECT_EQ(-1, read(fd, &c, 1));
	EXPECT_EQ(ESTALE, errno);
	close(fd);
	EXPECT_EQ(CKPT_JOB_RUNNING, dh_job_state(&self->g, JOB));
	EXPECT_TRUE(wl_counter_moves(self->c, 2000));
}

TEST_F(dump, stale_session_leaves_newer_freeze)
{
	uint8_t *buf;
	size_t len;
	int fd;

	FREEZE(self);
	fd = open_and_read(self->dev, PARTIAL);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, gnl_job_simple(&self->g, CKPT_CMD_JOB_THAW, JOB, &self->r));
	FREEZE(self);
	/* the old session belongs to the old freeze: void, and closing it
	 * must not thaw the new one */
	EXPECT_EQ(-ESTALE, dh_read_all(fd, PARTIAL, &buf, &len));
	free(buf);
	close(fd);
	EXPECT_EQ(CKPT_JOB_FROZEN, dh_job_state(&self->g, JOB));
	EXPECT_FALSE(wl_counter_moves(self->c, 300));
	/* and a new session of the new freeze works */
	{
		struct dh_dump d;

		ASSERT_EQ(0, dh_dump_job(self->dev, JOB, &d)) TH_LOG("%s", d.error);
		EXPECT_NE(NULL, d.end);
		dh_dump_free(&d);
	}
}

TEST_F(dump, second_dump_is_identical)
{
	struct dh_dump a, b;

	FREEZE(self);
	ASSERT_EQ(0, dh_dump_job(self->dev, JOB, &a)) TH_LOG("%s", a.error);
	ASSERT_EQ(0, dh_dump_job(self->dev, JOB, &b)) TH_LOG("%s", b.error);
	ASSERT_NE(NULL, a.begin);
	ASSERT_NE(NULL, b.begin);
	EXPECT_NE(NULL, a.end);
	EXPECT_LE(a.begin->time_ns, b.begin->time_ns);
	ASSERT_EQ(a.len, b.len);
	EXPECT_EQ(a.nr_recs, b.nr_recs);
	/* a later number, and apart from BEGIN's time and number, byte for byte */
	EXPECT_EQ(a.begin->dump_seq + 1, b.begin->dump_seq);
	((struct ckpt_rec_begin *)a.begin)->time_ns = 0;
	((struct ckpt_rec_begin *)b.begin)->time_ns = 0;
	((struct ckpt_rec_begin *)a.begin)->dump_seq = 0;
	((struct ckpt_rec_begin *)b.begin)->dump_seq = 0;
	EXPECT_EQ(0, memcmp(a.buf, b.buf, a.len));
	dh_dump_free(&a);
	dh_dump_free(&b);
	EXPECT_EQ(CKPT_JOB_FROZEN, dh_job_state(&self->g, JOB));
}

/* Reads in sizes that split records anywhere give the same stream. */
TEST_F(dump, small_reads_give_the_same_stream)
{
	static const size_t sizes[] = { 1, 7, 8, 4095, 4097 };
	struct dh_dump ref;
	size_t i;

	FREEZE(self);
	ASSERT_EQ(0, dh_dump_job(self->dev, JOB, &ref)) TH_LOG("%s", ref.error);
	((struct ckpt_rec_begin *)ref.begin)->time_ns = 0;
	((struct ckpt_rec_begin *)ref.begin)->dump_seq = 0;
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct ckpt_rec_begin *b;
		uint8_t *buf;
		size_t len;
		int fd = dh_dump_open(self->dev, JOB);

		ASSERT_LE(0, fd);
		ASSERT_EQ(0, dh_read_all(fd, sizes[i], &buf, &len));
		close(fd);
		ASSERT_EQ(ref.len, len) TH_LOG("reads of %zu", sizes[i]);
		b = (struct ckpt_rec_begin *)(buf + sizeof(struct ckpt_rec));
		b->time_ns = 0;
		b->dump_seq = 0;
		EXPECT_EQ(0, memcmp(ref.buf, buf, len)) TH_LOG("reads of %zu", sizes[i]);
		free(buf);
	}
	dh_dump_free(&ref);
}

static long module_refcnt(void)
{
	char buf[32] = "";
	int fd = open("/sys/module/ckpt/refcnt", O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return n > 0 ? strtol(buf, NULL, 10) : -1;
}

/*
 * ckpt.ko's references once every thawed thread has run its parking work
 * (each queued work holds one until then): only our open /dev/ckpt's.
 * Waits up to @ms for that; returns the last count seen.
 */
static long module_refcnt_settled(unsigned int ms)
{
	uint64_t end = wl_now_ms() + ms;
	long n;

	while ((n = module_refcnt()) != 1 && wl_now_ms() < end)
		wl_sleep_ms(10);
	return n;
}

/* Last: it unloads and reloads ckpt.ko. */
TEST_F_TIMEOUT(dump, abandoned_sessions_leak_nothing, 240)
{
	long slab0, slab1, avail0, avail1, vm0, vm1, ref0, ref1;
	uint64_t t0;
	int i, fd;
	char cmd[512];
	const char *ko = getenv("CKPT_KO");

	/* warm the caches up, then measure */
	for (i = 0; i < 10; i++) {
		FREEZE(self);
		fd = open_and_read(self->dev, PARTIAL);
		ASSERT_LE(0, fd);
		close(fd);
	}
	ASSERT_EQ(CKPT_JOB_RUNNING, dh_job_state(&self->g, JOB));
	ref0 = module_refcnt_settled(5000);
	ASSERT_EQ(1, ref0);
	slab0 = dh_meminfo_kb("SUnreclaim");
	avail0 = dh_meminfo_kb("MemAvailable");
	vm0 = dh_meminfo_kb("VmallocUsed");
	ASSERT_LT(0, slab0);

	t0 = wl_now_ms();
	for (i = 0; i < CYCLES; i++) {
		FREEZE(self);
		fd = open_and_read(self->dev, PARTIAL);
		ASSERT_LE(0, fd) TH_LOG("cycle %d: %s", i, strerror(-fd));
		close(fd);
		ASSERT_EQ(CKPT_JOB_RUNNING, dh_job_state(&self->g, JOB))
			TH_LOG("cycle %d: closing the session did not thaw", i);
	}
	EXPECT_TRUE(wl_counter_moves(self->c, 2000));
	/* parked threads drop their references once they have run */
	ref1 = module_refcnt_settled(5000);
	slab1 = dh_meminfo_kb("SUnreclaim");
	avail1 = dh_meminfo_kb("MemAvailable");
	vm1 = dh_meminfo_kb("VmallocUsed");
	TH_LOG("%d cycles in %llu ms: SUnreclaim %+ld kB, MemAvailable %+ld kB, VmallocUsed %+ld kB, refcnt %ld -> %ld",
	       CYCLES, (unsigned long long)(wl_now_ms() - t0), slab1 - slab0,
	       avail1 - avail0, vm1 - vm0, ref0, ref1);
	EXPECT_GT(1024, slab1 - slab0);
	EXPECT_EQ(1, ref1);

	/* everything let go: the module unloads and loads again */
	ASSERT_EQ(0, gnl_job_simple(&self->g, CKPT_CMD_JOB_DESTROY, JOB, &self->r));
	wl_kill_descendants();
	close(self->dev);
	self->dev = -1;
	gnl_close(&self->g);
	EXPECT_EQ(0, system("rmmod ckpt"));
	EXPECT_NE(0, access("/sys/module/ckpt", F_OK));
	snprintf(cmd, sizeof(cmd), "insmod %s", ko ? ko : "/lib/ckpt/ckpt.ko");
	ASSERT_EQ(0, system(cmd));
	fd = dh_dev_open();
	EXPECT_LE(0, fd);
	if (fd >= 0)
		close(fd);
	ASSERT_EQ(0, gnl_open(&self->g));
}

TEST_HARNESS_MAIN
