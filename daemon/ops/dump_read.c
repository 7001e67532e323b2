// SPDX-License-Identifier: GPL-2.0
/* Reading one dump session into memory (dump_read.h). */
#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/ckpt.h>

#include "loop.h"
#include "ctl/server.h"
#include "jobs/registry.h"
#include "ops/dump_read.h"
#include "store_list.h"

#define READ_CHUNK	(1U << 20)

/*
 * After read() of dump session @dump_fd failed with @errnum: the module's
 * own account (CKPT_IOC_DUMP_ERROR: process, range, cause), or
 * strerror(@errnum) from an older ckpt.ko.
 */
static void dump_error(int dump_fd, int errnum, char *buf, size_t size)
{
	struct ckpt_dump_error de;

	memset(&de, 0, sizeof(de));
	if (ioctl(dump_fd, CKPT_IOC_DUMP_ERROR, &de) || !de.msg[0]) {
		ckpt_fmt(buf, size, "%s", strerror(errnum));
		return;
	}
	de.msg[sizeof(de.msg) - 1] = 0;
	ckpt_fmt(buf, size, "%s", de.msg);
}

static int grow(struct ckptd_stream *s, uint32_t job_id, struct ckpt_err *err)
{
	size_t cap = s->cap ? 2 * s->cap : 4 * READ_CHUNK;
	uint8_t *b;

	if (s->cap - s->len >= READ_CHUNK)
		return 0;
	b = realloc(s->buf, cap);
	if (!b)
		return ckpt_err_set(err, ENOMEM, "job %u: out of memory for the dump's records (%zu bytes)",
				    job_id, cap);
	s->buf = b;
	s->cap = cap;
	return 0;
}

/* BEGIN, first in the stream: its numbers moved by the seq base. */
static int take_begin(struct ckptd_stream *s, uint32_t job_id, const char *store,
		      uint64_t *seq_base, struct ckpt_err *err)
{
	struct ckpt_rec h;
	struct ckpt_rec_begin b;

	memcpy(&h, s->buf, sizeof(h));
	if (h.type != CKPT_REC_BEGIN || h.len < sizeof(h) + sizeof(b))
		return ckpt_err_set(err, EBADMSG, "job %u: the dump stream does not start with BEGIN",
				    job_id);
	memcpy(&b, s->buf + sizeof(h), sizeof(b));
	if (*seq_base == CKPTD_SEQ_BASE_UNKNOWN)
		*seq_base = ckptd_store_max_seq(store, job_id);
	b.dump_seq += *seq_base;
	if (b.parent_seq)
		b.parent_seq += *seq_base;
	memcpy(s->buf + sizeof(h), &b, sizeof(b));
	s->dump_seq = b.dump_seq;
	s->parent_seq = b.parent_seq;
	s->dirty_tracking = b.dirty_tracking;
	return 0;
}

/* END, last in the stream: the pages the dump carried. */
static void take_end(struct ckptd_stream *s)
{
	size_t off = 0;
	struct ckpt_rec h;

	while (off + sizeof(h) <= s->len) {
		memcpy(&h, s->buf + off, sizeof(h));
		if (h.len < sizeof(h) || h.len > s->len - off)
			return;
		if (h.type == CKPT_REC_END && h.len >= sizeof(h) + sizeof(struct ckpt_rec_end)) {
			struct ckpt_rec_end e;

			memcpy(&e, s->buf + off + sizeof(h), sizeof(e));
			s->nr_pages = e.nr_pages;
			return;
		}
		off += h.len;
	}
}

static void progress_bytes(struct ckptd_progress *p, int data_fd)
{
	struct stat st;

	if (p && data_fd >= 0 && !fstat(data_fd, &st))
		atomic_store(&p->bytes, (uint64_t)st.st_size);
}

int ckptd_stream_read(struct ckptd_stream *s, int dump_fd, uint32_t job_id,
		      const char *store, uint64_t *seq_base,
		      int (*check)(const struct ckptd_stream *s, void *arg), void *arg,
		      int data_fd, struct ckptd_progress *progress, struct ckpt_err *err)
{
	int begun = 0, ret;
	ssize_t n;

	memset(s, 0, sizeof(*s));
	for (;;) {
		ret = grow(s, job_id, err);
		if (ret)
			return ret;
		n = read(dump_fd, s->buf + s->len, s->cap - s->len);
		if (n == 0)
			break;
		if (n < 0) {
			int errnum = errno;
			char msg[200];

			if (errnum == EINTR)
				continue;
			dump_error(dump_fd, errnum, msg, sizeof(msg));
			return ckpt_err_set(err, errnum, "job %u: the dump failed at byte %zu of its stream: %s (%s)%s",
					    job_id, s->len, strerror(errnum), msg,
					    errnum == ESTALE ? " (the job was frozen or thawed meanwhile)" : "");
		}
		s->len += n;
		progress_bytes(progress, data_fd);
		if (!begun && s->len >= sizeof(struct ckpt_rec) + sizeof(struct ckpt_rec_begin)) {
			begun = 1;
			ret = take_begin(s, job_id, store, seq_base, err);
			if (!ret && check)
				ret = check(s, arg);
			if (ret)
				return ret;
		}
	}
	if (!begun)
		return ckpt_err_set(err, EBADMSG, "job %u: the dump stream ended before its BEGIN record",
				    job_id);
	take_end(s);
	return 0;
}

void ckptd_stream_free(struct ckptd_stream *s)
{
	free(s->buf);
	memset(s, 0, sizeof(*s));
}
