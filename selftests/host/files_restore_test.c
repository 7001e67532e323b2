// SPDX-License-Identifier: GPL-2.0
/*
 * tools/ckpt-restore/restore_files*: a job captured by daemon/capture is
 * recreated by prepare (in the test, the controller) and apply (in two
 * forked processes standing for the restored ones), which then check every
 * fd they got — number, flags, offset, contents, pipe and socket data,
 * eventfd counter, epoll interest list, descriptions shared with each
 * other — and report what differs through a pipe the test reads.
 */
#include <stdarg.h>
#include <sys/ioctl.h>
#include <sys/sysmacros.h>
#include <netinet/in.h>
#include <linux/kcmp.h>

#include "capture.h"
#include "files_job.h"
#include "files_records.h"
#include "files.h"
#include "kselftest_harness.h"

#define BASE		200	/* the pool starts here */
#define REPORT_FD	150	/* kept by the restored processes */
#define SYNC_R		151	/* A tells B when to go */
#define SYNC_W		152

/* --- in the restored processes ----------------------------------------- */

static int failures;

static void __attribute__((format(printf, 2, 3))) report(int line, const char *fmt, ...)
{
	char buf[512];
	int n = snprintf(buf, sizeof(buf), "pid %d line %d: ", (int)getpid(), line);
	va_list ap;

	va_start(ap, fmt);
	n += vsnprintf(buf + n, sizeof(buf) - n - 1, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(buf) - 2)
		n = sizeof(buf) - 2;
	buf[n++] = '\n';
	if (write(REPORT_FD, buf, n) < 0)
		_exit(99);
	failures++;
}

#define CHECK(cond, ...) do { if (!(cond)) report(__LINE__, __VA_ARGS__); } while (0)

static int getfl(int fd)
{
	return fcntl(fd, F_GETFL);
}

static bool cloexec(int fd)
{
	return fcntl(fd, F_GETFD) & FD_CLOEXEC;
}

static off_t pos(int fd)
{
	return lseek(fd, 0, SEEK_CUR);
}

static bool reads(int fd, const char *want, size_t len)
{
	char buf[64];

	return read(fd, buf, sizeof(buf)) == (ssize_t)len && !memcmp(buf, want, len);
}

static bool recvs(int fd, const char *want, size_t len)
{
	char buf[64];

	return recv(fd, buf, sizeof(buf), MSG_DONTWAIT) == (ssize_t)len &&
	       !memcmp(buf, want, len);
}

static bool pattern_at(int fd, uint64_t off, size_t len)
{
	uint8_t buf[4096];

	while (len) {
		size_t n = len < sizeof(buf) ? len : sizeof(buf);

		if (pread(fd, buf, n, off) != (ssize_t)n)
			return false;
		for (size_t i = 0; i < n; i++)
			if (buf[i] != fj_byte(off + i))
				return false;
		off += n;
		len -= n;
	}
	return true;
}

/* The open fds of this process, except the one reading them. */
static int open_fds(int *v, int max)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)) && n < max) {
		int fd = atoi(e->d_name);

		if (e->d_name[0] != '.' && fd != dirfd(d))
			v[n++] = fd;
	}
	closedir(d);
	return n;
}

static bool same_set(const int *want, int nw)
{
	int got[128], n = open_fds(got, 128);

	if (n != nw) {
		char list[256];
		int len = 0;

		for (int i = 0; i < n && len < 200; i++) {
			char p[64], l[64] = "";

			snprintf(p, sizeof(p), "/proc/self/fd/%d", got[i]);
			if (readlink(p, l, sizeof(l) - 1) < 0)
				strcpy(l, "?");
			len += snprintf(list + len, sizeof(list) - len, " %d=%s", got[i], l);
		}
		report(__LINE__, "open fds:%s", list);
		return false;
	}
	for (int i = 0; i < nw; i++) {
		bool found = false;

		for (int j = 0; j < n; j++)
			found |= got[j] == want[i];
		if (!found)
			return false;
	}
	return true;
}

/* From /proc/self/fdinfo/<fd>: the value of key (hex if hex), or -1. */
static long long fdinfo(int fd, const char *key, bool hex)
{
	char p[64], line[256];
	long long v = -1;
	size_t kl = strlen(key);
	FILE *f;

	snprintf(p, sizeof(p), "/proc/self/fdinfo/%d", fd);
	f = fopen(p, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, kl) && line[kl] == ':')
			v = strtoll(line + kl + 1, NULL, hex ? 16 : 0);
	fclose(f);
	return v;
}

/* The epoll entry for tfd in fdinfo: events and data; false if absent. */
static bool epoll_entry(int epfd, int tfd, unsigned int *events,
			unsigned long long *data, int *count)
{
	char p[64], line[256];
	bool found = false;
	FILE *f;

	*count = 0;
	snprintf(p, sizeof(p), "/proc/self/fdinfo/%d", epfd);
	f = fopen(p, "re");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		int t;
		unsigned int ev;
		unsigned long long d;

		if (sscanf(line, "tfd: %d events: %x data: %llx", &t, &ev, &d) != 3)
			continue;
		(*count)++;
		if (t == tfd) {
			*events = ev;
			*data = d;
			found = true;
		}
	}
	fclose(f);
	return found;
}

static bool same_description(pid_t other, int fd)
{
	return syscall(SYS_kcmp, getpid(), other, KCMP_FILE, fd, fd) == 0;
}

static void check_epoll(void)
{
	struct epoll_event ev[4];
	unsigned long long data = 0;
	unsigned int events = 0;
	int n = 0, count = 0;

	CHECK(epoll_entry(FJ_EPOLL, FJ_PIPE_R, &events, &data, &count),
	      "no epoll entry for the pipe");
	CHECK((events & ~(EPOLLERR | EPOLLHUP)) == EPOLLIN && data == FJ_EP_PIPE,
	      "pipe entry: events %#x data %#llx", events, data);
	CHECK(epoll_entry(FJ_EPOLL, FJ_EVENTFD, &events, &data, &count),
	      "no epoll entry for the eventfd");
	CHECK((events & ~(EPOLLERR | EPOLLHUP)) == (EPOLLIN | EPOLLET) &&
	      data == FJ_EP_EFD, "eventfd entry: events %#x data %#llx", events, data);
	CHECK(count == 2, "%d epoll entries, want 2", count);
	n = epoll_wait(FJ_EPOLL, ev, 4, 0);
	CHECK(n == 2, "epoll_wait: %d ready, want 2 (pipe and eventfd)", n);
}

static void check_files(const struct fjob *j, const struct ckptd_recbuf *rb)
{
	const struct ckpt_rec_fd *dir = fr_fd(rb, 1, FJ_DIR);
	char p[128], link[160], buf[16];
	struct stat st, want;
	uint64_t v = 0;

	/* shared offset between a dup'ed pair */
	CHECK((getfl(FJ_REG) & O_ACCMODE) == O_RDONLY, "data: flags %#o", getfl(FJ_REG));
	CHECK(pos(FJ_REG) == FJ_REG_POS, "data: offset %lld", (long long)pos(FJ_REG));
	CHECK(pattern_at(FJ_REG, FJ_REG_POS, 100), "data: contents");
	CHECK(read(FJ_REG_DUP, buf, 8) == 8 && (uint8_t)buf[0] == fj_byte(FJ_REG_POS) &&
	      (uint8_t)buf[7] == fj_byte(FJ_REG_POS + 7), "data dup: read");
	CHECK(pos(FJ_REG) == FJ_REG_POS + 8, "data: offset not shared with its dup (%lld)",
	      (long long)pos(FJ_REG));
	CHECK(lseek(FJ_REG, FJ_REG_POS, SEEK_SET) == FJ_REG_POS, "data: lseek back");
	CHECK((getfl(FJ_APPEND) & (O_ACCMODE | O_APPEND)) == (O_WRONLY | O_APPEND),
	      "log: flags %#o", getfl(FJ_APPEND));
	CHECK(write(FJ_APPEND, "x", 1) == 1, "log: write");
	fj_path(j, "log", p, sizeof(p));
	CHECK(!stat(p, &st) && st.st_size == 7, "log: appended at the end");
	CHECK((getfl(FJ_RW) & O_ACCMODE) == O_RDWR, "rw: flags");
	CHECK(pos(FJ_RW) == FJ_RW_POS, "rw: offset %lld", (long long)pos(FJ_RW));
	CHECK(reads(FJ_RW, "789abcdef", 9), "rw: contents");

	/* the deleted file */
	CHECK(!fstat(FJ_DELETED, &st) && st.st_nlink == 0 &&
	      st.st_size == FJ_DEL_HI + 4 && (st.st_mode & 07777) == 0640,
	      "deleted: nlink %lu size %lld mode %o", (unsigned long)st.st_nlink,
	      (long long)st.st_size, st.st_mode & 07777);
	CHECK(pos(FJ_DELETED) == FJ_DEL_POS, "deleted: offset %lld",
	      (long long)pos(FJ_DELETED));
	CHECK(pread(FJ_DELETED, link, 16, 0) == 16 && !memcmp(link, "deleted contents", 16),
	      "deleted: contents at 0");
	CHECK(pread(FJ_DELETED, link, 4, FJ_DEL_HI) == 4 && !memcmp(link, "tail", 4),
	      "deleted: contents at the end");
	CHECK(pread(FJ_DELETED, &v, 8, 4096 * 8) == 8 && v == 0, "deleted: hole");
	CHECK((getfl(FJ_DELETED) & O_ACCMODE) == O_RDWR, "deleted: flags");

	/* the directory, at its readdir position */
	fj_path(j, "sub", p, sizeof(p));
	CHECK(!fstat(FJ_DIR, &st) && !stat(p, &want) && st.st_ino == want.st_ino,
	      "dir: another inode");
	CHECK(dir && pos(FJ_DIR) == (off_t)dir->pos, "dir: offset %lld",
	      (long long)pos(FJ_DIR));

	/* devices */
	CHECK(!fstat(FJ_NULL, &st) && st.st_rdev == makedev(1, 3) &&
	      (getfl(FJ_NULL) & O_ACCMODE) == O_WRONLY, "null");
	CHECK(!fstat(FJ_ZERO, &st) && st.st_rdev == makedev(1, 5) &&
	      read(FJ_ZERO, &v, 8) == 8 && v == 0, "zero");
	CHECK(!fstat(FJ_URANDOM, &st) && st.st_rdev == makedev(1, 9), "urandom");

	/* the memfd */
	snprintf(p, sizeof(p), "/proc/self/fd/%d", FJ_MEMFD);
	memset(link, 0, sizeof(link));
	CHECK(readlink(p, link, sizeof(link) - 1) > 0 &&
	      !strcmp(link, "/memfd:ckpt-test (deleted)"), "memfd: link %s", link);
	CHECK(!fstat(FJ_MEMFD, &st) && st.st_size == FJ_MEMFD_SIZE, "memfd: size");
	CHECK(fcntl(FJ_MEMFD, F_GET_SEALS) == (F_SEAL_SHRINK | F_SEAL_GROW),
	      "memfd: seals %#x", fcntl(FJ_MEMFD, F_GET_SEALS));
	CHECK(pos(FJ_MEMFD) == FJ_MEMFD_POS, "memfd: offset");
	CHECK(pattern_at(FJ_MEMFD, 0, 10000) &&
	      pattern_at(FJ_MEMFD, FJ_MEMFD_HI, 5000), "memfd: contents");
	CHECK(pread(FJ_MEMFD, &v, 8, 1 << 20) == 8 && v == 0, "memfd: hole");
}

static void check_queues(void)
{
	uint64_t v = 0;

	CHECK(fdinfo(FJ_EVENTFD, "eventfd-count", true) == 7, "eventfd: counter %lld",
	      fdinfo(FJ_EVENTFD, "eventfd-count", true));
	CHECK(getfl(FJ_EVENTFD) & O_NONBLOCK, "eventfd: not O_NONBLOCK");
	CHECK(read(FJ_EVENTFD, &v, 8) == 8 && v == 7, "eventfd: read %llu",
	      (unsigned long long)v);

	/* the pipe: its data, then it is one pipe */
	CHECK((getfl(FJ_PIPE_R) & (O_ACCMODE | O_NONBLOCK)) == O_RDONLY, "pipe r: flags");
	CHECK((getfl(FJ_PIPE_W) & (O_ACCMODE | O_NONBLOCK)) == (O_WRONLY | O_NONBLOCK),
	      "pipe w: flags");
	CHECK(reads(FJ_PIPE_R, "hello pipe", 10), "pipe: unread data");
	CHECK(write(FJ_PIPE_W, "more", 4) == 4 && reads(FJ_PIPE_R, "more", 4),
	      "pipe: ends not connected");
	CHECK(reads(FJ_XPIPE_R, "from B", 6), "cross pipe: unread data");
	CHECK(reads(FJ_FIFO_R, "fifo data", 9), "fifo: unread data");
	CHECK(write(FJ_FIFO_W, "w", 1) == 1 && reads(FJ_FIFO_R, "w", 1),
	      "fifo: ends not connected");
	CHECK(getfl(FJ_FIFO_R) & O_NONBLOCK, "fifo r: not O_NONBLOCK");

	/* sockets: queued data both ways, then still a pair */
	CHECK(recvs(FJ_SK_B, "ping", 4), "stream b: queued data");
	CHECK(recvs(FJ_SK_A, "pong!!", 6), "stream a: queued data");
	CHECK(send(FJ_SK_A, "again", 5, 0) == 5 && recvs(FJ_SK_B, "again", 5),
	      "stream: not a pair");
	CHECK(recvs(FJ_DG_B, "one", 3), "dgram: first message");
	CHECK(recvs(FJ_DG_B, "", 0), "dgram: empty message");
	CHECK(recvs(FJ_DG_B, "second message", 14), "dgram: third message");
	CHECK(recv(FJ_DG_B, &v, 8, MSG_DONTWAIT) < 0 && errno == EAGAIN,
	      "dgram: more messages than queued");
	CHECK(send(FJ_DG_B, "back", 4, 0) == 4 && recvs(FJ_DG_A, "back", 4),
	      "dgram: not a pair");
}

static void __attribute__((noreturn)) restored_b(struct rst_files *rf)
{
	static const int keep[] = { REPORT_FD, SYNC_R };
	static const int want[] = {
		FJ_REG, FJ_PIPE_R, FJ_EVENTFD, FJ_EPOLL, FJ_XPIPE_W, REPORT_FD, SYNC_R,
	};
	struct ckpt_err err = { 0 };
	unsigned long long data;
	unsigned int events;
	char c, buf[10];
	int count;

	if (rst_files_apply(rf, 2, keep, 2, &err)) {
		report(__LINE__, "apply: %s", err.msg);
		_exit(1);
	}
	CHECK(same_set(want, 7), "not exactly its fds");
	/* A has applied its records when it says go */
	CHECK(read(SYNC_R, &c, 1) == 1, "sync");
	CHECK(same_description(getppid(), FJ_REG), "data: description not shared with A");
	CHECK(same_description(getppid(), FJ_EPOLL), "epoll: not shared with A");
	CHECK(same_description(getppid(), FJ_EVENTFD), "eventfd: not shared with A");
	CHECK(epoll_entry(FJ_EPOLL, FJ_PIPE_R, &events, &data, &count) && count == 2,
	      "epoll: %d entries", count);
	CHECK(read(FJ_REG, buf, 10) == 10, "data: read");
	CHECK(write(FJ_XPIPE_W, "B2", 2) == 2, "cross pipe: write");
	_exit(failures ? 1 : 0);
}

static void __attribute__((noreturn)) restored_a(struct rst_files *rf,
						 const struct fjob *j,
						 const struct ckptd_recbuf *rb)
{
	static const int keep[] = { REPORT_FD, SYNC_W };
	struct ckpt_err err = { 0 };
	int want[FJ_NR_A + 2], st, sp[2];
	char cwd[160], p[128];
	pid_t b;

	/* B is forked first: it inherits the pool that apply closes */
	if (pipe(sp) || dup2(sp[0], SYNC_R) != SYNC_R || dup2(sp[1], SYNC_W) != SYNC_W)
		_exit(2);
	b = fork();
	if (b < 0)
		_exit(3);
	if (!b)
		restored_b(rf);
	if (rst_files_apply(rf, 1, keep, 2, &err)) {
		report(__LINE__, "apply: %s", err.msg);
		_exit(1);
	}
	for (int i = 0; i < FJ_NR_A; i++)
		want[i] = FJ_REG + i;
	want[FJ_NR_A] = REPORT_FD;
	want[FJ_NR_A + 1] = SYNC_W;
	CHECK(same_set(want, FJ_NR_A + 2), "not exactly its fds");
	for (int fd = FJ_REG; fd < FJ_END; fd++)
		CHECK(cloexec(fd) == (fd == FJ_RW), "fd %d: FD_CLOEXEC wrong", fd);
	fj_path(j, "sub", p, sizeof(p));
	CHECK(getcwd(cwd, sizeof(cwd)) && !strcmp(cwd, p), "cwd %s", cwd);
	CHECK(umask(0) == FJ_UMASK, "umask");
	check_epoll();
	check_files(j, rb);
	check_queues();
	/* B reads from the shared data description, writes to the cross pipe */
	CHECK(write(SYNC_W, "g", 1) == 1, "sync");
	CHECK(waitpid(b, &st, 0) == b && WIFEXITED(st) && !WEXITSTATUS(st),
	      "B failed");
	CHECK(pos(FJ_REG) == FJ_REG_POS + 10, "data: offset not shared with B (%lld)",
	      (long long)pos(FJ_REG));
	CHECK(reads(FJ_XPIPE_R, "B2", 2), "cross pipe: B's end is another pipe");
	_exit(failures ? 1 : 0);
}

/* --- in the test -------------------------------------------------------- */

/*
 * Runs restored(rf, ...) in a child with REPORT_FD open; returns what it
 * reported ("" if nothing) in buf and its exit status.
 */
static int run_restored(struct rst_files *rf, void (*fn)(struct rst_files *, void *),
			void *arg, char *buf, size_t size)
{
	size_t got = 0;
	int rp[2], st = 0;
	pid_t pid;

	if (pipe2(rp, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		if (dup2(rp[1], REPORT_FD) != REPORT_FD)
			_exit(4);
		fn(rf, arg);
		_exit(5);
	}
	close(rp[1]);
	for (;;) {
		ssize_t n = read(rp[0], buf + got, size - 1 - got);

		if (n <= 0)
			break;
		got += n;
	}
	buf[got] = '\0';
	close(rp[0]);
	if (waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

struct job_arg {
	const struct fjob *j;
	const struct ckptd_recbuf *rb;
};

static void run_a(struct rst_files *rf, void *arg)
{
	struct job_arg *a = arg;

	restored_a(rf, a->j, a->rb);
}

/* A job, its records, and what prepare made of them; cleaned up always. */
FIXTURE(job) {
	struct fjob j;
	struct ckptd_recbuf rb;
	struct ckpt_err cerr;
	struct ckpt_err err;
	struct rst_files *rf;
};

FIXTURE_SETUP(job)
{
	ASSERT_EQ(0, fj_start(&self->j));
}

FIXTURE_TEARDOWN(job)
{
	rst_files_cleanup(self->rf);
	fj_cleanup(&self->j);
	ckptd_recbuf_free(&self->rb);
}

TEST_F(job, recreated)
{
	struct rst_files_opts o = { .base_fd = BASE };
	struct job_arg arg = { &self->j, &self->rb };
	char rep[8192];
	int before, pool, ret;
	struct stat st;

	ret = fr_capture(self->j.a, self->j.b, NULL, &self->rb, &self->cerr);
	/* the originals read their data and go: the restore starts afresh */
	EXPECT_EQ(0, fj_finish(&self->j));
	ASSERT_EQ(0, ret) TH_LOG("%s", self->cerr.msg);

	before = th_count_fds();
	ASSERT_EQ(0, rst_files_prepare(self->rb.buf, self->rb.len, &o, &self->rf,
				       &self->err)) TH_LOG("%s", self->err.msg);
	/* one pool fd per description, all at BASE or above */
	pool = rst_files_pool_fd(self->rf, 1, FJ_MEMFD);
	EXPECT_LE(BASE, pool);
	EXPECT_EQ(0, fstat(pool, &st));
	EXPECT_EQ(FJ_MEMFD_SIZE, st.st_size);
	EXPECT_EQ(rst_files_pool_fd(self->rf, 1, FJ_REG),
		  rst_files_pool_fd(self->rf, 2, FJ_REG));
	EXPECT_EQ(-1, rst_files_pool_fd(self->rf, 1, 3));
	EXPECT_EQ(-1, rst_files_pool_fd(self->rf, 3, FJ_REG));
	EXPECT_TRUE(cloexec(pool));

	ret = run_restored(self->rf, run_a, &arg, rep, sizeof(rep));
	rst_files_cleanup(self->rf);
	self->rf = NULL;
	EXPECT_STREQ("", rep);
	EXPECT_EQ(0, ret);
	EXPECT_EQ(before, th_count_fds());
}

/* --- stand-ins: terminal, /dev/null, closed, O_PATH, outside ends ----- */

#define SI_TTY		3	/* a pty slave */
#define SI_INET		4	/* unsupported: /dev/null by option */
#define SI_INET2	5	/* closed by a rule */
#define SI_OPATH	6	/* O_PATH of a regular file */
#define SI_PAIR		8	/* socketpair end whose peer a rule closes */
#define SI_PAIR_PEER	9
/* FJ_PASSED: a pipe's read end, its writer outside the job */

struct standin_arg {
	char tty[64];
	char file[128];
};

static int make_standins(void *arg)
{
	struct standin_arg *a = arg;
	int sv[2];

	if (fj_place(open(a->tty, O_RDWR | O_NOCTTY), SI_TTY) ||
	    fj_place(socket(AF_INET, SOCK_STREAM, 0), SI_INET) ||
	    fj_place(socket(AF_INET, SOCK_DGRAM, 0), SI_INET2) ||
	    fj_place(open(a->file, O_PATH), SI_OPATH) ||
	    socketpair(AF_UNIX, SOCK_STREAM, 0, sv) ||
	    fj_place(sv[0], SI_PAIR) || fj_place(sv[1], SI_PAIR_PEER) ||
	    send(SI_PAIR_PEER, "to8", 3, 0) != 3)
		return 1;
	return 0;
}

static void check_standins(struct rst_files *rf, void *arg)
{
	static const int keep[] = { REPORT_FD };
	static const int want[] = {
		SI_TTY, SI_INET, SI_OPATH, SI_PAIR, FJ_PASSED, REPORT_FD,
	};
	struct standin_arg *a = arg;
	struct ckpt_err err = { 0 };
	struct stat st, file;
	int expect_tty = 0, fd;
	char buf[16];

	/* the terminal rule, evaluated here as in the controller */
	fd = open("/dev/tty", O_RDWR | O_NOCTTY);
	if (fd >= 0) {
		expect_tty = 1;
		close(fd);
	}
	for (int i = 0; i < 3; i++)
		expect_tty |= isatty(i);
	if (rst_files_apply(rf, 1, keep, 1, &err)) {
		report(__LINE__, "apply: %s", err.msg);
		_exit(1);
	}
	CHECK(same_set(want, 6), "not exactly its fds");
	if (expect_tty)
		CHECK(isatty(SI_TTY), "tty: not a terminal though the restorer has one");
	else
		CHECK(!fstat(SI_TTY, &st) && st.st_rdev == makedev(1, 3),
		      "tty: not /dev/null though the restorer has no terminal");
	CHECK((getfl(SI_TTY) & O_ACCMODE) == O_RDWR, "tty: flags");
	CHECK(!fstat(SI_INET, &st) && st.st_rdev == makedev(1, 3) &&
	      (getfl(SI_INET) & O_ACCMODE) == O_RDWR, "inet: not /dev/null O_RDWR");
	CHECK(fcntl(SI_INET2, F_GETFD) < 0 && errno == EBADF, "closed fd is open");
	CHECK(getfl(SI_OPATH) & O_PATH, "O_PATH lost");
	CHECK(!fstat(SI_OPATH, &st) && !stat(a->file, &file) && st.st_ino == file.st_ino,
	      "O_PATH: another file");
	CHECK(recvs(SI_PAIR, "to8", 3), "pair: queued data");
	CHECK(recv(SI_PAIR, buf, sizeof(buf), MSG_DONTWAIT) == 0,
	      "pair: no end of file though its peer was closed");
	CHECK(read(FJ_PASSED, buf, sizeof(buf)) == 7 && !memcmp(buf, "outside", 7),
	      "pipe from outside: data");
	CHECK(read(FJ_PASSED, buf, sizeof(buf)) == 0,
	      "pipe from outside: no end of file after the data");
	_exit(failures ? 1 : 0);
}

TEST(standins_and_outside_ends)
{
	struct ckptd_capture_rule rules[2] = {
		{ .fd = SI_INET2, .action = CKPTD_CAPTURE_CLOSE },
		{ .fd = SI_PAIR_PEER, .action = CKPTD_CAPTURE_CLOSE },
	};
	struct ckptd_capture_opts co = {
		.unsupported = CKPTD_CAPTURE_DEVNULL, .rules = rules, .nr_rules = 2,
	};
	struct rst_files_opts o = { .base_fd = BASE };
	struct standin_arg a;
	struct ckptd_recbuf rb = { 0 };
	struct ckpt_err cerr = { 0 };
	struct ckpt_err err = { 0 };
	struct rst_files *rf = NULL;
	const struct ckpt_rec_fd *r;
	char rep[4096];
	int master, p[2], ret;
	pid_t pid;

	master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	ASSERT_LE(0, master);
	ASSERT_EQ(0, grantpt(master));
	ASSERT_EQ(0, unlockpt(master));
	ASSERT_EQ(0, ptsname_r(master, a.tty, sizeof(a.tty)));
	strcpy(a.file, "/etc/hostname");
	if (access(a.file, F_OK))
		strcpy(a.file, "/etc/passwd");
	ASSERT_EQ(0, pipe2(p, O_CLOEXEC));
	ASSERT_EQ(7, write(p[1], "outside", 7));
	pid = fj_spawn(make_standins, &a, p[0]);
	ASSERT_LT(0, pid);
	close(p[0]);
	rules[0].pid = rules[1].pid = pid;
	ret = fr_capture(pid, 0, &co, &rb, &cerr);
	EXPECT_EQ(0, fj_end(pid));
	close(p[1]);		/* the writer outside the job is gone */
	ASSERT_EQ(0, ret) TH_LOG("%s", cerr.msg);
	r = fr_fd(&rb, 1, SI_TTY);
	ASSERT_NE(NULL, r);
	EXPECT_EQ(CKPT_FD_TTY, r->type);
	EXPECT_STREQ(a.tty, r->path);

	ASSERT_EQ(0, rst_files_prepare(rb.buf, rb.len, &o, &rf, &err))
		TH_LOG("%s", err.msg);
	ret = run_restored(rf, check_standins, &a, rep, sizeof(rep));
	rst_files_cleanup(rf);
	EXPECT_STREQ("", rep);
	EXPECT_EQ(0, ret);
	close(master);
	ckptd_recbuf_free(&rb);
}

/* --- a chrooted process: paths as the capturer saw them ---------------- */

struct chroot_arg {
	char dir[64];
	ino_t ino;		/* of dir */
};

static int make_chrooted(void *arg)
{
	struct chroot_arg *a = arg;

	if (chroot(a->dir) || chdir("/sub") ||
	    fj_place(open("/data", O_RDONLY), 3) || lseek(3, 9, SEEK_SET) != 9)
		return 1;
	return 0;
}

static void check_chrooted(struct rst_files *rf, void *arg)
{
	static const int keep[] = { REPORT_FD };
	struct chroot_arg *a = arg;
	struct ckpt_err err = { 0 };
	struct stat in, out, root;
	char cwd[128];

	if (rst_files_apply(rf, 1, keep, 1, &err)) {
		report(__LINE__, "apply: %s", err.msg);
		_exit(1);
	}
	CHECK(getcwd(cwd, sizeof(cwd)) && !strcmp(cwd, "/sub"), "cwd %s", cwd);
	/* no /proc in there: the root is known by its inode */
	CHECK(!stat("/", &root) && root.st_ino == a->ino, "root is not %s", a->dir);
	CHECK(!stat("/data", &in) && !fstat(3, &out) && in.st_ino == out.st_ino,
	      "fd 3 is not /data inside the root");
	CHECK(pos(3) == 9, "offset %lld", (long long)pos(3));
	_exit(failures ? 1 : 0);
}

TEST_F(job, chrooted_process)
{
	struct rst_files_opts o = { .base_fd = BASE };
	const struct ckpt_rec_fs *fs;
	struct chroot_arg a;
	char rep[4096], want[160];
	struct stat st;
	int ret;
	pid_t pid;

	/* the job's directory becomes the root of another process */
	ASSERT_EQ(0, fj_finish(&self->j));
	strcpy(a.dir, self->j.dir);
	ASSERT_EQ(0, stat(a.dir, &st));
	a.ino = st.st_ino;
	pid = fj_spawn(make_chrooted, &a, -1);
	ASSERT_LT(0, pid);
	ret = fr_capture(pid, 0, NULL, &self->rb, &self->cerr);
	EXPECT_EQ(0, fj_end(pid));
	ASSERT_EQ(0, ret) TH_LOG("%s", self->cerr.msg);
	fs = fr_fs(&self->rb, 1);
	ASSERT_NE(NULL, fs);
	snprintf(want, sizeof(want), "%s/sub", a.dir);
	EXPECT_STREQ(want, fs->paths);
	EXPECT_STREQ(a.dir, fs->paths + fs->cwd_len);
	snprintf(want, sizeof(want), "%s/data", a.dir);
	EXPECT_STREQ(want, fr_fd(&self->rb, 1, 3)->path);

	ASSERT_EQ(0, rst_files_prepare(self->rb.buf, self->rb.len, &o, &self->rf,
				       &self->err)) TH_LOG("%s", self->err.msg);
	ret = run_restored(self->rf, check_chrooted, &a, rep, sizeof(rep));
	EXPECT_STREQ("", rep);
	EXPECT_EQ(0, ret);
}

TEST_HARNESS_MAIN
