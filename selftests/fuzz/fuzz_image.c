// SPDX-License-Identifier: GPL-2.0
/*
 * Image directories as the restorer and ckptd read them: manifest (with
 * its chunk sums and compression block), records.img, pagemap.img and
 * pages.img of an image and optionally of its parent, through
 * ckptd_image_open()/ckptd_image_verify() (image/) and the
 * restorer's loader (tools/ckpt-restore/job.c, memory/page_runs.c), then
 * every indexed page read back.
 *
 * Input: one flags byte, then fuzz_section()s: the image's manifest,
 * records.img, pagemap.img, pages.img, then the same four for the parent
 * (written as <job>/<parent_seq> beside it).  Flags: bit 0/1 fix up the
 * checksums and sizes of the image/the parent, so that mutations get past
 * them to the structure behind (version 3: the per-page sums); bit 2:
 * decompress pages into a memfd as the restorer does.
 */
#include <zstd.h>

#include "fuzz.h"
#include "fuzz_zchunk.h"
#include "image.h"
#include "memory/memory.h"
#include "xxh64.h"

static const char *const names[CKPT_IMG_NR_FILES] = {
	CKPT_IMG_RECORDS, CKPT_IMG_PAGEMAP, CKPT_IMG_PAGES,
};

struct files {
	const uint8_t *p[1 + CKPT_IMG_NR_FILES];	/* manifest, then files */
	size_t len[1 + CKPT_IMG_NR_FILES];
	uint8_t *man;		/* a fixed-up copy of the manifest, or NULL */
};

/* Sizes, file checksums, chunk sums and the manifest's own checksum. */
static void fix_up(struct files *fs, uint8_t **fixed_files)
{
	struct ckpt_img_manifest man;
	struct ckpt_img_zinfo zi = { 0 };
	size_t mlen = fs->len[0];
	uint64_t *sums = NULL, nr_sums = 0;
	bool zinfo = false;

	if (!fs->p[0] || mlen < sizeof(man) + 8)
		return;
	fs->man = malloc(mlen);
	memcpy(fs->man, fs->p[0], mlen);
	memcpy(&man, fs->man, sizeof(man));
	if (man.version == CKPT_IMG_VERSION_COMPRESSED && man.hdr_len >= sizeof(man) + sizeof(zi) &&
	    man.hdr_len <= mlen - 8) {
		memcpy(&zi, fs->man + sizeof(man), sizeof(zi));
		zinfo = true;
	}
	if (man.hdr_len <= mlen - 8) {
		sums = (uint64_t *)(fs->man + man.hdr_len);
		nr_sums = (mlen - 8 - man.hdr_len) / 8;
		if (man.nr_chunks < nr_sums)
			nr_sums = man.nr_chunks;
	}
	for (int i = 0; i < CKPT_IMG_NR_FILES; i++) {
		uint8_t *f;
		size_t len = fs->len[1 + i];

		if (!fs->p[1 + i])
			continue;
		f = fixed_files[i] = malloc(len ? len : 1);
		memcpy(f, fs->p[1 + i], len);
		fs->p[1 + i] = f;
		if (zinfo && (zi.zfiles & (1U << i))) {
			fuzz_fix_zchunks(f, len, i == CKPT_IMG_F_PAGES ? sums : NULL, nr_sums);
		} else {
			if (zinfo)
				zi.raw_size[i] = len;
			if (i == CKPT_IMG_F_PAGES && man.version == CKPT_IMG_VERSION_PLAIN) {
				/* version 3: the module's hash of each page */
				uint64_t ps = man.page_size;

				for (uint64_t k = 0; ps && ps <= len && k < nr_sums &&
				     k < len / ps; k++) {
					uint64_t s = ckptd_xxh64(f + k * ps, ps, 0) >> 1;

					memcpy(&sums[k], &s, 8);
				}
			} else if (i == CKPT_IMG_F_PAGES)
				for (uint64_t k = 0; k < nr_sums; k++) {
					uint64_t off = k * CKPT_IMG_CHUNK, s;

					if (off >= len)
						break;
					s = ckptd_xxh64(f + off, len - off < CKPT_IMG_CHUNK ?
							len - off : CKPT_IMG_CHUNK, 0);
					memcpy(&sums[k], &s, 8);
				}
		}
		if (i == CKPT_IMG_F_PAGEMAP && len % sizeof(struct ckpt_img_pme) == 0)
			man.nr_pme = len / sizeof(struct ckpt_img_pme);
		man.files[i].size = len;
		man.files[i].xxh64 = i == CKPT_IMG_F_PAGES && man.version == CKPT_IMG_VERSION_PLAIN ?
				     0 : ckptd_xxh64(f, len, 0);
	}
	memcpy(fs->man, &man, sizeof(man));
	if (zinfo)
		memcpy(fs->man + sizeof(man), &zi, sizeof(zi));
	{
		uint64_t self = ckptd_xxh64(fs->man, mlen - 8, 0);

		memcpy(fs->man + mlen - 8, &self, 8);
	}
	fs->p[0] = fs->man;
}

static int take(struct fuzz_cursor *c, struct files *fs)
{
	int n = 0;

	memset(fs, 0, sizeof(*fs));
	for (int i = 0; i < 1 + CKPT_IMG_NR_FILES; i++)
		n += fuzz_section(c, &fs->p[i], &fs->len[i]);
	return n;
}

static void put_dir(const char *dir, const struct files *fs)
{
	char path[512];

	mkdir(dir, 0700);
	for (int i = 0; i < 1 + CKPT_IMG_NR_FILES; i++) {
		if (!fs->p[i])
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, i ? names[i - 1] : CKPT_IMG_MANIFEST);
		fuzz_write_file(path, fs->p[i], fs->len[i]);
	}
}

/* What the restorer does with an image before it creates any process. */
static void restore_load(const char *dir, bool pages_fd)
{
	struct rst r;

	memset(&r, 0, sizeof(r));
	r.opts.verify_only = !pages_fd;
	if (!rst_load(&r, dir)) {
		for (size_t i = 0; i < r.nr_tasks; i++) {
			struct rst_run *runs;
			size_t nr;

			if (!rst_page_runs(&r, r.tasks[i].task->pid, &runs, &nr)) {
				fuzz_keep(nr);
				free(runs);
			}
		}
		/* every indexed page reads back, through the parents */
		for (uint64_t i = 0; i < r.img->man.nr_pme && i < 64; i++) {
			static uint8_t page[4096];
			const struct ckpt_img_pme *e = &r.img->pagemap[i];

			if (!ckptd_image_read_page(r.img, e->pid, e->vaddr, page, &r.err))
				fuzz_keep(page[0]);
		}
	}
	fuzz_debug("restore load: %zu processes; %s\n", r.nr_tasks, r.err.msg);
	fuzz_keep(strlen(r.err.msg));
	rst_free(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_cursor c = { data + 1, size ? size - 1 : 0 };
	uint8_t *fixed[2][CKPT_IMG_NR_FILES] = { { NULL } };
	struct files top, parent;
	char job[256], dir[300], pdir[300];
	uint64_t pseq = 0;
	int have_parent;

	if (!size)
		return 0;
	snprintf(job, sizeof(job), "%s/7", fuzz_scratch());
	mkdir(job, 0700);
	take(&c, &top);
	have_parent = take(&c, &parent);
	if (data[0] & 1)
		fix_up(&top, fixed[0]);
	if (data[0] & 2)
		fix_up(&parent, fixed[1]);
	snprintf(dir, sizeof(dir), "%s/top", job);
	put_dir(dir, &top);
	if (have_parent && top.p[0] &&
	    top.len[0] >= offsetof(struct ckpt_img_manifest, parent_seq) + 8)
		memcpy(&pseq, top.p[0] + offsetof(struct ckpt_img_manifest, parent_seq), 8);
	snprintf(pdir, sizeof(pdir), "%s/%llu", job, (unsigned long long)pseq);
	if (pseq)
		put_dir(pdir, &parent);

	restore_load(dir, data[0] & 4);

	fuzz_rm_dir(dir);
	if (pseq)
		fuzz_rm_dir(pdir);
	free(top.man);
	free(parent.man);
	for (int i = 0; i < CKPT_IMG_NR_FILES; i++) {
		free(fixed[0][i]);
		free(fixed[1][i]);
	}
	return 0;
}
