// SPDX-License-Identifier: GPL-2.0
/*
 * The pool: every description made in the controller waits at an fd
 * number >= base, close-on-exec, until rst_files_apply() dups it to its
 * recorded number in each restored process.  Putting a description there
 * (with its recorded status flags) and finding it again.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "files_int.h"

/* Sets the recorded status flags F_SETFL can set, on pool fd of o. */
static int set_flags(const struct rst_ofd *o, int fd, struct ckpt_err *err)
{
	int cur = fcntl(fd, F_GETFL), want;
	char d[320];

	if (cur < 0)
		goto fail;
	want = (cur & ~RST_SETFL_FLAGS) | (o->first->r.flags & RST_SETFL_FLAGS);
	if (want != cur && fcntl(fd, F_SETFL, want))
		goto fail;
	return 0;
fail:
	return ckpt_err_sys(err, "%s: setting its status flags %#o",
			    rst_fd_desc(o->first, d, sizeof(d)),
			    o->first->r.flags);
}

int rst_pool_put(struct rst_files *rf, struct rst_ofd *o, int fd,
		 bool set, struct ckpt_err *err)
{
	int n = fcntl(fd, F_DUPFD_CLOEXEC, rf->base);
	int e = errno;
	char d[320];

	close(fd);
	if (n < 0)
		return ckpt_err_set(err, e, "%s: moving it to fd %d or above: %s",
				    rst_fd_desc(o->first, d, sizeof(d)),
				    rf->base, strerror(e));
	o->pool = n;
	return set ? set_flags(o, n, err) : 0;
}

int rst_files_pool_fd(const struct rst_files *rf, int32_t pid, int fd)
{
	const struct rst_proc *p = rf ? rst_find_proc(rf, pid) : NULL;
	const struct rst_fd *f = p ? rst_proc_fd(rf, p, fd) : NULL;

	if (!f || f->ofd == RST_NONE)
		return -1;
	return rf->ofds[f->ofd].pool;
}
