/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Keeping a peer connection alive while this host is busy with something
 * else (a migration's dumps take seconds to minutes for a large job, and
 * the peer drops a connection silent for its timeout): a thread repeats
 * the "check" request (JOB_CHECK, which also confirms the job id stays
 * free there) every 5 s, or a third of the timeout if that is shorter.
 * The caller must not use the connection between start and stop.
 */
#ifndef CKPTD_MIGRATE_KEEPALIVE_H
#define CKPTD_MIGRATE_KEEPALIVE_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "migrate/remote.h"

struct ckptd_keepalive {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	int stop, started;
	struct ckpt_err err;		/* of a check that failed */
	struct ckptd_remote *r;
	uint32_t job;
};

void ckptd_keepalive_start(struct ckptd_keepalive *k, struct ckptd_remote *r, uint32_t job);
/* 0, or the error of a check that failed meanwhile, in @err (may be NULL). */
int ckptd_keepalive_stop(struct ckptd_keepalive *k, struct ckpt_err *err);

#endif /* CKPTD_MIGRATE_KEEPALIVE_H */
