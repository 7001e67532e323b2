/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Appending to the files of an image with several writes in flight:
 * io_uring when the kernel allows it, plain pwrite() otherwise, from a
 * pool of 1 MiB buffers.
 */
#ifndef CKPTD_IMAGE_IO_H
#define CKPTD_IMAGE_IO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <liburing.h>

#include "image.h"
#include "xxh64.h"

#define CKPTD_IOBUF_SIZE	(1U << 20)

struct ckptd_iobuf;

struct ckptd_iofile {
	int fd;
	char path[4096];	/* for messages */
	uint64_t size;		/* bytes appended so far */
	struct ckptd_xxh64 sum;	/* of everything appended */
	struct ckptd_iobuf *cur;	/* being filled */
};

struct ckptd_iow {
	struct io_uring ring;
	bool uring;
	unsigned int qd, in_flight, nbuf;
	struct ckptd_iobuf *bufs;
	int error;		/* first write error, -errno */
	struct ckpt_err *err;
};

int ckptd_iow_init(struct ckptd_iow *w, unsigned int qd, bool no_uring,
		   struct ckpt_err *err);
void ckptd_iow_exit(struct ckptd_iow *w);

/* Creates path (O_EXCL). */
int ckptd_iofile_open(struct ckptd_iofile *f, const char *path, struct ckpt_err *err);
int ckptd_iofile_close(struct ckptd_iofile *f, struct ckpt_err *err);

int ckptd_iow_append(struct ckptd_iow *w, struct ckptd_iofile *f,
		     const void *data, size_t len);
/* Submits f's partly filled buffer. */
int ckptd_iow_flush(struct ckptd_iow *w, struct ckptd_iofile *f);
/* Waits for every write in flight; returns the first error. */
int ckptd_iow_drain(struct ckptd_iow *w);

#endif /* CKPTD_IMAGE_IO_H */
