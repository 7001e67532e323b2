/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The control protocol between ckptctl (or any client) and ckptd, over the
 * SOCK_SEQPACKET unix socket /run/ckptd.sock.  Documentation/control-protocol.md
 * describes it in prose.
 *
 * Every message is one datagram: a struct ckptd_ctl_hdr followed by
 * attributes, each a struct ckptd_ctl_attr (type, len including its own
 * header) and its data, padded to 4 bytes.  Numbers are in host byte order
 * (the socket is local).  A message is at most CKPTD_CTL_MSG_MAX bytes.
 *
 * A request's hdr.type is an enum ckptd_ctl_cmd; ckptd answers each request
 * with zero or more CKPTD_CTL_PROGRESS messages and then exactly one
 * CKPTD_CTL_REPLY carrying the same seq, CKPTD_CA_ERRNO (0 or a negative
 * errno) and, on failure, CKPTD_CA_ERRMSG.  A malformed request (short,
 * wrong magic or version, oversized, unknown command, malformed or unknown
 * attributes) gets a REPLY with -EPROTO, -EPROTONOSUPPORT, -EMSGSIZE,
 * -EOPNOTSUPP or -EINVAL and a message saying what is wrong; the connection
 * stays usable.
 *
 * Requests and their attributes ([x] optional):
 *   LIST        -                                   reply: JOB nests
 *   STATUS      JOB_ID                              reply: one JOB nest
 *   RUN         JOB_ID, ARGV (nest of ARG), CWD, [FLAGS: PIDNS]
 *   ATTACH      JOB_ID, KIND, PID or CGROUP
 *   FREEZE      JOB_ID                              reply: SEQ, BYTES, IMAGE_DIR
 *   THAW        JOB_ID
 *   KILL        JOB_ID
 *   CHECKPOINT  JOB_ID, [FLAGS: INCREMENTAL]        reply: SEQ, BYTES, IMAGE_DIR
 *   RESTORE     JOB_ID, [SEQ], [FLAGS: PIDNS]       reply: SEQ, IMAGE_DIR, PID
 *   RESTORE     HOST, [JOB_ID], [FLAGS: THAW_ON_FAILURE]
 *               every frozen job (or JOB_ID) to HOST; reply: a JOB nest per
 *               job moved (JOB_ID, HOST, PID there, SEQ)
 *   MIGRATE     JOB_ID, HOST, [FLAGS: LIVE, THAW_ON_FAILURE, UNSUP_*],
 *               [ITERATIONS: pre-dumps at most], [BYTES: dirty threshold]
 *               reply: JOB_ID, HOST, PID, SEQ, DOWNTIME_US, ITERATIONS,
 *               BYTES (shipped), [TOTAL: bytes of the last pre-dump]
 * A JOB nest holds JOB_ID, OWNER_UID, KIND, PID or CGROUP, STATE (string),
 * NR_TASKS, NR_THREADS, LAST_SEQ, FLAGS, and for STATUS the TASK pids.
 * PROGRESS carries BYTES (done) and TOTAL (0 if unknown).
 */
#ifndef CKPTD_CTL_PROTO_H
#define CKPTD_CTL_PROTO_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define CKPTD_CTL_SOCKET	"/run/ckptd.sock"
#define CKPTD_CTL_MAGIC		0x4c544350U	/* "PCTL" */
#define CKPTD_CTL_VERSION	1
#define CKPTD_CTL_MSG_MAX	65536
#define CKPTD_CTL_STR_MAX	4096		/* longest string attribute */
#define CKPTD_CTL_ARGV_MAX	256		/* RUN: arguments at most */

struct ckptd_ctl_hdr {
	uint32_t magic;		/* CKPTD_CTL_MAGIC */
	uint16_t version;	/* CKPTD_CTL_VERSION */
	uint16_t type;		/* enum ckptd_ctl_cmd or ckptd_ctl_reply */
	uint32_t len;		/* whole message, header included */
	uint32_t seq;		/* chosen by the client, echoed in replies */
};

struct ckptd_ctl_attr {
	uint16_t type;		/* enum ckptd_ctl_attr_type */
	uint16_t len;		/* header included, data not padded */
};

enum ckptd_ctl_cmd {
	CKPTD_CMD_LIST = 1,
	CKPTD_CMD_STATUS,
	CKPTD_CMD_RUN,
	CKPTD_CMD_ATTACH,
	CKPTD_CMD_FREEZE,
	CKPTD_CMD_THAW,
	CKPTD_CMD_KILL,
	CKPTD_CMD_CHECKPOINT,
	CKPTD_CMD_RESTORE,
	CKPTD_CMD_MIGRATE,
	CKPTD_CMD_CLUSTER,	/* JOB_ID [CLUSTER]: set (""=unset) or list */
	__CKPTD_CMD_MAX,
};

enum ckptd_ctl_reply {
	CKPTD_CTL_REPLY = 0x100,
	CKPTD_CTL_PROGRESS,
};

enum ckptd_ctl_attr_type {
	CKPTD_CA_UNSPEC,
	CKPTD_CA_ERRNO,		/* s32 */
	CKPTD_CA_ERRMSG,	/* string */
	CKPTD_CA_JOB_ID,	/* u32 */
	CKPTD_CA_KIND,		/* u32, enum ckpt_job_kind */
	CKPTD_CA_PID,		/* u32 */
	CKPTD_CA_CGROUP,	/* string */
	CKPTD_CA_ARGV,		/* nest of CKPTD_CA_ARG */
	CKPTD_CA_ARG,		/* string */
	CKPTD_CA_CWD,		/* string */
	CKPTD_CA_FLAGS,		/* u32, CKPTD_F_* */
	CKPTD_CA_SEQ,		/* u64 */
	CKPTD_CA_JOB,		/* nest: one job */
	CKPTD_CA_OWNER_UID,	/* u32 */
	CKPTD_CA_STATE,		/* string */
	CKPTD_CA_NR_TASKS,	/* u32 */
	CKPTD_CA_NR_THREADS,	/* u32 */
	CKPTD_CA_LAST_SEQ,	/* u64, 0: no image yet */
	CKPTD_CA_TASK,		/* u32: a member pid */
	CKPTD_CA_BYTES,		/* u64 */
	CKPTD_CA_TOTAL,		/* u64 */
	CKPTD_CA_IMAGE_DIR,	/* string */
	CKPTD_CA_HOST,		/* string: a peer's name from [peers] */
	CKPTD_CA_DOWNTIME_US,	/* u64: frozen time as the job saw it */
	CKPTD_CA_ITERATIONS,	/* u32: pre-copy rounds */
	CKPTD_CA_CLUSTER,	/* string: hosts "alpha,beta" or "alpha:5,beta:4" */
	CKPTD_CA_BARRIER_US,	/* u64: prepare sent -> every host frozen */
	CKPTD_CA_COMMIT_US,	/* u64: prepare sent -> global manifest committed */
	/* FREEZE, CHECKPOINT: where the time went (struct ckptd_dump_stages) */
	CKPTD_CA_FROZEN_US,	/* u64: freeze to thaw (or to the reply) */
	CKPTD_CA_STAGE_FREEZE_US,	/* u64 */
	CKPTD_CA_STAGE_PRECOPY_US,	/* u64: pages written while the job ran */
	CKPTD_CA_STAGE_DUMP_US,		/* u64: the frozen dump */
	CKPTD_CA_STAGE_CAPTURE_US,	/* u64: files of the frozen members */
	CKPTD_CA_STAGE_WRITE_US,	/* u64: records, index, manifest */
	CKPTD_CA_STAGE_COMMIT_US,	/* u64: ckpt.ko commit, soft-dirty clear */
	CKPTD_CA_STAGE_THAW_US,		/* u64 */
	CKPTD_CA_DIRTY_TRACKING,	/* string: "none", "hash", "soft-dirty" */
	CKPTD_CA_PRECOPY_TRACKING,	/* string: the same, frozen dump vs pre-copy */
	CKPTD_CA_PRECOPY_PAGES,		/* u64 */
	CKPTD_CA_FINAL_PAGES,		/* u64: pages written while frozen */
	CKPTD_CA_STAGE_MARK_US,		/* u64: incremental pre-copy's short freeze */
	__CKPTD_CA_MAX,
};
#define CKPTD_CA_MAX (__CKPTD_CA_MAX - 1)

#define CKPTD_F_PIDNS		(1U << 0)	/* RUN, RESTORE */
#define CKPTD_F_INCREMENTAL	(1U << 1)	/* CHECKPOINT */
#define CKPTD_F_LAUNCHED	(1U << 2)	/* JOB nest: started by RUN */
/* FREEZE, CHECKPOINT: an fd capture cannot handle is recorded as... */
#define CKPTD_F_UNSUP_CLOSE	(1U << 3)	/* closed after restore */
#define CKPTD_F_UNSUP_DEVNULL	(1U << 4)	/* /dev/null after restore */
#define CKPTD_F_THAW_ON_FAILURE	(1U << 5)	/* RESTORE --host, MIGRATE */
#define CKPTD_F_LIVE		(1U << 6)	/* MIGRATE: pre-copy */
#define CKPTD_F_ALL		(CKPTD_F_PIDNS | CKPTD_F_INCREMENTAL | CKPTD_F_LAUNCHED | \
				 CKPTD_F_UNSUP_CLOSE | CKPTD_F_UNSUP_DEVNULL | \
				 CKPTD_F_THAW_ON_FAILURE | CKPTD_F_LIVE)

/* Building a message in a caller-provided buffer of CKPTD_CTL_MSG_MAX. */
struct ckptd_ctl_msg {
	uint8_t *buf;
	size_t len;
	int overflow;		/* something did not fit: -EMSGSIZE at end */
};

void ckptd_ctl_start(struct ckptd_ctl_msg *m, void *buf, uint16_t type,
		     uint32_t seq);
void ckptd_ctl_put(struct ckptd_ctl_msg *m, uint16_t type, const void *data,
		   size_t len);
void ckptd_ctl_put_u32(struct ckptd_ctl_msg *m, uint16_t type, uint32_t v);
void ckptd_ctl_put_s32(struct ckptd_ctl_msg *m, uint16_t type, int32_t v);
void ckptd_ctl_put_u64(struct ckptd_ctl_msg *m, uint16_t type, uint64_t v);
void ckptd_ctl_put_str(struct ckptd_ctl_msg *m, uint16_t type, const char *s);
/* Nests: start returns the nest's offset for end. */
size_t ckptd_ctl_nest_start(struct ckptd_ctl_msg *m, uint16_t type);
void ckptd_ctl_nest_end(struct ckptd_ctl_msg *m, size_t off);
/* Sets hdr.len; returns the length or -EMSGSIZE. */
int ckptd_ctl_end(struct ckptd_ctl_msg *m);

/* A parsed attribute set: the last of each type (duplicates refused). */
struct ckptd_ctl_attrs {
	const struct ckptd_ctl_attr *a[CKPTD_CA_MAX + 1];
};

/*
 * Checks a received message of @len bytes (@truncated: it did not fit the
 * receive buffer): header, version, length, type and the top-level
 * attributes.  Returns 0 and fills @hdr/@tb, or a negative errno with the
 * reason in @e.
 */
int ckptd_ctl_check(const void *buf, size_t len, int truncated,
		    const struct ckptd_ctl_hdr **hdr, struct ckptd_ctl_attrs *tb,
		    struct ckpt_err *e);

/* Parses the attributes inside nest @a (same rules). */
int ckptd_ctl_parse_nest(const struct ckptd_ctl_attr *a,
			 struct ckptd_ctl_attrs *tb, struct ckpt_err *e);

/* Iterating over every attribute of a nest (ARGV, or repeated JOBs). */
const struct ckptd_ctl_attr *ckptd_ctl_next(const void *data, size_t len,
					    size_t *pos);
const struct ckptd_ctl_attr *ckptd_ctl_first_top(const struct ckptd_ctl_hdr *h,
						 size_t *pos);

static inline const void *ckptd_ctl_data(const struct ckptd_ctl_attr *a)
{
	return a + 1;
}

static inline size_t ckptd_ctl_data_len(const struct ckptd_ctl_attr *a)
{
	return a->len - sizeof(*a);
}

uint32_t ckptd_ctl_u32(const struct ckptd_ctl_attr *a);
int32_t ckptd_ctl_s32(const struct ckptd_ctl_attr *a);
uint64_t ckptd_ctl_u64(const struct ckptd_ctl_attr *a);
const char *ckptd_ctl_str(const struct ckptd_ctl_attr *a);

const char *ckptd_ctl_cmd_name(unsigned int cmd);

#endif /* CKPTD_CTL_PROTO_H */
