// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/<pid>/stat: comm may hold spaces and parentheses, so the fields
 * start after the last ')'.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "proc_stat.h"

const char *ckpt_proc_stat(pid_t pid, pid_t tid, char *buf, size_t size)
{
	char path[96], *p;
	ssize_t n;
	int fd;

	if (tid)
		snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", (int)pid, (int)tid);
	else
		snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n <= 0)
		return NULL;
	buf[n] = 0;
	p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p + 2 : NULL;
}

char ckpt_proc_state(pid_t pid, pid_t tid)
{
	char buf[512];
	const char *p = ckpt_proc_stat(pid, tid, buf, sizeof(buf));

	return p ? *p : 0;
}
