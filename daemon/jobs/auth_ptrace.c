// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel's own ptrace check of a job's members, under the credentials
 * of the user who asks (auth.h).
 *
 * ckptd runs as root and ckpt.ko trusts it, so ckptd must not take a
 * process from a user who could not ptrace it.  The kernel's check,
 * ptrace_may_access(PTRACE_MODE_ATTACH_FSCREDS), is what opening
 * /proc/<pid>/mem runs: same uids and gids, the target dumpable, its
 * permitted capabilities a subset of the caller's, Yama and every LSM.  A
 * helper forked for the purpose takes the caller's uid, gid and groups,
 * drops every capability, sets no_new_privs, opens /proc/<pid>/task/<tid>/mem
 * read-only for every thread of every pid, closes it at once (it never reads)
 * and reports the first that fails through a pipe.  A thread that is gone
 * passes: there is nothing of it to dump.  A process the helper cannot see
 * at all (gone, or hidden by /proc's hidepid=) is looked up again as root:
 * only one that is gone passes.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/capability.h>

#include "err.h"
#include "jobs/auth.h"
#include "kmod_nl.h"

#define HELPER_TIMEOUT_MS	10000

struct verdict {
	int32_t pid, tid;	/* the first that failed, or 0 */
	int32_t err;		/* its errno */
	uint32_t index;		/* of pid in the list */
};

/* -errno if the thread may not be opened, 0 if it may or is gone. */
static int check_thread(pid_t pid, int tid)
{
	char path[96];
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/mem", pid, tid);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd >= 0) {
		close(fd);
		return 0;
	}
	return errno == ENOENT || errno == ESRCH ? 0 : -errno;
}

static void check_pid(pid_t pid, struct verdict *v)
{
	char path[64];
	struct dirent *de;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	d = opendir(path);
	if (!d) {
		/* ENOENT too: hidepid= hides what is not ours (see above) */
		*v = (struct verdict){ pid, pid, errno == ESRCH ? ENOENT : errno, 0 };
		return;
	}
	while ((de = readdir(d))) {
		int ret;

		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		ret = check_thread(pid, atoi(de->d_name));
		if (ret) {
			*v = (struct verdict){ pid, atoi(de->d_name), -ret, 0 };
			break;
		}
	}
	closedir(d);
}

int ckptd_cred_become(const struct ckptd_cred *cr)
{
	if (syscall(SYS_setgroups, cr->ngroups, cr->groups) ||
	    syscall(SYS_setresgid, cr->gid, cr->gid, cr->gid) ||
	    syscall(SYS_setresuid, cr->uid, cr->uid, cr->uid))
		return -errno;
	return 0;
}

int ckptd_drop_caps(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct c[2] = { { 0 } };

	/* uid 0 keeps its capabilities through setresuid: drop them all */
	for (int cap = 0; cap < 64; cap++)
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) && errno != EINVAL &&
		    errno != EPERM)
			return -errno;
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) ||
	    syscall(SYS_capset, &h, c))
		return -errno;
	return 0;
}

/* In the helper: become the caller, minus every capability. */
static int become(const struct ckptd_cred *cr)
{
	int ret = ckptd_cred_become(cr) ?: ckptd_drop_caps();

	if (ret)
		return ret;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
	    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0))
		return -errno;
	return 0;
}

static void helper(const struct ckptd_cred *cr, const uint32_t *pids,
		   unsigned int nr, int wfd)
{
	struct verdict v = { 0 };
	int ret = become(cr);

	if (ret)
		v = (struct verdict){ -1, -1, -ret, 0 };
	for (unsigned int i = 0; !ret && i < nr && !v.pid; i++) {
		check_pid(pids[i], &v);
		v.index = i;
	}
	if (write(wfd, &v, sizeof(v)) != sizeof(v))
		_exit(1);
	_exit(0);
}

/* Runs the helper: 0 with the verdict in @v, or -errno if it did not report. */
static int run_helper(const struct ckptd_cred *cr, const uint32_t *pids,
		      unsigned int nr, struct verdict *v)
{
	struct pollfd pfd;
	int p[2], ret = 0, status;
	ssize_t n;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC))
		return -errno;
	pid = fork();
	if (pid < 0) {
		ret = -errno;
		close(p[0]);
		close(p[1]);
		return ret;
	}
	if (!pid) {
		sigset_t all;

		close(p[0]);
		sigfillset(&all);
		sigprocmask(SIG_UNBLOCK, &all, NULL);
		helper(cr, pids, nr, p[1]);
	}
	close(p[1]);
	pfd = (struct pollfd){ .fd = p[0], .events = POLLIN };
	do
		n = poll(&pfd, 1, HELPER_TIMEOUT_MS);
	while (n < 0 && errno == EINTR);
	if (n == 0) {
		ret = -ETIMEDOUT;
		kill(pid, SIGKILL);
	} else {
		do
			n = read(p[0], v, sizeof(*v));
		while (n < 0 && errno == EINTR);
		if (n != sizeof(*v))
			ret = -EPROTO;
	}
	close(p[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return ret;
}

static void comm_of(pid_t pid, char *buf, size_t size)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	n = fd >= 0 ? read(fd, buf, size - 1) : -1;
	if (fd >= 0)
		close(fd);
	if (n <= 0) {
		snprintf(buf, size, "gone");
		return;
	}
	buf[n] = 0;
	buf[strcspn(buf, "\n")] = 0;
}

int ckptd_auth_pids(const struct ckptd_cred *cr, uint32_t job_id,
		    const uint32_t *pids, unsigned int nr, struct ckpt_err *e)
{
	struct verdict v;
	char comm[32], tid[48] = "";
	unsigned int start = 0;
	int ret;

	if (cr->privileged || !nr)
		return 0;
again:
	ret = run_helper(cr, pids + start, nr - start, &v);
	/* not there for the user: go on past it only if it is gone for root too */
	if (!ret && v.pid > 0 && v.err == ENOENT && v.tid == v.pid &&
	    kill(v.pid, 0) && errno == ESRCH && start + v.index + 1 < nr) {
		start += v.index + 1;
		goto again;
	}
	if (!ret && v.pid > 0 && v.err == ENOENT && v.tid == v.pid &&
	    kill(v.pid, 0) && errno == ESRCH)
		return 0;	/* the last one, gone */
	if (ret) {
		return ckpt_err_set(e, ret, "job %u: checking its %u member(s) as uid %u failed: %s; retry, or ask root",
			     job_id, nr, cr->uid, ret == -ETIMEDOUT ?
			     "the check took more than 10 s (a member stuck in execve?)" : strerror(-ret));
	}
	if (!v.pid)
		return 0;
	if (v.pid < 0) {
		return ckpt_err_set(e, -v.err, "job %u: cannot take the credentials of uid %u to check its members: %s",
			     job_id, cr->uid, strerror(v.err));
	}
	comm_of(v.tid, comm, sizeof(comm));
	if (v.tid != v.pid)
		snprintf(tid, sizeof(tid), " thread %d", v.tid);
	return ckpt_err_set(e, v.err == EACCES || v.err == ENOENT ? EPERM : v.err,
			    "job %u: pid %d%s (%s) may not be checkpointed by uid %u: %s%s; remove it from the job or ask root",
			    job_id, v.pid, tid, comm, cr->uid,
			    v.err == ENOENT ? "Permission denied" : strerror(v.err),
			    v.err == EACCES || v.err == EPERM || v.err == ENOENT ?
			    " (not yours, not dumpable, or holds privileges you lack)" : "");
}

int ckptd_auth_job(struct ckpt_nl *nl, const struct ckptd_cred *cr, uint32_t job_id,
		   struct ckpt_err *e)
{
	struct ckpt_kjob kj = { 0 };
	struct ckpt_err ne;
	int ret;

	if (cr->privileged)
		return 0;
	ret = ckpt_nl_job_get(nl, job_id, &kj, &ne);
	if (ret) {
		return ckpt_err_set(e, ret, "job %u: cannot list its members to check them: %s%s%s",
				    job_id, strerror(-ret), ne.msg[0] ? ": " : "", ne.msg);
	}
	ret = ckptd_auth_pids(cr, job_id, kj.task_pids, kj.nr_task_pids, e);
	ckpt_kjob_release(&kj);
	return ret;
}
