/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The records of a job's open files, filesystem context and TCP
 * connections, captured in userspace (ckptd, daemon/capture/) while the
 * job is frozen, stored in records.img just before END (image_format.h),
 * and read by the restorer (tools/ckpt-restore/restore_files*).  The
 * kernel never produces them: their types lie from CKPT_REC_USER_BASE up,
 * the range <linux/ckpt.h> keeps for userspace.  Documentation/files.md
 * describes what each type of file becomes.
 *
 * Same framing as the dump stream (struct ckpt_rec, 8-byte aligned,
 * little-endian; a reader skips types it does not know); pids are those of
 * the job's pid namespace.  Per process, in this order: FS, then FD records
 * in ascending fd order (FILE_DATA records right after the first FD that
 * names their object, a TCP record after the first FD of its description),
 * then EPOLL_TFD records.
 */
#ifndef CKPT_FILES_FORMAT_H
#define CKPT_FILES_FORMAT_H

#include <linux/types.h>
#include <linux/ckpt.h>

enum ckpt_user_rec_type {
	CKPT_REC_FS = CKPT_REC_USER_BASE,	/* struct ckpt_rec_fs */
	CKPT_REC_FD,				/* struct ckpt_rec_fd */
	CKPT_REC_FILE_DATA,			/* struct ckpt_rec_file_data */
	CKPT_REC_EPOLL_TFD,			/* struct ckpt_rec_epoll_tfd */
	CKPT_REC_TCP,				/* struct ckpt_rec_tcp */
};

/* A process's filesystem context: one per process. */
struct ckpt_rec_fs {
	__s32 pid;
	__u32 umask;
	__u64 cwd_dev, cwd_ino;		/* st_dev (userspace encoding), st_ino */
	__u64 root_dev, root_ino;
	__u32 cwd_len;		/* bytes of the cwd path, NUL included */
	__u32 root_len;		/* bytes of the root path, NUL included */
	char paths[];		/* cwd, then root: absolute, as the capturer saw them */
};

/* What an fd refers to, and so how the restorer recreates it. */
enum ckpt_fd_type {
	CKPT_FD_REG = 1,	/* regular file, reopened by path */
	CKPT_FD_DELETED,	/* regular file unlinked while open: contents in FILE_DATA */
	CKPT_FD_DIR,		/* directory, reopened by path */
	CKPT_FD_PIPE,		/* an end of an anonymous pipe; unread data in FILE_DATA */
	CKPT_FD_FIFO,		/* an end of a named pipe (path); unread data in FILE_DATA */
	CKPT_FD_CHR,		/* /dev/null, zero, full, random or urandom (rdev) */
	CKPT_FD_TTY,		/* a terminal: the restorer's terminal, else /dev/null */
	CKPT_FD_EVENTFD,	/* counter and flags in u.eventfd */
	CKPT_FD_EPOLL,		/* interest list in EPOLL_TFD records */
	CKPT_FD_UNIX,		/* an end of a unix socketpair; queued data in FILE_DATA */
	CKPT_FD_MEMFD,		/* memfd: name in path, contents in FILE_DATA, seals */
	CKPT_FD_DEVNULL,	/* unsupported, reopened as /dev/null by policy */
	CKPT_FD_CLOSED,		/* unsupported, left closed by policy */
	CKPT_FD_TCP,		/* an established TCP connection: a TCP record */

	__CKPT_FD_TYPE_MAX,
	CKPT_FD_TYPE_MAX = __CKPT_FD_TYPE_MAX - 1
};

#define CKPT_EFD_SEMAPHORE	(1U << 0)	/* eventfd created with EFD_SEMAPHORE */

#define CKPT_SHUT_RD		(1U << 0)	/* shutdown(SHUT_RD) was called */
#define CKPT_SHUT_WR		(1U << 1)	/* shutdown(SHUT_WR) was called */

/*
 * One file descriptor.  Every fd gets a record; fds that share an open file
 * description (dup, fork, SCM_RIGHTS) have the same ofd_id, in one process
 * or several, and are restored sharing one (offset and status flags
 * included).  obj_id names the object behind a description when several
 * descriptions can reach it or it carries data: the pipe or FIFO (both ends
 * have the same obj_id), the socket, the memfd or deleted file's inode.
 * path: the file's path for REG, DIR, FIFO, CHR, TTY and DELETED (where it
 * was), the memfd's name for MEMFD, the original /proc link text for
 * DEVNULL and CLOSED; empty for the others.
 */
struct ckpt_rec_fd {
	__s32 pid;
	__s32 fd;
	__u32 type;		/* enum ckpt_fd_type */
	__u32 fd_flags;		/* FD_CLOEXEC */
	__u32 flags;		/* file status flags as F_GETFL returns them */
	__u32 path_len;		/* bytes of path[] used, NUL included; 0: none */
	__u64 ofd_id;		/* open file description, >= 1 */
	__u64 obj_id;		/* object behind it; 0: none */
	__u64 pos;		/* file offset */
	__u64 dev, ino;		/* of the file: st_dev (userspace encoding), st_ino */
	__u64 size;		/* st_size */
	__s64 mtime_sec;
	__u32 mtime_nsec;
	__u32 mode;		/* st_mode */
	__u64 rdev;		/* st_rdev (userspace encoding) */
	union {
		struct {
			__u64 count;	/* the counter */
			__u32 flags;	/* CKPT_EFD_* */
			__u32 pad;
		} eventfd;
		struct {
			__u32 size;	/* F_GETPIPE_SZ: buffer size in bytes */
			__u32 pad[3];
		} pipe;			/* PIPE, FIFO */
		struct {
			__u64 peer_id;	/* obj_id of the other end */
			__u32 type;	/* SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET */
			__u32 shutdown;	/* CKPT_SHUT_* */
		} sock;			/* UNIX */
		struct {
			__u32 seals;	/* F_GET_SEALS */
			__u32 pad[3];
		} memfd;
		__u64 raw[2];
	} u;
	char path[];
};

#define CKPT_DATA_MSG		(1U << 0)	/* data[] is one whole datagram */
#define CKPT_FILE_DATA_MAX	(1U << 20)	/* data bytes in one record at most */

/*
 * Contents of an object, in pieces of at most CKPT_FILE_DATA_MAX bytes:
 * the data of a deleted file or memfd (offset is the file offset; holes are
 * left out), the unread data of a pipe or FIFO, or the data queued for
 * reading on a socket (offset counts the bytes before this piece, pieces in
 * order).  For sockets obj_id is the receiving end.
 */
struct ckpt_rec_file_data {
	__s32 pid;		/* the process it was read through */
	__u32 flags;		/* CKPT_DATA_* */
	__u64 obj_id;
	__u64 offset;
	__u32 len;		/* bytes of data[] */
	__u32 pad;
	__u8 data[];
};

/* One entry of the interest list of an epoll fd, as its process sees it. */
struct ckpt_rec_epoll_tfd {
	__s32 pid;
	__s32 epfd;		/* the epoll fd */
	__s32 tfd;		/* the fd it watches, in the same process */
	__u32 events;		/* EPOLL* as registered, EPOLLET etc. included */
	__u64 data;		/* epoll_event.data */
};

#define CKPT_TCP_OPT_SACK	(1U << 0)	/* SACK permitted */
#define CKPT_TCP_OPT_TSTAMP	(1U << 1)	/* timestamps */
#define CKPT_TCP_OPT_WSCALE	(1U << 2)	/* window scaling: the shifts below */
#define CKPT_TCP_OPTS		(CKPT_TCP_OPT_SACK | CKPT_TCP_OPT_TSTAMP | CKPT_TCP_OPT_WSCALE)
#define CKPT_TCP_QUEUE_MAX	(64U << 20)	/* bytes per queue at most */

/*
 * An established TCP connection (CKPT_FD_TCP; taken only by cluster
 * checkpoints, Documentation/cluster.md), read in TCP_REPAIR mode while
 * the job was frozen: one per open file description, after its first FD
 * record.  data[] holds the send queue (snd_len bytes: sent but not
 * acknowledged, then not yet sent), then the receive queue (rcv_len
 * bytes not yet read by the job).  snd_seq is the sequence number after
 * the send queue's last byte, rcv_seq after the receive queue's.
 */
struct ckpt_rec_tcp {
	__s32 pid;		/* the process it was read through */
	__u32 family;		/* AF_INET or AF_INET6 */
	__u64 ofd_id;		/* the description of the FD records */
	__u8 local[28];		/* struct sockaddr_in or sockaddr_in6 */
	__u8 remote[28];
	__u32 snd_seq, rcv_seq;
	__u32 snd_len, rcv_len;
	__u32 mss;
	__u32 opts;		/* CKPT_TCP_OPT_* */
	__u8 snd_wscale, rcv_wscale;
	__u8 nodelay;		/* TCP_NODELAY was set */
	__u8 pad0;
	__u32 timestamp;	/* TCP_TIMESTAMP, when CKPT_TCP_OPT_TSTAMP */
	__u32 snd_wl1, snd_wnd, max_window, rcv_wnd, rcv_wup;	/* TCP_REPAIR_WINDOW */
	__u32 pad1;
	__u8 data[];
};

#endif /* CKPT_FILES_FORMAT_H */
