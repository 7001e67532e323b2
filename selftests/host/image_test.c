// SPDX-License-Identifier: GPL-2.0
/*
 * image/: synthetic dump streams written as images and read back
 * record for record and page for page (io_uring and plain writes), an
 * incremental image resolving unchanged pages through its parent, and
 * every corruption, malformed stream and full disk refused with a message
 * naming the file, leaving no partial image behind.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dump_stream.h"
#include "image.h"
#include "xxh64.h"
#include "synth_stream.h"
#include "helpers.h"
#include "kselftest_harness.h"

FIXTURE(img) {
	char store[64];
	char dir1[256], dir2[256];
	struct ckpt_err err;
};

FIXTURE_SETUP(img)
{
	ASSERT_EQ(0, th_store(self->store, sizeof(self->store), "ckpt-image-test", SYN_JOB));
	ckptd_image_path(self->dir1, sizeof(self->dir1), self->store, SYN_JOB, 1);
	ckptd_image_path(self->dir2, sizeof(self->dir2), self->store, SYN_JOB, 2);
	self->err.msg[0] = '\0';
}

FIXTURE_TEARDOWN(img)
{
	th_rmtree(self->store);
}

TEST(xxh64_known_values)
{
	EXPECT_EQ(0xEF46DB3751D8E999ULL, ckptd_xxh64("", 0, 0));
	EXPECT_EQ(0xD24EC4F1A98C6E5BULL, ckptd_xxh64("a", 1, 0));
	EXPECT_EQ(0x44BC2CF5AD770999ULL, ckptd_xxh64("abc", 3, 0));
}

/* records.img is the stream without PAGES; every page reads back. */
static void check_roundtrip(struct __test_metadata *_metadata,
			    const char *dir, const struct synth *s)
{
	struct ckpt_err err = { 0 };
	const struct ckpt_rec *rec;
	struct ckptd_image *img;
	struct ckpt_stream st;
	uint8_t page[SYN_PAGE];
	size_t body, roff = 0;
	uint64_t pages = 0;

	ASSERT_EQ(0, ckptd_image_open(dir, &img, &err)) TH_LOG("%s", err.msg);
	ASSERT_EQ(0, ckptd_image_verify(img, &err)) TH_LOG("%s", err.msg);
	EXPECT_EQ(SYN_JOB, img->man.job_id);
	EXPECT_EQ(2, img->man.nr_tasks);
	EXPECT_EQ(3, img->man.nr_threads);
	ckpt_stream_init(&st, s->buf, s->len);
	while (ckpt_stream_next(&st, &rec, &body) > 0) {
		if (rec->type == CKPT_REC_PAGES) {
			const struct ckpt_rec_pages *p = (const void *)(rec + 1);

			for (uint32_t i = 0; i < p->nr_pages; i++) {
				ASSERT_EQ(0, ckptd_image_read_page(img, p->pid,
					  p->start + i * SYN_PAGE, page, &err))
					TH_LOG("%s", err.msg);
				ASSERT_EQ(0, memcmp(page, p->data + i * SYN_PAGE,
						    SYN_PAGE));
				pages++;
			}
			continue;
		}
		ASSERT_LE(roff + rec->len, img->records_len);
		ASSERT_EQ(0, memcmp(img->records + roff, rec, rec->len))
			TH_LOG("record %s at image offset %zu differs",
			       ckpt_rec_name(rec->type), roff);
		roff += rec->len;
	}
	EXPECT_EQ(roff, img->records_len);
	EXPECT_EQ(s->pages, pages);
	EXPECT_EQ(pages, img->man.nr_pages);
	/* a hole reads as -ENOENT */
	EXPECT_EQ(-ENOENT, ckptd_image_read_page(img, 100, 0x400000, page, &err));
	ckptd_image_close(img);
}

TEST_F(img, roundtrip_uring)
{
	struct ckptd_image_write_stats st = {};
	struct synth s;

	synth_job(&s, 1, 0, 700);	/* 1050 pages: 5 chunks */
	ASSERT_EQ(0, th_write_stream(self->dir1, &s, NULL, &st, &self->err))
		TH_LOG("%s", self->err.msg);
	TH_LOG("io_uring %s", st.used_uring ? "yes" : "no");
	check_roundtrip(_metadata, self->dir1, &s);
	synth_free(&s);
}

TEST_F(img, roundtrip_plain_writes)
{
	struct ckptd_image_write_opts o = { .no_uring = 1 };
	struct ckptd_image_write_stats st = {};
	struct synth s;

	synth_job(&s, 1, 0, 700);
	ASSERT_EQ(0, th_write_stream(self->dir1, &s, &o, &st, &self->err))
		TH_LOG("%s", self->err.msg);
	EXPECT_EQ(0, st.used_uring);
	check_roundtrip(_metadata, self->dir1, &s);
	synth_free(&s);
}

/* Captured userspace records land in records.img just before END. */
TEST_F(img, captured_records_before_end)
{
	struct ckptd_image_write_opts o = {};
	struct ckptd_image *img;
	struct synth s, extra = {};
	const struct ckpt_rec *rec, *last = NULL, *prev = NULL;
	struct ckpt_stream st;
	uint64_t v = 0x1122334455667788ULL;
	size_t body;

	synth_job(&s, 1, 0, 10);
	synth_rec(&extra, CKPT_REC_USER_BASE + 0xfff, &v, sizeof(v));
	o.extra_records = extra.buf;
	o.extra_len = extra.len;
	ASSERT_EQ(0, th_write_stream(self->dir1, &s, &o, NULL, &self->err))
		TH_LOG("%s", self->err.msg);
	ASSERT_EQ(0, ckptd_image_open(self->dir1, &img, &self->err));
	ASSERT_EQ(0, ckptd_image_verify(img, &self->err)) TH_LOG("%s", self->err.msg);
	ckpt_stream_init(&st, img->records, img->records_len);
	while (ckpt_stream_next(&st, &rec, &body) > 0) {
		prev = last;
		last = rec;
	}
	ASSERT_NE(NULL, prev);
	EXPECT_EQ(CKPT_REC_END, last->type);
	EXPECT_EQ(CKPT_REC_USER_BASE + 0xfff, prev->type);
	EXPECT_EQ(0, memcmp(prev + 1, &v, sizeof(v)));
	ckptd_image_close(img);
	synth_free(&s);
	synth_free(&extra);
}

/* A kernel record type among the captured ones is refused, nothing left. */
TEST_F(img, captured_kernel_record_refused)
{
	struct ckptd_image_write_opts o = {};
	struct synth s, extra = {};
	struct ckpt_rec_region r = { .pid = 100, .start = 0x10000, .end = 0x20000 };

	synth_job(&s, 1, 0, 10);
	synth_rec(&extra, CKPT_REC_REGION, &r, sizeof(r));
	o.extra_records = extra.buf;
	o.extra_len = extra.len;
	EXPECT_EQ(-EINVAL, th_write_stream(self->dir1, &s, &o, NULL, &self->err));
	EXPECT_NE(NULL, strstr(self->err.msg, "kernel record type"))
		TH_LOG("%s", self->err.msg);
	EXPECT_FALSE(th_exists("%s", self->dir1));
	synth_free(&s);
	synth_free(&extra);
}

TEST_F(img, incremental_resolves_parent)
{
	uint8_t page[SYN_PAGE], want[SYN_PAGE];
	struct ckptd_image *img;

	ASSERT_EQ(0, th_write_job(self->dir1, 1, 0, 200, NULL, &self->err)) TH_LOG("%s", self->err.msg);
	ASSERT_EQ(0, th_write_job(self->dir2, 2, 1, 200, NULL, &self->err)) TH_LOG("%s", self->err.msg);
	ASSERT_EQ(0, ckptd_image_open(self->dir2, &img, &self->err));
	ASSERT_EQ(0, ckptd_image_verify(img, &self->err)) TH_LOG("%s", self->err.msg);
	EXPECT_EQ(150, img->man.nr_pages_same);
	for (int p = 0; p < 2; p++) {
		int32_t pid = 100 + p;
		uint32_t n = p ? 100 : 200;

		for (uint32_t i = 0; i < n; i++) {
			uint64_t va = SYN_HEAP + (uint64_t)i * SYN_PAGE;

			ASSERT_EQ(0, ckptd_image_read_page(img, pid, va, page,
							   &self->err))
				TH_LOG("%s", self->err.msg);
			/* first half unchanged: generation 1, from the parent */
			synth_fill(want, pid, va, i < n / 2 ? 1 : 2);
			ASSERT_EQ(0, memcmp(page, want, SYN_PAGE))
				TH_LOG("pid %d page %u", pid, i);
		}
	}
	ckptd_image_close(img);
}

/* verify_top: the image and its parent's pagemap, not the parent's pages */
TEST_F(img, verify_top_leaves_the_parents_contents)
{
	struct ckptd_image *img;

	ASSERT_EQ(0, th_write_job(self->dir1, 1, 0, 200, NULL, &self->err)) TH_LOG("%s", self->err.msg);
	ASSERT_EQ(0, th_write_job(self->dir2, 2, 1, 200, NULL, &self->err)) TH_LOG("%s", self->err.msg);
	th_flip_byte(self->dir1, "pages.img", 10);
	ASSERT_EQ(0, ckptd_image_open(self->dir2, &img, &self->err));
	EXPECT_EQ(0, ckptd_image_verify_top(img, &self->err)) TH_LOG("%s", self->err.msg);
	EXPECT_EQ(-EBADMSG, ckptd_image_verify(img, &self->err));
	ckptd_image_close(img);
	th_flip_byte(self->dir2, "pages.img", 10);
	ASSERT_EQ(0, ckptd_image_open(self->dir2, &img, &self->err));
	EXPECT_EQ(-EBADMSG, ckptd_image_verify_top(img, &self->err));
	EXPECT_NE(NULL, strstr(self->err.msg, "pages.img")) TH_LOG("%s", self->err.msg);
	ckptd_image_close(img);
}

/* Version 3: the page's own sum fails, named by offset, pid and address. */
TEST_F(img, flipped_page_byte_fails_page_checksum)
{
	ASSERT_EQ(0, th_write_job(self->dir1, 1, 0, 400, NULL, &self->err));
	/* page 384 of pages.img: pid 100 (400 pages first), page 384 */
	th_flip_byte(self->dir1, "pages.img", 3 * CKPT_IMG_CHUNK / 2 + 5);
	EXPECT_EQ(-EBADMSG, th_open_verify(self->dir1, &self->err));
	EXPECT_NE(NULL, strstr(self->err.msg, "/7/1/pages.img: checksum mismatch of the page at offset 1572864 (pid 100, address 0x10180000)"))
		TH_LOG("%s", self->err.msg);
}

TEST_F(img, truncated_records_refused)
{
	char path[512];

	ASSERT_EQ(0, th_write_job(self->dir1, 1, 0, 10, NULL, &self->err));
	snprintf(path, sizeof(path), "%s/records.img", self->dir1);
	ASSERT_EQ(0, truncate(path, 1000));
	EXPECT_EQ(-EBADMSG, th_open_verify(self->dir1, &self->err));
	EXPECT_NE(NULL, strstr(self->err.msg, "records.img")) TH_LOG("%s", self->err.msg);
	EXPECT_NE(NULL, strstr(self->err.msg, "truncated")) TH_LOG("%s", self->err.msg);
}

static void pme_past_end(struct ckpt_img_manifest *m, struct ckpt_img_zinfo *zi,
			 void *arg)
{
	const char *dir = arg;
	char path[512];
	struct ckpt_img_pme e;
	int fd;

	snprintf(path, sizeof(path), "%s/pagemap.img", dir);
	fd = open(path, O_RDWR);
	if (pread(fd, &e, sizeof(e), sizeof(e)) != sizeof(e))
		abort();
	e.offset = m->files[CKPT_IMG_F_PAGES].size;	/* past the end */
	if (pwrite(fd, &e, sizeof(e), sizeof(e)) != sizeof(e))
		abort();
	/* keep the checksum right: the range check must catch it */
	{
		uint8_t buf[4096];
		ssize_t n = pread(fd, buf, sizeof(buf), 0);

		m->files[CKPT_IMG_F_PAGEMAP].xxh64 = ckptd_xxh64(buf, n, 0);
	}
	close(fd);
}

TEST_F(img, pagemap_entry_past_pages_refused)
{
	ASSERT_EQ(0, th_write_job(self->dir1, 1, 0, 100, NULL, &self->err));
	th_patch_manifest(self->dir1, pme_past_end, self->dir1);
	EXPECT_EQ(-EBADMSG, th_open_verify(self->dir1, &self->err));
	EXPECT_NE(NULL, strstr(self->err.msg, "pagemap.img: entry 1")) TH_LOG("%s", self->err.msg);
	EXPECT_NE(NULL, strstr(self->err.msg, "past the end")) TH_LOG("%s", self->err.msg);
}

TEST_F(img, missing_manifest_is_no_checkpoint)
{
	char path[512];
	unsigned int removed = 0;

	ASSERT_EQ(0, th_write_job(self->dir1, 1, 0, 10, NULL, &self->err));
	ASSERT_EQ(0, th_write_job(self->dir2, 2, 1, 10, NULL, &self->err));
	snprintf(path, sizeof(path), "%s/manifest", self->dir2);
	ASSERT_EQ(0, unlink(path));
	EXPECT_EQ(-ENOENT, th_open_verify(self->dir2, &self->err));
	EXPECT_NE(NULL, strstr(self->err.msg, "not a committed checkpoint")) TH_LOG("%s", self->err.msg);
	ASSERT_EQ(0, ckptd_image_cleanup_partial(self->store, &removed, &self->err));
	EXPECT_EQ(1, removed);
	EXPECT_FALSE(th_exists("%s", self->dir2));
	EXPECT_EQ(0, th_open_verify(self->dir1, &self->err)) TH_LOG("%s", self->err.msg);
}

static void newer_version(struct ckpt_img_manifest *m, struct ckpt_img_zinfo *zi,
			  void *arg)
{
	m->version = CKPT_IMG_VERSION + 1;
}

TEST_F(img, newer_format_refused)
{
	struct ckptd_image *img;

	ASSERT_EQ(0, th_write_job(self->dir1, 1, 0, 10, NULL, &self->err));
	th_patch_manifest(self->dir1, newer_version, NULL);
	EXPECT_EQ(-EPROTONOSUPPORT, ckptd_image_open(self->dir1, &img, &self->err));
	EXPECT_NE(NULL, strstr(self->err.msg, "manifest")) TH_LOG("%s", self->err.msg);
	EXPECT_NE(NULL, strstr(self->err.msg, "upgrade")) TH_LOG("%s", self->err.msg);
}

TEST_F(img, incremental_without_parent_refused)
{
	ASSERT_EQ(0, th_write_job(self->dir1, 1, 0, 10, NULL, &self->err));
	ASSERT_EQ(0, th_write_job(self->dir2, 2, 1, 10, NULL, &self->err));
	ASSERT_EQ(0, th_rmtree(self->dir1));
	EXPECT_EQ(-ENOENT, th_open_verify(self->dir2, &self->err));
	EXPECT_NE(NULL, strstr(self->err.msg, "parent image 1 is missing")) TH_LOG("%s", self->err.msg);
}

TEST_F(img, truncated_stream_leaves_nothing)
{
	struct synth s;

	synth_job(&s, 1, 0, 100);
	s.len -= 4096 + 40;	/* cut inside the last PAGES record */
	EXPECT_EQ(-EBADMSG, th_write_stream(self->dir1, &s, NULL, NULL, &self->err));
	EXPECT_NE(NULL, strstr(self->err.msg, "dump stream")) TH_LOG("%s", self->err.msg);
	EXPECT_FALSE(th_exists("%s", self->dir1));
	synth_free(&s);
}

TEST_F(img, stream_without_end_leaves_nothing)
{
	struct synth s;

	synth_job(&s, 1, 0, 100);
	s.len -= sizeof(struct ckpt_rec) + sizeof(struct ckpt_rec_end);
	EXPECT_EQ(-EBADMSG, th_write_stream(self->dir1, &s, NULL, NULL, &self->err));
	EXPECT_NE(NULL, strstr(self->err.msg, "before its END")) TH_LOG("%s", self->err.msg);
	EXPECT_FALSE(th_exists("%s", self->dir1));
	synth_free(&s);
}

TEST_F(img, same_pages_in_full_dump_refused)
{
	struct synth s;

	synth_job(&s, 2, 1, 100);
	((struct ckpt_rec_begin *)(s.buf + sizeof(struct ckpt_rec)))->parent_seq = 0;
	EXPECT_EQ(-EBADMSG, th_write_stream(self->dir2, &s, NULL, NULL, &self->err));
	EXPECT_NE(NULL, strstr(self->err.msg, "PAGES_SAME")) TH_LOG("%s", self->err.msg);
	EXPECT_FALSE(th_exists("%s", self->dir2));
	synth_free(&s);
}

TEST_F(img, disk_full_leaves_nothing)
{
	char dir[400];
	int ret = th_small_store(self->store, dir, sizeof(dir));

	if (ret)
		SKIP(return, "cannot mount a 1 MiB tmpfs (%s): needs root",
		     strerror(-ret));
	EXPECT_EQ(-ENOSPC, th_write_job(dir, 1, 0, 600, NULL, &self->err));
	EXPECT_NE(NULL, strstr(self->err.msg, "pages.img")) TH_LOG("%s", self->err.msg);
	EXPECT_NE(NULL, strstr(self->err.msg, "free space")) TH_LOG("%s", self->err.msg);
	EXPECT_FALSE(th_exists("%s", dir));
}

TEST_HARNESS_MAIN
