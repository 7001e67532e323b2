// SPDX-License-Identifier: GPL-2.0
/*
 * ckpt_bench_util: small tools for the side-by-side benchmark script
 * (busybox sh has no sub-second clock and no reliable bulk copy).
 *
 *   ckpt_bench_util time OUT CMD [ARG...]  run CMD, write "MS PGALLOC PGFREE
 *                                          SHMEM" to OUT: its wall time in ms
 *                                          and the /proc/vmstat deltas around
 *                                          it (bench_vmstat.h, in pages); exit
 *                                          with CMD's status
 *   ckpt_bench_util write MIB FILE         the baseline: fill MIB MiB with a
 *                                          pattern (not timed), then write()
 *                                          them to FILE in 1 MiB calls;
 *                                          prints "MS PGALLOC PGFREE SHMEM"
 *                                          of the open+write+close
 *   ckpt_bench_util splice MIB FILE        the one-copy floor: the same MIB
 *                                          MiB moved into FILE by vmsplice()
 *                                          into a 1 MiB pipe (the pipe refers
 *                                          to the buffer's pages, no copy)
 *                                          and splice() from the pipe into
 *                                          FILE (one copy, into FILE's fresh
 *                                          page cache pages); prints the same
 *                                          line as write
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
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>

#include "bench_vmstat.h"

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

/* "MS PGALLOC PGFREE SHMEM" of an operation that began at @t0 with @before */
static void print_op(FILE *f, double t0, const struct bench_vmstat *before)
{
	double ms = now_ms() - t0;
	struct bench_vmstat after, d;

	bench_vmstat_read(&after);
	bench_vmstat_delta(&d, before, &after);
	fprintf(f, "%.1f %lld %lld %lld\n", ms, d.pgalloc, d.pgfree, d.shmem);
}

static int cmd_time(int argc, char **argv)
{
	struct bench_vmstat before;
	double t0;
	int st;
	pid_t pid;
	FILE *f;

	if (bench_vmstat_read(&before)) {
		fprintf(stderr, "ckpt_bench_util: cannot read /proc/vmstat: %s; mount procfs\n",
			strerror(errno));
		return 1;
	}
	t0 = now_ms();
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
	f = fopen(argv[0], "w");
	if (!f)
		return fail("cannot write", argv[0]);
	print_op(f, t0, &before);
	if (fclose(f))
		return fail("cannot write", argv[0]);
	(void)argc;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/*
 * MIB MiB of page-aligned memory, every 8-byte word different, written
 * (so its pages exist before the timed part); NULL after a message.
 */
static uint64_t *pattern(const char *mibs, size_t *len)
{
	char *end;
	unsigned long n = strtoul(mibs, &end, 10);
	uint64_t *buf;

	*len = n * MIB;
	if (*end || !n || n > 1UL << 20) {
		fprintf(stderr, "ckpt_bench_util: %s is not a size in MiB (1 to 1048576)\n", mibs);
		return NULL;
	}
	buf = mmap(NULL, *len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED) {
		fprintf(stderr, "ckpt_bench_util: cannot map %s MiB: %s\n", mibs, strerror(errno));
		return NULL;
	}
	for (size_t i = 0; i < *len / 8; i++)
		buf[i] = i * 0x9E3779B97F4A7C15ULL;
	return buf;
}

/* The pipe of the splice copy: its ends and its size. */
struct pipe_info {
	int fd[2];
	size_t size;
};

/* The baseline: write() in 1 MiB calls. */
static int by_write(int fd, const char *buf, size_t len, const struct pipe_info *p,
		    const char *path)
{
	(void)p;
	for (size_t off = 0; off < len;) {
		ssize_t n = write(fd, buf + off, len - off < MIB ? len - off : MIB);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return fail("cannot write", path);
		off += n;
	}
	return 0;
}

/*
 * The one-copy floor.  vmsplice() without SPLICE_F_GIFT: the pipe holds
 * references to the buffer's pages (nothing copied; gifting changes
 * nothing for a tmpfs destination, which copies in either case), and
 * splice() into the tmpfs file copies each byte once into a fresh page of
 * its page cache, the one copy a checkpoint cannot avoid.  The buffer is
 * not touched until the last splice() returned.
 */
static int by_splice(int fd, const char *buf, size_t len, const struct pipe_info *p,
		     const char *path)
{
	for (size_t off = 0; off < len;) {
		struct iovec iov = {
			.iov_base = (char *)buf + off,
			.iov_len = len - off < p->size ? len - off : p->size,
		};
		ssize_t n = vmsplice(p->fd[1], &iov, 1, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return fail("cannot vmsplice the buffer of", path);
		off += n;
		while (n > 0) {
			ssize_t m = splice(p->fd[0], NULL, fd, NULL, n, SPLICE_F_MOVE);

			if (m < 0 && errno == EINTR)
				continue;
			if (m <= 0)
				return fail("cannot splice into", path);
			n -= m;
		}
	}
	return 0;
}

/*
 * write and splice: MIB MiB of the pattern into a new FILE by @copy;
 * prints "MS PGALLOC PGFREE SHMEM" of the open, the copy and the close.
 */
static int cmd_copy(const char *mibs, const char *path,
		    int (*copy)(int, const char *, size_t, const struct pipe_info *,
				const char *))
{
	struct pipe_info p = { .fd = { -1, -1 } };
	struct bench_vmstat before;
	size_t len;
	uint64_t *buf = pattern(mibs, &len);
	double t0;
	int fd, sz;

	if (!buf)
		return 1;
	if (copy == by_splice) {
		if (pipe(p.fd))
			return fail("cannot make a pipe for", path);
		sz = fcntl(p.fd[1], F_SETPIPE_SZ, (int)MIB);
		if (sz < 0)
			sz = fcntl(p.fd[1], F_GETPIPE_SZ);
		if (sz <= 0)
			return fail("cannot size the pipe for", path);
		p.size = sz;
	}
	if (bench_vmstat_read(&before))
		return fail("cannot read", "/proc/vmstat");
	t0 = now_ms();
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		return fail("cannot create", path);
	if (copy(fd, (const char *)buf, len, &p, path))
		return 1;
	if (close(fd))
		return fail("cannot close", path);
	print_op(stdout, t0, &before);
	if (p.fd[0] >= 0) {
		close(p.fd[0]);
		close(p.fd[1]);
	}
	munmap(buf, len);
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
		return cmd_copy(argv[2], argv[3], by_write);
	if (!strcmp(c, "splice") && argc == 4)
		return cmd_copy(argv[2], argv[3], by_splice);
	if (!strcmp(c, "bytes") && argc >= 3)
		return cmd_bytes(argc - 2, argv + 2);
	if (!strcmp(c, "send") && argc == 5)
		return cmd_send(argv[2], argv[3], argv[4]);
	if (!strcmp(c, "recv") && argc == 4)
		return cmd_recv(argv[2], argv[3]);
	fprintf(stderr, "usage: ckpt_bench_util time OUT CMD... | write MIB FILE | splice MIB FILE |\n"
		"       bytes PATH... |"
		" send ADDR PORT FILE | recv PORT FILE\n");
	return 2;
}
