// SPDX-License-Identifier: GPL-2.0
/*
 * The [peers] keys of live migration's stop condition (ckptd.conf(5),
 * Documentation/migration.md):
 *   migrate_iterations = N          pre-dumps at most (1-100, default 8)
 *   migrate_dirty_threshold = SIZE  stop pre-copying once a pre-dump
 *                                   carried at most SIZE (K, M, G suffixes;
 *                                   default 4M)
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ckptd_config.h"
#include "size.h"

int ckptd_config_migrate_set(struct ckptd_config *c, const char *key, const char *val,
			     struct ckpt_err *e)
{
	if (!strcmp(key, "migrate_iterations")) {
		char *end;
		unsigned long v = strtoul(val, &end, 10);

		if (!isdigit((unsigned char)val[0]) || *end || v < 1 || v > 100)
			return ckpt_err_set(e, EINVAL, "migrate_iterations: '%s' is not a number from 1 to 100",
					    val);
		c->migrate_iterations = v;
		return 0;
	}
	if (!strcmp(key, "migrate_dirty_threshold")) {
		if (ckpt_parse_size(val, &c->migrate_dirty_bytes))
			return ckpt_err_set(e, EINVAL, "migrate_dirty_threshold: '%s' is not a size (bytes, or with K, M or G)",
					    val);
		return 0;
	}
	return ckpt_err_set(e, EINVAL, "unknown key '%s' in [peers]: the migration keys are migrate_iterations and migrate_dirty_threshold",
			    key);
}
