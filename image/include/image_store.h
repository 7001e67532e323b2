/* SPDX-License-Identifier: GPL-2.0 */
/* Directory helpers of the image store, for code that fills image directories itself (a peer receiving images). */
#ifndef CKPTD_IMAGE_STORE_H
#define CKPTD_IMAGE_STORE_H

#include "image.h"

/* Removes dir and the files in it (an image directory has no subdirs). */
int ckptd_image_remove_dir(const char *dir);
/* fsync() of a directory, after a rename or create in it. */
int ckptd_fsync_dir(const char *dir, struct ckpt_err *err);

#endif /* CKPTD_IMAGE_STORE_H */
