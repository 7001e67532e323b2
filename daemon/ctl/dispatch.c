// SPDX-License-Identifier: GPL-2.0
/*
 * Dispatching control requests: the table of commands and their handlers.
 * The server (server.c) checked the message; the flags common to every
 * command are checked here; each handler replies on its own.
 * A freeze, checkpoint or restore of a job spanning hosts goes to
 * cluster/ before any local handler; a restore to another host (--host) to
 * migrate/restore_remote.c.
 */
#include <errno.h>

#include "ckptd.h"
#include "cluster/ctl.h"
#include "ctl/dispatch.h"
#include "ctl/server.h"
#include "ctl/query.h"
#include "jobs/control.h"
#include "jobs/launch.h"
#include "ops/restore.h"
#include "migrate/migrate.h"
#include "migrate/restore_remote.h"
#include "ops/checkpoint.h"

static ckptd_ctl_handler *const handlers[__CKPTD_CMD_MAX] = {
	[CKPTD_CMD_LIST]	= ckptd_cmd_list,
	[CKPTD_CMD_STATUS]	= ckptd_cmd_status,
	[CKPTD_CMD_RUN]		= ckptd_cmd_run,
	[CKPTD_CMD_ATTACH]	= ckptd_cmd_attach,
	[CKPTD_CMD_FREEZE]	= ckptd_cmd_freeze,
	[CKPTD_CMD_THAW]	= ckptd_cmd_thaw,
	[CKPTD_CMD_KILL]	= ckptd_cmd_kill,
	[CKPTD_CMD_CHECKPOINT]	= ckptd_cmd_checkpoint,
	[CKPTD_CMD_RESTORE]	= ckptd_cmd_restore,
	[CKPTD_CMD_MIGRATE]	= ckptd_cmd_migrate,
	[CKPTD_CMD_CLUSTER]	= ckptd_cmd_cluster,
};

void ckptd_dispatch(struct ckptd *d, struct ckptd_req *rq)
{
	const struct ckptd_ctl_attr *f = rq->tb.a[CKPTD_CA_FLAGS];

	if (f && (ckptd_ctl_u32(f) & ~CKPTD_F_ALL)) {
		ckptd_reply_error(d, rq->client_id, rq->seq, -EINVAL,
				  "bad request: unknown flags 0x%x",
				  ckptd_ctl_u32(f) & ~CKPTD_F_ALL);
		return;
	}
	if (rq->cmd >= __CKPTD_CMD_MAX || !handlers[rq->cmd]) {
		ckptd_reply_error(d, rq->client_id, rq->seq, -EOPNOTSUPP,
				  "bad request: command %u has no handler in this ckptd",
				  rq->cmd);
		return;
	}
	/* a job spanning hosts: the cluster protocol, never a local handler */
	if (ckptd_cluster_route(d, rq))
		return;
	/* restore --host: this host's frozen jobs go to another */
	if (rq->cmd == CKPTD_CMD_RESTORE && rq->tb.a[CKPTD_CA_HOST]) {
		ckptd_cmd_restore_remote(d, rq);
		return;
	}
	handlers[rq->cmd](d, rq);
}
