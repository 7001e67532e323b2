// SPDX-License-Identifier: GPL-2.0
/*
 * The image store on disk: <store>/<job>/<seq>/ paths, removing image
 * directories, and cleaning up directories whose write never committed.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image_store.h"

int ckptd_image_path(char *buf, size_t size, const char *store,
		     uint32_t job, uint64_t seq)
{
	int n = snprintf(buf, size, "%s/%u/%llu", store, job,
			 (unsigned long long)seq);

	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

int ckptd_image_remove_dir(const char *dir)
{
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct dirent *de;
	DIR *d;
	int ret = 0;

	if (dfd < 0)
		return errno == ENOENT ? 0 : -errno;
	d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		return -errno;
	}
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..") &&
		    unlinkat(dfd, de->d_name, 0) && !ret)
			ret = -errno;
	closedir(d);
	if (rmdir(dir) && !ret)
		ret = -errno;
	return ret;
}

int ckptd_fsync_dir(const char *dir, struct ckpt_err *err)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int ret = 0;

	if (fd < 0 || fsync(fd)) {
		ret = -errno;
		ckpt_err_msg(err, "%s: fsync of the directory: %s", dir,
			      strerror(errno));
	}
	if (fd >= 0)
		close(fd);
	return ret;
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

/*
 * Every <job>/<seq>/ without a manifest in one job directory, and every
 * temporary directory of a write that never committed (<job>/.ckpt-write-*).
 */
static int cleanup_job(const char *jobdir, unsigned int *removed,
		       struct ckpt_err *err)
{
	char path[4400], man[4500];
	struct dirent *de;
	DIR *d = opendir(jobdir);
	int ret = 0, r;

	if (!d)
		return 0;	/* not a directory: not ours */
	while ((de = readdir(d))) {
		struct stat st;
		bool tmp = !strncmp(de->d_name, CKPTD_IMAGE_TMP_PREFIX,
				    strlen(CKPTD_IMAGE_TMP_PREFIX));

		if (!all_digits(de->d_name) && !tmp)
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", jobdir,
			     de->d_name) >= (int)sizeof(path) ||
		    snprintf(man, sizeof(man), "%s/" CKPT_IMG_MANIFEST,
			     path) >= (int)sizeof(man))
			continue;
		if (lstat(path, &st) || !S_ISDIR(st.st_mode) ||
		    (!tmp && !access(man, F_OK)))
			continue;
		r = ckptd_image_remove_dir(path);
		if (r && !ret) {
			ret = r;
			ckpt_err_msg(err, "%s: cannot remove partial image: %s; remove it by hand",
				      path, strerror(-r));
		} else if (!r && removed) {
			(*removed)++;
		}
	}
	closedir(d);
	return ret;
}

int ckptd_image_cleanup_partial(const char *store, unsigned int *removed,
				struct ckpt_err *err)
{
	char path[4400];
	struct dirent *de;
	DIR *d = opendir(store);
	int ret = 0, r;

	if (removed)
		*removed = 0;
	if (!d) {
		return ckpt_err_set(err, -errno, "%s: cannot open the image store: %s",
			      store, strerror(errno));
	}
	while ((de = readdir(d))) {
		if (!all_digits(de->d_name))
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", store,
			     de->d_name) >= (int)sizeof(path))
			continue;
		r = cleanup_job(path, removed, err);
		if (r && !ret)
			ret = r;
	}
	closedir(d);
	return ret;
}
