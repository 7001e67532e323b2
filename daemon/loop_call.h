/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Running a function on the loop's thread from another thread (a peer
 * session) and waiting for it: the registry and the module's netlink
 * socket belong to the loop.
 */
#ifndef CKPTD_LOOP_CALL_H
#define CKPTD_LOOP_CALL_H

struct ckptd;

void ckptd_loop_call(struct ckptd *d, void (*fn)(struct ckptd *d, void *arg),
		     void *arg);

#endif /* CKPTD_LOOP_CALL_H */
