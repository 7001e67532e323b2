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

int ckptd_predump_gc(const char *store, uint32_t job, uint64_t keep_from,
		     unsigned int *removed, struct ckpt_err *err)
{
	struct ckptd_store_entry *v;
	char *needed;
	size_t n;
	int ret = ckptd_store_list(store, job, &v, &n, err);

	if (ret || !n) {
		free(v);
		return ret;
	}
	needed = calloc(n, 1);
	if (!needed) {
		free(v);
		return ckpt_err_set(err, -ENOMEM, "%s/%u: out of memory", store, job);
	}
	/* what is not a pre-dump (or a pre-dump still wanted) keeps its chain */
	for (size_t i = 0; i < n; i++)
		if (!v[i].predump || v[i].bad || (keep_from && v[i].seq >= keep_from))
			ckptd_store_keep_chain(v, n, i, needed);
	for (size_t i = 0; i < n && !ret; i++) {
		if (needed[i] || !v[i].predump)
			continue;
		ret = ckptd_store_remove(store, job, v[i].seq, "a stale pre-dump", err);
		if (!ret && removed)
			(*removed)++;
	}
	free(needed);
	free(v);
	return ret;
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
