/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The control socket: accepting clients, checking every message
 * (common/ctl_proto.h), peer credentials, and sending replies.
 */
#ifndef CKPTD_CTL_SERVER_H
#define CKPTD_CTL_SERVER_H

#include <stdatomic.h>
#include <stdint.h>
#include <sys/types.h>

#include "jobs/auth.h"
#include "ctl_proto.h"

struct ckptd;

/* Progress of a long operation, updated by a worker, read by the loop. */
struct ckptd_progress {
	_Atomic uint64_t bytes;
	_Atomic uint64_t total;
};

struct ckptd_client {
	struct ckptd_watch w;		/* first: the loop hands us this */
	uint64_t id;			/* never reused: pending replies name it */
	uid_t uid;
	gid_t gid;
	pid_t pid;
	struct ckptd_cred cred;		/* read at accept (auth.h) */
	struct ckptd_progress *progress; /* of the operation it waits for */
	uint32_t progress_seq;
	struct ckptd_client *next;
};

/* One request, as the handlers see it. */
struct ckptd_req {
	uint64_t client_id;
	uid_t uid;
	gid_t gid;
	struct ckptd_cred cred;		/* who asks; copy it into operations */
	uint32_t seq;
	uint16_t cmd;
	struct ckptd_ctl_attrs tb;
};

struct ckptd_reply {
	struct ckptd_ctl_msg m;
	uint8_t buf[CKPTD_CTL_MSG_MAX];
};

/* What runs a checked request: the dispatcher, given by main.c. */
typedef void ckptd_ctl_handler(struct ckptd *d, struct ckptd_req *rq);

/* Listens on the configured socket; every checked request goes to @handle. */
int ckptd_ctl_listen(struct ckptd *d, ckptd_ctl_handler *handle);
void ckptd_ctl_close(struct ckptd *d);

/* A success reply to fill with attributes (ERRNO 0 is in it). */
void ckptd_reply_init(struct ckptd_reply *r, uint32_t seq);
/* Sends to the client if it is still connected; frees nothing. */
void ckptd_reply_send(struct ckptd *d, uint64_t client_id, struct ckptd_reply *r);
void ckptd_reply_error(struct ckptd *d, uint64_t client_id, uint32_t seq,
		       int err, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
struct ckptd_client *ckptd_client_find(struct ckptd *d, uint64_t id);
/* Sends a PROGRESS message to every client waiting on an operation. */
void ckptd_ctl_progress_tick(struct ckptd *d);

#endif /* CKPTD_CTL_SERVER_H */
