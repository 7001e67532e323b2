// SPDX-License-Identifier: GPL-2.0
/*
 * The file restore's entry points in the controller: rst_files_prepare()
 * runs the stages in order (parse.c: records to checked tables; fs.c: cwd
 * and root exist; open.c: files by path; objects.c: the rest, with their
 * data) and rst_files_cleanup() closes the pool and frees the tables.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

#include "files_int.h"

void rst_files_cleanup(struct rst_files *rf)
{
	if (!rf)
		return;
	for (size_t i = 0; i < rf->nr_ofds; i++)
		if (rf->ofds[i].pool >= 0)
			close(rf->ofds[i].pool);
	rst_objs_close(rf);
	for (size_t i = 0; i < rf->nr_objs; i++)
		free(rf->objs[i].data);
	free(rf->objs);
	free(rf->ofds);
	free(rf->fds);
	free(rf->procs);
	free(rf->tfds);
	free(rf->strings);
	free(rf);
}

int rst_files_prepare(const void *records, size_t len,
		      const struct rst_files_opts *opts, struct rst_files **rfp,
		      struct ckpt_err *err)
{
	struct rst_files *rf;
	struct rlimit rl = { 0 };
	int ret;

	*rfp = NULL;
	if (!opts || opts->base_fd < 3 || (opts->flags & ~RST_FILES_FLAGS))
		return ckpt_err_set(err, EINVAL, "file restore: base_fd must be at least 3 and flags known (got base %d, flags %#x)",
				    opts ? opts->base_fd : -1, opts ? opts->flags : 0);
	if (getrlimit(RLIMIT_NOFILE, &rl) || rl.rlim_cur <= (rlim_t)opts->base_fd)
		return ckpt_err_set(err, EINVAL, "file restore: base_fd %d is not below RLIMIT_NOFILE (%llu); raise the limit",
				    opts->base_fd, (unsigned long long)rl.rlim_cur);
	rf = calloc(1, sizeof(*rf));
	if (!rf)
		return ckpt_err_set(err, ENOMEM, "file restore: out of memory");
	rf->base = opts->base_fd;
	rf->flags = opts->flags;
	rf->tmp_dir = opts->tmp_dir ? opts->tmp_dir : "/tmp";
	rf->records = records;
	rf->records_len = len;
	ret = rst_parse(rf, records, len, err);
	if (!ret)
		ret = rst_check_fs(rf, err);
	if (!ret)
		ret = rst_open_paths(rf, err);
	if (!ret)
		ret = rst_make_objects(rf, err);
	rf->records = NULL;
	rf->records_len = 0;
	/* the data lives in the caller's buffer: not needed any more */
	for (size_t i = 0; i < rf->nr_objs; i++) {
		free(rf->objs[i].data);
		rf->objs[i].data = NULL;
		rf->objs[i].nr_data = 0;
	}
	if (ret) {
		rst_files_cleanup(rf);
		return ret;
	}
	*rfp = rf;
	return 0;
}
