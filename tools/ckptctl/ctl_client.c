// SPDX-License-Identifier: GPL-2.0
/*
 * Talking to ckptd over its control socket (common/ctl_proto.h): the one
 * request a ckptctl run sends, the reply and its attributes, and the
 * commands that ask ckptd (struct ckptctl_op) from command line to output.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "ckptctl.h"
#include "ctl_client.h"
#include "err.h"
#include "progress.h"

/* The request of this run and its reply (one per ckptctl process). */
static struct {
	uint8_t buf[CKPTD_CTL_MSG_MAX];
	struct ckptd_ctl_msg m;
	struct ctl_reply rep;
} req;

/* --socket, else $CKPTD_SOCKET, else CKPTD_CTL_SOCKET. */
static const char *socket_path(const struct ckptctl_args *a)
{
	const char *env = getenv("CKPTD_SOCKET");

	if (a->socket)
		return a->socket;
	return env && *env ? env : CKPTD_CTL_SOCKET;
}

int ckptctl_exit_code(int err)
{
	switch (err) {
	case 0:
		return CKPTCTL_EXIT_OK;
	case -EPERM:
	case -EACCES:
		return CKPTCTL_EXIT_DENIED;
	case -ENOENT:
		return CKPTCTL_EXIT_NOTFOUND;
	default:
		return CKPTCTL_EXIT_FAILED;
	}
}

/* A connected socket, or -errno with what to do in @e. */
static int connect_ckptd(const struct ckptctl_args *a, struct ckpt_err *e)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	const char *path = socket_path(a);
	int fd, err;

	if (strlen(path) >= sizeof(sa.sun_path))
		return ckpt_err_set(e, ENAMETOOLONG,
				    "control socket path %s is too long", path);
	memcpy(sa.sun_path, path, strlen(path));
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd >= 0 && !connect(fd, (struct sockaddr *)&sa, sizeof(sa)))
		return fd;
	err = errno;
	if (fd >= 0)
		close(fd);
	return ckpt_err_set(e, err, "cannot reach ckptd at %s: %s; %s", path,
			    strerror(err), err == EACCES ? "you may not use its socket" :
			    "is ckptd running? start it with 'systemctl start ckptd' (or run 'ckptd' as root)");
}

/*
 * Sends the @len bytes of the request on @fd and receives until ckptd's
 * REPLY, showing its PROGRESS on @pr; 0, or -errno with the reason in @e.
 */
static int exchange(int fd, int len, struct ckptctl_progress *pr,
		    struct ckpt_err *e)
{
	uint32_t seq = ((struct ckptd_ctl_hdr *)req.buf)->seq;
	struct ctl_reply *rep = &req.rep;
	struct ckpt_err why;
	int ret;

	if (send(fd, req.buf, len, MSG_NOSIGNAL) != len)
		return ckpt_err_sys(e, "sending to ckptd");
	for (;;) {
		ssize_t n = recv(fd, rep->buf, sizeof(rep->buf), MSG_TRUNC);
		int err = errno;

		if (n < 0 && err == EINTR)
			continue;
		if (n <= 0)
			return ckpt_err_set(e, n < 0 ? err : ECONNRESET,
					    "ckptd closed the connection without a reply (%s); see its log",
					    n < 0 ? strerror(err) : "it may have stopped or crashed");
		ret = ckptd_ctl_check(rep->buf, n > (ssize_t)sizeof(rep->buf) ? sizeof(rep->buf) : (size_t)n,
				      n > (ssize_t)sizeof(rep->buf), &rep->h, &rep->tb,
				      &why);
		if (ret || rep->h->seq != seq)
			return ckpt_err_set(e, ret ? -ret : EPROTO, "malformed reply from ckptd: %s",
					    ret ? why.msg : "wrong sequence number");
		if (rep->h->type == CKPTD_CTL_PROGRESS) {
			if (rep->tb.a[CKPTD_CA_BYTES] && rep->tb.a[CKPTD_CA_TOTAL])
				ckptctl_progress_update(pr, ckptd_ctl_u64(rep->tb.a[CKPTD_CA_BYTES]),
							ckptd_ctl_u64(rep->tb.a[CKPTD_CA_TOTAL]));
			continue;
		}
		if (rep->h->type == CKPTD_CTL_REPLY)
			return 0;
	}
}

struct ckptd_ctl_msg *ckptctl_start(uint16_t type, const struct ckptctl_args *a)
{
	ckptd_ctl_start(&req.m, req.buf, type, (uint32_t)getpid());
	if (a->job)
		ckptd_ctl_put_u32(&req.m, CKPTD_CA_JOB_ID, a->job);
	if (a->flags)
		ckptd_ctl_put_u32(&req.m, CKPTD_CA_FLAGS, a->flags);
	return &req.m;
}

int ckptctl_request(const struct ckptctl_args *a, int progress,
		    ckptctl_print_fn *print)
{
	const struct ckptd_ctl_attrs *tb = &req.rep.tb;
	struct ckpt_err e = { 0 };
	struct ckptctl_progress pr;
	int fd, len, ret;

	len = ckptd_ctl_end(&req.m);
	if (len < 0) {
		fprintf(stderr, "%s: request too large (more than %d bytes)\n",
			CKPTCTL_PROG, CKPTD_CTL_MSG_MAX);
		return CKPTCTL_EXIT_USAGE;
	}
	fd = connect_ckptd(a, &e);
	if (fd < 0) {
		fprintf(stderr, "%s: %s\n", CKPTCTL_PROG, e.msg);
		return CKPTCTL_EXIT_UNAVAILABLE;
	}
	ckptctl_progress_init(&pr, progress && !a->json);
	ret = exchange(fd, len, &pr, &e);
	ckptctl_progress_end(&pr);
	close(fd);
	if (ret) {
		fprintf(stderr, "%s: %s\n", CKPTCTL_PROG, e.msg);
		return CKPTCTL_EXIT_FAILED;
	}
	ret = tb->a[CKPTD_CA_ERRNO] ? ckptd_ctl_s32(tb->a[CKPTD_CA_ERRNO]) : -EPROTO;
	if (ret) {
		fprintf(stderr, "%s: %s\n", CKPTCTL_PROG,
			ckptctl_str(tb, CKPTD_CA_ERRMSG, strerror(-ret)));
		return ckptctl_exit_code(ret);
	}
	print(&req.rep, a);
	return CKPTCTL_EXIT_OK;
}

int ckptctl_op_main(const struct ckptctl_op *op, int argc, char *argv[])
{
	struct ckptctl_args a;
	struct ckptd_ctl_msg *m;
	int ret = ckptctl_parse(&op->cmd, argc, argv, &a);

	if (!ret && !op->build && (a.argc || !a.job))
		ret = ckptctl_usage_error(&a, "%s", a.argc ? "unexpected argument" :
					  "--job ID is required");
	if (ret)
		return ckptctl_stop_exit(ret);
	m = ckptctl_start(op->type, &a);
	if (op->build) {
		ret = op->build(&a, m);
		if (ret)
			return ckptctl_stop_exit(ret);
	}
	return ckptctl_request(&a, op->progress, op->print);
}

uint32_t ckptctl_u32(const struct ckptd_ctl_attrs *tb, int type)
{
	return tb->a[type] ? ckptd_ctl_u32(tb->a[type]) : 0;
}

uint64_t ckptctl_u64(const struct ckptd_ctl_attrs *tb, int type)
{
	return tb->a[type] ? ckptd_ctl_u64(tb->a[type]) : 0;
}

const char *ckptctl_str(const struct ckptd_ctl_attrs *tb, int type,
			const char *dflt)
{
	return tb->a[type] ? ckptd_ctl_str(tb->a[type]) : dflt;
}

const struct ckptd_ctl_attr *ckptctl_next_job(const struct ctl_reply *rep,
					      size_t *pos,
					      struct ckptd_ctl_attrs *tb)
{
	const struct ckptd_ctl_attr *a;
	struct ckpt_err why;

	while ((a = ckptd_ctl_next(rep->h + 1, rep->h->len - sizeof(*rep->h), pos)))
		if (a->type == CKPTD_CA_JOB && !ckptd_ctl_parse_nest(a, tb, &why))
			return a;
	return NULL;
}
