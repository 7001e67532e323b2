// SPDX-License-Identifier: GPL-2.0
/* One dump of a job into the store, for migrate (ops/dump.h). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/ckpt.h>

#include "jobs/auth.h"
#include "ops/checkpoint.h"
#include "log.h"
#include "loop.h"
#include "ctl/server.h"
#include "image.h"
#include "ops/dump.h"
#include "jobs/registry.h"
#include "store_list.h"
#include "jobs/store_owner.h"

#define COPY_BUF	(1U << 20)

/* The whole stream into @memfd, BEGIN's numbers moved by the seq base. */
static int copy_stream(struct ckptd_mig_dump *m, int dump_fd, int memfd,
		       char *why, size_t size)
{
	struct { struct ckpt_rec h; struct ckpt_rec_begin b; } begin;
	uint8_t *buf = malloc(COPY_BUF);
	uint64_t total = 0;
	ssize_t n;

	if (!buf) {
		snprintf(why, size, "job %u: out of memory for the dump", m->job_id);
		return -ENOMEM;
	}
	while ((n = read(dump_fd, buf, COPY_BUF)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || write(memfd, buf, n) != n) {
			int err = errno;
			char msg[200];

			if (n < 0)
				ckptd_dump_error(dump_fd, err, msg, sizeof(msg));
			else
				snprintf(msg, sizeof(msg), "%s", strerror(err));
			snprintf(why, size, "job %u: %s the dump stream at %llu: %s%s; nothing was stored",
				 m->job_id, n < 0 ? "reading" : "buffering", (unsigned long long)total,
				 msg, err == ESTALE ? " (the job was frozen or thawed meanwhile)" : "");
			free(buf);
			return -err;
		}
		total += n;
		if (m->progress)
			atomic_store(&m->progress->bytes, total);
	}
	free(buf);
	if (pread(memfd, &begin, sizeof(begin), 0) != sizeof(begin) ||
	    begin.h.type != CKPT_REC_BEGIN || begin.h.len < sizeof(begin)) {
		snprintf(why, size, "job %u: the dump stream does not start with BEGIN", m->job_id);
		return -EBADMSG;
	}
	if (*m->seq_base == CKPTD_SEQ_BASE_UNKNOWN)
		*m->seq_base = ckptd_store_max_seq(m->store, m->job_id);
	begin.b.dump_seq += *m->seq_base;
	if (begin.b.parent_seq)
		begin.b.parent_seq += *m->seq_base;
	if (pwrite(memfd, &begin, sizeof(begin), 0) != sizeof(begin)) {
		snprintf(why, size, "job %u: dump buffer: %s", m->job_id, strerror(errno));
		return -errno;
	}
	m->seq = begin.b.dump_seq;
	return 0;
}

static int store_image(struct ckptd_mig_dump *m, int memfd, const uint8_t *extra,
		       size_t extra_len, char *why, size_t size)
{
	struct ckptd_image_write_opts o = { .extra_records = extra, .extra_len = extra_len };
	struct ckptd_image_write_stats st;
	struct ckpt_err err = { 0 };
	struct ckptd_image *img;
	char dir[PATH_MAX + 64];
	int ret;

	ret = ckptd_store_job_dir(m->store, m->job_id, m->uid, m->gid, &err);
	if (ret) {
		ckpt_fmt(why, size, "%s", err.msg);
		return ret;
	}
	if (ckptd_image_path(dir, sizeof(dir), m->store, m->job_id, m->seq)) {
		snprintf(why, size, "image store path %s is too long", m->store);
		return -ENAMETOOLONG;
	}
	if (lseek(memfd, 0, SEEK_SET)) {
		snprintf(why, size, "dump buffer: %s", strerror(errno));
		return -errno;
	}
	ret = ckptd_image_write(dir, memfd, &o, &st, &err);
	if (!ret)
		ret = ckptd_image_open(dir, &img, &err);
	if (ret) {
		snprintf(why, size, "writing image %s of job %u failed: %s", dir, m->job_id, err.msg);
		return ret;
	}
	m->bytes = st.bytes;
	m->nr_pages = img->man.nr_pages;
	ckptd_image_close(img);
	/* committed: now its owner's to read, and nobody else's */
	if (ckptd_store_give(m->store, m->job_id, m->seq, m->uid, &err))
		pr_warn("job %u: %s; only root can read the image", m->job_id, err.msg);
	return 0;
}

int ckptd_mig_dump(void *ops_ctx, struct ckptd_mig_dump *m, char *why, size_t size)
{
	struct ckpt_dump_args args = { .job_id = m->job_id, .flags = m->flags };
	struct ckpt_err ae;
	uint8_t *extra = NULL;
	size_t extra_len = 0;
	int dump_fd, memfd = -1, ret;

	if (m->progress) {
		atomic_store(&m->progress->total, 0);
		atomic_store(&m->progress->bytes, 0);
	}
	/*
	 * The members, as the user who asked: a frozen job's are the parked
	 * set of its freeze; a running job's (pre-dump) are checked again
	 * after its stream was read, for those that joined meanwhile.
	 */
	ret = m->frozen ? ckptd_auth_pids(m->cred, m->job_id, m->frozen->task_pids,
					  m->frozen->nr_task_pids, &ae) :
			  ckptd_auth_job(ckptd_ops_nl(ops_ctx), m->cred, m->job_id, &ae);
	if (ret) {
		ckpt_fmt(why, size, "%s", ae.msg);
		return ret;
	}
	dump_fd = ioctl(ckptd_ops_dev(ops_ctx), CKPT_IOC_DUMP, &args);
	if (dump_fd < 0) {
		ret = -errno;
		snprintf(why, size, "job %u: ckpt.ko refused the dump: %s", m->job_id, strerror(errno));
		return ret;
	}
	memfd = memfd_create("ckptd-migrate", MFD_CLOEXEC);
	if (memfd < 0) {
		ret = -errno;
		snprintf(why, size, "job %u: memfd_create: %s", m->job_id, strerror(errno));
		goto out;
	}
	ret = copy_stream(m, dump_fd, memfd, why, size);
	if (!ret && !m->frozen) {
		ret = ckptd_auth_job(ckptd_ops_nl(ops_ctx), m->cred, m->job_id, &ae);
		if (ret)
			ckpt_fmt(why, size, "%s", ae.msg);
	}
	if (!ret && m->frozen)
		ret = ckptd_capture_job(m->frozen, m->unsupported, &extra, &extra_len, why, size);
	if (!ret)
		ret = store_image(m, memfd, extra, extra_len, why, size);
	/* committed, it is the parent of the next incremental dump */
	if (!ret && ioctl(dump_fd, CKPT_IOC_DUMP_COMMIT)) {
		ret = -errno;
		snprintf(why, size, "job %u: image %llu stored, but ckpt.ko refused its commit: %s",
			 m->job_id, (unsigned long long)m->seq, strerror(errno));
	}
out:
	free(extra);
	if (memfd >= 0)
		close(memfd);
	close(dump_fd);
	return ret;
}
