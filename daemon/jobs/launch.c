// SPDX-License-Identifier: GPL-2.0
/*
 * run: ckptd starts a command as a new job, in its own cgroup
 * (<cgroup_dir>/job-<id>, from birth through clone3 CLONE_INTO_CGROUP) and
 * optionally its own pid namespace, as the user who asked, and makes it a
 * cgroup job in ckpt.ko.  Its output goes to <state_dir>/job-<id>.log.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/ckpt.h>

#include "jobs/lookup.h"
#include "jobs/module.h"
#include "jobs/persist.h"
#include "ctl/query.h"
#include "jobs/control.h"
#include "jobs/launch.h"
#include "ckptd.h"
#include "ctl/server.h"
#include "log.h"
#include "jobs/auth.h"
#include "jobs/proc.h"

extern char **environ;

struct launch {
	char *argv[CKPTD_CTL_ARGV_MAX + 1];
	char **envp;
	char *job_env;			/* CKPT_JOB_ID=<id>, in envp */
	const char *cwd;
	uid_t uid;
	gid_t gid;
	const struct ckptd_cred *cred;	/* who asked (auth.h) */
	int log_fd, err_fd;
};

/* Child side: after clone3, before exec.  Only reports by err_fd. */
static void __attribute__((noreturn)) child(const struct launch *l)
{
	struct { int err; int stage; } rep = { 0, 0 };
	sigset_t all;
	int null;

	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	signal(SIGPIPE, SIG_DFL);
	setsid();
	null = open("/dev/null", O_RDONLY);
	if (null < 0 || dup2(null, 0) < 0 || dup2(l->log_fd, 1) < 0 ||
	    dup2(l->log_fd, 2) < 0) {
		rep.stage = 1;
		goto fail;
	}
	/* the user's own uid, gid and groups; nothing more (auth.h) */
	if (!l->cred->privileged &&
	    (ckptd_cred_become(l->cred) || ckptd_drop_caps())) {
		rep.stage = 2;
		goto fail;
	}
	if (chdir(l->cwd)) {
		rep.stage = 3;
		goto fail;
	}
	execvpe(l->argv[0], l->argv, l->envp);
	rep.stage = 4;
fail:
	rep.err = errno;
	if (write(l->err_fd, &rep, sizeof(rep)) < 0)
		_exit(126);
	_exit(127);
}

static const char *const stage_what[] = {
	"", "cannot set up stdio", "cannot switch to the user's uid/gid",
	"cannot enter the working directory", "cannot execute the command",
};

static int spawn(struct launch *l, int cg_fd, int pidns, pid_t *pid,
		 struct ckpt_err *e)
{
	struct clone_args ca = {
		.flags = CLONE_INTO_CGROUP | (pidns ? CLONE_NEWPID : 0),
		.exit_signal = SIGCHLD,
		.cgroup = cg_fd,
	};
	struct { int err; int stage; } rep;
	int pfd[2];
	ssize_t n;
	long ret;

	if (pipe2(pfd, O_CLOEXEC)) {
		return ckpt_err_set(e, -errno, "pipe: %s", strerror(errno));
	}
	l->err_fd = pfd[1];
	ret = syscall(SYS_clone3, &ca, sizeof(ca));
	if (ret == 0)
		child(l);
	close(pfd[1]);
	if (ret < 0) {
		ret = -errno;
		ckpt_err_set(e, ret, "clone3: %s", strerror(errno));
		close(pfd[0]);
		return ret;
	}
	*pid = ret;
	/* EOF: exec succeeded (the pipe was close-on-exec) */
	do
		n = read(pfd[0], &rep, sizeof(rep));
	while (n < 0 && errno == EINTR);
	close(pfd[0]);
	if (n == sizeof(rep)) {
		return ckpt_err_set(e, -rep.err, "%s '%s': %s",
			     stage_what[rep.stage < 5 ? rep.stage : 0], l->argv[0],
			     strerror(rep.err));
	}
	return 0;
}

static void child_add(struct ckptd *d, pid_t pid)
{
	pid_t *v = realloc(d->children, (d->nr_children + 1) * sizeof(*v));

	if (!v) {
		pr_warn("out of memory: pid %d will not be reaped", pid);
		return;
	}
	d->children = v;
	d->children[d->nr_children++] = pid;
}

void ckptd_children_reap(struct ckptd *d)
{
	unsigned int i = 0;
	int status;

	/* only our own: the ops worker waits for the restorer itself */
	while (i < d->nr_children) {
		pid_t pid = d->children[i], r = waitpid(pid, &status, WNOHANG);

		if (r < 0 && errno == ECHILD) {
			d->children[i] = d->children[--d->nr_children];
		} else if (r == pid) {
			if (WIFEXITED(status))
				pr_info("pid %d (started by run) exited with status %d",
					pid, WEXITSTATUS(status));
			else if (WIFSIGNALED(status))
				pr_info("pid %d (started by run) was killed by signal %d",
					pid, WTERMSIG(status));
			d->children[i] = d->children[--d->nr_children];
		} else {
			i++;
		}
	}
}

static int build_env(struct launch *l, uint32_t id)
{
	size_t n = 0;

	while (environ[n])
		n++;
	l->envp = calloc(n + 2, sizeof(char *));
	if (!l->envp)
		return -ENOMEM;
	memcpy(l->envp, environ, n * sizeof(char *));
	if (asprintf(&l->job_env, "CKPT_JOB_ID=%u", id) < 0) {
		free(l->envp);
		l->envp = NULL;
		return -ENOMEM;
	}
	l->envp[n] = l->job_env;
	return 0;
}

void ckptd_cmd_run(struct ckptd *d, struct ckptd_req *rq)
{
	static struct ckptd_reply r;
	const struct ckptd_ctl_attr *argv_a = rq->tb.a[CKPTD_CA_ARGV];
	const struct ckptd_ctl_attr *cwd_a = rq->tb.a[CKPTD_CA_CWD];
	const struct ckptd_ctl_attr *f_a = rq->tb.a[CKPTD_CA_FLAGS];
	uint32_t id = ckptd_req_job_id(d, rq);
	int pidns = f_a && (ckptd_ctl_u32(f_a) & CKPTD_F_PIDNS);
	struct ckpt_err why;
	char mnt[256], cg[4400], logp[4400];
	struct launch l = { .uid = rq->uid, .gid = rq->gid, .cred = &rq->cred, .log_fd = -1 };
	const struct ckptd_ctl_attr *a;
	struct ckptd_job *job = NULL;
	size_t pos = 0, argc = 0;
	int cg_fd = -1, ret;
	pid_t pid = 0;

	if (!id)
		return;
	while (argv_a && (a = ckptd_ctl_next(ckptd_ctl_data(argv_a),
					     ckptd_ctl_data_len(argv_a), &pos)))
		if (a->type == CKPTD_CA_ARG && argc < CKPTD_CTL_ARGV_MAX)
			l.argv[argc++] = (char *)ckptd_ctl_str(a);
	if (!argc || !cwd_a) {
		ckptd_reply_error(d, rq->client_id, rq->seq, -EINVAL,
				  "run: give the command after '--' (and the working directory)");
		return;
	}
	l.cwd = ckptd_ctl_str(cwd_a);
	if (ckptd_registry_find(&d->reg, id)) {
		ckptd_reply_error(d, rq->client_id, rq->seq, -EEXIST,
				  "job %u exists already; pick another id or 'ckptctl kill --job %u'",
				  id, id);
		return;
	}
	if (ckptd_cgroup_mount(mnt, sizeof(mnt)) ||
	    strncmp(d->cfg.cgroup_dir, mnt, strlen(mnt))) {
		ckptd_reply_error(d, rq->client_id, rq->seq, -ENOENT,
				  "cgroup_dir %s is not inside a mounted cgroup2 file system; mount cgroup2 or fix cgroup_dir in %s",
				  d->cfg.cgroup_dir, d->config_path);
		return;
	}
	if (mkdir(d->cfg.cgroup_dir, 0755) && errno != EEXIST) {
		ret = -errno;
		ckptd_reply_error(d, rq->client_id, rq->seq, ret, "cannot create %s: %s",
				  d->cfg.cgroup_dir, strerror(errno));
		return;
	}
	snprintf(cg, sizeof(cg), "%s/job-%u", d->cfg.cgroup_dir, id);
	if (mkdir(cg, 0755)) {
		ret = -errno;
		ckptd_reply_error(d, rq->client_id, rq->seq, ret,
				  "cannot create cgroup %s: %s%s", cg, strerror(errno),
				  errno == EEXIST ? " (left over? remove it with rmdir)" : "");
		return;
	}
	snprintf(logp, sizeof(logp), "%s/job-%u.log", d->cfg.state_dir, id);
	l.log_fd = open(logp, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
	cg_fd = open(cg, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (l.log_fd < 0 || cg_fd < 0) {
		ret = -errno;
		ckpt_err_set(&why, ret, "cannot open %s: %s",
			     l.log_fd < 0 ? logp : cg, strerror(errno));
		goto fail;
	}
	if (fchown(l.log_fd, l.uid, l.gid))
		pr_warn("job %u: chown of %s: %s", id, logp, strerror(errno));
	ret = build_env(&l, id);
	if (ret) {
		ckpt_err_set(&why, ret, "out of memory");
		goto fail;
	}
	job = ckptd_registry_add(&d->reg, id);
	if (!job) {
		ret = -ENOMEM;
		ckpt_err_set(&why, ret, "out of memory");
		goto fail;
	}
	job->uid = rq->uid;
	job->gid = rq->gid;
	job->kind = CKPT_JOB_CGROUP;
	job->flags = CKPTD_JOB_LAUNCHED | (pidns ? CKPTD_JOB_PIDNS : 0) |
		     ckptd_cred_job_flags(&rq->cred);
	snprintf(job->cgroup, sizeof(job->cgroup), "%s", cg + strlen(mnt));
	ret = ckptd_job_to_module(d, job, &why);
	if (ret)
		goto fail;
	ret = spawn(&l, cg_fd, pidns, &pid, &why);
	if (pid > 0)
		child_add(d, pid);
	if (ret)
		goto fail;
	job->pid = pid;
	ckptd_proc_starttime(pid, &job->starttime);
	close(cg_fd);
	close(l.log_fd);
	free(l.job_env);
	free(l.envp);
	pr_info("job %u: started '%s' as pid %d (uid %u) in %s%s", id, l.argv[0],
		pid, l.uid, cg, pidns ? ", own pid namespace" : "");
	ckptd_reply_init(&r, rq->seq);
	ckptd_put_job(d, &r.m, job, 0);
	ckptd_persist(d, rq->client_id, rq->seq, &r);
	return;
fail:
	if (job) {
		struct ckpt_err e;

		if (job->in_module)
			ckpt_nl_job_destroy(d->nl, id, &e);
		ckptd_registry_remove(&d->reg, job);
	}
	if (cg_fd >= 0)
		close(cg_fd);
	if (l.log_fd >= 0)
		close(l.log_fd);
	free(l.job_env);
	free(l.envp);
	if (rmdir(cg) && errno == EBUSY)
		ckptd_rmdir_later(d, cg);	/* the failed child is exiting */
	ckptd_reply_error(d, rq->client_id, rq->seq, ret, "run job %u: %s", id, why.msg);
}
