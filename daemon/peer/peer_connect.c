// SPDX-License-Identifier: GPL-2.0
/* Opening a peer connection (peer_connect.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "peer_connect.h"

void ckpt_peer_addr_str(int fd, char *buf, size_t size)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char host[INET6_ADDRSTRLEN] = "?", port[8] = "?";

	if (!getpeername(fd, (struct sockaddr *)&ss, &len))
		getnameinfo((struct sockaddr *)&ss, len, host, sizeof(host), port,
			    sizeof(port), NI_NUMERICHOST | NI_NUMERICSERV);
	snprintf(buf, size, "%s%s%s:%s", ss.ss_family == AF_INET6 ? "[" : "", host,
		 ss.ss_family == AF_INET6 ? "]" : "", port);
}

static int connect_one(const struct addrinfo *ai, int timeout_ms)
{
	int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	struct pollfd p = { .events = POLLOUT };
	socklen_t len = sizeof(int);
	int err = 0, one = 1, n;

	if (fd < 0)
		return -errno;
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) && errno != EINPROGRESS) {
		err = -errno;
		close(fd);
		return err;
	}
	p.fd = fd;
	do
		n = poll(&p, 1, timeout_ms);
	while (n < 0 && errno == EINTR);
	if (n <= 0) {
		close(fd);
		return n ? -errno : -ETIMEDOUT;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) || err) {
		close(fd);
		return err ? -err : -errno;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

int ckpt_peer_connect(const char *name, const char *host, unsigned int port,
		      int timeout_ms, struct ckpt_peer_conn **out,
		      struct ckpt_err *e)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res, *ai;
	char portstr[8], label[sizeof((*out)->peer)];
	int fd = -EHOSTUNREACH, ret;

	snprintf(portstr, sizeof(portstr), "%u", port);
	snprintf(label, sizeof(label), "%s (%s:%u)", name, host, port);
	ret = getaddrinfo(host, portstr, &hints, &res);
	if (ret)
		return ckpt_err_set(e, EHOSTUNREACH, "cannot resolve %s: %s; check its address in [peers] of ckptd.conf",
				    label, gai_strerror(ret));
	for (ai = res; ai; ai = ai->ai_next) {
		fd = connect_one(ai, timeout_ms);
		if (fd >= 0)
			break;
	}
	freeaddrinfo(res);
	if (fd < 0) {
		return ckpt_err_set(e, fd, "cannot connect to %s: %s; is ckptd running there with a [peers] section?",
			     label, strerror(-fd));
	}
	*out = ckpt_peer_conn_new(fd, label, timeout_ms);
	if (!*out)
		return ckpt_err_set(e, ENOMEM, "out of memory");
	return 0;
}
