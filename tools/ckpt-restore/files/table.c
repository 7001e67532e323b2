// SPDX-License-Identifier: GPL-2.0
/*
 * The bottom of the file restore: lookups in the tables parse.c builds
 * (processes by pid, an fd of a process, objects by id) and how a record
 * is named in a message.  Calls nothing else of files/.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "files_int.h"

const char *rst_type_name(uint32_t type)
{
	static const char *const names[] = {
		[CKPT_FD_REG] = "regular file",
		[CKPT_FD_DELETED] = "deleted file",
		[CKPT_FD_DIR] = "directory",
		[CKPT_FD_PIPE] = "pipe",
		[CKPT_FD_FIFO] = "FIFO",
		[CKPT_FD_CHR] = "character device",
		[CKPT_FD_TTY] = "terminal",
		[CKPT_FD_EVENTFD] = "eventfd",
		[CKPT_FD_EPOLL] = "epoll",
		[CKPT_FD_UNIX] = "unix socket",
		[CKPT_FD_MEMFD] = "memfd",
		[CKPT_FD_DEVNULL] = "/dev/null in place of",
		[CKPT_FD_CLOSED] = "closed",
	};

	if (type < sizeof(names) / sizeof(names[0]) && names[type])
		return names[type];
	return "unknown";
}

const char *rst_fd_desc(const struct rst_fd *f, char *buf, size_t size)
{
	snprintf(buf, size, "pid %d fd %d (%s%s%s)", f->r.pid, f->r.fd,
		 rst_type_name(f->r.type), f->path[0] ? " " : "", f->path);
	return buf;
}

int rst_fd_err(struct ckpt_err *err, const struct rst_fd *f, int errnum,
	       const char *what)
{
	char d[320];

	return ckpt_err_set(err, errnum, "%s: %s: %s",
			    rst_fd_desc(f, d, sizeof(d)), what,
			    strerror(errnum < 0 ? -errnum : errnum));
}

int rst_malformed(struct ckpt_err *err, const char *what, int32_t pid, int fd,
		  const char *why)
{
	if (fd >= 0)
		return ckpt_err_set(err, EINVAL, "malformed file records: %s of pid %d fd %d %s; the image is damaged",
				    what, pid, fd, why);
	return ckpt_err_set(err, EINVAL, "malformed file records: %s of pid %d %s; the image is damaged",
			    what, pid, why);
}

int rst_cmp_fd(const void *a, const void *b)
{
	const struct ckpt_rec_fd *x = &((const struct rst_fd *)a)->r;
	const struct ckpt_rec_fd *y = &((const struct rst_fd *)b)->r;

	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return (x->fd > y->fd) - (x->fd < y->fd);
}

static int cmp_proc_pid(const void *key, const void *elem)
{
	int32_t x = *(const int32_t *)key;
	int32_t y = ((const struct rst_proc *)elem)->pid;

	return (x > y) - (x < y);
}

const struct rst_proc *rst_find_proc(const struct rst_files *rf, int32_t pid)
{
	if (!rf->nr_procs)
		return NULL;
	return bsearch(&pid, rf->procs, rf->nr_procs, sizeof(*rf->procs),
		       cmp_proc_pid);
}

const struct rst_fd *rst_proc_fd(const struct rst_files *rf,
				 const struct rst_proc *p, int fd)
{
	for (size_t i = 0; i < p->nr_fds; i++)
		if (rf->fds[p->fd0 + i].r.fd == fd)
			return &rf->fds[p->fd0 + i];
	return NULL;
}

static int cmp_obj_id(const void *key, const void *elem)
{
	uint64_t x = *(const uint64_t *)key;
	uint64_t y = ((const struct rst_obj *)elem)->id;

	return (x > y) - (x < y);
}

struct rst_obj *rst_find_obj(struct rst_files *rf, uint64_t id)
{
	if (!rf->nr_objs)
		return NULL;
	return bsearch(&id, rf->objs, rf->nr_objs, sizeof(*rf->objs),
		       cmp_obj_id);
}

void rst_records_start(struct ckpt_stream *s, const void *buf, size_t len)
{
	const struct ckpt_rec *h = buf;

	ckpt_stream_init(s, buf, len);
	/* captured records alone have no BEGIN to set a page size */
	if (len < sizeof(*h) || h->type != CKPT_REC_BEGIN)
		s->page_size = 1;
}
