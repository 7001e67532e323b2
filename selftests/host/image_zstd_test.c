// SPDX-License-Identifier: GPL-2.0
/*
 * image/ with compression = zstd: images written compressed read
 * back record for record and page for page (also as the restorer's memfd),
 * uncompressed images keep the version 1 format, an incremental chain may
 * mix compressed and uncompressed images, and a flipped byte, a truncated
 * file, a chunk or frame claiming too much, and an unknown method are all
 * refused with a message naming the file and the chunk.  The store listing
 * and retention see compressed images like any other.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zstd.h>

#include "dump_stream.h"
#include "image.h"
#include "retention.h"
#include "store_list.h"
#include "xxh64.h"
#include "synth_stream.h"
#include "helpers.h"
#include "kselftest_harness.h"

FIXTURE(zimg) {
	char store[64];
	char dir[4][256];	/* seq 1..3, [0]: an uncompressed twin of seq 1 */
	struct ckpt_err err;
};

FIXTURE_SETUP(zimg)
{
	ASSERT_EQ(0, th_store(self->store, sizeof(self->store), "ckpt-zimage-test", SYN_JOB));
	ASSERT_EQ(0, th_store_job(self->store, SYN_JOB + 1));
	ckptd_image_path(self->dir[0], sizeof(self->dir[0]), self->store, SYN_JOB + 1, 1);
	for (int i = 1; i < 4; i++)
		ckptd_image_path(self->dir[i], sizeof(self->dir[i]), self->store,
				 SYN_JOB, i);
	self->err.msg[0] = '\0';
}

FIXTURE_TEARDOWN(zimg)
{
	th_rmtree(self->store);
}

static const struct ckptd_image_write_opts zopts = {
	.compression = CKPT_IMG_COMP_ZSTD,
};

/* Zeroes 3/4 of every page: compressible, still distinct. */
static void make_compressible(struct synth *s)
{
	const struct ckpt_rec *rec;
	struct ckpt_stream st;
	size_t body;

	ckpt_stream_init(&st, s->buf, s->len);
	while (ckpt_stream_next(&st, &rec, &body) > 0) {
		struct ckpt_rec_pages *p = (void *)(rec + 1);

		if (rec->type != CKPT_REC_PAGES)
			continue;
		for (uint32_t i = 0; i < p->nr_pages; i++)
			memset(p->data + (size_t)i * SYN_PAGE + SYN_PAGE / 4, 0,
			       SYN_PAGE * 3 / 4);
	}
}

/* The manifest follows a file rewritten by the test (size and sum). */
static void resum(struct ckpt_img_manifest *m, struct ckpt_img_zinfo *zi, void *arg)
{
	const char *dir = arg;
	size_t n;
	uint8_t *b = th_slurp(dir, CKPT_IMG_PAGES, &n);

	(void)zi;
	m->files[CKPT_IMG_F_PAGES].size = n;
	m->files[CKPT_IMG_F_PAGES].xxh64 = ckptd_xxh64(b, n, 0);
	free(b);
}

/* Offset of the header of compressed chunk k of dir/name. */
static uint64_t chunk_off(const char *dir, const char *name, unsigned int k)
{
	struct ckpt_img_zchunk h;
	char path[512];
	uint64_t off = 0;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_RDONLY);
	for (unsigned int i = 0; i < k; i++) {
		if (pread(fd, &h, sizeof(h), off) != sizeof(h))
			abort();
		off += sizeof(h) + ((h.comp_len + 7) & ~7U);
	}
	close(fd);
	return off;
}

static void check_pages(struct __test_metadata *_metadata,
			struct ckptd_image *img, const struct synth *s)
{
	const struct ckpt_rec *rec;
	struct ckpt_stream st;
	uint8_t page[SYN_PAGE];
	struct ckpt_err err;
	size_t body;

	ckpt_stream_init(&st, s->buf, s->len);
	while (ckpt_stream_next(&st, &rec, &body) > 0) {
		const struct ckpt_rec_pages *p = (const void *)(rec + 1);

		if (rec->type != CKPT_REC_PAGES)
			continue;
		for (uint32_t i = 0; i < p->nr_pages; i++) {
			ASSERT_EQ(0, ckptd_image_read_page(img, p->pid,
				  p->start + i * SYN_PAGE, page, &err))
				TH_LOG("%s", err.msg);
			ASSERT_EQ(0, memcmp(page, p->data + i * SYN_PAGE, SYN_PAGE));
		}
	}
}

/* Compressed and uncompressed images of one stream hold the same data. */
TEST_F(zimg, roundtrip_compressible)
{
	struct ckptd_image_write_stats st = {}, st0 = {};
	struct ckptd_image *img, *plain;
	uint8_t *raw, *want, *recs;
	size_t raw_len, want_len, recs_len;
	struct synth s;
	int fd;

	synth_job(&s, 1, 0, 700);	/* 1050 pages: 5 chunks */
	make_compressible(&s);
	ASSERT_EQ(0, th_write_stream(self->dir[1], &s, &zopts, &st, &self->err))
		TH_LOG("%s", self->err.msg);
	ASSERT_EQ(0, th_write_stream(self->dir[0], &s, NULL, &st0, &self->err))
		TH_LOG("%s", self->err.msg);
	EXPECT_EQ(st0.bytes, st.raw_bytes);
	EXPECT_EQ(st0.bytes, st0.raw_bytes);
	TH_LOG("stored %llu of %llu bytes", (unsigned long long)st.bytes,
	       (unsigned long long)st.raw_bytes);
	EXPECT_LT(st.bytes, st.raw_bytes * 4 / 10);

	ASSERT_EQ(0, ckptd_image_open(self->dir[1], &img, &self->err)) TH_LOG("%s", self->err.msg);
	ASSERT_EQ(0, ckptd_image_verify(img, &self->err)) TH_LOG("%s", self->err.msg);
	EXPECT_EQ(CKPT_IMG_VERSION_COMPRESSED, img->man.version);
	EXPECT_EQ(sizeof(struct ckpt_img_manifest) + sizeof(struct ckpt_img_zinfo),
		  img->man.hdr_len);
	EXPECT_EQ(CKPT_IMG_COMP_ZSTD, img->zi.compression);
	EXPECT_EQ(CKPTD_ZSTD_LEVEL_DEFAULT, img->zi.level);
	EXPECT_STREQ("zstd", ckptd_image_compression_name(img->zi.compression));
	EXPECT_EQ(-1, img->pages_fd);	/* not decompressed unless asked */
	check_pages(_metadata, img, &s);

	/* records and the raw pages equal the uncompressed image's files */
	ASSERT_EQ(0, ckptd_image_open(self->dir[0], &plain, &self->err));
	ASSERT_EQ(plain->records_len, img->records_len);
	EXPECT_EQ(0, memcmp(plain->records, img->records, img->records_len));
	ASSERT_EQ(0, ckptd_image_pages_fd(img, &fd, &self->err)) TH_LOG("%s", self->err.msg);
	raw = th_slurp_fd(fd, &raw_len);
	want = th_slurp(self->dir[0], CKPT_IMG_PAGES, &want_len);
	ASSERT_NE(NULL, raw);
	ASSERT_EQ(want_len, raw_len);
	EXPECT_EQ(0, memcmp(want, raw, raw_len));
	EXPECT_GT(th_file_size(self->dir[0], CKPT_IMG_PAGES),
		  2 * th_file_size(self->dir[1], CKPT_IMG_PAGES));
	recs = th_slurp(self->dir[1], CKPT_IMG_RECORDS, &recs_len);
	EXPECT_NE(0, memcmp(recs, plain->records, 16));	/* stored compressed */
	free(recs);
	free(raw);
	free(want);
	ckptd_image_close(plain);
	ckptd_image_close(img);
	synth_free(&s);
}

/* Random pages do not shrink; they still round-trip. */
TEST_F(zimg, roundtrip_incompressible)
{
	struct ckptd_image *img;
	struct synth s;

	synth_job(&s, 1, 0, 300);
	ASSERT_EQ(0, th_write_stream(self->dir[1], &s, &zopts, NULL, &self->err))
		TH_LOG("%s", self->err.msg);
	ASSERT_EQ(0, ckptd_image_open(self->dir[1], &img, &self->err)) TH_LOG("%s", self->err.msg);
	img->want_pages_fd = true;	/* as the restorer does */
	ASSERT_EQ(0, ckptd_image_verify(img, &self->err)) TH_LOG("%s", self->err.msg);
	EXPECT_TRUE(img->pages_checked);
	EXPECT_LE(0, img->pages_fd);
	check_pages(_metadata, img, &s);
	ckptd_image_close(img);
	synth_free(&s);
}

/* compression = none writes what it always wrote: version 1, raw files. */
TEST_F(zimg, uncompressed_keeps_version_1)
{
	struct ckptd_image *img;
	size_t n;
	uint8_t *m;

	ASSERT_EQ(0, th_write_job(self->dir[1], 1, 0, 100, NULL, &self->err));
	m = th_slurp(self->dir[1], CKPT_IMG_MANIFEST, &n);
	ASSERT_NE(NULL, m);
	EXPECT_EQ(CKPT_IMG_VERSION_PLAIN, ((struct ckpt_img_manifest *)m)->version);
	EXPECT_EQ(sizeof(struct ckpt_img_manifest),
		  ((struct ckpt_img_manifest *)m)->hdr_len);
	EXPECT_EQ(150 * SYN_PAGE, th_file_size(self->dir[1], CKPT_IMG_PAGES));
	free(m);
	ASSERT_EQ(0, ckptd_image_open(self->dir[1], &img, &self->err));
	EXPECT_EQ(CKPT_IMG_COMP_NONE, img->zi.compression);
	EXPECT_EQ(150 * SYN_PAGE, img->zi.raw_size[CKPT_IMG_F_PAGES]);
	EXPECT_LE(0, img->pages_fd);
	ckptd_image_close(img);
}

/* zstd full, uncompressed incremental, zstd incremental: one chain. */
TEST_F(zimg, mixed_incremental_chain)
{
	uint8_t page[SYN_PAGE], want[SYN_PAGE];
	struct ckptd_image *img;

	ASSERT_EQ(0, th_write_job(self->dir[1], 1, 0, 200, &zopts, &self->err)) TH_LOG("%s", self->err.msg);
	ASSERT_EQ(0, th_write_job(self->dir[2], 2, 1, 200, NULL, &self->err)) TH_LOG("%s", self->err.msg);
	ASSERT_EQ(0, th_write_job(self->dir[3], 3, 2, 200, &zopts, &self->err)) TH_LOG("%s", self->err.msg);
	ASSERT_EQ(0, ckptd_image_open(self->dir[3], &img, &self->err));
	img->want_pages_fd = true;
	ASSERT_EQ(0, ckptd_image_verify(img, &self->err)) TH_LOG("%s", self->err.msg);
	EXPECT_EQ(CKPT_IMG_COMP_ZSTD, img->zi.compression);
	ASSERT_NE(NULL, img->parent);
	EXPECT_EQ(CKPT_IMG_COMP_NONE, img->parent->zi.compression);
	ASSERT_NE(NULL, img->parent->parent);
	EXPECT_EQ(CKPT_IMG_COMP_ZSTD, img->parent->parent->zi.compression);
	EXPECT_TRUE(img->parent->parent->pages_checked);
	for (int p = 0; p < 2; p++) {
		int32_t pid = 100 + p;
		uint32_t n = p ? 100 : 200;

		for (uint32_t i = 0; i < n; i++) {
			uint64_t va = SYN_HEAP + (uint64_t)i * SYN_PAGE;

			ASSERT_EQ(0, ckptd_image_read_page(img, pid, va, page, &self->err))
				TH_LOG("%s", self->err.msg);
			synth_fill(want, pid, va, i < n / 2 ? 1 : 3);
			ASSERT_EQ(0, memcmp(page, want, SYN_PAGE)) TH_LOG("pid %d page %u", pid, i);
		}
	}
	ckptd_image_close(img);
}

TEST_F(zimg, flipped_byte_in_pages_chunk)
{
	struct ckptd_image *img;

	ASSERT_EQ(0, th_write_job(self->dir[1], 1, 0, 400, &zopts, &self->err));
	th_flip_byte(self->dir[1], CKPT_IMG_PAGES,
		  chunk_off(self->dir[1], CKPT_IMG_PAGES, 1) + 100);
	/* open reads only the header: the restorer's verify catches it */
	ASSERT_EQ(0, ckptd_image_open(self->dir[1], &img, &self->err));
	img->want_pages_fd = true;
	EXPECT_EQ(-EBADMSG, ckptd_image_verify(img, &self->err));
	EXPECT_NE(NULL, strstr(self->err.msg, "pages.img: compressed chunk 1 ")) TH_LOG("%s", self->err.msg);
	EXPECT_NE(NULL, strstr(self->err.msg, "checksum mismatch")) TH_LOG("%s", self->err.msg);
	EXPECT_EQ(-1, img->pages_fd);	/* nothing half-decompressed is kept */
	ckptd_image_close(img);
}

TEST_F(zimg, flipped_byte_in_records_chunk)
{
	ASSERT_EQ(0, th_write_job(self->dir[1], 1, 0, 10, &zopts, &self->err));
	th_flip_byte(self->dir[1], CKPT_IMG_RECORDS, sizeof(struct ckpt_img_zchunk) + 3);
	EXPECT_EQ(-EBADMSG, th_open_verify(self->dir[1], &self->err));
	EXPECT_NE(NULL, strstr(self->err.msg, "records.img: compressed chunk 0 ")) TH_LOG("%s", self->err.msg);
}

TEST_F(zimg, truncated_compressed_pages)
{
	char path[512];
	uint64_t size;

	ASSERT_EQ(0, th_write_job(self->dir[1], 1, 0, 400, &zopts, &self->err));
	snprintf(path, sizeof(path), "%s/" CKPT_IMG_PAGES, self->dir[1]);
	size = th_file_size(self->dir[1], CKPT_IMG_PAGES);
	ASSERT_EQ(0, truncate(path, size - 100));
	/* the manifest's size catches a plain truncation at open */
	EXPECT_EQ(-EBADMSG, th_open_verify(self->dir[1], &self->err));
	EXPECT_NE(NULL, strstr(self->err.msg, "pages.img")) TH_LOG("%s", self->err.msg);
	EXPECT_NE(NULL, strstr(self->err.msg, "truncated")) TH_LOG("%s", self->err.msg);
	/* and the chunk walk one the manifest agrees with */
	th_patch_manifest(self->dir[1], resum, self->dir[1]);
	EXPECT_EQ(-EBADMSG, th_open_verify(self->dir[1], &self->err));
	EXPECT_NE(NULL, strstr(self->err.msg, "pages.img: compressed chunk 2 ")) TH_LOG("%s", self->err.msg);
	EXPECT_NE(NULL, strstr(self->err.msg, "truncated")) TH_LOG("%s", self->err.msg);
}

/* A chunk header claiming 4 GiB is refused before anything is allocated. */
TEST_F(zimg, chunk_claiming_huge_size)
{
	struct ckpt_img_zchunk h;
	size_t n;
	uint8_t *b;

	ASSERT_EQ(0, th_write_job(self->dir[1], 1, 0, 400, &zopts, &self->err));
	b = th_slurp(self->dir[1], CKPT_IMG_PAGES, &n);
	memcpy(&h, b, sizeof(h));
	h.raw_len = 0xffffffffu;
	memcpy(b, &h, sizeof(h));
	th_put_file(self->dir[1], CKPT_IMG_PAGES, b, n);
	free(b);
	th_patch_manifest(self->dir[1], resum, self->dir[1]);
	EXPECT_EQ(-EBADMSG, th_open_verify(self->dir[1], &self->err));
	EXPECT_NE(NULL, strstr(self->err.msg, "pages.img: compressed chunk 0 ")) TH_LOG("%s", self->err.msg);
	EXPECT_NE(NULL, strstr(self->err.msg, "claims 4294967295 bytes")) TH_LOG("%s", self->err.msg);
}

/*
 * A well-formed chunk (right sizes, right checksums) whose zstd frame
 * decompresses to 64 MiB: refused from the frame header, nothing inflated.
 */
TEST_F(zimg, frame_claiming_more_than_its_chunk)
{
	size_t big = 64u << 20, cap = ZSTD_compressBound(big), n;
	uint8_t *zero = calloc(1, big), *out = malloc(sizeof(struct ckpt_img_zchunk) + cap + 8);
	struct ckpt_img_zchunk h = { .magic = CKPT_IMG_ZCHUNK_MAGIC };
	struct ckptd_image *img;
	int fd;

	ASSERT_NE(NULL, zero);
	ASSERT_NE(NULL, out);
	ASSERT_EQ(0, th_write_job(self->dir[1], 1, 0, 100, &zopts, &self->err));	/* 150 pages: 1 chunk */
	n = ZSTD_compress(out + sizeof(h), cap, zero, big, 3);
	ASSERT_FALSE(ZSTD_isError(n));
	memset(out + sizeof(h) + n, 0, 8);
	h.raw_len = 150 * SYN_PAGE;
	h.comp_len = n;
	h.raw_xxh64 = ckptd_xxh64(zero, h.raw_len, 0);
	h.xxh64 = ckptd_xxh64(out + sizeof(h), n, 0);
	memcpy(out, &h, sizeof(h));
	th_put_file(self->dir[1], CKPT_IMG_PAGES, out, sizeof(h) + ((n + 7) & ~7UL));
	th_patch_manifest(self->dir[1], resum, self->dir[1]);
	ASSERT_EQ(0, ckptd_image_open(self->dir[1], &img, &self->err)) TH_LOG("%s", self->err.msg);
	EXPECT_EQ(-EBADMSG, ckptd_image_verify(img, &self->err));
	EXPECT_NE(NULL, strstr(self->err.msg, "pages.img: compressed chunk 0 ")) TH_LOG("%s", self->err.msg);
	EXPECT_NE(NULL, strstr(self->err.msg, "frame claims 67108864 bytes")) TH_LOG("%s", self->err.msg);
	EXPECT_EQ(-EBADMSG, ckptd_image_pages_fd(img, &fd, &self->err));
	ckptd_image_close(img);
	free(zero);
	free(out);
}

static void unknown_method(struct ckpt_img_manifest *m, struct ckpt_img_zinfo *zi,
			   void *arg)
{
	(void)m;
	(void)arg;
	zi->compression = 7;
}

TEST_F(zimg, unknown_compression_refused)
{
	struct ckptd_image *img;

	ASSERT_EQ(0, th_write_job(self->dir[1], 1, 0, 10, &zopts, &self->err));
	th_patch_manifest(self->dir[1], unknown_method, NULL);
	EXPECT_EQ(-EPROTONOSUPPORT, ckptd_image_open(self->dir[1], &img, &self->err));
	EXPECT_NE(NULL, strstr(self->err.msg, "manifest")) TH_LOG("%s", self->err.msg);
	EXPECT_NE(NULL, strstr(self->err.msg, "compression method 7")) TH_LOG("%s", self->err.msg);
	EXPECT_NE(NULL, strstr(self->err.msg, "upgrade ckpt")) TH_LOG("%s", self->err.msg);
}

TEST_F(zimg, unknown_writer_method_refused)
{
	struct ckptd_image_write_opts o = { .compression = 9 };

	EXPECT_EQ(-EINVAL, th_write_job(self->dir[1], 1, 0, 10, &o, &self->err));
	EXPECT_NE(NULL, strstr(self->err.msg, "unknown compression 9")) TH_LOG("%s", self->err.msg);
	EXPECT_NE(0, access(self->dir[1], F_OK));
}

/* image ls reads the compression; keep 1 keeps the chain the newest needs. */
TEST_F(zimg, store_list_and_retention)
{
	char dir4[256];
	struct ckptd_store_entry *v;
	unsigned int removed = 0;
	size_t n;

	ckptd_image_path(dir4, sizeof(dir4), self->store, SYN_JOB, 4);
	ASSERT_EQ(0, th_write_job(self->dir[1], 1, 0, 100, &zopts, &self->err));
	ASSERT_EQ(0, th_write_job(self->dir[2], 2, 0, 100, NULL, &self->err));
	ASSERT_EQ(0, th_write_job(self->dir[3], 3, 2, 100, &zopts, &self->err));
	ASSERT_EQ(0, th_write_job(dir4, 4, 3, 100, NULL, &self->err));
	ASSERT_EQ(0, ckptd_store_list(self->store, SYN_JOB, &v, &n, &self->err));
	ASSERT_EQ(4, n);
	EXPECT_EQ(CKPT_IMG_COMP_ZSTD, v[0].compression);
	EXPECT_LT(v[0].bytes, v[0].raw_bytes);
	EXPECT_EQ(CKPT_IMG_COMP_NONE, v[1].compression);
	EXPECT_EQ(v[1].bytes, v[1].raw_bytes);
	EXPECT_EQ(CKPT_IMG_COMP_ZSTD, v[2].compression);
	EXPECT_EQ(2, v[2].parent_seq);
	EXPECT_EQ(0, v[0].bad + v[1].bad + v[2].bad + v[3].bad);
	free(v);
	ASSERT_EQ(0, ckptd_retention_gc(self->store, SYN_JOB, 1, &removed, &self->err))
		TH_LOG("%s", self->err.msg);
	EXPECT_EQ(1, removed);
	EXPECT_NE(0, access(self->dir[1], F_OK));
	EXPECT_EQ(0, th_open_verify(dir4, &self->err)) TH_LOG("%s", self->err.msg);
}

/* A full disk while writing chunks: an error naming the file, nothing left. */
TEST_F(zimg, disk_full_leaves_nothing)
{
	char dir[400];
	int ret = th_small_store(self->store, dir, sizeof(dir));

	if (ret)
		SKIP(return, "cannot mount a 1 MiB tmpfs (%s): needs root",
		     strerror(-ret));
	/* random pages: 3.6 MiB that zstd cannot shrink */
	EXPECT_EQ(-ENOSPC, th_write_job(dir, 1, 0, 600, &zopts, &self->err));
	/* the module (here: the writer) fills the staging data file first */
	EXPECT_NE(NULL, strstr(self->err.msg, CKPT_IMG_PAGES_STAGE)) TH_LOG("%s", self->err.msg);
	EXPECT_NE(NULL, strstr(self->err.msg, "free space")) TH_LOG("%s", self->err.msg);
	EXPECT_NE(0, access(dir, F_OK));
}

TEST_HARNESS_MAIN
