/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Raw generic netlink for the guest tests: byte-exact requests (including
 * malformed ones, which libnl would refuse to build) and the kernel's errno
 * and extack message back.
 */
#ifndef CKPT_GENL_RAW_H
#define CKPT_GENL_RAW_H

#include <stddef.h>
#include <stdint.h>
#include <linux/netlink.h>

#define GNL_BUF 16384

struct gnl {
	int fd;
	uint16_t family;	/* 0 if the ckpt family is not registered */
	uint32_t seq;
	uint8_t mcgrp_events;	/* 1 if the family lists the "events" group */
	uint32_t version;	/* family version from the controller */
	uint32_t mcgrp_events_id; /* its multicast group id, 0 if none */
	/* send() without an address: the kernel then also checks the
	 * capabilities of the socket's opener (netlink_capable skips that
	 * for a message sent to an explicit address). */
	int implicit_dst;
};

/* A request being built. */
struct gnl_msg {
	unsigned char buf[GNL_BUF];
	size_t len;
};

/* The outcome of one request. */
struct gnl_reply {
	int err;			/* 0 or negative errno from the kernel */
	char extack[256];		/* extack message, may be empty */
	unsigned char data[GNL_BUF];	/* last non-error reply message */
	size_t data_len;
};

int gnl_open(struct gnl *g);		/* 0 or -errno; resolves "ckpt" */
void gnl_close(struct gnl *g);

/* Start a message to the ckpt family; returns the message. */
void gnl_msg_init(struct gnl_msg *m, const struct gnl *g, uint8_t cmd,
		  uint16_t flags);
void gnl_put(struct gnl_msg *m, uint16_t type, const void *data, size_t len);
void gnl_put_u32(struct gnl_msg *m, uint16_t type, uint32_t v);
void gnl_put_str(struct gnl_msg *m, uint16_t type, const char *s);

/* Send @m (length, sequence and NLM_F_ACK filled in); wait for the ack or
 * error.  Returns 0 or the kernel's negative errno (also in r->err). */
int gnl_request(struct gnl *g, struct gnl_msg *m, struct gnl_reply *r);
/* Send @len bytes exactly as they are; wait for the ack or error that
 * carries the request's sequence number (-EAGAIN after 10 s: no answer). */
int gnl_request_raw(struct gnl *g, const void *buf, size_t len,
		    struct gnl_reply *r);
/* Send exactly @len bytes of @buf; do not wait. */
int gnl_send_raw(struct gnl *g, const void *buf, size_t len);
/* Drain pending replies without blocking; returns how many were read. */
int gnl_drain(struct gnl *g);

/* Attribute @type of a genl reply in @r, or NULL. */
const struct nlattr *gnl_attr(const struct gnl_reply *r, uint16_t type);

/* The u32 attribute @type of the reply in @r, or @def if it is absent or
 * not 4 bytes long. */
uint32_t gnl_u32(const struct gnl_reply *r, uint16_t type, uint32_t def);
/* The NUL-terminated string attribute @type of the reply in @r, or NULL. */
const char *gnl_str(const struct gnl_reply *r, uint16_t type);

/* GET_FEATURES with the current ABI version; 0 or -errno. */
int gnl_get_features(struct gnl *g, struct gnl_reply *r);

/* --- jobs (see <linux/ckpt.h>); each returns 0 or the kernel's -errno --- */

/* JOB_CREATE; @pid 0 and @cgroup NULL leave the attribute out. */
int gnl_job_create(struct gnl *g, uint32_t id, uint32_t kind, uint32_t pid,
		   const char *cgroup, struct gnl_reply *r);
/* A command naming only a job: JOB_GET, JOB_DESTROY, JOB_THAW (or any). */
int gnl_job_simple(struct gnl *g, uint8_t cmd, uint32_t id,
		   struct gnl_reply *r);
/* JOB_FREEZE; @timeout_ms 0 leaves CKPT_A_JOB_TIMEOUT_MS out (default). */
int gnl_job_freeze(struct gnl *g, uint32_t id, uint32_t timeout_ms,
		   struct gnl_reply *r);

/* One [CKPT_A_JOB_TASK] nest of a JOB_GET or JOB_FREEZE reply. */
struct gnl_task {
	uint32_t pid, ppid, nr_threads;
	char comm[16];
};

/* The task list of the job reply in @r: fills at most @max entries and
 * returns how many the reply holds, or -ENOENT without CKPT_A_JOB_TASKS,
 * -EPROTO if it is malformed. */
int gnl_job_tasks(const struct gnl_reply *r, struct gnl_task *t, int max);

/* One job of a JOB_GET dump. */
struct gnl_job_info {
	uint32_t id, kind, pid, state, owner_uid, nr_tasks, nr_threads;
	int has_tasks;		/* the message carried CKPT_A_JOB_TASKS */
};

/* JOB_GET with NLM_F_DUMP: fills at most @max jobs and returns how many
 * the dump held, or -errno. */
int gnl_job_dump(struct gnl *g, struct gnl_job_info *jobs, int max);
/* The same, with the kernel's errno and extack message in @r: also those
 * of a dump refused when it starts or failing in NLMSG_DONE. */
int gnl_job_dump_r(struct gnl *g, struct gnl_job_info *jobs, int max,
		   struct gnl_reply *r);

/* --- job events ----------------------------------------------------------- */

struct gnl_event {
	uint32_t event;		/* enum ckpt_job_event */
	uint32_t id, owner_uid;
	uint32_t pid;		/* TASK_EXITED: the thread; else 0 */
	uint32_t err_pid, err_state;	/* FREEZE_FAILED; else 0 */
};

/* Join the "events" multicast group on @g (use a socket of its own: the
 * request functions skip messages that are not their reply). */
int gnl_events_join(struct gnl *g);
/* The next CKPT_CMD_EVENT message: 0, -ETIMEDOUT after @timeout_ms, or
 * -errno (-ENOBUFS: events were lost). */
int gnl_event_next(struct gnl *g, struct gnl_event *ev, int timeout_ms);

/* insmod $CKPT_KO unless ckpt is loaded; 0 or -1. */
int ckpt_test_load_module(void);
/* Drop to uid/gid 65534 with no capabilities; 0 or -errno. */
int ckpt_test_drop_privileges(void);

/*
 * For kselftest harness tests whose fixture holds g, m and r: the request
 * in self->m fails with @err and an extack containing @text.
 */
#define EXPECT_REJECTED(err, text) do {					\
	EXPECT_EQ(err, gnl_request(&self->g, &self->m, &self->r));	\
	EXPECT_NE(NULL, strstr(self->r.extack, text)) {			\
		TH_LOG("extack was \"%s\"", self->r.extack);		\
	}								\
} while (0)

#endif /* CKPT_GENL_RAW_H */
