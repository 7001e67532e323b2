/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Moving a job to another host over the peer channel, the part shared by
 * `restore --host` and `migrate`: connect and authenticate, check the job
 * id is free there, ship the checkpoint chain, restore it there.  Runs in
 * the ops worker (blocking, with the peer timeout).
 */
#ifndef CKPTD_REMOTE_H
#define CKPTD_REMOTE_H

#include <limits.h>
#include <stdint.h>
#include <sys/types.h>

#include "ckptd_config.h"
#include "err.h"
#include "loop.h"
#include "ctl/server.h"
#include "peer/peer_auth.h"
#include "peer/peer_wire.h"

/* Everything a worker needs about the other host, copied on the loop. */
struct ckptd_remote {
	struct ckptd_peer_cfg peer;
	char node[CKPTD_PEER_NAME_MAX + 1];	/* this host */
	struct ckpt_peer_key key;
	char store[PATH_MAX];
	char state_dir[PATH_MAX];
	int timeout_ms;
	uint64_t corrupt_chunk;		/* test hook, CKPTD_TEST_CORRUPT_CHUNK */
	struct ckpt_peer_conn *c;	/* open once connected */
};

/*
 * Fills @r for the peer named @host; -ENOENT with the reason in @err if
 * ckptd.conf has no such peer (or no [peers] section).  Every step below
 * returns 0 or -errno with what the other host said (or what failed) in
 * @err.
 */
int ckptd_remote_init(struct ckptd_remote *r, const struct ckptd_config *cfg,
		      const struct ckpt_peer_key *key, const char *host, struct ckpt_err *err);
/* Step "connect": connect and authenticate. */
int ckptd_remote_open(struct ckptd_remote *r, struct ckpt_err *err);
void ckptd_remote_close(struct ckptd_remote *r);

/* Step "check": the job id is free on the other host. */
int ckptd_remote_check_job(struct ckptd_remote *r, uint32_t job, struct ckpt_err *err);
/* Step "ship": image @seq of @job and the parents the other host lacks. */
int ckptd_remote_ship(struct ckptd_remote *r, uint32_t job, uint64_t seq,
		      struct ckptd_progress *progress, uint64_t *bytes, struct ckpt_err *err);
/*
 * Part of "ship": the job's output log (<state_dir>/job-<job>.log), if
 * there is one: the restored job goes on appending to it there.
 */
int ckptd_remote_ship_log(struct ckptd_remote *r, uint32_t job, struct ckpt_err *err);
/* Step "restore": ckpt-restore there; the root pid there in @pid. */
int ckptd_remote_restore(struct ckptd_remote *r, uint32_t job, uint64_t seq,
			 uint32_t uid, uint32_t gid, int pidns, pid_t *pid, struct ckpt_err *err);

#endif /* CKPTD_REMOTE_H */
