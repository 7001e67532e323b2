// SPDX-License-Identifier: GPL-2.0
/* sd_notify over $NOTIFY_SOCKET, without libsystemd. */
#include <errno.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "log.h"
#include "notify.h"

int ckptd_notify(const char *fmt, ...)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	socklen_t salen;
	char msg[512];
	va_list ap;
	int fd, ret = 0;

	if (!path || !*path)
		return 0;
	if ((path[0] != '/' && path[0] != '@') || strlen(path) >= sizeof(sa.sun_path)) {
		pr_warn("NOTIFY_SOCKET=%s is not a unix socket path; not notifying systemd",
			path);
		return -EINVAL;
	}
	memcpy(sa.sun_path, path, strlen(path));
	if (path[0] == '@')
		sa.sun_path[0] = 0;	/* abstract namespace */
	salen = offsetof(struct sockaddr_un, sun_path) + strlen(path);

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || sendto(fd, msg, strlen(msg), MSG_NOSIGNAL,
			     (struct sockaddr *)&sa, salen) < 0) {
		ret = -errno;
		pr_warn("cannot notify systemd on %s: %s", path, strerror(errno));
	}
	if (fd >= 0)
		close(fd);
	return ret;
}
