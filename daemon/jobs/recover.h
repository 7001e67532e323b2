/* SPDX-License-Identifier: GPL-2.0 */
/* At start: the registry's jobs re-created in ckpt.ko (recover.c). */
#ifndef CKPTD_JOBS_RECOVER_H
#define CKPTD_JOBS_RECOVER_H

struct ckptd;

/* Re-creates the registry's jobs in the module, re-freezing frozen ones. */
void ckptd_jobs_recover(struct ckptd *d);

#endif /* CKPTD_JOBS_RECOVER_H */
