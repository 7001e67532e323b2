// SPDX-License-Identifier: GPL-2.0
/*
 * What needs the whole job: every socketpair end's peer must be a socket of
 * the job (else the end is unsupported: the capture fails, or the options
 * turn it into CLOSED or DEVNULL, dropping its queued data and the epoll
 * entries watching it), and every epoll entry must be held by some process.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture_int.h"
#include "dump_stream.h"

struct conv {
	int32_t pid;		/* in the job */
	int fd;
	uint64_t obj_id;
};

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

static pid_t real_pid(const struct ckptd_capture *cap, int32_t img_pid)
{
	for (size_t i = 0; i < cap->nr_procs; i++)
		if (cap->procs[i].img_pid == img_pid)
			return cap->procs[i].pid;
	return img_pid;
}

static const struct conv *find_conv(const struct conv *v, size_t n,
				    int32_t pid, int fd)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].pid == pid && v[i].fd == fd)
			return &v[i];
	return NULL;
}

static bool conv_obj(const struct conv *v, size_t n, uint64_t obj_id)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].obj_id == obj_id)
			return true;
	return false;
}

/* The sockets whose peer is not in the job, in *v. */
static int find_outside(struct ckptd_capture *cap,
			const struct ckptd_recbuf *out, struct conv **v,
			size_t *nr, struct ckpt_err *err)
{
	const struct ckpt_rec *h;
	struct ckpt_stream s;
	uint64_t *ids;
	size_t nr_ids = 0, body;
	int ret;

	ids = malloc((cap->nr_objs + 1) * sizeof(*ids));
	if (!ids)
		goto nomem;
	for (size_t i = 0; i < cap->nr_objs; i++)
		if (cap->objs[i].flags & CAP_OBJ_SOCK)
			ids[nr_ids++] = cap->objs[i].id;
	qsort(ids, nr_ids, sizeof(*ids), cmp_u64);

	ckpt_stream_init(&s, out->buf, out->len);
	s.page_size = 1;	/* captured records only: no BEGIN */
	while ((ret = ckpt_stream_next(&s, &h, &body)) == 1) {
		const struct ckpt_rec_fd *r = (const void *)(h + 1);
		struct conv *nv;

		if (h->type != CKPT_REC_FD || r->type != CKPT_FD_UNIX ||
		    bsearch(&r->u.sock.peer_id, ids, nr_ids, sizeof(*ids), cmp_u64))
			continue;
		if (cap->unsupported == CKPTD_CAPTURE_FAIL) {
			ckpt_err_set(err, EOPNOTSUPP, "pid %d fd %d: unix socket (socket:[%llu]) whose peer is outside the job is not supported; checkpoint the peer's process with the job, or capture with the option to treat it as closed or as /dev/null",
				      (int)real_pid(cap, r->pid), r->fd,
				      (unsigned long long)r->ino);
			free(ids);
			return -EOPNOTSUPP;
		}
		nv = realloc(*v, (*nr + 1) * sizeof(**v));
		if (!nv)
			goto nomem;
		*v = nv;
		(*v)[(*nr)++] = (struct conv){ r->pid, r->fd, r->obj_id };
	}
	free(ids);
	if (ret < 0) {
		return ckpt_err_set(err, ret, "captured records: %s", s.error);
	}
	return 0;
nomem:
	free(ids);
	return ckpt_err_set(err, ENOMEM, "capture: out of memory");
}

/* out without the converted sockets' data and epoll entries. */
static int rewrite(struct ckptd_capture *cap, struct ckptd_recbuf *out,
		   const struct conv *v, size_t nr, struct ckpt_err *err)
{
	struct ckptd_recbuf n = { 0 };
	const struct ckpt_rec *h;
	struct ckpt_stream s;
	size_t body;
	int ret;

	ckpt_stream_init(&s, out->buf, out->len);
	s.page_size = 1;
	while ((ret = ckpt_stream_next(&s, &h, &body)) == 1) {
		const void *b = h + 1;

		if (h->type == CKPT_REC_FD) {
			struct ckpt_rec_fd r = *(const struct ckpt_rec_fd *)b;
			char link[64];

			if (find_conv(v, nr, r.pid, r.fd)) {
				r.type = cap->unsupported == CKPTD_CAPTURE_CLOSE ?
					 CKPT_FD_CLOSED : CKPT_FD_DEVNULL;
				r.obj_id = 0;
				memset(&r.u, 0, sizeof(r.u));
				snprintf(link, sizeof(link), "socket:[%llu]",
					 (unsigned long long)r.ino);
				r.path_len = strlen(link) + 1;
				ret = cap_rec_add(&n, h->type, &r, sizeof(r),
						  link, r.path_len);
				if (ret)
					break;
				continue;
			}
		} else if (h->type == CKPT_REC_FILE_DATA) {
			const struct ckpt_rec_file_data *r = b;

			if (conv_obj(v, nr, r->obj_id))
				continue;
		} else if (h->type == CKPT_REC_EPOLL_TFD) {
			const struct ckpt_rec_epoll_tfd *r = b;

			if (find_conv(v, nr, r->pid, r->tfd))
				continue;
		}
		ret = cap_rec_add(&n, h->type, b, body, NULL, 0);
		if (ret)
			break;
	}
	if (ret < 0) {
		ckptd_recbuf_free(&n);
		return ckpt_err_set(err, ret, "captured records: %s",
			      ret == -ENOMEM ? "out of memory" : s.error);
	}
	ckptd_recbuf_free(out);
	*out = n;
	return 0;
}

int ckptd_capture_finish(struct ckptd_capture *cap, struct ckptd_recbuf *out,
			 struct ckpt_err *err)
{
	struct conv *v = NULL;
	size_t nr = 0;
	int ret;

	if (cap->failed)
		return ckpt_err_set(err, EINVAL, "an earlier capture of this job failed; start a new one");
	ret = cap_epoll_check(cap, err);
	if (!ret)
		ret = find_outside(cap, out, &v, &nr, err);
	if (!ret && nr)
		ret = rewrite(cap, out, v, nr, err);
	free(v);
	return ret;
}
