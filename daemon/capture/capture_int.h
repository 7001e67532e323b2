/* SPDX-License-Identifier: GPL-2.0 */
/* Inside the capture library (daemon/capture/): shared by its files only. */
#ifndef CKPTD_CAPTURE_INT_H
#define CKPTD_CAPTURE_INT_H

#include <fcntl.h>
#include <stdbool.h>
#include <sys/stat.h>

#include <linux/ckpt.h>

#include "capture.h"
#include "files_format.h"
#include "pidfd.h"
#include "proc_stat.h"

#define CAP_LINK_MAX	4096

/* --- recbuf.c ----------------------------------------------------------- */

/* Appends a record: header, body, then tail (may be NULL/0), zero-padded. */
int cap_rec_add(struct ckptd_recbuf *rb, uint32_t type, const void *body,
		size_t body_len, const void *tail, size_t tail_len);

/* --- procfs.c: what /proc says about a process -------------------------- */

struct cap_tfd {		/* an fdinfo "tfd:" line of an epoll fd */
	int tfd;
	uint32_t events;
	uint64_t data;
	uint64_t ino;
	uint32_t sdev;		/* kernel encoding: major << 20 | minor */
};

struct cap_fdinfo {
	uint64_t pos;
	uint32_t flags;		/* f_flags, O_CLOEXEC for the fd flag */
	bool has_efd_count;
	uint64_t efd_count;
	int efd_semaphore;	/* -1: the kernel does not say */
	struct cap_tfd *tfds;
	size_t nr_tfds;
};

/*
 * The /proc functions below take the task to read through: the pid
 * itself, or a live thread when its main thread has exited (then
 * /proc/<pid>/fd, cwd, root are empty or unreadable).
 */
/* readlink of /proc/<pid>/<name>; -ENAMETOOLONG if it does not fit. */
int cap_proc_link(pid_t pid, const char *name, char *buf, size_t size);
/* The open fds of pid, ascending; *fds is malloc'd. */
int cap_proc_fds(pid_t pid, int **fds, size_t *nr);
int cap_proc_fdinfo(pid_t pid, int fd, struct cap_fdinfo *fi);
void cap_fdinfo_free(struct cap_fdinfo *fi);
int cap_proc_umask(pid_t pid, uint32_t *umask);

/* --- fs.c ---------------------------------------------------------------- */

/* The FS record of pid (read through via): cwd, root, umask. */
int cap_fs_record(pid_t pid, pid_t via, int32_t img_pid,
		  struct ckptd_recbuf *out, struct ckpt_err *err);

/* --- ident.c: identities across the job --------------------------------- */

#define CAP_OBJ_DATA	(1U << 0)	/* its FILE_DATA is recorded */
#define CAP_OBJ_SOCK	(1U << 1)	/* captured as a socket of the job */

struct cap_key {
	uint64_t dev, ino;
	uint64_t id;
	uint32_t flags;		/* CAP_OBJ_* */
};

struct cap_rep {		/* an fd standing for an open file description */
	pid_t pid;
	int fd;
	uint64_t id;
};

struct cap_proc {
	pid_t pid;
	int32_t img_pid;
};

/* An epoll interest-list entry, as one process sees it. */
struct cap_tfdref {
	uint64_t ep_ofd;	/* the epoll's ofd_id */
	int tfd;
	uint64_t ino;
	uint32_t sdev;
	pid_t pid;		/* where it was seen */
	int epfd;
};

struct ckptd_capture {
	enum ckptd_capture_action unsupported;
	struct ckptd_capture_rule *rules;
	size_t nr_rules;
	uint64_t max_data;
	struct cap_rep *reps;	/* sorted in kcmp(KCMP_FILE) order */
	size_t nr_reps, cap_reps;
	uint64_t next_ofd;
	struct cap_key *objs;	/* sorted by (dev, ino) */
	size_t nr_objs, cap_objs;
	uint64_t next_obj;
	struct cap_proc *procs;
	size_t nr_procs, cap_procs;
	int diag_fd;		/* NETLINK_SOCK_DIAG, opened on first use */
	/* epoll entries matched to an fd of a process, and not (yet) */
	struct cap_tfdref *tfd_ok, *tfd_pending;
	size_t nr_ok, cap_ok, nr_pending, cap_pending;
	bool failed;		/* a capture failed: the state is unusable */
	bool tcp;		/* established TCP connections are captured */
	const struct ckptd_tcp_sndqs *sndqs;	/* their send queues */
};

/* The ofd_id of (pid, fd); *is_new when no fd seen before shares it. */
int cap_ofd_id(struct ckptd_capture *cap, pid_t pid, int fd, uint64_t *id,
	       bool *is_new, struct ckpt_err *err);
/* The object id of (dev, ino), made on first use; NULL without memory. */
struct cap_key *cap_obj(struct ckptd_capture *cap, uint64_t dev, uint64_t ino);

/* --- one fd being captured --------------------------------------------- */

struct cap_fd {
	pid_t pid;
	pid_t via;		/* the task its /proc entries are read through */
	int32_t img_pid;
	int fd;
	int dup;		/* our copy (pidfd_getfd) */
	char link[CAP_LINK_MAX];
	struct stat st;
	struct cap_fdinfo info;
	struct ckpt_rec_fd rec;
	char path[CAP_LINK_MAX];	/* what goes into rec.path */
	char why[192];		/* what it is, when it is not supported */
	uint64_t peer_ino;	/* UNIX: the other end's inode */
};

/* --- classify.c --------------------------------------------------------- */

/*
 * Sets f->rec.type and f->path from what the fd is; -EOPNOTSUPP with
 * f->why naming it when it cannot be captured.  Other errors set err.
 */
int cap_classify(struct ckptd_capture *cap, struct cap_fd *f,
		 struct ckpt_err *err);

/* --- unix_diag.c -------------------------------------------------------- */

struct cap_unix {
	uint32_t type;		/* SOCK_* */
	uint32_t state;		/* TCP_ESTABLISHED for a connected socket */
	bool named;
	uint64_t peer_ino;	/* 0: none */
	uint32_t shutdown;	/* CKPT_SHUT_* */
};

int cap_unix_diag(struct ckptd_capture *cap, uint64_t ino, struct cap_unix *u,
		  struct ckpt_err *err);

/* --- data.c: contents and queued data as FILE_DATA records ------------- */

int cap_file_contents(struct ckptd_capture *cap, struct cap_fd *f,
		      struct ckptd_recbuf *out, struct ckpt_err *err);
int cap_pipe_data(struct ckptd_capture *cap, struct cap_fd *f,
		  struct ckptd_recbuf *out, struct ckpt_err *err);
int cap_sock_data(struct ckptd_capture *cap, struct cap_fd *f,
		  struct ckptd_recbuf *out, struct ckpt_err *err);

/* --- tcp.c: established TCP connections (cluster checkpoints) --------- */

/* *yes: fd is a TCP socket in state ESTABLISHED. */
int cap_tcp_is_established(int fd, bool *yes);
/* The CKPT_REC_TCP record of f's description. */
int cap_tcp_record(struct ckptd_capture *cap, struct cap_fd *f, struct ckptd_recbuf *out,
		   struct ckpt_err *err);

/* --- epoll.c ------------------------------------------------------------ */

/* What the epoll entries of a process may point at: its fds, ascending. */
struct cap_seen {
	int fd;
	uint32_t type;		/* enum ckpt_fd_type as recorded */
	uint64_t dev, ino;
};

/* An epoll fd of the process, with its interest list (fdinfo). */
struct cap_epoll {
	int fd;
	uint64_t ofd_id;
	struct cap_tfd *tfds;
	size_t nr_tfds;
};

/*
 * EPOLL_TFD records for the entries of ep that watch an fd of this process
 * (the same file at that number); the others are kept pending for
 * cap_epoll_check(): another process sharing the epoll may hold them.
 */
int cap_epoll_tfds(struct ckptd_capture *cap, pid_t pid, int32_t img_pid,
		   const struct cap_epoll *ep, const struct cap_seen *seen,
		   size_t nr_seen, struct ckptd_recbuf *out,
		   struct ckpt_err *err);
/* Every pending entry was matched in some process of the job. */
int cap_epoll_check(struct ckptd_capture *cap, struct ckpt_err *err);

#endif /* CKPTD_CAPTURE_INT_H */
