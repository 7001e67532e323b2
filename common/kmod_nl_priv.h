/* SPDX-License-Identifier: GPL-2.0 */
/* Internals shared by the kmod_nl*.c files (not for other callers). */
#ifndef CKPT_KMOD_NL_PRIV_H
#define CKPT_KMOD_NL_PRIV_H

#include <stdbool.h>

#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include "kmod_nl.h"

struct ckpt_nl {
	struct nl_sock *sk;
	int family;
};

/* State of one request/response exchange. */
struct ckpt_nl_req {
	struct ckpt_err *e;
	/* called for every reply message (several for a dump) */
	int (*parse)(struct nlattr **tb, void *arg);
	void *arg;
	int maxattr;
	bool done;
	int parse_err;
};

void ckpt_nl_set_error(struct ckpt_err *e, int err, const char *msg);
/* Sends @msg (consumed) and runs callbacks until the ack, end or error. */
int ckpt_nl_exchange(struct ckpt_nl *nl, struct nl_msg *msg,
		     struct ckpt_nl_req *req);

#endif /* CKPT_KMOD_NL_PRIV_H */
