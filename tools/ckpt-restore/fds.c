// SPDX-License-Identifier: GPL-2.0
/*
 * The restorer's own descriptors live above fd_base, out of the way of the
 * job's descriptor numbers; fd_base itself is each blob's notify fd, and
 * the blob closes everything above it when it is done.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "blob/blob.h"
#include "restore.h"

int rst_fd_high(struct rst *r, int fd)
{
	int n = fcntl(fd, F_DUPFD_CLOEXEC, r->fd_base + 1);
	int ret = -errno;

	close(fd);
	if (n < 0)
		rst_fail(r, RST_EXIT_FAILED,
			 "cannot move a descriptor above %d: %s (raise RLIMIT_NOFILE)",
			 r->fd_base, strerror(-ret));
	return n < 0 ? ret : n;
}

void rst_report(int fd, int error, uint32_t op)
{
	struct rst_blob_report rep = {
		.magic = RST_BLOB_MAGIC, .error = error, .op = op,
	};

	if (write(fd, &rep, sizeof(rep)) != sizeof(rep))
		_exit(127);
}
