// SPDX-License-Identifier: GPL-2.0
/*
 * libckpt_user's ckpt_tag_region(): a program tags its own memory LOWER,
 * EXCLUDE, or part of a mapping LOWER; a dump then carries the tags
 * (VMA tags, REGION records), no page of the EXCLUDE range, and the vdso as
 * SPECIAL; the program's memory itself is untouched.  Bad arguments and too
 * many regions fail with the documented errors.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ckpt_user.h"
#include "dump_stream.h"
#include "genl_raw.h"
#include "kselftest_harness.h"

#define PG 4096UL
#define NPG 16
#define JOB 7301

/* What the child reports once its memory is set up. */
struct layout {
	uintptr_t lower, exclude, plain, partial;
	int errs[6];	/* results of the calls that must fail, and setup */
};

static void fill(char *p, int seed)
{
	for (unsigned long i = 0; i < NPG * PG; i++)
		p[i] = (char)(seed + i / PG);
}

static int check(const char *p, int seed)
{
	for (unsigned long i = 0; i < NPG * PG; i++)
		if (p[i] != (char)(seed + i / PG))
			return 0;
	return 1;
}

/*
 * A mapping of its own: adjacent anonymous mappings would merge into one
 * VMA, so each sits between PROT_NONE guard pages.
 */
static char *region(void)
{
	char *p = mmap(NULL, (NPG + 2) * PG, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED ||
	    mprotect(p + PG, NPG * PG, PROT_READ | PROT_WRITE))
		abort();
	return p + PG;
}

/* The child: sets up, reports, waits for "go", verifies its memory. */
static void child(int report, int go)
{
	struct layout l = { 0 };
	char *a = region(), *b = region(), *c = region(), *d = region();
	char byte;

	fill(a, 1);
	fill(b, 2);
	fill(c, 3);
	fill(d, 4);
	l.lower = (uintptr_t)a;
	l.exclude = (uintptr_t)b;
	l.plain = (uintptr_t)c;
	l.partial = (uintptr_t)d;
	l.errs[0] = ckpt_tag_region(a, NPG * PG, CKPT_REGION_LOWER) |
		    ckpt_tag_region(b, NPG * PG, CKPT_REGION_EXCLUDE) |
		    ckpt_tag_region(d, NPG / 2 * PG, CKPT_REGION_LOWER);
	l.errs[1] = ckpt_tag_region(a + 1, PG, CKPT_REGION_LOWER);
	l.errs[2] = ckpt_tag_region(a, 0, CKPT_REGION_LOWER);
	l.errs[3] = ckpt_tag_region(a, PG, 99);
	l.errs[4] = ckpt_tag_region((void *)(1UL << 47), 1UL << 47,
				    CKPT_REGION_EXCLUDE);
	l.errs[5] = ckpt_tag_region(a, PG + 100, CKPT_REGION_LOWER);
	if (write(report, &l, sizeof(l)) != sizeof(l))
		_exit(2);
	if (read(go, &byte, 1) != 1)
		_exit(3);
	_exit(check(a, 1) && check(b, 2) && check(c, 3) && check(d, 4) ? 0 : 1);
}

/* Reads the whole dump of frozen job JOB. */
static char *dump_job(size_t *len)
{
	struct ckpt_dump_args args = { .job_id = JOB };
	size_t cap = 64 << 20;
	char *buf = malloc(cap);
	int dev = open("/dev/ckpt", O_RDWR | O_CLOEXEC), fd;
	ssize_t n;

	*len = 0;
	fd = ioctl(dev, CKPT_IOC_DUMP, &args);
	close(dev);
	if (fd < 0 || !buf)
		return NULL;
	while ((n = read(fd, buf + *len, cap - *len)) > 0)
		*len += n;
	close(fd);
	return n < 0 ? NULL : buf;
}

TEST(tags_in_the_dump)
{
	int rep[2], go[2], status, k, vdso_special = 0;
	int saw_lower_vma = 0, saw_exclude_vma = 0, saw_partial_vma = 0;
	int regions = 0, excluded_pages = 0, plain_pages = 0;
	const struct ckpt_rec *rec;
	struct ckpt_stream s;
	struct gnl_reply r;
	struct layout l;
	struct gnl g;
	size_t len, bl;
	char *buf;
	pid_t pid;

	ASSERT_EQ(0, ckpt_test_load_module());
	ASSERT_EQ(0, gnl_open(&g));
	ASSERT_EQ(0, pipe(rep));
	ASSERT_EQ(0, pipe(go));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		child(rep[1], go[0]);
	ASSERT_EQ(sizeof(l), read(rep[0], &l, sizeof(l)));
	EXPECT_EQ(0, l.errs[0]);
	EXPECT_EQ(-EINVAL, l.errs[1]);
	EXPECT_EQ(-EINVAL, l.errs[2]);
	EXPECT_EQ(-EINVAL, l.errs[3]);
	EXPECT_EQ(-EINVAL, l.errs[4]);
	EXPECT_EQ(-EINVAL, l.errs[5]);

	ASSERT_EQ(0, gnl_job_create(&g, JOB, CKPT_JOB_TREE, pid, NULL, &r));
	ASSERT_EQ(0, gnl_job_freeze(&g, JOB, 0, &r));
	buf = dump_job(&len);
	ASSERT_NE(NULL, buf);

	ckpt_stream_init(&s, buf, len);
	while ((k = ckpt_stream_next(&s, &rec, &bl)) > 0) {
		const void *b = rec + 1;

		if (rec->type == CKPT_REC_VMA) {
			const struct ckpt_rec_vma *v = b;

			if (v->start == l.lower)
				saw_lower_vma = v->tag == CKPT_TAG_LOWER;
			if (v->start == l.exclude)
				saw_exclude_vma = v->tag == CKPT_TAG_UPPER;
			if (v->start == l.partial)
				saw_partial_vma = v->tag == CKPT_TAG_UPPER;
			if (v->path_len && !strcmp(v->path, "[vdso]"))
				vdso_special = v->tag == CKPT_TAG_SPECIAL;
		} else if (rec->type == CKPT_REC_REGION) {
			const struct ckpt_rec_region *rg = b;

			regions += (rg->start == l.lower && rg->tag == CKPT_REGION_LOWER &&
				    rg->end == l.lower + NPG * PG) ||
				   (rg->start == l.exclude && rg->tag == CKPT_REGION_EXCLUDE) ||
				   (rg->start == l.partial && rg->tag == CKPT_REGION_LOWER &&
				    rg->end == l.partial + NPG / 2 * PG);
		} else if (rec->type == CKPT_REC_PAGES) {
			const struct ckpt_rec_pages *p = b;

			for (unsigned int i = 0; i < p->nr_pages; i++) {
				uintptr_t a = p->start + i * PG;

				if (a >= l.exclude && a < l.exclude + NPG * PG)
					excluded_pages++;
				if (a >= l.plain && a < l.plain + NPG * PG &&
				    p->data[i * PG] == (char)(3 + (a - l.plain) / PG))
					plain_pages++;
			}
		}
	}
	EXPECT_EQ(0, k) {
		TH_LOG("stream: %s", s.error);
	}
	EXPECT_TRUE(saw_lower_vma);
	EXPECT_TRUE(saw_exclude_vma);
	EXPECT_TRUE(saw_partial_vma);
	EXPECT_TRUE(vdso_special);
	EXPECT_EQ(3, regions);
	EXPECT_EQ(0, excluded_pages);
	EXPECT_EQ(NPG, plain_pages);
	free(buf);

	ASSERT_EQ(0, gnl_job_simple(&g, CKPT_CMD_JOB_THAW, JOB, &r));
	ASSERT_EQ(1, write(go[1], "x", 1));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));	/* its memory is intact */
	gnl_job_simple(&g, CKPT_CMD_JOB_DESTROY, JOB, &r);
	gnl_close(&g);
}

TEST(too_many_regions)
{
	int status;
	pid_t pid = fork();

	ASSERT_LE(0, pid);
	if (pid == 0) {
		char *p = region();
		int i, err = 0;

		for (i = 0; i < CKPT_TAG_REGIONS_MAX && !err; i++)
			err = ckpt_tag_region(p, PG, CKPT_REGION_UPPER);
		if (err)
			_exit(1);
		_exit(ckpt_tag_region(p, PG, CKPT_REGION_UPPER) == -ENOSPC ? 0 : 2);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

TEST(forked_child_tags_its_own_memory)
{
	int status;
	pid_t pid;
	char *p = region();

	ASSERT_EQ(0, ckpt_tag_region(p, PG, CKPT_REGION_EXCLUDE));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)	/* the library opens /dev/ckpt anew for the child */
		_exit(ckpt_tag_region(p, PG, CKPT_REGION_LOWER) ? 1 : 0);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

TEST_HARNESS_MAIN
