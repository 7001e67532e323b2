// SPDX-License-Identifier: GPL-2.0
/*
 * The job commands: CREATE, DESTROY, GET (do and dump), FREEZE, THAW.
 * Attribute syntax is checked by the policies in netlink.c; here come the
 * presence and meaning checks, authorization and the replies.
 */
#include "ckpt.h"

#include <linux/cgroup.h>
#include <linux/pid.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <net/genetlink.h>

#include "auth.h"
#include "freeze.h"
#include "job.h"
#include "job_nl.h"
#include "members.h"
#include "teardown.h"

/* The family the handlers answer on, handed over by netlink.c. */
static const struct genl_family *ckpt_job_nl_family;

void ckpt_job_nl_init(const struct genl_family *family)
{
	ckpt_job_nl_family = family;
}

/* 0, or -EINVAL with extack @msg (a literal) when @attr is missing. */
#define ckpt_require(info, attr, msg) ({				\
	int __err = 0;							\
	if (GENL_REQ_ATTR_CHECK(info, attr)) {				\
		NL_SET_ERR_MSG_MOD((info)->extack, msg);		\
		__err = -EINVAL;					\
	}								\
	__err;								\
})

/*
 * The job named by CKPT_A_JOB_ID, for a privileged caller, or an ERR_PTR
 * with extack.
 */
static struct ckpt_job *ckpt_job_from_info(struct sk_buff *skb,
					   struct genl_info *info)
{
	struct ckpt_job *job;
	int err;

	err = ckpt_nl_authorize(skb, info->extack) ?:
	      ckpt_require(info, CKPT_A_JOB_ID, "missing CKPT_A_JOB_ID (the job id)");
	if (err)
		return ERR_PTR(err);
	job = ckpt_job_find(nla_get_u32(info->attrs[CKPT_A_JOB_ID]));
	if (!job) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[CKPT_A_JOB_ID],
				    "no such job");
		return ERR_PTR(-ENOENT);
	}
	return job;
}

/* --- CREATE ------------------------------------------------------------ */

/*
 * The live, acceptable task a TREE/PGID/SID job is anchored on: the tree's
 * root, or the group's or session's leader (any member if the leader has
 * exited).
 */
static int ckpt_job_check_anchor(struct genl_info *info, struct pid *pid,
				 u32 kind)
{
	enum pid_type type = kind == CKPT_JOB_PGID ? PIDTYPE_PGID :
			     kind == CKPT_JOB_SID ? PIDTYPE_SID : PIDTYPE_PID;
	struct nlattr *attr = info->attrs[CKPT_A_JOB_PID];
	struct task_struct *t;
	int err;

	t = get_pid_task(pid, type);	/* is there such a group at all? */
	if (!t) {
		NL_SET_ERR_MSG_ATTR(info->extack, attr,
				    "no process with that pid, pgid or sid");
		return -ESRCH;
	}
	if (type != PIDTYPE_PID) {
		struct task_struct *leader = get_pid_task(pid, PIDTYPE_PID);
		bool in_group;

		rcu_read_lock();
		in_group = leader && pid_alive(leader) &&
			   (type == PIDTYPE_PGID ? task_pgrp(leader) :
			    task_session(leader)) == pid;
		rcu_read_unlock();
		if (in_group) {
			put_task_struct(t);
			t = leader;
		} else if (leader) {
			put_task_struct(leader);
		}
	}
	err = 0;
	if ((t->flags & PF_KTHREAD) || is_global_init(t) ||
	    pid_vnr(pid) == 1) {
		NL_SET_ERR_MSG_ATTR(info->extack, attr,
				    "a kernel thread or init cannot be a job member");
		err = -EINVAL;
	}
	put_task_struct(t);
	return err;
}

/* The job's own lower-half patterns from CKPT_A_JOB_LOWER_PATTERNS. */
static int ckpt_job_patterns(struct genl_info *info, struct ckpt_job_spec *spec)
{
	struct nlattr *nest = info->attrs[CKPT_A_JOB_LOWER_PATTERNS], *a;
	int rem, n = 0;

	if (!nest)
		return 0;
	nla_for_each_nested(a, nest, rem)
		n++;
	if (n > CKPT_LOWER_PATTERNS_MAX) {
		NL_SET_ERR_MSG_ATTR(info->extack, nest, "too many lower-half patterns");
		return -E2BIG;
	}
	/* one more slot: an empty list is still a list (no defaults) */
	spec->lower_patterns = kcalloc(n + 1, sizeof(char *), GFP_KERNEL);
	if (!spec->lower_patterns)
		return -ENOMEM;
	nla_for_each_nested(a, nest, rem) {
		char *p = kstrdup(nla_data(a), GFP_KERNEL);

		if (!p)
			return -ENOMEM;
		spec->lower_patterns[spec->nr_lower_patterns++] = p;
	}
	return 0;
}

int ckpt_nl_job_create(struct sk_buff *skb, struct genl_info *info)
{
	struct ckpt_job_spec spec = { 0 };
	struct nlattr **a = info->attrs;
	int err;

	err = ckpt_nl_authorize(skb, info->extack) ?:
	      ckpt_require(info, CKPT_A_JOB_ID, "missing CKPT_A_JOB_ID (the job id)") ?:
	      ckpt_require(info, CKPT_A_JOB_KIND,
			   "missing CKPT_A_JOB_KIND (tree, pgid, sid or cgroup)");
	if (err)
		return err;
	spec.id = nla_get_u32(a[CKPT_A_JOB_ID]);
	spec.kind = nla_get_u32(a[CKPT_A_JOB_KIND]);

	if (spec.kind == CKPT_JOB_CGROUP) {
		err = ckpt_require(info, CKPT_A_JOB_CGROUP,
				   "missing CKPT_A_JOB_CGROUP (the cgroup v2 path)");
		if (err)
			return err;
		if (a[CKPT_A_JOB_PID]) {
			NL_SET_ERR_MSG_ATTR(info->extack, a[CKPT_A_JOB_PID],
					    "a cgroup job takes no pid");
			return -EINVAL;
		}
		spec.cgrp = cgroup_get_from_path(nla_data(a[CKPT_A_JOB_CGROUP]));
		if (IS_ERR(spec.cgrp)) {
			NL_SET_ERR_MSG_ATTR(info->extack, a[CKPT_A_JOB_CGROUP],
					    "no such cgroup v2 directory");
			return PTR_ERR(spec.cgrp);
		}
		spec.cgroup_path = kstrdup(nla_data(a[CKPT_A_JOB_CGROUP]),
					   GFP_KERNEL);
		err = spec.cgroup_path ? 0 : -ENOMEM;
	} else {
		err = ckpt_require(info, CKPT_A_JOB_PID,
				   "missing CKPT_A_JOB_PID (root pid, pgid or sid)");
		if (err)
			return err;
		if (a[CKPT_A_JOB_CGROUP]) {
			NL_SET_ERR_MSG_ATTR(info->extack, a[CKPT_A_JOB_CGROUP],
					    "only a cgroup job takes a cgroup path");
			return -EINVAL;
		}
		spec.pid = find_get_pid(nla_get_u32(a[CKPT_A_JOB_PID]));
		if (!spec.pid) {
			NL_SET_ERR_MSG_ATTR(info->extack, a[CKPT_A_JOB_PID],
					    "no process with that pid, pgid or sid");
			return -ESRCH;
		}
		err = ckpt_job_check_anchor(info, spec.pid, spec.kind);
	}

	if (a[CKPT_A_JOB_FLAGS])
		spec.flags = nla_get_u32(a[CKPT_A_JOB_FLAGS]);
	if (!err)
		err = ckpt_job_patterns(info, &spec);
	if (!err) {
		err = ckpt_job_create(&spec, info->snd_portid);
		if (err == -EEXIST)
			NL_SET_ERR_MSG_ATTR(info->extack, a[CKPT_A_JOB_ID],
					    "a job with this id exists");
		if (err == -ENOSPC)
			NL_SET_ERR_MSG_MOD(info->extack,
					   "too many jobs on this host (CKPT_JOBS_MAX); destroy some first");
	}
	ckpt_patterns_free(spec.lower_patterns, spec.nr_lower_patterns);
	put_pid(spec.pid);
	if (!IS_ERR_OR_NULL(spec.cgrp))
		cgroup_put(spec.cgrp);
	kfree(spec.cgroup_path);
	return err;
}

/* --- GET ----------------------------------------------------------------- */

static int ckpt_fill_task(struct sk_buff *skb, struct ckpt_job *job,
			  struct task_struct *p)
{
	char comm[TASK_COMM_LEN];
	struct nlattr *nest;
	pid_t pid, ppid;

	pid = task_tgid_nr_ns(p, job->pidns);
	if (!pid)
		return 0;	/* reaped since it was collected */

	/* real_parent is valid only while @p is alive (pid_alive) */
	rcu_read_lock();
	ppid = pid_alive(p) ?
	       task_tgid_nr_ns(rcu_dereference(p->real_parent), job->pidns) : 0;
	rcu_read_unlock();
	__get_task_comm(comm, sizeof(comm), p);

	nest = nla_nest_start(skb, CKPT_A_JOB_TASK);
	if (!nest ||
	    nla_put_u32(skb, CKPT_A_TASK_PID, pid) ||
	    nla_put_u32(skb, CKPT_A_TASK_PPID, ppid) ||
	    nla_put_u32(skb, CKPT_A_TASK_NR_THREADS, get_nr_threads(p)) ||
	    nla_put_string(skb, CKPT_A_TASK_COMM, comm))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

/* Members and their counts. */
static int ckpt_fill_members(struct sk_buff *skb, struct ckpt_job *job,
			     bool tasks)
{
	struct ckpt_taskvec v = { 0 };
	u32 nr_threads = 0, nr_tasks;
	struct nlattr *nest;
	unsigned int i;
	int err;

	err = ckpt_members_collect(job, false, &v);
	if (err)
		return err;
	nr_tasks = v.n;
	for (i = 0; i < v.n; i++)
		nr_threads += get_nr_threads(v.tasks[i]);
	err = -EMSGSIZE;
	if (nla_put_u32(skb, CKPT_A_JOB_NR_TASKS, nr_tasks) ||
	    nla_put_u32(skb, CKPT_A_JOB_NR_THREADS, nr_threads))
		goto out;
	if (tasks) {
		nest = nla_nest_start(skb, CKPT_A_JOB_TASKS);
		if (!nest)
			goto out;
		for (i = 0; i < v.n; i++)
			if (ckpt_fill_task(skb, job, v.tasks[i]))
				goto out;
		nla_nest_end(skb, nest);
	}
	err = 0;
out:
	ckpt_taskvec_release(&v);
	return err;
}

static int ckpt_fill_patterns(struct sk_buff *skb, struct ckpt_job *job)
{
	struct nlattr *nest;
	unsigned int i;

	if (!job->lower_patterns)
		return 0;
	nest = nla_nest_start(skb, CKPT_A_JOB_LOWER_PATTERNS);
	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < job->nr_lower_patterns; i++)
		if (nla_put_string(skb, CKPT_A_PATTERN_GLOB, job->lower_patterns[i]))
			return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static int ckpt_fill_job(struct sk_buff *skb, struct ckpt_job *job,
			 bool tasks)
{
	if (nla_put_u32(skb, CKPT_A_JOB_ID, job->id) ||
	    nla_put_u32(skb, CKPT_A_JOB_KIND, job->kind) ||
	    (job->pid && nla_put_u32(skb, CKPT_A_JOB_PID,
				     pid_nr_ns(job->pid, job->pidns))) ||
	    (job->cgroup_path &&
	     nla_put_string(skb, CKPT_A_JOB_CGROUP, job->cgroup_path)) ||
	    nla_put_u32(skb, CKPT_A_JOB_STATE, READ_ONCE(job->state)) ||
	    nla_put_u32(skb, CKPT_A_JOB_OWNER_UID,
			from_kuid_munged(current_user_ns(), job->owner)) ||
	    (job->err_pid &&
	     (nla_put_u32(skb, CKPT_A_JOB_ERR_PID, job->err_pid) ||
	      nla_put_u32(skb, CKPT_A_JOB_ERR_STATE, job->err_state))) ||
	    (job->flags && nla_put_u32(skb, CKPT_A_JOB_FLAGS, job->flags)) ||
	    ckpt_fill_patterns(skb, job))
		return -EMSGSIZE;
	return ckpt_fill_members(skb, job, tasks);
}

/* Reply to @info with @job; grows the message until the task list fits. */
static int ckpt_reply_job(struct genl_info *info, struct ckpt_job *job, u8 cmd)
{
	size_t size = NLMSG_GOODSIZE;
	struct sk_buff *msg;
	void *hdr;
	int err;

	for (;;) {
		msg = genlmsg_new(size, GFP_KERNEL);
		if (!msg)
			return -ENOMEM;
		hdr = genlmsg_put_reply(msg, info, ckpt_job_nl_family, 0, cmd);
		err = hdr ? ckpt_fill_job(msg, job, true) : -EMSGSIZE;
		if (!err) {
			genlmsg_end(msg, hdr);
			return genlmsg_reply(msg, info);
		}
		nlmsg_free(msg);
		if (err != -EMSGSIZE || size >= (16 << 20))
			return err;
		size *= 4;
	}
}

int ckpt_nl_job_get(struct sk_buff *skb, struct genl_info *info)
{
	struct ckpt_job *job = ckpt_job_from_info(skb, info);
	int err;

	if (IS_ERR(job))
		return PTR_ERR(job);
	err = ckpt_reply_job(info, job, CKPT_CMD_JOB_GET);
	ckpt_job_put(job);
	return err;
}

struct ckpt_dump_ctx {
	struct sk_buff *skb;
	struct netlink_callback *cb;
};

static int ckpt_dump_one(struct ckpt_job *job, void *arg)
{
	struct ckpt_dump_ctx *ctx = arg;
	void *hdr;

	hdr = genlmsg_put(ctx->skb, NETLINK_CB(ctx->cb->skb).portid,
			  ctx->cb->nlh->nlmsg_seq, ckpt_job_nl_family,
			  NLM_F_MULTI, CKPT_CMD_JOB_GET);
	if (!hdr)
		return -EMSGSIZE;
	if (ckpt_fill_job(ctx->skb, job, false)) {
		genlmsg_cancel(ctx->skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(ctx->skb, hdr);
	return 0;
}

int ckpt_nl_job_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct ckpt_dump_ctx ctx = { .skb = skb, .cb = cb };
	unsigned long pos = cb->args[0];
	int err;

	err = ckpt_nl_authorize(cb->skb, cb->extack);
	if (err)
		return err;
	err = ckpt_jobs_walk(&pos, ckpt_dump_one, &ctx);
	cb->args[0] = pos;
	if (err == -EMSGSIZE && skb->len)
		return skb->len;	/* more to come */
	return err ?: skb->len;
}

/* --- DESTROY, FREEZE, THAW ---------------------------------------------- */

/*
 * DESTROY and THAW first cancel a freeze that is still waiting for threads
 * to park, so that they never wait behind it; their waits for job->lock are
 * interruptible (a signal makes them return -EINTR; no hung task).
 */
int ckpt_nl_job_destroy(struct sk_buff *skb, struct genl_info *info)
{
	struct ckpt_job *job = ckpt_job_from_info(skb, info);
	int err;

	if (IS_ERR(job))
		return PTR_ERR(job);
	err = ckpt_job_destroy(job, true);
	ckpt_job_put(job);
	return err;
}

int ckpt_nl_job_freeze(struct sk_buff *skb, struct genl_info *info)
{
	struct ckpt_job *job = ckpt_job_from_info(skb, info);
	u32 timeout = CKPT_FREEZE_TIMEOUT_MS_DEFAULT;
	int err;

	if (IS_ERR(job))
		return PTR_ERR(job);
	if (info->attrs[CKPT_A_JOB_TIMEOUT_MS])
		timeout = nla_get_u32(info->attrs[CKPT_A_JOB_TIMEOUT_MS]);

	err = mutex_lock_interruptible(&job->lock);
	if (err)
		goto put;
	if (job->dead) {
		NL_SET_ERR_MSG_MOD(info->extack, "the job was destroyed");
		err = -ENOENT;
	} else {
		err = ckpt_freeze_job(job, info->snd_portid, timeout,
				      info->extack);
	}
	mutex_unlock(&job->lock);
	if (!err)
		err = ckpt_reply_job(info, job, CKPT_CMD_JOB_FREEZE);
put:
	ckpt_job_put(job);
	return err;
}

int ckpt_nl_job_thaw(struct sk_buff *skb, struct genl_info *info)
{
	struct ckpt_job *job = ckpt_job_from_info(skb, info);
	bool cancelled;
	int err;

	if (IS_ERR(job))
		return PTR_ERR(job);
	cancelled = ckpt_freeze_cancel(job);
	err = mutex_lock_interruptible(&job->lock);
	if (err)
		goto put;
	if (job->freeze) {
		ckpt_freeze_undo(job);
	} else if (!cancelled) {
		NL_SET_ERR_MSG_MOD(info->extack, "the job is not frozen");
		err = -EALREADY;
	}
	mutex_unlock(&job->lock);
put:
	ckpt_job_put(job);
	return err;
}
