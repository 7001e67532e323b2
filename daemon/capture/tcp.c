// SPDX-License-Identifier: GPL-2.0
/*
 * Established TCP connections of a frozen job (CKPT_FD_TCP, a
 * CKPT_REC_TCP record per description; Documentation/cluster.md): our
 * copy of the socket (pidfd_getfd) goes into TCP_REPAIR mode, which lets
 * us read the sequence numbers, both queues (peeked, nothing consumed),
 * the options and the window; then repair mode ends without a window
 * probe, leaving the connection exactly as it was.  Only cluster
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

/* Peeks @len bytes of the queue selected with TCP_REPAIR_QUEUE. */
static int peek_queue(int fd, int queue, uint8_t *buf, uint32_t len, uint32_t *seq)
{
	ssize_t n;
	int ret = set_int(fd, TCP_REPAIR_QUEUE, queue) ?: get_int(fd, TCP_QUEUE_SEQ, seq);

	if (ret || !len)
		return ret;
	n = recv(fd, buf, len, MSG_PEEK | MSG_DONTWAIT);
	if (n < 0)
		return -errno;
	return (uint32_t)n == len ? 0 : -EAGAIN;
}

static int read_state(int fd, struct ckpt_rec_tcp *t, uint8_t **data, const char **what)
{
	struct tcp_repair_window w;
	struct tcp_info ti;
	socklen_t len;
	int outq = 0, inq = 0, ret;

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
	*what = "SIOCOUTQ/SIOCINQ";
	if (ioctl(fd, SIOCOUTQ, &outq) || ioctl(fd, SIOCINQ, &inq))
		return -errno;
	if (outq < 0 || inq < 0 || (uint32_t)outq > CKPT_TCP_QUEUE_MAX ||
	    (uint32_t)inq > CKPT_TCP_QUEUE_MAX)
		return -EFBIG;
	t->snd_len = outq;
	t->rcv_len = inq;
	*data = malloc((size_t)outq + inq + 1);
	if (!*data)
		return -ENOMEM;
	*what = "TCP_REPAIR";
	ret = set_int(fd, TCP_REPAIR, 1);
	if (ret)
		return ret;
	*what = "the send queue";
	ret = peek_queue(fd, TCP_SEND_QUEUE, *data, t->snd_len, &t->snd_seq);
	if (!ret) {
		*what = "the receive queue";
		ret = peek_queue(fd, TCP_RECV_QUEUE, *data + t->snd_len, t->rcv_len, &t->rcv_seq);
	}
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

int cap_tcp_record(struct cap_fd *f, struct ckptd_recbuf *out, struct ckptd_err *err)
{
	struct ckpt_rec_tcp t;
	uint8_t *data = NULL;
	const char *what = "";
	int ret;

	memset(&t, 0, sizeof(t));
	t.ofd_id = f->rec.ofd_id;
	ret = read_state(f->dup, &t, &data, &what);
	if (!ret)
		ret = cap_rec_add(out, CKPT_REC_TCP, &t, sizeof(t), data,
				  (size_t)t.snd_len + t.rcv_len);
	free(data);
	if (ret)
		ckptd_err_set(err, "pid %d fd %d (TCP connection %s): %s: %s%s", (int)f->pid, f->fd,
			      f->link, what, strerror(-ret),
			      ret == -EPERM ? " (TCP_REPAIR needs CAP_NET_ADMIN: run ckptd as root)" : "");
	return ret;
}
