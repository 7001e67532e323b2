// SPDX-License-Identifier: GPL-2.0
/*
 * Soft-dirty tracking of incremental dumps, each test twice: with the
 * module parameter dirty_tracking=auto (soft-dirty bits, once the dumper
 * says it cleared them after the parent dump) and =hash (the fallback,
 * forced).  The test is the dumper: after a committed dump of the frozen
 * job it writes 4 to /proc/<pid>/clear_refs and calls
 * CKPT_IOC_DUMP_SOFTDIRTY_CLEARED.
 *
 * Every incremental dump is checked page by page against what the test
 * wrote since the last committed dump: those pages in PAGES with their
 * new contents, every other page holding data in PAGES_SAME, nothing else.
 * BEGIN says which tracking the dump used; END counts the pages soft-dirty
 * let it skip without reading (0 with hashes).
 *
 * 1 GiB touched (256 MiB in a guest with less than 2 GiB), 2 % rewritten:
 * the incremental dump carries at most 3 % of the full dump's page bytes.
 * Dumps that are aborted (never committed, or closed half read) lose no
 * page; a clear that does not follow the parent dump within its freeze is
 * refused with -ESTALE or -EINVAL, and the next dump falls back to hashes;
 * holes, zero pages and unmodified file pages that appear after the clear
 * are not taken for unchanged data; a new process that gets an old pid is
 * not taken for the cleared one.
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
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/ckpt.h>
#include <linux/sched.h>

#include "genl_raw.h"
#include "kselftest_harness.h"
#include "page_scan.h"

#define PG		4096UL
#define HUGE_PAGES	512UL		/* pages of a 2 MiB huge page */
#define JOB		7304
#define PARAM		"/sys/module/ckpt/parameters/dirty_tracking"
#define FILE_NAME	"softdirty-file.bin"

static unsigned char expected(uint64_t page, unsigned int gen)
{
	return (unsigned char)(page * 7 + gen * 31 + 1);
}

/* The unmodified contents of the file's page @pg. */
static unsigned char file_byte(uint64_t pg)
{
	return (unsigned char)(0xa5 ^ pg);
}

/* --- the workload ---------------------------------------------------------- */

/*
 * A child with an anonymous region of npages (2 MiB aligned: the first
 * half in 4 KiB pages, MADV_NOHUGEPAGE; the second half may use huge
 * pages) and a private mapping of a file, both written at the start
 * (generation 0).  It does what the commands on its pipe say.
 */
enum {
	OP_FILL,	/* write generation gen into pages */
	OP_DONTNEED,	/* madvise(MADV_DONTNEED) count pages from first */
	OP_READ,	/* read pages: answers the sum of their first bytes */
	OP_RESPAWN,	/* fork the writer, or replace it (pid reuse test) */
};
enum { IN_ANON, IN_FILE };

struct cmd {
	uint32_t op, where;
	uint32_t gen, pad;
	uint64_t first, stride, count;
};

struct child_maps {
	uint64_t anon, file;
};

static uint8_t *child_base(const struct child_maps *m, uint32_t where)
{
	return (uint8_t *)(uintptr_t)(where == IN_FILE ? m->file : m->anon);
}

/* The first process of the pid-reuse test forks one more, which writes
 * its own generation into its copy of the region, answers with its pid
 * and waits. */
static pid_t child_fork_writer(const struct child_maps *m, size_t npages,
			       unsigned int gen, int ack)
{
	pid_t pid = fork();

	if (pid == 0) {
		uint64_t me = getpid();

		for (size_t p = 0; p < npages; p++)
			memset(child_base(m, IN_ANON) + p * PG, expected(p, gen), PG);
		if (write(ack, &me, sizeof(me)) != sizeof(me))
			_exit(1);
		for (;;)
			pause();
	}
	return pid;
}

/* Kill @old, reap it and start a process that just waits, with @old's pid
 * (clone3 set_tid): a copy of this one's memory under a reused pid. */
static pid_t child_respawn(pid_t old)
{
	struct clone_args args = {
		.exit_signal = SIGCHLD,
		.set_tid = (uintptr_t)&old,
		.set_tid_size = 1,
	};
	long pid;

	kill(old, SIGKILL);
	if (waitpid(old, NULL, 0) != old)
		return -1;
	pid = syscall(SYS_clone3, &args, sizeof(args));
	if (pid == 0) {
		for (;;)
			pause();
	}
	return pid;
}

static void child_main(int cmd, int ack, size_t npages, size_t nfile)
{
	size_t len = npages * PG, huge = HUGE_PAGES * PG;
	uint8_t *raw = mmap(NULL, len + huge, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct child_maps m;
	pid_t writer = 0;
	struct cmd c;
	int fd;

	if (raw == MAP_FAILED)
		_exit(1);
	m.anon = ((uintptr_t)raw + huge - 1) & ~(huge - 1);
	madvise((void *)(uintptr_t)m.anon, len / 2, MADV_NOHUGEPAGE);
	madvise((void *)(uintptr_t)(m.anon + len / 2), len / 2, MADV_HUGEPAGE);
	for (size_t p = 0; p < npages; p++)
		memset(child_base(&m, IN_ANON) + p * PG, expected(p, 0), PG);
	fd = open(FILE_NAME, O_RDONLY);
	m.file = (uintptr_t)mmap(NULL, nfile * PG, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE, fd, 0);
	if (fd < 0 || m.file == (uintptr_t)MAP_FAILED)
		_exit(1);
	close(fd);
	for (size_t p = 0; p < nfile; p++)	/* copies on write */
		memset(child_base(&m, IN_FILE) + p * PG, expected(p, 0), PG);
	if (write(ack, &m, sizeof(m)) != sizeof(m))
		_exit(1);

	while (read(cmd, &c, sizeof(c)) == sizeof(c)) {
		uint8_t *base = child_base(&m, c.where);
		uint64_t reply = 0;

		/* one call: a whole huge page goes, not split first */
		if (c.op == OP_DONTNEED &&
		    madvise(base + c.first * PG, c.count * PG, MADV_DONTNEED))
			_exit(1);
		for (uint64_t i = 0, p = c.first; c.op != OP_DONTNEED &&
		     c.op != OP_RESPAWN && i < c.count; i++, p += c.stride) {
			if (c.op == OP_FILL)
				memset(base + p * PG, expected(p, c.gen), PG);
			else
				reply += *(volatile uint8_t *)(base + p * PG);
		}
		if (c.op == OP_RESPAWN && !writer) {
			writer = child_fork_writer(&m, npages, c.gen, ack);
			continue;		/* the writer answers */
		}
		if (c.op == OP_RESPAWN)
			reply = child_respawn(writer);
		if (write(ack, &reply, sizeof(reply)) != sizeof(reply))
			_exit(1);
	}
	_exit(0);
}

/* --- the test's side --------------------------------------------------------- */

FIXTURE(sd) {
	struct gnl g;
	struct gnl_reply r;
	int dev;
	pid_t child;
	int cmd, ack;
	uintptr_t anon, file;
	size_t npages, nfile;
	unsigned char *gen, *fgen;	/* generation of each page */
	unsigned char *dirty, *fdirty;	/* written since the last commit */
	unsigned char *want, *fwant;	/* dirty when the last dump was read */
	unsigned char *kind, *fkind;	/* PS_* of each page in a dump */
};

FIXTURE_VARIANT(sd) {
	const char *mode;	/* the module parameter */
	uint32_t tracking;	/* what a dump after a clear uses */
};

FIXTURE_VARIANT_ADD(sd, softdirty) {
	.mode = "auto",
	.tracking = CKPT_DIRTY_SOFT_DIRTY,
};

FIXTURE_VARIANT_ADD(sd, hash) {
	.mode = "hash",
	.tracking = CKPT_DIRTY_HASH,
};

static int write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;
	int err;

	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	err = n < 0 ? -errno : 0;
	close(fd);
	return err;
}

static int set_mode(const char *mode)
{
	return write_file(PARAM, mode);
}

static int clear_refs(pid_t pid)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/clear_refs", pid);
	return write_file(path, "4");
}

/* CKPT_IOC_DUMP_SOFTDIRTY_CLEARED: 0 or -errno. */
static int cleared(int fd, uint32_t flags, uint32_t reserved)
{
	struct ckpt_softdirty_cleared_args a = { flags, reserved };

	return ioctl(fd, CKPT_IOC_DUMP_SOFTDIRTY_CLEARED, &a) ? -errno : 0;
}

static int make_file(size_t nfile)
{
	int fd = open(FILE_NAME, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	unsigned char page[PG];
	int err = 0;

	if (fd < 0)
		return -errno;
	for (size_t p = 0; p < nfile && !err; p++) {
		memset(page, file_byte(p), PG);
		if (write(fd, page, PG) != PG)
			err = -EIO;
	}
	close(fd);
	return err;
}

/* Start the workload (npages a multiple of 1024) and make it job JOB. */
static int start_child(struct _test_data_sd *self, size_t npages, size_t nfile)
{
	struct child_maps m;
	int c[2], a[2];

	self->npages = npages;
	self->nfile = nfile;
	self->gen = calloc(npages, 1);
	self->dirty = calloc(npages, 1);
	self->want = calloc(npages, 1);
	self->kind = calloc(npages, 1);
	self->fgen = calloc(nfile, 1);
	self->fdirty = calloc(nfile, 1);
	self->fwant = calloc(nfile, 1);
	self->fkind = calloc(nfile, 1);
	if (!self->gen || !self->dirty || !self->want || !self->kind ||
	    !self->fgen || !self->fdirty || !self->fwant || !self->fkind ||
	    make_file(nfile) ||
	    pipe2(c, O_CLOEXEC) || pipe2(a, O_CLOEXEC))
		return -1;
	self->child = fork();
	if (self->child < 0)
		return -1;
	if (self->child == 0) {
		close(c[1]);
		close(a[0]);
		child_main(c[0], a[1], npages, nfile);
	}
	close(c[0]);
	close(a[1]);
	self->cmd = c[1];
	self->ack = a[0];
	if (read(self->ack, &m, sizeof(m)) != sizeof(m))
		return -1;
	self->anon = m.anon;
	self->file = m.file;
	return gnl_job_create(&self->g, JOB, CKPT_JOB_TREE, self->child, NULL,
			      &self->r);
}

static uint64_t child_do(struct _test_data_sd *self, uint32_t op,
			 uint32_t where, uint64_t first, uint64_t stride,
			 uint64_t count, unsigned int gen)
{
	struct cmd c = { .op = op, .where = where, .gen = gen,
			 .first = first, .stride = stride, .count = count };
	uint64_t reply;

	if (write(self->cmd, &c, sizeof(c)) != sizeof(c) ||
	    read(self->ack, &reply, sizeof(reply)) != sizeof(reply))
		abort();
	return reply;
}

/* The child rewrites @count pages from @first every @stride. */
static size_t rewrite(struct _test_data_sd *self, uint32_t where,
		      size_t first, size_t stride, size_t count,
		      unsigned int gen)
{
	unsigned char *g = where == IN_FILE ? self->fgen : self->gen;
	unsigned char *d = where == IN_FILE ? self->fdirty : self->dirty;

	child_do(self, OP_FILL, where, first, stride, count, gen);
	for (size_t i = 0, p = first; i < count; i++, p += stride) {
		g[p] = gen;
		d[p] = 1;
	}
	return count;
}

/* Carried pages must hold the generation the test last wrote. */
static int right_gen(size_t pg, const uint8_t *data, void *arg)
{
	const unsigned char *gen = arg;

	return data[0] == expected(pg, gen[pg]) &&
	       data[PG - 1] == expected(pg, gen[pg]);
}

static int frozen(struct _test_data_sd *self)
{
	return gnl_job_freeze(&self->g, JOB, 60000, &self->r);
}

static void thaw(struct _test_data_sd *self)
{
	gnl_job_simple(&self->g, CKPT_CMD_JOB_THAW, JOB, &self->r);
}

/* A dump session of the frozen job: its fd or -errno. */
static int open_dump(struct _test_data_sd *self, uint32_t flags)
{
	struct ckpt_dump_args a = { .job_id = JOB, .flags = flags };
	int fd = ioctl(self->dev, CKPT_IOC_DUMP, &a);

	return fd < 0 ? -errno : fd;
}

/* Read session @fd to its end: both regions' pages into kind/fkind, and
 * what they should be into want/fwant. */
static int scan(struct _test_data_sd *self, int fd, struct ps_stats *st)
{
	struct ps_region r[2] = {
		{ .pid = self->child, .start = self->anon,
		  .npages = self->npages, .kind = self->kind,
		  .check = right_gen, .arg = self->gen },
		{ .pid = self->child, .start = self->file,
		  .npages = self->nfile, .kind = self->fkind,
		  .check = right_gen, .arg = self->fgen },
	};

	memcpy(self->want, self->dirty, self->npages);
	memcpy(self->fwant, self->fdirty, self->nfile);
	return ps_read_dump(fd, r, 2, st);
}

static void committed(struct _test_data_sd *self)
{
	memset(self->dirty, 0, self->npages);
	memset(self->fdirty, 0, self->nfile);
}

/* Pages whose fate in the last dump is not what the test wrote: a page
 * written since the last commit (@dirty) must be DATA, any other SAME (or
 * NONE where @none says so). */
static size_t wrong_pages(const unsigned char *kind, const unsigned char *dirty,
			  const unsigned char *none, size_t n)
{
	size_t bad = 0;

	for (size_t i = 0; i < n; i++) {
		int want = none && none[i] ? PS_NONE :
			   dirty[i] ? PS_DATA : PS_SAME;

		bad += kind[i] != want;
	}
	return bad;
}

static size_t count(const unsigned char *v, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		k += v[i] != 0;
	return k;
}

/* Clean pages of the first (4 KiB) half in the last dump: soft-dirty
 * skips them all. */
static size_t clean_small_pages(struct _test_data_sd *self)
{
	return self->npages / 2 - count(self->want, self->npages / 2);
}

/*
 * Freeze, dump (full or incremental) and read to the end, commit if
 * @commit; then if @clear, clear the soft-dirty bits and announce it
 * (which must succeed).  Thaw.  -errno of the first failing step.
 */
static int dump(struct _test_data_sd *self, uint32_t flags, int commit,
		int clear, struct ps_stats *st)
{
	int fd, err;

	if (frozen(self))
		return -EAGAIN;
	fd = open_dump(self, flags);
	err = fd < 0 ? fd : scan(self, fd, st);
	if (!err && commit)
		err = ioctl(fd, CKPT_IOC_DUMP_COMMIT) ? -errno : 0;
	if (!err && commit)
		committed(self);
	if (!err && clear)
		err = clear_refs(self->child) ?: cleared(fd, 0, 0);
	if (fd >= 0)
		close(fd);
	thaw(self);
	return err;
}

/* An incremental dump carries what the test wrote, with its contents. */
#define EXPECT_EXACT(st) do {						\
	EXPECT_EQ(0, (st).region_bad);					\
	EXPECT_EQ(0, wrong_pages(self->kind, self->want, NULL,		\
				 self->npages));			\
	EXPECT_EQ(0, wrong_pages(self->fkind, self->fwant, NULL,	\
				 self->nfile));				\
} while (0)

static size_t region_pages(void)
{
	long pages = sysconf(_SC_PHYS_PAGES);

	/* 1 GiB needs about 2 GiB of guest memory (the dump reads it back) */
	return pages * (uint64_t)PG >= (1800UL << 20) ? (1UL << 30) / PG :
							 (256UL << 20) / PG;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* AnonHugePages of @pid in kB, for the log. */
static long anon_huge_kb(pid_t pid)
{
	char path[64], line[128];
	long kb = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", pid);
	f = fopen(path, "re");
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "AnonHugePages: %ld", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb;
}

FIXTURE_SETUP(sd)
{
	ASSERT_EQ(0, ckpt_test_load_module());
	ASSERT_EQ(0, gnl_open(&self->g));
	self->dev = open("/dev/ckpt", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->dev);
	ASSERT_EQ(0, set_mode(variant->mode));
	self->child = 0;
}

FIXTURE_TEARDOWN(sd)
{
	gnl_job_simple(&self->g, CKPT_CMD_JOB_DESTROY, JOB, &self->r);
	if (self->child > 0) {
		close(self->cmd);
		close(self->ack);
		kill(self->child, SIGKILL);
		waitpid(self->child, NULL, 0);
	}
	set_mode("auto");
	close(self->dev);
	gnl_close(&self->g);
	unlink(FILE_NAME);
	free(self->gen);
	free(self->dirty);
	free(self->want);
	free(self->kind);
	free(self->fgen);
	free(self->fdirty);
	free(self->fwant);
	free(self->fkind);
}

/*
 * 2 % of 1 GiB rewritten: every 50th page of the 4 KiB half, and every
 * 50th huge page of the other half whole (soft-dirty bits of a huge page
 * cover all of it).
 */
TEST_F_TIMEOUT(sd, two_percent_rewritten, 600)
{
	struct ps_stats full, inc;
	size_t half, changed = 0;
	double t;

	ASSERT_EQ(0, start_child(self, region_pages(), 64));
	half = self->npages / 2;
	TH_LOG("%s: region of %zu MiB, %ld kB in huge pages", variant->mode,
	       self->npages * PG >> 20, anon_huge_kb(self->child));

	ASSERT_EQ(0, dump(self, 0, 1, 1, &full));
	EXPECT_EQ(CKPT_DIRTY_NONE, full.tracking);
	EXPECT_EQ(self->npages, full.region_pages - self->nfile);
	EXPECT_EQ(0, full.region_bad);

	changed += rewrite(self, IN_ANON, 3, 50, (half - 3 + 49) / 50, 1);
	for (size_t h = 7; h < half / HUGE_PAGES; h += 50)
		changed += rewrite(self, IN_ANON, half + h * HUGE_PAGES, 1,
				   HUGE_PAGES, 1);
	t = now_ms();
	ASSERT_EQ(0, dump(self, CKPT_DUMP_INCREMENTAL, 1, 0, &inc));
	t = now_ms() - t;
	EXPECT_EQ(full.seq, inc.parent);
	EXPECT_EQ(variant->tracking, inc.tracking);
	EXPECT_EXACT(inc);
	EXPECT_EQ(changed, inc.region_pages);
	EXPECT_LE(inc.page_bytes * 100, full.page_bytes * 3);
	if (variant->tracking == CKPT_DIRTY_SOFT_DIRTY) {
		/* all clean pages but those of huge pages khugepaged might
		 * have collapsed since (a collapse dirties them) */
		EXPECT_LE((self->npages - changed) * 9 / 10, inc.end_unread);
		EXPECT_LE(clean_small_pages(self), inc.end_unread);
	} else {
		EXPECT_EQ(0, inc.end_unread);
	}
	EXPECT_LE(inc.end_unread, inc.end_same);
	TH_LOG("%s: %zu pages rewritten; full dump %llu page bytes, incremental %llu (%.2f %%), %llu pages not read, %.0f ms",
	       variant->mode, changed, (unsigned long long)full.page_bytes,
	       (unsigned long long)inc.page_bytes,
	       100.0 * inc.page_bytes / full.page_bytes,
	       (unsigned long long)inc.end_unread, t);
}

/*
 * After a cleared base: a dump read to its end but never committed, and
 * one closed half read (which thaws the job), change nothing; the next
 * incremental dump carries all three sets of pages written meanwhile.
 * Its pages not read carry their hashes, so the dump after it, without a
 * clear, finds by hashing exactly the pages written since.
 */
TEST_F_TIMEOUT(sd, aborted_dumps_lose_nothing, 300)
{
	struct ps_stats st;
	char buf[4096];
	int fd;

	ASSERT_EQ(0, start_child(self, 16384, 64));
	ASSERT_EQ(0, dump(self, 0, 1, 1, &st));

	rewrite(self, IN_ANON, 0, 100, 164, 1);			/* A */
	rewrite(self, IN_FILE, 0, 8, 8, 1);
	ASSERT_EQ(0, dump(self, CKPT_DUMP_INCREMENTAL, 0, 0, &st));
	EXPECT_EQ(variant->tracking, st.tracking);
	EXPECT_EXACT(st);

	rewrite(self, IN_ANON, 50, 100, 164, 2);		/* B */
	ASSERT_EQ(0, frozen(self));
	fd = open_dump(self, CKPT_DUMP_INCREMENTAL);
	ASSERT_LE(0, fd);
	EXPECT_EQ(sizeof(buf), read(fd, buf, sizeof(buf)));
	close(fd);					/* thaws the job */
	EXPECT_EQ(CKPT_JOB_RUNNING, gnl_job_simple(&self->g, CKPT_CMD_JOB_GET,
						   JOB, &self->r) ? 0 :
		  gnl_u32(&self->r, CKPT_A_JOB_STATE, 0));

	rewrite(self, IN_ANON, 25, 100, 164, 3);		/* C */
	rewrite(self, IN_FILE, 4, 8, 8, 3);
	ASSERT_EQ(0, dump(self, CKPT_DUMP_INCREMENTAL, 1, 0, &st));
	EXPECT_EQ(variant->tracking, st.tracking);
	EXPECT_EQ(3 * 164 + 16, st.region_pages);
	EXPECT_EXACT(st);
	if (variant->tracking == CKPT_DIRTY_SOFT_DIRTY)
		EXPECT_LE(clean_small_pages(self), st.end_unread);

	rewrite(self, IN_ANON, 75, 100, 164, 4);		/* D */
	ASSERT_EQ(0, dump(self, CKPT_DUMP_INCREMENTAL, 1, 0, &st));
	EXPECT_EQ(CKPT_DIRTY_HASH, st.tracking);	/* no clear since */
	EXPECT_EQ(0, st.end_unread);
	EXPECT_EQ(164, st.region_pages);
	EXPECT_EXACT(st);
}

/*
 * Bits cleared while the job runs lose the writes before the clear: the
 * announcement, in the next freeze, is refused with -ESTALE and the next
 * incremental dump compares hashes.  A clear after that dump, in its
 * freeze, is accepted again.
 */
TEST_F_TIMEOUT(sd, clear_while_running_is_refused, 300)
{
	struct ps_stats st;
	int fd;

	ASSERT_EQ(0, start_child(self, 16384, 64));
	ASSERT_EQ(0, frozen(self));
	fd = open_dump(self, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, scan(self, fd, &st));
	ASSERT_EQ(0, ioctl(fd, CKPT_IOC_DUMP_COMMIT));
	committed(self);
	ASSERT_EQ(0, clear_refs(self->child));
	ASSERT_EQ(0, cleared(fd, 0, 0));
	thaw(self);

	rewrite(self, IN_ANON, 0, 100, 164, 1);
	rewrite(self, IN_FILE, 0, 8, 8, 1);
	ASSERT_EQ(0, clear_refs(self->child));		/* while it runs */
	rewrite(self, IN_ANON, 50, 100, 164, 2);
	ASSERT_EQ(0, frozen(self));
	EXPECT_EQ(-ESTALE, cleared(fd, 0, 0));
	close(fd);
	thaw(self);

	ASSERT_EQ(0, frozen(self));
	fd = open_dump(self, CKPT_DUMP_INCREMENTAL);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, scan(self, fd, &st));
	EXPECT_EQ(CKPT_DIRTY_HASH, st.tracking);
	EXPECT_EQ(0, st.end_unread);
	EXPECT_EQ(2 * 164 + 8, st.region_pages);
	EXPECT_EXACT(st);
	ASSERT_EQ(0, ioctl(fd, CKPT_IOC_DUMP_COMMIT));
	committed(self);
	ASSERT_EQ(0, clear_refs(self->child));
	EXPECT_EQ(0, cleared(fd, 0, 0));
	close(fd);
	thaw(self);

	rewrite(self, IN_ANON, 25, 100, 164, 3);
	ASSERT_EQ(0, dump(self, CKPT_DUMP_INCREMENTAL, 1, 0, &st));
	EXPECT_EQ(variant->tracking, st.tracking);
	EXPECT_EQ(164, st.region_pages);
	EXPECT_EXACT(st);
}

/*
 * Bits cleared after a dump that is not committed (the image was not
 * stored): the announcement is refused with -EINVAL, and the next
 * incremental dump, relative to the older committed one, compares hashes.
 */
TEST_F_TIMEOUT(sd, clear_after_uncommitted_dump_is_refused, 300)
{
	struct ps_stats st;
	int fd;

	ASSERT_EQ(0, start_child(self, 16384, 64));
	ASSERT_EQ(0, dump(self, 0, 1, 1, &st));
	rewrite(self, IN_ANON, 0, 100, 164, 1);
	rewrite(self, IN_FILE, 0, 8, 8, 1);

	ASSERT_EQ(0, frozen(self));
	fd = open_dump(self, CKPT_DUMP_INCREMENTAL);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, scan(self, fd, &st));
	EXPECT_EQ(variant->tracking, st.tracking);
	ASSERT_EQ(0, clear_refs(self->child));
	EXPECT_EQ(-EINVAL, cleared(fd, 0, 0));
	close(fd);
	thaw(self);

	rewrite(self, IN_ANON, 50, 100, 164, 2);
	ASSERT_EQ(0, dump(self, CKPT_DUMP_INCREMENTAL, 1, 0, &st));
	EXPECT_EQ(CKPT_DIRTY_HASH, st.tracking);
	EXPECT_EQ(0, st.end_unread);
	EXPECT_EQ(2 * 164 + 8, st.region_pages);
	EXPECT_EXACT(st);
}

/*
 * After the clear, pages lose their data without being written: dropped
 * (MADV_DONTNEED), dropped and read again (the zero page, the huge zero
 * page, or the file's own page of a private file mapping).  Their page
 * table entries are clean, but they hold no data now: neither PAGES nor
 * PAGES_SAME.  The rest is unchanged and not read.
 */
TEST_F_TIMEOUT(sd, dropped_pages_are_not_same, 300)
{
	unsigned char *none = calloc(2048, 1), fnone[64] = { 0 };
	uint64_t file_sum = 0;
	struct ps_stats st;

	ASSERT_EQ(0, start_child(self, 2048, 64));
	ASSERT_EQ(0, dump(self, 0, 1, 1, &st));
	EXPECT_EQ(2048 + 64, st.region_pages);

	child_do(self, OP_DONTNEED, IN_ANON, 0, 1, 32, 0);
	child_do(self, OP_READ, IN_ANON, 0, 1, 16, 0);	/* zero page */
	child_do(self, OP_DONTNEED, IN_ANON, 1024, 1, HUGE_PAGES, 0);
	child_do(self, OP_READ, IN_ANON, 1024, 1, HUGE_PAGES, 0);
	child_do(self, OP_DONTNEED, IN_FILE, 0, 1, 16, 0);
	for (size_t p = 0; p < 16; p++)
		file_sum += file_byte(p);
	EXPECT_EQ(file_sum,		/* the file's own bytes again */
		  child_do(self, OP_READ, IN_FILE, 0, 1, 16, 0));
	memset(none, 1, 32);
	memset(none + 1024, 1, HUGE_PAGES);
	memset(fnone, 1, 16);

	ASSERT_EQ(0, dump(self, CKPT_DUMP_INCREMENTAL, 1, 0, &st));
	EXPECT_EQ(variant->tracking, st.tracking);
	EXPECT_EQ(0, st.region_pages);
	EXPECT_EQ(0, wrong_pages(self->kind, self->want, none, 2048));
	EXPECT_EQ(0, wrong_pages(self->fkind, self->fwant, fnone, 64));
	if (variant->tracking == CKPT_DIRTY_SOFT_DIRTY)
		EXPECT_LE(1024 - 32 + HUGE_PAGES + 48, st.end_unread);
	free(none);
}

/*
 * The bits were cleared in process A; A exits, and a new process gets
 * A's pid (clone3 set_tid), a copy of its parent's memory whose page
 * table entries are clean too.  Its pages are not A's: all carried.
 */
TEST_F_TIMEOUT(sd, reused_pid_is_a_new_process, 300)
{
	struct ps_region r;
	struct ps_stats st;
	pid_t a, b;
	int fd;

	ASSERT_EQ(0, start_child(self, 1024, 64));
	a = child_do(self, OP_RESPAWN, IN_ANON, 0, 0, 0, 9);	/* A writes 9 */
	ASSERT_LT(0, a);
	for (size_t p = 0; p < self->npages; p++)
		self->gen[p] = 9;
	r = (struct ps_region){ .pid = a, .start = self->anon,
				.npages = self->npages, .kind = self->kind,
				.check = right_gen, .arg = self->gen };

	ASSERT_EQ(0, frozen(self));
	fd = open_dump(self, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ps_read_dump(fd, &r, 1, &st));
	EXPECT_EQ(self->npages, r.pages);
	EXPECT_EQ(0, r.bad);
	ASSERT_EQ(0, ioctl(fd, CKPT_IOC_DUMP_COMMIT));
	ASSERT_EQ(0, clear_refs(self->child));
	ASSERT_EQ(0, clear_refs(a));
	ASSERT_EQ(0, cleared(fd, 0, 0));
	close(fd);
	thaw(self);

	b = child_do(self, OP_RESPAWN, IN_ANON, 0, 0, 0, 0);	/* B for A */
	ASSERT_EQ(a, b);
	memset(self->gen, 0, self->npages);		/* the parent's data */
	ASSERT_EQ(0, frozen(self));
	fd = open_dump(self, CKPT_DUMP_INCREMENTAL);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ps_read_dump(fd, &r, 1, &st));
	EXPECT_EQ(variant->tracking, st.tracking);
	EXPECT_EQ(self->npages, r.pages);
	EXPECT_EQ(0, r.same);
	EXPECT_EQ(0, r.bad);
	close(fd);
	thaw(self);
	kill(b, SIGKILL);
}

/* Announcements that must be refused, and the module parameter. */
TEST_F_TIMEOUT(sd, cleared_misuse, 300)
{
	struct ckpt_dump_args pre = { .job_id = JOB, .flags = CKPT_DUMP_PREDUMP };
	struct ps_stats st;
	char buf[4096], mode[32] = "";
	int fd, fd2, pfd;

	ASSERT_EQ(0, start_child(self, 1024, 64));
	ASSERT_EQ(0, frozen(self));
	fd = open_dump(self, 0);
	ASSERT_LE(0, fd);
	EXPECT_EQ(sizeof(buf), read(fd, buf, sizeof(buf)));
	EXPECT_EQ(-EINVAL, cleared(fd, 0, 0));		/* not read to END */
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	EXPECT_EQ(-EINVAL, cleared(fd, 0, 0));		/* not committed */
	ASSERT_EQ(0, ioctl(fd, CKPT_IOC_DUMP_COMMIT));
	EXPECT_EQ(-EINVAL, cleared(fd, 1, 0));		/* unknown flag */
	EXPECT_EQ(-EINVAL, cleared(fd, 1U << 31, 0));
	EXPECT_EQ(-EINVAL, cleared(fd, 0, 1));		/* reserved */
	EXPECT_EQ(-1, ioctl(fd, CKPT_IOC_DUMP_SOFTDIRTY_CLEARED, NULL));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(0, cleared(fd, 0, 0));
	EXPECT_EQ(-EALREADY, cleared(fd, 0, 0));	/* twice */

	/* a newer dump committed in the same freeze: the old one is stale */
	fd2 = open_dump(self, 0);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, scan(self, fd2, &st));
	ASSERT_EQ(0, ioctl(fd2, CKPT_IOC_DUMP_COMMIT));
	EXPECT_EQ(-ESTALE, cleared(fd, 0, 0));
	EXPECT_EQ(0, cleared(fd2, 0, 0));
	close(fd);
	thaw(self);
	EXPECT_EQ(-ESTALE, cleared(fd2, 0, 0));		/* thawed since */
	close(fd2);

	/* a pre-dump of the running job cannot be a soft-dirty base */
	pfd = ioctl(self->dev, CKPT_IOC_DUMP, &pre);
	ASSERT_LE(0, pfd);
	ASSERT_EQ(0, scan(self, pfd, &st));
	ASSERT_EQ(0, ioctl(pfd, CKPT_IOC_DUMP_COMMIT));
	EXPECT_EQ(-ESTALE, cleared(pfd, 0, 0));
	close(pfd);

	/* the parameter takes its three words only */
	EXPECT_EQ(-EINVAL, set_mode("never"));
	EXPECT_EQ(-EINVAL, set_mode("\n"));
	EXPECT_EQ(0, set_mode("softdirty\n"));
	fd = open(PARAM, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	EXPECT_LT(0, read(fd, mode, sizeof(mode) - 1));
	close(fd);
	EXPECT_STREQ("softdirty\n", mode);
}

TEST_HARNESS_MAIN
