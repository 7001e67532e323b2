/* SPDX-License-Identifier: GPL-2.0 */
/* The daemon's state, shared by the files of the event loop. */
#ifndef CKPTD_H
#define CKPTD_H

#include <stdint.h>
#include <sys/types.h>

#include "ckptd_config.h"
#include "peer/peer_auth.h"
#include "kmod_nl.h"
#include "watch.h"
#include "jobs/registry.h"

struct ckptd_worker;
struct ckptd_client;
struct ckptd_req;

struct ckptd {
	struct ckptd_config cfg;
	const char *config_path;
	int config_must_exist;
	int epfd;
	int stopping;
	struct ckpt_nl *nl;		/* requests from the loop: owns the jobs */
	struct ckpt_nl *events;		/* the module's events group */
	struct ckptd_registry reg;
	struct ckptd_worker *ops;	/* freeze, checkpoint, restore */
	struct ckptd_worker *io;	/* registry writes */
	struct ckptd_client *clients;
	/* runs a checked request (ctl/dispatch.c, wired by main.c) */
	void (*ctl_handle)(struct ckptd *d, struct ckptd_req *rq);
	uint64_t next_client_id;
	unsigned int ops_in_flight;
	struct ckptd_watch sig_w, listen_w, timer_w, events_w;
	pid_t *children;		/* started by RUN, reaped on SIGCHLD */
	unsigned int nr_children;
	char **rmdir_pending;		/* launched cgroups still busy */
	unsigned int nr_rmdir_pending;
	/* the peer channel (peer_server.c), when [peers] is configured */
	struct ckptd_watch peer_w;
	struct ckpt_peer_key peer_key;
	_Atomic unsigned int peer_sessions;
};

#endif /* CKPTD_H */
