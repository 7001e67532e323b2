// SPDX-License-Identifier: GPL-2.0
/*
 * image/ format version 3 and the writer of image_store.h: images whose
 * pages the module wrote into the writer's data file (PAGES_FILE streams,
 * the data file filled here as ckpt.ko would), a pre-copy composed with
 * the final dump (PAGES_SAME resolved to the pre-copy's offsets or to the
 * image's parent, inconsistent compositions refused), per-page checksums
 * (covered pages checked, superseded ones not), version 1 images still
 * read, interrupted writes never listed and removed at start, and a
 * compressed (version 2) image made from a data file.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dump_stream.h"
#include "image.h"
#include "image_store.h"
#include "store_list.h"
#include "xxh64.h"
#include "synth_stream.h"
#include "helpers.h"
#include "kselftest_harness.h"

#define PID	100
#define NPAGES	64

static struct ckpt_rec_begin *begin_of(struct synth *s)
{
	return (struct ckpt_rec_begin *)(s->buf + sizeof(struct ckpt_rec));
}

/* BEGIN and one process (pid 100, one thread, npages of heap). */
static void head(struct synth *s, uint64_t seq, uint64_t parent, uint32_t flags)
{
	memset(s, 0, sizeof(*s));
	synth_begin(s, seq, parent);
	begin_of(s)->flags |= flags;
	synth_task(s, PID, 1, "server", 1);
	synth_thread(s, PID, PID);
	synth_rec(s, CKPT_REC_MM, NULL, sizeof(struct ckpt_rec_mm));
	synth_vma(s, PID, SYN_HEAP, SYN_HEAP + NPAGES * SYN_PAGE, "");
}

/*
 * Pages [first, first + nr) of pid 100 as generation gen, written the way
 * ckpt.ko writes them with CKPT_DUMP_DATA_FD: at the end of the data file,
 * one PAGES_FILE record with each page's hash.
 */
static void file_pages(struct synth *s, int fd, uint32_t first, uint32_t nr,
		       uint32_t gen)
{
	struct ckpt_rec_pages_file *r;
	uint8_t page[SYN_PAGE];
	struct stat st;

	if (fstat(fd, &st))
		abort();
	r = synth_rec(s, CKPT_REC_PAGES_FILE, NULL, sizeof(*r) + nr * 8);
	r->pid = PID;
	r->nr_pages = nr;
	r->start = SYN_HEAP + (uint64_t)first * SYN_PAGE;
	r->offset = st.st_size;
	for (uint32_t i = 0; i < nr; i++) {
		synth_fill(page, PID, r->start + (uint64_t)i * SYN_PAGE, gen);
		if (pwrite(fd, page, SYN_PAGE, st.st_size + (off_t)i * SYN_PAGE) != SYN_PAGE)
			abort();
		r->hash[i] = ckptd_page_sum(page, SYN_PAGE);
	}
	s->pages += nr;
}

static void same_pages(struct synth *s, uint32_t first, uint32_t nr)
{
	synth_pages(s, PID, SYN_HEAP + (uint64_t)first * SYN_PAGE, nr, 0, 1);
}

/* Every page of pid 100 reads back as generation gen[i]. */
static void check_pages(struct __test_metadata *_metadata, struct ckptd_image *img,
			const uint32_t *gen)
{
	uint8_t page[SYN_PAGE], want[SYN_PAGE];
	struct ckpt_err err = { 0 };

	for (uint32_t i = 0; i < NPAGES; i++) {
		uint64_t va = SYN_HEAP + (uint64_t)i * SYN_PAGE;

		ASSERT_EQ(0, ckptd_image_read_page(img, PID, va, page, &err)) TH_LOG("%s", err.msg);
		synth_fill(want, PID, va, gen[i]);
		ASSERT_EQ(0, memcmp(page, want, SYN_PAGE)) TH_LOG("page %u: expected generation %u", i, gen[i]);
	}
}

/* The name of the one writer's temporary directory in jobdir, or "". */
static void find_tmp(const char *jobdir, char *out, size_t size)
{
	DIR *d = opendir(jobdir);
	struct dirent *de;

	out[0] = '\0';
	while (d && (de = readdir(d)))
		if (!strncmp(de->d_name, CKPTD_IMAGE_TMP_PREFIX, strlen(CKPTD_IMAGE_TMP_PREFIX)))
			snprintf(out, size, "%s/%s", jobdir, de->d_name);
	if (d)
		closedir(d);
}

FIXTURE(v3) {
	char store[64], jobdir[128];
	char dir[4][256];
	struct ckpt_err err;
	uint32_t gen[NPAGES];
};

FIXTURE_SETUP(v3)
{
	ASSERT_EQ(0, th_store(self->store, sizeof(self->store), "ckpt-image-v3", SYN_JOB));
	snprintf(self->jobdir, sizeof(self->jobdir), "%s/%u", self->store, SYN_JOB);
	for (int i = 1; i < 4; i++)
		ckptd_image_path(self->dir[i], sizeof(self->dir[i]), self->store, SYN_JOB, i);
	self->err.msg[0] = '\0';
}

FIXTURE_TEARDOWN(v3)
{
	th_rmtree(self->store);
}

/* A full image of generation-1 pages, written the old way (inline PAGES). */
static int write_full_inline(const char *dir, struct ckpt_err *err)
{
	struct synth s;
	int ret;

	head(&s, 1, 0, 0);
	synth_pages(&s, PID, SYN_HEAP, NPAGES, 1, 0);
	synth_end(&s);
	ret = th_write_stream(dir, &s, NULL, NULL, err);
	synth_free(&s);
	return ret;
}

TEST_F(v3, written_from_a_data_file)
{
	struct ckptd_image_write_stats st = { 0 };
	struct ckptd_image_wr *w;
	struct ckptd_image *img;
	struct synth s;
	int fd;

	ASSERT_EQ(0, ckptd_image_wr_begin(self->jobdir, NULL, &w, &self->err)) TH_LOG("%s", self->err.msg);
	fd = ckptd_image_wr_data_fd(w);
	ASSERT_LE(0, fd);
	head(&s, 1, 0, CKPT_DUMP_DATA_FD);
	file_pages(&s, fd, 0, 40, 1);
	file_pages(&s, fd, 40, NPAGES - 40, 1);
	synth_end(&s);
	ASSERT_EQ(0, ckptd_image_wr_add_stream(w, s.buf, s.len, &self->err)) TH_LOG("%s", self->err.msg);
	ASSERT_EQ(0, ckptd_image_wr_commit(w, self->dir[1], NULL, 0, &st, &self->err)) TH_LOG("%s", self->err.msg);
	ckptd_image_wr_free(w);
	EXPECT_EQ(NPAGES, st.nr_pages);
	EXPECT_EQ(NPAGES, st.data_pages);

	ASSERT_EQ(0, ckptd_image_open(self->dir[1], &img, &self->err)) TH_LOG("%s", self->err.msg);
	ASSERT_EQ(0, ckptd_image_verify(img, &self->err)) TH_LOG("%s", self->err.msg);
	EXPECT_EQ(CKPT_IMG_VERSION_PLAIN, img->man.version);
	EXPECT_EQ(3, img->man.version);
	EXPECT_EQ(SYN_PAGE, img->man.chunk_size);
	EXPECT_EQ(NPAGES, img->man.nr_chunks);
	EXPECT_EQ(0, img->man.files[CKPT_IMG_F_PAGES].xxh64);
	EXPECT_EQ(NPAGES, img->man.nr_pages);
	/* the sums are the module's hashes, as the stream carried them */
	{
		uint8_t page[SYN_PAGE];

		synth_fill(page, PID, SYN_HEAP + (NPAGES - 1) * SYN_PAGE, 1);
		EXPECT_EQ(ckptd_xxh64(page, SYN_PAGE, 0) >> 1, img->chunk_sums[NPAGES - 1]);
	}
	for (int i = 0; i < NPAGES; i++)
		self->gen[i] = 1;
	check_pages(_metadata, img, self->gen);
	ckptd_image_close(img);
	EXPECT_FALSE(th_exists("%s/%s", self->dir[1], CKPT_IMG_MANIFEST_TMP));
	synth_free(&s);
}

/* pages.img beyond what the module wrote, or a page claimed twice */
TEST_F(v3, pages_file_outside_the_data_file_refused)
{
	char tmp[512];
	struct ckptd_image_wr *w;
	struct synth s;
	int fd;

	ASSERT_EQ(0, ckptd_image_wr_begin(self->jobdir, NULL, &w, &self->err));
	fd = ckptd_image_wr_data_fd(w);
	head(&s, 1, 0, CKPT_DUMP_DATA_FD);
	file_pages(&s, fd, 0, 8, 1);
	((struct ckpt_rec_pages_file *)(s.buf + s.len - (sizeof(struct ckpt_rec_pages_file) + 64)))->offset = 4 * SYN_PAGE;
	synth_end(&s);
	EXPECT_EQ(-EBADMSG, ckptd_image_wr_add_stream(w, s.buf, s.len, &self->err));
	EXPECT_NE(NULL, strstr(self->err.msg, "the module's writes are missing")) TH_LOG("%s", self->err.msg);
	/* a refused stream fails the writer */
	EXPECT_EQ(-EBADMSG, ckptd_image_wr_commit(w, self->dir[1], NULL, 0, NULL, &self->err));
	EXPECT_FALSE(th_exists("%s", self->dir[1]));
	find_tmp(self->jobdir, tmp, sizeof(tmp));
	EXPECT_NE(0, tmp[0]);
	ckptd_image_wr_free(w);
	find_tmp(self->jobdir, tmp, sizeof(tmp));
	EXPECT_EQ(0, tmp[0]) TH_LOG("%s left behind", tmp);
	synth_free(&s);

	ASSERT_EQ(0, ckptd_image_wr_begin(self->jobdir, NULL, &w, &self->err));
	fd = ckptd_image_wr_data_fd(w);
	head(&s, 1, 0, CKPT_DUMP_DATA_FD);
	file_pages(&s, fd, 0, 8, 1);
	file_pages(&s, fd, 8, 8, 1);
	((struct ckpt_rec_pages_file *)(s.buf + s.len - (sizeof(struct ckpt_rec_pages_file) + 64)))->offset = 4 * SYN_PAGE;
	synth_end(&s);
	EXPECT_EQ(-EBADMSG, ckptd_image_wr_add_stream(w, s.buf, s.len, &self->err));
	EXPECT_NE(NULL, strstr(self->err.msg, "is already another page's")) TH_LOG("%s", self->err.msg);
	ckptd_image_wr_free(w);
	synth_free(&s);
}

/* The parser's checks of PAGES_FILE: hashes for every page, aligned offset */
TEST_F(v3, malformed_pages_file_refused)
{
	for (int bad = 0; bad < 3; bad++) {
		struct ckpt_rec_pages_file *r;
		struct ckptd_image_wr *w;
		struct synth s;

		ASSERT_EQ(0, ckptd_image_wr_begin(self->jobdir, NULL, &w, &self->err));
		head(&s, 1, 0, CKPT_DUMP_DATA_FD);
		file_pages(&s, ckptd_image_wr_data_fd(w), 0, 8, 1);
		r = (void *)(s.buf + s.len - (sizeof(*r) + 64));
		if (bad == 0)
			r->nr_pages = 9;	/* one hash short */
		else if (bad == 1)
			r->offset += 512;
		else
			r->hash[3] |= 1ULL << 63;
		synth_end(&s);
		EXPECT_EQ(-EBADMSG, ckptd_image_wr_add_stream(w, s.buf, s.len, &self->err));
		EXPECT_NE(NULL, strstr(self->err.msg, bad < 2 ? "malformed PAGES_FILE record at offset" :
				       "hash 3 has its top bit set")) TH_LOG("%s", self->err.msg);
		ckptd_image_wr_free(w);
		synth_free(&s);
	}
}

/*
 * Image 1: full, generation 1.  Pre-copy 2 (parent 1): pages 0-15
 * unchanged, 16-63 written (generation 2, data file pages 0-47).  Final
 * dump 3 (parent 2): 0-7 unchanged, 8-15 written (generation 3, 48-55),
 * 16-39 unchanged, 40-47 written (generation 3, 56-63; the pre-copy's
 * 24-31 superseded), 48-63 unchanged.
 */
static int compose(struct __test_metadata *_metadata, FIXTURE_DATA(v3) *self,
		   const struct ckptd_image_write_opts *o,
		   struct ckptd_image_write_stats *st)
{
	struct ckptd_image_wr *w;
	struct synth pre, fin;
	int fd, ret;

	if (write_full_inline(self->dir[1], &self->err))
		return -1;
	ret = ckptd_image_wr_begin(self->jobdir, o, &w, &self->err);
	if (ret)
		return ret;
	fd = ckptd_image_wr_data_fd(w);
	head(&pre, 2, 1, CKPT_DUMP_PREDUMP | CKPT_DUMP_DATA_FD | CKPT_DUMP_PRECOPY);
	same_pages(&pre, 0, 16);
	file_pages(&pre, fd, 16, 48, 2);
	synth_end(&pre);
	ret = ckptd_image_wr_add_stream(w, pre.buf, pre.len, &self->err);
	head(&fin, 3, 2, CKPT_DUMP_DATA_FD);
	same_pages(&fin, 0, 8);
	file_pages(&fin, fd, 8, 8, 3);
	same_pages(&fin, 16, 24);
	file_pages(&fin, fd, 40, 8, 3);
	same_pages(&fin, 48, 16);
	synth_end(&fin);
	if (!ret)
		ret = ckptd_image_wr_add_stream(w, fin.buf, fin.len, &self->err);
	if (!ret)
		ret = ckptd_image_wr_commit(w, self->dir[3], NULL, 0, st, &self->err);
	ckptd_image_wr_free(w);
	synth_free(&pre);
	synth_free(&fin);
	for (int i = 0; i < NPAGES; i++)
		self->gen[i] = i < 8 ? 1 : i < 16 ? 3 : i < 40 ? 2 : i < 48 ? 3 : 2;
	return ret;
}

TEST_F(v3, precopy_and_final_compose)
{
	struct ckptd_image_write_stats st = { 0 };
	const struct ckpt_img_pme *e;
	const struct ckpt_rec_begin *b;
	struct ckptd_image *img;

	ASSERT_EQ(0, compose(_metadata, self, NULL, &st)) TH_LOG("%s", self->err.msg);
	EXPECT_EQ(56, st.nr_pages);
	EXPECT_EQ(64, st.data_pages);
	EXPECT_FALSE(th_exists("%s", self->dir[2]));	/* the pre-copy is no image */
	ASSERT_EQ(0, ckptd_image_open(self->dir[3], &img, &self->err)) TH_LOG("%s", self->err.msg);
	ASSERT_EQ(0, ckptd_image_verify(img, &self->err)) TH_LOG("%s", self->err.msg);
	EXPECT_EQ(3, img->man.seq);
	EXPECT_EQ(1, img->man.parent_seq);	/* the first stream's parent */
	EXPECT_EQ(56, img->man.nr_pages);
	EXPECT_EQ(8, img->man.nr_pages_same);
	EXPECT_EQ(5, img->man.nr_pme);
	EXPECT_EQ(CKPT_DUMP_INCREMENTAL | CKPT_DUMP_DATA_FD, img->man.dump_flags);
	b = (const void *)(img->records + sizeof(struct ckpt_rec));
	EXPECT_EQ(1, b->parent_seq);
	EXPECT_EQ(3, b->dump_seq);
	EXPECT_EQ(img->man.dump_flags, b->flags);
	/* pre-copy SAME: in the image's parent */
	e = ckptd_image_find(img, PID, SYN_HEAP);
	ASSERT_NE(NULL, e);
	EXPECT_EQ(CKPT_IMG_PME_SAME, e->flags);
	EXPECT_EQ(8, e->nr_pages);
	/* final SAME: at the pre-copy's offsets (not ascending) */
	e = ckptd_image_find(img, PID, SYN_HEAP + 16 * SYN_PAGE);
	ASSERT_NE(NULL, e);
	EXPECT_EQ(CKPT_IMG_PME_DATA, e->flags);
	EXPECT_EQ(0, e->offset);
	EXPECT_EQ(24, e->nr_pages);
	e = ckptd_image_find(img, PID, SYN_HEAP + 48 * SYN_PAGE);
	ASSERT_NE(NULL, e);
	EXPECT_EQ(32 * SYN_PAGE, e->offset);
	e = ckptd_image_find(img, PID, SYN_HEAP + 8 * SYN_PAGE);
	ASSERT_NE(NULL, e);
	EXPECT_EQ(48 * SYN_PAGE, e->offset);
	check_pages(_metadata, img, self->gen);
	ckptd_image_close(img);
}

/* Superseded pages are not checked, and gone where holes can be punched. */
TEST_F(v3, flipped_byte_in_covered_and_superseded_pages)
{
	char probe[512];
	uint8_t page[SYN_PAGE], zero[SYN_PAGE] = { 0 };
	int fd, punched;

	ASSERT_EQ(0, compose(_metadata, self, NULL, NULL)) TH_LOG("%s", self->err.msg);
	snprintf(probe, sizeof(probe), "%s/probe", self->store);
	fd = open(probe, O_RDWR | O_CREAT, 0600);
	punched = fd >= 0 && !ftruncate(fd, 2 * SYN_PAGE) &&
		  !fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, SYN_PAGE);
	close(fd);
	snprintf(probe, sizeof(probe), "%s/" CKPT_IMG_PAGES, self->dir[3]);
	fd = open(probe, O_RDONLY);
	ASSERT_EQ(SYN_PAGE, pread(fd, page, SYN_PAGE, 24 * SYN_PAGE));
	close(fd);
	if (punched) {
		EXPECT_EQ(0, memcmp(page, zero, SYN_PAGE)) TH_LOG("superseded page 24 not punched out");
	} else {
		TH_LOG("the filesystem cannot punch holes: superseded pages stay");
	}

	th_flip_byte(self->dir[3], CKPT_IMG_PAGES, 24 * SYN_PAGE + 100);
	th_flip_byte(self->dir[3], CKPT_IMG_PAGES, 31 * SYN_PAGE + 4095);
	EXPECT_EQ(0, th_open_verify(self->dir[3], &self->err)) TH_LOG("%s", self->err.msg);

	th_flip_byte(self->dir[3], CKPT_IMG_PAGES, 49 * SYN_PAGE + 7);
	EXPECT_EQ(-EBADMSG, th_open_verify(self->dir[3], &self->err));
	EXPECT_NE(NULL, strstr(self->err.msg, "/7/3/pages.img: checksum mismatch of the page at offset 200704 (pid 100, address 0x10009000)"))
		TH_LOG("%s", self->err.msg);
}

TEST_F(v3, compressed_from_a_data_file)
{
	struct ckptd_image_write_opts o = { .compression = CKPT_IMG_COMP_ZSTD, .level = 1 };
	struct ckptd_image_write_stats st = { 0 };
	struct ckptd_image *img;
	uint64_t next = 0;

	ASSERT_EQ(0, compose(_metadata, self, &o, &st)) TH_LOG("%s", self->err.msg);
	EXPECT_EQ(56, st.nr_pages);
	EXPECT_FALSE(th_exists("%s/%s", self->dir[3], CKPT_IMG_PAGES_STAGE));
	ASSERT_EQ(0, ckptd_image_open(self->dir[3], &img, &self->err)) TH_LOG("%s", self->err.msg);
	ASSERT_EQ(0, ckptd_image_verify(img, &self->err)) TH_LOG("%s", self->err.msg);
	EXPECT_EQ(CKPT_IMG_VERSION_COMPRESSED, img->man.version);
	EXPECT_EQ(CKPT_IMG_CHUNK, img->man.chunk_size);
	EXPECT_EQ(56 * SYN_PAGE, img->zi.raw_size[CKPT_IMG_F_PAGES]);
	/* compacted: DATA entries cover pages.img in order, as version 2 always did */
	for (uint64_t i = 0; i < img->man.nr_pme; i++) {
		if (img->pagemap[i].flags != CKPT_IMG_PME_DATA)
			continue;
		EXPECT_EQ(next, img->pagemap[i].offset);
		next += img->pagemap[i].nr_pages * SYN_PAGE;
	}
	check_pages(_metadata, img, self->gen);
	ckptd_image_close(img);
}

/* A final dump naming a page the pre-copy never listed */
TEST_F(v3, inconsistent_composition_refused)
{
	struct ckptd_image_wr *w;
	struct synth pre, fin;
	char tmp[512];
	int fd;

	ASSERT_EQ(0, write_full_inline(self->dir[1], &self->err));
	ASSERT_EQ(0, ckptd_image_wr_begin(self->jobdir, NULL, &w, &self->err));
	fd = ckptd_image_wr_data_fd(w);
	head(&pre, 2, 1, CKPT_DUMP_PREDUMP | CKPT_DUMP_DATA_FD | CKPT_DUMP_PRECOPY);
	file_pages(&pre, fd, 0, 32, 2);
	synth_end(&pre);
	ASSERT_EQ(0, ckptd_image_wr_add_stream(w, pre.buf, pre.len, &self->err)) TH_LOG("%s", self->err.msg);
	head(&fin, 3, 2, CKPT_DUMP_DATA_FD);
	same_pages(&fin, 0, 40);
	synth_end(&fin);
	EXPECT_EQ(-EBADMSG, ckptd_image_wr_add_stream(w, fin.buf, fin.len, &self->err));
	EXPECT_NE(NULL, strstr(self->err.msg, "page 0x10020000 of pid 100 is not in the pre-copy before it (dump 2): the composition is inconsistent"))
		TH_LOG("%s", self->err.msg);
	EXPECT_EQ(-EBADMSG, ckptd_image_wr_commit(w, self->dir[3], NULL, 0, NULL, &self->err));
	ckptd_image_wr_free(w);
	EXPECT_FALSE(th_exists("%s", self->dir[3]));
	find_tmp(self->jobdir, tmp, sizeof(tmp));
	EXPECT_EQ(0, tmp[0]) TH_LOG("%s left behind", tmp);
	synth_free(&fin);

	synth_free(&pre);

	/* a final dump whose parent is not the pre-copy */
	ASSERT_EQ(0, ckptd_image_wr_begin(self->jobdir, NULL, &w, &self->err));
	head(&pre, 2, 1, CKPT_DUMP_PREDUMP | CKPT_DUMP_DATA_FD | CKPT_DUMP_PRECOPY);
	file_pages(&pre, ckptd_image_wr_data_fd(w), 0, 32, 2);
	synth_end(&pre);
	ASSERT_EQ(0, ckptd_image_wr_add_stream(w, pre.buf, pre.len, &self->err)) TH_LOG("%s", self->err.msg);
	head(&fin, 3, 1, 0);
	synth_end(&fin);
	EXPECT_EQ(-EBADMSG, ckptd_image_wr_add_stream(w, fin.buf, fin.len, &self->err));
	EXPECT_NE(NULL, strstr(self->err.msg, "BEGIN names parent 1, the pre-copy before it is dump 2"))
		TH_LOG("%s", self->err.msg);
	ckptd_image_wr_free(w);
	synth_free(&fin);
	synth_free(&pre);

	/* only pre-dumps come before the last stream */
	ASSERT_EQ(0, ckptd_image_wr_begin(self->jobdir, NULL, &w, &self->err));
	head(&pre, 2, 1, 0);
	synth_end(&pre);
	head(&fin, 3, 2, 0);
	synth_end(&fin);
	ASSERT_EQ(0, ckptd_image_wr_add_stream(w, pre.buf, pre.len, &self->err)) TH_LOG("%s", self->err.msg);
	EXPECT_EQ(-EBADMSG, ckptd_image_wr_add_stream(w, fin.buf, fin.len, &self->err));
	EXPECT_NE(NULL, strstr(self->err.msg, "is not a pre-dump")) TH_LOG("%s", self->err.msg);
	ckptd_image_wr_free(w);
	synth_free(&fin);
	synth_free(&pre);
}

/* A full pre-copy and an incremental final dump make a full image. */
TEST_F(v3, full_precopy_makes_a_full_image)
{
	struct ckptd_image_wr *w;
	struct ckptd_image *img;
	struct synth pre, fin;
	int fd;

	ASSERT_EQ(0, ckptd_image_wr_begin(self->jobdir, NULL, &w, &self->err));
	fd = ckptd_image_wr_data_fd(w);
	head(&pre, 1, 0, CKPT_DUMP_PREDUMP | CKPT_DUMP_DATA_FD | CKPT_DUMP_PRECOPY);
	file_pages(&pre, fd, 0, NPAGES, 1);
	synth_end(&pre);
	head(&fin, 2, 1, CKPT_DUMP_DATA_FD);
	same_pages(&fin, 0, 10);
	file_pages(&fin, fd, 10, 1, 2);
	same_pages(&fin, 11, NPAGES - 11);
	synth_end(&fin);
	ASSERT_EQ(0, ckptd_image_wr_add_stream(w, pre.buf, pre.len, &self->err)) TH_LOG("%s", self->err.msg);
	ASSERT_EQ(0, ckptd_image_wr_add_stream(w, fin.buf, fin.len, &self->err)) TH_LOG("%s", self->err.msg);
	ASSERT_EQ(0, ckptd_image_wr_commit(w, self->dir[2], NULL, 0, NULL, &self->err)) TH_LOG("%s", self->err.msg);
	ckptd_image_wr_free(w);
	ASSERT_EQ(0, ckptd_image_open(self->dir[2], &img, &self->err)) TH_LOG("%s", self->err.msg);
	ASSERT_EQ(0, ckptd_image_verify(img, &self->err)) TH_LOG("%s", self->err.msg);
	EXPECT_EQ(0, img->man.parent_seq);
	EXPECT_EQ(0, img->man.dump_flags & CKPT_DUMP_INCREMENTAL);
	EXPECT_EQ(0, img->man.nr_pages_same);
	EXPECT_EQ(NPAGES, img->man.nr_pages);
	EXPECT_EQ(3, img->man.nr_pme);
	for (int i = 0; i < NPAGES; i++)
		self->gen[i] = i == 10 ? 2 : 1;
	check_pages(_metadata, img, self->gen);
	ckptd_image_close(img);
	synth_free(&pre);
	synth_free(&fin);
}

/* The writer dies before its commit: nothing listed, removed at start. */
TEST_F(v3, interrupted_write_is_no_image_and_is_cleaned_up)
{
	struct ckptd_store_entry *v;
	unsigned int removed = 0;
	char tmp[512];
	size_t n;
	pid_t pid;
	int status;

	ASSERT_EQ(0, write_full_inline(self->dir[1], &self->err));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct ckptd_image_wr *w;
		struct synth pre;

		if (ckptd_image_wr_begin(self->jobdir, NULL, &w, &self->err))
			_exit(1);
		head(&pre, 2, 1, CKPT_DUMP_PREDUMP | CKPT_DUMP_DATA_FD | CKPT_DUMP_PRECOPY);
		file_pages(&pre, ckptd_image_wr_data_fd(w), 0, 8, 2);
		synth_end(&pre);
		if (ckptd_image_wr_add_stream(w, pre.buf, pre.len, &self->err))
			_exit(2);
		_exit(0);	/* no commit, no free: a crash */
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_EQ(0, WEXITSTATUS(status));
	find_tmp(self->jobdir, tmp, sizeof(tmp));
	ASSERT_NE(0, tmp[0]);
	ASSERT_EQ(0, ckptd_store_list(self->store, SYN_JOB, &v, &n, &self->err));
	EXPECT_EQ(1, n);
	free(v);
	EXPECT_EQ(1, ckptd_store_max_seq(self->store, SYN_JOB));
	ASSERT_EQ(0, ckptd_image_cleanup_partial(self->store, &removed, &self->err)) TH_LOG("%s", self->err.msg);
	EXPECT_EQ(1, removed);
	EXPECT_FALSE(th_exists("%s", tmp));
	EXPECT_EQ(0, th_open_verify(self->dir[1], &self->err)) TH_LOG("%s", self->err.msg);
}

/* The commit never replaces an image; the writer then removes its own. */
TEST_F(v3, commit_over_an_existing_image_refused)
{
	struct ckptd_image_wr *w;
	struct synth s;
	char tmp[512];

	ASSERT_EQ(0, write_full_inline(self->dir[1], &self->err));
	ASSERT_EQ(0, mkdir(self->dir[2], 0700));	/* even an empty directory */
	ASSERT_EQ(0, ckptd_image_wr_begin(self->jobdir, NULL, &w, &self->err));
	head(&s, 2, 1, CKPT_DUMP_DATA_FD);
	synth_end(&s);
	ASSERT_EQ(0, ckptd_image_wr_add_stream(w, s.buf, s.len, &self->err)) TH_LOG("%s", self->err.msg);
	EXPECT_EQ(-EEXIST, ckptd_image_wr_commit(w, self->dir[1], NULL, 0, NULL, &self->err));
	EXPECT_NE(NULL, strstr(self->err.msg, "an image of that seq exists")) TH_LOG("%s", self->err.msg);
	EXPECT_EQ(0, th_open_verify(self->dir[1], &self->err)) TH_LOG("%s", self->err.msg);
	ckptd_image_wr_free(w);
	find_tmp(self->jobdir, tmp, sizeof(tmp));
	EXPECT_EQ(0, tmp[0]) TH_LOG("%s left behind", tmp);
	synth_free(&s);
}

static void put_file(const char *dir, const char *name, const void *buf, size_t len)
{
	char path[512];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
	if (fd < 0 || write(fd, buf, len) != (ssize_t)len || close(fd))
		abort();
}

/*
 * Version 1, as ckptd wrote it before the data file: records without
 * pages, pages.img in stream order, one xxh64 per MiB and one of the whole
 * file.  Made here, independently of the library's writer.
 */
static void write_v1(const char *dir, const struct synth *s)
{
	struct ckpt_img_manifest m = {
		.magic = CKPT_IMG_MAGIC, .version = CKPT_IMG_VERSION_V1,
		.hdr_len = sizeof(m), .job_id = SYN_JOB, .page_size = SYN_PAGE,
		.chunk_size = CKPT_IMG_CHUNK,
	};
	struct synth rec = { 0 }, pages = { 0 }, pm = { 0 };
	const struct ckpt_rec *h;
	struct ckpt_stream st;
	uint64_t *sums;
	uint8_t *man;
	size_t body, mlen;

	ckpt_stream_init(&st, s->buf, s->len);
	while (ckpt_stream_next(&st, &h, &body) > 0) {
		const struct ckpt_rec_pages *p = (const void *)(h + 1);
		struct ckpt_img_pme e = { .pid = p->pid, .vaddr = p->start,
					  .nr_pages = p->nr_pages };

		if (h->type == CKPT_REC_BEGIN) {
			m.seq = ((const struct ckpt_rec_begin *)p)->dump_seq;
			m.parent_seq = ((const struct ckpt_rec_begin *)p)->parent_seq;
			m.time_ns = ((const struct ckpt_rec_begin *)p)->time_ns;
			m.stream_version = ((const struct ckpt_rec_begin *)p)->version;
		}
		m.nr_tasks += h->type == CKPT_REC_TASK;
		m.nr_threads += h->type == CKPT_REC_THREAD;
		m.nr_vmas += h->type == CKPT_REC_VMA;
		if (h->type == CKPT_REC_PAGES) {
			e.flags = CKPT_IMG_PME_DATA;
			e.offset = pages.len;
			synth_bytes(&pages, p->data, (size_t)p->nr_pages * SYN_PAGE);
			m.nr_pages += p->nr_pages;
		} else if (h->type == CKPT_REC_PAGES_SAME) {
			e.flags = CKPT_IMG_PME_SAME;
			m.nr_pages_same += p->nr_pages;
		} else {
			synth_bytes(&rec, h, h->len);
			continue;
		}
		synth_bytes(&pm, &e, sizeof(e));
		m.nr_pme++;
	}
	m.nr_chunks = (pages.len + CKPT_IMG_CHUNK - 1) / CKPT_IMG_CHUNK;
	m.files[CKPT_IMG_F_RECORDS] = (struct ckpt_img_file_sum){ rec.len, ckptd_xxh64(rec.buf, rec.len, 0) };
	m.files[CKPT_IMG_F_PAGEMAP] = (struct ckpt_img_file_sum){ pm.len, ckptd_xxh64(pm.buf, pm.len, 0) };
	m.files[CKPT_IMG_F_PAGES] = (struct ckpt_img_file_sum){ pages.len, ckptd_xxh64(pages.buf, pages.len, 0) };
	mlen = sizeof(m) + m.nr_chunks * 8 + 8;
	man = calloc(1, mlen);
	memcpy(man, &m, sizeof(m));
	sums = (uint64_t *)(man + sizeof(m));
	for (uint64_t k = 0; k < m.nr_chunks; k++) {
		uint64_t off = k * CKPT_IMG_CHUNK;

		sums[k] = ckptd_xxh64(pages.buf + off, pages.len - off < CKPT_IMG_CHUNK ?
				      pages.len - off : CKPT_IMG_CHUNK, 0);
	}
	sums[m.nr_chunks] = ckptd_xxh64(man, mlen - 8, 0);
	mkdir(dir, 0750);
	put_file(dir, CKPT_IMG_RECORDS, rec.buf, rec.len);
	put_file(dir, CKPT_IMG_PAGEMAP, pm.buf, pm.len);
	put_file(dir, CKPT_IMG_PAGES, pages.buf, pages.len);
	put_file(dir, CKPT_IMG_MANIFEST, man, mlen);
	free(man);
	synth_free(&rec);
	synth_free(&pages);
	synth_free(&pm);
}

/* Images written before version 3 still verify and read, under a v3 child. */
TEST_F(v3, version_1_images_still_read)
{
	struct ckptd_image *img;
	uint8_t page[SYN_PAGE], want[SYN_PAGE];
	struct synth s;

	synth_job(&s, 1, 0, 400);	/* 600 pages: 3 chunks of pages.img */
	write_v1(self->dir[1], &s);
	synth_free(&s);
	ASSERT_EQ(0, ckptd_image_open(self->dir[1], &img, &self->err)) TH_LOG("%s", self->err.msg);
	EXPECT_EQ(1, img->man.version);
	ASSERT_EQ(0, ckptd_image_verify(img, &self->err)) TH_LOG("%s", self->err.msg);
	ckptd_image_close(img);

	/* a version 3 incremental image on top of it */
	ASSERT_EQ(0, th_write_job(self->dir[2], 2, 1, 400, NULL, &self->err)) TH_LOG("%s", self->err.msg);
	ASSERT_EQ(0, ckptd_image_open(self->dir[2], &img, &self->err)) TH_LOG("%s", self->err.msg);
	EXPECT_EQ(3, img->man.version);
	ASSERT_EQ(0, ckptd_image_verify(img, &self->err)) TH_LOG("%s", self->err.msg);
	for (uint32_t i = 0; i < 400; i++) {
		uint64_t va = SYN_HEAP + (uint64_t)i * SYN_PAGE;

		ASSERT_EQ(0, ckptd_image_read_page(img, 100, va, page, &self->err)) TH_LOG("%s", self->err.msg);
		synth_fill(want, 100, va, i < 200 ? 1 : 2);
		ASSERT_EQ(0, memcmp(page, want, SYN_PAGE)) TH_LOG("page %u", i);
	}
	ckptd_image_close(img);

	/* and its corruption is still found per 1 MiB chunk */
	th_flip_byte(self->dir[1], CKPT_IMG_PAGES, CKPT_IMG_CHUNK + 10);
	EXPECT_EQ(-EBADMSG, th_open_verify(self->dir[2], &self->err));
	EXPECT_NE(NULL, strstr(self->err.msg, "/7/1/pages.img: checksum mismatch in chunk 1")) TH_LOG("%s", self->err.msg);
}

TEST_HARNESS_MAIN
