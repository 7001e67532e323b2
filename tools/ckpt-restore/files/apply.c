// SPDX-License-Identifier: GPL-2.0
/*
 * In a restored process: every recorded fd at its number (a dup of the pool
 * description, with its FD_CLOEXEC), then the epoll interest lists
 * (epoll.c: their entries name fd numbers, so only now), umask, cwd and
 * root (fs.c), and every other fd closed but the caller's keep_fds.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "files_int.h"

static int install(const struct rst_files *rf, const struct rst_fd *f,
		   struct ckpt_err *err)
{
	int pool = rf->ofds[f->ofd].pool;
	char d[320];

	if (pool < 0)
		return ckpt_err_set(err, EBADF, "%s: its description was not prepared",
				    rst_fd_desc(f, d, sizeof(d)));
	if (dup3(pool, f->r.fd, f->r.fd_flags & FD_CLOEXEC ? O_CLOEXEC : 0) < 0)
		return ckpt_err_set(err, errno, "%s: dup3 to fd %d: %s%s",
				    rst_fd_desc(f, d, sizeof(d)), f->r.fd,
				    strerror(errno), errno == EBADF ?
				    " (is RLIMIT_NOFILE below it?)" : "");
	return 0;
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

/* Closes every fd that is not in keep[] (sorted, n entries). */
static int close_others(const int *keep, size_t n, struct ckpt_err *err,
			int32_t pid)
{
	unsigned int from = 0;

	for (size_t i = 0; i <= n; i++) {
		unsigned int to = i < n ? (unsigned int)keep[i] : ~0U;

		if (to > from && close_range(from, to - 1, 0))
			return ckpt_err_sys(err, "pid %d: close_range(%u, %u)",
					    pid, from, to - 1);
		if (i < n)
			from = keep[i] + 1;
	}
	return 0;
}

int rst_files_apply(struct rst_files *rf, int32_t pid, const int *keep_fds,
		    size_t nr_keep, struct ckpt_err *err)
{
	const struct rst_proc *p = rst_find_proc(rf, pid);
	size_t n = 0;
	int *keep, ret = 0;

	if (!p)
		return ckpt_err_set(err, ENOENT, "pid %d: no file records for it in the image",
				    pid);
	keep = malloc((p->nr_fds + nr_keep + 1) * sizeof(*keep));
	if (!keep)
		return ckpt_err_set(err, ENOMEM, "pid %d: out of memory", pid);
	for (size_t i = 0; i < nr_keep; i++) {
		if (keep_fds[i] < 0) {
			ret = ckpt_err_set(err, EINVAL, "pid %d: fd %d to keep is negative",
					   pid, keep_fds[i]);
			goto out;
		}
		if (rst_proc_fd(rf, p, keep_fds[i])) {
			ret = ckpt_err_set(err, EINVAL, "pid %d: fd %d to keep is one of its recorded fds",
					   pid, keep_fds[i]);
			goto out;
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
		ret = rst_epoll_add(rf, p, err);
	if (!ret)
		ret = rst_set_fs(p, err);
	if (!ret) {
		qsort(keep, n, sizeof(*keep), cmp_int);
		ret = close_others(keep, n, err, pid);
	}
out:
	free(keep);
	return ret;
}
