// SPDX-License-Identifier: GPL-2.0
/* Listing jobs and committed images of the image store. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "image_store.h"
#include "store_list.h"

static int parse_num(const char *s, uint64_t *v)
{
	char *end;

	if (*s < '0' || *s > '9' || (s[0] == '0' && s[1]))
		return -1;
	errno = 0;
	*v = strtoull(s, &end, 10);
	return *end || errno ? -1 : 0;
}

static int cmp_seq(const void *a, const void *b)
{
	const struct ckptd_store_entry *x = a, *y = b;

	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static void read_manifest(int dfd, struct ckptd_store_entry *e)
{
	struct {
		struct ckpt_img_manifest m;
		struct ckpt_img_zinfo zi;	/* version 2 */
	} h;
	struct ckpt_img_manifest m;
	int fd = openat(dfd, CKPT_IMG_MANIFEST, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	ssize_t n;

	e->bad = 1;
	if (fd < 0)
		return;
	n = read(fd, &h, sizeof(h));
	m = h.m;
	if (n >= (ssize_t)sizeof(m) && m.magic == CKPT_IMG_MAGIC &&
	    m.seq == e->seq) {
		e->bad = 0;
		e->parent_seq = m.parent_seq;
		e->time_ns = m.time_ns;
		e->nr_pages = m.nr_pages;
		e->nr_pages_same = m.nr_pages_same;
		e->nr_tasks = m.nr_tasks;
		e->predump = !!(m.dump_flags & CKPT_DUMP_PREDUMP);
		for (int i = 0; i < CKPT_IMG_NR_FILES; i++)
			e->bytes += m.files[i].size;
		e->raw_bytes = e->bytes;
		if (m.version == CKPT_IMG_VERSION_COMPRESSED && n == (ssize_t)sizeof(h)) {
			e->compression = h.zi.compression;
			e->raw_bytes = 0;
			for (int i = 0; i < CKPT_IMG_NR_FILES; i++)
				e->raw_bytes += h.zi.raw_size[i];
		}
	}
	close(fd);
}

int ckptd_store_list(const char *store, uint32_t job,
		     struct ckptd_store_entry **out, size_t *n,
		     struct ckpt_err *err)
{
	struct ckptd_store_entry *v = NULL;
	size_t cnt = 0, cap = 0;
	char path[4200];
	struct dirent *de;
	DIR *d;
	int jfd;

	*out = NULL;
	*n = 0;
	snprintf(path, sizeof(path), "%s/%u", store, job);
	d = opendir(path);
	if (!d) {
		if (errno == ENOENT)
			return 0;
		return ckpt_err_set(err, -errno, "%s: cannot list the job's images: %s",
			      path, strerror(errno));
	}
	jfd = dirfd(d);
	while ((de = readdir(d))) {
		struct ckptd_store_entry e = { 0 };
		int dfd;

		if (parse_num(de->d_name, &e.seq) || !e.seq)
			continue;
		dfd = openat(jfd, de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd < 0)
			continue;
		if (faccessat(dfd, CKPT_IMG_MANIFEST, F_OK, 0)) {
			close(dfd);	/* not committed: not a checkpoint */
			continue;
		}
		read_manifest(dfd, &e);
		close(dfd);
		if (cnt == cap) {
			struct ckptd_store_entry *nv = realloc(v, (cap = cap * 2 + 16) * sizeof(*v));

			if (!nv) {
				free(v);
				closedir(d);
				return ckpt_err_set(err, -ENOMEM, "%s: out of memory", path);
			}
			v = nv;
		}
		v[cnt++] = e;
	}
	closedir(d);
	if (cnt)
		qsort(v, cnt, sizeof(*v), cmp_seq);
	*out = v;
	*n = cnt;
	return 0;
}

int ckptd_store_jobs(const char *store, uint32_t **out, size_t *n,
		     struct ckpt_err *err)
{
	uint32_t *v = NULL;
	size_t cnt = 0, cap = 0;
	struct dirent *de;
	DIR *d = opendir(store);

	*out = NULL;
	*n = 0;
	if (!d) {
		if (errno == ENOENT)
			return 0;
		return ckpt_err_set(err, -errno, "%s: cannot open the image store: %s",
			      store, strerror(errno));
	}
	while ((de = readdir(d))) {
		uint64_t id;

		if (parse_num(de->d_name, &id) || !id || id > UINT32_MAX)
			continue;
		if (cnt == cap) {
			uint32_t *nv = realloc(v, (cap = cap * 2 + 16) * sizeof(*v));

			if (!nv) {
				free(v);
				closedir(d);
				return ckpt_err_set(err, -ENOMEM, "%s: out of memory", store);
			}
			v = nv;
		}
		v[cnt++] = id;
	}
	closedir(d);
	if (cnt)
		qsort(v, cnt, sizeof(*v), cmp_u32);
	*out = v;
	*n = cnt;
	return 0;
}

uint64_t ckptd_store_max_seq(const char *store, uint32_t job)
{
	char path[4200];
	struct dirent *de;
	uint64_t max = 0, seq;
	DIR *d;

	snprintf(path, sizeof(path), "%s/%u", store, job);
	d = opendir(path);
	if (!d)
		return 0;
	while ((de = readdir(d)))
		if (!parse_num(de->d_name, &seq) && seq > max)
			max = seq;
	closedir(d);
	return max;
}

static const struct ckptd_store_entry *find(const struct ckptd_store_entry *v, size_t n,
					    uint64_t seq)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].seq == seq)
			return &v[i];
	return NULL;
}

static void keep_chain(const struct ckptd_store_entry *v, size_t n, size_t i, char *needed)
{
	const struct ckptd_store_entry *e = &v[i];

	while (e && !needed[e - v]) {
		needed[e - v] = 1;
		if (e->bad) {	/* it might need any older one */
			memset(needed, 1, e - v);
			break;
		}
		e = e->parent_seq ? find(v, n, e->parent_seq) : NULL;
	}
}

int ckptd_store_remove(const char *store, uint32_t job, uint64_t seq,
		       const char *what, struct ckpt_err *err)
{
	char dir[4200], man[4300];
	int ret;

	if (ckptd_image_path(dir, sizeof(dir), store, job, seq))
		return ckpt_err_set(err, ENAMETOOLONG, "%s/%u/%llu: path too long",
				    store, job, (unsigned long long)seq);
	snprintf(man, sizeof(man), "%s/" CKPT_IMG_MANIFEST, dir);
	if (unlink(man) && errno != ENOENT)
		return ckpt_err_sys(err, "%s: cannot remove %s; remove %s by hand",
				    man, what, dir);
	ret = ckptd_image_remove_dir(dir);
	if (ret)
		return ckpt_err_set(err, -ret, "%s: cannot remove %s: %s; remove it by hand",
				    dir, what, strerror(-ret));
	return 0;
}

int ckptd_store_gc(const char *store, uint32_t job, ckptd_store_root_fn root,
		   const void *arg, int predumps_only, const char *what,
		   unsigned int *removed, struct ckpt_err *err)
{
	struct ckptd_store_entry *v;
	char *needed;
	size_t n;
	int ret = ckptd_store_list(store, job, &v, &n, err);

	if (ret || !n) {
		free(v);
		return ret;
	}
	needed = calloc(n, 1);
	if (!needed) {
		free(v);
		return ckpt_err_set(err, ENOMEM, "%s/%u: out of memory", store, job);
	}
	for (size_t i = 0; i < n; i++)
		if (root(v, n, i, arg))
			keep_chain(v, n, i, needed);
	for (size_t i = 0; i < n && !ret; i++) {
		if (needed[i] || (predumps_only && !v[i].predump))
			continue;
		ret = ckptd_store_remove(store, job, v[i].seq, what, err);
		if (!ret && removed)
			(*removed)++;
	}
	free(needed);
	free(v);
	return ret;
}
