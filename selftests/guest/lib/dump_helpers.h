/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Dump sessions for the guest tests: CKPT_IOC_DUMP on /dev/ckpt, the whole
 * stream read into memory and indexed by record (parsed with
 * common/dump_stream.c), lookups of a process's VMAs, pages and threads,
 * and the job steps the dump tests repeat.  Functions return 0 or -errno
 * unless stated.
 */
#ifndef CKPT_DUMP_HELPERS_H
#define CKPT_DUMP_HELPERS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/user.h>

#include <linux/ckpt.h>

#include "genl_raw.h"

/* /dev/ckpt opened read-write and close-on-exec: an fd or -errno. */
int dh_dev_open(void);
/* The start of a kmod test's fixture: ckpt.ko loaded, the test process a
 * subreaper (its workloads' orphans stay its own), the generic netlink
 * socket @g opened and, unless @dev is NULL, /dev/ckpt opened into *@dev
 * (-errno there if that failed).  0, or the -errno of the step that
 * failed, which is named on stderr. */
int dh_test_setup(struct gnl *g, int *dev);
/* CKPT_IOC_DUMP of job @id: the session fd or -errno. */
int dh_dump_open(int dev, uint32_t id);
/* read() @fd until it returns 0 into a malloc'd buffer; on error *buf
 * still holds what was read (*len bytes) and the read's -errno is
 * returned.  @chunk is the size of each read() (0: 1 MiB). */
int dh_read_all(int fd, size_t chunk, uint8_t **buf, size_t *len);

/* A stream in memory, its records indexed in stream order. */
struct dh_dump {
	uint8_t *buf;
	size_t len;
	const struct ckpt_rec **recs;
	size_t nr_recs;
	const struct ckpt_rec_begin *begin;	/* first record */
	const struct ckpt_rec_end *end;		/* last END seen, or NULL */
	char error[160];			/* the parser's message */
};

/* CKPT_IOC_DUMP_ERROR on session @fd into @e: 0 or -errno (-ENODATA: no
 * read failed). */
int dh_dump_error(int fd, struct ckpt_dump_error *e);

/* Index @buf (ownership moves to @d); -EBADMSG or -EPROTONOSUPPORT with
 * d->error set if the parser refuses it. */
int dh_dump_parse(struct dh_dump *d, uint8_t *buf, size_t len);
/* Open a session on frozen job @id, read it whole, close it and parse. */
int dh_dump_job(int dev, uint32_t id, struct dh_dump *d);
void dh_dump_free(struct dh_dump *d);

/* Records of @type (of process @pid, or any if @pid is 0); the body of
 * the @n-th such record in stream order, or NULL. */
size_t dh_count(const struct dh_dump *d, uint32_t type, pid_t pid);
const void *dh_nth(const struct dh_dump *d, uint32_t type, pid_t pid,
		   size_t n);
/* Index in d->recs of the @n-th record of @type (any pid), or -1. */
long dh_index(const struct dh_dump *d, uint32_t type, size_t n);
/* The pid a record body belongs to (TASK, SIGACTIONS, MM, VMA, THREAD,
 * PAGES all start with it); 0 for BEGIN and END. */
pid_t dh_rec_pid(const struct ckpt_rec *rec);

/* The VMA of @pid containing @addr, or NULL. */
const struct ckpt_rec_vma *dh_vma_at(const struct dh_dump *d, pid_t pid,
				     uint64_t addr);
/* The contents of the page of @pid at @addr in the PAGES records, or
 * NULL if it is not carried. */
const uint8_t *dh_page(const struct dh_dump *d, pid_t pid, uint64_t addr);
/* The THREAD record of thread @tid, or NULL. */
const struct ckpt_rec_thread *dh_thread(const struct dh_dump *d, pid_t tid);
/* Its general registers (NT_PRSTATUS) and FPU/SSE state (NT_PRFPREG:
 * the kernel's user_i387_struct, which glibc calls user_fpregs_struct),
 * or NULL if the record holds none or too little. */
const struct user_regs_struct *dh_thread_regs(const struct ckpt_rec_thread *t);
const struct user_fpregs_struct *dh_thread_fpregs(const struct ckpt_rec_thread *t);

/* --- jobs ----------------------------------------------------------------- */

/* JOB_CREATE (kind TREE) of @root's tree as @id, then JOB_FREEZE. */
int dh_job_create_frozen(struct gnl *g, uint32_t id, pid_t root,
			 struct gnl_reply *r);
/* The job's enum ckpt_job_state (JOB_GET), or -errno. */
int dh_job_state(struct gnl *g, uint32_t id);

/* --- processes and memory ------------------------------------------------- */

/* fork(); the child closes every descriptor above 2 except the @n in
 * @keep, so that it holds no netlink socket or /dev/ckpt of the test. */
pid_t dh_fork(const int *keep, int n);
/* waitpid() for at most @timeout_ms: the wait status, or -ETIMEDOUT (the
 * child is then left running), or -errno. */
int dh_wait(pid_t pid, unsigned int timeout_ms);
/* A field of /proc/meminfo in kB ("SUnreclaim"), or -1. */
long dh_meminfo_kb(const char *field);
/* pread /proc/@pid/mem: 0 or -errno (-EIO: not all of it). */
int dh_peek(pid_t pid, uint64_t addr, void *buf, size_t len);
/* The /proc/@pid/pagemap entry of the page at @addr, or 0 on error. */
uint64_t dh_pagemap(pid_t pid, uint64_t addr);
#define DH_PM_PRESENT	(1ULL << 63)
#define DH_PM_FILE	(1ULL << 61)	/* file page or shared anonymous */

#endif /* CKPT_DUMP_HELPERS_H */
