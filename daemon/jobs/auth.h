/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Who may do what, decided here only (Documentation/security.md, "ckptd:
 * who may do what").  ckpt.ko serves privileged callers only and ckptd is
 * one, so these checks are the only ones between a local user and the
 * processes and images of everybody else.
 *
 * A client is privileged when it is uid 0 AND holds CAP_CHECKPOINT_RESTORE
 * or CAP_SYS_ADMIN in its effective set (read at accept): it acts on every
 * job and is never checked further.  Every other client, uid 0 without
 * those capabilities included, acts only on its own jobs, and every member
 * of such a job is authorized with the kernel's own ptrace check under the
 * client's credentials (auth_ptrace.c) at creation, before and after every
 * freeze and around every dump.
 */
#ifndef CKPTD_AUTH_H
#define CKPTD_AUTH_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct ckpt_err;

struct ckptd_job;
struct ckpt_kjob;
struct ckpt_nl;

/* Supplementary groups carried; a caller with more is checked with fewer. */
#define CKPTD_CRED_GROUPS_MAX	64

/* Who asks: the kernel's word (SO_PEERCRED, /proc), never the client's. */
struct ckptd_cred {
	uid_t uid;
	gid_t gid;
	int privileged;
	unsigned int ngroups;
	gid_t groups[CKPTD_CRED_GROUPS_MAX];
};

/*
 * The credentials of a control client: @uid and @gid from SO_PEERCRED,
 * supplementary groups and effective capabilities from /proc/@pid/status,
 * read through @pidfd (-1: none) so that a pid reused meanwhile is noticed.
 * Anything unreadable makes an unprivileged client with only @gid.
 */
void ckptd_cred_of_peer(pid_t pid, int pidfd, uid_t uid, gid_t gid,
			struct ckptd_cred *cr);
/* The owner of @job, for operations that no client asked for (cluster). */
void ckptd_cred_of_owner(const struct ckptd_job *job, struct ckptd_cred *cr);
/* The job flags that record who created a job (CKPTD_JOB_UNPRIV). */
uint32_t ckptd_cred_job_flags(const struct ckptd_cred *cr);

/*
 * For a child of ckptd, async-signal-safe: take @cr's gid, groups and uid
 * (become), and drop every capability for good, bounding set included, so
 * that even uid 0 gains none at execve (drop_caps).  0 or -errno.
 */
int ckptd_cred_become(const struct ckptd_cred *cr);
int ckptd_drop_caps(void);

int ckptd_may_act(const struct ckptd_cred *cr, const struct ckptd_job *job);
/* 0, or -EPERM/-ESRCH with the reason in @e. */
int ckptd_may_attach_pid(const struct ckptd_cred *cr, pid_t pid, struct ckpt_err *e);
int ckptd_may_attach_cgroup(const struct ckptd_cred *cr, const char *abs,
			    struct ckpt_err *e);

/*
 * auth_ptrace.c: the kernel's ptrace check (PTRACE_MODE_ATTACH_FSCREDS,
 * with Yama, LSMs and the capability rule) of every thread of each of
 * @pids, run by a short-lived helper that holds exactly @cr's uid, gid
 * and groups and no capabilities.  0 when @cr is privileged or all pass;
 * else -errno with the first pid that failed and what to do in @e
 * ("job @job_id: pid ... (comm) may not be checkpointed by uid ...").
 */
int ckptd_auth_pids(const struct ckptd_cred *cr, uint32_t job_id,
		    const uint32_t *pids, unsigned int nr, struct ckpt_err *e);
/* The same for the members ckpt.ko lists for job @job_id now (JOB_GET). */
int ckptd_auth_job(struct ckpt_nl *nl, const struct ckptd_cred *cr, uint32_t job_id,
		   struct ckpt_err *e);

#endif /* CKPTD_AUTH_H */
