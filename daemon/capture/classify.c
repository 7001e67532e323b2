// SPDX-License-Identifier: GPL-2.0
/*
 * What an fd refers to (enum ckpt_fd_type), from its /proc link, fstat(),
 * fdinfo flags and, for sockets, sock_diag; or why it cannot be captured.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <linux/magic.h>
#include <netinet/tcp.h>

#include "capture_int.h"

#define DELETED_SUFFIX	" (deleted)"
#define MEMFD_PREFIX	"/memfd:"

static int unsupported(struct cap_fd *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int unsupported(struct cap_fd *f, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(f->why, sizeof(f->why), fmt, ap);
	va_end(ap);
	return -EOPNOTSUPP;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

/* f->path = f->link without the " (deleted)" suffix (and a prefix). */
static void set_path(struct cap_fd *f, const char *prefix)
{
	const char *s = f->link + strlen(prefix);
	size_t n = strlen(s);

	if (ends_with(s, DELETED_SUFFIX))
		n -= strlen(DELETED_SUFFIX);
	memcpy(f->path, s, n);
	f->path[n] = '\0';
}

/* procfs and sysfs files are the kernel's view of this moment. */
static int pseudo_fs(struct cap_fd *f, const char *what)
{
	struct statfs sf;

	if (fstatfs(f->dup, &sf))
		return 0;
	if (sf.f_type == PROC_SUPER_MAGIC)
		return unsupported(f, "%s on procfs (%s)", what, f->link);
	if (sf.f_type == SYSFS_MAGIC)
		return unsupported(f, "%s on sysfs (%s)", what, f->link);
	if (sf.f_type == HUGETLBFS_MAGIC)
		return unsupported(f, "%s on hugetlbfs (%s)", what, f->link);
	return 0;
}

static const char *family_name(int family)
{
	switch (family) {
	case AF_INET: return "IPv4";
	case AF_INET6: return "IPv6";
	case AF_NETLINK: return "netlink";
	case AF_PACKET: return "packet";
	case AF_UNIX: return "unix";
	default: return "other";
	}
}

static int classify_socket(struct ckptd_capture *cap, struct cap_fd *f,
			   struct ckpt_err *err)
{
	socklen_t len = sizeof(int);
	struct cap_unix u;
	int family, ret;

	if (getsockopt(f->dup, SOL_SOCKET, SO_DOMAIN, &family, &len)) {
		ret = -errno;
		return ckpt_err_set(err, ret, "pid %d fd %d: getsockopt(SO_DOMAIN): %s",
			      (int)f->pid, f->fd, strerror(errno));
	}
	if ((family == AF_INET || family == AF_INET6) && cap->tcp) {
		bool est;

		ret = cap_tcp_is_established(f->dup, &est);
		if (ret) {
			return ckpt_err_set(err, ret, "pid %d fd %d: %s socket: %s", (int)f->pid,
				      f->fd, family_name(family), strerror(-ret));
		}
		if (!est)
			return unsupported(f, "%s socket (%s): only established TCP connections are supported",
					   family_name(family), f->link);
		f->rec.type = CKPT_FD_TCP;
		return 0;
	}
	if (family != AF_UNIX)
		return unsupported(f, "%s socket (%s)%s", family_name(family),
				   f->link, family == AF_INET || family == AF_INET6 ?
				   ": a TCP connection is captured only when the job spans hosts ('ckptctl cluster set')" : "");
	ret = cap_unix_diag(cap, f->st.st_ino, &u, err);
	if (ret)
		return ret;
	if (u.type != SOCK_STREAM && u.type != SOCK_DGRAM &&
	    u.type != SOCK_SEQPACKET)
		return unsupported(f, "unix socket of type %u (%s)", u.type,
				   f->link);
	if (u.named)
		return unsupported(f, "named unix socket (%s): only socketpairs are supported",
				   f->link);
	if (u.state != TCP_ESTABLISHED || !u.peer_ino)
		return unsupported(f, "unconnected unix socket (%s): only socketpairs are supported",
				   f->link);
	f->rec.type = CKPT_FD_UNIX;
	f->rec.u.sock.type = u.type;
	f->rec.u.sock.shutdown = u.shutdown;
	f->peer_ino = u.peer_ino;
	return 0;
}

/* /dev/null, zero, full, random, urandom: major 1, these minors. */
static bool mem_device(dev_t rdev)
{
	unsigned int mi = minor(rdev);

	return major(rdev) == 1 &&
	       (mi == 3 || mi == 5 || mi == 7 || mi == 8 || mi == 9);
}

static int classify_chr(struct cap_fd *f)
{
	int n;

	if (mem_device(f->st.st_rdev)) {
		f->rec.type = CKPT_FD_CHR;
		set_path(f, "");
		return 0;
	}
	if (isatty(f->dup)) {
		if (!ioctl(f->dup, TIOCGPTN, &n))
			return unsupported(f, "pseudo-terminal master (%s)",
					   f->link);
		f->rec.type = CKPT_FD_TTY;
		set_path(f, "");
		return 0;
	}
	return unsupported(f, "character device %u:%u (%s)",
			   major(f->st.st_rdev), minor(f->st.st_rdev), f->link);
}

static int classify_reg(struct cap_fd *f)
{
	bool deleted = !f->st.st_nlink || ends_with(f->link, DELETED_SUFFIX);
	int ret = pseudo_fs(f, "file");

	if (ret)
		return ret;
	if (f->link[0] != '/')
		return unsupported(f, "file without a path (%s)", f->link);
	if (deleted && !strncmp(f->link, MEMFD_PREFIX, strlen(MEMFD_PREFIX))) {
		f->rec.type = CKPT_FD_MEMFD;
		set_path(f, MEMFD_PREFIX);
		return 0;
	}
	if (deleted && (f->info.flags & O_PATH))
		return unsupported(f, "O_PATH fd of a deleted file (%s)", f->link);
	f->rec.type = deleted ? CKPT_FD_DELETED : CKPT_FD_REG;
	set_path(f, "");
	return 0;
}

int cap_classify(struct ckptd_capture *cap, struct cap_fd *f,
		 struct ckpt_err *err)
{
	uint32_t fl = f->info.flags;
	int ret;

	f->path[0] = '\0';
	if (fl & O_ASYNC)
		return unsupported(f, "fd with O_ASYNC (%s)", f->link);
	if (!strncmp(f->link, "anon_inode:", 11)) {
		if (!strcmp(f->link, "anon_inode:[eventfd]") &&
		    f->info.has_efd_count) {
			f->rec.type = CKPT_FD_EVENTFD;
			return 0;
		}
		if (!strcmp(f->link, "anon_inode:[eventpoll]")) {
			f->rec.type = CKPT_FD_EPOLL;
			return 0;
		}
		return unsupported(f, "%s", f->link);
	}
	if ((fl & O_PATH) && !S_ISREG(f->st.st_mode) && !S_ISDIR(f->st.st_mode))
		return unsupported(f, "O_PATH fd of a special file (%s)", f->link);

	switch (f->st.st_mode & S_IFMT) {
	case S_IFSOCK:
		return classify_socket(cap, f, err);
	case S_IFIFO:
		if (fl & O_DIRECT)
			return unsupported(f, "packet-mode pipe, O_DIRECT (%s)",
					   f->link);
		if (!strncmp(f->link, "pipe:[", 6)) {
			f->rec.type = CKPT_FD_PIPE;
			return 0;
		}
		if (f->link[0] != '/' || ends_with(f->link, DELETED_SUFFIX))
			return unsupported(f, "FIFO without a path (%s)", f->link);
		f->rec.type = CKPT_FD_FIFO;
		set_path(f, "");
		return 0;
	case S_IFDIR:
		ret = pseudo_fs(f, "directory");
		if (ret)
			return ret;
		if (f->link[0] != '/' || ends_with(f->link, DELETED_SUFFIX))
			return unsupported(f, "deleted directory (%s)", f->link);
		f->rec.type = CKPT_FD_DIR;
		set_path(f, "");
		return 0;
	case S_IFREG:
		return classify_reg(f);
	case S_IFCHR:
		return classify_chr(f);
	case S_IFBLK:
		return unsupported(f, "block device %u:%u (%s)",
				   major(f->st.st_rdev), minor(f->st.st_rdev),
				   f->link);
	default:
		return unsupported(f, "%s", f->link);
	}
}
