/* SPDX-License-Identifier: GPL-2.0 */
/* /proc/<pid>/stat of a process or one of its threads. */
#ifndef CKPT_PROC_STAT_H
#define CKPT_PROC_STAT_H

#include <stddef.h>
#include <sys/types.h>

/*
 * Reads /proc/<pid>/stat (@tid 0) or /proc/<pid>/task/<tid>/stat into
 * @buf and returns its fields after comm: field 3, the state letter,
 * onwards.  NULL if the process or thread is gone (or /proc is not there).
 */
const char *ckpt_proc_stat(pid_t pid, pid_t tid, char *buf, size_t size);

/* The state letter (R, S, D, Z, t, ...) of @pid or its thread @tid; 0 once gone. */
char ckpt_proc_state(pid_t pid, pid_t tid);

#endif /* CKPT_PROC_STAT_H */
