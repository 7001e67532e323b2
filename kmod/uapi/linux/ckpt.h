/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * ckpt - checkpoint/restart of process groups: the one ABI header.
 *
 * Included by the kernel module (by relative path) and by every userspace
 * part (as <linux/ckpt.h> through -isystem kmod/uapi).  Nothing in here is
 * ever duplicated elsewhere.  It holds only what crosses the kernel
 * boundary: the netlink family, the ioctls of /dev/ckpt and of dump
 * sessions, and the dump stream the module emits.  Formats that only
 * userspace writes are not here (see CKPT_REC_USER_BASE).
 * Documentation/netlink-abi.md explains it in prose; this comment is the
 * reference.
 *
 * Generic netlink family CKPT_GENL_NAME ("ckpt"), version CKPT_GENL_VERSION.
 * All requests are validated strictly: unknown attributes, wrong lengths and
 * out-of-range values are rejected with -EINVAL and an extack message.
 * Unknown commands fail with -EOPNOTSUPP.  Every command, and every ioctl
 * but CKPT_IOC_TAG_REGION, requires CAP_CHECKPOINT_RESTORE or
 * CAP_SYS_ADMIN in the initial user namespace, held by the opener of the
 * socket (or file) and by the caller; others get -EPERM (uid 0 without
 * those capabilities too).  Ordinary users go through ckptd, which
 * authorizes them (Documentation/security.md).
 *
 * CKPT_CMD_GET_FEATURES (do)
 *   request:
 *     [CKPT_A_FEATURES_ABI_VERSION]    u32, required: the ABI version the
 *                                      client was built for (>= 1).  A
 *                                      client newer than the module gets
 *                                      -EPROTONOSUPPORT: upgrade ckpt.ko.
 *     [CKPT_A_FEATURES_CLIENT]         string, optional, at most
 *                                      CKPT_CLIENT_NAME_MAX bytes: name of
 *                                      the client program, for the log.
 *   reply:
 *     [CKPT_A_FEATURES_ABI_VERSION]    u32: the module's CKPT_ABI_VERSION
 *     [CKPT_A_FEATURES_BITS]           u64: CKPT_FEATURE_* available here
 *     [CKPT_A_FEATURES_KERNEL_RELEASE] string: the running kernel's release
 *     [CKPT_A_FEATURES_MODULE_VERSION] string: ckpt.ko's version
 *     [CKPT_A_FEATURES_PAGE_SIZE]      u32: page size in bytes
 *
 * Jobs.  A job is a numeric id (>= 1) naming a group of processes: a
 * process tree (a root pid and all its descendants, including ones forked
 * later), a process group, a session, or a cgroup v2 directory and its
 * descendants.  Members are resolved whenever the job is used, so they
 * follow forks and exits.  Pids are those of the caller's pid namespace.
 * Job ids are per pid namespace; a job belongs to the netlink socket that
 * created it and is destroyed (thawed first) when that socket is closed.
 * Kernel threads and pid 1 are never members.
 *
 * CKPT_CMD_JOB_CREATE (do)  -ENOSPC past CKPT_JOBS_MAX jobs on the host
 *     [CKPT_A_JOB_ID]          u32, required, >= 1; -EEXIST if in use
 *     [CKPT_A_JOB_KIND]        u32, required, enum ckpt_job_kind
 *     [CKPT_A_JOB_PID]         u32, the tree root / pgid / sid (not CGROUP)
 *     [CKPT_A_JOB_CGROUP]      string, CGROUP only: path below the cgroup2
 *                              root, e.g. "/jobs/42"
 *     [CKPT_A_JOB_LOWER_PATTERNS] nest, optional: up to
 *                              CKPT_LOWER_PATTERNS_MAX [CKPT_A_PATTERN_GLOB]
 *                              strings (at most CKPT_PATTERN_MAX bytes),
 *                              glob patterns matched against the file name
 *                              of file mappings to tag them LOWER.  Given,
 *                              they replace the built-in defaults
 *                              (Documentation/dump-stream.md); an empty
 *                              nest means "no library is lower half".
 *     [CKPT_A_JOB_FLAGS]       u32, optional, CKPT_JOB_F_* (unknown bits:
 *                              -EINVAL).  CKPT_JOB_F_OWN_PIDNS: the job
 *                              runs in a pid namespace of its own (a child
 *                              of the creator's, whose init is the job's
 *                              root); its dumps record every pid as seen
 *                              in that namespace, so that a restore into a
 *                              new namespace gives the job the pids it saw.
 *                              A dump of such a job fails with -EXDEV if a
 *                              member is not inside that namespace, or if
 *                              the members are not in a child namespace.
 *                              JOB_GET reports the flags.
 *
 * CKPT_CMD_JOB_DESTROY (do)    [CKPT_A_JOB_ID]; a frozen job is thawed
 * CKPT_CMD_JOB_THAW (do)       [CKPT_A_JOB_ID]; -EALREADY if not frozen
 *   Both cancel a JOB_FREEZE of the job that is still waiting for threads
 *   to park (it fails with -ECANCELED and thaws), and never wait behind
 *   it; a signal interrupts their wait for the job (-EINTR).
 *
 * CKPT_CMD_JOB_FREEZE (do)
 *     [CKPT_A_JOB_ID]          u32, required
 *     [CKPT_A_JOB_TIMEOUT_MS]  u32, optional, 1..600000 (default 10000)
 *   Parks every thread of every member at its return to user mode and
 *   returns when all are parked: the reply is the job (as JOB_GET).
 *   Threads in interruptible sleeps are kicked out; their system calls are
 *   restarted transparently after the thaw.  Processes and threads created
 *   while the freeze runs are caught too.  A thread that cannot be parked
 *   in time (uninterruptible sleep) fails the freeze with -ETIMEDOUT, the
 *   whole job is thawed, and CKPT_A_JOB_ERR_PID/STATE of the job (JOB_GET)
 *   and of the FREEZE_FAILED event name it.  A traced member fails the
 *   freeze with -EBUSY; a member with io_uring worker threads (io-wq,
 *   SQPOLL) with -EOPNOTSUPP.  The freeze belongs to the requesting
 *   socket: when it is closed, the job is thawed.  Parked threads do not
 *   block the system freezer (suspend, hibernation).  A system call that
 *   would return EINTR (epoll_wait, semop, ...) and was kicked out by the
 *   freeze is restarted after the thaw, unless a signal arrived while the
 *   thread was parked: then the program sees the EINTR the signal caused.
 *
 * CKPT_CMD_JOB_GET (do: [CKPT_A_JOB_ID] required; dump: every job of the
 *   caller's pid namespace)
 *   reply: ID, KIND, PID or CGROUP, STATE, OWNER_UID, NR_TASKS, NR_THREADS,
 *          ERR_PID and ERR_STATE after a failed freeze, LOWER_PATTERNS if
 *          the job has its own, and (do only)
 *          [CKPT_A_JOB_TASKS] nest of [CKPT_A_JOB_TASK] nests, each:
 *              [CKPT_A_TASK_PID] u32, [CKPT_A_TASK_PPID] u32,
 *              [CKPT_A_TASK_NR_THREADS] u32, [CKPT_A_TASK_COMM] string
 *
 * CKPT_CMD_EVENT (multicast on "events")
 *     [CKPT_A_JOB_EVENT] u32 enum ckpt_job_event, [CKPT_A_JOB_ID],
 *     [CKPT_A_JOB_OWNER_UID], and for FREEZE_FAILED ERR_PID/ERR_STATE,
 *     for TASK_EXITED [CKPT_A_JOB_PID] of the exited thread.
 *
 * Multicast group CKPT_MCGRP_EVENTS_NAME ("events"): job events, for
 * listeners with CAP_NET_ADMIN.
 *
 * Character device /dev/ckpt (mode 0666, for the application's own
 * CKPT_IOC_TAG_REGION; every other ioctl needs the privilege above), ioctls:
 *   CKPT_IOC_GET_ABI   struct ckpt_abi_info, in/out.  In: flags and pad
 *                      must be zero (-EINVAL otherwise).  Out: the module's
 *                      ABI version and feature bits.
 *   Unknown ioctls fail with -ENOTTY.
 */
#ifndef _UAPI_LINUX_CKPT_H
#define _UAPI_LINUX_CKPT_H

#include <linux/types.h>
#include <linux/ioctl.h>

#define CKPT_GENL_NAME		"ckpt"
#define CKPT_GENL_VERSION	1
#define CKPT_MCGRP_EVENTS_NAME	"events"

/* Bumped on every change of this file's meaning; additions only at the end. */
#define CKPT_ABI_VERSION	2

/* Longest CKPT_A_FEATURES_CLIENT string, without the terminating NUL. */
#define CKPT_CLIENT_NAME_MAX	31

enum ckpt_cmd {
	CKPT_CMD_UNSPEC,
	CKPT_CMD_GET_FEATURES,
	CKPT_CMD_JOB_CREATE,
	CKPT_CMD_JOB_DESTROY,
	CKPT_CMD_JOB_GET,
	CKPT_CMD_JOB_FREEZE,
	CKPT_CMD_JOB_THAW,
	CKPT_CMD_EVENT,		/* notification on the events group only */

	__CKPT_CMD_MAX,
	CKPT_CMD_MAX = __CKPT_CMD_MAX - 1
};

enum ckpt_a_features {
	CKPT_A_FEATURES_UNSPEC,
	CKPT_A_FEATURES_PAD,
	CKPT_A_FEATURES_ABI_VERSION,	/* u32 */
	CKPT_A_FEATURES_CLIENT,		/* string */
	CKPT_A_FEATURES_BITS,		/* u64, CKPT_FEATURE_* */
	CKPT_A_FEATURES_KERNEL_RELEASE,	/* string */
	CKPT_A_FEATURES_MODULE_VERSION,	/* string */
	CKPT_A_FEATURES_PAGE_SIZE,	/* u32 */

	__CKPT_A_FEATURES_MAX,
	CKPT_A_FEATURES_MAX = __CKPT_A_FEATURES_MAX - 1
};

/* CKPT_A_JOB_FLAGS */
#define CKPT_JOB_F_OWN_PIDNS	(1U << 0)
#define CKPT_JOB_F_ALL		CKPT_JOB_F_OWN_PIDNS

enum ckpt_a_job {
	CKPT_A_JOB_UNSPEC,
	CKPT_A_JOB_PAD,
	CKPT_A_JOB_ID,			/* u32 */
	CKPT_A_JOB_KIND,		/* u32, enum ckpt_job_kind */
	CKPT_A_JOB_PID,			/* u32 */
	CKPT_A_JOB_CGROUP,		/* string */
	CKPT_A_JOB_STATE,		/* u32, enum ckpt_job_state */
	CKPT_A_JOB_OWNER_UID,		/* u32 */
	CKPT_A_JOB_TIMEOUT_MS,		/* u32 */
	CKPT_A_JOB_NR_TASKS,		/* u32 */
	CKPT_A_JOB_NR_THREADS,		/* u32 */
	CKPT_A_JOB_TASKS,		/* nest of CKPT_A_JOB_TASK */
	CKPT_A_JOB_TASK,		/* nest, CKPT_A_TASK_* */
	CKPT_A_JOB_EVENT,		/* u32, enum ckpt_job_event */
	CKPT_A_JOB_ERR_PID,		/* u32 */
	CKPT_A_JOB_ERR_STATE,		/* u32, a /proc state letter */
	CKPT_A_JOB_LOWER_PATTERNS,	/* nest of CKPT_A_PATTERN_GLOB */
	CKPT_A_JOB_FLAGS,		/* u32, CKPT_JOB_F_* */

	__CKPT_A_JOB_MAX,
	CKPT_A_JOB_MAX = __CKPT_A_JOB_MAX - 1
};

enum ckpt_a_task {
	CKPT_A_TASK_UNSPEC,
	CKPT_A_TASK_PID,		/* u32 */
	CKPT_A_TASK_PPID,		/* u32 */
	CKPT_A_TASK_NR_THREADS,		/* u32 */
	CKPT_A_TASK_COMM,		/* string */

	__CKPT_A_TASK_MAX,
	CKPT_A_TASK_MAX = __CKPT_A_TASK_MAX - 1
};

enum ckpt_a_pattern {
	CKPT_A_PATTERN_UNSPEC,
	CKPT_A_PATTERN_GLOB,		/* string */

	__CKPT_A_PATTERN_MAX,
	CKPT_A_PATTERN_MAX = __CKPT_A_PATTERN_MAX - 1
};

#define CKPT_LOWER_PATTERNS_MAX	64
#define CKPT_PATTERN_MAX	255

enum ckpt_job_kind {
	CKPT_JOB_TREE = 1,		/* a root pid and its descendants */
	CKPT_JOB_PGID,			/* a process group */
	CKPT_JOB_SID,			/* a session */
	CKPT_JOB_CGROUP,		/* a cgroup v2 directory and below */

	__CKPT_JOB_KIND_MAX,
	CKPT_JOB_KIND_MAX = __CKPT_JOB_KIND_MAX - 1
};

enum ckpt_job_state {
	CKPT_JOB_RUNNING = 1,
	CKPT_JOB_FREEZING,
	CKPT_JOB_FROZEN,
};

enum ckpt_job_event {
	CKPT_EVENT_FROZEN = 1,
	CKPT_EVENT_THAWED,
	CKPT_EVENT_FREEZE_FAILED,
	CKPT_EVENT_TASK_EXITED,
	CKPT_EVENT_DESTROYED,
};

#define CKPT_JOBS_MAX			4096	/* on the host */
#define CKPT_DUMP_SESSIONS_MAX		64	/* open at once, on the host */
#define CKPT_FREEZE_TIMEOUT_MS_DEFAULT	10000
#define CKPT_FREEZE_TIMEOUT_MS_MAX	600000
#define CKPT_CGROUP_PATH_MAX		4095

/*
 * Feature bits: what this kernel offers that ckpt builds on.  A bit is set
 * only when the facility works on the running kernel.
 */
enum ckpt_feature {
	/* CONFIG_MEM_SOFT_DIRTY: soft-dirty tracking for incremental dumps */
	CKPT_FEATURE_SOFT_DIRTY		= 1ULL << 0,
	/* CONFIG_CHECKPOINT_RESTORE: prctl(PR_SET_MM), kcmp for the restorer */
	CKPT_FEATURE_CHECKPOINT_RESTORE	= 1ULL << 1,
	/* CONFIG_IO_URING: asynchronous image writes in ckptd */
	CKPT_FEATURE_IO_URING		= 1ULL << 2,
	/* CONFIG_USERFAULTFD: lazy restore of page contents */
	CKPT_FEATURE_USERFAULTFD	= 1ULL << 3,
	/* the CPU saves extended FPU/AVX state with XSAVE */
	CKPT_FEATURE_XSAVE		= 1ULL << 4,
};

struct ckpt_abi_info {
	__u32 abi_version;	/* out: CKPT_ABI_VERSION of the module */
	__u32 flags;		/* in: must be 0 */
	__u64 features;		/* out: CKPT_FEATURE_* */
	__u64 reserved[2];	/* in: must be 0; out: 0 */
};

/*
 * CKPT_IOC_DUMP: open a dump session of a job (the same job ids as over
 * netlink): a frozen one, or a running one for CKPT_DUMP_PREDUMP.  Returns
 * a new file descriptor (O_CLOEXEC) from which read() returns the dump
 * stream; it never blocks and returns 0 at the end.  -ENOENT: no such job;
 * -EBUSY: the job is not frozen, or a member is not what the freeze parked
 * (it joined after the freeze, or a parked process left the job: thaw and
 * freeze again; JOB_GET's ERR_PID names it); -ENFILE: more than
 * CKPT_DUMP_SESSIONS_MAX sessions are open.  A frozen dump covers exactly
 * the processes the freeze parked.  The session owns the freeze as well:
 * closing its fd before the end record was read thaws the job (unless
 * CKPT_IOC_DUMP_KEEP_FROZEN said otherwise).  If the job
 * is thawed (or frozen anew) while a session is open, its next read() that
 * needs new records fails with -ESTALE: the dump is void and never reaches
 * END.  A process killed while its dump is read fails the read with
 * -ESRCH.  After a failed read(), CKPT_IOC_DUMP_ERROR says why.
 */
struct ckpt_dump_args {
	__u32 job_id;
	__u32 flags;		/* in: CKPT_DUMP_* */
	__s32 data_fd;		/* in: CKPT_DUMP_DATA_FD: where page contents
				 * go; else must be 0 */
	__u32 reserved0;	/* in: must be 0 */
	__u64 reserved;		/* in: must be 0 */
};

/*
 * An incremental dump carries only pages whose contents changed since the
 * job's last committed dump (its parent) and marks the others with
 * PAGES_SAME records; -ENODATA if the job has no committed dump yet.
 */
#define CKPT_DUMP_INCREMENTAL	(1U << 0)
/*
 * A pre-dump copies the memory of a job that keeps running (for pre-copy
 * migration): the job need not be frozen, and the stream has no SIGACTIONS
 * or THREAD records.  Committed, it is the parent of the next incremental
 * (pre-)dump, which carries every page written since, including pages
 * written while the pre-dump was copying them.
 */
#define CKPT_DUMP_PREDUMP	(1U << 1)
/*
 * Page contents are not in the stream: the module writes each page once,
 * straight from the process's memory, into data_fd (a regular file the
 * dumper opened for writing), page-aligned, starting at the file's size at
 * CKPT_IOC_DUMP (which must be a multiple of the page size), and the
 * stream carries PAGES_FILE records (offset and per-page hashes) instead
 * of PAGES.  -EBADF: data_fd is not open for writing; -EINVAL: not a
 * regular file, or its size is not page-aligned.  A failed write (-ENOSPC,
 * -EIO, ...) fails the read() like any other dump error
 * (CKPT_IOC_DUMP_ERROR names the offset); the dump is void and the bytes
 * already written are the dumper's to discard.
 */
#define CKPT_DUMP_DATA_FD	(1U << 2)
/*
 * A pre-copy: a CKPT_DUMP_PREDUMP | CKPT_DUMP_DATA_FD dump whose pages
 * may be written straight from the running job's memory, so a page the
 * job writes meanwhile may reach data_fd torn.  Only soft-dirty makes that
 * safe: the dumper must announce, before the first read(), that it
 * cleared the soft-dirty bits after the open (CKPT_IOC_DUMP_SOFTDIRTY_CLEARED,
 * "pre-copy protocol" below), else the first read() fails with -EINVAL.
 * Pages the kernel cannot track by soft-dirty (shared memory) are copied
 * to a stable buffer first, hashed and written from it.  Committed, a
 * pre-copy is the parent of the next incremental dump, which then treats
 * as unchanged only pages whose soft-dirty bit is clear: a written page
 * is carried again even if its hash matches.  Every page of a pre-copy a
 * later dump lists as PAGES_SAME was not written while it was copied, so
 * its bytes in data_fd match its hash.  A pre-copy takes no number of its
 * own: its BEGIN.dump_seq is the number the job's next dump takes, so the
 * frozen dump that follows has the same dump_seq and names it as its
 * parent_seq too (one checkpoint, one number); a pre-copy that no dump
 * follows leaves its number to the next one.
 */
#define CKPT_DUMP_PRECOPY	(1U << 3)
#define CKPT_DUMP_FLAGS		(CKPT_DUMP_INCREMENTAL | CKPT_DUMP_PREDUMP | \
				 CKPT_DUMP_DATA_FD | CKPT_DUMP_PRECOPY)

/*
 * CKPT_IOC_DUMP_COMMIT, on a dump session fd whose stream was read to the
 * end (else -EINVAL): the dump was stored safely, so it becomes the parent
 * of the job's next incremental dump.  A dump that is never committed
 * changes nothing: the next incremental dump is still relative to the last
 * committed one, and no page is missed.
 */

/*
 * CKPT_IOC_DUMP_SOFTDIRTY_CLEARED, on a dump session fd: "I have just
 * written 4 to /proc/<pid>/clear_refs of every process of this dump."
 * The module cannot clear soft-dirty bits itself, so the dumper does it,
 * in this order, all within one freeze of the job:
 *
 *   freeze; CKPT_IOC_DUMP (full or incremental); read to END;
 *   CKPT_IOC_DUMP_COMMIT; clear_refs of every process; this ioctl; thaw.
 *
 * Accepted only if the dump was read to its end and committed (else
 * -EINVAL), is still the job's last committed dump, and the job has stayed
 * frozen since the dump was opened (else -ESTALE: e.g. thawed in between,
 * or a pre-dump of a running job).  -EALREADY if this dump was accepted
 * before in this same freeze; -EOPNOTSUPP on a kernel without
 * CONFIG_MEM_SOFT_DIRTY (CKPT_FEATURE_SOFT_DIRTY).  Then, and only then,
 * the next incremental dump reads only pages whose soft-dirty bit is set
 * (in the memory that has them: anonymous and copied-on-write pages) and
 * lists the others as unchanged; otherwise it compares page hashes.
 *
 * Any refusal other than -EALREADY also forgets an earlier acceptance: the
 * caller did clear the bits at a moment that does not match the parent
 * dump, so the next incremental dump compares hashes.  Clearing the bits
 * of a job's processes at any other moment (before its dump was read to
 * the end, or while it runs) without calling this ioctl is not detected
 * and makes the next incremental dump miss pages: nobody but the dumper
 * may write clear_refs of a job's processes.
 */
/*
 * The pre-copy protocol (short frozen windows): soft-dirty bits are
 * cleared while the job runs, announced on the pre-dump's session:
 *
 *   [incremental: freeze;] CKPT_IOC_DUMP (PREDUMP [| INCREMENTAL]
 *   [| DATA_FD | PRECOPY]); clear_refs of every process of the job; this
 *   ioctl; [thaw;] read to END;
 *   CKPT_IOC_DUMP_COMMIT; freeze; CKPT_IOC_DUMP (INCREMENTAL, ...):
 *   only pages written since the clear are read, the others are
 *   PAGES_SAME of the pre-dump; read to END; COMMIT; clear_refs; this
 *   ioctl (the protocol above, so that the next checkpoint's pre-dump can
 *   be incremental with soft-dirty too); thaw.
 *
 * Accepted on a pre-dump session before its first read() (else -EINVAL).
 * An incremental pre-dump opened while the job was frozen, whose parent
 * has soft-dirty tracking, took at its open the parent's hash of every
 * page that was clean then; announced in that same freeze (the job thawed
 * after the announcement), it treats a page as unchanged only if it is
 * clean now too, unread.  Any other incremental pre-dump compares hashes
 * with its parent: the bits of a running job looked at before a clear
 * miss a page written between that look and the clear.  The tracking becomes the job's once the
 * pre-dump is committed (-ESTALE if another dump was committed since it
 * was opened).  -EALREADY if announced twice on the same session.
 */
struct ckpt_softdirty_cleared_args {
	__u32 flags;		/* in: must be 0 */
	__u32 reserved;		/* in: must be 0 */
};

/*
 * CKPT_IOC_DUMP_ERROR, on a dump session fd whose read() failed: why, in
 * words an administrator can act on, naming the process and (for memory)
 * the address range.  -ENODATA if no read has failed.  The session stays
 * void: a failed dump never reaches END.
 */
struct ckpt_dump_error {
	__s32 error;		/* out: the -errno read() returned */
	__s32 pid;		/* out: the process (job's pid namespace), or 0 */
	__u64 start, end;	/* out: the memory range concerned, or 0 */
	char msg[160];		/* out: NUL-terminated description */
};

enum ckpt_vma_tag {
	CKPT_TAG_UPPER = 1,	/* application: carried by a checkpoint */
	CKPT_TAG_LOWER,		/* host-bound libraries and devices */
	CKPT_TAG_SPECIAL,	/* vdso, vvar, vsyscall: provided by the kernel */
};

/*
 * CKPT_IOC_TAG_REGION: from inside an application (libckpt_user), tag a
 * range of its own address space for every later dump while this /dev/ckpt
 * file stays open.  addr and len page-aligned, len > 0; a later tag of an
 * overlapping range wins.  LOWER and UPPER override the VMA tag of the
 * range; EXCLUDE ranges carry no page data (a restore maps zero pages).
 * -EINVAL for bad ranges, tags or flags, -ENOSPC past
 * CKPT_TAG_REGIONS_MAX regions per file.
 */
enum ckpt_region_tag {
	CKPT_REGION_UPPER = CKPT_TAG_UPPER,
	CKPT_REGION_LOWER = CKPT_TAG_LOWER,
	CKPT_REGION_EXCLUDE = 16,
};

struct ckpt_tag_region_args {
	__u64 addr;
	__u64 len;
	__u32 tag;		/* enum ckpt_region_tag */
	__u32 flags;		/* must be 0 */
};

#define CKPT_TAG_REGIONS_MAX	1024

#define CKPT_IOC_MAGIC		0xC7
#define CKPT_IOC_GET_ABI	_IOWR(CKPT_IOC_MAGIC, 0x01, struct ckpt_abi_info)
#define CKPT_IOC_DUMP		_IOW(CKPT_IOC_MAGIC, 0x02, struct ckpt_dump_args)
#define CKPT_IOC_TAG_REGION	_IOW(CKPT_IOC_MAGIC, 0x03, struct ckpt_tag_region_args)
#define CKPT_IOC_DUMP_COMMIT	_IO(CKPT_IOC_MAGIC, 0x04)
#define CKPT_IOC_DUMP_SOFTDIRTY_CLEARED \
	_IOW(CKPT_IOC_MAGIC, 0x05, struct ckpt_softdirty_cleared_args)
#define CKPT_IOC_DUMP_ERROR	_IOR(CKPT_IOC_MAGIC, 0x06, struct ckpt_dump_error)
/*
 * CKPT_IOC_DUMP_KEEP_FROZEN, on the session of a frozen job's dump: closing
 * it no longer thaws the job, even if the dump failed or was not read to
 * its end; the job stays frozen until JOB_THAW (or its end).  For a dumper
 * that keeps a job frozen after a failed dump (ckptctl freeze on a full
 * disk); until it asks, a dumper that dies still thaws the job.  -EINVAL
 * on a pre-dump's session.
 */
#define CKPT_IOC_DUMP_KEEP_FROZEN	_IO(CKPT_IOC_MAGIC, 0x07)

/*
 * The dump stream: a sequence of records, each a struct ckpt_rec header
 * followed by its body, little-endian, every record 8-byte aligned (len
 * includes the header and is a multiple of 8).  A reader skips record types
 * it does not know; CKPT_STREAM_VERSION changes only when a known record
 * changes meaning.  A record may grow at its end: a reader ignores bytes
 * past the fields it knows and takes fields past a shorter record's end
 * as 0.  Order:
 *
 *   BEGIN
 *   for each process, in creation order (parents before children):
 *       TASK; for live processes then SIGACTIONS, THREAD... (one per
 *       thread, the group leader first), MM, VMA... (ascending),
 *       REGION... (ranges tagged by the application, newest last), and
 *       PAGES... or, with CKPT_DUMP_DATA_FD, PAGES_FILE... (ascending
 *       addresses; none inside EXCLUDE regions)
 *   END
 *
 * In an incremental dump, a page holding data that is unchanged since the
 * parent dump is listed in a PAGES_SAME record instead of PAGES, in the
 * same address order; every page holding data is in exactly one of them.
 *
 * PAGES carry only pages that hold data: present or swapped anonymous
 * pages (including copies-on-write of private file mappings), and the
 * resident pages of shmem/memfd mappings.  Never-touched pages, pages of
 * shared file mappings and unmodified private file pages are not carried.
 */
#define CKPT_STREAM_MAGIC	0x504d55445450434bULL	/* "CKPTDUMP" */
#define CKPT_STREAM_VERSION	1

enum ckpt_rec_type {
	CKPT_REC_BEGIN = 1,
	CKPT_REC_TASK,
	CKPT_REC_SIGACTIONS,
	CKPT_REC_MM,
	CKPT_REC_VMA,
	CKPT_REC_THREAD,
	CKPT_REC_PAGES,
	CKPT_REC_END,
	CKPT_REC_REGION,
	CKPT_REC_PAGES_SAME,
	CKPT_REC_PAGES_FILE,
};

/*
 * Record types from CKPT_REC_USER_BASE up are never produced by the
 * module: that range is userspace's, for state captured while the job is
 * frozen (open files, cwd, ...), stored in records.img just before END.
 * Their formats are not kernel ABI and live beside the code that writes
 * them: common/files_format.h; the on-disk image that holds a stream is
 * image/include/image_format.h.
 */
#define CKPT_REC_USER_BASE	0x1000

struct ckpt_rec {
	__u32 type;		/* enum ckpt_rec_type */
	__u32 len;		/* bytes, header included, multiple of 8 */
};

struct ckpt_rec_begin {
	__u64 magic;		/* CKPT_STREAM_MAGIC */
	__u32 version;		/* CKPT_STREAM_VERSION */
	__u32 job_id;
	__u32 page_size;
	__u32 nr_tasks;
	__u64 features;		/* CKPT_FEATURE_* of the dumping kernel */
	__u64 time_ns;		/* CLOCK_REALTIME of the dump */
	char kernel_release[65];
	__u8 pad[7];
	__u64 dump_seq;		/* this dump's number within the job, from 1 */
	__u64 parent_seq;	/* incremental: the parent dump's number; else 0 */
	__u32 flags;		/* CKPT_DUMP_* it was made with */
	__u32 dirty_tracking;	/* enum ckpt_dirty_tracking */
};

/*
 * How an incremental dump found the pages that changed since its parent.
 * The module parameter dirty_tracking (auto, softdirty, hash) chooses;
 * even with SOFT_DIRTY, memory without usable soft-dirty bits (shared
 * memory, processes not covered by CKPT_IOC_DUMP_SOFTDIRTY_CLEARED) is
 * compared by hash.
 */
enum ckpt_dirty_tracking {
	CKPT_DIRTY_NONE = 0,		/* a full dump: every page is carried */
	CKPT_DIRTY_HASH = 1,		/* page contents hashed and compared */
	CKPT_DIRTY_SOFT_DIRTY = 2,	/* soft-dirty bits, hashes for the rest */
};

#define CKPT_TASK_ZOMBIE	(1U << 0)
#define CKPT_TASK_STOPPED	(1U << 1)
/*
 * The main thread called pthread_exit (SYS_exit) while other threads run
 * on: the process is alive, its address space is dumped, and no THREAD
 * record carries the leader's tid (tid == pid).  A restore recreates the
 * process with that pid and ends the leader thread once the others exist.
 */
#define CKPT_TASK_LEADER_EXITED	(1U << 2)

#define CKPT_NR_RLIMITS		16

/* Pids are those of the job's pid namespace. */
struct ckpt_rec_task {
	__s32 pid, ppid, pgid, sid;
	__u32 flags;		/* CKPT_TASK_* */
	__u32 nr_threads;
	__u32 uid, euid, suid, fsuid;
	__u32 gid, egid, sgid, fsgid;
	__u32 personality;
	__s32 exit_signal;	/* signal sent to the parent on exit */
	__s32 exit_code;	/* zombies */
	__u32 pad;
	__u64 cap_inheritable, cap_permitted, cap_effective, cap_bset, cap_ambient;
	__u64 shared_pending;	/* process-wide pending signals, bit n-1 */
	struct { __u64 cur, max; } rlimits[CKPT_NR_RLIMITS];
	char comm[16];
};

struct ckpt_sigaction {
	__u64 handler;
	__u64 flags;
	__u64 restorer;
	__u64 mask;
};

struct ckpt_rec_sigactions {
	__s32 pid;
	__u32 nr;		/* entries that follow: signals 1..nr */
	struct ckpt_sigaction act[];
};

struct ckpt_rec_mm {
	__s32 pid;
	__u32 nr_vmas;
	__u64 start_code, end_code, start_data, end_data;
	__u64 start_brk, brk, start_stack;
	__u64 arg_start, arg_end, env_start, env_end;
	__u64 auxv[2 * 40];	/* (type, value) pairs ending with AT_NULL */
	__u64 exe_dev, exe_ino;
	char exe_path[256];	/* empty if none; truncated paths end in "..." */
};


#define CKPT_VMA_READ		(1U << 0)
#define CKPT_VMA_WRITE		(1U << 1)
#define CKPT_VMA_EXEC		(1U << 2)
#define CKPT_VMA_SHARED		(1U << 3)
#define CKPT_VMA_GROWSDOWN	(1U << 4)
#define CKPT_VMA_ANON		(1U << 5)	/* no backing file */
#define CKPT_VMA_SHMEM		(1U << 6)	/* shmem/memfd backed */
#define CKPT_VMA_IO		(1U << 7)	/* device (VM_IO / VM_PFNMAP) */
#define CKPT_VMA_HEAP		(1U << 8)	/* the brk area */
#define CKPT_VMA_STACK		(1U << 9)	/* the main thread's stack */

struct ckpt_rec_vma {
	__s32 pid;
	__u32 tag;		/* enum ckpt_vma_tag */
	__u64 start, end;
	__u64 pgoff;		/* in pages */
	__u32 flags;		/* CKPT_VMA_* */
	__u32 pad;
	__u64 dev, ino, size;	/* of the backing file */
	__s64 mtime_sec;
	__u32 mtime_nsec;
	__u32 path_len;		/* bytes of path[] used, NUL included */
	char path[];		/* backing file or "[vdso]"-style name */
};

/* One thread's state at its restart point (see CKPT_CMD_JOB_FREEZE). */
struct ckpt_rec_thread {
	__s32 pid;		/* thread group */
	__s32 tid;
	__u64 blocked;		/* signal mask, bit n-1 */
	__u64 pending;		/* thread-private pending signals */
	__u64 clear_child_tid;
	__u64 robust_list, robust_list_len;
	__u64 sas_ss_sp, sas_ss_size;
	__u32 sas_ss_flags;
	__u32 regs_len;		/* NT_PRSTATUS: struct user_regs_struct */
	__u32 fpregs_len;	/* NT_PRFPREG: struct user_i387_struct */
	__u32 xstate_len;	/* NT_X86_XSTATE, 0 without XSAVE */
	__u32 tls_len;		/* NT_386_TLS: struct user_desc[] */
	__u32 pad;
	__u8 data[];		/* regs, fpregs, xstate, tls, each 8-aligned */
};

/* A range an application tagged through libckpt_user (after its VMAs). */
struct ckpt_rec_region {
	__s32 pid;
	__u32 tag;		/* enum ckpt_region_tag */
	__u64 start, end;
};

/* A run of consecutive pages of one process, data following the header. */
struct ckpt_rec_pages {
	__s32 pid;
	__u32 nr_pages;
	__u64 start;		/* address of the first page */
	__u8 data[];		/* nr_pages * page_size bytes */
};

#define CKPT_PAGES_MAX_RUN	64	/* pages in one PAGES record at most */

/*
 * CKPT_DUMP_DATA_FD: a run of consecutive pages of one process written to
 * data_fd at @offset (page-aligned, the run contiguous there), in place of
 * a PAGES record, with the hash of each page as written: xxh64 (seed 0) of
 * its page_size bytes, shifted right by one bit.  The same hash is the
 * page's in the job's base for incremental dumps.
 */
struct ckpt_rec_pages_file {
	__s32 pid;
	__u32 nr_pages;
	__u64 start;		/* address of the first page */
	__u64 offset;		/* in data_fd, of the first page */
	__u64 hash[];		/* nr_pages hashes */
};

/* Incremental dumps: pages holding data that is unchanged since the parent. */
struct ckpt_rec_pages_same {
	__s32 pid;
	__u32 nr_pages;
	__u64 start;
};

struct ckpt_rec_end {
	__u32 nr_tasks, nr_threads, nr_vmas;
	__u32 pad;
	__u64 nr_pages;
	__u64 nr_pages_same;	/* pages in PAGES_SAME records */
	/*
	 * Added later (a shorter END comes from an older module; take it as
	 * 0): of nr_pages_same, pages known unchanged from their clear
	 * soft-dirty bit and never read.
	 */
	__u64 nr_pages_unread;
};

#endif /* _UAPI_LINUX_CKPT_H */
