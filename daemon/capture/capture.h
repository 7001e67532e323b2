/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Capturing the open files and filesystem context of the processes of a
 * frozen job as CKPT_REC_FS / FD / FILE_DATA / EPOLL_TFD records
 * (files_format.h, Documentation/files.md), for records.img
 * (ckptd_image_write_opts.extra_records).
 *
 *	ckptd_capture_new(&opts, &cap, &err);
 *	for each process of the job, parents first:
 *		ckptd_capture_files(cap, pid, img_pid, &records, &err);
 *	ckptd_capture_finish(cap, &records, &err);
 *	ckptd_capture_free(cap);
 *
 * The caller guarantees that every process stays stopped (frozen) from the
 * first call to ckptd_capture_finish(): identities are found by comparing
 * fds of different processes with kcmp().  Nothing here changes the
 * captured processes' state: no data is consumed, no offset moved.
 * Needs root, or CAP_SYS_PTRACE over the processes (pidfd_getfd, kcmp).
 * Every function returns 0 or -errno and, on failure, leaves a message in
 * err->msg naming the pid, the fd and what to do.
 */
#ifndef CKPTD_CAPTURE_H
#define CKPTD_CAPTURE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "err.h"

/* A growing buffer of records in struct ckpt_rec framing. */
struct ckptd_recbuf {
	uint8_t *buf;
	size_t len, cap;
};

void ckptd_recbuf_free(struct ckptd_recbuf *rb);

/* What to record for an fd that cannot be captured (or that a rule names). */
enum ckptd_capture_action {
	CKPTD_CAPTURE_FAIL,	/* fail, naming pid, fd and type (default) */
	CKPTD_CAPTURE_CLOSE,	/* CKPT_FD_CLOSED: not open after restore */
	CKPTD_CAPTURE_DEVNULL,	/* CKPT_FD_DEVNULL: /dev/null after restore */
};

/* A per-fd rule: applies to that fd whatever it refers to. */
struct ckptd_capture_rule {
	pid_t pid;			/* as passed to ckptd_capture_files() */
	int fd;
	enum ckptd_capture_action action;	/* CLOSE or DEVNULL */
};

/* Default of ckptd_capture_opts.max_data: 256 MiB. */
#define CKPTD_CAPTURE_MAX_DATA	(256ULL << 20)

/*
 * The send queues of a frozen job's established TCP connections, read
 * when the job was frozen (cluster prepare), before any other host reads
 * its receive queues: the consistent cut (Documentation/cluster.md).
 */
struct ckptd_tcp_sndq {
	uint64_t ino;			/* the socket's inode */
	uint32_t seq;			/* after the queue's last byte */
	uint32_t len;
	uint8_t *data;
};

struct ckptd_tcp_sndqs {
	struct ckptd_tcp_sndq *v;
	size_t n;
};

/* Reads them for every established TCP socket of the processes @pids. */
int ckptd_capture_tcp_sndqs(const pid_t *pids, size_t nr, struct ckptd_tcp_sndqs *out,
			    struct ckpt_err *err);
void ckptd_tcp_sndqs_free(struct ckptd_tcp_sndqs *q);

struct ckptd_capture_opts {
	/* for every unsupported fd no rule names */
	enum ckptd_capture_action unsupported;
	const struct ckptd_capture_rule *rules;	/* copied */
	size_t nr_rules;
	/* bytes of contents or unread data per object; 0: the default */
	uint64_t max_data;
	/*
	 * established TCP connections become CKPT_FD_TCP with their state
	 * (TCP_REPAIR; needs CAP_NET_ADMIN): cluster checkpoints only; their
	 * send queues as read at prepare (must hold every one)
	 */
	int tcp;
	const struct ckptd_tcp_sndqs *sndqs;
};

struct ckptd_capture;

/* A capture of one job; opts may be NULL (fail on anything unsupported). */
int ckptd_capture_new(const struct ckptd_capture_opts *opts,
		      struct ckptd_capture **cap, struct ckpt_err *err);

/*
 * Appends the records of process pid (as the caller sees it), recorded
 * under img_pid (its pid in the job's pid namespace), to out.  On failure
 * out is left as it was.
 */
int ckptd_capture_files(struct ckptd_capture *cap, pid_t pid, int32_t img_pid,
			struct ckptd_recbuf *out, struct ckpt_err *err);

/*
 * After every process of the job: checks what needs the whole job (each
 * socketpair end's peer is in the job), applies the options to what is
 * not, and leaves the job's records in out, which must hold everything
 * ckptd_capture_files() appended for this capture.  On failure out is
 * left as it was.
 */
int ckptd_capture_finish(struct ckptd_capture *cap, struct ckptd_recbuf *out,
			 struct ckpt_err *err);

void ckptd_capture_free(struct ckptd_capture *cap);

/*
 * The task whose /proc entries show the open files and fs context of
 * process @pid: @pid, or a live thread of it when its main thread has
 * exited (pthread_exit: the leader is a zombie, the process lives on);
 * @pid when it has none (a zombie, or gone).  A caller that checks a
 * member's state reads /proc/<that task>/stat.
 */
pid_t ckptd_capture_task(pid_t pid);

#endif /* CKPTD_CAPTURE_H */
