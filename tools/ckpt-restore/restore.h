/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ckpt-restore: recreating a job from an image directory.  The job model
 * (per process: its records from records.img) and the steps main.c runs.
 * Every step returns 0 or a negative errno and leaves a message naming the
 * object in rst->err.
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

/* One run of pages to read into place: from which image's pages.img. */
struct rst_run {
	uint64_t vaddr;
	uint64_t len;
	uint64_t offset;		/* in pages.img of image level */
	unsigned int level;		/* 0: the image restored, 1: its parent... */
};

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

/* job_load.c: opens and verifies the image chain, indexes records. */
int rst_load(struct rst *r, const char *dir);
void rst_free(struct rst *r);
struct rst_task *rst_task_by_pid(struct rst *r, pid_t pid);

/* page_runs.c: the page runs of one process through the chain. */
int rst_page_runs(struct rst *r, pid_t pid, struct rst_run **runs,
		  size_t *nr);

/* mapped_files.c: every mapped file and the exe unchanged. */
int rst_check_files(struct rst *r);
/* Opens the file of a VMA for mapping (checked again against the image). */
int rst_open_vma_file(struct rst *r, const struct rst_task *t,
		      const struct ckpt_rec_vma *v);

/* shm.c: one memfd per shared-memory object of the job. */
bool rst_vma_is_shm_object(const struct ckpt_rec_vma *v);
int rst_shm_create(struct rst *r);
const struct rst_shm *rst_shm_find(const struct rst *r,
				   const struct ckpt_rec_vma *v);

/* fds.c: moves a descriptor to the first free one at or above fd_base+1. */
int rst_fd_high(struct rst *r, int fd);
/* Writes a report to the restorer (from a restored process). */
void rst_report(int fd, int error, uint32_t op);

/* files.c: the captured open files (restore_files.h) around the tree. */
int rst_files_setup(struct rst *r);
int rst_files_install(struct rst *r, struct rst_task *t, const int *keep,
		      size_t nr_keep);

/* tree.c: creates every process; each ends in rst_process_main(). */
int rst_create_tree(struct rst *r);
void rst_kill_all(struct rst *r);

/* process.c: runs in a restored process; never returns. */
void rst_process_main(struct rst *r, struct rst_task *t)
	__attribute__((noreturn));

/* finalize.c: registers, signals and release of every stopped process. */
int rst_finalize(struct rst *r);

void rst_fail(struct rst *r, int exit_code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif /* CKPT_RESTORE_H */
