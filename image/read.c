// SPDX-License-Identifier: GPL-2.0
/*
 * Opening an image: the manifest is checked (magic, version, its own
 * checksum, consistency) and the files must have the sizes it names;
 * records.img and pagemap.img are loaded, pages.img is read on demand.
 * Pages are found through a (pid, vaddr)-sorted index of the pagemap and
 * PAGES_SAME entries through the parent images.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image.h"
#include "zread.h"
#include "xxh64.h"

#define CHAIN_MAX	4096	/* parents followed at most */
#define MANIFEST_MAX	(1ULL << 30)

/* Reads a whole file of the expected size into a new buffer. */
static int load(const char *dir, const char *name, uint64_t size,
		uint8_t **out, struct ckpt_err *err)
{
	char path[4200];
	uint8_t *buf;
	size_t done = 0;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		return ckpt_err_set(err, -errno, "%s: %s", path, strerror(errno));
	}
	buf = malloc(size ? size : 1);
	if (!buf) {
		close(fd);
		return ckpt_err_set(err, -ENOMEM, "%s: out of memory for %llu bytes", path,
			      (unsigned long long)size);
	}
	while (done < size) {
		ssize_t n = read(fd, buf + done, size - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int e = n ? errno : EBADMSG;

			ckpt_err_msg(err, "%s: read at offset %zu: %s", path,
				      done, n ? strerror(e) : "file shorter than the manifest says");
			free(buf);
			close(fd);
			return -e;
		}
		done += n;
	}
	close(fd);
	*out = buf;
	return 0;
}

/* Version 2: the compression block after the header. */
static int check_zinfo(const char *path, const uint8_t *m,
		       const struct ckpt_img_manifest *man,
		       struct ckpt_img_zinfo *zi, struct ckpt_err *err)
{
	static const char *const names[CKPT_IMG_NR_FILES] = {
		CKPT_IMG_RECORDS, CKPT_IMG_PAGEMAP, CKPT_IMG_PAGES,
	};
	const uint32_t known = 1U << CKPT_IMG_F_RECORDS | 1U << CKPT_IMG_F_PAGES;

	for (int i = 0; i < CKPT_IMG_NR_FILES; i++)
		zi->raw_size[i] = man->files[i].size;
	if (man->version != CKPT_IMG_VERSION_COMPRESSED)
		return 0;
	if (man->hdr_len < sizeof(*man) + sizeof(*zi)) {
		return ckpt_err_set(err, -EBADMSG, "%s: a version %u header of %u bytes is too short: the manifest is corrupt",
			      path, man->version, man->hdr_len);
	}
	memcpy(zi, m + sizeof(*man), sizeof(*zi));
	if (zi->compression >= CKPT_IMG_COMP_NR) {
		return ckpt_err_set(err, -EPROTONOSUPPORT, "%s: the image uses compression method %u, which this program does not know (it knows none and zstd); upgrade ckpt to read it",
			      path, zi->compression);
	}
	if (zi->pad || (zi->zfiles & ~known) ||
	    (zi->compression == CKPT_IMG_COMP_NONE) != !zi->zfiles) {
		return ckpt_err_set(err, -EBADMSG, "%s: inconsistent compression block (method %u, files 0x%x): the manifest is corrupt",
			      path, zi->compression, zi->zfiles);
	}
	for (int i = 0; i < CKPT_IMG_NR_FILES; i++)
		if (!(zi->zfiles & (1U << i)) && zi->raw_size[i] != man->files[i].size) {
			return ckpt_err_set(err, -EBADMSG, "%s: %s is not compressed but has two sizes: the manifest is corrupt",
				      path, names[i]);
		}
	return 0;
}

static int check_manifest(const char *path, const uint8_t *m, size_t len,
			  struct ckpt_img_manifest *man,
			  struct ckpt_img_zinfo *zi, struct ckpt_err *err)
{
	uint64_t self, want;
	int ret;

	if (len < sizeof(*man) + 8) {
		return ckpt_err_set(err, -EBADMSG, "%s: %zu bytes, too short for a manifest (truncated)",
			      path, len);
	}
	memcpy(man, m, sizeof(*man));
	if (man->magic != CKPT_IMG_MAGIC) {
		return ckpt_err_set(err, -EBADMSG, "%s: not a ckpt image manifest (magic 0x%016llx at offset 0)",
			      path, (unsigned long long)man->magic);
	}
	if (man->version > CKPT_IMG_VERSION) {
		return ckpt_err_set(err, -EPROTONOSUPPORT, "%s: image format version %u is newer than this program's %u; upgrade ckpt to read it",
			      path, man->version, CKPT_IMG_VERSION);
	}
	if (man->hdr_len < sizeof(*man) || man->hdr_len % 8 ||
	    man->nr_chunks > (len - 8) / 8 ||
	    len != man->hdr_len + man->nr_chunks * 8 + 8) {
		return ckpt_err_set(err, -EBADMSG, "%s: %zu bytes do not match its header (header %u bytes, %llu chunk sums): truncated or corrupt",
			      path, len, man->hdr_len,
			      (unsigned long long)man->nr_chunks);
	}
	memcpy(&self, m + len - 8, 8);
	want = ckptd_xxh64(m, len - 8, 0);
	if (self != want) {
		return ckpt_err_set(err, -EBADMSG, "%s: checksum mismatch at offset %zu: the manifest is corrupt",
			      path, len - 8);
	}
	ret = check_zinfo(path, m, man, zi, err);
	if (ret)
		return ret;
	if (!man->version || !man->page_size || (man->page_size & (man->page_size - 1)) ||
	    !man->seq || man->parent_seq >= man->seq ||
	    man->files[CKPT_IMG_F_PAGEMAP].size !=
	    man->nr_pme * sizeof(struct ckpt_img_pme) ||
	    man->nr_pme > UINT32_MAX ||
	    zi->raw_size[CKPT_IMG_F_PAGES] % man->page_size) {
		return ckpt_err_set(err, -EBADMSG, "%s: inconsistent header (page size, seq or file sizes): the manifest is corrupt",
			      path);
	}
	if (man->version == CKPT_IMG_VERSION_PLAIN) {
		/* a sum per page of pages.img, the module's; no whole-file sum */
		if (man->chunk_size != man->page_size ||
		    man->nr_chunks != zi->raw_size[CKPT_IMG_F_PAGES] / man->page_size ||
		    man->files[CKPT_IMG_F_PAGES].xxh64)
			return ckpt_err_set(err, -EBADMSG, "%s: inconsistent version 3 header (page sums of pages.img): the manifest is corrupt",
					    path);
		return 0;
	}
	if (man->chunk_size != CKPT_IMG_CHUNK ||
	    man->nr_chunks != (zi->raw_size[CKPT_IMG_F_PAGES] +
			       CKPT_IMG_CHUNK - 1) / CKPT_IMG_CHUNK) {
		return ckpt_err_set(err, -EBADMSG, "%s: inconsistent header (chunks of pages.img): the manifest is corrupt",
			      path);
	}
	return 0;
}

static const struct ckpt_img_pme *sort_base;

static int pme_cmp(const void *a, const void *b)
{
	const struct ckpt_img_pme *x = &sort_base[*(const uint32_t *)a];
	const struct ckpt_img_pme *y = &sort_base[*(const uint32_t *)b];

	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return x->vaddr < y->vaddr ? -1 : x->vaddr > y->vaddr;
}

int ckptd_image_open(const char *dir, struct ckptd_image **out,
		     struct ckpt_err *err)
{
	static const char *const names[CKPT_IMG_NR_FILES] = {
		CKPT_IMG_RECORDS, CKPT_IMG_PAGEMAP, CKPT_IMG_PAGES,
	};
	struct ckptd_image *img;
	char path[4200];
	uint8_t *m = NULL;
	struct stat st;
	int ret;

	img = calloc(1, sizeof(*img));
	if (!img) {
		return ckpt_err_set(err, -ENOMEM, "%s: out of memory", dir);
	}
	img->pages_fd = -1;
	img->zpages_fd = -1;
	snprintf(img->dir, sizeof(img->dir), "%s", dir);
	snprintf(path, sizeof(path), "%s/" CKPT_IMG_MANIFEST, dir);
	if (stat(path, &st)) {
		ret = -errno;
		if (errno == ENOENT)
			ckpt_err_msg(err, "%s: no manifest: not a committed checkpoint (an interrupted or failed write; 'ckptd' removes such directories)",
				      dir);
		else
			ckpt_err_msg(err, "%s: %s", path, strerror(errno));
		goto fail;
	}
	if ((uint64_t)st.st_size > MANIFEST_MAX) {
		ckpt_err_msg(err, "%s: %lld bytes, too large for a manifest",
			      path, (long long)st.st_size);
		ret = -EFBIG;
		goto fail;
	}
	ret = load(dir, CKPT_IMG_MANIFEST, st.st_size, &m, err);
	if (!ret)
		ret = check_manifest(path, m, st.st_size, &img->man, &img->zi, err);
	if (ret)
		goto fail;
	img->chunk_sums = malloc(img->man.nr_chunks * 8 + 8);
	if (!img->chunk_sums) {
		ret = -ENOMEM;
		ckpt_err_msg(err, "%s: out of memory", path);
		goto fail;
	}
	memcpy(img->chunk_sums, m + img->man.hdr_len, img->man.nr_chunks * 8);

	for (int i = 0; i < CKPT_IMG_NR_FILES; i++) {
		uint64_t want = img->man.files[i].size;

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (stat(path, &st)) {
			ret = -errno;
			ckpt_err_msg(err, "%s: %s (the image is incomplete)",
				      path, strerror(errno));
			goto fail;
		}
		if ((uint64_t)st.st_size != want) {
			ckpt_err_msg(err, "%s: %lld bytes, the manifest says %llu: the file is %s",
				      path, (long long)st.st_size,
				      (unsigned long long)want,
				      (uint64_t)st.st_size < want ? "truncated" : "overwritten");
			ret = -EBADMSG;
			goto fail;
		}
	}
	img->records_len = img->man.files[CKPT_IMG_F_RECORDS].size;
	if (ckptd_image_zfile(img, CKPT_IMG_F_RECORDS))
		ret = ckptd_image_load_zrecords(img, err);
	else
		ret = load(dir, CKPT_IMG_RECORDS, img->records_len, &img->records, err);
	if (!ret)
		ret = load(dir, CKPT_IMG_PAGEMAP,
			   img->man.files[CKPT_IMG_F_PAGEMAP].size,
			   (uint8_t **)&img->pagemap, err);
	if (ret)
		goto fail;
	snprintf(path, sizeof(path), "%s/" CKPT_IMG_PAGES, dir);
	if (ckptd_image_zfile(img, CKPT_IMG_F_PAGES)) {
		img->zpages_fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
		ret = img->zpages_fd < 0 ? -errno : 0;
	} else {
		img->pages_fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
		ret = img->pages_fd < 0 ? -errno : 0;
	}
	if (ret) {
		ckpt_err_msg(err, "%s: %s", path, strerror(-ret));
		goto fail;
	}
	img->sorted = malloc(img->man.nr_pme * sizeof(uint32_t) + 1);
	if (!img->sorted) {
		ret = -ENOMEM;
		ckpt_err_msg(err, "%s: out of memory", dir);
		goto fail;
	}
	for (uint64_t i = 0; i < img->man.nr_pme; i++)
		img->sorted[i] = i;
	sort_base = img->pagemap;
	qsort(img->sorted, img->man.nr_pme, sizeof(uint32_t), pme_cmp);
	free(m);
	*out = img;
	return 0;
fail:
	free(m);
	ckptd_image_close(img);
	return ret;
}

void ckptd_image_close(struct ckptd_image *img)
{
	if (!img)
		return;
	ckptd_image_close(img->parent);
	if (img->pages_fd >= 0)
		close(img->pages_fd);
	if (img->zpages_fd >= 0)
		close(img->zpages_fd);
	free(img->chunk_sums);
	free(img->records);
	free(img->pagemap);
	free(img->sorted);
	free(img);
}

int ckptd_image_parent(struct ckptd_image *img, struct ckptd_image **parent,
		       struct ckpt_err *err)
{
	char buf[4096], path[4200];
	struct ckptd_image *p;
	size_t n;
	int ret;

	if (!img->man.parent_seq) {
		return ckpt_err_set(err, -ENOENT, "%s: a full image has no parent", img->dir);
	}
	if (img->parent) {
		*parent = img->parent;
		return 0;
	}
	if (img->depth >= CHAIN_MAX) {
		return ckpt_err_set(err, -ELOOP, "%s: more than %u parents: chain too long or looping",
			      img->dir, CHAIN_MAX);
	}
	snprintf(buf, sizeof(buf), "%s", img->dir);
	for (n = strlen(buf); n > 1 && buf[n - 1] == '/'; n--)
		buf[n - 1] = '\0';
	snprintf(path, sizeof(path), "%s/%llu", dirname(buf),
		 (unsigned long long)img->man.parent_seq);
	ret = ckptd_image_open(path, &p, err);
	if (ret) {
		char why[sizeof(err->msg)];

		snprintf(why, sizeof(why), "%s", err->msg);
		return ckpt_err_set(err, ret, "%s: parent image %llu is missing or unreadable (%s); restore from a full image instead",
			      img->dir, (unsigned long long)img->man.parent_seq,
			      why);
	}
	if (p->man.job_id != img->man.job_id ||
	    p->man.seq != img->man.parent_seq) {
		ckpt_err_msg(err, "%s: parent %s is job %u seq %llu, expected job %u seq %llu",
			      img->dir, path, p->man.job_id,
			      (unsigned long long)p->man.seq, img->man.job_id,
			      (unsigned long long)img->man.parent_seq);
		ckptd_image_close(p);
		return -EBADMSG;
	}
	/* unchanged pages are read from the parent page by page */
	if (p->man.page_size != img->man.page_size) {
		ckpt_err_msg(err, "%s: parent %s has pages of %u bytes, this image %u: the chain is corrupt; restore from a full image instead",
			      img->dir, path, p->man.page_size, img->man.page_size);
		ckptd_image_close(p);
		return -EBADMSG;
	}
	p->depth = img->depth + 1;
	p->want_pages_fd = img->want_pages_fd;
	img->parent = p;
	*parent = p;
	return 0;
}

/* The pagemap entry holding (pid, vaddr), or NULL. */
const struct ckpt_img_pme *ckptd_image_find(const struct ckptd_image *img,
					    int32_t pid, uint64_t vaddr)
{
	size_t lo = 0, hi = img->man.nr_pme;
	const struct ckpt_img_pme *best = NULL;

	/* the last entry starting at or below (pid, vaddr) */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct ckpt_img_pme *e = &img->pagemap[img->sorted[mid]];

		if (e->pid < pid || (e->pid == pid && e->vaddr <= vaddr)) {
			best = e;
			lo = mid + 1;
		} else {
			hi = mid;
		}
	}
	if (best && best->pid == pid &&
	    vaddr < best->vaddr + (uint64_t)best->nr_pages * img->man.page_size)
		return best;
	return NULL;
}

int ckptd_image_read_page(struct ckptd_image *img, int32_t pid,
			  uint64_t vaddr, void *buf, struct ckpt_err *err)
{
	uint32_t ps = img->man.page_size;
	const struct ckpt_img_pme *e;
	uint64_t off;
	ssize_t n;
	int ret;

	vaddr &= ~(uint64_t)(ps - 1);
	e = ckptd_image_find(img, pid, vaddr);
	if (!e) {
		return ckpt_err_set(err, -ENOENT, "%s: no data for pid %d page 0x%llx", img->dir,
			      pid, (unsigned long long)vaddr);
	}
	if (e->flags & CKPT_IMG_PME_SAME) {
		struct ckptd_image *p;

		ret = ckptd_image_parent(img, &p, err);
		return ret ? ret : ckptd_image_read_page(p, pid, vaddr, buf, err);
	}
	off = e->offset + (vaddr - e->vaddr);
	if (img->pages_fd < 0) {
		int fd;

		ret = ckptd_image_pages_fd(img, &fd, err);
		if (ret)
			return ret;
	}
	n = pread(img->pages_fd, buf, ps, off);
	if (n != (ssize_t)ps) {
		ret = n < 0 ? -errno : -EBADMSG;
		return ckpt_err_set(err, ret, "%s/" CKPT_IMG_PAGES ": read at offset %llu: %s",
			      img->dir, (unsigned long long)off,
			      n < 0 ? strerror(errno) : "past the end of the file");
	}
	return 0;
}
