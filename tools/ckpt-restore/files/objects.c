// SPDX-License-Identifier: GPL-2.0
/*
 * Objects that are made, not opened: pipes, FIFOs' contents, socketpairs,
 * memfds and deleted files, each once with its data written back (data.c);
 * then a description of it per recorded description (the object's own
 * end, or a reopening through /proc/self/fd), and eventfds, epoll
 * instances and TCP connections (tcp.c), each into the pool (pool.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "files_int.h"

static int make_pipe(struct rst_obj *b, struct ckpt_err *err)
{
	if (pipe2(b->ends, O_CLOEXEC | O_NONBLOCK))
		return rst_fd_err(err, b->first, errno, "pipe2");
	return rst_data_pipe(b, b->ends[1], err);
}

static int shut(const struct rst_obj *b, int fd, struct ckpt_err *err)
{
	/* a unix shutdown is mirrored: the peer's side follows */
	if ((b->first->r.u.sock.shutdown & CKPT_SHUT_WR) &&
	    shutdown(fd, SHUT_WR) && errno != ENOTCONN)
		return rst_fd_err(err, b->first, errno, "shutdown");
	return 0;
}

/*
 * A pair for end b (and its peer, if it is in the records): b->ends[0] is
 * b's socket; a peer that is not in the records is b->ends[1], closed
 * once the data is sent.
 */
static int make_pair(struct rst_files *rf, struct rst_obj *b,
		     struct ckpt_err *err)
{
	struct rst_obj *p = b->peer == RST_NONE ? NULL : &rf->objs[b->peer];
	int sv[2], ret;

	if (b->made)
		return 0;
	if (socketpair(AF_UNIX, b->first->r.u.sock.type | SOCK_CLOEXEC, 0, sv))
		return rst_fd_err(err, b->first, errno, "socketpair");
	b->ends[0] = sv[0];
	b->made = true;
	if (p) {
		p->ends[0] = sv[1];
		p->made = true;
	} else {
		b->ends[1] = sv[1];
	}
	ret = rst_data_sock(b, sv[1], err);
	if (!ret && p)
		ret = rst_data_sock(p, sv[0], err);
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

static int make_memfd(struct rst_obj *b, struct ckpt_err *err)
{
	uint32_t seals = b->first->r.u.memfd.seals;
	int ret;

	b->holder = memfd_create(b->first->path, MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (b->holder < 0)
		return rst_fd_err(err, b->first, errno, "memfd_create");
	ret = rst_data_file(b, err);
	if (!ret && seals && fcntl(b->holder, F_ADD_SEALS, seals))
		ret = rst_fd_err(err, b->first, errno, "adding its seals");
	return ret;
}

/* An unlinked file where the deleted one was, else in tmp_dir. */
static int make_deleted(struct rst_files *rf, struct rst_obj *b,
			struct ckpt_err *err)
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
		return rst_fd_err(err, b->first, errno, "creating an unlinked file for its contents");
	if (fchmod(b->holder, r->mode & 07777))
		return rst_fd_err(err, b->first, errno, "fchmod");
	return rst_data_file(b, err);
}

/* A new description of the object held by fd, with f's flags. */
static int reopen(int fd, int flags)
{
	char p[32];

	snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
	return open(p, flags | O_CLOEXEC | O_NOCTTY);
}

static int make_ofd(struct rst_files *rf, struct rst_ofd *o,
		    struct ckpt_err *err)
{
	const struct rst_fd *f = o->first;
	struct rst_obj *b = o->obj == RST_NONE ? NULL : &rf->objs[o->obj];
	int flags = f->r.flags & RST_OPEN_FLAGS, acc = flags & O_ACCMODE;
	int fd = -1, ret;

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
			ret = rst_fd_err(err, f, errno, "setting the offset");
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
			ret = rst_fd_err(err, f, errno, "setting the counter");
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
		return rst_fd_err(err, f, errno, "making its file description");
	return rst_pool_put(rf, o, fd, true, err);
}

void rst_objs_close(struct rst_files *rf)
{
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
}

int rst_make_objects(struct rst_files *rf, struct ckpt_err *err)
{
	int ret = 0;

	for (size_t i = 0; !ret && i < rf->nr_objs; i++) {
		struct rst_obj *b = &rf->objs[i];

		switch (b->first->r.type) {
		case CKPT_FD_PIPE:
			ret = make_pipe(b, err);
			break;
		case CKPT_FD_FIFO:
			ret = rst_data_pipe(b, b->holder, err);
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
	rst_objs_close(rf);
	return ret;
}
