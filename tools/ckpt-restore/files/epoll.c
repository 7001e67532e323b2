// SPDX-License-Identifier: GPL-2.0
/*
 * Epoll interest lists (EPOLL_TFD records): each entry is checked to name
 * an epoll fd and a watched fd its process will have, and is added in the
 * restored process once every fd is at its number (entries name fd
 * numbers).  The restore half of daemon/capture/epoll.c.
 */
#include <errno.h>
#include <string.h>
#include <sys/epoll.h>

#include "files_int.h"

int rst_epoll_check(const struct rst_files *rf, struct ckpt_err *err)
{
	for (size_t i = 0; i < rf->nr_procs; i++) {
		const struct rst_proc *p = &rf->procs[i];

		for (size_t j = 0; j < p->nr_tfds; j++) {
			const struct ckpt_rec_epoll_tfd *t = &rf->tfds[p->tfd0 + j];
			const struct rst_fd *ep = rst_proc_fd(rf, p, t->epfd);
			const struct rst_fd *tf = rst_proc_fd(rf, p, t->tfd);

			if (!ep || ep->r.type != CKPT_FD_EPOLL)
				return rst_malformed(err, "an EPOLL_TFD record", t->pid, t->epfd,
						     "names an fd that is not an epoll fd");
			if (!tf || tf->r.type == CKPT_FD_CLOSED ||
			    tf->r.type == CKPT_FD_DEVNULL || t->tfd == t->epfd)
				return rst_malformed(err, "an EPOLL_TFD record", t->pid, t->epfd,
						     "watches an fd the process will not have");
		}
	}
	return 0;
}

int rst_epoll_add(const struct rst_files *rf, const struct rst_proc *p,
		  struct ckpt_err *err)
{
	for (size_t i = 0; i < p->nr_tfds; i++) {
		const struct ckpt_rec_epoll_tfd *t = &rf->tfds[p->tfd0 + i];
		struct epoll_event ev = { .events = t->events, .data.u64 = t->data };

		/* a shared epoll gets the entry from whichever process is first */
		if (epoll_ctl(t->epfd, EPOLL_CTL_ADD, t->tfd, &ev) && errno != EEXIST)
			return ckpt_err_sys(err, "pid %d fd %d (epoll): adding fd %d with events %#x",
					    p->pid, t->epfd, t->tfd, t->events);
	}
	return 0;
}
