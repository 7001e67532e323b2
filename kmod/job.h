/* SPDX-License-Identifier: GPL-2.0 */
/* The job object and its registry (job.c): lifetime, lookup, locking. */
#ifndef CKPT_JOB_H
#define CKPT_JOB_H

#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/refcount.h>
#include <linux/types.h>
#include <linux/uidgid.h>
#include <linux/wait.h>

struct cgroup;
struct ckpt_freeze;
struct ckpt_pagehash;
struct ckpt_sdbase;
struct pid;
struct pid_namespace;
struct sk_buff;

/*
 * A job: a named group of processes.  Owned by the netlink socket that
 * created it (@portid); found by (pid namespace, id).
 */
struct ckpt_job {
	struct list_head node;		/* ckpt_jobs: RCU, written under
					 * ckpt_jobs_lock */
	struct rcu_head rcu;
	refcount_t ref;
	u32 id;
	kuid_t owner;			/* the creator's euid: reported only */
	struct pid_namespace *pidns;	/* the creator's: finds the job */
	struct pid_namespace *rec_ns;	/* pids in dumps are as seen here;
					 * set before the first dump opens
					 * (under @lock), then fixed */
	u32 flags;			/* CKPT_JOB_F_* */
	u32 portid;

	u32 kind;			/* enum ckpt_job_kind */
	struct pid *pid;		/* TREE, PGID, SID */
	struct cgroup *cgrp;		/* CGROUP */
	char *cgroup_path;
	char **lower_patterns;		/* NULL: the built-in defaults */
	unsigned int nr_lower_patterns;

	struct mutex lock;		/* serializes freeze, thaw, destroy */
	u32 state;			/* enum ckpt_job_state, READ_ONCE */
	struct ckpt_freeze *freeze;	/* under @lock; set while frozen */
	u32 freeze_portid;		/* socket owning the freeze */
	u64 freeze_seq;			/* counts freezes; names the current one */
	u64 cancel_seq;			/* the freeze a THAW/DESTROY cancelled */
	wait_queue_head_t park_wq;	/* a freeze waits for parking here */
	u32 freeze_threads;		/* threads the last freeze found: sizes
					 * the next one's array; under @lock */
	u64 dump_seq;			/* dumps opened so far, under @lock */
	u64 base_seq;			/* last committed dump, 0 if none */
	struct ckpt_pagehash *base;	/* its page hashes, under @lock */
	bool base_torn;			/* it was a pre-copy (CKPT_DUMP_PRECOPY):
					 * its pages may be torn, only its
					 * soft-dirty bits say what is unchanged */
	struct ckpt_sdbase *sd;		/* soft-dirty bits cleared right after
					 * it, or NULL; under @lock */
	pid_t err_pid;			/* who made the last freeze fail */
	u32 err_state;
	bool dead;			/* destroyed, under @lock */
};

struct ckpt_job_spec {
	u32 id;
	u32 kind;
	struct pid *pid;		/* reference passed to the job */
	struct cgroup *cgrp;		/* reference passed to the job */
	char *cgroup_path;		/* ownership passed to the job */
	char **lower_patterns;		/* ownership passed to the job */
	unsigned int nr_lower_patterns;
	u32 flags;			/* CKPT_JOB_F_* */
};

void ckpt_patterns_free(char **patterns, unsigned int n);

int ckpt_job_create(struct ckpt_job_spec *spec, u32 portid);
struct ckpt_job *ckpt_job_find(u32 id);
void ckpt_job_put(struct ckpt_job *job);
void ckpt_job_unlist(struct ckpt_job *job);
/*
 * The next job owned by socket @portid (every job if 0), or whose freeze
 * it owns (*@freeze_only), with a reference; NULL when none is left.
 */
struct ckpt_job *ckpt_job_next_owned(u32 portid, bool *freeze_only);

/*
 * Visit the jobs of the caller's pid namespace from index *pos, each with
 * a reference and no global lock held; fn returns non-zero to stop (pos
 * then names the job to resume with).
 */
int ckpt_jobs_walk(unsigned long *pos,
		   int (*fn)(struct ckpt_job *job, void *arg), void *arg);

#endif /* CKPT_JOB_H */
