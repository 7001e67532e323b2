/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Looking things up in, and building, captured file records
 * (CKPT_REC_FS / FD / FILE_DATA / EPOLL_TFD) for the file tests; part of
 * the host tests' helpers (helpers.c).  Records are appended by the
 * capture's own record buffer (daemon/capture/recbuf.c).
 */
#ifndef FILES_RECORDS_H
#define FILES_RECORDS_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <linux/ckpt.h>

#include "capture.h"
#include "dump_stream.h"
#include "files_format.h"
#include "helpers.h"

/* The first record of pid (fd, epoll watch epfd/tfd), or NULL. */
const struct ckpt_rec_fd *fr_fd(const struct ckptd_recbuf *rb, int32_t pid, int fd);
const struct ckpt_rec_fs *fr_fs(const struct ckptd_recbuf *rb, int32_t pid);
const struct ckpt_rec_epoll_tfd *fr_tfd(const struct ckptd_recbuf *rb,
					int32_t pid, int epfd, int tfd);

/* How many records of type pid has. */
unsigned int fr_count(const struct ckptd_recbuf *rb, uint32_t type, int32_t pid);

struct fr_data {
	uint64_t obj_id;
	uint8_t *out;		/* bytes placed at their offsets */
	size_t cap;
	size_t stored;		/* bytes in records */
	size_t end;		/* highest offset + len */
	unsigned int nr, nr_msg;
	int bad;		/* a piece past cap */
};

/* The data of obj_id, placed by offset into out (cap bytes, zeroed first). */
struct fr_data fr_data(const struct ckptd_recbuf *rb, uint64_t obj_id,
		       void *out, size_t cap);

/*
 * Captures the fds of processes a (as pid 1) and b (as pid 2, unless b is
 * 0) into rb, as the daemon does for a stopped job.
 */
int fr_capture(pid_t a, pid_t b, const struct ckptd_capture_opts *o,
	       struct ckptd_recbuf *rb, struct ckpt_err *err);

/* Appends a record to rb (for building records by hand); aborts on failure. */
void fr_add(struct ckptd_recbuf *rb, uint32_t type, const void *body,
	    size_t body_len, const void *tail, size_t tail_len);

#endif /* FILES_RECORDS_H */
