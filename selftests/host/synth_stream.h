/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Synthetic dump streams for the image tests: the records ckpt.ko would
 * send for a small job, with page contents that a test can recompute
 * from (pid, address, generation).
 */
#ifndef SYNTH_STREAM_H
#define SYNTH_STREAM_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/ckpt.h>

#include "xxh64.h"

#define SYN_PAGE	4096u
#define SYN_JOB		7
#define SYN_HEAP	0x10000000ULL	/* pages of every process start here */

struct synth {
	uint8_t *buf;
	size_t len, cap;
	uint32_t tasks, threads, vmas;
	uint64_t pages, same;
};

static void __attribute__((unused)) synth_free(struct synth *s)
{
	free(s->buf);
	memset(s, 0, sizeof(*s));
}

/* Appends a record; the body is copied, NULL means zeroes. */
static void *synth_rec(struct synth *s, uint32_t type, const void *body,
		       size_t body_len)
{
	size_t len = (sizeof(struct ckpt_rec) + body_len + 7) & ~(size_t)7;
	struct ckpt_rec *h;

	if (s->len + len > s->cap) {
		s->cap = (s->len + len) * 2;
		s->buf = realloc(s->buf, s->cap);
		if (!s->buf)
			abort();
	}
	h = (struct ckpt_rec *)(s->buf + s->len);
	memset(h, 0, len);
	h->type = type;
	h->len = len;
	if (body)
		memcpy(h + 1, body, body_len);
	s->len += len;
	return h + 1;
}

/* Appends len raw bytes (a data file, not a record). */
static void __attribute__((unused)) synth_bytes(struct synth *s, const void *p, size_t len)
{
	if (s->len + len > s->cap) {
		s->cap = (s->len + len) * 2;
		s->buf = realloc(s->buf, s->cap);
		if (!s->buf)
			abort();
	}
	memcpy(s->buf + s->len, p, len);
	s->len += len;
}

/* The contents of page vaddr of pid as written in generation gen. */
static void __attribute__((unused)) synth_fill(void *page, int32_t pid,
					       uint64_t vaddr, uint32_t gen)
{
	uint64_t *p = page, x = (uint64_t)pid << 40 ^ vaddr ^ (uint64_t)gen << 56;

	for (unsigned int i = 0; i < SYN_PAGE / 8; i++) {
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		p[i] = x;
	}
}

static void synth_begin(struct synth *s, uint64_t seq, uint64_t parent)
{
	struct ckpt_rec_begin b = {
		.magic = CKPT_STREAM_MAGIC, .version = CKPT_STREAM_VERSION,
		.job_id = SYN_JOB, .page_size = SYN_PAGE, .nr_tasks = 2,
		.time_ns = 1700000000000000000ULL, .dump_seq = seq,
		.parent_seq = parent,
		.flags = parent ? CKPT_DUMP_INCREMENTAL : 0,
	};

	strcpy(b.kernel_release, "6.1.0-test");
	synth_rec(s, CKPT_REC_BEGIN, &b, sizeof(b));
}

static void synth_task(struct synth *s, int32_t pid, int32_t ppid,
		       const char *comm, uint32_t nr_threads)
{
	struct ckpt_rec_task t = { .pid = pid, .ppid = ppid, .pgid = pid,
				   .sid = pid, .nr_threads = nr_threads };

	strncpy(t.comm, comm, sizeof(t.comm) - 1);
	synth_rec(s, CKPT_REC_TASK, &t, sizeof(t));
	s->tasks++;
}

static void synth_thread(struct synth *s, int32_t pid, int32_t tid)
{
	uint8_t buf[sizeof(struct ckpt_rec_thread) + 32];
	struct ckpt_rec_thread *t = (void *)buf;

	memset(buf, 0, sizeof(buf));
	t->pid = pid;
	t->tid = tid;
	t->regs_len = 27;	/* padded to 32 */
	memset(t->data, tid & 0xff, 27);
	synth_rec(s, CKPT_REC_THREAD, buf, sizeof(buf));
	s->threads++;
}

static void synth_vma(struct synth *s, int32_t pid, uint64_t start,
		      uint64_t end, const char *path)
{
	uint8_t buf[sizeof(struct ckpt_rec_vma) + 64];
	struct ckpt_rec_vma *v = (void *)buf;

	memset(buf, 0, sizeof(buf));
	v->pid = pid;
	v->start = start;
	v->end = end;
	v->flags = CKPT_VMA_READ | CKPT_VMA_WRITE | CKPT_VMA_ANON;
	v->path_len = strlen(path) + 1;
	strcpy(v->path, path);
	synth_rec(s, CKPT_REC_VMA, buf, sizeof(*v) + v->path_len);
	s->vmas++;
}

/* nr pages from start, in runs of at most CKPT_PAGES_MAX_RUN. */
static void synth_pages(struct synth *s, int32_t pid, uint64_t start,
			uint32_t nr, uint32_t gen, int same)
{
	while (nr) {
		uint32_t n = nr < CKPT_PAGES_MAX_RUN ? nr : CKPT_PAGES_MAX_RUN;

		if (same) {
			struct ckpt_rec_pages_same r = { .pid = pid,
							 .nr_pages = n,
							 .start = start };

			synth_rec(s, CKPT_REC_PAGES_SAME, &r, sizeof(r));
			s->same += n;
		} else {
			struct ckpt_rec_pages *r = synth_rec(s, CKPT_REC_PAGES,
				NULL, sizeof(*r) + (size_t)n * SYN_PAGE);

			r->pid = pid;
			r->nr_pages = n;
			r->start = start;
			for (uint32_t i = 0; i < n; i++)
				synth_fill(r->data + (size_t)i * SYN_PAGE, pid,
					   start + (uint64_t)i * SYN_PAGE, gen);
			s->pages += n;
		}
		start += (uint64_t)n * SYN_PAGE;
		nr -= n;
	}
}

/*
 * nr pages from start of pid as generation gen, the way ckpt.ko writes
 * them with CKPT_DUMP_DATA_FD: the contents appended to data (the data
 * file), a PAGES_FILE record with their offset there and each page's hash
 * (xxh64 >> 1).
 */
static void __attribute__((unused)) synth_pages_file(struct synth *s, struct synth *data,
						     int32_t pid, uint64_t start,
						     uint32_t nr, uint32_t gen)
{
	struct ckpt_rec_pages_file *r = synth_rec(s, CKPT_REC_PAGES_FILE, NULL,
						  sizeof(*r) + (size_t)nr * 8);
	uint8_t page[SYN_PAGE];

	r->pid = pid;
	r->nr_pages = nr;
	r->start = start;
	r->offset = data->len;
	for (uint32_t i = 0; i < nr; i++) {
		synth_fill(page, pid, start + (uint64_t)i * SYN_PAGE, gen);
		synth_bytes(data, page, SYN_PAGE);
		r->hash[i] = ckptd_xxh64(page, SYN_PAGE, 0) >> 1;
	}
	s->pages += nr;
}

static void synth_end(struct synth *s)
{
	struct ckpt_rec_end e = { .nr_tasks = s->tasks,
				  .nr_threads = s->threads,
				  .nr_vmas = s->vmas, .nr_pages = s->pages,
				  .nr_pages_same = s->same };

	synth_rec(s, CKPT_REC_END, &e, sizeof(e));
}

/*
 * A job of two processes: "server" (pid 100, two threads, npages pages)
 * and "worker" (pid 101, one thread, npages / 2 pages).  A full dump
 * (parent 0) writes every page as generation seq; an incremental one
 * marks the first half of each process's pages unchanged (PAGES_SAME) and
 * writes the second half as generation seq.  With restorable, each
 * process also has what the restorer needs of it: SIGACTIONS and an MM
 * record that name it.
 */
static void synth_job_as(struct synth *s, uint64_t seq, uint64_t parent,
			 uint32_t npages, int restorable)
{
	static const struct { int32_t pid, ppid; const char *comm; int thr; }
		procs[] = { { 100, 1, "server", 2 }, { 101, 100, "worker", 1 } };

	memset(s, 0, sizeof(*s));
	synth_begin(s, seq, parent);
	for (int p = 0; p < 2; p++) {
		int32_t pid = procs[p].pid;
		uint32_t n = p ? npages / 2 : npages;
		uint32_t half = parent ? n / 2 : 0;
		struct ckpt_rec_mm mm = { .pid = pid, .nr_vmas = 2 };
		struct ckpt_rec_sigactions sa = { .pid = pid };

		synth_task(s, pid, procs[p].ppid, procs[p].comm, procs[p].thr);
		if (restorable)
			synth_rec(s, CKPT_REC_SIGACTIONS, &sa, sizeof(sa));
		for (int t = 0; t < procs[p].thr; t++)
			synth_thread(s, pid, pid + t * 1000);
		synth_rec(s, CKPT_REC_MM, restorable ? &mm : NULL, sizeof(mm));
		synth_vma(s, pid, 0x400000, 0x401000, "/usr/bin/server");
		synth_vma(s, pid, SYN_HEAP, SYN_HEAP + (uint64_t)n * SYN_PAGE,
			  "");
		if (half)
			synth_pages(s, pid, SYN_HEAP, half, 0, 1);
		synth_pages(s, pid, SYN_HEAP + (uint64_t)half * SYN_PAGE,
			    n - half, seq, 0);
	}
	synth_end(s);
}

static void __attribute__((unused)) synth_job(struct synth *s, uint64_t seq,
					      uint64_t parent, uint32_t npages)
{
	synth_job_as(s, seq, parent, npages, 0);
}

/* A memfd holding len bytes of buf, at offset 0, or -1. */
static int __attribute__((unused)) synth_fd(const void *buf, size_t len)
{
	int fd = memfd_create("stream", MFD_CLOEXEC);
	size_t done = 0;

	while (fd >= 0 && done < len) {
		ssize_t n = write(fd, (const uint8_t *)buf + done, len - done);

		if (n <= 0)
			return -1;
		done += n;
	}
	if (fd >= 0)
		lseek(fd, 0, SEEK_SET);
	return fd;
}

#endif /* SYNTH_STREAM_H */
