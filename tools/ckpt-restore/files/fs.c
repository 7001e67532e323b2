// SPDX-License-Identifier: GPL-2.0
/*
 * A process's filesystem context (its FS record): the working directory
 * and root checked to exist as recorded before anything is made, and
 * umask, cwd and root set in the restored process.  The restore half of
 * daemon/capture/fs.c.
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "files_int.h"

static int check_dir(const struct rst_files *rf, const struct rst_proc *p,
		     const char *what, const char *path, uint64_t ino,
		     struct ckpt_err *err)
{
	struct stat st;

	if (stat(path, &st))
		return ckpt_err_set(err, errno,
				    "pid %d: its %s %s: %s; restore the directory, or restore where it exists",
				    p->pid, what, path, strerror(errno));
	if (!S_ISDIR(st.st_mode) ||
	    (st.st_ino != ino && !(rf->flags & RST_FILES_OTHER_HOST)))
		return ckpt_err_set(err, ESTALE,
				    "pid %d: its %s %s was replaced since the checkpoint (inode %llu, recorded %llu); restore where it is unchanged",
				    p->pid, what, path,
				    (unsigned long long)st.st_ino,
				    (unsigned long long)ino);
	return 0;
}

int rst_check_fs(struct rst_files *rf, struct ckpt_err *err)
{
	int ret = 0;

	for (size_t i = 0; !ret && i < rf->nr_procs; i++) {
		const struct rst_proc *p = &rf->procs[i];

		ret = check_dir(rf, p, "working directory", p->cwd, p->fs.cwd_ino, err);
		/* "/" is the restorer's own root, whatever its inode here */
		if (!ret && strcmp(p->root, "/"))
			ret = check_dir(rf, p, "root", p->root, p->fs.root_ino, err);
	}
	return ret;
}

int rst_set_fs(const struct rst_proc *p, struct ckpt_err *err)
{
	struct stat now, want;

	umask(p->fs.umask);
	if (chdir(p->cwd))
		return ckpt_err_sys(err, "pid %d: chdir to its working directory %s",
				    p->pid, p->cwd);
	/* chroot only when the recorded root is not this one already */
	if (stat("/", &now) || stat(p->root, &want))
		return ckpt_err_sys(err, "pid %d: stat of its root %s", p->pid,
				    p->root);
	if (now.st_dev == want.st_dev && now.st_ino == want.st_ino)
		return 0;
	if (chroot(p->root))
		return ckpt_err_set(err, errno, "pid %d: chroot to its root %s: %s%s",
				    p->pid, p->root, strerror(errno),
				    errno == EPERM ?
				    " (restore with CAP_SYS_CHROOT)" : "");
	return 0;
}
