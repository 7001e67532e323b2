// SPDX-License-Identifier: GPL-2.0
/*
 * In a restored process: every recorded fd at its number (a dup of the pool
 * description, with its FD_CLOEXEC), then the epoll interest lists (their
 * entries name fd numbers, so only now), umask, cwd and root, and every
 * other fd closed but the caller's keep_fds.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <unistd.h>

#include "restore_files_int.h"

static int install(const struct rst_files *rf, const struct rst_fd *f,
		   struct rst_files_err *err)
{
	int pool = rf->ofds[f->ofd].pool;
	char d[320];

	if (pool < 0)
		return rst_err(err, -EBADF, "%s: its description was not prepared",
			       rst_fd_desc(f, d, sizeof(d)));
	if (dup3(pool, f->r.fd, f->r.fd_flags & FD_CLOEXEC ? O_CLOEXEC : 0) < 0)
		return rst_err(err, -errno, "%s: dup3 to fd %d: %s%s",
			       rst_fd_desc(f, d, sizeof(d)), f->r.fd,
			       strerror(errno), errno == EBADF ?
			       " (is RLIMIT_NOFILE below it?)" : "");
	return 0;
}

static int add_entries(const struct rst_files *rf, const struct rst_proc *p,
		       struct rst_files_err *err)
{
	for (size_t i = 0; i < p->nr_tfds; i++) {
		const struct ckpt_rec_epoll_tfd *t = &rf->tfds[p->tfd0 + i];
		struct epoll_event ev = { .events = t->events, .data.u64 = t->data };

		/* a shared epoll gets the entry from whichever process is first */
		if (epoll_ctl(t->epfd, EPOLL_CTL_ADD, t->tfd, &ev) && errno != EEXIST)
			return rst_err(err, -errno, "pid %d fd %d (epoll): adding fd %d with events %#x: %s",
				       p->pid, t->epfd, t->tfd, t->events,
				       strerror(errno));
	}
	return 0;
}

static int set_fs(const struct rst_proc *p, struct rst_files_err *err)
{
	struct stat now, want;

	umask(p->fs.umask);
	if (chdir(p->cwd))
		return rst_err(err, -errno, "pid %d: chdir to its working directory %s: %s",
			       p->pid, p->cwd, strerror(errno));
	/* chroot only when the recorded root is not this one already */
	if (stat("/", &now) || stat(p->root, &want))
		return rst_err(err, -errno, "pid %d: stat of its root %s: %s",
			       p->pid, p->root, strerror(errno));
	if (now.st_dev == want.st_dev && now.st_ino == want.st_ino)
		return 0;
	if (chroot(p->root))
		return rst_err(err, -errno, "pid %d: chroot to its root %s: %s%s",
			       p->pid, p->root, strerror(errno), errno == EPERM ?
			       " (restore with CAP_SYS_CHROOT)" : "");
	return 0;
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

/* Closes every fd that is not in keep[] (sorted, n entries). */
static int close_others(const int *keep, size_t n, struct rst_files_err *err,
			int32_t pid)
{
	unsigned int from = 0;

	for (size_t i = 0; i <= n; i++) {
		unsigned int to = i < n ? (unsigned int)keep[i] : ~0U;

		if (to > from && close_range(from, to - 1, 0))
			return rst_err(err, -errno, "pid %d: close_range(%u, %u): %s",
				       pid, from, to - 1, strerror(errno));
		if (i < n)
			from = keep[i] + 1;
	}
	return 0;
}

int rst_files_apply(struct rst_files *rf, int32_t pid, const int *keep_fds,
		    size_t nr_keep, struct rst_files_err *err)
{
	const struct rst_proc *p = rst_find_proc(rf, pid);
	size_t n = 0;
	int *keep, ret = 0;

	if (!p)
		return rst_err(err, -ENOENT, "pid %d: no file records for it in the image",
			       pid);
	keep = malloc((p->nr_fds + nr_keep + 1) * sizeof(*keep));
	if (!keep)
		return rst_err(err, -ENOMEM, "pid %d: out of memory", pid);
	for (size_t i = 0; i < nr_keep; i++) {
		if (keep_fds[i] < 0) {
			ret = rst_err(err, -EINVAL, "pid %d: fd %d to keep is negative",
				      pid, keep_fds[i]);
			goto out;
		}
		for (size_t j = 0; j < p->nr_fds; j++) {
			if (rf->fds[p->fd0 + j].r.fd == keep_fds[i]) {
				ret = rst_err(err, -EINVAL, "pid %d: fd %d to keep is one of its recorded fds",
					      pid, keep_fds[i]);
				goto out;
			}
		}
		keep[n++] = keep_fds[i];
	}
	for (size_t i = 0; !ret && i < p->nr_fds; i++) {
		const struct rst_fd *f = &rf->fds[p->fd0 + i];

		if (f->r.type == CKPT_FD_CLOSED)
			continue;
		ret = install(rf, f, err);
		keep[n++] = f->r.fd;
	}
	if (!ret)
		ret = add_entries(rf, p, err);
	if (!ret)
		ret = set_fs(p, err);
	if (!ret) {
		qsort(keep, n, sizeof(*keep), cmp_int);
		ret = close_others(keep, n, err, pid);
	}
out:
	free(keep);
	return ret;
}
