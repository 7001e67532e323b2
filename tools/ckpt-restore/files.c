// SPDX-License-Identifier: GPL-2.0
/*
 * Open files, cwd, root and umask of the job (captured by ckptd, see
 * Documentation/files.md): the descriptions are made once in the restorer
 * before the tree is created (restore_files.h), and each process installs
 * its own at their recorded numbers before its memory is replaced.  An
 * image without captured records (a dump stored without ckptd) keeps the
 * restorer's standard descriptors instead.
 */
#include <errno.h>

#include "restore.h"
#include "files/files.h"

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
			 RST_EXIT_FAILED, "%s", err.msg);
	return ret;
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
		rst_fail(r, RST_EXIT_FAILED, "%s", err.msg);
	return ret;
}
