// SPDX-License-Identifier: GPL-2.0
/* Who asks, and which jobs it may act on (see auth.h). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "err.h"
#include "jobs/auth.h"
#include "pidfd.h"
#include "jobs/proc.h"
#include "jobs/registry.h"

#define CAP_SYS_ADMIN_BIT		21
#define CAP_CHECKPOINT_RESTORE_BIT	40

/* "Name:\t..." of a /proc/<pid>/status text, or NULL. */
static const char *status_field(const char *status, const char *name)
{
	size_t len = strlen(name);

	for (const char *p = status; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, name, len))
			return p + len;
	return NULL;
}

static int pidfd_alive(int pidfd)
{
	return pidfd < 0 || !syscall(SYS_pidfd_send_signal, pidfd, 0, NULL, 0);
}

void ckptd_cred_of_peer(pid_t pid, int pidfd, uid_t uid, gid_t gid,
			struct ckptd_cred *cr)
{
	char path[64], buf[4096];
	const char *p;
	unsigned long long eff;
	uid_t ruid, euid;
	ssize_t n;
	int fd;

	memset(cr, 0, sizeof(*cr));
	cr->uid = uid;
	cr->gid = gid;
	cr->groups[0] = gid;
	cr->ngroups = 1;
	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	/* the status read must be of the process that connected: still alive */
	if (n <= 0 || !pidfd_alive(pidfd))
		return;
	buf[n] = 0;
	p = status_field(buf, "Uid:");
	if (!p || sscanf(p, "%u %u", &ruid, &euid) != 2 || euid != uid)
		return;		/* not the peer any more: treat it as nobody special */
	p = status_field(buf, "Groups:");
	while (p && cr->ngroups < CKPTD_CRED_GROUPS_MAX) {
		char *end;
		unsigned long g;

		while (*p == ' ' || *p == '\t')
			p++;
		if (*p < '0' || *p > '9')
			break;
		g = strtoul(p, &end, 10);
		if (g != gid)
			cr->groups[cr->ngroups++] = g;
		p = end;
	}
	p = status_field(buf, "CapEff:");
	if (uid == 0 && p && sscanf(p, "%llx", &eff) == 1)
		cr->privileged = !!(eff & (1ULL << CAP_SYS_ADMIN_BIT |
					   1ULL << CAP_CHECKPOINT_RESTORE_BIT));
}

void ckptd_cred_of_owner(const struct ckptd_job *job, struct ckptd_cred *cr)
{
	memset(cr, 0, sizeof(*cr));
	cr->uid = job->uid;
	cr->gid = job->gid;
	cr->groups[0] = job->gid;
	cr->ngroups = 1;
	cr->privileged = job->uid == 0 && !(job->flags & CKPTD_JOB_UNPRIV);
}

uint32_t ckptd_cred_job_flags(const struct ckptd_cred *cr)
{
	return cr->uid == 0 && !cr->privileged ? CKPTD_JOB_UNPRIV : 0;
}

int ckptd_may_act(const struct ckptd_cred *cr, const struct ckptd_job *job)
{
	if (cr->privileged)
		return 1;
	/* root's jobs are not those of a uid 0 without capabilities */
	return cr->uid == job->uid &&
	       (job->uid != 0 || (job->flags & CKPTD_JOB_UNPRIV));
}

int ckptd_may_attach_pid(const struct ckptd_cred *cr, pid_t pid, struct ckpt_err *e)
{
	uid_t uids[4];
	int ret = ckptd_proc_uids(pid, uids);

	if (ret == -ESRCH)
		return ckpt_err_set(e, ESRCH, "no process %d; check the pid", pid);
	if (ret) {
		return ckpt_err_set(e, ret, "cannot read /proc/%d/status: %s", pid, strerror(-ret));
	}
	if (cr->privileged)
		return 0;
	for (int i = 0; i < 4; i++)
		if (uids[i] != cr->uid) {
			return ckpt_err_set(e, -EPERM, "process %d is not yours (uid %u); only root may make a job of it",
				     pid, uids[i]);
		}
	return 0;
}

int ckptd_may_attach_cgroup(const struct ckptd_cred *cr, const char *abs,
			    struct ckpt_err *e)
{
	struct stat st;

	if (stat(abs, &st) || !S_ISDIR(st.st_mode))
		return ckpt_err_set(e, ENOENT, "no cgroup directory %s; check the path", abs);
	if (!cr->privileged && st.st_uid != cr->uid) {
		return ckpt_err_set(e, -EPERM, "cgroup %s belongs to uid %u; only root or its owner may make a job of it",
			     abs, st.st_uid);
	}
	return 0;
}
