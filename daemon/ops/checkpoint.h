/* SPDX-License-Identifier: GPL-2.0 */
/*
 * freeze and checkpoint (the requests, and re-freezing at start), one
 * cluster checkpoint step, and the ops worker's context: its own netlink
 * socket and /dev/ckpt.
 */
#ifndef CKPTD_CHECKPOINT_H
#define CKPTD_CHECKPOINT_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "capture/capture.h"
#include "kmod_nl.h"

struct ckptd;
struct ckptd_cred;
struct ckptd_job;
struct ckptd_req;

void ckptd_cmd_freeze(struct ckptd *d, struct ckptd_req *rq);
void ckptd_cmd_checkpoint(struct ckptd *d, struct ckptd_req *rq);
/* Re-freezes a job that was frozen before a restart. */
void ckptd_refreeze(struct ckptd *d, struct ckptd_job *job);

void *ckptd_ops_init(int *err);
void ckptd_ops_fini(void *ctx);

/* The ops worker's netlink socket and /dev/ckpt fd, from its @ctx. */
struct ckpt_nl *ckptd_ops_nl(void *ctx);
int ckptd_ops_dev(void *ctx);

/*
 * The userspace capture (open files, cwd, ...) of the members of frozen
 * job @kj: records for the image writer's extra_records in *@data
 * (malloc()ed, the caller frees), or -errno with the reason in @why.
 */
int ckptd_capture_job(const struct ckpt_kjob *kj, enum ckptd_capture_action unsupported,
		      uint8_t **data, size_t *len, char *why, size_t size);

/*
 * One step of a cluster checkpoint (daemon/cluster*.c) on this host, in
 * the calling thread with an ops context: freeze (neither flag), dump the
 * frozen job into a full image and leave it frozen (dump; no retention:
 * global manifests name these images), or thaw.  0 or -errno with @why.
 */
struct ckptd_ckpt_step {
	uint32_t job_id;
	const struct ckptd_cred *cred;	/* who asked: members checked as it (auth.h) */
	uint32_t uid, gid;		/* the job's owner: owns the images */
	int dump, thaw;
	int already_frozen;		/* freeze: it is; only read its TCP send queues */
	enum ckptd_capture_action unsupported;
	uint64_t seq_base;		/* in and out, as in struct ckptd_job */
	char store[PATH_MAX];
	unsigned int timeout_ms;
	/* freeze: filled with the TCP send queues; dump: used (may be NULL) */
	struct ckptd_tcp_sndqs *sndqs;
	/* results of dump */
	uint64_t img_seq, bytes;
	char dir[PATH_MAX + 64];
	char why[1024];
};

int ckptd_ckpt_step(void *ctx, struct ckptd_ckpt_step *s);

/*
 * After read() of dump session @dump_fd failed with @err (an errno): the
 * module's own account (CKPT_IOC_DUMP_ERROR: process, range, cause) in
 * @buf, or strerror(@err) when the module has none (older ckpt.ko).
 */
void ckptd_dump_error(int dump_fd, int err, char *buf, size_t size);

#endif /* CKPTD_CHECKPOINT_H */
