// SPDX-License-Identifier: GPL-2.0
/* Reading process facts from /proc and acting on cgroups. */
#include <errno.h>
#include <fcntl.h>
#include <mntent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jobs/proc.h"
#include "proc_stat.h"

static int read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return errno == ESRCH ? -ESRCH : -errno;
	buf[n] = 0;
	return 0;
}

int ckptd_proc_starttime(pid_t pid, uint64_t *start)
{
	char buf[1024];
	const char *p = ckpt_proc_stat(pid, 0, buf, sizeof(buf));
	int field = 3;	/* p starts at field 3, the state */

	if (!p)
		return -ESRCH;
	while (field < 22 && (p = strchr(p, ' ')))
		p++, field++;
	if (!p)
		return -EIO;
	*start = strtoull(p, NULL, 10);
	return 0;
}

int ckptd_proc_uids(pid_t pid, uid_t uids[4])
{
	char path[64], buf[4096], *p;
	unsigned int u[4];
	int ret;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	ret = read_file(path, buf, sizeof(buf));
	if (ret)
		return ret;
	p = strstr(buf, "\nUid:");
	if (!p || sscanf(p + 5, "%u %u %u %u", &u[0], &u[1], &u[2], &u[3]) != 4)
		return -EIO;
	for (int i = 0; i < 4; i++)
		uids[i] = u[i];
	return 0;
}

int ckptd_cgroup_mount(char *buf, size_t size)
{
	FILE *f = setmntent("/proc/self/mounts", "re");
	struct mntent *m;
	int ret = -ENOENT;

	if (!f)
		return -errno;
	while ((m = getmntent(f)))
		if (!strcmp(m->mnt_type, "cgroup2")) {
			snprintf(buf, size, "%s", m->mnt_dir);
			ret = 0;
			break;
		}
	endmntent(f);
	return ret;
}

int ckptd_cgroup_kill(const char *abs)
{
	char path[4200];
	int fd, ret = 0;

	snprintf(path, sizeof(path), "%s/cgroup.kill", abs);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, "1", 1) != 1)
		ret = -errno;
	close(fd);
	return ret;
}
