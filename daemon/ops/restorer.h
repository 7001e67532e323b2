/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one launcher of ckpt-restore, for a restore here (ops/restore.c),
 * from another host (migrate/peer_server.c) and on every host of a
 * cluster restore (cluster/): `RESTORER --json [--pidns] [--other-host]
 * [--hold] DIR` with stdout and stderr captured; the JSON line of a
 * success names the root pid, the text of a failure becomes the error.
 *
 * --hold (cluster restores): the restorer brings every process up to the
 * point where only "go" remains (TCP connections still in repair mode),
 * prints "held" and waits for "go" on its stdin; without it (stdin
 * closed) it calls the restore off.
 */
#ifndef CKPTD_OPS_RESTORER_H
#define CKPTD_OPS_RESTORER_H

#include <limits.h>
#include <stddef.h>
#include <sys/types.h>

#include "err.h"

#define CKPTD_RESTORE_PIDNS	(1U << 0)	/* --pidns */
#define CKPTD_RESTORE_OTHER_HOST (1U << 1)	/* --other-host */
#define CKPTD_RESTORE_HOLD	(1U << 2)	/* --hold */

struct ckptd_restored {
	pid_t root_pid;			/* the restored root, in our pid namespace */
	unsigned int nr_procs;
	int pidns;			/* restored in a new pid namespace
					   (asked, or the job had its own) */
};

/* A restorer that runs. */
struct ckptd_restorer {
	const char *name;		/* the restorer, as started */
	pid_t pid;			/* 0 once finished */
	int in_fd, out_fd;		/* its stdin (--hold), its stdout and stderr */
	int held;			/* it printed "held" */
	char dir[PATH_MAX + 64];
	char msg[2048];			/* what it printed */
	size_t len;
};

/*
 * Starts the restorer (@restorer: a path or a name in $PATH) on image
 * directory @dir; with CKPTD_RESTORE_HOLD waits up to @timeout_ms until
 * it is held.  0, or -errno with its message in @err (it is finished).
 */
int ckptd_restorer_start(const char *restorer, const char *dir, unsigned int flags,
			 unsigned int timeout_ms, struct ckptd_restorer *r,
			 struct ckpt_err *err);
/*
 * Says go (@go) to a held restorer or calls it off, and waits for the
 * result: 0 with @out filled, or -errno with its message in @err.
 */
int ckptd_restorer_finish(struct ckptd_restorer *r, int go, struct ckptd_restored *out,
			  struct ckpt_err *err);

/* start and finish: one restore, waited for. */
int ckptd_run_restorer(const char *restorer, const char *dir, unsigned int flags,
		       struct ckptd_restored *out, struct ckpt_err *err);

/* 0 if @pid exists and is not a zombie (or has live threads). */
int ckptd_pid_running(pid_t pid);

#endif /* CKPTD_OPS_RESTORER_H */
