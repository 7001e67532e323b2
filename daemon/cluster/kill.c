// SPDX-License-Identifier: GPL-2.0
/*
 * The rule for killing a job that spans hosts (Documentation/cluster.md):
 * its established TCP connections go into TCP_REPAIR mode first, so that
 * closing them sends nothing (no FIN, no RST) and leaves no TIME_WAIT
 * or orphan socket behind.  The other end, and a cluster restore of the
 * connection on these hosts later, never see it end.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "capture/capture.h"
#include "ckptd.h"
#include "cluster/kill.h"
#include "cluster/store.h"
#include "kmod_nl.h"
#include "log.h"
#include "pidfd.h"

/* Repair mode on @fd if it is an established TCP socket: 1, else 0. */
static int quiet(int fd)
{
	struct tcp_info ti;
	socklen_t len = sizeof(int);
	int proto = 0, one = 1;

	if (getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &proto, &len) || proto != IPPROTO_TCP)
		return 0;
	len = sizeof(ti);
	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) || ti.tcpi_state != TCP_ESTABLISHED)
		return 0;
	return !setsockopt(fd, IPPROTO_TCP, TCP_REPAIR, &one, sizeof(one));
}

static unsigned int quiet_pid(pid_t pid)
{
	char path[64];
	struct dirent *de;
	unsigned int n = 0;
	/* a process whose main thread exited: through a live thread */
	pid_t via = ckptd_capture_task(pid);
	int pidfd = ckpt_pidfd_open(pid, via);
	DIR *dir;

	if (pidfd < 0)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/fd", (int)via);
	dir = opendir(path);
	while (dir && (de = readdir(dir))) {
		struct stat st;
		int fd;

		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		fd = syscall(SYS_pidfd_getfd, pidfd, atoi(de->d_name), 0);
		if (fd < 0)
			continue;
		if (!fstat(fd, &st) && S_ISSOCK(st.st_mode))
			n += quiet(fd);
		close(fd);
	}
	if (dir)
		closedir(dir);
	close(pidfd);
	return n;
}

void ckptd_cluster_quiet_kill(struct ckptd *d, uint32_t job)
{
	struct ckptd_cluster_hosts h;
	struct ckpt_kjob kj = { 0 };
	struct ckpt_err e;
	unsigned int n = 0;

	if (ckptd_cluster_member_get(d->cfg.state_dir, job, &h, NULL))
		return;		/* a local job: its connections end as usual */
	if (ckpt_nl_job_get(d->nl, job, &kj, &e))
		return;
	for (unsigned int i = 0; i < kj.nr_task_pids; i++)
		n += quiet_pid(kj.task_pids[i]);
	ckpt_kjob_release(&kj);
	if (n)
		pr_info("job %u spans hosts: %u TCP connection(s) put in repair mode, closed silently",
			job, n);
}
