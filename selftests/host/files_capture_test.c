// SPDX-License-Identifier: GPL-2.0
/*
 * daemon/capture: the records of a stopped job describe every fd it holds
 * (kind, flags, offsets, shared descriptions and objects, unread data), the
 * job finds its state untouched afterwards, and unsupported fds fail the
 * capture with a message naming pid, fd and type unless the options say to
 * close them or replace them with /dev/null.
 */
#include <pthread.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <netinet/in.h>
#include <sys/un.h>

#include "capture.h"
#include "files_job.h"
#include "files_records.h"
#include "kselftest_harness.h"

FIXTURE(job) {
	struct fjob j;
	struct ckptd_recbuf rb;
	struct ckpt_err err;
	uint8_t *buf;
};

FIXTURE_SETUP(job)
{
	memset(&self->rb, 0, sizeof(self->rb));
	self->buf = malloc(FJ_MEMFD_SIZE);
	ASSERT_NE(NULL, self->buf);
	ASSERT_EQ(0, fj_start(&self->j));
	if (fr_capture(self->j.a, self->j.b, NULL, &self->rb, &self->err)) {
		/* no teardown after a failed setup */
		fj_cleanup(&self->j);
		ASSERT_TRUE(false) TH_LOG("%s", self->err.msg);
	}
}

FIXTURE_TEARDOWN(job)
{
	fj_cleanup(&self->j);
	ckptd_recbuf_free(&self->rb);
	free(self->buf);
}

/* The job reads every byte it had queued and finds its offsets unmoved. */
TEST_F(job, capture_leaves_the_job_untouched)
{
	EXPECT_EQ(0, fj_finish(&self->j))
		TH_LOG("exit 50 + n: check n of fj_check_a() failed");
}

TEST_F(job, fs_record)
{
	const struct ckpt_rec_fs *fs = fr_fs(&self->rb, 1);
	char want[128];

	ASSERT_NE(NULL, fs);
	fj_path(&self->j, "sub", want, sizeof(want));
	EXPECT_EQ(FJ_UMASK, fs->umask);
	EXPECT_STREQ(want, fs->paths);
	EXPECT_STREQ("/", fs->paths + fs->cwd_len);
	EXPECT_NE(0, fs->cwd_ino);
	EXPECT_NE(NULL, fr_fs(&self->rb, 2));
}

TEST_F(job, one_record_per_fd_in_order)
{
	const struct ckpt_rec *h;
	struct ckpt_stream s;
	size_t body;
	int last = -1;
	int32_t pid = 0;

	EXPECT_EQ(FJ_NR_A, fr_count(&self->rb, CKPT_REC_FD, 1));
	EXPECT_EQ(FJ_NR_B, fr_count(&self->rb, CKPT_REC_FD, 2));
	ckpt_stream_init(&s, self->rb.buf, self->rb.len);
	s.page_size = 1;
	while (ckpt_stream_next(&s, &h, &body) == 1) {
		const struct ckpt_rec_fd *r = (const void *)(h + 1);

		if (h->type == CKPT_REC_FS) {
			pid = r->pid;
			last = -1;
		} else if (h->type == CKPT_REC_FD) {
			EXPECT_EQ(pid, r->pid);
			EXPECT_LT(last, r->fd);
			last = r->fd;
		}
	}
	EXPECT_EQ(self->rb.len, s.off) TH_LOG("%s", s.error);
}

TEST_F(job, regular_files)
{
	const struct ckpt_rec_fd *r = fr_fd(&self->rb, 1, FJ_REG);
	const struct ckpt_rec_fd *d = fr_fd(&self->rb, 1, FJ_REG_DUP);
	const struct ckpt_rec_fd *b = fr_fd(&self->rb, 2, FJ_REG);
	const struct ckpt_rec_fd *ap = fr_fd(&self->rb, 1, FJ_APPEND);
	const struct ckpt_rec_fd *rw = fr_fd(&self->rb, 1, FJ_RW);
	char want[128];
	struct stat st;

	ASSERT_NE(NULL, r);
	ASSERT_NE(NULL, d);
	ASSERT_NE(NULL, b);
	ASSERT_NE(NULL, ap);
	ASSERT_NE(NULL, rw);
	fj_path(&self->j, "data", want, sizeof(want));
	ASSERT_EQ(0, stat(want, &st));
	EXPECT_EQ(CKPT_FD_REG, r->type);
	EXPECT_STREQ(want, r->path);
	EXPECT_EQ(FJ_REG_POS, r->pos);
	EXPECT_EQ(O_RDONLY, r->flags & O_ACCMODE);
	EXPECT_EQ(0, r->fd_flags);
	EXPECT_EQ(4096, r->size);
	EXPECT_EQ(st.st_ino, r->ino);
	EXPECT_EQ(st.st_mtim.tv_sec, r->mtime_sec);
	EXPECT_EQ(st.st_mtim.tv_nsec, r->mtime_nsec);
	/* a dup and a fork share the description */
	EXPECT_EQ(r->ofd_id, d->ofd_id);
	EXPECT_EQ(r->ofd_id, b->ofd_id);
	EXPECT_NE(r->ofd_id, ap->ofd_id);
	EXPECT_EQ(CKPT_FD_REG, ap->type);
	EXPECT_EQ(O_WRONLY, ap->flags & O_ACCMODE);
	EXPECT_TRUE(ap->flags & O_APPEND);
	EXPECT_EQ(O_RDWR, rw->flags & O_ACCMODE);
	EXPECT_EQ(FD_CLOEXEC, rw->fd_flags);
	EXPECT_EQ(FJ_RW_POS, rw->pos);
}

TEST_F(job, deleted_file_contents)
{
	const struct ckpt_rec_fd *r = fr_fd(&self->rb, 1, FJ_DELETED);
	struct fr_data d;
	char want[128];

	ASSERT_NE(NULL, r);
	fj_path(&self->j, "gone", want, sizeof(want));
	EXPECT_EQ(CKPT_FD_DELETED, r->type);
	EXPECT_STREQ(want, r->path);
	EXPECT_EQ(FJ_DEL_HI + 4, r->size);
	EXPECT_EQ(FJ_DEL_POS, r->pos);
	EXPECT_NE(0, r->obj_id);
	d = fr_data(&self->rb, r->obj_id, self->buf, FJ_MEMFD_SIZE);
	EXPECT_EQ(0, d.bad);
	EXPECT_EQ(FJ_DEL_HI + 4, d.end);
	EXPECT_EQ(0, memcmp(self->buf, "deleted contents", 16));
	EXPECT_EQ(0, memcmp(self->buf + FJ_DEL_HI, "tail", 4));
	/* the hole in between is not stored */
	EXPECT_LT(d.stored, 64 * 1024);
}

TEST_F(job, directory)
{
	const struct ckpt_rec_fd *r = fr_fd(&self->rb, 1, FJ_DIR);
	char want[128];

	ASSERT_NE(NULL, r);
	fj_path(&self->j, "sub", want, sizeof(want));
	EXPECT_EQ(CKPT_FD_DIR, r->type);
	EXPECT_STREQ(want, r->path);
	EXPECT_NE(0, r->pos);	/* after one getdents */
	EXPECT_TRUE(S_ISDIR(r->mode));
}

TEST_F(job, pipes_and_their_data)
{
	const struct ckpt_rec_fd *rd = fr_fd(&self->rb, 1, FJ_PIPE_R);
	const struct ckpt_rec_fd *wr = fr_fd(&self->rb, 1, FJ_PIPE_W);
	const struct ckpt_rec_fd *brd = fr_fd(&self->rb, 2, FJ_PIPE_R);
	const struct ckpt_rec_fd *xr = fr_fd(&self->rb, 1, FJ_XPIPE_R);
	const struct ckpt_rec_fd *xw = fr_fd(&self->rb, 2, FJ_XPIPE_W);
	struct fr_data d;

	ASSERT_NE(NULL, rd);
	ASSERT_NE(NULL, wr);
	ASSERT_NE(NULL, brd);
	ASSERT_NE(NULL, xr);
	ASSERT_NE(NULL, xw);
	EXPECT_EQ(CKPT_FD_PIPE, rd->type);
	EXPECT_EQ(CKPT_FD_PIPE, wr->type);
	EXPECT_EQ(rd->obj_id, wr->obj_id);
	EXPECT_NE(rd->ofd_id, wr->ofd_id);
	EXPECT_EQ(rd->ofd_id, brd->ofd_id);
	EXPECT_EQ(O_RDONLY, rd->flags & O_ACCMODE);
	EXPECT_EQ(O_WRONLY | O_NONBLOCK, wr->flags & (O_ACCMODE | O_NONBLOCK));
	EXPECT_EQ(65536, rd->u.pipe.size);
	d = fr_data(&self->rb, rd->obj_id, self->buf, 64);
	EXPECT_EQ(1, d.nr);	/* once, though three fds name the pipe */
	EXPECT_EQ(10, d.end);
	EXPECT_EQ(0, memcmp(self->buf, "hello pipe", 10));
	/* ends in two processes, data captured through the write end */
	EXPECT_EQ(xr->obj_id, xw->obj_id);
	d = fr_data(&self->rb, xr->obj_id, self->buf, 64);
	EXPECT_EQ(1, d.nr);
	EXPECT_EQ(6, d.end);
	EXPECT_EQ(0, memcmp(self->buf, "from B", 6));
}

TEST_F(job, fifo)
{
	const struct ckpt_rec_fd *rd = fr_fd(&self->rb, 1, FJ_FIFO_R);
	const struct ckpt_rec_fd *wr = fr_fd(&self->rb, 1, FJ_FIFO_W);
	char want[128];
	struct fr_data d;

	ASSERT_NE(NULL, rd);
	ASSERT_NE(NULL, wr);
	fj_path(&self->j, "fifo", want, sizeof(want));
	EXPECT_EQ(CKPT_FD_FIFO, rd->type);
	EXPECT_STREQ(want, rd->path);
	EXPECT_EQ(rd->obj_id, wr->obj_id);
	EXPECT_TRUE(rd->flags & O_NONBLOCK);
	d = fr_data(&self->rb, rd->obj_id, self->buf, 64);
	EXPECT_EQ(9, d.end);
	EXPECT_EQ(0, memcmp(self->buf, "fifo data", 9));
}

TEST_F(job, character_devices)
{
	static const struct { int fd; const char *path; int acc; } want[] = {
		{ FJ_NULL, "/dev/null", O_WRONLY },
		{ FJ_ZERO, "/dev/zero", O_RDONLY },
		{ FJ_URANDOM, "/dev/urandom", O_RDONLY },
	};

	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const struct ckpt_rec_fd *r = fr_fd(&self->rb, 1, want[i].fd);

		ASSERT_NE(NULL, r);
		EXPECT_EQ(CKPT_FD_CHR, r->type);
		EXPECT_STREQ(want[i].path, r->path);
		EXPECT_EQ(want[i].acc, r->flags & O_ACCMODE);
		EXPECT_TRUE(S_ISCHR(r->mode));
	}
}

TEST_F(job, eventfd_and_epoll)
{
	const struct ckpt_rec_fd *e = fr_fd(&self->rb, 1, FJ_EVENTFD);
	const struct ckpt_rec_fd *be = fr_fd(&self->rb, 2, FJ_EVENTFD);
	const struct ckpt_rec_fd *ep = fr_fd(&self->rb, 1, FJ_EPOLL);
	const struct ckpt_rec_fd *bep = fr_fd(&self->rb, 2, FJ_EPOLL);
	const struct ckpt_rec_epoll_tfd *t;

	ASSERT_NE(NULL, e);
	ASSERT_NE(NULL, be);
	ASSERT_NE(NULL, ep);
	ASSERT_NE(NULL, bep);
	EXPECT_EQ(CKPT_FD_EVENTFD, e->type);
	EXPECT_EQ(7, e->u.eventfd.count);
	EXPECT_EQ(0, e->u.eventfd.flags);
	EXPECT_TRUE(e->flags & O_NONBLOCK);
	EXPECT_EQ(e->ofd_id, be->ofd_id);
	EXPECT_EQ(CKPT_FD_EPOLL, ep->type);
	EXPECT_EQ(ep->ofd_id, bep->ofd_id);
	EXPECT_EQ(2, fr_count(&self->rb, CKPT_REC_EPOLL_TFD, 1));
	t = fr_tfd(&self->rb, 1, FJ_EPOLL, FJ_PIPE_R);
	ASSERT_NE(NULL, t);
	EXPECT_EQ(EPOLLIN, t->events & ~(EPOLLERR | EPOLLHUP));
	EXPECT_EQ(FJ_EP_PIPE, t->data);
	t = fr_tfd(&self->rb, 1, FJ_EPOLL, FJ_EVENTFD);
	ASSERT_NE(NULL, t);
	EXPECT_EQ(EPOLLIN | EPOLLET, t->events & ~(EPOLLERR | EPOLLHUP));
	EXPECT_EQ(FJ_EP_EFD, t->data);
	/* B shares the epoll and holds both watched fds under those numbers */
	EXPECT_EQ(2, fr_count(&self->rb, CKPT_REC_EPOLL_TFD, 2));
}

TEST_F(job, socketpairs_and_queued_data)
{
	const struct ckpt_rec_fd *a = fr_fd(&self->rb, 1, FJ_SK_A);
	const struct ckpt_rec_fd *b = fr_fd(&self->rb, 1, FJ_SK_B);
	const struct ckpt_rec_fd *da = fr_fd(&self->rb, 1, FJ_DG_A);
	const struct ckpt_rec_fd *db = fr_fd(&self->rb, 1, FJ_DG_B);
	struct fr_data d;

	ASSERT_NE(NULL, a);
	ASSERT_NE(NULL, b);
	ASSERT_NE(NULL, da);
	ASSERT_NE(NULL, db);
	EXPECT_EQ(CKPT_FD_UNIX, a->type);
	EXPECT_EQ(SOCK_STREAM, a->u.sock.type);
	EXPECT_EQ(b->obj_id, a->u.sock.peer_id);
	EXPECT_EQ(a->obj_id, b->u.sock.peer_id);
	EXPECT_EQ(0, a->u.sock.shutdown);
	d = fr_data(&self->rb, b->obj_id, self->buf, 64);
	EXPECT_EQ(4, d.end);
	EXPECT_EQ(0, memcmp(self->buf, "ping", 4));
	d = fr_data(&self->rb, a->obj_id, self->buf, 64);
	EXPECT_EQ(6, d.end);
	EXPECT_EQ(0, memcmp(self->buf, "pong!!", 6));
	EXPECT_EQ(0, d.nr_msg);
	EXPECT_EQ(SOCK_DGRAM, db->u.sock.type);
	EXPECT_EQ(da->obj_id, db->u.sock.peer_id);
	/* three datagrams, one record each, the empty one included */
	d = fr_data(&self->rb, db->obj_id, self->buf, 64);
	EXPECT_EQ(3, d.nr);
	EXPECT_EQ(3, d.nr_msg);
	EXPECT_EQ(17, d.end);
	EXPECT_EQ(0, memcmp(self->buf, "onesecond message", 17));
	d = fr_data(&self->rb, da->obj_id, self->buf, 64);
	EXPECT_EQ(0, d.nr);
}

TEST_F(job, memfd_contents_and_seals)
{
	const struct ckpt_rec_fd *r = fr_fd(&self->rb, 1, FJ_MEMFD);
	struct fr_data d;
	size_t bad = 0;

	ASSERT_NE(NULL, r);
	EXPECT_EQ(CKPT_FD_MEMFD, r->type);
	EXPECT_STREQ("ckpt-test", r->path);
	EXPECT_EQ(FJ_MEMFD_SIZE, r->size);
	EXPECT_EQ(FJ_MEMFD_POS, r->pos);
	EXPECT_EQ(F_SEAL_SHRINK | F_SEAL_GROW, r->u.memfd.seals);
	d = fr_data(&self->rb, r->obj_id, self->buf, FJ_MEMFD_SIZE);
	EXPECT_EQ(0, d.bad);
	for (size_t i = 0; i < 10000; i++)
		bad += self->buf[i] != fj_byte(i);
	for (size_t i = FJ_MEMFD_HI; i < FJ_MEMFD_HI + 5000; i++)
		bad += self->buf[i] != fj_byte(i);
	EXPECT_EQ(0, bad);
	/* holes are left out; no piece is larger than one record may be */
	EXPECT_LT(d.stored, 64 * 1024);
	EXPECT_GE(d.nr, 2);
}

/* --- unsupported fds, options, limits ---------------------------------- */

static int make_inet_socket(void *arg)
{
	(void)arg;
	return fj_place(socket(AF_INET, SOCK_STREAM, 0), 5) ? 1 : 0;
}

TEST(inet_socket_fails_naming_pid_fd_and_type)
{
	struct ckptd_recbuf rb = { 0 };
	struct ckptd_capture *cap;
	struct ckpt_err err = { 0 };
	char want[64];
	pid_t pid;

	ASSERT_EQ(0, ckptd_capture_new(NULL, &cap, &err));
	pid = fj_spawn(make_inet_socket, NULL, -1);
	ASSERT_LT(0, pid);
	fr_add(&rb, CKPT_REC_USER_BASE + 0xfff, "x", 1, NULL, 0);
	EXPECT_EQ(-EOPNOTSUPP, ckptd_capture_files(cap, pid, 1, &rb, &err));
	snprintf(want, sizeof(want), "pid %d fd 5: IPv4 socket", (int)pid);
	EXPECT_NE(NULL, strstr(err.msg, want)) TH_LOG("%s", err.msg);
	EXPECT_NE(NULL, strstr(err.msg, "/dev/null")) TH_LOG("%s", err.msg);
	/* the buffer is as it was, and the capture is spent */
	EXPECT_EQ(16, rb.len);
	EXPECT_EQ(-EINVAL, ckptd_capture_files(cap, pid, 1, &rb, &err));
	EXPECT_EQ(-EINVAL, ckptd_capture_finish(cap, &rb, &err));
	ckptd_capture_free(cap);
	ckptd_recbuf_free(&rb);
	EXPECT_EQ(0, fj_end(pid));
}

TEST(unsupported_closed_by_option)
{
	struct ckptd_capture_opts o = { .unsupported = CKPTD_CAPTURE_CLOSE };
	struct ckptd_recbuf rb = { 0 };
	struct ckpt_err err = { 0 };
	const struct ckpt_rec_fd *r;
	int ret;
	pid_t pid = fj_spawn(make_inet_socket, NULL, -1);

	ASSERT_LT(0, pid);
	ret = fr_capture(pid, 0, &o, &rb, &err);
	EXPECT_EQ(0, fj_end(pid));
	ASSERT_EQ(0, ret) TH_LOG("%s", err.msg);
	r = fr_fd(&rb, 1, 5);
	ASSERT_NE(NULL, r);
	EXPECT_EQ(CKPT_FD_CLOSED, r->type);
	EXPECT_EQ(0, strncmp(r->path, "socket:[", 8)) TH_LOG("%s", r->path);
	ckptd_recbuf_free(&rb);
}

TEST(unsupported_devnull_by_rule)
{
	struct ckptd_capture_rule rule = { .fd = 5, .action = CKPTD_CAPTURE_DEVNULL };
	struct ckptd_capture_opts o = { .rules = &rule, .nr_rules = 1 };
	struct ckptd_recbuf rb = { 0 };
	struct ckpt_err err = { 0 };
	const struct ckpt_rec_fd *r;
	int ret;
	pid_t pid = fj_spawn(make_inet_socket, NULL, -1);

	ASSERT_LT(0, pid);
	rule.pid = pid;
	ret = fr_capture(pid, 0, &o, &rb, &err);
	EXPECT_EQ(0, fj_end(pid));
	ASSERT_EQ(0, ret) TH_LOG("%s", err.msg);
	r = fr_fd(&rb, 1, 5);
	ASSERT_NE(NULL, r);
	EXPECT_EQ(CKPT_FD_DEVNULL, r->type);
	EXPECT_EQ(O_RDWR, r->flags & O_ACCMODE);
	EXPECT_EQ(0, strncmp(r->path, "socket:[", 8)) TH_LOG("%s", r->path);
	ckptd_recbuf_free(&rb);
}

static int deleted_cwd(void *arg)
{
	char dir[64];

	(void)arg;
	snprintf(dir, sizeof(dir), "/tmp/ckpt-files-cwd-%d", (int)getpid());
	return mkdir(dir, 0700) || chdir(dir) || rmdir(dir) ? 1 : 0;
}

TEST(deleted_cwd_fails)
{
	struct ckptd_recbuf rb = { 0 };
	struct ckpt_err err = { 0 };
	char want[64];
	pid_t pid = fj_spawn(deleted_cwd, NULL, -1);

	ASSERT_LT(0, pid);
	EXPECT_EQ(-EOPNOTSUPP, fr_capture(pid, 0, NULL, &rb, &err));
	snprintf(want, sizeof(want), "pid %d: its cwd", (int)pid);
	EXPECT_NE(NULL, strstr(err.msg, want)) TH_LOG("%s", err.msg);
	EXPECT_NE(NULL, strstr(err.msg, "deleted")) TH_LOG("%s", err.msg);
	EXPECT_EQ(0, rb.len);
	EXPECT_EQ(0, fj_end(pid));
}

TEST(bad_options_refused)
{
	struct ckptd_capture_rule rule = { .pid = 1, .fd = 5,
					   .action = CKPTD_CAPTURE_FAIL };
	struct ckptd_capture_opts o = { .rules = &rule, .nr_rules = 1 };
	struct ckptd_capture *cap = NULL;
	struct ckpt_err err = { 0 };

	EXPECT_EQ(-EINVAL, ckptd_capture_new(&o, &cap, &err));
	EXPECT_NE(NULL, strstr(err.msg, "pid 1 fd 5")) TH_LOG("%s", err.msg);
	o = (struct ckptd_capture_opts){ .unsupported = 7 };
	EXPECT_EQ(-EINVAL, ckptd_capture_new(&o, &cap, &err));
	EXPECT_EQ(NULL, cap);
}

static int make_kind(void *arg)
{
	int kind = *(int *)arg, fd = -1;
	sigset_t set;

	switch (kind) {
	case 0:
		fd = timerfd_create(CLOCK_MONOTONIC, 0);
		break;
	case 1:
		sigemptyset(&set);
		sigaddset(&set, SIGUSR2);
		fd = signalfd(-1, &set, 0);
		break;
	case 2:
		fd = inotify_init1(0);
		break;
	case 3:
		fd = syscall(SYS_pidfd_open, getpid(), 0);
		break;
	case 4:
		fd = socket(AF_INET6, SOCK_DGRAM, 0);
		break;
	case 5: {
		int p[2];

		/* O_DIRECT is on the write end */
		if (pipe2(p, O_DIRECT) || fj_place(p[0], 8))
			return 2;
		fd = p[1];
		break;
	}
	case 6:
		fd = posix_openpt(O_RDWR | O_NOCTTY);
		break;
	case 7: {
		int p[2];

		/* a file with fasync: a pipe */
		if (pipe(p) || fj_place(p[1], 8) || fcntl(p[0], F_SETFL, O_ASYNC))
			return 2;
		fd = p[0];
		break;
	}
	case 8:
		fd = open("/proc/self/status", O_RDONLY);
		break;
	case 9: {
		struct sockaddr_un a = { .sun_family = AF_UNIX };
		int sv[2];

		/* connected, but one end has a name: not a socketpair */
		snprintf(a.sun_path + 1, sizeof(a.sun_path) - 1, "ckpt-files-%d",
			 (int)getpid());
		if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) ||
		    bind(sv[0], (struct sockaddr *)&a, sizeof(a)) ||
		    fj_place(sv[1], 8))
			return 2;
		fd = sv[0];
		break;
	}
	}
	return fj_place(fd, 7) ? 1 : 0;
}

TEST(other_kinds_fail_naming_them)
{
	static const char *const names[] = {
		"timerfd", "signalfd", "inotify", "pidfd", "IPv6 socket",
		"packet-mode pipe", "pseudo-terminal master", "O_ASYNC",
		"procfs", "named unix socket",
	};

	for (int kind = 0; kind < 10; kind++) {
		struct ckptd_recbuf rb = { 0 };
		struct ckpt_err err = { 0 };
		char want[32];
		pid_t pid = fj_spawn(make_kind, &kind, -1);

		ASSERT_LT(0, pid) TH_LOG("%s", names[kind]);
		EXPECT_EQ(-EOPNOTSUPP, fr_capture(pid, 0, NULL, &rb, &err));
		snprintf(want, sizeof(want), "pid %d fd 7: ", (int)pid);
		EXPECT_NE(NULL, strstr(err.msg, want)) TH_LOG("%s", err.msg);
		EXPECT_NE(NULL, strstr(err.msg, names[kind])) TH_LOG("%s", err.msg);
		EXPECT_EQ(0, rb.len);
		EXPECT_EQ(0, fj_end(pid));
		ckptd_recbuf_free(&rb);
	}
}

/* The job's end of a socketpair whose other end the test keeps. */
static int keep_passed(void *arg)
{
	(void)arg;
	return send(FJ_PASSED, "q", 1, 0) == 1 ? 0 : 1;
}

TEST(socket_peer_outside_the_job)
{
	struct ckptd_capture_opts o = { .unsupported = CKPTD_CAPTURE_DEVNULL };
	struct ckptd_recbuf rb = { 0 };
	struct ckpt_err err = { 0 };
	const struct ckpt_rec_fd *r;
	int ret;
	char want[64];
	int sv[2];
	pid_t pid;

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	ASSERT_EQ(1, send(sv[0], "x", 1, 0));	/* queued in the job */
	pid = fj_spawn(keep_passed, NULL, sv[1]);
	ASSERT_LT(0, pid);
	close(sv[1]);
	EXPECT_EQ(-EOPNOTSUPP, fr_capture(pid, 0, NULL, &rb, &err));
	snprintf(want, sizeof(want), "pid %d fd %d: unix socket", (int)pid,
		 FJ_PASSED);
	EXPECT_NE(NULL, strstr(err.msg, want)) TH_LOG("%s", err.msg);
	EXPECT_NE(NULL, strstr(err.msg, "outside the job")) TH_LOG("%s", err.msg);
	ckptd_recbuf_free(&rb);

	/* replaced by /dev/null: its queued data goes too */
	ret = fr_capture(pid, 0, &o, &rb, &err);
	EXPECT_EQ(0, fj_end(pid));
	close(sv[0]);
	ASSERT_EQ(0, ret) TH_LOG("%s", err.msg);
	r = fr_fd(&rb, 1, FJ_PASSED);
	ASSERT_NE(NULL, r);
	EXPECT_EQ(CKPT_FD_DEVNULL, r->type);
	EXPECT_EQ(0, r->obj_id);
	EXPECT_EQ(0, strncmp(r->path, "socket:[", 8)) TH_LOG("%s", r->path);
	EXPECT_EQ(0, fr_count(&rb, CKPT_REC_FILE_DATA, 1));
	ckptd_recbuf_free(&rb);
}

static int big_memfd(void *arg)
{
	int fd = memfd_create("big", 0);

	(void)arg;
	if (fj_place(fd, 5) || fj_fill(5, 0, 100000))
		return 1;
	return 0;
}

TEST(max_data_limits_contents)
{
	struct ckptd_capture_opts o = { .max_data = 65536 };
	struct ckptd_recbuf rb = { 0 };
	struct ckpt_err err = { 0 };
	char want[64];
	pid_t pid = fj_spawn(big_memfd, NULL, -1);

	ASSERT_LT(0, pid);
	EXPECT_EQ(-EFBIG, fr_capture(pid, 0, &o, &rb, &err));
	snprintf(want, sizeof(want), "pid %d fd 5:", (int)pid);
	EXPECT_NE(NULL, strstr(err.msg, want)) TH_LOG("%s", err.msg);
	EXPECT_NE(NULL, strstr(err.msg, "max_data")) TH_LOG("%s", err.msg);
	o.max_data = 0;		/* the default is enough */
	EXPECT_EQ(0, fr_capture(pid, 0, &o, &rb, &err)) TH_LOG("%s", err.msg);
	EXPECT_EQ(0, fj_end(pid));
	ckptd_recbuf_free(&rb);
}

static int queued_fd(void *arg)
{
	char c = 'x';
	struct iovec iov = { &c, 1 };
	union {
		struct cmsghdr h;
		char b[CMSG_SPACE(sizeof(int))];
	} ctl;
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
			    .msg_control = &ctl, .msg_controllen = sizeof(ctl) };
	struct cmsghdr *c0 = CMSG_FIRSTHDR(&m);
	int sv[2], devnull = 0;

	(void)arg;
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) || fj_place(sv[0], 5) ||
	    fj_place(sv[1], 6) || fj_place(open("/dev/null", O_RDONLY), 7))
		return 1;
	devnull = 7;
	c0->cmsg_level = SOL_SOCKET;
	c0->cmsg_type = SCM_RIGHTS;
	c0->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c0), &devnull, sizeof(int));
	return sendmsg(5, &m, 0) == 1 ? 0 : 2;
}

TEST(queued_fds_refused_without_leaking)
{
	struct ckptd_recbuf rb = { 0 };
	struct ckpt_err err = { 0 };
	int before = th_count_fds();
	pid_t pid = fj_spawn(queued_fd, NULL, -1);

	ASSERT_LT(0, pid);
	EXPECT_EQ(-EOPNOTSUPP, fr_capture(pid, 0, NULL, &rb, &err));
	EXPECT_NE(NULL, strstr(err.msg, "SCM_RIGHTS")) TH_LOG("%s", err.msg);
	EXPECT_NE(NULL, strstr(err.msg, "fd 6")) TH_LOG("%s", err.msg);
	EXPECT_EQ(before, th_count_fds());
	EXPECT_EQ(0, fj_end(pid));
	ckptd_recbuf_free(&rb);
}

TEST(no_fd_left_open_by_a_capture)
{
	struct ckptd_recbuf rb = { 0 };
	struct ckpt_err err = { 0 };
	struct fjob j;
	int before = th_count_fds();

	ASSERT_EQ(0, fj_start(&j));
	EXPECT_EQ(0, fr_capture(j.a, j.b, NULL, &rb, &err)) TH_LOG("%s", err.msg);
	EXPECT_EQ(before, th_count_fds());
	EXPECT_EQ(0, fj_finish(&j));
	fj_cleanup(&j);
	ckptd_recbuf_free(&rb);
}

/* An epoll entry whose fd number was closed (the file lives on as a dup). */
static int stale_epoll_entry(void *arg)
{
	struct epoll_event ev = { .events = EPOLLIN };
	int p[2];

	(void)arg;
	if (pipe(p) || fj_place(p[0], 5) || fj_place(p[1], 6) ||
	    fj_place(epoll_create1(0), 8) || epoll_ctl(8, EPOLL_CTL_ADD, 5, &ev) ||
	    dup2(5, 9) != 9 || close(5))
		return 1;
	return 0;
}

TEST(stale_epoll_entry_fails)
{
	struct ckptd_recbuf rb = { 0 };
	struct ckpt_err err = { 0 };
	char want[64];
	pid_t pid = fj_spawn(stale_epoll_entry, NULL, -1);

	ASSERT_LT(0, pid);
	EXPECT_EQ(-EOPNOTSUPP, fr_capture(pid, 0, NULL, &rb, &err));
	snprintf(want, sizeof(want), "pid %d fd 8: the epoll watches a file as fd 5",
		 (int)pid);
	EXPECT_NE(NULL, strstr(err.msg, want)) TH_LOG("%s", err.msg);
	EXPECT_EQ(0, fj_end(pid));
	ckptd_recbuf_free(&rb);
}

/* --- a process whose main thread called pthread_exit ------------------ */

static void *park_thread(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

static int proc_fd_entries(pid_t pid)
{
	char p[64];
	struct dirent *e;
	DIR *d;
	int n = 0;

	snprintf(p, sizeof(p), "/proc/%d/fd", (int)pid);
	d = opendir(p);
	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

/*
 * /proc/<pid>/fd, cwd and fdinfo of a process whose leader exited are
 * empty or gone: the capture reads them through a live thread.
 */
TEST(main_thread_exited)
{
	struct ckptd_recbuf rb = { 0 };
	struct ckpt_err err = { 0 };
	const struct ckpt_rec_fd *rd, *wr;
	struct fr_data d;
	char buf[64];
	pid_t pid, via = 0, me = getpid();

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		pthread_t t;
		int p[2];

		fj_die_with_parent(me);
		close_range(0, ~0U, 0);
		if (pipe(p) || p[0] != 0 || write(p[1], "leader gone", 11) != 11 ||
		    pthread_create(&t, NULL, park_thread, NULL))
			_exit(1);
		pthread_exit(NULL);
	}
	for (int i = 0; i < 500 && (via = ckptd_capture_task(pid)) == pid; i++)
		usleep(10000);
	ASSERT_NE(pid, via) TH_LOG("pid %d: its main thread did not exit", pid);
	/* what a capture through the process itself would see */
	EXPECT_EQ(0, proc_fd_entries(pid));
	EXPECT_EQ(2, proc_fd_entries(via));
	ASSERT_EQ(0, fr_capture(pid, 0, NULL, &rb, &err)) TH_LOG("%s", err.msg);
	EXPECT_NE(NULL, fr_fs(&rb, 1));
	rd = fr_fd(&rb, 1, 0);
	wr = fr_fd(&rb, 1, 1);
	ASSERT_NE(NULL, rd);
	ASSERT_NE(NULL, wr);
	EXPECT_EQ(CKPT_FD_PIPE, rd->type);
	EXPECT_EQ(rd->obj_id, wr->obj_id);
	d = fr_data(&rb, rd->obj_id, buf, sizeof(buf));
	EXPECT_EQ(11, d.end);
	EXPECT_EQ(0, memcmp(buf, "leader gone", 11));
	ckptd_recbuf_free(&rb);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

TEST_HARNESS_MAIN
