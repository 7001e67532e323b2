// SPDX-License-Identifier: GPL-2.0
/*
 * Shared memory of the job: every shmem-backed VMA (memfd, MAP_SHARED
 * anonymous memory, SysV shm) is remapped from one memfd per original
 * object, created before the process tree so that every process that
 * shared the object shares the new one.  The pages are filled by the
 * blobs of the processes mapping it (the same contents from each).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "memory.h"

/*
 * Shared memory with no name to reopen: memfd, MAP_SHARED|MAP_ANONYMOUS
 * ("/dev/zero (deleted)"), SysV shm, deleted tmpfs files.  A tmpfs file
 * that still has its name is a file like any other.
 */
bool rst_vma_is_shm_object(const struct ckpt_rec_vma *v)
{
	size_t n;

	if (!(v->flags & CKPT_VMA_SHMEM))
		return false;
	if (v->path_len <= 1)
		return true;
	n = strnlen(v->path, v->path_len);
	return !strncmp(v->path, "/memfd:", 7) || !strncmp(v->path, "/SYSV", 5) ||
	       (n > 10 && !strcmp(v->path + n - 10, " (deleted)"));
}

static bool shared_shmem(const struct ckpt_rec_vma *v)
{
	return rst_vma_is_shm_object(v) && (v->flags & CKPT_VMA_SHARED);
}

const struct rst_shm *rst_shm_find(const struct rst *r,
				   const struct ckpt_rec_vma *v)
{
	for (size_t i = 0; i < r->nr_shm; i++)
		if (r->shm[i].dev == v->dev && r->shm[i].ino == v->ino)
			return &r->shm[i];
	return NULL;
}

static int add(struct rst *r, const struct ckpt_rec_vma *v)
{
	uint64_t end = v->pgoff * r->page_size + (v->end - v->start);
	struct rst_shm *s = (struct rst_shm *)rst_shm_find(r, v), *n;

	if (s) {
		if (end > s->size)
			s->size = end;
		return 0;
	}
	n = realloc(r->shm, (r->nr_shm + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	r->shm = n;
	r->shm[r->nr_shm++] = (struct rst_shm){ v->dev, v->ino, end, -1 };
	return 0;
}

int rst_shm_create(struct rst *r)
{
	for (size_t i = 0; i < r->nr_tasks; i++) {
		const struct rst_task *t = &r->tasks[i];

		for (size_t j = 0; j < t->nr_vmas; j++)
			if (shared_shmem(t->vmas[j]) && add(r, t->vmas[j]))
				return rst_fail(r, RST_EXIT_FAILED, ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < r->nr_shm; i++) {
		struct rst_shm *s = &r->shm[i];
		char name[64];
		int fd;

		snprintf(name, sizeof(name), "ckpt-shm-%llu",
			 (unsigned long long)s->ino);
		fd = memfd_create(name, MFD_CLOEXEC);
		if (fd < 0 || ftruncate(fd, (off_t)s->size)) {
			int ret = rst_fail(r, RST_EXIT_FAILED, errno,
					   "shared memory object (inode %llu, %llu bytes): %s",
					   (unsigned long long)s->ino,
					   (unsigned long long)s->size, strerror(errno));

			if (fd >= 0)
				close(fd);
			return ret;
		}
		s->fd = rst_fd_high(r, fd);
		if (s->fd < 0)
			return s->fd;
	}
	return 0;
}
