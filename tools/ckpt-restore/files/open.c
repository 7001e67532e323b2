// SPDX-License-Identifier: GPL-2.0
/*
 * Files reached by path, verified through the descriptor that is then used
 * ("Verification" in Documentation/files.md): regular files, directories,
 * character devices, FIFOs (a holder opened read-write); and the stand-ins
 * that need no verification: terminals (the terminal rule) and /dev/null.
 * Each description goes into the pool (pool.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "files_int.h"

static int missing(const struct rst_fd *f, const char *what,
		   struct ckpt_err *err)
{
	char d[320];
	int e = errno;

	if (e == ENOENT || e == ENOTDIR)
		return ckpt_err_set(err, ENOENT, "%s: %s is missing; restore the file as it was at the checkpoint, or restore where it exists",
				    rst_fd_desc(f, d, sizeof(d)), f->path);
	return ckpt_err_set(err, e, "%s: %s %s: %s",
			    rst_fd_desc(f, d, sizeof(d)), what, f->path,
			    strerror(e));
}

static int changed(const struct rst_fd *f, const char *how,
		   struct ckpt_err *err)
{
	char d[320];

	return ckpt_err_set(err, ESTALE, "%s: %s %s since the checkpoint; restore the file as it was, or restore where it is unchanged",
			    rst_fd_desc(f, d, sizeof(d)), f->path, how);
}

static int verify(const struct rst_files *rf, const struct rst_fd *f, int fd,
		  struct ckpt_err *err)
{
	const struct ckpt_rec_fd *r = &f->r;
	uint32_t acc = r->flags & O_ACCMODE;
	bool other = rf->flags & RST_FILES_OTHER_HOST;
	bool strict = acc == O_RDONLY || (r->flags & O_PATH) || other ||
		      (rf->flags & RST_FILES_STRICT);
	char how[160];
	struct stat st;

	if (fstat(fd, &st))
		return missing(f, "fstat of", err);
	if ((st.st_mode & S_IFMT) != (r->mode & S_IFMT))
		return changed(f, "changed its type", err);
	switch (r->type) {
	case CKPT_FD_CHR:
		if (st.st_rdev != r->rdev)
			return changed(f, "is another device", err);
		return 0;
	case CKPT_FD_REG:
		if (st.st_ino != r->ino && !other)
			break;
		if (strict && ((uint64_t)st.st_size != r->size ||
			       st.st_mtim.tv_sec != r->mtime_sec ||
			       st.st_mtim.tv_nsec != r->mtime_nsec)) {
			snprintf(how, sizeof(how),
				 "was modified (size %llu, recorded %llu; mtime %lld.%09ld, recorded %lld.%09u)",
				 (unsigned long long)st.st_size,
				 (unsigned long long)r->size,
				 (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec,
				 (long long)r->mtime_sec, r->mtime_nsec);
			return changed(f, how, err);
		}
		return 0;
	default:	/* DIR, FIFO */
		if (st.st_ino == r->ino || other)
			return 0;
	}
	snprintf(how, sizeof(how), "was replaced (inode %llu, recorded %llu)",
		 (unsigned long long)st.st_ino, (unsigned long long)r->ino);
	return changed(f, how, err);
}

/*
 * Opens o's path with flags, verifies it, sets the offset and the status
 * flags, into the pool.  Opened non-blocking: a FIFO where a file was must
 * not hang the restore.
 */
static int open_verified(struct rst_files *rf, struct rst_ofd *o, int flags,
			 struct ckpt_err *err)
{
	const struct rst_fd *f = o->first;
	int fd = open(f->path, flags | O_NONBLOCK | O_CLOEXEC | O_NOCTTY), ret;
	char d[320];

	if (fd < 0)
		return missing(f, "opening", err);
	ret = verify(rf, f, fd, err);
	if (!ret && f->r.pos && !(flags & O_PATH) && f->r.type != CKPT_FD_CHR &&
	    lseek(fd, f->r.pos, SEEK_SET) != (off_t)f->r.pos)
		ret = ckpt_err_sys(err, "%s: setting the offset %llu",
				   rst_fd_desc(f, d, sizeof(d)),
				   (unsigned long long)f->r.pos);
	if (ret) {
		close(fd);
		return ret;
	}
	return rst_pool_put(rf, o, fd, !(flags & O_PATH), err);
}

/*
 * The terminal rule: the restorer's controlling terminal, else the terminal
 * on its standard input, output or error, else /dev/null.
 */
static int open_terminal(int flags)
{
	int fd = open("/dev/tty", flags | O_NOCTTY | O_CLOEXEC);

	for (int i = 0; fd < 0 && i < 3; i++) {
		char p[32];

		if (!isatty(i))
			continue;
		snprintf(p, sizeof(p), "/proc/self/fd/%d", i);
		fd = open(p, flags | O_NOCTTY | O_CLOEXEC);
	}
	if (fd < 0)
		fd = open("/dev/null", flags | O_CLOEXEC);
	return fd;
}

static int open_standin(struct rst_files *rf, struct rst_ofd *o,
			struct ckpt_err *err)
{
	const struct rst_fd *f = o->first;
	int flags = f->r.flags & (O_ACCMODE | O_APPEND | O_NONBLOCK);
	int fd = f->r.type == CKPT_FD_TTY ? open_terminal(flags) :
		 open("/dev/null", flags | O_CLOEXEC);
	char d[320];

	if (fd < 0)
		return ckpt_err_sys(err, "%s: opening %s",
				    rst_fd_desc(f, d, sizeof(d)),
				    f->r.type == CKPT_FD_TTY ? "a terminal" : "/dev/null");
	return rst_pool_put(rf, o, fd, false, err);
}

/* A FIFO is held open read-write while its data is written back. */
static int open_fifo(struct rst_files *rf, struct rst_obj *b,
		     struct ckpt_err *err)
{
	int ret;

	if (b->holder >= 0)
		return 0;
	b->holder = open(b->first->path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (b->holder < 0)
		return missing(b->first, "opening", err);
	ret = verify(rf, b->first, b->holder, err);
	if (ret) {
		close(b->holder);
		b->holder = -1;
	}
	return ret;
}

int rst_open_paths(struct rst_files *rf, struct ckpt_err *err)
{
	int ret = 0;

	for (size_t i = 0; !ret && i < rf->nr_ofds; i++) {
		struct rst_ofd *o = &rf->ofds[i];
		const struct rst_fd *f = o->first;
		int flags = f->r.flags & RST_OPEN_FLAGS;

		switch (f->r.type) {
		case CKPT_FD_REG:
		case CKPT_FD_CHR:
			ret = open_verified(rf, o, flags, err);
			break;
		case CKPT_FD_DIR:
			ret = open_verified(rf, o, flags | O_DIRECTORY, err);
			break;
		case CKPT_FD_TTY:
		case CKPT_FD_DEVNULL:
			ret = open_standin(rf, o, err);
			break;
		case CKPT_FD_FIFO:
			ret = open_fifo(rf, &rf->objs[o->obj], err);
			break;
		}
	}
	return ret;
}
