/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Processes for the job tests to freeze: workloads in shared memory that
 * show whether they run, what /proc says about a task, and cleanup of
 * everything a test forked.  Functions return 0 or -errno unless stated.
 */
#ifndef CKPT_WORKLOAD_H
#define CKPT_WORKLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Zeroed MAP_SHARED|MAP_ANONYMOUS memory (kept across fork), or NULL. */
void *wl_shared(size_t size);

/* CLOCK_MONOTONIC in milliseconds. */
uint64_t wl_now_ms(void);
void wl_sleep_ms(unsigned int ms);

/* The state letter of /proc/<pid>/task/<tid>/stat (tid = pid for the
 * main thread), or 0 if the task is gone. */
char wl_task_state(pid_t pid, pid_t tid);
/* The system call number /proc/<pid>/syscall shows the main thread in,
 * -1 if it is running (or the file cannot be read). */
long wl_proc_syscall(pid_t pid);
/* Wait until the main thread of @pid is in one of @states (e.g. "S",
 * "tT"); -ETIMEDOUT after @timeout_ms. */
int wl_wait_state(pid_t pid, const char *states, unsigned int timeout_ms);
/* A child of @pid (the first /proc lists), or -ESRCH. */
pid_t wl_find_child(pid_t pid);
/* Wait until @pid is gone from /proc (exited and reaped). */
int wl_wait_gone(pid_t pid, unsigned int timeout_ms);
/* Wait until the main thread of @pid sleeps ('S') in system call @nr. */
int wl_wait_blocked(pid_t pid, long nr, unsigned int timeout_ms);

/* Read exactly @len bytes within @timeout_ms: 0, -ETIMEDOUT, -EPIPE on
 * end of file, or -errno. */
int wl_read_full(int fd, void *buf, size_t len, unsigned int timeout_ms);

/*
 * Make the caller a child subreaper, so that every process it forks, and
 * every orphan below it, stays its descendant; wl_kill_descendants() then
 * finds them all.  Call it first in each test.
 */
int wl_become_subreaper(void);
/* SIGKILL every descendant of the caller (frozen and stopped ones too) and
 * reap them all; returns how many were killed. */
int wl_kill_descendants(void);

/* fork() whose child closes every fd above 2, so that it holds no netlink
 * socket of the test: closing one must release it. */
pid_t wl_fork_clean(void);

/*
 * Counters: @nprocs worker processes below one idle root process, each with
 * @nthreads threads that add 1 to ->count every @period_us microseconds.
 * The tree has 1 + nprocs processes and 1 + nprocs * nthreads threads.
 */
struct wl_counters {
	uint64_t count;
	uint32_t started;	/* threads running */
	pid_t root;
};

/* Start them and wait (up to @timeout_ms) until every thread counts;
 * @c must come from wl_shared(). */
int wl_counters_start(struct wl_counters *c, int nprocs, int nthreads,
		      unsigned int period_us, unsigned int timeout_ms);
/* Does ->count change within @ms? */
bool wl_counter_moves(const struct wl_counters *c, unsigned int ms);

/* Write @text to the file @path (a cgroup or /proc file): 0 or -errno
 * (-EIO for a short write). */
int wl_write_file(const char *path, const char *text);
/* Read the file @path (a /proc or sysfs file) into @buf, at most @size - 1
 * bytes, NUL-terminated: 0 or -errno. */
int wl_read_file(const char *path, char *buf, size_t size);

/* Fill a malloc'd (brk heap) block with copies of @secret, then sleep
 * forever: a process whose memory must, or must not, be dumped. */
void __attribute__((noreturn)) wl_hold_secret(const char *secret);

#endif /* CKPT_WORKLOAD_H */
