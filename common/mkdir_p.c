// SPDX-License-Identifier: GPL-2.0
/* mkdir -p: a directory and its missing parents. */
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>

#include "mkdir_p.h"

int ckpt_mkdir_p(const char *path, mode_t parent_mode, mode_t mode)
{
	char buf[PATH_MAX];
	size_t len = strlen(path);

	if (len >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(buf, path, len + 1);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(buf, parent_mode) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	return mkdir(buf, mode) && errno != EEXIST ? -errno : 0;
}
