// SPDX-License-Identifier: GPL-2.0
/*
 * Identities: the fds that share one open file description (same ofd_id;
 * a /dev/null stand-in never shares with the real thing), the descriptions
 * that share one object (same obj_id: a pipe, a FIFO, a socket, a memfd or
 * deleted file), and the two ends of each socketpair; every record of one
 * description, and every description of one object, must agree.  The
 * restore half of daemon/capture/ident.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "files_int.h"

/* Two records of one description say the same about it. */
static bool same_ofd(const struct rst_fd *a, const struct rst_fd *b)
{
	struct ckpt_rec_fd x = a->r, y = b->r;

	x.pid = y.pid = 0;
	x.fd = y.fd = 0;
	x.fd_flags = y.fd_flags = 0;
	return !memcmp(&x, &y, sizeof(x)) && !strcmp(a->path, b->path);
}

/* Two descriptions of one object agree on what the object is. */
static bool same_obj(const struct rst_fd *a, const struct rst_fd *b)
{
	const struct ckpt_rec_fd *x = &a->r, *y = &b->r;

	if (x->type != y->type || x->dev != y->dev || x->ino != y->ino)
		return false;
	switch (x->type) {
	case CKPT_FD_UNIX:
		return false;	/* one description per socket */
	case CKPT_FD_PIPE:
		return x->u.pipe.size == y->u.pipe.size;
	case CKPT_FD_FIFO:
		return x->u.pipe.size == y->u.pipe.size &&
		       !strcmp(a->path, b->path);
	default:		/* MEMFD, DELETED */
		return x->size == y->size && x->mode == y->mode &&
		       x->u.memfd.seals == y->u.memfd.seals &&
		       !strcmp(a->path, b->path);
	}
}

/* A description key: DEVNULL stand-ins never share with the real thing. */
static uint64_t ofd_key(const struct rst_fd *f, bool *devnull)
{
	*devnull = f->r.type == CKPT_FD_DEVNULL;
	return f->r.ofd_id;
}

static int cmp_idx_ofd(const void *a, const void *b, void *ctx)
{
	const struct rst_fd *fds = ctx;
	const struct rst_fd *x = &fds[*(const size_t *)a], *y = &fds[*(const size_t *)b];
	bool dx, dy;
	uint64_t kx = ofd_key(x, &dx), ky = ofd_key(y, &dy);

	if (kx != ky)
		return kx < ky ? -1 : 1;
	if (dx != dy)
		return dx ? 1 : -1;
	return rst_cmp_fd(x, y);
}

static int cmp_idx_obj(const void *a, const void *b, void *ctx)
{
	const struct rst_ofd *ofds = ctx;
	uint64_t x = ofds[*(const size_t *)a].first->r.obj_id;
	uint64_t y = ofds[*(const size_t *)b].first->r.obj_id;

	return (x > y) - (x < y);
}

/*
 * The indexes i < nr for which want(ctx, i), sorted by cmp, at *idx; returns
 * a zeroed table of nr + 1 groups of group_size bytes, NULL (err set) when
 * out of memory.
 */
static void *sort_for_grouping(size_t nr, bool (*want)(const void *ctx, size_t i),
			       int (*cmp)(const void *, const void *, void *),
			       void *ctx, size_t **idx, size_t *n,
			       size_t group_size, struct ckpt_err *err)
{
	void *groups = calloc(nr + 1, group_size);

	*n = 0;
	*idx = malloc((nr + 1) * sizeof(**idx));
	if (!*idx || !groups) {
		free(*idx);
		free(groups);
		ckpt_err_set(err, ENOMEM, "file records: out of memory");
		return NULL;
	}
	for (size_t i = 0; i < nr; i++)
		if (want(ctx, i))
			(*idx)[(*n)++] = i;
	qsort_r(*idx, *n, sizeof(**idx), cmp, ctx);
	return groups;
}

/* Closed fds have no description. */
static bool has_ofd(const void *ctx, size_t i)
{
	return ((const struct rst_fd *)ctx)[i].r.type != CKPT_FD_CLOSED;
}

/* A stand-in for a description has no object of its own. */
static bool has_obj(const void *ctx, size_t i)
{
	const struct rst_ofd *o = &((const struct rst_ofd *)ctx)[i];

	return o->first->r.obj_id && o->first->r.type != CKPT_FD_DEVNULL;
}

static int group_ofds(struct rst_files *rf, struct ckpt_err *err)
{
	size_t *idx, n;

	rf->ofds = sort_for_grouping(rf->nr_fds, has_ofd, cmp_idx_ofd, rf->fds,
				     &idx, &n, sizeof(*rf->ofds), err);
	if (!rf->ofds)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		struct rst_fd *f = &rf->fds[idx[i]];
		struct rst_ofd *o = rf->nr_ofds ? &rf->ofds[rf->nr_ofds - 1] : NULL;
		bool d1, d2;

		if (!o || ofd_key(o->first, &d1) != ofd_key(f, &d2) || d1 != d2) {
			o = &rf->ofds[rf->nr_ofds++];
			o->first = f;
			o->obj = RST_NONE;
			o->pool = -1;
		} else if (!same_ofd(o->first, f)) {
			free(idx);
			return rst_malformed(err, "the FD record", f->r.pid, f->r.fd,
					     "disagrees with another record of its description");
		}
		f->ofd = o - rf->ofds;
	}
	free(idx);
	return 0;
}

static int group_objs(struct rst_files *rf, struct ckpt_err *err)
{
	size_t *idx, n;

	rf->objs = sort_for_grouping(rf->nr_ofds, has_obj, cmp_idx_obj, rf->ofds,
				     &idx, &n, sizeof(*rf->objs), err);
	if (!rf->objs)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		struct rst_ofd *o = &rf->ofds[idx[i]];
		struct rst_obj *b = rf->nr_objs ? &rf->objs[rf->nr_objs - 1] : NULL;

		if (!b || b->id != o->first->r.obj_id) {
			b = &rf->objs[rf->nr_objs++];
			b->id = o->first->r.obj_id;
			b->first = o->first;
			b->peer = RST_NONE;
			b->holder = b->ends[0] = b->ends[1] = -1;
		} else if (!same_obj(b->first, o->first)) {
			free(idx);
			return rst_malformed(err, "the FD record", o->first->r.pid,
					     o->first->r.fd,
					     "disagrees with another description of its object");
		}
		o->obj = b - rf->objs;
	}
	free(idx);
	return 0;
}

/* Each socketpair end and its peer name each other (or the peer is gone). */
static int link_peers(struct rst_files *rf, struct ckpt_err *err)
{
	for (size_t i = 0; i < rf->nr_objs; i++) {
		struct rst_obj *b = &rf->objs[i], *p;
		const struct ckpt_rec_fd *r = &b->first->r;

		if (r->type != CKPT_FD_UNIX)
			continue;
		p = rst_find_obj(rf, r->u.sock.peer_id);
		if (!p)
			continue;	/* closed by the capture's options */
		if (p->first->r.type != CKPT_FD_UNIX ||
		    p->first->r.u.sock.peer_id != b->id ||
		    p->first->r.u.sock.type != r->u.sock.type)
			return rst_malformed(err, "the FD record", r->pid, r->fd,
					     "names a socket peer that does not name it back");
		b->peer = p - rf->objs;
	}
	return 0;
}

int rst_ident(struct rst_files *rf, struct ckpt_err *err)
{
	int ret = group_ofds(rf, err);

	if (!ret)
		ret = group_objs(rf, err);
	if (!ret)
		ret = link_peers(rf, err);
	return ret;
}
