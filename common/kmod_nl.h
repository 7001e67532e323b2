/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Talking to ckpt.ko over its generic netlink family.  Functions return 0
 * or -errno; on failure, @e (struct ckpt_err, err.h) holds the kernel's
 * errno and extack message (or a description of the local failure) for
 * the caller to print.
 */
#ifndef CKPT_KMOD_NL_H
#define CKPT_KMOD_NL_H

#include <stdint.h>

#include "err.h"

struct ckpt_nl;

struct ckpt_kfeatures {
	uint32_t abi_version;
	uint64_t bits;
	uint32_t page_size;
	char kernel_release[65];
	char module_version[64];
};

/* -ENOENT: the family is not registered (ckpt.ko not loaded). */
int ckpt_nl_open(struct ckpt_nl **out, struct ckpt_err *e);
void ckpt_nl_close(struct ckpt_nl *nl);

int ckpt_nl_get_features(struct ckpt_nl *nl, const char *client,
			 struct ckpt_kfeatures *f, struct ckpt_err *e);

/* A job as CKPT_CMD_JOB_GET describes it (kmod_nl_job.c). */
struct ckpt_kjob {
	uint32_t id, kind, pid, state, owner_uid;
	uint32_t nr_tasks, nr_threads;
	uint32_t err_pid, err_state;	/* after a failed freeze, else 0 */
	uint32_t flags;			/* CKPT_JOB_F_* */
	char cgroup[256];
	uint32_t *task_pids;		/* JOB_GET do / FREEZE only; free() */
	unsigned int nr_task_pids;
};

/*
 * Creates job @id of @kind for @pid (tree, pgid, sid) or @cgroup (path
 * below the cgroup2 root).  @patterns: lower-half globs, NULL for the
 * module's defaults (@nr_patterns 0 with non-NULL @patterns: none).
 * @flags: CKPT_JOB_F_* (0 for none).
 */
int ckpt_nl_job_create(struct ckpt_nl *nl, uint32_t id, uint32_t kind,
		       uint32_t pid, const char *cgroup, uint32_t flags,
		       char *const *patterns, unsigned int nr_patterns,
		       struct ckpt_err *e);
int ckpt_nl_job_destroy(struct ckpt_nl *nl, uint32_t id,
			struct ckpt_err *e);
/* One job with its member pids; ckpt_kjob_release() it. */
int ckpt_nl_job_get(struct ckpt_nl *nl, uint32_t id, struct ckpt_kjob *j,
		    struct ckpt_err *e);
/* Every job of the caller (without member pids), one call of @fn each. */
int ckpt_nl_job_list(struct ckpt_nl *nl,
		     void (*fn)(const struct ckpt_kjob *j, void *arg),
		     void *arg, struct ckpt_err *e);
/* Freezes and returns the frozen job (with its member pids) in @j. */
int ckpt_nl_job_freeze(struct ckpt_nl *nl, uint32_t id, uint32_t timeout_ms,
		       struct ckpt_kjob *j, struct ckpt_err *e);
int ckpt_nl_job_thaw(struct ckpt_nl *nl, uint32_t id,
		     struct ckpt_err *e);
void ckpt_kjob_release(struct ckpt_kjob *j);

/* Job events of the module's "events" group (kmod_nl_events.c). */
struct ckpt_kevent {
	uint32_t event;			/* enum ckpt_job_event */
	uint32_t job_id, owner_uid;
	uint32_t pid;			/* TASK_EXITED: the thread */
	uint32_t err_pid, err_state;	/* FREEZE_FAILED */
};

/* A non-blocking socket joined to the events group (needs CAP_NET_ADMIN). */
int ckpt_nl_events_open(struct ckpt_nl **out, struct ckpt_err *e);
int ckpt_nl_fd(struct ckpt_nl *nl);
/* Reads what is queued and calls @fn for each event; 0 or -errno. */
int ckpt_nl_events_read(struct ckpt_nl *nl,
			void (*fn)(const struct ckpt_kevent *ev, void *arg),
			void *arg);

#endif /* CKPT_KMOD_NL_H */
