// SPDX-License-Identifier: GPL-2.0
/*
 * From records to tables: processes (FS), fds (FD) sorted by pid and fd,
 * and the epoll entries (EPOLL_TFD); then ident.c groups the descriptions
 * and objects they share, data.c attaches each object's FILE_DATA and
 * epoll.c checks the entries.  The stream parser has checked the framing;
 * this checks the meaning: known types and flags, zero padding, fd numbers
 * below the pool, one record per process and fd.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "files_int.h"

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
		    struct ckpt_err *err)
{
	const struct ckpt_rec_fd *r = &f->r;
	bool needs_obj = false, path = false;
	size_t used_u = 0;	/* bytes of u the type uses */

	if (r->pid <= 0)
		return rst_malformed(err, "an FD record", r->pid, r->fd, "has a bad pid");
	if (r->fd < 0 || r->fd >= rf->base)
		return ckpt_err_set(err, EINVAL, "file records: pid %d fd %d is not below the pool base %d; give a base_fd above every fd number of the job",
			       r->pid, r->fd, rf->base);
	if (!r->type || r->type > CKPT_FD_TYPE_MAX)
		return rst_malformed(err, "the FD record", r->pid, r->fd, "has an unknown type");
	if (r->fd_flags & ~FD_CLOEXEC)
		return rst_malformed(err, "the FD record", r->pid, r->fd, "has unknown fd flags");
	if ((r->flags & ~KNOWN_FLAGS) || (r->flags & O_ACCMODE) == O_ACCMODE)
		return rst_malformed(err, "the FD record", r->pid, r->fd, "has unknown status flags");
	if (!r->ofd_id)
		return rst_malformed(err, "the FD record", r->pid, r->fd, "has no description id");
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
			return rst_malformed(err, "the FD record", r->pid, r->fd, "has no pipe size");
		break;
	case CKPT_FD_EVENTFD:
		used_u = sizeof(r->u.eventfd.count) + sizeof(r->u.eventfd.flags);
		if (r->u.eventfd.count > EVENTFD_MAX ||
		    (r->u.eventfd.flags & ~CKPT_EFD_SEMAPHORE))
			return rst_malformed(err, "the FD record", r->pid, r->fd, "has a bad eventfd counter or flags");
		break;
	case CKPT_FD_UNIX:
		needs_obj = true;
		used_u = sizeof(r->u.sock);
		if ((r->u.sock.type != SOCK_STREAM && r->u.sock.type != SOCK_DGRAM &&
		     r->u.sock.type != SOCK_SEQPACKET) ||
		    (r->u.sock.shutdown & ~(CKPT_SHUT_RD | CKPT_SHUT_WR)) ||
		    !r->u.sock.peer_id || r->u.sock.peer_id == r->obj_id)
			return rst_malformed(err, "the FD record", r->pid, r->fd, "has a bad socket type, peer or shutdown state");
		break;
	case CKPT_FD_MEMFD:
		needs_obj = true;
		used_u = sizeof(r->u.memfd.seals);
		if ((r->u.memfd.seals & ~KNOWN_SEALS) || !r->path_len ||
		    strlen(f->path) > MEMFD_NAME_MAX)
			return rst_malformed(err, "the FD record", r->pid, r->fd, "has bad memfd seals or name");
		break;
	}
	if (!zero((const uint8_t *)&r->u + used_u, sizeof(r->u) - used_u))
		return rst_malformed(err, "the FD record", r->pid, r->fd, "has non-zero padding");
	if (path && !absolute(f->path))
		return rst_malformed(err, "the FD record", r->pid, r->fd, "has no absolute path");
	if (needs_obj != !!r->obj_id && r->type != CKPT_FD_CLOSED &&
	    r->type != CKPT_FD_DEVNULL)
		return rst_malformed(err, "the FD record", r->pid, r->fd,
			   needs_obj ? "has no object id" : "has an object id its type does not use");
	return 0;
}

static int check_fs(const struct rst_proc *p, struct ckpt_err *err)
{
	if (p->pid <= 0)
		return rst_malformed(err, "an FS record", p->pid, -1, "has a bad pid");
	if (!absolute(p->cwd) || !absolute(p->root) || p->fs.umask > 0777)
		return rst_malformed(err, "the FS record", p->pid, -1, "has a relative path or a bad umask");
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
		   struct ckpt_err *err)
{
	size_t nfs = 0, nfd = 0, ntfd = 0, nstr = 0, body;
	const struct ckpt_rec *h;
	struct ckpt_stream s;
	char *str;
	int ret;

	rst_records_start(&s, buf, len);
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
		return ckpt_err_set(err, ret, "file records: %s", s.error);
	rf->procs = calloc(nfs + 1, sizeof(*rf->procs));
	rf->fds = calloc(nfd + 1, sizeof(*rf->fds));
	rf->tfds = calloc(ntfd + 1, sizeof(*rf->tfds));
	rf->strings = str = malloc(nstr + 1);
	if (!rf->procs || !rf->fds || !rf->tfds || !str)
		return ckpt_err_set(err, ENOMEM, "file records: out of memory");

	rst_records_start(&s, buf, len);
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
static int index_procs(struct rst_files *rf, struct ckpt_err *err)
{
	size_t i, f = 0, t = 0;
	int ret;

	qsort(rf->procs, rf->nr_procs, sizeof(*rf->procs), cmp_proc);
	qsort(rf->fds, rf->nr_fds, sizeof(*rf->fds), rst_cmp_fd);
	qsort(rf->tfds, rf->nr_tfds, sizeof(*rf->tfds), cmp_tfd);
	for (i = 0; i < rf->nr_procs; i++) {
		struct rst_proc *p = &rf->procs[i];

		ret = check_fs(p, err);
		if (ret)
			return ret;
		if (i && rf->procs[i - 1].pid == p->pid)
			return rst_malformed(err, "the FS record", p->pid, -1, "is there twice");
	}
	for (i = 0; i < rf->nr_fds; i++) {
		ret = check_fd(rf, &rf->fds[i], err);
		if (ret)
			return ret;
		if (i && !rst_cmp_fd(&rf->fds[i - 1], &rf->fds[i]))
			return rst_malformed(err, "the FD record", rf->fds[i].r.pid,
				   rf->fds[i].r.fd, "is there twice");
	}
	for (i = 0; i < rf->nr_tfds; i++)
		if (i && !cmp_tfd(&rf->tfds[i - 1], &rf->tfds[i]))
			return rst_malformed(err, "an EPOLL_TFD record", rf->tfds[i].pid,
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
		return rst_malformed(err, "an FD record", rf->fds[f].r.pid, rf->fds[f].r.fd,
			   "names a process without an FS record");
	if (t < rf->nr_tfds)
		return rst_malformed(err, "an EPOLL_TFD record", rf->tfds[t].pid, -1,
			   "names a process without an FS record");
	return 0;
}

static int collect_data(struct rst_files *rf, const void *buf, size_t len,
			struct ckpt_err *err)
{
	const struct ckpt_rec *h;
	struct ckpt_stream s;
	size_t body;
	int ret = 0;

	rst_records_start(&s, buf, len);
	while (!ret && ckpt_stream_next(&s, &h, &body) == 1)
		if (h->type == CKPT_REC_FILE_DATA)
			ret = rst_data_add(rf, (const void *)(h + 1), err);
	return ret;
}

int rst_parse(struct rst_files *rf, const void *records, size_t len,
	      struct ckpt_err *err)
{
	int ret;

	ret = collect(rf, records, len, err);
	if (!ret)
		ret = index_procs(rf, err);
	if (!ret)
		ret = rst_ident(rf, err);
	if (!ret)
		ret = collect_data(rf, records, len, err);
	if (!ret)
		ret = rst_epoll_check(rf, err);
	return ret;
}
