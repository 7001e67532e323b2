/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ckpt-restore: recreating a job from an image directory.  The job model
 * (per process: its records from records.img) and the steps main.c runs
 * (README.md says which file does what).  Every step returns 0 or a
 * negative errno and leaves the errno, a message naming the object and
 * the exit code in struct rst (rst_fail()).
 */
#ifndef CKPT_RESTORE_H
#define CKPT_RESTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <linux/ckpt.h>

#include "image.h"

/* Exit codes (ckpt-restore(8)). */
enum rst_exit {
	RST_EXIT_OK = 0,
	RST_EXIT_USAGE = 1,
	RST_EXIT_IMAGE = 2,	/* image missing, corrupt, truncated, newer format */
	RST_EXIT_FILES = 3,	/* a file the job uses is missing or changed */
	RST_EXIT_PID = 4,	/* a pid of the job is in use (try --pidns) */
	RST_EXIT_UNSUPPORTED = 5, /* state this restorer cannot recreate */
	RST_EXIT_FAILED = 6,	/* the restore itself failed; nothing left running */
};

struct rst_task {
	const struct ckpt_rec_task *task;
	const struct ckpt_rec_sigactions *sigactions;	/* NULL for zombies */
	const struct ckpt_rec_mm *mm;
	const struct ckpt_rec_vma **vmas;
	size_t nr_vmas;
	/*
	 * Leader first; without it when the main thread had exited
	 * (CKPT_TASK_LEADER_EXITED): then every record is a live thread,
	 * and the restored leader only runs the blob and exits.
	 */
	const struct ckpt_rec_thread **threads;
	size_t nr_threads;
	const struct ckpt_rec **urecs;		/* userspace-captured records */
	size_t nr_urecs;
	struct rst_task *parent;		/* NULL: created by the restorer */
	/* run time */
	pid_t host_pid;			/* as the restorer sees it, 0 before */
	pid_t *host_tids;		/* nr_threads, after the blob reported */
	pid_t host_leader;		/* leader exited: its host tid */
	int ctl_rd, ctl_wr;		/* restorer -> task: "go" */
	int rep_rd, rep_wr;		/* blob -> restorer: struct rst_blob_report */
	bool created;			/* it reported: it exists */
	uint64_t blob_start, blob_len;	/* to unmap at the end */
};

/* The main thread had called pthread_exit: the leader ends the restore. */
static inline bool rst_leader_exited(const struct rst_task *t)
{
	return t->task->flags & CKPT_TASK_LEADER_EXITED;
}

/* Threads the blob sets up: every recorded one, plus an exited leader. */
static inline size_t rst_blob_threads(const struct rst_task *t)
{
	return t->nr_threads + rst_leader_exited(t);
}

/* A shared-memory object (memfd, shared anonymous, SysV shm) of the job. */
struct rst_shm {
	uint64_t dev, ino;
	uint64_t size;			/* bytes the job's VMAs reach */
	int fd;				/* a memfd, at or above fd_base */
};

struct rst_opts {
	bool pidns;
	bool verify_only;
	bool json;
	bool keep_creds;		/* do not set uids/caps (tests) */
	bool other_host;		/* checkpointed on another host: files
					   match by size and mtime, not inode */
	bool hold;			/* wait for "go" on stdin before going on */
};

struct rst_files;

struct rst {
	struct rst_opts opts;
	struct rst_files *files;	/* open files to recreate, or NULL */
	struct ckptd_image *img;
	struct ckptd_image **levels;	/* img, its parent, ... */
	unsigned int nr_levels;
	int *level_fds;			/* pages.img of each level, moved high */
	struct rst_task *tasks;		/* in records order: parents first */
	size_t nr_tasks;
	uint32_t page_size;
	struct rst_shm *shm;
	size_t nr_shm;
	int fd_base;			/* the blob's notify fd; restorer fds above */
	unsigned int timeout_s;		/* for each task to report */
	pid_t ns_init;			/* --pidns: the namespace's init */
	uint64_t pidns_ino;		/* --pidns: the new namespace */
	struct ckpt_err err;
	int exit_code;			/* enum rst_exit of the failure */
};

/*
 * job.c: the job from the image chain (opened and verified, records
 * indexed per process), and how every step records its failure.
 */
int rst_load(struct rst *r, const char *dir);
void rst_free(struct rst *r);
struct rst_task *rst_task_by_pid(struct rst *r, pid_t pid);
/*
 * Sets r->err (errnum, positive or negative, and the message: it names the
 * object and what to do) and the exit code main() returns; returns
 * -errnum, so that a step can "return rst_fail(...)".
 */
int rst_fail(struct rst *r, int exit_code, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* fds.c: fd_base, the restorer's descriptors above it, the job's files. */
int rst_fds_setup(struct rst *r);
/* Moves fd to the first free descriptor above fd_base (fd is consumed). */
int rst_fd_high(struct rst *r, int fd);
/* The captured open files (files/files.h): made before the tree ... */
int rst_files_setup(struct rst *r);
/* ... installed in each process (keep: the restorer's fds it still needs) */
int rst_files_install(struct rst *r, struct rst_task *t, const int *keep,
		      size_t nr_keep);
/* ... and the restorer's copies closed once the tree exists. */
void rst_files_done(struct rst *r);

/* tree.c: creates every process; each ends in rst_process_main(). */
int rst_create_tree(struct rst *r);
/* A failed restore: kills every process of the job, drops TCP copies. */
void rst_abort(struct rst *r);

/* process.c: runs in a restored process; never returns. */
void rst_process_main(struct rst *r, struct rst_task *t)
	__attribute__((noreturn));

/* report.c: reports of the processes, and their "go". */
/* From a restored process: error 0 or -errno at step op (RST_REPORT_*). */
void rst_report(int fd, int error, uint32_t op);
/* One report from every live process: @final the blob's, else CREATED. */
int rst_collect(struct rst *r, bool final);
/* --hold: "held" on stdout, then waits for "go" on stdin. */
int rst_hold(struct rst *r);
/* TCP repair mode ends, every process goes on into its blob. */
int rst_go(struct rst *r);

/* finalize.c: registers, signals and release of every stopped process. */
int rst_finalize(struct rst *r);

#endif /* CKPT_RESTORE_H */
