/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The interface between ckpt-restore and its freestanding restorer blob:
 * a list of operations the blob executes, in order, after the restorer has
 * placed it in an address gap of the target layout.  The blob has no libc;
 * this header is shared by both sides and uses only fixed-size types.
 *
 * Life of one restored process: ckpt-restore maps the blob, fills
 * struct rst_blob_args behind it and jumps to offset 0 on the blob's own
 * stack with every signal blocked.  The blob runs the ops (unmap the
 * restorer's memory, move vdso/vvar, map the target's VMAs, read their
 * pages in from the image, set the mm fields, limits and personality,
 * close the restorer's descriptors), creates the other threads with their
 * original tids, sets every thread's own state (robust list, clear-child
 * tid, alternate stack, credentials), writes one struct rst_blob_report
 * to notify_fd and parks every thread.  ckpt-restore then attaches with
 * ptrace, writes each thread's registers through the regset interface,
 * has the leader unmap the blob through the syscall instruction at
 * RST_BLOB_SYSCALL_OFF, and lets the job go.  For a process whose main
 * thread had exited, threads[0] stands for that leader (no state of its
 * own): ckpt-restore has it issue SYS_exit on the same instruction and a
 * live thread unmap the blob.
 */
#ifndef CKPT_RESTORE_BLOB_H
#define CKPT_RESTORE_BLOB_H

#include <linux/types.h>

#define RST_BLOB_MAGIC		0x424f4c4254535243ULL	/* "CRSTBLOB" */
/* offset in the blob of a "syscall; int3" pair used to unmap it */
#define RST_BLOB_SYSCALL_OFF	8

enum rst_op_kind {
	RST_OP_MUNMAP = 1,	/* a0 addr, a1 len */
	RST_OP_MREMAP,		/* a0 old, a1 len, a2 new (MAYMOVE|FIXED) */
	RST_OP_MMAP,		/* a0 addr, a1 len, a2 prot, a3 flags, a4 fd, a5 off */
	RST_OP_PREAD,		/* a0 fd, a1 addr, a2 len, a3 file offset */
	RST_OP_MPROTECT,	/* a0 addr, a1 len, a2 prot */
	RST_OP_CLOSE,		/* a0 first, a1 last fd: close_range() */
	RST_OP_PRCTL,		/* a0..a4: prctl arguments */
	RST_OP_PERSONALITY,	/* a0 persona */
	RST_OP_PRLIMIT,		/* a0 resource, a1 cur, a2 max */
};

struct rst_op {
	__u32 kind;		/* enum rst_op_kind */
	__u32 pad;
	__u64 a[6];
};

/* Per-thread state only the thread itself can set. */
struct rst_blob_thread {
	__s32 tid;		/* in the job's pid namespace (clone3 set_tid) */
	__u32 ss_flags;
	__u64 robust_list, robust_list_len;
	__u64 clear_child_tid;
	__u64 ss_sp, ss_size;
	__u64 stack_top;	/* the blob stack this thread runs on */
};

struct rst_blob_creds {
	__u32 uid, euid, suid, fsuid;
	__u32 gid, egid, sgid, fsgid;
	__u64 cap_inheritable, cap_permitted, cap_effective, cap_bset,
	      cap_ambient;
	__u32 set;		/* 0: keep the restorer's (tests as root) */
	__u32 dumpable;		/* PR_SET_DUMPABLE value afterwards */
};

/* What the blob writes to notify_fd: once, success or the failing op. */
struct rst_blob_report {
	__u64 magic;		/* RST_BLOB_MAGIC */
	__s32 error;		/* 0 or -errno */
	__u32 op;		/* index of the failing op; ~0 for a thread step */
	__u32 thread;		/* index of the failing thread */
	__u32 pad;
	__u64 value;		/* what the failing call returned */
	__u64 blob_start, blob_len;	/* success: the region to unmap */
};

/* rst_blob_report.op values that are not op indexes */
#define RST_REPORT_THREAD	0xffffffffu	/* a thread step failed */
#define RST_REPORT_CREATED	0xfffffff0u	/* libc side: tree created */
#define RST_REPORT_SETUP	0xfffffff1u	/* libc side: setup failed */

struct rst_blob_args {
	__u64 magic;
	__u64 blob_start, blob_len;	/* the whole region: code, args, stacks */
	__u64 ops_off;			/* from the start of this struct */
	__u32 nr_ops;
	__u32 nr_threads;		/* threads[0] is the leader */
	__u64 threads_off;
	__s32 notify_fd;
	__u32 pad;
	struct rst_blob_creds creds;
	/* written by the blob */
	__u32 threads_ready;		/* futex */
	__u32 park;			/* futex nobody wakes */
	__s32 thread_error;
	__u32 thread_error_idx;
};

#endif /* CKPT_RESTORE_BLOB_H */
