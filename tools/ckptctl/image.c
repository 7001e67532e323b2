// SPDX-License-Identifier: GPL-2.0
/*
 * ckptctl image show|verify DIR: read an image directory directly, without
 * ckpt.ko or ckptd (Documentation/image-format.md).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ckptctl.h"
#include "cmdline.h"
#include "dump_stream.h"
#include "image.h"
#include "json.h"
#include "progress.h"

struct proc {
	int32_t pid, ppid;
	char comm[17];
	uint32_t threads, vmas;
	uint64_t pages, pages_same;
};

struct summary {
	struct proc *procs;
	size_t n;
};

static const char help[] =
	"Usage: " CKPTCTL_PROG " image ls [--json] [--store DIR] [JOB]\n"
	"       " CKPTCTL_PROG " image show [--json] DIR\n"
	"       " CKPTCTL_PROG " image verify DIR\n"
	"\n"
	"Read a checkpoint image directory (<store>/<job>/<seq>) without\n"
	"ckpt.ko or ckptd.\n"
	"\n"
	"  ls       the committed checkpoints in the store ('image ls --help')\n"
	"  show     job, seq, parent, compression (stored and raw bytes),\n"
	"           and per process: pid, ppid, comm, threads, VMAs and pages\n"
	"  verify   check every checksum, the records, the page index and,\n"
	"           for an incremental image, its parents; exit 0 if valid,\n"
	"           else say what is wrong (file and offset) and exit 1\n"
	"  --json   (show) one JSON object instead of a table\n"
	"  --help   this text\n";

static struct proc *find_proc(struct summary *s, int32_t pid)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->procs[i].pid == pid)
			return &s->procs[i];
	return NULL;
}

static int summarize(const struct ckptd_image *img, struct summary *s)
{
	const struct ckpt_rec *rec;
	struct ckpt_stream st;
	size_t body;
	int ret;

	memset(s, 0, sizeof(*s));
	ckpt_stream_init(&st, img->records, img->records_len);
	while ((ret = ckpt_stream_next(&st, &rec, &body)) > 0) {
		const void *b = rec + 1;
		struct proc *p;

		if (rec->type == CKPT_REC_TASK) {
			const struct ckpt_rec_task *t = b;
			struct proc *np = realloc(s->procs, (s->n + 1) * sizeof(*np));

			if (!np) {
				fprintf(stderr, "%s: image: %s: out of memory for process %d\n",
					CKPTCTL_PROG, img->dir, t->pid);
				return -ENOMEM;
			}
			s->procs = np;
			p = &np[s->n++];
			memset(p, 0, sizeof(*p));
			p->pid = t->pid;
			p->ppid = t->ppid;
			memcpy(p->comm, t->comm, sizeof(t->comm));
		} else if (rec->type == CKPT_REC_THREAD) {
			p = find_proc(s, ((const struct ckpt_rec_thread *)b)->pid);
			if (p)
				p->threads++;
		} else if (rec->type == CKPT_REC_VMA) {
			p = find_proc(s, ((const struct ckpt_rec_vma *)b)->pid);
			if (p)
				p->vmas++;
		}
	}
	if (ret < 0) {
		fprintf(stderr, "%s: image: %s/" CKPT_IMG_RECORDS ": %s; run '%s image verify %s'\n",
			CKPTCTL_PROG, img->dir, st.error, CKPTCTL_PROG, img->dir);
		return ret;
	}
	for (uint64_t i = 0; i < img->man.nr_pme; i++) {
		const struct ckpt_img_pme *e = &img->pagemap[i];
		struct proc *p = find_proc(s, e->pid);

		if (!p)
			continue;
		if (e->flags & CKPT_IMG_PME_SAME)
			p->pages_same += e->nr_pages;
		else
			p->pages += e->nr_pages;
	}
	return 0;
}

static uint64_t stored_bytes(const struct ckptd_image *img)
{
	uint64_t n = 0;

	for (int i = 0; i < CKPT_IMG_NR_FILES; i++)
		n += img->man.files[i].size;
	return n;
}

static uint64_t raw_bytes(const struct ckptd_image *img)
{
	uint64_t n = 0;

	for (int i = 0; i < CKPT_IMG_NR_FILES; i++)
		n += img->zi.raw_size[i];
	return n;
}

/* "compression  zstd (level 3): 12.0 MiB stored, 256.1 MiB raw (4.7%)" */
static void print_compression(const struct ckptd_image *img)
{
	uint64_t st = stored_bytes(img), raw = raw_bytes(img);
	char a[32], b[32];

	ckptctl_fmt_bytes(a, sizeof(a), st);
	ckptctl_fmt_bytes(b, sizeof(b), raw);
	if (img->zi.compression == CKPT_IMG_COMP_NONE) {
		printf("%-12s none: %s\n", "compression", a);
		return;
	}
	printf("%-12s %s (level %d): %s stored, %s raw (%.1f%%)\n",
	       "compression", ckptd_image_compression_name(img->zi.compression),
	       img->zi.level, a, b, raw ? 100.0 * st / raw : 100.0);
	for (int i = 0; i < CKPT_IMG_NR_FILES; i++) {
		static const char *const names[CKPT_IMG_NR_FILES] = {
			CKPT_IMG_RECORDS, CKPT_IMG_PAGEMAP, CKPT_IMG_PAGES,
		};

		ckptctl_fmt_bytes(a, sizeof(a), img->man.files[i].size);
		ckptctl_fmt_bytes(b, sizeof(b), img->zi.raw_size[i]);
		printf("%-12s %-12s %s stored, %s raw%s\n", "", names[i], a, b,
		       img->zi.zfiles & (1U << i) ? "" : " (not compressed)");
	}
}

static void print_table(const struct ckptd_image *img, const struct summary *s)
{
	const struct ckpt_img_manifest *m = &img->man;

	printf("%-12s %s\n", "image", img->dir);
	printf("%-12s %u\n", "job", m->job_id);
	printf("%-12s %llu\n", "seq", (unsigned long long)m->seq);
	if (m->parent_seq)
		printf("%-12s %llu (incremental)\n", "parent",
		       (unsigned long long)m->parent_seq);
	else
		printf("%-12s none (full image)\n", "parent");
	printf("%-12s %u\n", "format", m->version);
	print_compression(img);
	printf("%-12s %u\n", "page size", m->page_size);
	printf("%-12s %u processes, %u threads, %u VMAs, %llu pages stored, %llu unchanged (in parent)\n",
	       "totals", m->nr_tasks, m->nr_threads, m->nr_vmas,
	       (unsigned long long)m->nr_pages,
	       (unsigned long long)m->nr_pages_same);
	printf("\n%7s %7s %-16s %7s %6s %9s %9s\n", "PID", "PPID", "COMM",
	       "THREADS", "VMAS", "PAGES", "UNCHANGED");
	for (size_t i = 0; i < s->n; i++) {
		const struct proc *p = &s->procs[i];

		printf("%7d %7d %-16s %7u %6u %9llu %9llu\n", p->pid, p->ppid,
		       p->comm, p->threads, p->vmas,
		       (unsigned long long)p->pages,
		       (unsigned long long)p->pages_same);
	}
}

static void print_json(const struct ckptd_image *img, const struct summary *s)
{
	const struct ckpt_img_manifest *m = &img->man;
	struct json_out j;

	ckptctl_json_begin(&j);
	json_string(&j, "dir", img->dir);
	json_u64(&j, "format_version", m->version);
	json_u64(&j, "job", m->job_id);
	json_u64(&j, "seq", m->seq);
	json_u64(&j, "parent_seq", m->parent_seq);
	json_string(&j, "compression", ckptd_image_compression_name(img->zi.compression));
	if (img->zi.compression != CKPT_IMG_COMP_NONE)
		json_u64(&j, "compression_level", (uint32_t)img->zi.level);
	json_u64(&j, "bytes", stored_bytes(img));
	json_u64(&j, "raw_bytes", raw_bytes(img));
	json_u64(&j, "page_size", m->page_size);
	json_u64(&j, "time_ns", m->time_ns);
	json_u64(&j, "nr_tasks", m->nr_tasks);
	json_u64(&j, "nr_threads", m->nr_threads);
	json_u64(&j, "nr_vmas", m->nr_vmas);
	json_u64(&j, "nr_pages", m->nr_pages);
	json_u64(&j, "nr_pages_same", m->nr_pages_same);
	json_begin_array(&j, "processes");
	for (size_t i = 0; i < s->n; i++) {
		const struct proc *p = &s->procs[i];

		json_begin_object(&j, NULL);
		json_u64(&j, "pid", (uint32_t)p->pid);
		json_u64(&j, "ppid", (uint32_t)p->ppid);
		json_string(&j, "comm", p->comm);
		json_u64(&j, "threads", p->threads);
		json_u64(&j, "vmas", p->vmas);
		json_u64(&j, "pages", p->pages);
		json_u64(&j, "pages_same", p->pages_same);
		json_end_object(&j);
	}
	json_end_array(&j);
	ckptctl_json_end(&j);
}

static int open_image(const char *dir, struct ckptd_image **img)
{
	struct ckpt_err err = { 0 };
	int ret = ckptd_image_open(dir, img, &err);

	if (ret)
		fprintf(stderr, "%s: image: %s\n", CKPTCTL_PROG, err.msg);
	return ret;
}

static int image_show(const char *dir, int json)
{
	struct ckptd_image *img;
	struct summary s;
	int ret;

	if (open_image(dir, &img))
		return CKPTCTL_EXIT_FAILED;
	ret = summarize(img, &s);
	if (!ret) {
		if (json)
			print_json(img, &s);
		else
			print_table(img, &s);
	}
	free(s.procs);
	ckptd_image_close(img);
	return ret ? CKPTCTL_EXIT_FAILED : CKPTCTL_EXIT_OK;
}

static int image_verify(const char *dir)
{
	struct ckpt_err err = { 0 };
	struct ckptd_image *img;
	int ret;

	if (open_image(dir, &img))
		return CKPTCTL_EXIT_FAILED;
	ret = ckptd_image_verify(img, &err);
	if (ret)
		fprintf(stderr, "%s: image verify: %s\n", CKPTCTL_PROG, err.msg);
	else
		printf("%s: valid (format %u, job %u, seq %llu, %llu pages%s)\n", dir,
		       img->man.version, img->man.job_id, (unsigned long long)img->man.seq,
		       (unsigned long long)img->man.nr_pages,
		       img->man.parent_seq ? ", parent chain valid" : "");
	ckptd_image_close(img);
	return ret ? CKPTCTL_EXIT_FAILED : CKPTCTL_EXIT_OK;
}

int image_main(int argc, char *argv[])
{
	static const struct ckptctl_cmd image = { .name = "image", .help = help };
	static const struct ckptctl_cmd show = {
		.name = "image", .action = "show", .help = help, .shared = CKPTCTL_O_JSON,
	};
	static const struct ckptctl_cmd verify = {
		.name = "image", .action = "verify", .help = help,
	};
	const struct ckptctl_cmd *cmd = &image;
	struct ckptctl_args a;
	int ret;

	if (argc >= 2 && !strcmp(argv[1], "ls"))
		return image_ls_main(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "show"))
		cmd = &show;
	else if (argc >= 2 && !strcmp(argv[1], "verify"))
		cmd = &verify;
	if (cmd != &image) {
		argc--;
		argv++;
	}
	ret = ckptctl_parse(cmd, argc, argv, &a);
	if (ret)
		return ckptctl_stop_exit(ret);
	if (cmd == &image && !a.argc) {
		fputs(help, stderr);
		return CKPTCTL_EXIT_USAGE;
	}
	if (cmd == &image || a.argc != 1) {
		fprintf(stderr, "%s: image: expected 'show [--json] DIR' or 'verify DIR'; see '%s image --help'\n",
			CKPTCTL_PROG, CKPTCTL_PROG);
		return CKPTCTL_EXIT_USAGE;
	}
	if (cmd == &show)
		return image_show(a.argv[0], a.json);
	return image_verify(a.argv[0]);
}
