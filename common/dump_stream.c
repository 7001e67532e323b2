// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "dump_stream.h"
#include "files_format.h"

void ckpt_stream_init(struct ckpt_stream *s, const void *buf, size_t len)
{
	memset(s, 0, sizeof(*s));
	s->buf = buf;
	s->len = len;
}

void ckpt_stream_window(struct ckpt_stream *s, const void *buf, size_t len,
			uint64_t base)
{
	s->buf = buf;
	s->len = len;
	s->off = 0;
	s->base = base;
}

const char *ckpt_rec_name(uint32_t type)
{
	static const char *const names[] = {
		[CKPT_REC_BEGIN] = "BEGIN", [CKPT_REC_TASK] = "TASK",
		[CKPT_REC_SIGACTIONS] = "SIGACTIONS", [CKPT_REC_MM] = "MM",
		[CKPT_REC_VMA] = "VMA", [CKPT_REC_THREAD] = "THREAD",
		[CKPT_REC_PAGES] = "PAGES", [CKPT_REC_END] = "END",
		[CKPT_REC_REGION] = "REGION", [CKPT_REC_PAGES_SAME] = "PAGES_SAME",
		[CKPT_REC_PAGES_FILE] = "PAGES_FILE",
	};

	static const char *const user_names[] = {
		[CKPT_REC_FS - CKPT_REC_USER_BASE] = "FS",
		[CKPT_REC_FD - CKPT_REC_USER_BASE] = "FD",
		[CKPT_REC_FILE_DATA - CKPT_REC_USER_BASE] = "FILE_DATA",
		[CKPT_REC_EPOLL_TFD - CKPT_REC_USER_BASE] = "EPOLL_TFD",
	};
	uint32_t u = type - CKPT_REC_USER_BASE;

	if (type < sizeof(names) / sizeof(names[0]) && names[type])
		return names[type];
	if (type >= CKPT_REC_USER_BASE &&
	    u < sizeof(user_names) / sizeof(user_names[0]) && user_names[u])
		return user_names[u];
	return "unknown";
}

/* A NUL-terminated string of len bytes (len >= 1) at p. */
static int is_cstr(const char *p, size_t len)
{
	return len && p[len - 1] == '\0';
}

static int bad(struct ckpt_stream *s, const char *what)
{
	snprintf(s->error, sizeof(s->error), "malformed %s at offset %llu",
		 what, (unsigned long long)(s->base + s->off));
	return -EBADMSG;
}

/* Minimum body size of a known record, and its own length checks. */
static int check_body(struct ckpt_stream *s, const struct ckpt_rec *h,
		      size_t n)
{
	const void *b = h + 1;
	size_t want;

	switch (h->type) {
	case CKPT_REC_BEGIN: {
		const struct ckpt_rec_begin *r = b;

		if (n < sizeof(*r) || r->magic != CKPT_STREAM_MAGIC)
			return bad(s, "BEGIN record (not a ckpt dump stream?)");
		if (r->version > CKPT_STREAM_VERSION) {
			snprintf(s->error, sizeof(s->error),
				 "stream version %u is newer than this program's %u; upgrade ckpt",
				 r->version, CKPT_STREAM_VERSION);
			return -EPROTONOSUPPORT;
		}
		if (!r->page_size || (r->page_size & (r->page_size - 1)))
			return bad(s, "BEGIN record (page size)");
		s->page_size = r->page_size;
		return 0;
	}
	case CKPT_REC_TASK:
		return n < sizeof(struct ckpt_rec_task) ? bad(s, "TASK record") : 0;
	case CKPT_REC_SIGACTIONS: {
		const struct ckpt_rec_sigactions *r = b;

		if (n < sizeof(*r) || r->nr > 64 ||
		    n < sizeof(*r) + r->nr * sizeof(r->act[0]))
			return bad(s, "SIGACTIONS record");
		return 0;
	}
	case CKPT_REC_MM:
		return n < sizeof(struct ckpt_rec_mm) ? bad(s, "MM record") : 0;
	case CKPT_REC_VMA: {
		const struct ckpt_rec_vma *r = b;

		if (n < sizeof(*r) || n < sizeof(*r) + r->path_len ||
		    (r->path_len && r->path[r->path_len - 1] != '\0') ||
		    r->end <= r->start)
			return bad(s, "VMA record");
		return 0;
	}
	case CKPT_REC_THREAD: {
		const struct ckpt_rec_thread *r = b;

		if (n < sizeof(*r))
			return bad(s, "THREAD record");
		want = sizeof(*r) + (((size_t)r->regs_len + 7) & ~7UL) +
		       (((size_t)r->fpregs_len + 7) & ~7UL) +
		       (((size_t)r->xstate_len + 7) & ~7UL) +
		       (((size_t)r->tls_len + 7) & ~7UL);
		return n < want ? bad(s, "THREAD record (register lengths)") : 0;
	}
	case CKPT_REC_PAGES: {
		const struct ckpt_rec_pages *r = b;

		if (!s->page_size)
			return bad(s, "stream (PAGES before BEGIN)");
		if (n < sizeof(*r) || !r->nr_pages ||
		    r->nr_pages > CKPT_PAGES_MAX_RUN ||
		    n < sizeof(*r) + (size_t)r->nr_pages * s->page_size ||
		    r->start % s->page_size)
			return bad(s, "PAGES record");
		return 0;
	}
	case CKPT_REC_PAGES_SAME: {
		const struct ckpt_rec_pages_same *r = b;

		if (!s->page_size)
			return bad(s, "stream (PAGES_SAME before BEGIN)");
		if (n < sizeof(*r) || !r->nr_pages || r->start % s->page_size)
			return bad(s, "PAGES_SAME record");
		return 0;
	}
	case CKPT_REC_PAGES_FILE: {
		const struct ckpt_rec_pages_file *r = b;

		if (!s->page_size)
			return bad(s, "stream (PAGES_FILE before BEGIN)");
		if (n < sizeof(*r) || !r->nr_pages ||
		    (n - sizeof(*r)) / sizeof(r->hash[0]) < r->nr_pages ||
		    r->start % s->page_size || r->offset % s->page_size)
			return bad(s, "PAGES_FILE record");
		return 0;
	}
	case CKPT_REC_REGION: {
		const struct ckpt_rec_region *r = b;

		if (n < sizeof(*r) || r->end <= r->start)
			return bad(s, "REGION record");
		return 0;
	}
	case CKPT_REC_END:
		/* nr_pages_unread came later: older modules end before it */
		return n < offsetof(struct ckpt_rec_end, nr_pages_unread) ?
		       bad(s, "END record") : 0;
	case CKPT_REC_FS: {
		const struct ckpt_rec_fs *r = b;

		if (n < sizeof(*r) ||
		    n - sizeof(*r) < (size_t)r->cwd_len + r->root_len ||
		    !is_cstr(r->paths, r->cwd_len) ||
		    !is_cstr(r->paths + r->cwd_len, r->root_len))
			return bad(s, "FS record (path lengths)");
		return 0;
	}
	case CKPT_REC_FD: {
		const struct ckpt_rec_fd *r = b;

		if (n < sizeof(*r) || n - sizeof(*r) < r->path_len ||
		    (r->path_len && !is_cstr(r->path, r->path_len)))
			return bad(s, "FD record (path length)");
		return 0;
	}
	case CKPT_REC_FILE_DATA: {
		const struct ckpt_rec_file_data *r = b;

		if (n < sizeof(*r) || r->len > CKPT_FILE_DATA_MAX ||
		    n - sizeof(*r) < r->len)
			return bad(s, "FILE_DATA record (data length)");
		return 0;
	}
	case CKPT_REC_EPOLL_TFD:
		return n < sizeof(struct ckpt_rec_epoll_tfd) ?
		       bad(s, "EPOLL_TFD record") : 0;
	default:
		return 0;
	}
}

int ckpt_stream_next(struct ckpt_stream *s, const struct ckpt_rec **rec,
		     size_t *body_len)
{
	const struct ckpt_rec *h;
	size_t left = s->len - s->off;
	char what[96];
	int err;

	if (!left)
		return 0;
	if (left < sizeof(*h))
		return bad(s, "record header (truncated stream)");
	h = (const struct ckpt_rec *)(s->buf + s->off);
	if (h->len < sizeof(*h) || h->len % 8 || h->len > left) {
		snprintf(what, sizeof(what),
			 "%s record (type %u, length %u; %zu bytes left)",
			 ckpt_rec_name(h->type), h->type, h->len, left);
		return bad(s, what);
	}
	/* BEGIN sets page_size: nothing before it has */
	if (!s->page_size && h->type != CKPT_REC_BEGIN) {
		snprintf(what, sizeof(what),
			 "stream (starts with %s record type %u, not BEGIN)",
			 ckpt_rec_name(h->type), h->type);
		return bad(s, what);
	}
	err = check_body(s, h, h->len - sizeof(*h));
	if (err)
		return err;
	*rec = h;
	*body_len = h->len - sizeof(*h);
	s->off += h->len;
	return 1;
}
