// SPDX-License-Identifier: GPL-2.0
/*
 * A process's filesystem context: cwd and root (paths as the capturer sees
 * them, with their inodes) and umask, as its FS record.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "capture_int.h"

int cap_fs_record(pid_t pid, pid_t via, int32_t img_pid,
		  struct ckptd_recbuf *out, struct ckpt_err *err)
{
	static const char *const names[2] = { "cwd", "root" };
	char path[2][CAP_LINK_MAX];
	struct ckpt_rec_fs r = { .pid = img_pid };
	struct stat st[2];
	char tail[2 * CAP_LINK_MAX];
	size_t len[2];
	int ret;

	for (int i = 0; i < 2; i++) {
		char p[64];

		ret = cap_proc_link(via, names[i], path[i], sizeof(path[i]));
		if (ret) {
			return ckpt_err_set(err, ret, "pid %d: reading /proc/%d/%s: %s",
				      (int)pid, (int)via, names[i], strerror(-ret));
		}
		len[i] = strlen(path[i]);
		if (path[i][0] != '/' || (len[i] > 10 &&
		    !strcmp(path[i] + len[i] - 10, " (deleted)"))) {
			return ckpt_err_set(err, EOPNOTSUPP, "pid %d: its %s %s was deleted (or is outside the capturer's view) and cannot be restored; let the job chdir elsewhere",
					     (int)pid, names[i], path[i]);
		}
		snprintf(p, sizeof(p), "/proc/%d/%s", (int)via, names[i]);
		if (stat(p, &st[i])) {
			ret = -errno;
			return ckpt_err_set(err, ret, "pid %d: stat of its %s %s: %s",
				      (int)pid, names[i], path[i], strerror(errno));
		}
	}
	ret = cap_proc_umask(via, &r.umask);
	if (ret) {
		return ckpt_err_set(err, ret, "pid %d: no Umask in /proc/%d/status: %s",
			      (int)pid, (int)via, strerror(-ret));
	}
	r.cwd_dev = st[0].st_dev;
	r.cwd_ino = st[0].st_ino;
	r.root_dev = st[1].st_dev;
	r.root_ino = st[1].st_ino;
	r.cwd_len = len[0] + 1;
	r.root_len = len[1] + 1;
	memcpy(tail, path[0], r.cwd_len);
	memcpy(tail + r.cwd_len, path[1], r.root_len);
	ret = cap_rec_add(out, CKPT_REC_FS, &r, sizeof(r), tail,
			  r.cwd_len + r.root_len);
	if (ret)
		return ckpt_err_set(err, ret, "pid %d: out of memory while capturing its files",
			      (int)pid);
	return 0;
}
