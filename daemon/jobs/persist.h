/* SPDX-License-Identifier: GPL-2.0 */
/* Writing the registry after a change, then replying (persist.c). */
#ifndef CKPTD_JOBS_PERSIST_H
#define CKPTD_JOBS_PERSIST_H

#include <stdint.h>

struct ckptd;
struct ckptd_reply;

/*
 * Writes the registry (in the io worker: never on the loop) and then
 * sends @r (copied; NULL: nothing) to the client, or an error if the
 * write failed.
 */
void ckptd_persist(struct ckptd *d, uint64_t client_id, uint32_t seq,
		   const struct ckptd_reply *r);

#endif /* CKPTD_JOBS_PERSIST_H */
