/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Round trips for the restore tests: a workload (ckpt_rt_prog) is started,
 * checkpointed through ckpt.ko into an image directory (image/'s
 * writer), killed, restored with ckpt-restore, told to check itself with
 * SIGUSR1, and its verdict read back from a file.
 */
#ifndef CKPT_RESTORE_HELPERS_H
#define CKPT_RESTORE_HELPERS_H

#include <stdint.h>
#include <sys/types.h>

#include "genl_raw.h"

struct rh {
	struct gnl g;
	int dev;			/* /dev/ckpt */
	char dir[128];			/* the workload's ready/result files */
	char store[128];		/* image store: <store>/<job>/<seq> */
	uint32_t job;
	pid_t pid;			/* the workload */
	char err[8192];			/* ckpt-restore's stderr */
};

/* Opens netlink and /dev/ckpt, makes fresh directories; 0 or -errno. */
int rh_init(struct rh *h, uint32_t job);
void rh_fini(struct rh *h);

/* Starts `ckpt_rt_prog MODE DIR ARGS...` and waits for DIR/ready. */
int rh_start(struct rh *h, const char *mode, const char *arg);

/*
 * Freezes the workload's tree as job h->job (created on first use), dumps
 * it (incremental if asked) into <store>/<job>/<seq>, commits; *seq gets
 * the dump's number.  Leaves the job frozen.
 */
int rh_checkpoint(struct rh *h, int incremental, uint64_t *seq);
/* Thaws the job (after a checkpoint that is to be followed by another). */
int rh_thaw(struct rh *h);
/* Kills every process of the frozen job and waits for the workload. */
int rh_kill(struct rh *h);

/* Runs ckpt-restore [OPTS] <store>/<job>/<seq>: its exit status, stderr
 * in h->err. */
int rh_restore(struct rh *h, uint64_t seq, const char *opts);
/* SIGUSR2 (chain workload): waits for DIR/step-n. */
int rh_step(struct rh *h, int n);
/* 1 while a process with this pid exists (zombies included). */
int rh_alive(pid_t pid);
/* 1 while @pid exists and is not a zombie (reaping what we can first). */
int rh_running(pid_t pid);
/* "root_host_pid" of ckpt-restore --json's output, or -1. */
pid_t rh_json_root_host_pid(const struct rh *h);
/* ckpt-restore's stderr, as TAP comments. */
void rh_print_err(const struct rh *h);
/* The image directory of dump seq. */
const char *rh_image(struct rh *h, uint64_t seq);

/* SIGUSR1 to the restored workload, then its verdict: 0 when DIR/result
 * says PASS (the line is copied to msg), -EBADMSG when it says FAIL,
 * -ETIMEDOUT when none came within 120 s. */
int rh_verdict(struct rh *h, char *msg, size_t len);

#endif /* CKPT_RESTORE_HELPERS_H */
