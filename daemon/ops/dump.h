/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one path from a job to an image in the store, used by freeze and
 * checkpoint (ops/checkpoint.c), migration's pre-dumps and final dump
 * (migrate/migrate.c) and each host's part of a cluster round
 * (cluster/step.c); all of it in a thread with an ops context (blocking
 * on ckpt.ko and the disk):
 *
 *   freeze   ckptd_dump_freeze(): the members checked as the user who
 *            asked before the freeze and again on the parked set
 *   dump     ckptd_dump(): the module's stream read into a memfd (BEGIN's
 *            numbers moved by the job's seq base), the userspace capture
 *            of the frozen members (daemon/capture), optionally a thaw,
 *            the image written (compression, progress), given to the
 *            job's owner, committed to ckpt.ko, then retention
 *   thaw     ckptd_dump_thaw()
 *
 * Every function returns 0 or -errno with the reason in @err.
 */
#ifndef CKPTD_OPS_DUMP_H
#define CKPTD_OPS_DUMP_H

#include <limits.h>
#include <stdint.h>

#include "capture/capture.h"
#include "err.h"
#include "kmod_nl.h"

struct ckptd_cred;
struct ckptd_progress;

/* The ops context: a netlink socket and /dev/ckpt of the calling thread. */
void *ckptd_ops_init(int *err);
void ckptd_ops_fini(void *ctx);

struct ckptd_freeze {
	uint32_t job_id;
	const struct ckptd_cred *cred;	/* who asked: members checked as it (auth.h) */
	unsigned int timeout_ms;
	int already_frozen;		/* only read the members and check them */
	int refused;			/* out: the members' check failed */
};

/*
 * Freezes the job (unless already_frozen) with its members in @kj: on
 * success it is frozen; on failure it is as it was (a freeze whose parked
 * set fails the check is undone).
 */
int ckptd_dump_freeze(void *ctx, struct ckptd_freeze *f, struct ckpt_kjob *kj,
		      struct ckpt_err *err);
int ckptd_dump_thaw(void *ctx, uint32_t job_id, struct ckpt_err *err);
/* The job's members now, checked as @cred (jobs/auth.h): 0 or -errno. */
int ckptd_dump_auth(void *ctx, const struct ckptd_cred *cred, uint32_t job_id,
		    struct ckpt_err *err);

struct ckptd_dump {
	uint32_t job_id;
	uint32_t uid, gid;		/* the job's owner: owns the images */
	uint32_t flags;			/* CKPT_DUMP_INCREMENTAL, CKPT_DUMP_PREDUMP */
	/*
	 * The frozen job's members (ckptd_dump_freeze()): their files are
	 * captured too.  NULL: a pre-dump of the running job, whose members
	 * are checked as @cred before and after its stream is read.
	 */
	const struct ckpt_kjob *frozen;
	const struct ckptd_cred *cred;
	enum ckptd_capture_action unsupported;
	int tcp;			/* capture TCP connections (cluster rounds) */
	const struct ckptd_tcp_sndqs *sndqs;	/* their send queues, or NULL */
	int thaw;			/* thaw once captured: the image is
					   written while the job runs */
	const char *store;
	unsigned int keep;		/* retention after the commit; 0: none */
	int compression, level;		/* ckptd.conf */
	struct ckptd_progress *progress;	/* or NULL */
	uint64_t seq_base;		/* in and out, as in struct ckptd_job */
	/* out */
	int captured;			/* stream and capture complete: a
					   later failure is the image's */
	int thawed;			/* @thaw happened */
	uint64_t seq;			/* the image's number */
	uint64_t bytes, raw_bytes;	/* as stored, its contents */
	uint64_t nr_pages;		/* pages it carries */
	unsigned int capture_ms, write_ms;
	char dir[PATH_MAX + 64];	/* the image */
};

int ckptd_dump(void *ctx, struct ckptd_dump *dp, struct ckpt_err *err);

#endif /* CKPTD_OPS_DUMP_H */
