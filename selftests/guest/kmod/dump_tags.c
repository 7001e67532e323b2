// SPDX-License-Identifier: GPL-2.0
/*
 * Upper/lower tags of file mappings: a library whose name matches a
 * built-in lower-half pattern (libmpi*.so*) is LOWER, other files UPPER,
 * the vdso SPECIAL; a job's own CKPT_A_JOB_LOWER_PATTERNS replace the
 * defaults.  Too many or too long patterns are refused.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dump_stream.h"
#include "genl_raw.h"
#include "kselftest_harness.h"

#define JOB 7302
#define LIB "/tmp/libmpi-fake.so.12"
#define DATA "/tmp/plain-data.bin"

/* A child mapping LIB and DATA privately; returns its pid. */
static pid_t spawn_mapper(void)
{
	pid_t pid;

	static const char *const files[] = { LIB, DATA };

	for (int i = 0; i < 2; i++) {
		int fd = open(files[i], O_CREAT | O_RDWR | O_TRUNC, 0644);

		if (fd < 0 || ftruncate(fd, 4 * 4096))
			abort();
		close(fd);
	}
	pid = fork();
	if (pid == 0) {
		int a = open(LIB, O_RDONLY), b = open(DATA, O_RDONLY);

		if (mmap(NULL, 4 * 4096, PROT_READ, MAP_PRIVATE, a, 0) == MAP_FAILED ||
		    mmap(NULL, 4 * 4096, PROT_READ, MAP_PRIVATE, b, 0) == MAP_FAILED)
			_exit(1);
		for (;;)
			pause();
	}
	usleep(200000);
	return pid;
}

/* CREATE with a LOWER_PATTERNS nest of @n patterns (n < 0: none). */
static int create_with_patterns(struct gnl *g, pid_t pid,
				const char *const *pats, int n,
				struct gnl_reply *r)
{
	unsigned char nest[8192];
	size_t len = 0;
	struct gnl_msg m;

	gnl_msg_init(&m, g, CKPT_CMD_JOB_CREATE, 0);
	gnl_put_u32(&m, CKPT_A_JOB_ID, JOB);
	gnl_put_u32(&m, CKPT_A_JOB_KIND, CKPT_JOB_TREE);
	gnl_put_u32(&m, CKPT_A_JOB_PID, pid);
	for (int i = 0; i < n; i++) {
		struct nlattr *a = (struct nlattr *)(nest + len);
		size_t sl = strlen(pats[i]) + 1;

		a->nla_type = CKPT_A_PATTERN_GLOB;
		a->nla_len = NLA_HDRLEN + sl;
		memcpy(nest + len + NLA_HDRLEN, pats[i], sl);
		len += NLA_ALIGN(a->nla_len);
	}
	if (n >= 0)
		gnl_put(&m, CKPT_A_JOB_LOWER_PATTERNS | NLA_F_NESTED, nest, len);
	return gnl_request(g, &m, r);
}

/* Freeze, dump, and return the tags of the LIB and DATA mappings. */
static int tags_of(struct gnl *g, uint32_t *lib, uint32_t *data, uint32_t *vdso)
{
	struct ckpt_dump_args args = { .job_id = JOB };
	const struct ckpt_rec *rec;
	struct ckpt_stream s;
	struct gnl_reply r;
	size_t len = 0, bl, cap = 32 << 20;
	char *buf = malloc(cap);
	int dev, fd, k;
	ssize_t n;

	*lib = *data = *vdso = 0;
	if (gnl_job_freeze(g, JOB, 0, &r))
		return -1;
	dev = open("/dev/ckpt", O_RDWR);
	fd = ioctl(dev, CKPT_IOC_DUMP, &args);
	close(dev);
	while (fd >= 0 && (n = read(fd, buf + len, cap - len)) > 0)
		len += n;
	close(fd);
	gnl_job_simple(g, CKPT_CMD_JOB_THAW, JOB, &r);
	ckpt_stream_init(&s, buf, len);
	while ((k = ckpt_stream_next(&s, &rec, &bl)) > 0) {
		const struct ckpt_rec_vma *v = (const void *)(rec + 1);

		if (rec->type != CKPT_REC_VMA || !v->path_len)
			continue;
		if (!strcmp(v->path, LIB))
			*lib = v->tag;
		else if (!strcmp(v->path, DATA))
			*data = v->tag;
		else if (!strcmp(v->path, "[vdso]"))
			*vdso = v->tag;
	}
	free(buf);
	return k;
}

FIXTURE(tags) {
	struct gnl g;
	struct gnl_reply r;
	pid_t child;
};

FIXTURE_SETUP(tags)
{
	ASSERT_EQ(0, ckpt_test_load_module());
	ASSERT_EQ(0, gnl_open(&self->g));
	self->child = spawn_mapper();
}

FIXTURE_TEARDOWN(tags)
{
	gnl_job_simple(&self->g, CKPT_CMD_JOB_DESTROY, JOB, &self->r);
	kill(self->child, SIGKILL);
	waitpid(self->child, NULL, 0);
	gnl_close(&self->g);
}

TEST_F(tags, default_patterns)
{
	uint32_t lib, data, vdso;

	ASSERT_EQ(0, create_with_patterns(&self->g, self->child, NULL, -1, &self->r));
	ASSERT_EQ(0, tags_of(&self->g, &lib, &data, &vdso));
	EXPECT_EQ(CKPT_TAG_LOWER, lib);
	EXPECT_EQ(CKPT_TAG_UPPER, data);
	EXPECT_EQ(CKPT_TAG_SPECIAL, vdso);
}

TEST_F(tags, job_patterns_replace_defaults)
{
	static const char *const pats[] = { "plain-*.bin", "libfoo*" };
	uint32_t lib, data, vdso;

	ASSERT_EQ(0, create_with_patterns(&self->g, self->child, pats, 2, &self->r));
	ASSERT_EQ(0, tags_of(&self->g, &lib, &data, &vdso));
	EXPECT_EQ(CKPT_TAG_UPPER, lib);
	EXPECT_EQ(CKPT_TAG_LOWER, data);
	EXPECT_EQ(CKPT_TAG_SPECIAL, vdso);
}

TEST_F(tags, empty_pattern_list_means_no_lower_libraries)
{
	uint32_t lib, data, vdso;

	ASSERT_EQ(0, create_with_patterns(&self->g, self->child, NULL, 0, &self->r));
	ASSERT_EQ(0, tags_of(&self->g, &lib, &data, &vdso));
	EXPECT_EQ(CKPT_TAG_UPPER, lib);
	EXPECT_EQ(CKPT_TAG_UPPER, data);
}

TEST_F(tags, too_many_patterns)
{
	const char *pats[CKPT_LOWER_PATTERNS_MAX + 1];

	for (int i = 0; i <= CKPT_LOWER_PATTERNS_MAX; i++)
		pats[i] = "x*";
	EXPECT_EQ(-E2BIG, create_with_patterns(&self->g, self->child, pats,
					       CKPT_LOWER_PATTERNS_MAX + 1, &self->r));
	EXPECT_NE(NULL, strstr(self->r.extack, "too many"));
	EXPECT_EQ(0, create_with_patterns(&self->g, self->child, pats,
					  CKPT_LOWER_PATTERNS_MAX, &self->r));
}

TEST_F(tags, pattern_too_long)
{
	char longpat[CKPT_PATTERN_MAX + 2];
	const char *pats[] = { longpat };

	memset(longpat, 'a', sizeof(longpat) - 1);
	longpat[sizeof(longpat) - 1] = '\0';
	EXPECT_EQ(-EINVAL, create_with_patterns(&self->g, self->child, pats, 1,
						&self->r));
	EXPECT_NE('\0', self->r.extack[0]);
}

TEST_HARNESS_MAIN
