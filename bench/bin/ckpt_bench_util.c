// SPDX-License-Identifier: GPL-2.0
/*
 * ckpt_bench_util: small tools for the side-by-side benchmark script
 * (busybox sh has no sub-second clock and no reliable bulk copy).
 *
 *   ckpt_bench_util time OUT CMD [ARG...]  run CMD, write its wall time in ms
 *                                          to OUT, exit with CMD's status
 *   ckpt_bench_util write MIB FILE         the baseline: fill MIB MiB with a
 *                                          pattern (not timed), then write()
 *                                          them to FILE in 1 MiB calls;
 *                                          prints the write+close time in ms
 *   ckpt_bench_util bytes PATH...          bytes allocated under the PATHs
 *                                          (st_blocks, so holes do not count)
 *   ckpt_bench_util send ADDR PORT FILE    send FILE over TCP (retries the
 *                                          connect for 60 s)
 *   ckpt_bench_util recv PORT FILE         receive one file into FILE
 * Errors name the object and exit 1; usage errors exit 2.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MIB (1024UL * 1024)

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int fail(const char *what, const char *obj)
{
	fprintf(stderr, "ckpt_bench_util: %s %s: %s\n", what, obj, strerror(errno));
	return 1;
}

static int cmd_time(int argc, char **argv)
{
	double t0 = now_ms(), ms;
	int st;
	pid_t pid;
	FILE *f;

	pid = fork();
	if (pid < 0)
		return fail("fork for", argv[1]);
	if (pid == 0) {
		execvp(argv[1], argv + 1);
		fprintf(stderr, "ckpt_bench_util: cannot run %s: %s\n", argv[1], strerror(errno));
		_exit(127);
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return fail("wait for", argv[1]);
	ms = now_ms() - t0;
	f = fopen(argv[0], "w");
	if (!f)
		return fail("cannot write", argv[0]);
	fprintf(f, "%.1f\n", ms);
	fclose(f);
	(void)argc;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static int cmd_write(const char *mibs, const char *path)
{
	size_t len = strtoul(mibs, NULL, 10) * MIB;
	uint64_t *buf = malloc(len ? len : 1);
	double t0;
	int fd;

	if (!buf || !len) {
		fprintf(stderr, "ckpt_bench_util: cannot allocate %s MiB\n", mibs);
		return 1;
	}
	for (size_t i = 0; i < len / 8; i++)
		buf[i] = i * 0x9E3779B97F4A7C15ULL;
	t0 = now_ms();
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		return fail("cannot create", path);
	for (size_t off = 0; off < len;) {
		ssize_t n = write(fd, (char *)buf + off, len - off < MIB ? len - off : MIB);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return fail("cannot write", path);
		off += n;
	}
	if (close(fd))
		return fail("cannot close", path);
	printf("%.1f\n", now_ms() - t0);
	free(buf);
	return 0;
}

static unsigned long long total_bytes;

static int add_file(const char *p, const struct stat *st, int type, struct FTW *f)
{
	(void)p, (void)f;
	if (type == FTW_F)
		total_bytes += (unsigned long long)st->st_blocks * 512;
	return 0;
}

static int cmd_bytes(int argc, char **argv)
{
	for (int i = 0; i < argc; i++)
		if (nftw(argv[i], add_file, 16, FTW_PHYS))
			return fail("cannot walk", argv[i]);
	printf("%llu\n", total_bytes);
	return 0;
}

static int copy_fd(int in, int out, const char *what)
{
	static char buf[1 << 16];
	ssize_t n;

	while ((n = read(in, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return fail("cannot read", what);
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(out, buf + off, n - off);

			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0)
				return fail("cannot write", what);
			off += w;
		}
	}
	return 0;
}

static int cmd_send(const char *addr, const char *port, const char *path)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(atoi(port)) };
	int fd = open(path, O_RDONLY), s = -1;

	if (fd < 0)
		return fail("cannot open", path);
	if (inet_pton(AF_INET, addr, &sa.sin_addr) != 1) {
		fprintf(stderr, "ckpt_bench_util: %s is not an IPv4 address\n", addr);
		return 2;
	}
	for (int i = 0; i < 600; i++) {
		s = socket(AF_INET, SOCK_STREAM, 0);
		if (s >= 0 && !connect(s, (struct sockaddr *)&sa, sizeof(sa)))
			break;
		close(s);
		s = -1;
		usleep(100000);
	}
	if (s < 0)
		return fail("cannot connect to", addr);
	if (copy_fd(fd, s, path))
		return 1;
	close(fd);
	return close(s) ? fail("cannot finish sending", path) : 0;
}

static int cmd_recv(const char *port, const char *path)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(atoi(port)) };
	int one = 1, l = socket(AF_INET, SOCK_STREAM, 0), s, fd;

	setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (l < 0 || bind(l, (struct sockaddr *)&sa, sizeof(sa)) || listen(l, 1))
		return fail("cannot listen on port", port);
	s = accept(l, NULL, NULL);
	if (s < 0)
		return fail("cannot accept on port", port);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		return fail("cannot create", path);
	if (copy_fd(s, fd, path))
		return 1;
	close(s);
	close(l);
	return close(fd) ? fail("cannot close", path) : 0;
}

int main(int argc, char **argv)
{
	const char *c = argc > 1 ? argv[1] : "";

	if (!strcmp(c, "time") && argc >= 4)
		return cmd_time(argc - 2, argv + 2);
	if (!strcmp(c, "write") && argc == 4)
		return cmd_write(argv[2], argv[3]);
	if (!strcmp(c, "bytes") && argc >= 3)
		return cmd_bytes(argc - 2, argv + 2);
	if (!strcmp(c, "send") && argc == 5)
		return cmd_send(argv[2], argv[3], argv[4]);
	if (!strcmp(c, "recv") && argc == 4)
		return cmd_recv(argv[2], argv[3]);
	fprintf(stderr, "usage: ckpt_bench_util time OUT CMD... | write MIB FILE | bytes PATH... |\n"
		"       send ADDR PORT FILE | recv PORT FILE\n");
	return 2;
}
