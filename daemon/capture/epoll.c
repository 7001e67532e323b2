// SPDX-License-Identifier: GPL-2.0
/*
 * Epoll interest lists.  fdinfo of an epoll fd lists every entry as the fd
 * number it was added with, in the fd table of the process that added it,
 * and the inode it watches.  An entry is recorded for a process when that
 * process has the same file at that number; a restore adds it there.  An
 * epoll shared between processes lists the same entries in each; one the
 * process does not hold must be held by another process of the job that
 * shares the epoll, else the capture fails.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>

#include "capture_int.h"

static int push(struct cap_tfdref **v, size_t *n, size_t *cap,
		const struct cap_tfdref *r)
{
	if (*n == *cap) {
		size_t c = *cap ? 2 * *cap : 32;
		struct cap_tfdref *nv = realloc(*v, c * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		*v = nv;
		*cap = c;
	}
	(*v)[(*n)++] = *r;
	return 0;
}

static const struct cap_seen *find_seen(const struct cap_seen *seen,
					size_t n, int fd)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (seen[mid].fd == fd)
			return &seen[mid];
		if (fd < seen[mid].fd)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

/* The inode fdinfo names (kernel dev_t: major << 20 | minor) is this one. */
static bool same_file(const struct cap_seen *s, const struct cap_tfd *t)
{
	return s->ino == t->ino && major(s->dev) == (t->sdev >> 20) &&
	       minor(s->dev) == (t->sdev & 0xfffff);
}

int cap_epoll_tfds(struct ckptd_capture *cap, pid_t pid, int32_t img_pid,
		   const struct cap_epoll *ep, const struct cap_seen *seen,
		   size_t nr_seen, struct ckptd_recbuf *out,
		   struct ckpt_err *err)
{
	for (size_t i = 0; i < ep->nr_tfds; i++) {
		const struct cap_tfd *t = &ep->tfds[i];
		const struct cap_seen *s = find_seen(seen, nr_seen, t->tfd);
		struct cap_tfdref ref = {
			.ep_ofd = ep->ofd_id, .tfd = t->tfd, .ino = t->ino,
			.sdev = t->sdev, .pid = pid, .epfd = ep->fd,
		};
		struct ckpt_rec_epoll_tfd r = {
			.pid = img_pid, .epfd = ep->fd, .tfd = t->tfd,
			.events = t->events, .data = t->data,
		};
		int ret;

		if (!s || !same_file(s, t)) {
			ret = push(&cap->tfd_pending, &cap->nr_pending,
				   &cap->cap_pending, &ref);
		} else {
			ret = push(&cap->tfd_ok, &cap->nr_ok, &cap->cap_ok, &ref);
			/* an fd the options close or replace is not watched */
			if (!ret && s->type != CKPT_FD_CLOSED &&
			    s->type != CKPT_FD_DEVNULL)
				ret = cap_rec_add(out, CKPT_REC_EPOLL_TFD, &r,
						  sizeof(r), NULL, 0);
		}
		if (ret) {
			return ckpt_err_set(err, ret, "pid %d fd %d: epoll entry for fd %d: %s",
				      (int)pid, ep->fd, t->tfd, strerror(-ret));
		}
	}
	return 0;
}

int cap_epoll_check(struct ckptd_capture *cap, struct ckpt_err *err)
{
	for (size_t i = 0; i < cap->nr_pending; i++) {
		const struct cap_tfdref *p = &cap->tfd_pending[i];
		bool found = false;

		for (size_t j = 0; j < cap->nr_ok && !found; j++) {
			const struct cap_tfdref *o = &cap->tfd_ok[j];

			found = o->ep_ofd == p->ep_ofd && o->tfd == p->tfd &&
				o->ino == p->ino && o->sdev == p->sdev;
		}
		if (!found)
			return ckpt_err_set(err, EOPNOTSUPP, "pid %d fd %d: the epoll watches a file as fd %d, which no process of the job has open under that number any more; such an entry cannot be restored: close the epoll fd or treat it as closed",
					     (int)p->pid, p->epfd, p->tfd);
	}
	return 0;
}
