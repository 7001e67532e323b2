// SPDX-License-Identifier: GPL-2.0
/* Workloads and /proc helpers for the job tests (see workload.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "workload.h"

void *wl_shared(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

uint64_t wl_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ULL + ts.tv_nsec / 1000000;
}

void wl_sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

int wl_read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return 0;
}

char wl_task_state(pid_t pid, pid_t tid)
{
	char path[64], buf[512], *p;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", pid, tid);
	if (wl_read_file(path, buf, sizeof(buf)))
		return 0;
	/* "pid (comm) S ...": comm may hold spaces and parentheses */
	p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p[2] : 0;
}

long wl_proc_syscall(pid_t pid)
{
	char path[64], buf[256];

	snprintf(path, sizeof(path), "/proc/%d/syscall", pid);
	if (wl_read_file(path, buf, sizeof(buf)) || buf[0] < '0' || buf[0] > '9')
		return -1;
	return strtol(buf, NULL, 10);
}

int wl_wait_state(pid_t pid, const char *states, unsigned int timeout_ms)
{
	uint64_t end = wl_now_ms() + timeout_ms;

	for (;;) {
		char s = wl_task_state(pid, pid);

		if (s && strchr(states, s))
			return 0;
		if (wl_now_ms() > end)
			return -ETIMEDOUT;
		wl_sleep_ms(5);
	}
}

int wl_wait_gone(pid_t pid, unsigned int timeout_ms)
{
	uint64_t end = wl_now_ms() + timeout_ms;

	while (wl_task_state(pid, pid)) {
		if (wl_now_ms() > end)
			return -ETIMEDOUT;
		wl_sleep_ms(5);
	}
	return 0;
}

int wl_wait_blocked(pid_t pid, long nr, unsigned int timeout_ms)
{
	uint64_t end = wl_now_ms() + timeout_ms;

	for (;;) {
		/* state first: /proc/pid/syscall of a running task is racy */
		if (wl_task_state(pid, pid) == 'S' && wl_proc_syscall(pid) == nr &&
		    wl_task_state(pid, pid) == 'S')
			return 0;
		if (wl_now_ms() > end)
			return -ETIMEDOUT;
		wl_sleep_ms(5);
	}
}

int wl_read_full(int fd, void *buf, size_t len, unsigned int timeout_ms)
{
	uint64_t end = wl_now_ms() + timeout_ms;
	size_t got = 0;

	while (got < len) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int64_t left = (int64_t)(end - wl_now_ms());
		ssize_t n;
		int ret;

		if (left < 0)
			return -ETIMEDOUT;
		ret = poll(&pfd, 1, left);
		if (ret < 0 && errno != EINTR)
			return -errno;
		if (ret <= 0)
			continue;
		n = read(fd, (char *)buf + got, len - got);
		if (n < 0 && errno != EINTR && errno != EAGAIN)
			return -errno;
		if (n == 0)
			return -EPIPE;
		if (n > 0)
			got += n;
	}
	return 0;
}

int wl_become_subreaper(void)
{
	return prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) ? -errno : 0;
}

/* Parent pid from /proc/<pid>/stat, or -1. */
static pid_t proc_ppid(pid_t pid)
{
	char path[64], buf[512], *p;
	int ppid;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if (wl_read_file(path, buf, sizeof(buf)))
		return -1;
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 1, " %*c %d", &ppid) != 1)
		return -1;
	return ppid;
}

pid_t wl_find_child(pid_t parent)
{
	struct dirent *d;
	DIR *dir = opendir("/proc");
	pid_t found = -ESRCH;

	if (!dir)
		return -errno;
	while ((d = readdir(dir))) {
		pid_t p = atoi(d->d_name);

		if (p > 0 && proc_ppid(p) == parent) {
			found = p;
			break;
		}
	}
	closedir(dir);
	return found;
}

#define WL_MAX_PROCS 65536

/* Kill every live descendant found in one /proc scan; returns how many. */
static int kill_pass(pid_t me)
{
	static pid_t pid[WL_MAX_PROCS], ppid[WL_MAX_PROCS];
	static char mine[WL_MAX_PROCS];
	int n = 0, killed = 0, changed = 1;
	struct dirent *d;
	DIR *dir = opendir("/proc");

	if (!dir)
		return 0;
	while ((d = readdir(dir)) && n < WL_MAX_PROCS) {
		pid_t p = atoi(d->d_name);

		if (p <= 0 || p == me)
			continue;
		pid[n] = p;
		ppid[n] = proc_ppid(p);
		mine[n] = ppid[n] == me;
		n++;
	}
	closedir(dir);
	/* transitive closure over the parent links */
	while (changed) {
		changed = 0;
		for (int i = 0; i < n; i++) {
			if (mine[i])
				continue;
			for (int j = 0; j < n; j++) {
				if (mine[j] && pid[j] == ppid[i]) {
					mine[i] = 1;
					changed = 1;
					break;
				}
			}
		}
	}
	for (int i = 0; i < n; i++) {
		if (mine[i] && kill(pid[i], SIGKILL) == 0)
			killed++;
	}
	return killed;
}

int wl_kill_descendants(void)
{
	uint64_t end = wl_now_ms() + 10000;
	pid_t me = getpid();
	int total = 0;

	/*
	 * Until no child is left: a process forking while we scan leaves a
	 * new child behind, and killed ones take a moment to become zombies.
	 */
	for (;;) {
		pid_t r;

		total += kill_pass(me);
		while ((r = waitpid(-1, NULL, __WALL | WNOHANG)) > 0)
			;
		if ((r < 0 && errno == ECHILD) || wl_now_ms() > end)
			break;
		wl_sleep_ms(10);
	}
	return total;
}

pid_t wl_fork_clean(void)
{
	pid_t pid = fork();

	if (pid == 0)
		syscall(SYS_close_range, 3, ~0U, 0);
	return pid;
}

struct counter_thread {
	struct wl_counters *c;
	unsigned int period_us;
};

static void *count_forever(void *arg)
{
	struct counter_thread *t = arg;

	__atomic_add_fetch(&t->c->started, 1, __ATOMIC_SEQ_CST);
	for (;;) {
		__atomic_add_fetch(&t->c->count, 1, __ATOMIC_SEQ_CST);
		usleep(t->period_us);
	}
	return NULL;
}

static void __attribute__((noreturn))
counter_worker(struct wl_counters *c, int nthreads, unsigned int period_us)
{
	static struct counter_thread t;
	pthread_attr_t attr;
	pthread_t th;

	t.c = c;
	t.period_us = period_us;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	for (int i = 1; i < nthreads; i++)
		if (pthread_create(&th, &attr, count_forever, &t))
			_exit(1);
	count_forever(&t);
	_exit(0);
}

int wl_counters_start(struct wl_counters *c, int nprocs, int nthreads,
		      unsigned int period_us, unsigned int timeout_ms)
{
	uint64_t end;
	pid_t root = wl_fork_clean();

	if (root < 0)
		return -errno;
	if (root == 0) {
		prctl(PR_SET_NAME, "ckpt-croot");
		for (int i = 0; i < nprocs; i++) {
			pid_t w = fork();

			if (w == 0) {
				prctl(PR_SET_NAME, "ckpt-worker");
				counter_worker(c, nthreads, period_us);
			}
			if (w < 0)
				_exit(1);
		}
		for (;;)
			pause();
	}
	c->root = root;
	end = wl_now_ms() + timeout_ms;
	while (__atomic_load_n(&c->started, __ATOMIC_SEQ_CST) <
	       (uint32_t)(nprocs * nthreads)) {
		if (wl_now_ms() > end)
			return -ETIMEDOUT;
		wl_sleep_ms(10);
	}
	return 0;
}

bool wl_counter_moves(const struct wl_counters *c, unsigned int ms)
{
	uint64_t before = __atomic_load_n(&c->count, __ATOMIC_SEQ_CST);
	uint64_t end = wl_now_ms() + ms;

	do {
		wl_sleep_ms(10);
		if (__atomic_load_n(&c->count, __ATOMIC_SEQ_CST) != before)
			return true;
	} while (wl_now_ms() < end);
	return false;
}

int wl_write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), err = 0;
	ssize_t len = strlen(text), n;

	if (fd < 0)
		return -errno;
	n = write(fd, text, len);
	if (n < 0)
		err = -errno;
	else if (n != len)
		err = -EIO;
	close(fd);
	return err;
}

void wl_hold_secret(const char *secret)
{
	size_t n = strlen(secret) + 1, size = 64 << 10;
	char *heap = malloc(size);

	if (!heap)
		_exit(1);
	memset(heap, 0, size);
	for (size_t off = 0; off + n <= size; off += 4096)
		memcpy(heap + off, secret, n);
	for (;;)
		pause();
}
