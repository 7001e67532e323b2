// SPDX-License-Identifier: GPL-2.0
/*
 * Contents as FILE_DATA records, read without changing anything the job
 * can see: deleted files and memfds through a description of our own (so
 * that seeking over holes moves no offset of the job's), unread pipe data
 * copied with tee() into a private pipe, and socket queues peeked with
 * MSG_PEEK from offset 0 (SO_PEEK_OFF, put back afterwards).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "capture_int.h"

/* Datagrams peeked from one socket at most (zero-length ones included). */
#define MAX_MSGS	(1U << 20)

static int add_data(struct ckptd_recbuf *out, const struct cap_fd *f,
		    uint32_t flags, uint64_t offset, const void *buf, size_t len)
{
	struct ckpt_rec_file_data r = {
		.pid = f->img_pid, .flags = flags, .obj_id = f->rec.obj_id,
		.offset = offset, .len = len,
	};

	return cap_rec_add(out, CKPT_REC_FILE_DATA, &r, sizeof(r), buf, len);
}

static int too_much(struct ckptd_capture *cap, const struct cap_fd *f,
		    const char *what, uint64_t n, struct ckpt_err *err)
{
	return ckpt_err_set(err, EFBIG, "pid %d fd %d: %s (%s) holds more than %llu bytes (%llu); raise the capture's max_data or treat the fd as closed",
			     (int)f->pid, f->fd, what, f->link,
			     (unsigned long long)cap->max_data, (unsigned long long)n);
}

static int sys_fail(const struct cap_fd *f, const char *what,
		    struct ckpt_err *err)
{
	int ret = -errno;

	return ckpt_err_set(err, ret, "pid %d fd %d (%s): %s: %s", (int)f->pid, f->fd,
		      f->link, what, strerror(errno));
}

/* Our own description of the job's file, opened through /proc. */
static int reopen(const struct cap_fd *f, int flags)
{
	char p[64];
	int fd;

	snprintf(p, sizeof(p), "/proc/%d/fd/%d", (int)f->via, f->fd);
	fd = open(p, flags | O_CLOEXEC | O_NOATIME);
	if (fd < 0 && errno == EPERM)
		fd = open(p, flags | O_CLOEXEC);
	return fd;
}

int cap_file_contents(struct ckptd_capture *cap, struct cap_fd *f,
		      struct ckptd_recbuf *out, struct ckpt_err *err)
{
	uint64_t size = f->st.st_size, off = 0, stored = 0;
	uint8_t *buf = malloc(CKPT_FILE_DATA_MAX);
	int fd = -1, ret = 0;

	if (!buf)
		return ckpt_err_set(err, ENOMEM, "pid %d fd %d: out of memory", (int)f->pid, f->fd);
	fd = reopen(f, O_RDONLY);
	if (fd < 0) {
		ret = sys_fail(f, "opening it to read its contents", err);
		goto out;
	}
	while (!ret && off < size) {
		off_t d = lseek(fd, off, SEEK_DATA), h;

		if (d < 0) {
			if (errno != ENXIO)
				ret = sys_fail(f, "lseek(SEEK_DATA)", err);
			break;
		}
		h = lseek(fd, d, SEEK_HOLE);
		if (h < 0) {
			ret = sys_fail(f, "lseek(SEEK_HOLE)", err);
			break;
		}
		if ((uint64_t)h > size)
			h = size;
		for (off = d; !ret && off < (uint64_t)h; ) {
			size_t want = (uint64_t)h - off < CKPT_FILE_DATA_MAX ?
				      (uint64_t)h - off : CKPT_FILE_DATA_MAX;
			ssize_t n = pread(fd, buf, want, off);

			if (n <= 0) {
				if (!n)
					errno = ENODATA;
				ret = sys_fail(f, "reading its contents", err);
				break;
			}
			stored += n;
			if (stored > cap->max_data) {
				ret = too_much(cap, f, "file", stored, err);
				break;
			}
			ret = add_data(out, f, 0, off, buf, n);
			off += n;
		}
	}
out:
	if (fd >= 0)
		close(fd);
	free(buf);
	return ret;
}

/* Reads everything in pipe fd into records, as pieces of a stream. */
static int drain(const struct cap_fd *f, int fd, uint64_t avail,
		 struct ckptd_recbuf *out, struct ckpt_err *err)
{
	uint8_t *buf = malloc(CKPT_FILE_DATA_MAX);
	uint64_t off = 0;
	int ret = 0;

	if (!buf)
		return ckpt_err_set(err, ENOMEM, "pid %d fd %d: out of memory", (int)f->pid, f->fd);
	while (!ret && off < avail) {
		ssize_t n = read(fd, buf, CKPT_FILE_DATA_MAX);

		if (n <= 0) {
			if (!n)
				errno = ENODATA;
			ret = sys_fail(f, "reading the copy of its pipe data", err);
			break;
		}
		ret = add_data(out, f, 0, off, buf, n);
		off += n;
	}
	free(buf);
	return ret;
}

int cap_pipe_data(struct ckptd_capture *cap, struct cap_fd *f,
		  struct ckptd_recbuf *out, struct ckpt_err *err)
{
	int rd = f->dup, tmp[2] = { -1, -1 }, avail = 0, size, ret = 0;
	ssize_t n;

	/* tee() needs a read end: a write end is reopened for reading */
	if ((f->info.flags & O_ACCMODE) == O_WRONLY) {
		rd = reopen(f, O_RDONLY | O_NONBLOCK);
		if (rd < 0)
			return sys_fail(f, "opening the pipe for reading", err);
	}
	if (ioctl(rd, FIONREAD, &avail)) {
		ret = sys_fail(f, "FIONREAD", err);
		goto out;
	}
	if (!avail)
		goto out;
	if ((uint64_t)avail > cap->max_data) {
		ret = too_much(cap, f, "pipe", avail, err);
		goto out;
	}
	size = fcntl(rd, F_GETPIPE_SZ);
	if (size < 0) {
		ret = sys_fail(f, "F_GETPIPE_SZ", err);
		goto out;
	}
	if (pipe2(tmp, O_CLOEXEC | O_NONBLOCK)) {
		ret = sys_fail(f, "a pipe for the copy", err);
		goto out;
	}
	if (fcntl(tmp[1], F_SETPIPE_SZ, size) < 0) {
		ret = sys_fail(f, "F_SETPIPE_SZ on the copy", err);
		goto out;
	}
	/* one tee() duplicates every buffer: the copy has as many slots */
	n = tee(rd, tmp[1], avail, SPLICE_F_NONBLOCK);
	if (n != avail) {
		if (n >= 0)
			errno = EIO;
		ret = sys_fail(f, "tee() of its unread data", err);
		goto out;
	}
	ret = drain(f, tmp[0], avail, out, err);
out:
	if (tmp[0] >= 0)
		close(tmp[0]);
	if (tmp[1] >= 0)
		close(tmp[1]);
	if (rd != f->dup)
		close(rd);
	return ret;
}

/* Refuses queued file descriptors; credentials are let through. */
static int check_cmsgs(struct msghdr *m, const struct cap_fd *f,
		       struct ckpt_err *err)
{
	struct cmsghdr *c;
	bool fds = false;

	for (c = CMSG_FIRSTHDR(m); c; c = CMSG_NXTHDR(m, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
			size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			int *v = (int *)CMSG_DATA(c);

			for (size_t i = 0; i < n; i++)
				close(v[i]);
			fds = true;
		}
	}
	if (fds || (m->msg_flags & MSG_CTRUNC))
		return ckpt_err_set(err, EOPNOTSUPP, "pid %d fd %d: unix socket (%s) has file descriptors queued (SCM_RIGHTS), which cannot be captured; treat the fd as closed",
				     (int)f->pid, f->fd, f->link);
	return 0;
}

static int peek_all(struct ckptd_capture *cap, struct cap_fd *f, uint8_t *buf,
		    struct ckptd_recbuf *out, struct ckpt_err *err)
{
	bool stream = f->rec.u.sock.type == SOCK_STREAM;
	union {
		struct cmsghdr h;
		char b[4096];
	} ctl;
	uint64_t total = 0;
	unsigned int msgs = 0;
	int ret;

	for (;;) {
		struct iovec iov = { buf, CKPT_FILE_DATA_MAX };
		struct msghdr m = {
			.msg_iov = &iov, .msg_iovlen = 1,
			.msg_control = &ctl, .msg_controllen = sizeof(ctl),
		};
		ssize_t n = recvmsg(f->dup, &m, MSG_PEEK | MSG_DONTWAIT |
				    MSG_CMSG_CLOEXEC);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				return 0;
			return sys_fail(f, "MSG_PEEK", err);
		}
		ret = check_cmsgs(&m, f, err);
		if (ret)
			return ret;
		if (stream && !n)
			return 0;	/* end of file: the peer shut down */
		if (!stream) {
			if (m.msg_flags & MSG_TRUNC)
				return ckpt_err_set(err, EOPNOTSUPP, "pid %d fd %d: unix socket (%s) has a datagram queued larger than %u bytes, which cannot be captured",
						     (int)f->pid, f->fd, f->link,
						     CKPT_FILE_DATA_MAX);
			/* a shut down socket reads 0 at the end of its queue */
			if (!n && (f->rec.u.sock.shutdown & CKPT_SHUT_RD))
				return 0;
			if (++msgs > MAX_MSGS)
				return too_much(cap, f, "socket queue", total, err);
		}
		if (total + n > cap->max_data)
			return too_much(cap, f, "socket queue", total + n, err);
		ret = add_data(out, f, stream ? 0 : CKPT_DATA_MSG, total, buf, n);
		if (ret)
			return ret;
		total += n;
	}
}

int cap_sock_data(struct ckptd_capture *cap, struct cap_fd *f,
		  struct ckptd_recbuf *out, struct ckpt_err *err)
{
	socklen_t len = sizeof(int);
	int saved, zero = 0, ret;
	uint8_t *buf;

	if (getsockopt(f->dup, SOL_SOCKET, SO_PEEK_OFF, &saved, &len))
		return sys_fail(f, "getsockopt(SO_PEEK_OFF)", err);
	buf = malloc(CKPT_FILE_DATA_MAX);
	if (!buf)
		return ckpt_err_set(err, ENOMEM, "pid %d fd %d: out of memory", (int)f->pid, f->fd);
	if (setsockopt(f->dup, SOL_SOCKET, SO_PEEK_OFF, &zero, sizeof(zero)))
		ret = sys_fail(f, "setsockopt(SO_PEEK_OFF)", err);
	else
		ret = peek_all(cap, f, buf, out, err);
	/* the job's own peek offset, -1 (off) unless it set one */
	if (setsockopt(f->dup, SOL_SOCKET, SO_PEEK_OFF, &saved, sizeof(saved)) &&
	    !ret)
		ret = sys_fail(f, "putting SO_PEEK_OFF back", err);
	free(buf);
	return ret;
}
