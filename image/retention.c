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

/* the newest @keep */
static bool newest(const struct ckptd_store_entry *v, size_t n, size_t i, const void *arg)
{
	(void)v;
	return i + *(const unsigned int *)arg >= n;
}

int ckptd_retention_gc(const char *store, uint32_t job, unsigned int keep,
		       unsigned int *removed, struct ckpt_err *err)
{
	if (removed)
		*removed = 0;
	if (!keep)
		return 0;
	return ckptd_store_gc(store, job, newest, &keep, 0, "for retention", removed, err);
}
