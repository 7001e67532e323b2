// SPDX-License-Identifier: GPL-2.0
/* Caller identities and fd passing for the privilege tests (privs.h). */
#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "privs.h"
#include "workload.h"

static int capset_sets(uint64_t eff, uint64_t perm, uint64_t inh)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct d[2] = {
		{ .effective = eff, .permitted = perm, .inheritable = inh },
		{ .effective = eff >> 32, .permitted = perm >> 32,
		  .inheritable = inh >> 32 },
	};

	return syscall(SYS_capset, &h, d) ? -errno : 0;
}

uint64_t priv_effective_caps(void)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d))
		return 0;
	return d[0].effective | (uint64_t)d[1].effective << 32;
}

static int cap_last_cap(void)
{
	FILE *f = fopen("/proc/sys/kernel/cap_last_cap", "r");
	int last = -1;

	if (f) {
		if (fscanf(f, "%d", &last) != 1)
			last = -1;
		fclose(f);
	}
	return last < 0 ? 40 : last;
}

int priv_become_user(uid_t uid)
{
	if (setgroups(0, NULL) || setresgid(uid, uid, uid) ||
	    setresuid(uid, uid, uid))
		return -errno;
	/* a uid change made the process non-dumpable; a login is not */
	if (prctl(PR_SET_DUMPABLE, 1))
		return -errno;
	return priv_effective_caps() ? -EPERM : 0;
}

int priv_drop_all_caps(void)
{
	int last = cap_last_cap(), err;

	/* the bounding set first: dropping it needs CAP_SETPCAP */
	for (int cap = 0; cap <= last; cap++)
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) && errno != EINVAL)
			return -errno;
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) &&
	    errno != EINVAL)
		return -errno;
	err = capset_sets(0, 0, 0);
	if (err)
		return err;
	return priv_effective_caps() ? -EPERM : 0;
}

int priv_enter_userns(void)
{
	uid_t uid = geteuid();
	gid_t gid = getegid();
	char map[64];
	int err;

	if (unshare(CLONE_NEWUSER))
		return -errno;
	snprintf(map, sizeof(map), "0 %u 1\n", (unsigned int)uid);
	err = wl_write_file("/proc/self/uid_map", map);
	if (err)
		return err;
	/* an unprivileged writer must give up setgroups before gid_map */
	err = wl_write_file("/proc/self/setgroups", "deny\n");
	if (err && err != -ENOENT)
		return err;
	snprintf(map, sizeof(map), "0 %u 1\n", (unsigned int)gid);
	err = wl_write_file("/proc/self/gid_map", map);
	if (err)
		return err;
	if (geteuid() != 0)
		return -EPROTO;
	/* root of the new namespace: every capability, there */
	return priv_effective_caps() ? 0 : -EPROTO;
}

int priv_become_user_with_cap(uid_t uid, int cap)
{
	uint64_t bit = 1ULL << cap;
	int err;

	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) || setgroups(0, NULL) ||
	    setresgid(uid, uid, uid) || setresuid(uid, uid, uid))
		return -errno;
	err = capset_sets(bit, bit, 0);
	if (err)
		return err;
	if (prctl(PR_SET_DUMPABLE, 1))
		return -errno;
	return priv_effective_caps() == bit ? 0 : -EPROTO;
}

int priv_send_fd(int sock, int fd)
{
	char c = 'F';
	struct iovec iov = { .iov_base = &c, .iov_len = 1 };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = u.buf, .msg_controllen = sizeof(u.buf),
	};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);

	memset(u.buf, 0, sizeof(u.buf));
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	return sendmsg(sock, &msg, 0) == 1 ? 0 : -errno;
}

int priv_recv_fd(int sock)
{
	char c;
	struct iovec iov = { .iov_base = &c, .iov_len = 1 };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = u.buf, .msg_controllen = sizeof(u.buf),
	};
	struct cmsghdr *cm;
	ssize_t n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	int fd;

	if (n < 0)
		return -errno;
	if (n != 1)
		return -EPIPE;
	cm = CMSG_FIRSTHDR(&msg);
	if (!cm || cm->cmsg_type != SCM_RIGHTS ||
	    cm->cmsg_len != CMSG_LEN(sizeof(int)))
		return -EPROTO;
	memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	return fd;
}
