// SPDX-License-Identifier: GPL-2.0
/* Listening to ckpt.ko's "events" multicast group. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/ckpt.h>
#include <netlink/genl/ctrl.h>

#include "kmod_nl_priv.h"

int ckpt_nl_events_open(struct ckpt_nl **out, struct ckpt_err *e)
{
	struct ckpt_nl *nl;
	int grp, ret;

	ret = ckpt_nl_open(&nl, e);
	if (ret)
		return ret;
	grp = genl_ctrl_resolve_grp(nl->sk, CKPT_GENL_NAME, CKPT_MCGRP_EVENTS_NAME);
	if (grp < 0) {
		ckpt_nl_set_error(e, -ENOENT, "ckpt.ko has no \"events\" group (ABI mismatch?)");
		goto fail;
	}
	nl_socket_disable_seq_check(nl->sk);
	ret = nl_socket_add_membership(nl->sk, grp);
	if (ret < 0) {
		ckpt_nl_set_error(e, -EPERM,
				  "cannot join ckpt.ko's events group (needs CAP_NET_ADMIN)");
		goto fail;
	}
	if (nl_socket_set_nonblocking(nl->sk) < 0) {
		ckpt_nl_set_error(e, -EIO, "cannot make the events socket non-blocking");
		goto fail;
	}
	*out = nl;
	return 0;
fail:
	ckpt_nl_close(nl);
	return -e->errnum;
}

int ckpt_nl_fd(struct ckpt_nl *nl)
{
	return nl_socket_get_fd(nl->sk);
}

struct ev_ctx {
	void (*fn)(const struct ckpt_kevent *ev, void *arg);
	void *arg;
};

static uint32_t u32_or_0(struct nlattr *a)
{
	return a ? nla_get_u32(a) : 0;
}

static int on_event(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[CKPT_A_JOB_MAX + 1];
	struct ev_ctx *c = arg;
	struct ckpt_kevent ev;

	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, CKPT_A_JOB_MAX, NULL) < 0 ||
	    !tb[CKPT_A_JOB_EVENT] || !tb[CKPT_A_JOB_ID])
		return NL_SKIP;
	memset(&ev, 0, sizeof(ev));
	ev.event = nla_get_u32(tb[CKPT_A_JOB_EVENT]);
	ev.job_id = nla_get_u32(tb[CKPT_A_JOB_ID]);
	ev.owner_uid = u32_or_0(tb[CKPT_A_JOB_OWNER_UID]);
	ev.pid = u32_or_0(tb[CKPT_A_JOB_PID]);
	ev.err_pid = u32_or_0(tb[CKPT_A_JOB_ERR_PID]);
	ev.err_state = u32_or_0(tb[CKPT_A_JOB_ERR_STATE]);
	c->fn(&ev, c->arg);
	return NL_OK;
}

static int no_seq_check(struct nl_msg *msg, void *arg)
{
	(void)msg;
	(void)arg;
	return NL_OK;
}

int ckpt_nl_events_read(struct ckpt_nl *nl,
			void (*fn)(const struct ckpt_kevent *ev, void *arg),
			void *arg)
{
	struct ev_ctx c = { .fn = fn, .arg = arg };
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);
	int ret;

	if (!cb)
		return -ENOMEM;
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_event, &c);
	/* multicast messages carry no sequence number to check */
	nl_cb_set(cb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, no_seq_check, NULL);
	for (;;) {
		ret = nl_recvmsgs(nl->sk, cb);
		if (ret < 0)
			break;
	}
	nl_cb_put(cb);
	/* -NLE_AGAIN: drained; -NLE_NOMEM is an overrun: events were lost */
	return ret == -NLE_AGAIN ? 0 : -EIO;
}
