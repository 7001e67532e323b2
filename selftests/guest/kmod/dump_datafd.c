// SPDX-License-Identifier: GPL-2.0
/*
 * CKPT_DUMP_DATA_FD: the module writes page contents into a data file and
 * the stream carries PAGES_FILE records (offset and per-page hashes).
 *
 * The same frozen job dumped both ways gives the same pages with the same
 * bytes, each PAGES_FILE hash is xxh64 (seed 0) >> 1 of the bytes in the
 * file, and the pages follow each other from the file's size at the open.
 * Every bad data file is refused with the documented errno; a full file
 * system fails the read() with ENOSPC (CKPT_IOC_DUMP_ERROR names the
 * offset), leaves the job frozen, and closing the session thaws it.
 *
 * The pre-copy protocol (CKPT_DUMP_PRECOPY): a workload writes random
 * pages continuously while a pre-copy reads its memory; after the freeze
 * an incremental dump plus the pre-copy's pages for its PAGES_SAME give
 * byte for byte what a plain full dump of the same freeze gives, using
 * soft-dirty bits and reading only a small part of the job.  A pre-copy
 * parent is torn: a page written with the same bytes is carried again,
 * and without soft-dirty no page is declared unchanged by its hash.  The
 * refusals of the protocol (no announcement, twice, a commit after
 * another) and an incremental pre-copy after a clear in a freeze.  Last,
 * the time of a full dump of 256 MiB both ways (ms per MiB, printed).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/ckpt.h>

#include "dump_helpers.h"
#include "dump_stream.h"
#include "genl_raw.h"
#include "kselftest_harness.h"
#include "workload.h"
#include "xxh64.h"

#define PG		4096UL
#define JOB		7313
#define PARAM		"/sys/module/ckpt/parameters/dirty_tracking"
#define SHM_PAGES	64
#define MISC_PAGES	64	/* stacks, libc data: written by the child
				 * between dumps whatever the test does */

/* --- the workload ----------------------------------------------------------- */

/* Shared with the child: where its memory is and what its writer does. */
struct wl_state {
	uint64_t anon, shm;		/* addresses in the child */
	size_t npages;			/* of anon */
	volatile int writing;		/* the writer thread runs */
	volatile uint64_t writes;	/* pages it wrote */
};

enum { OP_FILL, OP_SAME };	/* write gen into pages / rewrite as they are */

struct cmd {
	uint32_t op, gen;
	uint64_t first, stride, count;
};

static void fill_page(uint8_t *p, uint64_t pg, uint64_t gen)
{
	memset(p, (int)(pg * 7 + gen * 31 + 1), PG);
	memcpy(p, &pg, sizeof(pg));
	memcpy(p + 8, &gen, sizeof(gen));
}

/* Writes random pages word by word (so that a copy may catch a page half
 * written), one page then a short pause, while st->writing says so. */
static void *writer_main(void *arg)
{
	struct wl_state *st = arg;
	uint64_t x = 88172645463325252ULL, counter = 1;

	for (;;) {
		uint64_t *w;
		size_t pg;

		if (!st->writing) {
			usleep(1000);
			continue;
		}
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		pg = x % (st->npages + SHM_PAGES);
		w = (uint64_t *)(uintptr_t)(pg < st->npages ?
			st->anon + pg * PG : st->shm + (pg - st->npages) * PG);
		for (size_t i = 0; i < PG / 8; i++)
			w[i] = counter;
		counter++;
		st->writes++;
		usleep(500);
	}
	return NULL;
}

static void child_main(struct wl_state *st, int cmd, int ack)
{
	uint8_t *anon = mmap(NULL, st->npages * PG, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int fd = memfd_create("ckpt-test-shm", MFD_CLOEXEC);
	uint8_t *shm;
	pthread_t t;
	struct cmd c;

	if (anon == MAP_FAILED || fd < 0 || ftruncate(fd, SHM_PAGES * PG))
		_exit(1);
	shm = mmap(NULL, SHM_PAGES * PG, PROT_READ | PROT_WRITE, MAP_SHARED,
		   fd, 0);
	if (shm == MAP_FAILED)
		_exit(1);
	madvise(anon, st->npages * PG, MADV_NOHUGEPAGE);
	for (size_t p = 0; p < st->npages; p++)
		fill_page(anon + p * PG, p, 0);
	for (size_t p = 0; p < SHM_PAGES; p++)
		fill_page(shm + p * PG, p + 1000000, 0);
	st->anon = (uintptr_t)anon;
	st->shm = (uintptr_t)shm;
	if (pthread_create(&t, NULL, writer_main, st))
		_exit(1);
	if (write(ack, "r", 1) != 1)
		_exit(1);
	while (read(cmd, &c, sizeof(c)) == sizeof(c)) {
		for (uint64_t i = 0, p = c.first; i < c.count; i++, p += c.stride) {
			volatile uint8_t *b = anon + p * PG;

			if (c.op == OP_FILL)
				fill_page(anon + p * PG, p, c.gen);
			else
				b[100] = b[100];	/* same bytes, written */
		}
		if (write(ack, "d", 1) != 1)
			_exit(1);
	}
	_exit(0);
}

/* --- the test's side --------------------------------------------------------- */

/* One page of a dump: in a PAGES record (data) or in the data file. */
struct dpage {
	pid_t pid;
	int kind;			/* DP_DATA, DP_FILE or DP_SAME */
	uint64_t addr;
	uint64_t off, hash;		/* DP_FILE */
	const uint8_t *data;		/* DP_DATA; DP_FILE once mapped */
};
enum { DP_DATA, DP_FILE, DP_SAME };

struct dlist {
	uint8_t *buf;			/* the stream */
	size_t len;
	struct dpage *v;
	size_t n, cap;
	struct ckpt_rec_begin begin;
	struct ckpt_rec_end end;
	bool ended;
	uint64_t files;			/* PAGES_FILE records */
};

static int dl_add(struct dlist *l, const struct dpage *p)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 4096;
		struct dpage *v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = *p;
	return 0;
}

static void dl_free(struct dlist *l)
{
	free(l->buf);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* Index the pages of the stream in l->buf. */
static int dl_parse(struct dlist *l)
{
	const struct ckpt_rec *rec;
	struct ckpt_stream s;
	size_t blen;
	int ret;

	ckpt_stream_init(&s, l->buf, l->len);
	while ((ret = ckpt_stream_next(&s, &rec, &blen)) == 1) {
		const void *b = rec + 1;
		struct dpage p = { 0 };

		switch (rec->type) {
		case CKPT_REC_BEGIN:
			memcpy(&l->begin, b, sizeof(l->begin));
			break;
		case CKPT_REC_END:
			memcpy(&l->end, b, sizeof(l->end));
			l->ended = true;
			break;
		case CKPT_REC_PAGES: {
			const struct ckpt_rec_pages *r = b;

			p.kind = DP_DATA;
			p.pid = r->pid;
			for (uint32_t i = 0; i < r->nr_pages; i++) {
				p.addr = r->start + i * PG;
				p.data = r->data + i * PG;
				if (dl_add(l, &p))
					return -ENOMEM;
			}
			break;
		}
		case CKPT_REC_PAGES_FILE: {
			const struct ckpt_rec_pages_file *r = b;

			if (blen < sizeof(*r) + r->nr_pages * sizeof(r->hash[0]) ||
			    !r->nr_pages || r->nr_pages > CKPT_PAGES_MAX_RUN)
				return -EBADMSG;
			l->files++;
			p.kind = DP_FILE;
			p.pid = r->pid;
			for (uint32_t i = 0; i < r->nr_pages; i++) {
				p.addr = r->start + i * PG;
				p.off = r->offset + i * PG;
				p.hash = r->hash[i];
				if (dl_add(l, &p))
					return -ENOMEM;
			}
			break;
		}
		case CKPT_REC_PAGES_SAME: {
			const struct ckpt_rec_pages_same *r = b;

			p.kind = DP_SAME;
			p.pid = r->pid;
			for (uint64_t i = 0; i < r->nr_pages; i++) {
				p.addr = r->start + i * PG;
				if (dl_add(l, &p))
					return -ENOMEM;
			}
			break;
		}
		}
	}
	return ret < 0 ? ret : l->ended ? 0 : -EIO;
}

/* Read session @fd to its end and index it; the read's -errno if it
 * failed. */
static int dl_read(int fd, struct dlist *l)
{
	int err;

	memset(l, 0, sizeof(*l));
	err = dh_read_all(fd, 0, &l->buf, &l->len);
	return err ?: dl_parse(l);
}

/* Point the file pages of @l at their bytes in @map (the data file). */
static void dl_resolve(struct dlist *l, const uint8_t *map)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].kind == DP_FILE)
			l->v[i].data = map + l->v[i].off;
}

/* The page of @pid at @addr in @l, or NULL (pages ascend per process). */
static const struct dpage *dl_find(const struct dlist *l, pid_t pid,
				   uint64_t addr)
{
	size_t lo = 0, hi = l->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		const struct dpage *p = &l->v[mid];

		if (p->pid < pid || (p->pid == pid && p->addr < addr))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < l->n && l->v[lo].pid == pid && l->v[lo].addr == addr ?
	       &l->v[lo] : NULL;
}

static uint64_t page_hash(const uint8_t *p)
{
	return ckptd_xxh64(p, PG, 0) >> 1;
}

/* File pages whose hash is not that of their bytes. */
static size_t bad_hashes(const struct dlist *l)
{
	size_t bad = 0;

	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].kind == DP_FILE &&
		    page_hash(l->v[i].data) != l->v[i].hash)
			bad++;
	return bad;
}

FIXTURE(df) {
	struct gnl g;
	struct gnl_reply r;
	int dev;
	struct wl_state *st;
	pid_t child;
	int cmd, ack;
	int data;			/* a memfd: the data file */
	uint8_t *map;
	size_t map_len;
};

FIXTURE_SETUP(df)
{
	self->child = -1;
	self->data = -1;
	self->map = NULL;
	ASSERT_EQ(0, dh_test_setup(&self->g, &self->dev));
	ASSERT_EQ(0, wl_write_file(PARAM, "auto"));
	self->st = wl_shared(sizeof(*self->st));
	ASSERT_NE(NULL, self->st);
	self->data = memfd_create("ckpt-data", MFD_CLOEXEC);
	ASSERT_LE(0, self->data);
}

FIXTURE_TEARDOWN(df)
{
	if (self->map)
		munmap(self->map, self->map_len);
	if (self->data >= 0)
		close(self->data);
	if (self->dev >= 0)
		close(self->dev);
	gnl_close(&self->g);
	wl_kill_descendants();
	wl_write_file(PARAM, "auto");
}

/* The workload with @npages of anonymous memory, as job JOB. */
static int start(struct _test_data_df *self, size_t npages)
{
	int c[2], a[2];
	char ch;

	self->st->npages = npages;
	if (pipe2(c, O_CLOEXEC) || pipe2(a, O_CLOEXEC))
		return -errno;
	self->child = fork();
	if (self->child < 0)
		return -errno;
	if (self->child == 0) {
		close(c[1]);
		close(a[0]);
		child_main(self->st, c[0], a[1]);
	}
	close(c[0]);
	close(a[1]);
	self->cmd = c[1];
	self->ack = a[0];
	if (read(self->ack, &ch, 1) != 1)
		return -EIO;
	return gnl_job_create(&self->g, JOB, CKPT_JOB_TREE, self->child, NULL,
			      &self->r);
}

static void child_do(struct _test_data_df *self, uint32_t op, uint64_t first,
		     uint64_t stride, uint64_t count, uint32_t gen)
{
	struct cmd c = { .op = op, .gen = gen, .first = first,
			 .stride = stride, .count = count };
	char ch;

	if (write(self->cmd, &c, sizeof(c)) != sizeof(c) ||
	    read(self->ack, &ch, 1) != 1)
		abort();
}

static int freeze(struct _test_data_df *self)
{
	return gnl_job_freeze(&self->g, JOB, 60000, &self->r);
}

static int thaw(struct _test_data_df *self)
{
	return gnl_job_simple(&self->g, CKPT_CMD_JOB_THAW, JOB, &self->r);
}

/* CKPT_IOC_DUMP of JOB: the session fd or -errno. */
static int open_dump(int dev, uint32_t flags, int data_fd)
{
	struct ckpt_dump_args a = { .job_id = JOB, .flags = flags,
				    .data_fd = data_fd };
	int fd = ioctl(dev, CKPT_IOC_DUMP, &a);

	return fd < 0 ? -errno : fd;
}

static int announce(int fd, uint32_t flags)
{
	struct ckpt_softdirty_cleared_args a = { .flags = flags };

	return ioctl(fd, CKPT_IOC_DUMP_SOFTDIRTY_CLEARED, &a) ? -errno : 0;
}

static int commit(int fd)
{
	return ioctl(fd, CKPT_IOC_DUMP_COMMIT) ? -errno : 0;
}

static int clear_refs(pid_t pid)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/clear_refs", pid);
	return wl_write_file(path, "4");
}

/* Open, read whole and close a dump of JOB into @l (fd -1: PAGES). */
static int dump_into(struct _test_data_df *self, uint32_t flags, int data,
		     struct dlist *l)
{
	int fd = open_dump(self->dev, flags | (data >= 0 ? CKPT_DUMP_DATA_FD : 0),
			   data >= 0 ? data : 0);
	int err;

	if (fd < 0)
		return fd;
	err = dl_read(fd, l);
	close(fd);
	return err;
}

/* Map the data file as it is now (again after it grew). */
static int map_data(struct _test_data_df *self)
{
	struct stat sb;

	if (self->map)
		munmap(self->map, self->map_len);
	self->map = NULL;
	if (fstat(self->data, &sb))
		return -errno;
	self->map_len = sb.st_size;
	if (!self->map_len)
		return 0;
	self->map = mmap(NULL, self->map_len, PROT_READ, MAP_SHARED,
			 self->data, 0);
	if (self->map == MAP_FAILED) {
		self->map = NULL;
		return -errno;
	}
	return 0;
}

static off_t data_size(int fd)
{
	struct stat sb;

	return fstat(fd, &sb) ? -1 : sb.st_size;
}

TEST_F(df, same_pages_and_hashes_as_the_stream)
{
	struct dlist a, b;
	uint8_t head[2 * PG];
	size_t npages = 2048;

	ASSERT_EQ(0, start(self, npages));
	ASSERT_EQ(0, freeze(self)) TH_LOG("%s", self->r.extack);
	/* a data file that already holds two pages: they stay as they are */
	memset(head, 'Z', sizeof(head));
	ASSERT_EQ((ssize_t)sizeof(head), write(self->data, head, sizeof(head)));

	ASSERT_EQ(0, dump_into(self, 0, -1, &a));
	ASSERT_EQ(0, dump_into(self, 0, self->data, &b));
	ASSERT_EQ(0, map_data(self));
	dl_resolve(&b, self->map);

	EXPECT_EQ(0u, a.begin.flags);
	EXPECT_EQ(CKPT_DUMP_DATA_FD, b.begin.flags);
	EXPECT_EQ(0u, a.files);
	EXPECT_NE(0u, b.files);
	ASSERT_EQ(a.n, b.n);
	EXPECT_LE(npages + SHM_PAGES, a.n);
	EXPECT_EQ(a.end.nr_pages, b.end.nr_pages);
	EXPECT_EQ((off_t)(sizeof(head) + b.n * PG), data_size(self->data));
	for (size_t i = 0; i < sizeof(head); i++)
		ASSERT_EQ('Z', self->map[i]);
	for (size_t i = 0; i < a.n; i++) {
		const struct dpage *pa = &a.v[i], *pb = &b.v[i];

		ASSERT_EQ(DP_DATA, pa->kind);
		ASSERT_EQ(DP_FILE, pb->kind);
		ASSERT_EQ(pa->pid, pb->pid);
		ASSERT_EQ(pa->addr, pb->addr);
		/* one page after the other from the size at the open */
		ASSERT_EQ(sizeof(head) + i * PG, pb->off);
		ASSERT_EQ(0, memcmp(pa->data, pb->data, PG)) TH_LOG("page %zu", i);
		ASSERT_EQ(page_hash(pa->data), pb->hash);
	}
	EXPECT_EQ(0u, bad_hashes(&b));
	dl_free(&a);
	dl_free(&b);
}

TEST_F(df, bad_data_files_are_refused)
{
	char path[64];
	int p[2], ro, opath, dir, odd;

	ASSERT_EQ(0, start(self, 64));
	ASSERT_EQ(0, freeze(self)) TH_LOG("%s", self->r.extack);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", self->data);
	ro = open(path, O_RDONLY | O_CLOEXEC);
	opath = open(path, O_PATH | O_CLOEXEC);
	dir = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	odd = memfd_create("ckpt-odd", MFD_CLOEXEC);
	ASSERT_EQ(0, pipe2(p, O_CLOEXEC));
	ASSERT_LE(0, ro);
	ASSERT_LE(0, opath);
	ASSERT_LE(0, dir);
	ASSERT_LE(0, odd);
	ASSERT_EQ(0, ftruncate(odd, 100));

	EXPECT_EQ(-EBADF, open_dump(self->dev, CKPT_DUMP_DATA_FD, ro));
	EXPECT_EQ(-EBADF, open_dump(self->dev, CKPT_DUMP_DATA_FD, opath));
	EXPECT_EQ(-EBADF, open_dump(self->dev, CKPT_DUMP_DATA_FD, 987));
	EXPECT_EQ(-EBADF, open_dump(self->dev, CKPT_DUMP_DATA_FD, -1));
	EXPECT_EQ(-EINVAL, open_dump(self->dev, CKPT_DUMP_DATA_FD, p[1]));
	EXPECT_EQ(-EINVAL, open_dump(self->dev, CKPT_DUMP_DATA_FD, p[0]));
	EXPECT_EQ(-EINVAL, open_dump(self->dev, CKPT_DUMP_DATA_FD, dir));
	EXPECT_EQ(-EINVAL, open_dump(self->dev, CKPT_DUMP_DATA_FD, self->dev));
	EXPECT_EQ(-EINVAL, open_dump(self->dev, CKPT_DUMP_DATA_FD, odd));
	/* data_fd without the flag, the flag with reserved fields */
	EXPECT_EQ(-EINVAL, open_dump(self->dev, 0, self->data));
	{
		struct ckpt_dump_args a = { .job_id = JOB,
					    .flags = CKPT_DUMP_DATA_FD,
					    .data_fd = self->data };

		a.reserved0 = 1;
		EXPECT_EQ(-1, ioctl(self->dev, CKPT_IOC_DUMP, &a));
		EXPECT_EQ(EINVAL, errno);
		a.reserved0 = 0;
		a.reserved = 1;
		EXPECT_EQ(-1, ioctl(self->dev, CKPT_IOC_DUMP, &a));
		EXPECT_EQ(EINVAL, errno);
	}
	/* a pre-copy is a pre-dump with a data file */
	EXPECT_EQ(-EINVAL, open_dump(self->dev, CKPT_DUMP_DATA_FD |
				     CKPT_DUMP_PRECOPY, self->data));
	EXPECT_EQ(-EINVAL, open_dump(self->dev, CKPT_DUMP_PREDUMP |
				     CKPT_DUMP_PRECOPY, 0));
	EXPECT_EQ(0, data_size(self->data));	/* nothing written */
	EXPECT_EQ(CKPT_JOB_FROZEN, dh_job_state(&self->g, JOB));

	/* the good one is accepted after all that */
	{
		int fd = open_dump(self->dev, CKPT_DUMP_DATA_FD, self->data);

		EXPECT_LE(0, fd);
		if (fd >= 0)
			close(fd);
	}
	close(ro);
	close(opath);
	close(dir);
	close(odd);
	close(p[0]);
	close(p[1]);
}

/* A data file on a 256 KiB tmpfs mounted on @dir: the fd, or -1. */
static int small_data_file(char *dir)
{
	char path[64];

	if (!mkdtemp(dir) || mount("ckpt-enospc", dir, "tmpfs", 0, "size=256k"))
		return -1;
	snprintf(path, sizeof(path), "%s/pages", dir);
	return open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
}

/* Read session @fd to its end: the last read()'s -errno, or 0. */
static int read_to_failure(int fd)
{
	static uint8_t buf[65536];
	ssize_t n;

	do
		n = read(fd, buf, sizeof(buf));
	while (n > 0);
	return n < 0 ? -errno : 0;
}

TEST_F(df, full_file_system_fails_the_read_with_enospc)
{
	char dir[] = "/tmp/ckpt-enospc-XXXXXX";
	struct ckpt_dump_error e;
	struct dlist l;
	int fd, data;

	ASSERT_EQ(0, start(self, 2048));	/* 8 MiB */
	data = small_data_file(dir);
	ASSERT_LE(0, data) TH_LOG("%s: %s", dir, strerror(errno));
	ASSERT_EQ(0, freeze(self)) TH_LOG("%s", self->r.extack);

	fd = open_dump(self->dev, CKPT_DUMP_DATA_FD, data);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-ENOSPC, read_to_failure(fd));
	ASSERT_EQ(0, dh_dump_error(fd, &e));
	EXPECT_EQ(-ENOSPC, e.error);
	EXPECT_EQ(self->child, e.pid);
	EXPECT_NE(NULL, strstr(e.msg, "data file at offset"));
	TH_LOG("CKPT_IOC_DUMP_ERROR: %s", e.msg);
	/* a failed read leaves the job frozen; closing the session thaws */
	EXPECT_EQ(CKPT_JOB_FROZEN, dh_job_state(&self->g, JOB));
	close(fd);
	EXPECT_EQ(CKPT_JOB_RUNNING, dh_job_state(&self->g, JOB));
	close(data);
	umount(dir);
	rmdir(dir);

	/* a file with room for it works */
	ASSERT_EQ(0, freeze(self)) TH_LOG("%s", self->r.extack);
	ASSERT_EQ(0, dump_into(self, 0, self->data, &l));
	ASSERT_EQ(0, map_data(self));
	dl_resolve(&l, self->map);
	EXPECT_LE(2048u + SHM_PAGES, l.end.nr_pages);
	EXPECT_EQ((off_t)(l.end.nr_pages * PG), data_size(self->data));
	EXPECT_EQ(0u, bad_hashes(&l));
	dl_free(&l);
}

/*
 * CKPT_IOC_DUMP_KEEP_FROZEN: the dumper keeps a job frozen past a failed
 * dump (ckptctl freeze on a full disk); a pre-dump's session refuses it.
 */
TEST_F(df, keep_frozen_past_a_failed_dump)
{
	char dir[] = "/tmp/ckpt-keep-XXXXXX";
	struct ckpt_dump_args pa = { .job_id = JOB, .flags = CKPT_DUMP_PREDUMP };
	int fd, data, pfd;

	ASSERT_EQ(0, start(self, 2048));	/* 8 MiB */
	data = small_data_file(dir);
	ASSERT_LE(0, data) TH_LOG("%s: %s", dir, strerror(errno));

	pfd = ioctl(self->dev, CKPT_IOC_DUMP, &pa);
	ASSERT_LE(0, pfd) TH_LOG("pre-dump: %s", strerror(errno));
	EXPECT_EQ(-1, ioctl(pfd, CKPT_IOC_DUMP_KEEP_FROZEN));
	EXPECT_EQ(EINVAL, errno);
	close(pfd);

	ASSERT_EQ(0, freeze(self)) TH_LOG("%s", self->r.extack);
	fd = open_dump(self->dev, CKPT_DUMP_DATA_FD, data);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-ENOSPC, read_to_failure(fd));
	EXPECT_EQ(0, ioctl(fd, CKPT_IOC_DUMP_KEEP_FROZEN)) TH_LOG("%s", strerror(errno));
	close(fd);
	/* the session is gone, the job is still frozen, and a thaw works */
	EXPECT_EQ(CKPT_JOB_FROZEN, dh_job_state(&self->g, JOB));
	EXPECT_EQ(0, thaw(self)) TH_LOG("%s", self->r.extack);
	EXPECT_EQ(CKPT_JOB_RUNNING, dh_job_state(&self->g, JOB));
	close(data);
	umount(dir);
	rmdir(dir);
}

/*
 * The memory a final incremental dump @f gives with the pre-copy @p for
 * its PAGES_SAME must be that of the full dump @full, page for page.
 * Returns the number of pages that differ or are missing.
 */
static size_t composed_differs(const struct dlist *p, const struct dlist *f,
			       const struct dlist *full)
{
	size_t bad = 0;

	if (f->n != full->n)
		bad += f->n > full->n ? f->n - full->n : full->n - f->n;
	for (size_t i = 0; i < full->n; i++) {
		const struct dpage *want = &full->v[i];
		const struct dpage *got = dl_find(f, want->pid, want->addr);

		if (got && got->kind == DP_SAME)
			got = dl_find(p, want->pid, want->addr);
		if (!got || got->kind == DP_SAME || !got->data ||
		    memcmp(got->data, want->data, PG))
			bad++;
	}
	return bad;
}

/* The pre-copy @p's PAGES_SAME pages take their bytes from its parent
 * @base; returns how many @base lacks. */
static size_t inherit_same(struct dlist *p, const struct dlist *base)
{
	size_t missing = 0;

	for (size_t i = 0; i < p->n; i++) {
		const struct dpage *b;

		if (p->v[i].kind != DP_SAME)
			continue;
		b = dl_find(base, p->v[i].pid, p->v[i].addr);
		if (b)
			p->v[i] = *b;
		else
			missing++;
	}
	return missing;
}

/* A pre-copy of the running job: open, clear, announce, read, commit. */
static int precopy(struct _test_data_df *self, uint32_t more, struct dlist *l)
{
	int fd = open_dump(self->dev, CKPT_DUMP_PREDUMP | CKPT_DUMP_DATA_FD |
			   CKPT_DUMP_PRECOPY | more, self->data);
	int err;

	if (fd < 0)
		return fd;
	err = clear_refs(self->child) ?: announce(fd, 0) ?: dl_read(fd, l) ?:
	      commit(fd);
	close(fd);
	return err;
}

TEST_F(df, precopy_then_final_dump_is_the_frozen_memory)
{
	struct dlist p, f, full;
	uint64_t before;
	size_t npages = 8192;	/* 32 MiB */

	ASSERT_EQ(0, start(self, npages));
	self->st->writing = 1;
	wl_sleep_ms(50);
	before = self->st->writes;
	ASSERT_EQ(0, precopy(self, 0, &p));
	TH_LOG("the workload wrote %llu pages during the pre-copy",
	       (unsigned long long)(self->st->writes - before));
	EXPECT_LT(before, self->st->writes);
	EXPECT_EQ(CKPT_DIRTY_NONE, p.begin.dirty_tracking);
	EXPECT_LE(npages + SHM_PAGES, p.end.nr_pages);
	wl_sleep_ms(100);

	ASSERT_EQ(0, freeze(self)) TH_LOG("%s", self->r.extack);
	ASSERT_EQ(0, dump_into(self, CKPT_DUMP_INCREMENTAL, self->data, &f));
	ASSERT_EQ(0, dump_into(self, 0, -1, &full));
	ASSERT_EQ(0, map_data(self));
	dl_resolve(&p, self->map);
	dl_resolve(&f, self->map);

	EXPECT_EQ(CKPT_DIRTY_SOFT_DIRTY, f.begin.dirty_tracking);
	EXPECT_EQ(p.begin.dump_seq, f.begin.parent_seq);
	EXPECT_EQ(0u, composed_differs(&p, &f, &full));
	EXPECT_EQ(0u, bad_hashes(&f));
	/* only what was written since the clear, and the shared memory
	 * soft-dirty cannot track, was read */
	TH_LOG("final dump: %llu pages read, %llu unchanged unread, of %zu",
	       (unsigned long long)f.end.nr_pages,
	       (unsigned long long)f.end.nr_pages_unread, full.n);
	EXPECT_LE(SHM_PAGES, f.end.nr_pages);
	EXPECT_GT(full.n / 4, f.end.nr_pages);
	EXPECT_LT(full.n / 2, f.end.nr_pages_unread);
	dl_free(&p);
	dl_free(&f);
	dl_free(&full);
}

TEST_F(df, torn_parent_is_never_trusted_by_hash)
{
	struct dlist p, f, g;
	size_t npages = 1024;
	uint64_t total;
	int fd;

	ASSERT_EQ(0, start(self, npages));
	ASSERT_EQ(0, precopy(self, 0, &p));
	/* 16 pages written with the bytes they hold: their hashes match */
	child_do(self, OP_SAME, 10, 50, 16, 0);
	ASSERT_EQ(0, freeze(self)) TH_LOG("%s", self->r.extack);
	ASSERT_EQ(0, dump_into(self, CKPT_DUMP_INCREMENTAL, self->data, &f));
	EXPECT_EQ(CKPT_DIRTY_SOFT_DIRTY, f.begin.dirty_tracking);
	for (size_t i = 0; i < 16; i++) {
		const struct dpage *d = dl_find(&f, self->child,
						self->st->anon + (10 + 50 * i) * PG);

		ASSERT_NE(NULL, d);
		EXPECT_EQ(DP_FILE, d->kind) TH_LOG("page %zu", 10 + 50 * i);
	}
	EXPECT_LE(16u + SHM_PAGES, f.end.nr_pages);
	EXPECT_GE(16u + SHM_PAGES + MISC_PAGES, f.end.nr_pages);

	/* without soft-dirty bits nothing of a torn parent is unchanged */
	ASSERT_EQ(0, wl_write_file(PARAM, "hash"));
	ASSERT_EQ(0, dump_into(self, CKPT_DUMP_INCREMENTAL, self->data, &g));
	EXPECT_EQ(CKPT_DIRTY_HASH, g.begin.dirty_tracking);
	EXPECT_EQ(0u, g.end.nr_pages_same);
	EXPECT_EQ(f.end.nr_pages + f.end.nr_pages_same, g.end.nr_pages);
	dl_free(&g);

	/* a parent that is not torn: hashes do say what is unchanged */
	fd = open_dump(self->dev, CKPT_DUMP_DATA_FD, self->data);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, dl_read(fd, &g));
	ASSERT_EQ(0, commit(fd));
	close(fd);
	total = g.end.nr_pages;
	dl_free(&g);
	ASSERT_EQ(0, dump_into(self, CKPT_DUMP_INCREMENTAL, self->data, &g));
	EXPECT_EQ(0u, g.end.nr_pages);
	EXPECT_EQ(total, g.end.nr_pages_same);
	dl_free(&p);
	dl_free(&f);
	dl_free(&g);
}

TEST_F(df, precopy_protocol_refusals)
{
	struct ckpt_dump_error e;
	struct dlist l;
	uint8_t buf[4096];
	int fd, other;

	ASSERT_EQ(0, start(self, 256));
	/* read before the announcement */
	fd = open_dump(self->dev, CKPT_DUMP_PREDUMP | CKPT_DUMP_DATA_FD |
		       CKPT_DUMP_PRECOPY, self->data);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, read(fd, buf, sizeof(buf)));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ(0, dh_dump_error(fd, &e));
	EXPECT_EQ(-EINVAL, e.error);
	EXPECT_NE(NULL, strstr(e.msg, "CKPT_IOC_DUMP_SOFTDIRTY_CLEARED"));
	close(fd);
	EXPECT_EQ(0, data_size(self->data));

	/* twice, and with bad arguments */
	fd = open_dump(self->dev, CKPT_DUMP_PREDUMP | CKPT_DUMP_DATA_FD |
		       CKPT_DUMP_PRECOPY, self->data);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EINVAL, announce(fd, 1));
	ASSERT_EQ(0, clear_refs(self->child));
	EXPECT_EQ(0, announce(fd, 0));
	EXPECT_EQ(-EALREADY, announce(fd, 0));

	/* another dump committed since this one was opened */
	other = open_dump(self->dev, CKPT_DUMP_PREDUMP, 0);
	ASSERT_LE(0, other);
	ASSERT_EQ(0, dl_read(other, &l));
	dl_free(&l);
	ASSERT_EQ(0, commit(other));
	close(other);
	ASSERT_EQ(0, dl_read(fd, &l));
	dl_free(&l);
	EXPECT_EQ(-ESTALE, commit(fd));
	close(fd);

	/* a pre-copy needs soft-dirty bits */
	ASSERT_EQ(0, wl_write_file(PARAM, "hash"));
	EXPECT_EQ(-EOPNOTSUPP, open_dump(self->dev, CKPT_DUMP_PREDUMP |
					 CKPT_DUMP_DATA_FD | CKPT_DUMP_PRECOPY,
					 self->data));
	ASSERT_EQ(0, wl_write_file(PARAM, "auto"));

	/* a frozen dump's session takes no announcement before its end */
	ASSERT_EQ(0, freeze(self)) TH_LOG("%s", self->r.extack);
	fd = open_dump(self->dev, 0, 0);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EINVAL, announce(fd, 0));
	close(fd);
}

/*
 * A committed full dump of the frozen job into @base, its soft-dirty bits
 * cleared and announced in the same freeze: the job stays frozen.
 */
static int sd_base(struct _test_data_df *self, struct dlist *base)
{
	int fd = open_dump(self->dev, CKPT_DUMP_DATA_FD, self->data);
	int ret;

	if (fd < 0)
		return fd;
	ret = dl_read(fd, base) ?: commit(fd) ?: clear_refs(self->child) ?:
	      announce(fd, 0);
	close(fd);
	return ret;
}

/*
 * Freeze, the final incremental dump @f after pre-copy @p of @base and a
 * full dump of the same freeze: the pre-copy inherits @base's unchanged
 * pages and composed with @f gives the full dump's memory.  Frees all.
 */
static void check_final(struct __test_metadata *_metadata,
			struct _test_data_df *self, struct dlist *base,
			struct dlist *p, bool shm_only)
{
	struct dlist f, full;

	ASSERT_EQ(0, freeze(self)) TH_LOG("%s", self->r.extack);
	ASSERT_EQ(0, dump_into(self, CKPT_DUMP_INCREMENTAL, self->data, &f));
	ASSERT_EQ(0, dump_into(self, 0, -1, &full));
	ASSERT_EQ(0, map_data(self));
	dl_resolve(base, self->map);
	dl_resolve(p, self->map);
	dl_resolve(&f, self->map);
	EXPECT_EQ(CKPT_DIRTY_SOFT_DIRTY, f.begin.dirty_tracking);
	if (shm_only) {
		EXPECT_LE((uint64_t)SHM_PAGES, f.end.nr_pages);
		EXPECT_GE((uint64_t)SHM_PAGES + MISC_PAGES, f.end.nr_pages);
	}
	EXPECT_EQ(0u, inherit_same(p, base));
	EXPECT_EQ(0u, composed_differs(p, &f, &full));
	dl_free(base);
	dl_free(p);
	dl_free(&f);
	dl_free(&full);
}

TEST_F(df, incremental_precopy_after_a_clear_in_the_freeze)
{
	struct dlist base, p;
	size_t npages = 4096, written = 0;

	ASSERT_EQ(0, start(self, npages));
	ASSERT_EQ(0, freeze(self)) TH_LOG("%s", self->r.extack);
	ASSERT_EQ(0, sd_base(self, &base));
	ASSERT_EQ(0, thaw(self));

	/* 2 % of the pages, spread */
	child_do(self, OP_FILL, 3, 50, npages / 50, 1);
	written = npages / 50;
	ASSERT_EQ(0, precopy(self, CKPT_DUMP_INCREMENTAL, &p));
	EXPECT_EQ(base.begin.dump_seq, p.begin.parent_seq);
	/* opened while the job ran: hashes, every page read */
	EXPECT_EQ(CKPT_DIRTY_HASH, p.begin.dirty_tracking);
	EXPECT_EQ(0u, p.end.nr_pages_unread);
	/* the written pages are carried, no more (the shared memory is
	 * compared by hash with a parent that is not torn: unchanged) */
	TH_LOG("incremental pre-copy: %llu pages carried, %llu unchanged",
	       (unsigned long long)p.end.nr_pages,
	       (unsigned long long)p.end.nr_pages_same);
	EXPECT_LE(written, p.end.nr_pages);
	EXPECT_GE(written + MISC_PAGES, p.end.nr_pages);
	EXPECT_LE(base.end.nr_pages - written - MISC_PAGES,
		  p.end.nr_pages_same);

	check_final(_metadata, self, &base, &p, true);
}

/*
 * Opened in the freeze whose dump was committed and cleared, announced in
 * it too: the pre-copy reads, once the job runs again, only what the job
 * wrote; the rest is unchanged by the parent's soft-dirty bits, unread.
 */
TEST_F(df, incremental_precopy_opened_frozen_reads_only_the_written)
{
	struct dlist base, p;
	size_t npages = 4096, written = npages / 50;
	int pre;

	ASSERT_EQ(0, start(self, npages));
	ASSERT_EQ(0, freeze(self)) TH_LOG("%s", self->r.extack);
	ASSERT_EQ(0, sd_base(self, &base));
	pre = open_dump(self->dev, CKPT_DUMP_INCREMENTAL | CKPT_DUMP_PREDUMP |
			CKPT_DUMP_DATA_FD | CKPT_DUMP_PRECOPY, self->data);
	ASSERT_LE(0, pre);
	ASSERT_EQ(0, clear_refs(self->child));
	ASSERT_EQ(0, announce(pre, 0));
	ASSERT_EQ(0, thaw(self));

	child_do(self, OP_FILL, 7, 50, written, 2);
	ASSERT_EQ(0, dl_read(pre, &p));
	ASSERT_EQ(0, commit(pre));
	close(pre);
	TH_LOG("pre-copy opened frozen: %llu pages carried, %llu unchanged unread",
	       (unsigned long long)p.end.nr_pages,
	       (unsigned long long)p.end.nr_pages_unread);
	EXPECT_EQ(CKPT_DIRTY_SOFT_DIRTY, p.begin.dirty_tracking);
	EXPECT_LE(written, p.end.nr_pages);
	EXPECT_GE(written + MISC_PAGES, p.end.nr_pages);
	EXPECT_LE(npages - written - MISC_PAGES, p.end.nr_pages_unread);

	check_final(_metadata, self, &base, &p, false);
}

static double ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1e3 + (t.tv_nsec - t0->tv_nsec) / 1e6;
}

/* The time of a full dump of 256 MiB: read() of PAGES records vs a data
 * file on tmpfs (a memfd).  Printed; both must carry every page. */
TEST_F_TIMEOUT(df, full_dump_time_256mib, 600)
{
	size_t npages = 65536, bufsz = 1 << 20;
	uint8_t *buf = malloc(bufsz);
	int pre = memfd_create("ckpt-pre", MFD_CLOEXEC);
	int floor = memfd_create("ckpt-floor", MFD_CLOEXEC);
	double mib = npages * PG >> 20, alloc_ms, floor_ms;
	struct timespec t0;
	struct dlist l;
	double old_ms, file_ms;
	uint64_t bytes = 0;
	ssize_t n;
	int fd;

	ASSERT_NE(NULL, buf);
	ASSERT_LE(0, pre);
	ASSERT_LE(0, floor);
	memset(buf, 0x5a, bufsz);
	ASSERT_EQ(0, start(self, npages));
	ASSERT_EQ(0, freeze(self)) TH_LOG("%s", self->r.extack);

	fd = open_dump(self->dev, 0, 0);
	ASSERT_LE(0, fd);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while ((n = read(fd, buf, bufsz)) > 0)
		bytes += n;
	old_ms = ms_since(&t0);
	ASSERT_EQ(0, n);
	close(fd);

	fd = open_dump(self->dev, CKPT_DUMP_DATA_FD, self->data);
	ASSERT_LE(0, fd);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ASSERT_EQ(0, dl_read(fd, &l));
	file_ms = ms_since(&t0);
	close(fd);
	EXPECT_EQ((off_t)(l.end.nr_pages * PG), data_size(self->data));
	EXPECT_LE(npages, l.end.nr_pages);
	dl_free(&l);

	/* the same into pages the file already has (fallocate, size kept) */
	ASSERT_EQ(0, fallocate(pre, FALLOC_FL_KEEP_SIZE, 0,
			       (npages + 4096) * PG));
	fd = open_dump(self->dev, CKPT_DUMP_DATA_FD, pre);
	ASSERT_LE(0, fd);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ASSERT_EQ(0, dl_read(fd, &l));
	alloc_ms = ms_since(&t0);
	close(fd);
	dl_free(&l);

	/* the floor: write() of a buffer into a fresh tmpfs file */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (size_t done = 0; done < npages * PG; done += bufsz)
		ASSERT_EQ((ssize_t)bufsz, write(floor, buf, bufsz));
	floor_ms = ms_since(&t0);
	close(pre);
	close(floor);
	EXPECT_LE(npages * PG, bytes);
	TH_LOG("full dump of %.0f MiB: read() of PAGES %.0f ms (%.2f ms/MiB), data file on tmpfs %.0f ms (%.2f ms/MiB), into preallocated tmpfs pages %.0f ms (%.2f ms/MiB); write() of a buffer to tmpfs %.0f ms (%.2f ms/MiB)",
	       mib, old_ms, old_ms / mib, file_ms, file_ms / mib,
	       alloc_ms, alloc_ms / mib, floor_ms, floor_ms / mib);
	free(buf);
}

TEST_HARNESS_MAIN
