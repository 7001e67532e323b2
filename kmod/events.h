/* SPDX-License-Identifier: GPL-2.0 */
/* Job events on the "events" multicast group (events.c). */
#ifndef CKPT_EVENTS_H
#define CKPT_EVENTS_H

#include <linux/types.h>

struct ckpt_job;
struct genl_family;

void ckpt_event_job(struct ckpt_job *job, u32 event);
void ckpt_event_task(struct ckpt_job *job, u32 event, pid_t pid);
/* Send events on @family's multicast group @group (its index), or none. */
void ckpt_events_start(const struct genl_family *family, unsigned int group);
void ckpt_events_stop(void);

#endif /* CKPT_EVENTS_H */
