// SPDX-License-Identifier: GPL-2.0
/* Global manifests and cluster membership on disk (store.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cluster/store.h"
#include "image_format.h"
#include "mkdir_p.h"

int ckptd_gmanifest_path(char *buf, size_t size, const char *store,
			 uint32_t job, uint64_t id)
{
	int n = snprintf(buf, size, "%s/%u/" CKPTD_CLUSTER_DIR "/%llu", store, job,
			 (unsigned long long)id);

	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

/* Writes @len bytes to @path atomically. */
static int write_atomic(const char *dir, const char *path, const void *data,
			size_t len, struct ckpt_err *err)
{
	char tmp[PATH_MAX + 16];
	int fd, dfd, ret;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
	if (fd < 0 || write(fd, data, len) != (ssize_t)len || fsync(fd)) {
		ret = ckpt_err_set(err, errno ?: EIO, "cannot write %s: %s; check the disk and its permissions",
				   tmp, strerror(errno ?: EIO));
		if (fd >= 0)
			close(fd);
		unlink(tmp);
		return ret;
	}
	close(fd);
	if (rename(tmp, path)) {
		ret = ckpt_err_sys(err, "cannot rename %s into place", tmp);
		unlink(tmp);
		return ret;
	}
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	return 0;
}

int ckptd_gmanifest_store(const char *store, const struct ckptd_gmanifest *g,
			  const char *text, size_t len, struct ckpt_err *err)
{
	char dir[PATH_MAX], path[PATH_MAX];
	int ret;

	snprintf(dir, sizeof(dir), "%s/%u/" CKPTD_CLUSTER_DIR, store, g->job);
	ret = ckpt_mkdir_p(dir, 0750, 0750);
	if (ret)
		return ckpt_err_set(err, ret, "cannot create %s: %s", dir, strerror(-ret));
	if (ckptd_gmanifest_path(path, sizeof(path), store, g->job, g->id))
		return ckpt_err_set(err, ENAMETOOLONG, "image store path %s is too long", store);
	return write_atomic(dir, path, text, len, err);
}

static int parse_id(const char *s, uint64_t *v)
{
	char *end;

	if (*s < '1' || *s > '9')
		return -EINVAL;
	errno = 0;
	*v = strtoull(s, &end, 10);
	return *end || errno ? -EINVAL : 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

int ckptd_gmanifest_ids(const char *store, uint32_t job, uint64_t **ids, size_t *n)
{
	char dir[PATH_MAX];
	struct dirent *de;
	uint64_t *v = NULL, id;
	size_t cap = 0;
	DIR *d;

	*ids = NULL;
	*n = 0;
	snprintf(dir, sizeof(dir), "%s/%u/" CKPTD_CLUSTER_DIR, store, job);
	d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d))) {
		if (parse_id(de->d_name, &id))
			continue;
		if (*n == cap) {
			uint64_t *nv = realloc(v, (cap = cap ? cap * 2 : 16) * sizeof(*v));

			if (!nv) {
				free(v);
				closedir(d);
				return -ENOMEM;
			}
			v = nv;
		}
		v[(*n)++] = id;
	}
	closedir(d);
	if (*n)
		qsort(v, *n, sizeof(*v), cmp_u64);
	*ids = v;
	return 0;
}

static int load_one(const char *store, uint32_t job, uint64_t id,
		    struct ckptd_gmanifest *g, char *text, size_t *len, struct ckpt_err *err)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd, ret;

	if (ckptd_gmanifest_path(path, sizeof(path), store, job, id))
		return ckpt_err_set(err, ENAMETOOLONG, "image store path %s is too long", store);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return ckpt_err_set(err, errno, "job %u has no global checkpoint %llu here (%s: %s); 'ckptctl cluster ls --job %u' lists them",
				    job, (unsigned long long)id, path, strerror(errno), job);
	n = read(fd, text, CKPTD_CLUSTER_TEXT_MAX);
	close(fd);
	if (n < 0)
		return ckpt_err_set(err, EIO, "global manifest %s: %s", path, strerror(errno));
	if (n == CKPTD_CLUSTER_TEXT_MAX)
		return ckpt_err_set(err, EFBIG, "global manifest %s: too large", path);
	ret = ckptd_gmanifest_parse(text, n, g, err);
	if (!ret && (g->job != job || g->id != id))
		ret = ckpt_err_set(err, EINVAL, "it is for job %u id %llu", g->job,
				   (unsigned long long)g->id);
	if (ret) {
		ckpt_err_prefix(err, "global manifest %s is not valid", path);
		return ret;
	}
	*len = n;
	return 0;
}

int ckptd_gmanifest_load(const char *store, uint32_t job, uint64_t id,
			 struct ckptd_gmanifest *g, char *text, size_t *len, struct ckpt_err *err)
{
	uint64_t *ids;
	size_t n;
	int ret;

	if (id)
		return load_one(store, job, id, g, text, len, err);
	ret = ckptd_gmanifest_ids(store, job, &ids, &n);
	if (ret)
		return ckpt_err_set(err, ret, "cannot list the global checkpoints of job %u in %s: %s",
				    job, store, strerror(-ret));
	ret = -ENOENT;
	while (n-- && ret)
		ret = load_one(store, job, ids[n], g, text, len, NULL);	/* damaged: older */
	free(ids);
	if (ret)
		return ckpt_err_set(err, ENOENT, "job %u has no committed cluster checkpoint in %s; 'ckptctl checkpoint --job %u' on one of its hosts takes one",
				    job, store, job);
	return 0;
}

int ckptd_cluster_discard_image(const char *dir)
{
	char path[PATH_MAX + 300];
	struct dirent *de;
	DIR *d;
	int ret = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, CKPT_IMG_MANIFEST);
	if (unlink(path) && errno != ENOENT)
		return -errno;
	d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (unlink(path))
			ret = -errno;
	}
	closedir(d);
	if (rmdir(dir))
		ret = -errno;
	return ret;
}

static void member_path(char *buf, size_t size, const char *state_dir, uint32_t job)
{
	snprintf(buf, size, "%s/cluster-%u", state_dir, job);
}

int ckptd_cluster_member_get(const char *state_dir, uint32_t job,
			     struct ckptd_cluster_hosts *h, struct ckpt_err *err)
{
	char path[PATH_MAX], line[CKPT_PEER_CLUSTER_HOSTS + 2];
	FILE *f;
	size_t n;

	member_path(path, sizeof(path), state_dir, job);
	f = fopen(path, "re");
	if (!f)
		return ckpt_err_set(err, ENOENT, "job %u spans no hosts here (no %s)", job, path);
	n = fread(line, 1, sizeof(line) - 1, f);
	fclose(f);
	line[n] = '\0';
	line[strcspn(line, "\n")] = '\0';
	return ckptd_cluster_hosts_parse(line, h, err);
}

int ckptd_cluster_member_set(const char *state_dir, uint32_t job,
			     const struct ckptd_cluster_hosts *h, struct ckpt_err *err)
{
	char path[PATH_MAX], line[CKPT_PEER_CLUSTER_HOSTS + 2];

	member_path(path, sizeof(path), state_dir, job);
	if (!h) {
		if (unlink(path) && errno != ENOENT)
			return ckpt_err_sys(err, "cannot remove %s", path);
		return 0;
	}
	ckptd_cluster_hosts_format(h, line, sizeof(line) - 1);
	strcat(line, "\n");
	return write_atomic(state_dir, path, line, strlen(line), err);
}
