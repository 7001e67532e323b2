/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Who may do what, decided here only: root acts on every job; any other
 * user on the jobs they created, and creates jobs only of processes and
 * cgroups that are theirs.  ckpt.ko sees ckptd (root) as the actor, so
 * this is the only check between a local user and another user's job.
 */
#ifndef CKPTD_AUTH_H
#define CKPTD_AUTH_H

#include <stddef.h>
#include <sys/types.h>

struct ckptd_job;

int ckptd_may_act(uid_t uid, const struct ckptd_job *job);
/* 0, or -EPERM/-ESRCH with the reason in @why. */
int ckptd_may_attach_pid(uid_t uid, pid_t pid, char *why, size_t size);
int ckptd_may_attach_cgroup(uid_t uid, const char *abs, char *why, size_t size);

#endif /* CKPTD_AUTH_H */
