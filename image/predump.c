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

static struct ckptd_store_entry *find(struct ckptd_store_entry *v, size_t n,
				      uint64_t seq)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].seq == seq)
			return &v[i];
	return NULL;
}

static int remove_image(const char *store, uint32_t job, uint64_t seq,
			struct ckpt_err *err)
{
	char dir[4200], man[4300];
	int ret;

	if (ckptd_image_path(dir, sizeof(dir), store, job, seq))
		return -ENAMETOOLONG;
	snprintf(man, sizeof(man), "%s/" CKPT_IMG_MANIFEST, dir);
	if (unlink(man) && errno != ENOENT) {
		ckpt_err_msg(err, "%s: cannot remove a stale pre-dump: %s; remove %s by hand",
			      man, strerror(errno), dir);
		return -errno;
	}
	ret = ckptd_image_remove_dir(dir);
	if (ret)
		ckpt_err_msg(err, "%s: cannot remove a stale pre-dump: %s; remove it by hand",
			      dir, strerror(-ret));
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
		ckpt_err_msg(err, "%s/%u: out of memory", store, job);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		struct ckptd_store_entry *e = &v[i];

		if (e->predump && !e->bad && !(keep_from && e->seq >= keep_from))
			continue;
		while (e && !needed[e - v]) {
			needed[e - v] = 1;
			if (e->bad) {	/* it might need any older one */
				memset(needed, 1, e - v);
				break;
			}
			e = e->parent_seq ? find(v, n, e->parent_seq) : NULL;
		}
	}
	for (size_t i = 0; i < n && !ret; i++) {
		if (needed[i] || !v[i].predump)
			continue;
		ret = remove_image(store, job, v[i].seq, err);
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
