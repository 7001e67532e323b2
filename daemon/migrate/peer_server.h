/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The peer channel's listening side: other hosts' ckptd connect, prove
 * they hold the shared key, and send images and restore requests.  Each
 * connection runs in its own thread (blocking I/O with timeouts); what
 * touches the registry runs on the loop through ckptd_loop_call().
 */
#ifndef CKPTD_PEER_SERVER_H
#define CKPTD_PEER_SERVER_H

struct ckptd;

/* Loads the key and listens, if ckptd.conf has [peers]; else nothing. */
int ckptd_peer_listen(struct ckptd *d);
void ckptd_peer_close(struct ckptd *d);
/* SIGHUP: re-reads the key file (the listener stays). */
int ckptd_peer_reload_key(struct ckptd *d);

#endif /* CKPTD_PEER_SERVER_H */
