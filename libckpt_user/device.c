// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The process's /dev/ckpt file.  Tags live as long as the file that made
 * them and belong to the process that made them, so the file is opened on
 * first use, kept open (close-on-exec: an exec starts a new program), and
 * opened anew in a forked child, whose address space is its own.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>

#include "device.h"

static pthread_mutex_t ckpt_user_lock = PTHREAD_MUTEX_INITIALIZER;
static int ckpt_user_fd = -1;
static pid_t ckpt_user_pid;

int ckpt_user_device(void)
{
	pid_t me = getpid();
	int fd;

	pthread_mutex_lock(&ckpt_user_lock);
	if (ckpt_user_fd >= 0 && ckpt_user_pid != me) {
		/* a forked child: the inherited file is the parent's */
		close(ckpt_user_fd);
		ckpt_user_fd = -1;
	}
	if (ckpt_user_fd < 0) {
		fd = open("/dev/ckpt", O_RDWR | O_CLOEXEC);
		if (fd >= 0) {
			ckpt_user_fd = fd;
			ckpt_user_pid = me;
		}
	}
	fd = ckpt_user_fd >= 0 ? ckpt_user_fd : -errno;
	pthread_mutex_unlock(&ckpt_user_lock);
	return fd;
}
