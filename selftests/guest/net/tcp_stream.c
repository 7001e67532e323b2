// SPDX-License-Identifier: GPL-2.0
/*
 * tcp_stream - both ends of one TCP connection stream a known
 * pseudo-random sequence to each other and check every byte, for the
 * cluster checkpoint test (40-cluster-tcp.sh): a checkpoint taken while
 * the stream runs, then killed and restored, must continue the byte
 * stream with nothing lost or duplicated.
 *
 *   tcp_stream serve PORT BYTES DIR      (accepts one connection)
 *   tcp_stream connect ADDR PORT BYTES DIR
 *   tcp_stream sum SEED BYTES            (prints the FNV-1a-64 a receiver
 *                                         of that sequence must report)
 *
 * Each side sends BYTES bytes (as fast as the connection takes them) and
 * reads the other side's BYTES slowly (16 KiB per 4 ms), so that both
 * queues of both ends stay full: a checkpoint always catches data in
 * flight.  Byte i of the server's sequence is byte (i % 8) of mix(1, i/8),
 * the client's mix(2, i/8).  Every byte received is compared as it
 * arrives; the first wrong one ends the program with "FAIL" naming the
 * offset.  DIR/ready appears once connected, DIR/progress holds the bytes
 * received so far (rewritten now and then), DIR/result the verdict:
 *   PASS sent N sum S received N sum R
 * with S, R the FNV-1a-64 of the bytes sent and received, written once
 * the other end has closed too (every byte delivered both ways).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define READ_CHUNK	(16 << 10)
#define READ_PAUSE_US	4000

static const char *dir;

static uint64_t mix(uint64_t seed, uint64_t i)
{
	uint64_t z = seed * 0x9e3779b97f4a7c15ULL + i * 0xbf58476d1ce4e5b9ULL;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint8_t byte_at(uint64_t seed, uint64_t i)
{
	return (uint8_t)(mix(seed, i / 8) >> (8 * (i % 8)));
}

static void put(const char *name, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void put(const char *name, const char *fmt, ...)
{
	char path[4200], tmp[4300];
	va_list ap;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f)
		return;
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fclose(f);
	rename(tmp, path);
}

static uint64_t fnv(uint64_t h, uint8_t b)
{
	return (h ^ b) * 0x100000001b3ULL;
}

static int stream(int fd, uint64_t total, uint64_t my_seed, uint64_t their_seed)
{
	uint64_t sent = 0, got = 0, ssum = 0xcbf29ce484222325ULL, rsum = ssum, reported = 0;
	uint8_t out[READ_CHUNK], in[READ_CHUNK];

	fcntl(fd, F_SETFL, O_NONBLOCK);
	while (sent < total || got < total) {
		struct pollfd p = { .fd = fd, .events = (sent < total ? POLLOUT : 0) |
						       (got < total ? POLLIN : 0) };

		if (poll(&p, 1, 1000) < 0 && errno != EINTR)
			return put("result", "FAIL poll: %s\n", strerror(errno)), 1;
		if (sent < total && (p.revents & (POLLOUT | POLLERR | POLLHUP))) {
			size_t n = total - sent < sizeof(out) ? total - sent : sizeof(out);
			ssize_t w;

			for (size_t k = 0; k < n; k++)
				out[k] = byte_at(my_seed, sent + k);
			w = send(fd, out, n, MSG_NOSIGNAL);
			if (w < 0 && errno != EAGAIN && errno != EINTR)
				return put("result", "FAIL send at byte %" PRIu64 ": %s\n", sent,
					   strerror(errno)), 1;
			for (ssize_t k = 0; k < w; k++)
				ssum = fnv(ssum, out[k]);
			if (w > 0)
				sent += w;
		}
		if (got < total && (p.revents & (POLLIN | POLLERR | POLLHUP))) {
			ssize_t r = recv(fd, in, sizeof(in), 0);

			if (r == 0)
				return put("result", "FAIL the other end closed at byte %" PRIu64 "\n", got), 1;
			if (r < 0 && errno != EAGAIN && errno != EINTR)
				return put("result", "FAIL recv at byte %" PRIu64 ": %s\n", got,
					   strerror(errno)), 1;
			for (ssize_t k = 0; k < r; k++) {
				if (in[k] != byte_at(their_seed, got + k))
					return put("result", "FAIL byte %" PRIu64 " is 0x%02x, not 0x%02x (lost or duplicated data)\n",
						   got + k, in[k], byte_at(their_seed, got + k)), 1;
				rsum = fnv(rsum, in[k]);
			}
			if (r > 0) {
				got += r;
				usleep(READ_PAUSE_US);
			}
			if (got - reported >= (1 << 20) || got == total) {
				put("progress", "%" PRIu64 "\n", got);
				reported = got;
			}
		}
	}
	/*
	 * Close as a program that cares about delivery does: say we are done
	 * and wait for the other end's close, so that our last bytes are
	 * acknowledged before this process (and its socket) is gone.
	 */
	if (shutdown(fd, SHUT_WR))
		return put("result", "FAIL shutdown: %s\n", strerror(errno)), 1;
	for (int waited = 0;; waited++) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t r;

		if (waited == 300)
			return put("result", "FAIL the other end did not close within 300 s\n"), 1;
		if (poll(&p, 1, 1000) <= 0)
			continue;
		r = recv(fd, in, sizeof(in), 0);
		if (r == 0)
			break;
		if (r > 0)
			return put("result", "FAIL %zd bytes past the end of the stream\n", r), 1;
		if (errno != EAGAIN && errno != EINTR)
			return put("result", "FAIL waiting for the other end's close: %s\n",
				   strerror(errno)), 1;
	}
	put("result", "PASS sent %" PRIu64 " sum %016" PRIx64 " received %" PRIu64 " sum %016" PRIx64 "\n",
	    sent, ssum, got, rsum);
	return 0;
}

int main(int argc, char **argv)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	int serve = argc == 5 && !strcmp(argv[1], "serve");
	uint64_t total;
	int fd, one = 1;

	if (argc == 4 && !strcmp(argv[1], "sum")) {
		uint64_t seed = strtoull(argv[2], NULL, 10), h = 0xcbf29ce484222325ULL;

		total = strtoull(argv[3], NULL, 10);
		for (uint64_t i = 0; i < total; i++)
			h = fnv(h, byte_at(seed, i));
		printf("%016" PRIx64 "\n", h);
		return 0;
	}
	if (!serve && !(argc == 6 && !strcmp(argv[1], "connect"))) {
		fprintf(stderr, "usage: tcp_stream serve PORT BYTES DIR | connect ADDR PORT BYTES DIR\n");
		return 2;
	}
	a.sin_port = htons(atoi(argv[serve ? 2 : 3]));
	total = strtoull(argv[serve ? 3 : 4], NULL, 10);
	dir = argv[serve ? 4 : 5];
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (serve) {
		int l = fd;

		setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(l, (struct sockaddr *)&a, sizeof(a)) || listen(l, 1)) {
			perror("tcp_stream: bind/listen");
			return 1;
		}
		fd = accept4(l, NULL, NULL, SOCK_CLOEXEC);
		close(l);	/* only the connection is checkpointed */
	} else {
		if (inet_pton(AF_INET, argv[2], &a.sin_addr) != 1) {
			fprintf(stderr, "tcp_stream: '%s' is not an IPv4 address\n", argv[2]);
			return 2;
		}
		for (int i = 0; i < 600 && connect(fd, (struct sockaddr *)&a, sizeof(a)); i++) {
			close(fd);
			usleep(100000);
			fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		}
	}
	if (fd < 0) {
		perror("tcp_stream: connection");
		return 1;
	}
	put("ready", "1\n");
	return stream(fd, total, serve ? 1 : 2, serve ? 2 : 1);
}
