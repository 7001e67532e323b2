/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The records of a process and its threads (dump_task.c): TASK,
 * SIGACTIONS, THREAD.  Called by dump.c for each process of a dump.
 */
#ifndef CKPT_DUMP_TASK_H
#define CKPT_DUMP_TASK_H

#include <linux/types.h>

struct ckpt_job;
struct ckpt_recbuf;
struct task_struct;

/*
 * TASK of @p, and with @threads (a frozen job) SIGACTIONS and one THREAD
 * per live thread, counted in *@nr_threads.  Returns the first error.
 */
int ckpt_dump_task(struct ckpt_recbuf *b, struct ckpt_job *job,
		   struct task_struct *p, bool threads, u32 *nr_threads);

#endif /* CKPT_DUMP_TASK_H */
