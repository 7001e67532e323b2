/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pidfds: the syscall numbers older C libraries lack, and opening the
 * pidfd of a process through a live thread when its main thread exited.
 */
#ifndef CKPT_PIDFD_H
#define CKPT_PIDFD_H

#include <errno.h>
#include <fcntl.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open		434
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal	424
#endif
#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd		438
#endif
#ifndef PIDFD_THREAD
#define PIDFD_THREAD		O_EXCL	/* Linux 6.9 */
#endif

/*
 * A pidfd of @pid opened through @via: @pid itself, or a live thread of
 * it when its main thread exited; pidfd_getfd() through it reaches the
 * process's fds.  The fd, or -errno: -EINVAL for a thread on a kernel
 * before 6.9, which has no thread pidfds.
 */
static inline int ckpt_pidfd_open(pid_t pid, pid_t via)
{
	int fd = (int)syscall(SYS_pidfd_open, via, via == pid ? 0 : PIDFD_THREAD);

	return fd < 0 ? -errno : fd;
}

#endif /* CKPT_PIDFD_H */
