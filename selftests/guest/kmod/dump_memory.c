// SPDX-License-Identifier: GPL-2.0
/*
 * The dump stream of a frozen job holds its processes' memory exactly.
 *
 * A child fills anonymous memory, the brk heap, a large array on its
 * stack, a private file mapping (copied on write in some pages only), a
 * shared memfd and a MAP_GROWSDOWN region with patterns derived from each
 * page's address, reports where over a pipe and waits.  The dump must
 * describe it (BEGIN, TASK, THREAD, MM, VMAs with their flags and tags) and
 * carry exactly the pages that hold data - the written ones, with their
 * contents, and never untouched or unmodified file pages - and END must
 * count what came.  After the thaw the child checks its own memory.
 * A second test dumps 3 processes of 3 threads each.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/ckpt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dump_helpers.h"
#include "dump_stream.h"
#include "genl_raw.h"
#include "kselftest_harness.h"
#include "workload.h"

#define JOB	1
#define PS	4096UL

enum { R_ANON, R_HEAP, R_STACK, R_FILE, R_MEMFD, R_GROWS, R_NR };

static const char *const region_name[R_NR] = {
	"anonymous", "heap", "stack array", "private file", "memfd",
	"growsdown",
};

/* What the child made: pages start..start + npages * PS of each region. */
struct region {
	uint64_t start;
	uint32_t npages;
	uint64_t written;	/* bit i: page i holds its pattern */
	uint64_t touched;	/* bit i: page i was read, never written */
};

struct report {
	pid_t pid, ppid;
	uint64_t start_brk, brk;
	struct region r[R_NR];
	uint64_t file_ino, memfd_ino;
};

#define ANON_PAGES	16
#define HEAP_PAGES	8
#define STACK_PAGES	20
#define FILE_PAGES	8
#define MEMFD_PAGES	8
#define GROWS_PAGES	4

/* The pattern of page @addr of region @rg (the file's original contents
 * use the page's file offset and R_NR). */
static void pattern(uint64_t *w, uint64_t addr, int rg)
{
	uint64_t x = (addr ^ ((uint64_t)(rg + 1) << 56)) * 0x9e3779b97f4a7c15ULL;
	size_t i;

	x ^= x >> 29;
	for (i = 0; i < PS / 8; i++)
		w[i] = x + i * 0x100000001b3ULL;
}

static int page_is_pattern(const void *page, uint64_t addr, int rg)
{
	uint64_t want[PS / 8];

	pattern(want, addr, rg);
	return !memcmp(page, want, PS);
}

static int page_is_zero(const void *page)
{
	static const uint8_t zero[PS];

	return !memcmp(page, zero, PS);
}

/* start_brk from /proc/self/stat (field 47), or 0. */
static uint64_t proc_start_brk(void)
{
	char buf[1024], *p;
	unsigned long long v = 0;
	int fd = open("/proc/self/stat", O_RDONLY), field;
	ssize_t n;

	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	p = strrchr(buf, ')');		/* field 2 ends here */
	for (field = 2; p && field < 47; field++)
		p = strchr(p + 1, ' ');
	if (p)
		sscanf(p + 1, "%llu", &v);
	return v;
}

static void fill_written(struct region *r, int rg)
{
	uint32_t i;

	for (i = 0; i < r->npages; i++)
		if (r->written & (1ULL << i))
			pattern((uint64_t *)(r->start + i * PS), r->start + i * PS, rg);
}

static void touch_read(struct region *r)
{
	uint32_t i;

	for (i = 0; i < r->npages; i++)
		if (r->touched & (1ULL << i))
			(void)*(volatile uint8_t *)(r->start + i * PS + 100);
}

/*
 * After the thaw: every page is as the child left it.  Returns 0 or
 * 10 + the region that is wrong.
 */
static int verify(const struct report *rep)
{
	int rg;

	for (rg = 0; rg < R_NR; rg++) {
		const struct region *r = &rep->r[rg];
		uint32_t i;

		for (i = 0; i < r->npages; i++) {
			const void *p = (const void *)(r->start + i * PS);
			int ok;

			if (r->written & (1ULL << i))
				ok = page_is_pattern(p, r->start + i * PS, rg);
			else if (rg == R_FILE)
				ok = page_is_pattern(p, i * PS, R_NR);
			else
				ok = page_is_zero(p);
			if (!ok)
				return 10 + rg;
		}
	}
	return 0;
}

static int child_main(int rep_fd, int go_fd, const char *file)
{
	uint8_t stack_area[(STACK_PAGES + 1) * PS];
	struct report rep = { 0 };
	struct region *r;
	uint64_t buf[PS / 8];
	uintptr_t cur;
	struct stat st;
	char c;
	int fd, i;

	prctl(PR_SET_NAME, "ckpt-dumpmem");
	rep.pid = getpid();
	rep.ppid = getppid();

	r = &rep.r[R_ANON];
	r->start = (uintptr_t)mmap(NULL, ANON_PAGES * PS, PROT_READ | PROT_WRITE,
				   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (r->start == (uintptr_t)MAP_FAILED)
		return 2;
	r->npages = ANON_PAGES;
	r->written = 1 << 0 | 1 << 2 | 1 << 3 | 1 << 7 | 1 << 15;
	r->touched = 1 << 5;	/* the shared zero page */

	r = &rep.r[R_HEAP];
	cur = (uintptr_t)sbrk(0);
	if (sbrk((PS - cur % PS) % PS + HEAP_PAGES * PS) == (void *)-1)
		return 3;
	r->start = (cur + PS - 1) & ~(PS - 1);
	r->npages = HEAP_PAGES;
	r->written = 1 << 0 | 1 << 1 | 1 << 2 | 1 << 5;
	rep.brk = (uintptr_t)sbrk(0);
	rep.start_brk = proc_start_brk();

	r = &rep.r[R_STACK];
	r->start = ((uintptr_t)stack_area + PS - 1) & ~(PS - 1);
	r->npages = STACK_PAGES;
	r->written = (1ULL << STACK_PAGES) - 1;

	r = &rep.r[R_FILE];
	fd = open(file, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return 4;
	for (i = 0; i < FILE_PAGES; i++) {
		pattern(buf, i * PS, R_NR);
		if (write(fd, buf, PS) != PS)
			return 4;
	}
	r->start = (uintptr_t)mmap(NULL, FILE_PAGES * PS, PROT_READ | PROT_WRITE,
				   MAP_PRIVATE, fd, 0);
	if (r->start == (uintptr_t)MAP_FAILED || fstat(fd, &st))
		return 4;
	rep.file_ino = st.st_ino;
	close(fd);
	r->npages = FILE_PAGES;
	r->written = 1 << 1 | 1 << 4;
	r->touched = ((1ULL << FILE_PAGES) - 1) & ~r->written;

	r = &rep.r[R_MEMFD];
	fd = memfd_create("ckpt-test", MFD_CLOEXEC);
	if (fd < 0 || ftruncate(fd, MEMFD_PAGES * PS) || fstat(fd, &st))
		return 5;
	rep.memfd_ino = st.st_ino;
	r->start = (uintptr_t)mmap(NULL, MEMFD_PAGES * PS, PROT_READ | PROT_WRITE,
				   MAP_SHARED, fd, 0);
	if (r->start == (uintptr_t)MAP_FAILED)
		return 5;
	close(fd);
	r->npages = MEMFD_PAGES;
	r->written = 1 << 0 | 1 << 3 | 1 << 6;

	r = &rep.r[R_GROWS];
	r->start = (uintptr_t)mmap(NULL, GROWS_PAGES * PS, PROT_READ | PROT_WRITE,
				   MAP_PRIVATE | MAP_ANONYMOUS | MAP_GROWSDOWN,
				   -1, 0);
	if (r->start == (uintptr_t)MAP_FAILED)
		return 6;
	r->npages = GROWS_PAGES;
	r->written = 1 << 2 | 1 << 3;

	/* the file pages are read first: present but unmodified */
	for (i = 0; i < R_NR; i++)
		touch_read(&rep.r[i]);
	for (i = 0; i < R_NR; i++)
		fill_written(&rep.r[i], i);

	if (write(rep_fd, &rep, sizeof(rep)) != sizeof(rep))
		return 7;
	/* frozen and dumped in here; the parent writes after the thaw */
	if (read(go_fd, &c, 1) != 1)
		return 8;
	return verify(&rep);
}

FIXTURE(mem) {
	struct gnl g;
	struct gnl_reply r;
	int dev;
	char file[64];
	struct dh_dump d;
};

FIXTURE_SETUP(mem)
{
	ASSERT_EQ(PS, sysconf(_SC_PAGESIZE));
	ASSERT_EQ(0, dh_test_setup(&self->g, &self->dev));
	mkdir("/tmp", 01777);
	snprintf(self->file, sizeof(self->file), "/tmp/ckpt-dump-memory.%d",
		 getpid());
}

FIXTURE_TEARDOWN(mem)
{
	wl_kill_descendants();
	dh_dump_free(&self->d);
	unlink(self->file);
	close(self->dev);
	gnl_close(&self->g);
}

/* Every record of @d has the right shape and order for one process @pid. */
static void check_layout(struct __test_metadata *_metadata,
			 const struct dh_dump *d, pid_t pid)
{
	static const uint32_t order[] = {
		CKPT_REC_BEGIN, CKPT_REC_TASK, CKPT_REC_SIGACTIONS,
		CKPT_REC_THREAD, CKPT_REC_MM, CKPT_REC_VMA, CKPT_REC_PAGES,
		CKPT_REC_END,
	};
	size_t i, k = 0;

	ASSERT_LT(2, d->nr_recs);
	EXPECT_EQ(CKPT_REC_BEGIN, d->recs[0]->type);
	EXPECT_EQ(CKPT_REC_END, d->recs[d->nr_recs - 1]->type);
	/* types never go back in the order above */
	for (i = 0; i < d->nr_recs; i++) {
		uint32_t t = d->recs[i]->type;

		while (k < sizeof(order) / sizeof(order[0]) && order[k] != t)
			k++;
		ASSERT_GT(sizeof(order) / sizeof(order[0]), k)
			TH_LOG("record %zu (%s) out of order", i,
			       ckpt_rec_name(t));
		if (t != CKPT_REC_BEGIN && t != CKPT_REC_END)
			EXPECT_EQ(pid, dh_rec_pid(d->recs[i]));
	}
}

static void check_begin_end(struct __test_metadata *_metadata,
			    const struct dh_dump *d, uint32_t nr_tasks)
{
	const struct ckpt_rec_pages *p;
	struct utsname u;
	uint64_t pages = 0;
	size_t i;

	ASSERT_NE(NULL, d->begin);
	EXPECT_EQ(CKPT_STREAM_MAGIC, d->begin->magic);
	EXPECT_EQ(CKPT_STREAM_VERSION, d->begin->version);
	EXPECT_EQ(JOB, d->begin->job_id);
	EXPECT_EQ(PS, d->begin->page_size);
	EXPECT_EQ(nr_tasks, d->begin->nr_tasks);
	EXPECT_NE(0, d->begin->time_ns);
	ASSERT_EQ(0, uname(&u));
	EXPECT_STREQ(u.release, d->begin->kernel_release);

	for (i = 0; (p = dh_nth(d, CKPT_REC_PAGES, 0, i)); i++)
		pages += p->nr_pages;
	ASSERT_NE(NULL, d->end);
	EXPECT_EQ(1, dh_count(d, CKPT_REC_END, 0));
	EXPECT_EQ(dh_count(d, CKPT_REC_TASK, 0), d->end->nr_tasks);
	EXPECT_EQ(nr_tasks, d->end->nr_tasks);
	EXPECT_EQ(dh_count(d, CKPT_REC_THREAD, 0), d->end->nr_threads);
	EXPECT_EQ(dh_count(d, CKPT_REC_VMA, 0), d->end->nr_vmas);
	EXPECT_EQ(pages, d->end->nr_pages);
}

static void check_task_thread_mm(struct __test_metadata *_metadata,
				 const struct dh_dump *d,
				 const struct report *rep)
{
	const struct ckpt_rec_sigactions *sa;
	const struct ckpt_rec_thread *t;
	const struct ckpt_rec_task *task;
	const struct ckpt_rec_mm *mm;
	const struct ckpt_rec_vma *v;
	char exe[256] = "";
	struct stat st;

	ASSERT_EQ(1, dh_count(d, CKPT_REC_TASK, 0));
	task = dh_nth(d, CKPT_REC_TASK, 0, 0);
	EXPECT_EQ(rep->pid, task->pid);
	EXPECT_EQ(rep->ppid, task->ppid);
	EXPECT_EQ(getpid(), task->ppid);
	EXPECT_EQ(getpgid(rep->pid), task->pgid);
	EXPECT_EQ(getsid(rep->pid), task->sid);
	EXPECT_STREQ("ckpt-dumpmem", task->comm);
	EXPECT_EQ(1, task->nr_threads);
	EXPECT_EQ(0, task->flags);
	EXPECT_EQ(0, task->uid);
	EXPECT_EQ(SIGCHLD, task->exit_signal);

	ASSERT_EQ(1, dh_count(d, CKPT_REC_SIGACTIONS, 0));
	sa = dh_nth(d, CKPT_REC_SIGACTIONS, 0, 0);
	EXPECT_EQ(64, sa->nr);

	ASSERT_EQ(1, dh_count(d, CKPT_REC_THREAD, 0));
	t = dh_nth(d, CKPT_REC_THREAD, 0, 0);
	EXPECT_EQ(rep->pid, t->pid);
	EXPECT_EQ(rep->pid, t->tid);
	EXPECT_EQ(sizeof(struct user_regs_struct), t->regs_len);
	EXPECT_EQ(512, t->fpregs_len);
	EXPECT_EQ(sizeof(struct user_fpregs_struct), t->fpregs_len);

	ASSERT_EQ(1, dh_count(d, CKPT_REC_MM, 0));
	mm = dh_nth(d, CKPT_REC_MM, 0, 0);
	EXPECT_EQ(rep->pid, mm->pid);
	EXPECT_EQ(rep->start_brk, mm->start_brk);
	EXPECT_EQ(rep->brk, mm->brk);
	EXPECT_NE(0, mm->start_brk);
	EXPECT_EQ(dh_count(d, CKPT_REC_VMA, rep->pid), mm->nr_vmas);
	ASSERT_LT(0, readlink("/proc/self/exe", exe, sizeof(exe) - 1));
	EXPECT_STREQ(exe, mm->exe_path);
	ASSERT_EQ(0, stat(exe, &st));
	EXPECT_EQ(st.st_ino, mm->exe_ino);
	/* the stack VMA is the one holding start_stack */
	v = dh_vma_at(d, rep->pid, mm->start_stack);
	ASSERT_NE(NULL, v);
	EXPECT_TRUE(v->flags & CKPT_VMA_STACK);
	/* the auxiliary vector ends with AT_NULL and says the page size */
	{
		int i, pagesz = 0, null = 0;

		for (i = 0; i < 40; i++) {
			if (mm->auxv[2 * i] == 0) {
				null = 1;
				break;
			}
			if (mm->auxv[2 * i] == 6)	/* AT_PAGESZ */
				pagesz = mm->auxv[2 * i + 1];
		}
		EXPECT_TRUE(null);
		EXPECT_EQ(PS, pagesz);
	}
}

/* The VMAs: ascending, page-aligned, and tagged: SPECIAL for the kernel's
 * [vdso]/[vvar], UPPER for everything else of this static program. */
static void check_vmas(struct __test_metadata *_metadata,
		       const struct dh_dump *d, pid_t pid)
{
	const struct ckpt_rec_vma *v;
	uint64_t prev_end = 0;
	int vdso = 0;
	size_t i;

	for (i = 0; (v = dh_nth(d, CKPT_REC_VMA, pid, i)); i++) {
		const char *path = v->path_len ? v->path : "";
		int special = (v->flags & CKPT_VMA_ANON) && path[0] == '[';

		EXPECT_LE(prev_end, v->start)
			TH_LOG("VMA %llx-%llx overlaps or precedes the one before",
			       v->start, v->end);
		EXPECT_EQ(0, v->start % PS);
		EXPECT_EQ(0, v->end % PS);
		prev_end = v->end;
		if (!strcmp(path, "[vdso]"))
			vdso++;
		EXPECT_EQ(special ? CKPT_TAG_SPECIAL : CKPT_TAG_UPPER, v->tag)
			TH_LOG("VMA %llx-%llx %s flags %#x", v->start, v->end,
			       path, v->flags);
		if (!(v->flags & CKPT_VMA_ANON))
			EXPECT_NE(0, v->ino);
	}
	EXPECT_EQ(1, vdso);
}

/* The VMA of each region: its range, flags, tag and backing. */
static void check_region_vmas(struct __test_metadata *_metadata,
			      const struct dh_dump *d,
			      const struct report *rep, const char *file)
{
	static const struct {
		uint32_t set, clear;
		int exact;	/* the region is the whole VMA */
	} want[R_NR] = {
		[R_ANON] = { CKPT_VMA_READ | CKPT_VMA_WRITE | CKPT_VMA_ANON,
			     CKPT_VMA_SHARED | CKPT_VMA_SHMEM | CKPT_VMA_EXEC |
			     CKPT_VMA_GROWSDOWN | CKPT_VMA_HEAP | CKPT_VMA_STACK },
		[R_HEAP] = { CKPT_VMA_READ | CKPT_VMA_WRITE | CKPT_VMA_ANON |
			     CKPT_VMA_HEAP,
			     CKPT_VMA_SHARED | CKPT_VMA_SHMEM | CKPT_VMA_GROWSDOWN |
			     CKPT_VMA_STACK },
		[R_STACK] = { CKPT_VMA_READ | CKPT_VMA_WRITE | CKPT_VMA_ANON |
			      CKPT_VMA_STACK | CKPT_VMA_GROWSDOWN,
			      CKPT_VMA_SHARED | CKPT_VMA_SHMEM | CKPT_VMA_HEAP },
		/* a file on /tmp, a tmpfs: SHMEM may be set, SHARED not */
		[R_FILE] = { CKPT_VMA_READ | CKPT_VMA_WRITE,
			     CKPT_VMA_ANON | CKPT_VMA_SHARED | CKPT_VMA_EXEC |
			     CKPT_VMA_GROWSDOWN | CKPT_VMA_HEAP | CKPT_VMA_STACK,
			     1 },
		[R_MEMFD] = { CKPT_VMA_READ | CKPT_VMA_WRITE | CKPT_VMA_SHARED |
			      CKPT_VMA_SHMEM,
			      CKPT_VMA_ANON | CKPT_VMA_EXEC | CKPT_VMA_GROWSDOWN |
			      CKPT_VMA_HEAP | CKPT_VMA_STACK, 1 },
		[R_GROWS] = { CKPT_VMA_READ | CKPT_VMA_WRITE | CKPT_VMA_ANON |
			      CKPT_VMA_GROWSDOWN,
			      CKPT_VMA_SHARED | CKPT_VMA_SHMEM | CKPT_VMA_HEAP |
			      CKPT_VMA_STACK, 1 },
	};
	int rg;

	for (rg = 0; rg < R_NR; rg++) {
		const struct region *r = &rep->r[rg];
		uint64_t end = r->start + r->npages * PS;
		const struct ckpt_rec_vma *v = dh_vma_at(d, rep->pid, r->start);

		ASSERT_NE(NULL, v) TH_LOG("no VMA holds the %s region at %llx",
					  region_name[rg],
					  (unsigned long long)r->start);
		EXPECT_LE(end, v->end) TH_LOG("%s region", region_name[rg]);
		if (want[rg].exact) {
			EXPECT_EQ(r->start, v->start) TH_LOG("%s", region_name[rg]);
			EXPECT_EQ(end, v->end) TH_LOG("%s", region_name[rg]);
		}
		EXPECT_EQ(want[rg].set, v->flags & want[rg].set)
			TH_LOG("%s region: flags %#x", region_name[rg], v->flags);
		EXPECT_EQ(0, v->flags & want[rg].clear)
			TH_LOG("%s region: flags %#x", region_name[rg], v->flags);
		EXPECT_EQ(CKPT_TAG_UPPER, v->tag) TH_LOG("%s", region_name[rg]);

		if (rg == R_FILE) {
			ASSERT_NE(0, v->path_len);
			EXPECT_STREQ(file, v->path);
			EXPECT_EQ(rep->file_ino, v->ino);
			EXPECT_EQ(FILE_PAGES * PS, v->size);
			EXPECT_EQ(0, v->pgoff);
			EXPECT_NE(0, v->mtime_sec);
		}
		if (rg == R_MEMFD) {
			ASSERT_NE(0, v->path_len);
			EXPECT_EQ(0, strncmp(v->path, "/memfd:ckpt-test", 16))
				TH_LOG("memfd path %s", v->path);
			EXPECT_EQ(rep->memfd_ino, v->ino);
			EXPECT_EQ(MEMFD_PAGES * PS, v->size);
		}
	}
}

/* Each region carries exactly its written pages, with their patterns. */
static void check_region_pages(struct __test_metadata *_metadata,
			       const struct dh_dump *d,
			       const struct report *rep)
{
	int rg;

	for (rg = 0; rg < R_NR; rg++) {
		const struct region *r = &rep->r[rg];
		uint32_t i;

		for (i = 0; i < r->npages; i++) {
			uint64_t addr = r->start + i * PS;
			const uint8_t *pg = dh_page(d, rep->pid, addr);

			if (r->written & (1ULL << i)) {
				EXPECT_NE(NULL, pg)
					TH_LOG("%s page %u (%llx) written but not carried",
					       region_name[rg], i,
					       (unsigned long long)addr);
				if (pg)
					EXPECT_TRUE(page_is_pattern(pg, addr, rg))
						TH_LOG("%s page %u: wrong contents",
						       region_name[rg], i);
			} else if (rg != R_STACK) {
				EXPECT_EQ(NULL, pg)
					TH_LOG("%s page %u (%llx) %s but carried",
					       region_name[rg], i,
					       (unsigned long long)addr,
					       r->touched & (1ULL << i) ?
					       "only read" : "never touched");
			}
		}
	}
}

/* The zero page's frame number, from a page of ours that was only read. */
static uint64_t zero_pfn(void)
{
	volatile uint8_t *p = mmap(NULL, PS, PROT_READ,
				   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint64_t e;

	if (p == MAP_FAILED)
		return 0;
	(void)p[0];
	e = dh_pagemap(getpid(), (uintptr_t)p);
	munmap((void *)p, PS);
	return e & ((1ULL << 55) - 1);
}

/*
 * Every carried page equals the frozen process's memory (/proc/pid/mem),
 * lies in one VMA, and in a private mapping a page is carried exactly when
 * it is an anonymous page (a copy-on-write one for files) per pagemap:
 * present, not a file page, not the zero page.
 */
static void check_pages_generic(struct __test_metadata *_metadata,
				const struct dh_dump *d, pid_t pid)
{
	static uint8_t mem[CKPT_PAGES_MAX_RUN * PS];
	const struct ckpt_rec_pages *p;
	const struct ckpt_rec_vma *v;
	uint64_t zpfn = zero_pfn(), prev = 0;
	size_t i;

	ASSERT_NE(0, zpfn);
	for (i = 0; (p = dh_nth(d, CKPT_REC_PAGES, pid, i)); i++) {
		uint64_t end = p->start + p->nr_pages * PS;

		EXPECT_LE(prev, p->start) TH_LOG("PAGES not ascending");
		prev = end;
		v = dh_vma_at(d, pid, p->start);
		ASSERT_NE(NULL, v) TH_LOG("PAGES at %llx outside every VMA",
					  p->start);
		EXPECT_LE(end, v->end) TH_LOG("PAGES %llx+%u beyond its VMA",
					      p->start, p->nr_pages);
		EXPECT_NE(CKPT_TAG_SPECIAL, v->tag);
		ASSERT_EQ(0, dh_peek(pid, p->start, mem, p->nr_pages * PS));
		EXPECT_EQ(0, memcmp(mem, p->data, p->nr_pages * PS))
			TH_LOG("PAGES %llx+%u differ from the process's memory",
			       p->start, p->nr_pages);
	}

	for (i = 0; (v = dh_nth(d, CKPT_REC_VMA, pid, i)); i++) {
		uint64_t a;

		if (v->tag == CKPT_TAG_SPECIAL || (v->flags & CKPT_VMA_SHARED))
			continue;
		for (a = v->start; a < v->end; a += PS) {
			uint64_t pm = dh_pagemap(pid, a);
			int data = (pm & DH_PM_PRESENT) && !(pm & DH_PM_FILE) &&
				   (pm & ((1ULL << 55) - 1)) != zpfn;
			const uint8_t *pg = dh_page(d, pid, a);

			EXPECT_EQ(data, pg != NULL)
				TH_LOG("page %llx of %s%s (flags %#x): pagemap %#llx, %s",
				       (unsigned long long)a,
				       v->path_len ? v->path : "anonymous memory",
				       v->flags & CKPT_VMA_ANON ? "" : " (private file mapping)",
				       v->flags, (unsigned long long)pm,
				       pg ? "carried" : "not carried");
		}
	}
}

TEST_F_TIMEOUT(mem, one_process_memory, 90)
{
	struct report rep;
	int rep_pipe[2], go_pipe[2], keep[2], status;
	pid_t child;

	ASSERT_EQ(0, pipe2(rep_pipe, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(go_pipe, O_CLOEXEC));
	keep[0] = rep_pipe[1];
	keep[1] = go_pipe[0];
	child = dh_fork(keep, 2);
	ASSERT_LE(0, child);
	if (child == 0)
		_exit(child_main(rep_pipe[1], go_pipe[0], self->file));
	close(rep_pipe[1]);
	close(go_pipe[0]);
	ASSERT_EQ(0, wl_read_full(rep_pipe[0], &rep, sizeof(rep), 20000));
	ASSERT_EQ(child, rep.pid);

	ASSERT_EQ(0, dh_job_create_frozen(&self->g, JOB, child, &self->r))
		TH_LOG("%s", self->r.extack);
	ASSERT_EQ(0, dh_dump_job(self->dev, JOB, &self->d))
		TH_LOG("%s", self->d.error);
	TH_LOG("dump: %zu bytes, %zu records, %zu VMAs, %llu pages",
	       self->d.len, self->d.nr_recs,
	       dh_count(&self->d, CKPT_REC_VMA, 0),
	       self->d.end ? (unsigned long long)self->d.end->nr_pages : 0ULL);

	check_layout(_metadata, &self->d, child);
	check_begin_end(_metadata, &self->d, 1);
	check_task_thread_mm(_metadata, &self->d, &rep);
	check_vmas(_metadata, &self->d, child);
	check_region_vmas(_metadata, &self->d, &rep, self->file);
	check_region_pages(_metadata, &self->d, &rep);
	check_pages_generic(_metadata, &self->d, child);

	/* the dump changed nothing: the child finds its memory intact */
	ASSERT_EQ(0, gnl_job_simple(&self->g, CKPT_CMD_JOB_THAW, JOB, &self->r));
	ASSERT_EQ(1, write(go_pipe[1], "g", 1));
	status = dh_wait(child, 20000);
	ASSERT_TRUE(status >= 0 && WIFEXITED(status)) TH_LOG("status %d", status);
	EXPECT_EQ(0, WEXITSTATUS(status))
		TH_LOG("the child found its %s region changed",
		       WEXITSTATUS(status) >= 10 && WEXITSTATUS(status) < 10 + R_NR ?
		       region_name[WEXITSTATUS(status) - 10] : "(setup failed)");
}

/* --- 3 processes of 3 threads ----------------------------------------------- */

#define TREE_PROCS	3
#define TREE_THREADS	3

struct tree {
	struct {
		pid_t pid, ppid;
		pid_t tids[TREE_THREADS];	/* [0] is the main thread */
	} p[TREE_PROCS];
	uint32_t ready;				/* threads that reported */
};

static struct tree *tree_shared;

static void *tree_idle_thread(void *arg)
{
	*(pid_t *)arg = gettid();
	__atomic_add_fetch(&tree_shared->ready, 1, __ATOMIC_SEQ_CST);
	for (;;)
		pause();
	return NULL;
}

static void __attribute__((noreturn)) tree_process(struct tree *t, int level)
{
	char name[16];
	pthread_t th;
	int i;

	snprintf(name, sizeof(name), "ckpt-tree%c", '0' + level);
	prctl(PR_SET_NAME, name);
	t->p[level].pid = getpid();
	t->p[level].ppid = getppid();
	t->p[level].tids[0] = gettid();
	for (i = 1; i < TREE_THREADS; i++)
		if (pthread_create(&th, NULL, tree_idle_thread,
				   &t->p[level].tids[i]))
			_exit(1);
	__atomic_add_fetch(&t->ready, 1, __ATOMIC_SEQ_CST);
	if (level + 1 < TREE_PROCS) {
		pid_t c = fork();

		if (c < 0)
			_exit(1);
		if (c == 0)
			tree_process(t, level + 1);
	}
	for (;;)
		pause();
}

TEST_F_TIMEOUT(mem, three_processes_three_threads, 60)
{
	struct tree *t = wl_shared(sizeof(*t));
	const struct ckpt_rec_thread *th;
	const struct ckpt_rec_task *task;
	pid_t root, cur = 0;
	uint64_t end;
	size_t i, n_task = 0, n_thread = 0, first = 0;

	ASSERT_NE(NULL, t);
	tree_shared = t;
	root = dh_fork(NULL, 0);
	ASSERT_LE(0, root);
	if (root == 0)
		tree_process(t, 0);
	end = wl_now_ms() + 20000;
	while (__atomic_load_n(&t->ready, __ATOMIC_SEQ_CST) <
	       TREE_PROCS * TREE_THREADS) {
		ASSERT_GT(end, wl_now_ms()) TH_LOG("the tree did not start");
		wl_sleep_ms(5);
	}

	ASSERT_EQ(0, dh_job_create_frozen(&self->g, JOB, root, &self->r))
		TH_LOG("%s", self->r.extack);
	ASSERT_EQ(0, dh_dump_job(self->dev, JOB, &self->d))
		TH_LOG("%s", self->d.error);
	check_begin_end(_metadata, &self->d, TREE_PROCS);

	/* TASKs in creation order, each followed by its own THREADs, the
	 * leader first, with the tids the threads saw */
	ASSERT_EQ(TREE_PROCS, dh_count(&self->d, CKPT_REC_TASK, 0));
	ASSERT_EQ(TREE_PROCS * TREE_THREADS,
		  dh_count(&self->d, CKPT_REC_THREAD, 0));
	for (i = 0; i < self->d.nr_recs; i++) {
		const struct ckpt_rec *rec = self->d.recs[i];

		if (rec->type == CKPT_REC_TASK) {
			task = (const void *)(rec + 1);
			ASSERT_GT(TREE_PROCS, n_task);
			EXPECT_EQ(t->p[n_task].pid, task->pid);
			EXPECT_EQ(t->p[n_task].ppid, task->ppid);
			EXPECT_EQ(n_task ? t->p[n_task - 1].pid : getpid(),
				  task->ppid);
			EXPECT_EQ(TREE_THREADS, task->nr_threads);
			cur = task->pid;
			first = 1;
			n_task++;
		} else if (rec->type == CKPT_REC_THREAD) {
			int k, found = 0;

			th = (const void *)(rec + 1);
			ASSERT_LT(0, n_task);
			EXPECT_EQ(cur, th->pid);
			if (first)
				EXPECT_EQ(cur, th->tid) TH_LOG("leader first");
			first = 0;
			for (k = 0; k < TREE_THREADS; k++)
				found += t->p[n_task - 1].tids[k] == th->tid;
			EXPECT_EQ(1, found) TH_LOG("tid %d of pid %d", th->tid, cur);
			EXPECT_EQ(sizeof(struct user_regs_struct), th->regs_len);
			n_thread++;
		} else if (rec->type != CKPT_REC_BEGIN &&
			   rec->type != CKPT_REC_END) {
			EXPECT_EQ(cur, dh_rec_pid(rec));
		}
	}
	EXPECT_EQ(TREE_PROCS, n_task);
	EXPECT_EQ(TREE_PROCS * TREE_THREADS, n_thread);
	for (i = 0; i < TREE_PROCS; i++)
		EXPECT_EQ(1, dh_count(&self->d, CKPT_REC_MM, t->p[i].pid));
	EXPECT_EQ(0, gnl_job_simple(&self->g, CKPT_CMD_JOB_THAW, JOB, &self->r));
}

TEST_HARNESS_MAIN
