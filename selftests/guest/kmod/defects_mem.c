// SPDX-License-Identifier: GPL-2.0
/*
 * Memory defects (issue 12), each a test that failed before the fix:
 *
 * - kernel memory a process makes ckpt.ko allocate is charged to its
 *   memory cgroup: 512 /dev/ckpt fds with CKPT_TAG_REGIONS_MAX regions
 *   each raise memory.current by at least what the regions take (~24
 *   bytes each) more than the same fds without regions;
 * - at most 64 dump sessions are open at once: the 65th CKPT_IOC_DUMP
 *   fails with -ENFILE, and one closed makes room again;
 * - shared memory that is swapped out is carried: a 32 MiB memfd and a
 *   32 MiB SysV segment pushed to a zram swap device with memory.reclaim
 *   are in a frozen dump page by page with their contents;
 * - a shared hugetlb mapping makes the dump fail with -EOPNOTSUPP, and
 *   CKPT_IOC_DUMP_ERROR names the pid and the range (it was skipped
 *   silently before).
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/ckpt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/swap.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dump_helpers.h"
#include "genl_raw.h"
#include "kselftest_harness.h"
#include "page_scan.h"
#include "workload.h"

#ifndef CKPT_DUMP_SESSIONS_MAX
#define CKPT_DUMP_SESSIONS_MAX	64
#endif

#define PS		4096UL
#define CGROOT		"/sys/fs/cgroup"

FIXTURE(defects) {
	struct gnl g;
	struct gnl_reply r;
	int dev;
	uint32_t job;
	char cg[128];		/* a cgroup this test made, or "" */
	int swap_on;		/* zram0 is a swap device */
	int huge_pages;		/* nr_hugepages was raised */
};

FIXTURE_SETUP(defects)
{
	ASSERT_EQ(PS, sysconf(_SC_PAGESIZE));
	ASSERT_EQ(0, dh_test_setup(&self->g, &self->dev));
	self->job = getpid();
	self->cg[0] = '\0';
	self->swap_on = self->huge_pages = 0;
}

static void swap_off(void);

FIXTURE_TEARDOWN(defects)
{
	wl_kill_descendants();
	if (self->swap_on)
		swap_off();
	if (self->huge_pages)
		wl_write_file("/proc/sys/vm/nr_hugepages", "0");
	if (self->cg[0])
		rmdir(self->cg);
	close(self->dev);
	gnl_close(&self->g);
}

/* The first number in file @dir/@name, or -1. */
static long long read_num(const char *dir, const char *name)
{
	char path[256], buf[64];
	long long v = -1;
	int fd;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n > 0) {
		buf[n] = '\0';
		v = strtoll(buf, NULL, 10);
	}
	return v;
}

/* A fresh cgroup @name with the memory controller: 0 or -errno. */
static int cg_make(char *path, size_t size, const char *name)
{
	snprintf(path, size, CGROOT "/%s", name);
	rmdir(path);
	/* the root may already have it; writing it again is harmless */
	if (wl_write_file(CGROOT "/cgroup.subtree_control", "+memory"))
		return -errno ?: -EIO;
	if (mkdir(path, 0755))
		return -errno;
	return 0;
}

/* The calling process moves itself into cgroup @path. */
static int cg_enter(const char *path)
{
	char procs[256];

	snprintf(procs, sizeof(procs), "%s/cgroup.procs", path);
	return wl_write_file(procs, "0");
}

/* --- kernel memory is accounted ------------------------------------------- */

#define ACCT_FDS	512
#define REC_BYTES	24	/* start, end, tag: what a region takes at least */

struct acct {
	uint32_t go, done;
	int err;
};

/* In @cg: open ACCT_FDS /dev/ckpt fds, tag regions on each if @tag. */
static void __attribute__((noreturn)) acct_child(struct acct *a, const char *cg,
						 int tag)
{
	struct rlimit rl = { 4096, 4096 };
	uint8_t *base;
	int i, k;

	prctl(PR_SET_NAME, "ckpt-acct");
	setrlimit(RLIMIT_NOFILE, &rl);
	a->err = cg_enter(cg);
	/* reserved, never touched: tagging costs no user memory */
	base = mmap(NULL, 2 * CKPT_TAG_REGIONS_MAX * PS, PROT_NONE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (base == MAP_FAILED && !a->err)
		a->err = -errno;
	__atomic_store_n(&a->done, 1, __ATOMIC_SEQ_CST);
	while (!__atomic_load_n(&a->go, __ATOMIC_SEQ_CST))
		usleep(1000);
	for (i = 0; i < ACCT_FDS && !a->err; i++) {
		int fd = open("/dev/ckpt", O_RDWR);

		if (fd < 0) {
			a->err = -errno;
			break;
		}
		for (k = 0; tag && k < CKPT_TAG_REGIONS_MAX; k++) {
			struct ckpt_tag_region_args t = {
				.addr = (uintptr_t)base + 2 * k * PS, .len = PS,
				.tag = k % 2 ? CKPT_REGION_UPPER : CKPT_REGION_EXCLUDE,
			};

			if (ioctl(fd, CKPT_IOC_TAG_REGION, &t)) {
				a->err = -errno;
				break;
			}
		}
	}
	__atomic_store_n(&a->done, 2, __ATOMIC_SEQ_CST);
	for (;;)
		pause();
}

/* memory.current growth of a child in a fresh cgroup, or -errno. */
static long long acct_run(const char *name, int tag, int *err)
{
	struct acct *a = wl_shared(sizeof(*a));
	char cg[128];
	long long before, after;
	uint64_t end;
	pid_t pid;

	*err = a ? cg_make(cg, sizeof(cg), name) : -ENOMEM;
	if (*err)
		return *err;
	pid = wl_fork_clean();
	if (pid == 0)
		acct_child(a, cg, tag);
	for (end = wl_now_ms() + 20000; __atomic_load_n(&a->done, __ATOMIC_SEQ_CST) < 1;) {
		if (wl_now_ms() > end)
			return -ETIMEDOUT;
		wl_sleep_ms(10);
	}
	wl_sleep_ms(200);
	before = read_num(cg, "memory.current");
	__atomic_store_n(&a->go, 1, __ATOMIC_SEQ_CST);
	for (end = wl_now_ms() + 300000; __atomic_load_n(&a->done, __ATOMIC_SEQ_CST) < 2;) {
		if (wl_now_ms() > end)
			return -ETIMEDOUT;
		wl_sleep_ms(20);
	}
	wl_sleep_ms(200);
	after = read_num(cg, "memory.current");
	*err = a->err;
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	rmdir(cg);
	munmap(a, sizeof(*a));
	return after - before;
}

TEST_F_TIMEOUT(defects, tagged_regions_are_charged, 600)
{
	long long plain, tagged, want;
	int err;

	plain = acct_run("ckpt-acct-plain", 0, &err);
	ASSERT_EQ(0, err) TH_LOG("control run: %s", strerror(-err));
	tagged = acct_run("ckpt-acct-tagged", 1, &err);
	ASSERT_EQ(0, err) TH_LOG("tagging run: %s", strerror(-err));
	want = (long long)ACCT_FDS * CKPT_TAG_REGIONS_MAX * REC_BYTES;
	TH_LOG("memory.current grew by %lld KiB with %d fds of %d regions, %lld KiB with the fds alone: %lld KiB for the regions (at least %lld KiB expected)",
	       tagged / 1024, ACCT_FDS, CKPT_TAG_REGIONS_MAX, plain / 1024,
	       (tagged - plain) / 1024, want / 1024);
	EXPECT_LE(want * 8 / 10, tagged - plain)
		TH_LOG("the regions ckpt.ko keeps for a process are not charged to its memory cgroup");
}

/* Log every open dump session fd on the host ("anon_inode:[ckpt-dump]"). */
static int log_open_sessions(struct __test_metadata *_metadata)
{
	struct dirent *p, *f;
	DIR *proc = opendir("/proc");
	int n = 0;

	while (proc && (p = readdir(proc))) {
		char dir[64], link[96], target[128];
		int pid = atoi(p->d_name);
		DIR *fds;

		if (pid <= 0 || pid == getpid())
			continue;
		snprintf(dir, sizeof(dir), "/proc/%d/fd", pid);
		fds = opendir(dir);
		while (fds && (f = readdir(fds))) {
			ssize_t len;

			if (atoi(f->d_name) < 0 || !isdigit(f->d_name[0]))
				continue;
			snprintf(link, sizeof(link), "%s/%d", dir, atoi(f->d_name));
			len = readlink(link, target, sizeof(target) - 1);
			if (len <= 0)
				continue;
			target[len] = '\0';
			if (strstr(target, "ckpt-dump")) {
				TH_LOG("pid %d holds a dump session on fd %s", pid,
				       f->d_name);
				n++;
			}
		}
		if (fds)
			closedir(fds);
	}
	if (proc)
		closedir(proc);
	return n;
}

TEST_F_TIMEOUT(defects, dump_sessions_capped, 120)
{
	struct wl_counters *c = wl_shared(sizeof(*c));
	struct ckpt_dump_args a = { .flags = CKPT_DUMP_PREDUMP };
	int fds[CKPT_DUMP_SESSIONS_MAX + 1];
	int i, n = 0, fd;

	ASSERT_NE(NULL, c);
	ASSERT_EQ(0, wl_counters_start(c, 1, 1, 1000, 20000));
	ASSERT_EQ(0, gnl_job_create(&self->g, self->job, CKPT_JOB_TREE, c->root,
				    NULL, &self->r)) TH_LOG("%s", self->r.extack);
	a.job_id = self->job;
	for (i = 0; i < CKPT_DUMP_SESSIONS_MAX; i++) {
		fds[i] = ioctl(self->dev, CKPT_IOC_DUMP, &a);
		if (fds[i] < 0)
			TH_LOG("session %d: %s; %d sessions are open in other processes",
			       i + 1, strerror(errno), log_open_sessions(_metadata));
		ASSERT_LE(0, fds[i]);
		n++;
	}
	fd = ioctl(self->dev, CKPT_IOC_DUMP, &a);
	EXPECT_EQ(-1, fd) TH_LOG("session %d was opened", CKPT_DUMP_SESSIONS_MAX + 1);
	if (fd < 0) {
		EXPECT_EQ(ENFILE, errno) TH_LOG("%s", strerror(errno));
	} else {
		close(fd);
	}
	/* one closed: room for one */
	close(fds[--n]);
	fds[n] = ioctl(self->dev, CKPT_IOC_DUMP, &a);
	EXPECT_LE(0, fds[n]) TH_LOG("%s", strerror(errno));
	if (fds[n] >= 0)
		n++;
	while (n)
		close(fds[--n]);
	/* all closed: sessions open again */
	fd = ioctl(self->dev, CKPT_IOC_DUMP, &a);
	EXPECT_LE(0, fd);
	close(fd);
	EXPECT_TRUE(wl_counter_moves(c, 2000));
}

/* --- swapped shared memory -------------------------------------------------- */

#define SHM_SIZE	(32UL << 20)
#define SHM_PAGES	(SHM_SIZE / PS)
#define ZRAM		"/sys/block/zram0"

struct swapper {
	pid_t pid;
	uint64_t memfd_addr, shm_addr;
	int shmid;
	int err;
	uint32_t ready;
};

static uint64_t pat(int region, size_t pg)
{
	return ((uint64_t)(region + 1) << 40) ^ (pg * 0x9e3779b97f4a7c15ULL);
}

static void fill(uint8_t *p, int region)
{
	for (size_t pg = 0; pg < SHM_PAGES; pg++) {
		uint64_t *w = (uint64_t *)(p + pg * PS);

		w[0] = pat(region, pg);
		w[PS / 8 / 2] = pg;
		w[PS / 8 - 1] = ~pat(region, pg);
	}
}

static int check_pat(size_t pg, const uint8_t *data, void *arg)
{
	const uint64_t *w = (const uint64_t *)data;
	int region = (int)(long)arg;

	return w[0] == pat(region, pg) && w[PS / 8 / 2] == pg &&
	       w[PS / 8 - 1] == ~pat(region, pg);
}

static void __attribute__((noreturn)) swapper_main(struct swapper *s,
						   const char *cg)
{
	uint8_t *m, *v;
	int fd;

	prctl(PR_SET_NAME, "ckpt-swapped");
	s->err = cg_enter(cg);
	fd = memfd_create("ckpt-swapped", MFD_CLOEXEC);
	if (fd < 0 || ftruncate(fd, SHM_SIZE))
		s->err = -errno;
	m = mmap(NULL, SHM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	s->shmid = shmget(IPC_PRIVATE, SHM_SIZE, IPC_CREAT | 0600);
	v = s->shmid < 0 ? (void *)-1 : shmat(s->shmid, NULL, 0);
	if (m == MAP_FAILED || v == (void *)-1)
		s->err = -errno;
	if (s->shmid >= 0)
		shmctl(s->shmid, IPC_RMID, NULL);	/* gone with us */
	if (!s->err) {
		fill(m, 0);
		fill(v, 1);
		s->memfd_addr = (uintptr_t)m;
		s->shm_addr = (uintptr_t)v;
	}
	s->pid = getpid();
	__atomic_store_n(&s->ready, 1, __ATOMIC_SEQ_CST);
	for (;;)
		pause();
}

/* The "Swap:" kB of the mapping of @pid starting at @addr, or -1. */
static long smaps_swap_kb(pid_t pid, uint64_t addr)
{
	char path[64], line[256];
	int in = 0;
	long kb = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/smaps", pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long start, stop;
		char perm[8];

		if (sscanf(line, "%llx-%llx %7s", &start, &stop, perm) == 3)
			in = start == addr;
		else if (in && sscanf(line, "Swap: %ld kB", &kb) == 1)
			break;
	}
	fclose(f);
	return in ? kb : -1;
}

/* The swap bytes of SysV segment @shmid from /proc/sysvipc/shm, or -1. */
static long long sysv_swap(int shmid)
{
	char line[512];
	long long swap = -1;
	FILE *f = fopen("/proc/sysvipc/shm", "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		long long v[16];
		int id, n;

		/* key shmid perms size cpid lpid nattch uid gid cuid cgid
		 * atime dtime ctime rss swap */
		n = sscanf(line, "%lld %d %llo %lld %lld %lld %lld %lld %lld %lld %lld %lld %lld %lld %lld %lld",
			   &v[0], &id, &v[1], &v[2], &v[3], &v[4], &v[5], &v[6],
			   &v[7], &v[8], &v[9], &v[10], &v[11], &v[12], &v[13],
			   &v[14]);
		if (n == 16 && id == shmid) {
			swap = v[14];
			break;
		}
	}
	fclose(f);
	return swap;
}

static void swap_off(void)
{
	swapoff("/dev/zram0");
	wl_write_file(ZRAM "/reset", "1");
}

TEST_F_TIMEOUT(defects, swapped_shmem_carried, 600)
{
	struct swapper *s = wl_shared(sizeof(*s));
	struct ps_region rg[2];
	struct ps_stats st;
	long long memfd_swap, sysv_swapped, cg_swap;
	uint64_t end;
	pid_t pid;
	int fd, err, i;

	ASSERT_NE(NULL, s);
	ASSERT_EQ(0, access(ZRAM, F_OK))
		TH_LOG("no %s: zram.ko must be loaded (GUEST_MODULES in mk/selftests.mk)", ZRAM);
	swap_off();
	ASSERT_EQ(0, wl_write_file(ZRAM "/disksize", "256M"));
	ASSERT_EQ(0, system("mkswap /dev/zram0 >/dev/null 2>&1"));
	ASSERT_EQ(0, swapon("/dev/zram0", 0)) TH_LOG("swapon /dev/zram0: %s", strerror(errno));
	self->swap_on = 1;
	ASSERT_EQ(0, cg_make(self->cg, sizeof(self->cg), "ckpt-swapped"));

	pid = wl_fork_clean();
	ASSERT_LE(0, pid);
	if (pid == 0)
		swapper_main(s, self->cg);
	for (end = wl_now_ms() + 60000; !__atomic_load_n(&s->ready, __ATOMIC_SEQ_CST);) {
		ASSERT_GT(end, wl_now_ms());
		wl_sleep_ms(20);
	}
	ASSERT_EQ(0, s->err) TH_LOG("the member could not set up: %s", strerror(-s->err));

	/* push it out; a write that could not reclaim all of it says EAGAIN */
	for (i = 0; i < 3; i++) {
		char path[192];

		snprintf(path, sizeof(path), "%s/memory.reclaim", self->cg);
		err = wl_write_file(path, "200M");
		ASSERT_TRUE(err == 0 || err == -EAGAIN) TH_LOG("memory.reclaim: %s", strerror(-err));
	}
	memfd_swap = smaps_swap_kb(pid, s->memfd_addr) * 1024;
	sysv_swapped = sysv_swap(s->shmid);
	cg_swap = read_num(self->cg, "memory.swap.current");
	TH_LOG("swapped out: memfd %lld KiB, SysV segment %lld KiB, cgroup %lld KiB",
	       memfd_swap / 1024, sysv_swapped / 1024, cg_swap / 1024);
	ASSERT_LE((long long)SHM_SIZE / 2, memfd_swap)
		TH_LOG("the memfd is not swapped out: this test proves nothing");
	ASSERT_LE((long long)SHM_SIZE / 2, sysv_swapped)
		TH_LOG("the SysV segment is not swapped out: this test proves nothing");

	ASSERT_EQ(0, gnl_job_create(&self->g, self->job, CKPT_JOB_TREE, pid,
				    NULL, &self->r)) TH_LOG("%s", self->r.extack);
	ASSERT_EQ(0, gnl_job_freeze(&self->g, self->job, 30000, &self->r))
		TH_LOG("JOB_FREEZE: %s", self->r.extack);
	memset(rg, 0, sizeof(rg));
	rg[0] = (struct ps_region){ .pid = pid, .start = s->memfd_addr,
				    .npages = SHM_PAGES, .check = check_pat,
				    .arg = (void *)0L };
	rg[1] = (struct ps_region){ .pid = pid, .start = s->shm_addr,
				    .npages = SHM_PAGES, .check = check_pat,
				    .arg = (void *)1L };
	fd = dh_dump_open(self->dev, self->job);
	ASSERT_LE(0, fd);
	err = ps_read_dump(fd, rg, 2, &st);
	close(fd);
	TH_LOG("dump: memfd %llu of %lu pages (%llu wrong), SysV %llu of %lu pages (%llu wrong)",
	       (unsigned long long)rg[0].pages, SHM_PAGES, (unsigned long long)rg[0].bad,
	       (unsigned long long)rg[1].pages, SHM_PAGES, (unsigned long long)rg[1].bad);
	EXPECT_EQ(0, err);
	EXPECT_EQ(SHM_PAGES, rg[0].pages);
	EXPECT_EQ(SHM_PAGES, rg[1].pages);
	EXPECT_EQ(0, rg[0].bad);
	EXPECT_EQ(0, rg[1].bad);
	EXPECT_EQ(0, gnl_job_simple(&self->g, CKPT_CMD_JOB_DESTROY, self->job, &self->r));
}

/* --- shared hugetlb ---------------------------------------------------------- */

#define HUGE_SIZE	(2UL << 20)

TEST_F_TIMEOUT(defects, shared_hugetlb_refused_with_range, 180)
{
	struct swapper *s = wl_shared(sizeof(*s));
	struct ckpt_dump_error e;
	uint8_t *buf;
	size_t len;
	char want[32];
	uint64_t end;
	pid_t pid;
	int fd, err;

	ASSERT_NE(NULL, s);
	ASSERT_EQ(0, wl_write_file("/proc/sys/vm/nr_hugepages", "4"));
	self->huge_pages = 1;
	ASSERT_LE(1, dh_meminfo_kb("HugePages_Total"))
		TH_LOG("no 2 MiB huge page could be reserved");
	pid = wl_fork_clean();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		uint8_t *p = mmap(NULL, HUGE_SIZE, PROT_READ | PROT_WRITE,
				  MAP_SHARED | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);

		prctl(PR_SET_NAME, "ckpt-hugetlb");
		if (p == MAP_FAILED) {
			s->err = -errno;
		} else {
			memset(p, 0x5a, HUGE_SIZE);
			s->memfd_addr = (uintptr_t)p;
		}
		__atomic_store_n(&s->ready, 1, __ATOMIC_SEQ_CST);
		for (;;)
			pause();
	}
	for (end = wl_now_ms() + 20000; !__atomic_load_n(&s->ready, __ATOMIC_SEQ_CST);) {
		ASSERT_GT(end, wl_now_ms());
		wl_sleep_ms(10);
	}
	ASSERT_EQ(0, s->err) TH_LOG("MAP_SHARED|MAP_HUGETLB: %s", strerror(-s->err));

	ASSERT_EQ(0, gnl_job_create(&self->g, self->job, CKPT_JOB_TREE, pid,
				    NULL, &self->r)) TH_LOG("%s", self->r.extack);
	ASSERT_EQ(0, gnl_job_freeze(&self->g, self->job, 30000, &self->r))
		TH_LOG("JOB_FREEZE: %s", self->r.extack);
	fd = dh_dump_open(self->dev, self->job);
	ASSERT_LE(0, fd);
	err = dh_read_all(fd, 0, &buf, &len);
	free(buf);
	EXPECT_EQ(-EOPNOTSUPP, err)
		TH_LOG("the dump of a shared hugetlb mapping ended with %s",
		       err ? strerror(-err) : "success");
	ASSERT_EQ(0, dh_dump_error(fd, &e)) TH_LOG("CKPT_IOC_DUMP_ERROR failed");
	TH_LOG("CKPT_IOC_DUMP_ERROR: %d pid %d %#llx-%#llx \"%s\"", e.error, e.pid,
	       (unsigned long long)e.start, (unsigned long long)e.end, e.msg);
	EXPECT_EQ(-EOPNOTSUPP, e.error);
	EXPECT_EQ(pid, e.pid);
	EXPECT_LE(e.start, s->memfd_addr);
	EXPECT_GE(e.end, s->memfd_addr + HUGE_SIZE);
	EXPECT_LT(e.start, e.end);
	snprintf(want, sizeof(want), "%d", pid);
	EXPECT_NE(NULL, strstr(e.msg, want));
	close(fd);
	EXPECT_EQ(0, gnl_job_simple(&self->g, CKPT_CMD_JOB_DESTROY, self->job, &self->r));
}

TEST_HARNESS_MAIN
