/* SPDX-License-Identifier: GPL-2.0 */
/* Opening a peer connection: resolve, connect with a timeout. */
#ifndef CKPT_PEER_CONNECT_H
#define CKPT_PEER_CONNECT_H

#include <stddef.h>

#include "peer_wire.h"

/*
 * Connects to @host:@port; the connection is labelled "@name (host:port)"
 * in messages.  -errno with the reason in @e.
 */
int ckpt_peer_connect(const char *name, const char *host, unsigned int port,
		      int timeout_ms, struct ckpt_peer_conn **out,
		      struct ckpt_err *e);

/* "addr:port" of a connected socket's other end. */
void ckpt_peer_addr_str(int fd, char *buf, size_t size);

#endif /* CKPT_PEER_CONNECT_H */
