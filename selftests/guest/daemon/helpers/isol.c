// SPDX-License-Identifier: GPL-2.0
/*
 * ckpt_isol: the processes of the isolation tests (daemon/70-isolation.sh).
 *
 *   ckpt_isol sleep            sleep forever
 *   ckpt_isol nodump           PR_SET_DUMPABLE 0, then sleep forever
 *   ckpt_isol secret FILE      read a secret from FILE, delete FILE, hold the
 *                              secret only in its heap, say "ready", sleep
 *   ckpt_isol setcap FILE      (root) give FILE the file capability
 *                              cap_net_raw+ep (security.capability, v2)
 *   ckpt_isol dropcaps CMD...  (root) drop every capability, bounding set
 *                              too, stay uid 0, exec CMD
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <linux/capability.h>

static void __attribute__((noreturn)) sleep_forever(void)
{
	for (;;)
		pause();
}

static int secret(const char *file)
{
	char buf[256];
	char *heap;
	ssize_t n;
	int fd = open(file, O_RDONLY);

	if (fd < 0) {
		perror(file);
		return 1;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0 || unlink(file)) {
		perror(file);
		return 1;
	}
	buf[n] = 0;
	heap = malloc(1 << 20);
	if (!heap)
		return 1;
	/* many copies, so that a page of it would show in any stream */
	for (size_t off = 0; off + n < (1 << 20); off += 4096)
		memcpy(heap + off, buf, n);
	memset(buf, 0, sizeof(buf));
	printf("ready\n");
	fflush(stdout);
	sleep_forever();
}

static int setcap(const char *file)
{
	struct vfs_cap_data d = { .magic_etc = VFS_CAP_REVISION_2 | VFS_CAP_FLAGS_EFFECTIVE };

	d.data[0].permitted = 1U << CAP_NET_RAW;
	if (setxattr(file, "security.capability", &d, XATTR_CAPS_SZ_2, 0)) {
		perror("setxattr security.capability");
		return 1;
	}
	return 0;
}

static int dropcaps(char **argv)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct c[2] = { { 0 } };

	for (int cap = 0; cap < 64; cap++)
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) && errno != EINVAL) {
			perror("PR_CAPBSET_DROP");
			return 1;
		}
	if (syscall(SYS_capset, &h, c)) {
		perror("capset");
		return 1;
	}
	execvp(argv[0], argv);
	perror(argv[0]);
	return 127;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "sleep"))
		sleep_forever();
	if (argc >= 2 && !strcmp(argv[1], "nodump")) {
		if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)) {
			perror("PR_SET_DUMPABLE");
			return 1;
		}
		sleep_forever();
	}
	if (argc == 3 && !strcmp(argv[1], "secret"))
		return secret(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "setcap"))
		return setcap(argv[2]);
	if (argc >= 3 && !strcmp(argv[1], "dropcaps"))
		return dropcaps(argv + 2);
	fprintf(stderr, "usage: ckpt_isol sleep|nodump|secret FILE|setcap FILE|dropcaps CMD...\n");
	return 2;
}
