// SPDX-License-Identifier: GPL-2.0
/* Authorization of control requests (see auth.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "auth.h"
#include "proc.h"
#include "registry.h"

int ckptd_may_act(uid_t uid, const struct ckptd_job *job)
{
	return uid == 0 || uid == job->uid;
}

int ckptd_may_attach_pid(uid_t uid, pid_t pid, char *why, size_t size)
{
	uid_t uids[4];
	int ret = ckptd_proc_uids(pid, uids);

	if (ret == -ESRCH) {
		snprintf(why, size, "no process %d; check the pid", pid);
		return -ESRCH;
	}
	if (ret) {
		snprintf(why, size, "cannot read /proc/%d/status: %s", pid, strerror(-ret));
		return ret;
	}
	if (uid == 0)
		return 0;
	for (int i = 0; i < 4; i++)
		if (uids[i] != uid) {
			snprintf(why, size,
				 "process %d is not yours (uid %u); only root may make a job of it",
				 pid, uids[i]);
			return -EPERM;
		}
	return 0;
}

int ckptd_may_attach_cgroup(uid_t uid, const char *abs, char *why, size_t size)
{
	struct stat st;

	if (stat(abs, &st) || !S_ISDIR(st.st_mode)) {
		snprintf(why, size, "no cgroup directory %s; check the path", abs);
		return -ENOENT;
	}
	if (uid && st.st_uid != uid) {
		snprintf(why, size,
			 "cgroup %s belongs to uid %u; only root or its owner may make a job of it",
			 abs, st.st_uid);
		return -EPERM;
	}
	return 0;
}
