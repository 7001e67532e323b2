// SPDX-License-Identifier: GPL-2.0
/*
 * What sock_diag says about a unix socket: type, state, whether it has a
 * name, its peer's inode and its shutdown state.  Userspace has no other
 * way to find the other end of a socketpair.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>

#include "capture_int.h"

static int diag_socket(struct ckptd_capture *cap, struct ckpt_err *err)
{
	if (cap->diag_fd >= 0)
		return 0;
	cap->diag_fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC,
			      NETLINK_SOCK_DIAG);
	if (cap->diag_fd < 0) {
		int ret = -errno;

		return ckpt_err_set(err, ret, "sock_diag netlink socket: %s", strerror(-ret));
	}
	return 0;
}

static void parse_attrs(const struct unix_diag_msg *m, size_t len,
			struct cap_unix *u)
{
	const struct rtattr *a = (const void *)(m + 1);
	int left = len - NLMSG_ALIGN(sizeof(*m));

	for (; RTA_OK(a, left); a = RTA_NEXT(a, left)) {
		size_t alen = RTA_PAYLOAD(a);

		switch (a->rta_type) {
		case UNIX_DIAG_NAME:
			u->named = alen > 0;
			break;
		case UNIX_DIAG_PEER:
			if (alen >= sizeof(__u32))
				u->peer_ino = *(const __u32 *)RTA_DATA(a);
			break;
		case UNIX_DIAG_SHUTDOWN:
			if (alen >= 1) {
				__u8 s = *(const __u8 *)RTA_DATA(a);

				/* RCV_SHUTDOWN 1, SEND_SHUTDOWN 2 */
				u->shutdown = (s & 1 ? CKPT_SHUT_RD : 0) |
					      (s & 2 ? CKPT_SHUT_WR : 0);
			}
			break;
		}
	}
}

int cap_unix_diag(struct ckptd_capture *cap, uint64_t ino, struct cap_unix *u,
		  struct ckpt_err *err)
{
	struct {
		struct nlmsghdr nlh;
		struct unix_diag_req r;
	} req = {
		.nlh = {
			.nlmsg_len = sizeof(req),
			.nlmsg_type = SOCK_DIAG_BY_FAMILY,
			.nlmsg_flags = NLM_F_REQUEST,
			.nlmsg_seq = 1,
		},
		.r = {
			.sdiag_family = AF_UNIX,
			.udiag_states = ~0U,
			.udiag_ino = ino,
			.udiag_show = UDIAG_SHOW_NAME | UDIAG_SHOW_PEER,
			.udiag_cookie = { INET_DIAG_NOCOOKIE, INET_DIAG_NOCOOKIE },
		},
	};
	union {
		struct nlmsghdr h;
		char buf[8192];
	} rep;
	ssize_t n;
	int ret;

	memset(u, 0, sizeof(*u));
	ret = diag_socket(cap, err);
	if (ret)
		return ret;
	if (send(cap->diag_fd, &req, sizeof(req), 0) < 0)
		goto fail;
	n = recv(cap->diag_fd, &rep, sizeof(rep), 0);
	if (n < 0)
		goto fail;
	if ((size_t)n < sizeof(rep.h) || !NLMSG_OK(&rep.h, (size_t)n)) {
		errno = EBADMSG;
		goto fail;
	}
	if (rep.h.nlmsg_type == NLMSG_ERROR) {
		const struct nlmsgerr *e = NLMSG_DATA(&rep.h);

		errno = rep.h.nlmsg_len >= NLMSG_LENGTH(sizeof(*e)) && e->error ?
			-e->error : EBADMSG;
		goto fail;
	}
	if (rep.h.nlmsg_type != SOCK_DIAG_BY_FAMILY ||
	    rep.h.nlmsg_len < NLMSG_LENGTH(sizeof(struct unix_diag_msg))) {
		errno = EBADMSG;
		goto fail;
	}
	{
		const struct unix_diag_msg *m = NLMSG_DATA(&rep.h);

		if (m->udiag_ino != ino) {
			errno = EBADMSG;
			goto fail;
		}
		u->type = m->udiag_type;
		u->state = m->udiag_state;
		parse_attrs(m, rep.h.nlmsg_len - NLMSG_LENGTH(0), u);
	}
	return 0;
fail:
	ret = -errno;
	return ckpt_err_set(err, ret, "unix socket inode %llu: sock_diag: %s%s",
		      (unsigned long long)ino, strerror(errno),
		      errno == ENOENT ? " (is the job in another network namespace?)" :
		      errno == EINVAL || errno == EPROTONOSUPPORT ?
		      " (load the unix_diag module)" : "");
}
