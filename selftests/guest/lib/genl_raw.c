// SPDX-License-Identifier: GPL-2.0
/* Raw generic netlink helpers for the guest tests (see genl_raw.h). */
#include <errno.h>
#include <grp.h>
#include <linux/ckpt.h>
#include <linux/genetlink.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
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

	if (g->implicit_dst) {
		if (send(g->fd, buf, len, 0) < 0)
			return -errno;
		return 0;
	}
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

/* Attribute @type in the @len bytes of attributes at @p, or NULL. */
static const struct nlattr *attr_find(const void *p, size_t len,
				      uint16_t type)
{
	const unsigned char *c = p, *end = c + len;

	while (end - c >= NLA_HDRLEN) {
		const struct nlattr *a = (const struct nlattr *)c;

		if (a->nla_len < NLA_HDRLEN || a->nla_len > end - c)
			return NULL;
		if ((a->nla_type & NLA_TYPE_MASK) == type)
			return a;
		c += NLA_ALIGN(a->nla_len);
	}
	return NULL;
}

/* Attribute @type of the genl message @nlh, or NULL. */
static const struct nlattr *msg_attr(const struct nlmsghdr *nlh,
				     uint16_t type)
{
	if (nlh->nlmsg_len < NLMSG_HDRLEN + GENL_HDRLEN)
		return NULL;
	return attr_find((const char *)nlh + NLMSG_HDRLEN + GENL_HDRLEN,
			 nlh->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN, type);
}

static const void *attr_data(const struct nlattr *a)
{
	return (const char *)a + NLA_HDRLEN;
}

static size_t attr_len(const struct nlattr *a)
{
	return a->nla_len - NLA_HDRLEN;
}

static uint32_t attr_u32(const struct nlattr *a, uint32_t def)
{
	uint32_t v;

	if (!a || attr_len(a) != sizeof(v))
		return def;
	memcpy(&v, attr_data(a), sizeof(v));
	return v;
}

const struct nlattr *gnl_attr(const struct gnl_reply *r, uint16_t type)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)r->data;

	if (r->data_len < NLMSG_HDRLEN + GENL_HDRLEN ||
	    nlh->nlmsg_len > r->data_len)
		return NULL;
	return msg_attr(nlh, type);
}

uint32_t gnl_u32(const struct gnl_reply *r, uint16_t type, uint32_t def)
{
	return attr_u32(gnl_attr(r, type), def);
}

const char *gnl_str(const struct gnl_reply *r, uint16_t type)
{
	const struct nlattr *a = gnl_attr(r, type);

	if (!a || !attr_len(a) ||
	    ((const char *)attr_data(a))[attr_len(a) - 1] != '\0')
		return NULL;
	return attr_data(a);
}

/* The id of the multicast group @name in CTRL_ATTR_MCAST_GROUPS @groups. */
static uint32_t mcgrp_id(const struct nlattr *groups, const char *name)
{
	const unsigned char *p = attr_data(groups);
	const unsigned char *end = p + attr_len(groups);

	while (end - p >= NLA_HDRLEN) {
		const struct nlattr *grp = (const struct nlattr *)p;
		const struct nlattr *n, *id;

		if (grp->nla_len < NLA_HDRLEN || grp->nla_len > end - p)
			return 0;
		n = attr_find(attr_data(grp), attr_len(grp),
			      CTRL_ATTR_MCAST_GRP_NAME);
		id = attr_find(attr_data(grp), attr_len(grp),
			       CTRL_ATTR_MCAST_GRP_ID);
		if (n && id && attr_len(n) == strlen(name) + 1 &&
		    !memcmp(attr_data(n), name, attr_len(n)))
			return attr_u32(id, 0);
		p += NLA_ALIGN(grp->nla_len);
	}
	return 0;
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
		g->mcgrp_events_id = mcgrp_id(a, needle);
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

/* --- jobs ---------------------------------------------------------------- */

int gnl_job_create(struct gnl *g, uint32_t id, uint32_t kind, uint32_t pid,
		   const char *cgroup, struct gnl_reply *r)
{
	struct gnl_msg m;

	gnl_msg_init(&m, g, CKPT_CMD_JOB_CREATE, 0);
	gnl_put_u32(&m, CKPT_A_JOB_ID, id);
	gnl_put_u32(&m, CKPT_A_JOB_KIND, kind);
	if (pid)
		gnl_put_u32(&m, CKPT_A_JOB_PID, pid);
	if (cgroup)
		gnl_put_str(&m, CKPT_A_JOB_CGROUP, cgroup);
	return gnl_request(g, &m, r);
}

int gnl_job_simple(struct gnl *g, uint8_t cmd, uint32_t id,
		   struct gnl_reply *r)
{
	struct gnl_msg m;

	gnl_msg_init(&m, g, cmd, 0);
	gnl_put_u32(&m, CKPT_A_JOB_ID, id);
	return gnl_request(g, &m, r);
}

int gnl_job_freeze(struct gnl *g, uint32_t id, uint32_t timeout_ms,
		   struct gnl_reply *r)
{
	struct gnl_msg m;

	gnl_msg_init(&m, g, CKPT_CMD_JOB_FREEZE, 0);
	gnl_put_u32(&m, CKPT_A_JOB_ID, id);
	if (timeout_ms)
		gnl_put_u32(&m, CKPT_A_JOB_TIMEOUT_MS, timeout_ms);
	return gnl_request(g, &m, r);
}

int gnl_job_tasks(const struct gnl_reply *r, struct gnl_task *t, int max)
{
	const struct nlattr *tasks = gnl_attr(r, CKPT_A_JOB_TASKS);
	const unsigned char *p, *end;
	int n = 0;

	if (!tasks)
		return -ENOENT;
	p = attr_data(tasks);
	end = p + attr_len(tasks);
	while (end - p >= NLA_HDRLEN) {
		const struct nlattr *a = (const struct nlattr *)p;
		const struct nlattr *comm;

		if (a->nla_len < NLA_HDRLEN || a->nla_len > end - p ||
		    (a->nla_type & NLA_TYPE_MASK) != CKPT_A_JOB_TASK)
			return -EPROTO;
		if (n < max) {
			const void *d = attr_data(a);
			size_t len = attr_len(a);

			t[n].pid = attr_u32(attr_find(d, len, CKPT_A_TASK_PID), 0);
			t[n].ppid = attr_u32(attr_find(d, len, CKPT_A_TASK_PPID), 0);
			t[n].nr_threads = attr_u32(attr_find(d, len,
						CKPT_A_TASK_NR_THREADS), 0);
			comm = attr_find(d, len, CKPT_A_TASK_COMM);
			t[n].comm[0] = '\0';
			if (comm)
				snprintf(t[n].comm, sizeof(t[n].comm), "%.*s",
					 (int)attr_len(comm),
					 (const char *)attr_data(comm));
		}
		n++;
		p += NLA_ALIGN(a->nla_len);
	}
	return n;
}

static void job_info(const struct nlmsghdr *h, struct gnl_job_info *j)
{
	j->id = attr_u32(msg_attr(h, CKPT_A_JOB_ID), 0);
	j->kind = attr_u32(msg_attr(h, CKPT_A_JOB_KIND), 0);
	j->pid = attr_u32(msg_attr(h, CKPT_A_JOB_PID), 0);
	j->state = attr_u32(msg_attr(h, CKPT_A_JOB_STATE), 0);
	j->owner_uid = attr_u32(msg_attr(h, CKPT_A_JOB_OWNER_UID), -1);
	j->nr_tasks = attr_u32(msg_attr(h, CKPT_A_JOB_NR_TASKS), -1);
	j->nr_threads = attr_u32(msg_attr(h, CKPT_A_JOB_NR_THREADS), -1);
	j->has_tasks = msg_attr(h, CKPT_A_JOB_TASKS) != NULL;
}

/* The errno and extack message an NLMSG_DONE carries (a dump that failed
 * after it started); 0 if none. */
static int done_error(const struct nlmsghdr *h, struct gnl_reply *r)
{
	const unsigned char *p, *end;
	int err;

	if (h->nlmsg_len < NLMSG_HDRLEN + sizeof(int))
		return 0;
	memcpy(&err, NLMSG_DATA(h), sizeof(err));
	if (!(h->nlmsg_flags & NLM_F_ACK_TLVS))
		return err;
	p = (const unsigned char *)NLMSG_DATA(h) + NLA_ALIGN(sizeof(int));
	end = (const unsigned char *)h + h->nlmsg_len;
	while (end - p >= NLA_HDRLEN) {
		const struct nlattr *a = (const struct nlattr *)p;

		if (a->nla_len < NLA_HDRLEN || a->nla_len > end - p)
			break;
		if ((a->nla_type & NLA_TYPE_MASK) == NLMSGERR_ATTR_MSG)
			snprintf(r->extack, sizeof(r->extack), "%.*s",
				 (int)attr_len(a), (const char *)attr_data(a));
		p += NLA_ALIGN(a->nla_len);
	}
	return err;
}

int gnl_job_dump(struct gnl *g, struct gnl_job_info *jobs, int max)
{
	struct gnl_reply *r = malloc(sizeof(*r));
	int n;

	if (!r)
		return -ENOMEM;
	n = gnl_job_dump_r(g, jobs, max, r);
	free(r);
	return n;
}

int gnl_job_dump_r(struct gnl *g, struct gnl_job_info *jobs, int max,
		   struct gnl_reply *r)
{
	unsigned char *rx = malloc(GNL_BUF * 4);
	struct gnl_msg m;
	uint32_t seq;
	int n = 0, err;

	memset(r, 0, sizeof(*r));
	if (!rx)
		return -ENOMEM;
	gnl_msg_init(&m, g, CKPT_CMD_JOB_GET, NLM_F_DUMP);
	((struct nlmsghdr *)m.buf)->nlmsg_len = m.len;
	seq = ((struct nlmsghdr *)m.buf)->nlmsg_seq = ++g->seq;
	err = gnl_send_raw(g, m.buf, m.len);
	while (!err) {
		ssize_t len = recv(g->fd, rx, GNL_BUF * 4, 0);
		struct nlmsghdr *h;
		size_t left;

		if (len < 0) {
			err = -errno;
			break;
		}
		left = len;
		for (h = (struct nlmsghdr *)rx; NLMSG_OK(h, left);
		     h = NLMSG_NEXT(h, left)) {
			if (h->nlmsg_seq != seq)
				continue;
			if (h->nlmsg_type == NLMSG_DONE) {
				err = done_error(h, r);
				free(rx);
				r->err = err;
				return err ? err : n;
			}
			if (h->nlmsg_type == NLMSG_ERROR) {
				err = ((struct nlmsgerr *)NLMSG_DATA(h))->error;
				ckpt_extack_msg(h, h->nlmsg_len, r->extack,
						sizeof(r->extack));
				if (!err)
					err = -EPROTO;	/* an ack ends no dump */
				break;
			}
			if (n < max)
				job_info(h, &jobs[n]);
			n++;
		}
	}
	free(rx);
	r->err = err;
	return err;
}

/* --- events --------------------------------------------------------------- */

int gnl_events_join(struct gnl *g)
{
	uint32_t grp = g->mcgrp_events_id;

	if (!grp)
		return -ENOENT;
	if (setsockopt(g->fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &grp,
		       sizeof(grp)))
		return -errno;
	return 0;
}

int gnl_event_next(struct gnl *g, struct gnl_event *ev, int timeout_ms)
{
	unsigned char rx[GNL_BUF];
	struct pollfd pfd = { .fd = g->fd, .events = POLLIN };
	struct timespec now;
	long long deadline;

	clock_gettime(CLOCK_MONOTONIC, &now);
	deadline = now.tv_sec * 1000LL + now.tv_nsec / 1000000 + timeout_ms;
	for (;;) {
		struct nlmsghdr *h;
		ssize_t len;
		size_t left;
		long long left_ms;
		int ret;

		clock_gettime(CLOCK_MONOTONIC, &now);
		left_ms = deadline - (now.tv_sec * 1000LL + now.tv_nsec / 1000000);
		ret = poll(&pfd, 1, left_ms > 0 ? (int)left_ms : 0);

		if (ret < 0)
			return -errno;
		if (ret == 0)
			return -ETIMEDOUT;
		len = recv(g->fd, rx, sizeof(rx), MSG_DONTWAIT);
		if (len < 0)
			return -errno;
		left = len;
		for (h = (struct nlmsghdr *)rx; NLMSG_OK(h, left);
		     h = NLMSG_NEXT(h, left)) {
			const struct genlmsghdr *gh = NLMSG_DATA(h);

			if (h->nlmsg_type != g->family ||
			    h->nlmsg_len < NLMSG_HDRLEN + GENL_HDRLEN ||
			    gh->cmd != CKPT_CMD_EVENT)
				continue;
			/* One event per datagram: the kernel multicasts each
			 * in its own message. */
			ev->event = attr_u32(msg_attr(h, CKPT_A_JOB_EVENT), 0);
			ev->id = attr_u32(msg_attr(h, CKPT_A_JOB_ID), 0);
			ev->owner_uid = attr_u32(msg_attr(h, CKPT_A_JOB_OWNER_UID), -1);
			ev->pid = attr_u32(msg_attr(h, CKPT_A_JOB_PID), 0);
			ev->err_pid = attr_u32(msg_attr(h, CKPT_A_JOB_ERR_PID), 0);
			ev->err_state = attr_u32(msg_attr(h, CKPT_A_JOB_ERR_STATE), 0);
			return 0;
		}
	}
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
