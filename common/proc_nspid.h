/* SPDX-License-Identifier: GPL-2.0 */
/* The pid a process or thread has in its innermost pid namespace. */
#ifndef CKPT_PROC_NSPID_H
#define CKPT_PROC_NSPID_H

#include <sys/types.h>

/*
 * The last number of the NSpid line of /proc/<pid>/status (tid 0) or
 * /proc/<pid>/task/<tid>/status: the id in the innermost pid namespace,
 * which is the job's.  -1 if the process is gone or /proc says nothing.
 */
pid_t ckpt_proc_nspid(pid_t pid, pid_t tid);

#endif /* CKPT_PROC_NSPID_H */
