/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Caller identities for the privilege tests: an ordinary user, root without
 * capabilities, "root" of a user namespace of its own, a user holding one
 * capability, and descriptors handed from one identity to another over a
 * unix socket.  Each function changes the calling process for good (call
 * it in a forked child) and returns 0 or -errno.
 */
#ifndef CKPT_PRIVS_H
#define CKPT_PRIVS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* uid/gid @uid (both), no supplementary groups, no capabilities, and
 * dumpable again (setresuid clears it), as a login of that user is. */
int priv_become_user(uid_t uid);

/* Keep the uids, empty every capability set: effective, permitted,
 * inheritable, ambient and the bounding set (so nothing is regained). */
int priv_drop_all_caps(void);

/*
 * unshare(CLONE_NEWUSER) and map the caller's uid and gid to 0 inside:
 * the caller is then root with every capability, but only in that
 * namespace.  Works for root and for ordinary users alike.
 */
int priv_enter_userns(void);

/*
 * uid/gid @uid holding exactly capability @cap (effective and permitted)
 * in the initial user namespace: a privileged caller that is not root.
 */
int priv_become_user_with_cap(uid_t uid, int cap);

/* The effective capability set of the caller (bits 0..63), or 0. */
uint64_t priv_effective_caps(void);

/* Send @fd over the unix socket @sock (SCM_RIGHTS); receive one. */
int priv_send_fd(int sock, int fd);
int priv_recv_fd(int sock);	/* the new fd or -errno */

#endif /* CKPT_PRIVS_H */
