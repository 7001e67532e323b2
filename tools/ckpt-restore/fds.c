// SPDX-License-Identifier: GPL-2.0
/*
 * Descriptors.  fd_base is picked above every descriptor number the job
 * had: it is each blob's notify fd, the restorer's own descriptors (the
 * pages.img of each image level, pipes, mapped files) live above it, and
 * the blob closes everything above it when it is done.  The job's own open
 * files, cwd, root and umask (captured by ckptd, Documentation/files.md)
 * are made once here before the tree is created (files/files.h), and each
 * process installs its own at their recorded numbers before its memory is
 * replaced.  An image without captured records (a dump stored without
 * ckptd) keeps the restorer's standard descriptors instead.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "files/files.h"
#include "files_format.h"
#include "restore.h"

int rst_fd_high(struct rst *r, int fd)
{
	int n = fcntl(fd, F_DUPFD_CLOEXEC, r->fd_base + 1);
	int e = errno;

	close(fd);
	if (n < 0)
		return rst_fail(r, RST_EXIT_FAILED, e,
				"cannot move a descriptor above %d: %s (raise RLIMIT_NOFILE)",
				r->fd_base, strerror(e));
	return n;
}

/* Above every descriptor number the job had. */
static int job_fd_max(const struct rst *r)
{
	int max = 0;

	for (size_t i = 0; i < r->nr_tasks; i++)
		for (size_t j = 0; j < r->tasks[i].nr_urecs; j++) {
			const struct ckpt_rec *h = r->tasks[i].urecs[j];
			const struct ckpt_rec_fd *fd = (const void *)(h + 1);

			if (h->type == CKPT_REC_FD && fd->fd > max)
				max = fd->fd;
		}
	return max;
}

int rst_fds_setup(struct rst *r)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		return rst_fail(r, RST_EXIT_FAILED, errno,
				"RLIMIT_NOFILE: %s", strerror(errno));
	rl.rlim_cur = rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
	if (rl.rlim_cur < 2048 + 8 * r->nr_tasks)
		return rst_fail(r, RST_EXIT_FAILED, EMFILE,
				"RLIMIT_NOFILE hard limit %llu is too low; raise it to at least %zu",
				(unsigned long long)rl.rlim_cur, 2048 + 8 * r->nr_tasks);
	r->fd_base = 1024;
	if (job_fd_max(r) + 16 > r->fd_base)
		r->fd_base = job_fd_max(r) + 16;
	if (rl.rlim_cur < (rlim_t)r->fd_base + 1024 + 8 * r->nr_tasks)
		return rst_fail(r, RST_EXIT_FAILED, EMFILE,
				"RLIMIT_NOFILE hard limit %llu is too low for descriptor %d of the job; raise it",
				(unsigned long long)rl.rlim_cur, r->fd_base - 16);
	close(r->fd_base);
	r->level_fds = calloc(r->nr_levels, sizeof(int));
	if (!r->level_fds)
		return rst_fail(r, RST_EXIT_FAILED, ENOMEM, "out of memory");
	for (unsigned int l = 0; l < r->nr_levels; l++) {
		int fd;

		/* raw contents: pages.img, or a compressed one's memfd */
		if (ckptd_image_pages_fd(r->levels[l], &fd, &r->err)) {
			r->exit_code = RST_EXIT_IMAGE;
			return -EBADMSG;
		}
		r->level_fds[l] = rst_fd_high(r, dup(fd));
		if (r->level_fds[l] < 0)
			return r->level_fds[l];
	}
	return 0;
}

static bool has_captured_files(const struct rst *r)
{
	for (size_t i = 0; i < r->nr_tasks; i++)
		if (r->tasks[i].nr_urecs)
			return true;
	return false;
}

int rst_files_setup(struct rst *r)
{
	struct rst_files_opts opts = {
		.base_fd = r->fd_base + 1,
		.flags = r->opts.other_host ? RST_FILES_OTHER_HOST : 0,
	};
	struct ckpt_err err = { 0 };
	int ret;

	if (!has_captured_files(r))
		return 0;
	ret = rst_files_prepare(r->img->records, r->img->records_len, &opts,
				&r->files, &err);
	if (ret)
		rst_fail(r, ret == -ESTALE || ret == -ENOENT ? RST_EXIT_FILES :
			 ret == -EBADMSG || ret == -EINVAL ? RST_EXIT_IMAGE :
			 RST_EXIT_FAILED, ret, "%s", err.msg);
	return ret;
}

void rst_files_done(struct rst *r)
{
	rst_files_cleanup(r->files);
	r->files = NULL;
}

int rst_files_install(struct rst *r, struct rst_task *t, const int *keep,
		      size_t nr_keep)
{
	struct ckpt_err err = { 0 };
	int ret;

	if (!r->files || !t->nr_urecs)
		return 0;
	ret = rst_files_apply(r->files, t->task->pid, keep, nr_keep, &err);
	if (ret)
		rst_fail(r, RST_EXIT_FAILED, ret, "%s", err.msg);
	return ret;
}
