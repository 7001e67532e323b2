// SPDX-License-Identifier: GPL-2.0
/*
 * Established TCP connections of a frozen job (CKPT_FD_TCP, a
 * CKPT_REC_TCP record per description; Documentation/cluster.md): our
 * copy of the socket (pidfd_getfd) goes into TCP_REPAIR mode, which lets
 * us read the sequence numbers, both queues (peeked, nothing consumed),
 * the options and the window; then repair mode ends without a window
 * probe, leaving the connection exactly as it was.  The send queues are
 * read at prepare (every host of the job frozen, nothing written any
 * more), the receive queues at dump, after every host's prepare: so a
 * byte one end stopped holding as unacknowledged was already received by
 * the other end when it reads its receive queue (the consistent cut).  Only cluster
 * checkpoints ask for it (ckptd_capture_opts.tcp): restoring one end of a
 * connection needs its other end restored too.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/sockios.h>

#include "capture_int.h"

#ifndef TCP_REPAIR_OFF_NO_WP
#define TCP_REPAIR_OFF_NO_WP	-1
#endif

int cap_tcp_is_established(int fd, bool *yes)
{
	struct tcp_info ti;
	socklen_t len = sizeof(int);
	int type = 0, proto = 0;

	*yes = false;
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len))
		return -errno;
	len = sizeof(int);
	if (getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &proto, &len))
		return -errno;
	if (type != SOCK_STREAM || proto != IPPROTO_TCP)
		return 0;
	len = sizeof(ti);
	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len))
		return -errno;
	*yes = ti.tcpi_state == TCP_ESTABLISHED;
	return 0;
}

static int set_int(int fd, int opt, int v)
{
	return setsockopt(fd, IPPROTO_TCP, opt, &v, sizeof(v)) ? -errno : 0;
}

static int get_int(int fd, int opt, uint32_t *v)
{
	socklen_t len = sizeof(int);
	int x = 0;

	if (getsockopt(fd, IPPROTO_TCP, opt, &x, &len))
		return -errno;
	*v = (uint32_t)x;
	return 0;
}

/* Peeks the whole queue selected (it may shrink meanwhile, never grow). */
static int peek_all(int fd, uint8_t **buf, uint32_t *len)
{
	int q = 0;
	ssize_t n;

	for (int tries = 0; tries < 8; tries++) {
		size_t cap;

		if (ioctl(fd, SIOCOUTQ, &q) || q < 0)
			return -errno ?: -EINVAL;
		if ((uint32_t)q > CKPT_TCP_QUEUE_MAX)
			return -EFBIG;
		cap = (size_t)q + (256U << 10);	/* a partly acked first segment */
		free(*buf);
		*buf = malloc(cap);
		if (!*buf)
			return -ENOMEM;
		n = recv(fd, *buf, cap, MSG_PEEK | MSG_DONTWAIT);
		if (n >= 0 && (size_t)n < cap) {
			*len = n;
			return 0;
		}
		if (n < 0 && errno != EFAULT && errno != EAGAIN)
			return -errno;
	}
	return -EAGAIN;
}

/*
 * The receive queue and the sequence number after it, read at one moment:
 * data may still arrive (the other end's kernel sends what it holds).
 */
static int peek_rcvq(int fd, uint8_t **buf, uint32_t *len, uint32_t *seq)
{
	for (int tries = 0; tries < 100; tries++) {
		uint32_t s1 = 0, s2 = 0;
		int inq = 0, ret;
		ssize_t n;

		if (ioctl(fd, SIOCINQ, &inq) || inq < 0)
			return -errno ?: -EINVAL;
		if ((uint32_t)inq > CKPT_TCP_QUEUE_MAX)
			return -EFBIG;
		free(*buf);
		*buf = malloc((size_t)inq + 1);
		if (!*buf)
			return -ENOMEM;
		ret = get_int(fd, TCP_QUEUE_SEQ, &s1);
		if (ret)
			return ret;
		n = inq ? recv(fd, *buf, inq + 1, MSG_PEEK | MSG_DONTWAIT) : 0;
		if (n < 0 && errno != EAGAIN)
			return -errno;
		ret = get_int(fd, TCP_QUEUE_SEQ, &s2);
		if (ret)
			return ret;
		if (n < 0)
			n = 0;
		if (s1 == s2 && n <= inq) {
			*len = n;
			*seq = s1;
			return 0;
		}
	}
	return -EAGAIN;
}

static int sndq_read(int fd, uint64_t ino, struct ckptd_tcp_sndq *q)
{
	int ret;

	memset(q, 0, sizeof(*q));
	q->ino = ino;
	ret = set_int(fd, TCP_REPAIR, 1);
	if (ret)
		return ret;
	ret = set_int(fd, TCP_REPAIR_QUEUE, TCP_SEND_QUEUE) ?: get_int(fd, TCP_QUEUE_SEQ, &q->seq);
	if (!ret)
		ret = peek_all(fd, &q->data, &q->len);
	set_int(fd, TCP_REPAIR_QUEUE, TCP_NO_QUEUE);
	set_int(fd, TCP_REPAIR, TCP_REPAIR_OFF_NO_WP);
	return ret;
}

static int sndq_add(struct ckptd_tcp_sndqs *out, int fd, uint64_t ino)
{
	struct ckptd_tcp_sndq *v;

	for (size_t i = 0; i < out->n; i++)
		if (out->v[i].ino == ino)
			return 0;	/* shared with another fd */
	v = realloc(out->v, (out->n + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	out->v = v;
	return sndq_read(fd, ino, &out->v[out->n++]);
}

int ckptd_capture_tcp_sndqs(const pid_t *pids, size_t nr, struct ckptd_tcp_sndqs *out,
			    struct ckpt_err *err)
{
	int ret = 0;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < nr && !ret; i++) {
		pid_t via = ckptd_capture_task(pids[i]);
		int pidfd = ckpt_pidfd_open(pids[i], via), *fds = NULL;
		size_t nfds = 0;

		/*
		 * gone, or a zombie, which holds nothing; or a process whose
		 * main thread exited on a kernel without thread pidfds, whose
		 * sockets the capture leaves unsupported
		 */
		if (pidfd < 0)
			continue;
		if (cap_proc_fds(via, &fds, &nfds)) {
			close(pidfd);
			continue;
		}
		for (size_t k = 0; k < nfds && !ret; k++) {
			int fd = syscall(SYS_pidfd_getfd, pidfd, fds[k], 0);
			struct stat st;
			bool est = false;

			if (fd < 0)
				continue;
			if (!fstat(fd, &st) && S_ISSOCK(st.st_mode) &&
			    !cap_tcp_is_established(fd, &est) && est) {
				ret = sndq_add(out, fd, st.st_ino);
				if (ret)
					ckpt_err_set(err, ret, "pid %d fd %d: the send queue of its TCP connection: %s",
						      (int)pids[i], fds[k], strerror(-ret));
			}
			close(fd);
		}
		free(fds);
		close(pidfd);
	}
	if (ret)
		ckptd_tcp_sndqs_free(out);
	return ret;
}

void ckptd_tcp_sndqs_free(struct ckptd_tcp_sndqs *q)
{
	for (size_t i = 0; i < q->n; i++)
		free(q->v[i].data);
	free(q->v);
	q->v = NULL;
	q->n = 0;
}

static int read_state(int fd, struct ckpt_rec_tcp *t, uint8_t **rcvq, const char **what)
{
	struct tcp_repair_window w;
	struct tcp_info ti;
	socklen_t len;
	int ret;

	*what = "getsockname";
	len = sizeof(t->local);
	if (getsockname(fd, (struct sockaddr *)t->local, &len))
		return -errno;
	t->family = ((struct sockaddr *)t->local)->sa_family;
	*what = "getpeername";
	len = sizeof(t->remote);
	if (getpeername(fd, (struct sockaddr *)t->remote, &len))
		return -errno;
	*what = "TCP_INFO";
	len = sizeof(ti);
	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len))
		return -errno;
	if (ti.tcpi_state != TCP_ESTABLISHED)
		return -ENOTCONN;
	if (ti.tcpi_options & TCPI_OPT_SACK)
		t->opts |= CKPT_TCP_OPT_SACK;
	if (ti.tcpi_options & TCPI_OPT_TIMESTAMPS)
		t->opts |= CKPT_TCP_OPT_TSTAMP;
	if (ti.tcpi_options & TCPI_OPT_WSCALE) {
		t->opts |= CKPT_TCP_OPT_WSCALE;
		t->snd_wscale = ti.tcpi_snd_wscale;
		t->rcv_wscale = ti.tcpi_rcv_wscale;
	}
	*what = "TCP_REPAIR";
	ret = set_int(fd, TCP_REPAIR, 1);
	if (ret)
		return ret;
	*what = "the receive queue";
	ret = set_int(fd, TCP_REPAIR_QUEUE, TCP_RECV_QUEUE) ?:
	      peek_rcvq(fd, rcvq, &t->rcv_len, &t->rcv_seq);
	if (!ret) {
		*what = "TCP_MAXSEG";
		ret = get_int(fd, TCP_MAXSEG, &t->mss);
	}
	if (!ret && (t->opts & CKPT_TCP_OPT_TSTAMP)) {
		*what = "TCP_TIMESTAMP";
		ret = get_int(fd, TCP_TIMESTAMP, &t->timestamp);
	}
	if (!ret) {
		uint32_t nd = 0;

		*what = "TCP_REPAIR_WINDOW";
		len = sizeof(w);
		if (getsockopt(fd, IPPROTO_TCP, TCP_REPAIR_WINDOW, &w, &len))
			ret = -errno;
		else if (!get_int(fd, TCP_NODELAY, &nd))
			t->nodelay = !!nd;
		t->snd_wl1 = w.snd_wl1;
		t->snd_wnd = w.snd_wnd;
		t->max_window = w.max_window;
		t->rcv_wnd = w.rcv_wnd;
		t->rcv_wup = w.rcv_wup;
	}
	set_int(fd, TCP_REPAIR_QUEUE, TCP_NO_QUEUE);
	/* as it was: no window probe, nothing sent */
	set_int(fd, TCP_REPAIR, TCP_REPAIR_OFF_NO_WP);
	return ret;
}

int cap_tcp_record(struct ckptd_capture *cap, struct cap_fd *f, struct ckptd_recbuf *out,
		   struct ckpt_err *err)
{
	const struct ckptd_tcp_sndq *q = NULL;
	struct ckpt_rec_tcp t;
	uint8_t *rcvq = NULL, *data = NULL;
	const char *what = "the send queue read at prepare";
	int ret = -ENOENT;

	memset(&t, 0, sizeof(t));
	t.pid = f->rec.pid;
	t.ofd_id = f->rec.ofd_id;
	for (size_t i = 0; cap->sndqs && i < cap->sndqs->n; i++)
		if (cap->sndqs->v[i].ino == (uint64_t)f->st.st_ino)
			q = &cap->sndqs->v[i];
	if (q) {
		t.snd_seq = q->seq;
		t.snd_len = q->len;
		ret = read_state(f->dup, &t, &rcvq, &what);
	}
	if (!ret) {
		data = malloc((size_t)t.snd_len + t.rcv_len + 1);
		ret = data ? 0 : -ENOMEM;
	}
	if (!ret) {
		memcpy(data, q->data, t.snd_len);
		memcpy(data + t.snd_len, rcvq, t.rcv_len);
		ret = cap_rec_add(out, CKPT_REC_TCP, &t, sizeof(t), data,
				  (size_t)t.snd_len + t.rcv_len);
	}
	free(rcvq);
	free(data);
	if (ret)
		return ckpt_err_set(err, ret, "pid %d fd %d (TCP connection %s): %s: %s%s", (int)f->pid, f->fd,
			      f->link, what, strerror(-ret),
			      ret == -EPERM ? " (TCP_REPAIR needs CAP_NET_ADMIN: run ckptd as root)" : "");
	return 0;
}

_Static_assert(sizeof(struct ckpt_rec_tcp) == 128, "struct ckpt_rec_tcp is 128 bytes");
