// SPDX-License-Identifier: GPL-2.0
/* Retention ("keep N") of the image store, never breaking a parent chain. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "image_store.h"
#include "retention.h"
#include "store_list.h"

static struct ckptd_store_entry *find(struct ckptd_store_entry *v, size_t n,
				      uint64_t seq)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].seq == seq)
			return &v[i];
	return NULL;
}

int ckptd_retention_gc(const char *store, uint32_t job, unsigned int keep,
		       unsigned int *removed, struct ckpt_err *err)
{
	struct ckptd_store_entry *v;
	char *needed, dir[4200], man[4300];
	size_t n;
	int ret;

	if (removed)
		*removed = 0;
	if (!keep)
		return 0;
	ret = ckptd_store_list(store, job, &v, &n, err);
	if (ret || n <= keep) {
		free(v);
		return ret;
	}
	needed = calloc(n, 1);
	if (!needed) {
		free(v);
		ckpt_err_msg(err, "%s/%u: out of memory", store, job);
		return -ENOMEM;
	}
	/* the newest @keep, then every parent they reach */
	for (size_t i = n - keep; i < n; i++) {
		struct ckptd_store_entry *e = &v[i];

		while (e && !needed[e - v]) {
			needed[e - v] = 1;
			/* an unreadable manifest: keep what might be its parents */
			if (e->bad) {
				memset(needed, 1, e - v);
				break;
			}
			e = e->parent_seq ? find(v, n, e->parent_seq) : NULL;
		}
	}
	for (size_t i = 0; i < n && !ret; i++) {
		if (needed[i])
			continue;
		if (ckptd_image_path(dir, sizeof(dir), store, job, v[i].seq)) {
			ret = -ENAMETOOLONG;
			break;
		}
		snprintf(man, sizeof(man), "%s/" CKPT_IMG_MANIFEST, dir);
		if (unlink(man) && errno != ENOENT) {
			ret = -errno;
			ckpt_err_msg(err, "%s: cannot remove for retention: %s",
				      man, strerror(errno));
			break;
		}
		ret = ckptd_image_remove_dir(dir);
		if (ret)
			ckpt_err_msg(err, "%s: cannot remove for retention: %s; remove it by hand",
				      dir, strerror(-ret));
		else if (removed)
			(*removed)++;
	}
	free(needed);
	free(v);
	return ret;
}
