// SPDX-License-Identifier: GPL-2.0
/*
 * Contents and queued data (FILE_DATA records): each record is attached
 * to its object while parsing, checked against it (flags, order, the
 * pipe's or file's size), and written back when the object is made:
 * unread pipe data into the pipe, a socket end's queue sent again from
 * the other end of its pair, a memfd's or deleted file's contents at
 * their offsets.  The restore half of daemon/capture/data.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "files_int.h"

int rst_data_add(struct rst_files *rf, const struct ckpt_rec_file_data *d,
		 struct ckpt_err *err)
{
	struct rst_obj *b = rst_find_obj(rf, d->obj_id);
	const struct ckpt_rec_fd *r;
	const struct ckpt_rec_file_data **v;
	bool msg;

	if (!b)
		return rst_malformed(err, "a FILE_DATA record", d->pid, -1,
				     "names no object of the FD records");
	r = &b->first->r;
	msg = r->type == CKPT_FD_UNIX && r->u.sock.type != SOCK_STREAM;
	if (d->pad || (d->flags & ~CKPT_DATA_MSG) ||
	    !!(d->flags & CKPT_DATA_MSG) != msg)
		return rst_malformed(err, "a FILE_DATA record", d->pid, r->fd,
				     "has bad flags or padding");
	switch (r->type) {
	case CKPT_FD_MEMFD:
	case CKPT_FD_DELETED:
		if (d->offset > r->size || d->len > r->size - d->offset)
			return rst_malformed(err, "a FILE_DATA record", d->pid, r->fd,
					     "lies beyond the file's size");
		break;
	case CKPT_FD_PIPE:
	case CKPT_FD_FIFO:
		if (b->data_len + d->len > r->u.pipe.size)
			return rst_malformed(err, "a FILE_DATA record", d->pid, r->fd,
					     "holds more than the pipe's size");
		/* fall through */
	default:
		if (d->offset != b->data_len)
			return rst_malformed(err, "a FILE_DATA record", d->pid, r->fd,
					     "is out of order");
	}
	v = realloc(b->data, (b->nr_data + 1) * sizeof(*v));
	if (!v)
		return ckpt_err_set(err, ENOMEM, "file records: out of memory");
	b->data = v;
	b->data[b->nr_data++] = d;
	b->data_len += d->len;
	return 0;
}

static int write_all(int fd, const uint8_t *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (!n)
			return -EIO;
		p += n;
		len -= n;
	}
	return 0;
}

/* Pipe data goes into the pipe (or FIFO) through fd, non-blocking. */
int rst_data_pipe(const struct rst_obj *b, int fd, struct ckpt_err *err)
{
	uint32_t want = b->first->r.u.pipe.size;
	int cur = fcntl(fd, F_GETPIPE_SZ);

	if (cur < 0)
		return rst_fd_err(err, b->first, errno, "F_GETPIPE_SZ");
	if ((uint32_t)cur != want && fcntl(fd, F_SETPIPE_SZ, want) < 0) {
		char d[320];

		return ckpt_err_set(err, errno, "%s: setting the pipe size to %u bytes: %s; restore as root or raise /proc/sys/fs/pipe-max-size",
				    rst_fd_desc(b->first, d, sizeof(d)), want,
				    strerror(errno));
	}
	for (size_t i = 0; i < b->nr_data; i++) {
		int ret = write_all(fd, b->data[i]->data, b->data[i]->len);

		if (ret)
			return rst_fd_err(err, b->first, ret,
					  "writing its unread data back");
	}
	return 0;
}

/* Sends the data queued at end b from the other end of its pair. */
int rst_data_sock(const struct rst_obj *b, int from, struct ckpt_err *err)
{
	if (b->data_len) {
		int sz = b->data_len > INT_MAX / 2 ? INT_MAX : 2 * b->data_len + 65536;

		/* room for all of it; SO_SNDBUFFORCE as root */
		if (setsockopt(from, SOL_SOCKET, SO_SNDBUFFORCE, &sz, sizeof(sz)))
			setsockopt(from, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	}
	for (size_t i = 0; i < b->nr_data; i++) {
		const struct ckpt_rec_file_data *d = b->data[i];
		ssize_t n = send(from, d->data, d->len, MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n != (ssize_t)d->len)
			return rst_fd_err(err, b->first, n < 0 ? errno : EMSGSIZE,
					  "sending its queued data again");
	}
	return 0;
}

int rst_data_file(const struct rst_obj *b, struct ckpt_err *err)
{
	const struct ckpt_rec_fd *r = &b->first->r;

	if (ftruncate(b->holder, r->size))
		return rst_fd_err(err, b->first, errno, "setting its size");
	for (size_t i = 0; i < b->nr_data; i++) {
		const struct ckpt_rec_file_data *d = b->data[i];
		ssize_t n = pwrite(b->holder, d->data, d->len, d->offset);

		if (n != (ssize_t)d->len)
			return rst_fd_err(err, b->first, n < 0 ? errno : EIO,
					  "writing its contents back");
	}
	return 0;
}
