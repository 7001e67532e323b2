/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Peer authentication: the shared key file and the challenge-response
 * handshake of peer_proto.h (HMAC-SHA256, OpenSSL's libcrypto).
 */
#ifndef CKPT_PEER_AUTH_H
#define CKPT_PEER_AUTH_H

#include <stddef.h>
#include <stdint.h>

#include "peer_wire.h"

#define CKPT_PEER_KEY_MIN	16
#define CKPT_PEER_KEY_MAX	4096

struct ckpt_peer_key {
	size_t len;
	uint8_t bytes[CKPT_PEER_KEY_MAX];
};

/*
 * Reads @path: a regular file of 16 to 4096 bytes (a trailing newline is
 * not part of the key), owned by root (or by the caller) and not readable
 * by group or others.  -errno with the reason and what to do in @e.
 */
int ckpt_peer_key_load(struct ckpt_peer_key *k, const char *path,
		       struct ckpt_err *e);

/*
 * Client side: after connect.  @name is this host's.  On success the
 * server's claimed name is in @server_name (must equal @expect if given).
 */
int ckpt_peer_auth_client(struct ckpt_peer_conn *c, const struct ckpt_peer_key *k,
			  const char *name, const char *expect,
			  char *server_name, size_t size);
/* Server side: after accept.  The client's name goes to @client_name. */
int ckpt_peer_auth_server(struct ckpt_peer_conn *c, const struct ckpt_peer_key *k,
			  const char *name, char *client_name, size_t size);

#endif /* CKPT_PEER_AUTH_H */
