// SPDX-License-Identifier: GPL-2.0
/* Receiving images from a peer (peer_xfer.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/ckpt.h>

#include "image.h"
#include "image_store.h"
#include "peer_xfer.h"
#include "xxh64.h"

#define FILES_MAX	16

/* Answers the peer with an error and returns @err (the connection ends). */
static int refuse(struct ckpt_peer_conn *c, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int refuse(struct ckpt_peer_conn *c, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err = ckpt_err_vset(&c->err, err, fmt, ap);
	va_end(ap);
	ckpt_peer_send_error(c, err, c->err.msg);
	return err;
}

void ckpt_peer_recv_abort(struct ckpt_peer_recv_state *s)
{
	if (s->staging[0])
		ckptd_image_remove_dir(s->staging);
	s->staging[0] = 0;
	s->nr_files = 0;
}

static int manifest_sum(const char *dir, uint64_t *sum)
{
	char path[4300];
	uint8_t buf[4096];
	struct ckptd_xxh64 st;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/" CKPT_IMG_MANIFEST, dir);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ckptd_xxh64_init(&st, 0);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		ckptd_xxh64_update(&st, buf, n);
	close(fd);
	if (n < 0)
		return -EIO;
	*sum = ckptd_xxh64_digest(&st);
	return 0;
}

int ckpt_peer_recv_have(struct ckpt_peer_conn *c, struct ckpt_peer_recv_state *s)
{
	struct ckpt_peer_image_have h;
	struct ckpt_peer_have reply = { 0 };
	char dir[4200];
	uint64_t sum = 0;
	int ret;

	if (c->hdr.len < sizeof(h))
		return refuse(c, -EPROTO, "short IMAGE_HAVE");
	memcpy(&h, c->buf, sizeof(h));
	if (!h.job || !h.seq)
		return refuse(c, -EINVAL, "IMAGE_HAVE names job %u checkpoint %llu",
			      h.job, (unsigned long long)h.seq);
	ckptd_image_path(dir, sizeof(dir), s->store, h.job, h.seq);
	ret = manifest_sum(dir, &sum);
	if (!ret && sum != h.manifest_sum)
		return refuse(c, -EEXIST, "%s holds a different checkpoint %llu of job %u; move it away or remove it there first",
			      dir, (unsigned long long)h.seq, h.job);
	reply.have = !ret;
	return ckpt_peer_send(c, CKPT_PEER_HAVE, &reply, sizeof(reply));
}

static int valid_file_name(const char *n)
{
	if (!*n || *n == '.')
		return 0;
	for (; *n; n++)
		if (!((*n >= 'a' && *n <= 'z') || (*n >= 'A' && *n <= 'Z') ||
		      (*n >= '0' && *n <= '9') || *n == '.' || *n == '_' || *n == '-'))
			return 0;
	return 1;
}

static int start_staging(struct ckpt_peer_conn *c, struct ckpt_peer_recv_state *s,
			 uint32_t job, uint64_t seq)
{
	char jobdir[4096];

	if (s->staging[0] && s->job == job && s->seq == seq)
		return 0;
	ckpt_peer_recv_abort(s);	/* a new image: drop an unfinished one */
	snprintf(jobdir, sizeof(jobdir), "%s/%u", s->store, job);
	if (mkdir(jobdir, 0750) && errno != EEXIST)
		return refuse(c, -errno, "cannot create %s: %s", jobdir, strerror(errno));
	snprintf(s->staging, sizeof(s->staging), "%s/" CKPT_PEER_STAGING_PREFIX "%llu",
		 jobdir, (unsigned long long)seq);
	ckptd_image_remove_dir(s->staging);	/* an older attempt */
	if (mkdir(s->staging, 0700)) {
		int err = -errno;

		s->staging[0] = 0;
		return refuse(c, err, "cannot create the staging directory under %s: %s",
			      jobdir, strerror(-err));
	}
	s->job = job;
	s->seq = seq;
	return 0;
}

int ckpt_peer_recv_file(struct ckpt_peer_conn *c, struct ckpt_peer_recv_state *s)
{
	struct ckpt_peer_file_put put;
	struct ckpt_peer_file_end end;
	struct ckptd_xxh64 whole;
	char name[CKPT_PEER_FILE_NAME], path[4400], final[4300];
	uint64_t got = 0, chunks = 0;
	int fd, ret;

	if (c->hdr.len < sizeof(put))
		return refuse(c, -EPROTO, "short FILE_PUT");
	memcpy(&put, c->buf, sizeof(put));
	if (ckpt_peer_name_get(name, sizeof(name), put.name, sizeof(put.name)) ||
	    !valid_file_name(name))
		return refuse(c, -EINVAL, "FILE_PUT: a bad file name");
	if (!put.job || (!put.seq && strcmp(name, CKPT_PEER_JOB_LOG)))
		return refuse(c, -EINVAL, "FILE_PUT names job %u checkpoint %llu",
			      put.job, (unsigned long long)put.seq);
	if (!put.seq) {
		/* the job's log: beside the registry, replaced only when complete */
		snprintf(final, sizeof(final), "%s/job-%u.log", s->state_dir, put.job);
		snprintf(path, sizeof(path), "%s.incoming", final);
		unlink(path);
	} else {
		ret = start_staging(c, s, put.job, put.seq);
		if (ret)
			return ret;
		if (++s->nr_files > FILES_MAX) {
			ckpt_peer_recv_abort(s);
			return refuse(c, -E2BIG, "more than %d files in one image", FILES_MAX);
		}
		snprintf(path, sizeof(path), "%s/%s", s->staging, name);
	}
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, put.seq ? 0600 : 0640);
	if (fd < 0) {
		ret = -errno;
		ckpt_peer_recv_abort(s);
		return refuse(c, ret, "cannot create %s: %s", path, strerror(-ret));
	}
	ckptd_xxh64_init(&whole, 0);
	for (;;) {
		ret = ckpt_peer_recv(c);	/* checks each chunk's checksum */
		if (ret)
			break;
		if (c->hdr.type == CKPT_PEER_FILE_END)
			break;
		if (c->hdr.type != CKPT_PEER_DATA || got + c->hdr.len > put.size) {
			ret = ckpt_peer_why(c, -EPROTO, "%s: %s where file data of %s was expected",
					    c->peer, ckpt_peer_type_name(c->hdr.type), name);
			break;
		}
		for (uint32_t off = 0; off < c->hdr.len && !ret;) {
			ssize_t n = write(fd, c->buf + off, c->hdr.len - off);

			if (n < 0)
				ret = ckpt_peer_why(c, -errno, "writing %s: %s", path, strerror(errno));
			else
				off += n;
		}
		if (ret)
			break;
		ckptd_xxh64_update(&whole, c->buf, c->hdr.len);
		got += c->hdr.len;
		chunks++;
	}
	if (!ret && c->hdr.len < sizeof(end))
		ret = ckpt_peer_why(c, -EPROTO, "short FILE_END");
	if (!ret) {
		memcpy(&end, c->buf, sizeof(end));
		if (got != put.size || end.chunks != chunks ||
		    end.sum != ckptd_xxh64_digest(&whole))
			ret = ckpt_peer_why(c, -EBADMSG, "%s: file %s arrived damaged (%llu of %llu bytes, checksum %s)",
					    c->peer, name, (unsigned long long)got,
					    (unsigned long long)put.size,
					    end.sum == ckptd_xxh64_digest(&whole) ? "matches" : "differs");
	}
	if (!ret && fsync(fd))
		ret = ckpt_peer_why(c, -errno, "fsync of %s: %s", path, strerror(errno));
	if (!ret && !put.seq) {
		struct timespec ts[2] = {
			{ .tv_nsec = UTIME_OMIT },
			{ .tv_sec = put.mtime_sec, .tv_nsec = put.mtime_nsec },
		};

		if (futimens(fd, ts) || rename(path, final))
			ret = ckpt_peer_why(c, -errno, "installing %s: %s", final, strerror(errno));
	}
	close(fd);
	if (ret && !put.seq)
		unlink(path);
	if (ret) {
		ckpt_peer_recv_abort(s);
		ckpt_peer_send_error(c, ret, c->err.msg);
		return ret;
	}
	return ckpt_peer_send(c, CKPT_PEER_OK, NULL, 0);
}

int ckpt_peer_recv_commit(struct ckpt_peer_conn *c, struct ckpt_peer_recv_state *s)
{
	struct ckpt_peer_job j;
	struct ckptd_image *img;
	struct ckpt_err e;
	char final[4200], jobdir[4200];
	int ret;

	if (c->hdr.len < sizeof(j))
		return refuse(c, -EPROTO, "short IMAGE_COMMIT");
	memcpy(&j, c->buf, sizeof(j));
	if (!s->staging[0] || j.job != s->job || j.seq != s->seq)
		return refuse(c, -EPROTO, "IMAGE_COMMIT of job %u checkpoint %llu, which was not sent",
			      j.job, (unsigned long long)j.seq);
	ret = ckptd_image_open(s->staging, &img, &e);
	if (!ret) {
		if (img->man.job_id != j.job || img->man.seq != j.seq) {
			ret = -EINVAL;
			ckpt_err_set(&e, ret, "the image sent as job %u checkpoint %llu is job %u checkpoint %llu",
				      j.job, (unsigned long long)j.seq, img->man.job_id,
				      (unsigned long long)img->man.seq);
		} else {
			/* its parents here were verified when they came */
			ret = ckptd_image_verify_top(img, &e);
		}
		ckptd_image_close(img);
	}
	if (ret) {
		ckpt_peer_recv_abort(s);
		return refuse(c, ret, "the image received from %s fails verification, discarded: %s",
			      c->peer, e.msg);
	}
	ckptd_image_path(final, sizeof(final), s->store, j.job, j.seq);
	ckptd_image_remove_dir(final);	/* only an uncommitted one can be there */
	snprintf(jobdir, sizeof(jobdir), "%s/%u", s->store, j.job);
	if (rename(s->staging, final) || ckptd_fsync_dir(jobdir, &e)) {
		ret = -errno;
		ckpt_peer_recv_abort(s);
		return refuse(c, ret, "cannot commit %s: %s", final, strerror(-ret));
	}
	s->staging[0] = 0;
	s->nr_files = 0;
	return ckpt_peer_send(c, CKPT_PEER_OK, NULL, 0);
}

int ckpt_peer_cleanup_staging(const char *store, unsigned int *removed)
{
	DIR *d = opendir(store), *jd;
	struct dirent *de, *je;
	char path[4400];
	int ret = 0;

	*removed = 0;
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", store, de->d_name);
		jd = opendir(path);
		if (!jd)
			continue;
		while ((je = readdir(jd))) {
			char sub[4700];

			if (strncmp(je->d_name, CKPT_PEER_STAGING_PREFIX,
				    strlen(CKPT_PEER_STAGING_PREFIX)))
				continue;
			snprintf(sub, sizeof(sub), "%s/%s", path, je->d_name);
			if (ckptd_image_remove_dir(sub))
				ret = -EIO;
			else
				(*removed)++;
		}
		closedir(jd);
	}
	closedir(d);
	return ret;
}
