/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One dump of a job into the image store, for `migrate` (migrate.c): a
 * pre-dump of the running job or the final dump of the frozen one, stored
 * as <store>/<job>/<seq> and committed to ckpt.ko so that the next
 * incremental dump is relative to it.  Runs in the ops worker.
 */
#ifndef CKPTD_MIGRATE_DUMP_H
#define CKPTD_MIGRATE_DUMP_H

#include <stdint.h>

#include "capture/capture.h"
#include "kmod_nl.h"

struct ckptd_cred;
struct ckptd_progress;

struct ckptd_mig_dump {
	uint32_t job_id;
	const struct ckptd_cred *cred;	/* who asked: members checked as it (auth.h) */
	uint32_t uid, gid;		/* the job's owner: owns the images */
	uint32_t flags;			/* CKPT_DUMP_PREDUMP, CKPT_DUMP_INCREMENTAL */
	const struct ckpt_kjob *frozen;	/* the frozen job's members: capture
					   their files too; NULL for a pre-dump */
	enum ckptd_capture_action unsupported;
	const char *store;
	uint64_t *seq_base;		/* the job's; set if still unknown */
	struct ckptd_progress *progress;
	/* out */
	uint64_t seq;			/* the image's number */
	uint64_t bytes;			/* its size */
	uint64_t nr_pages;		/* pages it carries (the dirty set) */
};

/* 0, or -errno with what failed in @why. */
int ckptd_mig_dump(void *ops_ctx, struct ckptd_mig_dump *m, char *why, size_t size);

#endif /* CKPTD_MIGRATE_DUMP_H */
