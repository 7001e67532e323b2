// SPDX-License-Identifier: GPL-2.0
/*
 * Measuring helper (not a test): the time ckptd spends writing an image
 * of N MiB of pages (default 256), one process, pages in 64-page runs.
 *
 *   image_wrbench STORE [MIB]
 *
 * "data file": the pages are in the writer's data file already (written
 * and fsynced here, as ckpt.ko would write them, not timed); timed are
 * ckptd_image_wr_add_stream() of the PAGES_FILE stream and the commit:
 * metadata only.  "not yet written back": the same without the fsync
 * first, so the commit's fsync writes the pages out (on a disk).  "stream": the same pages inline in a dump stream in a
 * memfd, timed is ckptd_image_write() reading it, copying, hashing and
 * writing pages.img (the path before the data file).  Linked against an
 * older libckpt_image.a with -DSTREAM_ONLY, the second line measures that
 * library's writer.  Prints one line per measurement, milliseconds.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "image.h"
#include "image_store.h"
#include "synth_stream.h"

#define RUN	CKPT_PAGES_MAX_RUN

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void head(struct synth *s, uint64_t npages, uint32_t flags)
{
	memset(s, 0, sizeof(*s));
	synth_begin(s, 1, 0);
	((struct ckpt_rec_begin *)(s->buf + sizeof(struct ckpt_rec)))->flags |= flags;
	synth_task(s, 100, 1, "bench", 1);
	synth_thread(s, 100, 100);
	synth_rec(s, CKPT_REC_MM, NULL, sizeof(struct ckpt_rec_mm));
	synth_vma(s, 100, SYN_HEAP, SYN_HEAP + npages * SYN_PAGE, "");
}

static void fill(uint8_t *p, uint64_t i)
{
	memset(p, (int)(i * 7 + 1), SYN_PAGE);
	memcpy(p, &i, sizeof(i));
}

#ifndef STREAM_ONLY
static double data_file(const char *store, uint64_t npages, int seq, int synced)
{
	struct ckptd_image_write_stats st;
	struct ckpt_err err = { 0 };
	struct ckptd_image_wr *w;
	char job[4096], dir[4200];
	uint8_t *chunk = malloc(RUN * SYN_PAGE);
	struct synth s;
	double t0, t1;
	int fd;

	snprintf(job, sizeof(job), "%s/%u", store, SYN_JOB);
	snprintf(dir, sizeof(dir), "%s/%d", job, seq);
	if (ckptd_image_wr_begin(job, NULL, &w, &err)) {
		fprintf(stderr, "%s\n", err.msg);
		exit(1);
	}
	fd = ckptd_image_wr_data_fd(w);
	head(&s, npages, CKPT_DUMP_DATA_FD);
	for (uint64_t p = 0; p < npages; p += RUN) {
		struct ckpt_rec_pages_file *r = synth_rec(&s, CKPT_REC_PAGES_FILE, NULL,
							  sizeof(*r) + RUN * 8);

		r->pid = 100;
		r->nr_pages = RUN;
		r->start = SYN_HEAP + p * SYN_PAGE;
		r->offset = p * SYN_PAGE;
		for (int i = 0; i < RUN; i++) {
			fill(chunk + i * SYN_PAGE, p + i);
			r->hash[i] = ckptd_page_sum(chunk + i * SYN_PAGE, SYN_PAGE);
		}
		if (pwrite(fd, chunk, RUN * SYN_PAGE, p * SYN_PAGE) != RUN * SYN_PAGE)
			abort();
		s.pages += RUN;
	}
	synth_end(&s);
	if (synced)
		fsync(fd);
	t0 = now_ms();
	if (ckptd_image_wr_add_stream(w, s.buf, s.len, &err) ||
	    ckptd_image_wr_commit(w, dir, NULL, 0, &st, &err)) {
		fprintf(stderr, "%s\n", err.msg);
		exit(1);
	}
	t1 = now_ms();
	ckptd_image_wr_free(w);
	synth_free(&s);
	free(chunk);
	return t1 - t0;
}
#endif

static double stream(const char *store, uint64_t npages, int seq)
{
	struct ckpt_err err = { 0 };
	char dir[4200];
	struct synth s;
	double t0, t1;
	int fd;

	snprintf(dir, sizeof(dir), "%s/%u/%d", store, SYN_JOB, seq);
	head(&s, npages, 0);
	for (uint64_t p = 0; p < npages; p += RUN) {
		struct ckpt_rec_pages *r = synth_rec(&s, CKPT_REC_PAGES, NULL,
						     sizeof(*r) + RUN * SYN_PAGE);

		r->pid = 100;
		r->nr_pages = RUN;
		r->start = SYN_HEAP + p * SYN_PAGE;
		for (int i = 0; i < RUN; i++)
			fill(r->data + i * SYN_PAGE, p + i);
		s.pages += RUN;
	}
	synth_end(&s);
	fd = synth_fd(s.buf, s.len);
	synth_free(&s);
	if (fd < 0)
		abort();
	t0 = now_ms();
	if (ckptd_image_write(dir, fd, NULL, NULL, &err)) {
		fprintf(stderr, "%s\n", err.msg);
		exit(1);
	}
	t1 = now_ms();
	close(fd);
	return t1 - t0;
}

int main(int argc, char *argv[])
{
	uint64_t mib = argc > 2 ? strtoull(argv[2], NULL, 0) : 256;
	uint64_t npages = mib * (1 << 20) / SYN_PAGE;
	char job[4096];
	int seq = 1;

	if (argc < 2) {
		fprintf(stderr, "usage: image_wrbench STORE [MIB]\n");
		return 2;
	}
	snprintf(job, sizeof(job), "%s/%u", argv[1], SYN_JOB);
	mkdir(argv[1], 0755);
	mkdir(job, 0755);
	for (int i = 0; i < 3; i++) {
#ifndef STREAM_ONLY
		printf("data file %llu MiB: %.1f ms\n", (unsigned long long)mib,
		       data_file(argv[1], npages, seq++, 1));
		printf("data file %llu MiB, not yet written back: %.1f ms\n",
		       (unsigned long long)mib, data_file(argv[1], npages, seq++, 0));
#endif
		printf("stream    %llu MiB: %.1f ms\n", (unsigned long long)mib,
		       stream(argv[1], npages, seq++));
	}
	return 0;
}
