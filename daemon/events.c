// SPDX-License-Identifier: GPL-2.0
/*
 * ckpt.ko's events group: a failed freeze is a warning (it names the
 * member and its state), the others are debug messages.
 */
#include <sys/epoll.h>

#include <linux/ckpt.h>

#include "ckptd.h"
#include "events.h"
#include "log.h"
#include "loop.h"

static void log_event(const struct ckpt_kevent *ev, void *arg)
{
	static const char *const names[] = {
		"?", "frozen", "thawed", "freeze failed", "task exited", "destroyed",
	};

	(void)arg;
	if (ev->event == CKPT_EVENT_FREEZE_FAILED)
		pr_warn("job %u: freeze failed at pid %u (state %c)", ev->job_id,
			ev->err_pid, ev->err_state ? (char)ev->err_state : '?');
	else
		pr_debug("job %u: %s", ev->job_id, names[ev->event < 6 ? ev->event : 0]);
}

static void on_events(struct ckptd *d, struct ckptd_watch *w, uint32_t ev)
{
	(void)w;
	(void)ev;
	if (ckpt_nl_events_read(d->events, log_event, d))
		pr_warn("events from ckpt.ko were lost (socket overrun)");
}

int ckptd_events_open(struct ckptd *d)
{
	struct ckpt_err e;
	int ret;

	ret = ckpt_nl_events_open(&d->events, &e);
	if (ret) {
		pr_err("ckpt.ko events: %s", e.msg);
		return ret;
	}
	d->events_w.fd = ckpt_nl_fd(d->events);
	d->events_w.fn = on_events;
	return ckptd_loop_add(d, &d->events_w, EPOLLIN);
}

void ckptd_events_close(struct ckptd *d)
{
	ckpt_nl_close(d->events);
	d->events = NULL;
}
