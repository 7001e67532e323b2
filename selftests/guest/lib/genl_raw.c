// SPDX-License-Identifier: GPL-2.0
/* Raw generic netlink helpers for the guest tests (see genl_raw.h). */
#include <errno.h>
#include <grp.h>
#include <linux/ckpt.h>
#include <linux/genetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "extack.h"
#include "genl_raw.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

static void msg_init(struct gnl_msg *m, uint16_t type, uint16_t flags,
		     uint8_t cmd, uint8_t version)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)m->buf;
	struct genlmsghdr *gh = NLMSG_DATA(nlh);

	memset(m->buf, 0, NLMSG_HDRLEN + GENL_HDRLEN);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	gh->cmd = cmd;
	gh->version = version;
	m->len = NLMSG_HDRLEN + GENL_HDRLEN;
}

void gnl_msg_init(struct gnl_msg *m, const struct gnl *g, uint8_t cmd,
		  uint16_t flags)
{
	msg_init(m, g->family, flags, cmd, CKPT_GENL_VERSION);
}

void gnl_put(struct gnl_msg *m, uint16_t type, const void *data, size_t len)
{
	struct nlattr *a = (struct nlattr *)(m->buf + m->len);

	if (m->len + NLA_ALIGN(NLA_HDRLEN + len) > sizeof(m->buf))
		abort();
	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	memcpy((char *)a + NLA_HDRLEN, data, len);
	memset((char *)a + NLA_HDRLEN + len, 0,
	       NLA_ALIGN(a->nla_len) - a->nla_len);
	m->len += NLA_ALIGN(a->nla_len);
}

void gnl_put_u32(struct gnl_msg *m, uint16_t type, uint32_t v)
{
	gnl_put(m, type, &v, sizeof(v));
}

void gnl_put_str(struct gnl_msg *m, uint16_t type, const char *s)
{
	gnl_put(m, type, s, strlen(s) + 1);
}

int gnl_send_raw(struct gnl *g, const void *buf, size_t len)
{
	struct sockaddr_nl to = { .nl_family = AF_NETLINK };

	if (sendto(g->fd, buf, len, 0, (struct sockaddr *)&to, sizeof(to)) < 0)
		return -errno;
	return 0;
}

int gnl_drain(struct gnl *g)
{
	unsigned char buf[GNL_BUF];
	int n = 0;

	while (recv(g->fd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
		n++;
	return n;
}

int gnl_request_raw(struct gnl *g, const void *buf, size_t len,
		    struct gnl_reply *r)
{
	const struct nlmsghdr *req = buf;
	unsigned char rx[GNL_BUF];
	int err;

	memset(r, 0, sizeof(*r));
	err = gnl_send_raw(g, buf, len);
	if (err)
		return err;

	for (;;) {
		ssize_t n = recv(g->fd, rx, sizeof(rx), 0);
		struct nlmsghdr *h;
		size_t left;

		if (n < 0)
			return -errno;
		left = n;
		for (h = (struct nlmsghdr *)rx; NLMSG_OK(h, left);
		     h = NLMSG_NEXT(h, left)) {
			if (h->nlmsg_seq != req->nlmsg_seq)
				continue;
			if (h->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = NLMSG_DATA(h);

				r->err = e->error;
				ckpt_extack_msg(h, h->nlmsg_len, r->extack,
						sizeof(r->extack));
				return r->err;
			}
			if (h->nlmsg_len <= sizeof(r->data)) {
				memcpy(r->data, h, h->nlmsg_len);
				r->data_len = h->nlmsg_len;
			}
		}
	}
}

int gnl_request(struct gnl *g, struct gnl_msg *m, struct gnl_reply *r)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)m->buf;

	nlh->nlmsg_len = m->len;
	nlh->nlmsg_seq = ++g->seq;
	nlh->nlmsg_flags |= NLM_F_ACK;
	return gnl_request_raw(g, m->buf, m->len, r);
}

const struct nlattr *gnl_attr(const struct gnl_reply *r, uint16_t type)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)r->data;
	const unsigned char *p, *end;

	if (r->data_len < NLMSG_HDRLEN + GENL_HDRLEN)
		return NULL;
	p = r->data + NLMSG_HDRLEN + GENL_HDRLEN;
	end = r->data + nlh->nlmsg_len;
	while (end - p >= NLA_HDRLEN) {
		const struct nlattr *a = (const struct nlattr *)p;

		if (a->nla_len < NLA_HDRLEN || a->nla_len > end - p)
			return NULL;
		if ((a->nla_type & NLA_TYPE_MASK) == type)
			return a;
		p += NLA_ALIGN(a->nla_len);
	}
	return NULL;
}

/* Ask the controller for the family id, version and multicast groups. */
static int resolve_family(struct gnl *g)
{
	struct gnl_reply *r = calloc(1, sizeof(*r));
	struct gnl_msg *m = calloc(1, sizeof(*m));
	const struct nlattr *a;
	int err;

	if (!r || !m) {
		err = -ENOMEM;
		goto out;
	}
	msg_init(m, GENL_ID_CTRL, 0, CTRL_CMD_GETFAMILY, 1);
	gnl_put_str(m, CTRL_ATTR_FAMILY_NAME, CKPT_GENL_NAME);
	err = gnl_request(g, m, r);
	if (err)
		goto out;
	a = gnl_attr(r, CTRL_ATTR_FAMILY_ID);
	if (!a) {
		err = -EPROTO;
		goto out;
	}
	g->family = *(const uint16_t *)((const char *)a + NLA_HDRLEN);
	a = gnl_attr(r, CTRL_ATTR_VERSION);
	if (a)
		g->version = *(const uint32_t *)((const char *)a + NLA_HDRLEN);
	a = gnl_attr(r, CTRL_ATTR_MCAST_GROUPS);
	if (a) {
		/* nested: array of nests holding CTRL_ATTR_MCAST_GRP_NAME */
		const char *needle = CKPT_MCGRP_EVENTS_NAME;

		g->mcgrp_events = memmem((const char *)a, a->nla_len, needle,
					 strlen(needle) + 1) != NULL;
	}
out:
	free(r);
	free(m);
	return err;
}

int gnl_open(struct gnl *g)
{
	struct sockaddr_nl me = { .nl_family = AF_NETLINK };
	struct timeval tv = { .tv_sec = 10 };
	int one = 1, err;

	memset(g, 0, sizeof(*g));
	g->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (g->fd < 0)
		return -errno;
	if (bind(g->fd, (struct sockaddr *)&me, sizeof(me)) < 0 ||
	    setsockopt(g->fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one)) ||
	    setsockopt(g->fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one)) ||
	    setsockopt(g->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv))) {
		err = -errno;
		close(g->fd);
		return err;
	}
	err = resolve_family(g);
	if (err) {
		close(g->fd);
		g->fd = -1;
	}
	return err;
}

void gnl_close(struct gnl *g)
{
	if (g->fd >= 0)
		close(g->fd);
	g->fd = -1;
}

int gnl_get_features(struct gnl *g, struct gnl_reply *r)
{
	struct gnl_msg m;

	gnl_msg_init(&m, g, CKPT_CMD_GET_FEATURES, 0);
	gnl_put_u32(&m, CKPT_A_FEATURES_ABI_VERSION, CKPT_ABI_VERSION);
	return gnl_request(g, &m, r);
}

int ckpt_test_load_module(void)
{
	struct stat st;
	const char *ko = getenv("CKPT_KO");
	char cmd[512];

	if (stat("/sys/module/ckpt", &st) == 0)
		return 0;
	snprintf(cmd, sizeof(cmd), "insmod %s", ko ? ko : "/lib/ckpt/ckpt.ko");
	return system(cmd) == 0 ? 0 : -1;
}

int ckpt_test_drop_privileges(void)
{
	if (setgroups(0, NULL) || setresgid(65534, 65534, 65534) ||
	    setresuid(65534, 65534, 65534))
		return -errno;
	return 0;
}
