/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tools/ckpt-restore/files/: recreating the open files and filesystem
 * context of restored processes from the captured records (CKPT_REC_FS /
 * FD / FILE_DATA / EPOLL_TFD / TCP, files_format.h, Documentation/files.md);
 * the restore half of daemon/capture/.  This is its one public header, for
 * the rest of ckpt-restore and the host tests; files_int.h is private.
 *
 * The restorer forks the process tree top-down from a controller, so every
 * object is made once, in the controller, before the tree is forked, and
 * every process inherits it:
 *
 *	controller:  rst_files_prepare(records, len, &opts, &rf, &err);
 *	             fork the tree (each process forks its children first)
 *	each process: rst_files_apply(rf, pid, keep, nr_keep, &err);
 *	             then replace its memory
 *	controller:  rst_files_cleanup(rf) once the tree is forked
 *
 * prepare verifies every file the records name first (see "Verification"
 * in Documentation/files.md), then opens or creates one file description
 * per recorded description — pipes and socketpairs with their data written
 * back, eventfds with their counters, memfds and deleted files with their
 * contents, the offset set once on each — and keeps them close-on-exec at
 * fd numbers >= opts.base_fd (the pool).  apply, in a restored process,
 * puts each description at its recorded fd number with its FD_CLOEXEC,
 * fills its epoll interest lists, sets umask, cwd and root, and closes
 * every other fd except keep_fds (the restorer's own, e.g. the image).
 * It must run after the process has forked its children: it closes the
 * pool they inherit.
 *
 * Every function returns 0 or -errno and, on failure, leaves the errno and a
 * message naming the pid, fd, file and what to do in err (common/err.h);
 * nothing is leaked.
 * Malformed records are -EBADMSG (framing) or -EINVAL (meaning); a file
 * that changed since the checkpoint is -ESTALE, a missing one -ENOENT.
 */
#ifndef RST_FILES_H
#define RST_FILES_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* Regular files open for writing must match size and mtime too. */
#define RST_FILES_STRICT	(1U << 0)
/*
 * The checkpoint was taken on another host: inode numbers mean nothing
 * here, so every regular file must match size and mtime, and directories
 * and FIFOs their type only.
 */
#define RST_FILES_OTHER_HOST	(1U << 1)
#define RST_FILES_FLAGS		(RST_FILES_STRICT | RST_FILES_OTHER_HOST)

struct rst_files_opts {
	/*
	 * Pool fds are placed at or above this number: it must be above
	 * every recorded fd number (-EINVAL otherwise) and below
	 * RLIMIT_NOFILE; fds of the caller's at or above it stay untouched.
	 */
	int base_fd;
	unsigned int flags;	/* RST_FILES_* */
	/* for deleted files whose directory is gone; NULL: "/tmp" */
	const char *tmp_dir;
};

struct rst_files;

/*
 * records: a records.img (from BEGIN, kernel records are skipped) or the
 * captured records alone.  Only needed during the call.
 */
int rst_files_prepare(const void *records, size_t len,
		      const struct rst_files_opts *opts, struct rst_files **rf,
		      struct ckpt_err *err);

/*
 * In restored process pid (in the job's pid namespace).  keep_fds must not
 * be recorded fd numbers of pid (-EINVAL).
 */
int rst_files_apply(struct rst_files *rf, int32_t pid, const int *keep_fds,
		    size_t nr_keep, struct ckpt_err *err);

/*
 * The pool fd holding the description of fd of pid, -1 if none: e.g. for
 * mapping a memfd before rst_files_apply().
 */
int rst_files_pool_fd(const struct rst_files *rf, int32_t pid, int fd);

/*
 * TCP connections (CKPT_FD_TCP) are made in repair mode; the controller
 * ends it for all of them just before the restored processes go on
 * (tcp.c), or drops its copies when the restore fails.
 */
int rst_tcp_release(struct ckpt_err *err);
void rst_tcp_drop(void);

/* Closes the pool and frees rf (NULL is fine). */
void rst_files_cleanup(struct rst_files *rf);

#endif /* RST_FILES_H */
