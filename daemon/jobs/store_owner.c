// SPDX-License-Identifier: GPL-2.0
/* Modes and ACLs of the image store (store_owner.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "err.h"
#include "jobs/store_owner.h"

/* The kernel's POSIX ACL xattr (include/uapi/linux/posix_acl_xattr.h). */
#define ACL_XATTR	"system.posix_acl_access"
#define ACL_VERSION	2
#define ACL_USER_OBJ	0x01
#define ACL_USER	0x02
#define ACL_GROUP_OBJ	0x04
#define ACL_MASK	0x10
#define ACL_OTHER	0x20
#define ACL_NO_ID	0xffffffffu

struct acl_entry {
	uint16_t tag, perm;
	uint32_t id;
};

struct acl {
	uint32_t version;
	struct acl_entry e[5];
};

/* root: @own; @uid: @perm; everyone else: nothing.  Mode 0700 or 0600 + ACL. */
static int set_acl(int fd, uid_t uid, int dir)
{
	uint16_t own = dir ? 7 : 6, perm = dir ? 5 : 4;
	struct acl a = { ACL_VERSION, {
		{ ACL_USER_OBJ, own, ACL_NO_ID },
		{ ACL_USER, perm, uid },
		{ ACL_GROUP_OBJ, 0, ACL_NO_ID },
		{ ACL_MASK, perm, ACL_NO_ID },
		{ ACL_OTHER, 0, ACL_NO_ID },
	} };

	if (fchown(fd, 0, 0) || fchmod(fd, dir ? 0700 : 0600))
		return -errno;
	if (uid == 0)
		return 0;
	return fsetxattr(fd, ACL_XATTR, &a, sizeof(a), 0) ? -errno : 0;
}

#define OWNER_FILE	".owner"

int ckptd_store_owner(const char *store, uint32_t job, uid_t *uid, gid_t *gid)
{
	char path[4200], buf[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%u/" OWNER_FILE, store, job);
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -ENOENT;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -ENOENT;
	buf[n] = 0;
	return sscanf(buf, "%u %u", uid, gid) == 2 ? 0 : -ENOENT;
}

/* Does <store>/<job> hold an image (a directory named by digits)? */
static int has_images(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int found = 0;

	while (d && !found && (de = readdir(d)))
		found = de->d_name[0] >= '0' && de->d_name[0] <= '9';
	if (d)
		closedir(d);
	return found;
}

static int record_owner(const char *store, uint32_t job, uid_t uid, gid_t gid,
			struct ckpt_err *e)
{
	char path[4200], tmp[4220], text[64];
	uid_t was_uid;
	gid_t was_gid;
	int fd, len, ret = 0;

	snprintf(path, sizeof(path), "%s/%u", store, job);
	if (!ckptd_store_owner(store, job, &was_uid, &was_gid)) {
		if (was_uid == uid && was_gid == gid)
			return 0;
		if (was_uid != uid && has_images(path)) {
			return ckpt_err_set(e, -EPERM, "the image directory %s holds checkpoints of uid %u: job id %u cannot store checkpoints of uid %u; use another job id, or ask root to remove them",
				     path, was_uid, job, uid);
		}
	}
	snprintf(tmp, sizeof(tmp), "%s/" OWNER_FILE ".tmp", path);
	snprintf(path, sizeof(path), "%s/%u/" OWNER_FILE, store, job);
	len = snprintf(text, sizeof(text), "%u %u\n", uid, gid);
	unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, text, len) != len || fsync(fd) || rename(tmp, path)) {
		ret = -errno ?: -EIO;
		ckpt_err_set(e, ret, "cannot record the owner of job %u in %s: %s", job, path,
			     strerror(-ret));
		unlink(tmp);
	}
	if (fd >= 0)
		close(fd);
	return ret;
}

int ckptd_store_job_dir(const char *store, uint32_t job, uid_t uid, gid_t gid,
			struct ckpt_err *e)
{
	char dir[4200];
	int fd, ret = 0;

	snprintf(dir, sizeof(dir), "%s/%u", store, job);
	if (mkdir(dir, 0700) && errno != EEXIST) {
		ret = -errno;
		return ckpt_err_set(e, ret, "cannot create %s: %s", dir, strerror(errno));
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	ret = fd < 0 ? -errno : set_acl(fd, uid, 1);
	if (ret == -EOPNOTSUPP)
		ret = 0;	/* no ACLs here: root's alone (store_owner.h) */
	if (ret)
		ckpt_err_set(e, ret, "image directory %s: %s; it must be a directory root owns",
			     dir, strerror(-ret));
	if (fd >= 0)
		close(fd);
	return ret ?: record_owner(store, job, uid, gid, e);
}

int ckptd_store_give(const char *store, uint32_t job, uint64_t seq, uid_t uid,
		     struct ckpt_err *e)
{
	char dir[4300];
	struct dirent *de;
	DIR *d;
	int dfd, fd, ret = 0;

	snprintf(dir, sizeof(dir), "%s/%u/%" PRIu64, store, job, seq);
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	fd = dfd >= 0 ? dup(dfd) : -1;
	if (fd < 0 || !(d = fdopendir(fd))) {
		ret = -errno;
		ckpt_err_set(e, ret, "image %s: %s", dir, strerror(errno));
		if (fd >= 0)
			close(fd);
		if (dfd >= 0)
			close(dfd);
		return ret;
	}
	while (!ret && (de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		fd = openat(dfd, de->d_name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
		ret = fd < 0 ? -errno : set_acl(fd, uid, 0);
		if (ret)
			ckpt_err_set(e, ret, "image %s: letting uid %u read %s: %s", dir, uid,
				     de->d_name, strerror(-ret));
		if (fd >= 0)
			close(fd);
	}
	closedir(d);
	/* the directory last: until now its owner could not look inside */
	if (!ret) {
		ret = set_acl(dfd, uid, 1);
		if (ret)
			ckpt_err_set(e, ret, "image %s: letting uid %u read it: %s", dir, uid,
				     strerror(-ret));
	}
	close(dfd);
	return ret;
}
