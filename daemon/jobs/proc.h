/* SPDX-License-Identifier: GPL-2.0 */
/* What ckptd reads about processes and cgroups from /proc and cgroupfs. */
#ifndef CKPTD_PROC_H
#define CKPTD_PROC_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Field 22 of /proc/<pid>/stat (start time in clock ticks); -ESRCH if gone. */
int ckptd_proc_starttime(pid_t pid, uint64_t *start);
/* Real, effective, saved and fs uids of @pid (/proc/<pid>/status). */
int ckptd_proc_uids(pid_t pid, uid_t uids[4]);

/* The mount point of the cgroup2 hierarchy (/proc/self/mounts). */
int ckptd_cgroup_mount(char *buf, size_t size);
/* SIGKILL everything in cgroup @abs (cgroup.kill). */
int ckptd_cgroup_kill(const char *abs);

#endif /* CKPTD_PROC_H */
