// SPDX-License-Identifier: GPL-2.0
/*
 * Identities across the job.  An open file description is recognised with
 * kcmp(KCMP_FILE), which orders files consistently: the capture keeps one
 * representative fd per description seen, sorted in that order, and finds
 * a new fd's description by binary search.  Objects (pipes, sockets,
 * memfd and deleted-file inodes) are recognised by (st_dev, st_ino).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/kcmp.h>

#include "capture_int.h"

/* <0, 0, >0 as file (pid1, fd1) sorts before, equal to, after (pid2, fd2). */
static int kcmp_file(pid_t pid1, int fd1, pid_t pid2, int fd2, int *res)
{
	long r = syscall(SYS_kcmp, pid1, pid2, KCMP_FILE, fd1, fd2);

	if (r < 0)
		return -errno;
	if (r > 2)
		return -EINVAL;
	*res = r == 0 ? 0 : r == 1 ? -1 : 1;
	return 0;
}

int cap_ofd_id(struct ckptd_capture *cap, pid_t pid, int fd, uint64_t *id,
	       bool *is_new, struct ckpt_err *err)
{
	size_t lo = 0, hi = cap->nr_reps;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		struct cap_rep *r = &cap->reps[mid];
		int c = 0, ret;

		ret = kcmp_file(pid, fd, r->pid, r->fd, &c);
		if (ret) {
			return ckpt_err_set(err, ret, "pid %d fd %d: kcmp(KCMP_FILE) with pid %d fd %d: %s; the kernel needs CONFIG_CHECKPOINT_RESTORE, the capturer ptrace access, and the job must stay frozen",
				      (int)pid, fd, (int)r->pid, r->fd,
				      strerror(-ret));
		}
		if (!c) {
			*id = r->id;
			*is_new = false;
			return 0;
		}
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	if (cap->nr_reps == cap->cap_reps) {
		size_t n = cap->cap_reps ? 2 * cap->cap_reps : 64;
		struct cap_rep *v = realloc(cap->reps, n * sizeof(*v));

		if (!v)
			return ckpt_err_set(err, ENOMEM, "pid %d fd %d: out of memory", (int)pid, fd);
		cap->reps = v;
		cap->cap_reps = n;
	}
	memmove(&cap->reps[lo + 1], &cap->reps[lo],
		(cap->nr_reps - lo) * sizeof(cap->reps[0]));
	cap->reps[lo] = (struct cap_rep){ .pid = pid, .fd = fd,
					  .id = ++cap->next_ofd };
	cap->nr_reps++;
	*id = cap->next_ofd;
	*is_new = true;
	return 0;
}

struct cap_key *cap_obj(struct ckptd_capture *cap, uint64_t dev, uint64_t ino)
{
	size_t lo = 0, hi = cap->nr_objs;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		struct cap_key *k = &cap->objs[mid];

		if (k->dev == dev && k->ino == ino)
			return k;
		if (dev < k->dev || (dev == k->dev && ino < k->ino))
			hi = mid;
		else
			lo = mid + 1;
	}
	if (cap->nr_objs == cap->cap_objs) {
		size_t n = cap->cap_objs ? 2 * cap->cap_objs : 64;
		struct cap_key *v = realloc(cap->objs, n * sizeof(*v));

		if (!v)
			return NULL;
		cap->objs = v;
		cap->cap_objs = n;
	}
	memmove(&cap->objs[lo + 1], &cap->objs[lo],
		(cap->nr_objs - lo) * sizeof(cap->objs[0]));
	cap->objs[lo] = (struct cap_key){ .dev = dev, .ino = ino,
					  .id = ++cap->next_obj };
	cap->nr_objs++;
	return &cap->objs[lo];
}
