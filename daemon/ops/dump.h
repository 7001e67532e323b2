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
 *   dump     ckptd_dump(): ckpt.ko writes every page once, itself, into
 *            the image being written (CKPT_DUMP_DATA_FD) and hands ckptd
 *            only the records (dump_read.c).  For a running job it asks
 *            to freeze, the pages are first copied while the job runs
 *            (the pre-copy: soft-dirty bits cleared, a CKPT_DUMP_PRECOPY
 *            pre-dump), then the job is frozen and only what changed
 *            since is dumped, with the userspace capture of the members
 *            (daemon/capture); the image is committed (image/, metadata
 *            only) and the dump committed to ckpt.ko with the soft-dirty
 *            bits cleared again while the job is still frozen, so the
 *            next incremental checkpoint reads only what changes from now
 *            on; then the thaw, the owner and retention
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

/* Microseconds of each stage of one dump (the reply's "stages"). */
struct ckptd_dump_stages {
	uint64_t freeze_us;		/* the freeze (this call's) */
	uint64_t mark_us;		/* incremental: the short freeze in which the
					   pre-copy's soft-dirty bits are cleared */
	uint64_t precopy_us;		/* pages written while the job ran */
	uint64_t dump_us;		/* the frozen dump: what changed, registers */
	uint64_t capture_us;		/* files, cwd, sockets of the members */
	uint64_t write_us;		/* the image's records, index and manifest */
	uint64_t commit_us;		/* ckpt.ko's commit, soft-dirty cleared */
	uint64_t thaw_us;
	uint64_t frozen_us;		/* freeze to thaw, or to the end if it stays,
					   plus mark_us */
};

struct ckptd_dump {
	uint32_t job_id;
	uint32_t uid, gid;		/* the job's owner: owns the images */
	uint32_t flags;			/* CKPT_DUMP_INCREMENTAL, CKPT_DUMP_PREDUMP */
	/*
	 * Who freezes: @freeze set: this call, after a pre-copy (@kj
	 * receives the parked members); else @frozen: the caller did (its
	 * members, whose files are captured too); neither: a pre-dump of the
	 * running job, whose members are checked as @cred before and after
	 * its stream is read.
	 */
	struct ckptd_freeze *freeze;
	struct ckpt_kjob *kj;
	const struct ckpt_kjob *frozen;
	const struct ckptd_cred *cred;
	enum ckptd_capture_action unsupported;
	int tcp;			/* capture TCP connections (cluster rounds) */
	const struct ckptd_tcp_sndqs *sndqs;	/* their send queues, or NULL */
	/*
	 * Thaw once the image is committed.  With @freeze, a failure after
	 * the freeze thaws too if @thaw is set, and otherwise leaves the job
	 * frozen (ckptctl freeze: "the job stays frozen, nothing is stored").
	 */
	int thaw;
	const char *store;
	unsigned int keep;		/* retention after the commit; 0: none */
	int compression, level;		/* ckptd.conf */
	struct ckptd_progress *progress;	/* or NULL */
	uint64_t seq_base;		/* in and out, as in struct ckptd_job */
	/* out */
	int is_frozen;			/* the job is frozen when it returns */
	uint64_t seq;			/* the image's number */
	uint64_t bytes, raw_bytes;	/* as stored, its contents */
	uint64_t nr_pages;		/* pages it carries */
	uint64_t precopy_pages;		/* pages written while the job ran */
	uint64_t final_pages;		/* pages written while it was frozen */
	const char *dirty_tracking;	/* the image against its parent */
	const char *precopy_tracking;	/* the frozen dump against the pre-copy,
					   or NULL without one */
	struct ckptd_dump_stages st;
	char dir[PATH_MAX + 64];	/* the image */
};

int ckptd_dump(void *ctx, struct ckptd_dump *dp, struct ckpt_err *err);

#endif /* CKPTD_OPS_DUMP_H */
