// SPDX-License-Identifier: GPL-2.0
/*
 * The event loop.  Everything that may block on disk or the network runs
 * in a worker thread (worker.c); the loop only dispatches ready fds.
 */
#include <errno.h>
#include <string.h>
#include <sys/epoll.h>

#include "ckptd.h"
#include "loop.h"
#include "log.h"

int ckptd_loop_add(struct ckptd *d, struct ckptd_watch *w, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = w };

	if (epoll_ctl(d->epfd, EPOLL_CTL_ADD, w->fd, &ev)) {
		pr_err("epoll_ctl(ADD, fd %d): %s", w->fd, strerror(errno));
		return -errno;
	}
	return 0;
}

void ckptd_loop_del(struct ckptd *d, struct ckptd_watch *w)
{
	epoll_ctl(d->epfd, EPOLL_CTL_DEL, w->fd, NULL);
}

int ckptd_loop_run(struct ckptd *d)
{
	struct epoll_event evs[32];

	while (!d->stopping || d->ops_in_flight) {
		int n = epoll_wait(d->epfd, evs, 32, -1);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			pr_err("epoll_wait: %s", strerror(errno));
			return -errno;
		}
		for (int i = 0; i < n; i++) {
			struct ckptd_watch *w = evs[i].data.ptr;

			w->fn(d, w, evs[i].events);
		}
	}
	return 0;
}
