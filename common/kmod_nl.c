// SPDX-License-Identifier: GPL-2.0
/*
 * libnl-based client of the "ckpt" generic netlink family.
 *
 * libnl folds kernel errors into its own NLE_* codes; an error callback
 * keeps the kernel's errno and its extack message instead, so that users
 * see what the module actually said.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/ckpt.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include "extack.h"
#include "kmod_nl.h"
#include "kmod_nl_priv.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

void ckpt_nl_set_error(struct ckpt_err *e, int err, const char *msg)
{
	if (err)
		ckpt_err_set(e, err, "%s", msg ? msg : "");
	else
		ckpt_err_clear(e);
}

int ckpt_nl_open(struct ckpt_nl **out, struct ckpt_err *e)
{
	struct ckpt_nl *nl;
	int one = 1, ret;

	nl = calloc(1, sizeof(*nl));
	if (!nl) {
		ckpt_nl_set_error(e, -ENOMEM, "out of memory");
		return -ENOMEM;
	}
	nl->sk = nl_socket_alloc();
	if (!nl->sk) {
		ckpt_nl_set_error(e, -ENOMEM, "cannot allocate a netlink socket");
		free(nl);
		return -ENOMEM;
	}
	ret = genl_connect(nl->sk);
	if (ret < 0) {
		ckpt_nl_set_error(e, -EIO, nl_geterror(ret));
		goto fail;
	}
	/* Best effort: without them errors only lack the kernel's text. */
	setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_EXT_ACK,
		   &one, sizeof(one));
	setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_CAP_ACK,
		   &one, sizeof(one));

	nl->family = genl_ctrl_resolve(nl->sk, CKPT_GENL_NAME);
	if (nl->family < 0) {
		if (nl->family == -NLE_OBJ_NOTFOUND)
			ckpt_nl_set_error(e, -ENOENT, "generic netlink family \""
				  CKPT_GENL_NAME "\" not found");
		else
			ckpt_nl_set_error(e, -EIO, nl_geterror(nl->family));
		goto fail;
	}
	*out = nl;
	return 0;

fail:
	nl_socket_free(nl->sk);
	free(nl);
	return -e->errnum;
}

void ckpt_nl_close(struct ckpt_nl *nl)
{
	if (!nl)
		return;
	nl_socket_free(nl->sk);
	free(nl);
}

static int on_error(struct sockaddr_nl *who, struct nlmsgerr *err, void *arg)
{
	struct ckpt_nl_req *req = arg;
	const struct nlmsghdr *nlh =
		(const struct nlmsghdr *)((char *)err - NLMSG_HDRLEN);

	(void)who;
	req->e->errnum = err->error < 0 ? -err->error : EIO;
	ckpt_extack_msg(nlh, nlh->nlmsg_len, req->e->msg, sizeof(req->e->msg));
	req->done = true;
	return NL_STOP;
}

static int on_finish(struct nl_msg *msg, void *arg)
{
	struct ckpt_nl_req *req = arg;

	(void)msg;
	req->done = true;
	return NL_STOP;
}

static int on_ack(struct nl_msg *msg, void *arg)
{
	struct ckpt_nl_req *req = arg;

	(void)msg;
	req->done = true;
	return NL_STOP;
}

static int on_valid(struct nl_msg *msg, void *arg)
{
	struct ckpt_nl_req *req = arg;
	struct nlattr *tb[req->maxattr + 1];
	int ret;

	ret = genlmsg_parse(nlmsg_hdr(msg), 0, tb, req->maxattr, NULL);
	if (ret < 0) {
		req->parse_err = -EPROTO;
		return NL_SKIP;
	}
	if (req->parse) {
		ret = req->parse(tb, req->arg);
		if (ret && !req->parse_err)
			req->parse_err = ret;
	}
	return NL_OK;
}

/* Send @msg (consumed) and run callbacks until the ack or an error. */
int ckpt_nl_exchange(struct ckpt_nl *nl, struct nl_msg *msg,
			    struct ckpt_nl_req *req)
{
	struct nl_cb *cb;
	int ret;

	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb) {
		nlmsg_free(msg);
		ckpt_nl_set_error(req->e, -ENOMEM, "out of memory");
		return -ENOMEM;
	}
	nl_cb_err(cb, NL_CB_CUSTOM, on_error, req);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_ack, req);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_valid, req);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, on_finish, req);

	ret = nl_send_auto(nl->sk, msg);
	nlmsg_free(msg);
	if (ret < 0) {
		ckpt_nl_set_error(req->e, -EIO, nl_geterror(ret));
		goto out;
	}
	ckpt_nl_set_error(req->e, 0, NULL);
	while (!req->done) {
		ret = nl_recvmsgs(nl->sk, cb);
		if (ret < 0 && !req->done) {
			ckpt_nl_set_error(req->e, -EIO, nl_geterror(ret));
			break;
		}
	}
	if (!req->e->errnum && req->parse_err)
		ckpt_nl_set_error(req->e, req->parse_err,
			  "malformed reply from ckpt.ko (ABI mismatch?)");
out:
	nl_cb_put(cb);
	return -req->e->errnum;
}

static int copy_string(char *dst, size_t size, const struct nlattr *a)
{
	if (!a)
		return -EPROTO;
	snprintf(dst, size, "%.*s", nla_len(a), (const char *)nla_data(a));
	return 0;
}

static int parse_features(struct nlattr **tb, void *arg)
{
	struct ckpt_kfeatures *f = arg;

	if (!tb[CKPT_A_FEATURES_ABI_VERSION] || !tb[CKPT_A_FEATURES_BITS] ||
	    !tb[CKPT_A_FEATURES_PAGE_SIZE])
		return -EPROTO;
	f->abi_version = nla_get_u32(tb[CKPT_A_FEATURES_ABI_VERSION]);
	f->bits = nla_get_u64(tb[CKPT_A_FEATURES_BITS]);
	f->page_size = nla_get_u32(tb[CKPT_A_FEATURES_PAGE_SIZE]);
	if (copy_string(f->kernel_release, sizeof(f->kernel_release),
			tb[CKPT_A_FEATURES_KERNEL_RELEASE]) ||
	    copy_string(f->module_version, sizeof(f->module_version),
			tb[CKPT_A_FEATURES_MODULE_VERSION]))
		return -EPROTO;
	return 0;
}

int ckpt_nl_get_features(struct ckpt_nl *nl, const char *client,
			 struct ckpt_kfeatures *f, struct ckpt_err *e)
{
	struct ckpt_nl_req req = {
		.e = e, .parse = parse_features, .arg = f,
		.maxattr = CKPT_A_FEATURES_MAX,
	};
	struct nl_msg *msg;

	memset(f, 0, sizeof(*f));
	msg = nlmsg_alloc();
	if (!msg) {
		ckpt_nl_set_error(e, -ENOMEM, "out of memory");
		return -ENOMEM;
	}
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, nl->family, 0, 0,
			 CKPT_CMD_GET_FEATURES, CKPT_GENL_VERSION) ||
	    nla_put_u32(msg, CKPT_A_FEATURES_ABI_VERSION, CKPT_ABI_VERSION) ||
	    (client && nla_put_string(msg, CKPT_A_FEATURES_CLIENT, client))) {
		nlmsg_free(msg);
		ckpt_nl_set_error(e, -EMSGSIZE, "request does not fit a netlink message");
		return -EMSGSIZE;
	}
	return ckpt_nl_exchange(nl, msg, &req);
}
