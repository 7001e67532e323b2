/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Framing on a peer connection: blocking sends and receives with a
 * timeout, every message checked (magic, version, length, checksum).
 * Errors are negative errnos with the reason, naming the peer, in c->err.
 */
#ifndef CKPT_PEER_WIRE_H
#define CKPT_PEER_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "peer_proto.h"

struct ckpt_peer_conn {
	int fd;
	int timeout_ms;			/* per send or receive */
	char peer[CKPT_PEER_NAME + 96];	/* "beta (169.254.77.11:7411)" */
	struct ckpt_peer_hdr hdr;	/* of the last message received */
	uint8_t *buf;			/* its payload, CKPT_PEER_PAYLOAD_MAX */
	struct ckpt_err err;		/* the last failure, naming the peer */
};

/* Takes @fd; NULL if out of memory (the fd is closed then). */
struct ckpt_peer_conn *ckpt_peer_conn_new(int fd, const char *peer, int timeout_ms);
void ckpt_peer_conn_free(struct ckpt_peer_conn *c);

/* Records the failure in c->err; returns @err (a negative errno). */
int ckpt_peer_why(struct ckpt_peer_conn *c, int err, const char *fmt, ...)
	CKPT_ERR_FMT(3, 4);

int ckpt_peer_send(struct ckpt_peer_conn *c, uint16_t type,
		   const void *payload, uint32_t len);
/* Like send, but the checksum is @sum (the test hook for corruption). */
int ckpt_peer_send_sum(struct ckpt_peer_conn *c, uint16_t type,
		       const void *payload, uint32_t len, uint64_t sum);
int ckpt_peer_send_error(struct ckpt_peer_conn *c, int err, const char *msg);
/* Receives one message into c->hdr and c->buf. */
int ckpt_peer_recv(struct ckpt_peer_conn *c);
/*
 * Receives one message that must be of @type with at least @min_len
 * bytes of payload; an ERROR from the peer becomes our error with its
 * text in c->err.
 */
int ckpt_peer_expect(struct ckpt_peer_conn *c, uint16_t type, uint32_t min_len);

const char *ckpt_peer_type_name(unsigned int type);
/* Copies a NUL-padded name field into @dst; -EINVAL if it is not one. */
int ckpt_peer_name_get(char *dst, size_t size, const char *field, size_t field_len);

#endif /* CKPT_PEER_WIRE_H */
