// SPDX-License-Identifier: GPL-2.0
/*
 * The control socket (SOCK_SEQPACKET, one message per datagram).  Every
 * message is checked before a handler sees it; a bad one gets an error
 * reply and the connection and the daemon carry on.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "ckptd.h"
#include "ctl/server.h"
#include "log.h"
#include "loop.h"
#include "pidfd.h"

#ifndef SO_PEERPIDFD
#define SO_PEERPIDFD	77
#endif

#define CLIENTS_MAX	128

static uint8_t rx_buf[CKPTD_CTL_MSG_MAX];

struct ckptd_client *ckptd_client_find(struct ckptd *d, uint64_t id)
{
	for (struct ckptd_client *c = d->clients; c; c = c->next)
		if (c->id == id)
			return c;
	return NULL;
}

static void client_close(struct ckptd *d, struct ckptd_client *c)
{
	for (struct ckptd_client **pp = &d->clients; *pp; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	ckptd_loop_del(d, &c->w);
	close(c->w.fd);
	free(c);
}

static int client_send(struct ckptd *d, struct ckptd_client *c,
		       struct ckptd_ctl_msg *m)
{
	int len = ckptd_ctl_end(m);

	if (len < 0) {
		pr_err("reply to client pid %d does not fit %d bytes", c->pid,
		       CKPTD_CTL_MSG_MAX);
		return len;
	}
	if (send(c->w.fd, m->buf, len, MSG_NOSIGNAL | MSG_DONTWAIT) != len) {
		pr_warn("client pid %d: cannot send a reply (%s); dropping it",
			c->pid, strerror(errno));
		client_close(d, c);
		return -EIO;
	}
	return 0;
}

void ckptd_reply_init(struct ckptd_reply *r, uint32_t seq)
{
	ckptd_ctl_start(&r->m, r->buf, CKPTD_CTL_REPLY, seq);
	ckptd_ctl_put_s32(&r->m, CKPTD_CA_ERRNO, 0);
}

void ckptd_reply_send(struct ckptd *d, uint64_t client_id, struct ckptd_reply *r)
{
	struct ckptd_client *c = ckptd_client_find(d, client_id);

	if (c) {
		c->progress = NULL;
		client_send(d, c, &r->m);
	}
}

void ckptd_reply_error(struct ckptd *d, uint64_t client_id, uint32_t seq,
		       int err, const char *fmt, ...)
{
	static struct ckptd_reply r;
	char msg[CKPTD_CTL_STR_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ckptd_ctl_start(&r.m, r.buf, CKPTD_CTL_REPLY, seq);
	ckptd_ctl_put_s32(&r.m, CKPTD_CA_ERRNO, err);
	ckptd_ctl_put_str(&r.m, CKPTD_CA_ERRMSG, msg);
	ckptd_reply_send(d, client_id, &r);
}

void ckptd_ctl_progress_tick(struct ckptd *d)
{
	struct ckptd_client *c, *next;

	for (c = d->clients; c; c = next) {
		uint8_t buf[64];
		struct ckptd_ctl_msg m;

		next = c->next;
		if (!c->progress)
			continue;
		ckptd_ctl_start(&m, buf, CKPTD_CTL_PROGRESS, c->progress_seq);
		ckptd_ctl_put_u64(&m, CKPTD_CA_BYTES, atomic_load(&c->progress->bytes));
		ckptd_ctl_put_u64(&m, CKPTD_CA_TOTAL, atomic_load(&c->progress->total));
		client_send(d, c, &m);
	}
}

static void on_message(struct ckptd *d, struct ckptd_client *c, size_t len,
		       int truncated)
{
	const struct ckptd_ctl_hdr *h;
	struct ckptd_req rq = { .client_id = c->id, .uid = c->uid, .gid = c->gid,
				.cred = c->cred };
	struct ckpt_err why;
	int ret;

	ret = ckptd_ctl_check(rx_buf, len, truncated, &h, &rq.tb, &why);
	if (!ret && h->type >= CKPTD_CTL_REPLY) {
		ret = ckpt_err_set(&why, EOPNOTSUPP, "message type %u is a reply, not a request",
				   h->type);
	}
	if (ret) {
		/* the seq is echoed when the header could be read */
		uint32_t seq = len >= sizeof(*h) ? ((const struct ckptd_ctl_hdr *)rx_buf)->seq : 0;

		pr_info("client pid %d uid %u: bad request: %s", c->pid, c->uid, why.msg);
		ckptd_reply_error(d, c->id, seq, ret, "bad request: %s", why.msg);
		return;
	}
	rq.seq = h->seq;
	rq.cmd = h->type;
	pr_debug("client pid %d uid %u: %s", c->pid, c->uid, ckptd_ctl_cmd_name(rq.cmd));
	if (d->stopping) {
		ckptd_reply_error(d, c->id, rq.seq, -ESHUTDOWN,
				  "ckptd is stopping; retry when it is back");
		return;
	}
	d->ctl_handle(d, &rq);
}

static void on_client(struct ckptd *d, struct ckptd_watch *w, uint32_t events)
{
	struct ckptd_client *c = (struct ckptd_client *)w;
	ssize_t n;

	if (!(events & EPOLLIN)) {
		client_close(d, c);
		return;
	}
	n = recv(c->w.fd, rx_buf, sizeof(rx_buf), MSG_TRUNC | MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		client_close(d, c);	/* EOF or error: the client went away */
		return;
	}
	on_message(d, c, n > (ssize_t)sizeof(rx_buf) ? sizeof(rx_buf) : (size_t)n,
		   n > (ssize_t)sizeof(rx_buf));
}

/*
 * Groups and capabilities of the peer from /proc, read through a pidfd of
 * the process that connected (SO_PEERPIDFD, Linux 6.5; before: a pidfd
 * opened now) so that a pid reused since is not taken for the peer.
 */
static void peer_cred(int fd, struct ckptd_client *c)
{
	socklen_t len = sizeof(int);
	int pidfd = -1;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERPIDFD, &pidfd, &len))
		pidfd = syscall(SYS_pidfd_open, c->pid, 0);
	ckptd_cred_of_peer(c->pid, pidfd, c->uid, c->gid, &c->cred);
	if (pidfd >= 0)
		close(pidfd);
	pr_debug("client pid %d uid %u: %sprivileged, %u group(s)", c->pid, c->uid,
		 c->cred.privileged ? "" : "not ", c->cred.ngroups);
}

static void on_accept(struct ckptd *d, struct ckptd_watch *w, uint32_t events)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	struct ckptd_client *c;
	unsigned int n = 0;
	int fd;

	(void)events;
	fd = accept4(w->fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (fd < 0)
		return;
	for (c = d->clients; c; c = c->next)
		n++;
	if (n >= CLIENTS_MAX) {
		pr_warn("more than %d control clients; refusing one", CLIENTS_MAX);
		close(fd);
		return;
	}
	/* who is asking decides what it may do: the kernel's word, not theirs */
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len)) {
		pr_err("SO_PEERCRED: %s", strerror(errno));
		close(fd);
		return;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		close(fd);
		return;
	}
	c->w.fd = fd;
	c->w.fn = on_client;
	c->id = ++d->next_client_id;
	c->uid = cred.uid;
	c->gid = cred.gid;
	c->pid = cred.pid;
	peer_cred(fd, c);
	if (ckptd_loop_add(d, &c->w, EPOLLIN)) {
		close(fd);
		free(c);
		return;
	}
	c->next = d->clients;
	d->clients = c;
}

int ckptd_ctl_listen(struct ckptd *d, ckptd_ctl_handler *handle)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	const char *path = d->cfg.socket;
	int fd, probe;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		pr_err("control socket path %s is too long (at most %zu bytes); set a shorter socket= in %s",
		       path, sizeof(sa.sun_path) - 1, d->config_path);
		return -ENAMETOOLONG;
	}
	memcpy(sa.sun_path, path, strlen(path));
	/* a socket file left by a crashed ckptd is stale; a live one is not */
	probe = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (probe >= 0 && !connect(probe, (struct sockaddr *)&sa, sizeof(sa))) {
		close(probe);
		pr_err("another ckptd is running on %s; stop it first", path);
		return -EADDRINUSE;
	}
	if (probe >= 0)
		close(probe);
	unlink(path);

	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    chmod(path, 0666) || listen(fd, 64)) {
		int ret = -errno;

		pr_err("cannot listen on %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return ret;
	}
	d->ctl_handle = handle;
	d->listen_w.fd = fd;
	d->listen_w.fn = on_accept;
	return ckptd_loop_add(d, &d->listen_w, EPOLLIN);
}

void ckptd_ctl_close(struct ckptd *d)
{
	while (d->clients)
		client_close(d, d->clients);
	if (d->listen_w.fd > 0) {
		ckptd_loop_del(d, &d->listen_w);
		close(d->listen_w.fd);
		unlink(d->cfg.socket);
		d->listen_w.fd = -1;
	}
}
