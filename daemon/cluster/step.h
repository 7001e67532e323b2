/* SPDX-License-Identifier: GPL-2.0 */
/*
 * This host's part of a cluster round, for the coordinator (round.c) and
 * a participant (part.c) alike, on the one dump path (ops/dump.h): the
 * freeze of "prepare" (which also reads the job's TCP send queues while
 * every host is frozen), the full image of "dump" (the job stays frozen;
 * no retention: global manifests name these images), and the thaw.
 */
#ifndef CKPTD_CLUSTER_STEP_H
#define CKPTD_CLUSTER_STEP_H

#include <stdint.h>

#include "capture/capture.h"
#include "err.h"

struct ckptd_cred;

struct ckptd_cluster_step {
	uint32_t job_id;
	const struct ckptd_cred *cred;	/* members checked as it (auth.h) */
	uint32_t uid, gid;		/* the job's owner: owns the images */
	unsigned int timeout_ms;	/* of the freeze */
	enum ckptd_capture_action unsupported;
	const char *store;
	uint64_t seq_base;		/* in and out, as in struct ckptd_job */
	struct ckptd_tcp_sndqs *sndqs;	/* filled by freeze, used by dump */
	/* out of dump */
	uint64_t img_seq;
};

/* Freezes the job (or, @already_frozen, checks it): 0 or -errno. */
int ckptd_cluster_step_freeze(void *ctx, struct ckptd_cluster_step *s, int already_frozen,
			      struct ckpt_err *err);
/* A full image of the frozen job in s->img_seq; it stays frozen. */
int ckptd_cluster_step_dump(void *ctx, struct ckptd_cluster_step *s, struct ckpt_err *err);

#endif /* CKPTD_CLUSTER_STEP_H */
