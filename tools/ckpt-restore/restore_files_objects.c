// SPDX-License-Identifier: GPL-2.0
/*
 * Objects that are made, not opened: pipes, FIFOs' contents, socketpairs,
 * memfds and deleted files, each once with its data written back; then a
 * description of it per recorded description (the object's own end, or a
 * reopening through /proc/self/fd), and eventfds and epoll instances.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "restore_files_int.h"

static int fail(const struct rst_fd *f, const char *what,
		struct rst_files_err *err)
{
	char d[320];
	int e = errno;

	return rst_err(err, -e, "%s: %s: %s", rst_fd_desc(f, d, sizeof(d)),
		       what, strerror(e));
}

static int write_all(int fd, const uint8_t *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (!n)
				errno = EIO;
			return -1;
		}
		p += n;
		len -= n;
	}
	return 0;
}

/* Pipe data goes into the pipe (or FIFO) through fd, non-blocking. */
static int fill_pipe(const struct rst_obj *b, int fd, struct rst_files_err *err)
{
	uint32_t want = b->first->r.u.pipe.size;
	int cur = fcntl(fd, F_GETPIPE_SZ);

	if (cur < 0)
		return fail(b->first, "F_GETPIPE_SZ", err);
	if ((uint32_t)cur != want && fcntl(fd, F_SETPIPE_SZ, want) < 0) {
		char d[320];

		return rst_err(err, -errno, "%s: setting the pipe size to %u bytes: %s; restore as root or raise /proc/sys/fs/pipe-max-size",
			       rst_fd_desc(b->first, d, sizeof(d)), want,
			       strerror(errno));
	}
	for (size_t i = 0; i < b->nr_data; i++)
		if (write_all(fd, b->data[i]->data, b->data[i]->len))
			return fail(b->first, "writing its unread data back", err);
	return 0;
}

static int make_pipe(struct rst_obj *b, struct rst_files_err *err)
{
	if (pipe2(b->ends, O_CLOEXEC | O_NONBLOCK))
		return fail(b->first, "pipe2", err);
	return fill_pipe(b, b->ends[1], err);
}

/* Sends the data queued at end b from the other end of its pair. */
static int send_queue(const struct rst_obj *b, int from,
		      struct rst_files_err *err)
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

		if (n != (ssize_t)d->len) {
			if (n >= 0)
				errno = EMSGSIZE;
			return fail(b->first, "sending its queued data again", err);
		}
	}
	return 0;
}

static int shut(const struct rst_obj *b, int fd, struct rst_files_err *err)
{
	/* a unix shutdown is mirrored: the peer's side follows */
	if ((b->first->r.u.sock.shutdown & CKPT_SHUT_WR) &&
	    shutdown(fd, SHUT_WR) && errno != ENOTCONN)
		return fail(b->first, "shutdown", err);
	return 0;
}

/*
 * A pair for end b (and its peer, if it is in the records): b->ends[0] is
 * b's socket; a peer that is not in the records is b->ends[1], closed
 * once the data is sent.
 */
static int make_pair(struct rst_files *rf, struct rst_obj *b,
		     struct rst_files_err *err)
{
	struct rst_obj *p = b->peer == RST_NONE ? NULL : &rf->objs[b->peer];
	int sv[2], ret;

	if (b->made)
		return 0;
	if (socketpair(AF_UNIX, b->first->r.u.sock.type | SOCK_CLOEXEC, 0, sv))
		return fail(b->first, "socketpair", err);
	b->ends[0] = sv[0];
	b->made = true;
	if (p) {
		p->ends[0] = sv[1];
		p->made = true;
	} else {
		b->ends[1] = sv[1];
	}
	ret = send_queue(b, sv[1], err);
	if (!ret && p)
		ret = send_queue(p, sv[0], err);
	if (!ret)
		ret = shut(b, sv[0], err);
	if (!ret && p)
		ret = shut(p, sv[1], err);
	if (!p) {
		close(b->ends[1]);
		b->ends[1] = -1;
	}
	return ret;
}

static int fill_file(struct rst_obj *b, struct rst_files_err *err)
{
	const struct ckpt_rec_fd *r = &b->first->r;

	if (ftruncate(b->holder, r->size))
		return fail(b->first, "setting its size", err);
	for (size_t i = 0; i < b->nr_data; i++) {
		const struct ckpt_rec_file_data *d = b->data[i];

		if (pwrite(b->holder, d->data, d->len, d->offset) != (ssize_t)d->len)
			return fail(b->first, "writing its contents back", err);
	}
	return 0;
}

static int make_memfd(struct rst_obj *b, struct rst_files_err *err)
{
	uint32_t seals = b->first->r.u.memfd.seals;
	int ret;

	b->holder = memfd_create(b->first->path, MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (b->holder < 0)
		return fail(b->first, "memfd_create", err);
	ret = fill_file(b, err);
	if (!ret && seals && fcntl(b->holder, F_ADD_SEALS, seals))
		ret = fail(b->first, "adding its seals", err);
	return ret;
}

/* An unlinked file where the deleted one was, else in tmp_dir. */
static int make_deleted(struct rst_files *rf, struct rst_obj *b,
			struct rst_files_err *err)
{
	const struct ckpt_rec_fd *r = &b->first->r;
	char dir[PATH_MAX], tmpl[PATH_MAX + 16];

	snprintf(dir, sizeof(dir), "%s", b->first->path);
	b->holder = open(dirname(dir), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (b->holder < 0)
		b->holder = open(rf->tmp_dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (b->holder < 0) {
		snprintf(tmpl, sizeof(tmpl), "%s/.ckpt-deleted-XXXXXX", rf->tmp_dir);
		b->holder = mkostemp(tmpl, O_CLOEXEC);
		if (b->holder >= 0 && unlink(tmpl)) {
			close(b->holder);
			b->holder = -1;
		}
	}
	if (b->holder < 0)
		return fail(b->first, "creating an unlinked file for its contents", err);
	if (fchmod(b->holder, r->mode & 07777))
		return fail(b->first, "fchmod", err);
	return fill_file(b, err);
}

/* A new description of the object held by fd, with f's flags. */
static int reopen(int fd, int flags)
{
	char p[32];

	snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
	return open(p, flags | O_CLOEXEC | O_NOCTTY);
}

static int make_ofd(struct rst_files *rf, struct rst_ofd *o,
		    struct rst_files_err *err)
{
	const struct rst_fd *f = o->first;
	struct rst_obj *b = o->obj == RST_NONE ? NULL : &rf->objs[o->obj];
	int flags = f->r.flags & RST_OPEN_FLAGS, acc = flags & O_ACCMODE;
	int fd = -1, ret;
	char d[320];

	switch (f->r.type) {
	case CKPT_FD_PIPE: {
		int end = acc == O_WRONLY ? 1 : 0;

		/* the first description of each end is the end itself */
		if (acc != O_RDWR && !(b->given & (1U << end)))
			fd = dup(b->ends[end]);
		else
			fd = reopen(b->ends[0], acc | O_NONBLOCK);
		if (acc != O_RDWR)
			b->given |= 1U << end;
		break;
	}
	case CKPT_FD_FIFO:
		fd = reopen(b->holder, acc | O_NONBLOCK);
		break;
	case CKPT_FD_UNIX:
		fd = b->ends[0];
		b->ends[0] = -1;
		break;
	case CKPT_FD_MEMFD:
	case CKPT_FD_DELETED:
		fd = reopen(b->holder, flags);
		if (fd >= 0 && f->r.pos &&
		    lseek(fd, f->r.pos, SEEK_SET) != (off_t)f->r.pos) {
			ret = fail(f, "setting the offset", err);
			close(fd);
			return ret;
		}
		break;
	case CKPT_FD_EVENTFD:
		fd = eventfd(0, EFD_CLOEXEC |
			     (f->r.u.eventfd.flags & CKPT_EFD_SEMAPHORE ?
			      EFD_SEMAPHORE : 0));
		if (fd >= 0 && f->r.u.eventfd.count &&
		    write(fd, &f->r.u.eventfd.count, 8) != 8) {
			ret = fail(f, "setting the counter", err);
			close(fd);
			return ret;
		}
		break;
	case CKPT_FD_EPOLL:
		fd = epoll_create1(EPOLL_CLOEXEC);
		break;
	case CKPT_FD_TCP:
		fd = rst_tcp_make(rf, f, err);
		if (fd < 0)
			return fd;
		break;
	default:
		return 0;	/* opened by path, or nothing to open */
	}
	if (fd < 0)
		return fail(f, "making its file description", err);
	fd = rst_to_pool(rf, fd);
	if (fd < 0)
		return rst_err(err, fd, "%s: moving it to fd %d or above: %s",
			       rst_fd_desc(f, d, sizeof(d)), rf->base,
			       strerror(-fd));
	o->pool = fd;
	return rst_set_flags(o, fd, err);
}

int rst_make_objects(struct rst_files *rf, struct rst_files_err *err)
{
	int ret = 0;

	for (size_t i = 0; !ret && i < rf->nr_objs; i++) {
		struct rst_obj *b = &rf->objs[i];

		switch (b->first->r.type) {
		case CKPT_FD_PIPE:
			ret = make_pipe(b, err);
			break;
		case CKPT_FD_FIFO:
			ret = fill_pipe(b, b->holder, err);
			break;
		case CKPT_FD_UNIX:
			ret = make_pair(rf, b, err);
			break;
		case CKPT_FD_MEMFD:
			ret = make_memfd(b, err);
			break;
		case CKPT_FD_DELETED:
			ret = make_deleted(rf, b, err);
			break;
		}
	}
	for (size_t i = 0; !ret && i < rf->nr_ofds; i++)
		ret = make_ofd(rf, &rf->ofds[i], err);
	/* the objects live on in their descriptions only */
	for (size_t i = 0; i < rf->nr_objs; i++) {
		struct rst_obj *b = &rf->objs[i];

		if (b->holder >= 0)
			close(b->holder);
		if (b->ends[0] >= 0)
			close(b->ends[0]);
		if (b->ends[1] >= 0)
			close(b->ends[1]);
		b->holder = b->ends[0] = b->ends[1] = -1;
	}
	return ret;
}
