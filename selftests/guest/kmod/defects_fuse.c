// SPDX-License-Identifier: GPL-2.0
/*
 * The dumper is not wedged by a FUSE server that stops answering (issue
 * 12).  A minimal FUSE server (raw /dev/fuse, no libfuse) serves one
 * 16-page file; a member maps it MAP_PRIVATE, writes to page 0 (a copy on
 * write) and never touches the others, which are not in the page cache
 * (no readahead, MADV_RANDOM; checked with mincore).  Then the server is
 * stopped with SIGSTOP.  A frozen dump, and a pre-dump of the running job,
 * must complete within 30 s and carry the copied page.  Before the fix
 * the dumper faulted in every page of the mapping and hung in the FUSE
 * read of page 1.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/ckpt.h>
#include <linux/fuse.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dump_helpers.h"
#include "genl_raw.h"
#include "kselftest_harness.h"
#include "page_scan.h"
#include "workload.h"

#define PS		4096UL
#define FILE_PAGES	16
#define FILE_NAME	"data"
#define FILE_INO	2
#define DUMP_BOUND_MS	30000

/* --- the server ---------------------------------------------------------------- */

static uint8_t file_byte(uint64_t off)
{
	return (uint8_t)(off / PS * 7 + 1);
}

static void fill_attr(struct fuse_attr *a, uint64_t ino)
{
	memset(a, 0, sizeof(*a));
	a->ino = ino;
	a->blksize = PS;
	if (ino == FUSE_ROOT_ID) {
		a->mode = S_IFDIR | 0755;
		a->nlink = 2;
	} else {
		a->mode = S_IFREG | 0644;
		a->nlink = 1;
		a->size = FILE_PAGES * PS;
		a->blocks = FILE_PAGES * PS / 512;
	}
}

static int reply(int fd, uint64_t unique, int error, const void *data,
		 size_t len)
{
	static uint8_t out[sizeof(struct fuse_out_header) + 128 * 1024];
	struct fuse_out_header *h = (void *)out;

	h->len = sizeof(*h) + len;
	h->error = error;
	h->unique = unique;
	if (len)
		memcpy(out + sizeof(*h), data, len);
	return write(fd, out, h->len) == (ssize_t)h->len ? 0 : -errno;
}

/* Serve requests on @fd until the connection ends. */
static void __attribute__((noreturn)) serve(int fd)
{
	static uint8_t buf[FUSE_MIN_READ_BUFFER + 128 * 1024];

	prctl(PR_SET_NAME, "ckpt-fusesrv");
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		struct fuse_in_header *in = (void *)buf;
		void *arg = buf + sizeof(*in);

		if (n < 0 && (errno == EINTR || errno == ENOENT))
			continue;
		if (n < (ssize_t)sizeof(*in))
			_exit(0);	/* unmounted or aborted */
		switch (in->opcode) {
		case FUSE_INIT: {
			const struct fuse_init_in *ii = arg;
			struct fuse_init_out o = {
				.major = FUSE_KERNEL_VERSION,
				.minor = ii->minor < FUSE_KERNEL_MINOR_VERSION ?
					 ii->minor : FUSE_KERNEL_MINOR_VERSION,
				.max_readahead = 0,	/* one page per fault */
				.max_background = 1,
				.congestion_threshold = 1,
				.max_write = PS,
				.time_gran = 1,
			};
			reply(fd, in->unique, 0, &o, sizeof(o));
			break;
		}
		case FUSE_LOOKUP: {
			struct fuse_entry_out o = { 0 };

			if (in->nodeid != FUSE_ROOT_ID || strcmp(arg, FILE_NAME)) {
				reply(fd, in->unique, -ENOENT, NULL, 0);
				break;
			}
			o.nodeid = FILE_INO;
			o.generation = 1;
			o.entry_valid = o.attr_valid = 3600;
			fill_attr(&o.attr, FILE_INO);
			reply(fd, in->unique, 0, &o, sizeof(o));
			break;
		}
		case FUSE_GETATTR: {
			struct fuse_attr_out o = { .attr_valid = 3600 };

			fill_attr(&o.attr, in->nodeid);
			reply(fd, in->unique, 0, &o, sizeof(o));
			break;
		}
		case FUSE_OPEN:
		case FUSE_OPENDIR: {
			struct fuse_open_out o = { .fh = 1 };

			reply(fd, in->unique, 0, &o, sizeof(o));
			break;
		}
		case FUSE_READ: {
			const struct fuse_read_in *ri = arg;
			static uint8_t data[128 * 1024];
			uint64_t size = FILE_PAGES * PS, len = 0;

			if (ri->offset < size)
				len = size - ri->offset;
			if (len > ri->size)
				len = ri->size;
			if (len > sizeof(data))
				len = sizeof(data);
			for (uint64_t i = 0; i < len; i++)
				data[i] = file_byte(ri->offset + i);
			reply(fd, in->unique, 0, data, len);
			break;
		}
		case FUSE_FORGET:
		case FUSE_BATCH_FORGET:
		case FUSE_INTERRUPT:
			break;		/* no reply */
		case FUSE_FLUSH:
		case FUSE_RELEASE:
		case FUSE_RELEASEDIR:
		case FUSE_DESTROY:
			reply(fd, in->unique, 0, NULL, 0);
			break;
		default:
			reply(fd, in->unique, -ENOSYS, NULL, 0);
			break;
		}
	}
}

/* --- the member ---------------------------------------------------------------- */

struct mapper {
	uint64_t addr;
	uint32_t ready;
	int err;
};

static void cow_fill(uint8_t *page)
{
	for (size_t i = 0; i < PS; i++)
		page[i] = (uint8_t)(0xc0 + i % 61);
}

static int cow_check(size_t pg, const uint8_t *data, void *arg)
{
	uint8_t want[PS];

	(void)arg;
	if (pg != 0)
		return 0;
	cow_fill(want);
	return !memcmp(data, want, PS);
}

static void __attribute__((noreturn)) mapper_main(struct mapper *m,
						  const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	uint8_t *p;

	prctl(PR_SET_NAME, "ckpt-fusemap");
	p = fd < 0 ? MAP_FAILED : mmap(NULL, FILE_PAGES * PS, PROT_READ | PROT_WRITE,
				       MAP_PRIVATE, fd, 0);
	if (p == MAP_FAILED || madvise(p, FILE_PAGES * PS, MADV_RANDOM)) {
		m->err = -errno;
	} else {
		/* page 0 is read from the server, then copied on write */
		if (p[0] != file_byte(0))
			m->err = -EIO;
		cow_fill(p);
		m->addr = (uintptr_t)p;
	}
	if (fd >= 0)
		close(fd);
	__atomic_store_n(&m->ready, 1, __ATOMIC_SEQ_CST);
	for (;;)
		pause();
}

/* --- the tests ------------------------------------------------------------------ */

FIXTURE(fuse) {
	struct gnl g;
	struct gnl_reply r;
	int dev;
	uint32_t job;
	char dir[64], path[96];
	pid_t server, member;
	struct mapper *m;
	int mounted;
};

FIXTURE_SETUP(fuse)
{
	char opts[128];
	unsigned char vec[FILE_PAGES];
	uint64_t end;
	uint8_t *p;
	int fd, keep[1];

	ASSERT_EQ(0, dh_test_setup(&self->g, &self->dev));
	self->job = getpid();
	self->m = wl_shared(sizeof(*self->m));
	ASSERT_NE(NULL, self->m);

	fd = open("/dev/fuse", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd) TH_LOG("/dev/fuse: %s (fuse.ko must be loaded: GUEST_MODULES in mk/selftests.mk)",
				strerror(errno));
	snprintf(self->dir, sizeof(self->dir), "/tmp/ckpt-fuse.%d", getpid());
	snprintf(self->path, sizeof(self->path), "%s/" FILE_NAME, self->dir);
	ASSERT_EQ(0, mkdir(self->dir, 0755));
	/* mounted first: /dev/fuse cannot be read before (-EPERM) */
	snprintf(opts, sizeof(opts), "fd=%d,rootmode=40000,user_id=0,group_id=0", fd);
	ASSERT_EQ(0, mount("ckpt-test", self->dir, "fuse", MS_NOSUID | MS_NODEV, opts))
		TH_LOG("mount fuse: %s", strerror(errno));
	self->mounted = 1;
	keep[0] = fd;
	self->server = dh_fork(keep, 1);
	ASSERT_LE(0, self->server);
	if (self->server == 0)
		serve(fd);
	close(fd);

	self->member = wl_fork_clean();
	ASSERT_LE(0, self->member);
	if (self->member == 0)
		mapper_main(self->m, self->path);
	for (end = wl_now_ms() + 30000; !__atomic_load_n(&self->m->ready, __ATOMIC_SEQ_CST);) {
		ASSERT_GT(end, wl_now_ms()) TH_LOG("the member did not map %s", self->path);
		wl_sleep_ms(10);
	}
	ASSERT_EQ(0, self->m->err) TH_LOG("mapping %s: %s", self->path, strerror(-self->m->err));

	/* only page 0 of the file is in memory: the others need the server */
	fd = open(self->path, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	p = mmap(NULL, FILE_PAGES * PS, PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, mincore(p, FILE_PAGES * PS, vec));
	for (int i = 1; i < FILE_PAGES; i++) {
		ASSERT_EQ(0, vec[i] & 1) TH_LOG("page %d of %s is cached: this test would prove nothing",
						 i, self->path);
	}
	munmap(p, FILE_PAGES * PS);
	close(fd);

	/* the server stops answering */
	ASSERT_EQ(0, kill(self->server, SIGSTOP));
	ASSERT_EQ(0, wl_wait_state(self->server, "T", 10000));
	ASSERT_EQ(0, gnl_job_create(&self->g, self->job, CKPT_JOB_TREE, self->member,
				    NULL, &self->r)) TH_LOG("%s", self->r.extack);
}

FIXTURE_TEARDOWN(fuse)
{
	if (self->member > 0)
		kill(self->member, SIGKILL);
	/* a dead server aborts the connection: every waiter gets an error */
	if (self->server > 0)
		kill(self->server, SIGKILL);
	wl_kill_descendants();
	if (self->mounted)
		umount2(self->dir, MNT_DETACH);
	rmdir(self->dir);
	close(self->dev);
	gnl_close(&self->g);
}

struct result {
	int err;
	uint64_t ms, region_pages, region_bad;
	unsigned char kind[FILE_PAGES];
	uint32_t done;
};

/*
 * Read session @fd in a child within DUMP_BOUND_MS: 0 if it finished,
 * -ETIMEDOUT if it had to be stopped (the server is then killed, which
 * frees the reader).
 */
static int bounded_dump(FIXTURE_DATA(fuse) *self, int fd, struct result *res)
{
	pid_t reader = fork();
	int status;

	if (reader < 0)
		return -errno;
	if (reader == 0) {
		struct ps_region rg = {
			.pid = self->member, .start = self->m->addr,
			.npages = FILE_PAGES, .kind = res->kind,
			.check = cow_check,
		};
		struct ps_stats st;
		uint64_t t0 = wl_now_ms();

		res->err = ps_read_dump(fd, &rg, 1, &st);
		res->ms = wl_now_ms() - t0;
		res->region_pages = rg.pages;
		res->region_bad = rg.bad;
		__atomic_store_n(&res->done, 1, __ATOMIC_SEQ_CST);
		_exit(0);
	}
	status = dh_wait(reader, DUMP_BOUND_MS);
	if (status != -ETIMEDOUT)
		return 0;
	kill(reader, SIGKILL);
	kill(self->server, SIGKILL);
	dh_wait(reader, 30000);
	return -ETIMEDOUT;
}

static void check_result(struct __test_metadata *_metadata,
			 FIXTURE_DATA(fuse) *self, const char *what, int err,
			 const struct result *res)
{
	ASSERT_EQ(0, err)
		TH_LOG("the %s of a member whose FUSE server stopped answering did not finish within %d s",
		       what, DUMP_BOUND_MS / 1000);
	ASSERT_TRUE(res->done);
	TH_LOG("%s read in %llu ms", what, (unsigned long long)res->ms);
	EXPECT_EQ(0, res->err);
	/* the copy on write, and nothing else of the file */
	EXPECT_EQ(1, res->region_pages);
	EXPECT_EQ(PS_DATA, res->kind[0]);
	EXPECT_EQ(0, res->region_bad);
}

TEST_F_TIMEOUT(fuse, frozen_dump_completes, 180)
{
	struct result *res = wl_shared(sizeof(*res));
	int fd, err;

	ASSERT_NE(NULL, res);
	ASSERT_EQ(0, gnl_job_freeze(&self->g, self->job, 30000, &self->r))
		TH_LOG("JOB_FREEZE: %s", self->r.extack);
	fd = dh_dump_open(self->dev, self->job);
	ASSERT_LE(0, fd);
	err = bounded_dump(self, fd, res);
	close(fd);
	check_result(_metadata, self, "frozen dump", err, res);
}

TEST_F_TIMEOUT(fuse, predump_completes, 180)
{
	struct result *res = wl_shared(sizeof(*res));
	struct ckpt_dump_args a = { .job_id = self->job, .flags = CKPT_DUMP_PREDUMP };
	int fd, err;

	ASSERT_NE(NULL, res);
	fd = ioctl(self->dev, CKPT_IOC_DUMP, &a);
	ASSERT_LE(0, fd) TH_LOG("CKPT_IOC_DUMP (PREDUMP): %s", strerror(errno));
	err = bounded_dump(self, fd, res);
	close(fd);
	check_result(_metadata, self, "pre-dump", err, res);
}

TEST_HARNESS_MAIN
