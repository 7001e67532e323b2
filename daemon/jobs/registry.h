/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The persistent job registry, <state_dir>/jobs: every job ckptd manages,
 * so that a restarted ckptd re-creates them in ckpt.ko.  Written
 * atomically (jobs.tmp, fsync, rename, fsync of the directory).
 */
#ifndef CKPTD_REGISTRY_H
#define CKPTD_REGISTRY_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define CKPTD_REGISTRY_FILE	"jobs"
#define CKPTD_REGISTRY_VERSION	1

/* struct ckptd_job.flags (persisted) */
#define CKPTD_JOB_LAUNCHED	(1U << 0)	/* started by RUN: ckptd owns its cgroup */
#define CKPTD_JOB_PIDNS		(1U << 1)	/* in its own pid namespace */
#define CKPTD_JOB_FROZEN	(1U << 2)	/* frozen by FREEZE: refreeze at start */
#define CKPTD_JOB_UNPRIV	(1U << 3)	/* created by an unprivileged uid 0 (auth.h) */

#define CKPTD_SEQ_BASE_UNKNOWN	UINT64_MAX

struct ckptd_job {
	uint32_t id;
	uint32_t uid, gid;		/* owner: the user who created it */
	uint32_t kind;			/* enum ckpt_job_kind */
	uint32_t pid;			/* TREE/PGID/SID anchor */
	uint64_t starttime;		/* of pid (/proc/<pid>/stat), against reuse */
	char cgroup[256];		/* CGROUP: path below the cgroup2 root */
	uint32_t flags;			/* CKPTD_JOB_* */
	uint64_t last_seq;		/* newest committed image, 0: none */
	/* not persisted */
	uint64_t seq_base;		/* added to the module's dump numbers;
					   CKPTD_SEQ_BASE_UNKNOWN until the
					   first dump of this module job */
	int busy;			/* an operation runs on it */
	int in_module;			/* the module job exists */
	struct ckptd_job *next;
};

struct ckptd_registry {
	char dir[4096];
	struct ckptd_job *jobs;
};

/* Loads <dir>/jobs (missing: empty).  -EINVAL with "file:line: why". */
int ckptd_registry_load(struct ckptd_registry *r, const char *dir,
			struct ckpt_err *e);
/* Serializes every job into a malloc()ed text (for a worker to write). */
char *ckptd_registry_format(const struct ckptd_registry *r, size_t *len);
/* Writes @text as <dir>/jobs atomically. */
int ckptd_registry_write(const char *dir, const char *text, size_t len,
			 struct ckpt_err *e);
/* Parses registry text into @r's list (used by load and the tests). */
int ckptd_registry_parse(struct ckptd_registry *r, const char *name,
			 const char *text, struct ckpt_err *e);

struct ckptd_job *ckptd_registry_find(struct ckptd_registry *r, uint32_t id);
struct ckptd_job *ckptd_registry_add(struct ckptd_registry *r, uint32_t id);
void ckptd_registry_remove(struct ckptd_registry *r, struct ckptd_job *job);
void ckptd_registry_free(struct ckptd_registry *r);

#endif /* CKPTD_REGISTRY_H */
