// SPDX-License-Identifier: GPL-2.0
/*
 * Fixtures shared by the host tests: scratch directories, image stores,
 * whole files, descriptor counts (helpers.h) and captured file records
 * (files_records.h).  Linked into every host test (mk/selftests.mk).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capture_int.h"	/* cap_rec_add(): the capture's record buffer */
#include "files_records.h"
#include "helpers.h"
#include "image.h"
#include "synth_stream.h"
#include "xxh64.h"

/* --- scratch directories ------------------------------------------------ */

int th_tmpdir(char *dir, size_t size, const char *name)
{
	if ((size_t)snprintf(dir, size, "/tmp/%s-XXXXXX", name) >= size)
		return -ENAMETOOLONG;
	return mkdtemp(dir) ? 0 : -errno;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	if (remove(path) && errno != ENOENT) {
		fprintf(stderr, "# could not remove %s (%s): remove it by hand\n",
			path, strerror(errno));
		return -errno;
	}
	return 0;
}

/* Unmounts every mount point below dir, deepest first. */
static void umount_below(const char *dir)
{
	char line[PATH_MAX + 256], mnt[PATH_MAX], found[16][PATH_MAX];
	size_t len = strlen(dir);
	int n = 0;
	FILE *f;

	f = fopen("/proc/self/mounts", "re");
	if (!f)
		return;
	while (n < 16 && fgets(line, sizeof(line), f))
		if (sscanf(line, "%*s %4095s", mnt) == 1 &&
		    strncmp(mnt, dir, len) == 0 && mnt[len] == '/')
			strcpy(found[n++], mnt);
	fclose(f);
	while (n--)
		if (umount2(found[n], MNT_DETACH))
			fprintf(stderr, "# could not unmount %s (%s)\n",
				found[n], strerror(errno));
}

int th_rmtree(const char *dir)
{
	if (!dir || !dir[0])
		return 0;
	umount_below(dir);
	if (nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS) && errno != ENOENT)
		return -errno;
	return 0;
}

bool th_exists(const char *fmt, ...)
{
	char path[PATH_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	return access(path, F_OK) == 0;
}

/* --- image stores ------------------------------------------------------- */

int th_store_job(const char *store, uint64_t job)
{
	char path[PATH_MAX];

	if ((size_t)snprintf(path, sizeof(path), "%s/%llu", store,
			     (unsigned long long)job) >= sizeof(path))
		return -ENAMETOOLONG;
	return mkdir(path, 0755) ? -errno : 0;
}

int th_store(char *store, size_t size, const char *name, uint64_t job)
{
	int ret = th_tmpdir(store, size, name);

	if (!ret)
		ret = th_store_job(store, job);
	return ret;
}

int th_mkimage(const char *store, uint64_t job, uint64_t seq, uint64_t parent,
	       unsigned int flags)
{
	struct ckpt_img_manifest m = {
		.magic = CKPT_IMG_MAGIC, .version = CKPT_IMG_VERSION,
		.hdr_len = sizeof(m), .job_id = job, .seq = seq,
		.parent_seq = parent,
		.dump_flags = (flags & TH_IMG_PREDUMP ? CKPT_DUMP_PREDUMP : 0) |
			      (parent ? CKPT_DUMP_INCREMENTAL : 0),
	};
	char path[PATH_MAX];
	int fd, ret = 0;

	ckptd_image_path(path, sizeof(path), store, job, seq);
	if (mkdir(path, 0700))
		return -errno;
	strcat(path, flags & TH_IMG_UNCOMMITTED ? "/" CKPT_IMG_PAGES :
						  "/" CKPT_IMG_MANIFEST);
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	if (write(fd, &m, sizeof(m)) != sizeof(m))
		ret = -EIO;
	if (close(fd) && !ret)
		ret = -errno;
	return ret;
}

int th_write_stream(const char *dir, const struct synth *s,
		    const struct ckptd_image_write_opts *o,
		    struct ckptd_image_write_stats *st, struct ckpt_err *err)
{
	int fd = synth_fd(s->buf, s->len);
	int ret;

	if (fd < 0)
		return -errno;
	ret = ckptd_image_write(dir, fd, o, st, err);
	close(fd);
	return ret;
}

int th_write_job(const char *dir, uint64_t seq, uint64_t parent,
		 uint32_t npages, const struct ckptd_image_write_opts *o,
		 struct ckpt_err *err)
{
	struct synth s;
	int ret;

	synth_job(&s, seq, parent, npages);
	ret = th_write_stream(dir, &s, o, NULL, err);
	synth_free(&s);
	return ret;
}

void th_patch_manifest(const char *dir,
		       void (*fn)(struct ckpt_img_manifest *m,
				  struct ckpt_img_zinfo *zi, void *arg),
		       void *arg)
{
	size_t n;
	uint8_t *buf = th_slurp(dir, CKPT_IMG_MANIFEST, &n);
	uint64_t sum;

	if (!buf || n < sizeof(struct ckpt_img_manifest) + 8)
		abort();
	fn((void *)buf, (void *)(buf + sizeof(struct ckpt_img_manifest)), arg);
	sum = ckptd_xxh64(buf, n - 8, 0);
	memcpy(buf + n - 8, &sum, 8);
	th_put_file(dir, CKPT_IMG_MANIFEST, buf, n);
	free(buf);
}

int th_open_verify(const char *dir, struct ckpt_err *err)
{
	struct ckptd_image *img;
	int ret = ckptd_image_open(dir, &img, err);

	if (ret)
		return ret;
	ret = ckptd_image_verify(img, err);
	ckptd_image_close(img);
	return ret;
}

int th_small_store(const char *store, char *dir, size_t size)
{
	char mnt[PATH_MAX];
	int ret;

	if ((size_t)snprintf(mnt, sizeof(mnt), "%s/mnt", store) >= sizeof(mnt) - 32)
		return -ENAMETOOLONG;
	if (mkdir(mnt, 0755))
		return -errno;
	if (mount("tmpfs", mnt, "tmpfs", 0, "size=1m"))
		return -errno;
	ret = th_store_job(mnt, SYN_JOB);
	if (!ret)
		ckptd_image_path(dir, size, mnt, SYN_JOB, 1);
	return ret;
}

/* --- whole files -------------------------------------------------------- */

uint8_t *th_slurp_fd(int fd, size_t *len)
{
	struct stat st;
	uint8_t *b;

	if (fstat(fd, &st))
		return NULL;
	b = malloc(st.st_size + 1);
	if (b && pread(fd, b, st.st_size, 0) != st.st_size) {
		free(b);
		return NULL;
	}
	*len = st.st_size;
	return b;
}

uint8_t *th_slurp(const char *dir, const char *name, size_t *len)
{
	char path[PATH_MAX];
	uint8_t *b;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	b = th_slurp_fd(fd, len);
	close(fd);
	return b;
}

void th_put_file(const char *dir, const char *name, const void *buf, size_t len)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0 || write(fd, buf, len) != (ssize_t)len || close(fd))
		abort();
}

void th_write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text) || close(fd))
		abort();
}

void th_flip_byte(const char *dir, const char *name, off_t off)
{
	char path[PATH_MAX];
	uint8_t b;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0 || pread(fd, &b, 1, off) != 1)
		abort();
	b ^= 0x40;
	if (pwrite(fd, &b, 1, off) != 1)
		abort();
	close(fd);
}

uint64_t th_file_size(const char *dir, const char *name)
{
	char path[PATH_MAX];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return stat(path, &st) ? 0 : st.st_size;
}

/* --- descriptors -------------------------------------------------------- */

int th_count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	if (!d)
		return -1;
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

/* --- captured file records (files_records.h) ---------------------------- */

/* Calls fn(rec, body, ctx) for every record of rb; stops when it returns 1. */
static void fr_each(const struct ckptd_recbuf *rb,
		    int (*fn)(const struct ckpt_rec *, const void *, void *),
		    void *ctx)
{
	const struct ckpt_rec *h;
	struct ckpt_stream s;
	size_t body;

	ckpt_stream_init(&s, rb->buf, rb->len);
	s.page_size = 1;
	while (ckpt_stream_next(&s, &h, &body) == 1)
		if (fn(h, h + 1, ctx))
			return;
}

struct fr_find {
	uint32_t type;
	int32_t pid;
	int fd;			/* FD: fd; EPOLL_TFD: tfd; -1: any */
	int epfd;		/* EPOLL_TFD: epfd */
	const void *found;
	unsigned int count;
};

static int fr_match(const struct ckpt_rec *h, const void *b, void *ctx)
{
	struct fr_find *f = ctx;
	const struct ckpt_rec_fd *fd = b;
	const struct ckpt_rec_epoll_tfd *t = b;

	if (h->type != f->type || *(const int32_t *)b != f->pid)
		return 0;
	if (h->type == CKPT_REC_FD && f->fd >= 0 && fd->fd != f->fd)
		return 0;
	if (h->type == CKPT_REC_EPOLL_TFD && f->fd >= 0 &&
	    (t->tfd != f->fd || t->epfd != f->epfd))
		return 0;
	if (!f->found)
		f->found = b;
	f->count++;
	return 0;
}

static const void *fr_get(const struct ckptd_recbuf *rb, uint32_t type,
			  int32_t pid, int fd, int epfd, unsigned int *count)
{
	struct fr_find f = { .type = type, .pid = pid, .fd = fd, .epfd = epfd };

	fr_each(rb, fr_match, &f);
	if (count)
		*count = f.count;
	return f.found;
}

const struct ckpt_rec_fd *fr_fd(const struct ckptd_recbuf *rb, int32_t pid, int fd)
{
	return fr_get(rb, CKPT_REC_FD, pid, fd, 0, NULL);
}

const struct ckpt_rec_fs *fr_fs(const struct ckptd_recbuf *rb, int32_t pid)
{
	return fr_get(rb, CKPT_REC_FS, pid, -1, 0, NULL);
}

unsigned int fr_count(const struct ckptd_recbuf *rb, uint32_t type, int32_t pid)
{
	unsigned int n;

	fr_get(rb, type, pid, -1, 0, &n);
	return n;
}

const struct ckpt_rec_epoll_tfd *fr_tfd(const struct ckptd_recbuf *rb,
					int32_t pid, int epfd, int tfd)
{
	return fr_get(rb, CKPT_REC_EPOLL_TFD, pid, tfd, epfd, NULL);
}

static int fr_collect(const struct ckpt_rec *h, const void *b, void *ctx)
{
	const struct ckpt_rec_file_data *r = b;
	struct fr_data *d = ctx;

	if (h->type != CKPT_REC_FILE_DATA || r->obj_id != d->obj_id)
		return 0;
	d->nr++;
	d->nr_msg += !!(r->flags & CKPT_DATA_MSG);
	d->stored += r->len;
	if (r->offset + r->len > d->cap) {
		d->bad = 1;
		return 0;
	}
	memcpy(d->out + r->offset, r->data, r->len);
	if (r->offset + r->len > d->end)
		d->end = r->offset + r->len;
	return 0;
}

struct fr_data fr_data(const struct ckptd_recbuf *rb, uint64_t obj_id,
		       void *out, size_t cap)
{
	struct fr_data d = { .obj_id = obj_id, .out = out, .cap = cap };

	memset(out, 0, cap);
	fr_each(rb, fr_collect, &d);
	return d;
}

int fr_capture(pid_t a, pid_t b, const struct ckptd_capture_opts *o,
	       struct ckptd_recbuf *rb, struct ckpt_err *err)
{
	struct ckptd_capture *cap;
	int ret;

	ret = ckptd_capture_new(o, &cap, err);
	if (ret)
		return ret;
	ret = ckptd_capture_files(cap, a, 1, rb, err);
	if (!ret && b > 0)
		ret = ckptd_capture_files(cap, b, 2, rb, err);
	if (!ret)
		ret = ckptd_capture_finish(cap, rb, err);
	ckptd_capture_free(cap);
	return ret;
}

void fr_add(struct ckptd_recbuf *rb, uint32_t type, const void *body,
	    size_t body_len, const void *tail, size_t tail_len)
{
	int ret = cap_rec_add(rb, type, body, body_len, tail, tail_len);

	if (ret) {
		fprintf(stderr, "# adding a record of type %u (%zu bytes): %s\n",
			type, body_len + tail_len, strerror(-ret));
		abort();
	}
}
