// SPDX-License-Identifier: GPL-2.0
/*
 * Job commands of the ckpt genl family: create, destroy, get, list,
 * freeze, thaw.  Errors carry the kernel's errno and extack message.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/ckpt.h>

#include "kmod_nl_priv.h"

static struct nl_msg *job_msg(struct ckpt_nl *nl, uint8_t cmd, int flags,
			      uint32_t id, struct ckpt_err *e)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (!msg) {
		ckpt_nl_set_error(e, -ENOMEM, "out of memory");
		return NULL;
	}
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, nl->family, 0, flags,
			 cmd, CKPT_GENL_VERSION) ||
	    (id && nla_put_u32(msg, CKPT_A_JOB_ID, id))) {
		nlmsg_free(msg);
		ckpt_nl_set_error(e, -EMSGSIZE, "request does not fit a netlink message");
		return NULL;
	}
	return msg;
}

static int too_big(struct nl_msg *msg, struct ckpt_err *e)
{
	nlmsg_free(msg);
	ckpt_nl_set_error(e, -EMSGSIZE, "request does not fit a netlink message");
	return -EMSGSIZE;
}

int ckpt_nl_job_create(struct ckpt_nl *nl, uint32_t id, uint32_t kind,
		       uint32_t pid, const char *cgroup, uint32_t flags,
		       char *const *patterns, unsigned int nr_patterns,
		       struct ckpt_err *e)
{
	struct ckpt_nl_req req = { .e = e, .maxattr = CKPT_A_JOB_MAX };
	struct nl_msg *msg = job_msg(nl, CKPT_CMD_JOB_CREATE, 0, id, e);

	if (!msg)
		return -e->errnum;
	if (nla_put_u32(msg, CKPT_A_JOB_KIND, kind) ||
	    (cgroup ? nla_put_string(msg, CKPT_A_JOB_CGROUP, cgroup)
		    : nla_put_u32(msg, CKPT_A_JOB_PID, pid)) ||
	    (flags && nla_put_u32(msg, CKPT_A_JOB_FLAGS, flags)))
		return too_big(msg, e);
	if (patterns) {
		struct nlattr *nest = nla_nest_start(msg, CKPT_A_JOB_LOWER_PATTERNS);

		if (!nest)
			return too_big(msg, e);
		for (unsigned int i = 0; i < nr_patterns; i++)
			if (nla_put_string(msg, CKPT_A_PATTERN_GLOB, patterns[i]))
				return too_big(msg, e);
		nla_nest_end(msg, nest);
	}
	return ckpt_nl_exchange(nl, msg, &req);
}

int ckpt_nl_job_destroy(struct ckpt_nl *nl, uint32_t id,
			struct ckpt_err *e)
{
	struct ckpt_nl_req req = { .e = e, .maxattr = CKPT_A_JOB_MAX };
	struct nl_msg *msg = job_msg(nl, CKPT_CMD_JOB_DESTROY, 0, id, e);

	return msg ? ckpt_nl_exchange(nl, msg, &req) : -e->errnum;
}

int ckpt_nl_job_thaw(struct ckpt_nl *nl, uint32_t id, struct ckpt_err *e)
{
	struct ckpt_nl_req req = { .e = e, .maxattr = CKPT_A_JOB_MAX };
	struct nl_msg *msg = job_msg(nl, CKPT_CMD_JOB_THAW, 0, id, e);

	return msg ? ckpt_nl_exchange(nl, msg, &req) : -e->errnum;
}

void ckpt_kjob_release(struct ckpt_kjob *j)
{
	free(j->task_pids);
	j->task_pids = NULL;
	j->nr_task_pids = 0;
}

static uint32_t get_u32(struct nlattr *a)
{
	return a ? nla_get_u32(a) : 0;
}

static int parse_tasks(struct nlattr *tasks, struct ckpt_kjob *j)
{
	struct nlattr *t, *tb[CKPT_A_TASK_MAX + 1];
	unsigned int n = 0;
	int rem;

	nla_for_each_nested(t, tasks, rem)
		n++;
	j->task_pids = calloc(n ? n : 1, sizeof(*j->task_pids));
	if (!j->task_pids)
		return -ENOMEM;
	nla_for_each_nested(t, tasks, rem) {
		if (nla_parse_nested(tb, CKPT_A_TASK_MAX, t, NULL) < 0 ||
		    !tb[CKPT_A_TASK_PID])
			return -EPROTO;
		j->task_pids[j->nr_task_pids++] = nla_get_u32(tb[CKPT_A_TASK_PID]);
	}
	return 0;
}

static int fill_job(struct nlattr **tb, struct ckpt_kjob *j)
{
	memset(j, 0, sizeof(*j));
	if (!tb[CKPT_A_JOB_ID] || !tb[CKPT_A_JOB_KIND] || !tb[CKPT_A_JOB_STATE])
		return -EPROTO;
	j->id = get_u32(tb[CKPT_A_JOB_ID]);
	j->kind = get_u32(tb[CKPT_A_JOB_KIND]);
	j->pid = get_u32(tb[CKPT_A_JOB_PID]);
	j->state = get_u32(tb[CKPT_A_JOB_STATE]);
	j->owner_uid = get_u32(tb[CKPT_A_JOB_OWNER_UID]);
	j->nr_tasks = get_u32(tb[CKPT_A_JOB_NR_TASKS]);
	j->nr_threads = get_u32(tb[CKPT_A_JOB_NR_THREADS]);
	j->err_pid = get_u32(tb[CKPT_A_JOB_ERR_PID]);
	j->err_state = get_u32(tb[CKPT_A_JOB_ERR_STATE]);
	j->flags = get_u32(tb[CKPT_A_JOB_FLAGS]);
	if (tb[CKPT_A_JOB_CGROUP])
		snprintf(j->cgroup, sizeof(j->cgroup), "%.*s",
			 nla_len(tb[CKPT_A_JOB_CGROUP]),
			 (const char *)nla_data(tb[CKPT_A_JOB_CGROUP]));
	return 0;
}

static int parse_one(struct nlattr **tb, void *arg)
{
	struct ckpt_kjob *j = arg;
	int ret = fill_job(tb, j);

	if (!ret && tb[CKPT_A_JOB_TASKS])
		ret = parse_tasks(tb[CKPT_A_JOB_TASKS], j);
	return ret;
}

static int get_or_freeze(struct ckpt_nl *nl, uint8_t cmd, uint32_t id,
			 uint32_t timeout_ms, struct ckpt_kjob *j,
			 struct ckpt_err *e)
{
	struct ckpt_nl_req req = {
		.e = e, .maxattr = CKPT_A_JOB_MAX, .parse = parse_one, .arg = j,
	};
	struct nl_msg *msg = job_msg(nl, cmd, 0, id, e);
	int ret;

	memset(j, 0, sizeof(*j));
	if (!msg)
		return -e->errnum;
	if (timeout_ms && nla_put_u32(msg, CKPT_A_JOB_TIMEOUT_MS, timeout_ms))
		return too_big(msg, e);
	ret = ckpt_nl_exchange(nl, msg, &req);
	if (ret)
		ckpt_kjob_release(j);
	return ret;
}

int ckpt_nl_job_get(struct ckpt_nl *nl, uint32_t id, struct ckpt_kjob *j,
		    struct ckpt_err *e)
{
	return get_or_freeze(nl, CKPT_CMD_JOB_GET, id, 0, j, e);
}

int ckpt_nl_job_freeze(struct ckpt_nl *nl, uint32_t id, uint32_t timeout_ms,
		       struct ckpt_kjob *j, struct ckpt_err *e)
{
	return get_or_freeze(nl, CKPT_CMD_JOB_FREEZE, id, timeout_ms, j, e);
}

struct list_ctx {
	void (*fn)(const struct ckpt_kjob *j, void *arg);
	void *arg;
};

static int parse_listed(struct nlattr **tb, void *arg)
{
	struct list_ctx *c = arg;
	struct ckpt_kjob j;
	int ret = fill_job(tb, &j);

	if (!ret)
		c->fn(&j, c->arg);
	return ret;
}

int ckpt_nl_job_list(struct ckpt_nl *nl,
		     void (*fn)(const struct ckpt_kjob *j, void *arg),
		     void *arg, struct ckpt_err *e)
{
	struct list_ctx c = { .fn = fn, .arg = arg };
	struct ckpt_nl_req req = {
		.e = e, .maxattr = CKPT_A_JOB_MAX, .parse = parse_listed, .arg = &c,
	};
	struct nl_msg *msg = job_msg(nl, CKPT_CMD_JOB_GET, NLM_F_DUMP, 0, e);

	return msg ? ckpt_nl_exchange(nl, msg, &req) : -e->errnum;
}
