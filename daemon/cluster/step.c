// SPDX-License-Identifier: GPL-2.0
/* This host's freeze and dump of a cluster round (step.h). */
#include <errno.h>

#include "cluster/step.h"
#include "log.h"
#include "ops/dump.h"

int ckptd_cluster_step_freeze(void *ctx, struct ckptd_cluster_step *s, int already_frozen,
			      struct ckpt_err *err)
{
	struct ckptd_freeze f = {
		.job_id = s->job_id, .cred = s->cred, .timeout_ms = s->timeout_ms,
		.already_frozen = already_frozen,
	};
	struct ckpt_kjob kj = { 0 };
	struct ckpt_err cerr = { 0 }, terr;
	int ret = ckptd_dump_freeze(ctx, &f, &kj, err);

	if (ret)
		goto out;
	/* the send queues, while every host is frozen */
	ret = ckptd_capture_tcp_sndqs((const pid_t *)kj.task_pids, kj.nr_task_pids, s->sndqs,
				      &cerr);
	if (!ret)
		goto out;
	ret = ckpt_err_set(err, EIO, "job %u: %s", s->job_id, cerr.msg);
	if (!already_frozen && ckptd_dump_thaw(ctx, s->job_id, &terr))
		pr_warn("%s", terr.msg);
out:
	ckpt_kjob_release(&kj);
	return ret;
}

int ckptd_cluster_step_dump(void *ctx, struct ckptd_cluster_step *s, struct ckpt_err *err)
{
	struct ckptd_freeze f = { .job_id = s->job_id, .cred = s->cred, .already_frozen = 1 };
	struct ckpt_kjob kj = { 0 };
	struct ckptd_dump dp = {
		.job_id = s->job_id, .uid = s->uid, .gid = s->gid, .frozen = &kj,
		.cred = s->cred, .unsupported = s->unsupported, .tcp = 1, .sndqs = s->sndqs,
		.store = s->store, .seq_base = s->seq_base,
	};
	int ret = ckptd_dump_freeze(ctx, &f, &kj, err);

	if (!ret)
		ret = ckptd_dump(ctx, &dp, err);
	s->seq_base = dp.seq_base;
	if (!ret)
		s->img_seq = dp.seq;
	ckpt_kjob_release(&kj);
	return ret;
}
