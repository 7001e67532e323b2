// SPDX-License-Identifier: GPL-2.0
/*
 * Files the job's memory maps, and its executable, must be the files it
 * had: same inode, size and modification time.  Checked for every process
 * before anything is created, and again on the open descriptor that is
 * mapped (the file could change in between).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "memory.h"

/* A VMA whose contents come from a file by its path. */
static bool is_file_vma(const struct ckpt_rec_vma *v)
{
	return !(v->flags & (CKPT_VMA_ANON | CKPT_VMA_IO)) &&
	       !rst_vma_is_shm_object(v) && v->tag != CKPT_TAG_SPECIAL &&
	       v->path_len > 1;
}

static bool deleted(const char *path)
{
	size_t n = strlen(path);

	return n > 10 && !strcmp(path + n - 10, " (deleted)");
}

static int compare(struct rst *r, const struct rst_task *t,
		   const struct ckpt_rec_vma *v, const struct stat *st)
{
	const char *why = NULL;

	if ((uint64_t)st->st_ino != v->ino && !r->opts.other_host)
		why = "its inode changed (replaced by another file)";
	else if ((uint64_t)st->st_size != v->size)
		why = "its size changed";
	else if (st->st_mtim.tv_sec != v->mtime_sec ||
		 (uint32_t)st->st_mtim.tv_nsec != v->mtime_nsec)
		why = "its modification time changed";
	if (!why)
		return 0;
	return rst_fail(r, RST_EXIT_FILES, ESTALE,
			"%s: mapped by pid %d at 0x%llx, but %s since the checkpoint (was inode %llu, %llu bytes); put the original file back or restore elsewhere",
			v->path, t->task->pid, (unsigned long long)v->start, why,
			(unsigned long long)v->ino, (unsigned long long)v->size);
}

static int check_vma(struct rst *r, const struct rst_task *t,
		     const struct ckpt_rec_vma *v)
{
	struct stat st;

	if (v->tag == CKPT_TAG_SPECIAL)
		return 0;	/* [vdso], [vvar]: moved from this kernel's */
	if (v->flags & CKPT_VMA_IO)
		return rst_fail(r, RST_EXIT_UNSUPPORTED, EOPNOTSUPP,
				"pid %d: device mapping at 0x%llx (%s) cannot be restored",
				t->task->pid, (unsigned long long)v->start,
				v->path_len > 1 ? v->path : "no file");
	if (!is_file_vma(v))
		return 0;
	if (v->path[v->path_len - 1] != '\0' || v->path[0] != '/')
		return rst_fail(r, RST_EXIT_IMAGE, EBADMSG,
				"pid %d: VMA at 0x%llx has a malformed file path",
				t->task->pid, (unsigned long long)v->start);
	if (deleted(v->path))
		return rst_fail(r, RST_EXIT_UNSUPPORTED, EOPNOTSUPP,
				"%s: mapped by pid %d at 0x%llx but deleted before the checkpoint; such mappings cannot be restored",
				v->path, t->task->pid, (unsigned long long)v->start);
	if (stat(v->path, &st))
		return rst_fail(r, RST_EXIT_FILES, ENOENT,
				"%s: mapped by pid %d at 0x%llx: %s; the file must exist where the job is restored",
				v->path, t->task->pid, (unsigned long long)v->start,
				strerror(errno));
	return compare(r, t, v, &st);
}

int rst_check_files(struct rst *r)
{
	for (size_t i = 0; i < r->nr_tasks; i++) {
		const struct rst_task *t = &r->tasks[i];

		for (size_t j = 0; j < t->nr_vmas; j++) {
			int ret = check_vma(r, t, t->vmas[j]);

			if (ret)
				return ret;
		}
	}
	return 0;
}

int rst_open_vma_file(struct rst *r, const struct rst_task *t,
		      const struct ckpt_rec_vma *v)
{
	bool rw = (v->flags & CKPT_VMA_SHARED) && (v->flags & CKPT_VMA_WRITE);
	struct stat st;
	int fd, ret;

	fd = open(v->path, (rw ? O_RDWR : O_RDONLY) | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		return rst_fail(r, RST_EXIT_FILES, ret, "%s: mapped by pid %d at 0x%llx: %s",
				v->path, t->task->pid, (unsigned long long)v->start,
				strerror(errno));
	}
	if (fstat(fd, &st)) {
		ret = -errno;
		close(fd);
		return ret;
	}
	ret = compare(r, t, v, &st);
	if (ret) {
		close(fd);
		return ret;
	}
	return fd;
}
