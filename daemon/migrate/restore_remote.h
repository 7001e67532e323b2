/* SPDX-License-Identifier: GPL-2.0 */
/* restore --host: this host's frozen jobs restored on another (restore_remote.c). */
#ifndef CKPTD_MIGRATE_RESTORE_REMOTE_H
#define CKPTD_MIGRATE_RESTORE_REMOTE_H

struct ckptd;
struct ckptd_req;

void ckptd_cmd_restore_remote(struct ckptd *d, struct ckptd_req *rq);

#endif /* CKPTD_MIGRATE_RESTORE_REMOTE_H */
