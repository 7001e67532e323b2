// SPDX-License-Identifier: GPL-2.0
/* Pre-dump images in the store: telling them apart, removing stale ones. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "image_store.h"
#include "predump.h"
#include "store_list.h"

int ckptd_image_is_predump(const char *store, uint32_t job, uint64_t seq)
{
	struct ckpt_img_manifest m;
	char path[4300];
	int fd, ret = 0;

	if (ckptd_image_path(path, sizeof(path) - 16, store, job, seq))
		return 0;
	strcat(path, "/" CKPT_IMG_MANIFEST);
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return 0;
	if (read(fd, &m, sizeof(m)) == sizeof(m) && m.magic == CKPT_IMG_MAGIC)
		ret = !!(m.dump_flags & CKPT_DUMP_PREDUMP);
	close(fd);
	return ret;
}

/* what is not a pre-dump, or a pre-dump still wanted (seq >= *keep_from) */
static bool wanted(const struct ckptd_store_entry *v, size_t n, size_t i, const void *arg)
{
	uint64_t keep_from = *(const uint64_t *)arg;

	(void)n;
	return !v[i].predump || v[i].bad || (keep_from && v[i].seq >= keep_from);
}

int ckptd_predump_gc(const char *store, uint32_t job, uint64_t keep_from,
		     unsigned int *removed, struct ckpt_err *err)
{
	return ckptd_store_gc(store, job, wanted, &keep_from, 1, "a stale pre-dump", removed, err);
}

int ckptd_predump_gc_all(const char *store, unsigned int *removed,
			 struct ckpt_err *err)
{
	uint32_t *jobs;
	size_t n;
	int ret = ckptd_store_jobs(store, &jobs, &n, err);

	if (removed)
		*removed = 0;
	for (size_t i = 0; i < n && !ret; i++)
		ret = ckptd_predump_gc(store, jobs[i], 0, removed, err);
	free(jobs);
	return ret;
}
