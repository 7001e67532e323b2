// SPDX-License-Identifier: GPL-2.0
/*
 * The job, loaded from an image: the image and its parents are opened and
 * verified (checksums, structure, chain) before anything else happens,
 * then records.img is indexed per process (struct rst_task) and checked.
 * And rst_fail(): how every step of the restore records its failure.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "dump_stream.h"
#include "restore.h"

int rst_fail(struct rst *r, int exit_code, int errnum, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = ckpt_err_vset(&r->err, errnum, fmt, ap);
	va_end(ap);
	r->exit_code = exit_code;
	return ret;
}

struct rst_task *rst_task_by_pid(struct rst *r, pid_t pid)
{
	for (size_t i = 0; i < r->nr_tasks; i++)
		if (r->tasks[i].task->pid == pid)
			return &r->tasks[i];
	return NULL;
}

static int push(void *arr, size_t *nr, size_t size, const void *item)
{
	void **a = arr;
	void *n = realloc(*a, (*nr + 1) * size);

	if (!n)
		return -ENOMEM;
	memcpy((char *)n + *nr * size, item, size);
	*a = n;
	(*nr)++;
	return 0;
}

static int bad(struct rst *r, const char *what, int32_t pid)
{
	return rst_fail(r, RST_EXIT_IMAGE, EBADMSG,
			"%s/" CKPT_IMG_RECORDS ": %s of pid %d; the image is inconsistent, restore from another checkpoint",
			r->img->dir, what, pid);
}

/* The records of a process that come after its TASK record. */
static const char *task_record(uint32_t type)
{
	switch (type) {
	case CKPT_REC_SIGACTIONS: return "SIGACTIONS before TASK";
	case CKPT_REC_MM: return "MM before TASK";
	case CKPT_REC_VMA: return "VMA before TASK";
	case CKPT_REC_THREAD: return "THREAD before TASK";
	default:	/* BEGIN, END, REGION, pages: not needed */
		return type < CKPT_REC_USER_BASE ? NULL :
		       "captured record before TASK";
	}
}

static int add_task(struct rst *r, const struct ckpt_rec_task *task)
{
	struct rst_task n = { .task = task, .ctl_rd = -1, .ctl_wr = -1,
			      .rep_rd = -1, .rep_wr = -1 };

	if (rst_task_by_pid(r, task->pid))
		return bad(r, "second TASK record", task->pid);
	if (task->pid <= 0)
		return bad(r, "TASK record with an invalid pid", task->pid);
	return push(&r->tasks, &r->nr_tasks, sizeof(n), &n);
}

static int index_record(struct rst *r, const struct ckpt_rec *h)
{
	const char *what = task_record(h->type);
	const void *b = h + 1;
	struct rst_task *t;
	int32_t pid;

	if (h->type == CKPT_REC_TASK)
		return add_task(r, b);
	if (!what)
		return 0;
	/* the process a record belongs to must have its TASK record before */
	pid = *(const int32_t *)b;
	t = rst_task_by_pid(r, pid);
	if (!t)
		return bad(r, what, pid);
	switch (h->type) {
	case CKPT_REC_SIGACTIONS:
		t->sigactions = b;
		return 0;
	case CKPT_REC_MM:
		t->mm = b;
		return 0;
	case CKPT_REC_VMA:
		return push(&t->vmas, &t->nr_vmas, sizeof(b), &b);
	case CKPT_REC_THREAD:
		return push(&t->threads, &t->nr_threads, sizeof(b), &b);
	default:
		return push(&t->urecs, &t->nr_urecs, sizeof(h), &h);
	}
}

/* The THREAD records of a process whose main thread exited. */
static int check_leader_exited(struct rst *r, const struct rst_task *t)
{
	if (t->task->flags & CKPT_TASK_ZOMBIE)
		return bad(r, "TASK record flagged both zombie and leader-exited",
			   t->task->pid);
	if (!t->nr_threads)
		return bad(r, "leader-exited TASK record without a THREAD record (a live thread)",
			   t->task->pid);
	for (size_t i = 0; i < t->nr_threads; i++)
		if (t->threads[i]->tid == t->task->pid)
			return bad(r, "leader-exited TASK record with a THREAD record of its exited leader",
				   t->task->pid);
	return 0;
}

static int check_tasks(struct rst *r)
{
	for (size_t i = 0; i < r->nr_tasks; i++) {
		struct rst_task *t = &r->tasks[i];
		bool zombie = t->task->flags & CKPT_TASK_ZOMBIE;
		int ret;

		t->parent = rst_task_by_pid(r, t->task->ppid);
		if (t->parent && t->parent > t)
			return bad(r, "parent recorded after its child", t->task->pid);
		if (t->task->flags & ~(CKPT_TASK_ZOMBIE | CKPT_TASK_STOPPED |
				       CKPT_TASK_LEADER_EXITED))
			return bad(r, "TASK record with unknown flags", t->task->pid);
		if (rst_leader_exited(t)) {
			ret = check_leader_exited(r, t);
			if (ret)
				return ret;
		}
		if (zombie)
			continue;
		if (!t->mm || !t->sigactions || !t->nr_threads)
			return bad(r, "missing MM, SIGACTIONS or THREAD record",
				   t->task->pid);
		if (!rst_leader_exited(t) && t->threads[0]->tid != t->task->pid)
			return bad(r, "first THREAD record is not the leader",
				   t->task->pid);
		/* the kernel may still count an exited leader until the end */
		if (t->nr_threads != t->task->nr_threads &&
		    !(rst_leader_exited(t) &&
		      t->nr_threads + 1 == t->task->nr_threads))
			return bad(r, "THREAD records do not match the thread count",
				   t->task->pid);
	}
	if (!r->nr_tasks)
		return rst_fail(r, RST_EXIT_IMAGE, EBADMSG,
				"%s: the image holds no process", r->img->dir);
	return 0;
}

static int open_chain(struct rst *r)
{
	struct ckptd_image *img = r->img;

	for (;;) {
		struct ckptd_image **n = realloc(r->levels,
					(r->nr_levels + 1) * sizeof(*n));

		if (!n)
			return rst_fail(r, RST_EXIT_FAILED, ENOMEM, "out of memory");
		r->levels = n;
		r->levels[r->nr_levels++] = img;
		if (!img->man.parent_seq)
			return 0;
		if (ckptd_image_parent(img, &img, &r->err)) {
			r->exit_code = RST_EXIT_IMAGE;
			return -ENOENT;
		}
	}
}

int rst_load(struct rst *r, const char *dir)
{
	const struct ckpt_rec *h;
	struct ckpt_stream s;
	size_t body;
	int ret;

	ret = ckptd_image_open(dir, &r->img, &r->err);
	if (!ret) {
		/*
		 * The blob preads page runs: a compressed pages.img of any
		 * level is decompressed into a memfd while it is verified.
		 */
		r->img->want_pages_fd = !r->opts.verify_only;
		ret = ckptd_image_verify(r->img, &r->err);
	}
	if (ret) {
		r->exit_code = RST_EXIT_IMAGE;
		return ret;
	}
	r->page_size = r->img->man.page_size;
	if (r->page_size != 4096)
		return rst_fail(r, RST_EXIT_UNSUPPORTED, EOPNOTSUPP,
				"%s: page size %u; this restorer supports 4096 only",
				dir, r->page_size);
	ret = open_chain(r);
	if (ret)
		return ret;
	ckpt_stream_init(&s, r->img->records, r->img->records_len);
	while ((ret = ckpt_stream_next(&s, &h, &body)) == 1) {
		ret = index_record(r, h);
		if (ret == -ENOMEM)
			rst_fail(r, RST_EXIT_FAILED, ENOMEM, "out of memory");
		if (ret)
			return ret;
	}
	if (ret < 0)
		return rst_fail(r, RST_EXIT_IMAGE, ret,
				"%s/" CKPT_IMG_RECORDS ": %s", dir, s.error);
	return check_tasks(r);
}

void rst_free(struct rst *r)
{
	for (size_t i = 0; i < r->nr_tasks; i++) {
		free(r->tasks[i].vmas);
		free(r->tasks[i].threads);
		free(r->tasks[i].urecs);
		free(r->tasks[i].host_tids);
	}
	free(r->tasks);
	free(r->levels);
	free(r->level_fds);
	if (r->img)
		ckptd_image_close(r->img);	/* closes the parents too */
}
