/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Cluster checkpoints, the parts without I/O (Documentation/cluster.md):
 * host lists, the checks of every CLUSTER_* peer message a participant or
 * the coordinator receives, and the global manifest's text format.  Every
 * function returns 0 or -errno with what is wrong in @err.
 */
#ifndef CKPTD_CLUSTER_MSG_H
#define CKPTD_CLUSTER_MSG_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

#include "peer/peer_proto.h"

#define CKPTD_CLUSTER_HOSTS_MAX	16
#define CKPTD_CLUSTER_TEXT_MAX	4096	/* a global manifest's text */

/* The hosts a job spans, sorted, no duplicates, 2..CKPTD_CLUSTER_HOSTS_MAX. */
struct ckptd_cluster_hosts {
	unsigned int n;
	char name[CKPTD_CLUSTER_HOSTS_MAX][CKPT_PEER_NAME];
};

/* "alpha,beta[,...]": host names of [peers] (letters, digits, . _ -). */
int ckptd_cluster_hosts_parse(const char *list, struct ckptd_cluster_hosts *h, struct ckpt_err *err);
void ckptd_cluster_hosts_format(const struct ckptd_cluster_hosts *h,
				char *buf, size_t size);
/* 1 if @name is one of them. */
int ckptd_cluster_hosts_has(const struct ckptd_cluster_hosts *h, const char *name);

/* A checked CLUSTER_PREPARE. */
struct ckptd_cluster_prepare {
	uint32_t job;
	uint32_t flags;
	char coordinator[CKPT_PEER_NAME];
	struct ckptd_cluster_hosts hosts;
};

int ckptd_cluster_check_prepare(const void *buf, size_t len,
				struct ckptd_cluster_prepare *out, struct ckpt_err *err);
/* CLUSTER_DUMP and CLUSTER_ABORT: the job id. */
int ckptd_cluster_check_job(const void *buf, size_t len, uint32_t *job, struct ckpt_err *err);
int ckptd_cluster_check_dumped(const void *buf, size_t len,
			       struct ckpt_peer_cluster_dumped *out, struct ckpt_err *err);

/* The global manifest: which image of each host makes the checkpoint. */
struct ckptd_gmanifest {
	uint32_t job;
	uint64_t id;			/* global checkpoint number, >= 1 */
	int freeze;			/* taken by freeze: the job stayed frozen */
	int64_t time_ns;		/* CLOCK_REALTIME at commit */
	char coordinator[CKPT_PEER_NAME];
	unsigned int n;
	struct {
		char host[CKPT_PEER_NAME];
		uint64_t seq;		/* that host's image of the job */
	} e[CKPTD_CLUSTER_HOSTS_MAX];
};

/*
 * The text form (Documentation/cluster.md), ending in a line "sum X"
 * with the XXH64 of what precedes it.  format: -ENOSPC if it does not fit.
 */
int ckptd_gmanifest_format(const struct ckptd_gmanifest *g, char *buf,
			   size_t size, size_t *len);
int ckptd_gmanifest_parse(const char *text, size_t len,
			  struct ckptd_gmanifest *g, struct ckpt_err *err);
/* The image of @host in @g, or 0. */
uint64_t ckptd_gmanifest_seq_of(const struct ckptd_gmanifest *g, const char *host);

/*
 * CLUSTER_COMMIT and CLUSTER_RESTORE: header and manifest text, which
 * must parse, be for the header's job and id and give @self the
 * header's image.
 */
int ckptd_cluster_check_commit(const void *buf, size_t len, const char *self,
			       struct ckpt_peer_cluster_commit *hdr,
			       struct ckptd_gmanifest *g, struct ckpt_err *err);

#endif /* CKPTD_CLUSTER_MSG_H */
