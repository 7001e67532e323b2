/* SPDX-License-Identifier: GPL-2.0 */
/* Reading compressed images (internal to image/). */
#ifndef CKPTD_IMAGE_ZREAD_H
#define CKPTD_IMAGE_ZREAD_H

#include <stdbool.h>

#include "image.h"
#include "xxh64.h"

/* File CKPT_IMG_F_* of img is stored compressed. */
bool ckptd_image_zfile(const struct ckptd_image *img, int file);
/* records.img of a compressed image into img->records. */
int ckptd_image_load_zrecords(struct ckptd_image *img, struct ckpt_err *err);
/*
 * Decompresses pages.img checking every chunk (against the manifest's
 * chunk sums) and the stored file's checksum; with @keep into a memfd
 * that becomes img->pages_fd.
 */
int ckptd_image_zpages(struct ckptd_image *img, bool keep, struct ckpt_err *err);

#endif /* CKPTD_IMAGE_ZREAD_H */
