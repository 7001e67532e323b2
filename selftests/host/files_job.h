/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small job for the file capture and restore tests: process A (the
 * test's child) holds one of each kind of fd the capture supports, at fixed
 * numbers; its child B shares some of them (inherited) and writes into a
 * pipe whose read end only A holds.  Both report ready, then the test stops
 * them.  When released, A checks that its state is still what it built
 * (nothing consumed, no offset moved) and exits 0, or with the number of
 * the first check that failed.
 *
 * Also: fj_spawn(), a one-process job built by a callback, for the tests of
 * unsupported fds.
 */
#ifndef FILES_JOB_H
#define FILES_JOB_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "helpers.h"

/* A's fds */
enum {
	FJ_REG = 10,	/* "data" O_RDONLY at offset 100 */
	FJ_REG_DUP,	/* dup of FJ_REG: one description */
	FJ_APPEND,	/* "log" O_WRONLY | O_APPEND */
	FJ_RW,		/* "rw" O_RDWR at offset 7, FD_CLOEXEC */
	FJ_DELETED,	/* "gone", unlinked, at offset 3; sparse */
	FJ_DIR,		/* the test directory, after one getdents */
	FJ_PIPE_R,	/* a pipe with "hello pipe" unread */
	FJ_PIPE_W,	/* its write end, O_NONBLOCK */
	FJ_XPIPE_R,	/* a pipe whose write end only B holds: "from B" */
	FJ_FIFO_R,	/* "fifo" O_RDONLY | O_NONBLOCK, "fifo data" unread */
	FJ_FIFO_W,	/* "fifo" O_WRONLY */
	FJ_NULL,	/* /dev/null O_WRONLY */
	FJ_ZERO,	/* /dev/zero O_RDONLY */
	FJ_EVENTFD,	/* counter 7, EFD_NONBLOCK */
	FJ_EPOLL,	/* watches FJ_PIPE_R and FJ_EVENTFD */
	FJ_SK_A,	/* stream socketpair: "pong!!" queued here */
	FJ_SK_B,	/* ... and "ping" here */
	FJ_DG_A,	/* datagram socketpair */
	FJ_DG_B,	/* "one", "", "second message" queued here */
	FJ_MEMFD,	/* "ckpt-test", 3 MiB, data at 0 and 2 MiB, sealed */
	FJ_URANDOM,	/* /dev/urandom */
	FJ_END
};
#define FJ_XPIPE_W	40	/* B's write end of the cross pipe */
#define FJ_NR_A		(FJ_END - FJ_REG)
/* B keeps FJ_REG (shared with A), FJ_PIPE_R, FJ_EVENTFD, FJ_EPOLL, FJ_XPIPE_W */
#define FJ_NR_B		5

#define FJ_REG_POS	100
#define FJ_RW_POS	7
#define FJ_DEL_POS	3
#define FJ_MEMFD_POS	123
#define FJ_MEMFD_SIZE	(3u << 20)
#define FJ_MEMFD_HI	(2u << 20)	/* second data range */
#define FJ_DEL_HI	((1u << 20) + 10)
#define FJ_UMASK	027
#define FJ_EP_PIPE	0x1111ULL
#define FJ_EP_EFD	0x2222ULL

struct fjob {
	char dir[64];
	pid_t a, b;
};

/* Byte i of the data file, the memfd and the deleted file. */
static inline uint8_t fj_byte(uint64_t i)
{
	return (uint8_t)(i * 7 + 3);
}

static void __attribute__((unused)) fj_path(const struct fjob *j,
					    const char *name, char *buf,
					    size_t size)
{
	snprintf(buf, size, "%s/%s", j->dir, name);
}

/* dup2 fd to want and close the original; -1 on failure. */
static int fj_place(int fd, int want)
{
	if (fd < 0)
		return -1;
	if (fd == want)
		return 0;
	if (dup2(fd, want) != want)
		return -1;
	close(fd);
	return 0;
}

static int fj_fill(int fd, uint64_t off, size_t len)
{
	uint8_t buf[4096];

	while (len) {
		size_t n = len < sizeof(buf) ? len : sizeof(buf);

		for (size_t i = 0; i < n; i++)
			buf[i] = fj_byte(off + i);
		if (pwrite(fd, buf, n, off) != (ssize_t)n)
			return -1;
		off += n;
		len -= n;
	}
	return 0;
}

static int fj_make_files(const struct fjob *j)
{
	char p[128];
	int fd;

	fj_path(j, "data", p, sizeof(p));
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || fj_fill(fd, 0, 4096) || close(fd))
		return -1;
	fj_path(j, "log", p, sizeof(p));
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, "line1\n", 6) != 6 || close(fd))
		return -1;
	fj_path(j, "rw", p, sizeof(p));
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, "0123456789abcdef", 16) != 16 || close(fd))
		return -1;
	fj_path(j, "fifo", p, sizeof(p));
	if (mkfifo(p, 0600))
		return -1;
	fj_path(j, "sub", p, sizeof(p));
	if (mkdir(p, 0755))
		return -1;
	/* entries for the directory offset to step over */
	for (int i = 0; i < 4; i++) {
		char q[160];

		snprintf(q, sizeof(q), "%s/entry%d", p, i);
		fd = open(q, O_WRONLY | O_CREAT, 0644);
		if (fd < 0 || close(fd))
			return -1;
	}
	return 0;
}

/* A's fds, built in A; 0 or the number of the step that failed. */
static int fj_build_a(const struct fjob *j)
{
	char p[128], dents[64];
	int sv[2], fd, n = 0;
	struct epoll_event ev;

	fj_path(j, "data", p, sizeof(p));
	n++; if (fj_place(open(p, O_RDONLY), FJ_REG)) return n;
	n++; if (lseek(FJ_REG, FJ_REG_POS, SEEK_SET) != FJ_REG_POS) return n;
	n++; if (dup2(FJ_REG, FJ_REG_DUP) != FJ_REG_DUP) return n;
	fj_path(j, "log", p, sizeof(p));
	n++; if (fj_place(open(p, O_WRONLY | O_APPEND), FJ_APPEND)) return n;
	fj_path(j, "rw", p, sizeof(p));
	n++; if (fj_place(open(p, O_RDWR), FJ_RW)) return n;
	n++; if (lseek(FJ_RW, FJ_RW_POS, SEEK_SET) != FJ_RW_POS) return n;
	n++; if (fcntl(FJ_RW, F_SETFD, FD_CLOEXEC)) return n;
	fj_path(j, "gone", p, sizeof(p));
	n++; if (fj_place(open(p, O_RDWR | O_CREAT | O_TRUNC, 0640), FJ_DELETED)) return n;
	n++; if (write(FJ_DELETED, "deleted contents", 16) != 16) return n;
	n++; if (pwrite(FJ_DELETED, "tail", 4, FJ_DEL_HI) != 4) return n;
	n++; if (unlink(p)) return n;
	n++; if (lseek(FJ_DELETED, FJ_DEL_POS, SEEK_SET) != FJ_DEL_POS) return n;
	fj_path(j, "sub", p, sizeof(p));
	n++; if (fj_place(open(p, O_RDONLY | O_DIRECTORY), FJ_DIR)) return n;
	n++; if (syscall(SYS_getdents64, FJ_DIR, dents, sizeof(dents)) <= 0) return n;
	n++; if (pipe(sv) || fj_place(sv[0], FJ_PIPE_R) || fj_place(sv[1], FJ_PIPE_W)) return n;
	n++; if (fcntl(FJ_PIPE_W, F_SETFL, O_NONBLOCK)) return n;
	n++; if (write(FJ_PIPE_W, "hello pipe", 10) != 10) return n;
	fj_path(j, "fifo", p, sizeof(p));
	n++; if (fj_place(open(p, O_RDONLY | O_NONBLOCK), FJ_FIFO_R)) return n;
	n++; if (fj_place(open(p, O_WRONLY), FJ_FIFO_W)) return n;
	n++; if (write(FJ_FIFO_W, "fifo data", 9) != 9) return n;
	n++; if (fj_place(open("/dev/null", O_WRONLY), FJ_NULL)) return n;
	n++; if (fj_place(open("/dev/zero", O_RDONLY), FJ_ZERO)) return n;
	n++; if (fj_place(eventfd(7, EFD_NONBLOCK), FJ_EVENTFD)) return n;
	n++; if (fj_place(epoll_create1(0), FJ_EPOLL)) return n;
	ev = (struct epoll_event){ .events = EPOLLIN, .data.u64 = FJ_EP_PIPE };
	n++; if (epoll_ctl(FJ_EPOLL, EPOLL_CTL_ADD, FJ_PIPE_R, &ev)) return n;
	ev = (struct epoll_event){ .events = EPOLLIN | EPOLLET, .data.u64 = FJ_EP_EFD };
	n++; if (epoll_ctl(FJ_EPOLL, EPOLL_CTL_ADD, FJ_EVENTFD, &ev)) return n;
	n++; if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) ||
		 fj_place(sv[0], FJ_SK_A) || fj_place(sv[1], FJ_SK_B)) return n;
	n++; if (send(FJ_SK_A, "ping", 4, 0) != 4) return n;
	n++; if (send(FJ_SK_B, "pong!!", 6, 0) != 6) return n;
	n++; if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) ||
		 fj_place(sv[0], FJ_DG_A) || fj_place(sv[1], FJ_DG_B)) return n;
	n++; if (send(FJ_DG_A, "one", 3, 0) != 3) return n;
	n++; if (send(FJ_DG_A, "", 0, 0) != 0) return n;
	n++; if (send(FJ_DG_A, "second message", 14, 0) != 14) return n;
	fd = memfd_create("ckpt-test", MFD_ALLOW_SEALING);
	n++; if (fj_place(fd, FJ_MEMFD)) return n;
	n++; if (ftruncate(FJ_MEMFD, FJ_MEMFD_SIZE)) return n;
	n++; if (fj_fill(FJ_MEMFD, 0, 10000) || fj_fill(FJ_MEMFD, FJ_MEMFD_HI, 5000)) return n;
	n++; if (fcntl(FJ_MEMFD, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW)) return n;
	n++; if (lseek(FJ_MEMFD, FJ_MEMFD_POS, SEEK_SET) != FJ_MEMFD_POS) return n;
	n++; if (fj_place(open("/dev/urandom", O_RDONLY), FJ_URANDOM)) return n;
	fj_path(j, "sub", p, sizeof(p));
	n++; if (chdir(p)) return n;
	umask(FJ_UMASK);
	return 0;
}

static int fj_read_is(int fd, const char *want, size_t len)
{
	char buf[64];

	return read(fd, buf, sizeof(buf)) == (ssize_t)len && !memcmp(buf, want, len);
}

static int fj_recv_is(int fd, const char *want, size_t len)
{
	char buf[64];

	return recv(fd, buf, sizeof(buf), MSG_DONTWAIT) == (ssize_t)len &&
	       !memcmp(buf, want, len);
}

/* A, after the capture: everything as built, nothing consumed or moved. */
static int fj_check_a(void)
{
	uint64_t v = 0;
	int n = 0, off = -2;
	socklen_t len = sizeof(off);

	n++; if (lseek(FJ_REG, 0, SEEK_CUR) != FJ_REG_POS) return n;
	n++; if (lseek(FJ_RW, 0, SEEK_CUR) != FJ_RW_POS) return n;
	n++; if (lseek(FJ_DELETED, 0, SEEK_CUR) != FJ_DEL_POS) return n;
	n++; if (lseek(FJ_MEMFD, 0, SEEK_CUR) != FJ_MEMFD_POS) return n;
	n++; if (getsockopt(FJ_SK_B, SOL_SOCKET, SO_PEEK_OFF, &off, &len) || off != -1) return n;
	n++; if (!fj_read_is(FJ_PIPE_R, "hello pipe", 10)) return n;
	n++; if (!fj_read_is(FJ_XPIPE_R, "from B", 6)) return n;
	n++; if (!fj_read_is(FJ_FIFO_R, "fifo data", 9)) return n;
	n++; if (!fj_recv_is(FJ_SK_B, "ping", 4)) return n;
	n++; if (!fj_recv_is(FJ_SK_A, "pong!!", 6)) return n;
	n++; if (!fj_recv_is(FJ_DG_B, "one", 3)) return n;
	n++; if (!fj_recv_is(FJ_DG_B, "", 0)) return n;
	n++; if (!fj_recv_is(FJ_DG_B, "second message", 14)) return n;
	n++; if (read(FJ_EVENTFD, &v, 8) != 8 || v != 7) return n;
	return 0;
}

/* Waits until pid is stopped (state T); 0 or -1 after 10 s. */
static int fj_wait_stopped(pid_t pid)
{
	for (int i = 0; i < 1000; i++) {
		char p[64], buf[256], *s;
		FILE *f;

		snprintf(p, sizeof(p), "/proc/%d/stat", (int)pid);
		f = fopen(p, "re");
		if (!f)
			return -1;
		s = fgets(buf, sizeof(buf), f);
		fclose(f);
		s = s ? strrchr(buf, ')') : NULL;
		if (s && (s[2] == 'T' || s[2] == 't'))
			return 0;
		usleep(10000);
	}
	return -1;
}

/* The child's side of a job process: report ready, wait for SIGUSR1. */
static void fj_ready_and_wait(int status_fd)
{
	pid_t me = getpid();
	sigset_t set;
	int sig;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	if (write(status_fd, &me, sizeof(me)) != sizeof(me))
		_exit(120);
	close(status_fd);
	sigwait(&set, &sig);
}

/* A job process dies with its parent, whatever the test does. */
static void fj_die_with_parent(pid_t parent)
{
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != parent)
		_exit(126);
}

static void fj_block_usr1(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
}

static void __attribute__((noreturn)) fj_run_b(int status_fd, int xw)
{
	/* B keeps what it shares with A, and the cross pipe's write end */
	for (int fd = 0; fd < status_fd; fd++)
		if (fd != xw && fd != FJ_REG && fd != FJ_PIPE_R &&
		    fd != FJ_EVENTFD && fd != FJ_EPOLL)
			close(fd);
	if (fj_place(xw, FJ_XPIPE_W) || write(FJ_XPIPE_W, "from B", 6) != 6)
		_exit(110);
	fj_ready_and_wait(status_fd);
	_exit(0);
}

static void __attribute__((noreturn)) fj_run_a(const struct fjob *j, int status_fd)
{
	int x[2], ret, st;
	pid_t a, b;

	fj_block_usr1();
	/* only the fds built here, and the status pipe at 60 */
	if (status_fd != 60 && fj_place(status_fd, 60))
		_exit(100);
	status_fd = 60;
	close_range(0, status_fd - 1, 0);
	close_range(status_fd + 1, ~0U, 0);
	ret = fj_build_a(j);
	if (ret)
		_exit(ret);
	if (pipe(x) || fj_place(x[0], FJ_XPIPE_R))
		_exit(101);
	a = getpid();
	b = fork();
	if (b < 0)
		_exit(102);
	if (!b) {
		fj_die_with_parent(a);
		fj_run_b(status_fd, x[1]);
	}
	close(x[1]);
	fj_ready_and_wait(status_fd);
	if (waitpid(b, &st, 0) != b || !WIFEXITED(st) || WEXITSTATUS(st))
		_exit(103);
	ret = fj_check_a();
	_exit(ret ? 50 + ret : 0);
}

static void fj_cleanup(struct fjob *j);

/*
 * Starts the job; both processes are stopped when it returns 0.  On
 * failure nothing is left running (fj_cleanup() is done).
 */
static int __attribute__((unused)) fj_start(struct fjob *j)
{
	int st[2];
	pid_t pids[4], me;
	size_t got = 0;

	memset(j, 0, sizeof(*j));
	if (th_tmpdir(j->dir, sizeof(j->dir), "ckpt-files")) {
		j->dir[0] = '\0';
		return -1;
	}
	if (fj_make_files(j) || pipe2(st, O_CLOEXEC)) {
		fj_cleanup(j);
		return -1;
	}
	me = getpid();
	j->a = fork();
	if (j->a < 0) {
		j->a = 0;
		close(st[0]);
		close(st[1]);
		fj_cleanup(j);
		return -1;
	}
	if (!j->a) {
		fj_die_with_parent(me);
		close(st[0]);
		fj_run_a(j, st[1]);
	}
	close(st[1]);
	/* to the end of file: both have closed their status fd */
	for (;;) {
		ssize_t n = read(st[0], (char *)pids + got, sizeof(pids) - got);

		if (n <= 0)
			break;
		got += n;
	}
	close(st[0]);
	if (got != 2 * sizeof(pid_t)) {
		int status = 0;

		/* A failed while building: its exit status says where */
		waitpid(j->a, &status, 0);
		fprintf(stderr, "# job process A exited with %d while building its fds\n",
			WIFEXITED(status) ? WEXITSTATUS(status) : -1);
		j->a = 0;
		fj_cleanup(j);
		return -1;
	}
	j->b = pids[0] == j->a ? pids[1] : pids[0];
	if (kill(j->a, SIGSTOP) || kill(j->b, SIGSTOP) ||
	    fj_wait_stopped(j->a) || fj_wait_stopped(j->b)) {
		fj_cleanup(j);
		return -1;
	}
	return 0;
}

/* Lets the job go on; returns A's exit status (0: its state was intact). */
static int __attribute__((unused)) fj_finish(struct fjob *j)
{
	int st = 0;

	kill(j->a, SIGCONT);
	kill(j->b, SIGCONT);
	kill(j->b, SIGUSR1);
	kill(j->a, SIGUSR1);
	if (waitpid(j->a, &st, 0) != j->a)
		return -1;
	j->a = j->b = 0;	/* A reaped B before it exited */
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* Kills what is left of the job and removes its files; idempotent. */
static void __attribute__((unused)) fj_cleanup(struct fjob *j)
{
	if (j->b > 0)
		kill(j->b, SIGKILL);
	if (j->a > 0) {
		kill(j->a, SIGKILL);
		waitpid(j->a, NULL, 0);
	}
	j->a = j->b = 0;
	if (j->dir[0] && strncmp(j->dir, "/tmp/ckpt-files-", 16) == 0) {
		th_rmtree(j->dir);
		j->dir[0] = '\0';
	}
}

/* Where fj_spawn() puts the fd it is asked to pass on. */
#define FJ_PASSED	50

/*
 * A one-process job: setup(arg) builds its fds (returns 0, else the exit
 * code), then it waits for SIGUSR1.  Nothing is inherited except pass (if
 * >= 0), which it finds at FJ_PASSED.  Stopped when fj_spawn() returns.
 */
static pid_t __attribute__((unused)) fj_spawn(int (*setup)(void *), void *arg,
					      int pass)
{
	pid_t pid, got, me = getpid();
	int st[2];

	if (pipe2(st, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		int ret;

		fj_die_with_parent(me);
		fj_block_usr1();
		/* nothing inherited: only what setup() opens (and 60) */
		if (st[1] != 60 && fj_place(st[1], 60))
			_exit(100);
		if (pass >= 0 && pass != FJ_PASSED && dup2(pass, FJ_PASSED) != FJ_PASSED)
			_exit(100);
		close_range(0, FJ_PASSED - 1, 0);
		if (pass < 0)
			close(FJ_PASSED);
		close_range(FJ_PASSED + 1, 59, 0);
		close_range(61, ~0U, 0);
		ret = setup(arg);
		if (ret)
			_exit(ret);
		fj_ready_and_wait(60);
		_exit(0);
	}
	close(st[1]);
	/* the pid, then the end of file: its status fd is closed */
	if (read(st[0], &got, sizeof(got)) != sizeof(got) || got != pid ||
	    read(st[0], &got, sizeof(got)) != 0 ||
	    kill(pid, SIGSTOP) || fj_wait_stopped(pid)) {
		close(st[0]);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return -1;
	}
	close(st[0]);
	return pid;
}

/* Ends a job process of fj_spawn(); returns its exit status. */
static int __attribute__((unused)) fj_end(pid_t pid)
{
	int st = 0;

	kill(pid, SIGCONT);
	kill(pid, SIGUSR1);
	if (waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

#endif /* FILES_JOB_H */
