/* SPDX-License-Identifier: GPL-2.0 */
/* Running one checked control request: the table of command handlers. */
#ifndef CKPTD_CTL_DISPATCH_H
#define CKPTD_CTL_DISPATCH_H

struct ckptd;
struct ckptd_req;

/* Hands @rq to its command's handler (main.c gives this to the server). */
void ckptd_dispatch(struct ckptd *d, struct ckptd_req *rq);

#endif /* CKPTD_CTL_DISPATCH_H */
