// SPDX-License-Identifier: GPL-2.0
/*
 * Established TCP connections (CKPT_FD_TCP, CKPT_REC_TCP;
 * Documentation/cluster.md), recreated in TCP_REPAIR mode without a
 * handshake: socket(), repair on, the sequence numbers of both queues,
 * bind and connect to the recorded addresses (the connection is
 * established at once), the options (MSS, window scale, SACK,
 * timestamps), both queues' bytes, the window; repair stays on.  The
 * controller keeps a copy of each socket and turns repair off with
 * rst_tcp_release() right before the restored processes go on: by then
 * every host of a cluster restore has its end (ckpt-restore --hold), so
 * no packet meets a host without the connection (which would answer with
 * a reset).  A restore that fails closes them in repair mode: silently.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "files_int.h"

#define KEEP_MAX	1024
#define CHUNK		(256U << 10)

static int kept[KEEP_MAX];
static size_t nr_kept;

static const struct ckpt_rec_tcp *find_rec(const struct rst_files *rf, uint64_t ofd_id,
					   size_t *body)
{
	const struct ckpt_rec *h;
	struct ckpt_stream s;

	rst_records_start(&s, rf->records, rf->records_len);
	while (ckpt_stream_next(&s, &h, body) == 1)
		if (h->type == CKPT_REC_TCP && *body >= sizeof(struct ckpt_rec_tcp) &&
		    ((const struct ckpt_rec_tcp *)(h + 1))->ofd_id == ofd_id)
			return (const void *)(h + 1);
	return NULL;
}

/* The record makes sense: addresses, options, queues within the body. */
static bool rec_ok(const struct ckpt_rec_tcp *t, size_t body)
{
	size_t alen = t->family == AF_INET ? sizeof(struct sockaddr_in) :
		      sizeof(struct sockaddr_in6);

	if (t->family != AF_INET && t->family != AF_INET6)
		return false;
	if (((const struct sockaddr *)t->local)->sa_family != t->family ||
	    ((const struct sockaddr *)t->remote)->sa_family != t->family ||
	    alen > sizeof(t->local))
		return false;
	if ((t->opts & ~CKPT_TCP_OPTS) || t->snd_len > CKPT_TCP_QUEUE_MAX ||
	    t->rcv_len > CKPT_TCP_QUEUE_MAX || !t->mss || t->mss > 65535 ||
	    t->snd_wscale > 14 || t->rcv_wscale > 14 || t->nodelay > 1 || t->pad0 || t->pad1)
		return false;
	return body - sizeof(*t) >= (size_t)t->snd_len + t->rcv_len;
}

static int set_int(int fd, int level, int opt, int v)
{
	return setsockopt(fd, level, opt, &v, sizeof(v)) ? -errno : 0;
}

/* Writes @len bytes into the queue selected by TCP_REPAIR_QUEUE. */
static int fill_queue(int fd, int queue, const uint8_t *p, uint32_t len)
{
	int ret = set_int(fd, IPPROTO_TCP, TCP_REPAIR_QUEUE, queue);

	while (!ret && len) {
		ssize_t n = send(fd, p, len < CHUNK ? len : CHUNK, 0);

		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		p += n;
		len -= n;
	}
	return ret;
}

static int seqs(int fd, const struct ckpt_rec_tcp *t, const char **what)
{
	*what = "TCP_REPAIR";
	if (set_int(fd, IPPROTO_TCP, TCP_REPAIR, 1))
		return -errno;
	*what = "the send queue's sequence number";
	if (set_int(fd, IPPROTO_TCP, TCP_REPAIR_QUEUE, TCP_SEND_QUEUE) ||
	    set_int(fd, IPPROTO_TCP, TCP_QUEUE_SEQ, (int)(t->snd_seq - t->snd_len)))
		return -errno;
	*what = "the receive queue's sequence number";
	if (set_int(fd, IPPROTO_TCP, TCP_REPAIR_QUEUE, TCP_RECV_QUEUE) ||
	    set_int(fd, IPPROTO_TCP, TCP_QUEUE_SEQ, (int)(t->rcv_seq - t->rcv_len)))
		return -errno;
	/* the buffers must hold the queues */
	*what = "SO_SNDBUFFORCE/SO_RCVBUFFORCE";
	if ((t->snd_len > 65536 &&
	     set_int(fd, SOL_SOCKET, SO_SNDBUFFORCE, (int)(2 * t->snd_len + 65536))) ||
	    (t->rcv_len > 65536 &&
	     set_int(fd, SOL_SOCKET, SO_RCVBUFFORCE, (int)(2 * t->rcv_len + 65536))))
		return -errno;
	return 0;
}

static int options(int fd, const struct ckpt_rec_tcp *t, const char **what)
{
	struct tcp_repair_opt o[4];
	struct tcp_repair_window w = {
		.snd_wl1 = t->snd_wl1, .snd_wnd = t->snd_wnd, .max_window = t->max_window,
		.rcv_wnd = t->rcv_wnd, .rcv_wup = t->rcv_wup,
	};
	unsigned int n = 0;
	int ret;

	o[n++] = (struct tcp_repair_opt){ TCPOPT_MAXSEG, t->mss };
	if (t->opts & CKPT_TCP_OPT_WSCALE)
		o[n++] = (struct tcp_repair_opt){ TCPOPT_WINDOW,
						  t->snd_wscale | ((uint32_t)t->rcv_wscale << 16) };
	if (t->opts & CKPT_TCP_OPT_SACK)
		o[n++] = (struct tcp_repair_opt){ TCPOPT_SACK_PERMITTED, 0 };
	if (t->opts & CKPT_TCP_OPT_TSTAMP)
		o[n++] = (struct tcp_repair_opt){ TCPOPT_TIMESTAMP, 0 };
	*what = "TCP_REPAIR_OPTIONS";
	if (setsockopt(fd, IPPROTO_TCP, TCP_REPAIR_OPTIONS, o, n * sizeof(o[0])))
		return -errno;
	*what = "TCP_TIMESTAMP";
	if ((t->opts & CKPT_TCP_OPT_TSTAMP) &&
	    set_int(fd, IPPROTO_TCP, TCP_TIMESTAMP, (int)t->timestamp))
		return -errno;
	*what = "the send queue";
	ret = fill_queue(fd, TCP_SEND_QUEUE, t->data, t->snd_len);
	if (ret)
		return ret;
	*what = "the receive queue";
	ret = fill_queue(fd, TCP_RECV_QUEUE, t->data + t->snd_len, t->rcv_len);
	if (ret)
		return ret;
	*what = "TCP_REPAIR_WINDOW";
	if (setsockopt(fd, IPPROTO_TCP, TCP_REPAIR_WINDOW, &w, sizeof(w)))
		return -errno;
	*what = "TCP_NODELAY";
	if (t->nodelay && set_int(fd, IPPROTO_TCP, TCP_NODELAY, 1))
		return -errno;
	set_int(fd, IPPROTO_TCP, TCP_REPAIR_QUEUE, TCP_NO_QUEUE);
	return 0;
}

static void addr_str(const void *sa, char *buf, size_t size)
{
	const struct sockaddr_in *a = sa;
	const struct sockaddr_in6 *b = sa;
	char ip[64] = "?";

	if (a->sin_family == AF_INET)
		snprintf(buf, size, "%s:%u", inet_ntop(AF_INET, &a->sin_addr, ip, sizeof(ip)) ?: "?",
			 ntohs(a->sin_port));
	else
		snprintf(buf, size, "[%s]:%u", inet_ntop(AF_INET6, &b->sin6_addr, ip, sizeof(ip)) ?: "?",
			 ntohs(b->sin6_port));
}

int rst_tcp_record(const struct rst_files *rf, const struct rst_fd *f,
		   const struct ckpt_rec_tcp **out, struct ckpt_err *err)
{
	const struct ckpt_rec_tcp *t;
	size_t body;

	t = find_rec(rf, f->r.ofd_id, &body);
	if (!t || !rec_ok(t, body))
		return ckpt_err_set(err, EINVAL, "pid %d fd %d: the TCP record of its description is %s",
				    f->r.pid, f->r.fd, t ? "malformed" : "missing");
	*out = t;
	return 0;
}

int rst_tcp_make(struct rst_files *rf, const struct rst_fd *f, struct ckpt_err *err)
{
	const struct ckpt_rec_tcp *t;
	const char *what = "socket";
	char l[80], r[80];
	socklen_t alen;
	int fd, ret;

	ret = rst_tcp_record(rf, f, &t, err);
	if (ret)
		return ret;
	if (nr_kept == KEEP_MAX)
		return ckpt_err_set(err, EMFILE, "pid %d fd %d: more than %d TCP connections to restore",
				    f->r.pid, f->r.fd, KEEP_MAX);
	addr_str(t->local, l, sizeof(l));
	addr_str(t->remote, r, sizeof(r));
	alen = t->family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
	fd = socket(t->family, SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_TCP);
	if (fd < 0) {
		ret = -errno;
		goto fail;
	}
	ret = seqs(fd, t, &what);
	if (!ret) {
		what = "bind to the local address";
		if (bind(fd, (const struct sockaddr *)t->local, alen))
			ret = -errno;
	}
	if (!ret) {
		what = "connect (in repair mode)";
		if (connect(fd, (const struct sockaddr *)t->remote, alen))
			ret = -errno;
	}
	if (!ret)
		ret = options(fd, t, &what);
	if (!ret) {
		kept[nr_kept] = fcntl(fd, F_DUPFD_CLOEXEC, rf->base);
		if (kept[nr_kept] < 0) {
			ret = -errno;
			what = "keeping a copy";
		} else {
			nr_kept++;
			return fd;
		}
	}
	close(fd);
fail:
	return ckpt_err_set(err, ret, "pid %d fd %d: TCP connection %s -> %s: %s: %s%s", f->r.pid,
			    f->r.fd, l, r, what, strerror(-ret),
			    ret == -EADDRINUSE ? " (the original connection is still open on this host: kill the job first)" :
			    ret == -EPERM ? " (TCP_REPAIR needs CAP_NET_ADMIN)" : "");
}

int rst_tcp_release(struct ckpt_err *err)
{
	int ret = 0;

	for (size_t i = 0; i < nr_kept; i++) {
		int e = ret ? 0 : set_int(kept[i], IPPROTO_TCP, TCP_REPAIR, TCP_REPAIR_OFF);

		if (e)
			ret = ckpt_err_set(err, e, "ending TCP repair mode of a restored connection: %s",
					   strerror(-e));
		close(kept[i]);
	}
	nr_kept = 0;
	return ret;
}

void rst_tcp_drop(void)
{
	for (size_t i = 0; i < nr_kept; i++)
		close(kept[i]);
	nr_kept = 0;
}
