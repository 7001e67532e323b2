/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The peer channel between ckptd instances (Documentation/migration.md): TCP,
 * one request at a time, every message a struct ckpt_peer_hdr followed by
 * a payload of hdr.len bytes whose XXH64 (seed 0) is hdr.sum.  All numbers
 * little-endian; fixed-size payload structs, strings NUL-padded.
 *
 * A connection starts with the handshake (mutual challenge-response over
 * a shared key, HMAC-SHA256):
 *   client -> HELLO      { nonce_c, name_c }
 *   server -> CHALLENGE  { nonce_s, name_s, HMAC(key, "ckpt-peer server" nonce_c nonce_s name_s) }
 *   client -> AUTH       { HMAC(key, "ckpt-peer client" nonce_s nonce_c name_c) }
 *   server -> OK
 * The server proves itself first, so a client never signs anything for an
 * unauthenticated server; the labels keep one side's answer from being
 * replayed as the other's.  Nothing else is accepted before OK.
 *
 * Then requests, each answered by OK, a typed reply, or ERROR:
 *   JOB_CHECK    { job }                    OK: the job id is free here
 *   IMAGE_HAVE   { job, seq, manifest_sum } HAVE { have }
 *   FILE_PUT     { job, seq, size, name }   then DATA... then FILE_END; OK
 *                (seq 0, name "job.log": the job's output log of ckptd run,
 *                 written to <state_dir>/job-<job>.log with its mtime)
 *   IMAGE_COMMIT { job, seq }               OK once verified and renamed in
 *   RESTORE      { job, seq, uid, gid, flags } RESTORED { root_pid, ... }
 * Cluster checkpoints (daemon/cluster*.c, Documentation/cluster.md), on
 * one connection per participant, in this order:
 *   CLUSTER_PREPARE { job, flags, coordinator, hosts }   OK (frozen there)
 *   CLUSTER_DUMP    { job }                 CLUSTER_DUMPED { seq, max_id }
 *   CLUSTER_COMMIT  { job, id, seq } + the global manifest text     OK
 *   or CLUSTER_ABORT { job } at any point   OK (thawed, image discarded)
 *   CLUSTER_RESTORE { job, id, seq } + the global manifest text  OK once
 *                   ckpt-restore --hold is ready there, then
 *   CLUSTER_GO      { job }                 RESTORED (anything else: called off)
 * A participant whose connection drops or times out before COMMIT aborts.
 */
#ifndef CKPT_PEER_PROTO_H
#define CKPT_PEER_PROTO_H

#include <stdint.h>

#define CKPT_PEER_MAGIC		0x50504b43U	/* "CKPP" */
#define CKPT_PEER_VERSION	1
#define CKPT_PEER_PORT		7411
#define CKPT_PEER_CHUNK		(1U << 20)	/* DATA payload at most */
#define CKPT_PEER_PAYLOAD_MAX	(CKPT_PEER_CHUNK)
#define CKPT_PEER_NONCE		32
#define CKPT_PEER_MAC		32
#define CKPT_PEER_NAME		64
#define CKPT_PEER_FILE_NAME	64
#define CKPT_PEER_MSG		1024		/* ERROR text at most */

struct ckpt_peer_hdr {
	uint32_t magic;
	uint16_t version;
	uint16_t type;		/* enum ckpt_peer_type */
	uint32_t len;		/* payload bytes */
	uint32_t reserved;	/* 0 */
	uint64_t sum;		/* XXH64 of the payload */
};

enum ckpt_peer_type {
	CKPT_PEER_HELLO = 1,
	CKPT_PEER_CHALLENGE,
	CKPT_PEER_AUTH,
	CKPT_PEER_OK,
	CKPT_PEER_ERROR,
	CKPT_PEER_JOB_CHECK,
	CKPT_PEER_IMAGE_HAVE,
	CKPT_PEER_HAVE,
	CKPT_PEER_FILE_PUT,
	CKPT_PEER_DATA,
	CKPT_PEER_FILE_END,
	CKPT_PEER_IMAGE_COMMIT,
	CKPT_PEER_RESTORE,
	CKPT_PEER_RESTORED,
	CKPT_PEER_CLUSTER_PREPARE,
	CKPT_PEER_CLUSTER_DUMP,
	CKPT_PEER_CLUSTER_DUMPED,
	CKPT_PEER_CLUSTER_COMMIT,
	CKPT_PEER_CLUSTER_ABORT,
	CKPT_PEER_CLUSTER_RESTORE,
	CKPT_PEER_CLUSTER_GO,
	__CKPT_PEER_TYPE_MAX,
};

struct ckpt_peer_hello {
	uint8_t nonce[CKPT_PEER_NONCE];
	char name[CKPT_PEER_NAME];
};

struct ckpt_peer_challenge {
	uint8_t nonce[CKPT_PEER_NONCE];
	char name[CKPT_PEER_NAME];
	uint8_t mac[CKPT_PEER_MAC];
};

struct ckpt_peer_auth {
	uint8_t mac[CKPT_PEER_MAC];
};

struct ckpt_peer_error {
	int32_t err;		/* negative errno */
	uint32_t reserved;
	char msg[];		/* not NUL-terminated; up to CKPT_PEER_MSG */
};

struct ckpt_peer_job {
	uint32_t job;
	uint32_t reserved;
	uint64_t seq;
};

struct ckpt_peer_image_have {
	uint32_t job;
	uint32_t reserved;
	uint64_t seq;
	uint64_t manifest_sum;	/* XXH64 of the sender's manifest file */
};

struct ckpt_peer_have {
	uint32_t have;		/* 1: the same committed image is here */
	uint32_t reserved;
};

struct ckpt_peer_file_put {
	uint32_t job;
	uint32_t reserved;
	uint64_t seq;
	uint64_t size;
	char name[CKPT_PEER_FILE_NAME];
	int64_t mtime_sec;	/* kept for the job log (restore checks it) */
	uint32_t mtime_nsec;
	uint32_t reserved2;
};

#define CKPT_PEER_JOB_LOG	"job.log"

struct ckpt_peer_file_end {
	uint64_t sum;		/* XXH64 of the whole file */
	uint64_t chunks;
};

#define CKPT_PEER_RESTORE_PIDNS	(1U << 0)
#define CKPT_PEER_RESTORE_FLAGS	CKPT_PEER_RESTORE_PIDNS

struct ckpt_peer_restore {
	uint32_t job;
	uint32_t flags;		/* CKPT_PEER_RESTORE_* */
	uint64_t seq;
	uint32_t uid, gid;	/* the job's owner on the sending host */
};

struct ckpt_peer_restored {
	int32_t root_pid;	/* the restored root, as this host sees it */
	uint32_t nr_procs;
};

/* Cluster checkpoints (peer_cluster.h checks every field). */
#define CKPT_PEER_CLUSTER_FREEZE	(1U << 0)	/* the job stays frozen */
#define CKPT_PEER_CLUSTER_FLAGS		CKPT_PEER_CLUSTER_FREEZE
#define CKPT_PEER_CLUSTER_HOSTS		512	/* "alpha,beta,...", NUL-padded */

struct ckpt_peer_cluster_prepare {
	uint32_t job;
	uint32_t flags;			/* CKPT_PEER_CLUSTER_* */
	char coordinator[CKPT_PEER_NAME];
	char hosts[CKPT_PEER_CLUSTER_HOSTS];	/* every participant, sorted */
};

/* DUMP and ABORT */
struct ckpt_peer_cluster_job {
	uint32_t job;
	uint32_t reserved;
};

struct ckpt_peer_cluster_dumped {
	uint64_t seq;			/* the local image of this round */
	uint64_t max_id;		/* highest global manifest id held there */
};

/* COMMIT and RESTORE: followed by the global manifest's text */
struct ckpt_peer_cluster_commit {
	uint32_t job;
	uint32_t text_len;		/* bytes of manifest text after this */
	uint64_t id;			/* the global checkpoint */
	uint64_t seq;			/* the receiver's image in it */
};

#endif /* CKPT_PEER_PROTO_H */
