/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The peer channel between ckptd instances (Documentation/peers.md): TCP,
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
 * Cluster checkpoints (cluster.c) add PREPARE, DUMP, COMMIT and ABORT.
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

#endif /* CKPT_PEER_PROTO_H */
