// SPDX-License-Identifier: GPL-2.0
/*
 * common/dump_stream.c: a well-formed stream parses record by record,
 * unknown record types are handed to the caller, and every malformed input
 * is refused with -EBADMSG (-EPROTONOSUPPORT for a newer version) and a
 * message naming the record and its offset, without reading outside it.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dump_stream.h"
#include "files_format.h"
#include "kselftest_harness.h"

#define PAGE	4096u
#define BUF_MAX	(4u << 20)

/* A stream being built; records start 8-aligned as the module makes them. */
struct sb {
	uint8_t *buf;		/* malloc'd, so 16-byte aligned */
	size_t len;
};

static void sb_init(struct sb *b)
{
	b->buf = calloc(1, BUF_MAX);
	b->len = 0;
}

static void sb_free(struct sb *b)
{
	free(b->buf);
}

/* Append a record with @body_len bytes of @body (NULL: zeroes); returns
 * its offset.  The header says len = header + body rounded up to 8. */
static size_t sb_add(struct sb *b, uint32_t type, const void *body,
		     size_t body_len)
{
	struct ckpt_rec *h = (struct ckpt_rec *)(b->buf + b->len);
	size_t off = b->len;
	size_t len = (sizeof(*h) + body_len + 7) & ~(size_t)7;

	if (b->len + len > BUF_MAX)
		abort();
	h->type = type;
	h->len = len;
	if (body)
		memcpy(h + 1, body, body_len);
	b->len += len;
	return off;
}

/* The record header at @off, to corrupt it. */
static struct ckpt_rec *sb_rec(struct sb *b, size_t off)
{
	return (struct ckpt_rec *)(b->buf + off);
}

static void *sb_body(struct sb *b, size_t off)
{
	return sb_rec(b, off) + 1;
}

static size_t add_begin(struct sb *b)
{
	struct ckpt_rec_begin r = {
		.magic = CKPT_STREAM_MAGIC,
		.version = CKPT_STREAM_VERSION,
		.job_id = 42,
		.page_size = PAGE,
		.nr_tasks = 1,
		.time_ns = 1700000000000000000ULL,
		.kernel_release = "6.1.0-test",
	};

	return sb_add(b, CKPT_REC_BEGIN, &r, sizeof(r));
}

static size_t add_task(struct sb *b)
{
	struct ckpt_rec_task r = { .pid = 100, .ppid = 1, .nr_threads = 1,
				   .comm = "worker" };

	return sb_add(b, CKPT_REC_TASK, &r, sizeof(r));
}

static size_t add_sigactions(struct sb *b, uint32_t nr, uint32_t room)
{
	size_t len = sizeof(struct ckpt_rec_sigactions) +
		     room * sizeof(struct ckpt_sigaction);
	struct ckpt_rec_sigactions *r = calloc(1, len);
	size_t off;

	r->pid = 100;
	r->nr = nr;
	if (room)
		r->act[room - 1].handler = 0x401000;
	off = sb_add(b, CKPT_REC_SIGACTIONS, r, len);
	free(r);
	return off;
}

/* A THREAD record with the given register set lengths and @room bytes of
 * register data after the fixed part. */
static size_t add_thread(struct sb *b, uint32_t regs, uint32_t fp,
			 uint32_t xs, uint32_t tls, size_t room)
{
	size_t len = sizeof(struct ckpt_rec_thread) + room;
	struct ckpt_rec_thread *r = calloc(1, len);
	size_t off;

	r->pid = 100;
	r->tid = 100;
	r->regs_len = regs;
	r->fpregs_len = fp;
	r->xstate_len = xs;
	r->tls_len = tls;
	memset(r->data, 0xab, room);
	off = sb_add(b, CKPT_REC_THREAD, r, len);
	free(r);
	return off;
}

static size_t add_mm(struct sb *b)
{
	struct ckpt_rec_mm r = { .pid = 100, .nr_vmas = 2,
				 .exe_path = "/usr/bin/worker" };

	return sb_add(b, CKPT_REC_MM, &r, sizeof(r));
}

/* A VMA record with @path_len bytes of @path (no NUL added) and @room
 * bytes of room for it in the body. */
static size_t add_vma(struct sb *b, uint64_t start, uint64_t end,
		      const char *path, uint32_t path_len, size_t room)
{
	size_t len = sizeof(struct ckpt_rec_vma) + room;
	struct ckpt_rec_vma *r = calloc(1, len);
	size_t off;

	r->pid = 100;
	r->tag = CKPT_TAG_UPPER;
	r->start = start;
	r->end = end;
	r->flags = CKPT_VMA_READ | CKPT_VMA_WRITE | CKPT_VMA_ANON;
	r->path_len = path_len;
	if (path)
		memcpy(r->path, path, path_len < room ? path_len : room);
	off = sb_add(b, CKPT_REC_VMA, r, len);
	free(r);
	return off;
}

/* A PAGES record claiming @nr pages at @start with @data_bytes of data;
 * page i is filled with the byte i + 1. */
static size_t add_pages(struct sb *b, uint64_t start, uint32_t nr,
			size_t data_bytes)
{
	size_t len = sizeof(struct ckpt_rec_pages) + data_bytes;
	struct ckpt_rec_pages *r = calloc(1, len);
	size_t off, i;

	r->pid = 100;
	r->nr_pages = nr;
	r->start = start;
	for (i = 0; i < data_bytes; i++)
		r->data[i] = i / PAGE + 1;
	off = sb_add(b, CKPT_REC_PAGES, r, len);
	free(r);
	return off;
}

static size_t add_end(struct sb *b)
{
	struct ckpt_rec_end r = { .nr_tasks = 1, .nr_threads = 1,
				  .nr_vmas = 2, .nr_pages = 2 };

	return sb_add(b, CKPT_REC_END, &r, sizeof(r));
}

/*
 * Parse @b to the end or the first error; returns what the last
 * ckpt_stream_next() returned, *@nrec the records accepted before, and the
 * stream for its error message and offset.
 */
static int parse_all(struct sb *b, struct ckpt_stream *s, int *nrec)
{
	const struct ckpt_rec *rec;
	size_t body;
	int ret;

	*nrec = 0;
	ckpt_stream_init(s, b->buf, b->len);
	while ((ret = ckpt_stream_next(s, &rec, &body)) == 1)
		(*nrec)++;
	return ret;
}

/* s->error names @what and says "offset @off". */
static int names(const struct ckpt_stream *s, const char *what, size_t off)
{
	char at[48];

	snprintf(at, sizeof(at), "offset %zu", off);
	return strstr(s->error, what) && strstr(s->error, at);
}

/* The stream is refused with -EBADMSG at record @off, after @good records,
 * with a message naming @what and the offset. */
#define EXPECT_BAD(b, good, what, off) do {				\
	struct ckpt_stream s_;						\
	int n_;								\
	EXPECT_EQ(-EBADMSG, parse_all(b, &s_, &n_));			\
	EXPECT_EQ(good, n_);						\
	EXPECT_TRUE(names(&s_, what, off))				\
		TH_LOG("message \"%s\" should name %s at offset %zu",	\
		       s_.error, what, (size_t)(off));			\
} while (0)

FIXTURE(stream) {
	struct sb b;
};

FIXTURE_SETUP(stream)
{
	sb_init(&self->b);
	ASSERT_NE(NULL, self->b.buf);
}

FIXTURE_TEARDOWN(stream)
{
	sb_free(&self->b);
}

TEST_F(stream, well_formed_parses_in_order)
{
	static const uint32_t want[] = {
		CKPT_REC_BEGIN, CKPT_REC_TASK, CKPT_REC_SIGACTIONS,
		CKPT_REC_THREAD, CKPT_REC_MM, CKPT_REC_VMA, CKPT_REC_VMA,
		CKPT_REC_PAGES, CKPT_REC_END,
	};
	size_t offs[sizeof(want) / sizeof(want[0])];
	struct sb *b = &self->b;
	const struct ckpt_rec *rec;
	struct ckpt_stream s;
	size_t body, i = 0;
	int ret;

	offs[0] = add_begin(b);
	offs[1] = add_task(b);
	offs[2] = add_sigactions(b, 64, 64);
	offs[3] = add_thread(b, 216, 512, 0, 16, 216 + 512 + 16);
	offs[4] = add_mm(b);
	offs[5] = add_vma(b, 0x400000, 0x401000, "/usr/bin/worker", 16, 16);
	offs[6] = add_vma(b, 0x7fff0000, 0x7fff2000, "[vdso]", 7, 7);
	offs[7] = add_pages(b, 0x7fff0000, 2, 2 * PAGE);
	offs[8] = add_end(b);

	ckpt_stream_init(&s, b->buf, b->len);
	while ((ret = ckpt_stream_next(&s, &rec, &body)) == 1) {
		ASSERT_LT(i, sizeof(want) / sizeof(want[0]));
		EXPECT_EQ(want[i], rec->type);
		EXPECT_EQ(b->buf + offs[i], (const uint8_t *)rec);
		EXPECT_EQ(rec->len - sizeof(*rec), body);
		i++;
	}
	EXPECT_EQ(0, ret) TH_LOG("%s", s.error);
	EXPECT_EQ(sizeof(want) / sizeof(want[0]), i);
	EXPECT_EQ(PAGE, s.page_size);
	EXPECT_EQ(b->len, s.off);
	EXPECT_STREQ("PAGES", ckpt_rec_name(CKPT_REC_PAGES));
	EXPECT_STREQ("END", ckpt_rec_name(CKPT_REC_END));

	/* the bodies are the ones written */
	{
		const struct ckpt_rec_pages *p = sb_body(b, offs[7]);
		const struct ckpt_rec_vma *v = sb_body(b, offs[6]);

		EXPECT_EQ(1, p->data[0]);
		EXPECT_EQ(2, p->data[2 * PAGE - 1]);
		EXPECT_STREQ("[vdso]", v->path);
	}
}

TEST_F(stream, empty_path_and_empty_thread_are_fine)
{
	add_begin(&self->b);
	add_vma(&self->b, 0x1000, 0x2000, NULL, 0, 0);
	add_thread(&self->b, 0, 0, 0, 0, 0);
	add_end(&self->b);
	{
		struct ckpt_stream s;
		int n;

		EXPECT_EQ(0, parse_all(&self->b, &s, &n)) TH_LOG("%s", s.error);
		EXPECT_EQ(4, n);
	}
}

TEST_F(stream, unknown_types_are_returned)
{
	struct sb *b = &self->b;
	static const uint8_t blob[20] = { 1, 2, 3 };
	const struct ckpt_rec *rec;
	struct ckpt_stream s;
	size_t body, off_unknown, off_empty;

	add_begin(b);
	off_unknown = sb_add(b, 0x7777, blob, sizeof(blob));
	off_empty = sb_add(b, 0, NULL, 0);
	add_end(b);

	ckpt_stream_init(&s, b->buf, b->len);
	ASSERT_EQ(1, ckpt_stream_next(&s, &rec, &body));
	ASSERT_EQ(1, ckpt_stream_next(&s, &rec, &body)) TH_LOG("%s", s.error);
	EXPECT_EQ(0x7777, rec->type);
	EXPECT_EQ(b->buf + off_unknown, (const uint8_t *)rec);
	EXPECT_EQ(24, body);	/* 20 rounded up to 8 */
	EXPECT_EQ(0, memcmp(rec + 1, blob, sizeof(blob)));
	EXPECT_STREQ("unknown", ckpt_rec_name(rec->type));
	ASSERT_EQ(1, ckpt_stream_next(&s, &rec, &body)) TH_LOG("%s", s.error);
	EXPECT_EQ(0, rec->type);
	EXPECT_EQ(b->buf + off_empty, (const uint8_t *)rec);
	EXPECT_EQ(0, body);
	ASSERT_EQ(1, ckpt_stream_next(&s, &rec, &body));
	EXPECT_EQ(CKPT_REC_END, rec->type);
	EXPECT_EQ(0, ckpt_stream_next(&s, &rec, &body));
}

TEST_F(stream, truncated_header)
{
	size_t off;

	add_begin(&self->b);
	off = self->b.len;
	self->b.len += 4;		/* half a header */
	EXPECT_BAD(&self->b, 1, "header", off);
}

TEST_F(stream, len_below_header)
{
	size_t off;

	add_begin(&self->b);
	off = add_task(&self->b);
	sb_rec(&self->b, off)->len = 4;
	EXPECT_BAD(&self->b, 1, "TASK", off);
	sb_rec(&self->b, off)->len = 0;
	EXPECT_BAD(&self->b, 1, "TASK", off);
}

TEST_F(stream, len_not_multiple_of_8)
{
	size_t off;

	add_begin(&self->b);
	off = add_task(&self->b);
	add_end(&self->b);
	sb_rec(&self->b, off)->len -= 4;
	EXPECT_BAD(&self->b, 1, "TASK", off);
}

TEST_F(stream, len_beyond_buffer)
{
	size_t off;

	add_begin(&self->b);
	off = add_pages(&self->b, 0x10000, 1, PAGE);
	sb_rec(&self->b, off)->len += 8;
	EXPECT_BAD(&self->b, 1, "PAGES", off);
	/* and a length that would wrap a 32-bit sum */
	sb_rec(&self->b, off)->len = 0xfffffff8;
	EXPECT_BAD(&self->b, 1, "PAGES", off);
	/* the right length, but the stream cut short inside the record */
	sb_rec(&self->b, off)->len = 8 + sizeof(struct ckpt_rec_pages) + PAGE;
	self->b.len -= 8;
	EXPECT_BAD(&self->b, 1, "PAGES", off);
}

TEST_F(stream, must_start_with_begin)
{
	add_task(&self->b);
	add_end(&self->b);
	EXPECT_BAD(&self->b, 0, "BEGIN", 0);
	EXPECT_BAD(&self->b, 0, "TASK", 0);
}

TEST_F(stream, bad_magic)
{
	struct ckpt_rec_begin *r;

	r = sb_body(&self->b, add_begin(&self->b));
	add_end(&self->b);
	r->magic ^= 1;
	EXPECT_BAD(&self->b, 0, "BEGIN", 0);
}

TEST_F(stream, begin_too_short)
{
	size_t off = sb_add(&self->b, CKPT_REC_BEGIN, NULL, 8);

	*(uint64_t *)sb_body(&self->b, off) = CKPT_STREAM_MAGIC;
	EXPECT_BAD(&self->b, 0, "BEGIN", 0);
}

TEST_F(stream, bad_page_size)
{
	struct ckpt_rec_begin *r;

	r = sb_body(&self->b, add_begin(&self->b));
	r->page_size = 0;
	EXPECT_BAD(&self->b, 0, "BEGIN", 0);
	r->page_size = 3 * 4096;
	EXPECT_BAD(&self->b, 0, "BEGIN", 0);
}

TEST_F(stream, newer_version_refused)
{
	struct ckpt_rec_begin *r;
	struct ckpt_stream s;
	char want[16];
	int n;

	r = sb_body(&self->b, add_begin(&self->b));
	add_end(&self->b);
	r->version = CKPT_STREAM_VERSION + 1;
	EXPECT_EQ(-EPROTONOSUPPORT, parse_all(&self->b, &s, &n));
	EXPECT_EQ(0, n);
	/* says which version it got and that an upgrade helps */
	snprintf(want, sizeof(want), "%u", CKPT_STREAM_VERSION + 1);
	EXPECT_NE(NULL, strstr(s.error, want)) TH_LOG("%s", s.error);
	EXPECT_NE(NULL, strstr(s.error, "upgrade")) TH_LOG("%s", s.error);
}

TEST_F(stream, pages_before_begin)
{
	add_pages(&self->b, 0x10000, 1, PAGE);
	add_begin(&self->b);
	EXPECT_BAD(&self->b, 0, "PAGES", 0);
}

TEST_F(stream, pages_zero)
{
	size_t off;

	add_begin(&self->b);
	off = add_pages(&self->b, 0x10000, 0, 0);
	EXPECT_BAD(&self->b, 1, "PAGES", off);
}

TEST_F(stream, pages_over_max_run)
{
	size_t off;

	add_begin(&self->b);
	/* with all the data there: the count alone is wrong */
	off = add_pages(&self->b, 0x10000, CKPT_PAGES_MAX_RUN + 1,
			(CKPT_PAGES_MAX_RUN + 1) * (size_t)PAGE);
	EXPECT_BAD(&self->b, 1, "PAGES", off);
}

TEST_F(stream, pages_max_run_is_fine)
{
	struct ckpt_stream s;
	int n;

	add_begin(&self->b);
	add_pages(&self->b, 0x10000, CKPT_PAGES_MAX_RUN,
		  CKPT_PAGES_MAX_RUN * (size_t)PAGE);
	EXPECT_EQ(0, parse_all(&self->b, &s, &n)) TH_LOG("%s", s.error);
	EXPECT_EQ(2, n);
}

TEST_F(stream, pages_data_short)
{
	size_t off;

	add_begin(&self->b);
	off = add_pages(&self->b, 0x10000, 2, 2 * PAGE - 8);
	EXPECT_BAD(&self->b, 1, "PAGES", off);
	/* a huge count must not wrap the size computation */
	((struct ckpt_rec_pages *)sb_body(&self->b, off))->nr_pages = 0xffffffff;
	EXPECT_BAD(&self->b, 1, "PAGES", off);
}

TEST_F(stream, pages_unaligned_start)
{
	size_t off;

	add_begin(&self->b);
	off = add_pages(&self->b, 0x10000 + 8, 1, PAGE);
	EXPECT_BAD(&self->b, 1, "PAGES", off);
	((struct ckpt_rec_pages *)sb_body(&self->b, off))->start = 0x10000 + PAGE / 2;
	EXPECT_BAD(&self->b, 1, "PAGES", off);
}

TEST_F(stream, pages_header_short)
{
	size_t off;

	add_begin(&self->b);
	off = sb_add(&self->b, CKPT_REC_PAGES, NULL, 8);
	EXPECT_BAD(&self->b, 1, "PAGES", off);
}

TEST_F(stream, vma_path_beyond_body)
{
	size_t off;

	add_begin(&self->b);
	/* "/bin/x" and its NUL, 7 bytes, in 8 bytes of room: claims 9 */
	off = add_vma(&self->b, 0x1000, 0x2000, "/bin/x", 7, 8);
	((struct ckpt_rec_vma *)sb_body(&self->b, off))->path_len = 9;
	EXPECT_BAD(&self->b, 1, "VMA", off);
	((struct ckpt_rec_vma *)sb_body(&self->b, off))->path_len = 0xffffffff;
	EXPECT_BAD(&self->b, 1, "VMA", off);
}

TEST_F(stream, vma_path_not_terminated)
{
	size_t off;

	add_begin(&self->b);
	off = add_vma(&self->b, 0x1000, 0x2000, "/bin/xyz", 8, 8);
	EXPECT_BAD(&self->b, 1, "VMA", off);
}

TEST_F(stream, vma_empty_range)
{
	size_t off;

	add_begin(&self->b);
	off = add_vma(&self->b, 0x2000, 0x2000, NULL, 0, 0);
	EXPECT_BAD(&self->b, 1, "VMA", off);
}

TEST_F(stream, thread_registers_beyond_body)
{
	size_t off;

	add_begin(&self->b);
	/* room for the general registers only */
	off = add_thread(&self->b, 216, 512, 0, 0, 216);
	EXPECT_BAD(&self->b, 1, "THREAD", off);
}

TEST_F(stream, thread_register_lengths_do_not_wrap)
{
	struct ckpt_rec_thread *r;
	size_t off;

	add_begin(&self->b);
	off = add_thread(&self->b, 216, 512, 0, 0, 216 + 512);
	r = sb_body(&self->b, off);
	r->xstate_len = 0xffffffff;
	r->tls_len = 0xffffffff;
	EXPECT_BAD(&self->b, 1, "THREAD", off);
	r->xstate_len = 0;
	r->tls_len = 0;
	r->regs_len = 0xfffffff9;	/* rounds up to 2^32 */
	EXPECT_BAD(&self->b, 1, "THREAD", off);
}

TEST_F(stream, sigactions_nr_too_large)
{
	size_t off;

	add_begin(&self->b);
	/* more signals than Linux has, with the entries all there */
	off = add_sigactions(&self->b, 65, 65);
	EXPECT_BAD(&self->b, 1, "SIGACTIONS", off);
}

TEST_F(stream, sigactions_beyond_body)
{
	size_t off;

	add_begin(&self->b);
	off = add_sigactions(&self->b, 64, 63);
	EXPECT_BAD(&self->b, 1, "SIGACTIONS", off);
}


/* The captured records: names, and a well-formed set parses. */
TEST_F(stream, captured_records_parse)
{
	static const uint32_t want[] = {
		CKPT_REC_FS, CKPT_REC_FD, CKPT_REC_FILE_DATA,
		CKPT_REC_EPOLL_TFD,
	};
	struct {
		struct ckpt_rec_fs r;
		char paths[8];
	} fs = { .r = { .pid = 100, .cwd_len = 5, .root_len = 2 },
		 .paths = "/tmp\0/" };
	struct {
		struct ckpt_rec_fd r;
		char path[16];
	} fd = { .r = { .pid = 100, .fd = 3, .type = CKPT_FD_REG,
			.ofd_id = 1, .path_len = 10 },
		 .path = "/etc/motd" };
	struct {
		struct ckpt_rec_file_data r;
		char data[5];
	} data = { .r = { .pid = 100, .obj_id = 1, .len = 5 },
		   .data = "hello" };
	struct ckpt_rec_epoll_tfd tfd = { .pid = 100, .epfd = 4, .tfd = 3 };
	const struct ckpt_rec *rec;
	struct ckpt_stream s;
	size_t body, i = 0;

	/* the layouts of the ABI, with explicit padding */
	EXPECT_EQ(48, sizeof(struct ckpt_rec_fs));
	EXPECT_EQ(112, sizeof(struct ckpt_rec_fd));
	EXPECT_EQ(32, sizeof(struct ckpt_rec_file_data));
	EXPECT_EQ(24, sizeof(struct ckpt_rec_epoll_tfd));

	add_begin(&self->b);
	sb_add(&self->b, CKPT_REC_FS, &fs, sizeof(fs));
	sb_add(&self->b, CKPT_REC_FD, &fd, sizeof(fd));
	sb_add(&self->b, CKPT_REC_FILE_DATA, &data, sizeof(data));
	sb_add(&self->b, CKPT_REC_EPOLL_TFD, &tfd, sizeof(tfd));
	add_end(&self->b);

	ckpt_stream_init(&s, self->b.buf, self->b.len);
	ASSERT_EQ(1, ckpt_stream_next(&s, &rec, &body));
	for (i = 0; i < 4; i++) {
		ASSERT_EQ(1, ckpt_stream_next(&s, &rec, &body)) TH_LOG("%s", s.error);
		EXPECT_EQ(want[i], rec->type);
	}
	EXPECT_STREQ("FS", ckpt_rec_name(CKPT_REC_FS));
	EXPECT_STREQ("FD", ckpt_rec_name(CKPT_REC_FD));
	EXPECT_STREQ("FILE_DATA", ckpt_rec_name(CKPT_REC_FILE_DATA));
	EXPECT_STREQ("EPOLL_TFD", ckpt_rec_name(CKPT_REC_EPOLL_TFD));
	EXPECT_STREQ("unknown", ckpt_rec_name(CKPT_REC_EPOLL_TFD + 1));
	EXPECT_STREQ("unknown", ckpt_rec_name(CKPT_REC_USER_BASE - 1));
}

/* A path that runs past the body or lacks its NUL is refused. */
TEST_F(stream, captured_paths_checked)
{
	struct {
		struct ckpt_rec_fd r;
		char path[8];
	} fd = { .r = { .pid = 100, .fd = 3, .type = CKPT_FD_REG,
			.ofd_id = 1 },
		 .path = "/a/b/c/d" };
	struct {
		struct ckpt_rec_fs r;
		char paths[8];
	} fs = { .r = { .pid = 100 }, .paths = "/tmp\0/" };
	size_t off;

	fd.r.path_len = 9;		/* past the 8 bytes of body left */
	add_begin(&self->b);
	off = sb_add(&self->b, CKPT_REC_FD, &fd, sizeof(fd));
	EXPECT_BAD(&self->b, 1, "FD record", off);

	fd.r.path_len = 8;		/* no NUL at the end */
	self->b.len = 0;
	add_begin(&self->b);
	off = sb_add(&self->b, CKPT_REC_FD, &fd, sizeof(fd));
	EXPECT_BAD(&self->b, 1, "FD record", off);

	fs.r.cwd_len = 5;		/* root path missing */
	fs.r.root_len = 0;
	self->b.len = 0;
	add_begin(&self->b);
	off = sb_add(&self->b, CKPT_REC_FS, &fs, sizeof(fs));
	EXPECT_BAD(&self->b, 1, "FS record", off);

	fs.r.cwd_len = 0xfffffffb;	/* lengths that wrap */
	fs.r.root_len = 7;
	self->b.len = 0;
	add_begin(&self->b);
	off = sb_add(&self->b, CKPT_REC_FS, &fs, sizeof(fs));
	EXPECT_BAD(&self->b, 1, "FS record", off);
}

/* FILE_DATA: length past the body, or past CKPT_FILE_DATA_MAX. */
TEST_F(stream, captured_data_length_checked)
{
	struct {
		struct ckpt_rec_file_data r;
		char data[8];
	} d = { .r = { .pid = 100, .obj_id = 1, .len = 9 } };
	struct ckpt_rec_file_data *r;
	size_t off;

	add_begin(&self->b);
	off = sb_add(&self->b, CKPT_REC_FILE_DATA, &d, sizeof(d));
	EXPECT_BAD(&self->b, 1, "FILE_DATA", off);
	self->b.len = 0;
	add_begin(&self->b);
	off = sb_add(&self->b, CKPT_REC_FILE_DATA, NULL,
		     sizeof(*r) + CKPT_FILE_DATA_MAX + 8);
	r = sb_body(&self->b, off);
	r->len = CKPT_FILE_DATA_MAX + 1;
	EXPECT_BAD(&self->b, 1, "FILE_DATA", off);
	r->len = CKPT_FILE_DATA_MAX;
	{
		struct ckpt_stream s;
		int n;

		EXPECT_EQ(0, parse_all(&self->b, &s, &n)) TH_LOG("%s", s.error);
		EXPECT_EQ(2, n);
	}
}

/* 8 bytes of body: less than each of these needs (SIGACTIONS has exactly
 * its 8-byte fixed part with nr = 0, which is fine). */
TEST_F(stream, fixed_records_too_short)
{
	static const uint32_t types[] = {
		CKPT_REC_TASK, CKPT_REC_MM, CKPT_REC_END, CKPT_REC_THREAD,
		CKPT_REC_VMA, CKPT_REC_FS, CKPT_REC_FD, CKPT_REC_FILE_DATA,
		CKPT_REC_EPOLL_TFD,
	};
	size_t i;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		size_t off;

		self->b.len = 0;
		add_begin(&self->b);
		off = sb_add(&self->b, types[i], NULL, 8);
		EXPECT_BAD(&self->b, 1, ckpt_rec_name(types[i]), off);
	}
}

/*
 * END grew nr_pages_unread at its end: an END of an older module, without
 * it, is still read; one shorter than that is refused.
 */
TEST_F(stream, end_of_older_module)
{
	struct ckpt_rec_end r = { .nr_tasks = 1, .nr_pages = 2 };
	size_t old = offsetof(struct ckpt_rec_end, nr_pages_unread);
	struct ckpt_stream s;
	size_t off;
	int n;

	add_begin(&self->b);
	sb_add(&self->b, CKPT_REC_END, &r, old);
	EXPECT_EQ(0, parse_all(&self->b, &s, &n)) TH_LOG("%s", s.error);
	EXPECT_EQ(2, n);

	self->b.len = 0;
	add_begin(&self->b);
	off = sb_add(&self->b, CKPT_REC_END, &r, old - 8);
	EXPECT_BAD(&self->b, 1, "END", off);
}

TEST_HARNESS_MAIN
