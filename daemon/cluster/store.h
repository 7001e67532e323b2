/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Where cluster checkpoints live on a host (Documentation/cluster.md):
 *   <image_store>/<job>/cluster/<id>   the global manifests (text)
 *   <state_dir>/cluster-<job>          the hosts job <job> spans
 * Writes are atomic (temporary file, fsync, rename, fsync of the
 * directory): a global manifest that is there is committed.
 */
#ifndef CKPTD_CLUSTER_STORE_H
#define CKPTD_CLUSTER_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

#include "cluster/msg.h"

#define CKPTD_CLUSTER_DIR	"cluster"

int ckptd_gmanifest_path(char *buf, size_t size, const char *store,
			 uint32_t job, uint64_t id);
/* Commits @text (the format of @g) as global manifest g->id of g->job. */
int ckptd_gmanifest_store(const char *store, const struct ckptd_gmanifest *g,
			  const char *text, size_t len, struct ckpt_err *err);
/*
 * Reads and checks global manifest @id of @job (0: the newest that
 * parses); its text in @text (CKPTD_CLUSTER_TEXT_MAX bytes).  -ENOENT
 * with the reason and what to do in @err when there is none.
 */
int ckptd_gmanifest_load(const char *store, uint32_t job, uint64_t id,
			 struct ckptd_gmanifest *g, char *text, size_t *len, struct ckpt_err *err);
/* The global manifest ids of @job, ascending (*ids malloc'd; may be NULL). */
int ckptd_gmanifest_ids(const char *store, uint32_t job, uint64_t **ids, size_t *n);

/*
 * Removes an image directory of an aborted round: its manifest first, so
 * that a crash midway leaves nothing that looks committed.
 */
int ckptd_cluster_discard_image(const char *dir);

/* The hosts @job spans here; -ENOENT if it spans none (a local job). */
int ckptd_cluster_member_get(const char *state_dir, uint32_t job,
			     struct ckptd_cluster_hosts *h, struct ckpt_err *err);
/* Records (@h != NULL) or forgets (NULL) the hosts @job spans. */
int ckptd_cluster_member_set(const char *state_dir, uint32_t job,
			     const struct ckptd_cluster_hosts *h, struct ckpt_err *err);

#endif /* CKPTD_CLUSTER_STORE_H */
