// SPDX-License-Identifier: GPL-2.0
/*
 * What /proc says about a process: its fds, their links and fdinfo (offset,
 * flags, eventfd counter, epoll interest list), its umask.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "capture_int.h"

/* The state letter of /proc/<pid>[/task/<tid>]/stat, 0 if it is gone. */
pid_t ckptd_capture_task(pid_t pid)
{
	char p[64], st = ckpt_proc_state(pid, 0);
	pid_t found = pid;
	struct dirent *d;
	DIR *dir;

	if (st != 'Z')
		return pid;
	/* a zombie leader with live threads: its main thread exited */
	snprintf(p, sizeof(p), "/proc/%d/task", (int)pid);
	dir = opendir(p);
	while (dir && found == pid && (d = readdir(dir))) {
		pid_t tid = (pid_t)atoi(d->d_name);

		st = tid > 0 && tid != pid ? ckpt_proc_state(pid, tid) : 0;
		if (st && st != 'Z' && st != 'X')
			found = tid;
	}
	if (dir)
		closedir(dir);
	return found;
}

int cap_proc_link(pid_t pid, const char *name, char *buf, size_t size)
{
	char p[64];
	ssize_t n;

	snprintf(p, sizeof(p), "/proc/%d/%s", (int)pid, name);
	n = readlink(p, buf, size);
	if (n < 0)
		return -errno;
	if ((size_t)n >= size)
		return -ENAMETOOLONG;
	buf[n] = '\0';
	return 0;
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

int cap_proc_fds(pid_t pid, int **fds, size_t *nr)
{
	size_t n = 0, cap = 0;
	int *v = NULL, ret = 0;
	struct dirent *d;
	char p[64];
	DIR *dir;

	snprintf(p, sizeof(p), "/proc/%d/fd", (int)pid);
	dir = opendir(p);
	if (!dir)
		return -errno;
	errno = 0;
	while ((d = readdir(dir))) {
		char *end;
		long fd;

		if (d->d_name[0] == '.')
			continue;
		fd = strtol(d->d_name, &end, 10);
		if (*end || fd < 0 || fd > INT32_MAX)
			continue;
		if (n == cap) {
			int *nv;

			cap = cap ? 2 * cap : 64;
			nv = realloc(v, cap * sizeof(*v));
			if (!nv) {
				ret = -ENOMEM;
				break;
			}
			v = nv;
		}
		v[n++] = fd;
	}
	if (!ret && errno)
		ret = -errno;
	closedir(dir);
	if (ret) {
		free(v);
		return ret;
	}
	qsort(v, n, sizeof(*v), cmp_int);
	*fds = v;
	*nr = n;
	return 0;
}

/* "tfd:        8 events:       19 data:             1234  pos:0 ino:40f sdev:10" */
static int add_tfd(struct cap_fdinfo *fi, const char *line)
{
	struct cap_tfd t = { 0 }, *n;
	unsigned long long data, ino;

	if (sscanf(line, "tfd: %d events: %" SCNx32 " data: %llx pos:%*[-0-9] ino:%llx sdev:%" SCNx32,
		   &t.tfd, &t.events, &data, &ino, &t.sdev) != 5)
		return -EBADMSG;
	t.data = data;
	t.ino = ino;
	n = realloc(fi->tfds, (fi->nr_tfds + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	fi->tfds = n;
	fi->tfds[fi->nr_tfds++] = t;
	return 0;
}

int cap_proc_fdinfo(pid_t pid, int fd, struct cap_fdinfo *fi)
{
	bool has_pos = false, has_flags = false;
	char p[64], line[512];
	unsigned long long v;
	int ret = 0;
	FILE *f;

	memset(fi, 0, sizeof(*fi));
	fi->efd_semaphore = -1;
	snprintf(p, sizeof(p), "/proc/%d/fdinfo/%d", (int)pid, fd);
	f = fopen(p, "re");
	if (!f)
		return -errno;
	while (!ret && fgets(line, sizeof(line), f)) {
		unsigned int o;

		if (sscanf(line, "pos: %llu", &v) == 1) {
			fi->pos = v;
			has_pos = true;
		} else if (sscanf(line, "flags: %o", &o) == 1) {
			fi->flags = o;
			has_flags = true;
		} else if (sscanf(line, "eventfd-count: %llx", &v) == 1) {
			fi->efd_count = v;
			fi->has_efd_count = true;
		} else if (sscanf(line, "eventfd-semaphore: %llu", &v) == 1) {
			fi->efd_semaphore = !!v;
		} else if (!strncmp(line, "tfd:", 4)) {
			ret = add_tfd(fi, line);
		}
	}
	fclose(f);
	if (!ret && (!has_pos || !has_flags))
		ret = -EBADMSG;
	if (ret)
		cap_fdinfo_free(fi);
	return ret;
}

void cap_fdinfo_free(struct cap_fdinfo *fi)
{
	free(fi->tfds);
	fi->tfds = NULL;
	fi->nr_tfds = 0;
}

int cap_proc_umask(pid_t pid, uint32_t *umask)
{
	char p[64], line[256];
	int ret = -EBADMSG;
	unsigned int o;
	FILE *f;

	snprintf(p, sizeof(p), "/proc/%d/status", (int)pid);
	f = fopen(p, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "Umask: %o", &o) == 1) {
			*umask = o & 0777;
			ret = 0;
			break;
		}
	}
	fclose(f);
	return ret;
}
