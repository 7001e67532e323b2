/* SPDX-License-Identifier: GPL-2.0 */
/* Moving a job to another host (migrate.c). */
#ifndef CKPTD_MIGRATE_MIGRATE_H
#define CKPTD_MIGRATE_MIGRATE_H

struct ckptd;
struct ckptd_req;

void ckptd_cmd_migrate(struct ckptd *d, struct ckptd_req *rq);

#endif /* CKPTD_MIGRATE_MIGRATE_H */
