/* SPDX-License-Identifier: GPL-2.0 */
/* Creating a directory and its missing parents (mkdir -p). */
#ifndef CKPT_MKDIR_P_H
#define CKPT_MKDIR_P_H

#include <sys/types.h>

/*
 * Creates @path and every missing parent: the parents with @parent_mode,
 * @path itself with @mode.  Existing directories are left as they are.
 * 0, -ENAMETOOLONG, or the -errno of the mkdir(2) that failed.
 */
int ckpt_mkdir_p(const char *path, mode_t parent_mode, mode_t mode);

#endif /* CKPT_MKDIR_P_H */
