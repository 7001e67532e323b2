// SPDX-License-Identifier: GPL-2.0
/*
 * From records to tables: processes (FS), fds (FD) sorted by pid and fd,
 * the open file descriptions and objects they share, the data of each
 * object (FILE_DATA) and the epoll entries (EPOLL_TFD).  The stream parser
 * has checked the framing; this checks the meaning: known types and flags,
 * zero padding, fd numbers below the pool, ids that agree, data that fits.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "dump_stream.h"
#include "restore_files_int.h"

#ifndef F_SEAL_FUTURE_WRITE
#define F_SEAL_FUTURE_WRITE	0x0010
#endif
#ifndef F_SEAL_EXEC
#define F_SEAL_EXEC		0x0020
#endif

#define KNOWN_FLAGS	(RST_OPEN_FLAGS | O_DIRECTORY | O_NOFOLLOW | __O_TMPFILE)
#define KNOWN_SEALS	(F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | \
			 F_SEAL_WRITE | F_SEAL_FUTURE_WRITE | F_SEAL_EXEC)
#define EVENTFD_MAX	0xfffffffffffffffeULL
#define MEMFD_NAME_MAX	249

static void start(struct ckpt_stream *s, const void *buf, size_t len)
{
	const struct ckpt_rec *h = buf;

	ckpt_stream_init(s, buf, len);
	/* captured records alone have no BEGIN to set a page size */
	if (len < sizeof(*h) || h->type != CKPT_REC_BEGIN)
		s->page_size = 1;
}

static int bad(struct rst_files_err *err, const char *what, int32_t pid,
	       int fd, const char *why)
{
	if (fd >= 0)
		return rst_err(err, -EINVAL, "malformed file records: %s of pid %d fd %d %s; the image is damaged",
			       what, pid, fd, why);
	return rst_err(err, -EINVAL, "malformed file records: %s of pid %d %s; the image is damaged",
		       what, pid, why);
}

static bool absolute(const char *p)
{
	return p[0] == '/';
}

static bool zero(const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i])
			return false;
	return true;
}

/* The per-type checks of one FD record. */
static int check_fd(const struct rst_files *rf, const struct rst_fd *f,
		    struct rst_files_err *err)
{
	const struct ckpt_rec_fd *r = &f->r;
	bool needs_obj = false, path = false;
	size_t used_u = 0;	/* bytes of u the type uses */

	if (r->pid <= 0)
		return bad(err, "an FD record", r->pid, r->fd, "has a bad pid");
	if (r->fd < 0 || r->fd >= rf->base)
		return rst_err(err, -EINVAL, "file records: pid %d fd %d is not below the pool base %d; give a base_fd above every fd number of the job",
			       r->pid, r->fd, rf->base);
	if (!r->type || r->type > CKPT_FD_TYPE_MAX)
		return bad(err, "the FD record", r->pid, r->fd, "has an unknown type");
	if (r->fd_flags & ~FD_CLOEXEC)
		return bad(err, "the FD record", r->pid, r->fd, "has unknown fd flags");
	if ((r->flags & ~KNOWN_FLAGS) || (r->flags & O_ACCMODE) == O_ACCMODE)
		return bad(err, "the FD record", r->pid, r->fd, "has unknown status flags");
	if (!r->ofd_id)
		return bad(err, "the FD record", r->pid, r->fd, "has no description id");
	switch (r->type) {
	case CKPT_FD_REG:
	case CKPT_FD_DIR:
	case CKPT_FD_CHR:
		path = true;
		break;
	case CKPT_FD_DELETED:
		path = needs_obj = true;
		break;
	case CKPT_FD_FIFO:
		path = true;
		/* fall through */
	case CKPT_FD_PIPE:
		needs_obj = true;
		used_u = sizeof(r->u.pipe.size);
		if (!r->u.pipe.size)
			return bad(err, "the FD record", r->pid, r->fd, "has no pipe size");
		break;
	case CKPT_FD_EVENTFD:
		used_u = sizeof(r->u.eventfd.count) + sizeof(r->u.eventfd.flags);
		if (r->u.eventfd.count > EVENTFD_MAX ||
		    (r->u.eventfd.flags & ~CKPT_EFD_SEMAPHORE))
			return bad(err, "the FD record", r->pid, r->fd, "has a bad eventfd counter or flags");
		break;
	case CKPT_FD_UNIX:
		needs_obj = true;
		used_u = sizeof(r->u.sock);
		if ((r->u.sock.type != SOCK_STREAM && r->u.sock.type != SOCK_DGRAM &&
		     r->u.sock.type != SOCK_SEQPACKET) ||
		    (r->u.sock.shutdown & ~(CKPT_SHUT_RD | CKPT_SHUT_WR)) ||
		    !r->u.sock.peer_id || r->u.sock.peer_id == r->obj_id)
			return bad(err, "the FD record", r->pid, r->fd, "has a bad socket type, peer or shutdown state");
		break;
	case CKPT_FD_MEMFD:
		needs_obj = true;
		used_u = sizeof(r->u.memfd.seals);
		if ((r->u.memfd.seals & ~KNOWN_SEALS) || !r->path_len ||
		    strlen(f->path) > MEMFD_NAME_MAX)
			return bad(err, "the FD record", r->pid, r->fd, "has bad memfd seals or name");
		break;
	}
	if (!zero((const uint8_t *)&r->u + used_u, sizeof(r->u) - used_u))
		return bad(err, "the FD record", r->pid, r->fd, "has non-zero padding");
	if (path && !absolute(f->path))
		return bad(err, "the FD record", r->pid, r->fd, "has no absolute path");
	if (needs_obj != !!r->obj_id && r->type != CKPT_FD_CLOSED &&
	    r->type != CKPT_FD_DEVNULL)
		return bad(err, "the FD record", r->pid, r->fd,
			   needs_obj ? "has no object id" : "has an object id its type does not use");
	return 0;
}

static int check_fs(const struct rst_proc *p, struct rst_files_err *err)
{
	if (p->pid <= 0)
		return bad(err, "an FS record", p->pid, -1, "has a bad pid");
	if (!absolute(p->cwd) || !absolute(p->root) || p->fs.umask > 0777)
		return bad(err, "the FS record", p->pid, -1, "has a relative path or a bad umask");
	return 0;
}

static char *keep_string(char **pos, const char *s, size_t len)
{
	char *d = *pos;

	memcpy(d, s, len);
	d[len] = '\0';
	*pos += len + 1;
	return d;
}

/* Copies FS, FD and EPOLL_TFD records into rf (unsorted). */
static int collect(struct rst_files *rf, const void *buf, size_t len,
		   struct rst_files_err *err)
{
	size_t nfs = 0, nfd = 0, ntfd = 0, nstr = 0, body;
	const struct ckpt_rec *h;
	struct ckpt_stream s;
	char *str;
	int ret;

	start(&s, buf, len);
	while ((ret = ckpt_stream_next(&s, &h, &body)) == 1) {
		if (h->type == CKPT_REC_FS) {
			const struct ckpt_rec_fs *r = (const void *)(h + 1);

			nfs++;
			nstr += r->cwd_len + r->root_len + 2;
		} else if (h->type == CKPT_REC_FD) {
			nfd++;
			nstr += ((const struct ckpt_rec_fd *)(h + 1))->path_len + 1;
		} else if (h->type == CKPT_REC_EPOLL_TFD) {
			ntfd++;
		}
	}
	if (ret < 0)
		return rst_err(err, ret, "file records: %s", s.error);
	rf->procs = calloc(nfs + 1, sizeof(*rf->procs));
	rf->fds = calloc(nfd + 1, sizeof(*rf->fds));
	rf->tfds = calloc(ntfd + 1, sizeof(*rf->tfds));
	rf->strings = str = malloc(nstr + 1);
	if (!rf->procs || !rf->fds || !rf->tfds || !str)
		return rst_err(err, -ENOMEM, "file records: out of memory");

	start(&s, buf, len);
	while (ckpt_stream_next(&s, &h, &body) == 1) {
		const void *b = h + 1;

		if (h->type == CKPT_REC_FS) {
			const struct ckpt_rec_fs *r = b;
			struct rst_proc *p = &rf->procs[rf->nr_procs++];

			p->pid = r->pid;
			p->fs = *r;
			p->cwd = keep_string(&str, r->paths, r->cwd_len - 1);
			p->root = keep_string(&str, r->paths + r->cwd_len,
					      r->root_len - 1);
		} else if (h->type == CKPT_REC_FD) {
			const struct ckpt_rec_fd *r = b;
			struct rst_fd *f = &rf->fds[rf->nr_fds++];

			f->r = *r;
			f->path = keep_string(&str, r->path,
					      r->path_len ? r->path_len - 1 : 0);
			f->ofd = RST_NONE;
		} else if (h->type == CKPT_REC_EPOLL_TFD) {
			rf->tfds[rf->nr_tfds++] =
				*(const struct ckpt_rec_epoll_tfd *)b;
		}
	}
	return 0;
}

static int cmp_fd(const void *a, const void *b)
{
	const struct ckpt_rec_fd *x = &((const struct rst_fd *)a)->r;
	const struct ckpt_rec_fd *y = &((const struct rst_fd *)b)->r;

	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return (x->fd > y->fd) - (x->fd < y->fd);
}

static int cmp_proc(const void *a, const void *b)
{
	int32_t x = ((const struct rst_proc *)a)->pid;
	int32_t y = ((const struct rst_proc *)b)->pid;

	return (x > y) - (x < y);
}

static int cmp_tfd(const void *a, const void *b)
{
	const struct ckpt_rec_epoll_tfd *x = a, *y = b;

	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	if (x->epfd != y->epfd)
		return x->epfd < y->epfd ? -1 : 1;
	return (x->tfd > y->tfd) - (x->tfd < y->tfd);
}

/* Sorts, finds duplicates, gives every process its fds and epoll entries. */
static int index_procs(struct rst_files *rf, struct rst_files_err *err)
{
	size_t i, f = 0, t = 0;
	int ret;

	qsort(rf->procs, rf->nr_procs, sizeof(*rf->procs), cmp_proc);
	qsort(rf->fds, rf->nr_fds, sizeof(*rf->fds), cmp_fd);
	qsort(rf->tfds, rf->nr_tfds, sizeof(*rf->tfds), cmp_tfd);
	for (i = 0; i < rf->nr_procs; i++) {
		struct rst_proc *p = &rf->procs[i];

		ret = check_fs(p, err);
		if (ret)
			return ret;
		if (i && rf->procs[i - 1].pid == p->pid)
			return bad(err, "the FS record", p->pid, -1, "is there twice");
	}
	for (i = 0; i < rf->nr_fds; i++) {
		ret = check_fd(rf, &rf->fds[i], err);
		if (ret)
			return ret;
		if (i && !cmp_fd(&rf->fds[i - 1], &rf->fds[i]))
			return bad(err, "the FD record", rf->fds[i].r.pid,
				   rf->fds[i].r.fd, "is there twice");
	}
	for (i = 0; i < rf->nr_tfds; i++)
		if (i && !cmp_tfd(&rf->tfds[i - 1], &rf->tfds[i]))
			return bad(err, "an EPOLL_TFD record", rf->tfds[i].pid,
				   rf->tfds[i].epfd, "is there twice for one watched fd");
	/* both arrays are sorted by pid: walk them along the processes */
	for (i = 0; i < rf->nr_procs; i++) {
		struct rst_proc *p = &rf->procs[i];

		if (f < rf->nr_fds && rf->fds[f].r.pid < p->pid)
			break;
		p->fd0 = f;
		while (f < rf->nr_fds && rf->fds[f].r.pid == p->pid)
			f++;
		p->nr_fds = f - p->fd0;
		if (t < rf->nr_tfds && rf->tfds[t].pid < p->pid)
			break;
		p->tfd0 = t;
		while (t < rf->nr_tfds && rf->tfds[t].pid == p->pid)
			t++;
		p->nr_tfds = t - p->tfd0;
	}
	if (f < rf->nr_fds)
		return bad(err, "an FD record", rf->fds[f].r.pid, rf->fds[f].r.fd,
			   "names a process without an FS record");
	if (t < rf->nr_tfds)
		return bad(err, "an EPOLL_TFD record", rf->tfds[t].pid, -1,
			   "names a process without an FS record");
	return 0;
}

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
	return cmp_fd(x, y);
}

static int cmp_idx_obj(const void *a, const void *b, void *ctx)
{
	const struct rst_ofd *ofds = ctx;
	uint64_t x = ofds[*(const size_t *)a].first->r.obj_id;
	uint64_t y = ofds[*(const size_t *)b].first->r.obj_id;

	return (x > y) - (x < y);
}

static int group_ofds(struct rst_files *rf, struct rst_files_err *err)
{
	size_t *idx = malloc((rf->nr_fds + 1) * sizeof(*idx)), n = 0;

	rf->ofds = calloc(rf->nr_fds + 1, sizeof(*rf->ofds));
	if (!idx || !rf->ofds) {
		free(idx);
		return rst_err(err, -ENOMEM, "file records: out of memory");
	}
	for (size_t i = 0; i < rf->nr_fds; i++)
		if (rf->fds[i].r.type != CKPT_FD_CLOSED)
			idx[n++] = i;
	qsort_r(idx, n, sizeof(*idx), cmp_idx_ofd, rf->fds);
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
			return bad(err, "the FD record", f->r.pid, f->r.fd,
				   "disagrees with another record of its description");
		}
		f->ofd = o - rf->ofds;
	}
	free(idx);
	return 0;
}

static int group_objs(struct rst_files *rf, struct rst_files_err *err)
{
	size_t *idx = malloc((rf->nr_ofds + 1) * sizeof(*idx)), n = 0;

	rf->objs = calloc(rf->nr_ofds + 1, sizeof(*rf->objs));
	if (!idx || !rf->objs) {
		free(idx);
		return rst_err(err, -ENOMEM, "file records: out of memory");
	}
	for (size_t i = 0; i < rf->nr_ofds; i++)
		if (rf->ofds[i].first->r.obj_id &&
		    rf->ofds[i].first->r.type != CKPT_FD_DEVNULL)
			idx[n++] = i;
	qsort_r(idx, n, sizeof(*idx), cmp_idx_obj, rf->ofds);
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
			return bad(err, "the FD record", o->first->r.pid,
				   o->first->r.fd,
				   "disagrees with another description of its object");
		}
		o->obj = b - rf->objs;
	}
	free(idx);
	return 0;
}

static struct rst_obj *find_obj(struct rst_files *rf, uint64_t id)
{
	size_t lo = 0, hi = rf->nr_objs;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (rf->objs[mid].id == id)
			return &rf->objs[mid];
		if (id < rf->objs[mid].id)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

/* Each socketpair end and its peer name each other (or the peer is gone). */
static int link_peers(struct rst_files *rf, struct rst_files_err *err)
{
	for (size_t i = 0; i < rf->nr_objs; i++) {
		struct rst_obj *b = &rf->objs[i], *p;
		const struct ckpt_rec_fd *r = &b->first->r;

		if (r->type != CKPT_FD_UNIX)
			continue;
		p = find_obj(rf, r->u.sock.peer_id);
		if (!p)
			continue;	/* closed by the capture's options */
		if (p->first->r.type != CKPT_FD_UNIX ||
		    p->first->r.u.sock.peer_id != b->id ||
		    p->first->r.u.sock.type != r->u.sock.type)
			return bad(err, "the FD record", r->pid, r->fd,
				   "names a socket peer that does not name it back");
		b->peer = p - rf->objs;
	}
	return 0;
}

static int add_data(struct rst_files *rf, const struct ckpt_rec_file_data *d,
		    struct rst_files_err *err)
{
	struct rst_obj *b = find_obj(rf, d->obj_id);
	const struct ckpt_rec_fd *r;
	const struct ckpt_rec_file_data **v;
	bool msg;

	if (!b)
		return bad(err, "a FILE_DATA record", d->pid, -1,
			   "names no object of the FD records");
	r = &b->first->r;
	msg = r->type == CKPT_FD_UNIX && r->u.sock.type != SOCK_STREAM;
	if (d->pad || (d->flags & ~CKPT_DATA_MSG) ||
	    !!(d->flags & CKPT_DATA_MSG) != msg)
		return bad(err, "a FILE_DATA record", d->pid, r->fd,
			   "has bad flags or padding");
	switch (r->type) {
	case CKPT_FD_MEMFD:
	case CKPT_FD_DELETED:
		if (d->offset > r->size || d->len > r->size - d->offset)
			return bad(err, "a FILE_DATA record", d->pid, r->fd,
				   "lies beyond the file's size");
		break;
	case CKPT_FD_PIPE:
	case CKPT_FD_FIFO:
		if (b->data_len + d->len > r->u.pipe.size)
			return bad(err, "a FILE_DATA record", d->pid, r->fd,
				   "holds more than the pipe's size");
		/* fall through */
	default:
		if (d->offset != b->data_len)
			return bad(err, "a FILE_DATA record", d->pid, r->fd,
				   "is out of order");
	}
	v = realloc(b->data, (b->nr_data + 1) * sizeof(*v));
	if (!v)
		return rst_err(err, -ENOMEM, "file records: out of memory");
	b->data = v;
	b->data[b->nr_data++] = d;
	b->data_len += d->len;
	return 0;
}

static int collect_data(struct rst_files *rf, const void *buf, size_t len,
			struct rst_files_err *err)
{
	const struct ckpt_rec *h;
	struct ckpt_stream s;
	size_t body;
	int ret = 0;

	start(&s, buf, len);
	while (!ret && ckpt_stream_next(&s, &h, &body) == 1)
		if (h->type == CKPT_REC_FILE_DATA)
			ret = add_data(rf, (const void *)(h + 1), err);
	return ret;
}

static const struct rst_fd *proc_fd(const struct rst_files *rf,
				    const struct rst_proc *p, int fd)
{
	for (size_t i = 0; i < p->nr_fds; i++)
		if (rf->fds[p->fd0 + i].r.fd == fd)
			return &rf->fds[p->fd0 + i];
	return NULL;
}

static int check_tfds(struct rst_files *rf, struct rst_files_err *err)
{
	for (size_t i = 0; i < rf->nr_procs; i++) {
		const struct rst_proc *p = &rf->procs[i];

		for (size_t j = 0; j < p->nr_tfds; j++) {
			const struct ckpt_rec_epoll_tfd *t = &rf->tfds[p->tfd0 + j];
			const struct rst_fd *ep = proc_fd(rf, p, t->epfd);
			const struct rst_fd *tf = proc_fd(rf, p, t->tfd);

			if (!ep || ep->r.type != CKPT_FD_EPOLL)
				return bad(err, "an EPOLL_TFD record", t->pid, t->epfd,
					   "names an fd that is not an epoll fd");
			if (!tf || tf->r.type == CKPT_FD_CLOSED ||
			    tf->r.type == CKPT_FD_DEVNULL || t->tfd == t->epfd)
				return bad(err, "an EPOLL_TFD record", t->pid, t->epfd,
					   "watches an fd the process will not have");
		}
	}
	return 0;
}

int rst_parse(struct rst_files *rf, const void *records, size_t len,
	      struct rst_files_err *err)
{
	int ret;

	ret = collect(rf, records, len, err);
	if (!ret)
		ret = index_procs(rf, err);
	if (!ret)
		ret = group_ofds(rf, err);
	if (!ret)
		ret = group_objs(rf, err);
	if (!ret)
		ret = link_peers(rf, err);
	if (!ret)
		ret = collect_data(rf, records, len, err);
	if (!ret)
		ret = check_tfds(rf, err);
	return ret;
}
