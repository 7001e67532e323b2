// SPDX-License-Identifier: GPL-2.0
/*
 * tools/ckpt-restore/restore_files*: bad input is refused with a message
 * and nothing leaked — malformed records (-EBADMSG for framing, -EINVAL for
 * meaning), files changed or missing since the checkpoint (-ESTALE,
 * -ENOENT, naming the file), bad options — and random corruption of
 * well-formed records never crashes.
 */
#include <dirent.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "files_records.h"
#include "files.h"
#include "kselftest_harness.h"

#define BASE	100

/* Offsets of the records of the well-formed set, to break them. */
struct set {
	struct ckptd_recbuf rb;
	size_t fs, reg, out, pipe_r, pipe_w, data, fifo, ep, tfd, sk1, sk2, skdata;
};

static struct ckpt_rec_fd *fd_at(struct set *s, size_t off)
{
	return (struct ckpt_rec_fd *)(s->rb.buf + off + sizeof(struct ckpt_rec));
}

static void *body_at(struct set *s, size_t off)
{
	return s->rb.buf + off + sizeof(struct ckpt_rec);
}

static size_t add_fd(struct set *s, const struct ckpt_rec_fd *r, const char *path)
{
	struct ckpt_rec_fd c = *r;
	size_t off = s->rb.len;

	c.path_len = path ? strlen(path) + 1 : 0;
	fr_add(&s->rb, CKPT_REC_FD, &c, sizeof(c), path, c.path_len);
	return off;
}

static size_t add_file(struct set *s, int fd, uint32_t flags, uint64_t ofd,
		       const char *path, uint64_t pos)
{
	struct ckpt_rec_fd r = { .pid = 1, .fd = fd, .type = CKPT_FD_REG,
				 .flags = flags, .ofd_id = ofd, .pos = pos };
	struct stat st;

	if (stat(path, &st))
		abort();
	r.dev = st.st_dev;
	r.ino = st.st_ino;
	r.size = st.st_size;
	r.mtime_sec = st.st_mtim.tv_sec;
	r.mtime_nsec = st.st_mtim.tv_nsec;
	r.mode = st.st_mode;
	return add_fd(s, &r, path);
}

static size_t add_data(struct set *s, uint64_t obj, uint32_t flags,
		       const char *data)
{
	struct ckpt_rec_file_data d = { .pid = 1, .obj_id = obj, .flags = flags,
					.len = strlen(data) };
	size_t off = s->rb.len;

	fr_add(&s->rb, CKPT_REC_FILE_DATA, &d, sizeof(d), data, d.len);
	return off;
}

FIXTURE(bad) {
	char dir[64], data[128], out[128], fifo[128];
	struct set s;
	int nfds;
	struct rst_files_opts o;
	struct ckpt_err err;
	struct rst_files *rf;
};

/*
 * pid 1: fd 3 "data" read-only at 5, fd 4 "out" write-only, a pipe (5, 6)
 * holding "abc", the FIFO (7), an epoll (8) watching fd 5, a stream
 * socketpair (9, 10) with "xy" queued at 9.
 */
FIXTURE_SETUP(bad)
{
	struct ckpt_rec_fd r;
	struct ckpt_rec_epoll_tfd t = { .pid = 1, .epfd = 8, .tfd = 5,
					.events = EPOLLIN, .data = 1 };
	struct {
		struct ckpt_rec_fs fs;
		char paths[80];
	} fs = { 0 };
	struct stat st;

	memset(&self->s, 0, sizeof(self->s));
	ASSERT_EQ(0, th_tmpdir(self->dir, sizeof(self->dir), "ckpt-files"));
	snprintf(self->data, sizeof(self->data), "%s/data", self->dir);
	snprintf(self->out, sizeof(self->out), "%s/out", self->dir);
	snprintf(self->fifo, sizeof(self->fifo), "%s/fifo", self->dir);
	th_write_file(self->data, "0123456789");
	th_write_file(self->out, "log\n");
	ASSERT_EQ(0, mkfifo(self->fifo, 0600));

	ASSERT_EQ(0, stat(self->dir, &st));
	fs.fs = (struct ckpt_rec_fs){ .pid = 1, .umask = 022, .cwd_ino = st.st_ino,
				      .cwd_len = strlen(self->dir) + 1, .root_len = 2 };
	memcpy(fs.paths, self->dir, fs.fs.cwd_len);
	memcpy(fs.paths + fs.fs.cwd_len, "/", 2);
	self->s.fs = self->s.rb.len;
	fr_add(&self->s.rb, CKPT_REC_FS, &fs.fs, sizeof(fs.fs), fs.paths,
	       fs.fs.cwd_len + 2);
	self->s.reg = add_file(&self->s, 3, O_RDONLY, 1, self->data, 5);
	self->s.out = add_file(&self->s, 4, O_WRONLY, 2, self->out, 0);
	r = (struct ckpt_rec_fd){ .pid = 1, .fd = 5, .type = CKPT_FD_PIPE,
				  .flags = O_RDONLY, .ofd_id = 3, .obj_id = 1,
				  .mode = S_IFIFO | 0600 };
	r.u.pipe.size = 65536;
	self->s.pipe_r = add_fd(&self->s, &r, NULL);
	r.fd = 6;
	r.flags = O_WRONLY;
	r.ofd_id = 4;
	self->s.pipe_w = add_fd(&self->s, &r, NULL);
	self->s.data = add_data(&self->s, 1, 0, "abc");
	ASSERT_EQ(0, stat(self->fifo, &st));
	r = (struct ckpt_rec_fd){ .pid = 1, .fd = 7, .type = CKPT_FD_FIFO,
				  .flags = O_RDONLY | O_NONBLOCK, .ofd_id = 5,
				  .obj_id = 2, .ino = st.st_ino, .mode = st.st_mode };
	r.u.pipe.size = 65536;
	self->s.fifo = add_fd(&self->s, &r, self->fifo);
	r = (struct ckpt_rec_fd){ .pid = 1, .fd = 8, .type = CKPT_FD_EPOLL,
				  .flags = O_RDWR, .ofd_id = 6 };
	self->s.ep = add_fd(&self->s, &r, NULL);
	r = (struct ckpt_rec_fd){ .pid = 1, .fd = 9, .type = CKPT_FD_UNIX,
				  .flags = O_RDWR, .ofd_id = 7, .obj_id = 3,
				  .mode = S_IFSOCK | 0777 };
	r.u.sock.type = SOCK_STREAM;
	r.u.sock.peer_id = 4;
	self->s.sk1 = add_fd(&self->s, &r, NULL);
	r.fd = 10;
	r.ofd_id = 8;
	r.obj_id = 4;
	r.u.sock.peer_id = 3;
	self->s.sk2 = add_fd(&self->s, &r, NULL);
	self->s.skdata = add_data(&self->s, 3, 0, "xy");
	self->s.tfd = self->s.rb.len;
	fr_add(&self->s.rb, CKPT_REC_EPOLL_TFD, &t, sizeof(t), NULL, 0);

	self->o = (struct rst_files_opts){ .base_fd = BASE };
	self->rf = NULL;
	self->err.msg[0] = '\0';
	self->nfds = th_count_fds();
}

FIXTURE_TEARDOWN(bad)
{
	rst_files_cleanup(self->rf);
	ckptd_recbuf_free(&self->s.rb);
	th_rmtree(self->dir);
}

/* prepare fails with ret and a message holding each of the strings. */
#define EXPECT_REFUSED(ret, ...) do {						\
	const char *want_[] = { __VA_ARGS__ };					\
	EXPECT_EQ(ret, rst_files_prepare(self->s.rb.buf, self->s.rb.len,	\
					 &self->o, &self->rf, &self->err));	\
	EXPECT_EQ(NULL, self->rf);						\
	for (size_t i_ = 0; i_ < sizeof(want_) / sizeof(want_[0]); i_++) {	\
		EXPECT_NE(NULL, strstr(self->err.msg, want_[i_]))		\
			TH_LOG("\"%s\" lacks \"%s\"", self->err.msg, want_[i_]);	\
	}									\
	EXPECT_EQ(self->nfds, th_count_fds());					\
} while (0)

/* The well-formed set works: apply in a child gets what it describes. */
TEST_F(bad, well_formed_set_restores)
{
	int st = 0;
	pid_t pid;

	ASSERT_EQ(0, rst_files_prepare(self->s.rb.buf, self->s.rb.len, &self->o,
				       &self->rf, &self->err)) TH_LOG("%s", self->err.msg);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct epoll_event ev;
		char buf[8];
		int bad = 0;

		if (rst_files_apply(self->rf, 1, NULL, 0, &self->err))
			_exit(1);
		bad += lseek(3, 0, SEEK_CUR) != 5 ? 2 : 0;
		bad += read(5, buf, 8) != 3 ? 4 : 0;
		bad += recv(9, buf, 8, MSG_DONTWAIT) != 2 ? 8 : 0;
		bad += epoll_wait(8, &ev, 1, 0) != 0 ? 16 : 0;	/* pipe emptied */
		bad += fcntl(11, F_GETFD) != -1 ? 32 : 0;
		_exit(bad);
	}
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	EXPECT_TRUE(WIFEXITED(st));
	EXPECT_EQ(0, WEXITSTATUS(st));
}

TEST_F(bad, truncated)
{
	self->s.rb.len -= 8;
	EXPECT_REFUSED(-EBADMSG, "malformed");
}

TEST_F(bad, record_shorter_than_its_struct)
{
	struct ckpt_rec *h = (void *)(self->s.rb.buf + self->s.reg);

	h->len = 16;
	EXPECT_REFUSED(-EBADMSG, "FD record");
}

TEST_F(bad, fd_numbers)
{
	static const int fds[] = { -1, BASE, BASE + 1, 0x7fffffff };

	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
		fd_at(&self->s, self->s.out)->fd = fds[i];
		EXPECT_REFUSED(-EINVAL, "pid 1 fd");
	}
	fd_at(&self->s, self->s.out)->fd = 3;	/* twice */
	EXPECT_REFUSED(-EINVAL, "pid 1 fd 3", "twice");
}

TEST_F(bad, unknown_type_and_flags)
{
	struct ckpt_rec_fd *r = fd_at(&self->s, self->s.out);

	r->type = 0;
	EXPECT_REFUSED(-EINVAL, "pid 1 fd 4", "unknown type");
	r->type = CKPT_FD_TYPE_MAX + 1;
	EXPECT_REFUSED(-EINVAL, "pid 1 fd 4", "unknown type");
	r->type = CKPT_FD_REG;
	r->fd_flags = 2;
	EXPECT_REFUSED(-EINVAL, "pid 1 fd 4", "fd flags");
	r->fd_flags = 0;
	r->flags = O_ACCMODE;
	EXPECT_REFUSED(-EINVAL, "pid 1 fd 4", "status flags");
	r->flags = O_WRONLY | 0x80000000;
	EXPECT_REFUSED(-EINVAL, "pid 1 fd 4", "status flags");
}

TEST_F(bad, per_type_fields)
{
	struct ckpt_rec_fd *p = fd_at(&self->s, self->s.pipe_r);
	struct ckpt_rec_fd *s1 = fd_at(&self->s, self->s.sk1);
	struct ckpt_rec_fd *reg = fd_at(&self->s, self->s.reg);

	p->u.pipe.pad[0] = 1;
	EXPECT_REFUSED(-EINVAL, "pid 1 fd 5", "padding");
	p->u.pipe.pad[0] = 0;
	p->obj_id = 0;
	EXPECT_REFUSED(-EINVAL, "pid 1 fd 5", "object id");
	p->obj_id = 1;
	s1->u.sock.type = 77;
	EXPECT_REFUSED(-EINVAL, "pid 1 fd 9", "socket");
	s1->u.sock.type = SOCK_STREAM;
	s1->u.sock.peer_id = 1;		/* the pipe */
	EXPECT_REFUSED(-EINVAL, "pid 1 fd 9", "name it back");
	s1->u.sock.peer_id = 4;
	reg->path[0] = 'x';		/* relative */
	EXPECT_REFUSED(-EINVAL, "pid 1 fd 3", "absolute path");
	reg->path[0] = '/';
	reg->obj_id = 9;
	EXPECT_REFUSED(-EINVAL, "pid 1 fd 3", "does not use");
}

TEST_F(bad, descriptions_and_objects_disagree)
{
	fd_at(&self->s, self->s.pipe_w)->ofd_id = 3;	/* read end's */
	EXPECT_REFUSED(-EINVAL, "disagrees with another record of its description");
	fd_at(&self->s, self->s.pipe_w)->ofd_id = 4;
	fd_at(&self->s, self->s.pipe_w)->u.pipe.size = 4096;
	EXPECT_REFUSED(-EINVAL, "disagrees with another description of its object");
}

TEST_F(bad, data_records)
{
	struct ckpt_rec_file_data *d = body_at(&self->s, self->s.data);
	struct ckpt_rec_file_data *k = body_at(&self->s, self->s.skdata);

	d->obj_id = 99;
	EXPECT_REFUSED(-EINVAL, "FILE_DATA", "no object");
	d->obj_id = 1;
	d->offset = 5;
	EXPECT_REFUSED(-EINVAL, "FILE_DATA", "out of order");
	d->offset = 0;
	fd_at(&self->s, self->s.pipe_r)->u.pipe.size = 2;
	fd_at(&self->s, self->s.pipe_w)->u.pipe.size = 2;
	EXPECT_REFUSED(-EINVAL, "FILE_DATA", "pipe's size");
	fd_at(&self->s, self->s.pipe_r)->u.pipe.size = 65536;
	fd_at(&self->s, self->s.pipe_w)->u.pipe.size = 65536;
	k->flags = CKPT_DATA_MSG;	/* on a stream socket */
	EXPECT_REFUSED(-EINVAL, "FILE_DATA", "flags");
	k->flags = 0;
	k->pad = 1;
	EXPECT_REFUSED(-EINVAL, "FILE_DATA", "padding");
}

TEST_F(bad, epoll_entries)
{
	struct ckpt_rec_epoll_tfd *t = body_at(&self->s, self->s.tfd);

	t->epfd = 3;
	EXPECT_REFUSED(-EINVAL, "EPOLL_TFD", "not an epoll fd");
	t->epfd = 8;
	t->tfd = 30;
	EXPECT_REFUSED(-EINVAL, "EPOLL_TFD", "will not have");
	t->tfd = 5;
	t->pid = 2;
	EXPECT_REFUSED(-EINVAL, "EPOLL_TFD", "without an FS record");
}

TEST_F(bad, fd_of_a_process_without_fs)
{
	fd_at(&self->s, self->s.out)->pid = 7;
	EXPECT_REFUSED(-EINVAL, "pid 7 fd 4", "without an FS record");
}

/* A TCP connection's FD record needs its TCP record, whole and sane. */
TEST_F(bad, tcp_record)
{
	struct ckpt_rec_fd r = { .pid = 1, .fd = 11, .type = CKPT_FD_TCP,
				 .flags = O_RDWR, .ofd_id = 9, .mode = S_IFSOCK | 0777 };
	struct ckpt_rec_tcp t = { .pid = 1, .family = AF_INET, .ofd_id = 9, .mss = 1460,
				  .snd_len = 4, .rcv_len = 2 };
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(7631) };
	size_t len;

	add_fd(&self->s, &r, NULL);
	len = self->s.rb.len;
	EXPECT_REFUSED(-EINVAL, "pid 1 fd 11", "TCP record", "missing");
	memcpy(t.local, &a, sizeof(a));
	memcpy(t.remote, &a, sizeof(a));
	t.family = AF_UNIX;		/* not IPv4 or IPv6 */
	fr_add(&self->s.rb, CKPT_REC_TCP, &t, sizeof(t), "abcdxy", 6);
	EXPECT_REFUSED(-EINVAL, "pid 1 fd 11", "TCP record", "malformed");
	self->s.rb.len = len;
	t.family = AF_INET;
	t.snd_len = 100;		/* longer than the data that follows */
	fr_add(&self->s.rb, CKPT_REC_TCP, &t, sizeof(t), "abcdxy", 6);
	EXPECT_REFUSED(-EINVAL, "TCP record", "malformed");
	self->s.rb.len = len;
	t.snd_len = 4;
	t.opts = 0x80;			/* unknown option */
	fr_add(&self->s.rb, CKPT_REC_TCP, &t, sizeof(t), "abcdxy", 6);
	EXPECT_REFUSED(-EINVAL, "TCP record", "malformed");
	self->s.rb.len = len;
	t.opts = 0;
	t.snd_wscale = 15;		/* beyond TCP's 14 */
	fr_add(&self->s.rb, CKPT_REC_TCP, &t, sizeof(t), "abcdxy", 6);
	EXPECT_REFUSED(-EINVAL, "TCP record", "malformed");
	self->s.rb.len = len;
	t.snd_wscale = 0;
	t.ofd_id = 8;			/* another description's */
	fr_add(&self->s.rb, CKPT_REC_TCP, &t, sizeof(t), "abcdxy", 6);
	EXPECT_REFUSED(-EINVAL, "TCP record", "missing");
}

TEST_F(bad, options)
{
	struct rlimit rl;

	self->o.base_fd = 8;		/* fds 8, 9, 10 are recorded */
	EXPECT_REFUSED(-EINVAL, "pool base");
	self->o.base_fd = 2;
	EXPECT_REFUSED(-EINVAL, "base_fd");
	ASSERT_EQ(0, getrlimit(RLIMIT_NOFILE, &rl));
	self->o.base_fd = rl.rlim_cur;
	EXPECT_REFUSED(-EINVAL, "RLIMIT_NOFILE");
	self->o.base_fd = BASE;
	self->o.flags = 0x100;
	EXPECT_REFUSED(-EINVAL, "flags");
}

/* --- files that changed since the checkpoint --------------------------- */

TEST_F(bad, read_only_file_modified)
{
	th_write_file(self->data, "01234567890");
	EXPECT_REFUSED(-ESTALE, "pid 1 fd 3", self->data, "was modified");
}

TEST_F(bad, read_only_file_touched)
{
	struct timespec ts[2] = { { 0, UTIME_OMIT }, { 1000000, 0 } };

	ASSERT_EQ(0, utimensat(AT_FDCWD, self->data, ts, 0));
	EXPECT_REFUSED(-ESTALE, self->data, "mtime");
}

TEST_F(bad, file_replaced)
{
	char tmp[160];

	/* made while the old one exists: another inode */
	snprintf(tmp, sizeof(tmp), "%s.new", self->data);
	th_write_file(tmp, "0123456789");
	ASSERT_EQ(0, rename(tmp, self->data));
	EXPECT_REFUSED(-ESTALE, self->data, "replaced");
}

TEST_F(bad, file_missing)
{
	ASSERT_EQ(0, unlink(self->data));
	EXPECT_REFUSED(-ENOENT, "pid 1 fd 3", self->data, "missing");
}

/* A file open for writing may have been written by the job itself. */
TEST_F(bad, writable_file_may_change_unless_strict)
{
	th_write_file(self->out, "log\nmore lines\n");
	EXPECT_EQ(0, rst_files_prepare(self->s.rb.buf, self->s.rb.len, &self->o,
				       &self->rf, &self->err)) TH_LOG("%s", self->err.msg);
	rst_files_cleanup(self->rf);
	self->rf = NULL;
	self->o.flags = RST_FILES_STRICT;
	EXPECT_REFUSED(-ESTALE, "pid 1 fd 4", self->out, "was modified");
}

TEST_F(bad, fifo_replaced)
{
	ASSERT_EQ(0, unlink(self->fifo));
	th_write_file(self->fifo, "");
	EXPECT_REFUSED(-ESTALE, "pid 1 fd 7", self->fifo, "type");
}

TEST_F(bad, cwd_missing)
{
	struct ckpt_rec_fs *fs = body_at(&self->s, self->s.fs);

	fs->paths[strlen(self->dir) - 1] = 'Z';	/* another directory */
	EXPECT_REFUSED(-ENOENT, "pid 1", "working directory");
}

TEST_F(bad, apply_arguments)
{
	int keep = 3;

	ASSERT_EQ(0, rst_files_prepare(self->s.rb.buf, self->s.rb.len, &self->o,
				       &self->rf, &self->err)) TH_LOG("%s", self->err.msg);
	/* refused before anything is changed, so run here */
	EXPECT_EQ(-EINVAL, rst_files_apply(self->rf, 1, &keep, 1, &self->err));
	EXPECT_NE(NULL, strstr(self->err.msg, "fd 3 to keep")) TH_LOG("%s", self->err.msg);
	EXPECT_EQ(-ENOENT, rst_files_apply(self->rf, 2, NULL, 0, &self->err));
	EXPECT_NE(NULL, strstr(self->err.msg, "pid 2")) TH_LOG("%s", self->err.msg);
}

/* Random corruption: refused or restored, never a crash or a leak. */
TEST_F(bad, random_corruption)
{
	uint8_t *orig = malloc(self->s.rb.len);
	unsigned int seed = 12345, ok = 0, refused = 0;

	ASSERT_NE(NULL, orig);
	memcpy(orig, self->s.rb.buf, self->s.rb.len);
	for (int i = 0; i < 3000; i++) {
		int flips = 1 + rand_r(&seed) % 4, ret;

		memcpy(self->s.rb.buf, orig, self->s.rb.len);
		for (int k = 0; k < flips; k++)
			self->s.rb.buf[rand_r(&seed) % self->s.rb.len] ^=
				1 << (rand_r(&seed) % 8);
		ret = rst_files_prepare(self->s.rb.buf, self->s.rb.len, &self->o,
					&self->rf, &self->err);
		if (ret) {
			ASSERT_GT(0, ret);
			ASSERT_NE(0, self->err.msg[0]);
			refused++;
		} else {
			ok++;
		}
		rst_files_cleanup(self->rf);
		self->rf = NULL;
	}
	free(orig);
	EXPECT_EQ(self->nfds, th_count_fds());
	EXPECT_LT(1000, refused);
	TH_LOG("%u refused, %u restorable", refused, ok);
}

TEST_HARNESS_MAIN
