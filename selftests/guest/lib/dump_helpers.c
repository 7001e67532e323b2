// SPDX-License-Identifier: GPL-2.0
/* Dump sessions and their records for the guest tests (see dump_helpers.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dump_helpers.h"
#include "dump_stream.h"
#include "workload.h"

int dh_dev_open(void)
{
	int fd = open("/dev/ckpt", O_RDWR | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

int dh_test_setup(struct gnl *g, int *dev)
{
	int ret;

	if (ckpt_test_load_module()) {
		fprintf(stderr, "# ckpt.ko is not loaded and insmod %s failed\n",
			getenv("CKPT_KO") ?: "/lib/ckpt/ckpt.ko");
		return -ENOENT;
	}
	ret = wl_become_subreaper();
	if (ret) {
		fprintf(stderr, "# PR_SET_CHILD_SUBREAPER: %s\n", strerror(-ret));
		return ret;
	}
	ret = gnl_open(g);
	if (ret) {
		fprintf(stderr, "# opening the ckpt generic netlink family: %s\n",
			strerror(-ret));
		return ret;
	}
	if (!dev)
		return 0;
	*dev = dh_dev_open();
	if (*dev < 0) {
		fprintf(stderr, "# opening /dev/ckpt: %s\n", strerror(-*dev));
		return *dev;
	}
	return 0;
}

int dh_dump_open(int dev, uint32_t id)
{
	struct ckpt_dump_args a = { .job_id = id };
	int fd = ioctl(dev, CKPT_IOC_DUMP, &a);

	return fd < 0 ? -errno : fd;
}

int dh_read_all(int fd, size_t chunk, uint8_t **buf, size_t *len)
{
	size_t cap = 4 << 20;
	uint8_t *b = malloc(cap);

	if (!chunk)
		chunk = 1 << 20;
	*buf = b;
	*len = 0;
	if (!b)
		return -ENOMEM;
	for (;;) {
		ssize_t n;

		if (cap - *len < chunk) {
			uint8_t *nb = realloc(b, cap * 2);

			if (!nb)
				return -ENOMEM;
			*buf = b = nb;
			cap *= 2;
		}
		n = read(fd, b + *len, chunk);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return 0;
		*len += n;
	}
}

int dh_dump_error(int fd, struct ckpt_dump_error *e)
{
	memset(e, 0, sizeof(*e));
	return ioctl(fd, CKPT_IOC_DUMP_ERROR, e) ? -errno : 0;
}

int dh_dump_parse(struct dh_dump *d, uint8_t *buf, size_t len)
{
	const struct ckpt_rec *rec;
	struct ckpt_stream s;
	size_t body, cap = 0;
	int ret;

	memset(d, 0, sizeof(*d));
	d->buf = buf;
	d->len = len;
	ckpt_stream_init(&s, buf, len);
	while ((ret = ckpt_stream_next(&s, &rec, &body)) == 1) {
		if (d->nr_recs == cap) {
			const struct ckpt_rec **r;

			cap = cap ? cap * 2 : 1024;
			r = realloc(d->recs, cap * sizeof(*r));
			if (!r)
				return -ENOMEM;
			d->recs = r;
		}
		d->recs[d->nr_recs++] = rec;
		if (rec->type == CKPT_REC_BEGIN && !d->begin)
			d->begin = (const void *)(rec + 1);
		if (rec->type == CKPT_REC_END)
			d->end = (const void *)(rec + 1);
	}
	snprintf(d->error, sizeof(d->error), "%s", s.error);
	return ret;
}

int dh_dump_job(int dev, uint32_t id, struct dh_dump *d)
{
	uint8_t *buf;
	size_t len;
	int fd, err;

	memset(d, 0, sizeof(*d));
	fd = dh_dump_open(dev, id);
	if (fd < 0)
		return fd;
	err = dh_read_all(fd, 0, &buf, &len);
	close(fd);
	if (err) {
		free(buf);
		return err;
	}
	return dh_dump_parse(d, buf, len);
}

void dh_dump_free(struct dh_dump *d)
{
	free(d->recs);
	free(d->buf);
	memset(d, 0, sizeof(*d));
}

pid_t dh_rec_pid(const struct ckpt_rec *rec)
{
	switch (rec->type) {
	case CKPT_REC_TASK:
	case CKPT_REC_SIGACTIONS:
	case CKPT_REC_MM:
	case CKPT_REC_VMA:
	case CKPT_REC_THREAD:
	case CKPT_REC_PAGES:
		/* each of these bodies starts with __s32 pid */
		return *(const int32_t *)(rec + 1);
	default:
		return 0;
	}
}

size_t dh_count(const struct dh_dump *d, uint32_t type, pid_t pid)
{
	size_t i, n = 0;

	for (i = 0; i < d->nr_recs; i++)
		if (d->recs[i]->type == type &&
		    (!pid || dh_rec_pid(d->recs[i]) == pid))
			n++;
	return n;
}

const void *dh_nth(const struct dh_dump *d, uint32_t type, pid_t pid,
		   size_t n)
{
	size_t i;

	for (i = 0; i < d->nr_recs; i++) {
		if (d->recs[i]->type != type ||
		    (pid && dh_rec_pid(d->recs[i]) != pid))
			continue;
		if (!n--)
			return d->recs[i] + 1;
	}
	return NULL;
}

long dh_index(const struct dh_dump *d, uint32_t type, size_t n)
{
	size_t i;

	for (i = 0; i < d->nr_recs; i++)
		if (d->recs[i]->type == type && !n--)
			return i;
	return -1;
}

const struct ckpt_rec_vma *dh_vma_at(const struct dh_dump *d, pid_t pid,
				     uint64_t addr)
{
	const struct ckpt_rec_vma *v;
	size_t i;

	for (i = 0; (v = dh_nth(d, CKPT_REC_VMA, pid, i)); i++)
		if (addr >= v->start && addr < v->end)
			return v;
	return NULL;
}

const uint8_t *dh_page(const struct dh_dump *d, pid_t pid, uint64_t addr)
{
	uint64_t ps = d->begin ? d->begin->page_size : 4096;
	const struct ckpt_rec_pages *p;
	size_t i;

	addr &= ~(ps - 1);
	for (i = 0; (p = dh_nth(d, CKPT_REC_PAGES, pid, i)); i++)
		if (addr >= p->start && addr < p->start + p->nr_pages * ps)
			return p->data + (addr - p->start);
	return NULL;
}

const struct ckpt_rec_thread *dh_thread(const struct dh_dump *d, pid_t tid)
{
	const struct ckpt_rec_thread *t;
	size_t i;

	for (i = 0; (t = dh_nth(d, CKPT_REC_THREAD, 0, i)); i++)
		if (t->tid == tid)
			return t;
	return NULL;
}

const struct user_regs_struct *dh_thread_regs(const struct ckpt_rec_thread *t)
{
	if (t->regs_len < sizeof(struct user_regs_struct))
		return NULL;
	return (const void *)t->data;
}

const struct user_fpregs_struct *dh_thread_fpregs(const struct ckpt_rec_thread *t)
{
	if (t->fpregs_len < sizeof(struct user_fpregs_struct))
		return NULL;
	/* the parser checked that every set fits the record */
	return (const void *)(t->data + ((t->regs_len + 7) & ~7U));
}

/* --- jobs ------------------------------------------------------------------ */

int dh_job_create_frozen(struct gnl *g, uint32_t id, pid_t root,
			 struct gnl_reply *r)
{
	int err = gnl_job_create(g, id, CKPT_JOB_TREE, root, NULL, r);

	return err ?: gnl_job_freeze(g, id, 0, r);
}

int dh_job_state(struct gnl *g, uint32_t id)
{
	struct gnl_reply *r = malloc(sizeof(*r));
	int err;

	if (!r)
		return -ENOMEM;
	err = gnl_job_simple(g, CKPT_CMD_JOB_GET, id, r);
	if (!err)
		err = gnl_u32(r, CKPT_A_JOB_STATE, 0);
	free(r);
	return err;
}

/* --- processes and memory ------------------------------------------------- */

pid_t dh_fork(const int *keep, int n)
{
	pid_t pid = fork();

	if (pid == 0) {
		int max = (int)sysconf(_SC_OPEN_MAX), fd, i;

		for (fd = 3; fd < max && fd < 4096; fd++) {
			for (i = 0; i < n && keep[i] != fd; i++)
				;
			if (i == n)
				close(fd);
		}
	}
	return pid;
}

int dh_wait(pid_t pid, unsigned int timeout_ms)
{
	uint64_t end = wl_now_ms() + timeout_ms;
	int status;

	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			return status;
		if (r < 0)
			return -errno;
		if (wl_now_ms() > end)
			return -ETIMEDOUT;
		wl_sleep_ms(5);
	}
}

long dh_meminfo_kb(const char *field)
{
	size_t flen = strlen(field);
	char line[256];
	long kb = -1;
	FILE *f = fopen("/proc/meminfo", "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, field, flen) && line[flen] == ':') {
			kb = strtol(line + flen + 1, NULL, 10);
			break;
		}
	}
	fclose(f);
	return kb;
}

static int proc_pread(pid_t pid, const char *file, uint64_t off, void *buf,
		      size_t len)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/%s", pid, file);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = pread(fd, buf, len, (off_t)off);
	close(fd);
	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

int dh_peek(pid_t pid, uint64_t addr, void *buf, size_t len)
{
	return proc_pread(pid, "mem", addr, buf, len);
}

uint64_t dh_pagemap(pid_t pid, uint64_t addr)
{
	uint64_t e = 0;
	uint64_t ps = (uint64_t)sysconf(_SC_PAGESIZE);

	if (proc_pread(pid, "pagemap", addr / ps * 8, &e, sizeof(e)))
		return 0;
	return e;
}
