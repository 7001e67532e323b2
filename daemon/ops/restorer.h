/* SPDX-License-Identifier: GPL-2.0 */
/* Running ckpt-restore for an image directory, and what it reports. */
#ifndef CKPTD_RESTORER_RUN_H
#define CKPTD_RESTORER_RUN_H

#include <stddef.h>
#include <sys/types.h>

#define CKPTD_RESTORE_PIDNS	(1U << 0)	/* --pidns */
#define CKPTD_RESTORE_OTHER_HOST (1U << 1)	/* --other-host */

struct ckptd_restored {
	pid_t root_pid;			/* the restored root, in our pid namespace */
	unsigned int nr_procs;
	int pidns;			/* restored in a new pid namespace
					   (asked, or the job had its own) */
};

/*
 * Runs `RESTORER --json [--pidns] [--other-host] DIR` (@restorer: a path
 * or a name in $PATH) and waits for it.  0 with @out filled, or a negative
 * errno with the restorer's own message (and exit status) in @why.
 */
int ckptd_run_restorer(const char *restorer, const char *dir, unsigned int flags,
		       struct ckptd_restored *out, char *why, size_t size);

/* 0 if @pid exists and is not a zombie (or has live threads). */
int ckptd_pid_running(pid_t pid);

#endif /* CKPTD_RESTORER_RUN_H */
