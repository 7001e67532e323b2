// SPDX-License-Identifier: GPL-2.0
/* Clearing a job's soft-dirty bits for ckpt.ko (softdirty.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/ckpt.h>

#include "kmod_nl.h"
#include "ops/softdirty.h"

/* 0, or -errno; an exited process is not an error. */
static int clear_refs(pid_t pid, struct ckpt_err *err)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/clear_refs", pid);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT || errno == ESRCH ? 0 :
		       ckpt_err_sys(err, "%s: cannot clear the soft-dirty bits", path);
	do
		n = write(fd, "4", 1);
	while (n < 0 && errno == EINTR);
	if (n < 0 && errno != ESRCH) {
		ckpt_err_sys(err, "%s: cannot clear the soft-dirty bits", path);
		close(fd);
		return -err->errnum;
	}
	close(fd);
	return 0;
}

int ckptd_softdirty_clear(int dump_fd, const struct ckpt_kjob *kj, struct ckpt_err *err)
{
	struct ckpt_softdirty_cleared_args a = { 0 };
	int ret = 0;

	for (unsigned int i = 0; i < kj->nr_task_pids && !ret; i++)
		ret = clear_refs(kj->task_pids[i], err);
	if (ret)
		return ret;
	if (ioctl(dump_fd, CKPT_IOC_DUMP_SOFTDIRTY_CLEARED, &a))
		return ckpt_err_sys(err, "job %u: ckpt.ko refused the soft-dirty clear", kj->id);
	return 0;
}

const char *ckptd_dirty_tracking_name(uint32_t tracking)
{
	switch (tracking) {
	case CKPT_DIRTY_NONE:
		return "none";
	case CKPT_DIRTY_HASH:
		return "hash";
	case CKPT_DIRTY_SOFT_DIRTY:
		return "soft-dirty";
	default:
		return "unknown";
	}
}
