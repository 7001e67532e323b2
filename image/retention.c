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

int ckptd_retention_gc(const char *store, uint32_t job, unsigned int keep,
		       unsigned int *removed, struct ckpt_err *err)
{
	struct ckptd_store_entry *v;
	char *needed;
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
		return ckpt_err_set(err, -ENOMEM, "%s/%u: out of memory", store, job);
	}
	/* the newest @keep, then every parent they reach */
	for (size_t i = n - keep; i < n; i++)
		ckptd_store_keep_chain(v, n, i, needed);
	for (size_t i = 0; i < n && !ret; i++) {
		if (needed[i])
			continue;
		ret = ckptd_store_remove(store, job, v[i].seq, "for retention", err);
		if (!ret && removed)
			(*removed)++;
	}
	free(needed);
	free(v);
	return ret;
}
